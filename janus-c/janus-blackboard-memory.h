/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined (JANUS_INSIDE) && !defined (JANUS_COMPILATION)
#error "Only <janus.h> can be included directly."
#endif

#include "janus-memory.h"

G_BEGIN_DECLS

#define JANUS_TYPE_BLACKBOARD_MEMORY (janus_blackboard_memory_get_type ())

JANUS_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (JanusBlackboardMemory, janus_blackboard_memory, JANUS, BLACKBOARD_MEMORY, GObject)

JANUS_AVAILABLE_IN_ALL
JanusBlackboardMemory *janus_blackboard_memory_new (void) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
