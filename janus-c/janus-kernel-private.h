/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdatomic.h>

#include "janus-kernel.h"
#include "janus-address-private.h"
#include "janus-epoch-private.h"
#include "janus-registry-private.h"
#include "janus-scheduler-private.h"
#include "janus-clock.h"

G_BEGIN_DECLS

/* JanusKernel's fields, grouped by who may touch them.
 *
 * Immutable after construction: uuid, address, n_workers, workers,
 * registry pointer.
 * Atomics (any thread): live_agents, dead_letters, stopping, quit,
 * keep_alive, inject, nsearching, nparked, has_dead_letter_handlers.
 * `lock` guards: heavy_threads, finished_threads, source, shutdown_hooks;
 * `cond` is
 * signalled when live_agents reaches 0 or quit is set. */
struct _JanusKernel
{
  GObject            parent_instance;

  guint8             uuid[16];
  char               uuid_string[37];
  JanusAddress       address;
  JanusRegistry     *registry;

  guint              n_workers;       /* 0: the caller's thread drives */
  JanusWorker      **workers;         /* max (n_workers, 1) entries */

  JanusScheduler    *sched;           /* cache-line aligned, own block */

  atomic_uint        live_agents;
  _Atomic guint64    dead_letters;
  atomic_bool        stopping;
  atomic_bool        quit;
  atomic_bool        keep_alive;
  guint64            seed;

  GMutex             lock;
  GCond              cond;
  GPtrArray         *heavy_threads;   /* GThread of running heavy agents */
  GPtrArray         *finished_threads;/* GThread of dead heavy agents */
  GSource           *source;
  atomic_bool        workers_started;
  gboolean           unlisted;        /* left the process's kernel table */
  JanusClock        *clock;           /* strong; set before agents run */
  GArray            *shutdown_hooks;  /* ShutdownHook */
};

typedef void (*JanusKernelShutdownFunc) (JanusKernel *kernel,
                                         gpointer     data);

gboolean     janus_kernel_is_stopping        (JanusKernel             *kernel);
void         janus_kernel_add_shutdown_hook  (JanusKernel             *kernel,
                                              JanusKernelShutdownFunc  func,
                                              gpointer                 data);

JanusWorker *janus_kernel_current_worker     (JanusKernel       *kernel);
void         janus_kernel_dead_letter        (JanusKernel       *kernel,
                                              JanusMessage      *message);
void         janus_kernel_dead_letters       (JanusKernel       *kernel,
                                              JanusMessage      *messages);
void         janus_kernel_agent_failed       (JanusKernel       *kernel,
                                              JanusAgent        *agent,
                                              const GError      *error);
void         janus_kernel_agent_died         (JanusKernel       *kernel,
                                              JanusAgent        *agent);
gboolean     janus_kernel_deliver            (JanusKernel       *kernel,
                                              JanusMessage      *message);
void         janus_kernel_deliver_to_agent   (JanusKernel       *kernel,
                                              JanusAgent        *agent,
                                              JanusMessage      *message);
JanusKernel *janus_kernel_find_by_uuid       (const guint8       uuid[16]);
void         janus_kernel_heavy_finished     (JanusKernel       *kernel,
                                              GThread           *thread);
gint64       janus_kernel_read_clock         (JanusKernel       *kernel);
gint64       janus_kernel_monotonic_time     (JanusKernel       *kernel);
gboolean     janus_kernel_clock_is_virtual   (JanusKernel       *kernel);
void         janus_kernel_deliver_timer      (JanusKernel       *kernel,
                                              JanusTimer        *timer);

/* The send time of a message: the time of the sending step (the clock is
 * read once per step, at its first send), or now outside any step. */
static inline gint64
janus_kernel_timestamp (JanusKernel *kernel)
{
  JanusWorker *w = janus_scheduler_current ();

  if (w != NULL && w->in_turn)
    {
      if (G_UNLIKELY (w->turn_time == 0))
        w->turn_time = janus_kernel_read_clock (kernel);
      return w->turn_time;
    }
  return janus_kernel_read_clock (kernel);
}

G_END_DECLS
