/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdalign.h>
#include <stdatomic.h>

#include "janus-clock.h"
#include "janus-epoch-private.h"
#include "janus-mailbox-private.h"
#include "janus-registry-private.h"
#include "janus-runqueue-private.h"
#include "janus-timer-private.h"

G_BEGIN_DECLS

/* The execution core (PRIOR-ART "Recommended design"). The scheduler runs
 * runnables — what it knows of an agent: its mailbox and a run-queue link —
 * through a small vtable (JanusRunnableClass) that the agent layer gives it;
 * it never calls agent code by name.
 *
 *  - each worker owns a run queue: a one-runnable `runnext` slot (what a
 *    turn just woke runs next, on the same worker: ping-pong partners and
 *    ring tokens never leave their core) and a 256-slot ring that idle
 *    workers steal half of;
 *  - runnables woken from outside any worker go to the inject stack;
 *  - a worker with nothing to do spins briefly, then parks on a futex; it is
 *    woken only when another worker has surplus work and nobody is already
 *    searching, so an idle scheduler costs no CPU;
 *  - with 0 workers the thread that drives it (run, step or a GSource) is
 *    the only worker and runs runnables in strict FIFO order;
 *  - heavy runnables get a thread of their own, which the scheduler starts
 *    and joins;
 *  - timers live in a heap per worker (and a shared one for timers made
 *    outside workers); a due timer is pushed to its owner's mailbox. */

typedef struct _JanusScheduler JanusScheduler;
typedef struct _JanusWorker JanusWorker;

/* What the scheduler knows of an agent. The mailbox comes first: a
 * runnable is 40 bytes with no padding. `rq_next` belongs to whoever holds
 * the right to schedule the runnable. */
struct _JanusRunnable
{
  JanusMbox      mbox;
  JanusRunnable *rq_next;
};

typedef enum {
  JANUS_TURN_SLEEP,    /* the runnable blocked (or another thread owns it now) */
  JANUS_TURN_AGAIN,    /* run it again later: back of the run queue */
  JANUS_TURN_GONE,     /* it died */
} JanusTurnResult;

/* The agent layer's side of a runnable. */
typedef struct
{
  JanusTurnResult (*run)        (JanusRunnable *r);    /* one turn of a light runnable */
  void            (*run_heavy)  (JanusRunnable *r);    /* a heavy runnable's thread */
  void            (*wake_heavy) (JanusRunnable *r);    /* its thread sleeps: wake it */
  gpointer        (*object)     (JanusRunnable *r);    /* the GObject it lives in */
} JanusRunnableClass;

/* Whether a thread driving a scheduler without workers may return. */
typedef gboolean (*JanusSchedulerStopFunc) (gpointer data);

/* Called on each thread the scheduler makes, when it starts and when it
 * stops (janus_scheduler_add_thread_hook). */
typedef void (*JanusSchedulerThreadFunc) (JanusThreadEvent event,
                                          JanusThreadKind  kind,
                                          gpointer         data);

struct _JanusWorker
{
  /* owned by the worker's thread */
  JanusScheduler *sched;
  guint           index;
  GThread        *thread;
  JanusRunnable  *runnext;
  guint           runnext_streak;
  guint           tick;
  guint64         rng;
  JanusRunnable  *fifo_head;          /* 0-worker mode: the run queue; */
  JanusRunnable  *fifo_tail;          /* otherwise: injected runnables that did */
  guint           fifo_length;        /* not fit in the ring (not stealable) */
  JanusLimbo      limbo;
  guint           retry_usec;         /* parked with retired objects held back */
  gboolean        in_turn;
  gint64          turn_time;          /* timestamp of this turn's sends, 0 = unread */
  JanusTimerHeap  timers;             /* timers made by steps run here */

  /* shared with thieves */
  JanusRing       ring;

  /* futex word: PARKED while the worker sleeps */
  alignas (64) atomic_int park;
};

enum {
  JANUS_PARK_RUNNING = 0,
  JANUS_PARK_PARKED = 1,
  JANUS_PARK_NOTIFIED = 2,
};

JanusScheduler *janus_scheduler_new        (guint                      n_workers,
                                            const JanusRunnableClass  *klass,
                                            JanusRegistry             *registry,
                                            const char                *name,
                                            JanusSchedulerStopFunc     should_stop,
                                            gpointer                   data);
void            janus_scheduler_free       (JanusScheduler            *s);
void            janus_scheduler_start      (JanusScheduler            *s);
void            janus_scheduler_stop       (JanusScheduler            *s);
guint           janus_scheduler_get_n_workers (JanusScheduler         *s);
gboolean        janus_scheduler_add_thread_hook (JanusScheduler           *s,
                                                 JanusSchedulerThreadFunc  func,
                                                 gpointer                  data,
                                                 GDestroyNotify            destroy);

/* The worker the calling thread is, if any. */
extern __thread JanusWorker *janus_scheduler_tls_worker __attribute__ ((tls_model ("initial-exec")));

static inline JanusWorker *
janus_scheduler_current (void)
{
  return janus_scheduler_tls_worker;
}

void            janus_scheduler_schedule   (JanusScheduler  *s,
                                            JanusRunnable   *r);

/* Pushes @m onto @r's mailbox, posting @requests (0 for a plain letter)
 * after it, and schedules @r if it slept. FALSE if @r is dead: @m was not
 * taken. The one way anything enters a mailbox. */
static inline gboolean
janus_scheduler_push (JanusScheduler *s,
                      JanusRunnable  *r,
                      JanusMessage   *m,
                      guint           requests)
{
  JanusPushResult res = janus_inbox_push (&r->mbox.inbox, m);

  if (G_UNLIKELY (res == JANUS_PUSH_CLOSED))
    return FALSE;
  /* after the push: an owner that sees the request finds what it is for */
  if (requests != 0)
    atomic_fetch_or_explicit (&r->mbox.requests, requests, memory_order_seq_cst);
  /* from here the message may already be freed by its receiver */
  if (res == JANUS_PUSH_UNBLOCKED)
    janus_scheduler_schedule (s, r);
  return TRUE;
}

/* Posts @requests to @r (kill, wake) and schedules it if it slept. */
static inline void
janus_scheduler_request (JanusScheduler *s,
                         JanusRunnable  *r,
                         guint           requests)
{
  if (janus_mbox_request (&r->mbox, requests))
    janus_scheduler_schedule (s, r);
}

void            janus_scheduler_spawn_heavy (JanusScheduler *s,
                                             JanusRunnable  *r,
                                             guint64         id);
void            janus_scheduler_join_heavy (JanusScheduler  *s);
void            janus_scheduler_retire     (JanusScheduler  *s,
                                            gpointer         data,
                                            GDestroyNotify   destroy);
gboolean        janus_scheduler_may_read   (JanusScheduler  *s,
                                            JanusRunnable   *r);
void            janus_scheduler_wake_all   (JanusScheduler  *s);
typedef enum {
  JANUS_DRIVE_IDLE,    /* nothing runnable nor pending is left */
  JANUS_DRIVE_MORE,    /* runnables or timers are left */
  JANUS_DRIVE_BUSY,    /* another thread drives it: nothing was done */
  JANUS_DRIVE_NESTED,  /* this thread drives it already, further up: nothing was done */
  JANUS_DRIVE_CLOSED,  /* stopped: nobody drives it any more */
} JanusDriveResult;

JanusDriveResult janus_scheduler_drive     (JanusScheduler  *s,
                                            gint             max_turns,
                                            gboolean         one_round,
                                            gboolean         block);
gboolean        janus_scheduler_close_driver (JanusScheduler *s);
gboolean        janus_scheduler_driven_elsewhere (JanusScheduler *s);
gboolean        janus_scheduler_runs_on_this_thread (void);
gboolean        janus_scheduler_has_work   (JanusScheduler  *s);
gint64          janus_scheduler_next_timeout (JanusScheduler *s);
void            janus_scheduler_kick       (JanusScheduler  *s);
void            janus_scheduler_set_context (JanusScheduler *s,
                                             GMainContext   *context);
gboolean        janus_scheduler_is_driving (JanusScheduler  *s);

/* time */
JanusClock     *janus_scheduler_get_clock  (JanusScheduler  *s);
void            janus_scheduler_set_clock  (JanusScheduler  *s,
                                            JanusClock      *clock);
gint64          janus_scheduler_read_clock (JanusScheduler  *s);
gint64          janus_scheduler_monotonic_time (JanusScheduler *s);

/* The send time of a message: the time of the sending step (the clock is
 * read once per step, at its first send), or now outside any step. */
static inline gint64
janus_scheduler_timestamp (JanusScheduler *s)
{
  JanusWorker *w = janus_scheduler_current ();

  if (w != NULL && w->in_turn)
    {
      if (G_UNLIKELY (w->turn_time == 0))
        w->turn_time = janus_scheduler_read_clock (s);
      return w->turn_time;
    }
  return janus_scheduler_read_clock (s);
}

/* timers */
void            janus_scheduler_add_timer  (JanusScheduler  *s,
                                            JanusTimer      *timer,
                                            gint64           due);
guint64         janus_scheduler_timer_id   (JanusScheduler  *s);
gboolean        janus_scheduler_timers_pending (JanusScheduler *s);
void            janus_scheduler_timer_cancelled (JanusScheduler *s);

/* random choices */
guint64         janus_scheduler_random     (void);
void            janus_scheduler_seed       (JanusScheduler  *s,
                                            guint64          seed);

G_END_DECLS
