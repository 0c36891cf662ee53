/* SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The agent's life-cycle hooks for higher layers (janus-agent-private.h):
 * launch parameters kept for restarts. An internal test: it links the
 * library's objects, whose private functions the shared library hides.
 */
#include "janus-agent-private.h"
#include "janus-test-utils.h"

/* The launch parameters outlive activate (a supervisor restarts with them). */
static void
test_launch_parameters (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  TestAgent *without = test_agent_new (deaf_live, NULL);
  TestAgent *with = test_agent_new (deaf_live, NULL);
  GVariant *params;

  launch_alive (kernel, without);
  g_assert_null (janus_agent_get_launch_parameters (AGENT (without)));
  launch_ok (kernel, with, "named", g_variant_new ("(si)", "x", 7));
  step_until_idle (kernel, 10);
  g_assert_cmpint (janus_agent_get_state (AGENT (with)), ==, JANUS_AGENT_STATE_ALIVE);
  params = janus_agent_get_launch_parameters (AGENT (with));
  g_assert_nonnull (params);
  g_assert_true (g_variant_equal (params, with->parameters));
  g_assert_cmpstr (g_variant_get_type_string (params), ==, "(si)");
  /* and after death */
  kill_and_wait (kernel, with);
  g_assert_true (janus_agent_get_launch_parameters (AGENT (with)) == params);

  finish (kernel, without, with, NULL);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/agent-life/launch-parameters", test_launch_parameters);

  return g_test_run ();
}
