/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined (JANUS_INSIDE) && !defined (JANUS_COMPILATION)
#error "Only <janus.h> can be included directly."
#endif

#include "janus-holon.h"

G_BEGIN_DECLS

/**
 * JanusHolarchyDetails:
 * @JANUS_HOLARCHY_SHOW_ROLES: each membership's holonic role (head, part,
 *   multi-part)
 * @JANUS_HOLARCHY_SHOW_GROUPS: each composed holon's internal group (its
 *   UUID, its organization and how many roles are played in it)
 * @JANUS_HOLARCHY_SHOW_STATES: each agent's life-cycle state
 * @JANUS_HOLARCHY_SHOW_MAILBOXES: each agent's mailbox depth, where it
 *   may be read: on a kernel without workers, from the thread driving it
 *   between steps (elsewhere it is left out, `NULL` in JSON)
 * @JANUS_HOLARCHY_SHOW_ADDRESSES: each agent's address
 * @JANUS_HOLARCHY_SHOW_TYPES: each agent's type name
 * @JANUS_HOLARCHY_SHOW_ALL: all of the above
 * @JANUS_HOLARCHY_SHOW_VERBOSE: everything, including what later versions
 *   add
 *
 * What a holarchy dump shows besides the holons, their members and their
 * names, after GStreamer's `GstDebugGraphDetails`.
 */
typedef enum /*< flags >*/ {
  JANUS_HOLARCHY_SHOW_ROLES     = 1 << 0,
  JANUS_HOLARCHY_SHOW_GROUPS    = 1 << 1,
  JANUS_HOLARCHY_SHOW_STATES    = 1 << 2,
  JANUS_HOLARCHY_SHOW_MAILBOXES = 1 << 3,
  JANUS_HOLARCHY_SHOW_ADDRESSES = 1 << 4,
  JANUS_HOLARCHY_SHOW_TYPES     = 1 << 5,
  JANUS_HOLARCHY_SHOW_ALL       = (1 << 6) - 1,
  JANUS_HOLARCHY_SHOW_VERBOSE   = (gint) 0xffffffff,
} JanusHolarchyDetails;

JANUS_AVAILABLE_IN_ALL
char    *janus_holarchy_to_dot_data   (JanusKernel          *kernel,
                                       JanusHolon           *root,
                                       JanusHolarchyDetails  details);
JANUS_AVAILABLE_IN_ALL
char    *janus_holarchy_to_json_data  (JanusKernel          *kernel,
                                       JanusHolon           *root,
                                       JanusHolarchyDetails  details);
JANUS_AVAILABLE_IN_ALL
gboolean janus_holarchy_dump_to_file  (JanusKernel          *kernel,
                                       JanusHolon           *root,
                                       JanusHolarchyDetails  details,
                                       const char           *file_name);

G_END_DECLS
