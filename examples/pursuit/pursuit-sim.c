/* SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Pursuit: predators hunt prey on a toroidal grid.
 *
 * Influence/reaction: an environment agent owns the grid. Once every body
 * said it is ready (the predators have joined the group), every turn it
 * sends each body (predator or prey agent) what it perceives around it;
 * each body answers with the move it wants; once every move is in, the
 * environment resolves them in a random order (a move into an occupied
 * cell fails), checks the captures and starts the next turn, `period`
 * later on the kernel's clock (janus_agent_call_in).
 *
 * Predators coordinate as Hunter roles of a Hunting group: a hunter that
 * sees a prey broadcasts its position to the other hunters
 * (janus_role_broadcast); hunters head for the cells around the
 * prey, one side each. Prey flee from the predators they see. A prey is
 * caught when its four neighbour cells are all occupied (by predators, or
 * other prey blocking it) with at least one predator among them.
 *
 * Reproducible: every random choice comes from a GRand seeded with the
 * seed (one per agent), iterations go by body index, and a hunter only
 * uses sightings of earlier turns (which reached its mailbox before the
 * perception of this turn, whatever the scheduling). On a 0-worker kernel
 * with a virtual clock a run is a fast discrete-event simulation.
 */
#include "pursuit-sim.h"

#include <string.h>

#define PREDATOR_SIGHT 5
#define PREY_SIGHT     4
#define SIGHTING_TTL   8        /* turns a broadcast sighting stays useful */
#define HISTORY        (SIGHTING_TTL + 2)

typedef enum {
  KIND_PREDATOR,
  KIND_PREY,
} BodyKind;

typedef enum {
  DIR_STAY,
  DIR_NORTH,
  DIR_EAST,
  DIR_SOUTH,
  DIR_WEST,
  N_DIRS,
} Dir;

static const int dir_dx[N_DIRS] = { 0, 0, 1, 0, -1 };
static const int dir_dy[N_DIRS] = { 0, -1, 0, 1, 0 };

/* Shortest signed distance from a to b on a ring of size n. */
static int
torus_delta (int a,
             int b,
             int n)
{
  int d = ((b - a) % n + n) % n;

  return d > n / 2 ? d - n : d;
}

static int
wrap (int v,
      int n)
{
  return ((v % n) + n) % n;
}

static GRand *
rand_new (guint64 seed,
          guint32 stream)
{
  guint32 words[3] = { (guint32) seed, (guint32) (seed >> 32), stream };

  return g_rand_new_with_seed_array (words, 3);
}

/* ------------------------------------------------- Hunting and Hunter */

#define PURSUIT_TYPE_HUNTER (pursuit_hunter_get_type ())
G_DECLARE_FINAL_TYPE (PursuitHunter, pursuit_hunter, PURSUIT, HUNTER, JanusRole)

struct _PursuitHunter
{
  JanusRole parent_instance;
};

G_DEFINE_FINAL_TYPE (PursuitHunter, pursuit_hunter, JANUS_TYPE_ROLE)

static void
pursuit_hunter_class_init (PursuitHunterClass *klass)
{
}

static void
pursuit_hunter_init (PursuitHunter *self)
{
}

#define PURSUIT_TYPE_HUNTING (pursuit_hunting_get_type ())
G_DECLARE_FINAL_TYPE (PursuitHunting, pursuit_hunting, PURSUIT, HUNTING, JanusOrganization)

struct _PursuitHunting
{
  JanusOrganization parent_instance;
};

G_DEFINE_FINAL_TYPE (PursuitHunting, pursuit_hunting, JANUS_TYPE_ORGANIZATION)

static void
pursuit_hunting_class_init (PursuitHuntingClass *klass)
{
  janus_organization_class_add_role (JANUS_ORGANIZATION_CLASS (klass), PURSUIT_TYPE_HUNTER, 0);
}

static void
pursuit_hunting_init (PursuitHunting *self)
{
}

/* ----------------------------------------------------------- the bodies */

typedef struct
{
  gint turn;                    /* -1: never seen */
  gint x, y;
} Sighting;

typedef struct
{
  guint8 kind;
  guint  index;
  gint   dx, dy;
} Seen;

#define PURSUIT_TYPE_BODY (pursuit_body_get_type ())
G_DECLARE_FINAL_TYPE (PursuitBody, pursuit_body, PURSUIT, BODY, JanusAgent)

struct _PursuitBody
{
  JanusAgent     parent_instance;

  /* set before launch */
  BodyKind       kind;
  guint          index;         /* among all bodies: predators first */
  guint          slot;          /* predators: which side of the prey */
  gint           width, height;
  JanusAgent    *environment;  /* borrowed: it outlives the bodies' steps */
  JanusGroup    *group;         /* predators: the Hunting group */
  GRand         *rand;

  /* the agent's own */
  JanusRole     *hunter;        /* predators; owned by the agent */
  Sighting      *sightings;     /* predators: HISTORY turns per prey, by turn % HISTORY */
  guint          n_prey;
  guint          n_predators;
};

G_DEFINE_FINAL_TYPE (PursuitBody, pursuit_body, JANUS_TYPE_AGENT)

static gboolean
pursuit_body_activate (JanusAgent  *agent,
                       GVariant    *parameters,
                       GError     **error)
{
  PursuitBody *self = PURSUIT_BODY (agent);

  if (self->kind == KIND_PREDATOR)
    {
      self->hunter = janus_agent_request_role (agent, PURSUIT_TYPE_HUNTER, self->group, NULL, error);
      if (self->hunter == NULL)
        return FALSE;
    }
  /* the game starts when every hunter is in the group: none misses a
   * sighting of the first turns */
  return janus_agent_send (agent, janus_agent_get_address (self->environment),
                           janus_message_new ("ready", NULL), error);
}

static void
send_move (PursuitBody *self,
           guint        turn,
           Dir          dir)
{
  janus_agent_send (JANUS_AGENT (self), janus_agent_get_address (self->environment),
                    janus_message_new ("move", g_variant_new ("(uuy)", turn, self->index, (guint8) dir)),
                    NULL);
}

static gboolean
seen_at (const Seen *seen,
         guint       n_seen,
         int         dx,
         int         dy)
{
  guint i;

  for (i = 0; i < n_seen; i++)
    if (seen[i].dx == dx && seen[i].dy == dy)
      return TRUE;
  return FALSE;
}

/* A random move into a cell nobody visible stands in (or stay). */
static Dir
wander (PursuitBody *self,
        const Seen  *seen,
        guint        n_seen)
{
  Dir dir = (Dir) g_rand_int_range (self->rand, DIR_NORTH, N_DIRS);

  return seen_at (seen, n_seen, dir_dx[dir], dir_dy[dir]) ? DIR_STAY : dir;
}

/* One step towards the relative position (gx, gy), along the longer axis
 * first, avoiding visible bodies. */
static Dir
step_towards (PursuitBody *self,
              int          gx,
              int          gy,
              const Seen  *seen,
              guint        n_seen)
{
  Dir horizontal = gx > 0 ? DIR_EAST : DIR_WEST;
  Dir vertical = gy > 0 ? DIR_SOUTH : DIR_NORTH;
  Dir options[2];
  guint n = 0, i;

  if (gx == 0 && gy == 0)
    return DIR_STAY;
  if (ABS (gx) > ABS (gy) || (ABS (gx) == ABS (gy) && g_rand_boolean (self->rand)))
    {
      options[n++] = horizontal;
      if (gy != 0)
        options[n++] = vertical;
    }
  else
    {
      options[n++] = vertical;
      if (gx != 0)
        options[n++] = horizontal;
    }
  for (i = 0; i < n; i++)
    if (!seen_at (seen, n_seen, dir_dx[options[i]], dir_dy[options[i]]))
      return options[i];
  return wander (self, seen, n_seen);
}

static int
distance (int dx,
          int dy)
{
  return ABS (dx) + ABS (dy);
}

static void
broadcast_sighting (PursuitBody *self,
                    guint        turn,
                    guint        prey,
                    int          x,
                    int          y)
{
  g_autoptr(GError) error = NULL;

  if (!janus_role_broadcast (self->hunter, PURSUIT_TYPE_HUNTER,
                             janus_message_new ("prey-at",
                             g_variant_new ("(uuii)", turn, prey, x, y)),
                             NULL, &error))
    g_warning ("hunter %u: %s", self->index, error->message);
}

static Dir
predator_decide (PursuitBody *self,
                 guint        turn,
                 int          x,
                 int          y,
                 const Seen  *seen,
                 guint        n_seen)
{
  int best = G_MAXINT, tx = 0, ty = 0;
  gboolean found = FALSE;
  guint i;

  /* prey in sight: tell the other hunters, chase the nearest */
  for (i = 0; i < n_seen; i++)
    {
      if (seen[i].kind != KIND_PREY)
        continue;
      broadcast_sighting (self, turn, seen[i].index - self->n_predators,
                          wrap (x + seen[i].dx, self->width), wrap (y + seen[i].dy, self->height));
      if (distance (seen[i].dx, seen[i].dy) < best)
        {
          best = distance (seen[i].dx, seen[i].dy);
          tx = seen[i].dx;
          ty = seen[i].dy;
          found = TRUE;
        }
    }
  /* else the freshest sighting of another hunter, from an earlier turn */
  if (!found)
    {
      gint freshest = -1;

      for (i = 0; i < self->n_prey * HISTORY; i++)
        {
          Sighting *s = &self->sightings[i];
          int dx, dy;

          /* sightings of this turn may be in already, or not: never use them */
          if (s->turn < 0 || (guint) s->turn >= turn || turn - (guint) s->turn > SIGHTING_TTL)
            continue;
          dx = torus_delta (x, s->x, self->width);
          dy = torus_delta (y, s->y, self->height);
          if (s->turn > freshest || (s->turn == freshest && distance (dx, dy) < best))
            {
              freshest = s->turn;
              best = distance (dx, dy);
              tx = dx;
              ty = dy;
              found = TRUE;
            }
        }
    }
  if (!found)
    return wander (self, seen, n_seen);
  /* head for this hunter's side of the prey */
  return step_towards (self, tx + dir_dx[DIR_NORTH + self->slot % 4],
                       ty + dir_dy[DIR_NORTH + self->slot % 4], seen, n_seen);
}

static Dir
prey_decide (PursuitBody *self,
             const Seen  *seen,
             guint        n_seen)
{
  Dir best[N_DIRS];
  guint n_best = 0, i;
  int best_score = -1;
  gboolean threatened = FALSE;
  Dir d;

  for (i = 0; i < n_seen; i++)
    threatened |= seen[i].kind == KIND_PREDATOR;
  /* tired one turn in five */
  if (g_rand_int_range (self->rand, 0, 5) == 0)
    return DIR_STAY;
  if (!threatened)
    return g_rand_boolean (self->rand) ? DIR_STAY : wander (self, seen, n_seen);

  /* the free cell farthest from the nearest predator in sight */
  for (d = DIR_STAY; d < N_DIRS; d++)
    {
      int score = G_MAXINT;

      if (d != DIR_STAY && seen_at (seen, n_seen, dir_dx[d], dir_dy[d]))
        continue;
      for (i = 0; i < n_seen; i++)
        if (seen[i].kind == KIND_PREDATOR)
          score = MIN (score, distance (seen[i].dx - dir_dx[d], seen[i].dy - dir_dy[d]));
      if (score > best_score)
        {
          best_score = score;
          n_best = 0;
        }
      if (score == best_score)
        best[n_best++] = d;
    }
  return best[g_rand_int_range (self->rand, 0, (gint32) n_best)];
}

static void
perceive (PursuitBody  *self,
          JanusMessage *m)
{
  GVariant *body = janus_message_get_body (m);
  g_autoptr(GVariantIter) iter = NULL;
  Seen seen[64];
  guint n_seen = 0;
  guint turn;
  gint x, y;
  guint8 kind;
  guint index;
  gint dx, dy;
  Dir dir;

  g_variant_get (body, "(uiia(yuii))", &turn, &x, &y, &iter);
  while (g_variant_iter_next (iter, "(yuii)", &kind, &index, &dx, &dy))
    if (n_seen < G_N_ELEMENTS (seen))
      seen[n_seen++] = (Seen) { kind, index, dx, dy };

  if (self->kind == KIND_PREDATOR)
    dir = predator_decide (self, turn, x, y, seen, n_seen);
  else
    dir = prey_decide (self, seen, n_seen);
  send_move (self, turn, dir);
}

static void
note_sighting (PursuitBody  *self,
               JanusMessage *m)
{
  guint turn, prey;
  gint x, y;

  g_variant_get (janus_message_get_body (m), "(uuii)", &turn, &prey, &x, &y);
  if (prey < self->n_prey)
    self->sightings[prey * HISTORY + turn % HISTORY] = (Sighting) { (gint) turn, x, y };
}

static JanusLive
pursuit_body_live (JanusAgent *agent)
{
  PursuitBody *self = PURSUIT_BODY (agent);
  g_autoptr(GPtrArray) messages = janus_agent_get_messages (agent);
  JanusLive result = JANUS_LIVE_WAIT;
  guint i;

  /* sightings first: a perception may come before a sighting of its turn
   * in the mailbox, never before one of an earlier turn */
  for (i = 0; i < messages->len; i++)
    if (janus_message_has_subject (messages->pdata[i], "prey-at"))
      note_sighting (self, messages->pdata[i]);
  for (i = 0; i < messages->len; i++)
    {
      JanusMessage *m = messages->pdata[i];

      if (janus_message_has_subject (m, "perceive") && result == JANUS_LIVE_WAIT)
        perceive (self, m);
      else if (janus_message_has_subject (m, "caught") || janus_message_has_subject (m, "stop"))
        result = JANUS_LIVE_DONE;
    }
  return result;
}

static void
pursuit_body_dispose (GObject *object)
{
  PursuitBody *self = PURSUIT_BODY (object);

  g_clear_object (&self->group);
  G_OBJECT_CLASS (pursuit_body_parent_class)->dispose (object);
}

static void
pursuit_body_finalize (GObject *object)
{
  PursuitBody *self = PURSUIT_BODY (object);

  g_clear_pointer (&self->rand, g_rand_free);
  g_free (self->sightings);
  G_OBJECT_CLASS (pursuit_body_parent_class)->finalize (object);
}

static void
pursuit_body_class_init (PursuitBodyClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = pursuit_body_dispose;
  G_OBJECT_CLASS (klass)->finalize = pursuit_body_finalize;
  JANUS_AGENT_CLASS (klass)->activate = pursuit_body_activate;
  JANUS_AGENT_CLASS (klass)->live = pursuit_body_live;
}

static void
pursuit_body_init (PursuitBody *self)
{
}

/* ------------------------------------------------------ the environment */

typedef struct
{
  gint     x, y;
  gboolean alive;               /* prey: not caught */
  gboolean moved;               /* this turn's move arrived */
  Dir      dir;
} BodyState;

#define PURSUIT_TYPE_ENVIRONMENT (pursuit_environment_get_type ())
G_DECLARE_FINAL_TYPE (PursuitEnvironment, pursuit_environment, PURSUIT, ENVIRONMENT, JanusAgent)

struct _PursuitEnvironment
{
  JanusAgent           parent_instance;
  const PursuitConfig *config;
  PursuitResult       *result;
  GPtrArray           *bodies;  /* PursuitBody, by index: predators, then prey */
  BodyState           *state;
  gint                *grid;    /* body index + 1 per cell, 0: empty */
  GRand               *rand;
  guint                turn;
  guint                caught;
  guint                waiting; /* moves still expected this turn */
  guint                ready;   /* bodies ready to play */
};

G_DEFINE_FINAL_TYPE (PursuitEnvironment, pursuit_environment, JANUS_TYPE_AGENT)

static gint *
cell (PursuitEnvironment *self,
      int                 x,
      int                 y)
{
  return &self->grid[wrap (y, (int) self->config->height) * (int) self->config->width
                     + wrap (x, (int) self->config->width)];
}

static BodyKind
body_kind (PursuitEnvironment *self,
           guint               index)
{
  return index < self->config->n_predators ? KIND_PREDATOR : KIND_PREY;
}

static void
place_bodies (PursuitEnvironment *self)
{
  guint i;

  for (i = 0; i < self->bodies->len; i++)
    {
      BodyState *s = &self->state[i];

      do
        {
          s->x = g_rand_int_range (self->rand, 0, (gint32) self->config->width);
          s->y = g_rand_int_range (self->rand, 0, (gint32) self->config->height);
        }
      while (*cell (self, s->x, s->y) != 0);
      *cell (self, s->x, s->y) = (gint) i + 1;
      s->alive = TRUE;
    }
}

static GVariant *
perception (PursuitEnvironment *self,
            guint               index)
{
  BodyState *me = &self->state[index];
  int sight = body_kind (self, index) == KIND_PREDATOR ? PREDATOR_SIGHT : PREY_SIGHT;
  GVariantBuilder seen;
  guint i;

  g_variant_builder_init (&seen, G_VARIANT_TYPE ("a(yuii)"));
  for (i = 0; i < self->bodies->len; i++)
    {
      BodyState *other = &self->state[i];
      int dx = torus_delta (me->x, other->x, (int) self->config->width);
      int dy = torus_delta (me->y, other->y, (int) self->config->height);

      if (i != index && other->alive && ABS (dx) <= sight && ABS (dy) <= sight)
        g_variant_builder_add (&seen, "(yuii)", (guint8) body_kind (self, i), i, dx, dy);
    }
  return g_variant_new ("(uiia(yuii))", self->turn, me->x, me->y, &seen);
}

static void
send_to_body (PursuitEnvironment *self,
              guint               index,
              JanusMessage       *message)
{
  janus_agent_send (JANUS_AGENT (self),
                    janus_agent_get_address (self->bodies->pdata[index]), message, NULL);
}

static void
start_turn (PursuitEnvironment *self)
{
  guint i;

  self->turn++;
  self->waiting = 0;
  for (i = 0; i < self->bodies->len; i++)
    if (self->state[i].alive)
      {
        self->state[i].moved = FALSE;
        self->waiting++;
        send_to_body (self, i, janus_message_new ("perceive", perception (self, i)));
      }
}

static void
start_turn_timer (JanusAgent *agent,
                  gpointer    data)
{
  start_turn (PURSUIT_ENVIRONMENT (agent));
}

/* Moves in a random order; a move into an occupied cell fails. */
static void
apply_moves (PursuitEnvironment *self)
{
  guint n = self->bodies->len, i;
  g_autofree guint *order = g_new (guint, n);

  for (i = 0; i < n; i++)
    order[i] = i;
  for (i = n - 1; i > 0; i--)
    {
      guint j = (guint) g_rand_int_range (self->rand, 0, (gint32) i + 1), t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
  for (i = 0; i < n; i++)
    {
      BodyState *s = &self->state[order[i]];
      int nx = s->x + dir_dx[s->dir], ny = s->y + dir_dy[s->dir];

      if (!s->alive || s->dir == DIR_STAY || *cell (self, nx, ny) != 0)
        continue;
      *cell (self, s->x, s->y) = 0;
      s->x = wrap (nx, (int) self->config->width);
      s->y = wrap (ny, (int) self->config->height);
      *cell (self, s->x, s->y) = (gint) order[i] + 1;
    }
}

/* Captures are decided on the positions after the moves, all at once. */
static void
check_captures (PursuitEnvironment *self)
{
  guint n = self->bodies->len, i;
  g_autofree gboolean *caught = g_new0 (gboolean, n);
  Dir d;

  for (i = self->config->n_predators; i < n; i++)
    {
      BodyState *s = &self->state[i];
      gboolean surrounded = s->alive, predator = FALSE;

      for (d = DIR_NORTH; d < N_DIRS && surrounded; d++)
        {
          gint who = *cell (self, s->x + dir_dx[d], s->y + dir_dy[d]);
          surrounded = who != 0;
          predator |= who != 0 && body_kind (self, (guint) who - 1) == KIND_PREDATOR;
        }
      caught[i] = surrounded && predator;
    }
  for (i = 0; i < n; i++)
    if (caught[i])
      {
        self->state[i].alive = FALSE;
        *cell (self, self->state[i].x, self->state[i].y) = 0;
        self->caught++;
        send_to_body (self, i, janus_message_new ("caught", g_variant_new_uint32 (self->turn)));
      }
}

static void
print_grid (PursuitEnvironment *self)
{
  const PursuitConfig *c = self->config;
  g_autoptr(GString) out = g_string_new (NULL);
  guint x, y;

  g_string_append_printf (out, "turn %u, %u of %u prey caught\n", self->turn, self->caught, c->n_prey);
  for (y = 0; y < c->height; y++)
    {
      for (x = 0; x < c->width; x++)
        {
          gint who = *cell (self, (int) x, (int) y);

          if (who == 0)
            g_string_append_c (out, '.');
          else if (body_kind (self, (guint) who - 1) == KIND_PREDATOR)
            g_string_append_c (out, (char) ('A' + (who - 1) % 26));
          else
            g_string_append_c (out, (char) ('a' + (who - 1 - (gint) c->n_predators) % 26));
        }
      g_string_append_c (out, '\n');
    }
  g_print ("%s\n", out->str);
}

static char *
encode_final (PursuitEnvironment *self)
{
  GString *out = g_string_new (NULL);
  guint i;

  for (i = 0; i < self->bodies->len; i++)
    {
      BodyState *s = &self->state[i];

      if (i > 0)
        g_string_append_c (out, i == self->config->n_predators ? '|' : ',');
      if (s->alive)
        g_string_append_printf (out, "%d.%d", s->x, s->y);
      else
        g_string_append_c (out, 'x');
    }
  return g_string_free (out, FALSE);
}

static void
finish (PursuitEnvironment *self)
{
  guint i;

  for (i = 0; i < self->bodies->len; i++)
    if (self->state[i].alive)
      send_to_body (self, i, janus_message_new ("stop", NULL));
  self->result->steps = self->turn;
  self->result->caught = self->caught;
  self->result->final = encode_final (self);
}

static gboolean
pursuit_environment_activate (JanusAgent  *agent,
                              GVariant    *parameters,
                              GError     **error)
{
  PursuitEnvironment *self = PURSUIT_ENVIRONMENT (agent);

  place_bodies (self);
  if (self->config->print_grid)
    print_grid (self);
  return TRUE;
}

static void
take_move (PursuitEnvironment *self,
           JanusMessage       *m)
{
  guint turn, index;
  guint8 dir;

  g_variant_get (janus_message_get_body (m), "(uuy)", &turn, &index, &dir);
  if (turn != self->turn || index >= self->bodies->len || dir >= N_DIRS
      || !self->state[index].alive || self->state[index].moved)
    return;
  self->state[index].moved = TRUE;
  self->state[index].dir = (Dir) dir;
  self->waiting--;
}

static JanusLive
pursuit_environment_live (JanusAgent *agent)
{
  PursuitEnvironment *self = PURSUIT_ENVIRONMENT (agent);
  JanusMessage *m;

  while ((m = janus_agent_get_message (agent)) != NULL)
    {
      if (janus_message_has_subject (m, "move"))
        take_move (self, m);
      else if (janus_message_has_subject (m, "ready"))
        self->ready++;
      janus_message_unref (m);
    }
  if (self->turn == 0)
    {
      if (self->ready == self->bodies->len)
        start_turn (self);
      return JANUS_LIVE_WAIT;
    }
  if (self->waiting > 0 || self->result->final != NULL)
    return JANUS_LIVE_WAIT;

  apply_moves (self);
  check_captures (self);
  if (self->config->print_grid)
    print_grid (self);
  if (self->turn >= self->config->steps || self->caught == self->config->n_prey)
    {
      finish (self);
      return JANUS_LIVE_DONE;
    }
  self->waiting = 1;            /* until the next turn starts */
  janus_agent_call_in (agent, self->config->period, start_turn_timer, NULL, NULL);
  return JANUS_LIVE_WAIT;
}

static void
pursuit_environment_finalize (GObject *object)
{
  PursuitEnvironment *self = PURSUIT_ENVIRONMENT (object);

  g_clear_pointer (&self->bodies, g_ptr_array_unref);
  g_clear_pointer (&self->rand, g_rand_free);
  g_free (self->state);
  g_free (self->grid);
  G_OBJECT_CLASS (pursuit_environment_parent_class)->finalize (object);
}

static void
pursuit_environment_class_init (PursuitEnvironmentClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = pursuit_environment_finalize;
  JANUS_AGENT_CLASS (klass)->activate = pursuit_environment_activate;
  JANUS_AGENT_CLASS (klass)->live = pursuit_environment_live;
}

static void
pursuit_environment_init (PursuitEnvironment *self)
{
}

/* ------------------------------------------------------------- running */

void
pursuit_config_init (PursuitConfig *config)
{
  memset (config, 0, sizeof *config);
  config->seed = 1;
  config->steps = 200;
  config->width = 20;
  config->height = 20;
  config->n_predators = 4;
  config->n_prey = 2;
  config->workers = 2;
  config->period = 200 * 1000;
}

void
pursuit_result_clear (PursuitResult *result)
{
  g_clear_pointer (&result->final, g_free);
}

static gboolean
check_config (const PursuitConfig  *c,
              GError              **error)
{
  guint cells = c->width * c->height;

  if (c->width < 3 || c->height < 3 || c->width > 1000 || c->height > 1000)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "The grid must be between 3x3 and 1000x1000 cells");
      return FALSE;
    }
  if (c->n_predators == 0 || c->n_prey == 0 || c->n_predators + c->n_prey > cells / 2)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "Need at least one predator and one prey, on at most half of the cells");
      return FALSE;
    }
  if (c->steps == 0 || c->period < 0)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "Need at least one step and a period of 0 or more");
      return FALSE;
    }
  return TRUE;
}

static PursuitBody *
body_new (const PursuitConfig *c,
          guint                index,
          JanusGroup          *group,
          JanusAgent          *environment)
{
  PursuitBody *body = g_object_new (PURSUIT_TYPE_BODY, NULL);
  guint i;

  body->index = index;
  body->kind = index < c->n_predators ? KIND_PREDATOR : KIND_PREY;
  body->slot = index;
  body->width = (gint) c->width;
  body->height = (gint) c->height;
  body->environment = environment;
  body->n_predators = c->n_predators;
  body->rand = rand_new (c->seed, index + 1);
  if (body->kind == KIND_PREDATOR)
    {
      body->group = g_object_ref (group);
      body->n_prey = c->n_prey;
      body->sightings = g_new (Sighting, c->n_prey * HISTORY);
      for (i = 0; i < c->n_prey * HISTORY; i++)
        body->sightings[i].turn = -1;
    }
  return body;
}

/**
 * pursuit_run:
 * @config: what to run
 * @result: (out caller-allocates): the outcome; free with
 *   pursuit_result_clear()
 * @error: return location for a #GError
 *
 * Runs one pursuit: on a 0-worker kernel with a virtual clock (a fast
 * simulation), or in real time on @config->workers workers.
 *
 * Returns: %TRUE if it ran
 */
gboolean
pursuit_run (const PursuitConfig  *config,
             PursuitResult        *result,
             GError              **error)
{
  g_autoptr(JanusKernel) kernel = NULL;
  g_autoptr(JanusGroup) group = NULL;
  g_autoptr(PursuitEnvironment) env = NULL;
  guint n = config->n_predators + config->n_prey, i;
  gboolean ok = TRUE;

  memset (result, 0, sizeof *result);
  if (!check_config (config, error))
    return FALSE;

  kernel = janus_kernel_new (config->realtime ? config->workers : 0);
  if (!config->realtime)
    {
      g_autoptr(JanusClock) clock = janus_clock_new_virtual (0, 0);
      janus_kernel_set_clock (kernel, clock);
    }
  janus_kernel_set_seed (kernel, config->seed);
  group = janus_kernel_create_group (kernel, PURSUIT_TYPE_HUNTING, error);
  if (group == NULL)
    return FALSE;

  env = g_object_new (PURSUIT_TYPE_ENVIRONMENT, NULL);
  env->config = config;
  env->result = result;
  env->rand = rand_new (config->seed, 0);
  env->bodies = g_ptr_array_new_with_free_func (g_object_unref);
  env->state = g_new0 (BodyState, n);
  env->grid = g_new0 (gint, config->width * config->height);

  /* the environment runs as soon as it is launched (on a worker in real
   * time): its bodies are all there before; it starts the game when each
   * of them, launched next, said it is ready */
  for (i = 0; i < n; i++)
    g_ptr_array_add (env->bodies, body_new (config, i, group, JANUS_AGENT (env)));
  ok = janus_kernel_launch_light_agent (kernel, JANUS_AGENT (env), "environment", NULL, error);
  for (i = 0; i < n && ok; i++)
    {
      PursuitBody *body = env->bodies->pdata[i];
      g_autofree char *name = g_strdup_printf ("%s-%u", body->kind == KIND_PREDATOR ? "predator" : "prey", i);

      ok = janus_kernel_launch_light_agent (kernel, JANUS_AGENT (body), name, NULL, error);
    }
  if (!ok)
    {
      janus_kernel_shutdown (kernel);
      return FALSE;
    }
  janus_kernel_run (kernel);
  janus_kernel_shutdown (kernel);
  if (result->final == NULL)
    {
      g_set_error_literal (error, JANUS_KERNEL_ERROR, JANUS_KERNEL_ERROR_FAILED, "The simulation ended early");
      return FALSE;
    }
  return TRUE;
}
