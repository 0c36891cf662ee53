/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "janus-capacity.h"
#include "janus-error.h"

/**
 * JanusCapacity:
 *
 * A competence: something an agent can do, that the roles it plays may
 * need. A role class lists the capacities it requires
 * ([method@Janus.RoleClass.add_required_capacity]); an agent provides a
 * capacity by registering an object implementing it
 * ([method@Janus.Agent.add_capacity]), and requesting a role whose required
 * capacities it lacks fails with %JANUS_ERROR_MISSING_CAPACITY.
 *
 * A role calls a capacity synchronously — through your own typed interface
 * on the object [method@Janus.Role.get_capacity] returns, or through the
 * generic [method@Janus.Capacity.invoke] with [method@Janus.Role.invoke_capacity]
 * — or asynchronously with [method@Janus.Role.invoke_capacity_async]: the
 * capacity then runs on one of the kernel's workers and its result comes
 * back as a message in the role's mailbox.
 *
 * ```c
 * // a capacity that doubles integers
 * static GVariant *
 * doubler_invoke (JanusCapacity *cap, GVariant *input, GError **error)
 * {
 *   return g_variant_new_int64 (2 * g_variant_get_int64 (input));
 * }
 * ```
 */

G_DEFINE_INTERFACE (JanusCapacity, janus_capacity, G_TYPE_OBJECT)

static GVariant *
janus_capacity_real_invoke (JanusCapacity  *self,
                            GVariant       *input,
                            GError        **error)
{
  g_set_error (error, JANUS_ERROR, JANUS_ERROR_FAILED,
               "Capacity %s cannot be invoked generically (no invoke function)",
               G_OBJECT_TYPE_NAME (self));
  return NULL;
}

static void
janus_capacity_default_init (JanusCapacityInterface *iface)
{
  iface->invoke = janus_capacity_real_invoke;
}

/**
 * janus_capacity_invoke:
 * @self: a capacity implementation
 * @input: (nullable): the input; a floating reference is taken
 * @error: return location for a #GError
 *
 * Performs the capacity on @input.
 *
 * Returns: (transfer full) (nullable): the result, or %NULL for none or on
 *   error (then @error is set)
 */
GVariant *
janus_capacity_invoke (JanusCapacity  *self,
                       GVariant       *input,
                       GError        **error)
{
  g_autoptr(GVariant) in = NULL;
  GVariant *result;

  g_return_val_if_fail (JANUS_IS_CAPACITY (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  in = input ? g_variant_ref_sink (input) : NULL;
  result = JANUS_CAPACITY_GET_IFACE (self)->invoke (self, in, error);
  return result ? g_variant_take_ref (result) : NULL;
}
