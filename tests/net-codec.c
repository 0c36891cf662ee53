/* SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * JanusCodec, JSON and MessagePack: round trips of every value type and of
 * random documents, MessagePack's exact bytes, hostile MessagePack (cut,
 * lying counts, unknown type bytes, deep nesting), `__type__` checks on
 * reading, GObject types by their properties and by custom serializers,
 * agents as proxies, the aiomas message envelope, and misuse.
 */
#include <math.h>
#include <string.h>

#include <janus.h>
#include "janus-codec-private.h"

/* ------------------------------------------------------------ helpers */

static gboolean
nodes_equal (JsonNode *a,
             JsonNode *b)
{
  if (json_node_get_node_type (a) != json_node_get_node_type (b))
    return FALSE;
  switch (json_node_get_node_type (a))
    {
    case JSON_NODE_NULL:
      return TRUE;
    case JSON_NODE_VALUE:
      if (json_node_get_value_type (a) != json_node_get_value_type (b))
        return FALSE;
      switch (json_node_get_value_type (a))
        {
        case G_TYPE_INT64: return json_node_get_int (a) == json_node_get_int (b);
        case G_TYPE_BOOLEAN: return json_node_get_boolean (a) == json_node_get_boolean (b);
        case G_TYPE_STRING: return strcmp (json_node_get_string (a), json_node_get_string (b)) == 0;
        default:
          {
            double x = json_node_get_double (a), y = json_node_get_double (b);
            return (isnan (x) && isnan (y)) || memcmp (&x, &y, sizeof x) == 0;
          }
        }
    case JSON_NODE_ARRAY:
      {
        JsonArray *x = json_node_get_array (a), *y = json_node_get_array (b);
        if (json_array_get_length (x) != json_array_get_length (y))
          return FALSE;
        for (guint i = 0; i < json_array_get_length (x); i++)
          if (!nodes_equal (json_array_get_element (x, i), json_array_get_element (y, i)))
            return FALSE;
        return TRUE;
      }
    case JSON_NODE_OBJECT:
      {
        JsonObjectIter i, j;
        const char *n1, *n2;
        JsonNode *m1, *m2;
        if (json_object_get_size (json_node_get_object (a)) != json_object_get_size (json_node_get_object (b)))
          return FALSE;
        json_object_iter_init_ordered (&i, json_node_get_object (a));
        json_object_iter_init_ordered (&j, json_node_get_object (b));
        while (json_object_iter_next_ordered (&i, &n1, &m1))
          if (!json_object_iter_next_ordered (&j, &n2, &m2) || strcmp (n1, n2) != 0
              || !nodes_equal (m1, m2))
            return FALSE;
        return TRUE;
      }
    }
  return FALSE;
}

static JsonNode *
parse (const char *text)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = janus_json_from_data (text, -1, &error);

  g_assert_no_error (error);
  return node;
}

static JsonNode *
roundtrip (JanusCodec *codec,
           JsonNode   *node)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = janus_codec_encode (codec, node, &error);
  JsonNode *back;

  g_assert_no_error (error);
  back = janus_codec_decode (codec, bytes, &error);
  g_assert_no_error (error);
  return back;
}

static void
assert_decode_fails (JanusCodec *codec,
                     const void *data,
                     gsize       len)
{
  g_autoptr(GBytes) bytes = g_bytes_new (data, len);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = janus_codec_decode (codec, bytes, &error);

  g_assert_null (node);
  g_assert_error (error, JANUS_NET_ERROR, JANUS_NET_ERROR_CODEC);
}

/* -------------------------------------------------------- round trips */

static const char *corpus[] = {
  "null", "true", "false", "0", "1", "-1", "127", "128", "-32", "-33", "255", "256",
  "65535", "65536", "-32768", "-32769", "4294967295", "4294967296",
  "9223372036854775807", "-9223372036854775808",
  "0.0", "-0.0", "0.1", "NaN", "Infinity", "-Infinity", "5e-324", "1.7976931348623157e+308",
  "\"\"", "\"a\\u0000b\"", "\"\\ud83d\\ude00 \\u00e9\"",
  "[]", "{}", "[[], {}, [[]]]", "{\"\\u0000\": 1, \"a\": {\"b\": [1, 2.5, \"c\"]}}",
  "[0, 7, [\"agents/0/echo\", [1, \"two\", 3.0], {\"k\": null}]]",
};

static void
test_corpus (gconstpointer data)
{
  g_autoptr(JanusCodec) codec = janus_codec_new (GPOINTER_TO_INT (data));

  for (guint i = 0; i < G_N_ELEMENTS (corpus); i++)
    {
      g_autoptr(JsonNode) node = parse (corpus[i]);
      g_autoptr(JsonNode) back = roundtrip (codec, node);
      if (!nodes_equal (node, back))
        g_error ("%s does not round-trip", corpus[i]);
    }
}

static JsonNode *
random_node (GRand *rand,
             guint  depth)
{
  static const gunichar chars[] = { 'a', 'Z', ' ', '"', '\\', '\n', 0, 0x7F, 0xE9, 0x20AC,
                                    0xFFFD, 0x1F600, 0x10FFFF, 0x1D11E };
  guint kind = g_rand_int_range (rand, 0, depth > 0 ? 8 : 6);
  guint64 bits;
  double d;

  switch (kind)
    {
    case 0:
      return json_node_init_null (json_node_alloc ());
    case 1:
      return json_node_init_boolean (json_node_alloc (), g_rand_boolean (rand));
    case 2:
      bits = (guint64) g_rand_int (rand) << 32 | g_rand_int (rand);
      /* small, byte-sized and full-width values */
      switch (g_rand_int_range (rand, 0, 3))
        {
        case 0: return json_node_init_int (json_node_alloc (), (gint8) bits);
        case 1: return json_node_init_int (json_node_alloc (), (gint32) bits);
        default: return json_node_init_int (json_node_alloc (), (gint64) bits);
        }
    case 3:
      bits = (guint64) g_rand_int (rand) << 32 | g_rand_int (rand);
      memcpy (&d, &bits, sizeof d);
      return json_node_init_double (json_node_alloc (), d);
    case 4:
    case 5:
      {
        g_autoptr(GString) s = g_string_new (NULL);
        guint n = g_rand_int_range (rand, 0, 12);
        for (guint i = 0; i < n; i++)
          {
            gunichar c = chars[g_rand_int_range (rand, 0, G_N_ELEMENTS (chars))];
            if (c == 0)
              g_string_append (s, "\xC0\x80");
            else
              g_string_append_unichar (s, c);
          }
        return json_node_init_string (json_node_alloc (), s->str);
      }
    case 6:
      {
        JsonArray *a = json_array_new ();
        guint n = g_rand_int_range (rand, 0, 6);
        for (guint i = 0; i < n; i++)
          json_array_add_element (a, random_node (rand, depth - 1));
        JsonNode *node = json_node_new (JSON_NODE_ARRAY);
        json_node_take_array (node, a);
        return node;
      }
    default:
      {
        JsonObject *o = json_object_new ();
        guint n = g_rand_int_range (rand, 0, 6);
        for (guint i = 0; i < n; i++)
          {
            g_autofree char *name = g_strdup_printf ("k%u\xC0\x80%u", i, g_rand_int_range (rand, 0, 3));
            json_object_set_member (o, name, random_node (rand, depth - 1));
          }
        JsonNode *node = json_node_new (JSON_NODE_OBJECT);
        json_node_take_object (node, o);
        return node;
      }
    }
}

static void
test_random (gconstpointer data)
{
  g_autoptr(JanusCodec) codec = janus_codec_new (GPOINTER_TO_INT (data));
  g_autoptr(GRand) rand = g_rand_new_with_seed (g_test_rand_int ());
  guint n = g_getenv ("JANUS_TEST_SMALL") ? 2000 : 20000;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(JsonNode) node = random_node (rand, 6);
      g_autoptr(JsonNode) back = NULL;

      back = roundtrip (codec, node);
      if (!nodes_equal (node, back))
        {
          g_autofree char *text = janus_json_to_data (node, NULL, NULL);
          g_error ("random document %u does not round-trip: %s", i, text);
        }
    }
}

static void
test_nesting (gconstpointer data)
{
  g_autoptr(JanusCodec) codec = janus_codec_new (GPOINTER_TO_INT (data));
  g_autoptr(GString) deep = g_string_new (NULL);
  g_autoptr(JsonNode) node = NULL, back = NULL;

  for (guint i = 0; i < 64; i++)
    g_string_append (deep, "[1, ");
  g_string_append (deep, "{}");
  for (guint i = 0; i < 64; i++)
    g_string_append_c (deep, ']');
  node = parse (deep->str);
  back = roundtrip (codec, node);
  g_assert_true (nodes_equal (node, back));
}

/* ------------------------------------------------------- MessagePack */

static void
test_msgpack_bytes (void)
{
  g_autoptr(JanusCodec) codec = janus_codec_new (JANUS_CODEC_FORMAT_MSGPACK);
  static const struct { const char *json; const char *hex; } cases[] = {
    { "[1, \"a\"]", "9201a161" },
    { "null", "c0" }, { "true", "c3" }, { "false", "c2" },
    { "-1", "ff" }, { "-33", "d0df" }, { "200", "ccc8" }, { "70000", "ce00011170" },
    { "-9223372036854775808", "d38000000000000000" },
    { "1.5", "cb3ff8000000000000" },
    { "{\"a\": []}", "81a16190" },
    { "\"a\\u0000b\"", "a3610062" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(JsonNode) node = parse (cases[i].json);
      g_autoptr(GBytes) bytes = janus_codec_encode (codec, node, NULL);
      gsize len;
      const guchar *p = g_bytes_get_data (bytes, &len);
      g_autoptr(GString) hex = g_string_new (NULL);

      for (gsize j = 0; j < len; j++)
        g_string_append_printf (hex, "%02x", p[j]);
      g_assert_cmpstr (hex->str, ==, cases[i].hex);
    }
}

static void
test_msgpack_read_forms (void)
{
  g_autoptr(JanusCodec) codec = janus_codec_new (JANUS_CODEC_FORMAT_MSGPACK);
  /* forms Python's msgpack may send that janus-c does not write: float 32,
   * uint 64 within range, str 8, bin (UTF-8), map 16, array 16 */
  static const struct { const char *bytes; gsize len; const char *json; } cases[] = {
    { "\xca\x3f\xc0\x00\x00", 5, "1.5" },
    { "\xcf\x7f\xff\xff\xff\xff\xff\xff\xff", 9, "9223372036854775807" },
    { "\xd9\x02hi", 4, "\"hi\"" },
    { "\xc4\x02hi", 4, "\"hi\"" },
    { "\xc4\x03h\x00i", 5, "\"h\\u0000i\"" },
    { "\xde\x00\x01\xa1k\x01", 6, "{\"k\": 1}" },
    { "\xdc\x00\x02\x01\x02", 5, "[1, 2]" },
    { "\xd1\xff\x00", 3, "-256" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (cases[i].bytes, cases[i].len);
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) node = janus_codec_decode (codec, bytes, &error);
      g_autofree char *text = NULL;

      g_assert_no_error (error);
      text = janus_json_to_data (node, NULL, NULL);
      g_assert_cmpstr (text, ==, cases[i].json);
    }
}

static void
test_msgpack_hostile (void)
{
  g_autoptr(JanusCodec) codec = janus_codec_new (JANUS_CODEC_FORMAT_MSGPACK);
  static const struct { const char *bytes; gsize len; } cases[] = {
    { "", 0 },
    { "\x92\x01", 2 },                                   /* array of 2, one element */
    { "\xdd\xff\xff\xff\xff\x01", 6 },                   /* array of 4 billion */
    { "\xdf\xff\xff\xff\xff", 5 },                       /* map of 4 billion */
    { "\xdb\xff\xff\xff\xff" "abc", 8 },                 /* str of 4 GiB */
    { "\xc1", 1 },                                       /* never used */
    { "\xd4\x01\x00", 3 },                               /* fixext */
    { "\xc7\x01\x01\x00", 4 },                           /* ext 8 */
    { "\xcf\x80\x00\x00\x00\x00\x00\x00\x00", 9 },       /* uint 64 beyond int64 */
    { "\x81\x01\x02", 3 },                               /* integer key */
    { "\xa2\xff\xfe", 3 },                               /* str, invalid UTF-8 */
    { "\xa2\xc0\x80", 3 },                               /* str, C0 80 */
    { "\xc4\x02\xff\xfe", 4 },                           /* bin, not UTF-8 */
    { "\x01\x02", 2 },                                   /* extra data */
    { "\xcb\x00\x00", 3 },                               /* cut double */
    { "\xd2\x00", 2 },                                   /* cut int 32 */
  };
  g_autoptr(GString) deep = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    assert_decode_fails (codec, cases[i].bytes, cases[i].len);
  for (guint i = 0; i < 100000; i++)
    g_string_append_c (deep, (char) 0x91);
  g_string_append_c (deep, 0x01);
  assert_decode_fails (codec, deep->str, deep->len);
}

/* ------------------------------------------------------------ __type__ */

static void
test_type_checks (gconstpointer data)
{
  g_autoptr(JanusCodec) codec = janus_codec_new (GPOINTER_TO_INT (data));
  g_autoptr(JanusCodec) json = janus_codec_new (JANUS_CODEC_FORMAT_JSON);
  static const char *bad[] = {
    "{\"__type__\": [2, \"agents/1\"]}",                   /* only 0 and 1 exist */
    "{\"__type__\": [-1, 1]}",
    "{\"__type__\": [1]}",
    "{\"__type__\": \"agents/1\"}",
    "{\"__type__\": [1.0, \"agents/1\"]}",
    "{\"__type__\": [1, \"agent/1\"]}",
    "{\"__type__\": [1, \"agents/\"]}",
    "{\"__type__\": [1, \"agents/1x\"]}",
    "{\"__type__\": [1, 5]}",
    "{\"__type__\": [0, 5]}",                               /* dates are strings */
    "[1, {\"a\": {\"__type__\": [7, null]}}]",
  };
  static const char *good[] = {
    "{\"__type__\": [1, \"agents/0\"]}",
    "{\"__type__\": [0, \"2024-01-01T00:00:00+00:00\"]}",
    "{\"x\": {\"__type__\": [1, \"agents/4294967296\"]}}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(JsonNode) node = parse (bad[i]);
      g_autoptr(GBytes) bytes = janus_codec_encode (codec, node, NULL);
      gsize len;
      const void *p = g_bytes_get_data (bytes, &len);
      assert_decode_fails (codec, p, len);
    }
  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(JsonNode) node = parse (good[i]);
      g_autoptr(JsonNode) back = roundtrip (codec, node);
      g_assert_true (nodes_equal (node, back));
    }
}

/* A GObject type with properties of each kind. */
typedef struct { GObject parent_instance; int x; double y; char *label; gboolean flag; } TestPoint;
typedef struct { GObjectClass parent_class; } TestPointClass;
static GType test_point_get_type (void);
G_DEFINE_TYPE (TestPoint, test_point, G_TYPE_OBJECT)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TestPoint, g_object_unref)
enum { P_0, P_X, P_Y, P_LABEL, P_FLAG };

static void
test_point_set_property (GObject *object, guint id, const GValue *value, GParamSpec *pspec)
{
  TestPoint *self = (TestPoint *) object;
  switch (id)
    {
    case P_X: self->x = g_value_get_int (value); break;
    case P_Y: self->y = g_value_get_double (value); break;
    case P_LABEL: g_free (self->label); self->label = g_value_dup_string (value); break;
    case P_FLAG: self->flag = g_value_get_boolean (value); break;
    }
}

static void
test_point_get_property (GObject *object, guint id, GValue *value, GParamSpec *pspec)
{
  TestPoint *self = (TestPoint *) object;
  switch (id)
    {
    case P_X: g_value_set_int (value, self->x); break;
    case P_Y: g_value_set_double (value, self->y); break;
    case P_LABEL: g_value_set_string (value, self->label); break;
    case P_FLAG: g_value_set_boolean (value, self->flag); break;
    }
}

static void
test_point_finalize (GObject *object)
{
  g_free (((TestPoint *) object)->label);
  G_OBJECT_CLASS (test_point_parent_class)->finalize (object);
}

static void
test_point_class_init (TestPointClass *klass)
{
  GObjectClass *oc = G_OBJECT_CLASS (klass);
  oc->set_property = test_point_set_property;
  oc->get_property = test_point_get_property;
  oc->finalize = test_point_finalize;
  g_object_class_install_property (oc, P_X, g_param_spec_int ("x", NULL, NULL, G_MININT, G_MAXINT, 0, G_PARAM_READWRITE));
  g_object_class_install_property (oc, P_Y, g_param_spec_double ("y", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0, G_PARAM_READWRITE));
  g_object_class_install_property (oc, P_LABEL, g_param_spec_string ("label", NULL, NULL, NULL, G_PARAM_READWRITE));
  g_object_class_install_property (oc, P_FLAG, g_param_spec_boolean ("flag", NULL, NULL, FALSE, G_PARAM_READWRITE));
}

static void
test_point_init (TestPoint *self)
{
}

/* A type with its own serializer: [x, label]. */
typedef struct { GObject parent_instance; int x; } TestTag;
typedef struct { GObjectClass parent_class; } TestTagClass;
static GType test_tag_get_type (void);
G_DEFINE_TYPE (TestTag, test_tag, G_TYPE_OBJECT)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TestTag, g_object_unref)
static void test_tag_class_init (TestTagClass *klass) {}
static void test_tag_init (TestTag *self) {}

static int tag_data_freed;

static JsonNode *
tag_serialize (GObject *object, gpointer user_data, GError **error)
{
  g_assert_cmpstr (user_data, ==, "tag-data");
  return json_node_init_int (json_node_alloc (), ((TestTag *) object)->x);
}

static GObject *
tag_deserialize (GType type, JsonNode *data, gpointer user_data, GError **error)
{
  TestTag *tag;

  if (!JSON_NODE_HOLDS_VALUE (data) || json_node_get_value_type (data) != G_TYPE_INT64)
    {
      g_set_error_literal (error, JANUS_NET_ERROR, JANUS_NET_ERROR_CODEC, "a tag is an integer");
      return NULL;
    }
  tag = g_object_new (type, NULL);
  tag->x = (int) json_node_get_int (data);
  return G_OBJECT (tag);
}

static void
tag_data_free (gpointer data)
{
  tag_data_freed++;
}

static void
test_objects (gconstpointer data)
{
  g_autoptr(JanusCodec) codec = janus_codec_new (GPOINTER_TO_INT (data));
  g_autoptr(TestPoint) point = g_object_new (test_point_get_type (), "x", -3, "y", 2.5,
                                             "label", "l\xC0\x80" "b", "flag", TRUE, NULL);
  g_autoptr(TestTag) tag = g_object_new (test_tag_get_type (), NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) pnode = NULL, tnode = NULL, pback = NULL, tback = NULL;
  g_autoptr(GObject) p2 = NULL, t2 = NULL;
  g_autoptr(JsonNode) bad = parse ("{\"__type__\": [2, \"not an integer\"]}");
  g_autoptr(GObject) none = NULL;

  g_assert_cmpuint (janus_codec_get_proxy_type_id (codec), ==, 1);
  g_assert_cmpuint (janus_codec_add_type (codec, test_point_get_type ()), ==, 1);
  g_assert_cmpuint (janus_codec_add_serializer (codec, test_tag_get_type (), tag_serialize,
                                                tag_deserialize, "tag-data", tag_data_free), ==, 2);
  /* agents come after the registered types, as in aiomas */
  g_assert_cmpuint (janus_codec_get_proxy_type_id (codec), ==, 3);

  tag->x = 42;
  pnode = janus_codec_serialize_object (codec, G_OBJECT (point), &error);
  g_assert_no_error (error);
  g_assert_cmpint (janus_codec_get_type_id (pnode), ==, 1);
  tnode = janus_codec_serialize_object (codec, G_OBJECT (tag), &error);
  g_assert_cmpint (janus_codec_get_type_id (tnode), ==, 2);
  {
    g_autofree char *text = janus_json_to_data (tnode, NULL, NULL);
    g_assert_cmpstr (text, ==, "{\"__type__\": [2, 42]}");
  }

  pback = roundtrip (codec, pnode);
  tback = roundtrip (codec, tnode);
  p2 = janus_codec_deserialize_object (codec, pback, &error);
  g_assert_no_error (error);
  g_assert_true (G_TYPE_CHECK_INSTANCE_TYPE (p2, test_point_get_type ()));
  g_assert_cmpint (((TestPoint *) p2)->x, ==, -3);
  g_assert_cmpfloat (((TestPoint *) p2)->y, ==, 2.5);
  g_assert_cmpstr (((TestPoint *) p2)->label, ==, "l\xC0\x80" "b");
  g_assert_true (((TestPoint *) p2)->flag);
  t2 = janus_codec_deserialize_object (codec, tback, &error);
  g_assert_cmpint (((TestTag *) t2)->x, ==, 42);

  none = janus_codec_deserialize_object (codec, bad, &error);
  g_assert_null (none);
  g_assert_error (error, JANUS_NET_ERROR, JANUS_NET_ERROR_CODEC);
  g_clear_error (&error);

  /* an unregistered type, and the proxy id, do not deserialize here */
  {
    g_autoptr(GObject) plain = g_object_new (G_TYPE_OBJECT, NULL);
    g_autoptr(JsonNode) n = janus_codec_serialize_object (codec, plain, &error);
    g_assert_null (n);
    g_assert_error (error, JANUS_NET_ERROR, JANUS_NET_ERROR_CODEC);
    g_clear_error (&error);
  }
  {
    g_autoptr(JsonNode) proxy = parse ("{\"__type__\": [3, \"agents/1\"]}");
    g_autoptr(GObject) o = janus_codec_deserialize_object (codec, proxy, &error);
    g_assert_null (o);
    g_assert_error (error, JANUS_NET_ERROR, JANUS_NET_ERROR_CODEC);
  }
  g_clear_object (&codec);
  g_assert_cmpint (tag_data_freed, >=, 1);
}

typedef struct { JanusAgent parent_instance; } PlainAgent;
typedef struct { JanusAgentClass parent_class; } PlainAgentClass;
static GType plain_agent_get_type (void);
G_DEFINE_TYPE (PlainAgent, plain_agent, JANUS_TYPE_AGENT)
static void plain_agent_class_init (PlainAgentClass *klass) {}
static void plain_agent_init (PlainAgent *self) {}

static void
test_agent_object (void)
{
  g_autoptr(JanusCodec) codec = janus_codec_new (JANUS_CODEC_FORMAT_JSON);
  g_autoptr(JanusKernel) kernel = janus_kernel_new (0);
  g_autoptr(JanusAgent) a = g_object_new (plain_agent_get_type (), NULL);
  g_autoptr(JanusAgent) b = g_object_new (plain_agent_get_type (), NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL, unlaunched = NULL;
  g_autofree char *text = NULL;

  janus_kernel_launch_light_agent (kernel, a, NULL, NULL, NULL);
  node = janus_codec_serialize_object (codec, G_OBJECT (a), &error);
  g_assert_no_error (error);
  text = janus_json_to_data (node, NULL, NULL);
  g_assert_cmpstr (text, ==, "{\"__type__\": [1, \"agents/0\"]}");
  unlaunched = janus_codec_serialize_object (codec, G_OBJECT (b), &error);
  g_assert_null (unlaunched);
  g_assert_error (error, JANUS_NET_ERROR, JANUS_NET_ERROR_CODEC);
  janus_kernel_kill_all (kernel);
  while (janus_kernel_step (kernel))
    ;
}

static void
test_envelope (void)
{
  g_autoptr(JanusCodec) json = janus_codec_new (JANUS_CODEC_FORMAT_JSON);
  g_autoptr(JanusCodec) mp = janus_codec_new (JANUS_CODEC_FORMAT_MSGPACK);
  g_autoptr(JsonNode) args = parse ("[1, \"x\"]");
  g_autoptr(JsonNode) kwargs = parse ("{\"k\": true}");
  g_autoptr(JsonNode) result = parse ("[2.5]");
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(GError) error = NULL;

  g_assert_true (janus_codec_append_request (json, out, 5, "agents/0/echo",
                                             json_node_get_array (args),
                                             json_node_get_object (kwargs), &error));
  g_assert_cmpstr (out->str, ==, "[0, 5, [\"agents/0/echo\", [1, \"x\"], {\"k\": true}]]");
  g_string_truncate (out, 0);
  janus_codec_append_request (json, out, 0, "validate_aid", NULL, NULL, &error);
  g_assert_cmpstr (out->str, ==, "[0, 0, [\"validate_aid\", [], {}]]");
  g_string_truncate (out, 0);
  janus_codec_append_reply (json, out, 1, 9, result, &error);
  g_assert_cmpstr (out->str, ==, "[1, 9, [2.5]]");

  /* the MessagePack envelope reads back as the same document */
  g_string_truncate (out, 0);
  janus_codec_append_request (mp, out, 300, "agents/0/echo", json_node_get_array (args), NULL, &error);
  {
    g_autoptr(JsonNode) back = janus_codec_read (mp, out->str, out->len, &error);
    g_autofree char *text = janus_json_to_data (back, NULL, NULL);
    g_assert_no_error (error);
    g_assert_cmpstr (text, ==, "[0, 300, [\"agents/0/echo\", [1, \"x\"], {}]]");
  }
}

static void
test_frozen (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(JanusCodec) codec = janus_codec_new (JANUS_CODEC_FORMAT_JSON);
      janus_codec_freeze (codec);
      janus_codec_add_type (codec, test_point_get_type ());
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*in use by a network*");
}

static void
test_twice (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(JanusCodec) codec = janus_codec_new (JANUS_CODEC_FORMAT_JSON);
      janus_codec_add_type (codec, test_point_get_type ());
      janus_codec_add_type (codec, test_point_get_type ());
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*registered already*");
}

/* janus.message requests read straight into a letter (the JSON fast path)
 * give the letter their trees give, and fail where the trees fail. */
static void
check_letter (JanusCodec *codec,
              const char *text)
{
  JanusWireMessage fast, slow;
  g_autoptr(GError) fast_error = NULL, slow_error = NULL;
  gboolean fast_ok, slow_ok;
  JanusWireLetter tree;
  const JanusWireLetter *letter;

  fast_ok = janus_codec_read_message (codec, text, strlen (text), TRUE, &fast, &fast_error);
  slow_ok = janus_codec_read_message (codec, text, strlen (text), FALSE, &slow, &slow_error);
  g_test_message ("%s: %s", text, fast_ok ? (fast.is_letter ? "letter" : "trees") : fast_error->message);
  g_assert_cmpint (fast_ok, ==, slow_ok);
  if (!fast_ok)
    {
      g_assert_cmpint (fast_error->code, ==, slow_error->code);
      g_assert_cmpstr (fast_error->message, ==, slow_error->message);
      return;
    }
  g_assert_false (slow.is_letter);
  if (!fast.is_letter)
    {
      janus_wire_message_clear (&fast);
      janus_wire_message_clear (&slow);
      return;
    }
  g_assert_null (fast.args);
  g_assert_null (fast.kwargs);
  g_assert_cmpuint (fast.receiver_id, ==, 3);
  janus_wire_letter_from_tree (slow.args, slow.kwargs, &tree);
  letter = &fast.letter;
  g_assert_cmpint (letter->malformed, ==, tree.malformed);
  g_assert_cmpstr (letter->subject, ==, tree.subject);
  g_assert_true ((letter->body == NULL) == (tree.body == NULL));
  if (letter->body != NULL)
    g_assert_true (nodes_equal (letter->body, tree.body));
  g_assert_cmpstr (letter->type, ==, tree.type);
  g_assert_cmpint (letter->type_invalid, ==, tree.type_invalid);
  g_assert_cmpstr (letter->sender, ==, tree.sender);
  g_assert_cmpint (letter->sender_id, ==, tree.sender_id);
  g_assert_cmpint (letter->priority, ==, tree.priority);
  g_assert_cmpint (letter->has_timestamp, ==, tree.has_timestamp);
  g_assert_cmpint (letter->timestamp, ==, tree.timestamp);
  janus_wire_letter_clear (&tree);
  janus_wire_message_clear (&fast);
  janus_wire_message_clear (&slow);
}

static void
test_letters (void)
{
  g_autoptr(JanusCodec) json = janus_codec_new (JANUS_CODEC_FORMAT_JSON);
  static const char *const requests[] = {
    "[0, 5, [\"agents/3/janus.message\", [\"s\", 42, \"x\"], {\"sender\": \"tcp://127.0.0.1:1/2\", \"priority\": 3, \"timestamp\": 77}]]",
    "[0, 5, [\"agents/3/janus.message\", [\"s\", null, null], {}]]",
    "[0,5,[\"agents/3/janus.message\",[\"s\",{\"a\":[1,2.5,\"\\u00e9\"]},\"a{sv}\"],{\"sender_id\":4}]]",
    " [ 0 , 5 , [ \"agents/3/janus.message\" , [ \"s\\n\\u0000\" , 1 , \"x\" ] , { \"sender_id\" : -1 } ] ] ",
    "[0, 5, [\"agents/3/janus.message\", [\"s\", 1, \"x\"], {\"priority\": \"a\", \"timestamp\": 1.5}]]",
    "[0, 5, [\"agents/3/janus.message\", [\"s\", 1, \"x\"], {\"priority\": 1, \"priority\": 2}]]",
    "[0, 5, [\"agents/3/janus.message\", [\"s\", 1, \"x\"], {\"sender\": \"tcp://a:1/2\", \"sender\": 7}]]",
    "[0, 5, [\"agents/3/janus.message\", [\"s\", 1, \"x\"], {\"zzz\": [1, {\"b\": 2}], \"a_long_member_name_here\": 1, \"sender_id\": 9}]]",
    "[0, 5, [\"agents/3/janus.message\", [\"s\", 1, 5], {}]]",
    "[0, 5, [\"agents/3/janus.message\", [\"s\", 1], {}]]",
    "[0, 5, [\"agents/3/janus.message\", [\"s\"], {}]]",
    "[0, 5, [\"agents/3/janus.message\", [], {}]]",
    "[0, 5, [\"agents/3/janus.message\", [\"s\", 1, \"x\", 4], {}]]",
    "[0, 5, [\"agents/3/janus.message\", [7, 1, \"x\"], {}]]",
    "[0, 5, [\"agents/3/janus.message\", [\"s\", 1, \"x\"], {\"__type__\": [9, 1]}]]",
    "[0, 5, [\"agents/3/janus.message\", [\"s\", {\"__type__\": [9, 1]}, \"x\"], {}]]",
    "[0, 5, [\"agents/3/janus.message\", [\"s\", {\"__type__\": [0, \"2020-01-01\"]}, \"s\"], {}]]",
    "[0, 5, [\"agents/3/janus.message\", [\"s\", [1, 2], \"x\"], {\"sender_id\": 99999999999999999999}]]",
    "[0, 5, [\"agents/3/janus.message\", [\"s\", nul, \"x\"], {}]]",
    "[0, 5, [\"agents/3/janus.message\", [\"s\", 1, \"x\"], {\"a\" 1}]]",
    "[0, 5, [\"agents/3/janus.message\", [\"s\", 1, \"x\"], {}, 4]]",
    "[0, 5, [\"agents/3/janus.message\", [\"s\", 1, \"x\"]]]",
    "[0, 5, [\"agents/3/janus.message\", \"s\", {}]]",
    "[0, 5, [\"agents/3/janus.messages\", [\"s\", 1, \"x\"], {}]]",
    "[0, 5, [\"agents/x/janus.message\", [\"s\", 1, \"x\"], {}]]",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (requests); i++)
    check_letter (json, requests[i]);
}

/* The envelope's id: the whole 64-bit range, nothing beyond. */
static void
test_envelope_ids (void)
{
  g_autoptr(JanusCodec) json = janus_codec_new (JANUS_CODEC_FORMAT_JSON);
  static const struct { const char *text; guint64 id; } good[] = {
    { "[1, 0, null]", 0 },
    { "[1, 999999999999999999, null]", G_GUINT64_CONSTANT (999999999999999999) },
    { "[1, 9223372036854775807, null]", G_MAXINT64 },
    { "[1, 1000000000000000000, null]", G_GUINT64_CONSTANT (1000000000000000000) },
  };
  static const char *const bad[] = {
    "[1, 9223372036854775808, null]", "[1, 9999999999999999999, null]",
    "[1, 18446744073709551616, null]", "[1, 99999999999999999999999, null]",
    "[1, -1, null]", "[1, 01, null]", "[1, 1.0, null]",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (good); i++)
    {
      JanusWireMessage m;
      g_autoptr(GError) error = NULL;

      g_assert_true (janus_codec_read_message (json, good[i].text, strlen (good[i].text), FALSE, &m, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (m.id, ==, good[i].id);
      janus_wire_message_clear (&m);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      JanusWireMessage m;
      g_autoptr(GError) error = NULL;

      g_assert_false (janus_codec_read_message (json, bad[i], strlen (bad[i]), FALSE, &m, &error));
      g_assert_nonnull (error);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  for (int f = 0; f < 2; f++)
    {
      const char *name = f ? "msgpack" : "json";
      gconstpointer format = GINT_TO_POINTER (f ? JANUS_CODEC_FORMAT_MSGPACK : JANUS_CODEC_FORMAT_JSON);
      g_autofree char *p1 = g_strdup_printf ("/net/codec/%s/corpus", name);
      g_autofree char *p2 = g_strdup_printf ("/net/codec/%s/random", name);
      g_autofree char *p3 = g_strdup_printf ("/net/codec/%s/nesting-64", name);
      g_autofree char *p4 = g_strdup_printf ("/net/codec/%s/type-checks", name);
      g_autofree char *p5 = g_strdup_printf ("/net/codec/%s/objects", name);

      g_test_add_data_func (p1, format, test_corpus);
      g_test_add_data_func (p2, format, test_random);
      g_test_add_data_func (p3, format, test_nesting);
      g_test_add_data_func (p4, format, test_type_checks);
      g_test_add_data_func (p5, format, test_objects);
    }
  g_test_add_func ("/net/codec/msgpack/bytes", test_msgpack_bytes);
  g_test_add_func ("/net/codec/msgpack/read-forms", test_msgpack_read_forms);
  g_test_add_func ("/net/codec/msgpack/hostile", test_msgpack_hostile);
  g_test_add_func ("/net/codec/agent-object", test_agent_object);
  g_test_add_func ("/net/codec/envelope", test_envelope);
  g_test_add_func ("/net/codec/letters", test_letters);
  g_test_add_func ("/net/codec/envelope-ids", test_envelope_ids);
  g_test_add_func ("/net/codec/misuse/frozen", test_frozen);
  g_test_add_func ("/net/codec/misuse/twice", test_twice);

  return g_test_run ();
}
