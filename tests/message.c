/* SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * JanusMessage: constructors and bodies (GVariant, none, inline int64,
 * pointer), subjects of every length, references, copies, priorities, and
 * the fields a send fills in (sender, receiver, timestamp, is_sent).
 */
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
  g_test_add_func ("/message/priority", test_priority);
  g_test_add_func ("/message/sent/from-kernel", test_sent_fields_kernel);
  g_test_add_func ("/message/sent/from-agent", test_sent_fields_agent);
  g_test_add_func ("/message/sent/send-twice", test_send_sent_message);
  add_critical_cases ("/message/critical", critical_case, criticals, G_N_ELEMENTS (criticals));

  return g_test_run ();
}
