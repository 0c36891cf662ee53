/* SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The holarchy under concurrent changes, on 2 workers: "shaker" agents and
 * the main thread move, add, remove, nest, merge, decompose and change
 * heads at random while "chatter" agents send to the holons, which forward
 * to their heads. Afterwards:
 *
 *  - no member is lost or duplicated: each cell is in at most one holon,
 *    and every holon's members are distinct;
 *  - there is no cycle, heads are members, a holon with members has a head;
 *  - the signals add up: member-added minus member-removed is each holon's
 *    member count;
 *  - once the agents caught up (waited for on the groups' signals, with a
 *    bounded deadline), every internal group's players are its holon's
 *    members and heads, and no other holonic group has players left;
 *  - nothing became a dead letter.
 *
 * The seeds make the operations reproducible; their interleaving is not.
 */
#include "holon-test.h"

#define N_HOLONS   5
#define N_CELLS    48
#define N_SHAKERS  3
#define N_CHATTERS 2
#define N_OPS      400

typedef struct
{
  JanusHolon *holons[N_HOLONS];
  TestAgent       *cells[N_CELLS];
  gint        added[N_HOLONS];      /* atomic: signal counts */
  gint        removed[N_HOLONS];
  gint        refused;              /* atomic: refused operations */
  gint        done;                 /* atomic: operations made */

  GMutex      lock;                 /* guards changes, ended */
  GCond       cond;
  guint64     changes;              /* role-taken/role-left seen */
  guint       ended;                /* shakers and chatters that ended */
} World;

static World *world;

static gboolean killing;        /* the kill variant: ending holons refuse */

static gboolean
allowed (const GError *error)
{
  if (killing && (g_error_matches (error, JANUS_HOLON_ERROR, JANUS_HOLON_ERROR_DYING)
                  || g_error_matches (error, JANUS_KERNEL_ERROR, JANUS_KERNEL_ERROR_AGENT_DEAD)))
    return TRUE;
  return error->domain == JANUS_HOLON_ERROR
         && (error->code == JANUS_HOLON_ERROR_NOT_MEMBER
             || error->code == JANUS_HOLON_ERROR_ALREADY_MEMBER
             || error->code == JANUS_HOLON_ERROR_CYCLE
             || error->code == JANUS_HOLON_ERROR_SAME_HOLON
             || error->code == JANUS_HOLON_ERROR_SHARING_REFUSED
             || error->code == JANUS_HOLON_ERROR_NO_HEAD);
}

static JanusAgent *
random_member (JanusHolon *holon,
               GRand      *rand)
{
  g_autoptr(GPtrArray) members = janus_holon_list_members (holon);

  if (members->len == 0)
    return NULL;
  return g_object_ref (members->pdata[g_rand_int_range (rand, 0, members->len)]);
}

/* One random change of the holarchy. */
static void
shake (GRand *rand)
{
  JanusHolon *h = world->holons[g_rand_int_range (rand, 0, N_HOLONS)];
  JanusHolon *d = world->holons[g_rand_int_range (rand, 0, N_HOLONS)];
  TestAgent *cell = world->cells[g_rand_int_range (rand, 0, N_CELLS)];
  g_autoptr(JanusAgent) m = NULL;
  g_autoptr(GError) error = NULL;
  guint op = g_rand_int_range (rand, 0, 100);
  gboolean ok = TRUE;

  if (op < 40 && (m = random_member (h, rand)) != NULL)
    ok = janus_holon_move_member (h, m, d, &error);
  else if (op < 60)
    ok = janus_holon_add_member (h, JANUS_AGENT (cell), JANUS_MEMBERSHIP_PART, &error);
  else if (op < 70 && (m = random_member (h, rand)) != NULL)
    ok = janus_holon_remove_member (h, m, &error);
  else if (op < 78)
    ok = janus_holon_add_member (h, JANUS_AGENT (d), JANUS_MEMBERSHIP_PART, &error);
  else if (op < 84)
    ok = janus_holon_merge_into (h, d, &error);
  else if (op < 87)
    ok = janus_holon_decompose (h, &error);
  else if ((m = random_member (h, rand)) != NULL)
    ok = op < 95 ? janus_holon_set_head (h, m, &error) : janus_holon_remove_head (h, m, &error);
  if (!ok)
    {
      g_assert_nonnull (error);
      if (!allowed (error))
        g_error ("unexpected refusal: %s", error->message);
      g_atomic_int_inc (&world->refused);
    }
  g_atomic_int_inc (&world->done);
}

static JanusLive
shaker_live (TestAgent *self)
{
  shake (self->data);
  return self->n_live < N_OPS ? JANUS_LIVE_AGAIN : JANUS_LIVE_DONE;
}

static JanusLive
chatter_live (TestAgent *self)
{
  JanusHolon *h = world->holons[g_rand_int_range (self->data, 0, N_HOLONS)];

  janus_agent_send (JANUS_AGENT (self), janus_agent_get_address (JANUS_AGENT (h)),
                    janus_message_new ("order", NULL), NULL);
  return self->n_live < N_OPS ? JANUS_LIVE_AGAIN : JANUS_LIVE_DONE;
}

/* Cells read (and drop) what reaches them, then step their roles. */
static JanusLive
cell_drain (TestAgent *self)
{
  g_autoptr(GPtrArray) messages = janus_agent_get_messages (JANUS_AGENT (self));

  return JANUS_LIVE_WAIT;
}

static void
on_state (JanusAgent *agent,
          GParamSpec *pspec,
          gpointer    data)
{
  if (janus_agent_get_state (agent) != JANUS_AGENT_STATE_DIED)
    return;
  g_mutex_lock (&world->lock);
  world->ended++;
  g_cond_broadcast (&world->cond);
  g_mutex_unlock (&world->lock);
}

static void
on_holon_state (JanusAgent *agent,
                GParamSpec *pspec,
                gpointer    data)
{
  g_mutex_lock (&world->lock);
  g_cond_broadcast (&world->cond);
  g_mutex_unlock (&world->lock);
}

static void
on_added (JanusHolon *holon, JanusAgent *member, gint *count)
{
  g_atomic_int_inc (count);
}

static void
on_role_change (JanusGroup *group, JanusRole *role, gpointer data)
{
  g_mutex_lock (&world->lock);
  world->changes++;
  g_cond_broadcast (&world->cond);
  g_mutex_unlock (&world->lock);
}

/* Every holon's group has caught up with it; no other holonic group has
 * players. */
static gboolean
groups_follow (JanusKernel *kernel)
{
  JanusOrganization *org = janus_kernel_get_organization (kernel, JANUS_TYPE_HOLONIC_ORGANIZATION);
  g_autoptr(GPtrArray) groups = janus_organization_list_groups (org);
  guint i, j;

  for (i = 0; i < N_HOLONS; i++)
    {
      JanusHolon *h = world->holons[i];
      g_autoptr(JanusGroup) group = janus_holon_get_group (h);
      g_autoptr(GPtrArray) members = janus_holon_list_members (h);
      g_autoptr(GPtrArray) heads = janus_holon_list_heads (h);
      g_autoptr(GPtrArray) parts = NULL, head_players = NULL, supers = NULL;

      if (group == NULL)
        continue;
      parts = janus_group_list_players (group, JANUS_TYPE_HOLONIC_PART);
      head_players = janus_group_list_players (group, JANUS_TYPE_HOLONIC_HEAD);
      supers = janus_group_list_players (group, JANUS_TYPE_HOLONIC_SUPER);
      if (parts->len != members->len || head_players->len != heads->len || supers->len != 1)
        return FALSE;
      for (j = 0; j < members->len; j++)
        if (!janus_group_has_member (group, members->pdata[j]))
          return FALSE;
      for (j = 0; j < heads->len; j++)
        if (!g_ptr_array_find (head_players, heads->pdata[j], NULL))
          return FALSE;
    }
  for (i = 0; i < groups->len; i++)
    {
      g_autoptr(JanusHolon) owner = janus_holon_from_group (groups->pdata[i]);

      if (owner == NULL && janus_group_count_players (groups->pdata[i], G_TYPE_INVALID) > 0)
        return FALSE;
    }
  return TRUE;
}

static void
watch_groups (JanusKernel *kernel)
{
  JanusOrganization *org = janus_kernel_get_organization (kernel, JANUS_TYPE_HOLONIC_ORGANIZATION);
  g_autoptr(GPtrArray) groups = janus_organization_list_groups (org);
  guint i;

  for (i = 0; i < groups->len; i++)
    {
      g_signal_connect (groups->pdata[i], "role-taken", G_CALLBACK (on_role_change), NULL);
      g_signal_connect (groups->pdata[i], "role-left", G_CALLBACK (on_role_change), NULL);
    }
}

static void
unwatch_groups (JanusKernel *kernel)
{
  JanusOrganization *org = janus_kernel_get_organization (kernel, JANUS_TYPE_HOLONIC_ORGANIZATION);
  g_autoptr(GPtrArray) groups = janus_organization_list_groups (org);
  guint i;

  for (i = 0; i < groups->len; i++)
    g_signal_handlers_disconnect_by_func (groups->pdata[i], on_role_change, NULL);
}

/* No member lost or duplicated, no cycle, heads are members. */
static void
check_holarchy (void)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (NULL, NULL);
  guint i, j, total = 0;

  for (i = 0; i < N_HOLONS; i++)
    {
      JanusHolon *h = world->holons[i];
      g_autoptr(GPtrArray) members = janus_holon_list_members (h);
      g_autoptr(GPtrArray) heads = janus_holon_list_heads (h);

      /* a cycle would make this recurse for ever */
      g_assert_cmpuint (janus_holon_get_depth (JANUS_AGENT (h)), <, N_HOLONS);
      g_assert_cmpint (g_atomic_int_get (&world->added[i]) - g_atomic_int_get (&world->removed[i]),
                       ==, (gint) members->len);
      /* an ending holon elects no head any more: its members are ending */
      g_assert_true (members->len == 0 || heads->len > 0
                     || (killing && !janus_agent_is_alive (JANUS_AGENT (h))));
      for (j = 0; j < heads->len; j++)
        g_assert_true (janus_holon_is_head (h, heads->pdata[j])
                       && janus_holon_get_membership (h, heads->pdata[j]) == JANUS_MEMBERSHIP_PART);
      for (j = 0; j < members->len; j++)
        {
          g_assert_false (g_hash_table_contains (seen, members->pdata[j]));
          g_hash_table_add (seen, members->pdata[j]);
          total++;
        }
    }
  for (i = 0; i < N_CELLS; i++)
    {
      g_autoptr(GPtrArray) supers = janus_holon_list_supers (JANUS_AGENT (world->cells[i]));

      g_assert_cmpuint (supers->len, <=, 1);
      g_assert_cmpuint (supers->len, ==, g_hash_table_contains (seen, world->cells[i]) ? 1 : 0);
      /* only the kill variant ends cells: the members of the killed holons
       * (which may still be ending) */
      if (!janus_agent_is_alive (JANUS_AGENT (world->cells[i])))
        {
          g_assert_true (killing);
          if (janus_agent_get_state (JANUS_AGENT (world->cells[i])) == JANUS_AGENT_STATE_DIED)
            g_assert_cmpuint (supers->len, ==, 0);
        }
      else if (supers->len == 1)
        g_assert_true (janus_agent_is_alive (supers->pdata[0]));
    }
  g_assert_cmpuint (total, ==, g_hash_table_size (seen));
}

/* The kill variant: two holons are killed while the others shake. */
static void
kill_two (JanusKernel *kernel)
{
  g_assert_true (janus_kernel_kill (kernel, JANUS_AGENT (world->holons[N_HOLONS - 1]), NULL));
  g_assert_true (janus_kernel_kill (kernel, JANUS_AGENT (world->holons[N_HOLONS - 2]), NULL));
}

static void
test_shake (gconstpointer data)
{
  g_autoptr(JanusKernel) kernel = janus_kernel_new (2);
  TestAgent *agents[N_SHAKERS + N_CHATTERS];
  World w = { 0 };
  gint64 deadline;
  guint i;

  world = &w;
  killing = GPOINTER_TO_INT (data);   /* before any shaker reads it */
  g_mutex_init (&w.lock);
  g_cond_init (&w.cond);
  for (i = 0; i < N_HOLONS; i++)
    {
      g_autofree char *name = g_strdup_printf ("H%u", i);
      w.holons[i] = launch_holon (kernel, name);
      g_signal_connect (w.holons[i], "member-added", G_CALLBACK (on_added), &w.added[i]);
      g_signal_connect (w.holons[i], "notify::state", G_CALLBACK (on_holon_state), NULL);
      g_signal_connect (w.holons[i], "member-removed", G_CALLBACK (on_added), &w.removed[i]);
    }
  for (i = 0; i < N_CELLS; i++)
    {
      g_autofree char *name = g_strdup_printf ("c%u", i);
      w.cells[i] = test_agent_new (NULL, NULL);
      w.cells[i]->live = cell_drain;
      g_assert_true (janus_holon_spawn_member (w.holons[i % N_HOLONS], JANUS_AGENT (w.cells[i]),
                                               name, NULL, NULL));
    }
  for (i = 0; i < G_N_ELEMENTS (agents); i++)
    {
      agents[i] = test_agent_new (NULL, NULL);
      agents[i]->live = i < N_SHAKERS ? shaker_live : chatter_live;
      agents[i]->data = g_rand_new_with_seed (1000 + i);
      g_signal_connect (agents[i], "notify::state", G_CALLBACK (on_state), NULL);
      janus_kernel_launch_light_agent (kernel, JANUS_AGENT (agents[i]), NULL, NULL, NULL);
    }
  /* the main thread shakes too, meanwhile (and kills, half way) */
  {
    g_autoptr(GRand) rand = g_rand_new_with_seed (7);
    for (i = 0; i < N_OPS; i++)
      {
        if (killing && i == N_OPS / 2)
          kill_two (kernel);
        shake (rand);
      }
  }
  /* wait (bounded) for the shakers and chatters to end */
  deadline = g_get_monotonic_time () + 4 * DEADLINE_USEC;
  g_mutex_lock (&w.lock);
  while (w.ended < G_N_ELEMENTS (agents))
    g_assert_true (g_cond_wait_until (&w.cond, &w.lock, deadline));
  g_mutex_unlock (&w.lock);
  g_assert_cmpint (g_atomic_int_get (&w.done), ==, (N_SHAKERS + 1) * N_OPS);

  check_holarchy ();

  /* the roles catch up: wait on the groups' signals */
  watch_groups (kernel);
  deadline = g_get_monotonic_time () + 4 * DEADLINE_USEC;
  g_mutex_lock (&w.lock);
  for (;;)
    {
      guint64 before = w.changes;
      gboolean follow;

      g_mutex_unlock (&w.lock);
      follow = groups_follow (kernel);
      g_mutex_lock (&w.lock);
      if (follow)
        break;
      while (w.changes == before)
        g_assert_true (g_cond_wait_until (&w.cond, &w.lock, deadline));
    }
  g_mutex_unlock (&w.lock);
  unwatch_groups (kernel);
  if (killing)
    {
      for (i = N_HOLONS - 2; i < N_HOLONS; i++)
        {
          /* the killed holons end once their members did (wait for their
           * last state); chatters' letters to them are dead letters */
          g_mutex_lock (&w.lock);
          while (janus_agent_get_state (JANUS_AGENT (w.holons[i])) != JANUS_AGENT_STATE_DIED)
            g_assert_true (g_cond_wait_until (&w.cond, &w.lock, deadline));
          g_mutex_unlock (&w.lock);
          g_assert_true (janus_holon_is_atomic (w.holons[i]));
        }
      /* ... so their members had left them */
      for (i = 0; i < N_CELLS; i++)
        if (!janus_agent_is_alive (JANUS_AGENT (w.cells[i])))
          {
            g_autoptr(GPtrArray) supers = janus_holon_list_supers (JANUS_AGENT (w.cells[i]));
            g_assert_cmpuint (supers->len, ==, 0);
          }
    }
  else
    g_assert_cmpuint (janus_kernel_get_dead_letter_count (kernel), ==, 0);
  g_test_message ("%d of %d operations refused", g_atomic_int_get (&w.refused), g_atomic_int_get (&w.done));

  janus_kernel_shutdown (kernel);
  for (i = 0; i < G_N_ELEMENTS (agents); i++)
    {
      g_rand_free (agents[i]->data);
      g_object_unref (agents[i]);
    }
  for (i = 0; i < N_HOLONS; i++)
    g_object_unref (w.holons[i]);
  for (i = 0; i < N_CELLS; i++)
    g_object_unref (w.cells[i]);
  g_mutex_clear (&w.lock);
  g_cond_clear (&w.cond);
  world = NULL;
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_data_func ("/holon/concurrency/shake", GINT_TO_POINTER (FALSE), test_shake);
  g_test_add_data_func ("/holon/concurrency/shake-and-kill", GINT_TO_POINTER (TRUE), test_shake);

  return g_test_run ();
}
