/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined (JANUS_INSIDE) && !defined (JANUS_COMPILATION)
#error "Only <janus.h> can be included directly."
#endif

#include <glib.h>

#include "janus-version.h"

/* The availability of each public symbol, after json-glib's
 * json-version-macros.h: an application defines JANUS_VERSION_MIN_REQUIRED
 * (the oldest janus-c it supports) to be warned about what was deprecated
 * by then, and JANUS_VERSION_MAX_ALLOWED (the newest it may use) to be
 * warned about what came later. */

#ifndef _JANUS_EXTERN
#define _JANUS_EXTERN __attribute__((visibility ("default"))) extern
#endif

/**
 * JANUS_VERSION_0_1:
 *
 * The encoded version of janus-c 0.1, for `JANUS_VERSION_MIN_REQUIRED`
 * and `JANUS_VERSION_MAX_ALLOWED`.
 */
#define JANUS_VERSION_0_1 (G_ENCODE_VERSION (0, 1))

/* the version of these headers, and the one before it */
#define JANUS_VERSION_CUR_STABLE (G_ENCODE_VERSION (JANUS_MAJOR_VERSION, JANUS_MINOR_VERSION))
#if (JANUS_MINOR_VERSION == 0)
#define JANUS_VERSION_PREV_STABLE (JANUS_VERSION_CUR_STABLE)
#else
#define JANUS_VERSION_PREV_STABLE (G_ENCODE_VERSION (JANUS_MAJOR_VERSION, JANUS_MINOR_VERSION - 1))
#endif

/**
 * JANUS_VERSION_MIN_REQUIRED:
 *
 * The oldest janus-c the application supports, as an encoded version such
 * as `JANUS_VERSION_0_1`. Define it before including `janus.h` to be warned
 * about the symbols deprecated in that version or earlier; by default, the
 * version of these headers.
 */
#ifndef JANUS_VERSION_MIN_REQUIRED
#define JANUS_VERSION_MIN_REQUIRED (JANUS_VERSION_CUR_STABLE)
#endif

/**
 * JANUS_VERSION_MAX_ALLOWED:
 *
 * The newest janus-c whose API the application may use, as an encoded
 * version. Define it before including `janus.h` to be warned about symbols
 * added after that version; by default, the version of these headers.
 */
#ifndef JANUS_VERSION_MAX_ALLOWED
#define JANUS_VERSION_MAX_ALLOWED (JANUS_VERSION_CUR_STABLE)
#endif

#if JANUS_VERSION_MAX_ALLOWED < JANUS_VERSION_MIN_REQUIRED
#error "JANUS_VERSION_MAX_ALLOWED must be >= JANUS_VERSION_MIN_REQUIRED"
#endif
#if JANUS_VERSION_MIN_REQUIRED < JANUS_VERSION_0_1
#error "JANUS_VERSION_MIN_REQUIRED must be >= JANUS_VERSION_0_1"
#endif

/**
 * JANUS_AVAILABLE_IN_ALL:
 *
 * Marks a symbol as part of the public API of every janus-c release.
 */
#define JANUS_AVAILABLE_IN_ALL _JANUS_EXTERN

/**
 * JANUS_DEPRECATED:
 *
 * Marks a symbol as deprecated, with no replacement.
 */
#define JANUS_DEPRECATED G_DEPRECATED _JANUS_EXTERN

/**
 * JANUS_DEPRECATED_FOR:
 * @f: the symbol to use instead
 *
 * Marks a symbol as deprecated in favour of @f.
 */
#define JANUS_DEPRECATED_FOR(f) G_DEPRECATED_FOR (f) _JANUS_EXTERN

/**
 * JANUS_UNAVAILABLE:
 * @maj: the major version that added the symbol
 * @min: the minor version that added the symbol
 *
 * Marks a symbol as added after `JANUS_VERSION_MAX_ALLOWED`.
 */
#define JANUS_UNAVAILABLE(maj,min) G_UNAVAILABLE (maj, min) _JANUS_EXTERN

/**
 * JANUS_DEPRECATED_IN_0_1:
 *
 * Marks a symbol as deprecated in janus-c 0.1.
 */
/**
 * JANUS_DEPRECATED_IN_0_1_FOR:
 * @f: the symbol to use instead
 *
 * Marks a symbol as deprecated in janus-c 0.1 in favour of @f.
 */
#if JANUS_VERSION_MIN_REQUIRED >= JANUS_VERSION_0_1
#define JANUS_DEPRECATED_IN_0_1           JANUS_DEPRECATED
#define JANUS_DEPRECATED_IN_0_1_FOR(f)    JANUS_DEPRECATED_FOR (f)
#else
#define JANUS_DEPRECATED_IN_0_1           _JANUS_EXTERN
#define JANUS_DEPRECATED_IN_0_1_FOR(f)    _JANUS_EXTERN
#endif

/**
 * JANUS_AVAILABLE_IN_0_1:
 *
 * Marks a symbol added in janus-c 0.1.
 */
#if JANUS_VERSION_MAX_ALLOWED < JANUS_VERSION_0_1
#define JANUS_AVAILABLE_IN_0_1            JANUS_UNAVAILABLE (0, 1)
#else
#define JANUS_AVAILABLE_IN_0_1            _JANUS_EXTERN
#endif
