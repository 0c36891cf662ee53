/* SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The checks on the hot path stay exact however they are made fast: the
 * argument checks of the agent functions accept every agent class, in any
 * order and on any thread, and refuse whatever is not an agent, also after
 * a thread has seen many agent classes; janus_agent_reply behaves as a send
 * to the request's sender.
 */
#include <janus.h>

#include "janus-test-utils.h"

#define N_CLASSES 40

static GType classes[N_CLASSES];

/* Agent classes, direct subclasses and deeper ones (a subclass of the
 * previous one every third class). */
static void
register_classes (void)
{
  guint i;

  if (classes[0] != 0)
    return;
  for (i = 0; i < N_CLASSES; i++)
    {
      g_autofree char *name = g_strdup_printf ("HotPathAgent%u", i);
      GType parent = i % 3 == 2 ? classes[i - 1] : i % 3 == 1 ? TEST_TYPE_AGENT : JANUS_TYPE_AGENT;

      classes[i] = register_type (parent, name, NULL);
    }
}

static JanusAgent **
new_agents (void)
{
  JanusAgent **agents = g_new0 (JanusAgent *, N_CLASSES);
  guint i;

  register_classes ();
  for (i = 0; i < N_CLASSES; i++)
    agents[i] = g_object_new (classes[i], NULL);
  return agents;
}

static void
free_agents (JanusAgent **agents)
{
  guint i;

  for (i = 0; i < N_CLASSES; i++)
    g_object_unref (agents[i]);
  g_free (agents);
}

/* Every agent passes, in turns of two, of three, of all; twice each so
 * that the second look is the remembered one. */
static void
check_agents_pass (JanusAgent **agents)
{
  guint round, i;

  for (round = 0; round < 3; round++)
    for (i = 0; i < N_CLASSES; i++)
      {
        JanusAgent *a = agents[(i * (round + 1) * 7) % N_CLASSES];
        JanusAgent *b = agents[i % 2];

        g_assert_cmpint (janus_agent_get_state (a), ==, JANUS_AGENT_STATE_UNBORN);
        g_assert_cmpint (janus_agent_get_state (b), ==, JANUS_AGENT_STATE_UNBORN);
        g_assert_cmpint (janus_agent_get_state (a), ==, JANUS_AGENT_STATE_UNBORN);
        g_assert_false (janus_agent_has_message (a));
      }
}

static void
test_many_classes (void)
{
  JanusAgent **agents = new_agents ();

  check_agents_pass (agents);
  free_agents (agents);
}

static gpointer
thread_check (gpointer data)
{
  check_agents_pass (data);
  return NULL;
}

static void
test_many_classes_threads (void)
{
  JanusAgent **agents = new_agents ();
  GThread *threads[2];
  guint i;

  for (i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("hot-path", thread_check, agents);
  for (i = 0; i < G_N_ELEMENTS (threads); i++)
    g_thread_join (threads[i]);
  free_agents (agents);
}

/* What is refused: a plain GObject, a role (a GObject of the library that
 * is not an agent) and a boxed value's memory that starts like nothing. */
typedef enum {
  REFUSE_GOBJECT,
  REFUSE_ROLE,
  REFUSE_OTHER_THREAD,
} RefuseCase;

static gpointer
thread_refuse (gpointer data)
{
  /* a thread that has seen agents of every class, then a GObject */
  check_agents_pass (data);
  {
    g_autoptr(GObject) o = g_object_new (G_TYPE_OBJECT, NULL);
    g_assert_cmpint (janus_agent_get_state ((JanusAgent *) o), ==, JANUS_AGENT_STATE_UNBORN);
  }
  return NULL;
}

static void
test_refuse (gconstpointer data)
{
  RefuseCase c = GPOINTER_TO_INT (data);

  if (g_test_subprocess ())
    {
      JanusAgent **agents = new_agents ();

      check_agents_pass (agents);
      switch (c)
        {
        case REFUSE_GOBJECT:
          {
            g_autoptr(GObject) o = g_object_new (G_TYPE_OBJECT, NULL);
            g_assert_false (janus_agent_send ((JanusAgent *) o, ADDR (agents[0]),
                                              janus_message_new_int64 ("x", 1), NULL));
          }
          break;
        case REFUSE_ROLE:
          {
            g_autoptr(GObject) r = g_object_new (TEST_TYPE_ROLE, NULL);
            g_assert_null (janus_agent_get_message ((JanusAgent *) r));
          }
          break;
        case REFUSE_OTHER_THREAD:
          g_thread_join (g_thread_new ("refuse", thread_refuse, agents));
          break;
        }
      free_agents (agents);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*CRITICAL*janus_is_agent*");
}

/* ------------------------------------------------------------- reply */

/* A reply goes where a send to the request's sender goes: to a sender that
 * died meanwhile it is a dead letter (counted, not an error), as a send
 * to a stored address of a dead agent is. */
static void
test_reply_to_dead_sender (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  TestAgent *asker = test_agent_new (collect_live, NULL);
  TestAgent *answerer = test_agent_new (deaf_live, NULL);
  g_autoptr(JanusMessage) request = NULL;
  g_autoptr(GError) error = NULL;

  launch_ok (kernel, asker, NULL, NULL);
  launch_ok (kernel, answerer, NULL, NULL);
  step_until_idle (kernel, 10);
  g_assert_true (janus_agent_send (AGENT (asker), ADDR (answerer),
                                   janus_message_new_int64 ("ask", 1), NULL));
  step_until_idle (kernel, 10);
  request = janus_agent_get_message (AGENT (answerer));
  g_assert_nonnull (request);
  kill_and_wait (kernel, asker);
  g_assert_true (janus_agent_reply (AGENT (answerer), request,
                                    janus_message_new_int64 ("answer", 2), &error));
  g_assert_no_error (error);
  g_assert_cmpuint (janus_kernel_get_dead_letter_count (kernel), ==, 1);
  finish (kernel, asker, answerer, NULL);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/hot-path/type-check/many-classes", test_many_classes);
  g_test_add_func ("/hot-path/type-check/many-classes-threads", test_many_classes_threads);
  g_test_add_data_func ("/hot-path/type-check/refuse-gobject",
                        GINT_TO_POINTER (REFUSE_GOBJECT), test_refuse);
  g_test_add_data_func ("/hot-path/type-check/refuse-role",
                        GINT_TO_POINTER (REFUSE_ROLE), test_refuse);
  g_test_add_data_func ("/hot-path/type-check/refuse-other-thread",
                        GINT_TO_POINTER (REFUSE_OTHER_THREAD), test_refuse);
  g_test_add_func ("/hot-path/reply/to-dead-sender", test_reply_to_dead_sender);

  return g_test_run ();
}
