/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdatomic.h>

#include "janus-address-private.h"
#include "janus-registry-private.h"
#include "janus-scheduler-private.h"

G_BEGIN_DECLS

/* What a kernel runs on (the runtime layer): its identity (UUID, address),
 * its address table, its scheduler, and delivery — the one path a message
 * takes to a mailbox:
 *
 *     registry lookup -> janus_scheduler_push (inbox push, wake) -> or a
 *     dead letter, counted here
 *
 * The runtime reaches its owner (the kernel, a layer above) only through
 * the JanusRuntimeFuncs it was given: to signal a dead letter or a failed
 * agent, and to say that no agent is left. Runtimes are listed by UUID in
 * the process, so that messages find other kernels' agents. */
typedef struct _JanusRuntime JanusRuntime;

typedef struct
{
  /* A dead letter was counted; the owner may look at @message. */
  void     (*dead_letter) (gpointer      owner,
                           JanusMessage *message);
  /* An agent failed (activate refused, live returned no JanusLive). */
  void     (*failed)      (gpointer      owner,
                           JanusAgent   *agent,
                           const GError *error);
  /* The last live agent died. */
  void     (*all_dead)    (gpointer      owner);
  /* Whether a thread running the 0-worker scheduler may return. */
  gboolean (*should_stop) (gpointer      owner);
  /* An agent begins (its first turn, before activate) and has died (it
   * can no longer be found). */
  void     (*launched)    (gpointer      owner,
                           JanusAgent   *agent);
  void     (*died)        (gpointer      owner,
                           JanusAgent   *agent);
} JanusRuntimeFuncs;

struct _JanusRuntime
{
  /* immutable after janus_runtime_new */
  guint8                    uuid[16];
  char                      uuid_string[37];
  JanusAddress              address;        /* the kernel's own */
  JanusRegistry            *registry;
  JanusScheduler           *sched;
  GObject                  *owner;          /* borrowed: the kernel */
  const JanusRuntimeFuncs  *funcs;
  const JanusRunnableClass *klass;

  /* any thread */
  atomic_uint               live;           /* published and not gone */
  _Atomic guint64           dead_letters;
};

JanusRuntime  *janus_runtime_new          (guint                      n_workers,
                                           const JanusRunnableClass  *klass,
                                           const JanusRuntimeFuncs   *funcs,
                                           GObject                   *owner);
void           janus_runtime_free         (JanusRuntime   *rt);
void           janus_runtime_unlist       (JanusRuntime   *rt);
JanusRuntime  *janus_runtime_find         (const guint8    uuid[16]);
void           janus_runtime_release      (JanusRuntime   *rt);

/* agents */
gboolean       janus_runtime_reserve      (JanusRuntime   *rt,
                                           guint64        *id);
void           janus_runtime_unreserve    (JanusRuntime   *rt,
                                           guint64         id);
void           janus_runtime_publish      (JanusRuntime   *rt,
                                           guint64         id,
                                           JanusRunnable  *r);
void           janus_runtime_unpublish    (JanusRuntime   *rt,
                                           guint64         id);
gpointer       janus_runtime_dup_object   (JanusRuntime   *rt,
                                           guint64         id);
GPtrArray     *janus_runtime_list_objects (JanusRuntime   *rt);
void           janus_runtime_report_launch  (JanusRuntime *rt,
                                            JanusAgent   *agent);
void           janus_runtime_report_death   (JanusRuntime *rt,
                                            JanusAgent   *agent);
void           janus_runtime_report_failure (JanusRuntime *rt,
                                           JanusAgent     *agent,
                                           const GError   *error);

/* delivery */
gboolean       janus_runtime_deliver_slow (JanusRuntime   *rt,
                                           JanusMessage   *message);
void           janus_runtime_deliver_to   (JanusRuntime   *rt,
                                           JanusRunnable  *r,
                                           JanusMessage   *message);
void           janus_runtime_dead_letter  (JanusRuntime   *rt,
                                           JanusMessage   *message);
void           janus_runtime_dead_letters (JanusRuntime   *rt,
                                           JanusMessage   *messages);

/* What the runtime asks of the network layer, which installs it once (a
 * lower layer reaches a higher one only through what the higher installs).
 * deliver: a sealed message for a kernel that is not in this process; it
 * takes the message (and counts it as a dead letter of @rt if it cannot
 * send it) and returns TRUE, or returns FALSE if the receiver's kernel is
 * not one it knows. */
typedef struct
{
  gboolean (*deliver) (JanusRuntime *rt,
                       JanusMessage *message);
} JanusRuntimeRemote;

void           janus_runtime_set_remote   (const JanusRuntimeRemote *remote);

/* Hands a sealed message to its receiver, of this kernel or of another of
 * the process (or counts it as a dead letter). FALSE if the receiver's
 * kernel is unknown. Inlined for the common case, a worker sending to an
 * agent of its own kernel: an online worker needs no epoch critical
 * section around the lookup (it is protected until its next quiescent
 * point); everything else goes through janus_runtime_deliver_slow. */
static inline gboolean
janus_runtime_deliver (JanusRuntime *rt,
                       JanusMessage *message)
{
  JanusRunnable *r;

  if (G_UNLIKELY (!janus_epoch_thread_online
                  || !janus_address_same_kernel (&message->receiver, rt->uuid)))
    return janus_runtime_deliver_slow (rt, message);
  r = janus_registry_lookup (rt->registry, message->receiver.id);
  if (G_UNLIKELY (r == NULL || !janus_scheduler_push (rt->sched, r, message, 0)))
    janus_runtime_dead_letter (rt, message);
  return TRUE;
}

static inline gint64
janus_runtime_timestamp (JanusRuntime *rt)
{
  return janus_scheduler_timestamp (rt->sched);
}

G_END_DECLS
