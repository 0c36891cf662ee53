/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdatomic.h>

#include <gio/gio.h>

#include "janus-codec-private.h"
#include "janus-message-private.h"
#include "janus-runtime-private.h"
#include "janus-net.h"

G_BEGIN_DECLS

typedef struct _JanusConnection JanusConnection;

/* The outcome of a request: exactly one of @result (transfer full) and
 * @error (transfer none) is set. Runs on the network thread, or on the
 * thread that failed the request (a shutdown), never under a lock. */
typedef void (*JanusCallDone)  (JsonNode      *result,
                                const GError  *error,
                                gpointer       data);

/* Answers a request received on @connection (network thread). It must
 * answer exactly once, now or later and from any thread, with
 * janus_connection_answer*. @args and @kwargs (NULL when empty) belong to
 * the router from now on: the network thread does not touch them again. */
typedef void (*JanusNetRouter) (JanusNetwork  *network,
                                JanusConnection *connection,
                                guint64        id,
                                const char    *path,
                                JsonArray     *args,
                                JsonObject    *kwargs,
                                gpointer       data);

/* Takes a janus.message request received on @connection (network
 * thread), as janus_codec_read_message read it; answers it as a router
 * does. @letter stays the caller's. */
typedef void (*JanusNetLetterRouter) (JanusNetwork          *network,
                                      JanusConnection       *connection,
                                      guint64                id,
                                      guint64                receiver_id,
                                      const JanusWireLetter *letter,
                                      gpointer               data);

typedef enum {
  JANUS_NETWORK_NEW,          /* not started */
  JANUS_NETWORK_RUNNING,
  JANUS_NETWORK_DRAINING,     /* refusing new requests; answers still go out */
  JANUS_NETWORK_STOPPED,
} JanusNetworkState;

/* JanusNetwork's fields, by who may touch them.
 *
 * Settings (codec, router, limits, TLS) are written before the network
 * starts and read-only afterwards; call_timeout is atomic.
 * `lock` guards state, pool, connections, listeners and listen_uri.
 * `kick_lock` guards kicked, kick_pending and each connection's `kicked`.
 * The rest belongs to the network thread. */
struct _JanusNetwork
{
  GObject            parent_instance;

  JanusKernel       *kernel;          /* borrowed; NULL once the kernel stopped */
  JanusRuntime      *runtime;         /* the kernel's (borrowed), or NULL */
  JanusCodec        *codec;
  JanusNetRouter     router;
  JanusNetLetterRouter letter_router;   /* NULL: letters go to the router as trees */
  gpointer           router_data;
  gsize              max_frame_size;
  guint              max_pending;     /* unanswered requests we sent, per connection */
  guint              max_incoming;    /* unanswered requests we received, per connection */
  gsize              send_limit;      /* bytes not yet written, per connection */
  _Atomic gint64     call_timeout;    /* µs, 0: none */
  atomic_bool        draining;        /* the kernel stops: no new request */
  GTlsCertificate   *tls_certificate;
  GTlsDatabase      *tls_database;

  GMutex             lock;
  JanusNetworkState  state;
  GHashTable        *pool;            /* peer key -> JanusConnection (strong) */
  GPtrArray         *connections;     /* every open connection (strong) */
  GPtrArray         *listeners;       /* GSocket (strong) */
  GPtrArray         *listen_sources;  /* GSource (strong), network thread */
  char              *listen_uri;
  char              *listen_host;     /* as advertised in addresses */
  guint16            listen_port;

  GMainContext      *context;
  GThread           *thread;
  atomic_bool        quit;
  GSource           *kick_source;
  GSource           *timer_source;

  GMutex             kick_lock;
  GPtrArray         *kicked;          /* JanusConnection (strong) to service */
  atomic_bool        kick_pending;

  gint64             next_deadline;   /* network thread: earliest call deadline */
  guint              in_progress;     /* network thread: connects and handshakes under way */
};

/* JanusConnection: one aiomas channel (a TCP or TLS stream).
 *
 * Immutable after creation: network, key, incoming, endpoint.
 * `lock` guards state, error, next_id, pending, outbox, outbox_deadline,
 * queued_bytes, close_asked, direct_fd. `kicked` is guarded by the
 * network's kick_lock. `write_lock` guards the sending side of the
 * socket: writing, write_offset, and the socket's closing (taken after
 * `lock` when both are held). Queued frames are bytes one after the
 * other: the outbox, taken whole by the network thread into `writing`. incoming_open is atomic. The rest belongs to the network
 * thread. */
/* The requests a connection sent and waits answers for: an open-addressing
 * table by id (linear probing, removal by backward shift), entries
 * inline. */
typedef struct
{
  guint64        id;
  JanusCallDone  done;            /* NULL: a free slot */
  gpointer       data;
  gint64         deadline;
} JanusPending;

typedef struct
{
  JanusPending  *slots;
  guint          mask;            /* slots - 1 */
  guint          count;
} JanusPendingTable;

typedef enum {
  JANUS_CONNECTION_CONNECTING,
  JANUS_CONNECTION_OPEN,
  JANUS_CONNECTION_CLOSED,
} JanusConnectionState;

struct _JanusConnection
{
  atomic_int            ref_count;
  JanusNetwork         *network;      /* strong */
  char                 *key;          /* "host:port" of the peer */
  gboolean              incoming;
  guint8                endpoint[16]; /* the kernel UUID the peer's addresses carry */

  GMutex                lock;
  JanusConnectionState  state;
  GError               *error;        /* why it closed */
  guint64               next_id;
  JanusPendingTable     pending;
  GString              *outbox;       /* frames not yet taken by the network thread */
  gint64                outbox_deadline; /* the earliest of their requests', 0: none */
  gsize                 queued_bytes; /* outbox and writing, not yet written */
  GError               *close_asked;  /* a close asked from another thread */
  gboolean              kicked;
  int                   direct_fd;    /* plain TCP: senders may write it themselves; -1 */

  GMutex                write_lock;

  atomic_uint           incoming_open;

  GSocketConnection    *socket;
  GIOStream            *stream;       /* socket, or a TLS connection over it */
  GSource              *read_source;
  GSource              *write_source;
  char                 *rbuf;
  gsize                 rlen;
  gsize                 rcap;
  GString              *writing;      /* frames taken from the outbox */
  gsize                 write_offset; /* what of `writing` was written */
  gboolean              read_paused;
  gboolean              connect_started;
  char                 *last_sender;  /* the last letter sender parsed, */
  JanusAddress          last_sender_address; /* and its address */
  GCancellable         *cancellable;
};

/* Appends the payload of request @id (janus_codec_append_request & co). */
typedef gboolean (*JanusRequestWriter) (JanusCodec   *codec,
                                        GString      *out,
                                        guint64       id,
                                        gpointer      data,
                                        GError      **error);

/* network (janus-net.c) */
JanusNetwork     *janus_network_new_for_router   (JanusNetRouter  router,
                                                  gpointer        data);
gboolean          janus_network_start            (JanusNetwork   *self,
                                                  GError        **error);
JanusConnection  *janus_network_get_connection   (JanusNetwork   *self,
                                                  const char     *key,
                                                  GError        **error);
void              janus_network_kick             (JanusNetwork   *self,
                                                  JanusConnection *connection);
void              janus_network_add_connection   (JanusNetwork   *self,
                                                  JanusConnection *connection);
void              janus_network_adopt            (JanusNetwork   *self,
                                                  GSocketConnection *stream,
                                                  const char     *key);
void              janus_network_drain            (JanusNetwork   *self);
void              janus_network_forget           (JanusNetwork   *self,
                                                  JanusConnection *connection);
void              janus_network_note_deadline    (JanusNetwork   *self,
                                                  gint64          deadline);
void              janus_network_connection_closed (JanusNetwork  *self,
                                                  JanusConnection *connection,
                                                  const GError   *error);
gboolean          janus_network_is_network_thread (JanusNetwork  *self);
char             *janus_network_canonical_key    (const char     *host_and_port,
                                                  GError        **error);

/* connections (janus-connection.c) */
JanusConnection  *janus_connection_new           (JanusNetwork   *network,
                                                  const char     *key,
                                                  gboolean        incoming);
JanusConnection  *janus_connection_ref           (JanusConnection *self);
void              janus_connection_unref         (JanusConnection *self);
gboolean          janus_connection_request       (JanusConnection *self,
                                                  const char     *path,
                                                  JsonArray      *args,
                                                  JsonObject     *kwargs,
                                                  gint64          timeout,
                                                  JanusCallDone   done,
                                                  gpointer        data,
                                                  GError        **error);
gboolean          janus_connection_request_with  (JanusConnection *self,
                                                  JanusRequestWriter writer,
                                                  gpointer        writer_data,
                                                  gint64          timeout,
                                                  JanusCallDone   done,
                                                  gpointer        data,
                                                  GError        **error);
void              janus_connection_answer        (JanusConnection *self,
                                                  guint64         id,
                                                  JsonNode       *result);
void              janus_connection_answer_null   (JanusConnection *self,
                                                  guint64         id);
void              janus_connection_answer_error  (JanusConnection *self,
                                                  guint64         id,
                                                  const char     *text);
void              janus_connection_answer_gerror (JanusConnection *self,
                                                  guint64         id,
                                                  const GError   *error);
void              janus_connection_close         (JanusConnection *self,
                                                  const GError   *error);
gboolean          janus_connection_is_closed     (JanusConnection *self);
guint             janus_connection_get_pending_count (JanusConnection *self);

/* network thread only */
void              janus_connection_start_connect (JanusConnection *self);
void              janus_connection_attach        (JanusConnection *self,
                                                  GSocketConnection *socket);
void              janus_connection_start_tls     (JanusConnection *self,
                                                  GSocketConnection *socket);
void              janus_connection_service       (JanusConnection *self);
gint64            janus_connection_expire        (JanusConnection *self,
                                                  gint64          now);
void              janus_connection_fail_requests (JanusConnection *self,
                                                  const GError   *error);
void              janus_connection_close_now     (JanusConnection *self,
                                                  const GError   *error);

/* pending requests (janus-connection.c), under the connection's lock */
void              janus_pending_insert           (JanusPendingTable *table,
                                                  guint64         id,
                                                  JanusCallDone   done,
                                                  gpointer        data,
                                                  gint64          deadline);
gboolean          janus_pending_steal            (JanusPendingTable *table,
                                                  guint64         id,
                                                  JanusPending   *out);
void              janus_pending_take_all         (JanusPendingTable *table,
                                                  JanusPendingTable *out);
void              janus_pending_fail_all         (JanusPendingTable *table,
                                                  const GError   *error);


G_DEFINE_AUTOPTR_CLEANUP_FUNC (JanusConnection, janus_connection_unref)

G_END_DECLS
