/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "janus-agent-private.h"
#include "janus-capacity-context-private.h"
#include "janus-capacity.h"
#include "janus-error.h"
#include "janus-kernel.h"
#include "janus-role-private.h"

/* Asynchronous capacity calls of a role: janus_role_call_capacity (a
 * JanusCapacityContext the caller polls, waits for or cancels) and the
 * GIO pair janus_role_invoke_capacity_async/_finish built on it. The
 * capacity runs in a short-lived internal light agent on the kernel's
 * workers (as janus_role_invoke_capacity_on_worker's does, janus-capacity.c).
 *
 * A GTask made in an agent's step completes in that agent's next step:
 * the task is made under a GMainContext of the agent's own, and the step
 * after the call completed dispatches it — so the callback never runs
 * beside the agent's other code. Elsewhere the task follows GIO's rule
 * (the caller's thread-default main context). These are methods of
 * JanusRole. */

/* ----------------------------------------------------------- the runner */

#define JANUS_TYPE_CAPACITY_RUNNER (janus_capacity_runner_get_type ())
G_DECLARE_FINAL_TYPE (JanusCapacityRunner, janus_capacity_runner, JANUS, CAPACITY_RUNNER, JanusAgent)

struct _JanusCapacityRunner
{
  JanusAgent            parent_instance;
  JanusCapacityContext *context;
  JanusCapacity        *capacity;
};

G_DEFINE_FINAL_TYPE (JanusCapacityRunner, janus_capacity_runner, JANUS_TYPE_AGENT)

static gboolean
runner_activate (JanusAgent  *agent,
                 GVariant    *parameters,
                 GError     **error)
{
  JanusCapacityRunner *self = JANUS_CAPACITY_RUNNER (agent);
  JanusCapacityContext *ctx = self->context;
  g_autoptr(GError) failure = NULL;
  g_autoptr(GVariant) result = NULL;
  g_autoptr(JanusAgent) caller = NULL;
  JanusCapacityFrame frame;

  /* cancelled before it started: it already completed so */
  if (janus_capacity_context_is_completed (ctx))
    return TRUE;
  caller = janus_capacity_context_dup_caller (ctx);
  janus_capacity_frame_enter (&frame, caller,
                              janus_capacity_context_get_role (ctx),
                              janus_capacity_context_get_group (ctx),
                              janus_capacity_context_get_capacity_type (ctx),
                              janus_capacity_context_get_input (ctx), ctx);
  result = janus_capacity_invoke (self->capacity, janus_capacity_context_get_input (ctx), &failure);
  janus_capacity_frame_leave (&frame, result, failure);
  /* a cancellation meanwhile won: the outcome is dropped */
  janus_capacity_context_complete (ctx, result, failure);
  return TRUE;
}

static JanusLive
runner_live (JanusAgent *agent)
{
  return JANUS_LIVE_DONE;
}

static void
runner_finalize (GObject *object)
{
  JanusCapacityRunner *self = JANUS_CAPACITY_RUNNER (object);

  g_clear_object (&self->context);
  g_clear_object (&self->capacity);
  G_OBJECT_CLASS (janus_capacity_runner_parent_class)->finalize (object);
}

static void
janus_capacity_runner_class_init (JanusCapacityRunnerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = runner_finalize;
  JANUS_AGENT_CLASS (klass)->activate = runner_activate;
  JANUS_AGENT_CLASS (klass)->live = runner_live;
}

static void
janus_capacity_runner_init (JanusCapacityRunner *self)
{
}

/* ------------------------------------------------------------ the call */

static JanusCapacity *
find_capacity (JanusRole  *self,
               GType       capacity_type,
               GError    **error)
{
  JanusAgent *player = janus_role_get_private (self)->player;
  gpointer impl;

  if (!janus_role_is_played (self))
    {
      g_set_error (error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_ROLE_NOT_PLAYED,
                   "Role %s is no longer played: it cannot call capacity %s",
                   G_OBJECT_TYPE_NAME (self), g_type_name (capacity_type));
      return NULL;
    }
  impl = janus_agent_get_capacity (player, capacity_type);
  if (impl == NULL || !JANUS_IS_CAPACITY (impl))
    {
      g_set_error (error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_MISSING_CAPACITY,
                   "Role %s cannot invoke capacity %s: its player does not provide it",
                   G_OBJECT_TYPE_NAME (self), g_type_name (capacity_type));
      return NULL;
    }
  return g_object_ref (impl);
}

static JanusCapacityContext *
start_call (JanusRole     *self,
            GType          capacity_type,
            GVariant      *input,
            GCancellable  *cancellable,
            GError       **error)
{
  JanusRolePrivate *rp = janus_role_get_private (self);
  g_autoptr(JanusCapacityRunner) runner = NULL;
  g_autoptr(JanusCapacity) impl = find_capacity (self, capacity_type, error);

  if (impl == NULL)
    return NULL;
  runner = g_object_new (JANUS_TYPE_CAPACITY_RUNNER, NULL);
  runner->capacity = g_steal_pointer (&impl);
  runner->context = janus_capacity_context_new (rp->player, self, rp->group, capacity_type,
                                                input, cancellable, TRUE);
  if (!janus_kernel_launch_light_agent (janus_agent_get_kernel (rp->player),
                                        JANUS_AGENT (runner), NULL, NULL, error))
    return NULL;
  return g_object_ref (runner->context);
}

/**
 * janus_role_call_capacity:
 * @self: a played role
 * @capacity_type: a capacity interface type
 * @input: (nullable): the input; a floating reference is taken
 * @cancellable: (nullable): cancels the call
 * @error: return location for a [struct@GLib.Error]
 *
 * Starts calling the player's @capacity_type on one of the kernel's
 * workers (Janus's `CapacityExecutor.submit`), and returns at once the
 * call's context, to poll ([method@Janus.CapacityContext.is_completed]),
 * wait for with a time-out ([method@Janus.CapacityContext.wait]) or
 * cancel ([method@Janus.CapacityContext.cancel], or @cancellable). The
 * implementation must be thread safe. MT safe.
 *
 * ```c
 * // a heavy agent's role: at most 50 ms for an estimate
 * g_autoptr(JanusCapacityContext) call =
 *   janus_role_call_capacity (role, MY_TYPE_ESTIMATE, g_variant_new_int32 (7), NULL, &error);
 * g_autoptr(GVariant) estimate = janus_capacity_context_wait (call, 50000, &error);
 * if (estimate == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
 *   janus_capacity_context_cancel (call);
 * ```
 *
 * Returns: (transfer full) (nullable): the call, or `NULL` with @error set
 *   (`JANUS_ORGANIZATION_ERROR_MISSING_CAPACITY`,
 *   `JANUS_ORGANIZATION_ERROR_ROLE_NOT_PLAYED`, or the kernel refused to
 *   run it)
 */
JanusCapacityContext *
janus_role_call_capacity (JanusRole     *self,
                          GType          capacity_type,
                          GVariant      *input,
                          GCancellable  *cancellable,
                          GError       **error)
{
  g_autoptr(GVariant) in = NULL;

  g_return_val_if_fail (JANUS_IS_ROLE (self), NULL);
  g_return_val_if_fail (G_TYPE_IS_INTERFACE (capacity_type), NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  in = input ? g_variant_ref_sink (input) : NULL;
  return start_call (self, capacity_type, in, cancellable, error);
}

/* ------------------------------------------------- the GIO pair */

/* The agent's own main context, where tasks made in its steps complete. */
static GMainContext *
agent_context (JanusAgent *agent)
{
  static GQuark quark;
  GMainContext *context;

  if (G_UNLIKELY (quark == 0))
    quark = g_quark_from_static_string ("janus-role-capacity-context");
  context = g_object_get_qdata (G_OBJECT (agent), quark);
  if (context == NULL)
    {
      /* only the agent's own steps come here */
      context = g_main_context_new ();
      g_object_set_qdata_full (G_OBJECT (agent), quark, context,
                               (GDestroyNotify) g_main_context_unref);
    }
  return context;
}

/* In the agent's step: runs the tasks that completed for it. */
static void
dispatch_in_step (JanusAgent *agent,
                  gpointer    data)
{
  GMainContext *context = data;

  while (g_main_context_iteration (context, FALSE))
    ;
}

typedef struct
{
  GTask        *task;
  JanusAgent   *agent;          /* the agent whose step completes it, or NULL */
  GMainContext *context;        /* its main context */
} Pending;

static void
return_task (Pending *p)
{
  JanusCapacityContext *ctx = g_task_get_task_data (p->task);
  GError *error = NULL;
  GVariant *result = janus_capacity_context_dup_outcome (ctx, &error);

  if (error != NULL)
    g_task_return_error (p->task, error);
  else
    g_task_return_pointer (p->task, result, (GDestroyNotify) g_variant_unref);
  /* the idle GTask attached to the agent's context runs in its next step */
  if (p->agent != NULL)
    janus_agent_invoke (p->agent, dispatch_in_step,
                        g_main_context_ref (p->context),
                        (GDestroyNotify) g_main_context_unref);
  g_object_unref (p->task);
  g_clear_object (&p->agent);
  g_clear_pointer (&p->context, g_main_context_unref);
  g_free (p);
}

static void
call_done (JanusCapacityContext *ctx,
           gpointer              data)
{
  return_task (data);
}

/**
 * janus_role_invoke_capacity_async:
 * @self: a played role
 * @capacity_type: a capacity interface type
 * @input: (nullable): the input; a floating reference is taken
 * @cancellable: (nullable): cancels the call
 * @callback: (scope async) (closure user_data): called when the call is over
 * @user_data: data for @callback
 *
 * Calls the player's @capacity_type on one of the kernel's workers, as
 * [method@Janus.Role.call_capacity] does, the GIO way: @callback runs once
 * the call is over, and gets its outcome with
 * [method@Janus.Role.invoke_capacity_finish]. Cancelling @cancellable
 * completes the call at once with `G_IO_ERROR_CANCELLED`.
 *
 * Called from the player's step, @callback runs in one of the player's
 * next steps (before its `live`), like the rest of the agent's code;
 * should the player die first, it is not called. Called from elsewhere,
 * @callback runs in the thread-default main context of the caller, as GIO
 * does. The context of the call is the task's data
 * ([method@Gio.Task.get_task_data]): poll it with
 * [method@Janus.CapacityContext.is_completed].
 */
void
janus_role_invoke_capacity_async (JanusRole           *self,
                                  GType                capacity_type,
                                  GVariant            *input,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GVariant) in = NULL;
  g_autoptr(GError) error = NULL;
  JanusCapacityContext *ctx;
  JanusAgent *player;
  Pending *p;

  g_return_if_fail (JANUS_IS_ROLE (self));
  g_return_if_fail (G_TYPE_IS_INTERFACE (capacity_type));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  in = input ? g_variant_ref_sink (input) : NULL;
  player = janus_role_get_private (self)->player;
  p = g_new0 (Pending, 1);
  if (janus_agent_get_current () == player)
    {
      p->agent = g_object_ref (player);
      p->context = g_main_context_ref (agent_context (player));
      g_main_context_push_thread_default (p->context);
      p->task = g_task_new (self, cancellable, callback, user_data);
      g_main_context_pop_thread_default (p->context);
    }
  else
    p->task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (p->task, janus_role_invoke_capacity_async);
  g_task_set_name (p->task, "janus_role_invoke_capacity_async");

  ctx = start_call (self, capacity_type, in, cancellable, &error);
  if (ctx == NULL)
    {
      /* refused at once: completes like any outcome */
      ctx = janus_capacity_context_new (player, self, janus_role_get_group (self),
                                        capacity_type, in, cancellable, TRUE);
      janus_capacity_context_complete (ctx, NULL, error);
    }
  g_task_set_task_data (p->task, ctx, g_object_unref);
  janus_capacity_context_when_done (ctx, call_done, p);
}

/**
 * janus_role_invoke_capacity_finish:
 * @self: the role
 * @result: the [iface@Gio.AsyncResult] given to the callback
 * @error: return location for a [struct@GLib.Error]
 *
 * Gets the outcome of [method@Janus.Role.invoke_capacity_async].
 *
 * Returns: (transfer full) (nullable): the result (`NULL` without an error
 *   for a capacity that returned nothing), or `NULL` with @error set: the
 *   capacity's error, `G_IO_ERROR_CANCELLED`,
 *   `JANUS_ORGANIZATION_ERROR_MISSING_CAPACITY` or
 *   `JANUS_ORGANIZATION_ERROR_ROLE_NOT_PLAYED`
 */
GVariant *
janus_role_invoke_capacity_finish (JanusRole     *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  g_return_val_if_fail (JANUS_IS_ROLE (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == janus_role_invoke_capacity_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
