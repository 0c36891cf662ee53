/* SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * distributed: two kernels in two processes, one command.
 *
 *   distributed [--codec json|msgpack]
 *   distributed [--codec json|msgpack] --serve
 *
 * Process A (this one) listens on 127.0.0.1 with a Registry agent that
 * exposes two methods: `add (a, b)` and `register (worker)`. It starts
 * process B (itself again, with --worker ADDRESS), whose kernel runs a
 * Worker agent. The Worker connects to the Registry (validate_aid), calls
 * add (19, 23), then registers itself: the Registry gets a proxy of the
 * Worker on the same connection and calls the Worker's `hello` back before
 * it answers. The Registry then sends the Worker a message; the Worker
 * answers it with a message of its own, and when the Registry has it, A
 * stops and so does B. Every line says which process printed it. B does
 * not listen: A reaches the Worker back through the connection B opened,
 * so its address shows B's side of that connection.
 *
 * With --serve, A only serves its Registry: it prints the Registry's
 * address and runs until its standard input closes (other programs, such
 * as examples/python/aiomas_interop.py, are then its clients).
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <janus.h>

static const char *process = "A";

#define say(...) G_STMT_START { \
    g_print ("[%s] ", process); g_print (__VA_ARGS__); g_print ("\n"); \
  } G_STMT_END

/* ---------------------------------------------------------- the registry */

#define REGISTRY_TYPE (registry_get_type ())
G_DECLARE_FINAL_TYPE (Registry, registry, DIST, REGISTRY, JanusAgent)

struct _Registry
{
  JanusAgent  parent_instance;
  JanusProxy *worker;           /* the registered worker, once known */
};

G_DEFINE_FINAL_TYPE (Registry, registry, JANUS_TYPE_AGENT)

static void
registry_add (JanusAgent *agent, JanusInvocation *invocation, gpointer data)
{
  gint32 a, b;

  g_variant_get (janus_invocation_get_parameters (invocation), "(ii)", &a, &b);
  say ("Registry: add (%d, %d) called from the other process", a, b);
  janus_invocation_return_value (invocation, g_variant_new_int32 (a + b));
}

typedef struct
{
  Registry        *registry;
  JanusInvocation *invocation;
} Pending;

static void
on_hello (GObject *source, GAsyncResult *result, gpointer data)
{
  Pending *p = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) answer = janus_proxy_call_finish (JANUS_PROXY (source), result, &error);
  g_autofree char *to = NULL;

  if (answer == NULL)
    {
      janus_invocation_return_gerror (p->invocation, error);
      goto out;
    }
  say ("Registry: the worker answered hello with '%s'", g_variant_get_string (answer, NULL));
  janus_invocation_return_value (p->invocation, g_variant_new_string ("registered"));
  /* a message to the worker's address travels over the same network */
  to = janus_address_to_string (janus_proxy_get_address (JANUS_PROXY (source)));
  say ("Registry: sending 'welcome' to %s", to);
  janus_agent_send (JANUS_AGENT (p->registry), janus_proxy_get_address (JANUS_PROXY (source)),
                    janus_message_new ("welcome", g_variant_new_string ("glad to have you")), NULL);

out:
  janus_invocation_unref (p->invocation);
  g_object_unref (p->registry);
  g_free (p);
}

/* register (worker): the worker travels as an agent; calls to it go back
 * to its kernel on the connection the call came from */
static void
registry_register (JanusAgent *agent, JanusInvocation *invocation, gpointer data)
{
  Registry *self = DIST_REGISTRY (agent);
  g_autoptr(GError) error = NULL;
  g_autoptr(GObject) worker = NULL;
  JsonArray *args = janus_invocation_get_args (invocation);
  Pending *p;

  if (json_array_get_length (args) != 1
      || (worker = janus_invocation_dup_object (invocation, json_array_get_element (args, 0), &error)) == NULL
      || !JANUS_IS_PROXY (worker))
    {
      janus_invocation_return_error_literal (invocation, JANUS_NET_ERROR, JANUS_NET_ERROR_INVALID_ARGUMENTS,
                                             "register takes one agent");
      return;
    }
  g_set_object (&self->worker, JANUS_PROXY (worker));
  say ("Registry: a worker registers; calling its hello before answering");
  p = g_new (Pending, 1);
  p->registry = g_object_ref (self);
  p->invocation = janus_invocation_ref (invocation);
  janus_proxy_call_async (self->worker, "hello", g_variant_new ("(s)", "Registry"), NULL, NULL,
                          on_hello, p);
}

static JanusLive
registry_live (JanusAgent *agent)
{
  JanusMessage *m;

  while ((m = janus_agent_get_message (agent)) != NULL)
    {
      g_autoptr(JanusMessage) msg = m;
      g_autofree char *from = janus_address_to_string (janus_message_get_sender (msg));

      say ("Registry: message '%s' from %s: %s", janus_message_get_subject (msg), from,
           janus_message_get_body (msg) ? g_variant_get_string (janus_message_get_body (msg), NULL) : "");
      if (janus_message_has_subject (msg, "thanks"))
        return JANUS_LIVE_DONE;
    }
  return JANUS_LIVE_WAIT;
}

static void
registry_finalize (GObject *object)
{
  g_clear_object (&DIST_REGISTRY (object)->worker);
  G_OBJECT_CLASS (registry_parent_class)->finalize (object);
}

static void
registry_class_init (RegistryClass *klass)
{
  JanusAgentClass *agent_class = JANUS_AGENT_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = registry_finalize;
  agent_class->live = registry_live;
  janus_agent_class_add_method (agent_class, "add", "(ii)", registry_add);
  janus_agent_class_add_method (agent_class, "register", NULL, registry_register);
}

static void registry_init (Registry *self) {}

/* ------------------------------------------------------------ the worker */

#define WORKER_TYPE (worker_get_type ())
G_DECLARE_FINAL_TYPE (Worker, worker, DIST, WORKER, JanusAgent)

struct _Worker
{
  JanusAgent  parent_instance;
  char       *registry_address;
  JanusProxy *registry;
};

G_DEFINE_FINAL_TYPE (Worker, worker, JANUS_TYPE_AGENT)

static void
worker_hello (JanusAgent *agent, JanusInvocation *invocation, gpointer data)
{
  const char *who;

  g_variant_get (janus_invocation_get_parameters (invocation), "(&s)", &who);
  say ("Worker: %s says hello (a call from the other process, on our connection)", who);
  janus_invocation_return_value (invocation, g_variant_new_string ("hello to you"));
}

static void
on_registered (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) answer = janus_proxy_call_json_finish (JANUS_PROXY (source), result, &error);

  if (answer == NULL)
    say ("Worker: register failed: %s", error->message);
  else
    say ("Worker: registered: %s", json_node_get_string (answer));
}

static void
on_added (GObject *source, GAsyncResult *result, gpointer data)
{
  Worker *self = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) sum = janus_proxy_call_finish (JANUS_PROXY (source), result, &error);
  g_autoptr(JsonArray) args = json_array_new ();
  JanusCodec *codec = janus_network_get_codec (janus_kernel_get_network (janus_agent_get_kernel (JANUS_AGENT (self))));

  if (sum == NULL)
    {
      say ("Worker: add failed: %s", error->message);
      return;
    }
  /* the callback runs in the worker's own turn */
  say ("Worker: add (19, 23) = %" G_GINT64_FORMAT, g_variant_get_int64 (sum));
  json_array_add_element (args, janus_codec_serialize_object (codec, G_OBJECT (self), NULL));
  janus_proxy_call_json_async (self->registry, "register", args, NULL, NULL, on_registered, self);
}

static void
on_connected (GObject *source, GAsyncResult *result, gpointer data)
{
  Worker *self = data;
  g_autoptr(GError) error = NULL;

  self->registry = janus_kernel_connect_finish (JANUS_KERNEL (source), result, &error);
  if (self->registry == NULL)
    {
      say ("Worker: cannot reach the registry: %s", error->message);
      janus_agent_kill_me (JANUS_AGENT (self));
      return;
    }
  say ("Worker: connected to a %s", janus_proxy_get_type_name (self->registry));
  janus_proxy_call_async (self->registry, "add", g_variant_new ("(ii)", 19, 23), NULL, NULL,
                          on_added, self);
}

static gboolean
worker_activate (JanusAgent *agent, GVariant *parameters, GError **error)
{
  Worker *self = DIST_WORKER (agent);

  janus_kernel_connect_async (janus_agent_get_kernel (agent), self->registry_address, NULL,
                              on_connected, self);
  return TRUE;
}

static JanusLive
worker_live (JanusAgent *agent)
{
  JanusMessage *m;

  while ((m = janus_agent_get_message (agent)) != NULL)
    {
      g_autoptr(JanusMessage) msg = m;

      say ("Worker: message '%s': %s; answering", janus_message_get_subject (msg),
           g_variant_get_string (janus_message_get_body (msg), NULL));
      janus_agent_reply (agent, msg, janus_message_new ("thanks", g_variant_new_string ("bye")), NULL);
    }
  return JANUS_LIVE_WAIT;
}

static void
worker_finalize (GObject *object)
{
  Worker *self = DIST_WORKER (object);

  g_free (self->registry_address);
  g_clear_object (&self->registry);
  G_OBJECT_CLASS (worker_parent_class)->finalize (object);
}

static void
worker_class_init (WorkerClass *klass)
{
  JanusAgentClass *agent_class = JANUS_AGENT_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = worker_finalize;
  agent_class->activate = worker_activate;
  agent_class->live = worker_live;
  janus_agent_class_add_method (agent_class, "hello", "(s)", worker_hello);
}

static void worker_init (Worker *self) {}

/* ------------------------------------------------------------- processes */

static JanusKernel *
new_kernel (const char *codec)
{
  JanusKernel *kernel = janus_kernel_new (1);
  g_autoptr(JanusCodec) c = janus_codec_new (g_strcmp0 (codec, "msgpack") == 0
                                             ? JANUS_CODEC_FORMAT_MSGPACK : JANUS_CODEC_FORMAT_JSON);

  janus_network_set_codec (janus_kernel_get_network (kernel), c);
  return kernel;
}

/* B: runs a Worker until its standard input closes (A ends). */
static int
run_worker (const char *registry_address,
            const char *codec)
{
  g_autoptr(JanusKernel) kernel = new_kernel (codec);
  g_autoptr(JanusAgent) worker = g_object_new (WORKER_TYPE, NULL);
  g_autoptr(GError) error = NULL;
  char line[16];

  process = "B";
  janus_kernel_set_keep_alive (kernel, TRUE);
  DIST_WORKER (worker)->registry_address = g_strdup (registry_address);
  if (!janus_kernel_launch_light_agent (kernel, worker, "worker", NULL, &error))
    {
      say ("%s", error->message);
      return 1;
    }
  while (fgets (line, sizeof line, stdin) != NULL)
    ;
  janus_kernel_shutdown (kernel);
  say ("stopped");
  return 0;
}

/* --serve: the Registry for other clients, until stdin closes. */
static int
serve (const char *codec)
{
  g_autoptr(JanusKernel) kernel = new_kernel (codec);
  g_autoptr(JanusAgent) registry = g_object_new (REGISTRY_TYPE, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *address = NULL;
  char line[16];

  janus_kernel_set_keep_alive (kernel, TRUE);
  if (!janus_kernel_listen (kernel, "tcp://127.0.0.1:0", &error)
      || !janus_kernel_launch_light_agent (kernel, registry, "registry", NULL, &error))
    {
      say ("%s", error->message);
      return 1;
    }
  address = janus_address_to_string (janus_agent_get_address (registry));
  /* the first line is the address alone, for the client to read */
  g_print ("%s\n", address);
  fflush (stdout);
  while (fgets (line, sizeof line, stdin) != NULL)
    ;
  janus_kernel_shutdown (kernel);
  return 0;
}

int
main (int argc, char **argv)
{
  g_autoptr(JanusKernel) kernel = NULL;
  g_autoptr(JanusAgent) registry = g_object_new (REGISTRY_TYPE, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) b = NULL;
  g_autofree char *self_exe = NULL, *address = NULL;
  const char *codec = "json";

  if (argc > 2 && strcmp (argv[1], "--codec") == 0)
    {
      codec = argv[2];
      argv += 2;
      argc -= 2;
    }
  if (argc == 3 && strcmp (argv[1], "--worker") == 0)
    return run_worker (argv[2], codec);
  if (argc == 2 && strcmp (argv[1], "--serve") == 0)
    return serve (codec);

  kernel = new_kernel (codec);
  if (!janus_kernel_listen (kernel, "tcp://127.0.0.1:0", &error)
      || !janus_kernel_launch_light_agent (kernel, registry, "registry", NULL, &error))
    {
      say ("%s", error->message);
      return 1;
    }
  address = janus_address_to_string (janus_agent_get_address (registry));
  say ("listening on %s (%s codec); the Registry is %s",
       janus_network_get_listen_uri (janus_kernel_get_network (kernel)), codec, address);

  self_exe = g_file_read_link ("/proc/self/exe", &error);
  if (self_exe == NULL
      || (b = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE, &error, self_exe,
                                "--codec", codec, "--worker", address, NULL)) == NULL)
    {
      say ("cannot start process B: %s", error->message);
      return 1;
    }
  /* returns when the Registry ends (it got "thanks") */
  janus_kernel_run (kernel);
  janus_kernel_shutdown (kernel);
  g_output_stream_close (g_subprocess_get_stdin_pipe (b), NULL, NULL);
  g_subprocess_wait (b, NULL, NULL);
  say ("done: %" G_GUINT64_FORMAT " dead letters", janus_kernel_get_dead_letter_count (kernel));
  return g_subprocess_get_exit_status (b);
}
