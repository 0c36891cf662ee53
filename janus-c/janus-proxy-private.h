/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "janus-net-private.h"
#include "janus-proxy.h"

G_BEGIN_DECLS

/* proxies (janus-proxy.c) */
JanusProxy         *janus_proxy_new_on           (JanusNetwork      *network,
                                                  JanusConnection   *connection,
                                                  guint64            agent_id,
                                                  const char        *type_name);
GObject            *janus_net_dup_object         (JanusConnection   *connection,
                                                  JsonNode          *node,
                                                  GError           **error);
gboolean            janus_net_refuse_blocking    (JanusNetwork      *network,
                                                  GError           **error);

G_END_DECLS
