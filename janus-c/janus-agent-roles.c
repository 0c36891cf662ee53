/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "janus-agent-private.h"
#include "janus-error.h"
#include "janus-group-private.h"
#include "janus-kernel-private.h"
#include "janus-organization-private.h"
#include "janus-role-private.h"

/* The agent's role playing (CRIO layer): taking and leaving roles, the
 * roles an agent plays, and Janus's activator — the agent's default `live`,
 * which steps each role that has something to do. The agent layer knows
 * none of this: it calls the functions installed here (JanusAgentRoleFuncs)
 * for its default live, for the letters that arrive for roles, and at its
 * death. The public functions are methods of JanusAgent (janus-agent.h). */

static JanusAgentExtra *
peek_extra (JanusAgent *self)
{
  return atomic_load_explicit (&janus_agent_get_private (self)->extra, memory_order_acquire);
}

static void leave_all_roles (JanusAgent   *self);
static void mark_roles      (JanusAgent   *self,
                             JanusMessage *head);
static JanusLive activator_live (JanusAgent *self);

static const JanusAgentRoleFuncs role_funcs = {
  activator_live,
  leave_all_roles,
  mark_roles,
};

static void
install (void)
{
  static gsize done;

  if (g_once_init_enter (&done))
    {
      janus_agent_set_role_funcs (&role_funcs);
      g_once_init_leave (&done, 1);
    }
}


/* ---------------------------------------------- the agent's list of roles */

/* Appends @role (a reference is taken). One role is kept inline; two and
 * more in an array that doubles when full (its size is a power of two). */
static void
role_list_add (JanusAgentExtra *extra,
               JanusRole       *role)
{
  guint n = extra->n_roles;

  if (n == 1)
    {
      JanusRole **items = g_new (JanusRole *, 2);

      items[0] = extra->roles;
      extra->roles = items;
    }
  else if (n > 1 && (n & (n - 1)) == 0)
    extra->roles = g_renew (JanusRole *, extra->roles, 2 * n);
  extra->n_roles = n + 1;
  janus_agent_roles (extra)[n] = g_object_ref (role);
}

/* Takes @role out, keeping the others' order, and drops the list's
 * reference. */
static void
role_list_remove (JanusAgentExtra *extra,
                  JanusRole       *role)
{
  JanusRole **items = janus_agent_roles (extra);
  guint i;

  for (i = extra->n_roles; i > 0; i--)
    if (items[i - 1] == role)
      break;
  if (i-- == 0)
    return;
  memmove (&items[i], &items[i + 1], (extra->n_roles - i - 1) * sizeof (JanusRole *));
  if (--extra->n_roles == 1)
    {
      /* back inline */
      JanusRole *only = items[0];

      g_free (items);
      extra->roles = only;
    }
  else if (extra->n_roles == 0)
    extra->roles = NULL;
  g_object_unref (role);
}

/* The role of exactly @role_type (else the first of a subtype) @self plays
 * in @group. */
static JanusRole *
find_role (JanusAgent *self,
           GType       role_type,
           JanusGroup *group)
{
  JanusAgentExtra *extra = peek_extra (self);
  JanusRole *conforming = NULL;
  JanusRole **items;
  guint i;

  if (extra == NULL)
    return NULL;
  items = janus_agent_roles (extra);
  for (i = 0; i < extra->n_roles; i++)
    {
      JanusRole *r = items[i];
      if (janus_role_get_group (r) != group)
        continue;
      if (G_OBJECT_TYPE (r) == role_type)
        return r;
      if (conforming == NULL && g_type_is_a (G_OBJECT_TYPE (r), role_type))
        conforming = r;
    }
  return conforming;
}

static gboolean
check_role_caller (JanusAgent  *self,
                   JanusGroup  *group,
                   GError     **error)
{
  JanusAgentState state = janus_agent_get_state (self);
  JanusKernel *group_kernel;

  if (state == JANUS_AGENT_STATE_UNBORN)
    {
      g_autofree char *who = janus_agent_describe (self);
      g_set_error (error, JANUS_KERNEL_ERROR, JANUS_KERNEL_ERROR_NOT_LAUNCHED,
                   "The %s cannot play roles: it is not launched", who);
      return FALSE;
    }
  if (state >= JANUS_AGENT_STATE_DYING)
    {
      g_autofree char *who = janus_agent_describe (self);
      g_set_error (error, JANUS_KERNEL_ERROR, JANUS_KERNEL_ERROR_AGENT_DEAD,
                   "The %s cannot take roles: it is dying", who);
      return FALSE;
    }
  /* a group that is gone forgot its kernel: say it is gone (one read of
   * the kernel: the group may go between two) */
  group_kernel = janus_group_get_kernel (group);
  if (group_kernel == NULL || !janus_group_is_alive (group))
    {
      g_set_error (error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_NOT_A_MEMBER,
                   "Group %s (%s) no longer exists: its last member left or its kernel shut down",
                   janus_group_get_uuid (group),
                   G_OBJECT_TYPE_NAME (janus_group_get_organization (group)));
      return FALSE;
    }
  if (group_kernel != janus_agent_get_kernel (self))
    {
      g_autofree char *who = janus_agent_describe (self);
      g_set_error (error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_WRONG_KERNEL,
                   "Group %s is not a group of the kernel of %s",
                   janus_group_get_uuid (group), who);
      return FALSE;
    }
  return TRUE;
}

/* The checks of janus_agent_request_role before the role exists, in order;
 * the listed type @role_type conforms to and its cardinality in
 * @listed_out and @max_out. */
static gboolean
check_role_request (JanusAgent  *self,
                    GType        role_type,
                    JanusGroup  *group,
                    GType       *listed_out,
                    guint       *max_out,
                    GError     **error)
{
  JanusOrganization *org = janus_group_get_organization (group);
  JanusRole *played;
  GType listed;
  guint max = 0;

  listed = janus_organization_listed_role (org, role_type, &max);
  *listed_out = listed;
  *max_out = max;
  if (listed == G_TYPE_INVALID)
    {
      g_set_error (error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_ROLE_NOT_LISTED,
                   "Organization %s does not list role %s (group %s)",
                   G_OBJECT_TYPE_NAME (org), g_type_name (role_type), janus_group_get_uuid (group));
      return FALSE;
    }
  played = find_role (self, role_type, group);
  if (played != NULL && G_OBJECT_TYPE (played) == role_type)
    {
      g_autofree char *who = janus_agent_describe (self);
      g_set_error (error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_ROLE_ALREADY_PLAYED,
                   "The %s already plays role %s in group %s",
                   who, g_type_name (role_type), janus_group_get_uuid (group));
      return FALSE;
    }
  if (!janus_group_check_join (group, self, role_type, error))
    return FALSE;
  if (max > 0 && janus_group_count_players (group, listed) >= max)
    {
      g_set_error (error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_CARDINALITY_FULL,
                   "Role %s is full in group %s (%s): at most %u player%s",
                   g_type_name (listed), janus_group_get_uuid (group),
                   G_OBJECT_TYPE_NAME (org), max, max == 1 ? "" : "s");
      return FALSE;
    }
  return janus_role_check_capacities (role_type, self, group, error)
         && janus_role_check_conditions (role_type, self, group, FALSE, error);
}

/* A role left from inside its own activate was never taken: it is only
 * dropped; janus_agent_request_role () then refuses it. */
static void
drop_activating_role (JanusAgent *self,
                      JanusRole  *role)
{
  janus_role_set_played (role, FALSE);
  role_list_remove (peek_extra (self), role);
}

/* Ends @role and takes it out of its group and of the agent's roles. Once:
 * a leave asked again while it runs (by the role's own `end`, or a
 * `role-left` handler) does nothing more. */
static void
leave_role_now (JanusAgent *self,
                JanusRole  *role)
{
  JanusAgentExtra *extra = peek_extra (self);
  JanusRolePrivate *rp = janus_role_get_private (role);
  g_autoptr(JanusRole) keep = NULL;
  JanusGroup *group = rp->group;

  if (rp->left)
    return;
  rp->left = TRUE;
  if (rp->activating)
    {
      drop_activating_role (self, role);
      return;
    }
  keep = g_object_ref (role);
  JANUS_ROLE_GET_CLASS (role)->end (role);
  janus_role_set_played (role, FALSE);
  if (janus_group_remove (group, role))
    /* it was the last member: the group is gone */
    janus_organization_remove_group (janus_group_get_organization (group), group);
  /* handlers may still read the role's player */
  janus_role_set_leaving (role, TRUE);
  janus_group_emit_left (group, role);
  janus_role_set_leaving (role, FALSE);
  role_list_remove (extra, role);
  if (extra->n_roles == 0 && extra->end_when_no_role
      && janus_agent_get_state (self) < JANUS_AGENT_STATE_DYING)
    janus_agent_request_kill (self);
}

static void
leave_all_roles (JanusAgent *self)
{
  JanusAgentExtra *extra = peek_extra (self);

  /* a role already being left (its end kills the agent) stays listed
   * until that leave returns: skip it */
  while (extra != NULL && extra->n_roles > 0)
    {
      JanusRole **items = janus_agent_roles (extra);
      guint i = extra->n_roles;

      while (i > 0 && janus_role_get_private (items[i - 1])->left)
        i--;
      if (i == 0)
        break;
      leave_role_now (self, items[i - 1]);
    }
}

#define CHECK_STEP(self, val)                                                   \
  G_STMT_START {                                                                \
    if (G_UNLIKELY (!janus_agent_check_owner (self)))                           \
      {                                                                         \
        g_autofree char *who_ = janus_agent_describe (self);                    \
        g_critical ("%s: the roles of %s are managed from its own steps",       \
                    G_STRFUNC, who_);                                           \
        return val;                                                             \
      }                                                                         \
  } G_STMT_END

/**
 * janus_agent_request_role:
 * @self: the agent (call from its own step)
 * @role_type: a subtype of [class@Janus.Role] listed by @group's organization;
 *   not abstract (an abstract type the organization lists stands for its
 *   concrete subclasses)
 * @group: a group of the agent's kernel
 * @init: (nullable): data given to the role's `activate`; a floating
 *   reference is taken
 * @error: return location for a [struct@GLib.Error]
 *
 * Takes a role of type @role_type in @group. The checks run in this order:
 * the organization lists the type (`JANUS_ORGANIZATION_ERROR_ROLE_NOT_LISTED`), the agent
 * does not play it there yet (`JANUS_ORGANIZATION_ERROR_ROLE_ALREADY_PLAYED`), the group's
 * membership policy (`JANUS_ORGANIZATION_ERROR_NOT_A_MEMBER`), the group's obtain
 * conditions (`JANUS_ORGANIZATION_ERROR_CONDITION_FAILED`), the role's cardinality
 * (`JANUS_ORGANIZATION_ERROR_CARDINALITY_FULL`), its required capacities
 * (`JANUS_ORGANIZATION_ERROR_MISSING_CAPACITY`) and its class's obtain conditions
 * (`JANUS_ORGANIZATION_ERROR_CONDITION_FAILED`). Then the role's `activate` runs with
 * @init; if it fails its error is returned and the role is not taken.
 * Otherwise the group emits [signal@Janus.Group::role-taken].
 *
 * Returns: (transfer none) (nullable): the new role, owned by @self while
 *   played, or `NULL` with @error set
 */
JanusRole *
janus_agent_request_role (JanusAgent  *self,
                          GType        role_type,
                          JanusGroup  *group,
                          GVariant    *init,
                          GError     **error)
{
  g_autoptr(GVariant) data = init ? g_variant_ref_sink (init) : NULL;
  g_autoptr(JanusRole) role = NULL;
  g_autoptr(GError) failure = NULL;
  JanusAgentExtra *extra;
  JanusRolePrivate *rp;
  gboolean activated;
  GType listed;
  guint max = 0;

  g_return_val_if_fail (janus_is_agent (self), NULL);
  g_return_val_if_fail (g_type_is_a (role_type, JANUS_TYPE_ROLE), NULL);
  g_return_val_if_fail (!G_TYPE_IS_ABSTRACT (role_type), NULL);
  g_return_val_if_fail (JANUS_IS_GROUP (group), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);
  CHECK_STEP (self, NULL);

  install ();
  if (!check_role_caller (self, group, error)
      || !check_role_request (self, role_type, group, &listed, &max, error))
    return NULL;

  role = janus_role_new_for (role_type, self, group);
  rp = janus_role_get_private (role);
  janus_role_set_played (role, TRUE);
  rp->fresh = TRUE;
  extra = janus_agent_ensure_extra (self);
  role_list_add (extra, role);

  rp->activating = TRUE;
  activated = JANUS_ROLE_GET_CLASS (role)->activate (role, data, &failure);
  rp->activating = FALSE;
  if (!activated)
    {
      janus_role_set_played (role, FALSE);
      role_list_remove (extra, role);
      if (failure == NULL)
        g_set_error (&failure, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_FAILED,
                     "Role %s failed to activate in group %s",
                     g_type_name (role_type), janus_group_get_uuid (group));
      g_propagate_error (error, g_steal_pointer (&failure));
      return NULL;
    }
  if (rp->left)
    {
      /* it left itself in its activate: never taken, no end, no signal */
      g_set_error (error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_ROLE_NOT_PLAYED,
                   "Role %s left group %s during its own activate: it was not taken",
                   g_type_name (role_type), janus_group_get_uuid (group));
      return NULL;
    }
  if (!janus_group_insert (group, role, self, listed, max, error))
    {
      /* lost a race for the last place, or the group died meanwhile */
      JANUS_ROLE_GET_CLASS (role)->end (role);
      janus_role_set_played (role, FALSE);
      role_list_remove (extra, role);
      return NULL;
    }
  janus_group_emit_taken (group, role);
  /* taken from outside the agent's step (the driving thread of a kernel
   * without workers): wake the agent so that the activator steps it */
  if (janus_agent_get_current () != self)
    janus_agent_nudge (self);
  return role;
}

/**
 * janus_agent_leave_role:
 * @self: the agent (call from its own step)
 * @role_type: the type of a role @self plays in @group
 * @group: the group
 * @error: return location for a [struct@GLib.Error]
 *
 * Leaves a role: the group's and the role class's leave conditions are
 * checked (`JANUS_ORGANIZATION_ERROR_CONDITION_FAILED`), then the role's `end` runs and
 * the group emits [signal@Janus.Group::role-left]. A group whose last
 * member leaves disappears unless it is persistent. An agent that asked for
 * it ([method@Janus.Agent.set_end_when_no_role]) dies when it left its last
 * role.
 *
 * Returns: `TRUE` if left; `FALSE` with @error set
 *   (`JANUS_ORGANIZATION_ERROR_ROLE_NOT_PLAYED` if it does not play the role there)
 */
gboolean
janus_agent_leave_role (JanusAgent  *self,
                        GType        role_type,
                        JanusGroup  *group,
                        GError     **error)
{
  JanusRole *role;

  g_return_val_if_fail (janus_is_agent (self), FALSE);
  g_return_val_if_fail (JANUS_IS_GROUP (group), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
  CHECK_STEP (self, FALSE);

  role = find_role (self, role_type, group);
  if (role == NULL)
    {
      g_autofree char *who = janus_agent_describe (self);
      g_set_error (error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_ROLE_NOT_PLAYED,
                   "The %s does not play role %s in group %s",
                   who, g_type_name (role_type), janus_group_get_uuid (group));
      return FALSE;
    }
  /* being left already (from its own end, or a role-left handler): done */
  if (janus_role_get_private (role)->left)
    return TRUE;
  if (!janus_group_check_leave (group, self, G_OBJECT_TYPE (role), error)
      || !janus_role_check_conditions (G_OBJECT_TYPE (role), self, group, TRUE, error))
    return FALSE;
  leave_role_now (self, role);
  return TRUE;
}

/**
 * janus_agent_leave_all_roles:
 * @self: the agent (call from its own step)
 * @group: (nullable): a group, or `NULL` for every group
 *
 * Leaves every role the agent plays in @group (or anywhere), newest first,
 * each as [method@Janus.Agent.leave_role] does: a role whose leave
 * conditions refuse stays played (Janus's `leaveAllRoles`).
 *
 * Returns: how many roles were left
 */
guint
janus_agent_leave_all_roles (JanusAgent *self,
                             JanusGroup *group)
{
  g_autoptr(GPtrArray) roles = NULL;
  guint n = 0, i;

  g_return_val_if_fail (janus_is_agent (self), 0);
  g_return_val_if_fail (group == NULL || JANUS_IS_GROUP (group), 0);
  CHECK_STEP (self, 0);

  roles = janus_agent_list_roles (self);
  for (i = roles->len; i-- > 0; )
    {
      JanusRole *role = roles->pdata[i];
      JanusGroup *in = janus_role_get_group (role);

      if ((group != NULL && in != group) || !janus_role_is_played (role))
        continue;
      if (!janus_group_check_leave (in, self, G_OBJECT_TYPE (role), NULL)
          || !janus_role_check_conditions (G_OBJECT_TYPE (role), self, in, TRUE, NULL))
        continue;
      leave_role_now (self, role);
      n++;
    }
  return n;
}

/**
 * janus_agent_get_role:
 * @self: an agent
 * @role_type: a role type
 * @group: a group
 *
 * Finds the role of type @role_type (or, failing that, of a subtype) the
 * agent plays in @group. Call from the agent's own step.
 *
 * Returns: (transfer none) (nullable): the role, or `NULL`
 */
JanusRole *
janus_agent_get_role (JanusAgent *self,
                      GType       role_type,
                      JanusGroup *group)
{
  g_return_val_if_fail (janus_is_agent (self), NULL);
  g_return_val_if_fail (JANUS_IS_GROUP (group), NULL);

  return find_role (self, role_type, group);
}

/**
 * janus_agent_list_roles:
 * @self: an agent
 *
 * Lists the roles the agent plays, in the order it took them. Call from the
 * agent's own step.
 *
 * Returns: (transfer container) (element-type JanusRole): the roles
 */
GPtrArray *
janus_agent_list_roles (JanusAgent *self)
{
  JanusAgentExtra *extra;
  GPtrArray *roles;
  guint i;

  g_return_val_if_fail (janus_is_agent (self), NULL);

  roles = g_ptr_array_new_with_free_func (g_object_unref);
  extra = peek_extra (self);
  for (i = 0; extra && i < extra->n_roles; i++)
    g_ptr_array_add (roles, g_object_ref (janus_agent_roles (extra)[i]));
  return roles;
}

/**
 * janus_agent_get_end_when_no_role:
 * @self: an agent
 *
 * Gets whether the agent dies once it left its last role.
 *
 * Returns: the Janus "suicide" rule setting (off by default)
 */
gboolean
janus_agent_get_end_when_no_role (JanusAgent *self)
{
  JanusAgentExtra *extra;

  g_return_val_if_fail (janus_is_agent (self), FALSE);

  extra = peek_extra (self);
  return extra ? extra->end_when_no_role : FALSE;
}

/**
 * janus_agent_set_end_when_no_role:
 * @self: an agent
 * @end_when_no_role: whether to die after leaving the last role
 *
 * Opts in to Janus's rule that an agent with no role left ends itself: once
 * it leaves its last role (by [method@Janus.Agent.leave_role] or a role's
 * `live` returning `JANUS_LIVE_DONE`), it dies at the end of that step.
 */
void
janus_agent_set_end_when_no_role (JanusAgent *self,
                                  gboolean    end_when_no_role)
{
  g_return_if_fail (janus_is_agent (self));

  janus_agent_ensure_extra (self)->end_when_no_role = !!end_when_no_role;
}

/**
 * janus_agent_send_to_role:
 * @self: the sending agent (call from its own step)
 * @group: a group where @self plays @sender_role
 * @sender_role: the role @self sends as
 * @receiver_role: the type of the receiving role
 * @receiver: (nullable): the address of the one agent to send to, or `NULL`
 *   to let the group's selection policy choose among the players
 * @message: (transfer full): an unsent message
 * @out_receiver: (out) (optional) (nullable) (transfer full): where to store
 *   the address of the receiver, or `NULL`
 * @error: return location for a [struct@GLib.Error]
 *
 * Sends a role message from the agent's context, as [method@Janus.Role.send]
 * does from the role: to @receiver if it plays @receiver_role in @group
 * (otherwise `JANUS_ORGANIZATION_ERROR_NOT_A_MEMBER`), or to one
 * player chosen by the group, never to @self.
 *
 * Returns: `TRUE` if sent; `FALSE` with @error set
 *   (`JANUS_ORGANIZATION_ERROR_ROLE_NOT_PLAYED` if @self does not play
 *   @sender_role there); @message is released in every case
 */
gboolean
janus_agent_send_to_role (JanusAgent          *self,
                          JanusGroup          *group,
                          GType                sender_role,
                          GType                receiver_role,
                          const JanusAddress  *receiver,
                          JanusMessage        *message,
                          JanusAddress       **out_receiver,
                          GError             **error)
{
  JanusRole *role;

  g_return_val_if_fail (janus_is_agent (self), FALSE);
  g_return_val_if_fail (JANUS_IS_GROUP (group), FALSE);
  g_return_val_if_fail (g_type_is_a (receiver_role, JANUS_TYPE_ROLE), FALSE);
  g_return_val_if_fail (message != NULL, FALSE);
  g_return_val_if_fail (out_receiver == NULL || *out_receiver == NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!janus_agent_check_sender (self, message, error))
    goto fail;
  role = find_role (self, sender_role, group);
  if (role == NULL)
    {
      g_autofree char *who = janus_agent_describe (self);
      g_set_error (error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_ROLE_NOT_PLAYED,
                   "The %s does not play role %s in group %s",
                   who, g_type_name (sender_role), janus_group_get_uuid (group));
      goto fail;
    }
  return janus_role_route_one (self, group, G_OBJECT_TYPE (role), receiver_role, receiver,
                               message, out_receiver, error);

fail:
  janus_message_unref (message);
  return FALSE;
}

/* Marks the roles that arrivals are addressed to, for the activator. */
static void
mark_roles (JanusAgent   *self,
            JanusMessage *head)
{
  JanusAgentExtra *extra = peek_extra (self);
  JanusRole **items;
  JanusMessage *m;
  guint i;

  if (extra == NULL || extra->n_roles == 0)
    return;
  items = janus_agent_roles (extra);
  for (m = head; m != NULL; m = m->next)
    if (m->route != NULL)
      for (i = 0; i < extra->n_roles; i++)
        if (janus_role_accepts (items[i], m))
          janus_role_get_private (items[i])->has_new = TRUE;
}

/* @role failed: the kernel says so (role-failed), then the role is left,
 * whatever its conditions; its player lives on. */
static void
fail_role (JanusAgent   *self,
           JanusRole    *role,
           const GError *error)
{
  JanusRolePrivate *rp = janus_role_get_private (role);
  g_autoptr(JanusRole) keep = g_object_ref (role);

  if (rp->left || !rp->played)
    return;
  janus_kernel_report_role_failure (janus_agent_get_kernel (self), G_OBJECT (role), error);
  leave_role_now (self, role);
}

/**
 * janus_role_fail:
 * @self: a role (call from its player's step)
 * @error: what went wrong
 *
 * Reports that the role failed and leaves it: the kernel emits
 * [signal@Janus.Kernel::role-failed] with @error, then the role's `end` runs
 * and its group emits [signal@Janus.Group::role-left], whatever the leave
 * conditions; the player goes on with its other roles. For failures that
 * cannot be returned otherwise, such as in a timer callback, or an
 * exception caught by a language binding (the Python override reports the
 * exceptions of a role's `live` and timer callbacks this way). Does
 * nothing to a role that is no longer played.
 */
void
janus_role_fail (JanusRole    *self,
                 const GError *error)
{
  JanusAgent *player;

  g_return_if_fail (JANUS_IS_ROLE (self));
  g_return_if_fail (error != NULL);

  player = janus_role_get_player (self);
  if (player == NULL)
    return;
  CHECK_STEP (player, );
  fail_role (player, self, error);
}

/* The default live: Janus's activator steps each played role that is new,
 * has a message that arrived since its last step, or asked to be stepped
 * again. */
static JanusLive
activator_live (JanusAgent *self)
{
  JanusAgentExtra *extra = peek_extra (self);
  gboolean again = FALSE;
  guint i = 0;

  if (extra == NULL || extra->n_roles == 0)
    return JANUS_LIVE_WAIT;
  janus_mbox_look (janus_agent_get_mbox (self));   /* marks the roles with arrivals */
  /* in place: a role left during the loop shifts the later ones down (the
   * items may move to the heap meanwhile: read them afresh each time) */
  while (i < extra->n_roles)
    {
      JanusRole *role = janus_agent_roles (extra)[i];
      JanusRolePrivate *rp = janus_role_get_private (role);
      g_autoptr(JanusRole) keep = NULL;
      JanusLive live;

      if (!(rp->fresh || rp->has_new || rp->wants_again))
        {
          i++;
          continue;
        }
      keep = g_object_ref (role);
      rp->fresh = rp->has_new = FALSE;
      live = JANUS_ROLE_GET_CLASS (role)->live (role);
      if (live != JANUS_LIVE_AGAIN && live != JANUS_LIVE_WAIT && live != JANUS_LIVE_DONE)
        {
          g_autoptr(GError) error = NULL;
          g_autofree char *who = janus_agent_describe (self);
          g_set_error (&error, JANUS_KERNEL_ERROR, JANUS_KERNEL_ERROR_INVALID_LIVE_RESULT,
                       "The live of role %s (group %s) of %s returned %d, which is "
                       "not a JanusLive value (an exception in a language binding?); "
                       "the role is left", G_OBJECT_TYPE_NAME (role),
                       janus_group_get_uuid (rp->group), who, (int) live);
          fail_role (self, role, error);
          live = JANUS_LIVE_DONE;
        }
      if (rp->played && live == JANUS_LIVE_DONE)
        leave_role_now (self, role);
      else if (rp->played)
        {
          rp->wants_again = live == JANUS_LIVE_AGAIN;
          again |= rp->wants_again;
        }
      /* the role may have left (itself or another) during its step */
      if (i < extra->n_roles && janus_agent_roles (extra)[i] == role)
        i++;
    }
  return again ? JANUS_LIVE_AGAIN : JANUS_LIVE_WAIT;
}

