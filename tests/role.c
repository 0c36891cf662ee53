/* SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Roles: janus_agent_request_role (each refusal, its code and a message
 * naming the role and the group; activate failures), janus_agent_leave_role
 * (conditions, end once, the role detached afterwards), the end-when-no-role
 * rule, the activator (the agent's default live: which roles it steps and
 * when, DONE and invalid results), roles of dying agents, the shared memory,
 * the role's view of its player's mailbox and janus_role_wait_message with a
 * heavy player.
 *
 * Deterministic: 0-worker kernels driven with janus_kernel_step (). The
 * test asks an agent to do something in its own step with agent_do (), or
 * calls the role API from the driving thread between steps (allowed on a
 * kernel without workers). The heavy-player test uses real events with
 * bounded waits.
 */
#include <string.h>

#include "janus-test-utils.h"

/* --------------------------------------------------------------- types */

static gboolean role_guard_open;        /* the leave condition of role_guarded */

static gboolean
role_guard (JanusAgent *agent,
            JanusGroup *group,
            GType       role_type,
            gpointer    user_data)
{
  return role_guard_open;
}

static GType role_a, role_a_sub, role_b, role_sender, role_limited, role_limited_sub,
             role_capable, role_guarded, role_time_open, role_time_past, role_time_future,
             role_time_virtual, role_unlisted;
static GType org_main, org_other;

static void
capable_class_init (gpointer klass,
                    gpointer data)
{
  janus_role_class_add_required_capacity (klass, TEST_TYPE_CAP);
}

static void
guarded_class_init (gpointer klass,
                    gpointer data)
{
  g_autoptr(JanusCondition) c = janus_condition_new ("role leave guard", role_guard, NULL, NULL);

  janus_role_class_add_leave_condition (klass, c);
}

static void
org_main_class_init (gpointer klass,
                     gpointer data)
{
  janus_organization_class_add_role (klass, role_a, 0);
  janus_organization_class_add_role (klass, role_b, 0);
  janus_organization_class_add_role (klass, role_sender, 0);
  janus_organization_class_add_role (klass, role_limited, 2);
  janus_organization_class_add_role (klass, role_capable, 0);
  janus_organization_class_add_role (klass, role_guarded, 0);
  janus_organization_class_add_role (klass, role_time_open, 0);
  janus_organization_class_add_role (klass, role_time_past, 0);
  janus_organization_class_add_role (klass, role_time_future, 0);
  janus_organization_class_add_role (klass, role_time_virtual, 0);
}

static void
org_other_class_init (gpointer klass,
                      gpointer data)
{
  janus_organization_class_add_role (klass, role_a, 0);
}

static void
register_types (void)
{
  role_a = register_type (TEST_TYPE_ROLE, "RoleTestA", NULL);
  role_a_sub = register_type (role_a, "RoleTestASub", NULL);
  role_b = register_type (TEST_TYPE_ROLE, "RoleTestB", NULL);
  role_sender = register_type (TEST_TYPE_ROLE, "RoleTestSender", NULL);
  role_limited = register_type (TEST_TYPE_ROLE, "RoleTestLimited", NULL);
  role_limited_sub = register_type (role_limited, "RoleTestLimitedSub", NULL);
  role_capable = register_type (TEST_TYPE_ROLE, "RoleTestCapable", capable_class_init);
  role_guarded = register_type (TEST_TYPE_ROLE, "RoleTestGuarded", guarded_class_init);
  role_time_open = register_type (TEST_TYPE_ROLE, "RoleTestTimeOpen", NULL);
  role_time_past = register_type (TEST_TYPE_ROLE, "RoleTestTimePast", NULL);
  role_time_future = register_type (TEST_TYPE_ROLE, "RoleTestTimeFuture", NULL);
  role_time_virtual = register_type (TEST_TYPE_ROLE, "RoleTestTimeVirtual", NULL);
  role_unlisted = register_type (TEST_TYPE_ROLE, "RoleTestUnlisted", NULL);

  org_main = register_type (JANUS_TYPE_ORGANIZATION, "RoleTestOrgMain", org_main_class_init);
  org_other = register_type (JANUS_TYPE_ORGANIZATION, "RoleTestOrgOther", org_other_class_init);
}

/* ------------------------------------------------------------- helpers */

/* Sends a role message "subject" from @from to the one player of @to. */
static JanusAddress *
role_send (TestRole   *from,
           GType       to,
           const char *subject)
{
  g_autoptr(GError) error = NULL;
  JanusAddress *a = NULL;
  janus_role_send (ROLE (from), to, janus_message_new (subject, NULL), &a, &error);

  g_assert_no_error (error);
  g_assert_nonnull (a);
  return a;
}

static void
role_send_free (TestRole   *from,
                GType       to,
                const char *subject)
{
  janus_address_free (role_send (from, to, subject));
}

static void
assert_subjects (GPtrArray  *messages,
                 const char *expected)
{
  g_autoptr(GString) s = g_string_new (NULL);
  guint i;

  g_assert_nonnull (messages);
  for (i = 0; i < messages->len; i++)
    g_string_append_printf (s, "%s%s", i ? "," : "", janus_message_get_subject (messages->pdata[i]));
  g_assert_cmpstr (s->str, ==, expected);
}

typedef struct
{
  guint       n_taken;
  guint       n_left;
  JanusRole  *last_left;
} SignalCount;

static void
on_taken (JanusGroup  *group,
          JanusRole   *role,
          SignalCount *sc)
{
  sc->n_taken++;
  log_event ("taken %s", G_OBJECT_TYPE_NAME (role));
}

static void
on_left (JanusGroup  *group,
         JanusRole   *role,
         SignalCount *sc)
{
  sc->n_left++;
  sc->last_left = role;
  log_event ("left %s", G_OBJECT_TYPE_NAME (role));
}

static void
watch (JanusGroup  *group,
       SignalCount *sc)
{
  g_signal_connect (group, "role-taken", G_CALLBACK (on_taken), sc);
  g_signal_connect (group, "role-left", G_CALLBACK (on_left), sc);
}

/* A kernel, a group of org_main and a sender agent playing role_sender. */
typedef struct
{
  JanusKernel *kernel;
  JanusGroup  *group;
  TestAgent   *sender;
  TestRole    *out;          /* the sender's role */
  SignalCount  sc;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->kernel = janus_kernel_new (0);
  f->group = new_group (f->kernel, org_main);
  janus_group_set_persistent (f->group, TRUE);
  watch (f->group, &f->sc);
  f->sender = launch_new (f->kernel, NULL, NULL);
  f->out = take (f->sender, role_sender, f->group);
  f->sc.n_taken = 0;
  log_clear ();
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  finish (f->kernel, NULL);
  g_assert_finalize_object (f->sender);
  g_assert_finalize_object (f->group);
  log_clear ();
}

#define TEST_F(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

/* ------------------------------------------------------ request refusals */

static void
test_request_not_listed (Fixture       *f,
                         gconstpointer  data)
{
  TestAgent *agent = launch_new (f->kernel, NULL, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_null (janus_agent_request_role (AGENT (agent), role_unlisted, f->group, NULL, &error));
  g_assert_error (error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_ROLE_NOT_LISTED);
  expect_names (error, role_unlisted, f->group);
  g_assert_cmpuint (f->sc.n_taken, ==, 0);
  assert_events ("");
  g_object_unref (agent);
}

static void
test_request_already_played (Fixture       *f,
                             gconstpointer  data)
{
  TestAgent *agent = launch_new (f->kernel, NULL, NULL);
  g_autoptr(GError) error = NULL;
  TestRole *a, *sub;

  a = take (agent, role_a, f->group);
  g_assert_null (janus_agent_request_role (AGENT (agent), role_a, f->group, NULL, &error));
  g_assert_error (error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_ROLE_ALREADY_PLAYED);
  expect_names (error, role_a, f->group);
  g_clear_error (&error);
  g_assert_cmpuint (a->n_activate, ==, 1);

  /* a subclass of a played role is another role */
  sub = take (agent, role_a_sub, f->group);
  g_assert_true (sub != a);
  g_assert_true (janus_agent_get_role (AGENT (agent), role_a, f->group) == ROLE (a));
  g_assert_true (janus_agent_get_role (AGENT (agent), role_a_sub, f->group) == ROLE (sub));
  g_assert_cmpuint (janus_group_count_players (f->group, role_a), ==, 2);
  /* the agent's roles, in take order */
  {
    g_autoptr(GPtrArray) roles = janus_agent_list_roles (AGENT (agent));
    g_assert_cmpuint (roles->len, ==, 2);
    g_assert_true (roles->pdata[0] == (gpointer) a);
    g_assert_true (roles->pdata[1] == (gpointer) sub);
  }
  /* but not twice either */
  g_assert_null (janus_agent_request_role (AGENT (agent), role_a_sub, f->group, NULL, &error));
  g_assert_error (error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_ROLE_ALREADY_PLAYED);
  g_clear_error (&error);
  g_assert_cmpuint (f->sc.n_taken, ==, 2);

  /* the same role in another group is fine */
  {
    JanusGroup *g2 = new_group (f->kernel, org_main);
    take (agent, role_a, g2);
    g_object_unref (g2);
  }
  g_object_unref (agent);
}

static void
test_request_parent_of_played (Fixture       *f,
                               gconstpointer  data)
{
  TestAgent *agent = launch_new (f->kernel, NULL, NULL);
  TestRole *sub, *a;

  /* plays the subclass: the parent type is still free */
  sub = take (agent, role_a_sub, f->group);
  g_assert_true (janus_agent_get_role (AGENT (agent), role_a, f->group) == ROLE (sub));
  a = take (agent, role_a, f->group);
  /* get_role: the exact type first */
  g_assert_true (janus_agent_get_role (AGENT (agent), role_a, f->group) == ROLE (a));
  g_object_unref (agent);
}

static gboolean
refuse (JanusAgent *agent,
        JanusGroup *group,
        GType       role_type,
        gpointer    user_data)
{
  return FALSE;
}

static void
test_request_membership (Fixture       *f,
                         gconstpointer  data)
{
  TestAgent *agent = launch_new (f->kernel, NULL, NULL);
  g_autoptr(JanusCondition) closed = janus_condition_new ("closed club", refuse, NULL, NULL);
  g_autoptr(GError) error = NULL;

  janus_group_set_membership_policy (f->group, closed);
  g_assert_null (janus_agent_request_role (AGENT (agent), role_a, f->group, NULL, &error));
  g_assert_error (error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_NOT_A_MEMBER);
  g_assert_nonnull (strstr (error->message, "closed club"));
  g_assert_cmpuint (f->sc.n_taken, ==, 0);
  g_assert_false (janus_group_has_member (f->group, AGENT (agent)));
  assert_events ("");
  expect_names (error, role_a, f->group);
  g_object_unref (agent);
}

static void
test_request_group_condition (Fixture       *f,
                              gconstpointer  data)
{
  TestAgent *agent = launch_new (f->kernel, NULL, NULL);
  g_autoptr(JanusCondition) no = janus_condition_new ("not today", refuse, NULL, NULL);
  g_autoptr(GError) error = NULL;

  janus_group_add_obtain_condition (f->group, no);
  g_assert_null (janus_agent_request_role (AGENT (agent), role_a, f->group, NULL, &error));
  g_assert_error (error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_CONDITION_FAILED);
  g_assert_nonnull (strstr (error->message, "not today"));
  expect_names (error, role_a, f->group);
  g_assert_cmpuint (f->sc.n_taken, ==, 0);
  assert_events ("");
  g_object_unref (agent);
}

static void
test_request_cardinality (Fixture       *f,
                          gconstpointer  data)
{
  TestAgent *a1 = launch_new (f->kernel, NULL, NULL);
  TestAgent *a2 = launch_new (f->kernel, NULL, NULL);
  TestAgent *a3 = launch_new (f->kernel, NULL, NULL);
  g_autoptr(GError) error = NULL;

  /* Limited takes 2; its subclass counts toward it */
  take (a1, role_limited_sub, f->group);
  take (a2, role_limited, f->group);
  log_clear ();
  g_assert_null (janus_agent_request_role (AGENT (a3), role_limited, f->group, NULL, &error));
  g_assert_error (error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_CARDINALITY_FULL);
  expect_names (error, role_limited, f->group);
  g_clear_error (&error);
  g_assert_null (janus_agent_request_role (AGENT (a3), role_limited_sub, f->group, NULL, &error));
  g_assert_error (error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_CARDINALITY_FULL);
  /* the message names the listed role whose places are taken */
  expect_names (error, role_limited, f->group);
  g_clear_error (&error);
  assert_events ("");
  g_assert_cmpuint (f->sc.n_taken, ==, 2);
  /* other roles are not limited by it */
  take (a3, role_a, f->group);
  g_object_unref (a1);
  g_object_unref (a2);
  g_object_unref (a3);
}

static void
test_request_missing_capacity (Fixture       *f,
                               gconstpointer  data)
{
  TestAgent *agent = launch_new (f->kernel, NULL, NULL);
  g_autoptr(GObject) cap = g_object_new (TEST_TYPE_CAP_IMPL, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_null (janus_agent_request_role (AGENT (agent), role_capable, f->group, NULL, &error));
  g_assert_error (error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_MISSING_CAPACITY);
  g_assert_nonnull (strstr (error->message, "TestCap"));
  g_assert_cmpuint (f->sc.n_taken, ==, 0);
  assert_events ("");
  expect_names (error, role_capable, f->group);

  janus_agent_add_capacity (AGENT (agent), TEST_TYPE_CAP, cap);
  take (agent, role_capable, f->group);
  g_object_unref (agent);
}

static void
test_request_time_window (Fixture       *f,
                          gconstpointer  data)
{
  TestAgent *agent = launch_new (f->kernel, NULL, NULL);
  gint64 now = janus_kernel_get_time (f->kernel);
  gint64 hour = (gint64) G_USEC_PER_SEC * 3600;
  g_autoptr(JanusCondition) open = janus_condition_new_time_window (now - hour, now + hour);
  g_autoptr(JanusCondition) past = janus_condition_new_time_window (now - 2 * hour, now - hour);
  g_autoptr(JanusCondition) future = janus_condition_new_time_window (now + hour, G_MAXINT64);
  g_autoptr(GError) error = NULL;

  janus_role_type_add_obtain_condition (role_time_open, open);
  janus_role_type_add_obtain_condition (role_time_past, past);
  janus_role_type_add_obtain_condition (role_time_future, future);

  take (agent, role_time_open, f->group);

  g_assert_null (janus_agent_request_role (AGENT (agent), role_time_past, f->group, NULL, &error));
  g_assert_error (error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_CONDITION_FAILED);
  g_assert_nonnull (strstr (error->message, janus_condition_get_description (past)));
  expect_names (error, role_time_past, f->group);
  g_clear_error (&error);

  g_assert_null (janus_agent_request_role (AGENT (agent), role_time_future, f->group, NULL, &error));
  g_assert_error (error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_CONDITION_FAILED);
  g_assert_nonnull (strstr (error->message, janus_condition_get_description (future)));
  expect_names (error, role_time_future, f->group);
  g_clear_error (&error);

  g_assert_cmpuint (f->sc.n_taken, ==, 1);
  g_object_unref (agent);
}

/* The window follows the kernel's clock: a virtual one moved by hand. */
static void
test_request_time_window_virtual (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  g_autoptr(JanusClock) clock = janus_clock_new_virtual (0, 0);
  g_autoptr(JanusCondition) window = janus_condition_new_time_window (1000, 2000);
  g_autoptr(GError) error = NULL;
  JanusGroup *group;
  TestAgent *agent;
  gint64 times[] = { 999, 1000, 1500, 2000, 2001 };
  gboolean open[] = { FALSE, TRUE, TRUE, TRUE, FALSE };
  guint i;

  janus_kernel_set_clock (kernel, clock);
  janus_role_type_add_obtain_condition (role_time_virtual, window);
  group = new_group (kernel, org_main);
  janus_group_set_persistent (group, TRUE);
  agent = launch_new (kernel, NULL, NULL);
  g_assert_cmpint (janus_kernel_get_time (kernel), ==, 0);

  for (i = 0; i < G_N_ELEMENTS (times); i++)
    {
      JanusRole *role;

      g_assert_true (janus_clock_set_time (clock, times[i], NULL));
      g_assert_cmpint (janus_kernel_get_time (kernel), ==, times[i]);
      g_assert_cmpint (janus_condition_evaluate (window, AGENT (agent), group, role_time_virtual), ==, open[i]);
      role = janus_agent_request_role (AGENT (agent), role_time_virtual, group, NULL, &error);
      if (open[i])
        {
          g_assert_no_error (error);
          g_assert_nonnull (role);
          leave (agent, role_time_virtual, group);
        }
      else
        {
          g_assert_null (role);
          g_assert_error (error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_CONDITION_FAILED);
          g_assert_nonnull (strstr (error->message, janus_condition_get_description (window)));
          g_clear_error (&error);
        }
    }

  finish (kernel, NULL);
  g_assert_finalize_object (agent);
  g_assert_finalize_object (group);
}

static void
test_request_not_launched (Fixture       *f,
                           gconstpointer  data)
{
  TestAgent *agent = test_agent_new (NULL, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_null (janus_agent_request_role (AGENT (agent), role_a, f->group, NULL, &error));
  g_assert_error (error, JANUS_KERNEL_ERROR, JANUS_KERNEL_ERROR_NOT_LAUNCHED);
  g_assert_cmpuint (f->sc.n_taken, ==, 0);
  assert_events ("");
  g_assert_finalize_object (agent);
}

typedef struct
{
  JanusGroup *group;
  GError     *error;
  gboolean    got_role;
} EndRequest;

static void
request_in_end (TestAgent *self,
                gpointer   data)
{
  EndRequest *er = data;

  er->got_role = janus_agent_request_role (AGENT (self), role_b, er->group, NULL, &er->error) != NULL;
}

static void
test_request_agent_dead (Fixture       *f,
                         gconstpointer  data)
{
  TestAgent *agent = test_agent_new (NULL, NULL);
  EndRequest er = { f->group, NULL, FALSE };
  g_autoptr(GError) error = NULL;

  agent->on_end = request_in_end;
  agent->data = &er;
  launch_alive (f->kernel, agent);
  g_assert_true (janus_kernel_kill (f->kernel, AGENT (agent), NULL));
  step_until_idle (f->kernel, 100);
  g_assert_cmpint (janus_agent_get_state (AGENT (agent)), ==, JANUS_AGENT_STATE_DIED);
  /* from its end (BREAKING_DOWN) */
  g_assert_false (er.got_role);
  g_assert_error (er.error, JANUS_KERNEL_ERROR, JANUS_KERNEL_ERROR_AGENT_DEAD);
  g_clear_error (&er.error);
  /* dead */
  g_assert_null (janus_agent_request_role (AGENT (agent), role_a, f->group, NULL, &error));
  g_assert_error (error, JANUS_KERNEL_ERROR, JANUS_KERNEL_ERROR_AGENT_DEAD);
  g_assert_cmpuint (f->sc.n_taken, ==, 0);
  g_object_unref (agent);
}

static void
test_request_other_kernel (Fixture       *f,
                           gconstpointer  data)
{
  JanusKernel *k2 = janus_kernel_new (0);
  JanusGroup *foreign = new_group (k2, org_main);
  TestAgent *agent = launch_new (f->kernel, NULL, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_null (janus_agent_request_role (AGENT (agent), role_a, foreign, NULL, &error));
  g_assert_error (error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_WRONG_KERNEL);
  g_assert_cmpuint (janus_group_count_players (foreign, G_TYPE_INVALID), ==, 0);
  assert_events ("");
  finish (k2, NULL);
  g_assert_finalize_object (foreign);
  g_object_unref (agent);
}

static void
test_request_activate_fails (Fixture       *f,
                             gconstpointer  data)
{
  TestAgent *agent = launch_new (f->kernel, NULL, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) roles = NULL;

  /* with an error: that error */
  g_assert_null (janus_agent_request_role (AGENT (agent), role_a, f->group,
                                           g_variant_new_string ("fail"), &error));
  g_assert_error (error, TEST_ERROR, 7);
  g_clear_error (&error);
  assert_events ("activate RoleTestA;");
  g_assert_null (janus_agent_get_role (AGENT (agent), role_a, f->group));
  g_assert_false (janus_group_has_member (f->group, AGENT (agent)));

  /* without one: JANUS_ORGANIZATION_ERROR_FAILED naming the role and the group */
  g_assert_null (janus_agent_request_role (AGENT (agent), role_a, f->group,
                                           g_variant_new_string ("fail-silent"), &error));
  g_assert_error (error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_FAILED);
  expect_names (error, role_a, f->group);
  g_clear_error (&error);
  assert_events ("activate RoleTestA;");

  g_assert_cmpuint (f->sc.n_taken, ==, 0);
  g_assert_cmpuint (janus_group_count_players (f->group, role_a), ==, 0);
  roles = janus_agent_list_roles (AGENT (agent));
  g_assert_cmpuint (roles->len, ==, 0);

  /* not taken: it can be requested again */
  take (agent, role_a, f->group);
  g_object_unref (agent);
}

static void
test_request_init_data (Fixture       *f,
                        gconstpointer  data)
{
  TestAgent *agent = launch_new (f->kernel, NULL, NULL);
  TestRole *role = take_init (agent, role_a, f->group, g_variant_new ("(si)", "hello", 3));

  g_assert_nonnull (role->init);
  g_assert_cmpstr (g_variant_get_type_string (role->init), ==, "(si)");
  g_assert_true (janus_role_get_player (ROLE (role)) == AGENT (agent));
  g_assert_true (janus_role_get_group (ROLE (role)) == f->group);
  g_assert_true (janus_role_is_played (ROLE (role)));
  assert_events ("activate RoleTestA;taken RoleTestA;");
  g_object_unref (agent);
}

/* --------------------------------------------------------------- leaving */

static void
test_leave_not_played (Fixture       *f,
                       gconstpointer  data)
{
  TestAgent *agent = launch_new (f->kernel, NULL, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_false (janus_agent_leave_role (AGENT (agent), role_a, f->group, &error));
  g_assert_error (error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_ROLE_NOT_PLAYED);
  expect_names (error, role_a, f->group);
  g_clear_error (&error);

  /* played elsewhere is not played here */
  {
    JanusGroup *g2 = new_group (f->kernel, org_main);
    take (agent, role_a, g2);
    g_assert_false (janus_agent_leave_role (AGENT (agent), role_a, f->group, &error));
    g_assert_error (error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_ROLE_NOT_PLAYED);
    g_clear_error (&error);
    g_object_unref (g2);
  }
  g_assert_cmpuint (f->sc.n_left, ==, 0);
  g_object_unref (agent);
}

static void
test_leave_conditions (Fixture       *f,
                       gconstpointer  data)
{
  TestAgent *agent = launch_new (f->kernel, NULL, NULL);
  g_autoptr(JanusCondition) stay = janus_condition_new ("group leave guard", refuse, NULL, NULL);
  g_autoptr(GError) error = NULL;
  TestRole *guarded;

  guarded = take (agent, role_guarded, f->group);
  take (agent, role_a, f->group);
  role_guard_open = FALSE;

  /* the role class's leave condition */
  g_assert_false (janus_agent_leave_role (AGENT (agent), role_guarded, f->group, &error));
  g_assert_error (error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_CONDITION_FAILED);
  g_assert_nonnull (strstr (error->message, "role leave guard"));
  expect_names (error, role_guarded, f->group);
  g_clear_error (&error);
  leave (agent, role_a, f->group);           /* only that role class */
  take (agent, role_a, f->group);

  /* both refuse: the group's is checked first */
  janus_group_add_leave_condition (f->group, stay);
  g_assert_false (janus_agent_leave_role (AGENT (agent), role_guarded, f->group, &error));
  g_assert_error (error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_CONDITION_FAILED);
  g_assert_nonnull (strstr (error->message, "group leave guard"));
  g_assert_null (strstr (error->message, "role leave guard"));
  g_clear_error (&error);
  g_assert_false (janus_agent_leave_role (AGENT (agent), role_a, f->group, &error));
  g_assert_error (error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_CONDITION_FAILED);
  g_assert_nonnull (strstr (error->message, "group leave guard"));
  g_clear_error (&error);

  g_assert_cmpuint (guarded->n_end, ==, 0);
  g_assert_true (janus_role_is_played (ROLE (guarded)));

  /* dying leaves every role whatever the conditions */
  g_object_ref (guarded);
  log_clear ();
  janus_kernel_kill (f->kernel, AGENT (agent), NULL);
  step_until_idle (f->kernel, 100);
  g_assert_cmpuint (guarded->n_end, ==, 1);
  g_assert_false (janus_role_is_played (ROLE (guarded)));
  g_assert_cmpuint (janus_group_count_players (f->group, G_TYPE_INVALID), ==, 1);  /* the sender */
  g_object_unref (guarded);
  role_guard_open = TRUE;
  g_object_unref (agent);
}

static void
test_leave_detaches (Fixture       *f,
                     gconstpointer  data)
{
  TestAgent *agent = launch_new (f->kernel, NULL, NULL);
  JanusRole *role;
  g_autoptr(GPtrArray) roles = NULL;
  JanusAgent *player = NULL;
  JanusGroup *group = NULL;

  role = g_object_ref (ROLE (take (agent, role_a, f->group)));
  take (agent, role_b, f->group);
  g_assert_true (janus_role_get_memory (role) == janus_agent_get_memory (AGENT (agent)));
  log_clear ();

  leave (agent, role_a, f->group);
  assert_events ("end RoleTestA;left RoleTestA;");
  g_assert_cmpuint (TEST_ROLE (role)->n_end, ==, 1);
  /* end still saw its player */
  g_assert_true (TEST_ROLE (role)->player_in_end == AGENT (agent));
  g_assert_null (janus_role_get_player (role));
  g_assert_false (janus_role_is_played (role));
  g_assert_null (janus_role_get_memory (role));
  g_assert_true (janus_role_get_group (role) == f->group);
  g_object_get (role, "player", &player, "group", &group, NULL);
  g_assert_null (player);
  g_assert_true (group == f->group);
  g_object_unref (group);
  g_assert_null (janus_agent_get_role (AGENT (agent), role_a, f->group));
  roles = janus_agent_list_roles (AGENT (agent));
  g_assert_cmpuint (roles->len, ==, 1);
  g_assert_true (G_OBJECT_TYPE (roles->pdata[0]) == role_b);
  g_assert_cmpuint (janus_group_count_players (f->group, role_a), ==, 0);
  g_assert_cmpuint (f->sc.n_left, ==, 1);

  /* end ran once, whatever happens next */
  step_until_idle (f->kernel, 100);
  janus_kernel_kill (f->kernel, AGENT (agent), NULL);
  step_until_idle (f->kernel, 100);
  g_assert_cmpuint (TEST_ROLE (role)->n_end, ==, 1);
  g_assert_cmpuint (f->sc.n_left, ==, 2);      /* and B once */
  g_object_unref (role);
  g_object_unref (agent);
}

static void
test_leave_by_parent_type (Fixture       *f,
                           gconstpointer  data)
{
  TestAgent *agent = launch_new (f->kernel, NULL, NULL);
  TestRole *sub = take (agent, role_a_sub, f->group);

  g_object_ref (sub);
  /* the agent plays no role_a itself: a subtype is found */
  leave (agent, role_a, f->group);
  g_assert_false (janus_role_is_played (ROLE (sub)));
  g_assert_cmpuint (sub->n_end, ==, 1);
  g_object_unref (sub);
  g_object_unref (agent);
}

/* ------------------------------------------------------- end when no role */

static void
leave_a (TestAgent *self,
         gpointer   data)
{
  leave (self, role_a, data);
}

static void
leave_b (TestAgent *self,
         gpointer   data)
{
  leave (self, role_b, data);
}

static void
test_end_when_no_role (Fixture       *f,
                       gconstpointer  data)
{
  TestAgent *agent = launch_new (f->kernel, NULL, NULL);

  g_assert_false (janus_agent_get_end_when_no_role (AGENT (agent)));
  janus_agent_set_end_when_no_role (AGENT (agent), TRUE);
  g_assert_true (janus_agent_get_end_when_no_role (AGENT (agent)));
  take (agent, role_a, f->group);
  take (agent, role_b, f->group);

  agent_do (f->kernel, agent, leave_a, f->group);
  step_until_idle (f->kernel, 100);
  g_assert_cmpint (janus_agent_get_state (AGENT (agent)), ==, JANUS_AGENT_STATE_ALIVE);
  g_assert_cmpuint (agent->n_end, ==, 0);

  /* the last role: dies at the end of that step */
  agent_do (f->kernel, agent, leave_b, f->group);
  g_assert_cmpint (janus_agent_get_state (AGENT (agent)), ==, JANUS_AGENT_STATE_DIED);
  g_assert_cmpuint (agent->n_end, ==, 1);
  g_object_unref (agent);
}

static void
test_end_when_no_role_no_leave (Fixture       *f,
                                gconstpointer  data)
{
  TestAgent *agent = launch_new (f->kernel, NULL, NULL);
  g_autoptr(GError) error = NULL;

  /* the rule is about leaving the last role: never having one, or failing
   * to take one, is not leaving */
  janus_agent_set_end_when_no_role (AGENT (agent), TRUE);
  janus_agent_wake (AGENT (agent));
  step_until_idle (f->kernel, 100);
  g_assert_cmpint (janus_agent_get_state (AGENT (agent)), ==, JANUS_AGENT_STATE_ALIVE);
  g_assert_null (janus_agent_request_role (AGENT (agent), role_a, f->group,
                                           g_variant_new_string ("fail"), &error));
  g_assert_error (error, TEST_ERROR, 7);
  step_until_idle (f->kernel, 100);
  g_assert_cmpint (janus_agent_get_state (AGENT (agent)), ==, JANUS_AGENT_STATE_ALIVE);
  g_assert_cmpuint (agent->n_end, ==, 0);
  g_object_unref (agent);
}

static void
test_end_when_no_role_off (Fixture       *f,
                           gconstpointer  data)
{
  TestAgent *agent = launch_new (f->kernel, NULL, NULL);

  take (agent, role_a, f->group);
  agent_do (f->kernel, agent, leave_a, f->group);
  step_until_idle (f->kernel, 100);
  g_assert_cmpint (janus_agent_get_state (AGENT (agent)), ==, JANUS_AGENT_STATE_ALIVE);
  g_assert_cmpuint (agent->n_end, ==, 0);
  g_object_unref (agent);
}

static void
test_end_when_no_role_between_steps (Fixture       *f,
                                     gconstpointer  data)
{
  TestAgent *agent = launch_new (f->kernel, NULL, NULL);

  janus_agent_set_end_when_no_role (AGENT (agent), TRUE);
  take (agent, role_a, f->group);
  leave (agent, role_a, f->group);
  step_until_idle (f->kernel, 100);
  g_assert_cmpint (janus_agent_get_state (AGENT (agent)), ==, JANUS_AGENT_STATE_DIED);
  g_assert_cmpuint (agent->n_end, ==, 1);
  g_object_unref (agent);
}

static JanusLive
live_done (TestRole *self)
{
  return JANUS_LIVE_DONE;
}

static void
take_a_done (TestAgent *self,
             gpointer   data)
{
  take (self, role_a, data)->live = live_done;
}

static void
test_end_when_no_role_done (Fixture       *f,
                            gconstpointer  data)
{
  TestAgent *agent = launch_new (f->kernel, NULL, NULL);

  janus_agent_set_end_when_no_role (AGENT (agent), TRUE);
  /* taken and stepped in the same step: DONE leaves it, the agent dies */
  agent_do (f->kernel, agent, take_a_done, f->group);
  step_until_idle (f->kernel, 100);
  g_assert_cmpint (janus_agent_get_state (AGENT (agent)), ==, JANUS_AGENT_STATE_DIED);
  g_assert_cmpuint (agent->n_end, ==, 1);
  g_assert_cmpuint (f->sc.n_left, ==, 1);
  g_object_unref (agent);
}

/* ------------------------------------------------------------- activator */

typedef struct
{
  JanusGroup *group;
  TestRole   *a;
  TestRole   *b;
} Taken;

static void
take_a_and_b (TestAgent *self,
              gpointer   data)
{
  Taken *t = data;

  t->a = take (self, role_a, t->group);
  if (t->b == NULL)
    t->b = take (self, role_b, t->group);
  g_assert_cmpuint (t->a->n_live, ==, 0);
}

static void
take_a (TestAgent *self,
        gpointer   data)
{
  Taken *t = data;

  t->a = take (self, role_a, t->group);
  g_assert_cmpuint (t->a->n_live, ==, 0);
}

static void
test_activator_new_role (Fixture       *f,
                         gconstpointer  data)
{
  TestAgent *agent = launch_new (f->kernel, NULL, NULL);
  Taken t = { f->group, NULL, NULL };

  /* taken in the agent's step: stepped once, in that same step */
  agent_do (f->kernel, agent, take_a, &t);
  g_assert_cmpuint (t.a->n_live, ==, 1);
  step_until_idle (f->kernel, 100);
  g_assert_cmpuint (t.a->n_live, ==, 1);
  /* waking the agent alone does not step a waiting role */
  janus_agent_wake (AGENT (agent));
  step_until_idle (f->kernel, 100);
  g_assert_cmpuint (t.a->n_live, ==, 1);
  g_object_unref (agent);
}

static void
test_activator_message (Fixture       *f,
                        gconstpointer  data)
{
  TestAgent *agent = launch_new (f->kernel, NULL, NULL);
  Taken t = { f->group, NULL, NULL };

  agent_do (f->kernel, agent, take_a_and_b, &t);
  step_until_idle (f->kernel, 100);
  g_assert_cmpuint (t.a->n_live, ==, 1);
  g_assert_cmpuint (t.b->n_live, ==, 1);

  /* a message for A: A is stepped, B is not */
  role_send_free (f->out, role_a, "for A");
  step_until_idle (f->kernel, 100);
  g_assert_cmpuint (t.a->n_live, ==, 2);
  g_assert_cmpuint (t.b->n_live, ==, 1);
  assert_subjects (t.a->got, "for A");

  /* for B: B only */
  role_send_free (f->out, role_b, "for B");
  step_until_idle (f->kernel, 100);
  g_assert_cmpuint (t.a->n_live, ==, 2);
  g_assert_cmpuint (t.b->n_live, ==, 2);
  assert_subjects (t.b->got, "for B");

  /* a direct message to the agent: no role */
  g_assert_true (janus_kernel_send (f->kernel, janus_agent_get_address (AGENT (agent)),
                                    janus_message_new ("direct", NULL), NULL));
  step_until_idle (f->kernel, 100);
  g_assert_cmpuint (t.a->n_live, ==, 2);
  g_assert_cmpuint (t.b->n_live, ==, 2);
  g_assert_cmpuint (janus_agent_get_mailbox_size (AGENT (agent)), ==, 1);

  /* two messages for A arriving together: one step */
  role_send_free (f->out, role_a, "A1");
  role_send_free (f->out, role_a, "A2");
  step_until_idle (f->kernel, 100);
  g_assert_cmpuint (t.a->n_live, ==, 3);
  assert_subjects (t.a->got, "for A,A1,A2");
  g_object_unref (agent);
}

static JanusLive
live_again_twice (TestRole *self)
{
  return self->n_live <= 2 ? JANUS_LIVE_AGAIN : JANUS_LIVE_WAIT;
}

static void
take_a_again (TestAgent *self,
              gpointer   data)
{
  Taken *t = data;

  t->a = take (self, role_a, t->group);
  t->a->live = live_again_twice;
  t->b = take (self, role_b, t->group);
}

static void
test_activator_again (Fixture       *f,
                      gconstpointer  data)
{
  TestAgent *agent = launch_new (f->kernel, NULL, NULL);
  Taken t = { f->group, NULL, NULL };

  agent_do (f->kernel, agent, take_a_again, &t);
  g_assert_cmpuint (t.a->n_live, ==, 1);
  /* one live per step while it asks for it */
  g_assert_true (janus_kernel_step (f->kernel));
  g_assert_cmpuint (t.a->n_live, ==, 2);
  janus_kernel_step (f->kernel);
  g_assert_cmpuint (t.a->n_live, ==, 3);
  step_until_idle (f->kernel, 100);
  g_assert_cmpuint (t.a->n_live, ==, 3);
  /* the other role was not stepped again meanwhile */
  g_assert_cmpuint (t.b->n_live, ==, 1);
  g_object_unref (agent);
}

static void
test_activator_done_leaves (Fixture       *f,
                            gconstpointer  data)
{
  TestAgent *agent = launch_new (f->kernel, NULL, NULL);
  Taken t = { f->group, NULL, NULL };

  agent_do (f->kernel, agent, take_a_and_b, &t);
  g_object_ref (t.a);
  t.a->live = live_done;
  log_clear ();
  role_send_free (f->out, role_a, "bye");
  step_until_idle (f->kernel, 100);
  g_assert_cmpuint (t.a->n_live, ==, 2);
  g_assert_false (janus_role_is_played (ROLE (t.a)));
  g_assert_cmpuint (t.a->n_end, ==, 1);
  assert_events ("end RoleTestA;left RoleTestA;");
  g_assert_null (janus_agent_get_role (AGENT (agent), role_a, f->group));
  g_assert_cmpint (janus_agent_get_state (AGENT (agent)), ==, JANUS_AGENT_STATE_ALIVE);
  g_assert_true (janus_role_is_played (ROLE (t.b)));
  g_object_unref (t.a);
  g_object_unref (agent);
}

static JanusLive
live_invalid (TestRole *self)
{
  return (JanusLive) 0;
}

static void
test_activator_invalid_result (Fixture       *f,
                               gconstpointer  data)
{
  TestAgent *agent = launch_new (f->kernel, NULL, NULL);
  Taken t = { f->group, NULL, NULL };
  FailRecord fr = { 0 };
  gulong id, id2;

  g_mutex_init (&fr.lock);
  /* a role's failure is the role's (role-failed), not its player's */
  id = g_signal_connect (f->kernel, "role-failed", G_CALLBACK (on_role_failed), &fr);
  id2 = g_signal_connect (f->kernel, "agent-failed", G_CALLBACK (on_agent_failed), &fr);
  agent_do (f->kernel, agent, take_a_and_b, &t);
  g_object_ref (t.a);
  t.a->live = live_invalid;
  log_clear ();
  role_send_free (f->out, role_a, "boom");
  step_until_idle (f->kernel, 100);

  g_assert_cmpuint (fr.count, ==, 1);
  g_assert_true (fr.role == ROLE (t.a));
  g_assert_true (fr.agent == AGENT (agent));    /* still the player in the handler */
  g_assert_true (fr.domain == JANUS_KERNEL_ERROR);
  g_assert_cmpint (fr.code, ==, JANUS_KERNEL_ERROR_INVALID_LIVE_RESULT);
  g_assert_nonnull (strstr (fr.message, "RoleTestA"));
  /* the role is left, the agent and its other role go on */
  g_assert_false (janus_role_is_played (ROLE (t.a)));
  g_assert_cmpuint (t.a->n_end, ==, 1);
  assert_events ("end RoleTestA;left RoleTestA;");
  g_assert_cmpint (janus_agent_get_state (AGENT (agent)), ==, JANUS_AGENT_STATE_ALIVE);
  role_send_free (f->out, role_b, "still there");
  step_until_idle (f->kernel, 100);
  assert_subjects (t.b->got, "still there");
  g_assert_cmpuint (fr.count, ==, 1);

  g_signal_handler_disconnect (f->kernel, id);
  g_signal_handler_disconnect (f->kernel, id2);
  fail_record_clear (&fr);
  g_object_unref (t.a);
  g_object_unref (agent);
}

static JanusLive
live_fail (TestRole *self)
{
  g_autoptr(GError) error = g_error_new_literal (TEST_ERROR, 3, "the role gave up");

  janus_role_fail (ROLE (self), error);
  g_assert_false (janus_role_is_played (ROLE (self)));
  janus_role_fail (ROLE (self), error);         /* left already: nothing */
  return JANUS_LIVE_AGAIN;                      /* ignored: it was left */
}

/* janus_role_fail: role-failed with the error, the role left, its player
 * and its other role go on. */
static void
test_role_fail (Fixture       *f,
                gconstpointer  data)
{
  TestAgent *agent = launch_new (f->kernel, NULL, NULL);
  Taken t = { f->group, NULL, NULL };
  FailRecord fr = { 0 };
  gulong id, id2;

  g_mutex_init (&fr.lock);
  id = g_signal_connect (f->kernel, "role-failed", G_CALLBACK (on_role_failed), &fr);
  id2 = g_signal_connect (f->kernel, "agent-failed", G_CALLBACK (on_agent_failed), &fr);
  agent_do (f->kernel, agent, take_a_and_b, &t);
  g_object_ref (t.a);
  t.a->live = live_fail;
  log_clear ();
  role_send_free (f->out, role_a, "boom");
  step_until_idle (f->kernel, 100);

  g_assert_cmpuint (fr.count, ==, 1);
  g_assert_true (fr.role == ROLE (t.a));
  g_assert_true (fr.agent == AGENT (agent));
  g_assert_true (fr.domain == TEST_ERROR);
  g_assert_cmpstr (fr.message, ==, "the role gave up");
  g_assert_cmpuint (t.a->n_end, ==, 1);
  assert_events ("end RoleTestA;left RoleTestA;");
  g_assert_cmpint (janus_agent_get_state (AGENT (agent)), ==, JANUS_AGENT_STATE_ALIVE);
  g_assert_true (janus_role_is_played (ROLE (t.b)));

  g_signal_handler_disconnect (f->kernel, id);
  g_signal_handler_disconnect (f->kernel, id2);
  fail_record_clear (&fr);
  g_object_unref (t.a);
  g_object_unref (agent);
}

/* A role that takes another role in its own live: the new role is new, so
 * the activator must step it (at the latest at the player's next step, which
 * must come without any outside event). */
static JanusLive
live_take_b (TestRole *self)
{
  Taken *t = self->data;

  if (t->b == NULL)
    t->b = take (TEST_AGENT (janus_role_get_player (ROLE (self))), role_b, t->group);
  return JANUS_LIVE_WAIT;
}

static void
take_a_taking_b (TestAgent *self,
                 gpointer   data)
{
  Taken *t = data;

  t->a = take (self, role_a, t->group);
  t->a->live = live_take_b;
  t->a->data = t;
}

static void
test_activator_role_taken_by_role (Fixture       *f,
                                   gconstpointer  data)
{
  TestAgent *agent = launch_new (f->kernel, NULL, NULL);
  Taken t = { f->group, NULL, NULL };

  agent_do (f->kernel, agent, take_a_taking_b, &t);
  step_until_idle (f->kernel, 100);
  g_assert_cmpuint (t.a->n_live, ==, 1);
  g_assert_nonnull (t.b);
  g_assert_cmpuint (t.b->n_activate, ==, 1);
  g_assert_cmpuint (t.b->n_live, ==, 1);
  g_object_unref (agent);
}

/* Three roles A, B, Limited: A leaves B during its step, Limited leaves
 * itself. Each left role ends once; the others are still stepped. */
typedef struct
{
  JanusGroup *group;
  TestRole   *a;
  TestRole   *b;
  TestRole   *c;
} Three;

static JanusLive
live_leave_b (TestRole *self)
{
  Three *t = self->data;

  if (janus_role_is_played (ROLE (t->b)))
    leave (TEST_AGENT (janus_role_get_player (ROLE (self))), role_b, t->group);
  return JANUS_LIVE_WAIT;
}

static JanusLive
live_leave_self (TestRole *self)
{
  Three *t = self->data;

  leave (TEST_AGENT (janus_role_get_player (ROLE (self))), role_limited, t->group);
  return JANUS_LIVE_WAIT;
}

static void
take_three (TestAgent *self,
            gpointer   data)
{
  Three *t = data;

  t->a = g_object_ref (take (self, role_a, t->group));
  t->a->live = live_leave_b;
  t->a->data = t;
  t->b = g_object_ref (take (self, role_b, t->group));
  t->c = g_object_ref (take (self, role_limited, t->group));
  t->c->live = live_leave_self;
  t->c->data = t;
}

static void
test_activator_roles_leave_in_step (Fixture       *f,
                                    gconstpointer  data)
{
  TestAgent *agent = launch_new (f->kernel, NULL, NULL);
  Three t = { f->group };
  g_autoptr(GPtrArray) roles = NULL;

  agent_do (f->kernel, agent, take_three, &t);
  step_until_idle (f->kernel, 100);
  g_assert_cmpuint (t.a->n_live, ==, 1);
  g_assert_cmpuint (t.b->n_live, ==, 0);      /* left before its turn */
  g_assert_cmpuint (t.b->n_end, ==, 1);
  g_assert_cmpuint (t.c->n_live, ==, 1);      /* still stepped */
  g_assert_cmpuint (t.c->n_end, ==, 1);
  g_assert_cmpuint (f->sc.n_left, ==, 2);
  roles = janus_agent_list_roles (AGENT (agent));
  g_assert_cmpuint (roles->len, ==, 1);
  g_assert_true (roles->pdata[0] == (gpointer) t.a);
  g_assert_cmpint (janus_agent_get_state (AGENT (agent)), ==, JANUS_AGENT_STATE_ALIVE);
  g_object_unref (t.a);
  g_object_unref (t.b);
  g_object_unref (t.c);
  g_object_unref (agent);
}

static JanusLive
live_no_chain (TestAgent *self)
{
  return JANUS_LIVE_WAIT;
}

static void
test_activator_overridden (Fixture       *f,
                           gconstpointer  data)
{
  TestAgent *agent = test_agent_new (NULL, NULL);
  Taken t = { f->group, NULL, NULL };
  guint n_live;

  agent->live = live_no_chain;
  launch_alive (f->kernel, agent);
  agent_do (f->kernel, agent, take_a, &t);
  n_live = agent->n_live;
  role_send_free (f->out, role_a, "unseen");
  step_until_idle (f->kernel, 100);
  /* the agent was stepped, its role was not */
  g_assert_cmpuint (agent->n_live, ==, n_live + 1);
  g_assert_cmpuint (t.a->n_live, ==, 0);
  g_assert_true (janus_role_has_message (ROLE (t.a)));
  g_assert_cmpuint (janus_role_get_mailbox_size (ROLE (t.a)), ==, 1);
  g_object_unref (agent);
}

/* ------------------------------------------------------ dying agents */

static void
log_agent_end (TestAgent *self)
{
  log_event ("agent end");
}

static void
test_dying_leaves_every_role (Fixture       *f,
                              gconstpointer  data)
{
  JanusGroup *g2 = new_group (f->kernel, org_other);
  g_autoptr(JanusCondition) stay = janus_condition_new ("stay", refuse, NULL, NULL);
  TestAgent *agent = launch_new (f->kernel, NULL, NULL);
  TestRole *r1, *r2, *r3;
  SignalCount sc2 = { 0 };
  g_autofree char *log = NULL;

  watch (g2, &sc2);
  agent->end = log_agent_end;
  r1 = g_object_ref (take (agent, role_a, f->group));
  r2 = g_object_ref (take (agent, role_guarded, f->group));
  r3 = g_object_ref (take (agent, role_a, g2));
  janus_group_add_leave_condition (f->group, stay);
  role_guard_open = FALSE;
  log_clear ();

  janus_kernel_kill (f->kernel, AGENT (agent), NULL);
  step_until_idle (f->kernel, 100);
  g_assert_cmpint (janus_agent_get_state (AGENT (agent)), ==, JANUS_AGENT_STATE_DIED);

  /* the agent's end first, then each role: end, role-left */
  log = log_take ();
  g_assert_true (g_str_has_prefix (log, "agent end;"));
  g_assert_nonnull (strstr (log, "end RoleTestA;left RoleTestA;"));
  g_assert_nonnull (strstr (log, "end RoleTestGuarded;left RoleTestGuarded;"));
  g_assert_cmpuint (strlen (log), ==, strlen ("agent end;"
                                              "end RoleTestA;left RoleTestA;"
                                              "end RoleTestGuarded;left RoleTestGuarded;"
                                              "end RoleTestA;left RoleTestA;"));
  g_assert_cmpuint (r1->n_end, ==, 1);
  g_assert_cmpuint (r2->n_end, ==, 1);
  g_assert_cmpuint (r3->n_end, ==, 1);
  g_assert_cmpuint (f->sc.n_left, ==, 2);
  g_assert_cmpuint (sc2.n_left, ==, 1);
  g_assert_false (janus_role_is_played (ROLE (r1)));
  g_assert_false (janus_role_is_played (ROLE (r2)));
  g_assert_false (janus_role_is_played (ROLE (r3)));
  g_assert_false (janus_group_has_member (f->group, AGENT (agent)));
  /* its last member died: the other group is gone */
  g_assert_false (janus_group_is_alive (g2));

  role_guard_open = TRUE;
  g_object_unref (r1);
  g_object_unref (r2);
  g_object_unref (r3);
  g_object_unref (agent);
  g_object_unref (g2);
}

/* --------------------------------------------------------------- memory */

static JanusLive
live_write_memory (TestRole *self)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (janus_memory_put (janus_role_get_memory (ROLE (self)), "shared",
                                   g_variant_new_int32 (42), &error));
  g_assert_no_error (error);
  return JANUS_LIVE_WAIT;
}

static JanusLive
live_read_memory (TestRole *self)
{
  g_autoptr(GVariant) v = janus_memory_get (janus_role_get_memory (ROLE (self)), "shared");

  g_assert_nonnull (v);
  self->data = GINT_TO_POINTER (g_variant_get_int32 (v));
  return JANUS_LIVE_WAIT;
}

static void
take_writer_reader (TestAgent *self,
                    gpointer   data)
{
  Taken *t = data;

  t->a = take (self, role_a, t->group);
  t->a->live = live_write_memory;
  t->b = take (self, role_b, t->group);
  t->b->live = live_read_memory;
}

static void
test_shared_memory (Fixture       *f,
                    gconstpointer  data)
{
  TestAgent *agent = launch_new (f->kernel, NULL, NULL);
  TestAgent *other = launch_new (f->kernel, NULL, NULL);
  Taken t = { f->group, NULL, NULL };
  TestRole *foreign;

  /* stepped in take order: A writes, then B reads */
  agent_do (f->kernel, agent, take_writer_reader, &t);
  g_assert_cmpint (GPOINTER_TO_INT (t.b->data), ==, 42);
  g_assert_true (janus_role_get_memory (ROLE (t.a)) == janus_agent_get_memory (AGENT (agent)));
  g_assert_true (janus_role_get_memory (ROLE (t.b)) == janus_agent_get_memory (AGENT (agent)));
  g_assert_true (janus_memory_has (janus_agent_get_memory (AGENT (agent)), "shared"));
  /* another player's roles do not see it */
  foreign = take (other, role_a, f->group);
  g_assert_true (janus_role_get_memory (ROLE (foreign)) != janus_role_get_memory (ROLE (t.a)));
  g_assert_false (janus_memory_has (janus_role_get_memory (ROLE (foreign)), "shared"));
  g_object_unref (agent);
  g_object_unref (other);
}

/* ---------------------------------------------------------- role mailbox */

typedef struct
{
  TestAgent *agent;
  TestRole  *a;
  TestRole  *b;
} Mailboxes;

/* The player plays A and B (roles that read nothing); it gets, in this
 * order: a direct message d1, a1 for A, b1 for B, a2 for A. Nothing steps. */
static void
mailboxes_fill (Fixture   *f,
                Mailboxes *mb)
{
  mb->agent = launch_new (f->kernel, NULL, NULL);
  mb->a = take (mb->agent, role_a, f->group);
  mb->b = take (mb->agent, role_b, f->group);
  mb->a->live = mb->b->live = live_idle;
  g_assert_true (janus_kernel_send (f->kernel, janus_agent_get_address (AGENT (mb->agent)),
                                    janus_message_new ("d1", NULL), NULL));
  role_send_free (f->out, role_a, "a1");
  role_send_free (f->out, role_b, "b1");
  role_send_free (f->out, role_a, "a2");
}

static void
test_mailbox_role_view (Fixture       *f,
                        gconstpointer  data)
{
  Mailboxes mb;
  GPtrArray *list;
  JanusMessage *m;

  mailboxes_fill (f, &mb);

  g_assert_cmpuint (janus_agent_get_mailbox_size (AGENT (mb.agent)), ==, 4);
  g_assert_cmpuint (janus_role_get_mailbox_size (ROLE (mb.a)), ==, 2);
  g_assert_cmpuint (janus_role_get_mailbox_size (ROLE (mb.b)), ==, 1);
  g_assert_true (janus_role_has_message (ROLE (mb.a)));
  g_assert_cmpstr (janus_message_get_subject (janus_role_peek_message (ROLE (mb.a))), ==, "a1");
  g_assert_cmpstr (janus_message_get_subject (janus_role_peek_message (ROLE (mb.b))), ==, "b1");
  list = janus_role_peek_messages (ROLE (mb.a));
  assert_subjects (list, "a1,a2");
  g_ptr_array_unref (list);
  /* peeking takes nothing */
  list = janus_agent_peek_messages (AGENT (mb.agent));
  assert_subjects (list, "d1,a1,b1,a2");
  g_ptr_array_unref (list);

  /* taking one role message leaves the others where they are */
  m = janus_role_get_message (ROLE (mb.a));
  g_assert_cmpstr (janus_message_get_subject (m), ==, "a1");
  g_assert_true (janus_message_get_receiver_role (m) == role_a);
  janus_message_unref (m);
  list = janus_agent_peek_messages (AGENT (mb.agent));
  assert_subjects (list, "d1,b1,a2");
  g_ptr_array_unref (list);
  list = janus_role_get_messages (ROLE (mb.a));
  assert_subjects (list, "a2");
  g_ptr_array_unref (list);
  g_assert_false (janus_role_has_message (ROLE (mb.a)));
  g_assert_null (janus_role_peek_message (ROLE (mb.a)));
  g_assert_null (janus_role_get_message (ROLE (mb.a)));
  g_assert_cmpuint (janus_role_get_mailbox_size (ROLE (mb.a)), ==, 0);
  list = janus_role_get_messages (ROLE (mb.a));
  g_assert_cmpuint (list->len, ==, 0);
  g_ptr_array_unref (list);

  /* the agent sees the rest, oldest first */
  g_assert_cmpuint (janus_agent_get_mailbox_size (AGENT (mb.agent)), ==, 2);
  m = janus_agent_get_message (AGENT (mb.agent));
  g_assert_cmpstr (janus_message_get_subject (m), ==, "d1");
  janus_message_unref (m);
  m = janus_agent_get_message (AGENT (mb.agent));
  g_assert_cmpstr (janus_message_get_subject (m), ==, "b1");
  janus_message_unref (m);
  g_assert_false (janus_role_has_message (ROLE (mb.b)));
  g_assert_cmpuint (janus_agent_get_mailbox_size (AGENT (mb.agent)), ==, 0);
  g_object_unref (mb.agent);
}

static void
test_mailbox_agent_sees_all (Fixture       *f,
                             gconstpointer  data)
{
  Mailboxes mb;
  JanusMessage *m;
  g_autoptr(GString) order = g_string_new (NULL);

  mailboxes_fill (f, &mb);
  while ((m = janus_agent_get_message (AGENT (mb.agent))) != NULL)
    {
      g_string_append_printf (order, "%s,", janus_message_get_subject (m));
      janus_message_unref (m);
    }
  g_assert_cmpstr (order->str, ==, "d1,a1,b1,a2,");
  g_assert_cmpuint (janus_role_get_mailbox_size (ROLE (mb.a)), ==, 0);
  g_assert_cmpuint (janus_role_get_mailbox_size (ROLE (mb.b)), ==, 0);
  g_object_unref (mb.agent);
}

static void
test_mailbox_left_role (Fixture       *f,
                        gconstpointer  data)
{
  Mailboxes mb;
  JanusRole *a;
  GPtrArray *list;

  mailboxes_fill (f, &mb);
  a = g_object_ref (ROLE (mb.a));
  leave (mb.agent, role_a, f->group);
  /* a left role reads nothing; its messages stay the agent's */
  g_assert_null (janus_role_get_message (a));
  g_assert_null (janus_role_peek_message (a));
  g_assert_false (janus_role_has_message (a));
  g_assert_cmpuint (janus_role_get_mailbox_size (a), ==, 0);
  list = janus_role_get_messages (a);
  g_assert_cmpuint (list->len, ==, 0);
  g_ptr_array_unref (list);
  list = janus_role_peek_messages (a);
  g_assert_cmpuint (list->len, ==, 0);
  g_ptr_array_unref (list);
  g_assert_cmpuint (janus_agent_get_mailbox_size (AGENT (mb.agent)), ==, 4);
  g_object_unref (a);
  g_object_unref (mb.agent);
}

/* ------------------------------------------------ wait_message, heavy */

typedef struct
{
  JanusGroup   *group;
  GMutex        lock;
  GCond         cond;
  gboolean      waiting;
  TestRole     *a;
  TestRole     *b;
  char         *got;              /* subject wait_message returned */
  GType         got_role;
  guint         b_size_after;     /* B's messages left after the wait */
  guint         agent_size_after;
  gboolean      timed_out_null;
  gint64        timeout_elapsed;
  gboolean      light_null;
} HeavyData;

static void
heavy_take_roles (TestAgent *self,
                  gpointer   data)
{
  HeavyData *hd = data;

  hd->a = take (self, role_a, hd->group);
  hd->b = take (self, role_b, hd->group);
}

static JanusLive
heavy_wait_live (TestAgent *self)
{
  HeavyData *hd = self->data;
  JanusMessage *m;
  gint64 t0;

  g_mutex_lock (&hd->lock);
  hd->waiting = TRUE;
  g_cond_broadcast (&hd->cond);
  g_mutex_unlock (&hd->lock);

  m = janus_role_wait_message (ROLE (hd->a), DEADLINE_USEC);
  g_mutex_lock (&hd->lock);
  if (m != NULL)
    {
      hd->got = g_strdup (janus_message_get_subject (m));
      hd->got_role = janus_message_get_receiver_role (m);
      janus_message_unref (m);
    }
  hd->b_size_after = janus_role_get_mailbox_size (ROLE (hd->b));
  hd->agent_size_after = janus_agent_get_mailbox_size (AGENT (self));
  g_mutex_unlock (&hd->lock);

  /* nothing more for A: a bounded wait returns NULL */
  t0 = g_get_monotonic_time ();
  m = janus_role_wait_message (ROLE (hd->a), 50 * 1000);
  hd->timeout_elapsed = g_get_monotonic_time () - t0;
  hd->timed_out_null = m == NULL;
  g_clear_pointer (&m, janus_message_unref);
  return JANUS_LIVE_DONE;
}

static void
test_wait_message_heavy (Fixture       *f,
                         gconstpointer  data)
{
  TestAgent *heavy = test_agent_new (NULL, NULL);
  HeavyData hd = { f->group };
  g_autoptr(GError) error = NULL;
  gint64 deadline = g_get_monotonic_time () + DEADLINE_USEC;

  g_mutex_init (&hd.lock);
  g_cond_init (&hd.cond);
  heavy->on_activate = heavy_take_roles;
  heavy->live = heavy_wait_live;
  heavy->data = &hd;
  g_assert_true (janus_kernel_launch_heavy_agent (f->kernel, AGENT (heavy), NULL, NULL, &error));
  g_assert_no_error (error);

  g_mutex_lock (&hd.lock);
  while (!hd.waiting)
    if (!g_cond_wait_until (&hd.cond, &hd.lock, deadline))
      g_error ("the heavy agent did not start waiting");
  g_mutex_unlock (&hd.lock);

  /* what is not for A does not end the wait */
  role_send_free (f->out, role_b, "for B");
  g_assert_true (janus_kernel_send (f->kernel, janus_agent_get_address (AGENT (heavy)),
                                    janus_message_new ("direct", NULL), NULL));
  role_send_free (f->out, role_a, "for A");

  g_mutex_lock (&heavy->lock);
  while (!heavy->ended)
    if (!g_cond_wait_until (&heavy->cond, &heavy->lock, deadline))
      g_error ("the heavy agent did not finish");
  g_mutex_unlock (&heavy->lock);

  g_assert_cmpstr (hd.got, ==, "for A");
  g_assert_true (hd.got_role == role_a);
  g_assert_cmpuint (hd.b_size_after, ==, 1);
  g_assert_cmpuint (hd.agent_size_after, ==, 2);
  g_assert_true (hd.timed_out_null);
  g_assert_cmpint (hd.timeout_elapsed, >=, 45 * 1000);
  g_assert_cmpint (hd.timeout_elapsed, <, DEADLINE_USEC);

  janus_kernel_shutdown (f->kernel);
  g_free (hd.got);
  g_mutex_clear (&hd.lock);
  g_cond_clear (&hd.cond);
  g_object_unref (heavy);
}

/* A heavy player with the default live: its roles are stepped on its own
 * thread when their messages come. */
static JanusLive
live_signal (TestRole *self)
{
  HeavyData *hd = self->data;
  JanusMessage *m;

  while ((m = janus_role_get_message (ROLE (self))) != NULL)
    {
      g_mutex_lock (&hd->lock);
      g_free (hd->got);
      hd->got = g_strdup (janus_message_get_subject (m));
      g_cond_broadcast (&hd->cond);
      g_mutex_unlock (&hd->lock);
      janus_message_unref (m);
    }
  return JANUS_LIVE_WAIT;
}

static void
heavy_take_signal (TestAgent *self,
                   gpointer   data)
{
  HeavyData *hd = data;

  g_mutex_lock (&hd->lock);
  hd->a = take (self, role_a, hd->group);
  hd->a->live = live_signal;
  hd->a->data = hd;
  hd->waiting = TRUE;
  g_cond_broadcast (&hd->cond);
  g_mutex_unlock (&hd->lock);
}

static void
test_activator_heavy_player (Fixture       *f,
                             gconstpointer  data)
{
  TestAgent *heavy = test_agent_new (NULL, NULL);
  HeavyData hd = { f->group };
  gint64 deadline = g_get_monotonic_time () + DEADLINE_USEC;

  g_mutex_init (&hd.lock);
  g_cond_init (&hd.cond);
  heavy->on_activate = heavy_take_signal;
  heavy->data = &hd;
  g_assert_true (janus_kernel_launch_heavy_agent (f->kernel, AGENT (heavy), NULL, NULL, NULL));
  g_mutex_lock (&hd.lock);
  while (!hd.waiting)
    if (!g_cond_wait_until (&hd.cond, &hd.lock, deadline))
      g_error ("the heavy agent did not take its role");
  g_mutex_unlock (&hd.lock);

  role_send_free (f->out, role_a, "to heavy");
  g_mutex_lock (&hd.lock);
  while (hd.got == NULL)
    if (!g_cond_wait_until (&hd.cond, &hd.lock, deadline))
      break;
  g_mutex_unlock (&hd.lock);
  g_assert_cmpstr (hd.got, ==, "to heavy");

  janus_kernel_shutdown (f->kernel);
  g_free (hd.got);
  g_mutex_clear (&hd.lock);
  g_cond_clear (&hd.cond);
  g_object_unref (heavy);
}

static void
test_mailbox_priority (Fixture       *f,
                       gconstpointer  data)
{
  TestAgent *agent = launch_new (f->kernel, NULL, NULL);
  TestRole *a = take (agent, role_a, f->group);
  GPtrArray *list;
  int prio[] = { 1, 5, 3, 5 };
  const char *names[] = { "p1", "p5a", "p3", "p5b" };
  guint i;

  a->live = live_idle;
  janus_agent_set_mailbox_kind (AGENT (agent), JANUS_MAILBOX_KIND_PRIORITY);
  for (i = 0; i < G_N_ELEMENTS (prio); i++)
    {
      JanusMessage *m = janus_message_new (names[i], NULL);
      janus_message_set_priority (m, prio[i]);
      janus_role_send (ROLE (f->out), role_a, m, NULL, NULL);
    }
  /* the role reads in the mailbox's order: priority, then arrival */
  list = janus_role_get_messages (ROLE (a));
  assert_subjects (list, "p5a,p5b,p3,p1");
  g_ptr_array_unref (list);
  g_object_unref (agent);
}

static void
test_mailbox_black_hole (Fixture       *f,
                         gconstpointer  data)
{
  TestAgent *agent = launch_new (f->kernel, NULL, NULL);
  TestRole *a = take (agent, role_a, f->group);
  guint64 before = janus_kernel_get_dead_letter_count (f->kernel);

  janus_agent_set_mailbox_kind (AGENT (agent), JANUS_MAILBOX_KIND_BLACK_HOLE);
  role_send_free (f->out, role_a, "lost");
  step_until_idle (f->kernel, 100);
  g_assert_cmpuint (janus_kernel_get_dead_letter_count (f->kernel), ==, before + 1);
  /* (the activator may step the role for it, but it finds nothing) */
  g_assert_cmpuint (a->got->len, ==, 0);
  g_assert_false (janus_role_has_message (ROLE (a)));
  g_assert_cmpuint (janus_agent_get_mailbox_size (AGENT (agent)), ==, 0);
  g_object_unref (agent);
}

static void
test_wait_message_light (Fixture       *f,
                         gconstpointer  data)
{
  TestAgent *agent = launch_new (f->kernel, NULL, NULL);
  TestRole *a = take (agent, role_a, f->group);
  JanusMessage *m;
  gint64 t0 = g_get_monotonic_time ();

  /* a light player never blocks: NULL at once, or what is there */
  g_assert_null (janus_role_wait_message (ROLE (a), DEADLINE_USEC));
  g_assert_cmpint (g_get_monotonic_time () - t0, <, DEADLINE_USEC / 2);
  role_send_free (f->out, role_a, "here");
  m = janus_role_wait_message (ROLE (a), DEADLINE_USEC);
  g_assert_nonnull (m);
  g_assert_cmpstr (janus_message_get_subject (m), ==, "here");
  janus_message_unref (m);
  g_object_unref (agent);
}

/* ---------------------------------------------------- cardinality race
 *
 * Many agents on two workers ask for a role with two places at once:
 * exactly two get it, the others are told CARDINALITY_FULL. */

typedef struct
{
  JanusGroup *group;
  GMutex      lock;
  GCond       cond;
  guint       asked;
  guint       won;
  guint       full;
  guint       other;
  guint       taken_signals;
} Race;

static void
race_request (TestAgent *self,
              gpointer   data)
{
  Race *race = data;
  g_autoptr(GError) error = NULL;
  JanusRole *role = janus_agent_request_role (AGENT (self), role_limited, race->group, NULL, &error);

  g_mutex_lock (&race->lock);
  race->asked++;
  if (role != NULL)
    race->won++;
  else if (g_error_matches (error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_CARDINALITY_FULL))
    race->full++;
  else
    race->other++;
  g_cond_broadcast (&race->cond);
  g_mutex_unlock (&race->lock);
}

static void
race_taken (JanusGroup *group,
            JanusRole  *role,
            Race       *race)
{
  g_mutex_lock (&race->lock);
  race->taken_signals++;
  g_mutex_unlock (&race->lock);
}

static void
test_request_cardinality_race (void)
{
  JanusKernel *kernel = janus_kernel_new (2);
  Race race = { 0 };
  guint n = g_getenv ("JANUS_TEST_SMALL") ? 8 : 32, i;
  TestAgent **agents = g_new0 (TestAgent *, n);
  gint64 deadline = g_get_monotonic_time () + DEADLINE_USEC;

  race.group = new_group (kernel, org_main);
  janus_group_set_persistent (race.group, TRUE);
  g_mutex_init (&race.lock);
  g_cond_init (&race.cond);
  g_signal_connect (race.group, "role-taken", G_CALLBACK (race_taken), &race);
  for (i = 0; i < n; i++)
    {
      agents[i] = test_agent_new (NULL, NULL);
      agents[i]->on_activate = race_request;
      agents[i]->data = &race;
    }
  for (i = 0; i < n; i++)
    g_assert_true (janus_kernel_launch_light_agent (kernel, AGENT (agents[i]), NULL, NULL, NULL));

  g_mutex_lock (&race.lock);
  while (race.asked < n)
    if (!g_cond_wait_until (&race.cond, &race.lock, deadline))
      break;
  g_mutex_unlock (&race.lock);
  janus_kernel_shutdown (kernel);

  g_assert_cmpuint (race.asked, ==, n);
  g_assert_cmpuint (race.won, ==, 2);
  g_assert_cmpuint (race.full, ==, n - 2);
  g_assert_cmpuint (race.other, ==, 0);
  g_assert_cmpuint (race.taken_signals, ==, 2);

  g_assert_finalize_object (kernel);
  for (i = 0; i < n; i++)
    g_assert_finalize_object (agents[i]);
  g_free (agents);
  g_assert_finalize_object (race.group);
  g_mutex_clear (&race.lock);
  g_cond_clear (&race.cond);
}

/* ------------------------------------------------------- wrong threads
 *
 * On a kernel with workers only the player's own steps manage its roles
 * and read their mailboxes: anything else is a critical. */

typedef struct
{
  JanusGroup *group;
  GMutex      lock;
  GCond       cond;
  JanusRole  *role;
} Taker;

static void
take_in_activate (TestAgent *self,
                  gpointer   data)
{
  Taker *tk = data;
  JanusRole *role = ROLE (take (self, role_a, tk->group));

  g_mutex_lock (&tk->lock);
  tk->role = g_object_ref (role);
  g_cond_broadcast (&tk->cond);
  g_mutex_unlock (&tk->lock);
}

/* A 2-worker kernel where an agent took role_a in its activate. */
static JanusRole *
role_on_workers (JanusKernel **kernel,
                 TestAgent   **agent,
                 Taker        *tk)
{
  gint64 deadline = g_get_monotonic_time () + DEADLINE_USEC;

  *kernel = janus_kernel_new (2);
  tk->group = new_group (*kernel, org_main);
  g_mutex_init (&tk->lock);
  g_cond_init (&tk->cond);
  *agent = test_agent_new (NULL, NULL);
  (*agent)->on_activate = take_in_activate;
  (*agent)->data = tk;
  g_assert_true (janus_kernel_launch_light_agent (*kernel, AGENT (*agent), NULL, NULL, NULL));
  g_mutex_lock (&tk->lock);
  while (tk->role == NULL)
    if (!g_cond_wait_until (&tk->cond, &tk->lock, deadline))
      g_error ("the role was not taken");
  g_mutex_unlock (&tk->lock);
  return tk->role;
}

static void
test_wrong_thread_request (void)
{
  if (g_test_subprocess ())
    {
      JanusKernel *kernel;
      TestAgent *agent;
      Taker tk = { 0 };

      role_on_workers (&kernel, &agent, &tk);
      janus_agent_request_role (AGENT (agent), role_b, tk.group, NULL, NULL);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*CRITICAL*janus_agent_request_role*");
}

static void
test_wrong_thread_leave (void)
{
  if (g_test_subprocess ())
    {
      JanusKernel *kernel;
      TestAgent *agent;
      Taker tk = { 0 };

      role_on_workers (&kernel, &agent, &tk);
      janus_agent_leave_role (AGENT (agent), role_a, tk.group, NULL);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*CRITICAL*janus_agent_leave_role*");
}

static void
test_wrong_thread_mailbox (void)
{
  if (g_test_subprocess ())
    {
      JanusKernel *kernel;
      TestAgent *agent;
      Taker tk = { 0 };

      g_assert_null (janus_role_get_message (role_on_workers (&kernel, &agent, &tk)));
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*CRITICAL*janus_role_get_message*");
}

/* ----------------------------------------------------------------- main */

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  register_types ();
  role_guard_open = TRUE;

  TEST_F ("/role/request/not-listed", test_request_not_listed);
  TEST_F ("/role/request/already-played", test_request_already_played);
  TEST_F ("/role/request/parent-of-played", test_request_parent_of_played);
  TEST_F ("/role/request/membership", test_request_membership);
  TEST_F ("/role/request/group-condition", test_request_group_condition);
  TEST_F ("/role/request/cardinality", test_request_cardinality);
  TEST_F ("/role/request/missing-capacity", test_request_missing_capacity);
  TEST_F ("/role/request/time-window", test_request_time_window);
  g_test_add_func ("/role/request/time-window-virtual", test_request_time_window_virtual);
  TEST_F ("/role/request/not-launched", test_request_not_launched);
  TEST_F ("/role/request/agent-dead", test_request_agent_dead);
  TEST_F ("/role/request/other-kernel", test_request_other_kernel);
  TEST_F ("/role/request/activate-fails", test_request_activate_fails);
  TEST_F ("/role/request/init-data", test_request_init_data);
  TEST_F ("/role/leave/not-played", test_leave_not_played);
  TEST_F ("/role/leave/conditions", test_leave_conditions);
  TEST_F ("/role/leave/detaches", test_leave_detaches);
  TEST_F ("/role/leave/by-parent-type", test_leave_by_parent_type);
  TEST_F ("/role/end-when-no-role/on", test_end_when_no_role);
  TEST_F ("/role/end-when-no-role/off", test_end_when_no_role_off);
  TEST_F ("/role/end-when-no-role/no-leave", test_end_when_no_role_no_leave);
  TEST_F ("/role/end-when-no-role/between-steps", test_end_when_no_role_between_steps);
  TEST_F ("/role/end-when-no-role/done", test_end_when_no_role_done);
  TEST_F ("/role/activator/new-role", test_activator_new_role);
  TEST_F ("/role/activator/message", test_activator_message);
  TEST_F ("/role/activator/again", test_activator_again);
  TEST_F ("/role/activator/done-leaves", test_activator_done_leaves);
  TEST_F ("/role/activator/invalid-result", test_activator_invalid_result);
  TEST_F ("/role/activator/role-fail", test_role_fail);
  TEST_F ("/role/activator/role-taken-by-role", test_activator_role_taken_by_role);
  TEST_F ("/role/activator/overridden", test_activator_overridden);
  TEST_F ("/role/activator/roles-leave-in-step", test_activator_roles_leave_in_step);
  TEST_F ("/role/activator/heavy-player", test_activator_heavy_player);
  TEST_F ("/role/dying/leaves-every-role", test_dying_leaves_every_role);
  TEST_F ("/role/memory/shared", test_shared_memory);
  TEST_F ("/role/mailbox/role-view", test_mailbox_role_view);
  TEST_F ("/role/mailbox/agent-sees-all", test_mailbox_agent_sees_all);
  TEST_F ("/role/mailbox/left-role", test_mailbox_left_role);
  TEST_F ("/role/mailbox/priority", test_mailbox_priority);
  TEST_F ("/role/mailbox/black-hole", test_mailbox_black_hole);
  TEST_F ("/role/wait-message/heavy", test_wait_message_heavy);
  TEST_F ("/role/wait-message/light", test_wait_message_light);
  g_test_add_func ("/role/request-race/cardinality", test_request_cardinality_race);
  g_test_add_func ("/role/wrong-thread/request", test_wrong_thread_request);
  g_test_add_func ("/role/wrong-thread/leave", test_wrong_thread_leave);
  g_test_add_func ("/role/wrong-thread/mailbox", test_wrong_thread_mailbox);

  return g_test_run ();
}
