/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined (JANUS_INSIDE) && !defined (JANUS_COMPILATION)
#error "Only <janus.h> can be included directly."
#endif

#include "janus-role.h"

G_BEGIN_DECLS

#define JANUS_TYPE_HOLONIC_HEAD (janus_holonic_head_get_type ())

JANUS_AVAILABLE_IN_ALL
G_DECLARE_DERIVABLE_TYPE (JanusHolonicHead, janus_holonic_head,
                          JANUS, HOLONIC_HEAD, JanusRole)

/**
 * JanusHolonicHeadClass:
 * @parent_class: the parent class
 * @select_provider: chooses which of @candidates — members offering the
 *   capacity, in joining order — performs a capacity the super-holon was
 *   asked for; returns an index below the number of candidates. Runs in the head's
 *   step. The default uses the holon's provider function
 *   ([method@Janus.Holon.set_provider_func]) if it has one, otherwise the
 *   selection policy of the internal group ([enum@Janus.SelectionPolicy]).
 *
 * The class of the Head role. A subclass, named by
 * [property@Janus.Holon:head-role-type], gives the head its behaviour: its
 * `live` reads what was sent to the super-holon (it lands in this role's
 * mailbox) and decides.
 */
struct _JanusHolonicHeadClass
{
  JanusRoleClass parent_class;

  guint (*select_provider) (JanusHolonicHead  *self,
                            GType              capacity_type,
                            GPtrArray         *candidates);

  /*< private >*/
  gpointer padding[8];
};

JANUS_AVAILABLE_IN_ALL
guint   janus_holonic_head_select_provider  (JanusHolonicHead  *self,
                                             GType              capacity_type,
                                             GPtrArray         *candidates);

G_END_DECLS
