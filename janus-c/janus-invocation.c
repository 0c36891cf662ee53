/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <stddef.h>
#include <string.h>

#include "janus-agent-private.h"
#include "janus-invocation-private.h"

/**
 * JanusInvocation:
 *
 * A call of one of an agent's exposed methods, received from the network:
 * its arguments, and the way to answer it (as #GDBusMethodInvocation is
 * for D-Bus).
 *
 * An agent class exposes methods with [method@Janus.AgentClass.add_method]
 * (from its `class_init`); they are inherited by subclasses, which may
 * expose a method of the same name to replace it. A remote caller — a
 * [class@Janus.Proxy] of another kernel, or an aiomas agent — calls the
 * path `agents/<id>/<name>` with arguments `args` (a list) and `kwargs`
 * (an object).
 *
 * ```c
 * static void
 * echo_add (JanusAgent *agent, JanusInvocation *invocation, gpointer data)
 * {
 *   gint32 a, b;
 *
 *   g_variant_get (janus_invocation_get_parameters (invocation), "(ii)", &a, &b);
 *   janus_invocation_return_value (invocation, g_variant_new_int32 (a + b));
 * }
 *
 * static void
 * echo_class_init (EchoClass *klass)
 * {
 *   janus_agent_class_add_method (JANUS_AGENT_CLASS (klass), "add", "(ii)", echo_add);
 * }
 * ```
 *
 * ## When methods run
 *
 * The kernel hands each call to the agent through its mailbox, and the
 * method runs in the agent's turn, on the thread running the agent: after
 * its due timers and before its `live`, never concurrently with its
 * `live`, its roles, its timers or its other methods. Calls from one
 * connection run in the order they arrived. Until the agent is activated
 * its calls wait, and the calls still waiting when it dies are answered
 * with %JANUS_NET_ERROR_UNKNOWN_AGENT.
 *
 * The method answers once: before returning, or later from any thread
 * (keep a reference with [method@Janus.Invocation.ref]). An invocation
 * dropped without an answer is answered with %JANUS_NET_ERROR_NO_ANSWER,
 * so that no caller waits for ever. The arguments
 * ([method@Janus.Invocation.get_args]) belong to the agent's thread.
 *
 * ## Values
 *
 * Arguments and results are JSON documents (json-glib nodes, see
 * [func@Janus.json_from_data] for how numbers and strings behave), or
 * #GVariants converted from and to them ([func@Janus.json_to_variant]):
 * with an `in_signature` such as `"(ii)"`, the arguments must convert to
 * that tuple, else the caller gets %JANUS_NET_ERROR_INVALID_ARGUMENTS and
 * the method does not run. An agent passed as an argument arrives as
 * `{"__type__": [type_id, "agents/<id>"]}`;
 * [method@Janus.Invocation.dup_object] makes it a [class@Janus.Proxy] on
 * the caller's connection.
 */

struct _JanusMethod
{
  char            *name;
  GVariantType    *in_type;     /* NULL: any arguments */
  JanusMethodFunc  func;
  gpointer         user_data;
  GDestroyNotify   destroy;
};

/* GType -> GHashTable (name -> JanusMethod). Methods are class data: they
 * are never removed, so a looked-up JanusMethod stays valid. */
static GMutex registry_lock;
static GHashTable *registry;

struct _JanusInvocation
{
  atomic_int         ref_count;
  JanusConnection   *connection;  /* strong */
  guint64            id;          /* of the request on the connection */
  const char        *name;        /* the method's, or owned_name */
  char              *owned_name;
  const JanusMethod *method;
  JanusAgentTask     task;        /* takes the call into the agent's turn */
  JsonArray         *args;        /* the agent's thread's */
  JsonObject        *kwargs;
  JanusAgent        *agent;       /* strong, once the call reaches it */
  GVariant          *parameters;  /* made on first use */
  GVariant          *kwargs_value;
  atomic_bool        answered;
};

G_DEFINE_BOXED_TYPE (JanusInvocation, janus_invocation, janus_invocation_ref, janus_invocation_unref)

/* ------------------------------------------------------------ registry */

static void
add_method (GType           agent_type,
            const char     *name,
            const char     *in_signature,
            JanusMethodFunc func,
            gpointer        user_data,
            GDestroyNotify  destroy)
{
  GHashTable *methods;
  JanusMethod *method;

  g_mutex_lock (&registry_lock);
  if (registry == NULL)
    registry = g_hash_table_new (NULL, NULL);
  methods = g_hash_table_lookup (registry, GSIZE_TO_POINTER (agent_type));
  if (methods == NULL)
    {
      methods = g_hash_table_new (g_str_hash, g_str_equal);
      g_hash_table_insert (registry, GSIZE_TO_POINTER (agent_type), methods);
    }
  if (g_hash_table_contains (methods, name))
    {
      g_mutex_unlock (&registry_lock);
      g_critical ("janus_agent_class_add_method: %s exposes “%s” already",
                  g_type_name (agent_type), name);
      if (destroy != NULL)
        destroy (user_data);
      return;
    }
  method = g_new0 (JanusMethod, 1);
  method->name = g_strdup (name);
  method->in_type = in_signature ? g_variant_type_new (in_signature) : NULL;
  method->func = func;
  method->user_data = user_data;
  method->destroy = destroy;
  g_hash_table_insert (methods, method->name, method);
  g_mutex_unlock (&registry_lock);
}

static gboolean
valid_method_name (const char *name)
{
  /* a path component: no "/", and not the kernel's own message path */
  return name[0] != '\0' && strchr (name, '/') == NULL && strcmp (name, "janus.message") != 0;
}

/**
 * janus_agent_class_add_method:
 * @klass: an agent class, in its `class_init`
 * @name: the method's name, the last component of its path
 *   `agents/<id>/<name>` (no `/`)
 * @in_signature: (nullable): a #GVariant tuple type the arguments must
 *   convert to, such as `"(si)"`, or %NULL to accept any
 * @func: (scope forever): the method
 *
 * Exposes a method of the agents of this class (and its subclasses) to
 * remote callers. See [struct@Janus.Invocation] for when it runs and how
 * it answers.
 */
void
janus_agent_class_add_method (JanusAgentClass *klass,
                              const char      *name,
                              const char      *in_signature,
                              JanusMethodFunc  func)
{
  g_return_if_fail (JANUS_IS_AGENT_CLASS (klass));
  g_return_if_fail (name != NULL && valid_method_name (name));
  g_return_if_fail (in_signature == NULL || (g_variant_type_string_is_valid (in_signature)
                                             && g_variant_type_is_tuple (G_VARIANT_TYPE (in_signature))));
  g_return_if_fail (func != NULL);

  add_method (G_TYPE_FROM_CLASS (klass), name, in_signature, func, NULL, NULL);
}

/**
 * janus_agent_type_add_method:
 * @agent_type: a subtype of #JanusAgent
 * @name: the method's name (no `/`)
 * @in_signature: (nullable): a #GVariant tuple type for the arguments, or
 *   %NULL
 * @func: (scope notified) (closure user_data) (destroy destroy): the method
 * @user_data: (nullable): data for @func
 * @destroy: (nullable): frees @user_data (methods are never removed: it
 *   runs only if the registration is refused)
 *
 * Like [method@Janus.AgentClass.add_method], for a class given by its
 * #GType, with data: for language bindings (the Python override's
 * `Janus.expose` decorator uses it).
 */
void
janus_agent_type_add_method (GType            agent_type,
                             const char      *name,
                             const char      *in_signature,
                             JanusMethodFunc  func,
                             gpointer         user_data,
                             GDestroyNotify   destroy)
{
  g_return_if_fail (g_type_is_a (agent_type, JANUS_TYPE_AGENT));
  g_return_if_fail (name != NULL && valid_method_name (name));
  g_return_if_fail (in_signature == NULL || (g_variant_type_string_is_valid (in_signature)
                                             && g_variant_type_is_tuple (G_VARIANT_TYPE (in_signature))));
  g_return_if_fail (func != NULL);

  add_method (agent_type, name, in_signature, func, user_data, destroy);
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(char * const *) a, *(char * const *) b);
}

/**
 * janus_agent_type_list_methods:
 * @agent_type: a subtype of #JanusAgent
 *
 * Lists the methods agents of @agent_type expose, their own and inherited.
 *
 * Returns: (transfer full): the names, sorted
 */
char **
janus_agent_type_list_methods (GType agent_type)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new ();

  g_return_val_if_fail (g_type_is_a (agent_type, JANUS_TYPE_AGENT), NULL);

  g_mutex_lock (&registry_lock);
  for (GType t = agent_type; registry != NULL && t != 0 && g_type_is_a (t, JANUS_TYPE_AGENT);
       t = g_type_parent (t))
    {
      GHashTable *methods = g_hash_table_lookup (registry, GSIZE_TO_POINTER (t));
      GHashTableIter iter;
      gpointer key;

      if (methods == NULL)
        continue;
      g_hash_table_iter_init (&iter, methods);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        if (!g_ptr_array_find_with_equal_func (names, key, g_str_equal, NULL))
          g_ptr_array_add (names, g_strdup (key));
    }
  g_mutex_unlock (&registry_lock);
  g_ptr_array_sort (names, compare_names);
  g_ptr_array_add (names, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&names), FALSE);
}

/* The method @name of @agent_type, its own or the nearest inherited. */
const JanusMethod *
janus_method_lookup (GType       agent_type,
                     const char *name)
{
  const JanusMethod *method = NULL;

  g_mutex_lock (&registry_lock);
  for (GType t = agent_type; registry != NULL && method == NULL && t != 0; t = g_type_parent (t))
    {
      GHashTable *methods = g_hash_table_lookup (registry, GSIZE_TO_POINTER (t));
      if (methods != NULL)
        method = g_hash_table_lookup (methods, name);
    }
  g_mutex_unlock (&registry_lock);
  return method;
}

const GVariantType *
janus_method_get_in_type (const JanusMethod *method)
{
  return method->in_type;
}

/* ----------------------------------------------------------- lifetime */

JanusInvocation *
janus_invocation_new (JanusConnection   *connection,
                      guint64            id,
                      const char        *name,
                      const JanusMethod *method,
                      JsonArray         *args,
                      JsonObject        *kwargs)
{
  JanusInvocation *self = g_new0 (JanusInvocation, 1);

  atomic_init (&self->ref_count, 1);
  self->connection = janus_connection_ref (connection);
  self->id = id;
  if (method != NULL && strcmp (method->name, name) == 0)
    self->name = method->name;
  else
    self->name = self->owned_name = g_strdup (name);
  self->method = method;
  self->args = args;
  self->kwargs = kwargs;
  return self;
}

/**
 * janus_invocation_ref:
 * @self: an invocation
 *
 * Takes a reference, to answer later. MT safe.
 *
 * Returns: (transfer full): @self
 */
JanusInvocation *
janus_invocation_ref (JanusInvocation *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  atomic_fetch_add_explicit (&self->ref_count, 1, memory_order_relaxed);
  return self;
}

static gboolean begin_answer (JanusInvocation *self);

/**
 * janus_invocation_unref:
 * @self: (transfer full): an invocation
 *
 * Drops a reference. The last one answers the call with
 * %JANUS_NET_ERROR_NO_ANSWER if nothing answered it.
 */
void
janus_invocation_unref (JanusInvocation *self)
{
  g_return_if_fail (self != NULL);

  /* acq_rel: every use happens before the free */
  if (atomic_fetch_sub_explicit (&self->ref_count, 1, memory_order_acq_rel) != 1)
    return;
  if (begin_answer (self))
    {
      g_autoptr(GError) error = g_error_new (JANUS_NET_ERROR, JANUS_NET_ERROR_NO_ANSWER,
                                             "Method “%s” finished without answering", self->name);
      janus_connection_answer_gerror (self->connection, self->id, error);
    }
  g_clear_pointer (&self->parameters, g_variant_unref);
  g_clear_pointer (&self->kwargs_value, g_variant_unref);
  g_clear_pointer (&self->args, json_array_unref);
  g_clear_pointer (&self->kwargs, json_object_unref);
  g_clear_object (&self->agent);
  janus_connection_unref (self->connection);
  g_free (self->owned_name);
  g_free (self);
}

/* ------------------------------------------------------ the agent's turn */

/* The invocation of its task (which holds the invocation's first
 * reference). */
static JanusInvocation *
task_invocation (JanusAgentTask *task)
{
  return (JanusInvocation *) ((char *) task - offsetof (JanusInvocation, task));
}

static gboolean
convert_parameters (JanusInvocation  *self,
                    GError          **error)
{
  g_autoptr(JsonNode) node = NULL;
  const GVariantType *type = self->method ? self->method->in_type : NULL;

  if (self->parameters != NULL)
    return TRUE;
  node = json_node_init_array (json_node_alloc (), self->args);
  if (type != NULL)
    {
      self->parameters = janus_json_to_variant (node, type, error);
      return self->parameters != NULL;
    }
  else
    {
      GVariantBuilder builder;
      guint n = json_array_get_length (self->args);

      /* a tuple of each argument's natural type, for g_variant_get () */
      g_variant_builder_init (&builder, G_VARIANT_TYPE_TUPLE);
      for (guint i = 0; i < n; i++)
        {
          GVariant *v = janus_json_to_variant (json_array_get_element (self->args, i), NULL, error);
          if (v == NULL)
            {
              g_variant_builder_clear (&builder);
              return FALSE;
            }
          g_variant_builder_add_value (&builder, v);
          g_variant_unref (v);
        }
      self->parameters = g_variant_ref_sink (g_variant_builder_end (&builder));
      return TRUE;
    }
}

static void
call_task_run (JanusAgentTask *task,
               JanusAgent     *agent)
{
  JanusInvocation *self = task_invocation (task);
  g_autoptr(GError) error = NULL;

  self->agent = g_object_ref (agent);
  if (self->method->in_type != NULL && !convert_parameters (self, &error))
    {
      g_prefix_error (&error, "Method “%s” expects %s: ", self->name,
                      g_variant_type_peek_string (self->method->in_type));
      janus_invocation_return_gerror (self, error);
    }
  else
    self->method->func (agent, self, self->method->user_data);
  janus_invocation_unref (self);
}

static void
call_task_cancel (JanusAgentTask *task)
{
  JanusInvocation *self = task_invocation (task);
  g_autoptr(GError) error = g_error_new (JANUS_NET_ERROR, JANUS_NET_ERROR_UNKNOWN_AGENT,
                                         "The agent died before method “%s” ran", self->name);

  janus_invocation_return_gerror (self, error);
  janus_invocation_unref (self);
}

/* A task that runs the invocation (whose reference it takes) in the
 * agent's turn. */
JanusAgentTask *
janus_invocation_task_new (JanusInvocation *invocation)
{
  invocation->task.run = call_task_run;
  invocation->task.cancel = call_task_cancel;
  return &invocation->task;
}

/* ------------------------------------------------------------ reading */

/**
 * janus_invocation_get_method_name:
 * @self: an invocation
 *
 * Gets the name of the method called.
 *
 * Returns: the method's name
 */
const char *
janus_invocation_get_method_name (JanusInvocation *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->name;
}

/**
 * janus_invocation_get_agent:
 * @self: an invocation
 *
 * Gets the agent whose method is called.
 *
 * Returns: (transfer none): the agent
 */
JanusAgent *
janus_invocation_get_agent (JanusInvocation *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->agent;
}

/**
 * janus_invocation_get_args:
 * @self: an invocation
 *
 * Gets the positional arguments. Read them on the agent's thread.
 *
 * Returns: (transfer none): the arguments, a JSON array
 */
JsonArray *
janus_invocation_get_args (JanusInvocation *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->args;
}

/**
 * janus_invocation_get_kwargs:
 * @self: an invocation
 *
 * Gets the keyword arguments. Read them on the agent's thread.
 *
 * Returns: (transfer none): the keyword arguments, a JSON object (empty if
 *   none)
 */
JsonObject *
janus_invocation_get_kwargs (JanusInvocation *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  /* received empty kwargs are not built until asked for */
  if (self->kwargs == NULL)
    self->kwargs = json_object_new ();
  return self->kwargs;
}

/**
 * janus_invocation_get_parameters:
 * @self: an invocation
 *
 * Gets the positional arguments as a #GVariant tuple: of the method's
 * `in_signature` when it declared one, else of each argument's natural
 * type (see [func@Janus.json_to_variant]; `[1, "a"]` is `(int64 1, 'a')`).
 *
 * Returns: (transfer none) (nullable): the tuple, or %NULL if the
 *   arguments have no #GVariant form (a string holding U+0000)
 */
GVariant *
janus_invocation_get_parameters (JanusInvocation *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  convert_parameters (self, NULL);
  return self->parameters;
}

/**
 * janus_invocation_get_kwargs_value:
 * @self: an invocation
 *
 * Gets the keyword arguments as a #GVariant dictionary (`a{sv}`, each
 * value of its natural type).
 *
 * Returns: (transfer none) (nullable): the dictionary, or %NULL if they
 *   have no #GVariant form
 */
GVariant *
janus_invocation_get_kwargs_value (JanusInvocation *self)
{
  g_autoptr(JsonNode) node = NULL;

  g_return_val_if_fail (self != NULL, NULL);

  if (self->kwargs_value == NULL)
    {
      node = json_node_init_object (json_node_alloc (), janus_invocation_get_kwargs (self));
      self->kwargs_value = janus_json_to_variant (node, G_VARIANT_TYPE_VARDICT, NULL);
    }
  return self->kwargs_value;
}

/**
 * janus_invocation_dup_json:
 * @self: an invocation
 *
 * Gets the arguments as JSON text `[args, kwargs]` (for language bindings:
 * Python's `json.loads` reads it exactly).
 *
 * Returns: (transfer full): the text
 */
char *
janus_invocation_dup_json (JanusInvocation *self)
{
  g_autoptr(GString) out = g_string_new ("[");

  g_return_val_if_fail (self != NULL, NULL);

  /* received documents always write back */
  janus_json_write_array (out, self->args, NULL);
  g_string_append (out, ", ");
  if (self->kwargs != NULL)
    janus_json_write_object (out, self->kwargs, NULL);
  else
    g_string_append (out, "{}");
  g_string_append_c (out, ']');
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/**
 * janus_invocation_dup_object:
 * @self: an invocation
 * @node: a `{"__type__": [type_id, data]}` object from the arguments
 * @error: return location for a #GError
 *
 * Makes the object an argument describes: a [class@Janus.Proxy] for an
 * agent (on the connection the call came from, so calls to it go back to
 * the caller's kernel), or an object of a type registered with the
 * network's codec.
 *
 * Returns: (transfer full) (nullable): the object, or %NULL with
 *   %JANUS_NET_ERROR_CODEC
 */
GObject *
janus_invocation_dup_object (JanusInvocation  *self,
                             JsonNode         *node,
                             GError          **error)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (node != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return janus_net_dup_object (self->connection, node, error);
}

/**
 * janus_invocation_dup_proxy:
 * @self: an invocation
 * @agent_id: an agent id of the caller's kernel (from `agents/<id>`)
 *
 * Makes a proxy of agent @agent_id of the caller's kernel, on the
 * connection the call came from.
 *
 * Returns: (transfer full): the proxy
 */
JanusProxy *
janus_invocation_dup_proxy (JanusInvocation *self,
                            guint64          agent_id)
{
  g_return_val_if_fail (self != NULL, NULL);

  return janus_proxy_new_on (self->connection->network, self->connection, agent_id, NULL);
}

/* ------------------------------------------------------------ answers */

static gboolean
begin_answer (JanusInvocation *self)
{
  return !atomic_exchange_explicit (&self->answered, TRUE, memory_order_acq_rel);
}

#define BEGIN_ANSWER(self)                                                       \
  G_STMT_START {                                                                 \
    if (!begin_answer (self))                                                    \
      {                                                                          \
        g_critical ("%s: method “%s” was answered already", G_STRFUNC, self->name); \
        return;                                                                  \
      }                                                                          \
  } G_STMT_END

/**
 * janus_invocation_return_json:
 * @self: an invocation not answered yet
 * @value: (nullable): the result; %NULL is `null`
 *
 * Answers the call with @value. A value that cannot be encoded (a string
 * that is not UTF-8) or is too large for a frame is answered with an
 * error instead. MT safe.
 */
void
janus_invocation_return_json (JanusInvocation *self,
                              JsonNode        *value)
{
  g_autoptr(JsonNode) null = NULL;

  g_return_if_fail (self != NULL);
  BEGIN_ANSWER (self);

  if (value == NULL)
    value = null = json_node_new (JSON_NODE_NULL);
  janus_connection_answer (self->connection, self->id, value);
}

/**
 * janus_invocation_return_value:
 * @self: an invocation not answered yet
 * @value: (nullable): the result (a floating reference is sunk); %NULL is
 *   `null`
 *
 * Answers the call with @value converted to JSON (see
 * [func@Janus.json_from_variant]). MT safe.
 */
void
janus_invocation_return_value (JanusInvocation *self,
                               GVariant        *value)
{
  g_autoptr(GVariant) sunk = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (self != NULL);

  if (value == NULL)
    {
      janus_invocation_return_json (self, NULL);
      return;
    }
  sunk = g_variant_ref_sink (value);
  node = janus_json_from_variant (sunk, &error);
  if (node == NULL)
    janus_invocation_return_gerror (self, error);
  else
    janus_invocation_return_json (self, node);
}

/**
 * janus_invocation_return_json_string:
 * @self: an invocation not answered yet
 * @json: the result as JSON text (read with [func@Janus.json_from_data])
 *
 * Answers the call with the document @json, for language bindings
 * (Python's `json.dumps` writes what this reads). Text that is not JSON is
 * answered with an error. MT safe.
 */
void
janus_invocation_return_json_string (JanusInvocation *self,
                                     const char      *json)
{
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (self != NULL);
  g_return_if_fail (json != NULL);

  node = janus_json_from_data (json, -1, &error);
  if (node == NULL)
    janus_invocation_return_gerror (self, error);
  else
    janus_invocation_return_json (self, node);
}

/**
 * janus_invocation_return_gerror:
 * @self: an invocation not answered yet
 * @error: the failure
 *
 * Answers the call with an error: the caller receives the text
 * `domain code: message` (a janus-c caller gets it as a
 * %JANUS_NET_ERROR_REMOTE error carrying that text). MT safe.
 */
void
janus_invocation_return_gerror (JanusInvocation *self,
                                const GError    *error)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (error != NULL);
  BEGIN_ANSWER (self);

  janus_connection_answer_gerror (self->connection, self->id, error);
}

/**
 * janus_invocation_return_error_literal:
 * @self: an invocation not answered yet
 * @domain: an error domain
 * @code: an error code
 * @message: the error's message
 *
 * Answers the call with an error, as [method@Janus.Invocation.return_gerror].
 */
void
janus_invocation_return_error_literal (JanusInvocation *self,
                                       GQuark           domain,
                                       gint             code,
                                       const char      *message)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail (self != NULL);
  g_return_if_fail (message != NULL);

  error = g_error_new_literal (domain, code, message);
  janus_invocation_return_gerror (self, error);
}

/**
 * janus_invocation_return_error: (skip)
 * @self: an invocation not answered yet
 * @domain: an error domain
 * @code: an error code
 * @format: printf()-style format of the message
 * @...: its arguments
 *
 * Answers the call with an error, as [method@Janus.Invocation.return_gerror].
 */
void
janus_invocation_return_error (JanusInvocation *self,
                               GQuark           domain,
                               gint             code,
                               const char      *format,
                               ...)
{
  g_autoptr(GError) error = NULL;
  va_list args;

  g_return_if_fail (self != NULL);
  g_return_if_fail (format != NULL);

  va_start (args, format);
  error = g_error_new_valist (domain, code, format, args);
  va_end (args);
  janus_invocation_return_gerror (self, error);
}
