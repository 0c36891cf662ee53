/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdatomic.h>

#include "janus-holon.h"
#include "janus-role.h"
#include "janus-address-private.h"
#include "janus-agent-private.h"

G_BEGIN_DECLS

/* The holarchy of a process is guarded by one lock (janus_holarchy_lock):
 * every membership, its head flag and the composition of every holon. It
 * is never held while user code runs (signal handlers, policies, vfuncs,
 * notify::state) and never taken on the message path: a holon forwards to
 * its heads through an immutable snapshot (JanusHeads), and capacity calls
 * travel as functions run in the agents' steps (janus_agent_invoke).
 *
 * Lock order: holarchy lock, then a kernel's, an organization's or a
 * group's lock, then an agent's extra lock. */

typedef struct _JanusMember JanusMember;
typedef struct _JanusHolonComposite JanusHolonComposite;
typedef struct _JanusHeads JanusHeads;
typedef struct _JanusCapacityCall JanusCapacityCall;

/* JanusMemberInfo.word: flags in its low bits */
enum {
  JANUS_MEMBER_SHAREABLE         = 1 << 0,  /* accepts being a MultiPart */
  JANUS_MEMBER_RECONCILE_PENDING = 1 << 1,  /* a reconcile is posted to it */
  JANUS_MEMBER_RECONCILED        = 1 << 2,  /* reconciled once: may play holonic roles */
  JANUS_MEMBER_SPAWNING          = 1 << 3,  /* janus_holon_spawn is launching it:
                                             * set and cleared under the lock */
  JANUS_MEMBER_FLAGS             = 0xf,
};

/* The alignment of a composite, so that its pointer leaves the flags free. */
#define JANUS_HOLON_COMPOSITE_ALIGN 16

/* What any agent (holon or not) needs to be a member: its memberships, and
 * flags. A holon has it inline; another agent gets it as qdata on its first
 * membership. The word holds the flags in its four low bits and, for a
 * holon, its composite in the rest (a 16-aligned pointer, set once): one
 * word for both keeps a holon 16 bytes over an agent. */
typedef struct
{
  atomic_uintptr_t word;        /* any thread, atomically */
  JanusMember     *supers;      /* lock: its memberships, newest first */
} JanusMemberInfo;

static inline guint
janus_member_info_flags (JanusMemberInfo *info,
                         memory_order     order)
{
  return (guint) (atomic_load_explicit (&info->word, order) & JANUS_MEMBER_FLAGS);
}

/* One membership: @agent in @holon. The holon holds the member (GstBin's
 * parent-owns-child); the member reaches its super-holon through the
 * record, which never holds a reference on it (a weak pointer: the record
 * is unlinked before its holon dies). All fields are guarded by the lock.
 * 48 bytes, from GSlice: a holarchy has one per member. */
struct _JanusMember
{
  JanusHolon  *holon;           /* borrowed */
  JanusAgent  *agent;           /* strong */
  JanusMember *prev;            /* the holon's members, in joining order */
  JanusMember *next;
  JanusMember *next_super;      /* the agent's other memberships */
  guint16      restarts;        /* how often this place was restarted */
  guint8       kind;            /* JanusMembership */
  guint8       head;
  guint8       failed;          /* its agent-failed report is in the table
                                 * of failures (janus-holon-lifecycle.c) */
};

G_STATIC_ASSERT (sizeof (JanusMember) <= 48);

/* The heads of a composed holon, for the message path: published with a
 * release store, retired through the epoch collector when replaced. */
struct _JanusHeads
{
  guint        n;
  guint64      group_id;
  JanusAddress addresses[];
};

/* A policy function and its data, shared by the holon and the calls in
 * progress: a policy replaced while it runs (from another thread, or by
 * itself) keeps its data until it returned. */
typedef struct
{
  atomic_int      ref_count;    /* stdatomic, seen by ThreadSanitizer */
  GCallback       func;         /* nullable */
  gpointer        data;
  GDestroyNotify  destroy;
} JanusHolonPolicy;

/* Lock held: a reference on @policy (nullable), for a call made once the
 * lock is released. */
static inline JanusHolonPolicy *
janus_holon_policy_ref (JanusHolonPolicy *policy)
{
  if (policy != NULL)
    atomic_fetch_add_explicit (&policy->ref_count, 1, memory_order_relaxed);
  return policy;
}

void                 janus_holon_policy_unref     (JanusHolonPolicy  *policy);
void                 janus_holon_policy_replace   (JanusHolonPolicy **slot,
                                                   GCallback          func,
                                                   gpointer           data,
                                                   GDestroyNotify     destroy);

/* A holon's composition and settings, allocated when first needed (a member
 * joins, or a setting is changed) and kept until the holon is finalized.
 * Fields are guarded by the holarchy lock unless said otherwise. */
struct _JanusHolonComposite
{
  JanusGroup          *group;          /* strong: the internal group of the
                                        * current composition, NULL if atomic */
  JanusMember         *first;
  JanusMember         *last;
  guint                n_members;
  guint                n_heads;
  guint                pending_restarts; /* restarts waiting for their back-off */
  guint                pending_failures; /* failures waiting for a decision */
  gboolean             dying;          /* ending its members before its end */
  gboolean             ended;          /* its end ran: no more members */
  gboolean             electing;       /* a head election is posted to it */

  GType                super_type;
  GType                head_type;
  GType                part_type;
  GType                multi_part_type;

  JanusHolonPolicy    *head_policy;    /* JanusHolonHeadFunc */
  JanusHolonPolicy    *provider_policy; /* JanusHolonProviderFunc */
  JanusHolonPolicy    *supervision_policy; /* JanusSupervisionFunc */
  JanusSupervisionAction supervision;
  guint                max_restarts;
  gint64               restart_backoff;

  GList               *calls;          /* JanusCapacityCall in flight (strong) */

  /* read without the lock */
  atomic_int           routing;        /* JanusHolonRouting */
  atomic_uint          round_robin;
  JanusHeads *_Atomic  heads;
};

typedef struct
{
  JanusMemberInfo info;         /* with the composite in its word */
} JanusHolonPrivate;

/* A few pointers kept inline, more on the heap: most changes touch one or
 * two holons and agents, and allocate nothing for their bookkeeping. */
#define JANUS_HOLON_VEC_INLINE 6

typedef struct
{
  guint     len;
  guint     cap;                /* of heap; 0 while inline */
  gpointer *heap;
  gpointer  inline_items[JANUS_HOLON_VEC_INLINE];
} JanusHolonVec;

static inline gpointer *
janus_holon_vec_items (JanusHolonVec *v)
{
  return v->heap != NULL ? v->heap : v->inline_items;
}

void janus_holon_vec_push  (JanusHolonVec *v,
                            gpointer       item);
void janus_holon_vec_clear (JanusHolonVec *v);

/* What a change of the holarchy does once the lock is released, in order:
 * reconciles the caller's own agent, posts head elections, wakes the
 * ending holons that lost their last member, emits the signals (those
 * somebody listens to), then drops the references it took over
 * (finalizers are user code). */
typedef struct
{
  JanusHolonVec emissions;      /* triples: signal, JanusHolon, JanusAgent
                                 * (nullable), each holding a reference */
  JanusHolonVec reconcile;      /* JanusAgent to reconcile (strong) */
  JanusHolonVec elect;          /* JanusHolon to elect a head (strong) */
  JanusHolonVec garbage;        /* GObject to unref */
  JanusHolonVec records;        /* JanusMember to free */
  JanusHolonVec wake;           /* ending JanusHolon whose last member went */
} JanusHolonChanges;

enum {
  JANUS_HOLON_MEMBER_ADDED,
  JANUS_HOLON_MEMBER_REMOVED,
  JANUS_HOLON_HEAD_CHANGED,
  JANUS_HOLON_MEMBER_FAILED,
  JANUS_HOLON_MEMBERS_ENDED,
  JANUS_HOLON_N_SIGNALS
};

extern guint janus_holon_signals[JANUS_HOLON_N_SIGNALS];

void                 janus_holarchy_lock          (void);
void                 janus_holarchy_unlock        (void);

JanusHolonPrivate   *janus_holon_get_private      (JanusHolon *self);
JanusHolonComposite *janus_holon_ensure_composite (JanusHolon *self);
JanusMemberInfo     *janus_holon_peek_info        (JanusAgent *agent);
JanusMember         *janus_holon_find_record      (JanusHolon *self,
                                                   JanusAgent *member);

/* Lock held: whether janus_holon_spawn is launching @agent — then nothing
 * its launch writes on the spawning thread (its address, name, kernel)
 * may be read yet. */
static inline gboolean
janus_holon_is_spawning (JanusAgent *agent)
{
  JanusMemberInfo *info = janus_holon_peek_info (agent);

  return info != NULL
         && (janus_member_info_flags (info, memory_order_relaxed) & JANUS_MEMBER_SPAWNING);
}
void                 janus_holon_post_reconcile   (JanusAgent *agent);
void                 janus_holon_reconcile_if_pending (JanusAgent *agent);
const char          *janus_holon_name_of          (JanusAgent *agent);
gboolean             janus_holon_member_offers    (JanusAgent *agent,
                                                   GType       capacity_type);

void                 janus_holon_changes_emit     (JanusHolonChanges *ch,
                                                   guint              signal,
                                                   JanusHolon        *holon,
                                                   JanusAgent        *agent);
void                 janus_holon_changes_forget_signals (JanusHolonChanges *ch);
void                 janus_holon_changes_apply    (JanusHolonChanges *ch);
void                 janus_holon_unlink_member    (JanusMember       *m,
                                                   JanusHolonChanges *ch);
void                 janus_holon_become_atomic    (JanusHolon          *self,
                                                   JanusHolonComposite *c,
                                                   JanusHolonChanges   *ch);
gboolean             janus_holon_spawn            (JanusHolon  *self,
                                                   JanusAgent  *member,
                                                   const char  *name,
                                                   GVariant    *parameters,
                                                   gboolean     heavy,
                                                   guint        restarts,
                                                   GError     **error);
JanusHolonComposite *janus_holon_peek_composite   (JanusHolon *self);

/* the holonic roles' default provider choice (janus-holon-capacity.c) */
guint                janus_holon_default_provider (JanusGroup  *group,
                                                   GType        capacity_type,
                                                   GPtrArray   *candidates);

/* janus-holon-capacity.c */
void                 janus_holon_fail_calls       (JanusHolon   *self,
                                                   GQuark        domain,
                                                   gint          code,
                                                   const char   *format,
                                                   ...) G_GNUC_PRINTF (4, 5);

/* janus-holon-lifecycle.c */
void                 janus_holon_forget_failure   (JanusMember  *m);
gboolean             janus_holon_life_hook        (JanusAgent          *agent,
                                                   JanusAgentLifeEvent  event);
void                 janus_holon_watch_kernel     (JanusKernel *kernel);

G_END_DECLS
