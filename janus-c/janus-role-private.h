/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdatomic.h>

#include "janus-role.h"
#include "janus-address-private.h"
#include "janus-runtime-private.h"

G_BEGIN_DECLS

/* JanusRole's fields: player and group are set before the role is
 * published in its group and never change (snapshot readers use them
 * lock-free); the rest belongs to the player's step. */
typedef struct
{
  /* janus-role.c's */
  JanusAgent *player;           /* borrowed: a player outlives its roles' play */
  JanusAddress player_address;  /* for senders that may outlive the player */
  JanusGroup *group;            /* strong */
  guint64     serial;           /* unique in the process: posts target it */
  atomic_bool played;           /* read by other threads (janus_role_post) */
  guint8      leaving;          /* role-left is being emitted */
  /* janus-agent-roles.c's (the player's step) */
  guint8      activating;       /* its activate runs */
  guint8      left;             /* its leave began: it is never left twice */
  /* the activator's (janus-agent-roles.c) */
  guint8      fresh;            /* activated, not stepped yet */
  guint8      wants_again;      /* its last live returned AGAIN */
  guint8      has_new;          /* a message for it arrived since its last step */
} JanusRolePrivate;

/* with the 24-byte GObject header, a role is 80 bytes (GSlice) */
G_STATIC_ASSERT (sizeof (JanusRolePrivate) <= 56);

JanusRolePrivate *janus_role_get_private        (JanusRole  *self);
JanusRole        *janus_role_new_for            (GType       role_type,
                                                 JanusAgent *player,
                                                 JanusGroup *group);
void              janus_role_set_played         (JanusRole  *self,
                                                 gboolean    played);
void              janus_role_set_leaving        (JanusRole  *self,
                                                 gboolean    leaving);
gboolean          janus_role_check_capacities   (GType       role_type,
                                                 JanusAgent *agent,
                                                 JanusGroup *group,
                                                 GError    **error);
gboolean          janus_role_check_conditions   (GType       role_type,
                                                 JanusAgent *agent,
                                                 JanusGroup *group,
                                                 gboolean    leaving,
                                                 GError    **error);
gboolean          janus_role_accepts            (JanusRole    *self,
                                                 JanusMessage *message);
gboolean          janus_role_route_one          (JanusAgent          *player,
                                                 JanusGroup          *group,
                                                 GType                sender_role,
                                                 GType                receiver_role,
                                                 const JanusAddress  *only,
                                                 JanusMessage        *message,
                                                 JanusAddress       **out_receiver,
                                                 GError             **error);

G_END_DECLS
