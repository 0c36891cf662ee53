/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "janus-codec.h"
#include "janus-json-private.h"

G_BEGIN_DECLS

/* The type id aiomas reserves for its date serializer (arrow). */
#define JANUS_CODEC_TYPE_DATE 0

/* A codec's registrations are frozen once a network uses it: from then on
 * it is immutable and used from any thread without a lock. */
void      janus_codec_freeze       (JanusCodec   *self);
gboolean  janus_codec_is_frozen    (JanusCodec   *self);

/* Appends the encoded form of @node (no frame header) to @out. */
gboolean  janus_codec_append       (JanusCodec   *self,
                                    GString      *out,
                                    JsonNode     *node,
                                    GError      **error);
JsonNode *janus_codec_read         (JanusCodec   *self,
                                    const char   *data,
                                    gsize         length,
                                    GError      **error);
gboolean  janus_codec_read_message (JanusCodec       *self,
                                    const char       *data,
                                    gsize             length,
                                    gboolean          letters,
                                    JanusWireMessage *message,
                                    GError          **error);

/* The pieces of an aiomas message, encoded straight from their parts. */
gboolean  janus_codec_append_request (JanusCodec  *self,
                                      GString     *out,
                                      guint64      id,
                                      const char  *path,
                                      JsonArray   *args,
                                      JsonObject  *kwargs,
                                      GError     **error);
gboolean  janus_codec_append_message (JanusCodec  *self,
                                      GString     *out,
                                      guint64      id,
                                      guint64      receiver_id,
                                      const char  *subject,
                                      JsonNode    *body,
                                      const gint64 *int_body,
                                      const char  *type,
                                      const char  *sender,
                                      gint64       sender_id,
                                      int          priority,
                                      gint64       timestamp,
                                      GError     **error);
/* A reply [type, id, content]; a NULL @content is a null. */
gboolean  janus_codec_append_reply   (JanusCodec  *self,
                                      GString     *out,
                                      int          type,
                                      guint64      id,
                                      JsonNode    *content,
                                      GError     **error);

/* A `__type__` object's id and data, if it is one (no checks beyond
 * shape). */
gboolean  janus_codec_split_typed  (JsonNode     *node,
                                    gint64       *type_id,
                                    JsonNode    **data);

/* MessagePack (janus-codec-msgpack.c) */
gboolean  janus_msgpack_append     (GString                     *out,
                                    JsonNode                    *node,
                                    GError                     **error);
gboolean  janus_msgpack_append_array (GString                   *out,
                                    JsonArray                   *array,
                                    GError                     **error);
gboolean  janus_msgpack_append_object (GString                  *out,
                                    JsonObject                  *object,
                                    GError                     **error);
gboolean  janus_msgpack_append_array_header (GString            *out,
                                    guint                        n);
gboolean  janus_msgpack_append_int (GString                     *out,
                                    gint64                       value);
gboolean  janus_msgpack_append_nil  (GString                     *out);
gboolean  janus_msgpack_append_map_header (GString              *out,
                                    guint                        n);
gboolean  janus_msgpack_append_string (GString                  *out,
                                    const char                  *string,
                                    GError                     **error);
gboolean  janus_msgpack_read_message (const char                *data,
                                    gsize                        length,
                                    const JanusJsonReadOptions  *options,
                                    JanusWireMessage            *message,
                                    GError                     **error);
JsonNode *janus_msgpack_read       (const char                  *data,
                                    gsize                        length,
                                    const JanusJsonReadOptions  *options,
                                    GError                     **error);

G_END_DECLS
