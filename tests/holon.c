/* SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Holons: composition (spawn, add, remove, move, merge, decompose), heads
 * (default, set, add, remove, policy), MultiPart sharing, walking the
 * holarchy, the internal group following the holarchy, and bad input
 * (each refusal has its error and leaves the holarchy as it was).
 *
 * Deterministic: kernels without workers, driven with janus_kernel_step ();
 * the holarchy changes at once, the agents' roles in their next step.
 */
#include "holon-test.h"

static void
test_atomic (void)
{
  g_autoptr(JanusKernel) kernel = janus_kernel_new (0);
  g_autoptr(JanusHolon) holon = launch_holon (kernel, "h");
  g_autoptr(GPtrArray) members = janus_holon_list_members (holon);
  g_autoptr(GPtrArray) supers = janus_holon_list_supers (JANUS_AGENT (holon));
  g_autoptr(GPtrArray) heads = janus_holon_list_heads (holon);

  g_assert_true (janus_holon_is_atomic (holon));
  g_assert_cmpuint (janus_holon_get_n_members (holon), ==, 0);
  g_assert_cmpuint (members->len, ==, 0);
  g_assert_cmpuint (supers->len, ==, 0);
  g_assert_cmpuint (heads->len, ==, 0);
  g_assert_null (janus_holon_get_group (holon));
  g_assert_cmpuint (janus_holon_get_depth (JANUS_AGENT (holon)), ==, 0);
  step_until_idle (kernel, 10000);
  g_assert_null (janus_holon_get_super_role (holon));
  g_assert_cmpint (janus_holon_get_routing (holon), ==, JANUS_HOLON_ROUTING_HEAD);
}

static void
test_spawn (void)
{
  g_autoptr(JanusKernel) kernel = janus_kernel_new (0);
  g_autoptr(JanusHolon) holon = launch_holon (kernel, "h");
  g_autoptr(TestAgent) a = test_agent_new (NULL, NULL), b = test_agent_new (NULL, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(JanusGroup) group = NULL;
  g_autoptr(GPtrArray) supers = NULL;
  g_autofree char *text = NULL;
  Recorder rec;

  recorder_init (&rec);
  recorder_watch (&rec, holon);
  g_assert_true (janus_holon_spawn_member (holon, JANUS_AGENT (a), "a",
                                           g_variant_new ("(si)", "drill", 3), &error));
  g_assert_no_error (error);
  g_assert_true (janus_holon_spawn_member (holon, JANUS_AGENT (b), "b", NULL, &error));
  g_assert_no_error (error);
  assert_recorded (&rec, "+a h:a +b");

  /* the holarchy changed at once; the roles follow in the agents' steps */
  text = members_text (holon);
  g_assert_cmpstr (text, ==, "a b");
  g_assert_false (janus_holon_is_atomic (holon));
  g_assert_true (janus_holon_is_head (holon, JANUS_AGENT (a)));
  g_assert_false (janus_holon_is_head (holon, JANUS_AGENT (b)));
  g_assert_cmpint (janus_holon_get_membership (holon, JANUS_AGENT (b)), ==, JANUS_MEMBERSHIP_PART);
  g_assert_cmpint (janus_agent_get_state (JANUS_AGENT (a)), ==, JANUS_AGENT_STATE_BORN);
  group = janus_holon_get_group (holon);
  g_assert_nonnull (group);
  g_assert_true (JANUS_IS_HOLONIC_ORGANIZATION (janus_group_get_organization (group)));
  g_assert_cmpuint (janus_group_count_players (group, G_TYPE_INVALID), ==, 0);

  step_until_idle (kernel, 10000);
  assert_group_follows (holon);
  g_assert_cmpint (a->n_activate, ==, 1);
  {
    g_autoptr(GVariant) expected = g_variant_ref_sink (g_variant_new ("(si)", "drill", 3));
    g_assert_true (g_variant_equal (a->parameters, expected));
  }
  g_assert_null (b->parameters);
  g_assert_nonnull (janus_holon_get_super_role (holon));
  g_assert_cmpuint (janus_holon_get_depth (JANUS_AGENT (a)), ==, 1);
  supers = janus_holon_list_supers (JANUS_AGENT (a));
  g_assert_cmpuint (supers->len, ==, 1);
  g_assert_true (supers->pdata[0] == holon);
  g_assert_true (janus_holon_from_group (group) == holon);
  g_object_unref (holon);         /* from_group's */

  /* an unlaunched holon has no members; a launched agent is not spawned */
  g_assert_false (janus_holon_spawn_member (holon, JANUS_AGENT (a), "a", NULL, &error));
  g_assert_error (error, JANUS_KERNEL_ERROR, JANUS_KERNEL_ERROR_ALREADY_LAUNCHED);
  g_clear_error (&error);
  assert_recorded (&rec, "");
  janus_kernel_shutdown (kernel);   /* before the recorder goes */
  recorder_clear (&rec);
}

static void
test_add_remove (void)
{
  g_autoptr(JanusKernel) kernel = janus_kernel_new (0);
  g_autoptr(JanusHolon) holon = launch_holon (kernel, "h");
  g_autoptr(TestAgent) a = test_agent_new (NULL, NULL), b = test_agent_new (NULL, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *m1 = NULL, *m2 = NULL, *m3 = NULL;
  Recorder rec;

  recorder_init (&rec);
  recorder_watch (&rec, holon);
  janus_kernel_launch_light_agent (kernel, JANUS_AGENT (a), "a", NULL, NULL);
  janus_kernel_launch_light_agent (kernel, JANUS_AGENT (b), "b", NULL, NULL);
  step_until_idle (kernel, 10000);
  g_assert_true (janus_holon_add_member (holon, JANUS_AGENT (a), JANUS_MEMBERSHIP_PART, &error));
  g_assert_true (janus_holon_add_member (holon, JANUS_AGENT (b), JANUS_MEMBERSHIP_PART, &error));
  g_assert_no_error (error);
  step_until_idle (kernel, 10000);
  assert_group_follows (holon);
  assert_recorded (&rec, "+a h:a +b");

  /* the head leaves: the next member becomes head */
  g_assert_true (janus_holon_remove_member (holon, JANUS_AGENT (a), &error));
  g_assert_no_error (error);
  assert_recorded (&rec, "-a h:b");
  m1 = members_text (holon);
  g_assert_cmpstr (m1, ==, "b");
  step_until_idle (kernel, 10000);
  assert_group_follows (holon);
  g_assert_true (janus_agent_is_alive (JANUS_AGENT (a)));
  g_assert_cmpuint (janus_holon_get_depth (JANUS_AGENT (a)), ==, 0);

  /* removing a non-member: refused, nothing changes */
  g_assert_false (janus_holon_remove_member (holon, JANUS_AGENT (a), &error));
  g_assert_error (error, JANUS_HOLON_ERROR, JANUS_HOLON_ERROR_NOT_MEMBER);
  g_clear_error (&error);
  m2 = members_text (holon);
  g_assert_cmpstr (m2, ==, "b");

  /* the last member leaves: the holon is atomic, its group goes */
  g_assert_true (janus_holon_remove_member (holon, JANUS_AGENT (b), &error));
  assert_recorded (&rec, "-b h:-");
  g_assert_true (janus_holon_is_atomic (holon));
  g_assert_null (janus_holon_get_group (holon));
  step_until_idle (kernel, 10000);
  g_assert_null (janus_holon_get_super_role (holon));
  m3 = members_text (holon);
  g_assert_cmpstr (m3, ==, "");
  janus_kernel_shutdown (kernel);   /* before the recorder goes */
  recorder_clear (&rec);
}

static void
test_group_per_composition (void)
{
  g_autoptr(JanusKernel) kernel = janus_kernel_new (0);
  g_autoptr(JanusHolon) holon = launch_holon (kernel, "h");
  g_autoptr(TestAgent) a = spawn_cell (holon, "a");
  g_autoptr(JanusGroup) first = NULL, second = NULL;
  g_autofree char *uuid = NULL;

  step_until_idle (kernel, 10000);
  first = janus_holon_get_group (holon);
  uuid = g_strdup (janus_group_get_uuid (first));
  janus_holon_decompose (holon, NULL);
  step_until_idle (kernel, 10000);
  /* its last roles left: the group is gone */
  g_assert_false (janus_group_is_alive (first));
  {
    g_autoptr(JanusGroup) found = janus_kernel_lookup_group (kernel, uuid);
    g_assert_null (found);
  }
  g_assert_true (janus_holon_add_member (holon, JANUS_AGENT (a), JANUS_MEMBERSHIP_PART, NULL));
  second = janus_holon_get_group (holon);
  g_assert_true (second != first);
  step_until_idle (kernel, 10000);
  assert_group_follows (holon);
}

static guint
choose_last (JanusHolon *holon,
             GPtrArray  *candidates,
             gpointer    data)
{
  (*(guint *) data)++;
  return candidates->len - 1;
}

static void
test_heads (void)
{
  g_autoptr(JanusKernel) kernel = janus_kernel_new (0);
  g_autoptr(JanusHolon) holon = launch_holon (kernel, "h");
  g_autoptr(TestAgent) a = spawn_cell (holon, "a");
  g_autoptr(TestAgent) b = spawn_cell (holon, "b");
  g_autoptr(TestAgent) c = spawn_cell (holon, "c");
  g_autoptr(GError) error = NULL;
  g_autoptr(TestAgent) outsider = test_agent_new (NULL, NULL);
  guint policy_calls = 0;
  Recorder rec;

  recorder_init (&rec);
  recorder_watch (&rec, holon);
  step_until_idle (kernel, 10000);
  assert_group_follows (holon);

  g_assert_true (janus_holon_set_head (holon, JANUS_AGENT (b), &error));
  assert_recorded (&rec, "h:b");
  step_until_idle (kernel, 10000);
  assert_group_follows (holon);
  g_assert_false (janus_holon_is_head (holon, JANUS_AGENT (a)));

  g_assert_true (janus_holon_add_head (holon, JANUS_AGENT (c), &error));
  assert_recorded (&rec, "h:b");
  step_until_idle (kernel, 10000);
  assert_group_follows (holon);
  {
    g_autoptr(GPtrArray) heads = janus_holon_list_heads (holon);
    g_assert_cmpuint (heads->len, ==, 2);
  }
  /* adding a head twice, setting the only head again: nothing changes */
  g_assert_true (janus_holon_add_head (holon, JANUS_AGENT (c), &error));
  g_assert_true (janus_holon_remove_head (holon, JANUS_AGENT (b), &error));
  assert_recorded (&rec, "h:c");
  g_assert_true (janus_holon_set_head (holon, JANUS_AGENT (c), &error));
  assert_recorded (&rec, "");

  /* the last head stepping down hands over to the first other member */
  g_assert_true (janus_holon_remove_head (holon, JANUS_AGENT (c), &error));
  assert_recorded (&rec, "h:a");
  step_until_idle (kernel, 10000);
  assert_group_follows (holon);

  /* a policy chooses the next head, in the holon's step */
  janus_holon_set_head_func (holon, choose_last, &policy_calls, NULL);
  g_assert_true (janus_holon_remove_member (holon, JANUS_AGENT (a), &error));
  assert_recorded (&rec, "-a h:-");
  g_assert_cmpuint (policy_calls, ==, 0);
  step_until_idle (kernel, 10000);
  g_assert_cmpuint (policy_calls, ==, 1);
  assert_recorded (&rec, "h:c");
  assert_group_follows (holon);

  /* bad input */
  janus_kernel_launch_light_agent (kernel, JANUS_AGENT (outsider), "o", NULL, NULL);
  g_assert_false (janus_holon_set_head (holon, JANUS_AGENT (outsider), &error));
  g_assert_error (error, JANUS_HOLON_ERROR, JANUS_HOLON_ERROR_NOT_MEMBER);
  g_clear_error (&error);
  janus_holon_set_head_func (holon, NULL, NULL, NULL);
  g_assert_true (janus_holon_remove_member (holon, JANUS_AGENT (b), &error));
  assert_recorded (&rec, "-b");
  g_assert_false (janus_holon_remove_head (holon, JANUS_AGENT (c), &error));
  g_assert_error (error, JANUS_HOLON_ERROR, JANUS_HOLON_ERROR_NO_HEAD);
  g_clear_error (&error);
  g_assert_true (janus_holon_is_head (holon, JANUS_AGENT (c)));
  assert_recorded (&rec, "");
  step_until_idle (kernel, 10000);
  assert_group_follows (holon);
  janus_kernel_shutdown (kernel);   /* before the recorder goes */
  recorder_clear (&rec);
}

static void
test_multi_part (void)
{
  g_autoptr(JanusKernel) kernel = janus_kernel_new (0);
  g_autoptr(JanusHolon) h1 = launch_holon (kernel, "h1");
  g_autoptr(JanusHolon) h2 = launch_holon (kernel, "h2");
  g_autoptr(TestAgent) shared = spawn_cell (h1, "s");
  g_autoptr(TestAgent) other = spawn_cell (h1, "o");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) supers = NULL;
  g_autofree char *parts1 = NULL, *multi1 = NULL, *multi2 = NULL;

  step_until_idle (kernel, 10000);
  /* a Part is not shared */
  g_assert_false (janus_holon_add_member (h2, JANUS_AGENT (shared), JANUS_MEMBERSHIP_PART, &error));
  g_assert_error (error, JANUS_HOLON_ERROR, JANUS_HOLON_ERROR_SHARING_REFUSED);
  g_clear_error (&error);
  /* nor without its consent */
  g_assert_false (janus_holon_is_shareable (JANUS_AGENT (shared)));
  g_assert_false (janus_holon_add_member (h2, JANUS_AGENT (shared), JANUS_MEMBERSHIP_MULTI_PART, &error));
  g_assert_error (error, JANUS_HOLON_ERROR, JANUS_HOLON_ERROR_SHARING_REFUSED);
  g_clear_error (&error);
  g_assert_true (janus_holon_is_atomic (h2));

  janus_holon_set_shareable (JANUS_AGENT (shared), TRUE);
  g_assert_true (janus_holon_is_shareable (JANUS_AGENT (shared)));
  g_assert_true (janus_holon_add_member (h2, JANUS_AGENT (shared), JANUS_MEMBERSHIP_MULTI_PART, &error));
  g_assert_no_error (error);
  g_assert_cmpint (janus_holon_get_membership (h1, JANUS_AGENT (shared)), ==, JANUS_MEMBERSHIP_MULTI_PART);
  g_assert_cmpint (janus_holon_get_membership (h2, JANUS_AGENT (shared)), ==, JANUS_MEMBERSHIP_MULTI_PART);
  supers = janus_holon_list_supers (JANUS_AGENT (shared));
  g_assert_cmpuint (supers->len, ==, 2);
  g_assert_true (supers->pdata[0] == h1 && supers->pdata[1] == h2);

  step_until_idle (kernel, 10000);
  assert_group_follows (h1);
  assert_group_follows (h2);
  multi1 = players_text (h1, JANUS_TYPE_HOLONIC_MULTI_PART);
  multi2 = players_text (h2, JANUS_TYPE_HOLONIC_MULTI_PART);
  g_assert_cmpstr (multi1, ==, "s");
  g_assert_cmpstr (multi2, ==, "s");
  parts1 = players_text (h1, JANUS_TYPE_HOLONIC_PART);
  g_assert_cmpstr (parts1, ==, "o s");     /* s took its MultiPart role last */

  /* shared: h1 killed removes it, h2 keeps it */
  g_assert_true (janus_kernel_kill (kernel, JANUS_AGENT (h1), NULL));
  step_until_idle (kernel, 10000);
  g_assert_true (janus_agent_is_alive (JANUS_AGENT (shared)));
  g_assert_false (janus_agent_is_alive (JANUS_AGENT (other)));
  g_assert_cmpint (janus_agent_get_state (JANUS_AGENT (h1)), ==, JANUS_AGENT_STATE_DIED);
  g_assert_cmpint (janus_holon_get_membership (h2, JANUS_AGENT (shared)), ==, JANUS_MEMBERSHIP_MULTI_PART);
  assert_group_follows (h2);
}

static void
test_move (void)
{
  g_autoptr(JanusKernel) kernel = janus_kernel_new (0);
  g_autoptr(JanusHolon) h1 = launch_holon (kernel, "h1");
  g_autoptr(JanusHolon) h2 = launch_holon (kernel, "h2");
  g_autoptr(TestAgent) a = spawn_cell (h1, "a");
  g_autoptr(TestAgent) b = spawn_cell (h1, "b");
  g_autoptr(TestAgent) c = spawn_cell (h2, "c");
  g_autoptr(GError) error = NULL;
  g_autofree char *m1 = NULL, *m2 = NULL;
  Recorder rec;

  recorder_init (&rec);
  recorder_watch (&rec, h1);
  recorder_watch (&rec, h2);
  step_until_idle (kernel, 10000);
  g_assert_true (janus_holon_move_member (h1, JANUS_AGENT (a), h2, &error));
  g_assert_no_error (error);
  assert_recorded (&rec, "-a h:b +a");
  m1 = members_text (h1);
  m2 = members_text (h2);
  g_assert_cmpstr (m1, ==, "b");
  g_assert_cmpstr (m2, ==, "c a");
  g_assert_false (janus_holon_is_head (h2, JANUS_AGENT (a)));
  step_until_idle (kernel, 10000);
  assert_group_follows (h1);
  assert_group_follows (h2);

  /* to itself, a non-member, into a cycle: refused, nothing changes */
  g_assert_false (janus_holon_move_member (h2, JANUS_AGENT (a), h2, &error));
  g_assert_error (error, JANUS_HOLON_ERROR, JANUS_HOLON_ERROR_ALREADY_MEMBER);
  g_clear_error (&error);
  g_assert_false (janus_holon_move_member (h1, JANUS_AGENT (a), h2, &error));
  g_assert_error (error, JANUS_HOLON_ERROR, JANUS_HOLON_ERROR_NOT_MEMBER);
  g_clear_error (&error);
  g_assert_true (janus_holon_add_member (h1, JANUS_AGENT (h2), JANUS_MEMBERSHIP_PART, &error));
  assert_recorded (&rec, "+h2");
  {
    g_autoptr(JanusHolon) h3 = launch_holon (kernel, "h3");
    g_assert_true (janus_holon_spawn_member (h2, JANUS_AGENT (h3), NULL, NULL, NULL) == FALSE);
    g_assert_true (janus_holon_add_member (h2, JANUS_AGENT (h3), JANUS_MEMBERSHIP_PART, &error));
    /* h1 above h2 above h3: moving h1... h1 is no member; moving h2 into h3 */
    g_assert_false (janus_holon_move_member (h1, JANUS_AGENT (h2), h3, &error));
    g_assert_error (error, JANUS_HOLON_ERROR, JANUS_HOLON_ERROR_CYCLE);
    g_clear_error (&error);
    g_assert_cmpuint (janus_holon_get_depth (JANUS_AGENT (h3)), ==, 2);
    g_assert_true (janus_holon_remove_member (h2, JANUS_AGENT (h3), &error));
  }
  {
    g_autofree char *after1 = members_text (h1);
    g_autofree char *after2 = members_text (h2);
    g_assert_cmpstr (after1, ==, "b h2");
    g_assert_cmpstr (after2, ==, "c a");
  }
  g_free (recorder_take (&rec));
  step_until_idle (kernel, 10000);
  assert_group_follows (h1);
  assert_group_follows (h2);
  janus_kernel_shutdown (kernel);   /* before the recorder goes */
  recorder_clear (&rec);
}

static void
test_merge (void)
{
  g_autoptr(JanusKernel) kernel = janus_kernel_new (0);
  g_autoptr(JanusHolon) top = launch_holon (kernel, "top");
  g_autoptr(JanusHolon) w1 = launch_holon (kernel, "w1");
  g_autoptr(JanusHolon) w2 = launch_holon (kernel, "w2");
  g_autoptr(JanusHolon) w3 = launch_holon (kernel, "w3");
  g_autoptr(JanusHolon) line = launch_holon (kernel, "line");
  g_autoptr(GError) error = NULL;
  g_autoptr(TestAgent) m1 = NULL, m2 = NULL, m3 = NULL;
  Recorder rec;

  g_assert_true (janus_holon_add_member (top, JANUS_AGENT (w1), JANUS_MEMBERSHIP_PART, NULL));
  g_assert_true (janus_holon_add_member (top, JANUS_AGENT (w2), JANUS_MEMBERSHIP_PART, NULL));
  g_assert_true (janus_holon_add_member (top, JANUS_AGENT (w3), JANUS_MEMBERSHIP_PART, NULL));
  m1 = spawn_cell (w1, "m1");
  m2 = spawn_cell (w2, "m2");
  m3 = spawn_cell (w3, "m3");
  step_until_idle (kernel, 10000);

  recorder_init (&rec);
  recorder_watch (&rec, top);
  recorder_watch (&rec, line);
  /* bad input first: same holon, a new super-holon that is not atomic */
  g_assert_false (janus_holon_merge (w1, w1, line, &error));
  g_assert_error (error, JANUS_HOLON_ERROR, JANUS_HOLON_ERROR_SAME_HOLON);
  g_clear_error (&error);
  g_assert_false (janus_holon_merge (w1, w2, w3, &error));
  g_assert_error (error, JANUS_HOLON_ERROR, JANUS_HOLON_ERROR_NOT_ATOMIC);
  g_clear_error (&error);
  g_assert_false (janus_holon_merge_into (w1, w1, &error));
  g_assert_error (error, JANUS_HOLON_ERROR, JANUS_HOLON_ERROR_SAME_HOLON);
  g_clear_error (&error);
  g_assert_false (janus_holon_merge_into (w1, top, &error));
  g_assert_error (error, JANUS_HOLON_ERROR, JANUS_HOLON_ERROR_CYCLE);
  g_clear_error (&error);
  assert_recorded (&rec, "");

  /* two workshops into a new line, which takes their place in top */
  g_assert_true (janus_holon_merge (w1, w2, line, &error));
  g_assert_no_error (error);
  assert_recorded (&rec, "+line -w1 h:w2 -w2 h:w3 +w1 h:w1 +w2");
  {
    g_autofree char *t = members_text (top);
    g_autofree char *l = members_text (line);
    g_assert_cmpstr (t, ==, "w3 line");
    g_assert_cmpstr (l, ==, "w1 w2");
  }
  g_assert_cmpuint (janus_holon_get_depth (JANUS_AGENT (m1)), ==, 3);
  step_until_idle (kernel, 10000);
  assert_group_follows (top);
  assert_group_follows (line);

  /* w3 merges into w1: its machine moves, it is left atomic in place */
  recorder_watch (&rec, w1);
  recorder_watch (&rec, w3);
  g_assert_true (janus_holon_merge_into (w1, w3, &error));
  g_assert_no_error (error);
  assert_recorded (&rec, "-m3 h:- +m3");
  g_assert_true (janus_holon_is_atomic (w3));
  {
    g_autofree char *w = members_text (w1);
    g_assert_cmpstr (w, ==, "m1 m3");
  }
  step_until_idle (kernel, 10000);
  assert_group_follows (w1);
  assert_group_follows (w3);

  /* line decomposes: w1 and w2 are free holons */
  g_assert_true (janus_holon_decompose (line, &error));
  assert_recorded (&rec, "-w2 -w1 h:-");
  g_assert_cmpuint (janus_holon_get_depth (JANUS_AGENT (w1)), ==, 0);
  g_assert_cmpuint (janus_holon_get_depth (JANUS_AGENT (m1)), ==, 1);
  step_until_idle (kernel, 10000);
  assert_group_follows (line);
  assert_group_follows (w1);
  g_assert_true (janus_holon_decompose (line, &error));   /* atomic: nothing */
  assert_recorded (&rec, "");
  janus_kernel_shutdown (kernel);   /* before the recorder goes */
  recorder_clear (&rec);
}

static void
test_bad_input (void)
{
  g_autoptr(JanusKernel) kernel = janus_kernel_new (0);
  g_autoptr(JanusKernel) other_kernel = janus_kernel_new (0);
  g_autoptr(JanusHolon) top = launch_holon (kernel, "top");
  g_autoptr(JanusHolon) mid = launch_holon (kernel, "mid");
  g_autoptr(JanusHolon) unlaunched = janus_holon_new ();
  g_autoptr(TestAgent) leaf = NULL, dead = test_agent_new (NULL, NULL), stranger = test_agent_new (NULL, NULL), fresh = test_agent_new (NULL, NULL);
  g_autoptr(GError) error = NULL;
  Recorder rec;

  g_assert_true (janus_holon_add_member (top, JANUS_AGENT (mid), JANUS_MEMBERSHIP_PART, NULL));
  leaf = spawn_cell (mid, "leaf");
  janus_kernel_launch_light_agent (kernel, JANUS_AGENT (dead), "dead", NULL, NULL);
  janus_kernel_launch_light_agent (other_kernel, JANUS_AGENT (stranger), "stranger", NULL, NULL);
  step_until_idle (kernel, 10000);
  janus_kernel_kill (kernel, JANUS_AGENT (dead), NULL);
  step_until_idle (kernel, 10000);
  recorder_init (&rec);
  recorder_watch (&rec, top);
  recorder_watch (&rec, mid);

  /* itself, one of its super-holons */
  g_assert_false (janus_holon_add_member (mid, JANUS_AGENT (mid), JANUS_MEMBERSHIP_PART, &error));
  g_assert_error (error, JANUS_HOLON_ERROR, JANUS_HOLON_ERROR_CYCLE);
  g_clear_error (&error);
  janus_holon_set_shareable (JANUS_AGENT (top), TRUE);
  g_assert_false (janus_holon_add_member (mid, JANUS_AGENT (top), JANUS_MEMBERSHIP_MULTI_PART, &error));
  g_assert_error (error, JANUS_HOLON_ERROR, JANUS_HOLON_ERROR_CYCLE);
  g_clear_error (&error);
  /* a dead agent, an unlaunched one, another kernel's, twice */
  g_assert_false (janus_holon_add_member (top, JANUS_AGENT (dead), JANUS_MEMBERSHIP_PART, &error));
  g_assert_error (error, JANUS_KERNEL_ERROR, JANUS_KERNEL_ERROR_AGENT_DEAD);
  g_clear_error (&error);
  g_assert_false (janus_holon_add_member (top, JANUS_AGENT (fresh), JANUS_MEMBERSHIP_PART, &error));
  g_assert_error (error, JANUS_KERNEL_ERROR, JANUS_KERNEL_ERROR_NOT_LAUNCHED);
  g_clear_error (&error);
  g_assert_false (janus_holon_add_member (top, JANUS_AGENT (stranger), JANUS_MEMBERSHIP_PART, &error));
  g_assert_error (error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_WRONG_KERNEL);
  g_clear_error (&error);
  g_assert_false (janus_holon_add_member (mid, JANUS_AGENT (leaf), JANUS_MEMBERSHIP_PART, &error));
  g_assert_error (error, JANUS_HOLON_ERROR, JANUS_HOLON_ERROR_ALREADY_MEMBER);
  g_clear_error (&error);
  /* into an unlaunched holon */
  g_assert_false (janus_holon_add_member (unlaunched, JANUS_AGENT (dead), JANUS_MEMBERSHIP_PART, &error));
  g_assert_error (error, JANUS_KERNEL_ERROR, JANUS_KERNEL_ERROR_NOT_LAUNCHED);
  g_clear_error (&error);
  g_assert_false (janus_holon_spawn_member (unlaunched, JANUS_AGENT (fresh), NULL, NULL, &error));
  g_assert_error (error, JANUS_KERNEL_ERROR, JANUS_KERNEL_ERROR_NOT_LAUNCHED);
  g_clear_error (&error);
  g_assert_cmpint (janus_agent_get_state (JANUS_AGENT (fresh)), ==, JANUS_AGENT_STATE_UNBORN);
  /* a spawn the kernel refuses (bad parameters) is undone */
  janus_agent_type_set_activation_prototype (TEST_TYPE_AGENT, "(i)");
  g_assert_false (janus_holon_spawn_member (top, JANUS_AGENT (fresh), "fresh",
                                            g_variant_new_string ("no"), &error));
  g_assert_error (error, JANUS_KERNEL_ERROR, JANUS_KERNEL_ERROR_INVALID_PARAMETERS);
  g_clear_error (&error);
  janus_agent_type_set_activation_prototype (TEST_TYPE_AGENT, NULL);

  assert_recorded (&rec, "");
  {
    g_autofree char *t = members_text (top);
    g_autofree char *m = members_text (mid);
    g_assert_cmpstr (t, ==, "mid");
    g_assert_cmpstr (m, ==, "leaf");
  }
  /* the refused spawn left nothing behind: the agent can still join */
  g_assert_true (janus_holon_spawn_member (top, JANUS_AGENT (fresh), "fresh", NULL, &error));
  g_assert_no_error (error);
  step_until_idle (kernel, 10000);
  assert_group_follows (top);
  assert_group_follows (mid);
  janus_kernel_shutdown (kernel);   /* before the recorder goes */
  recorder_clear (&rec);
}

/* A holonic role cannot be dropped behind the holon's back. */
static void
test_leave_refused (void)
{
  g_autoptr(JanusKernel) kernel = janus_kernel_new (0);
  g_autoptr(JanusHolon) holon = launch_holon (kernel, "h");
  g_autoptr(TestAgent) a = spawn_cell (holon, "a");
  g_autoptr(JanusGroup) group = NULL;
  g_autoptr(GError) error = NULL;

  step_until_idle (kernel, 10000);
  group = janus_holon_get_group (holon);
  /* between steps, the driving thread may manage a member's roles */
  g_assert_false (janus_agent_leave_role (JANUS_AGENT (a), JANUS_TYPE_HOLONIC_PART, group, &error));
  g_assert_error (error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_CONDITION_FAILED);
  g_clear_error (&error);
  g_assert_false (janus_agent_leave_role (JANUS_AGENT (a), JANUS_TYPE_HOLONIC_HEAD, group, &error));
  g_assert_error (error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_CONDITION_FAILED);
  g_clear_error (&error);
  g_assert_false (janus_agent_leave_role (JANUS_AGENT (holon), JANUS_TYPE_HOLONIC_SUPER, group, &error));
  g_assert_error (error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_CONDITION_FAILED);
  g_clear_error (&error);
  assert_group_follows (holon);
}

static void
test_walk (void)
{
  g_autoptr(JanusKernel) kernel = janus_kernel_new (0);
  g_autoptr(JanusHolon) top = launch_holon (kernel, "top");
  g_autoptr(JanusHolon) mid = launch_holon (kernel, "mid");
  g_autoptr(TestAgent) leaf = NULL;
  g_autoptr(JanusAgent) found = NULL, self = NULL, none = NULL;
  g_autoptr(JanusAddress) nowhere = NULL;

  g_assert_true (janus_holon_add_member (top, JANUS_AGENT (mid), JANUS_MEMBERSHIP_PART, NULL));
  leaf = spawn_cell (mid, "leaf");
  step_until_idle (kernel, 10000);
  g_assert_cmpuint (janus_holon_get_depth (JANUS_AGENT (top)), ==, 0);
  g_assert_cmpuint (janus_holon_get_depth (JANUS_AGENT (mid)), ==, 1);
  g_assert_cmpuint (janus_holon_get_depth (JANUS_AGENT (leaf)), ==, 2);
  found = janus_holon_find (top, janus_agent_get_address (JANUS_AGENT (leaf)));
  g_assert_true (found == JANUS_AGENT (leaf));
  self = janus_holon_find (top, janus_agent_get_address (JANUS_AGENT (top)));
  g_assert_true (self == JANUS_AGENT (top));
  none = janus_holon_find (mid, janus_agent_get_address (JANUS_AGENT (top)));
  g_assert_null (none);
  nowhere = janus_address_copy (janus_kernel_get_address (kernel));
  g_assert_null (janus_holon_find (top, nowhere));
}

static void
test_properties (void)
{
  g_autoptr(JanusHolon) holon = janus_holon_new ();
  GType head_type;

  g_object_get (holon, "head-role-type", &head_type, NULL);
  g_assert_true (head_type == JANUS_TYPE_HOLONIC_HEAD);
  g_object_set (holon, "routing", JANUS_HOLON_ROUTING_SELF, "supervision", JANUS_SUPERVISION_RESTART,
                "max-restarts", 5, "restart-backoff", (gint64) 2000, NULL);
  g_assert_cmpint (janus_holon_get_routing (holon), ==, JANUS_HOLON_ROUTING_SELF);
  g_assert_cmpint (janus_holon_get_supervision (holon), ==, JANUS_SUPERVISION_RESTART);
  g_assert_cmpuint (janus_holon_get_max_restarts (holon), ==, 5);
  g_assert_cmpint (janus_holon_get_restart_backoff (holon), ==, 2000);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/holon/atomic", test_atomic);
  g_test_add_func ("/holon/spawn", test_spawn);
  g_test_add_func ("/holon/add-remove", test_add_remove);
  g_test_add_func ("/holon/group-per-composition", test_group_per_composition);
  g_test_add_func ("/holon/heads", test_heads);
  g_test_add_func ("/holon/multi-part", test_multi_part);
  g_test_add_func ("/holon/move", test_move);
  g_test_add_func ("/holon/merge", test_merge);
  g_test_add_func ("/holon/bad-input", test_bad_input);
  g_test_add_func ("/holon/leave-refused", test_leave_refused);
  g_test_add_func ("/holon/walk", test_walk);
  g_test_add_func ("/holon/properties", test_properties);

  return g_test_run ();
}
