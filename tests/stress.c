/* SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Bounded stress tests on kernels with workers (suite "slow"): many
 * producers to one consumer, agents dying with messages in flight,
 * kill_all under load, launch/kill churn, and janus_kernel_send from
 * threads that are not workers.
 *
 * JANUS_TEST_SMALL=1 (valgrind, sanitizers) divides the sizes by 10.
 * Waits are on real events with generous deadlines that fail the test.
 */
#include <stdatomic.h>
#include <string.h>

#include "janus-test-utils.h"

/* the sizes here take longer than the usual DEADLINE_USEC */
#define STRESS_DEADLINE_USEC (60 * G_USEC_PER_SEC)

static guint
scaled (guint n)
{
  if (test_small ())
    return MAX (n / 10, 1);
  return n;
}

/* ------------------------------------------------------------- fixture */

typedef struct
{
  GMutex      lock;
  GCond       cond;
  atomic_int  producers_done;
  atomic_int  progress;
  atomic_llong sent;
  atomic_llong received;
  atomic_llong dead_signalled;
  atomic_llong self_killed;
  atomic_llong ends;
  atomic_int  errors;
  gint64      threshold;        /* forwards before the test goes on */
  GPtrArray  *agents;           /* StressAgent, by index */
  GHashTable *threads;          /* threads producers ran on; under lock */
} Fixture;

static void
fixture_init (Fixture *f)
{
  memset (f, 0, sizeof *f);
  g_mutex_init (&f->lock);
  g_cond_init (&f->cond);
  f->agents = g_ptr_array_new_with_free_func (g_object_unref);
  f->threads = g_hash_table_new (NULL, NULL);
}

static void
fixture_clear (Fixture *f)
{
  g_ptr_array_unref (f->agents);
  g_hash_table_unref (f->threads);
  g_mutex_clear (&f->lock);
  g_cond_clear (&f->cond);
}

static void
on_dead_letter (JanusKernel  *kernel,
                JanusMessage *message,
                Fixture      *f)
{
  atomic_fetch_add (&f->dead_signalled, 1);
}

/* ----------------------------------------------------------- the agent */

/* Finalized agents, counted process-wide: the kernel may let its last
 * reference go after the test's fixture is gone. */
static atomic_llong finalized;
static atomic_llong finalized_tiny;

#define STRESS_TYPE_AGENT (stress_agent_get_type ())
G_DECLARE_FINAL_TYPE (StressAgent, stress_agent, STRESS, AGENT, JanusAgent)

typedef JanusLive (*StressLiveFunc) (StressAgent *self);

struct _StressAgent
{
  JanusAgent      parent_instance;
  Fixture        *fixture;
  StressLiveFunc  live_func;
  guint           index;
  gboolean        tiny;
  gint64          quota;        /* to send, or to take before dying */
  gint64          sent;
  gint64          received;
  gint64         *next_seq;     /* consumer: per producer */
  guint           n_seq;
  StressAgent    *next;         /* borrowed */
  atomic_int      end_count;
};

G_DEFINE_FINAL_TYPE (StressAgent, stress_agent, JANUS_TYPE_AGENT)

static JanusLive
stress_agent_live (JanusAgent *agent)
{
  StressAgent *self = STRESS_AGENT (agent);

  if (self->live_func == NULL)
    return JANUS_LIVE_WAIT;
  return self->live_func (self);
}

static void
stress_agent_end (JanusAgent *agent)
{
  StressAgent *self = STRESS_AGENT (agent);

  atomic_fetch_add (&self->end_count, 1);
  if (self->fixture != NULL)
    atomic_fetch_add (&self->fixture->ends, 1);
}

static void
stress_agent_finalize (GObject *object)
{
  StressAgent *self = STRESS_AGENT (object);

  g_free (self->next_seq);
  atomic_fetch_add (self->tiny ? &finalized_tiny : &finalized, 1);
  G_OBJECT_CLASS (stress_agent_parent_class)->finalize (object);
}

static void
stress_agent_class_init (StressAgentClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = stress_agent_finalize;
  JANUS_AGENT_CLASS (klass)->live = stress_agent_live;
  JANUS_AGENT_CLASS (klass)->end = stress_agent_end;
}

static void
stress_agent_init (StressAgent *self)
{
}

/* Agent number f->agents->len, kept by the fixture. */
static StressAgent *
stress_agent_new (Fixture        *f,
                  StressLiveFunc  live_func)
{
  StressAgent *self = g_object_new (STRESS_TYPE_AGENT, NULL);

  self->fixture = f;
  self->live_func = live_func;
  self->index = f->agents->len;
  g_ptr_array_add (f->agents, self);
  return self;
}

static StressAgent *
fixture_agent (Fixture *f,
               guint    index)
{
  return f->agents->pdata[index];
}

static void
assert_all_died_once (Fixture *f)
{
  guint i;

  for (i = 0; i < f->agents->len; i++)
    {
      StressAgent *a = fixture_agent (f, i);

      g_assert_cmpint (janus_agent_get_state (JANUS_AGENT (a)), ==, JANUS_AGENT_STATE_DIED);
      g_assert_cmpint (atomic_load (&a->end_count), ==, 1);
    }
}

#define BATCH 500

/* --------------------------------------- many producers, one consumer */

#define N_PRODUCERS 8

static JanusLive
producer_live (StressAgent *self)
{
  JanusAgent *agent = JANUS_AGENT (self);
  const JanusAddress *to = janus_agent_get_address (JANUS_AGENT (self->next));
  gint64 stop = MIN (self->sent + BATCH, self->quota);

  g_mutex_lock (&self->fixture->lock);
  g_hash_table_add (self->fixture->threads, g_thread_self ());
  g_mutex_unlock (&self->fixture->lock);
  for (; self->sent < stop; self->sent++)
    janus_agent_send (agent, to,
                      janus_message_new_int64 ("seq", (gint64) self->index << 32 | self->sent),
                      NULL);
  return self->sent < self->quota ? JANUS_LIVE_AGAIN : JANUS_LIVE_DONE;
}

/* Checks each producer's sequence: no gap, no duplicate, in order. */
static JanusLive
consumer_live (StressAgent *self)
{
  Fixture *f = self->fixture;
  JanusMessage *m;

  while ((m = janus_agent_get_message (JANUS_AGENT (self))) != NULL)
    {
      gint64 v = -1;
      guint p;

      janus_message_get_int64 (m, &v);
      p = (guint) (v >> 32);
      if (p < 1 || p > self->n_seq
          || (v & 0xffffffff) != self->next_seq[p - 1]
          || !janus_address_equal (janus_message_get_sender (m),
                                   janus_agent_get_address (JANUS_AGENT (fixture_agent (f, p)))))
        atomic_fetch_add (&f->errors, 1);
      else
        self->next_seq[p - 1]++;
      self->received++;
      janus_message_unref (m);
    }
  return self->received < self->quota ? JANUS_LIVE_WAIT : JANUS_LIVE_DONE;
}

/* 8 producers on a 2-worker kernel send to one consumer: every message
 * arrives exactly once and each producer's messages in order. */
static void
test_stress_many_to_one (void)
{
  guint per_producer = scaled (50000);
  JanusKernel *kernel = janus_kernel_new (2);
  StressAgent *consumer;
  Fixture f;
  guint i;

  fixture_init (&f);
  consumer = stress_agent_new (&f, consumer_live);
  consumer->quota = (gint64) per_producer * N_PRODUCERS;
  consumer->n_seq = N_PRODUCERS;
  consumer->next_seq = g_new0 (gint64, N_PRODUCERS);
  for (i = 1; i <= N_PRODUCERS; i++)
    {
      StressAgent *p = stress_agent_new (&f, producer_live);
      p->quota = per_producer;
      p->next = consumer;
    }
  for (i = 0; i < f.agents->len; i++)
    launch_ok (kernel, fixture_agent (&f, i), NULL, NULL);
  janus_kernel_run (kernel);

  g_assert_cmpint (atomic_load (&f.errors), ==, 0);
  g_assert_cmpint (consumer->received, ==, (gint64) per_producer * N_PRODUCERS);
  for (i = 0; i < N_PRODUCERS; i++)
    g_assert_cmpint (consumer->next_seq[i], ==, per_producer);
  /* which worker runs what is the scheduler's choice: reported only */
  g_test_message ("producers ran on %u worker thread(s)", g_hash_table_size (f.threads));
  g_assert_false (g_hash_table_contains (f.threads, g_thread_self ()));
  g_assert_cmpuint (janus_kernel_get_dead_letter_count (kernel), ==, 0);
  assert_all_died_once (&f);

  finish (kernel, NULL);
  fixture_clear (&f);
}

/* ------------------------------------------ victims dying under fire */

#define N_VICTIMS   100
#define N_SHOOTERS  4

static JanusLive
shooter_live (StressAgent *self)
{
  Fixture *f = self->fixture;
  JanusAgent *agent = JANUS_AGENT (self);
  gint64 stop = MIN (self->sent + BATCH, self->quota);

  for (; self->sent < stop; self->sent++)
    {
      gint64 n = self->sent;
      guint victim = (guint) ((n * 7 + self->index * 13 + n / 100) % N_VICTIMS);

      janus_agent_send (agent, janus_agent_get_address (JANUS_AGENT (fixture_agent (f, victim))),
                        janus_message_new_int64 ("shot", n), NULL);
      atomic_fetch_add (&f->sent, 1);
    }
  return self->sent < self->quota ? JANUS_LIVE_AGAIN : JANUS_LIVE_DONE;
}

static void
shooter_end (Fixture *f)
{
  test_bump (&f->lock, &f->cond, &f->producers_done);
}

static JanusLive
shooter_live_or_done (StressAgent *self)
{
  JanusLive r = shooter_live (self);

  if (r == JANUS_LIVE_DONE)
    shooter_end (self->fixture);
  return r;
}

/* Takes messages until its quota, then kills itself: what is left in its
 * mailbox, and whatever comes later, is dead letters. */
static JanusLive
victim_live (StressAgent *self)
{
  Fixture *f = self->fixture;
  JanusMessage *m;

  while ((m = janus_agent_get_message (JANUS_AGENT (self))) != NULL)
    {
      janus_message_unref (m);
      self->received++;
      atomic_fetch_add (&f->received, 1);
      if (self->received == self->quota)
        {
          atomic_fetch_add (&f->self_killed, 1);
          janus_agent_kill_me (JANUS_AGENT (self));
          break;
        }
    }
  return JANUS_LIVE_WAIT;
}

/* Producers keep sending to victims that kill themselves after a random
 * (fixed seed) number of messages: every message sent is either received
 * or a dead letter, exactly, and the signal reports each dead letter once. */
static void
test_stress_victims (void)
{
  guint per_shooter = scaled (25000);
  gint64 average = (gint64) per_shooter * N_SHOOTERS / N_VICTIMS;
  JanusKernel *kernel = janus_kernel_new (2);
  g_autoptr(GRand) rand = g_rand_new_with_seed (4242);
  gint64 received_sum = 0;
  Fixture f;
  guint i;

  fixture_init (&f);
  g_signal_connect (kernel, "dead-letter", G_CALLBACK (on_dead_letter), &f);
  for (i = 0; i < N_VICTIMS; i++)
    stress_agent_new (&f, victim_live)->quota = g_rand_int_range (rand, 1, (gint32) (2 * average));
  for (i = 0; i < N_SHOOTERS; i++)
    stress_agent_new (&f, shooter_live_or_done)->quota = per_shooter;
  for (i = 0; i < f.agents->len; i++)
    launch_ok (kernel, fixture_agent (&f, i), NULL, NULL);

  g_assert_true (test_wait_count_for (&f.lock, &f.cond, &f.producers_done, N_SHOOTERS, STRESS_DEADLINE_USEC));
  janus_kernel_kill_all (kernel);       /* the victims still standing */
  janus_kernel_run (kernel);

  assert_all_died_once (&f);
  for (i = 0; i < N_VICTIMS; i++)
    {
      StressAgent *v = fixture_agent (&f, i);
      g_assert_cmpint (v->received, <=, v->quota);
      received_sum += v->received;
    }
  g_assert_cmpint (received_sum, ==, atomic_load (&f.received));
  g_assert_cmpint (atomic_load (&f.sent), ==, (gint64) per_shooter * N_SHOOTERS);
  g_assert_cmpint (atomic_load (&f.self_killed), >, 0);
  g_assert_cmpint (atomic_load (&f.self_killed), <=, N_VICTIMS);
  g_test_message ("%lld of %d victims killed themselves; %" G_GUINT64_FORMAT " dead letters",
                  (long long) atomic_load (&f.self_killed), N_VICTIMS,
                  janus_kernel_get_dead_letter_count (kernel));
  g_assert_cmpint (atomic_load (&f.dead_signalled), ==,
                   (gint64) janus_kernel_get_dead_letter_count (kernel));
  g_assert_cmpint (atomic_load (&f.received) + atomic_load (&f.dead_signalled), ==,
                   atomic_load (&f.sent));

  g_signal_handlers_disconnect_by_data (kernel, &f);
  finish (kernel, NULL);
  fixture_clear (&f);
}

/* ------------------------------------------------- kill_all under load */

#define N_RINGS      10
#define RING_SIZE    100
#define TOKENS       5

static JanusLive
forwarder_live (StressAgent *self)
{
  Fixture *f = self->fixture;
  JanusAgent *agent = JANUS_AGENT (self);
  const JanusAddress *to = janus_agent_get_address (JANUS_AGENT (self->next));
  JanusMessage *m;

  while ((m = janus_agent_get_message (JANUS_AGENT (self))) != NULL)
    {
      gint64 n = 0;

      janus_message_get_int64 (m, &n);
      janus_message_unref (m);
      atomic_fetch_add (&f->received, 1);
      janus_agent_send (agent, to, janus_message_new_int64 ("token", n + 1), NULL);
      if (atomic_fetch_add (&f->sent, 1) + 1 == f->threshold)
        test_bump (&f->lock, &f->cond, &f->progress);
    }
  return JANUS_LIVE_WAIT;
}

/* 1000 agents forward tokens round 10 rings on 2 workers; kill_all in the
 * middle ends everything: run returns, every agent died and ended once,
 * and every message was received or became a dead letter. */
static void
test_stress_kill_all_under_load (void)
{
  JanusKernel *kernel = janus_kernel_new (2);
  gint64 seeds = 0;
  Fixture f;
  guint r, i, t;

  fixture_init (&f);
  f.threshold = scaled (200000);
  g_signal_connect (kernel, "dead-letter", G_CALLBACK (on_dead_letter), &f);
  for (i = 0; i < N_RINGS * RING_SIZE; i++)
    stress_agent_new (&f, forwarder_live);
  for (r = 0; r < N_RINGS; r++)
    for (i = 0; i < RING_SIZE; i++)
      fixture_agent (&f, r * RING_SIZE + i)->next =
        fixture_agent (&f, r * RING_SIZE + (i + 1) % RING_SIZE);
  for (i = 0; i < f.agents->len; i++)
    launch_ok (kernel, fixture_agent (&f, i), NULL, NULL);
  for (r = 0; r < N_RINGS; r++)
    for (t = 0; t < TOKENS; t++)
      {
        StressAgent *a = fixture_agent (&f, r * RING_SIZE + t * (RING_SIZE / TOKENS));
        g_assert_true (janus_kernel_send (kernel, janus_agent_get_address (JANUS_AGENT (a)),
                                          janus_message_new_int64 ("token", 0), NULL));
        seeds++;
      }

  g_assert_true (test_wait_count_for (&f.lock, &f.cond, &f.progress, 1, STRESS_DEADLINE_USEC));
  janus_kernel_kill_all (kernel);
  janus_kernel_run (kernel);

  g_assert_cmpuint (janus_kernel_get_agent_count (kernel), ==, 0);
  assert_all_died_once (&f);
  g_assert_cmpint (atomic_load (&f.ends), ==, N_RINGS * RING_SIZE);
  g_assert_cmpint (atomic_load (&f.dead_signalled), ==,
                   (gint64) janus_kernel_get_dead_letter_count (kernel));
  g_assert_cmpint (atomic_load (&f.received) + atomic_load (&f.dead_signalled), ==,
                   atomic_load (&f.sent) + seeds);

  g_signal_handlers_disconnect_by_data (kernel, &f);
  finish (kernel, NULL);
  fixture_clear (&f);
}

/* ------------------------------------------------------ spawn and kill */

static JanusLive
tiny_live (StressAgent *self)
{
  return JANUS_LIVE_DONE;
}

/* Rounds of launching agents (the kernel holds the only reference) and
 * killing them all: the agent count goes back to 0 each time, each end
 * runs once, and the agents are finalized while the kernel keeps going
 * (polled, bounded, with a tiny agent keeping the workers busy). */
static void
test_stress_spawn_kill_churn (void)
{
  guint rounds = 10, per_round = scaled (10000);
  JanusKernel *kernel = janus_kernel_new (2);
  gint64 base = atomic_load (&finalized), base_tiny = atomic_load (&finalized_tiny);
  gint64 tiny = 0;
  Fixture f;
  guint r, i;

  fixture_init (&f);
  for (r = 1; r <= rounds; r++)
    {
      gint64 deadline;

      for (i = 0; i < per_round; i++)
        {
          StressAgent *a = g_object_new (STRESS_TYPE_AGENT, NULL);
          a->fixture = &f;
          launch_ok (kernel, a, NULL, NULL);
          g_object_unref (a);
        }
      g_assert_cmpuint (janus_kernel_get_agent_count (kernel), ==, per_round);
      janus_kernel_kill_all (kernel);
      janus_kernel_run (kernel);
      g_assert_cmpuint (janus_kernel_get_agent_count (kernel), ==, 0);
      g_assert_cmpint (atomic_load (&f.ends), ==, (gint64) r * per_round + tiny);

      deadline = g_get_monotonic_time () + STRESS_DEADLINE_USEC;
      while (atomic_load (&finalized) - base < (gint64) r * per_round
             && g_get_monotonic_time () < deadline)
        {
          StressAgent *a = g_object_new (STRESS_TYPE_AGENT, NULL);
          a->fixture = &f;
          a->tiny = TRUE;
          a->live_func = tiny_live;
          launch_ok (kernel, a, NULL, NULL);
          g_object_unref (a);
          janus_kernel_run (kernel);
          tiny++;
        }
      g_assert_cmpint (atomic_load (&finalized) - base, ==, (gint64) r * per_round);
    }
  g_test_message ("%" G_GINT64_FORMAT " tiny agents to reclaim %u rounds", tiny, rounds);

  finish (kernel, NULL);
  g_assert_cmpint (atomic_load (&finalized) - base, ==, (gint64) rounds * per_round);
  g_assert_cmpint (atomic_load (&finalized_tiny) - base_tiny, ==, tiny);
  g_assert_cmpint (atomic_load (&f.ends), ==, (gint64) rounds * per_round + tiny);
  fixture_clear (&f);
}

/* -------------------------------------------- sends from plain threads */

#define N_THREADS   4
#define N_RECEIVERS 8

typedef struct
{
  JanusKernel *kernel;
  Fixture     *f;
  guint        index;
  gint64       n;
  gint64       sent;
} SendThread;

static gpointer
send_thread (gpointer data)
{
  SendThread *t = data;
  gint64 i;

  for (i = 0; i < t->n; i++)
    {
      StressAgent *to = fixture_agent (t->f, (guint) (i % N_RECEIVERS));
      if (janus_kernel_send (t->kernel, janus_agent_get_address (JANUS_AGENT (to)),
                             janus_message_new_int64 ("n", (gint64) t->index << 32 | i), NULL))
        t->sent++;
    }
  return NULL;
}

/* Per sending thread: the next number expected, i % N_RECEIVERS == index. */
static JanusLive
inject_receiver_live (StressAgent *self)
{
  Fixture *f = self->fixture;
  const JanusAddress *kernel_address =
    janus_kernel_get_address (janus_agent_get_kernel (JANUS_AGENT (self)));
  JanusMessage *m;

  while ((m = janus_agent_get_message (JANUS_AGENT (self))) != NULL)
    {
      gint64 v = -1;
      guint t;

      janus_message_get_int64 (m, &v);
      t = (guint) (v >> 32);
      if (t >= N_THREADS || (v & 0xffffffff) != self->next_seq[t]
          || !janus_address_equal (janus_message_get_sender (m), kernel_address))
        atomic_fetch_add (&f->errors, 1);
      else
        self->next_seq[t] += N_RECEIVERS;
      self->received++;
      janus_message_unref (m);
    }
  return self->received < self->quota ? JANUS_LIVE_WAIT : JANUS_LIVE_DONE;
}

/* 4 threads that are not workers send with janus_kernel_send to light
 * agents of a 2-worker kernel: everything is delivered, in order per
 * thread. */
static void
test_stress_external_send (void)
{
  gint64 per_thread = scaled (50000) / N_RECEIVERS * N_RECEIVERS;
  JanusKernel *kernel = janus_kernel_new (2);
  SendThread threads[N_THREADS];
  GThread *handles[N_THREADS];
  Fixture f;
  guint i, t;

  fixture_init (&f);
  for (i = 0; i < N_RECEIVERS; i++)
    {
      StressAgent *a = stress_agent_new (&f, inject_receiver_live);
      a->quota = per_thread * N_THREADS / N_RECEIVERS;
      a->n_seq = N_THREADS;
      a->next_seq = g_new0 (gint64, N_THREADS);
      for (t = 0; t < N_THREADS; t++)
        a->next_seq[t] = i;
      launch_ok (kernel, a, NULL, NULL);
    }
  for (t = 0; t < N_THREADS; t++)
    {
      threads[t] = (SendThread) { kernel, &f, t, per_thread, 0 };
      handles[t] = g_thread_new ("sender", send_thread, &threads[t]);
    }
  for (t = 0; t < N_THREADS; t++)
    g_thread_join (handles[t]);
  janus_kernel_run (kernel);

  g_assert_cmpint (atomic_load (&f.errors), ==, 0);
  for (t = 0; t < N_THREADS; t++)
    g_assert_cmpint (threads[t].sent, ==, per_thread);
  for (i = 0; i < N_RECEIVERS; i++)
    {
      StressAgent *a = fixture_agent (&f, i);
      g_assert_cmpint (a->received, ==, a->quota);
      for (t = 0; t < N_THREADS; t++)
        g_assert_cmpint (a->next_seq[t], ==, i + per_thread);
    }
  g_assert_cmpuint (janus_kernel_get_dead_letter_count (kernel), ==, 0);
  assert_all_died_once (&f);

  finish (kernel, NULL);
  fixture_clear (&f);
}

/* ------------------------------------------------------------------ main */

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/stress/messaging/many-to-one", test_stress_many_to_one);
  g_test_add_func ("/stress/messaging/external-send", test_stress_external_send);
  g_test_add_func ("/stress/kill/victims-in-flight", test_stress_victims);
  g_test_add_func ("/stress/kill/kill-all-under-load", test_stress_kill_all_under_load);
  g_test_add_func ("/stress/lifecycle/spawn-kill-churn", test_stress_spawn_kill_churn);

  return g_test_run ();
}
