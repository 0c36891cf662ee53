/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "janus-contract-net-organization.h"
#include "janus-contract-net-initiator.h"
#include "janus-contract-net-participant.h"

/**
 * JanusContractNetOrganization:
 *
 * The organization of the FIPA contract-net protocol: one
 * [class@Janus.ContractNetInitiator] per group (the manager that calls for
 * proposals and awards the task) and any number of
 * [class@Janus.ContractNetParticipant]s (the contractors that bid and
 * perform). Subclasses of either role are accepted in its groups, and the
 * initiator's cardinality counts them all.
 *
 * A call runs as messages between the two roles, in the player agents'
 * steps:
 *
 * 1. the initiator sends `cfp` (body: the task) to every participant;
 * 2. each participant answers `propose` (body: its bid) or `refuse`;
 * 3. once everyone answered, the initiator sends `accept-proposal` (body:
 *    the task) to the proposal it selected and `reject-proposal` to the
 *    other proposers;
 * 4. the winner performs the task and answers `inform-done` (body: the
 *    result) or `failure` (body: the reason, a string).
 *
 * ```c
 * g_autoptr(JanusGroup) group =
 *   janus_kernel_create_group (kernel, JANUS_TYPE_CONTRACT_NET_ORGANIZATION, &error);
 *
 * // in the sellers' steps:
 * janus_agent_request_role (seller, MY_TYPE_SELLER_ROLE, group, NULL, &error);
 * // in the buyer's step:
 * JanusRole *buyer = janus_agent_request_role (agent, JANUS_TYPE_CONTRACT_NET_INITIATOR,
 *                                              group, NULL, &error);
 * g_signal_connect (buyer, "finished", G_CALLBACK (on_finished), NULL);
 * janus_contract_net_initiator_call_for_proposals (JANUS_CONTRACT_NET_INITIATOR (buyer),
 *                                                  g_variant_new ("(si)", "apple", 3),
 *                                                  &error);
 * ```
 */

G_DEFINE_TYPE (JanusContractNetOrganization, janus_contract_net_organization,
               JANUS_TYPE_ORGANIZATION)

static void
janus_contract_net_organization_class_init (JanusContractNetOrganizationClass *klass)
{
  JanusOrganizationClass *org_class = JANUS_ORGANIZATION_CLASS (klass);

  janus_organization_class_add_role (org_class, JANUS_TYPE_CONTRACT_NET_INITIATOR, 1);
  janus_organization_class_add_role (org_class, JANUS_TYPE_CONTRACT_NET_PARTICIPANT, 0);
}

static void
janus_contract_net_organization_init (JanusContractNetOrganization *self)
{
}
