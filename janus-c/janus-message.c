/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "janus-debug-private.h"
#include "janus-error.h"
#include "janus-message-private.h"

/**
 * JanusMessage:
 *
 * What agents send each other: a subject string, a body, and — once sent —
 * the sender's and receiver's addresses, a timestamp and a priority.
 *
 * A message is reference counted and immutable once sent. Sending *takes*
 * the caller's reference: after [method@Janus.Agent.send] the message belongs
 * to the receiver, which gets it back from its mailbox with
 * [method@Janus.Agent.get_message] and releases it with
 * [method@Janus.Message.unref]:
 *
 * ```c
 * janus_agent_send (self, peer, janus_message_new_int64 ("count", 42), NULL);
 *
 * // in the peer's live ():
 * g_autoptr(JanusMessage) m = janus_agent_get_message (self);
 * gint64 n;
 * if (m && janus_message_has_subject (m, "count") && janus_message_get_int64 (m, &n))
 *   g_print ("%" G_GINT64_FORMAT " from %s\n", n,
 *            janus_address_to_string (janus_message_get_sender (m)));
 * ```
 *
 * The body is a [struct@GLib.Variant] (typed, immutable, serialisable, usable from every
 * language binding). Two cheaper bodies exist for C: an integer stored inline
 * ([ctor@Janus.Message.new_int64]; [method@Janus.Message.get_body] still
 * returns it as a `x` variant) and a pointer with a destroy function for
 * in-process traffic ([ctor@Janus.Message.new_pointer]).
 *
 * Messages are not GObjects: they are allocated from per-thread caches, so
 * a send allocates nothing in steady state. All functions are MT safe; a
 * message that is not sent yet must not be changed from two threads at once.
 */

G_DEFINE_BOXED_TYPE (JanusMessage, janus_message, janus_message_ref, janus_message_unref)

/* ------------------------------------------------------------------------
 * Per-thread caches.
 *
 * Each thread keeps a LIFO list of free messages (hot in its cache). A thread
 * that frees more than it allocates (the receiver of a one-way stream) hands
 * batches of CACHE_BATCH messages to a global stack; a thread that runs out
 * takes a batch back. Batches are pushed one at a time with a CAS and taken
 * all at once with an exchange, so no node is ever popped concurrently and
 * the stack has no ABA problem (PRIOR-ART §1, Pony's pool_push/pool_pull).
 * The first message of a batch carries the batch's length in `timestamp` and
 * the next batch in `v.data`.
 */
#define CACHE_BATCH 512
#define CACHE_MAX   (2 * CACHE_BATCH)

/* Role messages also keep their last few routes: a route is immutable once
 * made, so the messages of one sender to one role type share it. */
#define ROUTE_CACHE 4

typedef struct {
  JanusMessage      *head;
  guint              count;
  gboolean           registered;
  guint              route_next;
  JanusMessageRoute *routes[ROUTE_CACHE];
} MessageCache;

static __thread MessageCache cache __attribute__ ((tls_model ("initial-exec")));
static JanusMessage *_Atomic global_batches;
static GPrivate cache_key = G_PRIVATE_INIT ((GDestroyNotify) janus_message_cache_flush);

static void
global_push_chain (JanusMessage *first,
                   JanusMessage *last)
{
  JanusMessage *old = atomic_load_explicit (&global_batches, memory_order_relaxed);

  /* release: the batch's links and counts are written before it is visible */
  do
    last->v.data = old;
  while (!atomic_compare_exchange_weak_explicit (&global_batches, &old, first,
                                                 memory_order_release,
                                                 memory_order_relaxed));
}

static gboolean
cache_refill (void)
{
  JanusMessage *all, *rest, *last;

  if (atomic_load_explicit (&global_batches, memory_order_relaxed) == NULL)
    return FALSE;
  /* acquire: pairs with the release in global_push_chain */
  all = atomic_exchange_explicit (&global_batches, NULL, memory_order_acquire);
  if (all == NULL)
    return FALSE;
  rest = all->v.data;
  cache.head = all;
  cache.count += (guint) all->timestamp;
  if (rest != NULL)
    {
      for (last = rest; last->v.data != NULL; last = last->v.data)
        ;
      global_push_chain (rest, last);
    }
  return TRUE;
}

static void
cache_spill (void)
{
  JanusMessage *first = cache.head, *m = first;
  guint i;

  for (i = 1; i < CACHE_BATCH; i++)
    m = m->next;
  cache.head = m->next;
  cache.count -= CACHE_BATCH;
  m->next = NULL;
  first->timestamp = CACHE_BATCH;
  first->v.data = NULL;
  global_push_chain (first, first);
}

/* Gives the calling thread's cached messages back to the global stack.
 * Runs at thread exit (GPrivate destructor) and when the last kernel goes. */
void
janus_message_cache_flush (void)
{
  guint i;

  for (i = 0; i < ROUTE_CACHE; i++)
    g_clear_pointer (&cache.routes[i], janus_message_route_unref);
  while (cache.count > 0)
    {
      JanusMessage *m = cache.head;
      cache.head = m->next;
      cache.count--;
      free (m);
    }
  cache.head = NULL;
}

/* Frees every batch of the global stack (when no kernel is left). */
void
janus_message_cache_trim_global (void)
{
  JanusMessage *b = atomic_exchange_explicit (&global_batches, NULL,
                                              memory_order_acquire);

  while (b != NULL)
    {
      JanusMessage *next_batch = b->v.data, *m = b;
      while (m != NULL)
        {
          JanusMessage *n = m->next;
          free (m);
          m = n;
        }
      b = next_batch;
    }
}

static JanusMessage *
message_alloc (void)
{
  JanusMessage *m;

  if (G_UNLIKELY (janus_debug_flags & JANUS_DEBUG_NO_CACHE))
    return calloc (1, sizeof (JanusMessage));

  if (cache.head == NULL && !cache_refill ())
    {
      m = malloc (sizeof (JanusMessage));
      if (m == NULL)
        g_error ("janus: out of memory allocating a message");
      return m;
    }
  m = cache.head;
  cache.head = m->next;
  cache.count--;
  return m;
}

static void
message_release (JanusMessage *m)
{
  if (G_UNLIKELY (janus_debug_flags & JANUS_DEBUG_NO_CACHE))
    {
      free (m);
      return;
    }
  if (G_UNLIKELY (!cache.registered))
    {
      cache.registered = TRUE;
      g_private_set (&cache_key, &cache);
    }
  m->next = cache.head;
  cache.head = m;
  if (++cache.count > CACHE_MAX)
    cache_spill ();
}

static void
set_subject (JanusMessage *m,
             const char   *subject)
{
  guint i;

  /* one pass for the usual short subject (no strlen + memcpy calls) */
  for (i = 0; i < JANUS_MESSAGE_INLINE_SUBJECT; i++)
    if ((m->subject_inline[i] = subject[i]) == '\0')
      {
        m->subject = m->subject_inline;
        return;
      }
  m->subject = g_strdup (subject);
  m->flags |= JANUS_MESSAGE_SUBJECT_HEAP;
}

static JanusMessage *
message_new (const char    *subject,
             JanusBodyKind  kind)
{
  JanusMessage *m = message_alloc ();

  m->next = NULL;
  atomic_init (&m->ref_count, 1);
  m->flags = kind;
  m->priority = 0;
  m->route = NULL;
  /* sender, receiver and timestamp are only read once sent (sealed) */
  m->timestamp = 0;
  atomic_init (&m->variant, NULL);
  m->v.v_int = 0;
  m->destroy = NULL;
  set_subject (m, subject);
  return m;
}

/**
 * janus_message_new:
 * @subject: what the message is about, such as `"ping"`
 * @body: (nullable): the content; a floating reference is taken
 *
 * Makes a message whose body is a [struct@GLib.Variant].
 *
 * Returns: (transfer full): a new unsent message
 */
JanusMessage *
janus_message_new (const char *subject,
                   GVariant   *body)
{
  JanusMessage *m;

  g_return_val_if_fail (subject != NULL, NULL);

  m = message_new (subject, body ? JANUS_BODY_VARIANT : JANUS_BODY_NONE);
  if (body != NULL)
    atomic_store_explicit (&m->variant, g_variant_ref_sink (body),
                           memory_order_relaxed);
  return m;
}

/**
 * janus_message_new_int64:
 * @subject: what the message is about
 * @value: the body
 *
 * Makes a message whose body is one integer, stored inside the message: the
 * cheapest message there is. [method@Janus.Message.get_int64] reads it;
 * [method@Janus.Message.get_body] returns it as a `x` [struct@GLib.Variant].
 *
 * Returns: (transfer full): a new unsent message
 */
JanusMessage *
janus_message_new_int64 (const char *subject,
                         gint64      value)
{
  JanusMessage *m;

  g_return_val_if_fail (subject != NULL, NULL);

  m = message_new (subject, JANUS_BODY_INT64);
  m->v.v_int = value;
  return m;
}

/**
 * janus_message_new_pointer: (skip)
 * @subject: what the message is about
 * @data: (nullable): the body
 * @destroy: (nullable): frees @data when the message is freed
 *
 * Makes a message carrying a pointer, for traffic between C agents of one
 * process. Such a message has exactly one receiver: it cannot be copied or
 * broadcast, and [method@Janus.Message.get_body] returns `NULL` for it.
 *
 * Returns: (transfer full): a new unsent message
 */
JanusMessage *
janus_message_new_pointer (const char     *subject,
                           gpointer        data,
                           GDestroyNotify  destroy)
{
  JanusMessage *m;

  g_return_val_if_fail (subject != NULL, NULL);

  m = message_new (subject, JANUS_BODY_POINTER);
  m->v.data = data;
  m->destroy = destroy;
  return m;
}

/* A due timer on its way to its agent: never shown to user code. */
JanusMessage *
janus_message_new_internal (gpointer timer)
{
  JanusMessage *m = message_new ("janus-timer", JANUS_BODY_POINTER);

  m->flags |= JANUS_MESSAGE_INTERNAL;
  m->v.data = timer;
  return m;
}

/* Work on its way to its agent's turn (a JanusAgentTask, which the agent
 * layer defines): never shown to user code. The message does not own the
 * task; whoever takes the message runs or cancels it. */
JanusMessage *
janus_message_new_task (gpointer task)
{
  JanusMessage *m = message_new ("janus-task", JANUS_BODY_POINTER);

  m->flags |= JANUS_MESSAGE_TASK;
  m->v.data = task;
  return m;
}

/* An unsent message with the subject, body and priority of @message. */
JanusMessage *
janus_message_clone_for (JanusMessage *message)
{
  JanusMessage *m = message_new (message->subject, janus_message_body_kind (message));
  GVariant *body = atomic_load_explicit (&message->variant, memory_order_acquire);

  m->priority = message->priority;
  m->v = message->v;
  if (body != NULL)
    atomic_store_explicit (&m->variant, g_variant_ref (body), memory_order_relaxed);
  return m;
}

/* janus_message_check_unsent for a message sent already. */
gboolean
janus_message_refuse_sent (JanusMessage  *message,
                           GError       **error)
{
  g_set_error (error, JANUS_MESSAGE_ERROR, JANUS_MESSAGE_ERROR_ALREADY_SENT,
               "Message “%s” was sent already; send a copy (janus_message_copy) "
               "instead", message->subject);
  return FALSE;
}

/**
 * janus_message_copy:
 * @message: a message whose body is not a pointer
 *
 * Makes an unsent message with the subject, body and priority of @message,
 * for sending the same content again. The body is shared, not copied.
 *
 * Returns: (transfer full): a new unsent message
 */
JanusMessage *
janus_message_copy (JanusMessage *message)
{
  g_return_val_if_fail (message != NULL, NULL);
  g_return_val_if_fail (janus_message_body_kind (message) != JANUS_BODY_POINTER, NULL);

  return janus_message_clone_for (message);
}

/**
 * janus_message_ref:
 * @message: a message
 *
 * Takes a reference on a message. MT safe.
 *
 * Returns: (transfer full): @message, with one more reference
 */
JanusMessage *
janus_message_ref (JanusMessage *message)
{
  g_return_val_if_fail (message != NULL, NULL);

  /* relaxed: taking a reference needs one already, which orders it */
  atomic_fetch_add_explicit (&message->ref_count, 1, memory_order_relaxed);
  return message;
}

static void
message_free (JanusMessage *m)
{
  GVariant *body = atomic_load_explicit (&m->variant, memory_order_relaxed);

  if (m->route != NULL)
    janus_message_route_unref (m->route);
  if (body != NULL)
    g_variant_unref (body);
  if (janus_message_body_kind (m) == JANUS_BODY_POINTER && m->destroy != NULL)
    m->destroy (m->v.data);
  if (m->flags & JANUS_MESSAGE_SUBJECT_HEAP)
    g_free ((char *) m->subject);
  message_release (m);
}

/**
 * janus_message_unref:
 * @message: (transfer full): a message
 *
 * Drops a reference; the last one frees the message.
 */
void
janus_message_unref (JanusMessage *message)
{
  g_return_if_fail (message != NULL);

  /* sole owner (the common case: a received message): nobody else can take
   * a reference, so no atomic write is needed; the acquire load orders the
   * previous holders' releases before the free */
  if (atomic_load_explicit (&message->ref_count, memory_order_acquire) == 1)
    {
      message_free (message);
      return;
    }
  /* acq_rel: the release half orders this holder's uses before the
   * decrement, the acquire half (on the last reference) orders every other
   * holder's uses before the free. Same cost as release + acquire fence on
   * x86 and arm64 (one locked RMW), and ThreadSanitizer models it, where it
   * does not model a standalone fence */
  if (atomic_fetch_sub_explicit (&message->ref_count, 1, memory_order_acq_rel) == 1)
    message_free (message);
}

/**
 * janus_message_get_subject:
 * @message: a message
 *
 * Gets what the message is about.
 *
 * Returns: the subject of @message
 */
const char *
janus_message_get_subject (JanusMessage *message)
{
  g_return_val_if_fail (message != NULL, NULL);

  return message->subject;
}

/**
 * janus_message_has_subject:
 * @message: a message
 * @subject: a subject
 *
 * Tells whether the message has the subject @subject.
 *
 * Returns: whether the subject of @message is @subject
 */
gboolean
janus_message_has_subject (JanusMessage *message,
                           const char   *subject)
{
  const char *a;

  g_return_val_if_fail (message != NULL, FALSE);
  g_return_val_if_fail (subject != NULL, FALSE);

  /* subjects are short and usually differ early: no call to strcmp */
  for (a = message->subject; *a != '\0' && *a == *subject; a++, subject++)
    ;
  return *a == *subject;
}

/**
 * janus_message_get_body:
 * @message: a message
 *
 * Gets the body as a [struct@GLib.Variant]. An integer body made by
 * [ctor@Janus.Message.new_int64] is returned as a `x` variant (built on the
 * first call and kept); a pointer body gives `NULL`.
 *
 * Returns: (transfer none) (nullable): the body, valid as long as @message
 */
GVariant *
janus_message_get_body (JanusMessage *message)
{
  GVariant *v, *expected = NULL;

  g_return_val_if_fail (message != NULL, NULL);

  /* acquire: pairs with the release CAS below when another thread built it */
  v = atomic_load_explicit (&message->variant, memory_order_acquire);
  if (v != NULL || janus_message_body_kind (message) != JANUS_BODY_INT64)
    return v;

  v = g_variant_ref_sink (g_variant_new_int64 (message->v.v_int));
  if (atomic_compare_exchange_strong_explicit (&message->variant, &expected, v,
                                               memory_order_acq_rel,
                                               memory_order_acquire))
    return v;
  g_variant_unref (v);
  return expected;
}

/**
 * janus_message_get_int64:
 * @message: a message
 * @value: (out) (optional): the integer body
 *
 * Reads an integer body: one made by [ctor@Janus.Message.new_int64], or a
 * `x` [struct@GLib.Variant] body.
 *
 * Returns: whether the body is an integer
 */
gboolean
janus_message_get_int64 (JanusMessage *message,
                         gint64       *value)
{
  GVariant *v;

  g_return_val_if_fail (message != NULL, FALSE);

  if (janus_message_body_kind (message) == JANUS_BODY_INT64)
    {
      if (value)
        *value = message->v.v_int;
      return TRUE;
    }
  v = atomic_load_explicit (&message->variant, memory_order_acquire);
  if (v == NULL || !g_variant_is_of_type (v, G_VARIANT_TYPE_INT64))
    return FALSE;
  if (value)
    *value = g_variant_get_int64 (v);
  return TRUE;
}

/**
 * janus_message_get_pointer: (skip)
 * @message: a message
 *
 * Gets a pointer body.
 *
 * Returns: (nullable): the pointer body given to
 *   [ctor@Janus.Message.new_pointer], or `NULL` for other bodies
 */
gpointer
janus_message_get_pointer (JanusMessage *message)
{
  g_return_val_if_fail (message != NULL, NULL);

  if (janus_message_body_kind (message) != JANUS_BODY_POINTER)
    return NULL;
  return message->v.data;
}

/**
 * janus_message_get_sender:
 * @message: a message
 *
 * Gets the address of the sender.
 *
 * Returns: (transfer none) (nullable): the address of the agent (or kernel)
 *   that sent @message, or `NULL` while it is not sent
 */
const JanusAddress *
janus_message_get_sender (JanusMessage *message)
{
  g_return_val_if_fail (message != NULL, NULL);

  return janus_message_sent (message) ? &message->sender : NULL;
}

/**
 * janus_message_get_receiver:
 * @message: a message
 *
 * Gets the address the message was sent to.
 *
 * Returns: (transfer none) (nullable): the address @message was sent to, or
 *   `NULL` while it is not sent
 */
const JanusAddress *
janus_message_get_receiver (JanusMessage *message)
{
  g_return_val_if_fail (message != NULL, NULL);

  return janus_message_sent (message) ? &message->receiver : NULL;
}

/**
 * janus_message_get_timestamp:
 * @message: a message
 *
 * Gets when @message was sent, in microseconds of the sending kernel's clock:
 * for the real-time clock, since the Unix epoch, with the resolution of the
 * system's coarse clock (a few milliseconds). Every message an agent sends
 * during one step carries the time of that step.
 *
 * Returns: the send time, or 0 while the message is not sent
 */
gint64
janus_message_get_timestamp (JanusMessage *message)
{
  g_return_val_if_fail (message != NULL, 0);

  return message->timestamp;
}

/**
 * janus_message_get_priority:
 * @message: a message
 *
 * Gets the message's priority.
 *
 * Returns: the priority of @message (0 unless set)
 */
int
janus_message_get_priority (JanusMessage *message)
{
  g_return_val_if_fail (message != NULL, 0);

  return message->priority;
}

/**
 * janus_message_set_priority:
 * @message: an unsent message
 * @priority: from -32768 to 32767; higher is more urgent
 *
 * Sets the priority used by `JANUS_MAILBOX_KIND_PRIORITY` mailboxes (other
 * kinds ignore it). Only an unsent message can be changed.
 */
void
janus_message_set_priority (JanusMessage *message,
                            int           priority)
{
  g_return_if_fail (message != NULL);
  g_return_if_fail (!janus_message_sent (message));
  g_return_if_fail (priority >= G_MININT16 && priority <= G_MAXINT16);

  message->priority = (gint16) priority;
}

/**
 * janus_message_is_sent:
 * @message: a message
 *
 * Tells whether the message was sent.
 *
 * Returns: whether @message was sent (and is therefore immutable)
 */
gboolean
janus_message_is_sent (JanusMessage *message)
{
  g_return_val_if_fail (message != NULL, FALSE);

  return janus_message_sent (message);
}

/* ----------------------------------------------------------- role routes */

JanusMessageRoute *
janus_message_route_new (guint64 group_id,
                         GType   sender_role,
                         GType   receiver_role)
{
  JanusMessageRoute *route = g_new (JanusMessageRoute, 1);

  atomic_init (&route->ref_count, 1);
  route->group_id = group_id;
  route->sender_role = sender_role;
  route->receiver_role = receiver_role;
  route->receiver_serial = 0;
  return route;
}

/* A route with these fields and no receiver serial, shared with earlier
 * messages of this thread when one matches: no allocation per message. */
JanusMessageRoute *
janus_message_route_shared (guint64 group_id,
                            GType   sender_role,
                            GType   receiver_role)
{
  JanusMessageRoute *route;
  guint i;

  if (G_UNLIKELY (janus_debug_flags & JANUS_DEBUG_NO_CACHE))
    return janus_message_route_new (group_id, sender_role, receiver_role);
  for (i = 0; i < ROUTE_CACHE; i++)
    {
      route = cache.routes[i];
      if (route != NULL && route->group_id == group_id
          && route->sender_role == sender_role && route->receiver_role == receiver_role)
        return janus_message_route_ref (route);
    }
  if (G_UNLIKELY (!cache.registered))
    {
      cache.registered = TRUE;
      g_private_set (&cache_key, &cache);
    }
  route = janus_message_route_new (group_id, sender_role, receiver_role);
  i = cache.route_next++ % ROUTE_CACHE;
  if (cache.routes[i] != NULL)
    janus_message_route_unref (cache.routes[i]);
  cache.routes[i] = janus_message_route_ref (route);
  return route;
}

JanusMessageRoute *
janus_message_route_ref (JanusMessageRoute *route)
{
  atomic_fetch_add_explicit (&route->ref_count, 1, memory_order_relaxed);
  return route;
}

void
janus_message_route_unref (JanusMessageRoute *route)
{
  if (atomic_fetch_sub_explicit (&route->ref_count, 1, memory_order_acq_rel) == 1)
    g_free (route);
}

/**
 * janus_message_get_sender_role:
 * @message: a message
 *
 * Gets the role type that sent a role message.
 *
 * Returns: the sending role's type, or `G_TYPE_INVALID` for a direct message
 */
GType
janus_message_get_sender_role (JanusMessage *message)
{
  g_return_val_if_fail (message != NULL, G_TYPE_INVALID);

  return message->route ? message->route->sender_role : G_TYPE_INVALID;
}

/**
 * janus_message_get_receiver_role:
 * @message: a message
 *
 * Gets the role type a role message was addressed to (the receiving role is
 * of that type or a subclass).
 *
 * Returns: the receiving role type, or `G_TYPE_INVALID` for a direct message
 */
GType
janus_message_get_receiver_role (JanusMessage *message)
{
  g_return_val_if_fail (message != NULL, G_TYPE_INVALID);

  return message->route ? message->route->receiver_role : G_TYPE_INVALID;
}
