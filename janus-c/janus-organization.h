/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined (JANUS_INSIDE) && !defined (JANUS_COMPILATION)
#error "Only <janus.h> can be included directly."
#endif

#include "janus-types.h"

G_BEGIN_DECLS

JANUS_AVAILABLE_IN_ALL
G_DECLARE_DERIVABLE_TYPE (JanusOrganization, janus_organization, JANUS, ORGANIZATION, GObject)

/**
 * JanusOrganizationClass:
 * @parent_class: the parent class
 *
 * The class of organizations. An organization class lists its role types
 * with [method@Janus.OrganizationClass.add_role] in its `class_init`;
 * subclasses inherit the list and may extend it.
 */
struct _JanusOrganizationClass
{
  GObjectClass parent_class;

  /*< private >*/
  gpointer roles;
  gpointer padding[8];
};

JANUS_AVAILABLE_IN_ALL
void          janus_organization_class_add_role        (JanusOrganizationClass *klass,
                                                        GType                   role_type,
                                                        guint                   max_players);
JANUS_AVAILABLE_IN_ALL
void          janus_organization_type_add_role         (GType                   organization_type,
                                                        GType                   role_type,
                                                        guint                   max_players);

JANUS_AVAILABLE_IN_ALL
JanusKernel  *janus_organization_get_kernel            (JanusOrganization      *self);
JANUS_AVAILABLE_IN_ALL
GType        *janus_organization_list_role_types       (JanusOrganization      *self,
                                                        guint                  *n_types) G_GNUC_WARN_UNUSED_RESULT;
JANUS_AVAILABLE_IN_ALL
gboolean      janus_organization_lists_role            (JanusOrganization      *self,
                                                        GType                   role_type);
JANUS_AVAILABLE_IN_ALL
guint         janus_organization_get_max_players       (JanusOrganization      *self,
                                                        GType                   role_type);
JANUS_AVAILABLE_IN_ALL
GPtrArray    *janus_organization_list_groups           (JanusOrganization      *self) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
