/* SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The FIPA contract-net protocol (JanusContractNetOrganization,
 * JanusContractNetInitiator, JanusContractNetParticipant), end to end on a
 * kernel without workers driven by janus_kernel_step (deterministic: the
 * same program gives the same steps), plus one bounded run on two workers.
 *
 * Calls are made from the thread driving the kernel between steps, which a
 * 0-worker kernel allows; on workers the manager agent makes them from its
 * own steps.
 */
#include <string.h>

#include <janus.h>

#define MAX_STEPS 1000

/* ------------------------------------------------------------ test player */

/* An agent that plays the roles; it records the subjects of every message
 * it receives (peeked before its roles are stepped). */
#define TEST_TYPE_PLAYER (test_player_get_type ())
G_DECLARE_FINAL_TYPE (TestPlayer, test_player, TEST, PLAYER, JanusAgent)

struct _TestPlayer
{
  JanusAgent  parent_instance;
  GPtrArray  *seen;             /* char *: subjects received, in order */
  GVariant   *bid;              /* participant: the bid, NULL to refuse */
  gboolean    fail;             /* participant: perform fails */
  guint       n_cfp;            /* participant: propose calls */
  guint       n_performed;      /* participant: perform calls */
  GVariant   *performed;        /* participant: the last task performed */
  guint       silent_die_at;    /* silent participant: kill itself at this cfp */
  guint       n_silent;         /* silent participant: cfps ignored */
};

G_DEFINE_FINAL_TYPE (TestPlayer, test_player, JANUS_TYPE_AGENT)

static JanusLive
test_player_live (JanusAgent *agent)
{
  TestPlayer *self = TEST_PLAYER (agent);
  g_autoptr(GPtrArray) arrived = janus_agent_peek_messages (agent);
  guint i;

  for (i = 0; i < arrived->len; i++)
    g_ptr_array_add (self->seen, g_strdup (janus_message_get_subject (arrived->pdata[i])));
  return JANUS_AGENT_CLASS (test_player_parent_class)->live (agent);
}

static void
test_player_finalize (GObject *object)
{
  TestPlayer *self = TEST_PLAYER (object);

  g_ptr_array_unref (self->seen);
  g_clear_pointer (&self->bid, g_variant_unref);
  g_clear_pointer (&self->performed, g_variant_unref);
  G_OBJECT_CLASS (test_player_parent_class)->finalize (object);
}

static void
test_player_class_init (TestPlayerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = test_player_finalize;
  JANUS_AGENT_CLASS (klass)->live = test_player_live;
}

static void
test_player_init (TestPlayer *self)
{
  self->seen = g_ptr_array_new_with_free_func (g_free);
}

static guint
count_seen (TestPlayer *self,
            const char *subject)
{
  guint i, n = 0;

  for (i = 0; i < self->seen->len; i++)
    n += g_str_equal (self->seen->pdata[i], subject);
  return n;
}

/* ------------------------------------------------------- test participant */

/* Bids its player's bid; perform records the task and returns
 * "done by NAME", or fails if the player says so. */
#define TEST_TYPE_PARTICIPANT (test_participant_get_type ())
G_DECLARE_DERIVABLE_TYPE (TestParticipant, test_participant, TEST, PARTICIPANT,
                          JanusContractNetParticipant)

struct _TestParticipantClass
{
  JanusContractNetParticipantClass parent_class;
};

G_DEFINE_TYPE (TestParticipant, test_participant, JANUS_TYPE_CONTRACT_NET_PARTICIPANT)

static TestPlayer *
player_of (gpointer role)
{
  return TEST_PLAYER (janus_role_get_player (JANUS_ROLE (role)));
}

static GVariant *
test_participant_propose (JanusContractNetParticipant *role,
                          GVariant                    *task)
{
  TestPlayer *player = player_of (role);

  player->n_cfp++;
  return player->bid ? g_variant_ref (player->bid) : NULL;
}

static GVariant *
test_participant_perform (JanusContractNetParticipant  *role,
                          GVariant                     *task,
                          GError                      **error)
{
  TestPlayer *player = player_of (role);

  player->n_performed++;
  g_clear_pointer (&player->performed, g_variant_unref);
  player->performed = task ? g_variant_ref (task) : NULL;
  if (player->fail)
    {
      g_set_error (error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_FAILED, "%s cannot do it",
                   janus_agent_get_name (JANUS_AGENT (player)));
      return NULL;
    }
  /* floating, as implementations usually return it */
  return g_variant_new_take_string (g_strdup_printf ("done by %s",
                                                     janus_agent_get_name (JANUS_AGENT (player))));
}

static void
test_participant_class_init (TestParticipantClass *klass)
{
  JANUS_CONTRACT_NET_PARTICIPANT_CLASS (klass)->propose = test_participant_propose;
  JANUS_CONTRACT_NET_PARTICIPANT_CLASS (klass)->perform = test_participant_perform;
}

static void
test_participant_init (TestParticipant *self)
{
}

/* A participant that leaves without a word: its `end` does not chain up,
 * so unread requests stay unanswered; the initiator must notice by itself. */
#define TEST_TYPE_MUTE (test_mute_get_type ())
G_DECLARE_FINAL_TYPE (TestMute, test_mute, TEST, MUTE, TestParticipant)

struct _TestMute
{
  TestParticipant parent_instance;
};

G_DEFINE_FINAL_TYPE (TestMute, test_mute, TEST_TYPE_PARTICIPANT)

static void
test_mute_end (JanusRole *role)
{
}

static void
test_mute_class_init (TestMuteClass *klass)
{
  JANUS_ROLE_CLASS (klass)->end = test_mute_end;
}

static void
test_mute_init (TestMute *self)
{
}

/* A participant that never answers (and, with silent_die_at, kills its
 * player at that cfp). */
#define TEST_TYPE_SILENT (test_silent_get_type ())
G_DECLARE_FINAL_TYPE (TestSilent, test_silent, TEST, SILENT, JanusContractNetParticipant)

struct _TestSilent
{
  JanusContractNetParticipant parent_instance;
};

G_DEFINE_FINAL_TYPE (TestSilent, test_silent, JANUS_TYPE_CONTRACT_NET_PARTICIPANT)

static JanusLive
test_silent_live (JanusRole *role)
{
  TestPlayer *player = player_of (role);
  g_autoptr(GPtrArray) ignored = janus_role_get_messages (role);

  player->n_silent += ignored->len;
  if (player->silent_die_at > 0 && player->n_silent >= player->silent_die_at)
    janus_agent_kill_me (JANUS_AGENT (player));
  return JANUS_LIVE_WAIT;
}

static void
test_silent_end (JanusRole *role)
{
}

static void
test_silent_class_init (TestSilentClass *klass)
{
  JANUS_ROLE_CLASS (klass)->live = test_silent_live;
  JANUS_ROLE_CLASS (klass)->end = test_silent_end;
}

static void
test_silent_init (TestSilent *self)
{
}

/* --------------------------------------------------------- test initiator */

/* Accepts the proposal at index `pick`, or the highest bid when pick is
 * PICK_HIGHEST. */
#define PICK_HIGHEST (G_MAXUINT - 1)

#define TEST_TYPE_PICKY (test_picky_get_type ())
G_DECLARE_FINAL_TYPE (TestPicky, test_picky, TEST, PICKY, JanusContractNetInitiator)

struct _TestPicky
{
  JanusContractNetInitiator parent_instance;
  guint pick;
  guint n_select;
  guint n_offered;
};

G_DEFINE_FINAL_TYPE (TestPicky, test_picky, JANUS_TYPE_CONTRACT_NET_INITIATOR)

static guint
test_picky_select_proposal (JanusContractNetInitiator *role,
                            GPtrArray                 *proposals)
{
  TestPicky *self = TEST_PICKY (role);
  guint i, best = 0;

  self->n_select++;
  self->n_offered = proposals->len;
  if (self->pick != PICK_HIGHEST)
    return self->pick;
  for (i = 1; i < proposals->len; i++)
    if (g_variant_get_int32 (janus_message_get_body (proposals->pdata[i]))
        > g_variant_get_int32 (janus_message_get_body (proposals->pdata[best])))
      best = i;
  return best;
}

static void
test_picky_class_init (TestPickyClass *klass)
{
  JANUS_CONTRACT_NET_INITIATOR_CLASS (klass)->select_proposal = test_picky_select_proposal;
}

static void
test_picky_init (TestPicky *self)
{
}

/* ---------------------------------------------------------------- fixture */

typedef struct
{
  JanusKernel               *kernel;
  JanusGroup                *group;
  TestPlayer                *manager;
  JanusContractNetInitiator *initiator;         /* owned by manager */
  GPtrArray                 *players;           /* TestPlayer, participants */
  /* what "finished" said */
  guint                      n_finished;
  gboolean                   success;
  GVariant                  *result;
  JanusAddress              *winner;
  GPtrArray                 *states;            /* notify::state, as GUINT */
} Fixture;

static void
on_finished (JanusContractNetInitiator *initiator,
             gboolean                   success,
             GVariant                  *result,
             const JanusAddress        *winner,
             Fixture                   *f)
{
  g_assert_cmpint (janus_contract_net_initiator_get_state (initiator), ==,
                   JANUS_CONTRACT_NET_STATE_IDLE);
  f->n_finished++;
  f->success = success;
  g_clear_pointer (&f->result, g_variant_unref);
  f->result = result ? g_variant_ref (result) : NULL;
  g_clear_pointer (&f->winner, janus_address_free);
  f->winner = winner ? janus_address_copy (winner) : NULL;
}

static void
on_state (JanusContractNetInitiator *initiator,
          GParamSpec                *pspec,
          Fixture                   *f)
{
  g_ptr_array_add (f->states, GUINT_TO_POINTER (janus_contract_net_initiator_get_state (initiator)));
}

/* Steps the kernel until nothing is runnable. */
static void
drain (Fixture *f)
{
  guint i;

  for (i = 0; i < MAX_STEPS && janus_kernel_step (f->kernel); i++)
    ;
  g_assert_cmpuint (i, <, MAX_STEPS);
}

static TestPlayer *
launch_player (Fixture          *f,
               const char       *name,
               JanusMailboxKind  kind)
{
  TestPlayer *player = g_object_new (TEST_TYPE_PLAYER, NULL);
  g_autoptr(GError) error = NULL;

  janus_agent_set_mailbox_kind (JANUS_AGENT (player), kind);
  janus_kernel_launch_light_agent (f->kernel, JANUS_AGENT (player), name, NULL, &error);
  g_assert_no_error (error);
  drain (f);
  return player;
}

/* Adds a participant of @role_type bidding @bid (GVariant text, NULL to
 * refuse). */
static TestPlayer *
add_participant_full (Fixture          *f,
                      GType             role_type,
                      const char       *bid,
                      JanusMailboxKind  kind)
{
  g_autofree char *name = g_strdup_printf ("p%u", f->players->len);
  TestPlayer *player = launch_player (f, name, kind);
  g_autoptr(GError) error = NULL;
  JanusRole *role;

  if (bid != NULL)
    {
      player->bid = g_variant_parse (NULL, bid, NULL, NULL, &error);
      g_assert_no_error (error);
    }
  role = janus_agent_request_role (JANUS_AGENT (player), role_type, f->group, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (role);
  g_ptr_array_add (f->players, player);
  return player;
}

static TestPlayer *
add_participant (Fixture    *f,
                 const char *bid)
{
  return add_participant_full (f, TEST_TYPE_PARTICIPANT, bid, JANUS_MAILBOX_KIND_FIFO);
}

static void
setup_with (Fixture *f,
            GType    initiator_type)
{
  g_autoptr(GError) error = NULL;

  f->kernel = janus_kernel_new (0);
  janus_kernel_set_seed (f->kernel, 7);
  f->group = janus_kernel_create_group (f->kernel, JANUS_TYPE_CONTRACT_NET_ORGANIZATION, &error);
  g_assert_no_error (error);
  janus_group_set_persistent (f->group, TRUE);
  f->players = g_ptr_array_new_with_free_func (g_object_unref);
  f->states = g_ptr_array_new ();
  f->manager = launch_player (f, "manager", JANUS_MAILBOX_KIND_FIFO);
  f->initiator = JANUS_CONTRACT_NET_INITIATOR (
    janus_agent_request_role (JANUS_AGENT (f->manager), initiator_type, f->group, NULL, &error));
  g_assert_no_error (error);
  g_signal_connect (f->initiator, "finished", G_CALLBACK (on_finished), f);
  g_signal_connect (f->initiator, "notify::state", G_CALLBACK (on_state), f);
}

static void
setup (Fixture       *f,
       gconstpointer  data)
{
  setup_with (f, JANUS_TYPE_CONTRACT_NET_INITIATOR);
}

static void
setup_picky (Fixture       *f,
             gconstpointer  data)
{
  setup_with (f, TEST_TYPE_PICKY);
}

static void
teardown (Fixture       *f,
          gconstpointer  data)
{
  /* a call left open finishes (unsuccessfully) while the agents die */
  janus_kernel_shutdown (f->kernel);
  g_clear_object (&f->kernel);
  g_clear_object (&f->group);
  g_clear_object (&f->manager);
  g_ptr_array_unref (f->players);
  g_ptr_array_unref (f->states);
  g_clear_pointer (&f->result, g_variant_unref);
  g_clear_pointer (&f->winner, janus_address_free);
}

static void
call (Fixture    *f,
      const char *task)
{
  g_autoptr(GVariant) parsed = g_variant_parse (NULL, task, NULL, NULL, NULL);
  g_autoptr(GError) error = NULL;

  janus_contract_net_initiator_call_for_proposals (f->initiator, parsed, &error);
  g_assert_no_error (error);
}

static void
assert_winner (Fixture    *f,
               TestPlayer *expected)
{
  g_assert_nonnull (f->winner);
  g_assert_true (janus_address_equal (f->winner, janus_agent_get_address (JANUS_AGENT (expected))));
}

static void
assert_result_string (Fixture    *f,
                      const char *expected)
{
  g_assert_nonnull (f->result);
  g_assert_true (g_variant_is_of_type (f->result, G_VARIANT_TYPE_STRING));
  g_assert_cmpstr (g_variant_get_string (f->result, NULL), ==, expected);
}

static void
assert_counts (Fixture *f,
               guint    asked,
               guint    proposals,
               guint    refusals)
{
  g_assert_cmpuint (janus_contract_net_initiator_get_n_asked (f->initiator), ==, asked);
  g_assert_cmpuint (janus_contract_net_initiator_get_n_proposals (f->initiator), ==, proposals);
  g_assert_cmpuint (janus_contract_net_initiator_get_n_refusals (f->initiator), ==, refusals);
}

/* Steps until the initiator awarded the task (the acceptance is in the
 * winner's mailbox, not read yet). */
static void
step_until_awarded (Fixture *f)
{
  guint i;

  for (i = 0; i < MAX_STEPS; i++)
    {
      if (janus_contract_net_initiator_get_state (f->initiator) == JANUS_CONTRACT_NET_STATE_AWARDED)
        return;
      g_assert_true (janus_kernel_step (f->kernel));
    }
  g_assert_not_reached ();
}

/* ---------------------------------------------------------- organization */

static void
test_organization_roles (void)
{
  g_autoptr(JanusKernel) kernel = janus_kernel_new (0);
  JanusOrganization *org = janus_kernel_get_organization (kernel, JANUS_TYPE_CONTRACT_NET_ORGANIZATION);

  g_assert_true (JANUS_IS_CONTRACT_NET_ORGANIZATION (org));
  g_assert_true (janus_organization_lists_role (org, JANUS_TYPE_CONTRACT_NET_INITIATOR));
  g_assert_true (janus_organization_lists_role (org, JANUS_TYPE_CONTRACT_NET_PARTICIPANT));
  g_assert_true (janus_organization_lists_role (org, TEST_TYPE_PICKY));
  g_assert_true (janus_organization_lists_role (org, TEST_TYPE_PARTICIPANT));
  g_assert_cmpuint (janus_organization_get_max_players (org, JANUS_TYPE_CONTRACT_NET_INITIATOR), ==, 1);
  g_assert_cmpuint (janus_organization_get_max_players (org, JANUS_TYPE_CONTRACT_NET_PARTICIPANT), ==, 0);
}

/* One initiator per group, subclasses included; any number of participants. */
static void
test_organization_one_initiator (Fixture       *f,
                                 gconstpointer  data)
{
  TestPlayer *other = launch_player (f, "other", JANUS_MAILBOX_KIND_FIFO);
  g_autoptr(GError) error = NULL;
  guint i;

  g_assert_null (janus_agent_request_role (JANUS_AGENT (other), TEST_TYPE_PICKY, f->group,
                                           NULL, &error));
  g_assert_error (error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_CARDINALITY_FULL);
  for (i = 0; i < 5; i++)
    add_participant (f, NULL);
  g_assert_cmpuint (janus_group_count_players (f->group, JANUS_TYPE_CONTRACT_NET_PARTICIPANT), ==, 5);
  g_object_unref (other);
}

/* ------------------------------------------------------------------ calls */

static void
test_call_cheapest_wins (Fixture       *f,
                         gconstpointer  data)
{
  TestPlayer *p30 = add_participant (f, "30");
  TestPlayer *p12 = add_participant (f, "12");
  TestPlayer *p20 = add_participant (f, "20");
  TestPlayer *refuser = add_participant (f, NULL);
  g_autoptr(GVariant) task = g_variant_ref_sink (g_variant_new ("(si)", "apple", 3));
  g_autoptr(GError) error = NULL;

  g_assert_true (janus_contract_net_initiator_call_for_proposals (f->initiator, task, &error));
  g_assert_no_error (error);
  assert_counts (f, 4, 0, 0);
  g_assert_cmpint (janus_contract_net_initiator_get_state (f->initiator), ==,
                   JANUS_CONTRACT_NET_STATE_COLLECTING);
  drain (f);

  g_assert_cmpuint (f->n_finished, ==, 1);
  g_assert_true (f->success);
  assert_winner (f, p12);
  assert_result_string (f, "done by p1");
  assert_counts (f, 4, 3, 1);
  g_assert_cmpint (janus_contract_net_initiator_get_state (f->initiator), ==,
                   JANUS_CONTRACT_NET_STATE_IDLE);

  /* everyone was asked once; the winner performed the task it was given */
  g_assert_cmpuint (p30->n_cfp + p12->n_cfp + p20->n_cfp + refuser->n_cfp, ==, 4);
  g_assert_cmpuint (p12->n_performed, ==, 1);
  g_assert_true (g_variant_equal (p12->performed, task));
  g_assert_cmpuint (p30->n_performed + p20->n_performed + refuser->n_performed, ==, 0);
  /* the winner was accepted, the losers rejected, the refuser left alone */
  g_assert_cmpuint (count_seen (p12, "accept-proposal"), ==, 1);
  g_assert_cmpuint (count_seen (p12, "reject-proposal"), ==, 0);
  g_assert_cmpuint (count_seen (p30, "reject-proposal"), ==, 1);
  g_assert_cmpuint (count_seen (p20, "reject-proposal"), ==, 1);
  g_assert_cmpuint (count_seen (p30, "accept-proposal") + count_seen (p20, "accept-proposal"), ==, 0);
  g_assert_cmpuint (count_seen (refuser, "cfp"), ==, 1);
  g_assert_cmpuint (refuser->seen->len, ==, 1);
  /* the manager heard 3 proposals, 1 refusal and the outcome */
  g_assert_cmpuint (count_seen (f->manager, "propose"), ==, 3);
  g_assert_cmpuint (count_seen (f->manager, "refuse"), ==, 1);
  g_assert_cmpuint (count_seen (f->manager, "inform-done"), ==, 1);
  g_assert_cmpuint (janus_kernel_get_dead_letter_count (f->kernel), ==, 0);
}

/* The default select_proposal: smallest number of any numeric type, the
 * earliest of equal bids, non-numbers never. The proposals' arrival order
 * is the scheduler's business, so the exact choice is checked by calling
 * select_proposal on the proposals in a known order, and the run through a
 * real call accepts either of two equal bids. */
typedef struct
{
  const char *bids[5];          /* GVariant texts; "-" refuses */
  guint       winner;           /* index, or G_MAXUINT for none */
  guint       tie;              /* an index bidding the same, or G_MAXUINT */
} SelectCase;

static const SelectCase select_cases[] = {
  { { "30", "12", "20", NULL }, 1, G_MAXUINT },
  { { "5", "5", "7", NULL }, 0, 1 },                                      /* tie: earliest */
  { { "uint32 7", "6.5", "int64 -3", "byte 2", NULL }, 2, G_MAXUINT },
  { { "int16 4", "uint64 18446744073709551615", "3.999", NULL }, 2, G_MAXUINT },
  { { "uint64 9223372036854775808", "int64 9223372036854775807", NULL }, 1, G_MAXUINT },
  { { "'cheap'", "<2.5>", "uint16 3", NULL }, 1, G_MAXUINT },             /* v unwrapped, string ignored */
  { { "'cheap'", "(1,)", NULL }, G_MAXUINT, G_MAXUINT },                  /* no number: none */
  { { "2.5", "int32 2", "2.0", NULL }, 1, 2 },
  { { "-", "9", "-", "8", NULL }, 3, G_MAXUINT },
};

static void
test_select_default (gconstpointer data)
{
  const SelectCase *c = data;
  Fixture fixture = { 0 }, *f = &fixture;
  g_autoptr(GPtrArray) proposals = g_ptr_array_new_with_free_func ((GDestroyNotify) janus_message_unref);
  guint index_of[G_N_ELEMENTS (c->bids)];
  guint i, n = 0, chosen;

  setup (f, NULL);

  /* the choice among proposals in a known order */
  for (i = 0; c->bids[i] != NULL; i++)
    {
      index_of[i] = G_MAXUINT;
      if (!g_str_equal (c->bids[i], "-"))
        {
          g_autoptr(GVariant) bid = g_variant_parse (NULL, c->bids[i], NULL, NULL, NULL);

          g_assert_nonnull (bid);
          index_of[proposals->len] = i;
          g_ptr_array_add (proposals, janus_message_new ("propose", bid));
        }
    }
  chosen = janus_contract_net_initiator_select_proposal (f->initiator, proposals);
  if (c->winner == G_MAXUINT)
    g_assert_cmpuint (chosen, ==, G_MAXUINT);
  else
    {
      g_assert_cmpuint (chosen, <, proposals->len);
      g_assert_cmpuint (index_of[chosen], ==, c->winner);
    }

  /* the same bids through a call */
  for (i = 0; c->bids[i] != NULL; i++, n++)
    add_participant (f, g_str_equal (c->bids[i], "-") ? NULL : c->bids[i]);
  call (f, "'job'");
  drain (f);

  g_assert_cmpuint (f->n_finished, ==, 1);
  if (c->winner == G_MAXUINT)
    {
      g_assert_false (f->success);
      g_assert_null (f->winner);
      /* every proposer was rejected */
      for (i = 0; i < n; i++)
        g_assert_cmpuint (count_seen (f->players->pdata[i], "reject-proposal"), ==, 1);
    }
  else
    {
      TestPlayer *tied = c->tie == G_MAXUINT ? NULL : f->players->pdata[c->tie];

      g_assert_true (f->success);
      g_assert_nonnull (f->winner);
      g_assert_true (janus_address_equal (f->winner, janus_agent_get_address (f->players->pdata[c->winner])) ||
                     (tied != NULL && janus_address_equal (f->winner, janus_agent_get_address (JANUS_AGENT (tied)))));
    }
  teardown (f, NULL);
}

static void
test_call_no_proposal (Fixture       *f,
                       gconstpointer  data)
{
  guint i;

  for (i = 0; i < 3; i++)
    add_participant (f, NULL);
  call (f, "'job'");
  drain (f);

  g_assert_cmpuint (f->n_finished, ==, 1);
  g_assert_false (f->success);
  g_assert_null (f->result);
  g_assert_null (f->winner);
  assert_counts (f, 3, 0, 3);
  for (i = 0; i < 3; i++)
    {
      TestPlayer *p = f->players->pdata[i];
      g_assert_cmpuint (p->n_cfp, ==, 1);
      g_assert_cmpuint (p->seen->len, ==, 1);           /* the cfp only */
    }
}

static void
test_call_no_participant (Fixture       *f,
                          gconstpointer  data)
{
  call (f, "'job'");
  assert_counts (f, 0, 0, 0);
  g_assert_cmpuint (f->n_finished, ==, 0);              /* not from inside the call */
  drain (f);

  g_assert_cmpuint (f->n_finished, ==, 1);
  g_assert_false (f->success);
  g_assert_null (f->winner);
  g_assert_cmpint (janus_contract_net_initiator_get_state (f->initiator), ==,
                   JANUS_CONTRACT_NET_STATE_IDLE);
}

static void
test_call_perform_fails (Fixture       *f,
                         gconstpointer  data)
{
  TestPlayer *cheap;

  add_participant (f, "9");
  cheap = add_participant (f, "3");
  cheap->fail = TRUE;
  call (f, "'job'");
  drain (f);

  g_assert_cmpuint (f->n_finished, ==, 1);
  g_assert_false (f->success);
  assert_winner (f, cheap);
  assert_result_string (f, "p1 cannot do it");
  g_assert_cmpuint (count_seen (f->manager, "failure"), ==, 1);
}

/* idle → collecting → awarded → idle, notified once each; the counts and
 * the state are properties too. */
static void
test_call_states (Fixture       *f,
                  gconstpointer  data)
{
  JanusContractNetState state;
  guint asked = 0, proposals = 0, refusals = 0;

  add_participant (f, "1");
  add_participant (f, NULL);
  call (f, "'job'");
  drain (f);

  g_assert_cmpuint (f->states->len, ==, 3);
  g_assert_cmpuint (GPOINTER_TO_UINT (f->states->pdata[0]), ==, JANUS_CONTRACT_NET_STATE_COLLECTING);
  g_assert_cmpuint (GPOINTER_TO_UINT (f->states->pdata[1]), ==, JANUS_CONTRACT_NET_STATE_AWARDED);
  g_assert_cmpuint (GPOINTER_TO_UINT (f->states->pdata[2]), ==, JANUS_CONTRACT_NET_STATE_IDLE);
  g_object_get (f->initiator, "state", &state, "n-asked", &asked,
                "n-proposals", &proposals, "n-refusals", &refusals, NULL);
  g_assert_cmpint (state, ==, JANUS_CONTRACT_NET_STATE_IDLE);
  g_assert_cmpuint (asked, ==, 2);
  g_assert_cmpuint (proposals, ==, 1);
  g_assert_cmpuint (refusals, ==, 1);
}

/* Nobody proposing: collecting → idle, without awarded. */
static void
test_call_states_unawarded (Fixture       *f,
                            gconstpointer  data)
{
  add_participant (f, NULL);
  call (f, "'job'");
  drain (f);

  g_assert_cmpuint (f->states->len, ==, 2);
  g_assert_cmpuint (GPOINTER_TO_UINT (f->states->pdata[0]), ==, JANUS_CONTRACT_NET_STATE_COLLECTING);
  g_assert_cmpuint (GPOINTER_TO_UINT (f->states->pdata[1]), ==, JANUS_CONTRACT_NET_STATE_IDLE);
}

/* A second call after the first finished; each finishes once, with its own
 * counts; the participants see the second task. */
static void
test_call_second (Fixture       *f,
                  gconstpointer  data)
{
  TestPlayer *a = add_participant (f, "4");
  TestPlayer *b = add_participant (f, "6");
  g_autoptr(GVariant) second = g_variant_ref_sink (g_variant_new_string ("second"));

  call (f, "'first'");
  drain (f);
  g_assert_cmpuint (f->n_finished, ==, 1);
  assert_winner (f, a);

  /* the cheapest runs out: now b wins */
  g_clear_pointer (&a->bid, g_variant_unref);
  janus_contract_net_initiator_call_for_proposals (f->initiator, second, NULL);
  drain (f);
  g_assert_cmpuint (f->n_finished, ==, 2);
  g_assert_true (f->success);
  assert_winner (f, b);
  assert_counts (f, 2, 1, 1);
  g_assert_true (g_variant_equal (b->performed, second));
  g_assert_cmpuint (a->n_cfp, ==, 2);
  g_assert_cmpuint (a->n_performed, ==, 1);
}

/* A call from the "finished" handler: calls chain without a step between. */
static void
on_finished_call_again (JanusContractNetInitiator *initiator,
                        gboolean                   success,
                        GVariant                  *result,
                        const JanusAddress        *winner,
                        guint                     *left)
{
  g_autoptr(GError) error = NULL;

  if (*left == 0)
    return;
  (*left)--;
  g_assert_true (janus_contract_net_initiator_call_for_proposals (initiator, NULL, &error));
  g_assert_no_error (error);
}

static void
test_call_chained (Fixture       *f,
                   gconstpointer  data)
{
  TestPlayer *p = add_participant (f, "1");
  guint left = 4;

  add_participant (f, "2");
  g_signal_connect (f->initiator, "finished", G_CALLBACK (on_finished_call_again), &left);
  call (f, "'job'");
  drain (f);

  g_assert_cmpuint (left, ==, 0);
  g_assert_cmpuint (f->n_finished, ==, 5);
  g_assert_cmpuint (p->n_performed, ==, 5);
  g_assert_null (p->performed);                 /* the chained calls had no task */
  g_assert_cmpuint (count_seen (f->players->pdata[1], "reject-proposal"), ==, 5);
}

static void
test_call_while_open (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  add_participant (f, "1");
  call (f, "'job'");
  g_assert_false (janus_contract_net_initiator_call_for_proposals (f->initiator,
                                                                   g_variant_new_string ("again"),
                                                                   &error));
  g_assert_error (error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_BUSY);
  g_clear_error (&error);

  /* still refused while awarded */
  step_until_awarded (f);
  g_assert_false (janus_contract_net_initiator_call_for_proposals (f->initiator, NULL, &error));
  g_assert_error (error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_BUSY);
  drain (f);
  g_assert_cmpuint (f->n_finished, ==, 1);      /* the open call was not disturbed */
  g_assert_true (f->success);
}

static void
test_call_not_played (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(JanusContractNetInitiator) initiator = g_object_ref (f->initiator);
  g_autoptr(GError) error = NULL;

  g_assert_true (janus_agent_leave_role (JANUS_AGENT (f->manager), JANUS_TYPE_CONTRACT_NET_INITIATOR,
                                         f->group, &error));
  g_assert_no_error (error);
  g_assert_false (janus_contract_net_initiator_call_for_proposals (initiator, NULL, &error));
  g_assert_error (error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_ROLE_NOT_PLAYED);
  g_assert_cmpuint (f->n_finished, ==, 0);
}

static void
test_call_preconditions (void)
{
  if (g_test_subprocess ())
    {
      janus_contract_net_initiator_call_for_proposals (NULL, NULL, NULL);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*CRITICAL*JANUS_IS_CONTRACT_NET_INITIATOR*");
}

/* --------------------------------------------------------- select_proposal */

static void
test_select_override (Fixture       *f,
                      gconstpointer  data)
{
  TestPicky *picky = TEST_PICKY (f->initiator);
  TestPlayer *high;

  picky->pick = PICK_HIGHEST;
  add_participant (f, "int32 3");
  high = add_participant (f, "int32 30");
  add_participant (f, "int32 10");
  add_participant (f, NULL);
  call (f, "'job'");
  drain (f);

  g_assert_cmpuint (picky->n_select, ==, 1);
  g_assert_cmpuint (picky->n_offered, ==, 3);
  g_assert_true (f->success);
  assert_winner (f, high);
  g_assert_cmpuint (count_seen (f->players->pdata[0], "reject-proposal"), ==, 1);
  g_assert_cmpuint (count_seen (f->players->pdata[2], "reject-proposal"), ==, 1);
}

static void
test_select_none (Fixture       *f,
                  gconstpointer  data)
{
  TestPicky *picky = TEST_PICKY (f->initiator);
  guint i;

  picky->pick = G_MAXUINT;
  add_participant (f, "int32 3");
  add_participant (f, "int32 4");
  call (f, "'job'");
  drain (f);

  g_assert_cmpuint (picky->n_select, ==, 1);
  g_assert_cmpuint (f->n_finished, ==, 1);
  g_assert_false (f->success);
  g_assert_null (f->winner);
  for (i = 0; i < 2; i++)
    {
      TestPlayer *p = f->players->pdata[i];
      g_assert_cmpuint (count_seen (p, "reject-proposal"), ==, 1);
      g_assert_cmpuint (p->n_performed, ==, 0);
    }
}

/* Not called when nobody proposed. */
static void
test_select_not_called (Fixture       *f,
                        gconstpointer  data)
{
  add_participant (f, NULL);
  call (f, "'job'");
  drain (f);
  g_assert_cmpuint (TEST_PICKY (f->initiator)->n_select, ==, 0);
  g_assert_cmpuint (f->n_finished, ==, 1);
}

static void
test_select_out_of_range (Fixture       *f,
                          gconstpointer  data)
{
  TEST_PICKY (f->initiator)->pick = 2;
  add_participant (f, "int32 3");
  add_participant (f, "int32 4");
  call (f, "'job'");
  g_test_expect_message ("Janus", G_LOG_LEVEL_WARNING, "*select_proposal returned 2 for 2 proposals*");
  drain (f);
  g_test_assert_expected_messages ();

  g_assert_cmpuint (f->n_finished, ==, 1);
  g_assert_false (f->success);
  g_assert_null (f->winner);
}

/* ------------------------------------------------ participants that vanish */

/* Killed with the cfp unread: its role's end refuses for it. */
static void
test_vanish_killed (Fixture       *f,
                    gconstpointer  data)
{
  TestPlayer *doomed = add_participant (f, "1");
  TestPlayer *other = add_participant (f, "5");
  g_autoptr(GError) error = NULL;

  call (f, "'job'");
  janus_kernel_kill (f->kernel, JANUS_AGENT (doomed), &error);
  g_assert_no_error (error);
  drain (f);

  g_assert_cmpint (janus_agent_get_state (JANUS_AGENT (doomed)), ==, JANUS_AGENT_STATE_DIED);
  g_assert_cmpuint (doomed->n_cfp, ==, 0);
  g_assert_cmpuint (f->n_finished, ==, 1);
  g_assert_true (f->success);
  assert_winner (f, other);
  assert_counts (f, 2, 1, 1);
}

/* Killed without a word (its role's end answers nothing): the initiator
 * learns it from the group's role-left. */
static void
test_vanish_mute_killed (Fixture       *f,
                         gconstpointer  data)
{
  TestPlayer *doomed = add_participant_full (f, TEST_TYPE_MUTE, "1", JANUS_MAILBOX_KIND_FIFO);
  TestPlayer *other = add_participant (f, "5");

  call (f, "'job'");
  janus_kernel_kill (f->kernel, JANUS_AGENT (doomed), NULL);
  drain (f);

  g_assert_cmpuint (f->n_finished, ==, 1);
  g_assert_true (f->success);
  assert_winner (f, other);
  assert_counts (f, 2, 1, 1);
  g_assert_cmpuint (count_seen (f->manager, "refuse"), ==, 0);
}

/* Leaves the group but lives on, without a word. */
static void
test_vanish_mute_leaves (Fixture       *f,
                         gconstpointer  data)
{
  TestPlayer *leaver = add_participant_full (f, TEST_TYPE_MUTE, "1", JANUS_MAILBOX_KIND_FIFO);
  g_autoptr(GError) error = NULL;

  add_participant (f, NULL);
  call (f, "'job'");
  g_assert_true (janus_agent_leave_role (JANUS_AGENT (leaver), TEST_TYPE_MUTE, f->group, &error));
  g_assert_no_error (error);
  drain (f);

  g_assert_true (janus_agent_is_alive (JANUS_AGENT (leaver)));
  g_assert_cmpuint (f->n_finished, ==, 1);
  g_assert_false (f->success);
  assert_counts (f, 2, 0, 2);
}

/* Its mailbox drops everything: the cfp is a dead letter, and a refusal. */
static void
test_vanish_dead_letter (Fixture       *f,
                         gconstpointer  data)
{
  TestPlayer *hole = add_participant_full (f, TEST_TYPE_PARTICIPANT, "1", JANUS_MAILBOX_KIND_BLACK_HOLE);
  TestPlayer *other = add_participant (f, "5");

  call (f, "'job'");
  drain (f);

  /* the cfp was dropped when the hole's step looked at its mailbox */
  g_assert_cmpuint (janus_kernel_get_dead_letter_count (f->kernel), ==, 1);
  g_assert_cmpuint (hole->n_cfp, ==, 0);
  g_assert_cmpuint (f->n_finished, ==, 1);
  g_assert_true (f->success);
  assert_winner (f, other);
  assert_counts (f, 2, 1, 1);
}

/* The cheapest proposes, then leaves while another has not answered yet:
 * its proposal is withdrawn and counts as a refusal. */
static void
test_vanish_proposer_leaves (Fixture       *f,
                             gconstpointer  data)
{
  TestPlayer *cheap = add_participant_full (f, TEST_TYPE_MUTE, "1", JANUS_MAILBOX_KIND_FIFO);
  TestPlayer *dear = add_participant (f, "9");
  TestPlayer *silent = add_participant_full (f, TEST_TYPE_SILENT, NULL, JANUS_MAILBOX_KIND_FIFO);

  call (f, "'job'");
  /* both proposals are in; the silent one keeps the call open */
  drain (f);
  assert_counts (f, 3, 2, 0);
  g_assert_cmpint (janus_contract_net_initiator_get_state (f->initiator), ==,
                   JANUS_CONTRACT_NET_STATE_COLLECTING);
  g_assert_cmpuint (silent->n_silent, ==, 1);

  janus_kernel_kill (f->kernel, JANUS_AGENT (cheap), NULL);
  drain (f);
  assert_counts (f, 3, 1, 1);
  g_assert_cmpuint (f->n_finished, ==, 0);

  janus_kernel_kill (f->kernel, JANUS_AGENT (silent), NULL);
  drain (f);
  g_assert_cmpuint (f->n_finished, ==, 1);
  g_assert_true (f->success);
  assert_winner (f, dear);
  assert_counts (f, 3, 1, 2);
}

/* The winner dies with the acceptance unread: its role's end answers
 * failure. */
static void
test_vanish_winner_killed (Fixture       *f,
                           gconstpointer  data)
{
  TestPlayer *winner = add_participant (f, "1");

  add_participant (f, "2");
  call (f, "'job'");
  step_until_awarded (f);
  janus_kernel_kill (f->kernel, JANUS_AGENT (winner), NULL);
  drain (f);

  g_assert_cmpuint (winner->n_performed, ==, 0);
  g_assert_cmpuint (f->n_finished, ==, 1);
  g_assert_false (f->success);
  assert_winner (f, winner);
  assert_result_string (f, "the participant left before performing the task");
}

/* The same without a word: role-left ends the wait. */
static void
test_vanish_mute_winner_killed (Fixture       *f,
                                gconstpointer  data)
{
  TestPlayer *winner = add_participant_full (f, TEST_TYPE_MUTE, "1", JANUS_MAILBOX_KIND_FIFO);

  add_participant (f, "2");
  call (f, "'job'");
  step_until_awarded (f);
  janus_kernel_kill (f->kernel, JANUS_AGENT (winner), NULL);
  drain (f);

  g_assert_cmpuint (f->n_finished, ==, 1);
  g_assert_false (f->success);
  assert_winner (f, winner);
  g_assert_null (f->result);
}

/* The initiator leaves with a call open: it finishes (unsuccessfully) once,
 * and the proposers are rejected. */
static void
test_vanish_initiator_leaves (Fixture       *f,
                              gconstpointer  data)
{
  TestPlayer *proposer = add_participant (f, "1");
  g_autoptr(GError) error = NULL;

  add_participant_full (f, TEST_TYPE_SILENT, NULL, JANUS_MAILBOX_KIND_FIFO);
  call (f, "'job'");
  drain (f);
  assert_counts (f, 2, 1, 0);
  g_assert_true (janus_agent_leave_role (JANUS_AGENT (f->manager), JANUS_TYPE_CONTRACT_NET_INITIATOR,
                                         f->group, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (f->n_finished, ==, 1);
  g_assert_false (f->success);
  drain (f);
  g_assert_cmpuint (f->n_finished, ==, 1);
  g_assert_cmpuint (count_seen (proposer, "reject-proposal"), ==, 1);
}

/* ---------------------------------------------------------------- workers */

#define N_WORKER_PARTICIPANTS 6
#define N_WORKER_CALLS        40

/* The manager on a worker kernel: it calls for proposals from its own
 * steps, the next one from the "finished" handler, and reports to the main
 * thread when done. */
typedef struct
{
  GMutex      lock;
  GCond       cond;
  guint       joined;           /* participants that took their role */
  gboolean    done;
  /* the manager's thread only, read by main after done */
  guint       n_finished;
  guint       n_success;
  guint       n_wrong_winner;
  guint       min_asked;
  const JanusAddress *cheapest;
  JanusContractNetInitiator *initiator;
} WorkerRun;

static void
on_worker_finished (JanusContractNetInitiator *initiator,
                    gboolean                   success,
                    GVariant                  *result,
                    const JanusAddress        *winner,
                    WorkerRun                 *run)
{
  run->n_finished++;
  run->n_success += success;
  run->n_wrong_winner += !(winner && janus_address_equal (winner, run->cheapest));
  run->min_asked = MIN (run->min_asked, janus_contract_net_initiator_get_n_asked (initiator));
  if (run->n_finished < N_WORKER_CALLS)
    {
      janus_contract_net_initiator_call_for_proposals (initiator, g_variant_new_uint32 (run->n_finished),
                                                       NULL);
      return;
    }
  g_mutex_lock (&run->lock);
  run->done = TRUE;
  g_cond_signal (&run->cond);
  g_mutex_unlock (&run->lock);
}

static void
on_worker_role_taken (JanusGroup *group,
                      JanusRole  *role,
                      WorkerRun  *run)
{
  g_mutex_lock (&run->lock);
  run->joined++;
  g_cond_signal (&run->cond);
  g_mutex_unlock (&run->lock);
}

#define TEST_TYPE_WORKER_AGENT (test_worker_agent_get_type ())
G_DECLARE_FINAL_TYPE (TestWorkerAgent, test_worker_agent, TEST, WORKER_AGENT, JanusAgent)

struct _TestWorkerAgent
{
  JanusAgent  parent_instance;
  JanusGroup *group;
  GType       role_type;
  WorkerRun  *run;              /* manager only */
  TestPlayer *data;             /* participant: bid and counters */
};

G_DEFINE_FINAL_TYPE (TestWorkerAgent, test_worker_agent, JANUS_TYPE_AGENT)

static gboolean
test_worker_agent_activate (JanusAgent  *agent,
                            GVariant    *parameters,
                            GError     **error)
{
  TestWorkerAgent *self = TEST_WORKER_AGENT (agent);
  JanusRole *role = janus_agent_request_role (agent, self->role_type, self->group, NULL, error);

  if (role == NULL)
    return FALSE;
  if (self->run == NULL)
    return TRUE;
  self->run->min_asked = G_MAXUINT;
  self->run->initiator = JANUS_CONTRACT_NET_INITIATOR (role);
  g_signal_connect (role, "finished", G_CALLBACK (on_worker_finished), self->run);
  return janus_contract_net_initiator_call_for_proposals (JANUS_CONTRACT_NET_INITIATOR (role),
                                                          g_variant_new_uint32 (0), error);
}

static void
test_worker_agent_dispose (GObject *object)
{
  TestWorkerAgent *self = TEST_WORKER_AGENT (object);

  g_clear_object (&self->group);
  g_clear_object (&self->data);
  G_OBJECT_CLASS (test_worker_agent_parent_class)->dispose (object);
}

static void
test_worker_agent_class_init (TestWorkerAgentClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = test_worker_agent_dispose;
  JANUS_AGENT_CLASS (klass)->activate = test_worker_agent_activate;
}

static void
test_worker_agent_init (TestWorkerAgent *self)
{
}

/* The participants of the worker run read their bid from a table, keyed by
 * their player (a TestWorkerAgent). */
#define TEST_TYPE_WORKER_BIDDER (test_worker_bidder_get_type ())
G_DECLARE_FINAL_TYPE (TestWorkerBidder, test_worker_bidder, TEST, WORKER_BIDDER,
                      JanusContractNetParticipant)

struct _TestWorkerBidder
{
  JanusContractNetParticipant parent_instance;
};

G_DEFINE_FINAL_TYPE (TestWorkerBidder, test_worker_bidder, JANUS_TYPE_CONTRACT_NET_PARTICIPANT)

static GVariant *
test_worker_bidder_propose (JanusContractNetParticipant *role,
                            GVariant                    *task)
{
  TestWorkerAgent *player = TEST_WORKER_AGENT (janus_role_get_player (JANUS_ROLE (role)));

  player->data->n_cfp++;
  return player->data->bid ? g_variant_ref (player->data->bid) : NULL;
}

static GVariant *
test_worker_bidder_perform (JanusContractNetParticipant  *role,
                            GVariant                     *task,
                            GError                      **error)
{
  TestWorkerAgent *player = TEST_WORKER_AGENT (janus_role_get_player (JANUS_ROLE (role)));

  player->data->n_performed++;
  return g_variant_new_boolean (TRUE);
}

static void
test_worker_bidder_class_init (TestWorkerBidderClass *klass)
{
  JANUS_CONTRACT_NET_PARTICIPANT_CLASS (klass)->propose = test_worker_bidder_propose;
  JANUS_CONTRACT_NET_PARTICIPANT_CLASS (klass)->perform = test_worker_bidder_perform;
}

static void
test_worker_bidder_init (TestWorkerBidder *self)
{
}

static TestWorkerAgent *
launch_worker_agent (JanusKernel *kernel,
                     JanusGroup  *group,
                     GType        role_type,
                     gint         bid,
                     guint        silent_die_at)
{
  TestWorkerAgent *agent = g_object_new (TEST_TYPE_WORKER_AGENT, NULL);
  g_autoptr(GError) error = NULL;

  agent->group = g_object_ref (group);
  agent->role_type = role_type;
  agent->data = g_object_new (TEST_TYPE_PLAYER, NULL);      /* a record, never launched */
  agent->data->bid = bid >= 0 ? g_variant_ref_sink (g_variant_new_int32 (bid)) : NULL;
  agent->data->silent_die_at = silent_die_at;
  janus_kernel_launch_light_agent (kernel, JANUS_AGENT (agent), NULL, NULL, &error);
  g_assert_no_error (error);
  return agent;
}

/* A participant of the worker run that refuses the first 4 cfps and, at
 * the 5th, dies without a word, in the middle of that call. */
#define TEST_TYPE_WORKER_SILENT (test_worker_silent_get_type ())
G_DECLARE_FINAL_TYPE (TestWorkerSilent, test_worker_silent, TEST, WORKER_SILENT,
                      JanusContractNetParticipant)

struct _TestWorkerSilent
{
  JanusContractNetParticipant parent_instance;
};

G_DEFINE_FINAL_TYPE (TestWorkerSilent, test_worker_silent, JANUS_TYPE_CONTRACT_NET_PARTICIPANT)

static JanusLive
test_worker_silent_live (JanusRole *role)
{
  TestWorkerAgent *player = TEST_WORKER_AGENT (janus_role_get_player (role));
  g_autoptr(GPtrArray) cfps = janus_role_get_messages (role);
  guint i;

  for (i = 0; i < cfps->len; i++)
    if (++player->data->n_silent < player->data->silent_die_at)
      janus_role_reply (role, cfps->pdata[i], janus_message_new ("refuse", NULL), NULL);
    else
      janus_agent_kill_me (JANUS_AGENT (player));
  return JANUS_LIVE_WAIT;
}

static void
test_worker_silent_end (JanusRole *role)
{
}

static void
test_worker_silent_class_init (TestWorkerSilentClass *klass)
{
  JANUS_ROLE_CLASS (klass)->live = test_worker_silent_live;
  JANUS_ROLE_CLASS (klass)->end = test_worker_silent_end;
}

static void
test_worker_silent_init (TestWorkerSilent *self)
{
}

static gboolean
wait_for (WorkerRun *run,
          gboolean (*cond) (WorkerRun *run))
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_TIME_SPAN_SECOND;
  gboolean ok = TRUE;

  g_mutex_lock (&run->lock);
  while (ok && !cond (run))
    ok = g_cond_wait_until (&run->cond, &run->lock, deadline) || cond (run);
  g_mutex_unlock (&run->lock);
  return ok;
}

static gboolean
all_joined (WorkerRun *run)
{
  return run->joined == N_WORKER_PARTICIPANTS + 1;
}

static gboolean
run_done (WorkerRun *run)
{
  return run->done;
}

/* Two workers: N calls in a row, the cheapest always wins, a silent
 * participant dies in the middle of one without blocking it. */
static void
test_workers (void)
{
  g_autoptr(JanusKernel) kernel = janus_kernel_new (2);
  g_autoptr(JanusGroup) group = NULL;
  g_autoptr(TestWorkerAgent) manager = NULL;
  g_autoptr(TestWorkerAgent) silent = NULL;
  g_autoptr(GPtrArray) bidders = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) error = NULL;
  WorkerRun run = { 0 };
  guint i, performed = 0;

  g_mutex_init (&run.lock);
  g_cond_init (&run.cond);
  group = janus_kernel_create_group (kernel, JANUS_TYPE_CONTRACT_NET_ORGANIZATION, &error);
  g_assert_no_error (error);
  g_signal_connect (group, "role-taken", G_CALLBACK (on_worker_role_taken), &run);

  /* bids 10, 11, ..., one refuser, the cheapest last */
  for (i = 0; i < N_WORKER_PARTICIPANTS; i++)
    g_ptr_array_add (bidders, launch_worker_agent (kernel, group, TEST_TYPE_WORKER_BIDDER,
                                                   i == 2 ? -1 : (gint) (N_WORKER_PARTICIPANTS - i) + 10,
                                                   0));
  silent = launch_worker_agent (kernel, group, TEST_TYPE_WORKER_SILENT, -1, 5);
  g_assert_true (wait_for (&run, all_joined));
  run.cheapest = janus_agent_get_address (bidders->pdata[N_WORKER_PARTICIPANTS - 1]);

  manager = g_object_new (TEST_TYPE_WORKER_AGENT, NULL);
  manager->group = g_object_ref (group);
  manager->role_type = JANUS_TYPE_CONTRACT_NET_INITIATOR;
  manager->run = &run;
  janus_kernel_launch_light_agent (kernel, JANUS_AGENT (manager), "manager", NULL, &error);
  g_assert_no_error (error);
  if (!wait_for (&run, run_done))
    g_error ("workers: %u calls finished; state %d, asked %u, proposals %u, refusals %u",
             run.n_finished, janus_contract_net_initiator_get_state (run.initiator),
             janus_contract_net_initiator_get_n_asked (run.initiator),
             janus_contract_net_initiator_get_n_proposals (run.initiator),
             janus_contract_net_initiator_get_n_refusals (run.initiator));

  janus_kernel_shutdown (kernel);
  g_signal_handlers_disconnect_by_data (group, &run);
  g_assert_cmpuint (run.n_finished, ==, N_WORKER_CALLS);
  g_assert_cmpuint (run.n_success, ==, N_WORKER_CALLS);
  g_assert_cmpuint (run.n_wrong_winner, ==, 0);
  g_assert_cmpuint (run.min_asked, ==, N_WORKER_PARTICIPANTS);   /* once the silent one died */
  g_assert_cmpuint (silent->data->n_silent, ==, 5);
  for (i = 0; i < N_WORKER_PARTICIPANTS; i++)
    {
      TestWorkerAgent *b = bidders->pdata[i];
      g_assert_cmpuint (b->data->n_cfp, ==, N_WORKER_CALLS);
      performed += b->data->n_performed;
    }
  g_assert_cmpuint (performed, ==, N_WORKER_CALLS);
  g_assert_cmpuint (((TestWorkerAgent *) bidders->pdata[N_WORKER_PARTICIPANTS - 1])->data->n_performed,
                    ==, N_WORKER_CALLS);
  g_mutex_clear (&run.lock);
  g_cond_clear (&run.cond);
}

/* ------------------------------------------------------------------- main */

#define ADD(path, fn) g_test_add ("/contract-net/" path, Fixture, NULL, setup, fn, teardown)
#define ADD_PICKY(path, fn) g_test_add ("/contract-net/" path, Fixture, NULL, setup_picky, fn, teardown)

int
main (int    argc,
      char **argv)
{
  guint i;

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/contract-net/organization/roles", test_organization_roles);
  ADD ("organization/one-initiator", test_organization_one_initiator);

  ADD ("call/cheapest-wins", test_call_cheapest_wins);
  ADD ("call/no-proposal", test_call_no_proposal);
  ADD ("call/no-participant", test_call_no_participant);
  ADD ("call/perform-fails", test_call_perform_fails);
  ADD ("call/states", test_call_states);
  ADD ("call/states-unawarded", test_call_states_unawarded);
  ADD ("call/second", test_call_second);
  ADD ("call/chained", test_call_chained);
  ADD ("call/while-open", test_call_while_open);
  ADD ("call/not-played", test_call_not_played);
  g_test_add_func ("/contract-net/call/preconditions", test_call_preconditions);

  for (i = 0; i < G_N_ELEMENTS (select_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/contract-net/select/default/%u", i);
      g_test_add_data_func (path, &select_cases[i], test_select_default);
    }
  ADD_PICKY ("select/override", test_select_override);
  ADD_PICKY ("select/none", test_select_none);
  ADD_PICKY ("select/not-called", test_select_not_called);
  ADD_PICKY ("select/out-of-range", test_select_out_of_range);

  ADD ("vanish/killed", test_vanish_killed);
  ADD ("vanish/mute-killed", test_vanish_mute_killed);
  ADD ("vanish/mute-leaves", test_vanish_mute_leaves);
  ADD ("vanish/dead-letter", test_vanish_dead_letter);
  ADD ("vanish/proposer-leaves", test_vanish_proposer_leaves);
  ADD ("vanish/winner-killed", test_vanish_winner_killed);
  ADD ("vanish/mute-winner-killed", test_vanish_mute_winner_killed);
  ADD ("vanish/initiator-leaves", test_vanish_initiator_leaves);

  g_test_add_func ("/contract-net/workers", test_workers);

  return g_test_run ();
}
