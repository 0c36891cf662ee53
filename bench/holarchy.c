/* SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * janus-holarchy: the cost of holons. Builds a holarchy of FANOUT top
 * holons, each with FANOUT member holons, each with FANOUT atomic member
 * holons (100 × 100 × 100 by default: 1,010,100 holons, of which 1,010,000
 * are members), all on one kernel without workers (one core), then tears
 * it down by killing the top holons (members end first, deepest first).
 * Then the cost of a message sent to a super-holon and routed to its head,
 * beside the same message sent to the head directly.
 *
 *   janus-holarchy [FANOUT [MESSAGES]]
 *
 * Prints
 *   RESULT … workload=holarchy-build n=<holons> secs=S rate=<holons/s> unit=holons_per_s
 *   RESULT … workload=holarchy-teardown …
 *   RESULT … workload=holarchy-total …        build and teardown
 *   RESULT … workload=agents-floor n=<holons> build_secs=B teardown_secs=T secs=S …
 *                                   as many plain agents launched and killed
 *   RESULT … workload=holarchy-memory n=<holons> bytes_per_holon=B agent_bytes=A extra_per_member=E
 *   RESULT … workload=route-to-head n=M secs=S rate=<msg/s> unit=msg_per_s ns_per_msg=T
 *   RESULT … workload=direct-to-head …
 *
 * Memory is the resident set (VmRSS) the build added, per holon; the
 * agent's own cost is measured the same way for as many plain agents in a
 * child process (so that neither reuses the other's freed memory), which
 * also times their launch and their death: the floor under a holarchy of
 * as many holons, each of which is an agent;
 * extra_per_member is what a member holon costs beyond that, the
 * super-holons' share included. The program checks its work (every holon
 * is where it should be, every holon died, every message arrived) and
 * exits non-zero otherwise.
 *
 * For instruction counts, which unlike times do not depend on the machine's
 * load, run a phase under callgrind, e.g.
 *   valgrind --tool=callgrind --toggle-collect=send_routed bench/janus-holarchy 10 100000
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <janus.h>

#include "bench-util.h"

static guint fanout = 100;
static guint n_messages = 1000000;

static guint64 n_holons (void) { return (guint64) fanout + (guint64) fanout * fanout
                                        + (guint64) fanout * fanout * fanout; }

static guint
step_all (JanusKernel *kernel)
{
  guint steps = 0;

  while (janus_kernel_step (kernel))
    steps++;
  return steps;
}

/* ---------------------------------------------------------- baseline */

/* What n plain agents cost, measured in a child process (so that neither
 * the holarchy nor the agents reuse the other's freed memory): bytes each,
 * and the time to launch and step them, then to kill them and step until
 * they died — the floor under a holarchy of as many holons. */
typedef struct
{
  long   bytes;
  double build;
  double teardown;
} AgentFloor;

/* noipa: phases of their own for callgrind's --toggle-collect */
__attribute__ ((noipa)) static void
launch_agents (JanusKernel *kernel,
               JanusAgent **agents,
               guint64      n)
{
  guint64 i;

  for (i = 0; i < n; i++)
    {
      agents[i] = g_object_new (JANUS_TYPE_AGENT, NULL);
      janus_kernel_launch_light_agent (kernel, agents[i], NULL, NULL, NULL);
    }
  step_all (kernel);
}

__attribute__ ((noipa)) static void
kill_agents (JanusKernel *kernel,
             JanusAgent **agents,
             guint64      n)
{
  guint64 i;

  for (i = 0; i < n; i++)
    {
      janus_kernel_kill (kernel, agents[i], NULL);
      g_object_unref (agents[i]);
    }
  step_all (kernel);
}

static gboolean
agents_in_child (guint64     n,
                 AgentFloor *out)
{
  int fds[2];
  pid_t pid;
  int status;
  gboolean ok = FALSE;

  if (pipe (fds) != 0)
    return FALSE;
  pid = fork ();
  if (pid == 0)
    {
      JanusKernel *kernel = janus_kernel_new (0);
      JanusAgent **agents = g_new (JanusAgent *, n);
      AgentFloor floor;
      long before, after;
      double t0, t1, t2;

      memset (agents, 0, n * sizeof *agents);   /* resident before the count */
      g_type_class_unref (g_type_class_ref (JANUS_TYPE_AGENT));
      before = bench_rss_kb ();
      t0 = bench_now ();
      launch_agents (kernel, agents, n);
      t1 = bench_now ();
      after = bench_rss_kb ();
      kill_agents (kernel, agents, n);
      t2 = bench_now ();
      if (janus_kernel_get_agent_count (kernel) != 0)
        _exit (1);
      floor.bytes = (long) ((after - before) * 1024.0 / n);
      floor.build = t1 - t0;
      floor.teardown = t2 - t1;
      if (write (fds[1], &floor, sizeof floor) != sizeof floor)
        _exit (1);
      _exit (0);        /* the parent wants the figures only */
    }
  close (fds[1]);
  if (pid > 0 && read (fds[0], out, sizeof *out) == sizeof *out)
    ok = TRUE;
  close (fds[0]);
  if (pid > 0)
    ok = waitpid (pid, &status, 0) == pid && WIFEXITED (status) && WEXITSTATUS (status) == 0 && ok;
  return ok;
}

/* ---------------------------------------------------------- holarchy */

static JanusHolon **tops;

static void
spawn_or_die (JanusHolon *holon,
              JanusAgent *member)
{
  g_autoptr(GError) error = NULL;

  if (!janus_holon_spawn_member (holon, member, NULL, NULL, &error))
    {
      fprintf (stderr, "spawn failed: %s\n", error->message);
      exit (1);
    }
}

/* Builds the holarchy and lets every holon take its roles. */
__attribute__ ((noipa)) static void
build_holarchy (JanusKernel *kernel)
{
  guint t, m, l;

  tops = g_new (JanusHolon *, fanout);
  for (t = 0; t < fanout; t++)
    {
      tops[t] = janus_holon_new ();
      janus_kernel_launch_light_agent (kernel, JANUS_AGENT (tops[t]), NULL, NULL, NULL);
      for (m = 0; m < fanout; m++)
        {
          JanusHolon *mid = janus_holon_new ();

          spawn_or_die (tops[t], JANUS_AGENT (mid));
          for (l = 0; l < fanout; l++)
            {
              JanusHolon *leaf = janus_holon_new ();
              spawn_or_die (mid, JANUS_AGENT (leaf));
              g_object_unref (leaf);
            }
          g_object_unref (mid);
        }
    }
  step_all (kernel);
}

/* Kills the top holons: their members end first, deepest first. */
__attribute__ ((noipa)) static void
teardown_holarchy (JanusKernel *kernel)
{
  guint t;

  for (t = 0; t < fanout; t++)
    janus_kernel_kill (kernel, JANUS_AGENT (tops[t]), NULL);
  step_all (kernel);
}

static gboolean
check_built (JanusKernel *kernel)
{
  guint t;

  if (janus_kernel_get_agent_count (kernel) != n_holons ())
    return FALSE;
  for (t = 0; t < fanout; t++)
    {
      g_autoptr(GPtrArray) mids = janus_holon_list_members (tops[t]);
      g_autoptr(JanusGroup) group = janus_holon_get_group (tops[t]);

      if (mids->len != fanout || janus_holon_get_n_members (mids->pdata[fanout - 1]) != fanout
          || group == NULL || janus_group_count_players (group, G_TYPE_INVALID) != fanout + 2)
        return FALSE;
    }
  return TRUE;
}

/* ----------------------------------------------------------- messages */

#define COUNTER_TYPE (counter_get_type ())
G_DECLARE_FINAL_TYPE (Counter, counter, BENCH, COUNTER, JanusAgent)
struct _Counter { JanusAgent parent_instance; guint64 got; };
G_DEFINE_FINAL_TYPE (Counter, counter, JANUS_TYPE_AGENT)

static JanusLive
counter_live (JanusAgent *agent)
{
  JanusMessage *m;

  while ((m = janus_agent_get_message (agent)) != NULL)
    {
      BENCH_COUNTER (agent)->got++;
      janus_message_unref (m);
    }
  return JANUS_LIVE_WAIT;
}

static void counter_class_init (CounterClass *klass) { JANUS_AGENT_CLASS (klass)->live = counter_live; }
static void counter_init (Counter *self) { }

/* Sends n messages to @to, a batch at a time, stepping in between. */
static void
send_batches (JanusKernel  *kernel,
              JanusAgent   *to)
{
  const JanusAddress *address = janus_agent_get_address (to);
  guint i;

  for (i = 0; i < n_messages; i++)
    {
      janus_kernel_send (kernel, address, janus_message_new_int64 ("m", i), NULL);
      if ((i & 1023) == 1023)
        step_all (kernel);
    }
  step_all (kernel);
}

/* noipa: two functions of their own for callgrind's --toggle-collect (the
 * compiler would otherwise fold these identical bodies into one) */
__attribute__ ((noipa)) static void
send_routed (JanusKernel *kernel,
             JanusHolon  *holon)
{
  send_batches (kernel, JANUS_AGENT (holon));
}

__attribute__ ((noipa)) static void
send_direct (JanusKernel *kernel,
             JanusAgent  *head)
{
  send_batches (kernel, head);
}

static int
bench_messages (void)
{
  g_autoptr(JanusKernel) kernel = janus_kernel_new (0);
  g_autoptr(JanusHolon) holon = janus_holon_new ();
  g_autoptr(Counter) head = g_object_new (COUNTER_TYPE, NULL);
  double t0, routed, direct;

  janus_kernel_launch_light_agent (kernel, JANUS_AGENT (holon), "holon", NULL, NULL);
  spawn_or_die (holon, JANUS_AGENT (head));
  step_all (kernel);

  t0 = bench_now ();
  send_routed (kernel, holon);
  routed = bench_now () - t0;
  if (head->got != n_messages)
    {
      fprintf (stderr, "routed: %" G_GUINT64_FORMAT " of %u messages arrived\n", head->got, n_messages);
      return 1;
    }
  t0 = bench_now ();
  send_direct (kernel, JANUS_AGENT (head));
  direct = bench_now () - t0;
  if (head->got != 2 * (guint64) n_messages)
    {
      fprintf (stderr, "direct: %" G_GUINT64_FORMAT " of %u messages arrived\n",
               head->got - n_messages, n_messages);
      return 1;
    }
  printf ("RESULT system=janus-c-0w workload=route-to-head n=%u secs=%.3f rate=%.0f unit=msg_per_s ns_per_msg=%.1f\n",
          n_messages, routed, n_messages / routed, routed * 1e9 / n_messages);
  printf ("RESULT system=janus-c-0w workload=direct-to-head n=%u secs=%.3f rate=%.0f unit=msg_per_s ns_per_msg=%.1f\n",
          n_messages, direct, n_messages / direct, direct * 1e9 / n_messages);
  return 0;
}

/* --------------------------------------------------------------- main */

int
main (int    argc,
      char **argv)
{
  JanusKernel *kernel;
  double t0, t1, t2;
  long rss0, rss1, agent_bytes;
  AgentFloor floor;
  guint64 n;
  guint t;

  if (argc > 1)
    fanout = (guint) strtoul (argv[1], NULL, 10);
  if (argc > 2)
    n_messages = (guint) strtoul (argv[2], NULL, 10);
  if (fanout < 2 || n_messages < 1)
    {
      fprintf (stderr, "usage: janus-holarchy [FANOUT ≥ 2 [MESSAGES ≥ 1]]\n");
      return 2;
    }
  n = n_holons ();
  if (!agents_in_child (n, &floor))
    {
      fprintf (stderr, "the plain agents' run failed\n");
      return 1;
    }
  agent_bytes = floor.bytes;

  kernel = janus_kernel_new (0);
  g_type_class_unref (g_type_class_ref (JANUS_TYPE_HOLON));
  rss0 = bench_rss_kb ();
  t0 = bench_now ();
  build_holarchy (kernel);
  t1 = bench_now ();
  rss1 = bench_rss_kb ();
  if (!check_built (kernel))
    {
      fprintf (stderr, "the holarchy is not what was built\n");
      return 1;
    }
  teardown_holarchy (kernel);
  t2 = bench_now ();
  if (janus_kernel_get_agent_count (kernel) != 0)
    {
      fprintf (stderr, "%u holons left after the teardown\n", janus_kernel_get_agent_count (kernel));
      return 1;
    }
  for (t = 0; t < fanout; t++)
    g_object_unref (tops[t]);
  g_free (tops);
  g_object_unref (kernel);

  printf ("RESULT system=janus-c-0w workload=holarchy-build n=%" G_GUINT64_FORMAT
          " secs=%.3f rate=%.0f unit=holons_per_s\n", n, t1 - t0, n / (t1 - t0));
  printf ("RESULT system=janus-c-0w workload=holarchy-teardown n=%" G_GUINT64_FORMAT
          " secs=%.3f rate=%.0f unit=holons_per_s\n", n, t2 - t1, n / (t2 - t1));
  printf ("RESULT system=janus-c-0w workload=holarchy-total n=%" G_GUINT64_FORMAT
          " secs=%.3f rate=%.0f unit=holons_per_s\n", n, t2 - t0, n / (t2 - t0));
  printf ("RESULT system=janus-c-0w workload=agents-floor n=%" G_GUINT64_FORMAT
          " build_secs=%.3f teardown_secs=%.3f secs=%.3f rate=%.0f unit=agents_per_s\n",
          n, floor.build, floor.teardown, floor.build + floor.teardown,
          n / (floor.build + floor.teardown));
  {
    double per_holon = (rss1 - rss0) * 1024.0 / n;
    double members = n - fanout;

    printf ("RESULT system=janus-c-0w workload=holarchy-memory n=%" G_GUINT64_FORMAT
            " bytes_per_holon=%.0f agent_bytes=%ld extra_per_member=%.0f\n",
            n, per_holon, agent_bytes, ((rss1 - rss0) * 1024.0 - (double) agent_bytes * n) / members);
  }
  return bench_messages ();
}
