/* SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * What Janus 1.x's MemoryEventTest and AbstractMemoryTest check and the
 * first memory tests did not: change events carry the old value
 * (JanusMemory::value-changed, blackboard and property memories, threads),
 * and the typed getters, which fail with JANUS_MEMORY_ERROR_NO_SUCH_KEY or
 * JANUS_MEMORY_ERROR_WRONG_TYPE instead of answering with another type.
 */
#include <string.h>

#include "janus-test-utils.h"

/* ----------------------------------------------------------- recording */

static void
on_value_changed (JanusMemory *memory,
                  const char  *key,
                  GVariant    *old_value,
                  GVariant    *value,
                  gpointer     data)
{
  g_autofree char *o = old_value ? g_variant_print (old_value, FALSE) : g_strdup ("-");
  g_autofree char *n = value ? g_variant_print (value, FALSE) : g_strdup ("-");

  log_event ("%s:%s>%s", key, o, n);
}

static void
on_changed (JanusMemory *memory,
            const char  *key,
            GVariant    *value,
            gpointer     data)
{
  log_event ("changed %s", key);
}

/* ---------------------------------------------------------- blackboard */

static void
test_blackboard_old_values (void)
{
  g_autoptr(JanusBlackboardMemory) bb = janus_blackboard_memory_new ();
  JanusMemory *memory = JANUS_MEMORY (bb);
  g_autoptr(GError) error = NULL;

  g_signal_connect (memory, "changed", G_CALLBACK (on_changed), NULL);
  g_signal_connect (memory, "value-changed", G_CALLBACK (on_value_changed), NULL);
  log_clear ();
  g_assert_true (janus_memory_put (memory, "a", g_variant_new_int32 (1), &error));
  g_assert_true (janus_memory_put (memory, "a", g_variant_new_int32 (2), &error));
  g_assert_true (janus_memory_put (memory, "a", g_variant_new_string ("x"), &error));
  g_assert_true (janus_memory_remove (memory, "a", &error));
  /* removing an absent key changes nothing and emits nothing */
  g_assert_true (janus_memory_remove (memory, "a", &error));
  g_assert_no_error (error);
  /* changed first, then value-changed, once per change */
  assert_events ("changed a;a:->1;changed a;a:1>2;changed a;a:2>'x';changed a;a:'x'>-;");
}

static void
test_blackboard_detail (void)
{
  g_autoptr(JanusBlackboardMemory) bb = janus_blackboard_memory_new ();
  JanusMemory *memory = JANUS_MEMORY (bb);

  g_signal_connect (memory, "value-changed::b", G_CALLBACK (on_value_changed), NULL);
  log_clear ();
  janus_memory_put (memory, "a", g_variant_new_int32 (1), NULL);
  janus_memory_put (memory, "b", g_variant_new_int32 (2), NULL);
  janus_memory_put (memory, "b", g_variant_new_int32 (3), NULL);
  assert_events ("b:->2;b:2>3;");
}

/* Many threads put one key: each event's old value is a value that was
 * there; the chain of (old, new) pairs covers every put exactly once. */
typedef struct
{
  JanusMemory *memory;
  int          base;
} Writer;

#define PUTS 200

static gpointer
writer_thread (gpointer data)
{
  Writer *w = data;

  for (int i = 0; i < PUTS; i++)
    janus_memory_put (w->memory, "k", g_variant_new_int32 (w->base + i), NULL);
  return NULL;
}

typedef struct
{
  GMutex      lock;
  GHashTable *news;             /* new value -> count */
  GHashTable *olds;             /* old value -> count */
  guint       firsts;           /* events with no old value */
} Chain;

static void
on_chain (JanusMemory *memory,
          const char  *key,
          GVariant    *old_value,
          GVariant    *value,
          gpointer     data)
{
  Chain *c = data;
  gint n = g_variant_get_int32 (value);

  g_mutex_lock (&c->lock);
  g_hash_table_insert (c->news, GINT_TO_POINTER (n + 1),
                       GINT_TO_POINTER (GPOINTER_TO_INT (g_hash_table_lookup (c->news, GINT_TO_POINTER (n + 1))) + 1));
  if (old_value == NULL)
    c->firsts++;
  else
    {
      gint o = g_variant_get_int32 (old_value);
      g_hash_table_insert (c->olds, GINT_TO_POINTER (o + 1),
                           GINT_TO_POINTER (GPOINTER_TO_INT (g_hash_table_lookup (c->olds, GINT_TO_POINTER (o + 1))) + 1));
    }
  g_mutex_unlock (&c->lock);
}

static void
test_blackboard_threads (void)
{
  g_autoptr(JanusBlackboardMemory) bb = janus_blackboard_memory_new ();
  Writer w[3] = { { JANUS_MEMORY (bb), 0 }, { JANUS_MEMORY (bb), 1000 }, { JANUS_MEMORY (bb), 2000 } };
  GThread *threads[3];
  Chain c = { 0 };
  g_autoptr(GVariant) last = NULL;
  GHashTableIter iter;
  gpointer k, v;

  g_mutex_init (&c.lock);
  c.news = g_hash_table_new (NULL, NULL);
  c.olds = g_hash_table_new (NULL, NULL);
  g_signal_connect (bb, "value-changed", G_CALLBACK (on_chain), &c);
  for (int i = 0; i < 3; i++)
    threads[i] = g_thread_new ("writer", writer_thread, &w[i]);
  for (int i = 0; i < 3; i++)
    g_thread_join (threads[i]);
  /* every value was new once and replaced once, except the one that stays */
  last = janus_memory_get (JANUS_MEMORY (bb), "k");
  g_assert_cmpuint (c.firsts, ==, 1);
  g_assert_cmpuint (g_hash_table_size (c.news), ==, 3 * PUTS);
  g_assert_cmpuint (g_hash_table_size (c.olds), ==, 3 * PUTS - 1);
  g_assert_false (g_hash_table_contains (c.olds, GINT_TO_POINTER (g_variant_get_int32 (last) + 1)));
  g_hash_table_iter_init (&iter, c.olds);
  while (g_hash_table_iter_next (&iter, &k, &v))
    {
      g_assert_cmpint (GPOINTER_TO_INT (v), ==, 1);
      g_assert_true (g_hash_table_contains (c.news, k));
    }
  g_hash_table_unref (c.news);
  g_hash_table_unref (c.olds);
  g_mutex_clear (&c.lock);
}

/* --------------------------------------------------------- properties */

typedef struct
{
  GObject parent_instance;
  int     count;
  char   *label;
} Thing;

typedef struct
{
  GObjectClass parent_class;
} ThingClass;

GType thing_get_type (void);
G_DEFINE_TYPE (Thing, thing, G_TYPE_OBJECT)

enum { THING_PROP_0, THING_PROP_COUNT, THING_PROP_LABEL };

static void
thing_get_property (GObject *object, guint id, GValue *value, GParamSpec *pspec)
{
  Thing *self = (Thing *) object;

  if (id == THING_PROP_COUNT)
    g_value_set_int (value, self->count);
  else
    g_value_set_string (value, self->label);
}

static void
thing_set_property (GObject *object, guint id, const GValue *value, GParamSpec *pspec)
{
  Thing *self = (Thing *) object;

  if (id == THING_PROP_COUNT)
    {
      if (self->count == g_value_get_int (value))
        return;
      self->count = g_value_get_int (value);
      g_object_notify_by_pspec (object, pspec);
    }
  else
    {
      g_free (self->label);
      self->label = g_value_dup_string (value);
    }
}

static void
thing_finalize (GObject *object)
{
  g_free (((Thing *) object)->label);
  G_OBJECT_CLASS (thing_parent_class)->finalize (object);
}

static void
thing_class_init (ThingClass *klass)
{
  GObjectClass *oc = G_OBJECT_CLASS (klass);

  oc->get_property = thing_get_property;
  oc->set_property = thing_set_property;
  oc->finalize = thing_finalize;
  g_object_class_install_property (oc, THING_PROP_COUNT,
    g_param_spec_int ("count", NULL, NULL, 0, 100, 5,
                      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY));
  g_object_class_install_property (oc, THING_PROP_LABEL,
    g_param_spec_string ("label", NULL, NULL, NULL, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
}

static void
thing_init (Thing *self)
{
  self->count = 5;
}

static void
test_property_old_values (void)
{
  g_autoptr(GObject) thing = g_object_new (thing_get_type (), NULL);
  g_autoptr(JanusPropertyMemory) pm = janus_property_memory_new (thing);
  JanusMemory *memory = JANUS_MEMORY (pm);
  g_autoptr(GError) error = NULL;

  g_signal_connect (memory, "value-changed", G_CALLBACK (on_value_changed), NULL);
  log_clear ();
  /* the value read when the memory was made is the first old value */
  g_assert_true (janus_memory_put (memory, "count", g_variant_new_int32 (7), &error));
  g_object_set (thing, "count", 9, NULL);
  /* a label that was NULL had no key: no old value */
  g_object_set (thing, "label", "hi", NULL);
  g_object_set (thing, "label", "ho", NULL);
  g_object_set (thing, "label", NULL, NULL);
  g_assert_no_error (error);
  assert_events ("count:5>7;count:7>9;label:->'hi';label:'hi'>'ho';label:'ho'>-;");
}

/* ------------------------------------------------------ typed getters */

static void
fill (JanusMemory *memory)
{
  janus_memory_put (memory, "i", g_variant_new_int32 (-3), NULL);
  janus_memory_put (memory, "x", g_variant_new_int64 (G_MININT64), NULL);
  janus_memory_put (memory, "y", g_variant_new_byte (200), NULL);
  janus_memory_put (memory, "t-small", g_variant_new_uint64 (42), NULL);
  janus_memory_put (memory, "t-big", g_variant_new_uint64 (G_MAXUINT64), NULL);
  janus_memory_put (memory, "d", g_variant_new_double (2.5), NULL);
  janus_memory_put (memory, "b", g_variant_new_boolean (TRUE), NULL);
  janus_memory_put (memory, "s", g_variant_new_string ("text"), NULL);
  janus_memory_put (memory, "o", g_variant_new_object_path ("/a/b"), NULL);
  janus_memory_put (memory, "pair", g_variant_new ("(ii)", 1, 2), NULL);
}

#define assert_error_and_clear(err, code) \
  G_STMT_START { \
    g_assert_error (err, JANUS_MEMORY_ERROR, code); \
    g_clear_error (&err); \
  } G_STMT_END

static void
test_typed_getters (void)
{
  g_autoptr(JanusBlackboardMemory) bb = janus_blackboard_memory_new ();
  JanusMemory *memory = JANUS_MEMORY (bb);
  GError *error = NULL;
  g_autofree char *s = NULL;
  g_autofree char *o = NULL;
  g_autoptr(GVariant) pair = NULL;
  g_autoptr(GVariant) tuple = NULL;

  fill (memory);
  g_assert_cmpint (janus_memory_get_int64 (memory, "i", &error), ==, -3);
  g_assert_cmpint (janus_memory_get_int64 (memory, "x", &error), ==, G_MININT64);
  g_assert_cmpint (janus_memory_get_int64 (memory, "y", &error), ==, 200);
  g_assert_cmpint (janus_memory_get_int64 (memory, "t-small", &error), ==, 42);
  g_assert_cmpfloat (janus_memory_get_double (memory, "d", &error), ==, 2.5);
  g_assert_true (janus_memory_get_boolean (memory, "b", &error));
  s = janus_memory_dup_string (memory, "s", &error);
  o = janus_memory_dup_string (memory, "o", &error);
  pair = janus_memory_get_typed (memory, "pair", G_VARIANT_TYPE ("(ii)"), &error);
  tuple = janus_memory_get_typed (memory, "pair", G_VARIANT_TYPE_TUPLE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (s, ==, "text");
  g_assert_cmpstr (o, ==, "/a/b");
  g_assert_nonnull (pair);
  g_assert_nonnull (tuple);

  /* mismatches fail clearly, with a neutral value */
  g_assert_cmpint (janus_memory_get_int64 (memory, "t-big", &error), ==, 0);
  assert_error_and_clear (error, JANUS_MEMORY_ERROR_WRONG_TYPE);
  g_assert_cmpint (janus_memory_get_int64 (memory, "d", &error), ==, 0);
  assert_error_and_clear (error, JANUS_MEMORY_ERROR_WRONG_TYPE);
  g_assert_cmpfloat (janus_memory_get_double (memory, "i", &error), ==, 0);
  assert_error_and_clear (error, JANUS_MEMORY_ERROR_WRONG_TYPE);
  g_assert_false (janus_memory_get_boolean (memory, "s", &error));
  assert_error_and_clear (error, JANUS_MEMORY_ERROR_WRONG_TYPE);
  g_assert_null (janus_memory_dup_string (memory, "b", &error));
  g_assert_cmpstr (error->message, ==, "The value under “b” is of type “b”, not a string");
  assert_error_and_clear (error, JANUS_MEMORY_ERROR_WRONG_TYPE);
  g_assert_null (janus_memory_get_typed (memory, "pair", G_VARIANT_TYPE ("(ss)"), &error));
  g_assert_nonnull (strstr (error->message, "(ii)"));
  g_assert_nonnull (strstr (error->message, "(ss)"));
  assert_error_and_clear (error, JANUS_MEMORY_ERROR_WRONG_TYPE);

  /* an absent key */
  g_assert_cmpint (janus_memory_get_int64 (memory, "nope", &error), ==, 0);
  assert_error_and_clear (error, JANUS_MEMORY_ERROR_NO_SUCH_KEY);
  g_assert_null (janus_memory_get_typed (memory, "nope", G_VARIANT_TYPE_ANY, &error));
  assert_error_and_clear (error, JANUS_MEMORY_ERROR_NO_SUCH_KEY);
  g_assert_null (janus_memory_dup_string (memory, "nope", NULL));
}

static void
test_typed_property (void)
{
  g_autoptr(GObject) thing = g_object_new (thing_get_type (), NULL);
  g_autoptr(JanusPropertyMemory) pm = janus_property_memory_new (thing);
  GError *error = NULL;
  g_autofree char *label = NULL;

  g_object_set (thing, "label", "L", NULL);
  g_assert_cmpint (janus_memory_get_int64 (JANUS_MEMORY (pm), "count", &error), ==, 5);
  label = janus_memory_dup_string (JANUS_MEMORY (pm), "label", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (label, ==, "L");
  g_assert_false (janus_memory_get_boolean (JANUS_MEMORY (pm), "count", &error));
  assert_error_and_clear (error, JANUS_MEMORY_ERROR_WRONG_TYPE);
  g_assert_null (janus_memory_dup_string (JANUS_MEMORY (pm), "no-such-property", &error));
  assert_error_and_clear (error, JANUS_MEMORY_ERROR_NO_SUCH_KEY);
}

/* ---------------------------------------------------------- bad input */

static void
bad_call (const char *name)
{
  g_autoptr(JanusBlackboardMemory) bb = janus_blackboard_memory_new ();
  JanusMemory *memory = JANUS_MEMORY (bb);

  if (g_str_equal (name, "null-key"))
    janus_memory_get_int64 (memory, NULL, NULL);
  else if (g_str_equal (name, "null-type"))
    g_assert_null (janus_memory_get_typed (memory, "k", NULL, NULL));
  else if (g_str_equal (name, "not-a-memory"))
    janus_memory_get_boolean ((JanusMemory *) g_object_new (G_TYPE_OBJECT, NULL), "k", NULL);
  else if (g_str_equal (name, "emit-null-key"))
    janus_memory_emit_change (memory, NULL, NULL, NULL);
}

static const char *const bad_calls[] = {
  "null-key", "null-type", "not-a-memory", "emit-null-key",
};

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/memory-events/blackboard/old-values", test_blackboard_old_values);
  g_test_add_func ("/memory-events/blackboard/detail", test_blackboard_detail);
  g_test_add_func ("/memory-events/blackboard/threads", test_blackboard_threads);
  g_test_add_func ("/memory-events/property/old-values", test_property_old_values);
  g_test_add_func ("/memory-events/typed/blackboard", test_typed_getters);
  g_test_add_func ("/memory-events/typed/property", test_typed_property);
  add_critical_cases ("/memory-events/bad-input", bad_call, bad_calls, G_N_ELEMENTS (bad_calls));

  return g_test_run ();
}
