/* SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * janus-bench: the four workloads of ../shared/bench-peers with the public
 * API (JanusAgent subclasses exchanging JanusMessages through the kernel's
 * scheduler), doing exactly the work the peer programs do.
 *
 *   janus-bench [--style=fast|user] WORKERS pingpong N | ring A N | spawn K | forkjoin F N
 *
 * --style=fast (the default) is written the fastest way the API allows: one
 * agent class whose instances get a handler function, unchecked casts,
 * integer bodies. --style=user (janus-bench-user.c) is the same work written
 * the way the README and the guides teach: a class per role, named agents,
 * checked casts, janus_agent_reply, GVariant-typed bodies.
 *
 * Prints   RESULT system=janus-c-<W>w workload=W n=N secs=S rate=R unit=U
 * (system=janus-c-user-<W>w for the user style; plus bytes_per_actor=B for
 * spawn) and exits 1 when its own check of the work fails. Timings cover the
 * work only, as in the peers: from the first message (or spawn) to the last
 * result.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <janus.h>

#include "bench-util.h"
#include "janus-bench.h"

static guint workers;
static const char *style_name = "";     /* "" or "user-" */

void
report (const char *workload,
        gint64      n,
        double      secs,
        double      work,
        const char *unit,
        const char *extra)
{
  printf ("RESULT system=janus-c-%s%uw workload=%s n=%" G_GINT64_FORMAT
          " secs=%.4f rate=%.0f unit=%s%s\n",
          style_name, workers, workload, n, secs, work / secs, unit, extra ? extra : "");
  fflush (stdout);
}

/* The main thread waits for the agents' result on a latch. */
static GMutex done_lock;
static GCond done_cond;
static gboolean done;

void
signal_done (void)
{
  g_mutex_lock (&done_lock);
  done = TRUE;
  g_cond_signal (&done_cond);
  g_mutex_unlock (&done_lock);
}

void
wait_done (void)
{
  g_mutex_lock (&done_lock);
  while (!done)
    g_cond_wait (&done_cond, &done_lock);
  done = FALSE;
  g_mutex_unlock (&done_lock);
}

/* Every workload's agents are instances of this class; `handle` is the
 * workload's behaviour for one message. */
typedef struct _BenchAgent BenchAgent;
typedef void (*Handler) (BenchAgent *self, JanusMessage *m);

#define BENCH_TYPE_AGENT (bench_agent_get_type ())
G_DECLARE_FINAL_TYPE (BenchAgent, bench_agent, BENCH, AGENT, JanusAgent)

struct _BenchAgent
{
  JanusAgent    parent_instance;
  Handler       handle;
  JanusAddress *next;           /* pingpong peer, ring successor */
  gint64        i0, i1;         /* per-agent counters */
};

G_DEFINE_FINAL_TYPE (BenchAgent, bench_agent, JANUS_TYPE_AGENT)

static JanusLive
bench_agent_live (JanusAgent *agent)
{
  BenchAgent *self = (BenchAgent *) agent;
  JanusMessage *m;

  while ((m = janus_agent_get_message (agent)) != NULL)
    {
      self->handle (self, m);
      janus_message_unref (m);
    }
  return JANUS_LIVE_WAIT;
}

static void
bench_agent_finalize (GObject *object)
{
  g_clear_pointer (&((BenchAgent *) object)->next, janus_address_free);
  G_OBJECT_CLASS (bench_agent_parent_class)->finalize (object);
}

static void
bench_agent_class_init (BenchAgentClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = bench_agent_finalize;
  JANUS_AGENT_CLASS (klass)->live = bench_agent_live;
}

static void
bench_agent_init (BenchAgent *self)
{
}

static BenchAgent *
spawn (JanusKernel *kernel,
       Handler      handle)
{
  BenchAgent *a = g_object_new (BENCH_TYPE_AGENT, NULL);
  g_autoptr(GError) error = NULL;

  a->handle = handle;
  if (!janus_kernel_launch_light_agent (kernel, JANUS_AGENT (a), NULL, NULL, &error))
    g_error ("launch: %s", error->message);
  return a;
}

static const JanusAddress *
addr (BenchAgent *a)
{
  return janus_agent_get_address (JANUS_AGENT (a));
}

static void
send_int (BenchAgent         *from,
          const JanusAddress *to,
          const char         *subject,
          gint64              v)
{
  janus_agent_send (JANUS_AGENT (from), to, janus_message_new_int64 (subject, v), NULL);
}

static gint64
int_of (JanusMessage *m)
{
  gint64 v = 0;

  janus_message_get_int64 (m, &v);
  return v;
}

void
finish (JanusKernel *kernel)
{
  janus_kernel_kill_all (kernel);
  janus_kernel_run (kernel);
}

/* ------------------------------------------------------------ pingpong */

static gint64 g_n, g_result;

static void
ping_handle (BenchAgent   *self,
             JanusMessage *m)
{
  gint64 v;

  if (janus_message_has_subject (m, "start"))
    {
      send_int (self, self->next, "int", 1);
      return;
    }
  v = int_of (m);
  if (v >= g_n)
    {
      g_result = v;
      signal_done ();
    }
  else
    send_int (self, self->next, "int", v + 1);
}

static void
pong_handle (BenchAgent   *self,
             JanusMessage *m)
{
  send_int (self, self->next, "int", int_of (m));
}

static int
run_pingpong (JanusKernel *kernel,
              gint64       n)
{
  g_autoptr(BenchAgent) ping = spawn (kernel, ping_handle);
  g_autoptr(BenchAgent) pong = spawn (kernel, pong_handle);
  double t0, s;

  ping->next = janus_address_copy (addr (pong));
  pong->next = janus_address_copy (addr (ping));
  g_n = n;
  t0 = bench_now ();
  janus_kernel_send (kernel, addr (ping), janus_message_new ("start", NULL), NULL);
  wait_done ();
  s = bench_now () - t0;
  finish (kernel);
  if (g_result != n)
    {
      fprintf (stderr, "pingpong: expected %" G_GINT64_FORMAT " got %" G_GINT64_FORMAT "\n",
               n, g_result);
      return 1;
    }
  report ("pingpong", n, s, 2.0 * n, "msg/s", NULL);
  return 0;
}

/* ---------------------------------------------------------------- ring */

static void
ring_handle (BenchAgent   *self,
             JanusMessage *m)
{
  gint64 hop = int_of (m);

  self->i0++;
  if (hop >= g_n)
    {
      g_result = hop;
      signal_done ();
    }
  else
    send_int (self, self->next, "token", hop + 1);
}

static int
run_ring (JanusKernel *kernel,
          gint64       a,
          gint64       n)
{
  g_autoptr(GPtrArray) nodes = g_ptr_array_new_with_free_func (g_object_unref);
  gint64 i, sum = 0;
  double t0, s;

  for (i = 0; i < a; i++)
    g_ptr_array_add (nodes, spawn (kernel, ring_handle));
  for (i = 0; i < a; i++)
    ((BenchAgent *) nodes->pdata[i])->next =
      janus_address_copy (addr (nodes->pdata[(i + 1) % a]));
  g_n = n;
  t0 = bench_now ();
  /* hop 0 = injection */
  janus_kernel_send (kernel, addr (nodes->pdata[0]), janus_message_new_int64 ("token", 0), NULL);
  wait_done ();
  s = bench_now () - t0;
  finish (kernel);
  for (i = 0; i < a; i++)
    sum += ((BenchAgent *) nodes->pdata[i])->i0;
  if (g_result != n || sum != n + 1)
    {
      fprintf (stderr, "ring: expected %" G_GINT64_FORMAT " hops, got %" G_GINT64_FORMAT
               " (sum %" G_GINT64_FORMAT ")\n", n, g_result, sum);
      return 1;
    }
  report ("ring", n, s, (double) n, "hops/s", NULL);
  return 0;
}

/* --------------------------------------------------------------- spawn */

static gint g_ready, g_stopped;

#define IDLE_TYPE_AGENT (idle_agent_get_type ())
G_DECLARE_FINAL_TYPE (IdleAgent, idle_agent, IDLE, AGENT, JanusAgent)

/* An idle agent as small as the peers' (no state of its own). */
struct _IdleAgent
{
  JanusAgent parent_instance;
};

G_DEFINE_FINAL_TYPE (IdleAgent, idle_agent, JANUS_TYPE_AGENT)

static gboolean
idle_agent_activate (JanusAgent  *agent,
                     GVariant    *parameters,
                     GError     **error)
{
  g_atomic_int_inc (&g_ready);
  return TRUE;
}

static JanusLive
idle_agent_live (JanusAgent *agent)
{
  JanusMessage *m;

  while ((m = janus_agent_get_message (agent)) != NULL)
    {
      gboolean stop = janus_message_has_subject (m, "stop");
      janus_message_unref (m);
      if (stop)
        {
          g_atomic_int_inc (&g_stopped);
          return JANUS_LIVE_DONE;
        }
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

static int
run_spawn (JanusKernel *kernel,
           gint64       k)
{
  JanusAgent **v = g_new0 (JanusAgent *, k);  /* before the RSS baseline */
  long rss0, rss1;
  double t0, s;
  gint64 i;
  char extra[64];

  g_type_ensure (IDLE_TYPE_AGENT);
  memset (v, 0, sizeof (JanusAgent *) * k);
  rss0 = bench_rss_kb ();
  t0 = bench_now ();
  for (i = 0; i < k; i++)
    {
      /* the kernel keeps its own reference until the agent died */
      v[i] = g_object_new (IDLE_TYPE_AGENT, NULL);
      if (!janus_kernel_launch_light_agent (kernel, v[i], NULL, NULL, NULL))
        return 1;
    }
  /* like the peers, wait until every agent ran its initialisation */
  while (g_atomic_int_get (&g_ready) < k)
    g_thread_yield ();
  s = bench_now () - t0;
  rss1 = bench_rss_kb ();

  for (i = 0; i < k; i++)
    janus_kernel_send (kernel, janus_agent_get_address (v[i]),
                       janus_message_new ("stop", NULL), NULL);
  janus_kernel_run (kernel);   /* returns when all K died */
  for (i = 0; i < k; i++)
    g_object_unref (v[i]);
  g_free (v);
  if (g_atomic_int_get (&g_ready) != k || g_atomic_int_get (&g_stopped) != k)
    {
      fprintf (stderr, "spawn: ready=%d stopped=%d expected %" G_GINT64_FORMAT "\n",
               g_ready, g_stopped, k);
      return 1;
    }
  snprintf (extra, sizeof extra, " bytes_per_actor=%.0f", (rss1 - rss0) * 1024.0 / k);
  report ("spawn", k, s, (double) k, "spawn/s", extra);
  return 0;
}

/* ------------------------------------------------------------ forkjoin */

#define FJ_BATCH 1000

static GPtrArray *g_workers;    /* of BenchAgent */
static gint64 g_f, g_sent, g_total_count, g_total_sum;
static gint g_finished;
static GMutex g_agg_lock;

static void
worker_handle (BenchAgent   *self,
               JanusMessage *m)
{
  gboolean last;

  if (!janus_message_has_subject (m, "finish"))
    {
      self->i0++;
      self->i1 += int_of (m);
      return;
    }
  g_mutex_lock (&g_agg_lock);
  g_total_count += self->i0;
  g_total_sum += self->i1;
  last = ++g_finished == (gint) g_f;
  g_mutex_unlock (&g_agg_lock);
  if (last)
    signal_done ();
}

static void
sender_handle (BenchAgent   *self,
               JanusMessage *m)
{
  gint64 end = MIN (g_n, g_sent + FJ_BATCH), i;

  for (; g_sent < end; g_sent++)
    send_int (self, addr (g_workers->pdata[g_sent % g_f]), "int", g_sent);
  if (g_sent < g_n)
    janus_agent_send (JANUS_AGENT (self), addr (self), janus_message_new ("go", NULL), NULL);
  else
    for (i = 0; i < g_f; i++)
      janus_agent_send (JANUS_AGENT (self), addr (g_workers->pdata[i]),
                        janus_message_new ("finish", NULL), NULL);
}

static int
run_forkjoin (JanusKernel *kernel,
              gint64       f,
              gint64       n)
{
  g_autoptr(BenchAgent) sender = NULL;
  gint64 i, want_sum = n * (n - 1) / 2;
  double t0, s;

  g_f = f;
  g_n = n;
  g_workers = g_ptr_array_new_with_free_func (g_object_unref);
  for (i = 0; i < f; i++)
    g_ptr_array_add (g_workers, spawn (kernel, worker_handle));
  sender = spawn (kernel, sender_handle);
  t0 = bench_now ();
  janus_kernel_send (kernel, addr (sender), janus_message_new ("go", NULL), NULL);
  wait_done ();
  s = bench_now () - t0;
  finish (kernel);
  g_ptr_array_unref (g_workers);
  if (g_total_count != n || g_total_sum != want_sum)
    {
      fprintf (stderr, "forkjoin: count %" G_GINT64_FORMAT "/%" G_GINT64_FORMAT
               " sum %" G_GINT64_FORMAT "/%" G_GINT64_FORMAT "\n",
               g_total_count, n, g_total_sum, want_sum);
      return 1;
    }
  report ("forkjoin", n, s, (double) n, "msg/s", NULL);
  return 0;
}

static int
usage (void)
{
  fprintf (stderr, "usage: janus-bench [--style=fast|user] WORKERS "
           "pingpong N | ring A N | spawn K | forkjoin F N\n");
  return 2;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(JanusKernel) kernel = NULL;
  gboolean user = FALSE;
  const char *wl;
  gint64 a1, a2;
  int rc;

  if (argc > 1 && g_str_has_prefix (argv[1], "--style="))
    {
      if (!strcmp (argv[1], "--style=user"))
        user = TRUE;
      else if (strcmp (argv[1], "--style=fast") != 0)
        return usage ();
      argc--;
      argv++;
    }
  if (argc < 4)
    return usage ();
  workers = (guint) atoi (argv[1]);
  if (workers < 1)
    return usage ();
  if (user)
    style_name = "user-";
  wl = argv[2];
  a1 = g_ascii_strtoll (argv[3], NULL, 10);
  a2 = argc > 4 ? g_ascii_strtoll (argv[4], NULL, 10) : 0;
  if (a1 < 1 || (argc > 4 && a2 < 1))
    return usage ();
  kernel = janus_kernel_new (workers);

  if (!strcmp (wl, "pingpong") && argc == 4)
    rc = (user ? user_run_pingpong : run_pingpong) (kernel, a1);
  else if (!strcmp (wl, "ring") && argc == 5)
    rc = (user ? user_run_ring : run_ring) (kernel, a1, a2);
  else if (!strcmp (wl, "spawn") && argc == 4)
    rc = (user ? user_run_spawn : run_spawn) (kernel, a1);
  else if (!strcmp (wl, "forkjoin") && argc == 5)
    rc = (user ? user_run_forkjoin : run_forkjoin) (kernel, a1, a2);
  else
    return usage ();
  return rc;
}
