/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The message subjects of the FIPA contract-net protocol, shared by
 * janus-contract-net-initiator.c and janus-contract-net-participant.c (the
 * class docs of JanusContractNetOrganization list them for users). */
#define JANUS_CONTRACT_NET_CFP             "cfp"
#define JANUS_CONTRACT_NET_PROPOSE         "propose"
#define JANUS_CONTRACT_NET_REFUSE          "refuse"
#define JANUS_CONTRACT_NET_ACCEPT_PROPOSAL "accept-proposal"
#define JANUS_CONTRACT_NET_REJECT_PROPOSAL "reject-proposal"
#define JANUS_CONTRACT_NET_INFORM_DONE     "inform-done"
#define JANUS_CONTRACT_NET_FAILURE         "failure"
