/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined (JANUS_INSIDE) && !defined (JANUS_COMPILATION)
#error "Only <janus.h> can be included directly."
#endif

#include "janus-organization.h"

G_BEGIN_DECLS

#define JANUS_TYPE_HOLONIC_ORGANIZATION (janus_holonic_organization_get_type ())

JANUS_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (JanusHolonicOrganization, janus_holonic_organization,
                      JANUS, HOLONIC_ORGANIZATION, JanusOrganization)

G_END_DECLS
