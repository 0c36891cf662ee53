/* SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * JanusKernel: launch errors, shutdown and dispose with live agents,
 * lookup/list/count, the default kernel, keep-alive and quit, run with no
 * agent, driving a 0-worker kernel from a GMainContext, and the
 * preconditions of its entry points.
 */
#include <string.h>

#include "janus-test-utils.h"


static const JanusAddress *
addr (TestAgent *agent)
{
  return janus_agent_get_address (JANUS_AGENT (agent));
}

typedef struct
{
  GMutex lock;
  GCond  cond;
  guint  count;
} Counter;

static void
counter_init (Counter *counter)
{
  g_mutex_init (&counter->lock);
  g_cond_init (&counter->cond);
  counter->count = 0;
}

static void
counter_clear (Counter *counter)
{
  g_mutex_clear (&counter->lock);
  g_cond_clear (&counter->cond);
}

static void
counter_add (Counter *counter)
{
  g_mutex_lock (&counter->lock);
  counter->count++;
  g_cond_broadcast (&counter->cond);
  g_mutex_unlock (&counter->lock);
}

/* Waits until @counter reaches @n; fails after DEADLINE_USEC. */
static void
counter_wait (Counter *counter,
              guint    n)
{
  gint64 deadline = g_get_monotonic_time () + DEADLINE_USEC;

  g_mutex_lock (&counter->lock);
  while (counter->count < n)
    if (!g_cond_wait_until (&counter->cond, &counter->lock, deadline))
      break;
  g_assert_cmpuint (counter->count, >=, n);
  g_mutex_unlock (&counter->lock);
}

static gboolean
activate_count (TestAgent  *self,
                GVariant   *parameters,
                GError    **error)
{
  counter_add (self->data);
  return TRUE;
}

static void
end_count (TestAgent *self)
{
  counter_add (self->data);
}

static JanusLive
live_count_wait (TestAgent *self)
{
  counter_add (self->data);
  return JANUS_LIVE_WAIT;
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

/* -------------------------------------------------------------- launch */

static void
test_launch_twice (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  JanusKernel *other = janus_kernel_new (0);
  TestAgent *agent = test_agent_new (NULL, NULL);
  g_autoptr(JanusAddress) address = NULL;
  GError *error = NULL;

  launch_ok (kernel, agent, "first", NULL);
  address = janus_address_copy (addr (agent));

  g_assert_false (janus_kernel_launch_light_agent (kernel, JANUS_AGENT (agent), "again",
                                                   NULL, &error));
  g_assert_error (error, JANUS_KERNEL_ERROR, JANUS_KERNEL_ERROR_ALREADY_LAUNCHED);
  g_clear_error (&error);
  g_assert_false (janus_kernel_launch_heavy_agent (kernel, JANUS_AGENT (agent), "heavy",
                                                   NULL, &error));
  g_assert_error (error, JANUS_KERNEL_ERROR, JANUS_KERNEL_ERROR_ALREADY_LAUNCHED);
  g_clear_error (&error);
  /* on another kernel too; a floating parameter is consumed anyway */
  g_assert_false (janus_kernel_launch_light_agent (other, JANUS_AGENT (agent), "elsewhere",
                                                   g_variant_new_int32 (1), &error));
  g_assert_error (error, JANUS_KERNEL_ERROR, JANUS_KERNEL_ERROR_ALREADY_LAUNCHED);
  g_clear_error (&error);

  /* nothing changed */
  g_assert_true (janus_address_equal (addr (agent), address));
  g_assert_true (janus_agent_get_kernel (JANUS_AGENT (agent)) == kernel);
  g_assert_cmpstr (janus_agent_get_name (JANUS_AGENT (agent)), ==, "first");
  g_assert_false (janus_agent_is_heavy (JANUS_AGENT (agent)));
  g_assert_cmpuint (janus_kernel_get_agent_count (kernel), ==, 1);
  g_assert_cmpuint (janus_kernel_get_agent_count (other), ==, 0);

  /* nor after its death */
  janus_kernel_kill_all (kernel);
  janus_kernel_run (kernel);
  g_assert_false (janus_kernel_launch_light_agent (kernel, JANUS_AGENT (agent), NULL,
                                                   NULL, &error));
  g_assert_error (error, JANUS_KERNEL_ERROR, JANUS_KERNEL_ERROR_ALREADY_LAUNCHED);
  g_clear_error (&error);
  g_assert_cmpint (janus_agent_get_state (JANUS_AGENT (agent)), ==, JANUS_AGENT_STATE_DIED);
  assert_log (agent, "ae");   /* killed while BORN */

  unref_last (kernel);
  unref_last (other);
  unref_last (agent);
}

static void
test_launch_after_shutdown (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  JanusKernel *other = janus_kernel_new (0);
  TestAgent *agent = test_agent_new_countdown (1);
  GError *error = NULL;

  janus_kernel_shutdown (kernel);
  g_assert_false (janus_kernel_launch_light_agent (kernel, JANUS_AGENT (agent), NULL,
                                                   g_variant_new_string ("x"), &error));
  g_assert_error (error, JANUS_KERNEL_ERROR, JANUS_KERNEL_ERROR_STOPPED);
  g_clear_error (&error);
  g_assert_false (janus_kernel_launch_heavy_agent (kernel, JANUS_AGENT (agent), NULL,
                                                   NULL, &error));
  g_assert_error (error, JANUS_KERNEL_ERROR, JANUS_KERNEL_ERROR_STOPPED);
  g_clear_error (&error);

  g_assert_cmpint (janus_agent_get_state (JANUS_AGENT (agent)), ==, JANUS_AGENT_STATE_UNBORN);
  g_assert_null (addr (agent));
  g_assert_cmpuint (janus_kernel_get_agent_count (kernel), ==, 0);
  /* a stopped kernel with no agent: run returns at once */
  janus_kernel_run (kernel);

  /* the agent is still good for another kernel */
  launch_ok (other, agent, NULL, NULL);
  janus_kernel_run (other);
  assert_log (agent, "ale");

  unref_last (kernel);
  unref_last (other);
  unref_last (agent);
}

/* ------------------------------------------------------------ shutdown */

static void
test_shutdown (gconstpointer data)
{
  guint workers = GPOINTER_TO_UINT (data);
  JanusKernel *kernel = janus_kernel_new (workers);
  TestAgent *waiting = test_agent_new (NULL, NULL);
  TestAgent *busy = test_agent_new (NULL, NULL);
  TestAgent *born = test_agent_new (NULL, NULL);
  Counter activated;
  guint i;

  counter_init (&activated);
  waiting->data = busy->data = &activated;
  waiting->activate = busy->activate = activate_count;
  busy->live = live_again_yield;
  launch_ok (kernel, waiting, NULL, NULL);
  launch_ok (kernel, busy, NULL, NULL);
  if (workers == 0)
    g_assert_true (janus_kernel_step (kernel));
  counter_wait (&activated, 2);
  if (workers == 0)
    launch_ok (kernel, born, NULL, NULL);   /* never stepped */
  else
    {
      born->countdown = 1;
      launch_ok (kernel, born, NULL, NULL);
    }

  janus_kernel_shutdown (kernel);
  g_assert_cmpuint (janus_kernel_get_agent_count (kernel), ==, 0);
  for (i = 0; i < 3; i++)
    {
      TestAgent *agent = (TestAgent *[]) { waiting, busy, born }[i];

      g_assert_cmpint (janus_agent_get_state (JANUS_AGENT (agent)), ==, JANUS_AGENT_STATE_DIED);
      g_assert_cmpint (agent->n_activate, ==, 1);
      g_assert_cmpint (agent->n_end, ==, 1);
    }

  /* idempotent */
  janus_kernel_shutdown (kernel);
  janus_kernel_shutdown (kernel);
  g_assert_cmpint (waiting->n_end, ==, 1);
  g_assert_cmpint (busy->n_end, ==, 1);
  g_assert_cmpint (born->n_end, ==, 1);
  assert_log (waiting, "ale");

  unref_last (kernel);
  unref_last (waiting);
  unref_last (busy);
  unref_last (born);
  counter_clear (&activated);
}

static void
test_dispose_with_agents (gconstpointer data)
{
  guint workers = GPOINTER_TO_UINT (data);
  JanusKernel *kernel = janus_kernel_new (workers);
  guint n = 10, i;
  TestAgent *agents[10];
  Counter lived;

  counter_init (&lived);
  for (i = 0; i < n; i++)
    {
      agents[i] = test_agent_new (NULL, NULL);
      agents[i]->data = &lived;
      agents[i]->live = live_count_wait;
      launch_ok (kernel, agents[i], NULL, NULL);
    }
  if (workers == 0)
    g_assert_false (janus_kernel_step (kernel));
  counter_wait (&lived, n);
  for (i = 0; i < n; i++)
    assert_log (agents[i], "al");

  /* every agent WAITs; dropping the kernel kills them all */
  unref_last (kernel);
  for (i = 0; i < n; i++)
    {
      assert_log (agents[i], "ale");
      g_assert_cmpint (janus_agent_get_state (JANUS_AGENT (agents[i])), ==,
                       JANUS_AGENT_STATE_DIED);
      unref_last (agents[i]);
    }
  counter_clear (&lived);
}

/* ------------------------------------------------------ lookup and list */

static void
test_lookup (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  JanusKernel *other = janus_kernel_new (0);
  TestAgent *a = test_agent_new (NULL, NULL);
  TestAgent *b = test_agent_new (NULL, NULL);
  TestAgent *other_agent = test_agent_new (NULL, NULL);
  g_autoptr(JanusAddress) unknown = NULL;
  g_autoptr(JanusAddress) a_address = NULL;
  JanusAgent *found;
  GError *error = NULL;

  launch_ok (kernel, a, NULL, NULL);
  launch_ok (kernel, b, NULL, NULL);
  launch_ok (other, other_agent, NULL, NULL);
  a_address = janus_address_copy (addr (a));

  /* BORN agents can be found already */
  found = janus_kernel_lookup_agent (kernel, addr (a));
  g_assert_true (found == JANUS_AGENT (a));
  g_object_unref (found);
  found = janus_kernel_lookup_agent (kernel, addr (b));
  g_assert_true (found == JANUS_AGENT (b));
  g_object_unref (found);

  /* unknown id, another kernel's agent, the kernel's own address */
  unknown = janus_address_new (janus_kernel_get_uuid (kernel), 1000);
  g_assert_null (janus_kernel_lookup_agent (kernel, unknown));
  g_assert_null (janus_kernel_lookup_agent (kernel, addr (other_agent)));
  g_assert_null (janus_kernel_lookup_agent (other, addr (a)));
  g_assert_null (janus_kernel_lookup_agent (kernel, janus_kernel_get_address (kernel)));

  /* the dead are not found */
  step_until_idle (kernel, 10);
  g_assert_true (janus_kernel_kill (kernel, JANUS_AGENT (a), &error));
  g_assert_no_error (error);
  step_until_idle (kernel, 10);
  g_assert_null (janus_kernel_lookup_agent (kernel, a_address));
  found = janus_kernel_lookup_agent (kernel, addr (b));
  g_assert_true (found == JANUS_AGENT (b));
  g_object_unref (found);

  janus_kernel_shutdown (kernel);
  g_assert_null (janus_kernel_lookup_agent (kernel, addr (b)));

  unref_last (kernel);
  unref_last (other);
  unref_last (a);
  unref_last (b);
  unref_last (other_agent);
}

static void
test_list_and_count (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  TestAgent *agents[5];
  g_autoptr(GPtrArray) list = NULL;
  GError *error = NULL;
  guint i;

  g_assert_cmpuint (janus_kernel_get_agent_count (kernel), ==, 0);
  list = janus_kernel_list_agents (kernel);
  g_assert_cmpuint (list->len, ==, 0);
  g_clear_pointer (&list, g_ptr_array_unref);

  for (i = 0; i < G_N_ELEMENTS (agents); i++)
    {
      guint count;

      agents[i] = test_agent_new (NULL, NULL);
      launch_ok (kernel, agents[i], NULL, NULL);
      g_assert_cmpuint (janus_kernel_get_agent_count (kernel), ==, i + 1);
      g_object_get (kernel, "agent-count", &count, NULL);
      g_assert_cmpuint (count, ==, i + 1);
    }

  /* by address, i.e. in launch order */
  list = janus_kernel_list_agents (kernel);
  g_assert_cmpuint (list->len, ==, G_N_ELEMENTS (agents));
  for (i = 0; i < list->len; i++)
    g_assert_true (list->pdata[i] == (gpointer) agents[i]);
  g_clear_pointer (&list, g_ptr_array_unref);

  step_until_idle (kernel, 10);
  g_assert_cmpuint (janus_kernel_get_agent_count (kernel), ==, 5);

  g_assert_true (janus_kernel_kill (kernel, JANUS_AGENT (agents[1]), &error));
  g_assert_no_error (error);
  g_assert_true (janus_kernel_kill (kernel, JANUS_AGENT (agents[3]), &error));
  g_assert_no_error (error);
  /* the count drops when they died, not when they were killed */
  g_assert_cmpuint (janus_kernel_get_agent_count (kernel), ==, 5);
  step_until_idle (kernel, 10);
  g_assert_cmpuint (janus_kernel_get_agent_count (kernel), ==, 3);

  list = janus_kernel_list_agents (kernel);
  g_assert_cmpuint (list->len, ==, 3);
  g_assert_true (list->pdata[0] == (gpointer) agents[0]);
  g_assert_true (list->pdata[1] == (gpointer) agents[2]);
  g_assert_true (list->pdata[2] == (gpointer) agents[4]);
  g_clear_pointer (&list, g_ptr_array_unref);

  janus_kernel_shutdown (kernel);
  g_assert_cmpuint (janus_kernel_get_agent_count (kernel), ==, 0);
  list = janus_kernel_list_agents (kernel);
  g_assert_cmpuint (list->len, ==, 0);
  g_clear_pointer (&list, g_ptr_array_unref);

  unref_last (kernel);
  for (i = 0; i < G_N_ELEMENTS (agents); i++)
    unref_last (agents[i]);
}

/* ------------------------------------------------------------- default */

static void
test_default (void)
{
  JanusKernel *kernel = janus_kernel_get_default ();

  g_assert_true (JANUS_IS_KERNEL (kernel));
  g_assert_true (janus_kernel_get_default () == kernel);
  g_assert_cmpuint (janus_kernel_get_workers (kernel), ==, g_get_num_processors ());
}

/* ---------------------------------------------------- keep-alive, quit */

typedef struct
{
  JanusKernel *kernel;
  GMutex       lock;
  GCond        cond;
  gboolean     returned;
  gboolean     quit_was_called;   /* seen by run's thread when run returned */
  gboolean     quit_called;
} QuitData;

static gpointer
quit_run_thread (gpointer user_data)
{
  QuitData *q = user_data;

  janus_kernel_run (q->kernel);
  g_mutex_lock (&q->lock);
  q->returned = TRUE;
  q->quit_was_called = q->quit_called;
  g_cond_signal (&q->cond);
  g_mutex_unlock (&q->lock);
  return NULL;
}

static void
notify_count (GObject    *object,
              GParamSpec *pspec,
              guint      *count)
{
  (*count)++;
}

static void
test_keep_alive_quit (gconstpointer data)
{
  guint workers = GPOINTER_TO_UINT (data);
  JanusKernel *kernel = janus_kernel_new (workers);
  TestAgent *done = test_agent_new_countdown (3);
  TestAgent *waiting = test_agent_new (NULL, NULL);
  QuitData q = { .kernel = kernel };
  Counter ended, activated;
  guint notified = 0;
  gboolean keep_alive;
  gint64 deadline;
  GThread *thread;

  g_mutex_init (&q.lock);
  g_cond_init (&q.cond);
  counter_init (&ended);
  counter_init (&activated);

  g_assert_false (janus_kernel_get_keep_alive (kernel));
  g_signal_connect (kernel, "notify::keep-alive", G_CALLBACK (notify_count), &notified);
  janus_kernel_set_keep_alive (kernel, TRUE);
  janus_kernel_set_keep_alive (kernel, TRUE);
  g_assert_cmpuint (notified, ==, 1);
  g_object_get (kernel, "keep-alive", &keep_alive, NULL);
  g_assert_true (keep_alive);

  done->data = &ended;
  done->end = end_count;
  launch_ok (kernel, done, NULL, NULL);
  waiting->data = &activated;
  waiting->activate = activate_count;
  launch_ok (kernel, waiting, NULL, NULL);

  thread = g_thread_new ("run", quit_run_thread, &q);
  /* the agents finish, run goes on */
  counter_wait (&ended, 1);
  counter_wait (&activated, 1);
  janus_kernel_kill_all (kernel);
  deadline = g_get_monotonic_time () + DEADLINE_USEC;
  while (janus_kernel_get_agent_count (kernel) > 0)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_thread_yield ();
    }
  g_mutex_lock (&q.lock);
  g_assert_false (q.returned);
  q.quit_called = TRUE;
  g_mutex_unlock (&q.lock);

  janus_kernel_quit (kernel);
  deadline = g_get_monotonic_time () + DEADLINE_USEC;
  g_mutex_lock (&q.lock);
  while (!q.returned)
    if (!g_cond_wait_until (&q.cond, &q.lock, deadline))
      break;
  g_assert_true (q.returned);
  g_assert_true (q.quit_was_called);
  g_mutex_unlock (&q.lock);
  g_thread_join (thread);

  assert_log (done, "allle");
  assert_log (waiting, "ale");

  unref_last (kernel);
  unref_last (done);
  unref_last (waiting);
  g_mutex_clear (&q.lock);
  g_cond_clear (&q.cond);
  counter_clear (&ended);
  counter_clear (&activated);
}

static void
test_quit_leaves_agents (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  TestAgent *waiting = test_agent_new (NULL, NULL);
  QuitData q = { .kernel = kernel };
  Counter activated;
  gint64 deadline;
  GThread *thread;

  g_mutex_init (&q.lock);
  g_cond_init (&q.cond);
  counter_init (&activated);

  /* run does not return while an agent waits; quit makes it, and the
   * agent is not killed */
  waiting->data = &activated;
  waiting->activate = activate_count;
  launch_ok (kernel, waiting, NULL, NULL);
  thread = g_thread_new ("run", quit_run_thread, &q);
  counter_wait (&activated, 1);
  g_mutex_lock (&q.lock);
  q.quit_called = TRUE;
  g_mutex_unlock (&q.lock);
  janus_kernel_quit (kernel);

  deadline = g_get_monotonic_time () + DEADLINE_USEC;
  g_mutex_lock (&q.lock);
  while (!q.returned)
    if (!g_cond_wait_until (&q.cond, &q.lock, deadline))
      break;
  g_assert_true (q.returned);
  g_assert_true (q.quit_was_called);
  g_mutex_unlock (&q.lock);
  g_thread_join (thread);

  assert_log (waiting, "al");
  g_assert_cmpint (janus_agent_get_state (JANUS_AGENT (waiting)), ==, JANUS_AGENT_STATE_ALIVE);
  g_assert_cmpuint (janus_kernel_get_agent_count (kernel), ==, 1);

  janus_kernel_shutdown (kernel);
  assert_log (waiting, "ale");

  unref_last (kernel);
  unref_last (waiting);
  g_mutex_clear (&q.lock);
  g_cond_clear (&q.cond);
  counter_clear (&activated);
}

static void
test_run_no_agent (gconstpointer data)
{
  JanusKernel *kernel = janus_kernel_new (GPOINTER_TO_UINT (data));

  run_bounded (kernel);
  run_bounded (kernel);
  g_assert_cmpuint (janus_kernel_get_agent_count (kernel), ==, 0);
  unref_last (kernel);
}

/* ------------------------------------------------------- GMainContext */

typedef struct
{
  GMainLoop *loop;
  gboolean   timed_out;
} LoopData;

static gboolean
loop_timeout (gpointer user_data)
{
  LoopData *l = user_data;

  l->timed_out = TRUE;
  g_main_loop_quit (l->loop);
  return G_SOURCE_REMOVE;
}

static void
end_send_stop (TestAgent *self)
{
  GError *error = NULL;

  /* data: the address of the agent to stop */
  g_assert_true (janus_agent_send (JANUS_AGENT (self), self->data,
                                   janus_message_new ("stop", NULL), &error));
  g_assert_no_error (error);
}

static JanusLive
live_until_stop (TestAgent *self)
{
  g_autoptr(JanusMessage) m = janus_agent_get_message (JANUS_AGENT (self));

  if (m != NULL && janus_message_has_subject (m, "stop"))
    return JANUS_LIVE_DONE;
  return JANUS_LIVE_WAIT;
}

static void
end_quit_loop (TestAgent *self)
{
  g_main_loop_quit (((LoopData *) self->data)->loop);
}

static GSource *
attach_timeout (GMainContext *context,
                LoopData     *l)
{
  GSource *timeout = g_timeout_source_new_seconds (DEADLINE_USEC / G_USEC_PER_SEC);

  g_source_set_callback (timeout, loop_timeout, l, NULL);
  g_source_attach (timeout, context);
  return timeout;
}

static void
test_source (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  GMainContext *context = g_main_context_new ();
  LoopData l = { .loop = g_main_loop_new (context, FALSE) };
  TestAgent *counter = test_agent_new_countdown (3);
  TestAgent *stopper = test_agent_new (NULL, NULL);
  GSource *source, *timeout;

  stopper->live = live_until_stop;
  stopper->end = end_quit_loop;
  stopper->data = &l;
  launch_ok (kernel, stopper, NULL, NULL);
  counter->end = end_send_stop;
  counter->data = (gpointer) addr (stopper);
  launch_ok (kernel, counter, NULL, NULL);

  source = janus_kernel_create_source (kernel);
  g_source_attach (source, context);
  timeout = attach_timeout (context, &l);
  g_main_loop_run (l.loop);
  g_assert_false (l.timed_out);

  /* the agents ran on this thread, from the context */
  assert_log (counter, "allle");
  assert_log (stopper, "alle");
  g_assert_cmpuint (janus_kernel_get_agent_count (kernel), ==, 0);

  g_source_destroy (timeout);
  g_source_unref (timeout);
  g_source_destroy (source);
  g_source_unref (source);
  g_main_loop_unref (l.loop);
  g_main_context_unref (context);
  unref_last (kernel);
  unref_last (counter);
  unref_last (stopper);
}

typedef struct
{
  JanusKernel  *kernel;
  JanusAddress *to;
} SendData;

static gpointer
send_stop_thread (gpointer user_data)
{
  SendData *s = user_data;
  GError *error = NULL;

  g_assert_true (janus_kernel_send (s->kernel, s->to, janus_message_new ("stop", NULL), &error));
  g_assert_no_error (error);
  return NULL;
}

static void
test_source_wakeup_from_thread (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  GMainContext *context = g_main_context_new ();
  LoopData l = { .loop = g_main_loop_new (context, FALSE) };
  TestAgent *stopper = test_agent_new (NULL, NULL);
  SendData s = { .kernel = kernel };
  GSource *source, *timeout;
  GThread *sender;

  stopper->live = live_until_stop;
  stopper->end = end_quit_loop;
  stopper->data = &l;
  launch_ok (kernel, stopper, NULL, NULL);
  s.to = janus_address_copy (addr (stopper));

  source = janus_kernel_create_source (kernel);
  g_source_attach (source, context);
  timeout = attach_timeout (context, &l);
  /* run the context until the agent sleeps: it waits in poll from now */
  while (g_main_context_iteration (context, FALSE))
    ;
  assert_log (stopper, "al");

  /* a message sent from another thread wakes the context up */
  sender = g_thread_new ("sender", send_stop_thread, &s);
  g_main_loop_run (l.loop);
  g_assert_false (l.timed_out);
  g_thread_join (sender);
  assert_log (stopper, "alle");

  g_source_destroy (timeout);
  g_source_unref (timeout);
  g_source_destroy (source);
  g_source_unref (source);
  g_main_loop_unref (l.loop);
  g_main_context_unref (context);
  janus_address_free (s.to);
  unref_last (kernel);
  unref_last (stopper);
}

/* --------------------------------------------------------- preconditions */

static JanusLive
live_run_own_kernel (TestAgent *self)
{
  janus_kernel_run (janus_agent_get_kernel (JANUS_AGENT (self)));
  return JANUS_LIVE_DONE;
}

static JanusLive
live_shutdown_own_kernel (TestAgent *self)
{
  janus_kernel_shutdown (janus_agent_get_kernel (JANUS_AGENT (self)));
  return JANUS_LIVE_DONE;
}

static void
critical_case (const char *name)
{
  JanusKernel *kernel = janus_kernel_new (0);
  JanusKernel *workers = janus_kernel_new (2);
  TestAgent *agent = test_agent_new (NULL, NULL);
  JanusAddress *address = janus_address_new (janus_kernel_get_uuid (kernel), 0);
  GObject *not_agent = g_object_new (G_TYPE_OBJECT, NULL);

  if (g_str_equal (name, "launch-null-kernel"))
    janus_kernel_launch_light_agent (NULL, JANUS_AGENT (agent), NULL, NULL, NULL);
  else if (g_str_equal (name, "launch-null-agent"))
    janus_kernel_launch_light_agent (kernel, NULL, NULL, NULL, NULL);
  else if (g_str_equal (name, "launch-heavy-null-kernel"))
    janus_kernel_launch_heavy_agent (NULL, JANUS_AGENT (agent), NULL, NULL, NULL);
  else if (g_str_equal (name, "launch-heavy-null-agent"))
    janus_kernel_launch_heavy_agent (kernel, NULL, NULL, NULL, NULL);
  else if (g_str_equal (name, "launch-not-an-agent"))
    janus_kernel_launch_light_agent (kernel, (JanusAgent *) not_agent, NULL, NULL, NULL);
  else if (g_str_equal (name, "kill-null-kernel"))
    janus_kernel_kill (NULL, JANUS_AGENT (agent), NULL);
  else if (g_str_equal (name, "kill-null-agent"))
    janus_kernel_kill (kernel, NULL, NULL);
  else if (g_str_equal (name, "kill-all-null"))
    janus_kernel_kill_all (NULL);
  else if (g_str_equal (name, "run-null"))
    janus_kernel_run (NULL);
  else if (g_str_equal (name, "step-null"))
    janus_kernel_step (NULL);
  else if (g_str_equal (name, "quit-null"))
    janus_kernel_quit (NULL);
  else if (g_str_equal (name, "shutdown-null"))
    janus_kernel_shutdown (NULL);
  else if (g_str_equal (name, "count-null"))
    janus_kernel_get_agent_count (NULL);
  else if (g_str_equal (name, "list-null"))
    g_assert_null (janus_kernel_list_agents (NULL));
  else if (g_str_equal (name, "lookup-null-kernel"))
    g_assert_null (janus_kernel_lookup_agent (NULL, address));
  else if (g_str_equal (name, "lookup-null-address"))
    g_assert_null (janus_kernel_lookup_agent (kernel, NULL));
  else if (g_str_equal (name, "send-null-kernel"))
    janus_kernel_send (NULL, address, janus_message_new ("x", NULL), NULL);
  else if (g_str_equal (name, "send-null-receiver"))
    janus_kernel_send (kernel, NULL, janus_message_new ("x", NULL), NULL);
  else if (g_str_equal (name, "send-null-message"))
    janus_kernel_send (kernel, address, NULL, NULL);
  else if (g_str_equal (name, "source-null"))
    g_assert_null (janus_kernel_create_source (NULL));
  else if (g_str_equal (name, "step-with-workers"))
    janus_kernel_step (workers);
  else if (g_str_equal (name, "source-with-workers"))
    g_assert_null (janus_kernel_create_source (workers));
  else if (g_str_equal (name, "run-from-own-agent"))
    {
      agent->live = live_run_own_kernel;
      launch_ok (kernel, agent, NULL, NULL);
      janus_kernel_step (kernel);
    }
  else if (g_str_equal (name, "shutdown-from-own-agent"))
    {
      agent->live = live_shutdown_own_kernel;
      launch_ok (kernel, agent, NULL, NULL);
      janus_kernel_step (kernel);
    }
  else
    g_assert_not_reached ();
}

/* ----------------------------------------------------------------- main */

int
main (int    argc,
      char **argv)
{
  static const char *criticals[] = {
    "launch-null-kernel", "launch-null-agent", "launch-heavy-null-kernel",
    "launch-heavy-null-agent", "launch-not-an-agent", "kill-null-kernel",
    "kill-null-agent", "kill-all-null", "run-null", "step-null", "quit-null",
    "shutdown-null", "count-null", "list-null", "lookup-null-kernel",
    "lookup-null-address", "send-null-kernel", "send-null-receiver",
    "send-null-message", "source-null", "step-with-workers",
    "source-with-workers", "run-from-own-agent", "shutdown-from-own-agent",
  };

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/kernel/launch/twice", test_launch_twice);
  g_test_add_func ("/kernel/launch/after-shutdown", test_launch_after_shutdown);
  g_test_add_data_func ("/kernel/shutdown/no-workers", GUINT_TO_POINTER (0), test_shutdown);
  g_test_add_data_func ("/kernel/shutdown/workers", GUINT_TO_POINTER (2), test_shutdown);
  g_test_add_data_func ("/kernel/dispose/no-workers", GUINT_TO_POINTER (0),
                        test_dispose_with_agents);
  g_test_add_data_func ("/kernel/dispose/workers", GUINT_TO_POINTER (2),
                        test_dispose_with_agents);
  g_test_add_func ("/kernel/lookup", test_lookup);
  g_test_add_func ("/kernel/list-and-count", test_list_and_count);
  g_test_add_func ("/kernel/default", test_default);
  g_test_add_data_func ("/kernel/keep-alive/quit/no-workers", GUINT_TO_POINTER (0),
                        test_keep_alive_quit);
  g_test_add_data_func ("/kernel/keep-alive/quit/workers", GUINT_TO_POINTER (2),
                        test_keep_alive_quit);
  g_test_add_func ("/kernel/quit/leaves-agents", test_quit_leaves_agents);
  g_test_add_data_func ("/kernel/run/no-agent/no-workers", GUINT_TO_POINTER (0),
                        test_run_no_agent);
  g_test_add_data_func ("/kernel/run/no-agent/workers", GUINT_TO_POINTER (2),
                        test_run_no_agent);
  g_test_add_func ("/kernel/source/agents", test_source);
  g_test_add_func ("/kernel/source/wakeup-from-thread", test_source_wakeup_from_thread);
  add_critical_cases ("/kernel/critical", critical_case, criticals, G_N_ELEMENTS (criticals));

  return g_test_run ();
}
