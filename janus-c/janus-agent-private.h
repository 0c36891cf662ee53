/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdatomic.h>

#include "janus-agent.h"
#include "janus-address-private.h"
#include "janus-runtime-private.h"
#include "janus-timer-private.h"

G_BEGIN_DECLS

typedef struct _JanusAgentExtra JanusAgentExtra;

/* Bits of JanusAgentPrivate.mbox.owner_flags, written by the agent's owner
 * only (the thread running its turn, or its heavy thread). */
enum {
  JANUS_AGENT_FLAG_KILL_ME  = 1 << 0, /* kill at the end of this turn */
  JANUS_AGENT_FLAG_SLEEPING = 1 << 1, /* janus_agent_sleep: no live until due */
};

/* Everything a light agent needs; the rest lives in the lazily allocated
 * JanusAgentExtra. With the 24-byte GObject header an agent is 112 bytes
 * (GSlice rounds to 16), plus an 8-byte slot in the kernel's address table.
 *
 * Who writes what:
 *   run            what the scheduler sees: the mailbox (see
 *                  janus-mailbox-private.h; the agent keeps its life-cycle
 *                  state there, written by the owner atomically, read by
 *                  anyone, and its flags) and the run-queue link
 *   address, runtime, creator  written once at launch, before publication
 *   extra          installed once with a CAS, then immutable pointer */
typedef struct
{
  JanusRunnable             run;
  JanusRuntime             *runtime;       /* its kernel's */
  JanusAddress              address;
  guint64                   creator;       /* id of the launching agent */
  JanusAgentExtra *_Atomic  extra;
} JanusAgentPrivate;

G_STATIC_ASSERT (sizeof (JanusAgentPrivate) <= 88);

struct _JanusAgentExtra
{
  char         *name;
  GVariant     *parameters;      /* launch parameters, set before publication */
  GMutex        lock;            /* guards memory, the mailbox object */
  JanusMemory  *memory;
  JanusMailbox *mailbox;
  JanusTimerSet *timers;         /* owner only; made with the first timer */
  /* tasks the mailbox handed over (owner only), newest first:
   * janus-agent-tasks.c's */
  JanusMessage *tasks;
  /* roles (owner only): janus-agent-roles.c's; the roles played, in take
   * order, each with a reference: the only one in `roles` itself, or (two
   * and more) an array with room for the power of two at or above
   * n_roles (janus_agent_roles) */
  guint         n_roles;
  gboolean      end_when_no_role;
  gpointer      roles;
  /* capacities (guarded by lock): janus-capacity.c's */
  GHashTable   *capacities;      /* GType -> GPtrArray of GObject */
  /* where a heavy agent's thread sleeps: set before publication, for
   * heavy agents only */
  JanusMboxWaiter *waiter;
  /* probes (janus-probe.c's): while one watches, each step publishes */
  atomic_uint   probes;
  /* janus_agent_pause (any thread writes, the owner reads at its turns) */
  atomic_bool   paused;
};

/* what an agent that plays a role (or names itself, or sets a timer…)
 * costs beyond its 112 bytes */
G_STATIC_ASSERT (sizeof (JanusAgentExtra) <= 96);

/* The roles @extra's agent plays, n_roles of them. */
static inline JanusRole **
janus_agent_roles (JanusAgentExtra *extra)
{
  return extra->n_roles > 1 ? (JanusRole **) extra->roles : (JanusRole **) &extra->roles;
}

/* Offset of the private struct from the instance, fixed once the type is
 * registered (a copy of what G_ADD_PRIVATE keeps in janus-agent.c), so the
 * library's other files reach it without a call. */
extern gint janus_agent_private_offset;

static inline JanusAgentPrivate *
janus_agent_get_private (JanusAgent *self)
{
  return (JanusAgentPrivate *) G_STRUCT_MEMBER_P (self, janus_agent_private_offset);
}

gboolean           janus_agent_type_check_slow  (gconstpointer instance);

/* The agent types this thread saw pass the full type check: the last one,
 * and all of them in a small set-associative table (8 sets of 2 ways, the
 * set chosen by a hash of the GType), so that agents of two (or a few)
 * classes that run in turn on one thread each keep their entry. A type is
 * only ever added, never wrongly kept: a GType is never unregistered. */
#define JANUS_AGENT_TYPE_SETS 8
extern __thread GType janus_agent_type_last __attribute__ ((tls_model ("initial-exec")));
extern __thread GType janus_agent_types_seen[JANUS_AGENT_TYPE_SETS][2]
  __attribute__ ((tls_model ("initial-exec")));

static inline GType *
janus_agent_type_set (GType type)
{
  /* Fibonacci hashing: the top bits of the product mix every bit of the
   * node address a GType is */
  return janus_agent_types_seen[(type * G_GUINT64_CONSTANT (0x9E3779B97F4A7C15)) >> 61];
}

/* Whether @type passed the full check on this thread before: the same
 * type as last time (one comparison: one agent class, or a turn's calls
 * after its first), else a look in the table. */
static inline gboolean
janus_agent_type_seen (GType type)
{
  GType *set;

  if (G_LIKELY (type == janus_agent_type_last))
    return TRUE;
  set = janus_agent_type_set (type);
  if (set[0] != type && set[1] != type)
    return FALSE;
  janus_agent_type_last = type;
  return TRUE;
}

/* JANUS_IS_AGENT for public entry points on hot paths: the full check walks
 * the type hierarchy (~100 instructions per call for a subclass). */
static inline gboolean
janus_is_agent (gconstpointer instance)
{
  const GTypeInstance *i = instance;

  if (G_UNLIKELY (i == NULL || i->g_class == NULL))
    return FALSE;
  if (G_LIKELY (janus_agent_type_seen (i->g_class->g_type)))
    return TRUE;
  return janus_agent_type_check_slow (instance);
}
JanusAgentExtra   *janus_agent_ensure_extra_slow (JanusAgent *self);

/* The agent's extra part, allocated on first use. */
static inline JanusAgentExtra *
janus_agent_ensure_extra (JanusAgent *self)
{
  JanusAgentExtra *extra = atomic_load_explicit (&janus_agent_get_private (self)->extra,
                                                 memory_order_acquire);

  return G_LIKELY (extra != NULL) ? extra : janus_agent_ensure_extra_slow (self);
}

/* Whether the calling thread runs @self's step now. */
static inline gboolean
janus_agent_is_current (JanusAgent *self)
{
  return janus_mbox_current () == &janus_agent_get_private (self)->run.mbox;
}

/* owner_state while a launch writes the agent's runtime, address and
 * name: the launch that claimed it publishes BORN once they are written
 * (release), and everybody else reads UNBORN meanwhile. Not a
 * JanusAgentState. */
#define JANUS_AGENT_STATE_CLAIMED 0xff

static inline JanusAgentState
janus_agent_private_state (JanusAgentPrivate *priv)
{
  guint8 state = atomic_load_explicit (&priv->run.mbox.owner_state, memory_order_acquire);

  return G_UNLIKELY (state == JANUS_AGENT_STATE_CLAIMED) ? JANUS_AGENT_STATE_UNBORN
                                                         : (JanusAgentState) state;
}

/* The kernel's side of the life-cycle (janus-agent.c) */
gboolean      janus_agent_launch        (JanusAgent    *self,
                                         JanusRuntime  *runtime,
                                         const char    *name,
                                         GVariant      *parameters,
                                         gboolean       heavy,
                                         GError       **error);
void          janus_agent_request_kill  (JanusAgent    *self);
GVariant     *janus_agent_get_launch_parameters (JanusAgent *self);

/* What a higher layer (holons) hears of an agent's life, on the agent's
 * thread, in its turn, with no lock held:
 *   ALIVE  its `activate` succeeded; nothing else of the turn ran yet (its
 *          due timers, tasks and `live` come next). The return value is
 *          ignored;
 *   DYING  the agent is DYING and its `end` has not run; returning TRUE
 *          postpones the end: the agent stays DYING, runs no `live`, timer
 *          nor task, keeps its mailbox, and the hook is asked again when
 *          the agent is woken (janus_agent_wake);
 *   ENDED  its `end` ran and its roles were left; it is not DIED yet (its
 *          address still reaches it). The return value is ignored. */
typedef enum {
  JANUS_AGENT_LIFE_ALIVE,
  JANUS_AGENT_LIFE_DYING,
  JANUS_AGENT_LIFE_ENDED,
} JanusAgentLifeEvent;

typedef gboolean (*JanusAgentLifeHook) (JanusAgent          *agent,
                                        JanusAgentLifeEvent  event);

void          janus_agent_set_life_hook (JanusAgentLifeHook hook);
JanusAgent   *janus_agent_get_current   (void);
char         *janus_agent_describe      (JanusAgent    *self);
const JanusRunnableClass *janus_agent_runnable_class (void);

static inline JanusRuntime *
janus_agent_get_runtime (JanusAgent *self)
{
  return janus_agent_get_private (self)->runtime;
}

/* What role playing (janus-agent-roles.c, a layer above) does for the
 * agent; installed with the first role request. */
typedef struct
{
  JanusLive (*live)      (JanusAgent   *self);     /* the activator: default live */
  void      (*leave_all) (JanusAgent   *self);     /* at death, after end */
  void      (*arrived)   (JanusAgent   *self,      /* role letters were queued */
                          JanusMessage *letters);
} JanusAgentRoleFuncs;

void          janus_agent_set_role_funcs (const JanusAgentRoleFuncs *funcs);

/* What runs at the end of each step of an agent that probes watch
 * (janus-probe.c, a layer above, installs it with the first probe). */
typedef void (*JanusAgentStepHook) (JanusAgent *self);

extern JanusAgentStepHook _Atomic janus_agent_step_hook;

void          janus_agent_set_step_hook  (JanusAgentStepHook hook);

/* Whether the agent is paused (janus-agent-control.c): its turns then
 * only take in what arrives. acquire: pairs with janus_agent_resume's
 * release before its RESUME request. */
static inline gboolean
janus_agent_private_paused (JanusAgentPrivate *priv)
{
  JanusAgentExtra *extra = atomic_load_explicit (&priv->extra, memory_order_acquire);

  return G_UNLIKELY (extra != NULL)
         && G_UNLIKELY (atomic_load_explicit (&extra->paused, memory_order_acquire));
}

/* The end of a step: publishes what probes watch, if any does. */
static inline void
janus_agent_step_ended (JanusAgent *self)
{
  /* acquire: the extra part may come from a prober's thread; the count
   * (released after the hook was set) then shows the hook */
  JanusAgentExtra *extra = atomic_load_explicit (&janus_agent_get_private (self)->extra,
                                                 memory_order_acquire);

  if (G_UNLIKELY (extra != NULL)
      && G_UNLIKELY (atomic_load_explicit (&extra->probes, memory_order_acquire) > 0))
    atomic_load_explicit (&janus_agent_step_hook, memory_order_relaxed) (self);
}
gboolean      janus_agent_check_owner_slow (JanusAgent *self);

/* Whether the calling thread may act as @self's owner: its own step, or
 * (for an agent not running) anybody, or the thread driving a kernel
 * without workers between steps. */
static inline gboolean
janus_agent_check_owner (JanusAgent *self)
{
  return G_LIKELY (janus_agent_is_current (self)) || janus_agent_check_owner_slow (self);
}

gboolean      janus_agent_refuse_sender (JanusAgent    *self,
                                         JanusMessage  *message,
                                         GError       **error);

/* Whether @self may send @message: it is launched and not dead, and the
 * message was not sent before. Else @error says why. */
static inline gboolean
janus_agent_check_sender (JanusAgent    *self,
                          JanusMessage  *message,
                          GError       **error)
{
  JanusAgentState state = janus_agent_private_state (janus_agent_get_private (self));

  if (G_LIKELY (state != JANUS_AGENT_STATE_UNBORN && state != JANUS_AGENT_STATE_DIED
                && !janus_message_sent (message)))
    return TRUE;
  return janus_agent_refuse_sender (self, message, error);
}
gboolean      janus_agent_wait_arrival  (JanusAgent *self,
                                         gint64      timeout_usec);
void          janus_agent_run_due_timers (JanusAgent *self);
void          janus_agent_end_sleep     (JanusAgent *self);
void          janus_agent_nudge         (JanusAgent *self);
gboolean      janus_agent_check_reader  (JanusAgent *self,
                                         const char *func);
JanusMessage *janus_agent_wait          (JanusAgent *self,
                                         gint64      timeout_usec);
/* The selector forms of the reads (janus-agent-selectors.c). */
JanusMessage *janus_agent_wait_filtered (JanusAgent      *self,
                                         JanusMboxFilter  filter,
                                         gpointer         data,
                                         gint64           timeout_usec);
JanusMessage *janus_agent_mbox_wait_filtered (JanusMbox       *mbox,
                                              JanusMboxFilter  filter,
                                              gpointer         data,
                                              gint64           timeout_usec);

static inline JanusMbox *
janus_agent_get_mbox (JanusAgent *self)
{
  return &janus_agent_get_private (self)->run.mbox;
}

/* Tasks (janus-agent-tasks.c): work handed to an agent's turn from any
 * thread, carried by an internal message as a due timer is. A task runs in
 * the agent's turn — after `activate` and the turn's due timers, before
 * `live` — on the thread running the agent, never concurrently with the
 * agent's other code; tasks run in the order they arrived. A task that has
 * not run when the agent dies is cancelled (on the dying agent's thread).
 * Exactly one of the two functions is called, once; whichever it is may
 * free the task.
 *
 * The task is embedded in the poster's own struct (intrusive), so posting
 * allocates nothing but the message that carries it. Tasks do not run
 * while an agent whose end was postponed waits (JANUS_AGENT_LIFE_DYING). */
typedef struct _JanusAgentTask JanusAgentTask;

struct _JanusAgentTask
{
  /* in the agent's turn, on the thread running it */
  void (*run)    (JanusAgentTask *task,
                  JanusAgent     *agent);
  /* the agent died before the task could run */
  void (*cancel) (JanusAgentTask *task);
};

gboolean      janus_agent_post_task     (JanusAgent     *self,
                                         JanusAgentTask *task);
gboolean      janus_agent_post_task_to  (JanusRuntime   *runtime,
                                         guint64         agent_id,
                                         JanusAgentTask *task);
/* A task made of a function: runs @func (@self, @data) in @self's turn,
 * then @destroy (@data); only @destroy if @self dies first. FALSE (after
 * @destroy ran) if @self was dead. MT safe. */
gboolean      janus_agent_invoke        (JanusAgent     *self,
                                         JanusTimerFunc  func,
                                         gpointer        data,
                                         GDestroyNotify  destroy);
/* janus-agent.c's side */
void          janus_agent_task_arrived  (JanusAgent     *self,
                                         JanusMessage   *message);
void          janus_agent_run_tasks     (JanusAgent     *self);
JanusMessage *janus_agent_cancel_tasks  (JanusAgent     *self,
                                         JanusMessage   *rest);

G_END_DECLS
