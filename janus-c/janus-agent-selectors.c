/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "janus-agent-private.h"
#include "janus-message-selector.h"

/* The selector forms of an agent's mailbox reads (Janus's
 * `getMessage(Selector)` family), and the filtered blocking read they share
 * with roles and the JanusMailbox object. These are methods of JanusAgent;
 * the queue walks are janus-mailbox.c's. */

#define P(agent) janus_agent_get_private (agent)
#define MBOX(agent) (&janus_agent_get_private (agent)->run.mbox)

#define CHECK_OWNER(self, val)                                                  \
  G_STMT_START {                                                                \
    if (G_UNLIKELY (!janus_agent_check_reader (self, G_STRFUNC)))               \
      return val;                                                               \
  } G_STMT_END

static JanusAgentExtra *
peek_extra (JanusAgent *self)
{
  return atomic_load_explicit (&P (self)->extra, memory_order_acquire);
}

/* A heavy agent's blocking read of the first message @filter accepts: as
 * janus_agent_wait, but what arrives and is not accepted stays queued. */
JanusMessage *
janus_agent_wait_filtered (JanusAgent      *self,
                           JanusMboxFilter  filter,
                           gpointer         data,
                           gint64           timeout_usec)
{
  JanusAgentExtra *extra;
  JanusMessage *m;
  gint64 deadline;

  m = janus_mbox_take_filtered (MBOX (self), filter, data);
  if (m != NULL || timeout_usec == 0 || !janus_mbox_is_heavy (MBOX (self))
      || !janus_agent_is_current (self))
    return m;

  deadline = timeout_usec < 0 ? -1 : g_get_monotonic_time () + timeout_usec;
  for (;;)
    {
      gint64 left = deadline < 0 ? -1 : deadline - g_get_monotonic_time ();

      if (deadline >= 0 && left <= 0)
        return NULL;
      /* FALSE on time-out, kill or wake-up */
      if (!janus_agent_wait_arrival (self, left))
        return NULL;
      if ((m = janus_mbox_take_filtered (MBOX (self), filter, data)) != NULL)
        return m;
      /* a due timer or a task ends the wait: it runs once live returns */
      extra = peek_extra (self);
      if (extra != NULL && ((extra->timers != NULL && janus_timer_set_has_fired (extra->timers))
                            || extra->tasks != NULL))
        return NULL;
    }
}

/* What JanusMailbox's wait_message_matching calls (the mailbox's owner
 * function): the agent is the first member of its mailbox's owner. */
JanusMessage *
janus_agent_mbox_wait_filtered (JanusMbox       *mbox,
                                JanusMboxFilter  filter,
                                gpointer         data,
                                gint64           timeout_usec)
{
  JanusAgent *self = (JanusAgent *) ((char *) mbox - janus_agent_private_offset);

  CHECK_OWNER (self, NULL);
  return janus_agent_wait_filtered (self, filter, data, timeout_usec);
}

/**
 * janus_agent_get_message_matching:
 * @self: an agent
 * @selector: chooses the message
 *
 * Takes the first message, in reading order, that @selector selects out of
 * the agent's mailbox; the others stay, in their order. Call from the
 * agent's own step. See [struct@Janus.MessageSelector].
 *
 * Returns: (transfer full) (nullable): the message, or `NULL` if none is
 *   selected
 */
JanusMessage *
janus_agent_get_message_matching (JanusAgent           *self,
                                  JanusMessageSelector *selector)
{
  g_return_val_if_fail (janus_is_agent (self), NULL);
  g_return_val_if_fail (selector != NULL, NULL);
  CHECK_OWNER (self, NULL);

  return janus_mbox_take_filtered (MBOX (self), janus_mbox_selector_filter, selector);
}

/**
 * janus_agent_peek_message_matching:
 * @self: an agent
 * @selector: chooses the message
 *
 * Looks at the message [method@Janus.Agent.get_message_matching] would
 * take, leaving it in the mailbox.
 *
 * Returns: (transfer none) (nullable): the message, valid until it is
 *   taken, or `NULL`
 */
JanusMessage *
janus_agent_peek_message_matching (JanusAgent           *self,
                                   JanusMessageSelector *selector)
{
  g_return_val_if_fail (janus_is_agent (self), NULL);
  g_return_val_if_fail (selector != NULL, NULL);
  CHECK_OWNER (self, NULL);

  return janus_mbox_peek_filtered (MBOX (self), janus_mbox_selector_filter, selector);
}

/**
 * janus_agent_get_messages_matching:
 * @self: an agent
 * @selector: chooses the messages
 *
 * Takes every message @selector selects, in reading order.
 *
 * Returns: (transfer container) (element-type JanusMessage): the messages,
 *   taken out of the mailbox; the array owns them
 */
GPtrArray *
janus_agent_get_messages_matching (JanusAgent           *self,
                                   JanusMessageSelector *selector)
{
  g_return_val_if_fail (janus_is_agent (self), NULL);
  g_return_val_if_fail (selector != NULL, NULL);
  CHECK_OWNER (self, NULL);

  return janus_mbox_take_all_filtered (MBOX (self), janus_mbox_selector_filter, selector);
}

/**
 * janus_agent_peek_messages_matching:
 * @self: an agent
 * @selector: chooses the messages
 *
 * Lists the messages @selector selects, in reading order, leaving them in
 * the mailbox.
 *
 * Returns: (transfer container) (element-type JanusMessage): the messages;
 *   the array holds a reference of its own on each
 */
GPtrArray *
janus_agent_peek_messages_matching (JanusAgent           *self,
                                    JanusMessageSelector *selector)
{
  g_return_val_if_fail (janus_is_agent (self), NULL);
  g_return_val_if_fail (selector != NULL, NULL);
  CHECK_OWNER (self, NULL);

  return janus_mbox_peek_all_filtered (MBOX (self), janus_mbox_selector_filter, selector);
}

/**
 * janus_agent_has_message_matching:
 * @self: an agent
 * @selector: chooses the message
 *
 * Tells whether the agent's mailbox holds a message @selector selects.
 *
 * Returns: whether [method@Janus.Agent.get_message_matching] would return
 *   a message
 */
gboolean
janus_agent_has_message_matching (JanusAgent           *self,
                                  JanusMessageSelector *selector)
{
  g_return_val_if_fail (janus_is_agent (self), FALSE);
  g_return_val_if_fail (selector != NULL, FALSE);
  CHECK_OWNER (self, FALSE);

  return janus_mbox_peek_filtered (MBOX (self), janus_mbox_selector_filter, selector) != NULL;
}

/**
 * janus_agent_wait_message_matching:
 * @self: a heavy agent
 * @selector: chooses the message
 * @timeout_usec: how long to wait at most, in microseconds; -1 waits for
 *   ever, 0 does not wait
 *
 * Takes the first message @selector selects, waiting for one if there is
 * none (Janus's `getMessage(Selector, timeout)`): a heavy agent blocks on
 * its own thread; messages that arrive meanwhile and are not selected stay
 * in the mailbox, in their order. A kill, a [method@Janus.Agent.wake] or a
 * due timer ends the wait, as for [method@Janus.Agent.wait_message]. For
 * a light agent this is [method@Janus.Agent.get_message_matching].
 *
 * Returns: (transfer full) (nullable): the message, or `NULL` on time-out
 *   (or kill, wake-up, due timer)
 */
JanusMessage *
janus_agent_wait_message_matching (JanusAgent           *self,
                                   JanusMessageSelector *selector,
                                   gint64                timeout_usec)
{
  g_return_val_if_fail (janus_is_agent (self), NULL);
  g_return_val_if_fail (selector != NULL, NULL);
  CHECK_OWNER (self, NULL);

  return janus_agent_wait_filtered (self, janus_mbox_selector_filter, selector, timeout_usec);
}
