/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <stdatomic.h>

#include "janus-holonic-roles-private.h"
#include "janus-condition.h"

/* The rules of the holonic roles, which the holon installs (see
 * janus-holonic-roles-private.h). */

static const JanusHolonicFuncs *_Atomic holonic_funcs;

void
janus_holonic_set_funcs (const JanusHolonicFuncs *funcs)
{
  /* release: what the functions use is set up before a role calls them */
  atomic_store_explicit (&holonic_funcs, funcs, memory_order_release);
}

static const JanusHolonicFuncs *
get_funcs (void)
{
  return atomic_load_explicit (&holonic_funcs, memory_order_acquire);
}

static gboolean
may_leave (JanusAgent *agent,
           JanusGroup *group,
           GType       role_type,
           gpointer    user_data)
{
  const JanusHolonicFuncs *funcs = get_funcs ();

  /* no holon was ever made: none manages the role */
  return funcs == NULL || !funcs->wanted (agent, group, role_type);
}

static gboolean
may_obtain (JanusAgent *agent,
            JanusGroup *group,
            GType       role_type,
            gpointer    user_data)
{
  const JanusHolonicFuncs *funcs = get_funcs ();

  return funcs == NULL || funcs->may_obtain (agent, group, role_type);
}

/* From the class_init of each holonic role: a holonic role cannot be left
 * behind the holon's back (janus_holon_remove_member is the way out), nor
 * taken in a holon's internal group by an agent the holon did not give it
 * to (janus_holon_add_member, janus_holon_set_head are the way in). */
void
janus_holonic_role_class_init (JanusRoleClass *klass)
{
  static JanusCondition *leave, *obtain;

  if (g_once_init_enter (&leave))
    g_once_init_leave (&leave,
                       janus_condition_new ("the holon no longer wants the role "
                                            "(use janus_holon_remove_member)",
                                            may_leave, NULL, NULL));
  if (g_once_init_enter (&obtain))
    g_once_init_leave (&obtain,
                       janus_condition_new ("the holon gives its holonic roles itself "
                                            "(use janus_holon_add_member or janus_holon_set_head)",
                                            may_obtain, NULL, NULL));
  janus_role_class_add_leave_condition (klass, leave);
  janus_role_class_add_obtain_condition (klass, obtain);
}

/* A Head's default provider choice: the holon's. */
guint
janus_holonic_select_provider (JanusGroup *group,
                               GType       capacity_type,
                               GPtrArray  *candidates)
{
  const JanusHolonicFuncs *funcs = get_funcs ();

  return funcs != NULL ? funcs->select_provider (group, capacity_type, candidates) : 0;
}
