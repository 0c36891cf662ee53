/* SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Reproducible simulation: a multi-agent program (24 agents exchanging
 * messages with janus_agent_send_random and random role messages in a
 * group, timers with random delays from GRands seeded by the kernel's
 * seed) replays identically on fresh 0-worker kernels with a virtual clock
 * and the same seed, in discrete-event mode (janus_kernel_run) and in step
 * mode (janus_kernel_step with a stepped clock); another seed gives
 * another run. Then JANUS_MAILBOX_KIND_BUFFERED: messages sent during a
 * step are seen at the next one whatever the order of the agents
 * (influence/reaction), where a FIFO mailbox sees them in the same step
 * when the receiver comes later.
 */
#include <string.h>

#include "janus-test-utils.h"

#define MAX_STEPS 100000

/* --------------------------------------------------------------- trace */

typedef enum {
  EV_TIMER = 'T',               /* a tick: value = tick number */
  EV_SENT_RANDOM = 'S',         /* send_random: other = the chosen receiver */
  EV_SENT_ROLE = 'G',           /* role message: other = the chosen receiver */
  EV_RECEIVED = 'R',            /* value = the body, other = the sender */
  EV_RECEIVED_ROLE = 'r',       /* the same, through the role */
  EV_DEAD_LETTER = 'D',
  EV_END = 'E',
} EventKind;

typedef struct
{
  guint   agent;
  gint64  time;
  char    event;
  gint64  value;
  guint64 other;
} TraceEntry;

static gboolean
traces_equal (GArray *a,
              GArray *b)
{
  guint i;

  if (a->len != b->len)
    return FALSE;
  for (i = 0; i < a->len; i++)
    {
      TraceEntry *x = &g_array_index (a, TraceEntry, i);
      TraceEntry *y = &g_array_index (b, TraceEntry, i);

      if (x->agent != y->agent || x->time != y->time || x->event != y->event
          || x->value != y->value || x->other != y->other)
        return FALSE;
    }
  return TRUE;
}

static guint
count_events (GArray *trace,
              char    event)
{
  guint i, n = 0;

  for (i = 0; i < trace->len; i++)
    n += g_array_index (trace, TraceEntry, i).event == event;
  return n;
}

/* ------------------------------------------------ organization and role */

#define SIM_TYPE_PEER (sim_peer_get_type ())
G_DECLARE_FINAL_TYPE (SimPeer, sim_peer, SIM, PEER, JanusRole)

struct _SimPeer
{
  JanusRole parent_instance;
};

G_DEFINE_FINAL_TYPE (SimPeer, sim_peer, JANUS_TYPE_ROLE)

static void
sim_peer_class_init (SimPeerClass *klass)
{
}

static void
sim_peer_init (SimPeer *self)
{
}

#define SIM_TYPE_ORGANIZATION (sim_organization_get_type ())
G_DECLARE_FINAL_TYPE (SimOrganization, sim_organization, SIM, ORGANIZATION, JanusOrganization)

struct _SimOrganization
{
  JanusOrganization parent_instance;
};

G_DEFINE_FINAL_TYPE (SimOrganization, sim_organization, JANUS_TYPE_ORGANIZATION)

static void
sim_organization_class_init (SimOrganizationClass *klass)
{
  janus_organization_class_add_role (JANUS_ORGANIZATION_CLASS (klass), SIM_TYPE_PEER, 0);
}

static void
sim_organization_init (SimOrganization *self)
{
}

/* ------------------------------------------------------------ the world */

#define N_SIM_AGENTS   24
#define TICK_MAX_USEC  50000            /* ticks 1..50 ms apart */
#define HOP_TTL        3

typedef struct _SimAgent SimAgent;

typedef struct
{
  JanusKernel         *kernel;
  JanusGroup          *group;
  GPtrArray           *agents;          /* SimAgent, by index */
  const JanusAddress  *addresses[N_SIM_AGENTS];
  GArray              *trace;
  gint64               horizon;         /* no tick after this time */
} World;

struct _SimAgent
{
  JanusAgent  parent_instance;
  World      *world;
  guint       index;
  GRand      *rand;
  gint64      ticks;
};

#define SIM_TYPE_AGENT (sim_agent_get_type ())
G_DECLARE_FINAL_TYPE (SimAgent, sim_agent, SIM, AGENT, JanusAgent)
G_DEFINE_FINAL_TYPE (SimAgent, sim_agent, JANUS_TYPE_AGENT)

static void
trace_add (World   *w,
           guint    agent,
           char     event,
           gint64   value,
           guint64  other)
{
  TraceEntry e = { agent, janus_kernel_get_time (w->kernel), event, value, other };

  g_array_append_val (w->trace, e);
}

/* Sends @value on: to a random agent, or to a random peer of the group,
 * as the agent's own generator decides. */
static void
sim_agent_pass (SimAgent *self,
                gint64    value)
{
  JanusAgent *agent = JANUS_AGENT (self);
  World *w = self->world;
  g_autoptr(GError) error = NULL;

  if (g_rand_boolean (self->rand))
    {
      g_autoptr(JanusAddress) to = NULL;

      janus_agent_send_random (agent, w->addresses, N_SIM_AGENTS,
                               janus_message_new_int64 ("hop", value), &to, &error);
      g_assert_no_error (error);
      g_assert_nonnull (to);
      trace_add (w, self->index, EV_SENT_RANDOM, value, janus_address_get_id (to));
    }
  else
    {
      g_autoptr(JanusAddress) to = NULL;

      janus_agent_send_to_role (agent, w->group, SIM_TYPE_PEER, SIM_TYPE_PEER, NULL,
                                janus_message_new_int64 ("hop", value), &to, &error);
      if (to == NULL)
        {
          /* every other peer is gone */
          g_assert_error (error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_NOT_A_MEMBER);
          return;
        }
      g_assert_no_error (error);
      g_assert_cmpuint (janus_address_get_id (to), !=,
                        janus_address_get_id (janus_agent_get_address (agent)));
      trace_add (w, self->index, EV_SENT_ROLE, value, janus_address_get_id (to));
    }
}

static void sim_agent_tick (JanusAgent *agent, gpointer data);

static void
sim_agent_schedule_tick (SimAgent *self)
{
  gint64 delay = g_rand_int_range (self->rand, 1, TICK_MAX_USEC + 1);

  if (janus_kernel_get_time (self->world->kernel) + delay <= self->world->horizon)
    janus_agent_call_in (JANUS_AGENT (self), delay, sim_agent_tick, NULL, NULL);
}

static void
sim_agent_tick (JanusAgent *agent,
                gpointer    data)
{
  SimAgent *self = SIM_AGENT (agent);

  self->ticks++;
  trace_add (self->world, self->index, EV_TIMER, self->ticks, 0);
  /* one tick in three starts a message with HOP_TTL hops to go */
  if (g_rand_int_range (self->rand, 0, 3) == 0)
    sim_agent_pass (self, (gint64) self->index << 16 | (self->ticks & 0xff) << 4 | HOP_TTL);
  sim_agent_schedule_tick (self);
}

static void
sim_agent_stop (JanusAgent *agent,
                gpointer    data)
{
  janus_agent_kill_me (agent);
}

static gboolean
sim_agent_activate (JanusAgent  *agent,
                    GVariant    *parameters,
                    GError     **error)
{
  SimAgent *self = SIM_AGENT (agent);
  World *w = self->world;
  guint64 seed = janus_kernel_get_seed (janus_agent_get_kernel (agent));
  guint32 words[3] = { (guint32) seed, (guint32) (seed >> 32), self->index };

  self->rand = g_rand_new_with_seed_array (words, 3);
  if (janus_agent_request_role (agent, SIM_TYPE_PEER, w->group, NULL, error) == NULL)
    return FALSE;
  sim_agent_schedule_tick (self);
  /* agents leave one after the other after the horizon: later messages to
   * them are dead letters */
  janus_agent_call_at (agent, w->horizon + (self->index + 1) * 1000, sim_agent_stop, NULL, NULL);
  return TRUE;
}

static JanusLive
sim_agent_live (JanusAgent *agent)
{
  SimAgent *self = SIM_AGENT (agent);
  World *w = self->world;
  JanusMessage *m;

  while ((m = janus_agent_get_message (agent)) != NULL)
    {
      gint64 value = 0;

      g_assert_true (janus_message_get_int64 (m, &value));
      trace_add (w, self->index,
                 janus_message_get_receiver_role (m) != G_TYPE_INVALID ? EV_RECEIVED_ROLE : EV_RECEIVED,
                 value, janus_address_get_id (janus_message_get_sender (m)));
      if ((value & 0xf) > 0)
        sim_agent_pass (self, value - 1);
      janus_message_unref (m);
    }
  return JANUS_LIVE_WAIT;
}

static void
sim_agent_end (JanusAgent *agent)
{
  SimAgent *self = SIM_AGENT (agent);

  trace_add (self->world, self->index, EV_END, self->ticks, janus_agent_get_mailbox_size (agent));
}

static void
sim_agent_finalize (GObject *object)
{
  g_clear_pointer (&SIM_AGENT (object)->rand, g_rand_free);
  G_OBJECT_CLASS (sim_agent_parent_class)->finalize (object);
}

static void
sim_agent_class_init (SimAgentClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = sim_agent_finalize;
  JANUS_AGENT_CLASS (klass)->activate = sim_agent_activate;
  JANUS_AGENT_CLASS (klass)->live = sim_agent_live;
  JANUS_AGENT_CLASS (klass)->end = sim_agent_end;
}

static void
sim_agent_init (SimAgent *self)
{
}

static void
on_dead_letter (JanusKernel  *kernel,
                JanusMessage *message,
                World        *w)
{
  gint64 value = 0;

  janus_message_get_int64 (message, &value);
  trace_add (w, G_MAXUINT, EV_DEAD_LETTER, value,
             janus_address_get_id (janus_message_get_receiver (message)));
}

typedef enum {
  DRIVE_RUN,                    /* janus_kernel_run, clock step 0 */
  DRIVE_STEP,                   /* janus_kernel_step, clock step 1 ms */
} DriveMode;

/* Runs the program on a fresh kernel; returns its trace. */
static GArray *
run_world (guint64   seed,
           DriveMode mode)
{
  World w = { 0 };
  g_autoptr(JanusClock) clock = janus_clock_new_virtual (0, mode == DRIVE_STEP ? 1000 : 0);
  g_autoptr(GError) error = NULL;
  GArray *trace;
  guint i, steps = 0;

  w.kernel = janus_kernel_new (0);
  w.trace = g_array_new (FALSE, FALSE, sizeof (TraceEntry));
  w.agents = g_ptr_array_new_with_free_func (g_object_unref);
  w.horizon = (test_small () ? 1 : 4) * G_USEC_PER_SEC;
  janus_kernel_set_clock (w.kernel, clock);
  janus_kernel_set_seed (w.kernel, seed);
  g_signal_connect (w.kernel, "dead-letter", G_CALLBACK (on_dead_letter), &w);
  w.group = janus_kernel_create_group (w.kernel, SIM_TYPE_ORGANIZATION, &error);
  g_assert_no_error (error);

  for (i = 0; i < N_SIM_AGENTS; i++)
    {
      SimAgent *agent = g_object_new (SIM_TYPE_AGENT, NULL);

      agent->world = &w;
      agent->index = i;
      g_ptr_array_add (w.agents, agent);
      g_assert_true (janus_kernel_launch_light_agent (w.kernel, JANUS_AGENT (agent), NULL, NULL, &error));
      g_assert_no_error (error);
      w.addresses[i] = janus_agent_get_address (JANUS_AGENT (agent));
    }

  if (mode == DRIVE_RUN)
    janus_kernel_run (w.kernel);
  else
    while (janus_kernel_step (w.kernel) && ++steps < MAX_STEPS)
      ;
  g_assert_cmpuint (steps, <, MAX_STEPS);
  g_assert_cmpuint (janus_kernel_get_agent_count (w.kernel), ==, 0);
  g_assert_false (janus_group_is_alive (w.group));

  g_signal_handlers_disconnect_by_data (w.kernel, &w);
  finish (w.kernel, NULL);
  g_object_unref (w.group);
  g_ptr_array_unref (w.agents);
  trace = w.trace;
  return trace;
}

typedef struct
{
  DriveMode mode;
  guint64   seed;
} ReplayCase;

/* Same seed, fresh kernels: the same trace, event for event (agent,
 * virtual time, what, value, peer). The program exercises every random
 * source: send_random, random role receivers, random timer delays. */
static void
test_replay_same_seed (gconstpointer data)
{
  const ReplayCase *c = data;
  g_autoptr(GArray) a = run_world (c->seed, c->mode);
  g_autoptr(GArray) b = run_world (c->seed, c->mode);

  g_test_message ("%u events: %u ticks, %u sent at random, %u role messages, "
                  "%u received, %u through the role, %u dead letters",
                  a->len, count_events (a, EV_TIMER), count_events (a, EV_SENT_RANDOM),
                  count_events (a, EV_SENT_ROLE), count_events (a, EV_RECEIVED),
                  count_events (a, EV_RECEIVED_ROLE), count_events (a, EV_DEAD_LETTER));
  g_assert_cmpuint (count_events (a, EV_TIMER), >, 200);
  g_assert_cmpuint (count_events (a, EV_SENT_RANDOM), >, 50);
  g_assert_cmpuint (count_events (a, EV_SENT_ROLE), >, 50);
  g_assert_cmpuint (count_events (a, EV_RECEIVED), >, 50);
  g_assert_cmpuint (count_events (a, EV_RECEIVED_ROLE), >, 50);
  g_assert_cmpuint (count_events (a, EV_END), ==, N_SIM_AGENTS);
  g_assert_true (traces_equal (a, b));
}

/* Another seed: another run (checked for a few seeds against the first). */
static void
test_replay_other_seed (gconstpointer data)
{
  DriveMode mode = GPOINTER_TO_INT (data);
  static const guint64 others[] = { 2, 3, G_GUINT64_CONSTANT (0x123456789abcdef) };
  g_autoptr(GArray) base = run_world (1, mode);
  guint i, differ = 0;

  for (i = 0; i < G_N_ELEMENTS (others); i++)
    {
      g_autoptr(GArray) other = run_world (others[i], mode);
      differ += !traces_equal (base, other);
    }
  g_test_message ("%u of %u other seeds gave another trace", differ, (guint) G_N_ELEMENTS (others));
  g_assert_cmpuint (differ, >=, 1);
}

/* Discrete events: the trace is in virtual-time order and ends with the
 * last agent's stop. */
static void
test_replay_message_times_are_virtual (void)
{
  g_autoptr(GArray) a = run_world (7, DRIVE_RUN);
  gint64 last = G_MININT64;
  guint i;

  for (i = 0; i < a->len; i++)
    {
      TraceEntry *e = &g_array_index (a, TraceEntry, i);

      g_assert_cmpint (e->time, >=, last);
      last = e->time;
    }
  g_assert_cmpint (last, <=, (test_small () ? 1 : 4) * G_USEC_PER_SEC + N_SIM_AGENTS * 1000);
}

/* ---------------------------------------------------- buffered mailboxes */

typedef struct _StepAgent StepAgent;

struct _StepAgent
{
  JanusAgent  parent_instance;
  guint       turns;
  guint       max_turns;
  guint      *step;             /* the test's step counter */
  StepAgent  *peer;             /* sends its turn number here, if set */
  GArray     *seen;             /* guint pairs: (value, step it was seen) */
  /* influence/reaction */
  StepAgent  *next;
  gint64      value;
};

#define STEP_TYPE_AGENT (step_agent_get_type ())
G_DECLARE_FINAL_TYPE (StepAgent, step_agent, STEP, AGENT, JanusAgent)
G_DEFINE_FINAL_TYPE (StepAgent, step_agent, JANUS_TYPE_AGENT)

static JanusLive
step_agent_live (JanusAgent *agent)
{
  StepAgent *self = STEP_AGENT (agent);
  JanusMessage *m;
  gint64 in = 0;

  self->turns++;
  while ((m = janus_agent_get_message (agent)) != NULL)
    {
      gint64 v = 0;
      guint pair[2];

      janus_message_get_int64 (m, &v);
      pair[0] = (guint) v;
      pair[1] = *self->step;
      g_array_append_vals (self->seen, pair, 2);
      in += v;
      janus_message_unref (m);
    }
  if (self->peer != NULL)
    janus_agent_send (agent, janus_agent_get_address (JANUS_AGENT (self->peer)),
                      janus_message_new_int64 ("n", self->turns), NULL);
  if (self->next != NULL)
    {
      /* a synchronous update rule: the new state from the old one and
       * what the neighbour sent */
      self->value = (self->value * 3 + in) % 1000003;
      janus_agent_send (agent, janus_agent_get_address (JANUS_AGENT (self->next)),
                        janus_message_new_int64 ("v", self->value), NULL);
    }
  return self->turns < self->max_turns ? JANUS_LIVE_AGAIN : JANUS_LIVE_WAIT;
}

static void
step_agent_finalize (GObject *object)
{
  StepAgent *self = STEP_AGENT (object);

  g_array_unref (self->seen);
  G_OBJECT_CLASS (step_agent_parent_class)->finalize (object);
}

static void
step_agent_class_init (StepAgentClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = step_agent_finalize;
  JANUS_AGENT_CLASS (klass)->live = step_agent_live;
}

static void
step_agent_init (StepAgent *self)
{
  self->seen = g_array_new (FALSE, FALSE, sizeof (guint));
}

static StepAgent *
step_agent_new (guint            *step,
                guint             max_turns,
                JanusMailboxKind  kind)
{
  StepAgent *self = g_object_new (STEP_TYPE_AGENT, NULL);

  self->step = step;
  self->max_turns = max_turns;
  janus_agent_set_mailbox_kind (JANUS_AGENT (self), kind);
  g_assert_cmpint (janus_agent_get_mailbox_kind (JANUS_AGENT (self)), ==, kind);
  return self;
}

typedef struct
{
  JanusMailboxKind kind;        /* the receiver's */
  gboolean         receiver_first;
  guint            delay;       /* steps between sending and seeing */
} DeliveryCase;

#define N_TURNS 5

/* Sender and receiver both run every step (AGAIN); the sender sends its
 * turn number k at step k. BUFFERED: the receiver sees it at step k + 1,
 * whatever the order. FIFO: at step k when the receiver comes later in the
 * step, k + 1 when it comes first. */
static void
test_buffered_delivery (gconstpointer data)
{
  const DeliveryCase *c = data;
  JanusKernel *kernel = janus_kernel_new (0);
  guint step = 0, i;
  StepAgent *sender = step_agent_new (&step, N_TURNS, JANUS_MAILBOX_KIND_FIFO);
  StepAgent *receiver = step_agent_new (&step, N_TURNS + 1, c->kind);

  sender->peer = receiver;
  if (c->receiver_first)
    launch_ok (kernel, receiver, NULL, NULL);
  launch_ok (kernel, sender, NULL, NULL);
  if (!c->receiver_first)
    launch_ok (kernel, receiver, NULL, NULL);
  do
    step++;
  while (janus_kernel_step (kernel) && step < 100);

  g_assert_cmpuint (receiver->seen->len, ==, 2 * N_TURNS);
  for (i = 0; i < N_TURNS; i++)
    {
      guint value = g_array_index (receiver->seen, guint, 2 * i);
      guint seen_at = g_array_index (receiver->seen, guint, 2 * i + 1);

      g_assert_cmpuint (value, ==, i + 1);
      g_assert_cmpuint (seen_at, ==, value + c->delay);
    }
  finish (kernel, NULL);
  g_object_unref (sender);
  g_object_unref (receiver);
}

/* A BUFFERED agent made runnable only by a message sent in the same step
 * by an earlier agent runs at the next step and sees it then. */
static void
test_buffered_waiting_receiver (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  guint step = 0;
  StepAgent *sender = step_agent_new (&step, 1, JANUS_MAILBOX_KIND_FIFO);
  StepAgent *receiver = step_agent_new (&step, 1, JANUS_MAILBOX_KIND_BUFFERED);

  sender->peer = receiver;
  launch_ok (kernel, receiver, NULL, NULL);
  launch_ok (kernel, sender, NULL, NULL);
  step = 1;
  g_assert_true (janus_kernel_step (kernel));      /* both: first turn */
  g_assert_cmpuint (receiver->seen->len, ==, 0);
  step = 2;
  g_assert_false (janus_kernel_step (kernel));     /* receiver: the message */
  g_assert_cmpuint (receiver->turns, ==, 2);
  g_assert_cmpuint (receiver->seen->len, ==, 2);
  g_assert_cmpuint (g_array_index (receiver->seen, guint, 1), ==, 2);
  finish (kernel, NULL);
  g_object_unref (sender);
  g_object_unref (receiver);
}

#define RING 4
#define RING_TURNS 6

/* A ring of RING agents with a synchronous update rule, launched in the
 * order @order; returns the final values, by agent (not launch) index. */
static void
run_ring (JanusMailboxKind  kind,
          const guint      *order,
          gint64           *values)
{
  JanusKernel *kernel = janus_kernel_new (0);
  StepAgent *agents[RING];
  guint step = 0, i;

  for (i = 0; i < RING; i++)
    {
      agents[i] = step_agent_new (&step, RING_TURNS, kind);
      agents[i]->value = i + 1;
    }
  for (i = 0; i < RING; i++)
    agents[i]->next = agents[(i + 1) % RING];
  for (i = 0; i < RING; i++)
    launch_ok (kernel, agents[order[i]], NULL, NULL);
  for (step = 1; step <= RING_TURNS; step++)
    janus_kernel_step (kernel);
  for (i = 0; i < RING; i++)
    {
      g_assert_cmpuint (agents[i]->turns, ==, RING_TURNS);
      values[i] = agents[i]->value;
    }
  finish (kernel, NULL);
  for (i = 0; i < RING; i++)
    g_object_unref (agents[i]);
}

static const guint ring_orders[][RING] = {
  { 0, 1, 2, 3 },
  { 3, 2, 1, 0 },
  { 2, 0, 3, 1 },
  { 1, 3, 0, 2 },
};

/* Influence/reaction: with BUFFERED mailboxes the outcome does not depend
 * on the launch (hence step) order of the agents. */
static void
test_buffered_order_independent (void)
{
  gint64 first[RING], other[RING];
  guint o, i;

  run_ring (JANUS_MAILBOX_KIND_BUFFERED, ring_orders[0], first);
  for (o = 1; o < G_N_ELEMENTS (ring_orders); o++)
    {
      run_ring (JANUS_MAILBOX_KIND_BUFFERED, ring_orders[o], other);
      for (i = 0; i < RING; i++)
        g_assert_cmpint (other[i], ==, first[i]);
    }
  /* and it is the synchronous result: agent i got, at each step, what its
   * neighbour had at the end of the previous one */
  {
    gint64 v[RING], next[RING];
    guint t;

    for (i = 0; i < RING; i++)
      v[i] = i + 1;
    for (t = 0; t < RING_TURNS; t++)
      {
        for (i = 0; i < RING; i++)
          next[i] = (v[i] * 3 + (t == 0 ? 0 : v[(i + RING - 1) % RING])) % 1000003;
        memcpy (v, next, sizeof v);
      }
    for (i = 0; i < RING; i++)
      g_assert_cmpint (first[i], ==, v[i]);
  }
}

/* With FIFO mailboxes an agent later in the step sees its neighbour's new
 * state at once: the outcome depends on the order. */
static void
test_fifo_order_dependent (void)
{
  gint64 first[RING], other[RING];
  guint o, differ = 0;

  run_ring (JANUS_MAILBOX_KIND_FIFO, ring_orders[0], first);
  for (o = 1; o < G_N_ELEMENTS (ring_orders); o++)
    {
      run_ring (JANUS_MAILBOX_KIND_FIFO, ring_orders[o], other);
      differ += memcmp (first, other, sizeof first) != 0;
    }
  g_assert_cmpuint (differ, >=, 1);
}

int
main (int    argc,
      char **argv)
{
  static const ReplayCase run_case = { DRIVE_RUN, 42 };
  static const ReplayCase step_case = { DRIVE_STEP, 42 };
  static const ReplayCase zero_seed = { DRIVE_RUN, 0 };
  static const DeliveryCase buffered_after = { JANUS_MAILBOX_KIND_BUFFERED, FALSE, 1 };
  static const DeliveryCase buffered_before = { JANUS_MAILBOX_KIND_BUFFERED, TRUE, 1 };
  static const DeliveryCase fifo_after = { JANUS_MAILBOX_KIND_FIFO, FALSE, 0 };
  static const DeliveryCase fifo_before = { JANUS_MAILBOX_KIND_FIFO, TRUE, 1 };

  g_test_init (&argc, &argv, NULL);

  g_test_add_data_func ("/simulation/replay/same-seed-run", &run_case, test_replay_same_seed);
  g_test_add_data_func ("/simulation/replay/same-seed-step", &step_case, test_replay_same_seed);
  g_test_add_data_func ("/simulation/replay/seed-zero-run", &zero_seed, test_replay_same_seed);
  g_test_add_data_func ("/simulation/replay/other-seed-run", GINT_TO_POINTER (DRIVE_RUN),
                        test_replay_other_seed);
  g_test_add_data_func ("/simulation/replay/other-seed-step", GINT_TO_POINTER (DRIVE_STEP),
                        test_replay_other_seed);
  g_test_add_func ("/simulation/replay/time-order", test_replay_message_times_are_virtual);
  g_test_add_data_func ("/simulation/buffered/receiver-later", &buffered_after, test_buffered_delivery);
  g_test_add_data_func ("/simulation/buffered/receiver-earlier", &buffered_before, test_buffered_delivery);
  g_test_add_data_func ("/simulation/fifo/receiver-later", &fifo_after, test_buffered_delivery);
  g_test_add_data_func ("/simulation/fifo/receiver-earlier", &fifo_before, test_buffered_delivery);
  g_test_add_func ("/simulation/buffered/waiting-receiver", test_buffered_waiting_receiver);
  g_test_add_func ("/simulation/buffered/order-independent", test_buffered_order_independent);
  g_test_add_func ("/simulation/fifo/order-dependent", test_fifo_order_dependent);

  return g_test_run ();
}
