/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

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
 * key (`changed::position`), after the change is made and with no lock held.
 */

G_DEFINE_INTERFACE (JanusMemory, janus_memory, G_TYPE_OBJECT)

enum {
  CHANGED,
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
 * Emits [signal@Janus.Memory::changed] for implementations of the
 * interface. Call it after the change, with no lock held.
 */
void
janus_memory_emit_changed (JanusMemory *self,
                           const char  *key,
                           GVariant    *value)
{
  g_return_if_fail (JANUS_IS_MEMORY (self));
  g_return_if_fail (key != NULL);

  /* try_string: a key nobody connected a detailed handler for has no quark,
   * and interning every key ever written would grow without bound */
  g_signal_emit (self, signals[CHANGED], g_quark_try_string (key), key, value);
}
