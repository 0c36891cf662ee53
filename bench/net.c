/* SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * janus-net: kernels over loopback TCP, in two processes.
 *
 *   janus-net CODEC N [INFLIGHT [WORKLOADS]]   CODEC: json or msgpack
 *
 * WORKLOADS, a comma-separated list of seq, pipe, msg, raw and hop
 * (default: all five), picks the measurements (to count one alone with callgrind).
 *
 * Starts itself again as a server process (a kernel with one worker and
 * one agent exposing "echo", and counting the messages it receives), then
 * measures from this process, with the public API:
 *   net-echo-seq     N calls of echo, one at a time (janus_proxy_call_json_sync
 *                    from a plain thread): calls/s, and the round trip's
 *                    p50 and p99 in µs;
 *   net-echo-pipe    N calls of echo with INFLIGHT (default 1000) in flight
 *                    (janus_proxy_call_json_async, callbacks in the main
 *                    context): calls/s;
 *   net-messages     N JanusMessages from an agent of this process to the
 *                    server's agent (which checks their order and answers
 *                    the last one): msg/s from the first send to the answer;
 *   raw-loopback     the floor of this machine: N round trips of a frame of
 *                    the same size between a blocking thread of this process
 *                    and a third process that echoes it with blocking reads
 *                    and writes (no janus-c, no GLib main loop): rt/s, p50,
 *                    p99. A janus-c call costs at least this.
 *   raw-hop          the same with the thread hops of a janus-c call: in
 *                    the echoing process a reading thread hands each frame
 *                    to another thread that writes it back (a network
 *                    thread and a worker), and in this one a reading thread
 *                    hands the answer to the waiting caller (a network
 *                    thread and a blocked caller): four wake-ups per round
 *                    trip instead of two.
 * Prints one RESULT line per measurement; exits 1 if a result, a count or
 * the order is wrong.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <janus.h>

#include "bench-util.h"

/* ------------------------------------------------------------- server */

typedef struct
{
  JanusAgent parent_instance;
  gint64     expected;          /* next message number */
  gboolean   disorder;
} Server;

typedef struct { JanusAgentClass parent_class; } ServerClass;
static GType server_get_type (void);
G_DEFINE_TYPE (Server, server, JANUS_TYPE_AGENT)

static void
server_echo (JanusAgent *agent, JanusInvocation *invocation, gpointer data)
{
  g_autoptr(JsonNode) node = json_node_init_array (json_node_alloc (), janus_invocation_get_args (invocation));

  janus_invocation_return_json (invocation, node);
}

static JanusLive
server_live (JanusAgent *agent)
{
  Server *self = (Server *) agent;
  JanusMessage *m;

  while ((m = janus_agent_get_message (agent)) != NULL)
    {
      gint64 v = -1;

      if (!janus_message_get_int64 (m, &v) || v != self->expected)
        self->disorder = TRUE;
      self->expected++;
      if (janus_message_has_subject (m, "last"))
        janus_agent_reply (agent, m, janus_message_new_int64 (self->disorder ? "disorder" : "done",
                                                              self->expected), NULL);
      janus_message_unref (m);
    }
  return JANUS_LIVE_WAIT;
}

static void
server_class_init (ServerClass *klass)
{
  JANUS_AGENT_CLASS (klass)->live = server_live;
  janus_agent_class_add_method (JANUS_AGENT_CLASS (klass), "echo", NULL, server_echo);
}

static void server_init (Server *self) {}

static JanusCodec *
codec_for (const char *name)
{
  return janus_codec_new (strcmp (name, "msgpack") == 0 ? JANUS_CODEC_FORMAT_MSGPACK
                                                        : JANUS_CODEC_FORMAT_JSON);
}

static int
serve (const char *codec)
{
  g_autoptr(JanusKernel) kernel = janus_kernel_new (1);
  g_autoptr(JanusAgent) agent = g_object_new (server_get_type (), NULL);
  g_autoptr(JanusCodec) c = codec_for (codec);
  g_autoptr(GError) error = NULL;
  char line[64];

  janus_kernel_set_keep_alive (kernel, TRUE);
  janus_network_set_codec (janus_kernel_get_network (kernel), c);
  if (!janus_kernel_listen (kernel, "tcp://127.0.0.1:0", &error)
      || !janus_kernel_launch_light_agent (kernel, agent, "server", NULL, &error))
    {
      fprintf (stderr, "server: %s\n", error->message);
      return 1;
    }
  printf ("%s/%" G_GUINT64_FORMAT "\n", janus_network_get_listen_uri (janus_kernel_get_network (kernel)),
          janus_address_get_id (janus_agent_get_address (agent)));
  fflush (stdout);
  while (fgets (line, sizeof line, stdin) != NULL)
    ;
  janus_kernel_shutdown (kernel);
  return 0;
}

/* One frame handed from a thread to another (raw-hop). */
typedef struct
{
  GMutex  lock;
  GCond   cond;
  char    data[4096];
  gssize  len;                  /* -1: empty; 0: closed */
} Slot;

static void
slot_put (Slot       *slot,
          const char *data,
          gssize      len)
{
  g_mutex_lock (&slot->lock);
  while (slot->len > 0)
    g_cond_wait (&slot->cond, &slot->lock);
  if (len > 0)
    memcpy (slot->data, data, len);
  slot->len = len;
  g_cond_broadcast (&slot->cond);
  g_mutex_unlock (&slot->lock);
}

/* The next frame's length (0: closed), its bytes copied to @data. */
static gssize
slot_take (Slot *slot,
           char *data)
{
  gssize len;

  g_mutex_lock (&slot->lock);
  while (slot->len < 0)
    g_cond_wait (&slot->cond, &slot->lock);
  len = slot->len;
  if (len > 0)
    {
      memcpy (data, slot->data, len);
      slot->len = -1;
      g_cond_broadcast (&slot->cond);
    }
  g_mutex_unlock (&slot->lock);
  return len;
}

typedef struct
{
  GSocket *socket;
  Slot    *slot;
} Reader;

/* Reads the socket and hands what it read over, until it closes. */
static gpointer
read_to_slot (gpointer data)
{
  Reader *reader = data;
  char buffer[4096];

  for (;;)
    {
      gssize n = g_socket_receive (reader->socket, buffer, sizeof buffer, NULL, NULL);

      slot_put (reader->slot, buffer, MAX (n, 0));
      if (n <= 0)
        return NULL;
    }
}

/* A process that echoes what it reads on one TCP connection; with @hop,
 * through a second thread. */
static int
serve_raw (gboolean hop)
{
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(GSocketConnection) c = NULL;
  g_autoptr(GError) error = NULL;
  GSocket *socket;
  guint16 port = g_socket_listener_add_any_inet_port (listener, NULL, &error);
  char buffer[4096];

  if (port == 0)
    {
      fprintf (stderr, "raw server: %s\n", error->message);
      return 1;
    }
  printf ("%u\n", port);
  fflush (stdout);
  c = g_socket_listener_accept (listener, NULL, NULL, &error);
  if (c == NULL)
    return 1;
  socket = g_socket_connection_get_socket (c);
  g_socket_set_option (socket, IPPROTO_TCP, TCP_NODELAY, 1, NULL);
  if (hop)
    {
      Slot slot = { .len = -1 };
      Reader reader = { socket, &slot };
      GThread *thread = g_thread_new ("reader", read_to_slot, &reader);

      for (;;)
        {
          gssize n = slot_take (&slot, buffer);

          if (n <= 0 || g_socket_send (socket, buffer, n, NULL, NULL) != n)
            break;
        }
      g_socket_shutdown (socket, TRUE, TRUE, NULL);
      g_thread_join (thread);
      return 0;
    }
  for (;;)
    {
      gssize n = g_socket_receive (socket, buffer, sizeof buffer, NULL, NULL);

      if (n <= 0 || g_socket_send (socket, buffer, n, NULL, NULL) != n)
        return 0;
    }
}

/* ------------------------------------------------------------- client */

static const char *codec_name;
static gint64 n_calls;

static int
compare (const void *a, const void *b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;
  return x < y ? -1 : x > y;
}

static JsonArray *
args_for (gint64 i)
{
  JsonArray *args = json_array_sized_new (1);

  json_array_add_int_element (args, i);
  return args;
}

static gboolean
check (JsonNode *result,
       gint64    i)
{
  return result != NULL && JSON_NODE_HOLDS_ARRAY (result)
         && json_array_get_length (json_node_get_array (result)) == 1
         && json_array_get_int_element (json_node_get_array (result), 0) == i;
}

static int
echo_sequential (JanusProxy *proxy)
{
  g_autofree gint64 *samples = g_new (gint64, n_calls);
  double t0, t1;

  /* warm up: connection, caches */
  for (gint64 i = 0; i < 1000; i++)
    {
      g_autoptr(JsonArray) args = args_for (i);
      g_autoptr(JsonNode) r = janus_proxy_call_json_sync (proxy, "echo", args, NULL, NULL, NULL);
      if (!check (r, i))
        return 1;
    }
  t0 = bench_now ();
  for (gint64 i = 0; i < n_calls; i++)
    {
      g_autoptr(JsonArray) args = args_for (i);
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) r = NULL;
      gint64 s = g_get_monotonic_time ();

      r = janus_proxy_call_json_sync (proxy, "echo", args, NULL, NULL, &error);
      samples[i] = g_get_monotonic_time () - s;
      if (!check (r, i))
        {
          fprintf (stderr, "echo %" G_GINT64_FORMAT ": %s\n", i, error ? error->message : "wrong result");
          return 1;
        }
    }
  t1 = bench_now ();
  qsort (samples, n_calls, sizeof (gint64), compare);
  printf ("RESULT system=janus-c-1w workload=net-echo-seq-%s n=%" G_GINT64_FORMAT
          " secs=%.4f rate=%.0f unit=calls/s p50_us=%" G_GINT64_FORMAT " p99_us=%" G_GINT64_FORMAT "\n",
          codec_name, n_calls, t1 - t0, n_calls / (t1 - t0), samples[n_calls / 2],
          samples[(n_calls * 99) / 100]);
  fflush (stdout);
  return 0;
}

typedef struct
{
  JanusProxy *proxy;
  gint64      sent;
  gint64      received;
  gint64      failed;
} Pipe;

static void send_next (Pipe *pipe);

static void
on_echo (GObject *source, GAsyncResult *result, gpointer data)
{
  Pipe *pipe = data;
  g_autoptr(JsonNode) r = janus_proxy_call_json_finish (JANUS_PROXY (source), result, NULL);

  /* answers come back in any order: check the shape, count them */
  if (r == NULL || !JSON_NODE_HOLDS_ARRAY (r) || json_array_get_length (json_node_get_array (r)) != 1)
    pipe->failed++;
  pipe->received++;
  if (pipe->sent < n_calls)
    send_next (pipe);
}

static void
send_next (Pipe *pipe)
{
  g_autoptr(JsonArray) args = args_for (pipe->sent++);

  janus_proxy_call_json_async (pipe->proxy, "echo", args, NULL, NULL, on_echo, pipe);
}

static int
echo_pipelined (JanusProxy *proxy,
                gint64      inflight)
{
  Pipe pipe = { proxy, 0, 0, 0 };
  double t0, t1;

  t0 = bench_now ();
  for (gint64 i = 0; i < inflight && i < n_calls; i++)
    send_next (&pipe);
  while (pipe.received < n_calls)
    g_main_context_iteration (NULL, TRUE);
  t1 = bench_now ();
  if (pipe.failed != 0)
    {
      fprintf (stderr, "%" G_GINT64_FORMAT " pipelined calls failed\n", pipe.failed);
      return 1;
    }
  printf ("RESULT system=janus-c-1w workload=net-echo-pipe-%s n=%" G_GINT64_FORMAT
          " secs=%.4f rate=%.0f unit=calls/s inflight=%" G_GINT64_FORMAT "\n",
          codec_name, n_calls, t1 - t0, n_calls / (t1 - t0), inflight);
  fflush (stdout);
  return 0;
}

/* An agent that sends n_calls numbered messages, the last one "last",
 * and waits for the server's answer. */
typedef struct
{
  JanusAgent  parent_instance;
  char       *target;
  double      t0;
  double      t1;
  gint64      count;
  gboolean    ok;
  GMutex      lock;
  GCond       cond;
  gboolean    done;
} Sender;

typedef struct { JanusAgentClass parent_class; } SenderClass;
static GType sender_get_type (void);
G_DEFINE_TYPE (Sender, sender, JANUS_TYPE_AGENT)

static gboolean
sender_activate (JanusAgent *agent, GVariant *parameters, GError **error)
{
  Sender *self = (Sender *) agent;
  g_autoptr(JanusAddress) to = janus_address_parse (self->target, error);

  if (to == NULL)
    return FALSE;
  self->t0 = bench_now ();
  for (gint64 i = 0; i < n_calls; i++)
    janus_agent_send (agent, to, janus_message_new_int64 (i + 1 < n_calls ? "m" : "last", i), NULL);
  return TRUE;
}

static JanusLive
sender_live (JanusAgent *agent)
{
  Sender *self = (Sender *) agent;
  g_autoptr(JanusMessage) m = janus_agent_get_message (agent);

  if (m == NULL)
    return JANUS_LIVE_WAIT;
  self->t1 = bench_now ();
  self->ok = janus_message_has_subject (m, "done") && janus_message_get_int64 (m, &self->count);
  g_mutex_lock (&self->lock);
  self->done = TRUE;
  g_cond_signal (&self->cond);
  g_mutex_unlock (&self->lock);
  return JANUS_LIVE_DONE;
}

static void
sender_class_init (SenderClass *klass)
{
  JANUS_AGENT_CLASS (klass)->activate = sender_activate;
  JANUS_AGENT_CLASS (klass)->live = sender_live;
}

static void
sender_init (Sender *self)
{
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
}

static int
messages (JanusKernel *kernel,
          const char  *address)
{
  g_autoptr(JanusAgent) agent = g_object_new (sender_get_type (), NULL);
  Sender *sender = (Sender *) agent;

  sender->target = g_strdup (address);
  janus_kernel_launch_light_agent (kernel, agent, "sender", NULL, NULL);
  g_mutex_lock (&sender->lock);
  while (!sender->done)
    g_cond_wait (&sender->cond, &sender->lock);
  g_mutex_unlock (&sender->lock);
  if (!sender->ok || sender->count != n_calls)
    {
      fprintf (stderr, "messages: %s, %" G_GINT64_FORMAT " of %" G_GINT64_FORMAT "\n",
               sender->ok ? "done" : "out of order or lost", sender->count, n_calls);
      return 1;
    }
  printf ("RESULT system=janus-c-1w workload=net-messages-%s n=%" G_GINT64_FORMAT
          " secs=%.4f rate=%.0f unit=msg/s\n",
          codec_name, n_calls, sender->t1 - sender->t0, n_calls / (sender->t1 - sender->t0));
  fflush (stdout);
  g_free (sender->target);
  return 0;
}

static GSubprocess *
spawn_self (const char   *mode,
            const char   *argument,
            char        **first_line)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *self_exe = g_file_read_link ("/proc/self/exe", &error);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GDataInputStream) out = NULL;

  process = self_exe ? g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE,
                                         &error, self_exe, mode, argument, NULL) : NULL;
  if (process == NULL)
    {
      fprintf (stderr, "%s\n", error->message);
      return NULL;
    }
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
  *first_line = g_data_input_stream_read_line (out, NULL, NULL, NULL);
  if (*first_line == NULL)
    {
      fprintf (stderr, "%s %s did not start\n", mode, argument);
      return NULL;
    }
  return g_steal_pointer (&process);
}

static void
stop (GSubprocess *process)
{
  g_output_stream_close (g_subprocess_get_stdin_pipe (process), NULL, NULL);
  g_subprocess_wait (process, NULL, NULL);
}

static int
raw_loopback (gboolean hop)
{
  /* the size of an echo request of the benchmark: a length prefix and
   * [0, id, "agents/1/echo", [i], {}] */
  static const char frame[] = "\0\0\0\x1f[0,12345,\"agents/1/echo\",[12345],{}]";
  g_autofree char *port = NULL;
  g_autoptr(GSubprocess) echo = spawn_self ("--raw", hop ? "hop" : "-", &port);
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) c = NULL;
  g_autofree gint64 *samples = g_new (gint64, n_calls);
  GSocket *socket;
  char buffer[2 * sizeof ((Slot *) NULL)->data];
  double t0, t1;
  Slot slot = { .len = -1 };
  Reader reader;
  GThread *thread = NULL;

  if (echo == NULL)
    return 1;
  c = g_socket_client_connect_to_host (client, "127.0.0.1", (guint16) atoi (port), NULL, NULL);
  if (c == NULL)
    return 1;
  socket = g_socket_connection_get_socket (c);
  g_socket_set_option (socket, IPPROTO_TCP, TCP_NODELAY, 1, NULL);
  reader.socket = socket;
  reader.slot = &slot;
  if (hop)
    thread = g_thread_new ("reader", read_to_slot, &reader);
  t0 = bench_now ();
  for (gint64 i = -1000; i < n_calls; i++)
    {
      gint64 s = g_get_monotonic_time ();
      gsize got = 0;

      if (i == 0)
        t0 = bench_now ();
      if (g_socket_send (socket, frame, sizeof frame - 1, NULL, NULL) != sizeof frame - 1)
        return 1;
      while (got < sizeof frame - 1)
        {
          gssize n = hop ? slot_take (&slot, buffer + got)
                         : g_socket_receive (socket, buffer + got, sizeof frame - 1 - got, NULL, NULL);

          if (n <= 0)
            return 1;
          got += n;
        }
      if (memcmp (buffer, frame, sizeof frame - 1) != 0)
        return 1;
      if (i >= 0)
        samples[i] = g_get_monotonic_time () - s;
    }
  t1 = bench_now ();
  g_socket_shutdown (socket, TRUE, TRUE, NULL);
  if (thread != NULL)
    g_thread_join (thread);
  g_socket_close (socket, NULL);
  stop (echo);
  qsort (samples, n_calls, sizeof (gint64), compare);
  printf ("RESULT system=baseline workload=%s n=%" G_GINT64_FORMAT
          " secs=%.4f rate=%.0f unit=rt/s p50_us=%" G_GINT64_FORMAT " p99_us=%" G_GINT64_FORMAT "\n",
          hop ? "raw-hop" : "raw-loopback", n_calls, t1 - t0, n_calls / (t1 - t0),
          samples[n_calls / 2], samples[(n_calls * 99) / 100]);
  fflush (stdout);
  return 0;
}

static gboolean
wanted (const char *workloads,
        const char *name)
{
  g_auto(GStrv) names = g_strsplit (workloads, ",", -1);

  return g_strv_contains ((const char * const *) names, name);
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *address = NULL;
  g_autoptr(GSubprocess) server = NULL;
  g_autoptr(JanusKernel) kernel = NULL;
  g_autoptr(JanusCodec) codec = NULL;
  g_autoptr(JanusProxy) proxy = NULL;
  gint64 inflight;
  const char *workloads;
  int status = 0;

  if (argc == 3 && strcmp (argv[1], "--serve") == 0)
    return serve (argv[2]);
  if (argc == 3 && strcmp (argv[1], "--raw") == 0)
    return serve_raw (strcmp (argv[2], "hop") == 0);
  if (argc < 3 || (strcmp (argv[1], "json") != 0 && strcmp (argv[1], "msgpack") != 0))
    {
      fprintf (stderr, "usage: %s json|msgpack N [INFLIGHT [seq,pipe,msg,raw,hop]]\n", argv[0]);
      return 2;
    }
  codec_name = argv[1];
  n_calls = g_ascii_strtoll (argv[2], NULL, 10);
  inflight = argc > 3 ? g_ascii_strtoll (argv[3], NULL, 10) : 1000;
  workloads = argc > 4 ? argv[4] : "seq,pipe,msg,raw,hop";
  if (n_calls < 1 || inflight < 1)
    return 2;

  server = spawn_self ("--serve", codec_name, &address);
  if (server == NULL)
    return 1;

  kernel = janus_kernel_new (1);
  janus_kernel_set_keep_alive (kernel, TRUE);
  codec = codec_for (codec_name);
  janus_network_set_codec (janus_kernel_get_network (kernel), codec);
  proxy = janus_kernel_connect_sync (kernel, address, NULL, &error);
  if (proxy == NULL)
    {
      fprintf (stderr, "%s\n", error->message);
      return 1;
    }
  if (wanted (workloads, "seq"))
    status |= echo_sequential (proxy);
  if (wanted (workloads, "pipe"))
    status |= echo_pipelined (proxy, inflight);
  if (wanted (workloads, "msg"))
    status |= messages (kernel, address);

  g_clear_object (&proxy);
  janus_kernel_shutdown (kernel);
  stop (server);
  if (wanted (workloads, "raw"))
    status |= raw_loopback (FALSE);
  if (wanted (workloads, "hop"))
    status |= raw_loopback (TRUE);
  return status;
}
