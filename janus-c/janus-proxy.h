/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined (JANUS_INSIDE) && !defined (JANUS_COMPILATION)
#error "Only <janus.h> can be included directly."
#endif

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "janus-types.h"

G_BEGIN_DECLS

#define JANUS_TYPE_PROXY (janus_proxy_get_type ())

JANUS_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (JanusProxy, janus_proxy, JANUS, PROXY, GObject)

JANUS_AVAILABLE_IN_ALL
void                janus_kernel_connect_async    (JanusKernel          *kernel,
                                                   const char           *address,
                                                   GCancellable         *cancellable,
                                                   GAsyncReadyCallback   callback,
                                                   gpointer              user_data);
JANUS_AVAILABLE_IN_ALL
JanusProxy         *janus_kernel_connect_finish   (JanusKernel          *kernel,
                                                   GAsyncResult         *result,
                                                   GError              **error);
JANUS_AVAILABLE_IN_ALL
JanusProxy         *janus_kernel_connect_sync     (JanusKernel          *kernel,
                                                   const char           *address,
                                                   GCancellable         *cancellable,
                                                   GError              **error);

JANUS_AVAILABLE_IN_ALL
const JanusAddress *janus_proxy_get_address       (JanusProxy           *self);
JANUS_AVAILABLE_IN_ALL
const char         *janus_proxy_get_type_name     (JanusProxy           *self);
JANUS_AVAILABLE_IN_ALL
gint64              janus_proxy_get_timeout       (JanusProxy           *self);
JANUS_AVAILABLE_IN_ALL
void                janus_proxy_set_timeout       (JanusProxy           *self,
                                                   gint64                timeout);

JANUS_AVAILABLE_IN_ALL
void                janus_proxy_call_async        (JanusProxy           *self,
                                                   const char           *method,
                                                   GVariant             *args,
                                                   GVariant             *kwargs,
                                                   GCancellable         *cancellable,
                                                   GAsyncReadyCallback   callback,
                                                   gpointer              user_data);
JANUS_AVAILABLE_IN_ALL
GVariant           *janus_proxy_call_finish       (JanusProxy           *self,
                                                   GAsyncResult         *result,
                                                   GError              **error);
JANUS_AVAILABLE_IN_ALL
GVariant           *janus_proxy_call_sync         (JanusProxy           *self,
                                                   const char           *method,
                                                   GVariant             *args,
                                                   GVariant             *kwargs,
                                                   GCancellable         *cancellable,
                                                   GError              **error);

JANUS_AVAILABLE_IN_ALL
void                janus_proxy_call_json_async   (JanusProxy           *self,
                                                   const char           *method,
                                                   JsonArray            *args,
                                                   JsonObject           *kwargs,
                                                   GCancellable         *cancellable,
                                                   GAsyncReadyCallback   callback,
                                                   gpointer              user_data);
JANUS_AVAILABLE_IN_ALL
JsonNode           *janus_proxy_call_json_finish  (JanusProxy           *self,
                                                   GAsyncResult         *result,
                                                   GError              **error);
JANUS_AVAILABLE_IN_ALL
JsonNode           *janus_proxy_call_json_sync    (JanusProxy           *self,
                                                   const char           *method,
                                                   JsonArray            *args,
                                                   JsonObject           *kwargs,
                                                   GCancellable         *cancellable,
                                                   GError              **error);
JANUS_AVAILABLE_IN_ALL
GObject            *janus_proxy_dup_object        (JanusProxy           *self,
                                                   JsonNode             *node,
                                                   GError              **error);

G_END_DECLS
