/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "janus-agent-private.h"
#include "janus-agent-signal.h"
#include "janus-group.h"
#include "janus-role-private.h"

/**
 * JanusAgentSignal:
 *
 * An event local to one agent: its roles and capacities fire agent
 * signals, and listeners of the agent and of its roles get them (Janus's
 * `agentsignal` package). Unlike messages, agent signals do not leave the
 * agent, have no receiver and cost no mailbox: they are how the parts of
 * one agent tell each other what happened.
 *
 * A signal has a name and optional values (a [struct@GLib.Variant]). Each
 * listener chooses, with a [enum@Janus.SignalPolicy], whether it runs at
 * once, at the agent's next step, or keeps the signals in a queue that the
 * agent reads when it likes:
 *
 * ```c
 * static void
 * on_hungry (JanusAgentSignal *signal, gpointer data)
 * {
 *   gint32 level;
 *   g_variant_get (janus_agent_signal_get_values (signal), "i", &level);
 *   …
 * }
 *
 * // in a role's activate:
 * janus_role_add_signal_listener (role, "hungry", JANUS_SIGNAL_POLICY_BUFFERED,
 *                                 on_hungry, NULL, NULL);
 * // in another role's live:
 * janus_role_fire_signal (other, janus_agent_signal_new ("hungry", g_variant_new_int32 (3)));
 * ```
 *
 * Everything happens on the agent's own thread: signals are fired, and
 * listeners added and removed, from the agent's steps (or, for an agent not
 * running, from any thread). A role's listeners are removed when the role
 * is left; the agent's when it is finalized. A signal is immutable and
 * fired once.
 */

struct _JanusAgentSignal
{
  gatomicrefcount  ref_count;
  char            *name;
  GVariant        *values;
  GWeakRef         source;      /* the agent or role that fired it */
  atomic_bool      fired;
};

G_DEFINE_BOXED_TYPE (JanusAgentSignal, janus_agent_signal,
                     janus_agent_signal_ref, janus_agent_signal_unref)

/**
 * janus_agent_signal_new:
 * @name: the signal's name, what listeners select it by
 * @values: (nullable): what the signal carries; a floating reference is
 *   taken
 *
 * Makes an agent signal, to fire with [method@Janus.Agent.fire_signal] or
 * [method@Janus.Role.fire_signal].
 *
 * Returns: (transfer full): a new signal
 */
JanusAgentSignal *
janus_agent_signal_new (const char *name,
                        GVariant   *values)
{
  JanusAgentSignal *self;

  g_return_val_if_fail (name != NULL, NULL);

  self = g_new0 (JanusAgentSignal, 1);
  g_atomic_ref_count_init (&self->ref_count);
  self->name = g_strdup (name);
  self->values = values ? g_variant_ref_sink (values) : NULL;
  g_weak_ref_init (&self->source, NULL);
  return self;
}

/**
 * janus_agent_signal_ref:
 * @self: a signal
 *
 * Takes a reference on @self. MT safe.
 *
 * Returns: (transfer full): @self
 */
JanusAgentSignal *
janus_agent_signal_ref (JanusAgentSignal *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

/**
 * janus_agent_signal_unref:
 * @self: (transfer full): a signal
 *
 * Drops a reference on @self. MT safe.
 */
void
janus_agent_signal_unref (JanusAgentSignal *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;
  g_weak_ref_clear (&self->source);
  g_clear_pointer (&self->values, g_variant_unref);
  g_free (self->name);
  g_free (self);
}

/**
 * janus_agent_signal_get_name:
 * @self: a signal
 *
 * Gets the signal's name.
 *
 * Returns: the name
 */
const char *
janus_agent_signal_get_name (JanusAgentSignal *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->name;
}

/**
 * janus_agent_signal_get_values:
 * @self: a signal
 *
 * Gets what the signal carries.
 *
 * Returns: (transfer none) (nullable): the values, or `NULL`
 */
GVariant *
janus_agent_signal_get_values (JanusAgentSignal *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->values;
}

/**
 * janus_agent_signal_dup_source:
 * @self: a signal
 *
 * Gets what fired the signal: the agent ([method@Janus.Agent.fire_signal])
 * or the role ([method@Janus.Role.fire_signal]).
 *
 * Returns: (transfer full) (nullable): the agent or role, or `NULL` before
 *   the signal is fired or once its source is finalized
 */
GObject *
janus_agent_signal_dup_source (JanusAgentSignal *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return g_weak_ref_get (&self->source);
}

/* ------------------------------------------------------------- the bus
 *
 * One per agent, made on first use and kept as the agent's qdata; it lives
 * until the agent is finalized. Only the agent's owner thread touches it
 * (its steps, or anybody while it is not running), so it takes no lock. */

typedef struct
{
  int               ref_count;  /* the bus's, and each delivery's */
  guint             id;
  char             *name;       /* NULL: every signal */
  JanusSignalPolicy policy;
  JanusSignalFunc   func;
  gpointer          user_data;
  GDestroyNotify    destroy;
  JanusRole        *role;       /* strong, or NULL: the agent's own */
  GQueue            queue;      /* QUEUE: the signals not taken yet */
  gboolean          removed;
} Listener;

typedef struct
{
  Listener         *listener;
  JanusAgentSignal *signal;
} Buffered;

typedef struct
{
  GPtrArray *listeners;         /* Listener, in the order added */
  GQueue     buffered;          /* Buffered, in firing order */
  guint      last_id;
  gboolean   flush_scheduled;
} Bus;

static GQuark bus_quark;
static GQuark role_left_quark;

static Listener *
listener_ref (Listener *l)
{
  l->ref_count++;
  return l;
}

/* The user's data goes with the last reference: after a callback that
 * removed its own listener returns. */
static void
listener_unref (Listener *l)
{
  if (--l->ref_count > 0)
    return;
  g_queue_clear_full (&l->queue, (GDestroyNotify) janus_agent_signal_unref);
  if (l->destroy != NULL)
    l->destroy (l->user_data);
  g_clear_object (&l->role);
  g_free (l->name);
  g_free (l);
}

static void
buffered_free (Buffered *b)
{
  listener_unref (b->listener);
  janus_agent_signal_unref (b->signal);
  g_free (b);
}

static void
bus_free (gpointer data)
{
  Bus *bus = data;

  g_queue_clear_full (&bus->buffered, (GDestroyNotify) buffered_free);
  g_ptr_array_unref (bus->listeners);
  g_free (bus);
}

static Bus *
bus_get (JanusAgent *agent,
         gboolean    create)
{
  Bus *bus;

  if (G_UNLIKELY (bus_quark == 0))
    {
      role_left_quark = g_quark_from_static_string ("janus-agent-signal-role-left");
      bus_quark = g_quark_from_static_string ("janus-agent-signal-bus");
    }
  bus = g_object_get_qdata (G_OBJECT (agent), bus_quark);
  if (bus != NULL || !create)
    return bus;
  bus = g_new0 (Bus, 1);
  bus->listeners = g_ptr_array_new_with_free_func ((GDestroyNotify) listener_unref);
  g_queue_init (&bus->buffered);
  g_object_set_qdata_full (G_OBJECT (agent), bus_quark, bus, bus_free);
  return bus;
}

static gboolean
check_owner (JanusAgent *agent,
             const char *func)
{
  if (G_LIKELY (janus_agent_check_owner (agent)))
    return TRUE;
  g_critical ("%s: the agent signals of agent %s are used from its own steps only",
              func, G_OBJECT_TYPE_NAME (agent));
  return FALSE;
}

static Listener *
find_listener (Bus   *bus,
               guint  id)
{
  guint i;

  for (i = 0; bus != NULL && i < bus->listeners->len; i++)
    {
      Listener *l = bus->listeners->pdata[i];
      if (l->id == id)
        return l;
    }
  return NULL;
}

static guint
add_listener (JanusAgent        *agent,
              JanusRole         *role,
              const char        *name,
              JanusSignalPolicy  policy,
              JanusSignalFunc    func,
              gpointer           user_data,
              GDestroyNotify     destroy)
{
  Bus *bus = bus_get (agent, TRUE);
  Listener *l = g_new0 (Listener, 1);

  l->ref_count = 1;
  l->id = ++bus->last_id;
  l->name = g_strdup (name);
  l->policy = policy;
  l->func = func;
  l->user_data = user_data;
  l->destroy = destroy;
  l->role = role ? g_object_ref (role) : NULL;
  g_queue_init (&l->queue);
  g_ptr_array_add (bus->listeners, l);
  return l->id;
}

static void
remove_listener (Bus      *bus,
                 Listener *l)
{
  GList *link = bus->buffered.head;

  l->removed = TRUE;
  /* what it was to get at the next step goes now */
  while (link != NULL)
    {
      GList *next = link->next;
      Buffered *b = link->data;

      if (b->listener == l)
        {
          g_queue_delete_link (&bus->buffered, link);
          buffered_free (b);
        }
      link = next;
    }
  g_queue_clear_full (&l->queue, (GDestroyNotify) janus_agent_signal_unref);
  /* the bus's reference; a delivery in progress keeps its own */
  g_ptr_array_remove (bus->listeners, l);
}

static gboolean
listens (Listener         *l,
         JanusAgentSignal *signal)
{
  if (l->removed || (l->role != NULL && !janus_role_is_played (l->role)))
    return FALSE;
  return l->name == NULL || g_str_equal (l->name, signal->name);
}

/* In the agent's step: delivers what BUFFERED listeners were given since
 * the last flush, in firing order. What they fire now waits for the next
 * step. */
static void
flush_buffered (JanusAgent *agent,
                gpointer    data)
{
  Bus *bus = data;
  GQueue batch = G_QUEUE_INIT;
  Buffered *b;

  bus->flush_scheduled = FALSE;
  batch = bus->buffered;
  g_queue_init (&bus->buffered);
  while ((b = g_queue_pop_head (&batch)) != NULL)
    {
      if (listens (b->listener, b->signal))
        b->listener->func (b->signal, b->listener->user_data);
      buffered_free (b);
    }
}

static void
fire (JanusAgent       *agent,
      GObject          *source,
      JanusAgentSignal *signal)
{
  Bus *bus = bus_get (agent, FALSE);
  g_autoptr(GPtrArray) targets = NULL;
  guint i;

  if (atomic_exchange_explicit (&signal->fired, TRUE, memory_order_relaxed))
    {
      g_critical ("agent signal “%s” was fired already; fire a new one", signal->name);
      return;
    }
  g_weak_ref_set (&signal->source, source);
  if (bus == NULL || bus->listeners->len == 0)
    return;
  /* listeners added while delivering get the next signals only */
  targets = g_ptr_array_new_full (bus->listeners->len, (GDestroyNotify) listener_unref);
  for (i = 0; i < bus->listeners->len; i++)
    g_ptr_array_add (targets, listener_ref (bus->listeners->pdata[i]));
  for (i = 0; i < targets->len; i++)
    {
      Listener *l = targets->pdata[i];

      if (!listens (l, signal))
        continue;
      switch (l->policy)
        {
        case JANUS_SIGNAL_POLICY_INSTANT:
          l->func (signal, l->user_data);
          break;
        case JANUS_SIGNAL_POLICY_BUFFERED:
          {
            Buffered *b = g_new (Buffered, 1);
            b->listener = listener_ref (l);
            b->signal = janus_agent_signal_ref (signal);
            g_queue_push_tail (&bus->buffered, b);
            /* an agent not launched yet flushes at its first emission after */
            if (!bus->flush_scheduled
                && janus_agent_get_state (agent) != JANUS_AGENT_STATE_UNBORN)
              bus->flush_scheduled = janus_agent_invoke (agent, flush_buffered, bus, NULL);
          }
          break;
        case JANUS_SIGNAL_POLICY_QUEUE:
        default:
          g_queue_push_tail (&l->queue, janus_agent_signal_ref (signal));
          break;
        }
    }
}

static JanusAgentSignal *
take_from (Listener *l)
{
  return l != NULL ? g_queue_pop_head (&l->queue) : NULL;
}

/* ---------------------------------------------------- agent functions */

/**
 * janus_agent_add_signal_listener:
 * @self: an agent (call from its own step, or before it is launched)
 * @name: (nullable): the name of the signals to get, or `NULL` for all
 * @policy: when the listener gets them
 * @func: (nullable) (scope notified) (closure user_data) (destroy destroy):
 *   what to do with each, or `NULL` for `JANUS_SIGNAL_POLICY_QUEUE` (the
 *   function is then never called)
 * @user_data: (nullable): data for @func
 * @destroy: (nullable): frees @user_data once the listener is removed
 *   (and not running), or when the agent is finalized
 *
 * Listens to the agent signals fired in the agent (by itself, its roles or
 * its capacities) from now on.
 *
 * Returns: the listener's identifier (never 0), for
 *   [method@Janus.Agent.remove_signal_listener] and
 *   [method@Janus.Agent.take_signal]
 */
guint
janus_agent_add_signal_listener (JanusAgent        *self,
                                 const char        *name,
                                 JanusSignalPolicy  policy,
                                 JanusSignalFunc    func,
                                 gpointer           user_data,
                                 GDestroyNotify     destroy)
{
  g_return_val_if_fail (JANUS_IS_AGENT (self), 0);
  g_return_val_if_fail (policy <= JANUS_SIGNAL_POLICY_QUEUE, 0);
  g_return_val_if_fail (func != NULL || policy == JANUS_SIGNAL_POLICY_QUEUE, 0);
  if (!check_owner (self, G_STRFUNC))
    return 0;

  return add_listener (self, NULL, name, policy, func, user_data, destroy);
}

/**
 * janus_agent_remove_signal_listener:
 * @self: an agent (call from its own step)
 * @listener_id: an identifier from [method@Janus.Agent.add_signal_listener]
 *
 * Stops a listener: it gets no signal any more, buffered or queued ones
 * included.
 *
 * Returns: `TRUE` if the listener existed
 */
gboolean
janus_agent_remove_signal_listener (JanusAgent *self,
                                    guint       listener_id)
{
  Bus *bus;
  Listener *l;

  g_return_val_if_fail (JANUS_IS_AGENT (self), FALSE);
  if (!check_owner (self, G_STRFUNC))
    return FALSE;

  bus = bus_get (self, FALSE);
  l = find_listener (bus, listener_id);
  if (l == NULL)
    return FALSE;
  remove_listener (bus, l);
  return TRUE;
}

/**
 * janus_agent_fire_signal:
 * @self: an agent (call from its own step)
 * @signal: (transfer full): a signal not fired yet
 *
 * Fires @signal in the agent, as coming from the agent itself: every
 * listener of its name gets it as its [enum@Janus.SignalPolicy] says — the
 * `INSTANT` ones before this returns, in the order they were added.
 */
void
janus_agent_fire_signal (JanusAgent       *self,
                         JanusAgentSignal *signal)
{
  g_autoptr(JanusAgentSignal) owned = signal;

  g_return_if_fail (JANUS_IS_AGENT (self));
  g_return_if_fail (signal != NULL);
  if (!check_owner (self, G_STRFUNC))
    return;

  fire (self, G_OBJECT (self), signal);
}

/**
 * janus_agent_take_signal:
 * @self: an agent (call from its own step)
 * @listener_id: the identifier of a `JANUS_SIGNAL_POLICY_QUEUE` listener
 *
 * Takes the oldest signal waiting in the queue of a listener (Janus's
 * `getSignal`).
 *
 * Returns: (transfer full) (nullable): the signal, or `NULL` if none waits
 *   (or there is no such listener)
 */
JanusAgentSignal *
janus_agent_take_signal (JanusAgent *self,
                         guint       listener_id)
{
  g_return_val_if_fail (JANUS_IS_AGENT (self), NULL);
  if (!check_owner (self, G_STRFUNC))
    return NULL;

  return take_from (find_listener (bus_get (self, FALSE), listener_id));
}

/**
 * janus_agent_has_signal:
 * @self: an agent (call from its own step)
 * @listener_id: the identifier of a `JANUS_SIGNAL_POLICY_QUEUE` listener
 *
 * Tells whether a signal waits in a listener's queue (Janus's `hasSignal`).
 *
 * Returns: whether [method@Janus.Agent.take_signal] would return one
 */
gboolean
janus_agent_has_signal (JanusAgent *self,
                        guint       listener_id)
{
  Listener *l;

  g_return_val_if_fail (JANUS_IS_AGENT (self), FALSE);
  if (!check_owner (self, G_STRFUNC))
    return FALSE;

  l = find_listener (bus_get (self, FALSE), listener_id);
  return l != NULL && !g_queue_is_empty (&l->queue);
}

/* ----------------------------------------------------- role functions */

/* The role left its group: its listeners go. */
static void
on_role_left (JanusGroup *group,
              JanusRole  *left,
              gpointer    data)
{
  JanusRole *role = data;
  JanusAgent *player;
  Bus *bus;
  guint i = 0;

  if (left != role)
    return;
  player = janus_role_get_player (role);
  bus = player ? bus_get (player, FALSE) : NULL;
  while (bus != NULL && i < bus->listeners->len)
    {
      Listener *l = bus->listeners->pdata[i];
      if (l->role == role)
        remove_listener (bus, l);
      else
        i++;
    }
  g_signal_handlers_disconnect_by_func (group, on_role_left, role);
  g_object_set_qdata (G_OBJECT (role), role_left_quark, NULL);
}

/* The player of a played @self, if the calling thread may act for it. */
static JanusAgent *
role_player (JanusRole  *self,
             const char *func)
{
  JanusAgent *player = janus_role_get_private (self)->player;

  if (!janus_role_is_played (self))
    {
      g_critical ("%s: role %s is not played", func, G_OBJECT_TYPE_NAME (self));
      return NULL;
    }
  return check_owner (player, func) ? player : NULL;
}

/**
 * janus_role_add_signal_listener:
 * @self: a played role (call from its player's step)
 * @name: (nullable): the name of the signals to get, or `NULL` for all
 * @policy: when the listener gets them
 * @func: (nullable) (scope notified) (closure user_data) (destroy destroy):
 *   what to do with each (`NULL` for `JANUS_SIGNAL_POLICY_QUEUE`)
 * @user_data: (nullable): data for @func
 * @destroy: (nullable): frees @user_data once the listener is removed
 *
 * Listens, for this role, to the agent signals fired in its player, as
 * [method@Janus.Agent.add_signal_listener] does. The listener is removed
 * when the role is left.
 *
 * Returns: the listener's identifier, or 0 if the role is not played
 */
guint
janus_role_add_signal_listener (JanusRole         *self,
                                const char        *name,
                                JanusSignalPolicy  policy,
                                JanusSignalFunc    func,
                                gpointer           user_data,
                                GDestroyNotify     destroy)
{
  JanusAgent *player;

  g_return_val_if_fail (JANUS_IS_ROLE (self), 0);
  g_return_val_if_fail (policy <= JANUS_SIGNAL_POLICY_QUEUE, 0);
  g_return_val_if_fail (func != NULL || policy == JANUS_SIGNAL_POLICY_QUEUE, 0);
  if ((player = role_player (self, G_STRFUNC)) == NULL)
    return 0;

  bus_get (player, TRUE);
  if (g_object_get_qdata (G_OBJECT (self), role_left_quark) == NULL)
    {
      /* _object: a role never taken (its activate failed) is not left,
       * but its handler goes with it */
      g_signal_connect_object (janus_role_get_group (self), "role-left",
                               G_CALLBACK (on_role_left), self, 0);
      g_object_set_qdata (G_OBJECT (self), role_left_quark, GINT_TO_POINTER (1));
    }
  return add_listener (player, self, name, policy, func, user_data, destroy);
}

/**
 * janus_role_remove_signal_listener:
 * @self: a role (call from its player's step)
 * @listener_id: an identifier from [method@Janus.Role.add_signal_listener]
 *
 * Stops one of the role's listeners.
 *
 * Returns: `TRUE` if the role had that listener
 */
gboolean
janus_role_remove_signal_listener (JanusRole *self,
                                   guint      listener_id)
{
  JanusAgent *player;
  Listener *l;
  Bus *bus;

  g_return_val_if_fail (JANUS_IS_ROLE (self), FALSE);
  if (!janus_role_is_played (self))
    return FALSE;
  if ((player = role_player (self, G_STRFUNC)) == NULL)
    return FALSE;

  bus = bus_get (player, FALSE);
  l = find_listener (bus, listener_id);
  if (l == NULL || l->role != self)
    return FALSE;
  remove_listener (bus, l);
  return TRUE;
}

/**
 * janus_role_fire_signal:
 * @self: a played role (call from its player's step)
 * @signal: (transfer full): a signal not fired yet
 *
 * Fires @signal in the role's player, as coming from the role (its
 * [method@Janus.AgentSignal.dup_source]); see
 * [method@Janus.Agent.fire_signal].
 */
void
janus_role_fire_signal (JanusRole        *self,
                        JanusAgentSignal *signal)
{
  g_autoptr(JanusAgentSignal) owned = signal;
  JanusAgent *player;

  g_return_if_fail (JANUS_IS_ROLE (self));
  g_return_if_fail (signal != NULL);
  if ((player = role_player (self, G_STRFUNC)) == NULL)
    return;

  fire (player, G_OBJECT (self), signal);
}

/**
 * janus_role_take_signal:
 * @self: a played role (call from its player's step)
 * @listener_id: the identifier of one of the role's
 *   `JANUS_SIGNAL_POLICY_QUEUE` listeners
 *
 * Takes the oldest signal waiting in the queue of one of the role's
 * listeners (Janus's `Role.getSignal`).
 *
 * Returns: (transfer full) (nullable): the signal, or `NULL`
 */
JanusAgentSignal *
janus_role_take_signal (JanusRole *self,
                        guint      listener_id)
{
  JanusAgent *player;
  Listener *l;

  g_return_val_if_fail (JANUS_IS_ROLE (self), NULL);
  if (!janus_role_is_played (self))
    return NULL;
  if ((player = role_player (self, G_STRFUNC)) == NULL)
    return NULL;

  l = find_listener (bus_get (player, FALSE), listener_id);
  return l != NULL && l->role == self ? take_from (l) : NULL;
}
