/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "janus-agent-private.h"
#include "janus-error.h"

/* Relaying messages (Janus's forwardMessage, forwardBroadcastMessage and
 * broadcastMessage to every agent): a forwarded message keeps the sender
 * of the original, and a kernel-wide broadcast reaches every agent alive
 * on the sender's kernel. Methods of JanusAgent. */

#define P(agent) janus_agent_get_private (agent)

/* Checks what the relays share: @self may send, @message can be copied. */
static gboolean
check_relay (JanusAgent    *self,
             JanusMessage  *message,
             gboolean       must_be_sent,
             GError       **error)
{
  JanusAgentState state = janus_agent_private_state (P (self));

  if (state == JANUS_AGENT_STATE_UNBORN || state == JANUS_AGENT_STATE_DIED)
    {
      g_autofree char *who = janus_agent_describe (self);
      g_set_error (error, JANUS_KERNEL_ERROR,
                   state == JANUS_AGENT_STATE_UNBORN ? JANUS_KERNEL_ERROR_NOT_LAUNCHED
                                                     : JANUS_KERNEL_ERROR_AGENT_DEAD,
                   "The %s cannot send: it is %s", who,
                   state == JANUS_AGENT_STATE_UNBORN ? "not launched" : "dead");
      return FALSE;
    }
  if (must_be_sent && !janus_message_sent (message))
    {
      g_set_error (error, JANUS_MESSAGE_ERROR, JANUS_MESSAGE_ERROR_NOT_SENT,
                   "Cannot forward message “%s”: it was never sent", message->subject);
      return FALSE;
    }
  if (janus_message_body_kind (message) == JANUS_BODY_POINTER)
    {
      g_set_error (error, JANUS_MESSAGE_ERROR, JANUS_MESSAGE_ERROR_POINTER_BODY,
                   "Message “%s” has a pointer body and cannot be copied; use a "
                   "GVariant body", message->subject);
      return FALSE;
    }
  return TRUE;
}

/* Delivers a copy of @message from @sender to @receiver. */
static void
relay_one (JanusAgent         *self,
           JanusMessage       *message,
           const JanusAddress *sender,
           const JanusAddress *receiver)
{
  JanusRuntime *runtime = P (self)->runtime;
  JanusMessage *copy = janus_message_clone_for (message);

  janus_message_seal (copy, sender, receiver, janus_runtime_timestamp (runtime));
  janus_runtime_deliver (runtime, copy);
}

/**
 * janus_agent_forward:
 * @self: the forwarding agent
 * @message: a message @self received (it is not consumed); its body may
 *   not be a pointer
 * @receiver: the address of the agent to forward it to
 * @error: return location for a [struct@GLib.Error]
 *
 * Forwards @message to @receiver (Janus's `forwardMessage`): the receiver
 * gets a copy (subject, body shared, priority) whose sender is still
 * @message's original sender, not @self — a reply goes to the original
 * sender. Otherwise as [method@Janus.Agent.send]: a dead or unknown
 * receiver makes a dead letter. MT safe.
 *
 * Returns: `TRUE` if forwarded; `FALSE` with @error set if @self is not
 *   launched or dead, @message was never sent (`JANUS_MESSAGE_ERROR_NOT_SENT`)
 *   or has a pointer body (`JANUS_MESSAGE_ERROR_POINTER_BODY`)
 */
gboolean
janus_agent_forward (JanusAgent          *self,
                     JanusMessage        *message,
                     const JanusAddress  *receiver,
                     GError             **error)
{
  g_return_val_if_fail (janus_is_agent (self), FALSE);
  g_return_val_if_fail (message != NULL, FALSE);
  g_return_val_if_fail (receiver != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_relay (self, message, TRUE, error))
    return FALSE;
  relay_one (self, message, &message->sender, receiver);
  return TRUE;
}

/**
 * janus_agent_forward_broadcast:
 * @self: the forwarding agent
 * @message: a message @self received (it is not consumed); its body may
 *   not be a pointer
 * @receivers: (array length=n_receivers): the receivers
 * @n_receivers: the number of @receivers
 * @error: return location for a [struct@GLib.Error]
 *
 * Forwards @message to each of @receivers (Janus's
 * `forwardBroadcastMessage`): each gets its own copy whose sender is
 * @message's original sender, as [method@Janus.Agent.forward] does. MT safe.
 *
 * Returns: `TRUE` if forwarded; `FALSE` with @error set as
 *   [method@Janus.Agent.forward] says (then nothing was forwarded)
 */
gboolean
janus_agent_forward_broadcast (JanusAgent          *self,
                               JanusMessage        *message,
                               const JanusAddress **receivers,
                               guint                n_receivers,
                               GError             **error)
{
  guint i;

  g_return_val_if_fail (janus_is_agent (self), FALSE);
  g_return_val_if_fail (message != NULL, FALSE);
  g_return_val_if_fail (receivers != NULL || n_receivers == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
  for (i = 0; i < n_receivers; i++)
    g_return_val_if_fail (receivers[i] != NULL, FALSE);

  if (!check_relay (self, message, TRUE, error))
    return FALSE;
  for (i = 0; i < n_receivers; i++)
    relay_one (self, message, &message->sender, receivers[i]);
  return TRUE;
}

/**
 * janus_agent_broadcast_local:
 * @self: the sending agent
 * @message: (transfer full): an unsent message; its body may not be a pointer
 * @out_count: (out) (optional): where to store how many agents it was sent to
 * @error: return location for a [struct@GLib.Error]
 *
 * Sends @message to every other agent alive on @self's kernel at the time
 * of the call (Janus's `broadcastMessage (message)` without receivers):
 * each gets its own copy, from @self. The kernel's internal agents (group
 * keepers, runners of capacity calls) are agents too and get one. @self
 * does not get one. MT safe.
 *
 * Returns: `TRUE` if sent (to no agent at all if @self is alone);
 *   `FALSE` with @error set if @self is not launched or dead, @message was
 *   sent before or has a pointer body. @message is released in every case
 */
gboolean
janus_agent_broadcast_local (JanusAgent    *self,
                             JanusMessage  *message,
                             guint         *out_count,
                             GError       **error)
{
  g_autoptr(GPtrArray) agents = NULL;
  JanusAgentPrivate *priv;
  guint i, n = 0;
  gboolean ok = FALSE;

  g_return_val_if_fail (janus_is_agent (self), FALSE);
  g_return_val_if_fail (message != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (out_count != NULL)
    *out_count = 0;
  if (!check_relay (self, message, FALSE, error)
      || !janus_message_check_unsent (message, error))
    goto out;
  priv = P (self);
  agents = janus_runtime_list_objects (priv->runtime);
  for (i = 0; i < agents->len; i++)
    {
      JanusAgent *agent = agents->pdata[i];

      if (agent == self)
        continue;
      relay_one (self, message, &priv->address, janus_agent_get_address (agent));
      n++;
    }
  if (out_count != NULL)
    *out_count = n;
  ok = TRUE;
out:
  janus_message_unref (message);
  return ok;
}
