/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "janus-holonic-head.h"
#include "janus-holonic-roles-private.h"

/**
 * JanusHolonicHead:
 *
 * The role of the member(s) that represent a super-holon, after Janus's
 * `Head`: a head receives what is sent to the super-holon from outside (the
 * holon forwards it into this role's mailbox, see
 * [property@Janus.Holon:routing]), takes the decisions and dispatches the
 * work. When the holon is asked for a capacity, its head chooses the member
 * that performs it (`select_provider`).
 *
 * A holon's first member becomes its head unless a head policy
 * ([method@Janus.Holon.set_head_func]) or [method@Janus.Holon.set_head]
 * says otherwise; a head is also a Part. When a head leaves or ends, the
 * holon chooses a new one.
 */

G_DEFINE_TYPE (JanusHolonicHead, janus_holonic_head, JANUS_TYPE_ROLE)

/**
 * janus_holonic_head_select_provider: (virtual select_provider)
 * @self: a played Head role
 * @capacity_type: (type gsize): the capacity asked (an interface `GType`;
 *   from a language binding, the type's number)
 * @candidates: (element-type JanusAgent): the members offering it, in
 *   joining order (at least one)
 *
 * Chooses the member that performs @capacity_type. The holon calls it in
 * the head's step.
 *
 * Returns: the index of the chosen candidate
 */
guint
janus_holonic_head_select_provider (JanusHolonicHead  *self,
                                    GType              capacity_type,
                                    GPtrArray         *candidates)
{
  guint i;

  g_return_val_if_fail (JANUS_IS_HOLONIC_HEAD (self), 0);
  g_return_val_if_fail (candidates != NULL && candidates->len > 0, 0);

  i = JANUS_HOLONIC_HEAD_GET_CLASS (self)->select_provider (self, capacity_type, candidates);
  if (i < candidates->len)
    return i;
  g_warning ("%s::select_provider chose %u of %u candidates; using the first",
             G_OBJECT_TYPE_NAME (self), i, candidates->len);
  return 0;
}

static guint
janus_holonic_head_real_select_provider (JanusHolonicHead  *self,
                                         GType              capacity_type,
                                         GPtrArray         *candidates)
{
  return janus_holonic_select_provider (janus_role_get_group (JANUS_ROLE (self)),
                                        capacity_type, candidates);
}

static void
janus_holonic_head_class_init (JanusHolonicHeadClass *klass)
{
  klass->select_provider = janus_holonic_head_real_select_provider;
  janus_holonic_role_class_init (JANUS_ROLE_CLASS (klass));
}

static void
janus_holonic_head_init (JanusHolonicHead *self)
{
}
