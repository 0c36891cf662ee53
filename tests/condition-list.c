/* SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Listing and removing the conditions of a group and of a role class
 * (Janus 1.x's Conditionnable: getObtainConditions, getLeaveConditions,
 * and removal, as ConditionnedObjectTest checks): the lists, their order,
 * inheritance between role classes, and that a removed condition no
 * longer refuses.
 */
#include "janus-test-utils.h"

static GType role_open, role_guarded, role_guarded_sub, org_cond;
static JanusCondition *class_never;     /* obtain condition of role_guarded */
static JanusCondition *class_leave;     /* leave condition of role_guarded */

static gboolean
never (JanusAgent *agent,
       JanusGroup *group,
       GType       role_type,
       gpointer    data)
{
  return FALSE;
}

static gboolean
always (JanusAgent *agent,
        JanusGroup *group,
        GType       role_type,
        gpointer    data)
{
  return TRUE;
}

static void
guarded_class_init (gpointer klass,
                    gpointer data)
{
  janus_role_class_add_obtain_condition (klass, class_never);
  janus_role_class_add_leave_condition (klass, class_leave);
}

static void
org_cond_class_init (gpointer klass,
                     gpointer data)
{
  janus_organization_class_add_role (klass, role_open, 0);
  janus_organization_class_add_role (klass, role_guarded, 0);
}

static char *
descriptions (GPtrArray *conditions)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < conditions->len; i++)
    g_string_append_printf (s, "%s%s", i ? "," : "",
                            janus_condition_get_description (conditions->pdata[i]));
  return g_string_free (s, FALSE);
}

#define assert_conditions(array_expr, expected)            \
  G_STMT_START {                                           \
    g_autoptr(GPtrArray) a_ = (array_expr);                \
    g_autofree char *d_ = descriptions (a_);               \
    g_assert_cmpstr (d_, ==, (expected));                  \
  } G_STMT_END

/* ---------------------------------------------------------------- group */

typedef struct
{
  JanusGroup *group;
  GError     *error;
  JanusRole  *role;
} Request;

static void
request_open (TestAgent *self,
              gpointer   data)
{
  Request *r = data;

  g_clear_error (&r->error);
  r->role = janus_agent_request_role (AGENT (self), role_open, r->group, NULL, &r->error);
}

static void
leave_open (TestAgent *self,
            gpointer   data)
{
  Request *r = data;

  g_clear_error (&r->error);
  janus_agent_leave_role (AGENT (self), role_open, r->group, &r->error);
}

static void
test_group_conditions (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  TestAgent *agent = launch_alive (kernel, test_agent_new (NULL, NULL));
  g_autoptr(JanusCondition) a = janus_condition_new ("a", always, NULL, NULL);
  g_autoptr(JanusCondition) no = janus_condition_new ("no", never, NULL, NULL);
  g_autoptr(JanusCondition) b = janus_condition_new ("b", always, NULL, NULL);
  g_autoptr(JanusCondition) stay = janus_condition_new ("stay", never, NULL, NULL);
  g_autoptr(JanusCondition) policy = janus_condition_new ("members", always, NULL, NULL);
  g_autoptr(JanusCondition) got_policy = NULL;
  Request r = { 0 };

  r.group = new_group (kernel, org_cond);
  assert_conditions (janus_group_list_obtain_conditions (r.group), "");
  assert_conditions (janus_group_list_leave_conditions (r.group), "");
  g_assert_null (janus_group_get_membership_policy (r.group));
  janus_group_add_obtain_condition (r.group, a);
  janus_group_add_obtain_condition (r.group, no);
  janus_group_add_obtain_condition (r.group, b);
  janus_group_add_leave_condition (r.group, stay);
  janus_group_set_membership_policy (r.group, policy);
  assert_conditions (janus_group_list_obtain_conditions (r.group), "a,no,b");
  assert_conditions (janus_group_list_leave_conditions (r.group), "stay");
  got_policy = janus_group_get_membership_policy (r.group);
  g_assert_true (got_policy == policy);

  /* "no" refuses, until removed */
  agent_do (kernel, agent, request_open, &r);
  g_assert_error (r.error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_CONDITION_FAILED);
  g_assert_true (janus_group_remove_obtain_condition (r.group, no));
  g_assert_false (janus_group_remove_obtain_condition (r.group, no));
  /* a condition of the other list is not this list's */
  g_assert_false (janus_group_remove_obtain_condition (r.group, stay));
  assert_conditions (janus_group_list_obtain_conditions (r.group), "a,b");
  agent_do (kernel, agent, request_open, &r);
  g_assert_no_error (r.error);
  g_assert_nonnull (r.role);

  /* "stay" keeps the agent in, until removed */
  agent_do (kernel, agent, leave_open, &r);
  g_assert_error (r.error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_CONDITION_FAILED);
  g_assert_true (janus_group_remove_leave_condition (r.group, stay));
  assert_conditions (janus_group_list_leave_conditions (r.group), "");
  janus_group_set_persistent (r.group, TRUE);
  agent_do (kernel, agent, leave_open, &r);
  g_assert_no_error (r.error);

  g_clear_object (&r.group);
  finish (kernel, agent, NULL);
}

/* The group released a removed condition (and its data). */
static void
count_free (gpointer data)
{
  (*(guint *) data)++;
}

static void
test_group_remove_releases (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  g_autoptr(JanusGroup) group = new_group (kernel, org_cond);
  guint freed = 0;
  JanusCondition *c = janus_condition_new ("c", always, &freed, count_free);

  janus_group_add_obtain_condition (group, c);
  janus_group_add_obtain_condition (group, c);
  g_object_unref (c);
  g_assert_true (janus_group_remove_obtain_condition (group, c));
  assert_conditions (janus_group_list_obtain_conditions (group), "c");
  g_assert_cmpuint (freed, ==, 0);
  g_assert_true (janus_group_remove_obtain_condition (group, c));
  g_assert_cmpuint (freed, ==, 1);
  g_clear_object (&group);
  janus_kernel_shutdown (kernel);
  g_assert_finalize_object (kernel);
}

/* ---------------------------------------------------------------- roles */

static void
request_guarded (TestAgent *self,
                 gpointer   data)
{
  Request *r = data;
  GType *type = (GType *) r->role;

  g_clear_error (&r->error);
  janus_agent_request_role (AGENT (self), *type, r->group, NULL, &r->error);
}

static void
test_role_class_conditions (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  TestAgent *agent = launch_alive (kernel, test_agent_new (NULL, NULL));
  g_autoptr(GTypeClass) parent = g_type_class_ref (role_guarded);
  g_autoptr(GTypeClass) sub = g_type_class_ref (role_guarded_sub);
  GType type = role_guarded_sub;
  Request r = { 0 };

  r.group = new_group (kernel, org_cond);
  r.role = (JanusRole *) &type;
  /* the subclass inherits its parent's conditions */
  assert_conditions (janus_role_class_list_obtain_conditions (JANUS_ROLE_CLASS (parent)), "never");
  assert_conditions (janus_role_type_list_obtain_conditions (role_guarded_sub), "never");
  assert_conditions (janus_role_type_list_leave_conditions (role_guarded_sub), "leave");
  assert_conditions (janus_role_class_list_leave_conditions (JANUS_ROLE_CLASS (sub)), "leave");
  assert_conditions (janus_role_type_list_obtain_conditions (role_open), "");

  agent_do (kernel, agent, request_guarded, &r);
  g_assert_error (r.error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_CONDITION_FAILED);

  /* removed from the subclass only: its parent still refuses */
  g_assert_true (janus_role_type_remove_obtain_condition (role_guarded_sub, class_never));
  g_assert_false (janus_role_type_remove_obtain_condition (role_guarded_sub, class_never));
  g_assert_false (janus_role_class_remove_obtain_condition (JANUS_ROLE_CLASS (sub), class_leave));
  assert_conditions (janus_role_type_list_obtain_conditions (role_guarded_sub), "");
  assert_conditions (janus_role_type_list_obtain_conditions (role_guarded), "never");
  /* its copy kept the other list */
  assert_conditions (janus_role_type_list_leave_conditions (role_guarded_sub), "leave");
  agent_do (kernel, agent, request_guarded, &r);
  g_assert_no_error (r.error);
  type = role_guarded;
  agent_do (kernel, agent, request_guarded, &r);
  g_assert_error (r.error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_CONDITION_FAILED);
  g_clear_error (&r.error);

  g_assert_true (janus_role_class_remove_leave_condition (JANUS_ROLE_CLASS (sub), class_leave));
  assert_conditions (janus_role_type_list_leave_conditions (role_guarded_sub), "");
  assert_conditions (janus_role_type_list_leave_conditions (role_guarded), "leave");

  g_clear_object (&r.group);
  finish (kernel, agent, NULL);
}

/* ------------------------------------------------------------ bad input */

static void
bad_call (const char *name)
{
  g_autoptr(JanusKernel) kernel = janus_kernel_new (0);
  g_autoptr(JanusGroup) group = new_group (kernel, org_cond);

  if (g_str_equal (name, "group-null-condition"))
    janus_group_remove_obtain_condition (group, NULL);
  else if (g_str_equal (name, "group-null"))
    g_assert_null (janus_group_list_leave_conditions (NULL));
  else if (g_str_equal (name, "not-a-role-type"))
    g_assert_null (janus_role_type_list_obtain_conditions (G_TYPE_OBJECT));
  else if (g_str_equal (name, "role-null-condition"))
    janus_role_type_remove_leave_condition (role_open, NULL);
  g_clear_object (&group);
  janus_kernel_shutdown (kernel);
}

static const char *const bad_calls[] = {
  "group-null-condition", "group-null", "not-a-role-type", "role-null-condition",
};

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  class_never = janus_condition_new ("never", never, NULL, NULL);
  class_leave = janus_condition_new ("leave", never, NULL, NULL);
  role_open = register_type (TEST_TYPE_ROLE, "CondRoleOpen", NULL);
  role_guarded = register_type (TEST_TYPE_ROLE, "CondRoleGuarded", guarded_class_init);
  role_guarded_sub = register_type (role_guarded, "CondRoleGuardedSub", NULL);
  org_cond = register_type (JANUS_TYPE_ORGANIZATION, "CondOrg", org_cond_class_init);

  g_test_add_func ("/condition-list/group", test_group_conditions);
  g_test_add_func ("/condition-list/group-remove-releases", test_group_remove_releases);
  g_test_add_func ("/condition-list/role-class", test_role_class_conditions);
  add_critical_cases ("/condition-list/bad-input", bad_call, bad_calls, G_N_ELEMENTS (bad_calls));

  return g_test_run ();
}
