/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "janus-json-private.h"
#include "janus-net-error.h"

/**
 * SECTION:janus-json
 * @title: JSON like Python's
 *
 * janus-c keeps json-glib's document model ([struct@Json.Node],
 * [struct@Json.Array], [struct@Json.Object]) and reads and writes JSON text
 * exactly as Python's `json` module does, since the network layer speaks
 * the wire format of Python's aiomas:
 *
 * - `NaN`, `Infinity` and `-Infinity` are read and written as bare tokens;
 * - integers stay 64-bit integers (a number beyond the 64-bit range is an
 *   error, never a rounded double); numbers with a fraction or an exponent
 *   are doubles, written in their shortest form that reads back to the
 *   same bits (Python's `repr`), `-0.0` included;
 * - output is what `json.dumps (value)` prints: ASCII only, other
 *   characters escaped (`\u00e9`, characters outside the Basic Multilingual
 *   Plane as surrogate pairs), separators `, ` and `: `;
 * - strings may hold U+0000: since json-glib stores NUL-terminated strings,
 *   a [struct@Json.Node] holds it as the two bytes `C0 80` (as in Java's
 *   modified UTF-8), which the writer turns back into `\u0000`.
 *
 * ```c
 * g_autoptr(JsonNode) node = janus_json_from_data ("[1, NaN, -0.0]", -1, &error);
 * g_autofree char *text = janus_json_to_data (node, NULL, &error);   // "[1, NaN, -0.0]"
 * ```
 */

/* G_DEFINE_QUARK's cache is a plain variable: the first calls may race
 * (two threads failing at once), so the cache here is atomic. */
GQuark
janus_net_error_quark (void)
{
  static _Atomic GQuark quark;
  GQuark q = atomic_load_explicit (&quark, memory_order_relaxed);

  if (G_UNLIKELY (q == 0))
    {
      q = g_quark_from_static_string ("janus-net-error-quark");
      atomic_store_explicit (&quark, q, memory_order_relaxed);
    }
  return q;
}

/* ------------------------------------------------------------- numbers */

/* The number of significant digits that reads back to @value: the correctly
 * rounded p-digit form is at least as close as any shorter one, so
 * "round-trips with p digits" is monotonic in p and can be bisected. */
static int
shortest_digits (double value,
                 char   buf[32])
{
  int lo = 1, hi = 17;

  while (lo < hi)
    {
      int mid = (lo + hi) / 2;
      snprintf (buf, 32, "%.*e", mid - 1, value);
      if (strtod (buf, NULL) == value)
        hi = mid;
      else
        lo = mid + 1;
    }
  snprintf (buf, 32, "%.*e", lo - 1, value);
  return lo;
}

/* Python's repr of a float (format "r"): shortest digits, fixed notation
 * for decimal exponents in (-4, 16], else d.ddde+XX. */
gsize
janus_json_double_repr (double value,
                        char   buf[32])
{
  char sci[32], digits[20];
  int n = 0, exp10, decpt, i;
  char *e, *o = buf;

  if (isnan (value))
    return g_strlcpy (buf, "NaN", 32);
  if (isinf (value))
    return g_strlcpy (buf, value > 0 ? "Infinity" : "-Infinity", 32);

  shortest_digits (value, sci);
  /* sci is [-]d[.ddd]e[+-]XX */
  e = strchr (sci, 'e');
  exp10 = atoi (e + 1);
  for (char *p = sci; p < e; p++)
    if (g_ascii_isdigit (*p))
      digits[n++] = *p;
  while (n > 1 && digits[n - 1] == '0')
    n--;
  digits[n] = '\0';
  decpt = exp10 + 1;

  if (signbit (value))
    *o++ = '-';
  if (decpt <= -4 || decpt > 16)
    {
      *o++ = digits[0];
      if (n > 1)
        {
          *o++ = '.';
          memcpy (o, digits + 1, n - 1);
          o += n - 1;
        }
      o += snprintf (o, 8, "e%c%02d", exp10 < 0 ? '-' : '+', ABS (exp10));
    }
  else if (decpt <= 0)
    {
      *o++ = '0';
      *o++ = '.';
      for (i = 0; i < -decpt; i++)
        *o++ = '0';
      memcpy (o, digits, n);
      o += n;
    }
  else if (decpt >= n)
    {
      memcpy (o, digits, n);
      o += n;
      for (i = n; i < decpt; i++)
        *o++ = '0';
      *o++ = '.';
      *o++ = '0';
    }
  else
    {
      memcpy (o, digits, decpt);
      o += decpt;
      *o++ = '.';
      memcpy (o, digits + decpt, n - decpt);
      o += n - decpt;
    }
  *o = '\0';
  return o - buf;
}

/**
 * janus_json_format_double:
 * @value: a double
 *
 * Prints @value as Python's `repr` and `json.dumps` do: the shortest
 * decimal form that reads back to the same double (`0.1`, `1e+16`,
 * `-0.0`), or `NaN`, `Infinity`, `-Infinity`.
 *
 * Returns: (transfer full): the text
 */
char *
janus_json_format_double (double value)
{
  char buf[32];

  janus_json_double_repr (value, buf);
  return g_strdup (buf);
}

void
janus_json_write_int (GString *out,
                      gint64   value)
{
  static const char pairs[201] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";
  char buf[24], *p = buf + sizeof buf;
  guint64 u = value < 0 ? (guint64) 0 - (guint64) value : (guint64) value;

  /* two digits a division */
  while (u >= 100)
    {
      guint r = (guint) (u % 100);
      u /= 100;
      p -= 2;
      memcpy (p, pairs + 2 * r, 2);
    }
  if (u >= 10)
    {
      p -= 2;
      memcpy (p, pairs + 2 * u, 2);
    }
  else
    *--p = (char) ('0' + u);
  if (value < 0)
    *--p = '-';
  janus_string_append (out, p, buf + sizeof buf - p);
}

/* ---------------------------------------------------------------- UTF-8 */

/* Decodes one character of strict UTF-8 (plus C0 80 for U+0000) at *p. */
gboolean
janus_json_utf8_next (const guchar **p,
                      const guchar  *end,
                      gunichar      *c)
{
  const guchar *s = *p;
  gsize need, i;
  gunichar v, min;

  if (s[0] < 0x80)
    {
      *c = s[0];
      *p = s + 1;
      return TRUE;
    }
  if (s[0] == 0xC0 && s + 1 < end && s[1] == 0x80)
    {
      *c = 0;
      *p = s + 2;
      return TRUE;
    }
  if (s[0] >= 0xC2 && s[0] <= 0xDF)
    need = 1, v = s[0] & 0x1F, min = 0x80;
  else if (s[0] >= 0xE0 && s[0] <= 0xEF)
    need = 2, v = s[0] & 0x0F, min = 0x800;
  else if (s[0] >= 0xF0 && s[0] <= 0xF4)
    need = 3, v = s[0] & 0x07, min = 0x10000;
  else
    return FALSE;
  if ((gsize) (end - s) <= need)
    return FALSE;
  for (i = 1; i <= need; i++)
    {
      if ((s[i] & 0xC0) != 0x80)
        return FALSE;
      v = v << 6 | (s[i] & 0x3F);
    }
  if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
    return FALSE;
  *c = v;
  *p = s + need + 1;
  return TRUE;
}

/* Whether @string is valid in-memory UTF-8 (C0 80 allowed for U+0000). */
gboolean
janus_json_utf8_validate (const char *string,
                          gsize       length)
{
  const guchar *p = (const guchar *) string, *end = p + length;
  gunichar c;

  while (p < end)
    {
      if (*p < 0x80 && *p != 0)
        p++;
      else if (*p == 0 || !janus_json_utf8_next (&p, end, &c))
        return FALSE;
    }
  return TRUE;
}

static void
append_utf8 (GString  *out,
             gunichar  c)
{
  if (c == 0)
    {
      janus_string_append_c (out, JANUS_JSON_NUL_0);
      janus_string_append_c (out, JANUS_JSON_NUL_1);
    }
  else
    g_string_append_unichar (out, c);
}

/* A string received as real UTF-8 (MessagePack), into the in-memory form:
 * validated, with U+0000 as C0 80. */
char *
janus_json_string_from_wire (const char  *data,
                             gsize        length,
                             GError     **error)
{
  const char *end = NULL;
  GString *s;
  gsize i;

  if (g_utf8_validate_len (data, length, &end))
    return g_strndup (data, length);
  /* g_utf8_validate_len stops at NUL: allow it, as C0 80 */
  s = g_string_sized_new (length + 8);
  i = 0;
  while (i < length)
    {
      gsize run = length - i;
      if (g_utf8_validate_len (data + i, run, &end))
        {
          janus_string_append (s, data + i, run);
          break;
        }
      janus_string_append (s, data + i, end - (data + i));
      i = end - data;
      if (data[i] != '\0')
        {
          g_string_free (s, TRUE);
          g_set_error (error, JANUS_NET_ERROR, JANUS_NET_ERROR_CODEC,
                       "Invalid UTF-8 in a string at byte %" G_GSIZE_FORMAT, i);
          return NULL;
        }
      janus_string_append_c (s, JANUS_JSON_NUL_0);
      janus_string_append_c (s, JANUS_JSON_NUL_1);
      i++;
    }
  return g_string_free (s, FALSE);
}

/* -------------------------------------------------------------- writing */

static const char hex_digits[] = "0123456789abcdef";

static void
append_u_escape (GString *out,
                 guint    unit)
{
  char esc[6] = { '\\', 'u',
                  hex_digits[(unit >> 12) & 0xF], hex_digits[(unit >> 8) & 0xF],
                  hex_digits[(unit >> 4) & 0xF], hex_digits[unit & 0xF] };

  janus_string_append (out, esc, 6);
}

/* Whether the 8 bytes of @x are all printable ASCII other than '"' and
 * '\\' (0x20 to 0x7E): strings are scanned a word at a time. */
static inline gboolean
plain_word (guint64 x)
{
  const guint64 ones = G_GUINT64_CONSTANT (0x0101010101010101);
  const guint64 highs = G_GUINT64_CONSTANT (0x8080808080808080);
#define HAS_ZERO(v) (((v) - ones) & ~(v) & highs)
  guint64 below_space = (x - ones * 0x20) & ~x & highs;
  guint64 quote = x ^ (ones * '"'), backslash = x ^ (ones * '\\'), del = x ^ (ones * 0x7F);

  return ((x & highs) | below_space | HAS_ZERO (quote) | HAS_ZERO (backslash) | HAS_ZERO (del)) == 0;
#undef HAS_ZERO
}

/* Appends @string (in-memory form) quoted and escaped as Python's
 * json.dumps with ensure_ascii does. */
gboolean
janus_json_write_string (GString     *out,
                         const char  *string,
                         gsize        length,
                         GError     **error)
{
  const guchar *p = (const guchar *) string, *end = p + length, *run = p;

  janus_string_append_c (out, '"');
  while (p < end)
    {
      guchar b;
      gunichar c;
      guint64 word;

      if (end - p >= 8 && (memcpy (&word, p, 8), plain_word (word)))
        {
          p += 8;
          continue;
        }
      b = *p;
      if (G_LIKELY (b >= 0x20 && b < 0x7F && b != '"' && b != '\\'))
        {
          p++;
          continue;
        }
      janus_string_append (out, (const char *) run, p - run);
      if (!janus_json_utf8_next (&p, end, &c))
        {
          g_set_error (error, JANUS_NET_ERROR, JANUS_NET_ERROR_CODEC,
                       "Invalid UTF-8 in a string at byte %" G_GSIZE_FORMAT,
                       (gsize) (p - (const guchar *) string));
          return FALSE;
        }
      run = p;
      switch (c)
        {
        case '"': janus_string_append (out, "\\\"", 2); break;
        case '\\': janus_string_append (out, "\\\\", 2); break;
        case '\n': janus_string_append (out, "\\n", 2); break;
        case '\r': janus_string_append (out, "\\r", 2); break;
        case '\t': janus_string_append (out, "\\t", 2); break;
        case '\b': janus_string_append (out, "\\b", 2); break;
        case '\f': janus_string_append (out, "\\f", 2); break;
        default:
          if (c >= 0x10000)
            {
              c -= 0x10000;
              append_u_escape (out, 0xD800 | (c >> 10));
              append_u_escape (out, 0xDC00 | (c & 0x3FF));
            }
          else
            append_u_escape (out, c);
        }
    }
  janus_string_append (out, (const char *) run, p - run);
  janus_string_append_c (out, '"');
  return TRUE;
}

static gboolean write_node (GString *out, JsonNode *node, guint depth, GError **error);

/* Whether a document written at @depth nests too deep (then sets @error);
 * the JSON writer's and the MessagePack packer's bound. */
gboolean
janus_json_write_too_deep (guint    depth,
                           GError **error)
{
  if (depth < JANUS_JSON_MAX_DEPTH)
    return FALSE;
  g_set_error (error, JANUS_NET_ERROR, JANUS_NET_ERROR_CODEC,
               "The document nests deeper than %u levels", JANUS_JSON_MAX_DEPTH);
  return TRUE;
}

static gboolean
write_array (GString   *out,
             JsonArray *array,
             guint      depth,
             GError   **error)
{
  guint i, n = json_array_get_length (array);

  if (janus_json_write_too_deep (depth, error))
    return FALSE;
  janus_string_append_c (out, '[');
  for (i = 0; i < n; i++)
    {
      if (i > 0)
        janus_string_append (out, ", ", 2);
      if (!write_node (out, json_array_get_element (array, i), depth + 1, error))
        return FALSE;
    }
  janus_string_append_c (out, ']');
  return TRUE;
}

static gboolean
write_object (GString    *out,
              JsonObject *object,
              guint       depth,
              GError    **error)
{
  JsonObjectIter iter;
  const char *name;
  JsonNode *member;
  gboolean first = TRUE;

  if (janus_json_write_too_deep (depth, error))
    return FALSE;
  janus_string_append_c (out, '{');
  json_object_iter_init_ordered (&iter, object);
  while (json_object_iter_next_ordered (&iter, &name, &member))
    {
      if (!first)
        janus_string_append (out, ", ", 2);
      first = FALSE;
      if (!janus_json_write_string (out, name, strlen (name), error))
        return FALSE;
      janus_string_append (out, ": ", 2);
      if (!write_node (out, member, depth + 1, error))
        return FALSE;
    }
  janus_string_append_c (out, '}');
  return TRUE;
}

static gboolean
write_value (GString   *out,
             JsonNode  *node,
             GError   **error)
{
  char buf[32];
  const char *s;

  switch (json_node_get_value_type (node))
    {
    case G_TYPE_INT64:
      janus_json_write_int (out, json_node_get_int (node));
      return TRUE;
    case G_TYPE_DOUBLE:
      janus_string_append (out, buf, janus_json_double_repr (json_node_get_double (node), buf));
      return TRUE;
    case G_TYPE_BOOLEAN:
      if (json_node_get_boolean (node))
        janus_string_append (out, "true", 4);
      else
        janus_string_append (out, "false", 5);
      return TRUE;
    case G_TYPE_STRING:
      s = json_node_get_string (node);
      return janus_json_write_string (out, s, strlen (s), error);
    default:
      g_set_error (error, JANUS_NET_ERROR, JANUS_NET_ERROR_CODEC,
                   "A JSON value of type %s cannot be written",
                   g_type_name (json_node_get_value_type (node)));
      return FALSE;
    }
}

static gboolean
write_node (GString   *out,
            JsonNode  *node,
            guint      depth,
            GError   **error)
{
  switch (json_node_get_node_type (node))
    {
    case JSON_NODE_NULL:
      janus_string_append (out, "null", 4);
      return TRUE;
    case JSON_NODE_VALUE:
      return write_value (out, node, error);
    case JSON_NODE_ARRAY:
      return write_array (out, json_node_get_array (node), depth, error);
    case JSON_NODE_OBJECT:
      return write_object (out, json_node_get_object (node), depth, error);
    default:
      g_assert_not_reached ();
    }
}

gboolean
janus_json_write_array (GString    *out,
                        JsonArray  *array,
                        GError    **error)
{
  return write_array (out, array, 0, error);
}

gboolean
janus_json_write_object (GString     *out,
                         JsonObject  *object,
                         GError     **error)
{
  return write_object (out, object, 0, error);
}

/* Appends the JSON text of @node to @out (left partly written on error). */
gboolean
janus_json_write (GString   *out,
                  JsonNode  *node,
                  GError   **error)
{
  return write_node (out, node, 0, error);
}

/**
 * janus_json_to_data:
 * @node: a JSON document
 * @length: (out) (optional): where to store the length of the text
 * @error: return location for a #GError
 *
 * Writes @node as Python's `json.dumps` would (see the section above):
 * ASCII only, `, ` and `: ` separators, members in insertion order, doubles
 * in their shortest exact form, `NaN` and `Infinity` as bare tokens.
 *
 * Returns: (transfer full) (nullable): the text, or %NULL with
 *   %JANUS_NET_ERROR_CODEC (a string that is not valid UTF-8, nesting
 *   deeper than 512 levels)
 */
char *
janus_json_to_data (JsonNode  *node,
                    gsize     *length,
                    GError   **error)
{
  GString *out;

  g_return_val_if_fail (node != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  out = g_string_sized_new (64);
  if (!janus_json_write (out, node, error))
    {
      g_string_free (out, TRUE);
      return NULL;
    }
  if (length != NULL)
    *length = out->len;
  return g_string_free (out, FALSE);
}

/* -------------------------------------------------------------- reading */

typedef struct
{
  const char                 *start;
  const char                 *p;
  const char                 *end;
  const JanusJsonReadOptions *options;
  GString                    *scratch;
  const char                 *str;      /* the last string read: in the input, */
  gsize                       len;      /* or in scratch (then terminated) */
  GError                    **error;
} Reader;

static JsonNode *read_value (Reader *r, guint depth);

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
               "Invalid JSON at byte %" G_GSIZE_FORMAT ": %s",
               (gsize) (r->p - r->start), what);
  return NULL;
}

static inline void
skip_space (Reader *r)
{
  while (r->p < r->end && (*r->p == ' ' || *r->p == '\n' || *r->p == '\r' || *r->p == '\t'))
    r->p++;
}

/* Skips spaces, then takes @c if it comes next. */
static inline gboolean
take_char (Reader *r,
           char    c)
{
  skip_space (r);
  if (r->p < r->end && *r->p == c)
    {
      r->p++;
      return TRUE;
    }
  return FALSE;
}

static gboolean
take_word (Reader     *r,
           const char *word,
           gsize       len)
{
  if ((gsize) (r->end - r->p) < len || memcmp (r->p, word, len) != 0)
    return FALSE;
  r->p += len;
  return TRUE;
}

static int
hex4 (const char *p)
{
  int v = 0, i;

  for (i = 0; i < 4; i++)
    {
      int d = g_ascii_xdigit_value (p[i]);
      if (d < 0)
        return -1;
      v = v << 4 | d;
    }
  return v;
}

/* After a backslash: appends the escaped character to the scratch. */
static gboolean
read_escape (Reader *r)
{
  int u, lo;

  if (r->p >= r->end)
    return fail (r, "unfinished escape"), FALSE;
  switch (*r->p++)
    {
    case '"': janus_string_append_c (r->scratch, '"'); return TRUE;
    case '\\': janus_string_append_c (r->scratch, '\\'); return TRUE;
    case '/': janus_string_append_c (r->scratch, '/'); return TRUE;
    case 'b': janus_string_append_c (r->scratch, '\b'); return TRUE;
    case 'f': janus_string_append_c (r->scratch, '\f'); return TRUE;
    case 'n': janus_string_append_c (r->scratch, '\n'); return TRUE;
    case 'r': janus_string_append_c (r->scratch, '\r'); return TRUE;
    case 't': janus_string_append_c (r->scratch, '\t'); return TRUE;
    case 'u':
      if (r->end - r->p < 4 || (u = hex4 (r->p)) < 0)
        return fail (r, "\\u needs four hexadecimal digits"), FALSE;
      r->p += 4;
      if (u >= 0xDC00 && u <= 0xDFFF)
        return fail (r, "lone low surrogate \\u%04x", u), FALSE;
      if (u >= 0xD800 && u <= 0xDBFF)
        {
          if (r->end - r->p < 6 || r->p[0] != '\\' || r->p[1] != 'u'
              || (lo = hex4 (r->p + 2)) < 0xDC00 || lo > 0xDFFF)
            return fail (r, "high surrogate \\u%04x without its low half", u), FALSE;
          r->p += 6;
          u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
        }
      append_utf8 (r->scratch, (gunichar) u);
      return TRUE;
    default:
      r->p--;
      return fail (r, "invalid escape \\%c", *r->p), FALSE;
    }
}

/* After the opening quote: the string's in-memory form (U+0000 as C0 80)
 * in r->str and r->len: a plain string (printable ASCII, no escape) where
 * it is in the input, any other in r->scratch (made on first use). */
static gboolean
read_string (Reader *r)
{
  const char *run = r->p;

  /* the usual case: nothing to decode */
  while (r->p < r->end)
    {
      guchar c;
      guint64 word;

      if (r->end - r->p >= 8 && (memcpy (&word, r->p, 8), plain_word (word)))
        {
          r->p += 8;
          continue;
        }
      c = (guchar) *r->p;

      if (c == '"')
        {
          r->str = run;
          r->len = r->p - run;
          r->p++;
          return TRUE;
        }
      if (c < 0x20 || c >= 0x80 || c == '\\')
        break;
      r->p++;
    }
  if (r->scratch == NULL)
    r->scratch = g_string_sized_new (64);
  g_string_truncate (r->scratch, 0);
  for (;;)
    {
      guchar c;

      if (G_UNLIKELY (r->p >= r->end))
        return fail (r, "unfinished string"), FALSE;
      c = (guchar) *r->p;
      if (c == '"')
        break;
      if (c >= 0x20 && c < 0x80 && c != '\\')
        {
          r->p++;
          continue;
        }
      janus_string_append (r->scratch, run, r->p - run);
      if (c == '\\')
        {
          r->p++;
          if (!read_escape (r))
            return FALSE;
        }
      else if (c < 0x20)
        return fail (r, "control character 0x%02x in a string", c), FALSE;
      else
        {
          const guchar *q = (const guchar *) r->p;
          gunichar u;
          /* C0 80 is not valid on the wire: the in-memory form only */
          if (c == 0xC0 || !janus_json_utf8_next (&q, (const guchar *) r->end, &u))
            return fail (r, "invalid UTF-8"), FALSE;
          janus_string_append (r->scratch, r->p, (const char *) q - r->p);
          r->p = (const char *) q;
        }
      run = r->p;
    }
  janus_string_append (r->scratch, run, r->p - run);
  r->p++;
  r->str = r->scratch->str;
  r->len = r->scratch->len;
  return TRUE;
}

/* The last string read, as a string node. */
static JsonNode *
string_node (Reader *r)
{
  char stack[256];

  if (r->scratch != NULL && r->str == r->scratch->str)
    return json_node_init_string (json_node_alloc (), r->str);
  if (r->len < sizeof stack)
    {
      memcpy (stack, r->str, r->len);
      stack[r->len] = '\0';
      return json_node_init_string (json_node_alloc (), stack);
    }
  else
    {
      g_autofree char *copy = g_strndup (r->str, r->len);
      return json_node_init_string (json_node_alloc (), copy);
    }
}

static JsonNode *
read_number (Reader *r)
{
  const char *start = r->p, *int_end;
  gboolean is_float = FALSE, negative = FALSE;
  guint64 v = 0;

  if (*r->p == '-')
    {
      negative = TRUE;
      r->p++;
      if (take_word (r, "Infinity", 8))
        return json_node_init_double (json_node_alloc (), -INFINITY);
    }
  if (r->p >= r->end || !g_ascii_isdigit (*r->p))
    return fail (r, "a number needs digits");
  if (*r->p == '0')
    r->p++;
  else
    while (r->p < r->end && g_ascii_isdigit (*r->p))
      r->p++;
  int_end = r->p;
  if (r->p < r->end && *r->p == '.')
    {
      is_float = TRUE;
      r->p++;
      if (r->p >= r->end || !g_ascii_isdigit (*r->p))
        return fail (r, "a fraction needs digits");
      while (r->p < r->end && g_ascii_isdigit (*r->p))
        r->p++;
    }
  if (r->p < r->end && (*r->p == 'e' || *r->p == 'E'))
    {
      is_float = TRUE;
      r->p++;
      if (r->p < r->end && (*r->p == '+' || *r->p == '-'))
        r->p++;
      if (r->p >= r->end || !g_ascii_isdigit (*r->p))
        return fail (r, "an exponent needs digits");
      while (r->p < r->end && g_ascii_isdigit (*r->p))
        r->p++;
    }

  if (is_float)
    {
      /* strtod needs a terminated copy; Python reads 1e400 as inf too */
      gsize len = r->p - start;
      char stack[64], *copy = len < sizeof stack ? stack : g_malloc (len + 1);
      double d;

      memcpy (copy, start, len);
      copy[len] = '\0';
      d = g_ascii_strtod (copy, NULL);
      if (copy != stack)
        g_free (copy);
      return json_node_init_double (json_node_alloc (), d);
    }

  for (const char *d = start + negative; d < int_end; d++)
    {
      guint digit = (guint) (*d - '0');
      if (v > (G_MAXUINT64 - digit) / 10)
        goto range;
      v = v * 10 + digit;
    }
  if (negative ? v > (guint64) G_MAXINT64 + 1 : v > (guint64) G_MAXINT64)
    goto range;
  return json_node_init_int (json_node_alloc (),
                             negative ? (gint64) (0 - v) : (gint64) v);

range:
  r->p = start;
  return fail (r, "integer %.*s is beyond the 64-bit range",
               (int) MIN (int_end - start, 40), start);
}

static JsonNode *
read_array (Reader *r,
            guint   depth)
{
  JsonArray *array = json_array_new ();
  JsonNode *node = json_node_alloc ();

  json_node_init_array (node, array);
  json_array_unref (array);
  if (take_char (r, ']'))
    return node;
  for (;;)
    {
      JsonNode *element = read_value (r, depth + 1);
      if (element == NULL)
        goto error;
      json_array_add_element (array, element);
      if (take_char (r, ','))
        continue;
      if (take_char (r, ']'))
        return node;
      fail (r, "expected “,” or “]” in an array");
      goto error;
    }

error:
  json_node_unref (node);
  return NULL;
}

static JsonNode *
read_object (Reader *r,
             guint   depth)
{
  JsonObject *object = json_object_new ();
  JsonNode *node = json_node_alloc ();
  gboolean typed = FALSE;

  json_node_init_object (node, object);
  json_object_unref (object);
  if (take_char (r, '}'))
    return node;
  for (;;)
    {
      g_autofree char *name = NULL;
      JsonNode *member;

      if (!take_char (r, '"'))
        {
          fail (r, "expected a member name");
          goto error;
        }
      if (!read_string (r))
        goto error;
      name = g_strndup (r->str, r->len);
      if (!take_char (r, ':'))
        {
          fail (r, "expected “:” after a member name");
          goto error;
        }
      member = read_value (r, depth + 1);
      if (member == NULL)
        goto error;
      if (G_UNLIKELY (name[0] == '_') && strcmp (name, "__type__") == 0)
        typed = TRUE;
      /* a repeated name keeps its place and takes the last value, as in
       * Python */
      json_object_set_member (object, name, member);
      if (take_char (r, ','))
        continue;
      if (take_char (r, '}'))
        break;
      fail (r, "expected “,” or “}” in an object");
      goto error;
    }
  if (typed && r->options != NULL && r->options->check_type != NULL
      && !r->options->check_type (object, r->options->check_data, r->error))
    goto error;
  return node;

error:
  json_node_unref (node);
  return NULL;
}

static JsonNode *
read_value (Reader *r,
            guint   depth)
{
  guint max = r->options && r->options->max_depth ? r->options->max_depth : JANUS_JSON_MAX_DEPTH;

  skip_space (r);
  if (r->p >= r->end)
    return fail (r, "expected a value");
  switch (*r->p)
    {
    case '{':
    case '[':
      if (depth >= max)
        return fail (r, "nesting deeper than %u levels", max);
      return *r->p++ == '{' ? read_object (r, depth) : read_array (r, depth);
    case '"':
      r->p++;
      if (!read_string (r))
        return NULL;
      return string_node (r);
    case 'n':
      if (take_word (r, "null", 4))
        return json_node_init_null (json_node_alloc ());
      break;
    case 't':
      if (take_word (r, "true", 4))
        return json_node_init_boolean (json_node_alloc (), TRUE);
      break;
    case 'f':
      if (take_word (r, "false", 5))
        return json_node_init_boolean (json_node_alloc (), FALSE);
      break;
    case 'N':
      if (take_word (r, "NaN", 3))
        return json_node_init_double (json_node_alloc (), NAN);
      break;
    case 'I':
      if (take_word (r, "Infinity", 8))
        return json_node_init_double (json_node_alloc (), INFINITY);
      break;
    default:
      if (*r->p == '-' || g_ascii_isdigit (*r->p))
        return read_number (r);
    }
  return fail (r, "unexpected “%c”", g_ascii_isprint (*r->p) ? *r->p : '?');
}

JsonNode *
janus_json_read (const char                  *data,
                 gsize                        length,
                 const JanusJsonReadOptions  *options,
                 GError                     **error)
{
  Reader r = { data, data, data + length, options, NULL, NULL, 0, error };
  JsonNode *node;

  node = read_value (&r, 0);
  if (node != NULL)
    {
      skip_space (&r);
      if (r.p != r.end)
        {
          fail (&r, "extra data after the document");
          g_clear_pointer (&node, json_node_unref);
        }
    }
  if (r.scratch != NULL)
    g_string_free (r.scratch, TRUE);
  return node;
}

/* "agents/<id>" and what follows ("" or "/..."). */
gboolean
janus_net_path_agent_id (const char   *path,
                         guint64      *id,
                         const char  **rest)
{
  const char *p;
  guint64 v = 0;

  if (!g_str_has_prefix (path, "agents/") || !g_ascii_isdigit (path[7]))
    return FALSE;
  for (p = path + 7; g_ascii_isdigit (*p); p++)
    {
      guint d = (guint) (*p - '0');
      if (v > (G_MAXUINT64 - d) / 10)
        return FALSE;
      v = v * 10 + d;
    }
  if (*p != '\0' && *p != '/')
    return FALSE;
  *id = v;
  *rest = p;
  return TRUE;
}

void
janus_wire_letter_clear (JanusWireLetter *letter)
{
  g_free (letter->subject);
  g_clear_pointer (&letter->body, json_node_unref);
  g_free (letter->type);
  g_free (letter->sender);
  memset (letter, 0, sizeof *letter);
  letter->sender_id = -1;
}

void
janus_wire_message_clear (JanusWireMessage *message)
{
  g_clear_pointer (&message->path, g_free);
  g_clear_pointer (&message->args, json_array_unref);
  g_clear_pointer (&message->kwargs, json_object_unref);
  g_clear_pointer (&message->content, json_node_unref);
  janus_wire_letter_clear (&message->letter);
  message->is_letter = FALSE;
}

static gboolean
node_is_string (JsonNode *node)
{
  return node != NULL && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING;
}

static gboolean
node_is_int (JsonNode *node)
{
  return node != NULL && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64;
}

/* A member of a letter's kwargs (the last of a name counts, as in Python). */
static void
letter_member (JanusWireLetter *letter,
               const char      *name,
               gsize            length,
               JsonNode        *value)
{
#define IS(n) (length == sizeof n - 1 && memcmp (name, n, length) == 0)
  if (IS ("sender"))
    {
      g_free (letter->sender);
      letter->sender = node_is_string (value) ? g_strdup (json_node_get_string (value)) : NULL;
    }
  else if (IS ("sender_id"))
    letter->sender_id = node_is_int (value) && json_node_get_int (value) >= 0 ? json_node_get_int (value) : -1;
  else if (IS ("priority"))
    letter->priority = node_is_int (value) ? json_node_get_int (value) : 0;
  else if (IS ("timestamp"))
    {
      letter->has_timestamp = node_is_int (value);
      letter->timestamp = letter->has_timestamp ? json_node_get_int (value) : 0;
    }
#undef IS
}

/* The letter that the args and kwargs of a janus.message request
 * describe. */
void
janus_wire_letter_from_tree (JsonArray       *args,
                             JsonObject      *kwargs,
                             JanusWireLetter *letter)
{
  guint n = args ? json_array_get_length (args) : 0;
  JsonNode *type;

  memset (letter, 0, sizeof *letter);
  letter->sender_id = -1;
  if (n < 1 || n > 3 || !node_is_string (json_array_get_element (args, 0)))
    {
      letter->malformed = TRUE;
      return;
    }
  letter->subject = g_strdup (json_array_get_string_element (args, 0));
  if (n > 1)
    letter->body = json_node_ref (json_array_get_element (args, 1));
  type = n > 2 ? json_array_get_element (args, 2) : NULL;
  if (node_is_string (type))
    letter->type = g_strdup (json_node_get_string (type));
  else if (type != NULL && !JSON_NODE_HOLDS_NULL (type))
    letter->type_invalid = TRUE;
  if (kwargs != NULL)
    {
      JsonObjectIter iter;
      const char *name;
      JsonNode *value;

      json_object_iter_init (&iter, kwargs);
      while (json_object_iter_next (&iter, &name, &value))
        letter_member (letter, name, strlen (name), value);
    }
}

/* `[subject, body, type], {kwargs}` of a janus.message request, straight
 * into @letter. FALSE for anything else (another shape, a `__type__`
 * object as kwargs, invalid JSON): the caller reads it again as any
 * request. */
static gboolean
read_letter (Reader          *r,
             JanusWireLetter *letter)
{
  if (!take_char (r, '[') || !take_char (r, '"') || !read_string (r))
    return FALSE;
  letter->subject = g_strndup (r->str, r->len);
  if (!take_char (r, ',') || (letter->body = read_value (r, 3)) == NULL
      || !take_char (r, ','))
    return FALSE;
  if (take_char (r, '"'))
    {
      if (!read_string (r))
        return FALSE;
      letter->type = g_strndup (r->str, r->len);
    }
  else if (!take_word (r, "null", 4))
    return FALSE;
  if (!take_char (r, ']') || !take_char (r, ',') || !take_char (r, '{'))
    return FALSE;
  if (take_char (r, '}'))
    return TRUE;
  for (;;)
    {
      char name[16];
      gsize length;
      JsonNode *value;

      if (!take_char (r, '"') || !read_string (r))
        return FALSE;
      /* only the four names count: a longer one is copied no further */
      length = r->len;
      memcpy (name, r->str, MIN (length, sizeof name));
      if (length == 8 && memcmp (name, "__type__", 8) == 0)
        return FALSE;
      if (!take_char (r, ':'))
        return FALSE;
      if ((value = read_value (r, 3)) == NULL)
        return FALSE;
      if (length <= sizeof name)
        letter_member (letter, name, length, value);
      json_node_unref (value);
      if (take_char (r, ','))
        continue;
      return take_char (r, '}');
    }
}

static gboolean
expect_char (Reader *r,
             char    c)
{
  if (take_char (r, c))
    return TRUE;
  fail (r, "expected “%c” in an aiomas message", c);
  return FALSE;
}

/* The type or id of an envelope: a JSON integer, read without a node. */
static gboolean
read_small_int (Reader  *r,
                gint64  *v)
{
  gboolean negative = FALSE;
  guint64 u = 0;
  const char *digits;

  skip_space (r);
  if (r->p < r->end && *r->p == '-')
    {
      negative = TRUE;
      r->p++;
    }
  digits = r->p;
  while (r->p < r->end && g_ascii_isdigit (*r->p))
    {
      guint d = (guint) (*r->p++ - '0');
      /* 18 digits never overflow: the bound is checked beyond */
      if (r->p - digits > 18 && u > ((guint64) G_MAXINT64 - d) / 10)
        return fail (r, "an aiomas message's id is beyond the 64-bit range"), FALSE;
      u = u * 10 + d;
    }
  if (r->p == digits || (digits[0] == '0' && r->p - digits > 1)
      || (r->p < r->end && (*r->p == '.' || *r->p == 'e' || *r->p == 'E')))
    return fail (r, "an aiomas message's type and id are integers"), FALSE;
  *v = negative ? -(gint64) u : (gint64) u;
  return TRUE;
}

/* [0, id, [path, args, kwargs]] or [1|2, id, content], without building
 * the envelope as nodes; "{}" kwargs are not built either. Shapes that are
 * not an aiomas message fail with JANUS_NET_ERROR_PROTOCOL. */
gboolean
janus_json_read_message (const char                  *data,
                         gsize                        length,
                         const JanusJsonReadOptions  *options,
                         JanusWireMessage            *message,
                         GError                     **error)
{
  Reader r = { data, data, data + length, options, NULL, NULL, 0, error };
  JsonNode *node;
  gint64 type, id;
  gboolean ok = FALSE, empty;
  guint64 receiver;
  const char *rest;

  memset (message, 0, sizeof *message);
  message->letter.sender_id = -1;
  if (!expect_char (&r, '[') || !read_small_int (&r, &type) || !expect_char (&r, ',')
      || !read_small_int (&r, &id) || !expect_char (&r, ','))
    goto out;
  if (type < 0 || type > 2 || id < 0)
    {
      g_set_error (error, JANUS_NET_ERROR, JANUS_NET_ERROR_PROTOCOL,
                   "Not an aiomas message: type %" G_GINT64_FORMAT ", id %" G_GINT64_FORMAT,
                   type, id);
      goto out;
    }
  message->type = (int) type;
  message->id = (guint64) id;
  if (type != 0)
    {
      if ((message->content = read_value (&r, 1)) == NULL)
        goto out;
    }
  else
    {
      if (!expect_char (&r, '['))
        goto out;
      if (!take_char (&r, '"'))
        {
          fail (&r, "a request's path is a string");
          goto out;
        }
      if (!read_string (&r))
        goto out;
      message->path = g_strndup (r.str, r.len);
      if (!expect_char (&r, ','))
        goto out;
      if (options != NULL && options->letters && r.len > 14
          && memcmp (message->path + r.len - 14, "/janus.message", 14) == 0
          && janus_net_path_agent_id (message->path, &receiver, &rest)
          && strcmp (rest, "/janus.message") == 0)
        {
          const char *start = r.p;

          if (read_letter (&r, &message->letter))
            {
              message->is_letter = TRUE;
              message->receiver_id = receiver;
              goto end_of_request;
            }
          /* not the usual shape: read it again as any request */
          janus_wire_letter_clear (&message->letter);
          g_clear_error (error);
          r.p = start;
        }
      if ((node = read_value (&r, 2)) == NULL)
        goto out;
      if (!JSON_NODE_HOLDS_ARRAY (node))
        {
          json_node_unref (node);
          g_set_error_literal (error, JANUS_NET_ERROR, JANUS_NET_ERROR_PROTOCOL,
                               "A request's args are a list");
          goto out;
        }
      message->args = json_array_ref (json_node_get_array (node));
      json_node_unref (node);
      if (!expect_char (&r, ','))
        goto out;
      skip_space (&r);
      empty = FALSE;
      if (r.p < r.end && *r.p == '{')
        {
          const char *save = r.p++;
          skip_space (&r);
          empty = r.p < r.end && *r.p == '}';
          r.p = empty ? r.p + 1 : save;
        }
      if (!empty)
        {
          if ((node = read_value (&r, 2)) == NULL)
            goto out;
          if (!JSON_NODE_HOLDS_OBJECT (node))
            {
              json_node_unref (node);
              g_set_error_literal (error, JANUS_NET_ERROR, JANUS_NET_ERROR_PROTOCOL,
                                   "A request's kwargs are an object");
              goto out;
            }
          message->kwargs = json_object_ref (json_node_get_object (node));
          json_node_unref (node);
        }
    end_of_request:
      if (!expect_char (&r, ']'))
        goto out;
    }
  if (!expect_char (&r, ']'))
    goto out;
  skip_space (&r);
  if (r.p != r.end)
    {
      fail (&r, "extra data after the document");
      goto out;
    }
  ok = TRUE;

out:
  if (r.scratch != NULL)
    g_string_free (r.scratch, TRUE);
  if (!ok)
    janus_wire_message_clear (message);
  return ok;
}

/**
 * janus_json_from_data:
 * @data: (array length=length) (element-type guint8): JSON text, UTF-8
 * @length: the length of @data in bytes, or -1 if it is NUL-terminated
 * @error: return location for a #GError
 *
 * Reads one JSON document as Python's `json.loads` does (see the section
 * above): `NaN` and `±Infinity` accepted, integers kept exact over the
 * 64-bit range (beyond it an error), numbers with a fraction or exponent as
 * doubles, `\u0000` kept (as `C0 80` in the node's strings), surrogate
 * pairs joined. Nesting is limited to 512 levels.
 *
 * Returns: (transfer full) (nullable): the document, or %NULL with
 *   %JANUS_NET_ERROR_CODEC
 */
JsonNode *
janus_json_from_data (const char  *data,
                      gssize       length,
                      GError     **error)
{
  g_return_val_if_fail (data != NULL || length == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return janus_json_read (data, length < 0 ? strlen (data) : (gsize) length, NULL, error);
}

/* ------------------------------------------------------- from GVariant */

static JsonNode *variant_to_node (GVariant *v, guint depth, GError **error);

/* A dictionary key as a JSON member name (Python's json.dumps stringifies
 * int, float and bool keys the same way). */
static char *
key_to_name (GVariant  *key,
             GError   **error)
{
  g_autoptr(JsonNode) node = variant_to_node (key, 0, error);
  g_autoptr(GString) out = NULL;

  if (node == NULL)
    return NULL;
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    return g_strdup (json_node_get_string (node));
  out = g_string_new (NULL);
  if (!janus_json_write (out, node, error))
    return NULL;
  return g_strdup (out->str);
}

static JsonNode *
dict_to_node (GVariant  *v,
              guint      depth,
              GError   **error)
{
  JsonObject *object = json_object_new ();
  JsonNode *node = json_node_init_object (json_node_alloc (), object);
  GVariantIter iter;
  GVariant *entry;

  json_object_unref (object);
  g_variant_iter_init (&iter, v);
  while ((entry = g_variant_iter_next_value (&iter)) != NULL)
    {
      g_autoptr(GVariant) key = g_variant_get_child_value (entry, 0);
      g_autoptr(GVariant) value = g_variant_get_child_value (entry, 1);
      g_autofree char *name = key_to_name (key, error);
      JsonNode *member = name ? variant_to_node (value, depth + 1, error) : NULL;

      g_variant_unref (entry);
      if (member == NULL)
        {
          json_node_unref (node);
          return NULL;
        }
      json_object_set_member (object, name, member);
    }
  return node;
}

static JsonNode *
container_to_node (GVariant  *v,
                   guint      depth,
                   GError   **error)
{
  JsonArray *array = json_array_sized_new (g_variant_n_children (v));
  JsonNode *node = json_node_init_array (json_node_alloc (), array);
  GVariantIter iter;
  GVariant *child;

  json_array_unref (array);
  g_variant_iter_init (&iter, v);
  while ((child = g_variant_iter_next_value (&iter)) != NULL)
    {
      JsonNode *element = variant_to_node (child, depth + 1, error);
      g_variant_unref (child);
      if (element == NULL)
        {
          json_node_unref (node);
          return NULL;
        }
      json_array_add_element (array, element);
    }
  return node;
}

static JsonNode *
variant_to_node (GVariant  *v,
                 guint      depth,
                 GError   **error)
{
  const GVariantType *type = g_variant_get_type (v);
  guint64 u;

  if (depth >= JANUS_JSON_MAX_DEPTH)
    {
      g_set_error (error, JANUS_NET_ERROR, JANUS_NET_ERROR_CODEC,
                   "The value nests deeper than %u levels", JANUS_JSON_MAX_DEPTH);
      return NULL;
    }
  switch (g_variant_classify (v))
    {
    case G_VARIANT_CLASS_BOOLEAN:
      return json_node_init_boolean (json_node_alloc (), g_variant_get_boolean (v));
    case G_VARIANT_CLASS_BYTE:
      return json_node_init_int (json_node_alloc (), g_variant_get_byte (v));
    case G_VARIANT_CLASS_INT16:
      return json_node_init_int (json_node_alloc (), g_variant_get_int16 (v));
    case G_VARIANT_CLASS_UINT16:
      return json_node_init_int (json_node_alloc (), g_variant_get_uint16 (v));
    case G_VARIANT_CLASS_INT32:
      return json_node_init_int (json_node_alloc (), g_variant_get_int32 (v));
    case G_VARIANT_CLASS_UINT32:
      return json_node_init_int (json_node_alloc (), g_variant_get_uint32 (v));
    case G_VARIANT_CLASS_HANDLE:
      return json_node_init_int (json_node_alloc (), g_variant_get_handle (v));
    case G_VARIANT_CLASS_INT64:
      return json_node_init_int (json_node_alloc (), g_variant_get_int64 (v));
    case G_VARIANT_CLASS_UINT64:
      u = g_variant_get_uint64 (v);
      if (u > G_MAXINT64)
        {
          g_set_error (error, JANUS_NET_ERROR, JANUS_NET_ERROR_CODEC,
                       "%" G_GUINT64_FORMAT " is beyond the 64-bit signed range of JSON integers", u);
          return NULL;
        }
      return json_node_init_int (json_node_alloc (), (gint64) u);
    case G_VARIANT_CLASS_DOUBLE:
      return json_node_init_double (json_node_alloc (), g_variant_get_double (v));
    case G_VARIANT_CLASS_STRING:
    case G_VARIANT_CLASS_OBJECT_PATH:
    case G_VARIANT_CLASS_SIGNATURE:
      return json_node_init_string (json_node_alloc (), g_variant_get_string (v, NULL));
    case G_VARIANT_CLASS_VARIANT:
      {
        g_autoptr(GVariant) inner = g_variant_get_variant (v);
        return variant_to_node (inner, depth + 1, error);
      }
    case G_VARIANT_CLASS_MAYBE:
      {
        g_autoptr(GVariant) inner = g_variant_get_maybe (v);
        if (inner == NULL)
          return json_node_init_null (json_node_alloc ());
        return variant_to_node (inner, depth + 1, error);
      }
    case G_VARIANT_CLASS_ARRAY:
      if (g_variant_type_is_dict_entry (g_variant_type_element (type)))
        return dict_to_node (v, depth, error);
      return container_to_node (v, depth, error);
    case G_VARIANT_CLASS_TUPLE:
    case G_VARIANT_CLASS_DICT_ENTRY:
      return container_to_node (v, depth, error);
    default:
      g_assert_not_reached ();
    }
}

/**
 * janus_json_from_variant:
 * @variant: a #GVariant
 * @error: return location for a #GError
 *
 * Converts a #GVariant to JSON: booleans, integers (a `t` beyond the 64-bit
 * signed range is an error), doubles and strings map to their JSON values;
 * tuples and arrays to arrays; dictionaries to objects (keys that are not
 * strings print as JSON, as Python's `json.dumps` does with `int` keys);
 * variants to their content; maybe types to `null` or their content.
 *
 * Returns: (transfer full) (nullable): the JSON value, or %NULL with
 *   %JANUS_NET_ERROR_CODEC
 */
JsonNode *
janus_json_from_variant (GVariant  *variant,
                         GError   **error)
{
  g_return_val_if_fail (variant != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return variant_to_node (variant, 0, error);
}

/* --------------------------------------------------------- to GVariant */

static GVariant *node_to_variant (JsonNode *node, const GVariantType *type,
                                  guint depth, GError **error);

G_GNUC_PRINTF (3, 4)
static GVariant *
mismatch (JsonNode           *node,
          GError            **error,
          const char         *format,
          ...)
{
  g_autofree char *what = NULL;
  va_list args;

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, JANUS_NET_ERROR, JANUS_NET_ERROR_INVALID_ARGUMENTS,
               "Cannot convert a JSON %s to %s",
               node == NULL ? "value" : json_node_type_name (node), what);
  return NULL;
}

static gboolean
holds (JsonNode *node,
       GType     type)
{
  return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == type;
}

/* The natural GVariant of a JSON value: b, x, d, s, mv (null), av, a{sv}. */
static GVariant *
guess_variant (JsonNode  *node,
               guint      depth,
               GError   **error)
{
  GVariantBuilder builder;

  if (depth >= JANUS_JSON_MAX_DEPTH)
    return mismatch (node, error, "a value nesting deeper than %u levels", JANUS_JSON_MAX_DEPTH);
  switch (json_node_get_node_type (node))
    {
    case JSON_NODE_NULL:
      return g_variant_new_maybe (G_VARIANT_TYPE_VARIANT, NULL);
    case JSON_NODE_VALUE:
      switch (json_node_get_value_type (node))
        {
        case G_TYPE_BOOLEAN: return g_variant_new_boolean (json_node_get_boolean (node));
        case G_TYPE_INT64: return g_variant_new_int64 (json_node_get_int (node));
        case G_TYPE_DOUBLE: return g_variant_new_double (json_node_get_double (node));
        default: return node_to_variant (node, G_VARIANT_TYPE_STRING, depth, error);
        }
    case JSON_NODE_ARRAY:
      {
        JsonArray *array = json_node_get_array (node);
        guint i, n = json_array_get_length (array);

        g_variant_builder_init (&builder, G_VARIANT_TYPE ("av"));
        for (i = 0; i < n; i++)
          {
            GVariant *child = guess_variant (json_array_get_element (array, i), depth + 1, error);
            if (child == NULL)
              {
                g_variant_builder_clear (&builder);
                return NULL;
              }
            g_variant_builder_add (&builder, "v", child);
          }
        return g_variant_builder_end (&builder);
      }
    case JSON_NODE_OBJECT:
      {
        JsonObjectIter iter;
        const char *name;
        JsonNode *member;

        g_variant_builder_init (&builder, G_VARIANT_TYPE_VARDICT);
        json_object_iter_init_ordered (&iter, json_node_get_object (node));
        while (json_object_iter_next_ordered (&iter, &name, &member))
          {
            GVariant *child;

            if (!g_utf8_validate (name, -1, NULL))
              {
                g_variant_builder_clear (&builder);
                return mismatch (node, error, "a{sv}: a member name holds U+0000");
              }
            child = guess_variant (member, depth + 1, error);
            if (child == NULL)
              {
                g_variant_builder_clear (&builder);
                return NULL;
              }
            g_variant_builder_add (&builder, "{sv}", name, child);
          }
        return g_variant_builder_end (&builder);
      }
    default:
      g_assert_not_reached ();
    }
}

static GVariant *
to_integer (JsonNode           *node,
            const GVariantType *type,
            GError            **error)
{
  gint64 v, lo, hi;
  char c = *(const char *) type;

  if (!holds (node, G_TYPE_INT64))
    return mismatch (node, error, "“%c” (an integer)", c);
  v = json_node_get_int (node);
  switch (c)
    {
    case 'y': lo = 0; hi = G_MAXUINT8; break;
    case 'n': lo = G_MININT16; hi = G_MAXINT16; break;
    case 'q': lo = 0; hi = G_MAXUINT16; break;
    case 'i': case 'h': lo = G_MININT32; hi = G_MAXINT32; break;
    case 'u': lo = 0; hi = G_MAXUINT32; break;
    case 't': lo = 0; hi = G_MAXINT64; break;
    default: lo = G_MININT64; hi = G_MAXINT64; break;
    }
  if (v < lo || v > hi)
    return mismatch (node, error, "“%c”: %" G_GINT64_FORMAT " is out of its range", c, v);
  switch (c)
    {
    case 'y': return g_variant_new_byte ((guchar) v);
    case 'n': return g_variant_new_int16 ((gint16) v);
    case 'q': return g_variant_new_uint16 ((guint16) v);
    case 'i': return g_variant_new_int32 ((gint32) v);
    case 'h': return g_variant_new_handle ((gint32) v);
    case 'u': return g_variant_new_uint32 ((guint32) v);
    case 't': return g_variant_new_uint64 ((guint64) v);
    default: return g_variant_new_int64 (v);
    }
}

static GVariant *
to_string (JsonNode           *node,
           const GVariantType *type)
{
  const char *s = json_node_get_string (node);

  if (g_variant_type_equal (type, G_VARIANT_TYPE_OBJECT_PATH))
    return g_variant_is_object_path (s) ? g_variant_new_object_path (s) : NULL;
  if (g_variant_type_equal (type, G_VARIANT_TYPE_SIGNATURE))
    return g_variant_is_signature (s) ? g_variant_new_signature (s) : NULL;
  /* C0 80 (U+0000) is not valid UTF-8, which GVariant strings must be */
  return g_utf8_validate (s, -1, NULL) ? g_variant_new_string (s) : NULL;
}

static GVariant *
to_array (JsonNode           *node,
          const GVariantType *type,
          guint               depth,
          GError            **error)
{
  const GVariantType *element = g_variant_type_element (type);
  GVariantBuilder builder;

  if (g_variant_type_is_dict_entry (element))
    {
      JsonObjectIter iter;
      const char *name;
      JsonNode *member;
      const GVariantType *key = g_variant_type_key (element);

      if (!JSON_NODE_HOLDS_OBJECT (node))
        return mismatch (node, error, "a dictionary");
      if (!g_variant_type_equal (key, G_VARIANT_TYPE_STRING))
        return mismatch (node, error, "a dictionary with keys of type “%.*s”",
                         (int) g_variant_type_get_string_length (key),
                         g_variant_type_peek_string (key));
      g_variant_builder_init (&builder, type);
      json_object_iter_init_ordered (&iter, json_node_get_object (node));
      while (json_object_iter_next_ordered (&iter, &name, &member))
        {
          GVariant *value;
          if (!g_utf8_validate (name, -1, NULL))
            {
              g_variant_builder_clear (&builder);
              return mismatch (node, error, "a dictionary: member name with U+0000");
            }
          value = node_to_variant (member, g_variant_type_value (element), depth + 1, error);
          if (value == NULL)
            {
              g_variant_builder_clear (&builder);
              return NULL;
            }
          g_variant_builder_add_value (&builder,
                                       g_variant_new_dict_entry (g_variant_new_string (name), value));
        }
      return g_variant_builder_end (&builder);
    }

  if (!JSON_NODE_HOLDS_ARRAY (node))
    return mismatch (node, error, "an array");
  {
    JsonArray *array = json_node_get_array (node);
    guint i, n = json_array_get_length (array);

    g_variant_builder_init (&builder, type);
    for (i = 0; i < n; i++)
      {
        GVariant *child = node_to_variant (json_array_get_element (array, i), element,
                                           depth + 1, error);
        if (child == NULL)
          {
            g_variant_builder_clear (&builder);
            return NULL;
          }
        g_variant_builder_add_value (&builder, child);
      }
    return g_variant_builder_end (&builder);
  }
}

static GVariant *
to_tuple (JsonNode           *node,
          const GVariantType *type,
          guint               depth,
          GError            **error)
{
  JsonArray *array;
  const GVariantType *item;
  GVariantBuilder builder;
  guint i = 0, n;

  if (!JSON_NODE_HOLDS_ARRAY (node))
    return mismatch (node, error, "a tuple");
  array = json_node_get_array (node);
  n = json_array_get_length (array);
  if (n != g_variant_type_n_items (type))
    return mismatch (node, error, "a tuple of %" G_GSIZE_FORMAT " items (it has %u)",
                     g_variant_type_n_items (type), n);
  g_variant_builder_init (&builder, type);
  for (item = g_variant_type_first (type); item != NULL; item = g_variant_type_next (item))
    {
      GVariant *child = node_to_variant (json_array_get_element (array, i++), item,
                                         depth + 1, error);
      if (child == NULL)
        {
          g_variant_builder_clear (&builder);
          return NULL;
        }
      g_variant_builder_add_value (&builder, child);
    }
  return g_variant_builder_end (&builder);
}

static GVariant *
node_to_variant (JsonNode           *node,
                 const GVariantType *type,
                 guint               depth,
                 GError            **error)
{
  GVariant *v;

  if (depth >= JANUS_JSON_MAX_DEPTH)
    return mismatch (node, error, "a value nesting deeper than %u levels", JANUS_JSON_MAX_DEPTH);
  if (type == NULL || !g_variant_type_is_definite (type))
    return guess_variant (node, depth, error);

  if (g_variant_type_is_maybe (type))
    {
      if (JSON_NODE_HOLDS_NULL (node))
        return g_variant_new_maybe (g_variant_type_element (type), NULL);
      v = node_to_variant (node, g_variant_type_element (type), depth + 1, error);
      return v ? g_variant_new_maybe (NULL, v) : NULL;
    }
  if (g_variant_type_is_variant (type))
    {
      v = guess_variant (node, depth + 1, error);
      return v ? g_variant_new_variant (v) : NULL;
    }
  if (g_variant_type_is_array (type))
    return to_array (node, type, depth, error);
  if (g_variant_type_is_tuple (type) || g_variant_type_is_dict_entry (type))
    return to_tuple (node, type, depth, error);

  switch (*g_variant_type_peek_string (type))
    {
    case 'b':
      if (!holds (node, G_TYPE_BOOLEAN))
        return mismatch (node, error, "“b” (a boolean)");
      return g_variant_new_boolean (json_node_get_boolean (node));
    case 'd':
      if (holds (node, G_TYPE_DOUBLE))
        return g_variant_new_double (json_node_get_double (node));
      if (holds (node, G_TYPE_INT64))
        return g_variant_new_double ((double) json_node_get_int (node));
      return mismatch (node, error, "“d” (a number)");
    case 's':
    case 'o':
    case 'g':
      if (!holds (node, G_TYPE_STRING))
        return mismatch (node, error, "“%c” (a string)", *g_variant_type_peek_string (type));
      v = to_string (node, type);
      if (v == NULL)
        return mismatch (node, error, "“%c”: “%s” is not valid there",
                         *g_variant_type_peek_string (type), json_node_get_string (node));
      return v;
    default:
      return to_integer (node, type, error);
    }
}

/**
 * janus_json_to_variant:
 * @node: a JSON value
 * @type: (nullable): the type to convert to, or %NULL for the natural one
 * @error: return location for a #GError
 *
 * Converts JSON to a #GVariant. Without @type (or with an indefinite one)
 * the natural type is used: `b`, `x` (integers), `d` (doubles), `s`, `mv`
 * (nothing, for `null`), `av` (arrays), `a{sv}` (objects). With a definite
 * @type the value must fit it: integers into any integer type within its
 * range, numbers into `d`, arrays into arrays and tuples (of the same
 * length), objects into dictionaries with string keys, `null` into maybe
 * types. A string holding U+0000 has no #GVariant form.
 *
 * Returns: (transfer full) (nullable): a new (non-floating) #GVariant, or
 *   %NULL with %JANUS_NET_ERROR_INVALID_ARGUMENTS (or
 *   %JANUS_NET_ERROR_CODEC) set
 */
GVariant *
janus_json_to_variant (JsonNode            *node,
                       const GVariantType  *type,
                       GError             **error)
{
  GVariant *v;

  g_return_val_if_fail (node != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  v = node_to_variant (node, type, 0, error);
  return v ? g_variant_ref_sink (v) : NULL;
}
