/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined (JANUS_INSIDE) && !defined (JANUS_COMPILATION)
#error "Only <janus.h> can be included directly."
#endif

#include <glib.h>

#include "janus-version-macros.h"

G_BEGIN_DECLS

/* The error domains of the core, one per subsystem (as GStreamer's
 * gsterror.h lists its own). Other subsystems (the network, holons) add
 * theirs in their own headers. */

/**
 * JANUS_KERNEL_ERROR:
 *
 * The error domain of launching and running agents: errors in this domain
 * are from the [error@Janus.KernelError] enumeration.
 */
#define JANUS_KERNEL_ERROR (janus_kernel_error_quark ())

/**
 * JanusKernelError:
 * @JANUS_KERNEL_ERROR_FAILED: an agent's `activate` refused to start and
 *   said nothing more, or an agent's code failed in a language binding (the
 *   Python override reports an exception so, with its text).
 * @JANUS_KERNEL_ERROR_INVALID_PARAMETERS: the launch parameters do not match
 *   the activation prototype of the agent's class.
 * @JANUS_KERNEL_ERROR_ALREADY_LAUNCHED: the agent was launched before (an
 *   agent is launched at most once, on one kernel).
 * @JANUS_KERNEL_ERROR_NOT_LAUNCHED: the agent has not been launched yet, so
 *   it cannot send, be killed or take roles.
 * @JANUS_KERNEL_ERROR_AGENT_DEAD: the agent is dying or dead: it can no
 *   longer send or take roles.
 * @JANUS_KERNEL_ERROR_NOT_PERMITTED: the caller has no right to do this,
 *   such as killing an agent that it neither is nor launched, or an agent of
 *   another kernel.
 * @JANUS_KERNEL_ERROR_STOPPED: the kernel is shutting down: it accepts no
 *   new agent nor group; or it is gone (a post to a role whose player's
 *   kernel was freed).
 * @JANUS_KERNEL_ERROR_TOO_MANY_AGENTS: the kernel has handed out all of its
 *   agent identifiers (2^34 launches).
 * @JANUS_KERNEL_ERROR_INVALID_LIVE_RESULT: an agent's or a role's `live`
 *   returned a value outside [enum@Janus.Live].
 *
 * Error codes in the `JANUS_KERNEL_ERROR` domain. Each refusal has its own
 * code and a message naming what was refused.
 */
typedef enum {
  JANUS_KERNEL_ERROR_FAILED,
  JANUS_KERNEL_ERROR_INVALID_PARAMETERS,
  JANUS_KERNEL_ERROR_ALREADY_LAUNCHED,
  JANUS_KERNEL_ERROR_NOT_LAUNCHED,
  JANUS_KERNEL_ERROR_AGENT_DEAD,
  JANUS_KERNEL_ERROR_NOT_PERMITTED,
  JANUS_KERNEL_ERROR_STOPPED,
  JANUS_KERNEL_ERROR_TOO_MANY_AGENTS,
  JANUS_KERNEL_ERROR_INVALID_LIVE_RESULT,
} JanusKernelError;

/**
 * JANUS_MESSAGE_ERROR:
 *
 * The error domain of messages, addresses and sending: errors in this
 * domain are from the [error@Janus.MessageError] enumeration.
 */
#define JANUS_MESSAGE_ERROR (janus_message_error_quark ())

/**
 * JanusMessageError:
 * @JANUS_MESSAGE_ERROR_ALREADY_SENT: the message was sent already; a sent
 *   message is immutable and is delivered once. Send a copy or forward it.
 * @JANUS_MESSAGE_ERROR_INVALID_ADDRESS: the text is not a janus-c address.
 * @JANUS_MESSAGE_ERROR_POINTER_BODY: a message whose body is a pointer can
 *   have one receiver only; use a [struct@GLib.Variant] body to send to several.
 * @JANUS_MESSAGE_ERROR_NOT_SENT: the message to answer was never sent, so
 *   it has no sender to answer to.
 * @JANUS_MESSAGE_ERROR_NOT_A_ROLE_MESSAGE: the message to answer was not
 *   sent by a role, so no role can receive the answer.
 * @JANUS_MESSAGE_ERROR_NO_RECEIVER: there is nobody to send to: the only
 *   candidate is the sender itself, which a send never picks.
 * @JANUS_MESSAGE_ERROR_NOT_A_CAPACITY_RESULT: the message does not carry
 *   the outcome of [method@Janus.Role.invoke_capacity_on_worker].
 *
 * Error codes in the `JANUS_MESSAGE_ERROR` domain. A failed send releases
 * the message in every case.
 */
typedef enum {
  JANUS_MESSAGE_ERROR_ALREADY_SENT,
  JANUS_MESSAGE_ERROR_INVALID_ADDRESS,
  JANUS_MESSAGE_ERROR_POINTER_BODY,
  JANUS_MESSAGE_ERROR_NOT_SENT,
  JANUS_MESSAGE_ERROR_NOT_A_ROLE_MESSAGE,
  JANUS_MESSAGE_ERROR_NO_RECEIVER,
  JANUS_MESSAGE_ERROR_NOT_A_CAPACITY_RESULT,
} JanusMessageError;

/**
 * JANUS_ORGANIZATION_ERROR:
 *
 * The error domain of organizations, groups, roles, conditions and
 * capacities (CRIO): errors in this domain are from the
 * [error@Janus.OrganizationError] enumeration.
 */
#define JANUS_ORGANIZATION_ERROR (janus_organization_error_quark ())

/**
 * JanusOrganizationError:
 * @JANUS_ORGANIZATION_ERROR_FAILED: a role's `activate` refused the role
 *   and said nothing more, or a capacity failed with no more specific error
 *   (one that has no generic `invoke`), or a role's code failed in a
 *   language binding (the Python override reports an exception so, with its
 *   text).
 * @JANUS_ORGANIZATION_ERROR_ROLE_NOT_LISTED: the group's organization does
 *   not list this role type (nor one of its parents).
 * @JANUS_ORGANIZATION_ERROR_ROLE_ALREADY_PLAYED: the agent already plays
 *   this role in this group.
 * @JANUS_ORGANIZATION_ERROR_CONDITION_FAILED: an obtain or leave condition
 *   of the group or of the role refused (the message names the condition).
 * @JANUS_ORGANIZATION_ERROR_CARDINALITY_FULL: the role already has as many
 *   players in the group as the organization allows.
 * @JANUS_ORGANIZATION_ERROR_MISSING_CAPACITY: the role requires a capacity
 *   the agent does not provide.
 * @JANUS_ORGANIZATION_ERROR_NOT_A_MEMBER: the agent may not be, or is not,
 *   a member of the group in the way the call needs: the group's membership
 *   policy refused it, nobody (the sender aside) plays the receiving role,
 *   the receiver does not play it, or the group no longer exists.
 * @JANUS_ORGANIZATION_ERROR_ROLE_NOT_PLAYED: the agent does not play this
 *   role in this group, or the role was left (also: a role that left itself
 *   during its own `activate` was not taken).
 * @JANUS_ORGANIZATION_ERROR_WRONG_KERNEL: the group belongs to another
 *   kernel than the agent.
 * @JANUS_ORGANIZATION_ERROR_BUSY: the role is already doing what it was
 *   asked (a contract-net call for proposals is still open).
 * @JANUS_ORGANIZATION_ERROR_GROUP_EXISTS: a group with that UUID exists
 *   already in the kernel ([method@Janus.Kernel.create_group_full]).
 * @JANUS_ORGANIZATION_ERROR_INVALID_UUID: the text is not a UUID.
 * @JANUS_ORGANIZATION_ERROR_GROUP_NOT_EMPTY: the group still has members:
 *   [method@Janus.Kernel.remove_group] removes empty groups only.
 *
 * Error codes in the `JANUS_ORGANIZATION_ERROR` domain. The checks of
 * [method@Janus.Agent.request_role] each have their own code, in the order
 * it runs them.
 */
typedef enum {
  JANUS_ORGANIZATION_ERROR_FAILED,
  JANUS_ORGANIZATION_ERROR_ROLE_NOT_LISTED,
  JANUS_ORGANIZATION_ERROR_ROLE_ALREADY_PLAYED,
  JANUS_ORGANIZATION_ERROR_CONDITION_FAILED,
  JANUS_ORGANIZATION_ERROR_CARDINALITY_FULL,
  JANUS_ORGANIZATION_ERROR_MISSING_CAPACITY,
  JANUS_ORGANIZATION_ERROR_NOT_A_MEMBER,
  JANUS_ORGANIZATION_ERROR_ROLE_NOT_PLAYED,
  JANUS_ORGANIZATION_ERROR_WRONG_KERNEL,
  JANUS_ORGANIZATION_ERROR_BUSY,
  JANUS_ORGANIZATION_ERROR_GROUP_EXISTS,
  JANUS_ORGANIZATION_ERROR_INVALID_UUID,
  JANUS_ORGANIZATION_ERROR_GROUP_NOT_EMPTY,
} JanusOrganizationError;

/**
 * JANUS_CLOCK_ERROR:
 *
 * The error domain of time: errors in this domain are from the
 * [error@Janus.ClockError] enumeration.
 */
#define JANUS_CLOCK_ERROR (janus_clock_error_quark ())

/**
 * JanusClockError:
 * @JANUS_CLOCK_ERROR_TIME_BACKWARDS: a virtual clock was asked to go back
 *   (or to stay): its time only increases.
 * @JANUS_CLOCK_ERROR_NOT_VIRTUAL: a real-time clock cannot be set or
 *   advanced; only a virtual one can.
 * @JANUS_CLOCK_ERROR_OVERFLOW: the clock cannot move that far: its time
 *   would pass the largest one a `gint64` holds. The clock is unchanged.
 *
 * Error codes in the `JANUS_CLOCK_ERROR` domain.
 */
typedef enum {
  JANUS_CLOCK_ERROR_TIME_BACKWARDS,
  JANUS_CLOCK_ERROR_NOT_VIRTUAL,
  JANUS_CLOCK_ERROR_OVERFLOW,
} JanusClockError;

/**
 * JANUS_MEMORY_ERROR:
 *
 * The error domain of memories: errors in this domain are from the
 * [error@Janus.MemoryError] enumeration.
 */
#define JANUS_MEMORY_ERROR (janus_memory_error_quark ())

/**
 * JanusMemoryError:
 * @JANUS_MEMORY_ERROR_INVALID_VALUE: the value does not fit the key: of the
 *   wrong type, out of range, naming no value of an enumeration or flags, not
 *   an address, or refused by the property.
 * @JANUS_MEMORY_ERROR_NO_SUCH_KEY: the memory has no such key: to write
 *   (a property memory writes existing properties only), or to read with a
 *   typed getter such as [method@Janus.Memory.get_int64].
 * @JANUS_MEMORY_ERROR_READ_ONLY: the key cannot be written or removed (a
 *   property that is not writable, or only at construction).
 * @JANUS_MEMORY_ERROR_UNSUPPORTED: the key holds a type that a memory
 *   cannot represent as a [struct@GLib.Variant].
 * @JANUS_MEMORY_ERROR_GONE: what the memory stands for is gone (the object
 *   of a property memory was finalized).
 * @JANUS_MEMORY_ERROR_WRONG_TYPE: a typed getter such as
 *   [method@Janus.Memory.get_int64] found a value of another type under the
 *   key (the message names both types).
 *
 * Error codes in the `JANUS_MEMORY_ERROR` domain.
 */
typedef enum {
  JANUS_MEMORY_ERROR_INVALID_VALUE,
  JANUS_MEMORY_ERROR_NO_SUCH_KEY,
  JANUS_MEMORY_ERROR_READ_ONLY,
  JANUS_MEMORY_ERROR_UNSUPPORTED,
  JANUS_MEMORY_ERROR_GONE,
  JANUS_MEMORY_ERROR_WRONG_TYPE,
} JanusMemoryError;

JANUS_AVAILABLE_IN_ALL
GQuark janus_kernel_error_quark       (void);
JANUS_AVAILABLE_IN_ALL
GQuark janus_message_error_quark      (void);
JANUS_AVAILABLE_IN_ALL
GQuark janus_organization_error_quark (void);
JANUS_AVAILABLE_IN_ALL
GQuark janus_clock_error_quark        (void);
JANUS_AVAILABLE_IN_ALL
GQuark janus_memory_error_quark       (void);

G_END_DECLS
