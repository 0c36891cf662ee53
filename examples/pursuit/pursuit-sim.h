/* SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The pursuit simulation (predators and prey on a torus), without main:
 * examples/pursuit/pursuit.c runs it from the command line and
 * tests/pursuit.c checks that it replays.
 */
#pragma once

#include <janus.h>

G_BEGIN_DECLS

typedef struct
{
  guint64  seed;
  guint    steps;               /* turns at most */
  guint    width;
  guint    height;
  guint    n_predators;
  guint    n_prey;
  gboolean realtime;            /* real clock and workers, else virtual time on 0 workers */
  guint    workers;             /* realtime only */
  gint64   period;              /* µs between two turns, on the kernel's clock */
  gboolean print_grid;          /* print the grid after every turn */
} PursuitConfig;

typedef struct
{
  guint  steps;                 /* turns played */
  guint  caught;                /* prey caught */
  char  *final;                 /* the final positions: "x.y,x.y,…|x.y,x,…" (x: caught) */
} PursuitResult;

void     pursuit_config_init  (PursuitConfig        *config);
gboolean pursuit_run          (const PursuitConfig  *config,
                               PursuitResult        *result,
                               GError              **error);
void     pursuit_result_clear (PursuitResult        *result);

G_END_DECLS
