/* SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * ping-pong: two agents send a counter back and forth N times (default
 * 1000000) and the program prints the message rate.
 *
 *   ping-pong [N] [WORKERS]
 *
 * Ping starts when the kernel sends it "start"; each agent answers every
 * "ball" with the counter plus one; ping stops at N and kills pong, which it
 * launched itself (only an agent's launcher, the agent and the kernel may
 * kill it).
 */
#include <stdlib.h>

#include <janus.h>

#define PLAYER_TYPE (player_get_type ())
G_DECLARE_FINAL_TYPE (Player, player, PLAYER, AGENT, JanusAgent)

struct _Player
{
  JanusAgent    parent_instance;
  Player       *partner;        /* pong, for ping; NULL for pong */
  gint64        rounds;         /* ping: how many balls to play */
  gint64        last;           /* ping: the last counter it received */
};

G_DEFINE_FINAL_TYPE (Player, player, JANUS_TYPE_AGENT)

static gboolean
player_activate (JanusAgent  *agent,
                 GVariant    *parameters,
                 GError     **error)
{
  Player *self = PLAYER_AGENT (agent);

  if (parameters == NULL)
    return TRUE;                /* pong */
  /* ping: launch the partner, which makes ping its launcher */
  g_variant_get (parameters, "(x)", &self->rounds);
  self->partner = g_object_new (PLAYER_TYPE, NULL);
  return janus_kernel_launch_light_agent (janus_agent_get_kernel (agent),
                                          JANUS_AGENT (self->partner), "pong",
                                          NULL, error);
}

static JanusLive
player_live (JanusAgent *agent)
{
  Player *self = PLAYER_AGENT (agent);
  JanusMessage *m;

  while ((m = janus_agent_get_message (agent)) != NULL)
    {
      gint64 n = 0;

      if (janus_message_has_subject (m, "start"))
        janus_agent_send (agent, janus_agent_get_address (JANUS_AGENT (self->partner)),
                          janus_message_new_int64 ("ball", 1), NULL);
      else if (janus_message_get_int64 (m, &n) && self->rounds > 0 && n >= self->rounds)
        {
          self->last = n;
          janus_agent_kill (agent, JANUS_AGENT (self->partner), NULL);
          janus_message_unref (m);
          return JANUS_LIVE_DONE;
        }
      else
        janus_agent_reply (agent, m, janus_message_new_int64 ("ball", n + 1), NULL);
      janus_message_unref (m);
    }
  return JANUS_LIVE_WAIT;
}

static void
player_dispose (GObject *object)
{
  g_clear_object (&PLAYER_AGENT (object)->partner);
  G_OBJECT_CLASS (player_parent_class)->dispose (object);
}

static void
player_class_init (PlayerClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = player_dispose;
  JANUS_AGENT_CLASS (klass)->activate = player_activate;
  JANUS_AGENT_CLASS (klass)->live = player_live;
}

static void
player_init (Player *self)
{
}

int
main (int argc, char **argv)
{
  gint64 rounds = argc > 1 ? g_ascii_strtoll (argv[1], NULL, 10) : 1000000;
  guint workers = argc > 2 ? (guint) atoi (argv[2]) : 1;
  g_autoptr(JanusKernel) kernel = janus_kernel_new (workers);
  g_autoptr(Player) ping = g_object_new (PLAYER_TYPE, NULL);
  g_autoptr(GError) error = NULL;
  gint64 start;
  double secs;

  if (rounds < 1)
    {
      g_printerr ("usage: %s [ROUNDS>0] [WORKERS]\n", argv[0]);
      return 2;
    }
  if (!janus_kernel_launch_light_agent (kernel, JANUS_AGENT (ping), "ping",
                                        g_variant_new ("(x)", rounds), &error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  start = g_get_monotonic_time ();
  janus_kernel_send (kernel, janus_agent_get_address (JANUS_AGENT (ping)),
                     janus_message_new ("start", NULL), NULL);
  janus_kernel_run (kernel);    /* returns when ping and pong are gone */
  secs = (g_get_monotonic_time () - start) / 1e6;

  g_print ("ping and pong exchanged %" G_GINT64_FORMAT " messages in %.3f s "
           "on %u worker(s): %.2f million messages/s\n",
           ping->last, secs, workers, ping->last / secs / 1e6);
  return ping->last == rounds ? 0 : 1;
}
