/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "janus-net-endpoint-private.h"

static GMutex lock;            /* GMutex: visible to the TSan build's shim */
static GHashTable *by_uuid;     /* 16 bytes -> "host:port" */
static GHashTable *by_key;      /* "host:port" -> 16 bytes */

static guint
uuid_hash (gconstpointer key)
{
  guint h;

  memcpy (&h, (const guint8 *) key + 12, sizeof h);
  return h;
}

static gboolean
uuid_equal (gconstpointer a,
            gconstpointer b)
{
  return memcmp (a, b, 16) == 0;
}

static void
ensure_tables (void)
{
  if (by_uuid != NULL)
    return;
  by_uuid = g_hash_table_new_full (uuid_hash, uuid_equal, g_free, g_free);
  by_key = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

/* "host:port" with a lower-case host and a port in 1..65535; an IPv6 host
 * in brackets. NULL if @host_and_port is not that. */
char *
janus_net_endpoint_canonical (const char *host_and_port)
{
  const char *colon = strrchr (host_and_port, ':');
  g_autofree char *host = NULL;
  guint64 port;
  char *end = NULL;
  gsize len;

  if (colon == NULL || colon == host_and_port || !g_ascii_isdigit (colon[1]))
    return NULL;
  port = g_ascii_strtoull (colon + 1, &end, 10);
  if (*end != '\0' || port == 0 || port > 65535)
    return NULL;
  host = g_ascii_strdown (host_and_port, colon - host_and_port);
  len = strlen (host);
  if (host[0] == '[')
    {
      if (len < 3 || host[len - 1] != ']' || strchr (host + 1, '[') != NULL)
        return NULL;
    }
  else if (strpbrk (host, ":/[] \t") != NULL)
    return NULL;
  return g_strdup_printf ("%s:%u", host, (guint) port);
}

/* A name-based UUID (version 5 layout) for an endpoint with no kernel of
 * its own here. */
static void
derive_uuid (const char *key,
             guint8      out[16])
{
  g_autoptr(GChecksum) sha = g_checksum_new (G_CHECKSUM_SHA1);
  guint8 digest[20];
  gsize len = sizeof digest;

  g_checksum_update (sha, (const guchar *) "janus-c tcp://", -1);
  g_checksum_update (sha, (const guchar *) key, -1);
  g_checksum_get_digest (sha, digest, &len);
  memcpy (out, digest, 16);
  out[6] = (out[6] & 0x0F) | 0x50;
  out[8] = (out[8] & 0x3F) | 0x80;
}

/* The UUID that addresses at @key carry: the listening kernel's, or one
 * derived from @key (then registered). */
void
janus_net_endpoint_uuid (const char *key,
                         guint8      out[16])
{
  const guint8 *found;

  g_mutex_lock (&lock);
  ensure_tables ();
  found = g_hash_table_lookup (by_key, key);
  if (found != NULL)
    memcpy (out, found, 16);
  else
    {
      derive_uuid (key, out);
      g_hash_table_replace (by_key, g_strdup (key), g_memdup2 (out, 16));
      if (!g_hash_table_contains (by_uuid, out))
        g_hash_table_replace (by_uuid, g_memdup2 (out, 16), g_strdup (key));
    }
  g_mutex_unlock (&lock);
}

/* "tcp://host:port/<id>" (an agent) or "tcp://host:port/" (a kernel). */
gboolean
janus_net_endpoint_parse (const char *text,
                          guint8      kernel[16],
                          guint64    *id)
{
  const char *slash;
  g_autofree char *raw = NULL, *key = NULL;
  char *end = NULL;

  if (!g_str_has_prefix (text, "tcp://"))
    return FALSE;
  slash = strrchr (text + 6, '/');
  if (slash == NULL)
    return FALSE;
  raw = g_strndup (text + 6, slash - (text + 6));
  key = janus_net_endpoint_canonical (raw);
  if (key == NULL)
    return FALSE;
  if (slash[1] == '\0')
    *id = G_MAXUINT64;
  else
    {
      if (!g_ascii_isdigit (slash[1]))
        return FALSE;
      *id = g_ascii_strtoull (slash + 1, &end, 10);
      if (*end != '\0' || *id == G_MAXUINT64)
        return FALSE;
    }
  janus_net_endpoint_uuid (key, kernel);
  return TRUE;
}

char *
janus_net_endpoint_key (const guint8 kernel[16])
{
  char *key = NULL;

  g_mutex_lock (&lock);
  if (by_uuid != NULL)
    key = g_strdup (g_hash_table_lookup (by_uuid, kernel));
  g_mutex_unlock (&lock);
  return key;
}

/* "tcp://host:port" for a kernel with an endpoint, else NULL. */
char *
janus_net_endpoint_format (const guint8 kernel[16])
{
  char *key = janus_net_endpoint_key (kernel);
  char *uri;

  if (key == NULL)
    return NULL;
  uri = g_strconcat ("tcp://", key, NULL);
  g_free (key);
  return uri;
}

/* A kernel of this process listens on @key. */
void
janus_net_endpoint_bind (const guint8  kernel[16],
                         const char   *key)
{
  g_mutex_lock (&lock);
  ensure_tables ();
  g_hash_table_replace (by_uuid, g_memdup2 (kernel, 16), g_strdup (key));
  g_hash_table_replace (by_key, g_strdup (key), g_memdup2 (kernel, 16));
  g_mutex_unlock (&lock);
}

/* The kernel stopped listening: its addresses print as janus:// again. */
void
janus_net_endpoint_unbind (const guint8 kernel[16])
{
  char *key;

  g_mutex_lock (&lock);
  key = by_uuid ? g_hash_table_lookup (by_uuid, kernel) : NULL;
  if (key != NULL)
    {
      const guint8 *bound = g_hash_table_lookup (by_key, key);
      if (bound != NULL && memcmp (bound, kernel, 16) == 0)
        g_hash_table_remove (by_key, key);
      g_hash_table_remove (by_uuid, kernel);
    }
  g_mutex_unlock (&lock);
}
