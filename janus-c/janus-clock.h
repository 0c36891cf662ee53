/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined (JANUS_INSIDE) && !defined (JANUS_COMPILATION)
#error "Only <janus.h> can be included directly."
#endif

#include "janus-types.h"

G_BEGIN_DECLS

JANUS_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (JanusClock, janus_clock, JANUS, CLOCK, GObject)

JANUS_AVAILABLE_IN_ALL
JanusClock *janus_clock_new_real       (void) G_GNUC_WARN_UNUSED_RESULT;
JANUS_AVAILABLE_IN_ALL
JanusClock *janus_clock_new_virtual    (gint64       start,
                                        gint64       step) G_GNUC_WARN_UNUSED_RESULT;

JANUS_AVAILABLE_IN_ALL
gboolean    janus_clock_is_virtual     (JanusClock  *self);
JANUS_AVAILABLE_IN_ALL
gint64      janus_clock_get_time       (JanusClock  *self);
JANUS_AVAILABLE_IN_ALL
gint64      janus_clock_get_monotonic_time (JanusClock *self);
JANUS_AVAILABLE_IN_ALL
gboolean    janus_clock_set_time       (JanusClock  *self,
                                        gint64       time,
                                        GError     **error);
JANUS_AVAILABLE_IN_ALL
gboolean    janus_clock_advance        (JanusClock  *self,
                                        gint64       delta,
                                        GError     **error);
JANUS_AVAILABLE_IN_ALL
gint64      janus_clock_get_step       (JanusClock  *self);
JANUS_AVAILABLE_IN_ALL
void        janus_clock_set_step       (JanusClock  *self,
                                        gint64       step);

G_END_DECLS
