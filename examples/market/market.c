/* SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * market: a buyer and five sellers trade through the FIPA contract-net
 * protocol (JanusContractNetOrganization) in one group.
 *
 *   market [--rounds N] [--workers N] [--seed S]
 *
 * The buyer plays the initiator: each round it calls for proposals on an
 * item and a quantity, the task "(si)". Each seller plays a participant
 * with its own pricing — a base price, a factor per item, and a markup that
 * grows as its stock runs out — and refuses when its stock is too small.
 * The buyer accepts the cheapest bid (on a tie, the first seller in the
 * market's order), the winner "delivers": it takes the quantity from its
 * stock and answers with a receipt "(ssix)": seller, item, quantity, price
 * in cents.
 *
 * Prices are integer cents, the buyer's choices come from a GRand seeded
 * with --seed, and each round ends before the next starts, so the output is
 * the same on any number of workers. The program exits with 0 only if its
 * books balance: what the buyer bought and paid equals the receipts and
 * what the sellers sold, and no stock went below zero.
 */
#include <stdlib.h>

#include <janus.h>

typedef struct
{
  const char *name;
  gint64      base;             /* cents per unit */
  gint32      stock;
} SellerSpec;

static const SellerSpec sellers_spec[] = {
  { "Alma",  100, 20 },
  { "Bruno",  95, 12 },
  { "Chen",  112, 40 },
  { "Dana",   88,  6 },
  { "Emil",  104, 15 },
};

typedef struct
{
  const char *name;
  gint64      percent;          /* price factor */
} ItemSpec;

static const ItemSpec items[] = {
  { "apple", 100 },
  { "pear",  140 },
  { "fig",   250 },
};

static gint64
item_percent (const char *item)
{
  guint i;

  for (i = 0; i < G_N_ELEMENTS (items); i++)
    if (g_str_equal (items[i].name, item))
      return items[i].percent;
  return -1;
}

static void
format_cents (char    *buf,
              gsize    size,
              gint64   cents)
{
  g_snprintf (buf, size, "%" G_GINT64_FORMAT ".%02d", cents / 100, (int) (cents % 100));
}

/* ------------------------------------------------------------- seller */

#define MARKET_TYPE_SELLER (market_seller_get_type ())
G_DECLARE_FINAL_TYPE (MarketSeller, market_seller, MARKET, SELLER, JanusAgent)

/* Written in the seller's steps only; main reads it after the run. */
struct _MarketSeller
{
  JanusAgent  parent_instance;
  gint64      base;
  gint32      initial_stock;
  gint32      stock;
  gint32      lowest_stock;     /* to check it never went below 0 */
  gint32      sold;
  gint64      revenue;
  gint64      quote;            /* the price of its open proposal */
};

G_DEFINE_FINAL_TYPE (MarketSeller, market_seller, JANUS_TYPE_AGENT)

/* The seller's price for @quantity of @item, from its current stock:
 * +50 % when it is sold out, in proportion before. */
static gint64
market_seller_price (MarketSeller *self,
                     const char   *item,
                     gint32        quantity)
{
  gint64 scarcity = 50 * (gint64) self->sold / self->initial_stock;

  return self->base * item_percent (item) / 100 * (100 + scarcity) / 100 * quantity;
}

/* The seller's role: a contract-net participant. */
#define MARKET_TYPE_SELLER_ROLE (market_seller_role_get_type ())
G_DECLARE_FINAL_TYPE (MarketSellerRole, market_seller_role, MARKET, SELLER_ROLE,
                      JanusContractNetParticipant)

struct _MarketSellerRole
{
  JanusContractNetParticipant parent_instance;
};

G_DEFINE_FINAL_TYPE (MarketSellerRole, market_seller_role, JANUS_TYPE_CONTRACT_NET_PARTICIPANT)

static MarketSeller *
role_seller (JanusContractNetParticipant *role)
{
  return MARKET_SELLER (janus_role_get_player (JANUS_ROLE (role)));
}

static GVariant *
market_seller_role_propose (JanusContractNetParticipant *role,
                            GVariant                    *task)
{
  MarketSeller *seller = role_seller (role);
  const char *item;
  gint32 quantity;

  if (task == NULL || !g_variant_is_of_type (task, G_VARIANT_TYPE ("(si)")))
    return NULL;
  g_variant_get (task, "(&si)", &item, &quantity);
  if (item_percent (item) < 0 || quantity <= 0 || quantity > seller->stock)
    return NULL;                                /* refuse */
  seller->quote = market_seller_price (seller, item, quantity);
  return g_variant_new_int64 (seller->quote);   /* the bid, in cents */
}

static GVariant *
market_seller_role_perform (JanusContractNetParticipant  *role,
                            GVariant                     *task,
                            GError                      **error)
{
  MarketSeller *seller = role_seller (role);
  const char *item;
  gint32 quantity;

  g_variant_get (task, "(&si)", &item, &quantity);
  if (quantity > seller->stock)
    {
      g_set_error (error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_FAILED, "%s is out of %s",
                   janus_agent_get_name (JANUS_AGENT (seller)), item);
      return NULL;
    }
  seller->stock -= quantity;
  seller->lowest_stock = MIN (seller->lowest_stock, seller->stock);
  seller->sold += quantity;
  seller->revenue += seller->quote;
  return g_variant_new ("(ssix)", janus_agent_get_name (JANUS_AGENT (seller)),
                        item, quantity, seller->quote);
}

static void
market_seller_role_class_init (MarketSellerRoleClass *klass)
{
  JanusContractNetParticipantClass *participant_class = JANUS_CONTRACT_NET_PARTICIPANT_CLASS (klass);

  participant_class->propose = market_seller_role_propose;
  participant_class->perform = market_seller_role_perform;
}

static void
market_seller_role_init (MarketSellerRole *self)
{
}

/* parameters "(sxi)": the group's uuid, the base price, the stock */
static gboolean
market_seller_activate (JanusAgent  *agent,
                        GVariant    *parameters,
                        GError     **error)
{
  MarketSeller *self = MARKET_SELLER (agent);
  g_autoptr(JanusGroup) group = NULL;
  const char *uuid;

  g_variant_get (parameters, "(&sxi)", &uuid, &self->base, &self->stock);
  self->initial_stock = self->lowest_stock = self->stock;
  group = janus_kernel_lookup_group (janus_agent_get_kernel (agent), uuid);
  if (group == NULL)
    {
      g_set_error (error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_NOT_A_MEMBER, "no group %s", uuid);
      return FALSE;
    }
  return janus_agent_request_role (agent, MARKET_TYPE_SELLER_ROLE, group, NULL, error) != NULL;
}

static void
market_seller_class_init (MarketSellerClass *klass)
{
  JanusAgentClass *agent_class = JANUS_AGENT_CLASS (klass);

  agent_class->activate = market_seller_activate;
  janus_agent_class_set_activation_prototype (agent_class, "(sxi)");
}

static void
market_seller_init (MarketSeller *self)
{
}

/* -------------------------------------------------------------- buyer */

#define MARKET_TYPE_BUYER (market_buyer_get_type ())
G_DECLARE_FINAL_TYPE (MarketBuyer, market_buyer, MARKET, BUYER, JanusAgent)

/* Written in the buyer's steps only; main reads it after the run. */
struct _MarketBuyer
{
  JanusAgent  parent_instance;
  guint       rounds;
  guint64     seed;
  GRand      *rand;
  JanusGroup *group;
  GPtrArray  *sellers;          /* MarketSeller, in the market's order */
  gulong      taken_handler;
  gboolean    started;
  gboolean    done;

  /* the round under way */
  guint       round;
  const char *item;
  gint32      quantity;
  GString    *bids;

  /* the books */
  gint64      bought;           /* units bought in successful rounds */
  gint64      spent;            /* the accepted bids */
  gint64      receipt_units;
  gint64      receipt_cents;
  guint       unfilled;         /* rounds nobody could serve */
  guint       failed;           /* rounds whose winner failed */
  gboolean    books_ok;
};

G_DEFINE_FINAL_TYPE (MarketBuyer, market_buyer, JANUS_TYPE_AGENT)

static const char *
seller_name (MarketBuyer        *self,
             const JanusAddress *address,
             guint              *index)
{
  guint i;

  for (i = 0; i < self->sellers->len; i++)
    if (janus_address_equal (janus_agent_get_address (self->sellers->pdata[i]), address))
      {
        if (index)
          *index = i;
        return janus_agent_get_name (self->sellers->pdata[i]);
      }
  if (index)
    *index = G_MAXUINT;
  return "?";
}

/* The buyer's role: a contract-net initiator that logs the bids and, on
 * equal bids, prefers the seller listed first (the default would take the
 * bid that arrived first, which depends on the workers). */
#define MARKET_TYPE_BUYER_ROLE (market_buyer_role_get_type ())
G_DECLARE_FINAL_TYPE (MarketBuyerRole, market_buyer_role, MARKET, BUYER_ROLE,
                      JanusContractNetInitiator)

struct _MarketBuyerRole
{
  JanusContractNetInitiator parent_instance;
};

G_DEFINE_FINAL_TYPE (MarketBuyerRole, market_buyer_role, JANUS_TYPE_CONTRACT_NET_INITIATOR)

static guint
market_buyer_role_select_proposal (JanusContractNetInitiator *role,
                                   GPtrArray                 *proposals)
{
  MarketBuyer *buyer = MARKET_BUYER (janus_role_get_player (JANUS_ROLE (role)));
  gint64 *bid_of = g_newa (gint64, buyer->sellers->len);
  guint *proposal_of = g_newa (guint, buyer->sellers->len);
  guint i, chosen = G_MAXUINT;

  for (i = 0; i < buyer->sellers->len; i++)
    proposal_of[i] = G_MAXUINT;
  for (i = 0; i < proposals->len; i++)
    {
      guint s;

      seller_name (buyer, janus_message_get_sender (proposals->pdata[i]), &s);
      if (s != G_MAXUINT)
        {
          proposal_of[s] = i;
          bid_of[s] = g_variant_get_int64 (janus_message_get_body (proposals->pdata[i]));
        }
    }
  /* in the market's order: the log reads the same on any number of workers */
  for (i = 0; i < buyer->sellers->len; i++)
    {
      char price[32];

      if (proposal_of[i] == G_MAXUINT)
        continue;
      format_cents (price, sizeof price, bid_of[i]);
      g_string_append_printf (buyer->bids, "%s %s %s", buyer->bids->len ? "," : "",
                              janus_agent_get_name (buyer->sellers->pdata[i]), price);
      if (chosen == G_MAXUINT || bid_of[i] < bid_of[chosen])
        chosen = i;
    }
  return chosen == G_MAXUINT ? G_MAXUINT : proposal_of[chosen];
}

static void
market_buyer_role_class_init (MarketBuyerRoleClass *klass)
{
  JANUS_CONTRACT_NET_INITIATOR_CLASS (klass)->select_proposal = market_buyer_role_select_proposal;
}

static void
market_buyer_role_init (MarketBuyerRole *self)
{
}

static void
next_round (MarketBuyer               *self,
            JanusContractNetInitiator *role)
{
  g_autoptr(GError) error = NULL;

  self->round++;
  self->item = items[g_rand_int_range (self->rand, 0, G_N_ELEMENTS (items))].name;
  self->quantity = g_rand_int_range (self->rand, 1, 9);
  g_string_truncate (self->bids, 0);
  if (!janus_contract_net_initiator_call_for_proposals (role, g_variant_new ("(si)", self->item,
                                                                             self->quantity),
                                                        &error))
    {
      g_printerr ("round %u: %s\n", self->round, error->message);
      self->done = TRUE;
    }
}

/* Checks a receipt against the round, and books it. */
static gboolean
book_receipt (MarketBuyer *self,
              GVariant    *receipt,
              const char  *winner,
              gint64       price)
{
  const char *seller, *item;
  gint32 quantity;
  gint64 cents;

  if (receipt == NULL || !g_variant_is_of_type (receipt, G_VARIANT_TYPE ("(ssix)")))
    return FALSE;
  g_variant_get (receipt, "(&s&six)", &seller, &item, &quantity, &cents);
  self->bought += self->quantity;
  self->spent += price;
  self->receipt_units += quantity;
  self->receipt_cents += cents;
  return g_str_equal (seller, winner) && g_str_equal (item, self->item);
}

static void
on_finished (JanusContractNetInitiator *role,
             gboolean                   success,
             GVariant                  *result,
             const JanusAddress        *winner,
             gpointer                   user_data)
{
  MarketBuyer *self = user_data;
  char price[32] = "";
  gint64 cents = 0;
  const char *name = winner ? seller_name (self, winner, NULL) : NULL;

  g_print ("round %2u: %d x %-5s  bids:%s", self->round, self->quantity, self->item,
           self->bids->len ? self->bids->str : " none");
  if (janus_contract_net_initiator_get_n_refusals (role) > 0)
    g_print ("; %u refused", janus_contract_net_initiator_get_n_refusals (role));
  if (success && result != NULL && g_variant_is_of_type (result, G_VARIANT_TYPE ("(ssix)")))
    {
      g_variant_get_child (result, 3, "x", &cents);
      format_cents (price, sizeof price, cents);
      if (!book_receipt (self, result, name, cents))
        self->books_ok = FALSE;
      g_print (" -> %s delivers for %s\n", name, price);
    }
  else if (name != NULL)
    {
      self->failed++;
      g_print (" -> %s failed: %s\n", name,
               result && g_variant_is_of_type (result, G_VARIANT_TYPE_STRING)
               ? g_variant_get_string (result, NULL) : "gone");
    }
  else
    {
      self->unfilled++;
      g_print (" -> nobody can deliver\n");
    }

  if (self->round < self->rounds)
    next_round (self, role);
  else
    self->done = TRUE;
}

/* A seller joined: the buyer starts once all are there. Seller's thread. */
static void
on_role_taken (JanusGroup *group,
               JanusRole  *role,
               gpointer    user_data)
{
  janus_agent_wake (JANUS_AGENT (user_data));
}

/* parameters "(sut)": the group's uuid, the rounds, the seed */
static gboolean
market_buyer_activate (JanusAgent  *agent,
                       GVariant    *parameters,
                       GError     **error)
{
  MarketBuyer *self = MARKET_BUYER (agent);
  JanusKernel *kernel = janus_agent_get_kernel (agent);
  JanusRole *role;
  const char *uuid;
  guint i;

  g_variant_get (parameters, "(&sut)", &uuid, &self->rounds, &self->seed);
  self->rand = g_rand_new_with_seed ((guint32) self->seed);
  self->group = janus_kernel_lookup_group (kernel, uuid);
  if (self->group == NULL)
    {
      g_set_error (error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_NOT_A_MEMBER, "no group %s", uuid);
      return FALSE;
    }
  role = janus_agent_request_role (agent, MARKET_TYPE_BUYER_ROLE, self->group, NULL, error);
  if (role == NULL)
    return FALSE;
  g_signal_connect (role, "finished", G_CALLBACK (on_finished), self);
  self->taken_handler = g_signal_connect (self->group, "role-taken", G_CALLBACK (on_role_taken), self);

  /* the buyer launches the sellers, so it may end them when it is done */
  for (i = 0; i < G_N_ELEMENTS (sellers_spec); i++)
    {
      MarketSeller *seller = g_object_new (MARKET_TYPE_SELLER, NULL);

      g_ptr_array_add (self->sellers, seller);
      if (!janus_kernel_launch_light_agent (kernel, JANUS_AGENT (seller), sellers_spec[i].name,
                                            g_variant_new ("(sxi)", uuid, sellers_spec[i].base,
                                                           sellers_spec[i].stock),
                                            error))
        return FALSE;
    }
  return TRUE;
}

static JanusLive
market_buyer_live (JanusAgent *agent)
{
  MarketBuyer *self = MARKET_BUYER (agent);
  JanusLive live;
  guint i;

  if (!self->started
      && janus_group_count_players (self->group, MARKET_TYPE_SELLER_ROLE) == self->sellers->len)
    {
      self->started = TRUE;
      if (self->rounds > 0)
        next_round (self, JANUS_CONTRACT_NET_INITIATOR (
                      janus_agent_get_role (agent, MARKET_TYPE_BUYER_ROLE, self->group)));
      else
        self->done = TRUE;
    }
  /* the default live steps the roles: the contract-net runs there */
  live = JANUS_AGENT_CLASS (market_buyer_parent_class)->live (agent);
  if (!self->done)
    return live;
  for (i = 0; i < self->sellers->len; i++)
    janus_agent_kill (agent, self->sellers->pdata[i], NULL);
  return JANUS_LIVE_DONE;
}

static void
market_buyer_end (JanusAgent *agent)
{
  MarketBuyer *self = MARKET_BUYER (agent);

  g_clear_signal_handler (&self->taken_handler, self->group);
}

static void
market_buyer_dispose (GObject *object)
{
  MarketBuyer *self = MARKET_BUYER (object);

  if (self->group != NULL)
    g_clear_signal_handler (&self->taken_handler, self->group);
  g_clear_object (&self->group);
  g_clear_pointer (&self->sellers, g_ptr_array_unref);
  G_OBJECT_CLASS (market_buyer_parent_class)->dispose (object);
}

static void
market_buyer_finalize (GObject *object)
{
  MarketBuyer *self = MARKET_BUYER (object);

  g_clear_pointer (&self->rand, g_rand_free);
  g_string_free (self->bids, TRUE);
  G_OBJECT_CLASS (market_buyer_parent_class)->finalize (object);
}

static void
market_buyer_class_init (MarketBuyerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  JanusAgentClass *agent_class = JANUS_AGENT_CLASS (klass);

  object_class->dispose = market_buyer_dispose;
  object_class->finalize = market_buyer_finalize;
  agent_class->activate = market_buyer_activate;
  agent_class->live = market_buyer_live;
  agent_class->end = market_buyer_end;
  janus_agent_class_set_activation_prototype (agent_class, "(sut)");
}

static void
market_buyer_init (MarketBuyer *self)
{
  self->sellers = g_ptr_array_new_with_free_func (g_object_unref);
  self->bids = g_string_new (NULL);
  self->books_ok = TRUE;
}

/* --------------------------------------------------------------- main */

/* Prints the sellers' books and checks them against the buyer's. */
static gboolean
summary (MarketBuyer *buyer)
{
  gint64 sold = 0, revenue = 0;
  gboolean ok = buyer->books_ok;
  char money[32];
  guint i;

  g_print ("\nseller  sold  revenue  stock\n");
  for (i = 0; i < buyer->sellers->len; i++)
    {
      MarketSeller *s = buyer->sellers->pdata[i];

      format_cents (money, sizeof money, s->revenue);
      g_print ("%-6s  %4d  %7s  %2d/%d\n", janus_agent_get_name (JANUS_AGENT (s)),
               s->sold, money, s->stock, s->initial_stock);
      sold += s->sold;
      revenue += s->revenue;
      ok = ok && s->lowest_stock >= 0 && s->initial_stock - s->sold == s->stock;
    }
  format_cents (money, sizeof money, buyer->spent);
  g_print ("\nbuyer: %u rounds, %" G_GINT64_FORMAT " units for %s; %u unfilled, %u failed\n",
           buyer->round, buyer->bought, money, buyer->unfilled, buyer->failed);
  ok = ok && buyer->round == buyer->rounds
       && buyer->bought == buyer->receipt_units && buyer->receipt_units == sold
       && buyer->spent == buyer->receipt_cents && buyer->receipt_cents == revenue;
  g_print ("check: %s\n", ok ? "the books balance" : "FAILED");
  return ok;
}

int
main (int    argc,
      char **argv)
{
  gint rounds = 22, workers = 0;
  gint64 seed = 42;
  GOptionEntry entries[] = {
    { "rounds", 'r', 0, G_OPTION_ARG_INT, &rounds, "Calls for proposals (default 22)", "N" },
    { "workers", 'w', 0, G_OPTION_ARG_INT, &workers, "Worker threads (default 0)", "N" },
    { "seed", 's', 0, G_OPTION_ARG_INT64, &seed, "The buyer's random seed (default 42)", "S" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("- a contract-net market");
  g_autoptr(JanusKernel) kernel = NULL;
  g_autoptr(JanusGroup) group = NULL;
  g_autoptr(MarketBuyer) buyer = NULL;
  g_autoptr(GError) error = NULL;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || rounds < 0 || workers < 0)
    {
      g_printerr ("%s\n", error ? error->message : "--rounds and --workers take N >= 0");
      return 2;
    }

  kernel = janus_kernel_new ((guint) workers);
  janus_kernel_set_seed (kernel, (guint64) seed);
  group = janus_kernel_create_group (kernel, JANUS_TYPE_CONTRACT_NET_ORGANIZATION, &error);
  buyer = g_object_new (MARKET_TYPE_BUYER, NULL);
  if (group == NULL
      || !janus_kernel_launch_light_agent (kernel, JANUS_AGENT (buyer), "buyer",
                                           g_variant_new ("(sut)", janus_group_get_uuid (group),
                                                          (guint) rounds, (guint64) seed),
                                           &error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  janus_kernel_run (kernel);    /* returns when the buyer and the sellers are gone */
  janus_kernel_shutdown (kernel);
  return summary (buyer) ? 0 : 1;
}
