/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "janus-address-private.h"
#include "janus-mailbox-private.h"
#include "janus-message-selector.h"

/**
 * JanusMailbox:
 *
 * The mailbox of an agent, as an object: what [method@Janus.Agent.get_mailbox]
 * returns. Its operations are those of the agent (take the oldest, peek,
 * drain, list, test, count, and — for heavy agents — wait) and follow the
 * same rules: only the agent itself reads its mailbox.
 *
 * Messages are read in arrival order, per sender in the order sent, unless
 * the [enum@Janus.MailboxKind] says otherwise. A mailbox can be walked
 * without taking messages, taking some on the way:
 *
 * ```c
 * JanusMailboxIter iter;
 * JanusMessage *m;
 *
 * janus_mailbox_iter_init (&iter, janus_agent_get_mailbox (self));
 * while (janus_mailbox_iter_next (&iter, &m))
 *   if (janus_message_has_subject (m, "urgent"))
 *     handle_and_unref (janus_mailbox_iter_steal (&iter));
 * ```
 *
 * From Python, `for message in mailbox:` takes each message in turn (like
 * calling [method@Janus.Mailbox.get_message] until it returns `None`), and
 * `len (mailbox)` is its size.
 *
 * The mailbox does not keep its agent alive: once the agent is finalized the
 * mailbox is empty and every operation returns nothing.
 */

static const JanusMboxOwnerFuncs *owner;

__thread JanusMbox *janus_mbox_tls_current __attribute__ ((tls_model ("initial-exec")));

void
janus_mbox_set_owner_funcs (const JanusMboxOwnerFuncs *funcs)
{
  owner = funcs;
}

/* ------------------------------------------------------------ ordering */

JanusMessage *janus_mbox_unlink (JanusMbox    *mbox,
                                 JanusMessage *prev,
                                 JanusMessage *message);

/* Stable merge of two lists by decreasing priority. */
static JanusMessage *
merge_by_priority (JanusMessage *a,
                   JanusMessage *b)
{
  JanusMessage head = { 0 }, *t = &head;

  while (a && b)
    {
      if (b->priority > a->priority)
        {
          t->next = b;
          b = b->next;
        }
      else
        {
          t->next = a;
          a = a->next;
        }
      t = t->next;
    }
  t->next = a ? a : b;
  return head.next;
}

static JanusMessage *
sort_by_priority (JanusMessage *list)
{
  JanusMessage *slow, *fast, *second;

  if (list == NULL || list->next == NULL)
    return list;
  slow = list;
  fast = list->next;
  while (fast && fast->next)
    {
      slow = slow->next;
      fast = fast->next->next;
    }
  second = slow->next;
  slow->next = NULL;
  return merge_by_priority (sort_by_priority (list), sort_by_priority (second));
}

static void
fix_tail (JanusMbox *mbox)
{
  JanusMessage *m;

  mbox->tail = NULL;
  for (m = mbox->head; m != NULL; m = m->next)
    mbox->tail = m;
}

/* Whether @a and @b come from the same sender to the same receiver (the
 * owner itself, or one role): a per-sender mailbox keeps one of them. */
static gboolean
same_channel (const JanusMessage *a,
              const JanusMessage *b)
{
  const JanusMessageRoute *x = a->route, *y = b->route;

  if (!janus_address_equal (&a->sender, &b->sender))
    return FALSE;
  if (x == NULL || y == NULL)
    return x == y;
  return x->group_id == y->group_id && x->receiver_role == y->receiver_role
         && x->receiver_serial == y->receiver_serial;
}

/* Per sender: each arrival replaces what its sender sent before on the
 * same channel; the replaced messages are refused (dead letters). One walk
 * of the kept messages per arrival: the queue holds one per channel. */
G_GNUC_NO_INLINE static void
queue_append_per_sender (JanusMbox    *mbox,
                         JanusMessage *head)
{
  JanusMessage *replaced = NULL, **last = &replaced;

  while (head != NULL)
    {
      JanusMessage *m = head, *q, *prev = NULL;

      head = m->next;
      m->next = NULL;
      for (q = mbox->head; q != NULL; prev = q, q = q->next)
        if (same_channel (q, m))
          {
            *last = janus_mbox_unlink (mbox, prev, q);
            last = &q->next;
            break;
          }
      if (mbox->tail)
        mbox->tail->next = m;
      else
        mbox->head = m;
      mbox->tail = m;
    }
  if (replaced != NULL)
    owner->refused (mbox, replaced);
}

/* Appends @head..@tail (oldest first) to the queue as the kind says. */
static void
queue_append (JanusMbox    *mbox,
              JanusMessage *head,
              JanusMessage *tail)
{
  /* the common kinds first: an append, with no other kind's code inlined
   * around it */
  if (G_LIKELY (mbox->kind == JANUS_MAILBOX_KIND_FIFO || mbox->kind == JANUS_MAILBOX_KIND_BUFFERED))
    {
      if (mbox->tail)
        mbox->tail->next = head;
      else
        mbox->head = head;
      mbox->tail = tail;
      return;
    }
  switch (mbox->kind)
    {
    case JANUS_MAILBOX_KIND_BLACK_HOLE:
      owner->refused (mbox, head);
      return;
    case JANUS_MAILBOX_KIND_PER_SENDER:
    case JANUS_MAILBOX_KIND_BUFFERED_PER_SENDER:
      queue_append_per_sender (mbox, head);
      return;
    case JANUS_MAILBOX_KIND_PRIORITY:
      mbox->head = merge_by_priority (mbox->head, sort_by_priority (head));
      fix_tail (mbox);
      return;
    default:
      if (mbox->tail)
        mbox->tail->next = head;
      else
        mbox->head = head;
      mbox->tail = tail;
      return;
    }
}

/* ---------------------------------------------------------------- looking */

/* Takes a list of arrivals, oldest first, out of a mix of letters, due
 * timers and tasks: the timers and tasks go to the owner, in the order
 * they came. */
static JanusMessage *
hand_over_internal (JanusMbox     *mbox,
                    JanusMessage  *head,
                    JanusMessage **tail)
{
  JanusMessage *m = head, *prev = NULL;

  while (m != NULL)
    {
      JanusMessage *next = m->next;

      if (m->flags & (JANUS_MESSAGE_INTERNAL | JANUS_MESSAGE_TASK))
        {
          if (prev)
            prev->next = next;
          else
            head = next;
          if (*tail == m)
            *tail = prev;
          m->next = NULL;
          if (janus_message_is_task (m))
            owner->task_due (mbox, m);
          else
            owner->timer_due (mbox, m);
        }
      else
        prev = m;
      m = next;
    }
  return head;
}

/* Moves what arrived into the queue: once per step for a light owner (its
 * first look), so a step is bounded even under a steady stream; at every
 * look for a heavy owner or between steps. Returns the newest arrival it
 * took (a letter or a due timer), to compare with the inbox's top at the
 * start of a step (janus_mbox_arrived_unseen), or NULL if nothing had
 * arrived. */
gconstpointer
janus_mbox_look (JanusMbox *mbox)
{
  JanusMessage *top, *head = NULL, *tail, *m;
  guint16 any_flags = 0;

  if (janus_mbox_looked_this_step (mbox))
    return NULL;
  if (janus_mbox_tls_current == mbox)
    mbox->flags |= JANUS_MBOX_TOOK;
  /* a plain load first: an empty inbox costs no atomic write */
  if (atomic_load_explicit (&mbox->inbox, memory_order_relaxed) <= JANUS_INBOX_CLOSED)
    return NULL;
  /* acquire: pairs with the senders' release CAS */
  top = (JanusMessage *) atomic_exchange_explicit (&mbox->inbox, JANUS_INBOX_EMPTY,
                                                   memory_order_acquire);
  /* reverse the stack into arrival order, noting on the way whether a
   * timer or a role message is among the arrivals */
  tail = top;
  for (m = top; m != NULL; )
    {
      JanusMessage *next = m->next;

      any_flags |= m->flags;
      m->next = head;
      head = m;
      m = next;
    }
  /* a timer or a task may arrive before its request: always look for them */
  if (G_UNLIKELY (any_flags & (JANUS_MESSAGE_INTERNAL | JANUS_MESSAGE_TASK)))
    head = hand_over_internal (mbox, head, &tail);
  if (head == NULL)
    return top;
  if (G_UNLIKELY (any_flags & JANUS_MESSAGE_ROUTED) && mbox->kind != JANUS_MAILBOX_KIND_BLACK_HOLE)
    owner->arrived (mbox, head);
  queue_append (mbox, head, tail);
  return top;
}

/* At the start of a step of a buffered mailbox: it looks now (or, in step
 * mode, already did when the round began). */
void
janus_mbox_begin_buffered_step (JanusMbox *mbox)
{
  if (mbox->flags & JANUS_MBOX_LOOKED)
    mbox->flags = (mbox->flags & ~JANUS_MBOX_LOOKED) | JANUS_MBOX_TOOK;
  else
    janus_mbox_look (mbox);
}

/* Step mode: a buffered mailbox whose owner runs in this round looks now,
 * before any owner of the round runs (called by the driving thread). */
void
janus_mbox_prelook (JanusMbox *mbox)
{
  if (!janus_mbox_is_buffered (mbox))
    return;
  janus_mbox_look (mbox);
  mbox->flags |= JANUS_MBOX_LOOKED;
}

/* janus_mbox_arrived_unseen for a step that never looked: it counts as
 * having seen what had arrived before it began; anything newer it takes
 * now and reports. */
gboolean
janus_mbox_arrived_unseen_slow (JanusMbox     *mbox,
                                gconstpointer  top_at_start)
{
  gconstpointer newest = janus_mbox_look (mbox);

  return newest != NULL && newest != top_at_start;
}

/* ---------------------------------------------------------------- reading */

JanusMessage *
janus_mbox_unlink (JanusMbox    *mbox,
                   JanusMessage *prev,
                   JanusMessage *message)
{
  if (prev)
    prev->next = message->next;
  else
    mbox->head = message->next;
  if (mbox->tail == message)
    mbox->tail = prev;
  message->next = NULL;
  return message;
}

JanusMessage *
janus_mbox_take_slow (JanusMbox *mbox)
{
  if (!janus_mbox_looked_this_step (mbox))
    janus_mbox_look (mbox);
  if (mbox->head == NULL)
    return NULL;
  return janus_mbox_unlink (mbox, NULL, mbox->head);
}

JanusMessage *
janus_mbox_peek (JanusMbox *mbox)
{
  janus_mbox_look (mbox);
  return mbox->head;
}

guint
janus_mbox_count (JanusMbox *mbox)
{
  return janus_mbox_count_filtered (mbox, NULL, NULL);
}

static GPtrArray *
message_array (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify) janus_message_unref);
}

GPtrArray *
janus_mbox_take_all (JanusMbox *mbox)
{
  GPtrArray *all = message_array ();
  JanusMessage *m;

  while ((m = janus_mbox_take (mbox)) != NULL)
    g_ptr_array_add (all, m);
  return all;
}

GPtrArray *
janus_mbox_peek_all (JanusMbox *mbox)
{
  return janus_mbox_peek_all_filtered (mbox, NULL, NULL);
}

/* The first queued message @filter accepts (all with no filter), and its
 * predecessor. */
static JanusMessage *
find (JanusMbox        *mbox,
      JanusMboxFilter   filter,
      gpointer          data,
      JanusMessage    **prev_out)
{
  JanusMessage *m, *prev = NULL;

  for (m = mbox->head; m != NULL; prev = m, m = m->next)
    if (filter == NULL || filter (m, data))
      {
        *prev_out = prev;
        return m;
      }
  return NULL;
}

JanusMessage *
janus_mbox_take_filtered (JanusMbox       *mbox,
                          JanusMboxFilter  filter,
                          gpointer         data)
{
  JanusMessage *m, *prev = NULL;

  janus_mbox_look (mbox);
  m = find (mbox, filter, data, &prev);
  return m ? janus_mbox_unlink (mbox, prev, m) : NULL;
}

JanusMessage *
janus_mbox_peek_filtered (JanusMbox       *mbox,
                          JanusMboxFilter  filter,
                          gpointer         data)
{
  JanusMessage *prev;

  janus_mbox_look (mbox);
  return find (mbox, filter, data, &prev);
}

GPtrArray *
janus_mbox_take_all_filtered (JanusMbox       *mbox,
                              JanusMboxFilter  filter,
                              gpointer         data)
{
  GPtrArray *all = message_array ();
  JanusMessage *m;

  while ((m = janus_mbox_take_filtered (mbox, filter, data)) != NULL)
    g_ptr_array_add (all, m);
  return all;
}

GPtrArray *
janus_mbox_peek_all_filtered (JanusMbox       *mbox,
                              JanusMboxFilter  filter,
                              gpointer         data)
{
  GPtrArray *all = message_array ();
  JanusMessage *m;

  janus_mbox_look (mbox);
  for (m = mbox->head; m != NULL; m = m->next)
    if (filter == NULL || filter (m, data))
      g_ptr_array_add (all, janus_message_ref (m));
  return all;
}

guint
janus_mbox_count_filtered (JanusMbox       *mbox,
                           JanusMboxFilter  filter,
                           gpointer         data)
{
  JanusMessage *m;
  guint n = 0;

  janus_mbox_look (mbox);
  for (m = mbox->head; m != NULL; m = m->next)
    if (filter == NULL || filter (m, data))
      n++;
  return n;
}

/* Re-orders what is queued for the new kind (a black hole refuses it). */
void
janus_mbox_set_kind (JanusMbox        *mbox,
                     JanusMailboxKind  kind)
{
  JanusMessage *queued = mbox->head;

  mbox->kind = kind;
  mbox->head = mbox->tail = NULL;
  if (queued != NULL)
    {
      JanusMessage *tail = queued;
      while (tail->next)
        tail = tail->next;
      queue_append (mbox, queued, tail);
    }
}

/* The owner dies: every later push fails (and is counted by its sender);
 * returns what was left, queued first, oldest first. */
JanusMessage *
janus_mbox_close (JanusMbox *mbox)
{
  JanusMessage *tail, *rest;
  guint n;

  rest = janus_inbox_close (&mbox->inbox, &tail, &n);
  if (mbox->head != NULL)
    {
      mbox->tail->next = rest;
      rest = mbox->head;
      mbox->head = mbox->tail = NULL;
    }
  return rest;
}

/* Frees what is queued (the owner is finalized). */
void
janus_mbox_clear (JanusMbox *mbox)
{
  JanusMessage *m = mbox->head;

  while (m != NULL)
    {
      JanusMessage *next = m->next;
      janus_message_unref (m);
      m = next;
    }
  mbox->head = mbox->tail = NULL;
}

/* ------------------------------------------------ selections, buffer */

/* The queued @message and its predecessor. */
static gboolean
find_message (JanusMbox     *mbox,
              JanusMessage  *message,
              JanusMessage **prev_out)
{
  JanusMessage *m, *prev = NULL;

  for (m = mbox->head; m != NULL; prev = m, m = m->next)
    if (m == message)
      {
        *prev_out = prev;
        return TRUE;
      }
  return FALSE;
}

gboolean
janus_mbox_contains (JanusMbox    *mbox,
                     JanusMessage *message)
{
  JanusMessage *prev;

  janus_mbox_look (mbox);
  return find_message (mbox, message, &prev);
}

/* Takes @message out of the queue and drops the queue's reference. */
gboolean
janus_mbox_remove (JanusMbox    *mbox,
                   JanusMessage *message)
{
  JanusMessage *prev;

  janus_mbox_look (mbox);
  if (!find_message (mbox, message, &prev))
    return FALSE;
  janus_message_unref (janus_mbox_unlink (mbox, prev, message));
  return TRUE;
}

guint
janus_mbox_remove_filtered (JanusMbox       *mbox,
                            JanusMboxFilter  filter,
                            gpointer         data)
{
  JanusMessage *m;
  guint n = 0;

  while ((m = janus_mbox_take_filtered (mbox, filter, data)) != NULL)
    {
      janus_message_unref (m);
      n++;
    }
  return n;
}

/* Owner: the letters in the inbox, which no look took yet. Only the owner
 * takes from the inbox, so the stack below its top stays put while it is
 * walked; acquire pairs with the senders' release CAS (each push reads
 * the previous top, so the older nodes are visible too). */
guint
janus_mbox_buffer_size (JanusMbox *mbox)
{
  uintptr_t top = atomic_load_explicit (&mbox->inbox, memory_order_acquire);
  JanusMessage *m;
  guint n = 0;

  for (m = top > JANUS_INBOX_CLOSED ? (JanusMessage *) top : NULL; m != NULL; m = m->next)
    if (!janus_message_internal (m))
      n++;
  return n;
}

/* Owner: drops what the inbox holds (dead letters); due timers and tasks still go
 * to the owner. Returns the number of letters dropped. */
guint
janus_mbox_clear_buffer (JanusMbox *mbox)
{
  JanusMessage *head, *tail, *m;
  guint n = 0;

  if (atomic_load_explicit (&mbox->inbox, memory_order_relaxed) <= JANUS_INBOX_CLOSED)
    return 0;
  /* acquire: pairs with the senders' release CAS */
  head = janus_inbox_take (&mbox->inbox, &tail, &n);
  head = hand_over_internal (mbox, head, &tail);
  if (head == NULL)
    return 0;
  for (n = 0, m = head; m != NULL; m = m->next)
    n++;
  owner->refused (mbox, head);
  return n;
}

/* Owner: takes what arrived into the queue now, even after the step's
 * look (a buffered step sees it at once). */
void
janus_mbox_synchronize (JanusMbox *mbox)
{
  mbox->flags &= ~JANUS_MBOX_TOOK;
  janus_mbox_look (mbox);
}

/* ---------------------------------------------------------------- waiting */

void
janus_mbox_waiter_init (JanusMboxWaiter *waiter)
{
  g_mutex_init (&waiter->lock);
  g_cond_init (&waiter->cond);
  waiter->woken = FALSE;
}

void
janus_mbox_waiter_clear (JanusMboxWaiter *waiter)
{
  g_mutex_clear (&waiter->lock);
  g_cond_clear (&waiter->cond);
}

/* Wakes a heavy owner's thread; the caller took the owner over (it
 * unblocked the inbox). */
void
janus_mbox_waiter_wake (JanusMboxWaiter *waiter)
{
  g_mutex_lock (&waiter->lock);
  waiter->woken = TRUE;
  g_cond_signal (&waiter->cond);
  g_mutex_unlock (&waiter->lock);
}

/* A heavy owner's thread sleeps until a message or a request arrives, or
 * @deadline (monotonic µs, -1 for none). FALSE on time-out. */
gboolean
janus_mbox_sleep (JanusMbox       *mbox,
                  JanusMboxWaiter *waiter,
                  gint64           deadline)
{
  gboolean woken;

  g_mutex_lock (&waiter->lock);
  waiter->woken = FALSE;
  g_mutex_unlock (&waiter->lock);

  if (janus_mbox_try_sleep (mbox))
    return TRUE;
  g_mutex_lock (&waiter->lock);
  while (!waiter->woken)
    {
      if (deadline < 0)
        g_cond_wait (&waiter->cond, &waiter->lock);
      else if (!g_cond_wait_until (&waiter->cond, &waiter->lock, deadline))
        break;
    }
  woken = waiter->woken;
  g_mutex_unlock (&waiter->lock);
  /* timed out: take the owner back, unless a sender just did */
  if (!woken && janus_inbox_unblock (&mbox->inbox))
    return FALSE;
  return TRUE;
}

/* ------------------------------------------------------ the public object */

struct _JanusMailbox
{
  GObject     parent_instance;
  JanusMbox  *mbox;             /* the owner's; both cleared by its finalize */
  JanusAgent *agent;            /* borrowed */
};

G_DEFINE_FINAL_TYPE (JanusMailbox, janus_mailbox, G_TYPE_OBJECT)

typedef struct
{
  JanusMailbox *mailbox;
  JanusMessage *prev;
  JanusMessage *current;
  gpointer      started;
} RealIter;

G_STATIC_ASSERT (sizeof (RealIter) <= sizeof (JanusMailboxIter));

JanusMailbox *
janus_mailbox_new_for (JanusMbox  *mbox,
                       JanusAgent *owner_agent)
{
  JanusMailbox *self = g_object_new (JANUS_TYPE_MAILBOX, NULL);

  self->mbox = mbox;
  self->agent = owner_agent;
  return self;
}

void
janus_mailbox_detach (JanusMailbox *self)
{
  self->mbox = NULL;
  self->agent = NULL;
}

/* The mailbox, if its owner is there and the caller may read it. */
static JanusMbox *
readable (JanusMailbox *self,
          const char   *func)
{
  if (self->mbox == NULL || !owner->check_reader (self->mbox, func))
    return NULL;
  return self->mbox;
}

/**
 * janus_mailbox_get_agent:
 * @self: a mailbox
 *
 * Gets the agent the mailbox belongs to.
 *
 * Returns: (transfer none) (nullable): the agent owning the mailbox, or `NULL`
 *   once it is finalized
 */
JanusAgent *
janus_mailbox_get_agent (JanusMailbox *self)
{
  g_return_val_if_fail (JANUS_IS_MAILBOX (self), NULL);

  return self->agent;
}

/**
 * janus_mailbox_get_message:
 * @self: a mailbox
 *
 * See [method@Janus.Agent.get_message].
 *
 * Returns: (transfer full) (nullable): the oldest message, taken out
 */
JanusMessage *
janus_mailbox_get_message (JanusMailbox *self)
{
  JanusMbox *mbox;

  g_return_val_if_fail (JANUS_IS_MAILBOX (self), NULL);

  mbox = readable (self, G_STRFUNC);
  return mbox ? janus_mbox_take (mbox) : NULL;
}

/**
 * janus_mailbox_peek_message:
 * @self: a mailbox
 *
 * See [method@Janus.Agent.peek_message].
 *
 * Returns: (transfer none) (nullable): the oldest message, left in place
 */
JanusMessage *
janus_mailbox_peek_message (JanusMailbox *self)
{
  JanusMbox *mbox;

  g_return_val_if_fail (JANUS_IS_MAILBOX (self), NULL);

  mbox = readable (self, G_STRFUNC);
  return mbox ? janus_mbox_peek (mbox) : NULL;
}

/**
 * janus_mailbox_get_messages:
 * @self: a mailbox
 *
 * See [method@Janus.Agent.get_messages].
 *
 * Returns: (transfer container) (element-type JanusMessage): every
 *   message, taken out; the array owns them: g_ptr_array_unref() frees both
 */
GPtrArray *
janus_mailbox_get_messages (JanusMailbox *self)
{
  JanusMbox *mbox;

  g_return_val_if_fail (JANUS_IS_MAILBOX (self), NULL);

  mbox = readable (self, G_STRFUNC);
  return mbox ? janus_mbox_take_all (mbox) : message_array ();
}

/**
 * janus_mailbox_peek_messages:
 * @self: a mailbox
 *
 * See [method@Janus.Agent.peek_messages].
 *
 * Returns: (transfer container) (element-type JanusMessage): every
 *   message, left in place; the array holds a reference of its own on each:
 *   g_ptr_array_unref() frees the array and drops those references
 */
GPtrArray *
janus_mailbox_peek_messages (JanusMailbox *self)
{
  JanusMbox *mbox;

  g_return_val_if_fail (JANUS_IS_MAILBOX (self), NULL);

  mbox = readable (self, G_STRFUNC);
  return mbox ? janus_mbox_peek_all (mbox) : message_array ();
}

/**
 * janus_mailbox_has_message:
 * @self: a mailbox
 *
 * Tells whether the mailbox holds a message.
 *
 * Returns: whether the mailbox holds a message
 */
gboolean
janus_mailbox_has_message (JanusMailbox *self)
{
  JanusMbox *mbox;

  g_return_val_if_fail (JANUS_IS_MAILBOX (self), FALSE);

  mbox = readable (self, G_STRFUNC);
  return mbox ? janus_mbox_peek (mbox) != NULL : FALSE;
}

/**
 * janus_mailbox_get_size:
 * @self: a mailbox
 *
 * Counts the messages in the mailbox.
 *
 * Returns: how many messages the mailbox holds
 */
guint
janus_mailbox_get_size (JanusMailbox *self)
{
  JanusMbox *mbox;

  g_return_val_if_fail (JANUS_IS_MAILBOX (self), 0);

  mbox = readable (self, G_STRFUNC);
  return mbox ? janus_mbox_count (mbox) : 0;
}

/**
 * janus_mailbox_wait_message:
 * @self: a mailbox
 * @timeout_usec: the longest wait in microseconds, -1 for ever
 *
 * See [method@Janus.Agent.wait_message].
 *
 * Returns: (transfer full) (nullable): the oldest message, or `NULL`
 */
JanusMessage *
janus_mailbox_wait_message (JanusMailbox *self,
                            gint64        timeout_usec)
{
  g_return_val_if_fail (JANUS_IS_MAILBOX (self), NULL);

  return self->mbox ? owner->wait (self->mbox, timeout_usec) : NULL;
}

/**
 * janus_mailbox_get_kind:
 * @self: a mailbox
 *
 * Gets how the mailbox orders messages.
 *
 * Returns: how the mailbox orders messages
 */
JanusMailboxKind
janus_mailbox_get_kind (JanusMailbox *self)
{
  g_return_val_if_fail (JANUS_IS_MAILBOX (self), JANUS_MAILBOX_KIND_FIFO);

  return self->mbox ? self->mbox->kind : JANUS_MAILBOX_KIND_FIFO;
}

/**
 * janus_mailbox_set_kind:
 * @self: a mailbox
 * @kind: the new kind
 *
 * See [method@Janus.Agent.set_mailbox_kind].
 */
void
janus_mailbox_set_kind (JanusMailbox     *self,
                        JanusMailboxKind  kind)
{
  JanusMbox *mbox;

  g_return_if_fail (JANUS_IS_MAILBOX (self));
  g_return_if_fail (kind <= JANUS_MAILBOX_KIND_LAST);

  mbox = readable (self, G_STRFUNC);
  if (mbox == NULL || mbox->kind == kind)
    return;
  janus_mbox_set_kind (mbox, kind);
  owner->kind_changed (mbox);
}

/**
 * janus_mailbox_iter_init:
 * @iter: an uninitialised iterator
 * @mailbox: a mailbox
 *
 * Starts walking @mailbox. The mailbox must not be changed during the walk
 * except through [method@Janus.MailboxIter.steal].
 */
void
janus_mailbox_iter_init (JanusMailboxIter *iter,
                         JanusMailbox     *mailbox)
{
  RealIter *ri = (RealIter *) iter;

  g_return_if_fail (iter != NULL);
  g_return_if_fail (JANUS_IS_MAILBOX (mailbox));

  ri->mailbox = mailbox;
  ri->prev = NULL;
  ri->current = NULL;
  ri->started = NULL;
}

/**
 * janus_mailbox_iter_next:
 * @iter: an iterator
 * @message: (out) (optional) (transfer none) (nullable): the next message
 *
 * Moves to the next message.
 *
 * Returns: `FALSE` when there is no more message
 */
gboolean
janus_mailbox_iter_next (JanusMailboxIter  *iter,
                         JanusMessage     **message)
{
  RealIter *ri = (RealIter *) iter;
  JanusMbox *mbox;

  g_return_val_if_fail (iter != NULL, FALSE);

  mbox = ri->mailbox->mbox;
  if (mbox == NULL)
    return FALSE;
  if (ri->started == NULL)
    {
      if (!owner->check_reader (mbox, G_STRFUNC))
        return FALSE;
      ri->started = iter;
      ri->prev = NULL;
      ri->current = janus_mbox_peek (mbox);
    }
  else if (ri->current != NULL)
    {
      ri->prev = ri->current;
      ri->current = ri->current->next;
    }
  else
    /* the current message was stolen: continue after prev */
    ri->current = ri->prev ? ri->prev->next : mbox->head;
  if (message)
    *message = ri->current;
  return ri->current != NULL;
}

/**
 * janus_mailbox_iter_steal:
 * @iter: an iterator on a message
 *
 * Takes the message the iterator is on out of the mailbox; the walk goes on
 * with the following message.
 *
 * Returns: (transfer full): the message
 */
JanusMessage *
janus_mailbox_iter_steal (JanusMailboxIter *iter)
{
  RealIter *ri = (RealIter *) iter;
  JanusMessage *m;

  g_return_val_if_fail (iter != NULL, NULL);
  g_return_val_if_fail (ri->current != NULL, NULL);
  g_return_val_if_fail (ri->mailbox->mbox != NULL, NULL);

  m = janus_mbox_unlink (ri->mailbox->mbox, ri->prev, ri->current);
  ri->current = NULL;
  return m;
}

/* ------------------------------------------------------- selections */

/* The filter of the selector forms. */
gboolean
janus_mbox_selector_filter (JanusMessage *message,
                            gpointer      selector)
{
  return janus_message_selector_matches (selector, message);
}

/**
 * janus_mailbox_get_message_matching:
 * @self: a mailbox
 * @selector: chooses the message
 *
 * Takes the first message, in reading order, that @selector selects; the
 * other messages stay, in their order (Janus's `removeFirst(Selector)`).
 * Call from the agent's own step.
 *
 * Returns: (transfer full) (nullable): the message, or `NULL` if no message
 *   is selected
 */
JanusMessage *
janus_mailbox_get_message_matching (JanusMailbox         *self,
                                    JanusMessageSelector *selector)
{
  JanusMbox *mbox;

  g_return_val_if_fail (JANUS_IS_MAILBOX (self), NULL);
  g_return_val_if_fail (selector != NULL, NULL);

  mbox = readable (self, G_STRFUNC);
  return mbox ? janus_mbox_take_filtered (mbox, janus_mbox_selector_filter, selector) : NULL;
}

/**
 * janus_mailbox_peek_message_matching:
 * @self: a mailbox
 * @selector: chooses the message
 *
 * Looks at the message [method@Janus.Mailbox.get_message_matching] would
 * take, leaving it in the mailbox.
 *
 * Returns: (transfer none) (nullable): the message, valid until it is
 *   taken, or `NULL`
 */
JanusMessage *
janus_mailbox_peek_message_matching (JanusMailbox         *self,
                                     JanusMessageSelector *selector)
{
  JanusMbox *mbox;

  g_return_val_if_fail (JANUS_IS_MAILBOX (self), NULL);
  g_return_val_if_fail (selector != NULL, NULL);

  mbox = readable (self, G_STRFUNC);
  return mbox ? janus_mbox_peek_filtered (mbox, janus_mbox_selector_filter, selector) : NULL;
}

/**
 * janus_mailbox_get_messages_matching:
 * @self: a mailbox
 * @selector: chooses the messages
 *
 * Takes every message @selector selects, in reading order.
 *
 * Returns: (transfer container) (element-type JanusMessage): the messages,
 *   taken out; the array owns them: g_ptr_array_unref() frees both
 */
GPtrArray *
janus_mailbox_get_messages_matching (JanusMailbox         *self,
                                     JanusMessageSelector *selector)
{
  JanusMbox *mbox;

  g_return_val_if_fail (JANUS_IS_MAILBOX (self), NULL);
  g_return_val_if_fail (selector != NULL, NULL);

  mbox = readable (self, G_STRFUNC);
  return mbox ? janus_mbox_take_all_filtered (mbox, janus_mbox_selector_filter, selector)
              : message_array ();
}

/**
 * janus_mailbox_peek_messages_matching:
 * @self: a mailbox
 * @selector: chooses the messages
 *
 * Lists the messages @selector selects, in reading order, leaving them in
 * the mailbox.
 *
 * Returns: (transfer container) (element-type JanusMessage): the messages;
 *   the array holds a reference of its own on each
 */
GPtrArray *
janus_mailbox_peek_messages_matching (JanusMailbox         *self,
                                      JanusMessageSelector *selector)
{
  JanusMbox *mbox;

  g_return_val_if_fail (JANUS_IS_MAILBOX (self), NULL);
  g_return_val_if_fail (selector != NULL, NULL);

  mbox = readable (self, G_STRFUNC);
  return mbox ? janus_mbox_peek_all_filtered (mbox, janus_mbox_selector_filter, selector)
              : message_array ();
}

/**
 * janus_mailbox_has_message_matching:
 * @self: a mailbox
 * @selector: chooses the message
 *
 * Tells whether the mailbox holds a message @selector selects (Janus's
 * `contains(Selector)`).
 *
 * Returns: whether such a message is in the mailbox
 */
gboolean
janus_mailbox_has_message_matching (JanusMailbox         *self,
                                    JanusMessageSelector *selector)
{
  return janus_mailbox_peek_message_matching (self, selector) != NULL;
}

/**
 * janus_mailbox_wait_message_matching:
 * @self: a mailbox
 * @selector: chooses the message
 * @timeout_usec: how long to wait at most, in microseconds; -1 waits for
 *   ever, 0 does not wait
 *
 * Takes the first message @selector selects, waiting for one to arrive if
 * there is none (Janus's `removeFirst(Selector, timeout)`). Only a heavy
 * agent waits, on its own thread; messages that arrive meanwhile and are
 * not selected stay in the mailbox, in their order. As
 * [method@Janus.Agent.wait_message], a kill, a [method@Janus.Agent.wake]
 * or a due timer ends the wait with `NULL`. For a light agent this is
 * [method@Janus.Mailbox.get_message_matching].
 *
 * Returns: (transfer full) (nullable): the message, or `NULL` on time-out
 *   (or kill, wake-up, due timer)
 */
JanusMessage *
janus_mailbox_wait_message_matching (JanusMailbox         *self,
                                     JanusMessageSelector *selector,
                                     gint64                timeout_usec)
{
  g_return_val_if_fail (JANUS_IS_MAILBOX (self), NULL);
  g_return_val_if_fail (selector != NULL, NULL);

  if (self->mbox == NULL)
    return NULL;
  return owner->wait_filtered (self->mbox, janus_mbox_selector_filter, selector, timeout_usec);
}

/**
 * janus_mailbox_contains:
 * @self: a mailbox
 * @message: a message
 *
 * Tells whether @message itself (not an equal message) is in the mailbox.
 *
 * Returns: whether @message is in the mailbox
 */
gboolean
janus_mailbox_contains (JanusMailbox *self,
                        JanusMessage *message)
{
  JanusMbox *mbox;

  g_return_val_if_fail (JANUS_IS_MAILBOX (self), FALSE);
  g_return_val_if_fail (message != NULL, FALSE);

  mbox = readable (self, G_STRFUNC);
  return mbox ? janus_mbox_contains (mbox, message) : FALSE;
}

/**
 * janus_mailbox_remove:
 * @self: a mailbox
 * @message: a message, typically from [method@Janus.Mailbox.peek_messages]
 *
 * Takes @message out of the mailbox and releases the mailbox's reference
 * on it (the caller's own references stay valid). It was read: it is not a
 * dead letter.
 *
 * Returns: `TRUE` if @message was in the mailbox
 */
gboolean
janus_mailbox_remove (JanusMailbox *self,
                      JanusMessage *message)
{
  JanusMbox *mbox;

  g_return_val_if_fail (JANUS_IS_MAILBOX (self), FALSE);
  g_return_val_if_fail (message != NULL, FALSE);

  mbox = readable (self, G_STRFUNC);
  return mbox ? janus_mbox_remove (mbox, message) : FALSE;
}

/**
 * janus_mailbox_remove_matching:
 * @self: a mailbox
 * @selector: chooses the messages
 *
 * Takes every message @selector selects out of the mailbox and releases
 * them (Janus's `removeAll(Selector)`).
 *
 * Returns: how many messages were removed
 */
guint
janus_mailbox_remove_matching (JanusMailbox         *self,
                               JanusMessageSelector *selector)
{
  JanusMbox *mbox;

  g_return_val_if_fail (JANUS_IS_MAILBOX (self), 0);
  g_return_val_if_fail (selector != NULL, 0);

  mbox = readable (self, G_STRFUNC);
  return mbox ? janus_mbox_remove_filtered (mbox, janus_mbox_selector_filter, selector) : 0;
}

/**
 * janus_mailbox_get_buffer_size:
 * @self: a mailbox
 *
 * Counts the messages in the mailbox's buffer: those that arrived and
 * that the mailbox has not taken in yet (Janus's `getBufferSize`). A
 * buffered mailbox takes them in at the start of the agent's next step
 * (or at [method@Janus.Mailbox.synchronize]); the other kinds at the first
 * read of a step. Call from the agent's own step.
 *
 * Returns: the number of messages in the buffer
 */
guint
janus_mailbox_get_buffer_size (JanusMailbox *self)
{
  JanusMbox *mbox;

  g_return_val_if_fail (JANUS_IS_MAILBOX (self), 0);

  mbox = readable (self, G_STRFUNC);
  return mbox ? janus_mbox_buffer_size (mbox) : 0;
}

/**
 * janus_mailbox_clear_buffer:
 * @self: a mailbox
 *
 * Drops the messages of the buffer (see
 * [method@Janus.Mailbox.get_buffer_size]): they are never read, so each is
 * counted and reported as a dead letter (Janus's `clearBuffer`). The
 * agent's due timers are not affected. Call from the agent's own step.
 *
 * Returns: how many messages were dropped
 */
guint
janus_mailbox_clear_buffer (JanusMailbox *self)
{
  JanusMbox *mbox;

  g_return_val_if_fail (JANUS_IS_MAILBOX (self), 0);

  mbox = readable (self, G_STRFUNC);
  return mbox ? janus_mbox_clear_buffer (mbox) : 0;
}

/**
 * janus_mailbox_synchronize:
 * @self: a mailbox
 *
 * Takes the buffer into the mailbox now (Janus's `synchronizeMessages`):
 * the current step sees what arrived so far, even in a buffered mailbox.
 * Call from the agent's own step.
 */
void
janus_mailbox_synchronize (JanusMailbox *self)
{
  JanusMbox *mbox;

  g_return_if_fail (JANUS_IS_MAILBOX (self));

  mbox = readable (self, G_STRFUNC);
  if (mbox != NULL)
    janus_mbox_synchronize (mbox);
}

static void
janus_mailbox_class_init (JanusMailboxClass *klass)
{
}

static void
janus_mailbox_init (JanusMailbox *self)
{
}
