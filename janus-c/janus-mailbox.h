/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined (JANUS_INSIDE) && !defined (JANUS_COMPILATION)
#error "Only <janus.h> can be included directly."
#endif

#include "janus-types.h"
#include "janus-message-selector.h"

G_BEGIN_DECLS

JANUS_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (JanusMailbox, janus_mailbox, JANUS, MAILBOX, GObject)

/**
 * JanusMailboxIter:
 *
 * Walks the messages of a mailbox in reading order without taking them (see
 * [method@Janus.MailboxIter.init]). Allocate it on the stack; its fields are
 * private.
 */
typedef struct
{
  /*< private >*/
  gpointer dummy1;
  gpointer dummy2;
  gpointer dummy3;
  gpointer dummy4;
} JanusMailboxIter;

JANUS_AVAILABLE_IN_ALL
JanusAgent       *janus_mailbox_get_agent     (JanusMailbox     *self);
JANUS_AVAILABLE_IN_ALL
JanusMessage     *janus_mailbox_get_message   (JanusMailbox     *self) G_GNUC_WARN_UNUSED_RESULT;
JANUS_AVAILABLE_IN_ALL
JanusMessage     *janus_mailbox_peek_message  (JanusMailbox     *self);
JANUS_AVAILABLE_IN_ALL
GPtrArray        *janus_mailbox_get_messages  (JanusMailbox     *self) G_GNUC_WARN_UNUSED_RESULT;
JANUS_AVAILABLE_IN_ALL
GPtrArray        *janus_mailbox_peek_messages (JanusMailbox     *self) G_GNUC_WARN_UNUSED_RESULT;
JANUS_AVAILABLE_IN_ALL
gboolean          janus_mailbox_has_message   (JanusMailbox     *self);
JANUS_AVAILABLE_IN_ALL
guint             janus_mailbox_get_size      (JanusMailbox     *self);
JANUS_AVAILABLE_IN_ALL
JanusMessage     *janus_mailbox_wait_message  (JanusMailbox     *self,
                                               gint64            timeout_usec) G_GNUC_WARN_UNUSED_RESULT;
JANUS_AVAILABLE_IN_ALL
JanusMailboxKind  janus_mailbox_get_kind      (JanusMailbox     *self);
JANUS_AVAILABLE_IN_ALL
void              janus_mailbox_set_kind      (JanusMailbox     *self,
                                               JanusMailboxKind  kind);

JANUS_AVAILABLE_IN_ALL
JanusMessage     *janus_mailbox_get_message_matching   (JanusMailbox         *self,
                                                        JanusMessageSelector *selector) G_GNUC_WARN_UNUSED_RESULT;
JANUS_AVAILABLE_IN_ALL
JanusMessage     *janus_mailbox_peek_message_matching  (JanusMailbox         *self,
                                                        JanusMessageSelector *selector);
JANUS_AVAILABLE_IN_ALL
GPtrArray        *janus_mailbox_get_messages_matching  (JanusMailbox         *self,
                                                        JanusMessageSelector *selector) G_GNUC_WARN_UNUSED_RESULT;
JANUS_AVAILABLE_IN_ALL
GPtrArray        *janus_mailbox_peek_messages_matching (JanusMailbox         *self,
                                                        JanusMessageSelector *selector) G_GNUC_WARN_UNUSED_RESULT;
JANUS_AVAILABLE_IN_ALL
gboolean          janus_mailbox_has_message_matching   (JanusMailbox         *self,
                                                        JanusMessageSelector *selector);
JANUS_AVAILABLE_IN_ALL
JanusMessage     *janus_mailbox_wait_message_matching  (JanusMailbox         *self,
                                                        JanusMessageSelector *selector,
                                                        gint64                timeout_usec) G_GNUC_WARN_UNUSED_RESULT;
JANUS_AVAILABLE_IN_ALL
gboolean          janus_mailbox_contains      (JanusMailbox     *self,
                                               JanusMessage     *message);
JANUS_AVAILABLE_IN_ALL
gboolean          janus_mailbox_remove        (JanusMailbox     *self,
                                               JanusMessage     *message);
JANUS_AVAILABLE_IN_ALL
guint             janus_mailbox_remove_matching (JanusMailbox         *self,
                                                 JanusMessageSelector *selector);
JANUS_AVAILABLE_IN_ALL
guint             janus_mailbox_get_buffer_size (JanusMailbox   *self);
JANUS_AVAILABLE_IN_ALL
guint             janus_mailbox_clear_buffer  (JanusMailbox     *self);
JANUS_AVAILABLE_IN_ALL
void              janus_mailbox_synchronize   (JanusMailbox     *self);

JANUS_AVAILABLE_IN_ALL
void              janus_mailbox_iter_init     (JanusMailboxIter *iter,
                                               JanusMailbox     *mailbox);
JANUS_AVAILABLE_IN_ALL
gboolean          janus_mailbox_iter_next     (JanusMailboxIter *iter,
                                               JanusMessage    **message);
JANUS_AVAILABLE_IN_ALL
JanusMessage     *janus_mailbox_iter_steal    (JanusMailboxIter *iter) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
