/* SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * janus-latency: message latency and heavy <-> light messaging.
 *
 *   janus-latency WORKERS N
 *
 * Runs three measurements, N round trips each, and prints one RESULT line per
 * measurement:
 *   latency-light   two light agents: round-trip time / 2, p50 and p99 in ns
 *                   (the scheduler keeps such partners on one worker);
 *   latency-heavy   a heavy agent (its own thread) and a light agent (on a
 *                   worker): every message crosses threads and wakes a
 *                   sleeping thread — p50 and p99 of round trip / 2 in ns;
 *   heavy-pingpong  the same pair as fast as it goes: msg/s.
 * Exits 1 when a count is wrong.
 */
#include <stdio.h>
#include <stdlib.h>

#include <janus.h>

static gint64 rounds;
static GMutex done_lock;
static GCond done_cond;
static gboolean done;
static gint64 *samples;         /* ns per one-way trip, per round */
static gint64 last_count;

#define PINGER_TYPE (pinger_get_type ())
G_DECLARE_FINAL_TYPE (Pinger, pinger, BENCH, PINGER, JanusAgent)

struct _Pinger
{
  JanusAgent    parent_instance;
  JanusAddress *peer;
  gboolean      is_ping;
  gboolean      heavy;
  gint64        sent_at;
  gint64        count;
};

G_DEFINE_FINAL_TYPE (Pinger, pinger, JANUS_TYPE_AGENT)

static gint64
now_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (gint64) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void
finish (gint64 count)
{
  g_mutex_lock (&done_lock);
  last_count = count;
  done = TRUE;
  g_cond_signal (&done_cond);
  g_mutex_unlock (&done_lock);
}

static void
handle (Pinger       *self,
        JanusMessage *m)
{
  JanusAgent *agent = JANUS_AGENT (self);
  gint64 v = 0;

  janus_message_get_int64 (m, &v);
  if (!self->is_ping)
    {
      janus_agent_reply (agent, m, janus_message_new_int64 ("pong", v), NULL);
      return;
    }
  if (!janus_message_has_subject (m, "start"))
    {
      if (samples != NULL)
        samples[self->count] = (now_ns () - self->sent_at) / 2;
      if (++self->count >= rounds)
        {
          finish (self->count);
          return;
        }
    }
  self->sent_at = now_ns ();
  janus_agent_send (agent, self->peer, janus_message_new_int64 ("ping", self->count), NULL);
}

static JanusLive
pinger_live (JanusAgent *agent)
{
  Pinger *self = (Pinger *) agent;
  JanusMessage *m;

  if (self->heavy)
    {
      /* a heavy agent blocks on its mailbox */
      m = janus_agent_wait_message (agent, -1);
      if (m != NULL)
        {
          handle (self, m);
          janus_message_unref (m);
        }
      return JANUS_LIVE_AGAIN;
    }
  while ((m = janus_agent_get_message (agent)) != NULL)
    {
      handle (self, m);
      janus_message_unref (m);
    }
  return JANUS_LIVE_WAIT;
}

static void
pinger_finalize (GObject *object)
{
  g_clear_pointer (&((Pinger *) object)->peer, janus_address_free);
  G_OBJECT_CLASS (pinger_parent_class)->finalize (object);
}

static void
pinger_class_init (PingerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = pinger_finalize;
  JANUS_AGENT_CLASS (klass)->live = pinger_live;
}

static void
pinger_init (Pinger *self)
{
}

static int
compare (const void *a, const void *b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;
  return x < y ? -1 : x > y;
}

static int
run (guint workers, const char *name, gboolean heavy_ping, gboolean measure)
{
  g_autoptr(JanusKernel) kernel = janus_kernel_new (workers);
  g_autoptr(Pinger) ping = g_object_new (PINGER_TYPE, NULL);
  g_autoptr(Pinger) pong = g_object_new (PINGER_TYPE, NULL);
  gint64 t0, t1;

  ping->is_ping = TRUE;
  ping->heavy = heavy_ping;
  samples = measure ? g_new0 (gint64, rounds) : NULL;
  if (heavy_ping)
    janus_kernel_launch_heavy_agent (kernel, JANUS_AGENT (ping), "ping", NULL, NULL);
  else
    janus_kernel_launch_light_agent (kernel, JANUS_AGENT (ping), "ping", NULL, NULL);
  janus_kernel_launch_light_agent (kernel, JANUS_AGENT (pong), "pong", NULL, NULL);
  ping->peer = janus_address_copy (janus_agent_get_address (JANUS_AGENT (pong)));

  t0 = now_ns ();
  janus_kernel_send (kernel, janus_agent_get_address (JANUS_AGENT (ping)),
                     janus_message_new ("start", NULL), NULL);
  g_mutex_lock (&done_lock);
  while (!done)
    g_cond_wait (&done_cond, &done_lock);
  done = FALSE;
  g_mutex_unlock (&done_lock);
  t1 = now_ns ();
  janus_kernel_kill_all (kernel);
  janus_kernel_run (kernel);

  if (last_count != rounds)
    {
      fprintf (stderr, "%s: %" G_GINT64_FORMAT " round trips of %" G_GINT64_FORMAT "\n",
               name, last_count, rounds);
      return 1;
    }
  if (measure)
    {
      qsort (samples, rounds, sizeof (gint64), compare);
      printf ("RESULT system=janus-c-%uw workload=%s n=%" G_GINT64_FORMAT
              " secs=%.4f rate=%" G_GINT64_FORMAT " unit=ns_p50 p99_ns=%" G_GINT64_FORMAT "\n",
              workers, name, rounds, (t1 - t0) / 1e9, samples[rounds / 2],
              samples[(rounds * 99) / 100]);
    }
  else
    printf ("RESULT system=janus-c-%uw workload=%s n=%" G_GINT64_FORMAT
            " secs=%.4f rate=%.0f unit=msg/s\n",
            workers, name, rounds, (t1 - t0) / 1e9, 2.0 * rounds / ((t1 - t0) / 1e9));
  fflush (stdout);
  g_clear_pointer (&samples, g_free);
  return 0;
}

int
main (int argc, char **argv)
{
  guint workers;
  int rc = 0;

  if (argc != 3)
    {
      fprintf (stderr, "usage: janus-latency WORKERS N\n");
      return 2;
    }
  workers = (guint) atoi (argv[1]);
  rounds = g_ascii_strtoll (argv[2], NULL, 10);
  if (workers < 1 || rounds < 1)
    return 2;
  rc |= run (workers, "latency-light", FALSE, TRUE);
  rc |= run (workers, "latency-heavy", TRUE, TRUE);
  rc |= run (workers, "heavy-pingpong", TRUE, FALSE);
  return rc;
}
