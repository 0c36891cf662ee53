/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined (JANUS_INSIDE) && !defined (JANUS_COMPILATION)
#error "Only <janus.h> can be included directly."
#endif

#include "janus-types.h"

G_BEGIN_DECLS

typedef struct _JanusAgentSignal JanusAgentSignal;

#define JANUS_TYPE_AGENT_SIGNAL (janus_agent_signal_get_type ())

JANUS_AVAILABLE_IN_ALL
GType janus_agent_signal_get_type (void) G_GNUC_CONST;

/**
 * JanusSignalFunc:
 * @signal: the agent signal
 * @user_data: the data given with the function
 *
 * What a listener of agent signals does with one
 * ([method@Janus.Agent.add_signal_listener]). It runs on the agent's own
 * thread, in its step; it may fire other signals and add or remove
 * listeners. Take a reference on @signal to keep it.
 */
typedef void (*JanusSignalFunc) (JanusAgentSignal *signal,
                                 gpointer          user_data);

JANUS_AVAILABLE_IN_ALL
JanusAgentSignal *janus_agent_signal_new        (const char       *name,
                                                 GVariant         *values) G_GNUC_WARN_UNUSED_RESULT;
JANUS_AVAILABLE_IN_ALL
JanusAgentSignal *janus_agent_signal_ref        (JanusAgentSignal *self);
JANUS_AVAILABLE_IN_ALL
void              janus_agent_signal_unref      (JanusAgentSignal *self);
JANUS_AVAILABLE_IN_ALL
const char       *janus_agent_signal_get_name   (JanusAgentSignal *self);
JANUS_AVAILABLE_IN_ALL
GVariant         *janus_agent_signal_get_values (JanusAgentSignal *self);
JANUS_AVAILABLE_IN_ALL
GObject          *janus_agent_signal_dup_source (JanusAgentSignal *self) G_GNUC_WARN_UNUSED_RESULT;

JANUS_AVAILABLE_IN_ALL
guint             janus_agent_add_signal_listener    (JanusAgent        *self,
                                                      const char        *name,
                                                      JanusSignalPolicy  policy,
                                                      JanusSignalFunc    func,
                                                      gpointer           user_data,
                                                      GDestroyNotify     destroy);
JANUS_AVAILABLE_IN_ALL
gboolean          janus_agent_remove_signal_listener (JanusAgent        *self,
                                                      guint              listener_id);
JANUS_AVAILABLE_IN_ALL
void              janus_agent_fire_signal            (JanusAgent        *self,
                                                      JanusAgentSignal  *signal);
JANUS_AVAILABLE_IN_ALL
JanusAgentSignal *janus_agent_take_signal            (JanusAgent        *self,
                                                      guint              listener_id) G_GNUC_WARN_UNUSED_RESULT;
JANUS_AVAILABLE_IN_ALL
gboolean          janus_agent_has_signal             (JanusAgent        *self,
                                                      guint              listener_id);

JANUS_AVAILABLE_IN_ALL
guint             janus_role_add_signal_listener     (JanusRole         *self,
                                                      const char        *name,
                                                      JanusSignalPolicy  policy,
                                                      JanusSignalFunc    func,
                                                      gpointer           user_data,
                                                      GDestroyNotify     destroy);
JANUS_AVAILABLE_IN_ALL
gboolean          janus_role_remove_signal_listener  (JanusRole         *self,
                                                      guint              listener_id);
JANUS_AVAILABLE_IN_ALL
void              janus_role_fire_signal             (JanusRole         *self,
                                                      JanusAgentSignal  *signal);
JANUS_AVAILABLE_IN_ALL
JanusAgentSignal *janus_role_take_signal             (JanusRole         *self,
                                                      guint              listener_id) G_GNUC_WARN_UNUSED_RESULT;

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JanusAgentSignal, janus_agent_signal_unref)

G_END_DECLS
