/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "janus-address.h"
#include "janus-agent.h"
#include "janus-kernel.h"

/* Finding a kernel's agents by what they are called (Janus's
 * `Kernel.getAgent (name)`). Methods of JanusKernel. */

/**
 * janus_kernel_lookup_agent_by_name:
 * @self: a kernel
 * @name: an agent name, as given at launch
 *
 * Finds a live agent of this kernel launched with @name
 * ([method@Janus.Agent.get_name]). Names need not be unique: when several
 * live agents share @name, the one launched first is returned. The search
 * walks the kernel's agents (linear in their number); keep the address
 * ([method@Janus.Kernel.lookup_agent]) for frequent lookups. MT safe.
 *
 * Returns: (transfer full) (nullable): the agent, or `NULL` if no live agent
 *   of this kernel has that name
 */
JanusAgent *
janus_kernel_lookup_agent_by_name (JanusKernel *self,
                                   const char  *name)
{
  g_autoptr(GPtrArray) agents = NULL;
  JanusAgent *found = NULL;
  guint i;

  g_return_val_if_fail (JANUS_IS_KERNEL (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  agents = janus_kernel_list_agents (self);
  /* by address: the lowest id was launched first */
  for (i = 0; i < agents->len; i++)
    {
      JanusAgent *agent = agents->pdata[i];
      const char *agent_name = janus_agent_get_name (agent);

      if (agent_name != NULL && strcmp (agent_name, name) == 0
          && janus_agent_get_state (agent) != JANUS_AGENT_STATE_DIED
          && (found == NULL
              || janus_address_get_id (janus_agent_get_address (agent))
                 < janus_address_get_id (janus_agent_get_address (found))))
        found = agent;
    }
  return found != NULL ? g_object_ref (found) : NULL;
}
