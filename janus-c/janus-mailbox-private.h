/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdatomic.h>

#include "janus-mailbox.h"
#include "janus-inbox-private.h"

G_BEGIN_DECLS

/* The mailbox proper (runtime layer), embedded in its owner (an agent):
 *
 *   inbox      the shared end, a lock-free stack any thread pushes onto
 *              (janus-inbox-private.h); its word also says whether the
 *              owner sleeps;
 *   requests   what other threads ask the owner (kill, wake, a due timer),
 *              set before they try to unblock it (see janus_mbox_request);
 *   head/tail  the owner's queue: what it took from the inbox, in reading
 *              order for its kind.
 *
 * The owner (the thread running its step, or its heavy thread) "looks":
 * it moves what arrived from the inbox into the queue. A light owner looks
 * at most once per step, so that a step is bounded under a steady stream.
 * Role mailboxes are filtered views of this queue (janus_mbox_take_filtered
 * and friends, as gst_bus_pop_filtered is to a bus). JanusMailbox, the
 * public object, is a view on it too.
 *
 * The mailbox knows nothing of agents: what it hands up (due timers,
 * tasks, the letters roles wait for, refused letters) goes through the functions its
 * owner installs once (janus_mbox_set_owner_funcs). The struct is 32 bytes
 * (one spare byte): owner_state and owner_flags are two bytes the owner
 * keeps here rather than next to it.
 *
 * Who writes what:
 *   inbox         any thread (the janus-inbox-private.h protocol)
 *   requests      any thread sets bits (seq_cst); the owner takes them
 *   owner_state   the owner, atomically; read by anyone
 *   heavy         written once before the owner is published; read by anyone
 *   everything else  the owner; handed between threads by the inbox and
 *                 run-queue release/acquire pairs */
typedef struct _JanusMbox JanusMbox;

struct _JanusMbox
{
  atomic_uintptr_t  inbox;
  _Atomic guint16   requests;       /* JANUS_REQUEST_* */
  guint8            heavy;          /* the owner has a thread of its own */
  guint8            kind;           /* JanusMailboxKind */
  guint8            flags;          /* JANUS_MBOX_* */
  _Atomic guint8    owner_state;    /* the owner's life-cycle state */
  guint8            owner_flags;    /* the owner's own bits */
  JanusMessage     *head;           /* the owner's queue, in reading order */
  JanusMessage     *tail;
};

G_STATIC_ASSERT (sizeof (JanusMbox) == 32);

/* JanusMbox.flags */
enum {
  JANUS_MBOX_TOOK   = 1 << 0,   /* this step looked (took the inbox) */
  JANUS_MBOX_LOOKED = 1 << 1,   /* step mode: looked when the round began */
};

/* JanusMbox.requests: set by other threads with janus_mbox_request */
enum {
  JANUS_REQUEST_KILL  = 1 << 0,
  JANUS_REQUEST_WAKE  = 1 << 1,
  JANUS_REQUEST_TIMER = 1 << 2, /* a due timer is in the inbox */
  JANUS_REQUEST_TASK  = 1 << 3, /* a task is in the inbox */
  JANUS_REQUEST_RESUME = 1 << 4, /* a paused owner was resumed */
  JANUS_REQUEST_END_SLEEP = 1 << 5, /* janus_agent_wake: a sleep ends */
};

/* Chooses messages of the queue (a role's view, a selector). */
typedef gboolean (*JanusMboxFilter) (JanusMessage *message,
                                     gpointer      data);

/* What the mailbox hands up to its owner. Installed once, before the first
 * mailbox exists, by the owner's class (janus-agent.c). */
typedef struct
{
  /* Whether the calling thread may read @mbox now; if not, emits a
   * critical naming @func and the owner. */
  gboolean      (*check_reader) (JanusMbox    *mbox,
                                 const char   *func);
  /* A due timer (an internal message) taken out of the arrivals. */
  void          (*timer_due)    (JanusMbox    *mbox,
                                 JanusMessage *timer);
  /* A task (JANUS_MESSAGE_TASK) taken out of the arrivals, in arrival
   * order. */
  void          (*task_due)     (JanusMbox    *mbox,
                                 JanusMessage *task);
  /* Letters (linked by next) just queued: some may be for the owner's
   * roles. Called only when one of them has a route. */
  void          (*arrived)      (JanusMbox    *mbox,
                                 JanusMessage *letters);
  /* Letters a black hole refused: dead letters. */
  void          (*refused)      (JanusMbox    *mbox,
                                 JanusMessage *letters);
  /* The kind changed (JanusMailbox view). */
  void          (*kind_changed) (JanusMbox    *mbox);
  /* The owner's blocking read (JanusMailbox view). */
  JanusMessage *(*wait)         (JanusMbox    *mbox,
                                 gint64        timeout_usec);
  /* The same, for the first message @filter accepts. */
  JanusMessage *(*wait_filtered) (JanusMbox      *mbox,
                                  JanusMboxFilter filter,
                                  gpointer        data,
                                  gint64          timeout_usec);
} JanusMboxOwnerFuncs;

void          janus_mbox_set_owner_funcs (const JanusMboxOwnerFuncs *funcs);

/* The mailbox whose owner's step runs on this thread, if any. */
extern __thread JanusMbox *janus_mbox_tls_current __attribute__ ((tls_model ("initial-exec")));

static inline JanusMbox *
janus_mbox_current (void)
{
  return janus_mbox_tls_current;
}

/* Around a step of the owner: the mailbox may be looked at once. Returns
 * the mailbox whose step this one interrupts (nested kernels). */
static inline JanusMbox *
janus_mbox_begin_step (JanusMbox *mbox)
{
  JanusMbox *saved = janus_mbox_tls_current;

  janus_mbox_tls_current = mbox;
  mbox->flags &= ~JANUS_MBOX_TOOK;
  return saved;
}

static inline void
janus_mbox_end_step (JanusMbox *saved)
{
  janus_mbox_tls_current = saved;
}

/* The top of the inbox: at the start of a step, what the step can see
 * without looking. Only the owner takes from the inbox, so during the step
 * this message stays in it: a later top that differs arrived meanwhile. */
static inline gconstpointer
janus_mbox_top (JanusMbox *mbox)
{
  uintptr_t top = atomic_load_explicit (&mbox->inbox, memory_order_relaxed);

  return top > JANUS_INBOX_CLOSED ? (gconstpointer) top : NULL;
}

/* Owner: the requests posted since the last call. */
static inline guint
janus_mbox_take_requests (JanusMbox *mbox)
{
  if (G_LIKELY (atomic_load_explicit (&mbox->requests, memory_order_relaxed) == 0))
    return 0;
  return atomic_exchange_explicit (&mbox->requests, 0, memory_order_acquire);
}

/* The last value of JanusMailboxKind, for argument checks. */
#define JANUS_MAILBOX_KIND_LAST JANUS_MAILBOX_KIND_BUFFERED_PER_SENDER

/* Whether a step of the owner sees only what arrived before it began. */
static inline gboolean
janus_mbox_kind_is_buffered (guint kind)
{
  return kind == JANUS_MAILBOX_KIND_BUFFERED || kind == JANUS_MAILBOX_KIND_BUFFERED_PER_SENDER;
}

static inline gboolean
janus_mbox_is_buffered (JanusMbox *mbox)
{
  return janus_mbox_kind_is_buffered (mbox->kind);
}

static inline gboolean
janus_mbox_is_heavy (JanusMbox *mbox)
{
  return mbox->heavy;
}

/* Whether the caller is the light owner's step after its first look:
 * arrivals then wait for the next step. */
static inline gboolean
janus_mbox_looked_this_step (JanusMbox *mbox)
{
  return (mbox->flags & JANUS_MBOX_TOOK) && !mbox->heavy
         && janus_mbox_tls_current == mbox;
}

gconstpointer janus_mbox_look          (JanusMbox     *mbox);
JanusMessage *janus_mbox_take_slow     (JanusMbox     *mbox);

/* Takes the first message in reading order (the owner's read). */
static inline JanusMessage *
janus_mbox_take (JanusMbox *mbox)
{
  JanusMessage *m;

  /* fast path: the step looked already, so what is queued is all it sees */
  if (G_LIKELY (janus_mbox_looked_this_step (mbox)))
    {
      m = mbox->head;
      if (m != NULL)
        {
          mbox->head = m->next;
          if (mbox->head == NULL)
            mbox->tail = NULL;
          m->next = NULL;
        }
      return m;
    }
  return janus_mbox_take_slow (mbox);
}

JanusMessage *janus_mbox_peek          (JanusMbox       *mbox);
guint         janus_mbox_count         (JanusMbox       *mbox);
GPtrArray    *janus_mbox_take_all      (JanusMbox       *mbox);
GPtrArray    *janus_mbox_peek_all      (JanusMbox       *mbox);
JanusMessage *janus_mbox_take_filtered (JanusMbox       *mbox,
                                        JanusMboxFilter  filter,
                                        gpointer         data);
JanusMessage *janus_mbox_peek_filtered (JanusMbox       *mbox,
                                        JanusMboxFilter  filter,
                                        gpointer         data);
GPtrArray    *janus_mbox_take_all_filtered (JanusMbox       *mbox,
                                            JanusMboxFilter  filter,
                                            gpointer         data);
GPtrArray    *janus_mbox_peek_all_filtered (JanusMbox       *mbox,
                                            JanusMboxFilter  filter,
                                            gpointer         data);
guint         janus_mbox_count_filtered (JanusMbox       *mbox,
                                         JanusMboxFilter  filter,
                                         gpointer         data);
JanusMessage *janus_mbox_unlink        (JanusMbox       *mbox,
                                        JanusMessage    *prev,
                                        JanusMessage    *message);
void          janus_mbox_set_kind      (JanusMbox       *mbox,
                                        JanusMailboxKind kind);
void          janus_mbox_begin_buffered_step (JanusMbox *mbox);
void          janus_mbox_prelook       (JanusMbox       *mbox);
gboolean      janus_mbox_arrived_unseen_slow (JanusMbox *mbox,
                                              gconstpointer top_at_start);

/* At the end of a step that waits: whether something arrived that the
 * step could not see, so that the owner must be stepped again. A step that
 * looked saw everything up to its first look; what came later is still in
 * the inbox and keeps the owner awake (janus_mbox_try_sleep). */
static inline gboolean
janus_mbox_arrived_unseen (JanusMbox     *mbox,
                           gconstpointer  top_at_start)
{
  if (mbox->flags & JANUS_MBOX_TOOK)
    return FALSE;
  return janus_mbox_arrived_unseen_slow (mbox, top_at_start);
}
JanusMessage *janus_mbox_close         (JanusMbox       *mbox);
void          janus_mbox_clear         (JanusMbox       *mbox);

/* Selections and buffer control (janus_mailbox_*_matching and friends). */
gboolean      janus_mbox_contains      (JanusMbox       *mbox,
                                        JanusMessage    *message);
gboolean      janus_mbox_remove        (JanusMbox       *mbox,
                                        JanusMessage    *message);
guint         janus_mbox_remove_filtered (JanusMbox     *mbox,
                                          JanusMboxFilter filter,
                                          gpointer       data);
guint         janus_mbox_buffer_size   (JanusMbox       *mbox);
guint         janus_mbox_clear_buffer  (JanusMbox       *mbox);
void          janus_mbox_synchronize   (JanusMbox       *mbox);
gboolean      janus_mbox_selector_filter (JanusMessage  *message,
                                          gpointer       selector);

/* ------------------------------------------------------------ waking */

/* Any thread: asks the owner to look at @bits. TRUE when the caller took
 * the sleeping owner over and must schedule it. */
static inline gboolean
janus_mbox_request (JanusMbox *mbox,
                    guint      bits)
{
  /* seq_cst: the bits are set before we try to take the owner over; the
   * owner blocks before it reads them (janus_mbox_try_sleep) */
  atomic_fetch_or_explicit (&mbox->requests, bits, memory_order_seq_cst);
  return janus_inbox_unblock (&mbox->inbox);
}

/* Owner, at the end of a step that waits: gives the owner up unless
 * something arrived or was asked meanwhile. TRUE if the caller still owns
 * it (and must run it again). */
static inline gboolean
janus_mbox_try_sleep (JanusMbox *mbox)
{
  if (!janus_inbox_try_block (&mbox->inbox))
    return TRUE;                /* messages arrived meanwhile */
  /* Dekker with janus_mbox_request: either the requester saw BLOCKED and
   * schedules the owner, or we see its bits and take the owner back */
  if (atomic_load_explicit (&mbox->requests, memory_order_seq_cst) != 0
      && janus_inbox_unblock (&mbox->inbox))
    return TRUE;
  return FALSE;
}

/* Where a heavy owner's thread blocks. */
typedef struct
{
  GMutex   lock;
  GCond    cond;
  gboolean woken;
} JanusMboxWaiter;

void          janus_mbox_waiter_init   (JanusMboxWaiter *waiter);
void          janus_mbox_waiter_clear  (JanusMboxWaiter *waiter);
void          janus_mbox_waiter_wake   (JanusMboxWaiter *waiter);
gboolean      janus_mbox_sleep         (JanusMbox       *mbox,
                                        JanusMboxWaiter *waiter,
                                        gint64           deadline);

/* -------------------------------------------------- the public object */

JanusMailbox *janus_mailbox_new_for    (JanusMbox       *mbox,
                                        JanusAgent      *owner);
void          janus_mailbox_detach     (JanusMailbox    *self);

G_END_DECLS
