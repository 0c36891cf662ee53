/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdatomic.h>

#include "janus-message.h"
#include "janus-address-private.h"

G_BEGIN_DECLS

typedef enum {
  JANUS_BODY_NONE,
  JANUS_BODY_VARIANT,
  JANUS_BODY_INLINE,            /* a small value stored in the message */
  JANUS_BODY_POINTER,
} JanusBodyKind;

enum {
  JANUS_MESSAGE_BODY_MASK    = 0x3,
  JANUS_MESSAGE_SENT         = 1 << 2,  /* immutable from now on */
  JANUS_MESSAGE_SUBJECT_HEAP = 1 << 3,  /* subject was g_strdup'ed */
  JANUS_MESSAGE_INTERNAL     = 1 << 4,  /* a due timer on its way to its agent */
  JANUS_MESSAGE_ROUTED       = 1 << 5,  /* has a route: a role message */
  JANUS_MESSAGE_TASK         = 1 << 6,  /* carries work to its agent's turn */
  JANUS_MESSAGE_FLAGS_LIMIT  = 1 << 8,  /* the flags are one byte */
};

#define JANUS_MESSAGE_INLINE_SUBJECT 16

/* Inline bodies: values of a GVariant type made of basic fixed-size types
 * (b y n q i u x t h d), alone or in one tuple, or a string, whose
 * serialised form fits JANUS_MESSAGE_INLINE_BODY bytes and whose type
 * string has at most JANUS_MESSAGE_INLINE_TYPE characters. The bytes are
 * that serialised form (GVariant's normal form: natural alignment, zero
 * padding), so the GVariant, when asked for, is made from them as they are.
 *
 * Until then `body` holds the type, tagged: bit 0 set, the type string's
 * characters in bytes 1 to 6, byte 7 zero. */
#define JANUS_MESSAGE_INLINE_BODY 16
#define JANUS_MESSAGE_INLINE_TYPE 6
#define JANUS_MESSAGE_BODY_TAG    ((guintptr) 1)

/* The tagged word of a one-character type such as 'x'. */
#define JANUS_MESSAGE_INLINE_TAG1(c) (JANUS_MESSAGE_BODY_TAG | ((guintptr) (guchar) (c) << 8))

/* What a role message carries beyond a direct one; shared (reference
 * counted, immutable) by the copies of a broadcast. */
typedef struct
{
  atomic_uint ref_count;
  guint64     group_id;         /* per kernel, never reused */
  GType       sender_role;
  GType       receiver_role;
  guint64     receiver_serial;  /* one role instance only (a post), or 0 */
} JanusMessageRoute;

/* 128 bytes: two cache lines. Messages are recycled through per-thread
 * caches (janus-message.c), so a send allocates nothing in steady state.
 *
 * The first line holds what a receiver reads of an ordinary message: the
 * link, the reference count, the flags, the subject and the body. The
 * second holds what the sender seals in (addresses, time) and a role
 * message's route: a receiver that does not ask for them never loads that
 * line, so a message costs it one cache miss, not two, and the line stays
 * with the sending thread when the message is reused.
 *
 * Ownership: before it is sent a message belongs to whoever holds a
 * reference; sending transfers the sender's reference to the receiver's
 * mailbox, and `next` then belongs to the mailbox (the inbox's senders while
 * it sits in the shared stack, the receiving agent's turn afterwards).
 * Everything else is written before the send and only read afterwards. */
struct _JanusMessage
{
  /* line 1: what every receiver reads */
  JanusMessage   *next;
  atomic_uint     ref_count;
  guint8          flags;
  guint8          alloc_offset;     /* where its memory starts: so many
                                     * bytes below (janus-message.c) */
  gint16          priority;
  const char     *subject;
  /* JANUS_BODY_VARIANT: the GVariant (owned). JANUS_BODY_INLINE: the
   * inline body's tagged type, replaced (once, by a CAS) with the GVariant
   * made from `v` the first time someone asks for it; `v` stays valid. */
  atomic_uintptr_t body;
  union {
    gint64        v_int;
    struct {                        /* JANUS_BODY_POINTER */
      gpointer       data;
      GDestroyNotify destroy;
    };
    guint8        bytes[JANUS_MESSAGE_INLINE_BODY];  /* JANUS_BODY_INLINE */
  } v;
  char            subject_inline[JANUS_MESSAGE_INLINE_SUBJECT];
  /* line 2: sealed by the sender; the route of a role message (set only
   * with janus_message_take_route, which marks it in the flags) */
  JanusMessageRoute *route;
  JanusAddress    sender;
  JanusAddress    receiver;
  gint64          timestamp;
};

G_STATIC_ASSERT (sizeof (gpointer) == 8);
G_STATIC_ASSERT (sizeof (JanusMessage) == 128);
G_STATIC_ASSERT (JANUS_MESSAGE_TASK < JANUS_MESSAGE_FLAGS_LIMIT);
/* the allocation's alignment: a cache line */
#define JANUS_MESSAGE_ALIGN 64
G_STATIC_ASSERT (G_STRUCT_OFFSET (JanusMessage, route) == JANUS_MESSAGE_ALIGN);

static inline JanusBodyKind
janus_message_body_kind (const JanusMessage *m)
{
  return (JanusBodyKind) (m->flags & JANUS_MESSAGE_BODY_MASK);
}

static inline gboolean
janus_message_sent (const JanusMessage *m)
{
  return (m->flags & JANUS_MESSAGE_SENT) != 0;
}

/* Stamps an unsent message with its route and makes it immutable. */
static inline void
janus_message_seal (JanusMessage       *m,
                    const JanusAddress *sender,
                    const JanusAddress *receiver,
                    gint64              timestamp)
{
  m->sender = *sender;
  m->receiver = *receiver;
  m->timestamp = timestamp;
  m->flags |= JANUS_MESSAGE_SENT;
}

JanusMessage *janus_message_clone_for   (JanusMessage *message);
gboolean      janus_message_refuse_sent (JanusMessage  *message,
                                         GError       **error);

/* Before a send: a sent message is immutable and delivered once. */
static inline gboolean
janus_message_check_unsent (JanusMessage  *message,
                            GError       **error)
{
  if (G_LIKELY (!janus_message_sent (message)))
    return TRUE;
  return janus_message_refuse_sent (message, error);
}

JanusMessage *janus_message_new_internal (gpointer     timer);
JanusMessage *janus_message_new_task     (gpointer     task);

static inline gboolean
janus_message_internal (const JanusMessage *m)
{
  return (m->flags & JANUS_MESSAGE_INTERNAL) != 0;
}

static inline gboolean
janus_message_is_task (const JanusMessage *m)
{
  return (m->flags & JANUS_MESSAGE_TASK) != 0;
}
JanusMessageRoute *janus_message_route_new   (guint64            group_id,
                                              GType              sender_role,
                                              GType              receiver_role);
JanusMessageRoute *janus_message_route_shared (guint64           group_id,
                                               GType             sender_role,
                                               GType             receiver_role);
JanusMessageRoute *janus_message_route_ref   (JanusMessageRoute *route);
void               janus_message_route_unref (JanusMessageRoute *route);
void          janus_message_cache_flush (void);
void          janus_message_cache_trim_global (void);

/* Makes @m a role message (before it is sent), with @route (transfer full).
 * The mark lets a mailbox see role messages among arrivals in its flags. */
static inline void
janus_message_take_route (JanusMessage      *m,
                          JanusMessageRoute *route)
{
  m->route = route;
  m->flags |= JANUS_MESSAGE_ROUTED;
}

/* The same with a new reference on @route. */
static inline void
janus_message_set_route (JanusMessage      *m,
                         JanusMessageRoute *route)
{
  janus_message_take_route (m, janus_message_route_ref (route));
}

G_END_DECLS
