/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdatomic.h>

#include "janus-types.h"

G_BEGIN_DECLS

/* What the table holds: the scheduler's view of an agent. */
typedef struct _JanusRunnable JanusRunnable;

/* The kernel's address table: agent id -> runnable, read without locks.
 *
 * Ids are sequential and never reused, so the table is a three-level radix
 * array (4096 directories x 4096 chunks x 1024 slots = 2^34 ids) filled
 * left to right. Each launched agent costs one 8-byte slot. A chunk whose
 * 1024 ids have all been handed out and released is retired through the
 * epoch collector and freed, so a long-running kernel's table only holds
 * chunks with live agents in them.
 *
 * Readers must be inside an epoch critical section (or be a worker between
 * quiescent points): slots and chunks are cleared before they are retired. */
#define JANUS_REGISTRY_CHUNK_BITS 10
#define JANUS_REGISTRY_DIR_BITS   12
#define JANUS_REGISTRY_TOP_BITS   12
#define JANUS_REGISTRY_CHUNK_SIZE (1u << JANUS_REGISTRY_CHUNK_BITS)
#define JANUS_REGISTRY_DIR_SIZE   (1u << JANUS_REGISTRY_DIR_BITS)
#define JANUS_REGISTRY_TOP_SIZE   (1u << JANUS_REGISTRY_TOP_BITS)
#define JANUS_REGISTRY_MAX_IDS    ((guint64) 1 << (JANUS_REGISTRY_CHUNK_BITS + \
                                                    JANUS_REGISTRY_DIR_BITS + \
                                                    JANUS_REGISTRY_TOP_BITS))

typedef struct _JanusRegistryChunk JanusRegistryChunk;
typedef struct _JanusRegistryDir JanusRegistryDir;

struct _JanusRegistryChunk
{
  _Atomic (JanusRunnable *) slots[JANUS_REGISTRY_CHUNK_SIZE];
  atomic_uint            released;   /* ids of this chunk given back */
};

struct _JanusRegistryDir
{
  _Atomic (JanusRegistryChunk *) chunks[JANUS_REGISTRY_DIR_SIZE];
};

typedef struct
{
  _Atomic guint64              next_id;
  _Atomic (JanusRegistryDir *) dirs[JANUS_REGISTRY_TOP_SIZE];
} JanusRegistry;

JanusRegistry *janus_registry_new      (void);
void           janus_registry_free     (JanusRegistry *registry);
gboolean       janus_registry_reserve  (JanusRegistry *registry,
                                        guint64       *id);
void           janus_registry_publish  (JanusRegistry *registry,
                                        guint64        id,
                                        JanusRunnable *runnable);
void           janus_registry_remove   (JanusRegistry *registry,
                                        guint64        id);
void           janus_registry_release_id (JanusRegistry *registry,
                                        guint64        id);
GPtrArray     *janus_registry_list     (JanusRegistry *registry,
                                        gpointer     (*object) (JanusRunnable *runnable));

static inline JanusRunnable *
janus_registry_lookup (JanusRegistry *registry,
                       guint64        id)
{
  JanusRegistryDir *dir;
  JanusRegistryChunk *chunk;

  if (G_UNLIKELY (id >= JANUS_REGISTRY_MAX_IDS))
    return NULL;
  /* acquire: a directory, chunk or agent is initialised before the release
   * store that publishes it */
  dir = atomic_load_explicit (&registry->dirs[id >> (JANUS_REGISTRY_CHUNK_BITS + JANUS_REGISTRY_DIR_BITS)],
                              memory_order_acquire);
  if (G_UNLIKELY (dir == NULL))
    return NULL;
  chunk = atomic_load_explicit (&dir->chunks[(id >> JANUS_REGISTRY_CHUNK_BITS) & (JANUS_REGISTRY_DIR_SIZE - 1)],
                                memory_order_acquire);
  if (G_UNLIKELY (chunk == NULL))
    return NULL;
  return atomic_load_explicit (&chunk->slots[id & (JANUS_REGISTRY_CHUNK_SIZE - 1)],
                               memory_order_acquire);
}

G_END_DECLS
