/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined (JANUS_INSIDE) && !defined (JANUS_COMPILATION)
#error "Only <janus.h> can be included directly."
#endif

#include <glib.h>

#include "janus-version-macros.h"

G_BEGIN_DECLS

/**
 * JANUS_ERROR:
 *
 * The error domain of janus-c. Errors in this domain are from the
 * [error@Janus.Error] enumeration.
 */
#define JANUS_ERROR (janus_error_quark ())

/**
 * JanusError:
 * @JANUS_ERROR_FAILED: a failure with no more specific code; also what an
 *   agent's `activate` reports when it fails without setting an error.
 * @JANUS_ERROR_INVALID_PARAMETERS: the launch parameters do not match the
 *   activation prototype of the agent's class.
 * @JANUS_ERROR_ALREADY_LAUNCHED: the agent was launched before (an agent is
 *   launched at most once, on one kernel).
 * @JANUS_ERROR_NOT_PERMITTED: the caller has no right to do this, such as
 *   killing an agent that it neither is nor launched.
 * @JANUS_ERROR_AGENT_DEAD: the agent is dead (for instance it tried to send a
 *   message after it died).
 * @JANUS_ERROR_NOT_LAUNCHED: the agent has not been launched yet.
 * @JANUS_ERROR_MESSAGE_SENT: the message was sent already; a sent message is
 *   immutable and is delivered once. Send a copy or forward it.
 * @JANUS_ERROR_INVALID_ADDRESS: the text is not a janus-c address.
 * @JANUS_ERROR_KERNEL_STOPPED: the kernel is shutting down and accepts no new
 *   agents.
 * @JANUS_ERROR_TOO_MANY_AGENTS: the kernel has handed out all of its agent
 *   identifiers (2^34 launches).
 * @JANUS_ERROR_INVALID_LIVE_RESULT: `live` returned a value outside
 *   [enum@Janus.Live], typically after an exception in a language binding.
 * @JANUS_ERROR_WRONG_THREAD: the call needs another thread or kernel mode,
 *   such as [method@Janus.Kernel.step] on a kernel with worker threads.
 * @JANUS_ERROR_TIMED_OUT: a bounded wait ended without a result.
 * @JANUS_ERROR_INVALID_ARGUMENT: a value given at run time is outside what
 *   the call accepts.
 * @JANUS_ERROR_ROLE_NOT_LISTED: the group's organization does not list this
 *   role type (nor one of its parents).
 * @JANUS_ERROR_ROLE_ALREADY_PLAYED: the agent already plays this role in
 *   this group.
 * @JANUS_ERROR_CONDITION_FAILED: an obtain or leave condition of the group or
 *   of the role refused (the message names the condition).
 * @JANUS_ERROR_CARDINALITY_FULL: the role already has as many players in the
 *   group as the organization allows.
 * @JANUS_ERROR_MISSING_CAPACITY: the role requires a capacity the agent does
 *   not provide.
 * @JANUS_ERROR_NOT_A_MEMBER: the agent may not be, or is not, a member of
 *   the group in the way the call needs (the group's membership policy
 *   refused it, or the receiver does not play the role there).
 * @JANUS_ERROR_ROLE_NOT_PLAYED: the agent does not play this role in this
 *   group.
 * @JANUS_ERROR_TIME_BACKWARDS: a virtual clock was asked to go back (or to
 *   stay): its time only increases.
 *
 * Error codes in the %JANUS_ERROR domain. Each refusal has its own code and a
 * message naming what was refused.
 */
typedef enum {
  JANUS_ERROR_FAILED,
  JANUS_ERROR_INVALID_PARAMETERS,
  JANUS_ERROR_ALREADY_LAUNCHED,
  JANUS_ERROR_NOT_PERMITTED,
  JANUS_ERROR_AGENT_DEAD,
  JANUS_ERROR_NOT_LAUNCHED,
  JANUS_ERROR_MESSAGE_SENT,
  JANUS_ERROR_INVALID_ADDRESS,
  JANUS_ERROR_KERNEL_STOPPED,
  JANUS_ERROR_TOO_MANY_AGENTS,
  JANUS_ERROR_INVALID_LIVE_RESULT,
  JANUS_ERROR_WRONG_THREAD,
  JANUS_ERROR_TIMED_OUT,
  JANUS_ERROR_INVALID_ARGUMENT,
  JANUS_ERROR_ROLE_NOT_LISTED,
  JANUS_ERROR_ROLE_ALREADY_PLAYED,
  JANUS_ERROR_CONDITION_FAILED,
  JANUS_ERROR_CARDINALITY_FULL,
  JANUS_ERROR_MISSING_CAPACITY,
  JANUS_ERROR_NOT_A_MEMBER,
  JANUS_ERROR_ROLE_NOT_PLAYED,
  JANUS_ERROR_TIME_BACKWARDS,
} JanusError;

JANUS_AVAILABLE_IN_ALL
GQuark janus_error_quark (void);

G_END_DECLS
