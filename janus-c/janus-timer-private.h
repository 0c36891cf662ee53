/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdatomic.h>

#include "janus-message-private.h"
#include "janus-types.h"

G_BEGIN_DECLS

/* What a timer does when it is due, in its owner's step (the signature of
 * JanusTimerFunc, which the agent's public header declares). */
typedef void (*JanusTimerCallback) (JanusAgent *owner,
                                    gpointer    user_data);

typedef enum {
  JANUS_TIMER_CALL,             /* run func (owner, data) in the owner's step */
  JANUS_TIMER_SLEEP,            /* end the owner's sleep */
} JanusTimerKind;

enum {
  JANUS_TIMER_PENDING,          /* in a heap */
  JANUS_TIMER_FIRED,            /* due: on its way to its agent */
  JANUS_TIMER_CANCELLED,        /* will not run */
};

/* A pending timer. Created in its owner's step and pushed onto the heap of
 * the worker running that step (or the kernel's shared heap); the heap owns
 * it until it is due. A due timer travels to its owner as an internal
 * message, and the owner's next step runs it and frees it. The owner links
 * its pending timers in its JanusTimerSet (prev/next, owner only) so it can
 * cancel one by id.
 * `state` decides, with one CAS, whether a timer fired or was cancelled;
 * cancelling never frees: whoever holds the timer then does. */
typedef struct _JanusTimer JanusTimer;
struct _JanusTimer
{
  guint64         id;           /* unique in the kernel, increasing */
  gint64          due;          /* on the kernel's monotonic (or virtual) time */
  guint64         owner_id;     /* the owner's id in its kernel's table */
  JanusTimerCallback func;
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
JanusTimer *janus_timer_new         (guint64             id,
                                     guint64             owner_id,
                                     JanusTimerKind      kind,
                                     JanusTimerCallback  func,
                                     gpointer            user_data,
                                     GDestroyNotify      destroy);
void        janus_timer_free        (JanusTimer     *timer);

/* An owner's timers (owner only): those pending in a heap, linked so that
 * one can be cancelled by id, and the due ones its mailbox handed over
 * (internal messages, kept in due order until its step runs them). */
typedef struct
{
  JanusTimer   *pending;
  guint         n_pending;
  JanusMessage *fired_head;
  JanusMessage *fired_tail;
} JanusTimerSet;

void        janus_timer_set_add     (JanusTimerSet  *set,
                                     JanusTimer     *timer);
gboolean    janus_timer_set_cancel  (JanusTimerSet  *set,
                                     JanusTimer     *timer);
guint       janus_timer_set_cancel_all (JanusTimerSet *set);

static inline gboolean
janus_timer_set_is_empty (JanusTimerSet *set)
{
  return set->pending == NULL && set->fired_head == NULL;
}
JanusTimer *janus_timer_set_find    (JanusTimerSet  *set,
                                     guint64         id,
                                     JanusTimerKind  kind);
void        janus_timer_set_fired   (JanusTimerSet  *set,
                                     JanusMessage   *due);
gboolean    janus_timer_set_run     (JanusTimerSet  *set,
                                     JanusAgent     *owner);

static inline gboolean
janus_timer_set_has_fired (JanusTimerSet *set)
{
  return set->fired_head != NULL;
}

G_END_DECLS
