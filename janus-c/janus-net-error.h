/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined (JANUS_INSIDE) && !defined (JANUS_COMPILATION)
#error "Only <janus.h> can be included directly."
#endif

#include <glib.h>

#include "janus-version-macros.h"

G_BEGIN_DECLS

/**
 * JANUS_NET_ERROR:
 *
 * The error domain of janus-c's network layer (JSON and MessagePack codecs,
 * connections, remote calls). Errors in this domain are from the
 * [error@Janus.NetError] enumeration.
 */
#define JANUS_NET_ERROR (janus_net_error_quark ())

/**
 * JanusNetError:
 * @JANUS_NET_ERROR_FAILED: a failure with no more specific code.
 * @JANUS_NET_ERROR_CODEC: a value cannot be encoded, or received bytes are
 *   not a valid document of the codec (invalid JSON or MessagePack, an
 *   integer beyond the 64-bit range, invalid UTF-8, nesting too deep, an
 *   unknown `__type__` id).
 * @JANUS_NET_ERROR_PROTOCOL: a frame is well formed for the codec but is not
 *   an aiomas message (`[type, id, content]` with type 0, 1 or 2), or
 *   answers a request that was never sent.
 * @JANUS_NET_ERROR_FRAME_TOO_LARGE: a frame is longer than the maximum frame
 *   size (see [property@Janus.Network:max-frame-size]).
 * @JANUS_NET_ERROR_REFUSED: the remote kernel could not be reached
 *   (connection refused, unknown host, unreachable network).
 * @JANUS_NET_ERROR_CLOSED: the connection was closed or reset before the
 *   answer arrived.
 * @JANUS_NET_ERROR_TIMED_OUT: no answer within the call's time-out.
 * @JANUS_NET_ERROR_REMOTE: the remote side answered with an error; the
 *   message is the text it sent (a Python traceback from aiomas, or
 *   `domain code: message` from janus-c).
 * @JANUS_NET_ERROR_UNKNOWN_AGENT: the remote kernel has no agent with that
 *   identifier.
 * @JANUS_NET_ERROR_UNKNOWN_METHOD: the agent exposes no method of that name
 *   (or the path names nothing the kernel answers).
 * @JANUS_NET_ERROR_INVALID_ARGUMENTS: the arguments do not match what the
 *   exposed method declared (wrong number or types).
 * @JANUS_NET_ERROR_BUSY: backpressure: the connection has too much data or
 *   too many requests waiting to be sent or answered.
 * @JANUS_NET_ERROR_TLS: the TLS handshake failed or the peer's certificate
 *   was refused.
 * @JANUS_NET_ERROR_SHUTDOWN: the kernel is shutting down its network.
 * @JANUS_NET_ERROR_NO_ANSWER: the exposed method finished without
 *   answering its invocation.
 * @JANUS_NET_ERROR_WRONG_THREAD: a blocking call from a thread that must
 *   not block (a light agent's worker, the network thread).
 *
 * Error codes in the %JANUS_NET_ERROR domain.
 */
typedef enum {
  JANUS_NET_ERROR_FAILED,
  JANUS_NET_ERROR_CODEC,
  JANUS_NET_ERROR_PROTOCOL,
  JANUS_NET_ERROR_FRAME_TOO_LARGE,
  JANUS_NET_ERROR_REFUSED,
  JANUS_NET_ERROR_CLOSED,
  JANUS_NET_ERROR_TIMED_OUT,
  JANUS_NET_ERROR_REMOTE,
  JANUS_NET_ERROR_UNKNOWN_AGENT,
  JANUS_NET_ERROR_UNKNOWN_METHOD,
  JANUS_NET_ERROR_INVALID_ARGUMENTS,
  JANUS_NET_ERROR_BUSY,
  JANUS_NET_ERROR_TLS,
  JANUS_NET_ERROR_SHUTDOWN,
  JANUS_NET_ERROR_NO_ANSWER,
  JANUS_NET_ERROR_WRONG_THREAD,
} JanusNetError;

JANUS_AVAILABLE_IN_ALL
GQuark janus_net_error_quark (void);

G_END_DECLS
