/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined (JANUS_INSIDE) && !defined (JANUS_COMPILATION)
#error "Only <janus.h> can be included directly."
#endif

#include "janus-types.h"

G_BEGIN_DECLS

JANUS_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (JanusCondition, janus_condition, JANUS, CONDITION, GObject)

/**
 * JanusConditionFunc:
 * @agent: the agent asking to obtain or leave a role, or to join a group
 * @group: the group
 * @role_type: (type gsize): the role type concerned (a `GType`; language
 *   bindings get it as an integer)
 * @user_data: the data given with the function
 *
 * Decides whether @agent may obtain (or leave) a role of type @role_type in
 * @group. Runs on the asking agent's thread, with no janus-c lock held.
 *
 * Returns: `TRUE` to allow, `FALSE` to refuse
 */
typedef gboolean (*JanusConditionFunc) (JanusAgent *agent,
                                        JanusGroup *group,
                                        GType       role_type,
                                        gpointer    user_data);

JANUS_AVAILABLE_IN_ALL
JanusCondition *janus_condition_new             (const char         *description,
                                                 JanusConditionFunc  func,
                                                 gpointer            user_data,
                                                 GDestroyNotify      destroy) G_GNUC_WARN_UNUSED_RESULT;
JANUS_AVAILABLE_IN_ALL
JanusCondition *janus_condition_new_time_window (gint64              not_before,
                                                 gint64              not_after) G_GNUC_WARN_UNUSED_RESULT;
JANUS_AVAILABLE_IN_ALL
const char     *janus_condition_get_description (JanusCondition     *self);
JANUS_AVAILABLE_IN_ALL
gboolean        janus_condition_evaluate        (JanusCondition     *self,
                                                 JanusAgent         *agent,
                                                 JanusGroup         *group,
                                                 GType               role_type);

G_END_DECLS
