/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "janus-clock.h"

G_BEGIN_DECLS

/* Kernels follow their clock's moves through a plain callback: a GObject
 * notification costs a signal emission (~1 µs), once per fired timer in a
 * discrete-event run. */
typedef void (*JanusClockListener) (gpointer data);

void janus_clock_add_listener    (JanusClock         *self,
                                  JanusClockListener  func,
                                  gpointer            data);
void janus_clock_remove_listener (JanusClock         *self,
                                  JanusClockListener  func,
                                  gpointer            data);

G_END_DECLS
