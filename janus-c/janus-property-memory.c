/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <math.h>

#include "janus-address.h"
#include "janus-error.h"
#include "janus-property-memory-private.h"

/**
 * JanusPropertyMemory:
 *
 * An [iface@Janus.Memory] that shows the GObject properties of an object —
 * normally the agent itself — as memory (Janus's `JavaReflectionMemory`).
 * Keys are property names; `my_count` is read as `my-count`.
 *
 * ```c
 * g_autoptr(JanusPropertyMemory) memory = janus_property_memory_new (G_OBJECT (agent));
 * g_autoptr(GError) error = NULL;
 *
 * janus_agent_set_memory (agent, JANUS_MEMORY (memory));
 * if (!janus_memory_put (JANUS_MEMORY (memory), "mailbox-kind",
 *                        g_variant_new_string ("priority"), &error))
 *   g_warning ("%s", error->message);
 * ```
 *
 * Values convert as follows; a property of another type (an object, a
 * pointer, another boxed type) is not in memory: [method@Janus.Memory.get]
 * returns `NULL` for it, [method@Janus.Memory.has] `FALSE` and
 * [method@Janus.Memory.list_keys] leaves it out.
 *
 * | property type | value | also accepted by put |
 * |---|---|---|
 * | `gboolean` | `b` | |
 * | `gchar`, `guchar` | `y` (a `gchar` as its byte) | any integer type, if the value fits |
 * | `gint`, `guint` | `i`, `u` | any integer type, if the value fits |
 * | `glong`, `gint64` | `x` | any integer type, if the value fits |
 * | `gulong`, `guint64` | `t` | any integer type, if the value fits |
 * | `gfloat`, `gdouble` | `d` | any integer type |
 * | string | `s` | `o`, `g` |
 * | enumeration | `s`, the value's nick | its name, or an integer |
 * | flags | `as`, the nicks of the set flags | names, or an integer |
 * | [struct@GLib.Variant] | the variant, of the property's type | |
 * | `GStrv` | `as` | |
 * | [struct@Janus.Address] | `s`, as [method@Janus.Address.to_string] writes it | |
 *
 * A property whose value is `NULL` (a string, a [struct@GLib.Variant], a `GStrv`, an
 * address) has no key in memory until it is set, as a removed key would.
 *
 * [method@Janus.Memory.put] sets a writable, not construct-only property
 * with g_object_set_property(); it refuses a value of the wrong type, out of
 * the property's range or refused by its [class@GObject.ParamSpec] with
 * `JANUS_MEMORY_ERROR_INVALID_VALUE`, without a warning. Properties cannot be
 * removed, but removing a key that names no property succeeds.
 *
 * [signal@Janus.Memory::changed] follows the object's
 * [signal@GObject.Object::notify]: it is emitted once per notification of a
 * readable, representable property, whether the property was set through
 * the memory or directly, on the thread that notified, with the value read
 * just after the notification. A property with `G_PARAM_EXPLICIT_NOTIFY`
 * only notifies when it changes, so setting it to its current value emits
 * nothing; other properties notify on every set, equal or not, and
 * g_object_freeze_notify() defers the signal as it defers the notification.
 * [signal@Janus.Memory::value-changed] follows it with the value the
 * memory saw last for the property: read when the memory was made, then at
 * each notification.
 *
 * The memory keeps only a weak reference to the object (the agent owns its
 * memory, so a strong one would be a cycle): once the object is finalized,
 * the memory is empty, put fails with `JANUS_MEMORY_ERROR_GONE` and nothing is
 * emitted any more.
 *
 * The memory is as thread safe as the object's properties: GObject
 * properties are normally read and written from the agent's own thread,
 * and so should this memory be. [method@Janus.PropertyMemory.dup_object]
 * is MT safe.
 */

struct _JanusPropertyMemory
{
  GObject   parent_instance;

  /* MT safe by itself; cleared by GObject before the object's dispose. */
  GWeakRef  object;
  /* Set in constructed(), cleared in dispose(), on the owner's thread. */
  gulong    notify_id;
  /* The value each exposed property had at the last notification (or at
   * construction), for value-changed's old value. */
  GMutex      lock;
  GHashTable *last;             /* char* -> GVariant* */
};

enum {
  PROP_0,
  PROP_OBJECT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void janus_property_memory_iface_init (JanusMemoryInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (JanusPropertyMemory, janus_property_memory, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (JANUS_TYPE_MEMORY,
                                                      janus_property_memory_iface_init))

/* Why put refused a value; each maps to one error message. */
typedef enum {
  CONVERT_OK,
  CONVERT_WRONG_TYPE,
  CONVERT_OUT_OF_RANGE,
  CONVERT_NO_SUCH_VALUE,
  CONVERT_BAD_ADDRESS,
} Conversion;

/* An integer from any of GVariant's integer types, kept exactly. */
typedef struct {
  gboolean is_signed;
  gint64   s;             /* when is_signed */
  guint64  u;             /* otherwise */
} Integer;

/* ---------------------------------------------------------- properties */

static GParamSpec *
find_property (GObject    *object,
               const char *key)
{
  g_autofree char *name = g_strdelimit (g_strdup (key), "_", '-');

  if (!g_param_spec_is_valid_name (name))
    return NULL;
  return g_object_class_find_property (G_OBJECT_GET_CLASS (object), name);
}

/* The type a property's values have in memory, or NULL if none. */
static const GVariantType *
memory_type (GParamSpec *pspec)
{
  GType type = pspec->value_type;

  switch (G_TYPE_FUNDAMENTAL (type))
    {
    case G_TYPE_BOOLEAN:
      return G_VARIANT_TYPE_BOOLEAN;
    case G_TYPE_CHAR:
    case G_TYPE_UCHAR:
      return G_VARIANT_TYPE_BYTE;
    case G_TYPE_INT:
      return G_VARIANT_TYPE_INT32;
    case G_TYPE_UINT:
      return G_VARIANT_TYPE_UINT32;
    case G_TYPE_LONG:
    case G_TYPE_INT64:
      return G_VARIANT_TYPE_INT64;
    case G_TYPE_ULONG:
    case G_TYPE_UINT64:
      return G_VARIANT_TYPE_UINT64;
    case G_TYPE_FLOAT:
    case G_TYPE_DOUBLE:
      return G_VARIANT_TYPE_DOUBLE;
    case G_TYPE_STRING:
    case G_TYPE_ENUM:
      return G_VARIANT_TYPE_STRING;
    case G_TYPE_FLAGS:
      return G_VARIANT_TYPE_STRING_ARRAY;
    case G_TYPE_VARIANT:
      return G_PARAM_SPEC_VARIANT (pspec)->type;
    case G_TYPE_BOXED:
      if (type == G_TYPE_STRV)
        return G_VARIANT_TYPE_STRING_ARRAY;
      if (type == JANUS_TYPE_ADDRESS)
        return G_VARIANT_TYPE_STRING;
      return NULL;
    default:
      return NULL;
    }
}

static gboolean
is_exposed (GParamSpec *pspec)
{
  return pspec != NULL
         && (pspec->flags & G_PARAM_READABLE) != 0
         && memory_type (pspec) != NULL;
}

/* ------------------------------------------------------ GValue → GVariant */

static gboolean
strv_is_utf8 (const char * const *strv)
{
  for (; *strv != NULL; strv++)
    if (!g_utf8_validate (*strv, -1, NULL))
      return FALSE;
  return TRUE;
}

static GVariant *
enum_to_variant (GParamSpec   *pspec,
                 const GValue *value)
{
  GEnumValue *ev = g_enum_get_value (G_PARAM_SPEC_ENUM (pspec)->enum_class,
                                     g_value_get_enum (value));

  return ev != NULL ? g_variant_new_string (ev->value_nick) : NULL;
}

static GVariant *
flags_to_variant (GParamSpec   *pspec,
                  const GValue *value)
{
  GFlagsClass *klass = G_PARAM_SPEC_FLAGS (pspec)->flags_class;
  guint flags = g_value_get_flags (value);
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE_STRING_ARRAY);
  while (flags != 0)
    {
      GFlagsValue *fv = g_flags_get_first_value (klass, flags);

      /* Bits outside the class have no nick; the pspec forbids them anyway. */
      if (fv == NULL || fv->value == 0)
        break;
      g_variant_builder_add (&builder, "s", fv->value_nick);
      flags &= ~fv->value;
    }
  return g_variant_builder_end (&builder);
}

static GVariant *
boxed_to_variant (GParamSpec   *pspec,
                  const GValue *value)
{
  gpointer boxed = g_value_get_boxed (value);

  if (boxed == NULL)
    return NULL;
  if (pspec->value_type == G_TYPE_STRV)
    return strv_is_utf8 (boxed) ? g_variant_new_strv (boxed, -1) : NULL;
  return g_variant_new_take_string (janus_address_to_string (boxed));
}

/* Returns a new (non-floating) reference, or NULL for a NULL value. */
static GVariant *
value_to_variant (GParamSpec   *pspec,
                  const GValue *value)
{
  GVariant *v = NULL;
  const char *s;

  switch (G_TYPE_FUNDAMENTAL (pspec->value_type))
    {
    case G_TYPE_BOOLEAN: v = g_variant_new_boolean (g_value_get_boolean (value)); break;
    case G_TYPE_CHAR:    v = g_variant_new_byte ((guchar) g_value_get_schar (value)); break;
    case G_TYPE_UCHAR:   v = g_variant_new_byte (g_value_get_uchar (value)); break;
    case G_TYPE_INT:     v = g_variant_new_int32 (g_value_get_int (value)); break;
    case G_TYPE_UINT:    v = g_variant_new_uint32 (g_value_get_uint (value)); break;
    case G_TYPE_LONG:    v = g_variant_new_int64 (g_value_get_long (value)); break;
    case G_TYPE_ULONG:   v = g_variant_new_uint64 (g_value_get_ulong (value)); break;
    case G_TYPE_INT64:   v = g_variant_new_int64 (g_value_get_int64 (value)); break;
    case G_TYPE_UINT64:  v = g_variant_new_uint64 (g_value_get_uint64 (value)); break;
    case G_TYPE_FLOAT:   v = g_variant_new_double (g_value_get_float (value)); break;
    case G_TYPE_DOUBLE:  v = g_variant_new_double (g_value_get_double (value)); break;
    case G_TYPE_ENUM:    v = enum_to_variant (pspec, value); break;
    case G_TYPE_FLAGS:   v = flags_to_variant (pspec, value); break;
    case G_TYPE_VARIANT: v = g_value_get_variant (value); break;
    case G_TYPE_BOXED:   v = boxed_to_variant (pspec, value); break;
    case G_TYPE_STRING:
      /* A GVariant string must be UTF-8; other bytes are not representable. */
      s = g_value_get_string (value);
      if (s != NULL && g_utf8_validate (s, -1, NULL))
        v = g_variant_new_string (s);
      break;
    default:
      break;
    }
  return v != NULL ? g_variant_ref_sink (v) : NULL;
}

static GVariant *
read_property (GObject    *object,
               GParamSpec *pspec)
{
  g_auto(GValue) value = G_VALUE_INIT;

  g_value_init (&value, pspec->value_type);
  g_object_get_property (object, pspec->name, &value);
  return value_to_variant (pspec, &value);
}

/* For probes (janus-probe.c): the same reading, without a memory. */
gboolean
janus_property_memory_can_read (GParamSpec *pspec)
{
  return is_exposed (pspec);
}

GVariant *
janus_property_memory_read (GObject    *object,
                            GParamSpec *pspec)
{
  return is_exposed (pspec) ? read_property (object, pspec) : NULL;
}

/* ------------------------------------------------------ GVariant → GValue */

static gboolean
variant_get_integer (GVariant *variant,
                     Integer  *n)
{
  switch (g_variant_classify (variant))
    {
    case G_VARIANT_CLASS_BYTE:   *n = (Integer) { FALSE, 0, g_variant_get_byte (variant) }; return TRUE;
    case G_VARIANT_CLASS_INT16:  *n = (Integer) { TRUE, g_variant_get_int16 (variant), 0 }; return TRUE;
    case G_VARIANT_CLASS_UINT16: *n = (Integer) { FALSE, 0, g_variant_get_uint16 (variant) }; return TRUE;
    case G_VARIANT_CLASS_INT32:  *n = (Integer) { TRUE, g_variant_get_int32 (variant), 0 }; return TRUE;
    case G_VARIANT_CLASS_UINT32: *n = (Integer) { FALSE, 0, g_variant_get_uint32 (variant) }; return TRUE;
    case G_VARIANT_CLASS_INT64:  *n = (Integer) { TRUE, g_variant_get_int64 (variant), 0 }; return TRUE;
    case G_VARIANT_CLASS_UINT64: *n = (Integer) { FALSE, 0, g_variant_get_uint64 (variant) }; return TRUE;
    default:
      return FALSE;
    }
}

static gboolean
integer_fits (const Integer *n,
              gint64         min,
              guint64        max)
{
  if (n->is_signed && n->s < 0)
    return n->s >= min;
  return (n->is_signed ? (guint64) n->s : n->u) <= max;
}

static void
integer_range (GType    fundamental,
               gint64  *min,
               guint64 *max)
{
  switch (fundamental)
    {
    case G_TYPE_CHAR:  *min = G_MININT8;  *max = G_MAXINT8;   break;
    case G_TYPE_UCHAR: *min = 0;          *max = G_MAXUINT8;  break;
    case G_TYPE_INT:   *min = G_MININT;   *max = G_MAXINT;    break;
    case G_TYPE_UINT:  *min = 0;          *max = G_MAXUINT;   break;
    case G_TYPE_LONG:  *min = G_MINLONG;  *max = G_MAXLONG;   break;
    case G_TYPE_ULONG: *min = 0;          *max = G_MAXULONG;  break;
    case G_TYPE_INT64: *min = G_MININT64; *max = G_MAXINT64;  break;
    default:           *min = 0;          *max = G_MAXUINT64; break;
    }
}

static Conversion
integer_to_value (GVariant *variant,
                  GValue   *value)
{
  GType fundamental = G_TYPE_FUNDAMENTAL (G_VALUE_TYPE (value));
  Integer n;
  gint64 min, s;
  guint64 max, u;

  /* The inverse of get, which gives a gchar as its byte. */
  if (fundamental == G_TYPE_CHAR && g_variant_is_of_type (variant, G_VARIANT_TYPE_BYTE))
    {
      g_value_set_schar (value, (gint8) g_variant_get_byte (variant));
      return CONVERT_OK;
    }
  if (!variant_get_integer (variant, &n))
    return CONVERT_WRONG_TYPE;
  integer_range (fundamental, &min, &max);
  if (!integer_fits (&n, min, max))
    return CONVERT_OUT_OF_RANGE;

  s = n.is_signed ? n.s : (gint64) n.u;
  u = n.is_signed ? (guint64) n.s : n.u;
  switch (fundamental)
    {
    case G_TYPE_CHAR:  g_value_set_schar (value, (gint8) s); break;
    case G_TYPE_UCHAR: g_value_set_uchar (value, (guchar) u); break;
    case G_TYPE_INT:   g_value_set_int (value, (gint) s); break;
    case G_TYPE_UINT:  g_value_set_uint (value, (guint) u); break;
    case G_TYPE_LONG:  g_value_set_long (value, (glong) s); break;
    case G_TYPE_ULONG: g_value_set_ulong (value, (gulong) u); break;
    case G_TYPE_INT64: g_value_set_int64 (value, s); break;
    default:           g_value_set_uint64 (value, u); break;
    }
  return CONVERT_OK;
}

static Conversion
real_to_value (GVariant *variant,
               GValue   *value)
{
  Integer n;
  double d;

  if (g_variant_is_of_type (variant, G_VARIANT_TYPE_DOUBLE))
    d = g_variant_get_double (variant);
  else if (variant_get_integer (variant, &n))
    d = n.is_signed ? (double) n.s : (double) n.u;
  else
    return CONVERT_WRONG_TYPE;

  if (G_VALUE_HOLDS_DOUBLE (value))
    {
      g_value_set_double (value, d);
      return CONVERT_OK;
    }
  /* Converting a finite double beyond the float range is undefined in C. */
  if (isfinite (d) && (d > G_MAXFLOAT || d < -G_MAXFLOAT))
    return CONVERT_OUT_OF_RANGE;
  g_value_set_float (value, (float) d);
  return CONVERT_OK;
}

static Conversion
string_to_value (GVariant *variant,
                 GValue   *value)
{
  if (!g_variant_is_of_type (variant, G_VARIANT_TYPE_STRING)
      && !g_variant_is_of_type (variant, G_VARIANT_TYPE_OBJECT_PATH)
      && !g_variant_is_of_type (variant, G_VARIANT_TYPE_SIGNATURE))
    return CONVERT_WRONG_TYPE;
  g_value_set_string (value, g_variant_get_string (variant, NULL));
  return CONVERT_OK;
}

static Conversion
enum_to_value (GParamSpec *pspec,
               GVariant   *variant,
               GValue     *value)
{
  GEnumClass *klass = G_PARAM_SPEC_ENUM (pspec)->enum_class;
  GEnumValue *ev = NULL;
  Integer n;

  if (g_variant_is_of_type (variant, G_VARIANT_TYPE_STRING))
    {
      const char *text = g_variant_get_string (variant, NULL);

      ev = g_enum_get_value_by_nick (klass, text);
      if (ev == NULL)
        ev = g_enum_get_value_by_name (klass, text);
    }
  else if (variant_get_integer (variant, &n))
    {
      if (integer_fits (&n, G_MININT, G_MAXINT))
        ev = g_enum_get_value (klass, n.is_signed ? (gint) n.s : (gint) n.u);
    }
  else
    return CONVERT_WRONG_TYPE;

  if (ev == NULL)
    return CONVERT_NO_SUCH_VALUE;
  g_value_set_enum (value, ev->value);
  return CONVERT_OK;
}

static Conversion
flags_to_value (GParamSpec *pspec,
                GVariant   *variant,
                GValue     *value)
{
  GFlagsClass *klass = G_PARAM_SPEC_FLAGS (pspec)->flags_class;
  guint flags = 0;
  Integer n;

  if (g_variant_is_of_type (variant, G_VARIANT_TYPE_STRING_ARRAY))
    {
      g_autofree const char **texts = g_variant_get_strv (variant, NULL);

      for (const char **t = texts; *t != NULL; t++)
        {
          GFlagsValue *fv = g_flags_get_value_by_nick (klass, *t);

          if (fv == NULL)
            fv = g_flags_get_value_by_name (klass, *t);
          if (fv == NULL)
            return CONVERT_NO_SUCH_VALUE;
          flags |= fv->value;
        }
    }
  else if (variant_get_integer (variant, &n))
    {
      if (!integer_fits (&n, 0, G_MAXUINT))
        return CONVERT_OUT_OF_RANGE;
      /* Bits outside the class are left for the pspec to refuse. */
      flags = n.is_signed ? (guint) n.s : (guint) n.u;
    }
  else
    return CONVERT_WRONG_TYPE;

  g_value_set_flags (value, flags);
  return CONVERT_OK;
}

static Conversion
boxed_to_value (GParamSpec *pspec,
                GVariant   *variant,
                GValue     *value)
{
  JanusAddress *address;

  if (!g_variant_is_of_type (variant, memory_type (pspec)))
    return CONVERT_WRONG_TYPE;
  if (pspec->value_type == G_TYPE_STRV)
    {
      g_value_take_boxed (value, g_variant_dup_strv (variant, NULL));
      return CONVERT_OK;
    }
  address = janus_address_parse (g_variant_get_string (variant, NULL), NULL);
  if (address == NULL)
    return CONVERT_BAD_ADDRESS;
  g_value_take_boxed (value, address);
  return CONVERT_OK;
}

static Conversion
convert (GParamSpec *pspec,
         GVariant   *variant,
         GValue     *value)
{
  switch (G_TYPE_FUNDAMENTAL (pspec->value_type))
    {
    case G_TYPE_BOOLEAN:
      if (!g_variant_is_of_type (variant, G_VARIANT_TYPE_BOOLEAN))
        return CONVERT_WRONG_TYPE;
      g_value_set_boolean (value, g_variant_get_boolean (variant));
      return CONVERT_OK;
    case G_TYPE_FLOAT:
    case G_TYPE_DOUBLE:
      return real_to_value (variant, value);
    case G_TYPE_STRING:
      return string_to_value (variant, value);
    case G_TYPE_ENUM:
      return enum_to_value (pspec, variant, value);
    case G_TYPE_FLAGS:
      return flags_to_value (pspec, variant, value);
    case G_TYPE_VARIANT:
      if (!g_variant_is_of_type (variant, memory_type (pspec)))
        return CONVERT_WRONG_TYPE;
      g_value_set_variant (value, variant);
      return CONVERT_OK;
    case G_TYPE_BOXED:
      return boxed_to_value (pspec, variant, value);
    default:
      return integer_to_value (variant, value);
    }
}

/* ---------------------------------------------------------------- errors */

static char *
print_value (GVariant *variant)
{
  g_autofree char *text = g_variant_print (variant, FALSE);
  g_autofree char *head = NULL;

  if (g_utf8_strlen (text, -1) <= 64)
    return g_steal_pointer (&text);
  head = g_utf8_substring (text, 0, 63);
  return g_strconcat (head, "…", NULL);
}

static gboolean
refuse_value (GError     **error,
              GObject     *object,
              GParamSpec  *pspec,
              GVariant    *variant,
              Conversion   why)
{
  g_autofree char *expected = g_variant_type_dup_string (memory_type (pspec));
  g_autofree char *text = print_value (variant);
  const char *reason;
  int code = JANUS_MEMORY_ERROR_INVALID_VALUE;

  switch (why)
    {
    case CONVERT_WRONG_TYPE:    reason = "wrong type"; break;
    case CONVERT_OUT_OF_RANGE:  reason = "out of range"; break;
    case CONVERT_NO_SUCH_VALUE: reason = "no such value"; break;
    case CONVERT_BAD_ADDRESS:
      reason = "not a janus-c address";
      code = JANUS_MEMORY_ERROR_INVALID_VALUE;
      break;
    case CONVERT_OK:
    default:
      reason = "refused by the property";
      break;
    }
  g_set_error (error, JANUS_MEMORY_ERROR, code,
               "Cannot set property “%s” of %s (type “%s”) to %s (type “%s”): %s",
               pspec->name, G_OBJECT_TYPE_NAME (object), expected,
               text, g_variant_get_type_string (variant), reason);
  return FALSE;
}

static gboolean
check_writable (GObject     *object,
                GParamSpec  *pspec,
                const char  *key,
                GError     **error)
{
  const char *type = G_OBJECT_TYPE_NAME (object);

  if (pspec == NULL)
    g_set_error (error, JANUS_MEMORY_ERROR, JANUS_MEMORY_ERROR_NO_SUCH_KEY,
                 "%s has no property “%s”", type, key);
  else if ((pspec->flags & G_PARAM_WRITABLE) == 0)
    g_set_error (error, JANUS_MEMORY_ERROR, JANUS_MEMORY_ERROR_READ_ONLY,
                 "Property “%s” of %s is not writable", pspec->name, type);
  else if ((pspec->flags & G_PARAM_CONSTRUCT_ONLY) != 0)
    g_set_error (error, JANUS_MEMORY_ERROR, JANUS_MEMORY_ERROR_READ_ONLY,
                 "Property “%s” of %s can only be set at construction",
                 pspec->name, type);
  else if (memory_type (pspec) == NULL)
    g_set_error (error, JANUS_MEMORY_ERROR, JANUS_MEMORY_ERROR_UNSUPPORTED,
                 "Property “%s” of %s holds a %s, which memory cannot represent",
                 pspec->name, type, g_type_name (pspec->value_type));
  else
    return TRUE;
  return FALSE;
}

/* ---------------------------------------------------------------- memory */

static GVariant *
property_get (JanusMemory *memory,
              const char  *key)
{
  JanusPropertyMemory *self = JANUS_PROPERTY_MEMORY (memory);
  g_autoptr(GObject) object = g_weak_ref_get (&self->object);
  GParamSpec *pspec;

  if (object == NULL)
    return NULL;
  pspec = find_property (object, key);
  if (!is_exposed (pspec))
    return NULL;
  return read_property (object, pspec);
}

static gboolean
property_put (JanusMemory  *memory,
              const char   *key,
              GVariant     *variant,
              GError      **error)
{
  JanusPropertyMemory *self = JANUS_PROPERTY_MEMORY (memory);
  g_autoptr(GObject) object = g_weak_ref_get (&self->object);
  g_auto(GValue) value = G_VALUE_INIT;
  GParamSpec *pspec;
  Conversion why;

  if (object == NULL)
    {
      g_set_error (error, JANUS_MEMORY_ERROR, JANUS_MEMORY_ERROR_GONE,
                   "Cannot set “%s”: the object of this property memory is gone",
                   key);
      return FALSE;
    }
  pspec = find_property (object, key);
  if (!check_writable (object, pspec, key, error))
    return FALSE;

  g_value_init (&value, pspec->value_type);
  why = convert (pspec, variant, &value);
  if (why != CONVERT_OK)
    return refuse_value (error, object, pspec, variant, why);
  /* g_object_set_property() would only warn about a value the pspec
   * changes (out of its range, say); refuse it here instead. */
  if (g_param_value_validate (pspec, &value))
    return refuse_value (error, object, pspec, variant, CONVERT_OK);

  /* No emission here: the object's notify emits changed (on_object_notify). */
  g_object_set_property (object, pspec->name, &value);
  return TRUE;
}

static gboolean
property_remove (JanusMemory  *memory,
                 const char   *key,
                 GError      **error)
{
  JanusPropertyMemory *self = JANUS_PROPERTY_MEMORY (memory);
  g_autoptr(GObject) object = g_weak_ref_get (&self->object);
  GParamSpec *pspec;

  if (object == NULL)
    return TRUE;
  pspec = find_property (object, key);
  if (pspec == NULL)
    return TRUE;
  g_set_error (error, JANUS_MEMORY_ERROR, JANUS_MEMORY_ERROR_READ_ONLY,
               "Property “%s” of %s cannot be removed from memory",
               pspec->name, G_OBJECT_TYPE_NAME (object));
  return FALSE;
}

static gboolean
property_has (JanusMemory *memory,
              const char  *key)
{
  g_autoptr(GVariant) value = property_get (memory, key);

  return value != NULL;
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return g_strcmp0 (*(char **) a, *(char **) b);
}

static char **
property_list_keys (JanusMemory *memory)
{
  JanusPropertyMemory *self = JANUS_PROPERTY_MEMORY (memory);
  g_autoptr(GObject) object = g_weak_ref_get (&self->object);
  g_autofree GParamSpec **pspecs = NULL;
  GPtrArray *keys = g_ptr_array_new ();
  guint n = 0;

  if (object != NULL)
    pspecs = g_object_class_list_properties (G_OBJECT_GET_CLASS (object), &n);
  for (guint i = 0; i < n; i++)
    {
      GParamSpec *pspec = g_param_spec_get_redirect_target (pspecs[i]);
      g_autoptr(GVariant) value = NULL;

      if (pspec == NULL)
        pspec = pspecs[i];
      if (is_exposed (pspec) && (value = read_property (object, pspec)) != NULL)
        g_ptr_array_add (keys, g_strdup (pspec->name));
    }
  g_ptr_array_sort (keys, compare_strings);
  g_ptr_array_add (keys, NULL);
  return (char **) g_ptr_array_free (keys, FALSE);
}

static void
janus_property_memory_iface_init (JanusMemoryInterface *iface)
{
  iface->get = property_get;
  iface->put = property_put;
  iface->remove = property_remove;
  iface->has = property_has;
  iface->list_keys = property_list_keys;
}

/* ---------------------------------------------------------------- object */

/* Remembers @value (or its absence) as the last value of @key; returns
 * the one it replaces. */
static GVariant *
remember (JanusPropertyMemory *self,
          const char          *key,
          GVariant            *value)
{
  GVariant *old = NULL;
  gpointer stolen_key = NULL;

  g_mutex_lock (&self->lock);
  g_hash_table_steal_extended (self->last, key, &stolen_key, (gpointer *) &old);
  if (value != NULL)
    g_hash_table_insert (self->last, stolen_key ? stolen_key : g_strdup (key),
                         g_variant_ref (value));
  else
    g_free (stolen_key);
  g_mutex_unlock (&self->lock);
  return old;
}

/* GObject emits notify with the redirect target, so pspec names the key. */
static void
on_object_notify (GObject    *object,
                  GParamSpec *pspec,
                  gpointer    user_data)
{
  JanusPropertyMemory *self = user_data;
  g_autoptr(GVariant) value = NULL;
  g_autoptr(GVariant) old = NULL;

  if (!is_exposed (pspec))
    return;
  value = read_property (object, pspec);
  old = remember (self, pspec->name, value);
  janus_memory_emit_change (JANUS_MEMORY (self), pspec->name, old, value);
}

/* The values the properties have now, as the old values of their first
 * notifications. */
static void
remember_all (JanusPropertyMemory *self,
              GObject             *object)
{
  g_autofree GParamSpec **pspecs = NULL;
  guint n = 0;

  pspecs = g_object_class_list_properties (G_OBJECT_GET_CLASS (object), &n);
  for (guint i = 0; i < n; i++)
    {
      GParamSpec *pspec = g_param_spec_get_redirect_target (pspecs[i]);
      g_autoptr(GVariant) value = NULL;
      g_autoptr(GVariant) old = NULL;

      if (pspec == NULL)
        pspec = pspecs[i];
      if (!is_exposed (pspec) || (value = read_property (object, pspec)) == NULL)
        continue;
      old = remember (self, pspec->name, value);
    }
}

/**
 * janus_property_memory_new:
 * @object: the object whose properties the memory shows, normally an agent
 *
 * Creates a memory over the properties of @object. The memory keeps a weak
 * reference to @object, so that @object may own the memory (with
 * [method@Janus.Agent.set_memory]) without a reference cycle.
 *
 * Returns: (transfer full): a new property memory
 */
JanusPropertyMemory *
janus_property_memory_new (GObject *object)
{
  g_return_val_if_fail (G_IS_OBJECT (object), NULL);

  return g_object_new (JANUS_TYPE_PROPERTY_MEMORY, "object", object, NULL);
}

/**
 * janus_property_memory_dup_object:
 * @self: a property memory
 *
 * Gets the object whose properties @self shows, if it is still alive.
 * MT safe.
 *
 * Returns: (transfer full) (nullable): a new reference to the object, or
 *   `NULL` if it was finalized
 */
GObject *
janus_property_memory_dup_object (JanusPropertyMemory *self)
{
  g_return_val_if_fail (JANUS_IS_PROPERTY_MEMORY (self), NULL);

  return g_weak_ref_get (&self->object);
}

static void
janus_property_memory_constructed (GObject *gobject)
{
  JanusPropertyMemory *self = JANUS_PROPERTY_MEMORY (gobject);
  g_autoptr(GObject) object = g_weak_ref_get (&self->object);

  G_OBJECT_CLASS (janus_property_memory_parent_class)->constructed (gobject);

  /* connect_object: should the object outlive us without our dispose
   * reaching it (it was already in its own dispose), the handler still
   * never runs on a finalized memory. */
  if (object != NULL)
    remember_all (self, object);
  if (object != NULL)
    self->notify_id = g_signal_connect_object (object, "notify",
                                               G_CALLBACK (on_object_notify),
                                               self, G_CONNECT_DEFAULT);
}

static void
janus_property_memory_dispose (GObject *gobject)
{
  JanusPropertyMemory *self = JANUS_PROPERTY_MEMORY (gobject);
  g_autoptr(GObject) object = g_weak_ref_get (&self->object);

  /* If the object is gone, its handlers went with it: the id is stale. */
  if (object != NULL)
    g_clear_signal_handler (&self->notify_id, object);
  self->notify_id = 0;
  g_weak_ref_set (&self->object, NULL);

  G_OBJECT_CLASS (janus_property_memory_parent_class)->dispose (gobject);
}

static void
janus_property_memory_finalize (GObject *gobject)
{
  JanusPropertyMemory *self = JANUS_PROPERTY_MEMORY (gobject);

  g_weak_ref_clear (&self->object);
  g_hash_table_unref (self->last);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (janus_property_memory_parent_class)->finalize (gobject);
}

static void
janus_property_memory_get_property (GObject    *gobject,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  JanusPropertyMemory *self = JANUS_PROPERTY_MEMORY (gobject);

  switch (prop_id)
    {
    case PROP_OBJECT:
      g_value_take_object (value, g_weak_ref_get (&self->object));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (gobject, prop_id, pspec);
    }
}

static void
janus_property_memory_set_property (GObject      *gobject,
                                    guint         prop_id,
                                    const GValue *value,
                                    GParamSpec   *pspec)
{
  JanusPropertyMemory *self = JANUS_PROPERTY_MEMORY (gobject);

  switch (prop_id)
    {
    case PROP_OBJECT:
      g_weak_ref_set (&self->object, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (gobject, prop_id, pspec);
    }
}

static void
janus_property_memory_class_init (JanusPropertyMemoryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = janus_property_memory_constructed;
  object_class->dispose = janus_property_memory_dispose;
  object_class->finalize = janus_property_memory_finalize;
  object_class->get_property = janus_property_memory_get_property;
  object_class->set_property = janus_property_memory_set_property;

  /**
   * JanusPropertyMemory:object: (attributes org.gtk.Property.get=janus_property_memory_dup_object)
   *
   * The object whose properties the memory shows, held weakly: `NULL` once
   * it is finalized.
   */
  properties[PROP_OBJECT] =
    g_param_spec_object ("object", NULL, NULL, G_TYPE_OBJECT,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                         G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
janus_property_memory_init (JanusPropertyMemory *self)
{
  g_weak_ref_init (&self->object, NULL);
  g_mutex_init (&self->lock);
  self->last = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                      (GDestroyNotify) g_variant_unref);
}
