/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <string.h>

#include "janus-address.h"

G_BEGIN_DECLS

/* The id a kernel's own address carries: messages sent from outside any
 * agent come from it. Printed without an id ("janus://<uuid>/"). */
#define JANUS_ADDRESS_KERNEL_ID G_MAXUINT64

/* Plain value: copied into every message (two per message), never
 * reference counted, so sending costs no atomic operation for addresses. */
struct _JanusAddress
{
  guint8  kernel[16];   /* the kernel's UUID, binary */
  guint64 id;           /* sequential per kernel, or JANUS_ADDRESS_KERNEL_ID */
};

static inline gboolean
janus_address_same_kernel (const JanusAddress *a,
                           const guint8        kernel[16])
{
  return memcmp (a->kernel, kernel, 16) == 0;
}

void     janus_address_init   (JanusAddress *address,
                               const guint8  kernel[16],
                               guint64       id);
gboolean janus_uuid_parse     (const char   *text,
                               gsize         len,
                               guint8        out[16]);
void     janus_uuid_format    (const guint8  uuid[16],
                               char          out[37]);

G_END_DECLS
