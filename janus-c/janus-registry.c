/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "janus-epoch-private.h"
#include "janus-registry-private.h"

JanusRegistry *
janus_registry_new (void)
{
  return g_new0 (JanusRegistry, 1);
}

void
janus_registry_free (JanusRegistry *registry)
{
  guint i, j;

  for (i = 0; i < JANUS_REGISTRY_TOP_SIZE; i++)
    {
      JanusRegistryDir *dir = atomic_load_explicit (&registry->dirs[i], memory_order_relaxed);
      if (dir == NULL)
        continue;
      for (j = 0; j < JANUS_REGISTRY_DIR_SIZE; j++)
        g_free (atomic_load_explicit (&dir->chunks[j], memory_order_relaxed));
      g_free (dir);
    }
  g_free (registry);
}

/* Installs *slot if it is still NULL; the loser of a race frees its copy. */
static gpointer
install (_Atomic (gpointer) *slot,
         gsize               size)
{
  gpointer fresh = g_malloc0 (size), expected = NULL;

  /* release: the zeroed memory is visible before the pointer; acquire on
   * failure: we use the winner's pointer */
  if (atomic_compare_exchange_strong_explicit (slot, &expected, fresh,
                                               memory_order_acq_rel,
                                               memory_order_acquire))
    return fresh;
  g_free (fresh);
  return expected;
}

static JanusRegistryChunk *
chunk_for (JanusRegistry *registry,
           guint64        id,
           gboolean       create)
{
  guint top = id >> (JANUS_REGISTRY_CHUNK_BITS + JANUS_REGISTRY_DIR_BITS);
  guint mid = (id >> JANUS_REGISTRY_CHUNK_BITS) & (JANUS_REGISTRY_DIR_SIZE - 1);
  JanusRegistryDir *dir;
  JanusRegistryChunk *chunk;

  dir = atomic_load_explicit (&registry->dirs[top], memory_order_acquire);
  if (dir == NULL)
    {
      if (!create)
        return NULL;
      dir = install ((_Atomic (gpointer) *) &registry->dirs[top], sizeof *dir);
    }
  chunk = atomic_load_explicit (&dir->chunks[mid], memory_order_acquire);
  if (chunk == NULL && create)
    chunk = install ((_Atomic (gpointer) *) &dir->chunks[mid], sizeof *chunk);
  return chunk;
}

/* Hands out the next id. FALSE when ids ran out. */
gboolean
janus_registry_reserve (JanusRegistry *registry,
                        guint64       *id)
{
  /* relaxed: the id only needs to be unique; publication is the slot store */
  guint64 n = atomic_fetch_add_explicit (&registry->next_id, 1, memory_order_relaxed);

  if (G_UNLIKELY (n >= JANUS_REGISTRY_MAX_IDS))
    return FALSE;
  chunk_for (registry, n, TRUE);
  *id = n;
  return TRUE;
}

/* Makes @runnable findable under its reserved @id. */
void
janus_registry_publish (JanusRegistry *registry,
                        guint64        id,
                        JanusRunnable *runnable)
{
  JanusRegistryChunk *chunk = chunk_for (registry, id, FALSE);

  /* release: the agent's launch fields are written before it is findable */
  atomic_store_explicit (&chunk->slots[id & (JANUS_REGISTRY_CHUNK_SIZE - 1)], runnable,
                         memory_order_release);
}

static void
retire_chunk (JanusRegistry *registry,
              guint64        id)
{
  guint top = id >> (JANUS_REGISTRY_CHUNK_BITS + JANUS_REGISTRY_DIR_BITS);
  guint mid = (id >> JANUS_REGISTRY_CHUNK_BITS) & (JANUS_REGISTRY_DIR_SIZE - 1);
  JanusRegistryDir *dir = atomic_load_explicit (&registry->dirs[top], memory_order_acquire);
  JanusRegistryChunk *chunk;

  /* every id of the chunk was handed out and released: nobody stores into it
   * again, and readers that still hold it are covered by the grace period */
  chunk = atomic_exchange_explicit (&dir->chunks[mid], NULL, memory_order_acq_rel);
  janus_epoch_retire_shared (chunk, g_free);
}

/* Gives an id back for good (its agent died, or its launch failed). */
void
janus_registry_release_id (JanusRegistry *registry,
                           guint64        id)
{
  JanusRegistryChunk *chunk = chunk_for (registry, id, FALSE);

  g_assert (chunk != NULL);
  /* acq_rel: the last releaser sees every other releaser's slot clearing */
  if (atomic_fetch_add_explicit (&chunk->released, 1, memory_order_acq_rel) + 1
      == JANUS_REGISTRY_CHUNK_SIZE)
    retire_chunk (registry, id);
}

/* Unpublishes agent @id and gives its id back. */
void
janus_registry_remove (JanusRegistry *registry,
                       guint64        id)
{
  JanusRegistryChunk *chunk = chunk_for (registry, id, FALSE);

  g_assert (chunk != NULL);
  atomic_store_explicit (&chunk->slots[id & (JANUS_REGISTRY_CHUNK_SIZE - 1)], NULL,
                         memory_order_release);
  janus_registry_release_id (registry, id);
}

/* A snapshot of the objects (@object of each published runnable), each
 * with a new reference. The caller must be inside an epoch critical
 * section. */
GPtrArray *
janus_registry_list (JanusRegistry *registry,
                     gpointer     (*object) (JanusRunnable *runnable))
{
  GPtrArray *agents = g_ptr_array_new_with_free_func (g_object_unref);
  guint64 end = atomic_load_explicit (&registry->next_id, memory_order_acquire);
  guint64 id;

  if (end > JANUS_REGISTRY_MAX_IDS)
    end = JANUS_REGISTRY_MAX_IDS;
  for (id = 0; id < end; id++)
    {
      JanusRegistryChunk *chunk = chunk_for (registry, id, FALSE);
      JanusRunnable *agent;

      if (chunk == NULL)
        {
          id |= JANUS_REGISTRY_CHUNK_SIZE - 1;  /* skip the whole chunk */
          continue;
        }
      agent = atomic_load_explicit (&chunk->slots[id & (JANUS_REGISTRY_CHUNK_SIZE - 1)],
                                    memory_order_acquire);
      if (agent != NULL)
        g_ptr_array_add (agents, g_object_ref (object (agent)));
    }
  return agents;
}
