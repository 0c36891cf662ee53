/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "janus-role.h"

G_BEGIN_DECLS

/* What the holonic roles (Super, Head, Part, MultiPart) share. They are
 * managed by the holon (janus-holon.c), a module above them, which they
 * reach only through the functions it installs once, in its class_init,
 * before any holon exists (a lower module never calls a higher one by
 * name). */
typedef struct
{
  /* whether the holarchy still wants @agent to play @role_type in @group
   * (it may then not leave it by hand) */
  gboolean (*wanted)          (JanusAgent *agent,
                               JanusGroup *group,
                               GType       role_type);
  /* whether @agent may obtain @role_type in @group: in a holon's internal
   * group, only what the holarchy wants it to play */
  gboolean (*may_obtain)      (JanusAgent *agent,
                               JanusGroup *group,
                               GType       role_type);
  /* a Head's default choice among @candidates (JanusAgent) of the member
   * that performs @capacity_type */
  guint    (*select_provider) (JanusGroup *group,
                               GType       capacity_type,
                               GPtrArray  *candidates);
} JanusHolonicFuncs;

void     janus_holonic_set_funcs        (const JanusHolonicFuncs *funcs);
void     janus_holonic_role_class_init  (JanusRoleClass          *klass);
guint    janus_holonic_select_provider  (JanusGroup              *group,
                                         GType                    capacity_type,
                                         GPtrArray               *candidates);

G_END_DECLS
