/* SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Capacities: a typed capacity interface of our own (TestCalc, prerequisite
 * JanusCapacity) and an implementing GObject; janus_agent_add_capacity /
 * get_capacity (also by the parent interface), required capacities,
 * janus_role_get_capacity (typed calls), janus_role_invoke_capacity and
 * janus_role_invoke_capacity_on_worker: the outcome in the role's mailbox,
 * janus_message_get_capacity_result for a result, a unit and a failure, at
 * a later step on a 0-worker kernel and never inside the caller's step on a
 * 2-worker kernel.
 */
#include <stdio.h>
#include <string.h>

#include "janus-test-utils.h"

#define TEST_ERROR_REFUSED 3

/* ------------------------------------------------------------ TestCalc */

typedef struct _TestCalc TestCalc;
typedef struct
{
  GTypeInterface g_iface;
  gint64 (*add) (TestCalc *self, gint64 a, gint64 b);
} TestCalcInterface;

#define TEST_TYPE_CALC (test_calc_get_type ())
#define TEST_CALC(o) (G_TYPE_CHECK_INSTANCE_CAST ((o), TEST_TYPE_CALC, TestCalc))
#define TEST_IS_CALC(o) (G_TYPE_CHECK_INSTANCE_TYPE ((o), TEST_TYPE_CALC))
#define TEST_CALC_GET_IFACE(o) (G_TYPE_INSTANCE_GET_INTERFACE ((o), TEST_TYPE_CALC, TestCalcInterface))
GType test_calc_get_type (void);
G_DEFINE_INTERFACE (TestCalc, test_calc, JANUS_TYPE_CAPACITY)

static void
test_calc_default_init (TestCalcInterface *iface)
{
}

static gint64
test_calc_add (TestCalc *self,
               gint64    a,
               gint64    b)
{
  return TEST_CALC_GET_IFACE (self)->add (self, a, b);
}

/* Another capacity, that the calculator does not provide. */
typedef struct _TestOther TestOther;
typedef struct
{
  GTypeInterface g_iface;
} TestOtherInterface;

#define TEST_TYPE_OTHER (test_other_get_type ())
GType test_other_get_type (void);
G_DEFINE_INTERFACE (TestOther, test_other, JANUS_TYPE_CAPACITY)

static void
test_other_default_init (TestOtherInterface *iface)
{
}

/* ------------------------------------------------------- TestCalcImpl
 *
 * invoke: "(xx)" → their sum ('x'); the string "fail" → a TEST_ERROR;
 * nothing or "()" → NULL. Every invocation is recorded (thread, and whether
 * it ran inside a TestAgent's step). Thread safe. */

typedef struct
{
  GObject   parent_instance;
  GMutex    lock;
  guint     n_invoke;
  guint     n_in_step;        /* invocations nested in an agent's step */
  GThread  *last_thread;
} TestCalcImpl;

typedef struct
{
  GObjectClass parent_class;
} TestCalcImplClass;

static GVariant *
calc_invoke (JanusCapacity  *capacity,
             GVariant       *input,
             GError        **error)
{
  TestCalcImpl *self = (TestCalcImpl *) capacity;
  gint64 a, b;

  g_mutex_lock (&self->lock);
  self->n_invoke++;
  if (test_agent_running () != NULL)
    self->n_in_step++;
  self->last_thread = g_thread_self ();
  g_mutex_unlock (&self->lock);

  if (input != NULL && g_variant_is_of_type (input, G_VARIANT_TYPE ("(xx)")))
    {
      g_variant_get (input, "(xx)", &a, &b);
      return g_variant_new_int64 (a + b);
    }
  if (input != NULL && g_variant_is_of_type (input, G_VARIANT_TYPE_STRING)
      && g_str_equal (g_variant_get_string (input, NULL), "fail"))
    {
      g_set_error (error, TEST_ERROR, TEST_ERROR_REFUSED, "calculator refused");
      return NULL;
    }
  return NULL;
}

static gint64
calc_add (TestCalc *calc,
          gint64    a,
          gint64    b)
{
  return a + b;
}

static void
calc_capacity_init (JanusCapacityInterface *iface)
{
  iface->invoke = calc_invoke;
}

static void
calc_calc_init (TestCalcInterface *iface)
{
  iface->add = calc_add;
}

#define TEST_TYPE_CALC_IMPL (test_calc_impl_get_type ())
GType test_calc_impl_get_type (void);
G_DEFINE_TYPE_WITH_CODE (TestCalcImpl, test_calc_impl, G_TYPE_OBJECT,
                         G_IMPLEMENT_INTERFACE (JANUS_TYPE_CAPACITY, calc_capacity_init)
                         G_IMPLEMENT_INTERFACE (TEST_TYPE_CALC, calc_calc_init))

static void
test_calc_impl_finalize (GObject *object)
{
  g_mutex_clear (&((TestCalcImpl *) object)->lock);
  G_OBJECT_CLASS (test_calc_impl_parent_class)->finalize (object);
}

static void
test_calc_impl_class_init (TestCalcImplClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = test_calc_impl_finalize;
}

static void
test_calc_impl_init (TestCalcImpl *self)
{
  g_mutex_init (&self->lock);
}

static TestCalcImpl *
calc_new (void)
{
  return g_object_new (TEST_TYPE_CALC_IMPL, NULL);
}

static guint
calc_invocations (TestCalcImpl *calc)
{
  guint n;

  g_mutex_lock (&calc->lock);
  n = calc->n_invoke;
  g_mutex_unlock (&calc->lock);
  return n;
}

/* Provides TestOther without an invoke function of its own. */
typedef struct
{
  GObject parent_instance;
} TestPlainImpl;

typedef struct
{
  GObjectClass parent_class;
} TestPlainImplClass;

static void plain_capacity_init (JanusCapacityInterface *iface) { }
static void plain_other_init (TestOtherInterface *iface) { }

#define TEST_TYPE_PLAIN_IMPL (test_plain_impl_get_type ())
GType test_plain_impl_get_type (void);
G_DEFINE_TYPE_WITH_CODE (TestPlainImpl, test_plain_impl, G_TYPE_OBJECT,
                         G_IMPLEMENT_INTERFACE (JANUS_TYPE_CAPACITY, plain_capacity_init)
                         G_IMPLEMENT_INTERFACE (TEST_TYPE_OTHER, plain_other_init))

static void test_plain_impl_class_init (TestPlainImplClass *klass) { }
static void test_plain_impl_init (TestPlainImpl *self) { }

/* --------------------------------------------------------------- types */

static GType role_calc, role_calc_sub, role_dyn, role_free, role_peer;
static GType org_main;

static void
calc_role_class_init (gpointer klass,
                      gpointer data)
{
  janus_role_class_add_required_capacity (klass, TEST_TYPE_CALC);
}

static void
org_main_class_init (gpointer klass,
                     gpointer data)
{
  janus_organization_class_add_role (klass, role_calc, 0);
  janus_organization_class_add_role (klass, role_dyn, 0);
  janus_organization_class_add_role (klass, role_free, 0);
  janus_organization_class_add_role (klass, role_peer, 0);
}

static void
register_types (void)
{
  role_calc = register_type (TEST_TYPE_ROLE, "CapTestCalcRole", calc_role_class_init);
  role_calc_sub = register_type (role_calc, "CapTestCalcRoleSub", NULL);
  role_dyn = register_type (TEST_TYPE_ROLE, "CapTestDynRole", NULL);
  role_free = register_type (TEST_TYPE_ROLE, "CapTestFreeRole", NULL);
  role_peer = register_type (TEST_TYPE_ROLE, "CapTestPeerRole", NULL);
  org_main = register_type (JANUS_TYPE_ORGANIZATION, "CapTestOrg", org_main_class_init);

  /* the GType variant, for a class without class_init of its own */
  janus_role_type_add_required_capacity (role_dyn, TEST_TYPE_CALC);
}

/* ------------------------------------------------------------- helpers */

/* A persistent group of org_main. */
static JanusGroup *
persistent_group (JanusKernel *kernel)
{
  JanusGroup *group = new_group (kernel, org_main);

  janus_group_set_persistent (group, TRUE);
  return group;
}

/* ------------------------------------------------- agent's capacities */

static void
test_agent_add_get (void)
{
  TestAgent *agent = g_object_new (TEST_TYPE_AGENT, NULL);
  TestCalcImpl *calc = calc_new ();
  TestCalcImpl *calc2 = calc_new ();

  g_assert_null (janus_agent_get_capacity (AGENT (agent), TEST_TYPE_CALC));
  janus_agent_add_capacity (AGENT (agent), TEST_TYPE_CALC, calc);
  g_assert_true (janus_agent_get_capacity (AGENT (agent), TEST_TYPE_CALC) == (gpointer) calc);
  /* by the parent interface */
  g_assert_true (janus_agent_get_capacity (AGENT (agent), JANUS_TYPE_CAPACITY) == (gpointer) calc);
  /* not provided */
  g_assert_null (janus_agent_get_capacity (AGENT (agent), TEST_TYPE_OTHER));

  /* registering again replaces; the agent drops the old one */
  g_object_add_weak_pointer (G_OBJECT (calc), (gpointer *) &calc);
  g_object_unref (calc);
  janus_agent_add_capacity (AGENT (agent), TEST_TYPE_CALC, calc2);
  g_assert_null (calc);
  g_assert_true (janus_agent_get_capacity (AGENT (agent), TEST_TYPE_CALC) == (gpointer) calc2);

  /* the agent holds its capacities until it goes */
  g_object_unref (calc2);
  g_assert_finalize_object (agent);
}

static void
test_agent_registered_as_parent (void)
{
  TestAgent *agent = g_object_new (TEST_TYPE_AGENT, NULL);
  TestCalcImpl *calc = calc_new ();
  TestPlainImpl *plain = g_object_new (TEST_TYPE_PLAIN_IMPL, NULL);

  /* registered under JanusCapacity: found for the interface it implements */
  janus_agent_add_capacity (AGENT (agent), JANUS_TYPE_CAPACITY, calc);
  g_assert_true (janus_agent_get_capacity (AGENT (agent), TEST_TYPE_CALC) == (gpointer) calc);
  g_assert_null (janus_agent_get_capacity (AGENT (agent), TEST_TYPE_OTHER));
  janus_agent_add_capacity (AGENT (agent), TEST_TYPE_OTHER, plain);
  g_assert_true (janus_agent_get_capacity (AGENT (agent), TEST_TYPE_OTHER) == (gpointer) plain);
  g_assert_true (janus_agent_get_capacity (AGENT (agent), TEST_TYPE_CALC) == (gpointer) calc);

  g_object_unref (agent);
  g_assert_finalize_object (calc);
  g_assert_finalize_object (plain);
}

static void
test_agent_add_wrong_type (void)
{
  if (g_test_subprocess ())
    {
      TestAgent *agent = g_object_new (TEST_TYPE_AGENT, NULL);
      TestCalcImpl *calc = calc_new ();

      /* the calculator does not implement TestOther */
      janus_agent_add_capacity (AGENT (agent), TEST_TYPE_OTHER, calc);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*CRITICAL*");
}

static void
test_capacity_invoke_generic (void)
{
  TestCalcImpl *calc = calc_new ();
  TestPlainImpl *plain = g_object_new (TEST_TYPE_PLAIN_IMPL, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) sum = NULL;

  sum = janus_capacity_invoke (JANUS_CAPACITY (calc), g_variant_new ("(xx)", 20, 22), &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_variant_get_int64 (sum), ==, 42);
  g_assert_false (g_variant_is_floating (sum));
  /* no invoke function: a failure */
  g_assert_null (janus_capacity_invoke (JANUS_CAPACITY (plain), NULL, &error));
  g_assert_error (error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_FAILED);
  g_assert_finalize_object (calc);
  g_assert_finalize_object (plain);
}

/* ---------------------------------------------------- required capacities */

static void
test_required_refused (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  JanusGroup *group = persistent_group (kernel);
  TestAgent *without = launch_new (kernel, NULL, NULL);
  TestAgent *with = launch_new (kernel, NULL, NULL);
  TestAgent *generic = launch_new (kernel, NULL, NULL);
  TestCalcImpl *calc = calc_new ();
  GType refused[] = { role_calc, role_calc_sub, role_dyn };
  guint i;

  janus_agent_add_capacity (AGENT (with), TEST_TYPE_CALC, calc);
  janus_agent_add_capacity (AGENT (generic), JANUS_TYPE_CAPACITY, calc);
  for (i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autoptr(GError) error = NULL;

      /* the requirement is the class's, its subclasses', and the GType
       * variant's */
      g_assert_null (janus_agent_request_role (AGENT (without), refused[i], group, NULL, &error));
      g_assert_error (error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_MISSING_CAPACITY);
      g_assert_nonnull (strstr (error->message, "TestCalc"));
      g_assert_nonnull (strstr (error->message, g_type_name (refused[i])));
      g_assert_nonnull (strstr (error->message, janus_group_get_uuid (group)));

      take (with, refused[i], group);
      /* any registration that implements it will do */
      take (generic, refused[i], group);
    }
  /* no requirement */
  take (without, role_free, group);
  g_assert_cmpuint (janus_group_count_players (group, G_TYPE_INVALID), ==, 7);

  finish (kernel, NULL);
  g_object_unref (calc);
  g_assert_finalize_object (without);
  g_assert_finalize_object (with);
  g_assert_finalize_object (generic);
  g_assert_finalize_object (group);
}

/* ------------------------------------------------------ synchronous calls */

static void
test_role_get_capacity (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  JanusGroup *group = persistent_group (kernel);
  TestAgent *agent = launch_new (kernel, NULL, NULL);
  TestAgent *poor = launch_new (kernel, NULL, NULL);
  TestCalcImpl *calc = calc_new ();
  TestRole *role, *free_role;
  gpointer cap;

  janus_agent_add_capacity (AGENT (agent), TEST_TYPE_CALC, calc);
  role = take (agent, role_calc, group);
  cap = janus_role_get_capacity (ROLE (role), TEST_TYPE_CALC);
  g_assert_true (cap == (gpointer) calc);
  g_assert_true (TEST_IS_CALC (cap));
  g_assert_cmpint (test_calc_add (TEST_CALC (cap), 2, 3), ==, 5);
  g_assert_true (janus_role_get_capacity (ROLE (role), JANUS_TYPE_CAPACITY) == (gpointer) calc);
  g_assert_null (janus_role_get_capacity (ROLE (role), TEST_TYPE_OTHER));

  free_role = take (poor, role_free, group);
  g_assert_null (janus_role_get_capacity (ROLE (free_role), TEST_TYPE_CALC));

  /* a left role has no player, hence no capacity */
  g_object_ref (role);
  g_assert_true (janus_agent_leave_role (AGENT (agent), role_calc, group, NULL));
  g_assert_null (janus_role_get_capacity (ROLE (role), TEST_TYPE_CALC));
  g_object_unref (role);

  finish (kernel, NULL);
  g_object_unref (calc);
  g_assert_finalize_object (agent);
  g_assert_finalize_object (poor);
  g_assert_finalize_object (group);
}

static void
test_role_invoke (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  JanusGroup *group = persistent_group (kernel);
  TestAgent *agent = launch_new (kernel, NULL, NULL);
  TestAgent *poor = launch_new (kernel, NULL, NULL);
  TestCalcImpl *calc = calc_new ();
  TestRole *role, *free_role;
  g_autoptr(GError) error = NULL;
  GVariant *v;

  janus_agent_add_capacity (AGENT (agent), TEST_TYPE_CALC, calc);
  role = take (agent, role_calc, group);

  /* the result, on the calling thread, at once */
  v = janus_role_invoke_capacity (ROLE (role), TEST_TYPE_CALC, g_variant_new ("(xx)", 40, 2), &error);
  g_assert_no_error (error);
  g_assert_nonnull (v);
  g_assert_false (g_variant_is_floating (v));
  g_assert_cmpint (g_variant_get_int64 (v), ==, 42);
  g_variant_unref (v);
  g_assert_cmpuint (calc_invocations (calc), ==, 1);
  g_assert_true (calc->last_thread == g_thread_self ());

  /* through the parent interface */
  v = janus_role_invoke_capacity (ROLE (role), JANUS_TYPE_CAPACITY, g_variant_new ("(xx)", 1, 1), &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_variant_get_int64 (v), ==, 2);
  g_variant_unref (v);

  /* its error, as it is */
  g_assert_null (janus_role_invoke_capacity (ROLE (role), TEST_TYPE_CALC, g_variant_new_string ("fail"), &error));
  g_assert_error (error, TEST_ERROR, TEST_ERROR_REFUSED);
  g_assert_cmpstr (error->message, ==, "calculator refused");
  g_clear_error (&error);

  /* no result, no error */
  g_assert_null (janus_role_invoke_capacity (ROLE (role), TEST_TYPE_CALC, NULL, &error));
  g_assert_no_error (error);

  /* a capacity the player lacks (the input is still consumed) */
  free_role = take (poor, role_free, group);
  g_assert_null (janus_role_invoke_capacity (ROLE (free_role), TEST_TYPE_CALC,
                                             g_variant_new ("(xx)", 1, 2), &error));
  g_assert_error (error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_MISSING_CAPACITY);
  g_assert_nonnull (strstr (error->message, "TestCalc"));
  g_clear_error (&error);
  g_assert_null (janus_role_invoke_capacity (ROLE (role), TEST_TYPE_OTHER, NULL, &error));
  g_assert_error (error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_MISSING_CAPACITY);
  g_clear_error (&error);
  g_assert_cmpuint (calc_invocations (calc), ==, 4);

  finish (kernel, NULL);
  g_object_unref (calc);
  g_assert_finalize_object (agent);
  g_assert_finalize_object (poor);
  g_assert_finalize_object (group);
}

/* ---------------------------------------------- calls run on a worker */

typedef struct
{
  TestRole     *role;
  TestRole     *peer;
  TestCalcImpl *calc;
  guint         invoked_at;       /* test_current_step of the invoking step */
  guint         n_in_step;        /* invocations seen during that step */
  gboolean      had_message;      /* the role had a result during that step */
  guint         agents_before;
  guint         agents_during;
} Async;

static void
invoke_three (TestAgent *self,
              gpointer   data)
{
  Async *as = data;
  g_autoptr(GError) error = NULL;
  JanusKernel *kernel = janus_agent_get_kernel (AGENT (self));

  as->invoked_at = test_current_step;
  g_assert_true (janus_role_invoke_capacity_on_worker (ROLE (as->role), TEST_TYPE_CALC,
                                                       g_variant_new ("(xx)", 2, 3), "sum", &error));
  g_assert_no_error (error);
  g_assert_true (janus_role_invoke_capacity_on_worker (ROLE (as->role), TEST_TYPE_CALC,
                                                       g_variant_new_string ("fail"), "failed", &error));
  g_assert_no_error (error);
  g_assert_true (janus_role_invoke_capacity_on_worker (ROLE (as->role), TEST_TYPE_CALC,
                                                       NULL, "unit", &error));
  g_assert_no_error (error);
  /* the step goes on: nothing ran yet, nothing arrived */
  as->n_in_step = calc_invocations (as->calc);
  as->had_message = janus_role_has_message (ROLE (as->role));
  as->agents_during = janus_kernel_get_agent_count (kernel);
}

static void
test_on_worker_zero_workers (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  JanusGroup *group = persistent_group (kernel);
  TestAgent *agent = launch_new (kernel, NULL, NULL);
  TestCalcImpl *calc = calc_new ();
  Async as = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) sum = NULL;
  g_autoptr(GVariant) unit = NULL;
  JanusGroup *found;
  JanusMessage *m;
  guint i;

  janus_agent_add_capacity (AGENT (agent), TEST_TYPE_CALC, calc);
  as.role = take (agent, role_calc, group);
  as.peer = take (agent, role_peer, group);
  as.calc = calc;
  as.agents_before = janus_kernel_get_agent_count (kernel);

  agent_do (kernel, agent, invoke_three, &as);
  g_assert_cmpuint (as.n_in_step, ==, 0);
  g_assert_false (as.had_message);
  g_assert_cmpuint (as.agents_during, >, as.agents_before);   /* it runs elsewhere */
  g_assert_cmpuint (calc_invocations (calc), ==, 0);          /* not in that step */
  step_until_idle (kernel, 100);

  g_assert_cmpuint (calc_invocations (calc), ==, 3);
  g_assert_cmpuint (calc->n_in_step, ==, 0);
  g_assert_cmpuint (janus_kernel_get_agent_count (kernel), ==, as.agents_before);
  /* into the role's mailbox, at a later step, in order */
  g_assert_cmpuint (as.role->got->len, ==, 3);
  for (i = 0; i < 3; i++)
    g_assert_cmpuint (g_array_index (as.role->got_at, guint, i), >, as.invoked_at);
  g_assert_cmpuint (as.peer->got->len, ==, 0);
  g_assert_cmpuint (janus_agent_get_mailbox_size (AGENT (agent)), ==, 0);

  m = as.role->got->pdata[0];
  g_assert_cmpstr (janus_message_get_subject (m), ==, "sum");
  sum = janus_message_get_capacity_result (m, &error);
  g_assert_no_error (error);
  g_assert_nonnull (sum);
  g_assert_cmpstr (g_variant_get_type_string (sum), ==, "x");
  g_assert_cmpint (g_variant_get_int64 (sum), ==, 5);
  g_assert_true (janus_message_get_receiver_role (m) == role_calc);
  g_assert_true (janus_address_equal (janus_message_get_receiver (m),
                                      janus_agent_get_address (AGENT (agent))));
  found = janus_message_dup_group (m);
  g_assert_true (found == group);
  g_object_unref (found);
  /* not a role's request: no reply */
  g_assert_false (janus_role_reply (ROLE (as.role), m, janus_message_new ("no", NULL), &error));
  g_assert_error (error, JANUS_MESSAGE_ERROR, JANUS_MESSAGE_ERROR_NOT_A_ROLE_MESSAGE);
  g_clear_error (&error);

  m = as.role->got->pdata[1];
  g_assert_cmpstr (janus_message_get_subject (m), ==, "failed");
  g_assert_null (janus_message_get_capacity_result (m, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "calculator refused"));
  g_clear_error (&error);

  m = as.role->got->pdata[2];
  g_assert_cmpstr (janus_message_get_subject (m), ==, "unit");
  unit = janus_message_get_capacity_result (m, &error);
  g_assert_no_error (error);
  g_assert_nonnull (unit);
  g_assert_cmpstr (g_variant_get_type_string (unit), ==, "()");

  g_assert_cmpuint (janus_kernel_get_dead_letter_count (kernel), ==, 0);
  finish (kernel, NULL);
  g_object_unref (calc);
  g_assert_finalize_object (agent);
  g_assert_finalize_object (group);
}

static void
test_on_worker_not_a_result (void)
{
  g_autoptr(JanusMessage) plain = janus_message_new ("x", g_variant_new_int32 (1));
  g_autoptr(JanusMessage) empty = janus_message_new ("y", NULL);
  g_autoptr(GError) error = NULL;

  g_assert_null (janus_message_get_capacity_result (plain, &error));
  g_assert_error (error, JANUS_MESSAGE_ERROR, JANUS_MESSAGE_ERROR_NOT_A_CAPACITY_RESULT);
  g_clear_error (&error);
  g_assert_null (janus_message_get_capacity_result (empty, &error));
  g_assert_error (error, JANUS_MESSAGE_ERROR, JANUS_MESSAGE_ERROR_NOT_A_CAPACITY_RESULT);
}

typedef struct
{
  TestRole     *role;
  JanusRole    *left;
  gboolean      ok;
  GError       *error;
  GError       *left_error;
} Missing;

static void
invoke_missing (TestAgent *self,
                gpointer   data)
{
  Missing *mi = data;

  mi->ok = janus_role_invoke_capacity_on_worker (ROLE (mi->role), TEST_TYPE_CALC,
                                                 g_variant_new ("(xx)", 1, 1), "never", &mi->error);
  g_assert_false (janus_role_invoke_capacity_on_worker (mi->left, TEST_TYPE_CALC, NULL, "never",
                                                        &mi->left_error));
}

static void
test_on_worker_missing (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  JanusGroup *group = persistent_group (kernel);
  TestAgent *agent = launch_new (kernel, NULL, NULL);
  TestAgent *rich = launch_new (kernel, NULL, NULL);
  TestCalcImpl *calc = calc_new ();
  Missing mi = { 0 };
  guint agents;

  janus_agent_add_capacity (AGENT (rich), TEST_TYPE_CALC, calc);
  mi.role = take (agent, role_free, group);
  mi.left = g_object_ref (ROLE (take (rich, role_calc, group)));
  g_assert_true (janus_agent_leave_role (AGENT (rich), role_calc, group, NULL));
  agents = janus_kernel_get_agent_count (kernel);

  agent_do (kernel, agent, invoke_missing, &mi);
  g_assert_false (mi.ok);
  g_assert_error (mi.error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_MISSING_CAPACITY);
  g_assert_error (mi.left_error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_MISSING_CAPACITY);
  /* nothing was launched, nothing arrives */
  g_assert_cmpuint (janus_kernel_get_agent_count (kernel), ==, agents);
  step_until_idle (kernel, 100);
  g_assert_cmpuint (mi.role->got->len, ==, 0);
  g_assert_cmpuint (calc_invocations (calc), ==, 0);

  g_clear_error (&mi.error);
  g_clear_error (&mi.left_error);
  g_object_unref (mi.left);
  finish (kernel, NULL);
  g_object_unref (calc);
  g_assert_finalize_object (agent);
  g_assert_finalize_object (rich);
  g_assert_finalize_object (group);
}

static void
invoke_and_die (TestAgent *self,
                gpointer   data)
{
  Async *as = data;

  g_assert_true (janus_role_invoke_capacity_on_worker (ROLE (as->role), TEST_TYPE_CALC,
                                                       g_variant_new ("(xx)", 1, 1), "late", NULL));
  janus_agent_kill_me (AGENT (self));
}

static void
test_on_worker_player_died (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  JanusGroup *group = persistent_group (kernel);
  TestAgent *agent = launch_new (kernel, NULL, NULL);
  TestCalcImpl *calc = calc_new ();
  Async as = { 0 };

  janus_agent_add_capacity (AGENT (agent), TEST_TYPE_CALC, calc);
  as.role = take (agent, role_calc, group);
  agent_do (kernel, agent, invoke_and_die, &as);
  step_until_idle (kernel, 100);
  g_assert_cmpint (janus_agent_get_state (AGENT (agent)), ==, JANUS_AGENT_STATE_DIED);
  /* the call still ran; its outcome had nobody to go to */
  g_assert_cmpuint (calc_invocations (calc), ==, 1);
  g_assert_cmpuint (janus_kernel_get_dead_letter_count (kernel), ==, 1);

  finish (kernel, NULL);
  g_object_unref (calc);
  g_assert_finalize_object (agent);
  g_assert_finalize_object (group);
}

/* On two workers: the calls never run inside the caller's step (on the
 * caller's thread while its step is on), and every outcome comes back. */

typedef struct
{
  JanusGroup   *group;
  TestCalcImpl *calc;
  TestRole     *role;
  guint         n;
  GThread      *caller_thread;
} Workers;

static void
workers_take (TestAgent *self,
              gpointer   data)
{
  Workers *w = data;

  janus_agent_add_capacity (AGENT (self), TEST_TYPE_CALC, w->calc);
  w->role = take (self, role_calc, w->group);
}

static void
workers_invoke (TestAgent *self,
                gpointer   data)
{
  Workers *w = data;
  guint i;

  w->caller_thread = g_thread_self ();
  for (i = 0; i < w->n; i++)
    {
      g_autofree char *subject = g_strdup_printf ("r%u", i);
      g_autoptr(GError) error = NULL;

      g_assert_true (janus_role_invoke_capacity_on_worker (ROLE (w->role), TEST_TYPE_CALC,
                                                           g_variant_new ("(xx)", (gint64) i, (gint64) 1000),
                                                           subject, &error));
      g_assert_no_error (error);
    }
}

static void
test_on_worker_two_workers (void)
{
  JanusKernel *kernel = janus_kernel_new (2);
  JanusGroup *group = persistent_group (kernel);
  TestCalcImpl *calc = calc_new ();
  Workers w = { group, calc, NULL, 0, NULL };
  gint64 deadline = g_get_monotonic_time () + DEADLINE_USEC;
  g_autoptr(GArray) seen = NULL;
  TestAgent *agent;
  guint i;

  w.n = test_small () ? 10 : 50;
  agent = launch_new (kernel, workers_take, &w);
  agent_do (kernel, agent, workers_invoke, &w);
  g_object_ref (w.role);           /* past the shutdown */

  g_mutex_lock (&w.role->lock);
  while (w.role->got->len < w.n)
    if (!g_cond_wait_until (&w.role->cond, &w.role->lock, deadline))
      break;
  g_mutex_unlock (&w.role->lock);
  janus_kernel_shutdown (kernel);

  g_assert_cmpuint (w.role->got->len, ==, w.n);
  g_assert_cmpuint (calc_invocations (calc), ==, w.n);
  /* never nested in an agent's step: not the caller's, not any */
  g_assert_cmpuint (calc->n_in_step, ==, 0);
  g_assert_true (calc->last_thread != g_thread_self ());
  seen = g_array_new (FALSE, TRUE, sizeof (gboolean));
  g_array_set_size (seen, w.n);
  for (i = 0; i < w.n; i++)
    {
      JanusMessage *m = w.role->got->pdata[i];
      g_autoptr(GVariant) v = janus_message_get_capacity_result (m, NULL);
      guint k;

      g_assert_nonnull (v);
      g_assert_cmpint (sscanf (janus_message_get_subject (m), "r%u", &k), ==, 1);
      g_assert_cmpuint (k, <, w.n);
      g_assert_false (g_array_index (seen, gboolean, k));
      g_array_index (seen, gboolean, k) = TRUE;
      g_assert_cmpint (g_variant_get_int64 (v), ==, (gint64) k + 1000);
    }
  g_assert_cmpuint (janus_kernel_get_dead_letter_count (kernel), ==, 0);

  g_object_unref (w.role);
  g_assert_finalize_object (kernel);
  g_object_unref (calc);
  g_assert_finalize_object (agent);
  g_assert_finalize_object (group);
}

/* The outcome of a failed call on a worker is the error it failed with:
 * its domain and code too, as janus_role_invoke_capacity gives them. */
static void
invoke_failing (TestAgent *self,
                gpointer   data)
{
  Async *as = data;

  g_assert_true (janus_role_invoke_capacity_on_worker (ROLE (as->role), TEST_TYPE_CALC,
                                                       g_variant_new_string ("fail"), "failed", NULL));
}

static void
test_on_worker_error_code (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  JanusGroup *group = persistent_group (kernel);
  TestAgent *agent = launch_new (kernel, NULL, NULL);
  TestCalcImpl *calc = calc_new ();
  Async as = { 0 };
  g_autoptr(GError) error = NULL;

  janus_agent_add_capacity (AGENT (agent), TEST_TYPE_CALC, calc);
  as.role = take (agent, role_calc, group);
  agent_do (kernel, agent, invoke_failing, &as);
  step_until_idle (kernel, 100);
  g_assert_cmpuint (as.role->got->len, ==, 1);
  g_assert_null (janus_message_get_capacity_result (as.role->got->pdata[0], &error));
  g_assert_cmpstr (error->message, ==, "calculator refused");
  g_assert_error (error, TEST_ERROR, TEST_ERROR_REFUSED);

  finish (kernel, NULL);
  g_object_unref (calc);
  g_assert_finalize_object (agent);
  g_assert_finalize_object (group);
}

/* ----------------------------------------------------------------- main */

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  register_types ();

  g_test_add_func ("/capacity/agent/add-get", test_agent_add_get);
  g_test_add_func ("/capacity/agent/registered-as-parent", test_agent_registered_as_parent);
  g_test_add_func ("/capacity/agent/add-wrong-type", test_agent_add_wrong_type);
  g_test_add_func ("/capacity/invoke-generic", test_capacity_invoke_generic);
  g_test_add_func ("/capacity/required/refused", test_required_refused);
  g_test_add_func ("/capacity/role/get-capacity", test_role_get_capacity);
  g_test_add_func ("/capacity/role/invoke", test_role_invoke);
  g_test_add_func ("/capacity/on-worker/zero-workers", test_on_worker_zero_workers);
  g_test_add_func ("/capacity/on-worker/not-a-result", test_on_worker_not_a_result);
  g_test_add_func ("/capacity/on-worker/missing", test_on_worker_missing);
  g_test_add_func ("/capacity/on-worker/player-died", test_on_worker_player_died);
  g_test_add_func ("/capacity/on-worker/two-workers", test_on_worker_two_workers);
  /* last: a known failure would hide the tests after it */
  g_test_add_func ("/capacity/on-worker/error-code", test_on_worker_error_code);

  return g_test_run ();
}
