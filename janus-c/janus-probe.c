/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "janus-agent-private.h"
#include "janus-epoch-private.h"
#include "janus-group.h"
#include "janus-kernel.h"
#include "janus-probe.h"
#include "janus-property-memory-private.h"

/**
 * JanusProbe:
 *
 * Read-only access to chosen properties of a running agent and of the
 * roles it plays, from any thread, without messaging the agent and without
 * racing its own writes (Janus's probes and `@Watchable` fields): what a
 * monitor, a debugger or a web inspector reads.
 *
 * A class declares which of its properties may be probed
 * ([method@Janus.AgentClass.add_probe], [method@Janus.RoleClass.add_probe]);
 * [ctor@Janus.Probe.new] starts watching one agent. While at least one
 * probe watches it, the agent itself publishes the declared values at the
 * end of each of its steps, on its own thread, into an immutable snapshot
 * that replaces the previous one atomically; probes read the latest
 * snapshot from any thread. Values are [struct@GLib.Variant]s, converted as
 * [class@Janus.PropertyMemory] converts properties. An agent that no probe
 * watches costs nothing more than one load at the end of each step.
 *
 * ```c
 * static void
 * miner_class_init (MinerClass *klass)
 * {
 *   …  // install the "gold" and "position" properties
 *   janus_agent_class_add_probe (JANUS_AGENT_CLASS (klass), "gold");
 *   janus_agent_class_add_probe (JANUS_AGENT_CLASS (klass), "position");
 * }
 *
 * // any thread:
 * g_autoptr(JanusProbe) probe = janus_probe_new (miner, &error);
 * …
 * g_autoptr(GVariant) gold = janus_probe_get_value (probe, "gold");
 * ```
 *
 * The values are those of the end of the agent's last step: a snapshot
 * never mixes two steps. Creating a probe wakes the agent once so that it
 * publishes; a heavy agent that stays long in its `live` publishes when it
 * calls [method@Janus.Agent.publish_probes]. The snapshot is kept once the
 * agent is dead.
 */

G_DEFINE_QUARK (janus-probe-error-quark, janus_probe_error)

/* ------------------------------------------------------- declarations
 *
 * Per class, the declared properties; a type's probes are its ancestors'
 * then its own. Guarded by decl_lock. */

static GMutex decl_lock;
static GHashTable *declared;            /* GType -> GPtrArray of GParamSpec (class's) */

static void
declare (GType       type,
         GParamSpec *pspec)
{
  GPtrArray *list;

  g_mutex_lock (&decl_lock);
  if (declared == NULL)
    declared = g_hash_table_new (NULL, NULL);
  list = g_hash_table_lookup (declared, GSIZE_TO_POINTER (type));
  if (list == NULL)
    {
      list = g_ptr_array_new ();
      g_hash_table_insert (declared, GSIZE_TO_POINTER (type), list);
    }
  if (!g_ptr_array_find (list, pspec, NULL))
    g_ptr_array_add (list, pspec);
  g_mutex_unlock (&decl_lock);
}

/* The probed properties of @type (its ancestors' first), a new array. */
static GPtrArray *
probes_of (GType type)
{
  GPtrArray *out = g_ptr_array_new ();
  g_autoptr(GArray) chain = g_array_new (FALSE, FALSE, sizeof (GType));
  guint i, j;

  for (GType t = type; t != 0; t = g_type_parent (t))
    g_array_prepend_val (chain, t);
  g_mutex_lock (&decl_lock);
  for (i = 0; declared != NULL && i < chain->len; i++)
    {
      GPtrArray *list = g_hash_table_lookup (declared, GSIZE_TO_POINTER (g_array_index (chain, GType, i)));
      for (j = 0; list != NULL && j < list->len; j++)
        g_ptr_array_add (out, list->pdata[j]);
    }
  g_mutex_unlock (&decl_lock);
  return out;
}

static GParamSpec *
probe_pspec (GObjectClass *klass,
             const char   *property)
{
  GParamSpec *pspec = g_object_class_find_property (klass, property);
  GParamSpec *target;

  if (pspec != NULL && (target = g_param_spec_get_redirect_target (pspec)) != NULL)
    pspec = target;
  return pspec;
}

static void
add_probe (GObjectClass *klass,
           const char   *property)
{
  GParamSpec *pspec = probe_pspec (klass, property);

  if (pspec == NULL || !janus_property_memory_can_read (pspec))
    {
      g_critical ("%s has no readable property “%s” that a probe can show",
                  G_OBJECT_CLASS_NAME (klass), property);
      return;
    }
  declare (G_OBJECT_CLASS_TYPE (klass), pspec);
}

/**
 * janus_agent_class_add_probe:
 * @klass: an agent class
 * @property: the name of one of its readable properties
 *
 * Lets probes ([ctor@Janus.Probe.new]) read @property of the agents of this
 * class and of its subclasses (Janus's `@Watchable`). The property must be
 * readable and of a type a [class@Janus.PropertyMemory] shows. Call it from
 * `class_init`, after installing the property.
 */
void
janus_agent_class_add_probe (JanusAgentClass *klass,
                             const char      *property)
{
  g_return_if_fail (JANUS_IS_AGENT_CLASS (klass));
  g_return_if_fail (property != NULL);

  add_probe (G_OBJECT_CLASS (klass), property);
}

/**
 * janus_agent_type_add_probe:
 * @agent_type: a subtype of [class@Janus.Agent]
 * @property: the name of one of its readable properties
 *
 * Like [method@Janus.AgentClass.add_probe], for a class given by its
 * `GType` (language bindings).
 */
void
janus_agent_type_add_probe (GType       agent_type,
                            const char *property)
{
  g_autoptr(GTypeClass) klass = NULL;

  g_return_if_fail (g_type_is_a (agent_type, JANUS_TYPE_AGENT));
  g_return_if_fail (property != NULL);

  klass = g_type_class_ref (agent_type);
  add_probe (G_OBJECT_CLASS (klass), property);
}

/**
 * janus_role_class_add_probe:
 * @klass: a role class
 * @property: the name of one of its readable properties
 *
 * Lets probes of the roles' players read @property of the roles of this
 * class ([method@Janus.Probe.get_role_value]).
 */
void
janus_role_class_add_probe (JanusRoleClass *klass,
                            const char     *property)
{
  g_return_if_fail (JANUS_IS_ROLE_CLASS (klass));
  g_return_if_fail (property != NULL);

  add_probe (G_OBJECT_CLASS (klass), property);
}

/**
 * janus_role_type_add_probe:
 * @role_type: a subtype of [class@Janus.Role]
 * @property: the name of one of its readable properties
 *
 * Like [method@Janus.RoleClass.add_probe], for a class given by its `GType`.
 */
void
janus_role_type_add_probe (GType       role_type,
                           const char *property)
{
  g_autoptr(GTypeClass) klass = NULL;

  g_return_if_fail (g_type_is_a (role_type, JANUS_TYPE_ROLE));
  g_return_if_fail (property != NULL);

  klass = g_type_class_ref (role_type);
  add_probe (G_OBJECT_CLASS (klass), property);
}

/**
 * janus_type_list_probes:
 * @type: an agent or role type
 *
 * Lists the properties probes may read on instances of @type (Janus's
 * `ProbeManager.getWatchableNames`): those its ancestors declared, then its
 * own.
 *
 * Returns: (transfer full) (array zero-terminated=1): the property names
 */
char **
janus_type_list_probes (GType type)
{
  g_autoptr(GPtrArray) probes = NULL;
  g_autoptr(GTypeClass) klass = NULL;
  GStrvBuilder *names;
  char **out;

  g_return_val_if_fail (g_type_is_a (type, JANUS_TYPE_AGENT) || g_type_is_a (type, JANUS_TYPE_ROLE), NULL);

  /* its class_init declares them */
  klass = g_type_class_ref (type);
  names = g_strv_builder_new ();
  probes = probes_of (type);
  for (guint i = 0; i < probes->len; i++)
    g_strv_builder_add (names, ((GParamSpec *) probes->pdata[i])->name);
  out = g_strv_builder_end (names);
  g_strv_builder_unref (names);
  return out;
}

/* ---------------------------------------------------------- the state
 *
 * One per watched agent, the agent's qdata. The snapshot is a GVariant
 * "(txa{sv}a(sssa{sv}))": (serial, kernel time, the agent's values, for
 * each probed role its type name, group UUID, group name and values).
 * The owner swaps it in with a release exchange and retires the old one
 * through the epoch collector; readers load it (acquire) inside an epoch
 * critical section and take a reference before leaving it, so a snapshot
 * is never freed under a reader. */

#define SNAPSHOT_TYPE "(txa{sv}a(sssa{sv}))"

typedef struct
{
  gatomicrefcount   ref_count;  /* the agent's (qdata) and each probe's */
  GVariant *_Atomic snapshot;   /* NULL until the first publication */
  guint64           serial;     /* the owner's */
} ProbeState;

static GQuark state_quark;

static ProbeState *
state_ref (ProbeState *state)
{
  g_atomic_ref_count_inc (&state->ref_count);
  return state;
}

/* The last reference: the agent and its probes are gone, so nobody
 * publishes nor reads any more. */
static void
state_unref (gpointer data)
{
  ProbeState *state = data;

  if (!g_atomic_ref_count_dec (&state->ref_count))
    return;
  g_clear_pointer ((GVariant **) &state->snapshot, g_variant_unref);
  g_free (state);
}

static ProbeState *
state_of (JanusAgent *agent)
{
  return g_object_get_qdata (G_OBJECT (agent), state_quark);
}

static GVariant *
read_values (GObject   *object,
             GPtrArray *probes)
{
  GVariantBuilder b;

  g_variant_builder_init (&b, G_VARIANT_TYPE_VARDICT);
  for (guint i = 0; i < probes->len; i++)
    {
      GParamSpec *pspec = probes->pdata[i];
      GVariant *value = janus_property_memory_read (object, pspec);

      if (value != NULL)
        {
          g_variant_builder_add (&b, "{sv}", pspec->name, value);
          g_variant_unref (value);
        }
    }
  return g_variant_builder_end (&b);
}

static GVariant *
read_roles (JanusAgent *agent)
{
  g_autoptr(GPtrArray) roles = janus_agent_list_roles (agent);
  GVariantBuilder b;

  g_variant_builder_init (&b, G_VARIANT_TYPE ("a(sssa{sv})"));
  for (guint i = 0; i < roles->len; i++)
    {
      JanusRole *role = roles->pdata[i];
      g_autoptr(GPtrArray) probes = probes_of (G_OBJECT_TYPE (role));
      JanusGroup *group = janus_role_get_group (role);
      const char *name = janus_group_get_name (group);

      if (probes->len == 0)
        continue;
      g_variant_builder_add (&b, "(sss@a{sv})", G_OBJECT_TYPE_NAME (role),
                             janus_group_get_uuid (group), name ? name : "",
                             read_values (G_OBJECT (role), probes));
    }
  return g_variant_builder_end (&b);
}

/* In the agent's step (or from whoever may act for it): publishes the
 * declared values if they changed. */
static void
publish (JanusAgent *agent)
{
  ProbeState *state = state_of (agent);
  g_autoptr(GPtrArray) probes = NULL;
  g_autoptr(GVariant) values = NULL;
  g_autoptr(GVariant) roles = NULL;
  GVariant *old, *fresh;
  JanusKernel *kernel;

  if (state == NULL)
    return;
  probes = probes_of (G_OBJECT_TYPE (agent));
  values = g_variant_ref_sink (read_values (G_OBJECT (agent), probes));
  roles = g_variant_ref_sink (read_roles (agent));
  old = atomic_load_explicit (&state->snapshot, memory_order_relaxed);
  if (old != NULL)
    {
      g_autoptr(GVariant) old_values = g_variant_get_child_value (old, 2);
      g_autoptr(GVariant) old_roles = g_variant_get_child_value (old, 3);

      if (g_variant_equal (old_values, values) && g_variant_equal (old_roles, roles))
        return;
    }
  kernel = janus_agent_get_kernel (agent);
  fresh = g_variant_ref_sink (g_variant_new ("(tx@a{sv}@a(sssa{sv}))", ++state->serial,
                                             kernel ? janus_kernel_get_time (kernel) : 0,
                                             values, roles));
  /* release: the snapshot is complete before a reader can see it */
  old = atomic_exchange_explicit (&state->snapshot, fresh, memory_order_acq_rel);
  if (old != NULL)
    janus_epoch_retire_shared (old, (GDestroyNotify) g_variant_unref);
}

static void
step_hook (JanusAgent *agent)
{
  publish (agent);
}

/**
 * janus_agent_publish_probes:
 * @self: an agent (call from its own step)
 *
 * Publishes the values probes read now, as the end of each step does: for
 * a heavy agent whose `live` runs long. Does nothing while no probe
 * watches the agent.
 */
void
janus_agent_publish_probes (JanusAgent *self)
{
  g_return_if_fail (JANUS_IS_AGENT (self));
  if (!janus_agent_check_owner (self))
    {
      g_critical ("%s: agent %s publishes its probed values from its own steps",
                  G_STRFUNC, G_OBJECT_TYPE_NAME (self));
      return;
    }

  publish (self);
}

/* --------------------------------------------------------- the probe */

struct _JanusProbe
{
  GObject       parent_instance;

  /* immutable */
  GWeakRef      agent;
  JanusAddress *address;
  ProbeState   *state;          /* strong: outlives the agent */
  atomic_bool   released;       /* the agent no longer counts this probe */
};

G_DEFINE_FINAL_TYPE (JanusProbe, janus_probe, G_TYPE_OBJECT)

static void
install (void)
{
  static gsize done;

  if (g_once_init_enter (&done))
    {
      state_quark = g_quark_from_static_string ("janus-probe-state");
      janus_agent_set_step_hook (step_hook);
      g_once_init_leave (&done, 1);
    }
}

/* The agent's state, made on first use, with a new reference. Any thread. */
static ProbeState *
ensure_state (JanusAgent *agent)
{
  g_autoptr(GMutexLocker) locker = NULL;
  static GMutex lock;
  ProbeState *state;

  /* the lock makes "look, or add" one step for the agent's probers */
  locker = g_mutex_locker_new (&lock);
  state = g_object_get_qdata (G_OBJECT (agent), state_quark);
  if (state == NULL)
    {
      state = g_new0 (ProbeState, 1);
      g_atomic_ref_count_init (&state->ref_count);
      g_object_set_qdata_full (G_OBJECT (agent), state_quark, state, state_unref);
    }
  return state_ref (state);
}

/* The latest snapshot, with a reference, or NULL. Any thread. */
static GVariant *
snapshot (JanusProbe *self)
{
  GVariant *v;

  janus_epoch_enter ();
  /* acquire: pairs with the owner's exchange; the epoch keeps the old
   * snapshot the owner retires meanwhile alive until we leave */
  v = atomic_load_explicit (&self->state->snapshot, memory_order_acquire);
  if (v != NULL)
    g_variant_ref (v);
  janus_epoch_exit ();
  return v;
}

/**
 * janus_probe_new:
 * @agent: a launched agent
 * @error: return location for a [struct@GLib.Error]
 *
 * Starts watching @agent: from now on it publishes the values its class
 * and its roles' classes declare at the end of its steps, and wakes once
 * to publish them. MT safe.
 *
 * Returns: (transfer full) (nullable): the probe, or `NULL` with
 *   `JANUS_PROBE_ERROR_NOT_LAUNCHED` if @agent is not launched
 */
JanusProbe *
janus_probe_new (JanusAgent  *agent,
                 GError     **error)
{
  JanusProbe *self;

  g_return_val_if_fail (JANUS_IS_AGENT (agent), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (janus_agent_get_state (agent) == JANUS_AGENT_STATE_UNBORN)
    {
      g_set_error (error, JANUS_PROBE_ERROR, JANUS_PROBE_ERROR_NOT_LAUNCHED,
                   "Agent %s cannot be probed: it is not launched", G_OBJECT_TYPE_NAME (agent));
      return NULL;
    }
  install ();
  self = g_object_new (JANUS_TYPE_PROBE, NULL);
  g_weak_ref_set (&self->agent, agent);
  self->address = janus_address_copy (janus_agent_get_address (agent));
  self->state = ensure_state (agent);
  /* release: the hook and the state are set before the agent counts us */
  atomic_fetch_add_explicit (&janus_agent_ensure_extra (agent)->probes, 1, memory_order_release);
  if (janus_agent_is_alive (agent))
    janus_agent_nudge (agent);
  return self;
}

/**
 * janus_probe_dup_agent:
 * @self: a probe
 *
 * Gets the watched agent.
 *
 * Returns: (transfer full) (nullable): the agent, or `NULL` once it is
 *   finalized
 */
JanusAgent *
janus_probe_dup_agent (JanusProbe *self)
{
  g_return_val_if_fail (JANUS_IS_PROBE (self), NULL);

  return g_weak_ref_get (&self->agent);
}

/**
 * janus_probe_get_address:
 * @self: a probe
 *
 * Gets the address of the watched agent (Janus's `getWatchedObject`).
 *
 * Returns: (transfer none): the address
 */
const JanusAddress *
janus_probe_get_address (JanusProbe *self)
{
  g_return_val_if_fail (JANUS_IS_PROBE (self), NULL);

  return self->address;
}

/**
 * janus_probe_is_alive:
 * @self: a probe
 *
 * Tells whether the watched agent is still alive, so that its values may
 * still change (Janus's `Probe.isAlive`).
 *
 * Returns: whether the agent is alive
 */
gboolean
janus_probe_is_alive (JanusProbe *self)
{
  g_autoptr(JanusAgent) agent = NULL;

  g_return_val_if_fail (JANUS_IS_PROBE (self), FALSE);

  agent = g_weak_ref_get (&self->agent);
  return agent != NULL && janus_agent_is_alive (agent);
}

/**
 * janus_probe_get_serial:
 * @self: a probe
 *
 * Gets the number of the latest snapshot: 0 before the agent first
 * published, then one more each time a published value changed.
 *
 * Returns: the snapshot's serial number
 */
guint64
janus_probe_get_serial (JanusProbe *self)
{
  g_autoptr(GVariant) v = NULL;
  guint64 serial = 0;

  g_return_val_if_fail (JANUS_IS_PROBE (self), 0);

  v = snapshot (self);
  if (v != NULL)
    g_variant_get_child (v, 0, "t", &serial);
  return serial;
}

/**
 * janus_probe_get_time:
 * @self: a probe
 *
 * Gets when the latest snapshot was published, on the kernel's clock.
 *
 * Returns: the kernel time of the latest snapshot, or 0 before the first
 */
gint64
janus_probe_get_time (JanusProbe *self)
{
  g_autoptr(GVariant) v = NULL;
  gint64 time = 0;

  g_return_val_if_fail (JANUS_IS_PROBE (self), 0);

  v = snapshot (self);
  if (v != NULL)
    g_variant_get_child (v, 1, "x", &time);
  return time;
}

/**
 * janus_probe_list_names:
 * @self: a probe
 *
 * Lists the names of the agent's values in the latest snapshot (Janus's
 * `getProbedValueNames`): its declared properties that are not `NULL`.
 *
 * Returns: (transfer full) (array zero-terminated=1): the names
 */
char **
janus_probe_list_names (JanusProbe *self)
{
  g_autoptr(GVariant) v = NULL;
  g_autoptr(GVariant) values = NULL;
  GStrvBuilder *names;
  GVariantIter iter;
  const char *key;
  char **out;

  g_return_val_if_fail (JANUS_IS_PROBE (self), NULL);

  names = g_strv_builder_new ();
  v = snapshot (self);
  if (v != NULL)
    {
      values = g_variant_get_child_value (v, 2);
      g_variant_iter_init (&iter, values);
      while (g_variant_iter_next (&iter, "{&sv}", &key, NULL))
        g_strv_builder_add (names, key);
    }
  out = g_strv_builder_end (names);
  g_strv_builder_unref (names);
  return out;
}

/**
 * janus_probe_get_value:
 * @self: a probe
 * @name: a probed property of the agent
 *
 * Reads a value of the agent from the latest snapshot. MT safe, lock
 * free with respect to the agent.
 *
 * Returns: (transfer full) (nullable): the value, or `NULL` if the latest
 *   snapshot has none of that name
 */
GVariant *
janus_probe_get_value (JanusProbe *self,
                       const char *name)
{
  g_autoptr(GVariant) v = NULL;
  g_autoptr(GVariant) values = NULL;

  g_return_val_if_fail (JANUS_IS_PROBE (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  v = snapshot (self);
  if (v == NULL)
    return NULL;
  values = g_variant_get_child_value (v, 2);
  return g_variant_lookup_value (values, name, NULL);
}

/**
 * janus_probe_get_typed:
 * @self: a probe
 * @name: a probed property of the agent
 * @type: the type the value must have
 * @error: return location for a [struct@GLib.Error]
 *
 * Reads a value of the agent that must be of type @type (Janus's
 * `getProbeInt` and friends).
 *
 * Returns: (transfer full) (nullable): the value, or `NULL` with
 *   `JANUS_PROBE_ERROR_NOT_DEFINED` or `JANUS_PROBE_ERROR_WRONG_TYPE`
 */
GVariant *
janus_probe_get_typed (JanusProbe          *self,
                       const char          *name,
                       const GVariantType  *type,
                       GError             **error)
{
  g_autoptr(GVariant) value = NULL;

  g_return_val_if_fail (JANUS_IS_PROBE (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (type != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  value = janus_probe_get_value (self, name);
  if (value == NULL)
    {
      g_set_error (error, JANUS_PROBE_ERROR, JANUS_PROBE_ERROR_NOT_DEFINED,
                   "The probe has no value “%s”", name);
      return NULL;
    }
  if (!g_variant_is_of_type (value, type))
    {
      g_set_error (error, JANUS_PROBE_ERROR, JANUS_PROBE_ERROR_WRONG_TYPE,
                   "The probed value “%s” is of type “%s”, not “%.*s”", name,
                   g_variant_get_type_string (value),
                   (int) g_variant_type_get_string_length (type), g_variant_type_peek_string (type));
      return NULL;
    }
  return g_steal_pointer (&value);
}

/**
 * janus_probe_get_role_value:
 * @self: a probe
 * @role_type: the type of a role the agent plays
 * @group: (nullable): the group it plays it in, or `NULL` for the first
 *   such role
 * @name: a probed property of the role
 *
 * Reads a value of one of the agent's roles from the latest snapshot
 * (Janus's `RoleProbe`).
 *
 * Returns: (transfer full) (nullable): the value, or `NULL` if the latest
 *   snapshot has none
 */
GVariant *
janus_probe_get_role_value (JanusProbe *self,
                            GType       role_type,
                            JanusGroup *group,
                            const char *name)
{
  g_autoptr(GVariant) v = NULL;
  g_autoptr(GVariant) roles = NULL;
  GVariantIter iter;
  const char *type_name, *uuid, *group_name;
  GVariant *values;

  g_return_val_if_fail (JANUS_IS_PROBE (self), NULL);
  g_return_val_if_fail (g_type_is_a (role_type, JANUS_TYPE_ROLE), NULL);
  g_return_val_if_fail (group == NULL || JANUS_IS_GROUP (group), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  v = snapshot (self);
  if (v == NULL)
    return NULL;
  roles = g_variant_get_child_value (v, 3);
  g_variant_iter_init (&iter, roles);
  while (g_variant_iter_next (&iter, "(&s&s&s@a{sv})", &type_name, &uuid, &group_name, &values))
    {
      GType t = g_type_from_name (type_name);
      gboolean match = t != 0 && g_type_is_a (t, role_type)
                       && (group == NULL || g_str_equal (uuid, janus_group_get_uuid (group)));
      GVariant *found = match ? g_variant_lookup_value (values, name, NULL) : NULL;

      g_variant_unref (values);
      if (match)
        return found;
    }
  return NULL;
}

/**
 * janus_probe_dup_snapshot:
 * @self: a probe
 *
 * Gets the whole latest snapshot, for an inspector: a
 * `(txa{sv}a(sssa{sv}))` variant holding its serial number, its kernel
 * time, the agent's values, and for each probed role its type name, its
 * group's UUID and name (empty if none) and its values. It serialises to
 * JSON with json_gvariant_serialize().
 *
 * Returns: (transfer full) (nullable): the snapshot, or `NULL` before the
 *   agent first published
 */
GVariant *
janus_probe_dup_snapshot (JanusProbe *self)
{
  g_return_val_if_fail (JANUS_IS_PROBE (self), NULL);

  return snapshot (self);
}

static void
janus_probe_dispose (GObject *object)
{
  JanusProbe *self = JANUS_PROBE (object);
  g_autoptr(JanusAgent) agent = g_weak_ref_get (&self->agent);

  /* a finalized agent counts nothing any more */
  if (agent != NULL && !atomic_exchange (&self->released, TRUE))
    atomic_fetch_sub_explicit (&janus_agent_ensure_extra (agent)->probes, 1, memory_order_relaxed);
  G_OBJECT_CLASS (janus_probe_parent_class)->dispose (object);
}

static void
janus_probe_finalize (GObject *object)
{
  JanusProbe *self = JANUS_PROBE (object);

  g_weak_ref_clear (&self->agent);
  g_clear_pointer (&self->address, janus_address_free);
  g_clear_pointer (&self->state, state_unref);

  G_OBJECT_CLASS (janus_probe_parent_class)->finalize (object);
}

static void
janus_probe_class_init (JanusProbeClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = janus_probe_dispose;
  object_class->finalize = janus_probe_finalize;
}

static void
janus_probe_init (JanusProbe *self)
{
  g_weak_ref_init (&self->agent, NULL);
}
