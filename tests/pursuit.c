/* SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The pursuit example (examples/pursuit/pursuit-sim.c, compiled in):
 * a virtual-time run replays exactly for a seed (final positions, turns,
 * captures) and another seed plays another game; the same game in real
 * time on workers ends the same way (the program only depends on what the
 * library orders: per-sender FIFO and causality through the environment);
 * the virtual run takes no real time; the configuration is checked.
 */
#include "../examples/pursuit/pursuit-sim.c"

static gboolean
test_small (void)
{
  return g_strcmp0 (g_getenv ("JANUS_TEST_SMALL"), "1") == 0;
}

static guint
test_steps (void)
{
  return test_small () ? 60 : 200;
}

static void
run_ok (const PursuitConfig *config,
        PursuitResult       *result)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (pursuit_run (config, result, &error));
  g_assert_no_error (error);
  g_assert_nonnull (result->final);
  g_assert_cmpuint (result->steps, >=, 1);
  g_assert_cmpuint (result->steps, <=, config->steps);
  g_assert_cmpuint (result->caught, <=, config->n_prey);
  /* fewer turns only when every prey was caught */
  if (result->steps < config->steps)
    g_assert_cmpuint (result->caught, ==, config->n_prey);
}

static void
virtual_config (PursuitConfig *config,
                guint64        seed)
{
  pursuit_config_init (config);
  config->seed = seed;
  config->steps = test_steps ();
}

static gboolean
results_equal (const PursuitResult *a,
               const PursuitResult *b)
{
  return a->steps == b->steps && a->caught == b->caught && g_strcmp0 (a->final, b->final) == 0;
}

/* Same seed, two runs: the same final state. */
static void
test_replay_same_seed (gconstpointer data)
{
  PursuitConfig config;
  PursuitResult a, b;

  virtual_config (&config, GPOINTER_TO_SIZE (data));
  run_ok (&config, &a);
  run_ok (&config, &b);
  g_test_message ("seed %" G_GUINT64_FORMAT ": %u turns, %u caught, final %s",
                  config.seed, a.steps, a.caught, a.final);
  g_assert_cmpstr (a.final, ==, b.final);
  g_assert_cmpuint (a.steps, ==, b.steps);
  g_assert_cmpuint (a.caught, ==, b.caught);
  pursuit_result_clear (&a);
  pursuit_result_clear (&b);
}

/* Other seeds: other games (at least one of a few differs from seed 42). */
static void
test_replay_other_seed (void)
{
  static const guint64 others[] = { 43, 44, 45, 1000 };
  PursuitConfig config;
  PursuitResult base;
  guint i, differ = 0;

  virtual_config (&config, 42);
  run_ok (&config, &base);
  for (i = 0; i < G_N_ELEMENTS (others); i++)
    {
      PursuitResult other;

      config.seed = others[i];
      run_ok (&config, &other);
      differ += !results_equal (&base, &other);
      pursuit_result_clear (&other);
    }
  g_test_message ("%u of %u other seeds played another game", differ, (guint) G_N_ELEMENTS (others));
  g_assert_cmpuint (differ, >=, 1);
  pursuit_result_clear (&base);
}

/* The encoding: every predator, a '|', every prey; 'x' for each caught
 * prey; positions on the grid, two bodies never on one cell. */
static void
test_final_encoding (void)
{
  PursuitConfig config;
  PursuitResult r;
  g_auto(GStrv) sides = NULL;
  g_auto(GStrv) predators = NULL;
  g_auto(GStrv) prey = NULL;
  g_autoptr(GHashTable) cells = g_hash_table_new (g_str_hash, g_str_equal);
  guint i, caught = 0;

  virtual_config (&config, 5);
  config.steps = 500;
  run_ok (&config, &r);
  sides = g_strsplit (r.final, "|", -1);
  g_assert_cmpuint (g_strv_length (sides), ==, 2);
  predators = g_strsplit (sides[0], ",", -1);
  prey = g_strsplit (sides[1], ",", -1);
  g_assert_cmpuint (g_strv_length (predators), ==, config.n_predators);
  g_assert_cmpuint (g_strv_length (prey), ==, config.n_prey);
  for (i = 0; prey[i] != NULL; i++)
    caught += g_strcmp0 (prey[i], "x") == 0;
  g_assert_cmpuint (caught, ==, r.caught);
  for (i = 0; i < config.n_predators + config.n_prey; i++)
    {
      const char *p = i < config.n_predators ? predators[i] : prey[i - config.n_predators];
      guint64 x, y;
      char *end;

      if (g_strcmp0 (p, "x") == 0)
        continue;
      x = g_ascii_strtoull (p, &end, 10);
      g_assert_cmpint (*end, ==, '.');
      y = g_ascii_strtoull (end + 1, &end, 10);
      g_assert_cmpint (*end, ==, '\0');
      g_assert_cmpuint (x, <, config.width);
      g_assert_cmpuint (y, <, config.height);
      g_assert_false (g_hash_table_contains (cells, p));
      g_hash_table_add (cells, (gpointer) p);
    }
  pursuit_result_clear (&r);
}

/* 200 turns 200 ms apart are 40 s of virtual time: no real time. */
static void
test_virtual_takes_no_time (void)
{
  PursuitConfig config;
  PursuitResult r;
  gint64 start = g_get_monotonic_time ();

  virtual_config (&config, 2);          /* a game where no prey is caught */
  run_ok (&config, &r);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);
  pursuit_result_clear (&r);
}

/* The same game in real time on 2 workers (no pause between turns) ends
 * exactly as the virtual one. */
static void
test_realtime_matches_virtual (gconstpointer data)
{
  PursuitConfig config;
  PursuitResult virtual_result, real_result;

  virtual_config (&config, GPOINTER_TO_SIZE (data));
  config.steps = test_small () ? 40 : 120;
  run_ok (&config, &virtual_result);
  config.realtime = TRUE;
  config.workers = 2;
  config.period = 0;
  run_ok (&config, &real_result);
  g_assert_cmpstr (real_result.final, ==, virtual_result.final);
  g_assert_cmpuint (real_result.steps, ==, virtual_result.steps);
  g_assert_cmpuint (real_result.caught, ==, virtual_result.caught);
  pursuit_result_clear (&virtual_result);
  pursuit_result_clear (&real_result);
}

/* Real time with a period: bounded by the steps, each turn at least a
 * period after the previous one. */
static void
test_realtime_period (void)
{
  PursuitConfig config;
  PursuitResult r;
  gint64 start, elapsed;

  pursuit_config_init (&config);
  config.seed = 2;
  config.steps = 10;
  config.realtime = TRUE;
  config.workers = 2;
  config.period = 2000;
  start = g_get_monotonic_time ();
  run_ok (&config, &r);
  elapsed = g_get_monotonic_time () - start;
  g_assert_cmpuint (r.steps, ==, 10);
  g_assert_cmpint (elapsed, >=, 9 * config.period);
  g_assert_cmpint (elapsed, <, 10 * G_USEC_PER_SEC);
  pursuit_result_clear (&r);
}

typedef struct
{
  guint width, height, predators, prey, steps;
} BadConfig;

static void
test_config_invalid (gconstpointer data)
{
  const BadConfig *bad = data;
  PursuitConfig config;
  PursuitResult r;
  g_autoptr(GError) error = NULL;

  pursuit_config_init (&config);
  config.width = bad->width;
  config.height = bad->height;
  config.n_predators = bad->predators;
  config.n_prey = bad->prey;
  config.steps = bad->steps;
  g_assert_false (pursuit_run (&config, &r, &error));
  g_assert_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE);
  g_assert_null (r.final);
}

int
main (int    argc,
      char **argv)
{
  static const BadConfig bad[] = {
    { 2, 20, 4, 2, 10 },
    { 20, 20, 0, 2, 10 },
    { 20, 20, 4, 0, 10 },
    { 4, 4, 5, 4, 10 },
    { 20, 20, 4, 2, 0 },
  };
  guint i;

  g_test_init (&argc, &argv, NULL);

  g_test_add_data_func ("/pursuit/replay/same-seed-42", GSIZE_TO_POINTER (42), test_replay_same_seed);
  g_test_add_data_func ("/pursuit/replay/same-seed-7", GSIZE_TO_POINTER (7), test_replay_same_seed);
  g_test_add_func ("/pursuit/replay/other-seed", test_replay_other_seed);
  g_test_add_func ("/pursuit/final/encoding", test_final_encoding);
  g_test_add_func ("/pursuit/virtual/takes-no-time", test_virtual_takes_no_time);
  g_test_add_data_func ("/pursuit/realtime/matches-virtual-3", GSIZE_TO_POINTER (3),
                        test_realtime_matches_virtual);
  g_test_add_data_func ("/pursuit/realtime/matches-virtual-42", GSIZE_TO_POINTER (42),
                        test_realtime_matches_virtual);
  g_test_add_func ("/pursuit/realtime/period", test_realtime_period);
  for (i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *path = g_strdup_printf ("/pursuit/config/invalid-%u", i);
      g_test_add_data_func (path, &bad[i], test_config_invalid);
    }

  return g_test_run ();
}
