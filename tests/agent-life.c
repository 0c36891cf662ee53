/* SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The agent's life-cycle hooks for higher layers (janus-agent-private.h):
 * launch parameters kept for restarts, and the life hook that follows
 * deaths and may postpone an end. An internal test: it links the
 * library's objects, whose private functions the shared library hides.
 */
#include <string.h>

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

/* The test's life hook: logs what it hears of the agents in `watched`
 * and postpones the end of those in `postponed`. */
static GMutex hook_lock;
static GHashTable *watched;      /* TestAgent -> name */
static GHashTable *postponed;    /* TestAgent */

static gboolean
test_hook (JanusAgent          *agent,
           JanusAgentLifeEvent  event)
{
  const char *name;
  gboolean postpone;

  g_mutex_lock (&hook_lock);
  name = watched ? g_hash_table_lookup (watched, agent) : NULL;
  postpone = postponed && g_hash_table_contains (postponed, agent);
  g_mutex_unlock (&hook_lock);
  if (name == NULL)
    return FALSE;
  g_assert_true (janus_agent_get_current () == agent);
  switch (event)
    {
    case JANUS_AGENT_LIFE_ALIVE:
      g_assert_cmpint (janus_agent_get_state (agent), ==, JANUS_AGENT_STATE_ALIVE);
      g_assert_cmpint (g_atomic_int_get (&TEST_AGENT (agent)->n_live), ==, 0);
      log_event ("alive %s", name);
      return FALSE;
    case JANUS_AGENT_LIFE_DYING:
      g_assert_cmpint (janus_agent_get_state (agent), ==, JANUS_AGENT_STATE_DYING);
      break;
    case JANUS_AGENT_LIFE_ENDED:
      g_assert_cmpint (janus_agent_get_state (agent), ==, JANUS_AGENT_STATE_BREAKING_DOWN);
      g_assert_true (test_agent_has_ended (TEST_AGENT (agent)));
      break;
    }
  log_event ("%s %s%s", event == JANUS_AGENT_LIFE_DYING ? "dying" : "ended", name,
             event == JANUS_AGENT_LIFE_DYING && postpone ? " (postponed)" : "");
  return event == JANUS_AGENT_LIFE_DYING && postpone;
}

static void
watch (gpointer    agent,
       const char *name,
       gboolean    postpone)
{
  g_mutex_lock (&hook_lock);
  if (watched == NULL)
    {
      watched = g_hash_table_new (NULL, NULL);
      postponed = g_hash_table_new (NULL, NULL);
      janus_agent_set_life_hook (test_hook);
    }
  g_hash_table_insert (watched, agent, (gpointer) name);
  if (postpone)
    g_hash_table_add (postponed, agent);
  else
    g_hash_table_remove (postponed, agent);
  g_mutex_unlock (&hook_lock);
}

static void
unwatch_all (void)
{
  g_mutex_lock (&hook_lock);
  g_hash_table_remove_all (watched);
  g_hash_table_remove_all (postponed);
  g_mutex_unlock (&hook_lock);
}

static JanusLive
logging_live (TestAgent *self)
{
  log_event ("live");
  return JANUS_LIVE_WAIT;
}

static void
logging_end (TestAgent *self)
{
  log_event ("end");
}

/* ALIVE after activate and before anything else of the turn; DYING before
 * end, ENDED after end (the agent still BREAKING_DOWN), for a kill and for
 * a failed activate (which is never ALIVE). */
static gboolean
refuse (TestAgent  *self,
        GVariant   *parameters,
        GError    **error)
{
  g_set_error (error, TEST_ERROR, 1, "refused");
  return FALSE;
}

static void
test_hook_events (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  TestAgent *killed = test_agent_new (logging_live, NULL);
  TestAgent *failed = test_agent_new (logging_live, NULL);

  killed->end = logging_end;
  failed->end = logging_end;
  failed->activate = refuse;
  watch (killed, "killed", FALSE);
  watch (failed, "failed", FALSE);
  log_clear ();
  launch_alive (kernel, killed);
  kill_and_wait (kernel, killed);
  assert_events ("alive killed;live;dying killed;end;ended killed;");
  launch_ok (kernel, failed, NULL, NULL);
  step_until_idle (kernel, 10);
  assert_events ("dying failed;end;ended failed;");
  g_assert_cmpint (janus_agent_get_state (AGENT (failed)), ==, JANUS_AGENT_STATE_DIED);

  unwatch_all ();
  finish (kernel, killed, failed, NULL);
}

/* A postponed end: the agent stays DYING — no live, no end, no task —
 * and keeps what is sent to it, until it is woken and the hook lets it
 * go; then its tasks are cancelled and its letters are dead letters. */
static void
cancel_logged (JanusAgent *agent,
               gpointer    data)
{
  log_event ("task ran");
}

static void
task_destroyed (gpointer data)
{
  log_event ("task destroyed");
}

static void
test_postpone (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  TestAgent *agent = test_agent_new (logging_live, NULL);
  int n_live;

  agent->end = logging_end;
  watch (agent, "agent", TRUE);
  launch_alive (kernel, agent);
  log_clear ();
  g_assert_true (janus_kernel_kill (kernel, AGENT (agent), NULL));
  step_until_idle (kernel, 10);
  assert_events ("dying agent (postponed);");
  g_assert_cmpint (janus_agent_get_state (AGENT (agent)), ==, JANUS_AGENT_STATE_DYING);
  n_live = g_atomic_int_get (&agent->n_live);

  /* asleep: a letter, a task and a kill change nothing */
  kernel_send_ok (kernel, ADDR (agent), janus_message_new ("hello", NULL));
  g_assert_true (janus_agent_invoke (AGENT (agent), cancel_logged, NULL, task_destroyed));
  g_assert_true (janus_kernel_kill (kernel, AGENT (agent), NULL));
  step_until_idle (kernel, 10);
  g_assert_cmpint (janus_agent_get_state (AGENT (agent)), ==, JANUS_AGENT_STATE_DYING);
  g_assert_cmpint (g_atomic_int_get (&agent->n_live), ==, n_live);
  g_assert_cmpint (g_atomic_int_get (&agent->n_end), ==, 0);
  g_assert_cmpuint (janus_kernel_get_dead_letter_count (kernel), ==, 0);
  /* each turn asked the hook again, and nothing else ran */
  {
    g_autofree char *log = log_take ();
    g_assert_null (strstr (log, "task ran"));
    g_assert_null (strstr (log, "end"));
    g_assert_nonnull (strstr (log, "dying agent (postponed)"));
  }

  /* woken and let go */
  watch (agent, "agent", FALSE);
  janus_agent_wake (AGENT (agent));
  step_until_idle (kernel, 10);
  assert_events ("dying agent;end;ended agent;task destroyed;");
  g_assert_cmpint (janus_agent_get_state (AGENT (agent)), ==, JANUS_AGENT_STATE_DIED);
  g_assert_cmpuint (janus_kernel_get_dead_letter_count (kernel), ==, 1);

  unwatch_all ();
  finish (kernel, agent, NULL);
}

/* The same for a heavy agent: its thread sleeps while postponed, a wake
 * asks again. */
static void
test_postpone_heavy (void)
{
  JanusKernel *kernel = janus_kernel_new (1);
  TestAgent *agent = test_agent_new (deaf_live, NULL);
  gint64 deadline = g_get_monotonic_time () + DEADLINE_USEC;
  GString *seen;

  log_clear ();
  watch (agent, "heavy", TRUE);
  g_assert_true (janus_kernel_launch_heavy_agent (kernel, AGENT (agent), "heavy", NULL, NULL));
  g_assert_true (janus_kernel_kill (kernel, AGENT (agent), NULL));
  /* bounded: until the hook postponed its end (the state reads DYING
   * before the hook is asked: wait for what the hook logged) */
  seen = g_string_new (NULL);
  for (;;)
    {
      g_autofree char *part = log_take ();

      g_string_append (seen, part);
      if (strstr (seen->str, "dying heavy (postponed);") != NULL)
        break;
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_thread_yield ();
    }
  g_assert_cmpint (janus_agent_get_state (AGENT (agent)), ==, JANUS_AGENT_STATE_DYING);
  kernel_send_ok (kernel, ADDR (agent), janus_message_new ("kept", NULL));
  g_assert_cmpint (g_atomic_int_get (&agent->n_end), ==, 0);
  watch (agent, "heavy", FALSE);
  janus_agent_wake (AGENT (agent));
  run_bounded (kernel);
  g_assert_cmpint (janus_agent_get_state (AGENT (agent)), ==, JANUS_AGENT_STATE_DIED);
  g_assert_cmpint (g_atomic_int_get (&agent->n_end), ==, 1);
  g_assert_cmpuint (janus_kernel_get_dead_letter_count (kernel), ==, 1);

  unwatch_all ();
  {
    g_autofree char *rest = log_take ();
    g_autofree char *log = NULL;

    g_string_append (seen, rest);
    log = g_string_free (seen, FALSE);
    g_assert_true (g_str_has_prefix (log, "alive heavy;dying heavy (postponed);"));
    g_assert_true (g_str_has_suffix (log, "dying heavy;ended heavy;"));
  }
  finish (kernel, agent, NULL);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/agent-life/launch-parameters", test_launch_parameters);
  g_test_add_func ("/agent-life/hook-events", test_hook_events);
  g_test_add_func ("/agent-life/postpone", test_postpone);
  g_test_add_func ("/agent-life/postpone-heavy", test_postpone_heavy);

  return g_test_run ();
}
