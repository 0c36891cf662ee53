/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "janus-holonic-super.h"
#include "janus-holonic-roles-private.h"

/**
 * JanusHolonicSuper:
 *
 * The role a super-holon plays in its own internal group
 * ([class@Janus.HolonicOrganization]): its voice toward its members. What a
 * member sends to the Super role ([method@Janus.Holon.send_to_super]) lands
 * in this role's mailbox, which is part of the holon's own mailbox; the
 * holon reads it there ([method@Janus.Role.get_message] on
 * [method@Janus.Holon.get_super_role], or [method@Janus.Agent.get_message]).
 *
 * A capacity asked of the super-holon
 * ([method@Janus.Holon.invoke_capacity_async]) starts here, in the holon's
 * step: the Super passes it to a head, the head to a part that has it, and
 * the result comes back to the Super, which completes the call.
 *
 * The holon takes and leaves this role itself as it gains its first member
 * and loses its last; it cannot be left by hand.
 */

G_DEFINE_TYPE (JanusHolonicSuper, janus_holonic_super, JANUS_TYPE_ROLE)

static void
janus_holonic_super_class_init (JanusHolonicSuperClass *klass)
{
  janus_holonic_role_class_init (JANUS_ROLE_CLASS (klass));
}

static void
janus_holonic_super_init (JanusHolonicSuper *self)
{
}
