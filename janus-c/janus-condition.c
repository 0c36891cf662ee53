/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "janus-agent.h"
#include "janus-condition.h"
#include "janus-kernel.h"

/**
 * JanusCondition:
 *
 * A rule that decides whether an agent may obtain (or leave) a role in a
 * group, or join a group at all.
 *
 * Conditions are attached to groups ([method@Janus.Group.add_obtain_condition],
 * [method@Janus.Group.add_leave_condition],
 * [method@Janus.Group.set_membership_policy]) and to role classes
 * ([method@Janus.RoleClass.add_obtain_condition],
 * [method@Janus.RoleClass.add_leave_condition]). When one refuses,
 * [method@Janus.Agent.request_role] or [method@Janus.Agent.leave_role] fails
 * with `JANUS_ORGANIZATION_ERROR_CONDITION_FAILED` (`JANUS_ORGANIZATION_ERROR_NOT_A_MEMBER` for a
 * membership policy), and the error message quotes the condition's
 * description.
 *
 * ```c
 * static gboolean
 * only_sellers (JanusAgent *agent, JanusGroup *group, GType role, gpointer data)
 * {
 *   return MY_IS_SELLER (agent);
 * }
 *
 * janus_group_set_membership_policy (group,
 *     janus_condition_new ("sellers only", only_sellers, NULL, NULL));
 * ```
 *
 * Conditions are evaluated on the asking agent's thread with no janus-c
 * lock held, and are immutable: one condition may be shared.
 */

struct _JanusCondition
{
  GObject             parent_instance;

  char               *description;
  JanusConditionFunc  func;
  gpointer            user_data;
  GDestroyNotify      destroy;
  gint64              not_before;
  gint64              not_after;
};

G_DEFINE_FINAL_TYPE (JanusCondition, janus_condition, G_TYPE_OBJECT)

/**
 * janus_condition_new:
 * @description: what the condition checks, for error messages
 * @func: (scope notified) (closure user_data) (destroy destroy): decides
 * @user_data: (nullable): data for @func
 * @destroy: (nullable): frees @user_data with the condition
 *
 * Makes a condition from a function.
 *
 * Returns: (transfer full): a new condition
 */
JanusCondition *
janus_condition_new (const char         *description,
                     JanusConditionFunc  func,
                     gpointer            user_data,
                     GDestroyNotify      destroy)
{
  JanusCondition *self;

  g_return_val_if_fail (description != NULL, NULL);
  g_return_val_if_fail (func != NULL, NULL);

  self = g_object_new (JANUS_TYPE_CONDITION, NULL);
  self->description = g_strdup (description);
  self->func = func;
  self->user_data = user_data;
  self->destroy = destroy;
  return self;
}

static gboolean
within_time_window (JanusAgent *agent,
                    JanusGroup *group,
                    GType       role_type,
                    gpointer    user_data)
{
  JanusCondition *self = user_data;
  JanusKernel *kernel = agent ? janus_agent_get_kernel (agent) : NULL;
  gint64 now;

  /* the agent's kernel: the group's, whenever an agent takes or leaves a
   * role; an agent not launched has no time */
  if (kernel == NULL)
    return FALSE;
  now = janus_kernel_get_time (kernel);
  return now >= self->not_before && now <= self->not_after;
}

/**
 * janus_condition_new_time_window:
 * @not_before: the earliest time allowed, in microseconds of the kernel's
 *   clock ([method@Janus.Kernel.get_time]); `G_MININT64` for no limit
 * @not_after: the latest time allowed; `G_MAXINT64` for no limit
 *
 * Makes a condition that holds only while the group's kernel's time is
 * within [@not_before, @not_after].
 *
 * Returns: (transfer full): a new condition
 */
JanusCondition *
janus_condition_new_time_window (gint64 not_before,
                                 gint64 not_after)
{
  JanusCondition *self;

  g_return_val_if_fail (not_before <= not_after, NULL);

  self = g_object_new (JANUS_TYPE_CONDITION, NULL);
  self->description = g_strdup_printf ("time within [%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT "] µs",
                                       not_before, not_after);
  self->func = within_time_window;
  self->user_data = self;
  self->not_before = not_before;
  self->not_after = not_after;
  return self;
}

/**
 * janus_condition_get_description:
 * @self: a condition
 *
 * Gets what the condition checks.
 *
 * Returns: the description
 */
const char *
janus_condition_get_description (JanusCondition *self)
{
  g_return_val_if_fail (JANUS_IS_CONDITION (self), NULL);

  return self->description;
}

/**
 * janus_condition_evaluate:
 * @self: a condition
 * @agent: the agent
 * @group: the group
 * @role_type: the role type
 *
 * Evaluates the condition for @agent taking or leaving a role of type
 * @role_type in @group.
 *
 * Returns: whether the condition holds
 */
gboolean
janus_condition_evaluate (JanusCondition *self,
                          JanusAgent     *agent,
                          JanusGroup     *group,
                          GType           role_type)
{
  g_return_val_if_fail (JANUS_IS_CONDITION (self), FALSE);
  g_return_val_if_fail (G_TYPE_CHECK_INSTANCE_TYPE (group, JANUS_TYPE_GROUP), FALSE);

  return self->func (agent, group, role_type, self->user_data) != FALSE;
}

static void
janus_condition_finalize (GObject *object)
{
  JanusCondition *self = JANUS_CONDITION (object);

  if (self->destroy != NULL)
    self->destroy (self->user_data);
  g_free (self->description);

  G_OBJECT_CLASS (janus_condition_parent_class)->finalize (object);
}

static void
janus_condition_class_init (JanusConditionClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = janus_condition_finalize;
}

static void
janus_condition_init (JanusCondition *self)
{
}
