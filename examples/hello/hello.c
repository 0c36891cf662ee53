/* SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * hello: the smallest janus-c program. One agent says "Hello, World!" three
 * times, one step each, then ends; the kernel returns when it is gone.
 */
#include <janus.h>

#define HELLO_TYPE_AGENT (hello_agent_get_type ())
G_DECLARE_FINAL_TYPE (HelloAgent, hello_agent, HELLO, AGENT, JanusAgent)

struct _HelloAgent
{
  JanusAgent parent_instance;
  int        count;
};

G_DEFINE_FINAL_TYPE (HelloAgent, hello_agent, JANUS_TYPE_AGENT)

static gboolean
hello_agent_activate (JanusAgent  *agent,
                      GVariant    *parameters,
                      GError     **error)
{
  g_print ("%s is born\n", janus_agent_get_name (agent));
  return TRUE;
}

static JanusLive
hello_agent_live (JanusAgent *agent)
{
  HelloAgent *self = HELLO_AGENT (agent);

  g_print ("Hello, World!\n");
  /* AGAIN: step me again; DONE: I am finished */
  return ++self->count < 3 ? JANUS_LIVE_AGAIN : JANUS_LIVE_DONE;
}

static void
hello_agent_end (JanusAgent *agent)
{
  g_print ("%s ends\n", janus_agent_get_name (agent));
}

static void
hello_agent_class_init (HelloAgentClass *klass)
{
  JanusAgentClass *agent_class = JANUS_AGENT_CLASS (klass);

  agent_class->activate = hello_agent_activate;
  agent_class->live = hello_agent_live;
  agent_class->end = hello_agent_end;
}

static void
hello_agent_init (HelloAgent *self)
{
}

int
main (void)
{
  g_autoptr(JanusKernel) kernel = janus_kernel_new (0);
  g_autoptr(JanusAgent) hello = g_object_new (HELLO_TYPE_AGENT, NULL);
  g_autoptr(GError) error = NULL;

  if (!janus_kernel_launch_light_agent (kernel, hello, "hello", NULL, &error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  janus_kernel_run (kernel);
  return 0;
}
