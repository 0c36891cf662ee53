/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "janus-debug-private.h"
#include "janus-error.h"
#include "janus-message-private.h"

/**
 * JanusMessage:
 *
 * What agents send each other: a subject string, a body, and — once sent —
 * the sender's and receiver's addresses, a timestamp and a priority.
 *
 * A message is reference counted and immutable once sent. Sending *takes*
 * the caller's reference: after [method@Janus.Agent.send] the message belongs
 * to the receiver, which gets it back from its mailbox with
 * [method@Janus.Agent.get_message] and releases it with
 * [method@Janus.Message.unref]:
 *
 * ```c
 * janus_agent_send (self, peer, janus_message_new_int64 ("count", 42), NULL);
 *
 * // in the peer's live ():
 * g_autoptr(JanusMessage) m = janus_agent_get_message (self);
 * gint64 n;
 * if (m && janus_message_has_subject (m, "count") && janus_message_get_int64 (m, &n))
 *   g_print ("%" G_GINT64_FORMAT " from %s\n", n,
 *            janus_address_to_string (janus_message_get_sender (m)));
 * ```
 *
 * The body is a [struct@GLib.Variant] value (typed, immutable, serialisable, usable
 * from every language binding). Small ones — booleans, integers, doubles,
 * short tuples of them, short strings — are stored inside the message by
 * [ctor@Janus.Message.new_values], [ctor@Janus.Message.new_int64] and the
 * other typed constructors, and read from there by
 * [method@Janus.Message.get_values] and the typed getters: no [struct@GLib.Variant] is
 * made unless [method@Janus.Message.get_body] asks for it. For C there is
 * also a pointer body with a destroy function, for in-process traffic
 * ([ctor@Janus.Message.new_pointer]).
 *
 * Messages are not GObjects: they are allocated from per-thread caches, so
 * a send allocates nothing in steady state. All functions are MT safe; a
 * message that is not sent yet must not be changed from two threads at once.
 */

G_DEFINE_BOXED_TYPE (JanusMessage, janus_message, janus_message_ref, janus_message_unref)

/* ------------------------------------------------------------------------
 * Per-thread caches.
 *
 * Each thread keeps a LIFO list of free messages (hot in its cache). A thread
 * that frees more than it allocates (the receiver of a one-way stream) hands
 * batches of CACHE_BATCH messages to a global stack; a thread that runs out
 * takes a batch back. Batches are pushed one at a time with a CAS and taken
 * all at once with an exchange, so no node is ever popped concurrently and
 * the stack has no ABA problem (PRIOR-ART §1, Pony's pool_push/pool_pull).
 * The first message of a batch carries the batch's length in `timestamp` and
 * the next batch in `v.data`.
 */
#define CACHE_BATCH 512
#define CACHE_MAX   (2 * CACHE_BATCH)

/* Role messages also keep their last few routes: a route is immutable once
 * made, so the messages of one sender to one role type share it. */
#define ROUTE_CACHE 4

typedef struct {
  JanusMessage      *head;
  guint              count;
  gboolean           registered;
  guint              route_next;
  JanusMessageRoute *routes[ROUTE_CACHE];
} MessageCache;

static __thread MessageCache cache __attribute__ ((tls_model ("initial-exec")));
static JanusMessage *_Atomic global_batches;
static GPrivate cache_key = G_PRIVATE_INIT ((GDestroyNotify) janus_message_cache_flush);

/* Gives a message's memory back to malloc (see message_alloc_slow). */
static void
message_free_memory (JanusMessage *m)
{
  free ((char *) m - m->alloc_offset);
}

static void
global_push_chain (JanusMessage *first,
                   JanusMessage *last)
{
  JanusMessage *old = atomic_load_explicit (&global_batches, memory_order_relaxed);

  /* release: the batch's links and counts are written before it is visible */
  do
    last->v.data = old;
  while (!atomic_compare_exchange_weak_explicit (&global_batches, &old, first,
                                                 memory_order_release,
                                                 memory_order_relaxed));
}

static gboolean
cache_refill (void)
{
  JanusMessage *all, *rest, *last;

  if (atomic_load_explicit (&global_batches, memory_order_relaxed) == NULL)
    return FALSE;
  /* acquire: pairs with the release in global_push_chain */
  all = atomic_exchange_explicit (&global_batches, NULL, memory_order_acquire);
  if (all == NULL)
    return FALSE;
  rest = all->v.data;
  cache.head = all;
  cache.count += (guint) all->timestamp;
  if (rest != NULL)
    {
      for (last = rest; last->v.data != NULL; last = last->v.data)
        ;
      global_push_chain (rest, last);
    }
  return TRUE;
}

static void
cache_spill (void)
{
  JanusMessage *first = cache.head, *m = first;
  guint i;

  for (i = 1; i < CACHE_BATCH; i++)
    m = m->next;
  cache.head = m->next;
  cache.count -= CACHE_BATCH;
  m->next = NULL;
  first->timestamp = CACHE_BATCH;
  first->v.data = NULL;
  global_push_chain (first, first);
}

/* Gives the calling thread's cached messages back to the global stack.
 * Runs at thread exit (GPrivate destructor) and when the last kernel goes. */
void
janus_message_cache_flush (void)
{
  guint i;

  for (i = 0; i < ROUTE_CACHE; i++)
    g_clear_pointer (&cache.routes[i], janus_message_route_unref);
  while (cache.count > 0)
    {
      JanusMessage *m = cache.head;
      cache.head = m->next;
      cache.count--;
      message_free_memory (m);
    }
  cache.head = NULL;
}

/* Frees every batch of the global stack (when no kernel is left). */
void
janus_message_cache_trim_global (void)
{
  JanusMessage *b = atomic_exchange_explicit (&global_batches, NULL,
                                              memory_order_acquire);

  while (b != NULL)
    {
      JanusMessage *next_batch = b->v.data, *m = b;
      while (m != NULL)
        {
          JanusMessage *n = m->next;
          message_free_memory (m);
          m = n;
        }
      b = next_batch;
    }
}

/* With the no-cache debug flag the cache is never registered and stays
 * empty, so that message_alloc and message_release always take their slow
 * paths, which handle the flag: the fast paths need not look at it. */
static G_GNUC_NO_INLINE JanusMessage *
message_alloc_slow (void)
{
  JanusMessage *m;
  char *raw;

  if (G_UNLIKELY (janus_debug_flags & JANUS_DEBUG_NO_CACHE))
    return calloc (1, sizeof (JanusMessage));   /* alloc_offset 0 */
  if (cache_refill ())
    {
      m = cache.head;
      cache.head = m->next;
      cache.count--;
      return m;
    }
  /* on a cache line, so that what a receiver reads is one line (see
   * JanusMessage): malloc's alignment (16 bytes with glibc) plus up to the
   * rest of a line, the offset kept in the message. Cheaper than
   * aligned_alloc, whose leftover pieces slow every later malloc and free. */
  raw = malloc (sizeof (JanusMessage) + JANUS_MESSAGE_ALIGN - _Alignof (max_align_t));
  if (raw == NULL)
    g_error ("janus: out of memory allocating a message");
  m = (JanusMessage *) (((guintptr) raw + JANUS_MESSAGE_ALIGN - 1)
                        & ~(guintptr) (JANUS_MESSAGE_ALIGN - 1));
  m->alloc_offset = (guint8) ((char *) m - raw);
  return m;
}

static inline __attribute__ ((always_inline)) JanusMessage *
message_alloc (void)
{
  JanusMessage *m = cache.head;

  if (G_UNLIKELY (m == NULL))
    return message_alloc_slow ();
  cache.head = m->next;
  cache.count--;
  return m;
}

static G_GNUC_NO_INLINE void
message_release_slow (JanusMessage *m)
{
  if (G_UNLIKELY (janus_debug_flags & JANUS_DEBUG_NO_CACHE))
    {
      message_free_memory (m);
      return;
    }
  if (!cache.registered)
    {
      cache.registered = TRUE;
      g_private_set (&cache_key, &cache);
    }
  m->next = cache.head;
  cache.head = m;
  if (++cache.count > CACHE_MAX)
    cache_spill ();
}

static inline void
message_release (JanusMessage *m)
{
  if (G_LIKELY (cache.registered && cache.count < CACHE_MAX))
    {
      m->next = cache.head;
      cache.head = m;
      cache.count++;
      return;
    }
  message_release_slow (m);
}

static void message_free (JanusMessage *m);

static void
set_subject (JanusMessage *m,
             const char   *subject)
{
  guint i;

  /* one pass for the usual short subject (no strlen + memcpy calls) */
  for (i = 0; i < JANUS_MESSAGE_INLINE_SUBJECT; i++)
    if ((m->subject_inline[i] = subject[i]) == '\0')
      {
        m->subject = m->subject_inline;
        return;
      }
  m->subject = g_strdup (subject);
  m->flags |= JANUS_MESSAGE_SUBJECT_HEAP;
}

/* A new message; @body is the initial `body` word (see JanusMessage).
 * Inlined: it is most of what a constructor does. */
static inline __attribute__ ((always_inline)) JanusMessage *
message_new (const char    *subject,
             JanusBodyKind  kind,
             guintptr       body)
{
  JanusMessage *m = message_alloc ();

  m->next = NULL;
  atomic_init (&m->ref_count, 1);
  m->flags = kind;
  m->priority = 0;
  m->route = NULL;
  /* sender, receiver and timestamp are only read once sent (sealed) */
  m->timestamp = 0;
  atomic_init (&m->body, body);
  /* zero: the padding of an inline body is part of its serialised form */
  m->v.data = NULL;
  m->v.destroy = NULL;
  set_subject (m, subject);
  return m;
}

/* ------------------------------------------------------------------------
 * Inline bodies (see janus-message-private.h).
 */

/* Sizes (and alignments) of the basic fixed-size types, by character. */
static const guint8 basic_sizes[128] = {
  ['b'] = 1, ['y'] = 1, ['n'] = 2, ['q'] = 2, ['i'] = 4, ['u'] = 4, ['h'] = 4,
  ['x'] = 8, ['t'] = 8, ['d'] = 8,
};

/* Size of a basic fixed-size type, 0 for other characters. */
static inline guint
basic_size (char c)
{
  return (guchar) c < 128 ? basic_sizes[(guchar) c] : 0;
}

/* Character @i of a tagged type, '\0' past its end. */
static inline char
tag_char (guintptr tag,
          guint    i)
{
  return (char) (tag >> (8 * (i + 1)));
}

static void
tag_to_string (guintptr tag,
               char     type[JANUS_MESSAGE_INLINE_TYPE + 1])
{
  guint i;

  for (i = 0; i < JANUS_MESSAGE_INLINE_TYPE; i++)
    type[i] = tag_char (tag, i);
  type[JANUS_MESSAGE_INLINE_TYPE] = '\0';
}

/* The tagged type of an inline body, also once its GVariant was made. */
static inline guintptr
inline_tag (JanusMessage *m)
{
  /* acquire: the GVariant, if that is what it holds, is read below */
  guintptr w = atomic_load_explicit (&m->body, memory_order_acquire);
  const char *type;
  guint i;

  if (G_LIKELY (w & JANUS_MESSAGE_BODY_TAG))
    return w;
  type = g_variant_get_type_string ((GVariant *) w);
  w = JANUS_MESSAGE_BODY_TAG;
  for (i = 0; type[i] != '\0'; i++)
    w |= (guintptr) (guchar) type[i] << (8 * (i + 1));
  return w;
}

/* The layout of an inline body of a basic type or a tuple of them: where
 * each member is and what it is. Bits 0-31: one byte per member, in order,
 * with the member's offset in the low nibble and its kind (never 0) in the
 * high one; bits 32-39: the serialised size; LAYOUT_VALID set. 0 for a type
 * that is not one of those. A pure function of the tagged type, computed
 * once per thread for the few types a program uses (layout_of). */
enum {
  MEMBER_BOOLEAN = 1,
  MEMBER_1,
  MEMBER_2,
  MEMBER_4,
  MEMBER_8,
  MEMBER_DOUBLE,
};
#define LAYOUT_VALID ((guint64) 1 << 63)
#define LAYOUT_SIZE(layout) ((gsize) (((layout) >> 32) & 0xff))

static guint64
layout_compute (guintptr tag)
{
  guint64 layout = 0;
  guint off = 0, align = 1, n = 0, i = 0;
  gboolean tuple = tag_char (tag, 0) == '(';
  char c;

  for (i = tuple ? 1 : 0; (c = tag_char (tag, i)) != '\0' && c != ')'; i++)
    {
      guint size = basic_size (c), kind;

      if (size == 0 || n == 4)
        return 0;
      off = (off + size - 1) & ~(size - 1);
      if (off + size > JANUS_MESSAGE_INLINE_BODY)
        return 0;
      kind = c == 'b' ? MEMBER_BOOLEAN : c == 'd' ? MEMBER_DOUBLE
        : size == 1 ? MEMBER_1 : size == 2 ? MEMBER_2 : size == 4 ? MEMBER_4 : MEMBER_8;
      layout |= (guint64) (off | kind << 4) << (8 * n);
      n++;
      off += size;
      align = MAX (align, size);
      if (!tuple)
        {
          i++;
          break;
        }
    }
  if (tuple)
    {
      if (c != ')' || tag_char (tag, i + 1) != '\0')
        return 0;
      off = off == 0 ? 1 : (off + align - 1) & ~(align - 1);   /* "()" is one byte */
    }
  else if (n != 1 || tag_char (tag, i) != '\0')
    return 0;
  return layout | (guint64) off << 32 | LAYOUT_VALID;
}

#define LAYOUT_CACHE 4

typedef struct {
  guintptr tag;
  guint64  layout;
} LayoutCache;

static __thread LayoutCache layouts[LAYOUT_CACHE] __attribute__ ((tls_model ("initial-exec")));

static inline guint64
layout_of (guintptr tag)
{
  LayoutCache *e = &layouts[(tag >> 16) & (LAYOUT_CACHE - 1)];

  if (G_LIKELY (e->tag == tag))
    return e->layout;
  e->layout = layout_compute (tag);
  e->tag = tag;
  return e->layout;
}

/* The tagged type a format or type string stands for (`&s` is `s`), or 0
 * for one longer than an inline type. A '&' anywhere else stays in: no
 * inline type has one. Unrolled: a few instructions per character. */
static inline guintptr
format_tag (const char *f)
{
  guintptr tag = JANUS_MESSAGE_BODY_TAG;

  G_STATIC_ASSERT (JANUS_MESSAGE_INLINE_TYPE == 6);
  if (f[0] == '&' && f[1] == 's' && f[2] == '\0')
    return JANUS_MESSAGE_INLINE_TAG1 ('s');
#define FORMAT_CHAR(i)                                  \
  if (f[i] == '\0')                                     \
    return tag;                                         \
  tag |= (guintptr) (guchar) f[i] << (8 * ((i) + 1))
  FORMAT_CHAR (0);
  FORMAT_CHAR (1);
  FORMAT_CHAR (2);
  FORMAT_CHAR (3);
  FORMAT_CHAR (4);
  FORMAT_CHAR (5);
#undef FORMAT_CHAR
  return f[6] == '\0' ? tag : 0;
}

/* The most common formats, recognised from their first bytes before the
 * generic path (format_tag, the layout and its loop): one or two members
 * of 8 bytes (`x`, `t`, `d`), alone or in a tuple — `x`, `(x)`, `(d)`,
 * `(xx)`, `(xd)` … Their inline bodies are those members at offsets 0 and
 * 8, as the layout would place them. */
typedef enum {
  COMMON_NONE,
  COMMON_ONE,                   /* one member, at offset 0 */
  COMMON_TWO,                   /* two members, at offsets 0 and 8 */
} CommonFormat;

/* Whether @c is an 8-byte basic type: x, t or d (in the order of how
 * often they are met: x costs one comparison). */
static inline gboolean
is_basic_8 (char c)
{
  return c == 'x' || c == 'd' || c == 't';
}

/* The CommonFormat of @f; for one, its tagged type in @tag and its
 * members' type characters in @types (the second is '\0' for one member). */
static inline __attribute__ ((always_inline)) CommonFormat
common_format (const char *f,
               guintptr   *tag,
               char        types[2])
{
  char a, b;

  if (f[0] != '(')
    {
      if (!is_basic_8 (f[0]) || f[1] != '\0')
        return COMMON_NONE;
      types[0] = f[0];
      types[1] = '\0';
      *tag = JANUS_MESSAGE_INLINE_TAG1 (f[0]);
      return COMMON_ONE;
    }
  a = f[1];
  if (!is_basic_8 (a))
    return COMMON_NONE;
  types[0] = a;
  b = f[2];
  if (b == ')')
    {
      if (f[3] != '\0')
        return COMMON_NONE;
      types[1] = '\0';
      *tag = JANUS_MESSAGE_BODY_TAG | (guintptr) '(' << 8 | (guintptr) (guchar) a << 16
        | (guintptr) ')' << 24;
      return COMMON_ONE;
    }
  if (!is_basic_8 (b) || f[3] != ')' || f[4] != '\0')
    return COMMON_NONE;
  types[1] = b;
  *tag = JANUS_MESSAGE_BODY_TAG | (guintptr) '(' << 8 | (guintptr) (guchar) a << 16
    | (guintptr) (guchar) b << 24 | (guintptr) ')' << 32;
  return COMMON_TWO;
}

/* Stores the next variadic argument, of 8-byte basic type @type, at @p. */
#define PUT_8(p, type, ap)                                      \
  G_STMT_START {                                                \
    if ((type) == 'd')                                          \
      {                                                         \
        double v_ = va_arg (ap, double);                        \
        memcpy ((p), &v_, 8);                                   \
      }                                                         \
    else                                                        \
      {                                                         \
        guint64 v_ = va_arg (ap, guint64);                      \
        memcpy ((p), &v_, 8);                                   \
      }                                                         \
  } G_STMT_END

/* The serialised size of the inline body of type @tag held in @bytes. */
static gsize
inline_size (guintptr      tag,
             const guint8 *bytes)
{
  if (tag == JANUS_MESSAGE_INLINE_TAG1 ('s'))
    return strlen ((const char *) bytes) + 1;
  return LAYOUT_SIZE (layout_of (tag));
}

/* Stores the values of a g_variant_new()-style @format in @m's inline body
 * when the type is small enough (see janus-message-private.h). Returns FALSE
 * otherwise, having consumed part of *@app and perhaps written to `m->v`. */
static gboolean
inline_put (JanusMessage *m,
            const char   *format,
            va_list      *app)
{
  guint8 *out = m->v.bytes;
  guintptr tag = format_tag (format);
  guint64 layout;
  guint32 d;

  if (tag == JANUS_MESSAGE_INLINE_TAG1 ('s'))
    {
      const char *s = va_arg (*app, const char *);
      gsize len;

      if (s == NULL)
        return FALSE;
      len = strnlen (s, JANUS_MESSAGE_INLINE_BODY);
      if (len >= JANUS_MESSAGE_INLINE_BODY || !g_utf8_validate (s, (gssize) len, NULL))
        return FALSE;
      memcpy (out, s, len + 1);
      atomic_store_explicit (&m->body, tag, memory_order_relaxed);
      return TRUE;
    }
  if (tag == 0 || (layout = layout_of (tag)) == 0)
    return FALSE;
  /* the most common body, one 64-bit integer (`x`, `(x)`): no loop */
  if ((guint32) layout == MEMBER_8 << 4)
    {
      m->v.v_int = va_arg (*app, gint64);
      atomic_store_explicit (&m->body, tag, memory_order_relaxed);
      return TRUE;
    }
  for (d = (guint32) layout; d != 0; d >>= 8)
    {
      guint8 *p = out + (d & 0xf);

      switch ((d >> 4) & 0xf)
        {
        case MEMBER_8:
          {
            guint64 v = va_arg (*app, guint64);
            memcpy (p, &v, sizeof v);
          }
          break;
        case MEMBER_DOUBLE:
          {
            double v = va_arg (*app, double);
            memcpy (p, &v, sizeof v);
          }
          break;
        case MEMBER_4:
          {
            guint32 v = va_arg (*app, guint32);
            memcpy (p, &v, sizeof v);
          }
          break;
        case MEMBER_2:
          {
            guint16 v = (guint16) va_arg (*app, int);
            memcpy (p, &v, sizeof v);
          }
          break;
        case MEMBER_1:
          *p = (guint8) va_arg (*app, int);
          break;
        default:                /* MEMBER_BOOLEAN */
          *p = va_arg (*app, gboolean) ? 1 : 0;   /* normal form: 0 or 1 */
          break;
        }
    }
  atomic_store_explicit (&m->body, tag, memory_order_relaxed);
  return TRUE;
}

/* Whether @format is one of the formats inline_get reads: basic fixed-size
 * types alone or in a tuple, or a string. Any other format needs the
 * GVariant. */
static gboolean
simple_format (const char *f)
{
  for (; *f != '\0'; f++)
    if (basic_size (*f) == 0 && *f != '(' && *f != ')' && *f != 's' && *f != '&')
      return FALSE;
  return TRUE;
}

/* Reads an inline body of type @tag with a g_variant_get()-style @format.
 * Returns 1 when read, 0 when the body is not of that type (nothing is
 * written), -1 when @format is beyond what it reads (ask the GVariant). */
static int
inline_get (JanusMessage *m,
            guintptr      tag,
            const char   *format,
            va_list      *app)
{
  const guint8 *in = m->v.bytes;
  guint32 d;

  if (format_tag (format) != tag)
    return simple_format (format) ? 0 : -1;
  if (tag == JANUS_MESSAGE_INLINE_TAG1 ('s'))
    {
      if (format[0] == '&')
        {
          const char **s = va_arg (*app, const char **);
          if (s != NULL)
            *s = (const char *) in;
        }
      else
        {
          char **s = va_arg (*app, char **);
          if (s != NULL)
            *s = g_strdup ((const char *) in);
        }
      return 1;
    }
  d = (guint32) layout_of (tag);
  /* one 64-bit integer or double (`x`, `(x)`, `d` …): no loop */
  if (d == MEMBER_8 << 4 || d == MEMBER_DOUBLE << 4)
    {
      gpointer out = va_arg (*app, gpointer);

      if (out != NULL)
        memcpy (out, in, 8);
      return 1;
    }
  for (; d != 0; d >>= 8)
    {
      const guint8 *p = in + (d & 0xf);
      gpointer out = va_arg (*app, gpointer);

      if (out == NULL)
        continue;
      switch ((d >> 4) & 0xf)
        {
        case MEMBER_8:
        case MEMBER_DOUBLE:
          memcpy (out, p, 8);
          break;
        case MEMBER_4:
          memcpy (out, p, 4);
          break;
        case MEMBER_2:
          memcpy (out, p, 2);
          break;
        case MEMBER_1:
          *(guint8 *) out = *p;
          break;
        default:                /* MEMBER_BOOLEAN */
          *(gboolean *) out = *p;
          break;
        }
    }
  return 1;
}

/* The GVariant an inline body of type @tag stands for. */
static GVariant *
inline_to_variant (JanusMessage *m,
                   guintptr      tag)
{
  char type[JANUS_MESSAGE_INLINE_TYPE + 1];
  g_autoptr(GBytes) bytes = NULL;

  tag_to_string (tag, type);
  bytes = g_bytes_new (m->v.bytes, inline_size (tag, m->v.bytes));
  /* trusted: the bytes are in normal form (zero padding, booleans 0 or 1,
   * strings checked for UTF-8 when stored) */
  return g_variant_ref_sink (g_variant_new_from_bytes (G_VARIANT_TYPE (type), bytes, TRUE));
}

/* Stores a body of type @type serialised in @data in @m's inline body when
 * the type is small enough and @data is in normal form; FALSE otherwise
 * (`m->v` may have been written to). */
static gboolean
inline_put_data (JanusMessage  *m,
                 const char    *type,
                 const guint8  *data,
                 gsize          size)
{
  guint8 *out = m->v.bytes;
  guintptr tag = strchr (type, '&') ? 0 : format_tag (type);
  guint64 layout;
  guint32 d;

  if (tag == 0 || size > JANUS_MESSAGE_INLINE_BODY || (size > 0 && data == NULL))
    return FALSE;
  if (tag == JANUS_MESSAGE_INLINE_TAG1 ('s'))
    {
      /* normal form: the characters, one NUL at the end, UTF-8 */
      if (size == 0 || data[size - 1] != '\0' || strlen ((const char *) data) != size - 1
          || !g_utf8_validate ((const char *) data, (gssize) size - 1, NULL))
        return FALSE;
      memcpy (out, data, size);
      atomic_store_explicit (&m->body, tag, memory_order_relaxed);
      return TRUE;
    }
  if ((layout = layout_of (tag)) == 0 || LAYOUT_SIZE (layout) != size)
    return FALSE;
  /* copy the members to their places in zeroed bytes; in normal form the
   * result is @data again (zero padding, booleans 0 or 1) */
  for (d = (guint32) layout; d != 0; d >>= 8)
    {
      guint off = d & 0xf, kind = (d >> 4) & 0xf;
      static const guint8 sizes[] = {
        [MEMBER_BOOLEAN] = 1, [MEMBER_1] = 1, [MEMBER_2] = 2, [MEMBER_4] = 4,
        [MEMBER_8] = 8, [MEMBER_DOUBLE] = 8,
      };

      if (kind == MEMBER_BOOLEAN && data[off] > 1)
        return FALSE;
      memcpy (out + off, data + off, sizes[kind]);
    }
  if (memcmp (out, data, size) != 0)
    return FALSE;
  atomic_store_explicit (&m->body, tag, memory_order_relaxed);
  return TRUE;
}

/**
 * janus_message_new:
 * @subject: what the message is about, such as `"ping"`
 * @body: (nullable): the content; a floating reference is taken
 *
 * Makes a message whose body is a [struct@GLib.Variant].
 *
 * Returns: (transfer full): a new unsent message
 */
JanusMessage *
janus_message_new (const char *subject,
                   GVariant   *body)
{
  JanusMessage *m;

  g_return_val_if_fail (subject != NULL, NULL);

  if (body != NULL)
    g_variant_ref_sink (body);
  m = message_new (subject, body ? JANUS_BODY_VARIANT : JANUS_BODY_NONE, (guintptr) body);
  return m;
}

/**
 * janus_message_new_values: (skip)
 * @subject: what the message is about
 * @format: a [struct@GLib.Variant] format string, as for g_variant_new()
 * @...: the values, as for g_variant_new()
 *
 * Makes a message whose body is the [struct@GLib.Variant] that
 * `g_variant_new (format, ...)` would make, with the same format strings and
 * arguments.
 *
 * Small bodies cost no [struct@GLib.Variant]: booleans, integers of every size, doubles,
 * short tuples of them (such as `(x)`, `(xx)`, `(dd)`, `(uuii)`: at most
 * four members and 16 bytes) and strings of at most 15 bytes are stored
 * inside the message. [method@Janus.Message.get_values] and the typed
 * getters ([method@Janus.Message.get_int64], [method@Janus.Message.get_double]
 * …) read them from there; [method@Janus.Message.get_body] makes the
 * [struct@GLib.Variant] the first time it is called and keeps it. Other bodies are
 * made with g_variant_new() at once.
 *
 * ```c
 * janus_agent_send (self, peer, janus_message_new_values ("move", "(ii)", x, y), NULL);
 *
 * // in the peer:
 * gint32 x, y;
 * if (janus_message_get_values (m, "(ii)", &x, &y))
 *   ...
 * ```
 *
 * Returns: (transfer full) (nullable): a new unsent message, or `NULL` when
 *   @format and the values are not valid for g_variant_new()
 */
JanusMessage *
janus_message_new_values (const char *subject,
                          const char *format,
                          ...)
{
  JanusMessage *m;
  va_list ap;
  gboolean stored;
  CommonFormat kind;
  guintptr tag;
  char types[2];

  g_return_val_if_fail (subject != NULL, NULL);
  g_return_val_if_fail (format != NULL, NULL);

  kind = common_format (format, &tag, types);
  if (G_LIKELY (kind != COMMON_NONE))
    {
      m = message_new (subject, JANUS_BODY_INLINE, tag);
      va_start (ap, format);
      PUT_8 (m->v.bytes, types[0], ap);
      if (kind == COMMON_TWO)
        PUT_8 (m->v.bytes + 8, types[1], ap);
      va_end (ap);
      return m;
    }
  m = message_new (subject, JANUS_BODY_INLINE, 0);
  va_start (ap, format);
  stored = inline_put (m, format, &ap);
  va_end (ap);
  if (!stored)
    {
      GVariant *body;

      va_start (ap, format);
      body = g_variant_new_va (format, NULL, &ap);
      va_end (ap);
      if (body == NULL)
        {
          message_free (m);
          return NULL;
        }
      m->flags = (m->flags & ~JANUS_MESSAGE_BODY_MASK) | JANUS_BODY_VARIANT;
      m->v.data = NULL;
      m->v.destroy = NULL;
      atomic_store_explicit (&m->body, (guintptr) g_variant_ref_sink (body),
                             memory_order_relaxed);
    }
  return m;
}

/**
 * janus_message_new_from_data:
 * @subject: what the message is about
 * @type_string: the body's [struct@GLib.Variant] type, a definite type string such as
 *   `"(xx)"`
 * @data: (array length=size) (element-type guint8) (nullable): the body,
 *   serialised as g_variant_get_data() gives it
 * @size: the size of @data in bytes
 *
 * Makes a message whose body is a value given in its serialised form, the
 * one [method@Janus.Message.get_body_data] and g_variant_get_data() give:
 * for language bindings and codecs that carry values as bytes. A small
 * body (see [ctor@Janus.Message.new_values]) is stored inside the message;
 * any other is a [struct@GLib.Variant] made from a copy of @data. Data not in normal
 * form is read as g_variant_new_from_data() reads untrusted data.
 *
 * Returns: (transfer full): a new unsent message
 */
JanusMessage *
janus_message_new_from_data (const char    *subject,
                             const char    *type_string,
                             gconstpointer  data,
                             gsize          size)
{
  JanusMessage *m;
  g_autoptr(GBytes) bytes = NULL;
  GVariant *body;

  g_return_val_if_fail (subject != NULL, NULL);
  g_return_val_if_fail (type_string != NULL && g_variant_type_string_is_valid (type_string), NULL);
  g_return_val_if_fail (g_variant_type_is_definite (G_VARIANT_TYPE (type_string)), NULL);
  g_return_val_if_fail (data != NULL || size == 0, NULL);

  m = message_new (subject, JANUS_BODY_INLINE, 0);
  if (inline_put_data (m, type_string, data, size))
    return m;
  m->flags = (m->flags & ~JANUS_MESSAGE_BODY_MASK) | JANUS_BODY_VARIANT;
  m->v.data = NULL;
  m->v.destroy = NULL;
  bytes = g_bytes_new (data, size);
  body = g_variant_new_from_bytes (G_VARIANT_TYPE (type_string), bytes, FALSE);
  atomic_store_explicit (&m->body, (guintptr) g_variant_ref_sink (body), memory_order_relaxed);
  return m;
}

/**
 * janus_message_new_int64:
 * @subject: what the message is about
 * @value: the body
 *
 * Makes a message whose body is one integer, stored inside the message: the
 * cheapest message there is. [method@Janus.Message.get_int64] reads it;
 * [method@Janus.Message.get_body] returns it as a `x` [struct@GLib.Variant].
 *
 * Returns: (transfer full): a new unsent message
 */
JanusMessage *
janus_message_new_int64 (const char *subject,
                         gint64      value)
{
  JanusMessage *m;

  g_return_val_if_fail (subject != NULL, NULL);

  m = message_new (subject, JANUS_BODY_INLINE, JANUS_MESSAGE_INLINE_TAG1 ('x'));
  m->v.v_int = value;
  return m;
}

/**
 * janus_message_new_double:
 * @subject: what the message is about
 * @value: the body
 *
 * Makes a message whose body is one double, stored inside the message.
 * [method@Janus.Message.get_double] reads it; [method@Janus.Message.get_body]
 * returns it as a `d` [struct@GLib.Variant].
 *
 * Returns: (transfer full): a new unsent message
 */
JanusMessage *
janus_message_new_double (const char *subject,
                          gdouble     value)
{
  JanusMessage *m;

  g_return_val_if_fail (subject != NULL, NULL);

  m = message_new (subject, JANUS_BODY_INLINE, JANUS_MESSAGE_INLINE_TAG1 ('d'));
  memcpy (m->v.bytes, &value, sizeof value);
  return m;
}

/**
 * janus_message_new_boolean:
 * @subject: what the message is about
 * @value: the body
 *
 * Makes a message whose body is one boolean, stored inside the message.
 * [method@Janus.Message.get_boolean] reads it; [method@Janus.Message.get_body]
 * returns it as a `b` [struct@GLib.Variant].
 *
 * Returns: (transfer full): a new unsent message
 */
JanusMessage *
janus_message_new_boolean (const char *subject,
                           gboolean    value)
{
  JanusMessage *m;

  g_return_val_if_fail (subject != NULL, NULL);

  m = message_new (subject, JANUS_BODY_INLINE, JANUS_MESSAGE_INLINE_TAG1 ('b'));
  m->v.bytes[0] = value ? 1 : 0;
  return m;
}

/**
 * janus_message_new_string:
 * @subject: what the message is about
 * @value: the body, valid UTF-8
 *
 * Makes a message whose body is a string. One of at most 15 bytes is stored
 * inside the message; a longer one is a `s` [struct@GLib.Variant].
 * [method@Janus.Message.get_string] reads it; [method@Janus.Message.get_body]
 * returns it as a `s` [struct@GLib.Variant].
 *
 * Returns: (transfer full) (nullable): a new unsent message, or `NULL` when
 *   @value is not valid UTF-8
 */
JanusMessage *
janus_message_new_string (const char *subject,
                          const char *value)
{
  g_return_val_if_fail (subject != NULL, NULL);
  g_return_val_if_fail (value != NULL, NULL);

  return janus_message_new_values (subject, "s", value);
}

/**
 * janus_message_new_pointer: (skip)
 * @subject: what the message is about
 * @data: (nullable): the body
 * @destroy: (nullable): frees @data when the message is freed
 *
 * Makes a message carrying a pointer, for traffic between C agents of one
 * process. Such a message has exactly one receiver: it cannot be copied or
 * broadcast, and [method@Janus.Message.get_body] returns `NULL` for it.
 *
 * Returns: (transfer full): a new unsent message
 */
JanusMessage *
janus_message_new_pointer (const char     *subject,
                           gpointer        data,
                           GDestroyNotify  destroy)
{
  JanusMessage *m;

  g_return_val_if_fail (subject != NULL, NULL);

  m = message_new (subject, JANUS_BODY_POINTER, 0);
  m->v.data = data;
  m->v.destroy = destroy;
  return m;
}

/* A due timer on its way to its agent: never shown to user code. */
JanusMessage *
janus_message_new_internal (gpointer timer)
{
  JanusMessage *m = message_new ("janus-timer", JANUS_BODY_POINTER, 0);

  m->flags |= JANUS_MESSAGE_INTERNAL;
  m->v.data = timer;
  return m;
}

/* Work on its way to its agent's turn (a JanusAgentTask, which the agent
 * layer defines): never shown to user code. The message does not own the
 * task; whoever takes the message runs or cancels it. */
JanusMessage *
janus_message_new_task (gpointer task)
{
  JanusMessage *m = message_new ("janus-task", JANUS_BODY_POINTER, 0);

  m->flags |= JANUS_MESSAGE_TASK;
  m->v.data = task;
  return m;
}

/* An unsent message with the subject, body and priority of @message. A
 * pointer body is shared without its destroy function (the original frees
 * it): callers allow that for a single receiver only. */
JanusMessage *
janus_message_clone_for (JanusMessage *message)
{
  JanusBodyKind kind = janus_message_body_kind (message);
  guintptr body = atomic_load_explicit (&message->body, memory_order_acquire);
  JanusMessage *m;

  if (body != 0 && !(body & JANUS_MESSAGE_BODY_TAG))
    g_variant_ref ((GVariant *) body);
  m = message_new (message->subject, kind, body);
  m->priority = message->priority;
  if (kind == JANUS_BODY_POINTER)
    m->v.data = message->v.data;
  else
    m->v = message->v;
  return m;
}

/* janus_message_check_unsent for a message sent already. */
gboolean
janus_message_refuse_sent (JanusMessage  *message,
                           GError       **error)
{
  g_set_error (error, JANUS_MESSAGE_ERROR, JANUS_MESSAGE_ERROR_ALREADY_SENT,
               "Message “%s” was sent already; send a copy (janus_message_copy) "
               "instead", message->subject);
  return FALSE;
}

/**
 * janus_message_copy:
 * @message: a message whose body is not a pointer
 *
 * Makes an unsent message with the subject, body and priority of @message,
 * for sending the same content again. The body is shared, not copied.
 *
 * Returns: (transfer full): a new unsent message
 */
JanusMessage *
janus_message_copy (JanusMessage *message)
{
  g_return_val_if_fail (message != NULL, NULL);
  g_return_val_if_fail (janus_message_body_kind (message) != JANUS_BODY_POINTER, NULL);

  return janus_message_clone_for (message);
}

/**
 * janus_message_ref:
 * @message: a message
 *
 * Takes a reference on a message. MT safe.
 *
 * Returns: (transfer full): @message, with one more reference
 */
JanusMessage *
janus_message_ref (JanusMessage *message)
{
  g_return_val_if_fail (message != NULL, NULL);

  /* relaxed: taking a reference needs one already, which orders it */
  atomic_fetch_add_explicit (&message->ref_count, 1, memory_order_relaxed);
  return message;
}

/* Whether freeing @m is only giving its memory back: no route, no heap
 * subject, no GVariant, no pointer body. The body kinds that own something
 * (a GVariant, a pointer) have bit 0 set; an inline body owns a GVariant
 * once it was made (its word is then untagged). One test of the flags and
 * one of the body word. */
static inline gboolean
message_owns_nothing (JanusMessage *m)
{
  guintptr body = atomic_load_explicit (&m->body, memory_order_relaxed);

  G_STATIC_ASSERT ((JANUS_BODY_VARIANT & 1) && (JANUS_BODY_POINTER & 1)
                   && !(JANUS_BODY_NONE & 1) && !(JANUS_BODY_INLINE & 1));
  return !(m->flags & (JANUS_MESSAGE_ROUTED | JANUS_MESSAGE_SUBJECT_HEAP | 1))
         && ((body & JANUS_MESSAGE_BODY_TAG) || body == 0);
}

static void
message_free (JanusMessage *m)
{
  guintptr body = atomic_load_explicit (&m->body, memory_order_relaxed);

  /* the flag, not the pointer: an ordinary message's second line is not
   * loaded */
  if (m->flags & JANUS_MESSAGE_ROUTED)
    janus_message_route_unref (m->route);
  if (body != 0 && !(body & JANUS_MESSAGE_BODY_TAG))
    g_variant_unref ((GVariant *) body);
  if (janus_message_body_kind (m) == JANUS_BODY_POINTER && m->v.destroy != NULL)
    m->v.destroy (m->v.data);
  if (m->flags & JANUS_MESSAGE_SUBJECT_HEAP)
    g_free ((char *) m->subject);
  message_release (m);
}

/**
 * janus_message_unref:
 * @message: (transfer full): a message
 *
 * Drops a reference; the last one frees the message.
 */
void
janus_message_unref (JanusMessage *message)
{
  g_return_if_fail (message != NULL);

  /* sole owner (the common case: a received message): nobody else can take
   * a reference, so no atomic write is needed; the acquire load orders the
   * previous holders' releases before the free */
  if (atomic_load_explicit (&message->ref_count, memory_order_acquire) == 1)
    {
      if (G_LIKELY (message_owns_nothing (message)))
        message_release (message);
      else
        message_free (message);
      return;
    }
  /* acq_rel: the release half orders this holder's uses before the
   * decrement, the acquire half (on the last reference) orders every other
   * holder's uses before the free. Same cost as release + acquire fence on
   * x86 and arm64 (one locked RMW), and ThreadSanitizer models it, where it
   * does not model a standalone fence */
  if (atomic_fetch_sub_explicit (&message->ref_count, 1, memory_order_acq_rel) == 1)
    message_free (message);
}

/**
 * janus_message_get_subject:
 * @message: a message
 *
 * Gets what the message is about.
 *
 * Returns: the subject of @message
 */
const char *
janus_message_get_subject (JanusMessage *message)
{
  g_return_val_if_fail (message != NULL, NULL);

  return message->subject;
}

/**
 * janus_message_has_subject:
 * @message: a message
 * @subject: a subject
 *
 * Tells whether the message has the subject @subject.
 *
 * Returns: whether the subject of @message is @subject
 */
gboolean
janus_message_has_subject (JanusMessage *message,
                           const char   *subject)
{
  const char *a;

  g_return_val_if_fail (message != NULL, FALSE);
  g_return_val_if_fail (subject != NULL, FALSE);

  /* subjects are short and usually differ early: no call to strcmp */
  for (a = message->subject; *a != '\0' && *a == *subject; a++, subject++)
    ;
  return *a == *subject;
}

/**
 * janus_message_get_body:
 * @message: a message
 *
 * Gets the body as a [struct@GLib.Variant]. A body stored inside the message (by
 * [ctor@Janus.Message.new_int64], [ctor@Janus.Message.new_values] and the
 * other typed constructors) is made into its [struct@GLib.Variant] on the first call and
 * kept: every call returns the same one, from any thread. A pointer body
 * gives `NULL`.
 *
 * Returns: (transfer none) (nullable): the body, valid as long as @message
 */
GVariant *
janus_message_get_body (JanusMessage *message)
{
  guintptr w;
  GVariant *v;

  g_return_val_if_fail (message != NULL, NULL);

  /* acquire: pairs with the CAS below when another thread made it */
  w = atomic_load_explicit (&message->body, memory_order_acquire);
  if (!(w & JANUS_MESSAGE_BODY_TAG))
    return (GVariant *) w;

  /* several holders may get here at once: the first CAS wins, the others
   * drop theirs and return the winner's */
  v = inline_to_variant (message, w);
  if (atomic_compare_exchange_strong_explicit (&message->body, &w, (guintptr) v,
                                               memory_order_acq_rel,
                                               memory_order_acquire))
    return v;
  g_variant_unref (v);
  return (GVariant *) w;
}

/**
 * janus_message_get_values: (skip)
 * @message: a message
 * @format: a [struct@GLib.Variant] format string, as for g_variant_get()
 * @...: where to put the values, as for g_variant_get()
 *
 * Reads the body as `g_variant_get (body, format, ...)` would, when the
 * body's type matches @format, and returns `FALSE` (writing nothing)
 * otherwise — also for a message without a body or with a pointer body.
 *
 * The body stored inside the message by [ctor@Janus.Message.new_values]
 * is read from there, without a [struct@GLib.Variant], for formats made of basic
 * fixed-size types, alone or in a tuple, and strings (`x`, `(xx)`,
 * `(dib)`, `&s`, `s` …); other formats and [struct@GLib.Variant] bodies go through
 * g_variant_get(). As there, `&s` points into the message (valid as long as
 * @message) and `s` gives a copy to free; `NULL` pointers skip a value.
 *
 * Returns: whether the body has the type of @format (and was read)
 */
gboolean
janus_message_get_values (JanusMessage *message,
                          const char   *format,
                          ...)
{
  GVariant *body;
  va_list ap;
  int got;
  CommonFormat kind;
  guintptr tag;
  char types[2];

  g_return_val_if_fail (message != NULL, FALSE);
  g_return_val_if_fail (format != NULL, FALSE);

  switch (janus_message_body_kind (message))
    {
    case JANUS_BODY_INLINE:
      kind = common_format (format, &tag, types);
      if (G_LIKELY (kind != COMMON_NONE) && tag == inline_tag (message))
        {
          gpointer out;

          va_start (ap, format);
          if ((out = va_arg (ap, gpointer)) != NULL)
            memcpy (out, message->v.bytes, 8);
          if (kind == COMMON_TWO && (out = va_arg (ap, gpointer)) != NULL)
            memcpy (out, message->v.bytes + 8, 8);
          va_end (ap);
          return TRUE;
        }
      va_start (ap, format);
      got = inline_get (message, inline_tag (message), format, &ap);
      va_end (ap);
      if (got >= 0)
        return got;
      body = janus_message_get_body (message);
      break;
    case JANUS_BODY_VARIANT:
      body = (GVariant *) atomic_load_explicit (&message->body, memory_order_relaxed);
      break;
    default:
      return FALSE;
    }
  if (!g_variant_check_format_string (body, format, FALSE))
    return FALSE;
  va_start (ap, format);
  g_variant_get_va (body, format, NULL, &ap);
  va_end (ap);
  return TRUE;
}

/**
 * janus_message_has_body_type:
 * @message: a message
 * @type_string: a [struct@GLib.Variant] type string, such as `"(xx)"` (indefinite types
 *   such as `"(**)"` match as in g_variant_is_of_type())
 *
 * Tells whether the body is a value of type @type_string, without making
 * the [struct@GLib.Variant] of a body stored inside the message.
 *
 * Returns: whether @message has a body of that type (`FALSE` for no body
 *   and for a pointer body)
 */
gboolean
janus_message_has_body_type (JanusMessage *message,
                             const char   *type_string)
{
  char type[JANUS_MESSAGE_INLINE_TYPE + 1];
  guintptr w;

  g_return_val_if_fail (message != NULL, FALSE);
  g_return_val_if_fail (type_string != NULL && g_variant_type_string_is_valid (type_string), FALSE);

  switch (janus_message_body_kind (message))
    {
    case JANUS_BODY_INLINE:
      w = inline_tag (message);
      tag_to_string (w, type);
      return strcmp (type, type_string) == 0
        || g_variant_type_is_subtype_of (G_VARIANT_TYPE (type), G_VARIANT_TYPE (type_string));
    case JANUS_BODY_VARIANT:
      w = atomic_load_explicit (&message->body, memory_order_relaxed);
      return g_variant_is_of_type ((GVariant *) w, G_VARIANT_TYPE (type_string));
    default:
      return FALSE;
    }
}

/**
 * janus_message_get_body_type:
 * @message: a message
 *
 * Gets the [struct@GLib.Variant] type of the body, without making the [struct@GLib.Variant] of a
 * body stored inside the message.
 *
 * Returns: (nullable): the body's type string, such as `"(xx)"`, valid as
 *   long as @message; `NULL` for no body and for a pointer body
 */
const char *
janus_message_get_body_type (JanusMessage *message)
{
  char type[JANUS_MESSAGE_INLINE_TYPE + 1];

  g_return_val_if_fail (message != NULL, NULL);

  switch (janus_message_body_kind (message))
    {
    case JANUS_BODY_INLINE:
      /* the few inline types are interned once each */
      tag_to_string (inline_tag (message), type);
      return g_intern_string (type);
    case JANUS_BODY_VARIANT:
      return g_variant_get_type_string ((GVariant *) atomic_load_explicit (&message->body,
                                                                           memory_order_relaxed));
    default:
      return NULL;
    }
}

/**
 * janus_message_get_body_data:
 * @message: a message
 * @type_string: (out) (optional) (nullable) (transfer none): where to put
 *   the body's type string (as [method@Janus.Message.get_body_type] gives
 *   it), `NULL` for no body and for a pointer body
 * @size: (out): where to put the size of the data in bytes
 *
 * Gets the body in its serialised form, as g_variant_get_data() gives it,
 * and its type, without making the [struct@GLib.Variant] of a body stored inside the
 * message: for language bindings and codecs (see
 * [ctor@Janus.Message.new_from_data]).
 *
 * Returns: (array length=size) (element-type guint8) (transfer none) (nullable):
 *   the serialised body, valid as long as @message; `NULL` (and a size of 0)
 *   for no body and for a pointer body
 */
gconstpointer
janus_message_get_body_data (JanusMessage  *message,
                             const char   **type_string,
                             gsize         *size)
{
  GVariant *v;
  guintptr tag;

  g_return_val_if_fail (message != NULL, NULL);
  g_return_val_if_fail (size != NULL, NULL);

  switch (janus_message_body_kind (message))
    {
    case JANUS_BODY_INLINE:
      tag = inline_tag (message);
      if (type_string != NULL)
        {
          char type[JANUS_MESSAGE_INLINE_TYPE + 1];

          tag_to_string (tag, type);
          *type_string = g_intern_string (type);
        }
      *size = inline_size (tag, message->v.bytes);
      return message->v.bytes;
    case JANUS_BODY_VARIANT:
      v = (GVariant *) atomic_load_explicit (&message->body, memory_order_relaxed);
      if (type_string != NULL)
        *type_string = g_variant_get_type_string (v);
      *size = g_variant_get_size (v);
      return g_variant_get_data (v);
    default:
      if (type_string != NULL)
        *type_string = NULL;
      *size = 0;
      return NULL;
    }
}

/* Reads a one-character-type body (@c, of GVariant type @type) into @out
 * (@size bytes, or a gboolean for 'b'). Not inlined: the getters' fast
 * paths stay leaf functions. */
static G_GNUC_NO_INLINE gboolean
get_single (JanusMessage       *message,
           char                c,
           const GVariantType *type,
           gpointer            out,
           gsize               size)
{
  GVariant *v;

  switch (janus_message_body_kind (message))
    {
    case JANUS_BODY_INLINE:
      if (inline_tag (message) != JANUS_MESSAGE_INLINE_TAG1 (c))
        return FALSE;
      if (out == NULL)
        return TRUE;
      if (c == 'b')
        *(gboolean *) out = message->v.bytes[0];
      else if (c == 's')
        *(const char **) out = (const char *) message->v.bytes;
      else
        memcpy (out, message->v.bytes, size);
      return TRUE;
    case JANUS_BODY_VARIANT:
      v = (GVariant *) atomic_load_explicit (&message->body, memory_order_relaxed);
      if (!g_variant_is_of_type (v, type))
        return FALSE;
      if (out == NULL)
        return TRUE;
      if (c == 'b')
        *(gboolean *) out = g_variant_get_boolean (v);
      else if (c == 's')
        *(const char **) out = g_variant_get_string (v, NULL);
      else
        memcpy (out, g_variant_get_data (v), size);
      return TRUE;
    default:
      return FALSE;
    }
}

/**
 * janus_message_get_int64:
 * @message: a message
 * @value: (out) (optional): the integer body
 *
 * Reads an integer body: one made by [ctor@Janus.Message.new_int64] (or
 * [ctor@Janus.Message.new_values] with `x`), or a `x` [struct@GLib.Variant] body.
 *
 * Returns: whether the body is an integer (@value is left alone otherwise)
 */
gboolean
janus_message_get_int64 (JanusMessage *message,
                         gint64       *value)
{
  g_return_val_if_fail (message != NULL, FALSE);

  /* the common case first: an inline integer nobody made a GVariant of */
  if (G_LIKELY (atomic_load_explicit (&message->body, memory_order_relaxed)
                == JANUS_MESSAGE_INLINE_TAG1 ('x')))
    {
      if (value)
        *value = message->v.v_int;
      return TRUE;
    }
  return get_single (message, 'x', G_VARIANT_TYPE_INT64, value, sizeof (gint64));
}

/**
 * janus_message_get_double:
 * @message: a message
 * @value: (out) (optional): the double body
 *
 * Reads a double body: one made by [ctor@Janus.Message.new_double] (or
 * [ctor@Janus.Message.new_values] with `d`), or a `d` [struct@GLib.Variant] body.
 *
 * Returns: whether the body is a double (@value is left alone otherwise)
 */
gboolean
janus_message_get_double (JanusMessage *message,
                          gdouble      *value)
{
  g_return_val_if_fail (message != NULL, FALSE);

  return get_single (message, 'd', G_VARIANT_TYPE_DOUBLE, value, sizeof (gdouble));
}

/**
 * janus_message_get_boolean:
 * @message: a message
 * @value: (out) (optional): the boolean body
 *
 * Reads a boolean body: one made by [ctor@Janus.Message.new_boolean] (or
 * [ctor@Janus.Message.new_values] with `b`), or a `b` [struct@GLib.Variant] body.
 *
 * Returns: whether the body is a boolean (@value is left alone otherwise)
 */
gboolean
janus_message_get_boolean (JanusMessage *message,
                           gboolean     *value)
{
  g_return_val_if_fail (message != NULL, FALSE);

  return get_single (message, 'b', G_VARIANT_TYPE_BOOLEAN, value, sizeof (gboolean));
}

/**
 * janus_message_get_string:
 * @message: a message
 * @value: (out) (optional) (transfer none): the string body, valid as long
 *   as @message
 *
 * Reads a string body: one made by [ctor@Janus.Message.new_string] (or
 * [ctor@Janus.Message.new_values] with `s`), or a `s` [struct@GLib.Variant] body.
 *
 * Returns: whether the body is a string (@value is left alone otherwise)
 */
gboolean
janus_message_get_string (JanusMessage  *message,
                          const char   **value)
{
  g_return_val_if_fail (message != NULL, FALSE);

  return get_single (message, 's', G_VARIANT_TYPE_STRING, value, sizeof (const char *));
}

/**
 * janus_message_get_pointer: (skip)
 * @message: a message
 *
 * Gets a pointer body.
 *
 * Returns: (nullable): the pointer body given to
 *   [ctor@Janus.Message.new_pointer], or `NULL` for other bodies
 */
gpointer
janus_message_get_pointer (JanusMessage *message)
{
  g_return_val_if_fail (message != NULL, NULL);

  if (janus_message_body_kind (message) != JANUS_BODY_POINTER)
    return NULL;
  return message->v.data;
}

/**
 * janus_message_get_sender:
 * @message: a message
 *
 * Gets the address of the sender.
 *
 * Returns: (transfer none) (nullable): the address of the agent (or kernel)
 *   that sent @message, or `NULL` while it is not sent
 */
const JanusAddress *
janus_message_get_sender (JanusMessage *message)
{
  g_return_val_if_fail (message != NULL, NULL);

  return janus_message_sent (message) ? &message->sender : NULL;
}

/**
 * janus_message_get_receiver:
 * @message: a message
 *
 * Gets the address the message was sent to.
 *
 * Returns: (transfer none) (nullable): the address @message was sent to, or
 *   `NULL` while it is not sent
 */
const JanusAddress *
janus_message_get_receiver (JanusMessage *message)
{
  g_return_val_if_fail (message != NULL, NULL);

  return janus_message_sent (message) ? &message->receiver : NULL;
}

/**
 * janus_message_get_timestamp:
 * @message: a message
 *
 * Gets when @message was sent, in microseconds of the sending kernel's clock:
 * for the real-time clock, since the Unix epoch, with the resolution of the
 * system's coarse clock (a few milliseconds). Every message an agent sends
 * during one step carries the time of that step.
 *
 * Returns: the send time, or 0 while the message is not sent
 */
gint64
janus_message_get_timestamp (JanusMessage *message)
{
  g_return_val_if_fail (message != NULL, 0);

  return message->timestamp;
}

/**
 * janus_message_get_priority:
 * @message: a message
 *
 * Gets the message's priority.
 *
 * Returns: the priority of @message (0 unless set)
 */
int
janus_message_get_priority (JanusMessage *message)
{
  g_return_val_if_fail (message != NULL, 0);

  return message->priority;
}

/**
 * janus_message_set_priority:
 * @message: an unsent message
 * @priority: from -32768 to 32767; higher is more urgent
 *
 * Sets the priority used by `JANUS_MAILBOX_KIND_PRIORITY` mailboxes (other
 * kinds ignore it). Only an unsent message can be changed.
 */
void
janus_message_set_priority (JanusMessage *message,
                            int           priority)
{
  g_return_if_fail (message != NULL);
  g_return_if_fail (!janus_message_sent (message));
  g_return_if_fail (priority >= G_MININT16 && priority <= G_MAXINT16);

  message->priority = (gint16) priority;
}

/**
 * janus_message_is_sent:
 * @message: a message
 *
 * Tells whether the message was sent.
 *
 * Returns: whether @message was sent (and is therefore immutable)
 */
gboolean
janus_message_is_sent (JanusMessage *message)
{
  g_return_val_if_fail (message != NULL, FALSE);

  return janus_message_sent (message);
}

/* ----------------------------------------------------------- role routes */

JanusMessageRoute *
janus_message_route_new (guint64 group_id,
                         GType   sender_role,
                         GType   receiver_role)
{
  JanusMessageRoute *route = g_new (JanusMessageRoute, 1);

  atomic_init (&route->ref_count, 1);
  route->group_id = group_id;
  route->sender_role = sender_role;
  route->receiver_role = receiver_role;
  route->receiver_serial = 0;
  return route;
}

/* A route with these fields and no receiver serial, shared with earlier
 * messages of this thread when one matches: no allocation per message. */
JanusMessageRoute *
janus_message_route_shared (guint64 group_id,
                            GType   sender_role,
                            GType   receiver_role)
{
  JanusMessageRoute *route;
  guint i;

  if (G_UNLIKELY (janus_debug_flags & JANUS_DEBUG_NO_CACHE))
    return janus_message_route_new (group_id, sender_role, receiver_role);
  for (i = 0; i < ROUTE_CACHE; i++)
    {
      route = cache.routes[i];
      if (route != NULL && route->group_id == group_id
          && route->sender_role == sender_role && route->receiver_role == receiver_role)
        return janus_message_route_ref (route);
    }
  if (G_UNLIKELY (!cache.registered))
    {
      cache.registered = TRUE;
      g_private_set (&cache_key, &cache);
    }
  route = janus_message_route_new (group_id, sender_role, receiver_role);
  i = cache.route_next++ % ROUTE_CACHE;
  if (cache.routes[i] != NULL)
    janus_message_route_unref (cache.routes[i]);
  cache.routes[i] = janus_message_route_ref (route);
  return route;
}

JanusMessageRoute *
janus_message_route_ref (JanusMessageRoute *route)
{
  atomic_fetch_add_explicit (&route->ref_count, 1, memory_order_relaxed);
  return route;
}

void
janus_message_route_unref (JanusMessageRoute *route)
{
  if (atomic_fetch_sub_explicit (&route->ref_count, 1, memory_order_acq_rel) == 1)
    g_free (route);
}

/**
 * janus_message_get_sender_role:
 * @message: a message
 *
 * Gets the role type that sent a role message.
 *
 * Returns: the sending role's type, or `G_TYPE_INVALID` for a direct message
 */
GType
janus_message_get_sender_role (JanusMessage *message)
{
  g_return_val_if_fail (message != NULL, G_TYPE_INVALID);

  return message->route ? message->route->sender_role : G_TYPE_INVALID;
}

/**
 * janus_message_get_receiver_role:
 * @message: a message
 *
 * Gets the role type a role message was addressed to (the receiving role is
 * of that type or a subclass).
 *
 * Returns: the receiving role type, or `G_TYPE_INVALID` for a direct message
 */
GType
janus_message_get_receiver_role (JanusMessage *message)
{
  g_return_val_if_fail (message != NULL, G_TYPE_INVALID);

  return message->route ? message->route->receiver_role : G_TYPE_INVALID;
}
