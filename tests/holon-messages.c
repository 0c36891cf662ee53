/* SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Holons and messages: what is sent to a super-holon goes to its head(s)
 * (one head in turn, every head, or the holon itself), keeps its sender and
 * lands in the head's Head role; members reach their super-holon's Super
 * role and their siblings by role.
 *
 * Deterministic: kernels without workers, driven with janus_kernel_step ();
 * the test reads role mailboxes from the driving thread between steps.
 */
#include "holon-test.h"

static JanusRole *
role_of (JanusAgent *agent,
         JanusHolon *holon,
         GType       type)
{
  g_autoptr(JanusGroup) group = janus_holon_get_group (holon);

  g_assert_nonnull (group);
  return janus_agent_get_role (agent, type, group);
}

/* The subjects in a role's mailbox, taken. */
static char *
take_subjects (JanusRole *role)
{
  GString *s = g_string_new (NULL);
  JanusMessage *m;

  while ((m = janus_role_get_message (role)) != NULL)
    {
      g_string_append_printf (s, "%s%s", s->len ? " " : "", janus_message_get_subject (m));
      janus_message_unref (m);
    }
  return g_string_free (s, FALSE);
}

static char *
take_agent_subjects (JanusAgent *agent)
{
  GString *s = g_string_new (NULL);
  JanusMessage *m;

  while ((m = janus_agent_get_message (agent)) != NULL)
    {
      g_string_append_printf (s, "%s%s", s->len ? " " : "", janus_message_get_subject (m));
      janus_message_unref (m);
    }
  return g_string_free (s, FALSE);
}

#define assert_subjects(expr, expected)                 \
  G_STMT_START {                                        \
    g_autofree char *s_ = (expr);                       \
    g_assert_cmpstr (s_, ==, (expected));               \
  } G_STMT_END

static void
send_to (JanusKernel *kernel,
         JanusAgent  *to,
         const char  *subject)
{
  g_assert_true (janus_kernel_send (kernel, janus_agent_get_address (to),
                                    janus_message_new (subject, NULL), NULL));
}

static void
test_to_head (void)
{
  g_autoptr(JanusKernel) kernel = janus_kernel_new (0);
  g_autoptr(JanusHolon) holon = launch_holon (kernel, "h");
  g_autoptr(TestAgent) a = spawn_cell (holon, "a");
  g_autoptr(TestAgent) b = spawn_cell (holon, "b");
  g_autoptr(TestAgent) outsider = test_agent_new (NULL, NULL);
  JanusMessage *m;

  janus_kernel_launch_light_agent (kernel, JANUS_AGENT (outsider), "x", NULL, NULL);
  step_until_idle (kernel, 10000);
  /* from outside: to the head, in its Head role, with the original sender */
  g_assert_true (janus_agent_send (JANUS_AGENT (outsider), janus_agent_get_address (JANUS_AGENT (holon)),
                                   janus_message_new ("order-1", NULL), NULL));
  send_to (kernel, JANUS_AGENT (holon), "order-2");
  step_until_idle (kernel, 10000);
  m = janus_role_get_message (role_of (JANUS_AGENT (a), holon, JANUS_TYPE_HOLONIC_HEAD));
  g_assert_nonnull (m);
  g_assert_cmpstr (janus_message_get_subject (m), ==, "order-1");
  g_assert_true (janus_address_equal (janus_message_get_sender (m),
                                      janus_agent_get_address (JANUS_AGENT (outsider))));
  g_assert_true (janus_address_equal (janus_message_get_receiver (m),
                                      janus_agent_get_address (JANUS_AGENT (a))));
  g_assert_true (janus_message_get_receiver_role (m) == JANUS_TYPE_HOLONIC_HEAD);
  janus_message_unref (m);
  assert_subjects (take_subjects (role_of (JANUS_AGENT (a), holon, JANUS_TYPE_HOLONIC_HEAD)), "order-2");
  /* the holon kept nothing, the part got nothing */
  assert_subjects (take_agent_subjects (JANUS_AGENT (holon)), "");
  assert_subjects (take_agent_subjects (JANUS_AGENT (b)), "");
  g_assert_cmpuint (janus_kernel_get_dead_letter_count (kernel), ==, 0);

  /* a head writing to its holon's address reaches the holon itself */
  g_assert_true (janus_agent_send (JANUS_AGENT (a), janus_agent_get_address (JANUS_AGENT (holon)),
                                   janus_message_new ("from-head", NULL), NULL));
  step_until_idle (kernel, 10000);
  assert_subjects (take_agent_subjects (JANUS_AGENT (holon)), "from-head");
  assert_subjects (take_agent_subjects (JANUS_AGENT (a)), "");
}

static void
test_routing_modes (void)
{
  g_autoptr(JanusKernel) kernel = janus_kernel_new (0);
  g_autoptr(JanusHolon) holon = launch_holon (kernel, "h");
  g_autoptr(JanusHolon) atomic = launch_holon (kernel, "atomic");
  g_autoptr(TestAgent) a = spawn_cell (holon, "a");
  g_autoptr(TestAgent) b = spawn_cell (holon, "b");
  g_autoptr(TestAgent) c = spawn_cell (holon, "c");

  janus_holon_add_head (holon, JANUS_AGENT (c), NULL);
  step_until_idle (kernel, 10000);

  /* several heads: in turn */
  send_to (kernel, JANUS_AGENT (holon), "1");
  send_to (kernel, JANUS_AGENT (holon), "2");
  send_to (kernel, JANUS_AGENT (holon), "3");
  step_until_idle (kernel, 10000);
  assert_subjects (take_subjects (role_of (JANUS_AGENT (a), holon, JANUS_TYPE_HOLONIC_HEAD)), "1 3");
  assert_subjects (take_subjects (role_of (JANUS_AGENT (c), holon, JANUS_TYPE_HOLONIC_HEAD)), "2");

  /* every head */
  janus_holon_set_routing (holon, JANUS_HOLON_ROUTING_ALL_HEADS);
  send_to (kernel, JANUS_AGENT (holon), "all");
  g_assert_true (janus_kernel_send (kernel, janus_agent_get_address (JANUS_AGENT (holon)),
                                    janus_message_new_pointer ("ptr", g_strdup ("x"), g_free), NULL));
  step_until_idle (kernel, 10000);
  assert_subjects (take_subjects (role_of (JANUS_AGENT (a), holon, JANUS_TYPE_HOLONIC_HEAD)), "all");
  assert_subjects (take_subjects (role_of (JANUS_AGENT (c), holon, JANUS_TYPE_HOLONIC_HEAD)), "all");
  /* a pointer body cannot be copied: it stays with the holon */
  assert_subjects (take_agent_subjects (JANUS_AGENT (holon)), "ptr");
  assert_subjects (take_agent_subjects (JANUS_AGENT (b)), "");

  /* the holon keeps what is sent to it */
  janus_holon_set_routing (holon, JANUS_HOLON_ROUTING_SELF);
  send_to (kernel, JANUS_AGENT (holon), "mine");
  step_until_idle (kernel, 10000);
  assert_subjects (take_agent_subjects (JANUS_AGENT (holon)), "mine");

  /* an atomic holon is an agent like another */
  send_to (kernel, JANUS_AGENT (atomic), "hello");
  step_until_idle (kernel, 10000);
  assert_subjects (take_agent_subjects (JANUS_AGENT (atomic)), "hello");
  g_assert_cmpuint (janus_kernel_get_dead_letter_count (kernel), ==, 0);
}

/* A message somebody else holds a reference on is copied, not changed. */
static void
test_forward_held (void)
{
  g_autoptr(JanusKernel) kernel = janus_kernel_new (0);
  g_autoptr(JanusHolon) holon = launch_holon (kernel, "h");
  g_autoptr(TestAgent) a = spawn_cell (holon, "a");
  g_autoptr(GPtrArray) peeked = NULL;
  JanusMessage *held, *got;

  step_until_idle (kernel, 10000);
  send_to (kernel, JANUS_AGENT (holon), "held");
  peeked = janus_agent_peek_messages (JANUS_AGENT (holon));
  g_assert_cmpuint (peeked->len, ==, 1);
  held = peeked->pdata[0];
  step_until_idle (kernel, 10000);
  g_assert_true (janus_address_equal (janus_message_get_receiver (held),
                                      janus_agent_get_address (JANUS_AGENT (holon))));
  g_assert_true (janus_message_get_receiver_role (held) == G_TYPE_INVALID);
  got = janus_role_get_message (role_of (JANUS_AGENT (a), holon, JANUS_TYPE_HOLONIC_HEAD));
  g_assert_nonnull (got);
  g_assert_true (got != held);
  g_assert_cmpstr (janus_message_get_subject (got), ==, "held");
  janus_message_unref (got);
}

/* A member reaches its super-holon and its siblings, by role. */
static void
test_member_messages (void)
{
  g_autoptr(JanusKernel) kernel = janus_kernel_new (0);
  g_autoptr(JanusHolon) holon = launch_holon (kernel, "h");
  g_autoptr(TestAgent) a = spawn_cell (holon, "a");
  g_autoptr(TestAgent) b = spawn_cell (holon, "b");
  g_autoptr(TestAgent) c = spawn_cell (holon, "c");
  g_autoptr(TestAgent) outsider = test_agent_new (NULL, NULL);
  g_autoptr(JanusAddress) to = NULL;
  g_autoptr(GError) error = NULL;
  JanusRole *super;
  JanusMessage *m;
  guint n = 0;

  janus_kernel_launch_light_agent (kernel, JANUS_AGENT (outsider), "x", NULL, NULL);
  step_until_idle (kernel, 10000);
  /* between steps the driving thread acts for the agents */
  g_assert_true (janus_holon_send_to_super (holon, JANUS_AGENT (b), janus_message_new ("report", NULL), &error));
  g_assert_no_error (error);
  step_until_idle (kernel, 10000);
  super = janus_holon_get_super_role (holon);
  g_assert_nonnull (super);
  m = janus_role_get_message (super);
  g_assert_nonnull (m);
  g_assert_cmpstr (janus_message_get_subject (m), ==, "report");
  g_assert_true (janus_address_equal (janus_message_get_sender (m), janus_agent_get_address (JANUS_AGENT (b))));
  g_assert_true (janus_message_get_sender_role (m) == JANUS_TYPE_HOLONIC_PART);
  /* the Super answers the Part */
  g_assert_true (janus_role_reply (super, m, janus_message_new ("ack", NULL), &error));
  janus_message_unref (m);
  step_until_idle (kernel, 10000);
  assert_subjects (take_subjects (role_of (JANUS_AGENT (b), holon, JANUS_TYPE_HOLONIC_PART)), "ack");

  /* to the head, to a given sibling, to every sibling */
  g_assert_true (janus_holon_send_to_members (holon, JANUS_AGENT (b), JANUS_TYPE_HOLONIC_HEAD, NULL,
                                              janus_message_new ("to-head", NULL), &to, &error));
  g_assert_no_error (error);
  g_assert_true (janus_address_equal (to, janus_agent_get_address (JANUS_AGENT (a))));
  g_clear_pointer (&to, janus_address_free);
  g_assert_true (janus_holon_send_to_members (holon, JANUS_AGENT (b), JANUS_TYPE_HOLONIC_PART,
                                              janus_agent_get_address (JANUS_AGENT (c)),
                                              janus_message_new ("to-c", NULL), NULL, &error));
  g_assert_no_error (error);
  g_assert_true (janus_holon_broadcast_to_members (holon, JANUS_AGENT (b), JANUS_TYPE_HOLONIC_PART,
                                                   janus_message_new ("all", NULL), &n, &error));
  g_assert_cmpuint (n, ==, 2);
  /* from the holon itself, as Super, to its members */
  g_assert_true (janus_holon_broadcast_to_members (holon, JANUS_AGENT (holon), JANUS_TYPE_HOLONIC_PART,
                                                   janus_message_new ("news", NULL), &n, &error));
  g_assert_cmpuint (n, ==, 3);
  step_until_idle (kernel, 10000);
  assert_subjects (take_subjects (role_of (JANUS_AGENT (a), holon, JANUS_TYPE_HOLONIC_HEAD)), "to-head");
  assert_subjects (take_subjects (role_of (JANUS_AGENT (a), holon, JANUS_TYPE_HOLONIC_PART)), "all news");
  assert_subjects (take_subjects (role_of (JANUS_AGENT (c), holon, JANUS_TYPE_HOLONIC_PART)), "to-c all news");
  assert_subjects (take_subjects (role_of (JANUS_AGENT (b), holon, JANUS_TYPE_HOLONIC_PART)), "news");

  /* not a member */
  g_assert_false (janus_holon_send_to_super (holon, JANUS_AGENT (outsider),
                                             janus_message_new ("no", NULL), &error));
  g_assert_error (error, JANUS_HOLON_ERROR, JANUS_HOLON_ERROR_NOT_MEMBER);
  g_clear_error (&error);
  g_assert_false (janus_holon_send_to_members (holon, JANUS_AGENT (outsider), JANUS_TYPE_HOLONIC_PART,
                                               NULL, janus_message_new ("no", NULL), &to, &error));
  g_assert_null (to);
  g_assert_error (error, JANUS_HOLON_ERROR, JANUS_HOLON_ERROR_NOT_MEMBER);
  g_clear_error (&error);
  /* to a member that does not play the role */
  g_assert_false (janus_holon_send_to_members (holon, JANUS_AGENT (b), JANUS_TYPE_HOLONIC_HEAD,
                                               janus_agent_get_address (JANUS_AGENT (c)),
                                               janus_message_new ("no", NULL), &to, &error));
  g_assert_null (to);
  g_assert_error (error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_NOT_A_MEMBER);
  g_clear_error (&error);
}

/* A new member reaches its super-holon from its own first step, where it
 * catches up with the holarchy first. */
static JanusLive
report_once (TestAgent *self)
{
  g_autoptr(GPtrArray) supers = janus_holon_list_supers (JANUS_AGENT (self));
  g_autoptr(GError) error = NULL;

  if (self->n_live == 1)
    {
      g_assert_cmpuint (supers->len, ==, 1);
      g_assert_true (janus_holon_send_to_super (supers->pdata[0], JANUS_AGENT (self),
                                                janus_message_new ("hello", NULL), &error));
      g_assert_no_error (error);
    }
  return JANUS_LIVE_WAIT;
}

static void
test_first_step (void)
{
  g_autoptr(JanusKernel) kernel = janus_kernel_new (0);
  g_autoptr(JanusHolon) holon = launch_holon (kernel, "h");
  g_autoptr(TestAgent) a = test_agent_new (NULL, NULL);

  a->live = report_once;
  g_assert_true (janus_holon_spawn_member (holon, JANUS_AGENT (a), "a", NULL, NULL));
  step_until_idle (kernel, 10000);
  g_assert_cmpint (a->n_live, >=, 1);
  assert_subjects (take_subjects (janus_holon_get_super_role (holon)), "hello");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/holon/messages/to-head", test_to_head);
  g_test_add_func ("/holon/messages/routing-modes", test_routing_modes);
  g_test_add_func ("/holon/messages/forward-held", test_forward_held);
  g_test_add_func ("/holon/messages/members", test_member_messages);
  g_test_add_func ("/holon/messages/first-step", test_first_step);

  return g_test_run ();
}
