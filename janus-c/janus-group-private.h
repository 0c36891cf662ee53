/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "janus-group.h"

G_BEGIN_DECLS

/* An immutable copy of a group's roles, in the order they were taken, that
 * senders read without a lock (inside an epoch critical section). A change
 * of membership publishes a new one and retires the old one through the
 * epoch collector, together with the group's references on removed roles. */
typedef struct
{
  guint       n;
  JanusAgent **players;         /* [i]: the player of roles[i] */
  guint      *before;            /* [i]: the index of the previous role of
                                 * roles[i]'s player, or G_MAXUINT; so an
                                 * agent playing several roles is found
                                 * without a quadratic search */
  JanusRole *roles[];
} JanusRoleSnapshot;

/* How the group reads the player of one of its roles (the role layer
 * installs it once, from its class_init). */
typedef JanusAgent *(*JanusGroupPlayerFunc) (JanusRole *role);

void                janus_group_install_player_func (JanusGroupPlayerFunc func);

/* What the organization of a group calls when the group may have become
 * idle (a role left; its persistence or idle time-out changed). */
typedef void (*JanusGroupIdleWatch) (JanusGroup *group);

void                janus_group_set_idle_watch  (JanusGroup          *self,
                                                 JanusGroupIdleWatch  watch);
JanusGroup         *janus_group_new             (JanusKernel       *kernel,
                                                 JanusOrganization *organization,
                                                 const char        *name,
                                                 const char        *uuid);
gint64              janus_group_idle_due        (JanusGroup        *self);
gboolean            janus_group_expire_idle     (JanusGroup        *self,
                                                 gint64             now);
gboolean            janus_group_retire          (JanusGroup        *self,
                                                 GError           **error);
guint64             janus_group_get_id          (JanusGroup        *self);
JanusRoleSnapshot  *janus_group_snapshot        (JanusGroup        *self);
gboolean            janus_group_check_join      (JanusGroup        *self,
                                                 JanusAgent        *agent,
                                                 GType              role_type,
                                                 GError           **error);
gboolean            janus_group_check_leave     (JanusGroup        *self,
                                                 JanusAgent        *agent,
                                                 GType              role_type,
                                                 GError           **error);
gboolean            janus_group_insert          (JanusGroup        *self,
                                                 JanusRole         *role,
                                                 JanusAgent        *player,
                                                 GType              listed,
                                                 guint              max,
                                                 GError           **error);
gboolean            janus_group_remove          (JanusGroup        *self,
                                                 JanusRole         *role);
void                janus_group_emit_taken      (JanusGroup        *self,
                                                 JanusRole         *role);
void                janus_group_emit_left       (JanusGroup        *self,
                                                 JanusRole         *role);
guint               janus_group_select          (JanusGroup        *self,
                                                 const JanusAddress **candidates,
                                                 guint              n);
gboolean            janus_group_release         (JanusGroup        *self);
void                janus_group_detach          (JanusGroup        *self);
JanusKernel        *janus_group_dup_kernel      (JanusGroup        *self);

G_END_DECLS
