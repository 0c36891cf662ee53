/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "janus-address-private.h"
#include "janus-message-private.h"
#include "janus-message-selector.h"

/**
 * JanusMessageSelector:
 *
 * Chooses messages in a mailbox: those of one subject, those of one
 * sender, or those a function accepts (Janus's `Selector<Message>`). The
 * mailbox reads that take a selector —
 * [method@Janus.Mailbox.get_message_matching],
 * [method@Janus.Mailbox.peek_message_matching],
 * [method@Janus.Mailbox.wait_message_matching] and their forwarders on
 * [class@Janus.Agent] and [class@Janus.Role] — see only the selected
 * messages; the others stay in the mailbox, in their order.
 *
 * ```c
 * g_autoptr(JanusMessageSelector) bids = janus_message_selector_new_subject ("bid");
 * JanusMessage *m;
 *
 * while ((m = janus_agent_get_message_matching (self, bids)) != NULL)
 *   handle_bid_and_unref (self, m);
 * ```
 *
 * A selector is immutable and reference counted: one selector may be kept
 * and shared between threads. From Python, a selector is built from a
 * callable with `Janus.MessageSelector.new_func (lambda m: …)`.
 */

typedef enum {
  SELECT_SUBJECT,
  SELECT_SENDER,
  SELECT_FUNC,
} SelectorKind;

struct _JanusMessageSelector
{
  gatomicrefcount           ref_count;
  SelectorKind              kind;
  char                     *subject;
  JanusAddress              sender;
  JanusMessageSelectorFunc  func;
  gpointer                  user_data;
  GDestroyNotify            destroy;
};

G_DEFINE_BOXED_TYPE (JanusMessageSelector, janus_message_selector,
                     janus_message_selector_ref, janus_message_selector_unref)

static JanusMessageSelector *
selector_new (SelectorKind kind)
{
  JanusMessageSelector *self = g_new0 (JanusMessageSelector, 1);

  g_atomic_ref_count_init (&self->ref_count);
  self->kind = kind;
  return self;
}

/**
 * janus_message_selector_new_subject:
 * @subject: a subject
 *
 * Makes a selector of the messages whose subject is @subject.
 *
 * Returns: (transfer full): a new selector
 */
JanusMessageSelector *
janus_message_selector_new_subject (const char *subject)
{
  JanusMessageSelector *self;

  g_return_val_if_fail (subject != NULL, NULL);

  self = selector_new (SELECT_SUBJECT);
  self->subject = g_strdup (subject);
  return self;
}

/**
 * janus_message_selector_new_sender:
 * @sender: the address of an agent
 *
 * Makes a selector of the messages sent by the agent at @sender (a role
 * message counts as sent by its player).
 *
 * Returns: (transfer full): a new selector
 */
JanusMessageSelector *
janus_message_selector_new_sender (const JanusAddress *sender)
{
  JanusMessageSelector *self;

  g_return_val_if_fail (sender != NULL, NULL);

  self = selector_new (SELECT_SENDER);
  self->sender = *sender;
  return self;
}

/**
 * janus_message_selector_new_func:
 * @func: (scope notified) (closure user_data) (destroy destroy): decides
 *   which messages are selected
 * @user_data: (nullable): data for @func
 * @destroy: (nullable): frees @user_data with the selector
 *
 * Makes a selector of the messages @func accepts.
 *
 * Returns: (transfer full): a new selector
 */
JanusMessageSelector *
janus_message_selector_new_func (JanusMessageSelectorFunc func,
                                 gpointer                 user_data,
                                 GDestroyNotify           destroy)
{
  JanusMessageSelector *self;

  g_return_val_if_fail (func != NULL, NULL);

  self = selector_new (SELECT_FUNC);
  self->func = func;
  self->user_data = user_data;
  self->destroy = destroy;
  return self;
}

/**
 * janus_message_selector_ref:
 * @self: a selector
 *
 * Takes a reference on @self. MT safe.
 *
 * Returns: (transfer full): @self
 */
JanusMessageSelector *
janus_message_selector_ref (JanusMessageSelector *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

/**
 * janus_message_selector_unref:
 * @self: (transfer full): a selector
 *
 * Drops a reference on @self; the last one frees it (and its user data).
 * MT safe.
 */
void
janus_message_selector_unref (JanusMessageSelector *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;
  if (self->destroy != NULL)
    self->destroy (self->user_data);
  g_free (self->subject);
  g_free (self);
}

/**
 * janus_message_selector_matches:
 * @self: a selector
 * @message: a message
 *
 * Tells whether @self selects @message.
 *
 * Returns: whether @message is selected
 */
gboolean
janus_message_selector_matches (JanusMessageSelector *self,
                                JanusMessage         *message)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (message != NULL, FALSE);

  switch (self->kind)
    {
    case SELECT_SUBJECT:
      return g_strcmp0 (message->subject, self->subject) == 0;
    case SELECT_SENDER:
      return janus_message_sent (message) && janus_address_equal (&message->sender, &self->sender);
    case SELECT_FUNC:
    default:
      return self->func (message, self->user_data) != FALSE;
    }
}
