/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined (JANUS_INSIDE) && !defined (JANUS_COMPILATION)
#error "Only <janus.h> can be included directly."
#endif

#include "janus-types.h"

G_BEGIN_DECLS

JANUS_AVAILABLE_IN_ALL
GType janus_message_get_type (void) G_GNUC_CONST;


JANUS_AVAILABLE_IN_ALL
JanusMessage       *janus_message_new           (const char          *subject,
                                                 GVariant            *body) G_GNUC_WARN_UNUSED_RESULT;
JANUS_AVAILABLE_IN_ALL
JanusMessage       *janus_message_new_int64     (const char          *subject,
                                                 gint64               value) G_GNUC_WARN_UNUSED_RESULT;
JANUS_AVAILABLE_IN_ALL
JanusMessage       *janus_message_new_double    (const char          *subject,
                                                 gdouble              value);
JANUS_AVAILABLE_IN_ALL
JanusMessage       *janus_message_new_boolean   (const char          *subject,
                                                 gboolean             value);
JANUS_AVAILABLE_IN_ALL
JanusMessage       *janus_message_new_string    (const char          *subject,
                                                 const char          *value);
JANUS_AVAILABLE_IN_ALL
JanusMessage       *janus_message_new_values    (const char          *subject,
                                                 const char          *format,
                                                 ...);
JANUS_AVAILABLE_IN_ALL
JanusMessage       *janus_message_new_from_data (const char          *subject,
                                                 const char          *type_string,
                                                 gconstpointer        data,
                                                 gsize                size);
JANUS_AVAILABLE_IN_ALL
JanusMessage       *janus_message_new_pointer   (const char          *subject,
                                                 gpointer             data,
                                                 GDestroyNotify       destroy) G_GNUC_WARN_UNUSED_RESULT;
JANUS_AVAILABLE_IN_ALL
JanusMessage       *janus_message_copy          (JanusMessage        *message) G_GNUC_WARN_UNUSED_RESULT;
JANUS_AVAILABLE_IN_ALL
JanusMessage       *janus_message_ref           (JanusMessage        *message);
JANUS_AVAILABLE_IN_ALL
void                janus_message_unref         (JanusMessage        *message);

JANUS_AVAILABLE_IN_ALL
const char         *janus_message_get_subject   (JanusMessage        *message);
JANUS_AVAILABLE_IN_ALL
gboolean            janus_message_has_subject   (JanusMessage        *message,
                                                 const char          *subject);
JANUS_AVAILABLE_IN_ALL
GVariant           *janus_message_get_body      (JanusMessage        *message);
JANUS_AVAILABLE_IN_ALL
const char         *janus_message_get_body_type (JanusMessage        *message);
JANUS_AVAILABLE_IN_ALL
gconstpointer       janus_message_get_body_data (JanusMessage        *message,
                                                 const char         **type_string,
                                                 gsize               *size);
JANUS_AVAILABLE_IN_ALL
gboolean            janus_message_has_body_type (JanusMessage        *message,
                                                 const char          *type_string);
JANUS_AVAILABLE_IN_ALL
gboolean            janus_message_get_values    (JanusMessage        *message,
                                                 const char          *format,
                                                 ...);
JANUS_AVAILABLE_IN_ALL
gboolean            janus_message_get_int64     (JanusMessage        *message,
                                                 gint64              *value);
JANUS_AVAILABLE_IN_ALL
gboolean            janus_message_get_double    (JanusMessage        *message,
                                                 gdouble             *value);
JANUS_AVAILABLE_IN_ALL
gboolean            janus_message_get_boolean   (JanusMessage        *message,
                                                 gboolean            *value);
JANUS_AVAILABLE_IN_ALL
gboolean            janus_message_get_string    (JanusMessage        *message,
                                                 const char         **value);
JANUS_AVAILABLE_IN_ALL
gpointer            janus_message_get_pointer   (JanusMessage        *message);
JANUS_AVAILABLE_IN_ALL
const JanusAddress *janus_message_get_sender    (JanusMessage        *message);
JANUS_AVAILABLE_IN_ALL
const JanusAddress *janus_message_get_receiver  (JanusMessage        *message);
JANUS_AVAILABLE_IN_ALL
gint64              janus_message_get_timestamp (JanusMessage        *message);
JANUS_AVAILABLE_IN_ALL
int                 janus_message_get_priority  (JanusMessage        *message);
JANUS_AVAILABLE_IN_ALL
void                janus_message_set_priority  (JanusMessage        *message,
                                                 int                  priority);
JANUS_AVAILABLE_IN_ALL
gboolean            janus_message_is_sent       (JanusMessage        *message);
JANUS_AVAILABLE_IN_ALL
JanusGroup         *janus_message_dup_group     (JanusMessage        *message) G_GNUC_WARN_UNUSED_RESULT;
JANUS_AVAILABLE_IN_ALL
GType               janus_message_get_sender_role   (JanusMessage    *message);
JANUS_AVAILABLE_IN_ALL
GType               janus_message_get_receiver_role (JanusMessage    *message);
JANUS_AVAILABLE_IN_ALL
GVariant           *janus_message_get_capacity_result (JanusMessage  *message,
                                                 GError             **error) G_GNUC_WARN_UNUSED_RESULT;

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JanusMessage, janus_message_unref)

G_END_DECLS
