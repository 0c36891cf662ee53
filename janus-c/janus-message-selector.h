/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined (JANUS_INSIDE) && !defined (JANUS_COMPILATION)
#error "Only <janus.h> can be included directly."
#endif

#include "janus-types.h"

G_BEGIN_DECLS

typedef struct _JanusMessageSelector JanusMessageSelector;

#define JANUS_TYPE_MESSAGE_SELECTOR (janus_message_selector_get_type ())

JANUS_AVAILABLE_IN_ALL
GType janus_message_selector_get_type (void) G_GNUC_CONST;

/**
 * JanusMessageSelectorFunc:
 * @message: a message in a mailbox
 * @user_data: the data given with the function
 *
 * Decides whether a [struct@Janus.MessageSelector] made with
 * [ctor@Janus.MessageSelector.new_func] selects @message. It runs on the
 * thread reading the mailbox (the agent's own step), must not change the
 * mailbox and must not keep @message beyond the call without a reference.
 *
 * Returns: `TRUE` to select @message
 */
typedef gboolean (*JanusMessageSelectorFunc) (JanusMessage *message,
                                              gpointer      user_data);

JANUS_AVAILABLE_IN_ALL
JanusMessageSelector *janus_message_selector_new_subject (const char               *subject) G_GNUC_WARN_UNUSED_RESULT;
JANUS_AVAILABLE_IN_ALL
JanusMessageSelector *janus_message_selector_new_sender  (const JanusAddress       *sender) G_GNUC_WARN_UNUSED_RESULT;
JANUS_AVAILABLE_IN_ALL
JanusMessageSelector *janus_message_selector_new_func    (JanusMessageSelectorFunc  func,
                                                          gpointer                  user_data,
                                                          GDestroyNotify            destroy) G_GNUC_WARN_UNUSED_RESULT;
JANUS_AVAILABLE_IN_ALL
JanusMessageSelector *janus_message_selector_ref         (JanusMessageSelector     *self);
JANUS_AVAILABLE_IN_ALL
void                  janus_message_selector_unref       (JanusMessageSelector     *self);
JANUS_AVAILABLE_IN_ALL
gboolean              janus_message_selector_matches     (JanusMessageSelector     *self,
                                                          JanusMessage             *message);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JanusMessageSelector, janus_message_selector_unref)

G_END_DECLS
