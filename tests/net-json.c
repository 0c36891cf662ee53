/* SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * JSON like Python's json module: every value type, the exact text
 * json.dumps prints (expected strings below were printed by Python 3.11),
 * NaN and ±Infinity, the int64 bounds and beyond, shortest round-tripping
 * doubles (random bit patterns), -0.0, U+0000 and surrogate pairs, deep
 * nesting, big strings and lists, invalid documents, and GVariant
 * conversions.
 */
#include <math.h>
#include <string.h>

#include <janus.h>

static char *
roundtrip_text (const char *text)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = janus_json_from_data (text, -1, &error);
  char *out;

  g_assert_no_error (error);
  g_assert_nonnull (node);
  out = janus_json_to_data (node, NULL, &error);
  g_assert_no_error (error);
  return out;
}

static void
assert_invalid (const char *text,
                gssize      length)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = janus_json_from_data (text, length, &error);

  if (node != NULL)
    g_error ("“%s” should not parse", text);
  g_assert_error (error, JANUS_NET_ERROR, JANUS_NET_ERROR_CODEC);
}

/* ------------------------------------------------------------ scalars */

static void
test_python_text (void)
{
  /* each line: what json.dumps prints; reading and writing it again gives
   * the same text */
  static const char *texts[] = {
    "null", "true", "false", "0", "-1", "9223372036854775807", "-9223372036854775808",
    "\"\"", "\"plain\"",
    "[0.0, -0.0, 0.1, 1e+16, 1000000000000000.0, 1e-05, 0.0001, 5e-324, "
    "1.7976931348623157e+308, 1.2345678901234568e+17, 2.5, 100.0, 0.3333333333333333, "
    "-1.5e-07, NaN, Infinity, -Infinity, 1e+22, 9007199254740992.0, 0.30000000000000004, "
    "9.999999999999999e-05, 1.2345678901234567e+19, 0.0001, 9.999999999999998e+16]",
    "[\"a\\u0000b\", \"\\ud83d\\ude00\", \"\\u00e9\\u007f\\u001f\\\"\\\\/\\n\\r\\t\\b\\f\"]",
    "{\"a\": [1, {}], \"b\": []}",
    "[]", "{}", "[[[]]]", "{\"\": {\"\": null}}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      g_autofree char *out = roundtrip_text (texts[i]);
      g_assert_cmpstr (out, ==, texts[i]);
    }
}

static void
test_reformat (void)
{
  /* input Python accepts, and what json.dumps (json.loads (input)) prints */
  static const struct { const char *in, *out; } cases[] = {
    { " [1,2 , 3]\n", "[1, 2, 3]" },
    { "{\"a\":1,\"b\":{\"c\":[true,false,null]}}", "{\"a\": 1, \"b\": {\"c\": [true, false, null]}}" },
    { "1E5", "100000.0" },
    { "1e400", "Infinity" },
    { "-1e400", "-Infinity" },
    { "1e-400", "0.0" },
    { "-0", "0" },
    { "-0.0", "-0.0" },
    { "0.1e1", "1.0" },
    { "\"\\/\"", "\"/\"" },
    { "\"\xc3\xa9\"", "\"\\u00e9\"" },
    { "\"\xf0\x9f\x98\x80\"", "\"\\ud83d\\ude00\"" },
    { "\"\\uD83D\\uDE00\"", "\"\\ud83d\\ude00\"" },
    { "{\"a\": 1, \"b\": 2, \"a\": 3}", "{\"a\": 3, \"b\": 2}" },
    { "\t\r\n 7 \t", "7" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *out = roundtrip_text (cases[i].in);
      g_assert_cmpstr (out, ==, cases[i].out);
    }
}

static void
test_int_range (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) max = janus_json_from_data ("9223372036854775807", -1, &error);
  g_autoptr(JsonNode) min = janus_json_from_data ("-9223372036854775808", -1, &error);

  g_assert_no_error (error);
  g_assert_cmpint (json_node_get_value_type (max), ==, G_TYPE_INT64);
  g_assert_cmpint (json_node_get_int (max), ==, G_MAXINT64);
  g_assert_cmpint (json_node_get_int (min), ==, G_MININT64);

  /* beyond int64: an error, never a rounded double */
  assert_invalid ("9223372036854775808", -1);
  assert_invalid ("-9223372036854775809", -1);
  assert_invalid ("18446744073709551616", -1);
  assert_invalid ("[1, 100000000000000000000000000000]", -1);
}

static void
test_doubles_special (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = janus_json_from_data ("[NaN, Infinity, -Infinity, -0.0, 0.0, 1.0]", -1, &error);
  JsonArray *a;

  g_assert_no_error (error);
  a = json_node_get_array (node);
  g_assert_true (isnan (json_array_get_double_element (a, 0)));
  g_assert_true (isinf (json_array_get_double_element (a, 1)) && json_array_get_double_element (a, 1) > 0);
  g_assert_true (isinf (json_array_get_double_element (a, 2)) && json_array_get_double_element (a, 2) < 0);
  g_assert_true (signbit (json_array_get_double_element (a, 3)));
  g_assert_false (signbit (json_array_get_double_element (a, 4)));
  /* 1.0 stays a double, 1 an integer */
  g_assert_cmpint (json_node_get_value_type (json_array_get_element (a, 5)), ==, G_TYPE_DOUBLE);

  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *nan = janus_json_format_double (NAN);
      g_autofree char *mz = janus_json_format_double (-0.0);
      g_assert_cmpstr (nan, ==, "NaN");
      g_assert_cmpstr (mz, ==, "-0.0");
    }
}

static guint64
random_bits (void)
{
  return (guint64) g_random_int () << 32 | g_random_int ();
}

static void
test_doubles_random (void)
{
  guint n = g_test_slow () ? 2000000 : g_getenv ("JANUS_TEST_SMALL") ? 20000 : 200000;

  for (guint i = 0; i < n; i++)
    {
      guint64 bits = random_bits (), back_bits;
      double d, back;
      g_autofree char *text = NULL;
      g_autoptr(JsonNode) node = NULL;

      /* a third of them small integers and short decimals, the rest any
       * bit pattern (subnormals, huge exponents) */
      if (i % 3 == 0)
        d = (double) (gint32) g_random_int () / (1 << (i % 20));
      else
        memcpy (&d, &bits, sizeof d);
      if (isnan (d))
        continue;
      text = janus_json_format_double (d);
      node = janus_json_from_data (text, -1, NULL);
      g_assert_nonnull (node);
      if (isinf (d))
        {
          g_assert_true (isinf (json_node_get_double (node)));
          continue;
        }
      /* "1e+16" reads as a double; "100.0" too: never an integer */
      g_assert_cmpint (json_node_get_value_type (node), ==, G_TYPE_DOUBLE);
      back = json_node_get_double (node);
      memcpy (&bits, &d, sizeof bits);
      memcpy (&back_bits, &back, sizeof back_bits);
      if (bits != back_bits)
        g_error ("%.17g printed as %s reads back as %.17g", d, text, back);
      /* shortest: one significant digit less does not read back */
      {
        guint digits = 0;
        char fewer[40];
        for (const char *c = text; *c && *c != 'e'; c++)
          if (g_ascii_isdigit (*c) && (digits > 0 || *c != '0'))
            digits++;
        /* trailing zeros of "100.0" are not significant */
        for (const char *c = strchr (text, 'e') ? strchr (text, 'e') : text + strlen (text);
             c > text && (c[-1] == '0' || c[-1] == '.') && digits > 1; c--)
          if (c[-1] == '0')
            digits--;
        if (digits > 1)
          {
            g_snprintf (fewer, sizeof fewer, "%.*e", digits - 2, d);
            g_assert_true (g_ascii_strtod (fewer, NULL) != d);
          }
      }
    }
}

static void
test_doubles_shortest (void)
{
  static const struct { double d; const char *text; } cases[] = {
    { 0.1, "0.1" }, { 0.2 + 0.1, "0.30000000000000004" }, { 1.0 / 3, "0.3333333333333333" },
    { 5e-324, "5e-324" }, { 2.2250738585072014e-308, "2.2250738585072014e-308" },
    { 1e23, "1e+23" }, { 123.456, "123.456" }, { -1e-7, "-1e-07" }, { 1e16, "1e+16" },
    { 9999999999999998.0, "9999999999999998.0" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = janus_json_format_double (cases[i].d);
      g_assert_cmpstr (text, ==, cases[i].text);
    }
}

/* ------------------------------------------------------------ strings */

static void
test_nul_kept (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = janus_json_from_data ("\"a\\u0000b\\u0000\"", -1, &error);
  g_autofree char *text = NULL;
  g_autoptr(JsonNode) built = json_node_init_string (json_node_alloc (), "x\xC0\x80y");

  g_assert_no_error (error);
  /* held whole, U+0000 as C0 80 */
  g_assert_cmpstr (json_node_get_string (node), ==, "a\xC0\x80" "b\xC0\x80");
  text = janus_json_to_data (node, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (text, ==, "\"a\\u0000b\\u0000\"");
  g_clear_pointer (&text, g_free);
  text = janus_json_to_data (built, NULL, &error);
  g_assert_cmpstr (text, ==, "\"x\\u0000y\"");
  /* a raw C0 80 on the wire is invalid UTF-8, as in Python */
  assert_invalid ("\"a\xC0\x80\"", -1);
}

static void
test_surrogates (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = janus_json_from_data ("\"\\ud834\\udd1e\"", -1, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (json_node_get_string (node), ==, "\xf0\x9d\x84\x9e");   /* U+1D11E */
  assert_invalid ("\"\\ud834\"", -1);             /* lone high */
  assert_invalid ("\"\\udd1e\"", -1);             /* lone low */
  assert_invalid ("\"\\ud834\\u0041\"", -1);      /* high + not low */
  assert_invalid ("\"\\ud834x\"", -1);
}

static void
test_invalid_strings_out (void)
{
  static const char *bad[] = { "\xff", "a\xC3", "\xED\xA0\x80", "\xC0\xAF", "\xF4\x90\x80\x80" };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) node = json_node_init_string (json_node_alloc (), bad[i]);
      g_autofree char *text = janus_json_to_data (node, NULL, &error);

      g_assert_null (text);
      g_assert_error (error, JANUS_NET_ERROR, JANUS_NET_ERROR_CODEC);
    }
}

static void
test_big_string (void)
{
  gsize n = 1024 * 1024;
  g_autofree char *s = g_malloc (n + 1);
  g_autoptr(GString) text = g_string_new ("\"");
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *out = NULL;
  g_autoptr(GError) error = NULL;

  for (gsize i = 0; i < n; i++)
    s[i] = (char) ('a' + i % 26);
  s[n] = '\0';
  g_string_append (text, s);
  g_string_append (text, "\\u0000\"");
  node = janus_json_from_data (text->str, text->len, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (strlen (json_node_get_string (node)), ==, n + 2);
  out = janus_json_to_data (node, NULL, &error);
  g_assert_cmpstr (out, ==, text->str);
}

/* ------------------------------------------------------- containers */

static void
test_nesting (void)
{
  g_autoptr(GString) deep = g_string_new (NULL);
  g_autofree char *out = NULL;
  guint i;

  for (i = 0; i < 64; i++)
    g_string_append (deep, i % 2 ? "[" : "{\"k\": ");
  g_string_append (deep, "1");
  for (i = 64; i-- > 0;)
    g_string_append (deep, i % 2 ? "]" : "}");
  out = roundtrip_text (deep->str);
  g_assert_cmpstr (out, ==, deep->str);

  /* 512 levels read, 513 do not; a hostile 100000 fails early */
  g_string_truncate (deep, 0);
  for (i = 0; i < 512; i++)
    g_string_append_c (deep, '[');
  for (i = 0; i < 512; i++)
    g_string_append_c (deep, ']');
  g_free (roundtrip_text (deep->str));
  g_string_insert_c (deep, 0, '[');
  g_string_append_c (deep, ']');
  assert_invalid (deep->str, -1);
  g_string_truncate (deep, 0);
  for (i = 0; i < 100000; i++)
    g_string_append_c (deep, '[');
  assert_invalid (deep->str, -1);
}

static void
test_nesting_write_limit (void)
{
  g_autoptr(JsonNode) root = json_node_init_array (json_node_alloc (), json_array_new ());
  JsonArray *a = json_node_get_array (root);
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  json_array_unref (a);
  for (guint i = 0; i < 600; i++)
    {
      JsonArray *inner = json_array_new ();
      json_array_add_array_element (a, inner);
      a = inner;
    }
  text = janus_json_to_data (root, NULL, &error);
  g_assert_null (text);
  g_assert_error (error, JANUS_NET_ERROR, JANUS_NET_ERROR_CODEC);
}

static void
test_big_list (void)
{
  g_autoptr(GString) text = g_string_new ("[");
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;

  for (guint i = 0; i < 100000; i++)
    g_string_append_printf (text, "%s%u", i ? ", " : "", i * 7919);
  g_string_append_c (text, ']');
  node = janus_json_from_data (text->str, text->len, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (node)), ==, 100000);
  g_assert_cmpint (json_array_get_int_element (json_node_get_array (node), 99999), ==, 99999 * 7919);
  out = janus_json_to_data (node, NULL, &error);
  g_assert_cmpstr (out, ==, text->str);
}

static void
test_invalid_documents (void)
{
  static const char *bad[] = {
    "", " ", "[", "]", "[1,]", "[,1]", "{\"a\" 1}", "{\"a\":}", "{a: 1}", "{\"a\": 1,}",
    "01", "-01", "1.", ".5", "-", "--1", "+1", "1e", "1e+", "0x10", "tru", "nul", "nan",
    "NAN", "infinity", "-NaN", "+Infinity", "Infinity1", "[1] x", "1 2", "\"abc",
    "\"\\x\"", "\"\\u12\"", "\"\\u12g4\"", "\"tab\there\"", "\"nl\nhere\"", "'single'",
    "[1 2]", "{\"a\": 1 \"b\": 2}", "\"\xff\"", "[\"\xc3\x28\"]", "/* comment */ 1",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    assert_invalid (bad[i], -1);
  /* a NUL byte in the text, and a text cut in the middle */
  assert_invalid ("[1, \0]", 6);
  assert_invalid ("[1, 2]", 4);
}

static void
test_order_and_duplicates (void)
{
  g_autofree char *out = roundtrip_text ("{\"z\": 1, \"a\": 2, \"m\": 3, \"z\": 4}");

  g_assert_cmpstr (out, ==, "{\"z\": 4, \"a\": 2, \"m\": 3}");
}

/* ------------------------------------------------------------ GVariant */

static void
test_variant_natural (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = janus_json_from_data (
    "[null, true, 7, 2.5, \"s\", [1, \"x\"], {\"k\": 1}]", -1, &error);
  g_autoptr(GVariant) v = janus_json_to_variant (node, NULL, &error);
  g_autofree char *printed = NULL;

  g_assert_no_error (error);
  g_assert_cmpstr (g_variant_get_type_string (v), ==, "av");
  printed = g_variant_print (v, TRUE);
  g_assert_cmpstr (printed, ==,
                   "[<@mv nothing>, <true>, <int64 7>, <2.5>, <'s'>, <[<int64 1>, <'x'>]>, <{'k': <int64 1>}>]");
}

static void
test_variant_typed (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = janus_json_from_data ("[\"a\", 3, 4, [1, 2], {\"x\": 1.5}, null, [true, 255]]", -1, &error);
  g_autoptr(GVariant) v = janus_json_to_variant (node, G_VARIANT_TYPE ("(sidaia{sd}ms(by))"), &error);
  g_autoptr(JsonNode) back = NULL;
  g_autofree char *text = NULL;
  const char *s;
  gint32 i;
  double d;

  g_assert_no_error (error);
  g_variant_get_child (v, 0, "&s", &s);
  g_variant_get_child (v, 1, "i", &i);
  g_variant_get_child (v, 2, "d", &d);
  g_assert_cmpstr (s, ==, "a");
  g_assert_cmpint (i, ==, 3);
  g_assert_cmpfloat (d, ==, 4.0);
  back = janus_json_from_variant (v, &error);
  g_assert_no_error (error);
  text = janus_json_to_data (back, NULL, &error);
  g_assert_cmpstr (text, ==, "[\"a\", 3, 4.0, [1, 2], {\"x\": 1.5}, null, [true, 255]]");
}

static void
test_variant_mismatch (void)
{
  static const struct { const char *json, *type; } bad[] = {
    { "[1]", "(ii)" }, { "[1, 2, 3]", "(ii)" }, { "[\"a\"]", "(i)" }, { "[1.5]", "(x)" },
    { "[300]", "(y)" }, { "[-1]", "(u)" }, { "[2147483648]", "(i)" }, { "[1]", "(s)" },
    { "[{\"a\": 1}]", "(a{ss})" }, { "[\"not a path\"]", "(o)" }, { "[null]", "(i)" },
    { "[\"a\\u0000\"]", "(s)" }, { "[[1]]", "(a{sv})" }, { "[true]", "(d)" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) node = janus_json_from_data (bad[i].json, -1, &error);
      g_autoptr(GVariant) v = janus_json_to_variant (node, G_VARIANT_TYPE (bad[i].type), &error);

      if (v != NULL)
        g_error ("%s converted to %s", bad[i].json, bad[i].type);
      g_assert_error (error, JANUS_NET_ERROR, JANUS_NET_ERROR_INVALID_ARGUMENTS);
    }
}

static void
test_variant_from (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) v = g_variant_ref_sink (g_variant_new_parsed (
    "(byte 1, int16 -2, uint16 3, int32 -4, uint32 5, int64 -6, uint64 7, 8.5, 'str', "
    "objectpath '/a', signature 'ai', <'v'>, @ms nothing, just 'j', [1, 2], "
    "{'k': <1>}, {1: 'one'}, {true: 1})"));
  g_autoptr(JsonNode) node = janus_json_from_variant (v, &error);
  g_autofree char *text = janus_json_to_data (node, NULL, &error);
  g_autoptr(GVariant) big = g_variant_ref_sink (g_variant_new_uint64 (G_MAXUINT64));
  g_autoptr(JsonNode) none = NULL;

  g_assert_no_error (error);
  g_assert_cmpstr (text, ==,
                   "[1, -2, 3, -4, 5, -6, 7, 8.5, \"str\", \"/a\", \"ai\", \"v\", null, \"j\", "
                   "[1, 2], {\"k\": 1}, {\"1\": \"one\"}, {\"true\": 1}]");
  none = janus_json_from_variant (big, &error);
  g_assert_null (none);
  g_assert_error (error, JANUS_NET_ERROR, JANUS_NET_ERROR_CODEC);
}

/* Strings are scanned eight bytes at a time: a character that needs work
 * at every place of a word, and at the ends, is still seen. */
static void
test_word_scan (void)
{
  static const struct { const char *in; const char *out; } special[] = {
    { "\"", "\\\"" }, { "\\", "\\\\" }, { "\n", "\\n" }, { "\x7f", "\\u007f" },
    { "\x01", "\\u0001" }, { "\xc3\xa9", "\\u00e9" }, { "\xc0\x80", "\\u0000" },
    { "\xf0\x9f\x98\x80", "\\ud83d\\ude00" },
  };

  for (gsize k = 0; k < G_N_ELEMENTS (special); k++)
    for (gsize len = 1; len <= 24; len++)
      for (gsize pos = 0; pos < len; pos++)
        {
          g_autoptr(GString) in = g_string_new (NULL), expected = g_string_new ("\"");
          g_autoptr(JsonNode) node = NULL, back = NULL;
          g_autoptr(GError) error = NULL;
          g_autofree char *text = NULL;

          for (gsize i = 0; i < len; i++)
            {
              g_string_append (in, i == pos ? special[k].in : "a");
              g_string_append (expected, i == pos ? special[k].out : "a");
            }
          g_string_append_c (expected, '"');
          node = json_node_init_string (json_node_alloc (), in->str);
          text = janus_json_to_data (node, NULL, &error);
          g_assert_no_error (error);
          g_assert_cmpstr (text, ==, expected->str);
          back = janus_json_from_data (text, -1, &error);
          g_assert_no_error (error);
          g_assert_cmpstr (json_node_get_string (back), ==, in->str);
        }
}

/* Integers are written two digits at a time: every length, both signs,
 * the bounds. */
static void
test_int_digits (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  g_autoptr(GArray) values = g_array_new (FALSE, FALSE, sizeof (gint64));
  gint64 edges[] = { 0, G_MAXINT64, G_MININT64, G_MININT64 + 1 };
  guint64 p = 1;

  g_array_append_vals (values, edges, G_N_ELEMENTS (edges));
  for (int k = 0; k < 19; k++, p *= 10)
    for (gint64 d = -1; d <= 1; d++)
      {
        gint64 v = (gint64) p + d;
        gint64 w = -v;
        g_array_append_val (values, v);
        g_array_append_val (values, w);
      }
  for (int i = 0; i < 10000; i++)
    {
      gint64 v = (gint64) (((guint64) g_rand_int (rand) << 32 | g_rand_int (rand)) >> g_rand_int_range (rand, 0, 64));
      gint64 w = -v;
      g_array_append_val (values, v);
      g_array_append_val (values, w);
    }
  for (guint i = 0; i < values->len; i++)
    {
      gint64 v = g_array_index (values, gint64, i);
      g_autoptr(JsonNode) node = json_node_init_int (json_node_alloc (), v);
      g_autofree char *text = janus_json_to_data (node, NULL, NULL);
      g_autofree char *expected = g_strdup_printf ("%" G_GINT64_FORMAT, v);

      g_assert_cmpstr (text, ==, expected);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/net/json/python-text", test_python_text);
  g_test_add_func ("/net/json/reformat", test_reformat);
  g_test_add_func ("/net/json/int-range", test_int_range);
  g_test_add_func ("/net/json/int-digits", test_int_digits);
  g_test_add_func ("/net/json/doubles/special", test_doubles_special);
  g_test_add_func ("/net/json/doubles/random", test_doubles_random);
  g_test_add_func ("/net/json/doubles/shortest", test_doubles_shortest);
  g_test_add_func ("/net/json/strings/nul", test_nul_kept);
  g_test_add_func ("/net/json/strings/surrogates", test_surrogates);
  g_test_add_func ("/net/json/strings/invalid-out", test_invalid_strings_out);
  g_test_add_func ("/net/json/strings/one-mib", test_big_string);
  g_test_add_func ("/net/json/strings/word-scan", test_word_scan);
  g_test_add_func ("/net/json/nesting", test_nesting);
  g_test_add_func ("/net/json/nesting/write-limit", test_nesting_write_limit);
  g_test_add_func ("/net/json/list-100k", test_big_list);
  g_test_add_func ("/net/json/invalid", test_invalid_documents);
  g_test_add_func ("/net/json/order-duplicates", test_order_and_duplicates);
  g_test_add_func ("/net/json/variant/natural", test_variant_natural);
  g_test_add_func ("/net/json/variant/typed", test_variant_typed);
  g_test_add_func ("/net/json/variant/mismatch", test_variant_mismatch);
  g_test_add_func ("/net/json/variant/from", test_variant_from);

  return g_test_run ();
}
