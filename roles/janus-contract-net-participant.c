/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "janus-address.h"
#include "janus-contract-net-participant.h"
#include "janus-contract-net-private.h"
#include "janus-message.h"

/**
 * JanusContractNetParticipant:
 *
 * The contractor of the FIPA contract-net protocol
 * ([class@Janus.ContractNetOrganization]): it answers each call for
 * proposals of the group's [class@Janus.ContractNetInitiator] with a bid or
 * a refusal, and performs the task when its proposal is accepted.
 *
 * Subclass it and override two virtual functions:
 *
 * - `propose` gets the task of a `cfp` and returns the bid (sent back in a
 *   `propose` message) or `NULL` to `refuse`;
 * - `perform` gets the task once the proposal was accepted and returns the
 *   result (sent back in `inform-done`), or sets an error (sent back as a
 *   `failure` whose body is the error's message).
 *
 * ```c
 * static GVariant *
 * seller_propose (JanusContractNetParticipant *role,
 *                 GVariant                    *task)
 * {
 *   Seller *self = SELLER (role);
 *   const char *item;
 *   gint32 quantity;
 *
 *   g_variant_get (task, "(&si)", &item, &quantity);
 *   if (quantity > self->stock)
 *     return NULL;                                   // refuse
 *   return g_variant_new_double (quantity * self->price);   // the bid
 * }
 * ```
 *
 * The answers go with [method@Janus.Role.reply], into the initiator role's
 * mailbox. The participant remembers the task of each proposal until the
 * initiator accepts or rejects it. Messages of other subjects are dropped.
 * When the role is left (or its player dies) with a call for proposals or
 * an acceptance still unread, it answers `refuse` or `failure` in its `end`,
 * so the initiator does not wait for it; the initiator also copes with
 * participants that vanish without a word.
 *
 * The virtual functions run in the player's step, like the role's `live`.
 */

typedef struct
{
  /* the player's step only */
  GHashTable *open;     /* JanusAddress* initiator → GVariant* task (nullable):
                         * proposals awaiting acceptance or rejection */
} JanusContractNetParticipantPrivate;

G_DEFINE_TYPE_WITH_PRIVATE (JanusContractNetParticipant, janus_contract_net_participant,
                            JANUS_TYPE_ROLE)

#define PRIV(self) ((JanusContractNetParticipantPrivate *) \
                    janus_contract_net_participant_get_instance_private (self))

static void
variant_unref0 (gpointer variant)
{
  if (variant != NULL)
    g_variant_unref (variant);
}

/**
 * janus_contract_net_participant_propose: (virtual propose)
 * @self: a participant
 * @task: (nullable): the task of the call for proposals
 *
 * Asks the participant for its bid on @task. The role calls it for each
 * `cfp` it receives; call it yourself only from the player's step.
 *
 * Returns: (transfer full) (nullable): the bid, or `NULL` to refuse
 */
GVariant *
janus_contract_net_participant_propose (JanusContractNetParticipant *self,
                                        GVariant                    *task)
{
  GVariant *bid;

  g_return_val_if_fail (JANUS_IS_CONTRACT_NET_PARTICIPANT (self), NULL);

  bid = JANUS_CONTRACT_NET_PARTICIPANT_GET_CLASS (self)->propose (self, task);
  /* an implementation may hand back a floating variant */
  return bid ? g_variant_take_ref (bid) : NULL;
}

/**
 * janus_contract_net_participant_perform: (virtual perform)
 * @self: a participant
 * @task: (nullable): the task of the accepted proposal
 * @error: return location for a [struct@GLib.Error]
 *
 * Performs @task. The role calls it when its proposal is accepted; call it
 * yourself only from the player's step.
 *
 * Returns: (transfer full) (nullable): the result (`NULL` for none), or
 *   `NULL` with @error set when the task failed
 */
GVariant *
janus_contract_net_participant_perform (JanusContractNetParticipant  *self,
                                        GVariant                     *task,
                                        GError                      **error)
{
  GVariant *result;

  g_return_val_if_fail (JANUS_IS_CONTRACT_NET_PARTICIPANT (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  result = JANUS_CONTRACT_NET_PARTICIPANT_GET_CLASS (self)->perform (self, task, error);
  return result ? g_variant_take_ref (result) : NULL;
}

/* Answers @request from the initiator role with @subject and @body. */
static void
answer (JanusContractNetParticipant *self,
        JanusMessage                *request,
        const char                  *subject,
        GVariant                    *body)
{
  g_autoptr(GError) error = NULL;

  if (!janus_role_reply (JANUS_ROLE (self), request, janus_message_new (subject, body), &error))
    g_debug ("contract-net participant %s cannot answer “%s”: %s",
             G_OBJECT_TYPE_NAME (self), subject, error->message);
}

static void
on_cfp (JanusContractNetParticipant *self,
        JanusMessage                *cfp)
{
  GVariant *task = janus_message_get_body (cfp);
  const JanusAddress *initiator = janus_message_get_sender (cfp);
  g_autoptr(GVariant) bid = janus_contract_net_participant_propose (self, task);

  if (bid == NULL)
    {
      g_hash_table_remove (PRIV (self)->open, initiator);
      answer (self, cfp, JANUS_CONTRACT_NET_REFUSE, NULL);
      return;
    }
  g_hash_table_replace (PRIV (self)->open, janus_address_copy (initiator),
                        task ? g_variant_ref (task) : NULL);
  answer (self, cfp, JANUS_CONTRACT_NET_PROPOSE, bid);
}

static void
on_accept (JanusContractNetParticipant *self,
           JanusMessage                *accept)
{
  g_autoptr(GVariant) task = NULL;
  g_autoptr(GVariant) result = NULL;
  g_autoptr(GError) error = NULL;
  gpointer key, remembered;

  /* the task it bid on; the acceptance carries it too */
  if (g_hash_table_steal_extended (PRIV (self)->open, janus_message_get_sender (accept),
                                   &key, &remembered))
    {
      janus_address_free (key);
      task = remembered;
    }
  else if (janus_message_get_body (accept) != NULL)
    task = g_variant_ref (janus_message_get_body (accept));

  result = janus_contract_net_participant_perform (self, task, &error);
  if (error != NULL)
    answer (self, accept, JANUS_CONTRACT_NET_FAILURE, g_variant_new_string (error->message));
  else
    answer (self, accept, JANUS_CONTRACT_NET_INFORM_DONE, result);
}

static void
dispatch (JanusRole    *role,
          JanusMessage *message,
          gpointer      user_data)
{
  JanusContractNetParticipant *self = JANUS_CONTRACT_NET_PARTICIPANT (role);

  if (janus_message_has_subject (message, JANUS_CONTRACT_NET_CFP))
    on_cfp (self, message);
  else if (janus_message_has_subject (message, JANUS_CONTRACT_NET_ACCEPT_PROPOSAL))
    on_accept (self, message);
  else if (janus_message_has_subject (message, JANUS_CONTRACT_NET_REJECT_PROPOSAL))
    g_hash_table_remove (PRIV (self)->open, janus_message_get_sender (message));
  else
    g_debug ("contract-net participant %s drops a message “%s”",
             G_OBJECT_TYPE_NAME (self), janus_message_get_subject (message));
}

static JanusLive
janus_contract_net_participant_live (JanusRole *role)
{
  janus_role_dispatch_messages (role, dispatch, NULL);
  return JANUS_LIVE_WAIT;
}

/* Leaving with requests unread: answer them, so the initiator need not
 * find out that this participant is gone. */
static void
janus_contract_net_participant_end (JanusRole *role)
{
  JanusContractNetParticipant *self = JANUS_CONTRACT_NET_PARTICIPANT (role);
  g_autoptr(GPtrArray) unread = janus_role_get_messages (role);
  guint i;

  for (i = 0; i < unread->len; i++)
    {
      JanusMessage *m = unread->pdata[i];

      if (janus_message_has_subject (m, JANUS_CONTRACT_NET_CFP))
        answer (self, m, JANUS_CONTRACT_NET_REFUSE, NULL);
      else if (janus_message_has_subject (m, JANUS_CONTRACT_NET_ACCEPT_PROPOSAL))
        answer (self, m, JANUS_CONTRACT_NET_FAILURE,
                g_variant_new_string ("the participant left before performing the task"));
    }
  g_hash_table_remove_all (PRIV (self)->open);

  JANUS_ROLE_CLASS (janus_contract_net_participant_parent_class)->end (role);
}

static GVariant *
janus_contract_net_participant_real_propose (JanusContractNetParticipant *self,
                                             GVariant                    *task)
{
  return NULL;
}

static GVariant *
janus_contract_net_participant_real_perform (JanusContractNetParticipant  *self,
                                             GVariant                     *task,
                                             GError                      **error)
{
  return NULL;
}

static void
janus_contract_net_participant_finalize (GObject *object)
{
  JanusContractNetParticipant *self = JANUS_CONTRACT_NET_PARTICIPANT (object);

  g_hash_table_unref (PRIV (self)->open);

  G_OBJECT_CLASS (janus_contract_net_participant_parent_class)->finalize (object);
}

static void
janus_contract_net_participant_class_init (JanusContractNetParticipantClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  JanusRoleClass *role_class = JANUS_ROLE_CLASS (klass);

  object_class->finalize = janus_contract_net_participant_finalize;
  role_class->live = janus_contract_net_participant_live;
  role_class->end = janus_contract_net_participant_end;
  klass->propose = janus_contract_net_participant_real_propose;
  klass->perform = janus_contract_net_participant_real_perform;
}

static void
janus_contract_net_participant_init (JanusContractNetParticipant *self)
{
  PRIV (self)->open = g_hash_table_new_full (janus_address_hash, janus_address_equal,
                                             (GDestroyNotify) janus_address_free,
                                             variant_unref0);
}
