/* SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * What the C tests share (linked into every test binary, as libsoup's
 * tests/test-utils.c): the TestAgent and TestRole classes, stepping and
 * bounded running, launching, agent_do (run code in an agent's own step),
 * group helpers, an event log, and a way to run one case on 0 and on
 * several workers.
 */
#pragma once

#include <stdatomic.h>

#include <janus.h>

G_BEGIN_DECLS

/* every bounded wait of the tests; only reached when a test fails */
#define DEADLINE_USEC (10 * G_USEC_PER_SEC)
#define TEST_ERROR (g_quark_from_static_string ("test-error"))

#define AGENT(a) JANUS_AGENT (a)
#define ROLE(r) JANUS_ROLE (r)
#define ADDR(a) janus_agent_get_address (JANUS_AGENT (a))

/* JANUS_TEST_SMALL is set under valgrind: stress sizes shrink. */
gboolean      test_small           (void);

/* ------------------------------------------------------------ event log */

void          log_event            (const char *format,
                                    ...) G_GNUC_PRINTF (1, 2);
char         *log_take             (void);
void          log_clear            (void);

#define assert_events(expected)                                 \
  G_STMT_START {                                                \
    g_autofree char *log_ = log_take ();                        \
    g_assert_cmpstr (log_, ==, (expected));                     \
  } G_STMT_END

/* ------------------------------------------------------------ TestAgent
 *
 * An agent whose behaviour is given by functions and data set before its
 * launch, and that records what happens to it.
 *
 * live: `live` if set; else DONE at the countdown-th step if `countdown`
 * is set; else `live_result` if set (any value, invalid ones included);
 * else the default live (the activator). Before that it runs the action asked with agent_do ().
 * activate runs `activate` (it may refuse), then `on_activate`; end runs
 * `end`, then `on_end`.
 *
 * It records a log of its vfunc calls ('a', 'l', 'e'), the state seen in
 * each and the thread each ran on, every state announced by notify::state with its thread, and
 * whether two vfuncs ever overlapped; counters are atomic, the rest is
 * guarded by `lock`. Derivable. */

#define TEST_LIVE_DEFAULT ((JanusLive) G_MININT)

typedef struct _TestAgent TestAgent;
typedef gboolean  (*TestActivateFunc) (TestAgent  *self,
                                       GVariant   *parameters,
                                       GError    **error);
typedef JanusLive (*TestLiveFunc)     (TestAgent  *self);
typedef void      (*TestEndFunc)      (TestAgent  *self);
typedef void      (*TestAction)       (TestAgent  *self,
                                       gpointer    data);

struct _TestAgent
{
  JanusAgent        parent_instance;

  /* behaviour, set before launch */
  TestActivateFunc  activate;
  TestLiveFunc      live;
  TestEndFunc       end;
  TestAction        on_activate;    /* (self, data) */
  TestAction        on_end;         /* (self, data) */
  int               countdown;      /* > 0: AGAIN until the countdown-th live, then DONE */
  JanusLive         live_result;    /* TEST_LIVE_DEFAULT: the default live */
  gpointer          data;
  int               mode;           /* test specific */
  gboolean          via_object;     /* mailbox tests: through the JanusMailbox object */
  guint             end_takes;      /* messages end_take_some takes */
  gboolean          after_kill_me;  /* kill tests: the step went on after kill_me */

  /* guarded by lock: agent_do's request and its completion, the log */
  GMutex            lock;
  GCond             cond;
  TestAction        action;
  gpointer          action_data;
  gboolean          action_done;
  gboolean          ended;
  GString          *log;
  gboolean          in_vfunc;
  gboolean          overlap;        /* two vfuncs ran at once */
  JanusAgentState   state_in_activate;
  JanusAgentState   state_in_live;
  JanusAgentState   state_in_end;
  GVariant         *parameters;     /* what activate was given */
  gboolean          got_parameters;
  GThread          *activate_thread;/* where each vfunc ran (live: the last) */
  GThread          *live_thread;
  GThread          *end_thread;
  gboolean          thread_changed; /* two lives ran on different threads */
  GArray           *states;         /* JanusAgentState per notify::state */
  GPtrArray        *state_threads;  /* GThread per notify::state */

  /* atomic */
  gint              n_activate;
  gint              n_live;
  gint              n_end;

  /* the agent's own steps; read by the test once the kernel let it go */
  guint64           count;
  guint64           errors;         /* anything unexpected seen on a worker */
  guint             live_step;      /* test_current_step at the last live */
  GPtrArray        *got;            /* messages kept, in order */
  GArray           *got_step;       /* test_current_step when each was kept */
};

typedef struct
{
  JanusAgentClass parent_class;
} TestAgentClass;

GType         test_agent_get_type  (void);
#define TEST_TYPE_AGENT (test_agent_get_type ())
#define TEST_AGENT(o) (G_TYPE_CHECK_INSTANCE_CAST ((o), TEST_TYPE_AGENT, TestAgent))

TestAgent    *test_agent_new       (TestLiveFunc  live,
                                    gpointer      data);
TestAgent    *test_agent_new_countdown (int       n);
char         *test_agent_dup_log   (TestAgent    *self);
/* The TestAgent whose activate, live or end runs on this thread, or NULL. */
TestAgent    *test_agent_running   (void);
/* Its end returned (ended, read under the lock). */
gboolean      test_agent_has_ended (TestAgent    *self);
void          test_agent_keep      (TestAgent    *self,
                                    JanusMessage *message);
void          assert_states        (TestAgent             *self,
                                    const JanusAgentState *expected,
                                    guint                  n);

#define assert_log(agent, expected)                     \
  G_STMT_START {                                        \
    g_autofree char *_log = test_agent_dup_log (agent); \
    g_assert_cmpstr (_log, ==, (expected));             \
  } G_STMT_END

/* live functions: keep every message, one message, or none */
JanusLive     collect_live         (TestAgent *self);
JanusLive     take_one_live        (TestAgent *self);
JanusLive     deaf_live            (TestAgent *self);

/* ------------------------------------------------------------- TestRole
 *
 * Counts its calls and logs "activate <type>" and "end <type>". Init data
 * "fail" refuses with an error (TEST_ERROR), "fail-silent" without one.
 * Its live runs `live`, or else takes every message of the role into got
 * (with test_current_step in got_at) and returns WAIT. */

typedef struct _TestRole TestRole;
typedef JanusLive (*TestRoleLiveFunc) (TestRole *self);

struct _TestRole
{
  JanusRole         parent_instance;
  TestRoleLiveFunc  live;
  gpointer          data;
  guint             n_activate;
  guint             n_live;
  guint             n_end;
  GVariant         *init;
  GThread          *activate_thread;
  JanusAgent       *player_in_end;
  /* got and got_at are guarded by lock (workers) */
  GMutex            lock;
  GCond             cond;
  GPtrArray        *got;
  GArray           *got_at;
};

typedef struct
{
  JanusRoleClass parent_class;
} TestRoleClass;

GType         test_role_get_type   (void);
#define TEST_TYPE_ROLE (test_role_get_type ())
#define TEST_ROLE(o) (G_TYPE_CHECK_INSTANCE_CAST ((o), TEST_TYPE_ROLE, TestRole))

JanusLive     live_idle            (TestRole *self);

/* A type registered at run time (a subclass of @parent). */
GType         register_type        (GType          parent,
                                    const char    *name,
                                    GClassInitFunc class_init);

/* ------------------------------------------------------------- TestCap
 *
 * A capacity interface without methods (prerequisite JanusCapacity), for
 * the required-capacity checks, and an object implementing it. */

typedef struct _TestCap TestCap;
typedef struct
{
  GTypeInterface g_iface;
} TestCapInterface;

GType         test_cap_get_type      (void);
GType         test_cap_impl_get_type (void);
#define TEST_TYPE_CAP (test_cap_get_type ())
#define TEST_TYPE_CAP_IMPL (test_cap_impl_get_type ())

/* ------------------------------------------------------------- counters */

/* Adds one to @counter and wakes whoever waits on @cond. Any thread. */
void          test_bump            (GMutex     *lock,
                                    GCond      *cond,
                                    atomic_int *counter);
/* Waits until @counter >= @min, at most DEADLINE_USEC (or @timeout_usec);
 * says if it got there. */
gboolean      test_wait_count      (GMutex     *lock,
                                    GCond      *cond,
                                    atomic_int *counter,
                                    int         min);
gboolean      test_wait_count_for  (GMutex     *lock,
                                    GCond      *cond,
                                    atomic_int *counter,
                                    int         min,
                                    gint64      timeout_usec);

/* ------------------------------------------------------- running kernels */

/* The 0-worker step the test is running (test_step counts them). */
extern guint test_current_step;

gboolean      test_step            (JanusKernel *kernel);
/* Steps until nothing is runnable; fails if that takes @max steps. */
guint         step_until_idle      (JanusKernel *kernel,
                                    guint        max);
/* janus_kernel_run () on another thread, failing after DEADLINE_USEC
 * (run_bounded_for: after @seconds) */
void          run_bounded          (JanusKernel *kernel);
void          run_bounded_for      (JanusKernel *kernel,
                                    guint        seconds);

/* Launches @agent (a JanusAgent of any class) as a light agent. */
void          launch_ok            (JanusKernel *kernel,
                                    gpointer     agent,
                                    const char  *name,
                                    GVariant    *parameters);
/* janus_kernel_send (), which must succeed. */
void          kernel_send_ok       (JanusKernel        *kernel,
                                    const JanusAddress *to,
                                    JanusMessage       *message);
/* Launches @agent and on a 0-worker kernel steps until it is ALIVE. */
TestAgent    *launch_alive         (JanusKernel *kernel,
                                    TestAgent   *agent);
/* Launches a new TestAgent (with @on_activate and @data), and on a
 * 0-worker kernel steps until it is ALIVE. */
TestAgent    *launch_new           (JanusKernel *kernel,
                                    TestAction   on_activate,
                                    gpointer     data);
/* Runs @action in @agent's next step (stepping a 0-worker kernel, or
 * waiting, bounded, on workers), its whole step included. */
void          agent_do             (JanusKernel *kernel,
                                    TestAgent   *agent,
                                    TestAction   action,
                                    gpointer     data);
void          kill_and_wait        (JanusKernel *kernel,
                                    TestAgent   *agent);
/* Shuts @kernel down and checks that it and the agents given (then NULL)
 * are finalized with their last reference. */
void          finish               (JanusKernel *kernel,
                                    ...) G_GNUC_NULL_TERMINATED;
/* Drops the last reference to @object, checking that it is the last. */
void          unref_last           (gpointer     object);

/* Registers @func at @path/0-workers and @path/2-workers: one case run on
 * a kernel without workers and on one with two. */
typedef void (*TestWorkersFunc) (guint         workers,
                                 gconstpointer data);

void          add_on_workers       (const char      *path,
                                    TestWorkersFunc  func,
                                    gconstpointer    data);

/* Registers @path/<name> for each of the @n names: each runs @func (name)
 * in a subprocess, which must fail with a CRITICAL (a bad call refused by
 * a g_return_if_fail). */
typedef void (*TestCriticalFunc) (const char *name);

void          add_critical_cases   (const char        *path,
                                    TestCriticalFunc   func,
                                    const char *const *names,
                                    guint              n);

/* ---------------------------------------------------------------- groups */

JanusGroup   *new_group            (JanusKernel *kernel,
                                    GType        organization);
/* Requests a role the agent must get, of exactly @role_type. */
TestRole     *take                 (TestAgent   *agent,
                                    GType        role_type,
                                    JanusGroup  *group);
TestRole     *take_init            (TestAgent   *agent,
                                    GType        role_type,
                                    JanusGroup  *group,
                                    GVariant    *init);
/* Leaves a role the agent must be able to leave. */
void          leave                (TestAgent   *agent,
                                    GType        role_type,
                                    JanusGroup  *group);
/* The error names the role type and the group, as every refusal of a
 * role request does; a missing name fails the test but lets it go on. */
void          expect_names         (const GError *error,
                                    GType         role_type,
                                    JanusGroup   *group);

/* ------------------------------------------------------------ messages */

void          count_destroy        (gpointer     data);
/* A message whose release is counted in @counter. */
JanusMessage *counted_message      (const char  *subject,
                                    gint        *counter);
gint64        value_of             (JanusMessage *message);

/* ------------------------------------------------------------ lifetimes */

/* Tells when an object is gone (its last dispose: GObject's weak
 * references fire there, before finalize), from any thread. */
typedef struct
{
  GMutex   lock;
  GCond    cond;
  gboolean gone;
} TestGone;

void          test_gone_watch      (TestGone    *gone,
                                    gpointer     object);
/* Waits at most DEADLINE_USEC; says whether the object went. */
gboolean      test_gone_wait       (TestGone    *gone);
gboolean      test_gone_is_gone    (TestGone    *gone);
void          test_gone_clear      (TestGone    *gone);

/* The threads of the process (/proc/self/task). */
guint         test_count_threads   (void);
/* Starts and joins a thread, so that the threads a runtime starts with the
 * first one (ThreadSanitizer's background thread) are counted from now on:
 * call it before counting. */
void          test_settle_threads  (void);
/* Waits (bounded) until the process has at most @n threads; says whether
 * it got there. A thread that finished its work (a kernel's worker being
 * joined, a reaper that shut a kernel down) leaves the list a little later,
 * with no event to wait for: the wait looks again every millisecond. */
gboolean      test_wait_threads    (guint        n);

/* ------------------------------------------------------- agent failures */

/* What the kernel's agent-failed (on_agent_failed) or role-failed
 * (on_role_failed) signal reported. */
typedef struct
{
  GMutex      lock;
  guint       count;
  JanusAgent *agent;        /* role-failed: the role's player in the handler */
  JanusRole  *role;         /* role-failed only */
  GThread    *thread;       /* where the signal was emitted */
  GQuark      domain;
  int         code;
  char       *message;
} FailRecord;

void          on_agent_failed      (JanusKernel  *kernel,
                                    JanusAgent   *agent,
                                    const GError *error,
                                    FailRecord   *record);
void          on_role_failed       (JanusKernel  *kernel,
                                    JanusRole    *role,
                                    const GError *error,
                                    FailRecord   *record);
void          fail_record_clear    (FailRecord   *record);

G_END_DECLS
