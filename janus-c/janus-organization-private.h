/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "janus-organization.h"

G_BEGIN_DECLS

JanusOrganization *janus_organization_new_for_kernel (GType              type,
                                                      JanusKernel       *kernel);
GType              janus_organization_listed_role    (JanusOrganization *self,
                                                      GType              role_type,
                                                      guint             *max_players);
void               janus_organization_remove_group   (JanusOrganization *self,
                                                      JanusGroup        *group);
JanusGroup        *janus_organization_first_group    (JanusOrganization *self);

G_END_DECLS
