/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined (JANUS_INSIDE) && !defined (JANUS_COMPILATION)
#error "Only <janus.h> can be included directly."
#endif

#include <gio/gio.h>

#include "janus-types.h"

G_BEGIN_DECLS

#define JANUS_TYPE_CAPACITY_CONTEXT (janus_capacity_context_get_type ())

JANUS_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (JanusCapacityContext, janus_capacity_context, JANUS, CAPACITY_CONTEXT, GObject)

JANUS_AVAILABLE_IN_ALL
JanusCapacityContext *janus_capacity_context_get_current       (void);

JANUS_AVAILABLE_IN_ALL
JanusAgent           *janus_capacity_context_dup_caller        (JanusCapacityContext  *self) G_GNUC_WARN_UNUSED_RESULT;
JANUS_AVAILABLE_IN_ALL
JanusRole            *janus_capacity_context_get_role          (JanusCapacityContext  *self);
JANUS_AVAILABLE_IN_ALL
JanusGroup           *janus_capacity_context_get_group         (JanusCapacityContext  *self);
JANUS_AVAILABLE_IN_ALL
GType                 janus_capacity_context_get_capacity_type (JanusCapacityContext  *self);
JANUS_AVAILABLE_IN_ALL
GVariant             *janus_capacity_context_get_input         (JanusCapacityContext  *self);
JANUS_AVAILABLE_IN_ALL
GCancellable         *janus_capacity_context_get_cancellable   (JanusCapacityContext  *self);
JANUS_AVAILABLE_IN_ALL
gboolean              janus_capacity_context_is_cancelled      (JanusCapacityContext  *self);
JANUS_AVAILABLE_IN_ALL
gboolean              janus_capacity_context_is_asynchronous   (JanusCapacityContext  *self);

JANUS_AVAILABLE_IN_ALL
gboolean              janus_capacity_context_is_completed      (JanusCapacityContext  *self);
JANUS_AVAILABLE_IN_ALL
GVariant             *janus_capacity_context_wait              (JanusCapacityContext  *self,
                                                                gint64                 timeout_usec,
                                                                GError               **error) G_GNUC_WARN_UNUSED_RESULT;
JANUS_AVAILABLE_IN_ALL
void                  janus_capacity_context_cancel            (JanusCapacityContext  *self);

G_END_DECLS
