/* SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Probes (after Janus 1.x's ProbeManagerTest and Abstract*ProbeTest):
 * declared properties of agents and roles, read from any thread through a
 * JanusProbe, published by the agent at the end of its steps into an
 * immutable snapshot. Checked: declarations and inheritance, values and
 * their changes (serial), typed reads, roles, a snapshot never torn
 * between two steps while another thread reads (2 workers), no reading at
 * all while no probe watches, heavy agents, dead agents, bad input.
 */
#include <string.h>

#include "janus-test-utils.h"

/* ---------------------------------------------------------------- Miner */

typedef struct
{
  TestAgent   parent;
  gint        gold;
  gint        twin;              /* always gold at the end of a step */
  char       *label;
  gint        secret;
  atomic_int  reads;             /* get_property calls */
} Miner;

typedef struct
{
  TestAgentClass parent_class;
} MinerClass;

enum { MINER_PROP_0, MINER_PROP_GOLD, MINER_PROP_TWIN, MINER_PROP_LABEL, MINER_PROP_SECRET };

GType miner_get_type (void);
G_DEFINE_TYPE (Miner, miner, TEST_TYPE_AGENT)

static void
miner_get_property (GObject *object, guint id, GValue *value, GParamSpec *pspec)
{
  Miner *self = (Miner *) object;

  atomic_fetch_add (&self->reads, 1);
  switch (id)
    {
    case MINER_PROP_GOLD: g_value_set_int (value, self->gold); break;
    case MINER_PROP_TWIN: g_value_set_int (value, self->twin); break;
    case MINER_PROP_LABEL: g_value_set_string (value, self->label); break;
    case MINER_PROP_SECRET: g_value_set_int (value, self->secret); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, id, pspec);
    }
}

static void
miner_finalize (GObject *object)
{
  g_free (((Miner *) object)->label);
  G_OBJECT_CLASS (miner_parent_class)->finalize (object);
}

static void
miner_class_init (MinerClass *klass)
{
  GObjectClass *oc = G_OBJECT_CLASS (klass);

  oc->get_property = miner_get_property;
  oc->finalize = miner_finalize;
  g_object_class_install_property (oc, MINER_PROP_GOLD,
    g_param_spec_int ("gold", NULL, NULL, 0, G_MAXINT, 0, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_property (oc, MINER_PROP_TWIN,
    g_param_spec_int ("twin", NULL, NULL, 0, G_MAXINT, 0, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_property (oc, MINER_PROP_LABEL,
    g_param_spec_string ("label", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_property (oc, MINER_PROP_SECRET,
    g_param_spec_int ("secret", NULL, NULL, 0, G_MAXINT, 0, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  janus_agent_class_add_probe (JANUS_AGENT_CLASS (klass), "gold");
  janus_agent_class_add_probe (JANUS_AGENT_CLASS (klass), "twin");
  janus_agent_class_add_probe (JANUS_AGENT_CLASS (klass), "label");
}

static void
miner_init (Miner *self)
{
}

/* A subclass adds a probe of an inherited property. */
static void
deep_miner_class_init (gpointer klass,
                       gpointer data)
{
  janus_agent_class_add_probe (klass, "secret");
}

static Miner *
miner_new (TestLiveFunc live)
{
  Miner *m = g_object_new (miner_get_type (), NULL);

  m->parent.live = live;
  return m;
}

/* -------------------------------------------------------------- a role */

typedef struct
{
  TestRole parent;
  gint     load;
} Carrier;

typedef struct
{
  TestRoleClass parent_class;
} CarrierClass;

GType carrier_get_type (void);
G_DEFINE_TYPE (Carrier, carrier, TEST_TYPE_ROLE)

static void
carrier_get_property (GObject *object, guint id, GValue *value, GParamSpec *pspec)
{
  g_value_set_int (value, ((Carrier *) object)->load);
}

static void
carrier_class_init (CarrierClass *klass)
{
  G_OBJECT_CLASS (klass)->get_property = carrier_get_property;
  g_object_class_install_property (G_OBJECT_CLASS (klass), 1,
    g_param_spec_int ("load", NULL, NULL, 0, G_MAXINT, 0, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  janus_role_class_add_probe (JANUS_ROLE_CLASS (klass), "load");
}

static void
carrier_init (Carrier *self)
{
}

static GType org_mine;

static void
org_mine_class_init (gpointer klass,
                     gpointer data)
{
  janus_organization_class_add_role (klass, carrier_get_type (), 0);
}

/* ------------------------------------------------------------- helpers */

static gint
probed_int (JanusProbe *probe,
            const char *name)
{
  g_autoptr(GVariant) v = janus_probe_get_value (probe, name);

  return v ? g_variant_get_int32 (v) : -1;
}

static void
dig (TestAgent *self,
     gpointer   data)
{
  Miner *m = (Miner *) self;

  m->gold += GPOINTER_TO_INT (data);
  m->twin = m->gold;
}

static void
set_label (TestAgent *self,
           gpointer   data)
{
  Miner *m = (Miner *) self;

  g_free (m->label);
  m->label = g_strdup (data);
}

static void
nothing (TestAgent *self,
         gpointer   data)
{
}

/* -------------------------------------------------------- declarations */

static void
test_declarations (void)
{
  GType deep = register_type (miner_get_type (), "DeepMiner", deep_miner_class_init);
  g_auto(GStrv) names = janus_type_list_probes (miner_get_type ());
  g_auto(GStrv) deep_names = janus_type_list_probes (deep);
  g_auto(GStrv) roles = janus_type_list_probes (carrier_get_type ());
  g_auto(GStrv) none = janus_type_list_probes (TEST_TYPE_AGENT);
  g_autofree char *joined = g_strjoinv (",", names);
  g_autofree char *deep_joined = g_strjoinv (",", deep_names);

  g_assert_cmpstr (joined, ==, "gold,twin,label");
  g_assert_cmpstr (deep_joined, ==, "gold,twin,label,secret");
  g_assert_cmpstr (roles[0], ==, "load");
  g_assert_null (roles[1]);
  g_assert_null (none[0]);
}

/* ---------------------------------------------------------------- values */

static void
test_values (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  g_autoptr(JanusClock) clock = janus_clock_new_virtual (500, 0);
  Miner *m = miner_new (deaf_live);
  g_autoptr(JanusProbe) probe = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) label = NULL;
  g_autoptr(GVariant) snap = NULL;
  g_auto(GStrv) names = NULL;
  guint64 serial;

  janus_kernel_set_clock (kernel, clock);
  launch_alive (kernel, &m->parent);
  m->label = g_strdup ("first");
  probe = janus_probe_new (AGENT (m), &error);
  g_assert_no_error (error);
  g_assert_true (janus_address_equal (janus_probe_get_address (probe), ADDR (m)));
  g_assert_true (janus_probe_is_alive (probe));
  /* nothing until the agent's next step, which the probe asked for */
  g_assert_cmpuint (janus_probe_get_serial (probe), ==, 0);
  g_assert_null (janus_probe_get_value (probe, "gold"));
  g_assert_null (janus_probe_dup_snapshot (probe));
  test_step (kernel);
  g_assert_cmpuint (janus_probe_get_serial (probe), ==, 1);
  g_assert_cmpint (janus_probe_get_time (probe), ==, 500);
  g_assert_cmpint (probed_int (probe, "gold"), ==, 0);
  label = janus_probe_get_value (probe, "label");
  g_assert_cmpstr (g_variant_get_string (label, NULL), ==, "first");
  /* not declared: never read */
  g_assert_null (janus_probe_get_value (probe, "secret"));
  names = janus_probe_list_names (probe);
  g_assert_cmpuint (g_strv_length (names), ==, 3);

  /* a change is published at the end of the step that made it */
  janus_clock_set_time (clock, 700, NULL);
  agent_do (kernel, &m->parent, dig, GINT_TO_POINTER (5));
  g_assert_cmpint (probed_int (probe, "gold"), ==, 5);
  g_assert_cmpuint (janus_probe_get_serial (probe), ==, 2);
  g_assert_cmpint (janus_probe_get_time (probe), ==, 700);
  /* a step that changes nothing publishes nothing new */
  serial = janus_probe_get_serial (probe);
  agent_do (kernel, &m->parent, nothing, NULL);
  g_assert_cmpuint (janus_probe_get_serial (probe), ==, serial);
  /* NULL values have no name */
  agent_do (kernel, &m->parent, set_label, NULL);
  g_assert_null (janus_probe_get_value (probe, "label"));
  g_clear_pointer (&names, g_strfreev);
  names = janus_probe_list_names (probe);
  g_assert_cmpuint (g_strv_length (names), ==, 2);

  /* typed reads */
  g_assert_null (janus_probe_get_typed (probe, "gold", G_VARIANT_TYPE_STRING, &error));
  g_assert_error (error, JANUS_PROBE_ERROR, JANUS_PROBE_ERROR_WRONG_TYPE);
  g_clear_error (&error);
  g_assert_null (janus_probe_get_typed (probe, "label", G_VARIANT_TYPE_STRING, &error));
  g_assert_error (error, JANUS_PROBE_ERROR, JANUS_PROBE_ERROR_NOT_DEFINED);
  g_clear_error (&error);
  {
    g_autoptr(GVariant) gold = janus_probe_get_typed (probe, "gold", G_VARIANT_TYPE_INT32, &error);
    g_assert_no_error (error);
    g_assert_cmpint (g_variant_get_int32 (gold), ==, 5);
  }

  /* the whole snapshot, for an inspector */
  snap = janus_probe_dup_snapshot (probe);
  g_assert_true (g_variant_is_of_type (snap, G_VARIANT_TYPE ("(txa{sv}a(sssa{sv}))")));
  finish (kernel, m, NULL);
  /* what the agent published last stays readable */
  g_assert_false (janus_probe_is_alive (probe));
  g_assert_null (janus_probe_dup_agent (probe));
  g_assert_cmpint (probed_int (probe, "gold"), ==, 5);
}

/* ------------------------------------------------------------- cost */

static void
test_nothing_without_probe (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  Miner *m = miner_new (deaf_live);
  JanusProbe *probe;
  gint before;

  launch_alive (kernel, &m->parent);
  agent_do (kernel, &m->parent, dig, GINT_TO_POINTER (1));
  /* declared, but no probe: the agent's properties are never read */
  g_assert_cmpint (m->reads, ==, 0);
  probe = janus_probe_new (AGENT (m), NULL);
  step_until_idle (kernel, 10);
  g_assert_cmpint (m->reads, >, 0);
  g_assert_cmpint (probed_int (probe, "gold"), ==, 1);
  g_object_unref (probe);
  before = m->reads;
  agent_do (kernel, &m->parent, dig, GINT_TO_POINTER (1));
  g_assert_cmpint (m->reads, ==, before);
  finish (kernel, m, NULL);
}

/* ---------------------------------------------------------------- roles */

typedef struct
{
  JanusGroup *g1;
  JanusGroup *g2;
  Carrier    *c1;
  Carrier    *c2;
} Roles;

static void
take_carriers (TestAgent *self,
               gpointer   data)
{
  Roles *r = data;

  r->c1 = (Carrier *) take (self, carrier_get_type (), r->g1);
  r->c2 = (Carrier *) take (self, carrier_get_type (), r->g2);
  r->c1->load = 10;
  r->c2->load = 20;
}

static void
leave_first (TestAgent *self,
             gpointer   data)
{
  Roles *r = data;

  leave (self, carrier_get_type (), r->g1);
}

static void
test_roles (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  Miner *m = miner_new (NULL);
  g_autoptr(JanusProbe) probe = NULL;
  g_autoptr(GVariant) first = NULL, in_g2 = NULL, gone = NULL, none = NULL;
  Roles r = { 0 };

  launch_alive (kernel, &m->parent);
  r.g1 = new_group (kernel, org_mine);
  r.g2 = janus_kernel_create_group_full (kernel, org_mine, "pit", NULL, NULL, NULL, NULL, NULL);
  janus_group_set_persistent (r.g1, TRUE);
  probe = janus_probe_new (AGENT (m), NULL);
  agent_do (kernel, &m->parent, take_carriers, &r);
  first = janus_probe_get_role_value (probe, carrier_get_type (), NULL, "load");
  in_g2 = janus_probe_get_role_value (probe, TEST_TYPE_ROLE, r.g2, "load");
  none = janus_probe_get_role_value (probe, carrier_get_type (), r.g1, "absent");
  g_assert_cmpint (g_variant_get_int32 (first), ==, 10);
  g_assert_cmpint (g_variant_get_int32 (in_g2), ==, 20);
  g_assert_null (none);
  {
    g_autoptr(GVariant) snap = janus_probe_dup_snapshot (probe);
    g_autoptr(GVariant) roles = g_variant_get_child_value (snap, 3);
    const char *type, *uuid, *name;

    g_assert_cmpuint (g_variant_n_children (roles), ==, 2);
    g_variant_get_child (roles, 1, "(&s&s&s@a{sv})", &type, &uuid, &name, NULL);
    g_assert_cmpstr (type, ==, "Carrier");
    g_assert_cmpstr (uuid, ==, janus_group_get_uuid (r.g2));
    g_assert_cmpstr (name, ==, "pit");
  }
  agent_do (kernel, &m->parent, leave_first, &r);
  gone = janus_probe_get_role_value (probe, carrier_get_type (), r.g1, "load");
  g_assert_null (gone);
  g_clear_object (&r.g1);
  g_clear_object (&r.g2);
  finish (kernel, m, NULL);
}

/* ------------------------------------------------- readers on threads */

/* fewer under valgrind, whose threads run one at a time */
#define TARGET (test_small () ? 40 : 400)

/* Between two publications gold and twin differ; a snapshot never does. */
static JanusLive
torn_live (TestAgent *self)
{
  Miner *m = (Miner *) self;

  m->gold++;
  g_thread_yield ();
  m->twin = m->gold;
  return m->gold < TARGET ? JANUS_LIVE_AGAIN : JANUS_LIVE_WAIT;
}

typedef struct
{
  JanusProbe *probe;
  guint       reads;
  guint       torn;
  guint       backwards;
  gint        last_gold;
} Reader;

static gpointer
reader_thread (gpointer data)
{
  Reader *r = data;
  gint64 deadline = g_get_monotonic_time () + DEADLINE_USEC;
  guint64 last_serial = 0;

  while (r->last_gold < TARGET && g_get_monotonic_time () < deadline)
    {
      g_autoptr(GVariant) snap = janus_probe_dup_snapshot (r->probe);
      g_autoptr(GVariant) values = NULL;
      gint gold = -1, twin = -2;
      guint64 serial;

      g_thread_yield ();
      if (snap == NULL)
        continue;
      values = g_variant_get_child_value (snap, 2);
      g_variant_get_child (snap, 0, "t", &serial);
      g_variant_lookup (values, "gold", "i", &gold);
      g_variant_lookup (values, "twin", "i", &twin);
      r->reads++;
      r->torn += gold != twin;
      r->backwards += serial < last_serial || gold < r->last_gold;
      last_serial = serial;
      r->last_gold = gold;
    }
  return NULL;
}

static void
test_threads (guint         workers,
              gconstpointer data)
{
  JanusKernel *kernel = janus_kernel_new (workers);
  Miner *m = miner_new (torn_live);
  Reader readers[2] = { 0 };
  GThread *threads[2];
  GThread *driver = NULL;

  g_assert_true (janus_kernel_launch_light_agent (kernel, AGENT (m), NULL, NULL, NULL));
  for (int i = 0; i < 2; i++)
    {
      readers[i].probe = janus_probe_new (AGENT (m), NULL);
      threads[i] = g_thread_new ("reader", reader_thread, &readers[i]);
    }
  if (workers == 0)
    {
      janus_kernel_set_keep_alive (kernel, TRUE);
      driver = g_thread_new ("driver", (GThreadFunc) janus_kernel_run, kernel);
    }
  for (int i = 0; i < 2; i++)
    g_thread_join (threads[i]);
  if (driver != NULL)
    {
      janus_kernel_quit (kernel);
      g_thread_join (driver);
    }
  for (int i = 0; i < 2; i++)
    {
      g_assert_cmpint (readers[i].last_gold, ==, TARGET);
      g_assert_cmpuint (readers[i].reads, >, 0);
      g_assert_cmpuint (readers[i].torn, ==, 0);
      g_assert_cmpuint (readers[i].backwards, ==, 0);
      g_object_unref (readers[i].probe);
    }
  finish (kernel, m, NULL);
}

/* -------------------------------------------------------------- heavy */

typedef struct
{
  GMutex      lock;
  GCond       cond;
  atomic_int  published;
  atomic_int  go;
} HeavyPub;

static JanusLive
heavy_pub_live (TestAgent *self)
{
  Miner *m = (Miner *) self;
  HeavyPub *h = self->data;

  /* a long live: publishes by itself, in the middle */
  m->gold = m->twin = 42;
  janus_agent_publish_probes (AGENT (self));
  test_bump (&h->lock, &h->cond, &h->published);
  g_assert_true (test_wait_count (&h->lock, &h->cond, &h->go, 1));
  return JANUS_LIVE_DONE;
}

static void
test_heavy (void)
{
  JanusKernel *kernel = janus_kernel_new (2);
  HeavyPub h = { 0 };
  Miner *m = miner_new (heavy_pub_live);
  g_autoptr(JanusProbe) probe = NULL;

  g_mutex_init (&h.lock);
  g_cond_init (&h.cond);
  m->parent.data = &h;
  /* watched before its first step: the probe exists before live runs */
  m->parent.on_activate = NULL;
  g_assert_true (janus_kernel_launch_heavy_agent (kernel, AGENT (m), NULL, NULL, NULL));
  probe = janus_probe_new (AGENT (m), NULL);
  g_assert_true (test_wait_count (&h.lock, &h.cond, &h.published, 1));
  /* the probe might have come after live began: then its explicit
   * publication is the one that shows 42 */
  if (probed_int (probe, "gold") != 42)
    g_assert_cmpint (janus_probe_get_serial (probe), ==, 0);
  test_bump (&h.lock, &h.cond, &h.go);
  janus_kernel_shutdown (kernel);
  g_assert_cmpint (probed_int (probe, "gold"), ==, 42);
  g_assert_finalize_object (kernel);
  g_clear_object (&probe);
  g_assert_finalize_object (m);
  g_mutex_clear (&h.lock);
  g_cond_clear (&h.cond);
}

/* ----------------------------------------------------------- bad input */

static void
bad_call (const char *name)
{
  g_autoptr(JanusKernel) kernel = janus_kernel_new (2);
  Miner *m = miner_new (deaf_live);

  if (g_str_equal (name, "no-such-property"))
    janus_agent_type_add_probe (miner_get_type (), "nope");
  else if (g_str_equal (name, "unreadable-type"))
    janus_agent_type_add_probe (miner_get_type (), "kernel");   /* an object */
  else if (g_str_equal (name, "not-an-agent-type"))
    janus_agent_type_add_probe (carrier_get_type (), "load");
  else if (g_str_equal (name, "null-agent"))
    g_assert_null (janus_probe_new (NULL, NULL));
  else if (g_str_equal (name, "publish-not-the-owner"))
    {
      launch_ok (kernel, m, NULL, NULL);
      janus_agent_publish_probes (AGENT (m));
    }
  janus_kernel_shutdown (kernel);
  g_object_unref (m);
}

static const char *const bad_calls[] = {
  "no-such-property", "unreadable-type", "not-an-agent-type", "null-agent",
  "publish-not-the-owner",
};

static void
test_not_launched (void)
{
  g_autoptr(JanusAgent) m = JANUS_AGENT (miner_new (deaf_live));
  g_autoptr(GError) error = NULL;

  g_assert_null (janus_probe_new (m, &error));
  g_assert_error (error, JANUS_PROBE_ERROR, JANUS_PROBE_ERROR_NOT_LAUNCHED);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  org_mine = register_type (JANUS_TYPE_ORGANIZATION, "ProbeOrg", org_mine_class_init);

  g_test_add_func ("/probe/declarations", test_declarations);
  g_test_add_func ("/probe/values", test_values);
  g_test_add_func ("/probe/nothing-without-probe", test_nothing_without_probe);
  g_test_add_func ("/probe/roles", test_roles);
  add_on_workers ("/probe/threads", test_threads, NULL);
  g_test_add_func ("/probe/heavy", test_heavy);
  g_test_add_func ("/probe/not-launched", test_not_launched);
  add_critical_cases ("/probe/bad-input", bad_call, bad_calls, G_N_ELEMENTS (bad_calls));

  return g_test_run ();
}
