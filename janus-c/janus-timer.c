/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "janus-timer-private.h"

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
