/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "janus-kernel.h"

G_BEGIN_DECLS

/* What the library's other files may ask of a kernel; its fields are
 * janus-kernel.c's alone. */

JanusKernel *janus_kernel_find_by_uuid       (const guint8             uuid[16]);
gboolean     janus_kernel_is_stopping        (JanusKernel             *kernel);
void         janus_kernel_report_role_failure (JanusKernel            *kernel,
                                              GObject                 *role,
                                              const GError            *error);

/* What the layers above the kernel (organizations and groups) do when it
 * shuts down, once its agents are dead. */
typedef void (*JanusKernelShutdownFunc) (JanusKernel *kernel,
                                         gpointer     data);

void         janus_kernel_add_shutdown_hook  (JanusKernel             *kernel,
                                              JanusKernelShutdownFunc  func,
                                              gpointer                 data);
/* ... and what they do when it starts to shut down, before its agents are
 * killed. */
void         janus_kernel_add_stopping_hook  (JanusKernel             *kernel,
                                              JanusKernelShutdownFunc  func,
                                              gpointer                 data);
/* A thread of a higher layer that a kernel's shutdown waits for (the
 * network thread) marks itself: the last reference to a kernel dropped
 * there is finished on the reaper thread, as on a thread running agents. */
void         janus_kernel_reap_elsewhere_on_this_thread (void);

/* The kernel's group signals, emitted by the organizations. */
void         janus_kernel_emit_group_created (JanusKernel             *kernel,
                                              JanusGroup              *group);
void         janus_kernel_emit_group_removed (JanusKernel             *kernel,
                                              JanusGroup              *group);

G_END_DECLS
