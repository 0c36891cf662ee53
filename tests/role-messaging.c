/* SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Messages between roles: janus_role_send (never to the sender;
 * random selection, uniform and reproducible with a seed; round robin;
 * custom selection; nobody to send to), janus_role_broadcast,
 * janus_role_reply, janus_role_forward, janus_agent_send_to_role, the
 * route accessors of received messages, sends from a left role, and dead
 * letters for role messages to dead agents.
 *
 * Deterministic: 0-worker kernels; sends run in the sending agent's own step
 * (agent_do) or from the driving thread between steps. Then the main
 * exchanges once more on a 2-worker kernel, with real events and bounded
 * waits.
 */
#include <string.h>

#include "janus-test-utils.h"

/* --------------------------------------------------------------- types */

static GType role_sender, role_recv, role_recv_sub, role_other, role_lonely;
static GType org_main;

static void
org_main_class_init (gpointer klass,
                     gpointer data)
{
  janus_organization_class_add_role (klass, role_sender, 0);
  janus_organization_class_add_role (klass, role_recv, 0);
  janus_organization_class_add_role (klass, role_other, 0);
  janus_organization_class_add_role (klass, role_lonely, 0);
}

static void
register_types (void)
{
  role_sender = register_type (TEST_TYPE_ROLE, "MsgTestSender", NULL);
  role_recv = register_type (TEST_TYPE_ROLE, "MsgTestReceiver", NULL);
  role_recv_sub = register_type (role_recv, "MsgTestReceiverSub", NULL);
  role_other = register_type (TEST_TYPE_ROLE, "MsgTestOther", NULL);
  role_lonely = register_type (TEST_TYPE_ROLE, "MsgTestLonely", NULL);
  org_main = register_type (JANUS_TYPE_ORGANIZATION, "MsgTestOrg", org_main_class_init);
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

/* The index of @address among @agents (n of them), or -1. */
static int
index_of (const JanusAddress *address,
          TestAgent         **agents,
          guint               n)
{
  guint i;

  for (i = 0; i < n; i++)
    if (janus_address_equal (address, ADDR (agents[i])))
      return (int) i;
  return -1;
}

/* ------------------------------------------------- the usual cast
 *
 * A 0-worker kernel and a persistent group. The sender plays Sender and
 * Receiver; r[0..2] play Receiver (r[2] as ReceiverSub), o plays Other. */

typedef struct
{
  JanusKernel *kernel;
  JanusGroup  *group;
  TestAgent   *s;
  TestRole    *s_out;        /* Sender */
  TestRole    *s_in;         /* its Receiver */
  TestAgent   *r[3];
  TestRole    *r_in[3];
  TestAgent   *o;
  TestRole    *o_in;
} Cast;

static guint64 cast_seed = 7;

static void
cast_set_up (Cast          *c,
             gconstpointer  data)
{
  guint i;

  c->kernel = janus_kernel_new (0);
  janus_kernel_set_seed (c->kernel, cast_seed);
  c->group = persistent_group (c->kernel);
  c->s = launch_new (c->kernel, NULL, NULL);
  for (i = 0; i < 3; i++)
    c->r[i] = launch_new (c->kernel, NULL, NULL);
  c->o = launch_new (c->kernel, NULL, NULL);

  c->s_out = take (c->s, role_sender, c->group);
  c->r_in[0] = take (c->r[0], role_recv, c->group);
  c->s_in = take (c->s, role_recv, c->group);
  c->r_in[1] = take (c->r[1], role_recv, c->group);
  c->r_in[2] = take (c->r[2], role_recv_sub, c->group);
  c->o_in = take (c->o, role_other, c->group);
}

static void
cast_tear_down (Cast          *c,
                gconstpointer  data)
{
  guint i;

  finish (c->kernel, NULL);
  g_assert_finalize_object (c->s);
  for (i = 0; i < 3; i++)
    g_assert_finalize_object (c->r[i]);
  g_assert_finalize_object (c->o);
  g_assert_finalize_object (c->group);
}

#define TEST_C(path, func) \
  g_test_add (path, Cast, NULL, cast_set_up, func, cast_tear_down)

/* What a send action does and saw. */
typedef struct
{
  Cast      *c;
  guint      n;
  GType      to;
  GArray    *chosen;      /* int: index among r[], 3 for the sender, 4 for o, -1 other */
} Sends;

static int
who (Cast               *c,
     const JanusAddress *a)
{
  int i = index_of (a, c->r, 3);

  if (i >= 0)
    return i;
  if (janus_address_equal (a, ADDR (c->s)))
    return 3;
  if (janus_address_equal (a, ADDR (c->o)))
    return 4;
  return -1;
}

static void
send_many (TestAgent *self,
           gpointer   data)
{
  Sends *sd = data;
  guint i;

  for (i = 0; i < sd->n; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JanusAddress) to = NULL;
      int w;

      to = NULL;
      g_assert_true (janus_role_send (ROLE (sd->c->s_out), sd->to,
                                      janus_message_new_int64 ("n", i), &to, &error));
      g_assert_no_error (error);
      g_assert_nonnull (to);
      w = who (sd->c, to);
      g_array_append_val (sd->chosen, w);
    }
}

static Sends *
sends_run (Cast  *c,
           GType  to,
           guint  n)
{
  Sends *sd = g_new0 (Sends, 1);

  sd->c = c;
  sd->n = n;
  sd->to = to;
  sd->chosen = g_array_new (FALSE, FALSE, sizeof (int));
  agent_do (c->kernel, c->s, send_many, sd);
  step_until_idle (c->kernel, 1000);
  return sd;
}

static void
sends_free (Sends *sd)
{
  g_array_unref (sd->chosen);
  g_free (sd);
}

/* -------------------------------------------------------------- send */

static void
test_send_never_to_self (Cast          *c,
                         gconstpointer  data)
{
  Sends *sd;
  guint i, arrived = 0, n = 200;

  /* the sender plays Receiver too: it is never chosen */
  sd = sends_run (c, role_recv, n);
  for (i = 0; i < n; i++)
    {
      g_assert_cmpint (g_array_index (sd->chosen, int, i), >=, 0);
      g_assert_cmpint (g_array_index (sd->chosen, int, i), <, 3);
    }
  g_assert_cmpuint (c->s_in->got->len, ==, 0);
  g_assert_cmpuint (c->s_out->got->len, ==, 0);
  g_assert_cmpuint (janus_agent_get_mailbox_size (AGENT (c->s)), ==, 0);
  for (i = 0; i < 3; i++)
    arrived += c->r_in[i]->got->len;
  g_assert_cmpuint (arrived, ==, n);
  g_assert_cmpuint (c->o_in->got->len, ==, 0);
  sends_free (sd);

  /* round robin too */
  janus_group_set_selection_policy (c->group, JANUS_SELECTION_ROUND_ROBIN);
  sd = sends_run (c, role_recv, 30);
  for (i = 0; i < 30; i++)
    g_assert_cmpint (g_array_index (sd->chosen, int, i), !=, 3);
  g_assert_cmpuint (c->s_in->got->len, ==, 0);
  sends_free (sd);
}

static void
test_send_random_uniform (Cast          *c,
                          gconstpointer  data)
{
  guint n = test_small () ? 300 : 900, counts[3] = { 0 }, i;
  Sends *sd = sends_run (c, role_recv, n);

  for (i = 0; i < n; i++)
    counts[g_array_index (sd->chosen, int, i)]++;
  for (i = 0; i < 3; i++)
    {
      /* each third, within ±30 % (more than 4 standard deviations) */
      g_assert_cmpuint (counts[i], >=, n / 3 * 7 / 10);
      g_assert_cmpuint (counts[i], <=, n / 3 * 13 / 10);
      /* the returned address is where it went */
      g_assert_cmpuint (c->r_in[i]->got->len, ==, counts[i]);
    }
  sends_free (sd);
}

/* The receivers chosen by 30 random sends on a fresh 0-worker kernel seeded
 * with @seed, as a string of indexes. */
static char *
random_sequence (guint64 seed)
{
  Cast c = { 0 };
  Sends *sd;
  GString *s = g_string_new (NULL);
  guint i;

  cast_seed = seed;
  cast_set_up (&c, NULL);
  cast_seed = 7;
  sd = sends_run (&c, role_recv, 30);
  for (i = 0; i < sd->chosen->len; i++)
    g_string_append_printf (s, "%d", g_array_index (sd->chosen, int, i));
  sends_free (sd);
  cast_tear_down (&c, NULL);
  return g_string_free (s, FALSE);
}

static void
test_send_random_reproducible (void)
{
  g_autofree char *a = random_sequence (1234);
  g_autofree char *b = random_sequence (1234);
  g_autofree char *d = random_sequence (98765);

  g_assert_cmpuint (strlen (a), ==, 30);
  g_assert_cmpstr (a, ==, b);
  /* another seed, another sequence (equal with probability 3^-30) */
  g_assert_cmpstr (a, !=, d);
}

static void
test_send_round_robin (Cast          *c,
                       gconstpointer  data)
{
  Sends *sd;
  guint i;

  janus_group_set_selection_policy (c->group, JANUS_SELECTION_ROUND_ROBIN);
  sd = sends_run (c, role_recv, 7);
  /* the players in take order, the sender left out: r0 r1 r2 r0 … */
  for (i = 0; i < 7; i++)
    g_assert_cmpint (g_array_index (sd->chosen, int, i), ==, (int) (i % 3));
  g_assert_cmpuint (c->r_in[0]->got->len, ==, 3);
  g_assert_cmpuint (c->r_in[1]->got->len, ==, 2);
  g_assert_cmpuint (c->r_in[2]->got->len, ==, 2);
  sends_free (sd);
}

typedef struct
{
  Cast  *c;
  guint  calls;
  guint  pick;
  gboolean bad_candidates;
} CustomData;

static guint
custom_select (JanusGroup          *group,
               const JanusAddress **candidates,
               guint                n,
               gpointer             user_data)
{
  CustomData *cd = user_data;
  guint i;

  cd->calls++;
  if (group != cd->c->group || n != 3)
    cd->bad_candidates = TRUE;
  /* in take order, the sender left out */
  for (i = 0; i < n && i < 3; i++)
    if (!janus_address_equal (candidates[i], ADDR (cd->c->r[i])))
      cd->bad_candidates = TRUE;
  return cd->pick;
}

static void
test_send_custom (Cast          *c,
                  gconstpointer  data)
{
  CustomData cd = { c, 0, 2, FALSE };
  Sends *sd;
  guint i;

  janus_group_set_selection_func (c->group, custom_select, &cd, NULL);
  sd = sends_run (c, role_recv, 5);
  g_assert_cmpuint (cd.calls, ==, 5);
  g_assert_false (cd.bad_candidates);
  for (i = 0; i < 5; i++)
    g_assert_cmpint (g_array_index (sd->chosen, int, i), ==, 2);
  g_assert_cmpuint (c->r_in[2]->got->len, ==, 5);
  sends_free (sd);

  /* an index out of range: a warning and the first candidate */
  cd.pick = 3;
  g_test_expect_message ("Janus", G_LOG_LEVEL_WARNING, "*selection function*");
  sd = sends_run (c, role_recv, 1);
  g_test_assert_expected_messages ();
  g_assert_cmpint (g_array_index (sd->chosen, int, 0), ==, 0);
  sends_free (sd);
}

static void
test_send_no_other_player (Cast          *c,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  gint destroyed = 0;
  JanusAddress *to;

  /* the sender is the only Sender: nobody else to send to */
  to = NULL;
  g_assert_false (janus_role_send (ROLE (c->s_in), role_sender,
                                   janus_message_new_pointer ("x", &destroyed, count_destroy), &to, &error));
  g_assert_null (to);
  g_assert_error (error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_NOT_A_MEMBER);
  expect_names (error, role_sender, c->group);
  g_assert_cmpint (destroyed, ==, 1);
  g_clear_error (&error);

  /* nobody plays it */
  to = NULL;
  g_assert_false (janus_role_send (ROLE (c->s_out), role_lonely,
                                   janus_message_new_pointer ("x", &destroyed, count_destroy), &to, &error));
  g_assert_null (to);
  g_assert_error (error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_NOT_A_MEMBER);
  g_assert_cmpint (destroyed, ==, 2);
  step_until_idle (c->kernel, 1000);
  g_assert_cmpuint (janus_kernel_get_dead_letter_count (c->kernel), ==, 0);
}

/* ---------------------------------------------------------- broadcast */

static void
test_broadcast (Cast          *c,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  guint n = 99, i;

  /* Receiver and its subclass; not the sender, not Other */
  g_assert_true (janus_role_broadcast (ROLE (c->s_out), role_recv,
                                       janus_message_new ("all", g_variant_new ("(si)", "x", 5)),
                                       &n, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 3);
  step_until_idle (c->kernel, 1000);
  for (i = 0; i < 3; i++)
    {
      JanusMessage *m;
      g_autoptr(JanusGroup) group = NULL;

      g_assert_cmpuint (c->r_in[i]->got->len, ==, 1);
      m = c->r_in[i]->got->pdata[0];
      g_assert_cmpstr (janus_message_get_subject (m), ==, "all");
      g_assert_cmpstr (g_variant_get_type_string (janus_message_get_body (m)), ==, "(si)");
      g_assert_true (janus_address_equal (janus_message_get_sender (m), ADDR (c->s)));
      g_assert_true (janus_address_equal (janus_message_get_receiver (m), ADDR (c->r[i])));
      g_assert_true (janus_message_get_sender_role (m) == role_sender);
      g_assert_true (janus_message_get_receiver_role (m) == role_recv);
      group = janus_message_dup_group (m);
      g_assert_true (group == c->group);
      if (i > 0)
        g_assert_true (m != c->r_in[i - 1]->got->pdata[0]);
    }
  g_assert_cmpuint (c->s_in->got->len, ==, 0);
  g_assert_cmpuint (c->o_in->got->len, ==, 0);

  /* the subclass only */
  g_assert_true (janus_role_broadcast (ROLE (c->s_out), role_recv_sub,
                                       janus_message_new ("sub", NULL), &n, &error));
  g_assert_cmpuint (n, ==, 1);
  /* nobody: success, 0 */
  g_assert_true (janus_role_broadcast (ROLE (c->s_out), role_lonely,
                                       janus_message_new ("none", NULL), &n, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 0);
  /* n_receivers is optional */
  g_assert_true (janus_role_broadcast (ROLE (c->s_out), role_other,
                                       janus_message_new ("other", NULL), NULL, &error));
  g_assert_no_error (error);
  step_until_idle (c->kernel, 1000);
  g_assert_cmpuint (c->r_in[2]->got->len, ==, 2);
  g_assert_cmpuint (c->r_in[0]->got->len, ==, 1);
  g_assert_cmpuint (c->o_in->got->len, ==, 1);
  g_assert_cmpuint (janus_kernel_get_dead_letter_count (c->kernel), ==, 0);
}

static void
test_broadcast_pointer_body (Cast          *c,
                             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  gint destroyed = 0;
  guint n = 99;

  g_assert_false (janus_role_broadcast (ROLE (c->s_out), role_recv,
                                        janus_message_new_pointer ("p", &destroyed, count_destroy),
                                        &n, &error));
  g_assert_error (error, JANUS_MESSAGE_ERROR, JANUS_MESSAGE_ERROR_POINTER_BODY);
  g_assert_cmpint (destroyed, ==, 1);
  g_assert_cmpuint (n, ==, 0);
  g_clear_error (&error);

  /* one receiver: fine */
  g_assert_true (janus_role_broadcast (ROLE (c->s_out), role_other,
                                       janus_message_new_pointer ("p", &destroyed, count_destroy),
                                       &n, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 1);
  step_until_idle (c->kernel, 1000);
  g_assert_cmpuint (c->o_in->got->len, ==, 1);
  g_assert_true (janus_message_get_pointer (c->o_in->got->pdata[0]) == &destroyed);
  g_ptr_array_set_size (c->o_in->got, 0);
  g_assert_cmpint (destroyed, ==, 2);
}

/* A player of two conforming roles (Receiver and ReceiverSub) is one
 * player: a broadcast reaches it once, and it is one candidate of
 * janus_role_send, like janus_group_list_players counts it once. */
static void
test_two_roles_broadcast (Cast          *c,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  guint n = 0;

  take (c->r[0], role_recv_sub, c->group);
  g_assert_cmpuint (janus_group_count_players (c->group, role_recv), ==, 5);
  {
    g_autoptr(GPtrArray) players = janus_group_list_players (c->group, role_recv);
    g_assert_cmpuint (players->len, ==, 4);          /* r0, s, r1, r2 */
  }
  g_assert_true (janus_role_broadcast (ROLE (c->s_out), role_recv,
                                       janus_message_new ("once", NULL), &n, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (janus_agent_get_mailbox_size (AGENT (c->r[0])), ==, 1);
  g_assert_cmpuint (n, ==, 3);
}

static void
test_two_roles_candidates (Cast          *c,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  CustomData cd = { c, 0, 0, FALSE };
  guint i, counts[3] = { 0 };
  Sends *sd;

  take (c->r[0], role_recv_sub, c->group);
  janus_group_set_selection_func (c->group, custom_select, &cd, NULL);
  janus_role_send (ROLE (c->s_out), role_recv,
                   janus_message_new ("one", NULL), NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (cd.calls, ==, 1);
  /* r0, r1, r2: each player once, in take order */
  g_assert_false (cd.bad_candidates);

  /* round robin: each player in turn */
  janus_group_set_selection_policy (c->group, JANUS_SELECTION_ROUND_ROBIN);
  sd = sends_run (c, role_recv, 6);
  for (i = 0; i < 6; i++)
    counts[g_array_index (sd->chosen, int, i)]++;
  sends_free (sd);
  g_assert_cmpuint (counts[0], ==, 2);
  g_assert_cmpuint (counts[1], ==, 2);
  g_assert_cmpuint (counts[2], ==, 2);
}

/* -------------------------------------------------------------- reply */

/* Replies "pong" to each role message, with the same body. */
static JanusLive
live_pong (TestRole *self)
{
  JanusMessage *m;

  while ((m = janus_role_get_message (ROLE (self))) != NULL)
    {
      g_autoptr(GError) error = NULL;
      GVariant *body = janus_message_get_body (m);

      if (!janus_role_reply (ROLE (self), m,
                             janus_message_new ("pong", body),
                             &error))
        g_error ("reply failed: %s", error->message);
      g_ptr_array_add (self->got, m);
    }
  return JANUS_LIVE_WAIT;
}

static void
test_reply (Cast          *c,
            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JanusAddress) to = NULL;
  g_autoptr(JanusGroup) group = NULL;
  JanusMessage *pong;

  c->o_in->live = live_pong;
  to = NULL;
  g_assert_true (janus_role_send (ROLE (c->s_in), role_other,
                                  janus_message_new_int64 ("ping", 11), &to, &error));
  g_assert_no_error (error);
  g_assert_true (janus_address_equal (to, ADDR (c->o)));
  step_until_idle (c->kernel, 1000);

  /* into the sending role's mailbox (Receiver), not the other role's */
  g_assert_cmpuint (c->o_in->got->len, ==, 1);
  g_assert_cmpuint (c->s_in->got->len, ==, 1);
  g_assert_cmpuint (c->s_out->got->len, ==, 0);
  pong = c->s_in->got->pdata[0];
  g_assert_cmpstr (janus_message_get_subject (pong), ==, "pong");
  g_assert_true (janus_address_equal (janus_message_get_sender (pong), ADDR (c->o)));
  g_assert_true (janus_address_equal (janus_message_get_receiver (pong), ADDR (c->s)));
  g_assert_true (janus_message_get_sender_role (pong) == role_other);
  g_assert_true (janus_message_get_receiver_role (pong) == role_recv);
  group = janus_message_dup_group (pong);
  g_assert_true (group == c->group);
  {
    gint64 v = 0;
    g_assert_true (janus_message_get_int64 (pong, &v));
    g_assert_cmpint (v, ==, 11);
  }
}

static void
test_reply_to_direct (Cast          *c,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  JanusMessage *direct, *unsent;
  gint destroyed = 0;

  c->o_in->live = live_idle;
  g_assert_true (janus_kernel_send (c->kernel, ADDR (c->o), janus_message_new ("direct", NULL), NULL));
  direct = janus_agent_get_message (AGENT (c->o));
  g_assert_nonnull (direct);
  g_assert_false (janus_role_reply (ROLE (c->o_in), direct,
                                    janus_message_new_pointer ("r", &destroyed, count_destroy), &error));
  g_assert_error (error, JANUS_MESSAGE_ERROR, JANUS_MESSAGE_ERROR_NOT_A_ROLE_MESSAGE);
  g_assert_cmpint (destroyed, ==, 1);
  g_clear_error (&error);

  unsent = janus_message_new ("never sent", NULL);
  g_assert_false (janus_role_reply (ROLE (c->o_in), unsent,
                                    janus_message_new_pointer ("r", &destroyed, count_destroy), &error));
  g_assert_error (error, JANUS_MESSAGE_ERROR, JANUS_MESSAGE_ERROR_NOT_A_ROLE_MESSAGE);
  g_assert_cmpint (destroyed, ==, 2);
  janus_message_unref (unsent);
  janus_message_unref (direct);
  step_until_idle (c->kernel, 1000);
  g_assert_cmpuint (janus_kernel_get_dead_letter_count (c->kernel), ==, 0);
}

/* ------------------------------------------------------------ forward */

static void
test_forward (Cast          *c,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JanusAddress) to = NULL;
  JanusMessage *task, *copy;

  c->r_in[0]->live = live_idle;
  janus_agent_send_to_role (AGENT (c->s), c->group, role_sender, role_recv,
                            ADDR (c->r[0]),
                            janus_message_new ("task", g_variant_new_string ("t")), NULL,
                            &error);
  g_assert_no_error (error);
  task = janus_role_get_message (ROLE (c->r_in[0]));
  g_assert_nonnull (task);

  to = NULL;
  g_assert_true (janus_role_forward (ROLE (c->r_in[0]), role_other, task, &to, &error));
  g_assert_no_error (error);
  g_assert_true (janus_address_equal (to, ADDR (c->o)));
  /* not consumed */
  g_assert_cmpstr (janus_message_get_subject (task), ==, "task");
  g_assert_true (janus_message_get_sender_role (task) == role_sender);
  step_until_idle (c->kernel, 1000);
  g_assert_cmpuint (c->o_in->got->len, ==, 1);
  copy = c->o_in->got->pdata[0];
  g_assert_true (copy != task);
  g_assert_cmpstr (janus_message_get_subject (copy), ==, "task");
  g_assert_cmpstr (g_variant_get_string (janus_message_get_body (copy), NULL), ==, "t");
  g_assert_true (janus_address_equal (janus_message_get_sender (copy), ADDR (c->r[0])));
  g_assert_true (janus_message_get_sender_role (copy) == role_recv);
  g_assert_true (janus_message_get_receiver_role (copy) == role_other);
  janus_message_unref (task);
}

/* ----------------------------------------------- from the agent's context */

typedef struct
{
  Cast *c;
  gint  destroyed;
} AgentSends;

static void
agent_sends (TestAgent *self,
             gpointer   data)
{
  AgentSends *as = data;
  Cast *c = as->c;
  g_autoptr(GError) error = NULL;
  JanusAddress *to;

  /* no address: the group chooses (round robin: r0) */
  to = NULL;
  g_assert_true (janus_agent_send_to_role (AGENT (self), c->group, role_sender, role_recv, NULL,
                                           janus_message_new ("chosen", NULL), &to, &error));
  g_assert_no_error (error);
  g_assert_true (janus_address_equal (to, ADDR (c->r[0])));
  janus_address_free (to);

  /* an address: that agent, also through a subclass */
  to = NULL;
  g_assert_true (janus_agent_send_to_role (AGENT (self), c->group, role_sender, role_recv, ADDR (c->r[2]),
                                           janus_message_new ("addressed", NULL), &to, &error));
  g_assert_no_error (error);
  g_assert_true (janus_address_equal (to, ADDR (c->r[2])));
  janus_address_free (to);

  /* an agent that does not play the receiving role there */
  to = NULL;
  g_assert_false (janus_agent_send_to_role (AGENT (self), c->group, role_sender, role_recv, ADDR (c->o),
                                            janus_message_new_pointer ("x", &as->destroyed, count_destroy), &to,
                                            &error));
  g_assert_null (to);
  g_assert_error (error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_NOT_A_MEMBER);
  g_clear_error (&error);
  /* itself: never */
  to = NULL;
  g_assert_false (janus_agent_send_to_role (AGENT (self), c->group, role_sender, role_recv, ADDR (self),
                                            janus_message_new_pointer ("x", &as->destroyed, count_destroy), &to,
                                            &error));
  g_assert_null (to);
  g_assert_error (error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_NOT_A_MEMBER);
  g_clear_error (&error);
  /* a sender role it does not play */
  to = NULL;
  g_assert_false (janus_agent_send_to_role (AGENT (self), c->group, role_other, role_recv, NULL,
                                            janus_message_new_pointer ("x", &as->destroyed, count_destroy), &to,
                                            &error));
  g_assert_null (to);
  g_assert_error (error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_ROLE_NOT_PLAYED);
  expect_names (error, role_other, c->group);
  g_clear_error (&error);
}

static void
test_agent_send_to_role (Cast          *c,
                              gconstpointer  data)
{
  AgentSends as = { c, 0 };
  JanusMessage *m;
  g_autoptr(GError) error = NULL;

  janus_group_set_selection_policy (c->group, JANUS_SELECTION_ROUND_ROBIN);
  agent_do (c->kernel, c->s, agent_sends, &as);
  step_until_idle (c->kernel, 1000);
  g_assert_cmpint (as.destroyed, ==, 3);

  g_assert_cmpuint (c->r_in[0]->got->len, ==, 1);
  m = c->r_in[0]->got->pdata[0];
  g_assert_cmpstr (janus_message_get_subject (m), ==, "chosen");
  g_assert_true (janus_message_get_sender_role (m) == role_sender);
  g_assert_true (janus_message_get_receiver_role (m) == role_recv);
  g_assert_cmpuint (c->r_in[2]->got->len, ==, 1);
  g_assert_cmpstr (janus_message_get_subject (c->r_in[2]->got->pdata[0]), ==, "addressed");
  g_assert_cmpuint (c->r_in[1]->got->len, ==, 0);
  g_assert_cmpuint (c->o_in->got->len, ==, 0);
  g_assert_cmpuint (c->s_in->got->len, ==, 0);

  /* an unlaunched agent cannot send */
  {
    TestAgent *ghost = g_object_new (TEST_TYPE_AGENT, NULL);
    g_assert_false (janus_agent_send_to_role (AGENT (ghost), c->group, role_sender, role_recv, NULL,
                                              janus_message_new ("x", NULL), NULL, &error));
    g_assert_error (error, JANUS_KERNEL_ERROR, JANUS_KERNEL_ERROR_NOT_LAUNCHED);
    g_assert_finalize_object (ghost);
  }
}

/* ------------------------------------------------------- route accessors */

static void
test_route_accessors (Cast          *c,
                      gconstpointer  data)
{
  JanusKernel *kernel = c->kernel;
  JanusGroup *g2 = janus_kernel_create_group (kernel, org_main, NULL);
  g_autoptr(JanusMessage) unsent = janus_message_new ("u", NULL);
  TestRole *a, *b;
  JanusMessage *m;
  JanusGroup *found;

  /* unsent, direct */
  g_assert_null (janus_message_dup_group (unsent));
  g_assert_true (janus_message_get_sender_role (unsent) == G_TYPE_INVALID);
  g_assert_true (janus_message_get_receiver_role (unsent) == G_TYPE_INVALID);
  c->o_in->live = live_idle;
  g_assert_true (janus_kernel_send (kernel, ADDR (c->o), janus_message_new ("direct", NULL), NULL));
  m = janus_agent_get_message (AGENT (c->o));
  g_assert_null (janus_message_dup_group (m));
  g_assert_true (janus_message_get_sender_role (m) == G_TYPE_INVALID);
  g_assert_true (janus_message_get_receiver_role (m) == G_TYPE_INVALID);
  janus_message_unref (m);

  /* a role message in a group that then disappears */
  a = take (c->r[0], role_other, g2);
  b = take (c->r[1], role_lonely, g2);
  b->live = live_idle;
  janus_role_send (ROLE (a), role_lonely, janus_message_new ("g2", NULL), NULL, NULL);
  m = janus_role_get_message (ROLE (b));
  g_assert_nonnull (m);
  found = janus_message_dup_group (m);
  g_assert_true (found == g2);
  g_object_unref (found);
  g_assert_true (janus_message_get_sender_role (m) == role_other);
  g_assert_true (janus_message_get_receiver_role (m) == role_lonely);
  g_assert_true (janus_agent_leave_role (AGENT (c->r[0]), role_other, g2, NULL));
  g_assert_true (janus_agent_leave_role (AGENT (c->r[1]), role_lonely, g2, NULL));
  g_assert_false (janus_group_is_alive (g2));
  g_assert_null (janus_message_dup_group (m));
  /* the types stay */
  g_assert_true (janus_message_get_sender_role (m) == role_other);
  janus_message_unref (m);
  g_object_unref (g2);
}

/* ------------------------------------------------------------ left role */

static void
test_left_role_cannot_send (Cast          *c,
                            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  JanusRole *gone, *in;
  JanusMessage *request;
  gint destroyed = 0;
  guint n = 9;

  /* a request to reply to, received by s's Receiver */
  c->s_in->live = live_idle;
  janus_agent_send_to_role (AGENT (c->o), c->group, role_other, role_recv,
                            ADDR (c->s), janus_message_new ("q", NULL), NULL, &error);
  g_assert_no_error (error);
  request = janus_role_get_message (ROLE (c->s_in));
  g_assert_nonnull (request);

  gone = g_object_ref (ROLE (c->s_out));
  in = g_object_ref (ROLE (c->s_in));
  g_assert_true (janus_agent_leave_role (AGENT (c->s), role_sender, c->group, NULL));
  g_assert_true (janus_agent_leave_role (AGENT (c->s), role_recv, c->group, NULL));

  g_assert_false (janus_role_send (gone, role_recv,
                                   janus_message_new_pointer ("x", &destroyed, count_destroy), NULL, &error));
  g_assert_error (error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_ROLE_NOT_PLAYED);
  expect_names (error, role_sender, c->group);
  g_clear_error (&error);
  g_assert_false (janus_role_broadcast (gone, role_recv,
                                        janus_message_new_pointer ("x", &destroyed, count_destroy),
                                        &n, &error));
  g_assert_error (error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_ROLE_NOT_PLAYED);
  g_assert_cmpuint (n, ==, 0);
  g_clear_error (&error);
  g_assert_false (janus_role_reply (in, request,
                                    janus_message_new_pointer ("x", &destroyed, count_destroy), &error));
  g_assert_error (error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_ROLE_NOT_PLAYED);
  g_clear_error (&error);
  g_assert_false (janus_role_forward (in, role_other, request, NULL, &error));
  g_assert_error (error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_ROLE_NOT_PLAYED);
  g_clear_error (&error);
  /* nor from the agent's context */
  g_assert_false (janus_agent_send_to_role (AGENT (c->s), c->group, role_sender, role_recv, NULL,
                                            janus_message_new_pointer ("x", &destroyed, count_destroy), NULL,
                                            &error));
  g_assert_error (error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_ROLE_NOT_PLAYED);
  g_assert_cmpint (destroyed, ==, 4);

  step_until_idle (c->kernel, 1000);
  g_assert_cmpuint (c->o_in->got->len, ==, 0);
  g_assert_cmpuint (janus_kernel_get_dead_letter_count (c->kernel), ==, 0);
  janus_message_unref (request);
  g_object_unref (gone);
  g_object_unref (in);
}

/* ---------------------------------------------------------- dead letters */

typedef struct
{
  guint  n;
  GString *subjects;
} DeadLetters;

static void
on_dead_letter (JanusKernel  *kernel,
                JanusMessage *message,
                DeadLetters  *dl)
{
  dl->n++;
  g_string_append_printf (dl->subjects, "%s,", janus_message_get_subject (message));
}

static void
test_dead_letters (Cast          *c,
                   gconstpointer  data)
{
  DeadLetters dl = { 0, g_string_new (NULL) };
  g_autoptr(GError) error = NULL;
  JanusMessage *request;

  g_signal_connect (c->kernel, "dead-letter", G_CALLBACK (on_dead_letter), &dl);
  /* unread role messages of an agent that dies */
  c->o_in->live = live_idle;
  janus_role_send (ROLE (c->s_out), role_other, janus_message_new ("u1", NULL), NULL, NULL);
  janus_role_send (ROLE (c->s_out), role_other, janus_message_new ("u2", NULL), NULL, NULL);
  step_until_idle (c->kernel, 1000);
  g_assert_cmpuint (janus_role_get_mailbox_size (ROLE (c->o_in)), ==, 2);
  janus_kernel_kill (c->kernel, AGENT (c->o), NULL);
  step_until_idle (c->kernel, 1000);
  g_assert_cmpint (janus_agent_get_state (AGENT (c->o)), ==, JANUS_AGENT_STATE_DIED);
  g_assert_cmpuint (dl.n, ==, 2);
  g_assert_cmpstr (dl.subjects->str, ==, "u1,u2,");
  g_assert_cmpuint (janus_kernel_get_dead_letter_count (c->kernel), ==, 2);

  /* its role is gone: a new send finds nobody (an error, not a letter) */
  g_assert_false (janus_role_send (ROLE (c->s_out), role_other, janus_message_new ("late", NULL), NULL, &error));
  g_assert_error (error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_NOT_A_MEMBER);
  g_clear_error (&error);

  /* a reply to a role whose player died meanwhile */
  c->r_in[0]->live = live_idle;
  janus_agent_send_to_role (AGENT (c->s), c->group, role_sender, role_recv,
                            ADDR (c->r[0]), janus_message_new ("q", NULL), NULL, &error);
  g_assert_no_error (error);
  request = janus_role_get_message (ROLE (c->r_in[0]));
  g_assert_nonnull (request);
  janus_kernel_kill (c->kernel, AGENT (c->s), NULL);
  step_until_idle (c->kernel, 1000);
  g_assert_true (janus_role_reply (ROLE (c->r_in[0]), request, janus_message_new ("answer", NULL), &error));
  g_assert_no_error (error);
  g_assert_cmpuint (dl.n, ==, 3);
  g_assert_cmpstr (dl.subjects->str, ==, "u1,u2,answer,");
  g_assert_cmpuint (janus_kernel_get_dead_letter_count (c->kernel), ==, 3);
  janus_message_unref (request);
  g_signal_handlers_disconnect_by_data (c->kernel, &dl);
  g_string_free (dl.subjects, TRUE);
}

/* A post reaches the role instance it was posted to: once the role is left
 * a post is a dead letter, and a post that crossed the leaving is not read
 * by a role of the same type taken again. */
static void
test_post_to_left_role (Cast          *c,
                        gconstpointer  data)
{
  DeadLetters dl = { 0, g_string_new (NULL) };
  g_autoptr(GError) error = NULL;
  JanusRole *old = g_object_ref (ROLE (c->r_in[0]));
  TestRole *again;

  g_signal_connect (c->kernel, "dead-letter", G_CALLBACK (on_dead_letter), &dl);
  step_until_idle (c->kernel, 1000);
  g_assert_true (janus_role_post (old, janus_message_new ("crossing", NULL), &error));
  g_assert_no_error (error);
  g_assert_true (janus_agent_leave_role (AGENT (c->r[0]), role_recv, c->group, NULL));
  g_assert_true (janus_role_post (old, janus_message_new ("late", NULL), &error));
  g_assert_no_error (error);
  g_assert_cmpuint (dl.n, ==, 1);
  g_assert_cmpstr (dl.subjects->str, ==, "late,");

  again = take (c->r[0], role_recv, c->group);
  g_assert_true (ROLE (again) != old);
  step_until_idle (c->kernel, 1000);
  g_assert_cmpuint (again->got->len, ==, 0);
  g_assert_cmpuint (janus_role_get_mailbox_size (ROLE (again)), ==, 0);
  g_assert_cmpuint (janus_role_get_mailbox_size (old), ==, 0);
  /* a post to the new instance is read by it */
  g_assert_true (janus_role_post (ROLE (again), janus_message_new ("fresh", NULL), &error));
  step_until_idle (c->kernel, 1000);
  g_assert_cmpuint (again->got->len, ==, 1);
  g_assert_cmpstr (janus_message_get_subject (again->got->pdata[0]), ==, "fresh");
  g_assert_cmpuint (janus_kernel_get_dead_letter_count (c->kernel), ==, 1);

  g_signal_handlers_disconnect_by_data (c->kernel, &dl);
  g_string_free (dl.subjects, TRUE);
  g_object_unref (old);
}

/* ------------------------------------------------------- on two workers
 *
 * The asker plays Sender and Receiver; three responders play Receiver (one
 * as ReceiverSub) and answer "ping" with "pong" and "all" with "ack"; they
 * forward "fwd" to Other. Everything is counted under one lock. */

typedef struct
{
  GMutex      lock;
  GCond       cond;
  JanusGroup *group;
  guint       n_taken;
  guint       pongs;          /* into the asker's Sender role */
  guint       acks;
  guint       wrong_role;     /* anything the asker's Receiver got */
  guint       wrong_route;    /* a message with unexpected route data */
  guint       pings_seen[3];
  guint       forwarded;      /* "fwd" at Other */
  guint       errors;
  GArray     *chosen;         /* int: responder index, per ping */
  TestAgent  *resp[3];
  guint       n_pings;
  guint       n_bcast;
} Net;

static Net net;

static void
net_changed (void)
{
  g_cond_broadcast (&net.cond);
}

static JanusLive
live_responder (TestRole *self)
{
  int index = GPOINTER_TO_INT (self->data);
  JanusMessage *m;

  while ((m = janus_role_get_message (ROLE (self))) != NULL)
    {
      g_autoptr(GError) error = NULL;
      gboolean ok = TRUE;

      if (janus_message_get_sender_role (m) != role_sender
          || janus_message_get_receiver_role (m)
             != (janus_message_has_subject (m, "fwd") ? role_recv_sub : role_recv))
        {
          g_mutex_lock (&net.lock);
          net.wrong_route++;
          g_mutex_unlock (&net.lock);
        }
      if (janus_message_has_subject (m, "ping"))
        {
          ok = janus_role_reply (ROLE (self), m, janus_message_new ("pong", NULL), &error);
          g_mutex_lock (&net.lock);
          net.pings_seen[index]++;
          g_mutex_unlock (&net.lock);
        }
      else if (janus_message_has_subject (m, "all"))
        ok = janus_role_reply (ROLE (self), m, janus_message_new ("ack", NULL), &error);
      else if (janus_message_has_subject (m, "fwd"))
        {
          JanusAddress *to = NULL;
          janus_role_forward (ROLE (self), role_other, m, &to, &error);
          ok = to != NULL;
          g_clear_pointer (&to, janus_address_free);
        }
      if (!ok)
        {
          g_mutex_lock (&net.lock);
          net.errors++;
          g_mutex_unlock (&net.lock);
        }
      janus_message_unref (m);
    }
  return JANUS_LIVE_WAIT;
}

static JanusLive
live_asker_out (TestRole *self)
{
  JanusMessage *m;

  while ((m = janus_role_get_message (ROLE (self))) != NULL)
    {
      g_autoptr(JanusGroup) group = janus_message_dup_group (m);

      g_mutex_lock (&net.lock);
      if (group != net.group || janus_message_get_receiver_role (m) != role_sender)
        net.wrong_route++;
      if (janus_message_has_subject (m, "pong"))
        net.pongs++;
      else if (janus_message_has_subject (m, "ack"))
        net.acks++;
      net_changed ();
      g_mutex_unlock (&net.lock);
      janus_message_unref (m);
    }
  return JANUS_LIVE_WAIT;
}

static JanusLive
live_asker_in (TestRole *self)
{
  JanusMessage *m;

  while ((m = janus_role_get_message (ROLE (self))) != NULL)
    {
      g_mutex_lock (&net.lock);
      net.wrong_role++;
      g_mutex_unlock (&net.lock);
      janus_message_unref (m);
    }
  return JANUS_LIVE_WAIT;
}

static JanusLive
live_other (TestRole *self)
{
  JanusMessage *m;

  while ((m = janus_role_get_message (ROLE (self))) != NULL)
    {
      g_mutex_lock (&net.lock);
      /* forwarded by the ReceiverSub player */
      if (janus_message_has_subject (m, "fwd") && janus_message_get_sender_role (m) == role_recv_sub)
        net.forwarded++;
      else
        net.wrong_route++;
      net_changed ();
      g_mutex_unlock (&net.lock);
      janus_message_unref (m);
    }
  return JANUS_LIVE_WAIT;
}

static void
on_taken_net (JanusGroup *group,
              JanusRole  *role,
              gpointer    data)
{
  g_mutex_lock (&net.lock);
  net.n_taken++;
  net_changed ();
  g_mutex_unlock (&net.lock);
}

static void
responder_activate (TestAgent *self,
                    gpointer   data)
{
  int index = GPOINTER_TO_INT (data);
  TestRole *r = take (self, index == 2 ? role_recv_sub : role_recv, net.group);

  r->live = live_responder;
  r->data = data;
}

static void
other_activate (TestAgent *self,
                gpointer   data)
{
  take (self, role_other, net.group)->live = live_other;
}

typedef struct
{
  TestRole *out;
  TestRole *in;
} Asker;

static void
asker_activate (TestAgent *self,
                gpointer   data)
{
  Asker *asker = data;

  asker->out = take (self, role_sender, net.group);
  asker->out->live = live_asker_out;
  asker->in = take (self, role_recv, net.group);
  asker->in->live = live_asker_in;
}

static void
asker_sends (TestAgent *self,
             gpointer   data)
{
  Asker *asker = data;
  g_autoptr(GError) error = NULL;
  JanusAddress *to;
  guint i, n = 0;

  for (i = 0; i < net.n_pings; i++)
    {
      int w = -1, j;

      to = NULL;
      g_assert_true (janus_role_send (ROLE (asker->out), role_recv, janus_message_new ("ping", NULL), &to, &error));
      g_assert_no_error (error);
      for (j = 0; j < 3; j++)
        if (janus_address_equal (to, ADDR (net.resp[j])))
          w = j;
      g_array_append_val (net.chosen, w);
      janus_address_free (to);
    }
  g_assert_true (janus_role_broadcast (ROLE (asker->out), role_recv,
                                       janus_message_new ("all", NULL), &n, &error));
  g_assert_no_error (error);
  net.n_bcast = n;
  to = NULL;
  g_assert_true (janus_role_send (ROLE (asker->out), role_recv_sub, janus_message_new ("fwd", NULL), &to, &error));
  g_assert_no_error (error);
  g_assert_true (janus_address_equal (to, ADDR (net.resp[2])));
  janus_address_free (to);
  /* nobody else plays Sender */
  g_assert_false (janus_role_send (ROLE (asker->in), role_sender, janus_message_new ("x", NULL), NULL, &error));
  g_assert_error (error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_NOT_A_MEMBER);
}

/* Second round, random selection: never the asker itself; then a send to
 * an address, and a send from a role the asker just left. */
#define N_RANDOM 30

static void
asker_sends_random (TestAgent *self,
                    gpointer   data)
{
  Asker *asker = data;
  g_autoptr(GError) error = NULL;
  JanusAddress *to;
  guint i;

  g_array_set_size (net.chosen, 0);
  for (i = 0; i < N_RANDOM; i++)
    {
      int w = -1, j;

      to = NULL;
      g_assert_true (janus_role_send (ROLE (asker->out), role_recv, janus_message_new ("ping", NULL), &to, &error));
      g_assert_no_error (error);
      for (j = 0; j < 3; j++)
        if (janus_address_equal (to, ADDR (net.resp[j])))
          w = j;
      g_array_append_val (net.chosen, w);
      janus_address_free (to);
    }
  to = NULL;
  g_assert_true (janus_agent_send_to_role (AGENT (self), net.group, role_sender, role_recv,
                                           ADDR (net.resp[1]), janus_message_new ("ping", NULL), &to, &error));
  g_assert_no_error (error);
  g_assert_true (janus_address_equal (to, ADDR (net.resp[1])));
  janus_address_free (to);

  g_assert_true (janus_agent_leave_role (AGENT (self), role_recv, net.group, &error));
  g_assert_false (janus_role_send (ROLE (asker->in), role_recv, janus_message_new ("x", NULL), NULL, &error));
  g_assert_error (error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_ROLE_NOT_PLAYED);
}

static void
wait_net (gboolean (*done) (void))
{
  gint64 deadline = g_get_monotonic_time () + DEADLINE_USEC;

  g_mutex_lock (&net.lock);
  while (!done ())
    if (!g_cond_wait_until (&net.cond, &net.lock, deadline))
      break;
  g_mutex_unlock (&net.lock);
}

static guint want_taken;

static gboolean
enough_taken (void)
{
  return net.n_taken >= want_taken;
}

static gboolean
all_answered (void)
{
  return net.pongs >= net.n_pings && net.acks >= 3 && net.forwarded >= 1;
}

static gboolean
all_answered_again (void)
{
  return net.pongs >= net.n_pings + N_RANDOM + 1;
}

static TestAgent *
launch_worker_agent (JanusKernel *kernel,
                     TestAction  on_activate,
                     gpointer     data,
                     guint        roles)
{
  g_autoptr(GError) error = NULL;
  TestAgent *agent = g_object_new (TEST_TYPE_AGENT, NULL);

  agent->on_activate = on_activate;
  agent->data = data;
  want_taken += roles;
  g_assert_true (janus_kernel_launch_light_agent (kernel, AGENT (agent), NULL, NULL, &error));
  g_assert_no_error (error);
  /* one at a time: the take order is the launch order */
  wait_net (enough_taken);
  g_assert_cmpuint (net.n_taken, ==, want_taken);
  return agent;
}

static void
test_workers (void)
{
  JanusKernel *kernel = janus_kernel_new (2);
  TestAgent *asker, *other;
  Asker roles = { NULL, NULL };
  guint i, total = 0;

  memset (&net, 0, sizeof net);
  g_mutex_init (&net.lock);
  g_cond_init (&net.cond);
  want_taken = 0;
  net.n_pings = test_small () ? 60 : 300;
  net.chosen = g_array_new (FALSE, FALSE, sizeof (int));
  net.group = persistent_group (kernel);
  janus_group_set_selection_policy (net.group, JANUS_SELECTION_ROUND_ROBIN);
  g_signal_connect (net.group, "role-taken", G_CALLBACK (on_taken_net), NULL);

  asker = launch_worker_agent (kernel, asker_activate, &roles, 2);
  for (i = 0; i < 3; i++)
    net.resp[i] = launch_worker_agent (kernel, responder_activate, GINT_TO_POINTER (i), 1);
  other = launch_worker_agent (kernel, other_activate, NULL, 1);

  agent_do (kernel, asker, asker_sends, &roles);
  wait_net (all_answered);

  g_mutex_lock (&net.lock);
  g_assert_cmpuint (net.pongs, ==, net.n_pings);
  g_assert_cmpuint (net.n_bcast, ==, 3);
  g_assert_cmpuint (net.acks, ==, 3);
  g_assert_cmpuint (net.forwarded, ==, 1);
  g_assert_cmpuint (net.wrong_role, ==, 0);
  g_assert_cmpuint (net.wrong_route, ==, 0);
  g_assert_cmpuint (net.errors, ==, 0);
  /* round robin over the responders in take order, never the asker */
  for (i = 0; i < net.chosen->len; i++)
    g_assert_cmpint (g_array_index (net.chosen, int, i), ==, (int) (i % 3));
  for (i = 0; i < 3; i++)
    {
      g_assert_cmpuint (net.pings_seen[i], ==, net.n_pings / 3 + (i < net.n_pings % 3));
      total += net.pings_seen[i];
    }
  g_assert_cmpuint (total, ==, net.n_pings);
  g_mutex_unlock (&net.lock);

  janus_group_set_selection_policy (net.group, JANUS_SELECTION_RANDOM);
  agent_do (kernel, asker, asker_sends_random, &roles);
  wait_net (all_answered_again);
  g_mutex_lock (&net.lock);
  g_assert_cmpuint (net.pongs, ==, net.n_pings + N_RANDOM + 1);
  for (i = 0; i < N_RANDOM; i++)
    g_assert_cmpint (g_array_index (net.chosen, int, i), >=, 0);
  g_assert_cmpuint (net.pings_seen[0] + net.pings_seen[1] + net.pings_seen[2], ==,
                    net.n_pings + N_RANDOM + 1);
  g_assert_cmpuint (net.wrong_role, ==, 0);
  g_assert_cmpuint (net.wrong_route, ==, 0);
  g_assert_cmpuint (net.errors, ==, 0);
  g_mutex_unlock (&net.lock);

  janus_kernel_shutdown (kernel);
  g_assert_cmpuint (janus_kernel_get_dead_letter_count (kernel), ==, 0);
  g_assert_finalize_object (kernel);
  g_assert_finalize_object (asker);
  for (i = 0; i < 3; i++)
    g_assert_finalize_object (net.resp[i]);
  g_assert_finalize_object (other);
  g_assert_finalize_object (net.group);
  g_array_unref (net.chosen);
  g_mutex_clear (&net.lock);
  g_cond_clear (&net.cond);
}

/* ------------------------------------------------------------ dispatch
 *
 * janus_role_dispatch_messages: each message of the role once, oldest
 * first, to the function; a function that leaves the role ends the
 * dispatch, and what was not dispatched is released unread. */

typedef struct
{
  JanusGroup *group;
  GString    *seen;           /* subjects, in dispatch order */
  guint       returned;       /* sum of what dispatch_messages returned */
  gint        released;       /* atomic: messages released */
  GMutex      lock;
  GCond       cond;
  atomic_int  left;           /* the receiver left its role */
} Dispatch;

static void
dispatch_one (JanusRole    *role,
              JanusMessage *message,
              gpointer      user_data)
{
  Dispatch *d = user_data;

  g_string_append_printf (d->seen, "%s;", janus_message_get_subject (message));
  if (janus_message_has_subject (message, "leave"))
    {
      g_assert_true (janus_agent_leave_role (janus_role_get_player (role), role_recv, d->group, NULL));
      test_bump (&d->lock, &d->cond, &d->left);
    }
}

static JanusLive
dispatch_live (TestRole *self)
{
  Dispatch *d = self->data;

  d->returned += janus_role_dispatch_messages (ROLE (self), dispatch_one, d);
  return JANUS_LIVE_WAIT;
}

static void
dispatch_sends (TestAgent *self,
                gpointer   data)
{
  static const char *subjects[] = { "a", "b", "leave", "c" };
  Dispatch *d = data;
  TestRole *out = TEST_ROLE (janus_agent_get_role (AGENT (self), role_sender, d->group));
  guint i;

  for (i = 0; i < G_N_ELEMENTS (subjects); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_true (janus_role_send (ROLE (out), role_recv,
                                      counted_message (subjects[i], &d->released), NULL, &error));
      g_assert_no_error (error);
    }
}

static void
take_sender_role (TestAgent *self,
                  gpointer   data)
{
  Dispatch *d = data;

  take (self, role_sender, d->group);
}

static void
take_dispatching_role (TestAgent *self,
                       gpointer   data)
{
  Dispatch *d = data;
  TestRole *in = take (self, role_recv, d->group);

  in->live = dispatch_live;
  in->data = d;
}

static void
test_dispatch (guint         workers,
               gconstpointer data)
{
  JanusKernel *kernel = janus_kernel_new (workers);
  Dispatch d = { persistent_group (kernel), g_string_new (NULL), 0, 0 };
  TestAgent *sender = test_agent_new (NULL, NULL);
  TestAgent *receiver = test_agent_new (NULL, NULL);

  launch_alive (kernel, sender);
  launch_alive (kernel, receiver);
  /* roles are taken in their player's own step */
  agent_do (kernel, sender, take_sender_role, &d);
  agent_do (kernel, receiver, take_dispatching_role, &d);
  g_mutex_init (&d.lock);
  g_cond_init (&d.cond);
  agent_do (kernel, sender, dispatch_sends, &d);
  if (workers > 0)
    g_assert_true (test_wait_count (&d.lock, &d.cond, &d.left, 1));
  else
    {
      step_until_idle (kernel, 100);
      /* all four arrived before the receiver's step: "c" was not dispatched */
      g_assert_cmpuint (d.returned, ==, 3);
      g_assert_cmpint (g_atomic_int_get (&d.released), ==, 4);
    }
  finish (kernel, NULL);

  g_assert_cmpstr (d.seen->str, ==, "a;b;leave;");
  g_assert_cmpuint (d.returned, ==, 3);
  g_assert_cmpint (g_atomic_int_get (&d.released), ==, 4);
  g_assert_null (janus_agent_get_role (AGENT (receiver), role_recv, d.group));
  g_assert_finalize_object (sender);
  g_assert_finalize_object (receiver);
  g_assert_finalize_object (d.group);
  g_string_free (d.seen, TRUE);
  g_mutex_clear (&d.lock);
  g_cond_clear (&d.cond);
}

static void
dispatch_critical (const char *name)
{
  if (g_str_equal (name, "null-role"))
    janus_role_dispatch_messages (NULL, dispatch_one, NULL);
  else if (g_str_equal (name, "null-func"))
    {
      JanusRole *role = g_object_new (role_recv, NULL);

      janus_role_dispatch_messages (role, NULL, NULL);
    }
  else
    g_assert_not_reached ();
}

/* ----------------------------------------------------------------- main */

int
main (int    argc,
      char **argv)
{
  static const char *dispatch_criticals[] = { "null-role", "null-func" };

  g_test_init (&argc, &argv, NULL);
  register_types ();

  TEST_C ("/role-messaging/send/never-to-self", test_send_never_to_self);
  TEST_C ("/role-messaging/send/random-uniform", test_send_random_uniform);
  g_test_add_func ("/role-messaging/send/random-reproducible", test_send_random_reproducible);
  TEST_C ("/role-messaging/send/round-robin", test_send_round_robin);
  TEST_C ("/role-messaging/send/custom", test_send_custom);
  TEST_C ("/role-messaging/send/no-other-player", test_send_no_other_player);
  TEST_C ("/role-messaging/broadcast/receivers", test_broadcast);
  TEST_C ("/role-messaging/broadcast/pointer-body", test_broadcast_pointer_body);
  TEST_C ("/role-messaging/reply/into-sender-role", test_reply);
  TEST_C ("/role-messaging/reply/direct-request", test_reply_to_direct);
  TEST_C ("/role-messaging/forward", test_forward);
  TEST_C ("/role-messaging/agent-send-to-role", test_agent_send_to_role);
  TEST_C ("/role-messaging/route-accessors", test_route_accessors);
  TEST_C ("/role-messaging/left-role-cannot-send", test_left_role_cannot_send);
  TEST_C ("/role-messaging/dead-letters", test_dead_letters);
  TEST_C ("/role-messaging/post/left-role", test_post_to_left_role);
  g_test_add_func ("/role-messaging/workers", test_workers);
  add_on_workers ("/role-messaging/dispatch", test_dispatch, NULL);
  add_critical_cases ("/role-messaging/dispatch/critical", dispatch_critical,
                      dispatch_criticals, G_N_ELEMENTS (dispatch_criticals));
  TEST_C ("/role-messaging/two-conforming-roles/broadcast", test_two_roles_broadcast);
  TEST_C ("/role-messaging/two-conforming-roles/candidates", test_two_roles_candidates);

  return g_test_run ();
}
