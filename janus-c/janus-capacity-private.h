/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "janus-capacity.h"
#include "janus-message-private.h"

G_BEGIN_DECLS

gboolean janus_capacity_invoke_by_message (JanusCapacity      *self,
                                           GVariant           *input,
                                           JanusAgent         *player,
                                           JanusRole          *role,
                                           JanusGroup         *group,
                                           GType               capacity_type,
                                           JanusMessageRoute  *route,
                                           const char         *reply_subject,
                                           GError            **error);

G_END_DECLS
