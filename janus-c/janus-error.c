/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "janus-error.h"

G_DEFINE_QUARK (janus-error-quark, janus_error)
