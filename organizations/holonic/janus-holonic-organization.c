/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "janus-holonic-organization.h"
#include "janus-holonic-head.h"
#include "janus-holonic-multi-part.h"
#include "janus-holonic-part.h"
#include "janus-holonic-super.h"

/**
 * JanusHolonicOrganization:
 *
 * The organization inside every composed holon, after Janus's
 * `HolonicOrganization`: each super-holon ([class@Janus.Holon] with members)
 * has one group of it — its internal group, made when its first member
 * joins — in which it and its members play four roles:
 *
 * | role | played by | limit |
 * |---|---|---|
 * | [class@Janus.HolonicSuper] | the super-holon itself: its voice toward its members | 1 |
 * | [class@Janus.HolonicHead] | the member(s) that represent the holon, decide and dispatch | any |
 * | [class@Janus.HolonicPart] | every member | any |
 * | [class@Janus.HolonicMultiPart] | a member shared with other super-holons (a Part too) | any |
 *
 * Nobody requests these roles directly: the holon manages them as its
 * membership changes ([method@Janus.Holon.add_member],
 * [method@Janus.Holon.set_head], …), and each agent takes or leaves its
 * roles in its own next step. A holonic role cannot be left with
 * [method@Janus.Agent.leave_role] while the holon still wants it played
 * (`JANUS_ORGANIZATION_ERROR_CONDITION_FAILED`): leave a holon with
 * [method@Janus.Holon.remove_member].
 *
 * Members talk inside the group like any role players: a Part sends to the
 * Super role to reach its super-holon, to Part or Head to reach its
 * siblings ([method@Janus.Holon.send_to_super],
 * [method@Janus.Holon.send_to_members]).
 */

struct _JanusHolonicOrganization
{
  JanusOrganization parent_instance;
};

G_DEFINE_FINAL_TYPE (JanusHolonicOrganization, janus_holonic_organization,
                     JANUS_TYPE_ORGANIZATION)

static void
janus_holonic_organization_class_init (JanusHolonicOrganizationClass *klass)
{
  JanusOrganizationClass *org_class = JANUS_ORGANIZATION_CLASS (klass);

  janus_organization_class_add_role (org_class, JANUS_TYPE_HOLONIC_SUPER, 1);
  janus_organization_class_add_role (org_class, JANUS_TYPE_HOLONIC_HEAD, 0);
  janus_organization_class_add_role (org_class, JANUS_TYPE_HOLONIC_PART, 0);
  janus_organization_class_add_role (org_class, JANUS_TYPE_HOLONIC_MULTI_PART, 0);
}

static void
janus_holonic_organization_init (JanusHolonicOrganization *self)
{
}
