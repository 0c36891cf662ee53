/* SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Agent signals (JanusAgentSignal): the value, and the agent-local bus its
 * roles and the agent fire to and listen on, with the three policies
 * (instant, buffered until the next step, queued until taken), name
 * filters, removal (also from inside a listener, and when a role is left),
 * nested firing, and bad calls. After Janus 1.x's SignalTest and its
 * Instant/BufferedSignalManager and Queued/LastSignalAdapter tests.
 *
 * The cases that schedule run on 0 and 2 workers.
 */
#include <string.h>

#include "janus-test-utils.h"

static GType role_a, role_b, org_sig;

static void
org_sig_class_init (gpointer klass,
                    gpointer data)
{
  janus_organization_class_add_role (klass, role_a, 0);
  janus_organization_class_add_role (klass, role_b, 0);
}

/* ------------------------------------------------------------ helpers */

typedef struct
{
  GMutex      lock;
  GCond       cond;
  atomic_int  heard;
  atomic_int  destroyed;
  const char *tag;
  GObject    *source;         /* the last source seen, strong */
} Ear;

static void
ear_init (Ear        *ear,
          const char *tag)
{
  memset (ear, 0, sizeof *ear);
  g_mutex_init (&ear->lock);
  g_cond_init (&ear->cond);
  ear->tag = tag;
}

static void
ear_clear (Ear *ear)
{
  g_clear_object (&ear->source);
  g_mutex_clear (&ear->lock);
  g_cond_clear (&ear->cond);
}

static void
on_signal (JanusAgentSignal *signal,
           gpointer          data)
{
  Ear *ear = data;
  GVariant *values = janus_agent_signal_get_values (signal);
  GObject *source = janus_agent_signal_dup_source (signal);

  if (values != NULL && g_variant_is_of_type (values, G_VARIANT_TYPE_INT32))
    log_event ("%s:%s=%d", ear->tag, janus_agent_signal_get_name (signal),
               g_variant_get_int32 (values));
  else
    log_event ("%s:%s", ear->tag, janus_agent_signal_get_name (signal));
  g_mutex_lock (&ear->lock);
  g_clear_object (&ear->source);
  ear->source = source;
  g_mutex_unlock (&ear->lock);
  test_bump (&ear->lock, &ear->cond, &ear->heard);
}

static void
ear_destroyed (gpointer data)
{
  Ear *ear = data;

  test_bump (&ear->lock, &ear->cond, &ear->destroyed);
}

static JanusLive
logging_live (TestAgent *self)
{
  log_event ("live");
  return JANUS_LIVE_WAIT;
}

static void
fire (TestAgent  *self,
      const char *name,
      gint        value)
{
  log_event ("fire %s", name);
  janus_agent_fire_signal (AGENT (self), janus_agent_signal_new (name, g_variant_new_int32 (value)));
}

/* Kills @agent and waits until its end returned. */
static void
end_agent (JanusKernel *kernel,
           TestAgent   *agent)
{
  gint64 deadline = g_get_monotonic_time () + DEADLINE_USEC;

  g_assert_true (janus_kernel_kill (kernel, AGENT (agent), NULL));
  if (janus_kernel_get_workers (kernel) == 0)
    {
      step_until_idle (kernel, 10);
      return;
    }
  g_mutex_lock (&agent->lock);
  while (!agent->ended)
    if (!g_cond_wait_until (&agent->cond, &agent->lock, deadline))
      g_error ("the agent did not end in time");
  g_mutex_unlock (&agent->lock);
}

/* ------------------------------------------------------------ the value */

static void
test_value (void)
{
  g_autoptr(JanusAgentSignal) s = janus_agent_signal_new ("go", g_variant_new ("(si)", "x", 1));
  g_autoptr(JanusAgentSignal) bare = janus_agent_signal_new ("bare", NULL);
  JanusAgentSignal *copy;

  g_assert_cmpstr (janus_agent_signal_get_name (s), ==, "go");
  g_assert_true (g_variant_is_of_type (janus_agent_signal_get_values (s), G_VARIANT_TYPE ("(si)")));
  g_assert_false (g_variant_is_floating (janus_agent_signal_get_values (s)));
  g_assert_null (janus_agent_signal_get_values (bare));
  g_assert_null (janus_agent_signal_dup_source (s));
  copy = g_boxed_copy (JANUS_TYPE_AGENT_SIGNAL, s);
  g_assert_true (copy == s);
  g_boxed_free (JANUS_TYPE_AGENT_SIGNAL, copy);
}

/* ------------------------------------------------------------ instant */

typedef struct
{
  Ear  first, second, all, other;
  guint ids[4];
} Instant;

static void
add_instant (TestAgent *self,
             gpointer   data)
{
  Instant *in = data;

  in->ids[0] = janus_agent_add_signal_listener (AGENT (self), "x", JANUS_SIGNAL_POLICY_INSTANT,
                                                on_signal, &in->first, ear_destroyed);
  in->ids[1] = janus_agent_add_signal_listener (AGENT (self), "x", JANUS_SIGNAL_POLICY_INSTANT,
                                                on_signal, &in->second, ear_destroyed);
  in->ids[2] = janus_agent_add_signal_listener (AGENT (self), NULL, JANUS_SIGNAL_POLICY_INSTANT,
                                                on_signal, &in->all, ear_destroyed);
  in->ids[3] = janus_agent_add_signal_listener (AGENT (self), "y", JANUS_SIGNAL_POLICY_INSTANT,
                                                on_signal, &in->other, ear_destroyed);
}

static void
fire_x_then_y (TestAgent *self,
               gpointer   data)
{
  fire (self, "x", 1);
  log_event ("after x");
  fire (self, "y", 2);
  log_event ("after y");
}

static void
test_instant (guint         workers,
              gconstpointer data)
{
  JanusKernel *kernel = janus_kernel_new (workers);
  TestAgent *agent = launch_alive (kernel, test_agent_new (logging_live, NULL));
  Instant in;

  ear_init (&in.first, "first");
  ear_init (&in.second, "second");
  ear_init (&in.all, "all");
  ear_init (&in.other, "other");
  agent_do (kernel, agent, add_instant, &in);
  g_assert_cmpuint (in.ids[0], !=, 0);
  g_assert_cmpuint (in.ids[0], !=, in.ids[1]);
  log_clear ();
  agent_do (kernel, agent, fire_x_then_y, NULL);
  end_agent (kernel, agent);
  /* at once, in the order added, filtered by name, before fire returns */
  assert_events ("fire x;first:x=1;second:x=1;all:x=1;after x;"
                 "fire y;all:y=2;other:y=2;after y;live;");
  g_assert_true (in.first.source == G_OBJECT (agent));
  janus_kernel_shutdown (kernel);
  g_assert_finalize_object (kernel);
  /* the agent's listeners go with it */
  g_assert_cmpint (in.first.destroyed, ==, 0);
  g_clear_object (&in.first.source);
  g_clear_object (&in.second.source);
  g_clear_object (&in.all.source);
  g_clear_object (&in.other.source);
  g_assert_finalize_object (agent);
  g_assert_cmpint (in.first.destroyed + in.second.destroyed + in.all.destroyed
                   + in.other.destroyed, ==, 4);
  ear_clear (&in.first);
  ear_clear (&in.second);
  ear_clear (&in.all);
  ear_clear (&in.other);
}

/* ----------------------------------------------------------- buffered */

static void
add_buffered (TestAgent *self,
              gpointer   data)
{
  janus_agent_add_signal_listener (AGENT (self), NULL, JANUS_SIGNAL_POLICY_BUFFERED,
                                   on_signal, data, NULL);
}

static void
fire_two (TestAgent *self,
          gpointer   data)
{
  fire (self, "x", 1);
  fire (self, "y", 2);
  log_event ("fired");
}

static void
test_buffered (guint         workers,
               gconstpointer data)
{
  JanusKernel *kernel = janus_kernel_new (workers);
  TestAgent *agent = launch_alive (kernel, test_agent_new (logging_live, NULL));
  Ear ear;

  ear_init (&ear, "buffered");
  agent_do (kernel, agent, add_buffered, &ear);
  log_clear ();
  agent_do (kernel, agent, fire_two, NULL);
  if (workers == 0)
    {
      guint step = test_current_step;

      g_assert_cmpint (ear.heard, ==, 0);
      test_step (kernel);
      g_assert_cmpuint (test_current_step, ==, step + 1);
    }
  g_assert_true (test_wait_count (&ear.lock, &ear.cond, &ear.heard, 2));
  end_agent (kernel, agent);
  /* not during the step that fired; at the start of the next, in firing
   * order, before live */
  assert_events ("fire x;fire y;fired;live;buffered:x=1;buffered:y=2;live;");
  g_clear_object (&ear.source);
  finish (kernel, agent, NULL);
  ear_clear (&ear);
}

/* What a buffered listener fires waits for the step after. */
static void
refire (JanusAgentSignal *signal,
        gpointer          data)
{
  TestAgent *agent = data;

  log_event ("got %s", janus_agent_signal_get_name (signal));
  if (g_str_equal (janus_agent_signal_get_name (signal), "x"))
    fire (agent, "z", 3);
}

static void
add_refire (TestAgent *self,
            gpointer   data)
{
  janus_agent_add_signal_listener (AGENT (self), NULL, JANUS_SIGNAL_POLICY_BUFFERED,
                                   refire, self, NULL);
}

static void
fire_x (TestAgent *self,
        gpointer   data)
{
  fire (self, "x", 1);
}

static void
test_buffered_refire (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  TestAgent *agent = launch_alive (kernel, test_agent_new (logging_live, NULL));

  agent_do (kernel, agent, add_refire, NULL);
  log_clear ();
  agent_do (kernel, agent, fire_x, NULL);
  test_step (kernel);
  assert_events ("fire x;live;got x;fire z;live;");
  test_step (kernel);
  assert_events ("got z;live;");
  g_assert_false (test_step (kernel));
  finish (kernel, agent, NULL);
}

/* -------------------------------------------------------------- queue */

typedef struct
{
  guint    id;
  gboolean had_before;
  gboolean had_after;
  char    *taken;
  gboolean unknown_null;
} Queue;

static void
add_queue (TestAgent *self,
           gpointer   data)
{
  Queue *q = data;

  q->id = janus_agent_add_signal_listener (AGENT (self), "x", JANUS_SIGNAL_POLICY_QUEUE,
                                           NULL, NULL, NULL);
  q->had_before = janus_agent_has_signal (AGENT (self), q->id);
  fire (self, "x", 1);
  fire (self, "y", 2);
  fire (self, "x", 3);
}

static void
take_queue (TestAgent *self,
            gpointer   data)
{
  Queue *q = data;
  GString *s = g_string_new (NULL);
  JanusAgentSignal *signal;

  while ((signal = janus_agent_take_signal (AGENT (self), q->id)) != NULL)
    {
      g_string_append_printf (s, "%s%d;", janus_agent_signal_get_name (signal),
                              g_variant_get_int32 (janus_agent_signal_get_values (signal)));
      janus_agent_signal_unref (signal);
    }
  q->taken = g_string_free (s, FALSE);
  q->had_after = janus_agent_has_signal (AGENT (self), q->id);
  q->unknown_null = janus_agent_take_signal (AGENT (self), q->id + 100) == NULL
                    && !janus_agent_has_signal (AGENT (self), q->id + 100);
}

static void
test_queue (guint         workers,
            gconstpointer data)
{
  JanusKernel *kernel = janus_kernel_new (workers);
  TestAgent *agent = launch_alive (kernel, test_agent_new (deaf_live, NULL));
  Queue q = { 0 };

  agent_do (kernel, agent, add_queue, &q);
  g_assert_false (q.had_before);
  agent_do (kernel, agent, take_queue, &q);
  g_assert_cmpstr (q.taken, ==, "x1;x3;");
  g_assert_false (q.had_after);
  g_assert_true (q.unknown_null);
  g_free (q.taken);
  finish (kernel, agent, NULL);
}

/* ------------------------------------------------------------ removal */

typedef struct
{
  Ear   ear;
  guint id;
  guint self_id;
  gboolean removed;
  gboolean removed_again;
  gboolean alive_in_callback;
} Removal;

static void
remove_self (JanusAgentSignal *signal,
             gpointer          data)
{
  Removal *r = data;
  TestAgent *agent = test_agent_running ();

  janus_agent_remove_signal_listener (AGENT (agent), r->self_id);
  /* the data is still ours until the callback returns */
  r->alive_in_callback = r->ear.destroyed == 0;
  log_event ("self-removed");
}

static void
add_removable (TestAgent *self,
               gpointer   data)
{
  Removal *r = data;

  r->id = janus_agent_add_signal_listener (AGENT (self), NULL, JANUS_SIGNAL_POLICY_BUFFERED,
                                           on_signal, &r->ear, ear_destroyed);
  r->self_id = janus_agent_add_signal_listener (AGENT (self), NULL, JANUS_SIGNAL_POLICY_INSTANT,
                                                remove_self, r,
                                                (GDestroyNotify) ear_destroyed);
}

static void
fire_then_remove (TestAgent *self,
                  gpointer   data)
{
  Removal *r = data;

  fire (self, "x", 1);
  r->removed = janus_agent_remove_signal_listener (AGENT (self), r->id);
  r->removed_again = janus_agent_remove_signal_listener (AGENT (self), r->id);
}

static void
test_remove (guint         workers,
             gconstpointer data)
{
  JanusKernel *kernel = janus_kernel_new (workers);
  TestAgent *agent = launch_alive (kernel, test_agent_new (deaf_live, NULL));
  Removal r = { 0 };

  ear_init (&r.ear, "removable");
  agent_do (kernel, agent, add_removable, &r);
  log_clear ();
  agent_do (kernel, agent, fire_then_remove, &r);
  g_assert_true (r.removed);
  g_assert_false (r.removed_again);
  g_assert_true (r.alive_in_callback);
  /* both destroyed: the self-removed one after its callback returned */
  g_assert_true (test_wait_count (&r.ear.lock, &r.ear.cond, &r.ear.destroyed, 2));
  /* the buffered signal of a removed listener is not delivered */
  if (workers == 0)
    step_until_idle (kernel, 10);
  end_agent (kernel, agent);
  assert_events ("fire x;self-removed;");
  g_assert_cmpint (r.ear.heard, ==, 0);
  finish (kernel, agent, NULL);
  ear_clear (&r.ear);
}

/* -------------------------------------------------------------- nested */

static void
chain (JanusAgentSignal *signal,
       gpointer          data)
{
  TestAgent *agent = test_agent_running ();

  log_event ("chain %s", janus_agent_signal_get_name (signal));
  if (g_str_equal (janus_agent_signal_get_name (signal), "x"))
    fire (agent, "y", 2);
}

static void
add_chain (TestAgent *self,
           gpointer   data)
{
  janus_agent_add_signal_listener (AGENT (self), NULL, JANUS_SIGNAL_POLICY_INSTANT, chain, NULL, NULL);
  janus_agent_add_signal_listener (AGENT (self), NULL, JANUS_SIGNAL_POLICY_INSTANT, on_signal, data, NULL);
}

static void
test_nested (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  TestAgent *agent = launch_alive (kernel, test_agent_new (deaf_live, NULL));
  Ear ear;

  ear_init (&ear, "ear");
  agent_do (kernel, agent, add_chain, &ear);
  log_clear ();
  agent_do (kernel, agent, fire_x, NULL);
  /* depth first: y reaches every listener inside x's delivery */
  assert_events ("fire x;chain x;fire y;chain y;ear:y=2;ear:x=1;");
  g_clear_object (&ear.source);
  finish (kernel, agent, NULL);
  ear_clear (&ear);
}

/* --------------------------------------------------------------- roles */

typedef struct
{
  JanusGroup *group;
  TestRole   *a;
  TestRole   *b;
  Ear         agent_ear;
  Ear         b_ear;
  guint       b_queue;
  guint       b_id;
  gboolean    foreign_remove;
  gboolean    foreign_take_null;
  char       *queued;
  gboolean    left_add_zero;
} Roles;

static void
take_roles (TestAgent *self,
            gpointer   data)
{
  Roles *r = data;

  r->a = take (self, role_a, r->group);
  r->b = take (self, role_b, r->group);
  janus_agent_add_signal_listener (AGENT (self), "ping", JANUS_SIGNAL_POLICY_INSTANT,
                                   on_signal, &r->agent_ear, NULL);
  r->b_id = janus_role_add_signal_listener (ROLE (r->b), "ping", JANUS_SIGNAL_POLICY_BUFFERED,
                                            on_signal, &r->b_ear, ear_destroyed);
  r->b_queue = janus_role_add_signal_listener (ROLE (r->b), NULL, JANUS_SIGNAL_POLICY_QUEUE,
                                               NULL, NULL, NULL);
}

static void
role_a_fires (TestAgent *self,
              gpointer   data)
{
  Roles *r = data;

  log_event ("a fires");
  janus_role_fire_signal (ROLE (r->a), janus_agent_signal_new ("ping", g_variant_new_int32 (7)));
  /* a's view of b's listeners: not its own */
  r->foreign_remove = janus_role_remove_signal_listener (ROLE (r->a), r->b_id);
  r->foreign_take_null = janus_role_take_signal (ROLE (r->a), r->b_queue) == NULL;
}

static void
b_reads_and_leaves (TestAgent *self,
                    gpointer   data)
{
  Roles *r = data;
  JanusAgentSignal *s = janus_role_take_signal (ROLE (r->b), r->b_queue);
  g_autoptr(GObject) source = s ? janus_agent_signal_dup_source (s) : NULL;

  r->queued = g_strdup_printf ("%s from %s", s ? janus_agent_signal_get_name (s) : "-",
                               source ? G_OBJECT_TYPE_NAME (source) : "-");
  g_clear_pointer (&s, janus_agent_signal_unref);
  leave (self, role_b, r->group);
  log_event ("b left");
}

static void
left_role_listens (TestAgent *self,
                   gpointer   data)
{
  Roles *r = data;

  janus_role_fire_signal (ROLE (r->a), janus_agent_signal_new ("ping", g_variant_new_int32 (8)));
}

static void
test_roles (guint         workers,
            gconstpointer data)
{
  JanusKernel *kernel = janus_kernel_new (workers);
  TestAgent *agent = launch_alive (kernel, test_agent_new (NULL, NULL));
  Roles r = { 0 };

  r.group = new_group (kernel, org_sig);
  ear_init (&r.agent_ear, "agent");
  ear_init (&r.b_ear, "b");
  agent_do (kernel, agent, take_roles, &r);
  g_assert_cmpuint (r.b_id, !=, 0);
  log_clear ();
  agent_do (kernel, agent, role_a_fires, &r);
  g_assert_false (r.foreign_remove);
  g_assert_true (r.foreign_take_null);
  if (workers == 0)
    test_step (kernel);
  g_assert_true (test_wait_count (&r.b_ear.lock, &r.b_ear.cond, &r.b_ear.heard, 1));
  /* the source is the firing role */
  g_mutex_lock (&r.b_ear.lock);
  g_assert_true (r.b_ear.source == G_OBJECT (r.a));
  g_mutex_unlock (&r.b_ear.lock);
  agent_do (kernel, agent, b_reads_and_leaves, &r);
  g_assert_cmpstr (r.queued, ==, "ping from SignalRoleA");
  /* leaving the role removed its listeners */
  g_assert_true (test_wait_count (&r.b_ear.lock, &r.b_ear.cond, &r.b_ear.destroyed, 1));
  agent_do (kernel, agent, left_role_listens, &r);
  if (workers == 0)
    step_until_idle (kernel, 10);
  end_agent (kernel, agent);
  {
    g_autofree char *events = log_take ();
    /* a's ping reached the agent at once and b at the next step; the
     * second ping only the agent */
    g_assert_nonnull (strstr (events, "a fires;agent:ping=7;"));
    g_assert_nonnull (strstr (events, "b:ping=7;"));
    g_assert_null (strstr (events, "b:ping=8;"));
    g_assert_nonnull (strstr (events, "agent:ping=8;"));
  }
  g_assert_cmpint (r.b_ear.heard, ==, 1);
  g_free (r.queued);
  g_clear_object (&r.agent_ear.source);
  g_clear_object (&r.b_ear.source);
  g_clear_object (&r.group);
  finish (kernel, agent, NULL);
  ear_clear (&r.agent_ear);
  ear_clear (&r.b_ear);
}

/* ----------------------------------------------------------- bad input */

static void
fire_twice (TestAgent *self,
            gpointer   data)
{
  JanusAgentSignal *s = janus_agent_signal_new ("twice", NULL);

  janus_agent_fire_signal (AGENT (self), janus_agent_signal_ref (s));
  janus_agent_fire_signal (AGENT (self), s);
}

static void
bad_call (const char *name)
{
  g_autoptr(JanusKernel) kernel = janus_kernel_new (g_str_equal (name, "fired-twice") ? 0 : 2);
  TestAgent *a = test_agent_new (deaf_live, NULL);

  if (g_str_equal (name, "null-name"))
    g_assert_null (janus_agent_signal_new (NULL, NULL));
  else if (g_str_equal (name, "no-func"))
    g_assert_cmpuint (janus_agent_add_signal_listener (AGENT (a), "x", JANUS_SIGNAL_POLICY_INSTANT,
                                                       NULL, NULL, NULL), ==, 0);
  else if (g_str_equal (name, "bad-policy"))
    g_assert_cmpuint (janus_agent_add_signal_listener (AGENT (a), "x", (JanusSignalPolicy) 9,
                                                       on_signal, NULL, NULL), ==, 0);
  else if (g_str_equal (name, "null-signal"))
    janus_agent_fire_signal (AGENT (a), NULL);
  else if (g_str_equal (name, "not-the-owner"))
    {
      launch_ok (kernel, a, NULL, NULL);
      janus_agent_fire_signal (AGENT (a), janus_agent_signal_new ("x", NULL));
    }
  else if (g_str_equal (name, "fired-twice"))
    {
      launch_alive (kernel, a);
      agent_do (kernel, a, fire_twice, NULL);
    }
  janus_kernel_shutdown (kernel);
  g_object_unref (a);
}

static const char *const bad_calls[] = {
  "null-name", "no-func", "bad-policy", "null-signal", "not-the-owner", "fired-twice",
};

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  role_a = register_type (TEST_TYPE_ROLE, "SignalRoleA", NULL);
  role_b = register_type (TEST_TYPE_ROLE, "SignalRoleB", NULL);
  org_sig = register_type (JANUS_TYPE_ORGANIZATION, "SignalOrg", org_sig_class_init);

  g_test_add_func ("/agent-signal/value", test_value);
  add_on_workers ("/agent-signal/instant", test_instant, NULL);
  add_on_workers ("/agent-signal/buffered", test_buffered, NULL);
  g_test_add_func ("/agent-signal/buffered-refire", test_buffered_refire);
  add_on_workers ("/agent-signal/queue", test_queue, NULL);
  add_on_workers ("/agent-signal/remove", test_remove, NULL);
  g_test_add_func ("/agent-signal/nested", test_nested);
  add_on_workers ("/agent-signal/roles", test_roles, NULL);
  add_critical_cases ("/agent-signal/bad-input", bad_call, bad_calls, G_N_ELEMENTS (bad_calls));

  return g_test_run ();
}
