/* SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Sending messages: what arrives (sender, receiver, timestamp, subject,
 * body), the errors of janus_agent_send and friends (the message is released
 * in every case), send_random, broadcast, reply, messages between kernels,
 * per-sender FIFO order on workers and ping-pong on 0, 1 and 2 workers.
 */
#include "janus-test-utils.h"

/* ---------------------------------------------------------- delivery */

#define LONG_SUBJECT_LEN 300

typedef struct
{
  TestAgent *to;
  gint64     before, after;   /* wall clock around the sends */
  char      *long_subject;
} SendData;

static JanusLive
send_intact_live (TestAgent *self)
{
  SendData *sd = self->data;
  g_autoptr(GError) error = NULL;
  JanusMessage *m;

  sd->before = g_get_real_time ();
  m = janus_message_new ("greeting", g_variant_new ("(si)", "hello", 42));
  janus_message_set_priority (m, 3);
  g_assert_true (janus_agent_send (AGENT (self), ADDR (sd->to), m, &error));
  g_assert_no_error (error);
  g_assert_true (janus_agent_send (AGENT (self), ADDR (sd->to),
                                   janus_message_new_int64 (sd->long_subject, -7), &error));
  g_assert_no_error (error);
  sd->after = g_get_real_time ();
  return JANUS_LIVE_DONE;
}

static void
assert_timestamp (JanusMessage *m,
                  gint64        before,
                  gint64        after)
{
  gint64 ts = janus_message_get_timestamp (m);

  /* µs of the wall clock, read from a coarse clock (a few ms behind) */
  g_assert_cmpint (ts, >=, before - 100 * G_TIME_SPAN_MILLISECOND);
  g_assert_cmpint (ts, <=, after);
}

static void
test_send_intact (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  TestAgent *receiver = test_agent_new (collect_live, NULL);
  SendData sd = { receiver, 0, 0, g_strnfill (LONG_SUBJECT_LEN, 's') };
  TestAgent *sender = test_agent_new (send_intact_live, &sd);
  const char *s = NULL;
  gint32 i = 0;
  JanusMessage *m;
  gint64 v;

  launch_ok (kernel, receiver, NULL, NULL);
  launch_ok (kernel, sender, NULL, NULL);
  step_until_idle (kernel, 10);

  g_assert_cmpuint (receiver->got->len, ==, 2);
  m = receiver->got->pdata[0];
  g_assert_cmpstr (janus_message_get_subject (m), ==, "greeting");
  g_assert_true (janus_message_has_subject (m, "greeting"));
  g_assert_true (janus_message_is_sent (m));
  g_assert_true (janus_address_equal (janus_message_get_sender (m), ADDR (sender)));
  g_assert_true (janus_address_equal (janus_message_get_receiver (m), ADDR (receiver)));
  g_assert_false (janus_address_equal (janus_message_get_sender (m), ADDR (receiver)));
  assert_timestamp (m, sd.before, sd.after);
  g_assert_cmpint (janus_message_get_priority (m), ==, 3);
  g_assert_true (g_variant_is_of_type (janus_message_get_body (m), G_VARIANT_TYPE ("(si)")));
  g_variant_get (janus_message_get_body (m), "(&si)", &s, &i);
  g_assert_cmpstr (s, ==, "hello");
  g_assert_cmpint (i, ==, 42);

  m = receiver->got->pdata[1];
  g_assert_cmpstr (janus_message_get_subject (m), ==, sd.long_subject);
  g_assert_true (janus_message_get_int64 (m, &v));
  g_assert_cmpint (v, ==, -7);
  g_assert_true (janus_address_equal (janus_message_get_sender (m), ADDR (sender)));
  g_assert_true (janus_address_equal (janus_message_get_receiver (m), ADDR (receiver)));
  assert_timestamp (m, sd.before, sd.after);

  g_free (sd.long_subject);
  finish (kernel, receiver, sender, NULL);
}

static void
test_send_from_kernel (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  TestAgent *receiver = test_agent_new (collect_live, NULL);
  g_autoptr(GError) error = NULL;
  JanusMessage *m;
  gint64 before, after;

  launch_ok (kernel, receiver, NULL, NULL);
  before = g_get_real_time ();
  g_assert_true (janus_kernel_send (kernel, ADDR (receiver),
                                    janus_message_new ("hi", g_variant_new_string ("there")),
                                    &error));
  g_assert_no_error (error);
  after = g_get_real_time ();
  step_until_idle (kernel, 10);

  g_assert_cmpuint (receiver->got->len, ==, 1);
  m = receiver->got->pdata[0];
  g_assert_cmpstr (janus_message_get_subject (m), ==, "hi");
  g_assert_cmpstr (g_variant_get_string (janus_message_get_body (m), NULL), ==, "there");
  g_assert_true (janus_address_equal (janus_message_get_sender (m), janus_kernel_get_address (kernel)));
  g_assert_true (janus_address_is_kernel (janus_message_get_sender (m)));
  g_assert_true (janus_address_equal (janus_message_get_receiver (m), ADDR (receiver)));
  assert_timestamp (m, before, after);
  finish (kernel, receiver, NULL);
}

/* ------------------------------------------------------------ errors */

static void
assert_nothing_sent_by (TestAgent   *bystander,
                        JanusKernel *kernel)
{
  g_assert_cmpuint (bystander->got->len, ==, 0);
  g_assert_cmpuint (janus_kernel_get_dead_letter_count (kernel), ==, 0);
}

/* Every way of sending from @from fails with @code and releases the
 * message. */
static void
assert_all_sends_fail (TestAgent   *from,
                       TestAgent   *to,
                       int          code)
{
  const JanusAddress *receivers[] = { ADDR (to), ADDR (to) };
  gint destroyed = 0;
  GError *error = NULL;

  g_assert_false (janus_agent_send (AGENT (from), ADDR (to), counted_message ("a", &destroyed), &error));
  g_assert_error (error, JANUS_KERNEL_ERROR, code);
  g_clear_error (&error);
  g_assert_cmpint (destroyed, ==, 1);

  g_assert_false (janus_agent_send_random (AGENT (from), receivers, 2,
                                           counted_message ("b", &destroyed), NULL, &error));
  g_assert_error (error, JANUS_KERNEL_ERROR, code);
  g_clear_error (&error);
  g_assert_cmpint (destroyed, ==, 2);

  g_assert_false (janus_agent_broadcast (AGENT (from), receivers, 1,
                                         counted_message ("c", &destroyed), &error));
  g_assert_error (error, JANUS_KERNEL_ERROR, code);
  g_clear_error (&error);
  g_assert_cmpint (destroyed, ==, 3);

  g_assert_false (janus_agent_broadcast (AGENT (from), receivers, 2,
                                         janus_message_new_int64 ("d", 1), &error));
  g_assert_error (error, JANUS_KERNEL_ERROR, code);
  g_clear_error (&error);
}

static void
test_error_not_launched (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  TestAgent *receiver = test_agent_new (collect_live, NULL);
  TestAgent *unborn = test_agent_new (NULL, NULL);

  launch_ok (kernel, receiver, NULL, NULL);
  assert_all_sends_fail (unborn, receiver, JANUS_KERNEL_ERROR_NOT_LAUNCHED);
  g_assert_cmpint (janus_agent_get_state (AGENT (unborn)), ==, JANUS_AGENT_STATE_UNBORN);
  step_until_idle (kernel, 10);
  assert_nothing_sent_by (receiver, kernel);
  finish (kernel, receiver, NULL);
  g_assert_finalize_object (unborn);
}

static void
test_error_dead (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  TestAgent *receiver = test_agent_new (collect_live, NULL);
  TestAgent *dead = test_agent_new (collect_live, NULL);
  g_autoptr(GError) error = NULL;
  JanusMessage *request;
  gint destroyed = 0;

  launch_ok (kernel, receiver, NULL, NULL);
  launch_ok (kernel, dead, NULL, NULL);
  g_assert_true (janus_kernel_send (kernel, ADDR (dead), janus_message_new ("req", NULL), NULL));
  step_until_idle (kernel, 10);
  g_assert_cmpuint (dead->got->len, ==, 1);
  request = janus_message_ref (dead->got->pdata[0]);
  kill_and_wait (kernel, dead);

  assert_all_sends_fail (dead, receiver, JANUS_KERNEL_ERROR_AGENT_DEAD);
  g_assert_false (janus_agent_reply (AGENT (dead), request, counted_message ("r", &destroyed), &error));
  g_assert_error (error, JANUS_KERNEL_ERROR, JANUS_KERNEL_ERROR_AGENT_DEAD);
  g_assert_cmpint (destroyed, ==, 1);
  janus_message_unref (request);

  step_until_idle (kernel, 10);
  assert_nothing_sent_by (receiver, kernel);
  finish (kernel, receiver, dead, NULL);
}

typedef struct
{
  TestAgent *other;
  gint       destroyed;
} ResendData;

/* Tries to send again, in every way, each message it received. */
static JanusLive
resend_live (TestAgent *self)
{
  ResendData *rd = self->data;
  const JanusAddress *receivers[] = { ADDR (rd->other) };
  JanusKernel *kernel = janus_agent_get_kernel (AGENT (self));
  JanusMessage *m;
  GError *error = NULL;
  guint i = 0;

  while ((m = janus_agent_get_message (AGENT (self))) != NULL)
    {
      gint before = rd->destroyed;
      gboolean ok;

      g_assert_true (janus_message_is_sent (m));
      switch (i++ % 5)
        {
        case 0:
          ok = janus_agent_send (AGENT (self), ADDR (rd->other), m, &error);
          break;
        case 1:
          ok = janus_kernel_send (kernel, ADDR (rd->other), m, &error);
          break;
        case 2:
          ok = janus_agent_send_random (AGENT (self), receivers, 1, m, NULL, &error);
          break;
        case 3:
          ok = janus_agent_broadcast (AGENT (self), receivers, 1, m, &error);
          break;
        default:
          {
            /* a sent message as the reply: refused, and released */
            JanusMessage *request = janus_message_ref (m);

            ok = janus_agent_reply (AGENT (self), request, m, &error);
            g_assert_cmpint (rd->destroyed, ==, before);
            janus_message_unref (request);
          }
          break;
        }
      g_assert_false (ok);
      g_assert_error (error, JANUS_MESSAGE_ERROR, JANUS_MESSAGE_ERROR_ALREADY_SENT);
      g_clear_error (&error);
      /* the caller's only reference was consumed */
      g_assert_cmpint (rd->destroyed, ==, before + 1);
    }
  return JANUS_LIVE_WAIT;
}

static void
test_error_already_sent (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  TestAgent *other = test_agent_new (collect_live, NULL);
  ResendData rd = { other, 0 };
  TestAgent *resender = test_agent_new (resend_live, &rd);
  guint i;

  launch_ok (kernel, resender, NULL, NULL);
  launch_ok (kernel, other, NULL, NULL);
  for (i = 0; i < 5; i++)
    g_assert_true (janus_kernel_send (kernel, ADDR (resender),
                                      counted_message ("once", &rd.destroyed), NULL));
  step_until_idle (kernel, 10);
  g_assert_cmpint (rd.destroyed, ==, 5);
  assert_nothing_sent_by (other, kernel);
  finish (kernel, resender, other, NULL);
}

static void
test_error_reply_unsent (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  TestAgent *a = test_agent_new (collect_live, NULL);
  JanusMessage *request = janus_message_new ("never-sent", NULL);
  GError *error = NULL;
  gint destroyed = 0;

  launch_ok (kernel, a, NULL, NULL);
  step_until_idle (kernel, 10);
  g_assert_false (janus_agent_reply (AGENT (a), request, counted_message ("r", &destroyed), &error));
  g_assert_error (error, JANUS_MESSAGE_ERROR, JANUS_MESSAGE_ERROR_NOT_SENT);
  g_clear_error (&error);
  g_assert_cmpint (destroyed, ==, 1);
  g_assert_false (janus_message_is_sent (request));
  janus_message_unref (request);

  step_until_idle (kernel, 10);
  assert_nothing_sent_by (a, kernel);
  finish (kernel, a, NULL);
}

static void
test_error_preconditions (void)
{
  if (g_test_subprocess ())
    {
      JanusKernel *kernel = janus_kernel_new (0);
      TestAgent *a = test_agent_new (NULL, NULL);

      launch_ok (kernel, a, NULL, NULL);
      janus_agent_send (AGENT (a), NULL, janus_message_new ("x", NULL), NULL);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*CRITICAL*receiver != NULL*");
}

static void
test_error_send_random_none (void)
{
  if (g_test_subprocess ())
    {
      JanusKernel *kernel = janus_kernel_new (0);
      TestAgent *a = test_agent_new (NULL, NULL);
      const JanusAddress *none[1] = { NULL };

      launch_ok (kernel, a, NULL, NULL);
      janus_agent_send_random (AGENT (a), none, 0, janus_message_new ("x", NULL), NULL, NULL);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*CRITICAL*n_receivers > 0*");
}

/* ---------------------------------------------------- send during end */

typedef struct
{
  TestAgent       *to;
  gboolean         sent;
  JanusAgentState  state;
} EndData;

static void
send_in_end (TestAgent *self)
{
  EndData *ed = self->data;
  GError *error = NULL;

  ed->state = janus_agent_get_state (AGENT (self));
  ed->sent = janus_agent_send (AGENT (self), ADDR (ed->to),
                               janus_message_new_int64 ("bye", 1), &error);
  g_assert_no_error (error);
}

static void
test_send_during_end (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  TestAgent *receiver = test_agent_new (collect_live, NULL);
  EndData ed = { receiver, FALSE, JANUS_AGENT_STATE_UNBORN };
  TestAgent *leaver = test_agent_new (NULL, &ed);
  JanusMessage *m;

  leaver->end = send_in_end;
  launch_ok (kernel, receiver, NULL, NULL);
  launch_ok (kernel, leaver, NULL, NULL);
  step_until_idle (kernel, 10);
  kill_and_wait (kernel, leaver);

  g_assert_true (ed.sent);
  g_assert_cmpint (ed.state, ==, JANUS_AGENT_STATE_BREAKING_DOWN);
  g_assert_cmpuint (receiver->got->len, ==, 1);
  m = receiver->got->pdata[0];
  g_assert_cmpstr (janus_message_get_subject (m), ==, "bye");
  g_assert_true (janus_address_equal (janus_message_get_sender (m), ADDR (leaver)));
  g_assert_cmpuint (janus_kernel_get_dead_letter_count (kernel), ==, 0);
  finish (kernel, receiver, leaver, NULL);
}

/* ------------------------------------------------------- send_random */

#define N_RANDOM_RECEIVERS 3

typedef struct
{
  const JanusAddress *receivers[N_RANDOM_RECEIVERS];
  guint               n_sends;
  guint               chosen[N_RANDOM_RECEIVERS];
  GArray             *choices;        /* index chosen for send i */
} RandomData;

static JanusLive
send_random_live (TestAgent *self)
{
  RandomData *rd = self->data;
  g_autoptr(GError) error = NULL;
  guint i, k;

  for (i = 0; i < rd->n_sends; i++)
    {
      g_autoptr(JanusAddress) chosen = NULL;

      g_assert_true (janus_agent_send_random (AGENT (self), rd->receivers, N_RANDOM_RECEIVERS,
                                              janus_message_new_int64 ("r", i), &chosen, &error));
      g_assert_no_error (error);
      g_assert_nonnull (chosen);
      /* a copy of one of the candidates */
      for (k = 0; k < N_RANDOM_RECEIVERS; k++)
        if (janus_address_equal (chosen, rd->receivers[k]))
          break;
      g_assert_cmpuint (k, <, N_RANDOM_RECEIVERS);
      rd->chosen[k]++;
      g_array_append_val (rd->choices, k);
    }
  return JANUS_LIVE_DONE;
}

static void
test_send_random (gconstpointer data)
{
  guint n_sends = GPOINTER_TO_UINT (data);
  JanusKernel *kernel = janus_kernel_new (0);
  TestAgent *receivers[N_RANDOM_RECEIVERS];
  RandomData rd = { { NULL }, n_sends, { 0 }, g_array_new (FALSE, FALSE, sizeof (guint)) };
  TestAgent *sender;
  guint k, i, total = 0;

  for (k = 0; k < N_RANDOM_RECEIVERS; k++)
    {
      receivers[k] = test_agent_new (collect_live, NULL);
      launch_ok (kernel, receivers[k], NULL, NULL);
      rd.receivers[k] = ADDR (receivers[k]);
    }
  sender = test_agent_new (send_random_live, &rd);
  launch_ok (kernel, sender, NULL, NULL);
  step_until_idle (kernel, 10);

  for (k = 0; k < N_RANDOM_RECEIVERS; k++)
    {
      GPtrArray *got = receivers[k]->got;

      /* each receiver got exactly the messages sent its way, in order */
      g_assert_cmpuint (got->len, ==, rd.chosen[k]);
      for (i = 0; i < got->len; i++)
        {
          gint64 v = value_of (got->pdata[i]);
          g_assert_cmpuint (g_array_index (rd.choices, guint, v), ==, k);
          g_assert_true (janus_address_equal (janus_message_get_receiver (got->pdata[i]),
                                              ADDR (receivers[k])));
        }
      total += got->len;
      if (n_sends >= 3000)
        {
          /* uniform: expected n/3 = 1000, standard deviation ~26 */
          g_assert_cmpuint (got->len, >=, 800);
          g_assert_cmpuint (got->len, <=, 1200);
        }
    }
  g_assert_cmpuint (total, ==, n_sends);
  g_assert_cmpuint (janus_kernel_get_dead_letter_count (kernel), ==, 0);

  g_array_unref (rd.choices);
  finish (kernel, sender, NULL);
  for (k = 0; k < N_RANDOM_RECEIVERS; k++)
    g_assert_finalize_object (receivers[k]);
}

/* The sender among the candidates: it is never picked; alone, no receiver. */
typedef struct
{
  const JanusAddress *receivers[2];
  guint               to_self;
  guint               to_other;
  gboolean            refused;
  gint                destroyed;
} SelfData;

static JanusLive
send_random_self_live (TestAgent *self)
{
  SelfData *sd = self->data;
  g_autoptr(GError) error = NULL;
  guint i;

  sd->receivers[0] = ADDR (self);
  for (i = 0; i < 200; i++)
    {
      g_autoptr(JanusAddress) chosen = NULL;

      g_assert_true (janus_agent_send_random (AGENT (self), sd->receivers, 2,
                                              janus_message_new_int64 ("r", i), &chosen, &error));
      g_assert_no_error (error);
      if (janus_address_equal (chosen, ADDR (self)))
        sd->to_self++;
      else if (janus_address_equal (chosen, sd->receivers[1]))
        sd->to_other++;
    }
  /* only itself: nobody to send to, the message is released */
  g_assert_false (janus_agent_send_random (AGENT (self), sd->receivers, 1,
                                           counted_message ("alone", &sd->destroyed), NULL, &error));
  sd->refused = g_error_matches (error, JANUS_MESSAGE_ERROR, JANUS_MESSAGE_ERROR_NO_RECEIVER);
  return JANUS_LIVE_DONE;
}

static void
test_send_random_never_self (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  SelfData sd = { { NULL } };
  TestAgent *other = test_agent_new (collect_live, NULL);
  TestAgent *sender = test_agent_new (send_random_self_live, &sd);

  launch_ok (kernel, other, NULL, NULL);
  sd.receivers[1] = ADDR (other);
  launch_ok (kernel, sender, NULL, NULL);
  step_until_idle (kernel, 10);

  g_assert_cmpuint (sd.to_self, ==, 0);
  g_assert_cmpuint (sd.to_other, ==, 200);
  g_assert_cmpuint (other->got->len, ==, 200);
  g_assert_true (sd.refused);
  g_assert_cmpint (sd.destroyed, ==, 1);
  g_assert_cmpuint (janus_kernel_get_dead_letter_count (kernel), ==, 0);
  finish (kernel, sender, other, NULL);
}

/* --------------------------------------------------------- broadcast */

typedef struct
{
  const JanusAddress **receivers;
  guint                n;
  JanusMessage        *message;
  gboolean             expect_ok;
  int                  code;
} BroadcastData;

static JanusLive
broadcast_live (TestAgent *self)
{
  BroadcastData *bd = self->data;
  GError *error = NULL;
  gboolean ok;

  ok = janus_agent_broadcast (AGENT (self), bd->receivers, bd->n,
                              g_steal_pointer (&bd->message), &error);
  if (bd->expect_ok)
    {
      g_assert_no_error (error);
      g_assert_true (ok);
    }
  else
    {
      g_assert_error (error, JANUS_MESSAGE_ERROR, bd->code);
      g_assert_false (ok);
      g_clear_error (&error);
    }
  return JANUS_LIVE_DONE;
}

static void
test_broadcast_each_once (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  TestAgent *r[3];
  const JanusAddress *receivers[3];
  g_autoptr(GVariant) body = g_variant_ref_sink (g_variant_new ("(sx)", "news", G_GINT64_CONSTANT (5)));
  BroadcastData bd = { receivers, 3, NULL, TRUE, 0 };
  TestAgent *sender;
  guint k;

  for (k = 0; k < 3; k++)
    {
      r[k] = test_agent_new (collect_live, NULL);
      launch_ok (kernel, r[k], NULL, NULL);
      receivers[k] = ADDR (r[k]);
    }
  bd.message = janus_message_new ("all", body);
  janus_message_set_priority (bd.message, 7);
  sender = test_agent_new (broadcast_live, &bd);
  launch_ok (kernel, sender, NULL, NULL);
  step_until_idle (kernel, 10);

  for (k = 0; k < 3; k++)
    {
      JanusMessage *m;

      g_assert_cmpuint (r[k]->got->len, ==, 1);
      m = r[k]->got->pdata[0];
      g_assert_cmpstr (janus_message_get_subject (m), ==, "all");
      g_assert_cmpint (janus_message_get_priority (m), ==, 7);
      /* one body, shared, not copied */
      g_assert_true (janus_message_get_body (m) == body);
      g_assert_true (janus_address_equal (janus_message_get_sender (m), ADDR (sender)));
      g_assert_true (janus_address_equal (janus_message_get_receiver (m), receivers[k]));
    }
  /* each receiver its own message */
  g_assert_true (r[0]->got->pdata[0] != r[1]->got->pdata[0]);
  g_assert_true (r[1]->got->pdata[0] != r[2]->got->pdata[0]);
  g_assert_true (r[0]->got->pdata[0] != r[2]->got->pdata[0]);

  finish (kernel, sender, r[0], r[1], r[2], NULL);
}

typedef struct
{
  guint        n_receivers;
  gboolean     pointer_body;
  gboolean     expect_ok;
  int          code;
} BroadcastCase;

static const BroadcastCase broadcast_none = { 0, TRUE, TRUE, 0 };
static const BroadcastCase broadcast_pointer_one = { 1, TRUE, TRUE, 0 };
static const BroadcastCase broadcast_pointer_two = { 2, TRUE, FALSE, JANUS_MESSAGE_ERROR_POINTER_BODY };

static void
test_broadcast_case (gconstpointer data)
{
  const BroadcastCase *c = data;
  JanusKernel *kernel = janus_kernel_new (0);
  TestAgent *r[2];
  const JanusAddress *receivers[2];
  BroadcastData bd = { receivers, c->n_receivers, NULL, c->expect_ok, c->code };
  gint destroyed = 0;
  TestAgent *sender;
  guint k, received = 0;

  for (k = 0; k < 2; k++)
    {
      r[k] = test_agent_new (collect_live, NULL);
      launch_ok (kernel, r[k], NULL, NULL);
      receivers[k] = ADDR (r[k]);
    }
  bd.message = counted_message ("p", &destroyed);
  sender = test_agent_new (broadcast_live, &bd);
  launch_ok (kernel, sender, NULL, NULL);
  step_until_idle (kernel, 10);

  for (k = 0; k < 2; k++)
    received += r[k]->got->len;
  if (c->expect_ok && c->n_receivers == 1)
    {
      g_assert_cmpuint (r[0]->got->len, ==, 1);
      g_assert_true (janus_message_get_pointer (r[0]->got->pdata[0]) == &destroyed);
      g_assert_cmpint (destroyed, ==, 0);
      g_ptr_array_set_size (r[0]->got, 0);
    }
  else
    g_assert_cmpuint (received, ==, 0);
  /* released exactly once, whatever happened */
  g_assert_cmpint (destroyed, ==, 1);
  g_assert_cmpuint (janus_kernel_get_dead_letter_count (kernel), ==, 0);
  finish (kernel, sender, r[0], r[1], NULL);
}

/* ------------------------------------------------------------- reply */

static JanusLive
requester_live (TestAgent *self)
{
  TestAgent *server = self->data;
  g_autoptr(GError) error = NULL;

  if (self->n_live == 1)
    {
      g_assert_true (janus_agent_send (AGENT (self), ADDR (server),
                                       janus_message_new_int64 ("question", 6), &error));
      g_assert_no_error (error);
    }
  return collect_live (self);
}

static JanusLive
replier_live (TestAgent *self)
{
  JanusMessage *m;
  g_autoptr(GError) error = NULL;

  while ((m = janus_agent_get_message (AGENT (self))) != NULL)
    {
      g_assert_true (janus_agent_reply (AGENT (self), m,
                                        janus_message_new_int64 ("answer", value_of (m) * 7),
                                        &error));
      g_assert_no_error (error);
      janus_message_unref (m);
    }
  return JANUS_LIVE_WAIT;
}

static void
test_reply (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  TestAgent *server = test_agent_new (replier_live, NULL);
  TestAgent *client = test_agent_new (requester_live, server);
  TestAgent *bystander = test_agent_new (collect_live, NULL);
  JanusMessage *m;

  launch_ok (kernel, bystander, NULL, NULL);
  launch_ok (kernel, server, NULL, NULL);
  launch_ok (kernel, client, NULL, NULL);
  step_until_idle (kernel, 10);

  g_assert_cmpuint (client->got->len, ==, 1);
  m = client->got->pdata[0];
  g_assert_cmpstr (janus_message_get_subject (m), ==, "answer");
  g_assert_cmpint (value_of (m), ==, 42);
  g_assert_true (janus_address_equal (janus_message_get_sender (m), ADDR (server)));
  g_assert_true (janus_address_equal (janus_message_get_receiver (m), ADDR (client)));
  g_assert_cmpuint (bystander->got->len, ==, 0);
  g_assert_cmpuint (janus_kernel_get_dead_letter_count (kernel), ==, 0);
  finish (kernel, bystander, server, client, NULL);
}

/* ------------------------------------------------------- two kernels */

static void
test_two_kernels (void)
{
  JanusKernel *ka = janus_kernel_new (0);
  JanusKernel *kb = janus_kernel_new (0);
  TestAgent *server = test_agent_new (replier_live, NULL);     /* on B */
  TestAgent *client = test_agent_new (requester_live, server); /* on A */
  TestAgent *listener = test_agent_new (collect_live, NULL);   /* on B */
  g_autofree char *uuid_a = NULL;
  JanusMessage *m;

  launch_ok (kb, server, NULL, NULL);
  launch_ok (kb, listener, NULL, NULL);
  launch_ok (ka, client, NULL, NULL);
  g_assert_cmpstr (janus_kernel_get_uuid (ka), !=, janus_kernel_get_uuid (kb));

  step_until_idle (ka, 10);        /* client asks */
  step_until_idle (kb, 10);        /* server answers */
  step_until_idle (ka, 10);        /* client reads */

  g_assert_cmpuint (client->got->len, ==, 1);
  m = client->got->pdata[0];
  g_assert_cmpint (value_of (m), ==, 42);
  g_assert_true (janus_address_equal (janus_message_get_sender (m), ADDR (server)));
  uuid_a = janus_address_dup_kernel_uuid (janus_message_get_receiver (m));
  g_assert_cmpstr (uuid_a, ==, janus_kernel_get_uuid (ka));

  /* a kernel sends to another kernel's agent too */
  g_assert_true (janus_kernel_send (ka, ADDR (listener), janus_message_new ("from-a", NULL), NULL));
  step_until_idle (kb, 10);
  g_assert_cmpuint (listener->got->len, ==, 1);
  g_assert_true (janus_address_equal (janus_message_get_sender (listener->got->pdata[0]),
                                      janus_kernel_get_address (ka)));

  g_assert_cmpuint (janus_kernel_get_dead_letter_count (ka), ==, 0);
  g_assert_cmpuint (janus_kernel_get_dead_letter_count (kb), ==, 0);
  janus_kernel_shutdown (ka);
  janus_kernel_shutdown (kb);
  g_assert_finalize_object (ka);
  g_assert_finalize_object (kb);
  g_assert_finalize_object (server);
  g_assert_finalize_object (client);
  g_assert_finalize_object (listener);
}

/* -------------------------------------------------- per-sender FIFO */

#define FIFO_SENDERS 4
#define FIFO_BATCH 256

typedef struct
{
  guint64  per_sender;
  gint64   last[FIFO_SENDERS];
  guint64  received[FIFO_SENDERS];
  guint64  not_increasing;
  guint64  gaps;
  guint64  strangers;
} FifoData;

static JanusLive
fifo_receiver_live (TestAgent *self)
{
  FifoData *fd = self->data;
  JanusMessage *m;

  while ((m = janus_agent_get_message (AGENT (self))) != NULL)
    {
      gint64 v = -1;
      guint s;
      gint64 seq;

      janus_message_get_int64 (m, &v);
      janus_message_unref (m);
      s = (guint) (v >> 32);
      seq = v & G_MAXUINT32;
      if (v < 0 || s >= FIFO_SENDERS)
        {
          fd->strangers++;
          continue;
        }
      if (seq <= fd->last[s])
        fd->not_increasing++;
      else if (seq != fd->last[s] + 1)
        fd->gaps++;
      fd->last[s] = seq;
      fd->received[s]++;
      self->count++;
    }
  return self->count == FIFO_SENDERS * fd->per_sender ? JANUS_LIVE_DONE : JANUS_LIVE_WAIT;
}

typedef struct
{
  const JanusAddress *to;
  guint               index;
  guint64             n;
} SenderData;

static JanusLive
fifo_sender_live (TestAgent *self)
{
  SenderData *sd = self->data;
  guint i;

  for (i = 0; i < FIFO_BATCH && self->count < sd->n; i++, self->count++)
    if (!janus_agent_send (AGENT (self), sd->to,
                           janus_message_new_int64 ("seq", (gint64) sd->index << 32 | (gint64) self->count),
                           NULL))
      self->errors++;
  return self->count < sd->n ? JANUS_LIVE_AGAIN : JANUS_LIVE_DONE;
}

static void
test_fifo_per_sender (void)
{
  guint64 n = test_small () ? 1000 : 10000;
  JanusKernel *kernel = janus_kernel_new (2);
  FifoData fd = { n, { -1, -1, -1, -1 }, { 0 }, 0, 0, 0 };
  TestAgent *receiver = test_agent_new (fifo_receiver_live, &fd);
  SenderData sd[FIFO_SENDERS];
  TestAgent *senders[FIFO_SENDERS];
  guint i;

  launch_ok (kernel, receiver, NULL, NULL);
  for (i = 0; i < FIFO_SENDERS; i++)
    {
      sd[i] = (SenderData) { ADDR (receiver), i, n };
      senders[i] = test_agent_new (fifo_sender_live, &sd[i]);
      launch_ok (kernel, senders[i], NULL, NULL);
    }
  run_bounded (kernel);

  g_assert_cmpuint (fd.strangers, ==, 0);
  g_assert_cmpuint (fd.not_increasing, ==, 0);
  g_assert_cmpuint (fd.gaps, ==, 0);
  for (i = 0; i < FIFO_SENDERS; i++)
    {
      g_assert_cmpuint (senders[i]->errors, ==, 0);
      g_assert_cmpuint (senders[i]->count, ==, n);
      g_assert_cmpuint (fd.received[i], ==, n);
      g_assert_cmpint (fd.last[i], ==, (gint64) n - 1);
    }
  g_assert_cmpuint (receiver->count, ==, FIFO_SENDERS * n);
  g_assert_cmpuint (janus_kernel_get_dead_letter_count (kernel), ==, 0);
  g_assert_cmpint (janus_agent_get_state (AGENT (receiver)), ==, JANUS_AGENT_STATE_DIED);

  finish (kernel, receiver, NULL);
  for (i = 0; i < FIFO_SENDERS; i++)
    g_assert_finalize_object (senders[i]);
}

/* --------------------------------------------------------- ping-pong */

typedef struct
{
  TestAgent *partner;
  guint64    rounds;
} PingData;

/* Ping sends ball 0; pong answers v + 1; ping answers v + 1 ... until ping
 * got @rounds answers, then it tells pong to stop and is done. */
static JanusLive
ping_live (TestAgent *self)
{
  PingData *pd = self->data;
  JanusMessage *m;

  if (self->n_live == 1)
    janus_agent_send (AGENT (self), ADDR (pd->partner), janus_message_new_int64 ("ball", 0), NULL);
  while ((m = janus_agent_get_message (AGENT (self))) != NULL)
    {
      gint64 v = -1;

      janus_message_get_int64 (m, &v);
      self->count++;
      if (v != (gint64) (2 * self->count - 1))
        self->errors++;
      if (self->count == pd->rounds)
        {
          janus_message_unref (m);
          janus_agent_send (AGENT (self), ADDR (pd->partner), janus_message_new ("stop", NULL), NULL);
          return JANUS_LIVE_DONE;
        }
      if (!janus_agent_reply (AGENT (self), m, janus_message_new_int64 ("ball", v + 1), NULL))
        self->errors++;
      janus_message_unref (m);
    }
  return JANUS_LIVE_WAIT;
}

static JanusLive
pong_live (TestAgent *self)
{
  JanusMessage *m;

  while ((m = janus_agent_get_message (AGENT (self))) != NULL)
    {
      gint64 v = -1;

      if (janus_message_has_subject (m, "stop"))
        {
          janus_message_unref (m);
          return JANUS_LIVE_DONE;
        }
      janus_message_get_int64 (m, &v);
      if (v != (gint64) (2 * self->count))
        self->errors++;
      self->count++;
      if (!janus_agent_reply (AGENT (self), m, janus_message_new_int64 ("ball", v + 1), NULL))
        self->errors++;
      janus_message_unref (m);
    }
  return JANUS_LIVE_WAIT;
}

static void
test_ping_pong (gconstpointer data)
{
  guint workers = GPOINTER_TO_UINT (data);
  guint64 rounds = test_small () ? 1000 : 10000;
  JanusKernel *kernel = janus_kernel_new (workers);
  TestAgent *pong = test_agent_new (pong_live, NULL);
  PingData pd = { pong, rounds };
  TestAgent *ping = test_agent_new (ping_live, &pd);

  launch_ok (kernel, pong, NULL, NULL);
  launch_ok (kernel, ping, NULL, NULL);
  run_bounded (kernel);

  g_assert_cmpuint (ping->count, ==, rounds);
  g_assert_cmpuint (pong->count, ==, rounds);
  g_assert_cmpuint (ping->errors, ==, 0);
  g_assert_cmpuint (pong->errors, ==, 0);
  g_assert_cmpint (janus_agent_get_state (AGENT (ping)), ==, JANUS_AGENT_STATE_DIED);
  g_assert_cmpint (janus_agent_get_state (AGENT (pong)), ==, JANUS_AGENT_STATE_DIED);
  g_assert_cmpuint (janus_kernel_get_dead_letter_count (kernel), ==, 0);
  finish (kernel, ping, pong, NULL);
}

/* --------------------------------------------------------------- main */

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  /* a failing test does not stop the
   * binary: the other tests still run and report */
  g_test_set_nonfatal_assertions ();

  g_test_add_func ("/messaging/send/intact", test_send_intact);
  g_test_add_func ("/messaging/send/from-kernel", test_send_from_kernel);
  g_test_add_func ("/messaging/send/during-end", test_send_during_end);

  g_test_add_func ("/messaging/errors/not-launched", test_error_not_launched);
  g_test_add_func ("/messaging/errors/dead", test_error_dead);
  g_test_add_func ("/messaging/errors/already-sent", test_error_already_sent);
  g_test_add_func ("/messaging/errors/reply-unsent", test_error_reply_unsent);
  g_test_add_func ("/messaging/errors/null-receiver", test_error_preconditions);
  g_test_add_func ("/messaging/errors/send-random-no-receiver", test_error_send_random_none);

  g_test_add_data_func ("/messaging/send-random/element", GUINT_TO_POINTER (30), test_send_random);
  g_test_add_data_func ("/messaging/send-random/uniform", GUINT_TO_POINTER (3000), test_send_random);
  g_test_add_func ("/messaging/send-random/never-self", test_send_random_never_self);

  g_test_add_func ("/messaging/broadcast/each-once", test_broadcast_each_once);
  g_test_add_data_func ("/messaging/broadcast/no-receiver", &broadcast_none, test_broadcast_case);
  g_test_add_data_func ("/messaging/broadcast/pointer-one", &broadcast_pointer_one, test_broadcast_case);
  g_test_add_data_func ("/messaging/broadcast/pointer-many", &broadcast_pointer_two, test_broadcast_case);

  g_test_add_func ("/messaging/reply/to-sender", test_reply);
  g_test_add_func ("/messaging/two-kernels", test_two_kernels);

  g_test_add_func ("/messaging/fifo/per-sender", test_fifo_per_sender);
  g_test_add_data_func ("/messaging/ping-pong/0-workers", GUINT_TO_POINTER (0), test_ping_pong);
  g_test_add_data_func ("/messaging/ping-pong/1-worker", GUINT_TO_POINTER (1), test_ping_pong);
  g_test_add_data_func ("/messaging/ping-pong/2-workers", GUINT_TO_POINTER (2), test_ping_pong);

  return g_test_run ();
}
