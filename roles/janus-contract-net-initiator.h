/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined (JANUS_INSIDE) && !defined (JANUS_COMPILATION)
#error "Only <janus.h> can be included directly."
#endif

#include "janus-role.h"

G_BEGIN_DECLS

/**
 * JanusContractNetState:
 * @JANUS_CONTRACT_NET_STATE_IDLE: no call is open: the initiator accepts
 *   [method@Janus.ContractNetInitiator.call_for_proposals]. The state before
 *   the first call and after each [signal@Janus.ContractNetInitiator::finished].
 * @JANUS_CONTRACT_NET_STATE_COLLECTING: a call is open and some asked
 *   participants have neither proposed nor refused yet (nor left).
 * @JANUS_CONTRACT_NET_STATE_AWARDED: every asked participant answered, a
 *   proposal was accepted, and the initiator waits for the winner's
 *   `inform-done` or `failure`.
 *
 * Where a [class@Janus.ContractNetInitiator] is in its current call. The
 * states go IDLE → COLLECTING → (AWARDED →) IDLE, one call at a time; a
 * call with no acceptable proposal goes from COLLECTING straight back to
 * IDLE.
 */
typedef enum {
  JANUS_CONTRACT_NET_STATE_IDLE,
  JANUS_CONTRACT_NET_STATE_COLLECTING,
  JANUS_CONTRACT_NET_STATE_AWARDED,
} JanusContractNetState;

#define JANUS_TYPE_CONTRACT_NET_STATE (janus_contract_net_state_get_type ())

JANUS_AVAILABLE_IN_ALL
GType janus_contract_net_state_get_type (void) G_GNUC_CONST;

#define JANUS_TYPE_CONTRACT_NET_INITIATOR (janus_contract_net_initiator_get_type ())

JANUS_AVAILABLE_IN_ALL
G_DECLARE_DERIVABLE_TYPE (JanusContractNetInitiator, janus_contract_net_initiator,
                          JANUS, CONTRACT_NET_INITIATOR, JanusRole)

/**
 * JanusContractNetInitiatorClass:
 * @parent_class: the parent class
 * @select_proposal: chooses the winning proposal once every asked
 *   participant answered; see [method@Janus.ContractNetInitiator.select_proposal].
 *   The default takes the smallest numeric bid.
 * @finished: the class closure of [signal@Janus.ContractNetInitiator::finished].
 *
 * The class of contract-net initiators. A subclass that overrides the
 * role's `live` or `end` must chain up.
 */
struct _JanusContractNetInitiatorClass
{
  JanusRoleClass parent_class;

  guint (*select_proposal) (JanusContractNetInitiator *self,
                            GPtrArray                 *proposals);
  void  (*finished)        (JanusContractNetInitiator *self,
                            gboolean                   success,
                            GVariant                  *result,
                            const JanusAddress        *winner);

  /*< private >*/
  gpointer padding[8];
};

JANUS_AVAILABLE_IN_ALL
gboolean              janus_contract_net_initiator_call_for_proposals (JanusContractNetInitiator  *self,
                                                                       GVariant                   *task,
                                                                       GError                    **error);
JANUS_AVAILABLE_IN_ALL
guint                 janus_contract_net_initiator_select_proposal    (JanusContractNetInitiator  *self,
                                                                       GPtrArray                  *proposals);
JANUS_AVAILABLE_IN_ALL
JanusContractNetState janus_contract_net_initiator_get_state          (JanusContractNetInitiator  *self);
JANUS_AVAILABLE_IN_ALL
guint                 janus_contract_net_initiator_get_n_asked        (JanusContractNetInitiator  *self);
JANUS_AVAILABLE_IN_ALL
guint                 janus_contract_net_initiator_get_n_proposals    (JanusContractNetInitiator  *self);
JANUS_AVAILABLE_IN_ALL
guint                 janus_contract_net_initiator_get_n_refusals     (JanusContractNetInitiator  *self);

G_END_DECLS
