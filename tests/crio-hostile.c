/* SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The CRIO layer (organizations, groups, roles, conditions, the kernel's
 * group table) attacked as a hostile user would: garbage input, calls from
 * the wrong thread, every release order, races between players that come
 * and go and threads that reconfigure, remove or drop what they play in,
 * and a bounded soak whose invariants are checked at the end.
 */
#include <string.h>

#include "janus-test-utils.h"

static GType role_a, role_b, role_c, role_abstract, role_sub, role_unlisted, role_cap, role_cond;
static GType org_x, org_abstract;

static void
org_x_class_init (gpointer klass,
                  gpointer data)
{
  janus_organization_class_add_role (klass, role_a, 0);
  janus_organization_class_add_role (klass, role_b, 1);
  janus_organization_class_add_role (klass, role_c, 3);
  janus_organization_class_add_role (klass, role_abstract, 0);
  janus_organization_class_add_role (klass, role_cap, 0);
  janus_organization_class_add_role (klass, role_cond, 0);
}

static void
role_cap_class_init (gpointer klass,
                     gpointer data)
{
  janus_role_class_add_required_capacity (klass, TEST_TYPE_CAP);
}

static GType
register_abstract (GType          parent,
                   const char    *name,
                   GClassInitFunc class_init)
{
  GTypeQuery q;
  GTypeInfo info = { 0 };

  g_type_query (parent, &q);
  info.class_size = q.class_size;
  info.class_init = class_init;
  info.instance_size = q.instance_size;
  return g_type_register_static (parent, g_intern_string (name), &info, G_TYPE_FLAG_ABSTRACT);
}

static void
noop (TestAgent *agent,
      gpointer   data)
{
}

static gboolean
always (JanusAgent *agent,
        JanusGroup *group,
        GType       role_type,
        gpointer    data)
{
  return TRUE;
}

/* Runs @func in a subprocess whose criticals and warnings are not fatal:
 * the call must report its misuse (a critical) and go on without crashing,
 * the subprocess then ends normally. */
typedef void (*NonFatalFunc) (void);

static void
run_non_fatal (gconstpointer data)
{
  NonFatalFunc func = (NonFatalFunc) data;

  if (g_test_subprocess ())
    {
      g_log_set_always_fatal (G_LOG_FATAL_MASK);
      g_log_set_fatal_mask ("Janus", G_LOG_FATAL_MASK);
      g_log_set_fatal_mask ("Janus-Test", G_LOG_FATAL_MASK);
      g_log_set_fatal_mask ("GLib-GObject", G_LOG_FATAL_MASK);
      func ();
      return;
    }
  g_test_trap_subprocess (NULL, 60 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr ("*CRITICAL*");
}

/* ------------------------------------------------------------ garbage */

typedef struct
{
  JanusGroup *group;
  GType       type;
  JanusRole  *role;             /* borrowed */
  GError     *error;
} Ask;

static void
do_ask (TestAgent *agent,
        gpointer   data)
{
  Ask *ask = data;

  g_clear_error (&ask->error);
  ask->role = janus_agent_request_role (AGENT (agent), ask->type, ask->group, NULL, &ask->error);
}

typedef struct
{
  JanusGroup *group;
  GType       type;
} Req;

static void
do_req (TestAgent *agent,
        gpointer   data)
{
  Req *r = data;

  take (agent, r->type, r->group);
}

static void
do_leave (TestAgent *agent,
          gpointer   data)
{
  Req *r = data;

  leave (agent, r->type, r->group);
}

/* Requests @type in a fresh group from an agent's step: a misuse. */
static void
ask_bad_type (GType type)
{
  JanusKernel *kernel = janus_kernel_new (0);
  TestAgent *agent = launch_alive (kernel, test_agent_new (NULL, NULL));
  g_autoptr(JanusGroup) group = new_group (kernel, org_x);
  Ask ask = { group, type, NULL, NULL };

  agent_do (kernel, agent, do_ask, &ask);
  g_assert_null (ask.role);
  g_assert_cmpuint (janus_group_count_players (group, G_TYPE_INVALID), ==, 0);
  g_clear_error (&ask.error);
  /* the agent and the group are unharmed: a real role is still taken */
  ask.type = role_sub;
  agent_do (kernel, agent, do_ask, &ask);
  g_assert_no_error (ask.error);
  g_assert_nonnull (ask.role);
  g_assert_true (janus_group_has_member (group, AGENT (agent)));
  g_clear_object (&group);
  finish (kernel, agent, NULL);
}

/* A listed abstract type covers its subclasses; itself cannot be played. */
static void
bad_abstract_role (void)
{
  ask_bad_type (role_abstract);
}

static void
bad_non_role_type (void)
{
  ask_bad_type (TEST_TYPE_AGENT);
}

static void
bad_invalid_type (void)
{
  ask_bad_type (G_TYPE_INVALID);
}

/* JanusRole itself, or a role the organization does not list: refused
 * with an error naming them, no critical. */
static void
test_unlisted_types (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  TestAgent *agent = launch_alive (kernel, test_agent_new (NULL, NULL));
  g_autoptr(JanusGroup) group = new_group (kernel, org_x);
  Ask ask = { group, JANUS_TYPE_ROLE, NULL, NULL };

  agent_do (kernel, agent, do_ask, &ask);
  g_assert_null (ask.role);
  g_assert_error (ask.error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_ROLE_NOT_LISTED);
  g_clear_error (&ask.error);
  ask.type = role_unlisted;
  agent_do (kernel, agent, do_ask, &ask);
  g_assert_error (ask.error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_ROLE_NOT_LISTED);
  expect_names (ask.error, role_unlisted, group);
  g_clear_error (&ask.error);
  g_clear_object (&group);
  finish (kernel, agent, NULL);
}

static void
bad_abstract_organization (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  g_autoptr(GError) error = NULL;

  g_assert_null (janus_kernel_create_group (kernel, org_abstract, &error));
  g_assert_null (janus_kernel_get_or_create_group (kernel, org_abstract, &error));
  g_assert_null (janus_kernel_create_group_full (kernel, org_abstract, "n", NULL, NULL, NULL, NULL, &error));
  g_assert_null (janus_kernel_get_organization (kernel, org_abstract));
  g_assert_null (janus_kernel_create_group (kernel, TEST_TYPE_ROLE, &error));
  g_assert_null (janus_kernel_create_group (kernel, G_TYPE_INVALID, &error));
  g_assert_no_error (error);
  {
    g_autoptr(GPtrArray) groups = janus_kernel_list_groups (kernel);
    g_assert_cmpuint (groups->len, ==, 0);
  }
  finish (kernel, NULL);
}

/* Role methods documented "from the player's step", called from another
 * thread: a critical each, nothing kept (the role and its group still go
 * when released), the player unharmed. */
static void
never_run (JanusRole *role,
           gpointer   data)
{
  g_assert_not_reached ();
}

static void
bad_role_from_foreign_thread (void)
{
  JanusKernel *kernel = janus_kernel_new (2);
  TestAgent *agent = launch_alive (kernel, test_agent_new (NULL, NULL));
  JanusGroup *group = new_group (kernel, org_x);
  gpointer weak_role, weak_group = group;
  Req r = { group, role_a };
  JanusRole *role;

  agent_do (kernel, agent, do_req, &r);
  role = janus_agent_get_role (AGENT (agent), role_a, group);
  weak_role = role;
  g_object_add_weak_pointer (G_OBJECT (role), &weak_role);
  g_object_add_weak_pointer (G_OBJECT (group), &weak_group);
  g_assert_cmpuint (janus_role_call_in (role, 0, never_run, NULL, NULL), ==, 0);
  g_assert_cmpuint (janus_role_call_at (role, 0, never_run, NULL, NULL), ==, 0);
  g_assert_null (janus_role_get_message (role));
  g_assert_null (janus_role_peek_message (role));
  g_assert_null (janus_role_wait_message (role, 1000));
  g_assert_null (janus_agent_request_role (AGENT (agent), role_b, group, NULL, NULL));
  g_assert_false (janus_agent_leave_role (AGENT (agent), role_a, group, NULL));
  /* the player goes on: it still plays and leaves from its own step */
  g_assert_true (janus_group_has_member (group, AGENT (agent)));
  agent_do (kernel, agent, do_leave, &r);
  g_assert_false (janus_group_is_alive (group));
  g_object_unref (group);
  finish (kernel, agent, NULL);
  /* nothing kept a reference */
  g_assert_null (weak_role);
  g_assert_null (weak_group);
}

/* An organization's roles are fixed once it was instantiated: they are
 * read by every request on any thread. */
static void
bad_add_role_late (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  TestAgent *agent = launch_alive (kernel, test_agent_new (NULL, NULL));
  g_autoptr(JanusGroup) group = new_group (kernel, org_x);
  Ask ask = { group, role_unlisted, NULL, NULL };

  janus_organization_type_add_role (org_x, role_unlisted, 0);
  janus_organization_class_add_role (g_type_class_peek (org_x), role_unlisted, 0);
  g_assert_false (janus_organization_lists_role (janus_group_get_organization (group), role_unlisted));
  agent_do (kernel, agent, do_ask, &ask);
  g_assert_error (ask.error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_ROLE_NOT_LISTED);
  g_clear_error (&ask.error);
  g_clear_object (&group);
  finish (kernel, agent, NULL);
}

/* The roles of an agent are managed from its own steps: from another
 * thread, a critical and nothing done. */
static gpointer
request_from_thread (gpointer data)
{
  Ask *ask = data;

  ask->role = janus_agent_request_role (AGENT (ask->role), ask->type, ask->group, NULL, &ask->error);
  return NULL;
}

static void
bad_request_from_foreign_thread (void)
{
  JanusKernel *kernel = janus_kernel_new (2);
  TestAgent *agent = test_agent_new (NULL, NULL);
  g_autoptr(JanusGroup) group = new_group (kernel, org_x);
  Ask ask = { group, role_a, (JanusRole *) agent, NULL };
  GThread *thread;

  launch_ok (kernel, agent, NULL, NULL);
  thread = g_thread_new ("foreign", request_from_thread, &ask);
  g_thread_join (thread);
  g_assert_null (ask.role);
  g_assert_cmpuint (janus_group_count_players (group, G_TYPE_INVALID), ==, 0);
  g_assert_null (janus_agent_get_role (AGENT (agent), role_a, group));
  g_clear_error (&ask.error);
  g_clear_object (&group);
  finish (kernel, agent, NULL);
}

/* ------------------------------------------------------ UUIDs and names */

static void
test_uuids_and_names (void)
{
  static const char *const bad[] = {
    "", "x", "not-a-uuid",
    "zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz",             /* 36 chars of junk */
    "3f2a9c1e-2b1d-4c8e-9a57-1d2e3f4a5b6",               /* one short */
    "3f2a9c1e-2b1d-4c8e-9a57-1d2e3f4a5b6c0",             /* one long */
    "{3f2a9c1e-2b1d-4c8e-9a57-1d2e3f4a5b6c}",
    "3f2a9c1e2b1d4c8e9a571d2e3f4a5b6c",
    "3f2a9c1e-2b1d-4c8e-9a57-1d2e3f4a5b6c\n",
    " 3f2a9c1e-2b1d-4c8e-9a57-1d2e3f4a5b6c",
    "3f2a9c1e-2b1d-4c8e-9a57_1d2e3f4a5b6c",
  };
  JanusKernel *kernel = janus_kernel_new (0);
  g_autoptr(GError) error = NULL;
  g_autoptr(JanusGroup) g1 = NULL, g2 = NULL, found = NULL;
  g_autoptr(GPtrArray) groups = NULL;
  g_autofree char *huge = g_strnfill (1 << 20, 'n');
  g_autofree char *long_uuid = g_strnfill (4096, 'a');
  guint i;

  for (i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_assert_null (janus_kernel_create_group_full (kernel, org_x, NULL, bad[i], NULL, NULL, NULL, &error));
      g_assert_error (error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_INVALID_UUID);
      g_clear_error (&error);
      g_assert_null (janus_kernel_lookup_group (kernel, bad[i]));
    }
  g_assert_null (janus_kernel_create_group_full (kernel, org_x, NULL, long_uuid, NULL, NULL, NULL, &error));
  g_assert_error (error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_INVALID_UUID);
  g_clear_error (&error);

  /* upper case is stored in lower case; the same UUID in another case is taken */
  g1 = janus_kernel_create_group_full (kernel, org_x, huge, "ABCDEF01-2345-4789-ABCD-EF0123456789",
                                      NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (janus_group_get_uuid (g1), ==, "abcdef01-2345-4789-abcd-ef0123456789");
  g_assert_null (janus_kernel_create_group_full (kernel, org_x, NULL, "abcdef01-2345-4789-abcd-EF0123456789",
                                                 NULL, NULL, NULL, &error));
  g_assert_error (error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_GROUP_EXISTS);
  g_clear_error (&error);
  found = janus_kernel_lookup_group (kernel, "ABCDEF01-2345-4789-abcd-ef0123456789");
  g_assert_true (found == g1);
  g_clear_object (&found);
  /* a huge name is kept whole and found; an empty name is a name */
  g_assert_cmpuint (strlen (janus_group_get_name (g1)), ==, 1 << 20);
  found = janus_kernel_lookup_group_by_name (kernel, org_x, huge);
  g_assert_true (found == g1);
  g_clear_object (&found);
  g2 = janus_kernel_create_group_full (kernel, org_x, "", NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  found = janus_kernel_lookup_group_by_name (kernel, G_TYPE_INVALID, "");
  g_assert_true (found == g2);
  g_clear_object (&found);
  g_assert_null (janus_kernel_lookup_group_by_name (kernel, G_TYPE_INVALID, "\xff\xfe"));

  /* a removed group's UUID may be used again */
  g_assert_true (janus_kernel_remove_group (kernel, g1, &error));
  g_assert_no_error (error);
  g_assert_null (janus_kernel_lookup_group (kernel, "abcdef01-2345-4789-abcd-ef0123456789"));
  g_assert_false (janus_kernel_remove_group (kernel, g1, &error));
  g_assert_error (error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_NOT_A_MEMBER);
  g_clear_error (&error);
  found = janus_kernel_create_group_full (kernel, org_x, NULL, "abcdef01-2345-4789-abcd-ef0123456789",
                                          NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (found != g1);
  g_clear_object (&found);
  groups = janus_kernel_list_groups (kernel);
  g_assert_cmpuint (groups->len, ==, 2);
  g_clear_pointer (&groups, g_ptr_array_unref);
  g_clear_object (&g1);
  g_clear_object (&g2);
  finish (kernel, NULL);
}

/* Two kernels: a group of one is not removed by the other. */
static void
test_wrong_kernel (void)
{
  JanusKernel *k1 = janus_kernel_new (0), *k2 = janus_kernel_new (0);
  g_autoptr(JanusGroup) group = new_group (k1, org_x);
  g_autoptr(GError) error = NULL;

  g_assert_false (janus_kernel_remove_group (k2, group, &error));
  g_assert_error (error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_WRONG_KERNEL);
  g_clear_error (&error);
  g_assert_null (janus_kernel_lookup_group (k2, janus_group_get_uuid (group)));
  /* once k1 is gone, k2 still refuses, and the group says it is gone */
  finish (k1, NULL);
  g_assert_false (janus_group_is_alive (group));
  g_assert_null (janus_group_get_kernel (group));
  g_assert_null (janus_organization_get_kernel (janus_group_get_organization (group)));
  g_assert_false (janus_kernel_remove_group (k2, group, &error));
  g_assert_error (error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_WRONG_KERNEL);
  /* every setter on the orphan is harmless */
  janus_group_set_persistent (group, TRUE);
  janus_group_set_idle_timeout (group, 1);
  janus_group_set_persistent (group, FALSE);
  janus_group_set_selection_policy (group, JANUS_SELECTION_ROUND_ROBIN);
  g_assert_false (janus_group_is_alive (group));
  g_clear_object (&group);
  finish (k2, NULL);
}

/* ----------------------------------------- cardinality, concurrent takers */

typedef struct
{
  GMutex      lock;
  GCond       cond;
  JanusGroup *group;
  GType       type;
  atomic_int  done;
  atomic_int  won;
  atomic_int  full;
  atomic_int  other;
} Race;

static void
race_take (TestAgent *agent,
           gpointer   data)
{
  Race *race = data;
  g_autoptr(GError) error = NULL;

  if (janus_agent_request_role (AGENT (agent), race->type, race->group, NULL, &error) != NULL)
    atomic_fetch_add (&race->won, 1);
  else if (g_error_matches (error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_CARDINALITY_FULL))
    atomic_fetch_add (&race->full, 1);
  else
    atomic_fetch_add (&race->other, 1);
  test_bump (&race->lock, &race->cond, &race->done);
}

static void
test_cardinality_race (gconstpointer data)
{
  guint workers = GPOINTER_TO_UINT (data);
  const guint n = test_small () ? 8 : 24, rounds = test_small () ? 2 : 6;
  guint round, i;

  for (round = 0; round < rounds; round++)
    {
      JanusKernel *kernel = janus_kernel_new (workers);
      GType type = round % 2 ? role_b : role_c;
      guint max = round % 2 ? 1 : 3;
      Race race = { .type = type };
      g_autoptr(GPtrArray) agents = g_ptr_array_new_with_free_func (g_object_unref);

      g_mutex_init (&race.lock);
      g_cond_init (&race.cond);
      race.group = new_group (kernel, org_x);
      for (i = 0; i < n; i++)
        {
          TestAgent *agent = test_agent_new (NULL, &race);
          agent->on_activate = race_take;
          launch_ok (kernel, agent, NULL, NULL);
          g_ptr_array_add (agents, agent);
        }
      if (workers == 0)
        step_until_idle (kernel, 100);
      g_assert_true (test_wait_count (&race.lock, &race.cond, &race.done, n));
      g_assert_cmpint (race.won, ==, max);
      g_assert_cmpint (race.full, ==, n - max);
      g_assert_cmpint (race.other, ==, 0);
      g_assert_cmpuint (janus_group_count_players (race.group, type), ==, max);
      {
        g_autoptr(GPtrArray) players = janus_group_list_players (race.group, type);
        g_assert_cmpuint (players->len, ==, max);
      }
      finish (kernel, NULL);
      /* every player left with its death: the group is gone */
      g_assert_false (janus_group_is_alive (race.group));
      g_assert_cmpuint (janus_group_count_players (race.group, G_TYPE_INVALID), ==, 0);
      g_clear_object (&race.group);
      g_mutex_clear (&race.lock);
      g_cond_clear (&race.cond);
    }
}

/* ------------------------------ selection functions replaced while used */

#define SEL_MAGIC 0x5e1ec7u

typedef struct
{
  guint       magic;
  guint       pick;
  atomic_int *bad;
} SelData;

static guint
sel_func (JanusGroup          *group,
          const JanusAddress **candidates,
          guint                n,
          gpointer             user_data)
{
  SelData *sel = user_data;

  if (sel->magic != SEL_MAGIC)
    atomic_fetch_add (sel->bad, 1);
  /* a function that takes its time: the replacer runs meanwhile */
  g_thread_yield ();
  if (sel->magic != SEL_MAGIC)
    atomic_fetch_add (sel->bad, 1);
  return sel->pick % n;
}

static void
sel_free (gpointer data)
{
  SelData *sel = data;

  /* what a reader of freed data would see (ASan sees the read itself) */
  sel->magic = 0;
  g_free (sel);
}

typedef struct
{
  JanusRole  *sender;
  guint       n;
  atomic_int  sent;
  atomic_int  failed;
} Sending;

static gpointer
send_thread (gpointer data)
{
  Sending *s = data;
  guint i;

  for (i = 0; i < s->n; i++)
    {
      g_autoptr(GError) error = NULL;

      if (janus_role_send (s->sender, role_a, janus_message_new_int64 ("m", i), NULL, &error))
        atomic_fetch_add (&s->sent, 1);
      else
        atomic_fetch_add (&s->failed, 1);
    }
  return NULL;
}

static void
do_take_a (TestAgent *agent,
           gpointer   data)
{
  take (agent, role_a, data);
}

static void
do_take_c (TestAgent *agent,
           gpointer   data)
{
  take (agent, role_c, data);
}

static void
test_selection_replaced (void)
{
  const guint n = test_small () ? 300 : 3000;
  JanusKernel *kernel = janus_kernel_new (2);
  g_autoptr(JanusGroup) group = new_group (kernel, org_x);
  TestAgent *receivers[3], *sender = launch_alive (kernel, test_agent_new (NULL, NULL));
  atomic_int bad = 0;
  Sending s = { .n = n };
  GThread *threads[2];
  guint i, received = 0;

  for (i = 0; i < 3; i++)
    {
      receivers[i] = launch_alive (kernel, test_agent_new (NULL, NULL));
      agent_do (kernel, receivers[i], do_take_a, group);
    }
  agent_do (kernel, sender, do_take_c, group);
  s.sender = janus_agent_get_role (AGENT (sender), role_c, group);
  g_assert_nonnull (s.sender);
  for (i = 0; i < 2; i++)
    threads[i] = g_thread_new ("sender", send_thread, &s);
  /* replaced (and the old data freed) while the senders choose */
  for (i = 0; atomic_load (&s.sent) + atomic_load (&s.failed) < (int) (2 * n); i++)
    {
      SelData *sel = g_new (SelData, 1);

      sel->magic = SEL_MAGIC;
      sel->pick = i;
      sel->bad = &bad;
      janus_group_set_selection_func (group, sel_func, sel, sel_free);
      if (i % 64 == 63)
        janus_group_set_selection_policy (group, JANUS_SELECTION_ROUND_ROBIN);
    }
  for (i = 0; i < 2; i++)
    g_thread_join (threads[i]);
  g_assert_cmpint (bad, ==, 0);
  g_assert_cmpint (s.failed, ==, 0);
  g_assert_cmpint (s.sent, ==, 2 * n);
  /* every message reached one receiver's role: all had arrived before
   * these steps, which step the roles that got them */
  for (i = 0; i < 3; i++)
    {
      TestRole *role = TEST_ROLE (janus_agent_get_role (AGENT (receivers[i]), role_a, group));

      agent_do (kernel, receivers[i], noop, NULL);
      agent_do (kernel, receivers[i], noop, NULL);
      g_mutex_lock (&role->lock);
      received += role->got->len;
      g_mutex_unlock (&role->lock);
    }
  g_assert_cmpuint (received, ==, 2 * n);
  g_clear_object (&group);
  finish (kernel, sender, receivers[0], receivers[1], receivers[2], NULL);
}

/* A selection function that replaces itself while it chooses: its data
 * goes only once it returned. */
static guint
sel_replaces_itself (JanusGroup          *group,
                     const JanusAddress **candidates,
                     guint                n,
                     gpointer             user_data)
{
  SelData *sel = user_data;
  SelData *next = g_new (SelData, 1);

  next->magic = SEL_MAGIC;
  next->pick = sel->pick + 1;
  next->bad = sel->bad;
  janus_group_set_selection_func (group, sel_replaces_itself, next, sel_free);
  /* still ours until we return */
  if (sel->magic != SEL_MAGIC)
    atomic_fetch_add (sel->bad, 1);
  return sel->pick % n;
}

static void
test_selection_replaces_itself (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  g_autoptr(JanusGroup) group = new_group (kernel, org_x);
  TestAgent *r1 = launch_alive (kernel, test_agent_new (NULL, NULL));
  TestAgent *r2 = launch_alive (kernel, test_agent_new (NULL, NULL));
  TestAgent *sender = launch_alive (kernel, test_agent_new (NULL, NULL));
  SelData *first = g_new (SelData, 1);
  atomic_int bad = 0;
  JanusRole *role;
  guint i;

  first->magic = SEL_MAGIC;
  first->pick = 0;
  first->bad = &bad;
  agent_do (kernel, r1, do_take_a, group);
  agent_do (kernel, r2, do_take_a, group);
  agent_do (kernel, sender, do_take_c, group);
  role = janus_agent_get_role (AGENT (sender), role_c, group);
  janus_group_set_selection_func (group, sel_replaces_itself, first, sel_free);
  for (i = 0; i < 6; i++)
    {
      g_autoptr(JanusAddress) to = NULL;

      g_assert_true (janus_role_send (role, role_a, janus_message_new ("m", NULL), &to, NULL));
      /* picks 0, 1, 2…: alternates between the two receivers */
      g_assert_true (janus_address_equal (to, ADDR (i % 2 ? r2 : r1)));
    }
  g_assert_cmpint (bad, ==, 0);
  g_clear_object (&group);
  finish (kernel, r1, r2, sender, NULL);
}

/* A selection function that answers out of range: a warning, the first
 * candidate, and the message still goes. */
static guint
sel_out_of_range (JanusGroup          *group,
                  const JanusAddress **candidates,
                  guint                n,
                  gpointer             user_data)
{
  return GPOINTER_TO_UINT (user_data);
}

static void
test_selection_out_of_range (void)
{
  static const guint answers[] = { 2, 3, G_MAXUINT };
  JanusKernel *kernel = janus_kernel_new (0);
  g_autoptr(JanusGroup) group = new_group (kernel, org_x);
  TestAgent *r1 = launch_alive (kernel, test_agent_new (NULL, NULL));
  TestAgent *r2 = launch_alive (kernel, test_agent_new (NULL, NULL));
  TestAgent *sender = launch_alive (kernel, test_agent_new (NULL, NULL));
  JanusRole *role;
  guint i;

  agent_do (kernel, r1, do_take_a, group);
  agent_do (kernel, r2, do_take_a, group);
  agent_do (kernel, sender, do_take_c, group);
  role = janus_agent_get_role (AGENT (sender), role_c, group);
  for (i = 0; i < G_N_ELEMENTS (answers); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JanusAddress) to = NULL;

      janus_group_set_selection_func (group, sel_out_of_range, GUINT_TO_POINTER (answers[i]), NULL);
      g_test_expect_message ("Janus", G_LOG_LEVEL_WARNING, "*selection function*");
      g_assert_true (janus_role_send (role, role_a, janus_message_new ("m", NULL), &to, &error));
      g_test_assert_expected_messages ();
      g_assert_no_error (error);
      g_assert_true (janus_address_equal (to, ADDR (r1)) || janus_address_equal (to, ADDR (r2)));
    }
  step_until_idle (kernel, 100);
  g_assert_cmpuint (TEST_ROLE (janus_agent_get_role (AGENT (r1), role_a, group))->got->len
                    + TEST_ROLE (janus_agent_get_role (AGENT (r2), role_a, group))->got->len,
                    ==, G_N_ELEMENTS (answers));
  g_clear_object (&group);
  finish (kernel, r1, r2, sender, NULL);
}

/* ---------------------------------------------- players that come and go */

#define N_SLOTS 3

typedef struct
{
  GMutex      lock;
  GCond       cond;
  JanusGroup *slots[N_SLOTS];   /* guarded by lock */
  GType       role;             /* what the players take and leave */
  guint       iterations;
  atomic_int  done;
  atomic_int  taken;
  atomic_int  left;
  atomic_int  gone;             /* NOT_A_MEMBER: the group died meanwhile */
  atomic_int  refused;          /* a condition or the policy refused */
  atomic_int  unexpected;
  atomic_int  stale;            /* a role in a group that is not alive */
} Churn;

static JanusGroup *
churn_pick (Churn *c,
            guint  i)
{
  JanusGroup *group;

  g_mutex_lock (&c->lock);
  group = g_object_ref (c->slots[i % N_SLOTS]);
  g_mutex_unlock (&c->lock);
  return group;
}

static JanusLive
churn_live (TestAgent *self)
{
  Churn *c = self->data;
  g_autoptr(JanusGroup) group = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) roles = NULL;
  JanusRole *role;
  guint i;

  if (self->mode)
    return JANUS_LIVE_WAIT;
  /* a role this agent plays is in a living group */
  roles = janus_agent_list_roles (AGENT (self));
  for (i = 0; i < roles->len; i++)
    if (!janus_group_is_alive (janus_role_get_group (roles->pdata[i])))
      atomic_fetch_add (&c->stale, 1);
  if (self->count >= c->iterations)
    {
      janus_agent_leave_all_roles (AGENT (self), NULL);
      self->mode = 1;
      test_bump (&c->lock, &c->cond, &c->done);
      return JANUS_LIVE_WAIT;
    }
  group = churn_pick (c, self->count + self->end_takes);
  role = janus_agent_get_role (AGENT (self), c->role, group);
  if (role != NULL)
    {
      if (janus_agent_leave_role (AGENT (self), c->role, group, &error))
        atomic_fetch_add (&c->left, 1);
      else
        atomic_fetch_add (&c->unexpected, 1);
    }
  else if (janus_agent_request_role (AGENT (self), c->role, group, NULL, &error) != NULL)
    atomic_fetch_add (&c->taken, 1);
  else if (g_error_matches (error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_NOT_A_MEMBER))
    {
      /* the group died meanwhile: not a move; its slot is replaced soon */
      atomic_fetch_add (&c->gone, 1);
      return JANUS_LIVE_AGAIN;
    }
  else if (g_error_matches (error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_CONDITION_FAILED))
    atomic_fetch_add (&c->refused, 1);
  else
    atomic_fetch_add (&c->unexpected, 1);
  self->count++;
  return JANUS_LIVE_AGAIN;
}

static void
churn_init (Churn *c,
            guint  iterations)
{
  memset (c, 0, sizeof *c);
  g_mutex_init (&c->lock);
  g_cond_init (&c->cond);
  c->role = role_a;
  c->iterations = iterations;
}

static void
churn_clear (Churn *c)
{
  guint i;

  for (i = 0; i < N_SLOTS; i++)
    g_clear_object (&c->slots[i]);
  g_mutex_clear (&c->lock);
  g_cond_clear (&c->cond);
}

static GPtrArray *
churn_launch (JanusKernel *kernel,
              Churn       *c,
              guint        n)
{
  GPtrArray *agents = g_ptr_array_new_with_free_func (g_object_unref);
  guint i;

  for (i = 0; i < n; i++)
    {
      TestAgent *agent = test_agent_new (churn_live, c);

      /* each starts at another slot */
      agent->end_takes = i;
      launch_ok (kernel, agent, NULL, NULL);
      g_ptr_array_add (agents, agent);
    }
  return agents;
}

/* Two foreign threads reconfigure a group (conditions, policy, persistence,
 * idle time-out, selection) while four players come and go on two
 * workers. */
typedef struct
{
  JanusGroup *group;
  guint       n;
  atomic_int  errors;
} Reconf;

static gpointer
reconf_thread (gpointer data)
{
  Reconf *r = data;
  guint i;

  for (i = 0; i < r->n; i++)
    {
      g_autoptr(JanusCondition) ok = janus_condition_new ("ok", always, NULL, NULL);
      g_autoptr(JanusCondition) policy = janus_condition_new ("policy", always, NULL, NULL);
      g_autoptr(GPtrArray) list = NULL;

      janus_group_add_obtain_condition (r->group, ok);
      list = janus_group_list_obtain_conditions (r->group);
      if (!g_ptr_array_find (list, ok, NULL))
        atomic_fetch_add (&r->errors, 1);
      if (!janus_group_remove_obtain_condition (r->group, ok))
        atomic_fetch_add (&r->errors, 1);
      janus_group_add_leave_condition (r->group, ok);
      g_clear_pointer (&list, g_ptr_array_unref);
      list = janus_group_list_leave_conditions (r->group);
      if (!g_ptr_array_find (list, ok, NULL))
        atomic_fetch_add (&r->errors, 1);
      if (!janus_group_remove_leave_condition (r->group, ok))
        atomic_fetch_add (&r->errors, 1);
      if (janus_group_remove_leave_condition (r->group, ok))
        atomic_fetch_add (&r->errors, 1);
      janus_group_set_membership_policy (r->group, i % 2 ? policy : NULL);
      janus_group_set_persistent (r->group, TRUE);
      janus_group_set_idle_timeout (r->group, i % 2 ? (gint64) 3600 * G_USEC_PER_SEC : 0);
      janus_group_set_selection_policy (r->group, i % 2 ? JANUS_SELECTION_ROUND_ROBIN
                                                        : JANUS_SELECTION_RANDOM);
      (void) janus_group_count_players (r->group, role_a);
      g_clear_pointer (&list, g_ptr_array_unref);
      list = janus_group_list_players (r->group, G_TYPE_INVALID);
    }
  return NULL;
}

static void
test_reconfigure_from_threads (void)
{
  JanusKernel *kernel = janus_kernel_new (2);
  g_autoptr(GPtrArray) agents = NULL, players = NULL, obtain = NULL, leave_c = NULL;
  Reconf r = { .n = test_small () ? 200 : 2000 };
  g_autoptr(JanusGroup) found = NULL;
  GThread *threads[2];
  Churn c;
  guint i;

  churn_init (&c, test_small () ? 100 : 1000);
  /* a fresh group per slot: the conditions' lists do not exist yet */
  r.group = janus_kernel_create_group (kernel, org_x, NULL);
  janus_group_set_persistent (r.group, TRUE);
  for (i = 0; i < N_SLOTS; i++)
    c.slots[i] = g_object_ref (r.group);
  for (i = 0; i < 2; i++)
    threads[i] = g_thread_new ("reconf", reconf_thread, &r);
  agents = churn_launch (kernel, &c, 4);
  g_assert_true (test_wait_count (&c.lock, &c.cond, &c.done, 4));
  for (i = 0; i < 2; i++)
    g_thread_join (threads[i]);
  g_assert_cmpint (r.errors, ==, 0);
  g_assert_cmpint (c.unexpected, ==, 0);
  g_assert_cmpint (c.stale, ==, 0);
  g_assert_cmpint (c.gone, ==, 0);
  g_assert_cmpint (c.refused, ==, 0);
  g_assert_cmpint (c.taken, >, 0);
  /* everybody left; the group stays (persistent) and is found */
  g_assert_cmpuint (janus_group_count_players (r.group, G_TYPE_INVALID), ==, 0);
  players = janus_group_list_players (r.group, G_TYPE_INVALID);
  g_assert_cmpuint (players->len, ==, 0);
  obtain = janus_group_list_obtain_conditions (r.group);
  leave_c = janus_group_list_leave_conditions (r.group);
  g_assert_cmpuint (obtain->len, ==, 0);
  g_assert_cmpuint (leave_c->len, ==, 0);
  g_assert_true (janus_group_is_alive (r.group));
  found = janus_kernel_lookup_group (kernel, janus_group_get_uuid (r.group));
  g_assert_true (found == r.group);
  g_clear_object (&found);
  g_clear_object (&r.group);
  churn_clear (&c);
  finish (kernel, NULL);
}

/* The first condition of a fresh group is added on one thread while
 * another lists and removes: the lists themselves are made by that first
 * add. */
typedef struct
{
  JanusGroup     *group;
  JanusCondition *cond;
  gboolean        listed_ok;
} FirstAdd;

static gpointer
first_add_thread (gpointer data)
{
  FirstAdd *f = data;

  janus_group_add_obtain_condition (f->group, f->cond);
  janus_group_add_leave_condition (f->group, f->cond);
  return NULL;
}

static gpointer
first_list_thread (gpointer data)
{
  FirstAdd *f = data;
  g_autoptr(GPtrArray) obtain = janus_group_list_obtain_conditions (f->group);
  g_autoptr(GPtrArray) leave_c = janus_group_list_leave_conditions (f->group);
  g_autoptr(JanusCondition) other = janus_condition_new ("other", always, NULL, NULL);

  f->listed_ok = obtain->len <= 1 && leave_c->len <= 1
                 && !janus_group_remove_obtain_condition (f->group, other)
                 && !janus_group_remove_leave_condition (f->group, other);
  return NULL;
}

static void
test_first_condition_race (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  const guint rounds = test_small () ? 20 : 200;
  guint round;

  for (round = 0; round < rounds; round++)
    {
      g_autoptr(JanusCondition) cond = janus_condition_new ("ok", always, NULL, NULL);
      g_autoptr(GPtrArray) obtain = NULL, leave_c = NULL;
      FirstAdd f = { new_group (kernel, org_x), cond, FALSE };
      GThread *a = g_thread_new ("add", first_add_thread, &f);
      GThread *b = g_thread_new ("list", first_list_thread, &f);

      g_thread_join (a);
      g_thread_join (b);
      g_assert_true (f.listed_ok);
      obtain = janus_group_list_obtain_conditions (f.group);
      leave_c = janus_group_list_leave_conditions (f.group);
      g_assert_cmpuint (obtain->len, ==, 1);
      g_assert_cmpuint (leave_c->len, ==, 1);
      g_assert_true (janus_kernel_remove_group (kernel, f.group, NULL));
      g_object_unref (f.group);
    }
  finish (kernel, NULL);
}

/* janus_kernel_remove_group races with players that take and leave roles
 * on two workers; groups die and are replaced all along. */
typedef struct
{
  GMutex     lock;
  atomic_int created;
  atomic_int removed;
  GPtrArray *removed_groups;    /* guarded by lock: each once */
} GroupSignals;

static void
on_group_created (JanusKernel  *kernel,
                  JanusGroup   *group,
                  GroupSignals *s)
{
  atomic_fetch_add (&s->created, 1);
}

static void
on_group_removed (JanusKernel  *kernel,
                  JanusGroup   *group,
                  GroupSignals *s)
{
  g_mutex_lock (&s->lock);
  g_assert_false (g_ptr_array_find (s->removed_groups, group, NULL));
  g_ptr_array_add (s->removed_groups, g_object_ref (group));
  g_mutex_unlock (&s->lock);
  atomic_fetch_add (&s->removed, 1);
}

static void
group_signals_watch (JanusKernel  *kernel,
                     GroupSignals *s)
{
  memset (s, 0, sizeof *s);
  g_mutex_init (&s->lock);
  s->removed_groups = g_ptr_array_new_with_free_func (g_object_unref);
  g_signal_connect (kernel, "group-created", G_CALLBACK (on_group_created), s);
  g_signal_connect (kernel, "group-removed", G_CALLBACK (on_group_removed), s);
}

static void
group_signals_clear (GroupSignals *s)
{
  g_ptr_array_unref (s->removed_groups);
  g_mutex_clear (&s->lock);
}

/* Every group ever made: alive and listed, or gone, unlisted and signalled
 * once; the living ones are empty (every player left). */
static void
check_group_table (JanusKernel  *kernel,
                   GPtrArray    *all,
                   GroupSignals *s)
{
  g_autoptr(GPtrArray) listed = janus_kernel_list_groups (kernel);
  guint i, alive = 0;

  g_assert_cmpint (s->created, ==, all->len);
  for (i = 0; i < all->len; i++)
    {
      JanusGroup *group = all->pdata[i];
      g_autoptr(JanusGroup) found = janus_kernel_lookup_group (kernel, janus_group_get_uuid (group));
      g_autoptr(GPtrArray) players = janus_group_list_players (group, G_TYPE_INVALID);

      g_assert_cmpuint (players->len, ==, 0);
      g_assert_cmpuint (janus_group_count_players (group, G_TYPE_INVALID), ==, 0);
      if (janus_group_is_alive (group))
        {
          alive++;
          g_assert_true (found == group);
          g_assert_true (janus_group_get_kernel (group) == kernel);
          g_assert_true (g_ptr_array_find (listed, group, NULL));
          g_assert_false (g_ptr_array_find (s->removed_groups, group, NULL));
        }
      else
        {
          g_assert_null (found);
          g_assert_null (janus_group_get_kernel (group));
          g_assert_false (g_ptr_array_find (listed, group, NULL));
          g_assert_true (g_ptr_array_find (s->removed_groups, group, NULL));
        }
    }
  g_assert_cmpuint (listed->len, ==, alive);
  g_assert_cmpint (s->removed, ==, all->len - alive);
}

/* Whether a slot holds a group that is gone. */
static gboolean
slot_dead (Churn *c)
{
  gboolean dead = FALSE;
  guint i;

  g_mutex_lock (&c->lock);
  for (i = 0; i < N_SLOTS && !dead; i++)
    dead = !janus_group_is_alive (c->slots[i]);
  g_mutex_unlock (&c->lock);
  return dead;
}

static JanusGroup *soak_group (JanusKernel *kernel, guint i);

/* Replaces the groups that are gone with new ones (@soak: with idle
 * time-outs). */
static void
replace_dead (JanusKernel *kernel,
              Churn       *c,
              GPtrArray   *all,
              gboolean     soak)
{
  guint i;

  for (i = 0; i < N_SLOTS; i++)
    {
      JanusGroup *old = churn_pick (c, i), *fresh;

      if (!janus_group_is_alive (old))
        {
          fresh = soak ? soak_group (kernel, all->len) : new_group (kernel, org_x);
          /* half of them outlive their last member: removal can win */
          if (!soak)
            janus_group_set_persistent (fresh, i % 2 == 0);
          g_ptr_array_add (all, g_object_ref (fresh));
          g_mutex_lock (&c->lock);
          g_object_unref (c->slots[i]);
          c->slots[i] = fresh;
          g_mutex_unlock (&c->lock);
        }
      g_object_unref (old);
    }
}

static void
test_remove_racing_request (void)
{
  JanusKernel *kernel = janus_kernel_new (2);
  g_autoptr(GPtrArray) agents = NULL;
  g_autoptr(GPtrArray) all = g_ptr_array_new_with_free_func (g_object_unref);
  GroupSignals s;
  Churn c;
  guint i, removed_ok = 0, not_empty = 0, round;

  group_signals_watch (kernel, &s);
  churn_init (&c, test_small () ? 100 : 1500);
  for (i = 0; i < N_SLOTS; i++)
    {
      c.slots[i] = new_group (kernel, org_x);
      janus_group_set_persistent (c.slots[i], i % 2 == 0);
      g_ptr_array_add (all, g_object_ref (c.slots[i]));
    }
  agents = churn_launch (kernel, &c, 4);
  for (round = 0; atomic_load (&c.done) < 4; round++)
    {
      g_autoptr(GError) error = NULL;
      JanusGroup *group;
      int progress = atomic_load (&c.taken) + atomic_load (&c.left);

      replace_dead (kernel, &c, all, FALSE);
      /* one attempt per few moves of the players */
      while (atomic_load (&c.taken) + atomic_load (&c.left) < progress + 3
             && atomic_load (&c.done) < 4 && !slot_dead (&c))
        g_thread_yield ();
      group = churn_pick (&c, round);
      if (janus_kernel_remove_group (kernel, group, &error))
        removed_ok++;
      else if (g_error_matches (error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_GROUP_NOT_EMPTY))
        not_empty++;
      else
        g_assert_error (error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_NOT_A_MEMBER);
      g_object_unref (group);
    }
  g_assert_true (test_wait_count (&c.lock, &c.cond, &c.done, 4));
  g_assert_cmpint (c.unexpected, ==, 0);
  g_assert_cmpint (c.stale, ==, 0);
  g_assert_cmpint (c.taken, >, 0);
  g_test_message ("%u rounds: %u removed, %u not empty, %d taken, %d gone, %u groups",
                  round, removed_ok, not_empty, c.taken, c.gone, all->len);
  check_group_table (kernel, all, &s);
  churn_clear (&c);
  finish (kernel, NULL);
  for (i = 0; i < all->len; i++)
    g_assert_false (janus_group_is_alive (all->pdata[i]));
  group_signals_clear (&s);
}

/* get_or_create_group from many threads at once: one group. */
typedef struct
{
  JanusKernel *kernel;
  GMutex       lock;
  GPtrArray   *got;             /* guarded by lock */
  atomic_int   go;
} GetOrCreate;

static gpointer
get_or_create_thread (gpointer data)
{
  GetOrCreate *g = data;
  g_autoptr(GError) error = NULL;
  JanusGroup *group;

  while (!atomic_load (&g->go))
    g_thread_yield ();
  group = janus_kernel_get_or_create_group (g->kernel, org_x, &error);
  g_assert_no_error (error);
  g_mutex_lock (&g->lock);
  g_ptr_array_add (g->got, group);
  g_mutex_unlock (&g->lock);
  return NULL;
}

static void
test_get_or_create_race (void)
{
  const guint rounds = test_small () ? 10 : 100, n = 4;
  JanusKernel *kernel = janus_kernel_new (0);
  GroupSignals s;
  guint round, i;

  group_signals_watch (kernel, &s);
  for (round = 0; round < rounds; round++)
    {
      GetOrCreate g = { kernel };
      GThread *threads[4];

      g_mutex_init (&g.lock);
      g.got = g_ptr_array_new_with_free_func (g_object_unref);
      for (i = 0; i < n; i++)
        threads[i] = g_thread_new ("get-or-create", get_or_create_thread, &g);
      atomic_store (&g.go, 1);
      for (i = 0; i < n; i++)
        g_thread_join (threads[i]);
      g_assert_cmpuint (g.got->len, ==, n);
      for (i = 1; i < n; i++)
        g_assert_true (g.got->pdata[i] == g.got->pdata[0]);
      g_assert_cmpint (s.created, ==, round + 1);
      g_assert_true (janus_kernel_remove_group (kernel, g.got->pdata[0], NULL));
      g_ptr_array_unref (g.got);
      g_mutex_clear (&g.lock);
    }
  finish (kernel, NULL);
  group_signals_clear (&s);
}

/* --------------------------------------------- release in every order */

/* The kernel goes while idle time-outs are armed on the virtual clock. */
static void
test_unref_with_idle_armed (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  g_autoptr(JanusClock) clock = janus_clock_new_virtual (0, 0);
  g_autoptr(GError) error = NULL;
  JanusGroup *groups[4];
  TestAgent *agent, *busy;
  GroupSignals s;
  guint i;

  janus_kernel_set_clock (kernel, clock);
  group_signals_watch (kernel, &s);
  agent = launch_alive (kernel, test_agent_new (NULL, NULL));
  for (i = 0; i < G_N_ELEMENTS (groups); i++)
    {
      Req r = { NULL, role_a };

      groups[i] = new_group (kernel, org_x);
      r.group = groups[i];
      janus_group_set_persistent (groups[i], TRUE);
      janus_group_set_idle_timeout (groups[i], (i + 1) * 10 * G_USEC_PER_SEC);
      agent_do (kernel, agent, do_req, &r);
      agent_do (kernel, agent, do_leave, &r);
    }
  /* the first expires, the others are still armed (a busy agent keeps
   * the virtual clock from jumping to the next expiry) */
  busy = test_agent_new_countdown (1000);
  launch_ok (kernel, busy, NULL, NULL);
  janus_clock_set_time (clock, 15 * G_USEC_PER_SEC, NULL);
  for (i = 0; i < 5; i++)
    test_step (kernel);
  g_assert_cmpint (s.removed, ==, 1);
  g_assert_false (janus_group_is_alive (groups[0]));
  g_assert_true (janus_group_is_alive (groups[1]));
  finish (kernel, agent, busy, NULL);
  /* not signalled for the groups that went with the kernel */
  g_assert_cmpint (s.removed, ==, 1);
  group_signals_clear (&s);
  for (i = 0; i < G_N_ELEMENTS (groups); i++)
    {
      g_autoptr(JanusCondition) ok = janus_condition_new ("ok", always, NULL, NULL);
      g_autoptr(GPtrArray) players = NULL;

      g_assert_false (janus_group_is_alive (groups[i]));
      g_assert_null (janus_group_get_kernel (groups[i]));
      /* the organization the user still reaches through it has no kernel */
      g_assert_null (janus_organization_get_kernel (janus_group_get_organization (groups[i])));
      janus_group_set_idle_timeout (groups[i], 1);
      janus_group_set_persistent (groups[i], FALSE);
      janus_group_set_persistent (groups[i], TRUE);
      janus_group_add_obtain_condition (groups[i], ok);
      g_assert_true (janus_group_remove_obtain_condition (groups[i], ok));
      players = janus_group_list_players (groups[i], G_TYPE_INVALID);
      g_assert_cmpuint (players->len, ==, 0);
      unref_last (groups[i]);
    }
}

/* The last reference to a kernel with two workers goes on one thread
 * while another reconfigures groups with idle time-outs (which arms the
 * kernel's keeper). */
typedef struct
{
  JanusGroup **groups;
  guint        n;
  atomic_int   stop;
  atomic_int   rounds;
} Toggle;

static gpointer
toggle_thread (gpointer data)
{
  Toggle *t = data;
  guint i = 0;

  while (!atomic_load (&t->stop) || i < 200)
    {
      JanusGroup *group = t->groups[i % t->n];

      janus_group_set_idle_timeout (group, i % 2 ? (gint64) 3600 * G_USEC_PER_SEC : 0);
      janus_group_set_persistent (group, i % 3 != 0);
      janus_group_set_persistent (group, TRUE);
      i++;
      atomic_fetch_add (&t->rounds, 1);
    }
  return NULL;
}

static void
test_unref_while_reconfigured (void)
{
  const guint rounds = test_small () ? 3 : 20;
  guint round, i;

  for (round = 0; round < rounds; round++)
    {
      JanusKernel *kernel = janus_kernel_new (2);
      JanusGroup *groups[3];
      Toggle t = { groups, G_N_ELEMENTS (groups) };
      GThread *thread;
      TestGone gone;

      for (i = 0; i < G_N_ELEMENTS (groups); i++)
        {
          groups[i] = new_group (kernel, org_x);
          janus_group_set_persistent (groups[i], TRUE);
        }
      thread = g_thread_new ("toggle", toggle_thread, &t);
      /* let it run a little, then drop the kernel under it */
      while (atomic_load (&t.rounds) < (int) (round * 5))
        g_thread_yield ();
      test_gone_watch (&gone, kernel);
      g_object_unref (kernel);
      g_assert_true (test_gone_wait (&gone));
      test_gone_clear (&gone);
      atomic_store (&t.stop, 1);
      g_thread_join (thread);
      for (i = 0; i < G_N_ELEMENTS (groups); i++)
        {
          g_assert_false (janus_group_is_alive (groups[i]));
          g_assert_null (janus_group_get_kernel (groups[i]));
          unref_last (groups[i]);
        }
    }
}

/* janus_kernel_remove_group on one thread while the kernel shuts down on
 * another: each group is removed (and signalled) or went with the kernel,
 * never both, never signalled twice. */
typedef struct
{
  JanusKernel *kernel;
  GPtrArray   *groups;
  atomic_int   started;
  guint        removed;
  guint        refused;
} Remover;

static gpointer
remover_thread (gpointer data)
{
  Remover *r = data;
  guint i;

  atomic_store (&r->started, 1);
  for (i = 0; i < r->groups->len; i++)
    {
      g_autoptr(GError) error = NULL;

      if (janus_kernel_remove_group (r->kernel, r->groups->pdata[i], &error))
        r->removed++;
      else
        {
          /* gone with the kernel: before or after its shutdown let go */
          if (!g_error_matches (error, JANUS_KERNEL_ERROR, JANUS_KERNEL_ERROR_STOPPED))
            g_assert_error (error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_NOT_A_MEMBER);
          r->refused++;
        }
    }
  return NULL;
}

static void
test_remove_racing_shutdown (void)
{
  const guint rounds = test_small () ? 3 : 20, n = 64;
  guint round, i;

  for (round = 0; round < rounds; round++)
    {
      Remover r = { janus_kernel_new (2), g_ptr_array_new_with_free_func (g_object_unref) };
      GroupSignals s;
      GThread *thread;

      group_signals_watch (r.kernel, &s);
      for (i = 0; i < n; i++)
        g_ptr_array_add (r.groups, new_group (r.kernel, org_x));
      thread = g_thread_new ("remover", remover_thread, &r);
      while (!atomic_load (&r.started))
        g_thread_yield ();
      janus_kernel_shutdown (r.kernel);
      g_thread_join (thread);
      g_assert_cmpuint (r.removed + r.refused, ==, n);
      /* once shut down: its groups went with it */
      {
        g_autoptr(GError) error = NULL;
        g_assert_false (janus_kernel_remove_group (r.kernel, r.groups->pdata[n - 1], &error));
        g_assert_error (error, JANUS_KERNEL_ERROR, JANUS_KERNEL_ERROR_STOPPED);
      }
      /* a group removed while the kernel went may go unsignalled */
      g_assert_cmpint (s.removed, <=, r.removed);
      for (i = 0; i < n; i++)
        {
          g_assert_false (janus_group_is_alive (r.groups->pdata[i]));
          g_assert_null (janus_group_get_kernel (r.groups->pdata[i]));
        }
      g_assert_finalize_object (r.kernel);
      g_ptr_array_unref (r.groups);
      group_signals_clear (&s);
    }
}

/* A role kept by the user after its player died, its group died, and its
 * kernel went: every getter answers, nothing crashes. */
static void
check_orphan_role (JanusRole  *role,
                   JanusGroup *group,
                   gboolean    kernel_gone)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) messages = NULL;

  g_assert_null (janus_role_get_player (role));
  g_assert_false (janus_role_is_played (role));
  g_assert_true (janus_role_get_group (role) == group);
  g_assert_null (janus_role_get_memory (role));
  g_assert_null (janus_role_get_message (role));
  g_assert_null (janus_role_peek_message (role));
  g_assert_false (janus_role_has_message (role));
  g_assert_cmpuint (janus_role_get_mailbox_size (role), ==, 0);
  messages = janus_role_get_messages (role);
  g_assert_cmpuint (messages->len, ==, 0);
  g_assert_null (janus_role_get_capacity (role, TEST_TYPE_CAP));
  g_assert_null (janus_role_invoke_capacity (role, TEST_TYPE_CAP, NULL, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_false (janus_role_send (role, role_a, janus_message_new ("m", NULL), NULL, &error));
  g_assert_error (error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_ROLE_NOT_PLAYED);
  g_clear_error (&error);
  g_assert_false (janus_role_broadcast (role, role_a, janus_message_new ("m", NULL), NULL, &error));
  g_assert_error (error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_ROLE_NOT_PLAYED);
  g_clear_error (&error);
  if (kernel_gone)
    {
      g_assert_false (janus_role_post (role, janus_message_new ("m", NULL), &error));
      g_assert_error (error, JANUS_KERNEL_ERROR, JANUS_KERNEL_ERROR_STOPPED);
    }
  else
    {
      /* a dead letter of the player's kernel */
      g_assert_true (janus_role_post (role, janus_message_new ("m", NULL), &error));
      g_assert_no_error (error);
    }
  g_clear_error (&error);
  g_assert_false (janus_group_is_alive (group));
  g_assert_null (janus_group_get_kernel (group));
}

static void
test_role_outlives_everything (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  TestAgent *agent = launch_alive (kernel, test_agent_new (NULL, NULL));
  TestAgent *other = launch_alive (kernel, test_agent_new (NULL, NULL));
  g_autoptr(JanusGroup) group = new_group (kernel, org_x);
  Req r = { group, role_a };
  JanusRole *role, *other_role;
  guint64 dead_before;

  agent_do (kernel, agent, do_req, &r);
  agent_do (kernel, other, do_req, &r);
  role = g_object_ref (janus_agent_get_role (AGENT (agent), role_a, group));
  other_role = g_object_ref (janus_agent_get_role (AGENT (other), role_a, group));
  /* the other player's role can still reach this one until it dies */
  kill_and_wait (kernel, agent);
  g_assert_true (janus_group_is_alive (group));
  g_assert_null (janus_role_get_player (role));
  g_assert_false (janus_role_is_played (role));
  g_object_get (kernel, "dead-letters", &dead_before, NULL);
  g_assert_true (janus_role_post (role, janus_message_new ("late", NULL), NULL));
  {
    guint64 dead_after;
    g_object_get (kernel, "dead-letters", &dead_after, NULL);
    g_assert_cmpuint (dead_after, ==, dead_before + 1);
  }
  /* the group dies with its last member */
  kill_and_wait (kernel, other);
  check_orphan_role (role, group, FALSE);
  check_orphan_role (other_role, group, FALSE);
  finish (kernel, agent, other, NULL);
  check_orphan_role (role, group, TRUE);
  check_orphan_role (other_role, group, TRUE);
  g_clear_object (&group);
  /* the role keeps its group to the end */
  g_assert_true (JANUS_IS_GROUP (janus_role_get_group (role)));
  unref_last (role);
  unref_last (other_role);
}

/* ------------------------------------------- re-entrant conditions */

typedef enum
{
  REENTER_REQUEST,      /* takes another role of the same agent */
  REENTER_LEAVE,        /* leaves another role of the same agent */
  REENTER_REMOVE_GROUP, /* removes the (empty) group being joined */
  REENTER_REMOVE_SELF,  /* removes itself from the group's conditions */
  REENTER_POLICY,       /* replaces the membership policy being evaluated */
} Reenter;

typedef struct
{
  Reenter         mode;
  JanusGroup     *group;
  JanusCondition *self;         /* borrowed */
  guint           calls;
  gboolean        inner_ok;
  GError         *inner_error;
} ReenterData;

static gboolean
reenter_func (JanusAgent *agent,
              JanusGroup *group,
              GType       role_type,
              gpointer    user_data)
{
  ReenterData *d = user_data;

  if (role_type != role_c || d->calls++ > 0)
    return TRUE;
  switch (d->mode)
    {
    case REENTER_REQUEST:
      d->inner_ok = janus_agent_request_role (agent, role_b, group, NULL, &d->inner_error) != NULL;
      break;
    case REENTER_LEAVE:
      d->inner_ok = janus_agent_leave_role (agent, role_a, group, &d->inner_error);
      break;
    case REENTER_REMOVE_GROUP:
      d->inner_ok = janus_kernel_remove_group (janus_group_get_kernel (group), group, &d->inner_error);
      break;
    case REENTER_REMOVE_SELF:
      d->inner_ok = janus_group_remove_obtain_condition (group, d->self);
      break;
    case REENTER_POLICY:
      janus_group_set_membership_policy (group, NULL);
      d->inner_ok = TRUE;
      break;
    }
  return TRUE;
}

static void
test_reentrant_condition (gconstpointer data)
{
  Reenter mode = GPOINTER_TO_INT (data);
  JanusKernel *kernel = janus_kernel_new (0);
  TestAgent *agent = launch_alive (kernel, test_agent_new (NULL, NULL));
  g_autoptr(JanusGroup) group = new_group (kernel, org_x);
  ReenterData d = { mode, group };
  g_autoptr(JanusCondition) cond = janus_condition_new ("reenter", reenter_func, &d, NULL);
  g_autoptr(GPtrArray) roles = NULL;
  Ask ask = { group, role_c, NULL, NULL };
  Req a = { group, role_a };

  d.self = cond;
  if (mode == REENTER_POLICY)
    janus_group_set_membership_policy (group, cond);
  else
    janus_group_add_obtain_condition (group, cond);
  janus_group_set_persistent (group, TRUE);
  if (mode == REENTER_LEAVE)
    agent_do (kernel, agent, do_req, &a);
  agent_do (kernel, agent, do_ask, &ask);
  g_assert_cmpuint (d.calls, >=, 1);
  switch (mode)
    {
    case REENTER_REQUEST:
      g_assert_true (d.inner_ok);
      g_assert_no_error (ask.error);
      g_assert_nonnull (ask.role);
      g_assert_cmpuint (janus_group_count_players (group, G_TYPE_INVALID), ==, 2);
      break;
    case REENTER_LEAVE:
      g_assert_true (d.inner_ok);
      g_assert_no_error (ask.error);
      g_assert_nonnull (ask.role);
      g_assert_cmpuint (janus_group_count_players (group, role_a), ==, 0);
      g_assert_cmpuint (janus_group_count_players (group, role_c), ==, 1);
      break;
    case REENTER_REMOVE_GROUP:
      /* removed while being joined: the join fails, nothing is left over */
      g_assert_true (d.inner_ok);
      g_assert_null (ask.role);
      g_assert_error (ask.error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_NOT_A_MEMBER);
      g_assert_false (janus_group_is_alive (group));
      g_assert_cmpuint (janus_group_count_players (group, G_TYPE_INVALID), ==, 0);
      g_assert_null (janus_agent_get_role (AGENT (agent), role_c, group));
      break;
    case REENTER_REMOVE_SELF:
      g_assert_true (d.inner_ok);
      g_assert_nonnull (ask.role);
      {
        g_autoptr(GPtrArray) list = janus_group_list_obtain_conditions (group);
        g_assert_cmpuint (list->len, ==, 0);
      }
      break;
    case REENTER_POLICY:
      g_assert_nonnull (ask.role);
      {
        g_autoptr(JanusCondition) policy = janus_group_get_membership_policy (group);
        g_assert_null (policy);
      }
      break;
    }
  g_clear_error (&ask.error);
  g_clear_error (&d.inner_error);
  /* the agent's roles and the group agree */
  roles = janus_agent_list_roles (AGENT (agent));
  g_assert_cmpuint (roles->len, ==, janus_group_count_players (group, G_TYPE_INVALID));
  g_clear_pointer (&roles, g_ptr_array_unref);
  finish (kernel, agent, NULL);
  g_clear_object (&group);
}

/* --------------------------------------------------------- bounded soak */

/* Players take and leave roles in groups with idle time-outs on a virtual
 * clock the test moves on; groups expire, are removed and replaced; then
 * the kernel's group table must agree with every group's own view. */
static JanusGroup *
soak_group (JanusKernel *kernel,
            guint        i)
{
  JanusGroup *group = new_group (kernel, org_x);

  janus_group_set_persistent (group, i % 4 != 3);
  janus_group_set_idle_timeout (group, (i % 3 + 1) * 100 * G_USEC_PER_SEC / 1000);
  return group;
}

static void
test_soak (gconstpointer data)
{
  guint workers = GPOINTER_TO_UINT (data);
  JanusKernel *kernel = janus_kernel_new (workers);
  g_autoptr(JanusClock) clock = janus_clock_new_virtual (0, 0);
  g_autoptr(GPtrArray) agents = NULL;
  g_autoptr(GPtrArray) all = g_ptr_array_new_with_free_func (g_object_unref);
  const guint n_agents = 6;
  guint i, round, removed_ok = 0;
  GroupSignals s;
  Churn c;

  janus_kernel_set_clock (kernel, clock);
  group_signals_watch (kernel, &s);
  churn_init (&c, test_small () ? 60 : 600);
  for (i = 0; i < N_SLOTS; i++)
    {
      c.slots[i] = soak_group (kernel, i);
      g_ptr_array_add (all, g_object_ref (c.slots[i]));
    }
  agents = churn_launch (kernel, &c, n_agents);
  for (round = 0; atomic_load (&c.done) < (int) n_agents; round++)
    {
      JanusGroup *group = churn_pick (&c, round);

      g_assert_cmpuint (round, <, 10000000);
      if (workers == 0)
        test_step (kernel);
      janus_clock_advance (clock, 37 * G_USEC_PER_SEC / 1000, NULL);
      if (round % 11 == 0 && janus_kernel_remove_group (kernel, group, NULL))
        removed_ok++;
      g_object_unref (group);
      replace_dead (kernel, &c, all, TRUE);
    }
  g_assert_true (test_wait_count (&c.lock, &c.cond, &c.done, n_agents));
  if (workers == 0)
    step_until_idle (kernel, 1000);
  g_assert_cmpint (c.unexpected, ==, 0);
  g_assert_cmpint (c.stale, ==, 0);
  g_assert_cmpint (c.taken, >, 0);
  g_test_message ("%u rounds, %u groups, %u removed, %d expired or emptied, %d taken, %d gone",
                  round, all->len, removed_ok, s.removed - (int) removed_ok, c.taken, c.gone);
  check_group_table (kernel, all, &s);
  churn_clear (&c);
  finish (kernel, NULL);
  for (i = 0; i < all->len; i++)
    g_assert_false (janus_group_is_alive (all->pdata[i]));
  group_signals_clear (&s);
}

/* A condition of a role class that removes itself while the class's
 * conditions are checked: the next condition is still checked. */
typedef struct
{
  JanusCondition *self;         /* borrowed */
  guint           calls;
} SelfRemover;

static gboolean
remove_self_from_class (JanusAgent *agent,
                        JanusGroup *group,
                        GType       role_type,
                        gpointer    data)
{
  SelfRemover *r = data;

  r->calls++;
  g_assert_true (janus_role_type_remove_obtain_condition (role_type, r->self));
  return TRUE;
}

static gboolean
refuse (JanusAgent *agent,
        JanusGroup *group,
        GType       role_type,
        gpointer    data)
{
  return FALSE;
}

static void
test_class_condition_removes_itself (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  TestAgent *agent = launch_alive (kernel, test_agent_new (NULL, NULL));
  g_autoptr(JanusGroup) group = new_group (kernel, org_x);
  SelfRemover r = { 0 };
  JanusCondition *c1 = janus_condition_new ("removes itself", remove_self_from_class, &r, NULL);
  JanusCondition *c2 = janus_condition_new ("refuses", refuse, NULL, NULL);
  g_autoptr(GPtrArray) list = NULL;
  Ask ask = { group, role_cond, NULL, NULL };

  r.self = c1;
  janus_role_type_add_obtain_condition (role_cond, c1);
  janus_role_type_add_obtain_condition (role_cond, c2);
  /* the class holds the only references */
  g_object_unref (c1);
  g_object_unref (c2);
  agent_do (kernel, agent, do_ask, &ask);
  g_assert_cmpuint (r.calls, ==, 1);
  g_assert_null (ask.role);
  g_assert_error (ask.error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_CONDITION_FAILED);
  g_assert_nonnull (strstr (ask.error->message, "refuses"));
  g_clear_error (&ask.error);
  list = janus_role_type_list_obtain_conditions (role_cond);
  g_assert_cmpuint (list->len, ==, 1);
  g_assert_true (list->pdata[0] == c2);
  g_assert_true (janus_role_type_remove_obtain_condition (role_cond, c2));
  g_clear_pointer (&list, g_ptr_array_unref);
  agent_do (kernel, agent, do_ask, &ask);
  g_assert_no_error (ask.error);
  g_assert_nonnull (ask.role);
  g_assert_cmpuint (r.calls, ==, 1);
  g_clear_object (&group);
  finish (kernel, agent, NULL);
}

/* A foreign thread adds and removes a role class's conditions while
 * players take and leave roles of it on two workers. */
static gpointer
class_conditions_thread (gpointer data)
{
  Churn *c = data;
  guint i = 0;

  while (atomic_load (&c->done) < 4)
    {
      JanusCondition *ok = janus_condition_new ("ok", always, NULL, NULL);

      if (i++ % 2)
        janus_role_type_add_obtain_condition (role_cond, ok);
      else
        janus_role_type_add_leave_condition (role_cond, ok);
      /* the class's reference is the last: removed while checked */
      g_object_unref (ok);
      g_thread_yield ();
      if (!janus_role_type_remove_obtain_condition (role_cond, ok)
          && !janus_role_type_remove_leave_condition (role_cond, ok))
        atomic_fetch_add (&c->unexpected, 1);
    }
  return NULL;
}

static void
test_class_conditions_from_thread (void)
{
  JanusKernel *kernel = janus_kernel_new (2);
  g_autoptr(GPtrArray) agents = NULL, obtain = NULL, leave_c = NULL;
  GThread *thread;
  Churn c;
  guint i;

  churn_init (&c, test_small () ? 100 : 1000);
  c.role = role_cond;
  for (i = 0; i < N_SLOTS; i++)
    {
      c.slots[i] = new_group (kernel, org_x);
      janus_group_set_persistent (c.slots[i], TRUE);
    }
  thread = g_thread_new ("class-conditions", class_conditions_thread, &c);
  agents = churn_launch (kernel, &c, 4);
  g_assert_true (test_wait_count (&c.lock, &c.cond, &c.done, 4));
  g_thread_join (thread);
  g_assert_cmpint (c.unexpected, ==, 0);
  g_assert_cmpint (c.refused, ==, 0);
  g_assert_cmpint (c.taken, >, 0);
  obtain = janus_role_type_list_obtain_conditions (role_cond);
  leave_c = janus_role_type_list_leave_conditions (role_cond);
  g_assert_cmpuint (obtain->len, ==, 0);
  g_assert_cmpuint (leave_c->len, ==, 0);
  churn_clear (&c);
  finish (kernel, NULL);
}

/* -------------------------------------- capacity calls cut short */

/* A gate the test owns: a capacity waits at it and answers late. */
typedef struct
{
  GMutex     lock;
  GCond      cond;
  atomic_int at_gate;
  gboolean   open;
  atomic_int finished;
} Gate;

typedef struct
{
  GObject  parent_instance;
  Gate    *gate;
  char    *name;                /* freed with the object: read after the gate */
} GatedCap;

typedef struct
{
  GObjectClass parent_class;
} GatedCapClass;

static void gated_cap_capacity_init (JanusCapacityInterface *iface);
static void gated_cap_test_init (gpointer iface, gpointer data) { }

GType gated_cap_get_type (void);
G_DEFINE_TYPE_WITH_CODE (GatedCap, gated_cap, G_TYPE_OBJECT,
                         G_IMPLEMENT_INTERFACE (JANUS_TYPE_CAPACITY, gated_cap_capacity_init)
                         G_IMPLEMENT_INTERFACE (TEST_TYPE_CAP, gated_cap_test_init))

static GVariant *
gated_cap_invoke (JanusCapacity  *capacity,
                  GVariant       *input,
                  GError        **error)
{
  GatedCap *self = (GatedCap *) capacity;
  Gate *gate = self->gate;
  GVariant *result;

  test_bump (&gate->lock, &gate->cond, &gate->at_gate);
  g_mutex_lock (&gate->lock);
  while (!gate->open)
    g_cond_wait (&gate->cond, &gate->lock);
  g_mutex_unlock (&gate->lock);
  /* the implementation is still there: the call holds it */
  result = g_variant_new_string (self->name);
  test_bump (&gate->lock, &gate->cond, &gate->finished);
  return result;
}

static void
gated_cap_capacity_init (JanusCapacityInterface *iface)
{
  iface->invoke = gated_cap_invoke;
}

static void
gated_cap_finalize (GObject *object)
{
  g_free (((GatedCap *) object)->name);
  G_OBJECT_CLASS (gated_cap_parent_class)->finalize (object);
}

static void
gated_cap_class_init (GatedCapClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = gated_cap_finalize;
}

static void
gated_cap_init (GatedCap *self)
{
  self->name = g_strdup ("gated");
}

typedef enum
{
  CUT_PROVIDER_REMOVED,
  CUT_CALLER_KILLED,
  CUT_CANCELLED,
  CUT_KERNEL_DROPPED,
} Cut;

typedef struct
{
  JanusGroup           *group;
  JanusCapacityContext *call;
  GError               *error;
  gboolean              remove;   /* the provider goes in the same step */
  gboolean              removed;
} CapCall;

static void
do_start_cap_call (TestAgent *agent,
                   gpointer   data)
{
  CapCall *c = data;
  JanusRole *role = ROLE (take (agent, role_cap, c->group));

  c->call = janus_role_call_capacity (role, TEST_TYPE_CAP, NULL, NULL, &c->error);
  if (c->remove)
    c->removed = janus_agent_remove_capacity (AGENT (agent), TEST_TYPE_CAP);
}

static void
test_capacity_cut_short (gconstpointer data)
{
  Cut cut = GPOINTER_TO_INT (data);
  JanusKernel *kernel = janus_kernel_new (2);
  TestAgent *agent = test_agent_new (NULL, NULL);
  GatedCap *cap = g_object_new (gated_cap_get_type (), NULL);
  g_autoptr(GVariant) result = NULL;
  g_autoptr(GError) error = NULL;
  CapCall c = { 0 };
  Gate gate = { 0 };
  TestGone cap_gone;

  g_mutex_init (&gate.lock);
  g_cond_init (&gate.cond);
  cap->gate = &gate;
  janus_agent_add_capacity (AGENT (agent), TEST_TYPE_CAP, cap);
  test_gone_watch (&cap_gone, cap);
  /* the agent holds the only reference */
  g_object_unref (cap);
  launch_ok (kernel, agent, NULL, NULL);
  c.group = new_group (kernel, org_x);
  /* the call then blocks a worker until the gate opens: nothing below
   * waits for an agent's step before that (a light agent queued on that
   * worker would wait as long) */
  c.remove = cut == CUT_PROVIDER_REMOVED;
  agent_do (kernel, agent, do_start_cap_call, &c);
  g_assert_no_error (c.error);
  g_assert_nonnull (c.call);
  g_assert_true (test_wait_count (&gate.lock, &gate.cond, &gate.at_gate, 1));

  switch (cut)
    {
    case CUT_PROVIDER_REMOVED:
      /* removed in the step that made the call: the call holds it */
      g_assert_true (c.removed);
      break;
    case CUT_CALLER_KILLED:
      g_assert_true (janus_kernel_kill (kernel, AGENT (agent), NULL));
      break;
    case CUT_CANCELLED:
      janus_capacity_context_cancel (c.call);
      g_assert_true (janus_capacity_context_is_completed (c.call));
      result = janus_capacity_context_wait (c.call, 0, &error);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
      g_clear_error (&error);
      break;
    case CUT_KERNEL_DROPPED:
      break;
    }
  g_assert_false (test_gone_is_gone (&cap_gone));
  g_assert_false (cut != CUT_CANCELLED && janus_capacity_context_is_completed (c.call));
  if (cut != CUT_CANCELLED)
    {
      /* still at the gate: a bounded wait times out */
      result = janus_capacity_context_wait (c.call, 1000, &error);
      g_assert_null (result);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
      g_clear_error (&error);
    }
  g_mutex_lock (&gate.lock);
  gate.open = TRUE;
  g_cond_broadcast (&gate.cond);
  g_mutex_unlock (&gate.lock);
  g_assert_true (test_wait_count (&gate.lock, &gate.cond, &gate.finished, 1));

  if (cut == CUT_KERNEL_DROPPED)
    {
      /* the application lets go of everything, the call first */
      g_clear_object (&c.call);
      g_clear_object (&c.group);
      g_object_unref (kernel);
      g_object_unref (agent);
      g_assert_true (test_gone_wait (&cap_gone));
    }
  else
    {
      result = janus_capacity_context_wait (c.call, DEADLINE_USEC, &error);
      g_assert_true (janus_capacity_context_is_completed (c.call));
      if (cut == CUT_CANCELLED)
        {
          /* the late result is dropped */
          g_assert_null (result);
          g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
        }
      else
        {
          g_assert_no_error (error);
          g_assert_cmpstr (g_variant_get_string (result, NULL), ==, "gated");
        }
      g_clear_error (&error);
      g_clear_object (&c.group);
      finish (kernel, agent, NULL);
      g_assert_true (test_gone_wait (&cap_gone));
      /* the context outlives the kernel: it still answers */
      g_assert_true (janus_capacity_context_is_completed (c.call));
      g_assert_nonnull (janus_capacity_context_get_role (c.call));
      g_assert_cmpuint (janus_capacity_context_get_capacity_type (c.call), ==, TEST_TYPE_CAP);
      janus_capacity_context_cancel (c.call);
      g_clear_pointer (&result, g_variant_unref);
      result = janus_capacity_context_wait (c.call, 0, &error);
      g_clear_error (&error);
      unref_last (c.call);
    }
  test_gone_clear (&cap_gone);
  g_mutex_clear (&gate.lock);
  g_cond_clear (&gate.cond);
}

/* ------------------------------------------------------------------ main */

int
main (int argc, char **argv)
{
  static const struct { const char *name; NonFatalFunc func; } non_fatal[] = {
    { "abstract-role", bad_abstract_role },
    { "non-role-type", bad_non_role_type },
    { "invalid-type", bad_invalid_type },
    { "abstract-organization", bad_abstract_organization },
    { "request-from-foreign-thread", bad_request_from_foreign_thread },
    { "add-role-after-first-instance", bad_add_role_late },
    { "role-from-foreign-thread", bad_role_from_foreign_thread },
  };
  static const struct { const char *name; Reenter mode; } reenter[] = {
    { "request", REENTER_REQUEST },
    { "leave", REENTER_LEAVE },
    { "remove-group", REENTER_REMOVE_GROUP },
    { "remove-self", REENTER_REMOVE_SELF },
    { "replace-policy", REENTER_POLICY },
  };
  guint i;

  g_test_init (&argc, &argv, NULL);

  role_a = register_type (TEST_TYPE_ROLE, "HostileRoleA", NULL);
  role_b = register_type (TEST_TYPE_ROLE, "HostileRoleB", NULL);
  role_c = register_type (TEST_TYPE_ROLE, "HostileRoleC", NULL);
  role_unlisted = register_type (TEST_TYPE_ROLE, "HostileRoleUnlisted", NULL);
  role_cap = register_type (TEST_TYPE_ROLE, "HostileRoleCap", role_cap_class_init);
  role_cond = register_type (TEST_TYPE_ROLE, "HostileRoleCond", NULL);
  role_abstract = register_abstract (TEST_TYPE_ROLE, "HostileRoleAbstract", NULL);
  role_sub = register_type (role_abstract, "HostileRoleSub", NULL);
  org_x = register_type (JANUS_TYPE_ORGANIZATION, "HostileOrgX", org_x_class_init);
  org_abstract = register_abstract (JANUS_TYPE_ORGANIZATION, "HostileOrgAbstract", org_x_class_init);

  for (i = 0; i < G_N_ELEMENTS (non_fatal); i++)
    {
      g_autofree char *path = g_strdup_printf ("/crio-hostile/garbage/%s", non_fatal[i].name);
      g_test_add_data_func (path, (gconstpointer) non_fatal[i].func, run_non_fatal);
    }
  g_test_add_func ("/crio-hostile/garbage/unlisted-types", test_unlisted_types);
  g_test_add_func ("/crio-hostile/garbage/uuids-and-names", test_uuids_and_names);
  g_test_add_func ("/crio-hostile/garbage/wrong-kernel", test_wrong_kernel);
  g_test_add_func ("/crio-hostile/threads/get-or-create", test_get_or_create_race);
  /* static cases only: the subprocesses of run_non_fatal exit normally,
   * and LeakSanitizer would count GTest's copies of heap case data */
  g_test_add_data_func ("/crio-hostile/cardinality/concurrent-takers/0-workers",
                        GUINT_TO_POINTER (0), test_cardinality_race);
  g_test_add_data_func ("/crio-hostile/cardinality/concurrent-takers/2-workers",
                        GUINT_TO_POINTER (2), test_cardinality_race);
  g_test_add_func ("/crio-hostile/selection/replaced-while-used", test_selection_replaced);
  g_test_add_func ("/crio-hostile/selection/out-of-range", test_selection_out_of_range);
  g_test_add_func ("/crio-hostile/selection/replaces-itself", test_selection_replaces_itself);
  g_test_add_func ("/crio-hostile/threads/reconfigure", test_reconfigure_from_threads);
  g_test_add_func ("/crio-hostile/threads/first-condition", test_first_condition_race);
  g_test_add_func ("/crio-hostile/threads/class-conditions", test_class_conditions_from_thread);
  g_test_add_func ("/crio-hostile/conditions/class-condition-removes-itself",
                   test_class_condition_removes_itself);
  g_test_add_func ("/crio-hostile/threads/remove-racing-request", test_remove_racing_request);
  g_test_add_func ("/crio-hostile/release/unref-with-idle-armed", test_unref_with_idle_armed);
  g_test_add_func ("/crio-hostile/release/unref-while-reconfigured", test_unref_while_reconfigured);
  g_test_add_func ("/crio-hostile/release/remove-racing-shutdown", test_remove_racing_shutdown);
  g_test_add_func ("/crio-hostile/release/role-outlives-everything", test_role_outlives_everything);
  for (i = 0; i < G_N_ELEMENTS (reenter); i++)
    {
      g_autofree char *path = g_strdup_printf ("/crio-hostile/conditions/reentrant/%s", reenter[i].name);
      g_test_add_data_func (path, GINT_TO_POINTER (reenter[i].mode), test_reentrant_condition);
    }
  g_test_add_data_func ("/crio-hostile/capacity/provider-removed-mid-call",
                        GINT_TO_POINTER (CUT_PROVIDER_REMOVED), test_capacity_cut_short);
  g_test_add_data_func ("/crio-hostile/capacity/caller-killed-mid-call",
                        GINT_TO_POINTER (CUT_CALLER_KILLED), test_capacity_cut_short);
  g_test_add_data_func ("/crio-hostile/capacity/cancelled-mid-call",
                        GINT_TO_POINTER (CUT_CANCELLED), test_capacity_cut_short);
  g_test_add_data_func ("/crio-hostile/capacity/kernel-dropped-mid-call",
                        GINT_TO_POINTER (CUT_KERNEL_DROPPED), test_capacity_cut_short);
  g_test_add_data_func ("/crio-hostile/soak/0-workers", GUINT_TO_POINTER (0), test_soak);
  g_test_add_data_func ("/crio-hostile/soak/2-workers", GUINT_TO_POINTER (2), test_soak);

  return g_test_run ();
}
