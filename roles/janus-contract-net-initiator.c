/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <math.h>

#include "janus-address.h"
#include "janus-agent.h"
#include "janus-contract-net-initiator.h"
#include "janus-contract-net-participant.h"
#include "janus-contract-net-private.h"
#include "janus-error.h"
#include "janus-group.h"
#include "janus-kernel.h"
#include "janus-message.h"
#include "janus-role.h"

/**
 * JanusContractNetInitiator:
 *
 * The manager of the FIPA contract-net protocol
 * ([class@Janus.ContractNetOrganization]): it calls for proposals on a
 * task, awards the task to the best proposal and waits for the outcome.
 *
 * [method@Janus.ContractNetInitiator.call_for_proposals] sends `cfp` (body:
 * the task) to every [class@Janus.ContractNetParticipant] of the group and
 * records how many were asked. The role then collects their `propose`
 * (body: the bid) and `refuse` answers in its `live`; once every asked
 * participant answered it chooses the winner with
 * [method@Janus.ContractNetInitiator.select_proposal], sends it
 * `accept-proposal` (body: the task), sends `reject-proposal` to the other
 * proposers, and waits for the winner's `inform-done` (body: the result) or
 * `failure` (body: the reason). Then it emits
 * [signal@Janus.ContractNetInitiator::finished] and is ready for the next
 * call. A call nobody proposed to finishes at once, unsuccessfully.
 *
 * ```c
 * static void
 * on_finished (JanusContractNetInitiator *buyer,
 *              gboolean                   success,
 *              GVariant                  *result,
 *              const JanusAddress        *winner,
 *              gpointer                   user_data)
 * {
 *   if (success)
 *     g_print ("done: %s\n", g_variant_print (result, TRUE));   // leaks, for brevity
 *   janus_contract_net_initiator_call_for_proposals (buyer, next_task (), NULL);
 * }
 *
 * // in the buyer agent's step:
 * JanusRole *role = janus_agent_request_role (agent, JANUS_TYPE_CONTRACT_NET_INITIATOR,
 *                                             group, NULL, &error);
 * g_signal_connect (role, "finished", G_CALLBACK (on_finished), NULL);
 * janus_contract_net_initiator_call_for_proposals (JANUS_CONTRACT_NET_INITIATOR (role),
 *                                                  g_variant_new ("(si)", "apple", 3),
 *                                                  &error);
 * ```
 *
 * ## Participants that vanish
 *
 * A participant that leaves the group, or whose agent dies, while a call is
 * open counts as a refusal (a proposal it made is withdrawn); if it was the
 * winner the call finishes unsuccessfully. The initiator learns it from
 * the group's [signal@Janus.Group::role-left] and from the kernel's
 * [signal@Janus.Kernel::dead-letter] for its own `cfp` and
 * `accept-proposal` messages: these arrive on other threads, and the role
 * hands them over to its own step as messages, so its state only ever
 * changes in its player's step and no call can wait for ever.
 *
 * Everything runs in the player's step and never blocks: call the
 * functions of this class from there (or, on a kernel with no worker, from
 * the thread driving it between steps). The role's `live` takes every
 * message addressed to it; messages that belong to no open call are
 * dropped (a stray `propose` is rejected).
 */

/* Notices the signal handlers post to the role's own mailbox (see Watch). */
#define NOTICE_GONE  "janus-contract-net-gone"    /* (us): call, participant address */
#define NOTICE_CHECK "janus-contract-net-check"   /* (u): call */

typedef enum {
  ANSWER_PENDING,
  ANSWER_PROPOSED,
  ANSWER_REFUSED,
} Answer;

/* What the "dead-letter" (kernel) and "role-left" (group) handlers need.
 * They run on any thread, so they never touch the role: they post a notice
 * into the role's mailbox and the role's step does the rest. Shared by the
 * role and the two signal closures (reference counted), so a handler that
 * runs while the role is being finalized is harmless. */
typedef struct
{
  gatomicrefcount  ref_count;

  /* immutable */
  JanusAddress    *player;      /* the initiator's player, the cfp's sender */
  GWeakRef         role;        /* the notices go to its mailbox */

  /* guarded by lock; written by the player's step, read by the handlers */
  GMutex           lock;
  guint            call;        /* the open call, 0 when none is */
  GHashTable      *tracked;     /* JanusMessage * (strong) → NULL: the open
                                 * call's cfp and accept-proposal messages,
                                 * matched by identity against dead letters */
} Watch;

typedef struct
{
  /* the player's step only (or the thread driving a 0-worker kernel between
   * steps) */
  JanusContractNetState state;
  guint         call;           /* number of the current or last call, from 1 */
  GVariant     *task;           /* the open call's task */
  GHashTable   *answers;        /* JanusAddress * → Answer: who was asked */
  GPtrArray    *proposals;      /* JanusMessage "propose", arrival order */
  JanusAddress *winner;         /* while AWARDED */
  guint         n_pending;      /* asked and not answered yet */
  guint         n_asked;
  guint         n_proposals;
  guint         n_refusals;
  gboolean      leaving;        /* in end: no new call */

  /* connected at the first call, disconnected in end (or dispose) */
  Watch        *watch;
  GWeakRef      kernel;
  gulong        dead_letter_handler;
  gulong        role_left_handler;
} JanusContractNetInitiatorPrivate;

enum {
  PROP_0,
  PROP_STATE,
  PROP_N_ASKED,
  PROP_N_PROPOSALS,
  PROP_N_REFUSALS,
  N_PROPS
};

enum {
  FINISHED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_ENUM_TYPE (JanusContractNetState, janus_contract_net_state,
  G_DEFINE_ENUM_VALUE (JANUS_CONTRACT_NET_STATE_IDLE, "idle"),
  G_DEFINE_ENUM_VALUE (JANUS_CONTRACT_NET_STATE_COLLECTING, "collecting"),
  G_DEFINE_ENUM_VALUE (JANUS_CONTRACT_NET_STATE_AWARDED, "awarded"))

G_DEFINE_TYPE_WITH_PRIVATE (JanusContractNetInitiator, janus_contract_net_initiator,
                            JANUS_TYPE_ROLE)

#define PRIV(self) ((JanusContractNetInitiatorPrivate *) \
                    janus_contract_net_initiator_get_instance_private (self))

/* ----------------------------------------------------------------- watch */

static Watch *
watch_new (JanusContractNetInitiator *self,
           JanusAgent                *player)
{
  Watch *w = g_new0 (Watch, 1);

  g_atomic_ref_count_init (&w->ref_count);
  w->player = janus_address_copy (janus_agent_get_address (player));
  g_weak_ref_init (&w->role, self);
  g_mutex_init (&w->lock);
  w->tracked = g_hash_table_new_full (NULL, NULL, (GDestroyNotify) janus_message_unref, NULL);
  return w;
}

static Watch *
watch_ref (Watch *w)
{
  g_atomic_ref_count_inc (&w->ref_count);
  return w;
}

static void
watch_unref (Watch *w)
{
  if (!g_atomic_ref_count_dec (&w->ref_count))
    return;
  janus_address_free (w->player);
  g_weak_ref_clear (&w->role);
  g_hash_table_unref (w->tracked);
  g_mutex_clear (&w->lock);
  g_free (w);
}

static void
watch_closure_notify (gpointer  data,
                      GClosure *closure)
{
  watch_unref (data);
}

static void
watch_open (Watch *w,
            guint  call)
{
  g_mutex_lock (&w->lock);
  w->call = call;
  g_hash_table_remove_all (w->tracked);
  g_mutex_unlock (&w->lock);
}

/* Drops the tracked messages outside the lock: the last reference to a
 * message may run its body's destroy notify. */
static void
watch_close (Watch *w)
{
  g_autoptr(GHashTable) old = NULL;

  g_mutex_lock (&w->lock);
  w->call = 0;
  old = g_steal_pointer (&w->tracked);
  w->tracked = g_hash_table_new_full (NULL, NULL, (GDestroyNotify) janus_message_unref, NULL);
  g_mutex_unlock (&w->lock);
}

/* Before @message is sent: a dead letter of it will be a participant gone. */
static void
watch_track (Watch        *w,
             JanusMessage *message)
{
  g_mutex_lock (&w->lock);
  g_hash_table_add (w->tracked, janus_message_ref (message));
  g_mutex_unlock (&w->lock);
}

static void
watch_untrack (Watch        *w,
               JanusMessage *message)
{
  gboolean had;

  g_mutex_lock (&w->lock);
  had = g_hash_table_steal (w->tracked, message);
  g_mutex_unlock (&w->lock);
  if (had)
    janus_message_unref (message);
}

/* Posts a notice into the initiator role's own mailbox, which gets the
 * role stepped. MT safe; a role already gone gets nothing. */
static void
watch_post (Watch       *w,
            JanusKernel *kernel,
            const char  *subject,
            GVariant    *body)
{
  g_autoptr(JanusRole) role = g_weak_ref_get (&w->role);
  g_autoptr(GVariant) owned = g_variant_ref_sink (body);

  if (role != NULL)
    janus_role_post (role, janus_message_new (subject, owned), NULL);
}

/* Any thread, no lock held. Every dead letter of the kernel comes here:
 * the sender test keeps the others cheap. */
static void
on_dead_letter (JanusKernel  *kernel,
                JanusMessage *message,
                gpointer      data)
{
  Watch *w = data;
  g_autofree char *receiver = NULL;
  guint call = 0;

  if (!janus_address_equal (janus_message_get_sender (message), w->player))
    return;
  g_mutex_lock (&w->lock);
  if (w->call != 0 && g_hash_table_contains (w->tracked, message))
    call = w->call;
  g_mutex_unlock (&w->lock);
  if (call == 0)
    return;
  receiver = janus_address_to_string (janus_message_get_receiver (message));
  watch_post (w, kernel, NOTICE_GONE, g_variant_new ("(us)", call, receiver));
}

/* The leaving participant's thread, no lock held. The role it left no
 * longer knows its player, so the initiator's step checks who is left. */
static void
on_role_left (JanusGroup *group,
              JanusRole  *role,
              gpointer    data)
{
  Watch *w = data;
  JanusKernel *kernel;
  guint call;

  if (!JANUS_IS_CONTRACT_NET_PARTICIPANT (role))
    return;
  g_mutex_lock (&w->lock);
  call = w->call;
  g_mutex_unlock (&w->lock);
  kernel = janus_group_get_kernel (group);
  if (call != 0 && kernel != NULL)
    watch_post (w, kernel, NOTICE_CHECK, g_variant_new ("(u)", call));
}

static void
connect_watch (JanusContractNetInitiator *self,
               JanusAgent                *player)
{
  JanusContractNetInitiatorPrivate *priv = PRIV (self);
  JanusKernel *kernel = janus_agent_get_kernel (player);

  if (priv->watch != NULL)
    return;
  priv->watch = watch_new (self, player);
  g_weak_ref_set (&priv->kernel, kernel);
  priv->dead_letter_handler =
    g_signal_connect_data (kernel, "dead-letter", G_CALLBACK (on_dead_letter),
                           watch_ref (priv->watch), watch_closure_notify, 0);
  priv->role_left_handler =
    g_signal_connect_data (janus_role_get_group (JANUS_ROLE (self)), "role-left",
                           G_CALLBACK (on_role_left), watch_ref (priv->watch),
                           watch_closure_notify, 0);
}

static void
disconnect_watch (JanusContractNetInitiator *self)
{
  JanusContractNetInitiatorPrivate *priv = PRIV (self);
  g_autoptr(JanusKernel) kernel = g_weak_ref_get (&priv->kernel);

  if (priv->watch == NULL)
    return;
  if (kernel != NULL)
    g_clear_signal_handler (&priv->dead_letter_handler, kernel);
  g_clear_signal_handler (&priv->role_left_handler, janus_role_get_group (JANUS_ROLE (self)));
  priv->dead_letter_handler = 0;
  g_weak_ref_set (&priv->kernel, NULL);
  watch_close (priv->watch);
  g_clear_pointer (&priv->watch, watch_unref);
}

/* ----------------------------------------------------------------- state */

static void
set_state (JanusContractNetInitiator *self,
           JanusContractNetState      state)
{
  if (PRIV (self)->state == state)
    return;
  PRIV (self)->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static gboolean
call_is_open (JanusContractNetInitiator *self,
              guint                      call)
{
  return PRIV (self)->call == call && PRIV (self)->state == JANUS_CONTRACT_NET_STATE_COLLECTING;
}

/* Sets the counters, notifying those that changed. */
static void
set_counts (JanusContractNetInitiator *self,
            guint                      asked,
            guint                      proposals,
            guint                      refusals)
{
  JanusContractNetInitiatorPrivate *priv = PRIV (self);
  guint *fields[] = { &priv->n_asked, &priv->n_proposals, &priv->n_refusals };
  guint values[] = { asked, proposals, refusals };
  guint i;

  g_object_freeze_notify (G_OBJECT (self));
  for (i = 0; i < G_N_ELEMENTS (fields); i++)
    if (*fields[i] != values[i])
      {
        *fields[i] = values[i];
        g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ASKED + i]);
      }
  g_object_thaw_notify (G_OBJECT (self));
}

/* Answers @request, a message of a participant role. */
static gboolean
answer (JanusContractNetInitiator *self,
        JanusMessage              *request,
        JanusMessage              *reply)
{
  g_autoptr(GError) error = NULL;

  if (janus_role_reply (JANUS_ROLE (self), request, reply, &error))
    return TRUE;
  g_debug ("contract-net initiator %s cannot answer “%s”: %s",
           G_OBJECT_TYPE_NAME (self), janus_message_get_subject (request), error->message);
  return FALSE;
}

static void
reject (JanusContractNetInitiator *self,
        JanusMessage              *proposal,
        GVariant                  *task)
{
  answer (self, proposal, janus_message_new (JANUS_CONTRACT_NET_REJECT_PROPOSAL, task));
}

/* Ends the open call: back to IDLE first, so that a handler of "finished"
 * may call again at once. */
static void
finish (JanusContractNetInitiator *self,
        gboolean                   success,
        GVariant                  *result,
        const JanusAddress        *winner)
{
  JanusContractNetInitiatorPrivate *priv = PRIV (self);
  g_autoptr(GVariant) outcome = result ? g_variant_ref (result) : NULL;
  g_autoptr(JanusAddress) who = winner ? janus_address_copy (winner) : NULL;

  if (priv->state == JANUS_CONTRACT_NET_STATE_IDLE)
    return;                     /* finished already: once per call */
  g_clear_pointer (&priv->task, g_variant_unref);
  g_clear_pointer (&priv->winner, janus_address_free);
  g_hash_table_remove_all (priv->answers);
  g_ptr_array_set_size (priv->proposals, 0);
  priv->n_pending = 0;
  if (priv->watch != NULL)
    watch_close (priv->watch);
  set_state (self, JANUS_CONTRACT_NET_STATE_IDLE);
  g_signal_emit (self, signals[FINISHED], 0, success, outcome, who);
}

/* Sends accept-proposal; a dead letter of it means the winner is gone. */
static gboolean
accept (JanusContractNetInitiator *self,
        JanusMessage              *proposal,
        GVariant                  *task)
{
  Watch *w = PRIV (self)->watch;
  JanusMessage *acceptance = janus_message_new (JANUS_CONTRACT_NET_ACCEPT_PROPOSAL, task);
  gboolean sent;

  if (w != NULL)
    watch_track (w, acceptance);
  sent = answer (self, proposal, janus_message_ref (acceptance));
  if (!sent && w != NULL)
    watch_untrack (w, acceptance);
  janus_message_unref (acceptance);
  return sent;
}

/* Every asked participant answered: select, accept, reject the others.
 * select_proposal and the notifications are user code that may leave the
 * role (which finishes the call): the call number tells. */
static void
award (JanusContractNetInitiator *self)
{
  JanusContractNetInitiatorPrivate *priv = PRIV (self);
  g_autoptr(GPtrArray) proposals = g_ptr_array_ref (priv->proposals);
  g_autoptr(GVariant) task = priv->task ? g_variant_ref (priv->task) : NULL;
  guint call = priv->call, chosen = G_MAXUINT, i;

  if (proposals->len > 0)
    chosen = janus_contract_net_initiator_select_proposal (self, proposals);
  if (!call_is_open (self, call))
    return;
  if (chosen != G_MAXUINT && chosen >= proposals->len)
    {
      g_warning ("%s::select_proposal returned %u for %u proposals; no proposal is accepted",
                 G_OBJECT_TYPE_NAME (self), chosen, proposals->len);
      chosen = G_MAXUINT;
    }
  if (chosen != G_MAXUINT)
    {
      priv->winner = janus_address_copy (janus_message_get_sender (proposals->pdata[chosen]));
      set_state (self, JANUS_CONTRACT_NET_STATE_AWARDED);
      if (priv->call == call && priv->state == JANUS_CONTRACT_NET_STATE_AWARDED
          && !accept (self, proposals->pdata[chosen], task))
        finish (self, FALSE, NULL, priv->winner);
    }
  for (i = 0; i < proposals->len; i++)
    if (i != chosen)
      reject (self, proposals->pdata[i], task);
  if (chosen == G_MAXUINT && call_is_open (self, call))
    finish (self, FALSE, NULL, NULL);
}

static void
award_when_answered (JanusContractNetInitiator *self)
{
  if (PRIV (self)->state == JANUS_CONTRACT_NET_STATE_COLLECTING && PRIV (self)->n_pending == 0)
    award (self);
}

static gboolean
lookup_answer (JanusContractNetInitiator *self,
               const JanusAddress        *participant,
               Answer                    *answer_out)
{
  gpointer value;

  if (!g_hash_table_lookup_extended (PRIV (self)->answers, participant, NULL, &value))
    return FALSE;
  *answer_out = GPOINTER_TO_UINT (value);
  return TRUE;
}

static void
set_answer (JanusContractNetInitiator *self,
            const JanusAddress        *participant,
            Answer                     value)
{
  g_hash_table_replace (PRIV (self)->answers, janus_address_copy (participant),
                        GUINT_TO_POINTER (value));
}

static void
on_propose (JanusContractNetInitiator *self,
            JanusMessage              *proposal)
{
  JanusContractNetInitiatorPrivate *priv = PRIV (self);
  const JanusAddress *from = janus_message_get_sender (proposal);
  Answer was;

  if (priv->state != JANUS_CONTRACT_NET_STATE_COLLECTING
      || !lookup_answer (self, from, &was) || was != ANSWER_PENDING)
    {
      /* late or unasked: tell it, so it forgets the task */
      answer (self, proposal, janus_message_new (JANUS_CONTRACT_NET_REJECT_PROPOSAL, NULL));
      return;
    }
  set_answer (self, from, ANSWER_PROPOSED);
  g_ptr_array_add (priv->proposals, janus_message_ref (proposal));
  priv->n_pending--;
  set_counts (self, priv->n_asked, priv->n_proposals + 1, priv->n_refusals);
}

static void
on_refuse (JanusContractNetInitiator *self,
           JanusMessage              *refusal)
{
  JanusContractNetInitiatorPrivate *priv = PRIV (self);
  const JanusAddress *from = janus_message_get_sender (refusal);
  Answer was;

  if (priv->state != JANUS_CONTRACT_NET_STATE_COLLECTING
      || !lookup_answer (self, from, &was) || was != ANSWER_PENDING)
    return;
  set_answer (self, from, ANSWER_REFUSED);
  priv->n_pending--;
  set_counts (self, priv->n_asked, priv->n_proposals, priv->n_refusals + 1);
}

static void
on_outcome (JanusContractNetInitiator *self,
            JanusMessage              *outcome,
            gboolean                   success)
{
  JanusContractNetInitiatorPrivate *priv = PRIV (self);

  if (priv->state != JANUS_CONTRACT_NET_STATE_AWARDED
      || !janus_address_equal (janus_message_get_sender (outcome), priv->winner))
    return;
  finish (self, success, janus_message_get_body (outcome), priv->winner);
}

static void
withdraw_proposal (JanusContractNetInitiator *self,
                   const JanusAddress        *participant)
{
  GPtrArray *proposals = PRIV (self)->proposals;
  guint i;

  for (i = 0; i < proposals->len; i++)
    if (janus_address_equal (janus_message_get_sender (proposals->pdata[i]), participant))
      {
        g_ptr_array_remove_index (proposals, i);
        return;
      }
}

/* @participant left the group or cannot be reached: a refusal, or the end
 * of the call if it was the winner. */
static void
participant_gone (JanusContractNetInitiator *self,
                  const JanusAddress        *participant)
{
  JanusContractNetInitiatorPrivate *priv = PRIV (self);
  Answer was;

  if (priv->state == JANUS_CONTRACT_NET_STATE_AWARDED)
    {
      if (janus_address_equal (participant, priv->winner))
        finish (self, FALSE, NULL, priv->winner);
      return;
    }
  if (priv->state != JANUS_CONTRACT_NET_STATE_COLLECTING
      || !lookup_answer (self, participant, &was) || was == ANSWER_REFUSED)
    return;
  set_answer (self, participant, ANSWER_REFUSED);
  if (was == ANSWER_PROPOSED)
    {
      withdraw_proposal (self, participant);
      set_counts (self, priv->n_asked, priv->n_proposals - 1, priv->n_refusals + 1);
    }
  else
    {
      priv->n_pending--;
      set_counts (self, priv->n_asked, priv->n_proposals, priv->n_refusals + 1);
    }
}

/* Some participant left: whoever was asked and plays no participant role
 * in the group any more is gone. */
static void
check_participants (JanusContractNetInitiator *self)
{
  JanusContractNetInitiatorPrivate *priv = PRIV (self);
  g_autoptr(GPtrArray) players = NULL;
  g_autoptr(GHashTable) present = NULL;
  g_autoptr(GPtrArray) gone = NULL;
  GHashTableIter iter;
  gpointer key, value;
  guint i;

  players = janus_group_list_players (janus_role_get_group (JANUS_ROLE (self)),
                                      JANUS_TYPE_CONTRACT_NET_PARTICIPANT);
  present = g_hash_table_new (janus_address_hash, janus_address_equal);
  for (i = 0; i < players->len; i++)
    g_hash_table_add (present, (gpointer) janus_agent_get_address (players->pdata[i]));

  gone = g_ptr_array_new_with_free_func ((GDestroyNotify) janus_address_free);
  if (priv->state == JANUS_CONTRACT_NET_STATE_AWARDED)
    {
      if (!g_hash_table_contains (present, priv->winner))
        g_ptr_array_add (gone, janus_address_copy (priv->winner));
    }
  else
    {
      g_hash_table_iter_init (&iter, priv->answers);
      while (g_hash_table_iter_next (&iter, &key, &value))
        if (GPOINTER_TO_UINT (value) != ANSWER_REFUSED && !g_hash_table_contains (present, key))
          g_ptr_array_add (gone, janus_address_copy (key));
    }
  for (i = 0; i < gone->len; i++)
    participant_gone (self, gone->pdata[i]);
}

/* A notice is what the role posted to itself (janus_role_post):
 * sent by its own player, as its own role type. */
static gboolean
is_notice (JanusContractNetInitiator *self,
           JanusMessage              *message)
{
  JanusAgent *player = janus_role_get_player (JANUS_ROLE (self));

  return janus_message_get_sender_role (message) == G_OBJECT_TYPE (self)
         && player != NULL
         && janus_address_equal (janus_message_get_sender (message),
                                 janus_agent_get_address (player));
}

static void
on_notice (JanusContractNetInitiator *self,
           JanusMessage              *notice)
{
  GVariant *body = janus_message_get_body (notice);
  guint call = 0;

  if (body != NULL && g_variant_is_of_type (body, G_VARIANT_TYPE ("(us)"))
      && janus_message_has_subject (notice, NOTICE_GONE))
    {
      const char *text;
      g_autoptr(JanusAddress) participant = NULL;

      g_variant_get (body, "(u&s)", &call, &text);
      participant = janus_address_parse (text, NULL);
      if (call == PRIV (self)->call && participant != NULL)
        participant_gone (self, participant);
    }
  else if (body != NULL && g_variant_is_of_type (body, G_VARIANT_TYPE ("(u)"))
           && janus_message_has_subject (notice, NOTICE_CHECK))
    {
      g_variant_get (body, "(u)", &call);
      if (call == PRIV (self)->call && PRIV (self)->state != JANUS_CONTRACT_NET_STATE_IDLE)
        check_participants (self);
    }
}

static void
dispatch (JanusRole    *role,
          JanusMessage *message,
          gpointer      user_data)
{
  JanusContractNetInitiator *self = JANUS_CONTRACT_NET_INITIATOR (role);

  if (is_notice (self, message))
    on_notice (self, message);
  else if (janus_message_has_subject (message, JANUS_CONTRACT_NET_PROPOSE))
    on_propose (self, message);
  else if (janus_message_has_subject (message, JANUS_CONTRACT_NET_REFUSE))
    on_refuse (self, message);
  else if (janus_message_has_subject (message, JANUS_CONTRACT_NET_INFORM_DONE))
    on_outcome (self, message, TRUE);
  else if (janus_message_has_subject (message, JANUS_CONTRACT_NET_FAILURE))
    on_outcome (self, message, FALSE);
  else
    g_debug ("contract-net initiator %s drops a message “%s”",
             G_OBJECT_TYPE_NAME (self), janus_message_get_subject (message));
  award_when_answered (self);
}

static JanusLive
janus_contract_net_initiator_live (JanusRole *role)
{
  janus_role_dispatch_messages (role, dispatch, NULL);
  return JANUS_LIVE_WAIT;
}

/* Leaving with a call open: reject what was proposed and finish it. */
static void
janus_contract_net_initiator_end (JanusRole *role)
{
  JanusContractNetInitiator *self = JANUS_CONTRACT_NET_INITIATOR (role);
  JanusContractNetInitiatorPrivate *priv = PRIV (self);
  guint i;

  priv->leaving = TRUE;
  if (priv->state == JANUS_CONTRACT_NET_STATE_COLLECTING)
    for (i = 0; i < priv->proposals->len; i++)
      reject (self, priv->proposals->pdata[i], priv->task);
  if (priv->state != JANUS_CONTRACT_NET_STATE_IDLE)
    finish (self, FALSE, NULL, priv->winner);
  disconnect_watch (self);

  JANUS_ROLE_CLASS (janus_contract_net_initiator_parent_class)->end (role);
}

/* -------------------------------------------------------------- public */

static void
send_cfp (JanusContractNetInitiator *self,
          JanusAgent                *player,
          JanusAgent                *participant)
{
  JanusContractNetInitiatorPrivate *priv = PRIV (self);
  const JanusAddress *to = janus_agent_get_address (participant);
  g_autoptr(JanusMessage) cfp = janus_message_new (JANUS_CONTRACT_NET_CFP, priv->task);
  g_autoptr(GError) error = NULL;

  /* asked before it is sent: a dead letter may be reported while sending */
  set_answer (self, to, ANSWER_PENDING);
  priv->n_pending++;
  watch_track (priv->watch, cfp);
  if (janus_agent_send_to_role (player, janus_role_get_group (JANUS_ROLE (self)),
                                G_OBJECT_TYPE (self), JANUS_TYPE_CONTRACT_NET_PARTICIPANT,
                                to, janus_message_ref (cfp), NULL, &error))
    return;
  /* it left the group meanwhile: it was not asked */
  g_debug ("contract-net initiator %s: no cfp for a participant: %s",
           G_OBJECT_TYPE_NAME (self), error->message);
  watch_untrack (priv->watch, cfp);
  g_hash_table_remove (priv->answers, to);
  priv->n_pending--;
}

/**
 * janus_contract_net_initiator_call_for_proposals:
 * @self: an initiator role, played
 * @task: (nullable): the task, sent as the body of each `cfp`; a floating
 *   reference is taken
 * @error: return location for a [struct@GLib.Error]
 *
 * Opens a call for proposals: sends `cfp` with @task to every player of a
 * [class@Janus.ContractNetParticipant] role in the group (the initiator's
 * own agent aside) and records how many were asked
 * ([property@Janus.ContractNetInitiator:n-asked]). The role then collects
 * the answers in its `live` and the call ends with
 * [signal@Janus.ContractNetInitiator::finished], emitted exactly once, in a
 * later step of the player — also when nobody was asked.
 *
 * Call it from the player's step (for instance from a handler of
 * [signal@Janus.ContractNetInitiator::finished], to chain calls), or, on a
 * kernel with no worker, from the thread driving the kernel between steps.
 *
 * Returns: `TRUE` if the call is open; `FALSE` with @error set:
 *   `JANUS_ORGANIZATION_ERROR_BUSY` while another call is open,
 *   `JANUS_ORGANIZATION_ERROR_ROLE_NOT_PLAYED` once the role was left
 */
gboolean
janus_contract_net_initiator_call_for_proposals (JanusContractNetInitiator  *self,
                                                 GVariant                   *task,
                                                 GError                    **error)
{
  JanusContractNetInitiatorPrivate *priv;
  g_autoptr(GVariant) owned = NULL;
  g_autoptr(GPtrArray) participants = NULL;
  JanusAgent *player;
  guint i, call;

  g_return_val_if_fail (JANUS_IS_CONTRACT_NET_INITIATOR (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  priv = PRIV (self);
  owned = task ? g_variant_ref_sink (task) : NULL;
  player = janus_role_get_player (JANUS_ROLE (self));
  if (player == NULL || priv->leaving)
    {
      g_set_error (error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_ROLE_NOT_PLAYED,
                   "Role %s is not played: it cannot call for proposals",
                   G_OBJECT_TYPE_NAME (self));
      return FALSE;
    }
  if (priv->state != JANUS_CONTRACT_NET_STATE_IDLE)
    {
      g_set_error (error, JANUS_ORGANIZATION_ERROR, JANUS_ORGANIZATION_ERROR_BUSY,
                   "Role %s already has call for proposals %u open; wait for "
                   "its “finished” signal", G_OBJECT_TYPE_NAME (self), priv->call);
      return FALSE;
    }

  connect_watch (self, player);
  priv->call = priv->call == G_MAXUINT ? 1 : priv->call + 1;
  priv->task = g_steal_pointer (&owned);
  watch_open (priv->watch, priv->call);
  set_counts (self, 0, 0, 0);
  set_state (self, JANUS_CONTRACT_NET_STATE_COLLECTING);

  /* the notifications (and dead-letter handlers while sending) are user
   * code: if one left the role, the call already finished */
  call = priv->call;
  participants = janus_group_list_players (janus_role_get_group (JANUS_ROLE (self)),
                                           JANUS_TYPE_CONTRACT_NET_PARTICIPANT);
  for (i = 0; i < participants->len && call_is_open (self, call); i++)
    if (participants->pdata[i] != player)
      send_cfp (self, player, participants->pdata[i]);
  if (!call_is_open (self, call))
    return TRUE;
  set_counts (self, g_hash_table_size (priv->answers), 0, 0);

  /* nobody to wait for: let the step finish the call, as any other */
  if (priv->n_asked == 0)
    watch_post (priv->watch, janus_agent_get_kernel (player), NOTICE_CHECK,
                g_variant_new ("(u)", priv->call));
  return TRUE;
}

static int
compare_bids (GVariant *a,
              GVariant *b)
{
  gboolean a_int = !g_variant_is_of_type (a, G_VARIANT_TYPE_DOUBLE);
  gboolean b_int = !g_variant_is_of_type (b, G_VARIANT_TYPE_DOUBLE);
  gboolean a_big = g_variant_is_of_type (a, G_VARIANT_TYPE_UINT64);
  gboolean b_big = g_variant_is_of_type (b, G_VARIANT_TYPE_UINT64);
  double da, db;

  /* exact for integers, whatever their width and sign */
  if (a_int && b_int && !a_big && !b_big)
    {
      gint64 ia = g_variant_get_int64 (a), ib = g_variant_get_int64 (b);
      return (ia > ib) - (ia < ib);
    }
  if (a_big && b_big)
    {
      guint64 ua = g_variant_get_uint64 (a), ub = g_variant_get_uint64 (b);
      return (ua > ub) - (ua < ub);
    }
  if (a_int && b_int)   /* one uint64 */
    {
      GVariant *big = a_big ? a : b, *small = a_big ? b : a;
      gint64 s = g_variant_get_int64 (small);
      guint64 u = g_variant_get_uint64 (big);
      int sign = (s < 0 || (guint64) s < u) ? -1 : ((guint64) s > u);
      return a_big ? -sign : sign;
    }
  da = a_int ? (a_big ? (double) g_variant_get_uint64 (a) : (double) g_variant_get_int64 (a))
             : g_variant_get_double (a);
  db = b_int ? (b_big ? (double) g_variant_get_uint64 (b) : (double) g_variant_get_int64 (b))
             : g_variant_get_double (b);
  return (da > db) - (da < db);
}

/* The bid of @proposal as a number variant of one of the types
 * compare_bids reads (int64, uint64 or double), or NULL. */
static GVariant *
numeric_bid (JanusMessage *proposal)
{
  GVariant *bid = janus_message_get_body (proposal);
  g_autoptr(GVariant) inner = NULL;

  if (bid != NULL && g_variant_is_of_type (bid, G_VARIANT_TYPE_VARIANT))
    bid = inner = g_variant_get_variant (bid);
  if (bid == NULL)
    return NULL;
  switch (g_variant_classify (bid))
    {
    case G_VARIANT_CLASS_BYTE:   return g_variant_new_int64 (g_variant_get_byte (bid));
    case G_VARIANT_CLASS_INT16:  return g_variant_new_int64 (g_variant_get_int16 (bid));
    case G_VARIANT_CLASS_UINT16: return g_variant_new_int64 (g_variant_get_uint16 (bid));
    case G_VARIANT_CLASS_INT32:  return g_variant_new_int64 (g_variant_get_int32 (bid));
    case G_VARIANT_CLASS_UINT32: return g_variant_new_int64 (g_variant_get_uint32 (bid));
    case G_VARIANT_CLASS_HANDLE: return g_variant_new_int64 (g_variant_get_handle (bid));
    case G_VARIANT_CLASS_INT64:  return g_variant_new_int64 (g_variant_get_int64 (bid));
    case G_VARIANT_CLASS_UINT64: return g_variant_new_uint64 (g_variant_get_uint64 (bid));
    case G_VARIANT_CLASS_DOUBLE:
      return isnan (g_variant_get_double (bid)) ? NULL : g_variant_new_double (g_variant_get_double (bid));
    default:
      return NULL;
    }
}

static guint
janus_contract_net_initiator_real_select_proposal (JanusContractNetInitiator *self,
                                                   GPtrArray                 *proposals)
{
  g_autoptr(GVariant) best = NULL;
  guint chosen = G_MAXUINT, i;

  for (i = 0; i < proposals->len; i++)
    {
      g_autoptr(GVariant) bid = numeric_bid (proposals->pdata[i]);

      if (bid == NULL)
        continue;
      g_variant_ref_sink (bid);
      /* strictly smaller: on a tie the earlier proposal stays */
      if (best == NULL || compare_bids (bid, best) < 0)
        {
          g_clear_pointer (&best, g_variant_unref);
          best = g_steal_pointer (&bid);
          chosen = i;
        }
    }
  return chosen;
}

/**
 * janus_contract_net_initiator_select_proposal: (virtual select_proposal)
 * @self: an initiator
 * @proposals: (element-type JanusMessage): the `propose` messages of the
 *   open call, in the order they arrived (each one's body is the bid, its
 *   sender the participant)
 *
 * Chooses the proposal to accept. The role calls it in its step once every
 * asked participant answered and at least one proposed; override it to
 * choose otherwise. The default accepts the smallest numeric bid (of the
 * integer types or `d`, also inside a `v`), the earliest of equal bids;
 * proposals whose bid is not a number are never chosen.
 *
 * Returns: the index of the accepted proposal in @proposals, or
 *   `G_MAXUINT` to accept none (the call then finishes unsuccessfully)
 */
guint
janus_contract_net_initiator_select_proposal (JanusContractNetInitiator *self,
                                              GPtrArray                 *proposals)
{
  g_return_val_if_fail (JANUS_IS_CONTRACT_NET_INITIATOR (self), G_MAXUINT);
  g_return_val_if_fail (proposals != NULL, G_MAXUINT);

  return JANUS_CONTRACT_NET_INITIATOR_GET_CLASS (self)->select_proposal (self, proposals);
}

/**
 * janus_contract_net_initiator_get_state:
 * @self: an initiator
 *
 * Gets where the initiator is in its current call.
 *
 * Returns: the state
 */
JanusContractNetState
janus_contract_net_initiator_get_state (JanusContractNetInitiator *self)
{
  g_return_val_if_fail (JANUS_IS_CONTRACT_NET_INITIATOR (self), JANUS_CONTRACT_NET_STATE_IDLE);

  return PRIV (self)->state;
}

/**
 * janus_contract_net_initiator_get_n_asked:
 * @self: an initiator
 *
 * Gets how many participants the current (or last) call for proposals was
 * sent to.
 *
 * Returns: the number of participants asked
 */
guint
janus_contract_net_initiator_get_n_asked (JanusContractNetInitiator *self)
{
  g_return_val_if_fail (JANUS_IS_CONTRACT_NET_INITIATOR (self), 0);

  return PRIV (self)->n_asked;
}

/**
 * janus_contract_net_initiator_get_n_proposals:
 * @self: an initiator
 *
 * Gets how many proposals the current (or last) call received, withdrawn
 * ones (of participants that left) not counted.
 *
 * Returns: the number of proposals
 */
guint
janus_contract_net_initiator_get_n_proposals (JanusContractNetInitiator *self)
{
  g_return_val_if_fail (JANUS_IS_CONTRACT_NET_INITIATOR (self), 0);

  return PRIV (self)->n_proposals;
}

/**
 * janus_contract_net_initiator_get_n_refusals:
 * @self: an initiator
 *
 * Gets how many asked participants of the current (or last) call refused:
 * those that answered `refuse` and those that left the group or could not
 * be reached before the award.
 *
 * Returns: the number of refusals
 */
guint
janus_contract_net_initiator_get_n_refusals (JanusContractNetInitiator *self)
{
  g_return_val_if_fail (JANUS_IS_CONTRACT_NET_INITIATOR (self), 0);

  return PRIV (self)->n_refusals;
}

/* ------------------------------------------------------------- GObject */

/**
 * JanusContractNetInitiatorClass::finished:
 * @self: the initiator
 * @success: whether the winner performed the task
 * @result: (nullable): the result, or the reason of a failure
 * @winner: (nullable): the participant whose proposal was accepted
 *
 * The class closure of [signal@Janus.ContractNetInitiator::finished], which
 * states what the arguments are.
 */

static void
janus_contract_net_initiator_dispose (GObject *object)
{
  disconnect_watch (JANUS_CONTRACT_NET_INITIATOR (object));

  G_OBJECT_CLASS (janus_contract_net_initiator_parent_class)->dispose (object);
}

static void
janus_contract_net_initiator_finalize (GObject *object)
{
  JanusContractNetInitiatorPrivate *priv = PRIV (JANUS_CONTRACT_NET_INITIATOR (object));

  g_clear_pointer (&priv->task, g_variant_unref);
  g_clear_pointer (&priv->winner, janus_address_free);
  g_hash_table_unref (priv->answers);
  g_ptr_array_unref (priv->proposals);
  g_weak_ref_clear (&priv->kernel);

  G_OBJECT_CLASS (janus_contract_net_initiator_parent_class)->finalize (object);
}

static void
janus_contract_net_initiator_get_property (GObject    *object,
                                           guint       prop_id,
                                           GValue     *value,
                                           GParamSpec *pspec)
{
  JanusContractNetInitiator *self = JANUS_CONTRACT_NET_INITIATOR (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_enum (value, janus_contract_net_initiator_get_state (self));
      break;
    case PROP_N_ASKED:
      g_value_set_uint (value, janus_contract_net_initiator_get_n_asked (self));
      break;
    case PROP_N_PROPOSALS:
      g_value_set_uint (value, janus_contract_net_initiator_get_n_proposals (self));
      break;
    case PROP_N_REFUSALS:
      g_value_set_uint (value, janus_contract_net_initiator_get_n_refusals (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
janus_contract_net_initiator_class_init (JanusContractNetInitiatorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  JanusRoleClass *role_class = JANUS_ROLE_CLASS (klass);

  object_class->dispose = janus_contract_net_initiator_dispose;
  object_class->finalize = janus_contract_net_initiator_finalize;
  object_class->get_property = janus_contract_net_initiator_get_property;
  role_class->live = janus_contract_net_initiator_live;
  role_class->end = janus_contract_net_initiator_end;
  klass->select_proposal = janus_contract_net_initiator_real_select_proposal;

  /**
   * JanusContractNetInitiator:state: (attributes org.gtk.Property.get=janus_contract_net_initiator_get_state)
   *
   * Where the initiator is in its current call. Notified on the player's
   * thread when it changes.
   */
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, JANUS_TYPE_CONTRACT_NET_STATE,
                       JANUS_CONTRACT_NET_STATE_IDLE,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * JanusContractNetInitiator:n-asked: (attributes org.gtk.Property.get=janus_contract_net_initiator_get_n_asked)
   *
   * How many participants the current (or last) call was sent to.
   */
  properties[PROP_N_ASKED] =
    g_param_spec_uint ("n-asked", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * JanusContractNetInitiator:n-proposals: (attributes org.gtk.Property.get=janus_contract_net_initiator_get_n_proposals)
   *
   * How many proposals the current (or last) call received (withdrawn ones
   * not counted).
   */
  properties[PROP_N_PROPOSALS] =
    g_param_spec_uint ("n-proposals", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * JanusContractNetInitiator:n-refusals: (attributes org.gtk.Property.get=janus_contract_net_initiator_get_n_refusals)
   *
   * How many asked participants of the current (or last) call refused,
   * those that vanished before the award included. While collecting,
   * [class@Janus.ContractNetInitiator]:n-asked minus the proposals and refusals
   * is the number of answers still awaited.
   */
  properties[PROP_N_REFUSALS] =
    g_param_spec_uint ("n-refusals", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * JanusContractNetInitiator::finished:
   * @self: the initiator
   * @success: whether the winner performed the task (`inform-done`)
   * @result: (nullable): on success the winner's result (the body of its
   *   `inform-done`, `NULL` if it had none); after a `failure` its reason
   *   (a string variant); otherwise `NULL`
   * @winner: (nullable): the address of the participant whose proposal
   *   was accepted, `NULL` when none was
   *
   * Emitted exactly once per call for proposals, on the player's thread in
   * its step, when the call is over: the winner answered `inform-done` or
   * `failure`, or left; nobody proposed, or
   * [method@Janus.ContractNetInitiator.select_proposal] accepted nothing;
   * or the initiator's role was left with the call open. The initiator is
   * back in `JANUS_CONTRACT_NET_STATE_IDLE` when it is emitted: a handler
   * may call for proposals again.
   */
  signals[FINISHED] =
    g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  G_STRUCT_OFFSET (JanusContractNetInitiatorClass, finished),
                  NULL, NULL, NULL, G_TYPE_NONE, 3,
                  G_TYPE_BOOLEAN, G_TYPE_VARIANT, JANUS_TYPE_ADDRESS);
}

static void
janus_contract_net_initiator_init (JanusContractNetInitiator *self)
{
  JanusContractNetInitiatorPrivate *priv = PRIV (self);

  priv->answers = g_hash_table_new_full (janus_address_hash, janus_address_equal,
                                         (GDestroyNotify) janus_address_free, NULL);
  priv->proposals = g_ptr_array_new_with_free_func ((GDestroyNotify) janus_message_unref);
  g_weak_ref_init (&priv->kernel, NULL);
}
