/* SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Hostile teardown orders: the application (or an agent, or a role)
 * releases kernels, agents, roles, groups and messages in orders the
 * library did not choose, from inside agents and from outside, on 0 and 2
 * workers. Nothing may crash, read freed memory, leak, hang, leave a
 * thread behind or lose a dead letter. Run clean under ASan+UBSan, TSan
 * and valgrind.
 */
#include "janus-test-utils.h"

/* ---------------------------------------------------------- HoldAgent */

/* An agent that holds its kernel: takes a reference in activate, and drops
 * it in end (drop_in_end) or only when it is finalized. Its live waits
 * until woken, then ends; with end_on_timer it ends at a timer set in
 * activate instead. */
typedef struct
{
  JanusAgent   parent_instance;
  JanusKernel *kernel;          /* strong, taken in activate */
  gboolean     drop_in_end;
  gboolean     end_on_timer;
  GMutex       lock;
  GCond        cond;
  int          n_live;
  gboolean     ended;
  JanusKernel *kernel_in_end;   /* what janus_agent_get_kernel said in end */
} HoldAgent;
typedef struct { JanusAgentClass parent_class; } HoldAgentClass;
static GType hold_agent_get_type (void);
G_DEFINE_TYPE (HoldAgent, hold_agent, JANUS_TYPE_AGENT)

static void
hold_end_soon (JanusAgent *agent,
               gpointer    data)
{
  janus_agent_kill_me (agent);
}

static gboolean
hold_agent_activate (JanusAgent  *agent,
                     GVariant    *parameters,
                     GError     **error)
{
  HoldAgent *self = (HoldAgent *) agent;

  self->kernel = g_object_ref (janus_agent_get_kernel (agent));
  if (self->end_on_timer)
    janus_agent_call_in (agent, G_TIME_SPAN_MILLISECOND, hold_end_soon, NULL, NULL);
  return TRUE;
}

static JanusLive
hold_agent_live (JanusAgent *agent)
{
  HoldAgent *self = (HoldAgent *) agent;
  int n;

  g_mutex_lock (&self->lock);
  n = ++self->n_live;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
  return n == 1 || self->end_on_timer ? JANUS_LIVE_WAIT : JANUS_LIVE_DONE;
}

static void
hold_agent_end (JanusAgent *agent)
{
  HoldAgent *self = (HoldAgent *) agent;

  self->kernel_in_end = janus_agent_get_kernel (agent);
  g_assert_true (self->kernel_in_end == self->kernel);
  if (self->drop_in_end)
    g_clear_object (&self->kernel);
  g_mutex_lock (&self->lock);
  self->ended = TRUE;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
}

static void
hold_agent_dispose (GObject *object)
{
  g_clear_object (&((HoldAgent *) object)->kernel);
  G_OBJECT_CLASS (hold_agent_parent_class)->dispose (object);
}

static void
hold_agent_finalize (GObject *object)
{
  HoldAgent *self = (HoldAgent *) object;

  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);
  G_OBJECT_CLASS (hold_agent_parent_class)->finalize (object);
}

static void
hold_agent_class_init (HoldAgentClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = hold_agent_dispose;
  G_OBJECT_CLASS (klass)->finalize = hold_agent_finalize;
  JANUS_AGENT_CLASS (klass)->activate = hold_agent_activate;
  JANUS_AGENT_CLASS (klass)->live = hold_agent_live;
  JANUS_AGENT_CLASS (klass)->end = hold_agent_end;
}

static void
hold_agent_init (HoldAgent *self)
{
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
}

static gboolean
hold_has_ended (HoldAgent *self)
{
  gboolean ended;

  g_mutex_lock (&self->lock);
  ended = self->ended;
  g_mutex_unlock (&self->lock);
  return ended;
}

/* Waits until its live ran @n times (stepping a 0-worker kernel). */
static void
hold_wait_live (JanusKernel *kernel,
                HoldAgent   *self,
                int          n)
{
  gint64 deadline = g_get_monotonic_time () + DEADLINE_USEC;

  if (kernel != NULL && janus_kernel_get_workers (kernel) == 0)
    step_until_idle (kernel, 100);
  g_mutex_lock (&self->lock);
  while (self->n_live < n)
    if (!g_cond_wait_until (&self->cond, &self->lock, deadline))
      break;
  g_assert_cmpint (self->n_live, >=, n);
  g_mutex_unlock (&self->lock);
}

static HoldAgent *
launch_hold (JanusKernel *kernel,
             gboolean     drop_in_end,
             gboolean     end_on_timer,
             gboolean     heavy)
{
  HoldAgent *agent = g_object_new (hold_agent_get_type (), NULL);
  g_autoptr(GError) error = NULL;

  agent->drop_in_end = drop_in_end;
  agent->end_on_timer = end_on_timer;
  if (heavy)
    g_assert_true (janus_kernel_launch_heavy_agent (kernel, JANUS_AGENT (agent), "holder",
                                                    NULL, &error));
  else
    g_assert_true (janus_kernel_launch_light_agent (kernel, JANUS_AGENT (agent), "holder",
                                                    NULL, &error));
  g_assert_no_error (error);
  return agent;
}

/* Asserts that @gone's kernel went, and that the threads it started (and
 * the one that shut it down) ended. */
static void
assert_kernel_gone (TestGone *gone,
                    guint     threads_before)
{
  g_assert_true (test_gone_wait (gone));
  g_assert_true (test_wait_threads (threads_before));
  test_gone_clear (gone);
}

/* ------------------------------------------------ the last kernel unref */

/* The last reference to a kernel dropped by a dying agent's end, on the
 * kernel's own worker (or, without workers, inside the step the
 * application runs): the application dropped its own before. */
static void
test_last_unref_in_end (guint         workers,
                        gconstpointer data)
{
  guint threads_before = test_count_threads ();
  JanusKernel *kernel = janus_kernel_new (workers);
  HoldAgent *agent = launch_hold (kernel, TRUE, FALSE, FALSE);
  TestGone kernel_gone;

  test_gone_watch (&kernel_gone, kernel);
  hold_wait_live (kernel, agent, 1);
  g_object_unref (kernel);                      /* the agent's is the last */
  janus_agent_wake (JANUS_AGENT (agent));       /* live returns DONE */
  if (workers == 0)
    janus_kernel_step (kernel);                 /* alive: the agent holds it */
  assert_kernel_gone (&kernel_gone, threads_before);
  g_assert_cmpint (janus_agent_get_state (JANUS_AGENT (agent)), ==, JANUS_AGENT_STATE_DIED);
  g_assert_true (hold_has_ended (agent));
  g_assert_nonnull (agent->kernel_in_end);
  g_assert_null (janus_agent_get_kernel (JANUS_AGENT (agent)));
  unref_last (agent);
}

/* The same on a heavy agent's own thread. */
static void
test_last_unref_on_heavy_thread (void)
{
  guint threads_before = test_count_threads ();
  JanusKernel *kernel = janus_kernel_new (1);
  HoldAgent *agent = launch_hold (kernel, TRUE, FALSE, TRUE);
  TestGone kernel_gone;

  test_gone_watch (&kernel_gone, kernel);
  hold_wait_live (kernel, agent, 1);
  g_object_unref (kernel);
  janus_agent_wake (JANUS_AGENT (agent));
  assert_kernel_gone (&kernel_gone, threads_before);
  g_assert_true (hold_has_ended (agent));
  unref_last (agent);
}

/* The agent lets the kernel go only when it is finalized: once it died,
 * neither may stay alive. */
static void
test_last_unref_in_agent_finalize (guint         workers,
                                   gconstpointer data)
{
  guint threads_before = test_count_threads ();
  JanusKernel *kernel = janus_kernel_new (workers);
  HoldAgent *agent = launch_hold (kernel, FALSE, TRUE, FALSE);
  TestGone kernel_gone, agent_gone;

  test_gone_watch (&kernel_gone, kernel);
  test_gone_watch (&agent_gone, agent);
  if (workers == 0)
    {
      /* runs the agent until its timer kills it */
      janus_kernel_run (kernel);
      g_assert_true (hold_has_ended (agent));
    }
  g_object_unref (agent);
  g_object_unref (kernel);
  g_assert_true (test_gone_wait (&agent_gone));
  test_gone_clear (&agent_gone);
  assert_kernel_gone (&kernel_gone, threads_before);
}

/* Many kernels held only by their agents, which die by themselves: none
 * may be left behind, nor any of their threads. */
static void
test_kernels_held_by_agents (gconstpointer data)
{
  gboolean heavy = GPOINTER_TO_INT (data);
  guint threads_before = test_count_threads ();
  TestGone gone[20];

  for (guint i = 0; i < G_N_ELEMENTS (gone); i++)
    {
      JanusKernel *kernel = janus_kernel_new (heavy ? 1 : 2);
      HoldAgent *agent = launch_hold (kernel, FALSE, TRUE, heavy);

      test_gone_watch (&gone[i], kernel);
      g_object_unref (agent);
      g_object_unref (kernel);
    }
  for (guint i = 0; i < G_N_ELEMENTS (gone); i++)
    {
      g_assert_true (test_gone_wait (&gone[i]));
      test_gone_clear (&gone[i]);
    }
  g_assert_true (test_wait_threads (threads_before));
}

static gboolean
refuse (TestAgent  *self,
        GVariant   *parameters,
        GError    **error)
{
  g_set_error_literal (error, TEST_ERROR, 1, "no");
  return FALSE;
}

static void
drop_kernel (JanusKernel  *kernel,
             JanusAgent   *agent,
             const GError *error,
             gpointer      data)
{
  JanusKernel **held = data;

  g_assert_true (*held == kernel);
  g_clear_object (held);
}

/* A signal handler, running in an agent's step, drops the application's
 * last reference. */
static void
test_last_unref_in_handler (guint         workers,
                            gconstpointer data)
{
  guint threads_before = test_count_threads ();
  JanusKernel *kernel = janus_kernel_new (workers);
  JanusKernel *borrowed = kernel;
  TestAgent *agent = test_agent_new (NULL, NULL);
  TestGone kernel_gone;

  test_gone_watch (&kernel_gone, kernel);
  g_signal_connect (kernel, "agent-failed", G_CALLBACK (drop_kernel), &kernel);
  agent->activate = refuse;
  launch_ok (kernel, agent, "refuser", NULL);
  if (workers == 0)
    janus_kernel_step (borrowed);
  assert_kernel_gone (&kernel_gone, threads_before);
  g_assert_null (kernel);
  g_assert_cmpint (janus_agent_get_state (AGENT (agent)), ==, JANUS_AGENT_STATE_DIED);
  assert_log (agent, "ae");
  unref_last (agent);
}

/* ---------------------------------------------- dead agents are released */

/* An agent that died on a kernel left idle is released at once (without
 * workers: when the step returns; on workers and heavy threads: without
 * anything else happening), not when the kernel next works. */
static void
test_released_when_idle (guint         workers,
                         gconstpointer data)
{
  gboolean heavy = GPOINTER_TO_INT (data);
  JanusKernel *kernel = janus_kernel_new (workers);
  TestAgent *agent = test_agent_new_countdown (1);
  g_autoptr(GError) error = NULL;
  TestGone agent_gone;

  test_gone_watch (&agent_gone, agent);
  if (heavy)
    g_assert_true (janus_kernel_launch_heavy_agent (kernel, AGENT (agent), NULL, NULL, &error));
  else
    g_assert_true (janus_kernel_launch_light_agent (kernel, AGENT (agent), NULL, NULL, &error));
  g_assert_no_error (error);
  g_object_unref (agent);                       /* the kernel's is the last */
  if (workers == 0 && !heavy)
    {
      step_until_idle (kernel, 10);
      g_assert_true (test_gone_is_gone (&agent_gone));
    }
  else
    g_assert_true (test_gone_wait (&agent_gone));
  test_gone_clear (&agent_gone);
  g_assert_cmpuint (janus_kernel_get_agent_count (kernel), ==, 0);
  unref_last (kernel);
}

/* -------------------------------------------- an agent outlives its kernel */

static GMutex seen_lock;

static void
record_kernel_in_state (GObject    *object,
                        GParamSpec *pspec,
                        gpointer    data)
{
  GPtrArray *seen = data;

  g_mutex_lock (&seen_lock);
  g_ptr_array_add (seen, janus_agent_get_kernel (JANUS_AGENT (object)));
  g_mutex_unlock (&seen_lock);
}

/* janus_agent_get_kernel and the kernel property: NULL before the launch,
 * the kernel in every state up to BREAKING_DOWN (end), NULL once DIED —
 * and after the kernel is gone, never a dangling pointer. */
static void
test_agent_outlives_kernel (guint         workers,
                            gconstpointer data)
{
  guint threads_before = test_count_threads ();
  JanusKernel *kernel = janus_kernel_new (workers);
  TestAgent *agent = test_agent_new (NULL, NULL);
  g_autoptr(GPtrArray) seen = g_ptr_array_new ();
  g_autoptr(JanusMessage) kept = janus_message_new ("late", NULL);
  g_autoptr(GError) error = NULL;
  JanusKernel *prop = (gpointer) 0x1;
  TestGone kernel_gone;

  g_assert_null (janus_agent_get_kernel (AGENT (agent)));
  g_object_get (agent, "kernel", &prop, NULL);
  g_assert_null (prop);
  g_signal_connect (agent, "notify::state", G_CALLBACK (record_kernel_in_state), seen);
  launch_ok (kernel, agent, "survivor", NULL);
  if (workers == 0)
    step_until_idle (kernel, 10);

  test_gone_watch (&kernel_gone, kernel);
  janus_kernel_shutdown (kernel);
  g_object_unref (kernel);
  assert_kernel_gone (&kernel_gone, threads_before);

  /* BORN, ALIVE, DYING, BREAKING_DOWN: the kernel; DIED: NULL */
  g_mutex_lock (&seen_lock);
  g_assert_cmpuint (seen->len, ==, 5);
  for (guint i = 0; i < 4; i++)
    g_assert_true (seen->pdata[i] == kernel);
  g_assert_null (seen->pdata[4]);
  g_mutex_unlock (&seen_lock);

  g_assert_cmpint (janus_agent_get_state (AGENT (agent)), ==, JANUS_AGENT_STATE_DIED);
  g_assert_null (janus_agent_get_kernel (AGENT (agent)));
  g_object_get (agent, "kernel", &prop, NULL);
  g_assert_null (prop);
  g_assert_nonnull (janus_agent_get_address (AGENT (agent)));
  g_assert_cmpstr (janus_agent_get_name (AGENT (agent)), ==, "survivor");

  /* what one may still ask of a dead agent is harmless */
  janus_agent_wake (AGENT (agent));
  g_assert_true (janus_agent_kill (AGENT (agent), AGENT (agent), &error));
  g_assert_no_error (error);
  g_assert_false (janus_agent_send (AGENT (agent), janus_agent_get_address (AGENT (agent)),
                                    janus_message_ref (kept), &error));
  g_assert_error (error, JANUS_KERNEL_ERROR, JANUS_KERNEL_ERROR_AGENT_DEAD);
  g_assert_nonnull (strstr (error->message, "survivor"));
  unref_last (agent);
}

/* --------------------------------------------------------------- roles */

typedef enum {
  LEAVE_NONE,
  LEAVE_IN_ACTIVATE,
  LEAVE_IN_END,
} LeaveWhen;

typedef struct { JanusOrganization parent_instance; } TOrg;
typedef struct { JanusOrganizationClass parent_class; } TOrgClass;
typedef struct
{
  JanusRole  parent_instance;
  LeaveWhen  leave;
  int        n_end;
  gboolean   left_in_end;       /* janus_agent_leave_role's result there */
} TRole;
typedef struct { JanusRoleClass parent_class; } TRoleClass;
static GType t_org_get_type (void);
static GType t_role_get_type (void);
G_DEFINE_TYPE (TRole, t_role, JANUS_TYPE_ROLE)
G_DEFINE_TYPE (TOrg, t_org, JANUS_TYPE_ORGANIZATION)

static gboolean
leave_self (JanusRole *role)
{
  JanusAgent *player = janus_role_get_player (role);
  g_autoptr(GError) error = NULL;
  gboolean left;

  left = janus_agent_leave_role (player, G_OBJECT_TYPE (role), janus_role_get_group (role), &error);
  g_assert_no_error (error);
  return left;
}

static gboolean
t_role_activate (JanusRole  *role,
                 GVariant   *init,
                 GError    **error)
{
  TRole *self = (TRole *) role;

  self->leave = init ? g_variant_get_int32 (init) : LEAVE_NONE;
  if (self->leave == LEAVE_IN_ACTIVATE)
    g_assert_true (leave_self (role));
  return TRUE;
}

static void
t_role_end (JanusRole *role)
{
  TRole *self = (TRole *) role;

  self->n_end++;
  if (self->leave == LEAVE_IN_END)
    self->left_in_end = leave_self (role);
}

static JanusLive
t_role_live (JanusRole *role)
{
  JanusMessage *m;

  while ((m = janus_role_get_message (role)) != NULL)
    janus_message_unref (m);
  return JANUS_LIVE_WAIT;
}

static void
t_role_class_init (TRoleClass *klass)
{
  JANUS_ROLE_CLASS (klass)->activate = t_role_activate;
  JANUS_ROLE_CLASS (klass)->live = t_role_live;
  JANUS_ROLE_CLASS (klass)->end = t_role_end;
}

static void t_role_init (TRole *self) { }

static void
t_org_class_init (TOrgClass *klass)
{
  janus_organization_class_add_role (JANUS_ORGANIZATION_CLASS (klass), t_role_get_type (), 0);
}

static void t_org_init (TOrg *self) { }

typedef struct
{
  JanusGroup *group;
  LeaveWhen   leave;
  JanusRole  *role;             /* strong: what request_role returned */
  GError     *error;            /* what it said otherwise */
} Request;

static void
request_t_role (TestAgent *agent,
                gpointer   data)
{
  Request *r = data;
  JanusRole *role;

  role = janus_agent_request_role (AGENT (agent), t_role_get_type (), r->group,
                                   g_variant_new_int32 (r->leave), &r->error);
  r->role = role ? g_object_ref (role) : NULL;
}

static void
count_signal (gpointer instance,
              gpointer role,
              gpointer data)
{
  atomic_fetch_add ((atomic_int *) data, 1);
}

/* Settles a kernel: 0 workers, steps until idle; workers: waits until
 * @agent is DIED (if @dead) */
static void
wait_died (JanusKernel *kernel,
           JanusAgent  *agent)
{
  gint64 deadline = g_get_monotonic_time () + DEADLINE_USEC;

  if (janus_kernel_get_workers (kernel) == 0)
    step_until_idle (kernel, 100);
  while (janus_agent_get_state (agent) != JANUS_AGENT_STATE_DIED)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_thread_yield ();
    }
}

/* A role that leaves itself in its own activate is not taken: the request
 * fails with ROLE_NOT_PLAYED, its end does not run, the group never lists
 * it nor signals it. */
static void
test_role_leaves_itself_in_activate (guint         workers,
                                     gconstpointer data)
{
  JanusKernel *kernel = janus_kernel_new (workers);
  JanusGroup *group = new_group (kernel, t_org_get_type ());
  TestAgent *player = launch_alive (kernel, test_agent_new (NULL, NULL));
  TestAgent *other = launch_alive (kernel, test_agent_new (NULL, NULL));
  Request r = { group, LEAVE_IN_ACTIVATE, NULL, NULL };
  Request o = { group, LEAVE_NONE, NULL, NULL };
  atomic_int taken = 0, left = 0;
  guint n = 0;
  g_autoptr(GError) error = NULL;
  TestGone player_gone;

  janus_group_set_persistent (group, TRUE);
  g_signal_connect (group, "role-taken", G_CALLBACK (count_signal), &taken);
  g_signal_connect (group, "role-left", G_CALLBACK (count_signal), &left);
  agent_do (kernel, player, request_t_role, &r);
  g_assert_null (r.role);
  g_assert_error (r.error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_ROLE_NOT_PLAYED);
  g_clear_error (&r.error);
  g_assert_cmpuint (janus_group_count_players (group, t_role_get_type ()), ==, 0);
  g_assert_cmpint (atomic_load (&taken), ==, 0);
  g_assert_cmpint (atomic_load (&left), ==, 0);

  agent_do (kernel, other, request_t_role, &o);
  g_assert_nonnull (o.role);
  g_assert_no_error (o.error);

  /* the first player dies and is freed: nothing of it is left in the group */
  test_gone_watch (&player_gone, player);
  g_assert_true (janus_kernel_kill (kernel, AGENT (player), &error));
  g_assert_no_error (error);
  wait_died (kernel, AGENT (player));
  g_object_unref (player);
  g_assert_true (test_gone_wait (&player_gone));
  test_gone_clear (&player_gone);
  g_assert_cmpuint (janus_group_count_players (group, t_role_get_type ()), ==, 1);

  /* the group still works: no peer, the sender is never its own receiver */
  g_assert_true (janus_role_broadcast (o.role, t_role_get_type (),
                                       janus_message_new ("hello", NULL), &n, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 0);
  g_assert_cmpint (atomic_load (&taken), ==, 1);
  g_assert_cmpint (atomic_load (&left), ==, 0);

  janus_kernel_shutdown (kernel);
  g_assert_cmpint (atomic_load (&left), ==, 1);
  g_assert_cmpint (((TRole *) o.role)->n_end, ==, 1);
  g_object_unref (o.role);
  g_object_unref (group);
  unref_last (kernel);
  unref_last (other);
}

/* A role that leaves itself in its own end: the leave is already under way,
 * so it succeeds at once, and the role is ended and signalled once. */
static void
test_role_leaves_itself_in_end (guint         workers,
                                gconstpointer data)
{
  JanusKernel *kernel = janus_kernel_new (workers);
  JanusGroup *group = new_group (kernel, t_org_get_type ());
  TestAgent *player = launch_alive (kernel, test_agent_new (NULL, NULL));
  Request r = { group, LEAVE_IN_END, NULL, NULL };
  atomic_int left = 0;
  g_autoptr(GError) error = NULL;

  janus_group_set_persistent (group, TRUE);
  g_signal_connect (group, "role-left", G_CALLBACK (count_signal), &left);
  agent_do (kernel, player, request_t_role, &r);
  g_assert_nonnull (r.role);
  g_assert_no_error (r.error);

  /* the player dies: its roles are left, this one once */
  g_assert_true (janus_kernel_kill (kernel, AGENT (player), &error));
  g_assert_no_error (error);
  wait_died (kernel, AGENT (player));
  g_assert_cmpint (((TRole *) r.role)->n_end, ==, 1);
  g_assert_true (((TRole *) r.role)->left_in_end);
  g_assert_cmpint (atomic_load (&left), ==, 1);
  g_assert_false (janus_role_is_played (r.role));
  g_assert_cmpuint (janus_group_count_players (group, t_role_get_type ()), ==, 0);

  janus_kernel_shutdown (kernel);
  g_assert_cmpint (atomic_load (&left), ==, 1);
  g_object_unref (r.role);
  g_object_unref (group);
  unref_last (kernel);
  unref_last (player);
}

/* Role and group kept after the kernel is gone: a post fails clearly. */
static void
test_role_outlives_kernel (guint         workers,
                           gconstpointer data)
{
  guint threads_before = test_count_threads ();
  JanusKernel *kernel = janus_kernel_new (workers);
  JanusGroup *group = new_group (kernel, t_org_get_type ());
  TestAgent *player = launch_alive (kernel, test_agent_new (NULL, NULL));
  Request r = { group, LEAVE_NONE, NULL, NULL };
  g_autoptr(GError) error = NULL;
  TestGone kernel_gone;

  agent_do (kernel, player, request_t_role, &r);
  g_assert_nonnull (r.role);

  test_gone_watch (&kernel_gone, kernel);
  g_object_unref (kernel);
  assert_kernel_gone (&kernel_gone, threads_before);

  /* the role was left when its player died */
  g_assert_false (janus_role_is_played (r.role));
  g_assert_null (janus_role_get_player (r.role));
  g_assert_true (janus_role_get_group (r.role) == group);
  g_assert_null (janus_agent_get_kernel (AGENT (player)));
  g_assert_null (janus_group_get_kernel (group));
  g_assert_false (janus_group_is_alive (group));
  g_assert_false (janus_role_post (r.role, janus_message_new ("late", NULL), &error));
  g_assert_error (error, JANUS_KERNEL_ERROR, JANUS_KERNEL_ERROR_STOPPED);
  g_object_unref (r.role);
  unref_last (player);
  unref_last (group);
}

static void
count_dead (JanusKernel  *kernel,
            JanusMessage *message,
            gpointer      data)
{
  atomic_fetch_add ((atomic_int *) data, 1);
}

typedef struct
{
  JanusRole  *role;
  atomic_int  posted;
} Poster;

static gpointer
post_main (gpointer data)
{
  Poster *p = data;
  g_autoptr(GError) error = NULL;

  g_assert_true (janus_role_post (p->role, janus_message_new ("from-thread", NULL), &error));
  g_assert_no_error (error);
  atomic_fetch_add (&p->posted, 1);
  return NULL;
}

/* Posts to a role whose player died, while the kernel exists: counted and
 * signalled dead letters, from any thread. */
static void
test_role_post_to_dead_player (guint         workers,
                               gconstpointer data)
{
  JanusKernel *kernel = janus_kernel_new (workers);
  JanusGroup *group = new_group (kernel, t_org_get_type ());
  TestAgent *player = launch_alive (kernel, test_agent_new (NULL, NULL));
  Request r = { group, LEAVE_NONE, NULL, NULL };
  g_autoptr(GError) error = NULL;
  atomic_int signalled = 0;
  Poster p = { 0 };
  guint64 before;

  agent_do (kernel, player, request_t_role, &r);
  g_assert_nonnull (r.role);
  g_signal_connect (kernel, "dead-letter", G_CALLBACK (count_dead), &signalled);
  g_assert_true (janus_kernel_kill (kernel, AGENT (player), &error));
  g_assert_no_error (error);
  wait_died (kernel, AGENT (player));
  before = janus_kernel_get_dead_letter_count (kernel);
  atomic_store (&signalled, 0);

  g_assert_true (janus_role_post (r.role, janus_message_new ("late", NULL), &error));
  g_assert_no_error (error);
  p.role = r.role;
  g_thread_join (g_thread_new ("poster", post_main, &p));
  g_assert_cmpint (atomic_load (&p.posted), ==, 1);
  g_assert_cmpuint (janus_kernel_get_dead_letter_count (kernel), ==, before + 2);
  g_assert_cmpint (atomic_load (&signalled), ==, 2);

  janus_kernel_shutdown (kernel);
  g_object_unref (r.role);
  g_object_unref (group);
  unref_last (kernel);
  unref_last (player);
}

/* Dead letters (and their signal) of one kernel, counted while it is
 * destroyed. */
typedef struct
{
  atomic_int signalled;
  gint64     counted;           /* the kernel's count when it went */
} Letters;

static void
letters_seen_going (gpointer data,
                    GObject *where_the_object_was)
{
  Letters *l = data;

  /* the weak reference fires in the kernel's last dispose, where its
   * handlers go: nothing is counted after this */
  l->counted = (gint64) janus_kernel_get_dead_letter_count (JANUS_KERNEL (where_the_object_was));
}

typedef struct
{
  JanusRole   *role;
  atomic_bool  stop;
  atomic_int   ok;
  atomic_int   refused;
} PostFlood;

static gpointer
post_flood_main (gpointer data)
{
  PostFlood *f = data;

  while (!atomic_load (&f->stop))
    {
      g_autoptr(GError) error = NULL;

      if (janus_role_post (f->role, janus_message_new ("flood", NULL), &error))
        atomic_fetch_add (&f->ok, 1);
      else
        {
          g_assert_error (error, JANUS_KERNEL_ERROR, JANUS_KERNEL_ERROR_STOPPED);
          atomic_fetch_add (&f->refused, 1);
          break;
        }
    }
  return NULL;
}

/* Two threads post to a role while the application drops the last
 * reference to the kernel: every post is delivered, a dead letter, or
 * refused once the kernel is gone; every dead letter counted is signalled. */
static void
test_role_post_while_kernel_goes (guint         workers,
                                  gconstpointer data)
{
  guint threads_before = test_count_threads ();
  JanusKernel *kernel = janus_kernel_new (workers);
  JanusGroup *group = new_group (kernel, t_org_get_type ());
  TestAgent *player = launch_alive (kernel, test_agent_new (NULL, NULL));
  Request r = { group, LEAVE_NONE, NULL, NULL };
  PostFlood f = { 0 };
  Letters letters = { 0 };
  GThread *threads[2];
  TestGone kernel_gone;

  agent_do (kernel, player, request_t_role, &r);
  g_assert_nonnull (r.role);
  f.role = r.role;
  g_signal_connect (kernel, "dead-letter", G_CALLBACK (count_dead), &letters.signalled);
  g_object_weak_ref (G_OBJECT (kernel), letters_seen_going, &letters);
  test_gone_watch (&kernel_gone, kernel);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("post-flood", post_flood_main, &f);
  while (atomic_load (&f.ok) < 100)
    g_thread_yield ();
  g_object_unref (kernel);
  assert_kernel_gone (&kernel_gone, threads_before + G_N_ELEMENTS (threads));
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    g_thread_join (threads[i]);
  g_assert_cmpint (atomic_load (&f.refused), ==, G_N_ELEMENTS (threads));
  g_assert_cmpint (atomic_load (&letters.signalled), ==, letters.counted);
  g_object_unref (r.role);
  g_object_unref (group);
  unref_last (player);
}

/* ------------------------------------------------------ shutdown races */

typedef struct
{
  JanusKernel *kernel;
  GMutex       lock;
  GCond        cond;
  gboolean     running;
} Driven;

static void
mark_running (JanusAgent *agent,
              gpointer    data)
{
  Driven *d = data;

  g_mutex_lock (&d->lock);
  d->running = TRUE;
  g_cond_broadcast (&d->cond);
  g_mutex_unlock (&d->lock);
}

static void
driven_wait_running (Driven *d)
{
  gint64 deadline = g_get_monotonic_time () + DEADLINE_USEC;

  g_mutex_lock (&d->lock);
  while (!d->running)
    if (!g_cond_wait_until (&d->cond, &d->lock, deadline))
      break;
  g_assert_true (d->running);
  g_mutex_unlock (&d->lock);
}

static gpointer
shutdown_main (gpointer data)
{
  Driven *d = data;

  driven_wait_running (d);
  janus_kernel_shutdown (d->kernel);
  return NULL;
}

static void
set_running_timer (TestAgent *agent,
                   gpointer   data)
{
  janus_agent_call_in (AGENT (agent), 0, mark_running, data, NULL);
}

/* Shutting down a kernel without workers from another thread while the
 * application's thread runs it (@data: with janus_kernel_run, or with
 * janus_kernel_step in a loop): the run stops, the shutdown completes, no
 * critical is logged (criticals are fatal here). */
static void
test_shutdown_while_driven (gconstpointer data)
{
  gboolean stepping = GPOINTER_TO_INT (data);
  Driven d = { 0 };
  JanusKernel *kernel = janus_kernel_new (0);
  TestAgent *agents[4];
  GThread *thread;

  g_mutex_init (&d.lock);
  g_cond_init (&d.cond);
  d.kernel = kernel;
  janus_kernel_set_keep_alive (kernel, TRUE);
  for (guint i = 0; i < G_N_ELEMENTS (agents); i++)
    {
      agents[i] = test_agent_new (NULL, &d);
      /* busy agents: the driver always has work */
      agents[i]->live_result = JANUS_LIVE_AGAIN;
      agents[i]->on_activate = i == 0 ? set_running_timer : NULL;
      launch_ok (kernel, agents[i], NULL, NULL);
    }
  thread = g_thread_new ("shutdown", shutdown_main, &d);
  if (stepping)
    {
      guint n = 0;

      while (janus_kernel_step (kernel))
        g_assert_cmpuint (++n, <, 10000000);
    }
  else
    janus_kernel_run (kernel);
  g_thread_join (thread);
  g_assert_false (janus_kernel_step (kernel));
  janus_kernel_run (kernel);                    /* returns at once */
  for (guint i = 0; i < G_N_ELEMENTS (agents); i++)
    {
      g_assert_cmpint (janus_agent_get_state (AGENT (agents[i])), ==, JANUS_AGENT_STATE_DIED);
      g_assert_cmpint (agents[i]->n_end, ==, 1);
      unref_last (agents[i]);
    }
  unref_last (kernel);
  g_mutex_clear (&d.lock);
  g_cond_clear (&d.cond);
}

typedef struct
{
  JanusKernel *kernel;
  guint        threads_before;  /* the process's, before the kernel */
  atomic_int   early;           /* shutdowns that returned too early */
} Shutdowns;

static gpointer
shutdown_now (gpointer data)
{
  Shutdowns *s = data;

  janus_kernel_shutdown (s->kernel);
  /* down: no worker left (the two shutdown threads may be) */
  if (test_count_threads () > s->threads_before + 2)
    atomic_fetch_add (&s->early, 1);
  return NULL;
}

/* Two threads shut a kernel down at once: both return once it is down,
 * its workers stopped. */
static void
test_shutdown_concurrently (guint         workers,
                            gconstpointer data)
{
  Shutdowns s = { NULL, test_count_threads (), 0 };
  JanusKernel *kernel = janus_kernel_new (workers);
  TestAgent *agent = launch_alive (kernel, test_agent_new (NULL, NULL));
  GThread *threads[2];

  s.kernel = kernel;
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("shutdown", shutdown_now, &s);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    {
      g_thread_join (threads[i]);
      /* whichever returned: the kernel is down */
      g_assert_cmpint (janus_agent_get_state (AGENT (agent)), ==, JANUS_AGENT_STATE_DIED);
    }
  g_assert_cmpint (atomic_load (&s.early), ==, 0);
  g_assert_cmpint (agent->n_end, ==, 1);
  unref_last (kernel);
  unref_last (agent);
}

/* --------------------------------------------------------- dead letters */

typedef struct
{
  JanusKernel  *from;           /* sends through it, to the other kernel */
  JanusAddress *target;
  atomic_bool   stop;
  atomic_int    sent;
} Flood;

static gpointer
flood_main (gpointer data)
{
  Flood *f = data;

  while (!atomic_load (&f->stop))
    {
      janus_kernel_send (f->from, f->target, janus_message_new_int64 ("x", 1), NULL);
      atomic_fetch_add (&f->sent, 1);
    }
  return NULL;
}

/* Dead letters for a kernel that is destroyed meanwhile, sent from another
 * kernel (which finds it by its UUID): every one it counted is signalled,
 * exactly once, up to its last dispose. */
static void
test_dead_letters_during_destroy (void)
{
  guint rounds = g_test_slow () ? 1000 : test_small () ? 10 : 200;
  JanusKernel *from = janus_kernel_new (0);

  for (guint r = 0; r < rounds; r++)
    {
      guint threads_before = test_count_threads ();
      JanusKernel *kernel = janus_kernel_new (2);
      TestAgent *agent = launch_alive (kernel, test_agent_new (deaf_live, NULL));
      Letters letters = { 0 };
      Flood f = { .from = from };
      g_autoptr(GError) error = NULL;
      TestGone kernel_gone;
      GThread *thread;

      g_signal_connect (kernel, "dead-letter", G_CALLBACK (count_dead), &letters.signalled);
      g_object_weak_ref (G_OBJECT (kernel), letters_seen_going, &letters);
      test_gone_watch (&kernel_gone, kernel);
      f.target = janus_address_copy (ADDR (agent));
      thread = g_thread_new ("flood", flood_main, &f);
      while (atomic_load (&f.sent) < 50)
        g_thread_yield ();
      /* it dies: what is sent from now on is a dead letter */
      g_assert_true (janus_kernel_kill (kernel, AGENT (agent), &error));
      g_assert_no_error (error);
      g_object_unref (kernel);
      g_assert_true (test_gone_wait (&kernel_gone));
      atomic_store (&f.stop, TRUE);
      g_thread_join (thread);
      g_assert_true (test_wait_threads (threads_before));
      test_gone_clear (&kernel_gone);
      g_assert_cmpint (letters.counted, >, 0);
      g_assert_cmpint (atomic_load (&letters.signalled), ==, letters.counted);
      janus_address_free (f.target);
      unref_last (agent);
    }
  unref_last (from);
}

/* ------------------------------------------------------------- clock */

/* A clock advanced past the end of time: a clear error, the clock
 * unchanged. */
static void
test_clock_advance_overflow (void)
{
  g_autoptr(JanusClock) clock = janus_clock_new_virtual (10, 0);
  g_autoptr(GError) error = NULL;

  g_assert_false (janus_clock_advance (clock, G_MAXINT64, &error));
  g_assert_error (error, JANUS_CLOCK_ERROR, JANUS_CLOCK_ERROR_OVERFLOW);
  g_assert_cmpint (janus_clock_get_time (clock), ==, 10);
  g_clear_error (&error);
  g_assert_false (janus_clock_advance (clock, G_MAXINT64 - 9, &error));
  g_assert_error (error, JANUS_CLOCK_ERROR, JANUS_CLOCK_ERROR_OVERFLOW);
  g_assert_cmpint (janus_clock_get_time (clock), ==, 10);
  g_clear_error (&error);
  /* up to the last microsecond */
  g_assert_true (janus_clock_advance (clock, G_MAXINT64 - 10, &error));
  g_assert_no_error (error);
  g_assert_cmpint (janus_clock_get_time (clock), ==, G_MAXINT64);
  g_assert_false (janus_clock_advance (clock, 1, &error));
  g_assert_error (error, JANUS_CLOCK_ERROR, JANUS_CLOCK_ERROR_OVERFLOW);
  g_assert_cmpint (janus_clock_get_time (clock), ==, G_MAXINT64);
}

/* --------------------------------------------------------- kill rights */

typedef struct
{
  TestAgent *victim;
  GError    *as_victim;
  GError    *as_itself;
} KillTry;

static void
try_kills (TestAgent *self,
           gpointer   data)
{
  KillTry *k = data;
  JanusAgent *victim = AGENT (k->victim);

  g_assert_false (janus_agent_kill (victim, victim, &k->as_victim));
  g_assert_false (janus_agent_kill (AGENT (self), victim, &k->as_itself));
}

/* From another agent's step, nobody kills in the victim's name (nor in any
 * name but its own); the application may. */
static void
test_kill_in_the_name_of_another (guint         workers,
                                  gconstpointer data)
{
  JanusKernel *kernel = janus_kernel_new (workers);
  TestAgent *killer = launch_alive (kernel, test_agent_new (NULL, NULL));
  TestAgent *victim = launch_alive (kernel, test_agent_new (NULL, NULL));
  KillTry k = { victim, NULL, NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *killer_address = janus_address_to_string (ADDR (killer));
  g_autofree char *victim_address = janus_address_to_string (ADDR (victim));

  agent_do (kernel, killer, try_kills, &k);
  g_assert_error (k.as_victim, JANUS_KERNEL_ERROR, JANUS_KERNEL_ERROR_NOT_PERMITTED);
  g_assert_error (k.as_itself, JANUS_KERNEL_ERROR, JANUS_KERNEL_ERROR_NOT_PERMITTED);
  /* both name the agents by their addresses */
  g_assert_nonnull (strstr (k.as_victim->message, killer_address));
  g_assert_nonnull (strstr (k.as_victim->message, victim_address));
  g_assert_nonnull (strstr (k.as_itself->message, killer_address));
  g_assert_nonnull (strstr (k.as_itself->message, victim_address));
  g_clear_error (&k.as_victim);
  g_clear_error (&k.as_itself);
  if (workers == 0)
    step_until_idle (kernel, 10);
  g_assert_true (janus_agent_is_alive (AGENT (victim)));

  /* the application acts with the victim's own right */
  g_assert_true (janus_agent_kill (AGENT (victim), AGENT (victim), &error));
  g_assert_no_error (error);
  wait_died (kernel, AGENT (victim));
  janus_kernel_shutdown (kernel);
  unref_last (kernel);
  unref_last (killer);
  unref_last (victim);
}

/* ------------------------------------------------------------ messages */

typedef struct
{
  JanusMessage **messages;
  atomic_int    *arrived;
  guint          n;
  atomic_llong   sum;
} Holders;

/* Reads each message, waits for the other holder at a barrier that orders
 * nothing (relaxed: only the message's reference count may order the two
 * threads' uses before the free), then drops its reference: both drops
 * race, and whichever is last frees the message. */
static gpointer
read_and_release (gpointer data)
{
  Holders *h = data;

  for (guint i = 0; i < h->n; i++)
    {
      gint64 v = 0;

      g_assert_true (janus_message_get_int64 (h->messages[i], &v));
      atomic_fetch_add_explicit (&h->sum, v, memory_order_relaxed);
      atomic_fetch_add_explicit (&h->arrived[i], 1, memory_order_relaxed);
      while (atomic_load_explicit (&h->arrived[i], memory_order_relaxed) < 2)
        ;
      janus_message_unref (h->messages[i]);
    }
  return NULL;
}

/* Messages with two holders on two threads: each reads, then drops its
 * reference at the same time as the other; the last frees the message.
 * Under ThreadSanitizer: no race between a holder's read and the free. */
static void
test_message_holders_on_threads (void)
{
  guint n = test_small () ? 100 : 2000;
  Holders h = { g_new (JanusMessage *, n), g_new0 (atomic_int, n), n, 0 };
  GThread *thread;

  for (guint i = 0; i < n; i++)
    {
      h.messages[i] = janus_message_new_int64 ("x", i);
      janus_message_ref (h.messages[i]);          /* one reference each */
    }
  thread = g_thread_new ("holder", read_and_release, &h);
  read_and_release (&h);
  g_thread_join (thread);
  g_assert_cmpint (atomic_load (&h.sum), ==, (gint64) n * (n - 1));
  g_free (h.messages);
  g_free (h.arrived);
}

/* ----------------------------------------------- every order of release */

enum { THING_KERNEL, THING_AGENT, THING_GROUP, THING_ROLE, THING_MESSAGE, N_THINGS };

static const char *const thing_names[N_THINGS] = { "kernel", "agent", "group", "role", "message" };

/* The k-th permutation of 0..n-1 (Lehmer code). */
static void
permutation (guint  k,
             guint  n,
             guint *order)
{
  guint pool[N_THINGS], left = n;

  for (guint i = 0; i < n; i++)
    pool[i] = i;
  for (guint i = 0; i < n; i++)
    {
      guint f = 1, pick;

      for (guint j = 2; j < left; j++)
        f *= j;
      pick = k / f;
      k %= f;
      order[i] = pool[pick];
      for (guint j = pick; j + 1 < left; j++)
        pool[j] = pool[j + 1];
      left--;
    }
}

typedef struct
{
  gpointer      things[N_THINGS];
  gboolean      taken;          /* the agent took its references */
} Held;

static void
release_thing (Held *held,
               guint which)
{
  if (which == THING_MESSAGE)
    janus_message_unref (held->things[which]);
  else
    g_object_unref (held->things[which]);
  held->things[which] = NULL;
}

/* The application holds the kernel, a live agent playing a role, its
 * group, the role and a message it sent to the agent, and releases them in
 * every order (@data: the number of the order). Everything goes, and the
 * kernel's threads end. */
static void
test_release_order_outside (guint         workers,
                            gconstpointer data)
{
  guint threads_before = test_count_threads ();
  guint n_orders = test_small () ? 24 : 120;
  g_autoptr(GString) orders = g_string_new (NULL);

  for (guint k = 0; k < 120; k += 120 / n_orders)
    {
      JanusKernel *kernel = janus_kernel_new (workers);
      JanusGroup *group = new_group (kernel, t_org_get_type ());
      TestAgent *agent = launch_alive (kernel, test_agent_new (NULL, NULL));
      Request r = { group, LEAVE_NONE, NULL, NULL };
      JanusMessage *message = janus_message_new ("held", NULL);
      TestGone gone[N_THINGS - 1];
      guint order[N_THINGS];
      Held held;

      agent_do (kernel, agent, request_t_role, &r);
      g_assert_nonnull (r.role);
      kernel_send_ok (kernel, ADDR (agent), janus_message_ref (message));
      held.things[THING_KERNEL] = kernel;
      held.things[THING_AGENT] = agent;
      held.things[THING_GROUP] = group;
      held.things[THING_ROLE] = r.role;
      held.things[THING_MESSAGE] = message;
      for (guint i = 0; i < THING_MESSAGE; i++)
        test_gone_watch (&gone[i], held.things[i]);

      permutation (k, N_THINGS, order);
      g_string_truncate (orders, 0);
      for (guint i = 0; i < N_THINGS; i++)
        {
          g_string_append_printf (orders, "%s ", thing_names[order[i]]);
          release_thing (&held, order[i]);
        }
      for (guint i = 0; i < THING_MESSAGE; i++)
        {
          if (!test_gone_wait (&gone[i]))
            g_error ("released in the order %s: the %s stayed", orders->str, thing_names[i]);
          test_gone_clear (&gone[i]);
        }
    }
  g_assert_true (test_wait_threads (threads_before));
}

/* An agent holds its kernel, its group, its role and a message, and
 * releases them in its end in every order (of 24), the kernel (its
 * reference is the last one) among them; the application let go of all
 * of them once the agent took its own. The agent ends by itself, on a
 * timer; without workers, the application runs the kernel, which the agent
 * keeps alive, until then. */

static void
order_take (TestAgent *self,
            gpointer   data)
{
  Held *held = self->data;
  JanusRole *role;

  role = janus_agent_request_role (AGENT (self), t_role_get_type (), held->things[THING_GROUP],
                                   NULL, NULL);
  g_assert_nonnull (role);
  held->things[THING_ROLE] = g_object_ref (role);
  held->things[THING_KERNEL] = g_object_ref (janus_agent_get_kernel (AGENT (self)));
  janus_agent_call_in (AGENT (self), G_TIME_SPAN_MILLISECOND, hold_end_soon, NULL, NULL);
  g_mutex_lock (&self->lock);
  held->taken = TRUE;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
}

static void
order_wait_taken (TestAgent *agent)
{
  Held *held = agent->data;
  gint64 deadline = g_get_monotonic_time () + DEADLINE_USEC;

  g_mutex_lock (&agent->lock);
  while (!held->taken)
    if (!g_cond_wait_until (&agent->cond, &agent->lock, deadline))
      break;
  g_assert_true (held->taken);
  g_mutex_unlock (&agent->lock);
}

static void
order_release (TestAgent *self,
               gpointer   data)
{
  Held *held = self->data;
  guint order[N_THINGS - 1];

  /* kernel, group, role, message: every order of the four */
  permutation (self->mode, 4, order);
  for (guint i = 0; i < 4; i++)
    {
      guint which = order[i] == 0 ? THING_KERNEL : order[i] + THING_AGENT;
      release_thing (held, which);
    }
}

static void
test_release_order_inside (guint         workers,
                           gconstpointer data)
{
  guint threads_before = test_count_threads ();

  for (guint k = 0; k < 24; k += test_small () ? 5 : 1)
    {
      JanusKernel *kernel = janus_kernel_new (workers);
      TestAgent *agent = test_agent_new (NULL, NULL);
      TestGone gone[N_THINGS - 1];
      Held held = { { NULL } };

      held.things[THING_GROUP] = new_group (kernel, t_org_get_type ());
      held.things[THING_MESSAGE] = janus_message_new ("held", NULL);
      held.things[THING_AGENT] = agent;
      agent->data = &held;
      agent->mode = (int) k;
      agent->on_activate = order_take;
      agent->on_end = order_release;
      test_gone_watch (&gone[THING_KERNEL], kernel);
      test_gone_watch (&gone[THING_AGENT], agent);
      test_gone_watch (&gone[THING_GROUP], held.things[THING_GROUP]);
      launch_ok (kernel, agent, "orderly", NULL);
      if (workers == 0)
        janus_kernel_step (kernel);             /* activate */
      order_wait_taken (agent);
      g_object_unref (agent);
      /* the agent's reference on the kernel is the last ... */
      g_object_unref (kernel);
      /* ... and the kernel runs until the agent's timer ends it */
      if (workers == 0)
        janus_kernel_run (kernel);
      for (guint i = 0; i < THING_ROLE; i++)
        {
          if (!test_gone_wait (&gone[i]))
            g_error ("released in order %u: the %s stayed", k, thing_names[i]);
          test_gone_clear (&gone[i]);
        }
      g_assert_null (held.things[THING_KERNEL]);
      g_assert_null (held.things[THING_GROUP]);
      g_assert_null (held.things[THING_ROLE]);
      g_assert_null (held.things[THING_MESSAGE]);
    }
  g_assert_true (test_wait_threads (threads_before));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  test_settle_threads ();

  add_on_workers ("/teardown/kernel/last-unref-in-end", test_last_unref_in_end, NULL);
  g_test_add_func ("/teardown/kernel/last-unref-on-heavy-thread", test_last_unref_on_heavy_thread);
  add_on_workers ("/teardown/kernel/last-unref-in-agent-finalize",
                  test_last_unref_in_agent_finalize, NULL);
  add_on_workers ("/teardown/kernel/last-unref-in-handler", test_last_unref_in_handler, NULL);
  g_test_add_data_func ("/teardown/kernel/held-by-agents/light", GINT_TO_POINTER (FALSE),
                        test_kernels_held_by_agents);
  g_test_add_data_func ("/teardown/kernel/held-by-agents/heavy", GINT_TO_POINTER (TRUE),
                        test_kernels_held_by_agents);
  add_on_workers ("/teardown/agent/released-when-idle/light", test_released_when_idle,
                  GINT_TO_POINTER (FALSE));
  add_on_workers ("/teardown/agent/released-when-idle/heavy", test_released_when_idle,
                  GINT_TO_POINTER (TRUE));
  add_on_workers ("/teardown/agent/outlives-kernel", test_agent_outlives_kernel, NULL);
  add_on_workers ("/teardown/role/leaves-itself-in-activate",
                  test_role_leaves_itself_in_activate, NULL);
  add_on_workers ("/teardown/role/leaves-itself-in-end", test_role_leaves_itself_in_end, NULL);
  add_on_workers ("/teardown/role/outlives-kernel", test_role_outlives_kernel, NULL);
  add_on_workers ("/teardown/role/post-to-dead-player", test_role_post_to_dead_player, NULL);
  add_on_workers ("/teardown/role/post-while-kernel-goes", test_role_post_while_kernel_goes, NULL);
  g_test_add_data_func ("/teardown/kernel/shutdown-while-run", GINT_TO_POINTER (FALSE),
                        test_shutdown_while_driven);
  g_test_add_data_func ("/teardown/kernel/shutdown-while-stepped", GINT_TO_POINTER (TRUE),
                        test_shutdown_while_driven);
  add_on_workers ("/teardown/kernel/shutdown-concurrently", test_shutdown_concurrently, NULL);
  g_test_add_func ("/teardown/kernel/dead-letters-during-destroy", test_dead_letters_during_destroy);
  g_test_add_func ("/teardown/clock/advance-overflow", test_clock_advance_overflow);
  add_on_workers ("/teardown/kill/in-the-name-of-another", test_kill_in_the_name_of_another, NULL);
  g_test_add_func ("/teardown/message/holders-on-threads", test_message_holders_on_threads);
  add_on_workers ("/teardown/order/outside", test_release_order_outside, NULL);
  add_on_workers ("/teardown/order/inside", test_release_order_inside, NULL);
  return g_test_run ();
}
