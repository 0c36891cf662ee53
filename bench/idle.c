/* SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * janus-idle: what waiting agents cost. Launches N agents that wait for a
 * message, waits until every one ran its first step, then measures for a few
 * seconds the process's CPU time (all threads) and its resident memory, and
 * finally stops every agent with a message (checked).
 *
 *   janus-idle WORKERS N [SECONDS]
 *
 * Prints
 *   RESULT system=janus-c-<W>w workload=idle n=N secs=S rate=<cpu %> unit=cpu_percent bytes_per_actor=B
 * where cpu % is CPU time / wall time × 100 (100 = one core busy).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include <janus.h>

#include "bench-util.h"

static gint ready, stopped;

#define IDLE_TYPE_AGENT (idle_agent_get_type ())
G_DECLARE_FINAL_TYPE (IdleAgent, idle_agent, IDLE, AGENT, JanusAgent)
struct _IdleAgent { JanusAgent parent_instance; };
G_DEFINE_FINAL_TYPE (IdleAgent, idle_agent, JANUS_TYPE_AGENT)

static gboolean
idle_agent_activate (JanusAgent *agent, GVariant *parameters, GError **error)
{
  g_atomic_int_inc (&ready);
  return TRUE;
}

static JanusLive
idle_agent_live (JanusAgent *agent)
{
  JanusMessage *m;

  while ((m = janus_agent_get_message (agent)) != NULL)
    {
      janus_message_unref (m);
      g_atomic_int_inc (&stopped);
      return JANUS_LIVE_DONE;
    }
  return JANUS_LIVE_WAIT;
}

static void
idle_agent_class_init (IdleAgentClass *klass)
{
  JANUS_AGENT_CLASS (klass)->activate = idle_agent_activate;
  JANUS_AGENT_CLASS (klass)->live = idle_agent_live;
}

static void
idle_agent_init (IdleAgent *self)
{
}

static double
cpu_seconds (void)
{
  struct rusage ru;

  getrusage (RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6
         + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

int
main (int argc, char **argv)
{
  guint workers;
  gint64 n, i;
  double secs, cpu0, cpu1;
  gint64 t0, t1;
  long rss0, rss1;
  JanusKernel *kernel;
  JanusAgent **agents;

  if (argc < 3)
    {
      fprintf (stderr, "usage: janus-idle WORKERS N [SECONDS]\n");
      return 2;
    }
  workers = (guint) atoi (argv[1]);
  n = g_ascii_strtoll (argv[2], NULL, 10);
  secs = argc > 3 ? g_ascii_strtod (argv[3], NULL) : 3.0;
  if (n < 1 || secs <= 0)
    return 2;

  kernel = janus_kernel_new (workers);
  agents = g_new0 (JanusAgent *, n);
  g_type_ensure (IDLE_TYPE_AGENT);
  rss0 = bench_rss_kb ();
  for (i = 0; i < n; i++)
    {
      agents[i] = g_object_new (IDLE_TYPE_AGENT, NULL);
      janus_kernel_launch_light_agent (kernel, agents[i], NULL, NULL, NULL);
      g_object_unref (agents[i]);   /* the kernel keeps them */
    }
  while (g_atomic_int_get (&ready) < n)
    g_usleep (1000);
  /* let every worker finish its last turn and park */
  g_usleep (200 * 1000);
  rss1 = bench_rss_kb ();

  cpu0 = cpu_seconds ();
  t0 = g_get_monotonic_time ();
  g_usleep ((gulong) (secs * G_USEC_PER_SEC));
  cpu1 = cpu_seconds ();
  t1 = g_get_monotonic_time ();

  /* every agent must still be reachable and answer */
  {
    g_autoptr(GPtrArray) live = janus_kernel_list_agents (kernel);
    for (i = 0; i < (gint64) live->len; i++)
      janus_kernel_send (kernel, janus_agent_get_address (live->pdata[i]),
                         janus_message_new ("stop", NULL), NULL);
  }
  janus_kernel_run (kernel);
  g_object_unref (kernel);
  g_free (agents);
  if (g_atomic_int_get (&stopped) != n)
    {
      fprintf (stderr, "idle: %d of %" G_GINT64_FORMAT " agents answered\n", stopped, n);
      return 1;
    }
  printf ("RESULT system=janus-c-%uw workload=idle n=%" G_GINT64_FORMAT " secs=%.2f"
          " rate=%.3f unit=cpu_percent bytes_per_actor=%.0f\n",
          workers, n, (t1 - t0) / 1e6, 100.0 * (cpu1 - cpu0) / ((t1 - t0) / 1e6),
          (rss1 - rss0) * 1024.0 / n);
  return 0;
}
