/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The process's table of network endpoints, for addresses.
 *
 * A JanusAddress names its kernel by a 16-byte UUID. A kernel that listens
 * binds its UUID to its endpoint ("host:port"), so its agents' addresses
 * print as tcp://host:port/<id>. An endpoint with no kernel of this
 * process gets a UUID of its own, derived from the endpoint (name based,
 * version 5), so that parsing the same text twice gives equal addresses,
 * and the network layer finds the endpoint back from the UUID when it
 * delivers. Entries of remote endpoints stay for the life of the process
 * (one per distinct endpoint met). MT safe. */

char     *janus_net_endpoint_canonical (const char    *host_and_port);
gboolean  janus_net_endpoint_parse     (const char    *text,
                                        guint8         kernel[16],
                                        guint64       *id);
char     *janus_net_endpoint_format    (const guint8   kernel[16]);
char     *janus_net_endpoint_key       (const guint8   kernel[16]);
void      janus_net_endpoint_uuid      (const char    *key,
                                        guint8         out[16]);
void      janus_net_endpoint_bind      (const guint8   kernel[16],
                                        const char    *key);
void      janus_net_endpoint_unbind    (const guint8   kernel[16]);

G_END_DECLS
