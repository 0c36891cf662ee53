/* SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * janus-bench --style=user: the four workloads written the way the README
 * and the guides teach, as a new user writes them: one agent class per role
 * (AppPing, AppPong, AppRingNode, AppIdle, AppSender, AppWorker), named
 * agents, checked casts (APP_PING (agent)), g_autoptr for received messages,
 * janus_agent_reply to answer, and GVariant-typed bodies: `(x)` for a counter,
 * `(xx)` for a worker's result, made with janus_message_new_values and read
 * with janus_message_get_values. The work and its checks are those of the fast
 * style (janus-bench.c) and of the peer programs.
 */
/* A user's program checks its casts: this project's release builds define
 * G_DISABLE_CAST_CHECKS for the library, a user's build does not. */
#undef G_DISABLE_CAST_CHECKS

#include <stdio.h>
#include <string.h>

#include <janus.h>

#include "bench-util.h"
#include "janus-bench.h"

/* ------------------------------------------------------------ pingpong */

/* Ping serves the first ball when told "start", returns every ball with its
 * counter plus one and stops at the number of rounds it was launched with. */
#define APP_TYPE_PING (app_ping_get_type ())
G_DECLARE_FINAL_TYPE (AppPing, app_ping, APP, PING, JanusAgent)

struct _AppPing
{
  JanusAgent    parent_instance;
  JanusAddress *pong;
  gint64        rounds;
  gint64        last;           /* the counter of the last ball */
};

G_DEFINE_FINAL_TYPE (AppPing, app_ping, JANUS_TYPE_AGENT)

/* Pong returns every ball as it came. */
#define APP_TYPE_PONG (app_pong_get_type ())
G_DECLARE_FINAL_TYPE (AppPong, app_pong, APP, PONG, JanusAgent)

struct _AppPong
{
  JanusAgent parent_instance;
  gint64     balls;             /* how many it returned */
};

G_DEFINE_FINAL_TYPE (AppPong, app_pong, JANUS_TYPE_AGENT)

static gboolean
app_ping_activate (JanusAgent  *agent,
                   GVariant    *parameters,
                   GError     **error)
{
  AppPing *self = APP_PING (agent);

  g_variant_get (parameters, "(x)", &self->rounds);
  return TRUE;
}

static JanusLive
app_ping_live (JanusAgent *agent)
{
  AppPing *self = APP_PING (agent);
  JanusMessage *m;

  while ((m = janus_agent_get_message (agent)) != NULL)
    {
      g_autoptr(JanusMessage) msg = m;
      gint64 n;

      if (janus_message_has_subject (msg, "start"))
        {
          janus_agent_send (agent, self->pong,
                            janus_message_new_values ("ball", "(x)", (gint64) 1), NULL);
          continue;
        }
      if (!janus_message_get_values (msg, "(x)", &n))
        continue;
      if (n >= self->rounds)
        {
          self->last = n;
          signal_done ();
        }
      else
        janus_agent_reply (agent, msg, janus_message_new_values ("ball", "(x)", n + 1),
                           NULL);
    }
  return JANUS_LIVE_WAIT;
}

static void
app_ping_finalize (GObject *object)
{
  g_clear_pointer (&APP_PING (object)->pong, janus_address_free);
  G_OBJECT_CLASS (app_ping_parent_class)->finalize (object);
}

static void
app_ping_class_init (AppPingClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = app_ping_finalize;
  JANUS_AGENT_CLASS (klass)->activate = app_ping_activate;
  JANUS_AGENT_CLASS (klass)->live = app_ping_live;
  janus_agent_class_set_activation_prototype (JANUS_AGENT_CLASS (klass), "(x)");
}

static void
app_ping_init (AppPing *self)
{
}

static JanusLive
app_pong_live (JanusAgent *agent)
{
  AppPong *self = APP_PONG (agent);
  JanusMessage *m;

  while ((m = janus_agent_get_message (agent)) != NULL)
    {
      g_autoptr(JanusMessage) msg = m;
      gint64 n;

      if (!janus_message_get_values (msg, "(x)", &n))
        continue;
      self->balls++;
      janus_agent_reply (agent, msg, janus_message_new_values ("ball", "(x)", n), NULL);
    }
  return JANUS_LIVE_WAIT;
}

static void
app_pong_class_init (AppPongClass *klass)
{
  JANUS_AGENT_CLASS (klass)->live = app_pong_live;
}

static void
app_pong_init (AppPong *self)
{
}

/* Launches @agent under @name or exits. */
static void
launch (JanusKernel *kernel,
        gpointer     agent,
        const char  *name,
        GVariant    *parameters)
{
  g_autoptr(GError) error = NULL;

  if (!janus_kernel_launch_light_agent (kernel, JANUS_AGENT (agent), name, parameters, &error))
    g_error ("launch %s: %s", name, error->message);
}

int
user_run_pingpong (JanusKernel *kernel,
                   gint64       n)
{
  g_autoptr(AppPing) ping = g_object_new (APP_TYPE_PING, NULL);
  g_autoptr(AppPong) pong = g_object_new (APP_TYPE_PONG, NULL);
  double t0, s;

  launch (kernel, ping, "ping", g_variant_new ("(x)", n));
  launch (kernel, pong, "pong", NULL);
  ping->pong = janus_address_copy (janus_agent_get_address (JANUS_AGENT (pong)));
  t0 = bench_now ();
  janus_kernel_send (kernel, janus_agent_get_address (JANUS_AGENT (ping)),
                     janus_message_new ("start", NULL), NULL);
  wait_done ();
  s = bench_now () - t0;
  finish (kernel);
  if (ping->last != n || pong->balls != n)
    {
      fprintf (stderr, "pingpong: expected %" G_GINT64_FORMAT " got %" G_GINT64_FORMAT
               " (pong returned %" G_GINT64_FORMAT ")\n", n, ping->last, pong->balls);
      return 1;
    }
  report ("pingpong", n, s, 2.0 * n, "msg/s", NULL);
  return 0;
}

/* ---------------------------------------------------------------- ring */

/* A ring node passes the token on to the next node until it has made the
 * number of hops the ring was started with. */
#define APP_TYPE_RING_NODE (app_ring_node_get_type ())
G_DECLARE_FINAL_TYPE (AppRingNode, app_ring_node, APP, RING_NODE, JanusAgent)

struct _AppRingNode
{
  JanusAgent    parent_instance;
  JanusAddress *next;
  gint64        hops;           /* the total to make */
  gint64        received;       /* tokens this node received */
  gint64        last;           /* the final hop, on the node that saw it */
};

G_DEFINE_FINAL_TYPE (AppRingNode, app_ring_node, JANUS_TYPE_AGENT)

static JanusLive
app_ring_node_live (JanusAgent *agent)
{
  AppRingNode *self = APP_RING_NODE (agent);
  JanusMessage *m;

  while ((m = janus_agent_get_message (agent)) != NULL)
    {
      g_autoptr(JanusMessage) msg = m;
      gint64 hop;

      if (!janus_message_get_values (msg, "(x)", &hop))
        continue;
      self->received++;
      if (hop >= self->hops)
        {
          self->last = hop;
          signal_done ();
        }
      else
        janus_agent_send (agent, self->next,
                          janus_message_new_values ("token", "(x)", hop + 1), NULL);
    }
  return JANUS_LIVE_WAIT;
}

static void
app_ring_node_finalize (GObject *object)
{
  g_clear_pointer (&APP_RING_NODE (object)->next, janus_address_free);
  G_OBJECT_CLASS (app_ring_node_parent_class)->finalize (object);
}

static void
app_ring_node_class_init (AppRingNodeClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = app_ring_node_finalize;
  JANUS_AGENT_CLASS (klass)->live = app_ring_node_live;
}

static void
app_ring_node_init (AppRingNode *self)
{
}

int
user_run_ring (JanusKernel *kernel,
               gint64       a,
               gint64       n)
{
  g_autoptr(GPtrArray) nodes = g_ptr_array_new_with_free_func (g_object_unref);
  gint64 i, sum = 0, last = -1;
  double t0, s;

  for (i = 0; i < a; i++)
    {
      AppRingNode *node = g_object_new (APP_TYPE_RING_NODE, NULL);
      g_autofree char *name = g_strdup_printf ("node-%" G_GINT64_FORMAT, i);

      node->hops = n;
      launch (kernel, node, name, NULL);
      g_ptr_array_add (nodes, node);
    }
  for (i = 0; i < a; i++)
    APP_RING_NODE (nodes->pdata[i])->next =
      janus_address_copy (janus_agent_get_address (nodes->pdata[(i + 1) % a]));
  t0 = bench_now ();
  /* hop 0 = injection */
  janus_kernel_send (kernel, janus_agent_get_address (nodes->pdata[0]),
                     janus_message_new_values ("token", "(x)", (gint64) 0), NULL);
  wait_done ();
  s = bench_now () - t0;
  finish (kernel);
  for (i = 0; i < a; i++)
    {
      AppRingNode *node = APP_RING_NODE (nodes->pdata[i]);

      sum += node->received;
      if (node->last > last)
        last = node->last;
    }
  if (last != n || sum != n + 1)
    {
      fprintf (stderr, "ring: expected %" G_GINT64_FORMAT " hops, got %" G_GINT64_FORMAT
               " (sum %" G_GINT64_FORMAT ")\n", n, last, sum);
      return 1;
    }
  report ("ring", n, s, (double) n, "hops/s", NULL);
  return 0;
}

/* --------------------------------------------------------------- spawn */

/* An idle agent: counts its activation, then waits for "stop". Spawned in
 * bulk, so launched without a name (a name is an allocation per agent that
 * nobody would read among a hundred thousand). */
#define APP_TYPE_IDLE (app_idle_get_type ())
G_DECLARE_FINAL_TYPE (AppIdle, app_idle, APP, IDLE, JanusAgent)

struct _AppIdle
{
  JanusAgent parent_instance;
};

G_DEFINE_FINAL_TYPE (AppIdle, app_idle, JANUS_TYPE_AGENT)

static gint idle_ready, idle_stopped;

static gboolean
app_idle_activate (JanusAgent  *agent,
                   GVariant    *parameters,
                   GError     **error)
{
  g_atomic_int_inc (&idle_ready);
  return TRUE;
}

static JanusLive
app_idle_live (JanusAgent *agent)
{
  JanusMessage *m;

  while ((m = janus_agent_get_message (agent)) != NULL)
    {
      g_autoptr(JanusMessage) msg = m;

      if (janus_message_has_subject (msg, "stop"))
        {
          g_atomic_int_inc (&idle_stopped);
          return JANUS_LIVE_DONE;
        }
    }
  return JANUS_LIVE_WAIT;
}

static void
app_idle_class_init (AppIdleClass *klass)
{
  JANUS_AGENT_CLASS (klass)->activate = app_idle_activate;
  JANUS_AGENT_CLASS (klass)->live = app_idle_live;
}

static void
app_idle_init (AppIdle *self)
{
}

int
user_run_spawn (JanusKernel *kernel,
                gint64       k)
{
  AppIdle **agents = g_new0 (AppIdle *, k);
  long rss0, rss1;
  double t0, s;
  gint64 i;
  char extra[64];

  g_type_ensure (APP_TYPE_IDLE);
  memset (agents, 0, sizeof (AppIdle *) * k);   /* touched before the RSS baseline */
  rss0 = bench_rss_kb ();
  t0 = bench_now ();
  for (i = 0; i < k; i++)
    {
      agents[i] = g_object_new (APP_TYPE_IDLE, NULL);
      launch (kernel, agents[i], NULL, NULL);
    }
  /* like the peers, wait until every agent ran its initialisation */
  while (g_atomic_int_get (&idle_ready) < k)
    g_thread_yield ();
  s = bench_now () - t0;
  rss1 = bench_rss_kb ();

  for (i = 0; i < k; i++)
    janus_kernel_send (kernel, janus_agent_get_address (JANUS_AGENT (agents[i])),
                       janus_message_new ("stop", NULL), NULL);
  janus_kernel_run (kernel);   /* returns when all K died */
  for (i = 0; i < k; i++)
    g_object_unref (agents[i]);
  g_free (agents);
  if (g_atomic_int_get (&idle_ready) != k || g_atomic_int_get (&idle_stopped) != k)
    {
      fprintf (stderr, "spawn: ready=%d stopped=%d expected %" G_GINT64_FORMAT "\n",
               idle_ready, idle_stopped, k);
      return 1;
    }
  snprintf (extra, sizeof extra, " bytes_per_actor=%.0f", (rss1 - rss0) * 1024.0 / k);
  report ("spawn", k, s, (double) k, "spawn/s", extra);
  return 0;
}

/* ------------------------------------------------------------ forkjoin */

#define FJ_BATCH 1000

/* The sender sends the integers 0..N-1 round-robin to its workers, 1000 at
 * a time with a "go" to itself in between, then "finish" to every worker,
 * and adds up the `(xx)` results they reply with. */
#define APP_TYPE_SENDER (app_sender_get_type ())
G_DECLARE_FINAL_TYPE (AppSender, app_sender, APP, SENDER, JanusAgent)

struct _AppSender
{
  JanusAgent  parent_instance;
  GPtrArray  *workers;          /* of JanusAddress */
  gint64      n, sent;
  guint       results;          /* workers that replied */
  gint64      count, sum;       /* their totals */
};

G_DEFINE_FINAL_TYPE (AppSender, app_sender, JANUS_TYPE_AGENT)

/* A worker counts and sums the integers it gets and replies to "finish"
 * with both. */
#define APP_TYPE_WORKER (app_worker_get_type ())
G_DECLARE_FINAL_TYPE (AppWorker, app_worker, APP, WORKER, JanusAgent)

struct _AppWorker
{
  JanusAgent parent_instance;
  gint64     count, sum;
};

G_DEFINE_FINAL_TYPE (AppWorker, app_worker, JANUS_TYPE_AGENT)

static void
app_sender_send_batch (AppSender *self)
{
  JanusAgent *agent = JANUS_AGENT (self);
  gint64 end = MIN (self->n, self->sent + FJ_BATCH);
  guint i;

  for (; self->sent < end; self->sent++)
    janus_agent_send (agent, self->workers->pdata[self->sent % self->workers->len],
                      janus_message_new_values ("int", "(x)", self->sent), NULL);
  if (self->sent < self->n)
    janus_agent_send (agent, janus_agent_get_address (agent),
                      janus_message_new ("go", NULL), NULL);
  else
    for (i = 0; i < self->workers->len; i++)
      janus_agent_send (agent, self->workers->pdata[i], janus_message_new ("finish", NULL), NULL);
}

static JanusLive
app_sender_live (JanusAgent *agent)
{
  AppSender *self = APP_SENDER (agent);
  JanusMessage *m;

  while ((m = janus_agent_get_message (agent)) != NULL)
    {
      g_autoptr(JanusMessage) msg = m;
      gint64 count, sum;

      if (janus_message_has_subject (msg, "go"))
        app_sender_send_batch (self);
      else if (janus_message_get_values (msg, "(xx)", &count, &sum))
        {
          self->count += count;
          self->sum += sum;
          if (++self->results == self->workers->len)
            signal_done ();
        }
    }
  return JANUS_LIVE_WAIT;
}

static void
app_sender_finalize (GObject *object)
{
  g_clear_pointer (&APP_SENDER (object)->workers, g_ptr_array_unref);
  G_OBJECT_CLASS (app_sender_parent_class)->finalize (object);
}

static void
app_sender_class_init (AppSenderClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = app_sender_finalize;
  JANUS_AGENT_CLASS (klass)->live = app_sender_live;
}

static void
app_sender_init (AppSender *self)
{
  self->workers = g_ptr_array_new_with_free_func ((GDestroyNotify) janus_address_free);
}

static JanusLive
app_worker_live (JanusAgent *agent)
{
  AppWorker *self = APP_WORKER (agent);
  JanusMessage *m;

  while ((m = janus_agent_get_message (agent)) != NULL)
    {
      g_autoptr(JanusMessage) msg = m;

      if (janus_message_has_subject (msg, "finish"))
        janus_agent_reply (agent, msg,
                           janus_message_new_values ("result", "(xx)", self->count, self->sum),
                           NULL);
      else
        {
          gint64 v;

          if (janus_message_get_values (msg, "(x)", &v))
            {
              self->count++;
              self->sum += v;
            }
        }
    }
  return JANUS_LIVE_WAIT;
}

static void
app_worker_class_init (AppWorkerClass *klass)
{
  JANUS_AGENT_CLASS (klass)->live = app_worker_live;
}

static void
app_worker_init (AppWorker *self)
{
}

int
user_run_forkjoin (JanusKernel *kernel,
                   gint64       f,
                   gint64       n)
{
  g_autoptr(AppSender) sender = g_object_new (APP_TYPE_SENDER, NULL);
  g_autoptr(GPtrArray) workers = g_ptr_array_new_with_free_func (g_object_unref);
  gint64 i, want_sum = n * (n - 1) / 2;
  double t0, s;

  for (i = 0; i < f; i++)
    {
      AppWorker *worker = g_object_new (APP_TYPE_WORKER, NULL);
      g_autofree char *name = g_strdup_printf ("worker-%" G_GINT64_FORMAT, i);

      launch (kernel, worker, name, NULL);
      g_ptr_array_add (workers, worker);
      g_ptr_array_add (sender->workers,
                       janus_address_copy (janus_agent_get_address (JANUS_AGENT (worker))));
    }
  sender->n = n;
  launch (kernel, sender, "sender", NULL);
  t0 = bench_now ();
  janus_kernel_send (kernel, janus_agent_get_address (JANUS_AGENT (sender)),
                     janus_message_new ("go", NULL), NULL);
  wait_done ();
  s = bench_now () - t0;
  finish (kernel);
  if (sender->count != n || sender->sum != want_sum)
    {
      fprintf (stderr, "forkjoin: count %" G_GINT64_FORMAT "/%" G_GINT64_FORMAT
               " sum %" G_GINT64_FORMAT "/%" G_GINT64_FORMAT "\n",
               sender->count, n, sender->sum, want_sum);
      return 1;
    }
  report ("forkjoin", n, s, (double) n, "msg/s", NULL);
  return 0;
}
