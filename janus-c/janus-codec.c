/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <stdatomic.h>
#include <string.h>

#include "janus-address.h"
#include "janus-agent.h"
#include "janus-codec-private.h"
#include "janus-enums.h"
#include "janus-net-error.h"

/**
 * JanusCodec:
 *
 * Turns JSON documents ([struct@Json.Node]) into bytes and back, the way
 * aiomas' codecs do: JSON (the default) or MessagePack, plus objects of
 * registered types.
 *
 * ## Objects
 *
 * An object travels as `{"__type__": [type_id, data]}`. Type ids are given
 * in aiomas' order, so that a janus-c kernel and an aiomas container that
 * register the same types in the same order agree on them:
 *
 * - 0 is reserved for aiomas' date serializer (its data, an ISO 8601
 *   string, is accepted and left as it is);
 * - the types registered with [method@Janus.Codec.add_type] and
 *   [method@Janus.Codec.add_serializer] get 1, 2, … in registration order;
 * - the next id ([method@Janus.Codec.get_proxy_type_id]: 1 when no type is
 *   registered) is an agent: `{"__type__": [1, "agents/42"]}`, which the
 *   receiver turns into a proxy of that agent on the same connection.
 *
 * A registered GObject type is serialised by default as json-glib does it
 * (its properties, with json_gobject_serialize()); give functions to
 * [method@Janus.Codec.add_serializer] for another form.
 *
 * ```c
 * g_autoptr(JanusCodec) codec = janus_codec_new (JANUS_CODEC_FORMAT_MSGPACK);
 * janus_codec_add_type (codec, MY_TYPE_POINT);           // type id 1
 * janus_kernel_set_codec (kernel, codec);                // before listening
 * ```
 *
 * Received documents are checked as they are read: a `__type__` object
 * with an id the codec does not know, or with data of the wrong shape, is
 * an error (and the connection it came from is closed).
 *
 * Register types before the codec is used by a kernel's network: from then
 * on it is frozen, and shared by the network thread and the workers.
 */

typedef struct
{
  GType                type;
  JanusSerializeFunc   serialize;     /* NULL: the object's properties */
  JanusDeserializeFunc deserialize;
  gpointer             user_data;
  GDestroyNotify       destroy;
} TypeEntry;

struct _JanusCodec
{
  GObject           parent_instance;

  JanusCodecFormat  format;           /* construct-only */
  GArray           *types;            /* TypeEntry; entry i has id i + 1 */
  atomic_bool       frozen;           /* set once; types immutable after */
};

enum {
  PROP_0,
  PROP_FORMAT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (JanusCodec, janus_codec, G_TYPE_OBJECT)

/* ------------------------------------------------------------ types */

void
janus_codec_freeze (JanusCodec *self)
{
  atomic_store_explicit (&self->frozen, TRUE, memory_order_release);
}

gboolean
janus_codec_is_frozen (JanusCodec *self)
{
  return atomic_load_explicit (&self->frozen, memory_order_acquire);
}

static const TypeEntry *
find_entry (JanusCodec *self,
            GType       type,
            guint      *id)
{
  /* exact type first, then its nearest registered ancestor */
  for (GType t = type; t != 0; t = g_type_parent (t))
    for (guint i = 0; i < self->types->len; i++)
      if (g_array_index (self->types, TypeEntry, i).type == t)
        {
          *id = i + 1;
          return &g_array_index (self->types, TypeEntry, i);
        }
  return NULL;
}

static guint
add_entry (JanusCodec *self,
           TypeEntry  *entry)
{
  guint id;

  if (janus_codec_is_frozen (self))
    {
      g_critical ("janus_codec_add_type: the codec is in use by a network; "
                  "register types before listening or connecting");
      return 0;
    }
  if (find_entry (self, entry->type, &id) != NULL
      && g_array_index (self->types, TypeEntry, id - 1).type == entry->type)
    {
      g_critical ("janus_codec_add_type: type %s is registered already (id %u)",
                  g_type_name (entry->type), id);
      return 0;
    }
  g_array_append_val (self->types, *entry);
  return self->types->len;
}

/**
 * janus_codec_add_type:
 * @self: a codec not yet used by a network
 * @type: a GObject type
 *
 * Registers @type: its objects (and those of its subtypes that have no
 * registration of their own) travel as `{"__type__": [id, properties]}`,
 * with json-glib's serialisation of their properties (json_gobject_serialize()).
 *
 * Returns: the type id, or 0 on misuse (a type registered twice, a frozen
 *   codec)
 */
guint
janus_codec_add_type (JanusCodec *self,
                      GType       type)
{
  TypeEntry entry = { type, NULL, NULL, NULL, NULL };

  g_return_val_if_fail (JANUS_IS_CODEC (self), 0);
  g_return_val_if_fail (G_TYPE_IS_OBJECT (type), 0);

  return add_entry (self, &entry);
}

/**
 * janus_codec_add_serializer: (skip)
 * @self: a codec not yet used by a network
 * @type: a GObject type
 * @serialize: turns an object of @type into its data
 * @deserialize: makes an object of @type from its data
 * @user_data: data for both functions
 * @destroy: (nullable): frees @user_data with the codec
 *
 * Registers @type with its own serialisation (aiomas'
 * `Codec.add_serializer`).
 *
 * Returns: the type id, or 0 on misuse
 */
guint
janus_codec_add_serializer (JanusCodec           *self,
                            GType                 type,
                            JanusSerializeFunc    serialize,
                            JanusDeserializeFunc  deserialize,
                            gpointer              user_data,
                            GDestroyNotify        destroy)
{
  TypeEntry entry = { type, serialize, deserialize, user_data, destroy };

  g_return_val_if_fail (JANUS_IS_CODEC (self), 0);
  g_return_val_if_fail (G_TYPE_IS_OBJECT (type), 0);
  g_return_val_if_fail (serialize != NULL && deserialize != NULL, 0);

  return add_entry (self, &entry);
}

/**
 * janus_codec_get_proxy_type_id:
 * @self: a codec
 *
 * Gets the type id agents travel with: the one after the registered
 * types, as in aiomas.
 *
 * Returns: the type id of agent proxies (1 with no registered type)
 */
guint
janus_codec_get_proxy_type_id (JanusCodec *self)
{
  g_return_val_if_fail (JANUS_IS_CODEC (self), 0);

  return self->types->len + 1;
}

/**
 * janus_codec_get_type_id:
 * @node: a JSON value
 *
 * Tells whether @node is a serialised object, `{"__type__": [id, data]}`.
 *
 * Returns: its type id, or -1 if @node is not such an object
 */
gint
janus_codec_get_type_id (JsonNode *node)
{
  gint64 id;

  g_return_val_if_fail (node != NULL, -1);

  if (!janus_codec_split_typed (node, &id, NULL) || id < 0 || id > G_MAXINT)
    return -1;
  return (gint) id;
}

gboolean
janus_codec_split_typed (JsonNode  *node,
                         gint64    *type_id,
                         JsonNode **data)
{
  JsonNode *member, *id;
  JsonArray *pair;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return FALSE;
  member = json_object_get_member (json_node_get_object (node), "__type__");
  if (member == NULL || !JSON_NODE_HOLDS_ARRAY (member))
    return FALSE;
  pair = json_node_get_array (member);
  if (json_array_get_length (pair) != 2)
    return FALSE;
  id = json_array_get_element (pair, 0);
  if (!JSON_NODE_HOLDS_VALUE (id) || json_node_get_value_type (id) != G_TYPE_INT64)
    return FALSE;
  *type_id = json_node_get_int (id);
  if (data != NULL)
    *data = json_array_get_element (pair, 1);
  return TRUE;
}

/* An agent's path, "agents/<id>": its id, or G_MAXUINT64. */
static guint64
agent_path_id (JsonNode *data)
{
  const char *s, *digits;
  guint64 id = 0;

  if (!JSON_NODE_HOLDS_VALUE (data) || json_node_get_value_type (data) != G_TYPE_STRING)
    return G_MAXUINT64;
  s = json_node_get_string (data);
  if (!g_str_has_prefix (s, "agents/") || s[7] == '\0')
    return G_MAXUINT64;
  for (digits = s + 7; *digits; digits++)
    {
      if (!g_ascii_isdigit (*digits) || id > (G_MAXUINT64 - 10) / 10)
        return G_MAXUINT64;
      id = id * 10 + (guint64) (*digits - '0');
    }
  return id;
}

/* Reading: every `__type__` object must name a known type with data of
 * the right shape. */
static gboolean
check_type (JsonObject  *object,
            gpointer     data,
            GError     **error)
{
  JanusCodec *self = data;
  g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), object);
  JsonNode *payload;
  gint64 id;

  if (!janus_codec_split_typed (node, &id, &payload))
    {
      g_set_error_literal (error, JANUS_NET_ERROR, JANUS_NET_ERROR_CODEC,
                           "A “__type__” member must be [type_id, data]");
      return FALSE;
    }
  if (id < 0 || id > (gint64) self->types->len + 1)
    {
      g_set_error (error, JANUS_NET_ERROR, JANUS_NET_ERROR_CODEC,
                   "Unknown “__type__” id %" G_GINT64_FORMAT " (this codec knows 0 to %u)",
                   id, self->types->len + 1);
      return FALSE;
    }
  if (id == JANUS_CODEC_TYPE_DATE
      && !(JSON_NODE_HOLDS_VALUE (payload) && json_node_get_value_type (payload) == G_TYPE_STRING))
    {
      g_set_error_literal (error, JANUS_NET_ERROR, JANUS_NET_ERROR_CODEC,
                           "A date (“__type__” id 0) must be a string");
      return FALSE;
    }
  if (id == (gint64) self->types->len + 1 && agent_path_id (payload) == G_MAXUINT64)
    {
      g_set_error_literal (error, JANUS_NET_ERROR, JANUS_NET_ERROR_CODEC,
                           "An agent (proxy “__type__”) must be a path “agents/<id>”");
      return FALSE;
    }
  return TRUE;
}

/* -------------------------------------------------------- encoding */

gboolean
janus_codec_append (JanusCodec  *self,
                    GString     *out,
                    JsonNode    *node,
                    GError     **error)
{
  if (self->format == JANUS_CODEC_FORMAT_MSGPACK)
    return janus_msgpack_append (out, node, error);
  return janus_json_write (out, node, error);
}

JsonNode *
janus_codec_read (JanusCodec  *self,
                  const char  *data,
                  gsize        length,
                  GError     **error)
{
  JanusJsonReadOptions options = { JANUS_JSON_MAX_DEPTH, check_type, self };

  if (self->format == JANUS_CODEC_FORMAT_MSGPACK)
    return janus_msgpack_read (data, length, &options, error);
  return janus_json_read (data, length, &options, error);
}

gboolean
janus_codec_read_message (JanusCodec        *self,
                          const char        *data,
                          gsize              length,
                          gboolean           letters,
                          JanusWireMessage  *message,
                          GError           **error)
{
  /* MessagePack gives trees: the router makes their letter */
  JanusJsonReadOptions options = { JANUS_JSON_MAX_DEPTH, check_type, self, letters };

  if (self->format == JANUS_CODEC_FORMAT_MSGPACK)
    return janus_msgpack_read_message (data, length, &options, message, error);
  return janus_json_read_message (data, length, &options, message, error);
}

static gboolean
append_header (JanusCodec *self,
               GString    *out,
               int         type,
               guint64     id)
{
  if (self->format == JANUS_CODEC_FORMAT_MSGPACK)
    {
      janus_msgpack_append_array_header (out, 3);
      janus_msgpack_append_int (out, type);
      janus_msgpack_append_int (out, (gint64) id);
      return TRUE;
    }
  janus_string_append_c (out, '[');
  janus_json_write_int (out, type);
  janus_string_append (out, ", ", 2);
  janus_json_write_int (out, (gint64) id);
  janus_string_append (out, ", ", 2);
  return TRUE;
}

gboolean
janus_codec_append_request (JanusCodec  *self,
                            GString     *out,
                            guint64      id,
                            const char  *path,
                            JsonArray   *args,
                            JsonObject  *kwargs,
                            GError     **error)
{
  gboolean json = self->format == JANUS_CODEC_FORMAT_JSON;

  append_header (self, out, 0, id);
  if (json)
    {
      janus_string_append_c (out, '[');
      if (!janus_json_write_string (out, path, strlen (path), error))
        return FALSE;
      janus_string_append (out, ", ", 2);
      if (args == NULL)
        janus_string_append (out, "[]", 2);
      else if (!janus_json_write_array (out, args, error))
        return FALSE;
      janus_string_append (out, ", ", 2);
      if (kwargs == NULL)
        janus_string_append (out, "{}", 2);
      else if (!janus_json_write_object (out, kwargs, error))
        return FALSE;
      janus_string_append (out, "]]", 2);
      return TRUE;
    }
  janus_msgpack_append_array_header (out, 3);
  if (!janus_msgpack_append_string (out, path, error))
    return FALSE;
  if (args != NULL ? !janus_msgpack_append_array (out, args, error)
                   : !janus_msgpack_append_array_header (out, 0))
    return FALSE;
  if (kwargs != NULL)
    return janus_msgpack_append_object (out, kwargs, error);
  janus_string_append_c (out, (char) 0x80);    /* fixmap of 0 pairs */
  return TRUE;
}

static gboolean
append_string (JanusCodec  *self,
               GString     *out,
               const char  *s,
               GError     **error)
{
  if (self->format == JANUS_CODEC_FORMAT_MSGPACK)
    return janus_msgpack_append_string (out, s, error);
  return janus_json_write_string (out, s, strlen (s), error);
}

static void
append_int (JanusCodec *self,
            GString    *out,
            gint64      v)
{
  if (self->format == JANUS_CODEC_FORMAT_MSGPACK)
    janus_msgpack_append_int (out, v);
  else
    janus_json_write_int (out, v);
}

/* A member "name": value of a kwargs object, JSON separators included. */
static gboolean
append_member_name (JanusCodec  *self,
                    GString     *out,
                    gboolean     first,
                    const char  *name,
                    GError     **error)
{
  if (self->format == JANUS_CODEC_FORMAT_MSGPACK)
    return append_string (self, out, name, error);
  /* the names are this file's, plain ASCII: nothing to escape */
  if (!first)
    janus_string_append (out, ", ", 2);
  janus_string_append_c (out, '"');
  janus_string_append (out, name, strlen (name));
  janus_string_append (out, "\": ", 3);
  return TRUE;
}

/* The request that carries a JanusMessage, written straight from its
 * parts: [0, id, ["agents/<receiver>/janus.message", [subject, body, type],
 * {"sender": …, "sender_id": …, "priority": …, "timestamp": …}]] (sender,
 * sender_id and priority only when set). A non-NULL @int_body is the body
 * (an integer), in place of @body. */
gboolean
janus_codec_append_message (JanusCodec  *self,
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
                            GError     **error)
{
  gboolean json = self->format == JANUS_CODEC_FORMAT_JSON;
  char path[64], digits[24], *d = digits + sizeof digits;
  guint n_members = 1 + (sender != NULL) + (sender_id >= 0) + (priority != 0);
  guint written = 0;
  gsize n_digits;

  /* "agents/<receiver_id>/janus.message", without printf */
  do
    *--d = (char) ('0' + receiver_id % 10);
  while ((receiver_id /= 10) != 0);
  n_digits = digits + sizeof digits - d;
  memcpy (path, "agents/", 7);
  memcpy (path + 7, d, n_digits);
  memcpy (path + 7 + n_digits, "/janus.message", sizeof "/janus.message");
  append_header (self, out, 0, id);
  if (json)
    janus_string_append_c (out, '[');
  else
    janus_msgpack_append_array_header (out, 3);
  append_string (self, out, path, NULL);
  if (json)
    janus_string_append (out, ", [", 3);
  else
    janus_msgpack_append_array_header (out, 3);
  if (!append_string (self, out, subject, error))
    return FALSE;
  if (json)
    janus_string_append (out, ", ", 2);
  if (int_body != NULL)
    append_int (self, out, *int_body);
  else if (body != NULL ? !janus_codec_append (self, out, body, error) : FALSE)
    return FALSE;
  if (body == NULL && int_body == NULL)
    {
      if (json)
        janus_string_append (out, "null", 4);
      else
        janus_msgpack_append_nil (out);
    }
  if (json)
    janus_string_append (out, ", ", 2);
  if (type != NULL)
    append_string (self, out, type, NULL);
  else if (json)
    janus_string_append (out, "null", 4);
  else
    janus_msgpack_append_nil (out);
  if (json)
    janus_string_append (out, "], {", 4);
  else
    janus_msgpack_append_map_header (out, n_members);

  if (sender != NULL)
    {
      if (!append_member_name (self, out, written++ == 0, "sender", error)
          || !append_string (self, out, sender, error))
        return FALSE;
    }
  if (sender_id >= 0)
    {
      append_member_name (self, out, written++ == 0, "sender_id", NULL);
      append_int (self, out, sender_id);
    }
  if (priority != 0)
    {
      append_member_name (self, out, written++ == 0, "priority", NULL);
      append_int (self, out, priority);
    }
  append_member_name (self, out, written++ == 0, "timestamp", NULL);
  append_int (self, out, timestamp);
  if (json)
    janus_string_append (out, "}]]", 3);
  return TRUE;
}

gboolean
janus_codec_append_reply (JanusCodec  *self,
                          GString     *out,
                          int          type,
                          guint64      id,
                          JsonNode    *content,
                          GError     **error)
{
  append_header (self, out, type, id);
  if (content == NULL)
    {
      if (self->format == JANUS_CODEC_FORMAT_JSON)
        janus_string_append (out, "null", 4);
      else
        janus_msgpack_append_nil (out);
    }
  else if (!janus_codec_append (self, out, content, error))
    return FALSE;
  if (self->format == JANUS_CODEC_FORMAT_JSON)
    janus_string_append_c (out, ']');
  return TRUE;
}

/**
 * janus_codec_encode:
 * @self: a codec
 * @node: a JSON document
 * @error: return location for a #GError
 *
 * Encodes @node in the codec's format. MT safe once the codec is frozen.
 *
 * Returns: (transfer full) (nullable): the bytes, or %NULL with
 *   %JANUS_NET_ERROR_CODEC (invalid UTF-8 in a string, nesting too deep)
 */
GBytes *
janus_codec_encode (JanusCodec  *self,
                    JsonNode    *node,
                    GError     **error)
{
  GString *out;

  g_return_val_if_fail (JANUS_IS_CODEC (self), NULL);
  g_return_val_if_fail (node != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  out = g_string_sized_new (64);
  if (!janus_codec_append (self, out, node, error))
    {
      g_string_free (out, TRUE);
      return NULL;
    }
  return g_string_free_to_bytes (out);
}

/**
 * janus_codec_decode:
 * @self: a codec
 * @bytes: an encoded document
 * @error: return location for a #GError
 *
 * Decodes one document, checking its `__type__` objects (see the class
 * description). MT safe once the codec is frozen.
 *
 * Returns: (transfer full) (nullable): the document, or %NULL with
 *   %JANUS_NET_ERROR_CODEC
 */
JsonNode *
janus_codec_decode (JanusCodec  *self,
                    GBytes      *bytes,
                    GError     **error)
{
  gsize len;
  const char *data;

  g_return_val_if_fail (JANUS_IS_CODEC (self), NULL);
  g_return_val_if_fail (bytes != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  data = g_bytes_get_data (bytes, &len);
  return janus_codec_read (self, data ? data : "", len, error);
}

/* ------------------------------------------------------------ objects */

static JsonNode *
typed_node (guint     id,
            JsonNode *data)
{
  JsonArray *pair = json_array_sized_new (2);
  JsonObject *object = json_object_new ();
  JsonNode *node;

  json_array_add_int_element (pair, id);
  json_array_add_element (pair, data);
  json_object_set_array_member (object, "__type__", pair);
  node = json_node_init_object (json_node_alloc (), object);
  json_object_unref (object);
  return node;
}

/**
 * janus_codec_serialize_object:
 * @self: a codec
 * @object: an agent of this kernel, or an object of a registered type
 * @error: return location for a #GError
 *
 * Makes the `{"__type__": [type_id, data]}` form of @object, to put in
 * arguments or results. A launched [class@Janus.Agent] becomes
 * `{"__type__": [proxy_type_id, "agents/<id>"]}`.
 *
 * Returns: (transfer full) (nullable): the JSON object, or %NULL with
 *   %JANUS_NET_ERROR_CODEC (no registration for the object's type, an
 *   agent not launched, a serializer's failure)
 */
JsonNode *
janus_codec_serialize_object (JanusCodec  *self,
                              GObject     *object,
                              GError     **error)
{
  const TypeEntry *entry;
  JsonNode *data;
  guint id;

  g_return_val_if_fail (JANUS_IS_CODEC (self), NULL);
  g_return_val_if_fail (G_IS_OBJECT (object), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (JANUS_IS_AGENT (object))
    {
      const JanusAddress *address = janus_agent_get_address (JANUS_AGENT (object));
      if (address == NULL)
        {
          g_set_error (error, JANUS_NET_ERROR, JANUS_NET_ERROR_CODEC,
                       "Agent %s is not launched: it has no path to travel with",
                       G_OBJECT_TYPE_NAME (object));
          return NULL;
        }
      g_autofree char *path = g_strdup_printf ("agents/%" G_GUINT64_FORMAT,
                                               janus_address_get_id (address));
      return typed_node (janus_codec_get_proxy_type_id (self),
                         json_node_init_string (json_node_alloc (), path));
    }

  entry = find_entry (self, G_OBJECT_TYPE (object), &id);
  if (entry == NULL)
    {
      g_set_error (error, JANUS_NET_ERROR, JANUS_NET_ERROR_CODEC,
                   "No serializer for type %s (register it with janus_codec_add_type)",
                   G_OBJECT_TYPE_NAME (object));
      return NULL;
    }
  if (entry->serialize != NULL)
    {
      data = entry->serialize (object, entry->user_data, error);
      if (data == NULL)
        {
          if (error != NULL && *error == NULL)
            g_set_error (error, JANUS_NET_ERROR, JANUS_NET_ERROR_CODEC,
                         "The serializer of %s failed", G_OBJECT_TYPE_NAME (object));
          return NULL;
        }
    }
  else
    data = json_gobject_serialize (object);
  return typed_node (id, data);
}

/**
 * janus_codec_deserialize_object:
 * @self: a codec
 * @node: a `{"__type__": [type_id, data]}` object of a registered type
 * @error: return location for a #GError
 *
 * Makes the object @node describes. Agents (the proxy type id) need the
 * connection they came with: use [method@Janus.Invocation.dup_object] or
 * [method@Janus.Proxy.dup_object] for them.
 *
 * Returns: (transfer full) (nullable): the object, or %NULL with
 *   %JANUS_NET_ERROR_CODEC
 */
GObject *
janus_codec_deserialize_object (JanusCodec  *self,
                                JsonNode    *node,
                                GError     **error)
{
  const TypeEntry *entry;
  JsonNode *data;
  GObject *object;
  gint64 id;

  g_return_val_if_fail (JANUS_IS_CODEC (self), NULL);
  g_return_val_if_fail (node != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!janus_codec_split_typed (node, &id, &data))
    {
      g_set_error_literal (error, JANUS_NET_ERROR, JANUS_NET_ERROR_CODEC,
                           "Not a serialised object ({\"__type__\": [type_id, data]})");
      return NULL;
    }
  if (id < 1 || id > (gint64) self->types->len)
    {
      g_set_error (error, JANUS_NET_ERROR, JANUS_NET_ERROR_CODEC,
                   "Type id %" G_GINT64_FORMAT " is not a registered type of this codec%s", id,
                   id == (gint64) self->types->len + 1 ? " (it is an agent: ask the "
                   "invocation or proxy it came with)" : "");
      return NULL;
    }
  entry = &g_array_index (self->types, TypeEntry, id - 1);
  if (entry->deserialize != NULL)
    object = entry->deserialize (entry->type, data, entry->user_data, error);
  else if (!JSON_NODE_HOLDS_OBJECT (data))
    {
      g_set_error (error, JANUS_NET_ERROR, JANUS_NET_ERROR_CODEC,
                   "The data of a %s must be an object of its properties",
                   g_type_name (entry->type));
      return NULL;
    }
  else
    object = json_gobject_deserialize (entry->type, data);
  if (object == NULL && error != NULL && *error == NULL)
    g_set_error (error, JANUS_NET_ERROR, JANUS_NET_ERROR_CODEC,
                 "Could not make a %s from its data", g_type_name (entry->type));
  return object;
}

/* ---------------------------------------------------------- GObject */

/**
 * janus_codec_new:
 * @format: JSON or MessagePack
 *
 * Makes a codec with no registered type.
 *
 * Returns: (transfer full): a new codec
 */
JanusCodec *
janus_codec_new (JanusCodecFormat format)
{
  return g_object_new (JANUS_TYPE_CODEC, "format", format, NULL);
}

/**
 * janus_codec_get_format:
 * @self: a codec
 *
 * Gets the codec's format.
 *
 * Returns: the format
 */
JanusCodecFormat
janus_codec_get_format (JanusCodec *self)
{
  g_return_val_if_fail (JANUS_IS_CODEC (self), JANUS_CODEC_FORMAT_JSON);

  return self->format;
}

static void
clear_entry (gpointer data)
{
  TypeEntry *entry = data;

  if (entry->destroy != NULL)
    entry->destroy (entry->user_data);
}

static void
janus_codec_finalize (GObject *object)
{
  JanusCodec *self = JANUS_CODEC (object);

  g_array_unref (self->types);

  G_OBJECT_CLASS (janus_codec_parent_class)->finalize (object);
}

static void
janus_codec_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  switch (prop_id)
    {
    case PROP_FORMAT:
      g_value_set_enum (value, JANUS_CODEC (object)->format);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
janus_codec_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  switch (prop_id)
    {
    case PROP_FORMAT:
      JANUS_CODEC (object)->format = g_value_get_enum (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
janus_codec_class_init (JanusCodecClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = janus_codec_finalize;
  object_class->get_property = janus_codec_get_property;
  object_class->set_property = janus_codec_set_property;

  /**
   * JanusCodec:format: (attributes org.gtk.Property.get=janus_codec_get_format)
   *
   * How documents are turned into bytes.
   */
  properties[PROP_FORMAT] =
    g_param_spec_enum ("format", NULL, NULL,
                       JANUS_TYPE_CODEC_FORMAT, JANUS_CODEC_FORMAT_JSON,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
janus_codec_init (JanusCodec *self)
{
  self->types = g_array_new (FALSE, TRUE, sizeof (TypeEntry));
  g_array_set_clear_func (self->types, clear_entry);
}
