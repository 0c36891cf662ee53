/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "janus-agent-private.h"
#include "janus-condition.h"
#include "janus-error.h"
#include "janus-group-private.h"
#include "janus-kernel-private.h"
#include "janus-message-private.h"
#include "janus-organization-private.h"

/**
 * JanusOrganization:
 *
 * A kind of collective: a class-level list of the role types agents can
 * play in its groups, each with an optional cardinality (the most players a
 * group accepts for it). Each kernel has exactly one instance of each
 * organization class ([method@Janus.Kernel.get_organization]); its groups
 * ([class@Janus.Group]) are the places where agents play the roles.
 *
 * ```c
 * static void
 * market_organization_class_init (MarketOrganizationClass *klass)
 * {
 *   JanusOrganizationClass *org_class = JANUS_ORGANIZATION_CLASS (klass);
 *
 *   janus_organization_class_add_role (org_class, BUYER_TYPE_ROLE, 1);
 *   janus_organization_class_add_role (org_class, SELLER_TYPE_ROLE, 0);
 * }
 * ```
 *
 * A group accepts a role of a listed type or of one of its subclasses; the
 * cardinality of a listed type counts the players of all of them.
 *
 * An organization holds its living groups; the kernel's functions that make
 * and find groups ([method@Janus.Kernel.create_group] and friends) are
 * implemented here, on the kernel's table of organizations.
 *
 * The idle time-outs of persistent groups
 * ([property@Janus.Group:idle-timeout]) run on the kernel's clock: while
 * one is armed, the kernel runs a small internal agent, named
 * `janus-group-keeper`, that holds their timers (it counts among the
 * kernel's agents, so [method@Janus.Kernel.run] returns once no time-out
 * is pending); it ends when none is left.
 */

typedef struct
{
  GType role_type;
  guint max_players;            /* 0: no limit */
} RoleSpec;

/* The class-level list, shared by subclasses until one adds a role (copy on
 * write: the owner is the class that created the array). */
typedef struct
{
  GType   owner;
  GArray *specs;                /* of RoleSpec */
} RoleList;

typedef struct
{
  JanusKernel *kernel;          /* borrowed: the kernel owns its organizations;
                                 * cleared (under lock) when it shuts down */
  GMutex       lock;            /* guards groups, kernel */
  GPtrArray   *groups;          /* JanusGroup, strong, living, oldest first */
} JanusOrganizationPrivate;

G_DEFINE_TYPE_WITH_PRIVATE (JanusOrganization, janus_organization, G_TYPE_OBJECT)

static RoleList *
role_list_for_write (JanusOrganizationClass *klass)
{
  RoleList *list = klass->roles, *copy;
  GType type = G_TYPE_FROM_CLASS (klass);

  if (list != NULL && list->owner == type)
    return list;
  /* class data lives as long as the type: the parent's list stays valid */
  copy = g_new0 (RoleList, 1);
  copy->owner = type;
  copy->specs = g_array_new (FALSE, FALSE, sizeof (RoleSpec));
  if (list != NULL)
    g_array_append_vals (copy->specs, list->specs->data, list->specs->len);
  klass->roles = copy;
  return copy;
}

/* Whether an organization of @type, or of a subtype (which shares the
 * list until it lists a role of its own), was made: its role list is then
 * read by role requests on any thread, without a lock, and may no longer
 * change. */
static GQuark
instantiated_quark (void)
{
  static GQuark quark;

  if (G_UNLIKELY (quark == 0))
    quark = g_quark_from_static_string ("janus-organization-instantiated");
  return quark;
}

static gboolean
organization_type_instantiated (GType type)
{
  return g_type_get_qdata (type, instantiated_quark ()) != NULL;
}

static void
organization_type_mark_instantiated (GType type)
{
  for (; type != JANUS_TYPE_ORGANIZATION && type != G_TYPE_INVALID; type = g_type_parent (type))
    if (!organization_type_instantiated (type))
      g_type_set_qdata (type, instantiated_quark (), GINT_TO_POINTER (TRUE));
}

/**
 * janus_organization_class_add_role:
 * @klass: an organization class
 * @role_type: a subtype of [class@Janus.Role]
 * @max_players: the most players of this role a group accepts, 0 for no
 *   limit
 *
 * Lists @role_type in the organization. Call it from `class_init`; adding
 * a type again replaces its cardinality. Once an organization of this class
 * (or of a subclass) was made, its roles no longer change: the call is
 * refused with a critical.
 */
void
janus_organization_class_add_role (JanusOrganizationClass *klass,
                                   GType                   role_type,
                                   guint                   max_players)
{
  RoleList *list;
  guint i;

  g_return_if_fail (JANUS_IS_ORGANIZATION_CLASS (klass));
  g_return_if_fail (g_type_is_a (role_type, JANUS_TYPE_ROLE));
  /* the list is read without a lock by every role request */
  g_return_if_fail (!organization_type_instantiated (G_TYPE_FROM_CLASS (klass)));

  list = role_list_for_write (klass);
  for (i = 0; i < list->specs->len; i++)
    {
      RoleSpec *spec = &g_array_index (list->specs, RoleSpec, i);
      if (spec->role_type == role_type)
        {
          spec->max_players = max_players;
          return;
        }
    }
  g_array_append_val (list->specs, ((RoleSpec) { role_type, max_players }));
}

/**
 * janus_organization_type_add_role:
 * @organization_type: a subtype of [class@Janus.Organization]
 * @role_type: a subtype of [class@Janus.Role]
 * @max_players: the most players per group, 0 for no limit
 *
 * Like [method@Janus.OrganizationClass.add_role], for a class given by its
 * `GType` (language bindings). Call it before the organization is first
 * instantiated (in any kernel); later calls are refused with a critical.
 */
void
janus_organization_type_add_role (GType organization_type,
                                  GType role_type,
                                  guint max_players)
{
  JanusOrganizationClass *klass;

  g_return_if_fail (g_type_is_a (organization_type, JANUS_TYPE_ORGANIZATION));

  klass = g_type_class_ref (organization_type);
  janus_organization_class_add_role (klass, role_type, max_players);
  g_type_class_unref (klass);
}

JanusOrganization *
janus_organization_new_for_kernel (GType        type,
                                   JanusKernel *kernel)
{
  /* the first instance initializes the class (its class_init lists the
   * roles): marked once made, before anybody can request a role in it */
  JanusOrganization *self = g_object_new (type, NULL);

  organization_type_mark_instantiated (type);

  ((JanusOrganizationPrivate *) janus_organization_get_instance_private (self))->kernel = kernel;
  return self;
}

/* The listed type @role_type conforms to (itself or its nearest listed
 * ancestor), or G_TYPE_INVALID. */
GType
janus_organization_listed_role (JanusOrganization *self,
                                GType              role_type,
                                guint             *max_players)
{
  RoleList *list = JANUS_ORGANIZATION_GET_CLASS (self)->roles;
  GType best = G_TYPE_INVALID;
  guint i, best_depth = 0;

  if (list == NULL)
    return G_TYPE_INVALID;
  /* a listed type itself is its own nearest listed ancestor: found without
   * walking the type hierarchy (the common case) */
  for (i = 0; i < list->specs->len; i++)
    {
      RoleSpec *spec = &g_array_index (list->specs, RoleSpec, i);
      if (spec->role_type == role_type)
        {
          if (max_players)
            *max_players = spec->max_players;
          return role_type;
        }
    }
  for (i = 0; i < list->specs->len; i++)
    {
      RoleSpec *spec = &g_array_index (list->specs, RoleSpec, i);
      if (g_type_is_a (role_type, spec->role_type)
          && g_type_depth (spec->role_type) > best_depth)
        {
          best = spec->role_type;
          best_depth = g_type_depth (spec->role_type);
          if (max_players)
            *max_players = spec->max_players;
        }
    }
  return best;
}

/**
 * janus_organization_get_kernel:
 * @self: an organization
 *
 * Gets the kernel the organization belongs to, until it shuts down: the
 * kernel owns its organizations, which refer to it without owning it, and
 * forget it when it shuts down (a group, a role or the application may
 * keep an organization longer). MT safe.
 *
 * Returns: (transfer none) (nullable): the kernel, or `NULL` once it shut
 *   down
 */
JanusKernel *
janus_organization_get_kernel (JanusOrganization *self)
{
  JanusOrganizationPrivate *priv;
  JanusKernel *kernel;

  g_return_val_if_fail (JANUS_IS_ORGANIZATION (self), NULL);

  priv = janus_organization_get_instance_private (self);
  g_mutex_lock (&priv->lock);
  kernel = priv->kernel;
  g_mutex_unlock (&priv->lock);
  return kernel;
}

/**
 * janus_organization_list_role_types:
 * @self: an organization
 * @n_types: (out): the number of types returned
 *
 * Lists the role types of the organization, in the order they were added
 * (a parent class's first).
 *
 * Returns: (transfer full) (array length=n_types): the role types
 */
GType *
janus_organization_list_role_types (JanusOrganization *self,
                                    guint             *n_types)
{
  RoleList *list;
  GType *types;
  guint i, n;

  g_return_val_if_fail (JANUS_IS_ORGANIZATION (self), NULL);
  g_return_val_if_fail (n_types != NULL, NULL);

  list = JANUS_ORGANIZATION_GET_CLASS (self)->roles;
  n = list ? list->specs->len : 0;
  types = g_new0 (GType, n + 1);
  for (i = 0; i < n; i++)
    types[i] = g_array_index (list->specs, RoleSpec, i).role_type;
  *n_types = n;
  return types;
}

/**
 * janus_organization_lists_role:
 * @self: an organization
 * @role_type: a role type
 *
 * Tells whether the organization accepts roles of type @role_type (listed,
 * or a subclass of a listed type).
 *
 * Returns: whether @role_type can be played in the organization's groups
 */
gboolean
janus_organization_lists_role (JanusOrganization *self,
                               GType              role_type)
{
  g_return_val_if_fail (JANUS_IS_ORGANIZATION (self), FALSE);

  return janus_organization_listed_role (self, role_type, NULL) != G_TYPE_INVALID;
}

/**
 * janus_organization_get_max_players:
 * @self: an organization
 * @role_type: a role type the organization lists
 *
 * Gets the cardinality of the listed type @role_type conforms to.
 *
 * Returns: the most players a group accepts, 0 for no limit (or if the type
 *   is not listed)
 */
guint
janus_organization_get_max_players (JanusOrganization *self,
                                    GType              role_type)
{
  guint max = 0;

  g_return_val_if_fail (JANUS_IS_ORGANIZATION (self), 0);

  janus_organization_listed_role (self, role_type, &max);
  return max;
}

static void
add_group (JanusOrganization *self,
           JanusGroup        *group)
{
  JanusOrganizationPrivate *priv = janus_organization_get_instance_private (self);

  g_mutex_lock (&priv->lock);
  g_ptr_array_add (priv->groups, g_object_ref (group));
  g_mutex_unlock (&priv->lock);
}

/* @group died (its last member left, it expired or was removed): the
 * organization lets it go and the kernel tells. */
void
janus_organization_remove_group (JanusOrganization *self,
                                 JanusGroup        *group)
{
  JanusOrganizationPrivate *priv = janus_organization_get_instance_private (self);
  JanusKernel *kernel = NULL;
  gboolean had;
  guint i;

  g_mutex_lock (&priv->lock);
  had = g_ptr_array_find (priv->groups, group, &i);
  if (had)
    {
      g_ptr_array_steal_index (priv->groups, i);     /* keeps the order */
      /* read with the list: a kernel that shuts down clears both at once.
       * The caller (the kernel's remove_group, an agent's step, the
       * keeper) keeps the kernel alive meanwhile. */
      kernel = priv->kernel;
    }
  g_mutex_unlock (&priv->lock);
  if (!had)
    return;
  /* outside the lock; the reference goes afterwards: the last one runs
   * the group's finalize */
  if (kernel != NULL)
    janus_kernel_emit_group_removed (kernel, group);
  g_object_unref (group);
}

/* The kernel shuts down: every group is detached and let go. */
static void
release_groups (JanusOrganization *self)
{
  JanusOrganizationPrivate *priv = janus_organization_get_instance_private (self);
  g_autoptr(GPtrArray) groups = NULL;
  guint i;

  g_mutex_lock (&priv->lock);
  groups = g_steal_pointer (&priv->groups);
  priv->groups = g_ptr_array_new_with_free_func (g_object_unref);
  /* whoever keeps the organization (a group does) must not reach the
   * kernel once it is gone */
  priv->kernel = NULL;
  g_mutex_unlock (&priv->lock);
  for (i = 0; i < groups->len; i++)
    janus_group_detach (groups->pdata[i]);
}

/* The oldest living group, with a new reference, or NULL. */
JanusGroup *
janus_organization_first_group (JanusOrganization *self)
{
  JanusOrganizationPrivate *priv = janus_organization_get_instance_private (self);
  JanusGroup *group = NULL;

  g_mutex_lock (&priv->lock);
  if (priv->groups->len > 0)
    group = g_object_ref (priv->groups->pdata[0]);
  g_mutex_unlock (&priv->lock);
  return group;
}

/**
 * janus_organization_list_groups:
 * @self: an organization
 *
 * Lists the living groups of the organization, oldest first.
 *
 * Returns: (transfer container) (element-type JanusGroup): the groups
 */
GPtrArray *
janus_organization_list_groups (JanusOrganization *self)
{
  JanusOrganizationPrivate *priv;
  GPtrArray *groups;
  guint i;

  g_return_val_if_fail (JANUS_IS_ORGANIZATION (self), NULL);

  priv = janus_organization_get_instance_private (self);
  groups = g_ptr_array_new_with_free_func (g_object_unref);
  g_mutex_lock (&priv->lock);
  for (i = 0; i < priv->groups->len; i++)
    g_ptr_array_add (groups, g_object_ref (priv->groups->pdata[i]));
  g_mutex_unlock (&priv->lock);
  return groups;
}

/* --------------------------------------- the kernel's organizations
 *
 * Each kernel has one instance of each organization class, kept in a table
 * attached to the kernel (the kernel itself knows nothing of CRIO). When the
 * kernel shuts down, once its agents are dead, the groups are detached and
 * the organizations dropped. */

typedef struct
{
  GMutex      lock;
  GHashTable *organizations;    /* GType -> JanusOrganization, strong */
  /* the idle time-outs (guarded by lock) */
  JanusAgent *keeper;           /* strong, while it has work */
  gboolean    keeper_launched;  /* FALSE while its launch is under way */
  GPtrArray  *keeper_early;     /* Arm: made meanwhile, posted once it is launched */
  guint       keeper_pending;   /* arms on their way to it, early ones included */
  /* held while a group is checked and added, so UUIDs stay unique */
  GMutex      create_lock;
  atomic_bool ready;            /* set (release) once initialized */
} KernelTable;

static void
kernel_table_free (gpointer data)
{
  KernelTable *table = data;

  g_hash_table_unref (table->organizations);
  g_clear_object (&table->keeper);
  g_clear_pointer (&table->keeper_early, g_ptr_array_unref);
  g_mutex_clear (&table->lock);
  g_mutex_clear (&table->create_lock);
  g_free (table);
}

/* The organizations of the kernel, with a new reference each. */
static GPtrArray *
list_organizations (KernelTable *table)
{
  GPtrArray *orgs = g_ptr_array_new_with_free_func (g_object_unref);
  GHashTableIter iter;
  gpointer value;

  g_mutex_lock (&table->lock);
  g_hash_table_iter_init (&iter, table->organizations);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (orgs, g_object_ref (value));
  g_mutex_unlock (&table->lock);
  return orgs;
}

static void
kernel_shut_down (JanusKernel *kernel,
                  gpointer     data)
{
  KernelTable *table = data;
  g_autoptr(GPtrArray) orgs = list_organizations (table);
  guint i;

  for (i = 0; i < orgs->len; i++)
    release_groups (orgs->pdata[i]);
  g_mutex_lock (&table->lock);
  g_hash_table_remove_all (table->organizations);
  g_mutex_unlock (&table->lock);
}

/* The kernel's table, made on first use by whichever thread comes first.
 * It is published through the kernel's qdata (GLib's own locking); the
 * release store of ready, read with acquire by every user, makes its
 * initialization visible in C11 terms too (and to ThreadSanitizer, which
 * does not see inside GLib). */
static KernelTable *
kernel_table (JanusKernel *kernel)
{
  static _Atomic GQuark quark_cache;
  GQuark quark = atomic_load_explicit (&quark_cache, memory_order_relaxed);
  KernelTable *table;

  if (G_UNLIKELY (quark == 0))
    {
      quark = g_quark_from_static_string ("janus-kernel-organizations");
      atomic_store_explicit (&quark_cache, quark, memory_order_relaxed);
    }
  table = g_object_get_qdata (G_OBJECT (kernel), quark);
  if (table != NULL)
    {
      (void) atomic_load_explicit (&table->ready, memory_order_acquire);
      return table;
    }
  table = g_new0 (KernelTable, 1);
  g_mutex_init (&table->lock);
  g_mutex_init (&table->create_lock);
  table->organizations = g_hash_table_new_full (NULL, NULL, NULL, g_object_unref);
  atomic_store_explicit (&table->ready, TRUE, memory_order_release);
  if (g_object_replace_qdata (G_OBJECT (kernel), quark, NULL, table, kernel_table_free, NULL))
    {
      janus_kernel_add_shutdown_hook (kernel, kernel_shut_down, table);
      return table;
    }
  kernel_table_free (table);
  table = g_object_get_qdata (G_OBJECT (kernel), quark);
  (void) atomic_load_explicit (&table->ready, memory_order_acquire);
  return table;
}

/* Every living group of the kernel, with a new reference each. */
static GPtrArray *
list_kernel_groups (JanusKernel *kernel)
{
  g_autoptr(GPtrArray) orgs = list_organizations (kernel_table (kernel));
  GPtrArray *groups = g_ptr_array_new_with_free_func (g_object_unref);
  guint i;

  for (i = 0; i < orgs->len; i++)
    {
      g_autoptr(GPtrArray) some = janus_organization_list_groups (orgs->pdata[i]);
      g_ptr_array_extend_and_steal (groups, g_steal_pointer (&some));
    }
  return groups;
}


/**
 * janus_kernel_get_organization:
 * @self: a kernel
 * @organization_type: a subtype of [class@Janus.Organization], not abstract
 *
 * Gets the kernel's one instance of @organization_type, made on first use.
 * MT safe.
 *
 * Returns: (transfer none): the organization, owned by the kernel
 */
JanusOrganization *
janus_kernel_get_organization (JanusKernel *self,
                               GType        organization_type)
{
  JanusOrganization *org, *fresh;
  KernelTable *table;

  g_return_val_if_fail (JANUS_IS_KERNEL (self), NULL);
  g_return_val_if_fail (g_type_is_a (organization_type, JANUS_TYPE_ORGANIZATION), NULL);
  g_return_val_if_fail (!G_TYPE_IS_ABSTRACT (organization_type), NULL);

  table = kernel_table (self);
  g_mutex_lock (&table->lock);
  org = g_hash_table_lookup (table->organizations, GSIZE_TO_POINTER (organization_type));
  g_mutex_unlock (&table->lock);
  if (org != NULL)
    return org;

  /* built outside the lock: its instance init is user code */
  fresh = janus_organization_new_for_kernel (organization_type, self);
  g_mutex_lock (&table->lock);
  org = g_hash_table_lookup (table->organizations, GSIZE_TO_POINTER (organization_type));
  if (org == NULL)
    {
      org = fresh;
      fresh = NULL;
      g_hash_table_insert (table->organizations, GSIZE_TO_POINTER (organization_type), org);
    }
  g_mutex_unlock (&table->lock);
  g_clear_object (&fresh);
  return org;
}

/* ------------------------------------------- idle time-outs (keeper) */

#define JANUS_TYPE_GROUP_KEEPER (janus_group_keeper_get_type ())
G_DECLARE_FINAL_TYPE (JanusGroupKeeper, janus_group_keeper, JANUS, GROUP_KEEPER, JanusAgent)

/* An internal light agent that holds the timers of the kernel's armed idle
 * time-outs; its counters belong to its steps. */
struct _JanusGroupKeeper
{
  JanusAgent   parent_instance;
  KernelTable *table;           /* borrowed: the kernel's, which outlives it */
  guint        armed;
};

G_DEFINE_FINAL_TYPE (JanusGroupKeeper, janus_group_keeper, JANUS_TYPE_AGENT)

static void
janus_group_keeper_class_init (JanusGroupKeeperClass *klass)
{
}

static void
janus_group_keeper_init (JanusGroupKeeper *self)
{
}

typedef struct
{
  JanusGroup *group;
  gint64      due;
} Arm;

static void
arm_free (gpointer data)
{
  Arm *arm = data;

  g_object_unref (arm->group);
  g_free (arm);
}

/* In the keeper's step: ends it if no time-out is armed nor on its way. */
static void
keeper_maybe_end (JanusGroupKeeper *self)
{
  KernelTable *table = self->table;
  JanusAgent *released = NULL;

  g_mutex_lock (&table->lock);
  if (self->armed == 0 && table->keeper_pending == 0 && table->keeper == JANUS_AGENT (self))
    released = g_steal_pointer (&table->keeper);
  g_mutex_unlock (&table->lock);
  if (released != NULL)
    {
      janus_agent_kill_me (released);
      /* the kernel keeps its own reference until the agent died */
      g_object_unref (released);
    }
}

static void
keeper_expire (JanusAgent *agent,
               gpointer    data)
{
  JanusGroupKeeper *self = JANUS_GROUP_KEEPER (agent);
  Arm *arm = data;

  if (janus_group_expire_idle (arm->group, janus_kernel_get_time (janus_agent_get_kernel (agent))))
    janus_organization_remove_group (janus_group_get_organization (arm->group), arm->group);
  self->armed--;
  keeper_maybe_end (self);
}

static void
keeper_take_arm (JanusAgent *agent,
                 gpointer    data)
{
  JanusGroupKeeper *self = JANUS_GROUP_KEEPER (agent);
  Arm *arm = data, *copy = g_new (Arm, 1);

  g_mutex_lock (&self->table->lock);
  if (self->table->keeper == agent && self->table->keeper_pending > 0)
    self->table->keeper_pending--;
  g_mutex_unlock (&self->table->lock);
  copy->group = g_object_ref (arm->group);
  copy->due = arm->due;
  self->armed++;
  janus_agent_call_at (agent, copy->due, keeper_expire, copy, arm_free);
}

static Arm *
arm_new (JanusGroup *group,
         gint64      due)
{
  Arm *arm = g_new (Arm, 1);

  arm->group = g_object_ref (group);
  arm->due = due;
  return arm;
}

/* Arms @group's expiry at kernel time @due: the keeper (launched if none
 * runs) removes the group then, if it is still idle. Any thread. The thread
 * that makes the keeper launches it outside the lock; an arm made by
 * another thread meanwhile waits in keeper_early (a keeper that is not
 * launched yet takes no task), and the launching thread posts it. */
static void
keeper_arm (JanusKernel *kernel,
            JanusGroup  *group,
            gint64       due)
{
  KernelTable *table = kernel_table (kernel);
  g_autoptr(JanusAgent) keeper = NULL;
  g_autoptr(GPtrArray) early = NULL;
  gboolean launch = FALSE;

  g_mutex_lock (&table->lock);
  /* a keeper somebody killed is replaced */
  if (table->keeper != NULL && table->keeper_launched
      && janus_agent_get_state (table->keeper) >= JANUS_AGENT_STATE_DYING)
    {
      g_clear_object (&table->keeper);
      table->keeper_pending = 0;
    }
  if (table->keeper == NULL)
    {
      JanusGroupKeeper *fresh = g_object_new (JANUS_TYPE_GROUP_KEEPER, NULL);
      fresh->table = table;
      table->keeper = JANUS_AGENT (fresh);
      table->keeper_launched = FALSE;
      launch = TRUE;
    }
  /* the keeper does not end while an arm is on its way */
  table->keeper_pending++;
  if (!launch && !table->keeper_launched)
    {
      if (table->keeper_early == NULL)
        table->keeper_early = g_ptr_array_new_with_free_func (arm_free);
      g_ptr_array_add (table->keeper_early, arm_new (group, due));
      g_mutex_unlock (&table->lock);
      return;
    }
  keeper = g_object_ref (table->keeper);
  g_mutex_unlock (&table->lock);

  if (launch)
    {
      gboolean launched = janus_kernel_launch_light_agent (kernel, keeper, "janus-group-keeper",
                                                           NULL, NULL);

      g_mutex_lock (&table->lock);
      early = g_steal_pointer (&table->keeper_early);
      if (launched)
        table->keeper_launched = TRUE;
      else
        {
          /* the kernel is stopping: its groups go with it */
          table->keeper_pending -= 1 + (early ? early->len : 0);
          if (table->keeper == keeper)
            g_clear_object (&table->keeper);
        }
      g_mutex_unlock (&table->lock);
      if (!launched)
        return;
      while (early != NULL && early->len > 0)
        janus_agent_invoke (keeper, keeper_take_arm,
                            g_ptr_array_steal_index_fast (early, early->len - 1), arm_free);
    }
  janus_agent_invoke (keeper, keeper_take_arm, arm_new (group, due), arm_free);
}

/* A change that may have made @group idle (a role left, the time-out or
 * persistence set): arms its expiry if it now has one. */
static void
maybe_arm (JanusGroup *group)
{
  gint64 due = janus_group_idle_due (group);
  g_autoptr(JanusKernel) kernel = NULL;

  /* a reference: the group may be reconfigured on a thread that holds
   * none while the application drops the kernel */
  if (due < 0 || (kernel = janus_group_dup_kernel (group)) == NULL)
    return;
  keeper_arm (kernel, group, due);
}

/* -------------------------------------------------------- making groups */

static gboolean
uuid_taken (JanusKernel *kernel,
            const char  *uuid)
{
  g_autoptr(GPtrArray) groups = list_kernel_groups (kernel);
  guint i;

  for (i = 0; i < groups->len; i++)
    if (g_ascii_strcasecmp (janus_group_get_uuid (groups->pdata[i]), uuid) == 0)
      return TRUE;
  return FALSE;
}

/**
 * janus_kernel_create_group:
 * @self: a kernel
 * @organization_type: a subtype of [class@Janus.Organization], not abstract
 * @error: return location for a [struct@GLib.Error]
 *
 * Makes a new group of @organization_type (with a fresh UUID). It lives
 * until its last member leaves (unless made persistent) or the kernel goes.
 * [signal@Janus.Kernel::group-created] tells. MT safe.
 *
 * Returns: (transfer full) (nullable): the group, or `NULL` with
 *   `JANUS_KERNEL_ERROR_STOPPED` if the kernel is shutting down
 */
JanusGroup *
janus_kernel_create_group (JanusKernel  *self,
                           GType         organization_type,
                           GError      **error)
{
  return janus_kernel_create_group_full (self, organization_type, NULL, NULL, NULL,
                                         NULL, NULL, error);
}

static void
add_conditions (JanusGroup      *group,
                JanusCondition **conditions,
                gboolean         leave)
{
  for (; conditions != NULL && *conditions != NULL; conditions++)
    {
      if (leave)
        janus_group_add_leave_condition (group, *conditions);
      else
        janus_group_add_obtain_condition (group, *conditions);
    }
}

static gboolean
conditions_valid (JanusCondition **conditions)
{
  for (; conditions != NULL && *conditions != NULL; conditions++)
    if (!JANUS_IS_CONDITION (*conditions))
      return FALSE;
  return TRUE;
}

/* Makes a group, or with @reuse returns the oldest living one of
 * @organization_type if there is one: checked and made under create_lock,
 * so that concurrent callers get the same group. */
static JanusGroup *
make_group (JanusKernel     *self,
            GType            organization_type,
            const char      *name,
            const char      *uuid,
            JanusCondition  *membership,
            JanusCondition **obtain_conditions,
            JanusCondition **leave_conditions,
            gboolean         reuse,
            GError         **error)
{
  JanusOrganization *org;
  KernelTable *table;
  JanusGroup *group;

  org = janus_kernel_get_organization (self, organization_type);
  table = kernel_table (self);
  g_mutex_lock (&table->create_lock);
  if (reuse && (group = janus_organization_first_group (org)) != NULL)
    {
      g_mutex_unlock (&table->create_lock);
      return group;
    }
  if (janus_kernel_is_stopping (self))
    {
      g_mutex_unlock (&table->create_lock);
      g_set_error (error, JANUS_KERNEL_ERROR, JANUS_KERNEL_ERROR_STOPPED,
                   "Kernel %s is shutting down: cannot create a group of %s",
                   janus_kernel_get_uuid (self), g_type_name (organization_type));
      return NULL;
    }
  if (uuid != NULL && uuid_taken (self, uuid))
    {
      g_mutex_unlock (&table->create_lock);
      g_set_error (error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_GROUP_EXISTS,
                   "Kernel %s has a group %s already", janus_kernel_get_uuid (self), uuid);
      return NULL;
    }
  group = janus_group_new (self, org, name, uuid);
  if (membership != NULL)
    janus_group_set_membership_policy (group, membership);
  add_conditions (group, obtain_conditions, FALSE);
  add_conditions (group, leave_conditions, TRUE);
  janus_group_set_idle_watch (group, maybe_arm);
  add_group (org, group);
  g_mutex_unlock (&table->create_lock);
  janus_kernel_emit_group_created (self, group);
  return group;
}

/**
 * janus_kernel_create_group_full:
 * @self: a kernel
 * @organization_type: a subtype of [class@Janus.Organization], not abstract
 * @name: (nullable): a name for the group, or `NULL`
 * @uuid: (nullable): the group's UUID, or `NULL` for a fresh one
 * @membership: (nullable): the group's membership policy
 *   ([method@Janus.Group.set_membership_policy]), or `NULL`
 * @obtain_conditions: (nullable) (array zero-terminated=1): the group's
 *   obtain conditions, in the order to check them, or `NULL`
 * @leave_conditions: (nullable) (array zero-terminated=1): its leave
 *   conditions, or `NULL`
 * @error: return location for a [struct@GLib.Error]
 *
 * Makes a new group of @organization_type with a name, a chosen UUID and
 * its conditions (Janus's `createGroup(organization, obtainConditions,
 * leaveConditions, groupName)` and `getOrCreateGroup(id, …)`). The group
 * has its conditions before anybody can find it. A chosen UUID lets
 * several processes name the same group. MT safe.
 *
 * ```c
 * g_autoptr(JanusCondition) adults = janus_condition_new ("adults", is_adult, NULL, NULL);
 * g_autoptr(JanusGroup) group =
 *   janus_kernel_create_group_full (kernel, MARKET_TYPE_ORGANIZATION, "market",
 *                                   "3f2a9c1e-2b1d-4c8e-9a57-1d2e3f4a5b6c", NULL,
 *                                   (JanusCondition *[]) { adults, NULL }, NULL, &error);
 * ```
 *
 * Returns: (transfer full) (nullable): the group, or `NULL` with @error
 *   set: `JANUS_KERNEL_ERROR_STOPPED` if the kernel is shutting down,
 *   `JANUS_ORGANIZATION_ERROR_INVALID_UUID` if @uuid is not a UUID,
 *   `JANUS_ORGANIZATION_ERROR_GROUP_EXISTS` if the kernel has a living
 *   group with that UUID
 */
JanusGroup *
janus_kernel_create_group_full (JanusKernel     *self,
                                GType            organization_type,
                                const char      *name,
                                const char      *uuid,
                                JanusCondition  *membership,
                                JanusCondition **obtain_conditions,
                                JanusCondition **leave_conditions,
                                GError         **error)
{
  g_return_val_if_fail (JANUS_IS_KERNEL (self), NULL);
  g_return_val_if_fail (g_type_is_a (organization_type, JANUS_TYPE_ORGANIZATION), NULL);
  g_return_val_if_fail (!G_TYPE_IS_ABSTRACT (organization_type), NULL);
  g_return_val_if_fail (membership == NULL || JANUS_IS_CONDITION (membership), NULL);
  g_return_val_if_fail (conditions_valid (obtain_conditions), NULL);
  g_return_val_if_fail (conditions_valid (leave_conditions), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (janus_kernel_is_stopping (self))
    {
      g_set_error (error, JANUS_KERNEL_ERROR, JANUS_KERNEL_ERROR_STOPPED,
                   "Kernel %s is shutting down: cannot create a group of %s",
                   janus_kernel_get_uuid (self), g_type_name (organization_type));
      return NULL;
    }
  if (uuid != NULL && !g_uuid_string_is_valid (uuid))
    {
      g_set_error (error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_INVALID_UUID,
                   "“%s” is not a UUID: cannot create a group of %s with it",
                   uuid, g_type_name (organization_type));
      return NULL;
    }
  return make_group (self, organization_type, name, uuid, membership, obtain_conditions,
                     leave_conditions, FALSE, error);
}

/**
 * janus_kernel_remove_group:
 * @self: a kernel
 * @group: a group of @self with no member
 * @error: return location for a [struct@GLib.Error]
 *
 * Removes an empty group, persistent or not: it can no longer be found
 * nor joined, and [signal@Janus.Kernel::group-removed] tells. A group
 * with members is refused: its roles belong to their players, which leave
 * them from their own steps. MT safe.
 *
 * Returns: `TRUE` if removed; `FALSE` with @error set
 *   (`JANUS_ORGANIZATION_ERROR_GROUP_NOT_EMPTY`,
 *   `JANUS_ORGANIZATION_ERROR_NOT_A_MEMBER` for a group that is gone
 *   already, `JANUS_ORGANIZATION_ERROR_WRONG_KERNEL`, or
 *   `JANUS_KERNEL_ERROR_STOPPED` once @self shuts down and its groups went)
 */
gboolean
janus_kernel_remove_group (JanusKernel  *self,
                           JanusGroup   *group,
                           GError      **error)
{
  JanusKernel *kernel;

  g_return_val_if_fail (JANUS_IS_KERNEL (self), FALSE);
  g_return_val_if_fail (JANUS_IS_GROUP (group), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  kernel = janus_organization_get_kernel (janus_group_get_organization (group));
  if (kernel == NULL && janus_kernel_is_stopping (self))
    {
      /* the kernel's shutdown let go of its groups (this one or not): not
       * a question of the wrong kernel */
      g_set_error (error, JANUS_KERNEL_ERROR, JANUS_KERNEL_ERROR_STOPPED,
                   "Kernel %s is shutting down: its groups went with it, group %s too",
                   janus_kernel_get_uuid (self), janus_group_get_uuid (group));
      return FALSE;
    }
  if (kernel != self)
    {
      g_set_error (error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_WRONG_KERNEL,
                   "Group %s is not a group of kernel %s", janus_group_get_uuid (group),
                   janus_kernel_get_uuid (self));
      return FALSE;
    }
  if (!janus_group_retire (group, error))
    return FALSE;
  janus_organization_remove_group (janus_group_get_organization (group), group);
  return TRUE;
}

/**
 * janus_kernel_lookup_group_by_name:
 * @self: a kernel
 * @organization_type: a subtype of [class@Janus.Organization];
 *   `JANUS_TYPE_ORGANIZATION` (or `G_TYPE_INVALID`) for any
 * @name: a group name
 *
 * Finds the oldest living group of @organization_type (or of a subtype)
 * named @name. MT safe.
 *
 * Returns: (transfer full) (nullable): the group, or `NULL`
 */
JanusGroup *
janus_kernel_lookup_group_by_name (JanusKernel *self,
                                   GType        organization_type,
                                   const char  *name)
{
  g_autoptr(GPtrArray) groups = NULL;
  guint i;

  g_return_val_if_fail (JANUS_IS_KERNEL (self), NULL);
  g_return_val_if_fail (organization_type == G_TYPE_INVALID
                        || g_type_is_a (organization_type, JANUS_TYPE_ORGANIZATION), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  groups = janus_kernel_list_groups (self);
  for (i = 0; i < groups->len; i++)
    {
      JanusGroup *group = groups->pdata[i];

      if (g_strcmp0 (janus_group_get_name (group), name) == 0
          && (organization_type == G_TYPE_INVALID
              || G_TYPE_CHECK_INSTANCE_TYPE (janus_group_get_organization (group), organization_type)))
        return g_object_ref (group);
    }
  return NULL;
}

/**
 * janus_kernel_get_or_create_group:
 * @self: a kernel
 * @organization_type: a subtype of [class@Janus.Organization], not abstract
 * @error: return location for a [struct@GLib.Error]
 *
 * Gets the oldest living group of @organization_type, or makes one if
 * there is none. MT safe: callers racing on several threads for a group
 * that does not exist yet all get the one group made.
 *
 * Returns: (transfer full) (nullable): the group, or `NULL` with @error set
 */
JanusGroup *
janus_kernel_get_or_create_group (JanusKernel  *self,
                                  GType         organization_type,
                                  GError      **error)
{
  g_return_val_if_fail (JANUS_IS_KERNEL (self), NULL);
  g_return_val_if_fail (g_type_is_a (organization_type, JANUS_TYPE_ORGANIZATION), NULL);
  g_return_val_if_fail (!G_TYPE_IS_ABSTRACT (organization_type), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* one check-and-make: callers racing for the first group get the same */
  return make_group (self, organization_type, NULL, NULL, NULL, NULL, NULL, TRUE, error);
}

static int
compare_groups (gconstpointer a,
                gconstpointer b)
{
  guint64 x = janus_group_get_id (*(JanusGroup **) a), y = janus_group_get_id (*(JanusGroup **) b);

  return x < y ? -1 : x > y;
}

/**
 * janus_kernel_list_groups:
 * @self: a kernel
 *
 * Lists the kernel's living groups, oldest first. MT safe.
 *
 * Returns: (transfer container) (element-type JanusGroup): the groups
 */
GPtrArray *
janus_kernel_list_groups (JanusKernel *self)
{
  GPtrArray *groups;

  g_return_val_if_fail (JANUS_IS_KERNEL (self), NULL);

  groups = list_kernel_groups (self);
  g_ptr_array_sort (groups, compare_groups);
  return groups;
}

/**
 * janus_kernel_lookup_group:
 * @self: a kernel
 * @uuid: a group's UUID
 *
 * Finds a living group by its UUID. MT safe.
 *
 * Returns: (transfer full) (nullable): the group, or `NULL`
 */
JanusGroup *
janus_kernel_lookup_group (JanusKernel *self,
                           const char  *uuid)
{
  g_autoptr(GPtrArray) groups = NULL;
  guint i;

  g_return_val_if_fail (JANUS_IS_KERNEL (self), NULL);
  g_return_val_if_fail (uuid != NULL, NULL);

  groups = list_kernel_groups (self);
  for (i = 0; i < groups->len; i++)
    if (g_ascii_strcasecmp (janus_group_get_uuid (groups->pdata[i]), uuid) == 0)
      return g_object_ref (groups->pdata[i]);
  return NULL;
}

/**
 * janus_message_dup_group:
 * @message: a message
 *
 * Finds the group a role message was sent in (see
 * [method@Janus.Role.send]).
 *
 * Returns: (transfer full) (nullable): the group, or `NULL` for a direct
 *   message or when the group no longer exists
 */
JanusGroup *
janus_message_dup_group (JanusMessage *message)
{
  g_autoptr(JanusKernel) kernel = NULL;
  g_autoptr(GPtrArray) groups = NULL;
  guint i;

  g_return_val_if_fail (message != NULL, NULL);

  if (message->route == NULL || !janus_message_sent (message))
    return NULL;
  kernel = janus_kernel_find_by_uuid (message->receiver.kernel);
  if (kernel == NULL)
    return NULL;
  groups = list_kernel_groups (kernel);
  for (i = 0; i < groups->len; i++)
    if (janus_group_get_id (groups->pdata[i]) == message->route->group_id)
      return g_object_ref (groups->pdata[i]);
  return NULL;
}

static void
janus_organization_finalize (GObject *object)
{
  JanusOrganizationPrivate *priv =
    janus_organization_get_instance_private (JANUS_ORGANIZATION (object));

  g_ptr_array_unref (priv->groups);
  g_mutex_clear (&priv->lock);

  G_OBJECT_CLASS (janus_organization_parent_class)->finalize (object);
}

static void
janus_organization_class_init (JanusOrganizationClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = janus_organization_finalize;
}

static void
janus_organization_init (JanusOrganization *self)
{
  JanusOrganizationPrivate *priv = janus_organization_get_instance_private (self);

  g_mutex_init (&priv->lock);
  priv->groups = g_ptr_array_new_with_free_func (g_object_unref);
}
