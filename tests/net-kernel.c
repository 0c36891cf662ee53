/* SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Kernels on the network: listening and tcp:// addresses, validate_aid and
 * proxies, exposed methods (GVariant and JSON, deferred and missing
 * answers, wrong arguments, never concurrent with live), calls made from an
 * agent (callbacks in its own turn), agents passed as arguments and called
 * back on the same connection, remote messages (per-sender FIFO, replies,
 * dead letters on either side), a virtual clock driven remotely, the
 * MessagePack codec, shutdown with calls pending, and two kernels in two
 * processes.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include <janus.h>
#include "janus-agent-private.h"
#include "janus-net-private.h"

#define WAIT_USEC (20 * G_USEC_PER_SEC)

/* Iterates the main context until @done (bounded). */
#define RUN_UNTIL(cond)                                                        \
  G_STMT_START {                                                               \
    gint64 _deadline = g_get_monotonic_time () + WAIT_USEC;                    \
    while (!(cond))                                                            \
      {                                                                        \
        g_assert_cmpint (g_get_monotonic_time (), <, _deadline);               \
        g_main_context_iteration (NULL, FALSE);                                \
        g_thread_yield ();                                                     \
      }                                                                        \
  } G_STMT_END

/* ------------------------------------------------------ the echo agent */

typedef struct
{
  JanusAgent        parent_instance;
  GMutex            lock;
  GPtrArray        *received;        /* JanusMessage, in arrival order */
  JanusInvocation  *held;
  GPtrArray        *kept;            /* "keep" calls, never answered */
  atomic_int        in_live;
  atomic_int        overlaps;
  atomic_int        spin;            /* > 0: live returns AGAIN that many times */
  atomic_int        checks;
  atomic_int        timer_fired;
  atomic_int        holds;           /* "hold" calls received */
  gint64            fired_at;
  JanusInvocation  *who;             /* a "who" call waiting for its callback */
} EchoAgent;

typedef struct { JanusAgentClass parent_class; } EchoAgentClass;
static GType echo_agent_get_type (void);
G_DEFINE_TYPE (EchoAgent, echo_agent, JANUS_TYPE_AGENT)
#define ECHO_AGENT(o) ((EchoAgent *) (o))

static void
echo_echo (JanusAgent *agent, JanusInvocation *invocation, gpointer data)
{
  g_autoptr(JsonNode) node = json_node_init_array (json_node_alloc (), janus_invocation_get_args (invocation));

  janus_invocation_return_json (invocation, node);
}

static void
echo_add (JanusAgent *agent, JanusInvocation *invocation, gpointer data)
{
  gint32 a, b;

  g_variant_get (janus_invocation_get_parameters (invocation), "(ii)", &a, &b);
  janus_invocation_return_value (invocation, g_variant_new_int32 (a + b));
}

static void
echo_kwargs (JanusAgent *agent, JanusInvocation *invocation, gpointer data)
{
  janus_invocation_return_value (invocation, janus_invocation_get_kwargs_value (invocation));
}

static void
echo_hold (JanusAgent *agent, JanusInvocation *invocation, gpointer data)
{
  EchoAgent *self = ECHO_AGENT (agent);

  g_assert_null (self->held);
  self->held = janus_invocation_ref (invocation);
  atomic_fetch_add (&self->holds, 1);
}

static void
echo_keep (JanusAgent *agent, JanusInvocation *invocation, gpointer data)
{
  EchoAgent *self = ECHO_AGENT (agent);

  if (self->kept == NULL)
    self->kept = g_ptr_array_new_with_free_func ((GDestroyNotify) janus_invocation_unref);
  g_ptr_array_add (self->kept, janus_invocation_ref (invocation));
}

static void
echo_release (JanusAgent *agent, JanusInvocation *invocation, gpointer data)
{
  EchoAgent *self = ECHO_AGENT (agent);
  g_autoptr(JanusInvocation) held = g_steal_pointer (&self->held);

  janus_invocation_return_value (held, g_variant_new_string ("released"));
  janus_invocation_return_value (invocation, NULL);
}

static void
echo_silent (JanusAgent *agent, JanusInvocation *invocation, gpointer data)
{
}

static void
echo_fail (JanusAgent *agent, JanusInvocation *invocation, gpointer data)
{
  janus_invocation_return_error (invocation, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                                 "%s says no", G_OBJECT_TYPE_NAME (agent));
}

static void
echo_check (JanusAgent *agent, JanusInvocation *invocation, gpointer data)
{
  EchoAgent *self = ECHO_AGENT (agent);

  /* methods run in the agent's turn, never during its live */
  if (atomic_load (&self->in_live) != 0 || janus_agent_get_current () != agent)
    atomic_fetch_add (&self->overlaps, 1);
  atomic_fetch_add (&self->checks, 1);
  janus_invocation_return_value (invocation, g_variant_new_int32 (atomic_load (&self->checks)));
}

static void
echo_name (JanusAgent *agent, JanusInvocation *invocation, gpointer data)
{
  janus_invocation_return_value (invocation, g_variant_new_string (janus_agent_get_name (agent)));
}

static void
on_who_answered (GObject *source, GAsyncResult *result, gpointer data)
{
  EchoAgent *self = data;
  g_autoptr(JanusInvocation) who = g_steal_pointer (&self->who);
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) name = janus_proxy_call_finish (JANUS_PROXY (source), result, &error);

  /* the callback runs in this agent's turn too */
  g_assert_true (janus_agent_get_current () == JANUS_AGENT (self));
  if (name == NULL)
    janus_invocation_return_gerror (who, error);
  else
    janus_invocation_return_value (who, name);
  g_object_unref (self);
}

/* who (agent): calls the agent it is given back, on the caller's
 * connection, and answers with its name. */
static void
echo_who (JanusAgent *agent, JanusInvocation *invocation, gpointer data)
{
  EchoAgent *self = ECHO_AGENT (agent);
  g_autoptr(GError) error = NULL;
  g_autoptr(GObject) other = NULL;
  JsonArray *args = janus_invocation_get_args (invocation);

  if (json_array_get_length (args) != 1)
    {
      janus_invocation_return_error_literal (invocation, JANUS_NET_ERROR,
                                             JANUS_NET_ERROR_INVALID_ARGUMENTS, "who (agent)");
      return;
    }
  other = janus_invocation_dup_object (invocation, json_array_get_element (args, 0), &error);
  if (other == NULL)
    {
      janus_invocation_return_gerror (invocation, error);
      return;
    }
  g_assert_true (JANUS_IS_PROXY (other));
  self->who = janus_invocation_ref (invocation);
  janus_proxy_call_async (JANUS_PROXY (other), "name", NULL, NULL, NULL,
                          on_who_answered, g_object_ref (self));
}

static void
timer_fired (JanusAgent *agent, gpointer data)
{
  EchoAgent *self = ECHO_AGENT (agent);

  self->fired_at = janus_kernel_get_time (janus_agent_get_kernel (agent));
  atomic_fetch_add (&self->timer_fired, 1);
}

static gboolean
echo_activate (JanusAgent *agent, GVariant *parameters, GError **error)
{
  /* on a virtual clock: a timer at 5 s */
  if (janus_clock_is_virtual (janus_kernel_get_clock (janus_agent_get_kernel (agent))))
    janus_agent_call_at (agent, 5 * G_USEC_PER_SEC, timer_fired, NULL, NULL);
  return TRUE;
}

static JanusLive
echo_live (JanusAgent *agent)
{
  EchoAgent *self = ECHO_AGENT (agent);
  JanusMessage *m;
  volatile guint sink = 0;

  atomic_store (&self->in_live, 1);
  while ((m = janus_agent_get_message (agent)) != NULL)
    {
      if (janus_message_has_subject (m, "ping"))
        janus_agent_reply (agent, m, janus_message_new ("pong", janus_message_get_body (m)), NULL);
      g_mutex_lock (&self->lock);
      g_ptr_array_add (self->received, m);
      g_mutex_unlock (&self->lock);
    }
  if (atomic_load (&self->spin) > 0)
    {
      for (guint i = 0; i < 20000; i++)
        sink += i;
      atomic_fetch_sub (&self->spin, 1);
      atomic_store (&self->in_live, 0);
      return JANUS_LIVE_AGAIN;
    }
  atomic_store (&self->in_live, 0);
  return JANUS_LIVE_WAIT;
}

static void
echo_end (JanusAgent *agent)
{
  EchoAgent *self = ECHO_AGENT (agent);

  /* a held call is answered (with an error) when it is dropped */
  g_clear_pointer (&self->held, janus_invocation_unref);
  g_clear_pointer (&self->kept, g_ptr_array_unref);
}

static void
echo_agent_finalize (GObject *object)
{
  EchoAgent *self = ECHO_AGENT (object);

  g_ptr_array_unref (self->received);
  g_mutex_clear (&self->lock);
  G_OBJECT_CLASS (echo_agent_parent_class)->finalize (object);
}

static void
echo_agent_class_init (EchoAgentClass *klass)
{
  JanusAgentClass *agent_class = JANUS_AGENT_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = echo_agent_finalize;
  agent_class->activate = echo_activate;
  agent_class->live = echo_live;
  agent_class->end = echo_end;
  janus_agent_class_add_method (agent_class, "echo", NULL, echo_echo);
  janus_agent_class_add_method (agent_class, "add", "(ii)", echo_add);
  janus_agent_class_add_method (agent_class, "kwargs", NULL, echo_kwargs);
  janus_agent_class_add_method (agent_class, "hold", NULL, echo_hold);
  janus_agent_class_add_method (agent_class, "release", NULL, echo_release);
  janus_agent_class_add_method (agent_class, "keep", NULL, echo_keep);
  janus_agent_class_add_method (agent_class, "silent", NULL, echo_silent);
  janus_agent_class_add_method (agent_class, "fail", NULL, echo_fail);
  janus_agent_class_add_method (agent_class, "check", NULL, echo_check);
  janus_agent_class_add_method (agent_class, "name", NULL, echo_name);
  janus_agent_class_add_method (agent_class, "who", NULL, echo_who);
}

static void
echo_agent_init (EchoAgent *self)
{
  g_mutex_init (&self->lock);
  self->received = g_ptr_array_new_with_free_func ((GDestroyNotify) janus_message_unref);
}

/* A subclass that adds a method and replaces one. */
typedef struct { EchoAgent parent_instance; } LoudAgent;
typedef struct { EchoAgentClass parent_class; } LoudAgentClass;
static GType loud_agent_get_type (void);
G_DEFINE_TYPE (LoudAgent, loud_agent, echo_agent_get_type ())

static void
loud_name (JanusAgent *agent, JanusInvocation *invocation, gpointer data)
{
  g_autofree char *up = g_ascii_strup (janus_agent_get_name (agent), -1);

  janus_invocation_return_value (invocation, g_variant_new_string (up));
}

static void loud_agent_class_init (LoudAgentClass *klass)
{
  janus_agent_class_add_method (JANUS_AGENT_CLASS (klass), "name", NULL, loud_name);
  janus_agent_class_add_method (JANUS_AGENT_CLASS (klass), "shout", NULL, loud_name);
}
static void loud_agent_init (LoudAgent *self) {}

static guint
received_count (EchoAgent *self)
{
  guint n;

  g_mutex_lock (&self->lock);
  n = self->received->len;
  g_mutex_unlock (&self->lock);
  return n;
}

/* ------------------------------------------------------------ fixture */

typedef struct
{
  JanusKernel *server;
  JanusKernel *client;
  JanusAgent  *echo;           /* on the server */
  char        *echo_address;   /* tcp://localhost:port/<id> */
  char        *port;
} Fixture;

static void
setup_with (Fixture          *f,
            JanusCodecFormat  format,
            JanusClock       *clock)
{
  g_autoptr(GError) error = NULL;
  const char *uri;

  f->server = janus_kernel_new (1);
  f->client = janus_kernel_new (1);
  janus_kernel_set_keep_alive (f->server, TRUE);
  janus_kernel_set_keep_alive (f->client, TRUE);
  if (clock != NULL)
    janus_kernel_set_clock (f->server, clock);
  if (format != JANUS_CODEC_FORMAT_JSON)
    {
      g_autoptr(JanusCodec) c1 = janus_codec_new (format);
      g_autoptr(JanusCodec) c2 = janus_codec_new (format);
      janus_network_set_codec (janus_kernel_get_network (f->server), c1);
      janus_network_set_codec (janus_kernel_get_network (f->client), c2);
    }
  g_assert_true (janus_kernel_listen (f->server, "tcp://127.0.0.1:0", &error));
  g_assert_no_error (error);
  uri = janus_network_get_listen_uri (janus_kernel_get_network (f->server));
  f->port = g_strdup (strrchr (uri, ':') + 1);
  f->echo = g_object_new (echo_agent_get_type (), NULL);
  g_assert_true (janus_kernel_launch_light_agent (f->server, f->echo, "echo", NULL, &error));
  /* through "localhost": an endpoint of its own, so that messages take
   * the network even though both kernels are in this process */
  f->echo_address = g_strdup_printf ("tcp://localhost:%s/%" G_GUINT64_FORMAT, f->port,
                                     janus_address_get_id (janus_agent_get_address (f->echo)));
}

static void
setup (Fixture       *f,
       gconstpointer  data)
{
  setup_with (f, GPOINTER_TO_INT (data), NULL);
}

static void
teardown (Fixture       *f,
          gconstpointer  data)
{
  janus_kernel_shutdown (f->client);
  janus_kernel_shutdown (f->server);
  g_clear_object (&f->echo);
  g_assert_finalize_object (f->client);
  g_assert_finalize_object (f->server);
  g_free (f->echo_address);
  g_free (f->port);
}

typedef struct
{
  gboolean      done;
  JanusProxy   *proxy;
  GVariant     *value;
  JsonNode     *json;
  GError       *error;
} Outcome;

static void
outcome_clear (Outcome *o)
{
  g_clear_object (&o->proxy);
  g_clear_pointer (&o->value, g_variant_unref);
  g_clear_pointer (&o->json, json_node_unref);
  g_clear_error (&o->error);
  o->done = FALSE;
}

static void
on_connected (GObject *source, GAsyncResult *result, gpointer data)
{
  Outcome *o = data;

  o->proxy = janus_kernel_connect_finish (JANUS_KERNEL (source), result, &o->error);
  o->done = TRUE;
}

static void
on_called (GObject *source, GAsyncResult *result, gpointer data)
{
  Outcome *o = data;

  o->value = janus_proxy_call_finish (JANUS_PROXY (source), result, &o->error);
  o->done = TRUE;
}

static void
on_called_json (GObject *source, GAsyncResult *result, gpointer data)
{
  Outcome *o = data;

  o->json = janus_proxy_call_json_finish (JANUS_PROXY (source), result, &o->error);
  o->done = TRUE;
}

static JanusProxy *
connect_to (JanusKernel *kernel,
            const char  *address)
{
  Outcome o = { 0 };

  janus_kernel_connect_async (kernel, address, NULL, on_connected, &o);
  RUN_UNTIL (o.done);
  g_assert_no_error (o.error);
  g_assert_nonnull (o.proxy);
  return g_steal_pointer (&o.proxy);
}

static void
call (JanusProxy *proxy,
      const char *method,
      GVariant   *args,
      Outcome    *o)
{
  outcome_clear (o);
  janus_proxy_call_async (proxy, method, args, NULL, NULL, on_called, o);
  RUN_UNTIL (o->done);
}

/* --------------------------------------------------------------- tests */

static void
test_addresses (Fixture       *f,
                gconstpointer  data)
{
  const JanusAddress *a = janus_agent_get_address (f->echo);
  g_autofree char *text = janus_address_to_string (a);
  g_autofree char *expected = g_strdup_printf ("tcp://127.0.0.1:%s/%" G_GUINT64_FORMAT, f->port,
                                               janus_address_get_id (a));
  g_autofree char *uuid = janus_address_dup_kernel_uuid (a);
  g_autofree char *janus_form = g_strdup_printf ("janus://%s/%" G_GUINT64_FORMAT, uuid,
                                                 janus_address_get_id (a));
  g_autoptr(JanusAddress) back = NULL, back2 = NULL, elsewhere = NULL;
  g_autoptr(JanusAgent) found = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *other_text = NULL;

  /* once listening, addresses print as tcp:// and parse back */
  g_assert_cmpstr (text, ==, expected);
  back = janus_address_parse (text, &error);
  g_assert_no_error (error);
  g_assert_true (janus_address_equal (back, a));
  /* the janus:// form stays valid in the process */
  back2 = janus_address_parse (janus_form, &error);
  g_assert_true (janus_address_equal (back2, a));
  found = janus_kernel_lookup_agent (f->server, back);
  g_assert_true (found == f->echo);
  /* another endpoint names another kernel, and prints as it was given */
  elsewhere = janus_address_parse ("tcp://[::1]:9/3", &error);
  g_assert_no_error (error);
  g_assert_false (janus_address_equal (elsewhere, a));
  other_text = janus_address_to_string (elsewhere);
  g_assert_cmpstr (other_text, ==, "tcp://[::1]:9/3");
  for (const char *bad = NULL, **b = (const char *[]) { "tcp://host/3", "tcp://host:0/3", "tcp://host:99999/3",
                                                         "tcp://:5/3", "tcp://h:5/x", "tcp://h:5", "tcp://[::1:5/1", NULL };
       (bad = *b) != NULL; b++)
    {
      g_autoptr(JanusAddress) none = janus_address_parse (bad, &error);
      g_assert_null (none);
      g_assert_error (error, JANUS_MESSAGE_ERROR, JANUS_MESSAGE_ERROR_INVALID_ADDRESS);
      g_clear_error (&error);
    }
  /* listening twice is refused */
  g_assert_false (janus_kernel_listen (f->server, "tcp://127.0.0.1:0", &error));
  g_assert_error (error, JANUS_NET_ERROR, JANUS_NET_ERROR_FAILED);
}

static void
test_connect (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(JanusProxy) proxy = connect_to (f->client, f->echo_address);
  g_autofree char *printed = janus_address_to_string (janus_proxy_get_address (proxy));
  g_autofree char *unknown = g_strdup_printf ("tcp://localhost:%s/77", f->port);
  Outcome o = { 0 };

  g_assert_cmpstr (janus_proxy_get_type_name (proxy), ==, "EchoAgent");
  g_assert_cmpstr (printed, ==, f->echo_address);

  janus_kernel_connect_async (f->client, unknown, NULL, on_connected, &o);
  RUN_UNTIL (o.done);
  g_assert_error (o.error, JANUS_NET_ERROR, JANUS_NET_ERROR_UNKNOWN_AGENT);
  outcome_clear (&o);
  janus_kernel_connect_async (f->client, "janus://not-network/1", NULL, on_connected, &o);
  RUN_UNTIL (o.done);
  g_assert_error (o.error, JANUS_MESSAGE_ERROR, JANUS_MESSAGE_ERROR_INVALID_ADDRESS);
  outcome_clear (&o);
  /* one connection per remote kernel, whatever the number of proxies */
  {
    g_autoptr(JanusProxy) again = connect_to (f->client, f->echo_address);
    g_assert_cmpuint (janus_network_get_connection_count (janus_kernel_get_network (f->client)), ==, 1);
  }
}

static void
test_calls (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(JanusProxy) proxy = connect_to (f->client, f->echo_address);
  g_autoptr(JsonNode) args = janus_json_from_data ("[1, NaN, \"\\u0000\", [-0.0, 9223372036854775807]]", -1, NULL);
  Outcome o = { 0 };

  call (proxy, "add", g_variant_new ("(ii)", 2, 40), &o);
  g_assert_no_error (o.error);
  g_assert_cmpint (g_variant_get_int64 (o.value), ==, 42);

  outcome_clear (&o);
  janus_proxy_call_json_async (proxy, "echo", json_node_get_array (args), NULL, NULL, on_called_json, &o);
  RUN_UNTIL (o.done);
  g_assert_no_error (o.error);
  {
    g_autofree char *text = janus_json_to_data (o.json, NULL, NULL);
    g_assert_cmpstr (text, ==, "[1, NaN, \"\\u0000\", [-0.0, 9223372036854775807]]");
  }

  {
    GVariantDict d;
    g_variant_dict_init (&d, NULL);
    g_variant_dict_insert (&d, "k", "s", "v");
    outcome_clear (&o);
    janus_proxy_call_async (proxy, "kwargs", NULL, g_variant_dict_end (&d), NULL, on_called, &o);
    RUN_UNTIL (o.done);
    g_assert_no_error (o.error);
    g_assert_cmpstr (g_variant_get_type_string (o.value), ==, "a{sv}");
  }

  /* errors: the method's own, no such method, wrong arguments; the
   * connection goes on */
  call (proxy, "fail", NULL, &o);
  g_assert_error (o.error, JANUS_NET_ERROR, JANUS_NET_ERROR_REMOTE);
  g_assert_nonnull (strstr (o.error->message, "EchoAgent says no"));
  call (proxy, "nope", NULL, &o);
  g_assert_error (o.error, JANUS_NET_ERROR, JANUS_NET_ERROR_REMOTE);
  g_assert_nonnull (strstr (o.error->message, "exposes no method “nope”"));
  call (proxy, "add", g_variant_new ("(i)", 1), &o);
  g_assert_error (o.error, JANUS_NET_ERROR, JANUS_NET_ERROR_REMOTE);
  g_assert_nonnull (strstr (o.error->message, "takes 2 arguments"));
  call (proxy, "add", g_variant_new ("(is)", 1, "two"), &o);
  g_assert_error (o.error, JANUS_NET_ERROR, JANUS_NET_ERROR_REMOTE);
  g_assert_nonnull (strstr (o.error->message, "expects (ii)"));
  /* a method that does not answer is answered for it */
  call (proxy, "silent", NULL, &o);
  g_assert_error (o.error, JANUS_NET_ERROR, JANUS_NET_ERROR_REMOTE);
  g_assert_nonnull (strstr (o.error->message, "without answering"));
  call (proxy, "add", g_variant_new ("(ii)", -1, 1), &o);
  g_assert_no_error (o.error);
  outcome_clear (&o);
}

static void
test_sync_call (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JanusProxy) proxy = janus_kernel_connect_sync (f->client, f->echo_address, NULL, &error);
  g_autoptr(GVariant) v = NULL;
  g_autoptr(JsonNode) j = NULL;

  g_assert_no_error (error);
  v = janus_proxy_call_sync (proxy, "add", g_variant_new ("(ii)", 20, 22), NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_variant_get_int64 (v), ==, 42);
  j = janus_proxy_call_json_sync (proxy, "nope", NULL, NULL, NULL, &error);
  g_assert_null (j);
  g_assert_error (error, JANUS_NET_ERROR, JANUS_NET_ERROR_REMOTE);
}

static void
on_check (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) v = janus_proxy_call_finish (JANUS_PROXY (source), result, &error);

  g_assert_no_error (error);
  atomic_fetch_add ((atomic_int *) data, 1);
}

static void
test_never_concurrent (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(JanusProxy) proxy = connect_to (f->client, f->echo_address);
  EchoAgent *echo = ECHO_AGENT (f->echo);
  atomic_int answered = 0;

  /* the agent lives busily (AGAIN) while 300 calls arrive */
  atomic_store (&echo->spin, 3000);
  janus_agent_wake (f->echo);
  for (guint i = 0; i < 300; i++)
    janus_proxy_call_async (proxy, "check", NULL, NULL, NULL, on_check, &answered);
  RUN_UNTIL (atomic_load (&answered) == 300);
  g_assert_cmpint (atomic_load (&echo->overlaps), ==, 0);
  g_assert_cmpint (atomic_load (&echo->checks), ==, 300);
  atomic_store (&echo->spin, 0);
}

static void
test_deferred (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(JanusProxy) proxy = connect_to (f->client, f->echo_address);
  Outcome held = { 0 }, released = { 0 };

  janus_proxy_call_async (proxy, "hold", NULL, NULL, NULL, on_called, &held);
  janus_proxy_call_async (proxy, "release", NULL, NULL, NULL, on_called, &released);
  RUN_UNTIL (held.done && released.done);
  g_assert_no_error (held.error);
  g_assert_cmpstr (g_variant_get_string (held.value, NULL), ==, "released");
  g_assert_no_error (released.error);
  outcome_clear (&held);
  outcome_clear (&released);
}

static void
test_agent_dies (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(JanusProxy) proxy = connect_to (f->client, f->echo_address);
  Outcome held = { 0 }, after = { 0 };

  /* a held call when the agent dies is answered (its end drops it) */
  janus_proxy_call_async (proxy, "hold", NULL, NULL, NULL, on_called, &held);
  {
    Outcome sync = { 0 };
    call (proxy, "add", g_variant_new ("(ii)", 0, 0), &sync);   /* the hold arrived first */
    outcome_clear (&sync);
  }
  janus_kernel_kill (f->server, f->echo, NULL);
  RUN_UNTIL (held.done);
  g_assert_error (held.error, JANUS_NET_ERROR, JANUS_NET_ERROR_REMOTE);
  RUN_UNTIL (janus_agent_get_state (f->echo) == JANUS_AGENT_STATE_DIED);
  /* and calls to a dead agent fail */
  janus_proxy_call_async (proxy, "add", g_variant_new ("(ii)", 1, 1), NULL, NULL, on_called, &after);
  RUN_UNTIL (after.done);
  g_assert_error (after.error, JANUS_NET_ERROR, JANUS_NET_ERROR_REMOTE);
  g_assert_nonnull (strstr (after.error->message, "No agent"));
  outcome_clear (&held);
  outcome_clear (&after);
}

static void
test_inheritance (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(JanusAgent) loud = g_object_new (loud_agent_get_type (), NULL);
  g_autoptr(JanusProxy) proxy = NULL;
  g_autofree char *address = NULL;
  g_auto(GStrv) methods = janus_agent_type_list_methods (loud_agent_get_type ());
  Outcome o = { 0 };

  g_assert_true (g_strv_contains ((const char * const *) methods, "shout"));
  g_assert_true (g_strv_contains ((const char * const *) methods, "add"));
  janus_kernel_launch_light_agent (f->server, loud, "loud", NULL, NULL);
  address = g_strdup_printf ("tcp://localhost:%s/%" G_GUINT64_FORMAT, f->port,
                             janus_address_get_id (janus_agent_get_address (loud)));
  proxy = connect_to (f->client, address);
  g_assert_cmpstr (janus_proxy_get_type_name (proxy), ==, "LoudAgent");
  call (proxy, "name", NULL, &o);
  g_assert_cmpstr (g_variant_get_string (o.value, NULL), ==, "LOUD");
  call (proxy, "add", g_variant_new ("(ii)", 1, 2), &o);
  g_assert_cmpint (g_variant_get_int64 (o.value), ==, 3);
  outcome_clear (&o);
}

/* An agent of the client kernel that calls the server's echo from its
 * turns; each callback must run in its own turn. */
typedef struct
{
  JanusAgent  parent_instance;
  char       *target;
  JanusProxy *proxy;
  atomic_int  sum;
  atomic_int  wrong_thread;
  atomic_int  done;
  atomic_int  in_live;
} CallerAgent;
typedef struct { JanusAgentClass parent_class; } CallerAgentClass;
static GType caller_agent_get_type (void);
G_DEFINE_TYPE (CallerAgent, caller_agent, JANUS_TYPE_AGENT)

static void
caller_on_sum (GObject *source, GAsyncResult *result, gpointer data)
{
  CallerAgent *self = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) v = janus_proxy_call_finish (JANUS_PROXY (source), result, &error);

  if (janus_agent_get_current () != JANUS_AGENT (self) || atomic_load (&self->in_live))
    atomic_fetch_add (&self->wrong_thread, 1);
  g_assert_no_error (error);
  atomic_store (&self->sum, (int) g_variant_get_int64 (v));
  atomic_store (&self->done, 1);
}

static void
caller_on_connected (GObject *source, GAsyncResult *result, gpointer data)
{
  CallerAgent *self = data;
  g_autoptr(GError) error = NULL;

  if (janus_agent_get_current () != JANUS_AGENT (self))
    atomic_fetch_add (&self->wrong_thread, 1);
  self->proxy = janus_kernel_connect_finish (JANUS_KERNEL (source), result, &error);
  g_assert_no_error (error);
  janus_proxy_call_async (self->proxy, "add", g_variant_new ("(ii)", 30, 12), NULL, NULL,
                          caller_on_sum, self);
}

static gboolean
caller_activate (JanusAgent *agent, GVariant *parameters, GError **error)
{
  CallerAgent *self = (CallerAgent *) agent;
  g_autoptr(GError) sync_error = NULL;
  g_autoptr(JanusProxy) none = NULL;

  if (self->target == NULL)
    return TRUE;
  /* a light agent may not block on the network */
  none = janus_kernel_connect_sync (janus_agent_get_kernel (agent), self->target, NULL, &sync_error);
  g_assert_null (none);
  g_assert_error (sync_error, JANUS_NET_ERROR, JANUS_NET_ERROR_WRONG_THREAD);
  janus_kernel_connect_async (janus_agent_get_kernel (agent), self->target, NULL,
                              caller_on_connected, self);
  return TRUE;
}

static JanusLive
caller_live (JanusAgent *agent)
{
  CallerAgent *self = (CallerAgent *) agent;

  atomic_store (&self->in_live, 1);
  atomic_store (&self->in_live, 0);
  return JANUS_LIVE_WAIT;
}

static void
caller_finalize (GObject *object)
{
  CallerAgent *self = (CallerAgent *) object;

  g_free (self->target);
  g_clear_object (&self->proxy);
  G_OBJECT_CLASS (caller_agent_parent_class)->finalize (object);
}

static void
caller_agent_class_init (CallerAgentClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = caller_finalize;
  JANUS_AGENT_CLASS (klass)->activate = caller_activate;
  JANUS_AGENT_CLASS (klass)->live = caller_live;
  janus_agent_class_add_method (JANUS_AGENT_CLASS (klass), "name", NULL, echo_name);
}

static void caller_agent_init (CallerAgent *self) {}

static void
test_calls_from_agent (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(JanusAgent) agent = g_object_new (caller_agent_get_type (), NULL);
  CallerAgent *caller = (CallerAgent *) agent;

  caller->target = g_strdup (f->echo_address);
  janus_kernel_launch_light_agent (f->client, agent, "caller", NULL, NULL);
  RUN_UNTIL (atomic_load (&caller->done));
  g_assert_cmpint (atomic_load (&caller->sum), ==, 42);
  g_assert_cmpint (atomic_load (&caller->wrong_thread), ==, 0);
  janus_kernel_kill (f->client, agent, NULL);
}

static void
test_agent_argument (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(JanusAgent) agent = g_object_new (caller_agent_get_type (), NULL);
  g_autoptr(JanusProxy) proxy = connect_to (f->client, f->echo_address);
  g_autoptr(JsonArray) args = json_array_new ();
  g_autoptr(GError) error = NULL;
  JsonNode *me;
  Outcome o = { 0 };

  /* a client agent that does not connect anywhere: it only answers "name" */
  janus_kernel_launch_light_agent (f->client, agent, "the-caller", NULL, NULL);
  me = janus_codec_serialize_object (janus_network_get_codec (janus_kernel_get_network (f->client)),
                                     G_OBJECT (agent), &error);
  g_assert_no_error (error);
  json_array_add_element (args, me);
  /* the server gets a proxy of our agent on the same connection and calls
   * it back before it answers */
  janus_proxy_call_json_async (proxy, "who", args, NULL, NULL, on_called_json, &o);
  RUN_UNTIL (o.done);
  g_assert_no_error (o.error);
  g_assert_cmpstr (json_node_get_string (o.json), ==, "the-caller");
  g_assert_cmpuint (janus_network_get_connection_count (janus_kernel_get_network (f->client)), ==, 1);
  outcome_clear (&o);
  janus_kernel_kill (f->client, agent, NULL);
}

/* A client agent that sends numbered messages to the echo agent. */
typedef struct
{
  JanusAgent   parent_instance;
  char        *target;
  int          n;
  atomic_int   pongs;
} SenderAgent;
typedef struct { JanusAgentClass parent_class; } SenderAgentClass;
static GType sender_agent_get_type (void);
G_DEFINE_TYPE (SenderAgent, sender_agent, JANUS_TYPE_AGENT)

static gboolean
sender_activate (JanusAgent *agent, GVariant *parameters, GError **error)
{
  SenderAgent *self = (SenderAgent *) agent;
  g_autoptr(JanusAddress) to = janus_address_parse (self->target, error);

  if (to == NULL)
    return FALSE;
  for (int i = 0; i < self->n; i++)
    janus_agent_send (agent, to, janus_message_new_int64 ("seq", i), NULL);
  janus_agent_send (agent, to, janus_message_new ("ping", g_variant_new ("(si)", "x", 7)), NULL);
  return TRUE;
}

static JanusLive
sender_live (JanusAgent *agent)
{
  SenderAgent *self = (SenderAgent *) agent;
  JanusMessage *m;

  while ((m = janus_agent_get_message (agent)) != NULL)
    {
      g_autoptr(JanusMessage) msg = m;
      GVariant *body = janus_message_get_body (msg);
      if (janus_message_has_subject (msg, "pong") && body != NULL
          && g_variant_is_of_type (body, G_VARIANT_TYPE ("(si)")))
        atomic_fetch_add (&self->pongs, 1);
    }
  return JANUS_LIVE_WAIT;
}

static void
sender_finalize (GObject *object)
{
  g_free (((SenderAgent *) object)->target);
  G_OBJECT_CLASS (sender_agent_parent_class)->finalize (object);
}

static void
sender_agent_class_init (SenderAgentClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = sender_finalize;
  JANUS_AGENT_CLASS (klass)->activate = sender_activate;
  JANUS_AGENT_CLASS (klass)->live = sender_live;
}

static void sender_agent_init (SenderAgent *self) {}

static void
test_messages (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(JanusAgent) agent = g_object_new (sender_agent_get_type (), NULL);
  SenderAgent *sender = (SenderAgent *) agent;
  EchoAgent *echo = ECHO_AGENT (f->echo);
  g_autoptr(GError) error = NULL;
  int n = g_getenv ("JANUS_TEST_SMALL") ? 200 : 2000;

  sender->target = g_strdup (f->echo_address);
  sender->n = n;
  g_assert_true (janus_kernel_launch_light_agent (f->client, agent, "sender", NULL, &error));
  RUN_UNTIL (received_count (echo) == (guint) n + 1);
  /* per-sender FIFO across the wire, bodies and sender intact */
  g_mutex_lock (&echo->lock);
  for (int i = 0; i < n; i++)
    {
      JanusMessage *m = echo->received->pdata[i];
      gint64 v = -1;
      g_autofree char *from = janus_address_to_string (janus_message_get_sender (m));
      g_assert_cmpstr (janus_message_get_subject (m), ==, "seq");
      g_assert_true (janus_message_get_int64 (m, &v));
      g_assert_cmpint (v, ==, i);
      /* the client does not listen: its agents are reached back through
       * the connection they wrote on */
      g_assert_true (g_str_has_prefix (from, "tcp://127.0.0.1:"));
      g_assert_cmpuint (janus_address_get_id (janus_message_get_sender (m)), ==,
                        janus_address_get_id (janus_agent_get_address (agent)));
    }
  g_mutex_unlock (&echo->lock);
  /* the echo agent replied to ping over the network: the pong came back */
  RUN_UNTIL (atomic_load (&sender->pongs) == 1);
  g_assert_cmpuint (janus_kernel_get_dead_letter_count (f->server), ==, 0);
  g_assert_cmpuint (janus_kernel_get_dead_letter_count (f->client), ==, 0);
  janus_kernel_kill (f->client, agent, NULL);
}

static void
test_dead_letters (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *nobody = g_strdup_printf ("tcp://localhost:%s/999", f->port);
  g_autoptr(JanusAddress) to_nobody = janus_address_parse (nobody, NULL);
  g_autoptr(GSocket) s = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) sa = g_inet_socket_address_new (lo, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autofree char *unreachable = NULL;
  g_autoptr(JanusAddress) to_unreachable = NULL;
  g_autoptr(JanusAddress) to_echo = janus_address_parse (f->echo_address, NULL);

  g_assert_true (g_socket_bind (s, sa, FALSE, NULL));
  bound = g_socket_get_local_address (s, NULL);
  unreachable = g_strdup_printf ("tcp://127.0.0.1:%u/0",
                                 g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  to_unreachable = janus_address_parse (unreachable, NULL);

  /* an unknown agent of a reachable kernel: counted by that kernel */
  janus_kernel_send (f->client, to_nobody, janus_message_new ("lost", NULL), NULL);
  RUN_UNTIL (janus_kernel_get_dead_letter_count (f->server) == 1);
  /* an unreachable kernel: counted by the sender's */
  janus_kernel_send (f->client, to_unreachable, janus_message_new ("lost", NULL), NULL);
  RUN_UNTIL (janus_kernel_get_dead_letter_count (f->client) == 1);
  /* a pointer body cannot leave the process */
  janus_kernel_send (f->client, to_echo, janus_message_new_pointer ("ptr", f, NULL), NULL);
  RUN_UNTIL (janus_kernel_get_dead_letter_count (f->client) == 2);
  g_assert_cmpuint (janus_kernel_get_dead_letter_count (f->server), ==, 1);
}

/* The last reference to a kernel may go on its own network thread: a
 * message's acknowledgement holds the sender's kernel, and the program
 * dropped its own reference right after sending. The kernel then shuts
 * down elsewhere (its network thread cannot stop itself) and finalizes. */
static void
test_last_unref_on_network_thread (Fixture       *f,
                                   gconstpointer  data)
{
  g_autoptr(JanusAddress) to_echo = janus_address_parse (f->echo_address, NULL);
  EchoAgent *echo = ECHO_AGENT (f->echo);
  JanusKernel *sender = janus_kernel_new (1);
  gpointer weak = sender;
  g_autoptr(GError) error = NULL;

  g_object_add_weak_pointer (G_OBJECT (sender), &weak);
  g_assert_true (janus_kernel_send (sender, to_echo, janus_message_new ("last", NULL), &error));
  g_assert_no_error (error);
  g_object_unref (sender);
  RUN_UNTIL (weak == NULL);
  RUN_UNTIL (received_count (echo) == 1);
  g_assert_cmpuint (janus_kernel_get_dead_letter_count (f->server), ==, 0);
}

/* A request to a kernel's root paths, as a clock master sends them,
 * through the client kernel's connection. */
typedef struct
{
  GMutex    lock;
  gboolean  done;
  JsonNode *result;
  GError   *error;
} RootOutcome;

static void
on_root_done (JsonNode     *result,
              const GError *error,
              gpointer      data)
{
  RootOutcome *o = data;

  g_mutex_lock (&o->lock);
  o->result = result;
  o->error = error ? g_error_copy (error) : NULL;
  o->done = TRUE;
  g_mutex_unlock (&o->lock);
}

static gboolean
root_done (RootOutcome *o)
{
  gboolean done;

  g_mutex_lock (&o->lock);
  done = o->done;
  g_mutex_unlock (&o->lock);
  return done;
}

static JsonNode *
root_call (Fixture     *f,
           const char  *path,
           const char  *args_json,
           GError     **error)
{
  g_autofree char *key = g_strdup_printf ("localhost:%s", f->port);
  g_autoptr(JanusConnection) connection =
    janus_network_get_connection (janus_kernel_get_network (f->client), key, NULL);
  g_autoptr(JsonNode) args = janus_json_from_data (args_json, -1, NULL);
  RootOutcome o = { 0 };

  g_mutex_init (&o.lock);
  g_assert_true (janus_connection_request (connection, path, json_node_get_array (args), NULL, -1,
                                           on_root_done, &o, NULL));
  RUN_UNTIL (root_done (&o));
  g_mutex_clear (&o.lock);
  if (o.error != NULL)
    g_propagate_error (error, o.error);
  return o.result;
}

static void
test_root_paths (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) echo = root_call (f, "validate_aid", "[\"0\"]", &error);
  g_autoptr(JsonNode) none = root_call (f, "validate_aid", "[99]", &error);
  g_autoptr(JsonNode) bad = NULL, t = NULL, set = NULL, nothing = NULL;

  g_assert_no_error (error);
  g_assert_cmpstr (json_node_get_string (echo), ==, "EchoAgent");
  g_assert_true (JSON_NODE_HOLDS_NULL (none));
  bad = root_call (f, "validate_aid", "[]", &error);
  g_assert_error (error, JANUS_NET_ERROR, JANUS_NET_ERROR_REMOTE);
  g_clear_error (&error);
  t = root_call (f, "clock/time", "[]", &error);
  g_assert_no_error (error);
  g_assert_cmpint (json_node_get_value_type (t), ==, G_TYPE_DOUBLE);
  /* a real-time clock is not set from outside */
  set = root_call (f, "clock/set_time", "[5]", &error);
  g_assert_error (error, JANUS_NET_ERROR, JANUS_NET_ERROR_REMOTE);
  g_assert_nonnull (strstr (error->message, "real time"));
  g_clear_error (&error);
  nothing = root_call (f, "nothing/here", "[]", &error);
  g_assert_error (error, JANUS_NET_ERROR, JANUS_NET_ERROR_REMOTE);
}

static void
test_clock (void)
{
  Fixture f = { 0 };
  g_autoptr(JanusClock) clock = janus_clock_new_virtual (0, 0);
  g_autoptr(JanusProxy) proxy = NULL;
  g_autoptr(GError) error = NULL;
  EchoAgent *echo;
  Outcome o = { 0 };

  setup_with (&f, JANUS_CODEC_FORMAT_JSON, clock);
  echo = ECHO_AGENT (f.echo);
  proxy = connect_to (f.client, f.echo_address);
  /* the agent set a timer at 5 s when it activated; a master moves the
   * clock to 4.5 s: not due (the add call runs in a turn after the move) */
  g_clear_pointer (&o.json, json_node_unref);
  json_node_unref (root_call (&f, "clock/set_time", "[4.5]", &error));
  g_assert_no_error (error);
  g_assert_cmpint (janus_kernel_get_time (f.server), ==, 4500000);
  call (proxy, "add", g_variant_new ("(ii)", 1, 1), &o);
  g_assert_cmpint (atomic_load (&echo->timer_fired), ==, 0);
  /* to 5 s: it fires, at exactly 5 s */
  json_node_unref (root_call (&f, "clock/set_time", "[5]", &error));
  g_assert_no_error (error);
  RUN_UNTIL (atomic_load (&echo->timer_fired) == 1);
  g_assert_cmpint (echo->fired_at, ==, 5 * G_USEC_PER_SEC);
  {
    g_autoptr(JsonNode) t = root_call (&f, "clock/time", "[]", &error);
    g_assert_cmpfloat (json_node_get_double (t), ==, 5.0);
  }
  /* time does not go back; the argument is a number */
  g_assert_null (root_call (&f, "clock/set_time", "[1]", &error));
  g_assert_error (error, JANUS_NET_ERROR, JANUS_NET_ERROR_REMOTE);
  g_clear_error (&error);
  g_assert_null (root_call (&f, "clock/set_time", "[\"soon\"]", &error));
  g_assert_error (error, JANUS_NET_ERROR, JANUS_NET_ERROR_REMOTE);
  g_clear_error (&error);
  g_assert_null (root_call (&f, "clock/set_time", "[NaN]", &error));
  g_assert_error (error, JANUS_NET_ERROR, JANUS_NET_ERROR_REMOTE);
  outcome_clear (&o);
  g_clear_object (&proxy);
  teardown (&f, NULL);
}

static void
test_msgpack (Fixture       *f,
              gconstpointer  data)
{
  test_calls (f, data);
}

static void
test_shutdown_pending (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(JanusProxy) proxy = connect_to (f->client, f->echo_address);
  Outcome held = { 0 };
  Outcome sync = { 0 };

  janus_proxy_call_async (proxy, "hold", NULL, NULL, NULL, on_called, &held);
  call (proxy, "add", g_variant_new ("(ii)", 0, 0), &sync);
  outcome_clear (&sync);
  /* the server goes away with the call held: it is answered, not hung */
  janus_kernel_shutdown (f->server);
  RUN_UNTIL (held.done);
  g_assert_nonnull (held.error);
  outcome_clear (&held);
  /* later calls fail at once */
  call (proxy, "add", g_variant_new ("(ii)", 0, 0), &sync);
  g_assert_error (sync.error, JANUS_NET_ERROR, JANUS_NET_ERROR_REFUSED);
  outcome_clear (&sync);
}

/* A heavy agent blocked in a call that is never answered. */
typedef struct
{
  JanusAgent  parent_instance;
  JanusProxy *proxy;
  GError     *error;          /* what the call ended with */
  atomic_int  returned;
} BlockedCaller;

typedef struct { JanusAgentClass parent_class; } BlockedCallerClass;
static GType blocked_caller_get_type (void);
G_DEFINE_TYPE (BlockedCaller, blocked_caller, JANUS_TYPE_AGENT)

static JanusLive
blocked_caller_live (JanusAgent *agent)
{
  BlockedCaller *self = (BlockedCaller *) agent;
  g_autoptr(GVariant) v = janus_proxy_call_sync (self->proxy, "hold", NULL, NULL, NULL, &self->error);

  atomic_store (&self->returned, 1);
  return JANUS_LIVE_DONE;
}

static void
blocked_caller_finalize (GObject *object)
{
  BlockedCaller *self = (BlockedCaller *) object;

  g_clear_object (&self->proxy);
  g_clear_error (&self->error);
  G_OBJECT_CLASS (blocked_caller_parent_class)->finalize (object);
}

static void
blocked_caller_class_init (BlockedCallerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = blocked_caller_finalize;
  JANUS_AGENT_CLASS (klass)->live = blocked_caller_live;
}

static void blocked_caller_init (BlockedCaller *self) {}

/* The caller's own kernel shuts down while its agents wait for answers
 * that will not come: the calls fail (else the agents could never die and
 * the shutdown would never end), and calls made afterwards fail at once. */
static void
test_shutdown_caller (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(JanusProxy) proxy = connect_to (f->client, f->echo_address);
  g_autoptr(JanusAgent) caller = g_object_new (blocked_caller_get_type (), NULL);
  g_autoptr(GError) error = NULL;
  EchoAgent *echo = ECHO_AGENT (f->echo);
  Outcome pending = { 0 }, late = { 0 };

  ((BlockedCaller *) caller)->proxy = g_object_ref (proxy);
  g_assert_true (janus_kernel_launch_heavy_agent (f->client, caller, "caller", NULL, &error));
  g_assert_no_error (error);
  RUN_UNTIL (atomic_load (&echo->holds) == 1);
  /* and a call from this thread, to an agent that does not answer */
  janus_proxy_call_async (proxy, "keep", NULL, NULL, NULL, on_called, &pending);

  janus_kernel_shutdown (f->client);
  g_assert_cmpint (atomic_load (&((BlockedCaller *) caller)->returned), ==, 1);
  g_assert_error (((BlockedCaller *) caller)->error, JANUS_NET_ERROR, JANUS_NET_ERROR_SHUTDOWN);
  RUN_UNTIL (pending.done);
  g_assert_nonnull (pending.error);
  janus_proxy_call_async (proxy, "add", g_variant_new ("(ii)", 1, 1), NULL, NULL, on_called, &late);
  RUN_UNTIL (late.done);
  g_assert_error (late.error, JANUS_NET_ERROR, JANUS_NET_ERROR_SHUTDOWN);
  outcome_clear (&pending);
  outcome_clear (&late);
}

/* The remote kernel restarts on the same port: the proxy's next call
 * connects again. */
static void
test_reconnect (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JanusKernel) client = janus_kernel_new (1);
  JanusKernel *server = janus_kernel_new (1);
  g_autoptr(JanusAgent) first = g_object_new (echo_agent_get_type (), NULL);
  g_autoptr(JanusAgent) second = g_object_new (echo_agent_get_type (), NULL);
  g_autoptr(JanusProxy) proxy = NULL;
  g_autofree char *port = NULL, *address = NULL, *listen = NULL;
  Outcome o = { 0 };

  janus_kernel_set_keep_alive (server, TRUE);
  janus_kernel_set_keep_alive (client, TRUE);
  g_assert_true (janus_kernel_listen (server, "tcp://127.0.0.1:0", &error));
  port = g_strdup (strrchr (janus_network_get_listen_uri (janus_kernel_get_network (server)), ':') + 1);
  janus_kernel_launch_light_agent (server, first, "first", NULL, NULL);
  address = g_strdup_printf ("tcp://localhost:%s/0", port);
  proxy = connect_to (client, address);
  call (proxy, "name", NULL, &o);
  g_assert_cmpstr (g_variant_get_string (o.value, NULL), ==, "first");

  janus_kernel_shutdown (server);
  g_assert_finalize_object (server);
  call (proxy, "name", NULL, &o);
  g_assert_nonnull (o.error);

  server = janus_kernel_new (1);
  janus_kernel_set_keep_alive (server, TRUE);
  listen = g_strdup_printf ("tcp://127.0.0.1:%s", port);
  g_assert_true (janus_kernel_listen (server, listen, &error));
  g_assert_no_error (error);
  janus_kernel_launch_light_agent (server, second, "second", NULL, NULL);
  call (proxy, "name", NULL, &o);
  g_assert_no_error (o.error);
  g_assert_cmpstr (g_variant_get_string (o.value, NULL), ==, "second");
  outcome_clear (&o);
  janus_kernel_shutdown (client);
  janus_kernel_shutdown (server);
  g_assert_finalize_object (server);
}

/* ------------------------------------------------------ two processes */

/* The server process: a kernel listening with an echo agent; prints its
 * port, then runs until its standard input closes. */
static int
serve (void)
{
  g_autoptr(JanusKernel) kernel = janus_kernel_new (1);
  g_autoptr(JanusAgent) echo = g_object_new (echo_agent_get_type (), NULL);
  g_autoptr(GError) error = NULL;
  char line[64];

  janus_kernel_set_keep_alive (kernel, TRUE);
  if (!janus_kernel_listen (kernel, "tcp://127.0.0.1:0", &error)
      || !janus_kernel_launch_light_agent (kernel, echo, "remote-echo", NULL, &error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  printf ("%s %" G_GUINT64_FORMAT "\n", janus_network_get_listen_uri (janus_kernel_get_network (kernel)),
          janus_address_get_id (janus_agent_get_address (echo)));
  fflush (stdout);
  while (fgets (line, sizeof line, stdin) != NULL)
    ;
  janus_kernel_shutdown (kernel);
  /* what the client's messages were, for the parent to check */
  return received_count (ECHO_AGENT (echo)) > 0 ? 0 : 3;
}

static void
test_two_processes (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *self_exe = g_file_read_link ("/proc/self/exe", &error);
  g_autoptr(GSubprocess) server = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autofree char *line = NULL, *address = NULL;
  g_autoptr(JanusKernel) client = janus_kernel_new (1);
  g_autoptr(JanusProxy) proxy = NULL;
  g_autoptr(JanusAgent) agent = g_object_new (sender_agent_get_type (), NULL);
  SenderAgent *sender = (SenderAgent *) agent;
  char **parts;
  Outcome o = { 0 };

  g_assert_no_error (error);
  server = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                             self_exe, "--serve-net-kernel", NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server));
  line = g_data_input_stream_read_line (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  parts = g_strsplit (line, " ", 2);
  address = g_strdup_printf ("%s/%s", parts[0], parts[1]);
  g_strfreev (parts);

  janus_kernel_set_keep_alive (client, TRUE);
  proxy = connect_to (client, address);
  g_assert_cmpstr (janus_proxy_get_type_name (proxy), ==, "EchoAgent");
  call (proxy, "add", g_variant_new ("(ii)", 19, 23), &o);
  g_assert_no_error (o.error);
  g_assert_cmpint (g_variant_get_int64 (o.value), ==, 42);
  call (proxy, "name", NULL, &o);
  g_assert_cmpstr (g_variant_get_string (o.value, NULL), ==, "remote-echo");
  outcome_clear (&o);

  /* messages across processes, and the reply back */
  sender->target = g_strdup (address);
  sender->n = 100;
  janus_kernel_launch_light_agent (client, agent, "sender", NULL, NULL);
  RUN_UNTIL (atomic_load (&sender->pongs) == 1);
  g_assert_cmpuint (janus_kernel_get_dead_letter_count (client), ==, 0);

  /* the server stops: calls fail, they do not hang */
  g_output_stream_close (g_subprocess_get_stdin_pipe (server), NULL, NULL);
  g_assert_true (g_subprocess_wait (server, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_subprocess_get_exit_status (server), ==, 0);
  call (proxy, "add", g_variant_new ("(ii)", 1, 1), &o);
  g_assert_nonnull (o.error);
  outcome_clear (&o);
  janus_kernel_shutdown (client);
}

/* A callback that keeps its GAsyncResult and finishes it later: results
 * are reused by the library only when nobody else holds them, so kept
 * ones still give their own outcome after many more calls. */
static void
on_kept (GObject *source, GAsyncResult *result, gpointer data)
{
  g_ptr_array_add (data, g_object_ref (result));
}

static void
test_kept_results (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(JanusProxy) proxy = connect_to (f->client, f->echo_address);
  g_autoptr(GPtrArray) kept = g_ptr_array_new_with_free_func (g_object_unref);
  Outcome o = { 0 };

  for (int i = 0; i < 20; i++)
    janus_proxy_call_async (proxy, "add", g_variant_new ("(ii)", i, 1000), NULL, NULL, on_kept, kept);
  RUN_UNTIL (kept->len == 20);
  /* more calls, whose results go back to the pool */
  for (int i = 0; i < 50; i++)
    {
      call (proxy, "add", g_variant_new ("(ii)", i, 1), &o);
      g_assert_no_error (o.error);
      g_assert_cmpint (g_variant_get_int64 (o.value), ==, i + 1);
    }
  outcome_clear (&o);
  /* the kept ones: each its own answer, in any order */
  {
    gboolean seen[20] = { FALSE };

    for (guint i = 0; i < kept->len; i++)
      {
        GAsyncResult *result = kept->pdata[i];
        g_autoptr(GError) error = NULL;
        g_autoptr(GObject) source = g_async_result_get_source_object (result);
        g_autoptr(GVariant) value = NULL;
        gint64 sum;

        g_assert_true (source == G_OBJECT (proxy));
        g_assert_true (g_async_result_get_user_data (result) == kept);
        value = janus_proxy_call_finish (proxy, result, &error);
        g_assert_no_error (error);
        sum = g_variant_get_int64 (value);
        g_assert_cmpint (sum, >=, 1000);
        g_assert_cmpint (sum, <, 1020);
        g_assert_false (seen[sum - 1000]);
        seen[sum - 1000] = TRUE;
      }
  }
}

/* A callback that connects a handler to its GAsyncResult (and keeps no
 * reference): that result is not reused, so no later call's result comes
 * with the handler. */
static void
on_notify_noop (GObject *object, GParamSpec *pspec, gpointer data)
{
}

typedef struct
{
  guint calls;
  guint with_handler;           /* results that came with a handler */
} HandlerCount;

static void
on_handled (GObject *source, GAsyncResult *result, gpointer data)
{
  HandlerCount *count = data;
  guint notify_id = g_signal_lookup ("notify", G_TYPE_OBJECT);

  if (g_signal_has_handler_pending (result, notify_id, 0, TRUE))
    count->with_handler++;
  if (count->calls++ % 2 == 0)
    g_signal_connect (result, "notify", G_CALLBACK (on_notify_noop), NULL);
  g_variant_unref (janus_proxy_call_finish (JANUS_PROXY (source), result, NULL));
}

static void
test_results_with_handlers (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(JanusProxy) proxy = connect_to (f->client, f->echo_address);
  HandlerCount count = { 0 };

  for (int i = 0; i < 40; i++)
    {
      guint before = count.calls;

      janus_proxy_call_async (proxy, "add", g_variant_new ("(ii)", i, 1), NULL, NULL, on_handled, &count);
      RUN_UNTIL (count.calls == before + 1);
    }
  g_assert_cmpuint (count.with_handler, ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  if (argc > 1 && strcmp (argv[1], "--serve-net-kernel") == 0)
    return serve ();

  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/net/kernel/" path, Fixture, GINT_TO_POINTER (JANUS_CODEC_FORMAT_JSON), setup, func, teardown)
  ADD ("addresses", test_addresses);
  ADD ("connect", test_connect);
  ADD ("calls", test_calls);
  ADD ("sync-call", test_sync_call);
  ADD ("kept-results", test_kept_results);
  ADD ("results-with-handlers", test_results_with_handlers);
  ADD ("never-concurrent-with-live", test_never_concurrent);
  ADD ("deferred-answer", test_deferred);
  ADD ("agent-dies", test_agent_dies);
  ADD ("inheritance", test_inheritance);
  ADD ("calls-from-agent", test_calls_from_agent);
  ADD ("agent-argument", test_agent_argument);
  ADD ("messages", test_messages);
  ADD ("dead-letters", test_dead_letters);
  ADD ("last-unref-on-network-thread", test_last_unref_on_network_thread);
  ADD ("shutdown-pending", test_shutdown_pending);
  ADD ("shutdown-caller-waiting", test_shutdown_caller);
  ADD ("root-paths", test_root_paths);
#undef ADD
  g_test_add ("/net/kernel/msgpack", Fixture, GINT_TO_POINTER (JANUS_CODEC_FORMAT_MSGPACK),
              setup, test_msgpack, teardown);
  g_test_add_func ("/net/kernel/clock", test_clock);
  g_test_add_func ("/net/kernel/two-processes", test_two_processes);
  g_test_add_func ("/net/kernel/reconnect", test_reconnect);

  return g_test_run ();
}
