/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "janus-agent-private.h"
#include "janus-capacity-context-private.h"

/**
 * JanusCapacityContext:
 *
 * One invocation of a capacity, as the capacity sees it and as an
 * asynchronous caller follows it (Janus's `CapacityContext`).
 *
 * Inside a capacity — its [vfunc@Janus.Capacity.invoke], or code it calls —
 * [func@Janus.CapacityContext.get_current] tells who called: the agent
 * ([method@Janus.CapacityContext.dup_caller]), the role it called from and
 * that role's group, the capacity type and the input. A long capacity
 * checks [method@Janus.CapacityContext.is_cancelled] now and then.
 *
 * ```c
 * static GVariant *
 * pricing_invoke (JanusCapacity *cap, GVariant *input, GError **error)
 * {
 *   JanusCapacityContext *ctx = janus_capacity_context_get_current ();
 *   JanusGroup *market = janus_capacity_context_get_group (ctx);
 *   …
 * }
 * ```
 *
 * An asynchronous call ([method@Janus.Role.call_capacity],
 * [method@Janus.Role.invoke_capacity_async]) runs on one of the kernel's
 * workers; its caller keeps the context to poll it
 * ([method@Janus.CapacityContext.is_completed]), wait for it with a
 * time-out ([method@Janus.CapacityContext.wait]) or cancel it
 * ([method@Janus.CapacityContext.cancel]). A cancelled call completes at
 * once with `G_IO_ERROR_CANCELLED`; a capacity that has not started does
 * not run, one that runs may see it and stop, and its result is dropped.
 *
 * Synchronous calls ([method@Janus.Role.invoke_capacity]) have a context
 * too while they run; the caller's context is not visible to capacities
 * called without a role ([method@Janus.Capacity.invoke]). The accessors
 * are MT safe.
 */

struct _JanusCapacityContext
{
  GObject                parent_instance;

  /* immutable */
  GWeakRef               caller;        /* weak: an agent's main context
                                         * may hold its calls' contexts */
  JanusRole             *role;          /* strong, or NULL */
  JanusGroup            *group;         /* strong, or NULL */
  GType                  capacity_type;
  GVariant              *input;
  GCancellable          *cancellable;   /* always one */
  gulong                 cancel_id;
  gboolean               asynchronous;

  /* guarded by lock; cond is signalled when completed */
  GMutex                 lock;
  GCond                  cond;
  gboolean               completed;
  GVariant              *result;
  GError                *error;
  JanusCapacityDoneFunc  done;
  gpointer               done_data;
};

G_DEFINE_FINAL_TYPE (JanusCapacityContext, janus_capacity_context, G_TYPE_OBJECT)

static __thread JanusCapacityFrame *tls_frame;

/* ------------------------------------------------------------ frames */

void
janus_capacity_frame_enter (JanusCapacityFrame   *frame,
                            JanusAgent           *caller,
                            JanusRole            *role,
                            JanusGroup           *group,
                            GType                 capacity_type,
                            GVariant             *input,
                            JanusCapacityContext *context)
{
  frame->caller = caller;
  frame->role = role;
  frame->group = group;
  frame->capacity_type = capacity_type;
  frame->input = input;
  frame->context = context ? g_object_ref (context) : NULL;
  frame->prev = tls_frame;
  tls_frame = frame;
}

/* The call returned: a context made for it (the capacity asked for it)
 * completes with its outcome. */
void
janus_capacity_frame_leave (JanusCapacityFrame *frame,
                            GVariant           *result,
                            const GError       *error)
{
  tls_frame = frame->prev;
  if (frame->context != NULL && !frame->context->asynchronous)
    janus_capacity_context_complete (frame->context, result, error);
  g_clear_object (&frame->context);
}

/**
 * janus_capacity_context_get_current:
 *
 * Gets the capacity invocation running on this thread: inside a
 * capacity called through [method@Janus.Role.invoke_capacity],
 * [method@Janus.Role.invoke_capacity_on_worker],
 * [method@Janus.Role.call_capacity] or
 * [method@Janus.Role.invoke_capacity_async], the caller's context.
 *
 * Returns: (transfer none) (nullable): the context, valid until the
 *   capacity returns (take a reference to keep it), or `NULL` outside a
 *   capacity call
 */
JanusCapacityContext *
janus_capacity_context_get_current (void)
{
  JanusCapacityFrame *frame = tls_frame;

  if (frame == NULL)
    return NULL;
  if (frame->context == NULL)
    frame->context = janus_capacity_context_new (frame->caller, frame->role, frame->group,
                                                 frame->capacity_type, frame->input, NULL,
                                                 FALSE);
  return frame->context;
}

/* ------------------------------------------------------- the object */

static void
on_cancelled (GCancellable *cancellable,
              gpointer      data)
{
  JanusCapacityContext *self = data;
  g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                  "The capacity call was cancelled");

  if (self->asynchronous)
    janus_capacity_context_complete (self, NULL, error);
}

JanusCapacityContext *
janus_capacity_context_new (JanusAgent   *caller,
                            JanusRole    *role,
                            JanusGroup   *group,
                            GType         capacity_type,
                            GVariant     *input,
                            GCancellable *cancellable,
                            gboolean      asynchronous)
{
  JanusCapacityContext *self = g_object_new (JANUS_TYPE_CAPACITY_CONTEXT, NULL);

  g_weak_ref_set (&self->caller, caller);
  self->role = role ? g_object_ref (role) : NULL;
  self->group = group ? g_object_ref (group) : NULL;
  self->capacity_type = capacity_type;
  self->input = input ? g_variant_ref_sink (input) : NULL;
  self->cancellable = cancellable ? g_object_ref (cancellable) : g_cancellable_new ();
  self->asynchronous = asynchronous;
  /* runs at once if already cancelled */
  self->cancel_id = g_cancellable_connect (self->cancellable, G_CALLBACK (on_cancelled), self, NULL);
  return self;
}

/* The first completion wins (a result, a failure or the cancellation);
 * the done function runs then, outside the lock. TRUE if this call
 * completed it. */
gboolean
janus_capacity_context_complete (JanusCapacityContext *self,
                                 GVariant             *result,
                                 const GError         *error)
{
  JanusCapacityDoneFunc done;
  gpointer done_data;

  g_mutex_lock (&self->lock);
  if (self->completed)
    {
      g_mutex_unlock (&self->lock);
      return FALSE;
    }
  self->completed = TRUE;
  self->result = result ? g_variant_ref_sink (result) : NULL;
  self->error = error ? g_error_copy (error) : NULL;
  done = g_steal_pointer (&self->done);
  done_data = self->done_data;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
  if (done != NULL)
    done (self, done_data);
  return TRUE;
}

/* @func runs once, when the call completes (at once if it has). */
void
janus_capacity_context_when_done (JanusCapacityContext  *self,
                                  JanusCapacityDoneFunc  func,
                                  gpointer               data)
{
  gboolean now;

  g_mutex_lock (&self->lock);
  now = self->completed;
  if (!now)
    {
      self->done = func;
      self->done_data = data;
    }
  g_mutex_unlock (&self->lock);
  if (now)
    func (self, data);
}

/* Completed: the result, or NULL and the error. */
GVariant *
janus_capacity_context_dup_outcome (JanusCapacityContext  *self,
                                    GError               **error)
{
  GVariant *result = NULL;

  g_mutex_lock (&self->lock);
  if (self->error != NULL)
    g_propagate_error (error, g_error_copy (self->error));
  else if (self->result != NULL)
    result = g_variant_ref (self->result);
  g_mutex_unlock (&self->lock);
  return result;
}

/**
 * janus_capacity_context_dup_caller:
 * @self: a capacity context
 *
 * Gets the agent that called the capacity: the player of the calling role.
 *
 * Returns: (transfer full) (nullable): the calling agent, or `NULL` once
 *   it is finalized
 */
JanusAgent *
janus_capacity_context_dup_caller (JanusCapacityContext *self)
{
  g_return_val_if_fail (JANUS_IS_CAPACITY_CONTEXT (self), NULL);

  return g_weak_ref_get (&self->caller);
}

/**
 * janus_capacity_context_get_role:
 * @self: a capacity context
 *
 * Gets the role that called the capacity.
 *
 * Returns: (transfer none) (nullable): the calling role
 */
JanusRole *
janus_capacity_context_get_role (JanusCapacityContext *self)
{
  g_return_val_if_fail (JANUS_IS_CAPACITY_CONTEXT (self), NULL);

  return self->role;
}

/**
 * janus_capacity_context_get_group:
 * @self: a capacity context
 *
 * Gets the group the calling role is played in.
 *
 * Returns: (transfer none) (nullable): the group
 */
JanusGroup *
janus_capacity_context_get_group (JanusCapacityContext *self)
{
  g_return_val_if_fail (JANUS_IS_CAPACITY_CONTEXT (self), NULL);

  return self->group;
}

/**
 * janus_capacity_context_get_capacity_type:
 * @self: a capacity context
 *
 * Gets the capacity type the caller asked for (an implementation may
 * provide several).
 *
 * Returns: the capacity interface type
 */
GType
janus_capacity_context_get_capacity_type (JanusCapacityContext *self)
{
  g_return_val_if_fail (JANUS_IS_CAPACITY_CONTEXT (self), G_TYPE_INVALID);

  return self->capacity_type;
}

/**
 * janus_capacity_context_get_input:
 * @self: a capacity context
 *
 * Gets the input of the call.
 *
 * Returns: (transfer none) (nullable): the input, or `NULL`
 */
GVariant *
janus_capacity_context_get_input (JanusCapacityContext *self)
{
  g_return_val_if_fail (JANUS_IS_CAPACITY_CONTEXT (self), NULL);

  return self->input;
}

/**
 * janus_capacity_context_get_cancellable:
 * @self: a capacity context
 *
 * Gets the cancellable of the call: the caller's, or one of its own.
 * A capacity may pass it on to GIO calls it makes.
 *
 * Returns: (transfer none): the cancellable
 */
GCancellable *
janus_capacity_context_get_cancellable (JanusCapacityContext *self)
{
  g_return_val_if_fail (JANUS_IS_CAPACITY_CONTEXT (self), NULL);

  return self->cancellable;
}

/**
 * janus_capacity_context_is_cancelled:
 * @self: a capacity context
 *
 * Tells whether the call was cancelled.
 *
 * Returns: whether it was cancelled
 */
gboolean
janus_capacity_context_is_cancelled (JanusCapacityContext *self)
{
  g_return_val_if_fail (JANUS_IS_CAPACITY_CONTEXT (self), FALSE);

  return g_cancellable_is_cancelled (self->cancellable);
}

/**
 * janus_capacity_context_is_asynchronous:
 * @self: a capacity context
 *
 * Tells whether the call runs on a worker, its caller going on meanwhile.
 *
 * Returns: whether the call is asynchronous
 */
gboolean
janus_capacity_context_is_asynchronous (JanusCapacityContext *self)
{
  g_return_val_if_fail (JANUS_IS_CAPACITY_CONTEXT (self), FALSE);

  return self->asynchronous;
}

/**
 * janus_capacity_context_is_completed:
 * @self: a capacity context
 *
 * Tells whether the call is over: it returned, failed or was cancelled
 * (Janus's `isResultAvailable`). Any thread; does not block.
 *
 * Returns: whether [method@Janus.CapacityContext.wait] would return at once
 */
gboolean
janus_capacity_context_is_completed (JanusCapacityContext *self)
{
  gboolean completed;

  g_return_val_if_fail (JANUS_IS_CAPACITY_CONTEXT (self), FALSE);

  g_mutex_lock (&self->lock);
  completed = self->completed;
  g_mutex_unlock (&self->lock);
  return completed;
}

/* Whether the calling thread may block: not in a light agent's step. */
static gboolean
may_block (void)
{
  JanusAgent *current = janus_agent_get_current ();

  return current == NULL || janus_agent_is_heavy (current);
}

/**
 * janus_capacity_context_wait:
 * @self: a capacity context
 * @timeout_usec: how long to wait at most, in microseconds; -1 waits for
 *   ever, 0 does not wait
 * @error: return location for a [struct@GLib.Error]
 *
 * Waits until the call is over, at most @timeout_usec, and gets its
 * outcome (Janus's `CapacityExecutor.waitResult`). Only a heavy agent or a
 * thread that runs no agent blocks; in a light agent's step this never
 * waits (light agents never block: poll, or use
 * [method@Janus.Role.invoke_capacity_async]). On a kernel without workers
 * the call runs when the kernel is stepped. The call may be waited for
 * several times; each wait gets the same outcome.
 *
 * Returns: (transfer full) (nullable): the result (`NULL` without an error
 *   for a capacity that returned nothing), or `NULL` with @error set: the
 *   capacity's error, `G_IO_ERROR_CANCELLED`, or `G_IO_ERROR_TIMED_OUT` if
 *   the call was not over in time (it goes on)
 */
GVariant *
janus_capacity_context_wait (JanusCapacityContext  *self,
                             gint64                 timeout_usec,
                             GError               **error)
{
  gint64 deadline;
  gboolean completed;

  g_return_val_if_fail (JANUS_IS_CAPACITY_CONTEXT (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!may_block ())
    timeout_usec = 0;
  deadline = timeout_usec < 0 ? -1 : g_get_monotonic_time () + timeout_usec;
  g_mutex_lock (&self->lock);
  while (!self->completed && timeout_usec != 0)
    {
      if (deadline < 0)
        g_cond_wait (&self->cond, &self->lock);
      else if (!g_cond_wait_until (&self->cond, &self->lock, deadline))
        break;
    }
  completed = self->completed;
  g_mutex_unlock (&self->lock);
  if (!completed)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                   "The call of capacity %s is not over yet", g_type_name (self->capacity_type));
      return NULL;
    }
  return janus_capacity_context_dup_outcome (self, error);
}

/**
 * janus_capacity_context_cancel:
 * @self: a capacity context
 *
 * Cancels the call (cancels its cancellable): an asynchronous call that
 * is not over completes at once with `G_IO_ERROR_CANCELLED`. Cancelling a
 * call that is over changes nothing. MT safe.
 */
void
janus_capacity_context_cancel (JanusCapacityContext *self)
{
  g_return_if_fail (JANUS_IS_CAPACITY_CONTEXT (self));

  g_cancellable_cancel (self->cancellable);
}

static void
janus_capacity_context_finalize (GObject *object)
{
  JanusCapacityContext *self = JANUS_CAPACITY_CONTEXT (object);

  g_cancellable_disconnect (self->cancellable, self->cancel_id);
  g_clear_object (&self->cancellable);
  g_weak_ref_clear (&self->caller);
  g_clear_object (&self->role);
  g_clear_object (&self->group);
  g_clear_pointer (&self->input, g_variant_unref);
  g_clear_pointer (&self->result, g_variant_unref);
  g_clear_error (&self->error);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);

  G_OBJECT_CLASS (janus_capacity_context_parent_class)->finalize (object);
}

static void
janus_capacity_context_class_init (JanusCapacityContextClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = janus_capacity_context_finalize;
}

static void
janus_capacity_context_init (JanusCapacityContext *self)
{
  g_weak_ref_init (&self->caller, NULL);
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
}
