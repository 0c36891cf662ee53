/* SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Tasks (janus-agent-private.h): work handed to an agent's turn from any
 * thread. An internal test: it links the library's objects, whose private
 * functions the shared library hides.
 */
#include "janus-agent-private.h"
#include "janus-test-utils.h"

/* A task that logs where and when it ran (or that it was cancelled). */
typedef struct
{
  JanusAgentTask  task;
  char           *name;
  JanusAgent     *expect;         /* the agent it must run in */
  atomic_int     *ran;
  atomic_int     *cancelled;
  gboolean        repost;         /* posts itself once more from its run */
  gboolean        wrong_place;    /* ran outside its agent's turn */
} LogTask;

static void
log_task_free (LogTask *t)
{
  g_free (t->name);
  g_free (t);
}

static void
log_task_run (JanusAgentTask *task,
              JanusAgent     *agent)
{
  LogTask *t = (LogTask *) task;

  if (agent != t->expect || janus_agent_get_current () != agent)
    t->wrong_place = TRUE;
  g_assert_false (t->wrong_place);
  log_event ("%s", t->name);
  if (t->ran != NULL)
    atomic_fetch_add (t->ran, 1);
  if (t->repost)
    {
      t->repost = FALSE;
      g_free (t->name);
      t->name = g_strdup ("again");
      g_assert_true (janus_agent_post_task (agent, task));
      return;
    }
  log_task_free (t);
}

static void
log_task_cancel (JanusAgentTask *task)
{
  LogTask *t = (LogTask *) task;

  log_event ("cancel %s", t->name);
  if (t->cancelled != NULL)
    atomic_fetch_add (t->cancelled, 1);
  log_task_free (t);
}

static LogTask *
log_task_new (const char *name,
              gpointer    agent)
{
  LogTask *t = g_new0 (LogTask, 1);

  t->task.run = log_task_run;
  t->task.cancel = log_task_cancel;
  t->name = g_strdup (name);
  t->expect = agent;
  return t;
}

static void
post_ok (gpointer    agent,
         const char *name)
{
  g_assert_true (janus_agent_post_task (agent, &log_task_new (name, agent)->task));
}

static void
on_timer (JanusAgent *agent,
          gpointer    data)
{
  log_event ("timer");
}

static JanusLive
logging_live (TestAgent *self)
{
  log_event ("live");
  /* the first live sets a timer due at once: it fires before the next turn */
  if (self->count++ == 0)
    janus_agent_call_in (AGENT (self), 0, on_timer, NULL, NULL);
  return JANUS_LIVE_WAIT;
}

static gboolean
logging_activate (TestAgent  *self,
                  GVariant   *parameters,
                  GError    **error)
{
  log_event ("activate");
  return TRUE;
}

/* A task runs after activate and before live; in the turn where a timer
 * and tasks are due, the timer runs first, then the tasks in the order
 * they were posted, then live. */
static void
test_order (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  TestAgent *agent = test_agent_new (logging_live, NULL);

  agent->activate = logging_activate;
  log_clear ();
  launch_ok (kernel, agent, "tasks", NULL);
  post_ok (agent, "t1");
  post_ok (agent, "t2");
  test_step (kernel);
  assert_events ("activate;t1;t2;live;");

  /* posted before the timer fires, yet run after it */
  post_ok (agent, "t3");
  post_ok (agent, "t4");
  step_until_idle (kernel, 10);
  assert_events ("timer;t3;t4;live;");

  finish (kernel, agent, NULL);
}

/* A task posted from a task runs at the agent's next turn, not in the
 * turn that posted it. */
static void
test_repost (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  TestAgent *agent = launch_alive (kernel, test_agent_new (deaf_live, NULL));
  LogTask *t = log_task_new ("first", agent);
  int n_live;

  t->repost = TRUE;
  log_clear ();
  g_assert_true (janus_agent_post_task (AGENT (agent), &t->task));
  n_live = g_atomic_int_get (&agent->n_live);
  test_step (kernel);
  assert_events ("first;");
  g_assert_cmpint (g_atomic_int_get (&agent->n_live), ==, n_live + 1);
  test_step (kernel);
  assert_events ("again;");
  g_assert_cmpint (g_atomic_int_get (&agent->n_live), ==, n_live + 2);

  finish (kernel, agent, NULL);
}

/* Tasks waiting when a kill is asked run in the agent's last turn, as due
 * timers do; a task posted to a dead agent is refused and stays the
 * caller's. */
static void
test_run_before_death (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  TestAgent *agent = launch_alive (kernel, test_agent_new (deaf_live, NULL));
  LogTask *late;

  log_clear ();
  post_ok (agent, "t0");
  post_ok (agent, "t1");
  g_assert_true (janus_kernel_kill (kernel, AGENT (agent), NULL));
  step_until_idle (kernel, 10);
  g_assert_cmpint (janus_agent_get_state (AGENT (agent)), ==, JANUS_AGENT_STATE_DIED);
  assert_events ("t0;t1;");

  late = log_task_new ("late", agent);
  g_assert_false (janus_agent_post_task (AGENT (agent), &late->task));
  assert_events ("");
  log_task_free (late);
  g_assert_cmpuint (janus_kernel_get_dead_letter_count (kernel), ==, 0);

  finish (kernel, agent, NULL);
}

/* Tasks that arrive after the agent's last look are cancelled at its
 * death, once each, in order, and are not dead letters; so are those its
 * last turn handed over (it read its mailbox, which took them in) and did
 * not reach. */
static void
post_and_die (TestAgent *self,
              gpointer   data)
{
  atomic_int *counters = data;
  guint i;

  for (i = 0; i < 3; i++)
    {
      g_autofree char *name = g_strdup_printf ("t%u", i);
      LogTask *t = log_task_new (name, self);

      t->ran = &counters[0];
      t->cancelled = &counters[1];
      g_assert_true (janus_agent_post_task (AGENT (self), &t->task));
      /* the first is handed over by this look, the others stay in the inbox */
      if (i == 0)
        g_assert_null (janus_agent_peek_message (AGENT (self)));
    }
  janus_agent_kill_me (AGENT (self));
}

static void
test_cancel_at_death (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  TestAgent *agent = launch_alive (kernel, test_agent_new (deaf_live, NULL));
  atomic_int counters[2] = { 0, 0 };

  log_clear ();
  agent_do (kernel, agent, post_and_die, counters);
  step_until_idle (kernel, 10);
  g_assert_cmpint (janus_agent_get_state (AGENT (agent)), ==, JANUS_AGENT_STATE_DIED);
  g_assert_cmpint (counters[0], ==, 0);
  g_assert_cmpint (counters[1], ==, 3);
  assert_events ("cancel t0;cancel t1;cancel t2;");
  g_assert_cmpuint (janus_kernel_get_dead_letter_count (kernel), ==, 0);

  finish (kernel, agent, NULL);
}

/* Posting by address: an unknown or dead agent refuses. */
static void
test_post_to_id (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  TestAgent *agent = launch_alive (kernel, test_agent_new (deaf_live, NULL));
  JanusRuntime *rt = janus_agent_get_runtime (AGENT (agent));
  LogTask *t = log_task_new ("by-id", agent);

  log_clear ();
  g_assert_false (janus_agent_post_task_to (rt, ADDR (agent)->id + 1000, &t->task));
  g_assert_true (janus_agent_post_task_to (rt, ADDR (agent)->id, &t->task));
  step_until_idle (kernel, 10);
  assert_events ("by-id;");

  kill_and_wait (kernel, agent);
  t = log_task_new ("dead", agent);
  g_assert_false (janus_agent_post_task_to (rt, ADDR (agent)->id, &t->task));
  log_task_free (t);
  assert_events ("");

  finish (kernel, agent, NULL);
}

/* Kills @agent on a kernel with workers and returns once it died. */
static void
kill_on_workers (JanusKernel *kernel,
                 TestAgent   *agent)
{
  g_assert_true (janus_kernel_kill (kernel, AGENT (agent), NULL));
  run_bounded (kernel);
  g_assert_cmpint (janus_agent_get_state (AGENT (agent)), ==, JANUS_AGENT_STATE_DIED);
}

/* A heavy agent blocked in wait_message: a task wakes it, ends the wait,
 * and runs on its thread before its next live. */
typedef struct
{
  JanusAgentTask task;
  GMutex         lock;
  GCond          cond;
  GThread       *thread;
  gboolean       ran;
} HeavyTask;

static void
heavy_task_run (JanusAgentTask *task,
                JanusAgent     *agent)
{
  HeavyTask *t = (HeavyTask *) task;

  g_mutex_lock (&t->lock);
  t->thread = g_thread_self ();
  t->ran = TRUE;
  g_cond_signal (&t->cond);
  g_mutex_unlock (&t->lock);
}

static void
heavy_task_cancel (JanusAgentTask *task)
{
  g_assert_not_reached ();
}

static JanusLive
blocking_live (TestAgent *self)
{
  JanusMessage *m = janus_agent_wait_message (AGENT (self), -1);

  /* woken for the task: the wait returns nothing */
  if (m == NULL)
    atomic_fetch_add ((atomic_int *) self->data, 1);
  else
    janus_message_unref (m);
  return JANUS_LIVE_WAIT;
}

static void
test_heavy (void)
{
  JanusKernel *kernel = janus_kernel_new (2);
  atomic_int woken = 0;
  TestAgent *agent = test_agent_new (blocking_live, &woken);
  HeavyTask t = { { heavy_task_run, heavy_task_cancel } };
  gint64 deadline = g_get_monotonic_time () + DEADLINE_USEC;
  GThread *live_thread;

  g_mutex_init (&t.lock);
  g_cond_init (&t.cond);
  g_assert_true (janus_kernel_launch_heavy_agent (kernel, AGENT (agent), "heavy", NULL, NULL));
  while (g_atomic_int_get (&agent->n_live) == 0 && g_get_monotonic_time () < deadline)
    g_thread_yield ();
  g_assert_true (janus_agent_post_task (AGENT (agent), &t.task));
  g_mutex_lock (&t.lock);
  while (!t.ran)
    g_assert_true (g_cond_wait_until (&t.cond, &t.lock, deadline));
  g_mutex_unlock (&t.lock);
  kill_on_workers (kernel, agent);

  g_mutex_lock (&agent->lock);
  live_thread = agent->live_thread;
  g_mutex_unlock (&agent->lock);
  g_assert_true (t.thread == live_thread);
  g_assert_cmpint (woken, >=, 1);
  g_mutex_clear (&t.lock);
  g_cond_clear (&t.cond);
  finish (kernel, agent, NULL);
}

/* A heavy agent's live hands a task over (its read took it in) and
 * waits: the task's request keeps it awake, and the task runs. */
static JanusLive
self_posting_live (TestAgent *self)
{
  HeavyTask *t = self->data;

  if (self->count++ == 0)
    {
      g_assert_true (janus_agent_post_task (AGENT (self), &t->task));
      g_assert_null (janus_agent_peek_message (AGENT (self)));
    }
  return JANUS_LIVE_WAIT;
}

static void
test_heavy_handed_over (void)
{
  JanusKernel *kernel = janus_kernel_new (1);
  HeavyTask t = { { heavy_task_run, heavy_task_cancel } };
  TestAgent *agent = test_agent_new (self_posting_live, &t);
  gint64 deadline = g_get_monotonic_time () + DEADLINE_USEC;

  g_mutex_init (&t.lock);
  g_cond_init (&t.cond);
  g_assert_true (janus_kernel_launch_heavy_agent (kernel, AGENT (agent), "heavy", NULL, NULL));
  g_mutex_lock (&t.lock);
  while (!t.ran)
    g_assert_true (g_cond_wait_until (&t.cond, &t.lock, deadline));
  g_mutex_unlock (&t.lock);
  kill_on_workers (kernel, agent);
  g_mutex_clear (&t.lock);
  g_cond_clear (&t.cond);
  finish (kernel, agent, NULL);
}

/* Several threads post to one agent on two workers: every task runs in
 * the agent's turn (never two at once, never beside its live), those of
 * one poster in the order posted; the rest is cancelled at death. */
#define N_POSTERS 4

typedef struct
{
  JanusAgentTask task;
  struct Shared *shared;
  guint          poster;
  guint          seq;
} SeqTask;

struct Shared
{
  JanusAgent  *agent;
  atomic_int   ran;
  atomic_int   cancelled;
  atomic_int   refused;
  atomic_int   busy;
  guint        last[N_POSTERS];   /* the agent's turn only */
  atomic_int   bad;
  guint        per_poster;
};

static void
seq_task_run (JanusAgentTask *task,
              JanusAgent     *agent)
{
  SeqTask *t = (SeqTask *) task;
  struct Shared *s = t->shared;

  if (atomic_fetch_add (&s->busy, 1) != 0 || janus_agent_get_current () != s->agent
      || t->seq != s->last[t->poster] + 1)
    atomic_store (&s->bad, TRUE);
  s->last[t->poster] = t->seq;
  atomic_fetch_sub (&s->busy, 1);
  atomic_fetch_add (&s->ran, 1);
  g_free (t);
}

static void
seq_task_cancel (JanusAgentTask *task)
{
  atomic_fetch_add (&((SeqTask *) task)->shared->cancelled, 1);
  g_free (task);
}

static gpointer
poster_main (gpointer data)
{
  struct Shared *s = ((gpointer *) data)[0];
  guint poster = GPOINTER_TO_UINT (((gpointer *) data)[1]);
  guint i;

  for (i = 1; i <= s->per_poster; i++)
    {
      SeqTask *t = g_new0 (SeqTask, 1);

      t->task.run = seq_task_run;
      t->task.cancel = seq_task_cancel;
      t->shared = s;
      t->poster = poster;
      t->seq = i;
      if (!janus_agent_post_task (s->agent, &t->task))
        {
          atomic_fetch_add (&s->refused, 1);
          g_free (t);
        }
    }
  return NULL;
}

static JanusLive
busy_live (TestAgent *self)
{
  struct Shared *s = self->data;

  if (atomic_fetch_add (&s->busy, 1) != 0)
    atomic_store (&s->bad, TRUE);
  atomic_fetch_sub (&s->busy, 1);
  return JANUS_LIVE_AGAIN;
}

static void
test_threads (void)
{
  JanusKernel *kernel = janus_kernel_new (2);
  struct Shared s = { 0 };
  TestAgent *agent = test_agent_new (busy_live, &s);
  gpointer args[N_POSTERS][2];
  GThread *threads[N_POSTERS];
  guint i, total;

  s.agent = AGENT (agent);
  s.per_poster = test_small () ? 200 : 5000;
  total = N_POSTERS * s.per_poster;
  launch_ok (kernel, agent, "target", NULL);
  for (i = 0; i < N_POSTERS; i++)
    {
      args[i][0] = &s;
      args[i][1] = GUINT_TO_POINTER (i);
      threads[i] = g_thread_new ("poster", poster_main, args[i]);
    }
  /* killed while the posters post: what did not run is cancelled */
  while ((guint) atomic_load (&s.ran) < total / 2 && !atomic_load (&s.bad))
    g_thread_yield ();
  kill_on_workers (kernel, agent);
  for (i = 0; i < N_POSTERS; i++)
    g_thread_join (threads[i]);

  g_assert_false (atomic_load (&s.bad));
  g_assert_cmpuint ((guint) (atomic_load (&s.ran) + atomic_load (&s.cancelled)
                             + atomic_load (&s.refused)), ==, total);
  g_assert_cmpint (atomic_load (&s.ran), >=, (int) total / 2);
  finish (kernel, agent, NULL);
}

/* janus_agent_invoke: the function runs in the agent's turn, then the
 * data's destroy; only the destroy for an agent that died first, or was
 * dead. */
static void
invoked (JanusAgent *agent,
         gpointer    data)
{
  g_assert_true (janus_agent_get_current () == agent);
  log_event ("run %s", (const char *) data);
}

static void
invoked_destroy (gpointer data)
{
  log_event ("destroy %s", (const char *) data);
}

static void
invoke_and_die (TestAgent *self,
                gpointer   data)
{
  g_assert_true (janus_agent_invoke (AGENT (self), invoked, "b", invoked_destroy));
  janus_agent_kill_me (AGENT (self));
}

static void
test_invoke (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  TestAgent *agent = launch_alive (kernel, test_agent_new (deaf_live, NULL));

  log_clear ();
  g_assert_true (janus_agent_invoke (AGENT (agent), invoked, "a", invoked_destroy));
  g_assert_true (janus_agent_invoke (AGENT (agent), invoked, "no-destroy", NULL));
  assert_events ("");
  test_step (kernel);
  assert_events ("run a;destroy a;run no-destroy;");

  agent_do (kernel, agent, invoke_and_die, NULL);
  step_until_idle (kernel, 10);
  assert_events ("destroy b;");
  g_assert_false (janus_agent_invoke (AGENT (agent), invoked, "c", invoked_destroy));
  assert_events ("destroy c;");

  finish (kernel, agent, NULL);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/agent-tasks/order", test_order);
  g_test_add_func ("/agent-tasks/repost", test_repost);
  g_test_add_func ("/agent-tasks/run-before-death", test_run_before_death);
  g_test_add_func ("/agent-tasks/cancel-at-death", test_cancel_at_death);
  g_test_add_func ("/agent-tasks/post-to-id", test_post_to_id);
  g_test_add_func ("/agent-tasks/heavy", test_heavy);
  g_test_add_func ("/agent-tasks/heavy-handed-over", test_heavy_handed_over);
  g_test_add_func ("/agent-tasks/threads", test_threads);
  g_test_add_func ("/agent-tasks/invoke", test_invoke);

  return g_test_run ();
}
