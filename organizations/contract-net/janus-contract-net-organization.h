/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined (JANUS_INSIDE) && !defined (JANUS_COMPILATION)
#error "Only <janus.h> can be included directly."
#endif

#include "janus-organization.h"

G_BEGIN_DECLS

#define JANUS_TYPE_CONTRACT_NET_ORGANIZATION (janus_contract_net_organization_get_type ())

JANUS_AVAILABLE_IN_ALL
G_DECLARE_DERIVABLE_TYPE (JanusContractNetOrganization, janus_contract_net_organization,
                          JANUS, CONTRACT_NET_ORGANIZATION, JanusOrganization)

/**
 * JanusContractNetOrganizationClass:
 * @parent_class: the parent class
 *
 * The class of contract-net organizations. A subclass may list more roles
 * in its `class_init` ([method@Janus.OrganizationClass.add_role]); it
 * inherits the initiator and participant roles.
 */
struct _JanusContractNetOrganizationClass
{
  JanusOrganizationClass parent_class;

  /*< private >*/
  gpointer padding[8];
};

G_END_DECLS
