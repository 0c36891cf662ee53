/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "janus-agent-private.h"
#include "janus-condition.h"
#include "janus-enums.h"
#include "janus-epoch-private.h"
#include "janus-error.h"
#include "janus-group-private.h"
#include "janus-kernel.h"
#include "janus-scheduler-private.h"

/**
 * JanusGroup:
 *
 * An instance of an organization: the place where agents play the
 * organization's roles. Groups are made by
 * [method@Janus.Kernel.create_group] or
 * [method@Janus.Kernel.get_or_create_group] and identified by a UUID.
 *
 * An agent joins a group by taking a role in it
 * ([method@Janus.Agent.request_role]), which checks, in this order:
 *
 * 1. the organization lists the role type (`JANUS_ORGANIZATION_ERROR_ROLE_NOT_LISTED`)
 *    and the agent does not play it here yet (`JANUS_ORGANIZATION_ERROR_ROLE_ALREADY_PLAYED`);
 * 2. the group's membership policy (`JANUS_ORGANIZATION_ERROR_NOT_A_MEMBER`);
 * 3. the group's obtain conditions (`JANUS_ORGANIZATION_ERROR_CONDITION_FAILED`);
 * 4. the role's obtain conditions: cardinality (`JANUS_ORGANIZATION_ERROR_CARDINALITY_FULL`),
 *    required capacities (`JANUS_ORGANIZATION_ERROR_MISSING_CAPACITY`), then the role
 *    class's conditions, such as a time window (`JANUS_ORGANIZATION_ERROR_CONDITION_FAILED`).
 *
 * Roles send each other messages inside the group (see
 * [method@Janus.Role.send]); the group's selection policy picks the
 * receiver when one of several players must get a message.
 *
 * A group disappears when its last member leaves, unless it is
 * [property@Janus.Group:persistent]; it can then no longer be joined. A
 * persistent group with an [property@Janus.Group:idle-timeout] disappears
 * once it has been empty that long on the kernel's clock, and any empty
 * group can be removed with [method@Janus.Kernel.remove_group];
 * [signal@Janus.Kernel::group-removed] tells when a group disappears.
 *
 * A group may have a name ([method@Janus.Kernel.create_group_full],
 * [method@Janus.Kernel.lookup_group_by_name]); names need not be unique.
 * [signal@Janus.Group::role-taken] and [signal@Janus.Group::role-left] follow
 * its membership. All functions are MT safe.
 */

/* A custom selection function and its data: a sender that chose with it
 * holds it until its call returned, so that replacing it on another thread
 * never frees the data under a running call. */
typedef struct
{
  atomic_uint        ref;
  JanusSelectionFunc func;
  gpointer           data;
  GDestroyNotify     destroy;
} SelectionClosure;

static void
selection_closure_unref (SelectionClosure *closure)
{
  /* acq_rel: the last holder sees every call's use of the data */
  if (closure == NULL || atomic_fetch_sub_explicit (&closure->ref, 1, memory_order_acq_rel) != 1)
    return;
  if (closure->destroy != NULL)
    closure->destroy (closure->data);
  g_free (closure);
}

struct _JanusGroup
{
  GObject              parent_instance;

  /* immutable */
  JanusOrganization   *organization;
  guint64              id;
  char                 uuid[37];
  char                *name;

  /* guarded by lock */
  GMutex               lock;
  JanusKernel         *kernel;          /* cleared when the kernel goes */
  GPtrArray           *roles;           /* JanusRole, strong, take order; each
                                         * knows its player (janus_role_get_private) */
  JanusCondition      *membership;
  GPtrArray           *obtain;          /* JanusCondition */
  GPtrArray           *leave;
  SelectionClosure    *selection;       /* the custom selection, or NULL */
  gboolean             persistent;
  gboolean             alive;
  gint64               idle_timeout;    /* µs, 0: never */
  gint64               idle_since;      /* kernel time it became empty */

  /* set by the organization before the group is published */
  JanusGroupIdleWatch  idle_watch;

  /* read without the lock */
  JanusRoleSnapshot *_Atomic snapshot;
  atomic_uint          policy;
  atomic_uint          round_robin;
};

enum {
  PROP_0,
  PROP_UUID,
  PROP_ORGANIZATION,
  PROP_PERSISTENT,
  PROP_SELECTION_POLICY,
  PROP_NAME,
  PROP_IDLE_TIMEOUT,
  N_PROPS
};

enum {
  ROLE_TAKEN,
  ROLE_LEFT,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (JanusGroup, janus_group, G_TYPE_OBJECT)

/* A new group of @organization; @uuid (a valid UUID string) and @name may
 * be NULL. */
/* A random (version 4) UUID in lower case, as g_uuid_string_random()
 * makes from the same generator, written without printf: a super-holon
 * makes a group for its first member. */
static void
random_uuid (char out[37])
{
  static const char hex[] = "0123456789abcdef";
  guint8 bytes[16];
  guint i, o = 0;

  for (i = 0; i < 16; i += 4)
    {
      guint32 r = g_random_int ();

      bytes[i] = r;
      bytes[i + 1] = r >> 8;
      bytes[i + 2] = r >> 16;
      bytes[i + 3] = r >> 24;
    }
  bytes[6] = (bytes[6] & 0x0f) | 0x40;          /* version 4 */
  bytes[8] = (bytes[8] & 0x3f) | 0x80;          /* RFC 4122 variant */
  for (i = 0; i < 16; i++)
    {
      if (i == 4 || i == 6 || i == 8 || i == 10)
        out[o++] = '-';
      out[o++] = hex[bytes[i] >> 4];
      out[o++] = hex[bytes[i] & 0xf];
    }
  out[o] = '\0';
}

JanusGroup *
janus_group_new (JanusKernel       *kernel,
                 JanusOrganization *organization,
                 const char        *name,
                 const char        *uuid)
{
  static _Atomic guint64 ids;
  JanusGroup *self = g_object_new (JANUS_TYPE_GROUP, NULL);

  self->kernel = kernel;
  self->organization = g_object_ref (organization);
  /* unique in the process: role messages name their group by it */
  self->id = atomic_fetch_add_explicit (&ids, 1, memory_order_relaxed);
  if (uuid != NULL)
    {
      g_strlcpy (self->uuid, uuid, sizeof self->uuid);
      for (char *c = self->uuid; *c; c++)
        *c = g_ascii_tolower (*c);
    }
  else
    random_uuid (self->uuid);
  self->name = g_strdup (name);
  self->idle_since = janus_kernel_get_time (kernel);
  return self;
}

guint64
janus_group_get_id (JanusGroup *self)
{
  return self->id;
}

static JanusRoleSnapshot *build_snapshot (JanusGroup *self);

/* The current roles; the caller must be inside an epoch critical section
 * while it uses the result, and must not hold the lock. */
JanusRoleSnapshot *
janus_group_snapshot (JanusGroup *self)
{
  /* acquire: pairs with the release publication in build_snapshot */
  JanusRoleSnapshot *snap = atomic_load_explicit (&self->snapshot, memory_order_acquire);

  if (G_UNLIKELY (snap == NULL))
    {
      g_mutex_lock (&self->lock);
      snap = build_snapshot (self);
      g_mutex_unlock (&self->lock);
    }
  return snap;
}

/* Lock held. The roles changed: the snapshot is stale, and built again by
 * its next reader — so a burst of changes (a holon taking its members)
 * costs one build, not one per change. Readers may still hold the old one:
 * it goes after the grace period. */
static void
publish_snapshot (JanusGroup *self)
{
  JanusRoleSnapshot *old = atomic_exchange_explicit (&self->snapshot, NULL, memory_order_acq_rel);

  if (old != NULL)
    janus_epoch_retire_shared (old, g_free);
}

/* The player of a role: the role layer, above this one, installs how to
 * read it (janus_group_install_player_func) before any role exists. The
 * group keeps no copy: a role's player never changes. */
static JanusGroupPlayerFunc player_of_func;

void
janus_group_install_player_func (JanusGroupPlayerFunc func)
{
  player_of_func = func;
}

static inline JanusAgent *
player_of (gpointer role)
{
  return player_of_func (role);
}

/* A role left, or the persistence or the idle time-out changed: the
 * group may have become idle, which its organization watches (a direct
 * call rather than signal handlers: every role that leaves passes here). */
static inline void
idle_may_change (JanusGroup *self)
{
  if (self->idle_watch != NULL)
    self->idle_watch (self);
}

/* Installs what the organization calls when the group may have become
 * idle; once, before the group is published. */
void
janus_group_set_idle_watch (JanusGroup          *self,
                            JanusGroupIdleWatch  watch)
{
  self->idle_watch = watch;
}

/* Lock held: the current snapshot, built if stale. */
static JanusRoleSnapshot *
build_snapshot (JanusGroup *self)
{
  g_autoptr(GHashTable) last = NULL;     /* player → index of its last role so far */
  JanusRoleSnapshot *fresh;
  guint n = self->roles->len, i;

  fresh = atomic_load_explicit (&self->snapshot, memory_order_relaxed);
  if (fresh != NULL)
    return fresh;               /* another reader built it meanwhile */
  /* one block: the header, the roles, the players, then the indices */
  fresh = g_malloc (sizeof (JanusRoleSnapshot)
                    + n * (sizeof (JanusRole *) + sizeof (JanusAgent *) + sizeof (guint)));
  fresh->n = n;
  fresh->players = (JanusAgent **) &fresh->roles[n];
  fresh->before = (guint *) &fresh->players[n];
  if (n > 1)
    last = g_hash_table_new (NULL, NULL);
  for (i = 0; i < n; i++)
    {
      JanusRole *role = self->roles->pdata[i];
      JanusAgent *player = player_of (role);
      gpointer previous;

      fresh->roles[i] = role;
      fresh->players[i] = player;
      fresh->before[i] = G_MAXUINT;
      if (last != NULL)
        {
          if (g_hash_table_lookup_extended (last, player, NULL, &previous))
            fresh->before[i] = GPOINTER_TO_UINT (previous);
          g_hash_table_insert (last, player, GUINT_TO_POINTER (i));
        }
    }
  /* release: the built snapshot is visible to whoever loads the pointer */
  atomic_store_explicit (&self->snapshot, fresh, memory_order_release);
  return fresh;
}

/* ---------------------------------------------------------------- joining */

static GPtrArray *
copy_conditions (GPtrArray *conditions)
{
  GPtrArray *copy = g_ptr_array_new_with_free_func (g_object_unref);
  guint i;

  for (i = 0; conditions && i < conditions->len; i++)
    g_ptr_array_add (copy, g_object_ref (conditions->pdata[i]));
  return copy;
}

static gboolean
evaluate_all (JanusGroup  *self,
              GPtrArray   *conditions,
              JanusAgent  *agent,
              GType        role_type,
              const char  *what,
              GError     **error)
{
  guint i;

  for (i = 0; i < conditions->len; i++)
    if (!janus_condition_evaluate (conditions->pdata[i], agent, self, role_type))
      {
        g_set_error (error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_CONDITION_FAILED,
                     "Agent %s may not %s role %s in group %s: condition “%s” "
                     "of the group refused",
                     G_OBJECT_TYPE_NAME (agent), what, g_type_name (role_type),
                     self->uuid, janus_condition_get_description (conditions->pdata[i]));
        return FALSE;
      }
  return TRUE;
}

/* The membership policy, then the group's obtain conditions. User code runs
 * here, so only references taken under the lock are used. */
gboolean
janus_group_check_join (JanusGroup  *self,
                        JanusAgent  *agent,
                        GType        role_type,
                        GError     **error)
{
  g_autoptr(JanusCondition) membership = NULL;
  g_autoptr(GPtrArray) obtain = NULL;

  g_mutex_lock (&self->lock);
  /* most groups have no condition: nothing to copy */
  if (self->membership == NULL && (self->obtain == NULL || self->obtain->len == 0))
    {
      g_mutex_unlock (&self->lock);
      return TRUE;
    }
  if (self->membership)
    membership = g_object_ref (self->membership);
  obtain = copy_conditions (self->obtain);
  g_mutex_unlock (&self->lock);

  if (membership != NULL && !janus_condition_evaluate (membership, agent, self, role_type))
    {
      g_set_error (error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_NOT_A_MEMBER,
                   "Agent %s may not take role %s in group %s (%s): it may not "
                   "be a member (membership policy “%s” refused)",
                   G_OBJECT_TYPE_NAME (agent), g_type_name (role_type), self->uuid,
                   G_OBJECT_TYPE_NAME (self->organization),
                   janus_condition_get_description (membership));
      return FALSE;
    }
  return evaluate_all (self, obtain, agent, role_type, "obtain", error);
}

gboolean
janus_group_check_leave (JanusGroup  *self,
                         JanusAgent  *agent,
                         GType        role_type,
                         GError     **error)
{
  g_autoptr(GPtrArray) leave = NULL;

  g_mutex_lock (&self->lock);
  if (self->leave == NULL || self->leave->len == 0)
    {
      g_mutex_unlock (&self->lock);
      return TRUE;
    }
  leave = copy_conditions (self->leave);
  g_mutex_unlock (&self->lock);
  return evaluate_all (self, leave, agent, role_type, "leave", error);
}

static guint
count_conforming (JanusGroup *self,
                  GType       listed)
{
  guint i, n = 0;

  for (i = 0; i < self->roles->len; i++)
    if (g_type_is_a (G_OBJECT_TYPE (self->roles->pdata[i]), listed))
      n++;
  return n;
}

/* Adds @role, played by @player, if the group is alive and the cardinality
 * allows it (at most @max players, 0 for no limit, of roles conforming to
 * @listed). The caller, @player's own step, has checked that it does not
 * play that role type here yet: a player's roles change only in its steps,
 * so no other thread can add the same. */
gboolean
janus_group_insert (JanusGroup  *self,
                    JanusRole   *role,
                    JanusAgent  *player,
                    GType        listed,
                    guint        max,
                    GError     **error)
{
  g_mutex_lock (&self->lock);
  if (!self->alive)
    {
      g_mutex_unlock (&self->lock);
      g_set_error (error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_NOT_A_MEMBER,
                   "Group %s (%s) no longer exists: its last member left",
                   self->uuid, G_OBJECT_TYPE_NAME (self->organization));
      return FALSE;
    }
  if (max > 0 && count_conforming (self, listed) >= max)
    {
      g_mutex_unlock (&self->lock);
      g_set_error (error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_CARDINALITY_FULL,
                   "Role %s is full in group %s (%s): at most %u player%s",
                   g_type_name (listed), self->uuid,
                   G_OBJECT_TYPE_NAME (self->organization), max, max == 1 ? "" : "s");
      return FALSE;
    }
  g_ptr_array_add (self->roles, g_object_ref (role));
  publish_snapshot (self);
  g_mutex_unlock (&self->lock);
  return TRUE;
}

/* Removes @role; the group dies if it was its last member and it is not
 * persistent. Returns TRUE if the group died (its organization then lets
 * it go). */
gboolean
janus_group_remove (JanusGroup *self,
                    JanusRole  *role)
{
  gboolean dies;
  guint i;

  g_mutex_lock (&self->lock);
  /* from the end: the newest roles are the first to go (a holon ends its
   * members newest first), and a burst of leaves costs no search */
  for (i = self->roles->len; i > 0; i--)
    if (self->roles->pdata[i - 1] == role)
      break;
  if (i-- == 0)
    {
      g_mutex_unlock (&self->lock);
      return FALSE;
    }
  /* keeps the take order */
  g_ptr_array_remove_index (self->roles, i);
  publish_snapshot (self);
  dies = self->roles->len == 0 && !self->persistent && self->alive;
  if (dies)
    {
      /* a group that is gone no longer refers to its kernel, which its
       * organization stops listing it in: the kernel may go first */
      self->alive = FALSE;
      self->kernel = NULL;
    }
  else if (self->roles->len == 0 && self->kernel != NULL)
    self->idle_since = janus_kernel_get_time (self->kernel);
  g_mutex_unlock (&self->lock);

  /* senders may still hold the old snapshot: the group's reference on the
   * role goes after the grace period */
  janus_epoch_retire_shared (role, g_object_unref);
  return dies;
}

void
janus_group_emit_taken (JanusGroup *self,
                        JanusRole  *role)
{
  g_signal_emit (self, signals[ROLE_TAKEN], 0, role);
}

void
janus_group_emit_left (JanusGroup *self,
                       JanusRole  *role)
{
  idle_may_change (self);
  g_signal_emit (self, signals[ROLE_LEFT], 0, role);
}

/* Chooses one of @n candidates (n >= 1) per the selection policy. */
guint
janus_group_select (JanusGroup          *self,
                    const JanusAddress **candidates,
                    guint                n)
{
  SelectionClosure *closure = NULL;
  guint i;

  switch (atomic_load_explicit (&self->policy, memory_order_relaxed))
    {
    case JANUS_SELECTION_ROUND_ROBIN:
      return atomic_fetch_add_explicit (&self->round_robin, 1, memory_order_relaxed) % n;
    case JANUS_SELECTION_CUSTOM:
      g_mutex_lock (&self->lock);
      if ((closure = self->selection) != NULL)
        atomic_fetch_add_explicit (&closure->ref, 1, memory_order_relaxed);
      g_mutex_unlock (&self->lock);
      if (closure != NULL)
        {
          i = closure->func (self, candidates, n, closure->data);
          /* the last holder of a replaced function frees its data */
          selection_closure_unref (closure);
          if (i < n)
            return i;
          g_warning ("selection function of group %s chose %u of %u candidates; "
                     "using the first", self->uuid, i, n);
          return 0;
        }
      G_GNUC_FALLTHROUGH;
    default:
      return (guint) (janus_scheduler_random () % n);
    }
}

/* Its owner is done with the group (a holon's internal group, once the
 * holon has no member): it is no longer persistent, and dies at once if
 * no role is played in it — else when its last role is left. Returns TRUE
 * if it died now (its organization then lets it go). */
gboolean
janus_group_release (JanusGroup *self)
{
  gboolean dies;

  g_mutex_lock (&self->lock);
  self->persistent = FALSE;
  dies = self->roles->len == 0 && self->alive;
  if (dies)
    self->alive = FALSE;
  g_mutex_unlock (&self->lock);
  return dies;
}

/* When an idle persistent group expires (kernel time), or -1 if it does
 * not: it is not persistent, not empty, has no idle time-out or is gone. */
gint64
janus_group_idle_due (JanusGroup *self)
{
  gint64 due = -1;

  g_mutex_lock (&self->lock);
  if (!self->alive || !self->persistent || self->roles->len > 0 || self->idle_timeout == 0
      || __builtin_add_overflow (self->idle_since, self->idle_timeout, &due))
    due = -1;
  g_mutex_unlock (&self->lock);
  return due;
}

/* The group is gone if it has been idle long enough at kernel time @now;
 * TRUE if this call ended it. */
gboolean
janus_group_expire_idle (JanusGroup *self,
                         gint64      now)
{
  gint64 due = janus_group_idle_due (self);
  gboolean expired = FALSE;

  g_mutex_lock (&self->lock);
  /* idle since then: a member came and went meanwhile moves idle_since */
  if (due >= 0 && now >= due && self->alive && self->roles->len == 0 && self->persistent
      && self->idle_since + self->idle_timeout == due)
    {
      /* gone: no longer refers to its kernel, as a group whose last
       * member left */
      self->alive = FALSE;
      self->kernel = NULL;
      expired = TRUE;
    }
  g_mutex_unlock (&self->lock);
  return expired;
}

/* Ends an empty group (janus_kernel_remove_group): TRUE if this call ended
 * it; FALSE with an error if it has members or is gone already. */
gboolean
janus_group_retire (JanusGroup  *self,
                    GError     **error)
{
  guint members;

  g_mutex_lock (&self->lock);
  members = self->roles->len;
  if (self->alive && members == 0)
    {
      self->alive = FALSE;
      self->kernel = NULL;
      g_mutex_unlock (&self->lock);
      return TRUE;
    }
  g_mutex_unlock (&self->lock);
  if (members > 0)
    g_set_error (error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_GROUP_NOT_EMPTY,
                 "Group %s (%s) cannot be removed: %u role%s still played in it",
                 self->uuid, G_OBJECT_TYPE_NAME (self->organization), members,
                 members == 1 ? " is" : "s are");
  else
    g_set_error (error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_NOT_A_MEMBER,
                 "Group %s (%s) no longer exists", self->uuid,
                 G_OBJECT_TYPE_NAME (self->organization));
  return FALSE;
}

/* The group's kernel with a new reference, or NULL once the group is gone
 * or its kernel shut down: taken under the lock, before the kernel's
 * shutdown detaches the group, so the kernel cannot be freed meanwhile
 * (a reference taken while its last one goes delays its dispose). For the
 * threads that are not the kernel's and hold no reference on it. */
JanusKernel *
janus_group_dup_kernel (JanusGroup *self)
{
  JanusKernel *kernel;

  g_mutex_lock (&self->lock);
  kernel = self->kernel ? g_object_ref (self->kernel) : NULL;
  g_mutex_unlock (&self->lock);
  return kernel;
}

/* The kernel is going: the group no longer refers to it. */
void
janus_group_detach (JanusGroup *self)
{
  g_mutex_lock (&self->lock);
  self->kernel = NULL;
  self->alive = FALSE;
  g_mutex_unlock (&self->lock);
}

/* ------------------------------------------------------------ public API */

/**
 * janus_group_get_uuid:
 * @self: a group
 *
 * Gets the group's identifier.
 *
 * Returns: the group's UUID
 */
const char *
janus_group_get_uuid (JanusGroup *self)
{
  g_return_val_if_fail (JANUS_IS_GROUP (self), NULL);

  return self->uuid;
}

/**
 * janus_group_get_name:
 * @self: a group
 *
 * Gets the name the group was made with
 * ([method@Janus.Kernel.create_group_full]).
 *
 * Returns: (nullable): the name, or `NULL`
 */
const char *
janus_group_get_name (JanusGroup *self)
{
  g_return_val_if_fail (JANUS_IS_GROUP (self), NULL);

  return self->name;
}

/**
 * janus_group_get_idle_timeout:
 * @self: a group
 *
 * Gets [property@Janus.Group:idle-timeout].
 *
 * Returns: the time-out in microseconds of the kernel's clock, 0 for none
 */
gint64
janus_group_get_idle_timeout (JanusGroup *self)
{
  gint64 timeout;

  g_return_val_if_fail (JANUS_IS_GROUP (self), 0);

  g_mutex_lock (&self->lock);
  timeout = self->idle_timeout;
  g_mutex_unlock (&self->lock);
  return timeout;
}

/**
 * janus_group_set_idle_timeout:
 * @self: a group
 * @timeout: microseconds of the kernel's clock, 0 for none
 *
 * Sets [property@Janus.Group:idle-timeout]: a persistent group that stays
 * empty that long disappears (Janus's `removeInactivePersistentGroups`),
 * with [signal@Janus.Kernel::group-removed]. A group that is empty when
 * the time-out is set counts its idle time from then.
 */
void
janus_group_set_idle_timeout (JanusGroup *self,
                              gint64      timeout)
{
  g_autoptr(JanusKernel) kernel = NULL;
  gboolean changed;
  gint64 now;

  g_return_if_fail (JANUS_IS_GROUP (self));
  g_return_if_fail (timeout >= 0);

  /* any thread: the application may drop the kernel meanwhile */
  kernel = janus_group_dup_kernel (self);
  now = kernel ? janus_kernel_get_time (kernel) : 0;
  g_mutex_lock (&self->lock);
  changed = self->idle_timeout != timeout;
  self->idle_timeout = timeout;
  if (changed && self->roles->len == 0)
    self->idle_since = now;
  g_mutex_unlock (&self->lock);
  if (changed)
    {
      idle_may_change (self);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_IDLE_TIMEOUT]);
    }
}

/**
 * janus_group_get_organization:
 * @self: a group
 *
 * Gets the organization the group is an instance of.
 *
 * Returns: (transfer none): the organization
 */
JanusOrganization *
janus_group_get_organization (JanusGroup *self)
{
  g_return_val_if_fail (JANUS_IS_GROUP (self), NULL);

  return self->organization;
}

/**
 * janus_group_get_kernel:
 * @self: a group
 *
 * Gets the kernel of the group, while the group exists (see
 * [method@Janus.Group.is_alive]): a group refers to its kernel without
 * owning it, and forgets it when the kernel shuts down or the group
 * disappears, so that this never returns a kernel that was freed. Another
 * thread than the kernel's agents that keeps the result must hold its own
 * reference on it. MT safe.
 *
 * Returns: (transfer none) (nullable): the kernel, or `NULL` once the group
 *   is gone (its last member left, or its kernel shut down)
 */
JanusKernel *
janus_group_get_kernel (JanusGroup *self)
{
  JanusKernel *kernel;

  g_return_val_if_fail (JANUS_IS_GROUP (self), NULL);

  g_mutex_lock (&self->lock);
  kernel = self->kernel;
  g_mutex_unlock (&self->lock);
  return kernel;
}

/**
 * janus_group_is_alive:
 * @self: a group
 *
 * Tells whether the group still exists: it disappears when its last member
 * leaves (unless persistent) or its kernel goes.
 *
 * Returns: whether roles can still be taken in the group
 */
gboolean
janus_group_is_alive (JanusGroup *self)
{
  gboolean alive;

  g_return_val_if_fail (JANUS_IS_GROUP (self), FALSE);

  g_mutex_lock (&self->lock);
  alive = self->alive;
  g_mutex_unlock (&self->lock);
  return alive;
}

/**
 * janus_group_get_persistent:
 * @self: a group
 *
 * Gets [property@Janus.Group:persistent].
 *
 * Returns: whether the group outlives its last member
 */
gboolean
janus_group_get_persistent (JanusGroup *self)
{
  gboolean persistent;

  g_return_val_if_fail (JANUS_IS_GROUP (self), FALSE);

  g_mutex_lock (&self->lock);
  persistent = self->persistent;
  g_mutex_unlock (&self->lock);
  return persistent;
}

/**
 * janus_group_set_persistent:
 * @self: a group
 * @persistent: whether the group outlives its last member
 *
 * Sets [property@Janus.Group:persistent]. Making an empty group
 * non-persistent does not destroy it; the next last member leaving does.
 */
void
janus_group_set_persistent (JanusGroup *self,
                            gboolean    persistent)
{
  gboolean changed;

  g_return_if_fail (JANUS_IS_GROUP (self));

  g_mutex_lock (&self->lock);
  changed = self->persistent != !!persistent;
  self->persistent = !!persistent;
  g_mutex_unlock (&self->lock);
  if (changed)
    {
      idle_may_change (self);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PERSISTENT]);
    }
}

/**
 * janus_group_set_membership_policy:
 * @self: a group
 * @policy: (nullable): decides which agents may be members, `NULL` for all
 *
 * Sets the condition an agent must meet to take any role in the group.
 * A refusal is `JANUS_ORGANIZATION_ERROR_NOT_A_MEMBER`.
 */
void
janus_group_set_membership_policy (JanusGroup     *self,
                                   JanusCondition *policy)
{
  JanusCondition *old;

  g_return_if_fail (JANUS_IS_GROUP (self));
  g_return_if_fail (policy == NULL || JANUS_IS_CONDITION (policy));

  g_mutex_lock (&self->lock);
  old = self->membership;
  self->membership = policy ? g_object_ref (policy) : NULL;
  g_mutex_unlock (&self->lock);
  g_clear_object (&old);
}

static void
add_condition (JanusGroup      *self,
               GPtrArray      **list,
               JanusCondition  *condition)
{
  g_mutex_lock (&self->lock);
  if (*list == NULL)
    *list = g_ptr_array_new_with_free_func (g_object_unref);
  g_ptr_array_add (*list, g_object_ref (condition));
  g_mutex_unlock (&self->lock);
}

/**
 * janus_group_add_obtain_condition:
 * @self: a group
 * @condition: a condition
 *
 * Adds a condition every role request in the group must meet (after the
 * membership policy, before the role's own conditions). A refusal is
 * `JANUS_ORGANIZATION_ERROR_CONDITION_FAILED`.
 */
void
janus_group_add_obtain_condition (JanusGroup     *self,
                                  JanusCondition *condition)
{
  g_return_if_fail (JANUS_IS_GROUP (self));
  g_return_if_fail (JANUS_IS_CONDITION (condition));

  add_condition (self, &self->obtain, condition);
}

/**
 * janus_group_add_leave_condition:
 * @self: a group
 * @condition: a condition
 *
 * Adds a condition [method@Janus.Agent.leave_role] must meet in the group.
 * A refusal is `JANUS_ORGANIZATION_ERROR_CONDITION_FAILED`. A dying agent leaves its roles
 * whatever the conditions.
 */
void
janus_group_add_leave_condition (JanusGroup     *self,
                                 JanusCondition *condition)
{
  g_return_if_fail (JANUS_IS_GROUP (self));
  g_return_if_fail (JANUS_IS_CONDITION (condition));

  add_condition (self, &self->leave, condition);
}

/* A copy of a condition list, under the lock. */
static GPtrArray *
list_conditions (JanusGroup  *self,
                 GPtrArray  **conditions)
{
  GPtrArray *copy;

  /* the list itself is made by the first add: read under the lock too */
  g_mutex_lock (&self->lock);
  copy = copy_conditions (*conditions);
  g_mutex_unlock (&self->lock);
  return copy;
}

static gboolean
remove_condition (JanusGroup      *self,
                  GPtrArray      **conditions,
                  JanusCondition  *condition)
{
  gboolean removed = FALSE;
  guint i;

  g_mutex_lock (&self->lock);
  if (*conditions != NULL && g_ptr_array_find (*conditions, condition, &i))
    {
      /* the reference goes outside the lock: its destroy is user code */
      g_ptr_array_steal_index (*conditions, i);
      removed = TRUE;
    }
  g_mutex_unlock (&self->lock);
  if (removed)
    g_object_unref (condition);
  return removed;
}

/**
 * janus_group_get_membership_policy:
 * @self: a group
 *
 * Gets the condition an agent must meet to take any role in the group.
 *
 * Returns: (transfer full) (nullable): the policy, or `NULL` if every agent
 *   may be a member
 */
JanusCondition *
janus_group_get_membership_policy (JanusGroup *self)
{
  JanusCondition *policy;

  g_return_val_if_fail (JANUS_IS_GROUP (self), NULL);

  g_mutex_lock (&self->lock);
  policy = self->membership ? g_object_ref (self->membership) : NULL;
  g_mutex_unlock (&self->lock);
  return policy;
}

/**
 * janus_group_list_obtain_conditions:
 * @self: a group
 *
 * Lists the group's obtain conditions, in the order they are checked
 * (Janus's `getObtainConditions`).
 *
 * Returns: (transfer container) (element-type JanusCondition): the
 *   conditions
 */
GPtrArray *
janus_group_list_obtain_conditions (JanusGroup *self)
{
  g_return_val_if_fail (JANUS_IS_GROUP (self), NULL);

  return list_conditions (self, &self->obtain);
}

/**
 * janus_group_list_leave_conditions:
 * @self: a group
 *
 * Lists the group's leave conditions, in the order they are checked.
 *
 * Returns: (transfer container) (element-type JanusCondition): the
 *   conditions
 */
GPtrArray *
janus_group_list_leave_conditions (JanusGroup *self)
{
  g_return_val_if_fail (JANUS_IS_GROUP (self), NULL);

  return list_conditions (self, &self->leave);
}

/**
 * janus_group_remove_obtain_condition:
 * @self: a group
 * @condition: a condition added with [method@Janus.Group.add_obtain_condition]
 *
 * Stops checking @condition when a role is requested in the group (its
 * first occurrence, if it was added twice). A request already checking it
 * may still use it.
 *
 * Returns: `TRUE` if the group had the condition
 */
gboolean
janus_group_remove_obtain_condition (JanusGroup     *self,
                                     JanusCondition *condition)
{
  g_return_val_if_fail (JANUS_IS_GROUP (self), FALSE);
  g_return_val_if_fail (JANUS_IS_CONDITION (condition), FALSE);

  return remove_condition (self, &self->obtain, condition);
}

/**
 * janus_group_remove_leave_condition:
 * @self: a group
 * @condition: a condition added with [method@Janus.Group.add_leave_condition]
 *
 * Stops checking @condition when a role is left in the group.
 *
 * Returns: `TRUE` if the group had the condition
 */
gboolean
janus_group_remove_leave_condition (JanusGroup     *self,
                                    JanusCondition *condition)
{
  g_return_val_if_fail (JANUS_IS_GROUP (self), FALSE);
  g_return_val_if_fail (JANUS_IS_CONDITION (condition), FALSE);

  return remove_condition (self, &self->leave, condition);
}

/**
 * janus_group_get_selection_policy:
 * @self: a group
 *
 * Gets how a role message picks its one receiver.
 *
 * Returns: the policy
 */
JanusSelectionPolicy
janus_group_get_selection_policy (JanusGroup *self)
{
  g_return_val_if_fail (JANUS_IS_GROUP (self), JANUS_SELECTION_RANDOM);

  return atomic_load_explicit (&self->policy, memory_order_relaxed);
}

/**
 * janus_group_set_selection_policy:
 * @self: a group
 * @policy: `JANUS_SELECTION_RANDOM` or `JANUS_SELECTION_ROUND_ROBIN` (use
 *   [method@Janus.Group.set_selection_func] for a custom one)
 *
 * Sets how [method@Janus.Role.send] chooses its receiver.
 */
void
janus_group_set_selection_policy (JanusGroup           *self,
                                  JanusSelectionPolicy  policy)
{
  g_return_if_fail (JANUS_IS_GROUP (self));
  g_return_if_fail (policy == JANUS_SELECTION_RANDOM || policy == JANUS_SELECTION_ROUND_ROBIN);

  if (atomic_exchange_explicit (&self->policy, policy, memory_order_relaxed) != policy)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTION_POLICY]);
}

/**
 * janus_group_set_selection_func:
 * @self: a group
 * @func: (scope notified) (closure user_data) (destroy destroy): chooses
 * @user_data: (nullable): data for @func
 * @destroy: (nullable): frees @user_data when replaced or with the group
 *
 * Installs a custom selection policy (`JANUS_SELECTION_CUSTOM`). @func is
 * called by the senders, on their threads, possibly several at once. It may
 * be replaced from any thread while senders use it: @destroy then runs once
 * the last call of @func that already started returned (on the thread of
 * that call), never during one.
 */
void
janus_group_set_selection_func (JanusGroup         *self,
                                JanusSelectionFunc  func,
                                gpointer            user_data,
                                GDestroyNotify      destroy)
{
  SelectionClosure *fresh, *old;

  g_return_if_fail (JANUS_IS_GROUP (self));
  g_return_if_fail (func != NULL);

  fresh = g_new (SelectionClosure, 1);
  atomic_init (&fresh->ref, 1);
  fresh->func = func;
  fresh->data = user_data;
  fresh->destroy = destroy;
  g_mutex_lock (&self->lock);
  old = self->selection;
  self->selection = fresh;
  g_mutex_unlock (&self->lock);
  /* @destroy of the old data runs once no sender uses it any more */
  selection_closure_unref (old);
  atomic_store_explicit (&self->policy, JANUS_SELECTION_CUSTOM, memory_order_relaxed);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTION_POLICY]);
}

/**
 * janus_group_count_players:
 * @self: a group
 * @role_type: a role type, or `G_TYPE_INVALID` for every role
 *
 * Counts the roles of type @role_type (or of a subclass) played in the
 * group.
 *
 * Returns: the number of such roles
 */
guint
janus_group_count_players (JanusGroup *self,
                           GType       role_type)
{
  guint n;

  g_return_val_if_fail (JANUS_IS_GROUP (self), 0);

  g_mutex_lock (&self->lock);
  n = role_type == G_TYPE_INVALID ? self->roles->len : count_conforming (self, role_type);
  g_mutex_unlock (&self->lock);
  return n;
}

/**
 * janus_group_list_players:
 * @self: a group
 * @role_type: a role type, or `G_TYPE_INVALID` for every member
 *
 * Lists the agents playing a role of type @role_type (or of a subclass) in
 * the group, in the order they took it, each once.
 *
 * Returns: (transfer container) (element-type JanusAgent): the players
 */
GPtrArray *
janus_group_list_players (JanusGroup *self,
                          GType       role_type)
{
  JanusRoleSnapshot *snap;
  GPtrArray *players;
  guint i;

  g_return_val_if_fail (JANUS_IS_GROUP (self), NULL);

  players = g_ptr_array_new_with_free_func (g_object_unref);
  g_mutex_lock (&self->lock);
  /* the lock keeps the snapshot current; its links find an agent's
   * earlier roles without a search */
  snap = build_snapshot (self);
  for (i = 0; i < snap->n; i++)
    {
      JanusRole *role = snap->roles[i];
      guint j;

      if (role_type != G_TYPE_INVALID && !g_type_is_a (G_OBJECT_TYPE (role), role_type))
        continue;
      for (j = snap->before[i]; j != G_MAXUINT; j = snap->before[j])
        if (role_type == G_TYPE_INVALID || g_type_is_a (G_OBJECT_TYPE (snap->roles[j]), role_type))
          break;
      if (j == G_MAXUINT)
        g_ptr_array_add (players, g_object_ref (snap->players[i]));
    }
  g_mutex_unlock (&self->lock);
  return players;
}

/**
 * janus_group_list_roles:
 * @self: a group
 *
 * Lists the roles played in the group, in the order they were taken.
 *
 * Returns: (transfer container) (element-type JanusRole): the roles
 */
GPtrArray *
janus_group_list_roles (JanusGroup *self)
{
  GPtrArray *roles;
  guint i;

  g_return_val_if_fail (JANUS_IS_GROUP (self), NULL);

  roles = g_ptr_array_new_with_free_func (g_object_unref);
  g_mutex_lock (&self->lock);
  for (i = 0; i < self->roles->len; i++)
    g_ptr_array_add (roles, g_object_ref (self->roles->pdata[i]));
  g_mutex_unlock (&self->lock);
  return roles;
}

/**
 * janus_group_has_member:
 * @self: a group
 * @agent: an agent
 *
 * Tells whether @agent plays at least one role in the group.
 *
 * Returns: whether @agent is a member
 */
gboolean
janus_group_has_member (JanusGroup *self,
                        JanusAgent *agent)
{
  gboolean found = FALSE;
  guint i;

  g_return_val_if_fail (JANUS_IS_GROUP (self), FALSE);
  g_return_val_if_fail (JANUS_IS_AGENT (agent), FALSE);

  g_mutex_lock (&self->lock);
  for (i = 0; i < self->roles->len && !found; i++)
    found = player_of (self->roles->pdata[i]) == agent;
  g_mutex_unlock (&self->lock);
  return found;
}

/* ------------------------------------------------------------- GObject */

static void
janus_group_finalize (GObject *object)
{
  JanusGroup *self = JANUS_GROUP (object);

  g_warn_if_fail (self->roles->len == 0);
  g_ptr_array_unref (self->roles);
  g_free (atomic_load_explicit (&self->snapshot, memory_order_relaxed));
  g_clear_object (&self->membership);
  g_clear_pointer (&self->obtain, g_ptr_array_unref);
  g_clear_pointer (&self->leave, g_ptr_array_unref);
  selection_closure_unref (self->selection);
  g_object_unref (self->organization);
  g_free (self->name);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (janus_group_parent_class)->finalize (object);
}

static void
janus_group_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  JanusGroup *self = JANUS_GROUP (object);

  switch (prop_id)
    {
    case PROP_UUID:
      g_value_set_string (value, self->uuid);
      break;
    case PROP_ORGANIZATION:
      g_value_set_object (value, self->organization);
      break;
    case PROP_PERSISTENT:
      g_value_set_boolean (value, janus_group_get_persistent (self));
      break;
    case PROP_SELECTION_POLICY:
      g_value_set_enum (value, janus_group_get_selection_policy (self));
      break;
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_IDLE_TIMEOUT:
      g_value_set_int64 (value, janus_group_get_idle_timeout (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
janus_group_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  JanusGroup *self = JANUS_GROUP (object);

  switch (prop_id)
    {
    case PROP_PERSISTENT:
      janus_group_set_persistent (self, g_value_get_boolean (value));
      break;
    case PROP_SELECTION_POLICY:
      janus_group_set_selection_policy (self, g_value_get_enum (value));
      break;
    case PROP_IDLE_TIMEOUT:
      janus_group_set_idle_timeout (self, g_value_get_int64 (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
janus_group_class_init (JanusGroupClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = janus_group_finalize;
  object_class->get_property = janus_group_get_property;
  object_class->set_property = janus_group_set_property;

  /**
   * JanusGroup:uuid: (attributes org.gtk.Property.get=janus_group_get_uuid)
   *
   * The group's identifier.
   */
  properties[PROP_UUID] =
    g_param_spec_string ("uuid", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * JanusGroup:organization: (attributes org.gtk.Property.get=janus_group_get_organization)
   *
   * The organization the group is an instance of.
   */
  properties[PROP_ORGANIZATION] =
    g_param_spec_object ("organization", NULL, NULL, JANUS_TYPE_ORGANIZATION,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * JanusGroup:persistent: (attributes org.gtk.Property.get=janus_group_get_persistent org.gtk.Property.set=janus_group_set_persistent)
   *
   * Whether the group outlives its last member.
   */
  properties[PROP_PERSISTENT] =
    g_param_spec_boolean ("persistent", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * JanusGroup:selection-policy: (attributes org.gtk.Property.get=janus_group_get_selection_policy org.gtk.Property.set=janus_group_set_selection_policy)
   *
   * How a role message picks its one receiver.
   */
  properties[PROP_SELECTION_POLICY] =
    g_param_spec_enum ("selection-policy", NULL, NULL,
                       JANUS_TYPE_SELECTION_POLICY, JANUS_SELECTION_RANDOM,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * JanusGroup:name: (attributes org.gtk.Property.get=janus_group_get_name)
   *
   * The name the group was made with, if any.
   */
  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * JanusGroup:idle-timeout: (attributes org.gtk.Property.get=janus_group_get_idle_timeout org.gtk.Property.set=janus_group_set_idle_timeout)
   *
   * How long, in microseconds of the kernel's clock, a persistent group may
   * stay empty before it disappears; 0 for ever.
   */
  properties[PROP_IDLE_TIMEOUT] =
    g_param_spec_int64 ("idle-timeout", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * JanusGroup::role-taken:
   * @self: the group
   * @role: the role taken (its player: [method@Janus.Role.get_player])
   *
   * Emitted once when a role is taken, after its `activate` succeeded, on
   * the player's thread, with no lock held.
   */
  signals[ROLE_TAKEN] =
    g_signal_new ("role-taken", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, JANUS_TYPE_ROLE);

  /**
   * JanusGroup::role-left:
   * @self: the group
   * @role: the role left
   *
   * Emitted once when a role is left: after its `end` and after it left the
   * group's membership, while [method@Janus.Role.get_player] still returns
   * its player; on the player's thread, with no lock held.
   */
  signals[ROLE_LEFT] =
    g_signal_new ("role-left", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, JANUS_TYPE_ROLE);
}

static void
janus_group_init (JanusGroup *self)
{
  g_mutex_init (&self->lock);
  self->roles = g_ptr_array_new_with_free_func (NULL);
  self->alive = TRUE;
  atomic_init (&self->policy, JANUS_SELECTION_RANDOM);
  self->snapshot = g_malloc0 (sizeof (JanusRoleSnapshot));   /* n = 0, before unused */
}
