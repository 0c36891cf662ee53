/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "janus-debug-private.h"

guint janus_debug_flags;

static const GDebugKey debug_keys[] = {
  { "no-cache", JANUS_DEBUG_NO_CACHE },
};

/* Runs when the library is loaded, before any thread of ours exists. */
__attribute__ ((constructor)) void
janus_debug_init (void)
{
  janus_debug_flags = g_parse_debug_string (g_getenv ("JANUS_DEBUG"), debug_keys,
                                            G_N_ELEMENTS (debug_keys));
}
