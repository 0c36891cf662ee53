/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined (JANUS_INSIDE) && !defined (JANUS_COMPILATION)
#error "Only <janus.h> can be included directly."
#endif

#include "janus-role.h"

G_BEGIN_DECLS

#define JANUS_TYPE_CONTRACT_NET_PARTICIPANT (janus_contract_net_participant_get_type ())

JANUS_AVAILABLE_IN_ALL
G_DECLARE_DERIVABLE_TYPE (JanusContractNetParticipant, janus_contract_net_participant,
                          JANUS, CONTRACT_NET_PARTICIPANT, JanusRole)

/**
 * JanusContractNetParticipantClass:
 * @parent_class: the parent class
 * @propose: called for each call for proposals (`cfp`) with its task;
 *   returns the bid to send in a `propose` message, or `NULL` to `refuse`.
 *   The default refuses.
 * @perform: called when the participant's proposal was accepted, with the
 *   task; returns the result sent in `inform-done` (`NULL` for a message
 *   without body), or `NULL` with @error set to answer `failure` with the
 *   error's message. The default performs nothing and returns `NULL`.
 *
 * The class of contract-net participants. Override @propose and @perform
 * (their invokers, [method@Janus.ContractNetParticipant.propose] and
 * [method@Janus.ContractNetParticipant.perform], carry the annotations); a
 * subclass that overrides the role's `live` or `end` must chain up.
 */
struct _JanusContractNetParticipantClass
{
  JanusRoleClass parent_class;

  GVariant * (*propose) (JanusContractNetParticipant  *self,
                         GVariant                     *task);
  GVariant * (*perform) (JanusContractNetParticipant  *self,
                         GVariant                     *task,
                         GError                      **error);

  /*< private >*/
  gpointer padding[8];
};

JANUS_AVAILABLE_IN_ALL
GVariant *janus_contract_net_participant_propose (JanusContractNetParticipant  *self,
                                                  GVariant                     *task) G_GNUC_WARN_UNUSED_RESULT;
JANUS_AVAILABLE_IN_ALL
GVariant *janus_contract_net_participant_perform (JanusContractNetParticipant  *self,
                                                  GVariant                     *task,
                                                  GError                      **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
