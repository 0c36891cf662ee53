/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined (JANUS_INSIDE) && !defined (JANUS_COMPILATION)
#error "Only <janus.h> can be included directly."
#endif

#include "janus-types.h"
#include "janus-agent.h"
#include "janus-role.h"

G_BEGIN_DECLS

/**
 * JANUS_PROBE_ERROR:
 *
 * The error domain of probes: errors in this domain are from the
 * [error@Janus.ProbeError] enumeration.
 */
#define JANUS_PROBE_ERROR (janus_probe_error_quark ())

/**
 * JanusProbeError:
 * @JANUS_PROBE_ERROR_NOT_LAUNCHED: the agent to probe is not launched.
 * @JANUS_PROBE_ERROR_NOT_DEFINED: no value of that name was published: the
 *   class does not declare it, it is `NULL`, or the agent has not
 *   published yet (Janus's `ProbeValueNotDefinedException`).
 * @JANUS_PROBE_ERROR_WRONG_TYPE: the value is of another type than asked.
 *
 * Error codes in the `JANUS_PROBE_ERROR` domain.
 */
typedef enum {
  JANUS_PROBE_ERROR_NOT_LAUNCHED,
  JANUS_PROBE_ERROR_NOT_DEFINED,
  JANUS_PROBE_ERROR_WRONG_TYPE,
} JanusProbeError;

JANUS_AVAILABLE_IN_ALL
GQuark janus_probe_error_quark (void);

#define JANUS_TYPE_PROBE (janus_probe_get_type ())

JANUS_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (JanusProbe, janus_probe, JANUS, PROBE, GObject)

JANUS_AVAILABLE_IN_ALL
void                janus_agent_class_add_probe  (JanusAgentClass *klass,
                                                  const char      *property);
JANUS_AVAILABLE_IN_ALL
void                janus_agent_type_add_probe   (GType            agent_type,
                                                  const char      *property);
JANUS_AVAILABLE_IN_ALL
void                janus_role_class_add_probe   (JanusRoleClass  *klass,
                                                  const char      *property);
JANUS_AVAILABLE_IN_ALL
void                janus_role_type_add_probe    (GType            role_type,
                                                  const char      *property);
JANUS_AVAILABLE_IN_ALL
char              **janus_type_list_probes       (GType            type) G_GNUC_WARN_UNUSED_RESULT;
JANUS_AVAILABLE_IN_ALL
void                janus_agent_publish_probes   (JanusAgent      *self);

JANUS_AVAILABLE_IN_ALL
JanusProbe         *janus_probe_new              (JanusAgent      *agent,
                                                  GError         **error) G_GNUC_WARN_UNUSED_RESULT;
JANUS_AVAILABLE_IN_ALL
JanusAgent         *janus_probe_dup_agent        (JanusProbe      *self) G_GNUC_WARN_UNUSED_RESULT;
JANUS_AVAILABLE_IN_ALL
const JanusAddress *janus_probe_get_address      (JanusProbe      *self);
JANUS_AVAILABLE_IN_ALL
gboolean            janus_probe_is_alive         (JanusProbe      *self);
JANUS_AVAILABLE_IN_ALL
guint64             janus_probe_get_serial       (JanusProbe      *self);
JANUS_AVAILABLE_IN_ALL
gint64              janus_probe_get_time         (JanusProbe      *self);
JANUS_AVAILABLE_IN_ALL
char              **janus_probe_list_names       (JanusProbe      *self) G_GNUC_WARN_UNUSED_RESULT;
JANUS_AVAILABLE_IN_ALL
GVariant           *janus_probe_get_value        (JanusProbe      *self,
                                                  const char      *name) G_GNUC_WARN_UNUSED_RESULT;
JANUS_AVAILABLE_IN_ALL
GVariant           *janus_probe_get_typed        (JanusProbe          *self,
                                                  const char          *name,
                                                  const GVariantType  *type,
                                                  GError             **error) G_GNUC_WARN_UNUSED_RESULT;
JANUS_AVAILABLE_IN_ALL
GVariant           *janus_probe_get_role_value   (JanusProbe      *self,
                                                  GType            role_type,
                                                  JanusGroup      *group,
                                                  const char      *name) G_GNUC_WARN_UNUSED_RESULT;
JANUS_AVAILABLE_IN_ALL
GVariant           *janus_probe_dup_snapshot     (JanusProbe      *self) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
