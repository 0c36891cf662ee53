/* SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * What janus-bench.c (the harness and the fast style) shares with
 * janus-bench-user.c (the user style).
 */
#pragma once

#include <janus.h>

/* Prints the RESULT line of one measurement. */
void report    (const char  *workload,
                gint64       n,
                double       secs,
                double       work,
                const char  *unit,
                const char  *extra);

/* A latch: agents call signal_done () when the result is in, the main
 * thread waits for it. */
void signal_done (void);
void wait_done   (void);

/* Kills every agent and waits until they are gone. */
void finish      (JanusKernel *kernel);

/* The user style's workloads; same arguments, work and checks as the fast
 * style's, 0 on success. */
int user_run_pingpong (JanusKernel *kernel, gint64 n);
int user_run_ring     (JanusKernel *kernel, gint64 a, gint64 n);
int user_run_spawn    (JanusKernel *kernel, gint64 k);
int user_run_forkjoin (JanusKernel *kernel, gint64 f, gint64 n);
