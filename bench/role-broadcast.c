/* SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * janus-role-broadcast: one sender, R receivers, N broadcasts.
 *
 *   janus-role-broadcast WORKERS R N
 *
 * role-broadcast: the sender plays Speaker and the receivers play Listener
 *   in one group; janus_role_broadcast reaches every listener.
 * broadcast: the same with direct addresses (janus_agent_broadcast).
 * The sender broadcasts 10 times per step, then sends itself "go" (like
 * forkjoin's batches); each receiver counts; rate = deliveries/s (R x N).
 * Exits 1 when a receiver's count is wrong.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <janus.h>

#define BATCH 10

static gint64 rounds;
static guint n_receivers;
static gint finished;
static GMutex done_lock;
static GCond done_cond;
static gboolean done;

/* ---------------------------------------------------------- organization */

#define SPEAKER_TYPE (speaker_get_type ())
G_DECLARE_FINAL_TYPE (Speaker, speaker, BENCH, SPEAKER, JanusRole)
struct _Speaker { JanusRole parent_instance; };
G_DEFINE_FINAL_TYPE (Speaker, speaker, JANUS_TYPE_ROLE)
static void speaker_class_init (SpeakerClass *klass) {}
static void speaker_init (Speaker *self) {}

#define LISTENER_TYPE (listener_get_type ())
G_DECLARE_FINAL_TYPE (Listener, listener, BENCH, LISTENER, JanusRole)
struct _Listener { JanusRole parent_instance; };
G_DEFINE_FINAL_TYPE (Listener, listener, JANUS_TYPE_ROLE)

static void
receiver_done (void)
{
  if (g_atomic_int_add (&finished, 1) + 1 == (gint) n_receivers)
    {
      g_mutex_lock (&done_lock);
      done = TRUE;
      g_cond_signal (&done_cond);
      g_mutex_unlock (&done_lock);
    }
}

static gint64 *player_count (JanusRole *role);

static JanusLive
listener_live (JanusRole *role)
{
  gint64 *count = player_count (role);
  JanusMessage *m;

  while ((m = janus_role_get_message (role)) != NULL)
    {
      janus_message_unref (m);
      if (++*count == rounds)
        receiver_done ();
    }
  return JANUS_LIVE_WAIT;
}

static void listener_class_init (ListenerClass *klass) { JANUS_ROLE_CLASS (klass)->live = listener_live; }
static void listener_init (Listener *self) {}

#define STAGE_TYPE (stage_get_type ())
G_DECLARE_FINAL_TYPE (Stage, stage, BENCH, STAGE, JanusOrganization)
struct _Stage { JanusOrganization parent_instance; };
G_DEFINE_FINAL_TYPE (Stage, stage, JANUS_TYPE_ORGANIZATION)

static void
stage_class_init (StageClass *klass)
{
  janus_organization_class_add_role (JANUS_ORGANIZATION_CLASS (klass), SPEAKER_TYPE, 1);
  janus_organization_class_add_role (JANUS_ORGANIZATION_CLASS (klass), LISTENER_TYPE, 0);
}

static void stage_init (Stage *self) {}

/* --------------------------------------------------------------- agents */

#define NODE_TYPE (node_get_type ())
G_DECLARE_FINAL_TYPE (Node, node, BENCH, NODE, JanusAgent)
struct _Node
{
  JanusAgent    parent_instance;
  JanusGroup   *group;          /* NULL: direct broadcast mode */
  gboolean      speaker;
  GPtrArray    *peers;          /* direct mode: JanusAddress of receivers */
  gint64        sent;
  gint64        count;          /* direct mode receiver */
};
G_DEFINE_FINAL_TYPE (Node, node, JANUS_TYPE_AGENT)

/* the listener counts on its player, where the check reads it */
static gint64 *
player_count (JanusRole *role)
{
  return &((Node *) janus_role_get_player (role))->count;
}

static gboolean
node_activate (JanusAgent *agent, GVariant *parameters, GError **error)
{
  Node *self = (Node *) agent;

  if (self->group == NULL)
    return TRUE;
  return janus_agent_request_role (agent, self->speaker ? SPEAKER_TYPE : LISTENER_TYPE,
                                   self->group, NULL, error) != NULL;
}

static void
speak (Node *self)
{
  JanusAgent *agent = JANUS_AGENT (self);
  gint64 end = MIN (rounds, self->sent + BATCH);

  for (; self->sent < end; self->sent++)
    {
      JanusMessage *m = janus_message_new_int64 ("news", self->sent);
      if (self->group != NULL)
        janus_role_broadcast (janus_agent_get_role (agent, SPEAKER_TYPE, self->group),
                              LISTENER_TYPE, m, NULL, NULL);
      else
        janus_agent_broadcast (agent, (const JanusAddress **) self->peers->pdata,
                               self->peers->len, m, NULL);
    }
  if (self->sent < rounds)
    janus_agent_send (agent, janus_agent_get_address (agent), janus_message_new ("go", NULL), NULL);
}

static JanusLive
node_live (JanusAgent *agent)
{
  Node *self = (Node *) agent;
  JanusMessage *m;

  if (self->group != NULL && !self->speaker)
    return JANUS_AGENT_CLASS (node_parent_class)->live (agent);   /* the activator */
  while ((m = janus_agent_get_message (agent)) != NULL)
    {
      gboolean go = janus_message_has_subject (m, "go");
      janus_message_unref (m);
      if (self->speaker && go)
        speak (self);
      else if (!self->speaker && ++self->count == rounds)
        receiver_done ();
    }
  return JANUS_LIVE_WAIT;
}

static void
node_finalize (GObject *object)
{
  Node *self = (Node *) object;

  g_clear_pointer (&self->peers, g_ptr_array_unref);
  g_clear_object (&self->group);
  G_OBJECT_CLASS (node_parent_class)->finalize (object);
}

static void
node_class_init (NodeClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = node_finalize;
  JANUS_AGENT_CLASS (klass)->activate = node_activate;
  JANUS_AGENT_CLASS (klass)->live = node_live;
}

static void node_init (Node *self) {}

static int
run (guint workers, gboolean roles)
{
  g_autoptr(JanusKernel) kernel = janus_kernel_new (workers);
  g_autoptr(JanusGroup) group = NULL;
  g_autoptr(GPtrArray) nodes = g_ptr_array_new_with_free_func (g_object_unref);
  Node *speaker;
  guint i;
  gint64 t0, t1;
  struct timespec ts;

  if (roles)
    group = janus_kernel_create_group (kernel, STAGE_TYPE, NULL);
  speaker = g_object_new (NODE_TYPE, NULL);
  speaker->speaker = TRUE;
  speaker->group = group ? g_object_ref (group) : NULL;
  speaker->peers = g_ptr_array_new_with_free_func ((GDestroyNotify) janus_address_free);
  for (i = 0; i < n_receivers; i++)
    {
      Node *n = g_object_new (NODE_TYPE, NULL);
      n->group = group ? g_object_ref (group) : NULL;
      janus_kernel_launch_light_agent (kernel, JANUS_AGENT (n), NULL, NULL, NULL);
      g_ptr_array_add (speaker->peers, janus_address_copy (janus_agent_get_address (JANUS_AGENT (n))));
      g_ptr_array_add (nodes, n);
    }
  janus_kernel_launch_light_agent (kernel, JANUS_AGENT (speaker), NULL, NULL, NULL);
  g_ptr_array_add (nodes, speaker);
  /* every listener has taken its role before the clock starts */
  while (roles && janus_group_count_players (group, LISTENER_TYPE) < n_receivers)
    g_thread_yield ();

  g_atomic_int_set (&finished, 0);
  clock_gettime (CLOCK_MONOTONIC, &ts);
  t0 = ts.tv_sec * G_GINT64_CONSTANT (1000000000) + ts.tv_nsec;
  janus_kernel_send (kernel, janus_agent_get_address (JANUS_AGENT (speaker)),
                     janus_message_new ("go", NULL), NULL);
  g_mutex_lock (&done_lock);
  while (!done)
    g_cond_wait (&done_cond, &done_lock);
  done = FALSE;
  g_mutex_unlock (&done_lock);
  clock_gettime (CLOCK_MONOTONIC, &ts);
  t1 = ts.tv_sec * G_GINT64_CONSTANT (1000000000) + ts.tv_nsec;
  janus_kernel_kill_all (kernel);
  janus_kernel_run (kernel);

  for (i = 0; i < n_receivers; i++)
    {
      Node *n = nodes->pdata[i];
      gint64 count = n->count;

      if (count != rounds)
        {
          fprintf (stderr, "receiver %u counted %" G_GINT64_FORMAT " of %" G_GINT64_FORMAT "\n",
                   i, count, rounds);
          return 1;
        }
    }
  if (g_atomic_int_get (&finished) != (gint) n_receivers)
    {
      fprintf (stderr, "%d of %u receivers finished\n", finished, n_receivers);
      return 1;
    }
  printf ("RESULT system=janus-c-%uw workload=%s n=%" G_GINT64_FORMAT " secs=%.4f"
          " rate=%.0f unit=msg/s receivers=%u\n",
          workers, roles ? "role-broadcast" : "broadcast", rounds * n_receivers,
          (t1 - t0) / 1e9, rounds * n_receivers / ((t1 - t0) / 1e9), n_receivers);
  fflush (stdout);
  return 0;
}

int
main (int argc, char **argv)
{
  guint workers;
  int rc;

  if (argc != 4)
    {
      fprintf (stderr, "usage: janus-role-broadcast WORKERS RECEIVERS N\n");
      return 2;
    }
  workers = (guint) atoi (argv[1]);
  n_receivers = (guint) atoi (argv[2]);
  rounds = g_ascii_strtoll (argv[3], NULL, 10);
  if (n_receivers < 1 || rounds < 1)
    return 2;
  rc = run (workers, TRUE);
  rc |= run (workers, FALSE);
  return rc;
}
