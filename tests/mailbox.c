/* SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Mailbox operations, on the agent API and on the JanusMailbox object: order,
 * peeking, draining, kinds (FIFO, PRIORITY, BLACK_HOLE), the iterator, the
 * "one look per step" rule, WAIT with unread messages, the owner rule and a
 * mailbox that outlives its agent.
 *
 * Almost everything runs on kernels without workers, stepped with
 * janus_kernel_step (): deterministic and single-threaded, so the agents'
 * callbacks assert directly.
 */
#include "janus-test-utils.h"

/* ------------------------------------------------------------ test agent */

/* A TestAgent reading through the agent API or through the JanusMailbox
 * object; no live reads nothing. */
static TestAgent *
mailbox_agent_new (TestLiveFunc live,
                   gboolean     via_object)
{
  TestAgent *self = test_agent_new (live ? live : deaf_live, NULL);

  self->via_object = via_object;
  return self;
}

/* ---------------------------------------------- mailbox ops, two ways */

static JanusMailbox *
mbox (TestAgent *a)
{
  return janus_agent_get_mailbox (AGENT (a));
}

static JanusMessage *
op_get_message (TestAgent *a)
{
  return a->via_object ? janus_mailbox_get_message (mbox (a))
                       : janus_agent_get_message (AGENT (a));
}

static JanusMessage *
op_peek_message (TestAgent *a)
{
  return a->via_object ? janus_mailbox_peek_message (mbox (a))
                       : janus_agent_peek_message (AGENT (a));
}

static GPtrArray *
op_get_messages (TestAgent *a)
{
  return a->via_object ? janus_mailbox_get_messages (mbox (a))
                       : janus_agent_get_messages (AGENT (a));
}

static GPtrArray *
op_peek_messages (TestAgent *a)
{
  return a->via_object ? janus_mailbox_peek_messages (mbox (a))
                       : janus_agent_peek_messages (AGENT (a));
}

static gboolean
op_has_message (TestAgent *a)
{
  return a->via_object ? janus_mailbox_has_message (mbox (a))
                       : janus_agent_has_message (AGENT (a));
}

static guint
op_size (TestAgent *a)
{
  return a->via_object ? janus_mailbox_get_size (mbox (a))
                       : janus_agent_get_mailbox_size (AGENT (a));
}

static JanusMessage *
op_wait_message (TestAgent *a,
                 gint64     timeout_usec)
{
  return a->via_object ? janus_mailbox_wait_message (mbox (a), timeout_usec)
                       : janus_agent_wait_message (AGENT (a), timeout_usec);
}

static void
op_set_kind (TestAgent        *a,
             JanusMailboxKind  kind)
{
  if (a->via_object)
    janus_mailbox_set_kind (mbox (a), kind);
  else
    janus_agent_set_mailbox_kind (AGENT (a), kind);
}

static JanusMailboxKind
op_get_kind (TestAgent *a)
{
  return a->via_object ? janus_mailbox_get_kind (mbox (a))
                       : janus_agent_get_mailbox_kind (AGENT (a));
}

/* ------------------------------------------------------------- helpers */

static void
post_with_priority (JanusKernel *kernel,
                    TestAgent   *to,
                    gint64       value,
                    int          priority)
{
  g_autoptr(GError) error = NULL;
  JanusMessage *m = janus_message_new_int64 ("n", value);

  janus_message_set_priority (m, priority);
  g_assert_true (janus_kernel_send (kernel, janus_agent_get_address (AGENT (to)), m, &error));
  g_assert_no_error (error);
}

static void
post (JanusKernel *kernel,
      TestAgent   *to,
      gint64       value)
{
  post_with_priority (kernel, to, value, 0);
}

static void
assert_values (GPtrArray     *messages,
               const gint64  *expected,
               guint          n)
{
  guint i;

  g_assert_nonnull (messages);
  g_assert_cmpuint (messages->len, ==, n);
  for (i = 0; i < n; i++)
    g_assert_cmpint (value_of (messages->pdata[i]), ==, expected[i]);
}

static void
count_dead_letter (JanusKernel  *kernel,
                   JanusMessage *message,
                   gpointer      data)
{
  (*(guint *) data)++;
}

/* ---------------------------------------------------------- the object */

static void
test_object_identity (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  TestAgent *a = mailbox_agent_new (NULL, FALSE);
  JanusMailbox *m1, *m2;

  m1 = janus_agent_get_mailbox (AGENT (a));
  g_assert_true (JANUS_IS_MAILBOX (m1));
  m2 = janus_agent_get_mailbox (AGENT (a));
  g_assert_true (m1 == m2);
  g_assert_true (janus_mailbox_get_agent (m1) == AGENT (a));

  launch_ok (kernel, a, NULL, NULL);
  step_until_idle (kernel, 10);
  g_assert_true (janus_agent_get_mailbox (AGENT (a)) == m1);
  g_assert_true (janus_mailbox_get_agent (m1) == AGENT (a));
  g_assert_cmpint (janus_mailbox_get_kind (m1), ==, JANUS_MAILBOX_KIND_FIFO);

  finish (kernel, a, NULL);
}

/* ---------------------------------------------------------- operations */

static JanusLive
take_all_live (TestAgent *self)
{
  JanusMessage *m;

  while ((m = op_get_message (self)) != NULL)
    test_agent_keep (self, m);
  return JANUS_LIVE_WAIT;
}

static void
test_get_message_order (gconstpointer data)
{
  static const gint64 expected[] = { 0, 1, 2, 3, 4, 5, 6 };
  JanusKernel *kernel = janus_kernel_new (0);
  TestAgent *a = mailbox_agent_new (take_all_live, GPOINTER_TO_INT (data));
  guint i;

  launch_ok (kernel, a, NULL, NULL);
  for (i = 0; i < 4; i++)
    post (kernel, a, i);
  step_until_idle (kernel, 10);
  /* a second batch, while the agent sleeps */
  for (; i < G_N_ELEMENTS (expected); i++)
    post (kernel, a, i);
  step_until_idle (kernel, 10);

  assert_values (a->got, expected, G_N_ELEMENTS (expected));
  g_assert_cmpuint (a->n_live, ==, 2);
  finish (kernel, a, NULL);
}

static JanusLive
peek_live (TestAgent *self)
{
  JanusMessage *p1, *p2, *m;

  p1 = op_peek_message (self);
  g_assert_nonnull (p1);
  g_assert_cmpint (value_of (p1), ==, 0);
  p2 = op_peek_message (self);
  g_assert_true (p1 == p2);
  g_assert_cmpuint (op_size (self), ==, 3);
  g_assert_true (op_has_message (self));

  m = op_get_message (self);
  g_assert_true (m == p1);
  test_agent_keep (self, m);

  p2 = op_peek_message (self);
  g_assert_cmpint (value_of (p2), ==, 1);
  g_assert_cmpuint (op_size (self), ==, 2);
  test_agent_keep (self, op_get_message (self));
  test_agent_keep (self, op_get_message (self));

  g_assert_null (op_peek_message (self));
  g_assert_null (op_get_message (self));
  return JANUS_LIVE_WAIT;
}

static void
test_peek_message (gconstpointer data)
{
  static const gint64 expected[] = { 0, 1, 2 };
  JanusKernel *kernel = janus_kernel_new (0);
  TestAgent *a = mailbox_agent_new (peek_live, GPOINTER_TO_INT (data));
  guint i;

  launch_ok (kernel, a, NULL, NULL);
  for (i = 0; i < 3; i++)
    post (kernel, a, i);
  step_until_idle (kernel, 10);

  assert_values (a->got, expected, 3);
  finish (kernel, a, NULL);
}

static JanusLive
drain_live (TestAgent *self)
{
  static const gint64 expected[] = { 0, 1, 2, 3, 4 };
  g_autoptr(GPtrArray) all = op_get_messages (self);
  g_autoptr(GPtrArray) none = NULL;

  assert_values (all, expected, 5);
  g_assert_cmpuint (op_size (self), ==, 0);
  g_assert_false (op_has_message (self));
  g_assert_null (op_get_message (self));
  none = op_get_messages (self);
  g_assert_nonnull (none);
  g_assert_cmpuint (none->len, ==, 0);
  test_agent_keep (self, janus_message_ref (all->pdata[0]));
  return JANUS_LIVE_WAIT;
}

static void
test_get_messages (gconstpointer data)
{
  JanusKernel *kernel = janus_kernel_new (0);
  TestAgent *a = mailbox_agent_new (drain_live, GPOINTER_TO_INT (data));
  guint i;

  launch_ok (kernel, a, NULL, NULL);
  for (i = 0; i < 5; i++)
    post (kernel, a, i);
  step_until_idle (kernel, 10);

  g_assert_cmpuint (a->got->len, ==, 1);
  finish (kernel, a, NULL);
}

static JanusLive
peek_all_live (TestAgent *self)
{
  static const gint64 expected[] = { 0, 1, 2, 3 };
  g_autoptr(GPtrArray) peeked = op_peek_messages (self);
  g_autoptr(GPtrArray) again = NULL;
  g_autoptr(GPtrArray) taken = NULL;
  JanusMessage *saved[4];
  guint i;

  assert_values (peeked, expected, 4);
  g_assert_cmpuint (op_size (self), ==, 4);
  g_assert_true (op_has_message (self));
  for (i = 0; i < 4; i++)
    saved[i] = peeked->pdata[i];

  /* the array held its own references: dropping it leaves the messages */
  g_clear_pointer (&peeked, g_ptr_array_unref);
  again = op_peek_messages (self);
  assert_values (again, expected, 4);

  taken = op_get_messages (self);
  assert_values (taken, expected, 4);
  for (i = 0; i < 4; i++)
    {
      g_assert_true (taken->pdata[i] == saved[i]);
      g_assert_true (again->pdata[i] == saved[i]);
    }
  /* taken and peeked references are independent */
  g_clear_pointer (&taken, g_ptr_array_unref);
  for (i = 0; i < 4; i++)
    g_assert_cmpint (value_of (again->pdata[i]), ==, i);
  g_assert_cmpuint (op_size (self), ==, 0);
  g_clear_pointer (&taken, g_ptr_array_unref);
  taken = op_peek_messages (self);
  g_assert_cmpuint (taken->len, ==, 0);
  test_agent_keep (self, janus_message_ref (again->pdata[3]));
  return JANUS_LIVE_WAIT;
}

static void
test_peek_messages (gconstpointer data)
{
  JanusKernel *kernel = janus_kernel_new (0);
  TestAgent *a = mailbox_agent_new (peek_all_live, GPOINTER_TO_INT (data));
  guint i;

  launch_ok (kernel, a, NULL, NULL);
  for (i = 0; i < 4; i++)
    post (kernel, a, i);
  step_until_idle (kernel, 10);

  g_assert_cmpuint (a->got->len, ==, 1);
  g_assert_cmpint (value_of (a->got->pdata[0]), ==, 3);
  finish (kernel, a, NULL);
}

static JanusLive
count_live (TestAgent *self)
{
  guint n = GPOINTER_TO_UINT (self->data);

  if (self->n_live == 1)
    {
      /* activated by the launch, nothing sent yet */
      g_assert_false (op_has_message (self));
      g_assert_cmpuint (op_size (self), ==, 0);
      return JANUS_LIVE_WAIT;
    }
  g_assert_true (op_has_message (self));
  g_assert_cmpuint (op_size (self), ==, n);
  test_agent_keep (self, op_get_message (self));
  g_assert_cmpuint (op_size (self), ==, n - 1);
  g_assert_true (op_has_message (self));
  g_ptr_array_unref (op_get_messages (self));
  g_assert_cmpuint (op_size (self), ==, 0);
  g_assert_false (op_has_message (self));
  return JANUS_LIVE_WAIT;
}

static void
test_has_message_size (gconstpointer data)
{
  JanusKernel *kernel = janus_kernel_new (0);
  TestAgent *a = mailbox_agent_new (count_live, GPOINTER_TO_INT (data));
  guint i;

  a->data = GUINT_TO_POINTER (6);
  launch_ok (kernel, a, NULL, NULL);
  step_until_idle (kernel, 10);
  g_assert_cmpuint (a->n_live, ==, 1);
  for (i = 0; i < 6; i++)
    post (kernel, a, i);
  step_until_idle (kernel, 10);
  g_assert_cmpuint (a->n_live, ==, 2);
  g_assert_cmpuint (a->got->len, ==, 1);
  finish (kernel, a, NULL);
}

/* ------------------------------------------------- one look per step */

typedef struct
{
  TestAgent *target;
  JanusLive  target_result;
} LaterSender;

static JanusLive
receiver_live (TestAgent *self)
{
  LaterSender *ls = self->data;

  take_all_live (self);
  return ls->target_result;
}

static JanusLive
later_sender_live (TestAgent *self)
{
  LaterSender *ls = self->data;
  g_autoptr(GError) error = NULL;

  if (self->n_live == 1)
    {
      /* the receiver ran before us in this step: it looked already */
      g_assert_cmpuint (ls->target->n_live, ==, 1);
      g_assert_cmpuint (ls->target->live_step, ==, test_current_step);
      g_assert_true (janus_agent_send (AGENT (self),
                                       janus_agent_get_address (AGENT (ls->target)),
                                       janus_message_new_int64 ("late", 1), &error));
      g_assert_no_error (error);
    }
  return JANUS_LIVE_WAIT;
}

/* The receiver is launched first, so it runs first in each step. A message
 * the kernel sent before step 1 is seen in step 1; one sent by the later
 * agent during step 1 is seen in step 2, not in step 1 (the receiver has only
 * one turn per step), and step () says more work is waiting. */
static void
test_one_look_later_sender (gconstpointer data)
{
  JanusKernel *kernel = janus_kernel_new (0);
  LaterSender ls = { NULL, GPOINTER_TO_INT (data) };
  TestAgent *receiver = mailbox_agent_new (receiver_live, FALSE);
  TestAgent *sender = mailbox_agent_new (later_sender_live, FALSE);

  ls.target = receiver;
  receiver->data = &ls;
  sender->data = &ls;
  launch_ok (kernel, receiver, NULL, NULL);
  launch_ok (kernel, sender, NULL, NULL);
  post (kernel, receiver, 0);

  test_current_step = 0;
  g_assert_true (test_step (kernel));          /* step 1: the "late" message waits */
  g_assert_cmpuint (receiver->n_live, ==, 1);
  g_assert_cmpuint (sender->n_live, ==, 1);
  g_assert_cmpuint (receiver->got->len, ==, 1);
  g_assert_cmpint (g_array_index (receiver->got_step, guint, 0), ==, 1);

  test_step (kernel);                          /* step 2: seen */
  g_assert_cmpuint (receiver->n_live, ==, 2);
  g_assert_cmpuint (receiver->got->len, ==, 2);
  g_assert_true (janus_message_has_subject (receiver->got->pdata[1], "late"));
  g_assert_cmpint (g_array_index (receiver->got_step, guint, 1), ==, 2);
  g_assert_cmpuint (sender->n_live, ==, 1);

  if (ls.target_result == JANUS_LIVE_WAIT)
    g_assert_false (test_step (kernel));
  finish (kernel, receiver, sender, NULL);
}

static JanusLive
self_sender_live (TestAgent *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) none = NULL;

  if (self->n_live == 1)
    {
      JanusMessage *m = op_get_message (self);   /* the step's look */

      g_assert_cmpint (value_of (m), ==, 0);
      test_agent_keep (self, m);
      /* arrives after the look: not part of this step */
      g_assert_true (janus_kernel_send (janus_agent_get_kernel (AGENT (self)),
                                        janus_agent_get_address (AGENT (self)),
                                        janus_message_new_int64 ("n", 1), &error));
      g_assert_true (janus_agent_send (AGENT (self), janus_agent_get_address (AGENT (self)),
                                       janus_message_new_int64 ("n", 2), &error));
      g_assert_no_error (error);
      g_assert_null (op_get_message (self));
      g_assert_null (op_peek_message (self));
      g_assert_false (op_has_message (self));
      g_assert_cmpuint (op_size (self), ==, 0);
      none = op_peek_messages (self);
      g_assert_cmpuint (none->len, ==, 0);
      return JANUS_LIVE_WAIT;
    }
  return take_all_live (self);
}

/* Within one turn the agent sees what had arrived when it first looked;
 * what arrives later (here: sent by itself) is for the next step, which is
 * scheduled at once even though the agent returned WAIT. */
static void
test_one_look_self_send (gconstpointer data)
{
  static const gint64 expected[] = { 0, 1, 2 };
  JanusKernel *kernel = janus_kernel_new (0);
  TestAgent *a = mailbox_agent_new (self_sender_live, GPOINTER_TO_INT (data));

  launch_ok (kernel, a, NULL, NULL);
  post (kernel, a, 0);
  test_current_step = 0;
  g_assert_true (test_step (kernel));
  g_assert_cmpuint (a->n_live, ==, 1);
  g_assert_false (test_step (kernel));
  g_assert_cmpuint (a->n_live, ==, 2);
  assert_values (a->got, expected, 3);
  g_assert_cmpint (g_array_index (a->got_step, guint, 1), ==, 2);
  finish (kernel, a, NULL);
}

/* ----------------------------------------------------- WAIT semantics */

static JanusLive
op_take_one_live (TestAgent *self)
{
  JanusMessage *m = op_get_message (self);

  if (m != NULL)
    test_agent_keep (self, m);
  return JANUS_LIVE_WAIT;
}

/* An agent that takes one message per step and returns WAIT with unread
 * messages left sleeps until a NEW message arrives; it then reads the
 * oldest unread one. */
static void
test_wait_with_unread (void)
{
  static const gint64 expected[] = { 0, 1, 2 };
  JanusKernel *kernel = janus_kernel_new (0);
  TestAgent *a = mailbox_agent_new (op_take_one_live, FALSE);
  guint i;

  launch_ok (kernel, a, NULL, NULL);
  for (i = 0; i < 3; i++)
    post (kernel, a, i);
  g_assert_false (test_step (kernel));
  g_assert_cmpuint (a->n_live, ==, 1);
  g_assert_cmpuint (a->got->len, ==, 1);

  /* asleep although two messages are unread */
  for (i = 0; i < 3; i++)
    g_assert_false (test_step (kernel));
  g_assert_cmpuint (a->n_live, ==, 1);

  post (kernel, a, 3);                    /* something new */
  g_assert_false (test_step (kernel));
  g_assert_cmpuint (a->n_live, ==, 2);
  post (kernel, a, 4);
  g_assert_false (test_step (kernel));
  g_assert_cmpuint (a->n_live, ==, 3);
  assert_values (a->got, expected, 3);
  g_assert_cmpuint (janus_agent_get_mailbox_size (AGENT (a)), ==, 2);
  finish (kernel, a, NULL);
}

/* An agent whose live never looks at its mailbox (the default live does
 * not) is woken once per new message and then sleeps: the message that woke
 * it is not new any more at the next WAIT. */
static void
test_wait_never_reading (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  TestAgent *a = mailbox_agent_new (NULL, FALSE);
  guint i;

  launch_ok (kernel, a, NULL, NULL);
  g_assert_false (test_step (kernel));
  g_assert_cmpuint (a->n_live, ==, 1);

  post (kernel, a, 0);
  test_step (kernel);
  g_assert_cmpuint (a->n_live, ==, 2);
  for (i = 0; i < 5; i++)
    test_step (kernel);
  /* not stepped again and again for the same unread message */
  g_assert_cmpuint (a->n_live, ==, 2);
  g_assert_false (test_step (kernel));

  g_assert_cmpuint (janus_agent_get_mailbox_size (AGENT (a)), ==, 1);
  finish (kernel, a, NULL);
}

/* -------------------------------------------------------------- kinds */

static void
test_kind_priority (gconstpointer data)
{
  /* priority per value; equal priorities must keep arrival order */
  static const int prio[] = { 1, 5, 3, 5, -2, 3, 0, 5 };
  static const gint64 expected[] = { 1, 3, 7, 2, 5, 0, 6, 4 };
  JanusKernel *kernel = janus_kernel_new (0);
  TestAgent *a = mailbox_agent_new (take_all_live, GPOINTER_TO_INT (data));
  guint i;

  op_set_kind (a, JANUS_MAILBOX_KIND_PRIORITY);      /* before launch */
  g_assert_cmpint (op_get_kind (a), ==, JANUS_MAILBOX_KIND_PRIORITY);
  launch_ok (kernel, a, NULL, NULL);
  for (i = 0; i < G_N_ELEMENTS (prio); i++)
    post_with_priority (kernel, a, i, prio[i]);
  step_until_idle (kernel, 10);

  assert_values (a->got, expected, G_N_ELEMENTS (expected));
  for (i = 0; i < a->got->len; i++)
    g_assert_cmpint (janus_message_get_priority (a->got->pdata[i]), ==, prio[expected[i]]);
  finish (kernel, a, NULL);
}

/* Messages that arrive in two batches are merged by priority; equal
 * priorities stay in arrival order across the batches. Read from the
 * driving thread between steps. */
static void
test_kind_priority_merge (void)
{
  static const int prio[] = { 2, 0, 2, 7, 0, 2, 7, 1 };
  static const gint64 expected[] = { 3, 6, 0, 2, 5, 7, 1, 4 };
  JanusKernel *kernel = janus_kernel_new (0);
  TestAgent *a = g_object_new (TEST_TYPE_AGENT, "mailbox-kind", JANUS_MAILBOX_KIND_PRIORITY, NULL);
  g_autoptr(GPtrArray) all = NULL;
  guint i;

  g_assert_cmpint (janus_agent_get_mailbox_kind (AGENT (a)), ==, JANUS_MAILBOX_KIND_PRIORITY);
  launch_ok (kernel, a, NULL, NULL);
  step_until_idle (kernel, 10);
  for (i = 0; i < 4; i++)
    post_with_priority (kernel, a, i, prio[i]);
  g_assert_cmpuint (janus_agent_get_mailbox_size (AGENT (a)), ==, 4);
  for (; i < G_N_ELEMENTS (prio); i++)
    post_with_priority (kernel, a, i, prio[i]);
  all = janus_agent_get_messages (AGENT (a));
  assert_values (all, expected, G_N_ELEMENTS (expected));
  finish (kernel, a, NULL);
}

/* The agent reads one message per step. A message of higher priority that
 * arrives while older, less urgent ones are unread is read first at the
 * agent's next step. */
static void
test_kind_priority_urgent_first (gconstpointer data)
{
  static const gint64 expected[] = { 0, 9, 1, 2, 3 };
  JanusKernel *kernel = janus_kernel_new (0);
  TestAgent *a = mailbox_agent_new (op_take_one_live, GPOINTER_TO_INT (data));

  op_set_kind (a, JANUS_MAILBOX_KIND_PRIORITY);
  launch_ok (kernel, a, NULL, NULL);
  post_with_priority (kernel, a, 0, 1);
  post_with_priority (kernel, a, 1, 1);
  post_with_priority (kernel, a, 2, 1);
  test_step (kernel);
  g_assert_cmpuint (a->got->len, ==, 1);      /* took 0; 1 and 2 unread */

  post_with_priority (kernel, a, 9, 100);
  test_step (kernel);                              /* its next step */
  g_assert_cmpuint (a->got->len, ==, 2);
  g_assert_cmpint (value_of (a->got->pdata[1]), ==, 9);

  /* what is left, most urgent first */
  a->live = take_all_live;
  post_with_priority (kernel, a, 3, -5);
  step_until_idle (kernel, 10);
  g_assert_cmpuint (a->got->len, ==, 5);
  assert_values (a->got, expected, G_N_ELEMENTS (expected));
  finish (kernel, a, NULL);
}

static void
count_notify (GObject    *object,
              GParamSpec *pspec,
              gpointer    data)
{
  (*(guint *) data)++;
}

/* Switching a FIFO mailbox holding messages to PRIORITY re-sorts them. */
static void
test_kind_switch_resorts (gconstpointer data)
{
  static const int prio[] = { 0, 4, -1, 4, 9, 0 };
  static const gint64 fifo[] = { 0, 1, 2, 3, 4, 5 };
  static const gint64 sorted[] = { 4, 1, 3, 0, 5, 2 };
  JanusKernel *kernel = janus_kernel_new (0);
  TestAgent *a = mailbox_agent_new (NULL, GPOINTER_TO_INT (data));
  g_autoptr(GPtrArray) before = NULL;
  g_autoptr(GPtrArray) after = NULL;
  JanusMailboxKind kind;
  guint notified = 0;
  guint i;

  launch_ok (kernel, a, NULL, NULL);
  step_until_idle (kernel, 10);
  for (i = 0; i < G_N_ELEMENTS (prio); i++)
    post_with_priority (kernel, a, i, prio[i]);
  before = op_peek_messages (a);
  assert_values (before, fifo, G_N_ELEMENTS (fifo));

  g_signal_connect (a, "notify::mailbox-kind", G_CALLBACK (count_notify), &notified);
  op_set_kind (a, JANUS_MAILBOX_KIND_PRIORITY);
  op_set_kind (a, JANUS_MAILBOX_KIND_PRIORITY);      /* no change, no notify */
  g_assert_cmpuint (notified, ==, 1);
  g_object_get (a, "mailbox-kind", &kind, NULL);
  g_assert_cmpint (kind, ==, JANUS_MAILBOX_KIND_PRIORITY);
  g_assert_cmpint (janus_mailbox_get_kind (mbox (a)), ==, JANUS_MAILBOX_KIND_PRIORITY);

  after = op_peek_messages (a);
  assert_values (after, sorted, G_N_ELEMENTS (sorted));
  g_assert_cmpuint (op_size (a), ==, G_N_ELEMENTS (sorted));
  g_clear_pointer (&after, g_ptr_array_unref);
  after = op_get_messages (a);
  assert_values (after, sorted, G_N_ELEMENTS (sorted));
  finish (kernel, a, NULL);
}

static JanusLive
black_hole_live (TestAgent *self)
{
  g_assert_null (op_get_message (self));
  g_assert_null (op_peek_message (self));
  g_assert_false (op_has_message (self));
  g_assert_cmpuint (op_size (self), ==, 0);
  return JANUS_LIVE_WAIT;
}

/* Every message delivered to a black hole is a dead letter, counted and
 * signalled once. */
static void
test_kind_black_hole (gconstpointer data)
{
  JanusKernel *kernel = janus_kernel_new (0);
  TestAgent *a = mailbox_agent_new (black_hole_live, GPOINTER_TO_INT (data));
  guint signalled = 0, i;

  g_signal_connect (kernel, "dead-letter", G_CALLBACK (count_dead_letter), &signalled);
  op_set_kind (a, JANUS_MAILBOX_KIND_BLACK_HOLE);
  launch_ok (kernel, a, NULL, NULL);
  for (i = 0; i < 5; i++)
    post (kernel, a, i);
  step_until_idle (kernel, 10);
  g_assert_cmpuint (janus_kernel_get_dead_letter_count (kernel), ==, 5);
  g_assert_cmpuint (signalled, ==, 5);

  for (i = 0; i < 3; i++)
    post (kernel, a, i);
  step_until_idle (kernel, 10);
  g_assert_cmpuint (janus_kernel_get_dead_letter_count (kernel), ==, 8);
  g_assert_cmpuint (signalled, ==, 8);
  g_assert_true (janus_agent_is_alive (AGENT (a)));
  g_assert_cmpuint (a->n_live, ==, 2);

  finish (kernel, a, NULL);
}

/* Switching to BLACK_HOLE turns what the mailbox holds into dead letters. */
static void
test_kind_black_hole_switch (gconstpointer data)
{
  JanusKernel *kernel = janus_kernel_new (0);
  TestAgent *a = mailbox_agent_new (NULL, GPOINTER_TO_INT (data));
  guint signalled = 0, i;

  g_signal_connect (kernel, "dead-letter", G_CALLBACK (count_dead_letter), &signalled);
  launch_ok (kernel, a, NULL, NULL);
  step_until_idle (kernel, 10);
  for (i = 0; i < 4; i++)
    post (kernel, a, i);
  g_assert_cmpuint (op_size (a), ==, 4);
  g_assert_cmpuint (janus_kernel_get_dead_letter_count (kernel), ==, 0);

  op_set_kind (a, JANUS_MAILBOX_KIND_BLACK_HOLE);
  g_assert_cmpuint (janus_kernel_get_dead_letter_count (kernel), ==, 4);
  g_assert_cmpuint (signalled, ==, 4);
  g_assert_cmpuint (op_size (a), ==, 0);
  g_assert_false (op_has_message (a));
  finish (kernel, a, NULL);
  /* nothing was left to die with the agent */
  g_assert_cmpuint (signalled, ==, 4);
}

/* ----------------------------------------------------------- iterator */

typedef struct
{
  const gint64 *steal;        /* values to steal, -1 terminated */
  const gint64 *walk;         /* values visited, -1 terminated */
  const gint64 *left;         /* values left after the walk, -1 terminated */
} IterCase;

static gboolean
in_list (const gint64 *list,
         gint64        v)
{
  for (; *list >= 0; list++)
    if (*list == v)
      return TRUE;
  return FALSE;
}

static guint
list_length (const gint64 *list)
{
  guint n = 0;

  while (list[n] >= 0)
    n++;
  return n;
}

static JanusLive
iter_live (TestAgent *self)
{
  const IterCase *c = self->data;
  g_autoptr(GPtrArray) left = NULL;
  JanusMailboxIter iter;
  JanusMessage *m;
  guint visited = 0;

  janus_mailbox_iter_init (&iter, mbox (self));
  while (janus_mailbox_iter_next (&iter, &m))
    {
      gint64 v = value_of (m);

      g_assert_cmpint (v, ==, c->walk[visited]);
      visited++;
      if (in_list (c->steal, v))
        {
          JanusMessage *s = janus_mailbox_iter_steal (&iter);
          g_assert_true (s == m);
          test_agent_keep (self, s);
        }
    }
  g_assert_cmpuint (visited, ==, list_length (c->walk));
  g_assert_false (janus_mailbox_iter_next (&iter, NULL));

  /* the rest stays, in order; the queue's ends are right */
  g_assert_cmpuint (op_size (self), ==, list_length (c->left));
  left = op_peek_messages (self);
  assert_values (left, c->left, list_length (c->left));
  return JANUS_LIVE_WAIT;
}

static void
test_iter (gconstpointer data)
{
  const IterCase *c = data;
  JanusKernel *kernel = janus_kernel_new (0);
  TestAgent *a = mailbox_agent_new (iter_live, TRUE);
  guint i, n_left = list_length (c->left);

  a->data = (gpointer) c;
  launch_ok (kernel, a, NULL, NULL);
  for (i = 0; i < 5; i++)
    post (kernel, a, i);
  step_until_idle (kernel, 10);
  g_assert_cmpuint (a->n_live, ==, 1);
  g_assert_cmpuint (a->got->len, ==, list_length (c->steal));
  for (i = 0; i < a->got->len; i++)
    g_assert_cmpint (value_of (a->got->pdata[i]), ==, c->steal[i]);

  /* a new message goes after what was left (the tail survived the steals) */
  a->live = take_all_live;
  post (kernel, a, 99);
  step_until_idle (kernel, 10);
  g_assert_cmpuint (a->got->len, ==, list_length (c->steal) + n_left + 1);
  for (i = 0; i < n_left; i++)
    g_assert_cmpint (value_of (a->got->pdata[list_length (c->steal) + i]), ==, c->left[i]);
  g_assert_cmpint (value_of (a->got->pdata[a->got->len - 1]), ==, 99);
  finish (kernel, a, NULL);
}

static const gint64 all5[] = { 0, 1, 2, 3, 4, -1 };
static const gint64 none[] = { -1 };
static const gint64 first_middle_last[] = { 0, 2, 4, -1 };
static const gint64 odd[] = { 1, 3, -1 };
static const gint64 last_only[] = { 4, -1 };
static const gint64 first_four[] = { 0, 1, 2, 3, -1 };
static const gint64 adjacent[] = { 1, 2, -1 };
static const gint64 not_adjacent[] = { 0, 3, 4, -1 };

static const IterCase iter_walk = { none, all5, all5 };
static const IterCase iter_steal_fml = { first_middle_last, all5, odd };
static const IterCase iter_steal_all = { all5, all5, none };
static const IterCase iter_steal_last = { last_only, all5, first_four };
static const IterCase iter_steal_adjacent = { adjacent, all5, not_adjacent };

/* The driving thread walks the mailbox between steps: it sees what
 * peek_messages and get_mailbox_size see. */
static void
test_iter_driver_sees_all (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  TestAgent *a = mailbox_agent_new (NULL, TRUE);
  g_autoptr(GPtrArray) peeked = NULL;
  JanusMailboxIter iter;
  JanusMessage *m;
  gint64 next = 0;
  guint i;

  launch_ok (kernel, a, NULL, NULL);
  step_until_idle (kernel, 10);
  for (i = 0; i < 3; i++)
    post (kernel, a, i);
  g_assert_cmpint (value_of (janus_agent_peek_message (AGENT (a))), ==, 0);
  for (; i < 5; i++)
    post (kernel, a, i);

  janus_mailbox_iter_init (&iter, mbox (a));
  while (janus_mailbox_iter_next (&iter, &m))
    g_assert_cmpint (value_of (m), ==, next++);
  peeked = janus_agent_peek_messages (AGENT (a));
  g_assert_cmpuint (peeked->len, ==, 5);
  g_assert_cmpint (next, ==, 5);
  finish (kernel, a, NULL);
}

/* ------------------------------------------------------- owner rule */

typedef enum {
  PEEK_AGENT_API,
  PEEK_MAILBOX_OBJECT,
  PEEK_ITER,
} PeekWay;

static JanusLive
nosy_live (TestAgent *self)
{
  TestAgent *victim = self->data;
  JanusMailboxIter iter;

  switch ((PeekWay) self->mode)
    {
    case PEEK_AGENT_API:
      g_assert_null (janus_agent_get_message (AGENT (victim)));
      break;
    case PEEK_MAILBOX_OBJECT:
      janus_mailbox_get_size (mbox (victim));
      break;
    case PEEK_ITER:
      janus_mailbox_iter_init (&iter, mbox (victim));
      janus_mailbox_iter_next (&iter, NULL);
      break;
    }
  return JANUS_LIVE_WAIT;
}

/* Reading another agent's mailbox from an agent's step is a critical. */
static void
test_owner_other_agent (gconstpointer data)
{
  if (g_test_subprocess ())
    {
      JanusKernel *kernel = janus_kernel_new (0);
      TestAgent *victim = mailbox_agent_new (NULL, FALSE);
      TestAgent *nosy = mailbox_agent_new (nosy_live, FALSE);

      nosy->mode = GPOINTER_TO_INT (data);
      nosy->data = victim;
      launch_ok (kernel, victim, NULL, NULL);
      launch_ok (kernel, nosy, NULL, NULL);
      post (kernel, victim, 1);
      step_until_idle (kernel, 10);
      finish (kernel, victim, nosy, NULL);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*CRITICAL*read only by the agent*");
}

/* On a kernel with workers, the main thread may not read an agent's
 * mailbox. */
static void
test_owner_main_thread_with_workers (void)
{
  if (g_test_subprocess ())
    {
      JanusKernel *kernel = janus_kernel_new (1);
      TestAgent *a = mailbox_agent_new (NULL, FALSE);

      launch_ok (kernel, a, NULL, NULL);
      janus_agent_get_mailbox_size (AGENT (a));
      finish (kernel, a, NULL);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*CRITICAL*read only by the agent*");
}

/* The thread driving a kernel without workers may look between steps; what
 * it takes is gone for the agent. */
static void
test_owner_driver_between_steps (void)
{
  static const gint64 rest[] = { 2, 3 };
  JanusKernel *kernel = janus_kernel_new (0);
  TestAgent *a = mailbox_agent_new (take_all_live, FALSE);
  JanusMessage *m;
  guint i;

  launch_ok (kernel, a, NULL, NULL);
  step_until_idle (kernel, 10);
  for (i = 0; i < 4; i++)
    post (kernel, a, i);

  g_assert_true (janus_agent_has_message (AGENT (a)));
  g_assert_cmpuint (janus_agent_get_mailbox_size (AGENT (a)), ==, 4);
  g_assert_cmpint (value_of (janus_agent_peek_message (AGENT (a))), ==, 0);
  m = janus_agent_get_message (AGENT (a));
  g_assert_cmpint (value_of (m), ==, 0);
  janus_message_unref (m);
  m = janus_mailbox_get_message (mbox (a));
  g_assert_cmpint (value_of (m), ==, 1);
  janus_message_unref (m);
  g_assert_cmpuint (janus_mailbox_get_size (mbox (a)), ==, 2);

  step_until_idle (kernel, 10);
  assert_values (a->got, rest, 2);
  finish (kernel, a, NULL);
}

/* -------------------------------------------------- wait_message, light */

static JanusLive
light_wait_live (TestAgent *self)
{
  gint64 start = g_get_monotonic_time ();
  JanusMessage *m;

  m = op_wait_message (self, 20 * G_USEC_PER_SEC);
  if (self->n_live == 1)
    g_assert_null (m);                  /* empty: returns, does not block */
  else
    {
      g_assert_cmpint (value_of (m), ==, 7);
      test_agent_keep (self, m);
      m = op_wait_message (self, -1);
      g_assert_cmpint (value_of (m), ==, 8);
      test_agent_keep (self, m);
      g_assert_null (op_wait_message (self, -1));
    }
  /* far below the 20 s a blocking wait would take */
  g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);
  return JANUS_LIVE_WAIT;
}

static void
test_wait_message_light (gconstpointer data)
{
  JanusKernel *kernel = janus_kernel_new (0);
  TestAgent *a = mailbox_agent_new (light_wait_live, GPOINTER_TO_INT (data));

  launch_ok (kernel, a, NULL, NULL);
  step_until_idle (kernel, 10);
  g_assert_cmpuint (a->n_live, ==, 1);
  post (kernel, a, 7);
  post (kernel, a, 8);
  step_until_idle (kernel, 10);
  g_assert_cmpuint (a->n_live, ==, 2);
  g_assert_cmpuint (a->got->len, ==, 2);
  finish (kernel, a, NULL);
}

/* ------------------------------------------- mailbox outliving its agent */

static void
assert_detached (JanusMailbox *mailbox)
{
  g_autoptr(GPtrArray) got = NULL;
  g_autoptr(GPtrArray) peeked = NULL;
  JanusMailboxIter iter;
  JanusMessage *m = NULL;

  g_assert_null (janus_mailbox_get_agent (mailbox));
  g_assert_null (janus_mailbox_get_message (mailbox));
  g_assert_null (janus_mailbox_peek_message (mailbox));
  got = janus_mailbox_get_messages (mailbox);
  g_assert_nonnull (got);
  g_assert_cmpuint (got->len, ==, 0);
  peeked = janus_mailbox_peek_messages (mailbox);
  g_assert_nonnull (peeked);
  g_assert_cmpuint (peeked->len, ==, 0);
  g_assert_false (janus_mailbox_has_message (mailbox));
  g_assert_cmpuint (janus_mailbox_get_size (mailbox), ==, 0);
  g_assert_null (janus_mailbox_wait_message (mailbox, 0));
  g_assert_null (janus_mailbox_wait_message (mailbox, -1));
  janus_mailbox_set_kind (mailbox, JANUS_MAILBOX_KIND_PRIORITY);
  g_assert_cmpint (janus_mailbox_get_kind (mailbox), ==, JANUS_MAILBOX_KIND_FIFO);
  janus_mailbox_iter_init (&iter, mailbox);
  g_assert_false (janus_mailbox_iter_next (&iter, &m));
}

static void
test_finalized_unlaunched (void)
{
  TestAgent *a = mailbox_agent_new (NULL, FALSE);
  JanusMailbox *mailbox = g_object_ref (janus_agent_get_mailbox (AGENT (a)));

  g_assert_finalize_object (a);
  assert_detached (mailbox);
  g_assert_finalize_object (mailbox);
}

/* The agent died with messages in its mailbox, then was finalized. */
static void
test_finalized_after_death (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  TestAgent *a = mailbox_agent_new (op_take_one_live, FALSE);
  JanusMailbox *mailbox = g_object_ref (janus_agent_get_mailbox (AGENT (a)));
  guint i;

  launch_ok (kernel, a, NULL, NULL);
  for (i = 0; i < 3; i++)
    post (kernel, a, i);
  step_until_idle (kernel, 10);
  g_assert_cmpuint (janus_mailbox_get_size (mailbox), ==, 2);
  g_assert_true (janus_kernel_kill (kernel, AGENT (a), NULL));
  step_until_idle (kernel, 10);
  g_assert_cmpint (janus_agent_get_state (AGENT (a)), ==, JANUS_AGENT_STATE_DIED);
  g_assert_cmpuint (janus_kernel_get_dead_letter_count (kernel), ==, 2);
  /* a dead agent's mailbox is empty */
  g_assert_cmpuint (janus_mailbox_get_size (mailbox), ==, 0);
  g_assert_null (janus_mailbox_get_message (mailbox));

  finish (kernel, a, NULL);
  assert_detached (mailbox);
  g_assert_finalize_object (mailbox);
}

/* --------------------------------------------------------------- main */

static void
add_both (const char    *path,
          GTestDataFunc  func)
{
  g_autofree char *agent_path = g_strdup_printf ("/mailbox/agent/%s", path);
  g_autofree char *object_path = g_strdup_printf ("/mailbox/object/%s", path);

  g_test_add_data_func (agent_path, GINT_TO_POINTER (FALSE), func);
  g_test_add_data_func (object_path, GINT_TO_POINTER (TRUE), func);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  /* a failing test does not stop the
   * binary: the other tests still run and report */
  g_test_set_nonfatal_assertions ();

  g_test_add_func ("/mailbox/object/identity", test_object_identity);

  add_both ("get-message-order", test_get_message_order);
  add_both ("peek-message", test_peek_message);
  add_both ("get-messages", test_get_messages);
  add_both ("peek-messages", test_peek_messages);
  add_both ("has-message-size", test_has_message_size);
  add_both ("one-look/self-send", test_one_look_self_send);
  add_both ("kind/priority", test_kind_priority);
  add_both ("kind/priority-urgent-first", test_kind_priority_urgent_first);
  add_both ("kind/switch-resorts", test_kind_switch_resorts);
  add_both ("kind/black-hole", test_kind_black_hole);
  add_both ("kind/black-hole-switch", test_kind_black_hole_switch);
  add_both ("wait-message/light-does-not-block", test_wait_message_light);

  g_test_add_data_func ("/mailbox/one-look/later-sender/wait",
                        GINT_TO_POINTER (JANUS_LIVE_WAIT), test_one_look_later_sender);
  g_test_add_data_func ("/mailbox/one-look/later-sender/again",
                        GINT_TO_POINTER (JANUS_LIVE_AGAIN), test_one_look_later_sender);

  g_test_add_func ("/mailbox/wait/unread-sleeps", test_wait_with_unread);
  g_test_add_func ("/mailbox/wait/never-reading-sleeps", test_wait_never_reading);

  g_test_add_func ("/mailbox/kind/priority-merge", test_kind_priority_merge);

  g_test_add_data_func ("/mailbox/iter/walk", &iter_walk, test_iter);
  g_test_add_data_func ("/mailbox/iter/steal-first-middle-last", &iter_steal_fml, test_iter);
  g_test_add_data_func ("/mailbox/iter/steal-all", &iter_steal_all, test_iter);
  g_test_add_data_func ("/mailbox/iter/steal-last", &iter_steal_last, test_iter);
  g_test_add_data_func ("/mailbox/iter/steal-adjacent", &iter_steal_adjacent, test_iter);
  g_test_add_func ("/mailbox/iter/driver-sees-all", test_iter_driver_sees_all);

  g_test_add_data_func ("/mailbox/owner/other-agent/agent-api",
                        GINT_TO_POINTER (PEEK_AGENT_API), test_owner_other_agent);
  g_test_add_data_func ("/mailbox/owner/other-agent/mailbox-object",
                        GINT_TO_POINTER (PEEK_MAILBOX_OBJECT), test_owner_other_agent);
  g_test_add_data_func ("/mailbox/owner/other-agent/iter",
                        GINT_TO_POINTER (PEEK_ITER), test_owner_other_agent);
  g_test_add_func ("/mailbox/owner/main-thread-with-workers", test_owner_main_thread_with_workers);
  g_test_add_func ("/mailbox/owner/driver-between-steps", test_owner_driver_between_steps);

  g_test_add_func ("/mailbox/finalized/unlaunched", test_finalized_unlaunched);
  g_test_add_func ("/mailbox/finalized/after-death", test_finalized_after_death);

  return g_test_run ();
}
