/* SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * JanusClock: the real-time clock (wall and monotonic time move forward;
 * it cannot be set), the virtual clock (start value, set_time and advance
 * only forward, TIME_BACKWARDS otherwise, the step property, notify::time
 * once per move, concurrent moves), and the kernel's clock: real by
 * default, janus_kernel_set_clock, janus_kernel_get_time, janus_kernel_step
 * moving a stepped clock, and message timestamps in virtual time.
 *
 * Deterministic: virtual clocks and 0-worker kernels driven with
 * janus_kernel_step (). The real-clock tests only compare readings, with
 * generous bounds and deadlines.
 *
 * /clock/threads/notify-per-move checks what notify::time promises under
 * concurrent moves (notifications may coalesce; the last sees the final
 * time).
 */
#include <stdatomic.h>
#include <string.h>

#include "janus-test-utils.h"


/* Counts notify::<property> and remembers the time seen in the last one. */
typedef struct
{
  guint  count;
  gint64 last_time;
} NotifyCount;

static void
on_clock_notify (JanusClock  *clock,
                 GParamSpec  *pspec,
                 NotifyCount *n)
{
  n->count++;
  n->last_time = janus_clock_get_time (clock);
}

static void
on_kernel_notify (JanusKernel *kernel,
                  GParamSpec  *pspec,
                  NotifyCount *n)
{
  n->count++;
  n->last_time = janus_kernel_get_time (kernel);
}

/* ---------------------------------------------------------- real clock */

/* The monotonic time never goes back and moves on (bounded spin, not a
 * sleep: the reading itself is under test). */
static void
test_real_monotonic_increases (void)
{
  g_autoptr(JanusClock) clock = janus_clock_new_real ();
  gint64 first = janus_clock_get_monotonic_time (clock);
  gint64 last = first, now = first;
  gint64 deadline = g_get_monotonic_time () + DEADLINE_USEC;

  g_assert_cmpint (first, >, 0);
  while (now == first && g_get_monotonic_time () < deadline)
    {
      now = janus_clock_get_monotonic_time (clock);
      g_assert_cmpint (now, >=, last);
      last = now;
    }
  g_assert_cmpint (now, >, first);
  /* it is the system's monotonic clock */
  g_assert_cmpint (ABS (janus_clock_get_monotonic_time (clock) - g_get_monotonic_time ()),
                   <, G_USEC_PER_SEC);
}

/* The wall time is microseconds since the epoch, follows the system and
 * moves on. */
static void
test_real_wall_increases (void)
{
  g_autoptr(JanusClock) clock = janus_clock_new_real ();
  gint64 before = g_get_real_time ();
  gint64 first = janus_clock_get_time (clock);
  gint64 after = g_get_real_time ();
  gint64 now = first;
  gint64 deadline = g_get_monotonic_time () + DEADLINE_USEC;
  gint64 time_prop = 0;

  g_assert_cmpint (first, >=, before);
  g_assert_cmpint (first, <=, after);
  /* after 2020-01-01: really the epoch, not an uptime */
  g_assert_cmpint (first, >, G_GINT64_CONSTANT (1577836800) * G_USEC_PER_SEC);
  while (now == first && g_get_monotonic_time () < deadline)
    now = janus_clock_get_time (clock);
  g_assert_cmpint (now, >, first);

  g_object_get (clock, "time", &time_prop, NULL);
  g_assert_cmpint (time_prop, >=, now);
}

static void
test_real_properties (void)
{
  g_autoptr(JanusClock) clock = janus_clock_new_real ();
  gboolean is_virtual = TRUE;
  gint64 step = -1;

  g_assert_false (janus_clock_is_virtual (clock));
  g_assert_cmpint (janus_clock_get_step (clock), ==, 0);
  g_object_get (clock, "virtual", &is_virtual, "step", &step, NULL);
  g_assert_false (is_virtual);
  g_assert_cmpint (step, ==, 0);
}

typedef enum {
  MOVE_SET_TIME,
  MOVE_ADVANCE,
} MoveKind;

typedef struct
{
  MoveKind kind;
  gint64   value;          /* set_time: offset from now; advance: delta */
} MoveCase;

/* set_time and advance on a real clock: INVALID_ARGUMENT, no notify. */
static void
test_real_cannot_move (gconstpointer data)
{
  const MoveCase *c = data;
  g_autoptr(JanusClock) clock = janus_clock_new_real ();
  g_autoptr(GError) error = NULL;
  NotifyCount n = { 0 };
  gint64 before;
  gboolean ok;

  g_signal_connect (clock, "notify::time", G_CALLBACK (on_clock_notify), &n);
  before = janus_clock_get_time (clock);
  if (c->kind == MOVE_SET_TIME)
    ok = janus_clock_set_time (clock, before + c->value, &error);
  else
    ok = janus_clock_advance (clock, c->value, &error);
  g_assert_false (ok);
  g_assert_error (error, JANUS_CLOCK_ERROR, JANUS_CLOCK_ERROR_NOT_VIRTUAL);
  g_assert_nonnull (error->message);
  g_assert_cmpuint (n.count, ==, 0);
  /* still the system's time, not the value asked for */
  g_assert_cmpint (ABS (janus_clock_get_time (clock) - g_get_real_time ()), <, 60 * G_USEC_PER_SEC);
}

/* ------------------------------------------------------- virtual clock */

static void
test_virtual_start (void)
{
  g_autoptr(JanusClock) clock = janus_clock_new_virtual (1234, 10);
  gboolean is_virtual = FALSE;
  gint64 step = 0, time = 0;

  g_assert_true (janus_clock_is_virtual (clock));
  g_assert_cmpint (janus_clock_get_time (clock), ==, 1234);
  g_assert_cmpint (janus_clock_get_monotonic_time (clock), ==, 1234);
  g_assert_cmpint (janus_clock_get_step (clock), ==, 10);
  g_object_get (clock, "virtual", &is_virtual, "step", &step, "time", &time, NULL);
  g_assert_true (is_virtual);
  g_assert_cmpint (step, ==, 10);
  g_assert_cmpint (time, ==, 1234);
}

/* Negative start values are allowed (a time is only a number), and the
 * clock does not move by itself. */
static void
test_virtual_does_not_move (void)
{
  g_autoptr(JanusClock) clock = janus_clock_new_virtual (-5000, 0);
  gint64 deadline = g_get_monotonic_time () + 20 * 1000;

  /* a busy 20 ms of readings: the value stays */
  while (g_get_monotonic_time () < deadline)
    g_assert_cmpint (janus_clock_get_time (clock), ==, -5000);
  g_assert_cmpint (janus_clock_get_monotonic_time (clock), ==, -5000);
}

static void
test_virtual_set_time_forward (void)
{
  g_autoptr(JanusClock) clock = janus_clock_new_virtual (100, 0);
  g_autoptr(GError) error = NULL;
  NotifyCount n = { 0 };

  g_signal_connect (clock, "notify::time", G_CALLBACK (on_clock_notify), &n);
  g_assert_true (janus_clock_set_time (clock, 101, &error));
  g_assert_no_error (error);
  g_assert_cmpint (janus_clock_get_time (clock), ==, 101);
  g_assert_cmpuint (n.count, ==, 1);
  g_assert_cmpint (n.last_time, ==, 101);

  g_assert_true (janus_clock_set_time (clock, G_GINT64_CONSTANT (1) << 50, &error));
  g_assert_no_error (error);
  g_assert_cmpint (janus_clock_get_time (clock), ==, G_GINT64_CONSTANT (1) << 50);
  g_assert_cmpint (janus_clock_get_monotonic_time (clock), ==, G_GINT64_CONSTANT (1) << 50);
  g_assert_cmpuint (n.count, ==, 2);
}

/* set_time to now or earlier: TIME_BACKWARDS, time unchanged, no notify. */
static void
test_virtual_set_time_not_later (gconstpointer data)
{
  gint64 offset = GPOINTER_TO_INT (data);
  g_autoptr(JanusClock) clock = janus_clock_new_virtual (5000, 0);
  g_autoptr(GError) error = NULL;
  NotifyCount n = { 0 };

  g_signal_connect (clock, "notify::time", G_CALLBACK (on_clock_notify), &n);
  g_assert_false (janus_clock_set_time (clock, 5000 + offset, &error));
  g_assert_error (error, JANUS_CLOCK_ERROR, JANUS_CLOCK_ERROR_TIME_BACKWARDS);
  g_assert_nonnull (strstr (error->message, "5000"));
  g_assert_cmpint (janus_clock_get_time (clock), ==, 5000);
  g_assert_cmpuint (n.count, ==, 0);

  /* and it still moves forward afterwards */
  g_clear_error (&error);
  g_assert_true (janus_clock_set_time (clock, 5001, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n.count, ==, 1);
}

static void
test_virtual_advance (void)
{
  g_autoptr(JanusClock) clock = janus_clock_new_virtual (1000, 0);
  g_autoptr(GError) error = NULL;
  NotifyCount n = { 0 };

  g_signal_connect (clock, "notify::time", G_CALLBACK (on_clock_notify), &n);
  g_assert_true (janus_clock_advance (clock, 500, &error));
  g_assert_no_error (error);
  g_assert_cmpint (janus_clock_get_time (clock), ==, 1500);
  g_assert_true (janus_clock_advance (clock, 1, &error));
  g_assert_no_error (error);
  g_assert_cmpint (janus_clock_get_time (clock), ==, 1501);
  g_assert_cmpuint (n.count, ==, 2);
  g_assert_cmpint (n.last_time, ==, 1501);
}

/* advance by 0 or less: TIME_BACKWARDS, unchanged, no notify. */
static void
test_virtual_advance_not_positive (gconstpointer data)
{
  gint64 delta = GPOINTER_TO_INT (data);
  g_autoptr(JanusClock) clock = janus_clock_new_virtual (1000, 0);
  g_autoptr(GError) error = NULL;
  NotifyCount n = { 0 };

  g_signal_connect (clock, "notify::time", G_CALLBACK (on_clock_notify), &n);
  g_assert_false (janus_clock_advance (clock, delta, &error));
  g_assert_error (error, JANUS_CLOCK_ERROR, JANUS_CLOCK_ERROR_TIME_BACKWARDS);
  g_assert_cmpint (janus_clock_get_time (clock), ==, 1000);
  g_assert_cmpuint (n.count, ==, 0);
}

/* The step: get/set, the property, notify::step only on a change; setting
 * it does not move the time. */
static void
test_virtual_step_property (void)
{
  g_autoptr(JanusClock) clock = janus_clock_new_virtual (0, 1000);
  NotifyCount steps = { 0 }, times = { 0 };
  gint64 step = 0;

  g_signal_connect (clock, "notify::step", G_CALLBACK (on_clock_notify), &steps);
  g_signal_connect (clock, "notify::time", G_CALLBACK (on_clock_notify), &times);
  janus_clock_set_step (clock, 250);
  g_assert_cmpint (janus_clock_get_step (clock), ==, 250);
  g_object_get (clock, "step", &step, NULL);
  g_assert_cmpint (step, ==, 250);
  g_assert_cmpuint (steps.count, ==, 1);

  janus_clock_set_step (clock, 250);
  g_assert_cmpuint (steps.count, ==, 1);

  janus_clock_set_step (clock, 0);
  g_assert_cmpint (janus_clock_get_step (clock), ==, 0);
  g_assert_cmpuint (steps.count, ==, 2);
  g_assert_cmpuint (times.count, ==, 0);
  g_assert_cmpint (janus_clock_get_time (clock), ==, 0);
}

/* notify::time exactly once per move, none for refused moves, whichever
 * call moved it. */
static void
test_virtual_notify_once_per_move (void)
{
  g_autoptr(JanusClock) clock = janus_clock_new_virtual (0, 0);
  NotifyCount n = { 0 };
  guint i, moves = 0;

  g_signal_connect (clock, "notify::time", G_CALLBACK (on_clock_notify), &n);
  for (i = 1; i <= 100; i++)
    {
      gboolean ok;

      switch (i % 4)
        {
        case 0: ok = janus_clock_set_time (clock, janus_clock_get_time (clock) + i, NULL); break;
        case 1: ok = janus_clock_advance (clock, i, NULL); break;
        case 2: ok = janus_clock_set_time (clock, janus_clock_get_time (clock), NULL); break;
        default: ok = janus_clock_advance (clock, -(gint64) i, NULL); break;
        }
      moves += ok;
      g_assert_cmpuint (n.count, ==, moves);
      if (ok)
        g_assert_cmpint (n.last_time, ==, janus_clock_get_time (clock));
    }
  g_assert_cmpuint (moves, ==, 50);
}

/* ------------------------------------------------- concurrent moves */

#define MOVER_THREADS 4

typedef struct
{
  JanusClock *clock;
  guint       per_thread;
  atomic_int  successes;
  atomic_int  backwards;  /* a reading smaller than an earlier one */
} MoveRace;

static gpointer
mover_thread (gpointer data)
{
  MoveRace *r = data;
  gint64 seen = janus_clock_get_time (r->clock);
  guint i;

  for (i = 0; i < r->per_thread; i++)
    {
      gint64 now = janus_clock_get_time (r->clock);

      if (now < seen)
        atomic_fetch_add (&r->backwards, 1);
      seen = now;
      /* everyone aims at the same few values: most attempts collide */
      if (janus_clock_set_time (r->clock, now + 1 + (i % 3), NULL))
        atomic_fetch_add (&r->successes, 1);
    }
  return NULL;
}

static void
on_clock_notify_atomic (JanusClock *clock,
                        GParamSpec *pspec,
                        atomic_int *count)
{
  atomic_fetch_add (count, 1);
}

static void
race_moves (MoveRace   *r,
            atomic_int *notified)
{
  GThread *threads[MOVER_THREADS];
  guint i;

  g_signal_connect (r->clock, "notify::time", G_CALLBACK (on_clock_notify_atomic), notified);
  for (i = 0; i < MOVER_THREADS; i++)
    threads[i] = g_thread_new ("mover", mover_thread, r);
  for (i = 0; i < MOVER_THREADS; i++)
    g_thread_join (threads[i]);
  g_signal_handlers_disconnect_by_data (r->clock, notified);
}

/* Several threads moving one clock: it never goes back, every successful
 * move is a move (the time ends at least that far), and moves are
 * notified (at most once each). */
static void
test_virtual_concurrent_moves (void)
{
  JanusClock *clock = janus_clock_new_virtual (0, 0);
  MoveRace r = { clock, test_small () ? 500 : 20000 };
  atomic_int notified = 0;

  race_moves (&r, &notified);
  g_assert_cmpint (atomic_load (&r.backwards), ==, 0);
  g_assert_cmpint (atomic_load (&r.successes), >, 0);
  g_assert_cmpint (atomic_load (&notified), >, 0);
  g_assert_cmpint (atomic_load (&notified), <=, atomic_load (&r.successes));
  g_assert_cmpint (janus_clock_get_time (clock), >=, atomic_load (&r.successes));
  unref_last (clock);
}

/* The documented promise under concurrent moves: notifications may be
 * fewer than the moves (GObject's notify does not run concurrently with
 * itself), but the last one runs after the last move, so a handler that
 * reads the time sees the final time. */
static void
on_clock_notify_read (JanusClock      *clock,
                      GParamSpec      *pspec,
                      _Atomic gint64  *last)
{
  gint64 now = janus_clock_get_time (clock);
  gint64 seen = atomic_load (last);

  /* keep the latest time any notification saw */
  while (now > seen && !atomic_compare_exchange_weak (last, &seen, now))
    ;
}

static void
test_virtual_concurrent_notify_per_move (void)
{
  JanusClock *clock = janus_clock_new_virtual (0, 0);
  MoveRace r = { clock, test_small () ? 500 : 20000 };
  atomic_int notified = 0;
  _Atomic gint64 last = 0;
  gulong id;

  id = g_signal_connect (clock, "notify::time", G_CALLBACK (on_clock_notify_read), &last);
  race_moves (&r, &notified);
  g_signal_handler_disconnect (clock, id);
  g_assert_cmpint (atomic_load (&notified), >=, 1);
  g_assert_cmpint (atomic_load (&notified), <=, atomic_load (&r.successes));
  g_assert_cmpint (atomic_load (&last), ==, janus_clock_get_time (clock));
  unref_last (clock);
}

/* ------------------------------------------------------- preconditions */

static void
test_virtual_negative_step_critical (void)
{
  if (g_test_subprocess ())
    {
      JanusClock *clock = janus_clock_new_virtual (0, -1);
      g_assert_null (clock);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*CRITICAL*step >= 0*");
}

static void
test_real_set_step_critical (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(JanusClock) clock = janus_clock_new_real ();
      janus_clock_set_step (clock, 1000);
      g_assert_cmpint (janus_clock_get_step (clock), ==, 0);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*CRITICAL*is_virtual*");
}

/* ------------------------------------------------------ kernel's clock */

static void
test_kernel_default_real (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  JanusClock *clock = janus_kernel_get_clock (kernel);
  JanusClock *prop = NULL;
  gint64 before, now, after;

  g_assert_true (JANUS_IS_CLOCK (clock));
  g_assert_false (janus_clock_is_virtual (clock));
  g_object_get (kernel, "clock", &prop, NULL);
  g_assert_true (prop == clock);
  g_object_unref (prop);

  before = g_get_real_time ();
  now = janus_kernel_get_time (kernel);
  after = g_get_real_time ();
  g_assert_cmpint (now, >=, before);
  g_assert_cmpint (now, <=, after);
  finish (kernel, NULL);
}

/* Each kernel has its own default clock. */
static void
test_kernel_default_per_kernel (void)
{
  JanusKernel *a = janus_kernel_new (0);
  JanusKernel *b = janus_kernel_new (0);
  g_autoptr(JanusClock) clock = janus_clock_new_virtual (7, 0);

  janus_kernel_set_clock (a, clock);
  g_assert_true (janus_kernel_get_clock (a) == clock);
  g_assert_false (janus_clock_is_virtual (janus_kernel_get_clock (b)));
  g_assert_cmpint (janus_kernel_get_time (a), ==, 7);
  g_assert_cmpint (janus_kernel_get_time (b), >, 7);
  finish (a, NULL);
  finish (b, NULL);
}

/* janus_kernel_set_clock: the kernel keeps a reference, its time follows
 * the clock, notify::clock once per change. */
static void
test_kernel_set_clock_follows (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  JanusClock *clock = janus_clock_new_virtual (5000, 0);
  NotifyCount n = { 0 };

  g_signal_connect (kernel, "notify::clock", G_CALLBACK (on_kernel_notify), &n);
  g_object_add_weak_pointer (G_OBJECT (clock), (gpointer *) &clock);
  janus_kernel_set_clock (kernel, clock);
  g_assert_cmpuint (n.count, ==, 1);
  janus_kernel_set_clock (kernel, clock);
  g_assert_cmpuint (n.count, ==, 1);

  g_assert_true (janus_kernel_get_clock (kernel) == clock);
  g_assert_cmpint (janus_kernel_get_time (kernel), ==, 5000);
  g_assert_true (janus_clock_set_time (clock, 9000, NULL));
  g_assert_cmpint (janus_kernel_get_time (kernel), ==, 9000);
  g_assert_true (janus_clock_advance (clock, 1, NULL));
  g_assert_cmpint (janus_kernel_get_time (kernel), ==, 9001);

  /* the kernel holds its own reference */
  g_object_unref (clock);
  g_assert_nonnull (clock);
  g_assert_cmpint (janus_kernel_get_time (kernel), ==, 9001);
  g_signal_handlers_disconnect_by_data (kernel, &n);
  finish (kernel, NULL);
  g_assert_null (clock);
}

/* The "clock" construct property sets it too. */
static void
test_kernel_clock_property (void)
{
  g_autoptr(JanusClock) clock = janus_clock_new_virtual (42, 3);
  JanusKernel *kernel = g_object_new (JANUS_TYPE_KERNEL, "workers", 0, "clock", clock, NULL);

  g_assert_true (janus_kernel_get_clock (kernel) == clock);
  g_assert_cmpint (janus_kernel_get_time (kernel), ==, 42);
  finish (kernel, NULL);
}

/* ------------------------------------------------------ a test agent */

typedef struct _ClockAgent ClockAgent;
typedef JanusLive (*ClockLiveFunc) (ClockAgent *self);

struct _ClockAgent
{
  JanusAgent     parent_instance;
  ClockLiveFunc  live_func;
  ClockAgent    *peer;
  guint          turns;
  GArray        *times;         /* gint64: janus_kernel_get_time at each live */
  GArray        *stamps;        /* gint64 pairs: (timestamp, body) of each received message */
};

#define CLOCK_TYPE_AGENT (clock_agent_get_type ())
G_DECLARE_FINAL_TYPE (ClockAgent, clock_agent, CLOCK, AGENT, JanusAgent)
G_DEFINE_FINAL_TYPE (ClockAgent, clock_agent, JANUS_TYPE_AGENT)

static JanusLive
clock_agent_live (JanusAgent *agent)
{
  ClockAgent *self = CLOCK_AGENT (agent);
  gint64 now = janus_kernel_get_time (janus_agent_get_kernel (agent));
  JanusMessage *m;

  self->turns++;
  g_array_append_val (self->times, now);
  while ((m = janus_agent_get_message (agent)) != NULL)
    {
      gint64 stamp = janus_message_get_timestamp (m), body = 0;

      janus_message_get_int64 (m, &body);
      g_array_append_val (self->stamps, stamp);
      g_array_append_val (self->stamps, body);
      janus_message_unref (m);
    }
  return self->live_func ? self->live_func (self) : JANUS_LIVE_WAIT;
}

static void
clock_agent_finalize (GObject *object)
{
  ClockAgent *self = CLOCK_AGENT (object);

  g_array_unref (self->times);
  g_array_unref (self->stamps);
  G_OBJECT_CLASS (clock_agent_parent_class)->finalize (object);
}

static void
clock_agent_class_init (ClockAgentClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = clock_agent_finalize;
  JANUS_AGENT_CLASS (klass)->live = clock_agent_live;
}

static void
clock_agent_init (ClockAgent *self)
{
  self->times = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->stamps = g_array_new (FALSE, FALSE, sizeof (gint64));
}

static ClockAgent *
clock_agent_launch (JanusKernel   *kernel,
                    ClockLiveFunc  live_func)
{
  ClockAgent *agent = g_object_new (CLOCK_TYPE_AGENT, NULL);
  g_autoptr(GError) error = NULL;

  agent->live_func = live_func;
  g_assert_true (janus_kernel_launch_light_agent (kernel, JANUS_AGENT (agent), NULL, NULL, &error));
  g_assert_no_error (error);
  return agent;
}

/* Many kernels on one clock: a move of the clock wakes the workers of
 * every one of them, however many (their timers fire). */
typedef struct
{
  GMutex     lock;
  GCond      cond;
  atomic_int armed;
  atomic_int fired;
} Many;

static void
many_fire (JanusAgent *agent,
           gpointer    data)
{
  Many *m = data;

  test_bump (&m->lock, &m->cond, &m->fired);
}

static void
many_arm (TestAgent *self,
          gpointer   data)
{
  Many *m = data;

  janus_agent_call_at (AGENT (self), 1000, many_fire, m, NULL);
  test_bump (&m->lock, &m->cond, &m->armed);
}

static void
test_kernel_many_share_a_clock (void)
{
  g_autoptr(JanusClock) clock = janus_clock_new_virtual (0, 0);
  JanusKernel *kernels[20];
  TestAgent *agents[G_N_ELEMENTS (kernels)];
  Many m = { 0 };

  g_mutex_init (&m.lock);
  g_cond_init (&m.cond);
  for (guint i = 0; i < G_N_ELEMENTS (kernels); i++)
    {
      kernels[i] = janus_kernel_new (1);
      janus_kernel_set_clock (kernels[i], clock);
      agents[i] = test_agent_new (NULL, &m);
      agents[i]->on_activate = many_arm;
      launch_ok (kernels[i], agents[i], NULL, NULL);
    }
  g_assert_true (test_wait_count (&m.lock, &m.cond, &m.armed, G_N_ELEMENTS (kernels)));
  g_assert_true (janus_clock_set_time (clock, 1000, NULL));
  g_assert_true (test_wait_count (&m.lock, &m.cond, &m.fired, G_N_ELEMENTS (kernels)));
  for (guint i = 0; i < G_N_ELEMENTS (kernels); i++)
    {
      janus_kernel_shutdown (kernels[i]);
      unref_last (kernels[i]);
      unref_last (agents[i]);
    }
  g_mutex_clear (&m.lock);
  g_cond_clear (&m.cond);
}

/* Five turns, then done; each turn sends the time it saw to its peer. */
static JanusLive
sender_live (ClockAgent *self)
{
  JanusAgent *agent = JANUS_AGENT (self);
  gint64 now = g_array_index (self->times, gint64, self->times->len - 1);

  g_assert_true (janus_agent_send (agent, janus_agent_get_address (JANUS_AGENT (self->peer)),
                                   janus_message_new_int64 ("now", now), NULL));
  /* a second send in the same turn carries the same time */
  g_assert_true (janus_agent_send (agent, janus_agent_get_address (JANUS_AGENT (self->peer)),
                                   janus_message_new_int64 ("now", now), NULL));
  return self->turns < 5 ? JANUS_LIVE_AGAIN : JANUS_LIVE_DONE;
}

/* janus_kernel_step moves a stepped virtual clock after its round: the
 * turns of step k see start + (k - 1) * step. */
static void
test_kernel_step_moves_clock (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  g_autoptr(JanusClock) clock = janus_clock_new_virtual (1000000, 1000);
  NotifyCount n = { 0 };
  ClockAgent *agent;
  guint i;

  janus_kernel_set_clock (kernel, clock);
  g_signal_connect (clock, "notify::time", G_CALLBACK (on_clock_notify), &n);
  agent = clock_agent_launch (kernel, NULL);
  for (i = 0; i < 4; i++)
    {
      janus_kernel_step (kernel);
      g_assert_cmpint (janus_kernel_get_time (kernel), ==, 1000000 + (i + 1) * 1000);
      g_assert_cmpuint (n.count, ==, i + 1);
    }
  g_assert_cmpuint (agent->turns, ==, 1);
  g_assert_cmpint (g_array_index (agent->times, gint64, 0), ==, 1000000);
  g_signal_handlers_disconnect_by_data (clock, &n);
  finish (kernel, NULL);
  g_object_unref (agent);
}

/* Timestamps of messages sent under a virtual clock are the virtual time
 * of the sending step, and of janus_kernel_send the time of the call. */
static void
test_kernel_virtual_timestamps (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  g_autoptr(JanusClock) clock = janus_clock_new_virtual (1000000, 1000);
  ClockAgent *receiver, *sender;
  guint i;

  janus_kernel_set_clock (kernel, clock);
  receiver = clock_agent_launch (kernel, NULL);
  sender = clock_agent_launch (kernel, sender_live);
  sender->peer = g_object_ref (receiver);

  for (i = 0; i < 20 && janus_kernel_step (kernel); i++)
    ;
  g_assert_cmpuint (sender->turns, ==, 5);
  g_assert_cmpint (janus_agent_get_state (JANUS_AGENT (sender)), ==, JANUS_AGENT_STATE_DIED);
  g_assert_cmpuint (receiver->stamps->len, ==, 2 * 10);
  for (i = 0; i < 10; i++)
    {
      gint64 stamp = g_array_index (receiver->stamps, gint64, 2 * i);
      gint64 body = g_array_index (receiver->stamps, gint64, 2 * i + 1);

      g_assert_cmpint (stamp, ==, body);
      g_assert_cmpint (stamp, ==, 1000000 + (gint64) (i / 2) * 1000);
    }

  /* from the kernel, between steps: the time now */
  g_assert_true (janus_clock_set_time (clock, 77000000, NULL));
  g_assert_true (janus_kernel_send (kernel, janus_agent_get_address (JANUS_AGENT (receiver)),
                                    janus_message_new_int64 ("now", 77000000), NULL));
  janus_kernel_step (kernel);
  g_assert_cmpuint (receiver->stamps->len, ==, 2 * 11);
  g_assert_cmpint (g_array_index (receiver->stamps, gint64, 20), ==, 77000000);

  g_clear_object (&sender->peer);
  finish (kernel, NULL);
  g_object_unref (sender);
  g_object_unref (receiver);
}

/* Under the real clock, timestamps are wall time (coarse: a few ms). */
static void
test_kernel_real_timestamps (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  ClockAgent *receiver = clock_agent_launch (kernel, NULL);
  gint64 before = g_get_real_time (), after, stamp;

  g_assert_true (janus_kernel_send (kernel, janus_agent_get_address (JANUS_AGENT (receiver)),
                                    janus_message_new ("hi", NULL), NULL));
  janus_kernel_step (kernel);
  after = g_get_real_time ();
  g_assert_cmpuint (receiver->stamps->len, ==, 2);
  stamp = g_array_index (receiver->stamps, gint64, 0);
  g_assert_cmpint (stamp, >=, before - G_USEC_PER_SEC);
  g_assert_cmpint (stamp, <=, after + G_USEC_PER_SEC);
  finish (kernel, NULL);
  g_object_unref (receiver);
}

/* One virtual clock shared by two kernels: both follow it, and each
 * stepping kernel moves it. */
static void
test_kernel_shared_clock (void)
{
  JanusKernel *a = janus_kernel_new (0);
  JanusKernel *b = janus_kernel_new (0);
  g_autoptr(JanusClock) clock = janus_clock_new_virtual (0, 10);

  janus_kernel_set_clock (a, clock);
  janus_kernel_set_clock (b, clock);
  janus_kernel_step (a);
  g_assert_cmpint (janus_kernel_get_time (b), ==, 10);
  janus_kernel_step (b);
  g_assert_cmpint (janus_kernel_get_time (a), ==, 20);
  finish (a, NULL);
  finish (b, NULL);
  g_assert_cmpint (janus_clock_get_time (clock), ==, 20);
}

int
main (int    argc,
      char **argv)
{
  static const MoveCase real_moves[] = {
    { MOVE_SET_TIME, 1000 },
    { MOVE_SET_TIME, -1000 },
    { MOVE_ADVANCE, 1000 },
    { MOVE_ADVANCE, 0 },
  };

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/clock/real/monotonic-increases", test_real_monotonic_increases);
  g_test_add_func ("/clock/real/wall-increases", test_real_wall_increases);
  g_test_add_func ("/clock/real/properties", test_real_properties);
  g_test_add_data_func ("/clock/real/set-time-later-refused", &real_moves[0], test_real_cannot_move);
  g_test_add_data_func ("/clock/real/set-time-earlier-refused", &real_moves[1], test_real_cannot_move);
  g_test_add_data_func ("/clock/real/advance-refused", &real_moves[2], test_real_cannot_move);
  g_test_add_data_func ("/clock/real/advance-zero-refused", &real_moves[3], test_real_cannot_move);
  g_test_add_func ("/clock/real/set-step-critical", test_real_set_step_critical);

  g_test_add_func ("/clock/virtual/start", test_virtual_start);
  g_test_add_func ("/clock/virtual/does-not-move", test_virtual_does_not_move);
  g_test_add_func ("/clock/virtual/set-time-forward", test_virtual_set_time_forward);
  g_test_add_data_func ("/clock/virtual/set-time-equal", GINT_TO_POINTER (0),
                        test_virtual_set_time_not_later);
  g_test_add_data_func ("/clock/virtual/set-time-backward", GINT_TO_POINTER (-1),
                        test_virtual_set_time_not_later);
  g_test_add_data_func ("/clock/virtual/set-time-far-backward", GINT_TO_POINTER (-100000),
                        test_virtual_set_time_not_later);
  g_test_add_func ("/clock/virtual/advance", test_virtual_advance);
  g_test_add_data_func ("/clock/virtual/advance-zero", GINT_TO_POINTER (0),
                        test_virtual_advance_not_positive);
  g_test_add_data_func ("/clock/virtual/advance-negative", GINT_TO_POINTER (-10),
                        test_virtual_advance_not_positive);
  g_test_add_func ("/clock/virtual/step-property", test_virtual_step_property);
  g_test_add_func ("/clock/virtual/notify-once-per-move", test_virtual_notify_once_per_move);
  g_test_add_func ("/clock/virtual/negative-step-critical", test_virtual_negative_step_critical);

  g_test_add_func ("/clock/kernel/default-real", test_kernel_default_real);
  g_test_add_func ("/clock/kernel/default-per-kernel", test_kernel_default_per_kernel);
  g_test_add_func ("/clock/kernel/set-clock-follows", test_kernel_set_clock_follows);
  g_test_add_func ("/clock/kernel/clock-property", test_kernel_clock_property);
  g_test_add_func ("/clock/kernel/step-moves-clock", test_kernel_step_moves_clock);
  g_test_add_func ("/clock/kernel/virtual-timestamps", test_kernel_virtual_timestamps);
  g_test_add_func ("/clock/kernel/real-timestamps", test_kernel_real_timestamps);
  g_test_add_func ("/clock/kernel/shared-clock", test_kernel_shared_clock);
  g_test_add_func ("/clock/kernel/many-share-a-clock", test_kernel_many_share_a_clock);

  g_test_add_func ("/clock/threads/concurrent-moves", test_virtual_concurrent_moves);
  /* concurrent moves, with real threads */
  g_test_add_func ("/clock/threads/notify-per-move", test_virtual_concurrent_notify_per_move);

  return g_test_run ();
}
