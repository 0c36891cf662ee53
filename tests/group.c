/* SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Groups: create_group / get_or_create_group, UUIDs and lookup, list order,
 * life (an empty new group stays, the last member leaving ends it unless
 * persistent), membership policy, obtain and leave conditions and the exact
 * order of the checks of janus_agent_request_role, the role-taken and
 * role-left signals, the introspection calls (count_players, list_players,
 * list_roles, has_member) and the selection policy property.
 *
 * Deterministic: 0-worker kernels; roles are taken and left from the
 * driving thread between steps (allowed on a kernel without workers), plus
 * one signal-thread check on a 2-worker kernel with bounded waits.
 */
#include <string.h>

#include "janus-test-utils.h"

/* ------------------------------------------------------ checks toggles
 *
 * The conditions of the check-order tests read these; each evaluation is
 * logged ("M" membership, "G" group obtain, "R" role class obtain). */

typedef struct
{
  gboolean membership_ok;
  gboolean group_ok;
  gboolean role_ok;
} Toggles;

static Toggles toggles = { TRUE, TRUE, TRUE };
static GString *evals;

static gboolean
toggle_condition (JanusAgent *agent,
                  JanusGroup *group,
                  GType       role_type,
                  gpointer    user_data)
{
  const char *which = user_data;

  g_string_append (evals, which);
  switch (which[0])
    {
    case 'M': return toggles.membership_ok;
    case 'G': return toggles.group_ok;
    case 'R': return toggles.role_ok;
    default: g_assert_not_reached ();
    }
}

/* --------------------------------------------------------------- types */

static GType role_a, role_a_sub, role_b, role_limited, role_limited_sub, role_strict,
             role_strict_unlisted, role_unlisted;
static GType org_main, org_other, org_strict;

/* requires TestCap; obtain condition "R" */
static void
strict_role_class_init (gpointer klass,
                        gpointer data)
{
  g_autoptr(JanusCondition) c = janus_condition_new ("role toggle", toggle_condition, "R", NULL);

  janus_role_class_add_required_capacity (klass, TEST_TYPE_CAP);
  janus_role_class_add_obtain_condition (klass, c);
}

static void
org_main_class_init (gpointer klass,
                     gpointer data)
{
  janus_organization_class_add_role (klass, role_a, 0);
  janus_organization_class_add_role (klass, role_b, 0);
  janus_organization_class_add_role (klass, role_limited, 2);
}

static void
org_other_class_init (gpointer klass,
                      gpointer data)
{
  janus_organization_class_add_role (klass, role_a, 0);
}

static void
org_strict_class_init (gpointer klass,
                       gpointer data)
{
  janus_organization_class_add_role (klass, role_strict, 1);
}

static void
register_types (void)
{
  role_a = register_type (TEST_TYPE_ROLE, "GroupTestRoleA", NULL);
  role_a_sub = register_type (role_a, "GroupTestRoleASub", NULL);
  role_b = register_type (TEST_TYPE_ROLE, "GroupTestRoleB", NULL);
  role_limited = register_type (TEST_TYPE_ROLE, "GroupTestRoleLimited", NULL);
  role_limited_sub = register_type (role_limited, "GroupTestRoleLimitedSub", NULL);
  role_strict = register_type (TEST_TYPE_ROLE, "GroupTestRoleStrict", strict_role_class_init);
  /* same rules (inherited), not listed anywhere */
  role_strict_unlisted = register_type (TEST_TYPE_ROLE, "GroupTestRoleStrictUnlisted",
                                        strict_role_class_init);
  role_unlisted = register_type (TEST_TYPE_ROLE, "GroupTestRoleUnlisted", NULL);

  org_main = register_type (JANUS_TYPE_ORGANIZATION, "GroupTestOrgMain", org_main_class_init);
  org_other = register_type (JANUS_TYPE_ORGANIZATION, "GroupTestOrgOther", org_other_class_init);
  org_strict = register_type (JANUS_TYPE_ORGANIZATION, "GroupTestOrgStrict", org_strict_class_init);
}

/* ------------------------------------------------------------- helpers */

static void
assert_agents (GPtrArray *agents,
               guint      n,
               ...)
{
  va_list ap;
  guint i;

  g_assert_nonnull (agents);
  g_assert_cmpuint (agents->len, ==, n);
  va_start (ap, n);
  for (i = 0; i < n; i++)
    g_assert_true (agents->pdata[i] == va_arg (ap, gpointer));
  va_end (ap);
  g_ptr_array_unref (agents);
}

static gboolean
array_has (GPtrArray *array,
           gpointer   item)
{
  gboolean found = g_ptr_array_find (array, item, NULL);

  g_ptr_array_unref (array);
  return found;
}

/* Counts role-taken and role-left, logging "taken X" / "left X". */
typedef struct
{
  guint       n_taken;
  guint       n_left;
  JanusRole  *last_taken;
  JanusRole  *last_left;
  JanusAgent *player_in_taken;
  gboolean    played_in_left;
  GThread    *taken_thread;
  GThread    *left_thread;
} SignalCount;

static void
on_role_taken (JanusGroup  *group,
               JanusRole   *role,
               SignalCount *sc)
{
  g_assert_true (JANUS_IS_ROLE (role));
  g_assert_true (janus_role_get_group (role) == group);
  sc->n_taken++;
  sc->last_taken = role;
  sc->player_in_taken = janus_role_get_player (role);
  sc->taken_thread = g_thread_self ();
  log_event ("taken %s", G_OBJECT_TYPE_NAME (role));
}

static void
on_role_left (JanusGroup  *group,
              JanusRole   *role,
              SignalCount *sc)
{
  g_assert_true (JANUS_IS_ROLE (role));
  sc->n_left++;
  sc->last_left = role;
  sc->played_in_left = janus_role_is_played (role);
  sc->left_thread = g_thread_self ();
  log_event ("left %s", G_OBJECT_TYPE_NAME (role));
}

static void
watch (JanusGroup  *group,
       SignalCount *sc)
{
  g_signal_connect (group, "role-taken", G_CALLBACK (on_role_taken), sc);
  g_signal_connect (group, "role-left", G_CALLBACK (on_role_left), sc);
}

/* ---------------------------------------------------------- creation */

static void
test_create (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  JanusGroup *g1 = new_group (kernel, org_main);
  JanusGroup *g2 = new_group (kernel, org_main);

  g_assert_true (g1 != g2);
  g_assert_true (janus_group_is_alive (g1));
  g_assert_true (janus_group_get_kernel (g1) == kernel);
  g_assert_true (janus_group_get_organization (g1) == janus_kernel_get_organization (kernel, org_main));
  g_assert_true (janus_group_get_organization (g2) == janus_group_get_organization (g1));
  g_assert_false (janus_group_get_persistent (g1));
  g_assert_cmpint (janus_group_get_selection_policy (g1), ==, JANUS_SELECTION_RANDOM);
  g_assert_cmpuint (janus_group_count_players (g1, G_TYPE_INVALID), ==, 0);
  finish (kernel, NULL);
  /* the kernel is gone: the group is no longer alive */
  g_assert_false (janus_group_is_alive (g1));
  g_assert_null (janus_group_get_kernel (g1));
  g_assert_finalize_object (g1);
  g_assert_finalize_object (g2);
}

static void
test_create_on_stopped_kernel (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  g_autoptr(GError) error = NULL;

  janus_kernel_shutdown (kernel);
  g_assert_null (janus_kernel_create_group (kernel, org_main, &error));
  g_assert_error (error, JANUS_KERNEL_ERROR, JANUS_KERNEL_ERROR_STOPPED);
  finish (kernel, NULL);
}

static void
test_get_or_create (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  g_autoptr(GError) error = NULL;
  JanusGroup *first, *again, *second, *third, *other;
  TestAgent *agent = launch_new (kernel, NULL, NULL);

  /* none yet: makes one */
  first = janus_kernel_get_or_create_group (kernel, org_main, &error);
  g_assert_no_error (error);
  g_assert_nonnull (first);
  g_assert_true (janus_group_is_alive (first));
  second = new_group (kernel, org_main);

  /* the oldest living one */
  again = janus_kernel_get_or_create_group (kernel, org_main, &error);
  g_assert_no_error (error);
  g_assert_true (again == first);
  g_object_unref (again);

  /* another organization has its own */
  other = janus_kernel_get_or_create_group (kernel, org_other, &error);
  g_assert_no_error (error);
  g_assert_true (other != first && other != second);

  /* the first died: the next living one */
  take (agent, role_a, first);
  leave (agent, role_a, first);
  g_assert_false (janus_group_is_alive (first));
  again = janus_kernel_get_or_create_group (kernel, org_main, &error);
  g_assert_no_error (error);
  g_assert_true (again == second);
  g_object_unref (again);

  /* none alive: a new one */
  take (agent, role_a, second);
  leave (agent, role_a, second);
  third = janus_kernel_get_or_create_group (kernel, org_main, &error);
  g_assert_no_error (error);
  g_assert_true (third != first && third != second);
  g_assert_true (janus_group_is_alive (third));

  finish (kernel, NULL);
  g_assert_finalize_object (agent);
  g_assert_finalize_object (first);
  g_assert_finalize_object (second);
  g_assert_finalize_object (third);
  g_assert_finalize_object (other);
}

/* Random group UUIDs do not repeat, and each looks up its own group. */
static void
test_uuid_distinct (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GPtrArray) groups = g_ptr_array_new_with_free_func (g_object_unref);
  guint i;

  for (i = 0; i < 2000; i++)
    {
      JanusGroup *group = new_group (kernel, org_main);
      const char *uuid = janus_group_get_uuid (group);

      g_assert_true (g_uuid_string_is_valid (uuid));
      g_assert_false (g_hash_table_contains (seen, uuid));
      g_hash_table_add (seen, g_strdup (uuid));
      g_ptr_array_add (groups, group);
    }
  for (i = 0; i < groups->len; i += 97)
    {
      JanusGroup *found = janus_kernel_lookup_group (kernel, janus_group_get_uuid (groups->pdata[i]));

      g_assert_true (found == groups->pdata[i]);
      g_object_unref (found);
    }
  g_clear_pointer (&groups, g_ptr_array_unref);
  janus_kernel_shutdown (kernel);
  g_assert_finalize_object (kernel);
}

static void
test_uuid (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  JanusKernel *elsewhere = janus_kernel_new (0);
  JanusGroup *g1 = new_group (kernel, org_main);
  JanusGroup *g2 = new_group (kernel, org_other);
  g_autofree char *prop = NULL;
  JanusGroup *found;
  const char *uuid = janus_group_get_uuid (g1);

  g_assert_nonnull (uuid);
  g_assert_cmpuint (strlen (uuid), ==, 36);
  g_assert_true (g_uuid_string_is_valid (uuid));
  g_assert_cmpstr (janus_group_get_uuid (g2), !=, uuid);
  g_assert_true (g_uuid_string_is_valid (janus_group_get_uuid (g2)));
  /* random (version 4, RFC 4122 variant), lower case */
  g_assert_cmpint (uuid[14], ==, '4');
  g_assert_nonnull (strchr ("89ab", uuid[19]));
  for (const char *c = uuid; *c; c++)
    g_assert_true (*c == '-' || g_ascii_isdigit (*c) || (*c >= 'a' && *c <= 'f'));
  /* stable */
  g_assert_true (janus_group_get_uuid (g1) == uuid);
  g_object_get (g1, "uuid", &prop, NULL);
  g_assert_cmpstr (prop, ==, uuid);

  found = janus_kernel_lookup_group (kernel, uuid);
  g_assert_true (found == g1);
  g_object_unref (found);
  found = janus_kernel_lookup_group (kernel, janus_group_get_uuid (g2));
  g_assert_true (found == g2);
  g_object_unref (found);
  /* unknown, or another kernel's */
  g_assert_null (janus_kernel_lookup_group (kernel, "00000000-0000-4000-8000-000000000000"));
  g_assert_null (janus_kernel_lookup_group (kernel, "not a uuid"));
  g_assert_null (janus_kernel_lookup_group (elsewhere, uuid));

  finish (kernel, NULL);
  finish (elsewhere, NULL);
  g_assert_finalize_object (g1);
  g_assert_finalize_object (g2);
}

static void
test_list_order (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  JanusGroup *g[5];
  GPtrArray *list;
  guint i;

  for (i = 0; i < G_N_ELEMENTS (g); i++)
    g[i] = new_group (kernel, i % 2 ? org_other : org_main);
  list = janus_kernel_list_groups (kernel);
  g_assert_cmpuint (list->len, ==, G_N_ELEMENTS (g));
  for (i = 0; i < G_N_ELEMENTS (g); i++)
    g_assert_true (list->pdata[i] == g[i]);
  g_ptr_array_unref (list);

  assert_agents (janus_organization_list_groups (janus_kernel_get_organization (kernel, org_main)),
                 3, g[0], g[2], g[4]);
  assert_agents (janus_organization_list_groups (janus_kernel_get_organization (kernel, org_other)),
                 2, g[1], g[3]);
  finish (kernel, NULL);
  for (i = 0; i < G_N_ELEMENTS (g); i++)
    g_assert_finalize_object (g[i]);
}

/* --------------------------------------------------------------- life */

static void
test_empty_group_stays (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  JanusGroup *group = new_group (kernel, org_main);
  TestAgent *agent = launch_new (kernel, NULL, NULL);
  JanusGroup *found;

  step_until_idle (kernel, 100);
  g_assert_true (janus_group_is_alive (group));
  g_assert_true (array_has (janus_kernel_list_groups (kernel), group));
  found = janus_kernel_lookup_group (kernel, janus_group_get_uuid (group));
  g_assert_true (found == group);
  g_object_unref (found);
  /* and can be joined */
  take (agent, role_a, group);
  finish (kernel, NULL);
  g_assert_finalize_object (agent);
  g_assert_finalize_object (group);
}

static void
test_last_member_leaves (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  JanusGroup *group = new_group (kernel, org_main);
  TestAgent *a1 = launch_new (kernel, NULL, NULL);
  TestAgent *a2 = launch_new (kernel, NULL, NULL);
  JanusOrganization *org = janus_kernel_get_organization (kernel, org_main);
  g_autoptr(GError) error = NULL;
  g_autofree char *uuid = g_strdup (janus_group_get_uuid (group));
  SignalCount sc = { 0 };

  take (a1, role_a, group);
  take (a1, role_b, group);
  take (a2, role_a, group);
  leave (a1, role_a, group);
  leave (a1, role_b, group);
  g_assert_true (janus_group_is_alive (group));       /* a2 is still there */
  leave (a2, role_a, group);

  g_assert_false (janus_group_is_alive (group));
  g_assert_false (array_has (janus_kernel_list_groups (kernel), group));
  g_assert_false (array_has (janus_organization_list_groups (org), group));
  g_assert_null (janus_kernel_lookup_group (kernel, uuid));

  /* it can no longer be joined, and no signal says so */
  watch (group, &sc);
  g_assert_null (janus_agent_request_role (AGENT (a1), role_a, group, NULL, &error));
  g_assert_error (error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_NOT_A_MEMBER);
  g_assert_nonnull (strstr (error->message, uuid));
  g_assert_cmpuint (sc.n_taken, ==, 0);
  g_assert_cmpuint (janus_group_count_players (group, G_TYPE_INVALID), ==, 0);
  g_assert_null (janus_agent_get_role (AGENT (a1), role_a, group));
  g_assert_false (janus_group_is_alive (group));

  finish (kernel, NULL);
  g_assert_finalize_object (a1);
  g_assert_finalize_object (a2);
  g_assert_finalize_object (group);
}

static void
test_last_member_dies (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  JanusGroup *group = new_group (kernel, org_main);
  TestAgent *agent = launch_new (kernel, NULL, NULL);
  g_autoptr(GError) error = NULL;

  take (agent, role_a, group);
  g_assert_true (janus_kernel_kill (kernel, AGENT (agent), &error));
  g_assert_no_error (error);
  step_until_idle (kernel, 100);
  g_assert_cmpint (janus_agent_get_state (AGENT (agent)), ==, JANUS_AGENT_STATE_DIED);
  g_assert_false (janus_group_is_alive (group));
  g_assert_false (array_has (janus_kernel_list_groups (kernel), group));
  finish (kernel, NULL);
  g_assert_finalize_object (agent);
  g_assert_finalize_object (group);
}

static void
count_notify (GObject    *object,
              GParamSpec *pspec,
              guint      *n)
{
  (*n)++;
}

static void
test_persistent (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  JanusGroup *group = new_group (kernel, org_main);
  TestAgent *agent = launch_new (kernel, NULL, NULL);
  guint n_notify = 0;
  gboolean prop = FALSE;

  g_signal_connect (group, "notify::persistent", G_CALLBACK (count_notify), &n_notify);
  janus_group_set_persistent (group, TRUE);
  g_assert_cmpuint (n_notify, ==, 1);
  janus_group_set_persistent (group, TRUE);        /* no change, no notify */
  g_assert_cmpuint (n_notify, ==, 1);
  g_assert_true (janus_group_get_persistent (group));
  g_object_get (group, "persistent", &prop, NULL);
  g_assert_true (prop);

  take (agent, role_a, group);
  leave (agent, role_a, group);
  g_assert_true (janus_group_is_alive (group));
  g_assert_true (array_has (janus_kernel_list_groups (kernel), group));
  take (agent, role_a, group);                     /* still joinable */
  leave (agent, role_a, group);

  /* no longer persistent: an empty group is not destroyed by that... */
  g_object_set (group, "persistent", FALSE, NULL);
  g_assert_cmpuint (n_notify, ==, 2);
  g_assert_true (janus_group_is_alive (group));
  /* ...but by the next last member leaving */
  take (agent, role_a, group);
  leave (agent, role_a, group);
  g_assert_false (janus_group_is_alive (group));

  finish (kernel, NULL);
  g_assert_finalize_object (agent);
  g_assert_finalize_object (group);
}

/* ---------------------------------------------- membership and conditions */

typedef struct
{
  JanusAgent *allowed;
  guint       n_calls;
  JanusAgent *last_agent;
  JanusGroup *last_group;
  GType       last_role;
} PolicyData;

static gboolean
only_allowed (JanusAgent *agent,
              JanusGroup *group,
              GType       role_type,
              gpointer    user_data)
{
  PolicyData *pd = user_data;

  pd->n_calls++;
  pd->last_agent = agent;
  pd->last_group = group;
  pd->last_role = role_type;
  return agent == pd->allowed;
}

static void
test_membership_policy (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  JanusGroup *group = new_group (kernel, org_main);
  TestAgent *in = launch_new (kernel, NULL, NULL);
  TestAgent *out = launch_new (kernel, NULL, NULL);
  PolicyData pd = { AGENT (in), 0 };
  JanusCondition *policy = janus_condition_new ("members by invitation", only_allowed, &pd, NULL);
  g_autoptr(GError) error = NULL;
  SignalCount sc = { 0 };

  watch (group, &sc);
  janus_group_set_membership_policy (group, policy);
  g_object_unref (policy);                          /* the group keeps it */

  g_assert_null (janus_agent_request_role (AGENT (out), role_a, group, NULL, &error));
  g_assert_error (error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_NOT_A_MEMBER);
  g_assert_nonnull (strstr (error->message, "members by invitation"));
  expect_names (error, role_a, group);
  g_clear_error (&error);
  g_assert_cmpuint (pd.n_calls, ==, 1);
  g_assert_true (pd.last_agent == AGENT (out));
  g_assert_true (pd.last_group == group);
  g_assert_true (pd.last_role == role_a);
  g_assert_false (janus_group_has_member (group, AGENT (out)));
  g_assert_cmpuint (sc.n_taken, ==, 0);

  take (in, role_a, group);
  take (in, role_b, group);        /* checked for every role */
  g_assert_cmpuint (pd.n_calls, ==, 3);
  g_assert_true (pd.last_role == role_b);
  g_assert_cmpuint (sc.n_taken, ==, 2);

  /* NULL: everyone */
  janus_group_set_membership_policy (group, NULL);
  take (out, role_a, group);
  g_assert_cmpuint (pd.n_calls, ==, 3);

  finish (kernel, NULL);
  g_assert_finalize_object (in);
  g_assert_finalize_object (out);
  g_assert_finalize_object (group);
}

static gboolean
refuse (JanusAgent *agent,
        JanusGroup *group,
        GType       role_type,
        gpointer    user_data)
{
  if (user_data != NULL)
    (*(guint *) user_data)++;
  return FALSE;
}

static gboolean
refuse_role_b (JanusAgent *agent,
               JanusGroup *group,
               GType       role_type,
               gpointer    user_data)
{
  return role_type != role_b;
}

static void
test_obtain_condition (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  JanusGroup *group = new_group (kernel, org_main);
  TestAgent *agent = launch_new (kernel, NULL, NULL);
  JanusCondition *no_b = janus_condition_new ("no B here", refuse_role_b, NULL, NULL);
  g_autoptr(GError) error = NULL;
  SignalCount sc = { 0 };

  watch (group, &sc);
  janus_group_add_obtain_condition (group, no_b);
  g_object_unref (no_b);

  take (agent, role_a, group);
  g_assert_null (janus_agent_request_role (AGENT (agent), role_b, group, NULL, &error));
  g_assert_error (error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_CONDITION_FAILED);
  g_assert_nonnull (strstr (error->message, "no B here"));
  g_assert_nonnull (strstr (error->message, g_type_name (role_b)));
  g_assert_nonnull (strstr (error->message, janus_group_get_uuid (group)));
  g_assert_null (janus_agent_get_role (AGENT (agent), role_b, group));
  g_assert_cmpuint (sc.n_taken, ==, 1);
  g_assert_cmpuint (janus_group_count_players (group, G_TYPE_INVALID), ==, 1);

  finish (kernel, NULL);
  g_assert_finalize_object (agent);
  g_assert_finalize_object (group);
}

static void
test_leave_condition (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  JanusGroup *group = new_group (kernel, org_main);
  TestAgent *agent = launch_new (kernel, NULL, NULL);
  guint n_calls = 0;
  JanusCondition *stay = janus_condition_new ("nobody leaves", refuse, &n_calls, NULL);
  g_autoptr(GError) error = NULL;
  JanusRole *role;
  SignalCount sc = { 0 };

  watch (group, &sc);
  role = ROLE (take (agent, role_a, group));
  janus_group_add_leave_condition (group, stay);
  g_object_unref (stay);

  g_assert_false (janus_agent_leave_role (AGENT (agent), role_a, group, &error));
  g_assert_error (error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_CONDITION_FAILED);
  g_assert_nonnull (strstr (error->message, "nobody leaves"));
  g_assert_nonnull (strstr (error->message, janus_group_get_uuid (group)));
  g_assert_cmpuint (n_calls, ==, 1);
  /* still played, end did not run, no signal */
  g_assert_true (janus_role_is_played (role));
  g_assert_cmpuint (TEST_ROLE (role)->n_end, ==, 0);
  g_assert_cmpuint (sc.n_left, ==, 0);
  g_assert_true (janus_group_has_member (group, AGENT (agent)));

  /* dying leaves whatever the conditions */
  g_object_ref (role);
  janus_kernel_kill (kernel, AGENT (agent), NULL);
  step_until_idle (kernel, 100);
  g_assert_false (janus_role_is_played (role));
  g_assert_cmpuint (TEST_ROLE (role)->n_end, ==, 1);
  g_assert_cmpuint (sc.n_left, ==, 1);
  g_assert_false (janus_group_is_alive (group));
  g_object_unref (role);

  finish (kernel, NULL);
  g_assert_finalize_object (agent);
  g_assert_finalize_object (group);
}

/* ------------------------------------------------------------ check order
 *
 * Several rules would refuse at once; the first in the documented order
 * wins, and the later checks do not run (their conditions are not
 * evaluated). */

typedef struct
{
  gboolean    unlisted;       /* request a type the organization does not list */
  gboolean    already;        /* the agent plays the role already */
  gboolean    full;           /* another agent holds the only place */
  gboolean    membership_ok;
  gboolean    group_ok;
  gboolean    has_capacity;
  gboolean    role_ok;
  JanusOrganizationError code;
  const char *in_message;     /* a substring of the error message */
  const char *evaluated;      /* the conditions evaluated, in order */
} OrderCase;

static const OrderCase order_cases[] = {
  /* everything refuses */
  { TRUE,  FALSE, TRUE,  FALSE, FALSE, FALSE, FALSE, JANUS_ORGANIZATION_ERROR_ROLE_NOT_LISTED,     NULL,           "" },
  { FALSE, TRUE,  TRUE,  FALSE, FALSE, TRUE,  FALSE, JANUS_ORGANIZATION_ERROR_ROLE_ALREADY_PLAYED, NULL,           "" },
  { FALSE, FALSE, TRUE,  FALSE, FALSE, FALSE, FALSE, JANUS_ORGANIZATION_ERROR_NOT_A_MEMBER,        "member toggle", "M" },
  { FALSE, FALSE, TRUE,  TRUE,  FALSE, FALSE, FALSE, JANUS_ORGANIZATION_ERROR_CONDITION_FAILED,    "group toggle", "MG" },
  { FALSE, FALSE, TRUE,  TRUE,  TRUE,  FALSE, FALSE, JANUS_ORGANIZATION_ERROR_CARDINALITY_FULL,    NULL,           "MG" },
  { FALSE, FALSE, FALSE, TRUE,  TRUE,  FALSE, FALSE, JANUS_ORGANIZATION_ERROR_MISSING_CAPACITY,    NULL,           "MG" },
  { FALSE, FALSE, FALSE, TRUE,  TRUE,  TRUE,  FALSE, JANUS_ORGANIZATION_ERROR_CONDITION_FAILED,    "role toggle",  "MGR" },
};

static const char *const order_names[] = {
  "not-listed", "already-played", "membership", "group-condition",
  "cardinality", "capacity", "role-condition",
};

static void
test_check_order (gconstpointer data)
{
  const OrderCase *c = data;
  JanusKernel *kernel = janus_kernel_new (0);
  JanusGroup *group = new_group (kernel, org_strict);
  TestAgent *agent = launch_new (kernel, NULL, NULL);
  TestAgent *filler = launch_new (kernel, NULL, NULL);
  g_autoptr(JanusCondition) member = janus_condition_new ("member toggle", toggle_condition, "M", NULL);
  g_autoptr(JanusCondition) obtain = janus_condition_new ("group toggle", toggle_condition, "G", NULL);
  g_autoptr(GObject) cap = g_object_new (TEST_TYPE_CAP_IMPL, NULL);
  g_autoptr(GError) error = NULL;
  GType type = c->unlisted ? role_strict_unlisted : role_strict;
  SignalCount sc = { 0 };
  guint players;

  evals = g_string_new (NULL);
  toggles = (Toggles) { TRUE, TRUE, TRUE };
  janus_group_set_membership_policy (group, member);
  janus_group_add_obtain_condition (group, obtain);
  janus_agent_add_capacity (AGENT (filler), TEST_TYPE_CAP, cap);
  if (c->has_capacity)
    janus_agent_add_capacity (AGENT (agent), TEST_TYPE_CAP, cap);
  if (c->already)
    take (agent, role_strict, group);
  else if (c->full)
    take (filler, role_strict, group);
  else
    janus_group_set_persistent (group, TRUE);

  toggles = (Toggles) { c->membership_ok, c->group_ok, c->role_ok };
  g_string_truncate (evals, 0);
  players = janus_group_count_players (group, G_TYPE_INVALID);
  watch (group, &sc);
  log_clear ();

  g_assert_null (janus_agent_request_role (AGENT (agent), type, group, NULL, &error));
  g_assert_error (error, JANUS_ORGANIZATION_ERROR, (gint) c->code);
  expect_names (error, type, group);
  if (c->in_message)
    g_assert_nonnull (strstr (error->message, c->in_message));
  g_assert_cmpstr (evals->str, ==, c->evaluated);
  /* nothing happened */
  assert_events ("");
  g_assert_cmpuint (sc.n_taken, ==, 0);
  g_assert_cmpuint (janus_group_count_players (group, G_TYPE_INVALID), ==, players);

  g_string_free (evals, TRUE);
  evals = NULL;
  toggles = (Toggles) { TRUE, TRUE, TRUE };
  finish (kernel, NULL);
  g_assert_finalize_object (agent);
  g_assert_finalize_object (filler);
  g_assert_finalize_object (group);
}

/* ------------------------------------------------------------- signals */

static void
test_signals_taken_left (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  JanusGroup *group = new_group (kernel, org_main);
  TestAgent *agent = launch_new (kernel, NULL, NULL);
  g_autoptr(GError) error = NULL;
  SignalCount sc = { 0 };
  JanusRole *role;

  watch (group, &sc);
  log_clear ();
  role = ROLE (take (agent, role_a, group));
  assert_events ("activate GroupTestRoleA;taken GroupTestRoleA;");
  g_assert_cmpuint (sc.n_taken, ==, 1);
  g_assert_true (sc.last_taken == role);
  g_assert_true (sc.player_in_taken == AGENT (agent));
  g_assert_true (sc.taken_thread == g_thread_self ());

  /* refused and failed requests emit nothing */
  g_assert_null (janus_agent_request_role (AGENT (agent), role_a, group, NULL, &error));
  g_clear_error (&error);
  g_assert_null (janus_agent_request_role (AGENT (agent), role_b, group, g_variant_new_string ("fail"), &error));
  g_assert_error (error, TEST_ERROR, 7);
  g_clear_error (&error);
  assert_events ("activate GroupTestRoleB;");
  g_assert_cmpuint (sc.n_taken, ==, 1);

  g_object_ref (role);
  leave (agent, role_a, group);
  assert_events ("end GroupTestRoleA;left GroupTestRoleA;");
  g_assert_cmpuint (sc.n_left, ==, 1);
  g_assert_true (sc.last_left == role);
  g_assert_false (sc.played_in_left);
  g_assert_true (sc.left_thread == g_thread_self ());
  g_assert_cmpuint (sc.n_taken, ==, 1);
  g_object_unref (role);

  finish (kernel, NULL);
  g_assert_cmpuint (sc.n_left, ==, 1);
  g_assert_finalize_object (agent);
  g_assert_finalize_object (group);
}

static void
test_signals_on_death (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  JanusGroup *group = new_group (kernel, org_main);
  TestAgent *agent = launch_new (kernel, NULL, NULL);
  SignalCount sc = { 0 };

  watch (group, &sc);
  take (agent, role_a, group);
  take (agent, role_b, group);
  log_clear ();
  janus_kernel_kill (kernel, AGENT (agent), NULL);
  step_until_idle (kernel, 100);
  /* each role: end, then role-left; each exactly once */
  {
    g_autofree char *log = log_take ();
    g_assert_nonnull (strstr (log, "end GroupTestRoleA;left GroupTestRoleA;"));
    g_assert_nonnull (strstr (log, "end GroupTestRoleB;left GroupTestRoleB;"));
    g_assert_cmpuint (strlen (log), ==, strlen ("end GroupTestRoleA;left GroupTestRoleA;"
                                                "end GroupTestRoleB;left GroupTestRoleB;"));
  }
  g_assert_cmpuint (sc.n_left, ==, 2);
  g_assert_cmpuint (sc.n_taken, ==, 2);
  finish (kernel, NULL);
  g_assert_cmpuint (sc.n_left, ==, 2);
  g_assert_finalize_object (agent);
  g_assert_finalize_object (group);
}

/* The signals come on the player's thread, on a kernel with workers: the
 * agent takes a role in its activate and leaves it in its live. */

typedef struct
{
  JanusGroup *group;
  GMutex    lock;
  GCond     cond;
  guint     n_taken;
  guint     n_left;
  GThread  *taken_thread;
  GThread  *left_thread;
  GThread  *activate_thread;
  GThread  *live_thread;
  JanusRole *taken_role;
  JanusRole *left_role;
} ThreadData;

/* A player on a worker: takes role_a in its activate, leaves it in its
 * first live. */
static gboolean
worker_activate (TestAgent  *self,
                 GVariant   *parameters,
                 GError    **error)
{
  ThreadData *td = self->data;

  td->activate_thread = g_thread_self ();
  return janus_agent_request_role (AGENT (self), role_a, td->group, NULL, error) != NULL;
}

static JanusLive
worker_live (TestAgent *self)
{
  ThreadData *td = self->data;

  td->live_thread = g_thread_self ();
  if (!janus_agent_leave_role (AGENT (self), role_a, td->group, NULL))
    g_error ("leave_role failed");
  return JANUS_LIVE_DONE;
}

static void
on_taken_threaded (JanusGroup *group,
                   JanusRole  *role,
                   ThreadData *td)
{
  g_mutex_lock (&td->lock);
  td->n_taken++;
  td->taken_thread = g_thread_self ();
  td->taken_role = role;
  g_cond_broadcast (&td->cond);
  g_mutex_unlock (&td->lock);
}

static void
on_left_threaded (JanusGroup *group,
                  JanusRole  *role,
                  ThreadData *td)
{
  g_mutex_lock (&td->lock);
  td->n_left++;
  td->left_thread = g_thread_self ();
  td->left_role = role;
  g_cond_broadcast (&td->cond);
  g_mutex_unlock (&td->lock);
}

static void
test_signals_player_thread (void)
{
  JanusKernel *kernel = janus_kernel_new (2);
  JanusGroup *group = new_group (kernel, org_main);
  ThreadData td = { 0 };
  TestAgent *agent = test_agent_new (worker_live, &td);
  gint64 deadline = g_get_monotonic_time () + DEADLINE_USEC;

  g_mutex_init (&td.lock);
  g_cond_init (&td.cond);
  agent->activate = worker_activate;
  td.group = group;
  g_signal_connect (group, "role-taken", G_CALLBACK (on_taken_threaded), &td);
  g_signal_connect (group, "role-left", G_CALLBACK (on_left_threaded), &td);
  janus_group_set_persistent (group, TRUE);

  launch_ok (kernel, agent, NULL, NULL);
  g_mutex_lock (&td.lock);
  while (td.n_left < 1)
    if (!g_cond_wait_until (&td.cond, &td.lock, deadline))
      break;
  g_mutex_unlock (&td.lock);
  janus_kernel_shutdown (kernel);

  g_assert_cmpuint (td.n_taken, ==, 1);
  g_assert_cmpuint (td.n_left, ==, 1);
  g_assert_true (td.taken_role == td.left_role);
  g_assert_true (td.taken_thread == td.activate_thread);
  g_assert_true (td.left_thread == td.live_thread);
  g_assert_true (td.taken_thread != g_thread_self ());
  g_assert_true (janus_group_is_alive (group) == FALSE);   /* kernel gone */

  g_assert_finalize_object (kernel);
  g_assert_finalize_object (agent);
  g_assert_finalize_object (group);
  g_mutex_clear (&td.lock);
  g_cond_clear (&td.cond);
}

/* --------------------------------------------------------- introspection */

static void
test_introspection (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  JanusGroup *group = new_group (kernel, org_main);
  JanusGroup *elsewhere = new_group (kernel, org_main);
  TestAgent *a1 = launch_new (kernel, NULL, NULL);
  TestAgent *a2 = launch_new (kernel, NULL, NULL);
  TestAgent *a3 = launch_new (kernel, NULL, NULL);
  TestAgent *a4 = launch_new (kernel, NULL, NULL);
  JanusRole *r1a, *r2s, *r3b, *r1b;
  GPtrArray *roles;

  g_assert_cmpuint (janus_group_count_players (group, G_TYPE_INVALID), ==, 0);
  assert_agents (janus_group_list_players (group, G_TYPE_INVALID), 0);
  roles = janus_group_list_roles (group);
  g_assert_cmpuint (roles->len, ==, 0);
  g_ptr_array_unref (roles);

  r1a = ROLE (take (a1, role_a, group));
  r2s = ROLE (take (a2, role_a_sub, group));
  r3b = ROLE (take (a3, role_b, group));
  r1b = ROLE (take (a1, role_b, group));
  take (a4, role_a, elsewhere);

  /* counts: a type and its subclasses */
  g_assert_cmpuint (janus_group_count_players (group, G_TYPE_INVALID), ==, 4);
  g_assert_cmpuint (janus_group_count_players (group, role_a), ==, 2);
  g_assert_cmpuint (janus_group_count_players (group, role_a_sub), ==, 1);
  g_assert_cmpuint (janus_group_count_players (group, role_b), ==, 2);
  g_assert_cmpuint (janus_group_count_players (group, role_limited), ==, 0);
  g_assert_cmpuint (janus_group_count_players (group, TEST_TYPE_ROLE), ==, 4);

  /* players: each agent once, in take order */
  assert_agents (janus_group_list_players (group, G_TYPE_INVALID), 3, a1, a2, a3);
  assert_agents (janus_group_list_players (group, TEST_TYPE_ROLE), 3, a1, a2, a3);
  assert_agents (janus_group_list_players (group, role_a), 2, a1, a2);
  assert_agents (janus_group_list_players (group, role_a_sub), 1, a2);
  assert_agents (janus_group_list_players (group, role_b), 2, a3, a1);
  assert_agents (janus_group_list_players (group, role_limited), 0);

  /* roles: in take order */
  assert_agents (janus_group_list_roles (group), 4, r1a, r2s, r3b, r1b);

  g_assert_true (janus_group_has_member (group, AGENT (a1)));
  g_assert_true (janus_group_has_member (group, AGENT (a2)));
  g_assert_true (janus_group_has_member (group, AGENT (a3)));
  g_assert_false (janus_group_has_member (group, AGENT (a4)));
  g_assert_true (janus_group_has_member (elsewhere, AGENT (a4)));

  /* after a leave: the take order of the rest is kept */
  leave (a1, role_a, group);
  assert_agents (janus_group_list_roles (group), 3, r2s, r3b, r1b);
  assert_agents (janus_group_list_players (group, G_TYPE_INVALID), 3, a2, a3, a1);
  g_assert_true (janus_group_has_member (group, AGENT (a1)));       /* still plays B */
  leave (a1, role_b, group);
  g_assert_false (janus_group_has_member (group, AGENT (a1)));
  assert_agents (janus_group_list_players (group, G_TYPE_INVALID), 2, a2, a3);
  g_assert_cmpuint (janus_group_count_players (group, role_a), ==, 1);

  finish (kernel, NULL);
  g_assert_finalize_object (a1);
  g_assert_finalize_object (a2);
  g_assert_finalize_object (a3);
  g_assert_finalize_object (a4);
  g_assert_finalize_object (group);
  g_assert_finalize_object (elsewhere);
}

static void
test_cardinality_counts_subclasses (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  JanusGroup *group = new_group (kernel, org_main);
  TestAgent *a1 = launch_new (kernel, NULL, NULL);
  TestAgent *a2 = launch_new (kernel, NULL, NULL);
  TestAgent *a3 = launch_new (kernel, NULL, NULL);
  g_autoptr(GError) error = NULL;

  /* Limited: at most 2, its subclass counts */
  take (a1, role_limited_sub, group);
  take (a2, role_limited, group);
  g_assert_null (janus_agent_request_role (AGENT (a3), role_limited, group, NULL, &error));
  g_assert_error (error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_CARDINALITY_FULL);
  g_clear_error (&error);
  g_assert_null (janus_agent_request_role (AGENT (a3), role_limited_sub, group, NULL, &error));
  g_assert_error (error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_CARDINALITY_FULL);
  g_clear_error (&error);
  /* a place freed */
  leave (a1, role_limited_sub, group);
  take (a3, role_limited_sub, group);
  g_assert_cmpuint (janus_group_count_players (group, role_limited), ==, 2);

  finish (kernel, NULL);
  g_assert_finalize_object (a1);
  g_assert_finalize_object (a2);
  g_assert_finalize_object (a3);
  g_assert_finalize_object (group);
}

/* ------------------------------------------------------ selection policy */

static guint
pick_last (JanusGroup          *group,
           const JanusAddress **candidates,
           guint                n,
           gpointer             user_data)
{
  return n - 1;
}

static void
test_selection_policy_property (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  JanusGroup *group = new_group (kernel, org_main);
  guint n_notify = 0;
  gint n_destroyed = 0;
  JanusSelectionPolicy policy = 99;

  g_signal_connect (group, "notify::selection-policy", G_CALLBACK (count_notify), &n_notify);
  g_assert_cmpint (janus_group_get_selection_policy (group), ==, JANUS_SELECTION_RANDOM);

  janus_group_set_selection_policy (group, JANUS_SELECTION_RANDOM);   /* no change */
  g_assert_cmpuint (n_notify, ==, 0);
  janus_group_set_selection_policy (group, JANUS_SELECTION_ROUND_ROBIN);
  g_assert_cmpuint (n_notify, ==, 1);
  g_assert_cmpint (janus_group_get_selection_policy (group), ==, JANUS_SELECTION_ROUND_ROBIN);
  janus_group_set_selection_policy (group, JANUS_SELECTION_ROUND_ROBIN);
  g_assert_cmpuint (n_notify, ==, 1);

  g_object_set (group, "selection-policy", JANUS_SELECTION_RANDOM, NULL);
  g_assert_cmpuint (n_notify, ==, 2);
  g_object_get (group, "selection-policy", &policy, NULL);
  g_assert_cmpint (policy, ==, JANUS_SELECTION_RANDOM);

  /* a function: CUSTOM; replacing it frees the old data */
  janus_group_set_selection_func (group, pick_last, &n_destroyed, count_destroy);
  g_assert_cmpuint (n_notify, ==, 3);
  g_assert_cmpint (janus_group_get_selection_policy (group), ==, JANUS_SELECTION_CUSTOM);
  janus_group_set_selection_func (group, pick_last, &n_destroyed, count_destroy);
  g_assert_cmpuint (n_destroyed, ==, 1);
  /* back to a built-in policy */
  janus_group_set_selection_policy (group, JANUS_SELECTION_ROUND_ROBIN);
  g_assert_cmpint (janus_group_get_selection_policy (group), ==, JANUS_SELECTION_ROUND_ROBIN);

  finish (kernel, NULL);
  g_assert_finalize_object (group);
  /* the last data goes with the group */
  g_assert_cmpuint (n_destroyed, ==, 2);
}

static void
test_selection_policy_custom_refused (void)
{
  if (g_test_subprocess ())
    {
      JanusKernel *kernel = janus_kernel_new (0);
      JanusGroup *group = janus_kernel_create_group (kernel, org_main, NULL);

      janus_group_set_selection_policy (group, JANUS_SELECTION_CUSTOM);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*CRITICAL*");
}

/* ----------------------------------------------------------------- main */

int
main (int    argc,
      char **argv)
{
  guint i;

  g_test_init (&argc, &argv, NULL);
  register_types ();

  g_test_add_func ("/group/create", test_create);
  g_test_add_func ("/group/create/kernel-stopped", test_create_on_stopped_kernel);
  g_test_add_func ("/group/get-or-create", test_get_or_create);
  g_test_add_func ("/group/uuid", test_uuid);
  g_test_add_func ("/group/uuid-distinct", test_uuid_distinct);
  g_test_add_func ("/group/list-order", test_list_order);
  g_test_add_func ("/group/life/empty-stays", test_empty_group_stays);
  g_test_add_func ("/group/life/last-member-leaves", test_last_member_leaves);
  g_test_add_func ("/group/life/last-member-dies", test_last_member_dies);
  g_test_add_func ("/group/life/persistent", test_persistent);
  g_test_add_func ("/group/membership-policy", test_membership_policy);
  g_test_add_func ("/group/obtain-condition", test_obtain_condition);
  g_test_add_func ("/group/leave-condition", test_leave_condition);
  for (i = 0; i < G_N_ELEMENTS (order_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/group/check-order/%s", order_names[i]);
      g_test_add_data_func (path, &order_cases[i], test_check_order);
    }
  g_test_add_func ("/group/signals/taken-left", test_signals_taken_left);
  g_test_add_func ("/group/signals/on-death", test_signals_on_death);
  g_test_add_func ("/group/signals/player-thread", test_signals_player_thread);
  g_test_add_func ("/group/introspection", test_introspection);
  g_test_add_func ("/group/cardinality/subclasses-count", test_cardinality_counts_subclasses);
  g_test_add_func ("/group/selection-policy/property", test_selection_policy_property);
  g_test_add_func ("/group/selection-policy/custom-refused", test_selection_policy_custom_refused);

  return g_test_run ();
}
