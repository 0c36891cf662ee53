/* SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Holons and the life-cycle of their members:
 *
 *  - killing a super-holon ends its members first, deepest first (in
 *    reverse joining order among siblings, in step mode); a shared member
 *    is only removed; kernel shutdown keeps the order, and so do heavy
 *    holons and heavy members;
 *  - a member that ends is removed, and its super-holon is told;
 *    members-ended fires once its last member ended (not when moved);
 *  - a member that fails (activate, live) is supervised: ignore, restart
 *    (a new instance of its type with its name and parameters, after a
 *    back-off on the kernel's clock that doubles, bounded) or escalate
 *    (the super-holon fails, and its own super-holon supervises it);
 *    policies by property, function or vfunc;
 *  - no reference cycles: everything is finalized once released.
 *
 * Deterministic: kernels without workers, a virtual clock where time
 * matters; the order test also runs on 2 workers (the partial order).
 */
#include <string.h>

#include "holon-test.h"

static void
cell_logs_end (TestAgent *self,
               gpointer   data)
{
  log_event ("%s", agent_label (JANUS_AGENT (self)));
}

/* What a binding returns after an exception. */
static JanusLive
invalid_live (TestAgent *self)
{
  return (JanusLive) 0;
}

/* A holon that logs its end. */
#define TEST_TYPE_LOGGED (test_logged_get_type ())
G_DECLARE_FINAL_TYPE (TestLogged, test_logged, TEST, LOGGED, JanusHolon)
struct _TestLogged { JanusHolon parent_instance; gint n_members_at_end; };
G_DEFINE_FINAL_TYPE (TestLogged, test_logged, JANUS_TYPE_HOLON)

static void
test_logged_end (JanusAgent *agent)
{
  TEST_LOGGED (agent)->n_members_at_end = janus_holon_get_n_members (JANUS_HOLON (agent));
  log_event ("%s", agent_label (agent));
  JANUS_AGENT_CLASS (test_logged_parent_class)->end (agent);
}

static void
test_logged_class_init (TestLoggedClass *klass)
{
  JANUS_AGENT_CLASS (klass)->end = test_logged_end;
}

static void
test_logged_init (TestLogged *self)
{
}

static JanusHolon *
logged_holon (JanusKernel *kernel,
              JanusHolon  *super,
              const char  *name)
{
  JanusHolon *holon = g_object_new (TEST_TYPE_LOGGED, NULL);

  if (super == NULL)
    janus_kernel_launch_light_agent (kernel, JANUS_AGENT (holon), name, NULL, NULL);
  else
    g_assert_true (janus_holon_spawn_member (super, JANUS_AGENT (holon), name, NULL, NULL));
  return holon;
}

static TestAgent *
logged_cell (JanusHolon *super,
             const char *name)
{
  TestAgent *cell = test_agent_new (NULL, NULL);

  cell->on_end = cell_logs_end;
  g_assert_true (janus_holon_spawn_member (super, JANUS_AGENT (cell), name, NULL, NULL));
  return cell;
}

/* top(m1(l11 l12) m2(l21 l22)) */
typedef struct
{
  JanusHolon *top, *m1, *m2;
  TestAgent       *l11, *l12, *l21, *l22;
} Tree;

static void
tree_build (Tree        *t,
            JanusKernel *kernel)
{
  t->top = logged_holon (kernel, NULL, "top");
  t->m1 = logged_holon (kernel, t->top, "m1");
  t->m2 = logged_holon (kernel, t->top, "m2");
  t->l11 = logged_cell (t->m1, "l11");
  t->l12 = logged_cell (t->m1, "l12");
  t->l21 = logged_cell (t->m2, "l21");
  t->l22 = logged_cell (t->m2, "l22");
}

static void
tree_unref (Tree *t)
{
  GObject *objects[] = { G_OBJECT (t->top), G_OBJECT (t->m1), G_OBJECT (t->m2), G_OBJECT (t->l11),
                         G_OBJECT (t->l12), G_OBJECT (t->l21), G_OBJECT (t->l22) };
  gpointer weak[G_N_ELEMENTS (objects)];
  guint i;

  /* no reference cycle: each goes with the test's reference */
  for (i = 0; i < G_N_ELEMENTS (objects); i++)
    {
      weak[i] = objects[i];
      g_object_add_weak_pointer (objects[i], &weak[i]);
      g_object_unref (objects[i]);
      g_assert_null (weak[i]);
    }
}

static void
test_kill_order (void)
{
  g_autoptr(JanusKernel) kernel = janus_kernel_new (0);
  g_autofree char *log = NULL;
  Tree t;

  tree_build (&t, kernel);
  step_until_idle (kernel, 10000);
  log_clear ();
  g_assert_true (janus_kernel_kill (kernel, JANUS_AGENT (t.top), NULL));
  step_until_idle (kernel, 10000);
  log = log_take ();
  g_assert_cmpstr (log, ==, "l22;l21;l12;l11;m2;m1;top;");
  g_assert_cmpint (TEST_LOGGED (t.top)->n_members_at_end, ==, 0);
  g_assert_cmpint (janus_agent_get_state (JANUS_AGENT (t.top)), ==, JANUS_AGENT_STATE_DIED);
  g_assert_cmpuint (janus_kernel_get_agent_count (kernel), ==, 0);
  janus_kernel_shutdown (kernel);
  tree_unref (&t);
}

/* On workers the order among siblings is open; a super-holon still ends
 * after each of its members. */
static void
assert_before (const char *log,
               const char *first,
               const char *then)
{
  g_auto(GStrv) names = g_strsplit (log, ";", -1);
  gint a = -1, b = -1, i;

  for (i = 0; names[i] != NULL; i++)
    {
      if (g_str_equal (names[i], first))
        a = i;
      if (g_str_equal (names[i], then))
        b = i;
    }
  g_assert_cmpint (a, >=, 0);
  g_assert_cmpint (b, >, a);
}

static void
test_kill_order_workers (void)
{
  g_autoptr(JanusKernel) kernel = janus_kernel_new (2);
  g_autofree char *log = NULL;
  Tree t;

  tree_build (&t, kernel);
  g_assert_true (janus_kernel_kill (kernel, JANUS_AGENT (t.top), NULL));
  run_bounded (kernel);
  log = log_take ();
  assert_before (log, "l11", "m1");
  assert_before (log, "l12", "m1");
  assert_before (log, "l21", "m2");
  assert_before (log, "l22", "m2");
  assert_before (log, "m1", "top");
  assert_before (log, "m2", "top");
  janus_kernel_shutdown (kernel);
  tree_unref (&t);
}

/* Heavy holons and heavy members (each on its own thread) keep the order:
 * top(m1(l11 h12) h2), where m1, h12, h2 and top are heavy. */
static void
test_kill_order_heavy (void)
{
  g_autoptr(JanusKernel) kernel = janus_kernel_new (1);
  g_autofree char *log = NULL;
  JanusHolon *top = g_object_new (TEST_TYPE_LOGGED, NULL);
  JanusHolon *m1 = g_object_new (TEST_TYPE_LOGGED, NULL);
  TestAgent *l11, *h12 = test_agent_new (NULL, NULL), *h2 = test_agent_new (NULL, NULL);
  GObject *objects[5];
  gpointer weak[5];
  guint i;

  h12->on_end = cell_logs_end;
  h2->on_end = cell_logs_end;
  g_assert_true (janus_kernel_launch_heavy_agent (kernel, JANUS_AGENT (top), "top", NULL, NULL));
  g_assert_true (janus_kernel_launch_heavy_agent (kernel, JANUS_AGENT (m1), "m1", NULL, NULL));
  g_assert_true (janus_kernel_launch_heavy_agent (kernel, JANUS_AGENT (h12), "h12", NULL, NULL));
  g_assert_true (janus_kernel_launch_heavy_agent (kernel, JANUS_AGENT (h2), "h2", NULL, NULL));
  g_assert_true (janus_holon_add_member (top, JANUS_AGENT (m1), JANUS_MEMBERSHIP_PART, NULL));
  g_assert_true (janus_holon_add_member (top, JANUS_AGENT (h2), JANUS_MEMBERSHIP_PART, NULL));
  g_assert_true (janus_holon_add_member (m1, JANUS_AGENT (h12), JANUS_MEMBERSHIP_PART, NULL));
  l11 = logged_cell (m1, "l11");

  g_assert_true (janus_kernel_kill (kernel, JANUS_AGENT (top), NULL));
  run_bounded (kernel);
  log = log_take ();
  assert_before (log, "l11", "m1");
  assert_before (log, "h12", "m1");
  assert_before (log, "m1", "top");
  assert_before (log, "h2", "top");
  g_assert_cmpint (TEST_LOGGED (top)->n_members_at_end, ==, 0);
  g_assert_cmpint (TEST_LOGGED (m1)->n_members_at_end, ==, 0);
  g_assert_cmpuint (janus_kernel_get_agent_count (kernel), ==, 0);
  janus_kernel_shutdown (kernel);

  objects[0] = G_OBJECT (top);
  objects[1] = G_OBJECT (m1);
  objects[2] = G_OBJECT (l11);
  objects[3] = G_OBJECT (h12);
  objects[4] = G_OBJECT (h2);
  for (i = 0; i < G_N_ELEMENTS (objects); i++)
    {
      g_assert_cmpint (janus_agent_get_state (JANUS_AGENT (objects[i])), ==, JANUS_AGENT_STATE_DIED);
      weak[i] = objects[i];
      g_object_add_weak_pointer (objects[i], &weak[i]);
      g_object_unref (objects[i]);
      g_assert_null (weak[i]);
    }
}

/* Shutting the kernel down kills everything at once: the order holds. */
static void
test_shutdown_order (void)
{
  g_autoptr(JanusKernel) kernel = janus_kernel_new (0);
  g_autofree char *log = NULL;
  Tree t;

  tree_build (&t, kernel);
  step_until_idle (kernel, 10000);
  janus_kernel_shutdown (kernel);
  log = log_take ();
  assert_before (log, "l11", "m1");
  assert_before (log, "l22", "m2");
  assert_before (log, "m1", "top");
  assert_before (log, "m2", "top");
  tree_unref (&t);
}

/* A member that ends by itself leaves its super-holon, which hears it. */
static JanusLive
done_at_once (TestAgent *self)
{
  return JANUS_LIVE_DONE;
}

static void
test_member_ends (void)
{
  g_autoptr(JanusKernel) kernel = janus_kernel_new (0);
  g_autoptr(JanusHolon) holon = launch_holon (kernel, "h");
  g_autoptr(JanusHolon) other = launch_holon (kernel, "other");
  g_autoptr(TestAgent) a = spawn_cell (holon, "a");
  g_autoptr(TestAgent) b = spawn_cell (holon, "b");
  g_autoptr(TestAgent) c = spawn_cell (holon, "c");
  Recorder rec;

  step_until_idle (kernel, 10000);
  recorder_init (&rec);
  recorder_watch (&rec, holon);
  /* a moved member does not count as ended */
  g_assert_true (janus_holon_move_member (holon, JANUS_AGENT (c), other, NULL));
  assert_recorded (&rec, "-c");
  janus_kernel_kill (kernel, JANUS_AGENT (a), NULL);
  step_until_idle (kernel, 10000);
  assert_recorded (&rec, "-a h:b");
  g_assert_false (janus_holon_is_atomic (holon));
  b->live = done_at_once;
  janus_agent_wake (JANUS_AGENT (b));
  step_until_idle (kernel, 10000);
  assert_recorded (&rec, "-b h:- end");
  g_assert_true (janus_holon_is_atomic (holon));
  g_assert_true (janus_agent_is_alive (JANUS_AGENT (holon)));
  assert_group_follows (holon);
  janus_kernel_shutdown (kernel);
  recorder_clear (&rec);
}

/* --------------------------------------------------------- supervision */

/* An agent that fails to activate while the counter is positive. */
#define TEST_TYPE_FLAKY (test_flaky_get_type ())
G_DECLARE_FINAL_TYPE (TestFlaky, test_flaky, TEST, FLAKY, JanusAgent)
struct _TestFlaky { JanusAgent parent_instance; };
G_DEFINE_FINAL_TYPE (TestFlaky, test_flaky, JANUS_TYPE_AGENT)

static gint flaky_failures;             /* how many more activations fail */
static GArray *flaky_times;             /* kernel time of each activation */
static GPtrArray *flaky_parameters;     /* what each was given */

static gboolean
test_flaky_activate (JanusAgent  *agent,
                     GVariant    *parameters,
                     GError     **error)
{
  gint64 now = janus_kernel_get_time (janus_agent_get_kernel (agent));

  g_array_append_val (flaky_times, now);
  g_ptr_array_add (flaky_parameters, parameters ? g_variant_print (parameters, FALSE) : g_strdup ("-"));
  if (flaky_failures > 0)
    {
      flaky_failures--;
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED, "no power");
      return FALSE;
    }
  return TRUE;
}

static void
test_flaky_class_init (TestFlakyClass *klass)
{
  JANUS_AGENT_CLASS (klass)->activate = test_flaky_activate;
}

static void
test_flaky_init (TestFlaky *self)
{
}

static void
flaky_reset (gint failures)
{
  flaky_failures = failures;
  g_clear_pointer (&flaky_times, g_array_unref);
  g_clear_pointer (&flaky_parameters, g_ptr_array_unref);
  flaky_times = g_array_new (FALSE, FALSE, sizeof (gint64));
  flaky_parameters = g_ptr_array_new_with_free_func (g_free);
}

static JanusKernel *
virtual_kernel (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  g_autoptr(JanusClock) clock = janus_clock_new_virtual (0, 0);

  janus_kernel_set_clock (kernel, clock);
  return kernel;
}

static void
spawn_flaky (JanusHolon *holon)
{
  g_autoptr(JanusAgent) flaky = g_object_new (TEST_TYPE_FLAKY, NULL);

  g_assert_true (janus_holon_spawn_member (holon, flaky, "flaky", g_variant_new ("(s)", "belt"), NULL));
}

static void
test_supervise_ignore (void)
{
  g_autoptr(JanusKernel) kernel = virtual_kernel ();
  g_autoptr(JanusHolon) holon = launch_holon (kernel, "h");
  Recorder rec;

  recorder_init (&rec);
  recorder_watch (&rec, holon);
  flaky_reset (1);
  spawn_flaky (holon);
  step_until_idle (kernel, 10000);
  assert_recorded (&rec, "+flaky h:flaky -flaky h:- f:flaky:ignore end");
  g_assert_cmpuint (flaky_times->len, ==, 1);
  g_assert_true (janus_holon_is_atomic (holon));
  g_assert_true (janus_agent_is_alive (JANUS_AGENT (holon)));
  janus_kernel_shutdown (kernel);
  recorder_clear (&rec);
}

static void
test_supervise_restart (void)
{
  g_autoptr(JanusKernel) kernel = virtual_kernel ();
  g_autoptr(JanusHolon) holon = launch_holon (kernel, "h");
  Recorder rec;

  recorder_init (&rec);
  recorder_watch (&rec, holon);
  janus_holon_set_supervision (holon, JANUS_SUPERVISION_RESTART);
  janus_holon_set_restart_backoff (holon, 1000);
  janus_holon_set_max_restarts (holon, 3);
  flaky_reset (2);
  spawn_flaky (holon);
  step_until_idle (kernel, 10000);
  /* failed at 0, restarted after 1 ms, failed, restarted after 2 ms more */
  g_assert_cmpuint (flaky_times->len, ==, 3);
  g_assert_cmpint (g_array_index (flaky_times, gint64, 0), ==, 0);
  g_assert_cmpint (g_array_index (flaky_times, gint64, 1), ==, 1000);
  g_assert_cmpint (g_array_index (flaky_times, gint64, 2), ==, 3000);
  /* with its name and parameters */
  g_assert_cmpstr (flaky_parameters->pdata[2], ==, "('belt',)");
  assert_recorded (&rec, "+flaky h:flaky -flaky h:- f:flaky:restart +flaky h:flaky "
                         "-flaky h:- f:flaky:restart +flaky h:flaky");
  g_assert_cmpuint (janus_holon_get_n_members (holon), ==, 1);
  assert_group_follows (holon);
  janus_kernel_shutdown (kernel);
  recorder_clear (&rec);
}

/* Beyond max-restarts the failure escalates: the holon fails, and its own
 * super-holon supervises it. */
static void
test_supervise_escalate (void)
{
  g_autoptr(JanusKernel) kernel = virtual_kernel ();
  g_autoptr(JanusHolon) top = launch_holon (kernel, "top");
  g_autoptr(JanusHolon) mid = janus_holon_new ();
  g_autoptr(TestAgent) sibling = NULL;
  Recorder top_rec, mid_rec;

  recorder_init (&top_rec);
  recorder_init (&mid_rec);
  g_assert_true (janus_holon_spawn_member (top, JANUS_AGENT (mid), "mid", NULL, NULL));
  sibling = spawn_cell (mid, "sibling");
  recorder_watch (&top_rec, top);
  recorder_watch (&mid_rec, mid);
  janus_holon_set_supervision (mid, JANUS_SUPERVISION_RESTART);
  janus_holon_set_restart_backoff (mid, 500);
  janus_holon_set_max_restarts (mid, 1);
  flaky_reset (G_MAXINT);
  spawn_flaky (mid);
  step_until_idle (kernel, 10000);
  /* tried twice (one restart), then mid failed: its sibling ended first */
  g_assert_cmpuint (flaky_times->len, ==, 2);
  assert_recorded (&mid_rec, "+flaky -flaky f:flaky:restart +flaky -flaky f:flaky:escalate -sibling h:- end");
  assert_recorded (&top_rec, "-mid h:- f:mid:ignore end");
  g_assert_cmpint (janus_agent_get_state (JANUS_AGENT (mid)), ==, JANUS_AGENT_STATE_DIED);
  g_assert_false (janus_agent_is_alive (JANUS_AGENT (sibling)));
  g_assert_true (janus_agent_is_alive (JANUS_AGENT (top)));
  janus_kernel_shutdown (kernel);
  recorder_clear (&top_rec);
  recorder_clear (&mid_rec);
}

typedef struct
{
  guint                  calls;
  JanusSupervisionAction answer;
  guint                  restarts_seen;
  GQuark                 domain;
} Policy;

static JanusSupervisionAction
policy_func (JanusHolon   *holon,
             JanusAgent   *member,
             const GError *error,
             guint         restarts,
             gpointer      data)
{
  Policy *p = data;

  p->calls++;
  p->restarts_seen = restarts;
  p->domain = error->domain;
  return p->answer;
}

/* A live that fails (as a binding does after an exception) is a failure. */
static void
test_supervise_func (void)
{
  g_autoptr(JanusKernel) kernel = virtual_kernel ();
  g_autoptr(JanusHolon) holon = launch_holon (kernel, "h");
  g_autoptr(TestAgent) cell = test_agent_new (NULL, NULL);
  Policy policy = { 0, JANUS_SUPERVISION_IGNORE };
  Recorder rec;

  recorder_init (&rec);
  recorder_watch (&rec, holon);
  janus_holon_set_supervision (holon, JANUS_SUPERVISION_RESTART);   /* the function wins */
  janus_holon_set_supervision_func (holon, policy_func, &policy, NULL);
  cell->live = invalid_live;
  g_assert_true (janus_holon_spawn_member (holon, JANUS_AGENT (cell), "cell", NULL, NULL));
  step_until_idle (kernel, 10000);
  g_assert_cmpuint (policy.calls, ==, 1);
  g_assert_cmpuint (policy.restarts_seen, ==, 0);
  g_assert_true (policy.domain == JANUS_KERNEL_ERROR);
  assert_recorded (&rec, "+cell h:cell -cell h:- f:cell:ignore end");
  janus_kernel_shutdown (kernel);
  recorder_clear (&rec);
}

/* A subclass decides through the vfunc. */
#define TEST_TYPE_STRICT (test_strict_get_type ())
G_DECLARE_FINAL_TYPE (TestStrict, test_strict, TEST, STRICT, JanusHolon)
struct _TestStrict { JanusHolon parent_instance; guint seen; };
G_DEFINE_FINAL_TYPE (TestStrict, test_strict, JANUS_TYPE_HOLON)

static JanusSupervisionAction
test_strict_supervise (JanusHolon   *holon,
                       JanusAgent   *member,
                       const GError *error,
                       guint         restarts)
{
  TEST_STRICT (holon)->seen++;
  return JANUS_SUPERVISION_ESCALATE;
}

static void
test_strict_class_init (TestStrictClass *klass)
{
  JANUS_HOLON_CLASS (klass)->supervise = test_strict_supervise;
}

static void
test_strict_init (TestStrict *self)
{
}

static void
test_supervise_vfunc (void)
{
  g_autoptr(JanusKernel) kernel = virtual_kernel ();
  g_autoptr(JanusHolon) strict = g_object_new (TEST_TYPE_STRICT, NULL);
  FailRecord failed;

  memset (&failed, 0, sizeof failed);
  g_mutex_init (&failed.lock);
  g_signal_connect (kernel, "agent-failed", G_CALLBACK (on_agent_failed), &failed);
  janus_kernel_launch_light_agent (kernel, JANUS_AGENT (strict), "strict", NULL, NULL);
  flaky_reset (1);
  spawn_flaky (strict);
  step_until_idle (kernel, 10000);
  g_assert_cmpuint (TEST_STRICT (strict)->seen, ==, 1);
  /* the flaky agent's failure, then the holon's own */
  g_assert_cmpuint (failed.count, ==, 2);
  g_assert_true (failed.agent == JANUS_AGENT (strict));
  g_assert_true (g_str_has_prefix (failed.message, "member flaky of holon strict failed: no power"));
  g_assert_cmpint (janus_agent_get_state (JANUS_AGENT (strict)), ==, JANUS_AGENT_STATE_DIED);
  janus_kernel_shutdown (kernel);
  fail_record_clear (&failed);
}

/* A holon whose members are all restarting has not "ended" them. */
static void
test_termination (void)
{
  g_autoptr(JanusKernel) kernel = virtual_kernel ();
  g_autoptr(JanusHolon) holon = launch_holon (kernel, "h");
  g_autoptr(TestAgent) a = spawn_cell (holon, "a");
  g_autoptr(TestAgent) b = spawn_cell (holon, "b");
  guint ended = 0;
  Recorder rec;

  step_until_idle (kernel, 10000);
  recorder_init (&rec);
  recorder_watch (&rec, holon);
  g_signal_connect_swapped (holon, "members-ended", G_CALLBACK (g_atomic_int_inc), &ended);
  janus_kernel_kill (kernel, JANUS_AGENT (a), NULL);
  step_until_idle (kernel, 10000);
  g_assert_cmpuint (ended, ==, 0);
  janus_kernel_kill (kernel, JANUS_AGENT (b), NULL);
  step_until_idle (kernel, 10000);
  g_assert_cmpuint (ended, ==, 1);
  assert_recorded (&rec, "-a h:b -b h:- end");

  /* a restart pending: not ended until it is decided */
  janus_holon_set_supervision (holon, JANUS_SUPERVISION_RESTART);
  janus_holon_set_restart_backoff (holon, 1000);
  flaky_reset (1);
  spawn_flaky (holon);
  step_until_idle (kernel, 10000);
  g_assert_cmpuint (ended, ==, 1);
  g_assert_cmpuint (janus_holon_get_n_members (holon), ==, 1);
  janus_kernel_shutdown (kernel);
  recorder_clear (&rec);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/holon/lifecycle/kill-order", test_kill_order);
  g_test_add_func ("/holon/lifecycle/kill-order-workers", test_kill_order_workers);
  g_test_add_func ("/holon/lifecycle/kill-order-heavy", test_kill_order_heavy);
  g_test_add_func ("/holon/lifecycle/shutdown-order", test_shutdown_order);
  g_test_add_func ("/holon/lifecycle/member-ends", test_member_ends);
  g_test_add_func ("/holon/lifecycle/supervise-ignore", test_supervise_ignore);
  g_test_add_func ("/holon/lifecycle/supervise-restart", test_supervise_restart);
  g_test_add_func ("/holon/lifecycle/supervise-escalate", test_supervise_escalate);
  g_test_add_func ("/holon/lifecycle/supervise-func", test_supervise_func);
  g_test_add_func ("/holon/lifecycle/supervise-vfunc", test_supervise_vfunc);
  g_test_add_func ("/holon/lifecycle/termination", test_termination);

  int ret = g_test_run ();
  g_clear_pointer (&flaky_times, g_array_unref);
  g_clear_pointer (&flaky_parameters, g_ptr_array_unref);
  return ret;
}
