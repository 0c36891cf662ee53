/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Epoch-based reclamation (quiescent-state flavour).
 *
 * Senders find receivers through the kernel's address table without taking
 * a lock, so an agent that dies may still be reached by a sender that read
 * its pointer a moment earlier. Its memory (and the kernel's reference) is
 * therefore released only after a grace period: once every thread that could
 * hold such a pointer has passed a quiescent point.
 *
 *  - worker threads are "online" and announce a quiescent point between two
 *    agent turns (janus_epoch_quiescent), and go offline while parked;
 *  - any other thread (heavy agents, the main thread, foreign threads) wraps
 *    each access in janus_epoch_enter/exit;
 *  - whoever unpublishes an object retires it into a limbo list; collecting
 *    frees what was retired before the oldest epoch any thread still holds.
 *
 * All of this is process-wide: one thread may use several kernels.
 */

typedef struct _JanusLimboItem JanusLimboItem;

typedef struct {
  JanusLimboItem *head;
  JanusLimboItem *tail;
  guint           length;
} JanusLimbo;

void     janus_epoch_online     (void);
void     janus_epoch_offline    (void);
void     janus_epoch_quiescent  (void);
void     janus_epoch_enter_slow (void);
void     janus_epoch_exit_slow  (void);

/* Set while the calling thread is an online worker: enter/exit are then
 * no-ops (the worker is protected until its next quiescent point). */
extern __thread gboolean janus_epoch_thread_online __attribute__ ((tls_model ("initial-exec")));

/* Brackets a lookup made outside a worker's turn. Nestable. */
static inline void
janus_epoch_enter (void)
{
  if (G_LIKELY (janus_epoch_thread_online))
    return;
  janus_epoch_enter_slow ();
}

static inline void
janus_epoch_exit (void)
{
  if (G_LIKELY (janus_epoch_thread_online))
    return;
  janus_epoch_exit_slow ();
}

void     janus_epoch_retire     (JanusLimbo     *limbo,
                                 gpointer        data,
                                 GDestroyNotify  destroy);
void     janus_epoch_retire_shared (gpointer     data,
                                 GDestroyNotify  destroy);
guint    janus_epoch_collect    (JanusLimbo     *limbo);
void     janus_epoch_move_to_shared (JanusLimbo *limbo);
guint    janus_epoch_collect_shared (void);
gboolean janus_epoch_shared_pending (void);
void     janus_epoch_release    (JanusLimbo     *limbo);

G_END_DECLS
