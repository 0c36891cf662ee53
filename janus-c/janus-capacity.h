/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined (JANUS_INSIDE) && !defined (JANUS_COMPILATION)
#error "Only <janus.h> can be included directly."
#endif

#include "janus-types.h"

G_BEGIN_DECLS

JANUS_AVAILABLE_IN_ALL
G_DECLARE_INTERFACE (JanusCapacity, janus_capacity, JANUS, CAPACITY, GObject)

/**
 * JanusCapacityInterface:
 * @g_iface: the parent interface
 * @invoke: performs the capacity on @input and returns its result (a new
 *   reference, or `NULL` for none), or fails with @error. Called on the
 *   caller's thread for [method@Janus.Role.invoke_capacity], on a worker for
 *   [method@Janus.Role.invoke_capacity_on_worker]: an implementation used
 *   asynchronously must be thread safe.
 *
 * A competence that a role requires and a player provides. Implement it
 * (usually together with a typed interface of your own whose prerequisite is
 * [iface@Janus.Capacity]) on a GObject and register that object on the agent with
 * [method@Janus.Agent.add_capacity].
 */
struct _JanusCapacityInterface
{
  GTypeInterface g_iface;

  GVariant *(*invoke) (JanusCapacity  *self,
                       GVariant       *input,
                       GError        **error);

  /*< private >*/
  gpointer padding[8];
};

/**
 * JanusCapacitySelectionFunc:
 * @agent: the agent whose capacity is called
 * @capacity_type: (type gsize): the capacity type (a `GType`; language
 *   bindings get it as an integer)
 * @implementations: (array length=n_implementations): the agent's
 *   implementations of it, in the order they were registered
 * @n_implementations: how many there are (at least 2)
 * @user_data: the data given with the function
 *
 * Chooses which implementation a capacity call uses
 * ([method@Janus.Agent.set_capacity_selection_func]). Runs on the calling
 * thread with no janus-c lock held.
 *
 * Returns: the index of the chosen implementation
 */
typedef guint (*JanusCapacitySelectionFunc) (JanusAgent  *agent,
                                             GType        capacity_type,
                                             GObject    **implementations,
                                             guint        n_implementations,
                                             gpointer     user_data);

JANUS_AVAILABLE_IN_ALL
GVariant *janus_capacity_invoke (JanusCapacity  *self,
                                 GVariant       *input,
                                 GError        **error) G_GNUC_WARN_UNUSED_RESULT;

JANUS_AVAILABLE_IN_ALL
void      janus_agent_set_capacity_selection_func (JanusAgent                 *self,
                                                   JanusCapacitySelectionFunc  func,
                                                   gpointer                    user_data,
                                                   GDestroyNotify              destroy);

G_END_DECLS
