/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "janus-runtime-private.h"

/* ------------------------------------------------- runtimes of the process */

static GMutex runtimes_lock;
static GHashTable *runtimes;    /* uuid bytes -> JanusRuntime (listed ones) */

static guint
uuid_hash (gconstpointer key)
{
  guint h;

  memcpy (&h, key, sizeof h);
  return h;
}

static gboolean
uuid_equal (gconstpointer a,
            gconstpointer b)
{
  return memcmp (a, b, 16) == 0;
}

static void
list_runtime (JanusRuntime *rt)
{
  g_mutex_lock (&runtimes_lock);
  if (runtimes == NULL)
    runtimes = g_hash_table_new (uuid_hash, uuid_equal);
  g_hash_table_insert (runtimes, rt->uuid, rt);
  g_mutex_unlock (&runtimes_lock);
}

/* The runtime leaves the process's table (its kernel is disposed): no
 * message finds it any more. */
void
janus_runtime_unlist (JanusRuntime *rt)
{
  gboolean last;

  g_mutex_lock (&runtimes_lock);
  g_hash_table_remove (runtimes, rt->uuid);
  last = g_hash_table_size (runtimes) == 0;
  if (last)
    g_clear_pointer (&runtimes, g_hash_table_unref);
  g_mutex_unlock (&runtimes_lock);

  /* with no kernel left, give cached messages back to the system */
  if (last)
    {
      janus_message_cache_flush ();
      janus_message_cache_trim_global ();
    }
}

/* The listed runtime with that UUID, its owner kept alive until
 * janus_runtime_release (), or NULL. */
JanusRuntime *
janus_runtime_find (const guint8 uuid[16])
{
  JanusRuntime *rt = NULL;

  g_mutex_lock (&runtimes_lock);
  if (runtimes != NULL)
    rt = g_hash_table_lookup (runtimes, uuid);
  /* runtimes leave the table in their owner's dispose, while it is still
   * referenced */
  if (rt != NULL)
    g_object_ref (rt->owner);
  g_mutex_unlock (&runtimes_lock);
  return rt;
}

void
janus_runtime_release (JanusRuntime *rt)
{
  g_object_unref (rt->owner);
}

/* ------------------------------------------------------------ life-cycle */

/* A runtime for @owner (a kernel): its runnables are of @klass, and what
 * the owner must hear of goes to @funcs. */
JanusRuntime *
janus_runtime_new (guint                      n_workers,
                   const JanusRunnableClass  *klass,
                   const JanusRuntimeFuncs   *funcs,
                   GObject                   *owner)
{
  JanusRuntime *rt = g_new0 (JanusRuntime, 1);
  g_autofree char *uuid = g_uuid_string_random ();

  janus_uuid_parse (uuid, strlen (uuid), rt->uuid);
  janus_uuid_format (rt->uuid, rt->uuid_string);
  janus_address_init (&rt->address, rt->uuid, JANUS_ADDRESS_KERNEL_ID);
  rt->owner = owner;
  rt->funcs = funcs;
  rt->klass = klass;
  rt->registry = janus_registry_new ();
  /* the owner answers the scheduler's question itself */
  rt->sched = janus_scheduler_new (n_workers, klass, rt->registry, rt->uuid_string,
                                   funcs->should_stop, owner);
  list_runtime (rt);
  return rt;
}

/* Every agent is gone and the scheduler stopped. */
void
janus_runtime_free (JanusRuntime *rt)
{
  janus_scheduler_free (rt->sched);
  janus_registry_free (rt->registry);
  g_free (rt);
}

/* ---------------------------------------------------------------- agents */

/* A fresh id for a launch; FALSE when every id was handed out. */
gboolean
janus_runtime_reserve (JanusRuntime *rt,
                       guint64      *id)
{
  return janus_registry_reserve (rt->registry, id);
}

/* Gives back an id whose launch did not happen. */
void
janus_runtime_unreserve (JanusRuntime *rt,
                         guint64       id)
{
  janus_registry_release_id (rt->registry, id);
}

/* @r is findable at @id and counts as live. */
void
janus_runtime_publish (JanusRuntime  *rt,
                       guint64        id,
                       JanusRunnable *r)
{
  atomic_fetch_add_explicit (&rt->live, 1, memory_order_relaxed);
  janus_registry_publish (rt->registry, id, r);
}

/* The runnable at @id died: nothing finds it any more. */
void
janus_runtime_unpublish (JanusRuntime *rt,
                         guint64       id)
{
  janus_registry_remove (rt->registry, id);
  if (atomic_fetch_sub_explicit (&rt->live, 1, memory_order_acq_rel) == 1)
    rt->funcs->all_dead (rt->owner);
}

/* The object (agent) of the runnable at @id, with a new reference, or NULL. */
gpointer
janus_runtime_dup_object (JanusRuntime *rt,
                          guint64       id)
{
  gpointer object = NULL;
  JanusRunnable *r;

  janus_epoch_enter ();
  r = janus_registry_lookup (rt->registry, id);
  if (r != NULL)
    object = g_object_ref (rt->klass->object (r));
  janus_epoch_exit ();
  return object;
}

/* The objects of every published runnable, each with a new reference. */
GPtrArray *
janus_runtime_list_objects (JanusRuntime *rt)
{
  GPtrArray *objects;

  janus_epoch_enter ();
  objects = janus_registry_list (rt->registry, rt->klass->object);
  janus_epoch_exit ();
  return objects;
}

void
janus_runtime_report_launch (JanusRuntime *rt,
                             JanusAgent   *agent)
{
  rt->funcs->launched (rt->owner, agent);
}

void
janus_runtime_report_death (JanusRuntime *rt,
                            JanusAgent   *agent)
{
  rt->funcs->died (rt->owner, agent);
}

void
janus_runtime_report_failure (JanusRuntime *rt,
                              JanusAgent   *agent,
                              const GError *error)
{
  rt->funcs->failed (rt->owner, agent, error);
}

/* -------------------------------------------------------------- delivery */

/* Counts @message as a dead letter, lets the owner see it, releases it. */
void
janus_runtime_dead_letter (JanusRuntime *rt,
                           JanusMessage *message)
{
  atomic_fetch_add_explicit (&rt->dead_letters, 1, memory_order_relaxed);
  rt->funcs->dead_letter (rt->owner, message);
  janus_message_unref (message);
}

/* Every message of a list linked through next (oldest first); timers on
 * their way to a dead agent are dropped, not counted. */
void
janus_runtime_dead_letters (JanusRuntime *rt,
                            JanusMessage *messages)
{
  while (messages != NULL)
    {
      JanusMessage *next = messages->next;
      messages->next = NULL;
      if (G_UNLIKELY (janus_message_internal (messages)))
        {
          janus_timer_free (messages->v.data);
          janus_message_unref (messages);
        }
      else
        janus_runtime_dead_letter (rt, messages);
      messages = next;
    }
}

/* Hands a sealed message to @r, found by the caller inside an epoch critical
 * section (a lookup, or a group's role snapshot). */
void
janus_runtime_deliver_to (JanusRuntime  *rt,
                          JanusRunnable *r,
                          JanusMessage  *message)
{
  if (G_UNLIKELY (!janus_scheduler_push (rt->sched, r, message, 0)))
    janus_runtime_dead_letter (rt, message);
}

/* lookup -> push -> dead letter, the latter outside the critical section */
static inline void
deliver_local (JanusRuntime *rt,
               JanusMessage *message)
{
  JanusRunnable *r;
  gboolean taken;

  janus_epoch_enter ();
  r = janus_registry_lookup (rt->registry, message->receiver.id);
  taken = G_LIKELY (r != NULL) && janus_scheduler_push (rt->sched, r, message, 0);
  janus_epoch_exit ();
  if (G_UNLIKELY (!taken))
    janus_runtime_dead_letter (rt, message);
}

/* --------------------------------------------------------- network hooks */

static const JanusRuntimeRemote *_Atomic runtime_remote;

void
janus_runtime_set_remote (const JanusRuntimeRemote *remote)
{
  /* release: the table is complete before a sender can see it */
  atomic_store_explicit (&runtime_remote, remote, memory_order_release);
}

/* A message for a kernel of another process: the network layer's. */
static gboolean
deliver_remote (JanusRuntime *rt,
                JanusMessage *message)
{
  const JanusRuntimeRemote *remote = atomic_load_explicit (&runtime_remote, memory_order_acquire);

  return remote != NULL && remote->deliver (rt, message);
}

/* janus_runtime_deliver outside a worker, or to another kernel (of this
 * process or, through the network layer, of another). */
gboolean
janus_runtime_deliver_slow (JanusRuntime *rt,
                            JanusMessage *message)
{
  JanusRuntime *other;

  if (G_LIKELY (janus_address_same_kernel (&message->receiver, rt->uuid)))
    {
      deliver_local (rt, message);
      return TRUE;
    }
  other = janus_runtime_find (message->receiver.kernel);
  if (other == NULL)
    {
      if (deliver_remote (rt, message))
        return TRUE;
      janus_runtime_dead_letter (rt, message);
      return FALSE;
    }
  deliver_local (other, message);
  janus_runtime_release (other);
  return TRUE;
}
