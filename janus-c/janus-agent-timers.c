/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "janus-agent-private.h"

/* An agent's timers: call_in, call_at, cancel_timer, sleep. These are
 * methods of JanusAgent; the bookkeeping is janus-timer.c's (a
 * JanusTimerSet in the agent's extra data), the scheduler's heaps fire
 * them, and the agent's step runs the due ones (janus-agent.c). */

#define P(agent) janus_agent_get_private (agent)
#define RT(agent) (janus_agent_get_private (agent)->runtime)

static JanusAgentExtra *
peek_extra (JanusAgentPrivate *priv)
{
  return atomic_load_explicit (&priv->extra, memory_order_acquire);
}

/* Now plus @delay (>= 0) on the kernel's timer clock, saturated: a delay
 * of G_MAXINT64 is "never", not a time in the past. */
static gint64
due_after (JanusAgent *self,
           gint64      delay)
{
  gint64 due;

  if (__builtin_add_overflow (janus_scheduler_monotonic_time (RT (self)->sched), delay, &due))
    return G_MAXINT64;
  return due;
}

/* The agent's timers, made with its first (owner only). */
static JanusTimerSet *
ensure_timers (JanusAgent *self)
{
  JanusAgentExtra *extra = janus_agent_ensure_extra (self);

  if (extra->timers == NULL)
    extra->timers = g_new0 (JanusTimerSet, 1);
  return extra->timers;
}

static void
cancel_timer (JanusAgent *self,
              JanusTimer *timer)
{
  if (janus_timer_set_cancel (peek_extra (P (self))->timers, timer))
    janus_scheduler_timer_cancelled (RT (self)->sched);
}

static guint64
add_timer (JanusAgent     *self,
           gint64          due,
           JanusTimerKind  kind,
           JanusTimerFunc  func,
           gpointer        user_data,
           GDestroyNotify  destroy)
{
  JanusAgentPrivate *priv = P (self);
  JanusTimer *timer = janus_timer_new (janus_scheduler_timer_id (priv->runtime->sched),
                                       priv->address.id, kind, func, user_data, destroy);

  janus_timer_set_add (ensure_timers (self), timer);
  janus_scheduler_add_timer (priv->runtime->sched, timer, due);
  return timer->id;
}

#define CHECK_TIMER_CALLER(self, val)                                           \
  G_STMT_START {                                                                \
    JanusAgentState s_ = janus_agent_private_state (P (self));                  \
    if (G_UNLIKELY (s_ == JANUS_AGENT_STATE_UNBORN || s_ >= JANUS_AGENT_STATE_DIED)) \
      {                                                                         \
        g_autofree char *who_ = janus_agent_describe (self);                    \
        g_critical ("%s: %s is not running", G_STRFUNC, who_);                  \
        return val;                                                             \
      }                                                                         \
    if (G_UNLIKELY (!janus_agent_check_owner (self)))                           \
      {                                                                         \
        g_autofree char *who_ = janus_agent_describe (self);                    \
        g_critical ("%s: %s: timers are set from its own steps",                \
                    G_STRFUNC, who_);                                           \
        return val;                                                             \
      }                                                                         \
  } G_STMT_END

/**
 * janus_agent_call_in:
 * @self: the agent (call from its own step)
 * @delay: microseconds from now, 0 or more, on the kernel's clock
 * @func: (scope notified) (closure user_data) (destroy destroy): what to do
 * @user_data: (nullable): data for @func
 * @destroy: (nullable): frees @user_data once the timer ran or was
 *   cancelled
 *
 * Runs @func in the agent's first step after @delay has passed: the agent
 * becomes runnable then (a waiting agent is woken), its due timers run at
 * the start of that step — before its `live` — oldest first, and timers due
 * at the same time in the order they were set. Timers live in a heap per
 * worker (no [struct@GLib.Source] each). Under a virtual clock ([class@Janus.Clock])
 * they fire exactly when the clock reaches them. A timer of an agent that
 * died never runs.
 *
 * Returns: the timer's identifier, for [method@Janus.Agent.cancel_timer]
 */
guint64
janus_agent_call_in (JanusAgent     *self,
                     gint64          delay,
                     JanusTimerFunc  func,
                     gpointer        user_data,
                     GDestroyNotify  destroy)
{
  g_return_val_if_fail (janus_is_agent (self), 0);
  g_return_val_if_fail (delay >= 0, 0);
  g_return_val_if_fail (func != NULL, 0);
  CHECK_TIMER_CALLER (self, 0);

  return add_timer (self, due_after (self, delay),
                    JANUS_TIMER_CALL, func, user_data, destroy);
}

/**
 * janus_agent_call_at:
 * @self: the agent (call from its own step)
 * @time: when, on the kernel's clock ([method@Janus.Kernel.get_time])
 * @func: (scope notified) (closure user_data) (destroy destroy): what to do
 * @user_data: (nullable): data for @func
 * @destroy: (nullable): frees @user_data once the timer ran or was
 *   cancelled
 *
 * Like [method@Janus.Agent.call_in], at the kernel time @time (a time in
 * the past runs at the next step).
 *
 * Returns: the timer's identifier, for [method@Janus.Agent.cancel_timer]
 */
guint64
janus_agent_call_at (JanusAgent     *self,
                     gint64          time,
                     JanusTimerFunc  func,
                     gpointer        user_data,
                     GDestroyNotify  destroy)
{
  gint64 due;

  g_return_val_if_fail (janus_is_agent (self), 0);
  g_return_val_if_fail (func != NULL, 0);
  CHECK_TIMER_CALLER (self, 0);

  /* the real clock's timers follow the monotonic clock: translate */
  if (__builtin_sub_overflow (time, janus_clock_get_time (janus_scheduler_get_clock (RT (self)->sched)), &due))
    due = time < 0 ? 0 : G_MAXINT64;
  due = due_after (self, MAX (due, 0));
  return add_timer (self, due, JANUS_TIMER_CALL, func, user_data, destroy);
}

/**
 * janus_agent_cancel_timer:
 * @self: the agent (call from its own step)
 * @timer_id: an identifier from [method@Janus.Agent.call_in] or
 *   [method@Janus.Agent.call_at]
 *
 * Cancels a timer that has not run yet. Its callback will not run; its
 * destroy function still runs, but only once the entry leaves the timer
 * heap: when the timer's due time passes, or earlier when it reaches the
 * top of the heap, or at kernel shutdown; possibly on another worker's
 * thread.
 *
 * Returns: `TRUE` if the timer was pending and will not run
 */
gboolean
janus_agent_cancel_timer (JanusAgent *self,
                          guint64     timer_id)
{
  JanusAgentExtra *extra;
  JanusTimer *timer;

  g_return_val_if_fail (janus_is_agent (self), FALSE);
  CHECK_TIMER_CALLER (self, FALSE);

  extra = peek_extra (P (self));
  timer = extra && extra->timers && timer_id != 0
          ? janus_timer_set_find (extra->timers, timer_id, JANUS_TIMER_CALL) : NULL;
  if (timer == NULL)
    return FALSE;
  cancel_timer (self, timer);
  return TRUE;
}

/**
 * janus_agent_get_timer_count:
 * @self: an agent
 *
 * Counts the agent's timers that have not run nor been cancelled (a
 * sleep included). Call from the agent's own step.
 *
 * Returns: the number of pending timers
 */
guint
janus_agent_get_timer_count (JanusAgent *self)
{
  JanusAgentExtra *extra;

  g_return_val_if_fail (janus_is_agent (self), 0);

  extra = peek_extra (P (self));
  return extra && extra->timers ? extra->timers->n_pending : 0;
}

/**
 * janus_agent_sleep:
 * @self: the agent (call from its own step)
 * @duration: microseconds on the kernel's clock, 0 or more
 *
 * Makes the agent sleep for @duration without blocking anything: a light
 * agent finishes its current step, then is not stepped again (its `live`
 * and its roles do not run; messages wait in its mailbox) until @duration
 * has passed — it is then woken. A heavy agent's thread blocks until then.
 * A kill or [method@Janus.Agent.wake] ends the sleep earlier. Sleeping again replaces the previous sleep.
 */
void
janus_agent_sleep (JanusAgent *self,
                   gint64      duration)
{
  JanusAgentPrivate *priv;
  JanusTimer *timer;

  g_return_if_fail (janus_is_agent (self));
  g_return_if_fail (duration >= 0);
  CHECK_TIMER_CALLER (self, );

  priv = P (self);
  timer = janus_timer_set_find (ensure_timers (self), 0, JANUS_TIMER_SLEEP);
  if (timer != NULL)
    cancel_timer (self, timer);
  priv->run.mbox.owner_flags |= JANUS_AGENT_FLAG_SLEEPING;
  add_timer (self, due_after (self, duration), JANUS_TIMER_SLEEP, NULL, NULL, NULL);
  if (janus_mbox_is_heavy (&priv->run.mbox) && janus_agent_get_current () == self)
    {
      gboolean arrived = FALSE;

      /* the heavy thread itself waits: arrivals do not end a sleep */
      for (;;)
        {
          /* arrivals wait in the queue; due timers run (one ends the sleep) */
          if (janus_mbox_look (&priv->run.mbox) != NULL)
            arrived = TRUE;
          janus_agent_run_due_timers (self);
          if (!(priv->run.mbox.owner_flags & JANUS_AGENT_FLAG_SLEEPING)
              || (atomic_load_explicit (&priv->run.mbox.requests, memory_order_acquire) & JANUS_REQUEST_KILL))
            break;
          janus_agent_wait_arrival (self, -1);
          /* janus_agent_wake ends the sleep (a wake-up of the library's
           * own layers does not) */
          if (atomic_fetch_and_explicit (&priv->run.mbox.requests,
                                         (guint16) ~JANUS_REQUEST_END_SLEEP,
                                         memory_order_acq_rel) & JANUS_REQUEST_END_SLEEP)
            {
              janus_agent_end_sleep (self);
              break;
            }
        }
      /* what arrived meanwhile was taken into the queue, unseen: the
       * agent's next wait must not sleep on it */
      if (arrived)
        atomic_fetch_or_explicit (&priv->run.mbox.requests, JANUS_REQUEST_WAKE,
                                  memory_order_acq_rel);
    }
}

/* A wake-up ends the agent's sleep (Janus's wakeUpIfSleeping): its sleep
 * timer is cancelled and its live runs again. Owner only, in its turn. */
void
janus_agent_end_sleep (JanusAgent *self)
{
  JanusAgentPrivate *priv = P (self);
  JanusTimer *timer;

  if (!(priv->run.mbox.owner_flags & JANUS_AGENT_FLAG_SLEEPING))
    return;
  priv->run.mbox.owner_flags &= ~JANUS_AGENT_FLAG_SLEEPING;
  timer = janus_timer_set_find (ensure_timers (self), 0, JANUS_TIMER_SLEEP);
  if (timer != NULL)
    cancel_timer (self, timer);
}

/**
 * janus_agent_is_sleeping:
 * @self: an agent
 *
 * Tells whether the agent is in a [method@Janus.Agent.sleep]. Call from
 * the agent's own step.
 *
 * Returns: whether it sleeps
 */
gboolean
janus_agent_is_sleeping (JanusAgent *self)
{
  g_return_val_if_fail (janus_is_agent (self), FALSE);

  return (P (self)->run.mbox.owner_flags & JANUS_AGENT_FLAG_SLEEPING) != 0;
}

