/* SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * TestAgent and helpers shared by the lifecycle, kill and kernel tests.
 *
 * TestAgent is an agent whose behaviour is given by callbacks and that
 * records what happens to it: a log of its vfunc calls ('a', 'l', 'e'),
 * the state seen in each vfunc, and every state announced by notify::state
 * with its thread. Derivable, so the prototype tests can subclass it.
 */
#pragma once

#include <janus.h>

G_BEGIN_DECLS

#define DEADLINE_USEC (10 * G_USEC_PER_SEC)

typedef struct _TestAgent TestAgent;
typedef gboolean  (*ActivateFunc) (TestAgent *self, GVariant *parameters, GError **error);
typedef JanusLive (*LiveFunc)     (TestAgent *self);
typedef void      (*EndFunc)      (TestAgent *self);

struct _TestAgent
{
  JanusAgent      parent_instance;

  /* behaviour, set before launch */
  ActivateFunc    on_activate;
  LiveFunc        on_live;
  EndFunc         on_end;
  int             countdown;      /* > 0: AGAIN until the countdown-th live, then DONE */
  JanusLive       live_result;    /* otherwise what live returns */
  gpointer        data;

  /* observations, guarded by lock (worker tests read them from main) */
  GMutex          lock;
  GString        *log;
  int             n_activate;
  int             n_live;
  int             n_end;
  gboolean        in_vfunc;
  gboolean        overlap;        /* two vfuncs ran at once */
  JanusAgentState state_in_activate;
  JanusAgentState state_in_live;
  JanusAgentState state_in_end;
  GVariant       *parameters;     /* what activate was given */
  gboolean        got_parameters;
  GArray         *states;         /* JanusAgentState per notify::state */
  GPtrArray      *state_threads;  /* GThread per notify::state */
  gboolean        after_kill_me;
};

typedef struct
{
  JanusAgentClass parent_class;
} TestAgentClass;

GType test_agent_get_type (void);
#define TEST_AGENT(o) (G_TYPE_CHECK_INSTANCE_CAST ((o), test_agent_get_type (), TestAgent))

TestAgent *test_agent_new           (void);
TestAgent *test_agent_new_countdown (int n);
char      *test_agent_dup_log       (TestAgent *self);

#define assert_log(agent, expected)                     \
  G_STMT_START {                                        \
    g_autofree char *_log = test_agent_dup_log (agent); \
    g_assert_cmpstr (_log, ==, (expected));             \
  } G_STMT_END

void       assert_states            (TestAgent             *self,
                                     const JanusAgentState *expected,
                                     guint                  n);

void       launch_ok                (JanusKernel *kernel,
                                     TestAgent   *agent,
                                     const char  *name,
                                     GVariant    *parameters);
/* Steps until nothing is runnable; fails if that takes more than max steps. */
guint      step_until_idle          (JanusKernel *kernel,
                                     guint        max);
/* Drops the last reference to @object, checking that it is the last. */
void       unref_last               (gpointer object);

/* What the kernel's agent-failed signal reported (on_agent_failed). */
typedef struct
{
  GMutex      lock;
  guint       count;
  JanusAgent *agent;
  GQuark      domain;
  int         code;
  char       *message;
} FailRecord;

void       on_agent_failed          (JanusKernel  *kernel,
                                     JanusAgent   *agent,
                                     const GError *error,
                                     FailRecord   *record);
void       fail_record_clear        (FailRecord *record);

/* janus_kernel_run () on another thread, failing after DEADLINE_USEC */
void       run_bounded              (JanusKernel *kernel);

G_END_DECLS
