/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <janus.h>

/* ------------------------------------------------------------- helpers */

/* What JanusMemory::changed reported: how often, and the last key/value. */
typedef struct {
  guint     count;
  char     *key;
  GVariant *value;
} Changes;

static void
on_changed (JanusMemory *memory,
            const char  *key,
            GVariant    *value,
            gpointer     user_data)
{
  Changes *changes = user_data;

  changes->count++;
  g_free (changes->key);
  changes->key = g_strdup (key);
  g_clear_pointer (&changes->value, g_variant_unref);
  changes->value = value != NULL ? g_variant_ref (value) : NULL;
}

static void
changes_clear (Changes *changes)
{
  g_clear_pointer (&changes->key, g_free);
  g_clear_pointer (&changes->value, g_variant_unref);
  changes->count = 0;
}

static void
assert_last_change (Changes    *changes,
                    guint       count,
                    const char *key,
                    GVariant   *value)
{
  g_assert_cmpuint (changes->count, ==, count);
  g_assert_cmpstr (changes->key, ==, key);
  if (value == NULL)
    g_assert_null (changes->value);
  else
    {
      g_assert_nonnull (changes->value);
      g_assert_true (g_variant_equal (changes->value, value));
    }
}

/* Drops what must be the last reference to @object. */
static void
unref_last (gpointer object)
{
  g_object_add_weak_pointer (object, &object);
  g_object_unref (object);
  g_assert_null (object);
}

/* Returns a full (non-floating) reference, as g_variant_parse() does. */
static GVariant *
parse (const char *text)
{
  g_autoptr(GError) error = NULL;
  GVariant *value = g_variant_parse (NULL, text, NULL, NULL, &error);

  g_assert_no_error (error);
  return value;
}

static guint
strv_length (char **strv)
{
  g_assert_nonnull (strv);
  return g_strv_length (strv);
}

/* ----------------------------------------------------------- blackboard */

static JanusMemory *
blackboard_new (Changes *changes)
{
  JanusMemory *memory = JANUS_MEMORY (janus_blackboard_memory_new ());

  g_signal_connect (memory, "changed", G_CALLBACK (on_changed), changes);
  return memory;
}

static void
test_blackboard_put_get (void)
{
  Changes changes = { 0 };
  JanusMemory *memory = blackboard_new (&changes);
  g_autoptr(GVariant) expected = g_variant_ref_sink (g_variant_new ("(ii)", 3, 4));
  g_autoptr(GVariant) value = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_false (janus_memory_has (memory, "position"));
  g_assert_null (janus_memory_get (memory, "position"));

  g_assert_true (janus_memory_put (memory, "position", g_variant_new ("(ii)", 3, 4), &error));
  g_assert_no_error (error);
  assert_last_change (&changes, 1, "position", expected);

  value = janus_memory_get (memory, "position");
  g_assert_true (g_variant_equal (value, expected));
  g_assert_true (janus_memory_has (memory, "position"));
  g_assert_false (janus_memory_has (memory, "other"));

  unref_last (memory);
  changes_clear (&changes);
}

static void
test_blackboard_replace (void)
{
  Changes changes = { 0 };
  JanusMemory *memory = blackboard_new (&changes);
  g_autoptr(GVariant) second = g_variant_ref_sink (g_variant_new_string ("second"));
  g_autoptr(GVariant) value = NULL;

  g_assert_true (janus_memory_put (memory, "k", g_variant_new_int32 (1), NULL));
  g_assert_true (janus_memory_put (memory, "k", g_variant_new_string ("second"), NULL));
  assert_last_change (&changes, 2, "k", second);

  value = janus_memory_get (memory, "k");
  g_assert_true (g_variant_equal (value, second));

  unref_last (memory);
  changes_clear (&changes);
}

static void
test_blackboard_remove (void)
{
  Changes changes = { 0 };
  JanusMemory *memory = blackboard_new (&changes);
  g_autoptr(GError) error = NULL;

  g_assert_true (janus_memory_put (memory, "k", g_variant_new_int32 (1), NULL));
  g_assert_true (janus_memory_remove (memory, "k", &error));
  g_assert_no_error (error);
  assert_last_change (&changes, 2, "k", NULL);
  g_assert_false (janus_memory_has (memory, "k"));
  g_assert_null (janus_memory_get (memory, "k"));

  /* Removing an absent key succeeds and emits nothing. */
  g_assert_true (janus_memory_remove (memory, "k", &error));
  g_assert_no_error (error);
  g_assert_true (janus_memory_remove (memory, "never", &error));
  g_assert_no_error (error);
  g_assert_cmpuint (changes.count, ==, 2);

  unref_last (memory);
  changes_clear (&changes);
}

static void
test_blackboard_list_keys (void)
{
  Changes changes = { 0 };
  JanusMemory *memory = blackboard_new (&changes);
  const char * const expected[] = { "alpha", "beta", "gamma", "zeta", NULL };
  g_auto(GStrv) empty = janus_memory_list_keys (memory);
  g_auto(GStrv) keys = NULL;
  g_auto(GStrv) fewer = NULL;

  g_assert_cmpuint (strv_length (empty), ==, 0);

  for (const char * const *k = (const char * const []) { "zeta", "beta", "gamma", "alpha", NULL }; *k; k++)
    g_assert_true (janus_memory_put (memory, *k, g_variant_new_boolean (TRUE), NULL));
  keys = janus_memory_list_keys (memory);
  g_assert_cmpstrv (keys, expected);

  g_assert_true (janus_memory_remove (memory, "beta", NULL));
  fewer = janus_memory_list_keys (memory);
  g_assert_cmpstrv (fewer, ((const char * const []) { "alpha", "gamma", "zeta", NULL }));

  unref_last (memory);
  changes_clear (&changes);
}

static void
test_blackboard_changed_detail (void)
{
  Changes all = { 0 };
  Changes only_a = { 0 };
  JanusMemory *memory = blackboard_new (&all);
  g_autoptr(GVariant) two = g_variant_ref_sink (g_variant_new_int32 (2));

  g_signal_connect (memory, "changed::a", G_CALLBACK (on_changed), &only_a);

  g_assert_true (janus_memory_put (memory, "a", g_variant_new_int32 (1), NULL));
  g_assert_true (janus_memory_put (memory, "b", g_variant_new_int32 (1), NULL));
  g_assert_true (janus_memory_put (memory, "a", g_variant_new_int32 (2), NULL));
  g_assert_true (janus_memory_remove (memory, "b", NULL));

  assert_last_change (&only_a, 2, "a", two);
  assert_last_change (&all, 4, "b", NULL);

  unref_last (memory);
  changes_clear (&all);
  changes_clear (&only_a);
}

#define N_THREADS 4

/* 10000 keys per thread; 250 under the valgrind setup (JANUS_TEST_SMALL). */
static guint
keys_per_thread (void)
{
  return g_getenv ("JANUS_TEST_SMALL") != NULL ? 250 : 10000;
}

typedef struct {
  JanusMemory *memory;
  guint        index;
  guint        n_keys;
} Writer;

static void
count_changed (JanusMemory *memory,
               const char  *key,
               GVariant    *value,
               gpointer     user_data)
{
  g_atomic_int_inc ((int *) user_data);
}

static gpointer
write_keys (gpointer data)
{
  Writer *writer = data;

  for (guint i = 0; i < writer->n_keys; i++)
    {
      g_autofree char *key = g_strdup_printf ("t%u/%05u", writer->index, i);

      g_assert_true (janus_memory_put (writer->memory, key,
                                       g_variant_new_uint32 (writer->index * writer->n_keys + i),
                                       NULL));
    }
  return NULL;
}

static void
test_blackboard_threads (void)
{
  JanusMemory *memory = JANUS_MEMORY (janus_blackboard_memory_new ());
  guint n_keys = keys_per_thread ();
  Writer writers[N_THREADS];
  GThread *threads[N_THREADS];
  int emissions = 0;
  g_auto(GStrv) keys = NULL;

  g_signal_connect (memory, "changed", G_CALLBACK (count_changed), &emissions);
  for (guint t = 0; t < N_THREADS; t++)
    {
      writers[t] = (Writer) { memory, t, n_keys };
      threads[t] = g_thread_new ("writer", write_keys, &writers[t]);
    }
  for (guint t = 0; t < N_THREADS; t++)
    g_thread_join (threads[t]);

  g_assert_cmpint (g_atomic_int_get (&emissions), ==, N_THREADS * n_keys);
  keys = janus_memory_list_keys (memory);
  g_assert_cmpuint (strv_length (keys), ==, N_THREADS * n_keys);
  for (guint t = 0; t < N_THREADS; t++)
    for (guint i = 0; i < n_keys; i++)
      {
        g_autofree char *key = g_strdup_printf ("t%u/%05u", t, i);
        g_autoptr(GVariant) value = janus_memory_get (memory, key);

        g_assert_nonnull (value);
        g_assert_cmpuint (g_variant_get_uint32 (value), ==, t * n_keys + i);
        /* Sorted, and each key once: thread t's keys follow each other. */
        g_assert_cmpstr (keys[t * n_keys + i], ==, key);
      }

  unref_last (memory);
}

/* -------------------------------------------------------- a test object */

#define MEM_TYPE_THING (mem_thing_get_type ())
G_DECLARE_FINAL_TYPE (MemThing, mem_thing, MEM, THING, GObject)

struct _MemThing
{
  GObject           parent_instance;

  int               count;
  int               my_count;
  char             *label;
  double            ratio;
  gboolean          ready;
  JanusMailboxKind  kind;
  char             *origin;
  GObject          *child;
  char            **tags;
  GBindingFlags     mode;
  GVariant         *blob;
  guint64           big;
  float             small;
  gint8             letter;
  JanusAddress     *where;
};

enum {
  THING_PROP_0,
  THING_PROP_COUNT,
  THING_PROP_MY_COUNT,
  THING_PROP_LABEL,
  THING_PROP_RATIO,
  THING_PROP_READY,
  THING_PROP_KIND,
  THING_PROP_SERIAL,
  THING_PROP_ORIGIN,
  THING_PROP_CHILD,
  THING_PROP_TAGS,
  THING_PROP_MODE,
  THING_PROP_BLOB,
  THING_PROP_BIG,
  THING_PROP_SMALL,
  THING_PROP_LETTER,
  THING_PROP_WHERE,
  THING_N_PROPS
};

static GParamSpec *thing_properties[THING_N_PROPS];

G_DEFINE_FINAL_TYPE (MemThing, mem_thing, G_TYPE_OBJECT)

static void
mem_thing_finalize (GObject *object)
{
  MemThing *self = MEM_THING (object);

  g_free (self->label);
  g_free (self->origin);
  g_clear_object (&self->child);
  g_strfreev (self->tags);
  g_clear_pointer (&self->blob, g_variant_unref);
  g_clear_pointer (&self->where, janus_address_free);

  G_OBJECT_CLASS (mem_thing_parent_class)->finalize (object);
}

static void
mem_thing_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  MemThing *self = MEM_THING (object);

  switch (prop_id)
    {
    case THING_PROP_COUNT:    g_value_set_int (value, self->count); break;
    case THING_PROP_MY_COUNT: g_value_set_int (value, self->my_count); break;
    case THING_PROP_LABEL:    g_value_set_string (value, self->label); break;
    case THING_PROP_RATIO:    g_value_set_double (value, self->ratio); break;
    case THING_PROP_READY:    g_value_set_boolean (value, self->ready); break;
    case THING_PROP_KIND:     g_value_set_enum (value, self->kind); break;
    case THING_PROP_SERIAL:   g_value_set_int (value, 42); break;
    case THING_PROP_ORIGIN:   g_value_set_string (value, self->origin); break;
    case THING_PROP_CHILD:    g_value_set_object (value, self->child); break;
    case THING_PROP_TAGS:     g_value_set_boxed (value, self->tags); break;
    case THING_PROP_MODE:     g_value_set_flags (value, self->mode); break;
    case THING_PROP_BLOB:     g_value_set_variant (value, self->blob); break;
    case THING_PROP_BIG:      g_value_set_uint64 (value, self->big); break;
    case THING_PROP_SMALL:    g_value_set_float (value, self->small); break;
    case THING_PROP_LETTER:   g_value_set_schar (value, self->letter); break;
    case THING_PROP_WHERE:    g_value_set_boxed (value, self->where); break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

/* "count" and "kind" are G_PARAM_EXPLICIT_NOTIFY: they notify on change only. */
static void
mem_thing_set_count (MemThing *self,
                     int       count)
{
  if (self->count == count)
    return;
  self->count = count;
  g_object_notify_by_pspec (G_OBJECT (self), thing_properties[THING_PROP_COUNT]);
}

static void
mem_thing_set_kind (MemThing         *self,
                    JanusMailboxKind  kind)
{
  if (self->kind == kind)
    return;
  self->kind = kind;
  g_object_notify_by_pspec (G_OBJECT (self), thing_properties[THING_PROP_KIND]);
}

static void
mem_thing_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  MemThing *self = MEM_THING (object);

  switch (prop_id)
    {
    case THING_PROP_COUNT:    mem_thing_set_count (self, g_value_get_int (value)); break;
    case THING_PROP_MY_COUNT: self->my_count = g_value_get_int (value); break;
    case THING_PROP_LABEL:    g_free (self->label); self->label = g_value_dup_string (value); break;
    case THING_PROP_RATIO:    self->ratio = g_value_get_double (value); break;
    case THING_PROP_READY:    self->ready = g_value_get_boolean (value); break;
    case THING_PROP_KIND:     mem_thing_set_kind (self, g_value_get_enum (value)); break;
    case THING_PROP_ORIGIN:   g_free (self->origin); self->origin = g_value_dup_string (value); break;
    case THING_PROP_CHILD:    g_set_object (&self->child, g_value_get_object (value)); break;
    case THING_PROP_TAGS:     g_strfreev (self->tags); self->tags = g_value_dup_boxed (value); break;
    case THING_PROP_MODE:     self->mode = g_value_get_flags (value); break;
    case THING_PROP_BLOB:
      g_clear_pointer (&self->blob, g_variant_unref);
      self->blob = g_value_dup_variant (value);
      break;
    case THING_PROP_BIG:      self->big = g_value_get_uint64 (value); break;
    case THING_PROP_SMALL:    self->small = g_value_get_float (value); break;
    case THING_PROP_LETTER:   self->letter = g_value_get_schar (value); break;
    case THING_PROP_WHERE:
      g_clear_pointer (&self->where, janus_address_free);
      self->where = g_value_dup_boxed (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mem_thing_class_init (MemThingClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS;

  object_class->finalize = mem_thing_finalize;
  object_class->get_property = mem_thing_get_property;
  object_class->set_property = mem_thing_set_property;

  thing_properties[THING_PROP_COUNT] =
    g_param_spec_int ("count", NULL, NULL, 0, 100, 0, rw | G_PARAM_EXPLICIT_NOTIFY);
  thing_properties[THING_PROP_MY_COUNT] =
    g_param_spec_int ("my-count", NULL, NULL, G_MININT, G_MAXINT, 0, rw);
  thing_properties[THING_PROP_LABEL] =
    g_param_spec_string ("label", NULL, NULL, NULL, rw);
  thing_properties[THING_PROP_RATIO] =
    g_param_spec_double ("ratio", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0.0, rw);
  thing_properties[THING_PROP_READY] =
    g_param_spec_boolean ("ready", NULL, NULL, FALSE, rw);
  thing_properties[THING_PROP_KIND] =
    g_param_spec_enum ("kind", NULL, NULL, JANUS_TYPE_MAILBOX_KIND,
                       JANUS_MAILBOX_KIND_FIFO, rw | G_PARAM_EXPLICIT_NOTIFY);
  thing_properties[THING_PROP_SERIAL] =
    g_param_spec_int ("serial", NULL, NULL, G_MININT, G_MAXINT, 42,
                      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  thing_properties[THING_PROP_ORIGIN] =
    g_param_spec_string ("origin", NULL, NULL, NULL, rw | G_PARAM_CONSTRUCT_ONLY);
  thing_properties[THING_PROP_CHILD] =
    g_param_spec_object ("child", NULL, NULL, G_TYPE_OBJECT, rw);
  thing_properties[THING_PROP_TAGS] =
    g_param_spec_boxed ("tags", NULL, NULL, G_TYPE_STRV, rw);
  thing_properties[THING_PROP_MODE] =
    g_param_spec_flags ("mode", NULL, NULL, G_TYPE_BINDING_FLAGS, 0, rw);
  thing_properties[THING_PROP_BLOB] =
    g_param_spec_variant ("blob", NULL, NULL, G_VARIANT_TYPE ("(ii)"), NULL, rw);
  thing_properties[THING_PROP_BIG] =
    g_param_spec_uint64 ("big", NULL, NULL, 0, G_MAXUINT64, 0, rw);
  thing_properties[THING_PROP_SMALL] =
    g_param_spec_float ("small", NULL, NULL, -G_MAXFLOAT, G_MAXFLOAT, 0.0f, rw);
  thing_properties[THING_PROP_LETTER] =
    g_param_spec_char ("letter", NULL, NULL, G_MININT8, G_MAXINT8, 0, rw);
  thing_properties[THING_PROP_WHERE] =
    g_param_spec_boxed ("where", NULL, NULL, JANUS_TYPE_ADDRESS, rw);

  g_object_class_install_properties (object_class, THING_N_PROPS, thing_properties);
}

static void
mem_thing_init (MemThing *self)
{
}

/* A MemThing (origin "test"), its memory, and what the memory emits. */
typedef struct {
  MemThing    *thing;
  JanusMemory *memory;
  Changes      changes;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->thing = g_object_new (MEM_TYPE_THING, "origin", "test", NULL);
  f->memory = JANUS_MEMORY (janus_property_memory_new (G_OBJECT (f->thing)));
  f->changes = (Changes) { 0 };
  g_signal_connect (f->memory, "changed", G_CALLBACK (on_changed), &f->changes);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  if (f->memory != NULL)
    unref_last (f->memory);
  if (f->thing != NULL)
    unref_last (f->thing);
  changes_clear (&f->changes);
}

#define ADD_PROPERTY_TEST(path, func) \
  g_test_add ("/memory/property/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

/* ------------------------------------------------------ property memory */

typedef struct {
  const char *name;        /* of the test case */
  const char *key;
  const char *put;         /* GVariant text */
  const char *get;         /* what get returns afterwards */
} RoundTrip;

static const RoundTrip round_trips[] = {
  { "int",             "count",  "int32 42",                      "int32 42" },
  { "int-from-int64",  "count",  "int64 7",                       "int32 7" },
  { "int-from-byte",   "count",  "byte 0x05",                     "int32 5" },
  { "int-underscore",  "my_count", "int32 -3",                    "int32 -3" },
  { "string",          "label",  "'hello'",                       "'hello'" },
  { "string-from-path", "label", "objectpath '/a/b'",             "'/a/b'" },
  { "double",          "ratio",  "0.25",                          "0.25" },
  { "double-from-int", "ratio",  "int32 -3",                      "-3.0" },
  { "boolean",         "ready",  "true",                          "true" },
  { "enum-nick",       "kind",   "'priority'",                    "'priority'" },
  { "enum-name",       "kind",   "'JANUS_MAILBOX_KIND_BLACK_HOLE'", "'black-hole'" },
  { "enum-int",        "kind",   "int32 1",                       "'priority'" },
  { "strv",            "tags",   "['a', 'b']",                    "['a', 'b']" },
  { "flags-nicks",     "mode",   "['bidirectional', 'sync-create']", "['bidirectional', 'sync-create']" },
  { "flags-names",     "mode",   "['G_BINDING_INVERT_BOOLEAN']",  "['invert-boolean']" },
  { "flags-int",       "mode",   "uint32 6",                      "['sync-create', 'invert-boolean']" },
  { "variant",         "blob",   "(1, 2)",                        "(1, 2)" },
  { "uint64",          "big",    "uint64 18446744073709551615",   "uint64 18446744073709551615" },
  { "uint64-from-int", "big",    "int32 5",                       "uint64 5" },
  { "float",           "small",  "0.5",                           "0.5" },
  { "char",            "letter", "byte 0xff",                     "byte 0xff" },
  { "char-from-int",   "letter", "int32 -1",                      "byte 0xff" },
  { "address",         "where",
    "'janus://01234567-89ab-4def-8123-456789abcdef/42'",
    "'janus://01234567-89ab-4def-8123-456789abcdef/42'" },
};

static void
test_property_round_trip (Fixture       *f,
                          gconstpointer  data)
{
  const RoundTrip *rt = data;
  g_autoptr(GVariant) put = parse (rt->put);
  g_autoptr(GVariant) expected = parse (rt->get);
  g_autoptr(GVariant) value = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = g_strdelimit (g_strdup (rt->key), "_", '-');

  g_assert_true (janus_memory_put (f->memory, rt->key, put, &error));
  g_assert_no_error (error);
  assert_last_change (&f->changes, 1, name, expected);

  value = janus_memory_get (f->memory, rt->key);
  g_assert_nonnull (value);
  g_assert_true (g_variant_equal (value, expected));
  g_assert_true (janus_memory_has (f->memory, rt->key));
}

typedef struct {
  const char *name;
  const char *key;
  const char *put;
  JanusMemoryError code;
} Refusal;

static const Refusal refusals[] = {
  { "wrong-type",         "count",  "'x'",                JANUS_MEMORY_ERROR_INVALID_VALUE },
  { "int-overflow",       "count",  "int64 5000000000",   JANUS_MEMORY_ERROR_INVALID_VALUE },
  { "above-pspec-range",  "count",  "int32 101",          JANUS_MEMORY_ERROR_INVALID_VALUE },
  { "below-pspec-range",  "count",  "int32 -1",           JANUS_MEMORY_ERROR_INVALID_VALUE },
  { "boolean-from-int",   "ready",  "int32 1",            JANUS_MEMORY_ERROR_INVALID_VALUE },
  { "double-from-string", "ratio",  "'x'",                JANUS_MEMORY_ERROR_INVALID_VALUE },
  { "enum-bad-nick",      "kind",   "'bogus'",            JANUS_MEMORY_ERROR_INVALID_VALUE },
  { "enum-bad-int",       "kind",   "int32 17",           JANUS_MEMORY_ERROR_INVALID_VALUE },
  { "flags-bad-nick",     "mode",   "['bogus']",          JANUS_MEMORY_ERROR_INVALID_VALUE },
  { "flags-bad-bits",     "mode",   "uint32 64",          JANUS_MEMORY_ERROR_INVALID_VALUE },
  { "variant-wrong-type", "blob",   "(1, 2, 3)",          JANUS_MEMORY_ERROR_INVALID_VALUE },
  { "strv-from-string",   "tags",   "'a'",                JANUS_MEMORY_ERROR_INVALID_VALUE },
  { "float-overflow",     "small",  "1e300",              JANUS_MEMORY_ERROR_INVALID_VALUE },
  { "char-overflow",      "letter", "int32 200",          JANUS_MEMORY_ERROR_INVALID_VALUE },
  { "uint64-negative",    "big",    "int32 -1",           JANUS_MEMORY_ERROR_INVALID_VALUE },
  { "bad-address",        "where",  "'garbage'",          JANUS_MEMORY_ERROR_INVALID_VALUE },
  { "read-only",          "serial", "int32 1",            JANUS_MEMORY_ERROR_READ_ONLY },
  { "construct-only",     "origin", "'x'",                JANUS_MEMORY_ERROR_READ_ONLY },
  { "unrepresentable",    "child",  "'x'",                JANUS_MEMORY_ERROR_UNSUPPORTED },
  { "unknown",            "nope",   "int32 1",            JANUS_MEMORY_ERROR_NO_SUCH_KEY },
  { "invalid-name",       "no pe!", "int32 1",            JANUS_MEMORY_ERROR_NO_SUCH_KEY },
};

static void
test_property_refused (Fixture       *f,
                       gconstpointer  data)
{
  const Refusal *r = data;
  g_autoptr(GVariant) put = parse (r->put);
  g_autoptr(GVariant) before = janus_memory_get (f->memory, r->key);
  g_autoptr(GVariant) after = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_false (janus_memory_put (f->memory, r->key, put, &error));
  g_assert_error (error, JANUS_MEMORY_ERROR, (int) r->code);
  g_assert_nonnull (strstr (error->message, r->key));
  g_assert_nonnull (strstr (error->message, "MemThing"));
  g_assert_cmpuint (f->changes.count, ==, 0);

  after = janus_memory_get (f->memory, r->key);
  g_assert_true (before == after || g_variant_equal (before, after));
}

static void
test_property_error_message (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (janus_memory_put (f->memory, "count", g_variant_new_string ("x"), &error));
  g_assert_error (error, JANUS_MEMORY_ERROR, JANUS_MEMORY_ERROR_INVALID_VALUE);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "“count”"));
  g_assert_nonnull (strstr (error->message, "MemThing"));
  g_assert_nonnull (strstr (error->message, "“i”"));   /* expected */
  g_assert_nonnull (strstr (error->message, "“s”"));   /* given */
}

static void
test_property_unknown_key (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  g_assert_null (janus_memory_get (f->memory, "nope"));
  g_assert_false (janus_memory_has (f->memory, "nope"));
  g_assert_true (janus_memory_remove (f->memory, "nope", &error));
  g_assert_no_error (error);
  g_assert_false (janus_memory_put (f->memory, "nope", g_variant_new_int32 (1), &error));
  g_assert_error (error, JANUS_MEMORY_ERROR, JANUS_MEMORY_ERROR_NO_SUCH_KEY);
  g_assert_cmpuint (f->changes.count, ==, 0);
}

static void
test_property_remove (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) error2 = NULL;
  g_autoptr(GVariant) value = NULL;

  g_assert_false (janus_memory_remove (f->memory, "count", &error));
  g_assert_error (error, JANUS_MEMORY_ERROR, JANUS_MEMORY_ERROR_READ_ONLY);
  g_assert_nonnull (strstr (error->message, "count"));

  /* Even a property memory does not show is a property, not an absent key. */
  g_assert_false (janus_memory_remove (f->memory, "child", &error2));
  g_assert_error (error2, JANUS_MEMORY_ERROR, JANUS_MEMORY_ERROR_READ_ONLY);

  value = janus_memory_get (f->memory, "count");
  g_assert_cmpint (g_variant_get_int32 (value), ==, 0);
  g_assert_cmpuint (f->changes.count, ==, 0);
}

static void
test_property_unrepresentable (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(GObject) child = g_object_new (G_TYPE_OBJECT, NULL);
  g_auto(GStrv) keys = NULL;

  g_object_set (f->thing, "child", child, NULL);
  g_assert_null (janus_memory_get (f->memory, "child"));
  g_assert_false (janus_memory_has (f->memory, "child"));
  keys = janus_memory_list_keys (f->memory);
  g_assert_false (g_strv_contains ((const char * const *) keys, "child"));
  g_assert_cmpuint (f->changes.count, ==, 0);
}

static void
test_property_null_values (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GVariant) hello = g_variant_ref_sink (g_variant_new_string ("hello"));

  /* A NULL string is an absent key... */
  g_assert_null (janus_memory_get (f->memory, "label"));
  g_assert_false (janus_memory_has (f->memory, "label"));

  g_object_set (f->thing, "label", "hello", NULL);
  assert_last_change (&f->changes, 1, "label", hello);
  g_assert_true (janus_memory_has (f->memory, "label"));

  /* ...so setting it to NULL reports it as removed. */
  g_object_set (f->thing, "label", NULL, NULL);
  assert_last_change (&f->changes, 2, "label", NULL);
  g_assert_false (janus_memory_has (f->memory, "label"));
}

static void
test_property_list_keys (Fixture       *f,
                         gconstpointer  data)
{
  const char * const initial[] = {
    "big", "count", "kind", "letter", "mode", "my-count", "origin", "ratio",
    "ready", "serial", "small", NULL
  };
  const char * const full[] = {
    "big", "blob", "count", "kind", "label", "letter", "mode", "my-count",
    "origin", "ratio", "ready", "serial", "small", "tags", "where", NULL
  };
  g_auto(GStrv) keys = janus_memory_list_keys (f->memory);
  g_auto(GStrv) more = NULL;

  /* Leaves out "child" (an object) and the properties that are NULL. */
  g_assert_cmpstrv (keys, initial);

  g_assert_true (janus_memory_put (f->memory, "label", g_variant_new_string ("l"), NULL));
  g_assert_true (janus_memory_put (f->memory, "tags", g_variant_new_strv (NULL, 0), NULL));
  g_assert_true (janus_memory_put (f->memory, "blob", g_variant_new ("(ii)", 0, 0), NULL));
  g_assert_true (janus_memory_put (f->memory, "where",
                                   g_variant_new_string ("janus://01234567-89ab-4def-8123-456789abcdef/1"),
                                   NULL));
  more = janus_memory_list_keys (f->memory);
  g_assert_cmpstrv (more, full);
  for (const char * const *k = full; *k != NULL; k++)
    g_assert_true (janus_memory_has (f->memory, *k));
}

static void
test_property_changed_put (Fixture       *f,
                           gconstpointer  data)
{
  Changes only_count = { 0 };
  g_autoptr(GVariant) five = g_variant_ref_sink (g_variant_new_int32 (5));
  g_autoptr(GVariant) label = g_variant_ref_sink (g_variant_new_string ("a"));

  g_signal_connect (f->memory, "changed::count", G_CALLBACK (on_changed), &only_count);

  g_assert_true (janus_memory_put (f->memory, "count", g_variant_new_int32 (5), NULL));
  assert_last_change (&f->changes, 1, "count", five);
  assert_last_change (&only_count, 1, "count", five);

  /* "count" notifies only on change (G_PARAM_EXPLICIT_NOTIFY)... */
  g_assert_true (janus_memory_put (f->memory, "count", g_variant_new_int32 (5), NULL));
  g_assert_cmpuint (f->changes.count, ==, 1);

  /* ..."label" on every set, and changed follows notify. */
  g_assert_true (janus_memory_put (f->memory, "label", g_variant_new_string ("a"), NULL));
  g_assert_true (janus_memory_put (f->memory, "label", g_variant_new_string ("a"), NULL));
  assert_last_change (&f->changes, 3, "label", label);
  g_assert_cmpuint (only_count.count, ==, 1);

  changes_clear (&only_count);
}

static void
test_property_changed_direct (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(GVariant) seven = g_variant_ref_sink (g_variant_new_int32 (7));
  g_autoptr(GVariant) kind = g_variant_ref_sink (g_variant_new_string ("black-hole"));

  g_object_set (f->thing, "count", 7, NULL);
  assert_last_change (&f->changes, 1, "count", seven);

  /* One each, in no promised order. */
  g_object_set (f->thing, "ratio", 0.5, "ready", TRUE, NULL);
  g_assert_cmpuint (f->changes.count, ==, 3);
  g_assert_true (g_str_equal (f->changes.key, "ratio") || g_str_equal (f->changes.key, "ready"));

  /* Frozen notifications come out once each, at the thaw. */
  g_object_freeze_notify (G_OBJECT (f->thing));
  g_object_set (f->thing, "kind", JANUS_MAILBOX_KIND_PRIORITY, NULL);
  g_object_set (f->thing, "kind", JANUS_MAILBOX_KIND_BLACK_HOLE, NULL);
  g_assert_cmpuint (f->changes.count, ==, 3);
  g_object_thaw_notify (G_OBJECT (f->thing));
  assert_last_change (&f->changes, 4, "kind", kind);

  /* Not shown in memory, so not reported. */
  g_object_notify (G_OBJECT (f->thing), "child");
  g_assert_cmpuint (f->changes.count, ==, 4);
}

static void
test_property_object_gone (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) remove_error = NULL;
  g_autoptr(GObject) object = janus_property_memory_dup_object (JANUS_PROPERTY_MEMORY (f->memory));
  g_autoptr(GObject) property = NULL;
  g_auto(GStrv) keys = NULL;

  g_assert_true (object == G_OBJECT (f->thing));
  g_object_get (f->memory, "object", &property, NULL);
  g_assert_true (property == G_OBJECT (f->thing));
  g_clear_object (&object);
  g_clear_object (&property);

  unref_last (g_steal_pointer (&f->thing));

  g_assert_null (janus_property_memory_dup_object (JANUS_PROPERTY_MEMORY (f->memory)));
  g_object_get (f->memory, "object", &property, NULL);
  g_assert_null (property);
  g_assert_null (janus_memory_get (f->memory, "count"));
  g_assert_false (janus_memory_has (f->memory, "count"));
  keys = janus_memory_list_keys (f->memory);
  g_assert_cmpuint (strv_length (keys), ==, 0);
  g_assert_false (janus_memory_put (f->memory, "count", g_variant_new_int32 (1), &error));
  g_assert_error (error, JANUS_MEMORY_ERROR, JANUS_MEMORY_ERROR_GONE);
  g_assert_true (janus_memory_remove (f->memory, "count", &remove_error));
  g_assert_no_error (remove_error);
  g_assert_cmpuint (f->changes.count, ==, 0);
}

static void
test_property_memory_gone (Fixture       *f,
                           gconstpointer  data)
{
  guint notify_id = g_signal_lookup ("notify", G_TYPE_OBJECT);

  g_assert_true (g_signal_has_handler_pending (f->thing, notify_id, 0, FALSE));
  unref_last (g_steal_pointer (&f->memory));

  /* The memory let go of the object's notify. */
  g_assert_false (g_signal_has_handler_pending (f->thing, notify_id, 0, FALSE));
  g_object_set (f->thing, "count", 3, "label", "still fine", NULL);
  g_assert_cmpuint (f->changes.count, ==, 0);
}

/* ---------------------------------------------------------------- agent */

static void
test_agent_default_memory (void)
{
  JanusAgent *agent = g_object_new (JANUS_TYPE_AGENT, NULL);
  JanusMemory *memory = janus_agent_get_memory (agent);

  g_assert_true (JANUS_IS_BLACKBOARD_MEMORY (memory));
  g_assert_true (janus_agent_get_memory (agent) == memory);
  g_assert_true (janus_memory_put (memory, "k", g_variant_new_int32 (1), NULL));
  g_assert_true (janus_memory_has (janus_agent_get_memory (agent), "k"));

  g_object_add_weak_pointer (G_OBJECT (memory), (gpointer *) &memory);
  unref_last (agent);
  g_assert_null (memory);
}

static void
test_agent_property_memory (void)
{
  JanusAgent *agent = g_object_new (JANUS_TYPE_AGENT, NULL);
  JanusPropertyMemory *own = janus_property_memory_new (G_OBJECT (agent));
  const char * const expected[] = { "heavy", "mailbox-kind", "state", NULL };
  g_autoptr(GVariant) priority = g_variant_ref_sink (g_variant_new_string ("priority"));
  g_autoptr(GVariant) kind = NULL;
  g_autoptr(GVariant) state = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) keys = NULL;
  Changes changes = { 0 };
  JanusMemory *memory;

  janus_agent_set_memory (agent, JANUS_MEMORY (own));
  g_object_add_weak_pointer (G_OBJECT (own), (gpointer *) &own);
  g_object_unref (own);   /* the agent owns it now */
  memory = janus_agent_get_memory (agent);
  g_assert_true (memory == JANUS_MEMORY (own));
  g_signal_connect (memory, "changed", G_CALLBACK (on_changed), &changes);

  kind = janus_memory_get (memory, "mailbox-kind");
  g_assert_cmpstr (g_variant_get_string (kind, NULL), ==, "fifo");
  state = janus_memory_get (memory, "state");
  g_assert_cmpstr (g_variant_get_string (state, NULL), ==, "unborn");
  keys = janus_memory_list_keys (memory);
  g_assert_cmpstrv (keys, expected);

  g_assert_true (janus_memory_put (memory, "mailbox_kind", g_variant_new_string ("priority"), &error));
  g_assert_no_error (error);
  g_assert_cmpint (janus_agent_get_mailbox_kind (agent), ==, JANUS_MAILBOX_KIND_PRIORITY);
  assert_last_change (&changes, 1, "mailbox-kind", priority);

  g_assert_false (janus_memory_put (memory, "state", g_variant_new_string ("alive"), &error));
  g_assert_error (error, JANUS_MEMORY_ERROR, JANUS_MEMORY_ERROR_READ_ONLY);

  /* The memory holds the agent weakly: no cycle, both go. */
  unref_last (agent);
  g_assert_null (own);
  changes_clear (&changes);
}

/* ------------------------------------------------------- preconditions */

typedef enum {
  MISUSE_GET_NULL_KEY,
  MISUSE_PUT_NULL_KEY,
  MISUSE_PUT_NULL_VALUE,
  MISUSE_HAS_NULL_KEY,
  MISUSE_REMOVE_NULL_KEY,
  MISUSE_NEW_NULL_OBJECT,
  MISUSE_DUP_NOT_PROPERTY_MEMORY,
} Misuse;

typedef struct {
  const char *name;
  Misuse      misuse;
  const char *stderr_pattern;
} MisuseCase;

static const MisuseCase misuses[] = {
  { "get-null-key",     MISUSE_GET_NULL_KEY,    "*CRITICAL*key != NULL*" },
  { "put-null-key",     MISUSE_PUT_NULL_KEY,    "*CRITICAL*key != NULL*" },
  { "put-null-value",   MISUSE_PUT_NULL_VALUE,  "*CRITICAL*value != NULL*" },
  { "has-null-key",     MISUSE_HAS_NULL_KEY,    "*CRITICAL*key != NULL*" },
  { "remove-null-key",  MISUSE_REMOVE_NULL_KEY, "*CRITICAL*key != NULL*" },
  { "new-null-object",  MISUSE_NEW_NULL_OBJECT, "*CRITICAL*G_IS_OBJECT*" },
  { "dup-object-wrong-type", MISUSE_DUP_NOT_PROPERTY_MEMORY, "*CRITICAL*JANUS_IS_PROPERTY_MEMORY*" },
};

static void
misuse (Misuse what)
{
  g_autoptr(MemThing) thing = g_object_new (MEM_TYPE_THING, NULL);
  g_autoptr(JanusPropertyMemory) memory = janus_property_memory_new (G_OBJECT (thing));
  JanusMemory *m = JANUS_MEMORY (memory);

  switch (what)
    {
    case MISUSE_GET_NULL_KEY:    g_assert_null (janus_memory_get (m, NULL)); break;
    case MISUSE_PUT_NULL_KEY:    janus_memory_put (m, NULL, g_variant_new_int32 (1), NULL); break;
    case MISUSE_PUT_NULL_VALUE:  janus_memory_put (m, "count", NULL, NULL); break;
    case MISUSE_HAS_NULL_KEY:    janus_memory_has (m, NULL); break;
    case MISUSE_REMOVE_NULL_KEY: janus_memory_remove (m, NULL, NULL); break;
    case MISUSE_NEW_NULL_OBJECT: g_assert_null (janus_property_memory_new (NULL)); break;
    case MISUSE_DUP_NOT_PROPERTY_MEMORY:
      g_assert_null (janus_property_memory_dup_object ((JanusPropertyMemory *) thing));
      break;
    }
}

static void
test_precondition (gconstpointer data)
{
  const MisuseCase *c = data;

  if (g_test_subprocess ())
    {
      misuse (c->misuse);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr (c->stderr_pattern);
}

/* ----------------------------------------------------------------- main */

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/memory/blackboard/put-get", test_blackboard_put_get);
  g_test_add_func ("/memory/blackboard/replace", test_blackboard_replace);
  g_test_add_func ("/memory/blackboard/remove", test_blackboard_remove);
  g_test_add_func ("/memory/blackboard/list-keys", test_blackboard_list_keys);
  g_test_add_func ("/memory/blackboard/changed-detail", test_blackboard_changed_detail);
  g_test_add_func ("/memory/blackboard/threads", test_blackboard_threads);

  for (gsize i = 0; i < G_N_ELEMENTS (round_trips); i++)
    {
      g_autofree char *path = g_strconcat ("/memory/property/round-trip/", round_trips[i].name, NULL);

      g_test_add (path, Fixture, &round_trips[i],
                  fixture_set_up, test_property_round_trip, fixture_tear_down);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (refusals); i++)
    {
      g_autofree char *path = g_strconcat ("/memory/property/refused/", refusals[i].name, NULL);

      g_test_add (path, Fixture, &refusals[i],
                  fixture_set_up, test_property_refused, fixture_tear_down);
    }
  ADD_PROPERTY_TEST ("error-message", test_property_error_message);
  ADD_PROPERTY_TEST ("unknown-key", test_property_unknown_key);
  ADD_PROPERTY_TEST ("remove", test_property_remove);
  ADD_PROPERTY_TEST ("unrepresentable", test_property_unrepresentable);
  ADD_PROPERTY_TEST ("null-values", test_property_null_values);
  ADD_PROPERTY_TEST ("list-keys", test_property_list_keys);
  ADD_PROPERTY_TEST ("changed-put", test_property_changed_put);
  ADD_PROPERTY_TEST ("changed-direct", test_property_changed_direct);
  ADD_PROPERTY_TEST ("object-gone", test_property_object_gone);
  ADD_PROPERTY_TEST ("memory-gone", test_property_memory_gone);

  g_test_add_func ("/memory/agent/default-memory", test_agent_default_memory);
  g_test_add_func ("/memory/agent/property-memory", test_agent_property_memory);

  for (gsize i = 0; i < G_N_ELEMENTS (misuses); i++)
    {
      g_autofree char *path = g_strconcat ("/memory/precondition/", misuses[i].name, NULL);

      g_test_add_data_func (path, &misuses[i], test_precondition);
    }

  return g_test_run ();
}
