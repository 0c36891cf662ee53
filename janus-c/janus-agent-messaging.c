/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "janus-agent-private.h"
#include "janus-error.h"

/* An agent's messages: what it sends (send, send_random, broadcast, reply)
 * and its reads, which forward to its mailbox (janus-mailbox.c). These are
 * methods of JanusAgent; its life-cycle is in janus-agent.c. */

#define P(agent) janus_agent_get_private (agent)
#define MBOX(agent) (&janus_agent_get_private (agent)->run.mbox)

#define is_current janus_agent_is_current

#define CHECK_OWNER(self, val)                                                  \
  G_STMT_START {                                                                \
    if (G_UNLIKELY (!janus_agent_check_reader (self, G_STRFUNC)))               \
      return val;                                                               \
  } G_STMT_END

/* ------------------------------------------------------------- reading */

/**
 * janus_agent_get_message:
 * @self: an agent
 *
 * Takes the oldest message (for a priority mailbox, the most urgent) out of
 * the agent's mailbox. Call from the agent's own `activate`, `live` or `end`.
 *
 * Returns: (transfer full) (nullable): the message, or `NULL` if the mailbox
 *   is empty
 */
JanusMessage *
janus_agent_get_message (JanusAgent *self)
{
  g_return_val_if_fail (janus_is_agent (self), NULL);
  if (G_UNLIKELY (!is_current (self)))
    CHECK_OWNER (self, NULL);

  return janus_mbox_take (MBOX (self));
}

/**
 * janus_agent_peek_message:
 * @self: an agent
 *
 * Looks at the message [method@Janus.Agent.get_message] would return,
 * leaving it in the mailbox.
 *
 * Returns: (transfer none) (nullable): the message, valid until it is taken
 */
JanusMessage *
janus_agent_peek_message (JanusAgent *self)
{
  g_return_val_if_fail (janus_is_agent (self), NULL);
  CHECK_OWNER (self, NULL);

  return janus_mbox_peek (MBOX (self));
}

/**
 * janus_agent_get_messages:
 * @self: an agent
 *
 * Takes every message out of the mailbox, in reading order.
 *
 * Returns: (transfer container) (element-type JanusMessage): the messages,
 *   taken out of the mailbox. The array owns them (its free function is
 *   [method@Janus.Message.unref]): g_ptr_array_unref() frees the array and
 *   the messages; steal one with g_ptr_array_steal_index() to keep it
 */
GPtrArray *
janus_agent_get_messages (JanusAgent *self)
{
  g_return_val_if_fail (janus_is_agent (self), NULL);
  CHECK_OWNER (self, NULL);

  return janus_mbox_take_all (MBOX (self));
}

/**
 * janus_agent_peek_messages:
 * @self: an agent
 *
 * Lists the messages in the mailbox, in reading order, leaving them there.
 *
 * Returns: (transfer container) (element-type JanusMessage): the messages,
 *   still in the mailbox. The array holds a reference of its own on each
 *   (its free function is [method@Janus.Message.unref]): g_ptr_array_unref()
 *   frees the array and drops those references; the mailbox keeps the
 *   messages
 */
GPtrArray *
janus_agent_peek_messages (JanusAgent *self)
{
  g_return_val_if_fail (janus_is_agent (self), NULL);
  CHECK_OWNER (self, NULL);

  return janus_mbox_peek_all (MBOX (self));
}

/**
 * janus_agent_has_message:
 * @self: an agent
 *
 * Tells whether the agent's mailbox holds a message.
 *
 * Returns: whether [method@Janus.Agent.get_message] would return a message
 */
gboolean
janus_agent_has_message (JanusAgent *self)
{
  g_return_val_if_fail (janus_is_agent (self), FALSE);
  CHECK_OWNER (self, FALSE);

  return janus_mbox_peek (MBOX (self)) != NULL;
}

/**
 * janus_agent_get_mailbox_size:
 * @self: an agent
 *
 * Counts the messages in the agent's mailbox (those the current step can see).
 *
 * Returns: how many messages the mailbox holds
 */
guint
janus_agent_get_mailbox_size (JanusAgent *self)
{
  g_return_val_if_fail (janus_is_agent (self), 0);
  CHECK_OWNER (self, 0);

  return janus_mbox_count (MBOX (self));
}

/**
 * janus_agent_wait_message:
 * @self: a heavy agent
 * @timeout_usec: how long to wait at most, in microseconds; -1 waits for
 *   ever, 0 does not wait
 *
 * Takes the oldest message, waiting for one to arrive if the mailbox is
 * empty. Only a heavy agent blocks (on its own thread, without spinning); for
 * a light agent this is [method@Janus.Agent.get_message]. A kill (asked
 * before or while waiting, [method@Janus.Agent.kill_me] included), a
 * [method@Janus.Agent.wake] or one of the agent's timers falling due (it
 * runs once `live` returns) ends the wait with `NULL`.
 *
 * Returns: (transfer full) (nullable): the message, or `NULL` on time-out or
 *   kill
 */
JanusMessage *
janus_agent_wait_message (JanusAgent *self,
                          gint64      timeout_usec)
{
  g_return_val_if_fail (janus_is_agent (self), NULL);
  CHECK_OWNER (self, NULL);

  return janus_agent_wait (self, timeout_usec);
}

/**
 * janus_agent_get_mailbox:
 * @self: an agent
 *
 * Gets the agent's mailbox as an object, for code that works on mailboxes
 * (and for iterating it from Python). The agent functions
 * [method@Janus.Agent.get_message] and friends do the same without it.
 *
 * Returns: (transfer none): the mailbox, owned by @self
 */
JanusMailbox *
janus_agent_get_mailbox (JanusAgent *self)
{
  JanusAgentExtra *extra;
  JanusMailbox *mailbox;

  g_return_val_if_fail (janus_is_agent (self), NULL);

  extra = janus_agent_ensure_extra (self);
  g_mutex_lock (&extra->lock);
  if (extra->mailbox == NULL)
    extra->mailbox = janus_mailbox_new_for (MBOX (self), self);
  mailbox = extra->mailbox;
  g_mutex_unlock (&extra->lock);
  return mailbox;
}

/* ------------------------------------------------------------- sending */

/* janus_agent_check_sender's answer when it refuses: why, in @error. */
gboolean
janus_agent_refuse_sender (JanusAgent    *self,
                           JanusMessage  *message,
                           GError       **error)
{
  JanusAgentState state = janus_agent_private_state (P (self));

  if (G_UNLIKELY (state == JANUS_AGENT_STATE_UNBORN))
    {
      g_autofree char *who = janus_agent_describe (self);
      g_set_error (error, JANUS_KERNEL_ERROR, JANUS_KERNEL_ERROR_NOT_LAUNCHED,
                   "The %s cannot send: it is not launched", who);
      return FALSE;
    }
  if (G_UNLIKELY (state == JANUS_AGENT_STATE_DIED))
    {
      g_autofree char *who = janus_agent_describe (self);
      g_set_error (error, JANUS_KERNEL_ERROR, JANUS_KERNEL_ERROR_AGENT_DEAD,
                   "The %s cannot send: it is dead", who);
      return FALSE;
    }
  return janus_message_check_unsent (message, error);
}

/* Inlined: with the checks, it is the whole of a send before delivery. */
static inline __attribute__ ((always_inline)) void
send_one (JanusAgent         *self,
          const JanusAddress *receiver,
          JanusMessage       *message)
{
  JanusAgentPrivate *priv = P (self);

  janus_message_seal (message, &priv->address, receiver,
                      janus_runtime_timestamp (priv->runtime));
  janus_runtime_deliver (priv->runtime, message);
}

/* janus_agent_send once its arguments are checked. */
static inline __attribute__ ((always_inline)) gboolean
send_checked (JanusAgent          *self,
              const JanusAddress  *receiver,
              JanusMessage        *message,
              GError             **error)
{
  if (G_UNLIKELY (!janus_agent_check_sender (self, message, error)))
    {
      janus_message_unref (message);
      return FALSE;
    }
  send_one (self, receiver, message);
  return TRUE;
}

/**
 * janus_agent_send:
 * @self: the sending agent
 * @receiver: the address of the receiving agent
 * @message: (transfer full): an unsent message
 *
 * Sends @message to the agent at @receiver. The message becomes immutable
 * and belongs to the receiver; @self must not use it afterwards.
 *
 * A message to an agent that is dead or unknown is not an error: it is a
 * dead letter, counted by the receiving kernel and reported by its
 * [signal@Janus.Kernel::dead-letter] signal. MT safe, allocation free in
 * steady state and lock free.
 *
 * Returns: `TRUE` if the message was sent; `FALSE` with @error set if @self is
 *   not launched or dead, or @message was sent before (it is released in
 *   every case)
 */
gboolean
janus_agent_send (JanusAgent          *self,
                  const JanusAddress  *receiver,
                  JanusMessage        *message,
                  GError             **error)
{
  g_return_val_if_fail (janus_is_agent (self), FALSE);
  g_return_val_if_fail (receiver != NULL, FALSE);
  g_return_val_if_fail (message != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return send_checked (self, receiver, message, error);
}

/* Whether @address is one of @self's candidates: sending to a set of
 * addresses never picks the sender itself (Janus's rule). */
static inline gboolean
is_candidate (JanusAgent         *self,
              const JanusAddress *address)
{
  return !janus_address_equal (address, &P (self)->address);
}

/**
 * janus_agent_send_random:
 * @self: the sending agent
 * @receivers: (array length=n_receivers): candidate receivers
 * @n_receivers: the number of @receivers, at least 1
 * @message: (transfer full): an unsent message
 * @out_receiver: (out) (optional) (nullable) (transfer full): where to store
 *   the address of the receiver, or `NULL`
 * @error: return location for a [struct@GLib.Error]
 *
 * Sends @message to one of @receivers chosen at random (uniformly; on a
 * kernel with a seed the choice is reproducible). As everywhere in Janus,
 * sending to a set of addresses never picks the sender itself: @self's own
 * address, if it is among @receivers, is not a candidate.
 *
 * Returns: `TRUE` if the message was sent; `FALSE` with @error set (see
 *   [method@Janus.Agent.send]; only @self among @receivers is
 *   `JANUS_MESSAGE_ERROR_NO_RECEIVER`). @message is released in every
 *   case
 */
gboolean
janus_agent_send_random (JanusAgent          *self,
                         const JanusAddress **receivers,
                         guint                n_receivers,
                         JanusMessage        *message,
                         JanusAddress       **out_receiver,
                         GError             **error)
{
  guint i, n = 0, pick;

  g_return_val_if_fail (janus_is_agent (self), FALSE);
  g_return_val_if_fail (receivers != NULL, FALSE);
  g_return_val_if_fail (n_receivers > 0, FALSE);
  g_return_val_if_fail (message != NULL, FALSE);
  g_return_val_if_fail (out_receiver == NULL || *out_receiver == NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  for (i = 0; i < n_receivers; i++)
    {
      g_return_val_if_fail (receivers[i] != NULL, FALSE);
      n += is_candidate (self, receivers[i]);
    }
  if (!janus_agent_check_sender (self, message, error))
    goto fail;
  if (n == 0)
    {
      g_autofree char *who = janus_agent_describe (self);
      g_set_error (error, JANUS_MESSAGE_ERROR, JANUS_MESSAGE_ERROR_NO_RECEIVER,
                   "Message “%s” has no receiver: the %s cannot send to itself "
                   "at random", message->subject, who);
      goto fail;
    }
  pick = (guint) (janus_scheduler_random () % n);
  for (i = 0; !is_candidate (self, receivers[i]) || pick-- > 0; i++)
    ;
  if (out_receiver != NULL)
    *out_receiver = janus_address_copy (receivers[i]);
  send_one (self, receivers[i], message);
  return TRUE;

fail:
  janus_message_unref (message);
  return FALSE;
}

/**
 * janus_agent_broadcast:
 * @self: the sending agent
 * @receivers: (array length=n_receivers): the receivers
 * @n_receivers: the number of @receivers
 * @message: (transfer full): an unsent message; its body may not be a pointer
 *   when there is more than one receiver
 *
 * Sends @message to each of @receivers: each gets its own message with the
 * same subject, body (shared) and priority.
 *
 * Returns: `TRUE` if sent; `FALSE` with @error set otherwise (see
 *   [method@Janus.Agent.send]; a pointer body with several receivers is
 *   `JANUS_MESSAGE_ERROR_POINTER_BODY`)
 */
gboolean
janus_agent_broadcast (JanusAgent          *self,
                       const JanusAddress **receivers,
                       guint                n_receivers,
                       JanusMessage        *message,
                       GError             **error)
{
  guint i;

  g_return_val_if_fail (janus_is_agent (self), FALSE);
  g_return_val_if_fail (receivers != NULL || n_receivers == 0, FALSE);
  g_return_val_if_fail (message != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!janus_agent_check_sender (self, message, error))
    goto fail;
  if (n_receivers > 1 && janus_message_body_kind (message) == JANUS_BODY_POINTER)
    {
      g_set_error (error, JANUS_MESSAGE_ERROR, JANUS_MESSAGE_ERROR_POINTER_BODY,
                   "Message “%s” has a pointer body and cannot go to %u "
                   "receivers; use a GVariant body", message->subject, n_receivers);
      goto fail;
    }
  for (i = 0; i + 1 < n_receivers; i++)
    send_one (self, receivers[i], janus_message_clone_for (message));
  if (n_receivers > 0)
    send_one (self, receivers[n_receivers - 1], message);
  else
    janus_message_unref (message);
  return TRUE;

fail:
  janus_message_unref (message);
  return FALSE;
}

/**
 * janus_agent_reply:
 * @self: the replying agent
 * @request: a message @self received
 * @reply: (transfer full): an unsent message
 *
 * Sends @reply to the sender of @request.
 *
 * Returns: `TRUE` if sent; `FALSE` with @error set otherwise (see
 *   [method@Janus.Agent.send]; an unsent @request is
 *   `JANUS_MESSAGE_ERROR_NOT_SENT`)
 */
gboolean
janus_agent_reply (JanusAgent    *self,
                   JanusMessage  *request,
                   JanusMessage  *reply,
                   GError       **error)
{
  g_return_val_if_fail (janus_is_agent (self), FALSE);
  g_return_val_if_fail (request != NULL, FALSE);
  g_return_val_if_fail (reply != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (G_UNLIKELY (!janus_message_sent (request)))
    {
      g_set_error (error, JANUS_MESSAGE_ERROR, JANUS_MESSAGE_ERROR_NOT_SENT,
                   "Cannot reply to message “%s”: it was never sent",
                   request->subject);
      janus_message_unref (reply);
      return FALSE;
    }
  /* the same path as janus_agent_send's, without its checks again */
  return send_checked (self, &request->sender, reply, error);
}
