/* SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Organizations: the class-level list of role types (order, inheritance by
 * subclasses, re-adding changes the cardinality, the GType variant),
 * lists_role and get_max_players for subclasses of listed roles, the one
 * instance per kernel and type, and the organization's list of groups.
 * Deterministic: 0-worker kernels only.
 */
#include "janus-test-utils.h"

/* --------------------------------------------------------------- types
 *
 * Roles and organizations need no behaviour here: they are registered at
 * run time as plain subclasses, the organizations with a class_init that
 * lists their roles. */

static GType role_a, role_a_sub, role_a_sub_sub, role_b, role_c, role_unlisted;
static GType org_base, org_ext, org_readd, org_nested, org_dyn, org_empty, org_other;

/* A, B (at most 2) */
static void
org_base_class_init (gpointer klass,
                     gpointer data)
{
  janus_organization_class_add_role (klass, role_a, 0);
  janus_organization_class_add_role (klass, role_b, 2);
}

/* the base's roles, then C (at most 1) */
static void
org_ext_class_init (gpointer klass,
                    gpointer data)
{
  janus_organization_class_add_role (klass, role_c, 1);
}

/* the base's roles, B again with another cardinality */
static void
org_readd_class_init (gpointer klass,
                      gpointer data)
{
  janus_organization_class_add_role (klass, role_b, 5);
}

/* A (at most 3) and its subclass ASub (at most 1) */
static void
org_nested_class_init (gpointer klass,
                       gpointer data)
{
  janus_organization_class_add_role (klass, role_a, 3);
  janus_organization_class_add_role (klass, role_a_sub, 1);
}

/* A only */
static void
org_other_class_init (gpointer klass,
                      gpointer data)
{
  janus_organization_class_add_role (klass, role_a, 0);
}

static void
register_types (void)
{
  role_a = register_type (JANUS_TYPE_ROLE, "OrgTestRoleA", NULL);
  role_a_sub = register_type (role_a, "OrgTestRoleASub", NULL);
  role_a_sub_sub = register_type (role_a_sub, "OrgTestRoleASubSub", NULL);
  role_b = register_type (JANUS_TYPE_ROLE, "OrgTestRoleB", NULL);
  role_c = register_type (JANUS_TYPE_ROLE, "OrgTestRoleC", NULL);
  role_unlisted = register_type (JANUS_TYPE_ROLE, "OrgTestRoleUnlisted", NULL);

  org_base = register_type (JANUS_TYPE_ORGANIZATION, "OrgTestBase", org_base_class_init);
  org_ext = register_type (org_base, "OrgTestExt", org_ext_class_init);
  org_readd = register_type (org_base, "OrgTestReAdd", org_readd_class_init);
  org_nested = register_type (JANUS_TYPE_ORGANIZATION, "OrgTestNested", org_nested_class_init);
  org_dyn = register_type (JANUS_TYPE_ORGANIZATION, "OrgTestDynamic", NULL);
  org_empty = register_type (JANUS_TYPE_ORGANIZATION, "OrgTestEmpty", NULL);
  org_other = register_type (JANUS_TYPE_ORGANIZATION, "OrgTestOther", org_other_class_init);
}

/* ------------------------------------------------------------- helpers */

static JanusOrganization *
org_of (JanusKernel *kernel,
        GType        type)
{
  JanusOrganization *org = janus_kernel_get_organization (kernel, type);

  g_assert_nonnull (org);
  g_assert_true (G_TYPE_CHECK_INSTANCE_TYPE (org, type));
  return org;
}

/* Asserts that @org lists exactly the @n types given, in that order. */
static void
assert_role_types (JanusOrganization *org,
                   guint              n,
                   ...)
{
  g_autofree GType *types = NULL;
  guint n_types = G_MAXUINT, i;
  va_list ap;

  types = janus_organization_list_role_types (org, &n_types);
  g_assert_nonnull (types);
  g_assert_cmpuint (n_types, ==, n);
  va_start (ap, n);
  for (i = 0; i < n; i++)
    {
      GType want = va_arg (ap, GType);
      if (types[i] != want)
        g_error ("%s: role type %u is %s, expected %s", G_OBJECT_TYPE_NAME (org), i,
                 g_type_name (types[i]), g_type_name (want));
    }
  va_end (ap);
  g_assert_cmpuint (types[n], ==, G_TYPE_INVALID);     /* zero terminated */
}

/* --------------------------------------------------------- role lists */

static void
test_roles_order (void)
{
  JanusKernel *kernel = janus_kernel_new (0);

  assert_role_types (org_of (kernel, org_base), 2, role_a, role_b);
  finish (kernel, NULL);
}

static void
test_roles_inherited (void)
{
  JanusKernel *kernel = janus_kernel_new (0);

  /* the subclass first: extending the list must not touch the parent's */
  assert_role_types (org_of (kernel, org_ext), 3, role_a, role_b, role_c);
  assert_role_types (org_of (kernel, org_base), 2, role_a, role_b);
  g_assert_false (janus_organization_lists_role (org_of (kernel, org_base), role_c));
  g_assert_true (janus_organization_lists_role (org_of (kernel, org_ext), role_c));
  g_assert_cmpuint (janus_organization_get_max_players (org_of (kernel, org_ext), role_c), ==, 1);
  g_assert_cmpuint (janus_organization_get_max_players (org_of (kernel, org_ext), role_b), ==, 2);
  finish (kernel, NULL);
}

static void
test_roles_readd_changes_cardinality (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  JanusOrganization *readd = org_of (kernel, org_readd);
  JanusOrganization *base = org_of (kernel, org_base);

  /* listed once, at its first place, with the new cardinality */
  assert_role_types (readd, 2, role_a, role_b);
  g_assert_cmpuint (janus_organization_get_max_players (readd, role_b), ==, 5);
  g_assert_cmpuint (janus_organization_get_max_players (readd, role_a), ==, 0);
  /* the parent keeps its own */
  g_assert_cmpuint (janus_organization_get_max_players (base, role_b), ==, 2);
  assert_role_types (base, 2, role_a, role_b);
  finish (kernel, NULL);
}

static void
test_roles_type_add_role (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  JanusOrganization *org;

  /* the GType variant, before the first instance */
  janus_organization_type_add_role (org_dyn, role_b, 3);
  janus_organization_type_add_role (org_dyn, role_a, 0);
  janus_organization_type_add_role (org_dyn, role_b, 4);  /* again: cardinality */
  org = org_of (kernel, org_dyn);
  assert_role_types (org, 2, role_b, role_a);
  g_assert_cmpuint (janus_organization_get_max_players (org, role_b), ==, 4);
  g_assert_true (janus_organization_lists_role (org, role_a_sub));
  g_assert_false (janus_organization_lists_role (org, role_c));
  finish (kernel, NULL);
}

static void
test_roles_empty (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  JanusOrganization *org = org_of (kernel, org_empty);

  assert_role_types (org, 0);
  g_assert_false (janus_organization_lists_role (org, role_a));
  g_assert_cmpuint (janus_organization_get_max_players (org, role_a), ==, 0);
  finish (kernel, NULL);
}

static void
test_roles_add_not_a_role (void)
{
  if (g_test_subprocess ())
    {
      janus_organization_type_add_role (org_empty, G_TYPE_OBJECT, 1);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*CRITICAL*");
}

/* ------------------------------------------------- lists_role, max_players */

static void
test_lists_role_subclasses (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  JanusOrganization *base = org_of (kernel, org_base);

  g_assert_true (janus_organization_lists_role (base, role_a));
  g_assert_true (janus_organization_lists_role (base, role_a_sub));
  g_assert_true (janus_organization_lists_role (base, role_a_sub_sub));
  g_assert_true (janus_organization_lists_role (base, role_b));
  g_assert_false (janus_organization_lists_role (base, role_c));
  g_assert_false (janus_organization_lists_role (base, role_unlisted));
  /* the base class is not a subclass of a listed type */
  g_assert_false (janus_organization_lists_role (base, JANUS_TYPE_ROLE));
  finish (kernel, NULL);
}

static void
test_max_players (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  JanusOrganization *base = org_of (kernel, org_base);
  JanusOrganization *nested = org_of (kernel, org_nested);

  g_assert_cmpuint (janus_organization_get_max_players (base, role_a), ==, 0);
  g_assert_cmpuint (janus_organization_get_max_players (base, role_b), ==, 2);
  /* a subclass has the cardinality of the listed type it conforms to */
  g_assert_cmpuint (janus_organization_get_max_players (base, role_a_sub), ==, 0);
  g_assert_cmpuint (janus_organization_get_max_players (base, role_unlisted), ==, 0);

  /* the nearest listed ancestor wins */
  g_assert_cmpuint (janus_organization_get_max_players (nested, role_a), ==, 3);
  g_assert_cmpuint (janus_organization_get_max_players (nested, role_a_sub), ==, 1);
  g_assert_cmpuint (janus_organization_get_max_players (nested, role_a_sub_sub), ==, 1);
  g_assert_cmpuint (janus_organization_get_max_players (nested, role_b), ==, 0);
  finish (kernel, NULL);
}

/* ---------------------------------------------- one instance per kernel */

static void
test_kernel_one_instance (void)
{
  JanusKernel *k1 = janus_kernel_new (0);
  JanusKernel *k2 = janus_kernel_new (0);
  JanusOrganization *a1 = org_of (k1, org_base);
  JanusOrganization *a2 = org_of (k2, org_base);
  JanusOrganization *b1 = org_of (k1, org_ext);

  /* same kernel and type: the same pointer */
  g_assert_true (org_of (k1, org_base) == a1);
  g_assert_true (org_of (k2, org_base) == a2);
  g_assert_true (org_of (k1, org_ext) == b1);
  /* another kernel, or another type: another instance */
  g_assert_true (a1 != a2);
  g_assert_true (a1 != b1);
  g_assert_true (G_OBJECT_TYPE (a1) == org_base);
  g_assert_true (G_OBJECT_TYPE (b1) == org_ext);
  g_assert_true (janus_organization_get_kernel (a1) == k1);
  g_assert_true (janus_organization_get_kernel (a2) == k2);
  g_assert_true (janus_organization_get_kernel (b1) == k1);

  /* the kernel owns its organizations (transfer none) */
  g_object_add_weak_pointer (G_OBJECT (a1), (gpointer *) &a1);
  g_object_add_weak_pointer (G_OBJECT (b1), (gpointer *) &b1);
  finish (k1, NULL);
  g_assert_null (a1);
  g_assert_null (b1);
  g_assert_true (janus_organization_get_kernel (a2) == k2);
  finish (k2, NULL);
}

static void
test_kernel_not_an_organization (void)
{
  if (g_test_subprocess ())
    {
      JanusKernel *kernel = janus_kernel_new (0);
      g_assert_null (janus_kernel_get_organization (kernel, G_TYPE_OBJECT));
      g_object_unref (kernel);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*CRITICAL*");
}

/* --------------------------------------------------------------- groups */

static void
assert_groups (GPtrArray *groups,
               guint      n,
               ...)
{
  va_list ap;
  guint i;

  g_assert_nonnull (groups);
  g_assert_cmpuint (groups->len, ==, n);
  va_start (ap, n);
  for (i = 0; i < n; i++)
    g_assert_true (groups->pdata[i] == va_arg (ap, JanusGroup *));
  va_end (ap);
  g_ptr_array_unref (groups);
}

static void
test_list_groups (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  g_autoptr(GError) error = NULL;
  JanusOrganization *base = org_of (kernel, org_base);
  JanusOrganization *other = org_of (kernel, org_other);
  JanusGroup *g1, *g2, *g3, *g4;
  TestAgent *agent;

  assert_groups (janus_organization_list_groups (base), 0);
  g1 = new_group (kernel, org_base);
  g2 = new_group (kernel, org_other);
  g3 = new_group (kernel, org_base);
  /* a group of a subclass belongs to the subclass's organization */
  g4 = new_group (kernel, org_ext);
  g_assert_true (janus_group_get_organization (g1) == base);
  g_assert_true (janus_group_get_organization (g2) == other);

  assert_groups (janus_organization_list_groups (base), 2, g1, g3);
  assert_groups (janus_organization_list_groups (other), 1, g2);
  assert_groups (janus_organization_list_groups (org_of (kernel, org_ext)), 1, g4);
  assert_groups (janus_kernel_list_groups (kernel), 4, g1, g2, g3, g4);

  /* a group whose last member left is no longer listed */
  agent = launch_new (kernel, NULL, NULL);
  g_assert_nonnull (janus_agent_request_role (AGENT (agent), role_a, g1, NULL, &error));
  g_assert_no_error (error);
  leave (agent, role_a, g1);
  g_assert_false (janus_group_is_alive (g1));
  assert_groups (janus_organization_list_groups (base), 1, g3);
  assert_groups (janus_kernel_list_groups (kernel), 3, g2, g3, g4);

  finish (kernel, NULL);
  g_object_unref (agent);
  g_assert_finalize_object (g1);
  g_assert_finalize_object (g2);
  g_assert_finalize_object (g3);
  g_assert_finalize_object (g4);
}

/* ----------------------------------------------------------------- main */

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  register_types ();

  g_test_add_func ("/organization/roles/order", test_roles_order);
  g_test_add_func ("/organization/roles/inherited", test_roles_inherited);
  g_test_add_func ("/organization/roles/re-add-changes-cardinality",
                   test_roles_readd_changes_cardinality);
  g_test_add_func ("/organization/roles/type-add-role", test_roles_type_add_role);
  g_test_add_func ("/organization/roles/empty", test_roles_empty);
  g_test_add_func ("/organization/roles/add-not-a-role", test_roles_add_not_a_role);
  g_test_add_func ("/organization/lists-role/subclasses", test_lists_role_subclasses);
  g_test_add_func ("/organization/max-players", test_max_players);
  g_test_add_func ("/organization/kernel/one-instance", test_kernel_one_instance);
  g_test_add_func ("/organization/kernel/not-an-organization", test_kernel_not_an_organization);
  g_test_add_func ("/organization/list-groups", test_list_groups);

  return g_test_run ();
}
