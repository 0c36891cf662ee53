/* SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Emergent capacities: a super-holon offers what its members can do. A call
 * goes Super → Head → a Part that has the capacity → back to the Super,
 * each hop a function run in the step of the agent concerned
 * (janus_agent_invoke), then completes a GTask. */
#include "config.h"

#include "janus-holon-private.h"
#include "janus-capacity.h"
#include "janus-error.h"
#include "janus-group-private.h"
#include "janus-holonic-head.h"
#include "janus-holonic-part.h"

/* One call in flight. The holon keeps it in its list of calls (so that its
 * end fails it) until it completes; hops hold references. */
struct _JanusCapacityCall
{
  atomic_int           ref_count;     /* stdatomic: GLib's grefcount is
                                        * invisible to ThreadSanitizer */
  JanusHolon          *holon;          /* strong */
  GType                capacity;
  GVariant            *input;          /* nullable */
  atomic_bool          done;

  /* how it completes: a parent call (a member that is a holon passes the
   * request down its own holarchy), or a GTask whose callback runs in the
   * caller agent's step (caller != NULL) or in the task's context */
  JanusCapacityCall   *parent;
  GTask               *task;
  JanusAgent          *caller;
  GAsyncReadyCallback  callback;
  gpointer             user_data;
  GCancellable        *cancellable;
  gulong               cancel_id;

  /* the outcome, once done; published with a release store on `ready`
   * for the thread that returns it (GLib's own locks, which order it too,
   * are invisible to ThreadSanitizer) */
  GVariant            *result;
  GError              *error;
  atomic_bool          ready;
};

static JanusCapacityCall *
call_ref (JanusCapacityCall *call)
{
  atomic_fetch_add_explicit (&call->ref_count, 1, memory_order_relaxed);
  return call;
}

static void
call_unref (gpointer data)
{
  JanusCapacityCall *call = data;

  if (atomic_fetch_sub_explicit (&call->ref_count, 1, memory_order_acq_rel) != 1)
    return;
  g_object_unref (call->holon);
  g_clear_pointer (&call->input, g_variant_unref);
  if (call->parent != NULL)
    call_unref (call->parent);
  g_clear_object (&call->task);
  g_clear_object (&call->caller);
  g_clear_object (&call->cancellable);
  g_clear_pointer (&call->result, g_variant_unref);
  g_clear_error (&call->error);
  g_free (call);
}

/* ------------------------------------------------------- completion */

/* Tasks of callers that are agents are made in this context, which nobody
 * but us iterates: their callback runs in the caller's step, and only
 * GTask's own bookkeeping runs here. sink_lock serialises every use (the
 * push in g_task_new acquires the context). */
static GMutex sink_lock;
static GMainContext *sink;

static GTask *
task_new_in_sink (JanusHolon   *self,
                  GCancellable *cancellable)
{
  GTask *task;

  g_mutex_lock (&sink_lock);
  if (sink == NULL)
    sink = g_main_context_new ();
  g_main_context_push_thread_default (sink);
  task = g_task_new (self, cancellable, NULL, NULL);
  g_main_context_pop_thread_default (sink);
  g_mutex_unlock (&sink_lock);
  return task;
}

static void
drain_sink (void)
{
  g_mutex_lock (&sink_lock);
  if (g_main_context_acquire (sink))
    {
      while (g_main_context_iteration (sink, FALSE))
        ;
      g_main_context_release (sink);
    }
  g_mutex_unlock (&sink_lock);
}

static void
task_return (JanusCapacityCall *call)
{
  if (call->error != NULL)
    g_task_return_error (call->task, g_steal_pointer (&call->error));
  else
    g_task_return_pointer (call->task, g_steal_pointer (&call->result),
                           (GDestroyNotify) g_variant_unref);
}

/* In the caller agent's step: the task's callback. */
static void
callback_in_step (JanusAgent *agent,
                  gpointer    data)
{
  JanusCapacityCall *call = data;

  call->callback (G_OBJECT (call->holon), G_ASYNC_RESULT (call->task), call->user_data);
}

/* In the task's context, from a source of its own: GTask returns at once. */
static gboolean
return_in_context (gpointer data)
{
  JanusCapacityCall *call = data;

  if (atomic_load_explicit (&call->ready, memory_order_acquire))
    task_return (call);
  return G_SOURCE_REMOVE;
}

static void deliver_to_super (JanusCapacityCall *call,
                              GVariant          *result,
                              GError            *error);

/* Completes @call with @result (taken, nullable) or @error (taken), once.
 * From the cancellable's handler the handler stays connected (it cannot
 * disconnect itself); it goes with the cancellable. */
static void
complete_full (JanusCapacityCall *call,
               GVariant          *result,
               GError            *error,
               gboolean           cancelling)
{
  JanusHolonComposite *c = janus_holon_ensure_composite (call->holon);
  GList *link;

  if (atomic_exchange_explicit (&call->done, TRUE, memory_order_acq_rel))
    {
      g_clear_pointer (&result, g_variant_unref);
      g_clear_error (&error);
      return;
    }
  janus_holarchy_lock ();
  link = g_list_find (c->calls, call);
  if (link != NULL)
    c->calls = g_list_delete_link (c->calls, link);
  janus_holarchy_unlock ();
  if (call->cancel_id != 0 && !cancelling)
    g_cancellable_disconnect (call->cancellable, call->cancel_id);

  if (call->parent != NULL)
    deliver_to_super (call->parent, result, error);
  else
    {
      call->result = result;
      call->error = error;
      if (call->caller != NULL)
        {
          task_return (call);
          drain_sink ();
          if (call->callback != NULL)
            janus_agent_invoke (call->caller, callback_in_step, call_ref (call), call_unref);
        }
      else
        {
          GSource *source = g_idle_source_new ();

          atomic_store_explicit (&call->ready, TRUE, memory_order_release);
          g_source_set_static_name (source, "[janus] holon capacity result");
          g_source_set_callback (source, return_in_context, call_ref (call), call_unref);
          g_source_attach (source, g_task_get_context (call->task));
          g_source_unref (source);
        }
    }
  if (link != NULL)
    call_unref (call);          /* the holon's */
}

static void
complete (JanusCapacityCall *call,
          GVariant          *result,
          GError            *error)
{
  complete_full (call, result, error, FALSE);
}

static void
complete_error (JanusCapacityCall *call,
                GQuark             domain,
                int                code,
                const char        *format,
                ...) G_GNUC_PRINTF (4, 5);

static void
complete_error (JanusCapacityCall *call,
                GQuark             domain,
                int                code,
                const char        *format,
                ...)
{
  va_list ap;
  GError *error;

  va_start (ap, format);
  error = g_error_new_valist (domain, code, format, ap);
  va_end (ap);
  complete (call, NULL, error);
}

static void
on_cancelled (GCancellable *cancellable,
              gpointer      data)
{
  complete_full (data, NULL, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                  "The capacity call was cancelled"), TRUE);
}

/* Fails every call in flight of @self (it ended). */
void
janus_holon_fail_calls (JanusHolon   *self,
                        GQuark        domain,
                        gint          code,
                        const char   *format,
                        ...)
{
  JanusHolonComposite *c = janus_holon_peek_composite (self);
  g_autoptr(GError) error = NULL;
  GList *calls, *l;
  va_list ap;

  janus_holarchy_lock ();
  calls = c->calls;
  c->calls = NULL;
  janus_holarchy_unlock ();
  if (calls == NULL)
    return;                     /* the usual case: no error to make */
  va_start (ap, format);
  error = g_error_new_valist (domain, code, format, ap);
  va_end (ap);
  for (l = calls; l != NULL; l = l->next)
    {
      /* complete () finds it no longer listed: drop the list's reference */
      complete (l->data, NULL, g_error_copy (error));
      call_unref (l->data);
    }
  g_list_free (calls);
}

/* ------------------------------------------------------------ hops */

typedef struct _Hop Hop;
typedef void (*HopFunc) (JanusAgent *agent,
                         Hop        *hop);

struct _Hop
{
  JanusCapacityCall *call;
  HopFunc            func;
  gboolean           ran;
  /* a result on its way back to the Super */
  GVariant          *result;
  GError            *error;
};

static void
hop_run (JanusAgent *agent,
         gpointer    data)
{
  Hop *hop = data;

  hop->ran = TRUE;
  if (!atomic_load_explicit (&hop->call->done, memory_order_acquire))
    hop->func (agent, hop);
}

static void
hop_free (gpointer data)
{
  Hop *hop = data;

  /* the agent ended before running it */
  if (!hop->ran)
    complete_error (hop->call, JANUS_HOLON_ERROR, JANUS_HOLON_ERROR_PROVIDER_ENDED,
                    "An agent of holon %s ended before answering for capacity %s",
                    janus_agent_get_name (JANUS_AGENT (hop->call->holon))
                    ? janus_agent_get_name (JANUS_AGENT (hop->call->holon))
                    : G_OBJECT_TYPE_NAME (hop->call->holon), g_type_name (hop->call->capacity));
  g_clear_pointer (&hop->result, g_variant_unref);
  g_clear_error (&hop->error);
  call_unref (hop->call);
  g_free (hop);
}

static Hop *
hop_post (JanusAgent        *agent,
          JanusCapacityCall *call,
          HopFunc            func)
{
  Hop *hop = g_new0 (Hop, 1);

  hop->call = call_ref (call);
  hop->func = func;
  janus_agent_invoke (agent, hop_run, hop, hop_free);
  return hop;
}

static void result_hop (JanusAgent *agent,
                        Hop        *hop);

/* The Super's step gets the result back ("result back to Super"). */
static void
deliver_to_super (JanusCapacityCall *call,
                  GVariant          *result,
                  GError            *error)
{
  Hop *hop = g_new0 (Hop, 1);

  hop->call = call_ref (call);
  hop->func = result_hop;
  hop->result = result;
  hop->error = error;
  janus_agent_invoke (JANUS_AGENT (call->holon), hop_run, hop, hop_free);
}

static void
start (JanusCapacityCall *call);

/* Lock held: whether @agent offers @capacity_type, itself or through its
 * members. */
gboolean
janus_holon_member_offers (JanusAgent *agent,
                           GType       capacity_type)
{
  JanusHolonComposite *c;
  JanusMember *m;

  if (janus_agent_get_capacity (agent, capacity_type) != NULL)
    return TRUE;
  if (!JANUS_IS_HOLON (agent) || (c = janus_holon_peek_composite (JANUS_HOLON (agent))) == NULL)
    return FALSE;
  for (m = c->first; m != NULL; m = m->next)
    if (janus_holon_member_offers (m->agent, capacity_type))
      return TRUE;
  return FALSE;
}

/* In the part's step: performs, or passes down its own holarchy. */
static void
part_hop (JanusAgent *agent,
          Hop        *hop)
{
  JanusCapacityCall *call = hop->call;
  g_autoptr(JanusGroup) group = janus_holon_get_group (call->holon);
  JanusRole *role = NULL;
  GError *error = NULL;
  GVariant *result;

  janus_holon_reconcile_if_pending (agent);
  if (janus_agent_get_capacity (agent, call->capacity) == NULL && JANUS_IS_HOLON (agent))
    {
      JanusCapacityCall *sub = g_new0 (JanusCapacityCall, 1);

      atomic_init (&sub->ref_count, 1);
      sub->holon = g_object_ref (JANUS_HOLON (agent));
      sub->capacity = call->capacity;
      sub->input = call->input ? g_variant_ref (call->input) : NULL;
      sub->parent = call_ref (call);
      start (sub);
      call_unref (sub);
      return;
    }
  if (group != NULL)
    role = janus_agent_get_role (agent, JANUS_TYPE_HOLONIC_PART, group);
  if (role != NULL)
    result = janus_holonic_part_perform (JANUS_HOLONIC_PART (role), call->capacity, call->input, &error);
  else if (janus_agent_get_capacity (agent, call->capacity) != NULL)
    result = janus_capacity_invoke (janus_agent_get_capacity (agent, call->capacity),
                                    call->input, &error);
  else
    {
      result = NULL;
      error = g_error_new (JANUS_HOLON_ERROR, JANUS_HOLON_ERROR_NO_PROVIDER,
                           "Member %s no longer offers capacity %s", G_OBJECT_TYPE_NAME (agent),
                           g_type_name (call->capacity));
    }
  if (error != NULL)
    g_clear_pointer (&result, g_variant_unref);
  deliver_to_super (call, result, error);
}

/* In the head's step: chooses the part. */
static void
head_hop (JanusAgent *agent,
          Hop        *hop)
{
  JanusCapacityCall *call = hop->call;
  JanusHolonComposite *c = janus_holon_peek_composite (call->holon);
  g_autoptr(GPtrArray) candidates = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(JanusGroup) group = NULL;
  JanusRole *role = NULL;
  JanusMember *m;
  guint i;

  janus_holon_reconcile_if_pending (agent);
  janus_holarchy_lock ();
  /* a member being launched is not one yet for this: it has no address */
  for (m = c->first; m != NULL; m = m->next)
    if (!janus_holon_is_spawning (m->agent) && janus_holon_member_offers (m->agent, call->capacity))
      g_ptr_array_add (candidates, g_object_ref (m->agent));
  if (c->group != NULL)
    group = g_object_ref (c->group);
  janus_holarchy_unlock ();

  if (candidates->len == 0 || group == NULL)
    {
      complete_error (call, JANUS_HOLON_ERROR, JANUS_HOLON_ERROR_NO_PROVIDER,
                      "No member of holon %s offers capacity %s",
                      janus_agent_get_name (JANUS_AGENT (call->holon))
                      ? janus_agent_get_name (JANUS_AGENT (call->holon))
                      : G_OBJECT_TYPE_NAME (call->holon), g_type_name (call->capacity));
      return;
    }
  role = janus_agent_get_role (agent, JANUS_TYPE_HOLONIC_HEAD, group);
  if (role != NULL)
    i = janus_holonic_head_select_provider (JANUS_HOLONIC_HEAD (role), call->capacity, candidates);
  else
    i = janus_holon_default_provider (group, call->capacity, candidates);
  hop_post (candidates->pdata[MIN (i, candidates->len - 1)], call, part_hop);
}

/* In the holon's step: its Super passes the call to a head. */
static void
super_hop (JanusAgent *agent,
           Hop        *hop)
{
  JanusCapacityCall *call = hop->call;
  JanusHolonComposite *c = janus_holon_peek_composite (call->holon);
  g_autoptr(JanusAgent) head = NULL;
  guint n_members, n_heads, i;
  JanusMember *m;

  janus_holon_reconcile_if_pending (agent);
  janus_holarchy_lock ();
  n_members = c->n_members;
  /* a head being launched cannot take the call yet */
  n_heads = 0;
  for (m = c->first; m != NULL; m = m->next)
    n_heads += m->head && !janus_holon_is_spawning (m->agent);
  if (n_heads > 0)
    {
      i = atomic_fetch_add_explicit (&c->round_robin, 1, memory_order_relaxed) % n_heads;
      for (m = c->first; m != NULL; m = m->next)
        if (m->head && !janus_holon_is_spawning (m->agent) && i-- == 0)
          {
            head = g_object_ref (m->agent);
            break;
          }
    }
  janus_holarchy_unlock ();

  if (n_members == 0)
    complete_error (call, JANUS_HOLON_ERROR, JANUS_HOLON_ERROR_NO_PROVIDER,
                    "Holon %s has no member to offer capacity %s",
                    G_OBJECT_TYPE_NAME (call->holon), g_type_name (call->capacity));
  else if (head == NULL)
    complete_error (call, JANUS_HOLON_ERROR, JANUS_HOLON_ERROR_NO_HEAD,
                    "Holon %s has no head to pass capacity %s to",
                    G_OBJECT_TYPE_NAME (call->holon), g_type_name (call->capacity));
  else
    hop_post (head, call, head_hop);
}

/* Back in the holon's step, with the outcome: the Super completes it. */
static void
result_hop (JanusAgent *agent,
            Hop        *hop)
{
  complete (hop->call, g_steal_pointer (&hop->result), g_steal_pointer (&hop->error));
}

/* Lists @call on its holon (so its end fails it) and sends it to the
 * holon's step. */
static void
start (JanusCapacityCall *call)
{
  JanusHolonComposite *c = janus_holon_ensure_composite (call->holon);
  gboolean ended;

  janus_holarchy_lock ();
  ended = c->ended;
  /* a call cancelled at once is not listed: nothing would unlist it */
  if (!ended && !atomic_load_explicit (&call->done, memory_order_acquire))
    c->calls = g_list_prepend (c->calls, call_ref (call));
  janus_holarchy_unlock ();
  if (ended || janus_agent_get_state (JANUS_AGENT (call->holon)) >= JANUS_AGENT_STATE_DYING)
    {
      complete_error (call, JANUS_KERNEL_ERROR, JANUS_KERNEL_ERROR_AGENT_DEAD,
                      "Holon %s is ending or dead", G_OBJECT_TYPE_NAME (call->holon));
      return;
    }
  hop_post (JANUS_AGENT (call->holon), call, super_hop);
}

/* ---------------------------------------------------------- public API */

/* The head's default choice: the holon's provider function, or the
 * internal group's selection policy. */
guint
janus_holon_default_provider (JanusGroup  *group,
                              GType        capacity_type,
                              GPtrArray   *candidates)
{
  g_autoptr(JanusHolon) holon = janus_holon_from_group (group);
  g_autofree const JanusAddress **addresses = NULL;
  JanusHolonComposite *c = holon ? janus_holon_peek_composite (holon) : NULL;
  JanusHolonPolicy *policy = NULL;
  guint i;

  if (c != NULL)
    {
      janus_holarchy_lock ();
      policy = janus_holon_policy_ref (c->provider_policy);
      janus_holarchy_unlock ();
    }
  if (policy != NULL && policy->func != NULL)
    {
      i = ((JanusHolonProviderFunc) policy->func) (holon, capacity_type, candidates, policy->data);
      janus_holon_policy_unref (policy);
      if (i < candidates->len)
        return i;
      g_warning ("provider function of holon %s chose %u of %u candidates; using the first",
                 G_OBJECT_TYPE_NAME (holon), i, candidates->len);
      return 0;
    }
  janus_holon_policy_unref (policy);
  addresses = g_new (const JanusAddress *, candidates->len);
  for (i = 0; i < candidates->len; i++)
    addresses[i] = janus_agent_get_address (candidates->pdata[i]);
  return janus_group_select (group, addresses, candidates->len);
}

/**
 * janus_holon_has_capacity:
 * @self: a holon
 * @capacity_type: a capacity interface type
 *
 * Tells whether @self offers @capacity_type through its members: one of
 * them provides it ([method@Janus.Agent.add_capacity]) or, being a holon,
 * offers it through its own members. The holon's own providers do not
 * count: call those directly. MT safe.
 *
 * Returns: whether [method@Janus.Holon.invoke_capacity_async] can find a
 *   member for it now
 */
gboolean
janus_holon_has_capacity (JanusHolon *self,
                          GType       capacity_type)
{
  JanusHolonComposite *c;
  JanusMember *m;
  gboolean offers = FALSE;

  g_return_val_if_fail (JANUS_IS_HOLON (self), FALSE);

  janus_holarchy_lock ();
  c = janus_holon_peek_composite (self);
  for (m = c ? c->first : NULL; m != NULL && !offers; m = m->next)
    offers = janus_holon_member_offers (m->agent, capacity_type);
  janus_holarchy_unlock ();
  return offers;
}

/**
 * janus_holon_invoke_capacity_async:
 * @self: a launched holon
 * @capacity_type: a capacity interface type
 * @input: (nullable): the input; a floating reference is taken
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @callback: (scope async) (closure user_data): called with the outcome
 * @user_data: (nullable): data for @callback
 *
 * Asks @self for a capacity its members offer (an emergent capacity). The
 * call travels through the scheduler: @self's Super role passes it, in
 * @self's step, to one of its heads; the head chooses, in its step, a
 * member that offers @capacity_type ([vfunc@Janus.HolonicHead.select_provider]);
 * that member performs it in its step ([vfunc@Janus.HolonicPart.perform]),
 * or passes it down its own holarchy if it is a holon that offers it only
 * through its members; the result comes back to @self's Super role, in its
 * step, which completes the call. Implementations run on the kernel's
 * workers, in their agents' steps.
 *
 * @callback is called once, with @self as source object, and calls
 * [method@Janus.Holon.invoke_capacity_finish]. As in GIO, it runs in the
 * thread-default [struct@GLib.MainContext] of the thread that made the call — except
 * when the call is made from an agent's step: then that agent's step is
 * the context, and the callback runs in one of its later steps (if the
 * agent ended by then, it is not called). MT safe.
 */
void
janus_holon_invoke_capacity_async (JanusHolon          *self,
                                   GType                capacity_type,
                                   GVariant            *input,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  JanusAgent *caller = janus_agent_get_current ();
  JanusCapacityCall *call;

  g_return_if_fail (JANUS_IS_HOLON (self));
  g_return_if_fail (G_TYPE_IS_INTERFACE (capacity_type));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  call = g_new0 (JanusCapacityCall, 1);
  atomic_init (&call->ref_count, 1);
  call->holon = g_object_ref (self);
  call->capacity = capacity_type;
  call->input = input ? g_variant_ref_sink (input) : NULL;
  if (caller != NULL)
    {
      call->task = task_new_in_sink (self, cancellable);
      call->caller = g_object_ref (caller);
      call->callback = callback;
      call->user_data = user_data;
    }
  else
    call->task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (call->task, janus_holon_invoke_capacity_async);
  g_task_set_name (call->task, "janus_holon_invoke_capacity_async");
  if (cancellable != NULL)
    {
      call->cancellable = g_object_ref (cancellable);
      call->cancel_id = g_cancellable_connect (cancellable, G_CALLBACK (on_cancelled),
                                               call_ref (call), call_unref);
    }
  if (janus_agent_get_state (JANUS_AGENT (self)) == JANUS_AGENT_STATE_UNBORN)
    complete_error (call, JANUS_KERNEL_ERROR, JANUS_KERNEL_ERROR_NOT_LAUNCHED, "Holon %s is not launched",
                    G_OBJECT_TYPE_NAME (self));
  else
    start (call);
  call_unref (call);
}

/**
 * janus_holon_invoke_capacity_finish:
 * @self: the holon
 * @result: the [iface@Gio.AsyncResult] given to the callback
 * @error: return location for a [struct@GLib.Error]
 *
 * Gets the outcome of [method@Janus.Holon.invoke_capacity_async].
 *
 * Returns: (transfer full) (nullable): the capacity's result (`NULL` when it
 *   returned none), or `NULL` with @error set: `JANUS_HOLON_ERROR_NO_PROVIDER`
 *   (no member offers it), `JANUS_HOLON_ERROR_NO_HEAD` (none, or only heads
 *   still being launched by [method@Janus.Holon.spawn_member]),
 *   `JANUS_HOLON_ERROR_PROVIDER_ENDED` (the head or the member ended before
 *   answering, or the holon did), `G_IO_ERROR_CANCELLED`, or the error the
 *   member's capacity failed with
 */
GVariant *
janus_holon_invoke_capacity_finish (JanusHolon    *self,
                                    GAsyncResult  *result,
                                    GError       **error)
{
  g_return_val_if_fail (JANUS_IS_HOLON (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == janus_holon_invoke_capacity_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * janus_holon_set_provider_func:
 * @self: a holon
 * @func: (nullable) (scope notified) (closure user_data) (destroy destroy):
 *   chooses the member that performs a capacity, or `NULL` for the internal
 *   group's selection policy
 * @user_data: (nullable): data for @func
 * @destroy: (nullable): frees @user_data when replaced or with the holon
 *
 * Sets how the default [vfunc@Janus.HolonicHead.select_provider] of
 * @self's heads chooses. It runs in the head's step. MT safe.
 */
void
janus_holon_set_provider_func (JanusHolon             *self,
                               JanusHolonProviderFunc  func,
                               gpointer                user_data,
                               GDestroyNotify          destroy)
{
  g_return_if_fail (JANUS_IS_HOLON (self));

  janus_holon_policy_replace (&janus_holon_ensure_composite (self)->provider_policy,
                              (GCallback) func, user_data, destroy);
}
