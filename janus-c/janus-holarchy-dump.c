/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "janus-holarchy-dump.h"
#include "janus-holon-private.h"
#include "janus-agent-private.h"
#include "janus-enums.h"
#include "janus-group.h"
#include "janus-kernel.h"
#include "janus-organization.h"

/* Holarchy dumps, shaped like GStreamer's `gstdebugutils.h`: a function
 * returning the holarchy as Graphviz DOT, one returning it as JSON, and a
 * file writer gated by the JANUS_DEBUG_DUMP_DIR environment variable;
 * JanusHolarchyDetails chooses what they show.
 *
 * A dump is a snapshot of the holarchy taken at one instant; it may be
 * made from any thread. */

typedef struct _Node Node;

typedef struct
{
  Node            *node;
  JanusMembership  kind;
  gboolean         head;
} Edge;

/* One agent of the snapshot, with references taken under the lock. */
struct _Node
{
  JanusAgent *agent;
  JanusGroup *group;            /* its internal group, if composed */
  Node       *first_super;      /* where DOT draws it */
  GArray     *members;          /* Edge, joining order */
  GPtrArray  *supers;           /* Node, joining order */
  guint       depth;
  guint       index;
  gboolean    spawning;         /* being launched: its name and address
                                 * are not to be read */
};

typedef struct
{
  GHashTable *nodes;            /* JanusAgent → Node */
  GPtrArray  *order;            /* Node, breadth first from the roots */
} Snapshot;

static void
node_free (gpointer data)
{
  Node *node = data;

  g_object_unref (node->agent);
  g_clear_object (&node->group);
  g_array_unref (node->members);
  g_ptr_array_unref (node->supers);
  g_free (node);
}

static Node *
node_get (Snapshot   *snap,
          JanusAgent *agent)
{
  Node *node = g_hash_table_lookup (snap->nodes, agent);

  if (node != NULL)
    return node;
  node = g_new0 (Node, 1);
  node->agent = g_object_ref (agent);
  node->members = g_array_new (FALSE, FALSE, sizeof (Edge));
  node->supers = g_ptr_array_new ();
  node->index = snap->order->len;
  node->spawning = janus_holon_is_spawning (agent);
  g_hash_table_insert (snap->nodes, agent, node);
  g_ptr_array_add (snap->order, node);
  return node;
}

/* Lock held: whether @agent is a composed holon that is a member of none. */
static gboolean
is_root (JanusAgent *agent)
{
  JanusMemberInfo *info = janus_holon_peek_info (agent);
  JanusHolonComposite *c;

  if (!JANUS_IS_HOLON (agent) || (info != NULL && info->supers != NULL))
    return FALSE;
  c = janus_holon_peek_composite (JANUS_HOLON (agent));
  return c != NULL && c->n_members > 0;
}

/* Lock held: adds @node's members, breadth first. */
static void
walk (Snapshot *snap,
      guint     from)
{
  guint i;

  for (i = from; i < snap->order->len; i++)
    {
      Node *node = snap->order->pdata[i];
      JanusHolonComposite *c;
      JanusMember *m;

      if (!JANUS_IS_HOLON (node->agent)
          || (c = janus_holon_peek_composite (JANUS_HOLON (node->agent))) == NULL)
        continue;
      if (c->group != NULL)
        node->group = g_object_ref (c->group);
      for (m = c->first; m != NULL; m = m->next)
        {
          Node *member = node_get (snap, m->agent);
          Edge edge = { member, m->kind, m->head };

          if (member->first_super == NULL)
            {
              member->first_super = node;
              member->depth = node->depth + 1;
            }
          g_array_append_val (node->members, edge);
          g_ptr_array_add (member->supers, node);
        }
    }
}

static Snapshot *
snapshot_take (JanusKernel *kernel,
               JanusHolon  *root)
{
  g_autoptr(GPtrArray) agents = root ? NULL : janus_kernel_list_agents (kernel);
  Snapshot *snap = g_new0 (Snapshot, 1);
  guint i;

  snap->nodes = g_hash_table_new (NULL, NULL);
  snap->order = g_ptr_array_new_with_free_func (node_free);
  janus_holarchy_lock ();
  if (root != NULL)
    node_get (snap, JANUS_AGENT (root));
  else
    for (i = 0; i < agents->len; i++)
      if (is_root (agents->pdata[i]))
        node_get (snap, agents->pdata[i]);
  walk (snap, 0);
  janus_holarchy_unlock ();
  return snap;
}

static void
snapshot_free (Snapshot *snap)
{
  g_hash_table_unref (snap->nodes);
  g_ptr_array_unref (snap->order);
  g_free (snap);
}

/* --------------------------------------------------------- details */

static const char *
state_nick (JanusAgent *agent)
{
  GEnumClass *klass = g_type_class_ref (JANUS_TYPE_AGENT_STATE);
  GEnumValue *value = g_enum_get_value (klass, janus_agent_get_state (agent));

  g_type_class_unref (klass);       /* the enum class lives for ever */
  return value ? value->value_nick : "?";
}

static const char *
membership_nick (JanusMembership kind)
{
  return kind == JANUS_MEMBERSHIP_MULTI_PART ? "multi-part" : "part";
}

/* The mailbox depth, where this thread may read it; -1 elsewhere. */
static gint
mailbox_depth (Node *node)
{
  JanusAgent *agent = node->agent;
  JanusKernel *kernel = node->spawning ? NULL : janus_agent_get_kernel (agent);

  if (kernel == NULL || janus_kernel_get_workers (kernel) > 0 || janus_agent_is_heavy (agent)
      || !janus_agent_check_owner (agent) || !janus_agent_is_alive (agent))
    return -1;
  return (gint) janus_agent_get_mailbox_size (agent);
}

static char *
address_text (Node *node)
{
  const JanusAddress *address = node->spawning ? NULL : janus_agent_get_address (node->agent);

  return address ? janus_address_to_string (address) : g_strdup ("");
}

static const char *
label_of (Node *node)
{
  const char *name = node->spawning ? NULL : janus_agent_get_name (node->agent);

  return name ? name : G_OBJECT_TYPE_NAME (node->agent);
}

/* ------------------------------------------------------------- DOT */

static void
dot_escape (GString    *out,
            const char *text)
{
  for (; *text; text++)
    {
      if (*text == '"' || *text == '\\')
        g_string_append_c (out, '\\');
      g_string_append_c (out, *text);
    }
}

static void
dot_node_label (GString              *out,
                Node                 *node,
                JanusHolarchyDetails  details)
{
  g_string_append (out, "label=\"");
  dot_escape (out, label_of (node));
  if (details & JANUS_HOLARCHY_SHOW_TYPES)
    {
      g_string_append (out, "\\n");
      dot_escape (out, G_OBJECT_TYPE_NAME (node->agent));
    }
  if (details & JANUS_HOLARCHY_SHOW_ADDRESSES)
    {
      g_autofree char *address = address_text (node);
      g_string_append (out, "\\n");
      dot_escape (out, address);
    }
  if (details & JANUS_HOLARCHY_SHOW_STATES)
    g_string_append_printf (out, "\\n[%s]", state_nick (node->agent));
  if (details & JANUS_HOLARCHY_SHOW_MAILBOXES)
    {
      gint depth = mailbox_depth (node);
      if (depth >= 0)
        g_string_append_printf (out, "\\nmailbox: %d", depth);
    }
  g_string_append (out, "\"");
}

static gboolean
is_head_somewhere (Node *node)
{
  guint i, j;

  for (i = 0; i < node->supers->len; i++)
    {
      Node *super = node->supers->pdata[i];
      for (j = 0; j < super->members->len; j++)
        {
          Edge *e = &g_array_index (super->members, Edge, j);
          if (e->node == node && e->head)
            return TRUE;
        }
    }
  return FALSE;
}

static void dot_place (GString *out, Node *node, JanusHolarchyDetails details, guint indent);

static void
dot_agent_node (GString              *out,
                Node                 *node,
                JanusHolarchyDetails  details,
                guint                 indent)
{
  gboolean composed = node->members->len > 0;

  g_string_append_printf (out, "%*sa%u [", indent, "", node->index);
  dot_node_label (out, node, details);
  if (composed)
    g_string_append (out, ", shape=house, fillcolor=\"#ffe9b3\"");
  else if (JANUS_IS_HOLON (node->agent))
    g_string_append (out, ", fillcolor=\"#e3f0ff\"");
  if ((details & JANUS_HOLARCHY_SHOW_ROLES) && is_head_somewhere (node))
    g_string_append (out, ", penwidth=2.5");
  if (node->supers->len > 1)
    g_string_append (out, ", style=\"rounded,filled,dashed\"");
  g_string_append (out, "];\n");
}

/* A composed holon is a cluster holding itself (its Super) and the
 * members drawn there first. */
static void
dot_place (GString              *out,
           Node                 *node,
           JanusHolarchyDetails  details,
           guint                 indent)
{
  guint i;

  if (node->members->len == 0)
    {
      dot_agent_node (out, node, details, indent);
      return;
    }
  g_string_append_printf (out, "%*ssubgraph cluster_%u {\n", indent, "", node->index);
  g_string_append_printf (out, "%*slabel=\"", indent + 2, "");
  dot_escape (out, label_of (node));
  if ((details & JANUS_HOLARCHY_SHOW_GROUPS) && node->group != NULL)
    {
      g_string_append_printf (out, "\\ngroup %.8s (%u roles)", janus_group_get_uuid (node->group),
                              janus_group_count_players (node->group, G_TYPE_INVALID));
    }
  g_string_append (out, "\";\n");
  g_string_append_printf (out, "%*sstyle=\"rounded\"; color=\"#8a6d3b\"; fontname=\"sans\";\n",
                          indent + 2, "");
  dot_agent_node (out, node, details, indent + 2);
  for (i = 0; i < node->members->len; i++)
    {
      Edge *e = &g_array_index (node->members, Edge, i);
      if (e->node->first_super == node)
        dot_place (out, e->node, details, indent + 2);
    }
  g_string_append_printf (out, "%*s}\n", indent, "");
}

static void
dot_edges (GString              *out,
           Snapshot             *snap,
           JanusHolarchyDetails  details)
{
  guint i, j;

  for (i = 0; i < snap->order->len; i++)
    {
      Node *node = snap->order->pdata[i];

      for (j = 0; j < node->members->len; j++)
        {
          Edge *e = &g_array_index (node->members, Edge, j);

          g_string_append_printf (out, "  a%u -> a%u [", node->index, e->node->index);
          if (details & JANUS_HOLARCHY_SHOW_ROLES)
            g_string_append_printf (out, "label=\"%s%s\", ", e->head ? "head, " : "",
                                    membership_nick (e->kind));
          g_string_append (out, e->kind == JANUS_MEMBERSHIP_MULTI_PART ? "style=dashed"
                                                                      : "style=solid");
          if (e->head)
            g_string_append (out, ", penwidth=2");
          g_string_append (out, "];\n");
        }
    }
}

/**
 * janus_holarchy_to_dot_data:
 * @kernel: a kernel
 * @root: (nullable): the holon to dump with everything below it, or `NULL`
 *   for every holarchy of @kernel (each composed holon that is a member of
 *   none, and what is below it)
 * @details: what to show
 *
 * Draws the holarchy as a Graphviz DOT graph: each composed holon is a
 * cluster that holds its own node (a house shape) and its members; an edge
 * goes from each holon to each of its members (dashed for a MultiPart,
 * drawn in the cluster of its first super-holon; thick for a head). Render
 * it with `dot -Tsvg`. MT safe: a snapshot.
 *
 * Returns: (transfer full): the DOT text
 */
char *
janus_holarchy_to_dot_data (JanusKernel          *kernel,
                            JanusHolon           *root,
                            JanusHolarchyDetails  details)
{
  Snapshot *snap;
  GString *out;
  guint i;

  g_return_val_if_fail (JANUS_IS_KERNEL (kernel), NULL);
  g_return_val_if_fail (root == NULL || JANUS_IS_HOLON (root), NULL);

  g_type_class_unref (g_type_class_ref (JANUS_TYPE_HOLON));   /* its quarks */
  snap = snapshot_take (kernel, root);
  out = g_string_new ("digraph holarchy {\n");
  g_string_append (out, "  rankdir=TB;\n  compound=true;\n  fontname=\"sans\";\n");
  g_string_append (out, "  node [shape=box, style=\"rounded,filled\", fillcolor=\"#ffffff\", "
                        "fontname=\"sans\", fontsize=10];\n");
  g_string_append (out, "  edge [fontname=\"sans\", fontsize=8, color=\"#555555\"];\n");
  for (i = 0; i < snap->order->len; i++)
    {
      Node *node = snap->order->pdata[i];
      if (node->first_super == NULL)
        dot_place (out, node, details, 2);
    }
  dot_edges (out, snap, details);
  g_string_append (out, "}\n");
  snapshot_free (snap);
  return g_string_free (out, FALSE);
}

/* ------------------------------------------------------------ JSON */

static void
json_agent (JsonBuilder          *b,
            Node                 *node,
            JanusHolarchyDetails  details)
{
  g_autofree char *address = address_text (node);
  const char *name = node->spawning ? NULL : janus_agent_get_name (node->agent);
  guint i;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_int_value (b, node->index);
  json_builder_set_member_name (b, "name");
  if (name != NULL)
    json_builder_add_string_value (b, name);
  else
    json_builder_add_null_value (b);
  if (details & JANUS_HOLARCHY_SHOW_ADDRESSES)
    {
      json_builder_set_member_name (b, "address");
      json_builder_add_string_value (b, address);
    }
  if (details & JANUS_HOLARCHY_SHOW_TYPES)
    {
      json_builder_set_member_name (b, "type");
      json_builder_add_string_value (b, G_OBJECT_TYPE_NAME (node->agent));
    }
  if (details & JANUS_HOLARCHY_SHOW_STATES)
    {
      json_builder_set_member_name (b, "state");
      json_builder_add_string_value (b, state_nick (node->agent));
    }
  if (details & JANUS_HOLARCHY_SHOW_MAILBOXES)
    {
      gint depth = mailbox_depth (node);
      json_builder_set_member_name (b, "mailbox");
      if (depth >= 0)
        json_builder_add_int_value (b, depth);
      else
        json_builder_add_null_value (b);
    }
  json_builder_set_member_name (b, "holon");
  json_builder_add_boolean_value (b, JANUS_IS_HOLON (node->agent));
  json_builder_set_member_name (b, "depth");
  json_builder_add_int_value (b, node->depth);
  json_builder_set_member_name (b, "supers");
  json_builder_begin_array (b);
  for (i = 0; i < node->supers->len; i++)
    json_builder_add_int_value (b, ((Node *) node->supers->pdata[i])->index);
  json_builder_end_array (b);
  if ((details & JANUS_HOLARCHY_SHOW_GROUPS) && node->group != NULL)
    {
      json_builder_set_member_name (b, "group");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "uuid");
      json_builder_add_string_value (b, janus_group_get_uuid (node->group));
      json_builder_set_member_name (b, "organization");
      json_builder_add_string_value (b, G_OBJECT_TYPE_NAME (janus_group_get_organization (node->group)));
      json_builder_set_member_name (b, "roles");
      json_builder_add_int_value (b, janus_group_count_players (node->group, G_TYPE_INVALID));
      json_builder_end_object (b);
    }
  json_builder_set_member_name (b, "members");
  json_builder_begin_array (b);
  for (i = 0; i < node->members->len; i++)
    {
      Edge *e = &g_array_index (node->members, Edge, i);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "id");
      json_builder_add_int_value (b, e->node->index);
      if (details & JANUS_HOLARCHY_SHOW_ROLES)
        {
          json_builder_set_member_name (b, "membership");
          json_builder_add_string_value (b, membership_nick (e->kind));
          json_builder_set_member_name (b, "head");
          json_builder_add_boolean_value (b, e->head);
        }
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
}

/**
 * janus_holarchy_to_json_data:
 * @kernel: a kernel
 * @root: (nullable): the holon to dump with everything below it, or `NULL`
 *   for every holarchy of @kernel
 * @details: what to show
 *
 * Describes the holarchy as JSON: an object with the kernel's `uuid` and
 * an `agents` array listing each agent once, breadth first from the
 * roots. Each agent has an `id` (its index in the array), its `name`
 * (`null` if none), `holon`, `depth`, the ids of its `supers`, and its
 * `members` — objects with the member's `id` and, with
 * `JANUS_HOLARCHY_SHOW_ROLES`, its `membership` (`"part"`,
 * `"multi-part"`) and whether it is a `head`. The other details add
 * `address`, `type`, `state`, `mailbox` (`null` where it may not be read)
 * and `group` (`uuid`, `organization`, `roles`). MT safe: a snapshot.
 *
 * Returns: (transfer full): the JSON text
 */
char *
janus_holarchy_to_json_data (JanusKernel          *kernel,
                             JanusHolon           *root,
                             JanusHolarchyDetails  details)
{
  g_autoptr(JsonBuilder) b = NULL;
  g_autoptr(JsonGenerator) gen = NULL;
  g_autoptr(JsonNode) tree = NULL;
  Snapshot *snap;
  guint i;

  g_return_val_if_fail (JANUS_IS_KERNEL (kernel), NULL);
  g_return_val_if_fail (root == NULL || JANUS_IS_HOLON (root), NULL);

  g_type_class_unref (g_type_class_ref (JANUS_TYPE_HOLON));   /* its quarks */
  snap = snapshot_take (kernel, root);
  b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "kernel");
  json_builder_add_string_value (b, janus_kernel_get_uuid (kernel));
  json_builder_set_member_name (b, "agents");
  json_builder_begin_array (b);
  for (i = 0; i < snap->order->len; i++)
    json_agent (b, snap->order->pdata[i], details);
  json_builder_end_array (b);
  json_builder_end_object (b);
  snapshot_free (snap);

  tree = json_builder_get_root (b);
  gen = json_generator_new ();
  json_generator_set_pretty (gen, TRUE);
  json_generator_set_root (gen, tree);
  return json_generator_to_data (gen, NULL);
}

static gboolean
write_file (const char *dir,
            const char *file_name,
            const char *suffix,
            const char *text)
{
  g_autofree char *base = g_strconcat (file_name, suffix, NULL);
  g_autofree char *path = g_build_filename (dir, base, NULL);
  g_autoptr(GError) error = NULL;

  if (g_file_set_contents (path, text, -1, &error))
    return TRUE;
  g_warning ("cannot write holarchy dump %s: %s", path, error->message);
  return FALSE;
}

/**
 * janus_holarchy_dump_to_file:
 * @kernel: a kernel
 * @root: (nullable): the holon to dump, or `NULL` for every holarchy of
 *   @kernel
 * @details: what to show
 * @file_name: the file name, without directory nor suffix
 *
 * Writes the holarchy as `<file_name>.dot` and `<file_name>.json` into
 * the directory named by the `JANUS_DEBUG_DUMP_DIR` environment variable
 * — if it is set; otherwise does nothing, so the call can stay in
 * production code (as `GST_DEBUG_BIN_TO_DOT_FILE` does). MT safe.
 *
 * Returns: `TRUE` if both files were written; `FALSE` if the variable is not
 *   set or a file could not be written (a warning says why)
 */
gboolean
janus_holarchy_dump_to_file (JanusKernel          *kernel,
                             JanusHolon           *root,
                             JanusHolarchyDetails  details,
                             const char           *file_name)
{
  const char *dir = g_getenv ("JANUS_DEBUG_DUMP_DIR");
  g_autofree char *dot = NULL;
  g_autofree char *json = NULL;
  gboolean ok;

  g_return_val_if_fail (JANUS_IS_KERNEL (kernel), FALSE);
  g_return_val_if_fail (root == NULL || JANUS_IS_HOLON (root), FALSE);
  g_return_val_if_fail (file_name != NULL && *file_name != '\0', FALSE);

  if (dir == NULL || *dir == '\0')
    return FALSE;
  dot = janus_holarchy_to_dot_data (kernel, root, details);
  json = janus_holarchy_to_json_data (kernel, root, details);
  ok = write_file (dir, file_name, ".dot", dot);
  return write_file (dir, file_name, ".json", json) && ok;
}
