/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined (JANUS_INSIDE) && !defined (JANUS_COMPILATION)
#error "Only <janus.h> can be included directly."
#endif

#include <gio/gio.h>

#include "janus-agent.h"

G_BEGIN_DECLS

#define JANUS_TYPE_HOLON (janus_holon_get_type ())

/**
 * JANUS_HOLON_ERROR:
 *
 * The error domain of holarchy operations. Errors in this domain are from
 * the [error@Janus.HolonError] enumeration; operations also report
 * `JANUS_KERNEL_ERROR` codes for what is not specific to holons (an agent
 * that is not launched or is dead) and `JANUS_ORGANIZATION_ERROR_WRONG_KERNEL`
 * for another kernel's agent.
 */
#define JANUS_HOLON_ERROR (janus_holon_error_quark ())

/**
 * JanusHolonError:
 * @JANUS_HOLON_ERROR_CYCLE: the agent is the holon itself or one of its
 *   super-holons (direct or not): a holarchy has no cycle.
 * @JANUS_HOLON_ERROR_ALREADY_MEMBER: the agent is a member of this holon
 *   already.
 * @JANUS_HOLON_ERROR_NOT_MEMBER: the agent is not a member of this holon.
 * @JANUS_HOLON_ERROR_SHARING_REFUSED: the agent is a member of another
 *   holon and is added as a Part (only a MultiPart is shared), or it does
 *   not accept sharing ([func@Janus.Holon.set_shareable]).
 * @JANUS_HOLON_ERROR_SAME_HOLON: a holon cannot be merged with itself.
 * @JANUS_HOLON_ERROR_DYING: the holon is ending (its members are being
 *   ended): it takes no new member.
 * @JANUS_HOLON_ERROR_NO_PROVIDER: no member of the holon offers the
 *   capacity that was asked.
 * @JANUS_HOLON_ERROR_PROVIDER_ENDED: the head or the member chosen to
 *   perform a capacity ended (or left) before answering.
 * @JANUS_HOLON_ERROR_NO_HEAD: the holon has members but no head to pass a
 *   capacity to, or a head cannot be removed because no other member could
 *   take its place.
 * @JANUS_HOLON_ERROR_NOT_ATOMIC: the holon given to
 *   [method@Janus.Holon.merge] as the new super-holon has members already.
 * @JANUS_HOLON_ERROR_NOT_SIBLINGS: the holons to merge are not free nor
 *   Parts of the same one super-holon.
 *
 * Error codes in the `JANUS_HOLON_ERROR` domain. Each refusal leaves the
 * holarchy as it was.
 */
typedef enum {
  JANUS_HOLON_ERROR_CYCLE,
  JANUS_HOLON_ERROR_ALREADY_MEMBER,
  JANUS_HOLON_ERROR_NOT_MEMBER,
  JANUS_HOLON_ERROR_SHARING_REFUSED,
  JANUS_HOLON_ERROR_SAME_HOLON,
  JANUS_HOLON_ERROR_DYING,
  JANUS_HOLON_ERROR_NO_PROVIDER,
  JANUS_HOLON_ERROR_PROVIDER_ENDED,
  JANUS_HOLON_ERROR_NO_HEAD,
  JANUS_HOLON_ERROR_NOT_ATOMIC,
  JANUS_HOLON_ERROR_NOT_SIBLINGS,
} JanusHolonError;

/**
 * JanusMembership:
 * @JANUS_MEMBERSHIP_NONE: not a member.
 * @JANUS_MEMBERSHIP_PART: a member of this super-holon only; it plays
 *   [class@Janus.HolonicPart].
 * @JANUS_MEMBERSHIP_MULTI_PART: a member that may be shared with other
 *   super-holons; it plays [class@Janus.HolonicMultiPart] in each.
 *
 * How an agent belongs to a super-holon. Whether it is also a head is told
 * by [method@Janus.Holon.is_head].
 */
typedef enum {
  JANUS_MEMBERSHIP_NONE,
  JANUS_MEMBERSHIP_PART,
  JANUS_MEMBERSHIP_MULTI_PART,
} JanusMembership;

/**
 * JanusHolonRouting:
 * @JANUS_HOLON_ROUTING_HEAD: a message sent to the composed holon goes to
 *   one of its heads, chosen by the internal group's
 *   [enum@Janus.SelectionPolicy] (with one head, that head).
 * @JANUS_HOLON_ROUTING_ALL_HEADS: it goes to every head (each gets a copy;
 *   a pointer body then stays with the holon).
 * @JANUS_HOLON_ROUTING_SELF: the holon keeps what is sent to it.
 *
 * Where the messages sent to a holon's address go while it has members and
 * a head ([property@Janus.Holon:routing]). An atomic holon, or one without
 * a head, always keeps them; so does a holon for the messages its own heads
 * send to its address.
 */
typedef enum {
  JANUS_HOLON_ROUTING_HEAD,
  JANUS_HOLON_ROUTING_ALL_HEADS,
  JANUS_HOLON_ROUTING_SELF,
} JanusHolonRouting;

/**
 * JanusSupervisionAction:
 * @JANUS_SUPERVISION_IGNORE: the failed member stays gone.
 * @JANUS_SUPERVISION_RESTART: a new instance of the member's type is
 *   spawned in its place, with the same name and launch parameters, after a
 *   back-off on the kernel's clock. Once a member's place was restarted
 *   [property@Janus.Holon:max-restarts] times, a further failure escalates.
 * @JANUS_SUPERVISION_ESCALATE: the super-holon fails itself: the kernel
 *   reports it with [signal@Janus.Kernel::agent-failed] and it is killed
 *   (its members end first), so its own super-holon supervises it in turn.
 *
 * What a super-holon does when one of its members fails (its `activate`
 * fails, its `live` fails, a Python exception escapes one of its
 * overrides) and ends.
 */
typedef enum {
  JANUS_SUPERVISION_IGNORE,
  JANUS_SUPERVISION_RESTART,
  JANUS_SUPERVISION_ESCALATE,
} JanusSupervisionAction;

JANUS_AVAILABLE_IN_ALL
G_DECLARE_DERIVABLE_TYPE (JanusHolon, janus_holon, JANUS, HOLON, JanusAgent)

/**
 * JanusHolonHeadFunc:
 * @holon: the super-holon that needs a head
 * @candidates: (element-type JanusAgent): its members, in joining order (at
 *   least one)
 * @user_data: the data given with the function
 *
 * Chooses the head of a super-holon that has members and no head (its
 * first member joined, or its head left or ended). Runs in the holon's
 * step, with no lock held.
 *
 * Returns: the index of the new head, or `G_MAXUINT` to stay without a head
 *   (the holon then keeps what is sent to it). Another index out of range
 *   is a programming error: a warning, and the first member is head. If
 *   the chosen member left meanwhile, the policy is asked again.
 */
typedef guint (*JanusHolonHeadFunc) (JanusHolon  *holon,
                                     GPtrArray   *candidates,
                                     gpointer     user_data);

/**
 * JanusHolonProviderFunc:
 * @holon: the super-holon asked for a capacity
 * @capacity_type: (type gsize): the capacity (an interface `GType`; a
 *   language binding gets the type's number)
 * @candidates: (element-type JanusAgent): the members offering it, in
 *   joining order (at least one)
 * @user_data: the data given with the function
 *
 * Chooses which member performs a capacity asked of @holon. Runs in the
 * head's step, with no lock held.
 *
 * Returns: the index of the chosen candidate
 */
typedef guint (*JanusHolonProviderFunc) (JanusHolon  *holon,
                                         GType        capacity_type,
                                         GPtrArray   *candidates,
                                         gpointer     user_data);

/**
 * JanusSupervisionFunc:
 * @holon: the super-holon
 * @member: the member that failed and ended
 * @error: why it failed
 * @restarts: how many times its place was restarted already
 * @user_data: the data given with the function
 *
 * Decides what @holon does about a failed member. Runs in the holon's
 * step, with no lock held.
 *
 * Returns: the action
 */
typedef JanusSupervisionAction (*JanusSupervisionFunc) (JanusHolon   *holon,
                                                        JanusAgent   *member,
                                                        const GError *error,
                                                        guint         restarts,
                                                        gpointer      user_data);

/**
 * JanusHolonClass:
 * @parent_class: the parent class
 * @supervise: decides what to do about a member that failed and ended;
 *   runs in the holon's step. The default calls the function set with
 *   [method@Janus.Holon.set_supervision_func], or else returns
 *   [property@Janus.Holon:supervision]. Whatever it returns, a restart
 *   beyond [property@Janus.Holon:max-restarts] escalates.
 *
 * The class of holons. A holon is an agent: override the
 * [struct@Janus.AgentClass] virtual functions as usual, and chain up from
 * `live` (the default forwards what is sent to the holon to its heads, then
 * steps its roles) and from `end`.
 */
struct _JanusHolonClass
{
  JanusAgentClass parent_class;

  JanusSupervisionAction (*supervise) (JanusHolon   *self,
                                       JanusAgent   *member,
                                       const GError *error,
                                       guint         restarts);

  /*< private >*/
  gpointer padding[8];
};

JANUS_AVAILABLE_IN_ALL
GQuark               janus_holon_error_quark        (void);

JANUS_AVAILABLE_IN_ALL
JanusHolon          *janus_holon_new                (void);

/* composition */
JANUS_AVAILABLE_IN_ALL
gboolean             janus_holon_add_member         (JanusHolon          *self,
                                                     JanusAgent          *member,
                                                     JanusMembership      membership,
                                                     GError             **error);
JANUS_AVAILABLE_IN_ALL
gboolean             janus_holon_spawn_member       (JanusHolon          *self,
                                                     JanusAgent          *member,
                                                     const char          *name,
                                                     GVariant            *parameters,
                                                     GError             **error);
JANUS_AVAILABLE_IN_ALL
gboolean             janus_holon_remove_member      (JanusHolon          *self,
                                                     JanusAgent          *member,
                                                     GError             **error);
JANUS_AVAILABLE_IN_ALL
gboolean             janus_holon_move_member        (JanusHolon          *self,
                                                     JanusAgent          *member,
                                                     JanusHolon          *destination,
                                                     GError             **error);
JANUS_AVAILABLE_IN_ALL
gboolean             janus_holon_merge              (JanusHolon          *self,
                                                     JanusHolon          *other,
                                                     JanusHolon          *super,
                                                     GError             **error);
JANUS_AVAILABLE_IN_ALL
gboolean             janus_holon_merge_into         (JanusHolon          *self,
                                                     JanusHolon          *other,
                                                     GError             **error);
JANUS_AVAILABLE_IN_ALL
gboolean             janus_holon_decompose          (JanusHolon          *self,
                                                     GError             **error);
JANUS_AVAILABLE_IN_ALL
void                 janus_holon_set_shareable      (JanusAgent          *agent,
                                                     gboolean             shareable);
JANUS_AVAILABLE_IN_ALL
gboolean             janus_holon_is_shareable       (JanusAgent          *agent);

/* heads */
JANUS_AVAILABLE_IN_ALL
gboolean             janus_holon_set_head           (JanusHolon          *self,
                                                     JanusAgent          *member,
                                                     GError             **error);
JANUS_AVAILABLE_IN_ALL
gboolean             janus_holon_add_head           (JanusHolon          *self,
                                                     JanusAgent          *member,
                                                     GError             **error);
JANUS_AVAILABLE_IN_ALL
gboolean             janus_holon_remove_head        (JanusHolon          *self,
                                                     JanusAgent          *member,
                                                     GError             **error);
JANUS_AVAILABLE_IN_ALL
GPtrArray           *janus_holon_list_heads         (JanusHolon          *self);
JANUS_AVAILABLE_IN_ALL
gboolean             janus_holon_is_head            (JanusHolon          *self,
                                                     JanusAgent          *member);
JANUS_AVAILABLE_IN_ALL
void                 janus_holon_set_head_func      (JanusHolon          *self,
                                                     JanusHolonHeadFunc   func,
                                                     gpointer             user_data,
                                                     GDestroyNotify       destroy);

/* walking the holarchy */
JANUS_AVAILABLE_IN_ALL
GPtrArray           *janus_holon_list_members       (JanusHolon          *self);
JANUS_AVAILABLE_IN_ALL
guint                janus_holon_get_n_members      (JanusHolon          *self);
JANUS_AVAILABLE_IN_ALL
JanusMembership      janus_holon_get_membership     (JanusHolon          *self,
                                                     JanusAgent          *member);
JANUS_AVAILABLE_IN_ALL
gboolean             janus_holon_is_atomic          (JanusHolon          *self);
JANUS_AVAILABLE_IN_ALL
GPtrArray           *janus_holon_list_supers        (JanusAgent          *agent);
JANUS_AVAILABLE_IN_ALL
guint                janus_holon_get_depth          (JanusAgent          *agent);
JANUS_AVAILABLE_IN_ALL
JanusAgent          *janus_holon_find               (JanusHolon          *self,
                                                     const JanusAddress  *address);
JANUS_AVAILABLE_IN_ALL
JanusGroup          *janus_holon_get_group          (JanusHolon          *self);
JANUS_AVAILABLE_IN_ALL
JanusHolon          *janus_holon_from_group         (JanusGroup          *group);
JANUS_AVAILABLE_IN_ALL
JanusRole           *janus_holon_get_super_role     (JanusHolon          *self);

/* messages */
JANUS_AVAILABLE_IN_ALL
JanusHolonRouting    janus_holon_get_routing        (JanusHolon          *self);
JANUS_AVAILABLE_IN_ALL
void                 janus_holon_set_routing        (JanusHolon          *self,
                                                     JanusHolonRouting    routing);
JANUS_AVAILABLE_IN_ALL
guint                janus_holon_route_messages     (JanusHolon          *self);
JANUS_AVAILABLE_IN_ALL
gboolean             janus_holon_send_to_super      (JanusHolon          *self,
                                                     JanusAgent          *member,
                                                     JanusMessage        *message,
                                                     GError             **error);
JANUS_AVAILABLE_IN_ALL
gboolean             janus_holon_send_to_members    (JanusHolon          *self,
                                                     JanusAgent          *sender,
                                                     GType                role_type,
                                                     const JanusAddress  *receiver,
                                                     JanusMessage        *message,
                                                     JanusAddress       **out_receiver,
                                                     GError             **error);
JANUS_AVAILABLE_IN_ALL
gboolean             janus_holon_broadcast_to_members (JanusHolon        *self,
                                                     JanusAgent          *sender,
                                                     GType                role_type,
                                                     JanusMessage        *message,
                                                     guint               *n_receivers,
                                                     GError             **error);

/* emergent capacities */
JANUS_AVAILABLE_IN_ALL
gboolean             janus_holon_has_capacity       (JanusHolon          *self,
                                                     GType                capacity_type);
JANUS_AVAILABLE_IN_ALL
void                 janus_holon_invoke_capacity_async  (JanusHolon          *self,
                                                         GType                capacity_type,
                                                         GVariant            *input,
                                                         GCancellable        *cancellable,
                                                         GAsyncReadyCallback  callback,
                                                         gpointer             user_data);
JANUS_AVAILABLE_IN_ALL
GVariant            *janus_holon_invoke_capacity_finish (JanusHolon          *self,
                                                         GAsyncResult        *result,
                                                         GError             **error);
JANUS_AVAILABLE_IN_ALL
void                 janus_holon_set_provider_func  (JanusHolon          *self,
                                                     JanusHolonProviderFunc func,
                                                     gpointer             user_data,
                                                     GDestroyNotify       destroy);

/* supervision */
JANUS_AVAILABLE_IN_ALL
void                 janus_holon_set_supervision_func (JanusHolon        *self,
                                                     JanusSupervisionFunc func,
                                                     gpointer             user_data,
                                                     GDestroyNotify       destroy);
JANUS_AVAILABLE_IN_ALL
JanusSupervisionAction janus_holon_get_supervision  (JanusHolon          *self);
JANUS_AVAILABLE_IN_ALL
void                 janus_holon_set_supervision    (JanusHolon          *self,
                                                     JanusSupervisionAction action);
JANUS_AVAILABLE_IN_ALL
guint                janus_holon_get_max_restarts   (JanusHolon          *self);
JANUS_AVAILABLE_IN_ALL
void                 janus_holon_set_max_restarts   (JanusHolon          *self,
                                                     guint                max_restarts);
JANUS_AVAILABLE_IN_ALL
gint64               janus_holon_get_restart_backoff (JanusHolon         *self);
JANUS_AVAILABLE_IN_ALL
void                 janus_holon_set_restart_backoff (JanusHolon         *self,
                                                     gint64               backoff);

G_END_DECLS
