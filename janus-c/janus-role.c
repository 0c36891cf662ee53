/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "janus-agent-private.h"
#include "janus-capacity-context-private.h"
#include "janus-capacity-private.h"
#include "janus-condition.h"
#include "janus-epoch-private.h"
#include "janus-error.h"
#include "janus-group-private.h"
#include "janus-message-private.h"
#include "janus-role-private.h"

/**
 * JanusRole:
 *
 * A behaviour an agent plays inside one group: the R of CRIO. A role has
 * its own `activate` (with init data), `live` and `end`, its own mailbox,
 * and reads and writes its player's memory — which is how the roles of one
 * agent share what they know.
 *
 * Subclass it, list it in an organization
 * ([method@Janus.OrganizationClass.add_role]) and take it from an agent's
 * step with [method@Janus.Agent.request_role]:
 *
 * ```c
 * static JanusLive
 * seller_live (JanusRole *role)
 * {
 *   g_autoptr(JanusMessage) m = NULL;
 *
 *   while ((m = janus_role_get_message (role)) != NULL)
 *     if (janus_message_has_subject (m, "price?"))
 *       janus_role_reply (role, m, janus_message_new_int64 ("price", 12), NULL);
 *   return JANUS_LIVE_WAIT;
 * }
 *
 * // in a buyer agent's live:
 * JanusRole *buyer = janus_agent_request_role (agent, BUYER_TYPE_ROLE, group, NULL, &error);
 * janus_role_broadcast (buyer, SELLER_TYPE_ROLE,
 *                               janus_message_new ("price?", NULL), NULL, &error);
 * ```
 *
 * ## Stepping
 *
 * A role's virtual functions run in its player's step. The agent's default
 * `live` (the activator) steps each role it plays when the role is new,
 * has a message that arrived since its last step, or asked to be stepped
 * again; an agent that overrides `live` steps its roles itself, or chains
 * up. A role whose `live` returns `JANUS_LIVE_DONE` is left.
 *
 * ## Messages
 *
 * Role messages are sent inside the role's group, to roles:
 * [method@Janus.Role.send] gives a message to one player of the
 * receiving role type (the group's [enum@Janus.SelectionPolicy] chooses),
 * [method@Janus.Role.broadcast] to every player of that type or of
 * a subclass; neither ever delivers to the sending agent. The message lands
 * in the receiving role's mailbox — which is also part of its player's
 * mailbox, so the agent sees it too. [method@Janus.Role.reply] answers the
 * sending role; [method@Janus.Role.forward] passes a copy on.
 *
 * ## Capacities
 *
 * A role class may require capacities ([method@Janus.RoleClass.add_required_capacity]):
 * only agents providing them can take it. The role calls them with
 * [method@Janus.Role.get_capacity], [method@Janus.Role.invoke_capacity] or,
 * on a worker, [method@Janus.Role.invoke_capacity_on_worker].
 *
 * ## Lifetime and failures
 *
 * The player holds its roles while it plays them; a role holds its group.
 * A role refers to its player only while it is played: a player that dies
 * leaves its roles first (each `end` runs, each group emits
 * [signal@Janus.Group::role-left]), and [method@Janus.Role.get_player]
 * returns `NULL` from then on. The application may keep a role after its
 * player, group and kernel are gone: [method@Janus.Role.post] then makes a
 * dead letter of the player's kernel while that kernel exists, and fails
 * with `JANUS_KERNEL_ERROR_STOPPED` once it is gone.
 *
 * Leaving is done once: a role that asks to leave during its own `end` (or
 * while its leave is under way) is told it left, and its `end` and
 * `role-left` happen once. A role that leaves itself during its own
 * `activate` is not taken at all: [method@Janus.Agent.request_role] fails
 * with `JANUS_ORGANIZATION_ERROR_ROLE_NOT_PLAYED`.
 *
 * A role whose `live` returns a value that is not a [enum@Janus.Live], or
 * that calls [method@Janus.Role.fail], fails: the kernel emits
 * [signal@Janus.Kernel::role-failed] and the role is left; its player
 * lives on.
 */

/* The class-level rules, shared by subclasses until one changes them. */
typedef struct
{
  GType      owner;
  GArray    *capacities;        /* GType */
  GPtrArray *obtain;            /* JanusCondition */
  GPtrArray *leave;
} RoleRules;

enum {
  PROP_0,
  PROP_PLAYER,
  PROP_GROUP,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_TYPE_WITH_PRIVATE (JanusRole, janus_role, G_TYPE_OBJECT)

#define RP(role) ((JanusRolePrivate *) janus_role_get_instance_private (role))

JanusRolePrivate *
janus_role_get_private (JanusRole *self)
{
  return RP (self);
}

/* ------------------------------------------------------------ class rules */

/* Guards every class's rules (klass->rules and the lists in it): they may
 * be changed at any time, from any thread (a condition may remove itself
 * while it is checked), while role requests read them. Held briefly, never
 * while user code runs: the checks copy what they need. */
static GMutex rules_lock;

/* rules_lock held. */
static RoleRules *
rules_for_write (JanusRoleClass *klass)
{
  RoleRules *rules = klass->rules, *copy;
  GType type = G_TYPE_FROM_CLASS (klass);
  guint i;

  if (rules != NULL && rules->owner == type)
    return rules;
  copy = g_new0 (RoleRules, 1);
  copy->owner = type;
  copy->capacities = g_array_new (FALSE, FALSE, sizeof (GType));
  copy->obtain = g_ptr_array_new_with_free_func (g_object_unref);
  copy->leave = g_ptr_array_new_with_free_func (g_object_unref);
  if (rules != NULL)
    {
      g_array_append_vals (copy->capacities, rules->capacities->data, rules->capacities->len);
      for (i = 0; i < rules->obtain->len; i++)
        g_ptr_array_add (copy->obtain, g_object_ref (rules->obtain->pdata[i]));
      for (i = 0; i < rules->leave->len; i++)
        g_ptr_array_add (copy->leave, g_object_ref (rules->leave->pdata[i]));
    }
  klass->rules = copy;
  return copy;
}

/**
 * janus_role_class_add_required_capacity:
 * @klass: a role class
 * @capacity_type: an interface type requiring [iface@Janus.Capacity], or
 *   `JANUS_TYPE_CAPACITY`
 *
 * Requires players of this role (and of its subclasses) to provide
 * @capacity_type ([method@Janus.Agent.add_capacity]). Call it from
 * `class_init`.
 */
void
janus_role_class_add_required_capacity (JanusRoleClass *klass,
                                        GType           capacity_type)
{
  g_return_if_fail (JANUS_IS_ROLE_CLASS (klass));
  g_return_if_fail (G_TYPE_IS_INTERFACE (capacity_type));

  g_mutex_lock (&rules_lock);
  g_array_append_val (rules_for_write (klass)->capacities, capacity_type);
  g_mutex_unlock (&rules_lock);
}

/**
 * janus_role_class_add_obtain_condition:
 * @klass: a role class
 * @condition: a condition
 *
 * Adds a condition an agent must meet to take this role (checked after the
 * group's conditions, the cardinality and the capacities).
 */
void
janus_role_class_add_obtain_condition (JanusRoleClass *klass,
                                       JanusCondition *condition)
{
  g_return_if_fail (JANUS_IS_ROLE_CLASS (klass));
  g_return_if_fail (JANUS_IS_CONDITION (condition));

  g_mutex_lock (&rules_lock);
  g_ptr_array_add (rules_for_write (klass)->obtain, g_object_ref (condition));
  g_mutex_unlock (&rules_lock);
}

/**
 * janus_role_class_add_leave_condition:
 * @klass: a role class
 * @condition: a condition
 *
 * Adds a condition [method@Janus.Agent.leave_role] must meet to leave this
 * role.
 */
void
janus_role_class_add_leave_condition (JanusRoleClass *klass,
                                      JanusCondition *condition)
{
  g_return_if_fail (JANUS_IS_ROLE_CLASS (klass));
  g_return_if_fail (JANUS_IS_CONDITION (condition));

  g_mutex_lock (&rules_lock);
  g_ptr_array_add (rules_for_write (klass)->leave, g_object_ref (condition));
  g_mutex_unlock (&rules_lock);
}

#define WITH_CLASS(type, call)                                          \
  G_STMT_START {                                                        \
    JanusRoleClass *klass_;                                             \
    g_return_if_fail (g_type_is_a (type, JANUS_TYPE_ROLE));             \
    klass_ = g_type_class_ref (type);                                   \
    call;                                                               \
    g_type_class_unref (klass_);                                        \
  } G_STMT_END

/**
 * janus_role_type_add_required_capacity:
 * @role_type: a subtype of [class@Janus.Role]
 * @capacity_type: an interface type
 *
 * Like [method@Janus.RoleClass.add_required_capacity], for a class given by
 * its `GType` (language bindings).
 */
void
janus_role_type_add_required_capacity (GType role_type,
                                       GType capacity_type)
{
  WITH_CLASS (role_type, janus_role_class_add_required_capacity (klass_, capacity_type));
}

/**
 * janus_role_type_add_obtain_condition:
 * @role_type: a subtype of [class@Janus.Role]
 * @condition: a condition
 *
 * Like [method@Janus.RoleClass.add_obtain_condition], for a class given by
 * its `GType`.
 */
void
janus_role_type_add_obtain_condition (GType           role_type,
                                      JanusCondition *condition)
{
  WITH_CLASS (role_type, janus_role_class_add_obtain_condition (klass_, condition));
}

/**
 * janus_role_type_add_leave_condition:
 * @role_type: a subtype of [class@Janus.Role]
 * @condition: a condition
 *
 * Like [method@Janus.RoleClass.add_leave_condition], for a class given by
 * its `GType`.
 */
void
janus_role_type_add_leave_condition (GType           role_type,
                                     JanusCondition *condition)
{
  WITH_CLASS (role_type, janus_role_class_add_leave_condition (klass_, condition));
}

/* @role_type's class, referenced only if it was never used (the first
 * request of a role type), in *@ref. Not under rules_lock: a first
 * reference runs the class's class_init, which may add rules. */
static JanusRoleClass *
peek_class (GType        role_type,
            GTypeClass **ref)
{
  gpointer klass = g_type_class_peek (role_type);

  if (G_UNLIKELY (klass == NULL))
    klass = *ref = g_type_class_ref (role_type);
  return JANUS_ROLE_CLASS (klass);
}

static GPtrArray *
copy_condition_list (GPtrArray *conditions)
{
  GPtrArray *copy = g_ptr_array_new_with_free_func (g_object_unref);
  guint i;

  for (i = 0; conditions != NULL && i < conditions->len; i++)
    g_ptr_array_add (copy, g_object_ref (conditions->pdata[i]));
  return copy;
}

/**
 * janus_role_class_list_obtain_conditions:
 * @klass: a role class
 *
 * Lists the conditions an agent must meet to take roles of this class
 * (its own and those it inherited), in the order they are checked.
 *
 * Returns: (transfer container) (element-type JanusCondition): the
 *   conditions
 */
GPtrArray *
janus_role_class_list_obtain_conditions (JanusRoleClass *klass)
{
  RoleRules *rules;

  GPtrArray *copy;

  g_return_val_if_fail (JANUS_IS_ROLE_CLASS (klass), NULL);

  g_mutex_lock (&rules_lock);
  rules = klass->rules;
  copy = copy_condition_list (rules ? rules->obtain : NULL);
  g_mutex_unlock (&rules_lock);
  return copy;
}

/**
 * janus_role_class_list_leave_conditions:
 * @klass: a role class
 *
 * Lists the conditions [method@Janus.Agent.leave_role] checks for roles
 * of this class.
 *
 * Returns: (transfer container) (element-type JanusCondition): the
 *   conditions
 */
GPtrArray *
janus_role_class_list_leave_conditions (JanusRoleClass *klass)
{
  RoleRules *rules;

  GPtrArray *copy;

  g_return_val_if_fail (JANUS_IS_ROLE_CLASS (klass), NULL);

  g_mutex_lock (&rules_lock);
  rules = klass->rules;
  copy = copy_condition_list (rules ? rules->leave : NULL);
  g_mutex_unlock (&rules_lock);
  return copy;
}

static gboolean
remove_class_condition (JanusRoleClass *klass,
                        gboolean        leave,
                        JanusCondition *condition)
{
  RoleRules *rules;
  GPtrArray *list;
  guint i;

  g_mutex_lock (&rules_lock);
  rules = klass->rules;
  if (rules == NULL || !g_ptr_array_find (leave ? rules->leave : rules->obtain, condition, NULL))
    {
      g_mutex_unlock (&rules_lock);
      return FALSE;
    }
  /* a class removes from its own copy: its parent keeps the condition */
  list = leave ? rules_for_write (klass)->leave : rules_for_write (klass)->obtain;
  if (!g_ptr_array_find (list, condition, &i))
    {
      g_mutex_unlock (&rules_lock);
      return FALSE;
    }
  g_ptr_array_steal_index (list, i);
  g_mutex_unlock (&rules_lock);
  /* outside the lock: its destroy is user code */
  g_object_unref (condition);
  return TRUE;
}

/**
 * janus_role_class_remove_obtain_condition:
 * @klass: a role class
 * @condition: one of its obtain conditions
 *
 * Stops checking @condition for roles of this class (and of its subclasses
 * that share its rules: those that added no rule of their own). A parent
 * class that has the condition keeps it. MT safe: class rules may change
 * from any thread while agents request and leave roles of the class (each
 * check sees the rules of its start), even from a condition being checked.
 *
 * Returns: `TRUE` if the class had the condition
 */
gboolean
janus_role_class_remove_obtain_condition (JanusRoleClass *klass,
                                          JanusCondition *condition)
{
  g_return_val_if_fail (JANUS_IS_ROLE_CLASS (klass), FALSE);
  g_return_val_if_fail (JANUS_IS_CONDITION (condition), FALSE);

  return remove_class_condition (klass, FALSE, condition);
}

/**
 * janus_role_class_remove_leave_condition:
 * @klass: a role class
 * @condition: one of its leave conditions
 *
 * Like [method@Janus.RoleClass.remove_obtain_condition], for a leave
 * condition.
 *
 * Returns: `TRUE` if the class had the condition
 */
gboolean
janus_role_class_remove_leave_condition (JanusRoleClass *klass,
                                         JanusCondition *condition)
{
  g_return_val_if_fail (JANUS_IS_ROLE_CLASS (klass), FALSE);
  g_return_val_if_fail (JANUS_IS_CONDITION (condition), FALSE);

  return remove_class_condition (klass, TRUE, condition);
}

#define WITH_CLASS_RETURN(type, fallback, call)                         \
  G_STMT_START {                                                        \
    g_autoptr(GTypeClass) klass_ = NULL;                                \
    g_return_val_if_fail (g_type_is_a (type, JANUS_TYPE_ROLE), fallback); \
    klass_ = g_type_class_ref (type);                                   \
    return call;                                                        \
  } G_STMT_END

/**
 * janus_role_type_list_obtain_conditions:
 * @role_type: a subtype of [class@Janus.Role]
 *
 * Like [method@Janus.RoleClass.list_obtain_conditions], for a class given
 * by its `GType` (language bindings).
 *
 * Returns: (transfer container) (element-type JanusCondition): the
 *   conditions
 */
GPtrArray *
janus_role_type_list_obtain_conditions (GType role_type)
{
  WITH_CLASS_RETURN (role_type, NULL,
                     janus_role_class_list_obtain_conditions (JANUS_ROLE_CLASS (klass_)));
}

/**
 * janus_role_type_list_leave_conditions:
 * @role_type: a subtype of [class@Janus.Role]
 *
 * Like [method@Janus.RoleClass.list_leave_conditions], for a class given
 * by its `GType`.
 *
 * Returns: (transfer container) (element-type JanusCondition): the
 *   conditions
 */
GPtrArray *
janus_role_type_list_leave_conditions (GType role_type)
{
  WITH_CLASS_RETURN (role_type, NULL,
                     janus_role_class_list_leave_conditions (JANUS_ROLE_CLASS (klass_)));
}

/**
 * janus_role_type_remove_obtain_condition:
 * @role_type: a subtype of [class@Janus.Role]
 * @condition: one of its obtain conditions
 *
 * Like [method@Janus.RoleClass.remove_obtain_condition], for a class given
 * by its `GType`.
 *
 * Returns: `TRUE` if the class had the condition
 */
gboolean
janus_role_type_remove_obtain_condition (GType           role_type,
                                         JanusCondition *condition)
{
  WITH_CLASS_RETURN (role_type, FALSE,
                     janus_role_class_remove_obtain_condition (JANUS_ROLE_CLASS (klass_), condition));
}

/**
 * janus_role_type_remove_leave_condition:
 * @role_type: a subtype of [class@Janus.Role]
 * @condition: one of its leave conditions
 *
 * Like [method@Janus.RoleClass.remove_leave_condition], for a class given
 * by its `GType`.
 *
 * Returns: `TRUE` if the class had the condition
 */
gboolean
janus_role_type_remove_leave_condition (GType           role_type,
                                        JanusCondition *condition)
{
  WITH_CLASS_RETURN (role_type, FALSE,
                     janus_role_class_remove_leave_condition (JANUS_ROLE_CLASS (klass_), condition));
}

gboolean
janus_role_check_capacities (GType        role_type,
                             JanusAgent  *agent,
                             JanusGroup  *group,
                             GError     **error)
{
  g_autoptr(GTypeClass) ref = NULL;
  JanusRoleClass *klass = peek_class (role_type, &ref);
  g_autofree GType *caps = NULL;
  RoleRules *rules;
  guint i, n = 0;

  /* a copy: the class may get more while the agent is asked */
  g_mutex_lock (&rules_lock);
  rules = klass->rules;
  if (rules != NULL && rules->capacities->len > 0)
    {
      n = rules->capacities->len;
      caps = g_memdup2 (rules->capacities->data, n * sizeof (GType));
    }
  g_mutex_unlock (&rules_lock);
  for (i = 0; i < n; i++)
    {
      GType cap = caps[i];
      if (janus_agent_get_capacity (agent, cap) == NULL)
        {
          g_autofree char *who = janus_agent_describe (agent);
          g_set_error (error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_MISSING_CAPACITY,
                       "The %s cannot play role %s in group %s: it lacks capacity %s",
                       who, g_type_name (role_type),
                       janus_group_get_uuid (group), g_type_name (cap));
          return FALSE;
        }
    }
  return TRUE;
}

gboolean
janus_role_check_conditions (GType        role_type,
                             JanusAgent  *agent,
                             JanusGroup  *group,
                             gboolean     leaving,
                             GError     **error)
{
  g_autoptr(GTypeClass) ref = NULL;
  JanusRoleClass *klass = peek_class (role_type, &ref);
  JanusCondition *inline_conditions[8], **conditions = inline_conditions;
  gboolean ok = TRUE;
  RoleRules *rules;
  GPtrArray *list;
  guint i, n;

  /* a copy, with references (on the stack for the usual few): a condition
   * may remove itself, or another thread change the list, while they are
   * checked */
  g_mutex_lock (&rules_lock);
  rules = klass->rules;
  list = rules != NULL ? (leaving ? rules->leave : rules->obtain) : NULL;
  n = list != NULL ? list->len : 0;
  if (n == 0)
    {
      g_mutex_unlock (&rules_lock);
      return TRUE;
    }
  if (n > G_N_ELEMENTS (inline_conditions))
    conditions = g_new (JanusCondition *, n);
  for (i = 0; i < n; i++)
    conditions[i] = g_object_ref (list->pdata[i]);
  g_mutex_unlock (&rules_lock);

  for (i = 0; i < n && ok; i++)
    if (!janus_condition_evaluate (conditions[i], agent, group, role_type))
      {
        g_autofree char *who = janus_agent_describe (agent);
        g_set_error (error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_CONDITION_FAILED,
                     "The %s may not %s role %s in group %s: condition “%s” "
                     "of the role refused", who,
                     leaving ? "leave" : "obtain", g_type_name (role_type),
                     janus_group_get_uuid (group),
                     janus_condition_get_description (conditions[i]));
        ok = FALSE;
      }
  /* outside the lock: a last reference's destroy is user code */
  for (i = 0; i < n; i++)
    g_object_unref (conditions[i]);
  if (conditions != inline_conditions)
    g_free (conditions);
  return ok;
}

/* ------------------------------------------------------------ binding */

JanusRole *
janus_role_new_for (GType       role_type,
                    JanusAgent *player,
                    JanusGroup *group)
{
  static _Atomic guint64 serials = 1;
  JanusRole *self = g_object_new (role_type, NULL);
  JanusRolePrivate *rp = RP (self);

  rp->serial = atomic_fetch_add_explicit (&serials, 1, memory_order_relaxed);
  rp->player = player;
  rp->player_address = *janus_agent_get_address (player);
  rp->group = g_object_ref (group);
  return self;
}

/* The role starts or stops being played (janus-agent-roles.c). */
void
janus_role_set_played (JanusRole *self,
                       gboolean   played)
{
  atomic_store_explicit (&RP (self)->played, played, memory_order_release);
}

/* While role-left is emitted: handlers still get the player. */
void
janus_role_set_leaving (JanusRole *self,
                        gboolean   leaving)
{
  RP (self)->leaving = leaving;
}

/* Whether @message was addressed to this role (its group, its type). */
gboolean
janus_role_accepts (JanusRole    *self,
                    JanusMessage *message)
{
  JanusMessageRoute *route = message->route;

  return route != NULL
         && route->group_id == janus_group_get_id (RP (self)->group)
         && g_type_is_a (G_OBJECT_TYPE (self), route->receiver_role)
         && (route->receiver_serial == 0 || route->receiver_serial == RP (self)->serial);
}

/**
 * janus_role_get_player:
 * @self: a role
 *
 * Gets the agent playing the role.
 *
 * Returns: (transfer none) (nullable): the player, or `NULL` once the role
 *   was left (handlers of [signal@Janus.Group::role-left] still get it)
 */
JanusAgent *
janus_role_get_player (JanusRole *self)
{
  g_return_val_if_fail (JANUS_IS_ROLE (self), NULL);

  return RP (self)->played || RP (self)->leaving ? RP (self)->player : NULL;
}

/**
 * janus_role_get_group:
 * @self: a role
 *
 * Gets the group the role is played in.
 *
 * Returns: (transfer none): the group
 */
JanusGroup *
janus_role_get_group (JanusRole *self)
{
  g_return_val_if_fail (JANUS_IS_ROLE (self), NULL);

  return RP (self)->group;
}

/**
 * janus_role_is_played:
 * @self: a role
 *
 * Tells whether the role is still played (taken and not left).
 *
 * Returns: whether the role is played
 */
gboolean
janus_role_is_played (JanusRole *self)
{
  g_return_val_if_fail (JANUS_IS_ROLE (self), FALSE);

  return RP (self)->played;
}

/**
 * janus_role_get_memory:
 * @self: a played role
 *
 * Gets the player's memory: the roles of one agent share it.
 *
 * Returns: (transfer none) (nullable): the memory, or `NULL` once the role
 *   was left
 */
JanusMemory *
janus_role_get_memory (JanusRole *self)
{
  g_return_val_if_fail (JANUS_IS_ROLE (self), NULL);

  return RP (self)->played ? janus_agent_get_memory (RP (self)->player) : NULL;
}

/* ------------------------------------------------------------ mailbox
 *
 * A role's mailbox is a filtered view of its player's: the messages whose
 * route names the role's group and type (janus_role_accepts). */

#define PLAYER_MBOX(self) janus_agent_get_mbox (RP (self)->player)

static gboolean
accepts (JanusMessage *message,
         gpointer      role)
{
  return janus_role_accepts (role, message);
}

#define CHECK_PLAYED(self, val)                                               \
  G_STMT_START {                                                              \
    if (G_UNLIKELY (!RP (self)->played))                                      \
      return val;                                                             \
    if (G_UNLIKELY (!janus_agent_check_owner (RP (self)->player)))            \
      {                                                                       \
        g_critical ("%s: the mailbox of role %s is read only by its player's " \
                    "steps", G_STRFUNC, G_OBJECT_TYPE_NAME (self));           \
        return val;                                                           \
      }                                                                       \
  } G_STMT_END

/**
 * janus_role_get_message:
 * @self: a role
 *
 * Takes the oldest message addressed to this role out of its player's
 * mailbox. Call from the player's step.
 *
 * Returns: (transfer full) (nullable): the message, or `NULL`
 */
JanusMessage *
janus_role_get_message (JanusRole *self)
{
  g_return_val_if_fail (JANUS_IS_ROLE (self), NULL);
  CHECK_PLAYED (self, NULL);

  return janus_mbox_take_filtered (PLAYER_MBOX (self), accepts, self);
}

/**
 * janus_role_peek_message:
 * @self: a role
 *
 * Looks at the message [method@Janus.Role.get_message] would return.
 *
 * Returns: (transfer none) (nullable): the message, or `NULL`
 */
JanusMessage *
janus_role_peek_message (JanusRole *self)
{
  g_return_val_if_fail (JANUS_IS_ROLE (self), NULL);
  CHECK_PLAYED (self, NULL);

  return janus_mbox_peek_filtered (PLAYER_MBOX (self), accepts, self);
}

/**
 * janus_role_get_messages:
 * @self: a role
 *
 * Takes every message addressed to this role, oldest first.
 *
 * Returns: (transfer container) (element-type JanusMessage): the messages,
 *   taken out of the mailbox. The array owns them (its free function is
 *   [method@Janus.Message.unref]): g_ptr_array_unref() frees the array and
 *   the messages
 */
GPtrArray *
janus_role_get_messages (JanusRole *self)
{
  g_return_val_if_fail (JANUS_IS_ROLE (self), NULL);
  CHECK_PLAYED (self, g_ptr_array_new_with_free_func ((GDestroyNotify) janus_message_unref));

  return janus_mbox_take_all_filtered (PLAYER_MBOX (self), accepts, self);
}

/**
 * janus_role_peek_messages:
 * @self: a role
 *
 * Lists the messages addressed to this role, oldest first, leaving them.
 *
 * Returns: (transfer container) (element-type JanusMessage): the messages,
 *   still in the mailbox. The array holds a reference of its own on each:
 *   g_ptr_array_unref() frees the array and drops those references
 */
GPtrArray *
janus_role_peek_messages (JanusRole *self)
{
  g_return_val_if_fail (JANUS_IS_ROLE (self), NULL);

  if (!RP (self)->played)
    return g_ptr_array_new_with_free_func ((GDestroyNotify) janus_message_unref);
  CHECK_PLAYED (self, NULL);
  return janus_mbox_peek_all_filtered (PLAYER_MBOX (self), accepts, self);
}

/**
 * janus_role_has_message:
 * @self: a role
 *
 * Tells whether a message addressed to this role is waiting.
 *
 * Returns: whether [method@Janus.Role.get_message] would return one
 */
gboolean
janus_role_has_message (JanusRole *self)
{
  g_return_val_if_fail (JANUS_IS_ROLE (self), FALSE);
  CHECK_PLAYED (self, FALSE);

  return janus_mbox_peek_filtered (PLAYER_MBOX (self), accepts, self) != NULL;
}

/**
 * janus_role_get_mailbox_size:
 * @self: a role
 *
 * Counts the messages addressed to this role.
 *
 * Returns: how many are waiting
 */
guint
janus_role_get_mailbox_size (JanusRole *self)
{
  g_return_val_if_fail (JANUS_IS_ROLE (self), 0);
  CHECK_PLAYED (self, 0);

  return janus_mbox_count_filtered (PLAYER_MBOX (self), accepts, self);
}

/**
 * janus_role_wait_message:
 * @self: a role of a heavy agent
 * @timeout_usec: the longest wait in microseconds, -1 for ever
 *
 * Takes the oldest message addressed to this role, waiting for one if the
 * player is a heavy agent (see [method@Janus.Agent.wait_message]); messages
 * for the player's other roles or for the agent itself that arrive
 * meanwhile stay in the mailbox.
 *
 * Returns: (transfer full) (nullable): the message, or `NULL`
 */
JanusMessage *
janus_role_wait_message (JanusRole *self,
                         gint64     timeout_usec)
{
  JanusMessage *m;
  gint64 deadline;

  g_return_val_if_fail (JANUS_IS_ROLE (self), NULL);
  CHECK_PLAYED (self, NULL);

  deadline = timeout_usec < 0 ? -1 : g_get_monotonic_time () + timeout_usec;
  for (;;)
    {
      gint64 left;

      if ((m = janus_mbox_take_filtered (PLAYER_MBOX (self), accepts, self)) != NULL)
        return m;
      if (!janus_agent_is_heavy (RP (self)->player) || timeout_usec == 0)
        return NULL;
      left = deadline < 0 ? -1 : deadline - g_get_monotonic_time ();
      if (deadline >= 0 && left <= 0)
        return NULL;
      if (!janus_agent_wait_arrival (RP (self)->player, left))
        return NULL;
    }
}

/**
 * janus_role_dispatch_messages:
 * @self: a role (call from its player's step)
 * @func: (scope call): called for each message
 * @user_data: data for @func
 *
 * Takes every message addressed to the role and hands each to @func,
 * oldest first: the usual body of a role's `live`. @func may leave the role;
 * the messages not dispatched yet are then released unread.
 *
 * ```c
 * static JanusLive
 * buyer_live (JanusRole *role)
 * {
 *   janus_role_dispatch_messages (role, buyer_dispatch, NULL);
 *   return JANUS_LIVE_WAIT;
 * }
 * ```
 *
 * Returns: how many messages @func got
 */
guint
janus_role_dispatch_messages (JanusRole            *self,
                              JanusRoleMessageFunc  func,
                              gpointer              user_data)
{
  g_autoptr(GPtrArray) messages = NULL;
  guint i;

  g_return_val_if_fail (JANUS_IS_ROLE (self), 0);
  g_return_val_if_fail (func != NULL, 0);

  messages = janus_role_get_messages (self);
  for (i = 0; i < messages->len && RP (self)->played; i++)
    func (self, messages->pdata[i], user_data);
  return i;
}

/* ------------------------------------------------------------- sending */

static gboolean
check_role_sender (JanusRole     *self,
                   JanusMessage  *message,
                   GError       **error)
{
  if (!RP (self)->played)
    {
      g_set_error (error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_ROLE_NOT_PLAYED,
                   "Role %s is no longer played in group %s: it cannot send",
                   G_OBJECT_TYPE_NAME (self), janus_group_get_uuid (RP (self)->group));
      return FALSE;
    }
  return janus_agent_check_sender (RP (self)->player, message, error);
}

/* Inside an epoch critical section: the players of @receiver_role (or a
 * subclass) in @snap other than @sender, each once, in take order. An
 * agent playing several conforming roles counts at its first one: the
 * snapshot links each role to the previous role of the same player, so
 * the check costs the number of roles that agent plays, not a search. */
static guint
collect_receivers (JanusRoleSnapshot  *snap,
                   GType               receiver_role,
                   JanusAgent         *sender,
                   JanusAgent        **out)
{
  guint i, n = 0;

  for (i = 0; i < snap->n; i++)
    {
      JanusRole *r = snap->roles[i];
      JanusAgent *player = snap->players[i];
      guint j;

      if (player == sender || !g_type_is_a (G_OBJECT_TYPE (r), receiver_role))
        continue;
      for (j = snap->before[i]; j != G_MAXUINT; j = snap->before[j])
        if (g_type_is_a (G_OBJECT_TYPE (snap->roles[j]), receiver_role))
          break;
      if (j == G_MAXUINT)
        out[n++] = player;
    }
  return n;
}

/* Per-thread arrays for the candidates of a role send, grown as needed and
 * reused, so that a send allocates nothing once warm. A selection function
 * that sends from inside a send gets arrays of its own. */
typedef struct
{
  guint                 cap;
  gboolean              in_use;
  gboolean              temporary;
  JanusAgent          **players;
  const JanusAddress  **addresses;
} Scratch;

static void
scratch_free (gpointer data)
{
  Scratch *s = data;

  g_free (s->players);
  g_free (s->addresses);
  g_free (s);
}

static __thread Scratch *tls_scratch __attribute__ ((tls_model ("initial-exec")));
static GPrivate scratch_key = G_PRIVATE_INIT (scratch_free);   /* frees it at thread exit */

static Scratch *
scratch_take (guint n)
{
  Scratch *s = tls_scratch;

  if (s == NULL)
    {
      s = tls_scratch = g_new0 (Scratch, 1);
      g_private_set (&scratch_key, s);
    }
  if (s->in_use)
    {
      s = g_new0 (Scratch, 1);
      s->temporary = TRUE;
    }
  s->in_use = TRUE;
  if (s->cap < n)
    {
      s->cap = MAX (MAX (n, 64), s->cap * 2);
      s->players = g_renew (JanusAgent *, s->players, s->cap);
      s->addresses = g_renew (const JanusAddress *, s->addresses, s->cap);
    }
  return s;
}

static void
scratch_give (Scratch *s)
{
  if (s->temporary)
    scratch_free (s);
  else
    s->in_use = FALSE;
}

static void
no_receiver_error (JanusGroup  *group,
                   GType        receiver_role,
                   GError     **error)
{
  g_set_error (error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_NOT_A_MEMBER,
               "No agent plays role %s in group %s (the sender aside)",
               g_type_name (receiver_role), janus_group_get_uuid (group));
}

/* Seals @message from @sender's player to @receiver with @route and hands it
 * over (inside an epoch critical section). */
static void
deliver_routed (JanusAgent        *sender,
                JanusAgent        *receiver,
                JanusMessage      *message,
                JanusMessageRoute *route)
{
  JanusRuntime *runtime = janus_agent_get_runtime (sender);

  janus_message_set_route (message, route);
  janus_message_seal (message, janus_agent_get_address (sender),
                      &janus_agent_get_private (receiver)->address,
                      janus_runtime_timestamp (runtime));
  janus_runtime_deliver_to (runtime, &janus_agent_get_private (receiver)->run, message);
}

/* Sends @message from (@player, @sender_role) to one player of
 * @receiver_role in @group, or to @only if it plays it there. Shared with
 * janus_agent_send_to_role. */
gboolean
janus_role_route_one (JanusAgent          *player,
                      JanusGroup          *group,
                      GType                sender_role,
                      GType                receiver_role,
                      const JanusAddress  *only,
                      JanusMessage        *message,
                      JanusAddress       **out_receiver,
                      GError             **error)
{
  JanusRoleSnapshot *snap;
  JanusAgent **players;
  const JanusAddress **addresses;
  JanusMessageRoute *route;
  gboolean sent = FALSE;
  Scratch *scratch;
  guint n, i, pick = 0;

  janus_epoch_enter ();
  snap = janus_group_snapshot (group);
  scratch = scratch_take (snap->n);
  players = scratch->players;
  addresses = scratch->addresses;
  n = collect_receivers (snap, receiver_role, player, players);
  for (i = 0; i < n; i++)
    addresses[i] = &janus_agent_get_private (players[i])->address;

  if (only != NULL)
    {
      for (pick = 0; pick < n && !janus_address_equal (addresses[pick], only); pick++)
        ;
      if (pick == n)
        {
          g_autofree char *text = janus_address_to_string (only);
          g_set_error (error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_NOT_A_MEMBER,
                       "Agent %s does not play role %s in group %s", text,
                       g_type_name (receiver_role), janus_group_get_uuid (group));
          goto out;
        }
    }
  else if (n == 0)
    {
      no_receiver_error (group, receiver_role, error);
      goto out;
    }
  else
    pick = janus_group_select (group, addresses, n);

  if (out_receiver != NULL)
    *out_receiver = janus_address_copy (addresses[pick]);
  route = janus_message_route_shared (janus_group_get_id (group), sender_role, receiver_role);
  deliver_routed (player, players[pick], g_steal_pointer (&message), route);
  janus_message_route_unref (route);
  sent = TRUE;

out:
  janus_epoch_exit ();
  scratch_give (scratch);
  if (message != NULL)
    janus_message_unref (message);
  return sent;
}

/**
 * janus_role_send:
 * @self: the sending role
 * @receiver_role: the type of the receiving role
 * @message: (transfer full): an unsent message
 * @out_receiver: (out) (optional) (nullable) (transfer full): where to store
 *   the address of the receiver, or `NULL`
 * @error: return location for a [struct@GLib.Error]
 *
 * Sends @message to one player of @receiver_role (or of a subclass) in the
 * role's group, never to the sending agent itself, chosen by the group's
 * selection policy (random unless set otherwise). It lands in that player's
 * role's mailbox. MT safe and lock free (the group's membership is read
 * from an immutable snapshot).
 *
 * Returns: `TRUE` if sent; `FALSE` with @error set
 *   (`JANUS_ORGANIZATION_ERROR_ROLE_NOT_PLAYED` if @self was left,
 *   `JANUS_ORGANIZATION_ERROR_NOT_A_MEMBER` if nobody else plays
 *   @receiver_role, or a send error); @message is released in every case
 */
gboolean
janus_role_send (JanusRole     *self,
                 GType          receiver_role,
                 JanusMessage  *message,
                 JanusAddress **out_receiver,
                 GError       **error)
{
  g_return_val_if_fail (JANUS_IS_ROLE (self), FALSE);
  g_return_val_if_fail (g_type_is_a (receiver_role, JANUS_TYPE_ROLE), FALSE);
  g_return_val_if_fail (message != NULL, FALSE);
  g_return_val_if_fail (out_receiver == NULL || *out_receiver == NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_role_sender (self, message, error))
    {
      janus_message_unref (message);
      return FALSE;
    }
  return janus_role_route_one (RP (self)->player, RP (self)->group, G_OBJECT_TYPE (self),
                               receiver_role, NULL, message, out_receiver, error);
}

/**
 * janus_role_broadcast:
 * @self: the sending role
 * @receiver_role: the type of the receiving roles
 * @message: (transfer full): an unsent message; a pointer body is refused
 *   when there is more than one receiver
 * @n_receivers: (out) (optional): how many received it
 * @error: return location for a [struct@GLib.Error]
 *
 * Sends @message to every player of @receiver_role or of one of its
 * subclasses in the role's group, except the sending agent. Each receiver
 * gets its own message (the body is shared). Broadcasting to nobody
 * succeeds with 0 receivers.
 *
 * Returns: `TRUE` if sent; `FALSE` with @error set otherwise (@message is
 *   released in every case)
 */
gboolean
janus_role_broadcast (JanusRole     *self,
                      GType          receiver_role,
                      JanusMessage  *message,
                      guint         *n_receivers,
                      GError       **error)
{
  JanusRoleSnapshot *snap;
  JanusAgent **players;
  JanusMessageRoute *route;
  Scratch *scratch;
  guint n, i;

  g_return_val_if_fail (JANUS_IS_ROLE (self), FALSE);
  g_return_val_if_fail (g_type_is_a (receiver_role, JANUS_TYPE_ROLE), FALSE);
  g_return_val_if_fail (message != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (n_receivers)
    *n_receivers = 0;
  if (!check_role_sender (self, message, error))
    {
      janus_message_unref (message);
      return FALSE;
    }

  janus_epoch_enter ();
  snap = janus_group_snapshot (RP (self)->group);
  scratch = scratch_take (snap->n);
  players = scratch->players;
  n = collect_receivers (snap, receiver_role, RP (self)->player, players);
  if (n > 1 && janus_message_body_kind (message) == JANUS_BODY_POINTER)
    {
      janus_epoch_exit ();
      scratch_give (scratch);
      g_set_error (error, JANUS_MESSAGE_ERROR, JANUS_MESSAGE_ERROR_POINTER_BODY,
                   "Message “%s” has a pointer body and cannot go to %u receivers",
                   message->subject, n);
      janus_message_unref (message);
      return FALSE;
    }
  route = janus_message_route_shared (janus_group_get_id (RP (self)->group),
                                      G_OBJECT_TYPE (self), receiver_role);
  for (i = 0; i + 1 < n; i++)
    deliver_routed (RP (self)->player, players[i], janus_message_clone_for (message), route);
  if (n > 0)
    deliver_routed (RP (self)->player, players[n - 1], message, route);
  else
    janus_message_unref (message);
  janus_message_route_unref (route);
  janus_epoch_exit ();
  scratch_give (scratch);
  if (n_receivers)
    *n_receivers = n;
  return TRUE;
}

/**
 * janus_role_reply:
 * @self: the replying role
 * @request: a role message this role received
 * @reply: (transfer full): an unsent message
 * @error: return location for a [struct@GLib.Error]
 *
 * Sends @reply to the role that sent @request (same group), into its
 * mailbox.
 *
 * Returns: `TRUE` if sent; `FALSE` with @error set (a direct @request is
 *   `JANUS_MESSAGE_ERROR_NOT_A_ROLE_MESSAGE`); @reply is released in every case
 */
gboolean
janus_role_reply (JanusRole     *self,
                  JanusMessage  *request,
                  JanusMessage  *reply,
                  GError       **error)
{
  JanusMessageRoute *route;
  JanusAgentPrivate *pp;

  g_return_val_if_fail (JANUS_IS_ROLE (self), FALSE);
  g_return_val_if_fail (request != NULL, FALSE);
  g_return_val_if_fail (reply != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_role_sender (self, reply, error))
    goto fail;
  if (request->route == NULL || !janus_message_sent (request)
      || request->route->sender_role == G_TYPE_INVALID)
    {
      g_set_error (error, JANUS_MESSAGE_ERROR, JANUS_MESSAGE_ERROR_NOT_A_ROLE_MESSAGE,
                   "Role %s cannot reply to message “%s”: it was not sent by a role",
                   G_OBJECT_TYPE_NAME (self), request->subject);
      goto fail;
    }
  pp = janus_agent_get_private (RP (self)->player);
  route = janus_message_route_shared (request->route->group_id, G_OBJECT_TYPE (self),
                                      request->route->sender_role);
  janus_message_take_route (reply, route);
  janus_message_seal (reply, &pp->address, &request->sender,
                      janus_runtime_timestamp (pp->runtime));
  janus_runtime_deliver (pp->runtime, reply);
  return TRUE;

fail:
  janus_message_unref (reply);
  return FALSE;
}

/**
 * janus_role_post:
 * @self: a role
 * @message: (transfer full): an unsent message
 *
 * Puts @message into this role's own mailbox, as if the role had sent it to
 * itself: it is read in a later step of the player, by this role only. Any
 * thread may call it — a signal handler running elsewhere uses it to hand
 * work to the role's step. Posting to a role that was left, or whose player
 * died, makes a dead letter of the player's kernel, as long as that kernel
 * exists; a post that crosses the leaving stays in the player's mailbox
 * (only the agent itself sees it) until the agent dies. Once the kernel is
 * gone (its last reference dropped), a post fails with
 * `JANUS_KERNEL_ERROR_STOPPED`: there is nobody left to count it. MT safe.
 *
 * Returns: `TRUE` if sent (or counted as a dead letter); `FALSE` with @error
 *   set if @message was sent before or the kernel is gone (it is released
 *   in every case)
 */
gboolean
janus_role_post (JanusRole     *self,
                 JanusMessage  *message,
                 GError       **error)
{
  JanusRolePrivate *rp;
  JanusRuntime *runtime;

  g_return_val_if_fail (JANUS_IS_ROLE (self), FALSE);
  g_return_val_if_fail (message != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  rp = RP (self);
  if (!janus_message_check_unsent (message, error))
    {
      janus_message_unref (message);
      return FALSE;
    }
  /* the kernel by its UUID (held until released): the role does not own
   * its player's kernel, which may be gone */
  runtime = janus_runtime_find (rp->player_address.kernel);
  if (runtime == NULL)
    {
      g_set_error (error, JANUS_KERNEL_ERROR, JANUS_KERNEL_ERROR_STOPPED,
                   "Cannot post “%s” to role %s of group %s: the kernel of its "
                   "player (agent %" G_GUINT64_FORMAT ") is gone", message->subject,
                   G_OBJECT_TYPE_NAME (self), janus_group_get_uuid (rp->group),
                   rp->player_address.id);
      janus_message_unref (message);
      return FALSE;
    }
  janus_message_take_route (message, janus_message_route_new (janus_group_get_id (rp->group),
                                                             G_OBJECT_TYPE (self),
                                                             G_OBJECT_TYPE (self)));
  message->route->receiver_serial = rp->serial;
  janus_message_seal (message, &rp->player_address, &rp->player_address,
                      janus_runtime_timestamp (runtime));
  if (!atomic_load_explicit (&rp->played, memory_order_acquire))
    janus_runtime_dead_letter (runtime, message);
  else
    janus_runtime_deliver (runtime, message);   /* by address: the player may go */
  janus_runtime_release (runtime);
  return TRUE;
}

/**
 * janus_role_forward:
 * @self: the forwarding role
 * @receiver_role: the type of the receiving role
 * @message: a message whose body is not a pointer (it is not consumed)
 * @out_receiver: (out) (optional) (nullable) (transfer full): where to store
 *   the address of the receiver, or `NULL`
 * @error: return location for a [struct@GLib.Error]
 *
 * Sends a copy of @message (subject, body, priority) from this role to one
 * player of @receiver_role in the group, as [method@Janus.Role.send] does.
 *
 * Returns: `TRUE` if sent; `FALSE` with @error set
 */
gboolean
janus_role_forward (JanusRole     *self,
                    GType          receiver_role,
                    JanusMessage  *message,
                    JanusAddress **out_receiver,
                    GError       **error)
{
  g_return_val_if_fail (JANUS_IS_ROLE (self), FALSE);
  g_return_val_if_fail (message != NULL, FALSE);
  g_return_val_if_fail (janus_message_body_kind (message) != JANUS_BODY_POINTER, FALSE);

  return janus_role_send (self, receiver_role, janus_message_clone_for (message),
                          out_receiver, error);
}

/* -------------------------------------------------------------- timers */

typedef struct
{
  JanusRole          *role;
  JanusRoleTimerFunc  func;
  gpointer            data;
  GDestroyNotify      destroy;
} RoleTimer;

static void
role_timer_run (JanusAgent *agent,
                gpointer    user_data)
{
  RoleTimer *t = user_data;

  /* a role left since does not act any more */
  if (RP (t->role)->played)
    t->func (t->role, t->data);
}

static void
role_timer_free (gpointer user_data)
{
  RoleTimer *t = user_data;

  if (t->destroy != NULL)
    t->destroy (t->data);
  g_object_unref (t->role);
  g_free (t);
}

/* Whether a role timer may be set: the role is played and this is its
 * player's step (checked before anything is allocated, so that a refused
 * call keeps nothing: janus_agent_call_in refuses the same with a
 * critical). */
static gboolean
role_timer_allowed (JanusRole  *self,
                    const char *func)
{
  if (!RP (self)->played)
    {
      g_critical ("%s: role %s is not played", func, G_OBJECT_TYPE_NAME (self));
      return FALSE;
    }
  if (G_UNLIKELY (!janus_agent_check_owner (RP (self)->player)))
    {
      g_critical ("%s: the timers of role %s are set from its player's steps",
                  func, G_OBJECT_TYPE_NAME (self));
      return FALSE;
    }
  return TRUE;
}

static RoleTimer *
role_timer_new (JanusRole          *self,
                JanusRoleTimerFunc  func,
                gpointer            user_data,
                GDestroyNotify      destroy)
{
  RoleTimer *t = g_new (RoleTimer, 1);

  t->role = g_object_ref (self);
  t->func = func;
  t->data = user_data;
  t->destroy = destroy;
  return t;
}

/**
 * janus_role_call_in:
 * @self: a played role (call from its player's step)
 * @delay: microseconds from now on the kernel's clock, 0 or more
 * @func: (scope notified) (closure user_data) (destroy destroy): what to do
 * @user_data: (nullable): data for @func
 * @destroy: (nullable): frees @user_data once the timer ran or was
 *   cancelled
 *
 * A timer of the role: like [method@Janus.Agent.call_in] on its player,
 * except that @func gets the role and does not run if the role was left
 * by then.
 *
 * Returns: the timer's identifier, for [method@Janus.Role.cancel_timer]
 *   (0 if the role is not played)
 */
guint64
janus_role_call_in (JanusRole          *self,
                    gint64              delay,
                    JanusRoleTimerFunc  func,
                    gpointer            user_data,
                    GDestroyNotify      destroy)
{
  g_return_val_if_fail (JANUS_IS_ROLE (self), 0);
  g_return_val_if_fail (func != NULL, 0);
  if (!role_timer_allowed (self, G_STRFUNC))
    return 0;

  return janus_agent_call_in (RP (self)->player, delay, role_timer_run,
                              role_timer_new (self, func, user_data, destroy),
                              role_timer_free);
}

/**
 * janus_role_call_at:
 * @self: a played role (call from its player's step)
 * @time: when, on the kernel's clock
 * @func: (scope notified) (closure user_data) (destroy destroy): what to do
 * @user_data: (nullable): data for @func
 * @destroy: (nullable): frees @user_data once the timer ran or was
 *   cancelled
 *
 * Like [method@Janus.Role.call_in], at the kernel time @time.
 *
 * Returns: the timer's identifier (0 if the role is not played)
 */
guint64
janus_role_call_at (JanusRole          *self,
                    gint64              time,
                    JanusRoleTimerFunc  func,
                    gpointer            user_data,
                    GDestroyNotify      destroy)
{
  g_return_val_if_fail (JANUS_IS_ROLE (self), 0);
  g_return_val_if_fail (func != NULL, 0);
  if (!role_timer_allowed (self, G_STRFUNC))
    return 0;

  return janus_agent_call_at (RP (self)->player, time, role_timer_run,
                              role_timer_new (self, func, user_data, destroy),
                              role_timer_free);
}

/**
 * janus_role_cancel_timer:
 * @self: a role (call from its player's step)
 * @timer_id: an identifier from [method@Janus.Role.call_in] or
 *   [method@Janus.Role.call_at]
 *
 * Cancels a role's timer that has not run yet.
 *
 * Returns: `TRUE` if it was pending and will not run
 */
gboolean
janus_role_cancel_timer (JanusRole *self,
                         guint64    timer_id)
{
  g_return_val_if_fail (JANUS_IS_ROLE (self), FALSE);

  if (!RP (self)->played)
    return FALSE;
  return janus_agent_cancel_timer (RP (self)->player, timer_id);
}

/* ---------------------------------------------------------- capacities */

/**
 * janus_role_get_capacity:
 * @self: a played role
 * @capacity_type: a capacity interface type
 *
 * Gets the player's implementation of @capacity_type, to call it
 * synchronously through its own interface.
 *
 * Returns: (transfer none) (type GObject) (nullable): the implementation,
 *   or `NULL` if the player does not provide it
 */
gpointer
janus_role_get_capacity (JanusRole *self,
                         GType      capacity_type)
{
  g_return_val_if_fail (JANUS_IS_ROLE (self), NULL);

  if (!RP (self)->played)
    return NULL;
  return janus_agent_get_capacity (RP (self)->player, capacity_type);
}

static JanusCapacity *
find_capacity (JanusRole  *self,
               GType       capacity_type,
               GError    **error)
{
  gpointer impl = RP (self)->played
                  ? janus_agent_get_capacity (RP (self)->player, capacity_type) : NULL;

  if (impl == NULL || !JANUS_IS_CAPACITY (impl))
    {
      g_set_error (error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_MISSING_CAPACITY,
                   "Role %s cannot invoke capacity %s: its player does not provide it",
                   G_OBJECT_TYPE_NAME (self), g_type_name (capacity_type));
      return NULL;
    }
  return impl;
}

/* The invocation, with the caller's context visible to the capacity
 * (janus_capacity_context_get_current). */
static GVariant *
invoke_in_context (JanusRole      *self,
                   JanusCapacity  *impl,
                   GType           capacity_type,
                   GVariant       *input,
                   GError        **error)
{
  g_autoptr(GError) failure = NULL;
  JanusCapacityFrame frame;
  GVariant *result;

  janus_capacity_frame_enter (&frame, RP (self)->player, self, RP (self)->group,
                              capacity_type, input, NULL);
  result = janus_capacity_invoke (impl, input, &failure);
  janus_capacity_frame_leave (&frame, result, failure);
  if (failure != NULL)
    g_propagate_error (error, g_steal_pointer (&failure));
  return result;
}

/**
 * janus_role_invoke_capacity:
 * @self: a played role
 * @capacity_type: a capacity interface type
 * @input: (nullable): the input; a floating reference is taken
 * @error: return location for a [struct@GLib.Error]
 *
 * Invokes the player's @capacity_type synchronously, on the calling thread,
 * through [method@Janus.Capacity.invoke].
 *
 * Returns: (transfer full) (nullable): the result, or `NULL` (with @error set
 *   on failure, `JANUS_ORGANIZATION_ERROR_MISSING_CAPACITY` if the player lacks it)
 */
GVariant *
janus_role_invoke_capacity (JanusRole  *self,
                            GType       capacity_type,
                            GVariant   *input,
                            GError    **error)
{
  g_autoptr(GVariant) in = NULL;
  JanusCapacity *impl;

  g_return_val_if_fail (JANUS_IS_ROLE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  in = input ? g_variant_ref_sink (input) : NULL;
  impl = find_capacity (self, capacity_type, error);
  if (impl == NULL)
    return NULL;
  return invoke_in_context (self, impl, capacity_type, in, error);
}

/**
 * janus_role_invoke_capacity_on_worker:
 * @self: a played role
 * @capacity_type: a capacity interface type
 * @input: (nullable): the input; a floating reference is taken
 * @reply_subject: the subject of the answer
 * @error: return location for a [struct@GLib.Error]
 *
 * Invokes the player's @capacity_type on one of the kernel's workers, so
 * the role's step goes on at once. The outcome arrives in this role's
 * mailbox as a message with subject @reply_subject; read it with
 * [method@Janus.Message.get_capacity_result]. The implementation must be
 * thread safe.
 *
 * Returns: `TRUE` if the invocation was scheduled; `FALSE` with @error set
 *   (`JANUS_ORGANIZATION_ERROR_MISSING_CAPACITY`, or the kernel refused the task)
 */
gboolean
janus_role_invoke_capacity_on_worker (JanusRole   *self,
                                  GType        capacity_type,
                                  GVariant    *input,
                                  const char  *reply_subject,
                                  GError     **error)
{
  g_autoptr(GVariant) in = NULL;
  JanusCapacity *impl;

  g_return_val_if_fail (JANUS_IS_ROLE (self), FALSE);
  g_return_val_if_fail (reply_subject != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  in = input ? g_variant_ref_sink (input) : NULL;
  impl = find_capacity (self, capacity_type, error);
  if (impl == NULL)
    return FALSE;
  return janus_capacity_invoke_by_message (impl, in, RP (self)->player, self, RP (self)->group,
                                           capacity_type,
                                           janus_message_route_new (janus_group_get_id (RP (self)->group),
                                                                    G_TYPE_INVALID, G_OBJECT_TYPE (self)),
                                           reply_subject, error);
}

/* ------------------------------------------------------------- GObject */

/**
 * JanusRoleClass::activate:
 * @self: the role
 * @init: (nullable): the init data given to [method@Janus.Agent.request_role]
 * @error: return location for a [struct@GLib.Error]
 *
 * Starts the role. See [struct@Janus.RoleClass].
 *
 * Returns: `TRUE` to take the role, `FALSE` with @error set to refuse
 */

/**
 * JanusRoleClass::live:
 * @self: the role
 *
 * One step of the role. See [struct@Janus.RoleClass].
 *
 * Returns: what the activator does next
 */

/**
 * JanusRoleClass::end:
 * @self: the role
 *
 * Stops the role. See [struct@Janus.RoleClass].
 */

static gboolean
janus_role_real_activate (JanusRole  *self,
                          GVariant   *init,
                          GError    **error)
{
  return TRUE;
}

static JanusLive
janus_role_real_live (JanusRole *self)
{
  return JANUS_LIVE_WAIT;
}

static void
janus_role_real_end (JanusRole *self)
{
}

static void
janus_role_finalize (GObject *object)
{
  JanusRolePrivate *rp = RP (JANUS_ROLE (object));

  g_clear_object (&rp->group);

  G_OBJECT_CLASS (janus_role_parent_class)->finalize (object);
}

static void
janus_role_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  JanusRole *self = JANUS_ROLE (object);

  switch (prop_id)
    {
    case PROP_PLAYER:
      g_value_set_object (value, janus_role_get_player (self));
      break;
    case PROP_GROUP:
      g_value_set_object (value, janus_role_get_group (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static JanusAgent *
player_of (JanusRole *role)
{
  return RP (role)->player;
}

static void
janus_role_class_init (JanusRoleClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  /* before any role exists, so before any group holds one */
  janus_group_install_player_func (player_of);

  object_class->finalize = janus_role_finalize;
  object_class->get_property = janus_role_get_property;

  klass->activate = janus_role_real_activate;
  klass->live = janus_role_real_live;
  klass->end = janus_role_real_end;

  /**
   * JanusRole:player: (attributes org.gtk.Property.get=janus_role_get_player)
   *
   * The agent playing the role, `NULL` once it was left.
   */
  properties[PROP_PLAYER] =
    g_param_spec_object ("player", NULL, NULL, JANUS_TYPE_AGENT,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * JanusRole:group: (attributes org.gtk.Property.get=janus_role_get_group)
   *
   * The group the role is played in.
   */
  properties[PROP_GROUP] =
    g_param_spec_object ("group", NULL, NULL, JANUS_TYPE_GROUP,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
janus_role_init (JanusRole *self)
{
}
