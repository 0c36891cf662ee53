/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "janus-holon-private.h"
#include "janus-agent-private.h"
#include "janus-condition.h"
#include "janus-enums.h"
#include "janus-epoch-private.h"
#include "janus-error.h"
#include "janus-group-private.h"
#include "janus-holonic-head.h"
#include "janus-holonic-multi-part.h"
#include "janus-holonic-organization.h"
#include "janus-holonic-part.h"
#include "janus-holonic-roles-private.h"
#include "janus-holonic-super.h"
#include "janus-kernel-private.h"
#include "janus-message-private.h"
#include "janus-role-private.h"

/**
 * JanusHolon:
 *
 * An agent that may be made of agents: the holon of Janus and of the CRIO
 * model. Any [class@Janus.Agent] can be a member of a holon; a holon with
 * members is a *super-holon*, one without is *atomic*. A member that is a
 * holon may have members of its own, and so on: the holons of a kernel
 * form a *holarchy*.
 *
 * ```c
 * g_autoptr(JanusHolon) workshop = janus_holon_new ();
 * janus_kernel_launch_light_agent (kernel, JANUS_AGENT (workshop), "workshop", NULL, &error);
 *
 * // launched and made a Part of the workshop in one call
 * g_autoptr(JanusAgent) drill = g_object_new (MY_TYPE_DRILL, NULL);
 * janus_holon_spawn_member (workshop, drill, "drill", g_variant_new ("(i)", 3), &error);
 *
 * // the workshop offers what its members can do
 * janus_holon_invoke_capacity_async (workshop, MY_TYPE_DRILLING, g_variant_new_int32 (8),
 *                                    NULL, on_drilled, self);
 * ```
 *
 * ## Composition
 *
 * The members of a super-holon play roles in its internal group, a group of
 * [class@Janus.HolonicOrganization] made when its first member joins: the
 * holon itself plays [class@Janus.HolonicSuper], every member plays
 * [class@Janus.HolonicPart] (or [class@Janus.HolonicMultiPart] when it is
 * shared by several super-holons), and the head(s) play
 * [class@Janus.HolonicHead] as well.
 *
 * Membership changes through one path, whose functions are MT safe:
 * [method@Janus.Holon.spawn_member], [method@Janus.Holon.add_member],
 * [method@Janus.Holon.remove_member], [method@Janus.Holon.move_member] (in
 * one atomic step: the member is never in neither holon nor in both),
 * [method@Janus.Holon.merge], [method@Janus.Holon.merge_into] and
 * [method@Janus.Holon.decompose]. Each either changes the holarchy as a
 * whole or refuses with a [struct@GLib.Error] and changes nothing. The holarchy —
 * what [method@Janus.Holon.list_members] and friends report — changes at
 * once; each agent concerned then takes or leaves its holonic roles in its
 * own next step (at once if the change is made from that agent's step), so
 * the internal group follows the holarchy step by step.
 *
 * Like a `GstBin`, a holon holds a reference on each member; a member
 * knows its super-holons only through the holarchy, without a reference
 * (a weak pointer), so there are no reference cycles. Each change emits one
 * signal per holon and member concerned — [signal@Janus.Holon::member-added],
 * [signal@Janus.Holon::member-removed], [signal@Janus.Holon::head-changed]
 * — after the holarchy lock was released, on the thread that made it.
 *
 * ## Heads and messages
 *
 * A super-holon has one or more heads among its members: the first member
 * unless a head policy ([method@Janus.Holon.set_head_func]) or
 * [method@Janus.Holon.set_head] decides otherwise; when a head leaves or
 * ends, another is chosen the same way. What is sent to the super-holon's
 * address goes to its head ([property@Janus.Holon:routing]): the holon's
 * default `live` forwards it, keeping its sender, into the head's
 * [class@Janus.HolonicHead] role. Members talk to the super-holon and to
 * each other through the internal group's roles
 * ([method@Janus.Holon.send_to_super], [method@Janus.Holon.send_to_members]).
 *
 * ## Emergent capacities
 *
 * A super-holon offers the capacities of its members
 * ([method@Janus.Holon.has_capacity]). Invoking one
 * ([method@Janus.Holon.invoke_capacity_async]) goes Super → Head → a Part
 * that has it → back to the Super, each step in the step of the agent
 * concerned, and completes with the result or a [struct@GLib.Error].
 *
 * ## Life-cycle and supervision
 *
 * Killing a super-holon ends its members first: when it becomes DYING its
 * members are asked to die (in reverse joining order), and its own `end`
 * runs only once every member has ended; members that are holons do the
 * same, so `end`s run deepest first. A member shared with another
 * super-holon is only removed. A member that fails (see
 * [enum@Janus.SupervisionAction]) and ends is reported to its super-holon,
 * whose supervision decides: ignore, restart or escalate.
 * [signal@Janus.Holon::members-ended] tells when the last member ended.
 */

enum {
  PROP_0,
  PROP_ROUTING,
  PROP_SUPER_ROLE_TYPE,
  PROP_HEAD_ROLE_TYPE,
  PROP_PART_ROLE_TYPE,
  PROP_MULTI_PART_ROLE_TYPE,
  PROP_SUPERVISION,
  PROP_MAX_RESTARTS,
  PROP_RESTART_BACKOFF,
  N_PROPS
};

#define MEMBER_ADDED   JANUS_HOLON_MEMBER_ADDED
#define MEMBER_REMOVED JANUS_HOLON_MEMBER_REMOVED
#define HEAD_CHANGED   JANUS_HOLON_HEAD_CHANGED
#define MEMBER_FAILED  JANUS_HOLON_MEMBER_FAILED
#define MEMBERS_ENDED  JANUS_HOLON_MEMBERS_ENDED

static GParamSpec *properties[N_PROPS];
guint janus_holon_signals[JANUS_HOLON_N_SIGNALS];
#define signals janus_holon_signals

G_DEFINE_QUARK (janus-holon-error-quark, janus_holon_error)
G_DEFINE_TYPE_WITH_PRIVATE (JanusHolon, janus_holon, JANUS_TYPE_AGENT)

#define P(holon) ((JanusHolonPrivate *) janus_holon_get_instance_private (holon))

static GMutex holarchy_lock;
static GQuark info_quark;       /* JanusMemberInfo of an agent that is not a holon */
static GQuark group_quark;      /* the holon whose internal group it is (weak) */

void
janus_holarchy_lock (void)
{
  g_mutex_lock (&holarchy_lock);
}

void
janus_holarchy_unlock (void)
{
  g_mutex_unlock (&holarchy_lock);
}

JanusHolonPrivate *
janus_holon_get_private (JanusHolon *self)
{
  return P (self);
}

static JanusHolonComposite *
composite_peek (JanusHolon *self)
{
  /* acquire: pairs with the release of the CAS that installed it */
  return (JanusHolonComposite *) (atomic_load_explicit (&P (self)->info.word, memory_order_acquire)
                                  & ~(uintptr_t) JANUS_MEMBER_FLAGS);
}

JanusHolonComposite *
janus_holon_ensure_composite (JanusHolon *self)
{
  JanusHolonComposite *c = composite_peek (self);
  uintptr_t word;

  if (G_LIKELY (c != NULL))
    return c;
  c = g_aligned_alloc0 (1, sizeof (JanusHolonComposite), JANUS_HOLON_COMPOSITE_ALIGN);
  c->super_type = JANUS_TYPE_HOLONIC_SUPER;
  c->head_type = JANUS_TYPE_HOLONIC_HEAD;
  c->part_type = JANUS_TYPE_HOLONIC_PART;
  c->multi_part_type = JANUS_TYPE_HOLONIC_MULTI_PART;
  c->supervision = JANUS_SUPERVISION_IGNORE;
  c->max_restarts = 3;
  c->restart_backoff = 100 * 1000;
  atomic_init (&c->routing, JANUS_HOLON_ROUTING_HEAD);
  g_assert (((uintptr_t) c & JANUS_MEMBER_FLAGS) == 0);
  word = atomic_load_explicit (&P (self)->info.word, memory_order_acquire);
  /* acq_rel: the initialised struct is visible to whoever loads it; the
   * flags, which others change meanwhile, are kept */
  while ((word & ~(uintptr_t) JANUS_MEMBER_FLAGS) == 0)
    if (atomic_compare_exchange_weak_explicit (&P (self)->info.word, &word, word | (uintptr_t) c,
                                               memory_order_acq_rel, memory_order_acquire))
      return c;
  g_aligned_free (c);
  return (JanusHolonComposite *) (word & ~(uintptr_t) JANUS_MEMBER_FLAGS);
}

/* The membership part of any agent, or NULL if it was never a member nor
 * made shareable. MT safe. */
JanusMemberInfo *
janus_holon_peek_info (JanusAgent *agent)
{
  if (JANUS_IS_HOLON (agent))
    return &P (JANUS_HOLON (agent))->info;
  return g_object_get_qdata (G_OBJECT (agent), info_quark);
}

/* Lock held. */
static JanusMemberInfo *
ensure_info (JanusAgent *agent)
{
  JanusMemberInfo *info = janus_holon_peek_info (agent);

  if (info == NULL)
    {
      info = g_new0 (JanusMemberInfo, 1);
      g_object_set_qdata_full (G_OBJECT (agent), info_quark, info, g_free);
    }
  return info;
}

/* Lock held: @member's record in @self, found from the member's side (it
 * belongs to few holons; a holon may have many members). */
JanusMember *
janus_holon_find_record (JanusHolon *self,
                         JanusAgent *member)
{
  JanusMemberInfo *info = janus_holon_peek_info (member);
  JanusMember *m;

  for (m = info ? info->supers : NULL; m != NULL; m = m->next_super)
    if (m->holon == self)
      return m;
  return NULL;
}

/* ------------------------------------------------------------ changes
 *
 * What a change of the holarchy does once the lock is released: signals,
 * reconciles posted to the agents concerned, head elections, and the last
 * references it dropped. */

typedef JanusHolonChanges Changes;

void
janus_holon_vec_push (JanusHolonVec *v,
                      gpointer       item)
{
  if (v->heap == NULL && v->len == JANUS_HOLON_VEC_INLINE)
    {
      v->cap = 4 * JANUS_HOLON_VEC_INLINE;
      v->heap = g_new (gpointer, v->cap);
      memcpy (v->heap, v->inline_items, sizeof v->inline_items);
    }
  else if (v->heap != NULL && v->len == v->cap)
    {
      v->cap *= 2;
      v->heap = g_renew (gpointer, v->heap, v->cap);
    }
  janus_holon_vec_items (v)[v->len++] = item;
}

void
janus_holon_vec_clear (JanusHolonVec *v)
{
  g_clear_pointer (&v->heap, g_free);
  v->len = v->cap = 0;
}

static gboolean
vec_contains (JanusHolonVec *v,
              gpointer       item)
{
  gpointer *items = janus_holon_vec_items (v);
  guint i;

  for (i = 0; i < v->len; i++)
    if (items[i] == item)
      return TRUE;
  return FALSE;
}

JanusHolonComposite *
janus_holon_peek_composite (JanusHolon *self)
{
  return composite_peek (self);
}

/* Lock held: @signal is to be emitted on @holon once the lock is released
 * — if anybody listens now (a handler connected meanwhile does not hear of
 * a change made before). */
void
janus_holon_changes_emit (Changes    *ch,
                          guint       signal,
                          JanusHolon *holon,
                          JanusAgent *agent)
{
  if (!g_signal_has_handler_pending (holon, signals[signal], 0, TRUE))
    return;
  janus_holon_vec_push (&ch->emissions, GUINT_TO_POINTER (signal));
  janus_holon_vec_push (&ch->emissions, g_object_ref (holon));
  janus_holon_vec_push (&ch->emissions, agent ? g_object_ref (agent) : NULL);
}

static void
changes_add (JanusHolonVec *v,
             gpointer       object)
{
  if (!vec_contains (v, object))
    janus_holon_vec_push (v, g_object_ref (object));
}

static void
changes_drop (Changes  *ch,
              gpointer  object)
{
  janus_holon_vec_push (&ch->garbage, object);
}

static void
vec_unref_all (JanusHolonVec *v)
{
  gpointer *items = janus_holon_vec_items (v);
  guint i;

  for (i = 0; i < v->len; i++)
    g_object_unref (items[i]);
  janus_holon_vec_clear (v);
}

static void
emissions_clear (JanusHolonVec *v)
{
  gpointer *items = janus_holon_vec_items (v);
  guint i;

  for (i = 0; i < v->len; i += 3)
    {
      g_object_unref (items[i + 1]);
      if (items[i + 2] != NULL)
        g_object_unref (items[i + 2]);
    }
  janus_holon_vec_clear (v);
}

static JanusAgentTask elect_task;

/* Nobody heard of the change (it was undone): no signal, no reconcile in
 * the caller's step. */
void
janus_holon_changes_forget_signals (Changes *ch)
{
  emissions_clear (&ch->emissions);
  vec_unref_all (&ch->reconcile);
}

/* Lock released: does what the change asked for, in order. */
void
janus_holon_changes_apply (Changes *ch)
{
  JanusAgent *current = janus_agent_get_current ();
  gpointer *items;
  guint i;

  items = janus_holon_vec_items (&ch->reconcile);
  for (i = 0; i < ch->reconcile.len; i++)
    /* the agent's own step: its roles follow at once */
    if (items[i] == current && janus_agent_get_state (current) <= JANUS_AGENT_STATE_ALIVE)
      janus_holon_reconcile_if_pending (current);
  items = janus_holon_vec_items (&ch->elect);
  for (i = 0; i < ch->elect.len; i++)
    janus_agent_post_task (items[i], &elect_task);
  items = janus_holon_vec_items (&ch->wake);
  for (i = 0; i < ch->wake.len; i++)
    janus_agent_wake (items[i]);
  items = janus_holon_vec_items (&ch->emissions);
  for (i = 0; i < ch->emissions.len; i += 3)
    {
      guint signal = GPOINTER_TO_UINT (items[i]);

      if (signal == MEMBERS_ENDED)
        g_signal_emit (items[i + 1], signals[signal], 0);
      else
        g_signal_emit (items[i + 1], signals[signal], 0, items[i + 2]);
    }
  emissions_clear (&ch->emissions);
  vec_unref_all (&ch->reconcile);
  vec_unref_all (&ch->elect);
  vec_unref_all (&ch->wake);
  items = janus_holon_vec_items (&ch->records);
  for (i = 0; i < ch->records.len; i++)
    g_slice_free (JanusMember, items[i]);
  janus_holon_vec_clear (&ch->records);
  /* last: an agent's finalize is user code */
  vec_unref_all (&ch->garbage);
}

/* ---------------------------------------------------------- reconcile
 *
 * The holarchy says which holonic roles each agent should play; an agent
 * takes and leaves them in its own step (janus_agent_request_role is for
 * the agent's step only). Each change posts one "reconcile" to the agents
 * concerned; it reads what they should play when it runs, so reconciles
 * are idempotent and their order does not matter. */

typedef struct
{
  JanusGroup *group;            /* strong */
  GType       type;
} Wanted;

/* The roles an agent should play: a few, kept inline (an agent is a member
 * of one holon or a few, and a head or not in each). */
#define WANTED_INLINE 4

typedef struct
{
  guint   len;
  guint   cap;
  Wanted *items;
  Wanted  inline_items[WANTED_INLINE];
} WantedSet;

static void
wanted_init (WantedSet *set)
{
  set->len = 0;
  set->cap = WANTED_INLINE;
  set->items = set->inline_items;
}

static void
wanted_clear (WantedSet *set)
{
  guint i;

  for (i = 0; i < set->len; i++)
    g_object_unref (set->items[i].group);
  if (set->items != set->inline_items)
    g_free (set->items);
}

static void
want (WantedSet  *set,
      JanusGroup *group,
      GType       type)
{
  if (set->len == set->cap)
    {
      Wanted *bigger = g_new (Wanted, set->cap * 2);

      memcpy (bigger, set->items, set->len * sizeof (Wanted));
      if (set->items != set->inline_items)
        g_free (set->items);
      set->items = bigger;
      set->cap *= 2;
    }
  set->items[set->len].group = g_object_ref (group);
  set->items[set->len].type = type;
  set->len++;
}

/* Lock held: the holonic roles @agent should play. */
static void
collect_wanted (JanusAgent      *agent,
                JanusMemberInfo *info,
                WantedSet       *wanted)
{
  JanusMember *m;

  for (m = info->supers; m != NULL; m = m->next_super)
    {
      JanusHolonComposite *c = composite_peek (m->holon);

      if (c->group == NULL)
        continue;
      want (wanted, c->group, m->kind == JANUS_MEMBERSHIP_MULTI_PART ? c->multi_part_type
                                                                     : c->part_type);
      if (m->head)
        want (wanted, c->group, c->head_type);
    }
  if (JANUS_IS_HOLON (agent))
    {
      JanusHolonComposite *c = composite_peek (JANUS_HOLON (agent));

      if (c != NULL && c->group != NULL && c->n_members > 0)
        want (wanted, c->group, c->super_type);
    }
}

static gboolean
is_holonic_role (JanusRole *role)
{
  return JANUS_IS_HOLONIC_PART (role) || JANUS_IS_HOLONIC_HEAD (role)
         || JANUS_IS_HOLONIC_SUPER (role);
}

static gboolean
wanted_has (WantedSet  *wanted,
            JanusGroup *group,
            GType       type)
{
  guint i;

  for (i = 0; i < wanted->len; i++)
    if (wanted->items[i].group == group && wanted->items[i].type == type)
      return TRUE;
  return FALSE;
}

static gboolean is_wanted_locked (JanusAgent *agent,
                                  JanusGroup *group,
                                  GType       type);
static gboolean holonic_role_wanted (JanusAgent *agent,
                                     JanusGroup *group,
                                     GType       role_type);

/* A leave refused because the holarchy changed since the reconcile read it
 * (the role is wanted again, or was for a moment): the change posted
 * another reconcile, which settles the role. */
static gboolean
changed_since_read (JanusAgent *agent,
                    JanusGroup *group,
                    GType       type)
{
  JanusMemberInfo *info = janus_holon_peek_info (agent);
  gboolean wanted;

  if (janus_member_info_flags (info, memory_order_acquire) & JANUS_MEMBER_RECONCILE_PENDING)
    return TRUE;
  g_mutex_lock (&holarchy_lock);
  wanted = is_wanted_locked (agent, group, type);
  g_mutex_unlock (&holarchy_lock);
  return wanted;
}

/* In @agent's step, as it stops being a head of the holon whose internal
 * group @role is in: what the holon forwarded to it and it did not read
 * goes back to the holon, which forwards it to its head(s) now — else it
 * would wait in @agent's mailbox for a role it no longer plays. Each
 * message keeps its sender. */
static void
return_unread (JanusAgent *agent,
               JanusRole  *role)
{
  g_autoptr(JanusHolon) holon = NULL;
  JanusRuntime *rt = janus_agent_get_runtime (agent);
  JanusMessage *m;

  g_mutex_lock (&holarchy_lock);
  holon = g_object_get_qdata (G_OBJECT (janus_role_get_group (role)), group_quark);
  if (holon != NULL)
    g_object_ref (holon);
  g_mutex_unlock (&holarchy_lock);
  /* the composition is over: nobody to forward to */
  if (holon == NULL || !janus_agent_is_alive (JANUS_AGENT (holon)))
    return;
  while ((m = janus_role_get_message (role)) != NULL)
    {
      if (atomic_load_explicit (&m->ref_count, memory_order_acquire) != 1)
        {
          /* somebody else holds it (a peek): it stays as it was */
          JanusMessage *copy = janus_message_clone_for (m);

          janus_message_seal (copy, &m->sender, janus_agent_get_address (JANUS_AGENT (holon)),
                              m->timestamp);
          janus_message_unref (m);
          m = copy;
        }
      if (m->flags & JANUS_MESSAGE_ROUTED)
        {
          janus_message_route_unref (m->route);
          m->route = NULL;
          m->flags &= ~JANUS_MESSAGE_ROUTED;
        }
      m->receiver = *janus_agent_get_address (JANUS_AGENT (holon));
      janus_runtime_deliver (rt, m);
    }
}

static void
leave_unwanted (JanusAgent *agent,
                WantedSet  *wanted)
{
  g_autoptr(GPtrArray) roles = janus_agent_list_roles (agent);
  guint i;

  for (i = 0; i < roles->len; i++)
    {
      JanusRole *role = roles->pdata[i];
      g_autoptr(GError) error = NULL;

      if (!is_holonic_role (role) || !janus_role_is_played (role)
          || wanted_has (wanted, janus_role_get_group (role), G_OBJECT_TYPE (role)))
        continue;
      if (JANUS_IS_HOLONIC_HEAD (role))
        return_unread (agent, role);
      if (janus_agent_leave_role (agent, G_OBJECT_TYPE (role), janus_role_get_group (role), &error))
        continue;
      if (changed_since_read (agent, janus_role_get_group (role), G_OBJECT_TYPE (role)))
        g_debug ("agent %s keeps its holonic role %s for now: %s", G_OBJECT_TYPE_NAME (agent),
                 G_OBJECT_TYPE_NAME (role), error->message);
      else
        g_warning ("agent %s cannot leave its holonic role %s: %s", G_OBJECT_TYPE_NAME (agent),
                   G_OBJECT_TYPE_NAME (role), error->message);
    }
}

/* The holonic role the reconcile of this thread is requesting: it read
 * that the holarchy wants it, under the lock, just before (a change since
 * then posted another reconcile), so the obtain condition need not look
 * again. Only that role: a request made meanwhile by user code (a role's
 * activate) is checked. */
static _Thread_local struct {
  JanusGroup *group;
  GType       type;
} reconciling;

static void
take_wanted (JanusAgent *agent,
             WantedSet  *wanted)
{
  guint i;

  for (i = 0; i < wanted->len; i++)
    {
      Wanted *w = &wanted->items[i];
      JanusRole *played = janus_agent_get_role (agent, w->type, w->group);
      g_autoptr(GError) error = NULL;
      JanusGroup *outer_group = reconciling.group;
      GType outer_type = reconciling.type;
      JanusRole *taken;

      if (played != NULL && G_OBJECT_TYPE (played) == w->type)
        continue;
      reconciling.group = w->group;
      reconciling.type = w->type;
      taken = janus_agent_request_role (agent, w->type, w->group, NULL, &error);
      reconciling.group = outer_group;
      reconciling.type = outer_type;
      if (taken != NULL)
        continue;
      /* a group that died meanwhile belonged to a composition that is over,
       * a role no longer wanted was changed since it was read: the change
       * posted another reconcile */
      if (g_error_matches (error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_NOT_A_MEMBER) && !janus_group_is_alive (w->group))
        g_debug ("agent %s: holonic role %s no longer exists: %s", G_OBJECT_TYPE_NAME (agent),
                 g_type_name (w->type), error->message);
      else if (g_error_matches (error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_CONDITION_FAILED)
               && ((janus_member_info_flags (janus_holon_peek_info (agent), memory_order_acquire)
                    & JANUS_MEMBER_RECONCILE_PENDING)
                   || !holonic_role_wanted (agent, w->group, w->type)))
        g_debug ("agent %s: holonic role %s no longer wanted: %s", G_OBJECT_TYPE_NAME (agent),
                 g_type_name (w->type), error->message);
      else
        g_warning ("agent %s cannot take its holonic role %s: %s", G_OBJECT_TYPE_NAME (agent),
                   g_type_name (w->type), error->message);
    }
}

/* In @agent's step: takes and leaves holonic roles to match the holarchy. */
static void
reconcile (JanusAgent      *agent,
           JanusMemberInfo *info)
{
  WantedSet wanted;
  guint flags;

  wanted_init (&wanted);
  /* cleared before reading: a change made after this point posts again */
  flags = atomic_fetch_and_explicit (&info->word, ~(uintptr_t) JANUS_MEMBER_RECONCILE_PENDING,
                                     memory_order_acq_rel);
  g_mutex_lock (&holarchy_lock);
  collect_wanted (agent, info, &wanted);
  g_mutex_unlock (&holarchy_lock);
  /* an agent never reconciled plays no holonic role yet: no list to read */
  if (flags & JANUS_MEMBER_RECONCILED)
    leave_unwanted (agent, &wanted);
  else
    atomic_fetch_or_explicit (&info->word, JANUS_MEMBER_RECONCILED, memory_order_relaxed);
  take_wanted (agent, &wanted);
  wanted_clear (&wanted);
}

/* In @agent's step: reconciles it if a reconcile is posted to it. */
void
janus_holon_reconcile_if_pending (JanusAgent *agent)
{
  JanusMemberInfo *info = janus_holon_peek_info (agent);

  if (info != NULL && (janus_member_info_flags (info, memory_order_acquire)
                       & JANUS_MEMBER_RECONCILE_PENDING))
    reconcile (agent, info);
}

static void
reconcile_run (JanusAgentTask *task,
               JanusAgent     *agent)
{
  janus_holon_reconcile_if_pending (agent);
}

static void
reconcile_cancel (JanusAgentTask *task)
{
}

/* The reconcile task: the agent it runs in is all it needs, so one task
 * serves every agent (the message carrying it is the queue's node). */
static JanusAgentTask reconcile_task = { reconcile_run, reconcile_cancel };

/* MT safe: makes @agent reconcile in its next step (once, however many
 * changes come before it). Lock held or not. */
void
janus_holon_post_reconcile (JanusAgent *agent)
{
  JanusMemberInfo *info = janus_holon_peek_info (agent);
  guint flags;

  g_assert (info != NULL);
  flags = atomic_fetch_or_explicit (&info->word, JANUS_MEMBER_RECONCILE_PENDING,
                                    memory_order_acq_rel);
  if (flags & JANUS_MEMBER_RECONCILE_PENDING)
    return;
  /* a member being spawned reconciles as it becomes ALIVE */
  if (janus_agent_get_state (agent) == JANUS_AGENT_STATE_UNBORN)
    return;
  /* an agent that died meanwhile reconciles no more */
  janus_agent_post_task (agent, &reconcile_task);
}

/* Lock held: the agent is to reconcile (and, if it is the caller's own
 * step, it does once the lock is released). */
static void
changes_reconcile (Changes    *ch,
                   JanusAgent *agent)
{
  /* a member that is ending will play nothing any more */
  if (janus_agent_get_state (agent) >= JANUS_AGENT_STATE_DYING)
    return;
  janus_holon_post_reconcile (agent);
  changes_add (&ch->reconcile, agent);
}

/* A holonic role may be left only when the holarchy no longer wants it:
 * leaving a holon is janus_holon_remove_member's business. */
static gboolean
is_wanted_locked (JanusAgent *agent,
                  JanusGroup *group,
                  GType       type)
{
  JanusHolon *holon = g_object_get_qdata (G_OBJECT (group), group_quark);
  JanusHolonComposite *c;
  JanusMember *m;

  if (holon == NULL || (c = composite_peek (holon)) == NULL || c->group != group)
    return FALSE;
  if (agent == JANUS_AGENT (holon))
    return type == c->super_type && c->n_members > 0;
  m = janus_holon_find_record (holon, agent);
  if (m == NULL)
    return FALSE;
  if (type == c->head_type)
    return m->head;
  return type == (m->kind == JANUS_MEMBERSHIP_MULTI_PART ? c->multi_part_type : c->part_type);
}

/* Whether the holarchy still wants the role played: a holonic role may be
 * left only when it no longer does (janus-holonic-roles-private.h). */
static gboolean
holonic_role_wanted (JanusAgent *agent,
                     JanusGroup *group,
                     GType       role_type)
{
  gboolean wanted;

  g_mutex_lock (&holarchy_lock);
  wanted = is_wanted_locked (agent, group, role_type);
  g_mutex_unlock (&holarchy_lock);
  return wanted;
}

/* Whether @agent may obtain @role_type in @group: in a holon's internal
 * group, only what the holarchy wants it to play; in a group of the
 * holonic organization that no holon owns, anything. */
static gboolean
holonic_role_may_obtain (JanusAgent *agent,
                         JanusGroup *group,
                         GType       role_type)
{
  gboolean ok;

  if (reconciling.group == group && reconciling.type == role_type)
    return TRUE;
  g_mutex_lock (&holarchy_lock);
  ok = g_object_get_qdata (G_OBJECT (group), group_quark) == NULL
       || is_wanted_locked (agent, group, role_type);
  g_mutex_unlock (&holarchy_lock);
  return ok;
}

static const JanusHolonicFuncs holonic_funcs = {
  holonic_role_wanted,
  holonic_role_may_obtain,
  janus_holon_default_provider,
};

/* --------------------------------------------------------------- heads */


/* Lock held: publishes the heads for the message path. */
static void
publish_heads (JanusHolonComposite *c)
{
  JanusHeads *fresh = NULL, *old;
  JanusMember *m;
  guint i = 0;

  if (c->n_heads > 0 && c->group != NULL)
    {
      fresh = g_malloc (sizeof (JanusHeads) + c->n_heads * sizeof (JanusAddress));
      fresh->n = c->n_heads;
      fresh->group_id = janus_group_get_id (c->group);
      for (m = c->first; m != NULL; m = m->next)
        if (m->head && !janus_holon_is_spawning (m->agent))
          fresh->addresses[i++] = *janus_agent_get_address (m->agent);
      /* a head being spawned has no address yet (its launch writes it on
       * another thread): published once launched */
      fresh->n = i;
    }
  old = atomic_exchange_explicit (&c->heads, fresh, memory_order_acq_rel);
  /* senders may still read the old one */
  if (old != NULL)
    janus_epoch_retire_shared (old, g_free);
}

static JanusAgent *
first_head (JanusHolonComposite *c)
{
  JanusMember *m;

  for (m = c->first; m != NULL; m = m->next)
    if (m->head)
      return m->agent;
  return NULL;
}

/* Lock held. */
static void
make_head (JanusHolon          *self,
           JanusHolonComposite *c,
           JanusMember         *m,
           Changes             *ch)
{
  if (m->head)
    return;
  m->head = TRUE;
  c->n_heads++;
  publish_heads (c);
  changes_reconcile (ch, m->agent);
}

/* Lock held. */
static void
unmake_head (JanusHolonComposite *c,
             JanusMember         *m,
             Changes             *ch)
{
  if (!m->head)
    return;
  m->head = FALSE;
  c->n_heads--;
  publish_heads (c);
  changes_reconcile (ch, m->agent);
}

/* Lock held. */
static gboolean
has_head_func (JanusHolonComposite *c)
{
  return c->head_policy != NULL && c->head_policy->func != NULL;
}

/* Drops a reference on @policy (nullable); the last one frees its data. */
void
janus_holon_policy_unref (JanusHolonPolicy *policy)
{
  if (policy == NULL
      || atomic_fetch_sub_explicit (&policy->ref_count, 1, memory_order_acq_rel) != 1)
    return;
  if (policy->destroy != NULL)
    policy->destroy (policy->data);
  g_free (policy);
}

/* Sets the policy in @slot (a field of a composite) to @func, @data and
 * @destroy; the old one's data goes once no call of it is in progress
 * (now, usually). Takes and releases the lock. */
void
janus_holon_policy_replace (JanusHolonPolicy **slot,
                            GCallback          func,
                            gpointer           data,
                            GDestroyNotify     destroy)
{
  JanusHolonPolicy *fresh = NULL, *old;

  if (func != NULL || destroy != NULL)
    {
      fresh = g_new (JanusHolonPolicy, 1);
      atomic_init (&fresh->ref_count, 1);
      fresh->func = func;
      fresh->data = data;
      fresh->destroy = destroy;
    }
  g_mutex_lock (&holarchy_lock);
  old = *slot;
  *slot = fresh;
  g_mutex_unlock (&holarchy_lock);
  janus_holon_policy_unref (old);
}

/* Lock held: a holon with members and no head gets one — its first member,
 * or the choice of its head policy, made in its step. */
static void
need_head (JanusHolon          *self,
           JanusHolonComposite *c,
           Changes             *ch)
{
  if (c->n_heads > 0 || c->n_members == 0 || c->dying)
    return;
  if (!has_head_func (c))
    {
      make_head (self, c, c->first, ch);
      return;
    }
  if (!c->electing)
    {
      c->electing = TRUE;
      changes_add (&ch->elect, self);
    }
}

/* Lock held: a snapshot of the members, with references. */
static GPtrArray *
members_locked (JanusHolonComposite *c)
{
  GPtrArray *members = g_ptr_array_new_full (c ? c->n_members : 0, g_object_unref);
  JanusMember *m;

  for (m = c ? c->first : NULL; m != NULL; m = m->next)
    g_ptr_array_add (members, g_object_ref (m->agent));
  return members;
}

static void
elect_head_run (JanusAgentTask *task,
                JanusAgent     *agent)
{
  JanusHolon *self = JANUS_HOLON (agent);
  JanusHolonComposite *c = composite_peek (self);
  g_autoptr(GPtrArray) members = NULL;
  Changes ch = { 0 };
  JanusHolonPolicy *policy;
  JanusMember *m;
  guint i;

  g_mutex_lock (&holarchy_lock);
  c->electing = FALSE;
  if (c->n_heads > 0 || c->n_members == 0 || c->dying || !has_head_func (c))
    {
      need_head (self, c, &ch);
      g_mutex_unlock (&holarchy_lock);
      janus_holon_changes_apply (&ch);
      return;
    }
  policy = janus_holon_policy_ref (c->head_policy);
  members = members_locked (c);
  g_mutex_unlock (&holarchy_lock);

  i = ((JanusHolonHeadFunc) policy->func) (self, members, policy->data);
  janus_holon_policy_unref (policy);

  if (i != G_MAXUINT && i >= members->len)
    {
      g_warning ("head policy of holon %s chose %u of %u members; using the first",
                 G_OBJECT_TYPE_NAME (self), i, members->len);
      i = 0;
    }
  g_mutex_lock (&holarchy_lock);
  /* the holarchy may have moved meanwhile (the policy itself may have
   * changed it): apply the choice if it still makes sense, else choose
   * again if the holon still needs a head */
  if (i < members->len && c->n_heads == 0)
    {
      if ((m = janus_holon_find_record (self, members->pdata[i])) != NULL)
        make_head (self, c, m, &ch);
      else
        need_head (self, c, &ch);
      if (c->n_heads > 0)
        janus_holon_changes_emit (&ch, HEAD_CHANGED, self, first_head (c));
    }
  g_mutex_unlock (&holarchy_lock);
  janus_holon_changes_apply (&ch);
}

static void
elect_head_cancel (JanusAgentTask *task)
{
}

/* The head election, in the holon's step (one task for every holon). */
static JanusAgentTask elect_task = { elect_head_run, elect_head_cancel };

/* ----------------------------------------------------------- checks */

static gboolean
check_launched (JanusAgent  *agent,
                const char  *what,
                GError     **error)
{
  JanusAgentState state = janus_agent_get_state (agent);

  if (state == JANUS_AGENT_STATE_UNBORN)
    {
      g_set_error (error, JANUS_KERNEL_ERROR, JANUS_KERNEL_ERROR_NOT_LAUNCHED,
                   "%s %s is not launched", what, G_OBJECT_TYPE_NAME (agent));
      return FALSE;
    }
  if (state >= JANUS_AGENT_STATE_DYING)
    {
      g_set_error (error, JANUS_KERNEL_ERROR, JANUS_KERNEL_ERROR_AGENT_DEAD,
                   "%s %s%s%s is ending or dead", what, G_OBJECT_TYPE_NAME (agent),
                   janus_agent_get_name (agent) ? " " : "",
                   janus_agent_get_name (agent) ? janus_agent_get_name (agent) : "");
      return FALSE;
    }
  return TRUE;
}

/* How messages name an agent: its name, or its type. */
const char *
janus_holon_name_of (JanusAgent *agent)
{
  const char *name = janus_agent_get_name (agent);

  return name ? name : G_OBJECT_TYPE_NAME (agent);
}

/* Lock held: @self can take members. */
static gboolean
check_holon (JanusHolon  *self,
             GError     **error)
{
  JanusHolonComposite *c = composite_peek (self);

  if (!check_launched (JANUS_AGENT (self), "Holon", error))
    return FALSE;
  if (c != NULL && (c->dying || c->ended))
    {
      g_set_error (error, JANUS_HOLON_ERROR, JANUS_HOLON_ERROR_DYING,
                   "Holon %s is ending: it takes no new member", janus_holon_name_of (JANUS_AGENT (self)));
      return FALSE;
    }
  return TRUE;
}

/* Lock held: @self is not ending its members (it gives none away). */
static gboolean
check_not_dying (JanusHolon  *self,
                 GError     **error)
{
  JanusHolonComposite *c = composite_peek (self);

  if (c == NULL || !c->dying)
    return TRUE;
  g_set_error (error, JANUS_HOLON_ERROR, JANUS_HOLON_ERROR_DYING,
               "Holon %s is ending its members: it gives none away", janus_holon_name_of (JANUS_AGENT (self)));
  return FALSE;
}

/* Lock held: whether @candidate is @self or one of its super-holons. */
static gboolean
is_self_or_above (JanusAgent *candidate,
                  JanusAgent *self)
{
  JanusMemberInfo *info;
  JanusMember *m;

  if (candidate == self)
    return TRUE;
  info = janus_holon_peek_info (self);
  for (m = info ? info->supers : NULL; m != NULL; m = m->next_super)
    if (is_self_or_above (candidate, JANUS_AGENT (m->holon)))
      return TRUE;
  return FALSE;
}

static gboolean
is_shareable (JanusAgent *agent)
{
  JanusMemberInfo *info = janus_holon_peek_info (agent);

  return info != NULL
         && (janus_member_info_flags (info, memory_order_acquire) & JANUS_MEMBER_SHAREABLE);
}

/* Lock held: @member may join @self as @kind (@member launched or, for a
 * spawn, about to be). */
/* Whether @a and @b run on the same kernel, or one of them is not launched
 * yet (a spawn launches it on the holon's). The runtime an agent was
 * launched on identifies its kernel, and stays readable after its death
 * (janus_agent_get_kernel () then says NULL). */
static gboolean
same_kernel (JanusAgent *a,
             JanusAgent *b)
{
  JanusRuntime *ra, *rb;

  if (janus_agent_get_state (a) == JANUS_AGENT_STATE_UNBORN
      || janus_agent_get_state (b) == JANUS_AGENT_STATE_UNBORN)
    return TRUE;
  ra = janus_agent_get_runtime (a);
  rb = janus_agent_get_runtime (b);
  return ra == rb;
}

static gboolean
check_join (JanusHolon       *self,
            JanusAgent       *member,
            JanusMembership   kind,
            GError          **error)
{
  JanusMemberInfo *info = janus_holon_peek_info (member);

  if (!same_kernel (member, JANUS_AGENT (self)))
    {
      g_set_error (error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_WRONG_KERNEL,
                   "Agent %s runs on another kernel than holon %s", janus_holon_name_of (member),
                   janus_holon_name_of (JANUS_AGENT (self)));
      return FALSE;
    }
  if (is_self_or_above (member, JANUS_AGENT (self)))
    {
      g_set_error (error, JANUS_HOLON_ERROR, JANUS_HOLON_ERROR_CYCLE,
                   "Agent %s cannot be a member of holon %s: it is %s", janus_holon_name_of (member),
                   janus_holon_name_of (JANUS_AGENT (self)),
                   member == JANUS_AGENT (self) ? "the holon itself" : "one of its super-holons");
      return FALSE;
    }
  if (janus_holon_find_record (self, member) != NULL)
    {
      g_set_error (error, JANUS_HOLON_ERROR, JANUS_HOLON_ERROR_ALREADY_MEMBER,
                   "Agent %s is a member of holon %s already", janus_holon_name_of (member),
                   janus_holon_name_of (JANUS_AGENT (self)));
      return FALSE;
    }
  if (kind == JANUS_MEMBERSHIP_MULTI_PART && !is_shareable (member))
    {
      g_set_error (error, JANUS_HOLON_ERROR, JANUS_HOLON_ERROR_SHARING_REFUSED,
                   "Agent %s does not accept to be shared (janus_holon_set_shareable)",
                   janus_holon_name_of (member));
      return FALSE;
    }
  if (kind == JANUS_MEMBERSHIP_PART && info != NULL && info->supers != NULL)
    {
      g_set_error (error, JANUS_HOLON_ERROR, JANUS_HOLON_ERROR_SHARING_REFUSED,
                   "Agent %s is a member of holon %s: add it as a MultiPart to share it",
                   janus_holon_name_of (member), janus_holon_name_of (JANUS_AGENT (info->supers->holon)));
      return FALSE;
    }
  return TRUE;
}

/* ------------------------------------------------------- composition */

/* Lock held: the internal group of the current composition, made with the
 * first member. */
static gboolean
ensure_group (JanusHolon           *self,
              JanusHolonComposite  *c,
              GError              **error)
{
  JanusKernel *kernel = janus_agent_get_kernel (JANUS_AGENT (self));

  if (c->group != NULL)
    return TRUE;
  c->group = janus_kernel_create_group (kernel, JANUS_TYPE_HOLONIC_ORGANIZATION, error);
  if (c->group == NULL)
    return FALSE;
  /* it lives as long as the composition, even while nobody took a role in
   * it yet (the agents take them in their steps) */
  janus_group_set_persistent (c->group, TRUE);
  g_object_set_qdata (G_OBJECT (c->group), group_quark, self);
  janus_holon_watch_kernel (kernel);
  return TRUE;
}

/* Lock held: the holon has no member left. Its internal group goes with
 * the last role played in it (the holon leaves its Super role in its step),
 * or at once if none is. */
void
janus_holon_become_atomic (JanusHolon          *self,
                           JanusHolonComposite *c,
                           Changes             *ch)
{
  if (c->group == NULL)
    return;
  g_object_set_qdata (G_OBJECT (c->group), group_quark, NULL);
  janus_group_release (c->group);
  changes_drop (ch, g_steal_pointer (&c->group));
  publish_heads (c);
  changes_reconcile (ch, JANUS_AGENT (self));
}

/* Lock held: links @member into @self (checks done). */
static JanusMember *
link_member (JanusHolon       *self,
             JanusAgent       *member,
             JanusMembership   kind,
             Changes          *ch)
{
  JanusHolonComposite *c = janus_holon_ensure_composite (self);
  JanusMemberInfo *info = ensure_info (member);
  JanusMember *m = g_slice_new0 (JanusMember), *other;

  m->holon = self;
  m->agent = g_object_ref (member);
  m->kind = kind;
  m->prev = c->last;
  if (c->last)
    c->last->next = m;
  else
    c->first = m;
  c->last = m;
  c->n_members++;
  m->next_super = info->supers;
  info->supers = m;
  /* a member shared by several holons is a MultiPart in each */
  if (kind == JANUS_MEMBERSHIP_MULTI_PART)
    for (other = m->next_super; other != NULL; other = other->next_super)
      other->kind = JANUS_MEMBERSHIP_MULTI_PART;
  if (c->n_members == 1)
    changes_reconcile (ch, JANUS_AGENT (self));     /* takes its Super role */
  changes_reconcile (ch, member);
  janus_holon_changes_emit (ch, MEMBER_ADDED, self, member);
  if (c->n_heads == 0)
    {
      need_head (self, c, ch);
      if (c->n_heads > 0)
        janus_holon_changes_emit (ch, HEAD_CHANGED, self, first_head (c));
    }
  return m;
}

/* Lock held: unlinks record @m from its holon and its agent; the record and
 * the holon's reference on the member go once the lock is released. */
void
janus_holon_unlink_member (JanusMember *m,
                           Changes     *ch)
{
  JanusHolon *self = m->holon;
  JanusHolonComposite *c = composite_peek (self);
  JanusMemberInfo *info = janus_holon_peek_info (m->agent);
  JanusMember **link;
  gboolean was_head = m->head;

  if (m->head)
    {
      m->head = FALSE;
      c->n_heads--;
    }
  if (m->prev)
    m->prev->next = m->next;
  else
    c->first = m->next;
  if (m->next)
    m->next->prev = m->prev;
  else
    c->last = m->prev;
  c->n_members--;
  for (link = &info->supers; *link != m; link = &(*link)->next_super)
    ;
  *link = m->next_super;

  changes_reconcile (ch, m->agent);
  janus_holon_changes_emit (ch, MEMBER_REMOVED, self, m->agent);
  /* a holon ending its members ends once the last is gone, however */
  if (c->n_members == 0 && c->dying)
    changes_add (&ch->wake, self);
  if (c->n_members == 0)
    janus_holon_become_atomic (self, c, ch);
  else if (was_head)
    {
      publish_heads (c);
      need_head (self, c, ch);
    }
  if (was_head)
    janus_holon_changes_emit (ch, HEAD_CHANGED, self, first_head (c));
  if (m->failed)
    janus_holon_forget_failure (m);
  changes_drop (ch, m->agent);
  janus_holon_vec_push (&ch->records, m);
}

/* Lock held: whether @member's membership in @self can be given up. */
static JanusMember *
check_member (JanusHolon  *self,
              JanusAgent  *member,
              GError     **error)
{
  JanusMember *m = janus_holon_find_record (self, member);

  if (m == NULL)
    g_set_error (error, JANUS_HOLON_ERROR, JANUS_HOLON_ERROR_NOT_MEMBER,
                 "Agent %s is not a member of holon %s", janus_holon_name_of (member),
                 janus_holon_name_of (JANUS_AGENT (self)));
  return m;
}

static gboolean
add_member (JanusHolon       *self,
            JanusAgent       *member,
            JanusMembership   kind,
            GError          **error)
{
  JanusHolonComposite *c;
  Changes ch = { 0 };
  gboolean ok;

  g_mutex_lock (&holarchy_lock);
  c = janus_holon_ensure_composite (self);
  ok = check_holon (self, error)
       && check_launched (member, "Agent", error)
       && check_join (self, member, kind, error)
       && ensure_group (self, c, error);
  if (ok)
    link_member (self, member, kind, &ch);
  g_mutex_unlock (&holarchy_lock);
  janus_holon_changes_apply (&ch);
  return ok;
}

/**
 * janus_holon_add_member:
 * @self: a launched holon
 * @member: a launched agent of the same kernel
 * @membership: `JANUS_MEMBERSHIP_PART`, or `JANUS_MEMBERSHIP_MULTI_PART` to
 *   share a member that accepts it
 * @error: return location for a [struct@GLib.Error]
 *
 * Makes @member a member of @self. A Part belongs to no other holon; a
 * MultiPart may belong to several, and only an agent that accepts sharing
 * ([func@Janus.Holon.set_shareable]) is one — its memberships elsewhere
 * become MultiPart too. The holon's first member becomes its head unless
 * a head policy decides otherwise. Emits
 * [signal@Janus.Holon::member-added] (and
 * [signal@Janus.Holon::head-changed] for a new head). MT safe.
 *
 * Returns: `TRUE` if added; `FALSE` with @error set, the holarchy unchanged:
 *   `JANUS_KERNEL_ERROR_NOT_LAUNCHED` or `JANUS_KERNEL_ERROR_AGENT_DEAD` (either agent),
 *   `JANUS_ORGANIZATION_ERROR_WRONG_KERNEL` (another kernel),
 *   `JANUS_HOLON_ERROR_CYCLE` (@member is @self or one of its super-holons),
 *   `JANUS_HOLON_ERROR_ALREADY_MEMBER`, `JANUS_HOLON_ERROR_SHARING_REFUSED`,
 *   `JANUS_HOLON_ERROR_DYING` (@self is ending its members)
 */
gboolean
janus_holon_add_member (JanusHolon       *self,
                        JanusAgent       *member,
                        JanusMembership   membership,
                        GError          **error)
{
  g_return_val_if_fail (JANUS_IS_HOLON (self), FALSE);
  g_return_val_if_fail (JANUS_IS_AGENT (member), FALSE);
  g_return_val_if_fail (membership == JANUS_MEMBERSHIP_PART
                        || membership == JANUS_MEMBERSHIP_MULTI_PART, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return add_member (self, member, membership, error);
}

/* Launches @member as a Part of @self: the membership exists before the
 * member runs, so its death cannot go unseen. Takes @parameters (a full,
 * not floating, reference). */
gboolean
janus_holon_spawn (JanusHolon       *self,
                   JanusAgent       *member,
                   const char       *name,
                   GVariant         *parameters,
                   gboolean          heavy,
                   guint             restarts,
                   GError          **error)
{
  g_autoptr(GVariant) params = parameters;          /* a full reference */
  JanusKernel *kernel = janus_agent_get_kernel (JANUS_AGENT (self));
  JanusHolonComposite *c;
  JanusMemberInfo *info = NULL;
  JanusMember *m = NULL, *next;
  Changes ch = { 0 };
  gboolean ok;

  if (janus_agent_get_state (member) != JANUS_AGENT_STATE_UNBORN)
    {
      g_set_error (error, JANUS_KERNEL_ERROR, JANUS_KERNEL_ERROR_ALREADY_LAUNCHED,
                   "Agent %s was already launched: add it with janus_holon_add_member",
                   G_OBJECT_TYPE_NAME (member));
      return FALSE;
    }
  g_mutex_lock (&holarchy_lock);
  c = janus_holon_ensure_composite (self);
  ok = check_holon (self, error) && check_join (self, member, JANUS_MEMBERSHIP_PART, error)
       && ensure_group (self, c, error);
  if (ok)
    {
      info = ensure_info (member);
      atomic_fetch_or_explicit (&info->word, JANUS_MEMBER_SPAWNING, memory_order_relaxed);
      m = link_member (self, member, JANUS_MEMBERSHIP_PART, &ch);
      m->restarts = restarts;
    }
  g_mutex_unlock (&holarchy_lock);
  if (!ok)
    return FALSE;

  /* Other threads may change the holarchy while the kernel launches it
   * (move it, decompose its holon, kill the holon): @m is not ours to
   * touch any more, the member's records are; a holon that ends meanwhile
   * leaves it to us to kill (JANUS_MEMBER_SPAWNING). The reconcile
   * link_member asked for stays pending: the member runs it as it becomes
   * ALIVE (janus_holon_life_hook), with no task to post. */
  if (heavy)
    ok = janus_kernel_launch_heavy_agent (kernel, member, name, params, error);
  else
    ok = janus_kernel_launch_light_agent (kernel, member, name, params, error);
  g_mutex_lock (&holarchy_lock);
  atomic_fetch_and_explicit (&info->word, ~(uintptr_t) JANUS_MEMBER_SPAWNING, memory_order_relaxed);
  if (!ok)
    {
      /* the kernel refused it: it is a member of nothing. If nobody
       * touched its membership, nobody heard of it: undo quietly */
      gboolean quiet = info->supers == m && m->next_super == NULL;

      while (info->supers != NULL)
        janus_holon_unlink_member (info->supers, &ch);
      g_mutex_unlock (&holarchy_lock);
      atomic_fetch_and_explicit (&info->word, ~(uintptr_t) JANUS_MEMBER_RECONCILE_PENDING,
                                 memory_order_acq_rel);
      if (quiet)
        janus_holon_changes_forget_signals (&ch);
      janus_holon_changes_apply (&ch);
      return FALSE;
    }
  for (m = info->supers; m != NULL; m = next)
    {
      JanusHolonComposite *mc = composite_peek (m->holon);

      next = m->next_super;
      /* its address is known now */
      if (m->head)
        publish_heads (mc);
      /* a holon that became DYING meanwhile left it alone: as it does to
       * its members, it ends it if it is its only holon, else lets it go */
      if (!mc->dying)
        continue;
      if (info->supers == m && next == NULL)
        janus_agent_request_kill (member);
      else
        janus_holon_unlink_member (m, &ch);
    }
  g_mutex_unlock (&holarchy_lock);
  janus_holon_changes_apply (&ch);
  return TRUE;
}

/**
 * janus_holon_spawn_member:
 * @self: a launched holon
 * @member: an agent that is not launched
 * @name: (nullable): a human-readable name for @member
 * @parameters: (nullable): the launch parameters of @member (checked
 *   against its class's activation prototype); a floating reference is
 *   taken
 * @error: return location for a [struct@GLib.Error]
 *
 * Launches @member as a light agent on @self's kernel and makes it a Part
 * of @self, in one call: @member is a member before its `activate` runs,
 * and takes its holonic roles right after it. A supervised holon restarts a
 * failed member with the same name and parameters. When called from
 * @self's step, @self is @member's launcher (it may kill it). MT safe.
 *
 * Returns: `TRUE` if launched and added; `FALSE` with @error set otherwise
 *   (see [method@Janus.Holon.add_member], and the launch errors of
 *   [method@Janus.Kernel.launch_light_agent]); @member is then not launched
 */
gboolean
janus_holon_spawn_member (JanusHolon  *self,
                          JanusAgent  *member,
                          const char  *name,
                          GVariant    *parameters,
                          GError     **error)
{
  g_return_val_if_fail (JANUS_IS_HOLON (self), FALSE);
  g_return_val_if_fail (JANUS_IS_AGENT (member), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (parameters != NULL)
    g_variant_ref_sink (parameters);
  if (!check_launched (JANUS_AGENT (self), "Holon", error))
    {
      g_clear_pointer (&parameters, g_variant_unref);
      return FALSE;
    }
  return janus_holon_spawn (self, member, name, g_steal_pointer (&parameters), FALSE, 0, error);
}

/**
 * janus_holon_remove_member:
 * @self: a holon
 * @member: one of its members
 * @error: return location for a [struct@GLib.Error]
 *
 * Takes @member out of @self: it leaves its holonic roles in @self's
 * internal group (in its next step) and goes on living, free (or in its
 * other super-holons). If it was a head, the holon chooses another. Emits
 * [signal@Janus.Holon::member-removed]. MT safe.
 *
 * Returns: `TRUE` if removed; `FALSE` with `JANUS_HOLON_ERROR_NOT_MEMBER`
 */
gboolean
janus_holon_remove_member (JanusHolon  *self,
                           JanusAgent  *member,
                           GError     **error)
{
  Changes ch = { 0 };
  JanusMember *m;

  g_return_val_if_fail (JANUS_IS_HOLON (self), FALSE);
  g_return_val_if_fail (JANUS_IS_AGENT (member), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  g_mutex_lock (&holarchy_lock);
  m = check_member (self, member, error);
  if (m != NULL)
    janus_holon_unlink_member (m, &ch);
  g_mutex_unlock (&holarchy_lock);
  janus_holon_changes_apply (&ch);
  return m != NULL;
}

/**
 * janus_holon_move_member:
 * @self: a holon
 * @member: one of its members
 * @destination: another launched holon of the same kernel
 * @error: return location for a [struct@GLib.Error]
 *
 * Moves @member from @self to @destination in one step: no thread ever
 * sees it in neither holon nor in both. It keeps its membership (Part or
 * MultiPart); it is not a head in @destination unless it is its first
 * member. Emits [signal@Janus.Holon::member-removed] on @self, then
 * [signal@Janus.Holon::member-added] on @destination. MT safe.
 *
 * Returns: `TRUE` if moved; `FALSE` with @error set (as
 *   [method@Janus.Holon.remove_member] for @self and
 *   [method@Janus.Holon.add_member] for @destination — a @member that is
 *   ending gives `JANUS_KERNEL_ERROR_AGENT_DEAD` — or
 *   `JANUS_HOLON_ERROR_DYING` when @self is ending its members), the
 *   holarchy unchanged
 */
gboolean
janus_holon_move_member (JanusHolon  *self,
                         JanusAgent  *member,
                         JanusHolon  *destination,
                         GError     **error)
{
  JanusHolonComposite *dc;
  Changes ch = { 0 };
  JanusMember *m;
  JanusMembership kind = JANUS_MEMBERSHIP_NONE;
  gboolean ok = FALSE;

  g_return_val_if_fail (JANUS_IS_HOLON (self), FALSE);
  g_return_val_if_fail (JANUS_IS_AGENT (member), FALSE);
  g_return_val_if_fail (JANUS_IS_HOLON (destination), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  g_mutex_lock (&holarchy_lock);
  dc = janus_holon_ensure_composite (destination);
  m = check_member (self, member, error);
  if (m != NULL)
    {
      kind = m->kind;
      /* it keeps what it is: no sharing check (NONE), the rest as a join;
       * a holon ending its members gives none away */
      ok = check_not_dying (self, error)
           && check_holon (destination, error)
           && check_launched (member, "Agent", error)
           && check_join (destination, member, JANUS_MEMBERSHIP_NONE, error)
           && ensure_group (destination, dc, error);
    }
  if (ok)
    {
      janus_holon_unlink_member (m, &ch);
      link_member (destination, member, kind, &ch);
    }
  g_mutex_unlock (&holarchy_lock);
  janus_holon_changes_apply (&ch);
  return ok;
}

/* Lock held: moves every member of @other into @self (checked). */
static void
move_all (JanusHolon *other,
          JanusHolon *self,
          Changes    *ch)
{
  JanusHolonComposite *oc = composite_peek (other);

  while (oc != NULL && oc->first != NULL)
    {
      JanusMember *m = oc->first;
      JanusAgent *agent = m->agent;
      JanusMembership kind = m->kind;

      janus_holon_unlink_member (m, ch);
      if (janus_holon_find_record (self, agent) == NULL)
        link_member (self, agent, kind, ch);
    }
}

/* Lock held: every member of @other may move into @self. */
static gboolean
check_move_all (JanusHolon  *other,
                JanusHolon  *self,
                GError     **error)
{
  JanusHolonComposite *oc = composite_peek (other);
  JanusMember *m;

  for (m = oc ? oc->first : NULL; m != NULL; m = m->next)
    if (is_self_or_above (m->agent, JANUS_AGENT (self)))
      {
        g_set_error (error, JANUS_HOLON_ERROR, JANUS_HOLON_ERROR_CYCLE,
                     "Holon %s cannot take the members of holon %s: %s is %s",
                     janus_holon_name_of (JANUS_AGENT (self)), janus_holon_name_of (JANUS_AGENT (other)),
                     janus_holon_name_of (m->agent),
                     m->agent == JANUS_AGENT (self) ? "the holon itself" : "one of its super-holons");
        return FALSE;
      }
  return TRUE;
}

static gboolean
check_not_same (JanusHolon  *self,
                JanusHolon  *other,
                GError     **error)
{
  if (self != other)
    return TRUE;
  g_set_error (error, JANUS_HOLON_ERROR, JANUS_HOLON_ERROR_SAME_HOLON,
               "Holon %s cannot be merged with itself", janus_holon_name_of (JANUS_AGENT (self)));
  return FALSE;
}

/**
 * janus_holon_merge_into:
 * @self: a launched holon
 * @other: another holon
 * @error: return location for a [struct@GLib.Error]
 *
 * Merges @other into @self: every member of @other becomes a member of
 * @self (keeping Part or MultiPart; a member of both stays once), in one
 * step. @other is left atomic, where it was in the holarchy; kill it or
 * reuse it. Emits [signal@Janus.Holon::member-removed] on @other and
 * [signal@Janus.Holon::member-added] on @self for each member. MT safe.
 *
 * Returns: `TRUE` if merged; `FALSE` with @error set
 *   (`JANUS_HOLON_ERROR_SAME_HOLON`, `JANUS_HOLON_ERROR_CYCLE` if one of
 *   @other's members is @self or above it, or an error of
 *   [method@Janus.Holon.add_member] about @self, `JANUS_HOLON_ERROR_DYING`
 *   when @other is ending its members), the holarchy unchanged
 */
gboolean
janus_holon_merge_into (JanusHolon  *self,
                        JanusHolon  *other,
                        GError     **error)
{
  Changes ch = { 0 };
  gboolean ok;

  g_return_val_if_fail (JANUS_IS_HOLON (self), FALSE);
  g_return_val_if_fail (JANUS_IS_HOLON (other), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  g_mutex_lock (&holarchy_lock);
  ok = check_not_same (self, other, error) && check_holon (self, error)
       && check_not_dying (other, error)
       && (same_kernel (JANUS_AGENT (other), JANUS_AGENT (self))
           || (g_set_error (error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_WRONG_KERNEL,
                            "Holon %s runs on another kernel than holon %s",
                            janus_holon_name_of (JANUS_AGENT (other)), janus_holon_name_of (JANUS_AGENT (self))), FALSE))
       && check_move_all (other, self, error);
  if (ok && composite_peek (other) != NULL && composite_peek (other)->n_members > 0)
    ok = ensure_group (self, janus_holon_ensure_composite (self), error);
  if (ok)
    move_all (other, self, &ch);
  g_mutex_unlock (&holarchy_lock);
  janus_holon_changes_apply (&ch);
  return ok;
}

/* Lock held: the one super-holon @holon is a Part of, or NULL if free;
 * FALSE if it is shared. */
static gboolean
single_super (JanusHolon  *holon,
              JanusHolon **super)
{
  JanusMemberInfo *info = janus_holon_peek_info (JANUS_AGENT (holon));

  *super = NULL;
  if (info->supers == NULL)
    return TRUE;
  if (info->supers->next_super != NULL)
    return FALSE;
  *super = info->supers->holon;
  return TRUE;
}

static gboolean
check_merge (JanusHolon  *self,
             JanusHolon  *other,
             JanusHolon  *super,
             JanusHolon **parent,
             GError     **error)
{
  JanusHolonComposite *sc = composite_peek (super);
  JanusHolon *other_parent;

  if (!check_not_same (self, other, error) || !check_not_same (self, super, error)
      || !check_not_same (other, super, error))
    return FALSE;
  if (!check_holon (self, error) || !check_holon (other, error) || !check_holon (super, error))
    return FALSE;
  if (sc != NULL && sc->n_members > 0)
    {
      g_set_error (error, JANUS_HOLON_ERROR, JANUS_HOLON_ERROR_NOT_ATOMIC,
                   "Holon %s has members: the new super-holon of a merge must be atomic",
                   janus_holon_name_of (JANUS_AGENT (super)));
      return FALSE;
    }
  if (!single_super (self, parent) || !single_super (other, &other_parent)
      || *parent != other_parent || !single_super (super, &other_parent) || other_parent != NULL)
    {
      g_set_error (error, JANUS_HOLON_ERROR, JANUS_HOLON_ERROR_NOT_SIBLINGS,
                   "Holons %s and %s are not both free or Parts of the same super-holon, "
                   "or holon %s is a member already", janus_holon_name_of (JANUS_AGENT (self)),
                   janus_holon_name_of (JANUS_AGENT (other)), janus_holon_name_of (JANUS_AGENT (super)));
      return FALSE;
    }
  if (!same_kernel (JANUS_AGENT (other), JANUS_AGENT (self))
      || !same_kernel (JANUS_AGENT (super), JANUS_AGENT (self)))
    {
      g_set_error (error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_WRONG_KERNEL,
                   "Holons %s, %s and %s do not run on the same kernel", janus_holon_name_of (JANUS_AGENT (self)),
                   janus_holon_name_of (JANUS_AGENT (other)), janus_holon_name_of (JANUS_AGENT (super)));
      return FALSE;
    }
  return *parent == NULL || check_holon (*parent, error);
}

/**
 * janus_holon_merge:
 * @self: a launched holon
 * @other: another launched holon
 * @super: a launched atomic holon, neither of them
 * @error: return location for a [struct@GLib.Error]
 *
 * Merges @self and @other into the new super-holon @super, in one step:
 * both become Parts of @super, and @super takes their place — if they were
 * Parts of the same super-holon, @super becomes a Part of it instead of
 * them (the holarchy gains a level). Emits the signals of each membership
 * change. MT safe.
 *
 * Returns: `TRUE` if merged; `FALSE` with @error set
 *   (`JANUS_HOLON_ERROR_SAME_HOLON`, `JANUS_HOLON_ERROR_NOT_ATOMIC`,
 *   `JANUS_HOLON_ERROR_NOT_SIBLINGS` when @self and @other are not both free
 *   nor Parts of one same super-holon or @super is a member, or an error
 *   about a holon that is not launched or is ending), the holarchy
 *   unchanged
 */
gboolean
janus_holon_merge (JanusHolon  *self,
                   JanusHolon  *other,
                   JanusHolon  *super,
                   GError     **error)
{
  JanusHolon *parent = NULL;
  Changes ch = { 0 };
  gboolean ok;

  g_return_val_if_fail (JANUS_IS_HOLON (self), FALSE);
  g_return_val_if_fail (JANUS_IS_HOLON (other), FALSE);
  g_return_val_if_fail (JANUS_IS_HOLON (super), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  g_mutex_lock (&holarchy_lock);
  ok = check_merge (self, other, super, &parent, error)
       && ensure_group (super, janus_holon_ensure_composite (super), error);
  if (ok)
    {
      /* @super joins first: @parent is never without members meanwhile */
      if (parent != NULL)
        {
          link_member (parent, JANUS_AGENT (super), JANUS_MEMBERSHIP_PART, &ch);
          janus_holon_unlink_member (janus_holon_find_record (parent, JANUS_AGENT (self)), &ch);
          janus_holon_unlink_member (janus_holon_find_record (parent, JANUS_AGENT (other)), &ch);
        }
      link_member (super, JANUS_AGENT (self), JANUS_MEMBERSHIP_PART, &ch);
      link_member (super, JANUS_AGENT (other), JANUS_MEMBERSHIP_PART, &ch);
    }
  g_mutex_unlock (&holarchy_lock);
  janus_holon_changes_apply (&ch);
  return ok;
}

/**
 * janus_holon_decompose:
 * @self: a holon
 * @error: return location for a [struct@GLib.Error]
 *
 * Decomposes @self: every member leaves it (it leaves its holonic roles in
 * its next step and goes on living, free or in its other super-holons) and
 * @self becomes atomic; its internal group goes with the last role played
 * in it. Emits [signal@Janus.Holon::member-removed] for each member, and
 * [signal@Janus.Holon::head-changed] with `NULL`. Decomposing an atomic
 * holon does nothing. MT safe.
 *
 * Returns: `TRUE` (the @error argument is for symmetry with the other
 *   composition functions; nothing makes it fail)
 */
gboolean
janus_holon_decompose (JanusHolon  *self,
                       GError     **error)
{
  JanusHolonComposite *c;
  Changes ch = { 0 };

  g_return_val_if_fail (JANUS_IS_HOLON (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  g_mutex_lock (&holarchy_lock);
  c = composite_peek (self);
  while (c != NULL && c->last != NULL)
    janus_holon_unlink_member (c->last, &ch);
  g_mutex_unlock (&holarchy_lock);
  janus_holon_changes_apply (&ch);
  return TRUE;
}

/**
 * janus_holon_set_shareable:
 * @agent: any agent
 * @shareable: whether @agent accepts to be shared
 *
 * Says whether @agent accepts to be a member of several super-holons (a
 * MultiPart); agents do not by default. Refusing later does not end
 * existing memberships. MT safe.
 */
void
janus_holon_set_shareable (JanusAgent *agent,
                           gboolean    shareable)
{
  JanusMemberInfo *info;

  g_return_if_fail (JANUS_IS_AGENT (agent));
  g_type_class_unref (g_type_class_ref (JANUS_TYPE_HOLON));   /* its quarks */

  g_mutex_lock (&holarchy_lock);
  info = ensure_info (agent);
  g_mutex_unlock (&holarchy_lock);
  if (shareable)
    atomic_fetch_or_explicit (&info->word, JANUS_MEMBER_SHAREABLE, memory_order_release);
  else
    atomic_fetch_and_explicit (&info->word, ~(uintptr_t) JANUS_MEMBER_SHAREABLE, memory_order_release);
}

/**
 * janus_holon_is_shareable:
 * @agent: any agent
 *
 * Tells whether @agent accepts to be shared by several super-holons.
 *
 * Returns: whether [func@Janus.Holon.set_shareable] allowed it
 */
gboolean
janus_holon_is_shareable (JanusAgent *agent)
{
  g_return_val_if_fail (JANUS_IS_AGENT (agent), FALSE);
  g_type_class_unref (g_type_class_ref (JANUS_TYPE_HOLON));   /* its quarks */

  return is_shareable (agent);
}

/* --------------------------------------------------------- head API */

static gboolean
set_head (JanusHolon  *self,
          JanusAgent  *member,
          gboolean     only,
          GError     **error)
{
  JanusHolonComposite *c;
  Changes ch = { 0 };
  JanusMember *m, *other;

  g_mutex_lock (&holarchy_lock);
  c = composite_peek (self);
  m = check_member (self, member, error);
  if (m != NULL && (!m->head || (only && c->n_heads > 1)))
    {
      for (other = c->first; only && other != NULL; other = other->next)
        if (other != m)
          unmake_head (c, other, &ch);
      make_head (self, c, m, &ch);
      janus_holon_changes_emit (&ch, HEAD_CHANGED, self, first_head (c));
    }
  g_mutex_unlock (&holarchy_lock);
  janus_holon_changes_apply (&ch);
  return m != NULL;
}

/**
 * janus_holon_set_head:
 * @self: a holon
 * @member: one of its members
 * @error: return location for a [struct@GLib.Error]
 *
 * Makes @member the one head of @self (other heads become plain Parts).
 * Emits [signal@Janus.Holon::head-changed] if the heads changed. MT safe.
 *
 * Returns: `TRUE` if done; `FALSE` with `JANUS_HOLON_ERROR_NOT_MEMBER`
 */
gboolean
janus_holon_set_head (JanusHolon  *self,
                      JanusAgent  *member,
                      GError     **error)
{
  g_return_val_if_fail (JANUS_IS_HOLON (self), FALSE);
  g_return_val_if_fail (JANUS_IS_AGENT (member), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return set_head (self, member, TRUE, error);
}

/**
 * janus_holon_add_head:
 * @self: a holon
 * @member: one of its members
 * @error: return location for a [struct@GLib.Error]
 *
 * Makes @member a head of @self besides the others. MT safe.
 *
 * Returns: `TRUE` if done (or it was a head); `FALSE` with
 *   `JANUS_HOLON_ERROR_NOT_MEMBER`
 */
gboolean
janus_holon_add_head (JanusHolon  *self,
                      JanusAgent  *member,
                      GError     **error)
{
  g_return_val_if_fail (JANUS_IS_HOLON (self), FALSE);
  g_return_val_if_fail (JANUS_IS_AGENT (member), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return set_head (self, member, FALSE, error);
}

/**
 * janus_holon_remove_head:
 * @self: a holon
 * @member: one of its heads
 * @error: return location for a [struct@GLib.Error]
 *
 * Makes @member a plain Part of @self. When it was the last head, another
 * member becomes head (by the head policy, or the first other member). MT
 * safe.
 *
 * Returns: `TRUE` if done (or it was no head); `FALSE` with
 *   `JANUS_HOLON_ERROR_NOT_MEMBER`, or `JANUS_HOLON_ERROR_NO_HEAD` when
 *   @member is the only member (a composed holon keeps a head)
 */
gboolean
janus_holon_remove_head (JanusHolon  *self,
                         JanusAgent  *member,
                         GError     **error)
{
  JanusHolonComposite *c;
  Changes ch = { 0 };
  JanusMember *m;
  gboolean ok;

  g_return_val_if_fail (JANUS_IS_HOLON (self), FALSE);
  g_return_val_if_fail (JANUS_IS_AGENT (member), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  g_mutex_lock (&holarchy_lock);
  c = composite_peek (self);
  m = check_member (self, member, error);
  ok = m != NULL;
  if (ok && m->head && c->n_heads == 1 && c->n_members == 1)
    {
      g_set_error (error, JANUS_HOLON_ERROR, JANUS_HOLON_ERROR_NO_HEAD,
                   "Agent %s is the only member of holon %s: it stays its head",
                   janus_holon_name_of (member), janus_holon_name_of (JANUS_AGENT (self)));
      ok = FALSE;
    }
  else if (ok && m->head)
    {
      unmake_head (c, m, &ch);
      if (c->n_heads == 0 && !has_head_func (c))
        /* the first member that is not @member */
        make_head (self, c, c->first != m ? c->first : c->first->next, &ch);
      else
        need_head (self, c, &ch);
      janus_holon_changes_emit (&ch, HEAD_CHANGED, self, first_head (c));
    }
  g_mutex_unlock (&holarchy_lock);
  janus_holon_changes_apply (&ch);
  return ok;
}

/**
 * janus_holon_list_heads:
 * @self: a holon
 *
 * Lists the heads of @self, in joining order. MT safe (a snapshot).
 *
 * Returns: (transfer container) (element-type JanusAgent): the heads
 */
GPtrArray *
janus_holon_list_heads (JanusHolon *self)
{
  JanusHolonComposite *c;
  GPtrArray *heads;
  JanusMember *m;

  g_return_val_if_fail (JANUS_IS_HOLON (self), NULL);

  heads = g_ptr_array_new_with_free_func (g_object_unref);
  g_mutex_lock (&holarchy_lock);
  c = composite_peek (self);
  for (m = c ? c->first : NULL; m != NULL; m = m->next)
    if (m->head)
      g_ptr_array_add (heads, g_object_ref (m->agent));
  g_mutex_unlock (&holarchy_lock);
  return heads;
}

/**
 * janus_holon_is_head:
 * @self: a holon
 * @member: an agent
 *
 * Tells whether @member is a head of @self. MT safe.
 *
 * Returns: whether it is
 */
gboolean
janus_holon_is_head (JanusHolon *self,
                     JanusAgent *member)
{
  JanusMember *m;
  gboolean head;

  g_return_val_if_fail (JANUS_IS_HOLON (self), FALSE);
  g_return_val_if_fail (JANUS_IS_AGENT (member), FALSE);

  g_mutex_lock (&holarchy_lock);
  m = janus_holon_find_record (self, member);
  head = m != NULL && m->head;
  g_mutex_unlock (&holarchy_lock);
  return head;
}

/**
 * janus_holon_set_head_func:
 * @self: a holon
 * @func: (nullable) (scope notified) (closure user_data) (destroy destroy):
 *   the head policy, or `NULL` for the default (the first member)
 * @user_data: (nullable): data for @func
 * @destroy: (nullable): frees @user_data when replaced or with the holon
 *
 * Sets how @self chooses a head when it has members and none: when its
 * first member joins, or its last head leaves or ends. The policy runs in
 * @self's step; until it chose, the holon keeps what is sent to it. MT
 * safe.
 */
void
janus_holon_set_head_func (JanusHolon         *self,
                           JanusHolonHeadFunc  func,
                           gpointer            user_data,
                           GDestroyNotify      destroy)
{
  g_return_if_fail (JANUS_IS_HOLON (self));

  janus_holon_policy_replace (&janus_holon_ensure_composite (self)->head_policy,
                              (GCallback) func, user_data, destroy);
}

/* ------------------------------------------------------------ walking */

/**
 * janus_holon_list_members:
 * @self: a holon
 *
 * Lists the members of @self, in joining order. MT safe: a snapshot of the
 * holarchy at one instant.
 *
 * Returns: (transfer container) (element-type JanusAgent): the members
 */
GPtrArray *
janus_holon_list_members (JanusHolon *self)
{
  GPtrArray *members;

  g_return_val_if_fail (JANUS_IS_HOLON (self), NULL);

  g_mutex_lock (&holarchy_lock);
  members = members_locked (composite_peek (self));
  g_mutex_unlock (&holarchy_lock);
  return members;
}

/**
 * janus_holon_get_n_members:
 * @self: a holon
 *
 * Counts the members of @self. MT safe.
 *
 * Returns: the number of members (0 for an atomic holon)
 */
guint
janus_holon_get_n_members (JanusHolon *self)
{
  JanusHolonComposite *c;
  guint n;

  g_return_val_if_fail (JANUS_IS_HOLON (self), 0);

  g_mutex_lock (&holarchy_lock);
  c = composite_peek (self);
  n = c ? c->n_members : 0;
  g_mutex_unlock (&holarchy_lock);
  return n;
}

/**
 * janus_holon_is_atomic:
 * @self: a holon
 *
 * Tells whether @self has no member. MT safe.
 *
 * Returns: whether it is atomic
 */
gboolean
janus_holon_is_atomic (JanusHolon *self)
{
  g_return_val_if_fail (JANUS_IS_HOLON (self), TRUE);

  return janus_holon_get_n_members (self) == 0;
}

/**
 * janus_holon_get_membership:
 * @self: a holon
 * @member: an agent
 *
 * Tells how @member belongs to @self. MT safe.
 *
 * Returns: its membership, `JANUS_MEMBERSHIP_NONE` if it is not a member
 */
JanusMembership
janus_holon_get_membership (JanusHolon *self,
                            JanusAgent *member)
{
  JanusMembership kind;
  JanusMember *m;

  g_return_val_if_fail (JANUS_IS_HOLON (self), JANUS_MEMBERSHIP_NONE);
  g_return_val_if_fail (JANUS_IS_AGENT (member), JANUS_MEMBERSHIP_NONE);

  g_mutex_lock (&holarchy_lock);
  m = janus_holon_find_record (self, member);
  kind = m ? m->kind : JANUS_MEMBERSHIP_NONE;
  g_mutex_unlock (&holarchy_lock);
  return kind;
}

/**
 * janus_holon_list_supers:
 * @agent: any agent
 *
 * Lists the super-holons @agent is a member of: none for a free agent, one
 * for a Part, one or more for a MultiPart. MT safe (a snapshot).
 *
 * Returns: (transfer container) (element-type JanusHolon): the
 *   super-holons, the one joined first first
 */
GPtrArray *
janus_holon_list_supers (JanusAgent *agent)
{
  JanusMemberInfo *info;
  GPtrArray *supers;
  JanusMember *m;

  g_return_val_if_fail (JANUS_IS_AGENT (agent), NULL);
  g_type_class_unref (g_type_class_ref (JANUS_TYPE_HOLON));   /* its quarks */

  supers = g_ptr_array_new_with_free_func (g_object_unref);
  g_mutex_lock (&holarchy_lock);
  info = janus_holon_peek_info (agent);
  for (m = info ? info->supers : NULL; m != NULL; m = m->next_super)
    g_ptr_array_insert (supers, 0, g_object_ref (m->holon));
  g_mutex_unlock (&holarchy_lock);
  return supers;
}

/* Lock held. */
static guint
depth_locked (JanusAgent *agent)
{
  JanusMemberInfo *info = janus_holon_peek_info (agent);
  JanusMember *m;
  guint depth = 0;

  for (m = info ? info->supers : NULL; m != NULL; m = m->next_super)
    depth = MAX (depth, depth_locked (JANUS_AGENT (m->holon)) + 1);
  return depth;
}

/**
 * janus_holon_get_depth:
 * @agent: any agent
 *
 * Tells how deep @agent is in its holarchy: 0 for an agent that is a member
 * of no holon, 1 for a member of such a holon, and so on (for a MultiPart,
 * along its deepest path). MT safe.
 *
 * Returns: the depth
 */
guint
janus_holon_get_depth (JanusAgent *agent)
{
  guint depth;

  g_return_val_if_fail (JANUS_IS_AGENT (agent), 0);
  g_type_class_unref (g_type_class_ref (JANUS_TYPE_HOLON));   /* its quarks */

  g_mutex_lock (&holarchy_lock);
  depth = depth_locked (agent);
  g_mutex_unlock (&holarchy_lock);
  return depth;
}

/* Lock held. */
static JanusAgent *
find_locked (JanusAgent         *agent,
             const JanusAddress *address)
{
  const JanusAddress *own = janus_holon_is_spawning (agent) ? NULL : janus_agent_get_address (agent);
  JanusHolonComposite *c;
  JanusMember *m;

  if (own != NULL && janus_address_equal (own, address))
    return agent;
  if (!JANUS_IS_HOLON (agent) || (c = composite_peek (JANUS_HOLON (agent))) == NULL)
    return NULL;
  for (m = c->first; m != NULL; m = m->next)
    {
      JanusAgent *found = find_locked (m->agent, address);
      if (found != NULL)
        return found;
    }
  return NULL;
}

/**
 * janus_holon_find:
 * @self: a holon
 * @address: an address
 *
 * Finds the agent at @address in the holarchy below @self: @self itself,
 * one of its members, one of theirs, and so on. MT safe.
 *
 * Returns: (transfer full) (nullable): the agent, or `NULL`
 */
JanusAgent *
janus_holon_find (JanusHolon         *self,
                  const JanusAddress *address)
{
  JanusAgent *found;

  g_return_val_if_fail (JANUS_IS_HOLON (self), NULL);
  g_return_val_if_fail (address != NULL, NULL);

  g_mutex_lock (&holarchy_lock);
  found = find_locked (JANUS_AGENT (self), address);
  if (found != NULL)
    g_object_ref (found);
  g_mutex_unlock (&holarchy_lock);
  return found;
}

/**
 * janus_holon_get_group:
 * @self: a holon
 *
 * Gets the internal group of @self: the group of
 * [class@Janus.HolonicOrganization] where its members play their roles.
 * A new one is made each time the holon gains a first member. MT safe.
 *
 * Returns: (transfer full) (nullable): the group, or `NULL` for an atomic
 *   holon
 */
JanusGroup *
janus_holon_get_group (JanusHolon *self)
{
  JanusHolonComposite *c;
  JanusGroup *group = NULL;

  g_return_val_if_fail (JANUS_IS_HOLON (self), NULL);

  g_mutex_lock (&holarchy_lock);
  c = composite_peek (self);
  if (c != NULL && c->group != NULL)
    group = g_object_ref (c->group);
  g_mutex_unlock (&holarchy_lock);
  return group;
}

/**
 * janus_holon_from_group:
 * @group: a group
 *
 * Finds the holon whose internal group @group is (for code in a holonic
 * role). MT safe.
 *
 * Returns: (transfer full) (nullable): the holon, or `NULL` if @group is no
 *   current internal group
 */
JanusHolon *
janus_holon_from_group (JanusGroup *group)
{
  JanusHolon *holon;

  g_return_val_if_fail (JANUS_IS_GROUP (group), NULL);

  g_mutex_lock (&holarchy_lock);
  holon = g_object_get_qdata (G_OBJECT (group), group_quark);
  if (holon != NULL)
    g_object_ref (holon);
  g_mutex_unlock (&holarchy_lock);
  return holon;
}

/**
 * janus_holon_get_super_role:
 * @self: a holon (call from its step)
 *
 * Gets the Super role @self plays in its internal group, where its
 * members' messages to it arrive.
 *
 * Returns: (transfer none) (nullable): the role, or `NULL` if @self is
 *   atomic (or has not taken it yet)
 */
JanusRole *
janus_holon_get_super_role (JanusHolon *self)
{
  g_autoptr(JanusGroup) group = NULL;

  g_return_val_if_fail (JANUS_IS_HOLON (self), NULL);

  janus_holon_reconcile_if_pending (JANUS_AGENT (self));
  group = janus_holon_get_group (self);
  if (group == NULL)
    return NULL;
  return janus_agent_get_role (JANUS_AGENT (self), JANUS_TYPE_HOLONIC_SUPER, group);
}

/* ---------------------------------------------------- routing setting */

/**
 * janus_holon_get_routing:
 * @self: a holon
 *
 * Gets [property@Janus.Holon:routing].
 *
 * Returns: where messages sent to the holon go
 */
JanusHolonRouting
janus_holon_get_routing (JanusHolon *self)
{
  JanusHolonComposite *c;

  g_return_val_if_fail (JANUS_IS_HOLON (self), JANUS_HOLON_ROUTING_HEAD);

  c = composite_peek (self);
  return c ? atomic_load_explicit (&c->routing, memory_order_relaxed) : JANUS_HOLON_ROUTING_HEAD;
}

/**
 * janus_holon_set_routing:
 * @self: a holon
 * @routing: where messages sent to the holon go
 *
 * Sets [property@Janus.Holon:routing]. MT safe.
 */
void
janus_holon_set_routing (JanusHolon        *self,
                         JanusHolonRouting  routing)
{
  g_return_if_fail (JANUS_IS_HOLON (self));
  g_return_if_fail (routing <= JANUS_HOLON_ROUTING_SELF);

  if (atomic_exchange_explicit (&janus_holon_ensure_composite (self)->routing, routing,
                                memory_order_relaxed) != (int) routing)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ROUTING]);
}

/* ---------------------------------------------------- settings (lock) */

#define SETTER(field, value, prop)                                      \
  G_STMT_START {                                                        \
    JanusHolonComposite *c_ = janus_holon_ensure_composite (self);      \
    gboolean changed_;                                                  \
    g_mutex_lock (&holarchy_lock);                                      \
    changed_ = c_->field != (value);                                    \
    c_->field = (value);                                                \
    g_mutex_unlock (&holarchy_lock);                                    \
    if (changed_)                                                       \
      g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);     \
  } G_STMT_END

static GType
get_role_type (JanusHolon *self,
               guint       prop_id)
{
  JanusHolonComposite *c = composite_peek (self);
  GType type;

  if (c == NULL)
    {
      switch (prop_id)
        {
        case PROP_SUPER_ROLE_TYPE: return JANUS_TYPE_HOLONIC_SUPER;
        case PROP_HEAD_ROLE_TYPE: return JANUS_TYPE_HOLONIC_HEAD;
        case PROP_PART_ROLE_TYPE: return JANUS_TYPE_HOLONIC_PART;
        default: return JANUS_TYPE_HOLONIC_MULTI_PART;
        }
    }
  g_mutex_lock (&holarchy_lock);
  switch (prop_id)
    {
    case PROP_SUPER_ROLE_TYPE: type = c->super_type; break;
    case PROP_HEAD_ROLE_TYPE: type = c->head_type; break;
    case PROP_PART_ROLE_TYPE: type = c->part_type; break;
    default: type = c->multi_part_type; break;
    }
  g_mutex_unlock (&holarchy_lock);
  return type;
}

static void
set_role_type (JanusHolon *self,
               guint       prop_id,
               GType       type)
{
  GType base;

  switch (prop_id)
    {
    case PROP_SUPER_ROLE_TYPE: base = JANUS_TYPE_HOLONIC_SUPER; break;
    case PROP_HEAD_ROLE_TYPE: base = JANUS_TYPE_HOLONIC_HEAD; break;
    case PROP_PART_ROLE_TYPE: base = JANUS_TYPE_HOLONIC_PART; break;
    default: base = JANUS_TYPE_HOLONIC_MULTI_PART; break;
    }
  if (type == G_TYPE_NONE || type == G_TYPE_INVALID)
    type = base;
  g_return_if_fail (g_type_is_a (type, base));
  g_return_if_fail (!G_TYPE_IS_ABSTRACT (type));
  g_return_if_fail (janus_holon_get_n_members (self) == 0);

  switch (prop_id)
    {
    case PROP_SUPER_ROLE_TYPE: SETTER (super_type, type, PROP_SUPER_ROLE_TYPE); break;
    case PROP_HEAD_ROLE_TYPE: SETTER (head_type, type, PROP_HEAD_ROLE_TYPE); break;
    case PROP_PART_ROLE_TYPE: SETTER (part_type, type, PROP_PART_ROLE_TYPE); break;
    default: SETTER (multi_part_type, type, PROP_MULTI_PART_ROLE_TYPE); break;
    }
}

/**
 * janus_holon_get_supervision:
 * @self: a holon
 *
 * Gets [property@Janus.Holon:supervision].
 *
 * Returns: the default supervision action
 */
JanusSupervisionAction
janus_holon_get_supervision (JanusHolon *self)
{
  JanusHolonComposite *c;
  JanusSupervisionAction action;

  g_return_val_if_fail (JANUS_IS_HOLON (self), JANUS_SUPERVISION_IGNORE);

  c = janus_holon_ensure_composite (self);
  g_mutex_lock (&holarchy_lock);
  action = c->supervision;
  g_mutex_unlock (&holarchy_lock);
  return action;
}

/**
 * janus_holon_set_supervision:
 * @self: a holon
 * @action: what to do about a member that failed
 *
 * Sets [property@Janus.Holon:supervision]. MT safe.
 */
void
janus_holon_set_supervision (JanusHolon             *self,
                             JanusSupervisionAction  action)
{
  g_return_if_fail (JANUS_IS_HOLON (self));
  g_return_if_fail (action <= JANUS_SUPERVISION_ESCALATE);

  SETTER (supervision, action, PROP_SUPERVISION);
}

/**
 * janus_holon_get_max_restarts:
 * @self: a holon
 *
 * Gets [property@Janus.Holon:max-restarts].
 *
 * Returns: how often one member's place may be restarted
 */
guint
janus_holon_get_max_restarts (JanusHolon *self)
{
  JanusHolonComposite *c;
  guint n;

  g_return_val_if_fail (JANUS_IS_HOLON (self), 0);

  c = janus_holon_ensure_composite (self);
  g_mutex_lock (&holarchy_lock);
  n = c->max_restarts;
  g_mutex_unlock (&holarchy_lock);
  return n;
}

/**
 * janus_holon_set_max_restarts:
 * @self: a holon
 * @max_restarts: how often one member's place may be restarted
 *
 * Sets [property@Janus.Holon:max-restarts]. MT safe.
 */
void
janus_holon_set_max_restarts (JanusHolon *self,
                              guint       max_restarts)
{
  g_return_if_fail (JANUS_IS_HOLON (self));
  g_return_if_fail (max_restarts <= G_MAXUINT16);

  SETTER (max_restarts, max_restarts, PROP_MAX_RESTARTS);
}

/**
 * janus_holon_get_restart_backoff:
 * @self: a holon
 *
 * Gets [property@Janus.Holon:restart-backoff].
 *
 * Returns: the first restart's delay, in microseconds
 */
gint64
janus_holon_get_restart_backoff (JanusHolon *self)
{
  JanusHolonComposite *c;
  gint64 backoff;

  g_return_val_if_fail (JANUS_IS_HOLON (self), 0);

  c = janus_holon_ensure_composite (self);
  g_mutex_lock (&holarchy_lock);
  backoff = c->restart_backoff;
  g_mutex_unlock (&holarchy_lock);
  return backoff;
}

/**
 * janus_holon_set_restart_backoff:
 * @self: a holon
 * @backoff: the first restart's delay in microseconds, 0 or more
 *
 * Sets [property@Janus.Holon:restart-backoff]. MT safe.
 */
void
janus_holon_set_restart_backoff (JanusHolon *self,
                                 gint64      backoff)
{
  g_return_if_fail (JANUS_IS_HOLON (self));
  g_return_if_fail (backoff >= 0);

  SETTER (restart_backoff, backoff, PROP_RESTART_BACKOFF);
}

/**
 * janus_holon_set_supervision_func:
 * @self: a holon
 * @func: (nullable) (scope notified) (closure user_data) (destroy destroy):
 *   the supervision policy, or `NULL` for [property@Janus.Holon:supervision]
 * @user_data: (nullable): data for @func
 * @destroy: (nullable): frees @user_data when replaced or with the holon
 *
 * Sets the function the default `supervise` asks what to do about a member
 * that failed and ended. It runs in @self's step. MT safe.
 */
void
janus_holon_set_supervision_func (JanusHolon           *self,
                                  JanusSupervisionFunc  func,
                                  gpointer              user_data,
                                  GDestroyNotify        destroy)
{
  g_return_if_fail (JANUS_IS_HOLON (self));

  janus_holon_policy_replace (&janus_holon_ensure_composite (self)->supervision_policy,
                              (GCallback) func, user_data, destroy);
}

/* ------------------------------------------------------------- GObject */

/**
 * janus_holon_new:
 *
 * Makes a holon with the default behaviour: it forwards what is sent to it
 * to its head and steps its roles. Launch it like any agent.
 *
 * Returns: (transfer full): a new, unlaunched holon
 */
JanusHolon *
janus_holon_new (void)
{
  return g_object_new (JANUS_TYPE_HOLON, NULL);
}

static JanusLive
janus_holon_real_live (JanusAgent *agent)
{
  janus_holon_route_messages (JANUS_HOLON (agent));
  return JANUS_AGENT_CLASS (janus_holon_parent_class)->live (agent);
}

/**
 * JanusHolonClass::supervise:
 * @self: the holon
 * @member: the member that failed and ended
 * @error: why it failed
 * @restarts: how many times @member's place was restarted already
 *
 * Decides what to do about a member that failed. See
 * [struct@Janus.HolonClass].
 *
 * Returns: the action to take
 */

static JanusSupervisionAction
janus_holon_real_supervise (JanusHolon   *self,
                            JanusAgent   *member,
                            const GError *error,
                            guint         restarts)
{
  JanusHolonComposite *c = janus_holon_ensure_composite (self);
  JanusHolonPolicy *policy;
  JanusSupervisionAction action;

  g_mutex_lock (&holarchy_lock);
  policy = janus_holon_policy_ref (c->supervision_policy);
  action = c->supervision;
  g_mutex_unlock (&holarchy_lock);
  if (policy != NULL && policy->func != NULL)
    action = ((JanusSupervisionFunc) policy->func) (self, member, error, restarts, policy->data);
  janus_holon_policy_unref (policy);
  return action;
}

static void
janus_holon_dispose (GObject *object)
{
  JanusHolonComposite *c = composite_peek (JANUS_HOLON (object));

  /* a holon that was never launched may have settings but no members; a
   * launched one lost its members before it died */
  if (c != NULL && c->first != NULL)
    g_critical ("holon %s disposed with %u members", G_OBJECT_TYPE_NAME (object), c->n_members);

  G_OBJECT_CLASS (janus_holon_parent_class)->dispose (object);
}

static void
janus_holon_finalize (GObject *object)
{
  JanusHolonPrivate *priv = P (JANUS_HOLON (object));
  JanusHolonComposite *c = composite_peek (JANUS_HOLON (object));

  g_warn_if_fail (priv->info.supers == NULL);
  if (c != NULL)
    {
      g_clear_object (&c->group);
      g_free (atomic_load_explicit (&c->heads, memory_order_relaxed));
      janus_holon_policy_unref (c->head_policy);
      janus_holon_policy_unref (c->provider_policy);
      janus_holon_policy_unref (c->supervision_policy);
      g_warn_if_fail (c->calls == NULL);
      g_aligned_free (c);
    }

  G_OBJECT_CLASS (janus_holon_parent_class)->finalize (object);
}

static void
janus_holon_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  JanusHolon *self = JANUS_HOLON (object);

  switch (prop_id)
    {
    case PROP_ROUTING:
      g_value_set_enum (value, janus_holon_get_routing (self));
      break;
    case PROP_SUPER_ROLE_TYPE:
    case PROP_HEAD_ROLE_TYPE:
    case PROP_PART_ROLE_TYPE:
    case PROP_MULTI_PART_ROLE_TYPE:
      g_value_set_gtype (value, get_role_type (self, prop_id));
      break;
    case PROP_SUPERVISION:
      g_value_set_enum (value, janus_holon_get_supervision (self));
      break;
    case PROP_MAX_RESTARTS:
      g_value_set_uint (value, janus_holon_get_max_restarts (self));
      break;
    case PROP_RESTART_BACKOFF:
      g_value_set_int64 (value, janus_holon_get_restart_backoff (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
janus_holon_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  JanusHolon *self = JANUS_HOLON (object);

  switch (prop_id)
    {
    case PROP_ROUTING:
      janus_holon_set_routing (self, g_value_get_enum (value));
      break;
    case PROP_SUPER_ROLE_TYPE:
    case PROP_HEAD_ROLE_TYPE:
    case PROP_PART_ROLE_TYPE:
    case PROP_MULTI_PART_ROLE_TYPE:
      set_role_type (self, prop_id, g_value_get_gtype (value));
      break;
    case PROP_SUPERVISION:
      janus_holon_set_supervision (self, g_value_get_enum (value));
      break;
    case PROP_MAX_RESTARTS:
      janus_holon_set_max_restarts (self, g_value_get_uint (value));
      break;
    case PROP_RESTART_BACKOFF:
      janus_holon_set_restart_backoff (self, g_value_get_int64 (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
janus_holon_class_init (JanusHolonClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  JanusAgentClass *agent_class = JANUS_AGENT_CLASS (klass);

  info_quark = g_quark_from_static_string ("janus-holon-member-info");
  group_quark = g_quark_from_static_string ("janus-holon-of-group");
  janus_agent_set_life_hook (janus_holon_life_hook);
  janus_holonic_set_funcs (&holonic_funcs);
  /* the holonic classes are ready before any holon runs (their class_init
   * then happens-before the workers that read them) */
  g_type_class_unref (g_type_class_ref (JANUS_TYPE_HOLONIC_ORGANIZATION));
  g_type_class_unref (g_type_class_ref (JANUS_TYPE_HOLONIC_SUPER));
  g_type_class_unref (g_type_class_ref (JANUS_TYPE_HOLONIC_HEAD));
  g_type_class_unref (g_type_class_ref (JANUS_TYPE_HOLONIC_PART));
  g_type_class_unref (g_type_class_ref (JANUS_TYPE_HOLONIC_MULTI_PART));

  object_class->dispose = janus_holon_dispose;
  object_class->finalize = janus_holon_finalize;
  object_class->get_property = janus_holon_get_property;
  object_class->set_property = janus_holon_set_property;
  agent_class->live = janus_holon_real_live;
  klass->supervise = janus_holon_real_supervise;

  /**
   * JanusHolon:routing: (attributes org.gtk.Property.get=janus_holon_get_routing org.gtk.Property.set=janus_holon_set_routing)
   *
   * Where the messages sent to the holon's address go while it has a head.
   */
  properties[PROP_ROUTING] =
    g_param_spec_enum ("routing", NULL, NULL, JANUS_TYPE_HOLON_ROUTING,
                       JANUS_HOLON_ROUTING_HEAD,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * JanusHolon:super-role-type:
   *
   * The class of the Super role the holon plays in its internal group: a
   * subclass of [class@Janus.HolonicSuper]. Set it while the holon has no
   * member.
   */
  properties[PROP_SUPER_ROLE_TYPE] =
    g_param_spec_gtype ("super-role-type", NULL, NULL, JANUS_TYPE_HOLONIC_SUPER,
                        G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * JanusHolon:head-role-type:
   *
   * The class of the Head role its heads play: a subclass of
   * [class@Janus.HolonicHead]. Set it while the holon has no member.
   */
  properties[PROP_HEAD_ROLE_TYPE] =
    g_param_spec_gtype ("head-role-type", NULL, NULL, JANUS_TYPE_HOLONIC_HEAD,
                        G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * JanusHolon:part-role-type:
   *
   * The class of the Part role its members play: a subclass of
   * [class@Janus.HolonicPart]. Set it while the holon has no member.
   */
  properties[PROP_PART_ROLE_TYPE] =
    g_param_spec_gtype ("part-role-type", NULL, NULL, JANUS_TYPE_HOLONIC_PART,
                        G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * JanusHolon:multi-part-role-type:
   *
   * The class of the role its shared members play: a subclass of
   * [class@Janus.HolonicMultiPart]. Set it while the holon has no member.
   */
  properties[PROP_MULTI_PART_ROLE_TYPE] =
    g_param_spec_gtype ("multi-part-role-type", NULL, NULL, JANUS_TYPE_HOLONIC_MULTI_PART,
                        G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * JanusHolon:supervision: (attributes org.gtk.Property.get=janus_holon_get_supervision org.gtk.Property.set=janus_holon_set_supervision)
   *
   * What the holon does about a member that failed, unless a supervision
   * function or a `supervise` override decides.
   */
  properties[PROP_SUPERVISION] =
    g_param_spec_enum ("supervision", NULL, NULL, JANUS_TYPE_SUPERVISION_ACTION,
                       JANUS_SUPERVISION_IGNORE,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * JanusHolon:max-restarts: (attributes org.gtk.Property.get=janus_holon_get_max_restarts org.gtk.Property.set=janus_holon_set_max_restarts)
   *
   * How many times the place of one member may be restarted; a failure
   * after that escalates.
   */
  properties[PROP_MAX_RESTARTS] =
    g_param_spec_uint ("max-restarts", NULL, NULL, 0, G_MAXUINT16, 3,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * JanusHolon:restart-backoff: (attributes org.gtk.Property.get=janus_holon_get_restart_backoff org.gtk.Property.set=janus_holon_set_restart_backoff)
   *
   * The delay before a member's first restart, in microseconds on the
   * kernel's clock; it doubles with each restart of the same place (the
   * n-th restart waits `restart-backoff × 2^(n-1)`, at most 60 s).
   */
  properties[PROP_RESTART_BACKOFF] =
    g_param_spec_int64 ("restart-backoff", NULL, NULL, 0, G_MAXINT64, 100 * 1000,
                        G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * JanusHolon::member-added:
   * @self: the holon
   * @member: the new member
   *
   * Emitted once per agent that became a member of the holon, after the
   * holarchy changed and its lock was released, on the thread that made
   * the change.
   */
  signals[MEMBER_ADDED] =
    g_signal_new ("member-added", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, JANUS_TYPE_AGENT);

  /**
   * JanusHolon::member-removed:
   * @self: the holon
   * @member: the former member
   *
   * Emitted once per agent that stopped being a member of the holon —
   * removed, moved, merged away, decomposed, or ended (then on the ending
   * member's thread, after its `end`) — after the holarchy changed and its
   * lock was released.
   */
  signals[MEMBER_REMOVED] =
    g_signal_new ("member-removed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, JANUS_TYPE_AGENT);

  /**
   * JanusHolon::head-changed:
   * @self: the holon
   * @head: (nullable): its first head now, `NULL` if it has none
   *
   * Emitted once per change of the holon's heads, after the holarchy lock
   * was released, on the thread that made the change.
   */
  signals[HEAD_CHANGED] =
    g_signal_new ("head-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, JANUS_TYPE_AGENT);

  /**
   * JanusHolon::member-failed:
   * @self: the holon
   * @member: the member that failed and ended
   * @error: why it failed
   * @action: what the holon's supervision decided
   *
   * Emitted once per failed member, in the holon's step, after its
   * supervision decided and before the action is carried out.
   */
  signals[MEMBER_FAILED] =
    g_signal_new ("member-failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 3, JANUS_TYPE_AGENT,
                  G_TYPE_ERROR, JANUS_TYPE_SUPERVISION_ACTION);

  /**
   * JanusHolon::members-ended:
   * @self: the holon
   *
   * Emitted once each time the last member of the holon has ended (died) —
   * not when members were removed or moved — and no restart is pending:
   * termination detection. On the thread of the member that ended last, or
   * in the holon's step when a supervision decision came last.
   */
  signals[MEMBERS_ENDED] =
    g_signal_new ("members-ended", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
janus_holon_init (JanusHolon *self)
{
}
