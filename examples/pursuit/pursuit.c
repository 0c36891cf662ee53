/* SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * pursuit: predators hunt prey on a toroidal grid (see pursuit-sim.c).
 *
 *   pursuit [--seed S] [--steps N]            a fast virtual-time simulation
 *                                             on a kernel without workers;
 *                                             prints one summary line
 *   pursuit --realtime [--workers N] [--steps N]
 *                                             real time, a move every 200 ms,
 *                                             the grid printed every turn
 *
 * The summary line is
 *
 *   pursuit seed=S steps=N caught=K final=P|Y
 *
 * with N the turns played (fewer than asked when every prey was caught),
 * P the positions x.y of the predators and Y those of the prey ('x' for a
 * caught one). The same seed gives the same line.
 */
#include <stdlib.h>

#include "pursuit-sim.h"

int
main (int    argc,
      char **argv)
{
  PursuitConfig config;
  PursuitResult result;
  gint64 seed = 1, steps = 200, workers = 2, width = 20, height = 20, predators = 4, prey = 2;
  gint64 period_ms = 200;
  gboolean realtime = FALSE;
  g_autoptr(GOptionContext) context = g_option_context_new ("- predators and prey on a torus");
  g_autoptr(GError) error = NULL;
  GOptionEntry entries[] = {
    { "seed", 's', 0, G_OPTION_ARG_INT64, &seed, "Seed of every random choice (default 1)", "S" },
    { "steps", 'n', 0, G_OPTION_ARG_INT64, &steps, "Turns at most (default 200)", "N" },
    { "realtime", 'r', 0, G_OPTION_ARG_NONE, &realtime, "Run in real time and print the grid", NULL },
    { "workers", 'w', 0, G_OPTION_ARG_INT64, &workers, "Worker threads in real time (default 2)", "N" },
    { "period", 'p', 0, G_OPTION_ARG_INT64, &period_ms, "Milliseconds between turns (default 200)", "MS" },
    { "width", 0, 0, G_OPTION_ARG_INT64, &width, "Grid width (default 20)", "W" },
    { "height", 0, 0, G_OPTION_ARG_INT64, &height, "Grid height (default 20)", "H" },
    { "predators", 0, 0, G_OPTION_ARG_INT64, &predators, "Predators (default 4)", "N" },
    { "prey", 0, 0, G_OPTION_ARG_INT64, &prey, "Prey (default 2)", "N" },
    G_OPTION_ENTRY_NULL
  };

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  if (steps < 1 || steps > G_MAXUINT || workers < 0 || workers > 1024 || period_ms < 0
      || width < 1 || width > G_MAXUINT || height < 1 || height > G_MAXUINT
      || predators < 0 || predators > G_MAXUINT || prey < 0 || prey > G_MAXUINT)
    {
      g_printerr ("%s: a value is out of range\n", g_get_prgname ());
      return 2;
    }

  pursuit_config_init (&config);
  config.seed = (guint64) seed;
  config.steps = (guint) steps;
  config.realtime = realtime;
  config.workers = (guint) workers;
  config.period = period_ms * 1000;
  config.width = (guint) width;
  config.height = (guint) height;
  config.n_predators = (guint) predators;
  config.n_prey = (guint) prey;
  config.print_grid = realtime;

  if (!pursuit_run (&config, &result, &error))
    {
      g_printerr ("%s: %s\n", g_get_prgname (), error->message);
      return error->domain == G_OPTION_ERROR ? 2 : 1;
    }
  g_print ("pursuit seed=%" G_GUINT64_FORMAT " steps=%u caught=%u final=%s\n",
           config.seed, result.steps, result.caught, result.final);
  pursuit_result_clear (&result);
  return EXIT_SUCCESS;
}
