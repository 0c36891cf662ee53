/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <stdatomic.h>

#include "janus-epoch-private.h"

/* Each thread that touches published objects owns one record. `epoch` is 0
 * while the thread holds no reference (offline, or outside any critical
 * section), otherwise the global epoch it observed when it last came online
 * or passed a quiescent point. Records are never freed, only recycled, so
 * the list can be scanned without a lock. */
typedef struct _Record Record;
struct _Record
{
  _Atomic guint64  epoch;
  Record          *next;        /* immutable once the record is published */
  atomic_int       in_use;
  int              depth;       /* owner only: nesting of enter/exit */
  gboolean         online;      /* owner only: a worker between its turns */
};

struct _JanusLimboItem
{
  JanusLimboItem *next;
  gpointer        data;
  GDestroyNotify  destroy;
  guint64         tag;          /* global epoch when retired */
};

/* Starts at 1: 0 is the "holds nothing" value of a record. */
static _Atomic guint64 global_epoch = 1;
static Record *_Atomic records;
static __thread Record *my_record __attribute__ ((tls_model ("initial-exec")));
__thread gboolean janus_epoch_thread_online __attribute__ ((tls_model ("initial-exec")));

/* Objects retired by threads that are not workers, and what workers could
 * not free themselves (janus_epoch_release). `shared_length` mirrors
 * shared_limbo.length (written under the lock) for a lock-free look. */
static GMutex shared_lock;
static JanusLimbo shared_limbo;
static atomic_uint shared_length;

static void
record_release (gpointer data)
{
  Record *r = data;

  atomic_store_explicit (&r->epoch, 0, memory_order_release);
  r->depth = 0;
  r->online = FALSE;
  janus_epoch_thread_online = FALSE;
  atomic_store_explicit (&r->in_use, 0, memory_order_release);
  my_record = NULL;
}

static GPrivate record_key = G_PRIVATE_INIT (record_release);

static Record *
record_acquire (void)
{
  Record *r, *head;

  for (r = atomic_load_explicit (&records, memory_order_acquire); r; r = r->next)
    {
      int free_slot = 0;
      if (atomic_load_explicit (&r->in_use, memory_order_relaxed) == 0
          && atomic_compare_exchange_strong_explicit (&r->in_use, &free_slot, 1,
                                                      memory_order_acquire,
                                                      memory_order_relaxed))
        goto found;
    }

  r = g_new0 (Record, 1);
  atomic_init (&r->in_use, 1);
  head = atomic_load_explicit (&records, memory_order_relaxed);
  do
    r->next = head;
  while (!atomic_compare_exchange_weak_explicit (&records, &head, r,
                                                 memory_order_release,
                                                 memory_order_relaxed));
found:
  my_record = r;
  g_private_set (&record_key, r);
  return r;
}

static inline Record *
record_get (void)
{
  Record *r = my_record;

  return G_LIKELY (r != NULL) ? r : record_acquire ();
}

/* Announces that the thread may now read published pointers. The seq_cst
 * store and fence pair with the collector's seq_cst epoch increment and
 * record scan: either the collector sees this record, or this thread sees
 * every unpublication that happened before the collector's scan (Dekker). */
static inline void
record_announce (Record *r)
{
  guint64 e = atomic_load_explicit (&global_epoch, memory_order_seq_cst);

  atomic_store_explicit (&r->epoch, e, memory_order_seq_cst);
  atomic_thread_fence (memory_order_seq_cst);
}

/* Called by a worker thread when it starts serving, and when it wakes up. */
void
janus_epoch_online (void)
{
  Record *r = record_get ();

  r->online = TRUE;
  janus_epoch_thread_online = TRUE;
  record_announce (r);
}

/* Called by a worker before it parks or stops: it holds no pointer now. */
void
janus_epoch_offline (void)
{
  Record *r = record_get ();

  r->online = FALSE;
  janus_epoch_thread_online = FALSE;
  /* release: the turns before this point happen before any reclamation
   * that observes the record as offline */
  atomic_store_explicit (&r->epoch, 0, memory_order_release);
}

/* Called by an online worker between two agent turns. The acquire load of
 * the epoch synchronises with the collector's increment, which follows the
 * unpublication of what it retired: a worker that announces the new epoch
 * can no longer find those objects. The release store orders the previous
 * turn's accesses before the collector's acquire scan. */
void
janus_epoch_quiescent (void)
{
  Record *r = my_record;
  guint64 e = atomic_load_explicit (&global_epoch, memory_order_acquire);

  if (atomic_load_explicit (&r->epoch, memory_order_relaxed) != e)
    atomic_store_explicit (&r->epoch, e, memory_order_release);
}

void
janus_epoch_enter_slow (void)
{
  Record *r = record_get ();

  if (r->online || r->depth++ > 0)
    return;
  record_announce (r);
}

void
janus_epoch_exit_slow (void)
{
  Record *r = my_record;

  g_assert (r != NULL);
  if (r->online || --r->depth > 0)
    return;
  atomic_store_explicit (&r->epoch, 0, memory_order_release);
}

static void
limbo_append (JanusLimbo     *limbo,
              JanusLimboItem *item)
{
  item->next = NULL;
  if (limbo->tail)
    limbo->tail->next = item;
  else
    limbo->head = item;
  limbo->tail = item;
  limbo->length++;
}

static JanusLimboItem *
limbo_item_new (gpointer       data,
                GDestroyNotify destroy)
{
  JanusLimboItem *item = g_new (JanusLimboItem, 1);

  item->data = data;
  item->destroy = destroy;
  /* seq_cst: the caller unpublished @data before this load; a thread that
   * later announces an epoch above the tag cannot find @data any more */
  item->tag = atomic_load_explicit (&global_epoch, memory_order_seq_cst);
  return item;
}

/* Queues @data for @destroy once no thread can reach it. The caller must
 * already have made it unreachable (cleared every published pointer). */
void
janus_epoch_retire (JanusLimbo     *limbo,
                    gpointer        data,
                    GDestroyNotify  destroy)
{
  limbo_append (limbo, limbo_item_new (data, destroy));
}

void
janus_epoch_retire_shared (gpointer       data,
                           GDestroyNotify destroy)
{
  JanusLimboItem *item = limbo_item_new (data, destroy);

  g_mutex_lock (&shared_lock);
  limbo_append (&shared_limbo, item);
  atomic_store_explicit (&shared_length, shared_limbo.length, memory_order_relaxed);
  g_mutex_unlock (&shared_lock);
}

/* The oldest epoch a thread still holds, after moving the epoch forward so
 * that threads passing a quiescent point from now on free older items. */
static guint64
oldest_held_epoch (void)
{
  guint64 now = atomic_fetch_add_explicit (&global_epoch, 1, memory_order_seq_cst) + 1;
  guint64 oldest = now;
  Record *r;

  /* pairs with the fence in record_announce: the unpublications before this
   * point and a reader's announcement cannot both be missed by the other
   * side (C11 fence-fence ordering) */
  atomic_thread_fence (memory_order_seq_cst);

  for (r = atomic_load_explicit (&records, memory_order_acquire); r; r = r->next)
    {
      guint64 e = atomic_load_explicit (&r->epoch, memory_order_seq_cst);
      if (e != 0 && e < oldest)
        oldest = e;
    }
  return oldest;
}

/* Detaches the items of @limbo that are safe to free. Never runs the destroy
 * functions itself, so callers can drop their locks first. */
static JanusLimboItem *
limbo_take_safe (JanusLimbo *limbo,
                 guint64     oldest)
{
  JanusLimboItem *safe = NULL, **tail = &safe, **link = &limbo->head, *prev = NULL;

  while (*link != NULL)
    {
      JanusLimboItem *item = *link;
      if (item->tag < oldest)
        {
          *link = item->next;
          limbo->length--;
          item->next = NULL;
          *tail = item;
          tail = &item->next;
        }
      else
        {
          prev = item;
          link = &item->next;
        }
    }
  limbo->tail = prev;
  return safe;
}

static guint
destroy_items (JanusLimboItem *item)
{
  guint n = 0;

  while (item != NULL)
    {
      JanusLimboItem *next = item->next;
      item->destroy (item->data);
      g_free (item);
      item = next;
      n++;
    }
  return n;
}

/* Frees what is safe in @limbo (owned by the calling thread). Must not be
 * called inside a critical section that could reach the retired objects:
 * workers call it between turns. Returns how many objects were freed. */
guint
janus_epoch_collect (JanusLimbo *limbo)
{
  if (limbo->head == NULL)
    return 0;
  return destroy_items (limbo_take_safe (limbo, oldest_held_epoch ()));
}

/* Hands what a stopping worker still holds to the shared limbo. */
void
janus_epoch_move_to_shared (JanusLimbo *limbo)
{
  if (limbo->head == NULL)
    return;
  g_mutex_lock (&shared_lock);
  if (shared_limbo.tail)
    shared_limbo.tail->next = limbo->head;
  else
    shared_limbo.head = limbo->head;
  shared_limbo.tail = limbo->tail;
  shared_limbo.length += limbo->length;
  atomic_store_explicit (&shared_length, shared_limbo.length, memory_order_relaxed);
  g_mutex_unlock (&shared_lock);
  limbo->head = limbo->tail = NULL;
  limbo->length = 0;
}

guint
janus_epoch_collect_shared (void)
{
  JanusLimboItem *safe;
  guint64 oldest;

  g_mutex_lock (&shared_lock);
  if (shared_limbo.head == NULL)
    {
      g_mutex_unlock (&shared_lock);
      return 0;
    }
  g_mutex_unlock (&shared_lock);

  oldest = oldest_held_epoch ();
  g_mutex_lock (&shared_lock);
  safe = limbo_take_safe (&shared_limbo, oldest);
  atomic_store_explicit (&shared_length, shared_limbo.length, memory_order_relaxed);
  g_mutex_unlock (&shared_lock);
  return destroy_items (safe);
}

/* Whether the shared limbo holds anything. A hint (relaxed, no lock): a
 * caller that acts on it collects under the lock. */
gboolean
janus_epoch_shared_pending (void)
{
  return atomic_load_explicit (&shared_length, memory_order_relaxed) > 0;
}

/* A thread that holds no published pointer any more (an offline worker
 * about to park or stop, a driver between steps, a heavy agent's thread
 * once its agent died) releases what it retired: what is safe now is
 * freed, the rest goes to the shared limbo, which is collected too. What
 * another thread's epoch still holds back is thus freed by whichever
 * thread releases last (the last worker to park), not left in a parked
 * worker's private list until it wakes up. Runs the destroy functions on
 * the calling thread, outside any lock. */
void
janus_epoch_release (JanusLimbo *limbo)
{
  g_assert (my_record == NULL || atomic_load_explicit (&my_record->epoch, memory_order_relaxed) == 0);

  janus_epoch_collect (limbo);
  janus_epoch_move_to_shared (limbo);
  if (janus_epoch_shared_pending ())
    janus_epoch_collect_shared ();
}
