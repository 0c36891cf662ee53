/* SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * What Janus 1.x's kernel offers for groups beyond janus-c's first
 * version (Kernel.createGroup with conditions and a name,
 * getOrCreateGroup with a chosen UUID, GroupListener, group removal,
 * removeInactivePersistentGroups, RolePlayer.leaveAllRoles): named groups
 * and chosen UUIDs, conditions given at creation, the kernel's
 * group-created and group-removed signals, explicit removal, the idle
 * time-out of empty persistent groups on the kernel's clock (virtual and
 * real, 0 and 2 workers), and leaving all roles.
 */
#include <string.h>

#include "janus-test-utils.h"

static GType role_a, role_b, org_g, org_h;

static void
org_g_class_init (gpointer klass,
                  gpointer data)
{
  janus_organization_class_add_role (klass, role_a, 0);
  janus_organization_class_add_role (klass, role_b, 0);
}

static gboolean
never (JanusAgent *agent,
       JanusGroup *group,
       GType       role_type,
       gpointer    data)
{
  return FALSE;
}

/* --------------------------------------------------------- the signals */

typedef struct
{
  GMutex      lock;
  GCond       cond;
  atomic_int  created;
  atomic_int  removed;
  JanusGroup *last_created;     /* borrowed */
  JanusGroup *last_removed;     /* borrowed */
  gboolean    findable_when_removed;
  gint64      removed_at;       /* kernel time */
} Watch;

static void
on_created (JanusKernel *kernel,
            JanusGroup  *group,
            Watch       *w)
{
  g_autoptr(JanusGroup) found = janus_kernel_lookup_group (kernel, janus_group_get_uuid (group));

  g_assert_true (found == group);
  g_mutex_lock (&w->lock);
  w->last_created = group;
  g_mutex_unlock (&w->lock);
  test_bump (&w->lock, &w->cond, &w->created);
}

static void
on_removed (JanusKernel *kernel,
            JanusGroup  *group,
            Watch       *w)
{
  g_autoptr(JanusGroup) found = janus_kernel_lookup_group (kernel, janus_group_get_uuid (group));

  g_mutex_lock (&w->lock);
  w->last_removed = group;
  w->findable_when_removed = found != NULL || janus_group_is_alive (group);
  w->removed_at = janus_kernel_get_time (kernel);
  g_mutex_unlock (&w->lock);
  test_bump (&w->lock, &w->cond, &w->removed);
}

static void
watch (JanusKernel *kernel,
       Watch       *w)
{
  memset (w, 0, sizeof *w);
  g_mutex_init (&w->lock);
  g_cond_init (&w->cond);
  g_signal_connect (kernel, "group-created", G_CALLBACK (on_created), w);
  g_signal_connect (kernel, "group-removed", G_CALLBACK (on_removed), w);
}

static void
watch_clear (Watch *w)
{
  g_mutex_clear (&w->lock);
  g_cond_clear (&w->cond);
}

/* ------------------------------------------------------ names and UUIDs */

static void
test_named_and_uuid (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  g_autoptr(JanusGroup) g1 = NULL, g2 = NULL, g3 = NULL, found = NULL, by_name = NULL;
  g_autoptr(GError) error = NULL;
  Watch w;

  watch (kernel, &w);
  g1 = janus_kernel_create_group_full (kernel, org_g, "market", "3F2A9C1E-2B1D-4C8E-9A57-1D2E3F4A5B6C",
                                      NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (janus_group_get_uuid (g1), ==, "3f2a9c1e-2b1d-4c8e-9a57-1d2e3f4a5b6c");
  g_assert_cmpstr (janus_group_get_name (g1), ==, "market");
  g_assert_cmpint (w.created, ==, 1);
  g_assert_true (w.last_created == g1);
  /* any case finds it */
  found = janus_kernel_lookup_group (kernel, "3f2a9c1e-2b1d-4c8e-9a57-1D2E3F4A5B6C");
  g_assert_true (found == g1);

  /* the same UUID again is refused, in any case */
  g_assert_null (janus_kernel_create_group_full (kernel, org_h, NULL, "3f2a9c1e-2b1d-4c8e-9a57-1d2e3f4a5b6c",
                                                 NULL, NULL, NULL, &error));
  g_assert_error (error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_GROUP_EXISTS);
  g_clear_error (&error);
  g_assert_null (janus_kernel_create_group_full (kernel, org_g, NULL, "not-a-uuid", NULL, NULL, NULL, &error));
  g_assert_error (error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_INVALID_UUID);
  g_clear_error (&error);
  g_assert_cmpint (w.created, ==, 1);

  /* names need not be unique; lookup finds the oldest */
  g2 = janus_kernel_create_group_full (kernel, org_h, "market", NULL, NULL, NULL, NULL, &error);
  g3 = janus_kernel_create_group (kernel, org_g, &error);
  g_assert_no_error (error);
  g_assert_null (janus_group_get_name (g3));
  g_assert_true (g_uuid_string_is_valid (janus_group_get_uuid (g3)));
  by_name = janus_kernel_lookup_group_by_name (kernel, G_TYPE_INVALID, "market");
  g_assert_true (by_name == g1);
  g_clear_object (&by_name);
  by_name = janus_kernel_lookup_group_by_name (kernel, org_h, "market");
  g_assert_true (by_name == g2);
  g_clear_object (&by_name);
  g_assert_null (janus_kernel_lookup_group_by_name (kernel, JANUS_TYPE_ORGANIZATION, "nothing"));
  {
    g_autofree char *name = NULL;
    g_object_get (g2, "name", &name, NULL);
    g_assert_cmpstr (name, ==, "market");
  }
  g_assert_cmpint (w.created, ==, 3);

  g_clear_object (&g1);
  g_clear_object (&g2);
  g_clear_object (&g3);
  g_clear_object (&found);
  janus_kernel_shutdown (kernel);
  /* not at shutdown */
  g_assert_cmpint (w.removed, ==, 0);
  g_assert_finalize_object (kernel);
  watch_clear (&w);
}

/* ------------------------------------------------ conditions at creation */

typedef struct
{
  JanusGroup *group;
  GType       role;
  GError     *error;
} Request;

static void
do_request (TestAgent *self,
            gpointer   data)
{
  Request *r = data;

  g_clear_error (&r->error);
  janus_agent_request_role (AGENT (self), r->role, r->group, NULL, &r->error);
}

static void
do_leave (TestAgent *self,
          gpointer   data)
{
  Request *r = data;

  g_clear_error (&r->error);
  janus_agent_leave_role (AGENT (self), r->role, r->group, &r->error);
}

static void
test_conditions_at_creation (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  TestAgent *agent = launch_alive (kernel, test_agent_new (NULL, NULL));
  g_autoptr(JanusCondition) no = janus_condition_new ("no", never, NULL, NULL);
  g_autoptr(JanusCondition) stay = janus_condition_new ("stay", never, NULL, NULL);
  g_autoptr(JanusCondition) members = janus_condition_new ("members", never, NULL, NULL);
  g_autoptr(JanusCondition) policy = NULL;
  g_autoptr(GPtrArray) obtain = NULL, leave_list = NULL;
  g_autoptr(GError) error = NULL;
  Request r = { .role = role_a };

  r.group = janus_kernel_create_group_full (kernel, org_g, NULL, NULL, NULL,
                                            (JanusCondition *[]) { no, NULL },
                                            (JanusCondition *[]) { stay, NULL }, &error);
  g_assert_no_error (error);
  obtain = janus_group_list_obtain_conditions (r.group);
  leave_list = janus_group_list_leave_conditions (r.group);
  g_assert_cmpuint (obtain->len, ==, 1);
  g_assert_true (obtain->pdata[0] == no);
  g_assert_cmpuint (leave_list->len, ==, 1);
  agent_do (kernel, agent, do_request, &r);
  g_assert_error (r.error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_CONDITION_FAILED);
  janus_group_remove_obtain_condition (r.group, no);
  agent_do (kernel, agent, do_request, &r);
  g_assert_no_error (r.error);
  agent_do (kernel, agent, do_leave, &r);
  g_assert_error (r.error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_CONDITION_FAILED);
  g_clear_error (&r.error);
  g_clear_object (&r.group);

  /* a membership policy given at creation */
  r.group = janus_kernel_create_group_full (kernel, org_g, NULL, NULL, members, NULL, NULL, &error);
  policy = janus_group_get_membership_policy (r.group);
  g_assert_true (policy == members);
  agent_do (kernel, agent, do_request, &r);
  g_assert_error (r.error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_NOT_A_MEMBER);
  g_clear_error (&r.error);
  g_clear_object (&r.group);
  finish (kernel, agent, NULL);
}

/* ------------------------------------------------------------- removal */

static void
test_remove (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  JanusKernel *other = janus_kernel_new (0);
  TestAgent *agent = launch_alive (kernel, test_agent_new (NULL, NULL));
  g_autoptr(GError) error = NULL;
  Request r = { .role = role_a };
  Watch w;

  watch (kernel, &w);
  r.group = new_group (kernel, org_g);
  janus_group_set_persistent (r.group, TRUE);
  agent_do (kernel, agent, do_request, &r);
  g_assert_no_error (r.error);

  /* with a member: refused */
  g_assert_false (janus_kernel_remove_group (kernel, r.group, &error));
  g_assert_error (error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_GROUP_NOT_EMPTY);
  g_clear_error (&error);
  /* another kernel's group */
  g_assert_false (janus_kernel_remove_group (other, r.group, &error));
  g_assert_error (error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_WRONG_KERNEL);
  g_clear_error (&error);

  /* empty (persistent, so it stayed): removed */
  agent_do (kernel, agent, do_leave, &r);
  g_assert_no_error (r.error);
  g_assert_true (janus_group_is_alive (r.group));
  g_assert_cmpint (w.removed, ==, 0);
  g_assert_true (janus_kernel_remove_group (kernel, r.group, &error));
  g_assert_no_error (error);
  g_assert_cmpint (w.removed, ==, 1);
  g_assert_true (w.last_removed == r.group);
  g_assert_false (w.findable_when_removed);
  g_assert_false (janus_group_is_alive (r.group));
  g_assert_null (janus_kernel_lookup_group (kernel, janus_group_get_uuid (r.group)));
  /* twice: gone already */
  g_assert_false (janus_kernel_remove_group (kernel, r.group, &error));
  g_assert_error (error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_NOT_A_MEMBER);
  g_clear_error (&error);
  /* nobody joins a removed group */
  agent_do (kernel, agent, do_request, &r);
  g_assert_error (r.error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_NOT_A_MEMBER);
  g_clear_error (&r.error);
  g_clear_object (&r.group);

  /* a group whose last member leaves is removed too, and says so */
  r.group = new_group (kernel, org_g);
  agent_do (kernel, agent, do_request, &r);
  agent_do (kernel, agent, do_leave, &r);
  g_assert_no_error (r.error);
  g_assert_cmpint (w.removed, ==, 2);
  g_assert_true (w.last_removed == r.group);
  g_clear_object (&r.group);

  finish (kernel, agent, NULL);
  janus_kernel_shutdown (other);
  g_assert_finalize_object (other);
  watch_clear (&w);
}

/* ------------------------------------------------------- idle time-out */

static gboolean
keeper_running (JanusKernel *kernel)
{
  g_autoptr(GPtrArray) agents = janus_kernel_list_agents (kernel);

  for (guint i = 0; i < agents->len; i++)
    if (g_strcmp0 (janus_agent_get_name (agents->pdata[i]), "janus-group-keeper") == 0)
      return TRUE;
  return FALSE;
}

static void
test_idle_virtual (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  g_autoptr(JanusClock) clock = janus_clock_new_virtual (1000, 0);
  TestAgent *agent;
  Request r = { .role = role_a };
  gint64 left_at;
  Watch w;

  janus_kernel_set_clock (kernel, clock);
  agent = launch_alive (kernel, test_agent_new (NULL, NULL));
  watch (kernel, &w);
  r.group = new_group (kernel, org_g);
  janus_group_set_persistent (r.group, TRUE);
  janus_group_set_idle_timeout (r.group, 5 * G_USEC_PER_SEC);
  g_assert_cmpint (janus_group_get_idle_timeout (r.group), ==, 5 * G_USEC_PER_SEC);
  agent_do (kernel, agent, do_request, &r);

  /* members come and go: the idle time counts from the last leave */
  janus_clock_set_time (clock, 3 * G_USEC_PER_SEC, NULL);
  agent_do (kernel, agent, do_leave, &r);
  janus_clock_set_time (clock, 6 * G_USEC_PER_SEC, NULL);
  agent_do (kernel, agent, do_request, &r);
  janus_clock_set_time (clock, 7 * G_USEC_PER_SEC, NULL);
  agent_do (kernel, agent, do_leave, &r);
  left_at = janus_kernel_get_time (kernel);
  g_assert_true (janus_group_is_alive (r.group));
  g_assert_true (keeper_running (kernel));

  /* nothing else to do: the virtual clock jumps to the expiry */
  step_until_idle (kernel, 50);
  g_assert_cmpint (w.removed, ==, 1);
  g_assert_true (w.last_removed == r.group);
  g_assert_cmpint (w.removed_at, ==, left_at + 5 * G_USEC_PER_SEC);
  g_assert_false (janus_group_is_alive (r.group));
  /* the keeper ended with its last time-out */
  g_assert_false (keeper_running (kernel));
  g_assert_cmpuint (janus_kernel_get_agent_count (kernel), ==, 1);
  g_clear_object (&r.group);
  finish (kernel, agent, NULL);
  watch_clear (&w);
}

/* A group that is empty when the time-out is set counts from then; a
 * member that comes back in time keeps it; a non-persistent group has no
 * idle time-out. */
static void
test_idle_set_later (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  g_autoptr(JanusClock) clock = janus_clock_new_virtual (0, 0);
  g_autoptr(JanusGroup) kept = NULL, gone = NULL, plain = NULL;
  TestAgent *agent;
  Request r = { .role = role_a };
  Watch w;

  janus_kernel_set_clock (kernel, clock);
  agent = launch_alive (kernel, test_agent_new (NULL, NULL));
  watch (kernel, &w);
  gone = new_group (kernel, org_g);
  kept = new_group (kernel, org_g);
  plain = new_group (kernel, org_g);
  janus_group_set_idle_timeout (plain, 10);
  janus_clock_set_time (clock, 100, NULL);
  janus_group_set_idle_timeout (gone, 50);
  janus_group_set_persistent (gone, TRUE);
  g_object_set (kept, "idle-timeout", (gint64) 50, "persistent", TRUE, NULL);
  r.group = kept;
  agent_do (kernel, agent, do_request, &r);
  g_assert_no_error (r.error);
  step_until_idle (kernel, 50);
  g_assert_cmpint (w.removed, ==, 1);
  g_assert_true (w.last_removed == gone);
  g_assert_cmpint (w.removed_at, ==, 150);
  g_assert_true (janus_group_is_alive (kept));
  g_assert_true (janus_group_is_alive (plain));
  finish (kernel, agent, NULL);
  watch_clear (&w);
}

/* A keeper that somebody kills is replaced at the next time-out armed. */
static void
test_idle_keeper_killed (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  g_autoptr(JanusClock) clock = janus_clock_new_virtual (0, 0);
  g_autoptr(JanusGroup) first = NULL, second = NULL;
  g_autoptr(GPtrArray) agents = NULL;
  Watch w;

  janus_kernel_set_clock (kernel, clock);
  watch (kernel, &w);
  first = new_group (kernel, org_g);
  g_object_set (first, "persistent", TRUE, "idle-timeout", (gint64) 100, NULL);
  test_step (kernel);
  g_assert_true (keeper_running (kernel));
  agents = janus_kernel_list_agents (kernel);
  g_assert_cmpuint (agents->len, ==, 1);
  g_assert_true (janus_kernel_kill (kernel, agents->pdata[0], NULL));
  test_step (kernel);
  g_assert_false (keeper_running (kernel));
  second = new_group (kernel, org_g);
  g_object_set (second, "persistent", TRUE, "idle-timeout", (gint64) 100, NULL);
  step_until_idle (kernel, 50);
  g_assert_true (w.last_removed == second);
  g_assert_false (janus_group_is_alive (second));
  janus_kernel_shutdown (kernel);
  g_clear_object (&first);
  g_clear_object (&second);
  g_clear_pointer (&agents, g_ptr_array_unref);
  g_assert_finalize_object (kernel);
  watch_clear (&w);
}

/* On workers and the real clock: a short time-out, waited for. */
static void
test_idle_real (guint         workers,
                gconstpointer data)
{
  JanusKernel *kernel = janus_kernel_new (workers);
  g_autoptr(JanusGroup) group = NULL;
  Watch w;

  watch (kernel, &w);
  group = new_group (kernel, org_g);
  janus_group_set_persistent (group, TRUE);
  janus_group_set_idle_timeout (group, 20000);
  if (workers == 0)
    run_bounded (kernel);
  g_assert_true (test_wait_count (&w.lock, &w.cond, &w.removed, 1));
  g_assert_true (w.last_removed == group);
  g_assert_false (janus_group_is_alive (group));
  g_clear_object (&group);
  janus_kernel_shutdown (kernel);
  g_assert_finalize_object (kernel);
  watch_clear (&w);
}

/* ----------------------------------------------------- leave_all_roles */

typedef struct
{
  JanusGroup *g1;
  JanusGroup *g2;
  guint       left;
  guint       remaining;
} LeaveAll;

static void
take_four (TestAgent *self,
           gpointer   data)
{
  LeaveAll *l = data;

  take (self, role_a, l->g1);
  take (self, role_b, l->g1);
  take (self, role_a, l->g2);
  take (self, role_b, l->g2);
}

static void
leave_g1 (TestAgent *self,
          gpointer   data)
{
  LeaveAll *l = data;
  g_autoptr(GPtrArray) roles = NULL;

  l->left = janus_agent_leave_all_roles (AGENT (self), l->g1);
  roles = janus_agent_list_roles (AGENT (self));
  l->remaining = roles->len;
}

static void
leave_everything (TestAgent *self,
                  gpointer   data)
{
  LeaveAll *l = data;
  g_autoptr(GPtrArray) roles = NULL;

  l->left = janus_agent_leave_all_roles (AGENT (self), NULL);
  roles = janus_agent_list_roles (AGENT (self));
  l->remaining = roles->len;
}

static void
test_leave_all (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  TestAgent *agent = launch_alive (kernel, test_agent_new (NULL, NULL));
  g_autoptr(JanusCondition) stay = janus_condition_new ("stay", never, NULL, NULL);
  LeaveAll l = { 0 };

  l.g1 = new_group (kernel, org_g);
  l.g2 = new_group (kernel, org_g);
  janus_group_add_leave_condition (l.g2, stay);
  agent_do (kernel, agent, take_four, &l);
  log_clear ();
  agent_do (kernel, agent, leave_g1, &l);
  g_assert_cmpuint (l.left, ==, 2);
  g_assert_cmpuint (l.remaining, ==, 2);
  /* newest first, each ended */
  assert_events ("end LifecycleRoleB;end LifecycleRoleA;");
  /* g2's leave condition keeps its roles */
  agent_do (kernel, agent, leave_everything, &l);
  g_assert_cmpuint (l.left, ==, 0);
  g_assert_cmpuint (l.remaining, ==, 2);
  janus_group_remove_leave_condition (l.g2, stay);
  agent_do (kernel, agent, leave_everything, &l);
  g_assert_cmpuint (l.left, ==, 2);
  g_assert_cmpuint (l.remaining, ==, 0);
  g_clear_object (&l.g1);
  g_clear_object (&l.g2);
  finish (kernel, agent, NULL);
}

/* ---------------------------------------------------------- bad input */

static void
bad_call (const char *name)
{
  g_autoptr(JanusKernel) kernel = janus_kernel_new (0);
  g_autoptr(JanusGroup) group = new_group (kernel, org_g);
  g_autoptr(JanusGroup) made = NULL;
  JanusCondition *not_conditions[] = { (JanusCondition *) group, NULL };

  if (g_str_equal (name, "not-an-organization"))
    made = janus_kernel_create_group_full (kernel, G_TYPE_OBJECT, NULL, NULL, NULL, NULL, NULL, NULL);
  else if (g_str_equal (name, "not-conditions"))
    made = janus_kernel_create_group_full (kernel, org_g, NULL, NULL, NULL, not_conditions, NULL, NULL);
  else if (g_str_equal (name, "remove-null"))
    janus_kernel_remove_group (kernel, NULL, NULL);
  else if (g_str_equal (name, "lookup-null-name"))
    made = janus_kernel_lookup_group_by_name (kernel, G_TYPE_INVALID, NULL);
  else if (g_str_equal (name, "negative-timeout"))
    janus_group_set_idle_timeout (group, -1);
  else if (g_str_equal (name, "leave-all-not-the-owner"))
    {
      g_autoptr(JanusKernel) k2 = janus_kernel_new (2);
      TestAgent *a = test_agent_new (deaf_live, NULL);
      launch_ok (k2, a, NULL, NULL);
      janus_agent_leave_all_roles (AGENT (a), NULL);
      janus_kernel_shutdown (k2);
      g_object_unref (a);
    }
  g_assert_null (made);
  g_clear_object (&group);
  janus_kernel_shutdown (kernel);
}

static const char *const bad_calls[] = {
  "not-an-organization", "not-conditions", "remove-null", "lookup-null-name",
  "negative-timeout", "leave-all-not-the-owner",
};

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  role_a = register_type (TEST_TYPE_ROLE, "LifecycleRoleA", NULL);
  role_b = register_type (TEST_TYPE_ROLE, "LifecycleRoleB", NULL);
  org_g = register_type (JANUS_TYPE_ORGANIZATION, "LifecycleOrgG", org_g_class_init);
  org_h = register_type (JANUS_TYPE_ORGANIZATION, "LifecycleOrgH", org_g_class_init);

  g_test_add_func ("/group-lifecycle/named-and-uuid", test_named_and_uuid);
  g_test_add_func ("/group-lifecycle/conditions-at-creation", test_conditions_at_creation);
  g_test_add_func ("/group-lifecycle/remove", test_remove);
  g_test_add_func ("/group-lifecycle/idle/virtual", test_idle_virtual);
  g_test_add_func ("/group-lifecycle/idle/set-later", test_idle_set_later);
  g_test_add_func ("/group-lifecycle/idle/keeper-killed", test_idle_keeper_killed);
  add_on_workers ("/group-lifecycle/idle/real", test_idle_real, NULL);
  g_test_add_func ("/group-lifecycle/leave-all-roles", test_leave_all);
  add_critical_cases ("/group-lifecycle/bad-input", bad_call, bad_calls, G_N_ELEMENTS (bad_calls));

  return g_test_run ();
}
