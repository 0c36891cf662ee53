/* SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Holons and the life-cycle of their members: a super-holon ends after its
 * members (kill ordering), hears when a member ended, supervises members
 * that failed (ignore, restart with back-off, escalate) and tells when its
 * last member ended (termination). */
#include "config.h"

#include "janus-holon-private.h"
#include "janus-error.h"
#include "janus-kernel-private.h"

static GQuark
watched_quark (void)
{
  static gsize quark;

  if (g_once_init_enter (&quark))
    g_once_init_leave (&quark, g_quark_from_static_string ("janus-holon-watched"));
  return (GQuark) quark;
}

/* --------------------------------------------------------- failures */

/* Failures reported for members and not yet supervised, by membership
 * (JanusMember → GError): few at a time, so kept aside rather than in
 * every record. Guarded by the holarchy lock. */
static GHashTable *failure_table;

/* Lock held: @m's failure is forgotten (the record goes). */
void
janus_holon_forget_failure (JanusMember *m)
{
  g_hash_table_remove (failure_table, m);
  m->failed = FALSE;
}

/* Lock held: takes @m's failure. */
static GError *
take_failure (JanusMember *m)
{
  GError *error = NULL;

  g_hash_table_steal_extended (failure_table, m, NULL, (gpointer *) &error);
  m->failed = FALSE;
  return error;
}

/* The kernel reports a failure before the agent dies: its memberships
 * remember it until it ended. */
static void
on_agent_failed (JanusKernel  *kernel,
                 JanusAgent   *agent,
                 const GError *error,
                 gpointer      user_data)
{
  JanusMemberInfo *info = janus_holon_peek_info (agent);
  JanusMember *m;

  if (info == NULL)
    return;
  janus_holarchy_lock ();
  for (m = info->supers; m != NULL; m = m->next_super)
    {
      if (failure_table == NULL)
        failure_table = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) g_error_free);
      g_hash_table_insert (failure_table, m, g_error_copy (error));
      m->failed = TRUE;
    }
  janus_holarchy_unlock ();
}

/* Lock held: hears @kernel's agent failures (once per kernel). */
void
janus_holon_watch_kernel (JanusKernel *kernel)
{
  if (g_object_get_qdata (G_OBJECT (kernel), watched_quark ()) != NULL)
    return;
  g_signal_connect (kernel, "agent-failed", G_CALLBACK (on_agent_failed), NULL);
  g_object_set_qdata (G_OBJECT (kernel), watched_quark (), GINT_TO_POINTER (1));
}

/* ------------------------------------------------------ supervision */

/* A failed member, on its way to its super-holon's step. */
typedef struct
{
  JanusHolon      *holon;
  JanusAgent      *member;       /* the instance that failed */
  GError          *error;
  GType            type;
  char            *name;
  GVariant        *parameters;
  gboolean         heavy;
  guint            restarts;
  gboolean         decided;
} Failure;

static void
failure_free (gpointer data)
{
  Failure *f = data;

  if (!f->decided)
    {
      /* the holon died first: nothing to decide any more */
      JanusHolonComposite *c = janus_holon_peek_composite (f->holon);

      janus_holarchy_lock ();
      c->pending_failures--;
      janus_holarchy_unlock ();
    }
  g_object_unref (f->holon);
  g_clear_object (&f->member);
  g_clear_error (&f->error);
  g_free (f->name);
  g_clear_pointer (&f->parameters, g_variant_unref);
  g_free (f);
}

/* Lock held: the last member ended and nothing will bring one back. */
static gboolean
all_ended (JanusHolonComposite *c)
{
  return c->n_members == 0 && c->pending_failures == 0 && c->pending_restarts == 0;
}

/* In the holon's step, once the back-off passed: a new instance takes the
 * failed member's place. */
static void
restart_in_step (JanusAgent *agent,
                 gpointer    data)
{
  Failure *f = data;
  JanusHolon *self = JANUS_HOLON (agent);
  JanusHolonComposite *c = janus_holon_peek_composite (self);
  g_autoptr(JanusAgent) fresh = g_object_new (f->type, NULL);
  g_autoptr(GError) error = NULL;
  JanusHolonChanges ch = { 0 };

  janus_holarchy_lock ();
  c->pending_restarts--;
  janus_holarchy_unlock ();
  if (janus_holon_spawn (self, fresh, f->name,
                         f->parameters ? g_variant_ref (f->parameters) : NULL,
                         f->heavy, f->restarts + 1, &error))
    return;
  /* the kernel shutting down (or the holon ending) during the back-off is
   * no surprise; anything else is */
  if (g_error_matches (error, JANUS_KERNEL_ERROR, JANUS_KERNEL_ERROR_STOPPED)
      || g_error_matches (error, JANUS_HOLON_ERROR, JANUS_HOLON_ERROR_DYING)
      || g_error_matches (error, JANUS_KERNEL_ERROR, JANUS_KERNEL_ERROR_AGENT_DEAD))
    g_debug ("holon %s does not restart its member %s: %s", G_OBJECT_TYPE_NAME (self),
             f->name ? f->name : g_type_name (f->type), error->message);
  else
    g_warning ("holon %s cannot restart its member %s: %s", G_OBJECT_TYPE_NAME (self),
               f->name ? f->name : g_type_name (f->type), error->message);
  janus_holarchy_lock ();
  if (all_ended (c))
    janus_holon_changes_emit (&ch, JANUS_HOLON_MEMBERS_ENDED, self, NULL);
  janus_holarchy_unlock ();
  janus_holon_changes_apply (&ch);
}

static void
restart_free (gpointer data)
{
  Failure *f = data;

  f->decided = TRUE;
  failure_free (f);
}

/* The n-th restart of a place waits backoff × 2^(n-1), at most a minute. */
static gint64
backoff_for (gint64 backoff,
             guint  restarts)
{
  const gint64 cap = 60 * G_USEC_PER_SEC;

  while (restarts-- > 0 && backoff < cap)
    backoff *= 2;
  return MIN (backoff, cap);
}

static void
escalate (JanusHolon *self,
          Failure    *f)
{
  g_autoptr(GError) error = g_error_new (f->error->domain, f->error->code,
                                         "member %s of holon %s failed: %s",
                                         f->name ? f->name : g_type_name (f->type),
                                         janus_agent_get_name (JANUS_AGENT (self))
                                         ? janus_agent_get_name (JANUS_AGENT (self))
                                         : G_OBJECT_TYPE_NAME (self),
                                         f->error->message);

  janus_runtime_report_failure (janus_agent_get_runtime (JANUS_AGENT (self)), JANUS_AGENT (self), error);
  janus_agent_kill_me (JANUS_AGENT (self));
}

/* In the holon's step: its supervision decides about a failed member. */
static void
supervise_in_step (JanusAgent *agent,
                   gpointer    data)
{
  Failure *f = data, *restart;
  JanusHolon *self = JANUS_HOLON (agent);
  JanusHolonComposite *c = janus_holon_peek_composite (self);
  JanusSupervisionAction action;
  JanusHolonChanges ch = { 0 };
  gint64 delay = 0;

  action = JANUS_HOLON_GET_CLASS (self)->supervise (self, f->member, f->error, f->restarts);
  if (action > JANUS_SUPERVISION_ESCALATE)
    {
      g_warning ("%s::supervise returned %d; escalating", G_OBJECT_TYPE_NAME (self), action);
      action = JANUS_SUPERVISION_ESCALATE;
    }
  janus_holarchy_lock ();
  if (action == JANUS_SUPERVISION_RESTART && f->restarts >= c->max_restarts)
    action = JANUS_SUPERVISION_ESCALATE;
  f->decided = TRUE;
  c->pending_failures--;
  if (action == JANUS_SUPERVISION_RESTART)
    {
      c->pending_restarts++;
      delay = backoff_for (c->restart_backoff, f->restarts);
    }
  if (all_ended (c))
    janus_holon_changes_emit (&ch, JANUS_HOLON_MEMBERS_ENDED, self, NULL);
  janus_holarchy_unlock ();

  g_signal_emit (self, janus_holon_signals[JANUS_HOLON_MEMBER_FAILED], 0,
                 f->member, f->error, action);
  switch (action)
    {
    case JANUS_SUPERVISION_RESTART:
      restart = g_new0 (Failure, 1);
      restart->holon = g_object_ref (self);
      restart->type = f->type;
      restart->name = g_strdup (f->name);
      restart->parameters = f->parameters ? g_variant_ref (f->parameters) : NULL;
      restart->heavy = f->heavy;
      restart->restarts = f->restarts;
      restart->decided = TRUE;
      janus_agent_call_in (agent, delay, restart_in_step, restart, restart_free);
      break;
    case JANUS_SUPERVISION_ESCALATE:
      escalate (self, f);
      break;
    default:
      break;
    }
  janus_holon_changes_apply (&ch);
}

static Failure *
failure_new (JanusMember *m)
{
  Failure *f = g_new0 (Failure, 1);
  GVariant *parameters = janus_agent_get_launch_parameters (m->agent);

  f->holon = g_object_ref (m->holon);
  f->member = g_object_ref (m->agent);
  f->error = take_failure (m);
  f->type = G_OBJECT_TYPE (m->agent);
  f->name = g_strdup (janus_agent_get_name (m->agent));
  f->parameters = parameters ? g_variant_ref (parameters) : NULL;
  f->heavy = janus_agent_is_heavy (m->agent);
  f->restarts = m->restarts;
  return f;
}

/* ------------------------------------------------------ deaths */

/* A member ended (its `end` ran, its roles were left): each of its
 * super-holons loses it, and supervises it if it failed. */
static void
member_ended (JanusAgent *agent)
{
  JanusMemberInfo *info = janus_holon_peek_info (agent);
  GSList *failures = NULL, *l;
  JanusHolonChanges ch = { 0 };
  JanusMember *m;

  if (info == NULL)
    return;
  janus_holarchy_lock ();
  while ((m = info->supers) != NULL)
    {
      JanusHolon *holon = m->holon;
      JanusHolonComposite *c = janus_holon_peek_composite (holon);

      /* a holon ending its members supervises nothing */
      if (m->failed && !c->dying && !c->ended)
        {
          c->pending_failures++;
          failures = g_slist_prepend (failures, failure_new (m));
        }
      janus_holon_unlink_member (m, &ch);     /* wakes an ending holon */
      if (all_ended (c))
        janus_holon_changes_emit (&ch, JANUS_HOLON_MEMBERS_ENDED, holon, NULL);
    }
  janus_holarchy_unlock ();

  janus_holon_changes_apply (&ch);
  if (failures == NULL)
    return;
  for (l = failures = g_slist_reverse (failures); l != NULL; l = l->next)
    {
      Failure *f = l->data;
      janus_agent_invoke (JANUS_AGENT (f->holon), supervise_in_step, f, failure_free);
    }
  g_slist_free (failures);
}

/* The holon became DYING: it ends its members first. Returns whether its
 * end must wait (it is woken when its last member ended). */
static gboolean
postpone_end (JanusHolon *self)
{
  JanusHolonComposite *c = janus_holon_peek_composite (self);
  JanusHolonChanges ch = { 0 };
  gboolean wait;
  JanusMember *m, *prev;

  if (c == NULL)
    {
      /* A first member may be joining on another thread: it made the
       * composite, then read our state, under the lock; we set DYING,
       * then read its composite. Without the lock both could miss the
       * other's write, and we would end with a member. */
      janus_holarchy_lock ();
      c = janus_holon_peek_composite (self);
      janus_holarchy_unlock ();
      if (c == NULL)
        return FALSE;
    }
  janus_holarchy_lock ();
  if (!c->dying)
    {
      c->dying = TRUE;
      /* last joined, first asked; a kill request runs no user code (it
       * posts a request and schedules the member), so it is made here,
       * the lock held, with no list of members to build */
      for (m = c->last; m != NULL; m = prev)
        {
          JanusMemberInfo *info = janus_holon_peek_info (m->agent);

          prev = m->prev;
          if (janus_member_info_flags (info, memory_order_relaxed) & JANUS_MEMBER_SPAWNING)
            continue;       /* janus_holon_spawn kills it once launched */
          if (info->supers == m && m->next_super == NULL)
            janus_agent_request_kill (m->agent);
          else
            janus_holon_unlink_member (m, &ch);     /* shared: it lives on elsewhere */
        }
    }
  wait = c->n_members > 0;
  janus_holarchy_unlock ();

  janus_holon_changes_apply (&ch);
  return wait;
}

/* The holon's own `end` ran: it has no member left; calls in flight fail. */
static void
holon_ended (JanusHolon *self)
{
  JanusHolonComposite *c = janus_holon_peek_composite (self);
    JanusHolonChanges ch = { 0 };

  if (c == NULL)
    return;
  janus_holarchy_lock ();
  c->ended = TRUE;
  c->dying = FALSE;
  if (c->n_members > 0)
    g_critical ("holon %s ended with %u members", G_OBJECT_TYPE_NAME (self), c->n_members);
  while (c->last != NULL)
    janus_holon_unlink_member (c->last, &ch);
  janus_holon_become_atomic (self, c, &ch);
  janus_holarchy_unlock ();
  janus_holon_changes_forget_signals (&ch);
  janus_holon_changes_apply (&ch);

  janus_holon_fail_calls (self, JANUS_HOLON_ERROR, JANUS_HOLON_ERROR_PROVIDER_ENDED,
                          "Holon %s ended before answering", G_OBJECT_TYPE_NAME (self));
}

/* The life hook janus-agent.c calls for every agent that becomes ALIVE
 * (a spawned member takes its roles) and that dies. */
gboolean
janus_holon_life_hook (JanusAgent          *agent,
                       JanusAgentLifeEvent  event)
{
  if (event == JANUS_AGENT_LIFE_ALIVE)
    {
      janus_holon_reconcile_if_pending (agent);
      return FALSE;
    }
  if (event == JANUS_AGENT_LIFE_DYING)
    return JANUS_IS_HOLON (agent) && postpone_end (JANUS_HOLON (agent));
  member_ended (agent);
  if (JANUS_IS_HOLON (agent))
    holon_ended (JANUS_HOLON (agent));
  return FALSE;
}
