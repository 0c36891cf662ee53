/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined (JANUS_INSIDE) && !defined (JANUS_COMPILATION)
#error "Only <janus.h> can be included directly."
#endif

#include <json-glib/json-glib.h>

#include "janus-types.h"

G_BEGIN_DECLS

JANUS_AVAILABLE_IN_ALL
JsonNode  *janus_json_from_data       (const char          *data,
                                       gssize               length,
                                       GError             **error);
JANUS_AVAILABLE_IN_ALL
char      *janus_json_to_data         (JsonNode            *node,
                                       gsize               *length,
                                       GError             **error);
JANUS_AVAILABLE_IN_ALL
char      *janus_json_format_double   (double               value);

JANUS_AVAILABLE_IN_ALL
GVariant  *janus_json_to_variant      (JsonNode            *node,
                                       const GVariantType  *type,
                                       GError             **error);
JANUS_AVAILABLE_IN_ALL
JsonNode  *janus_json_from_variant    (GVariant            *variant,
                                       GError             **error);

G_END_DECLS
