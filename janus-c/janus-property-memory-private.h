/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "janus-property-memory.h"

G_BEGIN_DECLS

/* A property's value as a property memory shows it (the table of
 * JanusPropertyMemory), or NULL for a property memory cannot represent
 * or whose value is NULL. Call where the object's properties may be read. */
gboolean  janus_property_memory_can_read (GParamSpec *pspec);
GVariant *janus_property_memory_read     (GObject    *object,
                                          GParamSpec *pspec);

G_END_DECLS
