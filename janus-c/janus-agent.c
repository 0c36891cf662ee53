/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "janus-agent-private.h"
#include "janus-blackboard-memory.h"
#include "janus-enums.h"
#include "janus-error.h"
#include "janus-memory.h"

/**
 * JanusAgent:
 *
 * An autonomous entity that a [class@Janus.Kernel] runs: it has an address,
 * a mailbox and a memory, and a behaviour given by three virtual functions.
 *
 * Subclass it and override `activate` (start), `live` (one step) and `end`
 * (stop), then launch an instance on a kernel:
 *
 * ```c
 * struct _Hello { JanusAgent parent_instance; int count; };
 * G_DEFINE_FINAL_TYPE (Hello, hello, JANUS_TYPE_AGENT)
 *
 * static JanusLive
 * hello_live (JanusAgent *agent)
 * {
 *   Hello *self = (Hello *) agent;
 *   g_print ("Hello, World!\n");
 *   return ++self->count < 3 ? JANUS_LIVE_AGAIN : JANUS_LIVE_DONE;
 * }
 *
 * static void hello_class_init (HelloClass *klass)
 * {
 *   JANUS_AGENT_CLASS (klass)->live = hello_live;
 * }
 * static void hello_init (Hello *self) {}
 *
 * int main (void)
 * {
 *   g_autoptr(JanusKernel) kernel = janus_kernel_new (0);
 *   g_autoptr(JanusAgent) hello = g_object_new (hello_get_type (), NULL);
 *   janus_kernel_launch_light_agent (kernel, hello, "hello", NULL, NULL);
 *   janus_kernel_run (kernel);
 * }
 * ```
 *
 * ## Life-cycle
 *
 * An agent goes through the states of [enum@Janus.AgentState]: UNBORN →
 * BORN (`activate` runs) → ALIVE (`live` is stepped) → DYING → BREAKING_DOWN
 * (`end` runs) → DIED. A failing `activate` goes straight to DYING; `end`
 * still runs, so that whatever `activate` acquired is released, and the
 * kernel reports the error with [signal@Janus.Kernel::agent-failed].
 *
 * Guarantees:
 *
 * - `activate` completes before the first `live`; `end` runs exactly once,
 *   after the last `live`.
 * - An agent's `activate`, `live` and `end` never run concurrently with each
 *   other; different agents may run in parallel on different workers.
 * - Messages from one sender to one receiver arrive in the order they were
 *   sent.
 * - A message is delivered once to a live mailbox or counted once as a dead
 *   letter.
 * - Killing is idempotent; a kill asked during a step takes effect at the end
 *   of that step.
 *
 * ## Light and heavy agents
 *
 * A light agent ([method@Janus.Kernel.launch_light_agent]) is stepped by the
 * kernel's workers. Its `live` must not block: it returns
 * `JANUS_LIVE_WAIT` to sleep until a message arrives, at no cost. A heavy
 * agent ([method@Janus.Kernel.launch_heavy_agent]) has its own thread and may
 * block, for instance in [method@Janus.Agent.wait_message].
 *
 * ## The mailbox
 *
 * Only the agent itself reads its mailbox, from its `activate`, `live` and
 * `end` (on a kernel without workers, the thread driving the kernel may also
 * look between two steps). Within one step a light agent sees the messages
 * that had arrived when the step first looked at its mailbox; what arrives
 * later is seen at the next step, which is scheduled at once — also when the
 * step returns `JANUS_LIVE_WAIT`, and also when it never looked (then what
 * arrived after the step began counts as later).
 *
 * ## Activation prototype
 *
 * A class may declare the [struct@GLib.Variant] type of its launch parameters with
 * [method@Janus.AgentClass.set_activation_prototype]; launching with other
 * parameters is then a `JANUS_KERNEL_ERROR_INVALID_PARAMETERS` error. Subclasses
 * inherit the prototype.
 *
 * ## Lifetime
 *
 * The kernel holds a reference on an agent from its launch until it died,
 * and lets it go promptly after its death (also on a kernel that is
 * otherwise idle); the application holds its own. An agent does not own
 * its kernel: it refers to it from its launch until its death completes,
 * and [method@Janus.Agent.get_kernel] (the `kernel` property) is `NULL`
 * before the launch and once the agent is `JANUS_AGENT_STATE_DIED` — a dead
 * agent may outlive its kernel, and never points to one that was freed. An
 * agent may keep a reference on its kernel (and drop it in its `end`, or
 * when it is finalized): that keeps the kernel from being freed, not from
 * being shut down, and dropping the last reference there is safe (see
 * [class@Janus.Kernel]). What one may still ask of a dead agent — its
 * state, name, address, [method@Janus.Agent.kill] (it succeeds) and
 * [method@Janus.Agent.wake] (nothing happens) — is safe after its kernel is
 * gone; sending fails with `JANUS_KERNEL_ERROR_AGENT_DEAD`.
 */

enum {
  PROP_0,
  PROP_STATE,
  PROP_ADDRESS,
  PROP_KERNEL,
  PROP_NAME,
  PROP_HEAVY,
  PROP_MAILBOX_KIND,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

__thread GType janus_agent_type_last __attribute__ ((tls_model ("initial-exec")));
__thread GType janus_agent_types_seen[JANUS_AGENT_TYPE_SETS][2] __attribute__ ((tls_model ("initial-exec")));

G_DEFINE_TYPE_WITH_PRIVATE (JanusAgent, janus_agent, G_TYPE_OBJECT)

gint janus_agent_private_offset;

#define P(agent) janus_agent_get_private (agent)
#define MBOX(agent) (&janus_agent_get_private (agent)->run.mbox)
#define RT(agent) (janus_agent_get_private (agent)->runtime)

/* Not inlined: the callers in this file keep a fast path without the
 * registers the full check needs. */
G_GNUC_NO_INLINE gboolean
janus_agent_type_check_slow (gconstpointer instance)
{
  GType type, *set;

  if (!G_TYPE_CHECK_INSTANCE_TYPE (instance, JANUS_TYPE_AGENT))
    return FALSE;
  /* the newest in way 0, the one it pushes out in way 1 */
  type = G_TYPE_FROM_INSTANCE (instance);
  set = janus_agent_type_set (type);
  set[1] = set[0];
  set[0] = type;
  janus_agent_type_last = type;
  return TRUE;
}

/* The agent owning @mbox: the mailbox is the first member of its private
 * struct. */
static inline JanusAgent *
agent_of (JanusMbox *mbox)
{
  return (JanusAgent *) ((char *) mbox - janus_agent_private_offset);
}

/* The agent whose step (or heavy thread) runs on this thread, if any. */
JanusAgent *
janus_agent_get_current (void)
{
  JanusMbox *mbox = janus_mbox_current ();

  return mbox ? agent_of (mbox) : NULL;
}

/* Probes (janus-probe.c), a layer above: installed with the first probe. */
JanusAgentStepHook _Atomic janus_agent_step_hook;

void
janus_agent_set_step_hook (JanusAgentStepHook hook)
{
  atomic_store_explicit (&janus_agent_step_hook, hook, memory_order_release);
}

/* Role playing (janus-agent-roles.c), a layer above: installed when the
 * first role is requested. */
static const JanusAgentRoleFuncs *_Atomic role_funcs;

void
janus_agent_set_role_funcs (const JanusAgentRoleFuncs *funcs)
{
  atomic_store_explicit (&role_funcs, funcs, memory_order_release);
}

#define is_current janus_agent_is_current

JanusAgentExtra *
janus_agent_ensure_extra_slow (JanusAgent *self)
{
  JanusAgentPrivate *priv = P (self);
  JanusAgentExtra *extra, *expected = NULL;

  /* from GSlice: an agent that plays a role has one, and its size is a
   * multiple of 16 */
  extra = g_slice_new0 (JanusAgentExtra);
  g_mutex_init (&extra->lock);
  /* acq_rel: the initialised struct is visible to whoever loads the pointer;
   * on failure we use the winner's */
  if (atomic_compare_exchange_strong_explicit (&priv->extra, &expected, extra,
                                               memory_order_acq_rel,
                                               memory_order_acquire))
    return extra;
  g_mutex_clear (&extra->lock);
  g_slice_free (JanusAgentExtra, extra);
  return expected;
}

static JanusAgentExtra *
peek_extra (JanusAgentPrivate *priv)
{
  return atomic_load_explicit (&priv->extra, memory_order_acquire);
}

static void cancel_all_timers (JanusAgent *self);

/* How messages name an agent: its name if it has one, its type and its
 * address — `agent “seller-2” (Seller, janus://…/3)`, or
 * `agent Seller (not launched)`. Any thread. */
char *
janus_agent_describe (JanusAgent *self)
{
  JanusAgentPrivate *priv = P (self);
  const char *name = janus_agent_get_name (self);
  g_autofree char *address = NULL;

  if (janus_agent_private_state (priv) == JANUS_AGENT_STATE_UNBORN)
    address = g_strdup ("not launched");
  else
    address = janus_address_to_string (&priv->address);
  if (name != NULL)
    return g_strdup_printf ("agent “%s” (%s, %s)", name, G_OBJECT_TYPE_NAME (self), address);
  return g_strdup_printf ("agent %s (%s)", G_OBJECT_TYPE_NAME (self), address);
}

/* ------------------------------------------------------------ life-cycle */

/* The one place where an agent's state changes. Runs on the thread that owns
 * the agent (or launches it), never under a lock. */
static void
set_state (JanusAgent      *self,
           JanusAgentState  state)
{
  JanusAgentPrivate *priv = P (self);

  /* release: what happened before the change is visible to whoever reads
   * the new state with janus_agent_get_state () */
  atomic_store_explicit (&priv->run.mbox.owner_state, (guint8) state, memory_order_release);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static gboolean
check_parameters (JanusAgent  *self,
                              GVariant    *parameters,
                              GError     **error)
{
  const GVariantType *proto = JANUS_AGENT_GET_CLASS (self)->activation_prototype;
  char *want, *who;

  if (proto == NULL)
    return TRUE;
  if (parameters != NULL && g_variant_is_of_type (parameters, proto))
    return TRUE;
  want = g_variant_type_dup_string (proto);
  who = janus_agent_describe (self);
  g_set_error (error, JANUS_KERNEL_ERROR, JANUS_KERNEL_ERROR_INVALID_PARAMETERS,
               "Cannot launch %s: its type expects launch parameters of type “%s”, got %s%s%s",
               who, want,
               parameters ? "“" : "none",
               parameters ? g_variant_get_type_string (parameters) : "",
               parameters ? "”" : "");
  g_free (want);
  g_free (who);
  return FALSE;
}

/* Claims @self for a launch on @runtime (once, whatever the threads):
 * UNBORN -> BORN, with an address, and the parameters kept for activate.
 * On failure the agent is left UNBORN. */
static gboolean
claim (JanusAgent    *self,
       JanusRuntime  *runtime,
       const char    *name,
       GVariant      *parameters,
       gboolean       heavy,
       GError       **error)
{
  JanusAgentPrivate *priv = P (self);
  JanusAgent *current = janus_agent_get_current ();
  guint8 unborn = JANUS_AGENT_STATE_UNBORN;
  guint64 id;

  if (janus_agent_private_state (priv) != JANUS_AGENT_STATE_UNBORN)
    goto launched;
  if (!check_parameters (self, parameters, error))
    return FALSE;
  /* one launch wins, even if two threads launch the same agent; the
   * others read UNBORN until the winner published BORN, below */
  if (!atomic_compare_exchange_strong_explicit (&priv->run.mbox.owner_state, &unborn,
                                                JANUS_AGENT_STATE_CLAIMED,
                                                memory_order_acq_rel, memory_order_relaxed))
    goto launched;
  if (!janus_runtime_reserve (runtime, &id))
    {
      atomic_store_explicit (&priv->run.mbox.owner_state, JANUS_AGENT_STATE_UNBORN,
                             memory_order_release);
      g_set_error (error, JANUS_KERNEL_ERROR, JANUS_KERNEL_ERROR_TOO_MANY_AGENTS,
                   "Kernel %s has launched as many agents as it can address",
                   runtime->uuid_string);
      return FALSE;
    }

  priv->runtime = runtime;
  janus_address_init (&priv->address, runtime->uuid, id);
  /* launched from another agent's step: that agent may kill it */
  priv->creator = current != NULL && RT (current) == runtime ? P (current)->address.id
                                                              : JANUS_ADDRESS_KERNEL_ID;
  if (name != NULL || parameters != NULL || heavy)
    {
      JanusAgentExtra *extra = janus_agent_ensure_extra (self);
      extra->name = g_strdup (name);
      extra->parameters = parameters ? g_variant_ref (parameters) : NULL;
      /* where its thread sleeps */
      if (heavy)
        {
          extra->waiter = g_new (JanusMboxWaiter, 1);
          janus_mbox_waiter_init (extra->waiter);
        }
    }
  if (heavy)
    priv->run.mbox.heavy = TRUE;
  /* release: whoever reads BORN (a kill, a send from another thread) sees
   * the runtime, the address and the extra part written above */
  atomic_store_explicit (&priv->run.mbox.owner_state, JANUS_AGENT_STATE_BORN,
                         memory_order_release);
  return TRUE;

launched:
  {
    g_autofree char *who = janus_agent_describe (self);
    g_set_error (error, JANUS_KERNEL_ERROR, JANUS_KERNEL_ERROR_ALREADY_LAUNCHED,
                 "Cannot launch %s: it was launched already", who);
  }
  return FALSE;
}

/* The kernel launches @self on @runtime: claims it, takes the runtime's
 * reference (released after DIED), publishes it, and has it run. */
gboolean
janus_agent_launch (JanusAgent    *self,
                    JanusRuntime  *runtime,
                    const char    *name,
                    GVariant      *parameters,
                    gboolean       heavy,
                    GError       **error)
{
  JanusAgentPrivate *priv = P (self);

  if (!claim (self, runtime, name, parameters, heavy, error))
    return FALSE;
  g_object_ref (self);
  janus_runtime_publish (runtime, priv->address.id, &priv->run);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
  if (heavy)
    janus_scheduler_spawn_heavy (runtime->sched, &priv->run, priv->address.id);
  else
    {
      janus_scheduler_start (runtime->sched);
      janus_scheduler_schedule (runtime->sched, &priv->run);
    }
  return TRUE;
}

/* The life hook a higher layer installed (holons), or NULL. */
static _Atomic JanusAgentLifeHook life_hook;

/* Installs the hook that follows deaths (see janus-agent-private.h). Call
 * it before agents die; a later call replaces it. */
void
janus_agent_set_life_hook (JanusAgentLifeHook hook)
{
  /* release: whatever the hook needs is set up before an agent calls it */
  atomic_store_explicit (&life_hook, hook, memory_order_release);
}

/* DYING -> BREAKING_DOWN (end) -> DIED, then the runtime lets go. Returns
 * FALSE when the life hook postpones the end: the agent stays DYING until
 * it is woken and tries again. */
static gboolean
die (JanusAgent *self)
{
  JanusAgentPrivate *priv = P (self);
  JanusRuntime *runtime = priv->runtime;
  JanusAgentLifeHook hook = atomic_load_explicit (&life_hook, memory_order_acquire);

  if (janus_agent_private_state (priv) < JANUS_AGENT_STATE_DYING)
    set_state (self, JANUS_AGENT_STATE_DYING);
  if (hook != NULL && hook (self, JANUS_AGENT_LIFE_DYING))
    return FALSE;
  set_state (self, JANUS_AGENT_STATE_BREAKING_DOWN);
  JANUS_AGENT_GET_CLASS (self)->end (self);
  /* whatever end left: each remaining role ends and is left */
  if (priv->extra != NULL && priv->extra->n_roles > 0)
    atomic_load_explicit (&role_funcs, memory_order_acquire)->leave_all (self);
  cancel_all_timers (self);
  if (hook != NULL)
    hook (self, JANUS_AGENT_LIFE_ENDED);

  /* from now on every push fails and is counted by its sender; the tasks
   * that did not run are cancelled */
  janus_runtime_dead_letters (runtime,
                              janus_agent_cancel_tasks (self, janus_mbox_close (&priv->run.mbox)));
  set_state (self, JANUS_AGENT_STATE_DIED);
  priv->run.mbox.owner_flags &= ~JANUS_AGENT_FLAG_KILL_ME;
  janus_runtime_unpublish (runtime, priv->address.id);
  janus_runtime_report_death (runtime, self);
  /* the runtime's reference goes once no sender can still hold the pointer */
  janus_scheduler_retire (runtime->sched, self, g_object_unref);
  return TRUE;
}

/* BORN -> ALIVE, once activate succeeded; the life hook hears of it before
 * anything else runs in the agent's step. */
static void
become_alive (JanusAgent *self)
{
  JanusAgentLifeHook hook = atomic_load_explicit (&life_hook, memory_order_acquire);

  set_state (self, JANUS_AGENT_STATE_ALIVE);
  if (hook != NULL)
    hook (self, JANUS_AGENT_LIFE_ALIVE);
}

/* A light agent whose end was postponed sleeps until it is woken; what
 * arrives meanwhile waits in its mailbox (dead letters once it died). */
static JanusTurnResult
postpone_death (JanusAgentPrivate *priv)
{
  /* take the arrivals, or the inbox could never block */
  janus_mbox_look (&priv->run.mbox);
  return janus_mbox_try_sleep (&priv->run.mbox) ? JANUS_TURN_AGAIN : JANUS_TURN_SLEEP;
}

static gboolean
activate (JanusAgent *self)
{
  JanusAgentPrivate *priv = P (self);
  JanusAgentExtra *extra = peek_extra (priv);
  g_autoptr(GVariant) parameters = NULL;
  g_autoptr(GError) error = NULL;

  /* kept for the agent's life: a supervisor restarts a failed agent with
   * them */
  if (extra != NULL && extra->parameters != NULL)
    parameters = g_variant_ref (extra->parameters);
  if (JANUS_AGENT_GET_CLASS (self)->activate (self, parameters, &error))
    {
      if (error != NULL)
        {
          g_autofree char *who = janus_agent_describe (self);
          g_warning ("The activate of %s succeeded but set an error: %s", who, error->message);
        }
      return TRUE;
    }
  if (error == NULL)
    {
      g_autofree char *who = janus_agent_describe (self);
      g_set_error (&error, JANUS_KERNEL_ERROR, JANUS_KERNEL_ERROR_FAILED,
                   "The activate of %s failed and said nothing more", who);
    }
  janus_runtime_report_failure (priv->runtime, self, error);
  return FALSE;
}

G_NO_INLINE static void
report_invalid_live_result (JanusAgent *self,
                            JanusLive   r)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *who = janus_agent_describe (self);

  g_set_error (&error, JANUS_KERNEL_ERROR, JANUS_KERNEL_ERROR_INVALID_LIVE_RESULT,
               "The live of %s returned %d, which is not a JanusLive value "
               "(an exception in a language binding?); the agent is killed",
               who, (int) r);
  janus_runtime_report_failure (RT (self), self, error);
}

static inline gboolean
live_result_valid (JanusAgent *self,
                   JanusLive   r)
{
  if (G_LIKELY (r == JANUS_LIVE_AGAIN || r == JANUS_LIVE_WAIT || r == JANUS_LIVE_DONE))
    return TRUE;
  report_invalid_live_result (self, r);
  return FALSE;
}

/* Due timers run first, in the order they were due, then tasks, in the
 * order they arrived. */
static inline void
run_due_work (JanusAgent *self,
              guint       requests)
{
  JanusAgentPrivate *priv = P (self);

  if (G_UNLIKELY (requests & (JANUS_REQUEST_TIMER | JANUS_REQUEST_TASK)))
    janus_mbox_look (&priv->run.mbox);
  if (G_UNLIKELY (priv->extra != NULL))
    {
      if (priv->extra->timers != NULL && janus_timer_set_has_fired (priv->extra->timers))
        janus_agent_run_due_timers (self);
      if (priv->extra->tasks != NULL)
        janus_agent_run_tasks (self);
    }
}

/* Whether due timers or tasks wait to run (owner only). */
static inline gboolean
has_due_work (JanusAgentPrivate *priv)
{
  JanusAgentExtra *extra = priv->extra;

  return extra != NULL && ((extra->timers != NULL && janus_timer_set_has_fired (extra->timers))
                           || extra->tasks != NULL);
}

static inline gboolean
kill_asked (JanusAgentPrivate *priv,
            guint              requests)
{
  return (requests & JANUS_REQUEST_KILL) || (priv->run.mbox.owner_flags & JANUS_AGENT_FLAG_KILL_ME);
}

/* One turn of a light agent on a worker. */
static JanusTurnResult
run_turn (JanusAgent *self)
{
  JanusAgentPrivate *priv = P (self);
  JanusMbox *saved = janus_mbox_begin_step (&priv->run.mbox);
  JanusTurnResult result = JANUS_TURN_SLEEP;
  gconstpointer top_at_start = janus_mbox_top (&priv->run.mbox);
  guint requests = janus_mbox_take_requests (&priv->run.mbox);
  JanusLive live = JANUS_LIVE_WAIT;

  if (G_UNLIKELY (janus_mbox_is_buffered (&priv->run.mbox)))
    janus_mbox_begin_buffered_step (&priv->run.mbox);

  /* paused: what arrives (due timers too) waits in the mailbox */
  if (janus_agent_private_paused (priv) && !kill_asked (priv, requests))
    {
      janus_mbox_look (&priv->run.mbox);
      goto wait;
    }

  if (janus_agent_private_state (priv) == JANUS_AGENT_STATE_BORN)
    {
      janus_runtime_report_launch (priv->runtime, self);
      if (!activate (self))
        goto dead;
      become_alive (self);
    }
  else if (G_UNLIKELY (janus_agent_private_state (priv) == JANUS_AGENT_STATE_DYING))
    goto dead;                  /* its end was postponed: ask again */
  run_due_work (self, requests);
  if (G_UNLIKELY (requests & JANUS_REQUEST_END_SLEEP))
    janus_agent_end_sleep (self);

  if (!kill_asked (priv, requests) && !(priv->run.mbox.owner_flags & JANUS_AGENT_FLAG_SLEEPING))
    {
      live = JANUS_AGENT_GET_CLASS (self)->live (self);
      if (!live_result_valid (self, live) || live == JANUS_LIVE_DONE)
        goto dead;
    }
  janus_agent_step_ended (self);
  if (kill_asked (priv, requests))
    goto dead;

  /* WAIT sleeps until something new happens */
  if (live == JANUS_LIVE_WAIT && janus_mbox_arrived_unseen (&priv->run.mbox, top_at_start))
    live = JANUS_LIVE_AGAIN;
wait:
  if (live == JANUS_LIVE_AGAIN || janus_mbox_try_sleep (&priv->run.mbox))
    result = JANUS_TURN_AGAIN;
  janus_mbox_end_step (saved);
  return result;

dead:
  result = die (self) ? JANUS_TURN_GONE : postpone_death (priv);
  janus_mbox_end_step (saved);
  return result;
}

/* --------------------------------------------------------- heavy agents */

/* Wakes a heavy agent's thread; the caller won its inbox (unblocked it). */
static void
heavy_wake (JanusAgent *self)
{
  janus_mbox_waiter_wake (peek_extra (P (self))->waiter);
}

/* Heavy thread: sleeps until a message, a request or @deadline (monotonic
 * µs, -1 for none). Returns FALSE on time-out. */
static gboolean
heavy_sleep (JanusAgent *self,
             gint64      deadline)
{
  return janus_mbox_sleep (MBOX (self), peek_extra (P (self))->waiter, deadline);
}

static void
heavy_main (JanusAgent *self)
{
  JanusAgentPrivate *priv = P (self);
  guint requests;

  janus_mbox_begin_step (&priv->run.mbox);
  /* paused before its first step: not even activate (a kill ends it) */
  while (janus_agent_private_paused (priv)
         && !(atomic_load_explicit (&priv->run.mbox.requests, memory_order_acquire) & JANUS_REQUEST_KILL))
    {
      janus_mbox_look (&priv->run.mbox);
      heavy_sleep (self, -1);
    }
  janus_runtime_report_launch (priv->runtime, self);
  if (!activate (self))
    goto dead;
  become_alive (self);

  for (;;)
    {
      gconstpointer top_at_start = janus_mbox_top (&priv->run.mbox);
      JanusLive live;

      requests = janus_mbox_take_requests (&priv->run.mbox);
      if (kill_asked (priv, requests))
        break;
      priv->run.mbox.flags &= ~JANUS_MBOX_TOOK;
      if (janus_agent_private_paused (priv))
        {
          /* paused: what arrives waits in the mailbox */
          janus_mbox_look (&priv->run.mbox);
          heavy_sleep (self, -1);
          continue;
        }
      run_due_work (self, requests);
      live = JANUS_AGENT_GET_CLASS (self)->live (self);
      janus_agent_step_ended (self);
      if (!live_result_valid (self, live) || live == JANUS_LIVE_DONE)
        break;
      if (priv->run.mbox.owner_flags & JANUS_AGENT_FLAG_KILL_ME)
        break;
      if (live == JANUS_LIVE_WAIT && !janus_mbox_arrived_unseen (&priv->run.mbox, top_at_start))
        heavy_sleep (self, -1);
    }

dead:
  for (;;)
    {
      /* taken before the hook decides: a wake that comes later is seen by
       * heavy_sleep, and the hook is asked again */
      janus_mbox_take_requests (&priv->run.mbox);
      if (die (self))
        break;
      /* postponed: sleep until woken, keeping what arrives */
      janus_mbox_look (&priv->run.mbox);
      heavy_sleep (self, -1);
    }
  janus_mbox_end_step (NULL);
}

/* ------------------------------------------------------------ requests */

/* Asks the agent's owner to look at @bits (kill or wake), unless it died.
 * MT safe: inside an epoch critical section, an agent seen alive keeps its
 * kernel's runtime (freed through the epoch, after the last agent died). */
static void
request (JanusAgent *self,
         guint       bits)
{
  janus_epoch_enter ();
  if (janus_agent_private_state (P (self)) < JANUS_AGENT_STATE_DIED)
    janus_scheduler_request (RT (self)->sched, &P (self)->run, bits);
  janus_epoch_exit ();
}

/* ------------------------------------------------------------ mailbox */

gboolean
janus_agent_check_owner_slow (JanusAgent *self)
{
  JanusAgentPrivate *priv = P (self);
  JanusAgentState state;

  state = janus_agent_private_state (priv);
  if (state == JANUS_AGENT_STATE_UNBORN || state == JANUS_AGENT_STATE_DIED)
    return TRUE;
  return janus_scheduler_may_read (priv->runtime->sched, &priv->run);
}

gboolean
janus_agent_check_reader (JanusAgent *self,
                          const char *func)
{
  char *who;

  if (G_LIKELY (janus_agent_check_owner (self)))
    return TRUE;
  who = janus_agent_describe (self);
  g_critical ("%s: the mailbox of %s is read only by the agent itself "
              "(or between steps of a kernel without workers)", func, who);
  g_free (who);
  return FALSE;
}

#define CHECK_OWNER(self, val)                                                  \
  G_STMT_START {                                                                \
    if (G_UNLIKELY (!janus_agent_check_reader (self, G_STRFUNC)))                           \
      return val;                                                               \
  } G_STMT_END

/* Whether a heavy agent's wait ends now: a kill was asked, or a wake-up
 * (which the wait consumes). */
static gboolean
wait_interrupted (JanusAgentPrivate *priv)
{
  guint requests = atomic_load_explicit (&priv->run.mbox.requests, memory_order_acquire);

  if (kill_asked (priv, requests))
    return TRUE;
  if (!(requests & JANUS_REQUEST_WAKE))
    return FALSE;
  atomic_fetch_and_explicit (&priv->run.mbox.requests, (guint16) ~JANUS_REQUEST_WAKE,
                             memory_order_acq_rel);
  return TRUE;
}

/* Heavy agent: sleeps until something new arrives in its inbox (or a kill,
 * a wake-up, or @timeout_usec). FALSE on time-out, kill or wake-up. */
gboolean
janus_agent_wait_arrival (JanusAgent *self,
                          gint64      timeout_usec)
{
  if (wait_interrupted (P (self)))
    return FALSE;
  /* no look here: the caller just looked (and found nothing for it); a
   * look now would hide an arrival from it and sleep on it */
  return heavy_sleep (self, timeout_usec < 0 ? -1 : g_get_monotonic_time () + timeout_usec);
}

/* A heavy agent's blocking read (janus_agent_wait_message). */
JanusMessage *
janus_agent_wait (JanusAgent *self,
                  gint64      timeout_usec)
{
  JanusAgentPrivate *priv = P (self);
  JanusMessage *m;
  gint64 deadline;

  m = janus_mbox_take (&priv->run.mbox);
  if (m != NULL || timeout_usec == 0 || !janus_mbox_is_heavy (&priv->run.mbox)
      || !is_current (self))
    return m;

  deadline = timeout_usec < 0 ? -1 : g_get_monotonic_time () + timeout_usec;
  for (;;)
    {
      if (wait_interrupted (priv) || !heavy_sleep (self, deadline))
        return NULL;
      if ((m = janus_mbox_take (&priv->run.mbox)) != NULL)
        return m;
      /* a due timer or a task ends the wait: it runs once live returns */
      if (has_due_work (priv))
        return NULL;
      if (deadline >= 0 && g_get_monotonic_time () >= deadline)
        return NULL;
    }
}

/**
 * janus_agent_get_mailbox_kind:
 * @self: an agent
 *
 * Gets how the agent's mailbox orders messages.
 *
 * Returns: how the agent's mailbox orders messages
 */
JanusMailboxKind
janus_agent_get_mailbox_kind (JanusAgent *self)
{
  g_return_val_if_fail (janus_is_agent (self), JANUS_MAILBOX_KIND_FIFO);

  return MBOX (self)->kind;
}

/**
 * janus_agent_set_mailbox_kind:
 * @self: an agent
 * @kind: the new kind
 *
 * Changes how the mailbox orders what it holds and receives: messages
 * already there are re-ordered (or, for a black hole, become dead letters).
 * Call before launching the agent or from the agent itself.
 */
void
janus_agent_set_mailbox_kind (JanusAgent       *self,
                              JanusMailboxKind  kind)
{
  g_return_if_fail (janus_is_agent (self));
  g_return_if_fail (kind <= JANUS_MAILBOX_KIND_LAST);
  CHECK_OWNER (self, );

  if (MBOX (self)->kind == kind)
    return;
  janus_mbox_set_kind (MBOX (self), kind);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAILBOX_KIND]);
}

/* ------------------------------------------- what the scheduler runs */

static inline JanusAgent *
agent_of_runnable (JanusRunnable *r)
{
  return agent_of (&r->mbox);
}

static JanusTurnResult
runnable_run (JanusRunnable *r)
{
  return run_turn (agent_of_runnable (r));
}

static void
runnable_run_heavy (JanusRunnable *r)
{
  heavy_main (agent_of_runnable (r));
}

static void
runnable_wake_heavy (JanusRunnable *r)
{
  heavy_wake (agent_of_runnable (r));
}

static gpointer
runnable_object (JanusRunnable *r)
{
  return agent_of_runnable (r);
}

static const JanusRunnableClass runnable_class = {
  runnable_run,
  runnable_run_heavy,
  runnable_wake_heavy,
  runnable_object,
};

/* How the scheduler runs agents. */
const JanusRunnableClass *
janus_agent_runnable_class (void)
{
  return &runnable_class;
}

/* ------------------------------------------------- what the mailbox hands up */

static gboolean
mbox_check_reader (JanusMbox  *mbox,
                   const char *func)
{
  return janus_agent_check_reader (agent_of (mbox), func);
}

static void
mbox_timer_due (JanusMbox    *mbox,
                JanusMessage *timer)
{
  /* the agent made its timers when it set this one */
  janus_timer_set_fired (peek_extra (P (agent_of (mbox)))->timers, timer);
}

static void
mbox_task_due (JanusMbox    *mbox,
               JanusMessage *task)
{
  janus_agent_task_arrived (agent_of (mbox), task);
}

static void
mbox_arrived (JanusMbox    *mbox,
              JanusMessage *letters)
{
  const JanusAgentRoleFuncs *funcs = atomic_load_explicit (&role_funcs, memory_order_acquire);

  /* roles exist only once role playing installed its functions */
  if (funcs != NULL)
    funcs->arrived (agent_of (mbox), letters);
}

static void
mbox_refused (JanusMbox    *mbox,
              JanusMessage *letters)
{
  janus_runtime_dead_letters (RT (agent_of (mbox)), letters);
}

static void
mbox_kind_changed (JanusMbox *mbox)
{
  g_object_notify_by_pspec (G_OBJECT (agent_of (mbox)), properties[PROP_MAILBOX_KIND]);
}

static JanusMessage *
mbox_wait (JanusMbox *mbox,
           gint64     timeout_usec)
{
  JanusAgent *self = agent_of (mbox);

  CHECK_OWNER (self, NULL);
  return janus_agent_wait (self, timeout_usec);
}

static const JanusMboxOwnerFuncs mbox_owner_funcs = {
  mbox_check_reader,
  mbox_timer_due,
  mbox_task_due,
  mbox_arrived,
  mbox_refused,
  mbox_kind_changed,
  mbox_wait,
  janus_agent_mbox_wait_filtered,
};

/* ---------------------------------------------------------------- kill */

/* Kernel side: ask @self to die at the end of its current (or next) step. */
void
janus_agent_request_kill (JanusAgent *self)
{
  JanusAgentPrivate *priv = P (self);

  if (janus_agent_private_state (priv) >= JANUS_AGENT_STATE_DYING)
    return;
  if (is_current (self))
    priv->run.mbox.owner_flags |= JANUS_AGENT_FLAG_KILL_ME;
  else
    request (self, JANUS_REQUEST_KILL);
}

/**
 * janus_agent_kill_me:
 * @self: the agent itself
 *
 * Asks for the agent's death: it takes effect at the end of the current
 * step (after `live` or `activate` returns), then `end` runs. Idempotent.
 */
void
janus_agent_kill_me (JanusAgent *self)
{
  g_return_if_fail (janus_is_agent (self));
  g_return_if_fail (janus_agent_private_state (P (self)) != JANUS_AGENT_STATE_UNBORN);

  janus_agent_request_kill (self);
}

/**
 * janus_agent_kill:
 * @self: the agent asking
 * @other: the agent to kill
 * @error: return location for a [struct@GLib.Error]
 *
 * Kills @other, with Janus's rights: an agent may kill itself and the agents
 * it launched (the kernel may kill any, see [method@Janus.Kernel.kill]).
 * @other dies at the end of its current step, or at once if it was waiting.
 * Killing a dead agent succeeds and does nothing. MT safe.
 *
 * The rights are enforced against the code that calls: from an agent's
 * step (its `activate`, `live`, `end`, its roles and timers, a heavy
 * agent's thread) @self must be that agent — an agent cannot kill in the
 * name of another, not even in the name of the victim itself. Code that
 * runs in no agent's step (the application, a signal handler on its own
 * thread) acts with @self's rights. In one process the rights guard
 * against mistakes, not against hostile code: whoever holds the kernel
 * has its right to kill any agent ([method@Janus.Kernel.kill]).
 *
 * Returns: `TRUE` if the kill was accepted; `FALSE` with
 *   `JANUS_KERNEL_ERROR_NOT_PERMITTED` or `JANUS_KERNEL_ERROR_NOT_LAUNCHED` otherwise
 */
gboolean
janus_agent_kill (JanusAgent  *self,
                  JanusAgent  *other,
                  GError     **error)
{
  JanusAgentPrivate *s, *o;
  JanusAgent *caller;

  g_return_val_if_fail (janus_is_agent (self), FALSE);
  g_return_val_if_fail (janus_is_agent (other), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  s = P (self);
  o = P (other);
  caller = janus_agent_get_current ();
  if (janus_agent_private_state (o) == JANUS_AGENT_STATE_UNBORN)
    {
      g_autofree char *b = janus_agent_describe (other);
      g_set_error (error, JANUS_KERNEL_ERROR, JANUS_KERNEL_ERROR_NOT_LAUNCHED,
                   "Cannot kill %s: it is not launched", b);
      return FALSE;
    }
  if (caller != NULL && caller != self)
    {
      g_autofree char *c = janus_agent_describe (caller);
      g_autofree char *a = janus_agent_describe (self);
      g_autofree char *b = janus_agent_describe (other);
      g_set_error (error, JANUS_KERNEL_ERROR, JANUS_KERNEL_ERROR_NOT_PERMITTED,
                   "The step of %s may not kill %s in the name of %s: an agent "
                   "kills as itself", c, b, a);
      return FALSE;
    }
  if (self != other
      && (janus_agent_private_state (s) == JANUS_AGENT_STATE_UNBORN
          || s->runtime != o->runtime
          || o->creator != s->address.id))
    {
      g_autofree char *a = janus_agent_describe (self);
      g_autofree char *b = janus_agent_describe (other);
      g_set_error (error, JANUS_KERNEL_ERROR, JANUS_KERNEL_ERROR_NOT_PERMITTED,
                   "The %s may not kill %s: only the agent itself, the agent "
                   "that launched it and the kernel may", a, b);
      return FALSE;
    }
  janus_agent_request_kill (other);
  return TRUE;
}

/**
 * janus_agent_fail:
 * @self: the agent (call from its own step)
 * @error: what went wrong
 *
 * Reports that the agent failed: its kernel emits
 * [signal@Janus.Kernel::agent-failed] with @error, and the agent dies at the
 * end of the current step, as with [method@Janus.Agent.kill_me]. For
 * failures that cannot be returned otherwise: in a timer callback, or an
 * exception caught by a language binding (the Python override reports the
 * exceptions of `live`, `end` and timer callbacks this way, with their
 * text). From `end` it only reports: the agent is dying already.
 */
void
janus_agent_fail (JanusAgent   *self,
                  const GError *error)
{
  g_return_if_fail (janus_is_agent (self));
  g_return_if_fail (error != NULL);
  g_return_if_fail (is_current (self));

  janus_runtime_report_failure (RT (self), self, error);
  janus_agent_request_kill (self);
}

/**
 * janus_agent_wake:
 * @self: a launched agent
 *
 * Makes a waiting agent runnable: its `live` is called again soon even if no
 * message arrived (a heavy agent's [method@Janus.Agent.wait_message] returns).
 * It also ends a [method@Janus.Agent.sleep] (Janus's `wakeUpIfSleeping`):
 * the sleep's timer is cancelled and `live` runs again. Does nothing to an
 * agent that is not waiting, except that its next `JANUS_LIVE_WAIT` returns
 * at once. MT safe.
 */
void
janus_agent_wake (JanusAgent *self)
{
  g_return_if_fail (janus_is_agent (self));
  g_return_if_fail (janus_agent_private_state (P (self)) != JANUS_AGENT_STATE_UNBORN);

  request (self, JANUS_REQUEST_WAKE | JANUS_REQUEST_END_SLEEP);
}

/* A wake-up that the library's own layers ask (a role taken from outside,
 * a probe, the holons): it steps the agent but leaves a sleep alone. */
void
janus_agent_nudge (JanusAgent *self)
{
  request (self, JANUS_REQUEST_WAKE);
}

/* -------------------------------------------------------------- timers
 *
 * The bookkeeping is janus-timer.c's (JanusTimerSet, in the agent's extra
 * data), the public functions janus-agent-timers.c's. */

/* Runs the due timers the agent's mailbox handed over, oldest first. */
void
janus_agent_run_due_timers (JanusAgent *self)
{
  JanusAgentExtra *extra = peek_extra (P (self));

  if (extra != NULL && extra->timers != NULL && janus_timer_set_run (extra->timers, self))
    P (self)->run.mbox.owner_flags &= ~JANUS_AGENT_FLAG_SLEEPING;
}

/* At death: pending timers will not run (whoever holds them frees them). */
static void
cancel_all_timers (JanusAgent *self)
{
  JanusAgentExtra *extra = peek_extra (P (self));
  guint n;

  if (extra == NULL || extra->timers == NULL || janus_timer_set_is_empty (extra->timers))
    return;
  for (n = janus_timer_set_cancel_all (extra->timers); n > 0; n--)
    janus_scheduler_timer_cancelled (RT (self)->sched);
}

/* The parameters @self was launched with (NULL if none), kept after
 * `activate` for restarts. Set before the agent is published and never
 * changed, so MT safe once it is launched. */
GVariant *
janus_agent_get_launch_parameters (JanusAgent *self)
{
  JanusAgentExtra *extra = peek_extra (P (self));

  return extra != NULL ? extra->parameters : NULL;
}

/* ------------------------------------------------------------- memory */

/**
 * janus_agent_get_memory:
 * @self: an agent
 *
 * Gets the agent's memory, creating a [class@Janus.BlackboardMemory] the
 * first time unless one was set with [method@Janus.Agent.set_memory]. MT
 * safe (the memory itself is too).
 *
 * Returns: (transfer none): the memory
 */
JanusMemory *
janus_agent_get_memory (JanusAgent *self)
{
  JanusAgentExtra *extra;
  JanusMemory *memory;

  g_return_val_if_fail (janus_is_agent (self), NULL);

  extra = janus_agent_ensure_extra (self);
  g_mutex_lock (&extra->lock);
  if (extra->memory == NULL)
    extra->memory = JANUS_MEMORY (janus_blackboard_memory_new ());
  memory = extra->memory;
  g_mutex_unlock (&extra->lock);
  return memory;
}

/**
 * janus_agent_set_memory:
 * @self: an agent
 * @memory: a memory, such as a [class@Janus.PropertyMemory]
 *
 * Replaces the agent's memory.
 */
void
janus_agent_set_memory (JanusAgent  *self,
                        JanusMemory *memory)
{
  JanusAgentExtra *extra;
  JanusMemory *old;

  g_return_if_fail (janus_is_agent (self));
  g_return_if_fail (JANUS_IS_MEMORY (memory));

  extra = janus_agent_ensure_extra (self);
  g_mutex_lock (&extra->lock);
  old = extra->memory;
  extra->memory = g_object_ref (memory);
  g_mutex_unlock (&extra->lock);
  g_clear_object (&old);
}

/* ----------------------------------------------------------- accessors */

/**
 * janus_agent_get_state:
 * @self: an agent
 *
 * Gets where the agent is in its life-cycle.
 *
 * Returns: the agent's life-cycle state. MT safe.
 */
JanusAgentState
janus_agent_get_state (JanusAgent *self)
{
  g_return_val_if_fail (janus_is_agent (self), JANUS_AGENT_STATE_UNBORN);

  return janus_agent_private_state (P (self));
}

/**
 * janus_agent_is_alive:
 * @self: an agent
 *
 * Tells whether the agent is launched and not yet dying.
 *
 * Returns: whether the agent is launched and not yet dying
 */
gboolean
janus_agent_is_alive (JanusAgent *self)
{
  JanusAgentState state;

  g_return_val_if_fail (janus_is_agent (self), FALSE);

  state = janus_agent_private_state (P (self));
  return state == JANUS_AGENT_STATE_BORN || state == JANUS_AGENT_STATE_ALIVE;
}

/**
 * janus_agent_get_address:
 * @self: an agent
 *
 * Gets the address other agents send to. MT safe.
 *
 * Returns: (transfer none) (nullable): the agent's address, or `NULL` before
 *   it is launched; it stays valid as long as @self
 */
const JanusAddress *
janus_agent_get_address (JanusAgent *self)
{
  g_return_val_if_fail (janus_is_agent (self), NULL);

  if (janus_agent_private_state (P (self)) == JANUS_AGENT_STATE_UNBORN)
    return NULL;
  return &P (self)->address;
}

/**
 * janus_agent_get_kernel:
 * @self: an agent
 *
 * Gets the kernel the agent was launched on, while it runs the agent.
 *
 * An agent refers to its kernel without owning it (the application's
 * references own a kernel): from its launch until its death completes,
 * when the kernel is sure to exist. Before the launch, and once the agent
 * is `JANUS_AGENT_STATE_DIED` (its kernel may be gone), this returns
 * `NULL` — never a pointer to a kernel that was freed. In the agent's own
 * steps (`end` included) the kernel is always there; another thread that
 * keeps the result must hold its own reference (`g_object_ref`) on it,
 * since the agent may die and the kernel go at any time. MT safe.
 *
 * Returns: (transfer none) (nullable): the kernel that runs the agent, or
 *   `NULL` before its launch and once it died
 */
JanusKernel *
janus_agent_get_kernel (JanusAgent *self)
{
  JanusKernel *kernel = NULL;
  JanusAgentState state;

  g_return_val_if_fail (janus_is_agent (self), NULL);

  /* the runtime goes through the epoch after the last agent died */
  janus_epoch_enter ();
  state = janus_agent_private_state (P (self));
  if (state != JANUS_AGENT_STATE_UNBORN && state != JANUS_AGENT_STATE_DIED)
    kernel = (JanusKernel *) P (self)->runtime->owner;
  janus_epoch_exit ();
  return kernel;
}

/**
 * janus_agent_get_name:
 * @self: an agent
 *
 * Gets the name the agent was launched with.
 *
 * Returns: (nullable): the human-readable name given at launch
 */
const char *
janus_agent_get_name (JanusAgent *self)
{
  JanusAgentExtra *extra;

  g_return_val_if_fail (janus_is_agent (self), NULL);

  /* written by the launch before it publishes BORN: not before */
  if (janus_agent_private_state (P (self)) == JANUS_AGENT_STATE_UNBORN)
    return NULL;
  extra = peek_extra (P (self));
  return extra ? extra->name : NULL;
}

/**
 * janus_agent_is_heavy:
 * @self: an agent
 *
 * Tells whether the agent runs on a thread of its own.
 *
 * Returns: whether the agent was launched as a heavy agent (own thread)
 */
gboolean
janus_agent_is_heavy (JanusAgent *self)
{
  g_return_val_if_fail (janus_is_agent (self), FALSE);

  return janus_mbox_is_heavy (MBOX (self));
}

/**
 * janus_agent_class_set_activation_prototype:
 * @klass: an agent class
 * @type_string: (nullable): a [struct@GLib.Variant] type string such as `"(si)"`, or
 *   `NULL` to accept any parameters
 *
 * Declares the type of the parameters agents of this class (and of its
 * subclasses) must be launched with. Call it from the class's `class_init`.
 */
void
janus_agent_class_set_activation_prototype (JanusAgentClass *klass,
                                            const char      *type_string)
{
  static GMutex lock;
  static GHashTable *interned;    /* type string -> GVariantType, for ever */
  GVariantType *type = NULL;

  g_return_if_fail (JANUS_IS_AGENT_CLASS (klass));
  g_return_if_fail (type_string == NULL || g_variant_type_string_is_valid (type_string));

  /* interned: subclasses copy the pointer into their own class struct, so a
   * prototype can never be freed; interning bounds them by distinct types */
  if (type_string != NULL)
    {
      g_mutex_lock (&lock);
      if (interned == NULL)
        interned = g_hash_table_new (g_str_hash, g_str_equal);
      type = g_hash_table_lookup (interned, type_string);
      if (type == NULL)
        {
          type = g_variant_type_new (type_string);
          g_hash_table_insert (interned, g_strdup (type_string), type);
        }
      g_mutex_unlock (&lock);
    }
  klass->activation_prototype = type;
}

/**
 * janus_agent_type_set_activation_prototype:
 * @agent_type: a subtype of [class@Janus.Agent]
 * @type_string: (nullable): a [struct@GLib.Variant] type string, or `NULL`
 *
 * Like [method@Janus.AgentClass.set_activation_prototype], for a class given
 * by its `GType` (language bindings; the Python override uses it for the
 * `activation_prototype` class attribute). Affects subclasses created later.
 */
void
janus_agent_type_set_activation_prototype (GType       agent_type,
                                           const char *type_string)
{
  JanusAgentClass *klass;

  g_return_if_fail (g_type_is_a (agent_type, JANUS_TYPE_AGENT));

  klass = g_type_class_ref (agent_type);
  janus_agent_class_set_activation_prototype (klass, type_string);
  g_type_class_unref (klass);
}

/**
 * janus_agent_get_activation_prototype:
 * @self: an agent
 *
 * Gets the type the launch parameters of @self must have (its class's activation prototype).
 *
 * Returns: (nullable): the type the launch parameters of @self must have, or
 *   `NULL` if any are accepted
 */
const GVariantType *
janus_agent_get_activation_prototype (JanusAgent *self)
{
  g_return_val_if_fail (janus_is_agent (self), NULL);

  return JANUS_AGENT_GET_CLASS (self)->activation_prototype;
}

/* ------------------------------------------------------------- GObject */

/**
 * JanusAgentClass::activate:
 * @self: the agent
 * @parameters: (nullable): the launch parameters, `NULL` if none were given
 * @error: return location for a [struct@GLib.Error]
 *
 * Starts the agent. See [struct@Janus.AgentClass].
 *
 * Returns: `TRUE` to start, `FALSE` with @error set to refuse
 */

/**
 * JanusAgentClass::live:
 * @self: the agent
 *
 * One step of the agent. See [struct@Janus.AgentClass].
 *
 * Returns: what the scheduler does next
 */

/**
 * JanusAgentClass::end:
 * @self: the agent
 *
 * Stops the agent. See [struct@Janus.AgentClass].
 */

static gboolean
janus_agent_real_activate (JanusAgent  *self,
                           GVariant    *parameters,
                           GError     **error)
{
  return TRUE;
}

static JanusLive
janus_agent_real_live (JanusAgent *self)
{
  const JanusAgentRoleFuncs *funcs = atomic_load_explicit (&role_funcs, memory_order_acquire);

  return funcs != NULL ? funcs->live (self) : JANUS_LIVE_WAIT;
}

static void
janus_agent_real_end (JanusAgent *self)
{
}

static void
janus_agent_finalize (GObject *object)
{
  JanusAgent *self = JANUS_AGENT (object);
  JanusAgentPrivate *priv = P (self);
  JanusAgentExtra *extra = peek_extra (priv);

  janus_mbox_clear (&priv->run.mbox);
  if (extra != NULL)
    {
      if (extra->mailbox != NULL)
        {
          janus_mailbox_detach (extra->mailbox);
          g_object_unref (extra->mailbox);
        }
      g_clear_object (&extra->memory);
      /* an agent leaves its roles when it dies: none is left here */
      g_warn_if_fail (extra->n_roles == 0);
      g_free (extra->timers);
      g_clear_pointer (&extra->capacities, g_hash_table_unref);
      g_clear_pointer (&extra->parameters, g_variant_unref);
      g_free (extra->name);
      g_mutex_clear (&extra->lock);
      if (extra->waiter != NULL)
        {
          janus_mbox_waiter_clear (extra->waiter);
          g_free (extra->waiter);
        }
      g_slice_free (JanusAgentExtra, extra);
    }

  G_OBJECT_CLASS (janus_agent_parent_class)->finalize (object);
}

static void
janus_agent_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  JanusAgent *self = JANUS_AGENT (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_enum (value, janus_agent_get_state (self));
      break;
    case PROP_ADDRESS:
      g_value_set_boxed (value, janus_agent_get_address (self));
      break;
    case PROP_KERNEL:
      g_value_set_object (value, janus_agent_get_kernel (self));
      break;
    case PROP_NAME:
      g_value_set_string (value, janus_agent_get_name (self));
      break;
    case PROP_HEAVY:
      g_value_set_boolean (value, janus_agent_is_heavy (self));
      break;
    case PROP_MAILBOX_KIND:
      g_value_set_enum (value, janus_agent_get_mailbox_kind (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
janus_agent_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  JanusAgent *self = JANUS_AGENT (object);

  switch (prop_id)
    {
    case PROP_MAILBOX_KIND:
      janus_agent_set_mailbox_kind (self, g_value_get_enum (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
janus_agent_class_init (JanusAgentClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  janus_agent_private_offset = JanusAgent_private_offset;
  janus_mbox_set_owner_funcs (&mbox_owner_funcs);

  object_class->finalize = janus_agent_finalize;
  object_class->get_property = janus_agent_get_property;
  object_class->set_property = janus_agent_set_property;

  klass->activate = janus_agent_real_activate;
  klass->live = janus_agent_real_live;
  klass->end = janus_agent_real_end;

  /**
   * JanusAgent:state: (attributes org.gtk.Property.get=janus_agent_get_state)
   *
   * The life-cycle state. `notify::state` is emitted on the thread that
   * runs the agent after each change, exactly once per state entered, with
   * no kernel lock held.
   */
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL,
                       JANUS_TYPE_AGENT_STATE, JANUS_AGENT_STATE_UNBORN,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * JanusAgent:address: (attributes org.gtk.Property.get=janus_agent_get_address)
   *
   * The agent's address, `NULL` until it is launched.
   */
  properties[PROP_ADDRESS] =
    g_param_spec_boxed ("address", NULL, NULL, JANUS_TYPE_ADDRESS,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * JanusAgent:kernel: (attributes org.gtk.Property.get=janus_agent_get_kernel)
   *
   * The kernel running the agent: `NULL` until it is launched and once it
   * died (see [method@Janus.Agent.get_kernel]).
   */
  properties[PROP_KERNEL] =
    g_param_spec_object ("kernel", NULL, NULL, JANUS_TYPE_KERNEL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * JanusAgent:name: (attributes org.gtk.Property.get=janus_agent_get_name)
   *
   * The human-readable name given at launch, if any.
   */
  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * JanusAgent:heavy: (attributes org.gtk.Property.get=janus_agent_is_heavy)
   *
   * Whether the agent runs on its own thread.
   */
  properties[PROP_HEAVY] =
    g_param_spec_boolean ("heavy", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * JanusAgent:mailbox-kind: (attributes org.gtk.Property.get=janus_agent_get_mailbox_kind org.gtk.Property.set=janus_agent_set_mailbox_kind)
   *
   * How the mailbox orders messages.
   */
  properties[PROP_MAILBOX_KIND] =
    g_param_spec_enum ("mailbox-kind", NULL, NULL,
                       JANUS_TYPE_MAILBOX_KIND, JANUS_MAILBOX_KIND_FIFO,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
janus_agent_init (JanusAgent *self)
{
  /* GSlice hands out zeroed instances: inbox EMPTY, state UNBORN, no extra */
}
