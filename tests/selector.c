/* SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Message selectors (by subject, by sender, by function) for take, peek,
 * list and wait, on the agent, its JanusMailbox and its roles; contains and
 * remove of a given message; the per-sender kinds (plain and buffered);
 * buffer control (size, clear, synchronise); a heavy agent's wait filtered
 * by a selector, with time-out, kill and wake-up. After Janus 1.x's
 * PerSenderMailboxTest, BufferedPerSenderMailboxTest, AbstractMailboxTest
 * and MailTypeSelectorTest.
 *
 * The mailbox semantics run on kernels without workers (deterministic);
 * the heavy waits on 0 and 2 workers.
 */
#include "janus-test-utils.h"

/* ------------------------------------------------------------- helpers */

static void
send_from (TestAgent  *from,
           TestAgent  *to,
           const char *subject,
           gint64      value)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (janus_agent_send (AGENT (from), ADDR (to),
                                   janus_message_new_int64 (subject, value), &error));
  g_assert_no_error (error);
}

static char *
describe (GPtrArray *messages)
{
  GString *s = g_string_new (NULL);
  guint i;

  for (i = 0; i < messages->len; i++)
    g_string_append_printf (s, "%s%s%" G_GINT64_FORMAT, i ? "," : "",
                            janus_message_get_subject (messages->pdata[i]),
                            value_of (messages->pdata[i]));
  return g_string_free (s, FALSE);
}

#define assert_messages(array, expected)                \
  G_STMT_START {                                        \
    g_autofree char *d_ = describe (array);             \
    g_assert_cmpstr (d_, ==, (expected));               \
  } G_STMT_END

/* What the mailbox of @a holds now, in reading order (from its step). */
static char *
queued (TestAgent *a)
{
  g_autoptr(GPtrArray) all = janus_agent_peek_messages (AGENT (a));

  return describe (all);
}

static void
count_dead_letter (JanusKernel  *kernel,
                   JanusMessage *message,
                   gpointer      data)
{
  (*(guint *) data)++;
}

/* --------------------------------------------------------- the selector */

static gboolean
even_value (JanusMessage *message,
            gpointer      data)
{
  (*(guint *) data)++;
  return value_of (message) % 2 == 0;
}

static void
test_selector_matches (void)
{
  g_autoptr(JanusMessageSelector) by_subject = janus_message_selector_new_subject ("a");
  g_autoptr(JanusAddress) who = janus_address_new ("12345678-1234-1234-1234-123456789abc", 3);
  g_autoptr(JanusMessageSelector) by_sender = janus_message_selector_new_sender (who);
  g_autoptr(JanusMessage) a = janus_message_new_int64 ("a", 2);
  g_autoptr(JanusMessage) b = janus_message_new_int64 ("b", 3);
  guint calls = 0;
  JanusMessageSelector *by_func = janus_message_selector_new_func (even_value, &calls, NULL);

  g_assert_true (janus_message_selector_matches (by_subject, a));
  g_assert_false (janus_message_selector_matches (by_subject, b));
  /* an unsent message has no sender */
  g_assert_false (janus_message_selector_matches (by_sender, a));
  g_assert_true (janus_message_selector_matches (by_func, a));
  g_assert_false (janus_message_selector_matches (by_func, b));
  g_assert_cmpuint (calls, ==, 2);

  /* boxed: copies are references */
  {
    JanusMessageSelector *copy = g_boxed_copy (JANUS_TYPE_MESSAGE_SELECTOR, by_func);
    g_assert_true (copy == by_func);
    g_boxed_free (JANUS_TYPE_MESSAGE_SELECTOR, copy);
  }
  janus_message_selector_unref (by_func);
}

static void
count_destroy_selector (gpointer data)
{
  (*(guint *) data)++;
}

static gboolean
always (JanusMessage *message,
        gpointer      data)
{
  return TRUE;
}

static void
test_selector_destroy (void)
{
  guint destroyed = 0;
  JanusMessageSelector *s = janus_message_selector_new_func (always, &destroyed, count_destroy_selector);

  janus_message_selector_ref (s);
  janus_message_selector_unref (s);
  g_assert_cmpuint (destroyed, ==, 0);
  janus_message_selector_unref (s);
  g_assert_cmpuint (destroyed, ==, 1);
}

/* ------------------------------------------------ selections in a step */

typedef struct
{
  JanusMessageSelector *selector;
  TestAgent            *s1;
  TestAgent            *s2;
  gboolean              via_object;
  char                 *seen[6];
} Reads;

static void
reads_clear (Reads *r)
{
  for (guint i = 0; i < G_N_ELEMENTS (r->seen); i++)
    g_free (r->seen[i]);
}

static JanusMessage *
take_matching (TestAgent            *a,
               JanusMessageSelector *s,
               gboolean              via_object)
{
  return via_object ? janus_mailbox_get_message_matching (janus_agent_get_mailbox (AGENT (a)), s)
                    : janus_agent_get_message_matching (AGENT (a), s);
}

static JanusMessage *
peek_matching (TestAgent            *a,
               JanusMessageSelector *s,
               gboolean              via_object)
{
  return via_object ? janus_mailbox_peek_message_matching (janus_agent_get_mailbox (AGENT (a)), s)
                    : janus_agent_peek_message_matching (AGENT (a), s);
}

static gboolean
has_matching (TestAgent            *a,
              JanusMessageSelector *s,
              gboolean              via_object)
{
  return via_object ? janus_mailbox_has_message_matching (janus_agent_get_mailbox (AGENT (a)), s)
                    : janus_agent_has_message_matching (AGENT (a), s);
}

static GPtrArray *
take_all_matching (TestAgent            *a,
                   JanusMessageSelector *s,
                   gboolean              via_object)
{
  return via_object ? janus_mailbox_get_messages_matching (janus_agent_get_mailbox (AGENT (a)), s)
                    : janus_agent_get_messages_matching (AGENT (a), s);
}

static void
read_by_subject (TestAgent *self,
                 gpointer   data)
{
  Reads *r = data;
  g_autoptr(JanusMessageSelector) a = janus_message_selector_new_subject ("a");
  g_autoptr(JanusMessageSelector) z = janus_message_selector_new_subject ("z");
  g_autoptr(JanusMessage) first = NULL;
  g_autoptr(GPtrArray) rest = NULL;
  JanusMessage *peeked;

  /* a1 b2 a3 c4 */
  peeked = peek_matching (self, a, r->via_object);
  g_assert_nonnull (peeked);
  g_assert_cmpint (value_of (peeked), ==, 1);
  g_assert_true (has_matching (self, a, r->via_object));
  g_assert_false (has_matching (self, z, r->via_object));
  g_assert_null (peek_matching (self, z, r->via_object));
  g_assert_null (take_matching (self, z, r->via_object));

  first = take_matching (self, a, r->via_object);
  g_assert_true (first == peeked);
  r->seen[0] = queued (self);
  rest = take_all_matching (self, a, r->via_object);
  r->seen[1] = describe (rest);
  r->seen[2] = queued (self);
}

static void
test_subject (gconstpointer data)
{
  JanusKernel *kernel = janus_kernel_new (0);
  TestAgent *a = launch_alive (kernel, test_agent_new (deaf_live, NULL));
  Reads r = { .via_object = GPOINTER_TO_INT (data) };

  send_from (a, a, "a", 1);
  send_from (a, a, "b", 2);
  send_from (a, a, "a", 3);
  send_from (a, a, "c", 4);
  agent_do (kernel, a, read_by_subject, &r);
  g_assert_cmpstr (r.seen[0], ==, "b2,a3,c4");
  g_assert_cmpstr (r.seen[1], ==, "a3");
  g_assert_cmpstr (r.seen[2], ==, "b2,c4");
  reads_clear (&r);
  finish (kernel, a, NULL);
}

static void
read_by_sender (TestAgent *self,
                gpointer   data)
{
  Reads *r = data;
  g_autoptr(JanusMessageSelector) from_s2 = janus_message_selector_new_sender (ADDR (r->s2));
  g_autoptr(GPtrArray) peeked = NULL;
  g_autoptr(GPtrArray) taken = NULL;

  peeked = r->via_object
           ? janus_mailbox_peek_messages_matching (janus_agent_get_mailbox (AGENT (self)), from_s2)
           : janus_agent_peek_messages_matching (AGENT (self), from_s2);
  r->seen[0] = describe (peeked);
  taken = take_all_matching (self, from_s2, r->via_object);
  r->seen[1] = describe (taken);
  r->seen[2] = queued (self);
}

static void
test_sender (gconstpointer data)
{
  JanusKernel *kernel = janus_kernel_new (0);
  TestAgent *a = launch_alive (kernel, test_agent_new (deaf_live, NULL));
  Reads r = { .via_object = GPOINTER_TO_INT (data) };

  r.s1 = launch_alive (kernel, test_agent_new (deaf_live, NULL));
  r.s2 = launch_alive (kernel, test_agent_new (deaf_live, NULL));
  send_from (r.s1, a, "x", 1);
  send_from (r.s2, a, "x", 2);
  send_from (r.s1, a, "x", 3);
  send_from (r.s2, a, "y", 4);
  agent_do (kernel, a, read_by_sender, &r);
  g_assert_cmpstr (r.seen[0], ==, "x2,y4");
  g_assert_cmpstr (r.seen[1], ==, "x2,y4");
  g_assert_cmpstr (r.seen[2], ==, "x1,x3");
  reads_clear (&r);
  finish (kernel, a, r.s1, r.s2, NULL);
}

static void
read_by_func (TestAgent *self,
              gpointer   data)
{
  Reads *r = data;
  g_autoptr(JanusMessage) m = take_matching (self, r->selector, r->via_object);

  r->seen[0] = g_strdup_printf ("%" G_GINT64_FORMAT, m ? value_of (m) : -1);
  r->seen[1] = queued (self);
}

static void
test_func (gconstpointer data)
{
  JanusKernel *kernel = janus_kernel_new (0);
  TestAgent *a = launch_alive (kernel, test_agent_new (deaf_live, NULL));
  guint calls = 0;
  Reads r = { .via_object = GPOINTER_TO_INT (data) };

  r.selector = janus_message_selector_new_func (even_value, &calls, NULL);
  send_from (a, a, "n", 1);
  send_from (a, a, "n", 3);
  send_from (a, a, "n", 4);
  send_from (a, a, "n", 6);
  agent_do (kernel, a, read_by_func, &r);
  g_assert_cmpstr (r.seen[0], ==, "4");
  g_assert_cmpstr (r.seen[1], ==, "n1,n3,n6");
  /* the walk stops at the first selected message */
  g_assert_cmpuint (calls, ==, 3);
  janus_message_selector_unref (r.selector);
  reads_clear (&r);
  finish (kernel, a, NULL);
}

/* --------------------------------------------------- contains, remove */

typedef struct
{
  gboolean contained_before;
  gboolean removed;
  gboolean removed_again;
  gboolean contained_after;
  gboolean foreign_contained;
  gboolean foreign_removed;
  guint    removed_matching;
  char    *left;
  gint     foreign_refs_ok;
} ContainsRemove;

static void
contains_and_remove (TestAgent *self,
                     gpointer   data)
{
  ContainsRemove *c = data;
  JanusMailbox *mailbox = janus_agent_get_mailbox (AGENT (self));
  g_autoptr(GPtrArray) all = janus_mailbox_peek_messages (mailbox);
  g_autoptr(JanusMessage) foreign = janus_message_new_int64 ("a", 1);
  g_autoptr(JanusMessageSelector) bs = janus_message_selector_new_subject ("b");
  JanusMessage *second = all->pdata[1];      /* the array keeps a reference */

  c->contained_before = janus_mailbox_contains (mailbox, second);
  c->removed = janus_mailbox_remove (mailbox, second);
  c->removed_again = janus_mailbox_remove (mailbox, second);
  c->contained_after = janus_mailbox_contains (mailbox, second);
  /* equal but not the same */
  c->foreign_contained = janus_mailbox_contains (mailbox, foreign);
  c->foreign_removed = janus_mailbox_remove (mailbox, foreign);
  c->removed_matching = janus_mailbox_remove_matching (mailbox, bs);
  c->left = queued (self);
  /* the caller's reference outlives the removal */
  c->foreign_refs_ok = value_of (second) == 2;
}

static void
test_contains_remove (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  TestAgent *a = launch_alive (kernel, test_agent_new (deaf_live, NULL));
  ContainsRemove c = { 0 };

  send_from (a, a, "a", 1);
  send_from (a, a, "a", 2);
  send_from (a, a, "b", 3);
  send_from (a, a, "c", 4);
  send_from (a, a, "b", 5);
  agent_do (kernel, a, contains_and_remove, &c);
  g_assert_true (c.contained_before);
  g_assert_true (c.removed);
  g_assert_false (c.removed_again);
  g_assert_false (c.contained_after);
  g_assert_false (c.foreign_contained);
  g_assert_false (c.foreign_removed);
  g_assert_cmpuint (c.removed_matching, ==, 2);
  g_assert_cmpstr (c.left, ==, "a1,c4");
  g_assert_true (c.foreign_refs_ok);
  /* removed is read, not lost */
  g_assert_cmpuint (janus_kernel_get_dead_letter_count (kernel), ==, 0);
  g_free (c.left);
  finish (kernel, a, NULL);
}

/* ------------------------------------------------------------ roles */

static GType role_x, role_y, org_sel;

static void
org_sel_class_init (gpointer klass,
                    gpointer data)
{
  janus_organization_class_add_role (klass, role_x, 0);
  janus_organization_class_add_role (klass, role_y, 0);
}

typedef struct
{
  TestRole *x;
  char     *got;
  char     *left_x;
  char     *left_agent;
  gboolean  had;
} RoleReads;

static void
role_read (TestAgent *self,
           gpointer   data)
{
  RoleReads *r = data;
  g_autoptr(JanusMessageSelector) ok = janus_message_selector_new_subject ("ok");
  g_autoptr(GPtrArray) got = NULL;
  g_autoptr(GPtrArray) left = NULL;
  g_autoptr(GPtrArray) all_ok = janus_role_peek_messages_matching (ROLE (r->x), ok);
  JanusMessage *peeked = janus_role_peek_message_matching (ROLE (r->x), ok);

  r->had = peeked != NULL && janus_role_has_message_matching (ROLE (r->x), ok)
           && all_ok->len == 2 && all_ok->pdata[0] == peeked;
  got = janus_role_get_messages_matching (ROLE (r->x), ok);
  r->got = describe (got);
  left = janus_role_peek_messages (ROLE (r->x));
  r->left_x = describe (left);
  r->left_agent = queued (self);
}

static JanusLive
role_quiet_live (TestRole *self)
{
  return JANUS_LIVE_WAIT;
}

static void
test_role_selectors (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  TestAgent *receiver = launch_alive (kernel, test_agent_new (deaf_live, NULL));
  TestAgent *sender = launch_alive (kernel, test_agent_new (deaf_live, NULL));
  g_autoptr(JanusGroup) group = new_group (kernel, org_sel);
  RoleReads r = { 0 };
  TestRole *y;

  r.x = take (receiver, role_x, group);
  r.x->live = role_quiet_live;
  y = take (sender, role_y, group);
  g_assert_true (janus_role_send (ROLE (y), role_x, janus_message_new_int64 ("no", 1), NULL, NULL));
  g_assert_true (janus_role_send (ROLE (y), role_x, janus_message_new_int64 ("ok", 2), NULL, NULL));
  /* a direct message with the selected subject is not the role's */
  send_from (sender, receiver, "ok", 3);
  g_assert_true (janus_role_send (ROLE (y), role_x, janus_message_new_int64 ("ok", 4), NULL, NULL));
  agent_do (kernel, receiver, role_read, &r);
  g_assert_true (r.had);
  g_assert_cmpstr (r.got, ==, "ok2,ok4");
  g_assert_cmpstr (r.left_x, ==, "no1");
  g_assert_cmpstr (r.left_agent, ==, "no1,ok3");
  g_free (r.got);
  g_free (r.left_x);
  g_free (r.left_agent);
  g_clear_object (&group);
  finish (kernel, receiver, sender, NULL);
}

/* -------------------------------------------------------- per sender */

static void
store_queue (TestAgent *self,
             gpointer   data)
{
  *(char **) data = queued (self);
}

static void
test_per_sender (gconstpointer data)
{
  JanusMailboxKind kind = GPOINTER_TO_INT (data);
  JanusKernel *kernel = janus_kernel_new (0);
  TestAgent *r = test_agent_new (deaf_live, NULL);
  TestAgent *s1, *s2;
  guint dead = 0;
  char *seen = NULL;

  g_signal_connect (kernel, "dead-letter", G_CALLBACK (count_dead_letter), &dead);
  janus_agent_set_mailbox_kind (AGENT (r), kind);
  launch_alive (kernel, r);
  s1 = launch_alive (kernel, test_agent_new (deaf_live, NULL));
  s2 = launch_alive (kernel, test_agent_new (deaf_live, NULL));

  send_from (s1, r, "p", 1);
  send_from (s1, r, "p", 2);
  send_from (s2, r, "p", 10);
  send_from (s1, r, "p", 3);
  agent_do (kernel, r, store_queue, &seen);
  /* the newest of each sender, in the order they arrived */
  g_assert_cmpstr (seen, ==, "p10,p3");
  g_clear_pointer (&seen, g_free);
  g_assert_cmpuint (dead, ==, 2);
  g_assert_cmpuint (janus_kernel_get_dead_letter_count (kernel), ==, 2);

  /* a later message of s2 replaces the queued one even after a step */
  send_from (s2, r, "q", 11);
  agent_do (kernel, r, store_queue, &seen);
  g_assert_cmpstr (seen, ==, "p3,q11");
  g_clear_pointer (&seen, g_free);
  g_assert_cmpuint (dead, ==, 3);

  finish (kernel, r, s1, s2, NULL);
}

/* A role message and a direct message of one sender are two channels. */
static void
test_per_sender_roles (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  TestAgent *r = test_agent_new (deaf_live, NULL);
  TestAgent *s = launch_alive (kernel, test_agent_new (deaf_live, NULL));
  g_autoptr(JanusGroup) group = new_group (kernel, org_sel);
  TestRole *x, *y;
  char *seen = NULL;

  janus_agent_set_mailbox_kind (AGENT (r), JANUS_MAILBOX_KIND_PER_SENDER);
  launch_alive (kernel, r);
  x = take (r, role_x, group);
  x->live = role_quiet_live;
  y = take (s, role_y, group);
  send_from (s, r, "d", 1);
  g_assert_true (janus_role_send (ROLE (y), role_x, janus_message_new_int64 ("r", 2), NULL, NULL));
  send_from (s, r, "d", 3);
  g_assert_true (janus_role_send (ROLE (y), role_x, janus_message_new_int64 ("r", 4), NULL, NULL));
  agent_do (kernel, r, store_queue, &seen);
  g_assert_cmpstr (seen, ==, "d3,r4");
  g_free (seen);
  g_assert_cmpuint (janus_kernel_get_dead_letter_count (kernel), ==, 2);
  g_clear_object (&group);
  finish (kernel, r, s, NULL);
}

/* Switching to per sender keeps the newest queued message of each sender. */
static void
to_per_sender (TestAgent *self,
               gpointer   data)
{
  janus_agent_set_mailbox_kind (AGENT (self), JANUS_MAILBOX_KIND_PER_SENDER);
  *(char **) data = queued (self);
}

static void
test_per_sender_set_kind (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  TestAgent *r = launch_alive (kernel, test_agent_new (deaf_live, NULL));
  TestAgent *s1 = launch_alive (kernel, test_agent_new (deaf_live, NULL));
  TestAgent *s2 = launch_alive (kernel, test_agent_new (deaf_live, NULL));
  char *seen = NULL;

  send_from (s1, r, "p", 1);
  send_from (s2, r, "p", 2);
  send_from (s1, r, "p", 3);
  agent_do (kernel, r, to_per_sender, &seen);
  g_assert_cmpstr (seen, ==, "p2,p3");
  g_free (seen);
  g_assert_cmpuint (janus_kernel_get_dead_letter_count (kernel), ==, 1);
  g_assert_cmpint (janus_agent_get_mailbox_kind (AGENT (r)), ==, JANUS_MAILBOX_KIND_PER_SENDER);
  finish (kernel, r, s1, s2, NULL);
}

/* ----------------------------------------------------- buffer control */

typedef struct
{
  TestAgent *other;
  guint      size_before, buffer_before;
  guint      size_after, buffer_after;
  guint      cleared;
  guint      buffer_cleared, size_cleared;
  gboolean   contains_buffered;
  gboolean   contains_synced;
  char      *queue;
} Buffer;

/* Messages sent during a step of a buffered mailbox wait in its buffer. */
static void
buffer_sync (TestAgent *self,
             gpointer   data)
{
  Buffer *b = data;
  JanusMailbox *mailbox = janus_agent_get_mailbox (AGENT (self));
  JanusMessage *first = NULL;

  send_from (b->other, self, "p", 1);
  send_from (b->other, self, "p", 2);
  send_from (self, self, "q", 3);
  b->size_before = janus_mailbox_get_size (mailbox);
  b->buffer_before = janus_mailbox_get_buffer_size (mailbox);
  b->contains_buffered = janus_mailbox_peek_message (mailbox) != NULL;
  janus_mailbox_synchronize (mailbox);
  b->size_after = janus_mailbox_get_size (mailbox);
  b->buffer_after = janus_mailbox_get_buffer_size (mailbox);
  first = janus_mailbox_peek_message (mailbox);
  b->contains_synced = first != NULL && janus_mailbox_contains (mailbox, first);
  b->queue = queued (self);
}

static void
buffer_clear (TestAgent *self,
              gpointer   data)
{
  Buffer *b = data;
  JanusMailbox *mailbox = janus_agent_get_mailbox (AGENT (self));

  send_from (b->other, self, "p", 4);
  send_from (self, self, "q", 5);
  send_from (self, self, "q", 6);
  b->cleared = janus_mailbox_clear_buffer (mailbox);
  b->buffer_cleared = janus_mailbox_get_buffer_size (mailbox);
  b->size_cleared = janus_mailbox_get_size (mailbox);
}

static void
test_buffer (gconstpointer data)
{
  JanusMailboxKind kind = GPOINTER_TO_INT (data);
  gboolean per_sender = kind == JANUS_MAILBOX_KIND_BUFFERED_PER_SENDER;
  JanusKernel *kernel = janus_kernel_new (0);
  TestAgent *r = test_agent_new (deaf_live, NULL);
  Buffer b = { 0 };
  char *seen = NULL;

  janus_agent_set_mailbox_kind (AGENT (r), kind);
  launch_alive (kernel, r);
  b.other = launch_alive (kernel, test_agent_new (deaf_live, NULL));

  agent_do (kernel, r, buffer_sync, &b);
  g_assert_cmpuint (b.size_before, ==, 0);
  g_assert_cmpuint (b.buffer_before, ==, 3);
  g_assert_false (b.contains_buffered);
  g_assert_true (b.contains_synced);
  g_assert_cmpuint (b.buffer_after, ==, 0);
  /* per sender: p1 was replaced by p2 when it was taken in */
  g_assert_cmpuint (b.size_after, ==, per_sender ? 2 : 3);
  g_assert_cmpstr (b.queue, ==, per_sender ? "p2,q3" : "p1,p2,q3");
  g_free (b.queue);
  g_assert_cmpuint (janus_kernel_get_dead_letter_count (kernel), ==, per_sender ? 1 : 0);

  agent_do (kernel, r, buffer_clear, &b);
  g_assert_cmpuint (b.cleared, ==, 3);
  g_assert_cmpuint (b.buffer_cleared, ==, 0);
  g_assert_cmpuint (b.size_cleared, ==, per_sender ? 2 : 3);
  g_assert_cmpuint (janus_kernel_get_dead_letter_count (kernel), ==, per_sender ? 4 : 3);

  /* the next step sees nothing new: the buffer was dropped */
  agent_do (kernel, r, store_queue, &seen);
  g_assert_cmpstr (seen, ==, per_sender ? "p2,q3" : "p1,p2,q3");
  g_free (seen);
  finish (kernel, r, b.other, NULL);
}

/* A FIFO mailbox's buffer: what came after the step's first look. */
typedef struct
{
  guint buffer_at_start;
  guint size;
  guint buffer_later;
} FifoBuffer;

static void
fifo_buffer (TestAgent *self,
             gpointer   data)
{
  FifoBuffer *f = data;
  JanusMailbox *mailbox = janus_agent_get_mailbox (AGENT (self));

  f->buffer_at_start = janus_mailbox_get_buffer_size (mailbox);
  f->size = janus_mailbox_get_size (mailbox);
  send_from (self, self, "late", 9);
  f->buffer_later = janus_mailbox_get_buffer_size (mailbox);
}

static void
test_buffer_fifo (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  TestAgent *r = launch_alive (kernel, test_agent_new (deaf_live, NULL));
  FifoBuffer f = { 0 };

  send_from (r, r, "a", 1);
  send_from (r, r, "a", 2);
  agent_do (kernel, r, fifo_buffer, &f);
  g_assert_cmpuint (f.buffer_at_start, ==, 2);
  g_assert_cmpuint (f.size, ==, 2);
  g_assert_cmpuint (f.buffer_later, ==, 1);
  finish (kernel, r, NULL);
}

/* A due timer in the buffer is not dropped by clear_buffer. */
static void
timer_ran (JanusAgent *agent,
           gpointer    data)
{
  (*(guint *) data)++;
}

static void
arm_timer (TestAgent *self,
           gpointer   data)
{
  janus_agent_call_in (AGENT (self), 0, timer_ran, data, NULL);
}

static void
clear_now (TestAgent *self,
           gpointer   data)
{
  janus_mailbox_clear_buffer (janus_agent_get_mailbox (AGENT (self)));
}

static void
test_buffer_clear_keeps_timers (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  TestAgent *r = test_agent_new (deaf_live, NULL);
  guint ran = 0;

  janus_agent_set_mailbox_kind (AGENT (r), JANUS_MAILBOX_KIND_BUFFERED);
  launch_alive (kernel, r);
  agent_do (kernel, r, arm_timer, &ran);
  agent_do (kernel, r, clear_now, NULL);
  step_until_idle (kernel, 20);
  g_assert_cmpuint (ran, ==, 1);
  g_assert_cmpuint (janus_kernel_get_dead_letter_count (kernel), ==, 0);
  finish (kernel, r, NULL);
}

/* ------------------------------------------------------ heavy waits */

typedef struct
{
  GMutex      lock;
  GCond       cond;
  atomic_int  waiting;
  atomic_int  done;
  char       *got;          /* the selected message, then what was left */
  gint64      timeout_waited;
  gboolean    timed_out;
  gboolean    killed_wait_null;
  gboolean    woken_null;
  int         mode;
} HeavyWait;

static JanusLive
heavy_select_live (TestAgent *self)
{
  HeavyWait *h = self->data;
  g_autoptr(JanusMessageSelector) b = janus_message_selector_new_subject ("b");
  g_autoptr(JanusMessageSelector) c = janus_message_selector_new_subject ("c");
  g_autoptr(JanusMessage) got = NULL;
  g_autoptr(JanusMessage) late = NULL;
  g_autoptr(GPtrArray) left = NULL;
  JanusMailbox *mailbox = janus_agent_get_mailbox (AGENT (self));
  gint64 start;

  test_bump (&h->lock, &h->cond, &h->waiting);
  got = h->mode == 0 ? janus_agent_wait_message_matching (AGENT (self), b, -1)
                     : janus_mailbox_wait_message_matching (mailbox, b, -1);
  start = g_get_monotonic_time ();
  late = janus_agent_wait_message_matching (AGENT (self), c, 20000);
  h->timeout_waited = g_get_monotonic_time () - start;
  h->timed_out = late == NULL;
  left = janus_agent_get_messages (AGENT (self));
  g_autofree char *rest = describe (left);
  g_mutex_lock (&h->lock);
  h->got = g_strdup_printf ("%s|%s", got ? janus_message_get_subject (got) : "-", rest);
  g_mutex_unlock (&h->lock);
  test_bump (&h->lock, &h->cond, &h->done);
  return JANUS_LIVE_DONE;
}

static void
heavy_wait_case (guint workers,
                 int   mode)
{
  JanusKernel *kernel = janus_kernel_new (workers);
  HeavyWait h = { .mode = mode };
  TestAgent *agent = test_agent_new (heavy_select_live, &h);
  g_autoptr(GError) error = NULL;

  g_mutex_init (&h.lock);
  g_cond_init (&h.cond);
  g_assert_true (janus_kernel_launch_heavy_agent (kernel, AGENT (agent), NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (test_wait_count (&h.lock, &h.cond, &h.waiting, 1));
  kernel_send_ok (kernel, ADDR (agent), janus_message_new_int64 ("a", 1));
  kernel_send_ok (kernel, ADDR (agent), janus_message_new_int64 ("a", 2));
  kernel_send_ok (kernel, ADDR (agent), janus_message_new_int64 ("b", 3));
  g_assert_true (test_wait_count (&h.lock, &h.cond, &h.done, 1));
  g_mutex_lock (&h.lock);
  /* b was taken; a1 a2 stayed, in order */
  g_assert_cmpstr (h.got, ==, "b|a1,a2");
  g_mutex_unlock (&h.lock);
  g_assert_true (h.timed_out);
  g_assert_cmpint (h.timeout_waited, >=, 20000);
  g_free (h.got);
  janus_kernel_shutdown (kernel);
  g_assert_finalize_object (kernel);
  g_assert_finalize_object (agent);
  g_mutex_clear (&h.lock);
  g_cond_clear (&h.cond);
}

static void
test_heavy_wait (guint         workers,
                 gconstpointer data)
{
  heavy_wait_case (workers, 0);
  heavy_wait_case (workers, 1);
}

/* A kill or a wake-up ends a filtered wait with NULL. */
static JanusLive
heavy_interrupted_live (TestAgent *self)
{
  HeavyWait *h = self->data;
  g_autoptr(JanusMessageSelector) never = janus_message_selector_new_subject ("never");
  JanusMessage *m;

  test_bump (&h->lock, &h->cond, &h->waiting);
  m = janus_agent_wait_message_matching (AGENT (self), never, -1);
  if (h->mode == 0)
    h->killed_wait_null = m == NULL;
  else
    h->woken_null = m == NULL;
  g_clear_pointer (&m, janus_message_unref);
  test_bump (&h->lock, &h->cond, &h->done);
  return h->mode == 0 ? JANUS_LIVE_WAIT : JANUS_LIVE_DONE;
}

static void
test_heavy_interrupted (guint         workers,
                        gconstpointer data)
{
  for (int mode = 0; mode < 2; mode++)
    {
      JanusKernel *kernel = janus_kernel_new (workers);
      HeavyWait h = { .mode = mode };
      TestAgent *agent = test_agent_new (heavy_interrupted_live, &h);

      g_mutex_init (&h.lock);
      g_cond_init (&h.cond);
      g_assert_true (janus_kernel_launch_heavy_agent (kernel, AGENT (agent), NULL, NULL, NULL));
      g_assert_true (test_wait_count (&h.lock, &h.cond, &h.waiting, 1));
      /* a message that is not selected does not end the wait */
      kernel_send_ok (kernel, ADDR (agent), janus_message_new_int64 ("other", 1));
      if (mode == 0)
        g_assert_true (janus_kernel_kill (kernel, AGENT (agent), NULL));
      else
        janus_agent_wake (AGENT (agent));
      g_assert_true (test_wait_count (&h.lock, &h.cond, &h.done, 1));
      g_assert_true (mode == 0 ? h.killed_wait_null : h.woken_null);
      janus_kernel_shutdown (kernel);
      /* the unselected message was left: a dead letter at death */
      g_assert_cmpuint (janus_kernel_get_dead_letter_count (kernel), ==, 1);
      g_assert_finalize_object (kernel);
      g_assert_finalize_object (agent);
      g_mutex_clear (&h.lock);
      g_cond_clear (&h.cond);
    }
}

/* A light agent does not wait: the filtered wait is a take. */
static void
light_wait (TestAgent *self,
            gpointer   data)
{
  g_autoptr(JanusMessageSelector) b = janus_message_selector_new_subject ("b");
  g_autoptr(JanusMessage) m = janus_agent_wait_message_matching (AGENT (self), b, G_USEC_PER_SEC * 100);
  g_autoptr(JanusMessage) none = janus_agent_wait_message_matching (AGENT (self), b, -1);

  *(gint64 *) data = (m ? value_of (m) : -1) * 10 + (none == NULL);
}

static void
test_light_wait (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  TestAgent *r = launch_alive (kernel, test_agent_new (deaf_live, NULL));
  gint64 result = 0;

  send_from (r, r, "a", 1);
  send_from (r, r, "b", 2);
  agent_do (kernel, r, light_wait, &result);
  g_assert_cmpint (result, ==, 21);
  finish (kernel, r, NULL);
}

/* ---------------------------------------------------------- bad input */

static void
bad_call (const char *name)
{
  g_autoptr(JanusKernel) kernel = janus_kernel_new (2);
  g_autoptr(JanusMessageSelector) s = janus_message_selector_new_subject ("s");
  TestAgent *a = test_agent_new (deaf_live, NULL);
  JanusMailbox *mailbox = janus_agent_get_mailbox (AGENT (a));
  JanusMessage *m = NULL;

  if (g_str_equal (name, "null-subject"))
    g_assert_null (janus_message_selector_new_subject (NULL));
  else if (g_str_equal (name, "null-sender"))
    g_assert_null (janus_message_selector_new_sender (NULL));
  else if (g_str_equal (name, "null-func"))
    g_assert_null (janus_message_selector_new_func (NULL, NULL, NULL));
  else if (g_str_equal (name, "null-selector"))
    m = janus_agent_get_message_matching (AGENT (a), NULL);
  else if (g_str_equal (name, "null-selector-object"))
    m = janus_mailbox_peek_message_matching (mailbox, NULL);
  else if (g_str_equal (name, "null-message"))
    g_assert_false (janus_mailbox_remove (mailbox, NULL));
  else if (g_str_equal (name, "bad-kind"))
    janus_agent_set_mailbox_kind (AGENT (a), (JanusMailboxKind) 99);
  else if (g_str_equal (name, "not-the-owner"))
    {
      /* a running agent's mailbox is read from its own steps only */
      launch_ok (kernel, a, NULL, NULL);
      m = janus_agent_get_message_matching (AGENT (a), s);
    }
  else if (g_str_equal (name, "not-the-owner-buffer"))
    {
      launch_ok (kernel, a, NULL, NULL);
      janus_mailbox_clear_buffer (mailbox);
    }
  g_assert_null (m);
  janus_kernel_shutdown (kernel);
  g_object_unref (a);
}

static const char *const bad_calls[] = {
  "null-subject", "null-sender", "null-func", "null-selector",
  "null-selector-object", "null-message", "bad-kind", "not-the-owner",
  "not-the-owner-buffer",
};

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  role_x = register_type (TEST_TYPE_ROLE, "SelectorRoleX", NULL);
  role_y = register_type (TEST_TYPE_ROLE, "SelectorRoleY", NULL);
  org_sel = register_type (JANUS_TYPE_ORGANIZATION, "SelectorOrg", org_sel_class_init);

  g_test_add_func ("/selector/matches", test_selector_matches);
  g_test_add_func ("/selector/destroy", test_selector_destroy);
  g_test_add_data_func ("/selector/subject/agent", GINT_TO_POINTER (FALSE), test_subject);
  g_test_add_data_func ("/selector/subject/object", GINT_TO_POINTER (TRUE), test_subject);
  g_test_add_data_func ("/selector/sender/agent", GINT_TO_POINTER (FALSE), test_sender);
  g_test_add_data_func ("/selector/sender/object", GINT_TO_POINTER (TRUE), test_sender);
  g_test_add_data_func ("/selector/func/agent", GINT_TO_POINTER (FALSE), test_func);
  g_test_add_data_func ("/selector/func/object", GINT_TO_POINTER (TRUE), test_func);
  g_test_add_func ("/selector/role", test_role_selectors);
  g_test_add_func ("/selector/light-wait", test_light_wait);
  add_on_workers ("/selector/heavy-wait", test_heavy_wait, NULL);
  add_on_workers ("/selector/heavy-wait-interrupted", test_heavy_interrupted, NULL);
  g_test_add_func ("/mailbox/contains-remove", test_contains_remove);
  g_test_add_data_func ("/mailbox/per-sender/plain", GINT_TO_POINTER (JANUS_MAILBOX_KIND_PER_SENDER),
                        test_per_sender);
  g_test_add_data_func ("/mailbox/per-sender/buffered",
                        GINT_TO_POINTER (JANUS_MAILBOX_KIND_BUFFERED_PER_SENDER), test_per_sender);
  g_test_add_func ("/mailbox/per-sender/roles", test_per_sender_roles);
  g_test_add_func ("/mailbox/per-sender/set-kind", test_per_sender_set_kind);
  g_test_add_data_func ("/mailbox/buffer/buffered", GINT_TO_POINTER (JANUS_MAILBOX_KIND_BUFFERED),
                        test_buffer);
  g_test_add_data_func ("/mailbox/buffer/buffered-per-sender",
                        GINT_TO_POINTER (JANUS_MAILBOX_KIND_BUFFERED_PER_SENDER), test_buffer);
  g_test_add_func ("/mailbox/buffer/fifo", test_buffer_fifo);
  g_test_add_func ("/mailbox/buffer/clear-keeps-timers", test_buffer_clear_keeps_timers);
  add_critical_cases ("/selector/bad-input", bad_call, bad_calls, G_N_ELEMENTS (bad_calls));

  return g_test_run ();
}
