/* SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * JanusMessage: constructors and bodies (GVariant, none, inline int64,
 * pointer), subjects of every length, references, copies, priorities, and
 * the fields a send fills in (sender, receiver, timestamp, is_sent).
 * Inline bodies: every basic type and tuple of them, strings at the inline
 * limit, formats beyond it, typed getters against every body, the GVariant
 * made on demand (identical to g_variant_new's, made once even when several
 * threads ask at once), serialised data in and out.
 */
#include <math.h>
#include <string.h>

#include "janus-test-utils.h"

/* Launches an agent that waits; tests read its mailbox between steps. */
static JanusAgent *
launch_plain (JanusKernel *kernel)
{
  TestAgent *agent = test_agent_new (deaf_live, NULL);

  launch_ok (kernel, agent, NULL, NULL);
  g_assert_false (janus_kernel_step (kernel));
  return AGENT (agent);
}

/* A variant whose storage reports when it is freed. */
static GVariant *
new_tracked_variant (int *freed)
{
  static const gint32 value = 1234;

  return g_variant_new_from_data (G_VARIANT_TYPE_INT32, &value, sizeof value, TRUE,
                                  count_destroy, freed);
}

/* --------------------------------------------------------- constructors */

static void
test_new_variant_floating (void)
{
  int freed = 0;
  GVariant *body = new_tracked_variant (&freed);
  JanusMessage *m;

  g_assert_true (g_variant_is_floating (body));
  m = janus_message_new ("floating", body);
  /* the floating reference was sunk: the message owns the only one */
  g_assert_true (janus_message_get_body (m) == body);
  g_assert_false (g_variant_is_floating (body));
  g_assert_cmpint (g_variant_get_int32 (janus_message_get_body (m)), ==, 1234);
  g_assert_cmpstr (janus_message_get_subject (m), ==, "floating");
  g_assert_null (janus_message_get_pointer (m));
  g_assert_cmpint (freed, ==, 0);
  janus_message_unref (m);
  g_assert_cmpint (freed, ==, 1);
}

static void
test_new_variant_owned (void)
{
  int freed = 0;
  GVariant *body = g_variant_ref_sink (new_tracked_variant (&freed));
  JanusMessage *m = janus_message_new ("owned", body);

  /* a non-floating body gets a new reference; ours stays ours */
  g_assert_true (janus_message_get_body (m) == body);
  janus_message_unref (m);
  g_assert_cmpint (freed, ==, 0);
  g_assert_cmpint (g_variant_get_int32 (body), ==, 1234);
  g_variant_unref (body);
  g_assert_cmpint (freed, ==, 1);
}

static void
test_new_null_body (void)
{
  JanusMessage *m = janus_message_new ("empty", NULL);
  gint64 value = 99;

  g_assert_null (janus_message_get_body (m));
  g_assert_false (janus_message_get_int64 (m, &value));
  g_assert_cmpint (value, ==, 99);
  g_assert_null (janus_message_get_pointer (m));
  g_assert_cmpint (janus_message_get_priority (m), ==, 0);
  janus_message_unref (m);
}

static const gint64 int64_values[] = { 0, 1, -1, 42, G_MININT64, G_MAXINT64 };

static void
test_new_int64 (gconstpointer data)
{
  gint64 value = *(const gint64 *) data, got = 0;
  JanusMessage *m = janus_message_new_int64 ("number", value);
  GVariant *body, *again;

  g_assert_true (janus_message_get_int64 (m, &got));
  g_assert_cmpint (got, ==, value);
  g_assert_true (janus_message_get_int64 (m, NULL));
  g_assert_null (janus_message_get_pointer (m));

  body = janus_message_get_body (m);
  g_assert_nonnull (body);
  g_assert_true (g_variant_is_of_type (body, G_VARIANT_TYPE_INT64));
  g_assert_false (g_variant_is_floating (body));
  g_assert_cmpint (g_variant_get_int64 (body), ==, value);
  /* built once and kept */
  again = janus_message_get_body (m);
  g_assert_true (again == body);
  /* the inline value is still read after the variant was built */
  got = 0;
  g_assert_true (janus_message_get_int64 (m, &got));
  g_assert_cmpint (got, ==, value);
  janus_message_unref (m);
}

static void
test_new_pointer (void)
{
  int destroyed = 0;
  JanusMessage *m = janus_message_new_pointer ("pointer", &destroyed, count_destroy);
  JanusMessage *r;
  gint64 value = 5;

  g_assert_true (janus_message_get_pointer (m) == &destroyed);
  g_assert_null (janus_message_get_body (m));
  g_assert_false (janus_message_get_int64 (m, &value));
  g_assert_cmpint (value, ==, 5);

  r = janus_message_ref (m);
  g_assert_true (r == m);
  janus_message_ref (m);
  janus_message_unref (m);
  janus_message_unref (m);
  g_assert_cmpint (destroyed, ==, 0);
  janus_message_unref (m);
  g_assert_cmpint (destroyed, ==, 1);

  /* no destroy function, NULL data */
  m = janus_message_new_pointer ("nothing", NULL, NULL);
  g_assert_null (janus_message_get_pointer (m));
  janus_message_unref (m);
}

static void
test_pointer_through_mailbox (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  JanusAgent *agent = launch_plain (kernel);
  int destroyed = 0;
  JanusMessage *received;
  GError *error = NULL;

  g_assert_true (janus_kernel_send (kernel, janus_agent_get_address (agent),
                                    janus_message_new_pointer ("p", &destroyed, count_destroy),
                                    &error));
  g_assert_no_error (error);
  g_assert_false (janus_kernel_step (kernel));
  g_assert_cmpint (destroyed, ==, 0);
  received = janus_agent_get_message (agent);
  g_assert_nonnull (received);
  g_assert_true (janus_message_get_pointer (received) == &destroyed);
  g_assert_cmpint (destroyed, ==, 0);
  janus_message_unref (received);
  g_assert_cmpint (destroyed, ==, 1);

  janus_kernel_shutdown (kernel);
  g_assert_cmpint (destroyed, ==, 1);
  unref_last (kernel);
  unref_last (agent);
}

/* ------------------------------------------------------------ subjects */

static const gsize subject_lengths[] = { 0, 1, 15, 16, 17, 1000 };

static char *
make_subject (gsize len)
{
  char *s = g_malloc (len + 1);
  gsize i;

  for (i = 0; i < len; i++)
    s[i] = 'a' + (char) (i % 26);
  s[len] = '\0';
  return s;
}

static void
check_subject (JanusMessage *m,
               const char   *subject)
{
  gsize len = strlen (subject);

  g_assert_cmpstr (janus_message_get_subject (m), ==, subject);
  g_assert_cmpuint (strlen (janus_message_get_subject (m)), ==, len);
  g_assert_true (janus_message_has_subject (m, subject));
  if (len > 0)
    {
      g_autofree char *prefix = g_strndup (subject, len - 1);
      g_autofree char *longer = g_strconcat (subject, "z", NULL);

      g_assert_false (janus_message_has_subject (m, prefix));
      g_assert_false (janus_message_has_subject (m, longer));
    }
  else
    g_assert_false (janus_message_has_subject (m, "a"));
}

static void
test_subject (gconstpointer data)
{
  gsize len = *(const gsize *) data;
  g_autofree char *subject = make_subject (len);
  g_autofree char *saved = g_strdup (subject);
  JanusKernel *kernel = janus_kernel_new (0);
  JanusAgent *agent = launch_plain (kernel);
  JanusMessage *variant, *number, *pointer, *copy, *received;
  GError *error = NULL;

  variant = janus_message_new (subject, g_variant_new_string ("x"));
  number = janus_message_new_int64 (subject, 1);
  pointer = janus_message_new_pointer (subject, NULL, NULL);
  /* the message keeps its own copy of the subject */
  memset (subject, '#', len);
  check_subject (variant, saved);
  check_subject (number, saved);
  check_subject (pointer, saved);

  copy = janus_message_copy (variant);
  janus_message_unref (variant);
  check_subject (copy, saved);

  /* and through a mailbox */
  g_assert_true (janus_kernel_send (kernel, janus_agent_get_address (agent), copy, &error));
  g_assert_no_error (error);
  g_assert_false (janus_kernel_step (kernel));
  received = janus_agent_get_message (agent);
  g_assert_nonnull (received);
  check_subject (received, saved);

  janus_message_unref (received);
  janus_message_unref (number);
  janus_message_unref (pointer);
  janus_kernel_shutdown (kernel);
  unref_last (kernel);
  unref_last (agent);
}

static void
test_subject_utf8 (void)
{
  const char *subject = "désolé — ça marche ✓ 日本語のメッセージ";
  JanusMessage *m = janus_message_new (subject, NULL);

  check_subject (m, subject);
  janus_message_unref (m);
}

/* ------------------------------------------------------------- ref, copy */

static void
test_ref_unref (void)
{
  int freed = 0;
  JanusMessage *m = janus_message_new ("ref", new_tracked_variant (&freed));
  JanusMessage *boxed;
  guint i;

  for (i = 0; i < 10; i++)
    g_assert_true (janus_message_ref (m) == m);
  /* the boxed copy of a message is a reference */
  boxed = g_boxed_copy (JANUS_TYPE_MESSAGE, m);
  g_assert_true (boxed == m);
  g_boxed_free (JANUS_TYPE_MESSAGE, boxed);
  for (i = 0; i < 10; i++)
    janus_message_unref (m);
  g_assert_cmpint (freed, ==, 0);
  g_assert_cmpstr (janus_message_get_subject (m), ==, "ref");
  janus_message_unref (m);
  g_assert_cmpint (freed, ==, 1);

  {
    g_autoptr(JanusMessage) autom = janus_message_new ("auto", new_tracked_variant (&freed));
    g_assert_cmpint (freed, ==, 1);
  }
  g_assert_cmpint (freed, ==, 2);
}

static void
test_copy (void)
{
  int freed = 0;
  JanusMessage *m = janus_message_new ("original", new_tracked_variant (&freed));
  JanusMessage *copy;

  janus_message_set_priority (m, 7);
  copy = janus_message_copy (m);
  g_assert_true (copy != m);
  g_assert_cmpstr (janus_message_get_subject (copy), ==, "original");
  /* the body is shared, not copied */
  g_assert_true (janus_message_get_body (copy) == janus_message_get_body (m));
  g_assert_cmpint (janus_message_get_priority (copy), ==, 7);
  g_assert_false (janus_message_is_sent (copy));

  /* changing the copy's priority leaves the original alone */
  janus_message_set_priority (copy, -3);
  g_assert_cmpint (janus_message_get_priority (copy), ==, -3);
  g_assert_cmpint (janus_message_get_priority (m), ==, 7);

  janus_message_unref (m);
  g_assert_cmpint (freed, ==, 0);
  g_assert_cmpint (g_variant_get_int32 (janus_message_get_body (copy)), ==, 1234);
  janus_message_unref (copy);
  g_assert_cmpint (freed, ==, 1);
}

static void
test_copy_bodies (void)
{
  JanusMessage *number = janus_message_new_int64 ("n", -77);
  JanusMessage *empty = janus_message_new ("e", NULL);
  JanusMessage *c;
  gint64 value = 0;

  c = janus_message_copy (number);
  g_assert_true (janus_message_get_int64 (c, &value));
  g_assert_cmpint (value, ==, -77);
  g_assert_cmpint (g_variant_get_int64 (janus_message_get_body (c)), ==, -77);
  janus_message_unref (c);

  /* after the int64 variant was built */
  g_assert_nonnull (janus_message_get_body (number));
  c = janus_message_copy (number);
  value = 0;
  g_assert_true (janus_message_get_int64 (c, &value));
  g_assert_cmpint (value, ==, -77);
  janus_message_unref (c);

  c = janus_message_copy (empty);
  g_assert_null (janus_message_get_body (c));
  g_assert_cmpstr (janus_message_get_subject (c), ==, "e");
  janus_message_unref (c);

  janus_message_unref (number);
  janus_message_unref (empty);
}

static void
test_copy_sent (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  JanusAgent *agent = launch_plain (kernel);
  JanusMessage *m = janus_message_new ("again", g_variant_new_string ("body"));
  JanusMessage *received, *copy, *received2;
  GError *error = NULL;

  janus_message_set_priority (m, 3);
  g_assert_true (janus_kernel_send (kernel, janus_agent_get_address (agent), m, &error));
  g_assert_no_error (error);
  received = janus_agent_get_message (agent);
  g_assert_nonnull (received);
  g_assert_true (janus_message_is_sent (received));

  /* a copy of a sent message is unsent and can be sent */
  copy = janus_message_copy (received);
  g_assert_false (janus_message_is_sent (copy));
  g_assert_null (janus_message_get_sender (copy));
  g_assert_null (janus_message_get_receiver (copy));
  g_assert_cmpint (janus_message_get_timestamp (copy), ==, 0);
  g_assert_cmpint (janus_message_get_priority (copy), ==, 3);
  g_assert_true (janus_message_get_body (copy) == janus_message_get_body (received));
  g_assert_true (janus_kernel_send (kernel, janus_agent_get_address (agent), copy, &error));
  g_assert_no_error (error);
  g_assert_false (janus_kernel_step (kernel));
  received2 = janus_agent_get_message (agent);
  g_assert_nonnull (received2);
  g_assert_cmpstr (janus_message_get_subject (received2), ==, "again");
  g_assert_cmpstr (g_variant_get_string (janus_message_get_body (received2), NULL), ==, "body");

  janus_message_unref (received);
  janus_message_unref (received2);
  janus_kernel_shutdown (kernel);
  unref_last (kernel);
  unref_last (agent);
}

/* ------------------------------------------------------------ get_int64 */

typedef enum {
  BODY_INT64,
  BODY_VARIANT_X,
  BODY_VARIANT_I,
  BODY_VARIANT_T,
  BODY_VARIANT_S,
  BODY_VARIANT_TUPLE,
  BODY_NONE,
  BODY_POINTER,
} BodyKind;

static void
test_get_int64 (gconstpointer data)
{
  BodyKind kind = GPOINTER_TO_INT (data);
  JanusMessage *m = NULL;
  gboolean expected = FALSE;
  gint64 value = 12345, expected_value = 12345;

  switch (kind)
    {
    case BODY_INT64:
      m = janus_message_new_int64 ("x", -9);
      expected = TRUE;
      expected_value = -9;
      break;
    case BODY_VARIANT_X:
      m = janus_message_new ("x", g_variant_new_int64 (G_MAXINT64));
      expected = TRUE;
      expected_value = G_MAXINT64;
      break;
    case BODY_VARIANT_I:
      m = janus_message_new ("x", g_variant_new_int32 (5));
      break;
    case BODY_VARIANT_T:
      m = janus_message_new ("x", g_variant_new_uint64 (5));
      break;
    case BODY_VARIANT_S:
      m = janus_message_new ("x", g_variant_new_string ("5"));
      break;
    case BODY_VARIANT_TUPLE:
      m = janus_message_new ("x", g_variant_new ("(x)", (gint64) 5));
      break;
    case BODY_NONE:
      m = janus_message_new ("x", NULL);
      break;
    case BODY_POINTER:
      m = janus_message_new_pointer ("x", GINT_TO_POINTER (5), NULL);
      break;
    }

  g_assert_cmpint (janus_message_get_int64 (m, &value), ==, expected);
  /* left alone when the body is not an integer */
  g_assert_cmpint (value, ==, expected_value);
  g_assert_cmpint (janus_message_get_int64 (m, NULL), ==, expected);
  janus_message_unref (m);
}

/* -------------------------------------------------------- inline bodies */

/* Checks that @m's body is @expected (floating, consumed): its type, its
 * serialised form before and after the GVariant is made, the GVariant made
 * on demand (normal form, kept), and the same body through new_from_data
 * and through a copy. */
static void
check_body (JanusMessage *m,
            GVariant     *expected)
{
  g_autoptr(GVariant) want = g_variant_ref_sink (expected);
  const char *type = g_variant_get_type_string (want);
  JanusMessage *copy, *again;
  GVariant *body;
  gconstpointer data;
  const char *data_type = NULL;
  gsize size = 12345;

  g_assert_nonnull (m);
  g_assert_cmpstr (janus_message_get_body_type (m), ==, type);
  g_assert_true (janus_message_has_body_type (m, type));
  g_assert_true (janus_message_has_body_type (m, "*"));
  g_assert_false (janus_message_has_body_type (m, "(sv)"));
  g_assert_false (janus_message_has_body_type (m, "ay"));
  data = janus_message_get_body_data (m, &data_type, &size);
  g_assert_cmpstr (data_type, ==, type);
  g_assert_cmpmem (data, size, g_variant_get_data (want), g_variant_get_size (want));

  /* a copy made before the GVariant exists */
  copy = janus_message_copy (m);
  /* the same body from its serialised form */
  again = janus_message_new_from_data ("again", type, data, size);

  body = janus_message_get_body (m);
  g_assert_nonnull (body);
  g_assert_false (g_variant_is_floating (body));
  g_assert_cmpstr (g_variant_get_type_string (body), ==, type);
  g_assert_true (g_variant_is_normal_form (body));
  g_assert_true (g_variant_equal (body, want));
  g_assert_cmpmem (g_variant_get_data (body), g_variant_get_size (body),
                   g_variant_get_data (want), g_variant_get_size (want));
  g_assert_true (janus_message_get_body (m) == body);

  /* nothing changes once the GVariant is made */
  g_assert_cmpstr (janus_message_get_body_type (m), ==, type);
  g_assert_true (janus_message_has_body_type (m, type));
  data_type = NULL;
  data = janus_message_get_body_data (m, &data_type, &size);
  g_assert_cmpstr (data_type, ==, type);
  g_assert_cmpmem (data, size, g_variant_get_data (want), g_variant_get_size (want));
  g_assert_true (janus_message_get_body_data (m, NULL, &size) == data);

  g_assert_true (g_variant_equal (janus_message_get_body (copy), want));
  g_assert_true (g_variant_equal (janus_message_get_body (again), want));
  g_assert_cmpstr (janus_message_get_body_type (again), ==, type);
  janus_message_unref (copy);
  janus_message_unref (again);

  /* a copy made after shares the GVariant */
  copy = janus_message_copy (m);
  g_assert_true (janus_message_get_body (copy) == body);
  g_assert_cmpstr (janus_message_get_body_type (copy), ==, type);
  janus_message_unref (copy);
}

/* One value of a basic type, through new_values and get_values, before and
 * after the GVariant is made. */
#define ROUND_TRIP(fmt, ctype, value)                                         \
  G_STMT_START {                                                               \
    ctype in_ = (value), out_;                                                 \
    JanusMessage *m_ = janus_message_new_values ("v", fmt, in_);              \
                                                                               \
    memset (&out_, 0x5a, sizeof out_);                                         \
    g_assert_true (janus_message_get_values (m_, fmt, &out_));                \
    g_assert_cmpmem (&out_, sizeof out_, &in_, sizeof in_);                    \
    check_body (m_, g_variant_new (fmt, in_));                                 \
    memset (&out_, 0x5a, sizeof out_);                                         \
    g_assert_true (janus_message_get_values (m_, fmt, &out_));                \
    g_assert_cmpmem (&out_, sizeof out_, &in_, sizeof in_);                    \
    janus_message_unref (m_);                                                  \
  } G_STMT_END

static void
test_values_basic (void)
{
  ROUND_TRIP ("b", gboolean, TRUE);
  ROUND_TRIP ("b", gboolean, FALSE);
  ROUND_TRIP ("y", guchar, 0);
  ROUND_TRIP ("y", guchar, 255);
  ROUND_TRIP ("n", gint16, G_MININT16);
  ROUND_TRIP ("n", gint16, -1);
  ROUND_TRIP ("n", gint16, G_MAXINT16);
  ROUND_TRIP ("q", guint16, G_MAXUINT16);
  ROUND_TRIP ("i", gint32, G_MININT32);
  ROUND_TRIP ("i", gint32, G_MAXINT32);
  ROUND_TRIP ("u", guint32, G_MAXUINT32);
  ROUND_TRIP ("h", gint32, -1);
  ROUND_TRIP ("h", gint32, 7);
  ROUND_TRIP ("x", gint64, G_MININT64);
  ROUND_TRIP ("x", gint64, 0);
  ROUND_TRIP ("x", gint64, G_MAXINT64);
  ROUND_TRIP ("t", guint64, G_MAXUINT64);
  ROUND_TRIP ("d", gdouble, 0.0);
  ROUND_TRIP ("d", gdouble, -0.0);
  ROUND_TRIP ("d", gdouble, 1.5);
  ROUND_TRIP ("d", gdouble, -G_MAXDOUBLE);
  ROUND_TRIP ("d", gdouble, G_MINDOUBLE);
  ROUND_TRIP ("d", gdouble, INFINITY);
  ROUND_TRIP ("d", gdouble, NAN);

  /* one 64-bit member (read without the layout loop): a NULL pointer
   * skips the value, another type is refused */
  {
    g_autoptr(JanusMessage) x = janus_message_new_values ("v", "(x)", (gint64) -9);
    g_autoptr(JanusMessage) d = janus_message_new_values ("v", "(d)", 2.25);
    gint64 xv = 0;
    gdouble dv = 0;

    g_assert_true (janus_message_get_values (x, "(x)", NULL));
    g_assert_true (janus_message_get_values (x, "(x)", &xv));
    g_assert_cmpint (xv, ==, -9);
    g_assert_false (janus_message_get_values (x, "(t)", &xv));
    g_assert_false (janus_message_get_values (x, "x", &xv));
    g_assert_true (janus_message_get_values (d, "(d)", NULL));
    g_assert_true (janus_message_get_values (d, "(d)", &dv));
    g_assert_cmpfloat (dv, ==, 2.25);
    g_assert_false (janus_message_get_values (d, "(x)", &xv));
    g_assert_cmpint (xv, ==, -9);
    g_autoptr(GVariant) xw = g_variant_ref_sink (g_variant_new ("(x)", (gint64) -9));
    g_autoptr(GVariant) dw = g_variant_ref_sink (g_variant_new ("(d)", 2.25));

    g_assert_true (g_variant_equal (janus_message_get_body (x), xw));
    g_assert_true (g_variant_equal (janus_message_get_body (d), dw));
  }
}

/* The formats read and written without the generic layout (one or two
 * members of x, t or d, alone or in a tuple): every combination, its
 * serialised form against GVariant's, reads with every other such format
 * refused without writing, NULL skipping a value; and formats close to
 * them that must take the generic path. */
typedef union { gint64 x; guint64 t; gdouble d; } Word;

static JanusMessage *
new_common (const char *format,
            const Word *w)
{
  gsize n = strlen (format) == 1 ? 1 : strlen (format) - 2;
  const char *types = format[0] == '(' ? format + 1 : format;

  /* each member passed with its own C type */
  if (n == 1)
    return types[0] == 'd' ? janus_message_new_values ("c", format, w[0].d)
      : janus_message_new_values ("c", format, w[0].x);
  if (types[0] == 'd')
    return types[1] == 'd' ? janus_message_new_values ("c", format, w[0].d, w[1].d)
      : janus_message_new_values ("c", format, w[0].d, w[1].x);
  return types[1] == 'd' ? janus_message_new_values ("c", format, w[0].x, w[1].d)
    : janus_message_new_values ("c", format, w[0].x, w[1].x);
}

static GVariant *
variant_common (const char *format,
                const Word *w)
{
  gsize n = strlen (format) == 1 ? 1 : strlen (format) - 2;
  const char *types = format[0] == '(' ? format + 1 : format;
  GVariant *members[2];
  gsize i;

  for (i = 0; i < n; i++)
    members[i] = types[i] == 'd' ? g_variant_new_double (w[i].d)
      : types[i] == 't' ? g_variant_new_uint64 (w[i].t) : g_variant_new_int64 (w[i].x);
  if (format[0] != '(')
    return members[0];
  return g_variant_new_tuple (members, n);
}

static void
test_values_common_formats (void)
{
  static const char *formats[] = {
    "x", "t", "d", "(x)", "(t)", "(d)",
    "(xx)", "(xt)", "(xd)", "(tx)", "(tt)", "(td)", "(dx)", "(dt)", "(dd)",
  };
  const Word w[2] = { { .x = -0x1122334455667788 }, { .x = 0x0102030405060708 } };
  gsize i, j;

  for (i = 0; i < G_N_ELEMENTS (formats); i++)
    {
      const char *f = formats[i];
      gsize n = strlen (f) == 1 ? 1 : strlen (f) - 2;
      const char *types = f[0] == '(' ? f + 1 : f;
      Word w2[2] = { { .x = 0 }, { .x = 0 } };
      Word out[2];
      guint round;

      /* the doubles as doubles: values that survive the round trip */
      for (j = 0; j < n; j++)
        w2[j] = types[j] == 'd' ? (Word) { .d = j == 0 ? -2.5e300 : 0.125 } : w[j];

      for (round = 0; round < 2; round++)
        {
          JanusMessage *m = new_common (f, w2);
          g_autoptr(GVariant) want = g_variant_ref_sink (variant_common (f, w2));
          gsize size;
          gconstpointer data;

          g_test_message ("format %s, round %u", f, round);
          g_assert_cmpstr (janus_message_get_body_type (m), ==, f);
          data = janus_message_get_body_data (m, NULL, &size);
          g_assert_cmpmem (data, size, g_variant_get_data (want), g_variant_get_size (want));
          if (round == 1)
            g_assert_true (janus_message_get_body (m) != NULL);

          memset (out, 0x5a, sizeof out);
          g_assert_true (n == 1 ? janus_message_get_values (m, f, &out[0])
                         : janus_message_get_values (m, f, &out[0], &out[1]));
          g_assert_cmpmem (out, n * sizeof (Word), w2, n * sizeof (Word));
          if (n == 2)
            {
              /* NULL skips a value */
              memset (out, 0x5a, sizeof out);
              g_assert_true (janus_message_get_values (m, f, NULL, &out[1]));
              g_assert_cmpmem (&out[1], sizeof (Word), &w2[1], sizeof (Word));
              g_assert_true (janus_message_get_values (m, f, &out[0], NULL));
              g_assert_cmpmem (&out[0], sizeof (Word), &w2[0], sizeof (Word));
            }
          else
            g_assert_true (janus_message_get_values (m, f, NULL));

          /* every other common format is refused, nothing written */
          for (j = 0; j < G_N_ELEMENTS (formats); j++)
            {
              if (j == i)
                continue;
              memset (out, 0x5a, sizeof out);
              g_assert_false (janus_message_get_values (m, formats[j], &out[0], &out[1]));
              g_assert_cmpuint (out[0].t, ==, 0x5a5a5a5a5a5a5a5a);
              g_assert_cmpuint (out[1].t, ==, 0x5a5a5a5a5a5a5a5a);
            }
          /* near misses take the generic path and are refused too */
          g_assert_false (janus_message_get_values (m, "(xxx)", &out[0], &out[1], &out[0]));
          g_assert_false (janus_message_get_values (m, "(xi)", &out[0], &out[1]));
          g_assert_false (janus_message_get_values (m, "(i)", &out[0]));
          g_assert_false (janus_message_get_values (m, "i", &out[0]));
          g_assert_false (janus_message_get_values (m, "(x", &out[0]));
          g_assert_false (janus_message_get_values (m, "(xx", &out[0], &out[1]));
          g_assert_false (janus_message_get_values (m, "x)", &out[0]));
          g_assert_false (janus_message_get_values (m, "xx", &out[0], &out[1]));
          /* and through the GVariant */
          if (n == 2)
            {
              g_autoptr(GVariant) a = NULL;
              g_autoptr(GVariant) b = NULL;
              g_autoptr(GVariant) wa = g_variant_get_child_value (want, 0);
              g_autoptr(GVariant) wb = g_variant_get_child_value (want, 1);

              g_assert_true (janus_message_get_values (m, "(@*@*)", &a, &b));
              g_assert_true (g_variant_equal (a, wa));
              g_assert_true (g_variant_equal (b, wb));
            }
          check_body (m, want);   /* not floating: check_body takes its own reference */
          janus_message_unref (m);
        }
    }

  /* near misses when made: stored by the generic path, read back */
  {
    g_autoptr(JanusMessage) three = janus_message_new_values ("v", "(xxx)", (gint64) 1,
                                                              (gint64) 2, (gint64) 3);
    g_autoptr(JanusMessage) mixed = janus_message_new_values ("v", "(xi)", (gint64) 4, 5);
    g_autoptr(JanusMessage) one = janus_message_new_values ("v", "(i)", -5);
    gint64 a = 0, b = 0, c = 0;
    /* a 32-bit member is written as 32 bits, not 64 */
    struct { gint32 v; gint32 guard; } i32 = { 0, 0x5a5a5a5a };

    g_assert_true (janus_message_get_values (three, "(xxx)", &a, &b, &c));
    g_assert_true (a == 1 && b == 2 && c == 3);
    g_assert_false (janus_message_get_values (three, "(xx)", &a, &b));
    g_assert_true (janus_message_get_values (mixed, "(xi)", &a, &i32.v));
    g_assert_true (a == 4 && i32.v == 5);
    g_assert_cmpint (i32.guard, ==, 0x5a5a5a5a);
    g_assert_true (janus_message_get_values (one, "(i)", &i32.v));
    g_assert_cmpint (i32.v, ==, -5);
    g_assert_cmpint (i32.guard, ==, 0x5a5a5a5a);
    check_body (one, g_variant_new ("(i)", -5));
    check_body (mixed, g_variant_new ("(xi)", (gint64) 4, 5));
    g_assert_false (janus_message_get_values (mixed, "(xx)", &a, &b));
    g_assert_false (janus_message_get_values (mixed, "(x)", &a));
  }
}

static void
test_values_boolean_normal (void)
{
  /* any non-zero gboolean is TRUE, stored as 1 (normal form) */
  JanusMessage *m = janus_message_new_values ("b", "(bb)", 5, -1);
  gboolean a = FALSE, b = FALSE;
  gsize size;
  const guint8 *data = janus_message_get_body_data (m, NULL, &size);

  g_assert_cmpuint (size, ==, 2);
  g_assert_cmpuint (data[0], ==, 1);
  g_assert_cmpuint (data[1], ==, 1);
  g_assert_true (janus_message_get_values (m, "(bb)", &a, &b));
  g_assert_true (a == TRUE && b == TRUE);
  check_body (m, g_variant_new ("(bb)", TRUE, TRUE));
  janus_message_unref (m);

  m = janus_message_new_boolean ("b", 42);
  g_assert_true (janus_message_get_boolean (m, &a));
  g_assert_true (a == TRUE);
  check_body (m, g_variant_new_boolean (TRUE));
  janus_message_unref (m);
}

static void
test_values_tuples (void)
{
  JanusMessage *m;
  gint64 x1 = 0, x2 = 0;
  gint32 i1 = 0, i2 = 0;
  guint32 u1 = 0, u2 = 0;
  gboolean b1 = FALSE;
  guchar y1 = 0, y2 = 0, y3 = 0, y4 = 0;
  gint16 n1 = 0;
  guint16 q1 = 0;
  gdouble d1 = 0, d2 = 0;
  guint64 t1 = 0;

  m = janus_message_new_values ("t", "()");
  g_assert_true (janus_message_get_values (m, "()"));
  check_body (m, g_variant_new ("()"));
  g_assert_true (janus_message_get_values (m, "()"));
  janus_message_unref (m);

  m = janus_message_new_values ("t", "(x)", (gint64) -5);
  g_assert_true (janus_message_get_values (m, "(x)", &x1));
  g_assert_cmpint (x1, ==, -5);
  check_body (m, g_variant_new ("(x)", (gint64) -5));
  janus_message_unref (m);

  m = janus_message_new_values ("t", "(xx)", G_MININT64, G_MAXINT64);
  g_assert_true (janus_message_get_values (m, "(xx)", &x1, &x2));
  g_assert_cmpint (x1, ==, G_MININT64);
  g_assert_cmpint (x2, ==, G_MAXINT64);
  check_body (m, g_variant_new ("(xx)", G_MININT64, G_MAXINT64));
  x1 = x2 = 0;
  g_assert_true (janus_message_get_values (m, "(xx)", &x1, &x2));
  g_assert_cmpint (x1, ==, G_MININT64);
  g_assert_cmpint (x2, ==, G_MAXINT64);
  janus_message_unref (m);

  m = janus_message_new_values ("t", "(dd)", 1.25, -2.5);
  g_assert_true (janus_message_get_values (m, "(dd)", &d1, &d2));
  g_assert_cmpfloat (d1, ==, 1.25);
  g_assert_cmpfloat (d2, ==, -2.5);
  check_body (m, g_variant_new ("(dd)", 1.25, -2.5));
  janus_message_unref (m);

  /* padding between members and at the end */
  m = janus_message_new_values ("t", "(bx)", TRUE, (gint64) 77);
  g_assert_true (janus_message_get_values (m, "(bx)", &b1, &x1));
  g_assert_true (b1 == TRUE);
  g_assert_cmpint (x1, ==, 77);
  check_body (m, g_variant_new ("(bx)", TRUE, (gint64) 77));
  janus_message_unref (m);

  m = janus_message_new_values ("t", "(xb)", (gint64) -77, FALSE);
  b1 = TRUE;
  g_assert_true (janus_message_get_values (m, "(xb)", &x1, &b1));
  g_assert_cmpint (x1, ==, -77);
  g_assert_true (b1 == FALSE);
  check_body (m, g_variant_new ("(xb)", (gint64) -77, FALSE));
  janus_message_unref (m);

  m = janus_message_new_values ("t", "(yx)", 200, (gint64) 1);
  g_assert_true (janus_message_get_values (m, "(yx)", &y1, &x1));
  g_assert_cmpuint (y1, ==, 200);
  g_assert_cmpint (x1, ==, 1);
  check_body (m, g_variant_new ("(yx)", 200, (gint64) 1));
  janus_message_unref (m);

  m = janus_message_new_values ("t", "(yyyy)", 1, 2, 3, 255);
  g_assert_true (janus_message_get_values (m, "(yyyy)", &y1, &y2, &y3, &y4));
  g_assert_cmpuint (y1 + y2 + y3, ==, 6);
  g_assert_cmpuint (y4, ==, 255);
  check_body (m, g_variant_new ("(yyyy)", 1, 2, 3, 255));
  janus_message_unref (m);

  /* four members, 16 bytes: the largest inline tuple */
  m = janus_message_new_values ("t", "(uuii)", G_MAXUINT32, 1u, G_MININT32, -1);
  g_assert_true (janus_message_get_values (m, "(uuii)", &u1, &u2, &i1, &i2));
  g_assert_cmpuint (u1, ==, G_MAXUINT32);
  g_assert_cmpuint (u2, ==, 1);
  g_assert_cmpint (i1, ==, G_MININT32);
  g_assert_cmpint (i2, ==, -1);
  check_body (m, g_variant_new ("(uuii)", G_MAXUINT32, 1u, G_MININT32, -1));
  janus_message_unref (m);

  m = janus_message_new_values ("t", "(uuy)", 3u, 4u, 5);
  g_assert_true (janus_message_get_values (m, "(uuy)", &u1, &u2, &y1));
  g_assert_cmpuint (u1 + u2 + y1, ==, 12);
  check_body (m, g_variant_new ("(uuy)", 3u, 4u, 5));
  janus_message_unref (m);

  m = janus_message_new_values ("t", "(ynqh)", 9, -300, 65000, 12);
  g_assert_true (janus_message_get_values (m, "(ynqh)", &y1, &n1, &q1, &i1));
  g_assert_cmpuint (y1, ==, 9);
  g_assert_cmpint (n1, ==, -300);
  g_assert_cmpuint (q1, ==, 65000);
  g_assert_cmpint (i1, ==, 12);
  check_body (m, g_variant_new ("(ynqh)", 9, -300, 65000, 12));
  janus_message_unref (m);

  m = janus_message_new_values ("t", "(td)", G_MAXUINT64, 0.5);
  g_assert_true (janus_message_get_values (m, "(td)", &t1, &d1));
  g_assert_cmpuint (t1, ==, G_MAXUINT64);
  g_assert_cmpfloat (d1, ==, 0.5);
  check_body (m, g_variant_new ("(td)", G_MAXUINT64, 0.5));

  /* NULL pointers skip a value */
  x1 = 0;
  d1 = 0;
  g_assert_true (janus_message_get_values (m, "(td)", NULL, &d1));
  g_assert_cmpfloat (d1, ==, 0.5);
  g_assert_true (janus_message_get_values (m, "(td)", &t1, NULL));
  janus_message_unref (m);
}

static const char *const strings[] = {
  "", "a", "fifteen bytes..", "h\xc3\xa9llo w\xc3\xb6rld",
  "sixteen bytes...", "a string much longer than any inline body could hold",
};

static void
test_values_strings (gconstpointer data)
{
  const char *s = data;
  JanusMessage *m[3];
  guint i;

  g_assert_true (g_utf8_validate (s, -1, NULL));
  m[0] = janus_message_new_values ("s", "s", s);
  m[1] = janus_message_new_values ("s", "&s", s);
  m[2] = janus_message_new_string ("s", s);
  for (i = 0; i < G_N_ELEMENTS (m); i++)
    {
      const char *p = NULL, *q = NULL;
      char *copy = NULL;
      gint64 x = 3;

      g_assert_true (janus_message_get_values (m[i], "&s", &p));
      g_assert_cmpstr (p, ==, s);
      g_assert_true (janus_message_get_string (m[i], &q));
      g_assert_true (p == q);   /* into the message */
      g_assert_true (janus_message_get_values (m[i], "s", &copy));
      g_assert_cmpstr (copy, ==, s);
      g_assert_true (copy != p);
      g_free (copy);
      g_assert_false (janus_message_get_int64 (m[i], &x));
      g_assert_cmpint (x, ==, 3);
      g_assert_false (janus_message_get_values (m[i], "(s)", &p));
      check_body (m[i], g_variant_new_string (s));
      g_assert_true (janus_message_get_values (m[i], "&s", &p));
      g_assert_cmpstr (p, ==, s);
      g_assert_true (janus_message_get_string (m[i], &q));
      g_assert_cmpstr (q, ==, s);
      janus_message_unref (m[i]);
    }
}

static void
test_values_other_formats (void)
{
  const char *strv[] = { "a", "b", NULL };
  JanusMessage *m;
  const char *s = NULL;
  gint64 x1 = 0, x2 = 0, x3 = 0;
  guchar y[5] = { 0 };
  g_autofree char **got_strv = NULL;
  GVariant *v = NULL;

  /* beyond inline bodies: made by g_variant_new, read by g_variant_get */
  m = janus_message_new_values ("o", "(xxx)", (gint64) 1, (gint64) 2, (gint64) 3);
  g_assert_true (janus_message_get_values (m, "(xxx)", &x1, &x2, &x3));
  g_assert_cmpint (x1 + x2 + x3, ==, 6);
  check_body (m, g_variant_new ("(xxx)", (gint64) 1, (gint64) 2, (gint64) 3));
  janus_message_unref (m);

  m = janus_message_new_values ("o", "(yyyyy)", 1, 2, 3, 4, 5);
  g_assert_true (janus_message_get_values (m, "(yyyyy)", &y[0], &y[1], &y[2], &y[3], &y[4]));
  g_assert_cmpuint (y[0] + y[1] + y[2] + y[3] + y[4], ==, 15);
  check_body (m, g_variant_new ("(yyyyy)", 1, 2, 3, 4, 5));
  janus_message_unref (m);

  m = janus_message_new_values ("o", "(&sx)", "name", (gint64) 9);
  g_assert_true (janus_message_get_values (m, "(&sx)", &s, &x1));
  g_assert_cmpstr (s, ==, "name");
  g_assert_cmpint (x1, ==, 9);
  check_body (m, g_variant_new ("(sx)", "name", (gint64) 9));
  janus_message_unref (m);

  m = janus_message_new_values ("o", "((x))", (gint64) 4);
  g_assert_true (janus_message_get_values (m, "((x))", &x1));
  g_assert_cmpint (x1, ==, 4);
  check_body (m, g_variant_new ("((x))", (gint64) 4));
  janus_message_unref (m);

  m = janus_message_new_values ("o", "^as", strv);
  g_assert_true (janus_message_get_values (m, "^a&s", &got_strv));
  g_assert_cmpstrv (got_strv, strv);
  check_body (m, g_variant_new ("^as", strv));
  janus_message_unref (m);

  m = janus_message_new_values ("o", "o", "/org/example");
  check_body (m, g_variant_new ("o", "/org/example"));
  janus_message_unref (m);

  m = janus_message_new_values ("o", "v", g_variant_new_int64 (3));
  g_assert_true (janus_message_get_values (m, "v", &v));
  g_assert_cmpint (g_variant_get_int64 (v), ==, 3);
  g_variant_unref (v);
  check_body (m, g_variant_new ("v", g_variant_new_int64 (3)));
  janus_message_unref (m);

  /* GVariant bodies are read the same way */
  m = janus_message_new ("g", g_variant_new ("(xx)", (gint64) 5, (gint64) 6));
  g_assert_true (janus_message_get_values (m, "(xx)", &x1, &x2));
  g_assert_cmpint (x1 * x2, ==, 30);
  g_assert_false (janus_message_get_values (m, "(x)", &x1));
  g_assert_cmpstr (janus_message_get_body_type (m), ==, "(xx)");
  check_body (m, g_variant_new ("(xx)", (gint64) 5, (gint64) 6));
  janus_message_unref (m);
}

static void
test_values_mismatch (void)
{
  JanusMessage *m = janus_message_new_values ("m", "(xd)", (gint64) 8, 0.25);
  JanusMessage *none = janus_message_new ("n", NULL);
  JanusMessage *ptr = janus_message_new_pointer ("p", &none, NULL);
  gint64 x = 1;
  gdouble d = 2;
  guint64 t = 3;
  const char *s = "untouched";
  GVariant *v = NULL;
  guint round;
  gsize size = 9;

  for (round = 0; round < 2; round++)
    {
      /* round 1: once the GVariant is made */
      g_assert_false (janus_message_get_values (m, "(xx)", &x, &x));
      g_assert_false (janus_message_get_values (m, "(td)", &t, &d));
      g_assert_false (janus_message_get_values (m, "(dx)", &d, &x));
      g_assert_false (janus_message_get_values (m, "(x)", &x));
      g_assert_false (janus_message_get_values (m, "(xdb)", &x, &d, &x));
      g_assert_false (janus_message_get_values (m, "x", &x));
      g_assert_false (janus_message_get_values (m, "&s", &s));
      g_assert_false (janus_message_get_values (m, "s", &s));
      g_assert_false (janus_message_get_values (m, "v", &v));
      g_assert_false (janus_message_get_values (m, "(xdxdxd)", &x, &d, &x, &d, &x, &d));
      g_assert_false (janus_message_get_values (m, "(xddddddd)", &x, &d, &d, &d, &d, &d, &d, &d));
      g_assert_cmpint (x, ==, 1);
      g_assert_cmpfloat (d, ==, 2);
      g_assert_cmpuint (t, ==, 3);
      g_assert_cmpstr (s, ==, "untouched");
      g_assert_null (v);
      g_assert_false (janus_message_get_int64 (m, &x));
      g_assert_false (janus_message_get_double (m, &d));
      g_assert_false (janus_message_has_body_type (m, "(x)"));
      g_assert_true (janus_message_has_body_type (m, "(**)"));
      g_assert_true (janus_message_has_body_type (m, "r"));
      g_assert_false (janus_message_has_body_type (m, "(***)"));

      /* formats beyond the basic ones go through the GVariant */
      g_assert_true (janus_message_get_values (m, "(@x@d)", &v, NULL));
      g_assert_cmpint (g_variant_get_int64 (v), ==, 8);
      g_clear_pointer (&v, g_variant_unref);
      g_assert_true (janus_message_get_values (m, "@(xd)", &v));
      g_assert_true (v == janus_message_get_body (m));
      g_clear_pointer (&v, g_variant_unref);
      g_assert_true (janus_message_get_values (m, "r", &v));
      g_assert_true (v == janus_message_get_body (m));
      g_clear_pointer (&v, g_variant_unref);
      g_assert_true (janus_message_get_values (m, "(*?)", NULL, &v));
      g_assert_cmpfloat (g_variant_get_double (v), ==, 0.25);
      g_clear_pointer (&v, g_variant_unref);
      g_assert_false (janus_message_get_values (m, "(??*)", NULL, NULL, NULL));
      g_assert_true (janus_message_get_values (m, "(xd)", &x, &d));
      g_assert_cmpint (x, ==, 8);
      g_assert_cmpfloat (d, ==, 0.25);
      x = 1;
      d = 2;
      g_assert_nonnull (janus_message_get_body (m));
    }

  /* no body, pointer body */
  g_assert_false (janus_message_get_values (none, "()"));
  g_assert_false (janus_message_get_values (none, "*", &v));
  g_assert_false (janus_message_get_values (ptr, "x", &x));
  g_assert_false (janus_message_has_body_type (none, "*"));
  g_assert_false (janus_message_has_body_type (ptr, "*"));
  g_assert_null (janus_message_get_body_type (none));
  g_assert_null (janus_message_get_body_type (ptr));
  g_assert_null (janus_message_get_body_data (none, &s, &size));
  g_assert_null (s);
  g_assert_cmpuint (size, ==, 0);
  size = 9;
  s = "untouched";
  g_assert_null (janus_message_get_body_data (ptr, &s, &size));
  g_assert_null (s);
  g_assert_cmpuint (size, ==, 0);
  g_assert_null (v);
  g_assert_cmpint (x, ==, 1);

  janus_message_unref (m);
  janus_message_unref (none);
  janus_message_unref (ptr);
}

typedef enum { T_INT64, T_DOUBLE, T_BOOLEAN, T_STRING, T_TUPLE, T_NONE, T_POINTER } TypedKind;

/* Every typed getter against every kind of body, each made three ways:
 * typed constructor, new_values, a GVariant; and after get_body. */
static void
test_typed_getters (void)
{
  TypedKind kind;
  guint how, after;

  for (kind = T_INT64; kind <= T_POINTER; kind++)
    for (how = 0; how < 3; how++)
      for (after = 0; after < 2; after++)
        {
          JanusMessage *m = NULL;
          gint64 x = -1;
          gdouble d = -1;
          gboolean b = 7;
          const char *s = "unset";

          switch (kind)
            {
            case T_INT64:
              m = how == 0 ? janus_message_new_int64 ("k", 41)
                : how == 1 ? janus_message_new_values ("k", "x", (gint64) 41)
                : janus_message_new ("k", g_variant_new_int64 (41));
              break;
            case T_DOUBLE:
              m = how == 0 ? janus_message_new_double ("k", 4.5)
                : how == 1 ? janus_message_new_values ("k", "d", 4.5)
                : janus_message_new ("k", g_variant_new_double (4.5));
              break;
            case T_BOOLEAN:
              m = how == 0 ? janus_message_new_boolean ("k", FALSE)
                : how == 1 ? janus_message_new_values ("k", "b", FALSE)
                : janus_message_new ("k", g_variant_new_boolean (FALSE));
              break;
            case T_STRING:
              m = how == 0 ? janus_message_new_string ("k", "str")
                : how == 1 ? janus_message_new_values ("k", "s", "str")
                : janus_message_new ("k", g_variant_new_string ("str"));
              break;
            case T_TUPLE:
              m = how == 0 ? janus_message_new_values ("k", "(x)", (gint64) 41)
                : how == 1 ? janus_message_new_values ("k", "(d)", 4.5)
                : janus_message_new ("k", g_variant_new ("(b)", TRUE));
              break;
            case T_NONE:
              m = janus_message_new ("k", NULL);
              break;
            case T_POINTER:
              m = janus_message_new_pointer ("k", &x, NULL);
              break;
            }
          if (after)
            janus_message_get_body (m);

          g_assert_cmpint (janus_message_get_int64 (m, &x), ==, kind == T_INT64);
          g_assert_cmpint (janus_message_get_int64 (m, NULL), ==, kind == T_INT64);
          g_assert_cmpint (x, ==, kind == T_INT64 ? 41 : -1);
          g_assert_cmpint (janus_message_get_double (m, &d), ==, kind == T_DOUBLE);
          g_assert_cmpint (janus_message_get_double (m, NULL), ==, kind == T_DOUBLE);
          g_assert_cmpfloat (d, ==, kind == T_DOUBLE ? 4.5 : -1);
          g_assert_cmpint (janus_message_get_boolean (m, &b), ==, kind == T_BOOLEAN);
          g_assert_cmpint (janus_message_get_boolean (m, NULL), ==, kind == T_BOOLEAN);
          g_assert_cmpint (b, ==, kind == T_BOOLEAN ? FALSE : 7);
          g_assert_cmpint (janus_message_get_string (m, &s), ==, kind == T_STRING);
          g_assert_cmpint (janus_message_get_string (m, NULL), ==, kind == T_STRING);
          g_assert_cmpstr (s, ==, kind == T_STRING ? "str" : "unset");
          janus_message_unref (m);
        }
}

/* ------------------------------------------------- inline bodies, threads */

#define N_READERS 4
#define N_ROUNDS  200

typedef struct
{
  JanusMessage *m;              /* one reference per reader */
  gint         *ready;          /* start line */
  GVariant     *body;           /* what get_body gave this reader */
} Reader;

static gpointer
reader_thread (gpointer data)
{
  Reader *r = data;
  gint64 x = 0;
  gdouble d = 0;
  gsize size = 0;

  /* all readers start together, to race for making the GVariant */
  g_atomic_int_inc (r->ready);
  while (g_atomic_int_get (r->ready) < N_READERS)
    g_thread_yield ();
  g_assert_true (janus_message_get_values (r->m, "(xd)", &x, &d));
  g_assert_cmpint (x, ==, -123);
  g_assert_cmpfloat (d, ==, 6.25);
  r->body = janus_message_get_body (r->m);
  g_assert_true (g_variant_is_of_type (r->body, G_VARIANT_TYPE ("(xd)")));
  g_assert_cmpstr (janus_message_get_body_type (r->m), ==, "(xd)");
  g_assert_nonnull (janus_message_get_body_data (r->m, NULL, &size));
  g_assert_cmpuint (size, ==, 16);
  x = 0;
  g_assert_true (janus_message_get_values (r->m, "(xd)", &x, NULL));
  g_assert_cmpint (x, ==, -123);
  /* keep our own reference to the body past the message */
  g_variant_ref (r->body);
  janus_message_unref (r->m);
  return NULL;
}

static void
test_values_threads (void)
{
  guint round, i;

  for (round = 0; round < N_ROUNDS; round++)
    {
      JanusMessage *m = janus_message_new_values ("t", "(xd)", (gint64) -123, 6.25);
      GThread *threads[N_READERS];
      Reader readers[N_READERS];
      GVariant *want;
      gint ready = 0;

      for (i = 0; i < N_READERS; i++)
        {
          readers[i] = (Reader) { janus_message_ref (m), &ready, NULL };
          threads[i] = g_thread_new ("reader", reader_thread, &readers[i]);
        }
      /* the last reference may go on any thread: drop ours at once */
      janus_message_unref (m);
      for (i = 0; i < N_READERS; i++)
        g_thread_join (threads[i]);
      /* every reader got the one GVariant */
      want = g_variant_ref_sink (g_variant_new ("(xd)", (gint64) -123, 6.25));
      for (i = 0; i < N_READERS; i++)
        {
          g_assert_true (readers[i].body == readers[0].body);
          g_assert_true (g_variant_equal (readers[i].body, want));
        }
      g_variant_unref (want);
      for (i = 0; i < N_READERS; i++)
        g_variant_unref (readers[i].body);
    }
}

static void
test_values_lifetime (void)
{
  JanusMessage *m = janus_message_new_values ("l", "(xx)", (gint64) 1, (gint64) 2);
  GVariant *body = g_variant_ref (janus_message_get_body (m));
  JanusMessage *copy = janus_message_copy (m);
  gint64 a = 0, b = 0;

  /* the body outlives the message that made it */
  janus_message_unref (m);
  g_assert_true (janus_message_get_body (copy) == body);
  janus_message_unref (copy);
  g_variant_get (body, "(xx)", &a, &b);
  g_assert_cmpint (a + b, ==, 3);
  g_variant_unref (body);

  /* a copy made before: each makes its own, equal GVariant */
  m = janus_message_new_values ("l", "(xx)", (gint64) 3, (gint64) 4);
  copy = janus_message_copy (m);
  body = janus_message_get_body (m);
  g_assert_true (janus_message_get_body (copy) != body);
  g_assert_true (g_variant_equal (janus_message_get_body (copy), body));
  janus_message_unref (m);
  g_assert_true (janus_message_get_values (copy, "(xx)", &a, &b));
  g_assert_cmpint (a + b, ==, 7);
  janus_message_unref (copy);

  /* references in every order */
  m = janus_message_new_values ("l", "s", "short");
  janus_message_ref (m);
  janus_message_ref (m);
  janus_message_get_body (m);
  janus_message_unref (m);
  janus_message_unref (m);
  g_assert_true (janus_message_has_body_type (m, "s"));
  janus_message_unref (m);
}

static void
test_values_send (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  JanusAgent *agent = launch_plain (kernel);
  JanusMessage *m = janus_message_new_values ("sent", "(xd)", (gint64) 1, 2.0);
  JanusMessage *received, *copy;
  gint64 x = 0;
  gdouble d = 0;
  GError *error = NULL;

  copy = janus_message_copy (m);
  g_assert_true (janus_kernel_send (kernel, janus_agent_get_address (agent), m, &error));
  g_assert_no_error (error);
  g_assert_true (janus_kernel_send (kernel, janus_agent_get_address (agent), copy, &error));
  g_assert_no_error (error);
  g_assert_false (janus_kernel_step (kernel));

  received = janus_agent_get_message (agent);
  g_assert_true (janus_message_get_values (received, "(xd)", &x, &d));
  g_assert_cmpint (x, ==, 1);
  g_assert_cmpfloat (d, ==, 2.0);
  janus_message_unref (received);
  received = janus_agent_get_message (agent);
  check_body (received, g_variant_new ("(xd)", (gint64) 1, 2.0));
  janus_message_unref (received);

  janus_kernel_shutdown (kernel);
  unref_last (kernel);
  unref_last (agent);
}

/* Serialised bodies that are not in normal form, or not of their type's
 * size: read as GVariant reads untrusted data. */
static void
test_from_data_untrusted (void)
{
  static const struct { const char *type; gsize size; guint8 data[24]; } cases[] = {
    { "b", 1, { 2 } },
    { "(bx)", 16, { 3, 0, 0, 0, 0, 0, 0, 0, 1 } },
    { "(yx)", 16, { 1, 9, 9, 9, 9, 9, 9, 9, 1 } },     /* padding not zero */
    { "(xx)", 8, { 1 } },                                /* too short */
    { "(xx)", 24, { 1 } },                               /* too long */
    { "x", 4, { 1 } },
    { "s", 3, { 'a', 'b', 'c' } },                       /* no NUL */
    { "s", 4, { 'a', 0, 'c', 0 } },                      /* NUL inside */
    { "s", 3, { 0xff, 0xfe, 0 } },                       /* not UTF-8 */
    { "()", 0, { 0 } },
    { "(x)", 8, { 1, 2, 3, 4, 5, 6, 7, 8 } },            /* fine */
    { "as", 5, { 'a', 0, 'b', 0, 2 } },
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (cases[i].data, cases[i].size);
      GVariant *want = g_variant_new_from_bytes (G_VARIANT_TYPE (cases[i].type), bytes, FALSE);
      JanusMessage *m = janus_message_new_from_data ("u", cases[i].type, cases[i].data,
                                                     cases[i].size);
      GVariant *body;

      g_assert_cmpstr (janus_message_get_body_type (m), ==, cases[i].type);
      body = janus_message_get_body (m);
      g_assert_true (g_variant_equal (body, want));
      g_assert_true (janus_message_has_body_type (m, cases[i].type));
      g_variant_unref (g_variant_ref_sink (want));
      janus_message_unref (m);
    }
}

/* ------------------------------------------------------------- priority */

static void
test_priority (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  JanusAgent *agent = launch_plain (kernel);
  JanusMessage *m = janus_message_new ("p", NULL);
  JanusMessage *received;
  GError *error = NULL;

  g_assert_cmpint (janus_message_get_priority (m), ==, 0);
  janus_message_set_priority (m, 5);
  g_assert_cmpint (janus_message_get_priority (m), ==, 5);
  janus_message_set_priority (m, G_MININT16);
  g_assert_cmpint (janus_message_get_priority (m), ==, G_MININT16);
  janus_message_set_priority (m, G_MAXINT16);
  g_assert_cmpint (janus_message_get_priority (m), ==, G_MAXINT16);
  janus_message_set_priority (m, -12);

  /* the priority travels with the message */
  g_assert_true (janus_kernel_send (kernel, janus_agent_get_address (agent), m, &error));
  g_assert_no_error (error);
  received = janus_agent_get_message (agent);
  g_assert_nonnull (received);
  g_assert_cmpint (janus_message_get_priority (received), ==, -12);

  janus_message_unref (received);
  janus_kernel_shutdown (kernel);
  unref_last (kernel);
  unref_last (agent);
}

/* ------------------------------------------------------------ sent fields */

/* wall clock µs; the kernel uses a coarse clock (a few ms of resolution):
 * allow a generous margin */
#define TIME_MARGIN (2 * G_USEC_PER_SEC)

static void
assert_sent (JanusMessage       *m,
             const JanusAddress *sender,
             const JanusAddress *receiver,
             gint64              before,
             gint64              after)
{
  g_assert_true (janus_message_is_sent (m));
  g_assert_nonnull (janus_message_get_sender (m));
  g_assert_true (janus_address_equal (janus_message_get_sender (m), sender));
  g_assert_nonnull (janus_message_get_receiver (m));
  g_assert_true (janus_address_equal (janus_message_get_receiver (m), receiver));
  g_assert_cmpint (janus_message_get_timestamp (m), >=, before - TIME_MARGIN);
  g_assert_cmpint (janus_message_get_timestamp (m), <=, after + TIME_MARGIN);
}

static void
assert_unsent (JanusMessage *m)
{
  g_assert_false (janus_message_is_sent (m));
  g_assert_null (janus_message_get_sender (m));
  g_assert_null (janus_message_get_receiver (m));
  g_assert_cmpint (janus_message_get_timestamp (m), ==, 0);
}

static void
test_sent_fields_kernel (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  JanusAgent *agent = launch_plain (kernel);
  JanusMessage *m = janus_message_new_int64 ("fields", 1);
  JanusMessage *received;
  gint64 before, after;
  GError *error = NULL;

  assert_unsent (m);
  janus_message_ref (m);    /* keep one to look at after the send */
  before = g_get_real_time ();
  g_assert_true (janus_kernel_send (kernel, janus_agent_get_address (agent), m, &error));
  after = g_get_real_time ();
  g_assert_no_error (error);

  assert_sent (m, janus_kernel_get_address (kernel), janus_agent_get_address (agent),
               before, after);
  received = janus_agent_get_message (agent);
  g_assert_true (received == m);
  assert_sent (received, janus_kernel_get_address (kernel), janus_agent_get_address (agent),
               before, after);
  g_assert_true (janus_address_is_kernel (janus_message_get_sender (received)));

  janus_message_unref (received);
  janus_message_unref (m);
  janus_kernel_shutdown (kernel);
  unref_last (kernel);
  unref_last (agent);
}

/* An agent that sends its data message (transfer full) to its own address
 * plus one, keeping a reference in the "kept" data. */
typedef struct { JanusAgent parent_instance; JanusMessage *to_send; JanusAddress *to; } SenderAgent;
typedef struct { JanusAgentClass parent_class; } SenderAgentClass;
static GType sender_agent_get_type (void);
G_DEFINE_TYPE (SenderAgent, sender_agent, JANUS_TYPE_AGENT)

static JanusLive
sender_agent_live (JanusAgent *agent)
{
  SenderAgent *self = (SenderAgent *) agent;
  GError *error = NULL;

  g_assert_true (janus_agent_send (agent, self->to, g_steal_pointer (&self->to_send), &error));
  g_assert_no_error (error);
  return JANUS_LIVE_DONE;
}

static void
sender_agent_class_init (SenderAgentClass *klass)
{
  JANUS_AGENT_CLASS (klass)->live = sender_agent_live;
}

static void
sender_agent_init (SenderAgent *self)
{
}

static void
test_sent_fields_agent (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  JanusAgent *receiver = launch_plain (kernel);
  SenderAgent *sender = g_object_new (sender_agent_get_type (), NULL);
  JanusMessage *m = janus_message_new ("from-agent", NULL);
  JanusMessage *received;
  gint64 before, after;
  GError *error = NULL;

  sender->to_send = janus_message_ref (m);
  sender->to = janus_address_copy (janus_agent_get_address (receiver));
  g_assert_true (janus_kernel_launch_light_agent (kernel, JANUS_AGENT (sender), NULL, NULL,
                                                  &error));
  g_assert_no_error (error);
  assert_unsent (m);

  before = g_get_real_time ();
  janus_kernel_step (kernel);
  after = g_get_real_time ();
  g_assert_null (sender->to_send);
  assert_sent (m, janus_agent_get_address (JANUS_AGENT (sender)),
               janus_agent_get_address (receiver), before, after);
  g_assert_false (janus_address_is_kernel (janus_message_get_sender (m)));

  received = janus_agent_get_message (receiver);
  g_assert_true (received == m);
  janus_message_unref (received);

  /* a message to nobody is sent all the same (and becomes a dead letter) */
  {
    g_autoptr(JanusAddress) nobody = janus_address_new (janus_kernel_get_uuid (kernel), 999);
    JanusMessage *lost = janus_message_new ("lost", NULL);

    janus_message_ref (lost);
    before = g_get_real_time ();
    g_assert_true (janus_kernel_send (kernel, nobody, lost, &error));
    after = g_get_real_time ();
    g_assert_no_error (error);
    assert_sent (lost, janus_kernel_get_address (kernel), nobody, before, after);
    janus_message_unref (lost);
  }

  janus_message_unref (m);
  janus_address_free (sender->to);
  janus_kernel_shutdown (kernel);
  unref_last (kernel);
  unref_last (receiver);
  unref_last (sender);
}

static void
test_send_sent_message (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  JanusAgent *agent = launch_plain (kernel);
  int destroyed = 0;
  JanusMessage *m = janus_message_new_pointer ("once", &destroyed, count_destroy);
  JanusMessage *received;
  GError *error = NULL;

  janus_message_ref (m);
  g_assert_true (janus_kernel_send (kernel, janus_agent_get_address (agent), m, &error));
  g_assert_no_error (error);

  /* sending it again is refused, and the reference given is consumed */
  g_assert_false (janus_kernel_send (kernel, janus_agent_get_address (agent),
                                     janus_message_ref (m), &error));
  g_assert_error (error, JANUS_MESSAGE_ERROR, JANUS_MESSAGE_ERROR_ALREADY_SENT);
  g_clear_error (&error);
  g_assert_cmpint (destroyed, ==, 0);

  received = janus_agent_get_message (agent);
  g_assert_true (received == m);
  g_assert_null (janus_agent_get_message (agent));
  janus_message_unref (received);
  g_assert_cmpint (destroyed, ==, 0);
  janus_message_unref (m);
  g_assert_cmpint (destroyed, ==, 1);

  janus_kernel_shutdown (kernel);
  unref_last (kernel);
  unref_last (agent);
}

/* --------------------------------------------------------- preconditions */

static void
critical_case (const char *name)
{
  if (g_str_equal (name, "copy-pointer"))
    g_assert_null (janus_message_copy (janus_message_new_pointer ("p", NULL, NULL)));
  else if (g_str_equal (name, "priority-after-send"))
    {
      JanusKernel *kernel = janus_kernel_new (0);
      JanusAgent *agent = launch_plain (kernel);
      JanusMessage *m = janus_message_new ("p", NULL);

      janus_message_ref (m);
      g_assert_true (janus_kernel_send (kernel, janus_agent_get_address (agent), m, NULL));
      janus_message_set_priority (m, 1);
    }
  else if (g_str_equal (name, "priority-too-high"))
    janus_message_set_priority (janus_message_new ("p", NULL), G_MAXINT16 + 1);
  else if (g_str_equal (name, "priority-too-low"))
    janus_message_set_priority (janus_message_new ("p", NULL), G_MININT16 - 1);
  else if (g_str_equal (name, "new-null-subject"))
    g_assert_null (janus_message_new (NULL, NULL));
  else if (g_str_equal (name, "new-int64-null-subject"))
    g_assert_null (janus_message_new_int64 (NULL, 0));
  else if (g_str_equal (name, "new-pointer-null-subject"))
    g_assert_null (janus_message_new_pointer (NULL, NULL, NULL));
  else if (g_str_equal (name, "ref-null"))
    janus_message_ref (NULL);
  else if (g_str_equal (name, "unref-null"))
    janus_message_unref (NULL);
  else if (g_str_equal (name, "copy-null"))
    g_assert_null (janus_message_copy (NULL));
  else if (g_str_equal (name, "get-body-null"))
    janus_message_get_body (NULL);
  else if (g_str_equal (name, "has-subject-null"))
    janus_message_has_subject (janus_message_new ("x", NULL), NULL);
  else if (g_str_equal (name, "new-values-null-subject"))
    janus_message_new_values (NULL, "x", (gint64) 1);
  else if (g_str_equal (name, "new-values-null-format"))
    janus_message_new_values ("x", NULL);
  else if (g_str_equal (name, "new-values-bad-format"))
    g_assert_null (janus_message_new_values ("x", "(x", (gint64) 1));
  else if (g_str_equal (name, "new-values-bad-utf8"))
    g_assert_null (janus_message_new_values ("x", "s", "\xff"));
  else if (g_str_equal (name, "new-string-bad-utf8"))
    g_assert_null (janus_message_new_string ("x", "\xc3"));
  else if (g_str_equal (name, "new-string-null"))
    janus_message_new_string ("x", NULL);
  else if (g_str_equal (name, "get-values-null-format"))
    janus_message_get_values (janus_message_new_int64 ("x", 1), NULL);
  else if (g_str_equal (name, "has-body-type-invalid"))
    janus_message_has_body_type (janus_message_new_int64 ("x", 1), "(x");
  else if (g_str_equal (name, "new-from-data-indefinite"))
    janus_message_new_from_data ("x", "*", "\0", 1);
  else if (g_str_equal (name, "new-from-data-null"))
    janus_message_new_from_data ("x", "x", NULL, 8);
  else if (g_str_equal (name, "get-body-data-null-size"))
    janus_message_get_body_data (janus_message_new_int64 ("x", 1), NULL, NULL);
  else
    g_assert_not_reached ();
}

/* ----------------------------------------------------------------- main */

int
main (int    argc,
      char **argv)
{
  static const char *criticals[] = {
    "copy-pointer", "priority-after-send", "priority-too-high", "priority-too-low",
    "new-null-subject", "new-int64-null-subject", "new-pointer-null-subject",
    "ref-null", "unref-null", "copy-null", "get-body-null", "has-subject-null",
    "new-values-null-subject", "new-values-null-format", "new-values-bad-format",
    "new-values-bad-utf8", "new-string-bad-utf8", "new-string-null",
    "get-values-null-format", "has-body-type-invalid", "new-from-data-indefinite",
    "new-from-data-null", "get-body-data-null-size",
  };
  static const char *body_names[] = {
    "int64", "variant-x", "variant-i", "variant-t", "variant-s", "variant-tuple",
    "none", "pointer",
  };
  guint i;

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/message/new/variant-floating", test_new_variant_floating);
  g_test_add_func ("/message/new/variant-owned", test_new_variant_owned);
  g_test_add_func ("/message/new/null-body", test_new_null_body);
  for (i = 0; i < G_N_ELEMENTS (int64_values); i++)
    {
      g_autofree char *path = g_strdup_printf ("/message/new/int64/%" G_GINT64_FORMAT,
                                               int64_values[i]);
      g_test_add_data_func (path, &int64_values[i], test_new_int64);
    }
  g_test_add_func ("/message/new/pointer", test_new_pointer);
  g_test_add_func ("/message/new/pointer-through-mailbox", test_pointer_through_mailbox);
  for (i = 0; i < G_N_ELEMENTS (subject_lengths); i++)
    {
      g_autofree char *path = g_strdup_printf ("/message/subject/%" G_GSIZE_FORMAT,
                                               subject_lengths[i]);
      g_test_add_data_func (path, &subject_lengths[i], test_subject);
    }
  g_test_add_func ("/message/subject/utf8", test_subject_utf8);
  g_test_add_func ("/message/ref-unref", test_ref_unref);
  g_test_add_func ("/message/copy/variant", test_copy);
  g_test_add_func ("/message/copy/other-bodies", test_copy_bodies);
  g_test_add_func ("/message/copy/sent", test_copy_sent);
  for (i = 0; i < G_N_ELEMENTS (body_names); i++)
    {
      g_autofree char *path = g_strdup_printf ("/message/get-int64/%s", body_names[i]);
      g_test_add_data_func (path, GINT_TO_POINTER (i), test_get_int64);
    }
  g_test_add_func ("/message/values/basic", test_values_basic);
  g_test_add_func ("/message/values/boolean-normal-form", test_values_boolean_normal);
  g_test_add_func ("/message/values/tuples", test_values_tuples);
  g_test_add_func ("/message/values/common-formats", test_values_common_formats);
  for (i = 0; i < G_N_ELEMENTS (strings); i++)
    {
      g_autofree char *path = g_strdup_printf ("/message/values/string/%" G_GSIZE_FORMAT,
                                               strlen (strings[i]));
      g_test_add_data_func (path, strings[i], test_values_strings);
    }
  g_test_add_func ("/message/values/other-formats", test_values_other_formats);
  g_test_add_func ("/message/values/mismatch", test_values_mismatch);
  g_test_add_func ("/message/values/typed-getters", test_typed_getters);
  g_test_add_func ("/message/values/threads", test_values_threads);
  g_test_add_func ("/message/values/lifetime", test_values_lifetime);
  g_test_add_func ("/message/values/send", test_values_send);
  g_test_add_func ("/message/values/from-data-untrusted", test_from_data_untrusted);
  g_test_add_func ("/message/priority", test_priority);
  g_test_add_func ("/message/sent/from-kernel", test_sent_fields_kernel);
  g_test_add_func ("/message/sent/from-agent", test_sent_fields_agent);
  g_test_add_func ("/message/sent/send-twice", test_send_sent_message);
  add_critical_cases ("/message/critical", critical_case, criticals, G_N_ELEMENTS (criticals));

  return g_test_run ();
}
