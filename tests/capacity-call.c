/* SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * What Janus 1.x's capacity tests check beyond janus-c's first version
 * (CapacityContainer with several implementations and the First/Random
 * selection policies, CapacityContext, CapacityExecutor): several
 * implementations of one capacity chosen by a policy, and removed; the
 * caller's context inside a capacity (synchronous, on a worker, and
 * asynchronous); the asynchronous call polled, waited for with a
 * time-out and cancelled; and the GIO pair
 * janus_role_invoke_capacity_async/_finish, whose callback runs in the
 * caller's next step. On 0 and 2 workers where it schedules.
 */
#include <string.h>

#include "janus-test-utils.h"

/* ------------------------------------------------------- the capacity */

typedef struct _TestNamer TestNamer;
typedef struct
{
  GTypeInterface g_iface;
} TestNamerInterface;

#define TEST_TYPE_NAMER (test_namer_get_type ())
GType test_namer_get_type (void);
G_DEFINE_INTERFACE (TestNamer, test_namer, JANUS_TYPE_CAPACITY)

static void
test_namer_default_init (TestNamerInterface *iface)
{
}

/* Answers its name; records what the context said; may wait at a gate
 * (the test opens it) and answer late. Thread safe. */
typedef struct
{
  GObject     parent_instance;
  char       *name;
  GMutex      lock;
  GCond       cond;
  atomic_int  calls;
  gboolean    gated;
  gboolean    gate_open;
  atomic_int  at_gate;
  /* what the last call's context said (under lock) */
  JanusAgent *seen_caller;
  JanusRole  *seen_role;
  JanusGroup *seen_group;
  GType       seen_type;
  gint32      seen_input;
  gboolean    seen_async;
  gboolean    seen_cancelled;
  JanusCapacityContext *kept;
} Namer;

typedef struct
{
  GObjectClass parent_class;
} NamerClass;

static void namer_iface_init (TestNamerInterface *iface);
static void namer_capacity_init (JanusCapacityInterface *iface);

GType namer_get_type (void);
G_DEFINE_TYPE_WITH_CODE (Namer, namer, G_TYPE_OBJECT,
                         G_IMPLEMENT_INTERFACE (JANUS_TYPE_CAPACITY, namer_capacity_init)
                         G_IMPLEMENT_INTERFACE (TEST_TYPE_NAMER, namer_iface_init))

static GVariant *
namer_invoke (JanusCapacity  *capacity,
              GVariant       *input,
              GError        **error)
{
  Namer *self = (Namer *) capacity;
  JanusCapacityContext *ctx = janus_capacity_context_get_current ();
  gboolean cancelled = FALSE;

  g_mutex_lock (&self->lock);
  self->seen_caller = ctx ? janus_capacity_context_dup_caller (ctx) : NULL;
  if (self->seen_caller != NULL)
    g_object_unref (self->seen_caller);   /* kept as a pointer to compare */
  self->seen_role = ctx ? janus_capacity_context_get_role (ctx) : NULL;
  self->seen_group = ctx ? janus_capacity_context_get_group (ctx) : NULL;
  self->seen_type = ctx ? janus_capacity_context_get_capacity_type (ctx) : G_TYPE_INVALID;
  self->seen_input = input && g_variant_is_of_type (input, G_VARIANT_TYPE_INT32)
                     ? g_variant_get_int32 (input) : -1;
  self->seen_async = ctx && janus_capacity_context_is_asynchronous (ctx);
  g_clear_object (&self->kept);
  self->kept = ctx ? g_object_ref (ctx) : NULL;
  g_mutex_unlock (&self->lock);
  atomic_fetch_add (&self->calls, 1);

  if (self->gated)
    {
      test_bump (&self->lock, &self->cond, &self->at_gate);
      g_mutex_lock (&self->lock);
      while (!self->gate_open)
        g_cond_wait (&self->cond, &self->lock);
      g_mutex_unlock (&self->lock);
      cancelled = ctx && janus_capacity_context_is_cancelled (ctx);
      g_mutex_lock (&self->lock);
      self->seen_cancelled = cancelled;
      g_mutex_unlock (&self->lock);
    }
  if (input != NULL && g_variant_is_of_type (input, G_VARIANT_TYPE_STRING))
    {
      g_set_error (error, TEST_ERROR, 7, "%s refuses", self->name);
      return NULL;
    }
  return g_variant_new_string (self->name);
}

static void
namer_capacity_init (JanusCapacityInterface *iface)
{
  iface->invoke = namer_invoke;
}

static void
namer_iface_init (TestNamerInterface *iface)
{
}

static void
namer_finalize (GObject *object)
{
  Namer *self = (Namer *) object;

  g_clear_object (&self->kept);
  g_free (self->name);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);
  G_OBJECT_CLASS (namer_parent_class)->finalize (object);
}

static void
namer_class_init (NamerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = namer_finalize;
}

static void
namer_init (Namer *self)
{
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Namer, g_object_unref)

static Namer *
namer_new (const char *name)
{
  Namer *self = g_object_new (namer_get_type (), NULL);

  self->name = g_strdup (name);
  return self;
}

static void
open_gate (Namer *n)
{
  g_mutex_lock (&n->lock);
  n->gate_open = TRUE;
  g_cond_broadcast (&n->cond);
  g_mutex_unlock (&n->lock);
}

/* -------------------------------------------------------- organization */

static GType role_user, org_cap;

static void
org_cap_class_init (gpointer klass,
                    gpointer data)
{
  janus_organization_class_add_role (klass, role_user, 0);
}

static const char *
name_of (gpointer impl)
{
  return impl ? ((Namer *) impl)->name : "-";
}

/* ----------------------------------------------- several implementations */

static guint
pick_last (JanusAgent  *agent,
           GType        capacity_type,
           GObject    **implementations,
           guint        n,
           gpointer     data)
{
  g_assert_true (capacity_type == TEST_TYPE_NAMER);
  (*(guint *) data)++;
  return n - 1;
}

static guint
pick_out_of_range (JanusAgent  *agent,
                   GType        capacity_type,
                   GObject    **implementations,
                   guint        n,
                   gpointer     data)
{
  return n + 3;
}

static void
test_policies (void)
{
  g_autoptr(JanusAgent) agent = JANUS_AGENT (test_agent_new (NULL, NULL));
  g_autoptr(Namer) a = namer_new ("a");
  g_autoptr(Namer) b = namer_new ("b");
  g_autoptr(Namer) c = namer_new ("c");
  g_autoptr(GPtrArray) list = NULL;
  gboolean saw_a = FALSE, saw_b = FALSE;
  guint custom = 0;

  g_assert_null (janus_agent_get_capacity (agent, TEST_TYPE_NAMER));
  janus_agent_add_capacity_implementation (agent, TEST_TYPE_NAMER, a);
  janus_agent_add_capacity_implementation (agent, TEST_TYPE_NAMER, b);
  janus_agent_add_capacity_implementation (agent, TEST_TYPE_NAMER, a);   /* again: no change */
  list = janus_agent_list_capacity_implementations (agent, TEST_TYPE_NAMER);
  g_assert_cmpuint (list->len, ==, 2);
  g_assert_true (list->pdata[0] == a && list->pdata[1] == b);
  g_clear_pointer (&list, g_ptr_array_unref);
  /* by its parent interface too */
  list = janus_agent_list_capacity_implementations (agent, JANUS_TYPE_CAPACITY);
  g_assert_cmpuint (list->len, ==, 2);
  g_clear_pointer (&list, g_ptr_array_unref);

  /* FIRST (the default) */
  g_assert_cmpint (janus_agent_get_capacity_policy (agent), ==, JANUS_CAPACITY_POLICY_FIRST);
  for (int i = 0; i < 5; i++)
    g_assert_cmpstr (name_of (janus_agent_get_capacity (agent, TEST_TYPE_NAMER)), ==, "a");
  /* ROUND_ROBIN */
  janus_agent_set_capacity_policy (agent, JANUS_CAPACITY_POLICY_ROUND_ROBIN);
  g_assert_cmpstr (name_of (janus_agent_get_capacity (agent, TEST_TYPE_NAMER)), ==, "a");
  g_assert_cmpstr (name_of (janus_agent_get_capacity (agent, TEST_TYPE_NAMER)), ==, "b");
  g_assert_cmpstr (name_of (janus_agent_get_capacity (agent, TEST_TYPE_NAMER)), ==, "a");
  /* RANDOM: both, over enough calls (a miss has probability 2^-199) */
  janus_agent_set_capacity_policy (agent, JANUS_CAPACITY_POLICY_RANDOM);
  for (int i = 0; i < 200; i++)
    {
      gpointer impl = janus_agent_get_capacity (agent, TEST_TYPE_NAMER);
      saw_a |= impl == a;
      saw_b |= impl == b;
    }
  g_assert_true (saw_a && saw_b);
  /* CUSTOM */
  janus_agent_set_capacity_selection_func (agent, pick_last, &custom, NULL);
  g_assert_cmpint (janus_agent_get_capacity_policy (agent), ==, JANUS_CAPACITY_POLICY_CUSTOM);
  g_assert_cmpstr (name_of (janus_agent_get_capacity (agent, TEST_TYPE_NAMER)), ==, "b");
  g_assert_cmpuint (custom, ==, 1);
  janus_agent_set_capacity_selection_func (agent, pick_out_of_range, NULL, NULL);
  g_test_expect_message ("Janus", G_LOG_LEVEL_WARNING, "*chose 5 of 2*using the first*");
  g_assert_cmpstr (name_of (janus_agent_get_capacity (agent, TEST_TYPE_NAMER)), ==, "a");
  g_test_assert_expected_messages ();
  janus_agent_set_capacity_policy (agent, JANUS_CAPACITY_POLICY_FIRST);

  /* removal of one, then of all */
  g_assert_true (janus_agent_remove_capacity_implementation (agent, TEST_TYPE_NAMER, a));
  g_assert_false (janus_agent_remove_capacity_implementation (agent, TEST_TYPE_NAMER, a));
  g_assert_false (janus_agent_remove_capacity_implementation (agent, TEST_TYPE_NAMER, c));
  g_assert_cmpstr (name_of (janus_agent_get_capacity (agent, TEST_TYPE_NAMER)), ==, "b");
  janus_agent_add_capacity_implementation (agent, TEST_TYPE_NAMER, c);
  g_assert_true (janus_agent_remove_capacity (agent, TEST_TYPE_NAMER));
  g_assert_false (janus_agent_remove_capacity (agent, TEST_TYPE_NAMER));
  g_assert_null (janus_agent_get_capacity (agent, TEST_TYPE_NAMER));

  /* add_capacity replaces every implementation with one */
  janus_agent_add_capacity_implementation (agent, TEST_TYPE_NAMER, a);
  janus_agent_add_capacity_implementation (agent, TEST_TYPE_NAMER, b);
  janus_agent_add_capacity (agent, TEST_TYPE_NAMER, c);
  list = janus_agent_list_capacity_implementations (agent, TEST_TYPE_NAMER);
  g_assert_cmpuint (list->len, ==, 1);
  g_assert_true (list->pdata[0] == c);
}

/* Calls through a role follow the policy; a removed capacity fails. */
typedef struct
{
  JanusGroup *group;
  TestRole   *role;
  char       *got[4];
  GError     *error;
} Calls;

static void
take_user (TestAgent *self,
           gpointer   data)
{
  Calls *c = data;

  c->role = take (self, role_user, c->group);
}

static void
invoke_four (TestAgent *self,
             gpointer   data)
{
  Calls *c = data;

  for (int i = 0; i < 4; i++)
    {
      g_autoptr(GVariant) r = janus_role_invoke_capacity (ROLE (c->role), TEST_TYPE_NAMER, NULL, &c->error);
      c->got[i] = r ? g_variant_dup_string (r, NULL) : NULL;
    }
}

static void
invoke_removed (TestAgent *self,
                gpointer   data)
{
  Calls *c = data;
  g_autoptr(GVariant) r = NULL;

  janus_agent_remove_capacity (AGENT (self), TEST_TYPE_NAMER);
  r = janus_role_invoke_capacity (ROLE (c->role), TEST_TYPE_NAMER, NULL, &c->error);
  g_assert_null (r);
}

static void
test_policy_through_role (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  TestAgent *agent = test_agent_new (NULL, NULL);
  g_autoptr(Namer) a = namer_new ("a");
  g_autoptr(Namer) b = namer_new ("b");
  Calls c = { 0 };

  janus_agent_add_capacity_implementation (AGENT (agent), TEST_TYPE_NAMER, a);
  janus_agent_add_capacity_implementation (AGENT (agent), TEST_TYPE_NAMER, b);
  janus_agent_set_capacity_policy (AGENT (agent), JANUS_CAPACITY_POLICY_ROUND_ROBIN);
  launch_alive (kernel, agent);
  c.group = new_group (kernel, org_cap);
  agent_do (kernel, agent, take_user, &c);
  agent_do (kernel, agent, invoke_four, &c);
  g_assert_no_error (c.error);
  g_assert_cmpstr (c.got[0], ==, "a");
  g_assert_cmpstr (c.got[1], ==, "b");
  g_assert_cmpstr (c.got[2], ==, "a");
  g_assert_cmpstr (c.got[3], ==, "b");
  agent_do (kernel, agent, invoke_removed, &c);
  g_assert_error (c.error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_MISSING_CAPACITY);
  g_clear_error (&c.error);
  for (int i = 0; i < 4; i++)
    g_free (c.got[i]);
  g_clear_object (&c.group);
  finish (kernel, agent, NULL);
}

/* ------------------------------------------------------- the context */

typedef struct
{
  JanusGroup *group;
  TestRole   *role;
  Namer      *namer;
  GError     *error;
  char       *result;
  JanusCapacityContext *outside;
} Ctx;

static void
invoke_sync (TestAgent *self,
             gpointer   data)
{
  Ctx *c = data;
  g_autoptr(GVariant) r = NULL;

  c->role = take (self, role_user, c->group);
  c->outside = janus_capacity_context_get_current ();
  r = janus_role_invoke_capacity (ROLE (c->role), TEST_TYPE_NAMER, g_variant_new_int32 (42), &c->error);
  c->result = r ? g_variant_dup_string (r, NULL) : NULL;
}

static void
test_context_sync (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  TestAgent *agent = test_agent_new (NULL, NULL);
  g_autoptr(Namer) n = namer_new ("n");
  g_autoptr(GVariant) again = NULL;
  g_autoptr(GError) error = NULL;
  Ctx c = { .namer = n };

  janus_agent_add_capacity (AGENT (agent), TEST_TYPE_NAMER, n);
  launch_alive (kernel, agent);
  c.group = new_group (kernel, org_cap);
  agent_do (kernel, agent, invoke_sync, &c);
  g_assert_no_error (c.error);
  g_assert_cmpstr (c.result, ==, "n");
  g_assert_null (c.outside);
  g_assert_true (n->seen_caller == AGENT (agent));
  g_assert_true (n->seen_role == ROLE (c.role));
  g_assert_true (n->seen_group == c.group);
  g_assert_true (n->seen_type == TEST_TYPE_NAMER);
  g_assert_cmpint (n->seen_input, ==, 42);
  g_assert_false (n->seen_async);
  /* a context kept past the call is over, with the call's outcome */
  g_assert_true (janus_capacity_context_is_completed (n->kept));
  again = janus_capacity_context_wait (n->kept, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (g_variant_get_string (again, NULL), ==, "n");
  /* a capacity called without a role sees no context */
  {
    g_autoptr(GVariant) direct = janus_capacity_invoke (JANUS_CAPACITY (n), NULL, NULL);
    g_assert_null (n->seen_role);
    g_assert_null (n->kept);
  }
  g_free (c.result);
  g_clear_object (&c.group);
  finish (kernel, agent, NULL);
}

/* On a worker, through the message of invoke_capacity_on_worker. */
static void
invoke_on_worker (TestAgent *self,
                  gpointer   data)
{
  Ctx *c = data;

  c->role = take (self, role_user, c->group);
  janus_role_invoke_capacity_on_worker (ROLE (c->role), TEST_TYPE_NAMER, g_variant_new_int32 (5),
                                        "done", &c->error);
}

static void
read_done (TestAgent *self,
           gpointer   data)
{
  Ctx *c = data;
  g_autoptr(JanusMessage) m = janus_role_get_message (ROLE (c->role));
  g_autoptr(GVariant) r = m ? janus_message_get_capacity_result (m, &c->error) : NULL;

  c->result = r ? g_variant_dup_string (r, NULL) : NULL;
}

static void
test_context_on_worker (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  TestAgent *agent = test_agent_new (deaf_live, NULL);
  g_autoptr(Namer) n = namer_new ("w");
  Ctx c = { .namer = n };

  janus_agent_add_capacity (AGENT (agent), TEST_TYPE_NAMER, n);
  launch_alive (kernel, agent);
  c.group = new_group (kernel, org_cap);
  agent_do (kernel, agent, invoke_on_worker, &c);
  g_assert_no_error (c.error);
  step_until_idle (kernel, 20);
  agent_do (kernel, agent, read_done, &c);
  g_assert_no_error (c.error);
  g_assert_cmpstr (c.result, ==, "w");
  g_assert_true (n->seen_caller == AGENT (agent));
  g_assert_true (n->seen_role == ROLE (c.role));
  g_assert_true (n->seen_group == c.group);
  g_assert_cmpint (n->seen_input, ==, 5);
  g_free (c.result);
  g_clear_object (&c.group);
  finish (kernel, agent, NULL);
}

/* --------------------------------------------- the asynchronous call */

typedef struct
{
  JanusGroup           *group;
  TestRole             *role;
  JanusCapacityContext *call;
  GError               *error;
  gboolean              done_in_step;
  GVariant             *polled;
} Async;

static void
start_call (TestAgent *self,
            gpointer   data)
{
  Async *a = data;

  a->role = take (self, role_user, a->group);
  a->call = janus_role_call_capacity (ROLE (a->role), TEST_TYPE_NAMER, g_variant_new_int32 (9),
                                      NULL, &a->error);
  /* not in the caller's step: a light agent's wait does not block */
  a->done_in_step = janus_capacity_context_is_completed (a->call);
  a->polled = janus_capacity_context_wait (a->call, 10 * G_USEC_PER_SEC, NULL);
}

static void
test_call_poll (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  TestAgent *agent = test_agent_new (NULL, NULL);
  g_autoptr(Namer) n = namer_new ("later");
  g_autoptr(GVariant) result = NULL;
  g_autoptr(GError) error = NULL;
  Async a = { 0 };
  gint64 start;

  janus_agent_add_capacity (AGENT (agent), TEST_TYPE_NAMER, n);
  launch_alive (kernel, agent);
  a.group = new_group (kernel, org_cap);
  start = g_get_monotonic_time ();
  agent_do (kernel, agent, start_call, &a);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);
  g_assert_no_error (a.error);
  g_assert_false (a.done_in_step);
  g_assert_null (a.polled);
  g_assert_cmpint (n->calls, ==, 0);
  /* it runs when the kernel steps */
  step_until_idle (kernel, 20);
  g_assert_true (janus_capacity_context_is_completed (a.call));
  result = janus_capacity_context_wait (a.call, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (g_variant_get_string (result, NULL), ==, "later");
  g_assert_true (n->seen_async);
  g_assert_true (n->seen_role == ROLE (a.role));
  g_assert_cmpint (n->seen_input, ==, 9);
  g_assert_true (janus_capacity_context_get_role (a.call) == ROLE (a.role));
  g_assert_cmpint (janus_capacity_context_get_capacity_type (a.call), ==, TEST_TYPE_NAMER);
  g_clear_object (&a.call);
  g_clear_object (&a.group);
  finish (kernel, agent, NULL);
}

/* Cancelled before it ran: completes at once, the capacity never runs. */
static void
test_call_cancel_before (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  TestAgent *agent = test_agent_new (NULL, NULL);
  g_autoptr(Namer) n = namer_new ("never");
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) result = NULL;
  Async a = { 0 };

  janus_agent_add_capacity (AGENT (agent), TEST_TYPE_NAMER, n);
  launch_alive (kernel, agent);
  a.group = new_group (kernel, org_cap);
  agent_do (kernel, agent, start_call, &a);
  janus_capacity_context_cancel (a.call);
  g_assert_true (janus_capacity_context_is_completed (a.call));
  g_assert_true (janus_capacity_context_is_cancelled (a.call));
  result = janus_capacity_context_wait (a.call, -1, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  step_until_idle (kernel, 20);
  g_assert_cmpint (n->calls, ==, 0);
  g_clear_object (&a.call);
  g_clear_object (&a.group);
  finish (kernel, agent, NULL);
}

/* A heavy agent waits with a time-out, then cancels; the capacity sees
 * the cancellation and its late result is dropped. */
typedef struct
{
  GMutex      lock;
  GCond       cond;
  atomic_int  step;
  JanusGroup *group;
  Namer      *namer;
  GError     *timeout_error;
  GError     *cancel_error;
  gint64      waited;
} HeavyCall;

static JanusLive
heavy_call_live (TestAgent *self)
{
  HeavyCall *h = self->data;
  TestRole *role = take (self, role_user, h->group);
  g_autoptr(JanusCapacityContext) call = NULL;
  g_autoptr(GVariant) r1 = NULL, r2 = NULL;
  gint64 start;

  call = janus_role_call_capacity (ROLE (role), TEST_TYPE_NAMER, NULL, NULL, NULL);
  g_assert_true (test_wait_count (&h->namer->lock, &h->namer->cond, &h->namer->at_gate, 1));
  start = g_get_monotonic_time ();
  r1 = janus_capacity_context_wait (call, 30000, &h->timeout_error);
  h->waited = g_get_monotonic_time () - start;
  janus_capacity_context_cancel (call);
  r2 = janus_capacity_context_wait (call, -1, &h->cancel_error);
  g_assert_null (r1);
  g_assert_null (r2);
  test_bump (&h->lock, &h->cond, &h->step);
  return JANUS_LIVE_DONE;
}

static void
test_call_heavy_wait (guint         workers,
                      gconstpointer data)
{
  JanusKernel *kernel = janus_kernel_new (workers);
  g_autoptr(Namer) n = namer_new ("slow");
  HeavyCall h = { .namer = n };
  TestAgent *agent = test_agent_new (heavy_call_live, &h);
  GThread *driver = NULL;

  g_mutex_init (&h.lock);
  g_cond_init (&h.cond);
  n->gated = TRUE;
  h.group = new_group (kernel, org_cap);
  janus_group_set_persistent (h.group, TRUE);
  janus_agent_add_capacity (AGENT (agent), TEST_TYPE_NAMER, n);
  g_assert_true (janus_kernel_launch_heavy_agent (kernel, AGENT (agent), NULL, NULL, NULL));
  if (workers == 0)
    driver = g_thread_new ("driver", (GThreadFunc) run_bounded, kernel);
  g_assert_true (test_wait_count (&h.lock, &h.cond, &h.step, 1));
  g_assert_error (h.timeout_error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_assert_cmpint (h.waited, >=, 30000);
  g_assert_error (h.cancel_error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  open_gate (n);
  if (driver != NULL)
    g_thread_join (driver);
  janus_kernel_shutdown (kernel);
  g_mutex_lock (&n->lock);
  g_assert_true (n->seen_cancelled);
  g_mutex_unlock (&n->lock);
  g_clear_error (&h.timeout_error);
  g_clear_error (&h.cancel_error);
  g_clear_object (&h.group);
  g_assert_finalize_object (kernel);
  g_assert_finalize_object (agent);
  g_mutex_clear (&h.lock);
  g_cond_clear (&h.cond);
}

/* ------------------------------------------------------- the GIO pair */

typedef struct
{
  GMutex      lock;
  GCond       cond;
  atomic_int  done;
  JanusGroup *group;
  TestRole   *role;
  TestAgent  *agent;
  char       *result;
  GError     *error;
  gboolean    in_own_step;
  GThread    *thread;
  GCancellable *cancellable;
  const char *input;
} Gio;

static void
on_finished (GObject      *source,
             GAsyncResult *res,
             gpointer      data)
{
  Gio *g = data;
  g_autoptr(GVariant) r = janus_role_invoke_capacity_finish (JANUS_ROLE (source), res, &g->error);

  g->result = r ? g_variant_dup_string (r, NULL) : NULL;
  /* only the agent's own step may read its mailbox: elsewhere this is a
   * critical, fatal in the tests */
  if (g->in_own_step)
    janus_agent_has_message (AGENT (g->agent));
  g->thread = g_thread_self ();
  log_event ("callback");
  test_bump (&g->lock, &g->cond, &g->done);
}

static void
call_async (TestAgent *self,
            gpointer   data)
{
  Gio *g = data;

  if (g->role == NULL)
    g->role = take (self, role_user, g->group);
  janus_role_invoke_capacity_async (ROLE (g->role), TEST_TYPE_NAMER,
                                    g->input ? g_variant_new_string (g->input) : NULL,
                                    g->cancellable, on_finished, g);
  if (g->cancellable != NULL)
    g_cancellable_cancel (g->cancellable);
  log_event ("called");
}

static JanusLive
log_live (TestAgent *self)
{
  log_event ("live");
  return JANUS_LIVE_WAIT;
}

static void
gio_case (guint        workers,
          const char  *input,
          gboolean     cancel,
          gboolean     provide)
{
  JanusKernel *kernel = janus_kernel_new (workers);
  g_autoptr(Namer) n = namer_new ("gio");
  Gio g = { .input = input, .in_own_step = TRUE };

  g_mutex_init (&g.lock);
  g_cond_init (&g.cond);
  g.agent = test_agent_new (log_live, NULL);
  if (provide)
    janus_agent_add_capacity (AGENT (g.agent), TEST_TYPE_NAMER, n);
  if (cancel)
    g.cancellable = g_cancellable_new ();
  launch_alive (kernel, g.agent);
  g.group = new_group (kernel, org_cap);
  log_clear ();
  agent_do (kernel, g.agent, call_async, &g);
  if (workers == 0)
    step_until_idle (kernel, 20);
  g_assert_true (test_wait_count (&g.lock, &g.cond, &g.done, 1));
  if (cancel)
    g_assert_error (g.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  else if (!provide)
    g_assert_error (g.error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_MISSING_CAPACITY);
  else if (input != NULL)
    g_assert_error (g.error, TEST_ERROR, 7);
  else
    {
      g_assert_no_error (g.error);
      g_assert_cmpstr (g.result, ==, "gio");
    }
  g_clear_error (&g.error);
  g_free (g.result);
  g_clear_object (&g.cancellable);
  g_clear_object (&g.group);
  finish (kernel, g.agent, NULL);
  /* in one of the agent's later steps, before its live */
  {
    g_autofree char *events = log_take ();
    const char *called = strstr (events, "called;live;");

    /* not in the step that called; in a later one, before its live */
    g_assert_nonnull (called);
    if (strstr (called, "live;callback;live;") == NULL)
      g_error ("events: %s", events);
  }
  g_mutex_clear (&g.lock);
  g_cond_clear (&g.cond);
}

static void
test_gio_in_step (guint         workers,
                  gconstpointer data)
{
  gio_case (workers, NULL, FALSE, TRUE);
  gio_case (workers, "fail", FALSE, TRUE);
  gio_case (workers, NULL, TRUE, TRUE);
  gio_case (workers, NULL, FALSE, FALSE);
}

static void
take_gio_role (TestAgent *self,
               gpointer   data)
{
  Gio *g = data;

  g->role = take (self, role_user, g->group);
}

/* Called from outside the agent: GIO's rule, the caller's main context. */
static void
test_gio_main_context (void)
{
  JanusKernel *kernel = janus_kernel_new (2);
  g_autoptr(Namer) n = namer_new ("main");
  g_autoptr(GMainContext) context = g_main_context_new ();
  gint64 deadline = g_get_monotonic_time () + DEADLINE_USEC;
  Gio g = { 0 };

  g_mutex_init (&g.lock);
  g_cond_init (&g.cond);
  g.agent = test_agent_new (NULL, NULL);
  janus_agent_add_capacity (AGENT (g.agent), TEST_TYPE_NAMER, n);
  launch_alive (kernel, g.agent);
  g.group = new_group (kernel, org_cap);
  agent_do (kernel, g.agent, take_gio_role, &g);
  g_main_context_push_thread_default (context);
  janus_role_invoke_capacity_async (ROLE (g.role), TEST_TYPE_NAMER, NULL, NULL, on_finished, &g);
  g_main_context_pop_thread_default (context);
  while (atomic_load (&g.done) == 0 && g_get_monotonic_time () < deadline)
    g_main_context_iteration (context, TRUE);
  g_assert_cmpint (g.done, ==, 1);
  g_assert_true (g.thread == g_thread_self ());
  g_assert_no_error (g.error);
  g_assert_cmpstr (g.result, ==, "main");
  g_free (g.result);
  g_clear_object (&g.group);
  finish (kernel, g.agent, NULL);
  g_mutex_clear (&g.lock);
  g_cond_clear (&g.cond);
}

/* ---------------------------------------------------------- bad input */

static void
bad_call (const char *name)
{
  g_autoptr(JanusAgent) agent = JANUS_AGENT (test_agent_new (NULL, NULL));
  g_autoptr(GObject) plain = g_object_new (G_TYPE_OBJECT, NULL);

  if (g_str_equal (name, "not-an-implementation"))
    janus_agent_add_capacity_implementation (agent, TEST_TYPE_NAMER, plain);
  else if (g_str_equal (name, "not-an-interface"))
    janus_agent_add_capacity_implementation (agent, G_TYPE_OBJECT, plain);
  else if (g_str_equal (name, "bad-policy"))
    janus_agent_set_capacity_policy (agent, JANUS_CAPACITY_POLICY_CUSTOM);
  else if (g_str_equal (name, "null-func"))
    janus_agent_set_capacity_selection_func (agent, NULL, NULL, NULL);
  else if (g_str_equal (name, "call-not-a-role"))
    g_assert_null (janus_role_call_capacity ((JanusRole *) plain, TEST_TYPE_NAMER, NULL, NULL, NULL));
  else if (g_str_equal (name, "context-null"))
    g_assert_false (janus_capacity_context_is_completed (NULL));
}

static const char *const bad_calls[] = {
  "not-an-implementation", "not-an-interface", "bad-policy", "null-func",
  "call-not-a-role", "context-null",
};

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  role_user = register_type (TEST_TYPE_ROLE, "CapacityCallUser", NULL);
  org_cap = register_type (JANUS_TYPE_ORGANIZATION, "CapacityCallOrg", org_cap_class_init);

  g_test_add_func ("/capacity-call/policies", test_policies);
  g_test_add_func ("/capacity-call/policy-through-role", test_policy_through_role);
  g_test_add_func ("/capacity-call/context/sync", test_context_sync);
  g_test_add_func ("/capacity-call/context/on-worker", test_context_on_worker);
  g_test_add_func ("/capacity-call/async/poll", test_call_poll);
  g_test_add_func ("/capacity-call/async/cancel-before", test_call_cancel_before);
  add_on_workers ("/capacity-call/async/heavy-wait", test_call_heavy_wait, NULL);
  add_on_workers ("/capacity-call/gio/in-step", test_gio_in_step, NULL);
  g_test_add_func ("/capacity-call/gio/main-context", test_gio_main_context);
  add_critical_cases ("/capacity-call/bad-input", bad_call, bad_calls, G_N_ELEMENTS (bad_calls));

  return g_test_run ();
}
