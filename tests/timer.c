/* SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Agent timers: janus_agent_call_in / call_at (due order, creation order
 * among equal due times), cancel_timer, get_timer_count, timers running
 * before live and waking a waiting agent, timers set from timers, timers of
 * dead agents (never run, destroyed once), janus_agent_sleep and
 * is_sleeping, janus_kernel_step with a stepped or an unstepped virtual
 * clock, janus_kernel_run of a long simulated schedule, and the thread
 * preconditions.
 *
 * Deterministic: 0-worker kernels with a virtual clock, driven with
 * janus_kernel_step () or janus_kernel_run (). A few tests need real time
 * (a timer on a kernel with workers, a heavy agent's timer and sleep, the
 * GMainContext source): they use real events with generous bounds.
 */
#include <stdatomic.h>
#include <string.h>

#include "janus-test-utils.h"

#define MAX_STEPS     10000

/* ------------------------------------------------------------- fixture
 *
 * The log is a space-separated list of "what@time" (kernel time), written
 * by the agents' steps and timers; destroys go to their own log. 0-worker
 * tests only touch it from the driving thread; the worker tests use the
 * lock. */

typedef struct
{
  GMutex       lock;
  GCond        cond;
  GString     *log;
  GString     *destroyed;
  atomic_int   n_destroyed;
  JanusKernel *kernel;
  JanusClock  *clock;
  guint        step;            /* the step being run (step loops) */
} Fixture;

static void
fixture_init (Fixture    *f,
              guint       workers,
              JanusClock *clock)
{
  memset (f, 0, sizeof *f);
  g_mutex_init (&f->lock);
  g_cond_init (&f->cond);
  f->log = g_string_new (NULL);
  f->destroyed = g_string_new (NULL);
  f->kernel = janus_kernel_new (workers);
  if (clock != NULL)
    {
      f->clock = clock;
      janus_kernel_set_clock (f->kernel, clock);
    }
}

/* Shuts the kernel down and frees it (with whatever timers it held). */
static void
fixture_kernel_done (Fixture *f)
{
  if (f->kernel != NULL)
    finish (g_steal_pointer (&f->kernel), NULL);
}

static void
fixture_clear (Fixture *f)
{
  fixture_kernel_done (f);
  g_clear_object (&f->clock);
  g_string_free (f->log, TRUE);
  g_string_free (f->destroyed, TRUE);
  g_mutex_clear (&f->lock);
  g_cond_clear (&f->cond);
}

static void
log_add (Fixture    *f,
         const char *what)
{
  g_mutex_lock (&f->lock);
  if (f->log->len > 0)
    g_string_append_c (f->log, ' ');
  g_string_append_printf (f->log, "%s@%" G_GINT64_FORMAT, what,
                          f->kernel ? janus_kernel_get_time (f->kernel) : -1);
  g_cond_broadcast (&f->cond);
  g_mutex_unlock (&f->lock);
}

#define assert_timeline(f, expected) g_assert_cmpstr ((f)->log->str, ==, (expected))

/* Steps until nothing is left to do; returns the number of steps. */
static guint
step_all (Fixture *f)
{
  f->step = 0;
  do
    f->step++;
  while (janus_kernel_step (f->kernel) && f->step < MAX_STEPS);
  g_assert_cmpuint (f->step, <, MAX_STEPS);
  return f->step;
}

/* ----------------------------------------------------------- timer data */

typedef struct _TimerAgent TimerAgent;
typedef struct _TimerData TimerData;
typedef void (*TimerThen) (TimerAgent *agent, TimerData *td);

struct _TimerData
{
  Fixture   *f;
  char       label[32];
  TimerThen  then;              /* runs after logging */
  gint64     due;               /* expected kernel time, or -1 */
  gboolean   sleeping;          /* janus_agent_is_sleeping in the callback */
  gint64     fired_mono;        /* real tests: g_get_monotonic_time () */
};

static TimerData *
timer_data_new (Fixture    *f,
                const char *label,
                TimerThen   then)
{
  TimerData *td = g_new0 (TimerData, 1);

  td->f = f;
  g_strlcpy (td->label, label, sizeof td->label);
  td->then = then;
  td->due = -1;
  return td;
}

static void
timer_data_free (gpointer data)
{
  TimerData *td = data;
  Fixture *f = td->f;

  g_mutex_lock (&f->lock);
  if (f->destroyed->len > 0)
    g_string_append_c (f->destroyed, ' ');
  g_string_append (f->destroyed, td->label);
  atomic_fetch_add (&f->n_destroyed, 1);
  g_cond_broadcast (&f->cond);
  g_mutex_unlock (&f->lock);
  g_free (td);
}

/* Counts the words of a space-separated list equal to @word. */
static guint
count_word (GString    *list,
            const char *word)
{
  g_auto(GStrv) words = g_strsplit (list->str, " ", -1);
  guint i, n = 0;

  for (i = 0; words[i] != NULL; i++)
    n += g_strcmp0 (words[i], word) == 0;
  return n;
}

/* ------------------------------------------------------------ TimerAgent
 *
 * Scripted by the test: on_activate and on_live run in its steps; the
 * default live logs "live" (with the number of messages it took when there
 * were some, "live:N") and waits. */

typedef void      (*AgentFunc) (TimerAgent *self);
typedef JanusLive (*LiveFunc)  (TimerAgent *self);

struct _TimerAgent
{
  JanusAgent  parent_instance;
  Fixture    *f;
  AgentFunc   on_activate;
  LiveFunc    on_live;
  AgentFunc   on_end;
  guint       n_live;
  guint       n_end;
  guint64     ids[8];
  gboolean    results[8];
  guint       counts[8];
  gpointer    data;
};

#define TIMER_TYPE_AGENT (timer_agent_get_type ())
G_DECLARE_FINAL_TYPE (TimerAgent, timer_agent, TIMER, AGENT, JanusAgent)
G_DEFINE_FINAL_TYPE (TimerAgent, timer_agent, JANUS_TYPE_AGENT)

static void
timer_log (JanusAgent *agent,
           gpointer    data)
{
  TimerData *td = data;

  td->sleeping = janus_agent_is_sleeping (agent);
  td->fired_mono = g_get_monotonic_time ();
  if (td->due >= 0)
    g_assert_cmpint (janus_kernel_get_time (janus_agent_get_kernel (agent)), ==, td->due);
  log_add (td->f, td->label);
  if (td->then)
    td->then (TIMER_AGENT (agent), td);
}

static guint64
add_timer (TimerAgent *self,
           gint64      delay,
           const char *label,
           TimerThen   then)
{
  return janus_agent_call_in (JANUS_AGENT (self), delay, timer_log,
                              timer_data_new (self->f, label, then), timer_data_free);
}

static guint
drain (TimerAgent *self)
{
  JanusMessage *m;
  guint n = 0;

  while ((m = janus_agent_get_message (JANUS_AGENT (self))) != NULL)
    {
      n++;
      janus_message_unref (m);
    }
  return n;
}

static gboolean
timer_agent_activate (JanusAgent  *agent,
                      GVariant    *parameters,
                      GError     **error)
{
  TimerAgent *self = TIMER_AGENT (agent);

  if (self->on_activate)
    self->on_activate (self);
  return TRUE;
}

static JanusLive
timer_agent_live (JanusAgent *agent)
{
  TimerAgent *self = TIMER_AGENT (agent);
  guint n;

  self->n_live++;
  if (self->on_live)
    return self->on_live (self);
  n = drain (self);
  if (n == 0)
    log_add (self->f, "live");
  else
    {
      g_autofree char *what = g_strdup_printf ("live:%u", n);
      log_add (self->f, what);
    }
  return JANUS_LIVE_WAIT;
}

static void
timer_agent_end (JanusAgent *agent)
{
  TimerAgent *self = TIMER_AGENT (agent);

  self->n_end++;
  if (self->on_end)
    self->on_end (self);
}

static void
timer_agent_class_init (TimerAgentClass *klass)
{
  JANUS_AGENT_CLASS (klass)->activate = timer_agent_activate;
  JANUS_AGENT_CLASS (klass)->live = timer_agent_live;
  JANUS_AGENT_CLASS (klass)->end = timer_agent_end;
}

static void
timer_agent_init (TimerAgent *self)
{
}

static TimerAgent *
timer_agent_new (Fixture   *f,
                 AgentFunc  on_activate,
                 LiveFunc   on_live)
{
  TimerAgent *self = g_object_new (TIMER_TYPE_AGENT, NULL);

  self->f = f;
  self->on_activate = on_activate;
  self->on_live = on_live;
  return self;
}

static TimerAgent *
timer_launch_new (Fixture   *f,
            AgentFunc  on_activate,
            LiveFunc   on_live)
{
  TimerAgent *agent = timer_agent_new (f, on_activate, on_live);

  launch_ok (f->kernel, agent, NULL, NULL);
  return agent;
}

static void
kernel_send (Fixture    *f,
             TimerAgent *to,
             const char *subject)
{
  kernel_send_ok (f->kernel, janus_agent_get_address (JANUS_AGENT (to)),
                  janus_message_new (subject, NULL));
}

/* ------------------------------------------------------------ due order */

static void
set_three_unordered (TimerAgent *self)
{
  add_timer (self, 300, "c", NULL);
  add_timer (self, 100, "a", NULL);
  add_timer (self, 200, "b", NULL);
}

/* Timers run in due order, each at its due time, before the live of the
 * same step. */
static void
test_call_in_due_order (void)
{
  Fixture f;
  TimerAgent *agent;

  fixture_init (&f, 0, janus_clock_new_virtual (0, 0));
  agent = timer_launch_new (&f, set_three_unordered, NULL);
  step_all (&f);
  assert_timeline (&f, "live@0 a@100 live@100 b@200 live@200 c@300 live@300");
  g_assert_cmpstr (f.destroyed->str, ==, "a b c");
  g_assert_cmpint (janus_kernel_get_time (f.kernel), ==, 300);
  fixture_clear (&f);
  g_object_unref (agent);
}

#define N_SAME_DUE 64

static void
set_many_same_due (TimerAgent *self)
{
  guint i;

  for (i = 0; i < N_SAME_DUE; i++)
    {
      char label[16];
      g_snprintf (label, sizeof label, "t%02u", i);
      add_timer (self, 1000, label, NULL);
    }
  /* set later, due earlier */
  for (i = 0; i < 4; i++)
    {
      char label[16];
      g_snprintf (label, sizeof label, "e%u", i);
      add_timer (self, 500, label, NULL);
    }
}

/* Many timers due at the same time run in the order they were set, in one
 * step, after the earlier ones. */
static void
test_call_in_same_due_fifo (void)
{
  Fixture f;
  TimerAgent *agent;
  g_autoptr(GString) expected = g_string_new ("live@0");
  guint i;

  fixture_init (&f, 0, janus_clock_new_virtual (0, 0));
  agent = timer_launch_new (&f, set_many_same_due, NULL);
  for (i = 0; i < 4; i++)
    g_string_append_printf (expected, " e%u@500", i);
  g_string_append (expected, " live@500");
  for (i = 0; i < N_SAME_DUE; i++)
    g_string_append_printf (expected, " t%02u@1000", i);
  g_string_append (expected, " live@1000");

  g_assert_cmpuint (step_all (&f), ==, 3);
  assert_timeline (&f, expected->str);
  g_assert_cmpint (atomic_load (&f.n_destroyed), ==, N_SAME_DUE + 4);
  fixture_clear (&f);
  g_object_unref (agent);
}

/* Equal due times of several agents: each agent's timers in creation
 * order, every agent stepped once. */
static void
set_two_same_due (TimerAgent *self)
{
  const char *name = self->data;
  g_autofree char *first = g_strconcat (name, "1", NULL);
  g_autofree char *second = g_strconcat (name, "2", NULL);

  add_timer (self, 100, first, NULL);
  add_timer (self, 100, second, NULL);
}

static JanusLive
quiet_live (TimerAgent *self)
{
  return JANUS_LIVE_WAIT;
}

static void
test_call_in_same_due_agents (void)
{
  static const char *names[] = { "x", "y", "z" };
  TimerAgent *agents[3];
  Fixture f;
  guint i;

  fixture_init (&f, 0, janus_clock_new_virtual (0, 0));
  for (i = 0; i < 3; i++)
    {
      agents[i] = timer_agent_new (&f, set_two_same_due, quiet_live);
      agents[i]->data = (gpointer) names[i];
      launch_ok (f.kernel, agents[i], NULL, NULL);
    }
  g_assert_cmpuint (step_all (&f), ==, 2);
  assert_timeline (&f, "x1@100 x2@100 y1@100 y2@100 z1@100 z2@100");
  for (i = 0; i < 3; i++)
    g_assert_cmpuint (agents[i]->n_live, ==, 2);
  fixture_clear (&f);
  for (i = 0; i < 3; i++)
    g_object_unref (agents[i]);
}

/* --------------------------------------------------------------- call_at */

static void
set_call_at (TimerAgent *self)
{
  JanusAgent *agent = JANUS_AGENT (self);
  Fixture *f = self->f;

  janus_agent_call_at (agent, 1000500, timer_log, timer_data_new (f, "at", NULL), timer_data_free);
  janus_agent_call_at (agent, 999000, timer_log, timer_data_new (f, "past", NULL), timer_data_free);
  janus_agent_call_at (agent, 1000000, timer_log, timer_data_new (f, "now", NULL), timer_data_free);
}

/* call_at runs at that kernel time; a time already passed (or now) runs
 * at the next step. */
static void
test_call_at (void)
{
  Fixture f;
  TimerAgent *agent;

  fixture_init (&f, 0, janus_clock_new_virtual (1000000, 0));
  agent = timer_launch_new (&f, set_call_at, NULL);
  g_assert_cmpuint (step_all (&f), ==, 3);
  assert_timeline (&f, "live@1000000 past@1000000 now@1000000 live@1000000 at@1000500 live@1000500");
  fixture_clear (&f);
  g_object_unref (agent);
}

/* --------------------------------------------------------------- cancel */

static void
set_two_keep_ids (TimerAgent *self)
{
  self->ids[0] = add_timer (self, 1000, "x", NULL);
  self->ids[1] = add_timer (self, 2000, "y", NULL);
  g_assert_cmpuint (self->ids[0], !=, 0);
  g_assert_cmpuint (self->ids[1], !=, 0);
  g_assert_cmpuint (self->ids[0], !=, self->ids[1]);
}

static JanusLive
cancel_first_live (TimerAgent *self)
{
  log_add (self->f, "live");
  if (self->n_live == 1)
    {
      self->results[0] = janus_agent_cancel_timer (JANUS_AGENT (self), self->ids[0]);
      self->counts[0] = janus_agent_get_timer_count (JANUS_AGENT (self));
      /* a second cancel of the same timer: not pending any more */
      self->results[1] = janus_agent_cancel_timer (JANUS_AGENT (self), self->ids[0]);
    }
  return JANUS_LIVE_WAIT;
}

/* Cancelled before it is due: TRUE, it never runs, its destroy runs once;
 * the other timer is untouched. */
static void
test_cancel_before_due (void)
{
  Fixture f;
  TimerAgent *agent;

  fixture_init (&f, 0, janus_clock_new_virtual (0, 0));
  agent = timer_launch_new (&f, set_two_keep_ids, cancel_first_live);
  step_all (&f);
  g_assert_true (agent->results[0]);
  g_assert_false (agent->results[1]);
  g_assert_cmpuint (agent->counts[0], ==, 1);
  assert_timeline (&f, "live@0 y@2000 live@2000");
  fixture_kernel_done (&f);
  g_assert_cmpuint (count_word (f.destroyed, "x"), ==, 1);
  g_assert_cmpuint (count_word (f.destroyed, "y"), ==, 1);
  g_assert_cmpint (atomic_load (&f.n_destroyed), ==, 2);
  fixture_clear (&f);
  g_object_unref (agent);
}

static void
set_one_keep_id (TimerAgent *self)
{
  self->ids[0] = add_timer (self, 100, "x", NULL);
}

static JanusLive
cancel_after_run_live (TimerAgent *self)
{
  log_add (self->f, "live");
  if (self->n_live == 2)
    {
      /* x ran (and was destroyed) before this live */
      self->counts[1] = (guint) atomic_load (&self->f->n_destroyed);
      self->results[0] = janus_agent_cancel_timer (JANUS_AGENT (self), self->ids[0]);
      self->counts[0] = janus_agent_get_timer_count (JANUS_AGENT (self));
    }
  return JANUS_LIVE_WAIT;
}

/* Cancelling a timer that ran: FALSE; its destroy ran once, right after
 * it. */
static void
test_cancel_after_run (void)
{
  Fixture f;
  TimerAgent *agent;

  fixture_init (&f, 0, janus_clock_new_virtual (0, 0));
  agent = timer_launch_new (&f, set_one_keep_id, cancel_after_run_live);
  step_all (&f);
  assert_timeline (&f, "live@0 x@100 live@100");
  g_assert_false (agent->results[0]);
  g_assert_cmpuint (agent->counts[0], ==, 0);
  g_assert_cmpuint (agent->counts[1], ==, 1);
  fixture_kernel_done (&f);
  g_assert_cmpstr (f.destroyed->str, ==, "x");
  fixture_clear (&f);
  g_object_unref (agent);
}

static JanusLive
cancel_unknown_live (TimerAgent *self)
{
  JanusAgent *agent = JANUS_AGENT (self);
  TimerAgent *other = self->data;

  log_add (self->f, "live");
  if (self->n_live == 1)
    {
      self->results[0] = janus_agent_cancel_timer (agent, 0);
      self->results[1] = janus_agent_cancel_timer (agent, self->ids[0] + 1000000);
      /* another agent's timer is not ours to cancel */
      self->results[2] = janus_agent_cancel_timer (agent, other->ids[0]);
      self->counts[0] = janus_agent_get_timer_count (agent);
    }
  return JANUS_LIVE_WAIT;
}

/* Unknown ids (0, never given, another agent's timer): FALSE, nothing
 * cancelled. */
static void
test_cancel_unknown (void)
{
  Fixture f;
  TimerAgent *owner, *agent;

  fixture_init (&f, 0, janus_clock_new_virtual (0, 0));
  owner = timer_agent_new (&f, set_one_keep_id, quiet_live);
  agent = timer_agent_new (&f, set_one_keep_id, cancel_unknown_live);
  agent->data = owner;
  launch_ok (f.kernel, owner, NULL, NULL);
  launch_ok (f.kernel, agent, NULL, NULL);
  step_all (&f);
  g_assert_false (agent->results[0]);
  g_assert_false (agent->results[1]);
  g_assert_false (agent->results[2]);
  g_assert_cmpuint (agent->counts[0], ==, 1);
  assert_timeline (&f, "live@0 x@100 x@100 live@100");
  fixture_clear (&f);
  g_object_unref (owner);
  g_object_unref (agent);
}

static void
cancel_partner (TimerAgent *self,
                TimerData  *td)
{
  self->results[0] = janus_agent_cancel_timer (JANUS_AGENT (self), self->ids[1]);
  self->counts[0] = janus_agent_get_timer_count (JANUS_AGENT (self));
}

static void
set_pair_same_due (TimerAgent *self)
{
  self->ids[0] = add_timer (self, 100, "first", cancel_partner);
  self->ids[1] = add_timer (self, 100, "second", NULL);
}

/* A timer due in the same step as another cancels it from its callback:
 * TRUE, and the other does not run (it was due, not run), destroyed once. */
static void
test_cancel_due_in_same_step (void)
{
  Fixture f;
  TimerAgent *agent;

  fixture_init (&f, 0, janus_clock_new_virtual (0, 0));
  agent = timer_launch_new (&f, set_pair_same_due, NULL);
  step_all (&f);
  g_assert_true (agent->results[0]);
  g_assert_cmpuint (agent->counts[0], ==, 0);
  assert_timeline (&f, "live@0 first@100 live@100");
  fixture_kernel_done (&f);
  g_assert_cmpuint (count_word (f.destroyed, "first"), ==, 1);
  g_assert_cmpuint (count_word (f.destroyed, "second"), ==, 1);
  fixture_clear (&f);
  g_object_unref (agent);
}

static void
set_5000_keep_id (TimerAgent *self)
{
  self->ids[0] = add_timer (self, 5000, "x", NULL);
}

static JanusLive
cancel_only_live (TimerAgent *self)
{
  log_add (self->f, "live");
  self->results[0] = janus_agent_cancel_timer (JANUS_AGENT (self), self->ids[0]);
  return JANUS_LIVE_WAIT;
}

/* A cancelled timer is not pending: step reports nothing left to do and
 * does not jump the clock to it. */
static void
test_cancel_no_jump (void)
{
  Fixture f;
  TimerAgent *agent;

  fixture_init (&f, 0, janus_clock_new_virtual (0, 0));
  agent = timer_launch_new (&f, set_5000_keep_id, cancel_only_live);
  g_assert_false (janus_kernel_step (f.kernel));
  g_assert_true (agent->results[0]);
  g_assert_false (janus_kernel_step (f.kernel));
  g_assert_cmpint (janus_kernel_get_time (f.kernel), ==, 0);
  assert_timeline (&f, "live@0");
  g_assert_cmpstr (f.destroyed->str, ==, "x");
  fixture_clear (&f);
  g_object_unref (agent);
}

/* ----------------------------------------------------------- timer count */

static void
count_in_activate (TimerAgent *self)
{
  JanusAgent *agent = JANUS_AGENT (self);

  self->counts[0] = janus_agent_get_timer_count (agent);
  self->ids[0] = add_timer (self, 100, "a", NULL);
  self->ids[1] = add_timer (self, 200, "b", NULL);
  self->ids[2] = add_timer (self, 300, "c", NULL);
  self->counts[1] = janus_agent_get_timer_count (agent);
}

static JanusLive
count_live (TimerAgent *self)
{
  JanusAgent *agent = JANUS_AGENT (self);

  switch (self->n_live)
    {
    case 1:
      janus_agent_cancel_timer (agent, self->ids[2]);
      self->counts[2] = janus_agent_get_timer_count (agent);
      break;
    case 2:                     /* a ran */
      self->counts[3] = janus_agent_get_timer_count (agent);
      /* a sleep counts too */
      janus_agent_sleep (agent, 1000);
      self->counts[4] = janus_agent_get_timer_count (agent);
      break;
    default:
      self->counts[5] = janus_agent_get_timer_count (agent);
      break;
    }
  return JANUS_LIVE_WAIT;
}

/* get_timer_count: pending timers, a sleep included; not the ones that
 * ran or were cancelled. */
static void
test_timer_count (void)
{
  Fixture f;
  TimerAgent *agent;

  fixture_init (&f, 0, janus_clock_new_virtual (0, 0));
  agent = timer_launch_new (&f, count_in_activate, count_live);
  step_all (&f);
  g_assert_cmpuint (agent->counts[0], ==, 0);
  g_assert_cmpuint (agent->counts[1], ==, 3);
  g_assert_cmpuint (agent->counts[2], ==, 2);
  g_assert_cmpuint (agent->counts[3], ==, 1);
  g_assert_cmpuint (agent->counts[4], ==, 2);
  /* the third live is at the end of the sleep (b ran during it) */
  g_assert_cmpuint (agent->n_live, ==, 3);
  g_assert_cmpuint (agent->counts[5], ==, 0);
  assert_timeline (&f, "a@100 b@200");
  fixture_clear (&f);
  g_object_unref (agent);
}

/* -------------------------------------------- timers, live and messages */

static void
set_one_500 (TimerAgent *self)
{
  add_timer (self, 500, "t", NULL);
}

/* A waiting agent is made runnable by its timer: the timer runs first,
 * then live, in the same step; a message arriving in the meantime is seen
 * by that live, not earlier than it arrived. */
static void
test_timer_wakes_waiting_agent (void)
{
  Fixture f;
  TimerAgent *agent;
  guint i;

  fixture_init (&f, 0, janus_clock_new_virtual (0, 100));
  agent = timer_launch_new (&f, set_one_500, NULL);
  for (i = 0; i < 5; i++)
    g_assert_true (janus_kernel_step (f.kernel));
  assert_timeline (&f, "live@0");
  g_assert_cmpuint (agent->n_live, ==, 1);
  /* at 500: a message arrives before the step; the timer is due too */
  kernel_send (&f, agent, "hello");
  g_assert_false (janus_kernel_step (f.kernel));
  assert_timeline (&f, "live@0 t@500 live:1@500");
  g_assert_cmpuint (agent->n_live, ==, 2);
  fixture_clear (&f);
  g_object_unref (agent);
}

static JanusLive
again_three_live (TimerAgent *self)
{
  log_add (self->f, "live");
  return self->n_live < 3 ? JANUS_LIVE_AGAIN : JANUS_LIVE_WAIT;
}

static void
set_zero_delay (TimerAgent *self)
{
  add_timer (self, 0, "zero", NULL);
}

/* A timer due now runs at the start of the agent's next step, before live,
 * also for an agent that keeps running (AGAIN). */
static void
test_timer_zero_delay (void)
{
  Fixture f;
  TimerAgent *agent;

  fixture_init (&f, 0, janus_clock_new_virtual (0, 10));
  agent = timer_launch_new (&f, set_zero_delay, again_three_live);
  step_all (&f);
  assert_timeline (&f, "live@0 zero@10 live@10 live@20");
  fixture_clear (&f);
  g_object_unref (agent);
}

static void
set_nested (TimerAgent *self,
            TimerData  *td)
{
  add_timer (self, 250, "b", NULL);
  add_timer (self, 0, "c", NULL);
}

static void
set_first_of_nested (TimerAgent *self)
{
  add_timer (self, 100, "a", set_nested);
}

/* A timer set from a timer's callback runs later (not in the step that
 * set it, even with delay 0). */
static void
test_timer_from_timer (void)
{
  Fixture f;
  TimerAgent *agent;

  fixture_init (&f, 0, janus_clock_new_virtual (0, 0));
  agent = timer_launch_new (&f, set_first_of_nested, NULL);
  step_all (&f);
  assert_timeline (&f, "live@0 a@100 live@100 c@100 live@100 b@350 live@350");
  g_assert_cmpstr (f.destroyed->str, ==, "a c b");
  fixture_clear (&f);
  g_object_unref (agent);
}

/* ------------------------------------------------------ the agent died */

static void
set_three (TimerAgent *self)
{
  add_timer (self, 100, "a", NULL);
  add_timer (self, 200, "b", NULL);
  add_timer (self, 300, "c", NULL);
}

/* Killed while its timers are pending: they never run, each is destroyed
 * once, and nothing is left pending. */
static void
test_dead_agent_killed (void)
{
  Fixture f;
  TimerAgent *agent;

  fixture_init (&f, 0, janus_clock_new_virtual (0, 0));
  agent = timer_launch_new (&f, set_three, NULL);
  g_assert_true (janus_kernel_step (f.kernel));
  g_assert_true (janus_kernel_kill (f.kernel, JANUS_AGENT (agent), NULL));
  step_all (&f);
  g_assert_cmpint (janus_agent_get_state (JANUS_AGENT (agent)), ==, JANUS_AGENT_STATE_DIED);
  g_assert_cmpuint (agent->n_end, ==, 1);
  /* no jump to a dead agent's timer */
  g_assert_false (janus_kernel_step (f.kernel));
  g_assert_cmpint (janus_kernel_get_time (f.kernel), ==, 0);
  assert_timeline (&f, "live@0");
  fixture_kernel_done (&f);
  g_assert_cmpuint (count_word (f.destroyed, "a"), ==, 1);
  g_assert_cmpuint (count_word (f.destroyed, "b"), ==, 1);
  g_assert_cmpuint (count_word (f.destroyed, "c"), ==, 1);
  g_assert_cmpint (atomic_load (&f.n_destroyed), ==, 3);
  fixture_clear (&f);
  g_object_unref (agent);
}

static void
kill_me_then (TimerAgent *self,
              TimerData  *td)
{
  janus_agent_kill_me (JANUS_AGENT (self));
}

static void
set_killer (TimerAgent *self)
{
  add_timer (self, 100, "killer", kill_me_then);
  add_timer (self, 200, "later", NULL);
  add_timer (self, 5000, "much-later", NULL);
}

/* An agent that kills itself from a timer: its later timers never run. */
static void
test_dead_agent_kill_me_in_timer (void)
{
  Fixture f;
  TimerAgent *agent;

  fixture_init (&f, 0, janus_clock_new_virtual (0, 0));
  agent = timer_launch_new (&f, set_killer, quiet_live);
  step_all (&f);
  g_assert_cmpint (janus_agent_get_state (JANUS_AGENT (agent)), ==, JANUS_AGENT_STATE_DIED);
  assert_timeline (&f, "killer@100");
  g_assert_cmpint (janus_kernel_get_time (f.kernel), ==, 100);
  fixture_kernel_done (&f);
  g_assert_cmpint (atomic_load (&f.n_destroyed), ==, 3);
  g_assert_cmpuint (count_word (f.destroyed, "later"), ==, 1);
  g_assert_cmpuint (count_word (f.destroyed, "much-later"), ==, 1);
  fixture_clear (&f);
  g_object_unref (agent);
}

static void
set_timer_in_end (TimerAgent *self)
{
  self->ids[0] = add_timer (self, 0, "from-end", NULL);
  self->counts[0] = janus_agent_get_timer_count (JANUS_AGENT (self));
}

static JanusLive
done_live (TimerAgent *self)
{
  add_timer (self, 50, "pending-at-done", NULL);
  return JANUS_LIVE_DONE;
}

/* Timers pending when live returns DONE, or set in end: never run,
 * destroyed once. */
static void
test_dead_agent_done_and_end (void)
{
  Fixture f;
  TimerAgent *agent;

  fixture_init (&f, 0, janus_clock_new_virtual (0, 0));
  agent = timer_agent_new (&f, NULL, done_live);
  agent->on_end = set_timer_in_end;
  launch_ok (f.kernel, agent, NULL, NULL);
  step_all (&f);
  g_assert_cmpint (janus_agent_get_state (JANUS_AGENT (agent)), ==, JANUS_AGENT_STATE_DIED);
  g_assert_cmpuint (agent->ids[0], !=, 0);
  g_assert_cmpuint (agent->counts[0], ==, 2);
  assert_timeline (&f, "");
  g_assert_cmpint (janus_kernel_get_time (f.kernel), ==, 0);
  fixture_kernel_done (&f);
  g_assert_cmpuint (count_word (f.destroyed, "pending-at-done"), ==, 1);
  g_assert_cmpuint (count_word (f.destroyed, "from-end"), ==, 1);
  fixture_clear (&f);
  g_object_unref (agent);
}

/* Many agents with many timers die at once (kernel shutdown): every
 * destroy runs exactly once, none of the timers runs. */
static void
set_many (TimerAgent *self)
{
  guint i;

  for (i = 0; i < 50; i++)
    add_timer (self, 1000 + (i % 7) * 100, "m", NULL);
}

static void
test_dead_agent_shutdown_many (void)
{
  Fixture f;
  GPtrArray *agents = g_ptr_array_new_with_free_func (g_object_unref);
  guint i, n = test_small () ? 10 : 100;

  fixture_init (&f, 0, janus_clock_new_virtual (0, 0));
  for (i = 0; i < n; i++)
    g_ptr_array_add (agents, timer_launch_new (&f, set_many, quiet_live));
  g_assert_true (janus_kernel_step (f.kernel));
  g_assert_cmpint (atomic_load (&f.n_destroyed), ==, 0);
  fixture_kernel_done (&f);
  g_assert_cmpint (atomic_load (&f.n_destroyed), ==, 50 * n);
  assert_timeline (&f, "");
  fixture_clear (&f);
  g_ptr_array_unref (agents);
}

/* ---------------------------------------------------------------- sleep */

static void
note_sleeping (TimerAgent *self,
               TimerData  *td)
{
  log_add (self->f, td->sleeping ? "sleeping" : "awake");
}

static JanusLive
sleep_live (TimerAgent *self)
{
  JanusAgent *agent = JANUS_AGENT (self);
  JanusLive first = GPOINTER_TO_INT (self->data);
  guint n = drain (self);
  g_autofree char *what = g_strdup_printf ("live:%u:%s", n,
                                           janus_agent_is_sleeping (agent) ? "sleeping" : "awake");

  log_add (self->f, what);
  if (self->n_live == 1)
    {
      add_timer (self, 2000, "t", note_sleeping);
      janus_agent_sleep (agent, 5000);
      self->results[0] = janus_agent_is_sleeping (agent);
      return first;
    }
  return JANUS_LIVE_WAIT;
}

/* A light agent sleeping 5000 µs: live is not called while it sleeps, even
 * when messages arrive (or when it returned AGAIN); its timers still run
 * (is_sleeping TRUE there); at the end its live sees every message. */
static void
test_sleep_light (gconstpointer data)
{
  Fixture f;
  TimerAgent *agent;
  guint i;

  fixture_init (&f, 0, janus_clock_new_virtual (0, 1000));
  agent = timer_agent_new (&f, NULL, sleep_live);
  agent->data = (gpointer) data;
  launch_ok (f.kernel, agent, NULL, NULL);
  for (i = 0; i < 5; i++)
    {
      /* at 1000 and 3000 */
      if (i == 1 || i == 3)
        kernel_send (&f, agent, "wake up?");
      g_assert_true (janus_kernel_step (f.kernel));
    }
  g_assert_cmpint (janus_kernel_get_time (f.kernel), ==, 5000);
  assert_timeline (&f, "live:0:awake@0 t@2000 sleeping@2000");
  g_assert_true (agent->results[0]);
  g_assert_cmpuint (agent->n_live, ==, 1);

  janus_kernel_step (f.kernel);
  assert_timeline (&f, "live:0:awake@0 t@2000 sleeping@2000 live:2:awake@5000");
  g_assert_cmpuint (agent->n_live, ==, 2);
  g_assert_false (janus_kernel_step (f.kernel));
  fixture_clear (&f);
  g_object_unref (agent);
}

static JanusLive
resleep_live (TimerAgent *self)
{
  JanusAgent *agent = JANUS_AGENT (self);

  log_add (self->f, "live");
  if (self->n_live == 1)
    {
      janus_agent_sleep (agent, 10000);
      janus_agent_sleep (agent, 1000);
      self->counts[0] = janus_agent_get_timer_count (agent);
    }
  else
    self->results[0] = janus_agent_is_sleeping (agent);
  return JANUS_LIVE_WAIT;
}

/* Sleeping again replaces the sleep: woken after the second duration,
 * never again for the first one. */
static void
test_sleep_replace (void)
{
  Fixture f;
  TimerAgent *agent;

  fixture_init (&f, 0, janus_clock_new_virtual (0, 0));
  agent = timer_launch_new (&f, NULL, resleep_live);
  step_all (&f);
  assert_timeline (&f, "live@0 live@1000");
  g_assert_cmpuint (agent->counts[0], ==, 1);
  g_assert_false (agent->results[0]);
  g_assert_cmpint (janus_kernel_get_time (f.kernel), ==, 1000);
  fixture_clear (&f);
  g_object_unref (agent);
}

static JanusLive
sleep_long_live (TimerAgent *self)
{
  log_add (self->f, "live");
  janus_agent_sleep (JANUS_AGENT (self), 1000000);
  return JANUS_LIVE_WAIT;
}

/* Killing a sleeping agent: it dies now (end runs, live does not). */
static void
test_sleep_kill (void)
{
  Fixture f;
  TimerAgent *agent;

  fixture_init (&f, 0, janus_clock_new_virtual (0, 0));
  agent = timer_launch_new (&f, NULL, sleep_long_live);
  g_assert_true (janus_kernel_step (f.kernel));
  g_assert_true (janus_kernel_kill (f.kernel, JANUS_AGENT (agent), NULL));
  step_all (&f);
  g_assert_cmpint (janus_agent_get_state (JANUS_AGENT (agent)), ==, JANUS_AGENT_STATE_DIED);
  g_assert_cmpuint (agent->n_end, ==, 1);
  assert_timeline (&f, "live@0");
  g_assert_cmpint (janus_kernel_get_time (f.kernel), ==, 0);
  fixture_clear (&f);
  g_object_unref (agent);
}

/* ----------------------------------------------------- step and the clock */

static void
set_2500 (TimerAgent *self)
{
  add_timer (self, 2500, "t", NULL);
}

/* A stepped clock (1000 per step): a timer due at 2500 fires in the step
 * where the time reached it (the 4th, at 3000); step returns TRUE while it
 * is pending even though the agent waits. */
static void
test_step_stepped_clock (void)
{
  Fixture f;
  TimerAgent *agent;
  guint i;

  fixture_init (&f, 0, janus_clock_new_virtual (0, 1000));
  agent = timer_launch_new (&f, set_2500, NULL);
  for (i = 1; i <= 3; i++)
    {
      g_assert_true (janus_kernel_step (f.kernel));
      g_assert_cmpint (janus_kernel_get_time (f.kernel), ==, i * 1000);
      assert_timeline (&f, "live@0");
    }
  g_assert_false (janus_kernel_step (f.kernel));
  assert_timeline (&f, "live@0 t@3000 live@3000");
  g_assert_cmpint (janus_kernel_get_time (f.kernel), ==, 4000);
  fixture_clear (&f);
  g_object_unref (agent);
}

static void
set_7777 (TimerAgent *self)
{
  add_timer (self, 7777, "t", NULL);
}

/* Clock step 0: a step with nothing runnable jumps to the next timer. */
static void
test_step_jumps_to_next_timer (void)
{
  Fixture f;
  TimerAgent *agent;

  fixture_init (&f, 0, janus_clock_new_virtual (0, 0));
  agent = timer_launch_new (&f, set_7777, NULL);
  g_assert_true (janus_kernel_step (f.kernel));
  g_assert_cmpint (janus_kernel_get_time (f.kernel), ==, 0);
  g_assert_false (janus_kernel_step (f.kernel));
  g_assert_cmpint (janus_kernel_get_time (f.kernel), ==, 7777);
  assert_timeline (&f, "live@0 t@7777 live@7777");
  /* nothing left: no more jumps */
  g_assert_false (janus_kernel_step (f.kernel));
  g_assert_cmpint (janus_kernel_get_time (f.kernel), ==, 7777);
  fixture_clear (&f);
  g_object_unref (agent);
}

/* A runnable agent keeps the clock (step 0) where it is: no jump while
 * something is runnable. */
static void
test_step_no_jump_while_runnable (void)
{
  Fixture f;
  TimerAgent *agent;

  fixture_init (&f, 0, janus_clock_new_virtual (0, 0));
  agent = timer_launch_new (&f, set_7777, again_three_live);
  step_all (&f);
  assert_timeline (&f, "live@0 live@0 live@0 t@7777 live@7777");
  fixture_clear (&f);
  g_object_unref (agent);
}

/* ------------------------------------------------- long simulated run */

#define HOUR_USEC (G_GINT64_CONSTANT (3600) * G_USEC_PER_SEC)

typedef struct
{
  GArray *times;                /* gint64: the kernel time of every firing */
  guint   late;                 /* firings not at their due time */
  GRand  *rand;
} HourLog;

static void hour_tick (JanusAgent *agent, gpointer data);

static void
hour_schedule (TimerAgent *self)
{
  HourLog *h = self->data;
  gint64 now = janus_kernel_get_time (janus_agent_get_kernel (JANUS_AGENT (self)));
  gint64 delay = g_rand_int_range (h->rand, 1, 121) * G_USEC_PER_SEC;
  gint64 *due = g_new (gint64, 1);

  *due = now + delay;
  if (*due < HOUR_USEC)
    janus_agent_call_in (JANUS_AGENT (self), delay, hour_tick, due, g_free);
  else
    g_free (due);
}

static void
hour_tick (JanusAgent *agent,
           gpointer    data)
{
  TimerAgent *self = TIMER_AGENT (agent);
  HourLog *h = self->data;
  gint64 now = janus_kernel_get_time (janus_agent_get_kernel (agent));

  h->late += now != *(gint64 *) data;
  g_array_append_val (h->times, now);
  hour_schedule (self);
}

static void
hour_stop (JanusAgent *agent,
           gpointer    data)
{
  janus_agent_kill_me (agent);
}

static void
hour_activate (TimerAgent *self)
{
  hour_schedule (self);
  janus_agent_call_at (JANUS_AGENT (self), HOUR_USEC, hour_stop, NULL, NULL);
}

/* janus_kernel_run with a virtual clock runs an hour of timers (20
 * agents, random delays of 1 to 120 s) in no real time: each at its due
 * time, in time order, and returns when the agents are gone. */
static void
test_run_simulated_hour (void)
{
  Fixture f;
  HourLog h = { g_array_new (FALSE, FALSE, sizeof (gint64)), 0, g_rand_new_with_seed (42) };
  GPtrArray *agents = g_ptr_array_new_with_free_func (g_object_unref);
  gint64 start;
  guint i;

  fixture_init (&f, 0, janus_clock_new_virtual (0, 0));
  for (i = 0; i < 20; i++)
    {
      TimerAgent *agent = timer_agent_new (&f, hour_activate, quiet_live);
      agent->data = &h;
      launch_ok (f.kernel, agent, NULL, NULL);
      g_ptr_array_add (agents, agent);
    }
  start = g_get_monotonic_time ();
  janus_kernel_run (f.kernel);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);

  g_assert_cmpint (janus_kernel_get_time (f.kernel), ==, HOUR_USEC);
  g_assert_cmpuint (janus_kernel_get_agent_count (f.kernel), ==, 0);
  /* about 20 * 3600 / 60 firings */
  g_assert_cmpuint (h.times->len, >, 600);
  g_assert_cmpuint (h.late, ==, 0);
  for (i = 1; i < h.times->len; i++)
    g_assert_cmpint (g_array_index (h.times, gint64, i - 1), <=, g_array_index (h.times, gint64, i));
  for (i = 0; i < agents->len; i++)
    g_assert_cmpuint (TIMER_AGENT (agents->pdata[i])->n_end, ==, 1);

  fixture_clear (&f);
  g_ptr_array_unref (agents);
  g_array_unref (h.times);
  g_rand_free (h.rand);
}

/* ------------------------------------- timers set from the driving thread */

static void
set_500_in_step (TimerAgent *self)
{
  add_timer (self, 500, "from-step", NULL);
}

/* On a 0-worker kernel the driving thread may set an agent's timers
 * between steps (the owner check accepts it). Timers due in the same step
 * must still run in due order, wherever they were set: here one set by the
 * driver is due at 300, one set in the agent's step at 500, both due at the
 * step at 1000 (due timers from the worker's heap and from the kernel's
 * shared heap are merged in due order before they run). */
static void
test_order_driver_and_step (void)
{
  Fixture f;
  TimerAgent *agent;

  fixture_init (&f, 0, janus_clock_new_virtual (0, 1000));
  agent = timer_launch_new (&f, set_500_in_step, quiet_live);
  janus_agent_call_in (JANUS_AGENT (agent), 300, timer_log,
                       timer_data_new (&f, "from-driver", NULL), timer_data_free);
  step_all (&f);
  assert_timeline (&f, "from-driver@1000 from-step@1000");
  fixture_clear (&f);
  g_object_unref (agent);
}

/* ----------------------------------------------------- far future */

static void
set_far_future (TimerAgent *self)
{
  add_timer (self, G_MAXINT64, "never", NULL);
  add_timer (self, G_MAXINT64 - 1000, "never-either", NULL);
}

/* A delay as large as it gets means "not in this simulation": it must not
 * fire at the next step (now + delay saturates instead of overflowing to a
 * negative due time). */
static void
test_far_future_call_in (void)
{
  Fixture f;
  TimerAgent *agent;
  guint i;

  fixture_init (&f, 0, janus_clock_new_virtual (1000, 1000));
  agent = timer_launch_new (&f, set_far_future, NULL);
  for (i = 0; i < 5; i++)
    g_assert_true (janus_kernel_step (f.kernel));
  assert_timeline (&f, "live@1000");
  fixture_clear (&f);
  g_object_unref (agent);
}

/* ---------------------------------------------------------- preconditions */

typedef enum {
  CALL_IN,
  CALL_AT,
  CANCEL,
  SLEEP,
} TimerCall;

static void
noop_timer (JanusAgent *agent,
            gpointer    data)
{
}

static void
do_timer_call (JanusAgent *agent,
               TimerCall   call)
{
  switch (call)
    {
    case CALL_IN: janus_agent_call_in (agent, 1000, noop_timer, NULL, NULL); break;
    case CALL_AT: janus_agent_call_at (agent, 1000, noop_timer, NULL, NULL); break;
    case CANCEL: janus_agent_cancel_timer (agent, 1); break;
    case SLEEP: janus_agent_sleep (agent, 1000); break;
    }
}

static void
signal_activated (TimerAgent *self)
{
  Fixture *f = self->f;

  g_mutex_lock (&f->lock);
  self->results[7] = TRUE;
  g_cond_broadcast (&f->cond);
  g_mutex_unlock (&f->lock);
}

/* Timers are set from the agent's own steps: from another thread (the
 * agent runs on a worker) it is a critical. */
static void
test_precondition_other_thread (gconstpointer data)
{
  if (g_test_subprocess ())
    {
      Fixture f;
      TimerAgent *agent;
      gint64 deadline = g_get_monotonic_time () + DEADLINE_USEC;

      fixture_init (&f, 1, NULL);
      agent = timer_launch_new (&f, signal_activated, quiet_live);
      g_mutex_lock (&f.lock);
      while (!agent->results[7] && g_cond_wait_until (&f.cond, &f.lock, deadline))
        ;
      g_mutex_unlock (&f.lock);
      g_assert_true (agent->results[7]);
      do_timer_call (JANUS_AGENT (agent), GPOINTER_TO_INT (data));
      fixture_clear (&f);
      g_object_unref (agent);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*CRITICAL*timers are set from its own steps*");
}

/* ... and an agent that was not launched has no steps. */
static void
test_precondition_unlaunched (gconstpointer data)
{
  if (g_test_subprocess ())
    {
      Fixture f;
      TimerAgent *agent;

      fixture_init (&f, 0, NULL);
      agent = timer_agent_new (&f, NULL, NULL);
      do_timer_call (JANUS_AGENT (agent), GPOINTER_TO_INT (data));
      fixture_clear (&f);
      g_object_unref (agent);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*CRITICAL*is not running*");
}

/* Changing the clock while timers are pending is refused. */
static void
test_precondition_set_clock_with_timers (void)
{
  if (g_test_subprocess ())
    {
      Fixture f;
      TimerAgent *agent;
      g_autoptr(JanusClock) other = janus_clock_new_virtual (0, 0);

      fixture_init (&f, 0, janus_clock_new_virtual (0, 0));
      agent = timer_launch_new (&f, set_7777, NULL);
      janus_kernel_step (f.kernel);
      janus_kernel_set_clock (f.kernel, other);
      fixture_clear (&f);
      g_object_unref (agent);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*CRITICAL*timers_pending*");
}

/* --------------------------------------------------------- real time */

#define REAL_DELAY_USEC (20 * 1000)

static gboolean
wait_destroyed (Fixture *f,
                int      n)
{
  gint64 deadline = g_get_monotonic_time () + DEADLINE_USEC;
  gboolean ok;

  g_mutex_lock (&f->lock);
  while (atomic_load (&f->n_destroyed) < n
         && g_cond_wait_until (&f->cond, &f->lock, deadline))
    ;
  ok = atomic_load (&f->n_destroyed) >= n;
  g_mutex_unlock (&f->lock);
  return ok;
}

static void
record_elapsed (TimerAgent *self,
                TimerData  *td)
{
  Fixture *f = self->f;

  g_mutex_lock (&f->lock);
  self->counts[0]++;
  self->ids[1] = (guint64) (td->fired_mono - (gint64) self->ids[0]);
  g_mutex_unlock (&f->lock);
}

static void
set_real_20ms (TimerAgent *self)
{
  self->ids[0] = (guint64) g_get_monotonic_time ();
  add_timer (self, REAL_DELAY_USEC, "real", record_elapsed);
}

/* Real time on a 2-worker kernel: a 20 ms timer fires once, after at least
 * 20 ms (and well before 5 s). */
static void
test_real_workers_call_in (void)
{
  Fixture f;
  TimerAgent *agent;

  fixture_init (&f, 2, NULL);
  agent = timer_launch_new (&f, set_real_20ms, quiet_live);
  g_assert_true (wait_destroyed (&f, 1));
  g_mutex_lock (&f.lock);
  g_assert_cmpuint (agent->counts[0], ==, 1);
  g_assert_cmpuint (agent->ids[1], >=, REAL_DELAY_USEC);
  g_assert_cmpuint (agent->ids[1], <, 5 * G_USEC_PER_SEC);
  g_mutex_unlock (&f.lock);
  fixture_clear (&f);
  g_object_unref (agent);
}

static void
fired_on_clock (TimerAgent *self,
                TimerData  *td)
{
  g_mutex_lock (&self->f->lock);
  self->counts[0]++;
  g_mutex_unlock (&self->f->lock);
}

static void
set_virtual_1000 (TimerAgent *self)
{
  add_timer (self, 1000, "v", fired_on_clock);
  signal_activated (self);
}

/* Workers and a virtual clock: the timer fires when another thread moves
 * the clock, not before. */
static void
test_workers_virtual_clock (void)
{
  Fixture f;
  TimerAgent *agent;
  gint64 deadline = g_get_monotonic_time () + DEADLINE_USEC;

  fixture_init (&f, 2, janus_clock_new_virtual (0, 0));
  agent = timer_launch_new (&f, set_virtual_1000, quiet_live);
  g_mutex_lock (&f.lock);
  while (!agent->results[7] && g_cond_wait_until (&f.cond, &f.lock, deadline))
    ;
  g_assert_true (agent->results[7]);
  g_assert_cmpuint (agent->counts[0], ==, 0);
  g_mutex_unlock (&f.lock);

  g_assert_true (janus_clock_set_time (f.clock, 999, NULL));
  g_assert_true (janus_clock_set_time (f.clock, 1000, NULL));
  g_assert_true (wait_destroyed (&f, 1));
  g_mutex_lock (&f.lock);
  g_assert_cmpuint (agent->counts[0], ==, 1);
  g_assert_cmpstr (f.log->str, ==, "v@1000");
  g_mutex_unlock (&f.lock);
  fixture_clear (&f);
  g_object_unref (agent);
}

/* A heavy agent: call_in ends its wait_message (NULL) when due, the timer
 * runs before its next live; sleep blocks its thread for the duration. */
static JanusLive
heavy_live (TimerAgent *self)
{
  JanusAgent *agent = JANUS_AGENT (self);
  gint64 t0;

  if (self->n_live == 1)
    {
      JanusMessage *m;

      t0 = g_get_monotonic_time ();
      self->ids[0] = (guint64) t0;
      add_timer (self, REAL_DELAY_USEC, "heavy", record_elapsed);
      m = janus_agent_wait_message (agent, DEADLINE_USEC);
      self->results[0] = m == NULL;
      g_clear_pointer (&m, janus_message_unref);
      self->ids[2] = (guint64) (g_get_monotonic_time () - t0);
      return JANUS_LIVE_AGAIN;
    }
  /* the timer ran before this live */
  self->results[1] = self->counts[0] == 1;
  t0 = g_get_monotonic_time ();
  janus_agent_sleep (agent, REAL_DELAY_USEC);
  self->ids[3] = (guint64) (g_get_monotonic_time () - t0);
  self->results[2] = janus_agent_is_sleeping (agent);
  return JANUS_LIVE_DONE;
}

typedef struct
{
  Fixture    *f;
  JanusAgent *agent;
  gboolean    done;
  gboolean    fired;
} Watchdog;

/* Kills the agent if the test is not done in time (a kill ends a sleep). */
static gpointer
watchdog_thread (gpointer data)
{
  Watchdog *w = data;
  gint64 deadline = g_get_monotonic_time () + DEADLINE_USEC;

  g_mutex_lock (&w->f->lock);
  while (!w->done && g_cond_wait_until (&w->f->cond, &w->f->lock, deadline))
    ;
  if (!w->done)
    {
      w->fired = TRUE;
      g_mutex_unlock (&w->f->lock);
      janus_kernel_kill (w->f->kernel, w->agent, NULL);
      return NULL;
    }
  g_mutex_unlock (&w->f->lock);
  return NULL;
}

static void
test_real_heavy_call_in_and_sleep (void)
{
  Fixture f;
  TimerAgent *agent;
  g_autoptr(GError) error = NULL;
  Watchdog w = { &f };
  GThread *thread;

  fixture_init (&f, 1, NULL);
  agent = timer_agent_new (&f, NULL, heavy_live);
  w.agent = JANUS_AGENT (agent);
  g_assert_true (janus_kernel_launch_heavy_agent (f.kernel, JANUS_AGENT (agent), NULL, NULL, &error));
  g_assert_no_error (error);
  thread = g_thread_new ("watchdog", watchdog_thread, &w);
  janus_kernel_run (f.kernel);
  g_mutex_lock (&f.lock);
  w.done = TRUE;
  g_cond_broadcast (&f.cond);
  g_mutex_unlock (&f.lock);
  g_thread_join (thread);

  g_assert_false (w.fired);
  g_assert_cmpint (janus_agent_get_state (JANUS_AGENT (agent)), ==, JANUS_AGENT_STATE_DIED);
  g_assert_true (agent->results[0]);            /* wait_message ended with NULL */
  g_assert_cmpuint (agent->ids[2], >=, REAL_DELAY_USEC);
  g_assert_cmpuint (agent->ids[2], <, 5 * G_USEC_PER_SEC);
  g_assert_cmpuint (agent->counts[0], ==, 1);   /* the timer ran once */
  g_assert_cmpuint (agent->ids[1], >=, REAL_DELAY_USEC);
  g_assert_true (agent->results[1]);            /* ... before the second live */
  g_assert_cmpuint (agent->ids[3], >=, REAL_DELAY_USEC);   /* sleep blocked */
  g_assert_cmpuint (agent->ids[3], <, 5 * G_USEC_PER_SEC);
  g_assert_false (agent->results[2]);
  g_assert_cmpuint (agent->n_live, ==, 2);
  fixture_clear (&f);
  g_object_unref (agent);
}

/* 0 workers driven by a GMainContext source: a real 20 ms timer fires and
 * its callback quits the loop (a 10 s timeout source bounds the test). */
typedef struct
{
  GMainLoop *loop;
  gboolean   timed_out;
} LoopData;

static void
quit_loop (TimerAgent *self,
           TimerData  *td)
{
  record_elapsed (self, td);
  g_main_loop_quit (((LoopData *) self->data)->loop);
}

static void
set_real_quit (TimerAgent *self)
{
  self->ids[0] = (guint64) g_get_monotonic_time ();
  add_timer (self, REAL_DELAY_USEC, "loop", quit_loop);
}

static gboolean
on_loop_timeout (gpointer data)
{
  LoopData *d = data;

  d->timed_out = TRUE;
  g_main_loop_quit (d->loop);
  return G_SOURCE_REMOVE;
}

static void
test_real_main_context_source (void)
{
  Fixture f;
  TimerAgent *agent;
  GMainContext *context = g_main_context_new ();
  LoopData d = { g_main_loop_new (context, FALSE), FALSE };
  GSource *source, *timeout;

  fixture_init (&f, 0, NULL);
  source = janus_kernel_create_source (f.kernel);
  g_source_attach (source, context);
  timeout = g_timeout_source_new (DEADLINE_USEC / 1000);
  g_source_set_callback (timeout, on_loop_timeout, &d, NULL);
  g_source_attach (timeout, context);

  agent = timer_agent_new (&f, set_real_quit, quiet_live);
  agent->data = &d;
  launch_ok (f.kernel, agent, NULL, NULL);
  g_main_loop_run (d.loop);

  g_assert_false (d.timed_out);
  g_assert_cmpuint (agent->counts[0], ==, 1);
  g_assert_cmpuint (agent->ids[1], >=, REAL_DELAY_USEC);
  g_assert_cmpuint (agent->ids[1], <, 5 * G_USEC_PER_SEC);

  g_source_destroy (timeout);
  g_source_unref (timeout);
  g_source_destroy (source);
  g_source_unref (source);
  fixture_clear (&f);
  g_object_unref (agent);
  g_main_loop_unref (d.loop);
  g_main_context_unref (context);
}

static void
set_real_call_at (TimerAgent *self)
{
  JanusKernel *kernel = janus_agent_get_kernel (JANUS_AGENT (self));

  self->ids[0] = (guint64) g_get_monotonic_time ();
  /* wall-clock time: the kernel translates it to its monotonic timers */
  janus_agent_call_at (JANUS_AGENT (self), janus_kernel_get_time (kernel) + REAL_DELAY_USEC,
                       timer_log, timer_data_new (self->f, "at", record_elapsed), timer_data_free);
}

/* call_at on the real clock: fires once, about 20 ms later. */
static void
test_real_workers_call_at (void)
{
  Fixture f;
  TimerAgent *agent;

  fixture_init (&f, 2, NULL);
  agent = timer_launch_new (&f, set_real_call_at, quiet_live);
  g_assert_true (wait_destroyed (&f, 1));
  g_mutex_lock (&f.lock);
  g_assert_cmpuint (agent->counts[0], ==, 1);
  /* the wall clock may be a little coarser than the monotonic one */
  g_assert_cmpuint (agent->ids[1], >=, REAL_DELAY_USEC - 2000);
  g_assert_cmpuint (agent->ids[1], <, 5 * G_USEC_PER_SEC);
  g_mutex_unlock (&f.lock);
  fixture_clear (&f);
  g_object_unref (agent);
}

static JanusLive
heavy_sleep_forever_live (TimerAgent *self)
{
  signal_activated (self);
  janus_agent_sleep (JANUS_AGENT (self), G_GINT64_CONSTANT (3600) * G_USEC_PER_SEC);
  self->results[0] = TRUE;      /* the sleep ended */
  return JANUS_LIVE_WAIT;
}

/* A heavy agent sleeping for an hour: a kill ends the sleep, the agent
 * dies (end runs once) and run returns. */
static void
test_real_heavy_sleep_kill (void)
{
  Fixture f;
  TimerAgent *agent;
  g_autoptr(GError) error = NULL;
  gint64 deadline = g_get_monotonic_time () + DEADLINE_USEC, start;

  fixture_init (&f, 1, NULL);
  agent = timer_agent_new (&f, NULL, heavy_sleep_forever_live);
  g_assert_true (janus_kernel_launch_heavy_agent (f.kernel, JANUS_AGENT (agent), NULL, NULL, &error));
  g_assert_no_error (error);
  g_mutex_lock (&f.lock);
  while (!agent->results[7] && g_cond_wait_until (&f.cond, &f.lock, deadline))
    ;
  g_assert_true (agent->results[7]);
  g_mutex_unlock (&f.lock);

  start = g_get_monotonic_time ();
  g_assert_true (janus_kernel_kill (f.kernel, JANUS_AGENT (agent), NULL));
  janus_kernel_run (f.kernel);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);
  g_assert_cmpint (janus_agent_get_state (JANUS_AGENT (agent)), ==, JANUS_AGENT_STATE_DIED);
  g_assert_cmpuint (agent->n_end, ==, 1);
  g_assert_cmpuint (agent->n_live, ==, 1);
  fixture_clear (&f);
  g_object_unref (agent);
}

/* ------------------------- a virtual clock moved while a main loop runs */

typedef struct
{
  Fixture    *f;
  TimerAgent *agent;
  gboolean    activated;
} Mover;

static gpointer
clock_mover_thread (gpointer data)
{
  Mover *m = data;
  Fixture *f = m->f;
  gint64 deadline = g_get_monotonic_time () + DEADLINE_USEC;

  g_mutex_lock (&f->lock);
  while (!m->agent->results[7] && g_cond_wait_until (&f->cond, &f->lock, deadline))
    ;
  m->activated = m->agent->results[7];
  g_mutex_unlock (&f->lock);
  if (m->activated)
    janus_clock_set_time (f->clock, 1000, NULL);
  return NULL;
}

static void
quit_loop_virtual (TimerAgent *self,
                   TimerData  *td)
{
  g_main_loop_quit (self->data);
}

static void
set_virtual_quit (TimerAgent *self)
{
  add_timer (self, 1000, "v", quit_loop_virtual);
  signal_activated (self);
}

/* 0 workers, driven by a GMainContext, a virtual clock moved by another
 * thread: the context wakes up and the timer runs (a 10 s timeout source
 * bounds the test). */
static void
test_virtual_main_context_clock_move (void)
{
  Fixture f;
  TimerAgent *agent;
  GMainContext *context = g_main_context_new ();
  LoopData d = { g_main_loop_new (context, FALSE), FALSE };
  GSource *source, *timeout;
  Mover m = { &f };
  GThread *thread;

  fixture_init (&f, 0, janus_clock_new_virtual (0, 0));
  source = janus_kernel_create_source (f.kernel);
  g_source_attach (source, context);
  timeout = g_timeout_source_new (DEADLINE_USEC / 1000);
  g_source_set_callback (timeout, on_loop_timeout, &d, NULL);
  g_source_attach (timeout, context);

  agent = timer_agent_new (&f, set_virtual_quit, quiet_live);
  agent->data = d.loop;
  m.agent = agent;
  launch_ok (f.kernel, agent, NULL, NULL);
  thread = g_thread_new ("clock-mover", clock_mover_thread, &m);
  g_main_loop_run (d.loop);
  g_thread_join (thread);

  g_assert_true (m.activated);
  g_assert_false (d.timed_out);
  g_assert_cmpstr (f.log->str, ==, "v@1000");

  g_source_destroy (timeout);
  g_source_unref (timeout);
  g_source_destroy (source);
  g_source_unref (source);
  fixture_clear (&f);
  g_object_unref (agent);
  g_main_loop_unref (d.loop);
  g_main_context_unref (context);
}

/* ------------------------------ a heavy agent's timer, no light agent */

static JanusLive
heavy_timer_alone_live (TimerAgent *self)
{
  Fixture *f = self->f;
  JanusMessage *m;
  gint64 t0 = g_get_monotonic_time ();

  if (self->n_live > 1)
    return JANUS_LIVE_WAIT;
  add_timer (self, REAL_DELAY_USEC, "alone", NULL);
  m = janus_agent_wait_message (JANUS_AGENT (self), 3 * G_USEC_PER_SEC);
  g_clear_pointer (&m, janus_message_unref);
  g_mutex_lock (&f->lock);
  self->ids[2] = (guint64) (g_get_monotonic_time () - t0);
  self->results[0] = TRUE;
  g_cond_broadcast (&f->cond);
  g_mutex_unlock (&f->lock);
  return JANUS_LIVE_AGAIN;
}

/* A kernel with a worker and only a heavy agent, not run (heavy agents
 * need no janus_kernel_run): the agent's timer must fall due, end its
 * wait_message and run (the workers, which fire the heap a heavy agent's
 * timers go to, start with the first heavy agent too). */
static void
test_heavy_timer_without_run (void)
{
  Fixture f;
  TimerAgent *agent;
  g_autoptr(GError) error = NULL;
  gint64 deadline = g_get_monotonic_time () + DEADLINE_USEC;

  fixture_init (&f, 1, NULL);
  agent = timer_agent_new (&f, NULL, heavy_timer_alone_live);
  g_assert_true (janus_kernel_launch_heavy_agent (f.kernel, JANUS_AGENT (agent), NULL, NULL, &error));
  g_assert_no_error (error);
  g_mutex_lock (&f.lock);
  while (!agent->results[0] && g_cond_wait_until (&f.cond, &f.lock, deadline))
    ;
  g_assert_true (agent->results[0]);
  g_assert_cmpuint (agent->ids[2], <, 2 * G_USEC_PER_SEC);
  g_mutex_unlock (&f.lock);
  g_assert_true (wait_destroyed (&f, 1));
  g_mutex_lock (&f.lock);
  g_assert_true (g_str_has_prefix (f.log->str, "alone@"));
  g_mutex_unlock (&f.lock);
  fixture_clear (&f);
  g_object_unref (agent);
}

/* ------------------------------------------------------- role timers */

static GString *role_log;

#define RT_TYPE_ROLE (rt_role_get_type ())
G_DECLARE_FINAL_TYPE (RtRole, rt_role, RT, ROLE, JanusRole)
struct _RtRole { JanusRole parent_instance; guint64 doomed; };
G_DEFINE_FINAL_TYPE (RtRole, rt_role, JANUS_TYPE_ROLE)

static void
rt_log (JanusRole *role,
        gpointer   user_data)
{
  JanusKernel *kernel = janus_agent_get_kernel (janus_role_get_player (role));

  g_assert_true (RT_IS_ROLE (role));
  g_string_append_printf (role_log, "%s@%" G_GINT64_FORMAT " ", (const char *) user_data,
                          janus_kernel_get_time (kernel));
}

static gint rt_destroyed;

static void
rt_destroy (gpointer data)
{
  rt_destroyed++;
}

static gboolean
rt_role_activate (JanusRole *role, GVariant *init, GError **error)
{
  RtRole *self = RT_ROLE (role);

  janus_role_call_in (role, 2000, rt_log, "second", rt_destroy);
  janus_role_call_in (role, 1000, rt_log, "first", rt_destroy);
  self->doomed = janus_role_call_in (role, 1500, rt_log, "cancelled", rt_destroy);
  janus_role_call_at (role, 5000, rt_log, "after-leave", rt_destroy);
  return TRUE;
}

static void rt_role_class_init (RtRoleClass *klass) { JANUS_ROLE_CLASS (klass)->activate = rt_role_activate; }
static void rt_role_init (RtRole *self) {}

#define RT_TYPE_ORG (rt_org_get_type ())
G_DECLARE_FINAL_TYPE (RtOrg, rt_org, RT, ORG, JanusOrganization)
struct _RtOrg { JanusOrganization parent_instance; };
G_DEFINE_FINAL_TYPE (RtOrg, rt_org, JANUS_TYPE_ORGANIZATION)
static void rt_org_class_init (RtOrgClass *klass)
{
  janus_organization_class_add_role (JANUS_ORGANIZATION_CLASS (klass), RT_TYPE_ROLE, 0);
}
static void rt_org_init (RtOrg *self) {}

#define RT_TYPE_AGENT (rt_agent_get_type ())
G_DECLARE_FINAL_TYPE (RtAgent, rt_agent, RT, AGENT, JanusAgent)
struct _RtAgent { JanusAgent parent_instance; JanusGroup *group; };
G_DEFINE_FINAL_TYPE (RtAgent, rt_agent, JANUS_TYPE_AGENT)

static void
rt_cancel_and_leave (JanusAgent *agent,
                     gpointer    user_data)
{
  RtAgent *self = RT_AGENT (agent);
  RtRole *role = RT_ROLE (janus_agent_get_role (agent, RT_TYPE_ROLE, self->group));

  g_assert_true (janus_role_cancel_timer (JANUS_ROLE (role), role->doomed));
  g_assert_false (janus_role_cancel_timer (JANUS_ROLE (role), role->doomed));
  if (GPOINTER_TO_INT (user_data))
    g_assert_true (janus_agent_leave_role (agent, RT_TYPE_ROLE, self->group, NULL));
}

static void
rt_leave (JanusAgent *agent,
          gpointer    user_data)
{
  g_assert_true (janus_agent_leave_role (agent, RT_TYPE_ROLE, RT_AGENT (agent)->group, NULL));
}

static gboolean
rt_agent_activate (JanusAgent *agent, GVariant *params, GError **error)
{
  RtAgent *self = RT_AGENT (agent);

  if (janus_agent_request_role (agent, RT_TYPE_ROLE, self->group, NULL, error) == NULL)
    return FALSE;
  /* at 1200: cancel one role timer; at 3000: leave the role */
  janus_agent_call_in (agent, 1200, rt_cancel_and_leave, GINT_TO_POINTER (FALSE), NULL);
  janus_agent_call_in (agent, 3000, rt_leave, NULL, NULL);
  return TRUE;
}

static void rt_agent_class_init (RtAgentClass *klass) { JANUS_AGENT_CLASS (klass)->activate = rt_agent_activate; }
static void rt_agent_init (RtAgent *self) {}

/* Role timers get the role, run in due order, can be cancelled, and do not
 * run once the role was left (their destroy functions still run, once). */
static void
test_role_timers (void)
{
  g_autoptr(JanusKernel) kernel = janus_kernel_new (0);
  g_autoptr(JanusClock) clock = janus_clock_new_virtual (0, 0);
  g_autoptr(JanusGroup) group = NULL;
  RtAgent *agent;

  janus_kernel_set_clock (kernel, clock);
  group = janus_kernel_create_group (kernel, RT_TYPE_ORG, NULL);
  janus_group_set_persistent (group, TRUE);
  role_log = g_string_new (NULL);
  rt_destroyed = 0;
  agent = g_object_new (RT_TYPE_AGENT, NULL);
  agent->group = group;
  g_assert_true (janus_kernel_launch_light_agent (kernel, JANUS_AGENT (agent), NULL, NULL, NULL));
  janus_kernel_set_keep_alive (kernel, FALSE);
  while (janus_kernel_step (kernel))
    if (janus_kernel_get_time (kernel) > 10000)
      break;
  g_assert_cmpstr (role_log->str, ==, "first@1000 second@2000 ");
  g_assert_cmpint (rt_destroyed, ==, 4);
  janus_kernel_kill (kernel, JANUS_AGENT (agent), NULL);
  janus_kernel_run (kernel);
  g_object_unref (agent);
  g_string_free (role_log, TRUE);
}


int
main (int    argc,
      char **argv)
{
  static const struct { const char *name; TimerCall call; } calls[] = {
    { "call-in", CALL_IN },
    { "call-at", CALL_AT },
    { "cancel", CANCEL },
    { "sleep", SLEEP },
  };
  guint i;

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/timer/call-in/due-order", test_call_in_due_order);
  g_test_add_func ("/timer/call-in/same-due-fifo", test_call_in_same_due_fifo);
  g_test_add_func ("/timer/call-in/same-due-agents", test_call_in_same_due_agents);
  g_test_add_func ("/timer/call-at/times", test_call_at);
  g_test_add_func ("/timer/cancel/before-due", test_cancel_before_due);
  g_test_add_func ("/timer/cancel/after-run", test_cancel_after_run);
  g_test_add_func ("/timer/cancel/unknown", test_cancel_unknown);
  g_test_add_func ("/timer/cancel/due-in-same-step", test_cancel_due_in_same_step);
  g_test_add_func ("/timer/cancel/no-jump", test_cancel_no_jump);
  g_test_add_func ("/timer/count/pending", test_timer_count);
  g_test_add_func ("/timer/live/wakes-waiting-agent", test_timer_wakes_waiting_agent);
  g_test_add_func ("/timer/live/zero-delay", test_timer_zero_delay);
  g_test_add_func ("/timer/live/timer-from-timer", test_timer_from_timer);
  g_test_add_func ("/timer/dead/killed", test_dead_agent_killed);
  g_test_add_func ("/timer/dead/kill-me-in-timer", test_dead_agent_kill_me_in_timer);
  g_test_add_func ("/timer/dead/done-and-end", test_dead_agent_done_and_end);
  g_test_add_func ("/timer/dead/shutdown-many", test_dead_agent_shutdown_many);
  g_test_add_data_func ("/timer/sleep/light-wait", GINT_TO_POINTER (JANUS_LIVE_WAIT), test_sleep_light);
  g_test_add_data_func ("/timer/sleep/light-again", GINT_TO_POINTER (JANUS_LIVE_AGAIN), test_sleep_light);
  g_test_add_func ("/timer/sleep/replace", test_sleep_replace);
  g_test_add_func ("/timer/sleep/kill", test_sleep_kill);
  g_test_add_func ("/timer/step/stepped-clock", test_step_stepped_clock);
  g_test_add_func ("/timer/step/jumps-to-next-timer", test_step_jumps_to_next_timer);
  g_test_add_func ("/timer/step/no-jump-while-runnable", test_step_no_jump_while_runnable);
  g_test_add_func ("/timer/run/simulated-hour", test_run_simulated_hour);
  for (i = 0; i < G_N_ELEMENTS (calls); i++)
    {
      g_autofree char *other = g_strdup_printf ("/timer/precondition/%s-other-thread", calls[i].name);
      g_autofree char *unlaunched = g_strdup_printf ("/timer/precondition/%s-unlaunched", calls[i].name);

      g_test_add_data_func (other, GINT_TO_POINTER (calls[i].call), test_precondition_other_thread);
      g_test_add_data_func (unlaunched, GINT_TO_POINTER (calls[i].call), test_precondition_unlaunched);
    }
  g_test_add_func ("/timer/precondition/set-clock-with-timers", test_precondition_set_clock_with_timers);
  g_test_add_func ("/timer/real/workers-call-in", test_real_workers_call_in);
  g_test_add_func ("/timer/real/workers-virtual-clock", test_workers_virtual_clock);
  g_test_add_func ("/timer/real/heavy-call-in-and-sleep", test_real_heavy_call_in_and_sleep);
  g_test_add_func ("/timer/real/main-context-source", test_real_main_context_source);
  g_test_add_func ("/timer/real/workers-call-at", test_real_workers_call_at);
  g_test_add_func ("/timer/real/heavy-sleep-kill", test_real_heavy_sleep_kill);
  g_test_add_func ("/timer/real/main-context-virtual-clock", test_virtual_main_context_clock_move);

  g_test_add_func ("/timer/order/driver-and-step", test_order_driver_and_step);
  g_test_add_func ("/timer/far-future-call-in", test_far_future_call_in);
  g_test_add_func ("/timer/heavy/without-run", test_heavy_timer_without_run);
  g_test_add_func ("/timer/role", test_role_timers);

  return g_test_run ();
}
