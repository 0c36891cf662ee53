/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "janus-holonic-part.h"
#include "janus-holonic-roles-private.h"

/**
 * JanusHolonicPart:
 *
 * The role every member of a super-holon plays in its internal group
 * ([class@Janus.HolonicOrganization]): an ordinary member, which offers its
 * capacities to the holon. When the holon is asked for a capacity
 * ([method@Janus.Holon.invoke_capacity_async]) and its head picks this
 * member, the member performs it in its own step through this role's
 * `perform` virtual function, and the result goes back to the holon's
 * Super role. A member that is itself a super-holon and offers the
 * capacity only through its own members passes the request down its own
 * holarchy instead.
 *
 * A member shared by several super-holons plays
 * [class@Janus.HolonicMultiPart], a subclass, in each of them.
 */

G_DEFINE_TYPE (JanusHolonicPart, janus_holonic_part, JANUS_TYPE_ROLE)

/**
 * janus_holonic_part_perform: (virtual perform)
 * @self: a played Part role
 * @capacity_type: (type gsize): the capacity (an interface `GType`; from a
 *   language binding, the type's number)
 * @input: (nullable): the input of the call
 * @error: return location for a [struct@GLib.Error]
 *
 * Performs @capacity_type on @input for the super-holon. The holon calls
 * it in the member's step; call it yourself only from there.
 *
 * Returns: (transfer full) (nullable): the result (`NULL` for none), or
 *   `NULL` with @error set
 */
GVariant *
janus_holonic_part_perform (JanusHolonicPart  *self,
                            GType              capacity_type,
                            GVariant          *input,
                            GError           **error)
{
  GVariant *result;

  g_return_val_if_fail (JANUS_IS_HOLONIC_PART (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  result = JANUS_HOLONIC_PART_GET_CLASS (self)->perform (self, capacity_type, input, error);
  return result ? g_variant_take_ref (result) : NULL;
}

static GVariant *
janus_holonic_part_real_perform (JanusHolonicPart  *self,
                                 GType              capacity_type,
                                 GVariant          *input,
                                 GError           **error)
{
  /* not floating: the call takes a reference of its own */
  return janus_role_invoke_capacity (JANUS_ROLE (self), capacity_type, input, error);
}

static void
janus_holonic_part_class_init (JanusHolonicPartClass *klass)
{
  klass->perform = janus_holonic_part_real_perform;
  janus_holonic_role_class_init (JANUS_ROLE_CLASS (klass));
}

static void
janus_holonic_part_init (JanusHolonicPart *self)
{
}
