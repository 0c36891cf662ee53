/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined (JANUS_INSIDE) && !defined (JANUS_COMPILATION)
#error "Only <janus.h> can be included directly."
#endif

#include "janus-holonic-part.h"

G_BEGIN_DECLS

#define JANUS_TYPE_HOLONIC_MULTI_PART (janus_holonic_multi_part_get_type ())

JANUS_AVAILABLE_IN_ALL
G_DECLARE_DERIVABLE_TYPE (JanusHolonicMultiPart, janus_holonic_multi_part,
                          JANUS, HOLONIC_MULTI_PART, JanusHolonicPart)

/**
 * JanusHolonicMultiPartClass:
 * @parent_class: the parent class
 *
 * The class of the MultiPart role.
 */
struct _JanusHolonicMultiPartClass
{
  JanusHolonicPartClass parent_class;

  /*< private >*/
  gpointer padding[8];
};

G_END_DECLS
