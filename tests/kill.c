/* SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Killing agents: who may kill whom (self, launcher, kernel; strangers and
 * other kernels are refused), unlaunched and dead targets, idempotence,
 * kills of waiting and BORN agents, and janus_kernel_kill_all () from the
 * driving thread, from an agent and on a kernel with workers.
 */
#include <string.h>

#include <janus.h>

#define DEADLINE_USEC (10 * G_USEC_PER_SEC)

/* ------------------------------------------------------------ TestAgent
 *
 * An agent whose behaviour is given by callbacks and that records what
 * happens to it: a log of its vfunc calls ('a', 'l', 'e'), the state seen in
 * each vfunc, and every state announced by notify::state with its thread.
 * Derivable, so the prototype tests can subclass it. */

typedef struct _TestAgent TestAgent;
typedef gboolean  (*ActivateFunc) (TestAgent *self, GVariant *parameters, GError **error);
typedef JanusLive (*LiveFunc)     (TestAgent *self);
typedef void      (*EndFunc)      (TestAgent *self);

struct _TestAgent
{
  JanusAgent      parent_instance;

  /* behaviour, set before launch */
  ActivateFunc    on_activate;
  LiveFunc        on_live;
  EndFunc         on_end;
  int             countdown;      /* > 0: AGAIN until the countdown-th live, then DONE */
  JanusLive       live_result;    /* otherwise what live returns */
  gpointer        data;

  /* observations, guarded by lock (worker tests read them from main) */
  GMutex          lock;
  GString        *log;
  int             n_activate;
  int             n_live;
  int             n_end;
  gboolean        in_vfunc;
  gboolean        overlap;        /* two vfuncs ran at once */
  JanusAgentState state_in_activate;
  JanusAgentState state_in_live;
  JanusAgentState state_in_end;
  GVariant       *parameters;     /* what activate was given */
  gboolean        got_parameters;
  GArray         *states;         /* JanusAgentState per notify::state */
  GPtrArray      *state_threads;  /* GThread per notify::state */
  gboolean        after_kill_me;
};

typedef struct
{
  JanusAgentClass parent_class;
} TestAgentClass;

static GType test_agent_get_type (void);
G_DEFINE_TYPE (TestAgent, test_agent, JANUS_TYPE_AGENT)

#define TEST_AGENT(o) (G_TYPE_CHECK_INSTANCE_CAST ((o), test_agent_get_type (), TestAgent))

static void
test_agent_enter (TestAgent  *self,
                  char        what,
                  int        *counter,
                  JanusAgentState *state)
{
  g_mutex_lock (&self->lock);
  if (self->in_vfunc)
    self->overlap = TRUE;
  self->in_vfunc = TRUE;
  g_string_append_c (self->log, what);
  (*counter)++;
  *state = janus_agent_get_state (JANUS_AGENT (self));
  g_mutex_unlock (&self->lock);
}

static void
test_agent_leave (TestAgent *self)
{
  g_mutex_lock (&self->lock);
  self->in_vfunc = FALSE;
  g_mutex_unlock (&self->lock);
}

static gboolean
test_agent_activate (JanusAgent  *agent,
                     GVariant    *parameters,
                     GError     **error)
{
  TestAgent *self = TEST_AGENT (agent);
  gboolean ok = TRUE;

  test_agent_enter (self, 'a', &self->n_activate, &self->state_in_activate);
  g_mutex_lock (&self->lock);
  self->got_parameters = TRUE;
  self->parameters = parameters ? g_variant_ref (parameters) : NULL;
  g_mutex_unlock (&self->lock);
  if (self->on_activate != NULL)
    ok = self->on_activate (self, parameters, error);
  test_agent_leave (self);
  return ok;
}

static JanusLive
test_agent_live (JanusAgent *agent)
{
  TestAgent *self = TEST_AGENT (agent);
  JanusLive result;
  int n;

  test_agent_enter (self, 'l', &self->n_live, &self->state_in_live);
  g_mutex_lock (&self->lock);
  n = self->n_live;
  g_mutex_unlock (&self->lock);
  if (self->on_live != NULL)
    result = self->on_live (self);
  else if (self->countdown > 0)
    result = n < self->countdown ? JANUS_LIVE_AGAIN : JANUS_LIVE_DONE;
  else
    result = self->live_result;
  test_agent_leave (self);
  return result;
}

static void
test_agent_end (JanusAgent *agent)
{
  TestAgent *self = TEST_AGENT (agent);

  test_agent_enter (self, 'e', &self->n_end, &self->state_in_end);
  if (self->on_end != NULL)
    self->on_end (self);
  test_agent_leave (self);
}

static void
test_agent_notify_state (GObject    *object,
                         GParamSpec *pspec,
                         gpointer    user_data)
{
  TestAgent *self = TEST_AGENT (object);
  JanusAgentState state = janus_agent_get_state (JANUS_AGENT (self));

  g_mutex_lock (&self->lock);
  g_array_append_val (self->states, state);
  g_ptr_array_add (self->state_threads, g_thread_self ());
  g_mutex_unlock (&self->lock);
}

static void
test_agent_finalize (GObject *object)
{
  TestAgent *self = TEST_AGENT (object);

  g_string_free (self->log, TRUE);
  g_clear_pointer (&self->parameters, g_variant_unref);
  g_array_unref (self->states);
  g_ptr_array_unref (self->state_threads);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (test_agent_parent_class)->finalize (object);
}

static void
test_agent_class_init (TestAgentClass *klass)
{
  JanusAgentClass *agent_class = JANUS_AGENT_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = test_agent_finalize;
  agent_class->activate = test_agent_activate;
  agent_class->live = test_agent_live;
  agent_class->end = test_agent_end;
}

static void
test_agent_init (TestAgent *self)
{
  g_mutex_init (&self->lock);
  self->log = g_string_new (NULL);
  self->live_result = JANUS_LIVE_WAIT;
  self->states = g_array_new (FALSE, FALSE, sizeof (JanusAgentState));
  self->state_threads = g_ptr_array_new ();
  g_signal_connect (self, "notify::state", G_CALLBACK (test_agent_notify_state), NULL);
}

static TestAgent *
test_agent_new (void)
{
  return g_object_new (test_agent_get_type (), NULL);
}

static TestAgent * G_GNUC_UNUSED
test_agent_new_countdown (int n)
{
  TestAgent *self = test_agent_new ();

  self->countdown = n;
  return self;
}

static char *
test_agent_dup_log (TestAgent *self)
{
  char *log;

  g_mutex_lock (&self->lock);
  log = g_strdup (self->log->str);
  g_mutex_unlock (&self->lock);
  return log;
}

#define assert_log(agent, expected)                     \
  G_STMT_START {                                        \
    g_autofree char *_log = test_agent_dup_log (agent); \
    g_assert_cmpstr (_log, ==, (expected));             \
  } G_STMT_END

static void G_GNUC_UNUSED
assert_states (TestAgent             *self,
               const JanusAgentState *expected,
               guint                  n)
{
  guint i;

  g_mutex_lock (&self->lock);
  g_assert_cmpuint (self->states->len, ==, n);
  for (i = 0; i < n; i++)
    g_assert_cmpint (g_array_index (self->states, JanusAgentState, i), ==, expected[i]);
  g_mutex_unlock (&self->lock);
}

/* ------------------------------------------------------------ helpers */

static void
launch_ok (JanusKernel *kernel,
           TestAgent   *agent,
           const char  *name,
           GVariant    *parameters)
{
  GError *error = NULL;

  g_assert_true (janus_kernel_launch_light_agent (kernel, JANUS_AGENT (agent),
                                                  name, parameters, &error));
  g_assert_no_error (error);
}

/* Steps until nothing is runnable; fails if that takes more than max steps. */
static guint G_GNUC_UNUSED
step_until_idle (JanusKernel *kernel,
                 guint        max)
{
  guint n = 0;

  while (janus_kernel_step (kernel))
    {
      n++;
      g_assert_cmpuint (n, <, max);
    }
  return n + 1;
}

/* Drops the last reference to @object, checking that it is the last. */
static void
unref_last (gpointer object)
{
  gpointer weak = object;

  g_object_add_weak_pointer (G_OBJECT (object), &weak);
  g_object_unref (object);
  g_assert_null (weak);
}

typedef struct
{
  GMutex      lock;
  guint       count;
  JanusAgent *agent;
  GQuark      domain;
  int         code;
  char       *message;
} FailRecord;

static void G_GNUC_UNUSED
on_agent_failed (JanusKernel  *kernel,
                 JanusAgent   *agent,
                 const GError *error,
                 FailRecord   *record)
{
  g_assert_nonnull (error);
  g_mutex_lock (&record->lock);
  record->count++;
  record->agent = agent;
  record->domain = error->domain;
  record->code = error->code;
  g_free (record->message);
  record->message = g_strdup (error->message);
  g_mutex_unlock (&record->lock);
}

static void G_GNUC_UNUSED
fail_record_clear (FailRecord *record)
{
  g_free (record->message);
  g_mutex_clear (&record->lock);
}

typedef struct
{
  JanusKernel *kernel;
  GMutex       lock;
  GCond        cond;
  gboolean     done;
} RunData;

static gpointer
run_thread (gpointer user_data)
{
  RunData *run = user_data;

  janus_kernel_run (run->kernel);
  g_mutex_lock (&run->lock);
  run->done = TRUE;
  g_cond_signal (&run->cond);
  g_mutex_unlock (&run->lock);
  return NULL;
}

/* janus_kernel_run () on another thread, failing after DEADLINE_USEC */
static void G_GNUC_UNUSED
run_bounded (JanusKernel *kernel)
{
  RunData run = { .kernel = kernel };
  gint64 deadline = g_get_monotonic_time () + DEADLINE_USEC;
  GThread *thread;

  g_mutex_init (&run.lock);
  g_cond_init (&run.cond);
  thread = g_thread_new ("run", run_thread, &run);
  g_mutex_lock (&run.lock);
  while (!run.done)
    if (!g_cond_wait_until (&run.cond, &run.lock, deadline))
      break;
  g_assert_true (run.done);
  g_mutex_unlock (&run.lock);
  g_thread_join (thread);
  g_mutex_clear (&run.lock);
  g_cond_clear (&run.cond);
}

static const JanusAddress *
addr (TestAgent *agent)
{
  return janus_agent_get_address (JANUS_AGENT (agent));
}

static gboolean
is_small (void)
{
  return g_getenv ("JANUS_TEST_SMALL") != NULL;
}

/* AGAIN for ever, yielding the CPU at each step: under valgrind, whose
 * threads share one lock, a worker that never makes a system call starves
 * the test thread. Not a synchronisation: only fairness. */
static JanusLive
live_again_yield (TestAgent *self)
{
  g_thread_yield ();
  return JANUS_LIVE_AGAIN;
}

/* --------------------------------------------------------------- self */

static JanusLive
live_kill_self (TestAgent *self)
{
  GError *error = NULL;

  g_assert_true (janus_agent_kill (JANUS_AGENT (self), JANUS_AGENT (self), &error));
  g_assert_no_error (error);
  /* deferred: the step goes on */
  g_assert_cmpint (janus_agent_get_state (JANUS_AGENT (self)), ==, JANUS_AGENT_STATE_ALIVE);
  g_assert_cmpint (self->n_end, ==, 0);
  self->after_kill_me = TRUE;
  return JANUS_LIVE_AGAIN;
}

static void
test_kill_self (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  TestAgent *agent = test_agent_new ();
  TestAgent *waiting = test_agent_new ();
  GError *error = NULL;

  /* from its own live */
  agent->on_live = live_kill_self;
  launch_ok (kernel, agent, NULL, NULL);
  g_assert_false (janus_kernel_step (kernel));
  g_assert_true (agent->after_kill_me);
  assert_log (agent, "ale");
  g_assert_cmpint (janus_agent_get_state (JANUS_AGENT (agent)), ==, JANUS_AGENT_STATE_DIED);

  /* self == other is allowed whoever calls it */
  launch_ok (kernel, waiting, NULL, NULL);
  g_assert_false (janus_kernel_step (kernel));
  g_assert_true (janus_agent_kill (JANUS_AGENT (waiting), JANUS_AGENT (waiting), &error));
  g_assert_no_error (error);
  g_assert_false (janus_kernel_step (kernel));
  assert_log (waiting, "ale");

  unref_last (kernel);
  unref_last (agent);
  unref_last (waiting);
}

/* ----------------------------------------------------------- launcher */

typedef enum {
  LAUNCH_IN_ACTIVATE,
  LAUNCH_IN_LIVE,
  LAUNCH_IN_END,
} LaunchWhere;

static void
launch_child (TestAgent *self)
{
  TestAgent *child = self->data;
  GError *error = NULL;

  g_assert_true (janus_kernel_launch_light_agent (janus_agent_get_kernel (JANUS_AGENT (self)),
                                                  JANUS_AGENT (child), "child", NULL, &error));
  g_assert_no_error (error);
}

static gboolean
activate_launch_child (TestAgent  *self,
                       GVariant   *parameters,
                       GError    **error)
{
  launch_child (self);
  return TRUE;
}

static JanusLive
live_launch_child (TestAgent *self)
{
  if (self->n_live == 1)
    launch_child (self);
  return JANUS_LIVE_WAIT;
}

static void
end_launch_child (TestAgent *self)
{
  launch_child (self);
}

/* The parent launches the child (in activate, live or end); once the child
 * is alive, janus_agent_kill (parent, child) is accepted. */
static void
test_kill_launcher (gconstpointer data)
{
  LaunchWhere where = GPOINTER_TO_INT (data);
  JanusKernel *kernel = janus_kernel_new (0);
  TestAgent *parent = test_agent_new ();
  TestAgent *child = test_agent_new ();
  GError *error = NULL;

  parent->data = child;
  if (where == LAUNCH_IN_ACTIVATE)
    parent->on_activate = activate_launch_child;
  else if (where == LAUNCH_IN_LIVE)
    parent->on_live = live_launch_child;
  else
    {
      parent->on_end = end_launch_child;
      parent->live_result = JANUS_LIVE_DONE;
    }
  launch_ok (kernel, parent, "parent", NULL);
  step_until_idle (kernel, 10);
  assert_log (child, "al");
  g_assert_cmpint (janus_agent_get_state (JANUS_AGENT (child)), ==, JANUS_AGENT_STATE_ALIVE);

  /* the child may not kill its launcher (unless it is dead already) */
  if (where != LAUNCH_IN_END)
    {
      g_assert_false (janus_agent_kill (JANUS_AGENT (child), JANUS_AGENT (parent), &error));
      g_assert_error (error, JANUS_ERROR, JANUS_ERROR_NOT_PERMITTED);
      g_clear_error (&error);
    }

  g_assert_true (janus_agent_kill (JANUS_AGENT (parent), JANUS_AGENT (child), &error));
  g_assert_no_error (error);
  step_until_idle (kernel, 10);
  assert_log (child, "ale");
  g_assert_cmpint (janus_agent_get_state (JANUS_AGENT (child)), ==, JANUS_AGENT_STATE_DIED);

  janus_kernel_kill_all (kernel);
  step_until_idle (kernel, 10);
  g_assert_cmpint (parent->n_end, ==, 1);

  unref_last (kernel);
  unref_last (parent);
  unref_last (child);
}

static gboolean
activate_launch_and_kill_child (TestAgent  *self,
                                GVariant   *parameters,
                                GError    **error)
{
  GError *local_error = NULL;

  launch_child (self);
  g_assert_true (janus_agent_kill (JANUS_AGENT (self), JANUS_AGENT (self->data), &local_error));
  g_assert_no_error (local_error);
  return TRUE;
}

static JanusLive
live_kill_child_then_done (TestAgent *self)
{
  GError *error = NULL;

  if (self->n_live == 1)
    return JANUS_LIVE_AGAIN;
  g_assert_true (janus_agent_kill (JANUS_AGENT (self), JANUS_AGENT (self->data), &error));
  g_assert_no_error (error);
  return JANUS_LIVE_DONE;
}

static void
test_kill_launcher_from_agent (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  TestAgent *parent = test_agent_new ();
  TestAgent *child = test_agent_new ();
  TestAgent *parent2 = test_agent_new ();
  TestAgent *child2 = test_agent_new ();

  /* launched in activate, killed at once (still BORN): activated, no live */
  parent->data = child;
  parent->on_activate = activate_launch_and_kill_child;
  parent->live_result = JANUS_LIVE_DONE;
  launch_ok (kernel, parent, "parent", NULL);

  /* launched in activate, killed from a later live (the child is ALIVE) */
  parent2->data = child2;
  parent2->on_activate = activate_launch_child;
  parent2->on_live = live_kill_child_then_done;
  launch_ok (kernel, parent2, "parent2", NULL);

  step_until_idle (kernel, 10);
  assert_log (parent, "ale");
  assert_log (child, "ae");
  assert_log (parent2, "alle");
  assert_log (child2, "ale");
  g_assert_cmpuint (janus_kernel_get_agent_count (kernel), ==, 0);

  unref_last (kernel);
  unref_last (parent);
  unref_last (child);
  unref_last (parent2);
  unref_last (child2);
}

/* ----------------------------------------------------------- strangers */

static void
assert_refused (TestAgent *killer,
                TestAgent *victim)
{
  g_autofree char *a = janus_address_to_string (addr (killer));
  g_autofree char *b = janus_address_to_string (addr (victim));
  GError *error = NULL;

  g_assert_false (janus_agent_kill (JANUS_AGENT (killer), JANUS_AGENT (victim), &error));
  g_assert_error (error, JANUS_ERROR, JANUS_ERROR_NOT_PERMITTED);
  /* the message names both agents */
  g_assert_nonnull (strstr (error->message, a));
  g_assert_nonnull (strstr (error->message, b));
  g_clear_error (&error);
}

static JanusLive
live_try_kill_stranger (TestAgent *self)
{
  assert_refused (self, self->data);
  return JANUS_LIVE_DONE;
}

static void
test_kill_stranger (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  TestAgent *a = test_agent_new ();
  TestAgent *b = test_agent_new ();
  TestAgent *parent = test_agent_new ();
  TestAgent *child = test_agent_new ();
  TestAgent *grandchild = test_agent_new ();
  TestAgent *sibling = test_agent_new ();

  /* a and b were both launched by the kernel: strangers */
  a->data = b;
  a->on_live = live_try_kill_stranger;
  launch_ok (kernel, b, "b", NULL);
  launch_ok (kernel, a, "a", NULL);

  /* parent → child → grandchild; sibling launched by the kernel */
  parent->data = child;
  parent->on_activate = activate_launch_child;
  child->data = grandchild;
  child->on_activate = activate_launch_child;
  launch_ok (kernel, parent, "parent", NULL);
  launch_ok (kernel, sibling, "sibling", NULL);
  step_until_idle (kernel, 10);

  assert_log (a, "ale");
  assert_log (b, "al");
  g_assert_cmpint (janus_agent_get_state (JANUS_AGENT (b)), ==, JANUS_AGENT_STATE_ALIVE);

  /* the same refusals asked from the test thread */
  assert_refused (b, a);
  assert_refused (b, parent);
  assert_refused (parent, grandchild);    /* not transitive */
  assert_refused (grandchild, parent);
  assert_refused (child, parent);
  assert_refused (sibling, child);
  assert_refused (child, sibling);

  step_until_idle (kernel, 10);
  assert_log (b, "al");
  assert_log (parent, "al");
  assert_log (child, "al");
  assert_log (grandchild, "al");
  assert_log (sibling, "al");

  janus_kernel_kill_all (kernel);
  step_until_idle (kernel, 10);
  g_assert_cmpuint (janus_kernel_get_agent_count (kernel), ==, 0);

  unref_last (kernel);
  unref_last (a);
  unref_last (b);
  unref_last (parent);
  unref_last (child);
  unref_last (grandchild);
  unref_last (sibling);
}

static void
test_kill_by_unlaunched (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  TestAgent *unlaunched = test_agent_new ();
  TestAgent *victim = test_agent_new ();
  GError *error = NULL;

  launch_ok (kernel, victim, NULL, NULL);
  step_until_idle (kernel, 10);

  /* an unlaunched agent has no right on anyone */
  g_assert_false (janus_agent_kill (JANUS_AGENT (unlaunched), JANUS_AGENT (victim), &error));
  g_assert_nonnull (error);
  g_assert_true (error->domain == JANUS_ERROR);
  g_assert_true (error->code == JANUS_ERROR_NOT_PERMITTED || error->code == JANUS_ERROR_NOT_LAUNCHED);
  g_clear_error (&error);
  step_until_idle (kernel, 10);
  assert_log (victim, "al");

  janus_kernel_kill_all (kernel);
  step_until_idle (kernel, 10);

  unref_last (kernel);
  unref_last (unlaunched);
  unref_last (victim);
}

/* -------------------------------------------------------------- kernel */

static void
test_kill_by_kernel (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  TestAgent *waiting = test_agent_new ();
  TestAgent *busy = test_agent_new ();
  GError *error = NULL;

  busy->live_result = JANUS_LIVE_AGAIN;
  launch_ok (kernel, waiting, NULL, NULL);
  launch_ok (kernel, busy, NULL, NULL);
  g_assert_true (janus_kernel_step (kernel));

  g_assert_true (janus_kernel_kill (kernel, JANUS_AGENT (waiting), &error));
  g_assert_no_error (error);
  g_assert_true (janus_kernel_kill (kernel, JANUS_AGENT (busy), &error));
  g_assert_no_error (error);
  g_assert_false (janus_kernel_step (kernel));
  assert_log (waiting, "ale");
  assert_log (busy, "ale");
  g_assert_cmpuint (janus_kernel_get_agent_count (kernel), ==, 0);

  unref_last (kernel);
  unref_last (waiting);
  unref_last (busy);
}

static void
test_kill_other_kernel (void)
{
  JanusKernel *k1 = janus_kernel_new (0);
  JanusKernel *k2 = janus_kernel_new (0);
  TestAgent *agent = test_agent_new ();
  TestAgent *parent = test_agent_new ();
  TestAgent *remote_child = test_agent_new ();
  GError *error = NULL;

  launch_ok (k1, agent, NULL, NULL);
  step_until_idle (k1, 10);

  g_assert_false (janus_kernel_kill (k2, JANUS_AGENT (agent), &error));
  g_assert_error (error, JANUS_ERROR, JANUS_ERROR_NOT_PERMITTED);
  g_clear_error (&error);
  step_until_idle (k1, 10);
  assert_log (agent, "al");

  /* a k2 agent launched by another k2 agent */
  parent->data = remote_child;
  parent->on_activate = activate_launch_child;
  launch_ok (k2, parent, NULL, NULL);
  step_until_idle (k2, 10);
  assert_log (remote_child, "al");
  g_assert_true (janus_agent_get_kernel (JANUS_AGENT (remote_child)) == k2);
  /* k1 may not kill k2's agents either */
  g_assert_false (janus_kernel_kill (k1, JANUS_AGENT (remote_child), &error));
  g_assert_error (error, JANUS_ERROR, JANUS_ERROR_NOT_PERMITTED);
  g_clear_error (&error);
  /* and an agent of k1 may not kill an agent of k2 */
  g_assert_false (janus_agent_kill (JANUS_AGENT (agent), JANUS_AGENT (remote_child), &error));
  g_assert_error (error, JANUS_ERROR, JANUS_ERROR_NOT_PERMITTED);
  g_clear_error (&error);

  g_assert_true (janus_kernel_kill (k1, JANUS_AGENT (agent), &error));
  g_assert_no_error (error);
  step_until_idle (k1, 10);
  assert_log (agent, "ale");

  unref_last (k1);
  unref_last (k2);
  unref_last (agent);
  unref_last (parent);
  unref_last (remote_child);
}

/* An agent whose activate launches its child on the kernel set as "k2". */
static gboolean
activate_launch_child_elsewhere (TestAgent  *self,
                                 GVariant   *parameters,
                                 GError    **error)
{
  TestAgent *child = self->data;
  GError *local_error = NULL;

  g_assert_true (janus_kernel_launch_light_agent (g_object_get_data (G_OBJECT (self), "k2"),
                                                  JANUS_AGENT (child), "remote", NULL,
                                                  &local_error));
  g_assert_no_error (local_error);
  return TRUE;
}

static void
test_kill_launched_on_other_kernel (void)
{
  JanusKernel *k1 = janus_kernel_new (0);
  JanusKernel *k2 = janus_kernel_new (0);
  TestAgent *parent = test_agent_new ();
  TestAgent *child = test_agent_new ();
  GError *error = NULL;

  /* launching on another kernel gives no right: the child is k2's */
  parent->data = child;
  g_object_set_data (G_OBJECT (parent), "k2", k2);
  parent->on_activate = activate_launch_child_elsewhere;
  launch_ok (k1, parent, NULL, NULL);
  step_until_idle (k1, 10);
  step_until_idle (k2, 10);
  assert_log (parent, "al");
  assert_log (child, "al");

  g_assert_false (janus_agent_kill (JANUS_AGENT (parent), JANUS_AGENT (child), &error));
  g_assert_error (error, JANUS_ERROR, JANUS_ERROR_NOT_PERMITTED);
  g_clear_error (&error);
  step_until_idle (k2, 10);
  assert_log (child, "al");

  g_assert_true (janus_kernel_kill (k2, JANUS_AGENT (child), &error));
  g_assert_no_error (error);
  step_until_idle (k2, 10);
  assert_log (child, "ale");

  unref_last (k1);
  unref_last (k2);
  unref_last (parent);
  unref_last (child);
}

/* -------------------------------------------------------- not launched */

static void
test_kill_not_launched (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  TestAgent *agent = test_agent_new ();
  TestAgent *unlaunched = test_agent_new_countdown (1);
  GError *error = NULL;

  launch_ok (kernel, agent, NULL, NULL);

  g_assert_false (janus_kernel_kill (kernel, JANUS_AGENT (unlaunched), &error));
  g_assert_error (error, JANUS_ERROR, JANUS_ERROR_NOT_LAUNCHED);
  g_clear_error (&error);
  g_assert_false (janus_agent_kill (JANUS_AGENT (agent), JANUS_AGENT (unlaunched), &error));
  g_assert_error (error, JANUS_ERROR, JANUS_ERROR_NOT_LAUNCHED);
  g_clear_error (&error);
  g_assert_false (janus_agent_kill (JANUS_AGENT (unlaunched), JANUS_AGENT (unlaunched), &error));
  g_assert_error (error, JANUS_ERROR, JANUS_ERROR_NOT_LAUNCHED);
  g_clear_error (&error);

  /* the refused kills left it launchable */
  g_assert_cmpint (janus_agent_get_state (JANUS_AGENT (unlaunched)), ==, JANUS_AGENT_STATE_UNBORN);
  launch_ok (kernel, unlaunched, NULL, NULL);
  step_until_idle (kernel, 10);
  assert_log (unlaunched, "ale");

  janus_kernel_kill_all (kernel);
  step_until_idle (kernel, 10);

  unref_last (kernel);
  unref_last (agent);
  unref_last (unlaunched);
}

/* --------------------------------------------------------- idempotence */

static void
end_kill_again (TestAgent *self)
{
  JanusAgent *agent = JANUS_AGENT (self);
  GError *error = NULL;

  /* kills asked during end (BREAKING_DOWN) succeed and change nothing */
  g_assert_true (janus_agent_kill (agent, agent, &error));
  g_assert_no_error (error);
  g_assert_true (janus_kernel_kill (janus_agent_get_kernel (agent), agent, &error));
  g_assert_no_error (error);
  janus_agent_kill_me (agent);
}

static void
test_kill_idempotent (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  TestAgent *agent = test_agent_new ();
  TestAgent *parent = test_agent_new ();
  TestAgent *child = test_agent_new ();
  GError *error = NULL;
  int i;

  agent->on_end = end_kill_again;
  parent->data = child;
  parent->on_activate = activate_launch_child;
  launch_ok (kernel, agent, NULL, NULL);
  launch_ok (kernel, parent, NULL, NULL);
  step_until_idle (kernel, 10);

  /* twice before it dies */
  for (i = 0; i < 2; i++)
    {
      g_assert_true (janus_kernel_kill (kernel, JANUS_AGENT (agent), &error));
      g_assert_no_error (error);
      g_assert_true (janus_agent_kill (JANUS_AGENT (agent), JANUS_AGENT (agent), &error));
      g_assert_no_error (error);
      g_assert_true (janus_agent_kill (JANUS_AGENT (parent), JANUS_AGENT (child), &error));
      g_assert_no_error (error);
    }
  step_until_idle (kernel, 10);
  assert_log (agent, "ale");
  assert_log (child, "ale");

  /* and after: killing the dead succeeds and does nothing */
  for (i = 0; i < 2; i++)
    {
      g_assert_true (janus_kernel_kill (kernel, JANUS_AGENT (agent), &error));
      g_assert_no_error (error);
      g_assert_true (janus_agent_kill (JANUS_AGENT (agent), JANUS_AGENT (agent), &error));
      g_assert_no_error (error);
      g_assert_true (janus_agent_kill (JANUS_AGENT (parent), JANUS_AGENT (child), &error));
      g_assert_no_error (error);
    }
  janus_kernel_kill_all (kernel);
  step_until_idle (kernel, 10);
  assert_log (agent, "ale");
  assert_log (child, "ale");
  assert_log (parent, "ale");

  unref_last (kernel);
  unref_last (agent);
  unref_last (parent);
  unref_last (child);
}

/* ------------------------------------------------------- waiting, BORN */

static void
test_kill_waiting (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  TestAgent *by_kernel = test_agent_new ();
  TestAgent *by_self = test_agent_new ();
  GError *error = NULL;

  launch_ok (kernel, by_kernel, NULL, NULL);
  launch_ok (kernel, by_self, NULL, NULL);
  g_assert_false (janus_kernel_step (kernel));
  g_assert_false (janus_kernel_step (kernel));
  assert_log (by_kernel, "al");

  /* the kill makes the sleeping agent runnable; it dies without living */
  g_assert_true (janus_kernel_kill (kernel, JANUS_AGENT (by_kernel), &error));
  g_assert_no_error (error);
  g_assert_true (janus_agent_kill (JANUS_AGENT (by_self), JANUS_AGENT (by_self), &error));
  g_assert_no_error (error);
  g_assert_false (janus_kernel_step (kernel));
  assert_log (by_kernel, "ale");
  assert_log (by_self, "ale");
  g_assert_cmpint (janus_agent_get_state (JANUS_AGENT (by_kernel)), ==, JANUS_AGENT_STATE_DIED);
  g_assert_cmpint (janus_agent_get_state (JANUS_AGENT (by_self)), ==, JANUS_AGENT_STATE_DIED);

  unref_last (kernel);
  unref_last (by_kernel);
  unref_last (by_self);
}

static void
test_kill_born (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  TestAgent *agent = test_agent_new ();
  GError *error = NULL;

  agent->live_result = JANUS_LIVE_AGAIN;
  launch_ok (kernel, agent, NULL, NULL);
  g_assert_true (janus_kernel_kill (kernel, JANUS_AGENT (agent), &error));
  g_assert_no_error (error);
  /* nothing ran yet */
  assert_log (agent, "");
  g_assert_cmpint (janus_agent_get_state (JANUS_AGENT (agent)), ==, JANUS_AGENT_STATE_BORN);

  /* activate still runs, then end, without live */
  g_assert_false (janus_kernel_step (kernel));
  assert_log (agent, "ae");
  g_assert_cmpint (janus_agent_get_state (JANUS_AGENT (agent)), ==, JANUS_AGENT_STATE_DIED);
  g_assert_cmpuint (janus_kernel_get_agent_count (kernel), ==, 0);

  unref_last (kernel);
  unref_last (agent);
}

/* ------------------------------------------------------------ kill_all */

static void
test_kill_all_no_workers (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  guint n = is_small () ? 30 : 300, i;
  GPtrArray *agents = g_ptr_array_new ();
  int *lives = g_new0 (int, n);

  /* two thirds stepped (AGAIN, WAIT), one third launched afterwards (BORN) */
  for (i = 0; i < n; i++)
    {
      TestAgent *agent = test_agent_new ();

      agent->live_result = i % 3 == 0 ? JANUS_LIVE_AGAIN : JANUS_LIVE_WAIT;
      g_ptr_array_add (agents, agent);
      if (i % 3 != 2)
        launch_ok (kernel, agent, NULL, NULL);
    }
  g_assert_true (janus_kernel_step (kernel));
  g_assert_true (janus_kernel_step (kernel));
  for (i = 2; i < n; i += 3)
    launch_ok (kernel, agents->pdata[i], NULL, NULL);
  for (i = 0; i < n; i++)
    lives[i] = ((TestAgent *) agents->pdata[i])->n_live;

  janus_kernel_kill_all (kernel);
  janus_kernel_run (kernel);

  g_assert_cmpuint (janus_kernel_get_agent_count (kernel), ==, 0);
  for (i = 0; i < n; i++)
    {
      TestAgent *agent = agents->pdata[i];

      g_assert_cmpint (janus_agent_get_state (JANUS_AGENT (agent)), ==, JANUS_AGENT_STATE_DIED);
      g_assert_cmpint (agent->n_activate, ==, 1);
      g_assert_cmpint (agent->n_end, ==, 1);
      /* no live after the kill */
      g_assert_cmpint (agent->n_live, ==, lives[i]);
    }

  unref_last (kernel);
  for (i = 0; i < n; i++)
    unref_last (agents->pdata[i]);
  g_ptr_array_unref (agents);
  g_free (lives);
}

typedef struct
{
  GMutex lock;
  GCond  cond;
  guint  activated;
} Counter;

static gboolean
activate_count (TestAgent  *self,
                GVariant   *parameters,
                GError    **error)
{
  Counter *counter = self->data;

  g_mutex_lock (&counter->lock);
  counter->activated++;
  g_cond_signal (&counter->cond);
  g_mutex_unlock (&counter->lock);
  return TRUE;
}

static void
test_kill_all_workers (void)
{
  JanusKernel *kernel = janus_kernel_new (2);
  guint n = is_small () ? 20 : 200, i;
  GPtrArray *agents = g_ptr_array_new ();
  Counter counter = { 0 };
  gint64 deadline;

  g_mutex_init (&counter.lock);
  g_cond_init (&counter.cond);
  for (i = 0; i < n; i++)
    {
      TestAgent *agent = test_agent_new ();

      agent->data = &counter;
      agent->on_activate = activate_count;
      if (i % 2)
        agent->on_live = live_again_yield;
      g_ptr_array_add (agents, agent);
      launch_ok (kernel, agent, NULL, NULL);
    }

  /* wait until every agent started, then kill them all mid-life */
  deadline = g_get_monotonic_time () + DEADLINE_USEC;
  g_mutex_lock (&counter.lock);
  while (counter.activated < n)
    if (!g_cond_wait_until (&counter.cond, &counter.lock, deadline))
      break;
  g_assert_cmpuint (counter.activated, ==, n);
  g_mutex_unlock (&counter.lock);

  janus_kernel_kill_all (kernel);
  run_bounded (kernel);

  g_assert_cmpuint (janus_kernel_get_agent_count (kernel), ==, 0);
  for (i = 0; i < n; i++)
    {
      TestAgent *agent = agents->pdata[i];

      g_assert_cmpint (janus_agent_get_state (JANUS_AGENT (agent)), ==, JANUS_AGENT_STATE_DIED);
      g_assert_cmpint (agent->n_activate, ==, 1);
      g_assert_cmpint (agent->n_end, ==, 1);
      g_assert_false (agent->overlap);
    }

  unref_last (kernel);
  for (i = 0; i < n; i++)
    unref_last (agents->pdata[i]);
  g_ptr_array_unref (agents);
  g_mutex_clear (&counter.lock);
  g_cond_clear (&counter.cond);
}

static JanusLive
live_kill_all (TestAgent *self)
{
  janus_kernel_kill_all (janus_agent_get_kernel (JANUS_AGENT (self)));
  /* the caller too dies only at the end of its step */
  g_assert_cmpint (janus_agent_get_state (JANUS_AGENT (self)), ==, JANUS_AGENT_STATE_ALIVE);
  g_assert_cmpint (self->n_end, ==, 0);
  self->after_kill_me = TRUE;
  return JANUS_LIVE_AGAIN;
}

static void
test_kill_all_from_agent (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  TestAgent *busy = test_agent_new ();
  TestAgent *waiting = test_agent_new ();
  TestAgent *killer = test_agent_new ();
  TestAgent *later = test_agent_new ();

  busy->live_result = JANUS_LIVE_AGAIN;
  killer->on_live = live_kill_all;
  later->live_result = JANUS_LIVE_AGAIN;
  launch_ok (kernel, busy, "busy", NULL);
  launch_ok (kernel, waiting, "waiting", NULL);
  launch_ok (kernel, killer, "killer", NULL);
  launch_ok (kernel, later, "later", NULL);

  /* one step: busy and waiting live, the killer kills everyone and dies at
   * the end of its turn; later (still BORN) is activated and dies */
  g_assert_true (janus_kernel_step (kernel));
  g_assert_true (killer->after_kill_me);
  assert_log (killer, "ale");
  g_assert_cmpint (janus_agent_get_state (JANUS_AGENT (killer)), ==, JANUS_AGENT_STATE_DIED);
  assert_log (later, "ae");
  assert_log (busy, "al");
  assert_log (waiting, "al");

  /* the others die at their next turn, without living again */
  g_assert_false (janus_kernel_step (kernel));
  assert_log (busy, "ale");
  assert_log (waiting, "ale");
  assert_log (killer, "ale");
  assert_log (later, "ae");
  g_assert_cmpuint (janus_kernel_get_agent_count (kernel), ==, 0);

  unref_last (kernel);
  unref_last (busy);
  unref_last (waiting);
  unref_last (killer);
  unref_last (later);
}

/* ----------------------------------------------------------------- main */

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/agent/kill/self", test_kill_self);
  g_test_add_data_func ("/agent/kill/launcher/in-activate",
                        GINT_TO_POINTER (LAUNCH_IN_ACTIVATE), test_kill_launcher);
  g_test_add_data_func ("/agent/kill/launcher/in-live",
                        GINT_TO_POINTER (LAUNCH_IN_LIVE), test_kill_launcher);
  g_test_add_data_func ("/agent/kill/launcher/in-end",
                        GINT_TO_POINTER (LAUNCH_IN_END), test_kill_launcher);
  g_test_add_func ("/agent/kill/launcher/from-agent", test_kill_launcher_from_agent);
  g_test_add_func ("/agent/kill/stranger", test_kill_stranger);
  g_test_add_func ("/agent/kill/by-unlaunched", test_kill_by_unlaunched);
  g_test_add_func ("/agent/kill/kernel", test_kill_by_kernel);
  g_test_add_func ("/agent/kill/other-kernel", test_kill_other_kernel);
  g_test_add_func ("/agent/kill/launched-on-other-kernel", test_kill_launched_on_other_kernel);
  g_test_add_func ("/agent/kill/not-launched", test_kill_not_launched);
  g_test_add_func ("/agent/kill/idempotent", test_kill_idempotent);
  g_test_add_func ("/agent/kill/waiting", test_kill_waiting);
  g_test_add_func ("/agent/kill/born", test_kill_born);
  g_test_add_func ("/agent/kill/all/no-workers", test_kill_all_no_workers);
  g_test_add_func ("/agent/kill/all/workers", test_kill_all_workers);
  g_test_add_func ("/agent/kill/all/from-agent", test_kill_all_from_agent);

  return g_test_run ();
}
