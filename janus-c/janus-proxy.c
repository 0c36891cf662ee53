/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "janus-address-private.h"
#include "janus-agent-private.h"
#include "janus-debug-private.h"
#include "janus-error.h"
#include "janus-kernel-private.h"
#include "janus-net-endpoint-private.h"
#include "janus-proxy-private.h"

/**
 * JanusProxy:
 *
 * An agent of another kernel (or of an aiomas container), reached through
 * the network: calls of its exposed methods go out as aiomas requests on
 * the connection to its kernel, shared by every proxy to that kernel.
 *
 * Get one with [method@Janus.Kernel.connect_async] (which asks the remote
 * kernel whether the agent exists, as aiomas' `Container.connect` does),
 * or from an argument or result that carries an agent
 * ([method@Janus.Invocation.dup_object], [method@Janus.Proxy.dup_object]).
 *
 * ```c
 * static void
 * on_sum (GObject *source, GAsyncResult *result, gpointer data)
 * {
 *   g_autoptr(GError) error = NULL;
 *   g_autoptr(GVariant) sum = janus_proxy_call_finish (JANUS_PROXY (source), result, &error);
 *   ...
 * }
 *
 * janus_proxy_call_async (proxy, "add", g_variant_new ("(ii)", 2, 3), NULL,
 *                         NULL, on_sum, self);
 * ```
 *
 * ## Where callbacks run
 *
 * Called from an agent's turn, the callback runs in a later turn of the
 * same agent (it travels through the agent's mailbox like a due timer), so
 * it never runs concurrently with the agent's `live`; if the agent dies
 * first it never runs. Called from elsewhere, the callback runs in the
 * thread-default #GMainContext of the calling thread, as with #GTask.
 * Workers never block on the network: the blocking variants
 * ([method@Janus.Proxy.call_sync], [method@Janus.Kernel.connect_sync]) are
 * for heavy agents and other threads, and refuse to run on a light
 * agent's worker with %JANUS_NET_ERROR_WRONG_THREAD.
 *
 * ## Failures
 *
 * Every call ends: with its result, or with a #GError —
 * %JANUS_NET_ERROR_REMOTE (the remote side answered with an error, whose
 * text is the message), %JANUS_NET_ERROR_REFUSED, %JANUS_NET_ERROR_CLOSED
 * (the connection died before the answer), %JANUS_NET_ERROR_TIMED_OUT
 * ([property@Janus.Proxy:timeout]), %JANUS_NET_ERROR_BUSY (backpressure),
 * %JANUS_NET_ERROR_SHUTDOWN, or %G_IO_ERROR_CANCELLED. A proxy whose
 * connection died reconnects on its next call.
 */

/* ------------------------------------------------------ async results */

#define JANUS_TYPE_NET_RESULT (janus_net_result_get_type ())
G_DECLARE_FINAL_TYPE (JanusNetResult, janus_net_result, JANUS, NET_RESULT, GObject)

/* The outcome of one network operation, delivered where its caller is:
 * into the calling agent's turn, or to the caller's main context, or to a
 * thread waiting for it (sync).
 *
 * Immutable once made: source, callback, user_data, tag, cancellable,
 * kernel/agent_id or context, sync.
 * `done` decides, with one exchange, which completion wins; the outcome is
 * written by the winner before it delivers (the delivery orders it).
 * `lock` guards `finished` (sync waits). */
struct _JanusNetResult
{
  GObject              parent_instance;

  GObject             *source;
  GAsyncReadyCallback  callback;
  gpointer             user_data;
  gpointer             tag;
  GCancellable        *cancellable;
  gulong               cancelled_id;
  JanusKernel         *kernel;        /* deliver into agent agent_id's turn */
  JanusRuntime        *runtime;       /* the kernel's, kept by it */
  guint64              agent_id;
  GMainContext        *context;       /* or to this context */
  gboolean             sync;          /* or wake a waiting thread */

  atomic_bool          done;
  JsonNode            *json;
  GError              *error;
  JanusProxy          *proxy;

  GMutex               lock;
  GCond                cond;
  gboolean             finished;

  JanusNetResult      *next;          /* in its batch (batches_lock) */
};

static void janus_net_result_async_result_init (GAsyncResultIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (JanusNetResult, janus_net_result, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_ASYNC_RESULT,
                                                      janus_net_result_async_result_init))

static void
net_result_complete (JanusNetResult *self,
                     JsonNode       *json,
                     const GError   *error,
                     JanusProxy     *proxy);

static void
on_cancelled (GCancellable *cancellable,
              gpointer      data)
{
  g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                 "Operation was cancelled");

  net_result_complete (data, NULL, error, NULL);
}

/* Results are kept for reuse by the thread that let them go, a few per
 * thread: a call makes no object. Only a result nobody else holds, with
 * nothing attached to it (no qdata: no data, weak or toggle references,
 * as a language binding's wrapper adds; no signal handler), is kept; the no-cache debug flag
 * turns this off. */
#define POOL_MAX 256

static void
free_pool (gpointer data)
{
  g_ptr_array_unref (data);
}

static GPrivate result_pool = G_PRIVATE_INIT (free_pool);

static JanusNetResult *
net_result_alloc (void)
{
  GPtrArray *pool = g_private_get (&result_pool);

  if (pool != NULL && pool->len > 0)
    return g_ptr_array_steal_index_fast (pool, pool->len - 1);
  return g_object_new (JANUS_TYPE_NET_RESULT, NULL);
}

/* What finalize frees, and the state of a new result. */
static void
net_result_clear (JanusNetResult *self)
{
  g_clear_object (&self->source);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->kernel);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_pointer (&self->json, json_node_unref);
  g_clear_error (&self->error);
  g_clear_object (&self->proxy);
  self->callback = NULL;
  self->user_data = NULL;
  self->tag = NULL;
  self->cancelled_id = 0;
  self->runtime = NULL;
  self->agent_id = 0;
  self->sync = FALSE;
  atomic_store_explicit (&self->done, FALSE, memory_order_relaxed);
  self->finished = FALSE;
}

/* Whether a handler is connected to @object: the only signal a result has
 * is GObject's notify, and GLib keeps handlers outside qdata. */
static gboolean
has_notify_handler (GObject *object)
{
  static atomic_uint notify_id;
  guint id = atomic_load_explicit (&notify_id, memory_order_relaxed);

  if (G_UNLIKELY (id == 0))
    {
      id = g_signal_lookup ("notify", G_TYPE_OBJECT);
      atomic_store_explicit (&notify_id, id, memory_order_relaxed);
    }
  return g_signal_has_handler_pending (object, id, 0, TRUE);
}

/* Drops a reference to @self: the last one keeps it for reuse when it can. */
static void
net_result_release (JanusNetResult *self)
{
  GObject *object = G_OBJECT (self);
  GPtrArray *pool;

  /* the only reference: nobody else can take one or touch the object */
  if (G_UNLIKELY (janus_debug_flags & JANUS_DEBUG_NO_CACHE)
      || g_atomic_int_get (&object->ref_count) != 1
      || g_atomic_pointer_get (&object->qdata) != NULL
      || has_notify_handler (object))
    {
      g_object_unref (self);
      return;
    }
  pool = g_private_get (&result_pool);
  if (pool == NULL)
    {
      pool = g_ptr_array_new_with_free_func (g_object_unref);
      g_private_set (&result_pool, pool);
    }
  if (pool->len >= POOL_MAX)
    {
      g_object_unref (self);
      return;
    }
  net_result_clear (self);
  g_ptr_array_add (pool, self);
}

/* g_autoptr(JanusNetResultRef): a reference given back with
 * net_result_release () */
typedef JanusNetResult JanusNetResultRef;
G_DEFINE_AUTOPTR_CLEANUP_FUNC (JanusNetResultRef, net_result_release)

static JanusNetResult *
net_result_new (gpointer             source,
                GCancellable        *cancellable,
                GAsyncReadyCallback  callback,
                gpointer             user_data,
                gpointer             tag,
                gboolean             sync)
{
  JanusNetResult *self = net_result_alloc ();
  JanusAgent *agent = janus_agent_get_current ();

  self->source = g_object_ref (source);
  self->callback = callback;
  self->user_data = user_data;
  self->tag = tag;
  self->sync = sync;
  if (!sync && agent != NULL)
    {
      self->kernel = g_object_ref (janus_agent_get_kernel (agent));
      self->runtime = janus_agent_get_runtime (agent);
      self->agent_id = janus_address_get_id (janus_agent_get_address (agent));
    }
  else if (!sync)
    self->context = g_main_context_ref_thread_default ();
  if (cancellable != NULL)
    {
      self->cancellable = g_object_ref (cancellable);
      self->cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (on_cancelled),
                                                  g_object_ref (self), g_object_unref);
    }
  return self;
}

static void
disconnect_cancellable (JanusNetResult *self)
{
  if (self->cancelled_id != 0)
    {
      g_cancellable_disconnect (self->cancellable, self->cancelled_id);
      self->cancelled_id = 0;
    }
}

static void
dispatch (JanusNetResult *self)
{
  disconnect_cancellable (self);
  if (self->callback != NULL)
    self->callback (self->source, (GAsyncResult *) self, self->user_data);
}

/* Results for one main context, dispatched in batches: the first result
 * of a burst attaches an idle source, the next ones only join the queue,
 * so a busy caller is woken once per burst rather than once per call. */
typedef struct
{
  GMainContext   *context;      /* strong */
  JanusNetResult *head;         /* strong, linked through their next */
  JanusNetResult *tail;
} Batch;

static GMutex batches_lock;
static GHashTable *batches;     /* GMainContext -> Batch, while a burst lasts */

static gboolean
dispatch_batch (gpointer data)
{
  Batch *batch = data;
  JanusNetResult *result;

  g_mutex_lock (&batches_lock);
  result = batch->head;
  batch->head = batch->tail = NULL;
  if (result == NULL)
    {
      /* the burst is over */
      g_hash_table_remove (batches, batch->context);
      g_mutex_unlock (&batches_lock);
      g_main_context_unref (batch->context);
      g_free (batch);
      return G_SOURCE_REMOVE;
    }
  g_mutex_unlock (&batches_lock);
  while (result != NULL)
    {
      JanusNetResult *next = result->next;

      result->next = NULL;
      dispatch (result);
      net_result_release (result);
      result = next;
    }
  return G_SOURCE_CONTINUE;
}

static void
deliver_to_context (JanusNetResult *self)
{
  Batch *batch;

  g_mutex_lock (&batches_lock);
  if (batches == NULL)
    batches = g_hash_table_new (NULL, NULL);
  batch = g_hash_table_lookup (batches, self->context);
  if (batch == NULL)
    {
      GSource *idle = g_idle_source_new ();

      batch = g_new0 (Batch, 1);
      batch->context = g_main_context_ref (self->context);
      g_hash_table_insert (batches, batch->context, batch);
      /* never in the completing call itself, even on the context's own
       * thread: callers may complete from a cancel handler */
      g_source_set_callback (idle, dispatch_batch, batch, NULL);
      g_source_set_static_name (idle, "JanusProxy results");
      g_source_attach (idle, self->context);
      g_source_unref (idle);
    }
  g_object_ref (self);
  if (batch->tail != NULL)
    batch->tail->next = self;
  else
    batch->head = self;
  batch->tail = self;
  g_mutex_unlock (&batches_lock);
}

typedef struct
{
  JanusAgentTask  base;
  JanusNetResult *result;
} ResultTask;

static void
result_task_run (JanusAgentTask *task,
                 JanusAgent     *agent)
{
  JanusNetResult *self = ((ResultTask *) task)->result;

  g_free (task);
  dispatch (self);
  net_result_release (self);
}

static void
result_task_cancel (JanusAgentTask *task)
{
  JanusNetResult *self = ((ResultTask *) task)->result;

  /* the agent died: its callback never runs */
  g_free (task);
  disconnect_cancellable (self);
  g_object_unref (self);
}

static void
deliver (JanusNetResult *self)
{
  if (self->kernel != NULL)
    {
      ResultTask *task = g_new0 (ResultTask, 1);

      task->base.run = result_task_run;
      task->base.cancel = result_task_cancel;
      task->result = g_object_ref (self);
      if (!janus_agent_post_task_to (self->runtime, self->agent_id, &task->base))
        result_task_cancel (&task->base);
    }
  else
    deliver_to_context (self);
}

/* The first completion wins; later ones (an answer after a cancel) are
 * dropped. Takes @json and @proxy. */
static void
net_result_complete (JanusNetResult *self,
                     JsonNode       *json,
                     const GError   *error,
                     JanusProxy     *proxy)
{
  if (atomic_exchange_explicit (&self->done, TRUE, memory_order_acq_rel))
    {
      g_clear_pointer (&json, json_node_unref);
      g_clear_object (&proxy);
      return;
    }
  /* under the lock: the callback's thread reads the outcome under it
   * (the hand-over through a main context or an inbox orders it as well,
   * but only the lock is visible to ThreadSanitizer) */
  g_mutex_lock (&self->lock);
  self->json = json;
  self->error = error ? g_error_copy (error) : NULL;
  self->proxy = proxy;
  self->finished = TRUE;
  /* only a sync caller waits (a broadcast is a system call) */
  if (self->sync)
    g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
  if (!self->sync)
    deliver (self);
}

static void
net_result_wait (JanusNetResult *self)
{
  g_mutex_lock (&self->lock);
  while (!self->finished)
    g_cond_wait (&self->cond, &self->lock);
  g_mutex_unlock (&self->lock);
  disconnect_cancellable (self);
}

static gboolean
net_result_check (GAsyncResult *result,
                  gpointer      source,
                  gpointer      tag)
{
  JanusNetResult *self = (JanusNetResult *) result;

  return JANUS_IS_NET_RESULT (result) && self->source == source && self->tag == tag;
}

/* The outcome: the JSON result (transfer full) or FALSE with @error. */
static gboolean
net_result_propagate (JanusNetResult  *self,
                      JsonNode       **json,
                      JanusProxy     **proxy,
                      GError         **error)
{
  gboolean ok;

  g_mutex_lock (&self->lock);
  ok = self->error == NULL;
  if (!ok)
    g_propagate_error (error, g_steal_pointer (&self->error));
  else
    {
      if (json != NULL)
        *json = g_steal_pointer (&self->json);
      if (proxy != NULL)
        *proxy = g_steal_pointer (&self->proxy);
    }
  g_mutex_unlock (&self->lock);
  return ok;
}

static gpointer
net_result_get_user_data (GAsyncResult *result)
{
  return JANUS_NET_RESULT (result)->user_data;
}

static GObject *
net_result_get_source_object (GAsyncResult *result)
{
  return g_object_ref (JANUS_NET_RESULT (result)->source);
}

static gboolean
net_result_is_tagged (GAsyncResult *result,
                      gpointer      tag)
{
  return JANUS_NET_RESULT (result)->tag == tag;
}

static void
janus_net_result_async_result_init (GAsyncResultIface *iface)
{
  iface->get_user_data = net_result_get_user_data;
  iface->get_source_object = net_result_get_source_object;
  iface->is_tagged = net_result_is_tagged;
}

static void
janus_net_result_finalize (GObject *object)
{
  JanusNetResult *self = JANUS_NET_RESULT (object);

  net_result_clear (self);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);

  G_OBJECT_CLASS (janus_net_result_parent_class)->finalize (object);
}

static void
janus_net_result_class_init (JanusNetResultClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = janus_net_result_finalize;
}

static void
janus_net_result_init (JanusNetResult *self)
{
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
}

/* The request's answer completes the result (network thread). */
static void
on_answer (JsonNode     *result,
           const GError *error,
           gpointer      data)
{
  net_result_complete (data, result, error, NULL);
  g_object_unref (data);
}

gboolean
janus_net_refuse_blocking (JanusNetwork  *network,
                           GError       **error)
{
  JanusAgent *agent = janus_agent_get_current ();

  if (network != NULL && janus_network_is_network_thread (network))
    {
      g_set_error_literal (error, JANUS_NET_ERROR, JANUS_NET_ERROR_WRONG_THREAD,
                           "A blocking network call on the network thread would never end");
      return TRUE;
    }
  if (agent != NULL && !janus_agent_is_heavy (agent))
    {
      g_set_error (error, JANUS_NET_ERROR, JANUS_NET_ERROR_WRONG_THREAD,
                   "Light agent %s must not block its worker on the network: "
                   "use the asynchronous call", G_OBJECT_TYPE_NAME (agent));
      return TRUE;
    }
  return FALSE;
}

/* -------------------------------------------------------------- proxy */

struct _JanusProxy
{
  GObject          parent_instance;

  JanusNetwork    *network;       /* strong; immutable */
  char            *key;           /* the peer, host:port; immutable */
  JanusAddress     address;       /* immutable */
  char            *type_name;     /* immutable */
  _Atomic gint64   timeout;       /* µs; -1: the network's */

  GMutex           lock;          /* guards connection */
  JanusConnection *connection;    /* strong; replaced once closed */
};

enum {
  PROP_0,
  PROP_ADDRESS,
  PROP_TYPE_NAME,
  PROP_TIMEOUT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (JanusProxy, janus_proxy, G_TYPE_OBJECT)

JanusProxy *
janus_proxy_new_on (JanusNetwork    *network,
                    JanusConnection *connection,
                    guint64          agent_id,
                    const char      *type_name)
{
  JanusProxy *self = g_object_new (JANUS_TYPE_PROXY, NULL);
  guint8 uuid[16];

  self->network = g_object_ref (network);
  self->key = g_strdup (connection->key);
  janus_net_endpoint_uuid (self->key, uuid);
  janus_address_init (&self->address, uuid, agent_id);
  self->type_name = g_strdup (type_name);
  self->connection = janus_connection_ref (connection);
  return self;
}

/* The connection to the proxy's kernel: the cached one while it is open,
 * else a new one (reconnection on next use). */
static JanusConnection *
proxy_connection (JanusProxy  *self,
                  GError     **error)
{
  JanusConnection *connection;

  g_mutex_lock (&self->lock);
  if (self->connection == NULL || janus_connection_is_closed (self->connection))
    {
      JanusConnection *fresh = janus_network_get_connection (self->network, self->key, error);
      if (fresh == NULL)
        {
          /* @error says why (the network is shut down, say) */
          g_mutex_unlock (&self->lock);
          return NULL;
        }
      g_clear_pointer (&self->connection, janus_connection_unref);
      self->connection = fresh;
    }
  /* a fresh connection that already failed tells why when used */
  connection = self->connection ? janus_connection_ref (self->connection) : NULL;
  g_mutex_unlock (&self->lock);
  if (connection == NULL && error != NULL && *error == NULL)
    g_set_error (error, JANUS_NET_ERROR, JANUS_NET_ERROR_CLOSED,
                 "No connection to %s", self->key);
  return connection;
}

GObject *
janus_net_dup_object (JanusConnection  *connection,
                      JsonNode         *node,
                      GError          **error)
{
  JanusCodec *codec = connection->network->codec;
  JsonNode *data;
  gint64 type_id;
  guint64 agent_id;
  const char *rest;

  if (janus_codec_split_typed (node, &type_id, &data)
      && type_id == janus_codec_get_proxy_type_id (codec))
    {
      if (!JSON_NODE_HOLDS_VALUE (data) || json_node_get_value_type (data) != G_TYPE_STRING
          || !janus_net_path_agent_id (json_node_get_string (data), &agent_id, &rest)
          || *rest != '\0')
        {
          g_set_error_literal (error, JANUS_NET_ERROR, JANUS_NET_ERROR_CODEC,
                               "An agent must be a path “agents/<id>”");
          return NULL;
        }
      return G_OBJECT (janus_proxy_new_on (connection->network, connection, agent_id, NULL));
    }
  return janus_codec_deserialize_object (codec, node, error);
}

/**
 * janus_proxy_dup_object:
 * @self: a proxy
 * @node: a `{"__type__": [type_id, data]}` object from one of its results
 * @error: return location for a #GError
 *
 * Makes the object a result describes: a [class@Janus.Proxy] for an agent
 * of the proxy's kernel, or an object of a type registered with the
 * network's codec.
 *
 * Returns: (transfer full) (nullable): the object, or %NULL with @error set
 */
GObject *
janus_proxy_dup_object (JanusProxy  *self,
                        JsonNode    *node,
                        GError     **error)
{
  g_autoptr(JanusConnection) connection = NULL;

  g_return_val_if_fail (JANUS_IS_PROXY (self), NULL);
  g_return_val_if_fail (node != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  connection = proxy_connection (self, error);
  if (connection == NULL)
    return NULL;
  return janus_net_dup_object (connection, node, error);
}

/* "agents/<id>/<method>": in @buffer when it fits (a call's usual case,
 * without printf), else in *@long_path. */
static const char *
call_path (JanusProxy  *self,
           const char  *method,
           char         buffer[128],
           char       **long_path)
{
  char digits[24], *d = digits + sizeof digits;
  guint64 id = self->address.id;
  gsize n_digits, n_method = strlen (method);

  do
    *--d = (char) ('0' + id % 10);
  while ((id /= 10) != 0);
  n_digits = digits + sizeof digits - d;
  if (7 + n_digits + 1 + n_method + 1 > 128)
    return *long_path = g_strdup_printf ("agents/%" G_GUINT64_FORMAT "/%s", self->address.id, method);
  memcpy (buffer, "agents/", 7);
  memcpy (buffer + 7, d, n_digits);
  buffer[7 + n_digits] = '/';
  memcpy (buffer + 8 + n_digits, method, n_method + 1);
  return buffer;
}

static gboolean
start_call (JanusProxy      *self,
            const char      *method,
            JsonArray       *args,
            JsonObject      *kwargs,
            JanusNetResult  *result)
{
  g_autoptr(JanusConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *long_path = NULL;
  char buffer[128];
  const char *path;

  connection = proxy_connection (self, &error);
  path = call_path (self, method, buffer, &long_path);
  if (connection != NULL
      && janus_connection_request (connection, path, args, kwargs,
                                   atomic_load_explicit (&self->timeout, memory_order_relaxed),
                                   on_answer, g_object_ref (result), &error))
    return TRUE;
  if (connection != NULL)
    g_object_unref (result);          /* the request's reference */
  net_result_complete (result, NULL, error, NULL);
  return FALSE;
}

/* GVariant arguments as JSON; FALSE (the result completed) on failure. */
static gboolean
variant_arguments (GVariant        *args,
                   GVariant        *kwargs,
                   JsonNode       **args_node,
                   JsonNode       **kwargs_node,
                   JanusNetResult  *result)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) a = args ? g_variant_ref_sink (args) : NULL;
  g_autoptr(GVariant) k = kwargs ? g_variant_ref_sink (kwargs) : NULL;

  *args_node = a ? janus_json_from_variant (a, &error) : NULL;
  if (error == NULL && k != NULL)
    *kwargs_node = janus_json_from_variant (k, &error);
  if (error == NULL)
    return TRUE;
  g_clear_pointer (args_node, json_node_unref);
  net_result_complete (result, NULL, error, NULL);
  return FALSE;
}

/**
 * janus_proxy_call_json_async:
 * @self: a proxy
 * @method: the exposed method's name
 * @args: (nullable): the positional arguments (a JSON array), or %NULL
 *   for none
 * @kwargs: (nullable): the keyword arguments, or %NULL for none
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called with the outcome (see where in the class
 *   description)
 * @user_data: data for @callback
 *
 * Calls @method of the remote agent. The arguments are encoded before
 * this returns: the caller keeps them. MT safe; never blocks.
 */
void
janus_proxy_call_json_async (JanusProxy          *self,
                             const char          *method,
                             JsonArray           *args,
                             JsonObject          *kwargs,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(JanusNetResultRef) result = NULL;

  g_return_if_fail (JANUS_IS_PROXY (self));
  g_return_if_fail (method != NULL);

  result = net_result_new (self, cancellable, callback, user_data, janus_proxy_call_json_async, FALSE);
  start_call (self, method, args, kwargs, result);
}

/**
 * janus_proxy_call_json_finish:
 * @self: a proxy
 * @result: the result given to the callback
 * @error: return location for a #GError
 *
 * Gets the outcome of [method@Janus.Proxy.call_json_async].
 *
 * Returns: (transfer full) (nullable): the result (a `null` result is a
 *   null node), or %NULL with @error set
 */
JsonNode *
janus_proxy_call_json_finish (JanusProxy    *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  JsonNode *json = NULL;

  g_return_val_if_fail (JANUS_IS_PROXY (self), NULL);
  g_return_val_if_fail (net_result_check (result, self, janus_proxy_call_json_async), NULL);

  if (!net_result_propagate ((JanusNetResult *) result, &json, NULL, error))
    return NULL;
  return json;
}

/**
 * janus_proxy_call_json_sync:
 * @self: a proxy
 * @method: the exposed method's name
 * @args: (nullable): the positional arguments, or %NULL
 * @kwargs: (nullable): the keyword arguments, or %NULL
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Calls @method and waits for the outcome: for heavy agents and threads
 * that are not a kernel's workers (see the class description).
 *
 * Returns: (transfer full) (nullable): the result, or %NULL with @error set
 */
JsonNode *
janus_proxy_call_json_sync (JanusProxy    *self,
                            const char    *method,
                            JsonArray     *args,
                            JsonObject    *kwargs,
                            GCancellable  *cancellable,
                            GError       **error)
{
  g_autoptr(JanusNetResultRef) result = NULL;
  JsonNode *json = NULL;

  g_return_val_if_fail (JANUS_IS_PROXY (self), NULL);
  g_return_val_if_fail (method != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (janus_net_refuse_blocking (self->network, error))
    return NULL;
  result = net_result_new (self, cancellable, NULL, NULL, NULL, TRUE);
  start_call (self, method, args, kwargs, result);
  net_result_wait (result);
  if (!net_result_propagate (result, &json, NULL, error))
    return NULL;
  return json;
}

/**
 * janus_proxy_call_async:
 * @self: a proxy
 * @method: the exposed method's name
 * @args: (nullable): a tuple of positional arguments (a floating reference
 *   is sunk), or %NULL for none
 * @kwargs: (nullable): an `a{sv}` dictionary of keyword arguments, or
 *   %NULL for none
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called with the outcome (see where in the class
 *   description)
 * @user_data: data for @callback
 *
 * Calls @method of the remote agent with #GVariant arguments (converted
 * to JSON with [func@Janus.json_from_variant]). MT safe; never blocks.
 */
void
janus_proxy_call_async (JanusProxy          *self,
                        const char          *method,
                        GVariant            *args,
                        GVariant            *kwargs,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(JanusNetResultRef) result = NULL;
  g_autoptr(JsonNode) a = NULL, k = NULL;

  g_return_if_fail (JANUS_IS_PROXY (self));
  g_return_if_fail (method != NULL);
  g_return_if_fail (args == NULL || g_variant_is_of_type (args, G_VARIANT_TYPE_TUPLE));
  g_return_if_fail (kwargs == NULL || g_variant_is_of_type (kwargs, G_VARIANT_TYPE_VARDICT));

  result = net_result_new (self, cancellable, callback, user_data, janus_proxy_call_async, FALSE);
  if (variant_arguments (args, kwargs, &a, &k, result))
    start_call (self, method, a ? json_node_get_array (a) : NULL,
                k ? json_node_get_object (k) : NULL, result);
}

static GVariant *
variant_result (JsonNode  *json,
                GError   **error)
{
  g_autoptr(JsonNode) owned = json;

  return janus_json_to_variant (owned, NULL, error);
}

/**
 * janus_proxy_call_finish:
 * @self: a proxy
 * @result: the result given to the callback
 * @error: return location for a #GError
 *
 * Gets the outcome of [method@Janus.Proxy.call_async], converted to its
 * natural #GVariant (see [func@Janus.json_to_variant]; `null` is the
 * nothing of type `mv`).
 *
 * Returns: (transfer full) (nullable): the result, or %NULL with @error set
 */
GVariant *
janus_proxy_call_finish (JanusProxy    *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  JsonNode *json = NULL;

  g_return_val_if_fail (JANUS_IS_PROXY (self), NULL);
  g_return_val_if_fail (net_result_check (result, self, janus_proxy_call_async), NULL);

  if (!net_result_propagate ((JanusNetResult *) result, &json, NULL, error))
    return NULL;
  return variant_result (json, error);
}

/**
 * janus_proxy_call_sync:
 * @self: a proxy
 * @method: the exposed method's name
 * @args: (nullable): a tuple of positional arguments, or %NULL
 * @kwargs: (nullable): an `a{sv}` of keyword arguments, or %NULL
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Calls @method and waits for the outcome: for heavy agents and threads
 * that are not a kernel's workers.
 *
 * Returns: (transfer full) (nullable): the result, or %NULL with @error set
 */
GVariant *
janus_proxy_call_sync (JanusProxy    *self,
                       const char    *method,
                       GVariant      *args,
                       GVariant      *kwargs,
                       GCancellable  *cancellable,
                       GError       **error)
{
  g_autoptr(JanusNetResultRef) result = NULL;
  g_autoptr(JsonNode) a = NULL, k = NULL;
  JsonNode *json = NULL;

  g_return_val_if_fail (JANUS_IS_PROXY (self), NULL);
  g_return_val_if_fail (method != NULL, NULL);
  g_return_val_if_fail (args == NULL || g_variant_is_of_type (args, G_VARIANT_TYPE_TUPLE), NULL);
  g_return_val_if_fail (kwargs == NULL || g_variant_is_of_type (kwargs, G_VARIANT_TYPE_VARDICT), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (janus_net_refuse_blocking (self->network, error))
    {
      if (args)
        g_variant_unref (g_variant_ref_sink (args));
      if (kwargs)
        g_variant_unref (g_variant_ref_sink (kwargs));
      return NULL;
    }
  result = net_result_new (self, cancellable, NULL, NULL, NULL, TRUE);
  if (variant_arguments (args, kwargs, &a, &k, result))
    start_call (self, method, a ? json_node_get_array (a) : NULL,
                k ? json_node_get_object (k) : NULL, result);
  net_result_wait (result);
  if (!net_result_propagate (result, &json, NULL, error))
    return NULL;
  return variant_result (json, error);
}

/* ------------------------------------------------------------- connect */

static void
on_validated (JsonNode     *answer,
              const GError *error,
              gpointer      data)
{
  JanusNetResult *result = data;
  JanusConnection *connection = g_object_get_data (G_OBJECT (result), "janus-connection");
  guint64 id = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (result), "janus-agent-id"));
  g_autoptr(JsonNode) owned = answer;

  if (answer == NULL)
    net_result_complete (result, NULL, error, NULL);
  else if (JSON_NODE_HOLDS_VALUE (answer) && json_node_get_value_type (answer) == G_TYPE_STRING)
    net_result_complete (result, NULL, NULL,
                         janus_proxy_new_on (connection->network, connection, id,
                                             json_node_get_string (answer)));
  else
    {
      g_autoptr(GError) unknown = g_error_new (JANUS_NET_ERROR, JANUS_NET_ERROR_UNKNOWN_AGENT,
                                               "%s has no agent %" G_GUINT64_FORMAT,
                                               connection->key, id);
      net_result_complete (result, NULL, unknown, NULL);
    }
  g_object_unref (result);
}

static void
start_connect (JanusKernel    *kernel,
               const char     *address,
               JanusNetResult *result)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JanusConnection) connection = NULL;
  g_autoptr(JsonArray) args = json_array_new ();
  g_autofree char *key = NULL, *aid = NULL;
  guint8 uuid[16];
  guint64 id;

  if (!janus_net_endpoint_parse (address, uuid, &id) || id == G_MAXUINT64)
    {
      g_set_error (&error, JANUS_MESSAGE_ERROR, JANUS_MESSAGE_ERROR_INVALID_ADDRESS,
                   "“%s” is not an agent's network address tcp://host:port/<id>", address);
      net_result_complete (result, NULL, error, NULL);
      return;
    }
  key = janus_net_endpoint_key (uuid);
  connection = janus_network_get_connection (janus_kernel_get_network (kernel), key, &error);
  if (connection == NULL)
    {
      net_result_complete (result, NULL, error, NULL);
      return;
    }
  aid = g_strdup_printf ("%" G_GUINT64_FORMAT, id);
  json_array_add_string_element (args, aid);
  g_object_set_data_full (G_OBJECT (result), "janus-connection",
                          janus_connection_ref (connection), (GDestroyNotify) janus_connection_unref);
  g_object_set_data (G_OBJECT (result), "janus-agent-id", GSIZE_TO_POINTER ((gsize) id));
  if (!janus_connection_request (connection, "validate_aid", args, NULL, -1,
                                 on_validated, g_object_ref (result), &error))
    {
      g_object_unref (result);
      net_result_complete (result, NULL, error, NULL);
    }
}

/**
 * janus_kernel_connect_async:
 * @kernel: a kernel
 * @address: an agent's network address, `tcp://host:port/<id>`
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called with the outcome (see where in
 *   [class@Janus.Proxy])
 * @user_data: data for @callback
 *
 * Connects to the kernel at host:port (or reuses the connection to it:
 * one per remote kernel) and asks it whether agent <id> exists (aiomas'
 * `validate_aid`). MT safe; never blocks.
 */
void
janus_kernel_connect_async (JanusKernel         *kernel,
                            const char          *address,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(JanusNetResultRef) result = NULL;

  g_return_if_fail (JANUS_IS_KERNEL (kernel));
  g_return_if_fail (address != NULL);

  result = net_result_new (kernel, cancellable, callback, user_data, janus_kernel_connect_async, FALSE);
  start_connect (kernel, address, result);
}

/**
 * janus_kernel_connect_finish:
 * @kernel: a kernel
 * @result: the result given to the callback
 * @error: return location for a #GError
 *
 * Gets the proxy [method@Janus.Kernel.connect_async] made.
 *
 * Returns: (transfer full) (nullable): the proxy, or %NULL with @error set
 *   (%JANUS_MESSAGE_ERROR_INVALID_ADDRESS, %JANUS_NET_ERROR_UNKNOWN_AGENT,
 *   %JANUS_NET_ERROR_REFUSED, …)
 */
JanusProxy *
janus_kernel_connect_finish (JanusKernel   *kernel,
                             GAsyncResult  *result,
                             GError       **error)
{
  JanusProxy *proxy = NULL;

  g_return_val_if_fail (JANUS_IS_KERNEL (kernel), NULL);
  g_return_val_if_fail (net_result_check (result, kernel, janus_kernel_connect_async), NULL);

  if (!net_result_propagate ((JanusNetResult *) result, NULL, &proxy, error))
    return NULL;
  return proxy;
}

/**
 * janus_kernel_connect_sync:
 * @kernel: a kernel
 * @address: an agent's network address, `tcp://host:port/<id>`
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Like [method@Janus.Kernel.connect_async], waiting for the outcome: for
 * heavy agents and threads that are not a kernel's workers.
 *
 * Returns: (transfer full) (nullable): the proxy, or %NULL with @error set
 */
JanusProxy *
janus_kernel_connect_sync (JanusKernel   *kernel,
                           const char    *address,
                           GCancellable  *cancellable,
                           GError       **error)
{
  g_autoptr(JanusNetResultRef) result = NULL;

  g_return_val_if_fail (JANUS_IS_KERNEL (kernel), NULL);
  g_return_val_if_fail (address != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (janus_net_refuse_blocking (janus_kernel_get_network (kernel), error))
    return NULL;
  result = net_result_new (kernel, cancellable, NULL, NULL, NULL, TRUE);
  start_connect (kernel, address, result);
  JanusProxy *proxy = NULL;

  net_result_wait (result);
  if (!net_result_propagate (result, NULL, &proxy, error))
    return NULL;
  return proxy;
}

/* ---------------------------------------------------------- accessors */

/**
 * janus_proxy_get_address:
 * @self: a proxy
 *
 * Gets the remote agent's address, `tcp://host:port/<id>` once printed;
 * messages sent to it go to the agent through the network.
 *
 * Returns: (transfer none): the address
 */
const JanusAddress *
janus_proxy_get_address (JanusProxy *self)
{
  g_return_val_if_fail (JANUS_IS_PROXY (self), NULL);

  return &self->address;
}

/**
 * janus_proxy_get_type_name:
 * @self: a proxy
 *
 * Gets the remote agent's type name, as its kernel reported it.
 *
 * Returns: (nullable): the type name, or %NULL for a proxy that came in an
 *   argument or result (not asked)
 */
const char *
janus_proxy_get_type_name (JanusProxy *self)
{
  g_return_val_if_fail (JANUS_IS_PROXY (self), NULL);

  return self->type_name;
}

/**
 * janus_proxy_get_timeout:
 * @self: a proxy
 *
 * Gets [property@Janus.Proxy:timeout].
 *
 * Returns: the time-out of calls, in microseconds; -1 for the network's
 *   [property@Janus.Network:call-timeout], 0 for none
 */
gint64
janus_proxy_get_timeout (JanusProxy *self)
{
  g_return_val_if_fail (JANUS_IS_PROXY (self), -1);

  return atomic_load_explicit (&self->timeout, memory_order_relaxed);
}

/**
 * janus_proxy_set_timeout:
 * @self: a proxy
 * @timeout: microseconds; -1 for the network's default, 0 for none
 *
 * Sets [property@Janus.Proxy:timeout]. MT safe.
 */
void
janus_proxy_set_timeout (JanusProxy *self,
                         gint64      timeout)
{
  g_return_if_fail (JANUS_IS_PROXY (self));
  g_return_if_fail (timeout >= -1);

  if (atomic_exchange_explicit (&self->timeout, timeout, memory_order_relaxed) != timeout)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TIMEOUT]);
}

static void
janus_proxy_finalize (GObject *object)
{
  JanusProxy *self = JANUS_PROXY (object);

  g_clear_pointer (&self->connection, janus_connection_unref);
  g_clear_object (&self->network);
  g_free (self->key);
  g_free (self->type_name);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (janus_proxy_parent_class)->finalize (object);
}

static void
janus_proxy_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  JanusProxy *self = JANUS_PROXY (object);

  switch (prop_id)
    {
    case PROP_ADDRESS:
      g_value_set_boxed (value, &self->address);
      break;
    case PROP_TYPE_NAME:
      g_value_set_string (value, self->type_name);
      break;
    case PROP_TIMEOUT:
      g_value_set_int64 (value, janus_proxy_get_timeout (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
janus_proxy_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  switch (prop_id)
    {
    case PROP_TIMEOUT:
      janus_proxy_set_timeout (JANUS_PROXY (object), g_value_get_int64 (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
janus_proxy_class_init (JanusProxyClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = janus_proxy_finalize;
  object_class->get_property = janus_proxy_get_property;
  object_class->set_property = janus_proxy_set_property;

  /**
   * JanusProxy:address: (attributes org.gtk.Property.get=janus_proxy_get_address)
   *
   * The remote agent's address.
   */
  properties[PROP_ADDRESS] =
    g_param_spec_boxed ("address", NULL, NULL, JANUS_TYPE_ADDRESS,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * JanusProxy:type-name: (attributes org.gtk.Property.get=janus_proxy_get_type_name)
   *
   * The remote agent's type name, or %NULL if not asked.
   */
  properties[PROP_TYPE_NAME] =
    g_param_spec_string ("type-name", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * JanusProxy:timeout: (attributes org.gtk.Property.get=janus_proxy_get_timeout org.gtk.Property.set=janus_proxy_set_timeout)
   *
   * How long a call waits for its answer, in microseconds: -1 (the
   * default) for the network's [property@Janus.Network:call-timeout], 0
   * for ever. A call past it fails with %JANUS_NET_ERROR_TIMED_OUT.
   */
  properties[PROP_TIMEOUT] =
    g_param_spec_int64 ("timeout", NULL, NULL, -1, G_MAXINT64, -1,
                        G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
janus_proxy_init (JanusProxy *self)
{
  g_mutex_init (&self->lock);
  atomic_init (&self->timeout, -1);
}
