/* SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * TestAgent and helpers shared by the lifecycle, kill and kernel tests
 * (see test-agent.h).
 */
#include "test-agent.h"

G_DEFINE_TYPE (TestAgent, test_agent, JANUS_TYPE_AGENT)

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

TestAgent *
test_agent_new (void)
{
  return g_object_new (test_agent_get_type (), NULL);
}

TestAgent *
test_agent_new_countdown (int n)
{
  TestAgent *self = test_agent_new ();

  self->countdown = n;
  return self;
}

char *
test_agent_dup_log (TestAgent *self)
{
  char *log;

  g_mutex_lock (&self->lock);
  log = g_strdup (self->log->str);
  g_mutex_unlock (&self->lock);
  return log;
}

void
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

void
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

guint
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

void
unref_last (gpointer object)
{
  gpointer weak = object;

  g_object_add_weak_pointer (G_OBJECT (object), &weak);
  g_object_unref (object);
  g_assert_null (weak);
}

void
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

void
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

void
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