/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "janus-agent-private.h"
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

/* ------------------------------------------- an agent's capacities */

/**
 * janus_agent_add_capacity:
 * @self: an agent
 * @capacity_type: an interface type (requiring [iface@Janus.Capacity], or
 *   `JANUS_TYPE_CAPACITY` itself)
 * @implementation: (type GObject): an object implementing @capacity_type
 *
 * Registers @implementation as the agent's provider of @capacity_type
 * (replacing any), for the roles it plays. MT safe.
 */
void
janus_agent_add_capacity (JanusAgent *self,
                          GType       capacity_type,
                          gpointer    implementation)
{
  JanusAgentExtra *extra;

  g_return_if_fail (janus_is_agent (self));
  g_return_if_fail (G_TYPE_IS_INTERFACE (capacity_type));
  g_return_if_fail (G_IS_OBJECT (implementation));
  g_return_if_fail (g_type_is_a (G_OBJECT_TYPE (implementation), capacity_type));

  extra = janus_agent_ensure_extra (self);
  g_mutex_lock (&extra->lock);
  if (extra->capacities == NULL)
    extra->capacities = g_hash_table_new_full (NULL, NULL, NULL, g_object_unref);
  g_hash_table_replace (extra->capacities, GSIZE_TO_POINTER (capacity_type),
                        g_object_ref (implementation));
  g_mutex_unlock (&extra->lock);
}

/**
 * janus_agent_get_capacity:
 * @self: an agent
 * @capacity_type: an interface type
 *
 * Finds the agent's provider of @capacity_type: the one registered for it,
 * or else one registered for a type that implies it. MT safe.
 *
 * Returns: (transfer none) (type GObject) (nullable): the implementation, or
 *   `NULL`
 */
gpointer
janus_agent_get_capacity (JanusAgent *self,
                          GType       capacity_type)
{
  JanusAgentExtra *extra;
  gpointer impl = NULL;

  g_return_val_if_fail (janus_is_agent (self), NULL);

  extra = atomic_load_explicit (&janus_agent_get_private (self)->extra, memory_order_acquire);
  if (extra == NULL)
    return NULL;
  g_mutex_lock (&extra->lock);
  if (extra->capacities != NULL)
    {
      impl = g_hash_table_lookup (extra->capacities, GSIZE_TO_POINTER (capacity_type));
      if (impl == NULL)
        {
          GHashTableIter iter;
          gpointer value;

          g_hash_table_iter_init (&iter, extra->capacities);
          while (impl == NULL && g_hash_table_iter_next (&iter, NULL, &value))
            if (g_type_is_a (G_OBJECT_TYPE (value), capacity_type))
              impl = value;
        }
    }
  g_mutex_unlock (&extra->lock);
  return impl;
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

  result = janus_capacity_invoke (self->capacity, self->input, &failure);
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
                                  JanusMessageRoute  *route,
                                  const char         *reply_subject,
                                  GError            **error)
{
  g_autoptr(JanusCapacityTask) task = g_object_new (JANUS_TYPE_CAPACITY_TASK, NULL);

  task->capacity = g_object_ref (self);
  task->input = input ? g_variant_ref (input) : NULL;
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
