/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "janus-invocation.h"
#include "janus-proxy-private.h"

G_BEGIN_DECLS

/* exposed methods and invocations (janus-invocation.c) */
typedef struct _JanusMethod JanusMethod;

const JanusMethod  *janus_method_lookup          (GType              agent_type,
                                                  const char        *name);
const GVariantType *janus_method_get_in_type     (const JanusMethod *method);
JanusInvocation    *janus_invocation_new         (JanusConnection   *connection,
                                                  guint64            id,
                                                  const char        *name,
                                                  const JanusMethod *method,
                                                  JsonArray         *args,
                                                  JsonObject        *kwargs);
JanusAgentTask     *janus_invocation_task_new    (JanusInvocation   *invocation);

G_END_DECLS
