/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "janus-capacity-context.h"

G_BEGIN_DECLS

/* A capacity invocation in progress on this thread: what
 * janus_capacity_context_get_current () describes. Synchronous calls
 * describe themselves on the stack and make the context object only if the
 * capacity asks for it; asynchronous calls have one from the start. */
typedef struct _JanusCapacityFrame JanusCapacityFrame;

struct _JanusCapacityFrame
{
  JanusCapacityFrame   *prev;
  JanusAgent           *caller;
  JanusRole            *role;
  JanusGroup           *group;
  GType                 capacity_type;
  GVariant             *input;
  JanusCapacityContext *context;
};

void                  janus_capacity_frame_enter       (JanusCapacityFrame    *frame,
                                                        JanusAgent            *caller,
                                                        JanusRole             *role,
                                                        JanusGroup            *group,
                                                        GType                  capacity_type,
                                                        GVariant              *input,
                                                        JanusCapacityContext  *context);
void                  janus_capacity_frame_leave       (JanusCapacityFrame    *frame,
                                                        GVariant              *result,
                                                        const GError          *error);

JanusCapacityContext *janus_capacity_context_new       (JanusAgent            *caller,
                                                        JanusRole             *role,
                                                        JanusGroup            *group,
                                                        GType                  capacity_type,
                                                        GVariant              *input,
                                                        GCancellable          *cancellable,
                                                        gboolean               asynchronous);
gboolean              janus_capacity_context_complete  (JanusCapacityContext  *self,
                                                        GVariant              *result,
                                                        const GError          *error);

typedef void (*JanusCapacityDoneFunc) (JanusCapacityContext *context,
                                       gpointer              data);

void                  janus_capacity_context_when_done (JanusCapacityContext  *self,
                                                        JanusCapacityDoneFunc  func,
                                                        gpointer               data);
GVariant             *janus_capacity_context_dup_outcome (JanusCapacityContext *self,
                                                          GError              **error);

G_END_DECLS
