/* SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Holarchy dumps: the DOT graph (clusters, nodes, edges, styles; rendered
 * by Graphviz when it is installed) and the JSON description (checked
 * field by field against the holarchy), a subtree, the details flags,
 * mailbox depths where they may be read, and the file writer gated by
 * JANUS_DEBUG_DUMP_DIR.
 */
#include <string.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "holon-test.h"

typedef struct
{
  JanusKernel *kernel;
  JanusHolon  *factory, *w1, *w2;
  TestAgent        *planner, *m1, *m2, *m3, *shared;
} Plant;

/* factory(planner*, w1(m1* m2 shared), w2(m3* shared)), * = head */
static void
plant_build (Plant *p,
             guint  workers)
{
  p->kernel = janus_kernel_new (workers);
  p->factory = launch_holon (p->kernel, "factory");
  p->planner = spawn_cell (p->factory, "planner");
  p->w1 = janus_holon_new ();
  p->w2 = janus_holon_new ();
  g_assert_true (janus_holon_spawn_member (p->factory, JANUS_AGENT (p->w1), "w1", NULL, NULL));
  g_assert_true (janus_holon_spawn_member (p->factory, JANUS_AGENT (p->w2), "w2", NULL, NULL));
  p->m1 = spawn_cell (p->w1, "m1");
  p->m2 = spawn_cell (p->w1, "m2");
  p->m3 = spawn_cell (p->w2, "m3");
  p->shared = test_agent_new (NULL, NULL);
  janus_holon_set_shareable (JANUS_AGENT (p->shared), TRUE);
  p->shared->live = NULL;
  g_assert_true (janus_holon_spawn_member (p->w1, JANUS_AGENT (p->shared), "shared", NULL, NULL));
  g_assert_true (janus_holon_add_member (p->w2, JANUS_AGENT (p->shared), JANUS_MEMBERSHIP_MULTI_PART, NULL));
}

static void
plant_clear (Plant *p)
{
  janus_kernel_shutdown (p->kernel);
  g_object_unref (p->factory);
  g_object_unref (p->w1);
  g_object_unref (p->w2);
  g_object_unref (p->planner);
  g_object_unref (p->m1);
  g_object_unref (p->m2);
  g_object_unref (p->m3);
  g_object_unref (p->shared);
  g_object_unref (p->kernel);
}

static guint
count (const char *text,
       const char *what)
{
  guint n = 0;

  for (text = strstr (text, what); text != NULL; text = strstr (text + 1, what))
    n++;
  return n;
}

static void
test_dot (void)
{
  g_autofree char *dot = NULL, *bare = NULL;
  g_autofree char *dot_program = g_find_program_in_path ("dot");
  Plant p;

  plant_build (&p, 0);
  step_until_idle (p.kernel, 10000);
  dot = janus_holarchy_to_dot_data (p.kernel, NULL, JANUS_HOLARCHY_SHOW_ALL);
  g_assert_true (g_str_has_prefix (dot, "digraph holarchy {\n"));
  g_assert_true (g_str_has_suffix (dot, "}\n"));
  /* three composed holons, eight agents, eight memberships */
  g_assert_cmpuint (count (dot, "subgraph cluster_"), ==, 3);
  g_assert_cmpuint (count (dot, "shape=house"), ==, 3);
  g_assert_cmpuint (count (dot, " -> "), ==, 8);
  g_assert_cmpuint (count (dot, "label=\"factory\\n"), ==, 2);      /* cluster and node */
  g_assert_cmpuint (count (dot, "label=\"m3\\nTestAgent"), ==, 1);
  g_assert_cmpuint (count (dot, "style=dashed"), ==, 2);            /* shared, twice */
  g_assert_cmpuint (count (dot, "label=\"head, part\""), ==, 3);
  g_assert_cmpuint (count (dot, "label=\"multi-part\""), ==, 2);
  g_assert_cmpuint (count (dot, "[alive]"), ==, 8);
  g_assert_cmpuint (count (dot, "mailbox: 0"), ==, 8);
  g_assert_cmpuint (count (dot, "group "), ==, 3);
  g_assert_cmpuint (count (dot, "janus://"), ==, 8);

  /* no details: names and structure only */
  bare = janus_holarchy_to_dot_data (p.kernel, NULL, 0);
  g_assert_cmpuint (count (bare, "subgraph cluster_"), ==, 3);
  g_assert_cmpuint (count (bare, " -> "), ==, 8);
  g_assert_cmpuint (count (bare, "[alive]"), ==, 0);
  g_assert_cmpuint (count (bare, "label=\"head"), ==, 0);
  g_assert_cmpuint (count (bare, "janus://"), ==, 0);

  if (dot_program != NULL)
    {
      g_autofree char *dir = g_dir_make_tmp ("janus-dump-XXXXXX", NULL);
      g_autofree char *in = g_build_filename (dir, "plant.dot", NULL);
      g_autofree char *out = g_build_filename (dir, "plant.svg", NULL);
      g_autofree char *svg = NULL;
      const char *argv[] = { dot_program, "-Tsvg", in, "-o", out, NULL };
      gint status = -1;

      g_assert_true (g_file_set_contents (in, dot, -1, NULL));
      g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                                   NULL, NULL, &status, NULL));
      g_assert_true (g_spawn_check_wait_status (status, NULL));
      g_assert_true (g_file_get_contents (out, &svg, NULL, NULL));
      g_assert_nonnull (strstr (svg, "<svg"));
      g_assert_nonnull (strstr (svg, "planner"));
      g_remove (in);
      g_remove (out);
      g_rmdir (dir);
    }
  else
    g_test_message ("graphviz's dot is not installed: the DOT is not rendered");
  plant_clear (&p);
}

static JsonObject *
agent_at (JsonArray *agents,
          guint      id)
{
  JsonObject *agent = json_array_get_object_element (agents, id);

  g_assert_cmpint (json_object_get_int_member (agent, "id"), ==, id);
  return agent;
}

static JsonObject *
agent_named (JsonArray  *agents,
             const char *name)
{
  guint i;

  for (i = 0; i < json_array_get_length (agents); i++)
    {
      JsonObject *agent = json_array_get_object_element (agents, i);
      if (g_strcmp0 (json_object_get_string_member (agent, "name"), name) == 0)
        return agent;
    }
  g_assert_not_reached ();
  return NULL;
}

static void
test_json (void)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *json = NULL;
  g_autoptr(JanusGroup) group = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *root, *factory, *w1, *shared, *m1, *member, *grp;
  JsonArray *agents, *members, *supers;
  Plant p;

  plant_build (&p, 0);
  step_until_idle (p.kernel, 10000);
  /* two messages wait for m1 */
  janus_kernel_send (p.kernel, janus_agent_get_address (JANUS_AGENT (p.m1)), janus_message_new ("x", NULL), NULL);
  janus_kernel_send (p.kernel, janus_agent_get_address (JANUS_AGENT (p.m1)), janus_message_new ("y", NULL), NULL);
  p.m1->live = NULL;
  json = janus_holarchy_to_json_data (p.kernel, NULL, JANUS_HOLARCHY_SHOW_ALL);
  g_assert_true (json_parser_load_from_data (parser, json, -1, &error));
  g_assert_no_error (error);
  root = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (root, "kernel"), ==, janus_kernel_get_uuid (p.kernel));
  agents = json_object_get_array_member (root, "agents");
  g_assert_cmpuint (json_array_get_length (agents), ==, 8);

  /* breadth first: the factory, then its members in joining order */
  factory = agent_at (agents, 0);
  g_assert_cmpstr (json_object_get_string_member (factory, "name"), ==, "factory");
  g_assert_cmpstr (json_object_get_string_member (agent_at (agents, 1), "name"), ==, "planner");
  g_assert_cmpstr (json_object_get_string_member (agent_at (agents, 2), "name"), ==, "w1");
  g_assert_cmpstr (json_object_get_string_member (agent_at (agents, 3), "name"), ==, "w2");
  g_assert_true (json_object_get_boolean_member (factory, "holon"));
  g_assert_cmpint (json_object_get_int_member (factory, "depth"), ==, 0);
  g_assert_cmpstr (json_object_get_string_member (factory, "state"), ==, "alive");
  g_assert_cmpstr (json_object_get_string_member (factory, "type"), ==, "JanusHolon");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (factory, "supers")), ==, 0);
  grp = json_object_get_object_member (factory, "group");
  group = janus_holon_get_group (p.factory);
  g_assert_cmpstr (json_object_get_string_member (grp, "uuid"), ==, janus_group_get_uuid (group));
  g_assert_cmpstr (json_object_get_string_member (grp, "organization"), ==, "JanusHolonicOrganization");
  g_assert_cmpint (json_object_get_int_member (grp, "roles"), ==, 5);    /* super, 3 parts, head */
  members = json_object_get_array_member (factory, "members");
  g_assert_cmpuint (json_array_get_length (members), ==, 3);
  member = json_array_get_object_element (members, 0);
  g_assert_cmpint (json_object_get_int_member (member, "id"), ==, 1);
  g_assert_true (json_object_get_boolean_member (member, "head"));
  g_assert_cmpstr (json_object_get_string_member (member, "membership"), ==, "part");

  w1 = agent_named (agents, "w1");
  g_assert_cmpint (json_object_get_int_member (w1, "depth"), ==, 1);
  members = json_object_get_array_member (w1, "members");
  g_assert_cmpuint (json_array_get_length (members), ==, 3);
  member = json_array_get_object_element (members, 2);
  g_assert_cmpstr (json_object_get_string_member (member, "membership"), ==, "multi-part");
  g_assert_false (json_object_get_boolean_member (member, "head"));

  shared = agent_named (agents, "shared");
  supers = json_object_get_array_member (shared, "supers");
  g_assert_cmpuint (json_array_get_length (supers), ==, 2);
  g_assert_cmpint (json_array_get_int_element (supers, 0), ==, 2);
  g_assert_cmpint (json_array_get_int_element (supers, 1), ==, 3);
  g_assert_cmpint (json_object_get_int_member (shared, "depth"), ==, 2);
  g_assert_false (json_object_get_boolean_member (shared, "holon"));

  m1 = agent_named (agents, "m1");
  g_assert_cmpint (json_object_get_int_member (m1, "mailbox"), ==, 2);
  g_assert_true (g_str_has_prefix (json_object_get_string_member (m1, "address"), "janus://"));

  /* a subtree; no details */
  {
    g_autoptr(JsonParser) sub = json_parser_new ();
    g_autofree char *text = janus_holarchy_to_json_data (p.kernel, p.w2, 0);
    JsonArray *list;
    JsonObject *first;

    g_assert_true (json_parser_load_from_data (sub, text, -1, NULL));
    list = json_object_get_array_member (json_node_get_object (json_parser_get_root (sub)), "agents");
    g_assert_cmpuint (json_array_get_length (list), ==, 3);
    first = json_array_get_object_element (list, 0);
    g_assert_cmpstr (json_object_get_string_member (first, "name"), ==, "w2");
    g_assert_false (json_object_has_member (first, "state"));
    g_assert_false (json_object_has_member (first, "group"));
    g_assert_false (json_object_has_member (json_array_get_object_element (
                      json_object_get_array_member (first, "members"), 0), "head"));
  }
  plant_clear (&p);
}

/* On workers, mailboxes are their agents' own: no depth. */
static void
test_workers (void)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *json = NULL, *dot = NULL;
  JsonArray *agents;
  Plant p;
  guint i;

  plant_build (&p, 2);
  json = janus_holarchy_to_json_data (p.kernel, NULL, JANUS_HOLARCHY_SHOW_MAILBOXES);
  g_assert_true (json_parser_load_from_data (parser, json, -1, NULL));
  agents = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)), "agents");
  g_assert_cmpuint (json_array_get_length (agents), ==, 8);
  for (i = 0; i < 8; i++)
    g_assert_true (json_object_get_null_member (json_array_get_object_element (agents, i), "mailbox"));
  dot = janus_holarchy_to_dot_data (p.kernel, NULL, JANUS_HOLARCHY_SHOW_VERBOSE);
  g_assert_cmpuint (count (dot, "mailbox:"), ==, 0);
  plant_clear (&p);
}

static void
test_file (void)
{
  g_autofree char *dir = g_dir_make_tmp ("janus-dump-XXXXXX", NULL);
  g_autofree char *dot_path = g_build_filename (dir, "plant.dot", NULL);
  g_autofree char *json_path = g_build_filename (dir, "plant.json", NULL);
  g_autofree char *dot = NULL, *json = NULL, *expected = NULL;
  Plant p;

  plant_build (&p, 0);
  step_until_idle (p.kernel, 10000);
  g_unsetenv ("JANUS_DEBUG_DUMP_DIR");
  g_assert_false (janus_holarchy_dump_to_file (p.kernel, NULL, JANUS_HOLARCHY_SHOW_ALL, "plant"));
  g_assert_false (g_file_test (dot_path, G_FILE_TEST_EXISTS));
  g_setenv ("JANUS_DEBUG_DUMP_DIR", dir, TRUE);
  g_assert_true (janus_holarchy_dump_to_file (p.kernel, NULL, JANUS_HOLARCHY_SHOW_ROLES, "plant"));
  g_unsetenv ("JANUS_DEBUG_DUMP_DIR");
  g_assert_true (g_file_get_contents (dot_path, &dot, NULL, NULL));
  g_assert_true (g_file_get_contents (json_path, &json, NULL, NULL));
  expected = janus_holarchy_to_dot_data (p.kernel, NULL, JANUS_HOLARCHY_SHOW_ROLES);
  g_assert_cmpstr (dot, ==, expected);
  g_assert_true (g_str_has_prefix (json, "{"));
  g_remove (dot_path);
  g_remove (json_path);
  g_rmdir (dir);
  plant_clear (&p);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  /* first: it changes the environment, before any thread starts */
  g_test_add_func ("/holon/dump/file", test_file);
  g_test_add_func ("/holon/dump/dot", test_dot);
  g_test_add_func ("/holon/dump/json", test_json);
  g_test_add_func ("/holon/dump/workers", test_workers);

  return g_test_run ();
}
