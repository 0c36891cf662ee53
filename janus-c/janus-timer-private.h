/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdatomic.h>

#include "janus-agent.h"

G_BEGIN_DECLS

typedef enum {
  JANUS_TIMER_CALL,             /* run func (agent, data) in the agent's step */
  JANUS_TIMER_SLEEP,            /* end janus_agent_sleep () */
} JanusTimerKind;

enum {
  JANUS_TIMER_PENDING,          /* in a heap */
  JANUS_TIMER_FIRED,            /* due: on its way to its agent */
  JANUS_TIMER_CANCELLED,        /* will not run */
};

/* A pending timer. Created in its agent's step and pushed onto the heap of
 * the worker running that step (or the kernel's shared heap); the heap owns
 * it until it is due. A due timer travels to its agent as an internal
 * message, and the agent's next step runs it and frees it. The agent links
 * its pending timers (prev/next, owner only) so it can cancel one by id.
 * `state` decides, with one CAS, whether a timer fired or was cancelled;
 * cancelling never frees: whoever holds the timer then does. */
typedef struct _JanusTimer JanusTimer;
struct _JanusTimer
{
  guint64         id;           /* unique in the kernel, increasing */
  gint64          due;          /* on the kernel's monotonic (or virtual) time */
  guint64         agent_id;
  JanusTimerFunc  func;
  gpointer        data;
  GDestroyNotify  destroy;
  JanusTimer     *prev;         /* the agent's pending list */
  JanusTimer     *next;
  atomic_int      state;
  guint8          kind;
};

/* (due, id) ordered min-heap; entries hold the keys so comparisons do not
 * touch the timers. */
typedef struct
{
  gint64      due;
  guint64     id;
  JanusTimer *timer;
} JanusTimerSlot;

typedef struct
{
  JanusTimerSlot *slots;
  guint           len;
  guint           alloc;
} JanusTimerHeap;

void        janus_timer_heap_push   (JanusTimerHeap *heap,
                                     JanusTimer     *timer,
                                     gint64          due);
JanusTimer *janus_timer_heap_pop_due (JanusTimerHeap *heap,
                                     gint64          now);
gint64      janus_timer_heap_next_due (JanusTimerHeap *heap);
void        janus_timer_heap_clear  (JanusTimerHeap *heap);
void        janus_timer_free        (JanusTimer     *timer);

G_END_DECLS
