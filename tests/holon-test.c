/* SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Helpers shared by the holon tests (see holon-test.h).
 */
#include "holon-test.h"

/* ---------------------------------------------------------- capacities */

G_DEFINE_INTERFACE (TestTimes, test_times, JANUS_TYPE_CAPACITY)
static void test_times_default_init (TestTimesInterface *iface) { }

G_DEFINE_INTERFACE (TestPaint, test_paint, JANUS_TYPE_CAPACITY)
static void test_paint_default_init (TestPaintInterface *iface) { }

struct _TestMultiplier
{
  GObject parent_instance;
  gint64  factor;
  guint   calls;                /* atomic */
};

static void test_multiplier_capacity_init (JanusCapacityInterface *iface);
static void test_multiplier_times_init (TestTimesInterface *iface) { }

G_DEFINE_FINAL_TYPE_WITH_CODE (TestMultiplier, test_multiplier, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (JANUS_TYPE_CAPACITY, test_multiplier_capacity_init)
                               G_IMPLEMENT_INTERFACE (TEST_TYPE_TIMES, test_multiplier_times_init))

static GVariant *
test_multiplier_invoke (JanusCapacity  *capacity,
                        GVariant       *input,
                        GError        **error)
{
  TestMultiplier *self = TEST_MULTIPLIER (capacity);

  g_atomic_int_inc (&self->calls);
  if (self->factor == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "multiplier is broken");
      return NULL;
    }
  return g_variant_new_int64 (self->factor * (input ? g_variant_get_int64 (input) : 1));
}

static void
test_multiplier_capacity_init (JanusCapacityInterface *iface)
{
  iface->invoke = test_multiplier_invoke;
}

static void test_multiplier_class_init (TestMultiplierClass *klass) { }
static void test_multiplier_init (TestMultiplier *self) { }

TestMultiplier *
test_multiplier_new (gint64 factor)
{
  TestMultiplier *self = g_object_new (TEST_TYPE_MULTIPLIER, NULL);

  self->factor = factor;
  return self;
}

guint
test_multiplier_calls (TestMultiplier *self)
{
  return (guint) g_atomic_int_get (&self->calls);
}

/* ------------------------------------------------------------ recorder */

const char *
agent_label (JanusAgent *agent)
{
  const char *name = agent ? janus_agent_get_name (agent) : NULL;

  return name ? name : "-";
}

static void
rec_append (Recorder   *rec,
            const char *format,
            ...) G_GNUC_PRINTF (2, 3);

static void
rec_append (Recorder   *rec,
            const char *format,
            ...)
{
  va_list ap;

  g_mutex_lock (&rec->lock);
  if (rec->log->len > 0)
    g_string_append_c (rec->log, ' ');
  va_start (ap, format);
  g_string_append_vprintf (rec->log, format, ap);
  va_end (ap);
  g_mutex_unlock (&rec->lock);
}

static void
on_added (JanusHolon *holon, JanusAgent *member, Recorder *rec)
{
  rec_append (rec, "+%s", agent_label (member));
}

static void
on_removed (JanusHolon *holon, JanusAgent *member, Recorder *rec)
{
  rec_append (rec, "-%s", agent_label (member));
}

static void
on_head (JanusHolon *holon, JanusAgent *head, Recorder *rec)
{
  rec_append (rec, "h:%s", agent_label (head));
}

static void
on_failed (JanusHolon             *holon,
           JanusAgent             *member,
           const GError           *error,
           JanusSupervisionAction  action,
           Recorder               *rec)
{
  static const char *names[] = { "ignore", "restart", "escalate" };

  rec_append (rec, "f:%s:%s", agent_label (member), names[action]);
}

static void
on_ended (JanusHolon *holon, Recorder *rec)
{
  rec_append (rec, "end");
}

void
recorder_init (Recorder *rec)
{
  g_mutex_init (&rec->lock);
  rec->log = g_string_new (NULL);
}

void
recorder_clear (Recorder *rec)
{
  g_string_free (rec->log, TRUE);
  g_mutex_clear (&rec->lock);
}

void
recorder_watch (Recorder   *rec,
                JanusHolon *holon)
{
  g_signal_connect (holon, "member-added", G_CALLBACK (on_added), rec);
  g_signal_connect (holon, "member-removed", G_CALLBACK (on_removed), rec);
  g_signal_connect (holon, "head-changed", G_CALLBACK (on_head), rec);
  g_signal_connect (holon, "member-failed", G_CALLBACK (on_failed), rec);
  g_signal_connect (holon, "members-ended", G_CALLBACK (on_ended), rec);
}

char *
recorder_take (Recorder *rec)
{
  char *s;

  g_mutex_lock (&rec->lock);
  s = g_strdup (rec->log->str);
  g_string_truncate (rec->log, 0);
  g_mutex_unlock (&rec->lock);
  return s;
}

/* ------------------------------------------------------------- helpers */

JanusHolon *
launch_holon (JanusKernel *kernel,
              const char  *name)
{
  JanusHolon *holon = janus_holon_new ();
  g_autoptr(GError) error = NULL;

  g_assert_true (janus_kernel_launch_light_agent (kernel, JANUS_AGENT (holon), name, NULL, &error));
  g_assert_no_error (error);
  return holon;
}

TestAgent *
spawn_cell (JanusHolon *holon,
            const char *name)
{
  TestAgent *cell = test_agent_new (NULL, NULL);   /* its live steps its roles */
  g_autoptr(GError) error = NULL;

  g_assert_true (janus_holon_spawn_member (holon, JANUS_AGENT (cell), name, NULL, &error));
  g_assert_no_error (error);
  return cell;
}

static int
by_label (gconstpointer a,
          gconstpointer b)
{
  return g_strcmp0 (agent_label (*(JanusAgent **) a), agent_label (*(JanusAgent **) b));
}

static char *
names_text (GPtrArray *agents)
{
  GString *s = g_string_new (NULL);
  guint i;

  for (i = 0; i < agents->len; i++)
    g_string_append_printf (s, "%s%s", i ? " " : "", agent_label (agents->pdata[i]));
  return g_string_free (s, FALSE);
}

char *
members_text (JanusHolon *holon)
{
  g_autoptr(GPtrArray) members = janus_holon_list_members (holon);

  return names_text (members);
}

char *
players_text (JanusHolon *holon,
              GType       role_type)
{
  g_autoptr(JanusGroup) group = janus_holon_get_group (holon);
  g_autoptr(GPtrArray) players = NULL;

  if (group == NULL)
    return g_strdup ("");
  players = janus_group_list_players (group, role_type);
  return names_text (players);
}

static char *
sorted_text (GPtrArray *agents)
{
  g_ptr_array_sort (agents, by_label);
  return names_text (agents);
}

/* Once the agents caught up: the group's players are the holarchy's (the
 * group lists them in the order they took their roles). */
void
assert_group_follows (JanusHolon *holon)
{
  g_autoptr(JanusGroup) group = janus_holon_get_group (holon);
  g_autoptr(GPtrArray) members = janus_holon_list_members (holon);
  g_autoptr(GPtrArray) heads = janus_holon_list_heads (holon);
  g_autoptr(GPtrArray) parts = NULL, head_players = NULL, supers = NULL;
  g_autofree char *m = NULL, *p = NULL, *h = NULL, *hp = NULL, *s = NULL;

  if (members->len == 0)
    {
      g_assert_null (group);
      return;
    }
  g_assert_nonnull (group);
  parts = janus_group_list_players (group, JANUS_TYPE_HOLONIC_PART);
  head_players = janus_group_list_players (group, JANUS_TYPE_HOLONIC_HEAD);
  supers = janus_group_list_players (group, JANUS_TYPE_HOLONIC_SUPER);
  m = sorted_text (members);
  p = sorted_text (parts);
  h = sorted_text (heads);
  hp = sorted_text (head_players);
  s = names_text (supers);
  g_assert_cmpstr (p, ==, m);
  g_assert_cmpstr (hp, ==, h);
  g_assert_cmpstr (s, ==, agent_label (JANUS_AGENT (holon)));
}
