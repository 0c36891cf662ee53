/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined (JANUS_INSIDE) && !defined (JANUS_COMPILATION)
#error "Only <janus.h> can be included directly."
#endif

#include "janus-types.h"

G_BEGIN_DECLS

JANUS_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (JanusGroup, janus_group, JANUS, GROUP, GObject)

/**
 * JanusSelectionFunc:
 * @group: the group
 * @candidates: (array length=n_candidates): the addresses of the candidate
 *   players, in the order they took the role
 * @n_candidates: how many there are (at least 1)
 * @user_data: the data given with the function
 *
 * Chooses the receiver of a role message among the players of the receiving
 * role (the sender excluded). Runs on the sending agent's thread with no
 * janus-c lock held.
 *
 * Returns: the index of the chosen candidate, below @n_candidates
 */
typedef guint (*JanusSelectionFunc) (JanusGroup          *group,
                                     const JanusAddress **candidates,
                                     guint                n_candidates,
                                     gpointer             user_data);

JANUS_AVAILABLE_IN_ALL
const char          *janus_group_get_uuid              (JanusGroup          *self);
JANUS_AVAILABLE_IN_ALL
const char          *janus_group_get_name              (JanusGroup          *self);
JANUS_AVAILABLE_IN_ALL
gint64               janus_group_get_idle_timeout      (JanusGroup          *self);
JANUS_AVAILABLE_IN_ALL
void                 janus_group_set_idle_timeout      (JanusGroup          *self,
                                                        gint64               timeout);
JANUS_AVAILABLE_IN_ALL
JanusOrganization   *janus_group_get_organization      (JanusGroup          *self);
JANUS_AVAILABLE_IN_ALL
JanusKernel         *janus_group_get_kernel            (JanusGroup          *self);
JANUS_AVAILABLE_IN_ALL
gboolean             janus_group_is_alive              (JanusGroup          *self);
JANUS_AVAILABLE_IN_ALL
gboolean             janus_group_get_persistent        (JanusGroup          *self);
JANUS_AVAILABLE_IN_ALL
void                 janus_group_set_persistent        (JanusGroup          *self,
                                                        gboolean             persistent);

JANUS_AVAILABLE_IN_ALL
void                 janus_group_set_membership_policy (JanusGroup          *self,
                                                        JanusCondition      *policy);
JANUS_AVAILABLE_IN_ALL
void                 janus_group_add_obtain_condition  (JanusGroup          *self,
                                                        JanusCondition      *condition);
JANUS_AVAILABLE_IN_ALL
void                 janus_group_add_leave_condition   (JanusGroup          *self,
                                                        JanusCondition      *condition);

JANUS_AVAILABLE_IN_ALL
JanusCondition      *janus_group_get_membership_policy (JanusGroup          *self) G_GNUC_WARN_UNUSED_RESULT;
JANUS_AVAILABLE_IN_ALL
GPtrArray           *janus_group_list_obtain_conditions (JanusGroup         *self) G_GNUC_WARN_UNUSED_RESULT;
JANUS_AVAILABLE_IN_ALL
GPtrArray           *janus_group_list_leave_conditions (JanusGroup          *self) G_GNUC_WARN_UNUSED_RESULT;
JANUS_AVAILABLE_IN_ALL
gboolean             janus_group_remove_obtain_condition (JanusGroup        *self,
                                                          JanusCondition    *condition);
JANUS_AVAILABLE_IN_ALL
gboolean             janus_group_remove_leave_condition (JanusGroup         *self,
                                                         JanusCondition     *condition);

JANUS_AVAILABLE_IN_ALL
JanusSelectionPolicy janus_group_get_selection_policy  (JanusGroup          *self);
JANUS_AVAILABLE_IN_ALL
void                 janus_group_set_selection_policy  (JanusGroup          *self,
                                                        JanusSelectionPolicy policy);
JANUS_AVAILABLE_IN_ALL
void                 janus_group_set_selection_func    (JanusGroup          *self,
                                                        JanusSelectionFunc   func,
                                                        gpointer             user_data,
                                                        GDestroyNotify       destroy);

JANUS_AVAILABLE_IN_ALL
guint                janus_group_count_players         (JanusGroup          *self,
                                                        GType                role_type);
JANUS_AVAILABLE_IN_ALL
GPtrArray           *janus_group_list_players          (JanusGroup          *self,
                                                        GType                role_type) G_GNUC_WARN_UNUSED_RESULT;
JANUS_AVAILABLE_IN_ALL
GPtrArray           *janus_group_list_roles            (JanusGroup          *self) G_GNUC_WARN_UNUSED_RESULT;
JANUS_AVAILABLE_IN_ALL
gboolean             janus_group_has_member            (JanusGroup          *self,
                                                        JanusAgent          *agent);

G_END_DECLS
