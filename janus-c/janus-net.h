/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined (JANUS_INSIDE) && !defined (JANUS_COMPILATION)
#error "Only <janus.h> can be included directly."
#endif

#include <gio/gio.h>

#include "janus-codec.h"
#include "janus-net-error.h"
#include "janus-types.h"

G_BEGIN_DECLS

#define JANUS_TYPE_NETWORK (janus_network_get_type ())

JANUS_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (JanusNetwork, janus_network, JANUS, NETWORK, GObject)

JANUS_AVAILABLE_IN_ALL
JanusNetwork *janus_kernel_get_network            (JanusKernel   *kernel);
JANUS_AVAILABLE_IN_ALL
gboolean      janus_kernel_listen                 (JanusKernel   *kernel,
                                                   const char    *uri,
                                                   GError       **error);

JANUS_AVAILABLE_IN_ALL
gboolean      janus_network_listen                (JanusNetwork  *self,
                                                   const char    *uri,
                                                   GError       **error);
JANUS_AVAILABLE_IN_ALL
const char   *janus_network_get_listen_uri        (JanusNetwork  *self);
JANUS_AVAILABLE_IN_ALL
JanusCodec   *janus_network_get_codec             (JanusNetwork  *self);
JANUS_AVAILABLE_IN_ALL
void          janus_network_set_codec             (JanusNetwork  *self,
                                                   JanusCodec    *codec);
JANUS_AVAILABLE_IN_ALL
gsize         janus_network_get_max_frame_size    (JanusNetwork  *self);
JANUS_AVAILABLE_IN_ALL
void          janus_network_set_max_frame_size    (JanusNetwork  *self,
                                                   gsize          size);
JANUS_AVAILABLE_IN_ALL
gint64        janus_network_get_call_timeout      (JanusNetwork  *self);
JANUS_AVAILABLE_IN_ALL
void          janus_network_set_call_timeout      (JanusNetwork  *self,
                                                   gint64         timeout);
JANUS_AVAILABLE_IN_ALL
gsize         janus_network_get_send_limit        (JanusNetwork  *self);
JANUS_AVAILABLE_IN_ALL
void          janus_network_set_send_limit        (JanusNetwork  *self,
                                                   gsize          bytes);
JANUS_AVAILABLE_IN_ALL
guint         janus_network_get_max_pending_calls (JanusNetwork  *self);
JANUS_AVAILABLE_IN_ALL
void          janus_network_set_max_pending_calls (JanusNetwork  *self,
                                                   guint          calls);
JANUS_AVAILABLE_IN_ALL
gboolean      janus_network_set_tls               (JanusNetwork  *self,
                                                   const char    *certificate_file,
                                                   const char    *key_file,
                                                   const char    *ca_file,
                                                   GError       **error);
JANUS_AVAILABLE_IN_ALL
guint         janus_network_get_connection_count  (JanusNetwork  *self);
JANUS_AVAILABLE_IN_ALL
void          janus_network_shutdown              (JanusNetwork  *self);

G_END_DECLS
