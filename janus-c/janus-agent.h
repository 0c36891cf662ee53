/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined (JANUS_INSIDE) && !defined (JANUS_COMPILATION)
#error "Only <janus.h> can be included directly."
#endif

#include "janus-types.h"
#include "janus-message-selector.h"

G_BEGIN_DECLS

/**
 * JanusTimerFunc:
 * @agent: the agent the timer belongs to
 * @user_data: the data given with the timer
 *
 * What a timer does when it is due ([method@Janus.Agent.call_in],
 * [method@Janus.Agent.call_at]). It runs in the agent's step, never
 * concurrently with its `live` or its roles, like the rest of its code.
 */
typedef void (*JanusTimerFunc) (JanusAgent *agent,
                                gpointer    user_data);

JANUS_AVAILABLE_IN_ALL
G_DECLARE_DERIVABLE_TYPE (JanusAgent, janus_agent, JANUS, AGENT, GObject)

/**
 * JanusAgentClass:
 * @parent_class: the parent class
 * @activate: runs once when the agent starts (state BORN), before any `live`,
 *   with the launch parameters (`NULL` when none were given: the argument is
 *   nullable). Return `FALSE` and
 *   set @error to refuse to start: the agent then dies (its `end` runs) and
 *   the kernel reports the error through [signal@Janus.Kernel::agent-failed].
 *   The default accepts any parameters.
 * @live: one step of the agent's behaviour (state ALIVE), called whenever the
 *   agent is runnable: after `activate`, then when a message arrives, a timer
 *   is due or it was woken — or at once again if the previous step returned
 *   `JANUS_LIVE_AGAIN`. A light agent must not block in it. The default returns
 *   `JANUS_LIVE_WAIT`.
 * @end: runs once when the agent dies (state BREAKING_DOWN), after its last
 *   `live`; it may still read its mailbox and send. The default does nothing.
 *
 * The class of agents. Override the virtual functions to give an agent its
 * behaviour; never call them directly: the kernel does.
 */
struct _JanusAgentClass
{
  GObjectClass parent_class;

  gboolean  (*activate) (JanusAgent  *self,
                         GVariant    *parameters,
                         GError     **error);
  JanusLive (*live)     (JanusAgent  *self);
  void      (*end)      (JanusAgent  *self);

  /*< private >*/
  GVariantType *activation_prototype;
  gpointer padding[8];
};

JANUS_AVAILABLE_IN_ALL
void                 janus_agent_class_set_activation_prototype (JanusAgentClass    *klass,
                                                                 const char         *type_string);
JANUS_AVAILABLE_IN_ALL
void                 janus_agent_type_set_activation_prototype  (GType               agent_type,
                                                                 const char         *type_string);
JANUS_AVAILABLE_IN_ALL
const GVariantType  *janus_agent_get_activation_prototype       (JanusAgent         *self);

JANUS_AVAILABLE_IN_ALL
JanusAgentState      janus_agent_get_state          (JanusAgent          *self);
JANUS_AVAILABLE_IN_ALL
const JanusAddress  *janus_agent_get_address        (JanusAgent          *self);
JANUS_AVAILABLE_IN_ALL
JanusKernel         *janus_agent_get_kernel         (JanusAgent          *self);
JANUS_AVAILABLE_IN_ALL
const char          *janus_agent_get_name           (JanusAgent          *self);
JANUS_AVAILABLE_IN_ALL
gboolean             janus_agent_is_heavy           (JanusAgent          *self);
JANUS_AVAILABLE_IN_ALL
gboolean             janus_agent_is_alive           (JanusAgent          *self);

JANUS_AVAILABLE_IN_ALL
gboolean             janus_agent_send               (JanusAgent          *self,
                                                     const JanusAddress  *receiver,
                                                     JanusMessage        *message,
                                                     GError             **error);
JANUS_AVAILABLE_IN_ALL
gboolean             janus_agent_send_random        (JanusAgent          *self,
                                                     const JanusAddress **receivers,
                                                     guint                n_receivers,
                                                     JanusMessage        *message,
                                                     JanusAddress       **out_receiver,
                                                     GError             **error);
JANUS_AVAILABLE_IN_ALL
gboolean             janus_agent_forward            (JanusAgent          *self,
                                                     JanusMessage        *message,
                                                     const JanusAddress  *receiver,
                                                     GError             **error);
JANUS_AVAILABLE_IN_ALL
gboolean             janus_agent_forward_broadcast  (JanusAgent          *self,
                                                     JanusMessage        *message,
                                                     const JanusAddress **receivers,
                                                     guint                n_receivers,
                                                     GError             **error);
JANUS_AVAILABLE_IN_ALL
gboolean             janus_agent_broadcast_local    (JanusAgent          *self,
                                                     JanusMessage        *message,
                                                     guint               *out_count,
                                                     GError             **error);
JANUS_AVAILABLE_IN_ALL
gboolean             janus_agent_broadcast          (JanusAgent          *self,
                                                     const JanusAddress **receivers,
                                                     guint                n_receivers,
                                                     JanusMessage        *message,
                                                     GError             **error);
JANUS_AVAILABLE_IN_ALL
gboolean             janus_agent_reply              (JanusAgent          *self,
                                                     JanusMessage        *request,
                                                     JanusMessage        *reply,
                                                     GError             **error);

JANUS_AVAILABLE_IN_ALL
JanusMailbox        *janus_agent_get_mailbox        (JanusAgent          *self);
JANUS_AVAILABLE_IN_ALL
JanusMessage        *janus_agent_get_message        (JanusAgent          *self) G_GNUC_WARN_UNUSED_RESULT;
JANUS_AVAILABLE_IN_ALL
JanusMessage        *janus_agent_peek_message       (JanusAgent          *self);
JANUS_AVAILABLE_IN_ALL
GPtrArray           *janus_agent_get_messages       (JanusAgent          *self) G_GNUC_WARN_UNUSED_RESULT;
JANUS_AVAILABLE_IN_ALL
GPtrArray           *janus_agent_peek_messages      (JanusAgent          *self) G_GNUC_WARN_UNUSED_RESULT;
JANUS_AVAILABLE_IN_ALL
gboolean             janus_agent_has_message        (JanusAgent          *self);
JANUS_AVAILABLE_IN_ALL
guint                janus_agent_get_mailbox_size   (JanusAgent          *self);
JANUS_AVAILABLE_IN_ALL
JanusMessage        *janus_agent_wait_message       (JanusAgent          *self,
                                                     gint64               timeout_usec) G_GNUC_WARN_UNUSED_RESULT;
JANUS_AVAILABLE_IN_ALL
JanusMessage        *janus_agent_get_message_matching  (JanusAgent           *self,
                                                        JanusMessageSelector *selector) G_GNUC_WARN_UNUSED_RESULT;
JANUS_AVAILABLE_IN_ALL
JanusMessage        *janus_agent_peek_message_matching (JanusAgent           *self,
                                                        JanusMessageSelector *selector);
JANUS_AVAILABLE_IN_ALL
GPtrArray           *janus_agent_get_messages_matching (JanusAgent           *self,
                                                        JanusMessageSelector *selector) G_GNUC_WARN_UNUSED_RESULT;
JANUS_AVAILABLE_IN_ALL
GPtrArray           *janus_agent_peek_messages_matching (JanusAgent          *self,
                                                         JanusMessageSelector *selector) G_GNUC_WARN_UNUSED_RESULT;
JANUS_AVAILABLE_IN_ALL
gboolean             janus_agent_has_message_matching  (JanusAgent           *self,
                                                        JanusMessageSelector *selector);
JANUS_AVAILABLE_IN_ALL
JanusMessage        *janus_agent_wait_message_matching (JanusAgent           *self,
                                                        JanusMessageSelector *selector,
                                                        gint64                timeout_usec) G_GNUC_WARN_UNUSED_RESULT;
JANUS_AVAILABLE_IN_ALL
JanusMailboxKind     janus_agent_get_mailbox_kind   (JanusAgent          *self);
JANUS_AVAILABLE_IN_ALL
void                 janus_agent_set_mailbox_kind   (JanusAgent          *self,
                                                     JanusMailboxKind     kind);

JANUS_AVAILABLE_IN_ALL
void                 janus_agent_kill_me            (JanusAgent          *self);
JANUS_AVAILABLE_IN_ALL
void                 janus_agent_fail               (JanusAgent          *self,
                                                     const GError        *error);
JANUS_AVAILABLE_IN_ALL
gboolean             janus_agent_kill               (JanusAgent          *self,
                                                     JanusAgent          *other,
                                                     GError             **error);
JANUS_AVAILABLE_IN_ALL
void                 janus_agent_wake               (JanusAgent          *self);
JANUS_AVAILABLE_IN_ALL
void                 janus_agent_pause              (JanusAgent          *self);
JANUS_AVAILABLE_IN_ALL
void                 janus_agent_resume             (JanusAgent          *self);
JANUS_AVAILABLE_IN_ALL
gboolean             janus_agent_is_paused          (JanusAgent          *self);
JANUS_AVAILABLE_IN_ALL
JanusAddress        *janus_agent_dup_creator        (JanusAgent          *self) G_GNUC_WARN_UNUSED_RESULT;

JANUS_AVAILABLE_IN_ALL
guint64              janus_agent_call_in            (JanusAgent          *self,
                                                     gint64               delay,
                                                     JanusTimerFunc       func,
                                                     gpointer             user_data,
                                                     GDestroyNotify       destroy);
JANUS_AVAILABLE_IN_ALL
guint64              janus_agent_call_at            (JanusAgent          *self,
                                                     gint64               time,
                                                     JanusTimerFunc       func,
                                                     gpointer             user_data,
                                                     GDestroyNotify       destroy);
JANUS_AVAILABLE_IN_ALL
gboolean             janus_agent_cancel_timer       (JanusAgent          *self,
                                                     guint64              timer_id);
JANUS_AVAILABLE_IN_ALL
guint                janus_agent_get_timer_count    (JanusAgent          *self);
JANUS_AVAILABLE_IN_ALL
void                 janus_agent_sleep              (JanusAgent          *self,
                                                     gint64               duration);
JANUS_AVAILABLE_IN_ALL
gboolean             janus_agent_is_sleeping        (JanusAgent          *self);

JANUS_AVAILABLE_IN_ALL
JanusRole           *janus_agent_request_role       (JanusAgent          *self,
                                                     GType                role_type,
                                                     JanusGroup          *group,
                                                     GVariant            *init,
                                                     GError             **error);
JANUS_AVAILABLE_IN_ALL
gboolean             janus_agent_leave_role         (JanusAgent          *self,
                                                     GType                role_type,
                                                     JanusGroup          *group,
                                                     GError             **error);
JANUS_AVAILABLE_IN_ALL
guint                janus_agent_leave_all_roles    (JanusAgent          *self,
                                                     JanusGroup          *group);
JANUS_AVAILABLE_IN_ALL
JanusRole           *janus_agent_get_role           (JanusAgent          *self,
                                                     GType                role_type,
                                                     JanusGroup          *group);
JANUS_AVAILABLE_IN_ALL
GPtrArray           *janus_agent_list_roles         (JanusAgent          *self) G_GNUC_WARN_UNUSED_RESULT;
JANUS_AVAILABLE_IN_ALL
gboolean             janus_agent_get_end_when_no_role (JanusAgent        *self);
JANUS_AVAILABLE_IN_ALL
void                 janus_agent_set_end_when_no_role (JanusAgent        *self,
                                                     gboolean             end_when_no_role);
JANUS_AVAILABLE_IN_ALL
gboolean             janus_agent_send_to_role       (JanusAgent          *self,
                                                     JanusGroup          *group,
                                                     GType                sender_role,
                                                     GType                receiver_role,
                                                     const JanusAddress  *receiver,
                                                     JanusMessage        *message,
                                                     JanusAddress       **out_receiver,
                                                     GError             **error);

JANUS_AVAILABLE_IN_ALL
void                 janus_agent_add_capacity       (JanusAgent          *self,
                                                     GType                capacity_type,
                                                     gpointer             implementation);
JANUS_AVAILABLE_IN_ALL
gpointer             janus_agent_get_capacity       (JanusAgent          *self,
                                                     GType                capacity_type);
JANUS_AVAILABLE_IN_ALL
void                 janus_agent_add_capacity_implementation    (JanusAgent *self,
                                                                 GType       capacity_type,
                                                                 gpointer    implementation);
JANUS_AVAILABLE_IN_ALL
gboolean             janus_agent_remove_capacity                (JanusAgent *self,
                                                                 GType       capacity_type);
JANUS_AVAILABLE_IN_ALL
gboolean             janus_agent_remove_capacity_implementation (JanusAgent *self,
                                                                 GType       capacity_type,
                                                                 gpointer    implementation);
JANUS_AVAILABLE_IN_ALL
GPtrArray           *janus_agent_list_capacity_implementations  (JanusAgent *self,
                                                                 GType       capacity_type) G_GNUC_WARN_UNUSED_RESULT;
JANUS_AVAILABLE_IN_ALL
JanusCapacityPolicy  janus_agent_get_capacity_policy            (JanusAgent *self);
JANUS_AVAILABLE_IN_ALL
void                 janus_agent_set_capacity_policy            (JanusAgent          *self,
                                                                 JanusCapacityPolicy  policy);

JANUS_AVAILABLE_IN_ALL
JanusMemory         *janus_agent_get_memory         (JanusAgent          *self);
JANUS_AVAILABLE_IN_ALL
void                 janus_agent_set_memory         (JanusAgent          *self,
                                                     JanusMemory         *memory);

G_END_DECLS
