/* SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Wake-ups: whatever happens during a step — a message arriving before the
 * step's first look at its mailbox, after it, or in a step that never looks;
 * a janus_agent_wake; a timer falling due; a post to a role — an agent that
 * returns JANUS_LIVE_WAIT is stepped again and sees it. Each case runs on a
 * kernel without workers (step mode) and on one with two workers, for light
 * agents, their roles, and heavy agents.
 */
#include "janus-test-utils.h"


/* What the first step does before it returns WAIT. */
typedef enum {
  SELF_SEND,            /* sends a message to itself, never looks */
  ARRIVE_BEFORE_LOOK,   /* a message arrives, then the step looks */
  ARRIVE_AFTER_LOOK,    /* the step looks (empty), then a message arrives */
  ARRIVE_NO_LOOK,       /* a message arrives; the step never looks */
  WAKE_SELF,            /* the step wakes itself */
  WAKE_OTHER_THREAD,    /* another thread wakes the agent during the step */
  TIMER_DUE_NOW,        /* the step sets a timer due at once */
  TIMER_DUE_DURING,     /* a virtual-clock timer falls due during the step */
} Scenario;

typedef struct
{
  Scenario     scenario;
  guint        workers;
  gboolean     heavy;
} Case;

/* ------------------------------------------------------------- WakeAgent */

typedef struct
{
  JanusAgent   parent_instance;
  Scenario     scenario;
  JanusKernel *kernel;          /* borrowed */
  GMutex       lock;
  GCond        cond;
  int          n_live;
  int          n_taken;         /* messages taken in later steps */
  int          n_taken_first;   /* messages taken by the first step */
  int          n_timer;
  gboolean     first_done;
} WakeAgent;

typedef struct { JanusAgentClass parent_class; } WakeAgentClass;

static GType wake_agent_get_type (void);
G_DEFINE_TYPE (WakeAgent, wake_agent, JANUS_TYPE_AGENT)

typedef struct
{
  JanusKernel  *kernel;
  JanusAgent   *agent;
  JanusAddress *address;
  gboolean      wake;
  JanusClock   *clock;
} Intruder;

/* Runs on another thread while the agent's step waits for it, so the
 * arrival (or wake-up, or clock move) happens during the step. */
static gpointer
intruder_main (gpointer data)
{
  Intruder *in = data;
  g_autoptr(GError) error = NULL;

  if (in->clock != NULL)
    g_assert_true (janus_clock_advance (in->clock, 10, &error));
  else if (in->wake)
    janus_agent_wake (in->agent);
  else
    g_assert_true (janus_kernel_send (in->kernel, in->address,
                                      janus_message_new ("from-outside", NULL), &error));
  g_assert_no_error (error);
  return NULL;
}

static void
intrude (WakeAgent *self,
         gboolean   wake,
         JanusClock *clock)
{
  Intruder in = {
    .kernel = self->kernel,
    .agent = JANUS_AGENT (self),
    .address = janus_address_copy (janus_agent_get_address (JANUS_AGENT (self))),
    .wake = wake,
    .clock = clock,
  };

  g_thread_join (g_thread_new ("intruder", intruder_main, &in));
  janus_address_free (in.address);
}

static void
on_timer (JanusAgent *agent,
          gpointer    data)
{
  WakeAgent *self = (WakeAgent *) agent;

  g_mutex_lock (&self->lock);
  self->n_timer++;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
}

static int
take_all (JanusAgent *agent)
{
  JanusMessage *m;
  int n = 0;

  while ((m = janus_agent_get_message (agent)) != NULL)
    {
      janus_message_unref (m);
      n++;
    }
  return n;
}

static void
first_step (WakeAgent *self)
{
  JanusAgent *agent = JANUS_AGENT (self);
  g_autoptr(GError) error = NULL;
  int taken = 0;

  switch (self->scenario)
    {
    case SELF_SEND:
      g_assert_true (janus_agent_send (agent, janus_agent_get_address (agent),
                                       janus_message_new ("to-myself", NULL), &error));
      g_assert_no_error (error);
      break;
    case ARRIVE_BEFORE_LOOK:
      intrude (self, FALSE, NULL);
      taken = take_all (agent);
      g_assert_cmpint (taken, ==, 1);
      break;
    case ARRIVE_AFTER_LOOK:
      g_assert_false (janus_agent_has_message (agent));
      intrude (self, FALSE, NULL);
      break;
    case ARRIVE_NO_LOOK:
      intrude (self, FALSE, NULL);
      break;
    case WAKE_SELF:
      janus_agent_wake (agent);
      break;
    case WAKE_OTHER_THREAD:
      intrude (self, TRUE, NULL);
      break;
    case TIMER_DUE_NOW:
      g_assert_cmpuint (janus_agent_call_in (agent, 0, on_timer, NULL, NULL), >, 0);
      break;
    case TIMER_DUE_DURING:
      g_assert_cmpuint (janus_agent_call_in (agent, 10, on_timer, NULL, NULL), >, 0);
      intrude (self, FALSE, janus_kernel_get_clock (self->kernel));
      break;
    }
  g_mutex_lock (&self->lock);
  self->n_taken_first = taken;
  self->first_done = TRUE;
  g_mutex_unlock (&self->lock);
}

static JanusLive
wake_agent_live (JanusAgent *agent)
{
  WakeAgent *self = (WakeAgent *) agent;
  int n, taken = 0;

  g_mutex_lock (&self->lock);
  n = ++self->n_live;
  g_mutex_unlock (&self->lock);

  if (n == 1)
    first_step (self);
  else
    taken = take_all (agent);

  g_mutex_lock (&self->lock);
  self->n_taken += taken;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
  return JANUS_LIVE_WAIT;
}

static void
wake_agent_finalize (GObject *object)
{
  WakeAgent *self = (WakeAgent *) object;

  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);
  G_OBJECT_CLASS (wake_agent_parent_class)->finalize (object);
}

static void
wake_agent_class_init (WakeAgentClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = wake_agent_finalize;
  JANUS_AGENT_CLASS (klass)->live = wake_agent_live;
}

static void
wake_agent_init (WakeAgent *self)
{
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
}

/* ------------------------------------------------------------- helpers */

/* Waits until @done holds for @self; fails after DEADLINE_USEC. A kernel
 * without workers is stepped: until idle for a light agent (whose steps are
 * then all done), and between bounded waits for a heavy one, whose timers
 * the driving thread fires. */
typedef gboolean (*Predicate) (WakeAgent *self);

static void
await (JanusKernel *kernel,
       WakeAgent   *self,
       Predicate    done)
{
  gint64 deadline = g_get_monotonic_time () + DEADLINE_USEC;
  gboolean driven = janus_kernel_get_workers (kernel) == 0;
  gboolean ok;

  if (driven && !janus_agent_is_heavy (JANUS_AGENT (self)))
    {
      step_until_idle (kernel, 100);
      g_mutex_lock (&self->lock);
      ok = done (self);
      g_mutex_unlock (&self->lock);
      g_assert_true (ok);
      return;
    }
  for (;;)
    {
      gint64 until = deadline;

      if (driven)
        {
          janus_kernel_step (kernel);
          until = MIN (deadline, g_get_monotonic_time () + G_TIME_SPAN_MILLISECOND);
        }
      g_mutex_lock (&self->lock);
      if (!done (self))
        g_cond_wait_until (&self->cond, &self->lock, until);
      ok = done (self);
      g_mutex_unlock (&self->lock);
      if (ok || g_get_monotonic_time () >= deadline)
        break;
    }
  g_assert_true (ok);
}

static gboolean took_one (WakeAgent *self) { return self->n_taken == 1; }
static gboolean first_done (WakeAgent *self) { return self->first_done; }
static gboolean stepped_twice (WakeAgent *self) { return self->n_live >= 2; }
static gboolean timer_ran (WakeAgent *self) { return self->n_timer == 1; }

static JanusKernel *
new_kernel (const Case *c)
{
  JanusKernel *kernel = janus_kernel_new (c->workers);

  if (c->scenario == TIMER_DUE_DURING)
    {
      g_autoptr(JanusClock) clock = janus_clock_new_virtual (0, 0);
      janus_kernel_set_clock (kernel, clock);
    }
  return kernel;
}

static void
test_agent_case (gconstpointer data)
{
  const Case *c = data;
  g_autoptr(JanusKernel) kernel = new_kernel (c);
  g_autoptr(GError) error = NULL;
  WakeAgent *self = g_object_new (wake_agent_get_type (), NULL);
  gboolean ok;

  self->scenario = c->scenario;
  self->kernel = kernel;
  if (c->heavy)
    ok = janus_kernel_launch_heavy_agent (kernel, JANUS_AGENT (self), NULL, NULL, &error);
  else
    ok = janus_kernel_launch_light_agent (kernel, JANUS_AGENT (self), NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (ok);

  switch (c->scenario)
    {
    case ARRIVE_BEFORE_LOOK:
      await (kernel, self, first_done);
      /* the step saw the message; nothing was left for a later step (a
       * heavy agent may still run a step that takes nothing: read under
       * the lock) */
      g_mutex_lock (&self->lock);
      g_assert_cmpint (self->n_taken_first, ==, 1);
      g_assert_cmpint (self->n_taken, ==, 0);
      g_mutex_unlock (&self->lock);
      break;
    case SELF_SEND:
    case ARRIVE_AFTER_LOOK:
    case ARRIVE_NO_LOOK:
      await (kernel, self, took_one);
      break;
    case WAKE_SELF:
    case WAKE_OTHER_THREAD:
      await (kernel, self, stepped_twice);
      break;
    case TIMER_DUE_NOW:
    case TIMER_DUE_DURING:
      await (kernel, self, timer_ran);
      break;
    }

  janus_kernel_shutdown (kernel);
  g_assert_cmpuint (janus_kernel_get_dead_letter_count (kernel), ==, 0);
  g_object_unref (self);
}

/* ------------------------------------------------------------- roles */

typedef struct
{
  JanusOrganization parent_instance;
} WakeOrg;
typedef struct { JanusOrganizationClass parent_class; } WakeOrgClass;

typedef struct
{
  JanusRole    parent_instance;
  Scenario     scenario;
  GMutex       lock;
  GCond        cond;
  int          n_live;
  int          n_taken;
} WakeRole;
typedef struct { JanusRoleClass parent_class; } WakeRoleClass;

static GType wake_org_get_type (void);
static GType wake_role_get_type (void);
G_DEFINE_TYPE (WakeRole, wake_role, JANUS_TYPE_ROLE)
G_DEFINE_TYPE (WakeOrg, wake_org, JANUS_TYPE_ORGANIZATION)

static gpointer
post_main (gpointer data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (janus_role_post (data, janus_message_new ("posted", NULL), &error));
  g_assert_no_error (error);
  return NULL;
}

static int
role_take_all (JanusRole *role)
{
  JanusMessage *m;
  int n = 0;

  while ((m = janus_role_get_message (role)) != NULL)
    {
      janus_message_unref (m);
      n++;
    }
  return n;
}

static JanusLive
wake_role_live (JanusRole *role)
{
  WakeRole *self = (WakeRole *) role;
  g_autoptr(GError) error = NULL;
  int n, taken = 0;

  g_mutex_lock (&self->lock);
  n = ++self->n_live;
  g_mutex_unlock (&self->lock);

  if (n == 1)
    switch (self->scenario)
      {
      case SELF_SEND:
        g_assert_true (janus_role_post (role, janus_message_new ("mine", NULL), &error));
        g_assert_no_error (error);
        break;
      case ARRIVE_AFTER_LOOK:
        g_assert_false (janus_role_has_message (role));
        g_thread_join (g_thread_new ("poster", post_main, role));
        break;
      case ARRIVE_NO_LOOK:
        g_thread_join (g_thread_new ("poster", post_main, role));
        break;
      default:
        g_assert_not_reached ();
      }
  else
    taken = role_take_all (role);

  g_mutex_lock (&self->lock);
  self->n_taken += taken;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
  return JANUS_LIVE_WAIT;
}

static void
wake_role_finalize (GObject *object)
{
  WakeRole *self = (WakeRole *) object;

  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);
  G_OBJECT_CLASS (wake_role_parent_class)->finalize (object);
}

static void
wake_role_class_init (WakeRoleClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = wake_role_finalize;
  JANUS_ROLE_CLASS (klass)->live = wake_role_live;
}

static void
wake_role_init (WakeRole *self)
{
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
}

static void
wake_org_class_init (WakeOrgClass *klass)
{
  janus_organization_class_add_role (JANUS_ORGANIZATION_CLASS (klass),
                                     wake_role_get_type (), 0);
}

static void
wake_org_init (WakeOrg *self)
{
}

/* The role the player took last (a new reference), and the scenario its
 * next role plays: roles are taken from the player's own activate. */
static WakeRole *last_role;
static Scenario next_scenario;
static GMutex player_lock;
static GCond player_cond;

/* A plain agent: takes a WakeRole in @group when it activates; the default
 * live steps its roles. */
typedef struct { JanusAgent parent_instance; JanusGroup *group; /* borrowed */ } Player;
typedef struct { JanusAgentClass parent_class; } PlayerClass;
static GType player_get_type (void);
G_DEFINE_TYPE (Player, player, JANUS_TYPE_AGENT)

static gboolean
player_activate (JanusAgent  *agent,
                 GVariant    *parameters,
                 GError     **error)
{
  JanusRole *role = janus_agent_request_role (agent, wake_role_get_type (),
                                              ((Player *) agent)->group, NULL, error);

  if (role == NULL)
    return FALSE;
  ((WakeRole *) role)->scenario = next_scenario;
  g_mutex_lock (&player_lock);
  g_set_object (&last_role, (WakeRole *) role);
  g_cond_broadcast (&player_cond);
  g_mutex_unlock (&player_lock);
  return TRUE;
}

static void player_class_init (PlayerClass *klass) { JANUS_AGENT_CLASS (klass)->activate = player_activate; }
static void player_init (Player *self) { }

static void
test_role_case (gconstpointer data)
{
  const Case *c = data;
  g_autoptr(JanusKernel) kernel = janus_kernel_new (c->workers);
  g_autoptr(JanusAgent) player = g_object_new (player_get_type (), NULL);
  g_autoptr(GError) error = NULL;
  WakeRole *role;
  gint64 deadline = g_get_monotonic_time () + DEADLINE_USEC;

  g_autoptr(JanusGroup) group = janus_kernel_get_or_create_group (kernel, wake_org_get_type (), &error);

  g_assert_no_error (error);
  ((Player *) player)->group = group;
  next_scenario = c->scenario;
  g_clear_object (&last_role);
  g_assert_true (janus_kernel_launch_light_agent (kernel, player, NULL, NULL, &error));
  g_assert_no_error (error);
  if (c->workers == 0)
    step_until_idle (kernel, 100);

  /* activate ran (and took the role) before the first step ended */
  g_mutex_lock (&player_lock);
  while (last_role == NULL)
    if (!g_cond_wait_until (&player_cond, &player_lock, deadline))
      break;
  role = g_steal_pointer (&last_role);
  g_mutex_unlock (&player_lock);
  g_assert_nonnull (role);

  g_mutex_lock (&role->lock);
  while (role->n_taken != 1)
    if (!g_cond_wait_until (&role->cond, &role->lock, deadline))
      break;
  g_assert_cmpint (role->n_taken, ==, 1);
  g_mutex_unlock (&role->lock);

  janus_kernel_shutdown (kernel);
  g_assert_cmpuint (janus_kernel_get_dead_letter_count (kernel), ==, 0);
  g_object_unref (role);
}

/* ------------------------------------------------------------- main */

static const char *
scenario_name (Scenario s)
{
  switch (s)
    {
    case SELF_SEND: return "self-send";
    case ARRIVE_BEFORE_LOOK: return "arrival-before-look";
    case ARRIVE_AFTER_LOOK: return "arrival-after-look";
    case ARRIVE_NO_LOOK: return "arrival-no-look";
    case WAKE_SELF: return "wake-self";
    case WAKE_OTHER_THREAD: return "wake-other-thread";
    case TIMER_DUE_NOW: return "timer-due-now";
    case TIMER_DUE_DURING: return "timer-due-during-step";
    }
  g_assert_not_reached ();
}

static void
add_case (const char *kind,
          GTestDataFunc func,
          Scenario    scenario,
          guint       workers,
          gboolean    heavy)
{
  Case *c = g_new0 (Case, 1);
  g_autofree char *path = NULL;

  c->scenario = scenario;
  c->workers = workers;
  c->heavy = heavy;
  path = g_strdup_printf ("/wakeup/%s/%s/%u-workers", kind, scenario_name (scenario), workers);
  g_test_add_data_func_full (path, c, func, g_free);
}

int
main (int argc, char **argv)
{
  static const guint workers[] = { 0, 2 };
  static const Scenario role_scenarios[] = { SELF_SEND, ARRIVE_AFTER_LOOK, ARRIVE_NO_LOOK };

  g_test_init (&argc, &argv, NULL);

  for (guint w = 0; w < G_N_ELEMENTS (workers); w++)
    {
      for (Scenario s = SELF_SEND; s <= TIMER_DUE_DURING; s++)
        add_case ("light", test_agent_case, s, workers[w], FALSE);
      for (Scenario s = SELF_SEND; s <= TIMER_DUE_DURING; s++)
        add_case ("heavy", test_agent_case, s, workers[w], TRUE);
      for (guint i = 0; i < G_N_ELEMENTS (role_scenarios); i++)
        add_case ("role", test_role_case, role_scenarios[i], workers[w], FALSE);
    }
  return g_test_run ();
}
