/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <string.h>

#include "janus-json.h"

G_BEGIN_DECLS

/* g_string_append_len () and g_string_append_c () inlined for the
 * encoders' many small pieces (GLib 2.74 calls g_string_insert_len ()). */
static inline void
janus_string_append (GString    *out,
                     const char *data,
                     gsize       length)
{
  if (G_LIKELY (out->len + length < out->allocated_len))
    {
      memcpy (out->str + out->len, data, length);
      out->len += length;
      out->str[out->len] = '\0';
    }
  else
    g_string_append_len (out, data, length);
}

static inline void
janus_string_append_c (GString *out,
                       char     c)
{
  if (G_LIKELY (out->len + 1 < out->allocated_len))
    {
      out->str[out->len++] = c;
      out->str[out->len] = '\0';
    }
  else
    g_string_append_c (out, c);
}

/* How deep documents may nest (arrays and objects), reading and writing. */
#define JANUS_JSON_MAX_DEPTH 512

gboolean  janus_json_write_too_deep (guint    depth,
                                     GError **error);

/* Called for each object with a "__type__" member once it is complete. */
typedef gboolean (*JanusJsonTypeCheck) (JsonObject  *object,
                                        gpointer     data,
                                        GError     **error);

typedef struct
{
  guint              max_depth;
  JanusJsonTypeCheck check_type;
  gpointer           check_data;
  gboolean           letters;     /* read janus.message requests as letters */
} JanusJsonReadOptions;

/* A JanusMessage between kernels, as the request
 * agents/<id>/janus.message [subject, body, type] {sender, sender_id,
 * priority, timestamp} describes it, before any check of its values. */
typedef struct
{
  gboolean    malformed;        /* args are not [subject (a string), body?, type?] */
  char       *subject;
  JsonNode   *body;             /* NULL: absent */
  char       *type;             /* NULL: absent or null */
  gboolean    type_invalid;     /* neither a string nor null */
  char       *sender;           /* NULL: absent or not a string */
  gint64      sender_id;        /* -1: absent, not an integer or negative */
  gint64      priority;         /* 0: absent or not an integer */
  gboolean    has_timestamp;
  gint64      timestamp;
} JanusWireLetter;

void      janus_wire_letter_clear     (JanusWireLetter  *letter);
void      janus_wire_letter_from_tree (JsonArray        *args,
                                       JsonObject       *kwargs,
                                       JanusWireLetter  *letter);

/* An aiomas message as read from a frame: [type, id, content], a
 * request's content split into path, args and kwargs (NULL when empty);
 * or, read with the `letters` option, a janus.message request as a
 * letter to agent receiver_id (then args and kwargs are NULL). */
typedef struct
{
  int              type;
  guint64          id;
  char            *path;
  JsonArray       *args;
  JsonObject      *kwargs;
  JsonNode        *content;
  gboolean         is_letter;
  guint64          receiver_id;
  JanusWireLetter  letter;
} JanusWireMessage;

void      janus_wire_message_clear (JanusWireMessage            *message);

/* A request's path "agents/<id>" and what follows ("" or "/..."). */
gboolean  janus_net_path_agent_id  (const char                  *path,
                                    guint64                     *id,
                                    const char                 **rest);
gboolean  janus_json_read_message (const char                  *data,
                                   gsize                        length,
                                   const JanusJsonReadOptions  *options,
                                   JanusWireMessage            *message,
                                   GError                     **error);
JsonNode *janus_json_read         (const char                  *data,
                                   gsize                        length,
                                   const JanusJsonReadOptions  *options,
                                   GError                     **error);
gboolean  janus_json_write        (GString                     *out,
                                   JsonNode                    *node,
                                   GError                     **error);
gboolean  janus_json_write_array  (GString                     *out,
                                   JsonArray                   *array,
                                   GError                     **error);
gboolean  janus_json_write_object (GString                     *out,
                                   JsonObject                  *object,
                                   GError                     **error);
gboolean  janus_json_write_string (GString                     *out,
                                   const char                  *string,
                                   gsize                        length,
                                   GError                     **error);
void      janus_json_write_int    (GString                     *out,
                                   gint64                       value);
gsize     janus_json_double_repr  (double                       value,
                                   char                         buf[32]);

/* Strings in JsonNode are NUL-terminated C strings, so U+0000 is held as
 * the two bytes C0 80 (as Java's "modified UTF-8"); the codecs turn it
 * back into a real U+0000 on the wire. */
#define JANUS_JSON_NUL_0 '\xC0'
#define JANUS_JSON_NUL_1 '\x80'

gboolean  janus_json_utf8_next    (const guchar               **p,
                                   const guchar                *end,
                                   gunichar                    *c);
gboolean  janus_json_utf8_validate (const char                  *string,
                                   gsize                        length);
char     *janus_json_string_from_wire (const char              *data,
                                   gsize                        length,
                                   GError                     **error);

G_END_DECLS
