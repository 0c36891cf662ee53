/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "janus-group.h"
#include "janus-kernel.h"
#include "janus-organization-private.h"
#include "janus-role.h"

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
  JanusKernel *kernel;          /* borrowed: the kernel owns its organizations */
  GMutex       lock;            /* guards groups */
  GPtrArray   *groups;          /* JanusGroup, weak: the kernel holds them */
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

/**
 * janus_organization_class_add_role:
 * @klass: an organization class
 * @role_type: a subtype of #JanusRole
 * @max_players: the most players of this role a group accepts, 0 for no
 *   limit
 *
 * Lists @role_type in the organization. Call it from `class_init`; adding
 * a type again replaces its cardinality.
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
 * @organization_type: a subtype of #JanusOrganization
 * @role_type: a subtype of #JanusRole
 * @max_players: the most players per group, 0 for no limit
 *
 * Like [method@Janus.OrganizationClass.add_role], for a class given by its
 * #GType (language bindings). Call it before the organization is first
 * instantiated.
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
  JanusOrganization *self = g_object_new (type, NULL);

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
 * Gets the kernel the organization belongs to.
 *
 * Returns: (transfer none): the kernel
 */
JanusKernel *
janus_organization_get_kernel (JanusOrganization *self)
{
  JanusOrganizationPrivate *priv;

  g_return_val_if_fail (JANUS_IS_ORGANIZATION (self), NULL);

  priv = janus_organization_get_instance_private (self);
  return priv->kernel;
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

void
janus_organization_add_group (JanusOrganization *self,
                              JanusGroup        *group)
{
  JanusOrganizationPrivate *priv = janus_organization_get_instance_private (self);

  g_mutex_lock (&priv->lock);
  g_ptr_array_add (priv->groups, group);
  g_mutex_unlock (&priv->lock);
}

void
janus_organization_remove_group (JanusOrganization *self,
                                 JanusGroup        *group)
{
  JanusOrganizationPrivate *priv = janus_organization_get_instance_private (self);

  g_mutex_lock (&priv->lock);
  g_ptr_array_remove (priv->groups, group);
  g_mutex_unlock (&priv->lock);
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
  priv->groups = g_ptr_array_new ();
}
