/* SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Holons attacked as a hostile user would:
 *
 *  - bad input: cycles (deep ones too), agents dead, unlaunched or of
 *    another kernel, a holon with itself or its own member, a move to the
 *    same holon, NULL and wrong-type arguments (criticals, in subprocesses);
 *  - spawns racing with changes made from another thread: a launch that
 *    fails while another thread decomposes or moves the member being
 *    spawned, a holon killed while members are being spawned into it;
 *  - release orders: the user's last reference on a super-holon dropped
 *    while its members run, the kernel dropped before the holons;
 *  - policies that change the holarchy themselves (re-entrancy), unref the
 *    holon, or answer garbage;
 *  - supervision: a restart storm up to max-restarts, escalation up three
 *    levels, a holon killed while a restart waits for its back-off;
 *  - capacities: decompose while a call is in flight, a caller that dies
 *    before the result;
 *  - scale: a holon of 10,000 members, add/remove churn on 2 workers, the
 *    invariants and the JSON dump checked afterwards.
 *
 * Deterministic where it can be: kernels without workers driven with
 * janus_kernel_step (), the virtual clock; the races run a bounded number
 * of rounds and wait on events with bounded time-outs.
 */
#include <pthread.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "holon-test.h"

/* ------------------------------------------------------------ helpers */

/* The bound of the waits on other threads: generous, for valgrind (which
 * runs one thread at a time) on a loaded machine; only reached when a test
 * fails. */
#define SLOW_DEADLINE_USEC (6 * DEADLINE_USEC)

/* An agent with an activation prototype "(s)": a launch with other
 * parameters is refused by the kernel. */
#define TEST_TYPE_PICKY (test_picky_get_type ())
G_DECLARE_FINAL_TYPE (TestPicky, test_picky, TEST, PICKY, JanusAgent)
struct _TestPicky { JanusAgent parent_instance; };
G_DEFINE_FINAL_TYPE (TestPicky, test_picky, JANUS_TYPE_AGENT)

static void
test_picky_class_init (TestPickyClass *klass)
{
  janus_agent_class_set_activation_prototype (JANUS_AGENT_CLASS (klass), "(s)");
}

static void
test_picky_init (TestPicky *self)
{
}

/* An agent whose activate always fails. */
#define TEST_TYPE_BROKEN (test_broken_get_type ())
G_DECLARE_FINAL_TYPE (TestBroken, test_broken, TEST, BROKEN, JanusAgent)
struct _TestBroken { JanusAgent parent_instance; };
G_DEFINE_FINAL_TYPE (TestBroken, test_broken, JANUS_TYPE_AGENT)

static gint broken_activations;          /* atomic */

static gboolean
test_broken_activate (JanusAgent  *agent,
                      GVariant    *parameters,
                      GError     **error)
{
  g_atomic_int_inc (&broken_activations);
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE, "broken on purpose");
  return FALSE;
}

static void
test_broken_class_init (TestBrokenClass *klass)
{
  JANUS_AGENT_CLASS (klass)->activate = test_broken_activate;
}

static void
test_broken_init (TestBroken *self)
{
}

static JanusKernel *
virtual_kernel (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  g_autoptr(JanusClock) clock = janus_clock_new_virtual (0, 0);

  janus_kernel_set_clock (kernel, clock);
  return kernel;
}

static TestAgent *
launch_cell (JanusKernel *kernel,
             const char  *name)
{
  TestAgent *cell = test_agent_new (NULL, NULL);

  launch_ok (kernel, cell, name, NULL);
  return cell;
}

/* The holarchy below @holon is sound: every member lists @holon among its
 * supers exactly once, members are distinct, heads are members, a holon
 * with members has a head (unless @headless_ok), the member count is the
 * list's length. Recurses into members that are holons. */
static void
assert_sound (JanusHolon *holon,
              gboolean    headless_ok)
{
  g_autoptr(GPtrArray) members = janus_holon_list_members (holon);
  g_autoptr(GPtrArray) heads = janus_holon_list_heads (holon);
  g_autoptr(GHashTable) seen = g_hash_table_new (NULL, NULL);
  guint i, j;

  g_assert_cmpuint (janus_holon_get_n_members (holon), ==, members->len);
  g_assert_cmpint (janus_holon_is_atomic (holon), ==, members->len == 0);
  for (i = 0; i < members->len; i++)
    {
      JanusAgent *m = members->pdata[i];
      g_autoptr(GPtrArray) supers = janus_holon_list_supers (m);
      guint found = 0;

      g_assert_true (g_hash_table_add (seen, m));
      for (j = 0; j < supers->len; j++)
        found += supers->pdata[j] == holon;
      g_assert_cmpuint (found, ==, 1);
      g_assert_cmpint (janus_holon_get_membership (holon, m), !=, JANUS_MEMBERSHIP_NONE);
      if (JANUS_IS_HOLON (m))
        assert_sound (JANUS_HOLON (m), headless_ok);
    }
  for (i = 0; i < heads->len; i++)
    g_assert_true (g_hash_table_contains (seen, heads->pdata[i]));
  if (members->len > 0 && !headless_ok)
    g_assert_cmpuint (heads->len, >, 0);
  if (members->len == 0)
    g_assert_null (janus_holon_get_group (holon));
}

/* ---------------------------------------------------------- bad input */

static void
expect_refusal (gboolean      ok,
                GError      **error,
                GQuark        domain,
                gint          code)
{
  g_assert_false (ok);
  g_assert_error (*error, domain, code);
  g_clear_error (error);
}

/* A ⊃ B ⊃ C: every way of closing the loop is refused, and changes
 * nothing. */
static void
test_cycles (void)
{
  g_autoptr(JanusKernel) kernel = janus_kernel_new (0);
  g_autoptr(JanusHolon) a = launch_holon (kernel, "a");
  g_autoptr(JanusHolon) b = janus_holon_new ();
  g_autoptr(JanusHolon) c = janus_holon_new ();
  g_autoptr(JanusHolon) d = launch_holon (kernel, "d");
  g_autoptr(TestAgent) leaf = NULL;
  g_autoptr(JanusHolon) fresh = launch_holon (kernel, "fresh");
  g_autoptr(GError) error = NULL;
  g_autofree char *dot_before = NULL, *dot_after = NULL;

  g_assert_true (janus_holon_spawn_member (a, JANUS_AGENT (b), "b", NULL, &error));
  g_assert_true (janus_holon_spawn_member (b, JANUS_AGENT (c), "c", NULL, &error));
  g_assert_no_error (error);
  leaf = spawn_cell (c, "leaf");
  step_until_idle (kernel, 10000);
  dot_before = janus_holarchy_to_json_data (kernel, NULL, JANUS_HOLARCHY_SHOW_ROLES);

  /* itself, its super, its super's super */
  expect_refusal (janus_holon_add_member (a, JANUS_AGENT (a), JANUS_MEMBERSHIP_PART, &error),
                  &error, JANUS_HOLON_ERROR, JANUS_HOLON_ERROR_CYCLE);
  janus_holon_set_shareable (JANUS_AGENT (a), TRUE);
  janus_holon_set_shareable (JANUS_AGENT (b), TRUE);
  expect_refusal (janus_holon_add_member (c, JANUS_AGENT (a), JANUS_MEMBERSHIP_MULTI_PART, &error),
                  &error, JANUS_HOLON_ERROR, JANUS_HOLON_ERROR_CYCLE);
  expect_refusal (janus_holon_add_member (c, JANUS_AGENT (b), JANUS_MEMBERSHIP_MULTI_PART, &error),
                  &error, JANUS_HOLON_ERROR, JANUS_HOLON_ERROR_CYCLE);
  expect_refusal (janus_holon_add_member (c, JANUS_AGENT (c), JANUS_MEMBERSHIP_PART, &error),
                  &error, JANUS_HOLON_ERROR, JANUS_HOLON_ERROR_CYCLE);
  /* moving a holon below itself */
  expect_refusal (janus_holon_move_member (a, JANUS_AGENT (b), c, &error),
                  &error, JANUS_HOLON_ERROR, JANUS_HOLON_ERROR_CYCLE);
  /* c takes a's members (b, above c) */
  expect_refusal (janus_holon_merge_into (c, a, &error),
                  &error, JANUS_HOLON_ERROR, JANUS_HOLON_ERROR_CYCLE);
  expect_refusal (janus_holon_merge_into (c, b, &error),
                  &error, JANUS_HOLON_ERROR, JANUS_HOLON_ERROR_CYCLE);
  /* merges with itself, with its member, with a super that is a member */
  expect_refusal (janus_holon_merge_into (a, a, &error),
                  &error, JANUS_HOLON_ERROR, JANUS_HOLON_ERROR_SAME_HOLON);
  expect_refusal (janus_holon_merge (a, a, fresh, &error),
                  &error, JANUS_HOLON_ERROR, JANUS_HOLON_ERROR_SAME_HOLON);
  expect_refusal (janus_holon_merge (a, b, fresh, &error),
                  &error, JANUS_HOLON_ERROR, JANUS_HOLON_ERROR_NOT_SIBLINGS);
  expect_refusal (janus_holon_merge (d, fresh, c, &error),
                  &error, JANUS_HOLON_ERROR, JANUS_HOLON_ERROR_NOT_ATOMIC);
  expect_refusal (janus_holon_merge (d, fresh, fresh, &error),
                  &error, JANUS_HOLON_ERROR, JANUS_HOLON_ERROR_SAME_HOLON);
  /* a move into the holon it is in */
  expect_refusal (janus_holon_move_member (b, JANUS_AGENT (c), b, &error),
                  &error, JANUS_HOLON_ERROR, JANUS_HOLON_ERROR_ALREADY_MEMBER);
  /* a head that is not a member */
  expect_refusal (janus_holon_set_head (a, JANUS_AGENT (c), &error),
                  &error, JANUS_HOLON_ERROR, JANUS_HOLON_ERROR_NOT_MEMBER);
  expect_refusal (janus_holon_remove_head (c, JANUS_AGENT (leaf), &error),
                  &error, JANUS_HOLON_ERROR, JANUS_HOLON_ERROR_NO_HEAD);

  step_until_idle (kernel, 10000);
  dot_after = janus_holarchy_to_json_data (kernel, NULL, JANUS_HOLARCHY_SHOW_ROLES);
  g_assert_cmpstr (dot_after, ==, dot_before);
  assert_sound (a, FALSE);
  assert_group_follows (a);
  assert_group_follows (b);
  assert_group_follows (c);
  g_assert_cmpuint (janus_holon_get_depth (JANUS_AGENT (leaf)), ==, 3);
  janus_kernel_shutdown (kernel);
}

/* Agents that cannot join: dead, ending, unlaunched, another kernel's. */
static void
test_bad_members (void)
{
  g_autoptr(JanusKernel) kernel = janus_kernel_new (0);
  g_autoptr(JanusKernel) other_kernel = janus_kernel_new (0);
  g_autoptr(JanusHolon) h = launch_holon (kernel, "h");
  g_autoptr(JanusHolon) unlaunched = janus_holon_new ();
  g_autoptr(JanusHolon) foreign = launch_holon (other_kernel, "foreign");
  g_autoptr(TestAgent) dead = launch_cell (kernel, "dead");
  g_autoptr(TestAgent) loose = test_agent_new (NULL, NULL);
  g_autoptr(TestAgent) alien = launch_cell (other_kernel, "alien");
  g_autoptr(TestAgent) member = spawn_cell (h, "member");
  g_autoptr(TestPicky) picky = g_object_new (TEST_TYPE_PICKY, NULL);
  g_autoptr(GError) error = NULL;

  step_until_idle (kernel, 10000);
  kill_and_wait (kernel, dead);

  expect_refusal (janus_holon_add_member (h, JANUS_AGENT (dead), JANUS_MEMBERSHIP_PART, &error),
                  &error, JANUS_KERNEL_ERROR, JANUS_KERNEL_ERROR_AGENT_DEAD);
  expect_refusal (janus_holon_add_member (h, JANUS_AGENT (loose), JANUS_MEMBERSHIP_PART, &error),
                  &error, JANUS_KERNEL_ERROR, JANUS_KERNEL_ERROR_NOT_LAUNCHED);
  expect_refusal (janus_holon_add_member (h, JANUS_AGENT (alien), JANUS_MEMBERSHIP_PART, &error),
                  &error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_WRONG_KERNEL);
  expect_refusal (janus_holon_add_member (foreign, JANUS_AGENT (member), JANUS_MEMBERSHIP_PART, &error),
                  &error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_WRONG_KERNEL);
  expect_refusal (janus_holon_move_member (h, JANUS_AGENT (member), foreign, &error),
                  &error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_WRONG_KERNEL);
  expect_refusal (janus_holon_merge_into (foreign, h, &error),
                  &error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_WRONG_KERNEL);
  /* an unlaunched holon takes no member, is given none by a move */
  expect_refusal (janus_holon_add_member (unlaunched, JANUS_AGENT (member), JANUS_MEMBERSHIP_PART, &error),
                  &error, JANUS_KERNEL_ERROR, JANUS_KERNEL_ERROR_NOT_LAUNCHED);
  expect_refusal (janus_holon_move_member (h, JANUS_AGENT (member), unlaunched, &error),
                  &error, JANUS_KERNEL_ERROR, JANUS_KERNEL_ERROR_NOT_LAUNCHED);
  expect_refusal (janus_holon_spawn_member (unlaunched, JANUS_AGENT (loose), "loose", NULL, &error),
                  &error, JANUS_KERNEL_ERROR, JANUS_KERNEL_ERROR_NOT_LAUNCHED);
  g_assert_cmpint (janus_agent_get_state (JANUS_AGENT (loose)), ==, JANUS_AGENT_STATE_UNBORN);
  /* a spawn the kernel refuses (parameters against the prototype) */
  expect_refusal (janus_holon_spawn_member (h, JANUS_AGENT (picky), "picky",
                                            g_variant_new ("(i)", 3), &error),
                  &error, JANUS_KERNEL_ERROR, JANUS_KERNEL_ERROR_INVALID_PARAMETERS);
  g_assert_cmpint (janus_agent_get_state (JANUS_AGENT (picky)), ==, JANUS_AGENT_STATE_UNBORN);
  /* ... and the agent can still be spawned right */
  g_assert_true (janus_holon_spawn_member (h, JANUS_AGENT (picky), "picky",
                                           g_variant_new ("(s)", "ok"), &error));
  g_assert_no_error (error);
  /* the dead member of a holon cannot be moved or made head */
  step_until_idle (kernel, 10000);
  kill_and_wait (kernel, member);
  expect_refusal (janus_holon_set_head (h, JANUS_AGENT (member), &error),
                  &error, JANUS_HOLON_ERROR, JANUS_HOLON_ERROR_NOT_MEMBER);
  expect_refusal (janus_holon_remove_member (h, JANUS_AGENT (member), &error),
                  &error, JANUS_HOLON_ERROR, JANUS_HOLON_ERROR_NOT_MEMBER);

  {
    g_autofree char *m = members_text (h);
    g_assert_cmpstr (m, ==, "picky");
  }
  step_until_idle (kernel, 10000);
  assert_group_follows (h);
  janus_kernel_shutdown (kernel);
  janus_kernel_shutdown (other_kernel);
}

/* A member that is ending is not moved into another holon: it would join
 * a holon as a dead agent does. */
static void
test_move_ending (void)
{
  g_autoptr(JanusKernel) kernel = janus_kernel_new (0);
  g_autoptr(JanusHolon) src = launch_holon (kernel, "src");
  g_autoptr(JanusHolon) dst = launch_holon (kernel, "dst");
  g_autoptr(JanusHolon) sub = janus_holon_new ();
  g_autoptr(TestAgent) inner = NULL;
  g_autoptr(GError) error = NULL;
  Recorder rec;

  g_assert_true (janus_holon_spawn_member (src, JANUS_AGENT (sub), "sub", NULL, &error));
  inner = spawn_cell (sub, "inner");
  step_until_idle (kernel, 10000);
  recorder_init (&rec);
  recorder_watch (&rec, dst);
  /* sub becomes DYING and waits for inner: it is ending, still a member */
  g_assert_true (janus_kernel_kill (kernel, JANUS_AGENT (sub), &error));
  while (janus_agent_get_state (JANUS_AGENT (sub)) < JANUS_AGENT_STATE_DYING)
    g_assert_true (janus_kernel_step (kernel));
  g_assert_cmpint (janus_agent_get_state (JANUS_AGENT (sub)), ==, JANUS_AGENT_STATE_DYING);
  g_assert_cmpint (janus_holon_get_membership (src, JANUS_AGENT (sub)), ==, JANUS_MEMBERSHIP_PART);
  expect_refusal (janus_holon_move_member (src, JANUS_AGENT (sub), dst, &error),
                  &error, JANUS_KERNEL_ERROR, JANUS_KERNEL_ERROR_AGENT_DEAD);
  g_assert_true (janus_holon_is_atomic (dst));
  /* and its members cannot be taken from it either: it ends them */
  expect_refusal (janus_holon_move_member (sub, JANUS_AGENT (inner), dst, &error),
                  &error, JANUS_HOLON_ERROR, JANUS_HOLON_ERROR_DYING);
  expect_refusal (janus_holon_merge_into (dst, sub, &error),
                  &error, JANUS_HOLON_ERROR, JANUS_HOLON_ERROR_DYING);
  assert_recorded (&rec, "");
  step_until_idle (kernel, 10000);
  g_assert_cmpint (janus_agent_get_state (JANUS_AGENT (sub)), ==, JANUS_AGENT_STATE_DIED);
  g_assert_cmpint (janus_agent_get_state (JANUS_AGENT (inner)), ==, JANUS_AGENT_STATE_DIED);
  g_assert_true (janus_holon_is_atomic (src));
  janus_kernel_shutdown (kernel);
  recorder_clear (&rec);
}

/* Holonic roles are the holon's to hand out: an outsider asking for one in
 * a holon's internal group, or a Part asking to be Head, is refused; in a
 * group of the holonic organization that no holon owns, they are
 * ordinary roles. */
typedef struct
{
  JanusGroup *group;
  GType       type;
  GError     *error;
  gboolean    got;
} Request;

static void
request_in_step (TestAgent *self,
                 gpointer   data)
{
  Request *r = data;

  r->got = janus_agent_request_role (JANUS_AGENT (self), r->type, r->group, NULL, &r->error) != NULL;
}

static void
test_holonic_roles_guarded (void)
{
  g_autoptr(JanusKernel) kernel = janus_kernel_new (0);
  g_autoptr(JanusHolon) h = launch_holon (kernel, "h");
  g_autoptr(TestAgent) head = spawn_cell (h, "head");
  g_autoptr(TestAgent) part = spawn_cell (h, "part");
  g_autoptr(TestAgent) outsider = launch_cell (kernel, "outsider");
  g_autoptr(JanusGroup) group = NULL;
  g_autoptr(JanusGroup) free_group = NULL;
  GType types[] = { JANUS_TYPE_HOLONIC_HEAD, JANUS_TYPE_HOLONIC_PART,
                    JANUS_TYPE_HOLONIC_MULTI_PART, JANUS_TYPE_HOLONIC_SUPER };
  guint i;

  step_until_idle (kernel, 10000);
  group = janus_holon_get_group (h);
  for (i = 0; i < G_N_ELEMENTS (types); i++)
    {
      Request r = { group, types[i], NULL, FALSE };

      agent_do (kernel, outsider, request_in_step, &r);
      g_assert_false (r.got);
      /* Super has one player: it is full before conditions are asked */
      if (types[i] == JANUS_TYPE_HOLONIC_SUPER && r.error->code != JANUS_ORGANIZATION_ERROR_CONDITION_FAILED)
        g_assert_error (r.error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_CARDINALITY_FULL);
      else
        g_assert_error (r.error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_CONDITION_FAILED);
      g_clear_error (&r.error);
    }
  {
    Request r = { group, JANUS_TYPE_HOLONIC_HEAD, NULL, FALSE };

    agent_do (kernel, part, request_in_step, &r);
    g_assert_false (r.got);
    g_assert_error (r.error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_CONDITION_FAILED);
    g_clear_error (&r.error);
  }
  step_until_idle (kernel, 10000);
  assert_group_follows (h);
  g_assert_cmpuint (janus_group_count_players (group, G_TYPE_INVALID), ==, 4);

  /* a group of the organization that no holon owns */
  free_group = new_group (kernel, JANUS_TYPE_HOLONIC_ORGANIZATION);
  {
    Request r = { free_group, JANUS_TYPE_HOLONIC_HEAD, NULL, FALSE };

    agent_do (kernel, outsider, request_in_step, &r);
    g_assert_no_error (r.error);
    g_assert_true (r.got);
  }
  janus_kernel_shutdown (kernel);
}

/* --------------------------------------------------------- criticals */

static void
critical_case (const char *name)
{
  g_autoptr(GObject) not_agent = g_object_new (G_TYPE_OBJECT, NULL);
  g_autoptr(JanusHolon) h = janus_holon_new ();
  g_autoptr(TestAgent) a = test_agent_new (NULL, NULL);

  if (g_str_equal (name, "add-null-holon"))
    janus_holon_add_member (NULL, JANUS_AGENT (a), JANUS_MEMBERSHIP_PART, NULL);
  else if (g_str_equal (name, "add-null-member"))
    janus_holon_add_member (h, NULL, JANUS_MEMBERSHIP_PART, NULL);
  else if (g_str_equal (name, "add-not-agent"))
    janus_holon_add_member (h, (JanusAgent *) not_agent, JANUS_MEMBERSHIP_PART, NULL);
  else if (g_str_equal (name, "add-agent-as-holon"))
    janus_holon_add_member ((JanusHolon *) a, JANUS_AGENT (h), JANUS_MEMBERSHIP_PART, NULL);
  else if (g_str_equal (name, "add-membership-none"))
    janus_holon_add_member (h, JANUS_AGENT (a), JANUS_MEMBERSHIP_NONE, NULL);
  else if (g_str_equal (name, "add-membership-garbage"))
    janus_holon_add_member (h, JANUS_AGENT (a), (JanusMembership) 42, NULL);
  else if (g_str_equal (name, "spawn-null"))
    janus_holon_spawn_member (h, NULL, "x", NULL, NULL);
  else if (g_str_equal (name, "remove-null"))
    janus_holon_remove_member (h, NULL, NULL);
  else if (g_str_equal (name, "move-null-destination"))
    janus_holon_move_member (h, JANUS_AGENT (a), NULL, NULL);
  else if (g_str_equal (name, "move-agent-as-destination"))
    janus_holon_move_member (h, JANUS_AGENT (a), (JanusHolon *) a, NULL);
  else if (g_str_equal (name, "merge-null"))
    janus_holon_merge (h, NULL, h, NULL);
  else if (g_str_equal (name, "merge-into-not-holon"))
    janus_holon_merge_into (h, (JanusHolon *) not_agent, NULL);
  else if (g_str_equal (name, "decompose-null"))
    janus_holon_decompose (NULL, NULL);
  else if (g_str_equal (name, "set-head-null"))
    janus_holon_set_head (h, NULL, NULL);
  else if (g_str_equal (name, "list-members-null"))
    janus_holon_list_members (NULL);
  else if (g_str_equal (name, "list-supers-not-agent"))
    janus_holon_list_supers ((JanusAgent *) not_agent);
  else if (g_str_equal (name, "invoke-not-interface"))
    janus_holon_invoke_capacity_async (h, G_TYPE_OBJECT, NULL, NULL, NULL, NULL);
  else if (g_str_equal (name, "shareable-null"))
    janus_holon_set_shareable (NULL, TRUE);
  else if (g_str_equal (name, "error-set"))
    {
      GError *error = g_error_new_literal (TEST_ERROR, 1, "already");
      janus_holon_decompose (h, &error);
    }
  else
    g_assert_not_reached ();
}

static const char *const criticals[] = {
  "add-null-holon", "add-null-member", "add-not-agent", "add-agent-as-holon",
  "add-membership-none", "add-membership-garbage", "spawn-null", "remove-null",
  "move-null-destination", "move-agent-as-destination", "merge-null",
  "merge-into-not-holon", "decompose-null", "set-head-null", "list-members-null",
  "list-supers-not-agent", "invoke-not-interface", "shareable-null", "error-set",
};

/* ------------------------------------------------------------- races */

typedef struct
{
  JanusHolon   *holon;
  JanusHolon   *other;
  atomic_bool   stop;
  guint         rounds;
  guint         spawned;        /* spawns that succeeded */
  guint         refused;
} Race;

/* A foreign thread spawns pickies with wrong parameters (the kernel
 * refuses each after the holon linked it) while the main thread
 * decomposes the holon and moves its members. */
static gpointer
bad_spawner (gpointer data)
{
  Race *race = data;
  guint i;

  for (i = 0; i < race->rounds; i++)
    {
      g_autoptr(TestPicky) picky = g_object_new (TEST_TYPE_PICKY, NULL);
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) supers = NULL;

      if (janus_holon_spawn_member (race->holon, JANUS_AGENT (picky), NULL,
                                    g_variant_new ("(i)", (int) i), &error))
        g_error ("a spawn with wrong parameters succeeded");
      g_assert_error (error, JANUS_KERNEL_ERROR, JANUS_KERNEL_ERROR_INVALID_PARAMETERS);
      /* refused: the agent is nowhere */
      supers = janus_holon_list_supers (JANUS_AGENT (picky));
      g_assert_cmpuint (supers->len, ==, 0);
      g_assert_cmpint (janus_agent_get_state (JANUS_AGENT (picky)), ==, JANUS_AGENT_STATE_UNBORN);
    }
  atomic_store (&race->stop, TRUE);
  return NULL;
}

static void
test_spawn_refused_race (void)
{
  g_autoptr(JanusKernel) kernel = janus_kernel_new (0);
  g_autoptr(JanusHolon) h = launch_holon (kernel, "h");
  g_autoptr(JanusHolon) d = launch_holon (kernel, "d");
  Race race = { h, d, FALSE, test_small () ? 300 : 20000, 0, 0 };
  GThread *thread;
  guint n = 0;

  thread = g_thread_new ("bad-spawner", bad_spawner, &race);
  while (!atomic_load (&race.stop))
    {
      g_autoptr(GPtrArray) members = janus_holon_list_members (h);

      if (members->len > 0 && n++ % 2 == 0)
        janus_holon_move_member (h, members->pdata[0], d, NULL);
      else
        janus_holon_decompose (h, NULL);
      janus_holon_decompose (d, NULL);
    }
  g_thread_join (thread);
  janus_holon_decompose (h, NULL);
  janus_holon_decompose (d, NULL);
  step_until_idle (kernel, 100000);
  g_assert_true (janus_holon_is_atomic (h));
  g_assert_true (janus_holon_is_atomic (d));
  assert_group_follows (h);
  assert_group_follows (d);
  janus_kernel_shutdown (kernel);
}

/* A foreign thread spawns members into holons that the main thread kills
 * and steps: whatever the interleaving, each holon ends, and each member
 * either was refused or ended before it. */
/* A one-slot channel on pthread primitives, which ThreadSanitizer sees
 * (GLib's futex-based GMutex it does not): what is handed over through it
 * is ordered for TSan too. */
typedef struct
{
  pthread_mutex_t lock;
  pthread_cond_t  cond;
  gpointer        item;
  gboolean        full;
} Slot;

static void
slot_init (Slot *slot)
{
  pthread_mutex_init (&slot->lock, NULL);
  pthread_cond_init (&slot->cond, NULL);
  slot->full = FALSE;
}

static void
slot_clear (Slot *slot)
{
  pthread_mutex_destroy (&slot->lock);
  pthread_cond_destroy (&slot->cond);
}

static void
slot_put (Slot     *slot,
          gpointer  item)
{
  pthread_mutex_lock (&slot->lock);
  while (slot->full)
    pthread_cond_wait (&slot->cond, &slot->lock);
  slot->item = item;
  slot->full = TRUE;
  pthread_cond_broadcast (&slot->cond);
  pthread_mutex_unlock (&slot->lock);
}

static gboolean
slot_try_take (Slot      *slot,
               gpointer  *item)
{
  gboolean taken;

  pthread_mutex_lock (&slot->lock);
  taken = slot->full;
  if (taken)
    {
      *item = slot->item;
      slot->full = FALSE;
      pthread_cond_broadcast (&slot->cond);
    }
  pthread_mutex_unlock (&slot->lock);
  return taken;
}

static gpointer
slot_take (Slot *slot)
{
  gpointer item;

  pthread_mutex_lock (&slot->lock);
  while (!slot->full)
    pthread_cond_wait (&slot->cond, &slot->lock);
  item = slot->item;
  slot->full = FALSE;
  pthread_cond_broadcast (&slot->cond);
  pthread_mutex_unlock (&slot->lock);
  return item;
}

typedef struct
{
  JanusKernel  *kernel;
  Slot          holons;         /* JanusHolon to spawn into; 1 ends */
  Slot          done;           /* a token per holon filled */
  guint         per_holon;
  atomic_int    spawned;
  atomic_int    refused;
} Filler;

static gpointer
filler_thread (gpointer data)
{
  Filler *f = data;
  JanusHolon *h;

  while ((h = slot_take (&f->holons)) != GINT_TO_POINTER (1))
    {
      guint i;
      gboolean refused = FALSE;

      /* until the holon refuses (it is ending), at most per_holon */
      for (i = 0; i < f->per_holon && !refused; i++)
        {
          g_autoptr(TestAgent) cell = test_agent_new (NULL, NULL);
          g_autoptr(GError) error = NULL;

          if (janus_holon_spawn_member (h, JANUS_AGENT (cell), NULL, NULL, &error))
            atomic_fetch_add (&f->spawned, 1);
          else
            {
              if (!g_error_matches (error, JANUS_HOLON_ERROR, JANUS_HOLON_ERROR_DYING)
                  && !g_error_matches (error, JANUS_KERNEL_ERROR, JANUS_KERNEL_ERROR_AGENT_DEAD))
                g_error ("unexpected refusal: %s", error->message);
              atomic_fetch_add (&f->refused, 1);
              refused = TRUE;
              g_assert_cmpint (janus_agent_get_state (JANUS_AGENT (cell)), ==, JANUS_AGENT_STATE_UNBORN);
            }
        }
      g_object_unref (h);
      slot_put (&f->done, GINT_TO_POINTER (1));
    }
  return NULL;
}

static void
test_kill_while_spawning (void)
{
  g_autoptr(JanusKernel) kernel = janus_kernel_new (0);
  Filler f = { .kernel = kernel, .per_holon = test_small () ? 50 : 100000 };
  guint rounds = test_small () ? 20 : 400, r;
  GThread *thread;

  slot_init (&f.holons);
  slot_init (&f.done);
  thread = g_thread_new ("filler", filler_thread, &f);

  for (r = 0; r < rounds; r++)
    {
      g_autoptr(JanusHolon) h = launch_holon (kernel, NULL);
      g_autoptr(GError) error = NULL;
      gint64 deadline = g_get_monotonic_time () + SLOW_DEADLINE_USEC;
      gpointer token;

      slot_put (&f.holons, g_object_ref (h));
      /* kill it while the filler spawns into it */
      janus_kernel_step (kernel);
      g_assert_true (janus_kernel_kill (kernel, JANUS_AGENT (h), &error));
      g_assert_no_error (error);
      while (janus_agent_get_state (JANUS_AGENT (h)) != JANUS_AGENT_STATE_DIED
             || !slot_try_take (&f.done, &token))
        {
          /* idle: let the filler run (valgrind runs one thread at a time) */
          if (!janus_kernel_step (kernel))
            g_thread_yield ();
          if (g_get_monotonic_time () > deadline)
            g_error ("round %u: holon in state %d with %u members", r,
                     janus_agent_get_state (JANUS_AGENT (h)), janus_holon_get_n_members (h));
        }
      /* spawns that came after its death were refused; before, ended */
      step_until_idle (kernel, 100000);
      g_assert_true (janus_holon_is_atomic (h));
      g_assert_cmpint (janus_agent_get_state (JANUS_AGENT (h)), ==, JANUS_AGENT_STATE_DIED);
    }
  slot_put (&f.holons, GINT_TO_POINTER (1));
  g_thread_join (thread);
  g_assert_cmpint (atomic_load (&f.spawned) + atomic_load (&f.refused), >=, (int) rounds);
  {
    g_autoptr(GPtrArray) agents = janus_kernel_list_agents (kernel);
    g_assert_cmpuint (agents->len, ==, 0);
  }
  slot_clear (&f.holons);
  slot_clear (&f.done);
  janus_kernel_shutdown (kernel);
}

/* ---------------------------------------------------------- policies */

typedef struct
{
  guint       calls;
  int         mode;
  JanusAgent *victim;           /* what the policy removed */
} HeadPolicy;

enum { POLICY_SETS_HEAD, POLICY_REMOVES_CHOICE, POLICY_GARBAGE, POLICY_DECOMPOSES,
       POLICY_KILLS_HOLON, POLICY_NONE };

static guint
hostile_head_policy (JanusHolon *holon,
                     GPtrArray  *candidates,
                     gpointer    data)
{
  HeadPolicy *p = data;

  p->calls++;
  switch (p->mode)
    {
    case POLICY_SETS_HEAD:
      /* re-entrant: it makes the last candidate head itself, answers the
       * first */
      g_assert_true (janus_holon_set_head (holon, candidates->pdata[candidates->len - 1], NULL));
      return 0;
    case POLICY_REMOVES_CHOICE:
      /* it answers a member it just removed (once): stale */
      if (p->calls == 1)
        {
          p->victim = g_object_ref (candidates->pdata[0]);
          g_assert_true (janus_holon_remove_member (holon, p->victim, NULL));
        }
      return 0;
    case POLICY_GARBAGE:
      return candidates->len + 7;
    case POLICY_DECOMPOSES:
      g_assert_true (janus_holon_decompose (holon, NULL));
      return 0;
    case POLICY_KILLS_HOLON:
      janus_agent_kill_me (JANUS_AGENT (holon));
      return 0;
    case POLICY_NONE:
    default:
      return G_MAXUINT;
    }
}

static JanusHolon *
holon_with_policy (JanusKernel *kernel,
                   HeadPolicy  *policy,
                   int          mode,
                   TestAgent  **a,
                   TestAgent  **b)
{
  JanusHolon *h = launch_holon (kernel, "h");

  policy->mode = mode;
  janus_holon_set_head_func (h, hostile_head_policy, policy, NULL);
  *a = spawn_cell (h, "a");
  *b = spawn_cell (h, "b");
  return h;
}

/* The policy sets the head itself: that head stays, the answer is moot. */
static void
test_head_policy_sets_head (void)
{
  g_autoptr(JanusKernel) kernel = janus_kernel_new (0);
  HeadPolicy p = { 0 };
  g_autoptr(TestAgent) a = NULL, b = NULL;
  g_autoptr(JanusHolon) h = holon_with_policy (kernel, &p, POLICY_SETS_HEAD, &a, &b);
  g_autoptr(GPtrArray) heads = NULL;

  step_until_idle (kernel, 10000);
  heads = janus_holon_list_heads (h);
  g_assert_cmpuint (heads->len, ==, 1);
  g_assert_true (heads->pdata[0] == (gpointer) b);
  g_assert_cmpuint (p.calls, ==, 1);
  assert_group_follows (h);
  assert_sound (h, FALSE);
  janus_kernel_shutdown (kernel);
}

/* The policy answers a member that left meanwhile: the holon chooses
 * again, it does not stay headless with members. */
static void
test_head_policy_stale_choice (void)
{
  g_autoptr(JanusKernel) kernel = janus_kernel_new (0);
  HeadPolicy p = { 0 };
  g_autoptr(TestAgent) a = NULL, b = NULL;
  g_autoptr(JanusHolon) h = holon_with_policy (kernel, &p, POLICY_REMOVES_CHOICE, &a, &b);
  g_autoptr(GPtrArray) heads = NULL;

  step_until_idle (kernel, 10000);
  g_assert_true (p.victim == (gpointer) a);
  g_assert_cmpuint (janus_holon_get_n_members (h), ==, 1);
  heads = janus_holon_list_heads (h);
  g_assert_cmpuint (heads->len, ==, 1);
  g_assert_true (heads->pdata[0] == (gpointer) b);
  g_assert_cmpuint (p.calls, ==, 2);
  assert_group_follows (h);
  g_clear_object (&p.victim);
  janus_kernel_shutdown (kernel);
}

/* An index out of range: a warning, and the first member is head (as a
 * provider function's garbage gives the first candidate). */
static void
test_head_policy_garbage (void)
{
  g_autoptr(JanusKernel) kernel = janus_kernel_new (0);
  HeadPolicy p = { 0 };
  g_autoptr(TestAgent) a = NULL, b = NULL;
  g_autoptr(JanusHolon) h = NULL;
  g_autoptr(GPtrArray) heads = NULL;

  g_test_expect_message ("Janus", G_LOG_LEVEL_WARNING, "*head policy*chose 9 of 2 members*");
  h = holon_with_policy (kernel, &p, POLICY_GARBAGE, &a, &b);
  step_until_idle (kernel, 10000);
  g_test_assert_expected_messages ();
  heads = janus_holon_list_heads (h);
  g_assert_cmpuint (heads->len, ==, 1);
  g_assert_true (heads->pdata[0] == (gpointer) a);
  assert_group_follows (h);
  janus_kernel_shutdown (kernel);
}

/* G_MAXUINT: the holon stays without a head, and keeps what is sent. */
static void
test_head_policy_none (void)
{
  g_autoptr(JanusKernel) kernel = janus_kernel_new (0);
  HeadPolicy p = { 0 };
  g_autoptr(TestAgent) a = NULL, b = NULL;
  g_autoptr(JanusHolon) h = holon_with_policy (kernel, &p, POLICY_NONE, &a, &b);
  g_autoptr(GPtrArray) heads = NULL;
  JanusMessage *m;

  step_until_idle (kernel, 10000);
  heads = janus_holon_list_heads (h);
  g_assert_cmpuint (heads->len, ==, 0);
  assert_sound (h, TRUE);
  kernel_send_ok (kernel, ADDR (h), janus_message_new ("kept", NULL));
  step_until_idle (kernel, 10000);
  m = janus_agent_get_message (JANUS_AGENT (h));
  g_assert_nonnull (m);
  g_assert_cmpstr (janus_message_get_subject (m), ==, "kept");
  janus_message_unref (m);
  janus_kernel_shutdown (kernel);
}

/* The policy decomposes its holon, or kills it. */
static void
test_head_policy_destroys (void)
{
  g_autoptr(JanusKernel) kernel = janus_kernel_new (0);
  HeadPolicy p = { 0 }, q = { 0 };
  g_autoptr(TestAgent) a = NULL, b = NULL, c = NULL, d = NULL;
  g_autoptr(JanusHolon) h = holon_with_policy (kernel, &p, POLICY_DECOMPOSES, &a, &b);
  g_autoptr(JanusHolon) k = holon_with_policy (kernel, &q, POLICY_KILLS_HOLON, &c, &d);

  step_until_idle (kernel, 10000);
  g_assert_true (janus_holon_is_atomic (h));
  g_assert_true (janus_agent_is_alive (JANUS_AGENT (a)));
  g_assert_true (janus_agent_is_alive (JANUS_AGENT (b)));
  assert_group_follows (h);
  g_assert_cmpint (janus_agent_get_state (JANUS_AGENT (k)), ==, JANUS_AGENT_STATE_DIED);
  g_assert_cmpint (janus_agent_get_state (JANUS_AGENT (c)), ==, JANUS_AGENT_STATE_DIED);
  g_assert_cmpint (janus_agent_get_state (JANUS_AGENT (d)), ==, JANUS_AGENT_STATE_DIED);
  g_assert_true (janus_holon_is_atomic (k));
  janus_kernel_shutdown (kernel);
}

/* The head policy replaces itself while it runs: the old data is freed
 * once, the new policy chooses next time. */
typedef struct
{
  guint calls;
  guint destroyed;
} SelfReplacing;

static void
count_destroyed (gpointer data)
{
  ((SelfReplacing *) data)->destroyed++;
}

static guint
choose_last_policy (JanusHolon *holon,
                    GPtrArray  *candidates,
                    gpointer    data)
{
  ((SelfReplacing *) data)->calls++;
  return candidates->len - 1;
}

static guint
replacing_policy (JanusHolon *holon,
                  GPtrArray  *candidates,
                  gpointer    data)
{
  SelfReplacing *s = data;

  s->calls++;
  janus_holon_set_head_func (holon, choose_last_policy, s, NULL);
  return 0;
}

static void
test_head_policy_replaces_itself (void)
{
  g_autoptr(JanusKernel) kernel = janus_kernel_new (0);
  g_autoptr(JanusHolon) h = launch_holon (kernel, "h");
  g_autoptr(TestAgent) a = NULL, b = NULL, c = NULL;
  SelfReplacing s = { 0 };
  g_autoptr(GPtrArray) heads = NULL;

  janus_holon_set_head_func (h, replacing_policy, &s, count_destroyed);
  a = spawn_cell (h, "a");
  b = spawn_cell (h, "b");
  c = spawn_cell (h, "c");
  step_until_idle (kernel, 10000);
  g_assert_cmpuint (s.calls, ==, 1);
  g_assert_cmpuint (s.destroyed, ==, 1);
  g_assert_true (janus_holon_is_head (h, JANUS_AGENT (a)));
  g_assert_true (janus_holon_remove_member (h, JANUS_AGENT (a), NULL));
  step_until_idle (kernel, 10000);
  g_assert_cmpuint (s.calls, ==, 2);
  heads = janus_holon_list_heads (h);
  g_assert_cmpuint (heads->len, ==, 1);
  g_assert_true (heads->pdata[0] == (gpointer) c);
  janus_kernel_shutdown (kernel);
}

/* The head policy is replaced from another thread while it runs, on 2
 * workers: its data is not freed under it, but once it returned. */
typedef struct
{
  GMutex   lock;
  GCond    cond;
  gboolean running;
  gboolean entered;
  gboolean replaced;
  gboolean freed_while_running;
  guint    destroyed;
} Blocking;

static void
blocking_destroy (gpointer data)
{
  Blocking *b = data;

  g_mutex_lock (&b->lock);
  if (b->running)
    b->freed_while_running = TRUE;
  b->destroyed++;
  g_cond_broadcast (&b->cond);
  g_mutex_unlock (&b->lock);
}

static guint
blocking_policy (JanusHolon *holon,
                 GPtrArray  *candidates,
                 gpointer    data)
{
  Blocking *b = data;
  gint64 deadline = g_get_monotonic_time () + SLOW_DEADLINE_USEC;

  g_mutex_lock (&b->lock);
  b->running = TRUE;
  b->entered = TRUE;
  g_cond_broadcast (&b->cond);
  while (!b->replaced)
    if (!g_cond_wait_until (&b->cond, &b->lock, deadline))
      g_error ("the policy was not replaced");
  b->running = FALSE;
  g_mutex_unlock (&b->lock);
  return candidates->len - 1;
}

static guint
first_policy (JanusHolon *holon,
              GPtrArray  *candidates,
              gpointer    data)
{
  return 0;
}

static void
test_head_policy_replaced_while_running (void)
{
  JanusKernel *kernel = janus_kernel_new (2);
  JanusHolon *h = launch_holon (kernel, "h");
  Blocking b = { 0 };
  g_autoptr(TestAgent) x = NULL, y = NULL;
  gint64 deadline = g_get_monotonic_time () + SLOW_DEADLINE_USEC;

  g_mutex_init (&b.lock);
  g_cond_init (&b.cond);
  janus_holon_set_head_func (h, blocking_policy, &b, blocking_destroy);
  x = test_agent_new (NULL, NULL);
  y = test_agent_new (NULL, NULL);
  g_assert_true (janus_holon_spawn_member (h, JANUS_AGENT (x), "x", NULL, NULL));
  g_assert_true (janus_holon_spawn_member (h, JANUS_AGENT (y), "y", NULL, NULL));
  g_mutex_lock (&b.lock);
  while (!b.entered)
    if (!g_cond_wait_until (&b.cond, &b.lock, deadline))
      g_error ("the policy did not run");
  g_mutex_unlock (&b.lock);
  /* replaced (its data released) while it runs on a worker */
  janus_holon_set_head_func (h, first_policy, NULL, NULL);
  g_mutex_lock (&b.lock);
  b.replaced = TRUE;
  g_cond_broadcast (&b.cond);
  while (b.destroyed == 0)
    if (!g_cond_wait_until (&b.cond, &b.lock, deadline))
      g_error ("the old policy's data was never released");
  g_assert_false (b.freed_while_running);
  g_assert_cmpuint (b.destroyed, ==, 1);
  g_mutex_unlock (&b.lock);
  janus_kernel_shutdown (kernel);
  g_assert_true (janus_holon_is_atomic (h));
  g_assert_cmpuint (b.destroyed, ==, 1);
  g_assert_finalize_object (kernel);
  g_object_unref (h);
  g_mutex_clear (&b.lock);
  g_cond_clear (&b.cond);
}

/* ------------------------------------------------------- supervision */

typedef struct
{
  guint                  calls;
  int                    mode;
  JanusSupervisionAction answer;
  GError                *readd;   /* what adding the dead member back said */
} Supervisor;

enum { SUP_ANSWER, SUP_DECOMPOSE, SUP_KILL_HOLON, SUP_READD, SUP_GARBAGE };

static JanusSupervisionAction
hostile_supervisor (JanusHolon   *holon,
                    JanusAgent   *member,
                    const GError *error,
                    guint         restarts,
                    gpointer      data)
{
  Supervisor *s = data;

  s->calls++;
  g_assert_true (error != NULL);
  switch (s->mode)
    {
    case SUP_DECOMPOSE:
      janus_holon_decompose (holon, NULL);
      break;
    case SUP_KILL_HOLON:
      janus_agent_kill_me (JANUS_AGENT (holon));
      break;
    case SUP_READD:
      g_assert_false (janus_holon_add_member (holon, member, JANUS_MEMBERSHIP_PART, &s->readd));
      break;
    case SUP_GARBAGE:
      return (JanusSupervisionAction) 42;
    default:
      break;
    }
  return s->answer;
}

/* A member that always fails, restarted up to max-restarts with doubling
 * back-offs on the virtual clock; then the holon escalates: with
 * ESCALATE at each level, the failure climbs three levels up to a top
 * holon that ignores it. */
static void
test_restart_storm_escalation (void)
{
  g_autoptr(JanusKernel) kernel = virtual_kernel ();
  g_autoptr(JanusHolon) top = launch_holon (kernel, "top");
  g_autoptr(JanusHolon) l1 = janus_holon_new (), l2 = janus_holon_new (), l3 = janus_holon_new ();
  g_autoptr(JanusAgent) broken = g_object_new (TEST_TYPE_BROKEN, NULL);
  g_autoptr(TestAgent) bystander = NULL;
  Recorder rtop, r1, r2, r3;
  FailRecord failed = { 0 };
  gint64 start;

  g_assert_true (janus_holon_spawn_member (top, JANUS_AGENT (l1), "l1", NULL, NULL));
  g_assert_true (janus_holon_spawn_member (l1, JANUS_AGENT (l2), "l2", NULL, NULL));
  g_assert_true (janus_holon_spawn_member (l2, JANUS_AGENT (l3), "l3", NULL, NULL));
  bystander = spawn_cell (l1, "bystander");
  step_until_idle (kernel, 10000);
  recorder_init (&rtop); recorder_init (&r1); recorder_init (&r2); recorder_init (&r3);
  recorder_watch (&rtop, top);
  recorder_watch (&r1, l1);
  recorder_watch (&r2, l2);
  recorder_watch (&r3, l3);
  g_signal_connect (kernel, "agent-failed", G_CALLBACK (on_agent_failed), &failed);
  janus_holon_set_supervision (l3, JANUS_SUPERVISION_RESTART);
  janus_holon_set_max_restarts (l3, 3);
  janus_holon_set_restart_backoff (l3, 1000);
  janus_holon_set_supervision (l2, JANUS_SUPERVISION_ESCALATE);
  janus_holon_set_supervision (l1, JANUS_SUPERVISION_ESCALATE);
  janus_holon_set_supervision (top, JANUS_SUPERVISION_IGNORE);
  g_atomic_int_set (&broken_activations, 0);
  start = janus_kernel_get_time (kernel);
  g_assert_true (janus_holon_spawn_member (l3, broken, "broken", g_variant_new ("(s)", "x"), NULL));
  step_until_idle (kernel, 100000);

  /* 1 + 3 restarts, after 1000, 2000 and 4000 µs */
  g_assert_cmpint (g_atomic_int_get (&broken_activations), ==, 4);
  g_assert_cmpint (janus_kernel_get_time (kernel) - start, ==, 7000);
  assert_recorded (&r3, "+broken h:broken -broken h:- f:broken:restart +broken h:broken -broken h:- "
                        "f:broken:restart +broken h:broken -broken h:- f:broken:restart "
                        "+broken h:broken -broken h:- f:broken:escalate end");
  assert_recorded (&r2, "-l3 h:- f:l3:escalate end");
  assert_recorded (&r1, "-l2 h:bystander f:l2:escalate -bystander h:- end");
  assert_recorded (&rtop, "-l1 h:- f:l1:ignore end");
  /* four activations and three holons failed */
  g_assert_cmpuint (failed.count, ==, 7);
  g_assert_cmpint (janus_agent_get_state (JANUS_AGENT (l1)), ==, JANUS_AGENT_STATE_DIED);
  g_assert_cmpint (janus_agent_get_state (JANUS_AGENT (l2)), ==, JANUS_AGENT_STATE_DIED);
  g_assert_cmpint (janus_agent_get_state (JANUS_AGENT (l3)), ==, JANUS_AGENT_STATE_DIED);
  g_assert_cmpint (janus_agent_get_state (JANUS_AGENT (bystander)), ==, JANUS_AGENT_STATE_DIED);
  g_assert_true (janus_agent_is_alive (JANUS_AGENT (top)));
  g_assert_true (janus_holon_is_atomic (top));
  janus_kernel_shutdown (kernel);
  g_signal_handlers_disconnect_by_data (kernel, &failed);
  fail_record_clear (&failed);
  recorder_clear (&rtop); recorder_clear (&r1); recorder_clear (&r2); recorder_clear (&r3);
}

/* The holon is killed while a restart waits for its back-off: no restart,
 * no warning, the holon ends after its other member. */
static void
test_kill_during_backoff (void)
{
  g_autoptr(JanusKernel) kernel = virtual_kernel ();
  g_autoptr(JanusHolon) h = launch_holon (kernel, "h");
  g_autoptr(JanusAgent) broken = g_object_new (TEST_TYPE_BROKEN, NULL);
  g_autoptr(TestAgent) other = spawn_cell (h, "other");
  JanusClock *clock;
  Recorder rec;

  janus_holon_set_supervision (h, JANUS_SUPERVISION_RESTART);
  janus_holon_set_restart_backoff (h, G_USEC_PER_SEC);
  g_atomic_int_set (&broken_activations, 0);
  g_assert_true (janus_holon_spawn_member (h, broken, "broken", NULL, NULL));
  recorder_init (&rec);
  recorder_watch (&rec, h);
  /* fails, is supervised; the restart waits for its back-off (the
   * virtual clock jumps to it only once the kernel is idle) */
  for (;;)
    {
      g_autofree char *log = NULL;

      g_mutex_lock (&rec.lock);
      log = g_strdup (rec.log->str);
      g_mutex_unlock (&rec.lock);
      if (strstr (log, "f:broken") != NULL)
        break;
      g_assert_true (janus_kernel_step (kernel));
    }
  assert_recorded (&rec, "-broken f:broken:restart");
  g_assert_cmpint (janus_kernel_get_time (kernel), ==, 0);
  g_assert_true (janus_kernel_kill (kernel, JANUS_AGENT (h), NULL));
  step_until_idle (kernel, 10000);
  clock = janus_kernel_get_clock (kernel);
  janus_clock_advance (clock, 10 * G_USEC_PER_SEC, NULL);
  step_until_idle (kernel, 10000);
  g_assert_cmpint (g_atomic_int_get (&broken_activations), ==, 1);
  g_assert_cmpint (janus_agent_get_state (JANUS_AGENT (h)), ==, JANUS_AGENT_STATE_DIED);
  g_assert_cmpint (janus_agent_get_state (JANUS_AGENT (other)), ==, JANUS_AGENT_STATE_DIED);
  assert_recorded (&rec, "-other h:-");
  janus_kernel_shutdown (kernel);
  recorder_clear (&rec);
}

/* Supervision functions that change the holarchy, kill the holon, or
 * answer garbage. */
static void
test_supervisor_reentrant (void)
{
  g_autoptr(JanusKernel) kernel = virtual_kernel ();
  g_autoptr(JanusHolon) dec = launch_holon (kernel, "dec");
  g_autoptr(JanusHolon) killer = launch_holon (kernel, "killer");
  g_autoptr(JanusHolon) readd = launch_holon (kernel, "readd");
  g_autoptr(JanusHolon) garbage = launch_holon (kernel, "garbage");
  g_autoptr(JanusHolon) top = launch_holon (kernel, "top");
  g_autoptr(TestAgent) d1 = spawn_cell (dec, "d1");
  g_autoptr(TestAgent) k1 = spawn_cell (killer, "k1");
  Supervisor sdec = { 0, SUP_DECOMPOSE, JANUS_SUPERVISION_RESTART, NULL };
  Supervisor skill = { 0, SUP_KILL_HOLON, JANUS_SUPERVISION_RESTART, NULL };
  Supervisor sreadd = { 0, SUP_READD, JANUS_SUPERVISION_IGNORE, NULL };
  Supervisor sgarbage = { 0, SUP_GARBAGE, JANUS_SUPERVISION_IGNORE, NULL };
  JanusHolon *holons[] = { dec, killer, readd, garbage };
  Supervisor *sups[] = { &sdec, &skill, &sreadd, &sgarbage };
  guint i;

  janus_holon_set_restart_backoff (dec, 10);
  g_assert_true (janus_holon_add_member (top, JANUS_AGENT (garbage), JANUS_MEMBERSHIP_PART, NULL));
  for (i = 0; i < G_N_ELEMENTS (holons); i++)
    {
      g_autoptr(JanusAgent) broken = g_object_new (TEST_TYPE_BROKEN, NULL);

      janus_holon_set_supervision_func (holons[i], hostile_supervisor, sups[i], NULL);
      janus_holon_set_max_restarts (holons[i], 1);
      g_assert_true (janus_holon_spawn_member (holons[i], broken, "broken", NULL, NULL));
    }
  g_test_expect_message ("Janus", G_LOG_LEVEL_WARNING, "*supervise returned 42; escalating*");
  for (i = 0; i < 10; i++)
    {
      step_until_idle (kernel, 10000);
      janus_clock_advance (janus_kernel_get_clock (kernel), 1000, NULL);
    }
  g_test_assert_expected_messages ();

  /* decomposed, then restarted (once: then escalated) */
  g_assert_cmpuint (sdec.calls, ==, 2);
  g_assert_cmpint (janus_agent_get_state (JANUS_AGENT (dec)), ==, JANUS_AGENT_STATE_DIED);
  g_assert_true (janus_agent_is_alive (JANUS_AGENT (d1)));
  /* killed itself: its restart never came */
  g_assert_cmpuint (skill.calls, ==, 1);
  g_assert_cmpint (janus_agent_get_state (JANUS_AGENT (killer)), ==, JANUS_AGENT_STATE_DIED);
  g_assert_cmpint (janus_agent_get_state (JANUS_AGENT (k1)), ==, JANUS_AGENT_STATE_DIED);
  /* a dead member does not come back */
  g_assert_cmpuint (sreadd.calls, ==, 1);
  g_assert_error (sreadd.readd, JANUS_KERNEL_ERROR, JANUS_KERNEL_ERROR_AGENT_DEAD);
  g_assert_true (janus_holon_is_atomic (readd));
  g_assert_true (janus_agent_is_alive (JANUS_AGENT (readd)));
  /* garbage escalates */
  g_assert_cmpuint (sgarbage.calls, ==, 1);
  g_assert_cmpint (janus_agent_get_state (JANUS_AGENT (garbage)), ==, JANUS_AGENT_STATE_DIED);
  g_assert_true (janus_holon_is_atomic (top));
  g_clear_error (&sreadd.readd);
  janus_kernel_shutdown (kernel);
}

/* ----------------------------------------------------- release orders */

static JanusLive
busy_live (TestAgent *self)
{
  JanusAgentClass *base = g_type_class_peek (JANUS_TYPE_AGENT);

  base->live (JANUS_AGENT (self));      /* steps its roles */
  return JANUS_LIVE_AGAIN;
}

/* The user drops its last reference on a super-holon (and on its members)
 * while they run on 2 workers: the kernel keeps them; killing the holon by
 * address ends it and its members, and everything is finalized. */
static void
test_unref_super_while_running (void)
{
  JanusKernel *kernel = janus_kernel_new (2);
  JanusHolon *h = launch_holon (kernel, "h");
  JanusHolon *sub = janus_holon_new ();
  g_autoptr(JanusAddress) address = janus_address_copy (ADDR (h));
  TestGone gh, gsub, gcells[4];
  guint i;

  g_assert_true (janus_holon_spawn_member (h, JANUS_AGENT (sub), "sub", NULL, NULL));
  test_gone_watch (&gh, h);
  test_gone_watch (&gsub, sub);
  for (i = 0; i < G_N_ELEMENTS (gcells); i++)
    {
      TestAgent *cell = test_agent_new (busy_live, NULL);

      g_assert_true (janus_holon_spawn_member (i % 2 ? h : sub, JANUS_AGENT (cell), NULL, NULL, NULL));
      test_gone_watch (&gcells[i], cell);
      g_object_unref (cell);
    }
  g_object_unref (sub);
  g_object_unref (h);
  {
    g_autoptr(JanusAgent) found = janus_kernel_lookup_agent (kernel, address);

    g_assert_nonnull (found);
    g_assert_true (janus_kernel_kill (kernel, found, NULL));
  }
  g_assert_true (test_gone_wait (&gh));
  g_assert_true (test_gone_wait (&gsub));
  for (i = 0; i < G_N_ELEMENTS (gcells); i++)
    {
      g_assert_true (test_gone_wait (&gcells[i]));
      test_gone_clear (&gcells[i]);
    }
  test_gone_clear (&gh);
  test_gone_clear (&gsub);
  janus_kernel_shutdown (kernel);
  g_assert_finalize_object (kernel);
}

/* The kernel's last reference goes first, holons and members running:
 * they end (members first) and the user's references on the holons stay
 * valid, the holons atomic. */
static void
test_unref_kernel_first (gconstpointer data)
{
  guint workers = GPOINTER_TO_UINT (data);
  JanusKernel *kernel = janus_kernel_new (workers);
  JanusHolon *top = launch_holon (kernel, "top");
  JanusHolon *mid = janus_holon_new ();
  TestAgent *leaf = NULL, *other = NULL;
  TestGone gkernel;

  g_assert_true (janus_holon_spawn_member (top, JANUS_AGENT (mid), "mid", NULL, NULL));
  leaf = spawn_cell (mid, "leaf");
  other = spawn_cell (top, "other");
  if (workers == 0)
    step_until_idle (kernel, 10000);
  test_gone_watch (&gkernel, kernel);
  g_object_unref (kernel);
  g_assert_true (test_gone_wait (&gkernel));
  test_gone_clear (&gkernel);

  g_assert_cmpint (janus_agent_get_state (JANUS_AGENT (top)), ==, JANUS_AGENT_STATE_DIED);
  g_assert_cmpint (janus_agent_get_state (JANUS_AGENT (mid)), ==, JANUS_AGENT_STATE_DIED);
  g_assert_cmpint (janus_agent_get_state (JANUS_AGENT (leaf)), ==, JANUS_AGENT_STATE_DIED);
  g_assert_cmpint (janus_agent_get_state (JANUS_AGENT (other)), ==, JANUS_AGENT_STATE_DIED);
  g_assert_true (janus_holon_is_atomic (top));
  g_assert_true (janus_holon_is_atomic (mid));
  g_assert_null (janus_holon_get_group (top));
  {
    g_autoptr(GPtrArray) supers = janus_holon_list_supers (JANUS_AGENT (leaf));
    g_assert_cmpuint (supers->len, ==, 0);
  }
  /* a dead holon refuses everything, with errors */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(TestAgent) fresh = test_agent_new (NULL, NULL);

    g_assert_false (janus_holon_spawn_member (top, JANUS_AGENT (fresh), "fresh", NULL, &error));
    g_assert_error (error, JANUS_KERNEL_ERROR, JANUS_KERNEL_ERROR_AGENT_DEAD);
  }
  g_assert_finalize_object (leaf);
  g_assert_finalize_object (other);
  g_assert_finalize_object (mid);
  g_assert_finalize_object (top);
}

/* A holon killed while its member is a MultiPart of another: the member
 * lives on in the other one, which keeps its head. */
static void
test_kill_sharing_holon (void)
{
  g_autoptr(JanusKernel) kernel = janus_kernel_new (0);
  g_autoptr(JanusHolon) a = launch_holon (kernel, "a");
  g_autoptr(JanusHolon) b = launch_holon (kernel, "b");
  g_autoptr(TestAgent) shared = launch_cell (kernel, "shared");
  g_autoptr(TestAgent) own = NULL;
  g_autofree char *json = NULL;
  g_autoptr(JsonNode) root = NULL;
  Recorder rb;

  janus_holon_set_shareable (JANUS_AGENT (shared), TRUE);
  step_until_idle (kernel, 10000);
  g_assert_true (janus_holon_add_member (a, JANUS_AGENT (shared), JANUS_MEMBERSHIP_MULTI_PART, NULL));
  own = spawn_cell (a, "own");
  g_assert_true (janus_holon_add_member (b, JANUS_AGENT (shared), JANUS_MEMBERSHIP_MULTI_PART, NULL));
  step_until_idle (kernel, 10000);
  recorder_init (&rb);
  recorder_watch (&rb, b);
  g_assert_true (janus_kernel_kill (kernel, JANUS_AGENT (a), NULL));
  step_until_idle (kernel, 10000);
  g_assert_cmpint (janus_agent_get_state (JANUS_AGENT (a)), ==, JANUS_AGENT_STATE_DIED);
  g_assert_cmpint (janus_agent_get_state (JANUS_AGENT (own)), ==, JANUS_AGENT_STATE_DIED);
  g_assert_true (janus_agent_is_alive (JANUS_AGENT (shared)));
  g_assert_true (janus_holon_is_head (b, JANUS_AGENT (shared)));
  assert_recorded (&rb, "");
  assert_group_follows (b);
  assert_sound (b, FALSE);
  {
    g_autoptr(GPtrArray) supers = janus_holon_list_supers (JANUS_AGENT (shared));
    g_assert_cmpuint (supers->len, ==, 1);
    g_assert_true (supers->pdata[0] == (gpointer) b);
  }
  /* the JSON dump lists each agent once, with its supers */
  json = janus_holarchy_to_json_data (kernel, NULL, JANUS_HOLARCHY_SHOW_ALL);
  root = json_from_string (json, NULL);
  g_assert_nonnull (root);
  janus_kernel_shutdown (kernel);
  recorder_clear (&rb);
}

/* The head is removed while messages routed to it wait in its Head role:
 * they go to the new head (not left in the old one's mailbox for a role it
 * no longer plays), then what is sent afterwards; nothing leaks. */
static void
test_remove_head_with_queued (void)
{
  g_autoptr(JanusKernel) kernel = janus_kernel_new (0);
  g_autoptr(JanusHolon) h = launch_holon (kernel, "h");
  g_autoptr(TestAgent) a = spawn_cell (h, "a");
  g_autoptr(TestAgent) b = spawn_cell (h, "b");
  gint released = 0;
  guint i;

  step_until_idle (kernel, 10000);
  janus_agent_pause (JANUS_AGENT (a));
  for (i = 0; i < 5; i++)
    kernel_send_ok (kernel, ADDR (h), counted_message ("queued", &released));
  step_until_idle (kernel, 10000);
  /* forwarded into a's Head role, which a (paused) did not read */
  g_assert_cmpint (released, ==, 0);
  g_assert_true (janus_holon_remove_head (h, JANUS_AGENT (a), NULL));
  g_assert_true (janus_holon_is_head (h, JANUS_AGENT (b)));
  janus_agent_resume (JANUS_AGENT (a));
  step_until_idle (kernel, 10000);
  kernel_send_ok (kernel, ADDR (h), counted_message ("after", &released));
  step_until_idle (kernel, 10000);
  {
    g_autoptr(JanusGroup) group = janus_holon_get_group (h);
    JanusRole *head_role = janus_agent_get_role (JANUS_AGENT (b), JANUS_TYPE_HOLONIC_HEAD, group);
    JanusMessage *m;

    g_assert_nonnull (head_role);
    /* what a had not read went back to the holon, then to b, with its
     * sender; then what came after */
    for (i = 0; i < 6; i++)
      {
        m = janus_role_get_message (head_role);
        g_assert_nonnull (m);
        g_assert_cmpstr (janus_message_get_subject (m), ==, i < 5 ? "queued" : "after");
        g_assert_true (janus_address_equal (janus_message_get_sender (m), janus_kernel_get_address (kernel)));
        janus_message_unref (m);
      }
    g_assert_null (janus_role_get_message (head_role));
    g_assert_null (janus_agent_get_role (JANUS_AGENT (a), JANUS_TYPE_HOLONIC_HEAD, group));
    /* nothing stayed with a */
    g_assert_null (janus_agent_get_message (JANUS_AGENT (a)));
    g_assert_cmpint (released, ==, 6);
  }
  assert_group_follows (h);
  janus_kernel_shutdown (kernel);
  g_clear_object (&a);
  g_clear_object (&b);
  g_clear_object (&h);
  g_clear_object (&kernel);
  /* every message was released once */
  g_assert_cmpint (released, ==, 6);
}

/* ------------------------------------------------------- capacities */

typedef struct
{
  guint     calls;
  GVariant *result;
  GError   *error;
} Answer;

static void
on_answer (GObject      *source,
           GAsyncResult *result,
           gpointer      data)
{
  Answer *a = data;

  a->calls++;
  a->result = janus_holon_invoke_capacity_finish (JANUS_HOLON (source), result, &a->error);
}

static void
add_times (JanusAgent *agent,
           gint64      factor)
{
  g_autoptr(TestMultiplier) m = test_multiplier_new (factor);

  janus_agent_add_capacity (agent, TEST_TYPE_TIMES, m);
}

/* Decompose at each hop of a call in flight: the call completes once,
 * with the result or a clear error. */
static void
test_decompose_during_call (void)
{
  guint hop;

  for (hop = 0; hop < 8; hop++)
    {
      g_autoptr(JanusKernel) kernel = janus_kernel_new (0);
      g_autoptr(JanusHolon) h = launch_holon (kernel, "h");
      g_autoptr(TestAgent) head = spawn_cell (h, "head");
      g_autoptr(TestAgent) worker = spawn_cell (h, "worker");
      Answer ans = { 0 };
      guint i;

      add_times (JANUS_AGENT (worker), 3);
      step_until_idle (kernel, 10000);
      janus_holon_invoke_capacity_async (h, TEST_TYPE_TIMES, g_variant_new_int64 (2), NULL,
                                         on_answer, &ans);
      for (i = 0; i < hop; i++)
        {
          janus_kernel_step (kernel);
          while (g_main_context_iteration (NULL, FALSE))
            ;
        }
      janus_holon_decompose (h, NULL);
      for (i = 0; i < 1000 && ans.calls == 0; i++)
        {
          janus_kernel_step (kernel);
          while (g_main_context_iteration (NULL, FALSE))
            ;
        }
      g_assert_cmpuint (ans.calls, ==, 1);
      if (ans.error == NULL)
        g_assert_cmpint (g_variant_get_int64 (ans.result), ==, 6);
      else
        g_assert_true (g_error_matches (ans.error, JANUS_HOLON_ERROR, JANUS_HOLON_ERROR_NO_PROVIDER)
                       || g_error_matches (ans.error, JANUS_HOLON_ERROR, JANUS_HOLON_ERROR_PROVIDER_ENDED));
      step_until_idle (kernel, 10000);
      while (g_main_context_iteration (NULL, FALSE))
        ;
      g_assert_cmpuint (ans.calls, ==, 1);
      g_clear_pointer (&ans.result, g_variant_unref);
      g_clear_error (&ans.error);
      g_assert_true (janus_holon_is_atomic (h));
      janus_kernel_shutdown (kernel);
    }
}

static void
invoke_in_step (TestAgent *self,
                gpointer   data)
{
  janus_holon_invoke_capacity_async (JANUS_HOLON (self->data), TEST_TYPE_TIMES,
                                     g_variant_new_int64 (5), NULL, on_answer, data);
}

/* The caller (an agent) dies before the result comes: the capacity is
 * performed, its callback is not called, nothing leaks. */
static void
test_caller_dies (void)
{
  g_autoptr(JanusKernel) kernel = janus_kernel_new (0);
  g_autoptr(JanusHolon) h = launch_holon (kernel, "h");
  g_autoptr(TestAgent) worker = spawn_cell (h, "worker");
  g_autoptr(TestMultiplier) times = test_multiplier_new (7);
  g_autoptr(TestAgent) caller = test_agent_new (NULL, NULL);
  Answer ans = { 0 };

  janus_agent_add_capacity (JANUS_AGENT (worker), TEST_TYPE_TIMES, times);
  caller->data = h;
  launch_alive (kernel, caller);
  step_until_idle (kernel, 10000);
  janus_agent_pause (JANUS_AGENT (h));
  agent_do (kernel, caller, invoke_in_step, &ans);
  kill_and_wait (kernel, caller);
  janus_agent_resume (JANUS_AGENT (h));
  step_until_idle (kernel, 10000);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpuint (test_multiplier_calls (times), ==, 1);
  g_assert_cmpuint (ans.calls, ==, 0);
  janus_kernel_shutdown (kernel);
}

/* Members spawned on a foreign thread while the main thread dumps the
 * holarchy, searches it and asks for a capacity, on 2 workers: a member
 * being launched is shown without name and address, never read half
 * written (ThreadSanitizer watches), never chosen to perform. */
typedef struct
{
  JanusHolon  *holon;
  guint        n;
  atomic_bool  done;
} Spawner;

static gpointer
spawner_thread (gpointer data)
{
  Spawner *sp = data;
  guint i;

  for (i = 0; i < sp->n; i++)
    {
      g_autoptr(TestAgent) cell = test_agent_new (NULL, NULL);
      g_autofree char *name = g_strdup_printf ("cell-%u", i);

      add_times (JANUS_AGENT (cell), 2);
      g_assert_true (janus_holon_spawn_member (sp->holon, JANUS_AGENT (cell), name, NULL, NULL));
    }
  atomic_store (&sp->done, TRUE);
  return NULL;
}

static void
test_spawn_while_reading (void)
{
  JanusKernel *kernel = janus_kernel_new (2);
  JanusHolon *h = launch_holon (kernel, "h");
  Spawner sp = { h, test_small () ? 50 : 1000, FALSE };
  GThread *thread;
  GMainContext *context = g_main_context_new ();
  Answer ans = { 0 };
  guint asked = 0, answered = 0, dumps = 0;
  gint64 deadline;

  g_main_context_push_thread_default (context);
  thread = g_thread_new ("spawner", spawner_thread, &sp);
  while (!atomic_load (&sp.done) || dumps == 0)
    {
      g_autofree char *dot = janus_holarchy_to_dot_data (kernel, h, JANUS_HOLARCHY_SHOW_ALL);
      g_autofree char *json = janus_holarchy_to_json_data (kernel, NULL, JANUS_HOLARCHY_SHOW_ALL);
      g_autoptr(GPtrArray) members = janus_holon_list_members (h);

      g_assert_nonnull (dot);
      g_assert_nonnull (json);
      dumps++;
      g_assert_true (janus_holon_find (h, ADDR (h)) == JANUS_AGENT (h));
      g_object_unref (h);
      if (members->len > 0 && janus_agent_get_state (members->pdata[0]) >= JANUS_AGENT_STATE_ALIVE)
        {
          JanusAgent *found = janus_holon_find (h, ADDR (members->pdata[0]));

          /* not found until its spawn returned */
          g_assert_true (found == NULL || found == members->pdata[0]);
          g_clear_object (&found);
        }
      if (asked == answered && asked < 20)
        {
          janus_holon_invoke_capacity_async (h, TEST_TYPE_TIMES, g_variant_new_int64 (1), NULL,
                                             on_answer, &ans);
          asked++;
        }
      while (g_main_context_iteration (context, FALSE))
        ;
      if (ans.calls > answered)
        {
          answered = ans.calls;
          /* no member yet, or only its head being launched */
          if (ans.error != NULL)
            g_assert_true (g_error_matches (ans.error, JANUS_HOLON_ERROR, JANUS_HOLON_ERROR_NO_PROVIDER)
                           || g_error_matches (ans.error, JANUS_HOLON_ERROR, JANUS_HOLON_ERROR_NO_HEAD));
          else
            g_assert_cmpint (g_variant_get_int64 (ans.result), ==, 2);
          g_clear_pointer (&ans.result, g_variant_unref);
          g_clear_error (&ans.error);
        }
    }
  g_thread_join (thread);
  deadline = g_get_monotonic_time () + SLOW_DEADLINE_USEC;
  while (answered < asked)
    {
      g_main_context_iteration (context, FALSE);
      answered = ans.calls;
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
    }
  g_clear_pointer (&ans.result, g_variant_unref);
  g_clear_error (&ans.error);
  g_assert_cmpuint (janus_holon_get_n_members (h), ==, sp.n);
  {
    g_autoptr(GPtrArray) members = janus_holon_list_members (h);
    g_autofree char *json = janus_holarchy_to_json_data (kernel, h, 0);
    guint i;

    for (i = 0; i < members->len; i++)
      {
        JanusAgent *found = janus_holon_find (h, ADDR (members->pdata[i]));

        g_assert_true (found == members->pdata[i]);
        g_object_unref (found);
      }
    /* every name is shown once the spawns returned */
    g_assert_nonnull (strstr (json, "\"cell-0\""));
    g_assert_null (strstr (json, "\"name\":null"));
  }
  janus_kernel_shutdown (kernel);
  g_main_context_pop_thread_default (context);
  g_main_context_unref (context);
  g_assert_finalize_object (kernel);
  g_object_unref (h);
}

/* ------------------------------------------------------------ threads */

typedef struct
{
  JanusHolon  *h1, *h2;
  JanusAgent  *member;
  atomic_bool  stop;
  atomic_int   moves;
} Mover;

static gpointer
mover_thread (gpointer data)
{
  Mover *mv = data;

  while (!atomic_load (&mv->stop))
    {
      g_autoptr(GError) error = NULL;

      if (janus_holon_move_member (mv->h1, mv->member, mv->h2, &error)
          || janus_holon_move_member (mv->h2, mv->member, mv->h1, NULL))
        atomic_fetch_add (&mv->moves, 1);
    }
  return NULL;
}

/* Members killed while another thread moves them back and forth, on 2
 * workers: each ends in neither holon, the holons stay sound. */
static void
test_kill_while_moving (void)
{
  JanusKernel *kernel = janus_kernel_new (2);
  JanusHolon *h1 = launch_holon (kernel, "h1");
  JanusHolon *h2 = launch_holon (kernel, "h2");
  g_autoptr(TestAgent) keeper1 = NULL, keeper2 = NULL;
  guint rounds = test_small () ? 10 : 100, r;

  keeper1 = spawn_cell (h1, "keeper1");
  keeper2 = spawn_cell (h2, "keeper2");
  for (r = 0; r < rounds; r++)
    {
      g_autoptr(TestAgent) victim = test_agent_new (busy_live, NULL);
      Mover mv = { h1, h2, JANUS_AGENT (victim), FALSE, 0 };
      GThread *thread;
      TestGone gone;

      g_assert_true (janus_holon_spawn_member (h1, JANUS_AGENT (victim), NULL, NULL, NULL));
      gint64 deadline = g_get_monotonic_time () + SLOW_DEADLINE_USEC;

      thread = g_thread_new ("mover", mover_thread, &mv);
      while (atomic_load (&mv.moves) < 3)
        {
          g_assert_cmpint (g_get_monotonic_time (), <, deadline);
          g_thread_yield ();
        }
      test_gone_watch (&gone, victim);
      g_assert_true (janus_kernel_kill (kernel, JANUS_AGENT (victim), NULL));
      /* the holons let it go as it ended */
      while (janus_agent_get_state (JANUS_AGENT (victim)) != JANUS_AGENT_STATE_DIED)
        {
          g_assert_cmpint (g_get_monotonic_time (), <, deadline);
          g_thread_yield ();
        }
      atomic_store (&mv.stop, TRUE);
      g_thread_join (thread);
      g_assert_cmpint (janus_holon_get_membership (h1, JANUS_AGENT (victim)), ==, JANUS_MEMBERSHIP_NONE);
      g_assert_cmpint (janus_holon_get_membership (h2, JANUS_AGENT (victim)), ==, JANUS_MEMBERSHIP_NONE);
      g_clear_object (&victim);
      g_assert_true (test_gone_wait (&gone));
      test_gone_clear (&gone);
    }
  assert_sound (h1, FALSE);
  assert_sound (h2, FALSE);
  g_assert_cmpuint (janus_holon_get_n_members (h1), ==, 1);
  g_assert_cmpuint (janus_holon_get_n_members (h2), ==, 1);
  janus_kernel_shutdown (kernel);
  g_assert_finalize_object (kernel);
  g_object_unref (h1);
  g_object_unref (h2);
}

/* Composition from a heavy agent's thread and from a foreign thread at
 * once, on 2 workers, while the main thread kills cells: every operation
 * succeeds or is refused with an expected error, and the holarchy is
 * sound afterwards. */
typedef struct
{
  JanusHolon *holons[3];
  TestAgent  *cells[12];
  guint       ops;
  atomic_int  done;
} Shaken;

static void
shake_once (Shaken *w,
            GRand  *rand)
{
  JanusHolon *h = w->holons[g_rand_int_range (rand, 0, 3)];
  JanusHolon *d = w->holons[g_rand_int_range (rand, 0, 3)];
  JanusAgent *cell = JANUS_AGENT (w->cells[g_rand_int_range (rand, 0, 12)]);
  g_autoptr(GError) error = NULL;
  gboolean ok = TRUE;

  switch (g_rand_int_range (rand, 0, 7))
    {
    case 0: ok = janus_holon_add_member (h, cell, JANUS_MEMBERSHIP_PART, &error); break;
    case 1: ok = janus_holon_remove_member (h, cell, &error); break;
    case 2: ok = janus_holon_move_member (h, cell, d, &error); break;
    case 3: ok = janus_holon_set_head (h, cell, &error); break;
    case 4: ok = janus_holon_merge_into (h, d, &error); break;
    case 5: ok = janus_holon_remove_head (h, cell, &error); break;
    default: ok = janus_holon_decompose (h, &error); break;
    }
  if (!ok && error->domain != JANUS_HOLON_ERROR
      && !g_error_matches (error, JANUS_KERNEL_ERROR, JANUS_KERNEL_ERROR_AGENT_DEAD))
    g_error ("unexpected refusal: %s", error->message);
}

static JanusLive
heavy_shaker_live (TestAgent *self)
{
  Shaken *w = self->data;
  GRand *rand = g_rand_new_with_seed (7);
  guint i;

  for (i = 0; i < w->ops; i++)
    shake_once (w, rand);
  g_rand_free (rand);
  atomic_fetch_add (&w->done, 1);
  return JANUS_LIVE_DONE;
}

static gpointer
foreign_shaker (gpointer data)
{
  Shaken *w = data;
  GRand *rand = g_rand_new_with_seed (11);
  guint i;

  for (i = 0; i < w->ops; i++)
    shake_once (w, rand);
  g_rand_free (rand);
  atomic_fetch_add (&w->done, 1);
  return NULL;
}

static void
test_heavy_and_foreign (void)
{
  JanusKernel *kernel = janus_kernel_new (2);
  Shaken w = { { NULL }, { NULL }, test_small () ? 200 : 3000, 0 };
  TestAgent *heavy = test_agent_new (heavy_shaker_live, &w);
  GThread *thread;
  gint64 deadline;
  guint i, killed = 0;

  for (i = 0; i < 3; i++)
    {
      g_autofree char *name = g_strdup_printf ("h%u", i);
      w.holons[i] = launch_holon (kernel, name);
    }
  for (i = 0; i < 12; i++)
    w.cells[i] = launch_cell (kernel, NULL);
  g_assert_true (janus_kernel_launch_heavy_agent (kernel, JANUS_AGENT (heavy), "heavy", NULL, NULL));
  thread = g_thread_new ("foreign-shaker", foreign_shaker, &w);
  deadline = g_get_monotonic_time () + SLOW_DEADLINE_USEC;
  while (atomic_load (&w.done) < 2)
    {
      /* one cell in four is killed along the way */
      if (killed < 3 && atomic_load (&w.done) == 0)
        {
          g_assert_true (janus_kernel_kill (kernel, JANUS_AGENT (w.cells[killed * 4]), NULL));
          killed++;
        }
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_thread_yield ();
    }
  g_thread_join (thread);
  for (i = 0; i < 3; i++)
    assert_sound (w.holons[i], FALSE);
  /* each live cell is in one holon at most; the killed ones in none, once
   * dead */
  for (i = 0; i < 12; i++)
    {
      g_autoptr(GPtrArray) supers = janus_holon_list_supers (JANUS_AGENT (w.cells[i]));

      g_assert_cmpuint (supers->len, <=, 1);
      if (janus_agent_get_state (JANUS_AGENT (w.cells[i])) == JANUS_AGENT_STATE_DIED)
        g_assert_cmpuint (supers->len, ==, 0);
    }
  janus_kernel_shutdown (kernel);
  g_assert_finalize_object (kernel);
  for (i = 0; i < 3; i++)
    g_assert_finalize_object (w.holons[i]);
  for (i = 0; i < 12; i++)
    g_assert_finalize_object (w.cells[i]);
  g_assert_finalize_object (heavy);
}

/* -------------------------------------------------------------- scale */

/* 10,000 members in one holon (1,000 under valgrind): the group's
 * players, the lists and the dump agree; then two foreign threads churn
 * add/remove on a 2-worker kernel for a bounded number of operations. */
typedef struct
{
  JanusHolon  *holon;
  JanusHolon  *spare;
  GPtrArray   *pool;
  guint        ops;
  guint        seed;
  atomic_int   done;
} Churn;

static gpointer
churn_thread (gpointer data)
{
  Churn *c = data;
  GRand *rand = g_rand_new_with_seed (c->seed);
  guint i;

  for (i = 0; i < c->ops; i++)
    {
      JanusAgent *a = c->pool->pdata[g_rand_int_range (rand, 0, c->pool->len)];
      g_autoptr(GError) error = NULL;
      gboolean ok;

      switch (g_rand_int_range (rand, 0, 4))
        {
        case 0:
          ok = janus_holon_add_member (c->holon, a, JANUS_MEMBERSHIP_PART, &error);
          break;
        case 1:
          ok = janus_holon_remove_member (c->holon, a, &error);
          break;
        case 2:
          ok = janus_holon_move_member (c->holon, a, c->spare, &error);
          break;
        default:
          ok = janus_holon_move_member (c->spare, a, c->holon, &error);
          break;
        }
      if (!ok && !g_error_matches (error, JANUS_HOLON_ERROR, JANUS_HOLON_ERROR_NOT_MEMBER)
          && !g_error_matches (error, JANUS_HOLON_ERROR, JANUS_HOLON_ERROR_ALREADY_MEMBER)
          && !g_error_matches (error, JANUS_HOLON_ERROR, JANUS_HOLON_ERROR_SHARING_REFUSED))
        g_error ("unexpected refusal: %s", error->message);
    }
  g_rand_free (rand);
  atomic_fetch_add (&c->done, 1);
  return NULL;
}

static gboolean
players_match (JanusHolon *holon)
{
  g_autoptr(JanusGroup) group = janus_holon_get_group (holon);
  guint n = janus_holon_get_n_members (holon);

  if (group == NULL)
    return n == 0;
  return janus_group_count_players (group, JANUS_TYPE_HOLONIC_PART) == n
         && janus_group_count_players (group, JANUS_TYPE_HOLONIC_HEAD) == 1
         && janus_group_count_players (group, JANUS_TYPE_HOLONIC_SUPER) == 1;
}

static void
wait_players_match (JanusHolon *holon)
{
  gint64 deadline = g_get_monotonic_time () + SLOW_DEADLINE_USEC;

  /* the agents take and leave their roles in their steps, on the workers:
   * bounded polling of a converging state, the only event being "every
   * agent caught up" */
  while (!players_match (holon))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("the internal group of %s does not follow its %u members",
                 janus_agent_get_name (JANUS_AGENT (holon)), janus_holon_get_n_members (holon));
      g_usleep (1000);
    }
}

static void
test_scale (void)
{
  guint n = test_small () ? 1000 : 10000, i;
  JanusKernel *kernel = janus_kernel_new (2);
  JanusHolon *big = launch_holon (kernel, "big");
  JanusHolon *spare = launch_holon (kernel, "spare");
  g_autoptr(GPtrArray) pool = g_ptr_array_new_with_free_func (g_object_unref);
  Churn c1, c2;
  GThread *t1, *t2;

  for (i = 0; i < n; i++)
    {
      TestAgent *cell = test_agent_new (NULL, NULL);

      g_assert_true (janus_holon_spawn_member (big, JANUS_AGENT (cell), NULL, NULL, NULL));
      g_ptr_array_add (pool, cell);
    }
  g_assert_cmpuint (janus_holon_get_n_members (big), ==, n);
  wait_players_match (big);
  {
    g_autofree char *json = janus_holarchy_to_json_data (kernel, big, JANUS_HOLARCHY_SHOW_ROLES);
    g_autoptr(JsonNode) root = json_from_string (json, NULL);

    g_assert_nonnull (root);
    g_assert_true (strlen (json) > n * 4);
  }
  assert_sound (big, FALSE);

  c1 = (Churn) { big, spare, pool, test_small () ? 500 : 20000, 1, 0 };
  c2 = (Churn) { big, spare, pool, test_small () ? 500 : 20000, 2, 0 };
  t1 = g_thread_new ("churn-1", churn_thread, &c1);
  t2 = g_thread_new ("churn-2", churn_thread, &c2);
  g_thread_join (t1);
  g_thread_join (t2);
  /* every cell is in exactly one of them, or free */
  for (i = 0; i < pool->len; i++)
    {
      g_autoptr(GPtrArray) supers = janus_holon_list_supers (pool->pdata[i]);
      g_assert_cmpuint (supers->len, <=, 1);
    }
  assert_sound (big, FALSE);
  assert_sound (spare, FALSE);
  wait_players_match (big);
  wait_players_match (spare);
  janus_kernel_shutdown (kernel);
  g_assert_true (janus_holon_is_atomic (big));
  g_assert_true (janus_holon_is_atomic (spare));
  g_assert_finalize_object (kernel);
  g_object_unref (big);
  g_object_unref (spare);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/holon/hostile/cycles", test_cycles);
  g_test_add_func ("/holon/hostile/bad-members", test_bad_members);
  g_test_add_func ("/holon/hostile/move-ending", test_move_ending);
  g_test_add_func ("/holon/hostile/holonic-roles-guarded", test_holonic_roles_guarded);
  add_critical_cases ("/holon/hostile/critical", critical_case, criticals, G_N_ELEMENTS (criticals));
  g_test_add_func ("/holon/hostile/spawn-refused-race", test_spawn_refused_race);
  g_test_add_func ("/holon/hostile/kill-while-spawning", test_kill_while_spawning);
  g_test_add_func ("/holon/hostile/head-policy/sets-head", test_head_policy_sets_head);
  g_test_add_func ("/holon/hostile/head-policy/stale-choice", test_head_policy_stale_choice);
  g_test_add_func ("/holon/hostile/head-policy/garbage", test_head_policy_garbage);
  g_test_add_func ("/holon/hostile/head-policy/none", test_head_policy_none);
  g_test_add_func ("/holon/hostile/head-policy/destroys", test_head_policy_destroys);
  g_test_add_func ("/holon/hostile/head-policy/replaces-itself", test_head_policy_replaces_itself);
  g_test_add_func ("/holon/hostile/head-policy/replaced-while-running", test_head_policy_replaced_while_running);
  g_test_add_func ("/holon/hostile/supervision/restart-storm-escalation", test_restart_storm_escalation);
  g_test_add_func ("/holon/hostile/supervision/kill-during-backoff", test_kill_during_backoff);
  g_test_add_func ("/holon/hostile/supervision/reentrant", test_supervisor_reentrant);
  g_test_add_func ("/holon/hostile/release/unref-super-while-running", test_unref_super_while_running);
  g_test_add_data_func ("/holon/hostile/release/unref-kernel-first/0-workers", GUINT_TO_POINTER (0),
                        test_unref_kernel_first);
  g_test_add_data_func ("/holon/hostile/release/unref-kernel-first/2-workers", GUINT_TO_POINTER (2),
                        test_unref_kernel_first);
  g_test_add_func ("/holon/hostile/release/kill-sharing-holon", test_kill_sharing_holon);
  g_test_add_func ("/holon/hostile/messages/remove-head-with-queued", test_remove_head_with_queued);
  g_test_add_func ("/holon/hostile/capacity/decompose-during-call", test_decompose_during_call);
  g_test_add_func ("/holon/hostile/capacity/caller-dies", test_caller_dies);
  g_test_add_func ("/holon/hostile/threads/kill-while-moving", test_kill_while_moving);
  g_test_add_func ("/holon/hostile/threads/heavy-and-foreign", test_heavy_and_foreign);
  g_test_add_func ("/holon/hostile/scale", test_scale);
  g_test_add_func ("/holon/hostile/threads/spawn-while-reading", test_spawn_while_reading);
  return g_test_run ();
}
