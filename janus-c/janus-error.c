/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "janus-error.h"

G_DEFINE_QUARK (janus-kernel-error-quark, janus_kernel_error)
G_DEFINE_QUARK (janus-message-error-quark, janus_message_error)
G_DEFINE_QUARK (janus-organization-error-quark, janus_organization_error)
G_DEFINE_QUARK (janus-clock-error-quark, janus_clock_error)
G_DEFINE_QUARK (janus-memory-error-quark, janus_memory_error)
