/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "janus-kernel-private.h"
#include "janus-net-endpoint-private.h"
#include "janus-net-private.h"

/**
 * JanusNetwork:
 *
 * A kernel's network endpoint: its listening socket, its connections to
 * other kernels (one per remote kernel, shared by every proxy to it) and
 * the thread that runs them.
 *
 * All network I/O happens on one dedicated thread per network, with its
 * own #GMainContext: agents and workers never block on the network. Other
 * threads encode what they send themselves and hand the bytes over; the
 * network thread writes them, reads, splits frames and hands requests to
 * the kernel.
 *
 * The wire format is aiomas 2.0's (see the network guide): frames of a
 * 4-byte big-endian length and a payload, the payload an array
 * `[type, id, content]` encoded by the network's [class@Janus.Codec].
 *
 * Limits, each per connection: the size of a frame
 * ([property@Janus.Network:max-frame-size], larger frames close the
 * connection they arrive on), the number of requests sent and not yet
 * answered ([property@Janus.Network:max-pending-calls]) and the bytes
 * waiting to be written ([property@Janus.Network:send-limit]): beyond
 * those a new request fails at once with %JANUS_NET_ERROR_BUSY, so a fast
 * sender cannot grow memory without bound. On the receiving side a
 * connection stops being read while too many of its requests (4096) wait
 * for an answer; TCP then slows the sender down. A peer that keeps sending
 * requests without reading the answers is cut off once four times the
 * send limit waits for it.
 *
 * Set the codec and the limits before the network starts (its first listen
 * or connection); the call time-out may change at any time.
 */

enum {
  PROP_0,
  PROP_LISTEN_URI,
  PROP_CODEC,
  PROP_MAX_FRAME_SIZE,
  PROP_CALL_TIMEOUT,
  PROP_SEND_LIMIT,
  PROP_MAX_PENDING_CALLS,
  N_PROPS
};

enum {
  CONNECTION_CLOSED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (JanusNetwork, janus_network, G_TYPE_OBJECT)

#define DEFAULT_MAX_FRAME_SIZE   (4 * 1024 * 1024)
#define DEFAULT_MAX_PENDING      65536
#define DEFAULT_MAX_INCOMING     4096
#define DEFAULT_SEND_LIMIT       (16 * 1024 * 1024)
#define SHUTDOWN_FLUSH_USEC      (2 * G_USEC_PER_SEC)

/* -------------------------------------------------------------- kicks */

typedef struct
{
  GSource       source;
  JanusNetwork *network;          /* borrowed: the source dies first */
} KickSource;

static gboolean
kick_prepare (GSource *source,
              gint    *timeout)
{
  *timeout = -1;
  return atomic_load_explicit (&((KickSource *) source)->network->kick_pending, memory_order_acquire);
}

static gboolean
kick_check (GSource *source)
{
  return atomic_load_explicit (&((KickSource *) source)->network->kick_pending, memory_order_acquire);
}

static gboolean
kick_dispatch (GSource     *source,
               GSourceFunc  callback,
               gpointer     user_data)
{
  JanusNetwork *self = ((KickSource *) source)->network;
  g_autoptr(GPtrArray) kicked = NULL;

  g_mutex_lock (&self->kick_lock);
  kicked = self->kicked;
  self->kicked = g_ptr_array_new ();
  for (guint i = 0; i < kicked->len; i++)
    ((JanusConnection *) kicked->pdata[i])->kicked = FALSE;
  atomic_store_explicit (&self->kick_pending, FALSE, memory_order_relaxed);
  g_mutex_unlock (&self->kick_lock);

  for (guint i = 0; i < kicked->len; i++)
    {
      janus_connection_service (kicked->pdata[i]);
      janus_connection_unref (kicked->pdata[i]);
    }
  return G_SOURCE_CONTINUE;
}

static GSourceFuncs kick_funcs = { kick_prepare, kick_check, kick_dispatch, NULL, NULL, NULL };

/* Any thread: the network thread services @connection soon. */
void
janus_network_kick (JanusNetwork    *self,
                    JanusConnection *connection)
{
  gboolean was;

  g_mutex_lock (&self->kick_lock);
  if (!connection->kicked)
    {
      connection->kicked = TRUE;
      g_ptr_array_add (self->kicked, janus_connection_ref (connection));
    }
  was = atomic_exchange_explicit (&self->kick_pending, TRUE, memory_order_release);
  g_mutex_unlock (&self->kick_lock);
  if (!was && self->context != NULL)
    g_main_context_wakeup (self->context);
}

/* ------------------------------------------------------------ deadlines */

void
janus_network_note_deadline (JanusNetwork *self,
                             gint64        deadline)
{
  if (deadline >= self->next_deadline)
    return;
  self->next_deadline = deadline;
  g_source_set_ready_time (self->timer_source, deadline);
}

static GPtrArray *
list_connections (JanusNetwork *self)
{
  GPtrArray *all = g_ptr_array_new_with_free_func ((GDestroyNotify) janus_connection_unref);

  g_mutex_lock (&self->lock);
  for (guint i = 0; i < self->connections->len; i++)
    g_ptr_array_add (all, janus_connection_ref (self->connections->pdata[i]));
  g_mutex_unlock (&self->lock);
  return all;
}

static gboolean
timer_dispatch (gpointer data)
{
  JanusNetwork *self = data;
  g_autoptr(GPtrArray) all = list_connections (self);
  gint64 now = g_get_monotonic_time (), next = G_MAXINT64;

  for (guint i = 0; i < all->len; i++)
    next = MIN (next, janus_connection_expire (all->pdata[i], now));
  self->next_deadline = next;
  g_source_set_ready_time (self->timer_source, next == G_MAXINT64 ? -1 : next);
  return G_SOURCE_CONTINUE;
}

static gboolean
timer_source_dispatch (GSource     *source,
                       GSourceFunc  callback,
                       gpointer     user_data)
{
  return callback (user_data);
}

static GSourceFuncs timer_funcs = { NULL, NULL, timer_source_dispatch, NULL, NULL, NULL };

/* -------------------------------------------------------------- thread */

static gpointer
network_thread (gpointer data)
{
  JanusNetwork *self = data;

  /* a kernel's shutdown stops this thread: it cannot finish a kernel */
  janus_kernel_reap_elsewhere_on_this_thread ();
  g_main_context_push_thread_default (self->context);
  while (!atomic_load_explicit (&self->quit, memory_order_acquire))
    g_main_context_iteration (self->context, TRUE);
  g_main_context_pop_thread_default (self->context);
  return NULL;
}

gboolean
janus_network_is_network_thread (JanusNetwork *self)
{
  return self->thread != NULL && g_thread_self () == self->thread;
}

/* Starts the thread on first use; the settings are frozen from then on. */
gboolean
janus_network_start (JanusNetwork  *self,
                     GError       **error)
{
  gboolean ok = TRUE;

  g_mutex_lock (&self->lock);
  if (self->state == JANUS_NETWORK_NEW)
    {
      janus_codec_freeze (self->codec);
      self->context = g_main_context_new ();
      self->kick_source = g_source_new (&kick_funcs, sizeof (KickSource));
      ((KickSource *) self->kick_source)->network = self;
      g_source_set_static_name (self->kick_source, "JanusNetwork kicks");
      g_source_attach (self->kick_source, self->context);
      /* a source with only a ready time: it runs when the earliest
       * deadline passes, and sets the next one */
      self->timer_source = g_source_new (&timer_funcs, sizeof (GSource));
      g_source_set_ready_time (self->timer_source, -1);
      g_source_set_callback (self->timer_source, timer_dispatch, self, NULL);
      g_source_set_static_name (self->timer_source, "JanusNetwork deadlines");
      g_source_attach (self->timer_source, self->context);
      self->next_deadline = G_MAXINT64;
      self->state = JANUS_NETWORK_RUNNING;
      self->thread = g_thread_try_new ("janus-net", network_thread, self, error);
      if (self->thread == NULL)
        {
          self->state = JANUS_NETWORK_STOPPED;
          ok = FALSE;
        }
    }
  else if (self->state != JANUS_NETWORK_RUNNING)
    {
      g_set_error_literal (error, JANUS_NET_ERROR, JANUS_NET_ERROR_SHUTDOWN,
                           "The network is shut down");
      ok = FALSE;
    }
  g_mutex_unlock (&self->lock);
  return ok;
}

/* --------------------------------------------------------- connections */

/* "host:port" with a lower-case host and a valid port; IPv6 in brackets. */
char *
janus_network_canonical_key (const char  *host_and_port,
                             GError     **error)
{
  char *key = janus_net_endpoint_canonical (host_and_port);

  if (key == NULL)
    g_set_error (error, JANUS_NET_ERROR, JANUS_NET_ERROR_FAILED,
                 "“%s” is not host:port", host_and_port);
  return key;
}

void
janus_network_add_connection (JanusNetwork    *self,
                              JanusConnection *connection)
{
  JanusConnection *old;

  g_mutex_lock (&self->lock);
  old = g_hash_table_lookup (self->pool, connection->key);
  if (old != connection)
    g_hash_table_replace (self->pool, g_strdup (connection->key), janus_connection_ref (connection));
  g_ptr_array_add (self->connections, janus_connection_ref (connection));
  g_mutex_unlock (&self->lock);
}

/* The connection to @key: the open one if there is one, else a new one
 * that connects on the network thread (a closed connection is replaced:
 * reconnection on next use). */
JanusConnection *
janus_network_get_connection (JanusNetwork  *self,
                              const char    *key,
                              GError       **error)
{
  JanusConnection *connection;

  if (!janus_network_start (self, error))
    return NULL;
  g_mutex_lock (&self->lock);
  if (self->state != JANUS_NETWORK_RUNNING)
    {
      g_mutex_unlock (&self->lock);
      g_set_error_literal (error, JANUS_NET_ERROR, JANUS_NET_ERROR_SHUTDOWN,
                           "The network is shutting down");
      return NULL;
    }
  connection = g_hash_table_lookup (self->pool, key);
  if (connection != NULL && !janus_connection_is_closed (connection))
    {
      janus_connection_ref (connection);
      g_mutex_unlock (&self->lock);
      return connection;
    }
  connection = janus_connection_new (self, key, FALSE);
  g_hash_table_replace (self->pool, g_strdup (key), janus_connection_ref (connection));
  g_ptr_array_add (self->connections, janus_connection_ref (connection));
  g_mutex_unlock (&self->lock);
  janus_network_kick (self, connection);
  return connection;
}

/* The connection left the pool (network thread, from its close). */
void
janus_network_connection_closed (JanusNetwork    *self,
                                 JanusConnection *connection,
                                 const GError    *error)
{
  gboolean hostile = error->domain == JANUS_NET_ERROR
                     && (error->code == JANUS_NET_ERROR_CODEC
                         || error->code == JANUS_NET_ERROR_PROTOCOL
                         || error->code == JANUS_NET_ERROR_FRAME_TOO_LARGE
                         || error->code == JANUS_NET_ERROR_TLS);

  g_mutex_lock (&self->lock);
  if (g_hash_table_lookup (self->pool, connection->key) == connection)
    g_hash_table_remove (self->pool, connection->key);
  if (g_ptr_array_remove_fast (self->connections, connection))
    janus_connection_unref (connection);
  g_mutex_unlock (&self->lock);

  if (hostile)
    g_message ("Closing the connection with %s: %s", connection->key, error->message);
  else
    g_debug ("connection with %s closed: %s", connection->key, error->message);
  g_signal_emit (self, signals[CONNECTION_CLOSED], 0, connection->key, error);
}

/* --------------------------------------------------------------- listen */

static char *
key_of_address (GSocketAddress *address)
{
  GInetSocketAddress *inet = G_INET_SOCKET_ADDRESS (address);
  GInetAddress *ip = g_inet_socket_address_get_address (inet);
  g_autofree char *host = g_inet_address_to_string (ip);
  guint port = g_inet_socket_address_get_port (inet);

  if (g_inet_address_get_family (ip) == G_SOCKET_FAMILY_IPV6)
    return g_strdup_printf ("[%s]:%u", host, port);
  return g_strdup_printf ("%s:%u", host, port);
}

static void
accept_one (JanusNetwork *self,
            GSocket      *client)
{
  g_autoptr(GSocketAddress) remote = g_socket_get_remote_address (client, NULL);
  g_autoptr(GSocketConnection) stream = NULL;
  g_autofree char *key = NULL;
  JanusConnection *connection;

  if (remote == NULL || !G_IS_INET_SOCKET_ADDRESS (remote))
    {
      g_socket_close (client, NULL);
      return;
    }
  key = key_of_address (remote);
  connection = janus_connection_new (self, key, TRUE);
  janus_network_add_connection (self, connection);
  stream = g_socket_connection_factory_create_connection (client);
  if (self->tls_database != NULL)
    janus_connection_start_tls (connection, stream);
  else
    janus_connection_attach (connection, stream);
  janus_connection_unref (connection);
}

typedef struct
{
  JanusNetwork      *network;
  GSocketConnection *stream;
  char              *key;
} Adopt;

/* orders the Adopt's writes before the network thread's reads visibly to
 * ThreadSanitizer (GLib's hand-over through the context is not) */
static GMutex adopt_lock;

static gboolean
adopt_on_thread (gpointer data)
{
  Adopt *adopt = data;
  JanusConnection *connection;

  g_mutex_lock (&adopt_lock);
  connection = janus_connection_new (adopt->network, adopt->key, TRUE);
  g_mutex_unlock (&adopt_lock);

  janus_network_add_connection (adopt->network, connection);
  if (adopt->network->tls_database != NULL)
    janus_connection_start_tls (connection, adopt->stream);
  else
    janus_connection_attach (connection, adopt->stream);
  janus_connection_unref (connection);
  g_object_unref (adopt->stream);
  g_free (adopt->key);
  g_free (adopt);
  return G_SOURCE_REMOVE;
}

/* Serves an already connected stream (a socketpair in tests) as an
 * incoming connection from @key. */
void
janus_network_adopt (JanusNetwork      *self,
                     GSocketConnection *stream,
                     const char        *key)
{
  Adopt *adopt = g_new (Adopt, 1);

  g_mutex_lock (&adopt_lock);
  adopt->network = self;
  adopt->stream = g_object_ref (stream);
  adopt->key = g_strdup (key);
  g_mutex_unlock (&adopt_lock);
  g_main_context_invoke (self->context, adopt_on_thread, adopt);
}

static gboolean
on_accept (GSocket      *socket,
           GIOCondition  condition,
           gpointer      data)
{
  JanusNetwork *self = data;
  gboolean running;

  for (guint i = 0; i < 64; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GSocket) client = g_socket_accept (socket, NULL, &error);

      if (client == NULL)
        {
          if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
            g_debug ("accept failed: %s", error->message);
          break;
        }
      g_mutex_lock (&self->lock);
      running = self->state == JANUS_NETWORK_RUNNING;
      g_mutex_unlock (&self->lock);
      if (!running)
        {
          g_socket_close (client, NULL);
          continue;
        }
      accept_one (self, client);
    }
  return G_SOURCE_CONTINUE;
}

static gboolean
split_uri (const char  *uri,
           char       **host,
           guint16     *port,
           GError     **error)
{
  g_autofree char *key = NULL;
  const char *colon;

  if (!g_str_has_prefix (uri, "tcp://"))
    goto invalid;
  key = janus_network_canonical_key (uri + 6, NULL);
  if (key == NULL)
    {
      /* port 0 is accepted when listening */
      if (!g_str_has_suffix (uri, ":0"))
        goto invalid;
      g_free (key);
      key = g_strdup (uri + 6);
    }
  colon = strrchr (key, ':');
  *port = (guint16) g_ascii_strtoull (colon + 1, NULL, 10);
  if (key[0] == '[')
    *host = g_strndup (key + 1, colon - key - 2);
  else
    *host = g_strndup (key, colon - key);
  if (**host == '\0')
    {
      g_clear_pointer (host, g_free);
      goto invalid;
    }
  return TRUE;

invalid:
  g_set_error (error, JANUS_NET_ERROR, JANUS_NET_ERROR_FAILED,
               "“%s” is not a listening address tcp://host:port", uri);
  return FALSE;
}

static GInetAddress *
resolve_host (const char  *host,
              GError     **error)
{
  GInetAddress *address = g_inet_address_new_from_string (host);
  g_autoptr(GResolver) resolver = NULL;
  GList *found;

  if (address != NULL)
    return address;
  resolver = g_resolver_get_default ();
  found = g_resolver_lookup_by_name (resolver, host, NULL, error);
  if (found == NULL)
    return NULL;
  address = g_object_ref (found->data);
  g_resolver_free_addresses (found);
  return address;
}

/**
 * janus_network_listen:
 * @self: a network
 * @uri: where to listen, `tcp://host:port` (`tcp://[::1]:port` for IPv6);
 *   port 0 picks a free port
 * @error: return location for a #GError
 *
 * Binds a listening socket and starts accepting connections (on the
 * network thread). Once listening, the kernel's agents have addresses
 * `tcp://host:port/<id>`, where host is the one given here (or the
 * machine's name for `0.0.0.0` and `::`) and port the bound one, readable
 * with [method@Janus.Network.get_listen_uri]. A network listens once.
 *
 * Returns: %TRUE if listening; %FALSE with @error set (address in use,
 *   unknown host, already listening, shut down)
 */
gboolean
janus_network_listen (JanusNetwork  *self,
                      const char    *uri,
                      GError       **error)
{
  g_autofree char *host = NULL;
  g_autoptr(GInetAddress) ip = NULL;
  g_autoptr(GSocketAddress) bind_address = NULL;
  g_autoptr(GSocketAddress) local = NULL;
  g_autoptr(GSocket) socket = NULL;
  GSource *source;
  guint16 port;
  char *advertised;

  g_return_val_if_fail (JANUS_IS_NETWORK (self), FALSE);
  g_return_val_if_fail (uri != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!split_uri (uri, &host, &port, error) || (ip = resolve_host (host, error)) == NULL)
    return FALSE;
  if (self->tls_database != NULL && self->tls_certificate == NULL)
    {
      g_set_error_literal (error, JANUS_NET_ERROR, JANUS_NET_ERROR_TLS,
                           "A network with TLS listens only with a certificate of its own");
      return FALSE;
    }
  g_mutex_lock (&self->lock);
  if (self->listen_uri != NULL)
    {
      g_mutex_unlock (&self->lock);
      g_set_error (error, JANUS_NET_ERROR, JANUS_NET_ERROR_FAILED,
                   "The network listens on %s already", self->listen_uri);
      return FALSE;
    }
  g_mutex_unlock (&self->lock);

  socket = g_socket_new (g_inet_address_get_family (ip), G_SOCKET_TYPE_STREAM,
                         G_SOCKET_PROTOCOL_TCP, error);
  if (socket == NULL)
    return FALSE;
  bind_address = g_inet_socket_address_new (ip, port);
  if (!g_socket_bind (socket, bind_address, TRUE, error))
    return FALSE;
  g_socket_set_listen_backlog (socket, 128);
  if (!g_socket_listen (socket, error))
    return FALSE;
  g_socket_set_blocking (socket, FALSE);
  local = g_socket_get_local_address (socket, error);
  if (local == NULL || !janus_network_start (self, error))
    return FALSE;
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local));

  if (g_inet_address_get_is_any (ip))
    {
      g_free (host);
      host = g_strdup (g_get_host_name ());
    }
  advertised = strchr (host, ':') ? g_strdup_printf ("tcp://[%s]:%u", host, port)
                                  : g_strdup_printf ("tcp://%s:%u", host, port);
  g_mutex_lock (&self->lock);
  if (self->listen_uri != NULL || self->state != JANUS_NETWORK_RUNNING)
    {
      gboolean stopped = self->state != JANUS_NETWORK_RUNNING;
      g_mutex_unlock (&self->lock);
      g_free (advertised);
      g_set_error_literal (error, JANUS_NET_ERROR,
                           stopped ? JANUS_NET_ERROR_SHUTDOWN : JANUS_NET_ERROR_FAILED,
                           stopped ? "The network is shut down" : "The network listens already");
      return FALSE;
    }
  self->listen_uri = advertised;
  self->listen_host = g_steal_pointer (&host);
  self->listen_port = port;
  g_ptr_array_add (self->listeners, g_object_ref (socket));
  source = g_socket_create_source (socket, G_IO_IN, NULL);
  g_source_set_can_recurse (source, TRUE);
  g_source_set_callback (source, G_SOURCE_FUNC (on_accept), self, NULL);
  g_source_set_static_name (source, "JanusNetwork accept");
  g_ptr_array_add (self->listen_sources, source);
  g_source_attach (source, self->context);
  g_mutex_unlock (&self->lock);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LISTEN_URI]);
  return TRUE;
}

/* ------------------------------------------------------------- shutdown */

typedef struct
{
  JanusNetwork *network;
  GMutex        lock;
  GCond         cond;
  gboolean      done;
} StopData;

static gboolean
flag_timed_out (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

static gboolean
writes_pending (GPtrArray *connections)
{
  gboolean busy = FALSE;

  for (guint i = 0; i < connections->len && !busy; i++)
    {
      JanusConnection *c = connections->pdata[i];
      g_mutex_lock (&c->write_lock);
      busy = c->writing->len > c->write_offset;
      g_mutex_unlock (&c->write_lock);
      busy &= !janus_connection_is_closed (c);
    }
  return busy;
}

/* The kernel starts to shut down, before its agents are killed: new
 * requests and connections are refused, and every request waiting for an
 * answer fails, so that no agent waits for ever; connections stay open
 * for the answers the dying agents still give. Any thread. */
void
janus_network_drain (JanusNetwork *self)
{
  g_autoptr(GError) error = g_error_new_literal (JANUS_NET_ERROR, JANUS_NET_ERROR_SHUTDOWN,
                                                 "The kernel is shutting down");
  g_autoptr(GPtrArray) all = NULL;

  g_mutex_lock (&self->lock);
  if (self->state == JANUS_NETWORK_RUNNING)
    self->state = JANUS_NETWORK_DRAINING;
  else if (self->state == JANUS_NETWORK_NEW)
    self->state = JANUS_NETWORK_STOPPED;
  g_mutex_unlock (&self->lock);
  atomic_store_explicit (&self->draining, TRUE, memory_order_release);
  all = list_connections (self);
  for (guint i = 0; i < all->len; i++)
    janus_connection_fail_requests (all->pdata[i], error);
}

/* Network thread: stops accepting, writes what is queued (bounded in
 * time), then closes every connection, failing what is pending. */
static gboolean
stop_on_thread (gpointer data)
{
  StopData *stop = data;
  JanusNetwork *self;
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GError) error = g_error_new_literal (JANUS_NET_ERROR, JANUS_NET_ERROR_SHUTDOWN,
                                                 "The network is shut down");
  gboolean timed_out = FALSE;
  GSource *timeout;
  GPtrArray *sources;

  /* the caller holds stop->lock until it waits: this orders its writes
   * before our reads in a way ThreadSanitizer sees (GLib's own hand-over
   * through the context is invisible to it) */
  g_mutex_lock (&stop->lock);
  self = stop->network;
  g_mutex_unlock (&stop->lock);
  all = list_connections (self);

  g_mutex_lock (&self->lock);
  sources = g_steal_pointer (&self->listen_sources);
  self->listen_sources = g_ptr_array_new ();
  g_mutex_unlock (&self->lock);
  for (guint i = 0; i < sources->len; i++)
    {
      g_source_destroy (sources->pdata[i]);
      g_source_unref (sources->pdata[i]);
    }
  g_ptr_array_unref (sources);
  for (guint i = 0; i < self->listeners->len; i++)
    g_socket_close (self->listeners->pdata[i], NULL);

  /* answers to requests already received go out first, for a bounded
   * time (a peer that does not read would hold us for ever) */
  for (guint i = 0; i < all->len; i++)
    janus_connection_service (all->pdata[i]);
  timeout = g_timeout_source_new (SHUTDOWN_FLUSH_USEC / 1000);
  g_source_set_callback (timeout, flag_timed_out, &timed_out, NULL);
  g_source_attach (timeout, self->context);
  while (!timed_out && writes_pending (all))
    g_main_context_iteration (self->context, TRUE);
  g_source_destroy (timeout);
  g_source_unref (timeout);
  for (guint i = 0; i < all->len; i++)
    janus_connection_close_now (all->pdata[i], error);
  /* cancelled connects and handshakes complete here, not in a context
   * nobody runs; they complete at once, but bounded all the same */
  timed_out = FALSE;
  timeout = g_timeout_source_new (SHUTDOWN_FLUSH_USEC / 1000);
  g_source_set_callback (timeout, flag_timed_out, &timed_out, NULL);
  g_source_attach (timeout, self->context);
  while (self->in_progress > 0 && !timed_out)
    g_main_context_iteration (self->context, TRUE);
  g_source_destroy (timeout);
  g_source_unref (timeout);
  while (g_main_context_iteration (self->context, FALSE))
    ;

  g_mutex_lock (&stop->lock);
  stop->done = TRUE;
  g_cond_signal (&stop->cond);
  g_mutex_unlock (&stop->lock);
  return G_SOURCE_REMOVE;
}

/**
 * janus_network_shutdown:
 * @self: a network
 *
 * Stops the network: closes the listening socket, writes the answers
 * already queued (for at most two seconds), then closes every connection:
 * each request still waiting for an answer fails with
 * %JANUS_NET_ERROR_SHUTDOWN. The network thread ends. Idempotent; the
 * kernel's shutdown does it. Must not be called from a callback running on
 * the network thread (a #JanusNetwork::connection-closed handler).
 */
void
janus_network_shutdown (JanusNetwork *self)
{
  StopData stop = { self };
  JanusNetworkState was;

  g_return_if_fail (JANUS_IS_NETWORK (self));
  g_return_if_fail (!janus_network_is_network_thread (self));

  g_mutex_lock (&self->lock);
  was = self->state;
  self->state = JANUS_NETWORK_STOPPED;
  g_mutex_unlock (&self->lock);
  if (was == JANUS_NETWORK_STOPPED || was == JANUS_NETWORK_NEW)
    return;

  g_mutex_init (&stop.lock);
  g_cond_init (&stop.cond);
  g_mutex_lock (&stop.lock);
  g_main_context_invoke (self->context, stop_on_thread, &stop);
  while (!stop.done)
    g_cond_wait (&stop.cond, &stop.lock);
  g_mutex_unlock (&stop.lock);
  g_mutex_clear (&stop.lock);
  g_cond_clear (&stop.cond);

  atomic_store_explicit (&self->quit, TRUE, memory_order_release);
  g_main_context_wakeup (self->context);
  g_thread_join (self->thread);
  self->thread = NULL;

  /* kicks that came after the last look only hold references now */
  g_mutex_lock (&self->kick_lock);
  for (guint i = 0; i < self->kicked->len; i++)
    {
      ((JanusConnection *) self->kicked->pdata[i])->kicked = FALSE;
      janus_connection_unref (self->kicked->pdata[i]);
    }
  g_ptr_array_set_size (self->kicked, 0);
  g_mutex_unlock (&self->kick_lock);

  g_mutex_lock (&self->lock);
  g_hash_table_remove_all (self->pool);
  g_ptr_array_set_size (self->connections, 0);
  g_mutex_unlock (&self->lock);
}

/* ------------------------------------------------------------- settings */

static gboolean
check_not_started (JanusNetwork *self,
                   const char   *what)
{
  gboolean fresh;

  g_mutex_lock (&self->lock);
  fresh = self->state == JANUS_NETWORK_NEW;
  g_mutex_unlock (&self->lock);
  if (fresh)
    return TRUE;
  g_critical ("JanusNetwork: %s must be set before the network starts "
              "(its first listen or connection)", what);
  return FALSE;
}

/**
 * janus_network_get_listen_uri:
 * @self: a network
 *
 * Gets where the network listens, with the bound port.
 *
 * Returns: (nullable): `tcp://host:port`, or %NULL if it does not listen
 */
const char *
janus_network_get_listen_uri (JanusNetwork *self)
{
  const char *uri;

  g_return_val_if_fail (JANUS_IS_NETWORK (self), NULL);

  g_mutex_lock (&self->lock);
  uri = self->listen_uri;
  g_mutex_unlock (&self->lock);
  return uri;
}

/**
 * janus_network_get_codec:
 * @self: a network
 *
 * Gets the codec of the network's connections.
 *
 * Returns: (transfer none): the codec (JSON unless set)
 */
JanusCodec *
janus_network_get_codec (JanusNetwork *self)
{
  g_return_val_if_fail (JANUS_IS_NETWORK (self), NULL);

  return self->codec;
}

/**
 * janus_network_set_codec:
 * @self: a network not started yet
 * @codec: the codec for every connection (both sides must use the same)
 *
 * Replaces the codec (JSON by default), as aiomas' `codec` argument. The
 * codec is frozen when the network starts.
 */
void
janus_network_set_codec (JanusNetwork *self,
                         JanusCodec   *codec)
{
  g_return_if_fail (JANUS_IS_NETWORK (self));
  g_return_if_fail (JANUS_IS_CODEC (codec));

  if (!check_not_started (self, "the codec"))
    return;
  if (g_set_object (&self->codec, codec))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CODEC]);
}

/**
 * janus_network_get_max_frame_size:
 * @self: a network
 *
 * Gets [property@Janus.Network:max-frame-size].
 *
 * Returns: the largest payload a frame may have, in bytes
 */
gsize
janus_network_get_max_frame_size (JanusNetwork *self)
{
  g_return_val_if_fail (JANUS_IS_NETWORK (self), 0);

  return self->max_frame_size;
}

/**
 * janus_network_set_max_frame_size:
 * @self: a network not started yet
 * @size: the largest payload a frame may have, in bytes (at least 64)
 *
 * Sets [property@Janus.Network:max-frame-size].
 */
void
janus_network_set_max_frame_size (JanusNetwork *self,
                                  gsize         size)
{
  g_return_if_fail (JANUS_IS_NETWORK (self));
  g_return_if_fail (size >= 64 && size <= G_MAXUINT32);

  if (!check_not_started (self, "the maximum frame size") || self->max_frame_size == size)
    return;
  self->max_frame_size = size;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAX_FRAME_SIZE]);
}

/**
 * janus_network_get_call_timeout:
 * @self: a network
 *
 * Gets [property@Janus.Network:call-timeout].
 *
 * Returns: the default time-out of requests, in microseconds (0: none)
 */
gint64
janus_network_get_call_timeout (JanusNetwork *self)
{
  g_return_val_if_fail (JANUS_IS_NETWORK (self), 0);

  return atomic_load_explicit (&self->call_timeout, memory_order_relaxed);
}

/**
 * janus_network_set_call_timeout:
 * @self: a network
 * @timeout: microseconds, 0 for none
 *
 * Sets [property@Janus.Network:call-timeout]. MT safe; applies to requests
 * sent afterwards.
 */
void
janus_network_set_call_timeout (JanusNetwork *self,
                                gint64        timeout)
{
  g_return_if_fail (JANUS_IS_NETWORK (self));
  g_return_if_fail (timeout >= 0);

  if (atomic_exchange_explicit (&self->call_timeout, timeout, memory_order_relaxed) != timeout)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CALL_TIMEOUT]);
}

/**
 * janus_network_get_send_limit:
 * @self: a network
 *
 * Gets [property@Janus.Network:send-limit].
 *
 * Returns: the bytes a connection may hold waiting to be written
 */
gsize
janus_network_get_send_limit (JanusNetwork *self)
{
  g_return_val_if_fail (JANUS_IS_NETWORK (self), 0);

  return self->send_limit;
}

/**
 * janus_network_set_send_limit:
 * @self: a network not started yet
 * @bytes: the bytes a connection may hold waiting to be written
 *
 * Sets [property@Janus.Network:send-limit].
 */
void
janus_network_set_send_limit (JanusNetwork *self,
                              gsize         bytes)
{
  g_return_if_fail (JANUS_IS_NETWORK (self));
  g_return_if_fail (bytes > 0);

  if (!check_not_started (self, "the send limit") || self->send_limit == bytes)
    return;
  self->send_limit = bytes;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SEND_LIMIT]);
}

/**
 * janus_network_get_max_pending_calls:
 * @self: a network
 *
 * Gets [property@Janus.Network:max-pending-calls].
 *
 * Returns: how many requests a connection may have waiting for an answer
 */
guint
janus_network_get_max_pending_calls (JanusNetwork *self)
{
  g_return_val_if_fail (JANUS_IS_NETWORK (self), 0);

  return self->max_pending;
}

/**
 * janus_network_set_max_pending_calls:
 * @self: a network not started yet
 * @calls: how many requests a connection may have waiting for an answer
 *
 * Sets [property@Janus.Network:max-pending-calls].
 */
void
janus_network_set_max_pending_calls (JanusNetwork *self,
                                     guint         calls)
{
  g_return_if_fail (JANUS_IS_NETWORK (self));
  g_return_if_fail (calls > 0);

  if (!check_not_started (self, "the maximum of pending calls") || self->max_pending == calls)
    return;
  self->max_pending = calls;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAX_PENDING_CALLS]);
}

/**
 * janus_network_set_tls:
 * @self: a network not started yet
 * @certificate_file: (nullable): the network's certificate (PEM); %NULL
 *   for a network that only connects and has no certificate (peers that
 *   require one refuse it)
 * @key_file: (nullable): its private key (PEM), or %NULL if it is in
 *   @certificate_file
 * @ca_file: the certificate authorities (PEM) peers' certificates must
 *   come from
 * @error: return location for a #GError
 *
 * Turns TLS on for every connection of the network, with mutual
 * authentication: both sides present a certificate and check the other's
 * against their CA (and a server's against the host it was reached at).
 * A listening network refuses peers without a valid certificate: the
 * connection closes with %JANUS_NET_ERROR_TLS (logged) and the others go
 * on. Needs GLib's TLS backend (Debian's `glib-networking`).
 *
 * Returns: %TRUE if TLS is on; %FALSE with @error set (unreadable files,
 *   no TLS backend)
 */
gboolean
janus_network_set_tls (JanusNetwork  *self,
                       const char    *certificate_file,
                       const char    *key_file,
                       const char    *ca_file,
                       GError       **error)
{
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(GTlsDatabase) database = NULL;

  g_return_val_if_fail (JANUS_IS_NETWORK (self), FALSE);
  g_return_val_if_fail (ca_file != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_not_started (self, "TLS"))
    return FALSE;
  if (!g_tls_backend_supports_tls (g_tls_backend_get_default ()))
    {
      g_set_error_literal (error, JANUS_NET_ERROR, JANUS_NET_ERROR_TLS,
                           "GLib has no TLS backend (install glib-networking)");
      return FALSE;
    }
  if (certificate_file != NULL)
    {
      certificate = g_tls_certificate_new_from_files (certificate_file,
                                                      key_file ? key_file : certificate_file,
                                                      error);
      if (certificate == NULL)
        return FALSE;
    }
  database = g_tls_file_database_new (ca_file, error);
  if (database == NULL)
    return FALSE;
  g_set_object (&self->tls_certificate, certificate);
  g_set_object (&self->tls_database, database);
  return TRUE;
}

/**
 * janus_network_get_connection_count:
 * @self: a network
 *
 * Counts the network's connections (incoming and outgoing) not closed yet.
 * MT safe.
 *
 * Returns: the number of connections
 */
guint
janus_network_get_connection_count (JanusNetwork *self)
{
  guint n;

  g_return_val_if_fail (JANUS_IS_NETWORK (self), 0);

  g_mutex_lock (&self->lock);
  n = self->connections->len;
  g_mutex_unlock (&self->lock);
  return n;
}

/* -------------------------------------------------------------- GObject */

JanusNetwork *
janus_network_new_for_router (JanusNetRouter router,
                              gpointer       data)
{
  JanusNetwork *self = g_object_new (JANUS_TYPE_NETWORK, NULL);

  self->router = router;
  self->router_data = data;
  return self;
}

static void
janus_network_dispose (GObject *object)
{
  JanusNetwork *self = JANUS_NETWORK (object);

  if (janus_network_is_network_thread (self))
    g_critical ("JanusNetwork: the last reference was dropped on its own thread; "
                "shut the network down first");
  else
    janus_network_shutdown (self);

  G_OBJECT_CLASS (janus_network_parent_class)->dispose (object);
}

static void
janus_network_finalize (GObject *object)
{
  JanusNetwork *self = JANUS_NETWORK (object);

  if (self->kick_source != NULL)
    {
      g_source_destroy (self->kick_source);
      g_source_unref (self->kick_source);
    }
  if (self->timer_source != NULL)
    {
      g_source_destroy (self->timer_source);
      g_source_unref (self->timer_source);
    }
  g_clear_pointer (&self->context, g_main_context_unref);
  g_hash_table_unref (self->pool);
  g_ptr_array_unref (self->connections);
  g_ptr_array_unref (self->listeners);
  g_ptr_array_unref (self->listen_sources);
  g_ptr_array_unref (self->kicked);
  g_clear_object (&self->codec);
  g_clear_object (&self->tls_certificate);
  g_clear_object (&self->tls_database);
  g_free (self->listen_uri);
  g_free (self->listen_host);
  g_mutex_clear (&self->lock);
  g_mutex_clear (&self->kick_lock);

  G_OBJECT_CLASS (janus_network_parent_class)->finalize (object);
}

static void
janus_network_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  JanusNetwork *self = JANUS_NETWORK (object);

  switch (prop_id)
    {
    case PROP_LISTEN_URI:
      g_value_set_string (value, janus_network_get_listen_uri (self));
      break;
    case PROP_CODEC:
      g_value_set_object (value, self->codec);
      break;
    case PROP_MAX_FRAME_SIZE:
      g_value_set_uint64 (value, self->max_frame_size);
      break;
    case PROP_CALL_TIMEOUT:
      g_value_set_int64 (value, janus_network_get_call_timeout (self));
      break;
    case PROP_SEND_LIMIT:
      g_value_set_uint64 (value, self->send_limit);
      break;
    case PROP_MAX_PENDING_CALLS:
      g_value_set_uint (value, self->max_pending);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
janus_network_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  JanusNetwork *self = JANUS_NETWORK (object);

  switch (prop_id)
    {
    case PROP_CODEC:
      janus_network_set_codec (self, g_value_get_object (value));
      break;
    case PROP_MAX_FRAME_SIZE:
      janus_network_set_max_frame_size (self, g_value_get_uint64 (value));
      break;
    case PROP_CALL_TIMEOUT:
      janus_network_set_call_timeout (self, g_value_get_int64 (value));
      break;
    case PROP_SEND_LIMIT:
      janus_network_set_send_limit (self, g_value_get_uint64 (value));
      break;
    case PROP_MAX_PENDING_CALLS:
      janus_network_set_max_pending_calls (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
janus_network_class_init (JanusNetworkClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = janus_network_dispose;
  object_class->finalize = janus_network_finalize;
  object_class->get_property = janus_network_get_property;
  object_class->set_property = janus_network_set_property;

  /**
   * JanusNetwork:listen-uri: (attributes org.gtk.Property.get=janus_network_get_listen_uri)
   *
   * Where the network listens (`tcp://host:port`, the bound port), or
   * %NULL.
   */
  properties[PROP_LISTEN_URI] =
    g_param_spec_string ("listen-uri", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * JanusNetwork:codec: (attributes org.gtk.Property.get=janus_network_get_codec org.gtk.Property.set=janus_network_set_codec)
   *
   * The codec of every connection (JSON by default).
   */
  properties[PROP_CODEC] =
    g_param_spec_object ("codec", NULL, NULL, JANUS_TYPE_CODEC,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * JanusNetwork:max-frame-size: (attributes org.gtk.Property.get=janus_network_get_max_frame_size org.gtk.Property.set=janus_network_set_max_frame_size)
   *
   * The largest frame payload, in bytes (4 MiB by default). A longer
   * frame received closes its connection; a longer one to send fails with
   * %JANUS_NET_ERROR_FRAME_TOO_LARGE.
   */
  properties[PROP_MAX_FRAME_SIZE] =
    g_param_spec_uint64 ("max-frame-size", NULL, NULL, 64, G_MAXUINT32, DEFAULT_MAX_FRAME_SIZE,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * JanusNetwork:call-timeout: (attributes org.gtk.Property.get=janus_network_get_call_timeout org.gtk.Property.set=janus_network_set_call_timeout)
   *
   * How long a request waits for its answer by default, in microseconds
   * (0, the default: for ever). A request past it fails with
   * %JANUS_NET_ERROR_TIMED_OUT; its answer, if it comes, is dropped.
   */
  properties[PROP_CALL_TIMEOUT] =
    g_param_spec_int64 ("call-timeout", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * JanusNetwork:send-limit: (attributes org.gtk.Property.get=janus_network_get_send_limit org.gtk.Property.set=janus_network_set_send_limit)
   *
   * The bytes a connection may hold waiting to be written (16 MiB by
   * default). Beyond it, new requests fail with %JANUS_NET_ERROR_BUSY;
   * beyond four times it, answers included, the peer is deemed not to read
   * and the connection closes.
   */
  properties[PROP_SEND_LIMIT] =
    g_param_spec_uint64 ("send-limit", NULL, NULL, 1, G_MAXUINT64, DEFAULT_SEND_LIMIT,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * JanusNetwork:max-pending-calls: (attributes org.gtk.Property.get=janus_network_get_max_pending_calls org.gtk.Property.set=janus_network_set_max_pending_calls)
   *
   * How many requests a connection may have waiting for an answer (65536
   * by default); beyond it new requests fail with %JANUS_NET_ERROR_BUSY.
   */
  properties[PROP_MAX_PENDING_CALLS] =
    g_param_spec_uint ("max-pending-calls", NULL, NULL, 1, G_MAXUINT, DEFAULT_MAX_PENDING,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * JanusNetwork::connection-closed:
   * @self: the network
   * @peer: the peer, `host:port`
   * @error: why it closed
   *
   * Emitted once per connection when it closes, whatever the reason: the
   * peer closed it or sent something that is not the protocol (the reason
   * is also logged), it could not connect, or the network shut down. The
   * requests that were waiting on it fail right after the emission.
   * Emitted on the network thread: handlers must not block.
   */
  signals[CONNECTION_CLOSED] =
    g_signal_new ("connection-closed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2,
                  G_TYPE_STRING, G_TYPE_ERROR);
}

static void
janus_network_init (JanusNetwork *self)
{
  g_mutex_init (&self->lock);
  g_mutex_init (&self->kick_lock);
  self->codec = janus_codec_new (JANUS_CODEC_FORMAT_JSON);
  self->max_frame_size = DEFAULT_MAX_FRAME_SIZE;
  self->max_pending = DEFAULT_MAX_PENDING;
  self->max_incoming = DEFAULT_MAX_INCOMING;
  self->send_limit = DEFAULT_SEND_LIMIT;
  self->pool = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                      (GDestroyNotify) janus_connection_unref);
  self->connections = g_ptr_array_new ();
  self->listeners = g_ptr_array_new_with_free_func (g_object_unref);
  self->listen_sources = g_ptr_array_new ();
  self->kicked = g_ptr_array_new ();
}
