/* SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Helpers shared by the holon tests (tests/holon*.c), beside those of
 * janus-test-utils.h (the members are TestAgents, whose default live steps
 * their roles):
 *
 *  - capacities for the tests;
 *  - a recorder of a holon's signals, as a text log;
 *  - launching holons and spawning members, and a check that the internal
 *    groups follow the holarchy.
 */
#pragma once

#include "janus-test-utils.h"

G_BEGIN_DECLS

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TestAgent, g_object_unref)

/* A capacity for the tests: an interface with a GObject implementing it
 * that multiplies an int64 input by its factor, or fails when asked to
 * (factor 0), counting its calls. */
#define TEST_TYPE_TIMES (test_times_get_type ())
G_DECLARE_INTERFACE (TestTimes, test_times, TEST, TIMES, JanusCapacity)
struct _TestTimesInterface { GTypeInterface g_iface; };

#define TEST_TYPE_PAINT (test_paint_get_type ())
G_DECLARE_INTERFACE (TestPaint, test_paint, TEST, PAINT, JanusCapacity)
struct _TestPaintInterface { GTypeInterface g_iface; };

#define TEST_TYPE_MULTIPLIER (test_multiplier_get_type ())
G_DECLARE_FINAL_TYPE (TestMultiplier, test_multiplier, TEST, MULTIPLIER, GObject)
TestMultiplier *test_multiplier_new     (gint64 factor);
guint           test_multiplier_calls   (TestMultiplier *self);

/* signals of a holon, as text: "+name" added, "-name" removed, "h:name"
 * head changed (h:- for none), "f:name:action" failed, "end" members
 * ended. Thread safe. */
typedef struct
{
  GMutex   lock;
  GString *log;
} Recorder;

void         recorder_init          (Recorder   *rec);
void         recorder_clear         (Recorder   *rec);
void         recorder_watch         (Recorder   *rec,
                                     JanusHolon *holon);
char        *recorder_take          (Recorder   *rec);

#define assert_recorded(rec, expected)                          \
  G_STMT_START {                                                \
    g_autofree char *log_ = recorder_take (rec);                \
    g_assert_cmpstr (log_, ==, (expected));                     \
  } G_STMT_END

const char  *agent_label            (JanusAgent *agent);
JanusHolon  *launch_holon           (JanusKernel *kernel,
                                     const char  *name);
TestAgent   *spawn_cell             (JanusHolon  *holon,
                                     const char  *name);
char        *members_text           (JanusHolon  *holon);
char        *players_text           (JanusHolon  *holon,
                                     GType        role_type);
void         assert_group_follows   (JanusHolon  *holon);

G_END_DECLS
