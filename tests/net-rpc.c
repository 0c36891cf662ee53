/* SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Framing, connections and aiomas RPC between two networks of one process
 * (each with its own network thread), below the kernel: results, errors,
 * 1000 concurrent requests matched by id, answers out of order, a callback
 * on the same connection, time-outs and late answers, connection loss and
 * reconnection on next use, refused connections, the frame limit on both
 * sides, backpressure, shutdown with requests pending, and hostile bytes
 * from a raw socket (only that connection closes). JSON and MessagePack.
 */
#include <stdatomic.h>
#include <string.h>

#include <janus.h>
#include "janus-net-private.h"

#define WAIT_USEC (20 * G_USEC_PER_SEC)

/* ------------------------------------------------------------ results */

typedef struct
{
  GMutex  lock;
  GCond   cond;
  GQueue  results;
} Waiter;

typedef struct
{
  guint     tag;
  JsonNode *result;
  GError   *error;
} Result;

typedef struct
{
  Waiter *waiter;
  guint   tag;
} CallData;

static void
result_free (Result *r)
{
  g_clear_pointer (&r->result, json_node_unref);
  g_clear_error (&r->error);
  g_free (r);
}

static void
waiter_init (Waiter *w)
{
  g_mutex_init (&w->lock);
  g_cond_init (&w->cond);
  g_queue_init (&w->results);
}

static void
waiter_clear (Waiter *w)
{
  g_queue_clear_full (&w->results, (GDestroyNotify) result_free);
  g_mutex_clear (&w->lock);
  g_cond_clear (&w->cond);
}

static void
on_done (JsonNode     *result,
         const GError *error,
         gpointer      data)
{
  CallData *call = data;
  Result *r = g_new0 (Result, 1);

  r->tag = call->tag;
  r->result = result;
  r->error = error ? g_error_copy (error) : NULL;
  g_mutex_lock (&call->waiter->lock);
  g_queue_push_tail (&call->waiter->results, r);
  g_cond_broadcast (&call->waiter->cond);
  g_mutex_unlock (&call->waiter->lock);
  g_free (call);
}

/* Waits for @n results (bounded), returned in arrival order. */
static GPtrArray *
wait_results (Waiter *w,
              guint   n)
{
  GPtrArray *all = g_ptr_array_new_with_free_func ((GDestroyNotify) result_free);
  gint64 deadline = g_get_monotonic_time () + WAIT_USEC;

  g_mutex_lock (&w->lock);
  while (g_queue_get_length (&w->results) < n)
    if (!g_cond_wait_until (&w->cond, &w->lock, deadline))
      break;
  while (all->len < n && !g_queue_is_empty (&w->results))
    g_ptr_array_add (all, g_queue_pop_head (&w->results));
  g_mutex_unlock (&w->lock);
  if (all->len != n)
    g_error ("%u results arrived, %u expected", all->len, n);
  return all;
}

static JsonArray *
args_of (const char *json)
{
  g_autoptr(JsonNode) node = janus_json_from_data (json, -1, NULL);

  g_assert_nonnull (node);
  return json_array_ref (json_node_get_array (node));
}

static gboolean
call (JanusConnection  *conn,
      const char       *path,
      const char       *args_json,
      Waiter           *waiter,
      guint             tag,
      GError          **error)
{
  g_autoptr(JsonArray) args = args_of (args_json);
  CallData *data = g_new (CallData, 1);

  data->waiter = waiter;
  data->tag = tag;
  if (janus_connection_request (conn, path, args, NULL, -1, on_done, data, error))
    return TRUE;
  g_free (data);
  return FALSE;
}

static char *
text_of (JsonNode *node)
{
  return janus_json_to_data (node, NULL, NULL);
}

/* ---------------------------------------------------- the test server */

typedef struct
{
  JanusConnection *conn;
  guint64          id;
} Held;

typedef struct
{
  JanusNetwork *server;
  JanusNetwork *client;
  char         *key;            /* the server's host:port */
  GMutex        lock;
  GPtrArray    *held;           /* Held: requests answered later */
  GPtrArray    *closed;         /* GError: server-side connection-closed */
  Waiter        waiter;
} Fixture;

static void
held_free (Held *h)
{
  janus_connection_unref (h->conn);
  g_free (h);
}

typedef struct
{
  JanusConnection *conn;
  guint64          id;
} Callback;

static void
on_pong (JsonNode     *result,
         const GError *error,
         gpointer      data)
{
  Callback *cb = data;

  if (result != NULL)
    {
      janus_connection_answer (cb->conn, cb->id, result);
      json_node_unref (result);
    }
  else
    janus_connection_answer_gerror (cb->conn, cb->id, error);
  janus_connection_unref (cb->conn);
  g_free (cb);
}

static void
server_router (JanusNetwork    *network,
               JanusConnection *conn,
               guint64          id,
               const char      *path,
               JsonArray       *args,
               JsonObject      *kwargs,
               gpointer         data)
{
  Fixture *f = data;
  g_autoptr(JsonNode) result = json_node_new (JSON_NODE_ARRAY);

  if (strcmp (path, "echo") == 0)
    {
      json_node_set_array (result, args);
      janus_connection_answer (conn, id, result);
    }
  else if (strcmp (path, "kwargs") == 0)
    {
      JsonNode *k = json_node_new (JSON_NODE_OBJECT);
      json_node_take_object (k, kwargs ? json_object_ref (kwargs) : json_object_new ());
      janus_connection_answer (conn, id, k);
      json_node_unref (k);
    }
  else if (strcmp (path, "fail") == 0)
    janus_connection_answer_error (conn, id, "Traceback: boom");
  else if (strcmp (path, "never") == 0 || strcmp (path, "defer") == 0)
    {
      Held *h = g_new (Held, 1);
      h->conn = janus_connection_ref (conn);
      h->id = id;
      g_mutex_lock (&f->lock);
      g_ptr_array_add (f->held, h);
      g_mutex_unlock (&f->lock);
    }
  else if (strcmp (path, "callback") == 0)
    {
      Callback *cb = g_new (Callback, 1);
      g_autoptr(GError) error = NULL;
      cb->conn = janus_connection_ref (conn);
      cb->id = id;
      if (!janus_connection_request (conn, "ping", NULL, NULL, -1, on_pong, cb, &error))
        on_pong (NULL, error, cb);
    }
  else if (strcmp (path, "close") == 0)
    {
      g_autoptr(GError) error = g_error_new_literal (JANUS_NET_ERROR, JANUS_NET_ERROR_FAILED,
                                                     "closed by the test");
      janus_connection_answer_error (conn, id, "closing");
      janus_connection_close (conn, error);
    }
  else
    janus_connection_answer_error (conn, id, "unknown path");
  json_array_unref (args);
  g_clear_pointer (&kwargs, json_object_unref);
}

static void
client_router (JanusNetwork    *network,
               JanusConnection *conn,
               guint64          id,
               const char      *path,
               JsonArray       *args,
               JsonObject      *kwargs,
               gpointer         data)
{
  g_autoptr(JsonNode) pong = json_node_init_string (json_node_alloc (), "pong");

  if (strcmp (path, "ping") == 0)
    janus_connection_answer (conn, id, pong);
  else
    janus_connection_answer_error (conn, id, "the client answers ping only");
  json_array_unref (args);
  g_clear_pointer (&kwargs, json_object_unref);
}

static void
on_server_closed (JanusNetwork *network,
                  const char   *peer,
                  GError       *error,
                  gpointer      data)
{
  Fixture *f = data;

  g_mutex_lock (&f->lock);
  g_ptr_array_add (f->closed, g_error_copy (error));
  g_mutex_unlock (&f->lock);
}

static void
fixture_setup_full (Fixture          *f,
                    JanusCodecFormat  format,
                    gsize             server_frame_limit,
                    guint             server_max_incoming)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JanusCodec) c1 = janus_codec_new (format);
  g_autoptr(JanusCodec) c2 = janus_codec_new (format);

  g_mutex_init (&f->lock);
  f->held = g_ptr_array_new_with_free_func ((GDestroyNotify) held_free);
  f->closed = g_ptr_array_new_with_free_func ((GDestroyNotify) g_error_free);
  waiter_init (&f->waiter);
  f->server = janus_network_new_for_router (server_router, f);
  f->client = janus_network_new_for_router (client_router, f);
  janus_network_set_codec (f->server, c1);
  janus_network_set_codec (f->client, c2);
  if (server_frame_limit)
    janus_network_set_max_frame_size (f->server, server_frame_limit);
  if (server_max_incoming)
    f->server->max_incoming = server_max_incoming;
  g_signal_connect (f->server, "connection-closed", G_CALLBACK (on_server_closed), f);
  g_assert_true (janus_network_listen (f->server, "tcp://127.0.0.1:0", &error));
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (janus_network_get_listen_uri (f->server), "tcp://127.0.0.1:"));
  f->key = g_strdup (janus_network_get_listen_uri (f->server) + 6);
}

static void
fixture_setup_with (Fixture          *f,
                    JanusCodecFormat  format,
                    gsize             server_frame_limit)
{
  fixture_setup_full (f, format, server_frame_limit, 0);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  fixture_setup_with (f, GPOINTER_TO_INT (data), 0);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  janus_network_shutdown (f->client);
  janus_network_shutdown (f->server);
  g_ptr_array_unref (f->held);
  g_assert_finalize_object (f->client);
  g_assert_finalize_object (f->server);
  g_ptr_array_unref (f->closed);
  waiter_clear (&f->waiter);
  g_mutex_clear (&f->lock);
  g_free (f->key);
}

static JanusConnection *
connect_client (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  JanusConnection *conn = janus_network_get_connection (f->client, f->key, &error);

  g_assert_no_error (error);
  g_assert_nonnull (conn);
  return conn;
}

static guint
held_count (Fixture *f)
{
  guint n;

  g_mutex_lock (&f->lock);
  n = f->held->len;
  g_mutex_unlock (&f->lock);
  return n;
}

/* Waits until the server holds @n requests (bounded). */
static void
wait_held (Fixture *f,
           guint    n)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_USEC;

  while (held_count (f) < n)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_thread_yield ();
    }
}

/* Waits until the server saw @n connections close (bounded). */
static void
wait_closed (Fixture *f,
             guint    n)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_USEC;

  for (;;)
    {
      guint closed;
      g_mutex_lock (&f->lock);
      closed = f->closed->len;
      g_mutex_unlock (&f->lock);
      if (closed >= n)
        return;
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_thread_yield ();
    }
}

/* -------------------------------------------------------------- tests */

static void
test_echo (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(JanusConnection) conn = connect_client (f);
  g_autoptr(GPtrArray) r = NULL;
  g_autofree char *text = NULL;
  g_autoptr(JsonNode) kw = janus_json_from_data ("{\"a\": [1, NaN], \"b\": \"\\u0000\"}", -1, NULL);
  CallData *cd = g_new (CallData, 1);

  g_assert_true (call (conn, "echo", "[1, \"two\", 3.5, null, {\"k\": [-0.0]}]", &f->waiter, 7, NULL));
  r = wait_results (&f->waiter, 1);
  g_assert_no_error (((Result *) r->pdata[0])->error);
  g_assert_cmpuint (((Result *) r->pdata[0])->tag, ==, 7);
  text = text_of (((Result *) r->pdata[0])->result);
  g_assert_cmpstr (text, ==, "[1, \"two\", 3.5, null, {\"k\": [-0.0]}]");
  g_clear_pointer (&r, g_ptr_array_unref);
  g_clear_pointer (&text, g_free);

  cd->waiter = &f->waiter;
  cd->tag = 8;
  g_assert_true (janus_connection_request (conn, "kwargs", NULL, json_node_get_object (kw), -1,
                                           on_done, cd, NULL));
  r = wait_results (&f->waiter, 1);
  text = text_of (((Result *) r->pdata[0])->result);
  g_assert_cmpstr (text, ==, "{\"a\": [1, NaN], \"b\": \"\\u0000\"}");
}

static void
test_concurrent (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(JanusConnection) conn = connect_client (f);
  g_autoptr(GPtrArray) r = NULL;
  g_autofree gboolean *seen = g_new0 (gboolean, 1000);

  for (guint i = 0; i < 1000; i++)
    {
      g_autofree char *args = g_strdup_printf ("[%u, \"x%u\"]", i, i);
      g_assert_true (call (conn, "echo", args, &f->waiter, i, NULL));
    }
  r = wait_results (&f->waiter, 1000);
  for (guint i = 0; i < r->len; i++)
    {
      Result *res = r->pdata[i];
      JsonArray *a;
      g_assert_no_error (res->error);
      a = json_node_get_array (res->result);
      /* each answer is the one to its own request */
      g_assert_cmpint (json_array_get_int_element (a, 0), ==, res->tag);
      g_assert_false (seen[res->tag]);
      seen[res->tag] = TRUE;
    }
  g_assert_cmpuint (janus_connection_get_pending_count (conn), ==, 0);
  /* all on one connection */
  g_assert_cmpuint (janus_network_get_connection_count (f->client), ==, 1);
}

static void
test_out_of_order (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(JanusConnection) conn = connect_client (f);
  g_autoptr(GPtrArray) r = NULL;

  for (guint i = 0; i < 10; i++)
    g_assert_true (call (conn, "defer", "[]", &f->waiter, i, NULL));
  wait_held (f, 10);
  /* the server answers the last request first */
  for (guint i = 10; i-- > 0;)
    {
      Held *h = f->held->pdata[i];
      g_autoptr(JsonNode) v = json_node_init_int (json_node_alloc (), (gint64) h->id);
      janus_connection_answer (h->conn, h->id, v);
    }
  r = wait_results (&f->waiter, 10);
  for (guint i = 0; i < 10; i++)
    {
      Result *res = r->pdata[i];
      g_assert_no_error (res->error);
      /* request i (tag i) was sent with id i on a fresh connection */
      g_assert_cmpint (json_node_get_int (res->result), ==, res->tag);
      g_assert_cmpuint (res->tag, ==, 9 - i);
    }
}

static void
test_errors (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(JanusConnection) conn = connect_client (f);
  g_autoptr(GPtrArray) r = NULL;

  g_assert_true (call (conn, "fail", "[]", &f->waiter, 1, NULL));
  g_assert_true (call (conn, "no/such/path", "[1]", &f->waiter, 2, NULL));
  g_assert_true (call (conn, "echo", "[3]", &f->waiter, 3, NULL));
  r = wait_results (&f->waiter, 3);
  for (guint i = 0; i < 3; i++)
    {
      Result *res = r->pdata[i];
      if (res->tag == 1)
        {
          g_assert_error (res->error, JANUS_NET_ERROR, JANUS_NET_ERROR_REMOTE);
          g_assert_cmpstr (res->error->message, ==, "Traceback: boom");
        }
      else if (res->tag == 2)
        {
          g_assert_error (res->error, JANUS_NET_ERROR, JANUS_NET_ERROR_REMOTE);
          g_assert_cmpstr (res->error->message, ==, "unknown path");
        }
      else
        g_assert_no_error (res->error);
    }
  /* errors leave the connection usable */
  g_assert_false (janus_connection_is_closed (conn));
}

static void
test_callback (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(JanusConnection) conn = connect_client (f);
  g_autoptr(GPtrArray) r = NULL;

  /* the server calls the client back on the same connection before it
   * answers */
  g_assert_true (call (conn, "callback", "[]", &f->waiter, 1, NULL));
  r = wait_results (&f->waiter, 1);
  g_assert_no_error (((Result *) r->pdata[0])->error);
  g_assert_cmpstr (json_node_get_string (((Result *) r->pdata[0])->result), ==, "pong");
  g_assert_cmpuint (janus_network_get_connection_count (f->client), ==, 1);
  g_assert_cmpuint (janus_network_get_connection_count (f->server), ==, 1);
}

static void
test_timeout (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(JanusConnection) conn = connect_client (f);
  g_autoptr(GPtrArray) r = NULL, r2 = NULL;
  gint64 start = g_get_monotonic_time ();
  Held *h;

  janus_network_set_call_timeout (f->client, 100 * 1000);
  g_assert_true (call (conn, "never", "[]", &f->waiter, 1, NULL));
  r = wait_results (&f->waiter, 1);
  g_assert_error (((Result *) r->pdata[0])->error, JANUS_NET_ERROR, JANUS_NET_ERROR_TIMED_OUT);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 100 * 1000);
  /* the late answer is dropped; the connection goes on */
  wait_held (f, 1);
  h = f->held->pdata[0];
  {
    g_autoptr(JsonNode) late = json_node_init_string (json_node_alloc (), "late");
    janus_connection_answer (h->conn, h->id, late);
  }
  janus_network_set_call_timeout (f->client, 0);
  g_assert_true (call (conn, "echo", "[2]", &f->waiter, 2, NULL));
  r2 = wait_results (&f->waiter, 1);
  g_assert_no_error (((Result *) r2->pdata[0])->error);
  g_assert_cmpuint (((Result *) r2->pdata[0])->tag, ==, 2);
  g_assert_false (janus_connection_is_closed (conn));
}

static void
test_connection_loss (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(JanusConnection) conn = connect_client (f);
  g_autoptr(JanusConnection) again = NULL;
  g_autoptr(GPtrArray) r = NULL, r2 = NULL;
  g_autoptr(GError) error = NULL;
  guint closed = 0;

  for (guint i = 0; i < 5; i++)
    g_assert_true (call (conn, "never", "[]", &f->waiter, i, NULL));
  wait_held (f, 5);
  g_assert_true (call (conn, "close", "[]", &f->waiter, 99, NULL));
  /* the close answer and the five pending requests: all come back */
  r = wait_results (&f->waiter, 6);
  for (guint i = 0; i < r->len; i++)
    {
      Result *res = r->pdata[i];
      g_assert_nonnull (res->error);
      if (res->tag == 99 && res->error->code == JANUS_NET_ERROR_REMOTE)
        continue;
      g_assert_error (res->error, JANUS_NET_ERROR, JANUS_NET_ERROR_CLOSED);
      closed++;
    }
  g_assert_cmpuint (closed, >=, 5);
  g_assert_true (janus_connection_is_closed (conn));
  /* sending on the dead connection fails at once */
  g_assert_false (call (conn, "echo", "[1]", &f->waiter, 100, &error));
  g_assert_error (error, JANUS_NET_ERROR, JANUS_NET_ERROR_CLOSED);

  /* next use reconnects */
  again = connect_client (f);
  g_assert_true (again != conn);
  g_assert_true (call (again, "echo", "[1]", &f->waiter, 101, NULL));
  r2 = wait_results (&f->waiter, 1);
  g_assert_no_error (((Result *) r2->pdata[0])->error);
}

static guint16
free_port (void)
{
  g_autoptr(GSocket) s = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                       G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) a = g_inet_socket_address_new (lo, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  g_assert_true (g_socket_bind (s, a, FALSE, NULL));
  bound = g_socket_get_local_address (s, NULL);
  /* closed at once: nothing listens there */
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

static void
test_refused (Fixture       *f,
              gconstpointer  data)
{
  g_autofree char *key = g_strdup_printf ("127.0.0.1:%u", free_port ());
  g_autoptr(JanusConnection) conn = janus_network_get_connection (f->client, key, NULL);
  g_autoptr(GPtrArray) r = NULL;
  g_autoptr(GError) error = NULL;

  /* the refusal may come before the request is queued: then the request
   * fails at once, with the same error */
  if (call (conn, "echo", "[1]", &f->waiter, 1, &error))
    {
      r = wait_results (&f->waiter, 1);
      g_assert_error (((Result *) r->pdata[0])->error, JANUS_NET_ERROR, JANUS_NET_ERROR_REFUSED);
    }
  else
    g_assert_error (error, JANUS_NET_ERROR, JANUS_NET_ERROR_REFUSED);
  g_clear_error (&error);
  /* once refused, a request on the closed connection fails at once */
  g_clear_pointer (&r, g_ptr_array_unref);
  {
    gint64 deadline = g_get_monotonic_time () + WAIT_USEC;
    while (!janus_connection_is_closed (conn))
      {
        g_assert_cmpint (g_get_monotonic_time (), <, deadline);
        g_thread_yield ();
      }
  }
  g_assert_false (call (conn, "echo", "[1]", &f->waiter, 2, &error));
  g_assert_error (error, JANUS_NET_ERROR, JANUS_NET_ERROR_REFUSED);
}

static void
test_frame_limit (void)
{
  Fixture f = { 0 };
  g_autoptr(JanusConnection) conn = NULL;
  g_autoptr(GPtrArray) r = NULL;
  g_autoptr(GString) big = g_string_new ("[\"");
  g_autoptr(GError) error = NULL;

  fixture_setup_with (&f, JANUS_CODEC_FORMAT_JSON, 1024);
  conn = connect_client (&f);
  for (guint i = 0; i < 2000; i++)
    g_string_append_c (big, 'a');
  g_string_append (big, "\"]");
  g_assert_true (call (conn, "echo", big->str, &f.waiter, 1, NULL));
  r = wait_results (&f.waiter, 1);
  /* the server refuses the frame by closing the connection */
  g_assert_error (((Result *) r->pdata[0])->error, JANUS_NET_ERROR, JANUS_NET_ERROR_CLOSED);
  wait_closed (&f, 1);
  g_mutex_lock (&f.lock);
  g_assert_cmpuint (f.closed->len, ==, 1);
  g_assert_error ((GError *) f.closed->pdata[0], JANUS_NET_ERROR, JANUS_NET_ERROR_FRAME_TOO_LARGE);
  g_mutex_unlock (&f.lock);
  g_clear_pointer (&conn, janus_connection_unref);
  fixture_teardown (&f, NULL);

  /* and a sender refuses to send one beyond its own limit */
  memset (&f, 0, sizeof f);
  fixture_setup_with (&f, JANUS_CODEC_FORMAT_JSON, 0);
  janus_network_shutdown (f.client);
  g_clear_object (&f.client);
  f.client = janus_network_new_for_router (client_router, &f);
  janus_network_set_max_frame_size (f.client, 1024);
  conn = connect_client (&f);
  g_assert_false (call (conn, "echo", big->str, &f.waiter, 2, &error));
  g_assert_error (error, JANUS_NET_ERROR, JANUS_NET_ERROR_FRAME_TOO_LARGE);
  g_clear_pointer (&conn, janus_connection_unref);
  fixture_teardown (&f, NULL);
}

static void
test_busy (void)
{
  Fixture f = { 0 };
  g_autoptr(JanusConnection) conn = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) r = NULL;

  fixture_setup_with (&f, JANUS_CODEC_FORMAT_JSON, 0);
  janus_network_shutdown (f.client);
  g_clear_object (&f.client);
  f.client = janus_network_new_for_router (client_router, &f);
  janus_network_set_max_pending_calls (f.client, 4);
  conn = connect_client (&f);
  for (guint i = 0; i < 4; i++)
    g_assert_true (call (conn, "never", "[]", &f.waiter, i, NULL));
  g_assert_false (call (conn, "echo", "[]", &f.waiter, 5, &error));
  g_assert_error (error, JANUS_NET_ERROR, JANUS_NET_ERROR_BUSY);
  /* shutting down fails the four */
  janus_network_shutdown (f.client);
  r = wait_results (&f.waiter, 4);
  for (guint i = 0; i < 4; i++)
    g_assert_error (((Result *) r->pdata[i])->error, JANUS_NET_ERROR, JANUS_NET_ERROR_SHUTDOWN);
  g_clear_pointer (&conn, janus_connection_unref);
  fixture_teardown (&f, NULL);
}

/* A server that does not answer stops reading after max_incoming
 * requests; the client's queue then fills up to its send limit and new
 * requests fail at once: memory stays bounded on both sides. Answering
 * lets the server read again. */
static void
test_backpressure (void)
{
  Fixture f = { 0 };
  g_autoptr(JanusConnection) conn = NULL;
  g_autoptr(GString) payload = g_string_new ("[\"");
  g_autoptr(GError) error = NULL;
  guint sent = 0, first_batch;
  gint64 deadline;

  fixture_setup_full (&f, JANUS_CODEC_FORMAT_JSON, 0, 16);
  janus_network_shutdown (f.client);
  g_clear_object (&f.client);
  f.client = janus_network_new_for_router (client_router, &f);
  janus_network_set_send_limit (f.client, 256 * 1024);
  conn = connect_client (&f);
  for (guint i = 0; i < 4000; i++)
    g_string_append_c (payload, 'p');
  g_string_append (payload, "\"]");

  while (sent < 200000)
    {
      if (!call (conn, "never", payload->str, &f.waiter, sent, &error))
        break;
      sent++;
    }
  g_assert_error (error, JANUS_NET_ERROR, JANUS_NET_ERROR_BUSY);
  g_clear_error (&error);
  g_assert_cmpuint (sent, <, 200000);
  /* the server holds about max_incoming requests, not all that were sent */
  wait_held (&f, 16);
  first_batch = held_count (&f);
  g_assert_cmpuint (first_batch, <=, 16 + 64);
  g_assert_cmpuint (first_batch, <, sent);
  g_test_message ("%u requests sent before BUSY, %u read by the server", sent, first_batch);

  /* answering lets it read the rest */
  g_mutex_lock (&f.lock);
  for (guint i = 0; i < f.held->len; i++)
    {
      Held *h = f.held->pdata[i];
      g_autoptr(JsonNode) null = json_node_new (JSON_NODE_NULL);
      janus_connection_answer (h->conn, h->id, null);
    }
  g_mutex_unlock (&f.lock);
  deadline = g_get_monotonic_time () + WAIT_USEC;
  while (held_count (&f) <= first_batch)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_thread_yield ();
    }
  janus_network_shutdown (f.client);
  g_ptr_array_unref (wait_results (&f.waiter, sent));
  g_clear_pointer (&conn, janus_connection_unref);
  fixture_teardown (&f, NULL);
}

static void
test_shutdown_pending (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(JanusConnection) conn = connect_client (f);
  g_autoptr(GPtrArray) r = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JanusConnection) none = NULL;

  for (guint i = 0; i < 20; i++)
    g_assert_true (call (conn, "never", "[]", &f->waiter, i, NULL));
  wait_held (f, 20);
  /* the server goes: every pending request of the client fails, none hangs */
  janus_network_shutdown (f->server);
  r = wait_results (&f->waiter, 20);
  for (guint i = 0; i < 20; i++)
    g_assert_error (((Result *) r->pdata[i])->error, JANUS_NET_ERROR, JANUS_NET_ERROR_CLOSED);
  janus_network_shutdown (f->client);
  none = janus_network_get_connection (f->client, f->key, &error);
  g_assert_null (none);
  g_assert_error (error, JANUS_NET_ERROR, JANUS_NET_ERROR_SHUTDOWN);
}

/* ------------------------------------------------------------- hostile */

static GSocketConnection *
raw_connect (Fixture *f)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GError) error = NULL;
  GSocketConnection *conn = g_socket_client_connect_to_host (client, f->key, 0, NULL, &error);

  g_assert_no_error (error);
  g_socket_set_timeout (g_socket_connection_get_socket (conn), 20);
  return conn;
}

static void
raw_send (GSocketConnection *conn,
          const void        *bytes,
          gsize              len)
{
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (conn));

  g_assert_true (g_output_stream_write_all (out, bytes, len, NULL, NULL, NULL));
}

static void
raw_send_frame (GSocketConnection *conn,
                const char        *payload)
{
  guint32 len = GUINT32_TO_BE (strlen (payload));

  raw_send (conn, &len, 4);
  raw_send (conn, payload, strlen (payload));
}

/* Reads until the server closes the connection (bounded by the socket's
 * time-out, which would be an error). */
static void
raw_expect_closed (GSocketConnection *conn)
{
  GInputStream *in = g_io_stream_get_input_stream (G_IO_STREAM (conn));
  char buf[4096];

  for (;;)
    {
      g_autoptr(GError) error = NULL;
      gssize n = g_input_stream_read (in, buf, sizeof buf, NULL, &error);
      if (n == 0 || (n < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED)))
        return;
      g_assert_no_error (error);
    }
}

static void
count_message (const char     *domain,
               GLogLevelFlags  level,
               const char     *message,
               gpointer        data)
{
  atomic_fetch_add ((atomic_uint *) data, 1);
}

static void
test_hostile (Fixture       *f,
              gconstpointer  data)
{
  static const char *payloads[] = {
    "not json",
    "[0, 1]",
    "[3, 0, null]",
    "[0, -1, [\"echo\", [], {}]]",
    "[0, 0, [\"echo\", {}, {}]]",
    "[0, 0, [7, [], {}]]",
    "[1, 99, null]",
    "[0, 0, [\"echo\", [{\"__type__\": [5, 1]}], {}]]",
    "[0, 0, [\"echo\", [], {}]] trailing",
    "{\"a\": 1}",
  };
  g_autoptr(JanusConnection) good = connect_client (f);
  guint expected = 0;
  atomic_uint logged = 0;
  guint handler = g_log_set_handler ("Janus", G_LOG_LEVEL_MESSAGE, count_message, &logged);

  for (guint i = 0; i < G_N_ELEMENTS (payloads); i++)
    {
      g_autoptr(GSocketConnection) raw = raw_connect (f);
      g_autoptr(GPtrArray) r = NULL;

      raw_send_frame (raw, payloads[i]);
      raw_expect_closed (raw);
      expected++;
      /* the well-behaved connection goes on */
      g_assert_true (call (good, "echo", "[1]", &f->waiter, i, NULL));
      r = wait_results (&f->waiter, 1);
      g_assert_no_error (((Result *) r->pdata[0])->error);
    }
  /* a length beyond the limit, then a frame cut short by the peer */
  {
    g_autoptr(GSocketConnection) raw = raw_connect (f);
    raw_send (raw, "\xff\xff\xff\xff", 4);
    raw_expect_closed (raw);
    expected++;
  }
  {
    g_autoptr(GSocketConnection) raw = raw_connect (f);
    raw_send (raw, "\0\0\0\x10[0, 0", 10);
    g_io_stream_close (G_IO_STREAM (raw), NULL, NULL);
  }
  wait_closed (f, expected + 1);
  g_mutex_lock (&f->lock);
  for (guint i = 0; i < expected; i++)
    {
      GError *e = f->closed->pdata[i];
      g_assert_true (e->domain == JANUS_NET_ERROR);
      g_assert_true (e->code == JANUS_NET_ERROR_CODEC || e->code == JANUS_NET_ERROR_PROTOCOL
                     || e->code == JANUS_NET_ERROR_FRAME_TOO_LARGE);
    }
  g_mutex_unlock (&f->lock);
  g_assert_false (janus_connection_is_closed (good));
  /* each reason was logged */
  g_assert_cmpuint (atomic_load (&logged), >=, expected);
  g_log_remove_handler ("Janus", handler);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  for (int c = 0; c < 2; c++)
    {
      gconstpointer format = GINT_TO_POINTER (c ? JANUS_CODEC_FORMAT_MSGPACK : JANUS_CODEC_FORMAT_JSON);
      const char *name = c ? "msgpack" : "json";
#define ADD(path, func)                                                          \
      G_STMT_START {                                                             \
        g_autofree char *p = g_strdup_printf ("/net/rpc/%s/" path, name);        \
        g_test_add (p, Fixture, format, fixture_setup, func, fixture_teardown);  \
      } G_STMT_END
      ADD ("echo", test_echo);
      ADD ("concurrent-1000", test_concurrent);
      ADD ("out-of-order", test_out_of_order);
      ADD ("errors", test_errors);
      ADD ("callback", test_callback);
      ADD ("timeout", test_timeout);
      ADD ("connection-loss", test_connection_loss);
      ADD ("refused", test_refused);
      ADD ("shutdown-pending", test_shutdown_pending);
#undef ADD
    }
  g_test_add ("/net/rpc/json/hostile", Fixture, GINT_TO_POINTER (JANUS_CODEC_FORMAT_JSON),
              fixture_setup, test_hostile, fixture_teardown);
  g_test_add_func ("/net/rpc/frame-limit", test_frame_limit);
  g_test_add_func ("/net/rpc/busy", test_busy);
  g_test_add_func ("/net/rpc/backpressure", test_backpressure);

  return g_test_run ();
}
