/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined (JANUS_INSIDE) && !defined (JANUS_COMPILATION)
#error "Only <janus.h> can be included directly."
#endif

#include <glib.h>

#include "janus-version.h"

#ifndef _JANUS_EXTERN
#define _JANUS_EXTERN __attribute__((visibility ("default"))) extern
#endif

/**
 * JANUS_AVAILABLE_IN_ALL:
 *
 * Marks a symbol as part of the public API of every janus-c release.
 */
#define JANUS_AVAILABLE_IN_ALL _JANUS_EXTERN

/**
 * JANUS_AVAILABLE_IN_0_1:
 *
 * Marks a symbol added in janus-c 0.1.
 */
#define JANUS_AVAILABLE_IN_0_1 _JANUS_EXTERN
