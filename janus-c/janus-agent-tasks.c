/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "janus-agent-private.h"

/* Tasks: work another thread (a higher layer: holons, the network) hands to
 * an agent's turn. A task travels as a due timer does: an internal message
 * pushed onto the agent's inbox with a request, which the mailbox hands
 * over when the agent looks (janus_agent_task_arrived); the turn runs the
 * tasks after its due timers and before `live` (janus_agent_run_tasks);
 * death cancels what did not run (janus_agent_cancel_tasks). See
 * janus-agent-private.h for the contract. */

#define P(agent) janus_agent_get_private (agent)

/* Pushes @task to the agent whose runnable is @r; FALSE if it is dead (its
 * inbox is closed). */
static gboolean
push_task (JanusScheduler *sched,
           JanusRunnable  *r,
           JanusAgentTask *task)
{
  JanusMessage *m = janus_message_new_task (task);

  if (janus_scheduler_push (sched, r, m, JANUS_REQUEST_TASK))
    return TRUE;
  janus_message_unref (m);
  return FALSE;
}

/* Hands @task to @self's next turn. MT safe; @self must be launched (the
 * caller holds a reference on it). Returns FALSE when @self is dead (it
 * will run no task any more): neither function of @task was called and
 * the caller still owns it. */
gboolean
janus_agent_post_task (JanusAgent     *self,
                       JanusAgentTask *task)
{
  JanusAgentPrivate *priv = P (self);

  g_return_val_if_fail (janus_agent_private_state (priv) != JANUS_AGENT_STATE_UNBORN, FALSE);

  if (janus_agent_private_state (priv) == JANUS_AGENT_STATE_DIED)
    return FALSE;
  return push_task (priv->runtime->sched, &priv->run, task);
}

/* The same for the agent @agent_id of @runtime, found in its address table
 * (a caller that knows the agent by its address only). FALSE if no such
 * agent is alive. MT safe. */
gboolean
janus_agent_post_task_to (JanusRuntime   *runtime,
                          guint64         agent_id,
                          JanusAgentTask *task)
{
  JanusRunnable *r;
  gboolean taken;

  janus_epoch_enter ();
  r = janus_registry_lookup (runtime->registry, agent_id);
  taken = r != NULL && push_task (runtime->sched, r, task);
  janus_epoch_exit ();
  return taken;
}

/* janus_agent_invoke: a function and its data as a task (allocated, since
 * the caller has no struct to embed it in). */
typedef struct
{
  JanusAgentTask  task;
  JanusTimerFunc  func;
  gpointer        data;
  GDestroyNotify  destroy;
} Invocation;

static void
invocation_cancel (JanusAgentTask *task)
{
  Invocation *inv = (Invocation *) task;

  if (inv->destroy != NULL)
    inv->destroy (inv->data);
  g_free (inv);
}

static void
invocation_run (JanusAgentTask *task,
                JanusAgent     *agent)
{
  Invocation *inv = (Invocation *) task;

  inv->func (agent, inv->data);
  invocation_cancel (task);
}

gboolean
janus_agent_invoke (JanusAgent     *self,
                    JanusTimerFunc  func,
                    gpointer        data,
                    GDestroyNotify  destroy)
{
  Invocation *inv = g_new (Invocation, 1);

  inv->task.run = invocation_run;
  inv->task.cancel = invocation_cancel;
  inv->func = func;
  inv->data = data;
  inv->destroy = destroy;
  if (janus_agent_post_task (self, &inv->task))
    return TRUE;
  invocation_cancel (&inv->task);
  return FALSE;
}

/* The mailbox took a task out of the arrivals (owner only). Tasks are
 * kept newest first (no tail to keep), and put back in order to run. */
void
janus_agent_task_arrived (JanusAgent   *self,
                          JanusMessage *message)
{
  JanusAgentExtra *extra = janus_agent_ensure_extra (self);

  message->next = extra->tasks;
  extra->tasks = message;
}

/* Takes the tasks handed over, oldest first. */
static JanusMessage *
take_tasks (JanusAgentExtra *extra)
{
  JanusMessage *m = extra->tasks, *ordered = NULL;

  extra->tasks = NULL;
  while (m != NULL)
    {
      JanusMessage *next = m->next;

      m->next = ordered;
      ordered = m;
      m = next;
    }
  return ordered;
}

/* The task @m carries; @m goes. */
static JanusAgentTask *
unwrap (JanusMessage *m)
{
  JanusAgentTask *task = m->v.data;

  m->next = NULL;
  janus_message_unref (m);
  return task;
}

/* In the agent's turn: runs the tasks handed over, oldest first. A task
 * handed over while these run (a heavy agent looks at each read) waits for
 * the next turn, so that a task posting tasks cannot hold the turn. */
void
janus_agent_run_tasks (JanusAgent *self)
{
  JanusAgentExtra *extra = atomic_load_explicit (&P (self)->extra, memory_order_acquire);
  JanusMessage *m;

  if (extra == NULL)
    return;
  m = take_tasks (extra);
  while (m != NULL)
    {
      JanusMessage *next = m->next;
      JanusAgentTask *task = unwrap (m);

      task->run (task, self);
      m = next;
    }
}

/* At death, once the mailbox is closed (no task can arrive any more):
 * cancels the tasks handed over and those among @rest, what the closed
 * mailbox held, oldest first. Returns @rest without its tasks. */
JanusMessage *
janus_agent_cancel_tasks (JanusAgent   *self,
                          JanusMessage *rest)
{
  JanusAgentExtra *extra = atomic_load_explicit (&P (self)->extra, memory_order_acquire);
  JanusMessage *m, *next, *letters = NULL, **link = &letters;

  for (m = extra != NULL ? take_tasks (extra) : NULL; m != NULL; m = next)
    {
      JanusAgentTask *task;

      next = m->next;
      task = unwrap (m);
      task->cancel (task);
    }
  for (m = rest; m != NULL; m = next)
    {
      next = m->next;
      m->next = NULL;
      if (G_UNLIKELY (janus_message_is_task (m)))
        {
          JanusAgentTask *task = m->v.data;
          janus_message_unref (m);
          task->cancel (task);
        }
      else
        {
          *link = m;
          link = &m->next;
        }
    }
  return letters;
}
