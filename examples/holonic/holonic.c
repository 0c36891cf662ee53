/* SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * holonic: a production line made of holons.
 *
 *   holonic [--orders N] [--workers N] [--seed S] [--dump DIR]
 *
 * The factory is a super-holon. Its head, the planner, receives the orders
 * sent to the factory (they are routed to it) and works them one at a
 * time: for each operation of an order it asks the factory for a capacity
 * — Cut, Paint, Assemble, Polish — which the factory offers only through
 * its members: the call goes from the factory (Super) to its head (the
 * planner, again) to the workshop that offers it (a Part), whose own head
 * passes it to one of its machine holons, and the result comes back up.
 *
 * On the way the line reorganises itself:
 *  - after the third order, painting merges into finishing: its sprayer
 *    moves over, and the empty painting workshop is ended;
 *  - after the sixth, cutting decomposes: its saws become members of the
 *    factory itself, which then offers Cut directly;
 *  - robot-1 jams on its second job: it fails, its workshop's supervision
 *    restarts a new robot-1 after a back-off, and the planner retries.
 *
 * Everything is printed by the planner, which does one thing at a time;
 * every choice is deterministic (the orders come from a GRand seeded with
 * --seed, the heads choose their machines in turn), so the output is the
 * same on any number of workers. The holarchy is written as DOT and JSON
 * into --dump (the current directory by default) and rendered to SVG when
 * Graphviz's dot is installed. Exits with 0 when every order was shipped.
 */
#include <stdlib.h>

#include <janus.h>

/* ---------------------------------------------------------- capacities */

#define DECLARE_CAPACITY(Name, name, NAME)                                        \
  G_DECLARE_INTERFACE (Line##Name, line_##name, LINE, NAME, JanusCapacity)        \
  struct _Line##Name##Interface { GTypeInterface g_iface; };                      \
  G_DEFINE_INTERFACE (Line##Name, line_##name, JANUS_TYPE_CAPACITY)               \
  static void line_##name##_default_init (Line##Name##Interface *iface) { }

DECLARE_CAPACITY (Cut, cut, CUT)
DECLARE_CAPACITY (Paint, paint, PAINT)
DECLARE_CAPACITY (Assemble, assemble, ASSEMBLE)
DECLARE_CAPACITY (Polish, polish, POLISH)

static GType
capacity_for (const char *operation)
{
  if (g_str_equal (operation, "cut"))
    return line_cut_get_type ();
  if (g_str_equal (operation, "paint"))
    return line_paint_get_type ();
  if (g_str_equal (operation, "assemble"))
    return line_assemble_get_type ();
  return line_polish_get_type ();
}

/* ------------------------------------------------------------- machines */

/* A machine holon: an atomic holon with one tool. It works in its own
 * step (the holon passes it the request there) and fails when it jams. */
#define LINE_TYPE_MACHINE (line_machine_get_type ())
G_DECLARE_DERIVABLE_TYPE (LineMachine, line_machine, LINE, MACHINE, JanusHolon)

struct _LineMachineClass
{
  JanusHolonClass parent_class;
  const char     *operation;
};

typedef struct
{
  guint    jobs;
  gboolean jammed;
} LineMachinePrivate;

G_DEFINE_TYPE_WITH_PRIVATE (LineMachine, line_machine, JANUS_TYPE_HOLON)

/* Which instance of which machine jams on which job. */
static struct { const char *name; guint job; gint jams_left; } fault_plan = { "robot-1", 2, 1 };

/* A tool performs the machine's operation: one class per capacity, so a
 * machine offers exactly the capacity of its tool. */
typedef struct
{
  GObject      parent_instance;
  LineMachine *machine;         /* borrowed: the machine owns its tool */
} LineTool;

typedef struct
{
  GObjectClass parent_class;
} LineToolClass;

static GVariant *
line_tool_invoke (JanusCapacity  *capacity,
                  GVariant       *input,
                  GError        **error)
{
  LineTool *self = (LineTool *) capacity;
  LineMachinePrivate *priv = line_machine_get_instance_private (self->machine);
  const char *name = janus_agent_get_name (JANUS_AGENT (self->machine));
  const char *product;
  guint32 order;

  g_variant_get (input, "(&su)", &product, &order);
  priv->jobs++;
  if (g_str_equal (name, fault_plan.name) && priv->jobs == fault_plan.job && fault_plan.jams_left > 0)
    {
      fault_plan.jams_left--;
      priv->jammed = TRUE;      /* its live fails at the end of this step */
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s jammed on %s #%u", name, product, order);
      return NULL;
    }
  return g_variant_new ("(s)", name);
}

static void
line_tool_capacity_init (JanusCapacityInterface *iface)
{
  iface->invoke = line_tool_invoke;
}

#define DEFINE_TOOL(Name, name)                                                   \
  typedef LineTool Line##Name##Tool;                                              \
  typedef LineToolClass Line##Name##ToolClass;                                    \
  GType line_##name##_tool_get_type (void);                                       \
  static void line_##name##_tool_iface_init (Line##Name##Interface *iface) { }    \
  G_DEFINE_TYPE_WITH_CODE (Line##Name##Tool, line_##name##_tool, G_TYPE_OBJECT,   \
                           G_IMPLEMENT_INTERFACE (JANUS_TYPE_CAPACITY,            \
                                                  line_tool_capacity_init)        \
                           G_IMPLEMENT_INTERFACE (line_##name##_get_type (),      \
                                                  line_##name##_tool_iface_init)) \
  static void line_##name##_tool_class_init (Line##Name##ToolClass *klass) { }    \
  static void line_##name##_tool_init (Line##Name##Tool *self) { }

DEFINE_TOOL (Cut, cut)
DEFINE_TOOL (Paint, paint)
DEFINE_TOOL (Assemble, assemble)
DEFINE_TOOL (Polish, polish)

static GType
tool_for (const char *operation)
{
  if (g_str_equal (operation, "cut"))
    return line_cut_tool_get_type ();
  if (g_str_equal (operation, "paint"))
    return line_paint_tool_get_type ();
  if (g_str_equal (operation, "assemble"))
    return line_assemble_tool_get_type ();
  return line_polish_tool_get_type ();
}

/* A C agent fails by returning a value outside JanusLive from live (what a
 * language binding returns after an exception): the kernel reports it and
 * the agent ends; its super-holon supervises it. */
#define LINE_MACHINE_FAILS ((JanusLive) 0)

static JanusLive
line_machine_live (JanusAgent *agent)
{
  LineMachinePrivate *priv = line_machine_get_instance_private (LINE_MACHINE (agent));

  if (priv->jammed)
    return LINE_MACHINE_FAILS;
  return JANUS_AGENT_CLASS (line_machine_parent_class)->live (agent);
}

/* The tool is there from construction: a restarted machine offers its
 * capacity as soon as it is a member. */
static void
line_machine_constructed (GObject *object)
{
  LineMachine *self = LINE_MACHINE (object);
  const char *operation = LINE_MACHINE_GET_CLASS (self)->operation;
  LineTool *tool = g_object_new (tool_for (operation), NULL);

  G_OBJECT_CLASS (line_machine_parent_class)->constructed (object);
  tool->machine = self;
  janus_agent_add_capacity (JANUS_AGENT (self), capacity_for (operation), tool);
  g_object_unref (tool);
}

static void
line_machine_class_init (LineMachineClass *klass)
{
  G_OBJECT_CLASS (klass)->constructed = line_machine_constructed;
  JANUS_AGENT_CLASS (klass)->live = line_machine_live;
}

static void
line_machine_init (LineMachine *self)
{
}

#define DEFINE_MACHINE(Name, name, NAME, OPERATION)                               \
  G_DECLARE_FINAL_TYPE (Line##Name, line_##name, LINE, NAME, LineMachine)         \
  struct _Line##Name { LineMachine parent_instance; };                           \
  G_DEFINE_FINAL_TYPE (Line##Name, line_##name, LINE_TYPE_MACHINE)                \
  static void line_##name##_class_init (Line##Name##Class *klass)                 \
  { LINE_MACHINE_CLASS (klass)->operation = OPERATION; }                         \
  static void line_##name##_init (Line##Name *self) { }

DEFINE_MACHINE (Saw, saw, SAW, "cut")
DEFINE_MACHINE (Sprayer, sprayer, SPRAYER, "paint")
DEFINE_MACHINE (Robot, robot, ROBOT, "assemble")
DEFINE_MACHINE (Polisher, polisher, POLISHER, "polish")

/* ------------------------------------------------------------ heads' choice */

/* Heads give the work to the offering members in turn: with one call at a
 * time, the choice depends only on the history of calls. */
static guint
in_turn (JanusHolon *holon,
         GType       capacity_type,
         GPtrArray  *candidates,
         gpointer    user_data)
{
  gint *turn = user_data;

  return (guint) g_atomic_int_add (turn, 1) % candidates->len;
}

static JanusHolon *
new_workshop (JanusHolon *factory,
              const char *name)
{
  JanusHolon *workshop = janus_holon_new ();
  g_autoptr(GError) error = NULL;

  janus_holon_set_provider_func (workshop, in_turn, g_new0 (gint, 1), g_free);
  janus_holon_set_supervision (workshop, JANUS_SUPERVISION_RESTART);
  janus_holon_set_restart_backoff (workshop, 20 * 1000);
  janus_holon_set_max_restarts (workshop, 3);
  if (!janus_holon_spawn_member (factory, JANUS_AGENT (workshop), name, NULL, &error))
    g_error ("%s", error->message);
  return workshop;
}

static void
add_machine (JanusHolon *workshop,
             GType       type,
             const char *name)
{
  g_autoptr(JanusAgent) machine = g_object_new (type, NULL);
  g_autoptr(GError) error = NULL;

  if (!janus_holon_spawn_member (workshop, machine, name, NULL, &error))
    g_error ("%s", error->message);
}

/* -------------------------------------------------------------- printing */

static void
print_tree (JanusHolon *holon,
            const char *prefix)
{
  g_autoptr(GPtrArray) members = janus_holon_list_members (holon);
  guint i;

  for (i = 0; i < members->len; i++)
    {
      JanusAgent *member = members->pdata[i];
      gboolean last = i + 1 == members->len;
      g_autofree char *deeper = g_strconcat (prefix, last ? "   " : "|  ", NULL);

      g_print ("%s%s %s%s\n", prefix, last ? "`-" : "|-", janus_agent_get_name (member),
               janus_holon_is_head (holon, member) ? " (head)" : "");
      if (JANUS_IS_HOLON (member))
        print_tree (JANUS_HOLON (member), deeper);
    }
}

static void
print_holarchy (JanusHolon *factory)
{
  g_print ("%s\n", janus_agent_get_name (JANUS_AGENT (factory)));
  print_tree (factory, "");
}

/* --------------------------------------------------------------- planner */

typedef struct
{
  const char  *product;
  const char **operations;      /* NULL-terminated */
} Product;

static const char *table_ops[] = { "cut", "assemble", "paint", NULL };
static const char *chair_ops[] = { "cut", "assemble", "polish", NULL };
static const char *shelf_ops[] = { "cut", "paint", NULL };
static const char *cabinet_ops[] = { "cut", "assemble", "paint", "polish", NULL };

static const Product products[] = {
  { "table", table_ops },
  { "chair", chair_ops },
  { "shelf", shelf_ops },
  { "cabinet", cabinet_ops },
};

#define LINE_TYPE_PLANNER (line_planner_get_type ())
G_DECLARE_FINAL_TYPE (LinePlanner, line_planner, LINE, PLANNER, JanusAgent)

/* Everything is written in the planner's steps; main reads it after the run. */
struct _LinePlanner
{
  JanusAgent   parent_instance;

  JanusHolon  *factory;         /* borrowed: the factory outlives its members */
  JanusHolon  *workshops[4];    /* cutting, painting, assembly, finishing */
  char        *dump_dir;
  guint        n_orders;

  GQueue       orders;          /* JanusMessage waiting */
  JanusMessage *order;          /* the order at work */
  const Product *product;
  guint        operation;       /* index in product->operations */
  guint        done;
  guint        operations;
  guint        failures;
  guint        restarts;
  gboolean     waiting_result;
  gboolean     waiting_restart;
  char        *restarted;       /* a restart notice that came early */
};

G_DEFINE_FINAL_TYPE (LinePlanner, line_planner, JANUS_TYPE_AGENT)

static void next_operation (LinePlanner *self);

static const Product *
product_named (const char *name)
{
  guint i;

  for (i = 0; i < G_N_ELEMENTS (products); i++)
    if (g_str_equal (products[i].product, name))
      return &products[i];
  return NULL;
}

/* The line changes at two fixed points of the work. */
static void
reorganise (LinePlanner *self)
{
  JanusKernel *kernel = janus_agent_get_kernel (JANUS_AGENT (self));
  g_autoptr(GError) error = NULL;

  if (self->done == 3)
    {
      JanusHolon *painting = self->workshops[1], *finishing = self->workshops[3];

      g_print ("[reorganisation] painting merges into finishing\n");
      if (!janus_holon_merge_into (finishing, painting, &error)
          || !janus_holon_remove_member (self->factory, JANUS_AGENT (painting), &error))
        g_error ("%s", error->message);
      janus_kernel_kill (kernel, JANUS_AGENT (painting), NULL);
      print_holarchy (self->factory);
      g_print ("\n");
    }
  else if (self->done == 6)
    {
      JanusHolon *cutting = self->workshops[0];
      g_autoptr(GPtrArray) saws = janus_holon_list_members (cutting);
      guint i;

      g_print ("[reorganisation] cutting decomposes: its saws join the factory\n");
      for (i = 0; i < saws->len; i++)
        if (!janus_holon_move_member (cutting, saws->pdata[i], self->factory, &error))
          g_error ("%s", error->message);
      if (!janus_holon_remove_member (self->factory, JANUS_AGENT (cutting), &error))
        g_error ("%s", error->message);
      janus_kernel_kill (kernel, JANUS_AGENT (cutting), NULL);
      print_holarchy (self->factory);
      g_print ("\n");
    }
}

static void
finish (LinePlanner *self)
{
  JanusKernel *kernel = janus_agent_get_kernel (JANUS_AGENT (self));
  g_autofree char *dot = janus_holarchy_to_dot_data (kernel, self->factory,
                                                     JANUS_HOLARCHY_SHOW_ROLES
                                                     | JANUS_HOLARCHY_SHOW_GROUPS
                                                     | JANUS_HOLARCHY_SHOW_TYPES);
  g_autofree char *json = janus_holarchy_to_json_data (kernel, self->factory,
                                                       JANUS_HOLARCHY_SHOW_ALL & ~JANUS_HOLARCHY_SHOW_MAILBOXES);
  g_autofree char *dot_path = g_build_filename (self->dump_dir, "holonic.dot", NULL);
  g_autofree char *json_path = g_build_filename (self->dump_dir, "holonic.json", NULL);

  g_print ("\nfinal holarchy\n");
  print_holarchy (self->factory);
  if (!g_file_set_contents (dot_path, dot, -1, NULL) || !g_file_set_contents (json_path, json, -1, NULL))
    g_printerr ("cannot write the holarchy into %s\n", self->dump_dir);
  g_print ("\n%u orders shipped, %u operations, %u failure%s, %u restart%s\n", self->done,
           self->operations, self->failures, self->failures == 1 ? "" : "s",
           self->restarts, self->restarts == 1 ? "" : "s");
  /* ending the factory ends its members first, deepest first */
  janus_kernel_kill (kernel, JANUS_AGENT (self->factory), NULL);
}

static void
next_order (LinePlanner *self)
{
  const char *name;
  guint32 id;

  g_clear_pointer (&self->order, janus_message_unref);
  if (self->done == self->n_orders)
    {
      finish (self);
      return;
    }
  self->order = g_queue_pop_head (&self->orders);
  if (self->order == NULL)
    return;                     /* it has not arrived yet */
  g_variant_get (janus_message_get_body (self->order), "(&su)", &name, &id);
  self->product = product_named (name);
  self->operation = 0;
  g_print ("order %2u: %s\n", id, name);
  next_operation (self);
}

static void
on_operation_done (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  LinePlanner *self = user_data;
  const char *operation = self->product->operations[self->operation];
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) value = janus_holon_invoke_capacity_finish (JANUS_HOLON (source), result, &error);

  self->waiting_result = FALSE;
  if (value == NULL)
    {
      g_print ("  %-9s FAILED: %s\n", operation, error->message);
      self->failures++;
      self->waiting_restart = TRUE;
      if (self->restarted != NULL)
        janus_agent_wake (JANUS_AGENT (self));    /* the notice came first */
      return;
    }
  {
    const char *machine;

    g_variant_get (value, "(&s)", &machine);
    g_print ("  %-9s %s\n", operation, machine);
  }
  self->operations++;
  self->operation++;
  next_operation (self);
}

static void
next_operation (LinePlanner *self)
{
  const char *operation = self->product->operations[self->operation];
  const char *name;
  guint32 id;

  if (operation == NULL)
    {
      g_print ("  shipped\n");
      self->done++;
      reorganise (self);
      next_order (self);
      return;
    }
  g_variant_get (janus_message_get_body (self->order), "(&su)", &name, &id);
  self->waiting_result = TRUE;
  /* Super → Head (this planner) → the workshop that offers it → a machine */
  janus_holon_invoke_capacity_async (self->factory, capacity_for (operation),
                                     g_variant_new ("(su)", name, id), NULL, on_operation_done, self);
}

/* A machine was restarted: retry the operation that failed. */
static void
restarted (LinePlanner *self)
{
  g_print ("[supervision] %s restarted by its workshop\n", self->restarted);
  g_clear_pointer (&self->restarted, g_free);
  self->restarts++;
  self->waiting_restart = FALSE;
  next_operation (self);
}

static JanusLive
line_planner_live (JanusAgent *agent)
{
  LinePlanner *self = LINE_PLANNER (agent);
  JanusMessage *m;

  while ((m = janus_agent_get_message (agent)) != NULL)
    {
      if (janus_message_has_subject (m, "order"))
        {
          g_queue_push_tail (&self->orders, m);
          continue;
        }
      if (janus_message_has_subject (m, "restarted"))
        {
          g_free (self->restarted);
          self->restarted = g_variant_dup_string (janus_message_get_body (m), NULL);
        }
      janus_message_unref (m);
    }
  if (self->waiting_restart && self->restarted != NULL)
    restarted (self);
  else if (self->order == NULL && !self->waiting_result && self->done < self->n_orders)
    next_order (self);
  return JANUS_LIVE_WAIT;
}

static void
line_planner_finalize (GObject *object)
{
  LinePlanner *self = LINE_PLANNER (object);

  g_queue_clear_full (&self->orders, (GDestroyNotify) janus_message_unref);
  g_clear_pointer (&self->order, janus_message_unref);
  g_free (self->restarted);
  g_free (self->dump_dir);
  G_OBJECT_CLASS (line_planner_parent_class)->finalize (object);
}

static void
line_planner_class_init (LinePlannerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = line_planner_finalize;
  JANUS_AGENT_CLASS (klass)->live = line_planner_live;
}

static void
line_planner_init (LinePlanner *self)
{
  g_queue_init (&self->orders);
}

/* A workshop restarted a machine (in the workshop's step): tell the
 * planner, which does everything in its own steps. */
static void
on_member_added (JanusHolon *workshop,
                 JanusAgent *member,
                 gpointer    user_data)
{
  JanusKernel *kernel = janus_agent_get_kernel (member);

  if (g_strcmp0 (janus_agent_get_name (member), fault_plan.name) != 0)
    return;
  janus_kernel_send (kernel, janus_agent_get_address (user_data),
                     janus_message_new ("restarted", g_variant_new_string (janus_agent_get_name (member))),
                     NULL);
}

/* ------------------------------------------------------------------ main */

static gint members_ended;

static void
on_members_ended (JanusHolon *factory,
                  gpointer    user_data)
{
  g_atomic_int_set (&members_ended, 1);
}

static void
render_svg (const char *dir)
{
  g_autofree char *dot = g_find_program_in_path ("dot");
  g_autofree char *in = g_build_filename (dir, "holonic.dot", NULL);
  g_autofree char *out = g_build_filename (dir, "holonic.svg", NULL);
  const char *argv[] = { dot, "-Tsvg", in, "-o", out, NULL };
  gint status;

  if (dot == NULL)
    {
      g_print ("holarchy written to holonic.dot and holonic.json (install graphviz for an SVG)\n");
      return;
    }
  if (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, NULL, &status, NULL)
      && g_spawn_check_wait_status (status, NULL))
    g_print ("holarchy written to holonic.dot, holonic.json and holonic.svg\n");
  else
    g_printerr ("dot could not render %s\n", in);
}

int
main (int    argc,
      char **argv)
{
  gint orders = 10, workers = 0;
  gint64 seed = 42;
  g_autofree char *dump = NULL;
  g_autoptr(GOptionContext) context = g_option_context_new ("- a production line made of holons");
  GOptionEntry entries[] = {
    { "orders", 'n', 0, G_OPTION_ARG_INT, &orders, "Orders to work (default 10)", "N" },
    { "workers", 'w', 0, G_OPTION_ARG_INT, &workers, "Worker threads (default 0)", "N" },
    { "seed", 's', 0, G_OPTION_ARG_INT64, &seed, "Seed of the orders (default 42)", "S" },
    { "dump", 'd', 0, G_OPTION_ARG_FILENAME, &dump, "Where to write the holarchy (default .)", "DIR" },
    { NULL }
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(JanusKernel) kernel = NULL;
  g_autoptr(JanusHolon) factory = NULL;
  g_autoptr(LinePlanner) planner = NULL;
  g_autoptr(GRand) rand = NULL;
  gboolean ok;
  gint i;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || orders < 0 || workers < 0)
    {
      g_printerr ("%s\n", error ? error->message : "--orders and --workers take N >= 0");
      return 2;
    }
  g_print ("a production line made of holons (seed %" G_GINT64_FORMAT ", %d order%s)\n\n",
           seed, orders, orders == 1 ? "" : "s");

  kernel = janus_kernel_new ((guint) workers);
  janus_kernel_set_seed (kernel, (guint64) seed);
  factory = janus_holon_new ();
  janus_holon_set_provider_func (factory, in_turn, g_new0 (gint, 1), g_free);
  g_signal_connect (factory, "members-ended", G_CALLBACK (on_members_ended), NULL);
  if (!janus_kernel_launch_light_agent (kernel, JANUS_AGENT (factory), "factory", NULL, &error))
    g_error ("%s", error->message);

  /* the planner joins first: it is the factory's head */
  planner = g_object_new (LINE_TYPE_PLANNER, NULL);
  planner->factory = factory;
  planner->n_orders = (guint) orders;
  planner->dump_dir = g_strdup (dump ? dump : ".");
  if (!janus_holon_spawn_member (factory, JANUS_AGENT (planner), "planner", NULL, &error))
    g_error ("%s", error->message);

  planner->workshops[0] = new_workshop (factory, "cutting");
  add_machine (planner->workshops[0], line_saw_get_type (), "saw-1");
  add_machine (planner->workshops[0], line_saw_get_type (), "saw-2");
  planner->workshops[1] = new_workshop (factory, "painting");
  add_machine (planner->workshops[1], line_sprayer_get_type (), "sprayer-1");
  planner->workshops[2] = new_workshop (factory, "assembly");
  add_machine (planner->workshops[2], line_robot_get_type (), "robot-1");
  add_machine (planner->workshops[2], line_robot_get_type (), "robot-2");
  planner->workshops[3] = new_workshop (factory, "finishing");
  add_machine (planner->workshops[3], line_polisher_get_type (), "polisher-1");
  g_signal_connect (planner->workshops[2], "member-added", G_CALLBACK (on_member_added), planner);
  print_holarchy (factory);
  g_print ("\n");

  /* the orders go to the factory; the factory routes them to its head */
  rand = g_rand_new_with_seed ((guint32) seed);
  for (i = 1; i <= orders; i++)
    {
      const Product *p = &products[g_rand_int_range (rand, 0, G_N_ELEMENTS (products))];

      janus_kernel_send (kernel, janus_agent_get_address (JANUS_AGENT (factory)),
                         janus_message_new ("order", g_variant_new ("(su)", p->product, (guint32) i)), NULL);
    }
  if (orders == 0)
    janus_kernel_kill (kernel, JANUS_AGENT (factory), NULL);
  janus_kernel_run (kernel);    /* returns when the factory and its members are gone */

  ok = planner->done == (guint) orders && g_atomic_int_get (&members_ended);
  g_print ("factory: every member ended, then the factory\n");
  render_svg (planner->dump_dir);
  for (i = 0; i < 4; i++)
    g_object_unref (planner->workshops[i]);
  return ok ? 0 : 1;
}
