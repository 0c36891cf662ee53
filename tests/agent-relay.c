/* SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Relaying and finding agents: janus_agent_forward and forward_broadcast
 * (the original sender kept), janus_agent_broadcast_local (every other
 * agent of the kernel), janus_kernel_lookup_agent_by_name, and the
 * kernel's agent-launched and agent-died signals. On 0 and 2 workers.
 */
#include "janus-test-utils.h"

/* ----------------------------------------------------------- RelayAgent */

typedef struct _RelayAgent RelayAgent;
typedef void (*RelayAction) (RelayAgent *self,
                             JanusMessage *message);

struct _RelayAgent
{
  JanusAgent   parent_instance;
  RelayAction  on_message;      /* in its step, for each message */
  gpointer     data;
  GMutex       lock;
  GCond        cond;
  GPtrArray   *got;             /* JanusMessage, guarded by lock */
};

typedef struct { JanusAgentClass parent_class; } RelayAgentClass;

static GType relay_agent_get_type (void);
G_DEFINE_TYPE (RelayAgent, relay_agent, JANUS_TYPE_AGENT)

static JanusLive
relay_agent_live (JanusAgent *agent)
{
  RelayAgent *self = (RelayAgent *) agent;
  JanusMessage *m;

  while ((m = janus_agent_get_message (agent)) != NULL)
    {
      if (self->on_message != NULL)
        self->on_message (self, m);
      g_mutex_lock (&self->lock);
      g_ptr_array_add (self->got, m);
      g_cond_broadcast (&self->cond);
      g_mutex_unlock (&self->lock);
    }
  return JANUS_LIVE_WAIT;
}

static void
relay_agent_finalize (GObject *object)
{
  RelayAgent *self = (RelayAgent *) object;

  g_ptr_array_unref (self->got);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);
  G_OBJECT_CLASS (relay_agent_parent_class)->finalize (object);
}

static void
relay_agent_class_init (RelayAgentClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = relay_agent_finalize;
  JANUS_AGENT_CLASS (klass)->live = relay_agent_live;
}

static void
relay_agent_init (RelayAgent *self)
{
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  self->got = g_ptr_array_new_with_free_func ((GDestroyNotify) janus_message_unref);
}

static RelayAgent *
relay_new (JanusKernel *kernel,
           const char  *name,
           RelayAction  on_message,
           gpointer     data)
{
  RelayAgent *agent = g_object_new (relay_agent_get_type (), NULL);

  agent->on_message = on_message;
  agent->data = data;
  launch_ok (kernel, agent, name, NULL);
  return agent;
}

static void
settle (JanusKernel *kernel)
{
  if (janus_kernel_get_workers (kernel) == 0)
    step_until_idle (kernel, 1000);
}

/* Waits (bounded) until @agent got @n messages; returns the @i-th (borrowed). */
static JanusMessage *
wait_got (JanusKernel *kernel,
          RelayAgent  *agent,
          guint        n,
          guint        i)
{
  gint64 deadline = g_get_monotonic_time () + DEADLINE_USEC;
  JanusMessage *m;

  settle (kernel);
  g_mutex_lock (&agent->lock);
  while (agent->got->len < n)
    if (!g_cond_wait_until (&agent->cond, &agent->lock, deadline))
      g_error ("%u messages arrived, not %u", agent->got->len, n);
  m = agent->got->pdata[i];
  g_mutex_unlock (&agent->lock);
  return m;
}

static guint
n_got (RelayAgent *agent)
{
  guint n;

  g_mutex_lock (&agent->lock);
  n = agent->got->len;
  g_mutex_unlock (&agent->lock);
  return n;
}

static void
assert_address (const JanusAddress *a,
                const JanusAddress *b)
{
  g_assert_true (janus_address_equal (a, b));
}

/* -------------------------------------------------------------- forward */

/* The relay forwards what it gets to data (a RelayAgent), keeping the
 * original sender. */
static void
forward_to (RelayAgent   *self,
            JanusMessage *message)
{
  RelayAgent *to = self->data;
  g_autoptr(GError) error = NULL;

  g_assert_true (janus_agent_forward (JANUS_AGENT (self), message, ADDR (to), &error));
  g_assert_no_error (error);
}

typedef struct
{
  RelayAgent **to;
  guint        n;
} Targets;

static void
forward_to_all (RelayAgent   *self,
                JanusMessage *message)
{
  Targets *t = self->data;
  const JanusAddress *addresses[4];
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < t->n; i++)
    addresses[i] = ADDR (t->to[i]);
  g_assert_true (janus_agent_forward_broadcast (JANUS_AGENT (self), message,
                                                addresses, t->n, &error));
  g_assert_no_error (error);
}

/* The final receiver replies: the reply goes to the original sender. */
static void
reply_to_sender (RelayAgent   *self,
                 JanusMessage *message)
{
  g_autoptr(GError) error = NULL;

  if (g_str_equal (janus_message_get_subject (message), "reply"))
    return;
  g_assert_true (janus_agent_reply (JANUS_AGENT (self), message,
                                    janus_message_new ("reply", NULL), &error));
  g_assert_no_error (error);
}

static void
send_from (JanusKernel *kernel,
           RelayAgent  *from,
           RelayAgent  *to,
           const char  *subject)
{
  g_autoptr(GError) error = NULL;
  JanusMessage *m = janus_message_new (subject, g_variant_new_int32 (42));

  janus_message_set_priority (m, 3);
  g_assert_true (janus_agent_send (JANUS_AGENT (from), ADDR (to), m, &error));
  g_assert_no_error (error);
}

static void
test_forward (guint         workers,
              gconstpointer data)
{
  JanusKernel *kernel = janus_kernel_new (workers);
  RelayAgent *origin = relay_new (kernel, "origin", NULL, NULL);
  RelayAgent *last = relay_new (kernel, "last", reply_to_sender, NULL);
  RelayAgent *relay = relay_new (kernel, "relay", forward_to, last);
  JanusMessage *m;

  settle (kernel);
  send_from (kernel, origin, relay, "hello");
  m = wait_got (kernel, last, 1, 0);
  g_assert_cmpstr (janus_message_get_subject (m), ==, "hello");
  assert_address (janus_message_get_sender (m), ADDR (origin));
  assert_address (janus_message_get_receiver (m), ADDR (last));
  g_assert_cmpint (janus_message_get_priority (m), ==, 3);
  g_assert_cmpint (g_variant_get_int32 (janus_message_get_body (m)), ==, 42);
  /* the relay still holds its own message, sender unchanged */
  m = wait_got (kernel, relay, 1, 0);
  assert_address (janus_message_get_sender (m), ADDR (origin));
  assert_address (janus_message_get_receiver (m), ADDR (relay));
  /* the reply goes back to the origin, not the relay */
  m = wait_got (kernel, origin, 1, 0);
  g_assert_cmpstr (janus_message_get_subject (m), ==, "reply");
  assert_address (janus_message_get_sender (m), ADDR (last));
  g_assert_cmpuint (n_got (relay), ==, 1);

  janus_kernel_shutdown (kernel);
  finish (kernel, origin, last, relay, NULL);
}

static void
test_forward_broadcast (guint         workers,
                        gconstpointer data)
{
  JanusKernel *kernel = janus_kernel_new (workers);
  RelayAgent *origin = relay_new (kernel, "origin", NULL, NULL);
  RelayAgent *to[3];
  Targets t = { to, 3 };
  RelayAgent *relay;

  for (guint i = 0; i < 3; i++)
    to[i] = relay_new (kernel, NULL, NULL, NULL);
  relay = relay_new (kernel, "relay", forward_to_all, &t);
  settle (kernel);
  send_from (kernel, origin, relay, "news");
  for (guint i = 0; i < 3; i++)
    {
      JanusMessage *m = wait_got (kernel, to[i], 1, 0);

      g_assert_cmpstr (janus_message_get_subject (m), ==, "news");
      assert_address (janus_message_get_sender (m), ADDR (origin));
      assert_address (janus_message_get_receiver (m), ADDR (to[i]));
    }
  janus_kernel_shutdown (kernel);
  finish (kernel, origin, to[0], to[1], to[2], relay, NULL);
}

/* Refusals: a message never sent, a pointer body, a sender not launched
 * or dead; a forward to a dead agent is a dead letter. */
static void
test_forward_refused (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  RelayAgent *a = relay_new (kernel, "a", NULL, NULL);
  RelayAgent *b = relay_new (kernel, "b", NULL, NULL);
  RelayAgent *unborn = g_object_new (relay_agent_get_type (), NULL);
  g_autoptr(JanusMessage) unsent = janus_message_new ("unsent", NULL);
  g_autoptr(JanusMessage) pointer = janus_message_new_pointer ("p", g_strdup ("x"), g_free);
  g_autoptr(GError) error = NULL;
  JanusMessage *got;
  guint count = 7;

  settle (kernel);
  g_assert_false (janus_agent_forward (JANUS_AGENT (a), unsent, ADDR (b), &error));
  g_assert_error (error, JANUS_MESSAGE_ERROR, JANUS_MESSAGE_ERROR_NOT_SENT);
  g_clear_error (&error);

  kernel_send_ok (kernel, ADDR (a), janus_message_ref (pointer));
  settle (kernel);
  got = wait_got (kernel, a, 1, 0);
  g_assert_false (janus_agent_forward (JANUS_AGENT (a), got, ADDR (b), &error));
  g_assert_error (error, JANUS_MESSAGE_ERROR, JANUS_MESSAGE_ERROR_POINTER_BODY);
  g_clear_error (&error);
  g_assert_false (janus_agent_broadcast_local (JANUS_AGENT (a), janus_message_new_pointer ("p", NULL, NULL),
                                               &count, &error));
  g_assert_error (error, JANUS_MESSAGE_ERROR, JANUS_MESSAGE_ERROR_POINTER_BODY);
  g_assert_cmpuint (count, ==, 0);
  g_clear_error (&error);

  kernel_send_ok (kernel, ADDR (a), janus_message_new ("fine", NULL));
  got = wait_got (kernel, a, 2, 1);
  g_assert_false (janus_agent_forward (JANUS_AGENT (unborn), got, ADDR (b), &error));
  g_assert_error (error, JANUS_KERNEL_ERROR, JANUS_KERNEL_ERROR_NOT_LAUNCHED);
  g_clear_error (&error);
  g_assert_false (janus_agent_broadcast_local (JANUS_AGENT (unborn), janus_message_new ("x", NULL),
                                               NULL, &error));
  g_assert_error (error, JANUS_KERNEL_ERROR, JANUS_KERNEL_ERROR_NOT_LAUNCHED);
  g_clear_error (&error);
  /* sent already */
  g_assert_false (janus_agent_broadcast_local (JANUS_AGENT (a), janus_message_ref (got), NULL, &error));
  g_assert_error (error, JANUS_MESSAGE_ERROR, JANUS_MESSAGE_ERROR_ALREADY_SENT);
  g_clear_error (&error);

  /* to a dead agent: a dead letter, not an error */
  g_assert_true (janus_kernel_kill (kernel, JANUS_AGENT (b), &error));
  settle (kernel);
  g_assert_cmpint (janus_agent_get_state (JANUS_AGENT (b)), ==, JANUS_AGENT_STATE_DIED);
  g_assert_true (janus_agent_forward (JANUS_AGENT (a), got, ADDR (b), &error));
  g_assert_no_error (error);
  /* a dead sender cannot forward */
  g_assert_false (janus_agent_forward (JANUS_AGENT (b), got, ADDR (a), &error));
  g_assert_error (error, JANUS_KERNEL_ERROR, JANUS_KERNEL_ERROR_AGENT_DEAD);
  g_clear_error (&error);

  janus_kernel_shutdown (kernel);
  finish (kernel, a, b, unborn, NULL);
}

/* ------------------------------------------------------ broadcast_local */

static void
broadcast_all (RelayAgent   *self,
               JanusMessage *message)
{
  g_autoptr(GError) error = NULL;
  guint *count = self->data;
  guint n = 0;

  if (!g_str_equal (janus_message_get_subject (message), "go"))
    return;
  g_assert_true (janus_agent_broadcast_local (JANUS_AGENT (self),
                                              janus_message_new ("all", g_variant_new_string ("v")),
                                              &n, &error));
  g_assert_no_error (error);
  g_mutex_lock (&self->lock);
  *count = n;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
}

static void
test_broadcast_local (guint         workers,
                      gconstpointer data)
{
  JanusKernel *kernel = janus_kernel_new (workers);
  JanusKernel *other = janus_kernel_new (0);
  RelayAgent *agents[5];
  RelayAgent *elsewhere = relay_new (other, "elsewhere", NULL, NULL);
  RelayAgent *dead = relay_new (kernel, "dead", NULL, NULL);
  guint count = 0;
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < 5; i++)
    agents[i] = relay_new (kernel, NULL, i == 0 ? broadcast_all : NULL, i == 0 ? &count : NULL);
  settle (kernel);
  g_assert_true (janus_kernel_kill (kernel, JANUS_AGENT (dead), &error));
  g_assert_no_error (error);
  settle (kernel);
  for (gint64 deadline = g_get_monotonic_time () + DEADLINE_USEC;
       janus_agent_get_state (JANUS_AGENT (dead)) != JANUS_AGENT_STATE_DIED;)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_thread_yield ();
    }

  kernel_send_ok (kernel, ADDR (agents[0]), janus_message_new ("go", NULL));
  for (guint i = 1; i < 5; i++)
    {
      JanusMessage *m = wait_got (kernel, agents[i], 1, 0);

      g_assert_cmpstr (janus_message_get_subject (m), ==, "all");
      g_assert_cmpstr (g_variant_get_string (janus_message_get_body (m), NULL), ==, "v");
      assert_address (janus_message_get_sender (m), ADDR (agents[0]));
    }
  /* the sender got only its "go"; the other kernel and the dead nothing */
  wait_got (kernel, agents[0], 1, 0);
  g_mutex_lock (&agents[0]->lock);
  g_assert_cmpuint (count, ==, 4);
  g_assert_cmpuint (agents[0]->got->len, ==, 1);
  g_mutex_unlock (&agents[0]->lock);
  step_until_idle (other, 100);
  g_assert_cmpuint (n_got (elsewhere), ==, 0);
  g_assert_cmpuint (n_got (dead), ==, 0);

  janus_kernel_shutdown (kernel);
  janus_kernel_shutdown (other);
  finish (kernel, agents[0], agents[1], agents[2], agents[3], agents[4], dead, NULL);
  finish (other, elsewhere, NULL);
}

/* --------------------------------------------------------------- lookup */

static void
test_lookup_by_name (guint         workers,
                     gconstpointer data)
{
  JanusKernel *kernel = janus_kernel_new (workers);
  RelayAgent *first = relay_new (kernel, "twin", NULL, NULL);
  RelayAgent *second = relay_new (kernel, "twin", NULL, NULL);
  RelayAgent *solo = relay_new (kernel, "solo", NULL, NULL);
  RelayAgent *anonymous = relay_new (kernel, NULL, NULL, NULL);
  g_autoptr(GError) error = NULL;
  JanusAgent *found;

  settle (kernel);
  found = janus_kernel_lookup_agent_by_name (kernel, "solo");
  g_assert_true (found == JANUS_AGENT (solo));
  g_object_unref (found);
  found = janus_kernel_lookup_agent_by_name (kernel, "twin");
  g_assert_true (found == JANUS_AGENT (first));     /* launched first */
  g_object_unref (found);
  g_assert_null (janus_kernel_lookup_agent_by_name (kernel, "nobody"));
  g_assert_null (janus_kernel_lookup_agent_by_name (kernel, ""));

  /* the dead are not found */
  g_assert_true (janus_kernel_kill (kernel, JANUS_AGENT (first), &error));
  g_assert_no_error (error);
  settle (kernel);
  for (gint64 deadline = g_get_monotonic_time () + DEADLINE_USEC;
       janus_agent_get_state (JANUS_AGENT (first)) != JANUS_AGENT_STATE_DIED;)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_thread_yield ();
    }
  found = janus_kernel_lookup_agent_by_name (kernel, "twin");
  g_assert_true (found == JANUS_AGENT (second));
  g_object_unref (found);

  janus_kernel_shutdown (kernel);
  finish (kernel, first, second, solo, anonymous, NULL);
}

/* ------------------------------------------------------ kernel signals */

typedef struct
{
  GMutex       lock;
  GString     *log;
  JanusKernel *kernel;
  guint        launched;
  guint        died;
  gboolean     found_in_handler;   /* a lookup from the handler (no lock held) */
} SignalLog;

static void
on_launched (JanusKernel *kernel,
             JanusAgent  *agent,
             SignalLog   *log)
{
  const char *name = janus_agent_get_name (agent);
  JanusAgent *found = NULL;

  /* the kernel is usable from the handler: nothing of it is locked */
  if (name != NULL)
    found = janus_kernel_lookup_agent_by_name (kernel, name);
  g_mutex_lock (&log->lock);
  if (name != NULL)
    {
      g_string_append_printf (log->log, "+%s ", name);
      log->found_in_handler |= found == agent;
    }
  log->launched++;
  g_mutex_unlock (&log->lock);
  g_clear_object (&found);
}

static void
on_died (JanusKernel *kernel,
         JanusAgent  *agent,
         SignalLog   *log)
{
  const char *name = janus_agent_get_name (agent);
  g_autoptr(GPtrArray) agents = janus_kernel_list_agents (kernel);

  g_assert_cmpint (janus_agent_get_state (agent), ==, JANUS_AGENT_STATE_DIED);
  /* no longer among the kernel's agents */
  g_assert_false (g_ptr_array_find (agents, agent, NULL));
  g_mutex_lock (&log->lock);
  if (name != NULL)
    g_string_append_printf (log->log, "-%s ", name);
  log->died++;
  g_mutex_unlock (&log->lock);
}

static guint
read_died (SignalLog *log)
{
  guint n;

  g_mutex_lock (&log->lock);
  n = log->died;
  g_mutex_unlock (&log->lock);
  return n;
}

static void
test_signals (guint         workers,
              gconstpointer data)
{
  JanusKernel *kernel = janus_kernel_new (workers);
  SignalLog log = { .log = g_string_new (NULL), .kernel = kernel };
  RelayAgent *a, *b, *paused;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  g_mutex_init (&log.lock);
  g_signal_connect (kernel, "agent-launched", G_CALLBACK (on_launched), &log);
  g_signal_connect (kernel, "agent-died", G_CALLBACK (on_died), &log);

  a = relay_new (kernel, "a", NULL, NULL);
  settle (kernel);
  paused = g_object_new (relay_agent_get_type (), NULL);
  janus_agent_pause (JANUS_AGENT (paused));
  launch_ok (kernel, paused, "p", NULL);
  settle (kernel);
  /* launched once its first turn begins: a paused agent not yet */
  kernel_send_ok (kernel, ADDR (a), janus_message_new ("sync", NULL));
  wait_got (kernel, a, 1, 0);
  g_mutex_lock (&log.lock);
  g_assert_cmpstr (log.log->str, ==, "+a ");
  g_mutex_unlock (&log.lock);

  b = relay_new (kernel, "b", NULL, NULL);
  kernel_send_ok (kernel, ADDR (b), janus_message_new ("sync", NULL));
  wait_got (kernel, b, 1, 0);
  g_assert_true (janus_kernel_kill (kernel, JANUS_AGENT (a), &error));
  g_assert_no_error (error);
  settle (kernel);
  for (gint64 deadline = g_get_monotonic_time () + DEADLINE_USEC; read_died (&log) < 1;)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_thread_yield ();
    }
  janus_agent_resume (JANUS_AGENT (paused));
  kernel_send_ok (kernel, ADDR (paused), janus_message_new ("sync", NULL));
  wait_got (kernel, paused, 1, 0);

  /* the ones left die with the kernel, and are reported */
  janus_kernel_shutdown (kernel);
  g_mutex_lock (&log.lock);
  g_assert_cmpuint (log.launched, ==, 3);
  g_assert_cmpuint (log.died, ==, 3);
  g_assert_true (log.found_in_handler);
  text = g_strdup (log.log->str);
  g_mutex_unlock (&log.lock);
  /* each agent: launched before it died; a before b, a died before p began */
  g_assert_true (g_str_has_prefix (text, "+a +b -a +p "));
  g_assert_nonnull (strstr (text, "-b "));
  g_assert_nonnull (strstr (text, "-p "));

  finish (kernel, a, b, paused, NULL);
  g_string_free (log.log, TRUE);
  g_mutex_clear (&log.lock);
}

/* ------------------------------------------------------------ bad input */

static void
bad_call (const char *name)
{
  g_autoptr(JanusKernel) kernel = janus_kernel_new (0);
  g_autoptr(JanusMessage) m = janus_message_new ("m", NULL);
  RelayAgent *a = relay_new (kernel, "a", NULL, NULL);

  if (g_str_equal (name, "forward-null-agent"))
    janus_agent_forward (NULL, m, ADDR (a), NULL);
  else if (g_str_equal (name, "forward-null-message"))
    janus_agent_forward (JANUS_AGENT (a), NULL, ADDR (a), NULL);
  else if (g_str_equal (name, "forward-null-receiver"))
    janus_agent_forward (JANUS_AGENT (a), m, NULL, NULL);
  else if (g_str_equal (name, "forward-broadcast-null-receivers"))
    janus_agent_forward_broadcast (JANUS_AGENT (a), m, NULL, 2, NULL);
  else if (g_str_equal (name, "broadcast-local-null-message"))
    janus_agent_broadcast_local (JANUS_AGENT (a), NULL, NULL, NULL);
  else if (g_str_equal (name, "lookup-null-name"))
    g_assert_null (janus_kernel_lookup_agent_by_name (kernel, NULL));
  else if (g_str_equal (name, "lookup-null-kernel"))
    g_assert_null (janus_kernel_lookup_agent_by_name (NULL, "a"));
  janus_kernel_shutdown (kernel);
  g_object_unref (a);
}

static const char *const bad_calls[] = {
  "forward-null-agent", "forward-null-message", "forward-null-receiver",
  "forward-broadcast-null-receivers", "broadcast-local-null-message",
  "lookup-null-name", "lookup-null-kernel",
};

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  add_on_workers ("/agent-relay/forward", test_forward, NULL);
  add_on_workers ("/agent-relay/forward-broadcast", test_forward_broadcast, NULL);
  g_test_add_func ("/agent-relay/refused", test_forward_refused);
  add_on_workers ("/agent-relay/broadcast-local", test_broadcast_local, NULL);
  add_on_workers ("/agent-relay/lookup-by-name", test_lookup_by_name, NULL);
  add_on_workers ("/agent-relay/kernel-signals", test_signals, NULL);
  add_critical_cases ("/agent-relay/bad-input", bad_call, bad_calls, G_N_ELEMENTS (bad_calls));

  return g_test_run ();
}
