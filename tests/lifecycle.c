/* SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The agent life-cycle: UNBORN → BORN → ALIVE → DYING → BREAKING_DOWN →
 * DIED, activate/live/end ordering, failures, JanusLive results, kill_me,
 * WAIT sleeping and activation prototypes. Deterministic: 0-worker kernels
 * driven with janus_kernel_step () / janus_kernel_run (), plus one run on a
 * 2-worker kernel with bounded waits.
 */
#include <string.h>

#include <janus.h>

#include "janus-test-utils.h"

/* ------------------------------------------------------------- normal */

static void
test_normal (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  TestAgent *agent = test_agent_new_countdown (3);

  g_assert_cmpint (janus_agent_get_state (JANUS_AGENT (agent)), ==, JANUS_AGENT_STATE_UNBORN);
  launch_ok (kernel, agent, "normal", NULL);
  g_assert_cmpint (janus_agent_get_state (JANUS_AGENT (agent)), ==, JANUS_AGENT_STATE_BORN);
  g_assert_true (janus_agent_is_alive (JANUS_AGENT (agent)));
  assert_log (agent, "");
  g_assert_cmpuint (janus_kernel_get_agent_count (kernel), ==, 1);

  /* activate and the first live in the first step */
  g_assert_true (janus_kernel_step (kernel));
  assert_log (agent, "al");
  g_assert_cmpint (janus_agent_get_state (JANUS_AGENT (agent)), ==, JANUS_AGENT_STATE_ALIVE);

  g_assert_true (janus_kernel_step (kernel));
  assert_log (agent, "all");
  g_assert_cmpint (janus_agent_get_state (JANUS_AGENT (agent)), ==, JANUS_AGENT_STATE_ALIVE);

  /* DONE: end in the same step, nothing runnable afterwards */
  g_assert_false (janus_kernel_step (kernel));
  assert_log (agent, "allle");
  g_assert_cmpint (janus_agent_get_state (JANUS_AGENT (agent)), ==, JANUS_AGENT_STATE_DIED);
  g_assert_false (janus_agent_is_alive (JANUS_AGENT (agent)));
  g_assert_cmpuint (janus_kernel_get_agent_count (kernel), ==, 0);

  g_assert_false (janus_kernel_step (kernel));
  assert_log (agent, "allle");

  g_assert_cmpint (agent->state_in_activate, ==, JANUS_AGENT_STATE_BORN);
  g_assert_cmpint (agent->state_in_live, ==, JANUS_AGENT_STATE_ALIVE);
  g_assert_cmpint (agent->state_in_end, ==, JANUS_AGENT_STATE_BREAKING_DOWN);

  unref_last (kernel);
  unref_last (agent);
}

static void
test_normal_run (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  TestAgent *agent = test_agent_new_countdown (5);

  launch_ok (kernel, agent, NULL, NULL);
  janus_kernel_run (kernel);
  assert_log (agent, "allllle");
  g_assert_cmpint (janus_agent_get_state (JANUS_AGENT (agent)), ==, JANUS_AGENT_STATE_DIED);
  g_assert_cmpuint (janus_kernel_get_agent_count (kernel), ==, 0);

  unref_last (kernel);
  unref_last (agent);
}

static void
test_state_notify_sequence (void)
{
  static const JanusAgentState expected[] = {
    JANUS_AGENT_STATE_BORN,
    JANUS_AGENT_STATE_ALIVE,
    JANUS_AGENT_STATE_DYING,
    JANUS_AGENT_STATE_BREAKING_DOWN,
    JANUS_AGENT_STATE_DIED,
  };
  JanusKernel *kernel = janus_kernel_new (0);
  TestAgent *agent = test_agent_new_countdown (2);
  guint i;

  /* UNBORN is the initial state: nothing announced before launch */
  assert_states (agent, NULL, 0);
  launch_ok (kernel, agent, NULL, NULL);
  /* BORN is announced by the launch itself, on the launching thread */
  assert_states (agent, expected, 1);
  g_assert_true (g_ptr_array_index (agent->state_threads, 0) == g_thread_self ());

  janus_kernel_run (kernel);
  assert_states (agent, expected, G_N_ELEMENTS (expected));
  /* 0 workers: every state on the driving thread */
  for (i = 0; i < agent->state_threads->len; i++)
    g_assert_true (g_ptr_array_index (agent->state_threads, i) == g_thread_self ());

  /* nothing more after death */
  janus_kernel_shutdown (kernel);
  assert_states (agent, expected, G_N_ELEMENTS (expected));

  unref_last (kernel);
  unref_last (agent);
}

/* ---------------------------------------------------- failing activate */


static gboolean
activate_fail_with_error (TestAgent  *self,
                          GVariant   *parameters,
                          GError    **error)
{
  g_set_error_literal (error, TEST_ERROR, 42, "activation refused on purpose");
  return FALSE;
}

static gboolean
activate_fail_silently (TestAgent  *self,
                        GVariant   *parameters,
                        GError    **error)
{
  return FALSE;
}

static void
test_activate_fails (gconstpointer data)
{
  static const JanusAgentState expected[] = {
    JANUS_AGENT_STATE_BORN,
    JANUS_AGENT_STATE_DYING,
    JANUS_AGENT_STATE_BREAKING_DOWN,
    JANUS_AGENT_STATE_DIED,
  };
  gboolean with_error = GPOINTER_TO_INT (data);
  JanusKernel *kernel = janus_kernel_new (0);
  TestAgent *before = test_agent_new_countdown (3);
  TestAgent *failing = test_agent_new (NULL, NULL);
  TestAgent *after = test_agent_new_countdown (3);
  FailRecord record = { 0 };

  g_mutex_init (&record.lock);
  failing->activate = with_error ? activate_fail_with_error : activate_fail_silently;
  g_signal_connect (kernel, "agent-failed", G_CALLBACK (on_agent_failed), &record);

  launch_ok (kernel, before, "before", NULL);
  launch_ok (kernel, failing, "failing", NULL);
  launch_ok (kernel, after, "after", NULL);

  /* the failure is dealt with in the failing agent's first step */
  g_assert_true (janus_kernel_step (kernel));
  g_assert_cmpuint (record.count, ==, 1);
  g_assert_true (record.agent == JANUS_AGENT (failing));
  if (with_error)
    {
      g_assert_cmpuint (record.domain, ==, TEST_ERROR);
      g_assert_cmpint (record.code, ==, 42);
      g_assert_cmpstr (record.message, ==, "activation refused on purpose");
    }
  else
    {
      g_autofree char *address = janus_address_to_string (ADDR (failing));

      g_assert_cmpuint (record.domain, ==, JANUS_KERNEL_ERROR);
      g_assert_cmpint (record.code, ==, JANUS_KERNEL_ERROR_FAILED);
      /* the message names the agent: its name, type and address */
      g_assert_nonnull (strstr (record.message, "failing"));
      g_assert_nonnull (strstr (record.message, "TestAgent"));
      g_assert_nonnull (strstr (record.message, address));
    }

  /* end still runs, live never does */
  assert_log (failing, "ae");
  g_assert_cmpint (janus_agent_get_state (JANUS_AGENT (failing)), ==, JANUS_AGENT_STATE_DIED);
  g_assert_cmpint (failing->state_in_end, ==, JANUS_AGENT_STATE_BREAKING_DOWN);
  assert_states (failing, expected, G_N_ELEMENTS (expected));

  /* the others go on and finish normally */
  janus_kernel_run (kernel);
  assert_log (before, "allle");
  assert_log (after, "allle");
  g_assert_cmpuint (record.count, ==, 1);
  g_assert_cmpuint (janus_kernel_get_agent_count (kernel), ==, 0);

  unref_last (kernel);
  unref_last (before);
  unref_last (failing);
  unref_last (after);
  fail_record_clear (&record);
}

/* -------------------------------------------------- janus_agent_fail */

static void
fail_in_timer (JanusAgent *agent,
               gpointer    data)
{
  g_autoptr(GError) error = g_error_new_literal (TEST_ERROR, 7, "the timer failed");

  janus_agent_fail (agent, error);
  /* reported at once; the death comes at the end of the step */
  g_assert_cmpint (janus_agent_get_state (agent), ==, JANUS_AGENT_STATE_ALIVE);
}

static void
set_failing_timer (TestAgent *self,
                   gpointer   data)
{
  janus_agent_call_in (AGENT (self), 0, fail_in_timer, NULL, NULL);
}

static void
fail_in_end (TestAgent *self)
{
  g_autoptr(GError) error = g_error_new_literal (TEST_ERROR, 8, "the end failed");

  janus_agent_fail (AGENT (self), error);
}

/* An agent fails from a timer (agent-failed, then it dies), and again from
 * its end (reported only). */
static void
test_agent_fail (guint         workers,
                 gconstpointer data)
{
  JanusKernel *kernel = janus_kernel_new (workers);
  TestAgent *agent = test_agent_new (NULL, NULL);
  FailRecord record = { 0 };

  g_mutex_init (&record.lock);
  g_signal_connect (kernel, "agent-failed", G_CALLBACK (on_agent_failed), &record);
  agent->on_activate = set_failing_timer;
  agent->end = fail_in_end;
  launch_ok (kernel, agent, "failing", NULL);
  if (workers == 0)
    janus_kernel_run (kernel);
  else
    {
      gint64 deadline = g_get_monotonic_time () + DEADLINE_USEC;

      while (!test_agent_has_ended (agent))
        {
          g_assert_cmpint (g_get_monotonic_time (), <, deadline);
          g_thread_yield ();
        }
    }
  janus_kernel_shutdown (kernel);
  g_assert_cmpint (janus_agent_get_state (AGENT (agent)), ==, JANUS_AGENT_STATE_DIED);
  g_assert_cmpint (agent->n_end, ==, 1);
  g_assert_cmpuint (record.count, ==, 2);
  g_assert_true (record.agent == AGENT (agent));
  g_assert_cmpint (record.code, ==, 8);         /* the last one, from end */
  g_assert_cmpstr (record.message, ==, "the end failed");
  unref_last (kernel);
  unref_last (agent);
  fail_record_clear (&record);
}

static void
fail_from_outside (const char *name)
{
  JanusKernel *kernel = janus_kernel_new (0);
  TestAgent *agent = launch_alive (kernel, test_agent_new (NULL, NULL));
  g_autoptr(GError) error = g_error_new_literal (TEST_ERROR, 1, "no");

  /* not from the agent's own step */
  janus_agent_fail (AGENT (agent), error);
}

/* ------------------------------------------------------- live results */

static void
test_invalid_live_result (gconstpointer data)
{
  int value = GPOINTER_TO_INT (data);
  JanusKernel *kernel = janus_kernel_new (0);
  TestAgent *agent = test_agent_new (NULL, NULL);
  TestAgent *other = test_agent_new_countdown (2);
  FailRecord record = { 0 };

  g_mutex_init (&record.lock);
  agent->live_result = (JanusLive) value;
  g_signal_connect (kernel, "agent-failed", G_CALLBACK (on_agent_failed), &record);
  launch_ok (kernel, agent, "bad-live", NULL);
  launch_ok (kernel, other, "other", NULL);

  g_assert_true (janus_kernel_step (kernel));
  g_assert_cmpuint (record.count, ==, 1);
  g_assert_true (record.agent == JANUS_AGENT (agent));
  g_assert_cmpuint (record.domain, ==, JANUS_KERNEL_ERROR);
  g_assert_cmpint (record.code, ==, JANUS_KERNEL_ERROR_INVALID_LIVE_RESULT);
  g_assert_nonnull (strstr (record.message, "bad-live"));
  assert_log (agent, "ale");
  g_assert_cmpint (janus_agent_get_state (JANUS_AGENT (agent)), ==, JANUS_AGENT_STATE_DIED);

  janus_kernel_run (kernel);
  assert_log (agent, "ale");
  assert_log (other, "alle");
  g_assert_cmpuint (record.count, ==, 1);

  unref_last (kernel);
  unref_last (agent);
  unref_last (other);
  fail_record_clear (&record);
}

static void
test_live_done (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  TestAgent *agent = test_agent_new (NULL, NULL);
  FailRecord record = { 0 };

  g_mutex_init (&record.lock);
  agent->live_result = JANUS_LIVE_DONE;
  g_signal_connect (kernel, "agent-failed", G_CALLBACK (on_agent_failed), &record);
  launch_ok (kernel, agent, NULL, NULL);

  g_assert_false (janus_kernel_step (kernel));
  assert_log (agent, "ale");
  g_assert_cmpint (janus_agent_get_state (JANUS_AGENT (agent)), ==, JANUS_AGENT_STATE_DIED);
  g_assert_cmpuint (record.count, ==, 0);
  g_assert_false (janus_kernel_step (kernel));
  assert_log (agent, "ale");

  unref_last (kernel);
  unref_last (agent);
  fail_record_clear (&record);
}

/* ---------------------------------------------------------- ordering */

static gboolean
activate_check_no_live (TestAgent  *self,
                        GVariant   *parameters,
                        GError    **error)
{
  /* live must not have run yet, and must not run while we are here */
  g_assert_cmpint (self->n_live, ==, 0);
  g_assert_cmpint (self->n_end, ==, 0);
  return TRUE;
}

static void
test_activate_before_live (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  TestAgent *agents[4];
  guint i;

  for (i = 0; i < G_N_ELEMENTS (agents); i++)
    {
      agents[i] = test_agent_new_countdown (2);
      agents[i]->activate = activate_check_no_live;
      launch_ok (kernel, agents[i], NULL, NULL);
      /* launching does not run activate */
      assert_log (agents[i], "");
    }

  /* one step: each agent is activated and lives right after */
  g_assert_true (janus_kernel_step (kernel));
  for (i = 0; i < G_N_ELEMENTS (agents); i++)
    assert_log (agents[i], "al");

  janus_kernel_run (kernel);
  for (i = 0; i < G_N_ELEMENTS (agents); i++)
    {
      assert_log (agents[i], "alle");
      g_assert_false (agents[i]->overlap);
    }

  unref_last (kernel);
  for (i = 0; i < G_N_ELEMENTS (agents); i++)
    unref_last (agents[i]);
}

/* live asks for its death every way at once: end still runs once */
static JanusLive
live_die_many_ways (TestAgent *self)
{
  JanusAgent *agent = JANUS_AGENT (self);
  GError *error = NULL;

  janus_agent_kill_me (agent);
  janus_agent_kill_me (agent);
  g_assert_true (janus_agent_kill (agent, agent, &error));
  g_assert_no_error (error);
  g_assert_true (janus_kernel_kill (janus_agent_get_kernel (agent), agent, &error));
  g_assert_no_error (error);
  janus_kernel_kill_all (janus_agent_get_kernel (agent));
  return JANUS_LIVE_DONE;
}

static void
test_end_once (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  TestAgent *agent = test_agent_new (NULL, NULL);
  TestAgent *waiting = test_agent_new (NULL, NULL);
  GError *error = NULL;

  agent->live = live_die_many_ways;
  launch_ok (kernel, agent, NULL, NULL);
  launch_ok (kernel, waiting, NULL, NULL);
  g_assert_false (janus_kernel_step (kernel));
  assert_log (agent, "ale");
  /* the kill_all in agent's live reached the other agent while it was
   * still BORN: it is activated, then dies without living */
  assert_log (waiting, "ae");

  /* killing the dead does not run end again */
  g_assert_true (janus_kernel_kill (kernel, JANUS_AGENT (agent), &error));
  g_assert_no_error (error);
  janus_kernel_kill_all (kernel);
  janus_kernel_run (kernel);
  janus_kernel_shutdown (kernel);
  assert_log (agent, "ale");
  assert_log (waiting, "ae");

  unref_last (kernel);
  unref_last (agent);
  unref_last (waiting);
}

/* ------------------------------------------------------------ kill_me */

static JanusLive
live_kill_me_then_again (TestAgent *self)
{
  janus_agent_kill_me (JANUS_AGENT (self));
  /* still running: the death waits for the end of the step */
  g_assert_cmpint (janus_agent_get_state (JANUS_AGENT (self)), ==, JANUS_AGENT_STATE_ALIVE);
  g_assert_cmpint (self->n_end, ==, 0);
  self->after_kill_me = TRUE;
  return JANUS_LIVE_AGAIN;
}

static void
test_kill_me_deferred (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  TestAgent *agent = test_agent_new (NULL, NULL);
  TestAgent *bystander = test_agent_new_countdown (3);

  agent->live = live_kill_me_then_again;
  launch_ok (kernel, agent, NULL, NULL);
  launch_ok (kernel, bystander, NULL, NULL);

  g_assert_true (janus_kernel_step (kernel));
  g_assert_true (agent->after_kill_me);
  /* AGAIN was overridden by kill_me: dead at the end of the step */
  assert_log (agent, "ale");
  g_assert_cmpint (janus_agent_get_state (JANUS_AGENT (agent)), ==, JANUS_AGENT_STATE_DIED);

  step_until_idle (kernel, 10);
  assert_log (agent, "ale");
  assert_log (bystander, "allle");

  unref_last (kernel);
  unref_last (agent);
  unref_last (bystander);
}

static JanusLive
live_kill_me_then_wait (TestAgent *self)
{
  janus_agent_kill_me (JANUS_AGENT (self));
  self->after_kill_me = TRUE;
  return JANUS_LIVE_WAIT;
}

static gboolean
activate_kill_me (TestAgent  *self,
                  GVariant   *parameters,
                  GError    **error)
{
  janus_agent_kill_me (JANUS_AGENT (self));
  self->after_kill_me = TRUE;
  return TRUE;
}

static void
test_kill_me_wait (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  TestAgent *agent = test_agent_new (NULL, NULL);

  /* WAIT after kill_me: the agent must not go to sleep alive */
  agent->live = live_kill_me_then_wait;
  launch_ok (kernel, agent, NULL, NULL);
  g_assert_false (janus_kernel_step (kernel));
  g_assert_true (agent->after_kill_me);
  assert_log (agent, "ale");
  g_assert_cmpint (janus_agent_get_state (JANUS_AGENT (agent)), ==, JANUS_AGENT_STATE_DIED);
  g_assert_cmpuint (janus_kernel_get_agent_count (kernel), ==, 0);

  unref_last (kernel);
  unref_last (agent);
}

static void
test_kill_me_in_activate (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  TestAgent *agent = test_agent_new (NULL, NULL);

  /* kill_me from activate: takes effect when activate returns, no live */
  agent->activate = activate_kill_me;
  agent->live_result = JANUS_LIVE_AGAIN;
  launch_ok (kernel, agent, NULL, NULL);
  g_assert_false (janus_kernel_step (kernel));
  g_assert_true (agent->after_kill_me);
  assert_log (agent, "ae");
  g_assert_cmpint (janus_agent_get_state (JANUS_AGENT (agent)), ==, JANUS_AGENT_STATE_DIED);

  unref_last (kernel);
  unref_last (agent);
}

/* --------------------------------------------------------------- AGAIN */

static void
test_again_stepping (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  TestAgent *a = test_agent_new (NULL, NULL);
  TestAgent *b = test_agent_new (NULL, NULL);
  int i;

  a->live_result = JANUS_LIVE_AGAIN;
  b->live_result = JANUS_LIVE_AGAIN;
  launch_ok (kernel, a, NULL, NULL);
  launch_ok (kernel, b, NULL, NULL);

  /* every step gives each AGAIN agent exactly one turn */
  for (i = 1; i <= 10; i++)
    {
      g_assert_true (janus_kernel_step (kernel));
      g_assert_cmpint (a->n_live, ==, i);
      g_assert_cmpint (b->n_live, ==, i);
    }
  g_assert_cmpint (a->n_activate, ==, 1);
  g_assert_cmpint (a->n_end, ==, 0);

  janus_kernel_kill_all (kernel);
  g_assert_false (janus_kernel_step (kernel));
  g_assert_cmpint (a->n_live, ==, 10);
  g_assert_cmpint (b->n_live, ==, 10);
  g_assert_cmpint (a->n_end, ==, 1);
  g_assert_cmpint (b->n_end, ==, 1);

  unref_last (kernel);
  unref_last (a);
  unref_last (b);
}

/* ---------------------------------------------------------------- WAIT */

static JanusLive
live_read_all_then_wait (TestAgent *self)
{
  g_autoptr(GPtrArray) messages = janus_agent_get_messages (JANUS_AGENT (self));

  self->data = GUINT_TO_POINTER (GPOINTER_TO_UINT (self->data) + messages->len);
  return JANUS_LIVE_WAIT;
}

static void
test_wait_sleeps (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  TestAgent *agent = test_agent_new (NULL, NULL);
  GError *error = NULL;
  int i;

  agent->live = live_read_all_then_wait;
  launch_ok (kernel, agent, NULL, NULL);

  /* activate + live, then asleep: nothing runnable */
  g_assert_false (janus_kernel_step (kernel));
  g_assert_cmpint (agent->n_live, ==, 1);
  for (i = 0; i < 5; i++)
    g_assert_false (janus_kernel_step (kernel));
  g_assert_cmpint (agent->n_live, ==, 1);
  g_assert_cmpint (janus_agent_get_state (JANUS_AGENT (agent)), ==, JANUS_AGENT_STATE_ALIVE);

  /* a message wakes it up for one step */
  g_assert_true (janus_kernel_send (kernel, janus_agent_get_address (JANUS_AGENT (agent)),
                                    janus_message_new ("ping", NULL), &error));
  g_assert_no_error (error);
  g_assert_false (janus_kernel_step (kernel));
  g_assert_cmpint (agent->n_live, ==, 2);
  g_assert_cmpuint (GPOINTER_TO_UINT (agent->data), ==, 1);
  for (i = 0; i < 5; i++)
    g_assert_false (janus_kernel_step (kernel));
  g_assert_cmpint (agent->n_live, ==, 2);

  /* so does janus_agent_wake () */
  janus_agent_wake (JANUS_AGENT (agent));
  g_assert_false (janus_kernel_step (kernel));
  g_assert_cmpint (agent->n_live, ==, 3);
  for (i = 0; i < 5; i++)
    g_assert_false (janus_kernel_step (kernel));
  g_assert_cmpint (agent->n_live, ==, 3);

  /* several wake-ups before the step: still one turn */
  janus_agent_wake (JANUS_AGENT (agent));
  janus_agent_wake (JANUS_AGENT (agent));
  g_assert_false (janus_kernel_step (kernel));
  g_assert_cmpint (agent->n_live, ==, 4);

  assert_log (agent, "allll");
  janus_kernel_kill_all (kernel);
  g_assert_false (janus_kernel_step (kernel));
  assert_log (agent, "alllle");

  unref_last (kernel);
  unref_last (agent);
}

static void
test_wait_unread_message (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  TestAgent *agent = test_agent_new (NULL, NULL);
  GError *error = NULL;
  int i;

  /* returns WAIT without looking at its mailbox: the message that woke it
   * stays unread, and the agent still sleeps until something new happens */
  agent->live_result = JANUS_LIVE_WAIT;
  launch_ok (kernel, agent, NULL, NULL);
  g_assert_false (janus_kernel_step (kernel));
  g_assert_cmpint (agent->n_live, ==, 1);

  g_assert_true (janus_kernel_send (kernel, janus_agent_get_address (JANUS_AGENT (agent)),
                                    janus_message_new ("unread", NULL), &error));
  g_assert_no_error (error);
  g_assert_false (janus_kernel_step (kernel));
  g_assert_cmpint (agent->n_live, ==, 2);
  for (i = 0; i < 5; i++)
    g_assert_false (janus_kernel_step (kernel));
  g_assert_cmpint (agent->n_live, ==, 2);

  /* a new message: one more step */
  g_assert_true (janus_kernel_send (kernel, janus_agent_get_address (JANUS_AGENT (agent)),
                                    janus_message_new ("unread-too", NULL), &error));
  g_assert_no_error (error);
  g_assert_false (janus_kernel_step (kernel));
  g_assert_cmpint (agent->n_live, ==, 3);
  for (i = 0; i < 5; i++)
    g_assert_false (janus_kernel_step (kernel));
  g_assert_cmpint (agent->n_live, ==, 3);

  /* both messages are still there; the mailbox is read between steps */
  g_assert_cmpuint (janus_agent_get_mailbox_size (JANUS_AGENT (agent)), ==, 2);

  janus_kernel_kill_all (kernel);
  step_until_idle (kernel, 10);
  assert_log (agent, "allle");

  unref_last (kernel);
  unref_last (agent);
}

static JanusLive
live_wake_self_once (TestAgent *self)
{
  if (self->n_live == 1)
    janus_agent_wake (JANUS_AGENT (self));
  return JANUS_LIVE_WAIT;
}

static void
test_wait_after_wake_in_step (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  TestAgent *agent = test_agent_new (NULL, NULL);

  /* a wake-up asked while the agent runs makes its next WAIT return at once */
  agent->live = live_wake_self_once;
  launch_ok (kernel, agent, NULL, NULL);
  g_assert_true (janus_kernel_step (kernel));
  g_assert_cmpint (agent->n_live, ==, 1);
  g_assert_false (janus_kernel_step (kernel));
  g_assert_cmpint (agent->n_live, ==, 2);
  g_assert_false (janus_kernel_step (kernel));
  g_assert_cmpint (agent->n_live, ==, 2);

  janus_kernel_kill_all (kernel);
  step_until_idle (kernel, 10);
  assert_log (agent, "alle");

  unref_last (kernel);
  unref_last (agent);
}

/* --------------------------------------------------- activation prototype */

/* ProtoAgent declares "(si)" in class_init; ProtoChild inherits it. */
typedef struct { TestAgent parent_instance; } ProtoAgent;
typedef struct { TestAgentClass parent_class; } ProtoAgentClass;
static GType proto_agent_get_type (void);
G_DEFINE_TYPE (ProtoAgent, proto_agent, test_agent_get_type ())

static void
proto_agent_class_init (ProtoAgentClass *klass)
{
  janus_agent_class_set_activation_prototype (JANUS_AGENT_CLASS (klass), "(si)");
}

static void
proto_agent_init (ProtoAgent *self)
{
}

typedef struct { ProtoAgent parent_instance; } ProtoChild;
typedef struct { ProtoAgentClass parent_class; } ProtoChildClass;
static GType proto_child_get_type (void);
G_DEFINE_TYPE (ProtoChild, proto_child, proto_agent_get_type ())

static void
proto_child_class_init (ProtoChildClass *klass)
{
}

static void
proto_child_init (ProtoChild *self)
{
}

/* TypeProtoAgent gets "(si)" from janus_agent_type_set_activation_prototype */
typedef struct { TestAgent parent_instance; } TypeProtoAgent;
typedef struct { TestAgentClass parent_class; } TypeProtoAgentClass;
static GType type_proto_agent_get_type (void);
G_DEFINE_TYPE (TypeProtoAgent, type_proto_agent, test_agent_get_type ())

static void
type_proto_agent_class_init (TypeProtoAgentClass *klass)
{
}

static void
type_proto_agent_init (TypeProtoAgent *self)
{
}

static GType
proto_type (const char *which)
{
  static gsize once;

  if (g_once_init_enter (&once))
    {
      janus_agent_type_set_activation_prototype (type_proto_agent_get_type (), "(si)");
      g_once_init_leave (&once, 1);
    }
  if (g_str_equal (which, "class"))
    return proto_agent_get_type ();
  if (g_str_equal (which, "inherited"))
    return proto_child_get_type ();
  g_assert_cmpstr (which, ==, "type");
  return type_proto_agent_get_type ();
}

static void
test_prototype_accepts (gconstpointer data)
{
  GType type = proto_type (data);
  JanusKernel *kernel = janus_kernel_new (0);
  TestAgent *agent = g_object_new (type, NULL);
  const GVariantType *proto;
  const char *s;
  gint32 i;

  proto = janus_agent_get_activation_prototype (JANUS_AGENT (agent));
  g_assert_nonnull (proto);
  g_assert_true (g_variant_type_equal (proto, G_VARIANT_TYPE ("(si)")));

  agent->countdown = 1;
  launch_ok (kernel, agent, "proto", g_variant_new ("(si)", "job", 7));
  janus_kernel_run (kernel);
  assert_log (agent, "ale");

  /* the parameters reach activate */
  g_assert_true (agent->got_parameters);
  g_assert_nonnull (agent->parameters);
  g_assert_cmpstr (g_variant_get_type_string (agent->parameters), ==, "(si)");
  g_variant_get (agent->parameters, "(&si)", &s, &i);
  g_assert_cmpstr (s, ==, "job");
  g_assert_cmpint (i, ==, 7);

  unref_last (kernel);
  unref_last (agent);
}

typedef struct
{
  const char *type;
  const char *params;   /* GVariant text, NULL for none */
} BadParams;

static const BadParams bad_params[] = {
  { "class", NULL },
  { "class", "(5,)" },
  { "class", "('a', 'b')" },
  { "class", "('a', int64 3)" },
  { "class", "('a', 3, 4)" },
  { "class", "'a'" },
  { "class", "@(s) ('a',)" },
  { "inherited", NULL },
  { "inherited", "(5,)" },
  { "inherited", "('a', int64 3)" },
  { "type", NULL },
  { "type", "(5,)" },
  { "type", "('a', true)" },
};

static void
test_prototype_refuses (gconstpointer data)
{
  const BadParams *bad = data;
  JanusKernel *kernel = janus_kernel_new (0);
  TestAgent *agent = g_object_new (proto_type (bad->type), NULL);
  GVariant *params = NULL;
  GError *error = NULL;
  const char *s;
  gint32 i;

  if (bad->params != NULL)
    {
      params = g_variant_parse (NULL, bad->params, NULL, NULL, &error);
      g_assert_no_error (error);
    }

  /* g_variant_parse () gives a full (not floating) reference: the kernel
   * takes its own, ours is released below (valgrind checks both) */
  g_assert_false (janus_kernel_launch_light_agent (kernel, JANUS_AGENT (agent), "bad",
                                                   params, &error));
  g_clear_pointer (&params, g_variant_unref);
  g_assert_error (error, JANUS_KERNEL_ERROR, JANUS_KERNEL_ERROR_INVALID_PARAMETERS);
  g_assert_nonnull (strstr (error->message, "(si)"));
  g_clear_error (&error);

  /* still UNBORN: no address, no kernel, nothing ran */
  g_assert_cmpint (janus_agent_get_state (JANUS_AGENT (agent)), ==, JANUS_AGENT_STATE_UNBORN);
  g_assert_null (janus_agent_get_address (JANUS_AGENT (agent)));
  g_assert_null (janus_agent_get_kernel (JANUS_AGENT (agent)));
  g_assert_cmpuint (janus_kernel_get_agent_count (kernel), ==, 0);
  g_assert_false (janus_kernel_step (kernel));
  assert_log (agent, "");
  assert_states (agent, NULL, 0);

  /* and can be launched again, correctly */
  agent->countdown = 1;
  launch_ok (kernel, agent, "good", g_variant_new ("(si)", "second", 2));
  g_assert_cmpuint (janus_address_get_id (janus_agent_get_address (JANUS_AGENT (agent))), ==, 0);
  janus_kernel_run (kernel);
  assert_log (agent, "ale");
  g_assert_nonnull (agent->parameters);
  g_variant_get (agent->parameters, "(&si)", &s, &i);
  g_assert_cmpstr (s, ==, "second");
  g_assert_cmpint (i, ==, 2);

  unref_last (kernel);
  unref_last (agent);
}

static void
test_prototype_none (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  TestAgent *with_none = test_agent_new_countdown (1);
  TestAgent *with_tuple = test_agent_new_countdown (1);
  TestAgent *with_int = test_agent_new_countdown (1);
  GVariant *kept = g_variant_ref_sink (g_variant_new_int32 (5));

  /* no prototype: any parameters, or none */
  g_assert_null (janus_agent_get_activation_prototype (JANUS_AGENT (with_none)));
  launch_ok (kernel, with_none, NULL, NULL);
  launch_ok (kernel, with_tuple, NULL, g_variant_new ("(sib)", "x", 1, TRUE));
  /* a non-floating variant: the kernel takes its own reference */
  launch_ok (kernel, with_int, NULL, kept);
  janus_kernel_run (kernel);

  g_assert_true (with_none->got_parameters);
  g_assert_null (with_none->parameters);
  g_assert_nonnull (with_tuple->parameters);
  g_assert_cmpstr (g_variant_get_type_string (with_tuple->parameters), ==, "(sib)");
  g_assert_true (with_int->parameters == kept);
  g_assert_cmpint (g_variant_get_int32 (kept), ==, 5);
  assert_log (with_none, "ale");
  assert_log (with_tuple, "ale");
  assert_log (with_int, "ale");

  unref_last (kernel);
  unref_last (with_none);
  unref_last (with_tuple);
  unref_last (with_int);
  g_variant_unref (kept);
}

/* ReprotoAgent's prototype is changed at run time, as the Python override
 * does when a class attribute is assigned. */
typedef struct { TestAgent parent_instance; } ReprotoAgent;
typedef struct { TestAgentClass parent_class; } ReprotoAgentClass;
static GType reproto_agent_get_type (void);
G_DEFINE_TYPE (ReprotoAgent, reproto_agent, test_agent_get_type ())

static void
reproto_agent_class_init (ReprotoAgentClass *klass)
{
}

static void
reproto_agent_init (ReprotoAgent *self)
{
}

static gboolean
try_launch (JanusKernel *kernel,
            GType        type,
            GVariant    *parameters)
{
  TestAgent *agent = g_object_new (type, NULL);
  GError *error = NULL;
  gboolean ok;

  agent->countdown = 1;
  ok = janus_kernel_launch_light_agent (kernel, JANUS_AGENT (agent), NULL, parameters, &error);
  if (ok)
    g_assert_no_error (error);
  else
    g_assert_error (error, JANUS_KERNEL_ERROR, JANUS_KERNEL_ERROR_INVALID_PARAMETERS);
  g_clear_error (&error);
  g_object_unref (agent);
  return ok;
}

static void
test_prototype_replace (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  GType type = reproto_agent_get_type ();

  janus_agent_type_set_activation_prototype (type, "(i)");
  g_assert_true (try_launch (kernel, type, g_variant_new ("(i)", 1)));
  g_assert_false (try_launch (kernel, type, g_variant_new ("(s)", "a")));

  /* replaced: the new prototype applies (and the old one is not leaked) */
  janus_agent_type_set_activation_prototype (type, "(s)");
  g_assert_false (try_launch (kernel, type, g_variant_new ("(i)", 1)));
  g_assert_true (try_launch (kernel, type, g_variant_new ("(s)", "a")));

  /* removed: anything goes */
  janus_agent_type_set_activation_prototype (type, NULL);
  g_assert_true (try_launch (kernel, type, g_variant_new ("(i)", 1)));
  g_assert_true (try_launch (kernel, type, NULL));

  janus_kernel_run (kernel);
  g_assert_cmpuint (janus_kernel_get_agent_count (kernel), ==, 0);
  unref_last (kernel);
}

/* ---------------------------------------------------------- properties */

static void
check_properties (TestAgent          *agent,
                  const char         *name,
                  const JanusAddress *address,
                  JanusKernel        *kernel,
                  gboolean            heavy,
                  JanusAgentState     state)
{
  JanusAgent *a = JANUS_AGENT (agent);
  g_autofree char *p_name = NULL;
  g_autoptr(JanusAddress) p_address = NULL;
  g_autoptr(JanusKernel) p_kernel = NULL;
  gboolean p_heavy;
  JanusAgentState p_state;

  g_assert_cmpstr (janus_agent_get_name (a), ==, name);
  if (address == NULL)
    g_assert_null (janus_agent_get_address (a));
  else
    g_assert_true (janus_address_equal (janus_agent_get_address (a), address));
  g_assert_true (janus_agent_get_kernel (a) == kernel);
  g_assert_cmpint (janus_agent_is_heavy (a), ==, heavy);
  g_assert_cmpint (janus_agent_get_state (a), ==, state);

  g_object_get (agent, "name", &p_name, "address", &p_address, "kernel", &p_kernel,
                "heavy", &p_heavy, "state", &p_state, NULL);
  g_assert_cmpstr (p_name, ==, name);
  if (address == NULL)
    g_assert_null (p_address);
  else
    g_assert_true (janus_address_equal (p_address, address));
  g_assert_true (p_kernel == kernel);
  g_assert_cmpint (p_heavy, ==, heavy);
  g_assert_cmpint (p_state, ==, state);
}

static void
test_properties_light (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  TestAgent *agent = test_agent_new_countdown (1);
  TestAgent *anonymous = test_agent_new_countdown (1);
  g_autoptr(JanusAddress) address = NULL;
  g_autofree char *uuid = NULL;

  check_properties (agent, NULL, NULL, NULL, FALSE, JANUS_AGENT_STATE_UNBORN);

  launch_ok (kernel, agent, "alice", NULL);
  address = janus_address_copy (janus_agent_get_address (JANUS_AGENT (agent)));
  g_assert_nonnull (address);
  g_assert_cmpuint (janus_address_get_id (address), ==, 0);
  uuid = janus_address_dup_kernel_uuid (address);
  g_assert_cmpstr (uuid, ==, janus_kernel_get_uuid (kernel));
  check_properties (agent, "alice", address, kernel, FALSE, JANUS_AGENT_STATE_BORN);

  launch_ok (kernel, anonymous, NULL, NULL);
  g_assert_null (janus_agent_get_name (JANUS_AGENT (anonymous)));
  g_assert_cmpuint (janus_address_get_id (janus_agent_get_address (JANUS_AGENT (anonymous))), ==, 1);

  janus_kernel_run (kernel);
  /* after death: same name and address; the kernel (which a dead agent
   * may outlive) reads NULL */
  check_properties (agent, "alice", address, NULL, FALSE, JANUS_AGENT_STATE_DIED);

  unref_last (kernel);
  unref_last (agent);
  unref_last (anonymous);
}

typedef struct
{
  GMutex lock;
  GCond  cond;
  gboolean ended;
  JanusKernel *kernel_in_activate;
} EndSignal;

static void
record_kernel (TestAgent *self,
               gpointer   data)
{
  EndSignal *sig = self->data;

  g_mutex_lock (&sig->lock);
  sig->kernel_in_activate = janus_agent_get_kernel (JANUS_AGENT (self));
  g_mutex_unlock (&sig->lock);
}

static void
end_signal (TestAgent *self)
{
  EndSignal *sig = self->data;

  g_mutex_lock (&sig->lock);
  sig->ended = TRUE;
  g_cond_signal (&sig->cond);
  g_mutex_unlock (&sig->lock);
}

static void
end_signal_wait (EndSignal *sig)
{
  gint64 deadline = g_get_monotonic_time () + DEADLINE_USEC;

  g_mutex_lock (&sig->lock);
  while (!sig->ended)
    if (!g_cond_wait_until (&sig->cond, &sig->lock, deadline))
      break;
  g_assert_true (sig->ended);
  g_mutex_unlock (&sig->lock);
}

static void
test_properties_heavy (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  TestAgent *agent = test_agent_new_countdown (2);
  EndSignal sig = { 0 };
  GError *error = NULL;

  g_mutex_init (&sig.lock);
  g_cond_init (&sig.cond);
  agent->data = &sig;
  agent->end = end_signal;
  agent->on_activate = record_kernel;

  check_properties (agent, NULL, NULL, NULL, FALSE, JANUS_AGENT_STATE_UNBORN);
  g_assert_true (janus_kernel_launch_heavy_agent (kernel, JANUS_AGENT (agent), "heavy",
                                                  NULL, &error));
  g_assert_no_error (error);
  g_assert_true (janus_agent_is_heavy (JANUS_AGENT (agent)));
  g_assert_cmpstr (janus_agent_get_name (JANUS_AGENT (agent)), ==, "heavy");

  end_signal_wait (&sig);
  /* in its own steps, the agent's kernel is there */
  g_assert_true (sig.kernel_in_activate == kernel);
  janus_kernel_shutdown (kernel);
  assert_log (agent, "alle");
  check_properties (agent, "heavy", janus_agent_get_address (JANUS_AGENT (agent)),
                    NULL, TRUE, JANUS_AGENT_STATE_DIED);

  unref_last (kernel);
  unref_last (agent);
  g_mutex_clear (&sig.lock);
  g_cond_clear (&sig.cond);
}

/* ------------------------------------------------------------ workers */

static void
test_workers (void)
{
  static const JanusAgentState expected[] = {
    JANUS_AGENT_STATE_BORN,
    JANUS_AGENT_STATE_ALIVE,
    JANUS_AGENT_STATE_DYING,
    JANUS_AGENT_STATE_BREAKING_DOWN,
    JANUS_AGENT_STATE_DIED,
  };
  JanusKernel *kernel = janus_kernel_new (2);
  TestAgent *agents[8];
  FailRecord record = { 0 };
  guint i, j;

  g_mutex_init (&record.lock);
  g_signal_connect (kernel, "agent-failed", G_CALLBACK (on_agent_failed), &record);
  for (i = 0; i < G_N_ELEMENTS (agents); i++)
    {
      agents[i] = test_agent_new_countdown (20);
      agents[i]->activate = activate_check_no_live;
      launch_ok (kernel, agents[i], NULL, NULL);
    }
  run_bounded (kernel);

  g_assert_cmpuint (janus_kernel_get_agent_count (kernel), ==, 0);
  g_assert_cmpuint (record.count, ==, 0);
  for (i = 0; i < G_N_ELEMENTS (agents); i++)
    {
      TestAgent *a = agents[i];
      g_autofree char *log = test_agent_dup_log (a);

      g_assert_cmpint (janus_agent_get_state (JANUS_AGENT (a)), ==, JANUS_AGENT_STATE_DIED);
      g_assert_cmpint (a->n_activate, ==, 1);
      g_assert_cmpint (a->n_live, ==, 20);
      g_assert_cmpint (a->n_end, ==, 1);
      g_assert_cmpuint (strlen (log), ==, 22);
      g_assert_cmpint (log[0], ==, 'a');
      g_assert_cmpint (log[21], ==, 'e');
      g_assert_false (a->overlap);
      g_assert_cmpint (a->state_in_activate, ==, JANUS_AGENT_STATE_BORN);
      g_assert_cmpint (a->state_in_live, ==, JANUS_AGENT_STATE_ALIVE);
      g_assert_cmpint (a->state_in_end, ==, JANUS_AGENT_STATE_BREAKING_DOWN);
      assert_states (a, expected, G_N_ELEMENTS (expected));
      /* BORN on the launching thread, the others on a worker */
      g_assert_true (g_ptr_array_index (a->state_threads, 0) == g_thread_self ());
      for (j = 1; j < a->state_threads->len; j++)
        g_assert_true (g_ptr_array_index (a->state_threads, j) != g_thread_self ());
    }

  unref_last (kernel);
  for (i = 0; i < G_N_ELEMENTS (agents); i++)
    unref_last (agents[i]);
  fail_record_clear (&record);
}

/* ----------------------------------------------------------------- main */

int
main (int    argc,
      char **argv)
{
  static const char *proto_kinds[] = { "class", "inherited", "type" };
  guint i;

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/agent/lifecycle/normal", test_normal);
  g_test_add_func ("/agent/lifecycle/normal-run", test_normal_run);
  g_test_add_func ("/agent/lifecycle/state-notify", test_state_notify_sequence);
  g_test_add_data_func ("/agent/lifecycle/activate-fails/with-error",
                        GINT_TO_POINTER (TRUE), test_activate_fails);
  g_test_add_data_func ("/agent/lifecycle/activate-fails/without-error",
                        GINT_TO_POINTER (FALSE), test_activate_fails);
  g_test_add_data_func ("/agent/lifecycle/invalid-live-result/0",
                        GINT_TO_POINTER (0), test_invalid_live_result);
  g_test_add_data_func ("/agent/lifecycle/invalid-live-result/42",
                        GINT_TO_POINTER (42), test_invalid_live_result);
  g_test_add_data_func ("/agent/lifecycle/invalid-live-result/-1",
                        GINT_TO_POINTER (-1), test_invalid_live_result);
  add_on_workers ("/agent/lifecycle/fail", test_agent_fail, NULL);
  {
    static const char *const outside[] = { "from-outside" };
    add_critical_cases ("/agent/lifecycle/fail/precondition", fail_from_outside,
                        outside, G_N_ELEMENTS (outside));
  }
  g_test_add_func ("/agent/lifecycle/live-done", test_live_done);
  g_test_add_func ("/agent/lifecycle/activate-before-live", test_activate_before_live);
  g_test_add_func ("/agent/lifecycle/end-once", test_end_once);
  g_test_add_func ("/agent/lifecycle/kill-me/deferred", test_kill_me_deferred);
  g_test_add_func ("/agent/lifecycle/kill-me/then-wait", test_kill_me_wait);
  g_test_add_func ("/agent/lifecycle/kill-me/in-activate", test_kill_me_in_activate);
  g_test_add_func ("/agent/lifecycle/again", test_again_stepping);
  g_test_add_func ("/agent/lifecycle/wait/sleeps", test_wait_sleeps);
  g_test_add_func ("/agent/lifecycle/wait/unread-message", test_wait_unread_message);
  g_test_add_func ("/agent/lifecycle/wait/wake-during-step", test_wait_after_wake_in_step);
  for (i = 0; i < G_N_ELEMENTS (proto_kinds); i++)
    {
      g_autofree char *path = g_strdup_printf ("/agent/lifecycle/prototype/%s/accepts",
                                               proto_kinds[i]);
      g_test_add_data_func (path, proto_kinds[i], test_prototype_accepts);
    }
  for (i = 0; i < G_N_ELEMENTS (bad_params); i++)
    {
      g_autofree char *path = g_strdup_printf ("/agent/lifecycle/prototype/%s/refuses/%u",
                                               bad_params[i].type, i);
      g_test_add_data_func (path, &bad_params[i], test_prototype_refuses);
    }
  g_test_add_func ("/agent/lifecycle/prototype/none", test_prototype_none);
  g_test_add_func ("/agent/lifecycle/prototype/replace", test_prototype_replace);
  g_test_add_func ("/agent/lifecycle/properties/light", test_properties_light);
  g_test_add_func ("/agent/lifecycle/properties/heavy", test_properties_heavy);
  g_test_add_func ("/agent/lifecycle/workers", test_workers);

  return g_test_run ();
}
