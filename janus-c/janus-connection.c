/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include "janus-net-endpoint-private.h"
#include "janus-net-private.h"

/* One aiomas channel over a stream socket (TCP, or TLS over TCP).
 *
 * Frames are a 4-byte big-endian length and the codec's payload: an array
 * [type, id, content], type 0 a request ([path, args, kwargs]), 1 a
 * result, 2 an error (a string). Each side numbers its own requests 0, 1,
 * 2, … and both sides may send requests on the same connection.
 *
 * Any thread may send: it encodes the frame itself (in a buffer its
 * thread keeps) and registers the request as pending (in a table with
 * its entries inline). When the connection is otherwise idle (no other
 * request of ours waiting, or this answer the only one being served) and
 * plain TCP, the sender writes the frame itself, non-blocking: one wake-up
 * less per call. Otherwise it appends the frame's bytes to the
 * connection's outbox, and kicks the network thread only if the outbox
 * was empty: the network thread takes the whole outbox at once and
 * writes it with as few calls as the socket takes (non-blocking). No
 * allocation per frame.
 * The network thread alone reads, into one buffer, as much as the socket
 * has: it splits frames, hands requests to the network's router and
 * completes pending requests with their answers. */

#define READ_CHUNK   (64 * 1024)
#define READ_BUDGET  (512 * 1024)   /* per dispatch, for fairness */
#define KEEP_BUFFER  (1024 * 1024)  /* larger buffers are not kept once empty */

/* ------------------------------------------------ pending requests */

#define PENDING_MIN_SLOTS 16
#define PENDING_KEEP_SLOTS 4096     /* larger tables are freed once empty */

/* Fibonacci hashing: consecutive ids spread over the table (by themselves
 * they would make one long cluster, which every removal walks). */
static inline guint
pending_home (const JanusPendingTable *table,
              guint64                  id)
{
  return (guint) ((id * G_GUINT64_CONSTANT (0x9E3779B97F4A7C15)) >> 32) & table->mask;
}

static void
pending_put (JanusPendingTable  *table,
             const JanusPending *entry)
{
  guint i = pending_home (table, entry->id);

  while (table->slots[i].done != NULL)
    i = (i + 1) & table->mask;
  table->slots[i] = *entry;
}

void
janus_pending_insert (JanusPendingTable *table,
                      guint64            id,
                      JanusCallDone      done,
                      gpointer           data,
                      gint64             deadline)
{
  JanusPending entry = { id, done, data, deadline };

  /* at most half full: short probes */
  if (table->slots == NULL || (table->count + 1) * 2 > table->mask + 1)
    {
      JanusPendingTable bigger;

      bigger.mask = table->slots == NULL ? PENDING_MIN_SLOTS - 1 : table->mask * 2 + 1;
      bigger.slots = g_new0 (JanusPending, bigger.mask + 1);
      bigger.count = table->count;
      for (guint i = 0; table->slots != NULL && i <= table->mask; i++)
        if (table->slots[i].done != NULL)
          pending_put (&bigger, &table->slots[i]);
      g_free (table->slots);
      *table = bigger;
    }
  pending_put (table, &entry);
  table->count++;
}

/* Takes request @id out of the table into @out; FALSE if it is not there. */
gboolean
janus_pending_steal (JanusPendingTable *table,
                     guint64            id,
                     JanusPending      *out)
{
  guint i, j;

  if (table->count == 0)
    return FALSE;
  for (i = pending_home (table, id); table->slots[i].id != id; i = (i + 1) & table->mask)
    if (table->slots[i].done == NULL)
      return FALSE;
  if (table->slots[i].done == NULL)
    return FALSE;
  *out = table->slots[i];
  table->count--;
  /* backward shift: entries after the hole that may move into it do */
  for (j = (i + 1) & table->mask; table->slots[j].done != NULL; j = (j + 1) & table->mask)
    {
      guint home = pending_home (table, table->slots[j].id);
      gboolean stays = i <= j ? (i < home && home <= j) : (i < home || home <= j);

      if (!stays)
        {
          table->slots[i] = table->slots[j];
          i = j;
        }
    }
  table->slots[i].done = NULL;
  if (table->count == 0 && table->mask + 1 > PENDING_KEEP_SLOTS)
    {
      g_clear_pointer (&table->slots, g_free);
      table->mask = 0;
    }
  return TRUE;
}

/* Empties the table into @out (which the caller clears with g_free of
 * its slots). */
void
janus_pending_take_all (JanusPendingTable *table,
                        JanusPendingTable *out)
{
  *out = *table;
  table->slots = NULL;
  table->mask = 0;
  table->count = 0;
}

/* Fails every request of @table (no lock held: user code) and frees it. */
void
janus_pending_fail_all (JanusPendingTable *table,
                        const GError      *error)
{
  for (guint i = 0; table->slots != NULL && i <= table->mask; i++)
    if (table->slots[i].done != NULL)
      table->slots[i].done (NULL, error, table->slots[i].data);
  g_free (table->slots);
}

JanusConnection *
janus_connection_new (JanusNetwork *network,
                      const char   *key,
                      gboolean      incoming)
{
  JanusConnection *self = g_new0 (JanusConnection, 1);

  atomic_init (&self->ref_count, 1);
  self->network = g_object_ref (network);
  self->key = g_strdup (key);
  self->incoming = incoming;
  janus_net_endpoint_uuid (key, self->endpoint);
  g_mutex_init (&self->lock);
  g_mutex_init (&self->write_lock);
  self->direct_fd = -1;
  self->state = JANUS_CONNECTION_CONNECTING;
  self->outbox = g_string_sized_new (1024);
  self->writing = g_string_sized_new (1024);
  self->cancellable = g_cancellable_new ();
  return self;
}

JanusConnection *
janus_connection_ref (JanusConnection *self)
{
  /* relaxed: taking a reference needs one already */
  atomic_fetch_add_explicit (&self->ref_count, 1, memory_order_relaxed);
  return self;
}

void
janus_connection_unref (JanusConnection *self)
{
  /* acq_rel: every use of the connection happens before its free */
  if (atomic_fetch_sub_explicit (&self->ref_count, 1, memory_order_acq_rel) != 1)
    return;
  g_assert (self->read_source == NULL && self->write_source == NULL);
  g_string_free (self->outbox, TRUE);
  g_string_free (self->writing, TRUE);
  g_free (self->pending.slots);
  g_clear_error (&self->error);
  g_clear_error (&self->close_asked);
  g_clear_object (&self->stream);
  g_clear_object (&self->socket);
  g_clear_object (&self->cancellable);
  g_free (self->rbuf);
  g_free (self->last_sender);
  g_free (self->key);
  g_mutex_clear (&self->lock);
  g_mutex_clear (&self->write_lock);
  g_object_unref (self->network);
  g_free (self);
}

gboolean
janus_connection_is_closed (JanusConnection *self)
{
  gboolean closed;

  g_mutex_lock (&self->lock);
  closed = self->state == JANUS_CONNECTION_CLOSED;
  g_mutex_unlock (&self->lock);
  return closed;
}

guint
janus_connection_get_pending_count (JanusConnection *self)
{
  guint n;

  g_mutex_lock (&self->lock);
  n = self->pending.count;
  g_mutex_unlock (&self->lock);
  return n;
}

/* ----------------------------------------------------------- sending */

/* Frames are encoded in a buffer of the encoding thread, kept between
 * frames, and copied into the connection's outbox (or written at once):
 * no allocation per frame. */
typedef struct
{
  GString  *buffer;
  gboolean  busy;               /* lent out: a frame encoded meanwhile gets its own */
} FrameBuffer;

static void
free_frame_buffer (gpointer data)
{
  FrameBuffer *kept = data;

  g_string_free (kept->buffer, TRUE);
  g_free (kept);
}

static GPrivate frame_buffer = G_PRIVATE_INIT (free_frame_buffer);

static GString *
frame_begin (void)
{
  FrameBuffer *kept = g_private_get (&frame_buffer);
  GString *frame;

  if (G_UNLIKELY (kept == NULL))
    {
      kept = g_new (FrameBuffer, 1);
      kept->buffer = g_string_sized_new (256);
      kept->busy = FALSE;
      g_private_set (&frame_buffer, kept);
    }
  if (!kept->busy)
    {
      kept->busy = TRUE;
      frame = kept->buffer;
    }
  else
    frame = g_string_sized_new (256);
  g_string_truncate (frame, 0);
  g_string_append_len (frame, "\0\0\0\0", 4);
  return frame;
}

/* Gives the frame's buffer back to the thread (a large one is replaced
 * by a small one), or frees one of its own. */
static void
frame_release (GString *frame)
{
  FrameBuffer *kept = g_private_get (&frame_buffer);

  if (kept->buffer != frame)
    g_string_free (frame, TRUE);
  else
    {
      if (frame->allocated_len > KEEP_BUFFER)
        {
          g_string_free (frame, TRUE);
          kept->buffer = g_string_sized_new (256);
        }
      kept->busy = FALSE;
    }
}

/* Writes the length into the header; FALSE if the frame is too large. */
static gboolean
frame_end (JanusConnection  *self,
           GString          *frame,
           GError          **error)
{
  gsize len = frame->len - 4;

  if (len > self->network->max_frame_size)
    {
      g_set_error (error, JANUS_NET_ERROR, JANUS_NET_ERROR_FRAME_TOO_LARGE,
                   "A frame of %" G_GSIZE_FORMAT " bytes is beyond the limit of %"
                   G_GSIZE_FORMAT " bytes", len, self->network->max_frame_size);
      return FALSE;
    }
  frame->str[0] = (char) (len >> 24);
  frame->str[1] = (char) (len >> 16);
  frame->str[2] = (char) (len >> 8);
  frame->str[3] = (char) len;
  return TRUE;
}

static void
closed_error (JanusConnection  *self,
              GError          **error)
{
  if (self->error != NULL)
    g_set_error (error, self->error->domain, self->error->code,
                 "Connection to %s: %s", self->key, self->error->message);
  else
    g_set_error (error, JANUS_NET_ERROR, JANUS_NET_ERROR_CLOSED,
                 "Connection to %s is closed", self->key);
}

/* Queues a frame (the lock is held) and releases it. Returns whether the
 * network thread must be kicked: the outbox was empty (else a kick is on
 * its way already, or the network thread will find the frame when it
 * takes the outbox). */
static gboolean
queue_frame (JanusConnection *self,
             GString         *frame,
             gint64           deadline)
{
  gboolean was_empty = self->outbox->len == 0;

  janus_string_append (self->outbox, frame->str, frame->len);
  if (deadline > 0 && (self->outbox_deadline == 0 || deadline < self->outbox_deadline))
    self->outbox_deadline = deadline;
  self->queued_bytes += frame->len;
  frame_release (frame);
  return was_empty;
}

/* Writes @data on the caller's thread if the socket's sending side is
 * free and nothing is queued before it (the lock is held; it is released).
 * Returns FALSE, with the lock still held, if the frame must be queued. A
 * frame partly written is finished by the network thread, kicked here. */
static gboolean
send_now (JanusConnection *self,
          GString         *frame)
{
  ssize_t n;
  int fd = self->direct_fd;
  gsize left;

  if (fd < 0 || self->state != JANUS_CONNECTION_OPEN || self->outbox->len != 0
      || self->close_asked != NULL || !g_mutex_trylock (&self->write_lock))
    return FALSE;
  if (self->writing->len != 0)
    {
      g_mutex_unlock (&self->write_lock);
      return FALSE;
    }
  /* frames queued from now on go after this one: they need write_lock */
  g_mutex_unlock (&self->lock);
  do
    n = send (fd, frame->str, frame->len, MSG_DONTWAIT | MSG_NOSIGNAL);
  while (n < 0 && errno == EINTR);
  if (n == (ssize_t) frame->len)
    {
      g_mutex_unlock (&self->write_lock);
      frame_release (frame);
      return TRUE;
    }
  /* the rest (or the failure) is the network thread's business */
  left = frame->len - (n > 0 ? (gsize) n : 0);
  g_string_append_len (self->writing, frame->str + frame->len - left, left);
  self->write_offset = 0;
  g_mutex_unlock (&self->write_lock);
  frame_release (frame);
  g_mutex_lock (&self->lock);
  self->queued_bytes += left;
  g_mutex_unlock (&self->lock);
  janus_network_kick (self->network, self);
  return TRUE;
}

gboolean
janus_connection_request_with (JanusConnection    *self,
                               JanusRequestWriter  writer,
                               gpointer            writer_data,
                               gint64              timeout,
                               JanusCallDone       done,
                               gpointer            data,
                               GError            **error)
{
  JanusNetwork *net = self->network;
  GString *frame;
  guint64 id;
  gint64 deadline = 0;
  gboolean kick;

  if (timeout < 0)
    timeout = atomic_load_explicit (&net->call_timeout, memory_order_relaxed);
  if (timeout > 0)
    deadline = g_get_monotonic_time () + timeout;

  if (G_UNLIKELY (atomic_load_explicit (&net->draining, memory_order_acquire)))
    {
      g_set_error_literal (error, JANUS_NET_ERROR, JANUS_NET_ERROR_SHUTDOWN,
                           "The kernel is shutting down");
      return FALSE;
    }
  g_mutex_lock (&self->lock);
  if (self->state == JANUS_CONNECTION_CLOSED)
    {
      closed_error (self, error);
      g_mutex_unlock (&self->lock);
      return FALSE;
    }
  if (self->pending.count >= net->max_pending
      || self->queued_bytes >= net->send_limit)
    {
      g_set_error (error, JANUS_NET_ERROR, JANUS_NET_ERROR_BUSY,
                   "Connection to %s is busy: %u requests unanswered, %" G_GSIZE_FORMAT
                   " bytes waiting to be sent", self->key,
                   self->pending.count, self->queued_bytes);
      g_mutex_unlock (&self->lock);
      return FALSE;
    }
  id = self->next_id++;
  g_mutex_unlock (&self->lock);

  frame = frame_begin ();
  if (!writer (net->codec, frame, id, writer_data, error) || !frame_end (self, frame, error))
    {
      frame_release (frame);
      return FALSE;
    }

  g_mutex_lock (&self->lock);
  if (self->state == JANUS_CONNECTION_CLOSED)
    {
      closed_error (self, error);
      g_mutex_unlock (&self->lock);
      frame_release (frame);
      return FALSE;
    }
  janus_pending_insert (&self->pending, id, done, data, deadline);
  /* alone on the connection: write it now (a deadline needs the network
   * thread to know of it) */
  if (deadline == 0 && self->pending.count == 1 && send_now (self, frame))
    return TRUE;
  kick = queue_frame (self, frame, deadline);
  g_mutex_unlock (&self->lock);
  if (kick)
    janus_network_kick (net, self);
  return TRUE;
}

typedef struct
{
  const char *path;
  JsonArray  *args;
  JsonObject *kwargs;
} PlainRequest;

static gboolean
write_plain_request (JanusCodec  *codec,
                     GString     *out,
                     guint64      id,
                     gpointer     data,
                     GError     **error)
{
  PlainRequest *request = data;

  return janus_codec_append_request (codec, out, id, request->path, request->args,
                                     request->kwargs, error);
}

/* Sends the request @path (args, kwargs) from any thread; @done gets the
 * answer, a failure or a time-out (@timeout µs, 0 none, -1 the network's).
 * FALSE with @error set (and @done not called) if it cannot be sent. */
gboolean
janus_connection_request (JanusConnection *self,
                          const char      *path,
                          JsonArray       *args,
                          JsonObject      *kwargs,
                          gint64           timeout,
                          JanusCallDone    done,
                          gpointer         data,
                          GError         **error)
{
  PlainRequest request = { path, args, kwargs };

  return janus_connection_request_with (self, write_plain_request, &request, timeout,
                                        done, data, error);
}

static void
answered (JanusConnection *self)
{
  /* release: pairs with the network thread's acquire load when it decides
   * whether to read again */
  atomic_fetch_sub_explicit (&self->incoming_open, 1, memory_order_release);
}

static void
send_answer (JanusConnection *self,
             GString         *frame)
{
  gboolean kick;

  g_mutex_lock (&self->lock);
  if (self->state == JANUS_CONNECTION_CLOSED)
    {
      /* the peer is gone: nobody waits for this answer */
      g_mutex_unlock (&self->lock);
      frame_release (frame);
      answered (self);
      return;
    }
  /* the only request being served: answer now */
  if (atomic_load_explicit (&self->incoming_open, memory_order_relaxed) == 1
      && send_now (self, frame))
    {
      answered (self);
      return;
    }
  /* a peer that sends requests and does not read the answers: it would
   * make us hold answers without end */
  if (self->queued_bytes > 4 * self->network->send_limit && self->close_asked == NULL)
    self->close_asked = g_error_new (JANUS_NET_ERROR, JANUS_NET_ERROR_BUSY,
                                     "%s does not read its answers (%" G_GSIZE_FORMAT
                                     " bytes waiting)", self->key, self->queued_bytes);
  kick = queue_frame (self, frame, 0);
  g_mutex_unlock (&self->lock);
  answered (self);
  if (kick)
    janus_network_kick (self->network, self);
}

static GString *
error_frame (JanusConnection *self,
             guint64          id,
             const char      *text)
{
  g_autoptr(JsonNode) content = json_node_init_string (json_node_alloc (), text);
  g_autoptr(GError) error = NULL;
  GString *frame = frame_begin ();

  if (!janus_codec_append_reply (self->network->codec, frame, 2, id, content, &error)
      || !frame_end (self, frame, &error))
    {
      /* the text itself does not encode (invalid UTF-8) or is huge */
      g_autoptr(JsonNode) plain = json_node_init_string (json_node_alloc (),
                                                         "the error could not be encoded");
      g_string_truncate (frame, 4);
      janus_codec_append_reply (self->network->codec, frame, 2, id, plain, NULL);
      frame_end (self, frame, NULL);
    }
  return frame;
}

/* Answers request @id with @result (any thread). A result that cannot be
 * encoded, or makes a frame too large, is answered with an error. */
void
janus_connection_answer (JanusConnection *self,
                         guint64          id,
                         JsonNode        *result)
{
  g_autoptr(GError) error = NULL;
  GString *frame = frame_begin ();

  if (!janus_codec_append_reply (self->network->codec, frame, 1, id, result, &error)
      || !frame_end (self, frame, &error))
    {
      g_autofree char *text = g_strdup_printf ("%s %d: the result cannot be sent: %s",
                                               g_quark_to_string (error->domain),
                                               error->code, error->message);
      frame_release (frame);
      frame = error_frame (self, id, text);
    }
  send_answer (self, frame);
}

/* Answers request @id with a null result (any thread). */
void
janus_connection_answer_null (JanusConnection *self,
                              guint64          id)
{
  GString *frame = frame_begin ();

  janus_codec_append_reply (self->network->codec, frame, 1, id, NULL, NULL);
  frame_end (self, frame, NULL);
  send_answer (self, frame);
}

void
janus_connection_answer_error (JanusConnection *self,
                               guint64          id,
                               const char      *text)
{
  send_answer (self, error_frame (self, id, text));
}

/* janus-c sends a GError as "domain code: message" (aiomas sends a Python
 * traceback; both are just text to the other side). */
void
janus_connection_answer_gerror (JanusConnection *self,
                                guint64          id,
                                const GError    *error)
{
  g_autofree char *text = g_strdup_printf ("%s %d: %s", g_quark_to_string (error->domain),
                                           error->code, error->message);

  janus_connection_answer_error (self, id, text);
}

/* Any thread: the network thread closes the connection at its next look. */
void
janus_connection_close (JanusConnection *self,
                        const GError    *error)
{
  g_mutex_lock (&self->lock);
  if (self->state != JANUS_CONNECTION_CLOSED && self->close_asked == NULL)
    self->close_asked = g_error_copy (error);
  g_mutex_unlock (&self->lock);
  janus_network_kick (self->network, self);
}

/* ------------------------------------------------------------ closing */

static void
remove_source (GSource **source)
{
  if (*source != NULL)
    {
      g_source_destroy (*source);
      g_clear_pointer (source, g_source_unref);
    }
}

/* Network thread: closes the socket, fails every pending request and drops
 * what was not sent. Idempotent. */
void
janus_connection_close_now (JanusConnection *self,
                            const GError    *error)
{
  JanusPendingTable pending;
  GSocket *socket;

  g_mutex_lock (&self->lock);
  if (self->state == JANUS_CONNECTION_CLOSED)
    {
      g_mutex_unlock (&self->lock);
      return;
    }
  self->state = JANUS_CONNECTION_CLOSED;
  self->direct_fd = -1;
  self->error = g_error_copy (error);
  g_clear_error (&self->close_asked);
  janus_pending_take_all (&self->pending, &pending);
  g_string_truncate (self->outbox, 0);
  self->outbox_deadline = 0;
  self->queued_bytes = 0;
  g_mutex_unlock (&self->lock);

  g_cancellable_cancel (self->cancellable);
  remove_source (&self->read_source);
  remove_source (&self->write_source);
  socket = self->socket ? g_socket_connection_get_socket (self->socket) : NULL;
  /* under write_lock: a sender writing the socket itself finishes first */
  g_mutex_lock (&self->write_lock);
  if (socket != NULL)
    g_socket_close (socket, NULL);
  g_string_truncate (self->writing, 0);
  self->write_offset = 0;
  g_mutex_unlock (&self->write_lock);
  g_clear_pointer (&self->rbuf, g_free);
  self->rlen = self->rcap = 0;

  janus_network_connection_closed (self->network, self, error);

  /* no lock held: the callbacks may send again */
  janus_pending_fail_all (&pending, self->error);
}

/* Any thread: fails every request waiting for an answer (its kernel
 * stops); the connection stays open, so that answers to the peer's
 * requests still go out. An answer that comes later is ignored. */
void
janus_connection_fail_requests (JanusConnection *self,
                                const GError    *error)
{
  JanusPendingTable pending;

  g_mutex_lock (&self->lock);
  janus_pending_take_all (&self->pending, &pending);
  g_mutex_unlock (&self->lock);

  /* no lock held: the callbacks run user code */
  janus_pending_fail_all (&pending, error);
}

G_GNUC_PRINTF (3, 4)
static void
close_with (JanusConnection *self,
            int              code,
            const char      *format,
            ...)
{
  g_autoptr(GError) error = NULL;
  va_list args;

  va_start (args, format);
  error = g_error_new_valist (JANUS_NET_ERROR, code, format, args);
  va_end (args);
  janus_connection_close_now (self, error);
}

/* ------------------------------------------------------------ writing */

static gboolean on_writable (GObject *stream, gpointer data);
static gboolean on_socket_writable (GSocket *socket, GIOCondition condition, gpointer data);
static GSource *socket_source (JanusConnection *self, GIOCondition condition);

/* Sources are made recursive: they are never dispatched recursively, and
 * GLib blocks a non-recursive source during its dispatch by taking its
 * descriptor out of the poll set and back, which wakes the context up
 * twice per dispatch. */
static void
wait_writable (JanusConnection *self)
{
  if (self->write_source == NULL)
    self->write_source = socket_source (self, G_IO_OUT);
}

/* Takes the outbox after what `writing` holds still (lock and write_lock
 * held); returns the earliest deadline of its requests (0: none). */
static gint64
move_outbox (JanusConnection *self)
{
  gint64 deadline = self->outbox_deadline;

  self->outbox_deadline = 0;
  if (self->outbox->len == 0)
    return deadline;
  if (self->writing->len == 0)
    {
      GString *empty = self->writing;

      self->writing = self->outbox;
      self->outbox = empty;
      self->write_offset = 0;
    }
  else
    {
      g_string_append_len (self->writing, self->outbox->str, self->outbox->len);
      g_string_truncate (self->outbox, 0);
    }
  return deadline;
}

static gint64
earliest (gint64 a,
          gint64 b)
{
  return a == 0 ? b : b == 0 ? a : MIN (a, b);
}

/* Writes `writing` until done or the socket would block (write_lock
 * held); FALSE if it would block or failed (@failed set). */
static gboolean
write_out (JanusConnection  *self,
           gsize            *sent,
           GError          **failed)
{
  GPollableOutputStream *out = G_POLLABLE_OUTPUT_STREAM (g_io_stream_get_output_stream (self->stream));

  while (self->write_offset < self->writing->len)
    {
      const char *data = self->writing->str + self->write_offset;
      gsize size = self->writing->len - self->write_offset;
      gssize n;

      if (self->direct_fd >= 0)
        {
          /* plain TCP: the socket itself, without the stream's layers */
          do
            n = send (self->direct_fd, data, size, MSG_DONTWAIT | MSG_NOSIGNAL);
          while (n < 0 && errno == EINTR);
          if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return FALSE;
          if (n < 0)
            {
              int code = errno;
              g_set_error_literal (failed, G_IO_ERROR, g_io_error_from_errno (code), g_strerror (code));
              return FALSE;
            }
        }
      else
        {
          g_autoptr(GError) error = NULL;

          n = g_pollable_output_stream_write_nonblocking (out, data, size, NULL, &error);
          if (n < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
            return FALSE;
          if (n < 0)
            {
              g_propagate_error (failed, g_steal_pointer (&error));
              return FALSE;
            }
        }
      self->write_offset += n;
      *sent += n;
    }
  /* all written: an emptied large buffer is not kept */
  if (self->writing->allocated_len > KEEP_BUFFER)
    {
      g_string_free (self->writing, TRUE);
      self->writing = g_string_sized_new (1024);
    }
  else
    g_string_truncate (self->writing, 0);
  self->write_offset = 0;
  return TRUE;
}

/* Writes what is queued until done or the socket would block; frames
 * queued meanwhile go out in the same turn (a few rounds at most). */
static void
flush_writes (JanusConnection *self)
{
  g_autoptr(GError) failed = NULL;
  gboolean blocked = FALSE;
  gint64 deadline = 0;
  gsize sent = 0;

  for (guint round = 0; ; round++)
    {
      gboolean done;

      g_mutex_lock (&self->write_lock);
      done = write_out (self, &sent, &failed);
      g_mutex_unlock (&self->write_lock);
      if (!done)
        {
          blocked = failed == NULL;
          break;
        }
      if (round == 3)
        break;
      g_mutex_lock (&self->lock);
      if (self->outbox->len == 0 || self->state != JANUS_CONNECTION_OPEN || self->close_asked != NULL)
        {
          g_mutex_unlock (&self->lock);
          break;
        }
      g_mutex_lock (&self->write_lock);
      deadline = earliest (deadline, move_outbox (self));
      g_mutex_unlock (&self->write_lock);
      g_mutex_unlock (&self->lock);
    }
  if (sent > 0)
    {
      g_mutex_lock (&self->lock);
      self->queued_bytes -= MIN (sent, self->queued_bytes);
      g_mutex_unlock (&self->lock);
    }
  if (deadline != 0)
    janus_network_note_deadline (self->network, deadline);
  if (failed != NULL)
    {
      close_with (self, JANUS_NET_ERROR_CLOSED, "Writing to %s failed: %s",
                  self->key, failed->message);
      return;
    }
  if (blocked)
    wait_writable (self);
}

static gboolean
on_writable (GObject  *stream,
             gpointer  data)
{
  JanusConnection *self = data;

  g_clear_pointer (&self->write_source, g_source_unref);
  flush_writes (self);
  if (self->read_paused)
    janus_connection_service (self);
  return G_SOURCE_REMOVE;
}

static gboolean
on_socket_writable (GSocket      *socket,
                    GIOCondition  condition,
                    gpointer      data)
{
  return on_writable (NULL, data);
}

/* ------------------------------------------------------------ reading */

/* An answer: completes its request (content handed over, transfer full). */
static void
answer_arrived (JanusConnection *self,
                int              type,
                guint64          id,
                JsonNode        *content)
{
  JanusPending entry;
  JanusPending *p = NULL;
  gboolean never_sent;

  g_mutex_lock (&self->lock);
  never_sent = id >= self->next_id;
  if (!never_sent && janus_pending_steal (&self->pending, id, &entry))
    p = &entry;
  g_mutex_unlock (&self->lock);

  if (never_sent)
    {
      json_node_unref (content);
      close_with (self, JANUS_NET_ERROR_PROTOCOL,
                  "%s answered request %" G_GUINT64_FORMAT ", which was never sent",
                  self->key, id);
      return;
    }
  if (p == NULL)
    {
      /* answered after its time-out, or after a cancel */
      g_debug ("late answer to request %" G_GUINT64_FORMAT " from %s ignored", id, self->key);
      json_node_unref (content);
      return;
    }
  /* the content belongs to nobody else: it may go to another thread, which
   * must be its only owner (json-glib's reference counts are not atomic) */
  if (type == 1)
    p->done (content, NULL, p->data);
  else
    {
      g_autoptr(GError) error = NULL;
      if (JSON_NODE_HOLDS_VALUE (content) && json_node_get_value_type (content) == G_TYPE_STRING)
        error = g_error_new_literal (JANUS_NET_ERROR, JANUS_NET_ERROR_REMOTE,
                                     json_node_get_string (content));
      else
        {
          g_autofree char *text = janus_json_to_data (content, NULL, NULL);
          error = g_error_new_literal (JANUS_NET_ERROR, JANUS_NET_ERROR_REMOTE,
                                       text ? text : "(an error that is not text)");
        }
      json_node_unref (content);
      p->done (NULL, error, p->data);
    }
}

/* A request: to the router, with its arguments (transfer full), or to
 * the letter router. */
static void
request_arrived (JanusConnection *self,
                 JanusWireMessage *message)
{
  JanusNetwork *net = self->network;
  JanusNetworkState state;

  atomic_fetch_add_explicit (&self->incoming_open, 1, memory_order_relaxed);
  g_mutex_lock (&net->lock);
  state = net->state;
  g_mutex_unlock (&net->lock);
  if (state != JANUS_NETWORK_RUNNING || net->router == NULL)
    {
      g_autoptr(GError) error = g_error_new (JANUS_NET_ERROR, JANUS_NET_ERROR_SHUTDOWN,
                                             "The kernel is shutting down its network");
      janus_connection_answer_gerror (self, message->id, error);
      return;
    }
  if (message->is_letter)
    net->letter_router (net, self, message->id, message->receiver_id, &message->letter,
                        net->router_data);
  else
    net->router (net, self, message->id, message->path,
                 g_steal_pointer (&message->args), g_steal_pointer (&message->kwargs),
                 net->router_data);
}

/* One frame's payload. Anything but a valid aiomas message closes the
 * connection (and only it). */
static void
frame_arrived (JanusConnection *self,
               const char      *data,
               gsize            len)
{
  g_autoptr(GError) error = NULL;
  JanusWireMessage message;

  if (!janus_codec_read_message (self->network->codec, data, len,
                                 self->network->letter_router != NULL, &message, &error))
    {
      janus_connection_close_now (self, error);
      return;
    }
  if (message.type == 0)
    request_arrived (self, &message);
  else
    answer_arrived (self, message.type, message.id, g_steal_pointer (&message.content));
  janus_wire_message_clear (&message);
}

static gboolean
should_pause_reading (JanusConnection *self)
{
  return atomic_load_explicit (&self->incoming_open, memory_order_acquire) >= self->network->max_incoming;
}

static void
pause_reading (JanusConnection *self)
{
  g_debug ("connection %s: reading paused (backpressure)", self->key);
  self->read_paused = TRUE;
  remove_source (&self->read_source);
}

/* Splits what was read into frames; returns FALSE once the connection
 * closed. */
static gboolean
split_frames (JanusConnection *self)
{
  gsize pos = 0;

  while (self->rlen - pos >= 4)
    {
      const guchar *h = (const guchar *) self->rbuf + pos;
      gsize len = (gsize) h[0] << 24 | (gsize) h[1] << 16 | (gsize) h[2] << 8 | h[3];

      if (len > self->network->max_frame_size)
        {
          close_with (self, JANUS_NET_ERROR_FRAME_TOO_LARGE,
                      "%s sent a frame of %" G_GSIZE_FORMAT " bytes, beyond the limit of %"
                      G_GSIZE_FORMAT, self->key, len, self->network->max_frame_size);
          return FALSE;
        }
      if (self->rlen - pos - 4 < len)
        break;
      frame_arrived (self, self->rbuf + pos + 4, len);
      if (self->state == JANUS_CONNECTION_CLOSED)
        return FALSE;
      pos += 4 + len;
    }
  if (pos > 0)
    {
      memmove (self->rbuf, self->rbuf + pos, self->rlen - pos);
      self->rlen -= pos;
    }
  return TRUE;
}

/* Room for the next read: the whole frame in progress plus a chunk, within
 * the frame limit. */
static void
ensure_room (JanusConnection *self)
{
  gsize want = self->rlen + READ_CHUNK;

  if (self->rlen >= 4)
    {
      const guchar *h = (const guchar *) self->rbuf;
      gsize len = (gsize) h[0] << 24 | (gsize) h[1] << 16 | (gsize) h[2] << 8 | h[3];
      want = MAX (want, 4 + len);
    }
  if (self->rcap >= want)
    return;
  self->rcap = MAX (want, self->rcap * 2);
  self->rcap = MIN (self->rcap, self->network->max_frame_size + 4 + READ_CHUNK);
  self->rcap = MAX (self->rcap, want);
  self->rbuf = g_realloc (self->rbuf, self->rcap);
}

static gboolean
read_some (JanusConnection *self)
{
  GPollableInputStream *in = G_POLLABLE_INPUT_STREAM (g_io_stream_get_input_stream (self->stream));
  gsize budget = READ_BUDGET;

  while (budget > 0)
    {
      g_autoptr(GError) error = NULL;
      gsize room;
      gssize n;

      ensure_room (self);
      room = self->rcap - self->rlen;
      if (self->direct_fd >= 0)
        {
          /* plain TCP: the socket itself, without the stream's layers */
          do
            n = recv (self->direct_fd, self->rbuf + self->rlen, room, MSG_DONTWAIT);
          while (n < 0 && errno == EINTR);
          if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return G_SOURCE_CONTINUE;
          if (n < 0)
            {
              int code = errno;
              g_set_error_literal (&error, G_IO_ERROR, g_io_error_from_errno (code), g_strerror (code));
            }
        }
      else
        n = g_pollable_input_stream_read_nonblocking (in, self->rbuf + self->rlen, room, NULL, &error);
      if (n < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        return G_SOURCE_CONTINUE;
      if (n < 0)
        {
          close_with (self, JANUS_NET_ERROR_CLOSED, "Reading from %s failed: %s",
                      self->key, error->message);
          return G_SOURCE_REMOVE;
        }
      if (n == 0)
        {
          close_with (self, JANUS_NET_ERROR_CLOSED, "%s closed the connection%s", self->key,
                      self->rlen > 0 ? " in the middle of a frame" : "");
          return G_SOURCE_REMOVE;
        }
      self->rlen += n;
      budget -= MIN ((gsize) n, budget);
      if (!split_frames (self))
        return G_SOURCE_REMOVE;
      if (should_pause_reading (self))
        {
          pause_reading (self);
          return G_SOURCE_REMOVE;
        }
      /* a short read drained the socket: the poll tells when there is
       * more, sparing a read that would only say EAGAIN */
      if ((gsize) n < room)
        break;
    }
  return G_SOURCE_CONTINUE;
}

static gboolean
on_readable (GObject  *stream,
             gpointer  data)
{
  return read_some (data);
}

static gboolean
on_socket_readable (GSocket      *socket,
                    GIOCondition  condition,
                    gpointer      data)
{
  return read_some (data);
}

/* A source on the socket itself for plain TCP (a pollable stream's source
 * wraps one as a child source, which GLib blocks during each dispatch: see
 * wait_writable ()); TLS needs the TLS stream's own. */
static GSource *
socket_source (JanusConnection *self,
               GIOCondition     condition)
{
  GSource *source;

  if (self->direct_fd >= 0)
    {
      source = g_socket_create_source (g_socket_connection_get_socket (self->socket),
                                       condition | G_IO_HUP | G_IO_ERR, NULL);
      g_source_set_callback (source, condition == G_IO_IN ? G_SOURCE_FUNC (on_socket_readable)
                                                          : G_SOURCE_FUNC (on_socket_writable),
                             janus_connection_ref (self), (GDestroyNotify) janus_connection_unref);
    }
  else if (condition == G_IO_IN)
    {
      GPollableInputStream *in = G_POLLABLE_INPUT_STREAM (g_io_stream_get_input_stream (self->stream));
      source = g_pollable_input_stream_create_source (in, NULL);
      g_source_set_callback (source, G_SOURCE_FUNC (on_readable),
                             janus_connection_ref (self), (GDestroyNotify) janus_connection_unref);
    }
  else
    {
      GPollableOutputStream *out = G_POLLABLE_OUTPUT_STREAM (g_io_stream_get_output_stream (self->stream));
      source = g_pollable_output_stream_create_source (out, NULL);
      g_source_set_callback (source, G_SOURCE_FUNC (on_writable),
                             janus_connection_ref (self), (GDestroyNotify) janus_connection_unref);
    }
  /* see wait_writable () */
  g_source_set_can_recurse (source, TRUE);
  g_source_attach (source, self->network->context);
  return source;
}

static void
start_reading (JanusConnection *self)
{
  self->read_paused = FALSE;
  self->read_source = socket_source (self, G_IO_IN);
}

/* ------------------------------------------------- the network thread */

/* Takes a connected stream (@stream, over @socket): the connection is
 * open from now on. */
static void
attach_stream (JanusConnection   *self,
               GSocketConnection *socket,
               GIOStream         *stream)
{
  GSocket *s = g_socket_connection_get_socket (socket);
  gboolean closed;

  if (self->socket == NULL)
    self->socket = g_object_ref (socket);
  if (self->stream == NULL)
    self->stream = g_object_ref (stream);

  g_mutex_lock (&self->lock);
  closed = self->state == JANUS_CONNECTION_CLOSED;
  if (!closed)
    {
      self->state = JANUS_CONNECTION_OPEN;
      /* TLS streams are written by the network thread only */
      if (stream == G_IO_STREAM (socket))
        self->direct_fd = g_socket_get_fd (s);
    }
  g_mutex_unlock (&self->lock);
  if (closed)
    {
      g_socket_close (s, NULL);
      return;
    }
  start_reading (self);
  janus_connection_service (self);
}

static void
prepare_socket (GSocketConnection *socket)
{
  GSocket *s = g_socket_connection_get_socket (socket);

  g_socket_set_option (s, IPPROTO_TCP, TCP_NODELAY, 1, NULL);
  g_socket_set_timeout (s, 0);
}

void
janus_connection_attach (JanusConnection   *self,
                         GSocketConnection *socket)
{
  prepare_socket (socket);
  attach_stream (self, socket, G_IO_STREAM (socket));
}

static void
on_handshake (GObject      *source,
              GAsyncResult *result,
              gpointer      data)
{
  JanusConnection *self = data;
  g_autoptr(GError) error = NULL;

  self->network->in_progress--;
  if (!g_tls_connection_handshake_finish (G_TLS_CONNECTION (source), result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        close_with (self, JANUS_NET_ERROR_TLS, "TLS with %s failed: %s", self->key, error->message);
    }
  else
    attach_stream (self, self->socket, G_IO_STREAM (source));
  janus_connection_unref (self);
}

/* A client certificate is accepted when it checks out against the CA. */
static gboolean
accept_client_certificate (GTlsConnection       *tls,
                           GTlsCertificate      *certificate,
                           GTlsCertificateFlags  errors,
                           gpointer              data)
{
  return errors == 0;
}

/* Wraps @socket in TLS (as a server for an incoming connection, a client
 * otherwise), with the network's certificate and CA; the connection opens
 * once the handshake succeeds. Both sides present a certificate that the
 * other checks against its CA: a peer without a valid one is refused. */
void
janus_connection_start_tls (JanusConnection   *self,
                            GSocketConnection *socket)
{
  JanusNetwork *net = self->network;
  g_autoptr(GIOStream) tls = NULL;
  g_autoptr(GError) error = NULL;

  prepare_socket (socket);
  self->socket = g_object_ref (socket);
  if (self->incoming)
    {
      tls = g_tls_server_connection_new (G_IO_STREAM (socket), net->tls_certificate, &error);
      if (tls != NULL)
        g_object_set (tls, "authentication-mode", G_TLS_AUTHENTICATION_REQUIRED, NULL);
      /* glib-networking leaves a server's decision on a client
       * certificate to this signal, with the result of checking it
       * against the database */
      if (tls != NULL)
        g_signal_connect (tls, "accept-certificate", G_CALLBACK (accept_client_certificate), NULL);
    }
  else
    {
      g_autoptr(GSocketConnectable) identity = g_network_address_parse (self->key, 0, NULL);
      tls = g_tls_client_connection_new (G_IO_STREAM (socket), identity, &error);
      if (tls != NULL && net->tls_certificate != NULL)
        g_tls_connection_set_certificate (G_TLS_CONNECTION (tls), net->tls_certificate);
    }
  if (tls == NULL)
    {
      close_with (self, JANUS_NET_ERROR_TLS, "TLS with %s: %s", self->key, error->message);
      return;
    }
  g_tls_connection_set_database (G_TLS_CONNECTION (tls), net->tls_database);
  net->in_progress++;
  g_tls_connection_handshake_async (G_TLS_CONNECTION (tls), G_PRIORITY_DEFAULT, self->cancellable,
                                    on_handshake, janus_connection_ref (self));
}

static void
on_connected (GObject      *source,
              GAsyncResult *result,
              gpointer      data)
{
  JanusConnection *self = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketConnection) socket = NULL;

  socket = g_socket_client_connect_to_host_finish (G_SOCKET_CLIENT (source), result, &error);
  self->network->in_progress--;
  if (socket == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        close_with (self, JANUS_NET_ERROR_REFUSED, "Cannot connect to %s: %s",
                    self->key, error->message);
      janus_connection_unref (self);
      return;
    }
  if (self->network->tls_database != NULL)
    janus_connection_start_tls (self, socket);
  else
    janus_connection_attach (self, socket);
  janus_connection_unref (self);
}

void
janus_connection_start_connect (JanusConnection *self)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();

  g_socket_client_set_timeout (client, 10);
  g_socket_client_set_enable_proxy (client, FALSE);
  self->network->in_progress++;
  g_socket_client_connect_to_host_async (client, self->key, 0, self->cancellable,
                                         on_connected, janus_connection_ref (self));
}

/* The network thread looks at the connection: takes what was queued,
 * closes it if asked, writes, and reads again once the backpressure
 * passed. */
void
janus_connection_service (JanusConnection *self)
{
  g_autoptr(GError) close = NULL;
  JanusConnectionState state;
  gint64 deadline;

  g_mutex_lock (&self->lock);
  close = g_steal_pointer (&self->close_asked);
  g_mutex_lock (&self->write_lock);
  deadline = move_outbox (self);
  g_mutex_unlock (&self->write_lock);
  state = self->state;
  g_mutex_unlock (&self->lock);

  if (close != NULL)
    {
      /* what was queued before the close goes out first */
      if (state == JANUS_CONNECTION_OPEN)
        flush_writes (self);
      janus_connection_close_now (self, close);
      return;
    }
  if (deadline != 0)
    janus_network_note_deadline (self->network, deadline);
  if (state == JANUS_CONNECTION_CONNECTING && !self->incoming && !self->connect_started)
    {
      self->connect_started = TRUE;
      janus_connection_start_connect (self);
    }
  if (state != JANUS_CONNECTION_OPEN)
    return;
  flush_writes (self);
  if (self->read_paused && self->read_source == NULL
      && self->state == JANUS_CONNECTION_OPEN && !should_pause_reading (self))
    {
      g_debug ("connection %s: reading again", self->key);
      start_reading (self);
    }
}

/* Fails the requests whose deadline passed; returns the next deadline. */
gint64
janus_connection_expire (JanusConnection *self,
                         gint64           now)
{
  g_autoptr(GArray) expired = g_array_new (FALSE, FALSE, sizeof (JanusPending));
  gint64 next = G_MAXINT64;

  g_mutex_lock (&self->lock);
  for (guint i = 0; self->pending.slots != NULL && i <= self->pending.mask; i++)
    {
      JanusPending *p = &self->pending.slots[i];

      if (p->done == NULL || p->deadline == 0)
        continue;
      if (p->deadline <= now)
        g_array_append_val (expired, *p);
      else
        next = MIN (next, p->deadline);
    }
  for (guint i = 0; i < expired->len; i++)
    {
      JanusPending entry;
      janus_pending_steal (&self->pending, g_array_index (expired, JanusPending, i).id, &entry);
    }
  g_mutex_unlock (&self->lock);

  for (guint i = 0; i < expired->len; i++)
    {
      JanusPending *p = &g_array_index (expired, JanusPending, i);
      g_autoptr(GError) error = g_error_new (JANUS_NET_ERROR, JANUS_NET_ERROR_TIMED_OUT,
                                             "Request %" G_GUINT64_FORMAT " to %s timed out",
                                             p->id, self->key);
      p->done (NULL, error, p->data);
    }
  return next;
}
