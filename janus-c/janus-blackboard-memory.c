/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <stdlib.h>

#include "janus-blackboard-memory.h"

/**
 * JanusBlackboardMemory:
 *
 * The default [iface@Janus.Memory]: a table of keys and [struct@GLib.Variant] values
 * that any number of threads may read and write at once (unlike Janus's,
 * which is not thread safe). Each change emits
 * [signal@Janus.Memory::changed] and [signal@Janus.Memory::value-changed]
 * once each, after the change, outside the lock, on the thread that made
 * it, the latter with the value the change replaced; when two threads
 * change one key at the same time, the notifications may come in either
 * order but the last one carries the value that stays.
 */

struct _JanusBlackboardMemory
{
  GObject     parent_instance;

  GMutex      lock;             /* guards table */
  GHashTable *table;            /* char* -> GVariant* */
};

static void janus_blackboard_memory_iface_init (JanusMemoryInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (JanusBlackboardMemory, janus_blackboard_memory, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (JANUS_TYPE_MEMORY,
                                                      janus_blackboard_memory_iface_init))

/**
 * janus_blackboard_memory_new:
 *
 * Makes an empty blackboard memory.
 *
 * Returns: (transfer full): a new, empty blackboard memory
 */
JanusBlackboardMemory *
janus_blackboard_memory_new (void)
{
  return g_object_new (JANUS_TYPE_BLACKBOARD_MEMORY, NULL);
}

static GVariant *
blackboard_get (JanusMemory *memory,
                const char  *key)
{
  JanusBlackboardMemory *self = JANUS_BLACKBOARD_MEMORY (memory);
  GVariant *value;

  g_mutex_lock (&self->lock);
  value = g_hash_table_lookup (self->table, key);
  if (value != NULL)
    g_variant_ref (value);
  g_mutex_unlock (&self->lock);
  return value;
}

static gboolean
blackboard_put (JanusMemory  *memory,
                const char   *key,
                GVariant     *value,
                GError      **error)
{
  JanusBlackboardMemory *self = JANUS_BLACKBOARD_MEMORY (memory);
  g_autoptr(GVariant) old = NULL;
  gpointer stolen_key;

  g_mutex_lock (&self->lock);
  /* steal: the old value is reported after the change */
  if (g_hash_table_steal_extended (self->table, key, &stolen_key, (gpointer *) &old))
    g_free (stolen_key);
  g_hash_table_insert (self->table, g_strdup (key), g_variant_ref (value));
  g_mutex_unlock (&self->lock);
  janus_memory_emit_change (memory, key, old, value);
  return TRUE;
}

static gboolean
blackboard_remove (JanusMemory  *memory,
                   const char   *key,
                   GError      **error)
{
  JanusBlackboardMemory *self = JANUS_BLACKBOARD_MEMORY (memory);
  g_autoptr(GVariant) old = NULL;
  gpointer stolen_key = NULL;
  gboolean removed;

  g_mutex_lock (&self->lock);
  removed = g_hash_table_steal_extended (self->table, key, &stolen_key, (gpointer *) &old);
  g_mutex_unlock (&self->lock);
  g_free (stolen_key);
  if (removed)
    janus_memory_emit_change (memory, key, old, NULL);
  return TRUE;
}

static gboolean
blackboard_has (JanusMemory *memory,
                const char  *key)
{
  JanusBlackboardMemory *self = JANUS_BLACKBOARD_MEMORY (memory);
  gboolean found;

  g_mutex_lock (&self->lock);
  found = g_hash_table_contains (self->table, key);
  g_mutex_unlock (&self->lock);
  return found;
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return g_strcmp0 (*(char **) a, *(char **) b);
}

static char **
blackboard_list_keys (JanusMemory *memory)
{
  JanusBlackboardMemory *self = JANUS_BLACKBOARD_MEMORY (memory);
  char **keys;
  guint n;

  g_mutex_lock (&self->lock);
  keys = (char **) g_hash_table_get_keys_as_array (self->table, &n);
  for (guint i = 0; i < n; i++)
    keys[i] = g_strdup (keys[i]);
  g_mutex_unlock (&self->lock);
  qsort (keys, n, sizeof (char *), compare_strings);
  return keys;
}

static void
janus_blackboard_memory_iface_init (JanusMemoryInterface *iface)
{
  iface->get = blackboard_get;
  iface->put = blackboard_put;
  iface->remove = blackboard_remove;
  iface->has = blackboard_has;
  iface->list_keys = blackboard_list_keys;
}

static void
janus_blackboard_memory_finalize (GObject *object)
{
  JanusBlackboardMemory *self = JANUS_BLACKBOARD_MEMORY (object);

  g_hash_table_unref (self->table);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (janus_blackboard_memory_parent_class)->finalize (object);
}

static void
janus_blackboard_memory_class_init (JanusBlackboardMemoryClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = janus_blackboard_memory_finalize;
}

static void
janus_blackboard_memory_init (JanusBlackboardMemory *self)
{
  g_mutex_init (&self->lock);
  self->table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                       (GDestroyNotify) g_variant_unref);
}
