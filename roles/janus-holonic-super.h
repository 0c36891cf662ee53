/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined (JANUS_INSIDE) && !defined (JANUS_COMPILATION)
#error "Only <janus.h> can be included directly."
#endif

#include "janus-role.h"

G_BEGIN_DECLS

#define JANUS_TYPE_HOLONIC_SUPER (janus_holonic_super_get_type ())

JANUS_AVAILABLE_IN_ALL
G_DECLARE_DERIVABLE_TYPE (JanusHolonicSuper, janus_holonic_super,
                          JANUS, HOLONIC_SUPER, JanusRole)

/**
 * JanusHolonicSuperClass:
 * @parent_class: the parent class
 *
 * The class of the Super role. A holon plays the Super role of the class
 * given by [property@Janus.Holon:super-role-type]; a subclass gives it
 * behaviour through the usual role virtual functions.
 */
struct _JanusHolonicSuperClass
{
  JanusRoleClass parent_class;

  /*< private >*/
  gpointer padding[8];
};

G_END_DECLS
