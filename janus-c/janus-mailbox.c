/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "janus-agent-private.h"
#include "janus-mailbox-private.h"

/**
 * JanusMailbox:
 *
 * The mailbox of an agent, as an object: what [method@Janus.Agent.get_mailbox]
 * returns. Its operations are those of the agent (take the oldest, peek,
 * drain, list, test, count, and — for heavy agents — wait) and follow the
 * same rules: only the agent itself reads its mailbox.
 *
 * Messages are read in arrival order, per sender in the order sent, unless
 * the [enum@Janus.MailboxKind] says otherwise. A mailbox can be walked
 * without taking messages, taking some on the way:
 *
 * ```c
 * JanusMailboxIter iter;
 * JanusMessage *m;
 *
 * janus_mailbox_iter_init (&iter, janus_agent_get_mailbox (self));
 * while (janus_mailbox_iter_next (&iter, &m))
 *   if (janus_message_has_subject (m, "urgent"))
 *     handle_and_unref (janus_mailbox_iter_steal (&iter));
 * ```
 *
 * From Python, `for message in mailbox:` takes each message in turn (like
 * calling [method@Janus.Mailbox.get_message] until it returns `None`), and
 * `len (mailbox)` is its size.
 *
 * The mailbox does not keep its agent alive: once the agent is finalized the
 * mailbox is empty and every operation returns nothing.
 */

struct _JanusMailbox
{
  GObject     parent_instance;
  JanusAgent *agent;            /* borrowed; cleared by the agent's finalize */
};

G_DEFINE_FINAL_TYPE (JanusMailbox, janus_mailbox, G_TYPE_OBJECT)

typedef struct
{
  JanusMailbox *mailbox;
  JanusMessage *prev;
  JanusMessage *current;
  gpointer      started;
} RealIter;

G_STATIC_ASSERT (sizeof (RealIter) <= sizeof (JanusMailboxIter));

JanusMailbox *
janus_mailbox_new_for_agent (JanusAgent *agent)
{
  JanusMailbox *self = g_object_new (JANUS_TYPE_MAILBOX, NULL);

  self->agent = agent;
  return self;
}

void
janus_mailbox_detach (JanusMailbox *self)
{
  self->agent = NULL;
}

/**
 * janus_mailbox_get_agent:
 * @self: a mailbox
 *
 * Gets the agent the mailbox belongs to.
 *
 * Returns: (transfer none) (nullable): the agent owning the mailbox, or %NULL
 *   once it is finalized
 */
JanusAgent *
janus_mailbox_get_agent (JanusMailbox *self)
{
  g_return_val_if_fail (JANUS_IS_MAILBOX (self), NULL);

  return self->agent;
}

/**
 * janus_mailbox_get_message:
 * @self: a mailbox
 *
 * See [method@Janus.Agent.get_message].
 *
 * Returns: (transfer full) (nullable): the oldest message, taken out
 */
JanusMessage *
janus_mailbox_get_message (JanusMailbox *self)
{
  g_return_val_if_fail (JANUS_IS_MAILBOX (self), NULL);

  return self->agent ? janus_agent_get_message (self->agent) : NULL;
}

/**
 * janus_mailbox_peek_message:
 * @self: a mailbox
 *
 * See [method@Janus.Agent.peek_message].
 *
 * Returns: (transfer none) (nullable): the oldest message, left in place
 */
JanusMessage *
janus_mailbox_peek_message (JanusMailbox *self)
{
  g_return_val_if_fail (JANUS_IS_MAILBOX (self), NULL);

  return self->agent ? janus_agent_peek_message (self->agent) : NULL;
}

static GPtrArray *
empty_array (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify) janus_message_unref);
}

/**
 * janus_mailbox_get_messages:
 * @self: a mailbox
 *
 * See [method@Janus.Agent.get_messages].
 *
 * Returns: (transfer container) (element-type JanusMessage): every message, taken
 */
GPtrArray *
janus_mailbox_get_messages (JanusMailbox *self)
{
  g_return_val_if_fail (JANUS_IS_MAILBOX (self), NULL);

  return self->agent ? janus_agent_get_messages (self->agent) : empty_array ();
}

/**
 * janus_mailbox_peek_messages:
 * @self: a mailbox
 *
 * See [method@Janus.Agent.peek_messages].
 *
 * Returns: (transfer container) (element-type JanusMessage): every message, left
 *   in place
 */
GPtrArray *
janus_mailbox_peek_messages (JanusMailbox *self)
{
  g_return_val_if_fail (JANUS_IS_MAILBOX (self), NULL);

  return self->agent ? janus_agent_peek_messages (self->agent) : empty_array ();
}

/**
 * janus_mailbox_has_message:
 * @self: a mailbox
 *
 * Tells whether the mailbox holds a message.
 *
 * Returns: whether the mailbox holds a message
 */
gboolean
janus_mailbox_has_message (JanusMailbox *self)
{
  g_return_val_if_fail (JANUS_IS_MAILBOX (self), FALSE);

  return self->agent ? janus_agent_has_message (self->agent) : FALSE;
}

/**
 * janus_mailbox_get_size:
 * @self: a mailbox
 *
 * Counts the messages in the mailbox.
 *
 * Returns: how many messages the mailbox holds
 */
guint
janus_mailbox_get_size (JanusMailbox *self)
{
  g_return_val_if_fail (JANUS_IS_MAILBOX (self), 0);

  return self->agent ? janus_agent_get_mailbox_size (self->agent) : 0;
}

/**
 * janus_mailbox_wait_message:
 * @self: a mailbox
 * @timeout_usec: the longest wait in microseconds, -1 for ever
 *
 * See [method@Janus.Agent.wait_message].
 *
 * Returns: (transfer full) (nullable): the oldest message, or %NULL
 */
JanusMessage *
janus_mailbox_wait_message (JanusMailbox *self,
                            gint64        timeout_usec)
{
  g_return_val_if_fail (JANUS_IS_MAILBOX (self), NULL);

  return self->agent ? janus_agent_wait_message (self->agent, timeout_usec) : NULL;
}

/**
 * janus_mailbox_get_kind:
 * @self: a mailbox
 *
 * Gets how the mailbox orders messages.
 *
 * Returns: how the mailbox orders messages
 */
JanusMailboxKind
janus_mailbox_get_kind (JanusMailbox *self)
{
  g_return_val_if_fail (JANUS_IS_MAILBOX (self), JANUS_MAILBOX_KIND_FIFO);

  return self->agent ? janus_agent_get_mailbox_kind (self->agent) : JANUS_MAILBOX_KIND_FIFO;
}

/**
 * janus_mailbox_set_kind:
 * @self: a mailbox
 * @kind: the new kind
 *
 * See [method@Janus.Agent.set_mailbox_kind].
 */
void
janus_mailbox_set_kind (JanusMailbox     *self,
                        JanusMailboxKind  kind)
{
  g_return_if_fail (JANUS_IS_MAILBOX (self));

  if (self->agent)
    janus_agent_set_mailbox_kind (self->agent, kind);
}

/**
 * janus_mailbox_iter_init:
 * @iter: an uninitialised iterator
 * @mailbox: a mailbox
 *
 * Starts walking @mailbox. The mailbox must not be changed during the walk
 * except through [method@Janus.MailboxIter.steal].
 */
void
janus_mailbox_iter_init (JanusMailboxIter *iter,
                         JanusMailbox     *mailbox)
{
  RealIter *ri = (RealIter *) iter;

  g_return_if_fail (iter != NULL);
  g_return_if_fail (JANUS_IS_MAILBOX (mailbox));

  ri->mailbox = mailbox;
  ri->prev = NULL;
  ri->current = NULL;
  ri->started = NULL;
}

/**
 * janus_mailbox_iter_next:
 * @iter: an iterator
 * @message: (out) (optional) (transfer none) (nullable): the next message
 *
 * Moves to the next message.
 *
 * Returns: %FALSE when there is no more message
 */
gboolean
janus_mailbox_iter_next (JanusMailboxIter  *iter,
                         JanusMessage     **message)
{
  RealIter *ri = (RealIter *) iter;
  JanusAgent *agent;

  g_return_val_if_fail (iter != NULL, FALSE);

  agent = ri->mailbox->agent;
  if (agent == NULL)
    return FALSE;
  if (ri->started == NULL)
    {
      if (!janus_agent_check_owner (agent))
        {
          g_critical ("%s: the mailbox of agent %s is read only by the agent itself",
                      G_STRFUNC, G_OBJECT_TYPE_NAME (agent));
          return FALSE;
        }
      ri->started = iter;
      ri->prev = NULL;
      ri->current = janus_agent_mailbox_peek (agent);
    }
  else if (ri->current != NULL)
    {
      ri->prev = ri->current;
      ri->current = ri->current->next;
    }
  else
    {
      /* the current message was stolen: continue after prev */
      JanusAgentPrivate *priv = janus_agent_get_private (agent);
      ri->current = ri->prev ? ri->prev->next : priv->queue_head;
    }
  if (message)
    *message = ri->current;
  return ri->current != NULL;
}

/**
 * janus_mailbox_iter_steal:
 * @iter: an iterator on a message
 *
 * Takes the message the iterator is on out of the mailbox; the walk goes on
 * with the following message.
 *
 * Returns: (transfer full): the message
 */
JanusMessage *
janus_mailbox_iter_steal (JanusMailboxIter *iter)
{
  RealIter *ri = (RealIter *) iter;
  JanusAgentPrivate *priv;
  JanusMessage *m;

  g_return_val_if_fail (iter != NULL, NULL);
  g_return_val_if_fail (ri->current != NULL, NULL);
  g_return_val_if_fail (ri->mailbox->agent != NULL, NULL);

  priv = janus_agent_get_private (ri->mailbox->agent);
  m = ri->current;
  if (ri->prev)
    ri->prev->next = m->next;
  else
    priv->queue_head = m->next;
  if (priv->queue_tail == m)
    priv->queue_tail = ri->prev;
  m->next = NULL;
  ri->current = NULL;
  return m;
}

static void
janus_mailbox_class_init (JanusMailboxClass *klass)
{
}

static void
janus_mailbox_init (JanusMailbox *self)
{
}
