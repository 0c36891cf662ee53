/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "janus-timer-private.h"

/* Timers: the (due, id) min-heaps the scheduler keeps per worker, and the
 * set of timers each owner (agent) keeps so that it can cancel them and
 * run the due ones in its step, in due order. */

static inline gboolean
before (const JanusTimerSlot *a,
        const JanusTimerSlot *b)
{
  return a->due < b->due || (a->due == b->due && a->id < b->id);
}

void
janus_timer_heap_push (JanusTimerHeap *heap,
                       JanusTimer     *timer,
                       gint64          due)
{
  JanusTimerSlot slot = { due, timer->id, timer };
  guint i;

  timer->due = due;
  if (heap->len == heap->alloc)
    {
      heap->alloc = MAX (64, heap->alloc * 2);
      heap->slots = g_renew (JanusTimerSlot, heap->slots, heap->alloc);
    }
  for (i = heap->len++; i > 0; )
    {
      guint parent = (i - 1) / 2;
      if (!before (&slot, &heap->slots[parent]))
        break;
      heap->slots[i] = heap->slots[parent];
      i = parent;
    }
  heap->slots[i] = slot;
}

static void
sift_down (JanusTimerHeap *heap)
{
  JanusTimerSlot last = heap->slots[heap->len];
  guint i = 0;

  for (;;)
    {
      guint child = 2 * i + 1;
      if (child >= heap->len)
        break;
      if (child + 1 < heap->len && before (&heap->slots[child + 1], &heap->slots[child]))
        child++;
      if (!before (&heap->slots[child], &last))
        break;
      heap->slots[i] = heap->slots[child];
      i = child;
    }
  heap->slots[i] = last;
}

/* The earliest timer if it is due at @now, taken off the heap. */
JanusTimer *
janus_timer_heap_pop_due (JanusTimerHeap *heap,
                          gint64          now)
{
  JanusTimer *timer;

  if (heap->len == 0 || heap->slots[0].due > now)
    return NULL;
  timer = heap->slots[0].timer;
  if (--heap->len > 0)
    sift_down (heap);
  if (heap->len == 0 && heap->alloc > 4096)
    {
      /* a burst is over: give the big array back */
      g_clear_pointer (&heap->slots, g_free);
      heap->alloc = 0;
    }
  return timer;
}

/* The due time of the earliest timer, or G_MAXINT64. */
gint64
janus_timer_heap_next_due (JanusTimerHeap *heap)
{
  return heap->len > 0 ? heap->slots[0].due : G_MAXINT64;
}

void
janus_timer_free (JanusTimer *timer)
{
  if (timer->destroy != NULL)
    timer->destroy (timer->data);
  g_free (timer);
}

void
janus_timer_heap_clear (JanusTimerHeap *heap)
{
  guint i;

  for (i = 0; i < heap->len; i++)
    janus_timer_free (heap->slots[i].timer);
  g_clear_pointer (&heap->slots, g_free);
  heap->len = heap->alloc = 0;
}

JanusTimer *
janus_timer_new (guint64             id,
                 guint64             owner_id,
                 JanusTimerKind      kind,
                 JanusTimerCallback  func,
                 gpointer            user_data,
                 GDestroyNotify      destroy)
{
  JanusTimer *timer = g_new0 (JanusTimer, 1);

  timer->id = id;
  timer->owner_id = owner_id;
  timer->func = func;
  timer->data = user_data;
  timer->destroy = destroy;
  timer->kind = kind;
  atomic_init (&timer->state, JANUS_TIMER_PENDING);
  return timer;
}

/* ----------------------------------------------------- an owner's timers */

void
janus_timer_set_add (JanusTimerSet *set,
                     JanusTimer    *timer)
{
  timer->prev = NULL;
  timer->next = set->pending;
  if (set->pending)
    set->pending->prev = timer;
  set->pending = timer;
  set->n_pending++;
}

static void
unlink_pending (JanusTimerSet *set,
                JanusTimer    *timer)
{
  if (timer->prev)
    timer->prev->next = timer->next;
  else
    set->pending = timer->next;
  if (timer->next)
    timer->next->prev = timer->prev;
  timer->prev = timer->next = NULL;
  set->n_pending--;
}

/* Cancels a pending timer; whoever holds it (a heap, or a message in
 * transit) frees it. Returns TRUE if it was still in a heap: it then stops
 * counting as pending there (the caller tells the scheduler). */
gboolean
janus_timer_set_cancel (JanusTimerSet *set,
                        JanusTimer    *timer)
{
  int pending = JANUS_TIMER_PENDING;

  unlink_pending (set, timer);
  /* acq_rel: against the heap owner firing it. Still in a heap: it stops
   * counting as pending now; already fired: it was counted out then, and
   * the owner skips it when it arrives */
  if (atomic_compare_exchange_strong_explicit (&timer->state, &pending, JANUS_TIMER_CANCELLED,
                                               memory_order_acq_rel, memory_order_acquire))
    return TRUE;
  atomic_store_explicit (&timer->state, JANUS_TIMER_CANCELLED, memory_order_release);
  return FALSE;
}

/* At the owner's death: pending timers will not run. Returns how many were
 * still in a heap. */
guint
janus_timer_set_cancel_all (JanusTimerSet *set)
{
  guint in_heaps = 0;

  while (set->pending != NULL)
    in_heaps += janus_timer_set_cancel (set, set->pending);
  while (set->fired_head != NULL)
    {
      JanusMessage *m = set->fired_head;
      set->fired_head = m->next;
      m->next = NULL;
      janus_timer_free (m->v.data);
      janus_message_unref (m);
    }
  set->fired_tail = NULL;
  return in_heaps;
}

/* The pending timer @id of @kind, or with @id 0 the first of @kind. */
JanusTimer *
janus_timer_set_find (JanusTimerSet  *set,
                      guint64         id,
                      JanusTimerKind  kind)
{
  JanusTimer *timer;

  for (timer = set->pending; timer != NULL; timer = timer->next)
    if ((id == 0 || timer->id == id) && timer->kind == kind)
      return timer;
  return NULL;
}

static gboolean
fires_before (JanusMessage *a,
              JanusMessage *b)
{
  JanusTimer *x = a->v.data, *y = b->v.data;

  return x->due < y->due || (x->due == y->due && x->id < y->id);
}

/* Timers reach their owner from several heaps (each worker's, the shared
 * one) in any order: keep the due ones sorted by (due time, creation). */
void
janus_timer_set_fired (JanusTimerSet *set,
                       JanusMessage  *due)
{
  JanusMessage **link = &set->fired_head;

  if (set->fired_tail == NULL || !fires_before (due, set->fired_tail))
    {
      if (set->fired_tail)
        set->fired_tail->next = due;
      else
        set->fired_head = due;
      set->fired_tail = due;
      return;
    }
  while (*link != NULL && !fires_before (due, *link))
    link = &(*link)->next;
  due->next = *link;
  *link = due;
}

/* Runs the due timers, oldest first, in the owner's step. Returns TRUE if
 * the owner's sleep ended. */
gboolean
janus_timer_set_run (JanusTimerSet *set,
                     JanusAgent    *owner)
{
  gboolean woke = FALSE;

  while (set->fired_head != NULL)
    {
      JanusMessage *m = set->fired_head;
      JanusTimer *timer = m->v.data;

      set->fired_head = m->next;
      if (set->fired_head == NULL)
        set->fired_tail = NULL;
      m->next = NULL;
      janus_message_unref (m);
      if (atomic_load_explicit (&timer->state, memory_order_acquire) != JANUS_TIMER_CANCELLED)
        {
          unlink_pending (set, timer);
          if (timer->kind == JANUS_TIMER_SLEEP)
            woke = TRUE;
          else
            timer->func (owner, timer->data);
        }
      janus_timer_free (timer);
    }
  return woke;
}
