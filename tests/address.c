/* SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * JanusAddress: the janus://<kernel-uuid>/<id> form, identifiers handed out
 * per kernel in launch order, the kernel's own address, parsing (round trip
 * and errors), hashing/equality/ordering, copies, and preconditions.
 */
#include <string.h>

#include "janus-test-utils.h"

#define UUID_A "0b4cbd3e-6a1f-4c61-9d7e-2f5b3a8c9d01"
#define UUID_B "f3e2d1c0-b9a8-4776-8554-433221100fee"

/* Launches an agent that waits until killed. */
static JanusAgent *
launch_plain (JanusKernel *kernel)
{
  TestAgent *agent = test_agent_new (deaf_live, NULL);

  launch_ok (kernel, agent, NULL, NULL);
  return AGENT (agent);
}

/* -------------------------------------------------------------- format */

static void
test_format (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  JanusKernel *other = janus_kernel_new (0);
  const char *uuid = janus_kernel_get_uuid (kernel);
  JanusAgent *agents[3], *first_elsewhere;
  guint i;

  g_assert_true (g_uuid_string_is_valid (uuid));
  g_assert_cmpuint (strlen (uuid), ==, 36);
  for (i = 0; uuid[i]; i++)
    g_assert_true (uuid[i] == '-' || g_ascii_isdigit (uuid[i])
                   || (uuid[i] >= 'a' && uuid[i] <= 'f'));
  g_assert_cmpstr (janus_kernel_get_uuid (other), !=, uuid);

  for (i = 0; i < G_N_ELEMENTS (agents); i++)
    {
      const JanusAddress *address;
      g_autofree char *text = NULL;
      g_autofree char *expected = NULL;
      g_autofree char *kernel_uuid = NULL;

      agents[i] = launch_plain (kernel);
      address = janus_agent_get_address (agents[i]);
      g_assert_nonnull (address);
      g_assert_cmpuint (janus_address_get_id (address), ==, i);
      g_assert_false (janus_address_is_kernel (address));
      kernel_uuid = janus_address_dup_kernel_uuid (address);
      g_assert_cmpstr (kernel_uuid, ==, uuid);
      text = janus_address_to_string (address);
      expected = g_strdup_printf ("janus://%s/%u", uuid, i);
      g_assert_cmpstr (text, ==, expected);
    }

  /* identifiers are per kernel: another kernel starts at 0 again */
  first_elsewhere = launch_plain (other);
  g_assert_cmpuint (janus_address_get_id (janus_agent_get_address (first_elsewhere)), ==, 0);
  g_assert_false (janus_address_equal (janus_agent_get_address (first_elsewhere),
                                       janus_agent_get_address (agents[0])));

  /* and are never reused: the next after a death is 3 */
  janus_kernel_kill_all (kernel);
  janus_kernel_run (kernel);
  {
    JanusAgent *next = launch_plain (kernel);

    g_assert_cmpuint (janus_address_get_id (janus_agent_get_address (next)), ==, 3);
    janus_kernel_shutdown (kernel);
    unref_last (kernel);
    unref_last (next);
  }
  for (i = 0; i < G_N_ELEMENTS (agents); i++)
    unref_last (agents[i]);
  unref_last (other);
  unref_last (first_elsewhere);
}

static void
test_kernel_address (void)
{
  JanusKernel *kernel = janus_kernel_new (0);
  const JanusAddress *address = janus_kernel_get_address (kernel);
  g_autofree char *text = janus_address_to_string (address);
  g_autofree char *expected = g_strdup_printf ("janus://%s/", janus_kernel_get_uuid (kernel));
  g_autofree char *uuid = janus_address_dup_kernel_uuid (address);
  g_autoptr(JanusAddress) made = janus_address_new_for_kernel (janus_kernel_get_uuid (kernel));
  g_autoptr(JanusAddress) parsed = NULL;
  g_autoptr(JanusAddress) prop = NULL;
  GError *error = NULL;

  g_assert_cmpstr (text, ==, expected);
  g_assert_true (janus_address_is_kernel (address));
  g_assert_cmpuint (janus_address_get_id (address), ==, G_MAXUINT64);
  g_assert_cmpstr (uuid, ==, janus_kernel_get_uuid (kernel));

  g_assert_true (janus_address_equal (made, address));
  g_assert_true (janus_address_is_kernel (made));

  parsed = janus_address_parse (text, &error);
  g_assert_no_error (error);
  g_assert_true (janus_address_equal (parsed, address));
  g_assert_true (janus_address_is_kernel (parsed));

  g_object_get (kernel, "address", &prop, NULL);
  g_assert_true (janus_address_equal (prop, address));

  unref_last (kernel);
}

/* --------------------------------------------------------------- parse */

static void
assert_round_trip (const JanusAddress *address)
{
  g_autofree char *text = janus_address_to_string (address);
  g_autoptr(JanusAddress) parsed = NULL;
  g_autofree char *again = NULL;
  GError *error = NULL;

  parsed = janus_address_parse (text, &error);
  g_assert_no_error (error);
  g_assert_nonnull (parsed);
  g_assert_true (janus_address_equal (parsed, address));
  g_assert_cmpint (janus_address_compare (parsed, address), ==, 0);
  g_assert_cmpuint (janus_address_hash (parsed), ==, janus_address_hash (address));
  again = janus_address_to_string (parsed);
  g_assert_cmpstr (again, ==, text);
}

static void
test_parse_round_trip (void)
{
  static const guint64 ids[] = { 0, 1, 2, 9, 10, 42, 1000000, G_MAXUINT32,
                                 G_GUINT64_CONSTANT (17179869184), G_MAXUINT64 - 1 };
  JanusKernel *kernel = janus_kernel_new (0);
  JanusAgent *agent = launch_plain (kernel);
  guint i;

  assert_round_trip (janus_agent_get_address (agent));
  assert_round_trip (janus_kernel_get_address (kernel));
  for (i = 0; i < G_N_ELEMENTS (ids); i++)
    {
      g_autoptr(JanusAddress) a = janus_address_new (UUID_A, ids[i]);
      g_autoptr(JanusAddress) b = janus_address_new (UUID_B, ids[i]);
      g_autofree char *text = janus_address_to_string (a);
      g_autofree char *expected = g_strdup_printf ("janus://" UUID_A "/%" G_GUINT64_FORMAT, ids[i]);

      g_assert_cmpuint (janus_address_get_id (a), ==, ids[i]);
      g_assert_cmpstr (text, ==, expected);
      assert_round_trip (a);
      assert_round_trip (b);
    }

  /* text → address → text */
  {
    GError *error = NULL;
    g_autoptr(JanusAddress) p = janus_address_parse ("janus://" UUID_B "/123", &error);
    g_autofree char *text = NULL;
    g_autofree char *uuid = NULL;

    g_assert_no_error (error);
    g_assert_cmpuint (janus_address_get_id (p), ==, 123);
    uuid = janus_address_dup_kernel_uuid (p);
    g_assert_cmpstr (uuid, ==, UUID_B);
    text = janus_address_to_string (p);
    g_assert_cmpstr (text, ==, "janus://" UUID_B "/123");
  }

  janus_kernel_shutdown (kernel);
  unref_last (kernel);
  unref_last (agent);
}

static const char *bad_addresses[] = {
  "",
  "janus",
  "janus:",
  "janus://",
  "janus:///",
  "janus:///0",
  "http://" UUID_A "/0",
  "janus:/" UUID_A "/0",
  "janus:" UUID_A "/0",
  "janus//" UUID_A "/0",
  " janus://" UUID_A "/0",
  UUID_A "/0",
  /* bad uuids */
  "janus://0b4cbd3e-6a1f-4c61-9d7e-2f5b3a8c9d0/0",       /* one digit short */
  "janus://0b4cbd3e-6a1f-4c61-9d7e-2f5b3a8c9d011/0",     /* one digit long */
  "janus://0b4cbd3g-6a1f-4c61-9d7e-2f5b3a8c9d01/0",      /* not hex */
  "janus://0b4cbd3e6a1f-4c61-9d7e-2f5b3a8c9d01-/0",      /* dash misplaced */
  "janus://0b4cbd3e_6a1f_4c61_9d7e_2f5b3a8c9d01/0",      /* not dashes */
  "janus://0b4cbd3e6a1f4c619d7e2f5b3a8c9d01/0",          /* no dashes */
  "janus://{0b4cbd3e-6a1f-4c61-9d7e-2f5b3a8c9d01}/0",
  "janus://not-a-uuid/0",
  /* missing slash */
  "janus://" UUID_A,
  "janus://" UUID_A "0",
  "janus://" UUID_A "12",
  /* non-numeric ids */
  "janus://" UUID_A "/x",
  "janus://" UUID_A "/abc",
  "janus://" UUID_A "/-1",
  "janus://" UUID_A "/+1",
  "janus://" UUID_A "/ 1",
  "janus://" UUID_A "/0x10",
  "janus://" UUID_A "/1.0",
  "janus://" UUID_A "//1",
  /* overflow, and the id reserved for kernels */
  "janus://" UUID_A "/18446744073709551616",
  "janus://" UUID_A "/99999999999999999999999999",
  "janus://" UUID_A "/18446744073709551615",
  /* trailing garbage */
  "janus://" UUID_A "/1x",
  "janus://" UUID_A "/1 ",
  "janus://" UUID_A "/1/",
  "janus://" UUID_A "/1/2",
  "janus://" UUID_A "/1\n",
  "janus://" UUID_A "/ ",
  "janus://" UUID_A "/?",
};

static void
test_parse_invalid (gconstpointer data)
{
  const char *text = data;
  GError *error = NULL;
  JanusAddress *address;

  address = janus_address_parse (text, &error);
  g_assert_null (address);
  g_assert_error (error, JANUS_MESSAGE_ERROR, JANUS_MESSAGE_ERROR_INVALID_ADDRESS);
  g_assert_nonnull (error->message);
  g_assert_cmpstr (error->message, !=, "");
  g_clear_error (&error);

  /* without a GError too */
  g_assert_null (janus_address_parse (text, NULL));
}

/* ------------------------------------------------- hash, equal, compare */

static void
test_hash_equal_compare (void)
{
  g_autoptr(JanusAddress) a0 = janus_address_new (UUID_A, 0);
  g_autoptr(JanusAddress) a0_bis = janus_address_new (UUID_A, 0);
  g_autoptr(JanusAddress) a1 = janus_address_new (UUID_A, 1);
  g_autoptr(JanusAddress) b0 = janus_address_new (UUID_B, 0);
  g_autoptr(JanusAddress) ak = janus_address_new_for_kernel (UUID_A);
  g_autoptr(JanusAddress) upper = NULL;
  GError *error = NULL;

  g_assert_true (janus_address_equal (a0, a0));
  g_assert_true (janus_address_equal (a0, a0_bis));
  g_assert_cmpuint (janus_address_hash (a0), ==, janus_address_hash (a0_bis));
  g_assert_false (janus_address_equal (a0, a1));
  g_assert_false (janus_address_equal (a0, b0));
  g_assert_false (janus_address_equal (a0, ak));

  /* compare: 0 exactly for equal addresses, antisymmetric, by kernel then id,
   * the kernel's own address after its agents */
  g_assert_cmpint (janus_address_compare (a0, a0_bis), ==, 0);
  g_assert_cmpint (janus_address_compare (a0, a1), <, 0);
  g_assert_cmpint (janus_address_compare (a1, a0), >, 0);
  g_assert_cmpint (janus_address_compare (a1, ak), <, 0);
  g_assert_cmpint (janus_address_compare (ak, a1), >, 0);
  /* UUID_A < UUID_B, whatever the ids */
  g_assert_cmpint (janus_address_compare (a1, b0), <, 0);
  g_assert_cmpint (janus_address_compare (ak, b0), <, 0);
  g_assert_cmpint (janus_address_compare (b0, ak), >, 0);

  /* the textual case of the uuid does not matter */
  upper = janus_address_parse ("janus://0B4CBD3E-6A1F-4C61-9D7E-2F5B3A8C9D01/0", &error);
  g_assert_no_error (error);
  g_assert_true (janus_address_equal (upper, a0));
  g_assert_cmpuint (janus_address_hash (upper), ==, janus_address_hash (a0));
}

static gint
compare_ptrs (gconstpointer a,
              gconstpointer b)
{
  return janus_address_compare (*(JanusAddress * const *) a, *(JanusAddress * const *) b);
}

static void
test_hash_table (void)
{
  GHashTable *table = g_hash_table_new_full (janus_address_hash, janus_address_equal,
                                             (GDestroyNotify) janus_address_free, NULL);
  GPtrArray *sorted = g_ptr_array_new_with_free_func ((GDestroyNotify) janus_address_free);
  const char *uuids[] = { UUID_B, UUID_A };
  guint n = 500, i, k;

  for (k = 0; k < G_N_ELEMENTS (uuids); k++)
    for (i = 0; i < n; i++)
      {
        JanusAddress *address = janus_address_new (uuids[k], i);

        g_assert_true (g_hash_table_insert (table, address, GUINT_TO_POINTER (k * n + i + 1)));
        g_ptr_array_add (sorted, janus_address_copy (address));
      }
  for (k = 0; k < G_N_ELEMENTS (uuids); k++)
    g_assert_true (g_hash_table_insert (table, janus_address_new_for_kernel (uuids[k]),
                                        GUINT_TO_POINTER (1000000 + k)));
  g_assert_cmpuint (g_hash_table_size (table), ==, 2 * n + 2);

  /* look up with fresh keys, made and parsed */
  for (k = 0; k < G_N_ELEMENTS (uuids); k++)
    for (i = 0; i < n; i++)
      {
        g_autoptr(JanusAddress) key = janus_address_new (uuids[k], i);
        g_autofree char *text = janus_address_to_string (key);
        g_autoptr(JanusAddress) parsed = janus_address_parse (text, NULL);

        g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (table, key)), ==, k * n + i + 1);
        g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (table, parsed)), ==, k * n + i + 1);
      }
  {
    g_autoptr(JanusAddress) kb = janus_address_new_for_kernel (UUID_B);
    g_autoptr(JanusAddress) missing = janus_address_new (UUID_A, n);

    g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (table, kb)), ==, 1000000);
    g_assert_false (g_hash_table_contains (table, missing));
  }

  /* inserting an equal key replaces, not adds */
  g_assert_false (g_hash_table_insert (table, janus_address_new (UUID_A, 7), NULL));
  g_assert_cmpuint (g_hash_table_size (table), ==, 2 * n + 2);

  /* compare sorts by kernel then id */
  g_ptr_array_sort (sorted, compare_ptrs);
  for (i = 0; i < sorted->len; i++)
    {
      JanusAddress *address = sorted->pdata[i];
      g_autofree char *uuid = janus_address_dup_kernel_uuid (address);

      g_assert_cmpstr (uuid, ==, i < n ? UUID_A : UUID_B);
      g_assert_cmpuint (janus_address_get_id (address), ==, i % n);
      if (i > 0)
        g_assert_cmpint (janus_address_compare (sorted->pdata[i - 1], address), <, 0);
    }

  g_ptr_array_unref (sorted);
  g_hash_table_unref (table);
}

/* ---------------------------------------------------------- copy, free */

static void
test_copy_free (void)
{
  JanusAddress *a = janus_address_new (UUID_A, 77);
  JanusAddress *copy = janus_address_copy (a);
  JanusAddress *boxed = g_boxed_copy (JANUS_TYPE_ADDRESS, a);
  g_autofree char *s1 = NULL;
  g_autofree char *s2 = NULL;

  g_assert_true (copy != a);
  g_assert_true (janus_address_equal (copy, a));
  g_assert_true (janus_address_equal (boxed, a));
  janus_address_free (a);
  /* the copies live on their own */
  s1 = janus_address_to_string (copy);
  s2 = janus_address_to_string (boxed);
  g_assert_cmpstr (s1, ==, "janus://" UUID_A "/77");
  g_assert_cmpstr (s2, ==, s1);
  janus_address_free (copy);
  g_boxed_free (JANUS_TYPE_ADDRESS, boxed);

  /* NULL is fine to free, like g_free */
  janus_address_free (NULL);

  /* an agent's address outlives the agent's kernel as a copy */
  {
    JanusKernel *kernel = janus_kernel_new (0);
    JanusAgent *agent = launch_plain (kernel);
    JanusAddress *kept = janus_address_copy (janus_agent_get_address (agent));
    g_autofree char *text = NULL;
    g_autofree char *expected = g_strdup_printf ("janus://%s/0", janus_kernel_get_uuid (kernel));

    janus_kernel_shutdown (kernel);
    unref_last (kernel);
    unref_last (agent);
    text = janus_address_to_string (kept);
    g_assert_cmpstr (text, ==, expected);
    janus_address_free (kept);
  }
}

/* --------------------------------------------------------- preconditions */

static void
critical_case (const char *name)
{
  if (g_str_equal (name, "new-invalid-uuid"))
    g_assert_null (janus_address_new ("not-a-uuid", 0));
  else if (g_str_equal (name, "new-short-uuid"))
    g_assert_null (janus_address_new ("0b4cbd3e-6a1f-4c61-9d7e-2f5b3a8c9d0", 0));
  else if (g_str_equal (name, "new-null-uuid"))
    g_assert_null (janus_address_new (NULL, 0));
  else if (g_str_equal (name, "new-kernel-id"))
    g_assert_null (janus_address_new (UUID_A, G_MAXUINT64));
  else if (g_str_equal (name, "new-for-kernel-invalid-uuid"))
    g_assert_null (janus_address_new_for_kernel ("zz"));
  else if (g_str_equal (name, "new-for-kernel-null"))
    g_assert_null (janus_address_new_for_kernel (NULL));
  else if (g_str_equal (name, "parse-null"))
    g_assert_null (janus_address_parse (NULL, NULL));
  else if (g_str_equal (name, "to-string-null"))
    g_assert_null (janus_address_to_string (NULL));
  else if (g_str_equal (name, "copy-null"))
    g_assert_null (janus_address_copy (NULL));
  else if (g_str_equal (name, "compare-null"))
    janus_address_compare (NULL, NULL);
  else if (g_str_equal (name, "equal-null"))
    janus_address_equal (NULL, NULL);
  else if (g_str_equal (name, "hash-null"))
    janus_address_hash (NULL);
  else
    g_assert_not_reached ();
}

/* ----------------------------------------------------------------- main */

int
main (int    argc,
      char **argv)
{
  static const char *criticals[] = {
    "new-invalid-uuid", "new-short-uuid", "new-null-uuid", "new-kernel-id",
    "new-for-kernel-invalid-uuid", "new-for-kernel-null", "parse-null",
    "to-string-null", "copy-null", "compare-null", "equal-null", "hash-null",
  };
  guint i;

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/address/format", test_format);
  g_test_add_func ("/address/kernel", test_kernel_address);
  g_test_add_func ("/address/parse/round-trip", test_parse_round_trip);
  for (i = 0; i < G_N_ELEMENTS (bad_addresses); i++)
    {
      g_autofree char *path = g_strdup_printf ("/address/parse/invalid/%u", i);
      g_test_add_data_func (path, bad_addresses[i], test_parse_invalid);
    }
  g_test_add_func ("/address/hash-equal-compare", test_hash_equal_compare);
  g_test_add_func ("/address/hash-table", test_hash_table);
  g_test_add_func ("/address/copy-free", test_copy_free);
  add_critical_cases ("/address/critical", critical_case, criticals, G_N_ELEMENTS (criticals));

  return g_test_run ();
}
