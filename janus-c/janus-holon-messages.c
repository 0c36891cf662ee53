/* SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Messages of holons: what is sent to a super-holon goes on to its heads
 * (the holon's default live forwards it, keeping its sender), and members
 * talk to their super-holon and to each other through the internal
 * group's roles. */
#include "config.h"

#include "janus-holon-private.h"
#include "janus-agent-private.h"
#include "janus-epoch-private.h"
#include "janus-error.h"
#include "janus-group-private.h"
#include "janus-holonic-head.h"
#include "janus-holonic-part.h"
#include "janus-holonic-super.h"
#include "janus-kernel-private.h"
#include "janus-message-private.h"
#include "janus-role-private.h"

typedef struct
{
  JanusHeads *heads;
  gboolean    copies;           /* every head gets one */
} RouteFilter;

/* A direct message from outside (not from a head) that can be forwarded. */
static gboolean
is_forwardable (JanusMessage *m,
                gpointer      data)
{
  RouteFilter *f = data;
  guint i;

  if (m->route != NULL)
    return FALSE;
  if (f->copies && janus_message_body_kind (m) == JANUS_BODY_POINTER)
    return FALSE;
  for (i = 0; i < f->heads->n; i++)
    if (janus_address_equal (&m->sender, &f->heads->addresses[i]))
      return FALSE;
  return TRUE;
}

/* Hands @m (sent, ours) to the head at @to, keeping its sender, into the
 * head's Head role. */
static void
forward (JanusRuntime       *rt,
         JanusMessage       *m,
         const JanusAddress *to,
         guint64             group_id)
{
  if (atomic_load_explicit (&m->ref_count, memory_order_acquire) != 1)
    {
      /* somebody else holds it (a peek): it stays as it was */
      JanusMessage *copy = janus_message_clone_for (m);

      janus_message_seal (copy, &m->sender, to, m->timestamp);
      janus_message_unref (m);
      m = copy;
    }
  m->receiver = *to;
  janus_message_take_route (m, janus_message_route_shared (group_id, G_TYPE_INVALID,
                                                           JANUS_TYPE_HOLONIC_HEAD));
  janus_runtime_deliver (rt, m);
}

/**
 * janus_holon_route_messages:
 * @self: a holon (call from its step)
 *
 * Forwards to the holon's head(s) what was sent to its address, as
 * [property@Janus.Holon:routing] says: each message keeps its sender and
 * lands in the head's [class@Janus.HolonicHead] role. Messages sent by a
 * head, role messages, and everything while the holon has no head stay in
 * the holon's mailbox. The default `live` of [class@Janus.Holon] calls it; a
 * subclass that does not chain up can call it itself.
 *
 * Returns: how many messages were forwarded
 */
guint
janus_holon_route_messages (JanusHolon *self)
{
  JanusHolonComposite *c;
  JanusHolonRouting routing;
  JanusRuntime *rt;
  RouteFilter filter;
  JanusMessage *m;
  guint n = 0, i;

  g_return_val_if_fail (JANUS_IS_HOLON (self), 0);
  g_return_val_if_fail (janus_agent_check_owner (JANUS_AGENT (self)), 0);

  c = janus_holon_peek_composite (self);
  if (c == NULL)
    return 0;
  routing = atomic_load_explicit (&c->routing, memory_order_relaxed);
  if (routing == JANUS_HOLON_ROUTING_SELF)
    return 0;
  rt = janus_agent_get_runtime (JANUS_AGENT (self));
  janus_epoch_enter ();
  filter.heads = atomic_load_explicit (&c->heads, memory_order_acquire);
  if (filter.heads == NULL)
    {
      janus_epoch_exit ();
      return 0;
    }
  filter.copies = routing == JANUS_HOLON_ROUTING_ALL_HEADS && filter.heads->n > 1;
  while ((m = janus_mbox_take_filtered (janus_agent_get_mbox (JANUS_AGENT (self)), is_forwardable, &filter)))
    {
      if (filter.copies)
        {
          for (i = 0; i + 1 < filter.heads->n; i++)
            {
              JanusMessage *copy = janus_message_clone_for (m);
              janus_message_seal (copy, &m->sender, &filter.heads->addresses[i], m->timestamp);
              forward (rt, copy, &filter.heads->addresses[i], filter.heads->group_id);
            }
          i = filter.heads->n - 1;
        }
      else if (filter.heads->n > 1)
        i = atomic_fetch_add_explicit (&c->round_robin, 1, memory_order_relaxed) % filter.heads->n;
      else
        i = 0;
      forward (rt, m, &filter.heads->addresses[i], filter.heads->group_id);
      n++;
    }
  janus_epoch_exit ();
  return n;
}

/* The internal group of @self (a new reference) where @agent plays @type,
 * after @agent caught up with the holarchy; NULL with @error set if not. */
static JanusGroup *
group_played_in (JanusHolon  *self,
                 JanusAgent  *agent,
                 GType        type,
                 GError     **error)
{
  g_autoptr(JanusGroup) group = NULL;

  janus_holon_reconcile_if_pending (agent);
  group = janus_holon_get_group (self);
  if (group == NULL || janus_agent_get_role (agent, type, group) == NULL)
    {
      g_set_error (error, JANUS_HOLON_ERROR, JANUS_HOLON_ERROR_NOT_MEMBER,
                   "Agent %s plays no %s role in holon %s", janus_holon_name_of (agent), g_type_name (type),
                   janus_holon_name_of (JANUS_AGENT (self)));
      return NULL;
    }
  return g_steal_pointer (&group);
}

/**
 * janus_holon_send_to_super:
 * @self: a super-holon
 * @member: one of its members (call from its step)
 * @message: (transfer full): an unsent message
 * @error: return location for a [struct@GLib.Error]
 *
 * Sends @message from @member's Part role to @self's Super role, in the
 * internal group: it lands in @self's mailbox, in its Super role
 * ([method@Janus.Holon.get_super_role]).
 *
 * Returns: `TRUE` if sent; `FALSE` with @error set
 *   (`JANUS_HOLON_ERROR_NOT_MEMBER` if @member plays no Part there, or a
 *   send error); @message is released in every case
 */
gboolean
janus_holon_send_to_super (JanusHolon    *self,
                           JanusAgent    *member,
                           JanusMessage  *message,
                           GError       **error)
{
  g_autoptr(JanusGroup) group = NULL;

  g_return_val_if_fail (JANUS_IS_HOLON (self), FALSE);
  g_return_val_if_fail (JANUS_IS_AGENT (member), FALSE);
  g_return_val_if_fail (message != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  group = group_played_in (self, member, JANUS_TYPE_HOLONIC_PART, error);
  if (group == NULL)
    {
      janus_message_unref (message);
      return FALSE;
    }
  return janus_agent_send_to_role (member, group, JANUS_TYPE_HOLONIC_PART,
                                   JANUS_TYPE_HOLONIC_SUPER, NULL, message, NULL, error);
}

/* The role @sender speaks as in @self's group: Super for the holon itself,
 * Part for a member. */
static GType
speaking_role (JanusHolon *self,
               JanusAgent *sender)
{
  return sender == JANUS_AGENT (self) ? JANUS_TYPE_HOLONIC_SUPER : JANUS_TYPE_HOLONIC_PART;
}

/**
 * janus_holon_send_to_members:
 * @self: a super-holon
 * @sender: @self itself or one of its members (call from its step)
 * @role_type: the receiving holonic role: `JANUS_TYPE_HOLONIC_PART` (any
 *   member), `JANUS_TYPE_HOLONIC_HEAD`, `JANUS_TYPE_HOLONIC_MULTI_PART`, or a
 *   subclass
 * @receiver: (nullable): the one member to send to, or `NULL` to let the
 *   internal group's selection policy choose among the players
 * @message: (transfer full): an unsent message
 * @out_receiver: (out) (optional) (nullable) (transfer full): where to
 *   store the address of the receiver, or `NULL`
 * @error: return location for a [struct@GLib.Error]
 *
 * Sends @message inside @self's internal group: from @self (as Super) to
 * its members, or from a member (as Part) to its siblings — never to
 * @sender itself. It lands in the receiver's role of @role_type.
 *
 * Returns: `TRUE` if sent; `FALSE` with @error set
 *   (`JANUS_HOLON_ERROR_NOT_MEMBER` if @sender plays no role there,
 *   `JANUS_ORGANIZATION_ERROR_NOT_A_MEMBER` if nobody else plays
 *   @role_type); @message is released in every case
 */
gboolean
janus_holon_send_to_members (JanusHolon          *self,
                             JanusAgent          *sender,
                             GType                role_type,
                             const JanusAddress  *receiver,
                             JanusMessage        *message,
                             JanusAddress       **out_receiver,
                             GError             **error)
{
  g_autoptr(JanusGroup) group = NULL;
  GType from;

  g_return_val_if_fail (JANUS_IS_HOLON (self), FALSE);
  g_return_val_if_fail (JANUS_IS_AGENT (sender), FALSE);
  g_return_val_if_fail (g_type_is_a (role_type, JANUS_TYPE_ROLE), FALSE);
  g_return_val_if_fail (message != NULL, FALSE);
  g_return_val_if_fail (out_receiver == NULL || *out_receiver == NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  from = speaking_role (self, sender);
  group = group_played_in (self, sender, from, error);
  if (group == NULL)
    {
      janus_message_unref (message);
      return FALSE;
    }
  return janus_agent_send_to_role (sender, group, from, role_type, receiver, message,
                                   out_receiver, error);
}

/**
 * janus_holon_broadcast_to_members:
 * @self: a super-holon
 * @sender: @self itself or one of its members (call from its step)
 * @role_type: the receiving holonic role type
 * @message: (transfer full): an unsent message
 * @n_receivers: (out) (optional): how many received it
 * @error: return location for a [struct@GLib.Error]
 *
 * Like [method@Janus.Holon.send_to_members], to every player of
 * @role_type (or a subclass) but @sender.
 *
 * Returns: `TRUE` if sent; `FALSE` with @error set; @message is released in
 *   every case
 */
gboolean
janus_holon_broadcast_to_members (JanusHolon    *self,
                                  JanusAgent    *sender,
                                  GType          role_type,
                                  JanusMessage  *message,
                                  guint         *n_receivers,
                                  GError       **error)
{
  g_autoptr(JanusGroup) group = NULL;
  GType from;

  g_return_val_if_fail (JANUS_IS_HOLON (self), FALSE);
  g_return_val_if_fail (JANUS_IS_AGENT (sender), FALSE);
  g_return_val_if_fail (g_type_is_a (role_type, JANUS_TYPE_ROLE), FALSE);
  g_return_val_if_fail (message != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (n_receivers != NULL)
    *n_receivers = 0;
  from = speaking_role (self, sender);
  group = group_played_in (self, sender, from, error);
  if (group == NULL)
    {
      janus_message_unref (message);
      return FALSE;
    }
  return janus_role_broadcast (janus_agent_get_role (sender, from, group), role_type,
                                       message, n_receivers, error);
}
