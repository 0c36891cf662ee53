/* SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * janus-timers: what pending timers cost.
 *
 *   janus-timers N
 *
 * On a 0-worker kernel with a virtual clock:
 *   timers-one-agent    one agent sets N timers at pseudo-random times
 *                       within a simulated hour (insert rate, bytes per
 *                       pending timer from RSS), then the kernel runs the
 *                       simulation: every timer fires (fire rate), checked
 *                       in due order;
 *   timers-many-agents  N agents each set one timer (the common case of
 *                       agents sleeping), then all fire.
 * Prints RESULT lines; exits 1 if a count or the order is wrong.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <janus.h>

#include "bench-util.h"

static gint64 n_timers;
static gint64 fired, order_errors, last_due;

static void
on_timer (JanusAgent *agent,
          gpointer    user_data)
{
  gint64 due = GPOINTER_TO_SIZE (user_data);
  gint64 now = janus_kernel_get_time (janus_agent_get_kernel (agent));

  if (due < last_due || now != due)
    order_errors++;
  last_due = due;
  fired++;
}

#define SETTER_TYPE (setter_get_type ())
G_DECLARE_FINAL_TYPE (Setter, setter, BENCH, SETTER, JanusAgent)
struct _Setter { JanusAgent parent_instance; gint64 count; };
G_DEFINE_FINAL_TYPE (Setter, setter, JANUS_TYPE_AGENT)

static double insert_secs;

static gboolean
setter_activate (JanusAgent *agent, GVariant *parameters, GError **error)
{
  Setter *self = (Setter *) agent;
  guint64 x = 0x9E3779B97F4A7C15 ^ (guint64) self->count;
  double t0 = bench_now ();
  gint64 i;

  for (i = 0; i < self->count; i++)
    {
      gint64 due;
      x ^= x >> 12; x ^= x << 25; x ^= x >> 27;
      /* within a simulated hour, never at time 0 */
      due = 1 + (gint64) ((x * G_GUINT64_CONSTANT (0x2545F4914F6CDD1D)) % (G_GUINT64_CONSTANT (3600) * G_USEC_PER_SEC));
      janus_agent_call_at (agent, due, on_timer, GSIZE_TO_POINTER (due), NULL);
    }
  insert_secs += bench_now () - t0;
  return TRUE;
}

static JanusLive
setter_live (JanusAgent *agent)
{
  return janus_agent_get_timer_count (agent) == 0 ? JANUS_LIVE_DONE : JANUS_LIVE_WAIT;
}

static void setter_class_init (SetterClass *klass)
{
  JANUS_AGENT_CLASS (klass)->activate = setter_activate;
  JANUS_AGENT_CLASS (klass)->live = setter_live;
}

static void setter_init (Setter *self) {}

static int
run (const char *name,
     gint64      agents,
     gint64      per_agent)
{
  g_autoptr(JanusKernel) kernel = janus_kernel_new (0);
  g_autoptr(JanusClock) clock = janus_clock_new_virtual (0, 0);
  long rss0, rss1, rss_agents;
  double t0, fire_secs;
  gint64 i;

  janus_kernel_set_clock (kernel, clock);
  fired = order_errors = last_due = 0;
  insert_secs = 0;
  g_type_ensure (SETTER_TYPE);
  rss0 = bench_rss_kb ();
  for (i = 0; i < agents; i++)
    {
      Setter *s = g_object_new (SETTER_TYPE, NULL);
      s->count = per_agent;
      janus_kernel_launch_light_agent (kernel, JANUS_AGENT (s), NULL, NULL, NULL);
      g_object_unref (s);
    }
  rss_agents = bench_rss_kb ();
  janus_kernel_step (kernel);           /* every activate sets its timers */
  rss1 = bench_rss_kb ();

  t0 = bench_now ();
  janus_kernel_run (kernel);            /* jumps from timer to timer */
  fire_secs = bench_now () - t0;

  if (fired != n_timers || order_errors != 0)
    {
      fprintf (stderr, "%s: %" G_GINT64_FORMAT " of %" G_GINT64_FORMAT " fired, %"
               G_GINT64_FORMAT " out of order\n", name, fired, n_timers, order_errors);
      return 1;
    }
  printf ("RESULT system=janus-c-0w workload=%s-insert n=%" G_GINT64_FORMAT " secs=%.4f"
          " rate=%.0f unit=timers/s bytes_per_timer=%.0f\n", name, n_timers, insert_secs,
          n_timers / insert_secs, (rss1 - (agents > 1 ? rss_agents : rss0)) * 1024.0 / n_timers);
  printf ("RESULT system=janus-c-0w workload=%s-fire n=%" G_GINT64_FORMAT " secs=%.4f"
          " rate=%.0f unit=timers/s\n", name, n_timers, fire_secs, n_timers / fire_secs);
  fflush (stdout);
  return 0;
}

int
main (int argc, char **argv)
{
  int rc;

  if (argc != 2 || (n_timers = g_ascii_strtoll (argv[1], NULL, 10)) < 1)
    {
      fprintf (stderr, "usage: janus-timers N\n");
      return 2;
    }
  rc = run ("timers-one-agent", 1, n_timers);
  rc |= run ("timers-many-agents", n_timers, 1);
  return rc;
}
