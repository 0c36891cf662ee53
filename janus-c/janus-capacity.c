/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "janus-agent-private.h"
#include "janus-capacity-context-private.h"
#include "janus-capacity-private.h"
#include "janus-error.h"
#include "janus-kernel.h"

/**
 * JanusCapacity:
 *
 * A competence: something an agent can do, that the roles it plays may
 * need. A role class lists the capacities it requires
 * ([method@Janus.RoleClass.add_required_capacity]); an agent provides a
 * capacity by registering an object implementing it
 * ([method@Janus.Agent.add_capacity]), and requesting a role whose required
 * capacities it lacks fails with `JANUS_ORGANIZATION_ERROR_MISSING_CAPACITY`.
 *
 * A role calls a capacity synchronously — through your own typed interface
 * on the object [method@Janus.Role.get_capacity] returns, or through the
 * generic [method@Janus.Capacity.invoke] with [method@Janus.Role.invoke_capacity]
 * — or asynchronously with [method@Janus.Role.invoke_capacity_on_worker]: the
 * capacity then runs on one of the kernel's workers and its result comes
 * back as a message in the role's mailbox.
 *
 * ```c
 * // a capacity that doubles integers
 * static GVariant *
 * doubler_invoke (JanusCapacity *cap, GVariant *input, GError **error)
 * {
 *   return g_variant_new_int64 (2 * g_variant_get_int64 (input));
 * }
 * ```
 */

G_DEFINE_INTERFACE (JanusCapacity, janus_capacity, G_TYPE_OBJECT)

static GVariant *
janus_capacity_real_invoke (JanusCapacity  *self,
                            GVariant       *input,
                            GError        **error)
{
  g_set_error (error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_FAILED,
               "Capacity %s cannot be invoked generically (no invoke function)",
               G_OBJECT_TYPE_NAME (self));
  return NULL;
}

static void
janus_capacity_default_init (JanusCapacityInterface *iface)
{
  iface->invoke = janus_capacity_real_invoke;
}

/**
 * janus_capacity_invoke:
 * @self: a capacity implementation
 * @input: (nullable): the input; a floating reference is taken
 * @error: return location for a [struct@GLib.Error]
 *
 * Performs the capacity on @input.
 *
 * Returns: (transfer full) (nullable): the result, or `NULL` for none or on
 *   error (then @error is set)
 */
GVariant *
janus_capacity_invoke (JanusCapacity  *self,
                       GVariant       *input,
                       GError        **error)
{
  g_autoptr(GVariant) in = NULL;
  GVariant *result;

  g_return_val_if_fail (JANUS_IS_CAPACITY (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  in = input ? g_variant_ref_sink (input) : NULL;
  result = JANUS_CAPACITY_GET_IFACE (self)->invoke (self, in, error);
  return result ? g_variant_take_ref (result) : NULL;
}

/* ------------------------------------------- an agent's capacities
 *
 * extra->capacities maps a capacity type to its implementations (a
 * GPtrArray, in registration order), under extra->lock. The selection
 * policy is the agent's qdata. */

typedef struct
{
  JanusCapacityPolicy         policy;
  atomic_uint                 round_robin;
  JanusCapacitySelectionFunc  func;
  gpointer                    data;
  GDestroyNotify              destroy;
} Selection;

static GQuark selection_quark;

static void
selection_free (gpointer data)
{
  Selection *sel = data;

  if (sel->destroy != NULL)
    sel->destroy (sel->data);
  g_free (sel);
}

/* The agent's selection, made on first use; lock held. */
static Selection *
selection_of (JanusAgent *self)
{
  Selection *sel;

  if (G_UNLIKELY (selection_quark == 0))
    selection_quark = g_quark_from_static_string ("janus-capacity-selection");
  sel = g_object_get_qdata (G_OBJECT (self), selection_quark);
  if (sel == NULL)
    {
      sel = g_new0 (Selection, 1);
      g_object_set_qdata_full (G_OBJECT (self), selection_quark, sel, selection_free);
    }
  return sel;
}

static gboolean
check_implementation (GType    capacity_type,
                      gpointer implementation)
{
  g_return_val_if_fail (G_TYPE_IS_INTERFACE (capacity_type), FALSE);
  g_return_val_if_fail (G_IS_OBJECT (implementation), FALSE);
  g_return_val_if_fail (g_type_is_a (G_OBJECT_TYPE (implementation), capacity_type), FALSE);
  return TRUE;
}

/* Lock held: the implementations of @capacity_type, made if @create. */
static GPtrArray *
implementations (JanusAgentExtra *extra,
                 GType            capacity_type,
                 gboolean         create)
{
  GPtrArray *list;

  if (extra->capacities == NULL)
    {
      if (!create)
        return NULL;
      extra->capacities = g_hash_table_new_full (NULL, NULL, NULL,
                                                 (GDestroyNotify) g_ptr_array_unref);
    }
  list = g_hash_table_lookup (extra->capacities, GSIZE_TO_POINTER (capacity_type));
  if (list == NULL && create)
    {
      list = g_ptr_array_new_with_free_func (g_object_unref);
      g_hash_table_insert (extra->capacities, GSIZE_TO_POINTER (capacity_type), list);
    }
  return list;
}

/**
 * janus_agent_add_capacity:
 * @self: an agent
 * @capacity_type: an interface type (requiring [iface@Janus.Capacity], or
 *   `JANUS_TYPE_CAPACITY` itself)
 * @implementation: (type GObject): an object implementing @capacity_type
 *
 * Registers @implementation as the agent's only provider of
 * @capacity_type (replacing any), for the roles it plays. To register
 * several, see [method@Janus.Agent.add_capacity_implementation]. MT safe.
 */
void
janus_agent_add_capacity (JanusAgent *self,
                          GType       capacity_type,
                          gpointer    implementation)
{
  JanusAgentExtra *extra;
  g_autoptr(GPtrArray) old = NULL;

  g_return_if_fail (janus_is_agent (self));
  if (!check_implementation (capacity_type, implementation))
    return;

  extra = janus_agent_ensure_extra (self);
  g_mutex_lock (&extra->lock);
  if (extra->capacities != NULL)
    g_hash_table_steal_extended (extra->capacities, GSIZE_TO_POINTER (capacity_type),
                                 NULL, (gpointer *) &old);
  g_ptr_array_add (implementations (extra, capacity_type, TRUE), g_object_ref (implementation));
  g_mutex_unlock (&extra->lock);
  /* outside the lock: finalizers are user code */
}

/**
 * janus_agent_add_capacity_implementation:
 * @self: an agent
 * @capacity_type: an interface type
 * @implementation: (type GObject): an object implementing @capacity_type
 *
 * Registers one more provider of @capacity_type (Janus's
 * `CapacityContainer.addCapacity`): a call then uses one of them, as the
 * agent's [enum@Janus.CapacityPolicy] says. Registering an implementation
 * twice changes nothing. MT safe.
 */
void
janus_agent_add_capacity_implementation (JanusAgent *self,
                                         GType       capacity_type,
                                         gpointer    implementation)
{
  JanusAgentExtra *extra;
  GPtrArray *list;

  g_return_if_fail (janus_is_agent (self));
  if (!check_implementation (capacity_type, implementation))
    return;

  extra = janus_agent_ensure_extra (self);
  g_mutex_lock (&extra->lock);
  list = implementations (extra, capacity_type, TRUE);
  if (!g_ptr_array_find (list, implementation, NULL))
    g_ptr_array_add (list, g_object_ref (implementation));
  g_mutex_unlock (&extra->lock);
}

/**
 * janus_agent_remove_capacity:
 * @self: an agent
 * @capacity_type: an interface type
 *
 * Unregisters every provider of @capacity_type (Janus's
 * `removeCapacity(Class)`). Roles already played keep running; calls to
 * the capacity fail from now on with
 * `JANUS_ORGANIZATION_ERROR_MISSING_CAPACITY`. MT safe.
 *
 * Returns: `TRUE` if the agent had some
 */
gboolean
janus_agent_remove_capacity (JanusAgent *self,
                             GType       capacity_type)
{
  JanusAgentExtra *extra;
  g_autoptr(GPtrArray) old = NULL;

  g_return_val_if_fail (janus_is_agent (self), FALSE);

  extra = atomic_load_explicit (&janus_agent_get_private (self)->extra, memory_order_acquire);
  if (extra == NULL)
    return FALSE;
  g_mutex_lock (&extra->lock);
  if (extra->capacities != NULL)
    g_hash_table_steal_extended (extra->capacities, GSIZE_TO_POINTER (capacity_type),
                                 NULL, (gpointer *) &old);
  g_mutex_unlock (&extra->lock);
  return old != NULL && old->len > 0;
}

/**
 * janus_agent_remove_capacity_implementation:
 * @self: an agent
 * @capacity_type: an interface type
 * @implementation: (type GObject): one of its registered providers
 *
 * Unregisters one provider of @capacity_type (Janus's
 * `removeCapacity(CapacityImplementation)`). MT safe.
 *
 * Returns: `TRUE` if it was registered
 */
gboolean
janus_agent_remove_capacity_implementation (JanusAgent *self,
                                            GType       capacity_type,
                                            gpointer    implementation)
{
  JanusAgentExtra *extra;
  GPtrArray *list;
  gboolean found = FALSE;
  guint i;

  g_return_val_if_fail (janus_is_agent (self), FALSE);
  g_return_val_if_fail (G_IS_OBJECT (implementation), FALSE);

  extra = atomic_load_explicit (&janus_agent_get_private (self)->extra, memory_order_acquire);
  if (extra == NULL)
    return FALSE;
  g_mutex_lock (&extra->lock);
  list = implementations (extra, capacity_type, FALSE);
  if (list != NULL && g_ptr_array_find (list, implementation, &i))
    {
      g_ptr_array_steal_index (list, i);
      found = TRUE;
      if (list->len == 0)
        g_hash_table_remove (extra->capacities, GSIZE_TO_POINTER (capacity_type));
    }
  g_mutex_unlock (&extra->lock);
  if (found)
    g_object_unref (implementation);
  return found;
}

/* Lock held: the candidates for @capacity_type, with a reference each:
 * those registered for it, else those registered for a type that implies
 * it. */
static GPtrArray *
candidates (JanusAgentExtra *extra,
            GType            capacity_type)
{
  GPtrArray *out = g_ptr_array_new_with_free_func (g_object_unref);
  GPtrArray *list = implementations (extra, capacity_type, FALSE);
  guint i;

  if (list != NULL)
    for (i = 0; i < list->len; i++)
      g_ptr_array_add (out, g_object_ref (list->pdata[i]));
  else if (extra->capacities != NULL)
    {
      GHashTableIter iter;
      gpointer value;

      g_hash_table_iter_init (&iter, extra->capacities);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        for (i = 0; i < ((GPtrArray *) value)->len; i++)
          {
            GObject *impl = ((GPtrArray *) value)->pdata[i];
            if (g_type_is_a (G_OBJECT_TYPE (impl), capacity_type)
                && !g_ptr_array_find (out, impl, NULL))
              g_ptr_array_add (out, g_object_ref (impl));
          }
    }
  return out;
}

/**
 * janus_agent_list_capacity_implementations:
 * @self: an agent
 * @capacity_type: an interface type
 *
 * Lists the agent's providers of @capacity_type: those registered for it
 * in the order they were, or else those registered for a type that implies
 * it. MT safe.
 *
 * Returns: (transfer container) (element-type GObject): the implementations
 */
GPtrArray *
janus_agent_list_capacity_implementations (JanusAgent *self,
                                           GType       capacity_type)
{
  JanusAgentExtra *extra;
  GPtrArray *out;

  g_return_val_if_fail (janus_is_agent (self), NULL);

  extra = atomic_load_explicit (&janus_agent_get_private (self)->extra, memory_order_acquire);
  if (extra == NULL)
    return g_ptr_array_new_with_free_func (g_object_unref);
  g_mutex_lock (&extra->lock);
  out = candidates (extra, capacity_type);
  g_mutex_unlock (&extra->lock);
  return out;
}

/**
 * janus_agent_get_capacity:
 * @self: an agent
 * @capacity_type: an interface type
 *
 * Finds the agent's provider of @capacity_type: one of those registered
 * for it, chosen by the agent's [enum@Janus.CapacityPolicy], or else one
 * registered for a type that implies it. MT safe.
 *
 * Returns: (transfer none) (type GObject) (nullable): the implementation
 *   (valid while it is registered), or `NULL`
 */
gpointer
janus_agent_get_capacity (JanusAgent *self,
                          GType       capacity_type)
{
  JanusAgentExtra *extra;
  g_autoptr(GPtrArray) found = NULL;
  JanusCapacitySelectionFunc func = NULL;
  gpointer data = NULL;
  JanusCapacityPolicy policy;
  Selection *sel;
  guint pick = 0;

  g_return_val_if_fail (janus_is_agent (self), NULL);

  extra = atomic_load_explicit (&janus_agent_get_private (self)->extra, memory_order_acquire);
  if (extra == NULL)
    return NULL;
  g_mutex_lock (&extra->lock);
  found = candidates (extra, capacity_type);
  sel = found->len > 1 ? selection_of (self) : NULL;
  policy = sel ? sel->policy : JANUS_CAPACITY_POLICY_FIRST;
  if (policy == JANUS_CAPACITY_POLICY_ROUND_ROBIN)
    pick = atomic_fetch_add_explicit (&sel->round_robin, 1, memory_order_relaxed) % found->len;
  else if (policy == JANUS_CAPACITY_POLICY_CUSTOM)
    {
      func = sel->func;
      data = sel->data;
    }
  g_mutex_unlock (&extra->lock);

  if (found->len == 0)
    return NULL;
  if (policy == JANUS_CAPACITY_POLICY_RANDOM)
    pick = (guint) (janus_scheduler_random () % found->len);
  else if (func != NULL)
    {
      /* user code, without the lock */
      pick = func (self, capacity_type, (GObject **) found->pdata, found->len, data);
      if (pick >= found->len)
        {
          g_warning ("capacity selection of agent %s chose %u of %u implementations "
                     "of %s; using the first", G_OBJECT_TYPE_NAME (self), pick,
                     found->len, g_type_name (capacity_type));
          pick = 0;
        }
    }
  /* the agent keeps its own reference */
  return found->pdata[pick];
}

/**
 * janus_agent_get_capacity_policy:
 * @self: an agent
 *
 * Gets how a call chooses among several implementations of a capacity.
 *
 * Returns: the policy (`JANUS_CAPACITY_POLICY_FIRST` unless set)
 */
JanusCapacityPolicy
janus_agent_get_capacity_policy (JanusAgent *self)
{
  JanusAgentExtra *extra;
  JanusCapacityPolicy policy;

  g_return_val_if_fail (janus_is_agent (self), JANUS_CAPACITY_POLICY_FIRST);

  extra = janus_agent_ensure_extra (self);
  g_mutex_lock (&extra->lock);
  policy = selection_of (self)->policy;
  g_mutex_unlock (&extra->lock);
  return policy;
}

/**
 * janus_agent_set_capacity_policy:
 * @self: an agent
 * @policy: `JANUS_CAPACITY_POLICY_FIRST`, `JANUS_CAPACITY_POLICY_RANDOM` or
 *   `JANUS_CAPACITY_POLICY_ROUND_ROBIN` (use
 *   [method@Janus.Agent.set_capacity_selection_func] for a custom one)
 *
 * Sets how a call chooses among several implementations of a capacity
 * (Janus's `setCapacityImplementationSelectionPolicy`). MT safe.
 */
void
janus_agent_set_capacity_policy (JanusAgent          *self,
                                 JanusCapacityPolicy  policy)
{
  JanusAgentExtra *extra;

  g_return_if_fail (janus_is_agent (self));
  g_return_if_fail (policy <= JANUS_CAPACITY_POLICY_ROUND_ROBIN);

  extra = janus_agent_ensure_extra (self);
  g_mutex_lock (&extra->lock);
  selection_of (self)->policy = policy;
  g_mutex_unlock (&extra->lock);
}

/**
 * janus_agent_set_capacity_selection_func:
 * @self: an agent
 * @func: (scope notified) (closure user_data) (destroy destroy): chooses
 * @user_data: (nullable): data for @func
 * @destroy: (nullable): frees @user_data when replaced or with the agent
 *
 * Installs a custom choice among several implementations of a capacity
 * (`JANUS_CAPACITY_POLICY_CUSTOM`). MT safe.
 */
void
janus_agent_set_capacity_selection_func (JanusAgent                 *self,
                                         JanusCapacitySelectionFunc  func,
                                         gpointer                    user_data,
                                         GDestroyNotify              destroy)
{
  JanusAgentExtra *extra;
  GDestroyNotify old_destroy;
  gpointer old_data;
  Selection *sel;

  g_return_if_fail (janus_is_agent (self));
  g_return_if_fail (func != NULL);

  extra = janus_agent_ensure_extra (self);
  g_mutex_lock (&extra->lock);
  sel = selection_of (self);
  old_destroy = sel->destroy;
  old_data = sel->data;
  sel->func = func;
  sel->data = user_data;
  sel->destroy = destroy;
  sel->policy = JANUS_CAPACITY_POLICY_CUSTOM;
  g_mutex_unlock (&extra->lock);
  if (old_destroy != NULL)
    old_destroy (old_data);
}

/* -------------------------------------------- invocation by message */

/* An internal light agent that performs one asynchronous capacity call on a
 * worker and mails the outcome to the calling role. */
#define JANUS_TYPE_CAPACITY_TASK (janus_capacity_task_get_type ())
G_DECLARE_FINAL_TYPE (JanusCapacityTask, janus_capacity_task, JANUS, CAPACITY_TASK, JanusAgent)

struct _JanusCapacityTask
{
  JanusAgent         parent_instance;
  JanusCapacity     *capacity;
  GVariant          *input;
  JanusAgent        *caller;     /* strong: the context's */
  JanusRole         *role;       /* strong */
  JanusGroup        *group;      /* strong */
  GType              capacity_type;
  JanusAddress       reply_to;
  JanusMessageRoute *route;
  char              *subject;
};

G_DEFINE_FINAL_TYPE (JanusCapacityTask, janus_capacity_task, JANUS_TYPE_AGENT)

static gboolean
capacity_task_activate (JanusAgent  *agent,
                        GVariant    *parameters,
                        GError     **error)
{
  JanusCapacityTask *self = JANUS_CAPACITY_TASK (agent);
  g_autoptr(GError) failure = NULL;
  g_autoptr(GVariant) result = NULL;
  JanusMessage *reply;
  GVariant *body;
  JanusCapacityFrame frame;

  janus_capacity_frame_enter (&frame, self->caller, self->role, self->group,
                              self->capacity_type, self->input, NULL);
  result = janus_capacity_invoke (self->capacity, self->input, &failure);
  janus_capacity_frame_leave (&frame, result, failure);
  if (failure != NULL)
    body = g_variant_new ("(bv)", FALSE,
                          g_variant_new ("(sis)", g_quark_to_string (failure->domain),
                                         failure->code, failure->message));
  else
    body = g_variant_new ("(bv)", TRUE, result ? result : g_variant_new ("()"));
  reply = janus_message_new (self->subject, body);
  janus_message_set_route (reply, self->route);
  janus_agent_send (agent, &self->reply_to, reply, NULL);
  return TRUE;
}

static JanusLive
capacity_task_live (JanusAgent *agent)
{
  return JANUS_LIVE_DONE;
}

static void
capacity_task_finalize (GObject *object)
{
  JanusCapacityTask *self = JANUS_CAPACITY_TASK (object);

  g_clear_object (&self->capacity);
  g_clear_object (&self->caller);
  g_clear_object (&self->role);
  g_clear_object (&self->group);
  g_clear_pointer (&self->input, g_variant_unref);
  g_clear_pointer (&self->route, janus_message_route_unref);
  g_free (self->subject);
  G_OBJECT_CLASS (janus_capacity_task_parent_class)->finalize (object);
}

static void
janus_capacity_task_class_init (JanusCapacityTaskClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = capacity_task_finalize;
  JANUS_AGENT_CLASS (klass)->activate = capacity_task_activate;
  JANUS_AGENT_CLASS (klass)->live = capacity_task_live;
}

static void
janus_capacity_task_init (JanusCapacityTask *self)
{
}

/* Performs @self's capacity on one of @player's kernel's workers (a
 * short-lived light agent) and mails the outcome to @player with @route
 * (taken) and @reply_subject; janus_message_get_capacity_result reads it. */
gboolean
janus_capacity_invoke_by_message (JanusCapacity      *self,
                                  GVariant           *input,
                                  JanusAgent         *player,
                                  JanusRole          *role,
                                  JanusGroup         *group,
                                  GType               capacity_type,
                                  JanusMessageRoute  *route,
                                  const char         *reply_subject,
                                  GError            **error)
{
  g_autoptr(JanusCapacityTask) task = g_object_new (JANUS_TYPE_CAPACITY_TASK, NULL);

  task->capacity = g_object_ref (self);
  task->input = input ? g_variant_ref (input) : NULL;
  task->caller = g_object_ref (player);
  task->role = g_object_ref (role);
  task->group = g_object_ref (group);
  task->capacity_type = capacity_type;
  task->reply_to = *janus_agent_get_address (player);
  task->route = route;
  task->subject = g_strdup (reply_subject);
  return janus_kernel_launch_light_agent (janus_agent_get_kernel (player),
                                          JANUS_AGENT (task), NULL, NULL, error);
}

/**
 * janus_message_get_capacity_result:
 * @message: the message that answered [method@Janus.Role.invoke_capacity_on_worker]
 * @error: return location for a [struct@GLib.Error]
 *
 * Reads the outcome of an asynchronous capacity invocation: its result, or
 * the error it failed with.
 *
 * Returns: (transfer full) (nullable): the result (a `()` unit for a capacity
 *   that returned nothing), or `NULL` with @error set
 */
GVariant *
janus_message_get_capacity_result (JanusMessage  *message,
                                   GError       **error)
{
  GVariant *body;
  gboolean ok;
  g_autoptr(GVariant) payload = NULL;

  g_return_val_if_fail (message != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  body = janus_message_get_body (message);
  if (body == NULL || !g_variant_is_of_type (body, G_VARIANT_TYPE ("(bv)")))
    {
      g_set_error (error, JANUS_MESSAGE_ERROR, JANUS_MESSAGE_ERROR_NOT_A_CAPACITY_RESULT,
                   "Message “%s” is not a capacity result", message->subject);
      return NULL;
    }
  g_variant_get (body, "(bv)", &ok, &payload);
  if (ok)
    return g_steal_pointer (&payload);
  if (g_variant_is_of_type (payload, G_VARIANT_TYPE ("(sis)")))
    {
      const char *domain, *text;
      gint code;

      /* the capacity's own error, domain and code included */
      g_variant_get (payload, "(&si&s)", &domain, &code, &text);
      g_set_error_literal (error, g_quark_from_string (domain), code, text);
      return NULL;
    }
  g_set_error_literal (error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_FAILED,
                       g_variant_is_of_type (payload, G_VARIANT_TYPE_STRING)
                       ? g_variant_get_string (payload, NULL) : "capacity failed");
  return NULL;
}
