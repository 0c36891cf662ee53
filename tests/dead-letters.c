/* SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Dead letters: messages that cannot be delivered are counted exactly once
 * (janus_kernel_get_dead_letter_count, the "dead-letters" property) and
 * reported exactly once by the kernel's "dead-letter" signal: to a dead
 * agent, to an unknown id or kernel, left in the mailbox of an agent that
 * died (after its end), to a black hole; and, on workers, whatever a dying
 * receiver did not read: received + dead letters == sent.
 */
#include <string.h>

#include "janus-test-utils.h"

/* ------------------------------------------------------------- helpers */

static void
end_take_some (TestAgent *self)
{
  guint i;

  for (i = 0; i < self->end_takes; i++)
    {
      JanusMessage *m = janus_agent_get_message (AGENT (self));
      g_assert_nonnull (m);
      test_agent_keep (self, m);
    }
}

static void
post (JanusKernel        *kernel,
      const JanusAddress *to,
      gint64              value)
{
  g_autoptr(GError) error = NULL;

  /* never an error, even for a dead or unknown receiver */
  g_assert_true (janus_kernel_send (kernel, to, janus_message_new_int64 ("dl", value), &error));
  g_assert_no_error (error);
}

static guint64
dead_letters (JanusKernel *kernel)
{
  guint64 n = 0, prop = 0;

  n = janus_kernel_get_dead_letter_count (kernel);
  g_object_get (kernel, "dead-letters", &prop, NULL);
  g_assert_cmpuint (prop, ==, n);
  return n;
}

/* ------------------------------------------------- the signal's record */

typedef struct
{
  gint        count;          /* atomic: emissions */
  GHashTable *values;         /* int64 body -> emissions (0-worker tests) */
  TestAgent  *watch;          /* if set: */
  guint       before_end;     /*   emissions before @watch's end ran */
  GPtrArray  *messages;       /* references to what was signalled */
} DeadLog;

static void
on_dead_letter (JanusKernel  *kernel,
                JanusMessage *message,
                gpointer      data)
{
  DeadLog *log = data;
  gint64 v;

  g_atomic_int_inc (&log->count);
  g_assert_nonnull (message);
  g_assert_true (janus_message_is_sent (message));
  if (log->values != NULL && janus_message_get_int64 (message, &v))
    {
      guint seen = GPOINTER_TO_UINT (g_hash_table_lookup (log->values, &v));
      gint64 *key = g_new (gint64, 1);

      *key = v;
      g_hash_table_replace (log->values, key, GUINT_TO_POINTER (seen + 1));
    }
  if (log->watch != NULL && !test_agent_has_ended (log->watch))
    log->before_end++;
  if (log->messages != NULL)
    g_ptr_array_add (log->messages, janus_message_ref (message));
}

static void
dead_log_init (DeadLog     *log,
               JanusKernel *kernel)
{
  memset (log, 0, sizeof *log);
  log->values = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  log->messages = g_ptr_array_new_with_free_func ((GDestroyNotify) janus_message_unref);
  g_signal_connect (kernel, "dead-letter", G_CALLBACK (on_dead_letter), log);
}

static void
dead_log_clear (DeadLog *log)
{
  g_clear_pointer (&log->values, g_hash_table_unref);
  g_clear_pointer (&log->messages, g_ptr_array_unref);
}

/* Each of [first, first + n) was signalled exactly once. */
static void
assert_each_once (DeadLog *log,
                  gint64   first,
                  gint64   n)
{
  gint64 v;

  for (v = first; v < first + n; v++)
    g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (log->values, &v)), ==, 1);
}

/* ---------------------------------------------------------- dead agent */

static void
test_to_dead_agent (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  TestAgent *dead = test_agent_new (collect_live, NULL);
  TestAgent *sender = test_agent_new (collect_live, NULL);
  JanusAddress *address;
  g_autoptr(GError) error = NULL;
  DeadLog log;
  gint destroyed = 0;
  guint i;

  dead_log_init (&log, kernel);
  launch_ok (kernel, dead, NULL, NULL);
  launch_ok (kernel, sender, NULL, NULL);
  step_until_idle (kernel, 10);
  address = janus_address_copy (ADDR (dead));
  kill_and_wait (kernel, dead);
  g_assert_cmpuint (dead_letters (kernel), ==, 0);

  for (i = 0; i < 10; i++)
    post (kernel, address, i);
  g_assert_cmpuint (dead_letters (kernel), ==, 10);
  g_assert_cmpint (log.count, ==, 10);

  /* from an agent: not an error either */
  for (i = 10; i < 15; i++)
    {
      g_assert_true (janus_agent_send (AGENT (sender), address,
                                       janus_message_new_int64 ("dl", i), &error));
      g_assert_no_error (error);
    }
  g_assert_true (janus_agent_send (AGENT (sender), address,
                                   janus_message_new_pointer ("p", &destroyed, count_destroy),
                                   &error));
  g_assert_no_error (error);
  step_until_idle (kernel, 10);

  g_assert_cmpuint (dead_letters (kernel), ==, 16);
  g_assert_cmpint (log.count, ==, 16);
  assert_each_once (&log, 0, 15);
  g_ptr_array_set_size (log.messages, 0);
  g_assert_cmpint (destroyed, ==, 1);
  g_assert_cmpuint (dead->got->len, ==, 0);

  janus_address_free (address);
  finish (kernel, dead, sender, NULL);
  g_assert_cmpint (log.count, ==, 16);
  dead_log_clear (&log);
}

/* ----------------------------------------------------- unknown targets */

static void
test_unknown_id (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  TestAgent *sender = test_agent_new (collect_live, NULL);
  JanusAddress *nobody = janus_address_new (janus_kernel_get_uuid (kernel), 4242);
  g_autoptr(GError) error = NULL;
  DeadLog log;

  dead_log_init (&log, kernel);
  launch_ok (kernel, sender, NULL, NULL);
  step_until_idle (kernel, 10);

  post (kernel, nobody, 0);
  g_assert_true (janus_agent_send (AGENT (sender), nobody, janus_message_new_int64 ("dl", 1), &error));
  g_assert_no_error (error);
  /* the id the next agent will get is unknown too, for now */
  {
    JanusAddress *next = janus_address_new (janus_kernel_get_uuid (kernel), 1);
    post (kernel, next, 2);
    janus_address_free (next);
  }
  step_until_idle (kernel, 10);

  g_assert_cmpuint (dead_letters (kernel), ==, 3);
  g_assert_cmpint (log.count, ==, 3);
  assert_each_once (&log, 0, 3);
  g_assert_true (janus_address_equal (janus_message_get_receiver (log.messages->pdata[0]), nobody));

  janus_address_free (nobody);
  finish (kernel, sender, NULL);
  dead_log_clear (&log);
}

/* To a kernel this process does not know: counted by the sender's kernel. */
static void
test_unknown_kernel (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  JanusKernel *bystander = janus_kernel_new (0);
  TestAgent *sender = test_agent_new (collect_live, NULL);
  g_autofree char *uuid = g_uuid_string_random ();
  JanusAddress *nowhere = janus_address_new (uuid, 0);
  g_autoptr(GError) error = NULL;
  DeadLog log, other;

  dead_log_init (&log, kernel);
  dead_log_init (&other, bystander);
  launch_ok (kernel, sender, NULL, NULL);
  step_until_idle (kernel, 10);

  post (kernel, nowhere, 0);
  g_assert_true (janus_agent_send (AGENT (sender), nowhere, janus_message_new_int64 ("dl", 1), &error));
  g_assert_no_error (error);

  g_assert_cmpuint (dead_letters (kernel), ==, 2);
  g_assert_cmpint (log.count, ==, 2);
  assert_each_once (&log, 0, 2);
  g_assert_cmpuint (dead_letters (bystander), ==, 0);
  g_assert_cmpint (other.count, ==, 0);

  janus_address_free (nowhere);
  finish (kernel, sender, NULL);
  finish (bystander, NULL);
  dead_log_clear (&log);
  dead_log_clear (&other);
}

/* To a dead agent of another kernel: the receiving kernel counts it. */
static void
test_other_kernel_dead_agent (void)
{
  JanusKernel *ka = janus_kernel_new (0);
  JanusKernel *kb = janus_kernel_new (0);
  TestAgent *sender = test_agent_new (collect_live, NULL);   /* on A */
  TestAgent *dead = test_agent_new (collect_live, NULL);     /* on B */
  g_autoptr(GError) error = NULL;
  DeadLog la, lb;

  dead_log_init (&la, ka);
  dead_log_init (&lb, kb);
  launch_ok (ka, sender, NULL, NULL);
  launch_ok (kb, dead, NULL, NULL);
  step_until_idle (ka, 10);
  kill_and_wait (kb, dead);

  g_assert_true (janus_agent_send (AGENT (sender), ADDR (dead), janus_message_new_int64 ("dl", 0), &error));
  g_assert_no_error (error);
  post (ka, ADDR (dead), 1);

  g_assert_cmpuint (dead_letters (kb), ==, 2);
  g_assert_cmpint (lb.count, ==, 2);
  assert_each_once (&lb, 0, 2);
  g_assert_cmpuint (dead_letters (ka), ==, 0);
  g_assert_cmpint (la.count, ==, 0);

  finish (ka, sender, NULL);
  finish (kb, dead, NULL);
  dead_log_clear (&la);
  dead_log_clear (&lb);
}

/* ------------------------------------------------ left in the mailbox */

typedef struct
{
  TestLiveFunc live;
  guint        end_takes;
} LeftCase;

static const LeftCase left_deaf = { deaf_live, 0 };
static const LeftCase left_deaf_end_reads = { deaf_live, 2 };
static const LeftCase left_partly_read = { take_one_live, 0 };
static const LeftCase left_partly_read_end_reads = { take_one_live, 3 };

/* N messages queued before the agent's turn (it reads @live's share), M
 * more while it waits; it is killed; its end takes @end_takes. Everything
 * else becomes a dead letter, after the end ran, each exactly once. */
static void
test_left_in_mailbox (gconstpointer data)
{
  const LeftCase *c = data;
  JanusKernel *kernel = janus_kernel_new (0);
  TestAgent *a = test_agent_new (c->live, NULL);
  guint n = 5, m = 4, i, read_in_live;
  DeadLog log;

  a->end = end_take_some;
  a->end_takes = c->end_takes;
  dead_log_init (&log, kernel);
  log.watch = a;
  launch_ok (kernel, a, NULL, NULL);
  for (i = 0; i < n; i++)
    post (kernel, ADDR (a), i);
  janus_kernel_step (kernel);
  for (; i < n + m; i++)
    post (kernel, ADDR (a), i);
  g_assert_cmpuint (dead_letters (kernel), ==, 0);

  kill_and_wait (kernel, a);
  g_assert_cmpint (a->n_end, ==, 1);
  read_in_live = a->got->len - c->end_takes;
  g_assert_cmpuint (read_in_live, ==, c->live == take_one_live ? a->n_live : 0);

  g_assert_cmpuint (dead_letters (kernel), ==, n + m - a->got->len);
  g_assert_cmpint (log.count, ==, n + m - a->got->len);
  g_assert_cmpuint (log.before_end, ==, 0);
  /* what the agent read (in order) is not a dead letter; the rest is, once */
  for (i = 0; i < a->got->len; i++)
    {
      gint64 v;
      g_assert_true (janus_message_get_int64 (a->got->pdata[i], &v));
      g_assert_cmpint (v, ==, i);
    }
  assert_each_once (&log, a->got->len, n + m - a->got->len);

  /* later messages are dead letters too */
  post (kernel, ADDR (a), 100);
  g_assert_cmpint (log.count, ==, n + m - a->got->len + 1);

  finish (kernel, a, NULL);
  dead_log_clear (&log);
}

/* What an agent sends itself during its end is left in its mailbox. */
static void
send_self_in_end (TestAgent *self)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (janus_agent_send (AGENT (self), ADDR (self),
                                   janus_message_new_int64 ("dl", 7), &error));
  g_assert_no_error (error);
}

static void
test_sent_to_self_during_end (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  TestAgent *a = test_agent_new (collect_live, NULL);
  DeadLog log;

  dead_log_init (&log, kernel);
  log.watch = a;
  a->end = send_self_in_end;
  launch_ok (kernel, a, NULL, NULL);
  step_until_idle (kernel, 10);
  kill_and_wait (kernel, a);
  g_assert_cmpuint (dead_letters (kernel), ==, 1);
  g_assert_cmpint (log.count, ==, 1);
  assert_each_once (&log, 7, 1);
  finish (kernel, a, NULL);
  dead_log_clear (&log);
}

/* --------------------------------------------------------- black hole */

static void
test_black_hole (gconstpointer data)
{
  gboolean reads = GPOINTER_TO_INT (data);
  JanusKernel *kernel = janus_kernel_new (0);
  TestAgent *a = test_agent_new (reads ? collect_live : deaf_live, NULL);
  guint i;
  DeadLog log;

  dead_log_init (&log, kernel);
  janus_agent_set_mailbox_kind (AGENT (a), JANUS_MAILBOX_KIND_BLACK_HOLE);
  launch_ok (kernel, a, NULL, NULL);
  for (i = 0; i < 6; i++)
    post (kernel, ADDR (a), i);
  /* a few steps, not waiting for the agent to be idle */
  for (i = 0; i < 3; i++)
    janus_kernel_step (kernel);

  g_assert_true (janus_agent_is_alive (AGENT (a)));
  g_assert_cmpuint (a->got->len, ==, 0);
  g_assert_cmpuint (dead_letters (kernel), ==, 6);
  g_assert_cmpint (log.count, ==, 6);
  assert_each_once (&log, 0, 6);

  /* nothing left to die with the agent */
  kill_and_wait (kernel, a);
  g_assert_cmpuint (dead_letters (kernel), ==, 6);
  g_assert_cmpint (log.count, ==, 6);
  finish (kernel, a, NULL);
  dead_log_clear (&log);
}

/* --------------------------------------------------- the signal itself */

static void
test_signal_message (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  TestAgent *a = test_agent_new (collect_live, NULL);
  JanusAddress *address;
  g_autoptr(GError) error = NULL;
  JanusMessage *m;
  gint destroyed = 0;
  DeadLog log;

  dead_log_init (&log, kernel);
  launch_ok (kernel, a, NULL, NULL);
  step_until_idle (kernel, 10);
  address = janus_address_copy (ADDR (a));
  kill_and_wait (kernel, a);

  g_assert_true (janus_kernel_send (kernel, address,
                                    janus_message_new ("lost", g_variant_new_string ("body")),
                                    &error));
  g_assert_true (janus_kernel_send (kernel, address,
                                    janus_message_new_pointer ("ptr", &destroyed, count_destroy),
                                    &error));
  g_assert_no_error (error);

  g_assert_cmpuint (log.messages->len, ==, 2);
  m = log.messages->pdata[0];
  g_assert_cmpstr (janus_message_get_subject (m), ==, "lost");
  g_assert_cmpstr (g_variant_get_string (janus_message_get_body (m), NULL), ==, "body");
  g_assert_true (janus_address_equal (janus_message_get_receiver (m), address));
  g_assert_true (janus_address_equal (janus_message_get_sender (m), janus_kernel_get_address (kernel)));
  m = log.messages->pdata[1];
  g_assert_cmpstr (janus_message_get_subject (m), ==, "ptr");
  g_assert_true (janus_message_get_pointer (m) == &destroyed);
  /* the handler's reference keeps it; the kernel dropped its own */
  g_assert_cmpint (destroyed, ==, 0);
  g_ptr_array_set_size (log.messages, 0);
  g_assert_cmpint (destroyed, ==, 1);

  janus_address_free (address);
  finish (kernel, a, NULL);
  dead_log_clear (&log);
}

static void
test_property (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  JanusAddress *nobody = janus_address_new (janus_kernel_get_uuid (kernel), 99);
  guint64 prop = 1;
  guint i;

  g_object_get (kernel, "dead-letters", &prop, NULL);
  g_assert_cmpuint (prop, ==, 0);
  for (i = 0; i < 3; i++)
    {
      post (kernel, nobody, i);
      g_object_get (kernel, "dead-letters", &prop, NULL);
      g_assert_cmpuint (prop, ==, i + 1);
      g_assert_cmpuint (janus_kernel_get_dead_letter_count (kernel), ==, i + 1);
    }
  janus_address_free (nobody);
  finish (kernel, NULL);
}

/* ------------------------------------------------------------ kill_all */

static void
test_kill_all (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  TestAgent *a[3];
  guint queued[3] = { 3, 0, 5 }, total = 0, i, k;
  DeadLog log;

  dead_log_init (&log, kernel);
  for (k = 0; k < 3; k++)
    {
      a[k] = test_agent_new (deaf_live, NULL);
      launch_ok (kernel, a[k], NULL, NULL);
    }
  janus_kernel_step (kernel);
  for (k = 0; k < 3; k++)
    for (i = 0; i < queued[k]; i++)
      post (kernel, ADDR (a[k]), total++);

  janus_kernel_kill_all (kernel);
  step_until_idle (kernel, 10);
  for (k = 0; k < 3; k++)
    {
      g_assert_cmpint (janus_agent_get_state (AGENT (a[k])), ==, JANUS_AGENT_STATE_DIED);
      g_assert_cmpint (a[k]->n_end, ==, 1);
    }
  g_assert_cmpuint (janus_kernel_get_agent_count (kernel), ==, 0);
  g_assert_cmpuint (dead_letters (kernel), ==, total);
  g_assert_cmpint (log.count, ==, total);
  assert_each_once (&log, 0, total);

  finish (kernel, a[0], a[1], a[2], NULL);
  dead_log_clear (&log);
}

/* ------------------------------------------------------ on two workers */

#define MT_SENDERS 3
#define MT_BATCH 64

typedef struct
{
  guint64  limit;             /* the receiver dies after reading this many */
  gint     destroyed;         /* atomic: messages released */
  GMutex   lock;
  GCond    cond;
  gboolean reached;
} MtData;

typedef struct
{
  MtData             *mt;
  const JanusAddress *to;
  guint64             n;
} MtSender;

static JanusLive
mt_sender_live (TestAgent *self)
{
  MtSender *ms = self->data;
  guint i;

  for (i = 0; i < MT_BATCH && self->count < ms->n; i++, self->count++)
    if (!janus_agent_send (AGENT (self), ms->to,
                           janus_message_new_pointer ("dl", &ms->mt->destroyed, count_destroy),
                           NULL))
      self->errors++;
  return self->count < ms->n ? JANUS_LIVE_AGAIN : JANUS_LIVE_DONE;
}

/* Reads one message at a time and dies right after the limit. */
static JanusLive
mt_limited_live (TestAgent *self)
{
  MtData *mt = self->data;
  JanusMessage *m;

  while (self->count < mt->limit && (m = janus_agent_get_message (AGENT (self))) != NULL)
    {
      janus_message_unref (m);
      self->count++;
    }
  return self->count < mt->limit ? JANUS_LIVE_WAIT : JANUS_LIVE_DONE;
}

/* Reads everything, until killed; tells the test when the limit is passed. */
static JanusLive
mt_reader_live (TestAgent *self)
{
  MtData *mt = self->data;
  g_autoptr(GPtrArray) all = janus_agent_get_messages (AGENT (self));

  self->count += all->len;
  if (self->count >= mt->limit)
    {
      g_mutex_lock (&mt->lock);
      mt->reached = TRUE;
      g_cond_signal (&mt->cond);
      g_mutex_unlock (&mt->lock);
    }
  return JANUS_LIVE_WAIT;
}

/* What is in the mailbox at the end is read, not dead. */
static void
mt_reader_end (TestAgent *self)
{
  g_autoptr(GPtrArray) all = janus_agent_get_messages (AGENT (self));

  self->count += all->len;
}

static void
test_workers_receiver_dies (gconstpointer data)
{
  gboolean killed = GPOINTER_TO_INT (data);
  guint64 per_sender = test_small () ? 2000 : 20000;
  guint64 sent = MT_SENDERS * per_sender, received;
  JanusKernel *kernel = janus_kernel_new (2);
  MtData mt = { sent / 4, 0, { 0 }, { 0 }, FALSE };
  TestAgent *receiver;
  TestAgent *senders[MT_SENDERS];
  MtSender ms[MT_SENDERS];
  DeadLog log;
  guint i;

  g_mutex_init (&mt.lock);
  g_cond_init (&mt.cond);
  memset (&log, 0, sizeof log);      /* counts only: the handler runs on workers */
  g_signal_connect (kernel, "dead-letter", G_CALLBACK (on_dead_letter), &log);

  receiver = test_agent_new (killed ? mt_reader_live : mt_limited_live, &mt);
  if (killed)
    receiver->end = mt_reader_end;
  launch_ok (kernel, receiver, NULL, NULL);
  for (i = 0; i < MT_SENDERS; i++)
    {
      ms[i] = (MtSender) { &mt, ADDR (receiver), per_sender };
      senders[i] = test_agent_new (mt_sender_live, &ms[i]);
      launch_ok (kernel, senders[i], NULL, NULL);
    }

  if (killed)
    {
      gint64 deadline = g_get_monotonic_time () + 60 * G_TIME_SPAN_SECOND;
      g_autoptr(GError) error = NULL;

      g_mutex_lock (&mt.lock);
      while (!mt.reached)
        if (!g_cond_wait_until (&mt.cond, &mt.lock, deadline))
          g_error ("the receiver did not read %" G_GUINT64_FORMAT " messages in time", mt.limit);
      g_mutex_unlock (&mt.lock);
      g_assert_true (janus_kernel_kill (kernel, AGENT (receiver), &error));
      g_assert_no_error (error);
    }
  run_bounded_for (kernel, 60);

  received = receiver->count;
  g_test_message ("sent %" G_GUINT64_FORMAT ", received %" G_GUINT64_FORMAT
                  ", dead letters %" G_GUINT64_FORMAT, sent, received, dead_letters (kernel));
  for (i = 0; i < MT_SENDERS; i++)
    {
      g_assert_cmpuint (senders[i]->errors, ==, 0);
      g_assert_cmpuint (senders[i]->count, ==, per_sender);
    }
  g_assert_cmpint (receiver->n_end, ==, 1);
  if (!killed)
    g_assert_cmpuint (received, ==, mt.limit);
  else
    g_assert_cmpuint (received, >=, mt.limit);
  /* each message read or dead, exactly once; each released once */
  g_assert_cmpuint (received + dead_letters (kernel), ==, sent);
  g_assert_cmpuint (g_atomic_int_get (&log.count), ==, dead_letters (kernel));
  g_assert_cmpint (g_atomic_int_get (&mt.destroyed), ==, sent);

  finish (kernel, receiver, NULL);
  for (i = 0; i < MT_SENDERS; i++)
    g_assert_finalize_object (senders[i]);
  g_mutex_clear (&mt.lock);
  g_cond_clear (&mt.cond);
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

  g_test_add_func ("/dead-letters/dead-agent", test_to_dead_agent);
  g_test_add_func ("/dead-letters/unknown-id", test_unknown_id);
  g_test_add_func ("/dead-letters/unknown-kernel", test_unknown_kernel);
  g_test_add_func ("/dead-letters/other-kernel-dead-agent", test_other_kernel_dead_agent);

  g_test_add_data_func ("/dead-letters/left-in-mailbox/unread", &left_deaf, test_left_in_mailbox);
  g_test_add_data_func ("/dead-letters/left-in-mailbox/end-reads-some", &left_deaf_end_reads,
                        test_left_in_mailbox);
  g_test_add_data_func ("/dead-letters/left-in-mailbox/partly-read", &left_partly_read,
                        test_left_in_mailbox);
  g_test_add_data_func ("/dead-letters/left-in-mailbox/partly-read-end-reads",
                        &left_partly_read_end_reads, test_left_in_mailbox);
  g_test_add_func ("/dead-letters/left-in-mailbox/sent-to-self-during-end",
                   test_sent_to_self_during_end);

  g_test_add_data_func ("/dead-letters/black-hole/reading", GINT_TO_POINTER (TRUE), test_black_hole);
  g_test_add_data_func ("/dead-letters/black-hole/never-reading", GINT_TO_POINTER (FALSE),
                        test_black_hole);

  g_test_add_func ("/dead-letters/signal-message", test_signal_message);
  g_test_add_func ("/dead-letters/property", test_property);
  g_test_add_func ("/dead-letters/kill-all", test_kill_all);

  g_test_add_data_func ("/dead-letters/workers/receiver-done-mid-stream", GINT_TO_POINTER (FALSE),
                        test_workers_receiver_dies);
  g_test_add_data_func ("/dead-letters/workers/receiver-killed-mid-stream", GINT_TO_POINTER (TRUE),
                        test_workers_receiver_dies);

  return g_test_run ();
}
