/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "janus-error.h"
#include "janus-memory.h"

/**
 * JanusMemory:
 *
 * A key → value store that an agent (and, later, the roles it plays) uses to
 * keep and share what it knows. Values are [struct@GLib.Variant]s, so they are typed,
 * immutable and can cross threads and languages.
 *
 * Every agent has one, created when first asked for
 * ([method@Janus.Agent.get_memory]): a [class@Janus.BlackboardMemory] unless
 * the agent set another, such as a [class@Janus.PropertyMemory] that shows
 * the agent's own GObject properties as memory.
 *
 * ```c
 * JanusMemory *mem = janus_agent_get_memory (agent);
 * janus_memory_put (mem, "position", g_variant_new ("(ii)", 3, 4), NULL);
 * g_autoptr(GVariant) pos = janus_memory_get (mem, "position");
 * ```
 *
 * Each change emits [signal@Janus.Memory::changed] once, detailed with the
 * key (`changed::position`), after the change is made and with no lock held,
 * then [signal@Janus.Memory::value-changed], which also carries the value
 * the key held before (Janus's `MemoryEvent`).
 *
 * The typed getters ([method@Janus.Memory.get_int64],
 * [method@Janus.Memory.get_double], [method@Janus.Memory.get_boolean],
 * [method@Janus.Memory.dup_string], [method@Janus.Memory.get_typed]) fail
 * with a [struct@GLib.Error] instead of returning a value of another type:
 * `JANUS_MEMORY_ERROR_NO_SUCH_KEY` for an absent key,
 * `JANUS_MEMORY_ERROR_WRONG_TYPE` for a value of another type.
 */

G_DEFINE_INTERFACE (JanusMemory, janus_memory, G_TYPE_OBJECT)

enum {
  CHANGED,
  VALUE_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
janus_memory_default_init (JanusMemoryInterface *iface)
{
  /**
   * JanusMemory::changed:
   * @self: the memory
   * @key: the key that changed
   * @value: (nullable): its new value, or `NULL` if it was removed
   *
   * Emitted once per change (a put, or the removal of a present key),
   * detailed with the key, after the change, on the thread that made it,
   * with no lock held. A [class@Janus.PropertyMemory] follows its object's
   * `notify` rules instead (see there).
   */
  signals[CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_INTERFACE (iface),
                  G_SIGNAL_RUN_LAST | G_SIGNAL_DETAILED,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2,
                  G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE,
                  G_TYPE_VARIANT | G_SIGNAL_TYPE_STATIC_SCOPE);

  /**
   * JanusMemory::value-changed:
   * @self: the memory
   * @key: the key that changed
   * @old_value: (nullable): the value the key held before, or `NULL` if it
   *   was absent (or the memory does not know it)
   * @value: (nullable): its new value, or `NULL` if it was removed
   *
   * Emitted once per change, detailed with the key, right after
   * [signal@Janus.Memory::changed] and with the same guarantees; it also
   * gives the previous value (Janus's `MemoryEvent.getOldValue`).
   */
  signals[VALUE_CHANGED] =
    g_signal_new ("value-changed", G_TYPE_FROM_INTERFACE (iface),
                  G_SIGNAL_RUN_LAST | G_SIGNAL_DETAILED,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 3,
                  G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE,
                  G_TYPE_VARIANT | G_SIGNAL_TYPE_STATIC_SCOPE,
                  G_TYPE_VARIANT | G_SIGNAL_TYPE_STATIC_SCOPE);
}

/**
 * janus_memory_get:
 * @self: a memory
 * @key: a key
 *
 * Reads the value stored under @key.
 *
 * Returns: (transfer full) (nullable): the value stored under @key, or `NULL`
 */
GVariant *
janus_memory_get (JanusMemory *self,
                  const char  *key)
{
  g_return_val_if_fail (JANUS_IS_MEMORY (self), NULL);
  g_return_val_if_fail (key != NULL, NULL);

  return JANUS_MEMORY_GET_IFACE (self)->get (self, key);
}

/**
 * janus_memory_put:
 * @self: a memory
 * @key: a key
 * @value: the value; a floating reference is taken
 * @error: return location for a [struct@GLib.Error]
 *
 * Stores @value under @key, replacing what was there.
 *
 * Returns: `TRUE` if stored; `FALSE` with @error set if the memory refuses it
 *   (a [class@Janus.PropertyMemory] refuses unknown, read-only or
 *   mistyped properties)
 */
gboolean
janus_memory_put (JanusMemory  *self,
                  const char   *key,
                  GVariant     *value,
                  GError      **error)
{
  g_autoptr(GVariant) v = NULL;

  g_return_val_if_fail (JANUS_IS_MEMORY (self), FALSE);
  g_return_val_if_fail (key != NULL, FALSE);
  g_return_val_if_fail (value != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  v = g_variant_ref_sink (value);
  return JANUS_MEMORY_GET_IFACE (self)->put (self, key, v, error);
}

/**
 * janus_memory_remove:
 * @self: a memory
 * @key: a key
 * @error: return location for a [struct@GLib.Error]
 *
 * Removes @key. Removing an absent key succeeds and emits nothing.
 *
 * Returns: `TRUE` on success; `FALSE` with @error set if the memory cannot
 *   remove it (a [class@Janus.PropertyMemory] cannot remove a property)
 */
gboolean
janus_memory_remove (JanusMemory  *self,
                     const char   *key,
                     GError      **error)
{
  g_return_val_if_fail (JANUS_IS_MEMORY (self), FALSE);
  g_return_val_if_fail (key != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return JANUS_MEMORY_GET_IFACE (self)->remove (self, key, error);
}

/**
 * janus_memory_has:
 * @self: a memory
 * @key: a key
 *
 * Tells whether a value is stored under @key.
 *
 * Returns: whether a value is stored under @key
 */
gboolean
janus_memory_has (JanusMemory *self,
                  const char  *key)
{
  g_return_val_if_fail (JANUS_IS_MEMORY (self), FALSE);
  g_return_val_if_fail (key != NULL, FALSE);

  return JANUS_MEMORY_GET_IFACE (self)->has (self, key);
}

/**
 * janus_memory_list_keys:
 * @self: a memory
 *
 * Lists the keys of the memory.
 *
 * Returns: (transfer full) (array zero-terminated=1): the stored keys, sorted
 */
char **
janus_memory_list_keys (JanusMemory *self)
{
  g_return_val_if_fail (JANUS_IS_MEMORY (self), NULL);

  return JANUS_MEMORY_GET_IFACE (self)->list_keys (self);
}

/**
 * janus_memory_emit_changed:
 * @self: a memory
 * @key: the key that changed
 * @value: (nullable): its new value, `NULL` if removed
 *
 * Emits [signal@Janus.Memory::changed] and
 * [signal@Janus.Memory::value-changed] (with no old value) for
 * implementations of the interface that do not know the previous value;
 * the others call [method@Janus.Memory.emit_change]. Call it after the
 * change, with no lock held.
 */
void
janus_memory_emit_changed (JanusMemory *self,
                           const char  *key,
                           GVariant    *value)
{
  g_return_if_fail (JANUS_IS_MEMORY (self));
  g_return_if_fail (key != NULL);

  janus_memory_emit_change (self, key, NULL, value);
}

/**
 * janus_memory_emit_change:
 * @self: a memory
 * @key: the key that changed
 * @old_value: (nullable): the value it held before, `NULL` if absent
 * @value: (nullable): its new value, `NULL` if removed
 *
 * Emits [signal@Janus.Memory::changed], then
 * [signal@Janus.Memory::value-changed], for implementations of the
 * interface. Call it after the change, with no lock held.
 */
void
janus_memory_emit_change (JanusMemory *self,
                          const char  *key,
                          GVariant    *old_value,
                          GVariant    *value)
{
  GQuark detail;

  g_return_if_fail (JANUS_IS_MEMORY (self));
  g_return_if_fail (key != NULL);

  /* try_string: a key nobody connected a detailed handler for has no quark,
   * and interning every key ever written would grow without bound */
  detail = g_quark_try_string (key);
  g_signal_emit (self, signals[CHANGED], detail, key, value);
  g_signal_emit (self, signals[VALUE_CHANGED], detail, key, old_value, value);
}

/* ------------------------------------------------------- typed getters */

/* The value under @key, or NULL with NO_SUCH_KEY. */
static GVariant *
get_present (JanusMemory  *self,
             const char   *key,
             GError      **error)
{
  GVariant *value = janus_memory_get (self, key);

  if (value == NULL)
    g_set_error (error, JANUS_MEMORY_ERROR, JANUS_MEMORY_ERROR_NO_SUCH_KEY,
                 "The memory has no value under “%s”", key);
  return value;
}

static void
wrong_type (GError     **error,
            const char  *key,
            GVariant    *value,
            const char  *wanted)
{
  g_set_error (error, JANUS_MEMORY_ERROR, JANUS_MEMORY_ERROR_WRONG_TYPE,
               "The value under “%s” is of type “%s”, not %s", key,
               g_variant_get_type_string (value), wanted);
}

/**
 * janus_memory_get_typed:
 * @self: a memory
 * @key: a key
 * @type: the type the value must have (a definite or indefinite type,
 *   such as `G_VARIANT_TYPE_TUPLE`)
 * @error: return location for a [struct@GLib.Error]
 *
 * Reads the value stored under @key, which must be of type @type (Janus's
 * `getMemorizedData(id, type)`).
 *
 * Returns: (transfer full) (nullable): the value, or `NULL` with
 *   `JANUS_MEMORY_ERROR_NO_SUCH_KEY` if @key is absent or
 *   `JANUS_MEMORY_ERROR_WRONG_TYPE` if the value is of another type
 */
GVariant *
janus_memory_get_typed (JanusMemory         *self,
                        const char          *key,
                        const GVariantType  *type,
                        GError             **error)
{
  g_autoptr(GVariant) value = NULL;
  g_autofree char *wanted = NULL;

  g_return_val_if_fail (JANUS_IS_MEMORY (self), NULL);
  g_return_val_if_fail (key != NULL, NULL);
  g_return_val_if_fail (type != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  value = get_present (self, key, error);
  if (value == NULL)
    return NULL;
  if (g_variant_is_of_type (value, type))
    return g_steal_pointer (&value);
  wanted = g_strdup_printf ("“%.*s”", (int) g_variant_type_get_string_length (type),
                            g_variant_type_peek_string (type));
  wrong_type (error, key, value, wanted);
  return NULL;
}

/* An integer of any GVariant integer type that fits in a gint64. */
static gboolean
as_int64 (GVariant *value,
          gint64   *out)
{
  switch (g_variant_classify (value))
    {
    case G_VARIANT_CLASS_BYTE:    *out = g_variant_get_byte (value); return TRUE;
    case G_VARIANT_CLASS_INT16:   *out = g_variant_get_int16 (value); return TRUE;
    case G_VARIANT_CLASS_UINT16:  *out = g_variant_get_uint16 (value); return TRUE;
    case G_VARIANT_CLASS_INT32:   *out = g_variant_get_int32 (value); return TRUE;
    case G_VARIANT_CLASS_UINT32:  *out = g_variant_get_uint32 (value); return TRUE;
    case G_VARIANT_CLASS_INT64:   *out = g_variant_get_int64 (value); return TRUE;
    case G_VARIANT_CLASS_HANDLE:  *out = g_variant_get_handle (value); return TRUE;
    case G_VARIANT_CLASS_UINT64:
      if (g_variant_get_uint64 (value) > G_MAXINT64)
        return FALSE;
      *out = (gint64) g_variant_get_uint64 (value);
      return TRUE;
    default:
      return FALSE;
    }
}

/**
 * janus_memory_get_int64:
 * @self: a memory
 * @key: a key
 * @error: return location for a [struct@GLib.Error]
 *
 * Reads an integer stored under @key: a value of any integer type (`y`,
 * `n`, `q`, `i`, `u`, `x`, `h`, or `t` up to `G_MAXINT64`).
 *
 * Returns: the integer, or 0 with `JANUS_MEMORY_ERROR_NO_SUCH_KEY` or
 *   `JANUS_MEMORY_ERROR_WRONG_TYPE` set
 */
gint64
janus_memory_get_int64 (JanusMemory  *self,
                        const char   *key,
                        GError      **error)
{
  g_autoptr(GVariant) value = NULL;
  gint64 n = 0;

  g_return_val_if_fail (JANUS_IS_MEMORY (self), 0);
  g_return_val_if_fail (key != NULL, 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);

  value = get_present (self, key, error);
  if (value != NULL && !as_int64 (value, &n))
    {
      wrong_type (error, key, value, "an integer that fits in 64 signed bits");
      n = 0;
    }
  return n;
}

/**
 * janus_memory_get_double:
 * @self: a memory
 * @key: a key
 * @error: return location for a [struct@GLib.Error]
 *
 * Reads a floating-point number (`d`) stored under @key.
 *
 * Returns: the number, or 0 with `JANUS_MEMORY_ERROR_NO_SUCH_KEY` or
 *   `JANUS_MEMORY_ERROR_WRONG_TYPE` set
 */
double
janus_memory_get_double (JanusMemory  *self,
                         const char   *key,
                         GError      **error)
{
  g_autoptr(GVariant) value = NULL;

  g_return_val_if_fail (JANUS_IS_MEMORY (self), 0);
  g_return_val_if_fail (key != NULL, 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);

  value = janus_memory_get_typed (self, key, G_VARIANT_TYPE_DOUBLE, error);
  return value ? g_variant_get_double (value) : 0;
}

/**
 * janus_memory_get_boolean:
 * @self: a memory
 * @key: a key
 * @error: return location for a [struct@GLib.Error]
 *
 * Reads a boolean (`b`) stored under @key.
 *
 * Returns: the boolean, or `FALSE` with `JANUS_MEMORY_ERROR_NO_SUCH_KEY` or
 *   `JANUS_MEMORY_ERROR_WRONG_TYPE` set
 */
gboolean
janus_memory_get_boolean (JanusMemory  *self,
                          const char   *key,
                          GError      **error)
{
  g_autoptr(GVariant) value = NULL;

  g_return_val_if_fail (JANUS_IS_MEMORY (self), FALSE);
  g_return_val_if_fail (key != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  value = janus_memory_get_typed (self, key, G_VARIANT_TYPE_BOOLEAN, error);
  return value ? g_variant_get_boolean (value) : FALSE;
}

/**
 * janus_memory_dup_string:
 * @self: a memory
 * @key: a key
 * @error: return location for a [struct@GLib.Error]
 *
 * Reads a string (`s`, or an object path `o` or signature `g`) stored
 * under @key.
 *
 * Returns: (transfer full) (nullable): a copy of the string, or `NULL` with
 *   `JANUS_MEMORY_ERROR_NO_SUCH_KEY` or `JANUS_MEMORY_ERROR_WRONG_TYPE` set
 */
char *
janus_memory_dup_string (JanusMemory  *self,
                         const char   *key,
                         GError      **error)
{
  g_autoptr(GVariant) value = NULL;

  g_return_val_if_fail (JANUS_IS_MEMORY (self), NULL);
  g_return_val_if_fail (key != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  value = get_present (self, key, error);
  if (value == NULL)
    return NULL;
  if (!g_variant_is_of_type (value, G_VARIANT_TYPE_STRING)
      && !g_variant_is_of_type (value, G_VARIANT_TYPE_OBJECT_PATH)
      && !g_variant_is_of_type (value, G_VARIANT_TYPE_SIGNATURE))
    {
      wrong_type (error, key, value, "a string");
      return NULL;
    }
  return g_variant_dup_string (value, NULL);
}
