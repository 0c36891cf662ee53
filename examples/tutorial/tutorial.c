/* SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * tutorial: the program doc/tutorial.md builds step by step, the twin of
 * examples/python/tutorial.py (both print the same lines).
 *
 *  1. a team: a holon with two worker members;
 *  2. its head: what is sent to the team reaches its first member;
 *  3. an emergent capacity: the team doubles numbers, through a member;
 *  4. a merge: two teams become the members of a new super-holon, which
 *     offers what they offer; ending it ends its members first.
 *
 * The kernel has no worker thread: main drives it with janus_kernel_step,
 * so every run prints the same lines in the same order.
 */
#include <janus.h>

/* [worker] */
/* A worker: prints what it receives, then steps its roles (chaining up). */
G_DECLARE_FINAL_TYPE (TutWorker, tut_worker, TUT, WORKER, JanusAgent)
struct _TutWorker { JanusAgent parent_instance; };
G_DEFINE_FINAL_TYPE (TutWorker, tut_worker, JANUS_TYPE_AGENT)

static JanusLive
tut_worker_live (JanusAgent *agent)
{
  JanusMessage *m;

  while ((m = janus_agent_get_message (agent)) != NULL)
    {
      g_autoptr(JanusMessage) message = m;

      g_print ("  %s got \"%s\"\n", janus_agent_get_name (agent),
               g_variant_get_string (janus_message_get_body (message), NULL));
    }
  return JANUS_AGENT_CLASS (tut_worker_parent_class)->live (agent);
}

static void
tut_worker_end (JanusAgent *agent)
{
  g_print ("  %s ends\n", janus_agent_get_name (agent));
}

static void
tut_worker_class_init (TutWorkerClass *klass)
{
  JANUS_AGENT_CLASS (klass)->live = tut_worker_live;
  JANUS_AGENT_CLASS (klass)->end = tut_worker_end;
}

static void tut_worker_init (TutWorker *self) { }
/* [worker] */

/* [doubler] */
/* A capacity implementation: x → (who, 2x). */
G_DECLARE_FINAL_TYPE (TutDoubler, tut_doubler, TUT, DOUBLER, GObject)
struct _TutDoubler { GObject parent_instance; char *who; };
static void tut_doubler_capacity_init (JanusCapacityInterface *iface);
G_DEFINE_FINAL_TYPE_WITH_CODE (TutDoubler, tut_doubler, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (JANUS_TYPE_CAPACITY, tut_doubler_capacity_init))

static GVariant *
tut_doubler_invoke (JanusCapacity  *capacity,
                    GVariant       *input,
                    GError        **error)
{
  TutDoubler *self = TUT_DOUBLER (capacity);

  return g_variant_new ("(sx)", self->who, 2 * g_variant_get_int64 (input));
}

static void
tut_doubler_capacity_init (JanusCapacityInterface *iface)
{
  iface->invoke = tut_doubler_invoke;
}

static void
tut_doubler_finalize (GObject *object)
{
  g_free (TUT_DOUBLER (object)->who);
  G_OBJECT_CLASS (tut_doubler_parent_class)->finalize (object);
}

static void
tut_doubler_class_init (TutDoublerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = tut_doubler_finalize;
}

static void tut_doubler_init (TutDoubler *self) { }
/* [doubler] */

/* [idle] */
/* Steps the kernel until nothing is left to do. */
static void
run_until_idle (JanusKernel *kernel)
{
  while (janus_kernel_step (kernel))
    ;
}
/* [idle] */

static void
print_tree (JanusHolon *holon,
            const char *indent)
{
  g_autoptr(GPtrArray) members = janus_holon_list_members (holon);
  g_autofree char *deeper = g_strconcat (indent, "  ", NULL);

  for (guint i = 0; i < members->len; i++)
    {
      JanusAgent *member = members->pdata[i];

      g_print ("%s%s%s\n", indent, janus_agent_get_name (member),
               janus_holon_is_head (holon, member) ? " (head)" : "");
      if (JANUS_IS_HOLON (member))
        print_tree (JANUS_HOLON (member), deeper);
    }
}

static void
print_holarchy (JanusHolon *holon)
{
  g_print ("  %s\n", janus_agent_get_name (JANUS_AGENT (holon)));
  print_tree (holon, "    ");
}

/* [spawn] */
static void
add_worker (JanusHolon *team,
            const char *name)
{
  g_autoptr(JanusAgent) worker = g_object_new (tut_worker_get_type (), NULL);
  g_autoptr(TutDoubler) doubler = g_object_new (tut_doubler_get_type (), NULL);
  g_autoptr(GError) error = NULL;

  if (!janus_holon_spawn_member (team, worker, name, NULL, &error))
    g_error ("%s", error->message);
  doubler->who = g_strdup (name);
  janus_agent_add_capacity (worker, JANUS_TYPE_CAPACITY, doubler);
}
/* [spawn] */

/* [invoke] */
static void
on_doubled (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  gboolean *done = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) value = janus_holon_invoke_capacity_finish (JANUS_HOLON (source), result, &error);
  const char *who;
  gint64 doubled;

  if (value == NULL)
    g_error ("%s", error->message);
  g_variant_get (value, "(&sx)", &who, &doubled);
  g_print ("  %s doubled: %" G_GINT64_FORMAT " (by %s)\n",
           janus_agent_get_name (JANUS_AGENT (source)), doubled, who);
  *done = TRUE;
}

/* Asks @holon to double @x and waits for the answer: the callback runs in
 * this thread's main context, so iterate it between the kernel's steps. */
static void
double_with (JanusKernel *kernel,
             JanusHolon  *holon,
             gint64       x)
{
  gboolean done = FALSE;

  janus_holon_invoke_capacity_async (holon, JANUS_TYPE_CAPACITY, g_variant_new_int64 (x),
                                     NULL, on_doubled, &done);
  while (!done)
    {
      janus_kernel_step (kernel);
      while (g_main_context_iteration (NULL, FALSE))
        ;
    }
}
/* [invoke] */

int
main (void)
{
  g_autoptr(JanusKernel) kernel = janus_kernel_new (0);
  g_autoptr(JanusHolon) team = janus_holon_new ();
  g_autoptr(JanusHolon) other = janus_holon_new ();
  g_autoptr(JanusHolon) company = janus_holon_new ();
  g_autoptr(GError) error = NULL;

  /* [team] */
  g_print ("1. a team\n");
  if (!janus_kernel_launch_light_agent (kernel, JANUS_AGENT (team), "team", NULL, &error))
    g_error ("%s", error->message);
  add_worker (team, "alice");
  add_worker (team, "bob");
  run_until_idle (kernel);
  print_holarchy (team);
  /* [team] */

  /* [head] */
  g_print ("2. its head\n");
  janus_kernel_send (kernel, janus_agent_get_address (JANUS_AGENT (team)),
                     janus_message_new ("request", g_variant_new_string ("paint the door")), NULL);
  janus_kernel_send (kernel, janus_agent_get_address (JANUS_AGENT (team)),
                     janus_message_new ("request", g_variant_new_string ("fix the roof")), NULL);
  run_until_idle (kernel);
  /* [head] */

  /* [capacity] */
  g_print ("3. an emergent capacity\n");
  g_print ("  team offers it: %s\n",
           janus_holon_has_capacity (team, JANUS_TYPE_CAPACITY) ? "yes" : "no");
  double_with (kernel, team, 21);
  double_with (kernel, team, 50);
  /* [capacity] */

  /* [merge] */
  g_print ("4. a merge\n");
  if (!janus_kernel_launch_light_agent (kernel, JANUS_AGENT (other), "other", NULL, &error)
      || !janus_kernel_launch_light_agent (kernel, JANUS_AGENT (company), "company", NULL, &error))
    g_error ("%s", error->message);
  add_worker (other, "carol");
  if (!janus_holon_merge (team, other, company, &error))
    g_error ("%s", error->message);
  run_until_idle (kernel);
  print_holarchy (company);
  double_with (kernel, company, 7);
  g_print ("  company ends: its members first\n");
  janus_kernel_kill (kernel, JANUS_AGENT (company), NULL);
  run_until_idle (kernel);
  /* [merge] */
  return 0;
}
