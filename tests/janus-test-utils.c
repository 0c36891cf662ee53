/* SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * What the C tests share (see janus-test-utils.h).
 */
#include <stdarg.h>
#include <string.h>

#include "janus-test-utils.h"

gboolean
test_small (void)
{
  return g_getenv ("JANUS_TEST_SMALL") != NULL;
}

/* ------------------------------------------------------------ event log */

static GMutex log_lock;
static GString *event_log;

void
log_event (const char *format,
           ...)
{
  va_list ap;

  g_mutex_lock (&log_lock);
  if (event_log == NULL)
    event_log = g_string_new (NULL);
  va_start (ap, format);
  g_string_append_vprintf (event_log, format, ap);
  va_end (ap);
  g_string_append_c (event_log, ';');
  g_mutex_unlock (&log_lock);
}

char *
log_take (void)
{
  char *s;

  g_mutex_lock (&log_lock);
  s = g_strdup (event_log ? event_log->str : "");
  if (event_log)
    g_string_truncate (event_log, 0);
  g_mutex_unlock (&log_lock);
  return s;
}

void
log_clear (void)
{
  g_free (log_take ());
}

/* ------------------------------------------------------------ TestAgent */

guint test_current_step;

/* the TestAgent whose vfunc runs on this thread */
static GPrivate running_agent;

G_DEFINE_TYPE (TestAgent, test_agent, JANUS_TYPE_AGENT)

TestAgent *
test_agent_running (void)
{
  return g_private_get (&running_agent);
}

static void
vfunc_enter (TestAgent        *self,
             char              what,
             gint             *counter,
             JanusAgentState  *state,
             GThread         **thread)
{
  g_mutex_lock (&self->lock);
  if (self->in_vfunc)
    self->overlap = TRUE;
  self->in_vfunc = TRUE;
  g_string_append_c (self->log, what);
  g_atomic_int_inc (counter);
  *state = janus_agent_get_state (JANUS_AGENT (self));
  if (what == 'l' && self->live_thread != NULL && self->live_thread != g_thread_self ())
    self->thread_changed = TRUE;
  *thread = g_thread_self ();
  g_mutex_unlock (&self->lock);
  g_private_set (&running_agent, self);
}

static void
vfunc_leave (TestAgent *self)
{
  g_private_set (&running_agent, NULL);
  g_mutex_lock (&self->lock);
  self->in_vfunc = FALSE;
  g_mutex_unlock (&self->lock);
}

static gboolean
test_agent_real_activate (JanusAgent  *agent,
                          GVariant    *parameters,
                          GError     **error)
{
  TestAgent *self = TEST_AGENT (agent);
  gboolean ok = TRUE;

  vfunc_enter (self, 'a', &self->n_activate, &self->state_in_activate, &self->activate_thread);
  g_mutex_lock (&self->lock);
  self->got_parameters = TRUE;
  self->parameters = parameters ? g_variant_ref (parameters) : NULL;
  g_mutex_unlock (&self->lock);
  if (self->activate != NULL)
    ok = self->activate (self, parameters, error);
  if (ok && self->on_activate != NULL)
    self->on_activate (self, self->data);
  vfunc_leave (self);
  return ok;
}

/* The action agent_do asked for, if any. */
static TestAction
take_action (TestAgent *self,
             gpointer  *data)
{
  TestAction action;

  g_mutex_lock (&self->lock);
  action = g_steal_pointer (&self->action);
  *data = self->action_data;
  g_mutex_unlock (&self->lock);
  return action;
}

static JanusLive
test_agent_real_live (JanusAgent *agent)
{
  TestAgent *self = TEST_AGENT (agent);
  gpointer data = NULL;
  TestAction action;
  JanusLive result;

  vfunc_enter (self, 'l', &self->n_live, &self->state_in_live, &self->live_thread);
  self->live_step = test_current_step;
  action = take_action (self, &data);
  if (action != NULL)
    action (self, data);
  if (self->live != NULL)
    result = self->live (self);
  else if (self->countdown > 0)
    result = g_atomic_int_get (&self->n_live) < self->countdown ? JANUS_LIVE_AGAIN
                                                                 : JANUS_LIVE_DONE;
  else if (self->live_result != TEST_LIVE_DEFAULT)
    result = self->live_result;
  else
    result = JANUS_AGENT_CLASS (test_agent_parent_class)->live (agent);
  vfunc_leave (self);
  if (action != NULL)
    {
      g_mutex_lock (&self->lock);
      self->action_done = TRUE;
      g_cond_broadcast (&self->cond);
      g_mutex_unlock (&self->lock);
    }
  return result;
}

static void
test_agent_real_end (JanusAgent *agent)
{
  TestAgent *self = TEST_AGENT (agent);

  vfunc_enter (self, 'e', &self->n_end, &self->state_in_end, &self->end_thread);
  if (self->end != NULL)
    self->end (self);
  if (self->on_end != NULL)
    self->on_end (self, self->data);
  vfunc_leave (self);
  g_mutex_lock (&self->lock);
  self->ended = TRUE;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
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
  g_ptr_array_unref (self->got);
  g_array_unref (self->got_step);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);

  G_OBJECT_CLASS (test_agent_parent_class)->finalize (object);
}

static void
test_agent_class_init (TestAgentClass *klass)
{
  JanusAgentClass *agent_class = JANUS_AGENT_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = test_agent_finalize;
  agent_class->activate = test_agent_real_activate;
  agent_class->live = test_agent_real_live;
  agent_class->end = test_agent_real_end;
}

static void
test_agent_init (TestAgent *self)
{
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  self->log = g_string_new (NULL);
  self->live_result = TEST_LIVE_DEFAULT;
  self->states = g_array_new (FALSE, FALSE, sizeof (JanusAgentState));
  self->state_threads = g_ptr_array_new ();
  self->got = g_ptr_array_new_with_free_func ((GDestroyNotify) janus_message_unref);
  self->got_step = g_array_new (FALSE, FALSE, sizeof (guint));
  g_signal_connect (self, "notify::state", G_CALLBACK (test_agent_notify_state), NULL);
}

TestAgent *
test_agent_new (TestLiveFunc live,
                gpointer     data)
{
  TestAgent *self = g_object_new (TEST_TYPE_AGENT, NULL);

  self->live = live;
  self->data = data;
  return self;
}

TestAgent *
test_agent_new_countdown (int n)
{
  TestAgent *self = test_agent_new (NULL, NULL);

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

gboolean
test_agent_has_ended (TestAgent *self)
{
  gboolean ended;

  g_mutex_lock (&self->lock);
  ended = self->ended;
  g_mutex_unlock (&self->lock);
  return ended;
}

void
test_agent_keep (TestAgent    *self,
                 JanusMessage *message)
{
  g_ptr_array_add (self->got, message);
  g_array_append_val (self->got_step, test_current_step);
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

JanusLive
collect_live (TestAgent *self)
{
  JanusMessage *m;

  while ((m = janus_agent_get_message (AGENT (self))) != NULL)
    test_agent_keep (self, m);
  return JANUS_LIVE_WAIT;
}

JanusLive
take_one_live (TestAgent *self)
{
  JanusMessage *m = janus_agent_get_message (AGENT (self));

  if (m != NULL)
    test_agent_keep (self, m);
  return JANUS_LIVE_WAIT;
}

JanusLive
deaf_live (TestAgent *self)
{
  return JANUS_LIVE_WAIT;
}

/* ------------------------------------------------------------- TestRole */

G_DEFINE_TYPE (TestRole, test_role, JANUS_TYPE_ROLE)

static gboolean
test_role_activate (JanusRole  *role,
                    GVariant   *init,
                    GError    **error)
{
  TestRole *self = TEST_ROLE (role);

  self->n_activate++;
  self->activate_thread = g_thread_self ();
  log_event ("activate %s", G_OBJECT_TYPE_NAME (role));
  if (init == NULL)
    return TRUE;
  g_clear_pointer (&self->init, g_variant_unref);
  self->init = g_variant_ref (init);
  if (g_variant_is_of_type (init, G_VARIANT_TYPE_STRING))
    {
      if (g_str_equal (g_variant_get_string (init, NULL), "fail"))
        {
          g_set_error (error, TEST_ERROR, 7, "refused by the test");
          return FALSE;
        }
      if (g_str_equal (g_variant_get_string (init, NULL), "fail-silent"))
        return FALSE;
    }
  return TRUE;
}

static JanusLive
test_role_live (JanusRole *role)
{
  TestRole *self = TEST_ROLE (role);
  JanusMessage *m;

  self->n_live++;
  if (self->live)
    return self->live (self);
  while ((m = janus_role_get_message (role)) != NULL)
    {
      g_mutex_lock (&self->lock);
      g_ptr_array_add (self->got, m);
      g_array_append_val (self->got_at, test_current_step);
      g_cond_broadcast (&self->cond);
      g_mutex_unlock (&self->lock);
    }
  return JANUS_LIVE_WAIT;
}

static void
test_role_end (JanusRole *role)
{
  TestRole *self = TEST_ROLE (role);

  self->n_end++;
  self->player_in_end = janus_role_get_player (role);
  log_event ("end %s", G_OBJECT_TYPE_NAME (role));
}

static void
test_role_finalize (GObject *object)
{
  TestRole *self = TEST_ROLE (object);

  g_clear_pointer (&self->init, g_variant_unref);
  g_ptr_array_unref (self->got);
  g_array_unref (self->got_at);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);
  G_OBJECT_CLASS (test_role_parent_class)->finalize (object);
}

static void
test_role_class_init (TestRoleClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = test_role_finalize;
  JANUS_ROLE_CLASS (klass)->activate = test_role_activate;
  JANUS_ROLE_CLASS (klass)->live = test_role_live;
  JANUS_ROLE_CLASS (klass)->end = test_role_end;
}

static void
test_role_init (TestRole *self)
{
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  self->got = g_ptr_array_new_with_free_func ((GDestroyNotify) janus_message_unref);
  self->got_at = g_array_new (FALSE, FALSE, sizeof (guint));
}

JanusLive
live_idle (TestRole *self)
{
  return JANUS_LIVE_WAIT;
}

GType
register_type (GType           parent,
               const char     *name,
               GClassInitFunc  class_init)
{
  GTypeQuery q;

  g_type_query (parent, &q);
  g_assert_cmpuint (q.type, !=, 0);
  return g_type_register_static_simple (parent, g_intern_string (name),
                                        q.class_size, class_init,
                                        q.instance_size, NULL, 0);
}

/* -------------------------------------------------------------- TestCap */

G_DEFINE_INTERFACE (TestCap, test_cap, JANUS_TYPE_CAPACITY)

static void
test_cap_default_init (TestCapInterface *iface)
{
}

typedef struct
{
  GObject parent_instance;
} TestCapImpl;

typedef struct
{
  GObjectClass parent_class;
} TestCapImplClass;

static void test_cap_impl_capacity_init (JanusCapacityInterface *iface) { }
static void test_cap_impl_cap_init (TestCapInterface *iface) { }

G_DEFINE_TYPE_WITH_CODE (TestCapImpl, test_cap_impl, G_TYPE_OBJECT,
                         G_IMPLEMENT_INTERFACE (JANUS_TYPE_CAPACITY, test_cap_impl_capacity_init)
                         G_IMPLEMENT_INTERFACE (TEST_TYPE_CAP, test_cap_impl_cap_init))

static void test_cap_impl_class_init (TestCapImplClass *klass) { }
static void test_cap_impl_init (TestCapImpl *self) { }

/* ------------------------------------------------------------- counters */

void
test_bump (GMutex     *lock,
           GCond      *cond,
           atomic_int *counter)
{
  g_mutex_lock (lock);
  atomic_fetch_add (counter, 1);
  g_cond_broadcast (cond);
  g_mutex_unlock (lock);
}

gboolean
test_wait_count (GMutex     *lock,
                 GCond      *cond,
                 atomic_int *counter,
                 int         min)
{
  return test_wait_count_for (lock, cond, counter, min, DEADLINE_USEC);
}

gboolean
test_wait_count_for (GMutex     *lock,
                     GCond      *cond,
                     atomic_int *counter,
                     int         min,
                     gint64      timeout_usec)
{
  gint64 deadline = g_get_monotonic_time () + timeout_usec;
  gboolean ok = TRUE;

  g_mutex_lock (lock);
  while (ok && atomic_load (counter) < min)
    ok = g_cond_wait_until (cond, lock, deadline);
  ok = atomic_load (counter) >= min;
  g_mutex_unlock (lock);
  return ok;
}

/* ------------------------------------------------------- running kernels */

gboolean
test_step (JanusKernel *kernel)
{
  test_current_step++;
  return janus_kernel_step (kernel);
}

guint
step_until_idle (JanusKernel *kernel,
                 guint        max)
{
  guint n = 1;

  while (test_step (kernel))
    {
      n++;
      if (n > max)
        g_error ("the kernel still had work after %u steps", max);
    }
  return n;
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
  run_bounded_for (kernel, DEADLINE_USEC / G_USEC_PER_SEC);
}

void
run_bounded_for (JanusKernel *kernel,
                 guint        seconds)
{
  RunData run = { .kernel = kernel };
  gint64 deadline = g_get_monotonic_time () + seconds * G_USEC_PER_SEC;
  GThread *thread;

  g_mutex_init (&run.lock);
  g_cond_init (&run.cond);
  thread = g_thread_new ("run", run_thread, &run);
  g_mutex_lock (&run.lock);
  while (!run.done)
    if (!g_cond_wait_until (&run.cond, &run.lock, deadline))
      break;
  if (!run.done)
    g_error ("janus_kernel_run did not return within %u s", seconds);
  g_mutex_unlock (&run.lock);
  g_thread_join (thread);
  g_mutex_clear (&run.lock);
  g_cond_clear (&run.cond);
}

void
launch_ok (JanusKernel *kernel,
           gpointer     agent,
           const char  *name,
           GVariant    *parameters)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (janus_kernel_launch_light_agent (kernel, JANUS_AGENT (agent),
                                                  name, parameters, &error));
  g_assert_no_error (error);
}

void
kernel_send_ok (JanusKernel        *kernel,
                const JanusAddress *to,
                JanusMessage       *message)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (janus_kernel_send (kernel, to, message, &error));
  g_assert_no_error (error);
}

TestAgent *
launch_alive (JanusKernel *kernel,
              TestAgent   *agent)
{
  launch_ok (kernel, agent, NULL, NULL);
  if (janus_kernel_get_workers (kernel) == 0)
    {
      step_until_idle (kernel, 1000);
      g_assert_cmpint (janus_agent_get_state (AGENT (agent)), ==, JANUS_AGENT_STATE_ALIVE);
    }
  return agent;
}

TestAgent *
launch_new (JanusKernel *kernel,
            TestAction   on_activate,
            gpointer     data)
{
  TestAgent *agent = test_agent_new (NULL, data);

  agent->on_activate = on_activate;
  return launch_alive (kernel, agent);
}

void
agent_do (JanusKernel *kernel,
          TestAgent   *agent,
          TestAction   action,
          gpointer     data)
{
  gint64 deadline = g_get_monotonic_time () + DEADLINE_USEC;
  gboolean done = FALSE;
  guint i;

  g_mutex_lock (&agent->lock);
  agent->action = action;
  agent->action_data = data;
  agent->action_done = FALSE;
  g_mutex_unlock (&agent->lock);
  janus_agent_wake (AGENT (agent));
  if (janus_kernel_get_workers (kernel) == 0)
    {
      for (i = 0; i < 100 && !done; i++)
        {
          test_step (kernel);
          g_mutex_lock (&agent->lock);
          done = agent->action_done;
          g_mutex_unlock (&agent->lock);
        }
      g_assert_true (done);
      return;
    }
  g_mutex_lock (&agent->lock);
  while (!agent->action_done)
    if (!g_cond_wait_until (&agent->cond, &agent->lock, deadline))
      g_error ("the agent did not run the action in time");
  g_mutex_unlock (&agent->lock);
}

void
kill_and_wait (JanusKernel *kernel,
               TestAgent   *agent)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (janus_kernel_kill (kernel, AGENT (agent), &error));
  g_assert_no_error (error);
  step_until_idle (kernel, 10);
  g_assert_cmpint (janus_agent_get_state (AGENT (agent)), ==, JANUS_AGENT_STATE_DIED);
}

void
finish (JanusKernel *kernel,
        ...)
{
  va_list ap;
  gpointer object;

  janus_kernel_shutdown (kernel);
  g_assert_finalize_object (kernel);
  va_start (ap, kernel);
  while ((object = va_arg (ap, gpointer)) != NULL)
    g_assert_finalize_object (object);
  va_end (ap);
}

void
unref_last (gpointer object)
{
  gpointer weak = object;

  g_object_add_weak_pointer (G_OBJECT (object), &weak);
  g_object_unref (object);
  g_assert_null (weak);
}

typedef struct
{
  TestWorkersFunc func;
  gconstpointer   data;
  guint           workers;
} WorkersCase;

static void
run_workers_case (gconstpointer data)
{
  const WorkersCase *c = data;

  c->func (c->workers, c->data);
}

void
add_on_workers (const char      *path,
                TestWorkersFunc  func,
                gconstpointer    data)
{
  static const guint counts[] = { 0, 2 };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (counts); i++)
    {
      WorkersCase *c = g_new (WorkersCase, 1);
      g_autofree char *name = g_strdup_printf ("%s/%u-workers", path, counts[i]);

      c->func = func;
      c->data = data;
      c->workers = counts[i];
      g_test_add_data_func_full (name, c, run_workers_case, g_free);
    }
}

typedef struct
{
  TestCriticalFunc func;
  const char      *name;
} CriticalCase;

static void
run_critical_case (gconstpointer data)
{
  const CriticalCase *c = data;

  if (g_test_subprocess ())
    {
      c->func (c->name);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*CRITICAL*");
}

void
add_critical_cases (const char        *path,
                    TestCriticalFunc   func,
                    const char *const *names,
                    guint              n)
{
  guint i;

  for (i = 0; i < n; i++)
    {
      CriticalCase *c = g_new (CriticalCase, 1);
      g_autofree char *name = g_strdup_printf ("%s/%s", path, names[i]);

      c->func = func;
      c->name = names[i];
      g_test_add_data_func_full (name, c, run_critical_case, g_free);
    }
}

/* ---------------------------------------------------------------- groups */

JanusGroup *
new_group (JanusKernel *kernel,
           GType        organization)
{
  g_autoptr(GError) error = NULL;
  JanusGroup *group = janus_kernel_create_group (kernel, organization, &error);

  g_assert_no_error (error);
  g_assert_nonnull (group);
  return group;
}

TestRole *
take_init (TestAgent  *agent,
           GType       role_type,
           JanusGroup *group,
           GVariant   *init)
{
  g_autoptr(GError) error = NULL;
  JanusRole *role = janus_agent_request_role (AGENT (agent), role_type, group, init, &error);

  g_assert_no_error (error);
  g_assert_nonnull (role);
  g_assert_true (G_OBJECT_TYPE (role) == role_type);
  return TEST_ROLE (role);
}

TestRole *
take (TestAgent  *agent,
      GType       role_type,
      JanusGroup *group)
{
  return take_init (agent, role_type, group, NULL);
}

void
leave (TestAgent  *agent,
       GType       role_type,
       JanusGroup *group)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (janus_agent_leave_role (AGENT (agent), role_type, group, &error));
  g_assert_no_error (error);
}

void
expect_names (const GError *error,
              GType         role_type,
              JanusGroup   *group)
{
  g_assert_nonnull (error);
  if (strstr (error->message, g_type_name (role_type)) == NULL)
    g_test_fail_printf ("error %d “%s” does not name the role %s",
                        error->code, error->message, g_type_name (role_type));
  if (strstr (error->message, janus_group_get_uuid (group)) == NULL)
    g_test_fail_printf ("error %d “%s” does not name the group %s",
                        error->code, error->message, janus_group_get_uuid (group));
}
/* ------------------------------------------------------------ messages */

void
count_destroy (gpointer data)
{
  g_atomic_int_inc ((gint *) data);
}

JanusMessage *
counted_message (const char *subject,
                 gint       *counter)
{
  return janus_message_new_pointer (subject, counter, count_destroy);
}

gint64
value_of (JanusMessage *message)
{
  gint64 v = -1;

  g_assert_nonnull (message);
  g_assert_true (janus_message_get_int64 (message, &v));
  return v;
}

/* ------------------------------------------------------------ lifetimes */

static void
gone_notify (gpointer data,
             GObject *where_the_object_was)
{
  TestGone *gone = data;

  g_mutex_lock (&gone->lock);
  gone->gone = TRUE;
  g_cond_broadcast (&gone->cond);
  g_mutex_unlock (&gone->lock);
}

void
test_gone_watch (TestGone *gone,
                 gpointer  object)
{
  g_mutex_init (&gone->lock);
  g_cond_init (&gone->cond);
  gone->gone = FALSE;
  g_object_weak_ref (object, gone_notify, gone);
}

gboolean
test_gone_wait (TestGone *gone)
{
  gint64 deadline = g_get_monotonic_time () + DEADLINE_USEC;
  gboolean result;

  g_mutex_lock (&gone->lock);
  while (!gone->gone)
    if (!g_cond_wait_until (&gone->cond, &gone->lock, deadline))
      break;
  result = gone->gone;
  g_mutex_unlock (&gone->lock);
  return result;
}

gboolean
test_gone_is_gone (TestGone *gone)
{
  gboolean result;

  g_mutex_lock (&gone->lock);
  result = gone->gone;
  g_mutex_unlock (&gone->lock);
  return result;
}

void
test_gone_clear (TestGone *gone)
{
  g_mutex_clear (&gone->lock);
  g_cond_clear (&gone->cond);
}

guint
test_count_threads (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/task", 0, NULL);
  guint n = 0;

  g_assert_nonnull (dir);
  while (g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

static gpointer
nothing (gpointer data)
{
  return NULL;
}

void
test_settle_threads (void)
{
  g_thread_join (g_thread_new ("settle", nothing, NULL));
}

gboolean
test_wait_threads (guint n)
{
  gint64 deadline = g_get_monotonic_time () + DEADLINE_USEC;

  while (test_count_threads () > n)
    {
      if (g_get_monotonic_time () > deadline)
        return FALSE;
      g_usleep (1000);
    }
  return TRUE;
}

/* ------------------------------------------------------- agent failures */

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
  record->thread = g_thread_self ();
  record->domain = error->domain;
  record->code = error->code;
  g_free (record->message);
  record->message = g_strdup (error->message);
  g_mutex_unlock (&record->lock);
}

void
on_role_failed (JanusKernel  *kernel,
                JanusRole    *role,
                const GError *error,
                FailRecord   *record)
{
  g_assert_nonnull (error);
  g_assert_true (JANUS_IS_ROLE (role));
  g_mutex_lock (&record->lock);
  record->count++;
  record->role = role;
  record->agent = janus_role_get_player (role);
  record->thread = g_thread_self ();
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
