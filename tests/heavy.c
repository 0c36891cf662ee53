/* SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Heavy agents (janus_kernel_launch_heavy_agent): their own thread, blocking
 * janus_agent_wait_message (time-out, kill, wake), messaging with light
 * agents both ways, WAIT without spinning, failing activate, many heavy
 * agents, and janus_kernel_run waiting for them.
 *
 * Threads synchronise through GMutex/GCond with 10 s deadlines that fail the
 * test; nothing sleeps to synchronise.
 */
#include <stdatomic.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#include "janus-test-utils.h"

static pid_t
current_tid (void)
{
  return (pid_t) syscall (SYS_gettid);
}

/* The scheduler state of one of our threads, from /proc ('R', 'S', …). */
static char
thread_state (pid_t tid)
{
  g_autofree char *path = g_strdup_printf ("/proc/self/task/%d/stat", (int) tid);
  g_autofree char *contents = NULL;
  const char *p;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return '?';
  p = strrchr (contents, ')');
  if (p == NULL || p[1] != ' ')
    return '?';
  return p[2];
}

/* Waits (bounded) until thread @tid is seen asleep in the kernel several
 * times in a row: a thread spinning on its agent's `live` never is. */
static gboolean
wait_thread_sleeping (pid_t tid)
{
  gint64 deadline = g_get_monotonic_time () + DEADLINE_USEC;
  int in_a_row = 0;

  while (g_get_monotonic_time () < deadline)
    {
      if (thread_state (tid) == 'S')
        {
          if (++in_a_row == 5)
            return TRUE;
        }
      else
        in_a_row = 0;
      g_thread_yield ();
    }
  return FALSE;
}

/* ------------------------------------------------------------- fixture */

typedef struct
{
  GMutex      lock;
  GCond       cond;
  atomic_int  waiting;        /* heavy agents about to wait */
  atomic_int  lives;          /* live calls, signalled */
  atomic_int  go;             /* the test lets the agents proceed */
  /* threads of the light agents (guarded by lock) */
  GHashTable *light_threads;
} Fixture;

static void
fixture_init (Fixture *f)
{
  memset (f, 0, sizeof *f);
  g_mutex_init (&f->lock);
  g_cond_init (&f->cond);
  f->light_threads = g_hash_table_new (NULL, NULL);
}

static void
fixture_clear (Fixture *f)
{
  g_hash_table_unref (f->light_threads);
  g_mutex_clear (&f->lock);
  g_cond_clear (&f->cond);
}

/* ---------------------------------------------------------- heavy agent
 *
 * A TestAgent (which records the threads and counts of its vfuncs) with
 * the state of these tests. */

typedef struct _HeavyAgent HeavyAgent;
typedef gboolean  (*HeavyActivateFunc) (HeavyAgent  *self,
                                        GError     **error);
typedef JanusLive (*HeavyLiveFunc)     (HeavyAgent  *self);

struct _HeavyAgent
{
  TestAgent          parent;
  HeavyActivateFunc  activate_func;
  HeavyLiveFunc      live_func;
  Fixture           *fixture;
  HeavyAgent        *peer;           /* borrowed */
  guint              index;
  gint64             rounds;
  gint64             timeout;        /* µs, for wait_message */

  /* written by the agent's thread, read by the test after it died (or
   * under the fixture's lock) */
  atomic_int         tid;
  gint64             sent;
  gint64             received;
  gint64             value;
  gint64             elapsed;
  gint64             elapsed2;
  gboolean           got_null;
};

typedef struct
{
  TestAgentClass parent_class;
} HeavyAgentClass;

GType heavy_agent_get_type (void);
G_DEFINE_TYPE (HeavyAgent, heavy_agent, TEST_TYPE_AGENT)

#define HEAVY(o) ((HeavyAgent *) (o))

static void heavy_agent_class_init (HeavyAgentClass *klass) { }
static void heavy_agent_init (HeavyAgent *self) { }

static gboolean
heavy_agent_activate (TestAgent  *agent,
                      GVariant   *parameters,
                      GError    **error)
{
  HeavyAgent *self = HEAVY (agent);

  atomic_store (&self->tid, current_tid ());
  if (self->activate_func != NULL)
    return self->activate_func (self, error);
  return TRUE;
}

static JanusLive
heavy_agent_live (TestAgent *agent)
{
  HeavyAgent *self = HEAVY (agent);

  if (self->live_func != NULL)
    return self->live_func (self);
  return JANUS_LIVE_DONE;
}

static HeavyAgent *
heavy_agent_new (Fixture           *f,
                 HeavyActivateFunc  activate_func,
                 HeavyLiveFunc      live_func)
{
  HeavyAgent *self = g_object_new (heavy_agent_get_type (), NULL);

  self->parent.activate = heavy_agent_activate;
  self->parent.live = heavy_agent_live;
  self->fixture = f;
  self->activate_func = activate_func;
  self->live_func = live_func;
  return self;
}

static void
launch_heavy (JanusKernel *kernel,
              HeavyAgent  *agent)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (janus_kernel_launch_heavy_agent (kernel, JANUS_AGENT (agent), NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (janus_agent_is_heavy (JANUS_AGENT (agent)));
}

static void
launch_light (JanusKernel *kernel,
              HeavyAgent  *agent)
{
  launch_ok (kernel, &agent->parent, NULL, NULL);
  g_assert_false (janus_agent_is_heavy (JANUS_AGENT (agent)));
}

static void
assert_died_once (HeavyAgent *agent)
{
  g_assert_cmpint (janus_agent_get_state (JANUS_AGENT (agent)), ==, JANUS_AGENT_STATE_DIED);
  g_assert_cmpint (g_atomic_int_get (&agent->parent.n_activate), ==, 1);
  g_assert_cmpint (g_atomic_int_get (&agent->parent.n_end), ==, 1);
}

static const guint workers_0 = 0;
static const guint workers_2 = 2;

/* ---------------------------------------------------------- own thread */

static JanusLive
light_busy_live (HeavyAgent *self)
{
  Fixture *f = self->fixture;

  g_mutex_lock (&f->lock);
  g_hash_table_add (f->light_threads, g_thread_self ());
  g_mutex_unlock (&f->lock);
  return ++self->parent.count < 50 ? JANUS_LIVE_AGAIN : JANUS_LIVE_DONE;
}

static JanusLive
heavy_few_lives (HeavyAgent *self)
{
  return ++self->parent.count < 3 ? JANUS_LIVE_AGAIN : JANUS_LIVE_DONE;
}

/* activate, live and end of a heavy agent run on one thread of its own:
 * not the main thread, not a thread that runs light agents. */
static void
test_heavy_own_thread (gconstpointer data)
{
  guint workers = *(const guint *) data;
  JanusKernel *kernel = janus_kernel_new (workers);
  Fixture f;
  HeavyAgent *heavy, *light[8];
  guint i;

  fixture_init (&f);
  heavy = heavy_agent_new (&f, NULL, heavy_few_lives);
  for (i = 0; i < G_N_ELEMENTS (light); i++)
    {
      light[i] = heavy_agent_new (&f, NULL, light_busy_live);
      launch_light (kernel, light[i]);
    }
  launch_heavy (kernel, heavy);
  janus_kernel_run (kernel);

  assert_died_once (heavy);
  g_assert_cmpint (g_atomic_int_get (&heavy->parent.n_live), ==, 3);
  g_assert_nonnull (heavy->parent.activate_thread);
  g_assert_true (heavy->parent.live_thread == heavy->parent.activate_thread);
  g_assert_true (heavy->parent.end_thread == heavy->parent.activate_thread);
  g_assert_false (heavy->parent.thread_changed);
  g_assert_true (heavy->parent.activate_thread != g_thread_self ());
  g_assert_false (g_hash_table_contains (f.light_threads, heavy->parent.activate_thread));
  if (workers == 0)
    {
      g_assert_cmpuint (g_hash_table_size (f.light_threads), ==, 1);
      g_assert_true (g_hash_table_contains (f.light_threads, g_thread_self ()));
    }
  else
    g_assert_false (g_hash_table_contains (f.light_threads, g_thread_self ()));

  for (i = 0; i < G_N_ELEMENTS (light); i++)
    {
      assert_died_once (light[i]);
      g_object_unref (light[i]);
    }
  g_object_unref (heavy);
  finish (kernel, NULL);
  fixture_clear (&f);
}

/* ------------------------------------------- blocking wait, light sends */

/* Heavy: tells the light agent it is about to wait, then blocks for ever. */
static JanusLive
heavy_wait_forever_live (HeavyAgent *self)
{
  JanusAgent *agent = JANUS_AGENT (self);
  JanusMessage *m;
  gint64 v = -1;

  janus_agent_send (agent, janus_agent_get_address (JANUS_AGENT (self->peer)),
                    janus_message_new ("ready", NULL), NULL);
  m = janus_agent_wait_message (agent, -1);
  if (m == NULL)
    {
      self->got_null = TRUE;
      return JANUS_LIVE_DONE;
    }
  self->received++;
  if (!janus_message_has_subject (m, "wake-up")
      || !janus_message_get_int64 (m, &v)
      || !janus_address_equal (janus_message_get_sender (m),
                               janus_agent_get_address (JANUS_AGENT (self->peer)))
      || !janus_address_equal (janus_message_get_receiver (m), janus_agent_get_address (agent)))
    self->parent.errors++;
  self->value = v;
  janus_message_unref (m);
  return JANUS_LIVE_DONE;
}

/* Light: answers "ready" with "wake-up" 42. */
static JanusLive
light_answer_ready_live (HeavyAgent *self)
{
  JanusAgent *agent = JANUS_AGENT (self);
  JanusMessage *m;

  while ((m = janus_agent_get_message (agent)) != NULL)
    {
      gboolean ready = janus_message_has_subject (m, "ready");

      self->received++;
      if (ready)
        janus_agent_reply (agent, m, janus_message_new_int64 ("wake-up", 42), NULL);
      janus_message_unref (m);
      if (ready)
        return JANUS_LIVE_DONE;
    }
  return JANUS_LIVE_WAIT;
}

static void
test_heavy_wait_light_sends (gconstpointer data)
{
  guint workers = *(const guint *) data;
  JanusKernel *kernel = janus_kernel_new (workers);
  Fixture f;
  HeavyAgent *heavy, *light;

  fixture_init (&f);
  light = heavy_agent_new (&f, NULL, light_answer_ready_live);
  heavy = heavy_agent_new (&f, NULL, heavy_wait_forever_live);
  heavy->peer = light;
  light->peer = heavy;
  launch_light (kernel, light);
  launch_heavy (kernel, heavy);
  janus_kernel_run (kernel);

  assert_died_once (heavy);
  assert_died_once (light);
  g_assert_false (heavy->got_null);
  g_assert_cmpint (heavy->received, ==, 1);
  g_assert_cmpint (heavy->parent.errors, ==, 0);
  g_assert_cmpint (heavy->value, ==, 42);
  g_assert_cmpint (light->received, ==, 1);
  g_assert_cmpint (janus_kernel_get_agent_count (kernel), ==, 0);
  g_assert_cmpuint (janus_kernel_get_dead_letter_count (kernel), ==, 0);

  g_object_unref (heavy);
  g_object_unref (light);
  finish (kernel, NULL);
  fixture_clear (&f);
}

/* ------------------------------------------------------------ time-out */

static JanusLive
heavy_timeout_live (HeavyAgent *self)
{
  JanusAgent *agent = JANUS_AGENT (self);
  JanusMessage *m;
  gint64 start;

  start = g_get_monotonic_time ();
  m = janus_agent_wait_message (agent, 0);
  self->elapsed2 = g_get_monotonic_time () - start;
  if (m != NULL)
    {
      self->parent.errors++;
      janus_message_unref (m);
    }

  start = g_get_monotonic_time ();
  m = janus_agent_wait_message (agent, self->timeout);
  self->elapsed = g_get_monotonic_time () - start;
  self->got_null = m == NULL;
  g_clear_pointer (&m, janus_message_unref);
  return JANUS_LIVE_DONE;
}

/* wait_message returns NULL once the time-out has passed (0: at once). */
static void
test_heavy_wait_timeout (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  Fixture f;
  HeavyAgent *heavy;

  fixture_init (&f);
  heavy = heavy_agent_new (&f, NULL, heavy_timeout_live);
  heavy->timeout = 150 * 1000;
  launch_heavy (kernel, heavy);
  janus_kernel_run (kernel);

  assert_died_once (heavy);
  g_assert_cmpint (heavy->parent.errors, ==, 0);
  g_assert_cmpint (heavy->elapsed2, <, DEADLINE_USEC);
  g_assert_true (heavy->got_null);
  g_assert_cmpint (heavy->elapsed, >=, heavy->timeout);
  g_assert_cmpint (heavy->elapsed, <, DEADLINE_USEC);

  g_object_unref (heavy);
  finish (kernel, NULL);
  fixture_clear (&f);
}

/* ------------------------------------------------------ kill and wake */

/* Announces it waits, then waits for ever; records what the wait gave. */
static JanusLive
heavy_announce_wait_live (HeavyAgent *self)
{
  JanusAgent *agent = JANUS_AGENT (self);
  JanusMessage *m;
  gint64 start;

  test_bump (&self->fixture->lock, &self->fixture->cond, &self->fixture->waiting);
  start = g_get_monotonic_time ();
  m = janus_agent_wait_message (agent, -1);
  self->elapsed = g_get_monotonic_time () - start;
  self->got_null = m == NULL;
  g_clear_pointer (&m, janus_message_unref);
  if (self->timeout > 0)
    {
      /* the wake-up was used up: the next wait times out */
      start = g_get_monotonic_time ();
      m = janus_agent_wait_message (agent, self->timeout);
      self->elapsed2 = g_get_monotonic_time () - start;
      if (m != NULL)
        {
          self->parent.errors++;
          janus_message_unref (m);
        }
      return JANUS_LIVE_DONE;
    }
  /* a killed agent dies at the end of this step whatever live returns */
  return JANUS_LIVE_WAIT;
}

/* janus_kernel_kill from the main thread ends a blocked wait_message with
 * NULL; the agent then dies and its end runs. */
static void
test_heavy_wait_kill (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  g_autoptr(GError) error = NULL;
  Fixture f;
  HeavyAgent *heavy;

  fixture_init (&f);
  heavy = heavy_agent_new (&f, NULL, heavy_announce_wait_live);
  launch_heavy (kernel, heavy);

  g_assert_true (test_wait_count (&f.lock, &f.cond, &f.waiting, 1));
  g_assert_true (wait_thread_sleeping (atomic_load (&heavy->tid)));
  g_assert_cmpint (g_atomic_int_get (&heavy->parent.n_end), ==, 0);
  g_assert_true (janus_agent_is_alive (JANUS_AGENT (heavy)));

  g_assert_true (janus_kernel_kill (kernel, JANUS_AGENT (heavy), &error));
  g_assert_no_error (error);
  janus_kernel_run (kernel);      /* returns once the heavy agent died */

  assert_died_once (heavy);
  g_assert_true (heavy->got_null);
  g_assert_cmpint (heavy->elapsed, <, DEADLINE_USEC);
  g_assert_cmpint (g_atomic_int_get (&heavy->parent.n_live), ==, 1);
  g_assert_true (heavy->parent.end_thread == heavy->parent.activate_thread);
  g_assert_cmpint (janus_kernel_get_agent_count (kernel), ==, 0);

  g_object_unref (heavy);
  finish (kernel, NULL);
  fixture_clear (&f);
}

/* janus_agent_wake ends a blocked wait_message with NULL; the wake-up is
 * used up by it (the next wait times out). */
static void
test_heavy_wait_wake (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  Fixture f;
  HeavyAgent *heavy;

  fixture_init (&f);
  heavy = heavy_agent_new (&f, NULL, heavy_announce_wait_live);
  heavy->timeout = 50 * 1000;
  launch_heavy (kernel, heavy);

  g_assert_true (test_wait_count (&f.lock, &f.cond, &f.waiting, 1));
  g_assert_true (wait_thread_sleeping (atomic_load (&heavy->tid)));
  janus_agent_wake (JANUS_AGENT (heavy));
  janus_kernel_run (kernel);

  assert_died_once (heavy);
  g_assert_true (heavy->got_null);
  g_assert_cmpint (heavy->elapsed, <, DEADLINE_USEC);
  g_assert_cmpint (heavy->parent.errors, ==, 0);
  g_assert_cmpint (heavy->elapsed2, >=, heavy->timeout);
  g_assert_cmpint (heavy->elapsed2, <, DEADLINE_USEC);
  g_assert_cmpint (g_atomic_int_get (&heavy->parent.n_live), ==, 1);

  g_object_unref (heavy);
  finish (kernel, NULL);
  fixture_clear (&f);
}

/* Asks for its own death, then waits: the kill is already asked, so the
 * wait must not block (as it does not when another thread killed it
 * before the wait). */
static JanusLive
heavy_kill_me_then_wait_live (HeavyAgent *self)
{
  JanusAgent *agent = JANUS_AGENT (self);
  JanusMessage *m;
  gint64 start;

  janus_agent_kill_me (agent);
  start = g_get_monotonic_time ();
  m = janus_agent_wait_message (agent, self->timeout);
  self->elapsed = g_get_monotonic_time () - start;
  self->got_null = m == NULL;
  g_clear_pointer (&m, janus_message_unref);
  return JANUS_LIVE_AGAIN;
}

/* wait_message after janus_agent_kill_me returns NULL at once; the agent
 * dies at the end of that live. */
static void
test_heavy_wait_after_kill_me (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  Fixture f;
  HeavyAgent *heavy;

  fixture_init (&f);
  heavy = heavy_agent_new (&f, NULL, heavy_kill_me_then_wait_live);
  heavy->timeout = 2 * G_USEC_PER_SEC;
  launch_heavy (kernel, heavy);
  janus_kernel_run (kernel);

  assert_died_once (heavy);
  g_assert_cmpint (g_atomic_int_get (&heavy->parent.n_live), ==, 1);
  g_assert_true (heavy->got_null);
  g_assert_cmpint (heavy->elapsed, <, heavy->timeout);

  g_object_unref (heavy);
  finish (kernel, NULL);
  fixture_clear (&f);
}

/* A kill asked while a heavy agent's activate runs: activate finishes, the
 * agent dies without live, end runs once, on its thread. */
static gboolean
activate_announce_wait_go (HeavyAgent  *self,
                           GError    **error)
{
  test_bump (&self->fixture->lock, &self->fixture->cond, &self->fixture->waiting);
  if (!test_wait_count (&self->fixture->lock, &self->fixture->cond, &self->fixture->go, 1))
    self->parent.errors++;
  return TRUE;
}

static void
test_heavy_kill_during_activate (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  Fixture f;
  HeavyAgent *heavy;

  fixture_init (&f);
  heavy = heavy_agent_new (&f, activate_announce_wait_go, NULL);
  launch_heavy (kernel, heavy);
  g_assert_true (test_wait_count (&f.lock, &f.cond, &f.waiting, 1));
  g_assert_cmpint (janus_agent_get_state (JANUS_AGENT (heavy)), ==, JANUS_AGENT_STATE_BORN);
  g_assert_true (janus_kernel_kill (kernel, JANUS_AGENT (heavy), NULL));
  test_bump (&f.lock, &f.cond, &f.go);
  janus_kernel_run (kernel);

  assert_died_once (heavy);
  g_assert_cmpint (heavy->parent.errors, ==, 0);
  g_assert_cmpint (g_atomic_int_get (&heavy->parent.n_live), ==, 0);
  g_assert_true (heavy->parent.end_thread == heavy->parent.activate_thread);

  g_object_unref (heavy);
  finish (kernel, NULL);
  fixture_clear (&f);
}

/* janus_kernel_shutdown kills heavy agents blocked in wait_message: their
 * waits return NULL, they die, end runs, shutdown returns. */
static void
test_heavy_shutdown_wakes_waiting (void)
{
  JanusKernel *kernel = janus_kernel_new (2);
  Fixture f;
  HeavyAgent *heavy[4];
  guint i;

  fixture_init (&f);
  for (i = 0; i < G_N_ELEMENTS (heavy); i++)
    {
      heavy[i] = heavy_agent_new (&f, NULL, heavy_announce_wait_live);
      launch_heavy (kernel, heavy[i]);
    }
  g_assert_true (test_wait_count (&f.lock, &f.cond, &f.waiting, G_N_ELEMENTS (heavy)));
  for (i = 0; i < G_N_ELEMENTS (heavy); i++)
    g_assert_true (wait_thread_sleeping (atomic_load (&heavy[i]->tid)));
  janus_kernel_shutdown (kernel);

  g_assert_cmpuint (janus_kernel_get_agent_count (kernel), ==, 0);
  for (i = 0; i < G_N_ELEMENTS (heavy); i++)
    {
      assert_died_once (heavy[i]);
      g_assert_true (heavy[i]->got_null);
      g_assert_cmpint (g_atomic_int_get (&heavy[i]->parent.n_live), ==, 1);
      g_object_unref (heavy[i]);
    }
  finish (kernel, NULL);
  fixture_clear (&f);
}

/* Light: wait_message never blocks; it is get_message. */
static JanusLive
light_wait_live (HeavyAgent *self)
{
  JanusAgent *agent = JANUS_AGENT (self);
  JanusMessage *m;
  gint64 start;

  start = g_get_monotonic_time ();
  m = janus_agent_wait_message (agent, self->timeout);
  self->elapsed = g_get_monotonic_time () - start;
  if (self->received == 0)
    {
      /* first turn: nothing there yet */
      self->got_null = m == NULL;
      self->received = 1;
      g_clear_pointer (&m, janus_message_unref);
      return JANUS_LIVE_WAIT;
    }
  if (m == NULL || !janus_message_has_subject (m, "hello"))
    self->parent.errors++;
  g_clear_pointer (&m, janus_message_unref);
  start = g_get_monotonic_time ();
  m = janus_agent_wait_message (agent, -1);
  self->elapsed2 = g_get_monotonic_time () - start;
  if (m != NULL)
    {
      self->parent.errors++;
      janus_message_unref (m);
    }
  return JANUS_LIVE_DONE;
}

static void
test_heavy_wait_light_does_not_block (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  Fixture f;
  HeavyAgent *light;

  fixture_init (&f);
  light = heavy_agent_new (&f, NULL, light_wait_live);
  light->timeout = 2 * G_USEC_PER_SEC;
  launch_light (kernel, light);
  g_assert_false (janus_kernel_step (kernel));
  g_assert_true (light->got_null);
  g_assert_cmpint (light->elapsed, <, light->timeout);

  g_assert_true (janus_kernel_send (kernel, janus_agent_get_address (JANUS_AGENT (light)),
                                    janus_message_new ("hello", NULL), NULL));
  janus_kernel_run (kernel);
  assert_died_once (light);
  g_assert_cmpint (light->parent.errors, ==, 0);
  g_assert_cmpint (light->elapsed, <, light->timeout);
  g_assert_cmpint (light->elapsed2, <, light->timeout);

  g_object_unref (light);
  finish (kernel, NULL);
  fixture_clear (&f);
}

/* ------------------------------------------------------------ ping-pong */

typedef struct
{
  guint    workers;
  gboolean heavy_starts;
} PingPongCase;

/* One ball: "ping" n is answered by "pong" n; the starter sends ping n+1
 * after pong n, and "stop" after pong rounds. Returns TRUE when done. */
static gboolean
player_handle (HeavyAgent    *self,
               JanusMessage *m)
{
  JanusAgent *agent = JANUS_AGENT (self);
  const JanusAddress *peer = janus_agent_get_address (JANUS_AGENT (self->peer));
  gint64 n = -1;

  self->received++;
  if (!janus_address_equal (janus_message_get_sender (m), peer))
    self->parent.errors++;
  if (janus_message_has_subject (m, "stop"))
    return TRUE;
  if (!janus_message_get_int64 (m, &n) || n != (gint64) self->parent.count + 1)
    self->parent.errors++;
  self->parent.count = n;
  if (janus_message_has_subject (m, "ping"))
    {
      janus_agent_reply (agent, m, janus_message_new_int64 ("pong", n), NULL);
      self->sent++;
      return FALSE;
    }
  if (!janus_message_has_subject (m, "pong"))
    self->parent.errors++;
  self->sent++;
  if (n >= self->rounds)
    {
      janus_agent_send (agent, peer, janus_message_new ("stop", NULL), NULL);
      return TRUE;
    }
  janus_agent_send (agent, peer, janus_message_new_int64 ("ping", n + 1), NULL);
  return FALSE;
}

static void
player_start (HeavyAgent *self)
{
  if (self->rounds > 0 && self->sent == 0)
    {
      janus_agent_send (JANUS_AGENT (self),
                        janus_agent_get_address (JANUS_AGENT (self->peer)),
                        janus_message_new_int64 ("ping", 1), NULL);
      self->sent = 1;
    }
}

static JanusLive
light_player_live (HeavyAgent *self)
{
  JanusMessage *m;

  player_start (self);
  while ((m = janus_agent_get_message (JANUS_AGENT (self))) != NULL)
    {
      gboolean done = player_handle (self, m);
      janus_message_unref (m);
      if (done)
        return JANUS_LIVE_DONE;
    }
  return JANUS_LIVE_WAIT;
}

static JanusLive
heavy_player_live (HeavyAgent *self)
{
  JanusMessage *m;
  gboolean done;

  player_start (self);
  m = janus_agent_wait_message (JANUS_AGENT (self), DEADLINE_USEC);
  if (m == NULL)
    {
      /* lost ball: fail, and do not leave the light player hanging */
      self->got_null = TRUE;
      janus_kernel_kill (janus_agent_get_kernel (JANUS_AGENT (self)),
                         JANUS_AGENT (self->peer), NULL);
      return JANUS_LIVE_DONE;
    }
  done = player_handle (self, m);
  janus_message_unref (m);
  return done ? JANUS_LIVE_DONE : JANUS_LIVE_AGAIN;
}

/* rounds round trips between a heavy and a light agent, started by either;
 * the count and order of the balls come out exact on both sides. */
static void
test_heavy_ping_pong (gconstpointer data)
{
  const PingPongCase *c = data;
  gint64 rounds = test_small () ? 200 : 2000;
  JanusKernel *kernel = janus_kernel_new (c->workers);
  Fixture f;
  HeavyAgent *heavy, *light, *starter, *responder;

  fixture_init (&f);
  heavy = heavy_agent_new (&f, NULL, heavy_player_live);
  light = heavy_agent_new (&f, NULL, light_player_live);
  heavy->peer = light;
  light->peer = heavy;
  starter = c->heavy_starts ? heavy : light;
  responder = c->heavy_starts ? light : heavy;
  starter->rounds = rounds;

  /* the responder first, so that the first ping finds it */
  if (responder == heavy)
    launch_heavy (kernel, heavy);
  else
    launch_light (kernel, light);
  if (starter == heavy)
    launch_heavy (kernel, heavy);
  else
    launch_light (kernel, light);
  janus_kernel_run (kernel);

  assert_died_once (heavy);
  assert_died_once (light);
  g_assert_false (heavy->got_null);
  g_assert_cmpint (heavy->parent.errors, ==, 0);
  g_assert_cmpint (light->parent.errors, ==, 0);
  g_assert_cmpint (starter->parent.count, ==, rounds);
  g_assert_cmpint (responder->parent.count, ==, rounds);
  g_assert_cmpint (starter->received, ==, rounds);          /* pongs */
  g_assert_cmpint (responder->received, ==, rounds + 1);    /* pings, stop */
  g_assert_cmpint (starter->sent, ==, rounds + 1);          /* pings, stop */
  g_assert_cmpint (responder->sent, ==, rounds);            /* pongs */
  g_assert_cmpuint (janus_kernel_get_dead_letter_count (kernel), ==, 0);

  g_object_unref (heavy);
  g_object_unref (light);
  finish (kernel, NULL);
  fixture_clear (&f);
}

/* ------------------------------------------------- WAIT does not spin */

static JanusLive
heavy_wait_counting_live (HeavyAgent *self)
{
  JanusMessage *m;

  while ((m = janus_agent_get_message (JANUS_AGENT (self))) != NULL)
    {
      self->received++;
      janus_message_unref (m);
    }
  test_bump (&self->fixture->lock, &self->fixture->cond, &self->fixture->lives);
  return JANUS_LIVE_WAIT;
}

/* A heavy agent returning WAIT sleeps (its thread is seen asleep) and its
 * live is not called again until a message comes; a kill ends it without
 * another live. */
static void
test_heavy_live_wait_sleeps (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  Fixture f;
  HeavyAgent *heavy;
  pid_t tid;

  fixture_init (&f);
  heavy = heavy_agent_new (&f, NULL, heavy_wait_counting_live);
  launch_heavy (kernel, heavy);

  /* no message: one live, then sleep */
  g_assert_true (test_wait_count (&f.lock, &f.cond, &f.lives, 1));
  tid = atomic_load (&heavy->tid);
  g_assert_true (wait_thread_sleeping (tid));
  g_assert_cmpint (g_atomic_int_get (&heavy->parent.n_live), ==, 1);

  /* a message: exactly one more live, then sleep again */
  g_assert_true (janus_kernel_send (kernel, janus_agent_get_address (JANUS_AGENT (heavy)),
                                    janus_message_new ("poke", NULL), NULL));
  g_assert_true (test_wait_count (&f.lock, &f.cond, &f.lives, 2));
  g_assert_true (wait_thread_sleeping (tid));
  g_assert_cmpint (g_atomic_int_get (&heavy->parent.n_live), ==, 2);

  g_assert_true (janus_kernel_kill (kernel, JANUS_AGENT (heavy), NULL));
  janus_kernel_run (kernel);

  assert_died_once (heavy);
  g_assert_cmpint (g_atomic_int_get (&heavy->parent.n_live), ==, 2);
  g_assert_cmpint (atomic_load (&f.lives), ==, 2);
  g_assert_cmpint (heavy->received, ==, 1);
  g_assert_cmpuint (janus_kernel_get_dead_letter_count (kernel), ==, 0);

  g_object_unref (heavy);
  finish (kernel, NULL);
  fixture_clear (&f);
}

/* ----------------------------------------------------- failing activate */

static gboolean
activate_fail_with_error (HeavyAgent  *self,
                          GError    **error)
{
  g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_ACCES, "no entry");
  return FALSE;
}

static gboolean
activate_fail_silently (HeavyAgent  *self,
                        GError    **error)
{
  return FALSE;
}

/* A heavy agent whose activate fails: agent-failed (on its thread), end
 * runs, no live, BORN → DYING → BREAKING_DOWN → DIED; a light agent of the
 * same kernel is unaffected. */
static void
test_heavy_activate_fails (gconstpointer data)
{
  gboolean with_error = GPOINTER_TO_INT (data);
  JanusKernel *kernel = janus_kernel_new (0);
  static const JanusAgentState expected[] = {
    JANUS_AGENT_STATE_BORN, JANUS_AGENT_STATE_DYING,
    JANUS_AGENT_STATE_BREAKING_DOWN, JANUS_AGENT_STATE_DIED,
  };
  FailRecord failed = { 0 };
  Fixture f;
  HeavyAgent *heavy, *light;

  fixture_init (&f);
  g_mutex_init (&failed.lock);
  g_signal_connect (kernel, "agent-failed", G_CALLBACK (on_agent_failed), &failed);
  heavy = heavy_agent_new (&f, with_error ? activate_fail_with_error : activate_fail_silently,
                          NULL);
  light = heavy_agent_new (&f, NULL, heavy_few_lives);
  launch_light (kernel, light);
  launch_heavy (kernel, heavy);
  janus_kernel_run (kernel);

  assert_died_once (heavy);
  g_assert_cmpint (g_atomic_int_get (&heavy->parent.n_live), ==, 0);
  g_assert_true (heavy->parent.end_thread == heavy->parent.activate_thread);
  g_assert_cmpuint (failed.count, ==, 1);
  g_assert_true (failed.agent == JANUS_AGENT (heavy));
  g_assert_true (failed.thread == heavy->parent.activate_thread);
  if (with_error)
    {
      g_assert_cmpuint (failed.domain, ==, G_FILE_ERROR);
      g_assert_cmpint (failed.code, ==, G_FILE_ERROR_ACCES);
    }
  else
    {
      g_assert_cmpuint (failed.domain, ==, JANUS_KERNEL_ERROR);
      g_assert_cmpint (failed.code, ==, JANUS_KERNEL_ERROR_FAILED);
    }
  assert_states (&heavy->parent, expected, G_N_ELEMENTS (expected));

  assert_died_once (light);
  g_assert_cmpint (g_atomic_int_get (&light->parent.n_live), ==, 3);

  g_signal_handlers_disconnect_by_data (kernel, &failed);
  g_object_unref (heavy);
  g_object_unref (light);
  finish (kernel, NULL);
  fail_record_clear (&failed);
  fixture_clear (&f);
}

/* ------------------------------------------------------- many of them */

#define N_MANY 16

static gboolean
activate_wait_go (HeavyAgent  *self,
                  GError    **error)
{
  if (!test_wait_count (&self->fixture->lock, &self->fixture->cond, &self->fixture->go, 1))
    self->parent.errors++;
  return TRUE;
}

/* Sends its index to the next agent of the ring, takes one message. */
static JanusLive
heavy_ring_live (HeavyAgent *self)
{
  JanusAgent *agent = JANUS_AGENT (self);
  JanusMessage *m;
  gint64 v = -1;

  janus_agent_send (agent, janus_agent_get_address (JANUS_AGENT (self->peer)),
                    janus_message_new_int64 ("token", self->index), NULL);
  m = janus_agent_wait_message (agent, DEADLINE_USEC);
  if (m == NULL)
    {
      self->got_null = TRUE;
      return JANUS_LIVE_DONE;
    }
  self->received++;
  if (!janus_message_get_int64 (m, &v))
    self->parent.errors++;
  self->value = v;
  janus_message_unref (m);
  return JANUS_LIVE_DONE;
}

/* 16 heavy agents, each on a thread of its own, pass tokens in a ring and
 * all finish. */
static void
test_heavy_many (gconstpointer data)
{
  guint workers = *(const guint *) data;
  JanusKernel *kernel = janus_kernel_new (workers);
  g_autoptr(GHashTable) threads = g_hash_table_new (NULL, NULL);
  Fixture f;
  HeavyAgent *agents[N_MANY];
  guint i;

  fixture_init (&f);
  for (i = 0; i < N_MANY; i++)
    {
      agents[i] = heavy_agent_new (&f, activate_wait_go, heavy_ring_live);
      agents[i]->index = i;
    }
  for (i = 0; i < N_MANY; i++)
    {
      agents[i]->peer = agents[(i + 1) % N_MANY];
      launch_heavy (kernel, agents[i]);
    }
  g_assert_cmpuint (janus_kernel_get_agent_count (kernel), ==, N_MANY);
  test_bump (&f.lock, &f.cond, &f.go);
  janus_kernel_run (kernel);

  g_assert_cmpuint (janus_kernel_get_agent_count (kernel), ==, 0);
  for (i = 0; i < N_MANY; i++)
    {
      HeavyAgent *a = agents[i];

      assert_died_once (a);
      g_assert_cmpint (a->parent.errors, ==, 0);
      g_assert_false (a->got_null);
      g_assert_cmpint (a->received, ==, 1);
      g_assert_cmpint (a->value, ==, (i + N_MANY - 1) % N_MANY);
      g_assert_true (a->parent.live_thread == a->parent.activate_thread);
      g_assert_true (a->parent.end_thread == a->parent.activate_thread);
      g_assert_true (a->parent.activate_thread != g_thread_self ());
      g_hash_table_add (threads, a->parent.activate_thread);
    }
  g_assert_cmpuint (g_hash_table_size (threads), ==, N_MANY);
  g_assert_cmpuint (janus_kernel_get_dead_letter_count (kernel), ==, 0);

  for (i = 0; i < N_MANY; i++)
    g_object_unref (agents[i]);
  finish (kernel, NULL);
  fixture_clear (&f);
}

/* ------------------------------------------ run waits for heavy agents */

static JanusLive
heavy_doze_live (HeavyAgent *self)
{
  JanusMessage *m = janus_agent_wait_message (JANUS_AGENT (self), self->timeout);

  if (m != NULL)
    {
      self->parent.errors++;
      janus_message_unref (m);
    }
  return JANUS_LIVE_DONE;
}

/* janus_kernel_run returns only once every heavy agent died, even when the
 * light agents are long gone. */
static void
test_heavy_run_waits (gconstpointer data)
{
  guint workers = *(const guint *) data;
  JanusKernel *kernel = janus_kernel_new (workers);
  Fixture f;
  HeavyAgent *light, *heavy[4];
  gint64 start, elapsed;
  guint i;

  fixture_init (&f);
  light = heavy_agent_new (&f, NULL, NULL);     /* DONE at once */
  launch_light (kernel, light);
  start = g_get_monotonic_time ();
  for (i = 0; i < G_N_ELEMENTS (heavy); i++)
    {
      heavy[i] = heavy_agent_new (&f, NULL, heavy_doze_live);
      heavy[i]->timeout = (i + 1) * 40 * 1000;
      launch_heavy (kernel, heavy[i]);
    }
  janus_kernel_run (kernel);
  elapsed = g_get_monotonic_time () - start;

  g_assert_cmpint (elapsed, >=, heavy[G_N_ELEMENTS (heavy) - 1]->timeout);
  g_assert_cmpuint (janus_kernel_get_agent_count (kernel), ==, 0);
  for (i = 0; i < G_N_ELEMENTS (heavy); i++)
    {
      assert_died_once (heavy[i]);
      g_assert_cmpint (heavy[i]->parent.errors, ==, 0);
      g_object_unref (heavy[i]);
    }
  assert_died_once (light);
  g_object_unref (light);
  finish (kernel, NULL);
  fixture_clear (&f);
}

/* ------------------------------------------------------------------ main */

int
main (int    argc,
      char **argv)
{
  static const PingPongCase pp[] = {
    { 0, FALSE }, { 0, TRUE }, { 2, FALSE }, { 2, TRUE },
  };

  g_test_init (&argc, &argv, NULL);

  g_test_add_data_func ("/heavy/thread/own-thread/0-workers", &workers_0, test_heavy_own_thread);
  g_test_add_data_func ("/heavy/thread/own-thread/2-workers", &workers_2, test_heavy_own_thread);
  g_test_add_data_func ("/heavy/wait/light-sends/0-workers", &workers_0, test_heavy_wait_light_sends);
  g_test_add_data_func ("/heavy/wait/light-sends/2-workers", &workers_2, test_heavy_wait_light_sends);
  g_test_add_func ("/heavy/wait/timeout", test_heavy_wait_timeout);
  g_test_add_func ("/heavy/wait/kill", test_heavy_wait_kill);
  g_test_add_func ("/heavy/wait/wake", test_heavy_wait_wake);
  g_test_add_func ("/heavy/wait/light-does-not-block", test_heavy_wait_light_does_not_block);
  g_test_add_data_func ("/heavy/ping-pong/light-starts/0-workers", &pp[0], test_heavy_ping_pong);
  g_test_add_data_func ("/heavy/ping-pong/heavy-starts/0-workers", &pp[1], test_heavy_ping_pong);
  g_test_add_data_func ("/heavy/ping-pong/light-starts/2-workers", &pp[2], test_heavy_ping_pong);
  g_test_add_data_func ("/heavy/ping-pong/heavy-starts/2-workers", &pp[3], test_heavy_ping_pong);
  g_test_add_func ("/heavy/live/wait-sleeps", test_heavy_live_wait_sleeps);
  g_test_add_data_func ("/heavy/activate/fails-with-error", GINT_TO_POINTER (TRUE),
                        test_heavy_activate_fails);
  g_test_add_data_func ("/heavy/activate/fails-without-error", GINT_TO_POINTER (FALSE),
                        test_heavy_activate_fails);
  g_test_add_data_func ("/heavy/many/0-workers", &workers_0, test_heavy_many);
  g_test_add_data_func ("/heavy/many/2-workers", &workers_2, test_heavy_many);
  g_test_add_data_func ("/heavy/run/waits-for-heavy/0-workers", &workers_0, test_heavy_run_waits);
  g_test_add_data_func ("/heavy/run/waits-for-heavy/2-workers", &workers_2, test_heavy_run_waits);

  g_test_add_func ("/heavy/kill/during-activate", test_heavy_kill_during_activate);
  g_test_add_func ("/heavy/kill/shutdown-wakes-waiting", test_heavy_shutdown_wakes_waiting);
  g_test_add_func ("/heavy/kill/kill-me-then-wait", test_heavy_wait_after_kill_me);

  return g_test_run ();
}
