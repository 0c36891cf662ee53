/* SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Hostile teardown orders: the application (or an agent, or a role)
 * releases kernels, agents, roles, groups and messages in orders the
 * library did not choose, from inside agents and from outside, on 0 and 2
 * workers. Nothing may crash, read freed memory, leak, hang, leave a
 * thread behind or lose a dead letter. Run clean under ASan+UBSan, TSan
 * and valgrind.
 */
#include "janus-test-utils.h"

/* ------------------------------------------------------------- clock */

/* A clock advanced past the end of time: a clear error, the clock
 * unchanged. */
static void
test_clock_advance_overflow (void)
{
  g_autoptr(JanusClock) clock = janus_clock_new_virtual (10, 0);
  g_autoptr(GError) error = NULL;

  g_assert_false (janus_clock_advance (clock, G_MAXINT64, &error));
  g_assert_error (error, JANUS_CLOCK_ERROR, JANUS_CLOCK_ERROR_OVERFLOW);
  g_assert_cmpint (janus_clock_get_time (clock), ==, 10);
  g_clear_error (&error);
  g_assert_false (janus_clock_advance (clock, G_MAXINT64 - 9, &error));
  g_assert_error (error, JANUS_CLOCK_ERROR, JANUS_CLOCK_ERROR_OVERFLOW);
  g_assert_cmpint (janus_clock_get_time (clock), ==, 10);
  g_clear_error (&error);
  /* up to the last microsecond */
  g_assert_true (janus_clock_advance (clock, G_MAXINT64 - 10, &error));
  g_assert_no_error (error);
  g_assert_cmpint (janus_clock_get_time (clock), ==, G_MAXINT64);
  g_assert_false (janus_clock_advance (clock, 1, &error));
  g_assert_error (error, JANUS_CLOCK_ERROR, JANUS_CLOCK_ERROR_OVERFLOW);
  g_assert_cmpint (janus_clock_get_time (clock), ==, G_MAXINT64);
}

/* ------------------------------------------------------------ messages */

typedef struct
{
  JanusMessage **messages;
  atomic_int    *arrived;
  guint          n;
  atomic_llong   sum;
} Holders;

/* Reads each message, waits for the other holder at a barrier that orders
 * nothing (relaxed: only the message's reference count may order the two
 * threads' uses before the free), then drops its reference: both drops
 * race, and whichever is last frees the message. */
static gpointer
read_and_release (gpointer data)
{
  Holders *h = data;

  for (guint i = 0; i < h->n; i++)
    {
      gint64 v = 0;

      g_assert_true (janus_message_get_int64 (h->messages[i], &v));
      atomic_fetch_add_explicit (&h->sum, v, memory_order_relaxed);
      atomic_fetch_add_explicit (&h->arrived[i], 1, memory_order_relaxed);
      while (atomic_load_explicit (&h->arrived[i], memory_order_relaxed) < 2)
        ;
      janus_message_unref (h->messages[i]);
    }
  return NULL;
}

/* Messages with two holders on two threads: each reads, then drops its
 * reference at the same time as the other; the last frees the message.
 * Under ThreadSanitizer: no race between a holder's read and the free. */
static void
test_message_holders_on_threads (void)
{
  guint n = test_small () ? 100 : 2000;
  Holders h = { g_new (JanusMessage *, n), g_new0 (atomic_int, n), n, 0 };
  GThread *thread;

  for (guint i = 0; i < n; i++)
    {
      h.messages[i] = janus_message_new_int64 ("x", i);
      janus_message_ref (h.messages[i]);          /* one reference each */
    }
  thread = g_thread_new ("holder", read_and_release, &h);
  read_and_release (&h);
  g_thread_join (thread);
  g_assert_cmpint (atomic_load (&h.sum), ==, (gint64) n * (n - 1));
  g_free (h.messages);
  g_free (h.arrived);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  test_settle_threads ();

  g_test_add_func ("/teardown/clock/advance-overflow", test_clock_advance_overflow);
  g_test_add_func ("/teardown/message/holders-on-threads", test_message_holders_on_threads);
  return g_test_run ();
}
