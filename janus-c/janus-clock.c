/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <stdatomic.h>
#include <string.h>

#include "janus-clock-private.h"
#include "janus-epoch-private.h"
#include "janus-error.h"

/**
 * JanusClock:
 *
 * The time of a kernel: what its agents' timers
 * ([method@Janus.Agent.call_in], [method@Janus.Agent.sleep]) and message
 * timestamps follow.
 *
 * The real-time clock ([ctor@Janus.Clock.new_real], every kernel's default)
 * reads the system: wall-clock time in microseconds since the Unix epoch for
 * [method@Janus.Clock.get_time], and the monotonic clock for timers.
 *
 * A virtual clock ([ctor@Janus.Clock.new_virtual]) only moves when told:
 * [method@Janus.Clock.set_time] and [method@Janus.Clock.advance] (its time
 * strictly increases; going back is `JANUS_CLOCK_ERROR_TIME_BACKWARDS`), or the
 * kernel's step mode, which adds the clock's step at every
 * [method@Janus.Kernel.step]. Under a virtual clock a kernel's timers fire
 * exactly when time reaches them, in the order of their due times (and of
 * their creation for equal times), so a simulation replays identically:
 *
 * ```c
 * g_autoptr(JanusClock) clock = janus_clock_new_virtual (0, 1000);  // 1 ms per step
 * janus_kernel_set_clock (kernel, clock);
 * janus_kernel_set_seed (kernel, 42);
 * while (janus_kernel_step (kernel))
 *   ;
 * ```
 *
 * All functions are MT safe. A clock may be shared by several kernels.
 */

struct _JanusClock
{
  GObject         parent_instance;

  gboolean        is_virtual;   /* immutable */
  _Atomic gint64  time;         /* virtual only */
  _Atomic gint64  step;         /* virtual only */
  GMutex          lock;         /* serialises set_time / advance; guards listeners */
  GArray         *listeners;    /* of Listener */
};

typedef struct
{
  JanusClockListener func;
  gpointer           data;
} Listener;

void
janus_clock_add_listener (JanusClock         *self,
                          JanusClockListener  func,
                          gpointer            data)
{
  g_mutex_lock (&self->lock);
  g_array_append_val (self->listeners, ((Listener) { func, data }));
  g_mutex_unlock (&self->lock);
}

void
janus_clock_remove_listener (JanusClock         *self,
                             JanusClockListener  func,
                             gpointer            data)
{
  guint i;

  g_mutex_lock (&self->lock);
  for (i = 0; i < self->listeners->len; i++)
    {
      Listener *l = &g_array_index (self->listeners, Listener, i);
      if (l->func == func && l->data == data)
        {
          g_array_remove_index (self->listeners, i);
          break;
        }
    }
  g_mutex_unlock (&self->lock);
}

enum {
  PROP_0,
  PROP_TIME,
  PROP_VIRTUAL,
  PROP_STEP,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (JanusClock, janus_clock, G_TYPE_OBJECT)

/**
 * janus_clock_new_real:
 *
 * Makes a real-time clock.
 *
 * Returns: (transfer full): a new clock
 */
JanusClock *
janus_clock_new_real (void)
{
  return g_object_new (JANUS_TYPE_CLOCK, NULL);
}

/**
 * janus_clock_new_virtual:
 * @start: the initial time, in microseconds
 * @step: how much each [method@Janus.Kernel.step] moves it, in microseconds
 *   (0: steps do not move it; [method@Janus.Kernel.step] then jumps to the
 *   next due timer when no agent is runnable)
 *
 * Makes a virtual clock.
 *
 * Returns: (transfer full): a new clock
 */
JanusClock *
janus_clock_new_virtual (gint64 start,
                         gint64 step)
{
  JanusClock *self;

  g_return_val_if_fail (step >= 0, NULL);

  self = g_object_new (JANUS_TYPE_CLOCK, NULL);
  self->is_virtual = TRUE;
  atomic_store (&self->time, start);
  atomic_store (&self->step, step);
  return self;
}

/**
 * janus_clock_is_virtual:
 * @self: a clock
 *
 * Tells whether the clock is virtual.
 *
 * Returns: `TRUE` for a virtual clock
 */
gboolean
janus_clock_is_virtual (JanusClock *self)
{
  g_return_val_if_fail (JANUS_IS_CLOCK (self), FALSE);

  return self->is_virtual;
}

/**
 * janus_clock_get_time:
 * @self: a clock
 *
 * Gets the time: microseconds since the Unix epoch for the real-time clock,
 * the virtual time otherwise.
 *
 * Returns: the time, in microseconds
 */
gint64
janus_clock_get_time (JanusClock *self)
{
  g_return_val_if_fail (JANUS_IS_CLOCK (self), 0);

  if (self->is_virtual)
    return atomic_load_explicit (&self->time, memory_order_acquire);
  return g_get_real_time ();
}

/**
 * janus_clock_get_monotonic_time:
 * @self: a clock
 *
 * Gets the time that timers follow: the system's monotonic clock for the
 * real-time clock (it never jumps), the virtual time otherwise.
 *
 * Returns: the time, in microseconds
 */
gint64
janus_clock_get_monotonic_time (JanusClock *self)
{
  g_return_val_if_fail (JANUS_IS_CLOCK (self), 0);

  if (self->is_virtual)
    return atomic_load_explicit (&self->time, memory_order_acquire);
  return g_get_monotonic_time ();
}

/**
 * janus_clock_set_time:
 * @self: a virtual clock
 * @time: the new time, later than the current one
 * @error: return location for a [struct@GLib.Error]
 *
 * Moves a virtual clock forward to @time. The kernels using it fire the
 * timers that became due (on their workers; at the next step or iteration
 * of a kernel without workers).
 *
 * Returns: `TRUE` if moved; `FALSE` with `JANUS_CLOCK_ERROR_TIME_BACKWARDS` if @time
 *   is not later than now, or `JANUS_CLOCK_ERROR_NOT_VIRTUAL` for a real-time
 *   clock
 */
static gboolean move_to (JanusClock  *self,
                         gboolean     relative,
                         gint64       value,
                         GError     **error);

gboolean
janus_clock_set_time (JanusClock  *self,
                      gint64       time,
                      GError     **error)
{
  g_return_val_if_fail (JANUS_IS_CLOCK (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return move_to (self, FALSE, time, error);
}

/* Sets a virtual clock to @value (@relative: to now + @value, the sum made
 * under the lock, checked for overflow), then tells the listeners. */
static gboolean
move_to (JanusClock  *self,
         gboolean     relative,
         gint64       value,
         GError     **error)
{
  Listener some[16], *listeners = some;
  guint i, n;
  gint64 now, time = value;

  if (!self->is_virtual)
    {
      g_set_error_literal (error, JANUS_CLOCK_ERROR, JANUS_CLOCK_ERROR_NOT_VIRTUAL,
                           "A real-time clock cannot be set");
      return FALSE;
    }
  g_mutex_lock (&self->lock);
  now = atomic_load_explicit (&self->time, memory_order_relaxed);
  if (relative && __builtin_add_overflow (now, value, &time))
    {
      g_mutex_unlock (&self->lock);
      g_set_error (error, JANUS_CLOCK_ERROR, JANUS_CLOCK_ERROR_OVERFLOW,
                   "A virtual clock cannot advance by %" G_GINT64_FORMAT " µs from %"
                   G_GINT64_FORMAT " µs: its time would pass the largest one it holds",
                   value, now);
      return FALSE;
    }
  if (time <= now)
    {
      g_mutex_unlock (&self->lock);
      g_set_error (error, JANUS_CLOCK_ERROR, JANUS_CLOCK_ERROR_TIME_BACKWARDS,
                   "A virtual clock only moves forward: cannot go from %" G_GINT64_FORMAT
                   " to %" G_GINT64_FORMAT " µs", now, time);
      return FALSE;
    }
  /* release: what happened before the move is visible to whoever reads the
   * new time */
  atomic_store_explicit (&self->time, time, memory_order_release);
  /* a listener (a kernel's scheduler) removed from now on is freed only
   * after a grace period: the copy stays valid until the exit below */
  janus_epoch_enter ();
  n = self->listeners->len;
  if (n > G_N_ELEMENTS (some))
    listeners = g_new (Listener, n);
  if (n > 0)
    memcpy (listeners, self->listeners->data, n * sizeof (Listener));
  g_mutex_unlock (&self->lock);
  /* outside the lock: a listener may read the clock */
  for (i = 0; i < n; i++)
    listeners[i].func (listeners[i].data);
  janus_epoch_exit ();
  if (listeners != some)
    g_free (listeners);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TIME]);
  return TRUE;
}

/**
 * janus_clock_advance:
 * @self: a virtual clock
 * @delta: a positive duration, in microseconds
 * @error: return location for a [struct@GLib.Error]
 *
 * Moves a virtual clock forward by @delta, in one step even if other
 * threads move it too.
 *
 * Returns: `TRUE` if moved; `FALSE` with @error set as for
 *   [method@Janus.Clock.set_time], or with `JANUS_CLOCK_ERROR_OVERFLOW` if
 *   the time would pass `G_MAXINT64` (the clock is then unchanged)
 */
gboolean
janus_clock_advance (JanusClock  *self,
                     gint64       delta,
                     GError     **error)
{
  g_return_val_if_fail (JANUS_IS_CLOCK (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (delta <= 0 && self->is_virtual)
    {
      g_set_error (error, JANUS_CLOCK_ERROR, JANUS_CLOCK_ERROR_TIME_BACKWARDS,
                   "A virtual clock only moves forward: cannot advance by %" G_GINT64_FORMAT
                   " µs", delta);
      return FALSE;
    }
  return move_to (self, TRUE, delta, error);
}

/**
 * janus_clock_get_step:
 * @self: a clock
 *
 * Gets how much a kernel step moves a virtual clock.
 *
 * Returns: the step in microseconds (0 for a real-time clock)
 */
gint64
janus_clock_get_step (JanusClock *self)
{
  g_return_val_if_fail (JANUS_IS_CLOCK (self), 0);

  return self->is_virtual ? atomic_load_explicit (&self->step, memory_order_relaxed) : 0;
}

/**
 * janus_clock_set_step:
 * @self: a virtual clock
 * @step: microseconds per kernel step, 0 or more
 *
 * Sets how much each [method@Janus.Kernel.step] moves the clock.
 */
void
janus_clock_set_step (JanusClock *self,
                      gint64      step)
{
  g_return_if_fail (JANUS_IS_CLOCK (self));
  g_return_if_fail (self->is_virtual);
  g_return_if_fail (step >= 0);

  if (atomic_exchange_explicit (&self->step, step, memory_order_relaxed) != step)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STEP]);
}

static void
janus_clock_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  JanusClock *self = JANUS_CLOCK (object);

  switch (prop_id)
    {
    case PROP_TIME:
      g_value_set_int64 (value, janus_clock_get_time (self));
      break;
    case PROP_VIRTUAL:
      g_value_set_boolean (value, self->is_virtual);
      break;
    case PROP_STEP:
      g_value_set_int64 (value, janus_clock_get_step (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
janus_clock_finalize (GObject *object)
{
  g_array_unref (JANUS_CLOCK (object)->listeners);
  g_mutex_clear (&JANUS_CLOCK (object)->lock);
  G_OBJECT_CLASS (janus_clock_parent_class)->finalize (object);
}

static void
janus_clock_class_init (JanusClockClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = janus_clock_finalize;
  object_class->get_property = janus_clock_get_property;

  /**
   * JanusClock:time: (attributes org.gtk.Property.get=janus_clock_get_time)
   *
   * The current time in microseconds. Notified after a virtual clock moves,
   * on the thread that moved it; never for a real-time clock. Moves made at
   * the same time from several threads may be notified fewer times than
   * they happened (GObject's `notify` does not run concurrently with
   * itself): read the time in the handler rather than counting
   * notifications. Kernels do not depend on it.
   */
  properties[PROP_TIME] =
    g_param_spec_int64 ("time", NULL, NULL, G_MININT64, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * JanusClock:virtual: (attributes org.gtk.Property.get=janus_clock_is_virtual)
   *
   * Whether the clock is virtual.
   */
  properties[PROP_VIRTUAL] =
    g_param_spec_boolean ("virtual", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * JanusClock:step: (attributes org.gtk.Property.get=janus_clock_get_step)
   *
   * How much each kernel step moves a virtual clock, in microseconds.
   */
  properties[PROP_STEP] =
    g_param_spec_int64 ("step", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
janus_clock_init (JanusClock *self)
{
  g_mutex_init (&self->lock);
  self->listeners = g_array_new (FALSE, FALSE, sizeof (Listener));
}
