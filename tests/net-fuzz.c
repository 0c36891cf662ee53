/* SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Fuzzing the receiving side: at least 100,000 random and mutated frames
 * (JSON and MessagePack), bounded in time, fed to a network through
 * socketpairs: valid requests, flipped, inserted and deleted bytes, cut
 * payloads, random bytes, documents of the wrong shape, answers to
 * requests never sent, lengths beyond the limit, frames cut by the peer.
 * After each frame a ping tells whether the connection survived. Nothing
 * crashes (or leaks, under valgrind and ASan), only the offending
 * connection closes: a well-behaved connection is answered throughout.
 */
#include <errno.h>
#include <stdatomic.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <janus.h>
#include "janus-net-private.h"

#define IO_TIMEOUT_MS   10000
#define PING_BASE       G_GINT64_CONSTANT (1000000000000000)

/* ------------------------------------------------------------ the server */

static void
router (JanusNetwork    *network,
        JanusConnection *connection,
        guint64          id,
        const char      *path,
        JsonArray       *args,
        JsonObject      *kwargs,
        gpointer         data)
{
  if (strcmp (path, "ping") == 0)
    {
      g_autoptr(JsonNode) null = json_node_new (JSON_NODE_NULL);
      janus_connection_answer (connection, id, null);
    }
  else if (strcmp (path, "echo") == 0)
    {
      g_autoptr(JsonNode) node = json_node_init_array (json_node_alloc (), args);
      janus_connection_answer (connection, id, node);
    }
  else
    janus_connection_answer_error (connection, id, "no such path");
  json_array_unref (args);
  g_clear_pointer (&kwargs, json_object_unref);
}

/* ------------------------------------------------------------ the client */

typedef struct
{
  int        fd;              /* our end, -1 if none */
  GString   *in;              /* bytes read, not yet parsed */
} Peer;

static void
peer_open (JanusNetwork *network,
           Peer         *peer,
           guint         n)
{
  int fds[2];
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GSocketConnection) stream = NULL;
  g_autofree char *key = g_strdup_printf ("fuzz-peer:%u", 1 + n % 65535);

  g_assert_cmpint (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), ==, 0);
  socket = g_socket_new_from_fd (fds[0], NULL);
  g_assert_nonnull (socket);
  stream = g_socket_connection_factory_create_connection (socket);
  janus_network_adopt (network, stream, key);
  peer->fd = fds[1];
  if (peer->in == NULL)
    peer->in = g_string_new (NULL);
  g_string_truncate (peer->in, 0);
}

static void
peer_close (Peer *peer)
{
  if (peer->fd >= 0)
    close (peer->fd);
  peer->fd = -1;
}

/* FALSE once the network closed our connection. */
static gboolean
peer_write (Peer       *peer,
            const char *data,
            gsize       len)
{
  while (len > 0)
    {
      struct pollfd p = { peer->fd, POLLOUT, 0 };
      ssize_t n;

      g_assert_cmpint (poll (&p, 1, IO_TIMEOUT_MS), ==, 1);
      n = send (peer->fd, data, len, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n < 0 && (errno == EAGAIN || errno == EINTR))
        continue;
      if (n < 0)
        return FALSE;
      data += n;
      len -= n;
    }
  return TRUE;
}

/* Reads answers until the one to @ping_id (TRUE) or the end of the
 * connection (FALSE). */
static gboolean
peer_await (Peer       *peer,
            JanusCodec *codec,
            gint64      ping_id)
{
  for (;;)
    {
      char buf[65536];
      struct pollfd p = { peer->fd, POLLIN, 0 };
      ssize_t n;

      while (peer->in->len >= 4)
        {
          const guchar *h = (const guchar *) peer->in->str;
          gsize len = (gsize) h[0] << 24 | (gsize) h[1] << 16 | (gsize) h[2] << 8 | h[3];
          g_autoptr(JsonNode) answer = NULL;

          if (peer->in->len < 4 + len)
            break;
          /* what the network writes always decodes */
          answer = janus_codec_read (codec, peer->in->str + 4, len, NULL);
          g_assert_nonnull (answer);
          g_string_erase (peer->in, 0, 4 + len);
          if (json_array_get_int_element (json_node_get_array (answer), 0) == 1
              && json_array_get_int_element (json_node_get_array (answer), 1) == ping_id)
            return TRUE;
        }
      g_assert_cmpint (poll (&p, 1, IO_TIMEOUT_MS), ==, 1);
      n = recv (peer->fd, buf, sizeof buf, 0);
      if (n <= 0)
        return FALSE;
      g_string_append_len (peer->in, buf, n);
    }
}

static void
append_frame (GString    *out,
              const char *payload,
              gsize       len)
{
  guint32 be = GUINT32_TO_BE ((guint32) len);

  g_string_append_len (out, (const char *) &be, 4);
  g_string_append_len (out, payload, len);
}

static gboolean
ping (Peer       *peer,
      JanusCodec *codec,
      gint64      ping_id)
{
  g_autoptr(GString) payload = g_string_new (NULL);
  g_autoptr(GString) frame = g_string_new (NULL);

  janus_codec_append_request (codec, payload, (guint64) ping_id, "ping", NULL, NULL, NULL);
  append_frame (frame, payload->str, payload->len);
  return peer_write (peer, frame->str, frame->len) && peer_await (peer, codec, ping_id);
}

/* ------------------------------------------------------------ mutations */

static JsonNode *
random_node (GRand *rand,
             guint  depth)
{
  static const char *strings[] = { "", "ping", "echo", "agents/0/x", "__type__", "\xC0\x80", "\xc3\xa9" };

  switch (g_rand_int_range (rand, 0, depth > 0 ? 8 : 6))
    {
    case 0: return json_node_new (JSON_NODE_NULL);
    case 1: return json_node_init_boolean (json_node_alloc (), g_rand_boolean (rand));
    case 2: return json_node_init_int (json_node_alloc (), (gint64) g_rand_int (rand) - G_MAXINT32);
    case 3: return json_node_init_double (json_node_alloc (), g_rand_double_range (rand, -1e9, 1e9));
    case 4:
    case 5: return json_node_init_string (json_node_alloc (),
                                          strings[g_rand_int_range (rand, 0, G_N_ELEMENTS (strings))]);
    case 6:
      {
        JsonArray *a = json_array_new ();
        JsonNode *node = json_node_new (JSON_NODE_ARRAY);
        for (int i = g_rand_int_range (rand, 0, 4); i > 0; i--)
          json_array_add_element (a, random_node (rand, depth - 1));
        json_node_take_array (node, a);
        return node;
      }
    default:
      {
        JsonObject *o = json_object_new ();
        JsonNode *node = json_node_new (JSON_NODE_OBJECT);
        for (int i = g_rand_int_range (rand, 0, 4); i > 0; i--)
          json_object_set_member (o, strings[g_rand_int_range (rand, 0, G_N_ELEMENTS (strings))],
                                  random_node (rand, depth - 1));
        json_node_take_object (node, o);
        return node;
      }
    }
}

/* A valid request with random arguments. */
static void
valid_payload (GRand      *rand,
               JanusCodec *codec,
               GString    *out)
{
  static const char *paths[] = { "ping", "echo", "nope", "agents/1/m", "" };
  g_autoptr(JsonNode) args = json_node_new (JSON_NODE_ARRAY);
  JsonArray *a = json_array_new ();

  for (int i = g_rand_int_range (rand, 0, 4); i > 0; i--)
    json_array_add_element (a, random_node (rand, 3));
  json_node_take_array (args, a);
  janus_codec_append_request (codec, out, g_rand_int_range (rand, 0, 1000000),
                              paths[g_rand_int_range (rand, 0, G_N_ELEMENTS (paths))],
                              json_node_get_array (args), NULL, NULL);
}

typedef enum {
  SENT,            /* the frame went out; the connection may or may not survive */
  CLOSED_BY_US,    /* the frame ended the connection from our side */
} Outcome;

static Outcome
send_mutant (GRand      *rand,
             JanusCodec *codec,
             Peer       *peer,
             gsize       max_frame)
{
  g_autoptr(GString) payload = g_string_new (NULL);
  g_autoptr(GString) frame = g_string_new (NULL);
  guint kind = g_rand_int_range (rand, 0, 100);

  valid_payload (rand, codec, payload);
  if (kind < 10)
    ;                                               /* valid */
  else if (kind < 40)
    for (int i = g_rand_int_range (rand, 1, 5); i > 0; i--)
      payload->str[g_rand_int_range (rand, 0, payload->len)] ^= (char) (1 << g_rand_int_range (rand, 0, 8));
  else if (kind < 50)
    g_string_truncate (payload, g_rand_int_range (rand, 0, payload->len));
  else if (kind < 65)
    {
      g_string_truncate (payload, 0);
      for (int i = g_rand_int_range (rand, 0, 64); i > 0; i--)
        g_string_append_c (payload, (char) g_rand_int_range (rand, 0, 256));
    }
  else if (kind < 80)
    {
      g_autoptr(JsonNode) doc = random_node (rand, 4);
      g_string_truncate (payload, 0);
      janus_codec_append (codec, payload, doc, NULL);
    }
  else if (kind < 85)
    {
      g_autoptr(JsonNode) doc = random_node (rand, 2);
      g_string_truncate (payload, 0);
      janus_codec_append_reply (codec, payload, g_rand_int_range (rand, 1, 3),
                                g_rand_int_range (rand, 0, 1000), doc, NULL);
    }
  else if (kind < 90)
    {
      guint32 be = GUINT32_TO_BE ((guint32) (max_frame + 1 + g_rand_int_range (rand, 0, 1 << 20)));
      g_string_append_len (frame, (const char *) &be, 4);
      g_string_append_len (frame, payload->str, payload->len);
      if (!peer_write (peer, frame->str, frame->len))
        return SENT;
      return SENT;
    }
  else if (kind < 95)
    {
      /* a frame the peer cuts short, then leaves */
      append_frame (frame, payload->str, payload->len);
      g_string_truncate (frame, g_rand_int_range (rand, 1, frame->len));
      peer_write (peer, frame->str, frame->len);
      peer_close (peer);
      return CLOSED_BY_US;
    }
  else
    {
      guint pos = g_rand_int_range (rand, 0, payload->len + 1);
      if (g_rand_boolean (rand) || payload->len == 0)
        g_string_insert_c (payload, pos, (char) g_rand_int_range (rand, 0, 256));
      else
        g_string_erase (payload, MIN (pos, payload->len - 1), 1);
    }
  append_frame (frame, payload->str, payload->len);
  peer_write (peer, frame->str, frame->len);
  return SENT;
}

static void
silence (const char *domain, GLogLevelFlags level, const char *message, gpointer data)
{
  atomic_fetch_add ((atomic_uint *) data, 1);
}

static void
test_fuzz (gconstpointer data)
{
  JanusCodecFormat format = GPOINTER_TO_INT (data);
  g_autoptr(JanusNetwork) network = janus_network_new_for_router (router, NULL);
  g_autoptr(JanusCodec) codec = janus_codec_new (format);
  g_autoptr(GRand) rand = g_rand_new_with_seed (g_test_rand_int ());
  g_autoptr(GError) error = NULL;
  guint total = g_getenv ("JANUS_TEST_SMALL") ? 2000 : 50000;
  gint64 deadline = g_get_monotonic_time () + 240 * G_USEC_PER_SEC;
  Peer good = { -1, NULL }, peer = { -1, NULL };
  guint frames = 0, connections = 0, survived = 0;
  atomic_uint logged = 0;
  gint64 pings = 0;
  guint handler = g_log_set_handler ("Janus", G_LOG_LEVEL_MESSAGE, silence, &logged);

  janus_network_set_codec (network, codec);
  janus_network_set_max_frame_size (network, 64 * 1024);
  g_assert_true (janus_network_start (network, &error));
  peer_open (network, &good, 0);

  while (frames < total)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      if (peer.fd < 0)
        peer_open (network, &peer, ++connections);
      frames++;
      if (send_mutant (rand, codec, &peer, 64 * 1024) == CLOSED_BY_US)
        continue;
      if (ping (&peer, codec, PING_BASE + pings++))
        survived++;
      else
        peer_close (&peer);
      /* the well-behaved connection is served throughout */
      if (frames % 1000 == 0)
        g_assert_true (ping (&good, codec, PING_BASE + pings++));
    }
  g_assert_true (ping (&good, codec, PING_BASE + pings++));
  g_test_message ("%u frames on %u connections, %u answered, %u closings logged",
                  frames, connections, survived, atomic_load (&logged));
  /* both outcomes happened: the mutations are not all fatal, nor harmless */
  g_assert_cmpuint (survived, >, frames / 20);
  g_assert_cmpuint (connections, >, frames / 20);
  peer_close (&peer);
  peer_close (&good);
  janus_network_shutdown (network);
  g_string_free (peer.in, TRUE);
  g_string_free (good.in, TRUE);
  g_log_remove_handler ("Janus", handler);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_data_func ("/net/fuzz/json", GINT_TO_POINTER (JANUS_CODEC_FORMAT_JSON), test_fuzz);
  g_test_add_data_func ("/net/fuzz/msgpack", GINT_TO_POINTER (JANUS_CODEC_FORMAT_MSGPACK), test_fuzz);

  return g_test_run ();
}
