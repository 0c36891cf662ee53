/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined (JANUS_INSIDE) && !defined (JANUS_COMPILATION)
#error "Only <janus.h> can be included directly."
#endif

#include "janus-types.h"

G_BEGIN_DECLS

JANUS_AVAILABLE_IN_ALL
GType janus_address_get_type (void) G_GNUC_CONST;


JANUS_AVAILABLE_IN_ALL
JanusAddress  *janus_address_new             (const char         *kernel_uuid,
                                              guint64             id) G_GNUC_WARN_UNUSED_RESULT;
JANUS_AVAILABLE_IN_ALL
JanusAddress  *janus_address_new_for_kernel  (const char         *kernel_uuid) G_GNUC_WARN_UNUSED_RESULT;
JANUS_AVAILABLE_IN_ALL
JanusAddress  *janus_address_parse           (const char         *text,
                                              GError            **error) G_GNUC_WARN_UNUSED_RESULT;
JANUS_AVAILABLE_IN_ALL
JanusAddress  *janus_address_copy            (const JanusAddress *address) G_GNUC_WARN_UNUSED_RESULT;
JANUS_AVAILABLE_IN_ALL
void           janus_address_free            (JanusAddress       *address);

JANUS_AVAILABLE_IN_ALL
guint64        janus_address_get_id          (const JanusAddress *address);
JANUS_AVAILABLE_IN_ALL
char          *janus_address_dup_kernel_uuid (const JanusAddress *address) G_GNUC_WARN_UNUSED_RESULT;
JANUS_AVAILABLE_IN_ALL
gboolean       janus_address_is_kernel       (const JanusAddress *address);
JANUS_AVAILABLE_IN_ALL
char          *janus_address_to_string       (const JanusAddress *address) G_GNUC_WARN_UNUSED_RESULT;

JANUS_AVAILABLE_IN_ALL
guint          janus_address_hash            (gconstpointer       address);
JANUS_AVAILABLE_IN_ALL
gboolean       janus_address_equal           (gconstpointer       a,
                                              gconstpointer       b);
JANUS_AVAILABLE_IN_ALL
int            janus_address_compare         (const JanusAddress *a,
                                              const JanusAddress *b);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JanusAddress, janus_address_free)

G_END_DECLS
