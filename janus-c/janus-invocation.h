/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined (JANUS_INSIDE) && !defined (JANUS_COMPILATION)
#error "Only <janus.h> can be included directly."
#endif

#include <json-glib/json-glib.h>

#include "janus-agent.h"
#include "janus-proxy.h"

G_BEGIN_DECLS

typedef struct _JanusInvocation JanusInvocation;

#define JANUS_TYPE_INVOCATION (janus_invocation_get_type ())

/**
 * JanusMethodFunc:
 * @agent: the agent whose method is called
 * @invocation: the call: its arguments, and how to answer it
 * @user_data: the data given at registration
 *
 * An exposed method. It runs in @agent's turn (see
 * [method@Janus.AgentClass.add_method]) and answers @invocation exactly
 * once, before returning or later (keep a reference), with
 * [method@Janus.Invocation.return_value],
 * [method@Janus.Invocation.return_json] or
 * [method@Janus.Invocation.return_gerror].
 */
typedef void (*JanusMethodFunc) (JanusAgent      *agent,
                                 JanusInvocation *invocation,
                                 gpointer         user_data);

JANUS_AVAILABLE_IN_ALL
void              janus_agent_class_add_method        (JanusAgentClass    *klass,
                                                       const char         *name,
                                                       const char         *in_signature,
                                                       JanusMethodFunc     func);
JANUS_AVAILABLE_IN_ALL
void              janus_agent_type_add_method         (GType               agent_type,
                                                       const char         *name,
                                                       const char         *in_signature,
                                                       JanusMethodFunc     func,
                                                       gpointer            user_data,
                                                       GDestroyNotify      destroy);
JANUS_AVAILABLE_IN_ALL
char            **janus_agent_type_list_methods       (GType               agent_type);

JANUS_AVAILABLE_IN_ALL
GType             janus_invocation_get_type           (void) G_GNUC_CONST;
JANUS_AVAILABLE_IN_ALL
JanusInvocation  *janus_invocation_ref                (JanusInvocation    *self);
JANUS_AVAILABLE_IN_ALL
void              janus_invocation_unref              (JanusInvocation    *self);

JANUS_AVAILABLE_IN_ALL
const char       *janus_invocation_get_method_name    (JanusInvocation    *self);
JANUS_AVAILABLE_IN_ALL
JanusAgent       *janus_invocation_get_agent          (JanusInvocation    *self);
JANUS_AVAILABLE_IN_ALL
JsonArray        *janus_invocation_get_args           (JanusInvocation    *self);
JANUS_AVAILABLE_IN_ALL
JsonObject       *janus_invocation_get_kwargs         (JanusInvocation    *self);
JANUS_AVAILABLE_IN_ALL
GVariant         *janus_invocation_get_parameters     (JanusInvocation    *self);
JANUS_AVAILABLE_IN_ALL
GVariant         *janus_invocation_get_kwargs_value   (JanusInvocation    *self);
JANUS_AVAILABLE_IN_ALL
char             *janus_invocation_dup_json           (JanusInvocation    *self);
JANUS_AVAILABLE_IN_ALL
GObject          *janus_invocation_dup_object         (JanusInvocation    *self,
                                                       JsonNode           *node,
                                                       GError            **error);
JANUS_AVAILABLE_IN_ALL
JanusProxy       *janus_invocation_dup_proxy          (JanusInvocation    *self,
                                                       guint64             agent_id);

JANUS_AVAILABLE_IN_ALL
void              janus_invocation_return_value       (JanusInvocation    *self,
                                                       GVariant           *value);
JANUS_AVAILABLE_IN_ALL
void              janus_invocation_return_json        (JanusInvocation    *self,
                                                       JsonNode           *value);
JANUS_AVAILABLE_IN_ALL
void              janus_invocation_return_json_string (JanusInvocation    *self,
                                                       const char         *json);
JANUS_AVAILABLE_IN_ALL
void              janus_invocation_return_gerror      (JanusInvocation    *self,
                                                       const GError       *error);
JANUS_AVAILABLE_IN_ALL
void              janus_invocation_return_error_literal (JanusInvocation  *self,
                                                       GQuark              domain,
                                                       gint                code,
                                                       const char         *message);
JANUS_AVAILABLE_IN_ALL
void              janus_invocation_return_error       (JanusInvocation    *self,
                                                       GQuark              domain,
                                                       gint                code,
                                                       const char         *format,
                                                       ...) G_GNUC_PRINTF (4, 5);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JanusInvocation, janus_invocation_unref)

G_END_DECLS
