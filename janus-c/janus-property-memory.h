/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined (JANUS_INSIDE) && !defined (JANUS_COMPILATION)
#error "Only <janus.h> can be included directly."
#endif

#include "janus-memory.h"

G_BEGIN_DECLS

#define JANUS_TYPE_PROPERTY_MEMORY (janus_property_memory_get_type ())

JANUS_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (JanusPropertyMemory, janus_property_memory, JANUS, PROPERTY_MEMORY, GObject)

JANUS_AVAILABLE_IN_ALL
JanusPropertyMemory *janus_property_memory_new        (GObject             *object) G_GNUC_WARN_UNUSED_RESULT;
JANUS_AVAILABLE_IN_ALL
GObject             *janus_property_memory_dup_object (JanusPropertyMemory *self) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
