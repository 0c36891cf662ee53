/* SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Killing agents: who may kill whom (self, launcher, kernel; strangers and
 * other kernels are refused), unlaunched and dead targets, idempotence,
 * kills of waiting and BORN agents, and janus_kernel_kill_all () from the
 * driving thread, from an agent and on a kernel with workers.
 */
#include <stdatomic.h>
#include <string.h>

#include <janus.h>

#include "janus-test-utils.h"

static const JanusAddress *
addr (TestAgent *agent)
{
  return janus_agent_get_address (JANUS_AGENT (agent));
}

static gboolean
is_small (void)
{
  return g_getenv ("JANUS_TEST_SMALL") != NULL;
}

/* AGAIN for ever, yielding the CPU at each step: under valgrind, whose
 * threads share one lock, a worker that never makes a system call starves
 * the test thread. Not a synchronisation: only fairness. */
static JanusLive
live_again_yield (TestAgent *self)
{
  g_thread_yield ();
  return JANUS_LIVE_AGAIN;
}

/* --------------------------------------------------------------- self */

static JanusLive
live_kill_self (TestAgent *self)
{
  GError *error = NULL;

  g_assert_true (janus_agent_kill (JANUS_AGENT (self), JANUS_AGENT (self), &error));
  g_assert_no_error (error);
  /* deferred: the step goes on */
  g_assert_cmpint (janus_agent_get_state (JANUS_AGENT (self)), ==, JANUS_AGENT_STATE_ALIVE);
  g_assert_cmpint (self->n_end, ==, 0);
  self->after_kill_me = TRUE;
  return JANUS_LIVE_AGAIN;
}

static void
test_kill_self (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  TestAgent *agent = test_agent_new (NULL, NULL);
  TestAgent *waiting = test_agent_new (NULL, NULL);
  GError *error = NULL;

  /* from its own live */
  agent->live = live_kill_self;
  launch_ok (kernel, agent, NULL, NULL);
  g_assert_false (janus_kernel_step (kernel));
  g_assert_true (agent->after_kill_me);
  assert_log (agent, "ale");
  g_assert_cmpint (janus_agent_get_state (JANUS_AGENT (agent)), ==, JANUS_AGENT_STATE_DIED);

  /* self == other is allowed whoever calls it */
  launch_ok (kernel, waiting, NULL, NULL);
  g_assert_false (janus_kernel_step (kernel));
  g_assert_true (janus_agent_kill (JANUS_AGENT (waiting), JANUS_AGENT (waiting), &error));
  g_assert_no_error (error);
  g_assert_false (janus_kernel_step (kernel));
  assert_log (waiting, "ale");

  unref_last (kernel);
  unref_last (agent);
  unref_last (waiting);
}

/* ----------------------------------------------------------- launcher */

typedef enum {
  LAUNCH_IN_ACTIVATE,
  LAUNCH_IN_LIVE,
  LAUNCH_IN_END,
} LaunchWhere;

static void
launch_child (TestAgent *self)
{
  TestAgent *child = self->data;
  GError *error = NULL;

  g_assert_true (janus_kernel_launch_light_agent (janus_agent_get_kernel (JANUS_AGENT (self)),
                                                  JANUS_AGENT (child), "child", NULL, &error));
  g_assert_no_error (error);
}

static gboolean
activate_launch_child (TestAgent  *self,
                       GVariant   *parameters,
                       GError    **error)
{
  launch_child (self);
  return TRUE;
}

static JanusLive
live_launch_child (TestAgent *self)
{
  if (self->n_live == 1)
    launch_child (self);
  return JANUS_LIVE_WAIT;
}

static void
end_launch_child (TestAgent *self)
{
  launch_child (self);
}

/* The parent launches the child (in activate, live or end); once the child
 * is alive, janus_agent_kill (parent, child) is accepted. */
static void
test_kill_launcher (gconstpointer data)
{
  LaunchWhere where = GPOINTER_TO_INT (data);
  JanusKernel *kernel = janus_kernel_new (0);
  TestAgent *parent = test_agent_new (NULL, NULL);
  TestAgent *child = test_agent_new (NULL, NULL);
  GError *error = NULL;

  parent->data = child;
  if (where == LAUNCH_IN_ACTIVATE)
    parent->activate = activate_launch_child;
  else if (where == LAUNCH_IN_LIVE)
    parent->live = live_launch_child;
  else
    {
      parent->end = end_launch_child;
      parent->live_result = JANUS_LIVE_DONE;
    }
  launch_ok (kernel, parent, "parent", NULL);
  step_until_idle (kernel, 10);
  assert_log (child, "al");
  g_assert_cmpint (janus_agent_get_state (JANUS_AGENT (child)), ==, JANUS_AGENT_STATE_ALIVE);

  /* the child may not kill its launcher (unless it is dead already) */
  if (where != LAUNCH_IN_END)
    {
      g_assert_false (janus_agent_kill (JANUS_AGENT (child), JANUS_AGENT (parent), &error));
      g_assert_error (error, JANUS_KERNEL_ERROR, JANUS_KERNEL_ERROR_NOT_PERMITTED);
      g_clear_error (&error);
    }

  g_assert_true (janus_agent_kill (JANUS_AGENT (parent), JANUS_AGENT (child), &error));
  g_assert_no_error (error);
  step_until_idle (kernel, 10);
  assert_log (child, "ale");
  g_assert_cmpint (janus_agent_get_state (JANUS_AGENT (child)), ==, JANUS_AGENT_STATE_DIED);

  janus_kernel_kill_all (kernel);
  step_until_idle (kernel, 10);
  g_assert_cmpint (parent->n_end, ==, 1);

  unref_last (kernel);
  unref_last (parent);
  unref_last (child);
}

static gboolean
activate_launch_and_kill_child (TestAgent  *self,
                                GVariant   *parameters,
                                GError    **error)
{
  GError *local_error = NULL;

  launch_child (self);
  g_assert_true (janus_agent_kill (JANUS_AGENT (self), JANUS_AGENT (self->data), &local_error));
  g_assert_no_error (local_error);
  return TRUE;
}

static JanusLive
live_kill_child_then_done (TestAgent *self)
{
  GError *error = NULL;

  if (self->n_live == 1)
    return JANUS_LIVE_AGAIN;
  g_assert_true (janus_agent_kill (JANUS_AGENT (self), JANUS_AGENT (self->data), &error));
  g_assert_no_error (error);
  return JANUS_LIVE_DONE;
}

static void
test_kill_launcher_from_agent (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  TestAgent *parent = test_agent_new (NULL, NULL);
  TestAgent *child = test_agent_new (NULL, NULL);
  TestAgent *parent2 = test_agent_new (NULL, NULL);
  TestAgent *child2 = test_agent_new (NULL, NULL);

  /* launched in activate, killed at once (still BORN): activated, no live */
  parent->data = child;
  parent->activate = activate_launch_and_kill_child;
  parent->live_result = JANUS_LIVE_DONE;
  launch_ok (kernel, parent, "parent", NULL);

  /* launched in activate, killed from a later live (the child is ALIVE) */
  parent2->data = child2;
  parent2->activate = activate_launch_child;
  parent2->live = live_kill_child_then_done;
  launch_ok (kernel, parent2, "parent2", NULL);

  step_until_idle (kernel, 10);
  assert_log (parent, "ale");
  assert_log (child, "ae");
  assert_log (parent2, "alle");
  assert_log (child2, "ale");
  g_assert_cmpuint (janus_kernel_get_agent_count (kernel), ==, 0);

  unref_last (kernel);
  unref_last (parent);
  unref_last (child);
  unref_last (parent2);
  unref_last (child2);
}

/* ----------------------------------------------------------- strangers */

static void
assert_refused (TestAgent *killer,
                TestAgent *victim)
{
  g_autofree char *a = janus_address_to_string (addr (killer));
  g_autofree char *b = janus_address_to_string (addr (victim));
  GError *error = NULL;

  g_assert_false (janus_agent_kill (JANUS_AGENT (killer), JANUS_AGENT (victim), &error));
  g_assert_error (error, JANUS_KERNEL_ERROR, JANUS_KERNEL_ERROR_NOT_PERMITTED);
  /* the message names both agents */
  g_assert_nonnull (strstr (error->message, a));
  g_assert_nonnull (strstr (error->message, b));
  g_clear_error (&error);
}

static JanusLive
live_try_kill_stranger (TestAgent *self)
{
  assert_refused (self, self->data);
  return JANUS_LIVE_DONE;
}

static void
test_kill_stranger (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  TestAgent *a = test_agent_new (NULL, NULL);
  TestAgent *b = test_agent_new (NULL, NULL);
  TestAgent *parent = test_agent_new (NULL, NULL);
  TestAgent *child = test_agent_new (NULL, NULL);
  TestAgent *grandchild = test_agent_new (NULL, NULL);
  TestAgent *sibling = test_agent_new (NULL, NULL);

  /* a and b were both launched by the kernel: strangers */
  a->data = b;
  a->live = live_try_kill_stranger;
  launch_ok (kernel, b, "b", NULL);
  launch_ok (kernel, a, "a", NULL);

  /* parent → child → grandchild; sibling launched by the kernel */
  parent->data = child;
  parent->activate = activate_launch_child;
  child->data = grandchild;
  child->activate = activate_launch_child;
  launch_ok (kernel, parent, "parent", NULL);
  launch_ok (kernel, sibling, "sibling", NULL);
  step_until_idle (kernel, 10);

  assert_log (a, "ale");
  assert_log (b, "al");
  g_assert_cmpint (janus_agent_get_state (JANUS_AGENT (b)), ==, JANUS_AGENT_STATE_ALIVE);

  /* the same refusals asked from the test thread */
  assert_refused (b, a);
  assert_refused (b, parent);
  assert_refused (parent, grandchild);    /* not transitive */
  assert_refused (grandchild, parent);
  assert_refused (child, parent);
  assert_refused (sibling, child);
  assert_refused (child, sibling);

  step_until_idle (kernel, 10);
  assert_log (b, "al");
  assert_log (parent, "al");
  assert_log (child, "al");
  assert_log (grandchild, "al");
  assert_log (sibling, "al");

  janus_kernel_kill_all (kernel);
  step_until_idle (kernel, 10);
  g_assert_cmpuint (janus_kernel_get_agent_count (kernel), ==, 0);

  unref_last (kernel);
  unref_last (a);
  unref_last (b);
  unref_last (parent);
  unref_last (child);
  unref_last (grandchild);
  unref_last (sibling);
}

static void
test_kill_by_unlaunched (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  TestAgent *unlaunched = test_agent_new (NULL, NULL);
  TestAgent *victim = test_agent_new (NULL, NULL);
  GError *error = NULL;

  launch_ok (kernel, victim, NULL, NULL);
  step_until_idle (kernel, 10);

  /* an unlaunched agent has no right on anyone */
  g_assert_false (janus_agent_kill (JANUS_AGENT (unlaunched), JANUS_AGENT (victim), &error));
  g_assert_nonnull (error);
  g_assert_true (error->domain == JANUS_KERNEL_ERROR);
  g_assert_true (error->code == JANUS_KERNEL_ERROR_NOT_PERMITTED || error->code == JANUS_KERNEL_ERROR_NOT_LAUNCHED);
  g_clear_error (&error);
  step_until_idle (kernel, 10);
  assert_log (victim, "al");

  janus_kernel_kill_all (kernel);
  step_until_idle (kernel, 10);

  unref_last (kernel);
  unref_last (unlaunched);
  unref_last (victim);
}

/* -------------------------------------------------------------- kernel */

static void
test_kill_by_kernel (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  TestAgent *waiting = test_agent_new (NULL, NULL);
  TestAgent *busy = test_agent_new (NULL, NULL);
  GError *error = NULL;

  busy->live_result = JANUS_LIVE_AGAIN;
  launch_ok (kernel, waiting, NULL, NULL);
  launch_ok (kernel, busy, NULL, NULL);
  g_assert_true (janus_kernel_step (kernel));

  g_assert_true (janus_kernel_kill (kernel, JANUS_AGENT (waiting), &error));
  g_assert_no_error (error);
  g_assert_true (janus_kernel_kill (kernel, JANUS_AGENT (busy), &error));
  g_assert_no_error (error);
  g_assert_false (janus_kernel_step (kernel));
  assert_log (waiting, "ale");
  assert_log (busy, "ale");
  g_assert_cmpuint (janus_kernel_get_agent_count (kernel), ==, 0);

  unref_last (kernel);
  unref_last (waiting);
  unref_last (busy);
}

static void
test_kill_other_kernel (void)
{
  JanusKernel *k1 = janus_kernel_new (0);
  JanusKernel *k2 = janus_kernel_new (0);
  TestAgent *agent = test_agent_new (NULL, NULL);
  TestAgent *parent = test_agent_new (NULL, NULL);
  TestAgent *remote_child = test_agent_new (NULL, NULL);
  GError *error = NULL;

  launch_ok (k1, agent, NULL, NULL);
  step_until_idle (k1, 10);

  g_assert_false (janus_kernel_kill (k2, JANUS_AGENT (agent), &error));
  g_assert_error (error, JANUS_KERNEL_ERROR, JANUS_KERNEL_ERROR_NOT_PERMITTED);
  g_clear_error (&error);
  step_until_idle (k1, 10);
  assert_log (agent, "al");

  /* a k2 agent launched by another k2 agent */
  parent->data = remote_child;
  parent->activate = activate_launch_child;
  launch_ok (k2, parent, NULL, NULL);
  step_until_idle (k2, 10);
  assert_log (remote_child, "al");
  g_assert_true (janus_agent_get_kernel (JANUS_AGENT (remote_child)) == k2);
  /* k1 may not kill k2's agents either */
  g_assert_false (janus_kernel_kill (k1, JANUS_AGENT (remote_child), &error));
  g_assert_error (error, JANUS_KERNEL_ERROR, JANUS_KERNEL_ERROR_NOT_PERMITTED);
  g_clear_error (&error);
  /* and an agent of k1 may not kill an agent of k2 */
  g_assert_false (janus_agent_kill (JANUS_AGENT (agent), JANUS_AGENT (remote_child), &error));
  g_assert_error (error, JANUS_KERNEL_ERROR, JANUS_KERNEL_ERROR_NOT_PERMITTED);
  g_clear_error (&error);

  g_assert_true (janus_kernel_kill (k1, JANUS_AGENT (agent), &error));
  g_assert_no_error (error);
  step_until_idle (k1, 10);
  assert_log (agent, "ale");

  unref_last (k1);
  unref_last (k2);
  unref_last (agent);
  unref_last (parent);
  unref_last (remote_child);
}

/* An agent whose activate launches its child on the kernel set as "k2". */
static gboolean
activate_launch_child_elsewhere (TestAgent  *self,
                                 GVariant   *parameters,
                                 GError    **error)
{
  TestAgent *child = self->data;
  GError *local_error = NULL;

  g_assert_true (janus_kernel_launch_light_agent (g_object_get_data (G_OBJECT (self), "k2"),
                                                  JANUS_AGENT (child), "remote", NULL,
                                                  &local_error));
  g_assert_no_error (local_error);
  return TRUE;
}

static void
test_kill_launched_on_other_kernel (void)
{
  JanusKernel *k1 = janus_kernel_new (0);
  JanusKernel *k2 = janus_kernel_new (0);
  TestAgent *parent = test_agent_new (NULL, NULL);
  TestAgent *child = test_agent_new (NULL, NULL);
  GError *error = NULL;

  /* launching on another kernel gives no right: the child is k2's */
  parent->data = child;
  g_object_set_data (G_OBJECT (parent), "k2", k2);
  parent->activate = activate_launch_child_elsewhere;
  launch_ok (k1, parent, NULL, NULL);
  step_until_idle (k1, 10);
  step_until_idle (k2, 10);
  assert_log (parent, "al");
  assert_log (child, "al");

  g_assert_false (janus_agent_kill (JANUS_AGENT (parent), JANUS_AGENT (child), &error));
  g_assert_error (error, JANUS_KERNEL_ERROR, JANUS_KERNEL_ERROR_NOT_PERMITTED);
  g_clear_error (&error);
  step_until_idle (k2, 10);
  assert_log (child, "al");

  g_assert_true (janus_kernel_kill (k2, JANUS_AGENT (child), &error));
  g_assert_no_error (error);
  step_until_idle (k2, 10);
  assert_log (child, "ale");

  unref_last (k1);
  unref_last (k2);
  unref_last (parent);
  unref_last (child);
}

/* -------------------------------------------------------- not launched */

static void
test_kill_not_launched (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  TestAgent *agent = test_agent_new (NULL, NULL);
  TestAgent *unlaunched = test_agent_new_countdown (1);
  GError *error = NULL;

  launch_ok (kernel, agent, NULL, NULL);

  g_assert_false (janus_kernel_kill (kernel, JANUS_AGENT (unlaunched), &error));
  g_assert_error (error, JANUS_KERNEL_ERROR, JANUS_KERNEL_ERROR_NOT_LAUNCHED);
  g_clear_error (&error);
  g_assert_false (janus_agent_kill (JANUS_AGENT (agent), JANUS_AGENT (unlaunched), &error));
  g_assert_error (error, JANUS_KERNEL_ERROR, JANUS_KERNEL_ERROR_NOT_LAUNCHED);
  g_clear_error (&error);
  g_assert_false (janus_agent_kill (JANUS_AGENT (unlaunched), JANUS_AGENT (unlaunched), &error));
  g_assert_error (error, JANUS_KERNEL_ERROR, JANUS_KERNEL_ERROR_NOT_LAUNCHED);
  g_clear_error (&error);

  /* the refused kills left it launchable */
  g_assert_cmpint (janus_agent_get_state (JANUS_AGENT (unlaunched)), ==, JANUS_AGENT_STATE_UNBORN);
  launch_ok (kernel, unlaunched, NULL, NULL);
  step_until_idle (kernel, 10);
  assert_log (unlaunched, "ale");

  janus_kernel_kill_all (kernel);
  step_until_idle (kernel, 10);

  unref_last (kernel);
  unref_last (agent);
  unref_last (unlaunched);
}

/* --------------------------------------------------------- idempotence */

static void
end_kill_again (TestAgent *self)
{
  JanusAgent *agent = JANUS_AGENT (self);
  GError *error = NULL;

  /* kills asked during end (BREAKING_DOWN) succeed and change nothing */
  g_assert_true (janus_agent_kill (agent, agent, &error));
  g_assert_no_error (error);
  g_assert_true (janus_kernel_kill (janus_agent_get_kernel (agent), agent, &error));
  g_assert_no_error (error);
  janus_agent_kill_me (agent);
}

static void
test_kill_idempotent (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  TestAgent *agent = test_agent_new (NULL, NULL);
  TestAgent *parent = test_agent_new (NULL, NULL);
  TestAgent *child = test_agent_new (NULL, NULL);
  GError *error = NULL;
  int i;

  agent->end = end_kill_again;
  parent->data = child;
  parent->activate = activate_launch_child;
  launch_ok (kernel, agent, NULL, NULL);
  launch_ok (kernel, parent, NULL, NULL);
  step_until_idle (kernel, 10);

  /* twice before it dies */
  for (i = 0; i < 2; i++)
    {
      g_assert_true (janus_kernel_kill (kernel, JANUS_AGENT (agent), &error));
      g_assert_no_error (error);
      g_assert_true (janus_agent_kill (JANUS_AGENT (agent), JANUS_AGENT (agent), &error));
      g_assert_no_error (error);
      g_assert_true (janus_agent_kill (JANUS_AGENT (parent), JANUS_AGENT (child), &error));
      g_assert_no_error (error);
    }
  step_until_idle (kernel, 10);
  assert_log (agent, "ale");
  assert_log (child, "ale");

  /* and after: killing the dead succeeds and does nothing */
  for (i = 0; i < 2; i++)
    {
      g_assert_true (janus_kernel_kill (kernel, JANUS_AGENT (agent), &error));
      g_assert_no_error (error);
      g_assert_true (janus_agent_kill (JANUS_AGENT (agent), JANUS_AGENT (agent), &error));
      g_assert_no_error (error);
      g_assert_true (janus_agent_kill (JANUS_AGENT (parent), JANUS_AGENT (child), &error));
      g_assert_no_error (error);
    }
  janus_kernel_kill_all (kernel);
  step_until_idle (kernel, 10);
  assert_log (agent, "ale");
  assert_log (child, "ale");
  assert_log (parent, "ale");

  unref_last (kernel);
  unref_last (agent);
  unref_last (parent);
  unref_last (child);
}

/* ------------------------------------------------------- waiting, BORN */

static void
test_kill_waiting (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  TestAgent *by_kernel = test_agent_new (NULL, NULL);
  TestAgent *by_self = test_agent_new (NULL, NULL);
  GError *error = NULL;

  launch_ok (kernel, by_kernel, NULL, NULL);
  launch_ok (kernel, by_self, NULL, NULL);
  g_assert_false (janus_kernel_step (kernel));
  g_assert_false (janus_kernel_step (kernel));
  assert_log (by_kernel, "al");

  /* the kill makes the sleeping agent runnable; it dies without living */
  g_assert_true (janus_kernel_kill (kernel, JANUS_AGENT (by_kernel), &error));
  g_assert_no_error (error);
  g_assert_true (janus_agent_kill (JANUS_AGENT (by_self), JANUS_AGENT (by_self), &error));
  g_assert_no_error (error);
  g_assert_false (janus_kernel_step (kernel));
  assert_log (by_kernel, "ale");
  assert_log (by_self, "ale");
  g_assert_cmpint (janus_agent_get_state (JANUS_AGENT (by_kernel)), ==, JANUS_AGENT_STATE_DIED);
  g_assert_cmpint (janus_agent_get_state (JANUS_AGENT (by_self)), ==, JANUS_AGENT_STATE_DIED);

  unref_last (kernel);
  unref_last (by_kernel);
  unref_last (by_self);
}

static void
test_kill_born (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  TestAgent *agent = test_agent_new (NULL, NULL);
  GError *error = NULL;

  agent->live_result = JANUS_LIVE_AGAIN;
  launch_ok (kernel, agent, NULL, NULL);
  g_assert_true (janus_kernel_kill (kernel, JANUS_AGENT (agent), &error));
  g_assert_no_error (error);
  /* nothing ran yet */
  assert_log (agent, "");
  g_assert_cmpint (janus_agent_get_state (JANUS_AGENT (agent)), ==, JANUS_AGENT_STATE_BORN);

  /* activate still runs, then end, without live */
  g_assert_false (janus_kernel_step (kernel));
  assert_log (agent, "ae");
  g_assert_cmpint (janus_agent_get_state (JANUS_AGENT (agent)), ==, JANUS_AGENT_STATE_DIED);
  g_assert_cmpuint (janus_kernel_get_agent_count (kernel), ==, 0);

  unref_last (kernel);
  unref_last (agent);
}

/* ------------------------------------------------------------ kill_all */

static void
test_kill_all_no_workers (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  guint n = is_small () ? 30 : 300, i;
  GPtrArray *agents = g_ptr_array_new ();
  int *lives = g_new0 (int, n);

  /* two thirds stepped (AGAIN, WAIT), one third launched afterwards (BORN) */
  for (i = 0; i < n; i++)
    {
      TestAgent *agent = test_agent_new (NULL, NULL);

      agent->live_result = i % 3 == 0 ? JANUS_LIVE_AGAIN : JANUS_LIVE_WAIT;
      g_ptr_array_add (agents, agent);
      if (i % 3 != 2)
        launch_ok (kernel, agent, NULL, NULL);
    }
  g_assert_true (janus_kernel_step (kernel));
  g_assert_true (janus_kernel_step (kernel));
  for (i = 2; i < n; i += 3)
    launch_ok (kernel, agents->pdata[i], NULL, NULL);
  for (i = 0; i < n; i++)
    lives[i] = ((TestAgent *) agents->pdata[i])->n_live;

  janus_kernel_kill_all (kernel);
  janus_kernel_run (kernel);

  g_assert_cmpuint (janus_kernel_get_agent_count (kernel), ==, 0);
  for (i = 0; i < n; i++)
    {
      TestAgent *agent = agents->pdata[i];

      g_assert_cmpint (janus_agent_get_state (JANUS_AGENT (agent)), ==, JANUS_AGENT_STATE_DIED);
      g_assert_cmpint (agent->n_activate, ==, 1);
      g_assert_cmpint (agent->n_end, ==, 1);
      /* no live after the kill */
      g_assert_cmpint (agent->n_live, ==, lives[i]);
    }

  unref_last (kernel);
  for (i = 0; i < n; i++)
    unref_last (agents->pdata[i]);
  g_ptr_array_unref (agents);
  g_free (lives);
}

typedef struct
{
  GMutex lock;
  GCond  cond;
  guint  activated;
} Counter;

static gboolean
activate_count (TestAgent  *self,
                GVariant   *parameters,
                GError    **error)
{
  Counter *counter = self->data;

  g_mutex_lock (&counter->lock);
  counter->activated++;
  g_cond_signal (&counter->cond);
  g_mutex_unlock (&counter->lock);
  return TRUE;
}

static void
test_kill_all_workers (void)
{
  JanusKernel *kernel = janus_kernel_new (2);
  guint n = is_small () ? 20 : 200, i;
  GPtrArray *agents = g_ptr_array_new ();
  Counter counter = { 0 };
  gint64 deadline;

  g_mutex_init (&counter.lock);
  g_cond_init (&counter.cond);
  for (i = 0; i < n; i++)
    {
      TestAgent *agent = test_agent_new (NULL, NULL);

      agent->data = &counter;
      agent->activate = activate_count;
      if (i % 2)
        agent->live = live_again_yield;
      g_ptr_array_add (agents, agent);
      launch_ok (kernel, agent, NULL, NULL);
    }

  /* wait until every agent started, then kill them all mid-life */
  deadline = g_get_monotonic_time () + DEADLINE_USEC;
  g_mutex_lock (&counter.lock);
  while (counter.activated < n)
    if (!g_cond_wait_until (&counter.cond, &counter.lock, deadline))
      break;
  g_assert_cmpuint (counter.activated, ==, n);
  g_mutex_unlock (&counter.lock);

  janus_kernel_kill_all (kernel);
  run_bounded (kernel);

  g_assert_cmpuint (janus_kernel_get_agent_count (kernel), ==, 0);
  for (i = 0; i < n; i++)
    {
      TestAgent *agent = agents->pdata[i];

      g_assert_cmpint (janus_agent_get_state (JANUS_AGENT (agent)), ==, JANUS_AGENT_STATE_DIED);
      g_assert_cmpint (agent->n_activate, ==, 1);
      g_assert_cmpint (agent->n_end, ==, 1);
      g_assert_false (agent->overlap);
    }

  unref_last (kernel);
  for (i = 0; i < n; i++)
    unref_last (agents->pdata[i]);
  g_ptr_array_unref (agents);
  g_mutex_clear (&counter.lock);
  g_cond_clear (&counter.cond);
}

static JanusLive
live_kill_all (TestAgent *self)
{
  janus_kernel_kill_all (janus_agent_get_kernel (JANUS_AGENT (self)));
  /* the caller too dies only at the end of its step */
  g_assert_cmpint (janus_agent_get_state (JANUS_AGENT (self)), ==, JANUS_AGENT_STATE_ALIVE);
  g_assert_cmpint (self->n_end, ==, 0);
  self->after_kill_me = TRUE;
  return JANUS_LIVE_AGAIN;
}

static void
test_kill_all_from_agent (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  TestAgent *busy = test_agent_new (NULL, NULL);
  TestAgent *waiting = test_agent_new (NULL, NULL);
  TestAgent *killer = test_agent_new (NULL, NULL);
  TestAgent *later = test_agent_new (NULL, NULL);

  busy->live_result = JANUS_LIVE_AGAIN;
  killer->live = live_kill_all;
  later->live_result = JANUS_LIVE_AGAIN;
  launch_ok (kernel, busy, "busy", NULL);
  launch_ok (kernel, waiting, "waiting", NULL);
  launch_ok (kernel, killer, "killer", NULL);
  launch_ok (kernel, later, "later", NULL);

  /* one step: busy and waiting live, the killer kills everyone and dies at
   * the end of its turn; later (still BORN) is activated and dies */
  g_assert_true (janus_kernel_step (kernel));
  g_assert_true (killer->after_kill_me);
  assert_log (killer, "ale");
  g_assert_cmpint (janus_agent_get_state (JANUS_AGENT (killer)), ==, JANUS_AGENT_STATE_DIED);
  assert_log (later, "ae");
  assert_log (busy, "al");
  assert_log (waiting, "al");

  /* the others die at their next turn, without living again */
  g_assert_false (janus_kernel_step (kernel));
  assert_log (busy, "ale");
  assert_log (waiting, "ale");
  assert_log (killer, "ale");
  assert_log (later, "ae");
  g_assert_cmpuint (janus_kernel_get_agent_count (kernel), ==, 0);

  unref_last (kernel);
  unref_last (busy);
  unref_last (waiting);
  unref_last (killer);
  unref_last (later);
}

/* ----------------------------------------------------------------- main */

/* A kill racing a launch on another thread sees the agent either not
 * launched yet or launched — never half launched (its runtime not yet
 * written, which read as "of another kernel"). */
typedef struct
{
  JanusKernel        *kernel;
  JanusAgent *_Atomic current;
  atomic_bool         stop;
  guint               killed;
  guint               not_launched;
  guint               wrong;
} LaunchRace;

static gpointer
kill_launching (gpointer data)
{
  LaunchRace *r = data;

  while (!atomic_load (&r->stop) || atomic_load (&r->current) != NULL)
    {
      JanusAgent *agent = atomic_exchange (&r->current, NULL);
      g_autoptr(GError) error = NULL;

      if (agent == NULL)
        continue;
      if (janus_kernel_kill (r->kernel, agent, &error))
        r->killed++;
      else if (g_error_matches (error, JANUS_KERNEL_ERROR, JANUS_KERNEL_ERROR_NOT_LAUNCHED))
        r->not_launched++;
      else
        r->wrong++;
      g_object_unref (agent);
    }
  return NULL;
}

static void
test_kill_while_launching (void)
{
  LaunchRace r = { janus_kernel_new (2) };
  guint n = test_small () ? 500 : 20000, i;
  GThread *killer = g_thread_new ("killer", kill_launching, &r);

  for (i = 0; i < n; i++)
    {
      JanusAgent *agent = g_object_new (JANUS_TYPE_AGENT, NULL);
      JanusAgent *expected = NULL;

      /* hand a reference over (once the killer took the previous one),
       * then launch: the kill runs before, during or after the launch */
      g_object_ref (agent);
      while (!atomic_compare_exchange_weak (&r.current, &expected, agent))
        {
          expected = NULL;
          g_thread_yield ();
        }
      janus_kernel_launch_light_agent (r.kernel, agent, "racing", NULL, NULL);
      g_object_unref (agent);
    }
  atomic_store (&r.stop, TRUE);
  g_thread_join (killer);
  g_assert_cmpuint (r.wrong, ==, 0);
  g_assert_cmpuint (r.killed + r.not_launched, ==, n);
  janus_kernel_shutdown (r.kernel);
  g_assert_finalize_object (r.kernel);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/agent/kill/self", test_kill_self);
  g_test_add_data_func ("/agent/kill/launcher/in-activate",
                        GINT_TO_POINTER (LAUNCH_IN_ACTIVATE), test_kill_launcher);
  g_test_add_data_func ("/agent/kill/launcher/in-live",
                        GINT_TO_POINTER (LAUNCH_IN_LIVE), test_kill_launcher);
  g_test_add_data_func ("/agent/kill/launcher/in-end",
                        GINT_TO_POINTER (LAUNCH_IN_END), test_kill_launcher);
  g_test_add_func ("/agent/kill/launcher/from-agent", test_kill_launcher_from_agent);
  g_test_add_func ("/agent/kill/stranger", test_kill_stranger);
  g_test_add_func ("/agent/kill/by-unlaunched", test_kill_by_unlaunched);
  g_test_add_func ("/agent/kill/kernel", test_kill_by_kernel);
  g_test_add_func ("/agent/kill/other-kernel", test_kill_other_kernel);
  g_test_add_func ("/agent/kill/launched-on-other-kernel", test_kill_launched_on_other_kernel);
  g_test_add_func ("/agent/kill/not-launched", test_kill_not_launched);
  g_test_add_func ("/agent/kill/idempotent", test_kill_idempotent);
  g_test_add_func ("/agent/kill/waiting", test_kill_waiting);
  g_test_add_func ("/agent/kill/born", test_kill_born);
  g_test_add_func ("/agent/kill/all/no-workers", test_kill_all_no_workers);
  g_test_add_func ("/agent/kill/all/workers", test_kill_all_workers);
  g_test_add_func ("/agent/kill/all/from-agent", test_kill_all_from_agent);
  g_test_add_func ("/agent/kill/while-launching", test_kill_while_launching);

  return g_test_run ();
}
