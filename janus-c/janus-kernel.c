/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "janus-agent-private.h"
#include "janus-error.h"
#include "janus-kernel-private.h"
#include "janus-message-private.h"

/**
 * JanusKernel:
 *
 * The container that runs agents: it owns them, gives them addresses,
 * delivers their messages and schedules their `live` steps.
 *
 * A kernel has a fixed number of worker threads (by default, for
 * [func@Janus.Kernel.get_default], one per processor). Light agents are
 * stepped by the workers; heavy agents get a thread of their own. With 0
 * workers, everything runs on the thread that drives the kernel:
 * [method@Janus.Kernel.run], [method@Janus.Kernel.step] (one deterministic
 * step, for tests and simulations) or a [struct@GLib.MainContext] through
 * [method@Janus.Kernel.create_source].
 *
 * ```c
 * g_autoptr(JanusKernel) kernel = janus_kernel_new (2);
 * g_autoptr(JanusAgent) agent = g_object_new (MY_TYPE_AGENT, NULL);
 * g_autoptr(GError) error = NULL;
 *
 * if (!janus_kernel_launch_light_agent (kernel, agent, "worker",
 *                                       g_variant_new ("(si)", "job", 3), &error))
 *   g_printerr ("%s\n", error->message);
 * janus_kernel_run (kernel);   // returns when no agent is left
 * ```
 *
 * Messages that cannot be delivered (to a dead or unknown agent, to a black
 * hole mailbox, left in a mailbox when its agent died) are dead letters:
 * each is counted once in [property@Janus.Kernel:dead-letters] and reported
 * once by [signal@Janus.Kernel::dead-letter]. Nothing is dropped silently.
 *
 * Every function is MT safe unless it says otherwise.
 *
 * ## Lifetime
 *
 * The application's references own a kernel; its agents do not (each
 * refers to it from its launch until its death: see
 * [method@Janus.Agent.get_kernel]). Dropping the last reference shuts the
 * kernel down — as [method@Janus.Kernel.shutdown]: every agent is killed
 * and runs its `end`, the worker threads stop — then frees it. The last
 * reference may be dropped from any thread: on one of the threads that run
 * the kernel's agents (an agent that kept the kernel and lets it go in its
 * `end`, a signal handler in a step, a heavy agent's thread), the shutdown
 * and the free happen on a short-lived thread of their own, and the call
 * returns at once; the kernel is never freed while one of its agents has
 * not died. An agent that keeps its kernel does not keep it for ever:
 * once it died, the kernel releases it promptly, even when idle, and so
 * its reference. See [Lifetimes and teardown](lifecycle.html#lifetimes-and-teardown).
 */

enum {
  PROP_0,
  PROP_WORKERS,
  PROP_UUID,
  PROP_ADDRESS,
  PROP_KEEP_ALIVE,
  PROP_AGENT_COUNT,
  PROP_DEAD_LETTERS,
  PROP_SEED,
  PROP_CLOCK,
  N_PROPS
};

enum {
  AGENT_FAILED,
  ROLE_FAILED,
  DEAD_LETTER,
  GROUP_CREATED,
  GROUP_REMOVED,
  AGENT_LAUNCHED,
  AGENT_DIED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void janus_kernel_class_add_group_signals (JanusKernelClass *klass);
static void janus_kernel_class_add_agent_signals (JanusKernelClass *klass);

/* JanusKernel's fields, grouped by who may touch them.
 *
 * Immutable after construction: n_workers, runtime (which holds the
 * kernel's UUID, address, address table, scheduler and counters).
 * Atomics (any thread): stopping, stopped, quit, keep_alive.
 * `lock` guards shutdown_hooks; `cond` is signalled (under `lock`) when the
 * last agent died or quit is set, for janus_kernel_run with workers. */
struct _JanusKernel
{
  GObject            parent_instance;

  guint              n_workers;       /* 0: the caller's thread drives */
  JanusRuntime      *runtime;

  atomic_bool        stopping;
  atomic_bool        stopped;         /* janus_kernel_shutdown () completed */
  atomic_bool        quit;
  atomic_bool        keep_alive;
  guint64            seed;

  GMutex             lock;
  GCond              cond;
  gboolean           unlisted;        /* left the process's table of kernels */
  GArray            *shutdown_hooks;  /* ShutdownHook */
};

G_DEFINE_FINAL_TYPE (JanusKernel, janus_kernel, G_TYPE_OBJECT)

/* The kernel of this process with that UUID, with a new reference, or NULL. */
JanusKernel *
janus_kernel_find_by_uuid (const guint8 uuid[16])
{
  JanusRuntime *rt = janus_runtime_find (uuid);
  JanusKernel *kernel;

  if (rt == NULL)
    return NULL;
  kernel = g_object_ref (JANUS_KERNEL (rt->owner));
  janus_runtime_release (rt);
  return kernel;
}

static gboolean
should_stop (JanusKernel *self)
{
  guint live = atomic_load_explicit (&self->runtime->live, memory_order_acquire);

  if (atomic_load_explicit (&self->stopping, memory_order_acquire))
    return live == 0;
  if (atomic_load_explicit (&self->quit, memory_order_acquire))
    return TRUE;
  return live == 0 && !atomic_load_explicit (&self->keep_alive, memory_order_acquire);
}

static void
wake_waiters (JanusKernel *self)
{
  g_mutex_lock (&self->lock);
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
  janus_scheduler_kick (self->runtime->sched);
}

/* ------------------------------------- what the runtime tells the kernel */

static void
on_dead_letter (gpointer      owner,
                JanusMessage *message)
{
  g_signal_emit (owner, signals[DEAD_LETTER], 0, message);
}

static void
on_failed (gpointer      owner,
           JanusAgent   *agent,
           const GError *error)
{
  if (G_UNLIKELY (g_log_get_debug_enabled ()))
    {
      g_autofree char *who = janus_agent_describe (agent);
      g_debug ("%s failed: %s", who, error->message);
    }
  g_signal_emit (owner, signals[AGENT_FAILED], 0, agent, error);
}

/* A role of one of the kernel's agents failed (the CRIO layer reports it;
 * @role is a JanusRole, a type of that layer). */
void
janus_kernel_report_role_failure (JanusKernel  *self,
                                  GObject      *role,
                                  const GError *error)
{
  g_signal_emit (self, signals[ROLE_FAILED], 0, role, error);
}

static void
on_all_dead (gpointer owner)
{
  wake_waiters (owner);
}

static gboolean
on_should_stop (gpointer owner)
{
  return should_stop (owner);
}

/* An agent's first turn begins, and an agent died: the kernel's
 * agent-launched and agent-died signals. */
static void
on_launched (gpointer    owner,
             JanusAgent *agent)
{
  g_signal_emit (owner, signals[AGENT_LAUNCHED], 0, agent);
}

static void
on_died (gpointer    owner,
         JanusAgent *agent)
{
  g_signal_emit (owner, signals[AGENT_DIED], 0, agent);
}

static const JanusRuntimeFuncs runtime_funcs = {
  on_dead_letter,
  on_failed,
  on_all_dead,
  on_should_stop,
  on_launched,
  on_died,
};

/**
 * janus_kernel_send:
 * @self: a kernel
 * @receiver: the address of the receiving agent
 * @message: (transfer full): an unsent message
 * @error: return location for a [struct@GLib.Error]
 *
 * Sends @message from the kernel itself (its sender is the kernel's address),
 * for code that runs outside any agent, such as `main`. Otherwise like
 * [method@Janus.Agent.send].
 *
 * Returns: `TRUE` if sent; `FALSE` with `JANUS_MESSAGE_ERROR_ALREADY_SENT` if @message
 *   was sent before (it is released in every case)
 */
gboolean
janus_kernel_send (JanusKernel         *self,
                   const JanusAddress  *receiver,
                   JanusMessage        *message,
                   GError             **error)
{
  g_return_val_if_fail (JANUS_IS_KERNEL (self), FALSE);
  g_return_val_if_fail (receiver != NULL, FALSE);
  g_return_val_if_fail (message != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!janus_message_check_unsent (message, error))
    {
      janus_message_unref (message);
      return FALSE;
    }
  janus_message_seal (message, &self->runtime->address, receiver,
                      janus_runtime_timestamp (self->runtime));
  janus_runtime_deliver (self->runtime, message);
  return TRUE;
}

/* --------------------------------------------------------------- launch */

static gboolean
launch (JanusKernel  *self,
        JanusAgent   *agent,
        const char   *name,
        GVariant     *parameters,
        gboolean      heavy,
        GError      **error)
{
  g_autoptr(GVariant) params = parameters ? g_variant_ref_sink (parameters) : NULL;

  if (atomic_load_explicit (&self->stopping, memory_order_acquire))
    {
      g_set_error (error, JANUS_KERNEL_ERROR, JANUS_KERNEL_ERROR_STOPPED,
                   "Kernel %s is shutting down: cannot launch agent %s%s%s (%s)",
                   self->runtime->uuid_string, name ? "“" : "", name ? name : "",
                   name ? "” " : "", G_OBJECT_TYPE_NAME (agent));
      return FALSE;
    }
  return janus_agent_launch (agent, self->runtime, name, params, heavy, error);
}

/**
 * janus_kernel_launch_light_agent:
 * @self: a kernel
 * @agent: an unlaunched agent
 * @name: (nullable): a human-readable name
 * @parameters: (nullable): the parameters given to `activate`; a floating
 *   reference is taken
 * @error: return location for a [struct@GLib.Error]
 *
 * Launches @agent as a light agent, stepped by the kernel's workers. It gets
 * its address and enters BORN at once; `activate` runs soon after on a
 * worker. The kernel holds a reference on @agent until it died.
 *
 * When called from an agent's step, that agent is recorded as the
 * launcher and may kill @agent.
 *
 * Returns: `TRUE` if launched; `FALSE` with @error set if the parameters do not
 *   match the class's activation prototype, the agent was launched before,
 *   or the kernel is shutting down
 */
gboolean
janus_kernel_launch_light_agent (JanusKernel  *self,
                                 JanusAgent   *agent,
                                 const char   *name,
                                 GVariant     *parameters,
                                 GError      **error)
{
  g_return_val_if_fail (JANUS_IS_KERNEL (self), FALSE);
  g_return_val_if_fail (JANUS_IS_AGENT (agent), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return launch (self, agent, name, parameters, FALSE, error);
}

/**
 * janus_kernel_launch_heavy_agent:
 * @self: a kernel
 * @agent: an unlaunched agent
 * @name: (nullable): a human-readable name
 * @parameters: (nullable): the parameters given to `activate`; a floating
 *   reference is taken
 * @error: return location for a [struct@GLib.Error]
 *
 * Launches @agent as a heavy agent: it gets a thread of its own, where
 * `activate`, `live` and `end` run and may block (see
 * [method@Janus.Agent.wait_message]). Otherwise like
 * [method@Janus.Kernel.launch_light_agent].
 *
 * Returns: `TRUE` if launched; `FALSE` with @error set otherwise
 */
gboolean
janus_kernel_launch_heavy_agent (JanusKernel  *self,
                                 JanusAgent   *agent,
                                 const char   *name,
                                 GVariant     *parameters,
                                 GError      **error)
{
  g_return_val_if_fail (JANUS_IS_KERNEL (self), FALSE);
  g_return_val_if_fail (JANUS_IS_AGENT (agent), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return launch (self, agent, name, parameters, TRUE, error);
}

/**
 * janus_kernel_lookup_agent:
 * @self: a kernel
 * @address: an address
 *
 * Finds the live agent of this kernel at @address.
 *
 * Returns: (transfer full) (nullable): the agent, or `NULL` if @address is
 *   not one of this kernel's live agents
 */
JanusAgent *
janus_kernel_lookup_agent (JanusKernel        *self,
                           const JanusAddress *address)
{
  g_return_val_if_fail (JANUS_IS_KERNEL (self), NULL);
  g_return_val_if_fail (address != NULL, NULL);

  if (!janus_address_same_kernel (address, self->runtime->uuid))
    return NULL;
  return janus_runtime_dup_object (self->runtime, address->id);
}

/**
 * janus_kernel_list_agents:
 * @self: a kernel
 *
 * Lists the kernel's agents. MT safe.
 *
 * Returns: (transfer container) (element-type JanusAgent): the kernel's agents
 *   that have not died yet, by address
 */
GPtrArray *
janus_kernel_list_agents (JanusKernel *self)
{
  g_return_val_if_fail (JANUS_IS_KERNEL (self), NULL);

  return janus_runtime_list_objects (self->runtime);
}

/**
 * janus_kernel_get_time:
 * @self: a kernel
 *
 * Gets the kernel's current time: in microseconds since the Unix epoch for
 * the real-time clock. Conditions such as
 * [ctor@Janus.Condition.new_time_window] use it. MT safe.
 *
 * Returns: the time, in microseconds
 */
gint64
janus_kernel_get_time (JanusKernel *self)
{
  g_return_val_if_fail (JANUS_IS_KERNEL (self), 0);

  return janus_clock_get_time (janus_scheduler_get_clock (self->runtime->sched));
}

/**
 * janus_kernel_get_clock:
 * @self: a kernel
 *
 * Gets the kernel's clock (a real-time clock unless set).
 *
 * Returns: (transfer none): the clock
 */
JanusClock *
janus_kernel_get_clock (JanusKernel *self)
{
  g_return_val_if_fail (JANUS_IS_KERNEL (self), NULL);

  return janus_scheduler_get_clock (self->runtime->sched);
}

/**
 * janus_kernel_set_clock:
 * @self: a kernel with no agent yet
 * @clock: the clock the kernel's timers and timestamps follow
 *
 * Replaces the kernel's clock, typically with a virtual one for a
 * simulation. Call it before launching agents: timers already pending keep
 * the times of the old clock.
 */
void
janus_kernel_set_clock (JanusKernel *self,
                        JanusClock  *clock)
{
  g_return_if_fail (JANUS_IS_KERNEL (self));
  g_return_if_fail (JANUS_IS_CLOCK (clock));
  g_return_if_fail (!janus_scheduler_timers_pending (self->runtime->sched));

  if (janus_scheduler_get_clock (self->runtime->sched) == clock)
    return;
  janus_scheduler_set_clock (self->runtime->sched, clock);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CLOCK]);
}

/* ----------------------------------------------------------------- kill */

/**
 * janus_kernel_kill:
 * @self: a kernel
 * @agent: one of the kernel's agents
 * @error: return location for a [struct@GLib.Error]
 *
 * Kills @agent with the kernel's right (any of its agents). It dies at the
 * end of its current step, or at once if it is waiting. Killing a dead agent
 * succeeds and does nothing.
 *
 * Returns: `TRUE` if the kill was accepted; `FALSE` with
 *   `JANUS_KERNEL_ERROR_NOT_LAUNCHED` or `JANUS_KERNEL_ERROR_NOT_PERMITTED` (another kernel's
 *   agent) otherwise
 */
gboolean
janus_kernel_kill (JanusKernel  *self,
                   JanusAgent   *agent,
                   GError      **error)
{
  g_return_val_if_fail (JANUS_IS_KERNEL (self), FALSE);
  g_return_val_if_fail (JANUS_IS_AGENT (agent), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (janus_agent_get_state (agent) == JANUS_AGENT_STATE_UNBORN)
    {
      g_autofree char *who = janus_agent_describe (agent);
      g_set_error (error, JANUS_KERNEL_ERROR, JANUS_KERNEL_ERROR_NOT_LAUNCHED,
                   "Cannot kill %s: it is not launched", who);
      return FALSE;
    }
  if (janus_agent_get_runtime (agent) != self->runtime)
    {
      g_autofree char *who = janus_agent_describe (agent);
      g_set_error (error, JANUS_KERNEL_ERROR, JANUS_KERNEL_ERROR_NOT_PERMITTED,
                   "Kernel %s may not kill %s, of another kernel",
                   self->runtime->uuid_string, who);
      return FALSE;
    }
  janus_agent_request_kill (agent);
  return TRUE;
}

/**
 * janus_kernel_kill_all:
 * @self: a kernel
 *
 * Kills every agent of the kernel (each at the end of its current step).
 * Agents launched while this runs may survive it.
 */
void
janus_kernel_kill_all (JanusKernel *self)
{
  g_autoptr(GPtrArray) agents = NULL;
  guint i;

  g_return_if_fail (JANUS_IS_KERNEL (self));

  agents = janus_kernel_list_agents (self);
  for (i = 0; i < agents->len; i++)
    janus_agent_request_kill (agents->pdata[i]);
}

/* ------------------------------------------------------------- running */

/* What a drive of the 0-worker scheduler by @func came to: whether work is
 * left. Driving a kernel that another thread drives, or again from inside
 * its own step, is a mistake — unless the kernel is shutting down, when
 * another thread may be finishing it: nothing is left to do here then.
 * Each drive that ends while the kernel shuts down wakes the shutdown,
 * which waits for the driving seat (wait_for_driver ()). */
static gboolean
driven (JanusKernel      *self,
        JanusDriveResult  result,
        const char       *func)
{
  /* seq_cst: pairs with the scheduler's release of the seat (Dekker) */
  gboolean stopping = atomic_load_explicit (&self->stopping, memory_order_seq_cst);

  switch (result)
    {
    case JANUS_DRIVE_MORE:
    case JANUS_DRIVE_IDLE:
      if (stopping)
        wake_waiters (self);
      return result == JANUS_DRIVE_MORE;
    case JANUS_DRIVE_BUSY:
    case JANUS_DRIVE_NESTED:
      if (!stopping)
        g_critical ("%s: kernel %s is already driven by %s", func, self->runtime->uuid_string,
                    result == JANUS_DRIVE_NESTED ? "this thread (from one of its agents?)"
                                                 : "another thread");
      return FALSE;
    case JANUS_DRIVE_CLOSED:
    default:
      return FALSE;
    }
}

/**
 * janus_kernel_run:
 * @self: a kernel
 *
 * Runs until no agent is left (or, with [property@Janus.Kernel:keep-alive],
 * until [method@Janus.Kernel.quit]). With 0 workers the agents run on the
 * calling thread; otherwise it only waits for the workers. Must not be called
 * from one of the kernel's agents.
 */
void
janus_kernel_run (JanusKernel *self)
{
  g_return_if_fail (JANUS_IS_KERNEL (self));
  g_return_if_fail (janus_agent_get_current () == NULL
                    || janus_agent_get_runtime (janus_agent_get_current ()) != self->runtime);

  /* an agent may drop the last reference (its own) in the meantime: the
   * kernel stays until run returns, and goes then, on this thread */
  g_object_ref (self);
  if (self->n_workers == 0)
    driven (self, janus_scheduler_drive (self->runtime->sched, 0, FALSE, TRUE), G_STRFUNC);
  else
    {
      janus_scheduler_start (self->runtime->sched);
      g_mutex_lock (&self->lock);
      while (!should_stop (self))
        g_cond_wait (&self->cond, &self->lock);
      g_mutex_unlock (&self->lock);
    }
  atomic_store_explicit (&self->quit, FALSE, memory_order_release);
  g_object_unref (self);
}

/**
 * janus_kernel_step:
 * @self: a kernel with 0 workers
 *
 * Runs one step: every agent that is runnable now (launched, with a new
 * message, woken, or asking to be stepped again) gets exactly one turn, in
 * the order they became runnable. Agents made runnable during the step run
 * at the next one. The same program makes the same steps in the same order.
 *
 * Returns: whether agents are runnable for a next step
 */
gboolean
janus_kernel_step (JanusKernel *self)
{
  gboolean more;

  g_return_val_if_fail (JANUS_IS_KERNEL (self), FALSE);
  g_return_val_if_fail (self->n_workers == 0, FALSE);

  /* as in janus_kernel_run: an agent's step may drop the last reference */
  g_object_ref (self);
  more = driven (self, janus_scheduler_drive (self->runtime->sched, 0, TRUE, FALSE), G_STRFUNC);
  g_object_unref (self);
  return more;
}

/**
 * janus_kernel_quit:
 * @self: a kernel
 *
 * Makes [method@Janus.Kernel.run] return even though agents are left (for a
 * kernel with [property@Janus.Kernel:keep-alive]). Agents are not killed.
 */
void
janus_kernel_quit (JanusKernel *self)
{
  g_return_if_fail (JANUS_IS_KERNEL (self));

  atomic_store_explicit (&self->quit, TRUE, memory_order_release);
  wake_waiters (self);
}

gboolean
janus_kernel_is_stopping (JanusKernel *self)
{
  return atomic_load_explicit (&self->stopping, memory_order_acquire);
}

typedef struct
{
  JanusKernelShutdownFunc func;
  gpointer                data;
  gboolean                before_kill;
} ShutdownHook;

/* What the layers above the kernel (organizations and groups) do when it
 * shuts down, once its agents are dead. Called under no lock. */
void
janus_kernel_add_shutdown_hook (JanusKernel             *self,
                                JanusKernelShutdownFunc  func,
                                gpointer                 data)
{
  g_mutex_lock (&self->lock);
  g_array_append_val (self->shutdown_hooks, ((ShutdownHook) { func, data, FALSE }));
  g_mutex_unlock (&self->lock);
}

/* What the network layer does when the kernel starts to shut down, before
 * its agents are killed (calls they wait for must fail, or they would
 * never die). Called under no lock. */
void
janus_kernel_add_stopping_hook (JanusKernel             *self,
                                JanusKernelShutdownFunc  func,
                                gpointer                 data)
{
  g_mutex_lock (&self->lock);
  g_array_append_val (self->shutdown_hooks, ((ShutdownHook) { func, data, TRUE }));
  g_mutex_unlock (&self->lock);
}

static void
run_shutdown_hooks (JanusKernel *self,
                    gboolean     before_kill)
{
  g_autoptr(GArray) hooks = NULL;
  guint i;

  g_mutex_lock (&self->lock);
  hooks = g_array_copy (self->shutdown_hooks);
  g_mutex_unlock (&self->lock);
  for (i = 0; i < hooks->len; i++)
    if (g_array_index (hooks, ShutdownHook, i).before_kill == before_kill)
      g_array_index (hooks, ShutdownHook, i).func (self, g_array_index (hooks, ShutdownHook, i).data);
}

/* Waits until no other thread drives the 0-worker scheduler. */
static void
wait_for_driver (JanusKernel *self)
{
  g_mutex_lock (&self->lock);
  while (janus_scheduler_driven_elsewhere (self->runtime->sched))
    g_cond_wait (&self->cond, &self->lock);
  g_mutex_unlock (&self->lock);
}

/* 0 workers: runs the dying agents on this thread, or lets the thread that
 * drives the kernel now (the application's, in janus_kernel_run or _step)
 * run them and waits until it let go; then closes the driving seat, so
 * that nobody drives the kernel while it stops. */
static void
finish_driving (JanusKernel *self)
{
  JanusScheduler *s = self->runtime->sched;

  for (;;)
    {
      JanusDriveResult r = janus_scheduler_drive (s, 0, FALSE, TRUE);

      if (r == JANUS_DRIVE_CLOSED)
        break;
      if (r == JANUS_DRIVE_BUSY)
        {
          wait_for_driver (self);
          continue;
        }
      if (r == JANUS_DRIVE_NESTED)
        {
          /* only a misuse gets here (see janus_kernel_shutdown) */
          g_critical ("janus_kernel_shutdown: kernel %s is driven by this thread",
                      self->runtime->uuid_string);
          return;
        }
      /* every agent died (run until should_stop: stopping and none live) */
      if (janus_scheduler_close_driver (s))
        break;
    }
  /* other shutdowns wait for the seat too */
  wake_waiters (self);
}

/* ---------------------------------------------------------- thread hooks */

/**
 * janus_kernel_add_thread_hook:
 * @self: a kernel that has not started a thread yet
 * @hook: (scope notified) (closure user_data) (destroy destroy): the function
 *   to call on each thread of the kernel
 * @user_data: data for @hook
 * @destroy: (nullable): frees @user_data when the kernel is finalized
 *
 * Asks the kernel to call @hook on each thread it starts — its workers and
 * the thread of each heavy agent — on that thread itself: with
 * `JANUS_THREAD_STARTED` when the thread starts, before it runs any agent
 * code, and with `JANUS_THREAD_STOPPING` after it ran its last agent code,
 * just before it exits. Every thread gets exactly one of each, in that
 * order; several hooks are called in the order they were added when a
 * thread starts and in the reverse order when it stops. The thread that
 * drives a kernel without workers ([method@Janus.Kernel.run],
 * [method@Janus.Kernel.step], a main context) is the caller's own, not the
 * kernel's: no hook runs on it.
 *
 * This is for language bindings and libraries that keep state per thread:
 * a binding can attach its interpreter's state to a thread once, for every
 * call it makes into agents on that thread, instead of once per call (the
 * Python binding does so).
 *
 * Hooks run under no lock of the kernel, but while a worker runs a hook it
 * steps no agent, so a hook must not wait long; it must not shut the kernel
 * down. Add hooks before the kernel starts its first thread: before the
 * first launch, [method@Janus.Kernel.run] or [method@Janus.Kernel.shutdown].
 * MT safe.
 *
 * Returns: `TRUE` if the hook was added; `FALSE` (with a critical, and
 *   @user_data destroyed at once) if the kernel had started a thread
 *   already
 */
gboolean
janus_kernel_add_thread_hook (JanusKernel    *self,
                              JanusThreadHook hook,
                              gpointer        user_data,
                              GDestroyNotify  destroy)
{
  g_return_val_if_fail (JANUS_IS_KERNEL (self), FALSE);
  g_return_val_if_fail (hook != NULL, FALSE);

  if (janus_scheduler_add_thread_hook (self->runtime->sched, hook, user_data, destroy))
    return TRUE;
  g_critical ("janus_kernel_add_thread_hook: the kernel has started threads already; "
              "add thread hooks before the first launch");
  if (destroy != NULL)
    destroy (user_data);
  return FALSE;
}

static void
wait_all_dead (JanusKernel *self)
{
  if (self->n_workers == 0)
    {
      finish_driving (self);
      return;
    }
  g_mutex_lock (&self->lock);
  while (atomic_load_explicit (&self->runtime->live, memory_order_acquire) > 0)
    g_cond_wait (&self->cond, &self->lock);
  g_mutex_unlock (&self->lock);
}

/* The kernel whose janus_kernel_shutdown () runs on this thread. */
static __thread JanusKernel *tls_shutting_down;

/* Another thread shuts the kernel down: waits until it is done. */
static void
wait_stopped (JanusKernel *self)
{
  g_mutex_lock (&self->lock);
  while (!atomic_load_explicit (&self->stopped, memory_order_acquire))
    g_cond_wait (&self->cond, &self->lock);
  g_mutex_unlock (&self->lock);
}

/* Frees what the dead agents left, unless another thread still holds an
 * epoch; then the next collection anywhere frees it. */
static void
collect_retired (void)
{
  for (int i = 0; i < 1000 && janus_epoch_shared_pending (); i++)
    if (janus_epoch_collect_shared () == 0)
      g_thread_yield ();
}

/**
 * janus_kernel_shutdown:
 * @self: a kernel
 *
 * Stops the kernel: refuses new agents, kills every agent, waits until all
 * died (running them on the calling thread if the kernel has no workers),
 * then stops the worker threads. What was left in mailboxes is counted as
 * dead letters. The last unref does it too.
 *
 * Idempotent, and MT safe: several threads may call it at once, each
 * returns once the kernel is down. If another thread runs a kernel without
 * workers ([method@Janus.Kernel.run], [method@Janus.Kernel.step], a
 * [struct@GLib.Source]), that thread runs the dying agents, and the
 * shutdown waits until it stopped driving the kernel: its `run` returns,
 * and `run` and `step` return at once from then on. Must not be called
 * from one of the kernel's agents, nor from a thread while it runs the
 * kernel's agents (drop the last reference there instead: see the class
 * documentation).
 */
void
janus_kernel_shutdown (JanusKernel *self)
{
  JanusAgent *current;

  g_return_if_fail (JANUS_IS_KERNEL (self));
  current = janus_agent_get_current ();
  if (current != NULL && janus_agent_get_runtime (current) == self->runtime)
    {
      g_autofree char *who = janus_agent_describe (current);
      g_critical ("janus_kernel_shutdown: called from %s, of the same kernel", who);
      return;
    }
  if (janus_scheduler_is_driving (self->runtime->sched)
      || (janus_scheduler_current () != NULL && janus_scheduler_current ()->sched == self->runtime->sched))
    {
      g_critical ("janus_kernel_shutdown: called from a thread that runs kernel %s's agents",
                  self->runtime->uuid_string);
      return;
    }

  /* seq_cst: pairs with driven ()'s load (Dekker on the driving seat) */
  if (atomic_exchange_explicit (&self->stopping, TRUE, memory_order_seq_cst))
    {
      /* another thread shuts it down: wait for it — unless this thread is
       * that one, called again from a handler of what the shutdown does */
      if (tls_shutting_down != self)
        wait_stopped (self);
      return;
    }
  tls_shutting_down = self;
  atomic_store_explicit (&self->quit, FALSE, memory_order_release);
  run_shutdown_hooks (self, TRUE);
  janus_kernel_kill_all (self);
  janus_scheduler_start (self->runtime->sched);
  wait_all_dead (self);
  janus_scheduler_join_heavy (self->runtime->sched);
  run_shutdown_hooks (self, FALSE);
  janus_scheduler_stop (self->runtime->sched);
  collect_retired ();
  tls_shutting_down = NULL;
  atomic_store_explicit (&self->stopped, TRUE, memory_order_release);
  wake_waiters (self);
}

/* ------------------------------------------------------- GMainContext */

typedef struct
{
  GSource      source;
  JanusKernel *kernel;
} KernelSource;

static gboolean
source_prepare (GSource *source,
                gint    *timeout)
{
  KernelSource *ks = (KernelSource *) source;
  gint64 next;

  janus_scheduler_set_context (ks->kernel->runtime->sched, g_source_get_context (source));
  /* wake the context in time for the next real-clock timer */
  next = janus_scheduler_next_timeout (ks->kernel->runtime->sched);
  *timeout = next == G_MAXINT64 ? -1 : (gint) MIN ((next + 999) / 1000, G_MAXINT);
  return janus_scheduler_has_work (ks->kernel->runtime->sched);
}

static gboolean
source_check (GSource *source)
{
  return janus_scheduler_has_work (((KernelSource *) source)->kernel->runtime->sched);
}

static gboolean
source_dispatch (GSource     *source,
                 GSourceFunc  callback,
                 gpointer     user_data)
{
  JanusKernel *kernel = ((KernelSource *) source)->kernel;

  driven (kernel, janus_scheduler_drive (kernel->runtime->sched, 256, FALSE, FALSE), G_STRFUNC);
  return G_SOURCE_CONTINUE;
}

static void
source_finalize (GSource *source)
{
  KernelSource *ks = (KernelSource *) source;

  janus_scheduler_set_context (ks->kernel->runtime->sched, NULL);
  g_object_unref (ks->kernel);
}

static GSourceFuncs source_funcs = {
  source_prepare, source_check, source_dispatch, source_finalize, NULL, NULL
};

/**
 * janus_kernel_create_source:
 * @self: a kernel with 0 workers
 *
 * Makes a [struct@GLib.Source] that runs the kernel's agents from a [struct@GLib.MainContext]:
 * attach it with g_source_attach() and the agents run whenever they are
 * runnable, up to 256 steps per dispatch, on the context's thread. Only one
 * source per kernel may be attached, and it replaces [method@Janus.Kernel.run].
 * The source holds a reference on the kernel: destroy it to let the kernel go.
 *
 * Returns: (transfer full): a new source
 */
GSource *
janus_kernel_create_source (JanusKernel *self)
{
  GSource *source;

  g_return_val_if_fail (JANUS_IS_KERNEL (self), NULL);
  g_return_val_if_fail (self->n_workers == 0, NULL);

  source = g_source_new (&source_funcs, sizeof (KernelSource));
  ((KernelSource *) source)->kernel = g_object_ref (self);
  g_source_set_static_name (source, "JanusKernel");
  return source;
}

/* ------------------------------------------------------------- default */

/**
 * janus_kernel_get_default:
 *
 * Gets the process's default kernel (Janus's `Kernels.get ()`), created on
 * first use with one worker per processor. It lives until the process ends.
 *
 * Returns: (transfer none): the default kernel
 */
JanusKernel *
janus_kernel_get_default (void)
{
  static JanusKernel *kernel;

  if (g_once_init_enter (&kernel))
    g_once_init_leave (&kernel, janus_kernel_new (g_get_num_processors ()));
  return kernel;
}

/**
 * janus_kernel_new:
 * @workers: how many worker threads run light agents; 0 runs them on the
 *   thread that drives the kernel
 *
 * Makes a kernel. Worker threads start with the first light agent.
 *
 * Returns: (transfer full): a new kernel
 */
JanusKernel *
janus_kernel_new (guint workers)
{
  return g_object_new (JANUS_TYPE_KERNEL, "workers", workers, NULL);
}

/* ----------------------------------------------------------- accessors */

/**
 * janus_kernel_get_workers:
 * @self: a kernel
 *
 * Gets the number of worker threads.
 *
 * Returns: the number of worker threads (0: the driving thread runs agents)
 */
guint
janus_kernel_get_workers (JanusKernel *self)
{
  g_return_val_if_fail (JANUS_IS_KERNEL (self), 0);

  return self->n_workers;
}

/**
 * janus_kernel_get_uuid:
 * @self: a kernel
 *
 * Gets the kernel's UUID.
 *
 * Returns: the kernel's UUID, which every address of its agents carries
 */
const char *
janus_kernel_get_uuid (JanusKernel *self)
{
  g_return_val_if_fail (JANUS_IS_KERNEL (self), NULL);

  return self->runtime->uuid_string;
}

/**
 * janus_kernel_get_address:
 * @self: a kernel
 *
 * Gets the kernel's own address.
 *
 * Returns: (transfer none): the kernel's own address, the sender of the
 *   messages sent with [method@Janus.Kernel.send]
 */
const JanusAddress *
janus_kernel_get_address (JanusKernel *self)
{
  g_return_val_if_fail (JANUS_IS_KERNEL (self), NULL);

  return &self->runtime->address;
}

/**
 * janus_kernel_get_agent_count:
 * @self: a kernel
 *
 * Counts the kernel's agents that have not died yet. MT safe.
 *
 * Returns: how many launched agents have not died yet
 */
guint
janus_kernel_get_agent_count (JanusKernel *self)
{
  g_return_val_if_fail (JANUS_IS_KERNEL (self), 0);

  return atomic_load_explicit (&self->runtime->live, memory_order_acquire);
}

/**
 * janus_kernel_get_dead_letter_count:
 * @self: a kernel
 *
 * Gets the number of dead letters counted so far. MT safe.
 *
 * Returns: how many dead letters the kernel has counted
 */
guint64
janus_kernel_get_dead_letter_count (JanusKernel *self)
{
  g_return_val_if_fail (JANUS_IS_KERNEL (self), 0);

  return atomic_load_explicit (&self->runtime->dead_letters, memory_order_acquire);
}

/**
 * janus_kernel_get_keep_alive:
 * @self: a kernel
 *
 * Gets [property@Janus.Kernel:keep-alive].
 *
 * Returns: whether [method@Janus.Kernel.run] keeps running with no agent
 */
gboolean
janus_kernel_get_keep_alive (JanusKernel *self)
{
  g_return_val_if_fail (JANUS_IS_KERNEL (self), FALSE);

  return atomic_load_explicit (&self->keep_alive, memory_order_acquire);
}

/**
 * janus_kernel_set_keep_alive:
 * @self: a kernel
 * @keep_alive: whether to keep running with no agent
 *
 * Sets [property@Janus.Kernel:keep-alive].
 */
void
janus_kernel_set_keep_alive (JanusKernel *self,
                             gboolean     keep_alive)
{
  g_return_if_fail (JANUS_IS_KERNEL (self));

  keep_alive = !!keep_alive;
  if (atomic_exchange_explicit (&self->keep_alive, keep_alive, memory_order_acq_rel) == keep_alive)
    return;
  wake_waiters (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_KEEP_ALIVE]);
}

/**
 * janus_kernel_get_seed:
 * @self: a kernel
 *
 * Gets the seed of the kernel's random choices.
 *
 * Returns: the seed (0 unless set)
 */
guint64
janus_kernel_get_seed (JanusKernel *self)
{
  g_return_val_if_fail (JANUS_IS_KERNEL (self), 0);

  return self->seed;
}

/**
 * janus_kernel_set_seed:
 * @self: a kernel
 * @seed: any value
 *
 * Seeds the random choices the kernel makes for its agents (such as
 * [method@Janus.Agent.send_random]). Each worker has its own generator,
 * started from @seed; on a kernel with 0 workers the whole run, random
 * choices included, is then the same for the same program and seed. Call it
 * before the agents run (not while a step or a worker is running them).
 */
void
janus_kernel_set_seed (JanusKernel *self,
                       guint64      seed)
{
  g_return_if_fail (JANUS_IS_KERNEL (self));

  self->seed = seed;
  janus_scheduler_seed (self->runtime->sched, seed);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SEED]);
}

/* ------------------------------------------------------------- GObject */

static void
janus_kernel_constructed (GObject *object)
{
  JanusKernel *self = JANUS_KERNEL (object);

  G_OBJECT_CLASS (janus_kernel_parent_class)->constructed (object);

  self->runtime = janus_runtime_new (self->n_workers, janus_agent_runnable_class (),
                                     &runtime_funcs, object);
  janus_scheduler_seed (self->runtime->sched, self->seed);
}

/* The last reference was dropped on a thread that runs agents (a worker, a
 * driver in its step, a heavy agent's thread, a thread marked with
 * janus_kernel_reap_elsewhere_on_this_thread): shutting down there would
 * wait for that very thread, and freeing the kernel would pull it from
 * under the agent that runs. A reaper thread of its own finishes the work:
 * it holds the reference given (the kernel is resurrected), shuts the
 * kernel down and drops it, so that dispose runs again, there. */
static gpointer
reaper_main (gpointer data)
{
  JanusKernel *self = data;

  janus_kernel_shutdown (self);
  g_object_unref (self);
  return NULL;
}

static __thread gboolean tls_reap_elsewhere;

void
janus_kernel_reap_elsewhere_on_this_thread (void)
{
  tls_reap_elsewhere = TRUE;
}

static void
reap_elsewhere (JanusKernel *self)
{
  g_thread_unref (g_thread_new ("janus-reaper", reaper_main, g_object_ref (self)));
}

static void
janus_kernel_dispose (GObject *object)
{
  JanusKernel *self = JANUS_KERNEL (object);

  if (janus_scheduler_runs_on_this_thread () || janus_agent_get_current () != NULL
      || tls_reap_elsewhere)
    {
      reap_elsewhere (self);
      return;
    }
  janus_kernel_shutdown (self);
  if (!self->unlisted)
    {
      self->unlisted = TRUE;
      janus_runtime_unlist (self->runtime);
    }
  /* A sender that found the kernel by its UUID before it was unlisted holds
   * a reference (janus_runtime_find) and may still count a dead letter:
   * the signal handlers stay connected until it lets go — then dispose runs
   * again. Once unlisted with no other reference, nothing can reach the
   * kernel any more, so no dead letter is counted after its handlers go. */
  if (g_atomic_int_get ((gint *) &object->ref_count) > 1)
    return;

  G_OBJECT_CLASS (janus_kernel_parent_class)->dispose (object);
}

static void
janus_kernel_finalize (GObject *object)
{
  JanusKernel *self = JANUS_KERNEL (object);

  /* a thread that saw one of its agents alive inside an epoch critical
   * section (a wake-up racing the death of the last agent) may still read
   * the runtime: it goes after a grace period */
  janus_epoch_retire_shared (self->runtime, (GDestroyNotify) janus_runtime_free);
  collect_retired ();
  g_array_unref (self->shutdown_hooks);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);

  G_OBJECT_CLASS (janus_kernel_parent_class)->finalize (object);
}

static void
janus_kernel_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  JanusKernel *self = JANUS_KERNEL (object);

  switch (prop_id)
    {
    case PROP_WORKERS:
      g_value_set_uint (value, self->n_workers);
      break;
    case PROP_UUID:
      g_value_set_string (value, self->runtime->uuid_string);
      break;
    case PROP_ADDRESS:
      g_value_set_boxed (value, &self->runtime->address);
      break;
    case PROP_KEEP_ALIVE:
      g_value_set_boolean (value, janus_kernel_get_keep_alive (self));
      break;
    case PROP_AGENT_COUNT:
      g_value_set_uint (value, janus_kernel_get_agent_count (self));
      break;
    case PROP_DEAD_LETTERS:
      g_value_set_uint64 (value, janus_kernel_get_dead_letter_count (self));
      break;
    case PROP_SEED:
      g_value_set_uint64 (value, self->seed);
      break;
    case PROP_CLOCK:
      g_value_set_object (value, janus_kernel_get_clock (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
janus_kernel_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  JanusKernel *self = JANUS_KERNEL (object);

  switch (prop_id)
    {
    case PROP_WORKERS:
      self->n_workers = g_value_get_uint (value);
      break;
    case PROP_KEEP_ALIVE:
      janus_kernel_set_keep_alive (self, g_value_get_boolean (value));
      break;
    case PROP_SEED:
      if (self->runtime == NULL)
        self->seed = g_value_get_uint64 (value);   /* at construction */
      else
        janus_kernel_set_seed (self, g_value_get_uint64 (value));
      break;
    case PROP_CLOCK:
      janus_kernel_set_clock (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
janus_kernel_class_init (JanusKernelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = janus_kernel_constructed;
  object_class->dispose = janus_kernel_dispose;
  object_class->finalize = janus_kernel_finalize;
  object_class->get_property = janus_kernel_get_property;
  object_class->set_property = janus_kernel_set_property;

  /**
   * JanusKernel:workers: (attributes org.gtk.Property.get=janus_kernel_get_workers)
   *
   * How many worker threads run light agents; 0 means the thread driving
   * the kernel does.
   */
  properties[PROP_WORKERS] =
    g_param_spec_uint ("workers", NULL, NULL, 0, 1024, 0,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * JanusKernel:uuid: (attributes org.gtk.Property.get=janus_kernel_get_uuid)
   *
   * The kernel's UUID.
   */
  properties[PROP_UUID] =
    g_param_spec_string ("uuid", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * JanusKernel:address: (attributes org.gtk.Property.get=janus_kernel_get_address)
   *
   * The kernel's own address.
   */
  properties[PROP_ADDRESS] =
    g_param_spec_boxed ("address", NULL, NULL, JANUS_TYPE_ADDRESS,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * JanusKernel:keep-alive: (attributes org.gtk.Property.get=janus_kernel_get_keep_alive org.gtk.Property.set=janus_kernel_set_keep_alive)
   *
   * Whether [method@Janus.Kernel.run] keeps running when no agent is left,
   * until [method@Janus.Kernel.quit].
   */
  properties[PROP_KEEP_ALIVE] =
    g_param_spec_boolean ("keep-alive", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * JanusKernel:agent-count: (attributes org.gtk.Property.get=janus_kernel_get_agent_count)
   *
   * How many launched agents have not died yet. Not notified.
   */
  properties[PROP_AGENT_COUNT] =
    g_param_spec_uint ("agent-count", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * JanusKernel:dead-letters: (attributes org.gtk.Property.get=janus_kernel_get_dead_letter_count)
   *
   * How many dead letters the kernel counted. Not notified: connect to
   * [signal@Janus.Kernel::dead-letter] to follow them.
   */
  properties[PROP_DEAD_LETTERS] =
    g_param_spec_uint64 ("dead-letters", NULL, NULL, 0, G_MAXUINT64, 0,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * JanusKernel:seed: (attributes org.gtk.Property.get=janus_kernel_get_seed org.gtk.Property.set=janus_kernel_set_seed)
   *
   * The seed of the kernel's random choices.
   */
  properties[PROP_SEED] =
    g_param_spec_uint64 ("seed", NULL, NULL, 0, G_MAXUINT64, 0,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * JanusKernel:clock: (attributes org.gtk.Property.get=janus_kernel_get_clock org.gtk.Property.set=janus_kernel_set_clock)
   *
   * The clock the kernel's timers and timestamps follow.
   */
  properties[PROP_CLOCK] =
    g_param_spec_object ("clock", NULL, NULL, JANUS_TYPE_CLOCK,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * JanusKernel::agent-failed:
   * @self: the kernel
   * @agent: the agent that failed
   * @error: what went wrong
   *
   * Emitted once per failure of an agent: its `activate` returned `FALSE`,
   * its `live` returned a value that is not a [enum@Janus.Live], or it
   * called [method@Janus.Agent.fail] (as the Python override does when
   * `activate`, `live`, `end` or a timer callback raises: @error then
   * carries the exception's text). The agent then dies (its `end` runs; a
   * failure reported from `end` only reports); the kernel and the other
   * agents go on. A role that fails is reported by
   * [signal@Janus.Kernel::role-failed] instead, and its player lives on.
   * Emitted on the thread running the agent, with no kernel lock held.
   */
  signals[AGENT_FAILED] =
    g_signal_new ("agent-failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2,
                  JANUS_TYPE_AGENT, G_TYPE_ERROR);

  /**
   * JanusKernel::role-failed:
   * @self: the kernel
   * @role: (type Janus.Role): the role that failed
   * @error: what went wrong
   *
   * Emitted once when a role played by one of the kernel's agents fails:
   * its `live` returned a value that is not a [enum@Janus.Live] (in Python,
   * it raised: @error carries the exception's text), or it called
   * [method@Janus.Role.fail]. The role is then left — its `end` runs and its
   * group emits [signal@Janus.Group::role-left] — while its player stays
   * alive with its other roles. Emitted on the thread running the player,
   * with no kernel lock held; [method@Janus.Role.get_player] still gives
   * the player.
   */
  signals[ROLE_FAILED] =
    g_signal_new ("role-failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2,
                  G_TYPE_OBJECT, G_TYPE_ERROR);

  /**
   * JanusKernel::dead-letter:
   * @self: the kernel
   * @message: the message that could not be delivered
   *
   * Emitted exactly once per dead letter, after it was counted: a message to
   * a dead or unknown agent of this kernel, or to a black hole mailbox, or
   * left in the mailbox of an agent that died. Emitted on the thread that
   * found the message undeliverable, with no kernel lock held. Also while
   * the kernel is destroyed: its handlers are disconnected in its last
   * dispose, once no thread can reach it any more (a thread delivering to
   * it holds a reference until it is done), so every dead letter counted
   * is signalled.
   */
  signals[DEAD_LETTER] =
    g_signal_new ("dead-letter", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1,
                  JANUS_TYPE_MESSAGE | G_SIGNAL_TYPE_STATIC_SCOPE);

  janus_kernel_class_add_group_signals (klass);
  janus_kernel_class_add_agent_signals (klass);
}

/* ------------------------------------------------ launch and death */

static void
janus_kernel_class_add_agent_signals (JanusKernelClass *klass)
{
  /**
   * JanusKernel::agent-launched:
   * @self: the kernel
   * @agent: the agent
   *
   * Emitted once per agent the kernel runs, when its first turn begins,
   * before its `activate` (Janus's `KernelListener.agentLaunched`): on the
   * thread that runs the agent, with no lock held. Always before
   * [signal@Janus.Kernel::agent-died] for the same agent. The kernel's own
   * internal agents (the `janus-group-keeper`, the runners of asynchronous
   * capacity calls) are agents too.
   */
  signals[AGENT_LAUNCHED] =
    g_signal_new ("agent-launched", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, JANUS_TYPE_AGENT);

  /**
   * JanusKernel::agent-died:
   * @self: the kernel
   * @agent: the agent, DIED
   *
   * Emitted once per agent that dies (Janus's `agentKilled`): after its
   * `end`, once it can no longer be found nor reached (what is sent to it
   * now is a dead letter), on the thread that ran it, with no lock held.
   * Agents that die while the kernel shuts down are reported too.
   */
  signals[AGENT_DIED] =
    g_signal_new ("agent-died", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, JANUS_TYPE_AGENT);
}

/* ----------------------------------------------- group signals (CRIO) */

/* The kernel's group-created and group-removed signals, emitted by the
 * organizations (a layer above) through janus_kernel_emit_group_*. */
static void
janus_kernel_class_add_group_signals (JanusKernelClass *klass)
{
  /**
   * JanusKernel::group-created:
   * @self: the kernel
   * @group: the new group
   *
   * Emitted once per group made in the kernel
   * ([method@Janus.Kernel.create_group] and friends), after it can be
   * found, on the thread that made it, with no lock held (Janus's
   * `GroupListener.groupCreated`).
   */
  signals[GROUP_CREATED] =
    g_signal_new ("group-created", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, JANUS_TYPE_GROUP);

  /**
   * JanusKernel::group-removed:
   * @self: the kernel
   * @group: the group that disappeared
   *
   * Emitted once per group that disappears while the kernel runs: its last
   * member left (a group that is not persistent), it stayed idle past its
   * [property@Janus.Group:idle-timeout], or it was removed with
   * [method@Janus.Kernel.remove_group]. Emitted after it can no longer be
   * found nor joined, on the thread that removed it, with no lock held
   * (Janus's `GroupListener.groupDestroyed`). Not emitted for the groups
   * that go with the kernel at shutdown.
   */
  signals[GROUP_REMOVED] =
    g_signal_new ("group-removed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, JANUS_TYPE_GROUP);
}

void
janus_kernel_emit_group_created (JanusKernel *self,
                                 JanusGroup  *group)
{
  g_signal_emit (self, signals[GROUP_CREATED], 0, group);
}

void
janus_kernel_emit_group_removed (JanusKernel *self,
                                 JanusGroup  *group)
{
  g_signal_emit (self, signals[GROUP_REMOVED], 0, group);
}

static void
janus_kernel_init (JanusKernel *self)
{
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  self->shutdown_hooks = g_array_new (FALSE, FALSE, sizeof (ShutdownHook));
}
