/* SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Controlling an agent from outside: janus_agent_pause / resume /
 * is_paused and janus_agent_dup_creator. A paused agent keeps its mailbox
 * and is not stepped (no activate, live or timer) until it resumes, when
 * its first live finds everything that arrived meanwhile; a kill ends it
 * while paused. Light and heavy agents, on 0 and 2 workers.
 */
#include "janus-test-utils.h"

/* ----------------------------------------------------------- PauseAgent */

typedef struct _PauseAgent PauseAgent;
typedef void (*PauseAction) (PauseAgent *self);

struct _PauseAgent
{
  JanusAgent   parent_instance;
  PauseAction  first_live;      /* run in the first live */
  GMutex       lock;
  GCond        cond;
  int          n_activate;
  int          n_live;
  int          n_end;
  int          n_timer;
  int          taken;           /* messages taken by every live */
  int          last_taken;      /* by the last live */
  int          n_slept;         /* sleeps begun */
  gboolean     sleeping_in_live;/* janus_agent_is_sleeping in the last live */
};

typedef struct { JanusAgentClass parent_class; } PauseAgentClass;

static GType pause_agent_get_type (void);
G_DEFINE_TYPE (PauseAgent, pause_agent, JANUS_TYPE_AGENT)

static void
bump (PauseAgent *self,
      int        *counter)
{
  g_mutex_lock (&self->lock);
  (*counter)++;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
}

static int
read_count (PauseAgent *self,
            int        *counter)
{
  int n;

  g_mutex_lock (&self->lock);
  n = *counter;
  g_mutex_unlock (&self->lock);
  return n;
}

/* Waits (bounded) until *counter >= min. */
static void
wait_count (PauseAgent *self,
            int        *counter,
            int         min)
{
  gint64 deadline = g_get_monotonic_time () + DEADLINE_USEC;

  g_mutex_lock (&self->lock);
  while (*counter < min)
    if (!g_cond_wait_until (&self->cond, &self->lock, deadline))
      g_error ("a count stayed at %d, below %d (lives %d, slept %d, taken %d)", *counter, min, self->n_live, self->n_slept, self->taken);
  g_mutex_unlock (&self->lock);
}

static gboolean
pause_agent_activate (JanusAgent *agent,
                      GVariant   *parameters,
                      GError    **error)
{
  bump ((PauseAgent *) agent, &((PauseAgent *) agent)->n_activate);
  return TRUE;
}

static JanusLive
pause_agent_live (JanusAgent *agent)
{
  PauseAgent *self = (PauseAgent *) agent;
  JanusMessage *m;
  int n = 0, lives;

  while ((m = janus_agent_get_message (agent)) != NULL)
    {
      janus_message_unref (m);
      n++;
    }
  g_mutex_lock (&self->lock);
  lives = self->n_live;
  g_mutex_unlock (&self->lock);
  if (lives == 0 && self->first_live != NULL)
    self->first_live (self);
  g_mutex_lock (&self->lock);
  self->n_live++;
  self->sleeping_in_live = janus_agent_is_sleeping (agent);
  self->taken += n;
  self->last_taken = n;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
  return JANUS_LIVE_WAIT;
}

static void
pause_agent_end (JanusAgent *agent)
{
  bump ((PauseAgent *) agent, &((PauseAgent *) agent)->n_end);
}

static void
pause_agent_finalize (GObject *object)
{
  PauseAgent *self = (PauseAgent *) object;

  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);
  G_OBJECT_CLASS (pause_agent_parent_class)->finalize (object);
}

static void
pause_agent_class_init (PauseAgentClass *klass)
{
  JanusAgentClass *agent_class = JANUS_AGENT_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = pause_agent_finalize;
  agent_class->activate = pause_agent_activate;
  agent_class->live = pause_agent_live;
  agent_class->end = pause_agent_end;
}

static void
pause_agent_init (PauseAgent *self)
{
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
}

/* ------------------------------------------------------------- helpers */

typedef struct
{
  gboolean heavy;
} Kind;

static const Kind light = { FALSE };
static const Kind heavy = { TRUE };

static void
launch (JanusKernel *kernel,
        PauseAgent  *agent,
        gboolean     is_heavy)
{
  g_autoptr(GError) error = NULL;

  if (is_heavy)
    g_assert_true (janus_kernel_launch_heavy_agent (kernel, JANUS_AGENT (agent), NULL, NULL, &error));
  else
    g_assert_true (janus_kernel_launch_light_agent (kernel, JANUS_AGENT (agent), NULL, NULL, &error));
  g_assert_no_error (error);
}

/* Lets a 0-worker kernel run what it can (workers run by themselves). */
static void
settle (JanusKernel *kernel)
{
  if (janus_kernel_get_workers (kernel) == 0)
    step_until_idle (kernel, 1000);
}

static void
send_n (JanusKernel *kernel,
        PauseAgent  *agent,
        int          n)
{
  for (int i = 0; i < n; i++)
    kernel_send_ok (kernel, ADDR (agent), janus_message_new ("m", NULL));
}

/* Launches a new agent and waits for its first live (which returns WAIT). */
static PauseAgent *
launch_waiting (JanusKernel *kernel,
                gboolean     is_heavy,
                PauseAction  first_live)
{
  PauseAgent *agent = g_object_new (pause_agent_get_type (), NULL);

  agent->first_live = first_live;
  launch (kernel, agent, is_heavy);
  settle (kernel);
  wait_count (agent, &agent->n_live, 1);
  return agent;
}

static void
wait_died (JanusKernel *kernel,
           PauseAgent  *agent)
{
  settle (kernel);
  wait_count (agent, &agent->n_end, 1);
  /* the state is DIED once end returned and the agent was let go */
  for (gint64 deadline = g_get_monotonic_time () + DEADLINE_USEC;
       janus_agent_get_state (JANUS_AGENT (agent)) != JANUS_AGENT_STATE_DIED;)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_thread_yield ();
    }
}

static void
kill_ok (JanusKernel *kernel,
         PauseAgent  *agent)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (janus_kernel_kill (kernel, JANUS_AGENT (agent), &error));
  g_assert_no_error (error);
  wait_died (kernel, agent);
}

/* --------------------------------------------------------------- cases */

/* Paused before its launch: not even activate runs; everything sent waits
 * for the first live after the resume. */
static void
test_before_launch (guint         workers,
                    gconstpointer data)
{
  const Kind *kind = data;
  JanusKernel *kernel = janus_kernel_new (workers);
  PauseAgent *agent = g_object_new (pause_agent_get_type (), NULL);

  janus_agent_pause (JANUS_AGENT (agent));
  g_assert_true (janus_agent_is_paused (JANUS_AGENT (agent)));
  launch (kernel, agent, kind->heavy);
  g_assert_true (janus_agent_is_paused (JANUS_AGENT (agent)));
  send_n (kernel, agent, 3);
  settle (kernel);
  g_assert_cmpint (read_count (agent, &agent->n_activate), ==, 0);
  g_assert_cmpint (read_count (agent, &agent->n_live), ==, 0);
  g_assert_cmpint (janus_agent_get_state (JANUS_AGENT (agent)), ==, JANUS_AGENT_STATE_BORN);

  janus_agent_resume (JANUS_AGENT (agent));
  g_assert_false (janus_agent_is_paused (JANUS_AGENT (agent)));
  settle (kernel);
  wait_count (agent, &agent->n_live, 1);
  g_mutex_lock (&agent->lock);
  g_assert_cmpint (agent->n_activate, ==, 1);
  g_assert_cmpint (agent->taken, ==, 3);       /* all in the first live */
  g_assert_cmpint (agent->last_taken, ==, 3);
  g_mutex_unlock (&agent->lock);

  kill_ok (kernel, agent);
  finish (kernel, agent, NULL);
}

/* Paused while alive: messages sent meanwhile wait; the live after the
 * resume takes them all. */
static void
test_messages_wait (guint         workers,
                    gconstpointer data)
{
  const Kind *kind = data;
  JanusKernel *kernel = janus_kernel_new (workers);
  PauseAgent *agent = launch_waiting (kernel, kind->heavy, NULL);

  janus_agent_pause (JANUS_AGENT (agent));
  janus_agent_pause (JANUS_AGENT (agent));     /* twice: still one pause */
  send_n (kernel, agent, 5);
  settle (kernel);
  send_n (kernel, agent, 5);
  settle (kernel);
  g_mutex_lock (&agent->lock);
  g_assert_cmpint (agent->n_live, ==, 1);
  g_assert_cmpint (agent->taken, ==, 0);
  g_mutex_unlock (&agent->lock);
  g_assert_cmpint (janus_agent_get_state (JANUS_AGENT (agent)), ==, JANUS_AGENT_STATE_ALIVE);

  janus_agent_resume (JANUS_AGENT (agent));
  janus_agent_resume (JANUS_AGENT (agent));    /* not paused: nothing */
  settle (kernel);
  wait_count (agent, &agent->taken, 10);
  g_mutex_lock (&agent->lock);
  g_assert_cmpint (agent->n_live, >=, 2);
  g_assert_cmpint (agent->last_taken, ==, 10);  /* in one live */
  if (workers == 0 && !kind->heavy)
    g_assert_cmpint (agent->n_live, ==, 2);
  g_mutex_unlock (&agent->lock);

  /* after the resume it runs as before */
  send_n (kernel, agent, 1);
  settle (kernel);
  wait_count (agent, &agent->taken, 11);

  kill_ok (kernel, agent);
  finish (kernel, agent, NULL);
}

/* A kill ends a paused agent: end runs, live does not; a paused agent not
 * yet stepped dies too. */
static void
test_kill_paused (guint         workers,
                  gconstpointer data)
{
  const Kind *kind = data;
  JanusKernel *kernel = janus_kernel_new (workers);
  PauseAgent *agent = launch_waiting (kernel, kind->heavy, NULL);
  PauseAgent *unstepped = g_object_new (pause_agent_get_type (), NULL);

  janus_agent_pause (JANUS_AGENT (agent));
  send_n (kernel, agent, 3);
  settle (kernel);
  kill_ok (kernel, agent);
  g_mutex_lock (&agent->lock);
  g_assert_cmpint (agent->n_live, ==, 1);
  g_assert_cmpint (agent->taken, ==, 0);
  g_assert_cmpint (agent->n_end, ==, 1);
  g_mutex_unlock (&agent->lock);
  /* resuming the dead changes nothing */
  janus_agent_resume (JANUS_AGENT (agent));
  g_assert_false (janus_agent_is_paused (JANUS_AGENT (agent)));

  janus_agent_pause (JANUS_AGENT (unstepped));
  launch (kernel, unstepped, kind->heavy);
  send_n (kernel, unstepped, 2);
  kill_ok (kernel, unstepped);
  g_assert_cmpint (read_count (unstepped, &unstepped->n_live), ==, 0);
  g_assert_cmpint (read_count (unstepped, &unstepped->n_end), ==, 1);

  finish (kernel, agent, unstepped, NULL);
}

/* A wake-up does not step a paused agent; the resume does, once. */
static void
test_wake_paused (guint         workers,
                  gconstpointer data)
{
  const Kind *kind = data;
  JanusKernel *kernel = janus_kernel_new (workers);
  PauseAgent *agent = launch_waiting (kernel, kind->heavy, NULL);

  janus_agent_pause (JANUS_AGENT (agent));
  janus_agent_wake (JANUS_AGENT (agent));
  settle (kernel);
  janus_agent_wake (JANUS_AGENT (agent));
  settle (kernel);
  g_assert_cmpint (read_count (agent, &agent->n_live), ==, 1);

  janus_agent_resume (JANUS_AGENT (agent));
  settle (kernel);
  wait_count (agent, &agent->n_live, 2);
  if (workers == 0 && !kind->heavy)
    g_assert_cmpint (read_count (agent, &agent->n_live), ==, 2);

  kill_ok (kernel, agent);
  finish (kernel, agent, NULL);
}

static void
on_timer (JanusAgent *agent,
          gpointer    data)
{
  bump ((PauseAgent *) agent, &((PauseAgent *) agent)->n_timer);
}

/* Sets a timer, then pauses itself (a stepped virtual clock may move to
 * the timer as soon as the kernel is idle). */
static void
set_timer_and_pause (PauseAgent *self)
{
  g_assert_cmpuint (janus_agent_call_in (JANUS_AGENT (self), 10, on_timer, NULL, NULL), >, 0);
  janus_agent_pause (JANUS_AGENT (self));
  g_assert_true (janus_agent_is_paused (JANUS_AGENT (self)));
}

/* A timer due while the agent is paused runs after the resume. */
static void
test_timer_paused (guint         workers,
                   gconstpointer data)
{
  const Kind *kind = data;
  JanusKernel *kernel = janus_kernel_new (workers);
  g_autoptr(JanusClock) clock = janus_clock_new_virtual (0, 0);
  g_autoptr(GError) error = NULL;
  PauseAgent *agent;

  janus_kernel_set_clock (kernel, clock);
  agent = launch_waiting (kernel, kind->heavy, set_timer_and_pause);
  if (janus_kernel_get_time (kernel) < 10)
    g_assert_true (janus_clock_advance (clock, 10 - janus_kernel_get_time (kernel), &error));
  g_assert_no_error (error);
  g_assert_cmpint (janus_kernel_get_time (kernel), ==, 10);
  settle (kernel);
  send_n (kernel, agent, 1);
  settle (kernel);
  g_mutex_lock (&agent->lock);
  g_assert_cmpint (agent->n_timer, ==, 0);
  g_assert_cmpint (agent->n_live, ==, 1);
  g_mutex_unlock (&agent->lock);

  janus_agent_resume (JANUS_AGENT (agent));
  settle (kernel);
  wait_count (agent, &agent->n_timer, 1);
  wait_count (agent, &agent->taken, 1);

  kill_ok (kernel, agent);
  janus_kernel_shutdown (kernel);
  g_assert_finalize_object (kernel);
  g_assert_finalize_object (agent);
}

/* Pausing and resuming before the launch leaves it unpaused. */
static void
test_resume_before_launch (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  PauseAgent *agent = g_object_new (pause_agent_get_type (), NULL);

  g_assert_false (janus_agent_is_paused (JANUS_AGENT (agent)));
  janus_agent_resume (JANUS_AGENT (agent));
  janus_agent_pause (JANUS_AGENT (agent));
  janus_agent_resume (JANUS_AGENT (agent));
  g_assert_false (janus_agent_is_paused (JANUS_AGENT (agent)));
  launch (kernel, agent, FALSE);
  settle (kernel);
  g_assert_cmpint (read_count (agent, &agent->n_live), ==, 1);
  kill_ok (kernel, agent);
  finish (kernel, agent, NULL);
}

typedef struct
{
  JanusKernel *kernel;
  PauseAgent  *agent;
  int          n;
} Sender;

static gpointer
sender_main (gpointer data)
{
  Sender *s = data;

  send_n (s->kernel, s->agent, s->n);
  return NULL;
}

/* Pauses and resumes racing with messages from another thread: none is
 * lost, none is taken while paused at the end. */
static void
test_race (guint         workers,
           gconstpointer data)
{
  const Kind *kind = data;
  JanusKernel *kernel = janus_kernel_new (workers);
  PauseAgent *agent = launch_waiting (kernel, kind->heavy, NULL);
  Sender s = { kernel, agent, test_small () ? 200 : 5000 };
  GThread *thread;
  int taken;

  thread = g_thread_new ("sender", sender_main, &s);
  for (int i = 0; i < s.n / 10; i++)
    {
      janus_agent_pause (JANUS_AGENT (agent));
      settle (kernel);
      janus_agent_resume (JANUS_AGENT (agent));
      settle (kernel);
    }
  g_thread_join (thread);
  janus_agent_resume (JANUS_AGENT (agent));
  settle (kernel);
  wait_count (agent, &agent->taken, s.n);

  /* a final pause holds what comes next */
  janus_agent_pause (JANUS_AGENT (agent));
  settle (kernel);
  taken = read_count (agent, &agent->taken);
  g_assert_cmpint (taken, ==, s.n);
  send_n (kernel, agent, 4);
  settle (kernel);
  g_assert_cmpint (read_count (agent, &agent->taken), ==, s.n);
  janus_agent_resume (JANUS_AGENT (agent));
  settle (kernel);
  wait_count (agent, &agent->taken, s.n + 4);

  kill_ok (kernel, agent);
  finish (kernel, agent, NULL);
}

/* ------------------------------------------------ wake ends a sleep */

#define LONG_SLEEP ((gint64) 3600 * G_USEC_PER_SEC)

static void
sleep_long (PauseAgent *self)
{
  bump (self, &self->n_slept);
  janus_agent_sleep (JANUS_AGENT (self), LONG_SLEEP);
}

/* Steps a 0-worker kernel (at most @max steps) or waits on workers until
 * *counter >= min. */
static void
step_until_count (JanusKernel *kernel,
                  PauseAgent  *agent,
                  int         *counter,
                  int          min)
{
  if (janus_kernel_get_workers (kernel) == 0)
    for (int i = 0; i < 50 && read_count (agent, counter) < min; i++)
      test_step (kernel);
  wait_count (agent, counter, min);
}

/* janus_agent_wake ends a sleep (Janus's wakeUpIfSleeping): live runs
 * again long before the sleep was due. The clock moves one µs a step. */
static void
test_wake_ends_sleep (guint         workers,
                      gconstpointer data)
{
  const Kind *kind = data;
  JanusKernel *kernel = janus_kernel_new (workers);
  g_autoptr(JanusClock) clock = janus_clock_new_virtual (0, 1);
  PauseAgent *agent = g_object_new (pause_agent_get_type (), NULL);
  int lives;

  janus_kernel_set_clock (kernel, clock);
  agent->first_live = sleep_long;
  launch (kernel, agent, kind->heavy);
  step_until_count (kernel, agent, &agent->n_slept, 1);
  /* a light agent's first live returned; a heavy one blocks in its sleep */
  lives = kind->heavy ? 0 : 1;
  step_until_count (kernel, agent, &agent->n_live, lives);
  if (workers == 0)
    for (int i = 0; i < 10; i++)
      test_step (kernel);
  send_n (kernel, agent, 1);    /* an arrival does not end a sleep */
  if (workers == 0)
    for (int i = 0; i < 10; i++)
      test_step (kernel);
  g_assert_cmpint (read_count (agent, &agent->n_live), ==, lives);

  janus_agent_wake (JANUS_AGENT (agent));
  step_until_count (kernel, agent, &agent->taken, 1);
  g_mutex_lock (&agent->lock);
  /* light: the live after the wake-up took it; heavy: the first live
   * returned from its sleep, the next took it */
  g_assert_cmpint (agent->n_live, ==, 2);
  g_assert_false (agent->sleeping_in_live);
  g_mutex_unlock (&agent->lock);
  g_assert_cmpint (janus_kernel_get_time (kernel), <, LONG_SLEEP);

  /* awake: the next message steps it at once */
  send_n (kernel, agent, 1);
  step_until_count (kernel, agent, &agent->taken, 2);
  kill_ok (kernel, agent);
  janus_kernel_shutdown (kernel);
  g_assert_finalize_object (kernel);
  g_assert_finalize_object (agent);
}

/* ------------------------------------------------------------- creator */

typedef struct
{
  JanusKernel *kernel;
  PauseAgent  *child;
} Launcher;

static void
launch_child (PauseAgent *self)
{
  Launcher *l = g_object_get_data (G_OBJECT (self), "launcher");

  launch (l->kernel, l->child, FALSE);
}

static void
test_creator (guint         workers,
              gconstpointer data)
{
  JanusKernel *kernel = janus_kernel_new (workers);
  PauseAgent *parent = g_object_new (pause_agent_get_type (), NULL);
  Launcher l = { kernel, g_object_new (pause_agent_get_type (), NULL) };
  JanusAddress *creator;
  g_autoptr(GError) error = NULL;

  g_assert_null (janus_agent_dup_creator (JANUS_AGENT (parent)));
  g_object_set_data (G_OBJECT (parent), "launcher", &l);
  parent->first_live = launch_child;
  launch (kernel, parent, FALSE);
  settle (kernel);
  wait_count (l.child, &l.child->n_live, 1);

  creator = janus_agent_dup_creator (JANUS_AGENT (parent));
  g_assert_nonnull (creator);
  g_assert_true (janus_address_equal (creator, janus_kernel_get_address (kernel)));
  janus_address_free (creator);

  creator = janus_agent_dup_creator (JANUS_AGENT (l.child));
  g_assert_true (janus_address_equal (creator, ADDR (parent)));
  janus_address_free (creator);

  /* still readable once they died */
  kill_ok (kernel, l.child);
  kill_ok (kernel, parent);
  creator = janus_agent_dup_creator (JANUS_AGENT (l.child));
  g_assert_true (janus_address_equal (creator, ADDR (parent)));
  janus_address_free (creator);
  finish (kernel, parent, l.child, NULL);
}

/* ------------------------------------------------------------ bad input */

static void
bad_call (const char *name)
{
  if (g_str_equal (name, "pause-null"))
    janus_agent_pause (NULL);
  else if (g_str_equal (name, "resume-null"))
    janus_agent_resume (NULL);
  else if (g_str_equal (name, "is-paused-null"))
    g_assert_false (janus_agent_is_paused (NULL));
  else if (g_str_equal (name, "creator-null"))
    g_assert_null (janus_agent_dup_creator (NULL));
  else if (g_str_equal (name, "pause-not-an-agent"))
    {
      g_autoptr(GObject) o = g_object_new (G_TYPE_OBJECT, NULL);
      janus_agent_pause ((JanusAgent *) o);
    }
}

static const char *const bad_calls[] = {
  "pause-null", "resume-null", "is-paused-null", "creator-null", "pause-not-an-agent",
};

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  add_on_workers ("/agent-control/pause/before-launch/light", test_before_launch, &light);
  add_on_workers ("/agent-control/pause/before-launch/heavy", test_before_launch, &heavy);
  add_on_workers ("/agent-control/pause/messages-wait/light", test_messages_wait, &light);
  add_on_workers ("/agent-control/pause/messages-wait/heavy", test_messages_wait, &heavy);
  add_on_workers ("/agent-control/pause/kill/light", test_kill_paused, &light);
  add_on_workers ("/agent-control/pause/kill/heavy", test_kill_paused, &heavy);
  add_on_workers ("/agent-control/pause/wake/light", test_wake_paused, &light);
  add_on_workers ("/agent-control/pause/wake/heavy", test_wake_paused, &heavy);
  add_on_workers ("/agent-control/pause/timer/light", test_timer_paused, &light);
  add_on_workers ("/agent-control/pause/timer/heavy", test_timer_paused, &heavy);
  add_on_workers ("/agent-control/pause/race/light", test_race, &light);
  add_on_workers ("/agent-control/pause/race/heavy", test_race, &heavy);
  g_test_add_func ("/agent-control/pause/resume-before-launch", test_resume_before_launch);
  add_on_workers ("/agent-control/wake-ends-sleep/light", test_wake_ends_sleep, &light);
  add_on_workers ("/agent-control/wake-ends-sleep/heavy", test_wake_ends_sleep, &heavy);
  add_on_workers ("/agent-control/creator", test_creator, NULL);
  add_critical_cases ("/agent-control/bad-input", bad_call, bad_calls, G_N_ELEMENTS (bad_calls));

  return g_test_run ();
}
