/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined (JANUS_INSIDE) && !defined (JANUS_COMPILATION)
#error "Only <janus.h> can be included directly."
#endif

#include "janus-role.h"

G_BEGIN_DECLS

#define JANUS_TYPE_HOLONIC_PART (janus_holonic_part_get_type ())

JANUS_AVAILABLE_IN_ALL
G_DECLARE_DERIVABLE_TYPE (JanusHolonicPart, janus_holonic_part,
                          JANUS, HOLONIC_PART, JanusRole)

/**
 * JanusHolonicPartClass:
 * @parent_class: the parent class
 * @perform: performs a capacity its super-holon was asked for and its head
 *   chose this member for; returns the result (a new or floating
 *   reference, `NULL` for none) or `NULL` with @error set. Runs in the
 *   member's step. The default invokes the member's own provider of the
 *   capacity ([method@Janus.Role.invoke_capacity]).
 *
 * The class of the Part role. A subclass, named by
 * [property@Janus.Holon:part-role-type], may change how members perform
 * what their super-holon is asked.
 */
struct _JanusHolonicPartClass
{
  JanusRoleClass parent_class;

  GVariant * (*perform) (JanusHolonicPart  *self,
                         GType              capacity_type,
                         GVariant          *input,
                         GError           **error);

  /*< private >*/
  gpointer padding[8];
};

JANUS_AVAILABLE_IN_ALL
GVariant   *janus_holonic_part_perform   (JanusHolonicPart  *self,
                                          GType              capacity_type,
                                          GVariant          *input,
                                          GError           **error);

G_END_DECLS
