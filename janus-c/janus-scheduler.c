/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <linux/futex.h>
#include <sched.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "janus-clock-private.h"
#include "janus-scheduler-private.h"

/* How long an idle worker keeps looking for work before it parks. Short and
 * bounded: spinning workers burn CPU (PRIOR-ART §3, the riak lesson). */
#define SPIN_NSEC            (30 * 1000)
/* A woken agent may run from the runnext slot this many times in a row
 * before the ring gets a turn (fairness, Tokio's MAX_LIFO_POLLS_PER_TICK). */
#define RUNNEXT_MAX          32
/* Every INJECT_INTERVAL ticks a busy worker looks at the inject stack first,
 * so agents woken from outside are not starved (Go's 61). */
#define INJECT_INTERVAL      61
/* Retired agents are collected every COLLECT_INTERVAL turns. */
#define COLLECT_INTERVAL     64
/* A 0-worker source runs at most this many turns per dispatch. */
#define SOURCE_BUDGET        256
/* A parked worker (or driver) that could not free everything retired looks
 * again after this long, doubling up to RETRY_MAX_USEC: what another
 * thread's epoch held back is freed even if nothing else wakes it. */
#define RETRY_MIN_USEC       1000
#define RETRY_MAX_USEC       (64 * 1000)

/* The value of `driver` once the scheduler stopped: nobody drives it again. */
#define DRIVER_CLOSED        ((GThread *) GINT_TO_POINTER (1))

struct _JanusScheduler
{
  /* immutable after janus_scheduler_new */
  guint                     n_workers;       /* 0: the caller's thread drives */
  JanusWorker             **workers;         /* MAX (n_workers, 1) entries */
  const JanusRunnableClass *klass;
  JanusRegistry            *registry;        /* borrowed: whose ids timers name */
  const char               *name;            /* borrowed, for messages */
  JanusSchedulerStopFunc    should_stop;
  gpointer                  stop_data;

  /* inject: LIFO stack of runnables linked through rq_next, taken whole */
  alignas (64) JanusRunnable *_Atomic inject;
  /* number of workers looking for work / parked (the Go and Tokio rule:
   * wake somebody only if nobody is searching and somebody sleeps) */
  alignas (64) atomic_uint nsearching;
  atomic_uint            nparked;
  /* 0-worker mode: the thread driving now, if any */
  GThread *_Atomic       driver;
  atomic_int             driver_wake;    /* futex word of a parked driver */
  GMainContext *_Atomic  context;        /* where a JanusKernel source is attached */
  atomic_bool            shutdown;       /* workers leave their loops */
  atomic_bool            started;        /* the worker threads run */
  /* timers made outside workers (heavy agents): any worker fires them */
  GMutex                 shared_lock;
  JanusTimerHeap         shared_timers;
  _Atomic gint64         shared_next;    /* due of its earliest, G_MAXINT64 if none */
  _Atomic guint64        timer_ids;
  atomic_uint            n_timers;       /* pending, not cancelled, in all heaps */
  JanusClock *_Atomic    clock;          /* strong; replaced before runnables run */
  atomic_bool            clock_virtual;  /* that clock's (immutable) kind */

  /* `lock` guards the threads; `cond` is signalled when a heavy thread ends */
  GMutex                 lock;
  GCond                  cond;
  GPtrArray             *heavy_threads;   /* GThread of running heavy runnables */
  GPtrArray             *finished_threads;/* GThread of ended ones, to join */
  /* ThreadHook, added under `lock` until the first thread is made
   * (threads_made), then immutable: the threads read it without a lock */
  GArray                *thread_hooks;
  gboolean               threads_made;
};

__thread JanusWorker *janus_scheduler_tls_worker __attribute__ ((tls_model ("initial-exec")));
#define tls_worker janus_scheduler_tls_worker
/* Set on a heavy runnable's thread, for its whole life. */
static __thread gboolean tls_heavy __attribute__ ((tls_model ("initial-exec")));
static __thread guint64 tls_rng __attribute__ ((tls_model ("initial-exec")));


/* splitmix64: turns a seed into a well-mixed non-zero generator state */
static guint64
mix_seed (guint64 x)
{
  x += G_GUINT64_CONSTANT (0x9E3779B97F4A7C15);
  x = (x ^ (x >> 30)) * G_GUINT64_CONSTANT (0xBF58476D1CE4E5B9);
  x = (x ^ (x >> 27)) * G_GUINT64_CONSTANT (0x94D049BB133111EB);
  x ^= x >> 31;
  return x != 0 ? x : 1;
}

static inline guint64
xorshift (guint64 *state)
{
  guint64 x = *state;

  x ^= x >> 12;
  x ^= x << 25;
  x ^= x >> 27;
  *state = x;
  return x * G_GUINT64_CONSTANT (0x2545F4914F6CDD1D);
}

/* Randomness for victims and random choices (xorshift64*). On a worker it
 * comes from the worker's generator, seeded from the kernel's seed, so a
 * 0-worker kernel makes the same choices on every run; other threads use a
 * randomly seeded per-thread generator. */
guint64
janus_scheduler_random (void)
{
  JanusWorker *w = tls_worker;

  if (w != NULL)
    return xorshift (&w->rng);
  if (G_UNLIKELY (tls_rng == 0))
    tls_rng = mix_seed ((guint64) g_random_int () << 32 | g_random_int ());
  return xorshift (&tls_rng);
}

/* Re-seeds every worker: worker i starts from mix (seed + i). */
void
janus_scheduler_seed (JanusScheduler *s,
                      guint64      seed)
{
  guint i, n = MAX (s->n_workers, 1);

  for (i = 0; i < n; i++)
    s->workers[i]->rng = mix_seed (seed + i);
}

/* ------------------------------------------------------------------ futex */

static void
futex_wait (atomic_int *word,
            int         expected,
            const struct timespec *timeout)
{
  syscall (SYS_futex, (int *) word, FUTEX_WAIT_PRIVATE, expected, timeout, NULL, 0);
}

/* The same with a time-out; TRUE if it expired. */
static gboolean
futex_wait_timed_out (atomic_int            *word,
                      int                    expected,
                      const struct timespec *timeout)
{
  return syscall (SYS_futex, (int *) word, FUTEX_WAIT_PRIVATE, expected, timeout, NULL, 0) == -1
         && errno == ETIMEDOUT;
}

static void
futex_wake (atomic_int *word)
{
  syscall (SYS_futex, (int *) word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

static inline void
cpu_relax (void)
{
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause ();
#elif defined(__aarch64__)
  __asm__ volatile ("yield");
#endif
}

static gint64
now_nsec (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (gint64) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* ------------------------------------------------------------------ time */

static inline JanusClock *
clock_of (JanusScheduler *s)
{
  return atomic_load_explicit (&s->clock, memory_order_acquire);
}

static gboolean
clock_is_virtual (JanusScheduler *s)
{
  return janus_clock_is_virtual (clock_of (s));
}

/* The time timers follow (the monotonic clock, or the virtual time). */
static gint64
monotonic_time (JanusScheduler *s)
{
  return janus_clock_get_monotonic_time (clock_of (s));
}

gint64
janus_scheduler_monotonic_time (JanusScheduler *s)
{
  return monotonic_time (s);
}

/* Message timestamps: the virtual time, or the coarse wall clock (a few ns
 * instead of ~30, at a few ms resolution). */
gint64
janus_scheduler_read_clock (JanusScheduler *s)
{
  struct timespec ts;

  /* the kind kept here: no type check of the clock per step */
  if (G_UNLIKELY (atomic_load_explicit (&s->clock_virtual, memory_order_relaxed)))
    return janus_clock_get_time (clock_of (s));
  clock_gettime (CLOCK_REALTIME_COARSE, &ts);
  return (gint64) ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}

JanusClock *
janus_scheduler_get_clock (JanusScheduler *s)
{
  return clock_of (s);
}

static void
clock_moved (gpointer data)
{
  JanusScheduler *s = data;

  /* timers may be due: parked workers (or a parked driver) look again; the
   * driver moving the clock itself needs no wake-up */
  if (s->n_workers > 0)
    janus_scheduler_wake_all (s);
  else if (atomic_load_explicit (&s->driver, memory_order_acquire) != g_thread_self ())
    janus_scheduler_kick (s);
}

/* Replaces the clock (before any timer is pending). */
void
janus_scheduler_set_clock (JanusScheduler *s,
                           JanusClock     *clock)
{
  JanusClock *old = clock_of (s);

  if (old == clock)
    return;
  if (old != NULL)
    janus_clock_remove_listener (old, clock_moved, s);
  janus_clock_add_listener (clock, clock_moved, s);
  atomic_store_explicit (&s->clock_virtual, janus_clock_is_virtual (clock), memory_order_relaxed);
  atomic_store_explicit (&s->clock, g_object_ref (clock), memory_order_release);
  g_clear_object (&old);
}

/* ------------------------------------------------------------------ timers
 *
 * Each worker keeps the timers its steps made in its own heap and fires
 * them; timers made elsewhere (heavy agents, the driving thread outside a
 * step) go to the kernel's shared heap, which every worker looks at. A due
 * timer is delivered to its agent as an internal message. */

guint64
janus_scheduler_timer_id (JanusScheduler *s)
{
  return atomic_fetch_add_explicit (&s->timer_ids, 1, memory_order_relaxed) + 1;
}

gboolean
janus_scheduler_timers_pending (JanusScheduler *s)
{
  return atomic_load_explicit (&s->n_timers, memory_order_acquire) > 0;
}

/* Called by the owner of @timer's agent (in its step, or its heavy thread). */
void
janus_scheduler_add_timer (JanusScheduler *s,
                           JanusTimer  *timer,
                           gint64       due)
{
    JanusWorker *w = tls_worker;
  gint64 next;

  atomic_fetch_add_explicit (&s->n_timers, 1, memory_order_relaxed);
  if (w != NULL && w->sched == s)
    {
      janus_timer_heap_push (&w->timers, timer, due);
      return;
    }
  g_mutex_lock (&s->shared_lock);
  janus_timer_heap_push (&s->shared_timers, timer, due);
  next = janus_timer_heap_next_due (&s->shared_timers);
  atomic_store_explicit (&s->shared_next, next, memory_order_release);
  g_mutex_unlock (&s->shared_lock);
  /* parked workers (or the driver) compute a new deadline */
  if (next == due)
    janus_scheduler_wake_all (s);
}

/* The owner cancelled a timer: it no longer counts as pending. */
void
janus_scheduler_timer_cancelled (JanusScheduler *s)
{
  atomic_fetch_sub_explicit (&s->n_timers, 1, memory_order_relaxed);
}

/* A due timer goes to its owner as an internal message; the owner's next
 * step runs it. An owner that is gone drops it silently (a timer is not a
 * letter). */
static void
deliver_timer (JanusScheduler *s,
               JanusTimer     *timer)
{
  JanusMessage *m = janus_message_new_internal (timer);
  JanusRunnable *r;
  gboolean taken;

  janus_epoch_enter ();
  r = janus_registry_lookup (s->registry, timer->owner_id);
  taken = r != NULL && janus_scheduler_push (s, r, m, JANUS_REQUEST_TIMER);
  janus_epoch_exit ();
  if (!taken)
    {
      janus_message_unref (m);
      janus_timer_free (timer);
    }
}

static void
deliver_due (JanusScheduler *s,
             JanusTimer  *timer)
{
  int pending = JANUS_TIMER_PENDING;

  /* acq_rel: against the owner's cancel of the same timer */
  if (atomic_compare_exchange_strong_explicit (&timer->state, &pending, JANUS_TIMER_FIRED,
                                               memory_order_acq_rel, memory_order_acquire))
    {
      atomic_fetch_sub_explicit (&s->n_timers, 1, memory_order_relaxed);
      deliver_timer (s, timer);
    }
  else
    janus_timer_free (timer);   /* cancelled while in the heap */
}

/* Drops cancelled timers from the top of @heap, so the earliest due time is
 * one that will fire. */
static void
prune_cancelled (JanusTimerHeap *heap)
{
  while (heap->len > 0
         && atomic_load_explicit (&heap->slots[0].timer->state, memory_order_acquire)
            == JANUS_TIMER_CANCELLED)
    janus_timer_free (janus_timer_heap_pop_due (heap, G_MAXINT64));
}

/* Fires what is due at @now in @w's heap and in the shared one. */
static void
fire_due (JanusWorker *w,
          gint64       now)
{
  JanusScheduler *s = w->sched;
  JanusTimer *timer, *batch[32];
  guint i, n;

  while ((timer = janus_timer_heap_pop_due (&w->timers, now)) != NULL)
    deliver_due (w->sched, timer);
  /* the shared heap's due timers are taken under its lock, a batch at a
   * time, and delivered outside it. Not linked through their next field:
   * until its owner takes the fired timer, that field links the owner's
   * pending list, which the owner may be changing (cancelling) meanwhile */
  do
    {
      if (atomic_load_explicit (&s->shared_next, memory_order_acquire) > now)
        return;
      n = 0;
      g_mutex_lock (&s->shared_lock);
      while (n < G_N_ELEMENTS (batch)
             && (timer = janus_timer_heap_pop_due (&s->shared_timers, now)) != NULL)
        batch[n++] = timer;
      atomic_store_explicit (&s->shared_next, janus_timer_heap_next_due (&s->shared_timers),
                             memory_order_release);
      g_mutex_unlock (&s->shared_lock);
      for (i = 0; i < n; i++)
        deliver_due (w->sched, batch[i]);
    }
  while (n == G_N_ELEMENTS (batch));
}

/* The earliest due time this worker must wake up for (the owner prunes
 * cancelled timers off the tops first). */
static gint64
next_due (JanusWorker *w)
{
  JanusScheduler *s = w->sched;

  prune_cancelled (&w->timers);
  if (atomic_load_explicit (&s->shared_next, memory_order_acquire) != G_MAXINT64)
    {
      g_mutex_lock (&s->shared_lock);
      prune_cancelled (&s->shared_timers);
      atomic_store_explicit (&s->shared_next, janus_timer_heap_next_due (&s->shared_timers),
                             memory_order_release);
      g_mutex_unlock (&s->shared_lock);
    }
  return MIN (janus_timer_heap_next_due (&w->timers),
              atomic_load_explicit (&s->shared_next, memory_order_acquire));
}

static gboolean
has_timers (JanusWorker *w)
{
  return w->timers.len > 0
         || atomic_load_explicit (&w->sched->shared_next, memory_order_relaxed) != G_MAXINT64;
}

static void
maybe_fire (JanusWorker *w)
{
  if (G_UNLIKELY (has_timers (w)))
    fire_due (w, monotonic_time (w->sched));
}

/* ---------------------------------------------------------------- inject
 *
 * Agents made runnable outside any of the kernel's workers. A LIFO stack
 * linked through rq_next: pushed with a CAS, taken whole with an exchange
 * (so concurrent consumers never pop single nodes: no ABA). */

/* TRUE when the stack was empty (the caller must make sure somebody looks). */
static gboolean
inject_push_chain (JanusScheduler *s,
                   JanusRunnable  *first,
                   JanusRunnable  *last)
{
    JanusRunnable *old = atomic_load_explicit (&s->inject, memory_order_relaxed);

  /* seq_cst: the push is the "publish work" half of the Dekker pairs with
   * parking workers and a parking 0-worker driver */
  do
    last->rq_next = old;
  while (!atomic_compare_exchange_weak_explicit (&s->inject, &old, first,
                                                 memory_order_seq_cst,
                                                 memory_order_relaxed));
  return old == NULL;
}

/* Takes every injected agent, oldest first. */
static JanusRunnable *
inject_take (JanusScheduler *s)
{
    JanusRunnable *top, *fifo = NULL;

  if (atomic_load_explicit (&s->inject, memory_order_relaxed) == NULL)
    return NULL;
  /* acquire: pairs with the pushers' CAS (the agents' state is visible) */
  top = atomic_exchange_explicit (&s->inject, NULL, memory_order_acquire);
  while (top != NULL)
    {
      JanusRunnable *next = top->rq_next;
      top->rq_next = fifo;
      fifo = top;
      top = next;
    }
  return fifo;
}

static gboolean
inject_is_empty (JanusScheduler *s)
{
  return atomic_load_explicit (&s->inject, memory_order_seq_cst) == NULL;
}

/* ------------------------------------------------------ waking, parking */

/* Wakes the driver of a 0-worker kernel (run() parked on its futex, or a
 * main loop with the kernel's source attached). */
void
janus_scheduler_kick (JanusScheduler *s)
{
    GMainContext *context;

  if (s->n_workers > 0)
    return;
  /* seq_cst: pairs with the driver's store of 0 and its re-check */
  if (atomic_exchange_explicit (&s->driver_wake, 1, memory_order_seq_cst) == 0)
    futex_wake (&s->driver_wake);
  context = atomic_load_explicit (&s->context, memory_order_acquire);
  if (context != NULL)
    g_main_context_wakeup (context);
}

/* Somebody just made work visible to other workers (ring surplus or the
 * inject stack): wake one parked worker unless somebody is already
 * searching (Go's wakep). The woken worker starts as a searcher. */
static void
notify_parked (JanusScheduler *s)
{
    guint zero = 0, i, start;

  /* seq_cst fence: "publish work, then read the sleepers" (StoreLoad);
   * a parking worker does "announce sleep, then re-scan the work" */
  atomic_thread_fence (memory_order_seq_cst);
  if (atomic_load_explicit (&s->nsearching, memory_order_seq_cst) != 0
      || atomic_load_explicit (&s->nparked, memory_order_seq_cst) == 0)
    return;
  if (!atomic_compare_exchange_strong_explicit (&s->nsearching, &zero, 1,
                                                memory_order_seq_cst,
                                                memory_order_relaxed))
    return;

  start = (guint) (janus_scheduler_random () % s->n_workers);
  for (i = 0; i < s->n_workers; i++)
    {
      JanusWorker *w = s->workers[(start + i) % s->n_workers];
      int parked = JANUS_PARK_PARKED;

      if (atomic_compare_exchange_strong_explicit (&w->park, &parked, JANUS_PARK_NOTIFIED,
                                                   memory_order_seq_cst,
                                                   memory_order_relaxed))
        {
          atomic_fetch_sub_explicit (&s->nparked, 1, memory_order_seq_cst);
          futex_wake (&w->park);
          return;
        }
    }
  /* every parked worker woke up by itself meanwhile */
  atomic_fetch_sub_explicit (&s->nsearching, 1, memory_order_seq_cst);
}

void
janus_scheduler_wake_all (JanusScheduler *s)
{
  guint i;

  for (i = 0; i < s->n_workers; i++)
    {
      JanusWorker *w = s->workers[i];
      int parked = JANUS_PARK_PARKED;

      if (atomic_compare_exchange_strong_explicit (&w->park, &parked, JANUS_PARK_NOTIFIED,
                                                   memory_order_seq_cst,
                                                   memory_order_relaxed))
        {
          atomic_fetch_sub_explicit (&s->nparked, 1, memory_order_seq_cst);
          atomic_fetch_add_explicit (&s->nsearching, 1, memory_order_seq_cst);
          futex_wake (&w->park);
        }
    }
  janus_scheduler_kick (s);
}

/* ---------------------------------------------------------- thread hooks */

typedef struct
{
  JanusSchedulerThreadFunc func;
  gpointer                 data;
  GDestroyNotify           destroy;
} ThreadHook;

/* Adds a hook called on every thread the scheduler makes, on that thread
 * (see janus_kernel_add_thread_hook). FALSE once a thread was made: the
 * hooks are then fixed, and the threads read them without a lock. */
gboolean
janus_scheduler_add_thread_hook (JanusScheduler           *s,
                                 JanusSchedulerThreadFunc  func,
                                 gpointer                  data,
                                 GDestroyNotify            destroy)
{
  ThreadHook hook = { func, data, destroy };
  gboolean added = FALSE;

  g_mutex_lock (&s->lock);
  if (!s->threads_made)
    {
      if (s->thread_hooks == NULL)
        s->thread_hooks = g_array_new (FALSE, FALSE, sizeof (ThreadHook));
      g_array_append_val (s->thread_hooks, hook);
      added = TRUE;
    }
  g_mutex_unlock (&s->lock);
  return added;
}

/* On a thread of the scheduler, outside every lock and outside the epoch
 * (a hook may block, on a binding's lock for instance): started in the
 * order the hooks were added, stopping in the reverse order. */
static void
run_thread_hooks (JanusScheduler  *s,
                  JanusThreadEvent event,
                  JanusThreadKind  kind)
{
  GArray *hooks = s->thread_hooks;
  guint i, n = hooks ? hooks->len : 0;

  for (i = 0; i < n; i++)
    {
      ThreadHook *h = &g_array_index (hooks, ThreadHook,
                                      event == JANUS_THREAD_STARTED ? i : n - 1 - i);
      h->func (event, kind, h->data);
    }
}

static void
free_thread_hooks (JanusScheduler *s)
{
  guint i;

  for (i = 0; s->thread_hooks != NULL && i < s->thread_hooks->len; i++)
    {
      ThreadHook *h = &g_array_index (s->thread_hooks, ThreadHook, i);
      if (h->destroy != NULL)
        h->destroy (h->data);
    }
  g_clear_pointer (&s->thread_hooks, g_array_unref);
}

/* ------------------------------------------------------------- scheduling */

static void
fifo_push (JanusWorker *w,
           JanusRunnable  *agent)
{
  agent->rq_next = NULL;
  if (w->fifo_tail)
    w->fifo_tail->rq_next = agent;
  else
    w->fifo_head = agent;
  w->fifo_tail = agent;
  w->fifo_length++;
}

static JanusRunnable *
fifo_pop (JanusWorker *w)
{
  JanusRunnable *agent = w->fifo_head;

  if (agent == NULL)
    return NULL;
  w->fifo_head = agent->rq_next;
  if (w->fifo_head == NULL)
    w->fifo_tail = NULL;
  w->fifo_length--;
  agent->rq_next = NULL;
  return agent;
}

static void
inject (JanusScheduler *s,
        JanusRunnable  *agent)
{
  if (!inject_push_chain (s, agent, agent))
    return;
  if (s->n_workers == 0)
    janus_scheduler_kick (s);
  else
    notify_parked (s);
}

/* Worker only: puts an agent at the back of the local ring (or, when the
 * ring is full, on the inject stack). */
static void
push_local (JanusWorker *w,
            JanusRunnable  *agent)
{
  if (!janus_ring_push (&w->ring, agent))
    inject_push_chain (w->sched, agent, agent);
}

/* Makes @agent run: the caller won the right to schedule it (it replaced
 * BLOCKED in the agent's inbox, launched it, or ended a turn that asks for
 * another). Called from any thread. */
void
janus_scheduler_schedule (JanusScheduler *s,
                          JanusRunnable  *agent)
{
  JanusWorker *w = tls_worker;
  JanusRunnable *displaced;

  if (G_UNLIKELY (janus_mbox_is_heavy (&agent->mbox)))
    {
      s->klass->wake_heavy (agent);
      return;
    }
  if (G_UNLIKELY (w == NULL || w->sched != s))
    {
      inject (s, agent);
      return;
    }
  if (s->n_workers == 0)
    {
      fifo_push (w, agent);
      return;
    }
  if (!w->in_turn)
    {
      push_local (w, agent);
      notify_parked (s);
      return;
    }
  /* the agent a turn wakes runs next on this worker; one displaced from the
   * slot is surplus that another worker could take */
  displaced = w->runnext;
  w->runnext = agent;
  if (displaced != NULL)
    {
      push_local (w, displaced);
      notify_parked (s);
    }
}

/* Moves agents from the worker's overflow list into its ring while there is
 * room; returns whether the ring got any. */
static gboolean
refill_ring (JanusWorker *w)
{
  gboolean moved = FALSE;

  while (w->fifo_head != NULL)
    {
      JanusRunnable *agent = w->fifo_head;
      JanusRunnable *next = agent->rq_next;

      /* unlink before the push: once in the ring, another worker may run
       * the agent and reuse its rq_next at once */
      agent->rq_next = NULL;
      if (!janus_ring_push (&w->ring, agent))
        {
          agent->rq_next = next;
          break;
        }
      w->fifo_head = next;
      if (next == NULL)
        w->fifo_tail = NULL;
      w->fifo_length--;
      moved = TRUE;
    }
  return moved;
}

/* Takes every injected agent: one to run now, the others into the ring (or,
 * beyond its capacity, the worker's overflow list, in O(1)). */
static JanusRunnable *
take_injected (JanusWorker *w)
{
  JanusRunnable *first = inject_take (w->sched), *rest, *last;

  if (first == NULL)
    return NULL;
  rest = first->rq_next;
  first->rq_next = NULL;
  if (rest != NULL)
    {
      guint n = 0;
      for (last = rest; last->rq_next != NULL; last = last->rq_next)
        n++;
      if (w->fifo_tail)
        w->fifo_tail->rq_next = rest;
      else
        w->fifo_head = rest;
      w->fifo_tail = last;
      w->fifo_length += n + 1;
      refill_ring (w);
      if (janus_ring_length (&w->ring) > 0)
        notify_parked (w->sched);
    }
  return first;
}

static JanusRunnable *
next_local (JanusWorker *w)
{
  JanusRunnable *agent;

  if (++w->tick % INJECT_INTERVAL == 0 && (agent = take_injected (w)) != NULL)
    return agent;
  if (w->runnext != NULL)
    {
      agent = w->runnext;
      if (w->runnext_streak < RUNNEXT_MAX || janus_ring_length (&w->ring) == 0)
        {
          w->runnext = NULL;
          w->runnext_streak++;
          return agent;
        }
      w->runnext = NULL;
      push_local (w, agent);
    }
  w->runnext_streak = 0;
  if ((agent = janus_ring_pop (&w->ring)) != NULL)
    return agent;
  if (w->fifo_head != NULL && refill_ring (w))
    return janus_ring_pop (&w->ring);
  return take_injected (w);
}

/* Looks at the other workers' rings and the inject stack once. */
static JanusRunnable *
search_once (JanusWorker *w)
{
  JanusScheduler *s = w->sched;
  guint n = s->n_workers, start, i;
  JanusRunnable *agent;

  if ((agent = take_injected (w)) != NULL)
    return agent;
  start = (guint) (janus_scheduler_random () % n);
  for (i = 0; i < n; i++)
    {
      JanusWorker *victim = s->workers[(start + i) % n];
      if (victim != w && (agent = janus_ring_steal (&w->ring, &victim->ring)) != NULL)
        return agent;
    }
  return NULL;
}

static gboolean
anything_visible (JanusWorker *w)
{
  JanusScheduler *s = w->sched;
  guint i;

  if (!inject_is_empty (s))
    return TRUE;
  for (i = 0; i < s->n_workers; i++)
    if (janus_ring_length (&s->workers[i]->ring) > 0)
      return TRUE;
  return FALSE;
}

/* A searcher that found work stops searching; the last one to stop wakes
 * another worker in case there is more (Go's resetspinning). */
static void
stop_searching (JanusWorker *w)
{
  JanusScheduler *s = w->sched;

  if (atomic_fetch_sub_explicit (&s->nsearching, 1, memory_order_seq_cst) == 1
      && anything_visible (w))
    notify_parked (w->sched);
}

/* The worker runs again after it announced it parks. TRUE if it took
 * itself back (it is no longer counted as parked); FALSE if a waker chose
 * it meanwhile (the waker counted it out of the parked and in among the
 * searchers). */
static gboolean
unpark (JanusWorker *w)
{
  int parked = JANUS_PARK_PARKED;

  if (atomic_compare_exchange_strong_explicit (&w->park, &parked, JANUS_PARK_RUNNING,
                                               memory_order_seq_cst, memory_order_relaxed))
    {
      atomic_fetch_sub_explicit (&w->sched->nparked, 1, memory_order_seq_cst);
      return TRUE;
    }
  atomic_store_explicit (&w->park, JANUS_PARK_RUNNING, memory_order_relaxed);
  return FALSE;
}

/* Nothing to do: spin a little looking for work, then park. Returns an agent
 * when some was found. */
static JanusRunnable *
idle (JanusWorker *w,
      gboolean    *searching)
{
  JanusScheduler *s = w->sched;
    JanusRunnable *agent;
  gint64 deadline;

  if (!*searching)
    {
      guint ns = atomic_load_explicit (&s->nsearching, memory_order_relaxed);
      /* at most half the workers search (at least one) */
      if (2 * ns < MAX (s->n_workers, 2u))
        {
          atomic_fetch_add_explicit (&s->nsearching, 1, memory_order_seq_cst);
          *searching = TRUE;
        }
    }

  if (*searching)
    {
      deadline = now_nsec () + SPIN_NSEC;
      do
        {
          if ((agent = search_once (w)) != NULL)
            {
              *searching = FALSE;
              stop_searching (w);
              return agent;
            }
          for (int k = 0; k < 32; k++)
            cpu_relax ();
        }
      while (now_nsec () < deadline
             && !atomic_load_explicit (&s->shutdown, memory_order_relaxed));

      /* stop searching, then look again: a producer that saw us searching
       * did not wake anybody (Dekker on nsearching / the queues) */
      *searching = FALSE;
      atomic_fetch_sub_explicit (&s->nsearching, 1, memory_order_seq_cst);
      if ((agent = search_once (w)) != NULL)
        {
          if (anything_visible (w))
            notify_parked (s);
          return agent;
        }
    }

  /* due timers make work: fire them before deciding to sleep */
  if (has_timers (w))
    {
      maybe_fire (w);
      if ((agent = next_local (w)) != NULL)
        return agent;
    }

  /* between turns the worker holds no agent: it goes offline first, so
   * that its own epoch does not hold back what it retired (an agent that
   * died on an idle kernel is released now, not when the worker next wakes) */
  janus_epoch_offline ();
  janus_epoch_release (&w->limbo);

  atomic_store_explicit (&w->park, JANUS_PARK_PARKED, memory_order_seq_cst);
  atomic_fetch_add_explicit (&s->nparked, 1, memory_order_seq_cst);

  janus_epoch_online ();
  if ((agent = search_once (w)) != NULL
      || atomic_load_explicit (&s->shutdown, memory_order_seq_cst))
    {
      if (!unpark (w))
        {
          /* a waker chose us meanwhile and counted us as a searcher */
          if (agent != NULL)
            stop_searching (w);
          else
            *searching = TRUE;
        }
      return agent;
    }
  janus_epoch_offline ();

  while (atomic_load_explicit (&w->park, memory_order_seq_cst) == JANUS_PARK_PARKED)
    {
      gint64 due = next_due (w), wait;
      struct timespec ts;

      /* a virtual clock wakes us when it moves */
      wait = due == G_MAXINT64 || clock_is_virtual (s) ? G_MAXINT64 : due - monotonic_time (s);
      if (wait <= 0)
        break;
      if (janus_epoch_shared_pending ())
        {
          /* retired objects wait for another thread's epoch: look again */
          if (wait <= w->retry_usec)
            w->retry_usec = RETRY_MIN_USEC;
          else
            {
              wait = w->retry_usec;
              w->retry_usec = MIN (2 * w->retry_usec, RETRY_MAX_USEC);
            }
          ts.tv_sec = wait / G_USEC_PER_SEC;
          ts.tv_nsec = (wait % G_USEC_PER_SEC) * 1000;
          if (futex_wait_timed_out (&w->park, JANUS_PARK_PARKED, &ts))
            janus_epoch_release (&w->limbo);
          continue;
        }
      w->retry_usec = RETRY_MIN_USEC;
      if (wait == G_MAXINT64)
        {
          futex_wait (&w->park, JANUS_PARK_PARKED, NULL);
          continue;
        }
      ts.tv_sec = wait / G_USEC_PER_SEC;
      ts.tv_nsec = (wait % G_USEC_PER_SEC) * 1000;
      futex_wait (&w->park, JANUS_PARK_PARKED, &ts);
    }

  /* woken by a waker (NOTIFIED: it made us a searcher) or by a timer */
  if (!unpark (w))
    *searching = TRUE;
  janus_epoch_online ();
  maybe_fire (w);
  return NULL;
}

static void
run_agent (JanusWorker *w,
           JanusRunnable  *agent)
{
  JanusTurnResult r;

  w->in_turn = TRUE;
  w->turn_time = 0;
  r = w->sched->klass->run (agent);
  w->in_turn = FALSE;

  if (r != JANUS_TURN_AGAIN)
    return;
  if (w->sched->n_workers == 0)
    fifo_push (w, agent);
  else
    {
      push_local (w, agent);
      /* more than the agent we will pop next: surplus for a parked worker */
      if (janus_ring_length (&w->ring) > 1)
        notify_parked (w->sched);
    }
}

/* Every COLLECT_INTERVAL turns: what this worker retired, and what other
 * threads left in the shared limbo (a busy worker may never park). */
static void
collect_between_turns (JanusWorker *w)
{
  if (w->limbo.length > 0)
    janus_epoch_collect (&w->limbo);
  if (janus_epoch_shared_pending ())
    janus_epoch_collect_shared ();
}

static void
between_turns (JanusWorker *w)
{
  janus_epoch_quiescent ();
  if (G_UNLIKELY (w->tick % COLLECT_INTERVAL == 0))
    collect_between_turns (w);
  /* a busy worker looks at its timers every few turns */
  if ((w->tick & 15) == 0)
    maybe_fire (w);
}

static gpointer
worker_main (gpointer data)
{
  JanusWorker *w = data;
  JanusScheduler *s = w->sched;
  gboolean searching = FALSE;

  run_thread_hooks (s, JANUS_THREAD_STARTED, JANUS_THREAD_WORKER);
  tls_worker = w;
  janus_epoch_online ();

  while (!atomic_load_explicit (&s->shutdown, memory_order_acquire))
    {
      JanusRunnable *agent = next_local (w);

      if (agent == NULL)
        agent = idle (w, &searching);
      if (agent == NULL)
        continue;
      if (searching)
        {
          searching = FALSE;
          stop_searching (w);
        }
      run_agent (w, agent);
      between_turns (w);
    }

  janus_epoch_offline ();
  janus_epoch_release (&w->limbo);
  tls_worker = NULL;
  run_thread_hooks (s, JANUS_THREAD_STOPPING, JANUS_THREAD_WORKER);
  return NULL;
}

static JanusWorker *
worker_new (JanusScheduler *s,
            guint           index)
{
  JanusWorker *w = g_aligned_alloc0 (1, sizeof (JanusWorker), 64);

  w->sched = s;
  w->index = index;
  w->retry_usec = RETRY_MIN_USEC;
  janus_ring_init (&w->ring);
  atomic_init (&w->park, JANUS_PARK_RUNNING);
  return w;
}

static void
worker_free (JanusWorker *w)
{
  g_assert (w->limbo.head == NULL);
  /* timers of agents that died before them */
  janus_timer_heap_clear (&w->timers);
  g_aligned_free (w);
}

/* ------------------------------------------------------------ life-cycle */

/* A scheduler with @n_workers worker threads (started on first use), that
 * runs the runnables of @klass. @registry is where timers find their
 * owners; @should_stop tells a thread driving a 0-worker scheduler with
 * janus_scheduler_drive () (block mode) when to return. */
JanusScheduler *
janus_scheduler_new (guint                      n_workers,
                     const JanusRunnableClass  *klass,
                     JanusRegistry             *registry,
                     const char                *name,
                     JanusSchedulerStopFunc     should_stop,
                     gpointer                   data)
{
  JanusScheduler *s = g_aligned_alloc0 (1, sizeof (JanusScheduler), 64);
  guint i, n = MAX (n_workers, 1);

  s->n_workers = n_workers;
  s->klass = klass;
  s->registry = registry;
  s->name = name;
  s->should_stop = should_stop;
  s->stop_data = data;
  g_mutex_init (&s->shared_lock);
  atomic_init (&s->shared_next, G_MAXINT64);
  g_mutex_init (&s->lock);
  g_cond_init (&s->cond);
  s->heavy_threads = g_ptr_array_new ();
  s->finished_threads = g_ptr_array_new ();
  s->workers = g_new0 (JanusWorker *, n);
  for (i = 0; i < n; i++)
    s->workers[i] = worker_new (s, i);
  janus_scheduler_seed (s, 0);
  {
    JanusClock *real = janus_clock_new_real ();
    janus_scheduler_set_clock (s, real);
    g_object_unref (real);
  }
  return s;
}

/* Every runnable is gone and janus_scheduler_stop () was called. */
void
janus_scheduler_free (JanusScheduler *s)
{
  JanusClock *clock = clock_of (s);
  guint i, n = MAX (s->n_workers, 1);

  for (i = 0; i < n; i++)
    worker_free (s->workers[i]);
  g_free (s->workers);
  janus_timer_heap_clear (&s->shared_timers);
  g_mutex_clear (&s->shared_lock);
  g_ptr_array_unref (s->heavy_threads);
  g_ptr_array_unref (s->finished_threads);
  free_thread_hooks (s);
  g_mutex_clear (&s->lock);
  g_cond_clear (&s->cond);
  janus_clock_remove_listener (clock, clock_moved, s);
  g_object_unref (clock);
  g_aligned_free (s);
}

guint
janus_scheduler_get_n_workers (JanusScheduler *s)
{
  return s->n_workers;
}

/* Starts the worker threads, once. */
void
janus_scheduler_start (JanusScheduler *s)
{
  guint i;

  /* acquire: pairs with the release below; later calls take no lock */
  if (s->n_workers == 0 || atomic_load_explicit (&s->started, memory_order_acquire))
    return;
  g_mutex_lock (&s->lock);
  if (!atomic_load_explicit (&s->started, memory_order_relaxed))
    {
      for (i = 0; i < s->n_workers; i++)
        {
          char name[16];

          g_snprintf (name, sizeof name, "janus-worker-%u", i);
          s->workers[i]->thread = g_thread_new (name, worker_main, s->workers[i]);
        }
      s->threads_made = TRUE;
      atomic_store_explicit (&s->started, TRUE, memory_order_release);
    }
  g_mutex_unlock (&s->lock);
}

/* Stops the worker threads (every runnable must be gone); without workers,
 * hands what the driver retired to the shared limbo. */
void
janus_scheduler_stop (JanusScheduler *s)
{
  guint i;

  if (s->n_workers == 0 || !atomic_load_explicit (&s->started, memory_order_acquire))
    {
      /* nobody drives a 0-worker scheduler any more (the caller closed
       * it): the driver's limbo is the caller's now */
      g_assert (s->n_workers > 0 || atomic_load_explicit (&s->driver, memory_order_acquire) == DRIVER_CLOSED);
      janus_epoch_move_to_shared (&s->workers[0]->limbo);
      return;
    }
  atomic_store_explicit (&s->shutdown, TRUE, memory_order_seq_cst);
  for (i = 0; i < s->n_workers; i++)
    {
      JanusWorker *w = s->workers[i];
      atomic_store_explicit (&w->park, JANUS_PARK_NOTIFIED, memory_order_seq_cst);
      futex_wake (&w->park);
    }
  for (i = 0; i < s->n_workers; i++)
    if (s->workers[i]->thread != NULL)
      g_thread_join (g_steal_pointer (&s->workers[i]->thread));
}

/* --------------------------------------------------------- heavy threads */

typedef struct
{
  JanusScheduler *sched;
  JanusRunnable  *runnable;
} HeavyStart;

static void
join_finished (JanusScheduler *s)
{
  g_autoptr(GPtrArray) done = NULL;
  guint i;

  g_mutex_lock (&s->lock);
  if (s->finished_threads->len > 0)
    {
      done = s->finished_threads;
      s->finished_threads = g_ptr_array_new ();
    }
  g_mutex_unlock (&s->lock);
  for (i = 0; done != NULL && i < done->len; i++)
    g_thread_join (done->pdata[i]);
}

static gpointer
heavy_main (gpointer data)
{
  HeavyStart start = *(HeavyStart *) data;
  JanusScheduler *s = start.sched;

  g_free (data);
  tls_heavy = TRUE;
  run_thread_hooks (s, JANUS_THREAD_STARTED, JANUS_THREAD_HEAVY);
  s->klass->run_heavy (start.runnable);
  run_thread_hooks (s, JANUS_THREAD_STOPPING, JANUS_THREAD_HEAVY);
  /* the thread can be joined from now on */
  g_mutex_lock (&s->lock);
  if (g_ptr_array_remove_fast (s->heavy_threads, g_thread_self ()))
    g_ptr_array_add (s->finished_threads, g_thread_self ());
  g_cond_broadcast (&s->cond);
  g_mutex_unlock (&s->lock);
  /* the runnable retired itself into the shared limbo: release it now,
   * not when some worker next parks (the destroy functions may drop the
   * last reference to the kernel: tls_heavy makes it shut down elsewhere) */
  if (janus_epoch_shared_pending ())
    janus_epoch_collect_shared ();
  return NULL;
}

/* Gives the heavy runnable @r (id @id, for the thread's name) a thread of
 * its own. */
void
janus_scheduler_spawn_heavy (JanusScheduler *s,
                             JanusRunnable  *r,
                             guint64         id)
{
  HeavyStart *start = g_new (HeavyStart, 1);
  char name[16];

  /* the workers fire the heavy runnable's timers */
  janus_scheduler_start (s);
  join_finished (s);
  start->sched = s;
  start->runnable = r;
  g_snprintf (name, sizeof name, "janus-heavy-%" G_GUINT64_FORMAT, id);
  g_mutex_lock (&s->lock);
  s->threads_made = TRUE;
  g_ptr_array_add (s->heavy_threads, g_thread_new (name, heavy_main, start));
  g_mutex_unlock (&s->lock);
}

/* Waits until every heavy runnable's thread ended, and joins them. */
void
janus_scheduler_join_heavy (JanusScheduler *s)
{
  g_mutex_lock (&s->lock);
  while (s->heavy_threads->len > 0)
    g_cond_wait (&s->cond, &s->lock);
  g_mutex_unlock (&s->lock);
  join_finished (s);
}

/* Releases @data once no sender can still hold it: through the current
 * worker's limbo if it is one of this scheduler's, else the shared one. */
void
janus_scheduler_retire (JanusScheduler *s,
                        gpointer        data,
                        GDestroyNotify  destroy)
{
  JanusWorker *w = tls_worker;

  if (w != NULL && w->sched == s)
    janus_epoch_retire (&w->limbo, data, destroy);
  else
    janus_epoch_retire_shared (data, destroy);
}

/* Whether the calling thread may read @r's mailbox besides @r's own steps:
 * the thread driving a 0-worker scheduler between steps (or any thread
 * while nobody drives it) may, for a light runnable. */
gboolean
janus_scheduler_may_read (JanusScheduler *s,
                          JanusRunnable  *r)
{
  GThread *driver;

  if (s->n_workers > 0 || janus_mbox_is_heavy (&r->mbox) || janus_mbox_current () != NULL)
    return FALSE;
  driver = atomic_load_explicit (&s->driver, memory_order_acquire);
  return driver == NULL || driver == DRIVER_CLOSED || driver == g_thread_self ();
}

/* Whether the calling thread drives the 0-worker scheduler now. */
gboolean
janus_scheduler_is_driving (JanusScheduler *s)
{
  return atomic_load_explicit (&s->driver, memory_order_acquire) == g_thread_self ();
}

/* A main context runs the scheduler (its GSource was attached to it), or
 * no longer does (NULL). */
void
janus_scheduler_set_context (JanusScheduler *s,
                             GMainContext   *context)
{
  GMainContext *expected = NULL;

  if (context == NULL)
    atomic_store_explicit (&s->context, NULL, memory_order_release);
  else
    atomic_compare_exchange_strong_explicit (&s->context, &expected, context,
                                             memory_order_release, memory_order_relaxed);
}

/* ------------------------------------------------------- 0-worker driving */

static gboolean
runnable (JanusWorker *w)
{
  return w->fifo_length > 0 || !inject_is_empty (w->sched);
}

/* Whether the driver has something to do now (for a GSource). */
gboolean
janus_scheduler_has_work (JanusScheduler *s)
{
  JanusWorker *w = s->workers[0];

  if (s->n_workers > 0)
    return FALSE;
  return runnable (w) || next_due (w) <= monotonic_time (s);
}

/* Microseconds until the driver's next timer (G_MAXINT64: none or virtual). */
gint64
janus_scheduler_next_timeout (JanusScheduler *s)
{
  gint64 due = next_due (s->workers[0]);

  if (due == G_MAXINT64 || clock_is_virtual (s))
    return G_MAXINT64;
  return MAX (due - monotonic_time (s), 0);
}

static void
admit_injected (JanusWorker *w)
{
  JanusRunnable *agent = inject_take (w->sched);

  while (agent != NULL)
    {
      JanusRunnable *next = agent->rq_next;
      fifo_push (w, agent);
      agent = next;
    }
}

static gboolean
driver_should_stop (JanusScheduler *s)
{
  return s->should_stop (s->stop_data);
}

/* A virtual clock with nothing runnable jumps to the next due timer:
 * discrete-event simulation. Returns whether it moved. */
static gboolean
jump_to_next_timer (JanusWorker *w)
{
  JanusScheduler *s = w->sched;
  gint64 due = next_due (w);

  if (due == G_MAXINT64 || !clock_is_virtual (s))
    return FALSE;
  if (due > monotonic_time (s))
    janus_clock_set_time (s->clock, due, NULL);
  fire_due (w, monotonic_time (s));
  return TRUE;
}

/* Parks the driving thread until something is injected, a real-clock timer
 * is due, or run() should return. */
static void
driver_park (JanusScheduler *s)
{
  JanusWorker *w = s->workers[0];
  gint64 timeout = janus_scheduler_next_timeout (s);

  /* offline first: the driver's own epoch must not hold back what it
   * retired (see idle ()) */
  janus_epoch_offline ();
  janus_epoch_release (&w->limbo);
  if (janus_epoch_shared_pending ())
    {
      /* held back by another thread's epoch: look again soon */
      timeout = MIN (timeout, (gint64) w->retry_usec);
      w->retry_usec = MIN (2 * w->retry_usec, RETRY_MAX_USEC);
    }
  else
    w->retry_usec = RETRY_MIN_USEC;
  atomic_store_explicit (&s->driver_wake, 0, memory_order_seq_cst);
  if (inject_is_empty (s) && !driver_should_stop (s) && timeout > 0)
    {
      struct timespec ts = { timeout / G_USEC_PER_SEC, (timeout % G_USEC_PER_SEC) * 1000 };
      futex_wait (&s->driver_wake, 0, timeout == G_MAXINT64 ? NULL : &ts);
    }
  janus_epoch_online ();
}

static void
run_one (JanusWorker *w,
         JanusRunnable  *agent)
{
  w->tick++;
  run_agent (w, agent);
  janus_epoch_quiescent ();
  if (G_UNLIKELY (w->limbo.length > 0) && w->tick % COLLECT_INTERVAL == 0)
    janus_epoch_collect (&w->limbo);
}

/* One step: due timers fire, every agent runnable then gets one turn (buffered
 * mailboxes look first, all at once), then a stepped virtual clock moves. */
static void
drive_round (JanusWorker *w)
{
  JanusScheduler *s = w->sched;
  JanusClock *clock = s->clock;
  gint n;

  fire_due (w, monotonic_time (s));
  admit_injected (w);
  if (w->fifo_length == 0 && janus_clock_get_step (clock) == 0)
    {
      jump_to_next_timer (w);
      admit_injected (w);
    }
  n = (gint) w->fifo_length;
  if (n > 0)
    {
      JanusRunnable *agent;
      gint i;
      for (i = 0, agent = w->fifo_head; i < n; i++, agent = agent->rq_next)
        janus_mbox_prelook (&agent->mbox);
    }
  while (n-- > 0)
    run_one (w, fifo_pop (w));
  if (janus_clock_get_step (clock) > 0)
    janus_clock_advance (clock, janus_clock_get_step (clock), NULL);
}

/* Runs agents on the calling thread for a 0-worker kernel.
 *  - one_round: one step (janus_kernel_step);
 *  - block: keep going (parking when idle, or jumping a virtual clock to the
 *    next timer) until run() should return;
 *  - otherwise: at most max_turns turns (a GSource dispatch).
 * Returns whether anything is left to do (runnable agents or timers), or,
 * doing nothing, that another thread (or this one, further up its stack)
 * drives the scheduler, or that it was closed. */
JanusDriveResult
janus_scheduler_drive (JanusScheduler *s,
                       gint            max_turns,
                       gboolean        one_round,
                       gboolean        block)
{
  JanusWorker *w = s->workers[0];
  JanusWorker *saved = tls_worker;
  GThread *self = g_thread_self (), *expected = NULL;
  gboolean more;

  /* acquire: the previous driver's release (its turns, its limbo) */
  if (!atomic_compare_exchange_strong_explicit (&s->driver, &expected, self,
                                                memory_order_acquire,
                                                memory_order_relaxed))
    return expected == DRIVER_CLOSED ? JANUS_DRIVE_CLOSED
           : expected == self        ? JANUS_DRIVE_NESTED
           :                           JANUS_DRIVE_BUSY;

  tls_worker = w;
  janus_epoch_online ();

  if (one_round)
    drive_round (w);
  else
    for (;;)
      {
        JanusRunnable *agent;

        if (block && driver_should_stop (s))
          break;
        if (!block && max_turns-- <= 0)
          break;
        if ((w->tick & 15) == 0)
          maybe_fire (w);
        if (w->fifo_head == NULL)
          {
            admit_injected (w);
            if (w->fifo_head == NULL)
              {
                maybe_fire (w);
                admit_injected (w);
              }
          }
        agent = fifo_pop (w);
        if (agent != NULL)
          {
            run_one (w, agent);
            continue;
          }
        if (!block)
          break;
        if (!jump_to_next_timer (w))
          driver_park (s);
        admit_injected (w);
      }

  if (saved == NULL)
    {
      /* holding nothing any more: release what the turns retired */
      janus_epoch_offline ();
      janus_epoch_release (&w->limbo);
    }
  else
    {
      /* driven from another kernel's turn, whose pointers must stay
       * protected: collect only, and stay online */
      janus_epoch_collect (&w->limbo);
      janus_epoch_offline ();
      janus_epoch_online ();
    }
  tls_worker = saved;
  more = runnable (w) || janus_scheduler_timers_pending (s);
  /* seq_cst: a thread that shuts the kernel down either sees the driver
   * gone, or the kernel sees its `stopping` after this store and wakes it
   * (janus-kernel.c, driven ()) */
  atomic_store_explicit (&s->driver, NULL, memory_order_seq_cst);
  return more ? JANUS_DRIVE_MORE : JANUS_DRIVE_IDLE;
}

/* Closes the driving seat of a 0-worker scheduler for good, so that
 * janus_scheduler_stop () can take over what the driver owned. FALSE while
 * another thread drives it. */
gboolean
janus_scheduler_close_driver (JanusScheduler *s)
{
  GThread *expected = NULL;

  /* acq_rel: the last driver's turns and limbo happen before the stop */
  return atomic_compare_exchange_strong_explicit (&s->driver, &expected, DRIVER_CLOSED,
                                                  memory_order_acq_rel, memory_order_acquire)
         || expected == DRIVER_CLOSED;
}

/* Whether a thread other than the calling one drives the scheduler now. */
gboolean
janus_scheduler_driven_elsewhere (JanusScheduler *s)
{
  GThread *driver = atomic_load_explicit (&s->driver, memory_order_seq_cst);

  return driver != NULL && driver != DRIVER_CLOSED && driver != g_thread_self ();
}

/* Whether the calling thread runs agents: a worker, a driver while it
 * drives, a heavy runnable's thread (of any scheduler). */
gboolean
janus_scheduler_runs_on_this_thread (void)
{
  return tls_worker != NULL || tls_heavy;
}
