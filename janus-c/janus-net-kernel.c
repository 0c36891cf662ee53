/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <math.h>
#include <stdatomic.h>
#include <string.h>

#include "janus-address-private.h"
#include "janus-agent-private.h"
#include "janus-clock.h"
#include "janus-error.h"
#include "janus-kernel-private.h"
#include "janus-runtime-private.h"
#include "janus-message-private.h"
#include "janus-net-endpoint-private.h"
#include "janus-invocation-private.h"

/* A kernel on the network: its JanusNetwork (kept on the kernel as object
 * data), the paths it answers as an aiomas container does, and messages to
 * and from agents of other kernels.
 *
 * Paths:
 *   validate_aid            [aid]  -> the agent's type name, or null
 *   clock/time              []     -> the kernel's time, in seconds
 *   clock/set_time          [t]    -> null; moves a virtual clock to t seconds
 *   agents/<id>/<method>    ...    -> the agent's exposed method
 *   agents/<id>/janus.message [subject, body, type] {sender, sender_id,
 *                                   priority, timestamp} -> null once the
 *                                   message is delivered or counted as a
 *                                   dead letter here */

#define MESSAGE_METHOD "janus.message"   /* janus_codec_append_message writes it too */

static GMutex networks_lock;

static void kernel_router (JanusNetwork *network, JanusConnection *connection, guint64 id,
                           const char *path, JsonArray *args, JsonObject *kwargs, gpointer data);
static gboolean remote_deliver (JanusRuntime *runtime, JanusMessage *message);
static void receive_letter (JanusNetwork *network, JanusConnection *connection, guint64 id,
                            guint64 receiver_id, const JanusWireLetter *letter, gpointer data);
static void on_kernel_stopping (JanusKernel *kernel, gpointer data);
static void on_kernel_shutdown (JanusKernel *kernel, gpointer data);

static const JanusRuntimeRemote remote = { remote_deliver };

static GQuark
network_quark (void)
{
  /* atomic: the first calls may come from several threads */
  static _Atomic GQuark quark;
  GQuark q = atomic_load_explicit (&quark, memory_order_relaxed);

  if (G_UNLIKELY (q == 0))
    {
      q = g_quark_from_static_string ("janus-network");
      atomic_store_explicit (&quark, q, memory_order_relaxed);
    }
  return q;
}

/* The network of a kernel that has one. */
static JanusNetwork *
network_of (JanusKernel *kernel)
{
  return g_object_get_qdata (G_OBJECT (kernel), network_quark ());
}

/**
 * janus_kernel_get_network:
 * @kernel: a kernel
 *
 * Gets the kernel's network endpoint, made on first use (the network thread
 * starts with the first listen or connection). Configure it (codec, limits,
 * TLS) before it starts. MT safe.
 *
 * Returns: (transfer none): the kernel's network
 */
JanusNetwork *
janus_kernel_get_network (JanusKernel *kernel)
{
  JanusNetwork *network;

  g_return_val_if_fail (JANUS_IS_KERNEL (kernel), NULL);

  network = g_object_get_qdata (G_OBJECT (kernel), network_quark ());
  if (G_LIKELY (network != NULL))
    return network;

  g_mutex_lock (&networks_lock);
  network = g_object_get_qdata (G_OBJECT (kernel), network_quark ());
  if (network == NULL)
    {
      network = janus_network_new_for_router (kernel_router, NULL);
      network->letter_router = receive_letter;
      network->kernel = kernel;
      /* the kernel holds its runtime for its whole life */
      network->runtime = janus_runtime_find (janus_kernel_get_address (kernel)->kernel);
      if (network->runtime != NULL)
        janus_runtime_release (network->runtime);
      /* a stopping kernel gets a network that never starts */
      if (janus_kernel_is_stopping (kernel) || network->runtime == NULL)
        network->state = JANUS_NETWORK_STOPPED;
      g_object_set_qdata_full (G_OBJECT (kernel), network_quark (), network, g_object_unref);
      janus_kernel_add_stopping_hook (kernel, on_kernel_stopping, NULL);
      janus_kernel_add_shutdown_hook (kernel, on_kernel_shutdown, NULL);
      janus_runtime_set_remote (&remote);
    }
  g_mutex_unlock (&networks_lock);
  return network;
}

/**
 * janus_kernel_listen:
 * @kernel: a kernel
 * @uri: `tcp://host:port` (port 0 picks a free one; `tcp://[::1]:port` for
 *   IPv6)
 * @error: return location for a #GError
 *
 * Makes the kernel an aiomas container listening on @uri: other kernels
 * and aiomas agents call its agents' exposed methods and send them
 * messages. From now on its agents' addresses print as
 * `tcp://host:port/<id>` ([method@Janus.Network.get_listen_uri] gives the
 * bound port). See [class@Janus.Network].
 *
 * Returns: %TRUE if listening; %FALSE with @error set
 */
gboolean
janus_kernel_listen (JanusKernel  *kernel,
                     const char   *uri,
                     GError      **error)
{
  JanusNetwork *network;

  g_return_val_if_fail (JANUS_IS_KERNEL (kernel), FALSE);
  g_return_val_if_fail (uri != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  network = janus_kernel_get_network (kernel);
  if (!janus_network_listen (network, uri, error))
    return FALSE;
  janus_net_endpoint_bind (janus_kernel_get_address (kernel)->kernel,
                           janus_network_get_listen_uri (network) + strlen ("tcp://"));
  return TRUE;
}

/* The kernel starts to shut down: calls its agents wait for fail (they
 * could not die otherwise), new requests are refused. */
static void
on_kernel_stopping (JanusKernel *kernel,
                    gpointer     data)
{
  JanusNetwork *network = network_of (kernel);

  if (network != NULL)
    janus_network_drain (network);
}

/* The kernel stopped and its agents are dead (while they died, requests
 * were refused and their answers went out): everything closes. */
static void
on_kernel_shutdown (JanusKernel *kernel,
                    gpointer     data)
{
  JanusNetwork *network = g_object_get_qdata (G_OBJECT (kernel), network_quark ());

  if (network == NULL)
    return;
  janus_network_shutdown (network);
  janus_net_endpoint_unbind (janus_kernel_get_address (kernel)->kernel);
}

G_GNUC_PRINTF (4, 5)
static void
answer_error (JanusConnection *connection,
              guint64          id,
              JanusNetError    code,
              const char      *format,
              ...)
{
  g_autoptr(GError) error = NULL;
  va_list args;

  va_start (args, format);
  error = g_error_new_valist (JANUS_NET_ERROR, code, format, args);
  va_end (args);
  janus_connection_answer_gerror (connection, id, error);
}

static JanusAgent *
find_agent (JanusKernel *kernel,
            guint64      id)
{
  JanusAddress address;
  JanusAgent *agent;

  janus_address_init (&address, janus_kernel_get_address (kernel)->kernel, id);
  agent = janus_kernel_lookup_agent (kernel, &address);
  if (agent != NULL && !janus_agent_is_alive (agent))
    g_clear_object (&agent);
  return agent;
}

static gboolean
read_agent_id (JsonNode *node,
               guint64  *id)
{
  const char *rest;
  g_autofree char *path = NULL;

  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64
      && json_node_get_int (node) >= 0)
    {
      *id = (guint64) json_node_get_int (node);
      return TRUE;
    }
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return FALSE;
  path = g_strconcat ("agents/", json_node_get_string (node), NULL);
  return janus_net_path_agent_id (path, id, &rest) && *rest == '\0';
}

/* aiomas' Container.validate_aid: the agent's type name, or null. */
static void
answer_validate_aid (JanusKernel     *kernel,
                     JanusConnection *connection,
                     guint64          id,
                     JsonArray       *args)
{
  g_autoptr(JsonNode) result = NULL;
  g_autoptr(JanusAgent) agent = NULL;
  guint64 aid;

  if (json_array_get_length (args) != 1)
    {
      answer_error (connection, id, JANUS_NET_ERROR_INVALID_ARGUMENTS,
                    "validate_aid takes one argument, the agent id (got %u)",
                    json_array_get_length (args));
      return;
    }
  if (read_agent_id (json_array_get_element (args, 0), &aid))
    agent = find_agent (kernel, aid);
  if (agent != NULL)
    result = json_node_init_string (json_node_alloc (), G_OBJECT_TYPE_NAME (agent));
  else
    result = json_node_new (JSON_NODE_NULL);
  janus_connection_answer (connection, id, result);
}

/* aiomas' ExternalClock over the wire: the kernel's time in seconds. */
static void
answer_clock (JanusKernel     *kernel,
              JanusConnection *connection,
              guint64          id,
              const char      *what,
              JsonArray       *args)
{
  JanusClock *clock = janus_kernel_get_clock (kernel);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) result = NULL;
  JsonNode *t;
  double seconds;

  if (strcmp (what, "time") == 0)
    {
      result = json_node_init_double (json_node_alloc (), janus_clock_get_time (clock) / 1e6);
      janus_connection_answer (connection, id, result);
      return;
    }
  if (strcmp (what, "set_time") != 0)
    {
      answer_error (connection, id, JANUS_NET_ERROR_UNKNOWN_METHOD,
                    "No clock method “%s” (there are time and set_time)", what);
      return;
    }
  if (json_array_get_length (args) != 1 || !JSON_NODE_HOLDS_VALUE (t = json_array_get_element (args, 0))
      || (json_node_get_value_type (t) != G_TYPE_INT64 && json_node_get_value_type (t) != G_TYPE_DOUBLE))
    {
      answer_error (connection, id, JANUS_NET_ERROR_INVALID_ARGUMENTS,
                    "clock/set_time takes one number, the time in seconds");
      return;
    }
  seconds = json_node_get_value_type (t) == G_TYPE_INT64 ? (double) json_node_get_int (t)
                                                          : json_node_get_double (t);
  if (!janus_clock_is_virtual (clock))
    g_set_error_literal (&error, JANUS_CLOCK_ERROR, JANUS_CLOCK_ERROR_NOT_VIRTUAL,
                         "The kernel's clock is real time: only a virtual clock is set remotely");
  else if (!isfinite (seconds) || fabs (seconds) > (double) G_MAXINT64 / 1e6)
    g_set_error (&error, JANUS_NET_ERROR, JANUS_NET_ERROR_INVALID_ARGUMENTS,
                 "%g seconds is not a time the clock can take", seconds);
  else
    janus_clock_set_time (clock, (gint64) llround (seconds * 1e6), &error);
  if (error != NULL)
    janus_connection_answer_gerror (connection, id, error);
  else
    {
      result = json_node_new (JSON_NODE_NULL);
      janus_connection_answer (connection, id, result);
    }
}

/* ------------------------------------------------------ exposed methods */

static void
route_call (JanusNetwork    *network,
            JanusKernel     *kernel,
            JanusConnection *connection,
            guint64          id,
            guint64          agent_id,
            const char      *name,
            JsonArray       *args,
            JsonObject      *kwargs)
{
  g_autoptr(JanusAgent) agent = find_agent (kernel, agent_id);
  const JanusMethod *method;
  const GVariantType *in;
  JanusInvocation *invocation;
  JanusAgentTask *task;

  if (agent == NULL)
    {
      answer_error (connection, id, JANUS_NET_ERROR_UNKNOWN_AGENT,
                    "No agent %" G_GUINT64_FORMAT " on this kernel", agent_id);
      goto drop;
    }
  method = janus_method_lookup (G_OBJECT_TYPE (agent), name);
  if (method == NULL)
    {
      answer_error (connection, id, JANUS_NET_ERROR_UNKNOWN_METHOD,
                    "Agent %" G_GUINT64_FORMAT " (%s) exposes no method “%s”",
                    agent_id, G_OBJECT_TYPE_NAME (agent), name);
      goto drop;
    }
  in = janus_method_get_in_type (method);
  if (in != NULL && g_variant_type_n_items (in) != json_array_get_length (args))
    {
      answer_error (connection, id, JANUS_NET_ERROR_INVALID_ARGUMENTS,
                    "Method “%s” takes %" G_GSIZE_FORMAT " arguments (%s), not %u", name,
                    g_variant_type_n_items (in), g_variant_type_peek_string (in),
                    json_array_get_length (args));
      goto drop;
    }
  invocation = janus_invocation_new (connection, id, name, method, args, kwargs);
  task = janus_invocation_task_new (invocation);
  if (!janus_agent_post_task_to (network->runtime, agent_id, task))
    task->cancel (task);
  return;

drop:
  json_array_unref (args);
  g_clear_pointer (&kwargs, json_object_unref);
}

/* ------------------------------------------------------ remote messages */

/* The sender a letter names: its address if it gives one that parses,
 * else the connection's kernel and sender_id (a sender that does not
 * listen, reached back through this connection). The last address parsed
 * on the connection is kept: senders repeat (network thread). */
static JanusAddress
letter_sender (JanusConnection       *connection,
               const JanusWireLetter *letter)
{
  JanusAddress sender;

  if (letter->sender != NULL)
    {
      if (connection->last_sender != NULL && strcmp (connection->last_sender, letter->sender) == 0)
        return connection->last_sender_address;
      else
        {
          g_autoptr(JanusAddress) parsed = janus_address_parse (letter->sender, NULL);
          if (parsed != NULL)
            {
              g_free (connection->last_sender);
              connection->last_sender = g_strdup (letter->sender);
              connection->last_sender_address = *parsed;
              return *parsed;
            }
        }
    }
  janus_address_init (&sender, connection->endpoint, JANUS_ADDRESS_KERNEL_ID);
  if (letter->sender_id >= 0)
    sender.id = (guint64) letter->sender_id;
  return sender;
}

/* The message a letter describes, or NULL with @error set. */
static JanusMessage *
message_from_letter (const JanusWireLetter  *letter,
                     GError                **error)
{
  JsonNode *body = letter->body;
  g_autoptr(GVariant) value = NULL;
  JanusMessage *message;

  if (letter->malformed)
    {
      g_set_error_literal (error, JANUS_NET_ERROR, JANUS_NET_ERROR_INVALID_ARGUMENTS,
                           "janus.message takes [subject, body, type]");
      return NULL;
    }
  if (letter->type_invalid || (letter->type != NULL && !g_variant_type_string_is_valid (letter->type)))
    {
      g_set_error_literal (error, JANUS_NET_ERROR, JANUS_NET_ERROR_INVALID_ARGUMENTS,
                           "janus.message: the body's type must be a GVariant type string");
      return NULL;
    }
  if (letter->type != NULL && strcmp (letter->type, "x") == 0 && body != NULL
      && JSON_NODE_HOLDS_VALUE (body) && json_node_get_value_type (body) == G_TYPE_INT64)
    message = janus_message_new_int64 (letter->subject, json_node_get_int (body));
  else if (body == NULL || JSON_NODE_HOLDS_NULL (body))
    message = janus_message_new (letter->subject, NULL);
  else
    {
      value = janus_json_to_variant (body, letter->type ? G_VARIANT_TYPE (letter->type) : NULL, error);
      if (value == NULL)
        return NULL;
      message = janus_message_new (letter->subject, value);
    }
  janus_message_set_priority (message, (int) CLAMP (letter->priority, G_MININT16, G_MAXINT16));
  return message;
}

/* A message from another kernel: delivered here, or counted as a dead
 * letter here (an unknown or dead receiver); either way acknowledged. */
static void
receive_letter (JanusNetwork          *network,
                JanusConnection       *connection,
                guint64                id,
                guint64                receiver_id,
                const JanusWireLetter *letter,
                gpointer               data)
{
  g_autoptr(GError) error = NULL;
  JanusKernel *kernel = network->kernel;
  JanusMessage *message;
  JanusAddress sender, receiver;

  /* its agents are dying: answers still go out, new requests are refused */
  if (janus_kernel_is_stopping (kernel))
    {
      answer_error (connection, id, JANUS_NET_ERROR_SHUTDOWN, "The kernel is shutting down");
      return;
    }
  message = message_from_letter (letter, &error);
  if (message == NULL)
    {
      janus_connection_answer_gerror (connection, id, error);
      return;
    }
  sender = letter_sender (connection, letter);
  janus_address_init (&receiver, janus_kernel_get_address (kernel)->kernel, receiver_id);
  janus_message_seal (message, &sender, &receiver,
                      letter->has_timestamp ? letter->timestamp : janus_runtime_timestamp (network->runtime));
  janus_runtime_deliver (network->runtime, message);
  janus_connection_answer_null (connection, id);
}

/* The same request read as trees (MessagePack, or an unusual shape). */
static void
receive_message (JanusKernel     *kernel,
                 JanusConnection *connection,
                 guint64          id,
                 guint64          receiver_id,
                 JsonArray       *args,
                 JsonObject      *kwargs)
{
  JanusWireLetter letter;

  janus_wire_letter_from_tree (args, kwargs, &letter);
  receive_letter (network_of (kernel), connection, id, receiver_id, &letter, NULL);
  janus_wire_letter_clear (&letter);
}

typedef struct
{
  JanusKernel  *kernel;         /* strong */
  JanusMessage *message;
} Outgoing;

/* The receiving kernel acknowledged the message (it delivered it or
 * counted it); anything else makes it a dead letter of the sender's
 * kernel: a refused connection, a connection lost before the
 * acknowledgement, a time-out, or a refusal by the receiver. */
static void
on_message_acked (JsonNode     *result,
                  const GError *error,
                  gpointer      data)
{
  Outgoing *out = data;

  if (result != NULL)
    {
      json_node_unref (result);
      janus_message_unref (out->message);
    }
  else
    {
      g_debug ("message “%s” to a remote agent is a dead letter: %s",
               out->message->subject, error->message);
      janus_runtime_dead_letter (network_of (out->kernel)->runtime, out->message);
    }
  g_object_unref (out->kernel);
  g_free (out);
}

static JsonNode *
body_to_wire (JanusMessage  *message,
              const char   **type,
              GError       **error)
{
  GVariant *body;
  gint64 value;

  *type = NULL;
  switch (janus_message_body_kind (message))
    {
    case JANUS_BODY_NONE:
      return NULL;
    case JANUS_BODY_INLINE:
      /* an integer body, without its GVariant */
      if (janus_message_get_values (message, "x", &value))
        {
          *type = "x";
          return json_node_init_int (json_node_alloc (), value);
        }
      body = janus_message_get_body (message);
      *type = g_variant_get_type_string (body);
      return janus_json_from_variant (body, error);
    case JANUS_BODY_POINTER:
      g_set_error (error, JANUS_NET_ERROR, JANUS_NET_ERROR_CODEC,
                   "Message “%s” has a pointer body, which cannot leave the process",
                   message->subject);
      return NULL;
    default:
      body = janus_message_get_body (message);
      *type = g_variant_get_type_string (body);
      return janus_json_from_variant (body, error);
    }
}

typedef struct
{
  JanusMessage *message;
  JsonNode     *body;
  const char   *type;
  const char   *sender;
  gboolean      int_body;       /* body is int_value, without a node */
  gint64        int_value;
} MessageWriter;

static gboolean
write_message (JanusCodec  *codec,
               GString     *out,
               guint64      id,
               gpointer     data,
               GError     **error)
{
  MessageWriter *w = data;
  JanusMessage *m = w->message;

  return janus_codec_append_message (codec, out, id, m->receiver.id, m->subject, w->body,
                                     w->int_body ? &w->int_value : NULL, w->type, w->sender,
                                     m->sender.id != JANUS_ADDRESS_KERNEL_ID ? (gint64) m->sender.id : -1,
                                     m->priority, m->timestamp, error);
}

/* "<listen>/<id>": in @buffer when it fits (a listen URI is short:
 * tcp://host:port), else in *@long_address. */
static const char *
sender_address (const char  *listen,
                guint64      id,
                char         buffer[256],
                char       **long_address)
{
  char digits[24], *d = digits + sizeof digits;
  gsize n = strlen (listen), n_digits;

  do
    *--d = (char) ('0' + id % 10);
  while ((id /= 10) != 0);
  n_digits = digits + sizeof digits - d;
  if (n + 1 + n_digits + 1 > 256)
    return *long_address = g_strdup_printf ("%s/%" G_GUINT64_FORMAT, listen, id);
  memcpy (buffer, listen, n);
  buffer[n] = '/';
  memcpy (buffer + n + 1, d, n_digits);
  buffer[n + 1 + n_digits] = '\0';
  return buffer;
}

/* Hook of janus_runtime_deliver: a message for a kernel reached through
 * the network. Runs on the sender's thread (a worker): it encodes the
 * message and queues it on the connection to the receiver's kernel, in
 * order, and never blocks. */
static gboolean
remote_deliver (JanusRuntime *runtime,
                JanusMessage *message)
{
  JanusKernel *kernel = JANUS_KERNEL (runtime->owner);
  g_autofree char *key = janus_net_endpoint_key (message->receiver.kernel);
  g_autoptr(JanusConnection) connection = NULL;
  g_autoptr(JsonNode) body = NULL;
  g_autoptr(GError) error = NULL;
  char sender[256];
  g_autofree char *long_sender = NULL;
  MessageWriter writer = { message, NULL, NULL, NULL, FALSE, 0 };
  JanusNetwork *network;
  const char *listen;
  Outgoing *out;

  if (key == NULL)
    return FALSE;
  network = janus_kernel_get_network (kernel);
  /* an integer body goes out as it is */
  if (janus_message_body_kind (message) == JANUS_BODY_INLINE
      && janus_message_get_values (message, "x", &writer.int_value))
    {
      writer.int_body = TRUE;
      writer.type = "x";
    }
  else if (janus_message_body_kind (message) != JANUS_BODY_NONE)
    {
      body = body_to_wire (message, &writer.type, &error);
      if (body == NULL)
        goto dead;
      writer.body = body;
    }
  /* a sender that listens gives its address; others are reached back
   * through the connection, by sender_id */
  listen = janus_network_get_listen_uri (network);
  if (listen != NULL && message->sender.id != JANUS_ADDRESS_KERNEL_ID
      && janus_address_same_kernel (&message->sender, runtime->uuid))
    writer.sender = sender_address (listen, message->sender.id, sender, &long_sender);

  connection = janus_network_get_connection (network, key, &error);
  if (connection == NULL)
    goto dead;
  out = g_new (Outgoing, 1);
  out->kernel = g_object_ref (kernel);
  out->message = message;
  if (janus_connection_request_with (connection, write_message, &writer, -1,
                                     on_message_acked, out, &error))
    return TRUE;
  g_object_unref (out->kernel);
  g_free (out);

dead:
  g_debug ("message “%s” to %s is a dead letter: %s", message->subject, key, error->message);
  janus_runtime_dead_letter (runtime, message);
  return TRUE;
}

/* --------------------------------------------------------------- router */

static void
kernel_router (JanusNetwork    *network,
               JanusConnection *connection,
               guint64          id,
               const char      *path,
               JsonArray       *args,
               JsonObject      *kwargs,
               gpointer         data)
{
  JanusKernel *kernel = network->kernel;
  guint64 agent_id;
  const char *rest;

  /* its agents are dying: answers still go out, new requests are refused */
  if (janus_kernel_is_stopping (kernel))
    {
      answer_error (connection, id, JANUS_NET_ERROR_SHUTDOWN,
                    "The kernel is shutting down");
      json_array_unref (args);
      json_object_unref (kwargs);
      return;
    }

  if (janus_net_path_agent_id (path, &agent_id, &rest) && rest[0] == '/')
    {
      if (strcmp (rest + 1, MESSAGE_METHOD) == 0)
        receive_message (kernel, connection, id, agent_id, args, kwargs);
      else
        {
          route_call (network, kernel, connection, id, agent_id, rest + 1, args, kwargs);
          return;                 /* the call owns args and kwargs */
        }
    }
  else if (strcmp (path, "validate_aid") == 0)
    answer_validate_aid (kernel, connection, id, args);
  else if (g_str_has_prefix (path, "clock/"))
    answer_clock (kernel, connection, id, path + 6, args);
  else
    answer_error (connection, id, JANUS_NET_ERROR_UNKNOWN_METHOD,
                  "No path “%s” on this kernel (it answers validate_aid, clock/time, "
                  "clock/set_time and agents/<id>/<method>)", path);
  json_array_unref (args);
  g_clear_pointer (&kwargs, json_object_unref);
}
