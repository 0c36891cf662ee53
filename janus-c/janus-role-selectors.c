/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "janus-agent-private.h"
#include "janus-message-selector.h"
#include "janus-role-private.h"

/* The selector forms of a role's mailbox reads. A role's mailbox is a
 * filtered view of its player's (janus-role.c): a message is the role's
 * and selected. These are methods of JanusRole. */

typedef struct
{
  JanusRole            *role;
  JanusMessageSelector *selector;
} RoleSelection;

static gboolean
role_selects (JanusMessage *message,
              gpointer      data)
{
  RoleSelection *sel = data;

  return janus_role_accepts (sel->role, message)
         && janus_message_selector_matches (sel->selector, message);
}

/* The player's mailbox, if the role is played and the caller may read it. */
static JanusMbox *
readable (JanusRole  *self,
          const char *func)
{
  JanusRolePrivate *rp = janus_role_get_private (self);

  if (!janus_role_is_played (self))
    return NULL;
  if (G_UNLIKELY (!janus_agent_check_owner (rp->player)))
    {
      g_critical ("%s: the mailbox of role %s is read only by its player's steps",
                  func, G_OBJECT_TYPE_NAME (self));
      return NULL;
    }
  return janus_agent_get_mbox (rp->player);
}

/**
 * janus_role_get_message_matching:
 * @self: a role
 * @selector: chooses the message
 *
 * Takes the first message addressed to this role that @selector selects.
 * Call from the player's step.
 *
 * Returns: (transfer full) (nullable): the message, or `NULL`
 */
JanusMessage *
janus_role_get_message_matching (JanusRole            *self,
                                 JanusMessageSelector *selector)
{
  RoleSelection sel = { self, selector };
  JanusMbox *mbox;

  g_return_val_if_fail (JANUS_IS_ROLE (self), NULL);
  g_return_val_if_fail (selector != NULL, NULL);

  mbox = readable (self, G_STRFUNC);
  return mbox ? janus_mbox_take_filtered (mbox, role_selects, &sel) : NULL;
}

/**
 * janus_role_peek_message_matching:
 * @self: a role
 * @selector: chooses the message
 *
 * Looks at the message [method@Janus.Role.get_message_matching] would
 * take.
 *
 * Returns: (transfer none) (nullable): the message, or `NULL`
 */
JanusMessage *
janus_role_peek_message_matching (JanusRole            *self,
                                  JanusMessageSelector *selector)
{
  RoleSelection sel = { self, selector };
  JanusMbox *mbox;

  g_return_val_if_fail (JANUS_IS_ROLE (self), NULL);
  g_return_val_if_fail (selector != NULL, NULL);

  mbox = readable (self, G_STRFUNC);
  return mbox ? janus_mbox_peek_filtered (mbox, role_selects, &sel) : NULL;
}

/**
 * janus_role_get_messages_matching:
 * @self: a role
 * @selector: chooses the messages
 *
 * Takes every message addressed to this role that @selector selects,
 * oldest first.
 *
 * Returns: (transfer container) (element-type JanusMessage): the messages,
 *   taken out; the array owns them
 */
GPtrArray *
janus_role_get_messages_matching (JanusRole            *self,
                                  JanusMessageSelector *selector)
{
  RoleSelection sel = { self, selector };
  JanusMbox *mbox;

  g_return_val_if_fail (JANUS_IS_ROLE (self), NULL);
  g_return_val_if_fail (selector != NULL, NULL);

  mbox = readable (self, G_STRFUNC);
  if (mbox == NULL)
    return g_ptr_array_new_with_free_func ((GDestroyNotify) janus_message_unref);
  return janus_mbox_take_all_filtered (mbox, role_selects, &sel);
}

/**
 * janus_role_peek_messages_matching:
 * @self: a role
 * @selector: chooses the messages
 *
 * Lists the messages addressed to this role that @selector selects,
 * oldest first, leaving them.
 *
 * Returns: (transfer container) (element-type JanusMessage): the
 *   messages; the array holds a reference of its own on each
 */
GPtrArray *
janus_role_peek_messages_matching (JanusRole            *self,
                                   JanusMessageSelector *selector)
{
  RoleSelection sel = { self, selector };
  JanusMbox *mbox;

  g_return_val_if_fail (JANUS_IS_ROLE (self), NULL);
  g_return_val_if_fail (selector != NULL, NULL);

  mbox = readable (self, G_STRFUNC);
  if (mbox == NULL)
    return g_ptr_array_new_with_free_func ((GDestroyNotify) janus_message_unref);
  return janus_mbox_peek_all_filtered (mbox, role_selects, &sel);
}

/**
 * janus_role_has_message_matching:
 * @self: a role
 * @selector: chooses the message
 *
 * Tells whether a message addressed to this role and selected by
 * @selector is waiting.
 *
 * Returns: whether [method@Janus.Role.get_message_matching] would return one
 */
gboolean
janus_role_has_message_matching (JanusRole            *self,
                                 JanusMessageSelector *selector)
{
  return janus_role_peek_message_matching (self, selector) != NULL;
}

/**
 * janus_role_wait_message_matching:
 * @self: a role of a heavy agent
 * @selector: chooses the message
 * @timeout_usec: the longest wait in microseconds, -1 for ever, 0 not at all
 *
 * Takes the first message addressed to this role that @selector selects,
 * waiting for one if the player is a heavy agent (see
 * [method@Janus.Agent.wait_message_matching]); the other messages that
 * arrive meanwhile stay in the mailbox.
 *
 * Returns: (transfer full) (nullable): the message, or `NULL` on time-out
 *   (or kill, wake-up, due timer)
 */
JanusMessage *
janus_role_wait_message_matching (JanusRole            *self,
                                  JanusMessageSelector *selector,
                                  gint64                timeout_usec)
{
  RoleSelection sel = { self, selector };

  g_return_val_if_fail (JANUS_IS_ROLE (self), NULL);
  g_return_val_if_fail (selector != NULL, NULL);

  if (readable (self, G_STRFUNC) == NULL)
    return NULL;
  return janus_agent_wait_filtered (janus_role_get_private (self)->player,
                                    role_selects, &sel, timeout_usec);
}
