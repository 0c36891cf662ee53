/* SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Kernels without workers: janus_kernel_step (one turn per runnable agent,
 * FIFO order, deterministic), janus_kernel_run on the calling thread,
 * keep-alive and quit, the GMainContext source, and refusing a second
 * driving thread.
 */
#include <stdatomic.h>
#include <string.h>

#include "janus-test-utils.h"

#define DEADLINE_MSEC (10 * 1000)

/* ------------------------------------------------------------- fixture */

typedef struct
{
  guint   agent;
  guint   step;
  gint64  value;         /* -1: a turn (live call) */
  guint64 sender;
} TraceEntry;

typedef struct _StepAgent StepAgent;

typedef struct
{
  GMutex       lock;
  GCond        cond;
  atomic_int   entered;
  atomic_int   go;
  atomic_int   acked;
  guint        step;            /* the step being run, set by the test */
  GArray      *trace;           /* TraceEntry */
  GArray      *order;           /* guint: agent index of every turn */
  GPtrArray   *agents;          /* StepAgent, by index */
  StepAgent   *spawn;           /* launched by a "launch" message */
  GMainLoop   *loop;
  gint64       expect;          /* messages the receiver waits for */
  gboolean     timed_out;
  GThread     *main_thread;
  gboolean     wrong_thread;
} Fixture;

static void
fixture_init (Fixture *f)
{
  memset (f, 0, sizeof *f);
  g_mutex_init (&f->lock);
  g_cond_init (&f->cond);
  f->trace = g_array_new (FALSE, FALSE, sizeof (TraceEntry));
  f->order = g_array_new (FALSE, FALSE, sizeof (guint));
  f->agents = g_ptr_array_new_with_free_func (g_object_unref);
  f->main_thread = g_thread_self ();
}

static void
fixture_clear (Fixture *f)
{
  g_array_unref (f->trace);
  g_array_unref (f->order);
  g_ptr_array_unref (f->agents);
  g_clear_object (&f->spawn);
  g_mutex_clear (&f->lock);
  g_cond_clear (&f->cond);
}

static void
trace_add (Fixture *f,
           guint    agent,
           gint64   value,
           guint64  sender)
{
  TraceEntry e = { agent, f->step, value, sender };

  g_array_append_val (f->trace, e);
}

/* ----------------------------------------------------------- the agent */

#define STEP_TYPE_AGENT (step_agent_get_type ())
G_DECLARE_FINAL_TYPE (StepAgent, step_agent, STEP, AGENT, JanusAgent)

typedef JanusLive (*StepLiveFunc) (StepAgent *self);

struct _StepAgent
{
  JanusAgent    parent_instance;
  Fixture      *fixture;
  StepLiveFunc  live_func;
  guint         index;
  JanusLive     result;         /* what the default live returns */
  gint64        turns;
  gint64        received;
  gint64        counter;
  int           errors;
  GThread      *threads[3];     /* activate, live (last), end */
  gboolean      thread_changed;
  gint64        end_count;
};

G_DEFINE_FINAL_TYPE (StepAgent, step_agent, JANUS_TYPE_AGENT)

static StepAgent *
fixture_agent (Fixture *f,
               guint    index)
{
  return f->agents->pdata[index];
}

static const JanusAddress *
agent_address (Fixture *f,
               guint    index)
{
  return janus_agent_get_address (JANUS_AGENT (fixture_agent (f, index)));
}

static gboolean
step_agent_activate (JanusAgent  *agent,
                     GVariant    *parameters,
                     GError     **error)
{
  STEP_AGENT (agent)->threads[0] = g_thread_self ();
  return TRUE;
}

static JanusLive
step_agent_live (JanusAgent *agent)
{
  StepAgent *self = STEP_AGENT (agent);

  if (self->threads[1] != NULL && self->threads[1] != g_thread_self ())
    self->thread_changed = TRUE;
  self->threads[1] = g_thread_self ();
  self->turns++;
  g_array_append_val (self->fixture->order, self->index);
  return self->live_func (self);
}

static void
step_agent_end (JanusAgent *agent)
{
  StepAgent *self = STEP_AGENT (agent);

  self->threads[2] = g_thread_self ();
  self->end_count++;
}

static void
step_agent_class_init (StepAgentClass *klass)
{
  JanusAgentClass *agent_class = JANUS_AGENT_CLASS (klass);

  agent_class->activate = step_agent_activate;
  agent_class->live = step_agent_live;
  agent_class->end = step_agent_end;
}

static void
step_agent_init (StepAgent *self)
{
}

/* Makes agent number f->agents->len (not launched). */
static StepAgent *
step_agent_new (Fixture      *f,
                StepLiveFunc  live_func)
{
  StepAgent *self = g_object_new (STEP_TYPE_AGENT, NULL);

  self->fixture = f;
  self->live_func = live_func;
  self->index = f->agents->len;
  self->result = JANUS_LIVE_WAIT;
  g_ptr_array_add (f->agents, self);
  return self;
}

/* Steps once and checks which agents had a turn, in which order. */
static gboolean
step_expect (JanusKernel *kernel,
             Fixture     *f,
             const guint *expected,
             guint        n_expected)
{
  gboolean more;
  guint i;

  f->step++;
  g_array_set_size (f->order, 0);
  more = janus_kernel_step (kernel);
  g_assert_cmpuint (f->order->len, ==, n_expected);
  for (i = 0; i < n_expected; i++)
    g_assert_cmpuint (g_array_index (f->order, guint, i), ==, expected[i]);
  return more;
}

/* ------------------------------------------------ deterministic program */

#define N_TRACE_AGENTS 20
#define MAX_HOPS       12

/* A fixed but irregular program: seeds from every third agent, messages
 * forwarded to agents picked from (id, value), some forks, a few agents
 * busy (AGAIN) for a while, one that dies early (later messages to it are
 * dead letters). Everything that happens goes to the trace. */
static JanusLive
trace_live (StepAgent *self)
{
  Fixture *f = self->fixture;
  JanusAgent *agent = JANUS_AGENT (self);
  guint i = self->index;
  JanusMessage *m;

  trace_add (f, i, -1, 0);
  if (self->turns == 1 && i % 3 == 0)
    janus_agent_send (agent, agent_address (f, (i * 7 + 3) % N_TRACE_AGENTS),
                      janus_message_new_int64 ("hop", i * 100), NULL);

  while ((m = janus_agent_get_message (agent)) != NULL)
    {
      gint64 v = 0;

      janus_message_get_int64 (m, &v);
      trace_add (f, i, v, janus_address_get_id (janus_message_get_sender (m)));
      self->received++;
      if (v % 100 < MAX_HOPS)
        {
          janus_agent_send (agent, agent_address (f, (i * 7 + v * 13) % N_TRACE_AGENTS),
                            janus_message_new_int64 ("hop", v + 1), NULL);
          if (v % 4 == 0)
            janus_agent_send (agent, agent_address (f, (i + v) % N_TRACE_AGENTS),
                              janus_message_new_int64 ("hop", v + 2), NULL);
        }
      janus_message_unref (m);
    }

  if (i == N_TRACE_AGENTS - 1 && self->received >= 5)
    return JANUS_LIVE_DONE;
  if (i % 5 == 4 && self->turns < 4)
    return JANUS_LIVE_AGAIN;
  return JANUS_LIVE_WAIT;
}

static void
on_trace_dead_letter (JanusKernel  *kernel,
                      JanusMessage *message,
                      Fixture      *f)
{
  gint64 v = 0;

  janus_message_get_int64 (message, &v);
  trace_add (f, G_MAXUINT, v, janus_address_get_id (janus_message_get_sender (message)));
}

static GArray *
run_trace_program (guint64 *dead_letters)
{
  JanusKernel *kernel = janus_kernel_new (0);
  Fixture f;
  GArray *trace;
  guint i;

  fixture_init (&f);
  g_signal_connect (kernel, "dead-letter", G_CALLBACK (on_trace_dead_letter), &f);
  for (i = 0; i < N_TRACE_AGENTS; i++)
    step_agent_new (&f, trace_live);
  for (i = 0; i < N_TRACE_AGENTS; i++)
    launch_ok (kernel, fixture_agent (&f, i), NULL, NULL);

  do
    f.step++;
  while (janus_kernel_step (kernel) && f.step < 10000);
  g_assert_cmpuint (f.step, <, 10000);

  *dead_letters = janus_kernel_get_dead_letter_count (kernel);
  g_signal_handlers_disconnect_by_data (kernel, &f);
  finish (kernel, NULL);
  trace = g_array_ref (f.trace);
  fixture_clear (&f);
  return trace;
}

/* Two runs of one program on fresh kernels make the same turns, in the
 * same steps and order, with the same messages. */
static void
test_step_deterministic (void)
{
  g_autoptr(GArray) a = NULL;
  g_autoptr(GArray) b = NULL;
  guint64 dead_a = 0, dead_b = 0;
  guint i, messages = 0, last_step = 0;

  a = run_trace_program (&dead_a);
  b = run_trace_program (&dead_b);

  for (i = 0; i < a->len; i++)
    {
      TraceEntry *e = &g_array_index (a, TraceEntry, i);
      messages += e->value >= 0;
      last_step = MAX (last_step, e->step);
    }
  /* the program does something worth comparing */
  g_assert_cmpuint (messages, >, 200);
  g_assert_cmpuint (last_step, >, 10);
  g_assert_cmpuint (dead_a, >, 0);

  g_assert_cmpuint (dead_a, ==, dead_b);
  g_assert_cmpuint (a->len, ==, b->len);
  for (i = 0; i < a->len; i++)
    {
      TraceEntry *x = &g_array_index (a, TraceEntry, i);
      TraceEntry *y = &g_array_index (b, TraceEntry, i);

      g_assert_cmpuint (x->agent, ==, y->agent);
      g_assert_cmpuint (x->step, ==, y->step);
      g_assert_cmpint (x->value, ==, y->value);
      g_assert_cmpuint (x->sender, ==, y->sender);
    }
}

/* The same kind of program, choosing receivers with
 * janus_agent_send_random. */
static JanusLive
random_trace_live (StepAgent *self)
{
  Fixture *f = self->fixture;
  JanusAgent *agent = JANUS_AGENT (self);
  const JanusAddress *all[N_TRACE_AGENTS];
  JanusMessage *m;
  guint i;

  for (i = 0; i < N_TRACE_AGENTS; i++)
    all[i] = agent_address (f, i);
  trace_add (f, self->index, -1, 0);
  if (self->turns == 1 && self->index < 4)
    janus_agent_send_random (agent, all, N_TRACE_AGENTS,
                             janus_message_new_int64 ("hop", self->index * 100), NULL, NULL);
  while ((m = janus_agent_get_message (agent)) != NULL)
    {
      gint64 v = 0;

      janus_message_get_int64 (m, &v);
      trace_add (f, self->index, v, janus_address_get_id (janus_message_get_sender (m)));
      if (v % 100 < 30)
        janus_agent_send_random (agent, all, N_TRACE_AGENTS,
                                 janus_message_new_int64 ("hop", v + 1), NULL, NULL);
      janus_message_unref (m);
    }
  return JANUS_LIVE_WAIT;
}

typedef struct
{
  gboolean set_seed;
  guint64  seed;
} SeedCase;

static GArray *
run_random_program (const SeedCase *c)
{
  JanusKernel *kernel = janus_kernel_new (0);
  Fixture f;
  GArray *trace;
  guint i;

  fixture_init (&f);
  if (c->set_seed)
    {
      janus_kernel_set_seed (kernel, c->seed);
      g_assert_cmpuint (janus_kernel_get_seed (kernel), ==, c->seed);
    }
  for (i = 0; i < N_TRACE_AGENTS; i++)
    step_agent_new (&f, random_trace_live);
  for (i = 0; i < N_TRACE_AGENTS; i++)
    launch_ok (kernel, fixture_agent (&f, i), NULL, NULL);
  do
    f.step++;
  while (janus_kernel_step (kernel) && f.step < 10000);
  g_assert_cmpuint (f.step, <, 10000);

  finish (kernel, NULL);
  trace = g_array_ref (f.trace);
  fixture_clear (&f);
  return trace;
}

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

      if (x->agent != y->agent || x->step != y->step
          || x->value != y->value || x->sender != y->sender)
        return FALSE;
    }
  return TRUE;
}

/* Step mode is deterministic for a program that uses send_random too: two
 * runs on fresh kernels with the same seed (or both unseeded) make the same
 * choices. */
static void
test_step_deterministic_send_random (gconstpointer data)
{
  g_autoptr(GArray) a = run_random_program (data);
  g_autoptr(GArray) b = run_random_program (data);

  g_assert_cmpuint (a->len, >, 100);
  g_assert_true (traces_equal (a, b));
}

/* ... and the seed is what decides: another seed, other choices. */
static void
test_step_seed_changes_choices (void)
{
  static const SeedCase seven = { TRUE, 7 }, eight = { TRUE, 8 };
  g_autoptr(GArray) a = run_random_program (&seven);
  g_autoptr(GArray) b = run_random_program (&eight);

  g_assert_false (traces_equal (a, b));
}

/* ------------------------------------------------------ step semantics */

/* Takes its messages: "send-to" n sends "hello" to agent n, "launch"
 * launches the fixture's spawn agent; returns self->result. */
static JanusLive
scripted_live (StepAgent *self)
{
  Fixture *f = self->fixture;
  JanusAgent *agent = JANUS_AGENT (self);
  JanusMessage *m;

  while ((m = janus_agent_get_message (agent)) != NULL)
    {
      gint64 n = 0;

      self->received++;
      if (janus_message_has_subject (m, "send-to") && janus_message_get_int64 (m, &n))
        janus_agent_send (agent, agent_address (f, (guint) n),
                          janus_message_new ("hello", NULL), NULL);
      else if (janus_message_has_subject (m, "launch"))
        {
          if (!janus_kernel_launch_light_agent (janus_agent_get_kernel (agent),
                                                JANUS_AGENT (f->spawn), NULL, NULL, NULL))
            self->errors++;
        }
      janus_message_unref (m);
    }
  return self->result;
}

/* Every runnable agent has exactly one turn per step; a first step goes in
 * launch order; agents that ask for AGAIN keep that order. */
static void
test_step_one_turn_each (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  static const guint launch_order[] = { 3, 1, 4, 0, 2 };
  Fixture f;
  guint i, s;

  fixture_init (&f);
  for (i = 0; i < G_N_ELEMENTS (launch_order); i++)
    step_agent_new (&f, scripted_live)->result = JANUS_LIVE_AGAIN;
  for (i = 0; i < G_N_ELEMENTS (launch_order); i++)
    launch_ok (kernel, fixture_agent (&f, launch_order[i]), NULL, NULL);
  /* addresses are given in launch order */
  for (i = 0; i < G_N_ELEMENTS (launch_order); i++)
    g_assert_cmpuint (janus_address_get_id (agent_address (&f, launch_order[i])), ==, i);

  for (s = 1; s <= 4; s++)
    {
      g_assert_true (step_expect (kernel, &f, launch_order, G_N_ELEMENTS (launch_order)));
      for (i = 0; i < G_N_ELEMENTS (launch_order); i++)
        g_assert_cmpint (fixture_agent (&f, i)->turns, ==, s);
    }

  finish (kernel, NULL);
  fixture_clear (&f);
}

/* janus_kernel_step returns FALSE when nothing is runnable: empty kernel,
 * all agents waiting, the last agent done; TRUE while one asks AGAIN. */
static void
test_step_returns_false_when_idle (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  static const guint first[] = { 0, 1 };
  static const guint second[] = { 1 };
  Fixture f;
  StepAgent *waiter, *again;

  fixture_init (&f);
  g_assert_false (janus_kernel_step (kernel));

  waiter = step_agent_new (&f, scripted_live);
  again = step_agent_new (&f, scripted_live);
  again->result = JANUS_LIVE_AGAIN;
  launch_ok (kernel, waiter, NULL, NULL);
  g_assert_false (step_expect (kernel, &f, first, 1));
  g_assert_false (janus_kernel_step (kernel));
  g_assert_cmpint (waiter->turns, ==, 1);

  launch_ok (kernel, again, NULL, NULL);
  g_assert_true (step_expect (kernel, &f, second, 1));
  g_assert_true (step_expect (kernel, &f, second, 1));
  again->result = JANUS_LIVE_DONE;
  g_assert_false (step_expect (kernel, &f, second, 1));
  g_assert_cmpint (janus_agent_get_state (JANUS_AGENT (again)), ==, JANUS_AGENT_STATE_DIED);
  g_assert_cmpint (again->end_count, ==, 1);
  g_assert_false (janus_kernel_step (kernel));
  g_assert_cmpint (waiter->turns, ==, 1);

  finish (kernel, NULL);
  fixture_clear (&f);
}

/* Agents woken from outside run at the next step in the order their
 * messages came; one turn however many messages. */
static void
test_step_runnable_order (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  static const guint all[] = { 0, 1, 2, 3, 4 };
  static const guint woken[] = { 2, 0, 4 };
  static const guint woken2[] = { 1, 3 };
  Fixture f;
  guint i;

  fixture_init (&f);
  for (i = 0; i < 5; i++)
    launch_ok (kernel, step_agent_new (&f, scripted_live), NULL, NULL);
  g_assert_false (step_expect (kernel, &f, all, 5));

  kernel_send_ok (kernel, agent_address (&f, 2), janus_message_new ("x", NULL));
  kernel_send_ok (kernel, agent_address (&f, 0), janus_message_new ("x", NULL));
  kernel_send_ok (kernel, agent_address (&f, 4), janus_message_new ("x", NULL));
  g_assert_false (step_expect (kernel, &f, woken, 3));

  kernel_send_ok (kernel, agent_address (&f, 1), janus_message_new ("x", NULL));
  kernel_send_ok (kernel, agent_address (&f, 3), janus_message_new ("x", NULL));
  kernel_send_ok (kernel, agent_address (&f, 1), janus_message_new ("x", NULL));
  g_assert_false (step_expect (kernel, &f, woken2, 2));
  g_assert_cmpint (fixture_agent (&f, 1)->received, ==, 2);
  g_assert_cmpint (fixture_agent (&f, 1)->turns, ==, 2);
  g_assert_cmpint (fixture_agent (&f, 3)->received, ==, 1);

  finish (kernel, NULL);
  fixture_clear (&f);
}

/* What becomes runnable during a step (a message to an agent that already
 * had its turn or to one later in the order, an agent launched by another)
 * runs at the next step, in the order it became runnable. */
static void
test_step_made_runnable_runs_next (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  static const guint all[] = { 0, 1, 2 };
  static const guint one[] = { 1 };
  static const guint next[] = { 0, 2, 3 };
  Fixture f;
  guint i;

  fixture_init (&f);
  for (i = 0; i < 3; i++)
    launch_ok (kernel, step_agent_new (&f, scripted_live), NULL, NULL);
  f.spawn = g_object_ref (step_agent_new (&f, scripted_live));
  g_assert_false (step_expect (kernel, &f, all, 3));

  kernel_send_ok (kernel, agent_address (&f, 1), janus_message_new_int64 ("send-to", 0));
  kernel_send_ok (kernel, agent_address (&f, 1), janus_message_new_int64 ("send-to", 2));
  kernel_send_ok (kernel, agent_address (&f, 1), janus_message_new ("launch", NULL));
  g_assert_true (step_expect (kernel, &f, one, 1));
  g_assert_cmpint (fixture_agent (&f, 1)->errors, ==, 0);
  g_assert_cmpint (fixture_agent (&f, 0)->received, ==, 0);
  g_assert_cmpint (fixture_agent (&f, 2)->received, ==, 0);
  g_assert_cmpint (f.spawn->turns, ==, 0);

  g_assert_false (step_expect (kernel, &f, next, 3));
  g_assert_cmpint (fixture_agent (&f, 0)->received, ==, 1);
  g_assert_cmpint (fixture_agent (&f, 2)->received, ==, 1);
  g_assert_cmpint (f.spawn->turns, ==, 1);

  finish (kernel, NULL);
  fixture_clear (&f);
}

/* An agent that returns AGAIN goes to the back of the run queue: behind
 * what it woke during its turn, ahead of what is woken after it. */
static void
test_step_again_goes_to_back (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  static const guint all[] = { 0, 1, 2 };
  static const guint x[] = { 1 };
  static const guint z_x[] = { 0, 1 };
  static const guint x_y[] = { 1, 2 };
  Fixture f;
  StepAgent *again;

  fixture_init (&f);
  launch_ok (kernel, step_agent_new (&f, scripted_live), NULL, NULL);          /* z, 0 */
  again = step_agent_new (&f, scripted_live);                   /* x, 1 */
  again->result = JANUS_LIVE_AGAIN;
  launch_ok (kernel, again, NULL, NULL);
  launch_ok (kernel, step_agent_new (&f, scripted_live), NULL, NULL);          /* y, 2 */

  g_assert_true (step_expect (kernel, &f, all, 3));
  kernel_send_ok (kernel, agent_address (&f, 1), janus_message_new_int64 ("send-to", 0));
  g_assert_true (step_expect (kernel, &f, x, 1));
  g_assert_true (step_expect (kernel, &f, z_x, 2));
  kernel_send_ok (kernel, agent_address (&f, 2), janus_message_new ("x", NULL));
  g_assert_true (step_expect (kernel, &f, x_y, 2));
  g_assert_true (step_expect (kernel, &f, x, 1));

  finish (kernel, NULL);
  fixture_clear (&f);
}

/* --------------------------------------------------- run on this thread */

#define N_RING 10

/* Passes a token round the ring; at 100 hops tells everybody to stop. */
static JanusLive
ring_live (StepAgent *self)
{
  Fixture *f = self->fixture;
  JanusAgent *agent = JANUS_AGENT (self);
  JanusMessage *m;

  if (g_thread_self () != f->main_thread)
    f->wrong_thread = TRUE;
  if (self->turns == 1 && self->index == 0)
    janus_agent_send (agent, agent_address (f, 1), janus_message_new_int64 ("token", 1), NULL);
  while ((m = janus_agent_get_message (agent)) != NULL)
    {
      gint64 n = 0;
      guint i;

      self->received++;
      if (janus_message_has_subject (m, "stop"))
        {
          janus_message_unref (m);
          return JANUS_LIVE_DONE;
        }
      janus_message_get_int64 (m, &n);
      self->counter = n;
      janus_message_unref (m);
      if (n < 100)
        {
          janus_agent_send (agent, agent_address (f, (self->index + 1) % N_RING),
                            janus_message_new_int64 ("token", n + 1), NULL);
          continue;
        }
      for (i = 0; i < N_RING; i++)
        if (i != self->index)
          janus_agent_send (agent, agent_address (f, i), janus_message_new ("stop", NULL), NULL);
      return JANUS_LIVE_DONE;
    }
  return JANUS_LIVE_WAIT;
}

static void
on_state_thread (JanusAgent *agent,
                 GParamSpec *pspec,
                 Fixture    *f)
{
  if (g_thread_self () != f->main_thread)
    f->wrong_thread = TRUE;
}

static void
launch_ring (JanusKernel *kernel,
             Fixture     *f)
{
  guint i;

  for (i = 0; i < N_RING; i++)
    {
      StepAgent *a = step_agent_new (f, ring_live);
      g_signal_connect (a, "notify::state", G_CALLBACK (on_state_thread), f);
    }
  for (i = 0; i < N_RING; i++)
    launch_ok (kernel, fixture_agent (f, i), NULL, NULL);
}

static void
assert_ring_done (Fixture *f)
{
  guint i;

  g_assert_false (f->wrong_thread);
  for (i = 0; i < N_RING; i++)
    {
      StepAgent *a = fixture_agent (f, i);

      g_assert_cmpint (janus_agent_get_state (JANUS_AGENT (a)), ==, JANUS_AGENT_STATE_DIED);
      g_assert_cmpint (a->end_count, ==, 1);
      g_assert_true (a->threads[0] == f->main_thread);
      g_assert_true (a->threads[1] == f->main_thread);
      g_assert_true (a->threads[2] == f->main_thread);
      g_assert_false (a->thread_changed);
      g_signal_handlers_disconnect_by_data (a, f);
    }
  /* the token made 100 hops: the agent that got it last holds 100 */
  g_assert_cmpint (fixture_agent (f, 100 % N_RING)->counter, ==, 100);
}

/* janus_kernel_run on a kernel without workers runs every agent's activate,
 * live and end (and their notify::state) on the calling thread. */
static void
test_step_run_on_calling_thread (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  Fixture f;

  fixture_init (&f);
  launch_ring (kernel, &f);
  janus_kernel_run (kernel);
  g_assert_cmpuint (janus_kernel_get_agent_count (kernel), ==, 0);
  assert_ring_done (&f);

  finish (kernel, NULL);
  fixture_clear (&f);
}

/* ------------------------------------------------- keep-alive and quit */

static JanusLive
quitter_live (StepAgent *self)
{
  janus_kernel_quit (janus_agent_get_kernel (JANUS_AGENT (self)));
  return JANUS_LIVE_WAIT;
}

typedef struct
{
  JanusKernel *kernel;
  StepAgent   *late;
  gboolean     saw_empty;
} LateLaunch;

/* Waits until the kernel has no agent left, then launches one. */
static gpointer
late_launch_thread (gpointer data)
{
  LateLaunch *ll = data;
  gint64 deadline = g_get_monotonic_time () + DEADLINE_USEC;

  while (janus_kernel_get_agent_count (ll->kernel) > 0 && g_get_monotonic_time () < deadline)
    g_thread_yield ();
  ll->saw_empty = janus_kernel_get_agent_count (ll->kernel) == 0;
  janus_kernel_launch_light_agent (ll->kernel, JANUS_AGENT (ll->late), NULL, NULL, NULL);
  return NULL;
}

/* With keep-alive, janus_kernel_run goes on when no agent is left (an agent
 * launched later still runs) and returns when an agent calls
 * janus_kernel_quit, which kills nobody. Without it, run returns when the
 * last agent died. */
static void
test_step_keep_alive_quit (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  LateLaunch ll = { 0 };
  Fixture f;
  StepAgent *first, *late;
  GThread *thread;

  fixture_init (&f);
  janus_kernel_set_keep_alive (kernel, TRUE);
  g_assert_true (janus_kernel_get_keep_alive (kernel));
  first = step_agent_new (&f, scripted_live);
  first->result = JANUS_LIVE_DONE;
  late = step_agent_new (&f, quitter_live);
  launch_ok (kernel, first, NULL, NULL);

  ll.kernel = kernel;
  ll.late = late;
  thread = g_thread_new ("late-launch", late_launch_thread, &ll);
  janus_kernel_run (kernel);
  g_thread_join (thread);

  g_assert_true (ll.saw_empty);
  g_assert_cmpint (janus_agent_get_state (JANUS_AGENT (first)), ==, JANUS_AGENT_STATE_DIED);
  g_assert_cmpint (late->turns, >=, 1);
  g_assert_true (janus_agent_is_alive (JANUS_AGENT (late)));
  g_assert_cmpuint (janus_kernel_get_agent_count (kernel), ==, 1);

  /* quit was one-shot; without keep-alive run ends with the last agent */
  janus_kernel_set_keep_alive (kernel, FALSE);
  late->live_func = scripted_live;
  late->result = JANUS_LIVE_DONE;
  kernel_send_ok (kernel, agent_address (&f, 1), janus_message_new ("x", NULL));
  janus_kernel_run (kernel);
  g_assert_cmpint (janus_agent_get_state (JANUS_AGENT (late)), ==, JANUS_AGENT_STATE_DIED);
  g_assert_cmpint (late->received, ==, 1);
  g_assert_cmpuint (janus_kernel_get_agent_count (kernel), ==, 0);

  finish (kernel, NULL);
  fixture_clear (&f);
}

/* ------------------------------------------------------- GMainContext */

/* The test's deadline: fails the test, stops its main loop if any. */
static gboolean
on_timeout (gpointer data)
{
  Fixture *f = data;

  f->timed_out = TRUE;
  if (f->loop != NULL)
    g_main_loop_quit (f->loop);
  return G_SOURCE_REMOVE;
}

/* The kernel's source runs the agents inside g_main_context_iteration on
 * the context's thread. */
static void
test_step_main_context_iteration (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  GMainContext *context = g_main_context_new ();
  GSource *source, *timeout;
  Fixture f;

  fixture_init (&f);
  source = janus_kernel_create_source (kernel);
  g_source_attach (source, context);
  timeout = g_timeout_source_new (DEADLINE_MSEC);
  g_source_set_callback (timeout, on_timeout, &f, NULL);
  g_source_attach (timeout, context);

  launch_ring (kernel, &f);
  while (janus_kernel_get_agent_count (kernel) > 0 && !f.timed_out)
    g_main_context_iteration (context, TRUE);

  g_assert_false (f.timed_out);
  assert_ring_done (&f);

  g_source_destroy (timeout);
  g_source_unref (timeout);
  g_source_destroy (source);
  g_source_unref (source);
  g_main_context_unref (context);
  finish (kernel, NULL);
  fixture_clear (&f);
}

typedef struct
{
  JanusKernel        *kernel;
  Fixture            *f;
  const JanusAddress *to;
  gint64              n;
  gint64              sent;
} Sender;

/* Sends n messages, each once the previous one was taken. */
static gpointer
sender_thread (gpointer data)
{
  Sender *s = data;
  gint64 i;

  for (i = 0; i < s->n; i++)
    {
      if (!test_wait_count (&s->f->lock, &s->f->cond, &s->f->acked, (int) i))
        break;
      if (!janus_kernel_send (s->kernel, s->to, janus_message_new_int64 ("n", i), NULL))
        break;
      s->sent++;
    }
  return NULL;
}

/* Counts messages, acknowledges each, quits the main loop at the last. */
static JanusLive
context_receiver_live (StepAgent *self)
{
  Fixture *f = self->fixture;
  JanusMessage *m;

  if (g_thread_self () != f->main_thread)
    f->wrong_thread = TRUE;
  while ((m = janus_agent_get_message (JANUS_AGENT (self))) != NULL)
    {
      gint64 v = -1;

      if (!janus_message_get_int64 (m, &v) || v != self->received)
        self->errors++;
      if (!janus_address_equal (janus_message_get_sender (m),
                                janus_kernel_get_address (janus_agent_get_kernel (JANUS_AGENT (self)))))
        self->errors++;
      self->received++;
      janus_message_unref (m);
      test_bump (&f->lock, &f->cond, &f->acked);
    }
  if (self->received == f->expect)
    g_main_loop_quit (f->loop);
  return JANUS_LIVE_WAIT;
}

/* Messages sent with janus_kernel_send from another thread wake the
 * context a GMainLoop runs, and the agent gets them there. */
static void
test_step_main_context_thread_send (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  GMainContext *context = g_main_context_new ();
  GSource *source, *timeout;
  Sender s = { 0 };
  GThread *thread;
  StepAgent *receiver;
  Fixture f;

  fixture_init (&f);
  f.expect = test_small () ? 50 : 300;
  f.loop = g_main_loop_new (context, FALSE);
  source = janus_kernel_create_source (kernel);
  g_source_attach (source, context);
  timeout = g_timeout_source_new (DEADLINE_MSEC);
  g_source_set_callback (timeout, on_timeout, &f, NULL);
  g_source_attach (timeout, context);

  receiver = step_agent_new (&f, context_receiver_live);
  launch_ok (kernel, receiver, NULL, NULL);
  s.kernel = kernel;
  s.f = &f;
  s.to = janus_agent_get_address (JANUS_AGENT (receiver));
  s.n = f.expect;
  thread = g_thread_new ("sender", sender_thread, &s);

  while (!f.timed_out && receiver->received < f.expect)
    g_main_loop_run (f.loop);
  g_thread_join (thread);

  g_assert_false (f.timed_out);
  g_assert_false (f.wrong_thread);
  g_assert_cmpint (s.sent, ==, f.expect);
  g_assert_cmpint (receiver->received, ==, f.expect);
  g_assert_cmpint (receiver->errors, ==, 0);

  g_source_destroy (timeout);
  g_source_unref (timeout);
  g_source_destroy (source);
  g_source_unref (source);
  g_main_loop_unref (f.loop);
  g_main_context_unref (context);
  finish (kernel, NULL);
  fixture_clear (&f);
}

/* ------------------------------------------- one driver at a time only */

static JanusLive
blocker_live (StepAgent *self)
{
  Fixture *f = self->fixture;

  test_bump (&f->lock, &f->cond, &f->entered);
  if (!test_wait_count (&f->lock, &f->cond, &f->go, 1))
    self->errors++;
  return JANUS_LIVE_DONE;
}

typedef struct
{
  JanusKernel *kernel;
  Fixture     *f;
  gboolean     use_run;
  gboolean     result;
} SecondDriver;

static gpointer
second_driver_thread (gpointer data)
{
  SecondDriver *d = data;

  if (test_wait_count (&d->f->lock, &d->f->cond, &d->f->entered, 1))
    {
      if (d->use_run)
        janus_kernel_run (d->kernel);
      else
        d->result = janus_kernel_step (d->kernel);
    }
  test_bump (&d->f->lock, &d->f->cond, &d->f->go);
  return NULL;
}

static gboolean
driven_twice_not_fatal (const char     *log_domain,
                        GLogLevelFlags  log_level,
                        const char     *message,
                        gpointer        user_data)
{
  return !(log_level & G_LOG_LEVEL_CRITICAL) || strstr (message, "already driven") == NULL;
}

/* While one thread drives a kernel without workers (here run), another
 * thread's step or run is refused with a critical and changes nothing. */
static void
test_step_driven_twice (gconstpointer data)
{
  gboolean use_run = GPOINTER_TO_INT (data);

  if (g_test_subprocess ())
    {
      JanusKernel *kernel = janus_kernel_new (0);
      SecondDriver d = { 0 };
      StepAgent *blocker;
      GThread *thread;
      Fixture f;

      g_test_log_set_fatal_handler (driven_twice_not_fatal, NULL);
      fixture_init (&f);
      blocker = step_agent_new (&f, blocker_live);
      launch_ok (kernel, blocker, NULL, NULL);
      d.kernel = kernel;
      d.f = &f;
      d.use_run = use_run;
      d.result = TRUE;
      thread = g_thread_new ("second-driver", second_driver_thread, &d);
      janus_kernel_run (kernel);
      g_thread_join (thread);

      g_assert_cmpint (blocker->errors, ==, 0);
      g_assert_cmpint (blocker->turns, ==, 1);
      g_assert_cmpint (blocker->end_count, ==, 1);
      g_assert_cmpint (janus_agent_get_state (JANUS_AGENT (blocker)), ==, JANUS_AGENT_STATE_DIED);
      if (!use_run)
        g_assert_false (d.result);
      finish (kernel, NULL);
      fixture_clear (&f);
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr ("*CRITICAL*already driven by another thread*");
}

/* ------------------------------------------------------------------ main */

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  static const SeedCase unseeded = { FALSE, 0 }, seeded = { TRUE, 0x5eed };

  g_test_add_func ("/step/deterministic/trace", test_step_deterministic);
  g_test_add_data_func ("/step/deterministic/send-random-unseeded", &unseeded,
                        test_step_deterministic_send_random);
  g_test_add_data_func ("/step/deterministic/send-random-seeded", &seeded,
                        test_step_deterministic_send_random);
  g_test_add_func ("/step/deterministic/seed-changes-choices", test_step_seed_changes_choices);
  g_test_add_func ("/step/step/one-turn-each", test_step_one_turn_each);
  g_test_add_func ("/step/step/returns-false-when-idle", test_step_returns_false_when_idle);
  g_test_add_func ("/step/step/runnable-order", test_step_runnable_order);
  g_test_add_func ("/step/step/made-runnable-runs-next", test_step_made_runnable_runs_next);
  g_test_add_func ("/step/step/again-goes-to-back", test_step_again_goes_to_back);
  g_test_add_func ("/step/run/calling-thread", test_step_run_on_calling_thread);
  g_test_add_func ("/step/run/keep-alive-quit", test_step_keep_alive_quit);
  g_test_add_func ("/step/main-context/iteration", test_step_main_context_iteration);
  g_test_add_func ("/step/main-context/thread-send", test_step_main_context_thread_send);
  g_test_add_data_func ("/step/driver/twice-step", GINT_TO_POINTER (FALSE), test_step_driven_twice);
  g_test_add_data_func ("/step/driver/twice-run", GINT_TO_POINTER (TRUE), test_step_driven_twice);

  return g_test_run ();
}
