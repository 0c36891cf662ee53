/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined (JANUS_INSIDE) && !defined (JANUS_COMPILATION)
#error "Only <janus.h> can be included directly."
#endif

#include <gio/gio.h>

#include "janus-types.h"
#include "janus-capacity-context.h"
#include "janus-message-selector.h"

G_BEGIN_DECLS

/**
 * JanusRoleTimerFunc:
 * @role: the role the timer belongs to
 * @user_data: the data given with the timer
 *
 * What a role's timer does when it is due ([method@Janus.Role.call_in]). It
 * runs in the player's step, like the role's `live`.
 */
typedef void (*JanusRoleTimerFunc) (JanusRole *role,
                                    gpointer   user_data);

/**
 * JanusRoleMessageFunc:
 * @role: the role
 * @message: a message addressed to @role, taken out of its mailbox (the
 *   caller releases it afterwards)
 * @user_data: the data given with the function
 *
 * What [method@Janus.Role.dispatch_messages] does with each message.
 */
typedef void (*JanusRoleMessageFunc) (JanusRole    *role,
                                      JanusMessage *message,
                                      gpointer      user_data);

JANUS_AVAILABLE_IN_ALL
G_DECLARE_DERIVABLE_TYPE (JanusRole, janus_role, JANUS, ROLE, GObject)

/**
 * JanusRoleClass:
 * @parent_class: the parent class
 * @activate: runs once when the role is taken
 *   ([method@Janus.Agent.request_role]), with the init data given there;
 *   return `FALSE` and set @error to refuse: the role is then not taken. The
 *   default accepts.
 * @live: one step of the role, called by its player's default `live` (the
 *   activator) whenever the role has a new message or asked to be stepped
 *   again. `JANUS_LIVE_DONE` leaves the role. The default returns
 *   `JANUS_LIVE_WAIT`.
 * @end: runs once when the role is left (or its player dies). The default
 *   does nothing.
 *
 * The class of roles. A role's virtual functions always run in its
 * player's step, never concurrently with the player or its other roles.
 */
struct _JanusRoleClass
{
  GObjectClass parent_class;

  gboolean  (*activate) (JanusRole  *self,
                         GVariant   *init,
                         GError    **error);
  JanusLive (*live)     (JanusRole  *self);
  void      (*end)      (JanusRole  *self);

  /*< private >*/
  gpointer rules;
  gpointer padding[8];
};

JANUS_AVAILABLE_IN_ALL
void                 janus_role_class_add_required_capacity (JanusRoleClass *klass,
                                                             GType           capacity_type);
JANUS_AVAILABLE_IN_ALL
void                 janus_role_class_add_obtain_condition  (JanusRoleClass *klass,
                                                             JanusCondition *condition);
JANUS_AVAILABLE_IN_ALL
void                 janus_role_class_add_leave_condition   (JanusRoleClass *klass,
                                                             JanusCondition *condition);
JANUS_AVAILABLE_IN_ALL
void                 janus_role_type_add_required_capacity  (GType           role_type,
                                                             GType           capacity_type);
JANUS_AVAILABLE_IN_ALL
void                 janus_role_type_add_obtain_condition   (GType           role_type,
                                                             JanusCondition *condition);
JANUS_AVAILABLE_IN_ALL
void                 janus_role_type_add_leave_condition    (GType           role_type,
                                                             JanusCondition *condition);

JANUS_AVAILABLE_IN_ALL
GPtrArray           *janus_role_class_list_obtain_conditions  (JanusRoleClass *klass) G_GNUC_WARN_UNUSED_RESULT;
JANUS_AVAILABLE_IN_ALL
GPtrArray           *janus_role_class_list_leave_conditions   (JanusRoleClass *klass) G_GNUC_WARN_UNUSED_RESULT;
JANUS_AVAILABLE_IN_ALL
gboolean             janus_role_class_remove_obtain_condition (JanusRoleClass *klass,
                                                               JanusCondition *condition);
JANUS_AVAILABLE_IN_ALL
gboolean             janus_role_class_remove_leave_condition  (JanusRoleClass *klass,
                                                               JanusCondition *condition);
JANUS_AVAILABLE_IN_ALL
GPtrArray           *janus_role_type_list_obtain_conditions   (GType           role_type) G_GNUC_WARN_UNUSED_RESULT;
JANUS_AVAILABLE_IN_ALL
GPtrArray           *janus_role_type_list_leave_conditions    (GType           role_type) G_GNUC_WARN_UNUSED_RESULT;
JANUS_AVAILABLE_IN_ALL
gboolean             janus_role_type_remove_obtain_condition  (GType           role_type,
                                                               JanusCondition *condition);
JANUS_AVAILABLE_IN_ALL
gboolean             janus_role_type_remove_leave_condition   (GType           role_type,
                                                               JanusCondition *condition);

JANUS_AVAILABLE_IN_ALL
JanusAgent          *janus_role_get_player          (JanusRole          *self);
JANUS_AVAILABLE_IN_ALL
JanusGroup          *janus_role_get_group           (JanusRole          *self);
JANUS_AVAILABLE_IN_ALL
gboolean             janus_role_is_played           (JanusRole          *self);
JANUS_AVAILABLE_IN_ALL
JanusMemory         *janus_role_get_memory          (JanusRole          *self);

JANUS_AVAILABLE_IN_ALL
JanusMessage        *janus_role_get_message         (JanusRole          *self) G_GNUC_WARN_UNUSED_RESULT;
JANUS_AVAILABLE_IN_ALL
JanusMessage        *janus_role_peek_message        (JanusRole          *self);
JANUS_AVAILABLE_IN_ALL
GPtrArray           *janus_role_get_messages        (JanusRole          *self) G_GNUC_WARN_UNUSED_RESULT;
JANUS_AVAILABLE_IN_ALL
GPtrArray           *janus_role_peek_messages       (JanusRole          *self) G_GNUC_WARN_UNUSED_RESULT;
JANUS_AVAILABLE_IN_ALL
gboolean             janus_role_has_message         (JanusRole          *self);
JANUS_AVAILABLE_IN_ALL
guint                janus_role_get_mailbox_size    (JanusRole          *self);
JANUS_AVAILABLE_IN_ALL
guint                janus_role_dispatch_messages   (JanusRole          *self,
                                                     JanusRoleMessageFunc func,
                                                     gpointer            user_data);
JANUS_AVAILABLE_IN_ALL
JanusMessage        *janus_role_wait_message        (JanusRole          *self,
                                                     gint64              timeout_usec) G_GNUC_WARN_UNUSED_RESULT;

JANUS_AVAILABLE_IN_ALL
JanusMessage        *janus_role_get_message_matching  (JanusRole            *self,
                                                       JanusMessageSelector *selector) G_GNUC_WARN_UNUSED_RESULT;
JANUS_AVAILABLE_IN_ALL
JanusMessage        *janus_role_peek_message_matching (JanusRole            *self,
                                                       JanusMessageSelector *selector);
JANUS_AVAILABLE_IN_ALL
GPtrArray           *janus_role_get_messages_matching (JanusRole            *self,
                                                       JanusMessageSelector *selector) G_GNUC_WARN_UNUSED_RESULT;
JANUS_AVAILABLE_IN_ALL
GPtrArray           *janus_role_peek_messages_matching (JanusRole           *self,
                                                        JanusMessageSelector *selector) G_GNUC_WARN_UNUSED_RESULT;
JANUS_AVAILABLE_IN_ALL
gboolean             janus_role_has_message_matching  (JanusRole            *self,
                                                       JanusMessageSelector *selector);
JANUS_AVAILABLE_IN_ALL
JanusMessage        *janus_role_wait_message_matching (JanusRole            *self,
                                                       JanusMessageSelector *selector,
                                                       gint64                timeout_usec) G_GNUC_WARN_UNUSED_RESULT;

JANUS_AVAILABLE_IN_ALL
gboolean             janus_role_send                (JanusRole          *self,
                                                     GType               receiver_role,
                                                     JanusMessage       *message,
                                                     JanusAddress      **out_receiver,
                                                     GError            **error);
JANUS_AVAILABLE_IN_ALL
gboolean             janus_role_broadcast           (JanusRole          *self,
                                                     GType               receiver_role,
                                                     JanusMessage       *message,
                                                     guint              *n_receivers,
                                                     GError            **error);
JANUS_AVAILABLE_IN_ALL
gboolean             janus_role_reply               (JanusRole          *self,
                                                     JanusMessage       *request,
                                                     JanusMessage       *reply,
                                                     GError            **error);
JANUS_AVAILABLE_IN_ALL
gboolean             janus_role_post                (JanusRole          *self,
                                                     JanusMessage       *message,
                                                     GError            **error);
JANUS_AVAILABLE_IN_ALL
gboolean             janus_role_forward             (JanusRole          *self,
                                                     GType               receiver_role,
                                                     JanusMessage       *message,
                                                     JanusAddress      **out_receiver,
                                                     GError            **error);

JANUS_AVAILABLE_IN_ALL
guint64              janus_role_call_in             (JanusRole          *self,
                                                     gint64              delay,
                                                     JanusRoleTimerFunc  func,
                                                     gpointer            user_data,
                                                     GDestroyNotify      destroy);
JANUS_AVAILABLE_IN_ALL
guint64              janus_role_call_at             (JanusRole          *self,
                                                     gint64              time,
                                                     JanusRoleTimerFunc  func,
                                                     gpointer            user_data,
                                                     GDestroyNotify      destroy);
JANUS_AVAILABLE_IN_ALL
gboolean             janus_role_cancel_timer        (JanusRole          *self,
                                                     guint64             timer_id);

JANUS_AVAILABLE_IN_ALL
gpointer             janus_role_get_capacity        (JanusRole          *self,
                                                     GType               capacity_type);
JANUS_AVAILABLE_IN_ALL
GVariant            *janus_role_invoke_capacity     (JanusRole          *self,
                                                     GType               capacity_type,
                                                     GVariant           *input,
                                                     GError            **error) G_GNUC_WARN_UNUSED_RESULT;
JANUS_AVAILABLE_IN_ALL
JanusCapacityContext *janus_role_call_capacity      (JanusRole          *self,
                                                     GType               capacity_type,
                                                     GVariant           *input,
                                                     GCancellable       *cancellable,
                                                     GError            **error) G_GNUC_WARN_UNUSED_RESULT;
JANUS_AVAILABLE_IN_ALL
void                 janus_role_invoke_capacity_async  (JanusRole          *self,
                                                        GType               capacity_type,
                                                        GVariant           *input,
                                                        GCancellable       *cancellable,
                                                        GAsyncReadyCallback callback,
                                                        gpointer            user_data);
JANUS_AVAILABLE_IN_ALL
GVariant            *janus_role_invoke_capacity_finish (JanusRole          *self,
                                                        GAsyncResult       *result,
                                                        GError            **error) G_GNUC_WARN_UNUSED_RESULT;
JANUS_AVAILABLE_IN_ALL
gboolean             janus_role_invoke_capacity_on_worker (JanusRole    *self,
                                                     GType               capacity_type,
                                                     GVariant           *input,
                                                     const char         *reply_subject,
                                                     GError            **error);

JANUS_AVAILABLE_IN_ALL
void                 janus_role_fail                (JanusRole          *self,
                                                     const GError       *error);

G_END_DECLS
