/* SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * janus_kernel_add_thread_hook: every thread a kernel starts (its workers,
 * each heavy agent's thread) calls the hooks on itself, once when it starts,
 * before any agent code, and once when it stops, after the last; hooks in
 * the order they were added, and in the reverse order when stopping; none
 * on the thread driving a kernel without workers; hooks may use the kernel;
 * a hook added too late is refused; user data is released with the kernel.
 *
 * Threads synchronise through the kernel's own shutdown and bounded waits.
 */
#include <stdatomic.h>

#include "janus-test-utils.h"

/* ------------------------------------------------------------- the log */

typedef enum {
  CALL_HOOK,
  CALL_AGENT,       /* activate, live or end of an agent */
} CallType;

typedef struct
{
  CallType          type;
  int               hook;       /* CALL_HOOK: which hook */
  JanusThreadEvent  event;
  JanusThreadKind   kind;
  gpointer          agent;      /* CALL_AGENT */
  GThread          *thread;
} Call;

static GMutex log_lock;
static GArray *calls;           /* Call, in the order they happened */

static void
log_call (Call call)
{
  call.thread = g_thread_self ();
  g_mutex_lock (&log_lock);
  g_array_append_val (calls, call);
  g_mutex_unlock (&log_lock);
}

static void
log_reset (void)
{
  g_mutex_lock (&log_lock);
  g_clear_pointer (&calls, g_array_unref);
  calls = g_array_new (FALSE, FALSE, sizeof (Call));
  g_mutex_unlock (&log_lock);
}

/* ------------------------------------------------------------- hooks */

typedef struct
{
  int          id;
  atomic_int   destroyed;
  JanusKernel *kernel;          /* sending_hook: where it sends from */
  JanusAgent  *listener;        /* and to whom */
} Hook;

static void
hook_func (JanusThreadEvent event,
           JanusThreadKind  kind,
           gpointer         data)
{
  Hook *hook = data;

  log_call ((Call) { .type = CALL_HOOK, .hook = hook->id, .event = event, .kind = kind });
}

static void
hook_destroy (gpointer data)
{
  Hook *hook = data;

  atomic_fetch_add (&hook->destroyed, 1);
}

/* ------------------------------------------------------------- agents */

static gboolean
logging_activate (TestAgent  *self,
                  GVariant   *parameters,
                  GError    **error)
{
  log_call ((Call) { .type = CALL_AGENT, .agent = self });
  return TRUE;
}

static GMutex got_lock;
static GCond got_cond;
static atomic_int got_total;    /* messages the logging agents took */

static JanusLive
logging_live (TestAgent *self)
{
  JanusMessage *m;

  log_call ((Call) { .type = CALL_AGENT, .agent = self });
  while ((m = janus_agent_get_message (AGENT (self))) != NULL)
    {
      test_agent_keep (self, m);
      test_bump (&got_lock, &got_cond, &got_total);
    }
  return JANUS_LIVE_WAIT;
}

static void
logging_end (TestAgent *self)
{
  log_call ((Call) { .type = CALL_AGENT, .agent = self });
}

static TestAgent *
logging_agent (void)
{
  TestAgent *agent = test_agent_new (logging_live, NULL);

  agent->activate = logging_activate;
  agent->end = logging_end;
  return agent;
}

/* ------------------------------------------------------------- checks */

typedef struct
{
  guint n_worker_threads;
  guint n_heavy_threads;
} Seen;

/* Every thread that called a hook called each hook once with STARTED,
 * (1, 2, …) before anything else, and once with STOPPING (…, 2, 1) after
 * everything else; every agent call ran on such a thread unless
 * @driver_ok allows the driving thread; the kind of a thread is the same in
 * all its calls. */
static Seen
check_log (guint    n_hooks,
           gboolean driver_ok)
{
  g_autoptr(GHashTable) threads = g_hash_table_new (NULL, NULL);   /* GThread -> index of its first call */
  GHashTableIter iter;
  gpointer thread;
  Seen seen = { 0, 0 };
  guint i;

  g_mutex_lock (&log_lock);
  for (i = 0; i < calls->len; i++)
    {
      Call *c = &g_array_index (calls, Call, i);
      if (!g_hash_table_contains (threads, c->thread))
        g_hash_table_insert (threads, c->thread, GUINT_TO_POINTER (i));
    }
  g_hash_table_iter_init (&iter, threads);
  while (g_hash_table_iter_next (&iter, &thread, NULL))
    {
      g_autoptr(GArray) mine = g_array_new (FALSE, FALSE, sizeof (Call));
      JanusThreadKind kind;
      guint h;

      for (i = 0; i < calls->len; i++)
        if (g_array_index (calls, Call, i).thread == thread)
          g_array_append_val (mine, g_array_index (calls, Call, i));

      if (g_array_index (mine, Call, 0).type != CALL_HOOK)
        {
          /* a thread of ours (the driver of a kernel without workers): no
           * hook at all on it */
          g_assert_true (driver_ok);
          for (i = 0; i < mine->len; i++)
            g_assert_cmpint (g_array_index (mine, Call, i).type, ==, CALL_AGENT);
          continue;
        }
      g_assert_cmpuint (mine->len, >=, 2 * n_hooks);
      kind = g_array_index (mine, Call, 0).kind;
      for (h = 0; h < n_hooks; h++)
        {
          Call *first = &g_array_index (mine, Call, h);
          Call *last = &g_array_index (mine, Call, mine->len - 1 - h);

          g_assert_cmpint (first->type, ==, CALL_HOOK);
          g_assert_cmpint (first->hook, ==, (int) h + 1);
          g_assert_cmpint (first->event, ==, JANUS_THREAD_STARTED);
          g_assert_cmpint (first->kind, ==, kind);
          g_assert_cmpint (last->type, ==, CALL_HOOK);
          g_assert_cmpint (last->hook, ==, (int) h + 1);
          g_assert_cmpint (last->event, ==, JANUS_THREAD_STOPPING);
          g_assert_cmpint (last->kind, ==, kind);
        }
      for (i = n_hooks; i + n_hooks < mine->len; i++)
        g_assert_cmpint (g_array_index (mine, Call, i).type, ==, CALL_AGENT);
      if (kind == JANUS_THREAD_WORKER)
        seen.n_worker_threads++;
      else
        seen.n_heavy_threads++;
    }
  g_mutex_unlock (&log_lock);
  return seen;
}

/* The thread of @agent's first call, or NULL if none; with @one, every call
 * must have run on it (a heavy agent, or any agent without workers). */
static GThread *
thread_of (gpointer agent,
           gboolean one)
{
  GThread *thread = NULL;
  guint i;

  g_mutex_lock (&log_lock);
  for (i = 0; i < calls->len; i++)
    {
      Call *c = &g_array_index (calls, Call, i);
      if (c->type != CALL_AGENT || c->agent != agent)
        continue;
      if (thread == NULL)
        thread = c->thread;
      g_assert_true (!one || thread == c->thread);
    }
  g_mutex_unlock (&log_lock);
  return thread;
}

static JanusKernel *
kernel_with_hooks (guint  workers,
                   Hook  *hooks,
                   guint  n_hooks)
{
  JanusKernel *kernel = janus_kernel_new (workers);
  guint i;

  log_reset ();
  atomic_store (&got_total, 0);
  for (i = 0; i < n_hooks; i++)
    {
      hooks[i].id = (int) i + 1;
      atomic_init (&hooks[i].destroyed, 0);
      g_assert_true (janus_kernel_add_thread_hook (kernel, hook_func, &hooks[i], hook_destroy));
    }
  return kernel;
}

static void
check_destroyed_with (JanusKernel *kernel,
                      Hook        *hooks,
                      guint        n_hooks,
                      ...)
{
  va_list ap;
  gpointer object;
  guint i;

  janus_kernel_shutdown (kernel);
  /* the hooks' data lives as long as the kernel */
  for (i = 0; i < n_hooks; i++)
    g_assert_cmpint (atomic_load (&hooks[i].destroyed), ==, 0);
  g_assert_finalize_object (kernel);
  for (i = 0; i < n_hooks; i++)
    g_assert_cmpint (atomic_load (&hooks[i].destroyed), ==, 1);
  va_start (ap, n_hooks);
  while ((object = va_arg (ap, gpointer)) != NULL)
    g_assert_finalize_object (object);
  va_end (ap);
}

/* ------------------------------------------------------------- cases */

/* Light agents on two workers: both workers call both hooks; the agents
 * run on those threads, between the hooks. */
static void
test_workers (void)
{
  Hook hooks[2] = { 0 };
  JanusKernel *kernel = kernel_with_hooks (2, hooks, 2);
  TestAgent *agents[8];
  Seen seen;
  guint i, j;

  for (i = 0; i < G_N_ELEMENTS (agents); i++)
    launch_ok (kernel, agents[i] = logging_agent (), NULL, NULL);
  for (j = 0; j < 20; j++)
    for (i = 0; i < G_N_ELEMENTS (agents); i++)
      kernel_send_ok (kernel, ADDR (agents[i]), janus_message_new_int64 ("n", j));
  g_assert_true (test_wait_count (&got_lock, &got_cond, &got_total, 20 * G_N_ELEMENTS (agents)));
  janus_kernel_shutdown (kernel);
  for (i = 0; i < G_N_ELEMENTS (agents); i++)
    g_assert_cmpuint (agents[i]->got->len, ==, 20);

  seen = check_log (2, FALSE);
  g_assert_cmpuint (seen.n_worker_threads, ==, 2);
  g_assert_cmpuint (seen.n_heavy_threads, ==, 0);
  for (i = 0; i < G_N_ELEMENTS (agents); i++)
    g_assert_nonnull (thread_of (agents[i], FALSE));
  check_destroyed_with (kernel, hooks, 2, agents[0], agents[1], agents[2], agents[3],
                        agents[4], agents[5], agents[6], agents[7], NULL);
}

/* Heavy agents, on a kernel without workers and on one with two: each has
 * a thread of its own, which calls the hooks as a heavy thread, before its
 * agent's activate and after its end; the driving thread calls none. */
static void
test_heavy (gconstpointer data)
{
  guint workers = GPOINTER_TO_UINT (data);
  Hook hooks[2] = { 0 };
  JanusKernel *kernel = kernel_with_hooks (workers, hooks, 2);
  TestAgent *heavy[3], *light = logging_agent ();
  Seen seen;
  guint i;

  for (i = 0; i < G_N_ELEMENTS (heavy); i++)
    {
      g_autoptr(GError) error = NULL;

      heavy[i] = logging_agent ();
      g_assert_true (janus_kernel_launch_heavy_agent (kernel, AGENT (heavy[i]), NULL, NULL,
                                                      &error));
      g_assert_no_error (error);
    }
  launch_ok (kernel, light, NULL, NULL);
  for (i = 0; i < G_N_ELEMENTS (heavy); i++)
    kernel_send_ok (kernel, ADDR (heavy[i]), janus_message_new_int64 ("n", i));
  kernel_send_ok (kernel, ADDR (light), janus_message_new_int64 ("n", 0));
  /* janus_kernel_step, not step_until_idle: the heavy agents' lives read
   * the test's step counter, which only a kernel without threads may move */
  for (i = 0; workers == 0 && i < 100 && janus_kernel_step (kernel); i++)
    ;
  g_assert_true (test_wait_count (&got_lock, &got_cond, &got_total, G_N_ELEMENTS (heavy) + 1));
  janus_kernel_shutdown (kernel);

  seen = check_log (2, workers == 0);
  g_assert_cmpuint (seen.n_worker_threads, ==, workers);
  g_assert_cmpuint (seen.n_heavy_threads, ==, G_N_ELEMENTS (heavy));
  for (i = 0; i < G_N_ELEMENTS (heavy); i++)
    {
      g_assert_nonnull (thread_of (heavy[i], TRUE));
      g_assert_true (thread_of (heavy[i], TRUE) != thread_of (light, FALSE));
      g_assert_cmpuint (heavy[i]->got->len, ==, 1);
    }
  if (workers == 0)
    g_assert_true (thread_of (light, TRUE) == g_thread_self ());
  check_destroyed_with (kernel, hooks, 2, heavy[0], heavy[1], heavy[2], light, NULL);
}

/* A kernel without workers and without heavy agents starts no thread: no
 * hook runs, and the data is still released with the kernel. */
static void
test_no_thread (void)
{
  Hook hooks[1] = { 0 };
  JanusKernel *kernel = kernel_with_hooks (0, hooks, 1);
  TestAgent *agent = logging_agent ();

  launch_ok (kernel, agent, NULL, NULL);
  kernel_send_ok (kernel, ADDR (agent), janus_message_new_int64 ("n", 1));
  step_until_idle (kernel, 10);
  janus_kernel_shutdown (kernel);
  g_mutex_lock (&log_lock);
  for (guint i = 0; i < calls->len; i++)
    g_assert_cmpint (g_array_index (calls, Call, i).type, ==, CALL_AGENT);
  g_mutex_unlock (&log_lock);
  check_destroyed_with (kernel, hooks, 1, agent, NULL);
}

/* A hook may use the kernel: each worker, when it starts, sends a message
 * to an agent (launched, so the workers start, before they run the hook),
 * which gets one per worker. */
static atomic_int started_seen;
static GMutex started_lock;
static GCond started_cond;

static JanusLive
count_started_live (TestAgent *self)
{
  JanusMessage *m;

  while ((m = janus_agent_get_message (AGENT (self))) != NULL)
    {
      if (janus_message_has_subject (m, "started") && value_of (m) == JANUS_THREAD_WORKER)
        test_bump (&started_lock, &started_cond, &started_seen);
      janus_message_unref (m);
    }
  return JANUS_LIVE_WAIT;
}

static void
sending_hook (JanusThreadEvent event,
              JanusThreadKind  kind,
              gpointer         data)
{
  Hook *hook = data;

  hook_func (event, kind, data);
  if (event == JANUS_THREAD_STARTED)
    g_assert_true (janus_kernel_send (hook->kernel, janus_agent_get_address (hook->listener),
                                      janus_message_new_int64 ("started", kind), NULL));
}

static void
test_hook_uses_kernel (void)
{
  JanusKernel *kernel = janus_kernel_new (2);
  TestAgent *listener = test_agent_new (count_started_live, NULL);
  Hook hook = { .id = 1, .kernel = kernel, .listener = AGENT (listener) };

  log_reset ();
  atomic_store (&started_seen, 0);
  g_assert_true (janus_kernel_add_thread_hook (kernel, sending_hook, &hook, hook_destroy));
  launch_ok (kernel, listener, NULL, NULL);
  g_assert_true (test_wait_count (&started_lock, &started_cond, &started_seen, 2));
  janus_kernel_shutdown (kernel);
  g_assert_cmpint (atomic_load (&started_seen), ==, 2);
  check_destroyed_with (kernel, &hook, 1, listener, NULL);
}

/* Too late: once the kernel has started a thread, a hook is refused with a
 * critical, and its data released at once. */
static void
test_too_late (void)
{
  if (g_test_subprocess ())
    {
      JanusKernel *kernel = janus_kernel_new (2);
      TestAgent *agent = logging_agent ();
      Hook hook = { .id = 1 };

      log_reset ();
      launch_ok (kernel, agent, NULL, NULL);
      g_assert_false (janus_kernel_add_thread_hook (kernel, hook_func, &hook, hook_destroy));
      g_assert_cmpint (atomic_load (&hook.destroyed), ==, 1);
      finish (kernel, agent, NULL);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*CRITICAL*janus_kernel_add_thread_hook*first launch*");
}

/* Also too late for a kernel without workers once a heavy agent runs. */
static void
test_too_late_heavy (void)
{
  if (g_test_subprocess ())
    {
      JanusKernel *kernel = janus_kernel_new (0);
      TestAgent *agent = logging_agent ();
      Hook hook = { .id = 1 };

      log_reset ();
      g_assert_true (janus_kernel_launch_heavy_agent (kernel, AGENT (agent), NULL, NULL, NULL));
      g_assert_false (janus_kernel_add_thread_hook (kernel, hook_func, &hook, NULL));
      finish (kernel, agent, NULL);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*CRITICAL*janus_kernel_add_thread_hook*");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/thread-hooks/workers", test_workers);
  g_test_add_data_func ("/thread-hooks/heavy/0-workers", GUINT_TO_POINTER (0), test_heavy);
  g_test_add_data_func ("/thread-hooks/heavy/2-workers", GUINT_TO_POINTER (2), test_heavy);
  g_test_add_func ("/thread-hooks/no-thread", test_no_thread);
  g_test_add_func ("/thread-hooks/hook-uses-kernel", test_hook_uses_kernel);
  g_test_add_func ("/thread-hooks/too-late", test_too_late);
  g_test_add_func ("/thread-hooks/too-late-heavy", test_too_late_heavy);

  return g_test_run ();
}
