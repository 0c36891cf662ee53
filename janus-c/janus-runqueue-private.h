/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdalign.h>
#include <stdatomic.h>

#include "janus-registry-private.h"

G_BEGIN_DECLS

/* A worker's run queue: a bounded ring of runnable pointers, owned by one
 * worker, stealable by the others (Tokio's multi_thread/queue.rs). The
 * owner pushes at `tail` and pops at `real`; a thief first moves `real`
 * forward to claim a range (leaving `steal` behind so the owner cannot
 * overwrite the range), copies it, then moves `steal` up to `real`.
 * Indices only grow (mod 2^32), so a CAS never confuses two states (no
 * ABA). Lock-free; the functions are inline, they are on the scheduler's
 * hot path. */

#define JANUS_RING_SIZE 256u
#define JANUS_RING_MASK (JANUS_RING_SIZE - 1)

typedef struct
{
  /* packs (steal << 32 | real) so a thief can claim a range while the
   * owner keeps popping */
  alignas (64) _Atomic guint64 head;
  atomic_uint                 tail;
  _Atomic (JanusRunnable *)   slots[JANUS_RING_SIZE];
} JanusRing;

static inline void
janus_ring_init (JanusRing *r)
{
  atomic_init (&r->head, 0);
  atomic_init (&r->tail, 0);
}

static inline guint64
janus_ring_pack (guint32 steal,
                 guint32 real)
{
  return (guint64) steal << 32 | real;
}

static inline guint32
janus_ring_head_steal (guint64 head)
{
  return (guint32) (head >> 32);
}

static inline guint32
janus_ring_head_real (guint64 head)
{
  return (guint32) head;
}

/* Owner only. FALSE when full. */
static inline gboolean
janus_ring_push (JanusRing     *r,
                 JanusRunnable *runnable)
{
  guint32 tail = atomic_load_explicit (&r->tail, memory_order_relaxed);
  /* acquire: a thief's finished steal (slots copied out) is visible before
   * we reuse its slots */
  guint64 head = atomic_load_explicit (&r->head, memory_order_acquire);

  if (tail - janus_ring_head_steal (head) >= JANUS_RING_SIZE)
    return FALSE;
  atomic_store_explicit (&r->slots[tail & JANUS_RING_MASK], runnable, memory_order_relaxed);
  /* release: the slot is written before a thief can see the new tail */
  atomic_store_explicit (&r->tail, tail + 1, memory_order_release);
  return TRUE;
}

/* Owner only. */
static inline JanusRunnable *
janus_ring_pop (JanusRing *r)
{
  guint64 head = atomic_load_explicit (&r->head, memory_order_acquire);

  for (;;)
    {
      guint32 steal = janus_ring_head_steal (head), real = janus_ring_head_real (head);
      guint32 tail = atomic_load_explicit (&r->tail, memory_order_relaxed);
      guint64 next;

      if (real == tail)
        return NULL;
      next = steal == real ? janus_ring_pack (real + 1, real + 1)
                           : janus_ring_pack (steal, real + 1);
      /* acq_rel against thieves' claims on the same word */
      if (atomic_compare_exchange_weak_explicit (&r->head, &head, next,
                                                 memory_order_acq_rel,
                                                 memory_order_acquire))
        return atomic_load_explicit (&r->slots[real & JANUS_RING_MASK],
                                     memory_order_relaxed);
    }
}

static inline guint32
janus_ring_length (JanusRing *r)
{
  guint64 head = atomic_load_explicit (&r->head, memory_order_acquire);
  guint32 tail = atomic_load_explicit (&r->tail, memory_order_acquire);

  return tail - janus_ring_head_real (head);
}

/* Called by the owner of @thief on @victim: moves half of the victim's
 * ring into the thief's ring and returns one of them to run. */
static inline JanusRunnable *
janus_ring_steal (JanusRing *thief,
                  JanusRing *victim)
{
  guint32 dst_tail = atomic_load_explicit (&thief->tail, memory_order_relaxed);
  guint64 dst_head = atomic_load_explicit (&thief->head, memory_order_acquire);
  guint64 prev, next;
  guint32 n, first, i;
  JanusRunnable *runnable;

  if (dst_tail - janus_ring_head_steal (dst_head) > JANUS_RING_SIZE / 2)
    return NULL;

  prev = atomic_load_explicit (&victim->head, memory_order_acquire);
  for (;;)
    {
      guint32 steal = janus_ring_head_steal (prev), real = janus_ring_head_real (prev), tail;

      if (steal != real)
        return NULL;            /* another thief is at work */
      /* acquire: pairs with the owner's release of tail */
      tail = atomic_load_explicit (&victim->tail, memory_order_acquire);
      n = tail - real;
      n -= n / 2;
      if (n == 0)
        return NULL;
      next = janus_ring_pack (steal, real + n);
      if (atomic_compare_exchange_weak_explicit (&victim->head, &prev, next,
                                                 memory_order_acq_rel,
                                                 memory_order_acquire))
        break;
    }

  first = janus_ring_head_steal (prev);
  for (i = 0; i < n; i++)
    {
      runnable = atomic_load_explicit (&victim->slots[(first + i) & JANUS_RING_MASK],
                                       memory_order_relaxed);
      atomic_store_explicit (&thief->slots[(dst_tail + i) & JANUS_RING_MASK], runnable,
                             memory_order_relaxed);
    }

  /* release the claimed range: steal catches up with real (which the owner
   * may have moved meanwhile) */
  prev = next;
  for (;;)
    {
      guint32 real = janus_ring_head_real (prev);
      if (atomic_compare_exchange_weak_explicit (&victim->head, &prev,
                                                 janus_ring_pack (real, real),
                                                 memory_order_acq_rel,
                                                 memory_order_acquire))
        break;
    }

  n--;
  runnable = atomic_load_explicit (&thief->slots[(dst_tail + n) & JANUS_RING_MASK],
                                   memory_order_relaxed);
  if (n > 0)
    atomic_store_explicit (&thief->tail, dst_tail + n, memory_order_release);
  return runnable;
}

G_END_DECLS
