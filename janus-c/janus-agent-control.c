/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "janus-agent-private.h"

/* Controlling an agent from outside (Janus's Agent.pause/resume and
 * getCreator): pausing keeps an agent's mailbox and stops its steps; the
 * turns of a paused agent (janus-agent.c) only take in what arrives. These
 * are methods of JanusAgent. */

#define P(agent) janus_agent_get_private (agent)

/**
 * janus_agent_pause:
 * @self: an agent
 *
 * Pauses the agent (Janus's `pause`): once its current step is over, its
 * `live`, its roles and its timers no longer run — not even `activate`,
 * for an agent paused before its first step. What is sent to it meanwhile
 * waits in its mailbox, and its timers that fall due wait too; they are
 * all there when it resumes ([method@Janus.Agent.resume]). A paused agent
 * can still be killed: it then dies at once, its `end` running as usual;
 * [method@Janus.Agent.wake] is remembered for when it resumes. An agent
 * paused before its launch starts paused. Pausing a paused agent changes
 * nothing. MT safe.
 */
void
janus_agent_pause (JanusAgent *self)
{
  g_return_if_fail (janus_is_agent (self));

  atomic_store_explicit (&janus_agent_ensure_extra (self)->paused, TRUE, memory_order_release);
}

/**
 * janus_agent_resume:
 * @self: an agent
 *
 * Resumes a paused agent: it is stepped again at once — its due timers run,
 * then its `live`, which finds what arrived during the pause. Resuming an
 * agent that is not paused changes nothing. MT safe.
 */
void
janus_agent_resume (JanusAgent *self)
{
  JanusAgentExtra *extra;

  g_return_if_fail (janus_is_agent (self));

  extra = atomic_load_explicit (&P (self)->extra, memory_order_acquire);
  /* release: the owner that takes the RESUME request sees it unpaused */
  if (extra == NULL || !atomic_exchange_explicit (&extra->paused, FALSE, memory_order_acq_rel))
    return;
  if (janus_agent_get_state (self) != JANUS_AGENT_STATE_UNBORN
      && janus_agent_get_state (self) < JANUS_AGENT_STATE_DIED)
    janus_scheduler_request (P (self)->runtime->sched, &P (self)->run, JANUS_REQUEST_RESUME);
}

/**
 * janus_agent_is_paused:
 * @self: an agent
 *
 * Tells whether the agent is paused ([method@Janus.Agent.pause]). MT safe.
 *
 * Returns: whether the agent is paused
 */
gboolean
janus_agent_is_paused (JanusAgent *self)
{
  g_return_val_if_fail (janus_is_agent (self), FALSE);

  return janus_agent_private_paused (P (self));
}

/**
 * janus_agent_dup_creator:
 * @self: a launched agent
 *
 * Gets the address of who launched the agent (Janus's `getCreator`): the
 * agent from whose step it was launched, or the kernel's own address
 * ([method@Janus.Kernel.get_address]) for an agent launched from outside
 * any agent of the kernel. The creator may kill the agent
 * ([method@Janus.Agent.kill]). MT safe.
 *
 * Returns: (transfer full) (nullable): the creator's address, or `NULL`
 *   before the agent is launched
 */
JanusAddress *
janus_agent_dup_creator (JanusAgent *self)
{
  JanusAgentPrivate *priv;
  JanusAddress creator;

  g_return_val_if_fail (janus_is_agent (self), NULL);

  priv = P (self);
  if (janus_agent_private_state (priv) == JANUS_AGENT_STATE_UNBORN)
    return NULL;
  /* written once at launch, before the agent was published */
  janus_address_init (&creator, priv->address.kernel, priv->creator);
  return janus_address_copy (&creator);
}
