/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "janus-holonic-multi-part.h"

/**
 * JanusHolonicMultiPart:
 *
 * The role of a member shared by several super-holons, after Janus's
 * `MultiPart`: it is a [class@Janus.HolonicPart] (it performs capacities
 * the same way), played in the internal group of each super-holon the
 * member belongs to.
 *
 * Sharing is not granted automatically: a member is added as a MultiPart
 * ([method@Janus.Holon.add_member] with `JANUS_MEMBERSHIP_MULTI_PART`) only
 * if it accepts sharing ([func@Janus.Holon.set_shareable]); its memberships
 * elsewhere then become MultiPart too.
 */

G_DEFINE_TYPE (JanusHolonicMultiPart, janus_holonic_multi_part, JANUS_TYPE_HOLONIC_PART)

static void
janus_holonic_multi_part_class_init (JanusHolonicMultiPartClass *klass)
{
}

static void
janus_holonic_multi_part_init (JanusHolonicMultiPart *self)
{
}
