/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdalign.h>
#include <stdatomic.h>

#include "janus-types.h"
#include "janus-epoch-private.h"
#include "janus-timer-private.h"
#include "janus-clock.h"

G_BEGIN_DECLS

/* The execution core (PRIOR-ART "Recommended design"):
 *
 *  - each worker owns a run queue: a one-agent `runnext` slot (the agent a
 *    turn just woke runs next, on the same worker: ping-pong partners and
 *    ring tokens never leave their core) and a 256-slot ring that idle
 *    workers steal half of;
 *  - agents woken from outside any worker go to the kernel's inject stack;
 *  - a worker with nothing to do spins briefly, then parks on a futex; it is
 *    woken only when another worker has surplus work and nobody is already
 *    searching, so an idle kernel costs no CPU;
 *  - with 0 workers the thread that drives the kernel (run, step or a
 *    GSource) is the only worker and runs agents in strict FIFO order. */

#define JANUS_RING_SIZE 256u
#define JANUS_RING_MASK (JANUS_RING_SIZE - 1)

typedef struct _JanusWorker JanusWorker;

typedef struct
{
  /* inject: LIFO stack of agents linked through rq_next, taken whole */
  alignas (64) JanusAgent *_Atomic inject;
  /* number of workers looking for work / parked (the Go and Tokio rule:
   * wake somebody only if nobody is searching and somebody sleeps) */
  alignas (64) atomic_uint nsearching;
  atomic_uint            nparked;
  /* 0-worker mode: the thread driving the kernel now, if any */
  GThread *_Atomic       driver;
  atomic_int             driver_wake;    /* futex word of a parked driver */
  GMainContext *_Atomic  context;        /* where a JanusKernel source is attached */
  atomic_bool            shutdown;       /* workers leave their loops */
  /* timers made outside workers (heavy agents): any worker fires them */
  GMutex                 shared_lock;
  JanusTimerHeap         shared_timers;
  _Atomic gint64         shared_next;    /* due of its earliest, G_MAXINT64 if none */
  _Atomic guint64        timer_ids;
  atomic_uint            n_timers;       /* pending, not cancelled, in all heaps */
} JanusScheduler;

struct _JanusWorker
{
  /* owned by the worker's thread */
  JanusKernel   *kernel;
  guint          index;
  GThread       *thread;
  JanusAgent    *runnext;
  guint          runnext_streak;
  guint          tick;
  guint64        rng;
  JanusAgent    *fifo_head;          /* 0-worker mode: the run queue; */
  JanusAgent    *fifo_tail;          /* otherwise: injected agents that did */
  guint          fifo_length;        /* not fit in the ring (not stealable) */
  JanusLimbo     limbo;
  gboolean       in_turn;
  gint64         turn_time;          /* timestamp of this turn's sends, 0 = unread */
  JanusTimerHeap timers;             /* timers made by steps run here */

  /* shared with thieves: ring_head packs (steal << 32 | real) so a thief
   * can claim a range while the owner keeps popping (Tokio's queue.rs) */
  alignas (64) _Atomic guint64 ring_head;
  atomic_uint    ring_tail;
  _Atomic (JanusAgent *) ring[JANUS_RING_SIZE];

  /* futex word: PARKED while the worker sleeps */
  alignas (64) atomic_int park;
};

enum {
  JANUS_PARK_RUNNING = 0,
  JANUS_PARK_PARKED = 1,
  JANUS_PARK_NOTIFIED = 2,
};

typedef enum {
  JANUS_TURN_SLEEP,    /* the agent blocked (or another thread owns it now) */
  JANUS_TURN_AGAIN,    /* run it again later: back of the run queue */
  JANUS_TURN_GONE,     /* the agent died */
} JanusTurnResult;

JanusWorker *janus_worker_new           (JanusKernel  *kernel,
                                         guint         index);
void         janus_worker_free          (JanusWorker  *worker);
void         janus_worker_start         (JanusWorker  *worker);
void         janus_worker_join          (JanusWorker  *worker);

/* The worker the calling thread is, if any. */
extern __thread JanusWorker *janus_scheduler_tls_worker __attribute__ ((tls_model ("initial-exec")));

static inline JanusWorker *
janus_scheduler_current (void)
{
  return janus_scheduler_tls_worker;
}

void         janus_scheduler_schedule   (JanusKernel  *kernel,
                                         JanusAgent   *agent);
void         janus_scheduler_wake_all   (JanusKernel  *kernel);
gboolean     janus_scheduler_drive      (JanusKernel  *kernel,
                                         gint          max_turns,
                                         gboolean      one_round,
                                         gboolean      block);
gboolean     janus_scheduler_has_work   (JanusKernel  *kernel);
void         janus_scheduler_kick       (JanusKernel  *kernel);
void         janus_scheduler_add_timer  (JanusKernel  *kernel,
                                         JanusTimer   *timer,
                                         gint64        due);
guint64      janus_scheduler_timer_id   (JanusKernel  *kernel);
gboolean     janus_scheduler_timers_pending (JanusKernel *kernel);
gint64       janus_scheduler_next_timeout (JanusKernel *kernel);
void         janus_scheduler_timer_cancelled (JanusKernel *kernel);
void         janus_scheduler_shutdown   (JanusKernel  *kernel);
guint64      janus_scheduler_random     (void);
void         janus_scheduler_seed       (JanusKernel  *kernel,
                                         guint64       seed);

G_END_DECLS
