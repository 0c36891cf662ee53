/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined (JANUS_INSIDE) && !defined (JANUS_COMPILATION)
#error "Only <janus.h> can be included directly."
#endif

#include <json-glib/json-glib.h>

#include "janus-types.h"

G_BEGIN_DECLS

/**
 * JanusCodecFormat:
 * @JANUS_CODEC_FORMAT_JSON: UTF-8 JSON text as Python's `json.dumps` writes
 *   it (aiomas' default codec, `aiomas.codecs.JSON`).
 * @JANUS_CODEC_FORMAT_MSGPACK: MessagePack (`aiomas.codecs.MsgPack`):
 *   smaller and faster; strings as `str`, integers in their shortest form,
 *   doubles as float 64.
 *
 * How a [class@Janus.Codec] turns documents into bytes.
 */
typedef enum {
  JANUS_CODEC_FORMAT_JSON,
  JANUS_CODEC_FORMAT_MSGPACK,
} JanusCodecFormat;

/**
 * JanusSerializeFunc:
 * @object: the object to serialise
 * @user_data: the data given with the function
 * @error: return location for a #GError
 *
 * Turns @object into the data part of its `{"__type__": [type_id, data]}`
 * form.
 *
 * Returns: (transfer full) (nullable): the data, or %NULL with @error set
 */
typedef JsonNode *(*JanusSerializeFunc)   (GObject   *object,
                                           gpointer   user_data,
                                           GError   **error);

/**
 * JanusDeserializeFunc:
 * @type: the type registered for the type id
 * @data: the data part of a `{"__type__": [type_id, data]}` object
 * @user_data: the data given with the function
 * @error: return location for a #GError
 *
 * Makes an object of @type back from its data.
 *
 * Returns: (transfer full) (nullable): the object, or %NULL with @error set
 */
typedef GObject  *(*JanusDeserializeFunc) (GType      type,
                                           JsonNode  *data,
                                           gpointer   user_data,
                                           GError   **error);

#define JANUS_TYPE_CODEC (janus_codec_get_type ())

JANUS_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (JanusCodec, janus_codec, JANUS, CODEC, GObject)

JANUS_AVAILABLE_IN_ALL
JanusCodec       *janus_codec_new                (JanusCodecFormat      format);
JANUS_AVAILABLE_IN_ALL
JanusCodecFormat  janus_codec_get_format         (JanusCodec           *self);

JANUS_AVAILABLE_IN_ALL
guint             janus_codec_add_type           (JanusCodec           *self,
                                                  GType                 type);
JANUS_AVAILABLE_IN_ALL
guint             janus_codec_add_serializer     (JanusCodec           *self,
                                                  GType                 type,
                                                  JanusSerializeFunc    serialize,
                                                  JanusDeserializeFunc  deserialize,
                                                  gpointer              user_data,
                                                  GDestroyNotify        destroy);
JANUS_AVAILABLE_IN_ALL
guint             janus_codec_get_proxy_type_id  (JanusCodec           *self);

JANUS_AVAILABLE_IN_ALL
GBytes           *janus_codec_encode             (JanusCodec           *self,
                                                  JsonNode             *node,
                                                  GError              **error);
JANUS_AVAILABLE_IN_ALL
JsonNode         *janus_codec_decode             (JanusCodec           *self,
                                                  GBytes               *bytes,
                                                  GError              **error);

JANUS_AVAILABLE_IN_ALL
JsonNode         *janus_codec_serialize_object   (JanusCodec           *self,
                                                  GObject              *object,
                                                  GError              **error);
JANUS_AVAILABLE_IN_ALL
GObject          *janus_codec_deserialize_object (JanusCodec           *self,
                                                  JsonNode             *node,
                                                  GError              **error);
JANUS_AVAILABLE_IN_ALL
gint              janus_codec_get_type_id        (JsonNode             *node);

G_END_DECLS
