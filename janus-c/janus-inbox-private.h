/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdatomic.h>
#include <stdint.h>

#include "janus-message-private.h"

G_BEGIN_DECLS

/* The shared end of a mailbox: a LIFO stack of messages that any thread
 * pushes onto, and that only the agent's current owner (the worker running
 * its turn, or its heavy thread) empties, all at once. The owner reverses
 * what it takes into its private FIFO queue. Because no node is ever popped
 * concurrently there is no ABA problem and no need for a stub node (CAF's
 * lifo_inbox, PRIOR-ART §2).
 *
 * The same word carries the agent's scheduling state:
 *   EMPTY    the owner holds the agent (running or queued to run);
 *   BLOCKED  the agent sleeps; the one sender whose push replaces BLOCKED
 *            must schedule it (exactly one, since a CAS decides);
 *   CLOSED   the agent died; every push fails and becomes a dead letter.
 * Only the owner writes BLOCKED and CLOSED, and only when the inbox is EMPTY
 * (BLOCKED) or whatever it is (CLOSED). */
#define JANUS_INBOX_EMPTY   ((uintptr_t) 0)
#define JANUS_INBOX_BLOCKED ((uintptr_t) 1)
#define JANUS_INBOX_CLOSED  ((uintptr_t) 2)

typedef enum {
  JANUS_PUSH_QUEUED,      /* the agent was already scheduled */
  JANUS_PUSH_UNBLOCKED,   /* the caller must schedule the agent */
  JANUS_PUSH_CLOSED,      /* the agent is dead: the message was not taken */
} JanusPushResult;

static inline JanusPushResult
janus_inbox_push (atomic_uintptr_t *inbox,
                  JanusMessage     *msg)
{
  uintptr_t old = atomic_load_explicit (inbox, memory_order_relaxed);

  for (;;)
    {
      if (G_UNLIKELY (old == JANUS_INBOX_CLOSED))
        return JANUS_PUSH_CLOSED;
      msg->next = old > JANUS_INBOX_CLOSED ? (JanusMessage *) old : NULL;
      /* release: the message's content and link are visible to the owner
       * that takes the stack with an acquire exchange. acquire: when we
       * replace BLOCKED we take over the agent, so the previous turn's
       * writes (published by the owner's release CAS to BLOCKED) must be
       * visible before we hand it to a run queue. */
      if (atomic_compare_exchange_weak_explicit (inbox, &old, (uintptr_t) msg,
                                                 memory_order_acq_rel,
                                                 memory_order_relaxed))
        return old == JANUS_INBOX_BLOCKED ? JANUS_PUSH_UNBLOCKED : JANUS_PUSH_QUEUED;
    }
}

/* Reverses a stack (newest first) into FIFO order; returns the new head and
 * sets *tail and *count. */
static inline JanusMessage *
janus_inbox_reverse (JanusMessage  *m,
                     JanusMessage **tail,
                     guint         *count)
{
  JanusMessage *fifo = NULL;
  guint n = 0;

  *tail = m;
  while (m != NULL)
    {
      JanusMessage *next = m->next;
      m->next = fifo;
      fifo = m;
      m = next;
      n++;
    }
  *count = n;
  return fifo;
}

/* Owner only: takes everything pushed so far, oldest first (NULL if none). */
static inline JanusMessage *
janus_inbox_take (atomic_uintptr_t  *inbox,
                  JanusMessage     **tail,
                  guint             *count)
{
  uintptr_t top;

  /* a plain load first: an empty inbox costs no atomic write */
  if (atomic_load_explicit (inbox, memory_order_relaxed) <= JANUS_INBOX_CLOSED)
    return NULL;
  /* acquire: pairs with the senders' release CAS */
  top = atomic_exchange_explicit (inbox, JANUS_INBOX_EMPTY, memory_order_acquire);
  g_assert (top > JANUS_INBOX_CLOSED);
  return janus_inbox_reverse ((JanusMessage *) top, tail, count);
}

/* Owner only: gives the agent up if nothing arrived. seq_cst: the owner then
 * reads the agent's pending flags, and a waker sets a flag before trying to
 * unblock; with both sides seq_cst one of them sees the other (Dekker), so a
 * wake-up is never lost. release (implied): publishes the turn's writes to
 * the sender that unblocks the agent. */
static inline gboolean
janus_inbox_try_block (atomic_uintptr_t *inbox)
{
  uintptr_t expected = JANUS_INBOX_EMPTY;

  return atomic_compare_exchange_strong_explicit (inbox, &expected,
                                                  JANUS_INBOX_BLOCKED,
                                                  memory_order_seq_cst,
                                                  memory_order_relaxed);
}

/* Anyone: takes a sleeping agent over (to run it because of a kill, a timer
 * or a wake-up). TRUE means the caller must schedule it. */
static inline gboolean
janus_inbox_unblock (atomic_uintptr_t *inbox)
{
  uintptr_t expected = JANUS_INBOX_BLOCKED;

  return atomic_compare_exchange_strong_explicit (inbox, &expected,
                                                  JANUS_INBOX_EMPTY,
                                                  memory_order_seq_cst,
                                                  memory_order_relaxed);
}

/* Owner only: refuses every later push; returns what was still queued,
 * oldest first. */
static inline JanusMessage *
janus_inbox_close (atomic_uintptr_t  *inbox,
                   JanusMessage     **tail,
                   guint             *count)
{
  uintptr_t top = atomic_exchange_explicit (inbox, JANUS_INBOX_CLOSED,
                                            memory_order_acq_rel);

  if (top <= JANUS_INBOX_CLOSED)
    {
      *tail = NULL;
      *count = 0;
      return NULL;
    }
  return janus_inbox_reverse ((JanusMessage *) top, tail, count);
}

G_END_DECLS
