/* SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Emergent capacities: a super-holon offers its members' capacities; a
 * call goes Super → Head → a Part that has it → back to the Super, and
 * completes its GTask: with the result, or NO_PROVIDER, NO_HEAD,
 * PROVIDER_ENDED, CANCELLED, or the capacity's own error. Through several
 * levels of holons; the head's choice is pluggable (provider function,
 * Head subclass, group policy); from the main thread the callback runs in
 * the thread-default main context, from an agent's step in that agent's
 * step.
 *
 * Deterministic where it can be: kernels without workers, driven with
 * janus_kernel_step () and the default main context iterated in turn; the
 * worker test uses real events with bounded waits.
 */
#include <string.h>

#include "holon-test.h"

typedef struct
{
  gboolean     done;
  GVariant    *result;
  GError      *error;
  GThread     *thread;
  JanusAgent  *caller;          /* the agent whose step must run the callback */
  guint        calls;
  GMutex       lock;
  GCond        cond;
} Outcome;

static void
outcome_init (Outcome *o)
{
  memset (o, 0, sizeof *o);
  g_mutex_init (&o->lock);
  g_cond_init (&o->cond);
}

static void
outcome_clear (Outcome *o)
{
  g_clear_pointer (&o->result, g_variant_unref);
  g_clear_error (&o->error);
  g_mutex_clear (&o->lock);
  g_cond_clear (&o->cond);
}

static void
on_done (GObject      *source,
         GAsyncResult *result,
         gpointer      data)
{
  Outcome *o = data;
  GError *error = NULL;
  GVariant *value = janus_holon_invoke_capacity_finish (JANUS_HOLON (source), result, &error);

  g_mutex_lock (&o->lock);
  o->calls++;
  o->done = TRUE;
  o->result = value;
  o->error = error;
  o->thread = g_thread_self ();
  /* only the caller's own step may read its mailbox (else a critical) */
  if (o->caller != NULL)
    janus_agent_peek_message (o->caller);
  g_cond_signal (&o->cond);
  g_mutex_unlock (&o->lock);
}

/* Steps the kernel and dispatches the default main context until the
 * callback ran. */
static void
wait_done (JanusKernel *kernel,
           Outcome     *o)
{
  guint i;

  for (i = 0; i < 1000 && !o->done; i++)
    {
      janus_kernel_step (kernel);
      while (g_main_context_iteration (NULL, FALSE))
        ;
    }
  g_assert_true (o->done);
  g_assert_cmpuint (o->calls, ==, 1);
}

static void
add_multiplier (JanusAgent *agent,
                gint64      factor)
{
  g_autoptr(TestMultiplier) m = test_multiplier_new (factor);

  janus_agent_add_capacity (agent, TEST_TYPE_TIMES, m);
}

static void
test_success (void)
{
  g_autoptr(JanusKernel) kernel = janus_kernel_new (0);
  g_autoptr(JanusHolon) holon = launch_holon (kernel, "h");
  g_autoptr(TestAgent) head = spawn_cell (holon, "head");
  g_autoptr(TestAgent) worker = spawn_cell (holon, "worker");
  Outcome o;

  outcome_init (&o);
  add_multiplier (JANUS_AGENT (worker), 2);
  g_assert_true (janus_holon_has_capacity (holon, TEST_TYPE_TIMES));
  g_assert_false (janus_holon_has_capacity (holon, TEST_TYPE_PAINT));
  janus_holon_invoke_capacity_async (holon, TEST_TYPE_TIMES, g_variant_new_int64 (21), NULL, on_done, &o);
  /* asynchronous: nothing before the steps */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_false (o.done);
  wait_done (kernel, &o);
  g_assert_no_error (o.error);
  g_assert_cmpint (g_variant_get_int64 (o.result), ==, 42);
  /* the thread-default main context of the caller: here, this thread */
  g_assert_true (o.thread == g_thread_self ());
  outcome_clear (&o);
}

static void
test_no_provider (void)
{
  g_autoptr(JanusKernel) kernel = janus_kernel_new (0);
  g_autoptr(JanusHolon) holon = launch_holon (kernel, "h");
  g_autoptr(JanusHolon) atomic = launch_holon (kernel, "atomic");
  g_autoptr(JanusHolon) unlaunched = janus_holon_new ();
  g_autoptr(TestAgent) a = spawn_cell (holon, "a");
  Outcome o;

  /* nobody offers it */
  add_multiplier (JANUS_AGENT (a), 2);
  outcome_init (&o);
  janus_holon_invoke_capacity_async (holon, TEST_TYPE_PAINT, NULL, NULL, on_done, &o);
  wait_done (kernel, &o);
  g_assert_error (o.error, JANUS_HOLON_ERROR, JANUS_HOLON_ERROR_NO_PROVIDER);
  g_assert_null (o.result);
  outcome_clear (&o);

  /* no member at all; the holon's own capacities do not count */
  add_multiplier (JANUS_AGENT (atomic), 3);
  outcome_init (&o);
  janus_holon_invoke_capacity_async (atomic, TEST_TYPE_TIMES, NULL, NULL, on_done, &o);
  wait_done (kernel, &o);
  g_assert_error (o.error, JANUS_HOLON_ERROR, JANUS_HOLON_ERROR_NO_PROVIDER);
  outcome_clear (&o);

  /* not launched: the error comes through the callback too */
  outcome_init (&o);
  janus_holon_invoke_capacity_async (unlaunched, TEST_TYPE_TIMES, NULL, NULL, on_done, &o);
  g_assert_false (o.done);
  wait_done (kernel, &o);
  g_assert_error (o.error, JANUS_KERNEL_ERROR, JANUS_KERNEL_ERROR_NOT_LAUNCHED);
  outcome_clear (&o);
}

static void
test_provider_fails (void)
{
  g_autoptr(JanusKernel) kernel = janus_kernel_new (0);
  g_autoptr(JanusHolon) holon = launch_holon (kernel, "h");
  g_autoptr(TestAgent) a = spawn_cell (holon, "a");
  Outcome o;

  add_multiplier (JANUS_AGENT (a), 0);      /* a broken multiplier */
  outcome_init (&o);
  janus_holon_invoke_capacity_async (holon, TEST_TYPE_TIMES, g_variant_new_int64 (1), NULL, on_done, &o);
  wait_done (kernel, &o);
  g_assert_error (o.error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_cmpstr (o.error->message, ==, "multiplier is broken");
  outcome_clear (&o);
  /* the member lives on */
  g_assert_true (janus_agent_is_alive (JANUS_AGENT (a)));
}

/* factory → workshop → machine: the workshop offers it through its
 * machine, the factory through the workshop. */
static void
test_levels (void)
{
  g_autoptr(JanusKernel) kernel = janus_kernel_new (0);
  g_autoptr(JanusHolon) factory = launch_holon (kernel, "factory");
  g_autoptr(JanusHolon) workshop = janus_holon_new ();
  g_autoptr(TestAgent) planner = spawn_cell (factory, "planner");
  g_autoptr(TestAgent) machine = NULL;
  g_autoptr(TestMultiplier) m = test_multiplier_new (5);
  Outcome o;

  g_assert_true (janus_holon_spawn_member (factory, JANUS_AGENT (workshop), "workshop", NULL, NULL));
  machine = spawn_cell (workshop, "machine");
  janus_agent_add_capacity (JANUS_AGENT (machine), TEST_TYPE_TIMES, m);
  g_assert_true (janus_holon_has_capacity (factory, TEST_TYPE_TIMES));
  outcome_init (&o);
  janus_holon_invoke_capacity_async (factory, TEST_TYPE_TIMES, g_variant_new_int64 (3), NULL, on_done, &o);
  wait_done (kernel, &o);
  g_assert_no_error (o.error);
  g_assert_cmpint (g_variant_get_int64 (o.result), ==, 15);
  g_assert_cmpuint (test_multiplier_calls (m), ==, 1);
  outcome_clear (&o);
}

/* ---------------------------------------------------------- selection */

static guint
pick_last (JanusHolon *holon,
           GType       capacity,
           GPtrArray  *candidates,
           gpointer    data)
{
  g_assert_true (capacity == TEST_TYPE_TIMES);
  (*(guint *) data)++;
  return candidates->len - 1;
}

#define TEST_TYPE_PICKY_HEAD (test_picky_head_get_type ())
G_DECLARE_FINAL_TYPE (TestPickyHead, test_picky_head, TEST, PICKY_HEAD, JanusHolonicHead)
struct _TestPickyHead { JanusHolonicHead parent_instance; };
G_DEFINE_FINAL_TYPE (TestPickyHead, test_picky_head, JANUS_TYPE_HOLONIC_HEAD)

/* picks the candidate named "b" */
static guint
picky_select (JanusHolonicHead *head,
              GType             capacity,
              GPtrArray        *candidates)
{
  guint i;

  for (i = 0; i < candidates->len; i++)
    if (g_strcmp0 (janus_agent_get_name (candidates->pdata[i]), "b") == 0)
      return i;
  return 0;
}

static void
test_picky_head_class_init (TestPickyHeadClass *klass)
{
  JANUS_HOLONIC_HEAD_CLASS (klass)->select_provider = picky_select;
}

static void
test_picky_head_init (TestPickyHead *self)
{
}

static void
test_selection (void)
{
  g_autoptr(JanusKernel) kernel = janus_kernel_new (0);
  g_autoptr(JanusHolon) holon = launch_holon (kernel, "h");
  g_autoptr(JanusHolon) picky = janus_holon_new ();
  g_autoptr(TestMultiplier) ma = test_multiplier_new (2), mb = test_multiplier_new (3),
                            mc = test_multiplier_new (4);
  g_autoptr(TestAgent) a = NULL, b = NULL, c = NULL, pa = NULL, pb = NULL;
  g_autoptr(JanusGroup) group = NULL;
  guint policy_calls = 0, i;
  Outcome o;

  a = spawn_cell (holon, "a");
  b = spawn_cell (holon, "b");
  c = spawn_cell (holon, "c");
  janus_agent_add_capacity (JANUS_AGENT (a), TEST_TYPE_TIMES, ma);
  janus_agent_add_capacity (JANUS_AGENT (b), TEST_TYPE_TIMES, mb);
  janus_agent_add_capacity (JANUS_AGENT (c), TEST_TYPE_TIMES, mc);

  /* the provider function */
  janus_holon_set_provider_func (holon, pick_last, &policy_calls, NULL);
  outcome_init (&o);
  janus_holon_invoke_capacity_async (holon, TEST_TYPE_TIMES, g_variant_new_int64 (1), NULL, on_done, &o);
  wait_done (kernel, &o);
  g_assert_cmpint (g_variant_get_int64 (o.result), ==, 4);
  g_assert_cmpuint (policy_calls, ==, 1);
  outcome_clear (&o);

  /* the internal group's policy: round robin over a, b, c */
  janus_holon_set_provider_func (holon, NULL, NULL, NULL);
  group = janus_holon_get_group (holon);
  janus_group_set_selection_policy (group, JANUS_SELECTION_ROUND_ROBIN);
  for (i = 0; i < 3; i++)
    {
      outcome_init (&o);
      janus_holon_invoke_capacity_async (holon, TEST_TYPE_TIMES, g_variant_new_int64 (1), NULL, on_done, &o);
      wait_done (kernel, &o);
      outcome_clear (&o);
    }
  g_assert_cmpuint (test_multiplier_calls (ma), ==, 1);
  g_assert_cmpuint (test_multiplier_calls (mb), ==, 1);
  g_assert_cmpuint (test_multiplier_calls (mc), ==, 2);

  /* a Head subclass decides */
  g_object_set (picky, "head-role-type", TEST_TYPE_PICKY_HEAD, NULL);
  janus_kernel_launch_light_agent (kernel, JANUS_AGENT (picky), "picky", NULL, NULL);
  pa = spawn_cell (picky, "a");
  pb = spawn_cell (picky, "b");
  janus_agent_add_capacity (JANUS_AGENT (pa), TEST_TYPE_TIMES, ma);
  janus_agent_add_capacity (JANUS_AGENT (pb), TEST_TYPE_TIMES, mb);
  outcome_init (&o);
  janus_holon_invoke_capacity_async (picky, TEST_TYPE_TIMES, g_variant_new_int64 (7), NULL, on_done, &o);
  wait_done (kernel, &o);
  g_assert_cmpint (g_variant_get_int64 (o.result), ==, 21);
  outcome_clear (&o);
}

/* ---------------------------------------------------------- failures */

static void
test_cancelled (void)
{
  g_autoptr(JanusKernel) kernel = janus_kernel_new (0);
  g_autoptr(JanusHolon) holon = launch_holon (kernel, "h");
  g_autoptr(TestAgent) a = spawn_cell (holon, "a");
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GCancellable) cancelled = g_cancellable_new ();
  Outcome o;

  add_multiplier (JANUS_AGENT (a), 2);
  /* cancelled on the way */
  outcome_init (&o);
  janus_holon_invoke_capacity_async (holon, TEST_TYPE_TIMES, g_variant_new_int64 (1), cancellable, on_done, &o);
  janus_kernel_step (kernel);
  g_cancellable_cancel (cancellable);
  wait_done (kernel, &o);
  g_assert_error (o.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  step_until_idle (kernel, 10000);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpuint (o.calls, ==, 1);
  outcome_clear (&o);

  /* cancelled before the call */
  g_cancellable_cancel (cancelled);
  outcome_init (&o);
  janus_holon_invoke_capacity_async (holon, TEST_TYPE_TIMES, g_variant_new_int64 (1), cancelled, on_done, &o);
  wait_done (kernel, &o);
  g_assert_error (o.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  outcome_clear (&o);
}

/* A heavy member that blocks until the test lets it go. */
typedef struct
{
  GMutex   lock;
  GCond    cond;
  gboolean entered;             /* the member is in its live */
  gboolean open;
} Latch;

static JanusLive
wait_latch (TestAgent *self)
{
  Latch *latch = self->data;

  g_mutex_lock (&latch->lock);
  latch->entered = TRUE;
  g_cond_broadcast (&latch->cond);
  while (!latch->open)
    g_cond_wait (&latch->cond, &latch->lock);
  g_mutex_unlock (&latch->lock);
  return JANUS_LIVE_WAIT;
}

/* notify::state of the heavy member: tells the test when it died. */
static void
on_stuck_state (JanusAgent *agent,
                GParamSpec *pspec,
                Latch      *latch)
{
  g_mutex_lock (&latch->lock);
  g_cond_broadcast (&latch->cond);
  g_mutex_unlock (&latch->lock);
}

static void
wait_died (JanusAgent *agent,
           Latch      *latch)
{
  gint64 deadline = g_get_monotonic_time () + DEADLINE_USEC;

  g_mutex_lock (&latch->lock);
  while (janus_agent_get_state (agent) != JANUS_AGENT_STATE_DIED)
    g_assert_true (g_cond_wait_until (&latch->cond, &latch->lock, deadline));
  g_mutex_unlock (&latch->lock);
}

static void
wait_entered (Latch *latch)
{
  gint64 deadline = g_get_monotonic_time () + DEADLINE_USEC;

  g_mutex_lock (&latch->lock);
  while (!latch->entered)
    g_assert_true (g_cond_wait_until (&latch->cond, &latch->lock, deadline));
  g_mutex_unlock (&latch->lock);
}

static void
latch_open (Latch *latch)
{
  g_mutex_lock (&latch->lock);
  latch->open = TRUE;
  g_cond_broadcast (&latch->cond);
  g_mutex_unlock (&latch->lock);
}

/* The member chosen to perform is ending: its step never comes. */
static void
test_provider_ended (void)
{
  g_autoptr(JanusKernel) kernel = janus_kernel_new (0);
  g_autoptr(JanusHolon) top = launch_holon (kernel, "top");
  g_autoptr(TestAgent) head = spawn_cell (top, "head");
  g_autoptr(JanusHolon) mid = janus_holon_new ();
  g_autoptr(TestAgent) stuck = test_agent_new (NULL, NULL);
  Latch latch = { 0 };
  Outcome o;

  g_mutex_init (&latch.lock);
  g_cond_init (&latch.cond);
  g_assert_true (janus_holon_spawn_member (top, JANUS_AGENT (mid), "mid", NULL, NULL));
  step_until_idle (kernel, 10000);
  stuck->live = wait_latch;
  stuck->data = &latch;
  g_signal_connect (stuck, "notify::state", G_CALLBACK (on_stuck_state), &latch);
  add_multiplier (JANUS_AGENT (stuck), 2);
  janus_kernel_launch_heavy_agent (kernel, JANUS_AGENT (stuck), "stuck", NULL, NULL);
  g_assert_true (janus_holon_add_member (mid, JANUS_AGENT (stuck), JANUS_MEMBERSHIP_PART, NULL));
  wait_entered (&latch);
  /* mid is asked to end: it waits for its member, stuck in its live */
  janus_kernel_kill (kernel, JANUS_AGENT (mid), NULL);
  step_until_idle (kernel, 10000);
  g_assert_cmpint (janus_agent_get_state (JANUS_AGENT (mid)), ==, JANUS_AGENT_STATE_DYING);
  g_assert_true (janus_holon_has_capacity (top, TEST_TYPE_TIMES));

  outcome_init (&o);
  janus_holon_invoke_capacity_async (top, TEST_TYPE_TIMES, g_variant_new_int64 (1), NULL, on_done, &o);
  step_until_idle (kernel, 10000);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_false (o.done);
  latch_open (&latch);
  /* its own thread ends it; then the steps end mid, and the call */
  wait_died (JANUS_AGENT (stuck), &latch);
  wait_done (kernel, &o);
  g_assert_error (o.error, JANUS_HOLON_ERROR, JANUS_HOLON_ERROR_PROVIDER_ENDED);
  outcome_clear (&o);
  janus_kernel_shutdown (kernel);
  g_mutex_clear (&latch.lock);
  g_cond_clear (&latch.cond);
}

/* ------------------------------------------------------- from agents */

/* An agent that asks a holon in its first step; the answer comes back in
 * one of its later steps. */
typedef struct
{
  JanusHolon *holon;
  Outcome    *outcome;
} Ask;

static JanusLive
ask_once (TestAgent *self)
{
  Ask *ask = self->data;

  if (self->n_live == 1)
    janus_holon_invoke_capacity_async (ask->holon, TEST_TYPE_TIMES, g_variant_new_int64 (4), NULL,
                                       on_done, ask->outcome);
  return JANUS_LIVE_WAIT;
}

static void
test_from_agent (void)
{
  g_autoptr(JanusKernel) kernel = janus_kernel_new (0);
  g_autoptr(JanusHolon) holon = launch_holon (kernel, "h");
  g_autoptr(TestAgent) a = spawn_cell (holon, "a");
  g_autoptr(TestAgent) asker = test_agent_new (NULL, NULL);
  Outcome o;
  Ask ask = { holon, &o };
  gint lives;

  add_multiplier (JANUS_AGENT (a), 10);
  outcome_init (&o);
  o.caller = JANUS_AGENT (asker);
  asker->live = ask_once;
  asker->data = &ask;
  janus_kernel_launch_light_agent (kernel, JANUS_AGENT (asker), "asker", NULL, NULL);
  /* no main context involved: steps only */
  step_until_idle (kernel, 10000);
  g_assert_true (o.done);
  g_assert_no_error (o.error);
  g_assert_cmpint (g_variant_get_int64 (o.result), ==, 40);
  lives = asker->n_live;
  g_assert_cmpint (lives, >=, 1);
  outcome_clear (&o);
}

/* On workers: many concurrent calls from agents and from this thread. */
static JanusLive
ask_many (TestAgent *self)
{
  Ask *ask = self->data;
  guint i;

  if (self->n_live == 1)
    for (i = 0; i < 20; i++)
      janus_holon_invoke_capacity_async (ask->holon, TEST_TYPE_TIMES, g_variant_new_int64 (1), NULL,
                                         on_done, &ask->outcome[i]);
  return JANUS_LIVE_WAIT;
}

static void
test_workers (void)
{
  g_autoptr(JanusKernel) kernel = janus_kernel_new (2);
  g_autoptr(JanusHolon) holon = launch_holon (kernel, "h");
  g_autoptr(TestAgent) asker = test_agent_new (NULL, NULL);
  g_autoptr(TestMultiplier) m = test_multiplier_new (3);
  Outcome outcomes[20];
  Ask ask = { holon, outcomes };
  TestAgent *members[4];
  guint i;

  for (i = 0; i < G_N_ELEMENTS (members); i++)
    {
      members[i] = spawn_cell (holon, NULL);
      janus_agent_add_capacity (JANUS_AGENT (members[i]), TEST_TYPE_TIMES, m);
    }
  for (i = 0; i < G_N_ELEMENTS (outcomes); i++)
    {
      outcome_init (&outcomes[i]);
      outcomes[i].caller = JANUS_AGENT (asker);
    }
  asker->live = ask_many;
  asker->data = &ask;
  janus_kernel_launch_light_agent (kernel, JANUS_AGENT (asker), "asker", NULL, NULL);
  for (i = 0; i < G_N_ELEMENTS (outcomes); i++)
    {
      Outcome *o = &outcomes[i];
      gint64 deadline = g_get_monotonic_time () + DEADLINE_USEC;

      g_mutex_lock (&o->lock);
      while (!o->done)
        if (!g_cond_wait_until (&o->cond, &o->lock, deadline))
          break;
      g_assert_true (o->done);
      g_assert_no_error (o->error);
      g_assert_cmpint (g_variant_get_int64 (o->result), ==, 3);
      g_assert_true (o->thread != g_thread_self ());
      g_mutex_unlock (&o->lock);
    }
  janus_kernel_shutdown (kernel);
  g_assert_cmpuint (test_multiplier_calls (m), ==, 20);
  for (i = 0; i < G_N_ELEMENTS (outcomes); i++)
    outcome_clear (&outcomes[i]);
  for (i = 0; i < G_N_ELEMENTS (members); i++)
    g_object_unref (members[i]);
}

/* The holon ends with calls in flight: they fail. */
static void
test_holon_ends (void)
{
  g_autoptr(JanusKernel) kernel = janus_kernel_new (0);
  g_autoptr(JanusHolon) holon = launch_holon (kernel, "h");
  g_autoptr(TestAgent) a = spawn_cell (holon, "a");
  Outcome o;

  add_multiplier (JANUS_AGENT (a), 2);
  step_until_idle (kernel, 10000);
  outcome_init (&o);
  janus_holon_invoke_capacity_async (holon, TEST_TYPE_TIMES, g_variant_new_int64 (1), NULL, on_done, &o);
  janus_kernel_kill (kernel, JANUS_AGENT (holon), NULL);
  wait_done (kernel, &o);
  g_assert_nonnull (o.error);
  g_assert_true (o.error->domain == JANUS_HOLON_ERROR || o.error->domain == JANUS_KERNEL_ERROR);
  outcome_clear (&o);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/holon/capacity/success", test_success);
  g_test_add_func ("/holon/capacity/no-provider", test_no_provider);
  g_test_add_func ("/holon/capacity/provider-fails", test_provider_fails);
  g_test_add_func ("/holon/capacity/levels", test_levels);
  g_test_add_func ("/holon/capacity/selection", test_selection);
  g_test_add_func ("/holon/capacity/cancelled", test_cancelled);
  g_test_add_func ("/holon/capacity/provider-ended", test_provider_ended);
  g_test_add_func ("/holon/capacity/from-agent", test_from_agent);
  g_test_add_func ("/holon/capacity/workers", test_workers);
  g_test_add_func ("/holon/capacity/holon-ends", test_holon_ends);

  return g_test_run ();
}
