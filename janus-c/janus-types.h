/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined (JANUS_INSIDE) && !defined (JANUS_COMPILATION)
#error "Only <janus.h> can be included directly."
#endif

#include <glib-object.h>

#include "janus-version-macros.h"

G_BEGIN_DECLS

typedef struct _JanusAddress JanusAddress;
typedef struct _JanusMessage JanusMessage;
typedef struct _JanusAgent JanusAgent;
typedef struct _JanusKernel JanusKernel;
typedef struct _JanusMailbox JanusMailbox;
typedef struct _JanusMemory JanusMemory;
typedef struct _JanusOrganization JanusOrganization;
typedef struct _JanusGroup JanusGroup;
typedef struct _JanusRole JanusRole;
typedef struct _JanusCondition JanusCondition;
typedef struct _JanusCapacity JanusCapacity;
typedef struct _JanusClock JanusClock;

/* The core types, as json-types.h lists json-glib's: any file may name a
 * type (for a property, a signal parameter, a type check) without
 * including the header of the layer that implements it. */
#define JANUS_TYPE_ADDRESS (janus_address_get_type ())
#define JANUS_TYPE_MESSAGE (janus_message_get_type ())
#define JANUS_TYPE_AGENT (janus_agent_get_type ())
#define JANUS_TYPE_KERNEL (janus_kernel_get_type ())
#define JANUS_TYPE_MAILBOX (janus_mailbox_get_type ())
#define JANUS_TYPE_MEMORY (janus_memory_get_type ())
#define JANUS_TYPE_ORGANIZATION (janus_organization_get_type ())
#define JANUS_TYPE_GROUP (janus_group_get_type ())
#define JANUS_TYPE_ROLE (janus_role_get_type ())
#define JANUS_TYPE_CONDITION (janus_condition_get_type ())
#define JANUS_TYPE_CAPACITY (janus_capacity_get_type ())
#define JANUS_TYPE_CLOCK (janus_clock_get_type ())

/* each header declares its type's function again, for introspection */
#ifndef __GI_SCANNER__
JANUS_AVAILABLE_IN_ALL
GType janus_address_get_type (void) G_GNUC_CONST;
JANUS_AVAILABLE_IN_ALL
GType janus_message_get_type (void) G_GNUC_CONST;
JANUS_AVAILABLE_IN_ALL
GType janus_agent_get_type (void) G_GNUC_CONST;
JANUS_AVAILABLE_IN_ALL
GType janus_kernel_get_type (void) G_GNUC_CONST;
JANUS_AVAILABLE_IN_ALL
GType janus_mailbox_get_type (void) G_GNUC_CONST;
JANUS_AVAILABLE_IN_ALL
GType janus_memory_get_type (void) G_GNUC_CONST;
JANUS_AVAILABLE_IN_ALL
GType janus_organization_get_type (void) G_GNUC_CONST;
JANUS_AVAILABLE_IN_ALL
GType janus_group_get_type (void) G_GNUC_CONST;
JANUS_AVAILABLE_IN_ALL
GType janus_role_get_type (void) G_GNUC_CONST;
JANUS_AVAILABLE_IN_ALL
GType janus_condition_get_type (void) G_GNUC_CONST;
JANUS_AVAILABLE_IN_ALL
GType janus_capacity_get_type (void) G_GNUC_CONST;
JANUS_AVAILABLE_IN_ALL
GType janus_clock_get_type (void) G_GNUC_CONST;
#endif


/**
 * JanusAgentState:
 * @JANUS_AGENT_STATE_UNBORN: created and not launched yet. The only state
 *   from which [method@Janus.Kernel.launch_light_agent] and
 *   [method@Janus.Kernel.launch_heavy_agent] accept the agent.
 * @JANUS_AGENT_STATE_BORN: launched: the agent has an address and its
 *   `activate` is pending or running. Messages sent to it are kept in its
 *   mailbox. Leaves to ALIVE when `activate` succeeds, to DYING when it fails.
 * @JANUS_AGENT_STATE_ALIVE: `activate` succeeded; `live` is stepped by the
 *   scheduler (light agents) or by the agent's own thread (heavy agents).
 *   `activate` always completes before the first `live`.
 * @JANUS_AGENT_STATE_DYING: a kill was asked ([method@Janus.Agent.kill_me],
 *   [method@Janus.Agent.kill], [method@Janus.Kernel.kill_all], `live`
 *   returned `JANUS_LIVE_DONE`) or `activate` failed; `end` has not run yet.
 * @JANUS_AGENT_STATE_BREAKING_DOWN: `end` is running. It runs exactly once,
 *   after the last `live`. The agent may still read its mailbox and send.
 * @JANUS_AGENT_STATE_DIED: gone. Its address no longer reaches it: what was
 *   left in its mailbox and everything sent to it later is a dead letter.
 *
 * The life-cycle of a [class@Janus.Agent], after Janus's AgentLifeState.
 *
 * States only move forward, one step at a time, in the order of the
 * enumeration (BORN may jump to DYING when `activate` fails). Every change is
 * made in one place of the kernel, on the thread that runs the agent, and is
 * announced by `notify::state` on that thread after the change; no kernel
 * lock is held while the notification runs.
 */
typedef enum {
  JANUS_AGENT_STATE_UNBORN,
  JANUS_AGENT_STATE_BORN,
  JANUS_AGENT_STATE_ALIVE,
  JANUS_AGENT_STATE_DYING,
  JANUS_AGENT_STATE_BREAKING_DOWN,
  JANUS_AGENT_STATE_DIED,
} JanusAgentState;

/**
 * JanusLive:
 * @JANUS_LIVE_AGAIN: step the agent again soon, even without a new message
 *   (it goes to the back of its worker's run queue).
 * @JANUS_LIVE_WAIT: put the agent to sleep until something new happens for
 *   it: a message arrives, a timer is due or it is woken or killed. A waiting
 *   agent costs no CPU time and causes no wake-up.
 * @JANUS_LIVE_DONE: the agent is finished: it is killed at the end of this
 *   step, so `end` runs and the agent dies.
 *
 * What `live` asks the scheduler to do next.
 *
 * Any other value (0 is what a language binding returns after an uncaught
 * exception) is an agent failure: the agent is killed and the kernel emits
 * [signal@Janus.Kernel::agent-failed] with a `JANUS_KERNEL_ERROR_INVALID_LIVE_RESULT`
 * error.
 */
typedef enum {
  JANUS_LIVE_AGAIN = 1,
  JANUS_LIVE_WAIT = 2,
  JANUS_LIVE_DONE = 3,
} JanusLive;

/**
 * JanusMailboxKind:
 * @JANUS_MAILBOX_KIND_FIFO: messages are read in the order they arrived;
 *   messages of one sender in the order they were sent.
 * @JANUS_MAILBOX_KIND_PRIORITY: messages of higher
 *   priority ([method@Janus.Message.set_priority]) are read first; equal priorities in
 *   arrival order.
 * @JANUS_MAILBOX_KIND_BLACK_HOLE: the mailbox keeps nothing: every message
 *   delivered to it is counted and reported as a dead letter.
 * @JANUS_MAILBOX_KIND_BUFFERED: FIFO, but a step sees only what arrived
 *   before it began: on a kernel without workers, what arrived before the
 *   whole [method@Janus.Kernel.step] began, so messages sent during a step
 *   are seen at the next one whatever the order of the agents in the step
 *   (the influence/reaction model of simulations); on workers, what arrived
 *   before the agent's step began.
 * @JANUS_MAILBOX_KIND_PER_SENDER: keeps the newest message of each sender
 *   only (Janus's `PerSenderMailbox`): a message replaces the one its sender
 *   sent before to the same receiver (the agent itself, or the same role in
 *   the same group), which becomes a dead letter, counted and reported
 *   like every message a mailbox refuses. The kept messages are read in the
 *   order they arrived. Meant for states that senders repeat (positions,
 *   offers): a reader sees the latest one of each.
 * @JANUS_MAILBOX_KIND_BUFFERED_PER_SENDER: per sender, and buffered as
 *   `JANUS_MAILBOX_KIND_BUFFERED` is (Janus's `BufferedPerSenderMailbox`).
 *
 * How an agent's mailbox orders (or refuses) what it receives.
 *
 * Every kind has a buffer: what arrived that the mailbox has not taken in
 * yet, which the current step cannot see. [method@Janus.Mailbox.get_buffer_size],
 * [method@Janus.Mailbox.clear_buffer] and [method@Janus.Mailbox.synchronize]
 * control it (Janus's `BufferedMailbox`); they matter most for the buffered
 * kinds.
 */
typedef enum {
  JANUS_MAILBOX_KIND_FIFO,
  JANUS_MAILBOX_KIND_PRIORITY,
  JANUS_MAILBOX_KIND_BLACK_HOLE,
  JANUS_MAILBOX_KIND_BUFFERED,
  JANUS_MAILBOX_KIND_PER_SENDER,
  JANUS_MAILBOX_KIND_BUFFERED_PER_SENDER,
} JanusMailboxKind;

/**
 * JanusSelectionPolicy:
 * @JANUS_SELECTION_RANDOM: a player chosen at random (uniformly; from the
 *   kernel's seeded generator on a worker, so reproducible in step mode).
 * @JANUS_SELECTION_ROUND_ROBIN: the players in turn, in the order they took
 *   the role.
 * @JANUS_SELECTION_CUSTOM: a function set with
 *   [method@Janus.Group.set_selection_func].
 *
 * How [method@Janus.Role.send] chooses the one player of the
 * receiving role (the sender excluded).
 */
typedef enum {
  JANUS_SELECTION_RANDOM,
  JANUS_SELECTION_ROUND_ROBIN,
  JANUS_SELECTION_CUSTOM,
} JanusSelectionPolicy;

/**
 * JanusThreadEvent:
 * @JANUS_THREAD_STARTED: the thread has just started; it has run no agent
 *   code yet.
 * @JANUS_THREAD_STOPPING: the thread has run its last agent code and is
 *   about to exit.
 *
 * What a [callback@Janus.ThreadHook] is told about a thread of a kernel.
 */
typedef enum {
  JANUS_THREAD_STARTED,
  JANUS_THREAD_STOPPING,
} JanusThreadEvent;

/**
 * JanusThreadKind:
 * @JANUS_THREAD_WORKER: one of the kernel's worker threads, which step light
 *   agents and fire timers.
 * @JANUS_THREAD_HEAVY: the thread of one heavy agent.
 *
 * What a thread of a kernel is for (see [method@Janus.Kernel.add_thread_hook]).
 */
typedef enum {
  JANUS_THREAD_WORKER,
  JANUS_THREAD_HEAVY,
} JanusThreadKind;

/**
 * JanusCapacityPolicy:
 * @JANUS_CAPACITY_POLICY_FIRST: the implementation registered first
 *   (Janus's `FirstCapacityImplementationSelectionPolicy`).
 * @JANUS_CAPACITY_POLICY_RANDOM: one chosen at random at each call (from
 *   the kernel's seeded generator on a worker; Janus's
 *   `RandomCapacityImplementationSelectionPolicy`).
 * @JANUS_CAPACITY_POLICY_ROUND_ROBIN: each in turn, in the order they were
 *   registered.
 * @JANUS_CAPACITY_POLICY_CUSTOM: a function set with
 *   [method@Janus.Agent.set_capacity_selection_func].
 *
 * Which of an agent's implementations of a capacity
 * ([method@Janus.Agent.add_capacity_implementation]) a call uses.
 */
typedef enum {
  JANUS_CAPACITY_POLICY_FIRST,
  JANUS_CAPACITY_POLICY_RANDOM,
  JANUS_CAPACITY_POLICY_ROUND_ROBIN,
  JANUS_CAPACITY_POLICY_CUSTOM,
} JanusCapacityPolicy;

/**
 * JanusSignalPolicy:
 * @JANUS_SIGNAL_POLICY_INSTANT: the listener runs at once, inside
 *   [method@Janus.Agent.fire_signal] (Janus's `FIRE_SIGNAL` on the agent's
 *   `InstantSignalManager`).
 * @JANUS_SIGNAL_POLICY_BUFFERED: the listener runs at the start of the
 *   agent's next step, before its `live` and its roles, for each signal
 *   fired since, in firing order (Janus's `BufferedSignalManager`, which
 *   roles use): what one role fires during a step reaches the listeners of
 *   the next step, whatever the order of the roles.
 * @JANUS_SIGNAL_POLICY_QUEUE: the listener's function is not called; the
 *   signals wait in its queue until taken with
 *   [method@Janus.Agent.take_signal] (Janus's `STORE_IN_QUEUE`).
 *
 * When a listener added with [method@Janus.Agent.add_signal_listener] or
 * [method@Janus.Role.add_signal_listener] gets the agent signals it listens
 * to. All three run on the agent's own thread, in its step.
 */
typedef enum {
  JANUS_SIGNAL_POLICY_INSTANT,
  JANUS_SIGNAL_POLICY_BUFFERED,
  JANUS_SIGNAL_POLICY_QUEUE,
} JanusSignalPolicy;

G_END_DECLS
