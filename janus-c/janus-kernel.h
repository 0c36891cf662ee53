/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined (JANUS_INSIDE) && !defined (JANUS_COMPILATION)
#error "Only <janus.h> can be included directly."
#endif

#include "janus-types.h"

G_BEGIN_DECLS

JANUS_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (JanusKernel, janus_kernel, JANUS, KERNEL, GObject)

/**
 * JanusThreadHook:
 * @event: whether the thread starts or stops
 * @kind: what the thread is for
 * @user_data: the data given to [method@Janus.Kernel.add_thread_hook]
 *
 * Called on a thread of a kernel, by that thread, when it starts and when it
 * stops (see [method@Janus.Kernel.add_thread_hook]).
 */
typedef void (*JanusThreadHook) (JanusThreadEvent event,
                                 JanusThreadKind  kind,
                                 gpointer         user_data);

JANUS_AVAILABLE_IN_ALL
JanusKernel        *janus_kernel_new                 (guint               workers) G_GNUC_WARN_UNUSED_RESULT;
JANUS_AVAILABLE_IN_ALL
JanusKernel        *janus_kernel_get_default         (void);

JANUS_AVAILABLE_IN_ALL
guint               janus_kernel_get_workers         (JanusKernel        *self);
JANUS_AVAILABLE_IN_ALL
gboolean            janus_kernel_add_thread_hook     (JanusKernel        *self,
                                                      JanusThreadHook     hook,
                                                      gpointer            user_data,
                                                      GDestroyNotify      destroy);
JANUS_AVAILABLE_IN_ALL
const char         *janus_kernel_get_uuid            (JanusKernel        *self);
JANUS_AVAILABLE_IN_ALL
const JanusAddress *janus_kernel_get_address         (JanusKernel        *self);
JANUS_AVAILABLE_IN_ALL
guint               janus_kernel_get_agent_count     (JanusKernel        *self);
JANUS_AVAILABLE_IN_ALL
guint64             janus_kernel_get_dead_letter_count (JanusKernel      *self);
JANUS_AVAILABLE_IN_ALL
gboolean            janus_kernel_get_keep_alive      (JanusKernel        *self);
JANUS_AVAILABLE_IN_ALL
void                janus_kernel_set_keep_alive      (JanusKernel        *self,
                                                      gboolean            keep_alive);

JANUS_AVAILABLE_IN_ALL
guint64             janus_kernel_get_seed            (JanusKernel        *self);
JANUS_AVAILABLE_IN_ALL
void                janus_kernel_set_seed            (JanusKernel        *self,
                                                      guint64             seed);

JANUS_AVAILABLE_IN_ALL
gboolean            janus_kernel_launch_light_agent  (JanusKernel        *self,
                                                      JanusAgent         *agent,
                                                      const char         *name,
                                                      GVariant           *parameters,
                                                      GError            **error);
JANUS_AVAILABLE_IN_ALL
gboolean            janus_kernel_launch_heavy_agent  (JanusKernel        *self,
                                                      JanusAgent         *agent,
                                                      const char         *name,
                                                      GVariant           *parameters,
                                                      GError            **error);
JANUS_AVAILABLE_IN_ALL
gboolean            janus_kernel_send                (JanusKernel        *self,
                                                      const JanusAddress *receiver,
                                                      JanusMessage       *message,
                                                      GError            **error);
JANUS_AVAILABLE_IN_ALL
JanusAgent         *janus_kernel_lookup_agent        (JanusKernel        *self,
                                                      const JanusAddress *address) G_GNUC_WARN_UNUSED_RESULT;
JANUS_AVAILABLE_IN_ALL
GPtrArray          *janus_kernel_list_agents         (JanusKernel        *self) G_GNUC_WARN_UNUSED_RESULT;
JANUS_AVAILABLE_IN_ALL
JanusAgent         *janus_kernel_lookup_agent_by_name (JanusKernel       *self,
                                                       const char        *name) G_GNUC_WARN_UNUSED_RESULT;

JANUS_AVAILABLE_IN_ALL
gint64              janus_kernel_get_time            (JanusKernel        *self);
JANUS_AVAILABLE_IN_ALL
JanusClock         *janus_kernel_get_clock           (JanusKernel        *self);
JANUS_AVAILABLE_IN_ALL
void                janus_kernel_set_clock           (JanusKernel        *self,
                                                      JanusClock         *clock);

JANUS_AVAILABLE_IN_ALL
JanusOrganization  *janus_kernel_get_organization    (JanusKernel        *self,
                                                      GType               organization_type);
JANUS_AVAILABLE_IN_ALL
JanusGroup         *janus_kernel_create_group        (JanusKernel        *self,
                                                      GType               organization_type,
                                                      GError            **error) G_GNUC_WARN_UNUSED_RESULT;
JANUS_AVAILABLE_IN_ALL
JanusGroup         *janus_kernel_create_group_full   (JanusKernel        *self,
                                                      GType               organization_type,
                                                      const char         *name,
                                                      const char         *uuid,
                                                      JanusCondition     *membership,
                                                      JanusCondition    **obtain_conditions,
                                                      JanusCondition    **leave_conditions,
                                                      GError            **error) G_GNUC_WARN_UNUSED_RESULT;
JANUS_AVAILABLE_IN_ALL
gboolean            janus_kernel_remove_group        (JanusKernel        *self,
                                                      JanusGroup         *group,
                                                      GError            **error);
JANUS_AVAILABLE_IN_ALL
JanusGroup         *janus_kernel_lookup_group_by_name (JanusKernel       *self,
                                                       GType              organization_type,
                                                       const char        *name) G_GNUC_WARN_UNUSED_RESULT;
JANUS_AVAILABLE_IN_ALL
JanusGroup         *janus_kernel_get_or_create_group (JanusKernel        *self,
                                                      GType               organization_type,
                                                      GError            **error) G_GNUC_WARN_UNUSED_RESULT;
JANUS_AVAILABLE_IN_ALL
GPtrArray          *janus_kernel_list_groups         (JanusKernel        *self) G_GNUC_WARN_UNUSED_RESULT;
JANUS_AVAILABLE_IN_ALL
JanusGroup         *janus_kernel_lookup_group        (JanusKernel        *self,
                                                      const char         *uuid) G_GNUC_WARN_UNUSED_RESULT;

JANUS_AVAILABLE_IN_ALL
gboolean            janus_kernel_kill                (JanusKernel        *self,
                                                      JanusAgent         *agent,
                                                      GError            **error);
JANUS_AVAILABLE_IN_ALL
void                janus_kernel_kill_all            (JanusKernel        *self);

JANUS_AVAILABLE_IN_ALL
void                janus_kernel_run                 (JanusKernel        *self);
JANUS_AVAILABLE_IN_ALL
gboolean            janus_kernel_step                (JanusKernel        *self);
JANUS_AVAILABLE_IN_ALL
void                janus_kernel_quit                (JanusKernel        *self);
JANUS_AVAILABLE_IN_ALL
void                janus_kernel_shutdown            (JanusKernel        *self);
JANUS_AVAILABLE_IN_ALL
GSource            *janus_kernel_create_source       (JanusKernel        *self) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
