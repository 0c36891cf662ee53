/* SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The table of a connection's requests waiting for an answer: random
 * inserts (consecutive ids, as a connection numbers its requests) and
 * answers in any order, checked against a GHashTable; growth past the
 * size that is kept, emptying, failing what is left.
 */
#include <janus.h>
#include "janus-net-private.h"

static void
count_failed (JsonNode     *result,
              const GError *error,
              gpointer      data)
{
  g_assert_null (result);
  g_assert_error (error, JANUS_NET_ERROR, JANUS_NET_ERROR_CLOSED);
  (*(guint *) data)++;
}

static void
never (JsonNode     *result,
       const GError *error,
       gpointer      data)
{
  g_assert_not_reached ();
}

/* @window: how many requests wait at most; answers come in random order */
static void
run (guint32 seed,
     guint   window,
     guint   rounds)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  g_autoptr(GHashTable) reference = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_autoptr(GArray) waiting = g_array_new (FALSE, FALSE, sizeof (guint64));
  g_autoptr(GError) closed = g_error_new_literal (JANUS_NET_ERROR, JANUS_NET_ERROR_CLOSED, "closed");
  JanusPendingTable table = { NULL, 0, 0 }, rest;
  guint64 next_id = 0;
  guint failed = 0;

  for (guint r = 0; r < rounds; r++)
    {
      gboolean insert = waiting->len == 0 || (waiting->len < window && g_rand_boolean (rand));

      if (insert)
        {
          guint64 id = next_id++;
          janus_pending_insert (&table, id, never, GSIZE_TO_POINTER ((gsize) id * 3 + 1), (gint64) id + 7);
          g_hash_table_add (reference, g_memdup2 (&id, sizeof id));
          g_array_append_val (waiting, id);
        }
      else
        {
          guint k = g_rand_int_range (rand, 0, waiting->len);
          guint64 id = g_array_index (waiting, guint64, k), unknown;
          JanusPending entry;

          g_assert_true (janus_pending_steal (&table, id, &entry));
          g_assert_cmpuint (entry.id, ==, id);
          g_assert_true (entry.done == never);
          g_assert_cmpuint (GPOINTER_TO_SIZE (entry.data), ==, id * 3 + 1);
          g_assert_cmpint (entry.deadline, ==, (gint64) id + 7);
          g_assert_true (g_hash_table_remove (reference, &id));
          g_array_remove_index_fast (waiting, k);
          /* answered already, or never sent */
          g_assert_false (janus_pending_steal (&table, id, &entry));
          unknown = next_id + g_rand_int_range (rand, 0, 1000);
          g_assert_false (janus_pending_steal (&table, unknown, &entry));
        }
      g_assert_cmpuint (table.count, ==, g_hash_table_size (reference));
    }
  /* every one left is still found */
  for (guint i = 0; i < waiting->len; i++)
    {
      guint64 id = g_array_index (waiting, guint64, i);
      gboolean found = FALSE;

      for (guint s = 0; s <= table.mask && table.slots != NULL; s++)
        found |= table.slots[s].done != NULL && table.slots[s].id == id;
      g_assert_true (found);
    }
  /* a closing connection fails what is left, once each */
  for (guint s = 0; s <= table.mask && table.slots != NULL; s++)
    if (table.slots[s].done != NULL)
      table.slots[s].done = count_failed, table.slots[s].data = &failed;
  janus_pending_take_all (&table, &rest);
  g_assert_null (table.slots);
  g_assert_cmpuint (table.count, ==, 0);
  janus_pending_fail_all (&rest, closed);
  g_assert_cmpuint (failed, ==, waiting->len);
}

static void
test_random (void)
{
  run (1, 8, 20000);
  run (2, 1000, 200000);
  /* grows past what an empty table keeps, and back */
  run (3, 20000, 100000);
}

static void
test_drain (void)
{
  JanusPendingTable table = { NULL, 0, 0 };
  JanusPending entry;

  /* many waiting, then all answered: the large table is let go */
  for (guint64 id = 0; id < 10000; id++)
    janus_pending_insert (&table, id, never, NULL, 0);
  g_assert_cmpuint (table.count, ==, 10000);
  for (guint64 id = 10000; id-- > 0;)
    g_assert_true (janus_pending_steal (&table, id, &entry));
  g_assert_cmpuint (table.count, ==, 0);
  g_assert_null (table.slots);
  g_assert_false (janus_pending_steal (&table, 3, &entry));
  /* and used again */
  janus_pending_insert (&table, 10000, never, NULL, 0);
  g_assert_true (janus_pending_steal (&table, 10000, &entry));
  g_free (table.slots);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/net/pending/random", test_random);
  g_test_add_func ("/net/pending/drain", test_drain);
  return g_test_run ();
}
