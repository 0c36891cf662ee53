/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Flags read once from the JANUS_DEBUG environment variable (comma-separated
 * keys, as G_DEBUG):
 *   no-cache   allocate every message with malloc and free it at once, so
 *              valgrind and AddressSanitizer see each message's lifetime. */
typedef enum {
  JANUS_DEBUG_NO_CACHE = 1 << 0,
} JanusDebugFlags;

extern guint janus_debug_flags;

void janus_debug_init (void);

G_END_DECLS
