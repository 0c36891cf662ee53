/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include <msgpack.h>

#include "janus-codec-private.h"
#include "janus-net-error.h"

/* MessagePack for the codec. Writing goes through libmsgpackc's packer.
 * Reading is our own: libmsgpackc's unpacker nests at most 32 levels (a
 * compile-time constant of the library) and allocates what an array or map
 * header claims before looking at the data, which a hostile frame turns
 * into a large allocation; this reader checks every count against the
 * bytes left and builds json-glib nodes directly. */

/* ------------------------------------------------------------- writing */

static int
append_to_string (void       *data,
                  const char *buf,
                  size_t      len)
{
  janus_string_append (data, buf, len);
  return 0;
}

static void
packer_init (msgpack_packer *pk,
             GString        *out)
{
  msgpack_packer_init (pk, out, append_to_string);
}

/* A string from its in-memory form (U+0000 as C0 80) to real UTF-8. */
static gboolean
pack_string (msgpack_packer  *pk,
             const char      *s,
             GError         **error)
{
  gsize len = strlen (s);
  const char *nul = memchr (s, JANUS_JSON_NUL_0, len);
  g_autoptr(GString) wire = NULL;

  if (G_LIKELY (nul == NULL) ? !g_utf8_validate_len (s, len, NULL)
                              : !janus_json_utf8_validate (s, len))
    {
      g_set_error_literal (error, JANUS_NET_ERROR, JANUS_NET_ERROR_CODEC,
                           "Invalid UTF-8 in a string");
      return FALSE;
    }
  if (G_LIKELY (nul == NULL))
    {
      msgpack_pack_str (pk, len);
      msgpack_pack_str_body (pk, s, len);
      return TRUE;
    }
  wire = g_string_sized_new (len);
  for (gsize i = 0; i < len; i++)
    {
      if (s[i] == JANUS_JSON_NUL_0 && i + 1 < len && s[i + 1] == JANUS_JSON_NUL_1)
        {
          janus_string_append_c (wire, '\0');
          i++;
        }
      else
        janus_string_append_c (wire, s[i]);
    }
  msgpack_pack_str (pk, wire->len);
  msgpack_pack_str_body (pk, wire->str, wire->len);
  return TRUE;
}

static gboolean pack_node (msgpack_packer *pk, JsonNode *node, guint depth, GError **error);

static gboolean
pack_array (msgpack_packer  *pk,
            JsonArray       *array,
            guint            depth,
            GError         **error)
{
  guint i, n = json_array_get_length (array);

  if (janus_json_write_too_deep (depth, error))
    return FALSE;
  msgpack_pack_array (pk, n);
  for (i = 0; i < n; i++)
    if (!pack_node (pk, json_array_get_element (array, i), depth + 1, error))
      return FALSE;
  return TRUE;
}

static gboolean
pack_object (msgpack_packer  *pk,
             JsonObject      *object,
             guint            depth,
             GError         **error)
{
  JsonObjectIter iter;
  const char *name;
  JsonNode *member;

  if (janus_json_write_too_deep (depth, error))
    return FALSE;
  msgpack_pack_map (pk, json_object_get_size (object));
  json_object_iter_init_ordered (&iter, object);
  while (json_object_iter_next_ordered (&iter, &name, &member))
    if (!pack_string (pk, name, error) || !pack_node (pk, member, depth + 1, error))
      return FALSE;
  return TRUE;
}

static gboolean
pack_node (msgpack_packer  *pk,
           JsonNode        *node,
           guint            depth,
           GError         **error)
{
  switch (json_node_get_node_type (node))
    {
    case JSON_NODE_NULL:
      msgpack_pack_nil (pk);
      return TRUE;
    case JSON_NODE_ARRAY:
      return pack_array (pk, json_node_get_array (node), depth, error);
    case JSON_NODE_OBJECT:
      return pack_object (pk, json_node_get_object (node), depth, error);
    case JSON_NODE_VALUE:
      break;
    }
  switch (json_node_get_value_type (node))
    {
    case G_TYPE_INT64:
      msgpack_pack_int64 (pk, json_node_get_int (node));
      return TRUE;
    case G_TYPE_DOUBLE:
      msgpack_pack_double (pk, json_node_get_double (node));
      return TRUE;
    case G_TYPE_BOOLEAN:
      if (json_node_get_boolean (node))
        msgpack_pack_true (pk);
      else
        msgpack_pack_false (pk);
      return TRUE;
    case G_TYPE_STRING:
      return pack_string (pk, json_node_get_string (node), error);
    default:
      g_set_error (error, JANUS_NET_ERROR, JANUS_NET_ERROR_CODEC,
                   "A JSON value of type %s cannot be written",
                   g_type_name (json_node_get_value_type (node)));
      return FALSE;
    }
}

gboolean
janus_msgpack_append (GString   *out,
                      JsonNode  *node,
                      GError   **error)
{
  msgpack_packer pk;

  packer_init (&pk, out);
  return pack_node (&pk, node, 0, error);
}

gboolean
janus_msgpack_append_array (GString    *out,
                            JsonArray  *array,
                            GError    **error)
{
  msgpack_packer pk;

  packer_init (&pk, out);
  return pack_array (&pk, array, 0, error);
}

gboolean
janus_msgpack_append_object (GString     *out,
                             JsonObject  *object,
                             GError     **error)
{
  msgpack_packer pk;

  packer_init (&pk, out);
  return pack_object (&pk, object, 0, error);
}

gboolean
janus_msgpack_append_array_header (GString *out,
                                   guint    n)
{
  msgpack_packer pk;

  packer_init (&pk, out);
  return msgpack_pack_array (&pk, n) == 0;
}

gboolean
janus_msgpack_append_nil (GString *out)
{
  msgpack_packer pk;

  packer_init (&pk, out);
  return msgpack_pack_nil (&pk) == 0;
}

gboolean
janus_msgpack_append_map_header (GString *out,
                                 guint    n)
{
  msgpack_packer pk;

  packer_init (&pk, out);
  return msgpack_pack_map (&pk, n) == 0;
}

gboolean
janus_msgpack_append_int (GString *out,
                          gint64   value)
{
  msgpack_packer pk;

  packer_init (&pk, out);
  return msgpack_pack_int64 (&pk, value) == 0;
}

gboolean
janus_msgpack_append_string (GString     *out,
                             const char  *string,
                             GError     **error)
{
  msgpack_packer pk;

  packer_init (&pk, out);
  return pack_string (&pk, string, error);
}

/* ------------------------------------------------------------- reading */

typedef struct
{
  const guchar               *start;
  const guchar               *p;
  const guchar               *end;
  const JanusJsonReadOptions *options;
  GError                    **error;
} Reader;

G_GNUC_PRINTF (2, 3)
static JsonNode *
fail (Reader     *r,
      const char *format,
      ...)
{
  g_autofree char *what = NULL;
  va_list args;

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (r->error, JANUS_NET_ERROR, JANUS_NET_ERROR_CODEC,
               "Invalid MessagePack at byte %" G_GSIZE_FORMAT ": %s",
               (gsize) (r->p - r->start), what);
  return NULL;
}

static gboolean
need (Reader *r,
      gsize   n)
{
  if ((gsize) (r->end - r->p) >= n)
    return TRUE;
  fail (r, "truncated (%" G_GSIZE_FORMAT " more bytes needed)", n - (gsize) (r->end - r->p));
  return FALSE;
}

static guint64
take_be (Reader *r,
         guint   n)
{
  guint64 v = 0;

  for (guint i = 0; i < n; i++)
    v = v << 8 | r->p[i];
  r->p += n;
  return v;
}

/* A length of @width bytes (1, 2 or 4), with its bytes available. */
static gboolean
take_length (Reader *r,
             guint   width,
             gsize  *len)
{
  if (!need (r, width))
    return FALSE;
  *len = (gsize) take_be (r, width);
  return TRUE;
}

static char *
take_string (Reader *r,
             gsize   len)
{
  char *s;

  if (!need (r, len))
    return NULL;
  s = janus_json_string_from_wire ((const char *) r->p, len, r->error);
  r->p += len;
  return s;
}

static JsonNode *read_node (Reader *r, guint depth);

static JsonNode *
read_array (Reader *r,
            gsize   n,
            guint   depth)
{
  JsonArray *array;
  JsonNode *node;

  /* every element takes at least one byte */
  if (n > (gsize) (r->end - r->p))
    return fail (r, "an array of %" G_GSIZE_FORMAT " elements in %" G_GSIZE_FORMAT " bytes",
                 n, (gsize) (r->end - r->p));
  array = json_array_sized_new (n);
  node = json_node_init_array (json_node_alloc (), array);
  json_array_unref (array);
  for (gsize i = 0; i < n; i++)
    {
      JsonNode *element = read_node (r, depth + 1);
      if (element == NULL)
        {
          json_node_unref (node);
          return NULL;
        }
      json_array_add_element (array, element);
    }
  return node;
}

static char *
read_key (Reader *r)
{
  guchar b;
  gsize len;

  if (!need (r, 1))
    return NULL;
  b = *r->p++;
  if ((b & 0xE0) == 0xA0)
    len = b & 0x1F;
  else if (b == 0xD9 || b == 0xC4)
    {
      if (!take_length (r, 1, &len))
        return NULL;
    }
  else if (b == 0xDA || b == 0xC5)
    {
      if (!take_length (r, 2, &len))
        return NULL;
    }
  else if (b == 0xDB || b == 0xC6)
    {
      if (!take_length (r, 4, &len))
        return NULL;
    }
  else
    {
      r->p--;
      fail (r, "a map key that is not a string (0x%02x)", b);
      return NULL;
    }
  return take_string (r, len);
}

static JsonNode *
read_map (Reader *r,
          gsize   n,
          guint   depth)
{
  JsonObject *object;
  JsonNode *node;
  gboolean typed = FALSE;

  if (n > (gsize) (r->end - r->p) / 2)
    return fail (r, "a map of %" G_GSIZE_FORMAT " pairs in %" G_GSIZE_FORMAT " bytes",
                 n, (gsize) (r->end - r->p));
  object = json_object_new ();
  node = json_node_init_object (json_node_alloc (), object);
  json_object_unref (object);
  for (gsize i = 0; i < n; i++)
    {
      char *name = read_key (r);
      JsonNode *member = name ? read_node (r, depth + 1) : NULL;

      if (member == NULL)
        {
          g_free (name);
          json_node_unref (node);
          return NULL;
        }
      if (name[0] == '_' && strcmp (name, "__type__") == 0)
        typed = TRUE;
      json_object_set_member (object, name, member);
      g_free (name);
    }
  if (typed && r->options != NULL && r->options->check_type != NULL
      && !r->options->check_type (object, r->options->check_data, r->error))
    {
      json_node_unref (node);
      return NULL;
    }
  return node;
}

static JsonNode *
new_int (gint64 v)
{
  return json_node_init_int (json_node_alloc (), v);
}

static JsonNode *
read_unsigned (Reader *r,
               guint   width)
{
  guint64 v;

  if (!need (r, width))
    return NULL;
  v = take_be (r, width);
  if (v > G_MAXINT64)
    {
      r->p -= width + 1;
      return fail (r, "integer %" G_GUINT64_FORMAT " is beyond the 64-bit signed range", v);
    }
  return new_int ((gint64) v);
}

static JsonNode *
read_signed (Reader *r,
             guint   width)
{
  guint64 v;

  if (!need (r, width))
    return NULL;
  v = take_be (r, width);
  switch (width)
    {
    case 1: return new_int ((gint8) v);
    case 2: return new_int ((gint16) v);
    case 4: return new_int ((gint32) v);
    default: return new_int ((gint64) v);
    }
}

static JsonNode *
read_float (Reader *r,
            guint   width)
{
  guint64 bits;

  if (!need (r, width))
    return NULL;
  bits = take_be (r, width);
  if (width == 4)
    {
      guint32 b32 = (guint32) bits;
      float f;
      memcpy (&f, &b32, 4);
      return json_node_init_double (json_node_alloc (), f);
    }
  else
    {
      double d;
      memcpy (&d, &bits, 8);
      return json_node_init_double (json_node_alloc (), d);
    }
}

static JsonNode *
string_node (Reader *r,
             gsize   len)
{
  char *s = take_string (r, len);
  JsonNode *node;

  if (s == NULL)
    return NULL;
  node = json_node_init_string (json_node_alloc (), s);
  g_free (s);
  return node;
}

static JsonNode *
read_sized (Reader *r,
            guchar  b,
            guint   depth)
{
  gsize len;
  guint width;

  switch (b)
    {
    case 0xC4: case 0xD9: width = 1; break;   /* bin 8, str 8 */
    case 0xC5: case 0xDA: case 0xDC: case 0xDE: width = 2; break;
    default: width = 4; break;
    }
  if (!take_length (r, width, &len))
    return NULL;
  switch (b)
    {
    case 0xDC: case 0xDD:
      return read_array (r, len, depth);
    case 0xDE: case 0xDF:
      return read_map (r, len, depth);
    default:
      /* bin has no JSON form: taken as a string when it is UTF-8 */
      return string_node (r, len);
    }
}

static JsonNode *
read_node (Reader *r,
           guint   depth)
{
  guint max = r->options && r->options->max_depth ? r->options->max_depth : JANUS_JSON_MAX_DEPTH;
  guchar b;

  if (!need (r, 1))
    return NULL;
  b = *r->p++;
  if (b <= 0x7F)
    return new_int (b);
  if (b >= 0xE0)
    return new_int ((gint8) b);
  if ((b & 0xE0) == 0xA0)
    return string_node (r, b & 0x1F);
  if ((b & 0xF0) == 0x90 || (b & 0xF0) == 0x80 || b == 0xDC || b == 0xDD || b == 0xDE || b == 0xDF)
    {
      if (depth >= max)
        {
          r->p--;
          return fail (r, "nesting deeper than %u levels", max);
        }
      if ((b & 0xF0) == 0x90)
        return read_array (r, b & 0x0F, depth);
      if ((b & 0xF0) == 0x80)
        return read_map (r, b & 0x0F, depth);
      return read_sized (r, b, depth);
    }
  switch (b)
    {
    case 0xC0: return json_node_init_null (json_node_alloc ());
    case 0xC2: return json_node_init_boolean (json_node_alloc (), FALSE);
    case 0xC3: return json_node_init_boolean (json_node_alloc (), TRUE);
    case 0xC4: case 0xC5: case 0xC6:
    case 0xD9: case 0xDA: case 0xDB:
      return read_sized (r, b, depth);
    case 0xCA: return read_float (r, 4);
    case 0xCB: return read_float (r, 8);
    case 0xCC: return read_unsigned (r, 1);
    case 0xCD: return read_unsigned (r, 2);
    case 0xCE: return read_unsigned (r, 4);
    case 0xCF: return read_unsigned (r, 8);
    case 0xD0: return read_signed (r, 1);
    case 0xD1: return read_signed (r, 2);
    case 0xD2: return read_signed (r, 4);
    case 0xD3: return read_signed (r, 8);
    default:
      /* 0xC1 (never used) and the ext family (no JSON form) */
      r->p--;
      return fail (r, "unsupported type byte 0x%02x", b);
    }
}

static gboolean
protocol_error (GError     **error,
                const char  *what)
{
  g_set_error (error, JANUS_NET_ERROR, JANUS_NET_ERROR_PROTOCOL, "Not an aiomas message: %s", what);
  return FALSE;
}

static gboolean
read_int_of (Reader *r,
             gint64 *v)
{
  g_autoptr(JsonNode) n = read_node (r, 1);

  if (n == NULL)
    return FALSE;
  if (!JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_INT64)
    return protocol_error (r->error, "its type and id are integers");
  *v = json_node_get_int (n);
  return TRUE;
}

/* As janus_json_read_message (janus-json.c), for MessagePack. */
gboolean
janus_msgpack_read_message (const char                  *data,
                            gsize                        length,
                            const JanusJsonReadOptions  *options,
                            JanusWireMessage            *message,
                            GError                     **error)
{
  Reader r = { (const guchar *) data, (const guchar *) data,
               (const guchar *) data + length, options, error };
  gint64 type, id;
  JsonNode *node;

  memset (message, 0, sizeof *message);
  if (!need (&r, 1))
    return FALSE;
  if (*r.p++ != 0x93)
    return protocol_error (error, "it is not [type, id, content]");
  if (!read_int_of (&r, &type) || !read_int_of (&r, &id))
    return FALSE;
  if (type < 0 || type > 2 || id < 0)
    return protocol_error (error, "a type or id out of range");
  message->type = (int) type;
  message->id = (guint64) id;
  if (type != 0)
    {
      if ((message->content = read_node (&r, 1)) == NULL)
        goto fail;
    }
  else
    {
      if (!need (&r, 1))
        goto fail;
      if (*r.p++ != 0x93)
        {
          protocol_error (error, "a request is [path, args, kwargs]");
          goto fail;
        }
      if ((message->path = read_key (&r)) == NULL)
        goto fail;
      if ((node = read_node (&r, 2)) == NULL)
        goto fail;
      if (!JSON_NODE_HOLDS_ARRAY (node))
        {
          json_node_unref (node);
          protocol_error (error, "a request's args are a list");
          goto fail;
        }
      message->args = json_array_ref (json_node_get_array (node));
      json_node_unref (node);
      if (!need (&r, 1))
        goto fail;
      if (*r.p == 0x80)
        r.p++;                              /* {}: not built */
      else
        {
          if ((node = read_node (&r, 2)) == NULL)
            goto fail;
          if (!JSON_NODE_HOLDS_OBJECT (node))
            {
              json_node_unref (node);
              protocol_error (error, "a request's kwargs are a map");
              goto fail;
            }
          message->kwargs = json_object_ref (json_node_get_object (node));
          json_node_unref (node);
        }
    }
  if (r.p != r.end)
    {
      fail (&r, "extra data after the document");
      goto fail;
    }
  return TRUE;

fail:
  janus_wire_message_clear (message);
  return FALSE;
}

JsonNode *
janus_msgpack_read (const char                  *data,
                    gsize                        length,
                    const JanusJsonReadOptions  *options,
                    GError                     **error)
{
  Reader r = { (const guchar *) data, (const guchar *) data,
               (const guchar *) data + length, options, error };
  JsonNode *node = read_node (&r, 0);

  if (node != NULL && r.p != r.end)
    {
      fail (&r, "extra data after the document");
      g_clear_pointer (&node, json_node_unref);
    }
  return node;
}
