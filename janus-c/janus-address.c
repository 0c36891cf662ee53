/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "janus-address-private.h"
#include "janus-error.h"
#include "janus-net-endpoint-private.h"

/**
 * JanusAddress:
 *
 * The address of an agent: the UUID of the kernel that runs it plus the
 * agent's identifier inside that kernel.
 *
 * Identifiers are handed out sequentially by each kernel, starting at 0 and
 * never reused, the way aiomas numbers its agents. A kernel also has an
 * address of its own (see [method@Janus.Address.is_kernel]): messages sent
 * from outside any agent come from it.
 *
 * Addresses are immutable values: they are cheap to copy, can be hashed and
 * compared, and print as `janus://<kernel-uuid>/<id>` — or, once their
 * kernel listens on the network, as `tcp://host:port/<id>`, which is also
 * how the agents of other processes are named (both forms parse):
 *
 * ```c
 * g_autoptr(JanusAddress) a = janus_address_parse ("janus://8b3e…/42", &error);
 * g_autofree char *text = janus_address_to_string (a);
 * ```
 *
 * An address stays valid after its agent died; messages sent to it then
 * become dead letters.
 */

G_DEFINE_BOXED_TYPE (JanusAddress, janus_address, janus_address_copy, janus_address_free)

#define SCHEME "janus://"

static int
hex_value (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/* Parses the 36-character textual form of a UUID (8-4-4-4-12 hex digits). */
gboolean
janus_uuid_parse (const char *text,
                  gsize       len,
                  guint8      out[16])
{
  gsize i, n = 0;

  if (len != 36)
    return FALSE;
  for (i = 0; i < 36; i++)
    {
      if (i == 8 || i == 13 || i == 18 || i == 23)
        {
          if (text[i] != '-')
            return FALSE;
          continue;
        }
      int hi = hex_value (text[i]), lo = hex_value (text[i + 1]);
      if (hi < 0 || lo < 0)
        return FALSE;
      out[n++] = (guint8) (hi << 4 | lo);
      i++;
    }
  return n == 16;
}

void
janus_uuid_format (const guint8 uuid[16],
                   char         out[37])
{
  static const char digits[] = "0123456789abcdef";
  gsize i, o = 0;

  for (i = 0; i < 16; i++)
    {
      if (i == 4 || i == 6 || i == 8 || i == 10)
        out[o++] = '-';
      out[o++] = digits[uuid[i] >> 4];
      out[o++] = digits[uuid[i] & 0xf];
    }
  out[o] = '\0';
}

void
janus_address_init (JanusAddress *address,
                    const guint8  kernel[16],
                    guint64       id)
{
  memcpy (address->kernel, kernel, 16);
  address->id = id;
}

/**
 * janus_address_new:
 * @kernel_uuid: the UUID of a kernel, in its 36-character textual form
 * @id: the agent's identifier in that kernel
 *
 * Makes the address of agent @id of the kernel @kernel_uuid.
 *
 * Returns: (transfer full): a new address
 */
JanusAddress *
janus_address_new (const char *kernel_uuid,
                   guint64     id)
{
  JanusAddress *self;

  g_return_val_if_fail (kernel_uuid != NULL, NULL);
  g_return_val_if_fail (id != G_MAXUINT64, NULL);

  self = g_new0 (JanusAddress, 1);
  if (!janus_uuid_parse (kernel_uuid, strlen (kernel_uuid), self->kernel))
    {
      g_free (self);
      g_return_val_if_reached (NULL);
    }
  self->id = id;
  return self;
}

/**
 * janus_address_new_for_kernel:
 * @kernel_uuid: the UUID of a kernel, in its 36-character textual form
 *
 * Makes the address of the kernel @kernel_uuid itself.
 *
 * Returns: (transfer full): a new address
 */
JanusAddress *
janus_address_new_for_kernel (const char *kernel_uuid)
{
  JanusAddress *self;

  g_return_val_if_fail (kernel_uuid != NULL, NULL);

  self = g_new0 (JanusAddress, 1);
  if (!janus_uuid_parse (kernel_uuid, strlen (kernel_uuid), self->kernel))
    {
      g_free (self);
      g_return_val_if_reached (NULL);
    }
  self->id = JANUS_ADDRESS_KERNEL_ID;
  return self;
}

static gboolean
parse_id (const char *text,
          guint64    *id)
{
  char *end = NULL;
  guint64 v;

  if (*text == '\0')
    {
      *id = JANUS_ADDRESS_KERNEL_ID;
      return TRUE;
    }
  if (!g_ascii_isdigit (*text))
    return FALSE;
  errno = 0;
  v = g_ascii_strtoull (text, &end, 10);
  if (errno != 0 || *end != '\0' || v == G_MAXUINT64)
    return FALSE;
  *id = v;
  return TRUE;
}

/* The network forms, tcp://host:port/<id> (hook for janus-net-endpoint). */
static gboolean
parse_network_address (const char   *text,
                       JanusAddress *address)
{
  return janus_net_endpoint_parse (text, address->kernel, &address->id);
}

/* tcp://host:port for a kernel with a network endpoint, else NULL. */
static char *
network_prefix (const JanusAddress *address)
{
  return janus_net_endpoint_format (address->kernel);
}

/**
 * janus_address_parse:
 * @text: an address as [method@Janus.Address.to_string] prints it
 * @error: return location for a [struct@GLib.Error]
 *
 * Reads an address from its text: `janus://<kernel-uuid>/<id>` for an agent,
 * `janus://<kernel-uuid>/` for a kernel, or their network forms
 * `tcp://host:port/<id>` and `tcp://host:port/` (an IPv6 host in brackets).
 * A network address of a kernel of this process that listens there is that
 * kernel's; any other names a remote kernel, reached through the network
 * when a message is sent to it.
 *
 * Returns: (transfer full) (nullable): the address, or `NULL` with
 *   `JANUS_MESSAGE_ERROR_INVALID_ADDRESS` set in @error
 */
JanusAddress *
janus_address_parse (const char  *text,
                     GError     **error)
{
  g_autoptr(JanusAddress) self = NULL;
  const char *uuid;

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_new0 (JanusAddress, 1);
  if (parse_network_address (text, self))
    return g_steal_pointer (&self);
  uuid = text + strlen (SCHEME);
  if (!g_str_has_prefix (text, SCHEME)
      || strlen (uuid) < 37
      || !janus_uuid_parse (uuid, 36, self->kernel)
      || uuid[36] != '/'
      || !parse_id (uuid + 37, &self->id))
    {
      g_set_error (error, JANUS_MESSAGE_ERROR, JANUS_MESSAGE_ERROR_INVALID_ADDRESS,
                   "“%s” is not a janus-c address "
                   "(expected janus://<kernel-uuid>/<id> or tcp://host:port/<id>)", text);
      return NULL;
    }
  return g_steal_pointer (&self);
}

/**
 * janus_address_copy:
 * @address: an address
 *
 * Copies an address.
 *
 * Returns: (transfer full): a copy of @address
 */
JanusAddress *
janus_address_copy (const JanusAddress *address)
{
  g_return_val_if_fail (address != NULL, NULL);

  return g_memdup2 (address, sizeof *address);
}

/**
 * janus_address_free:
 * @address: (transfer full): an address
 *
 * Frees an address made by janus-c.
 */
void
janus_address_free (JanusAddress *address)
{
  g_free (address);
}

/**
 * janus_address_get_id:
 * @address: an address
 *
 * Gets the agent's identifier in its kernel.
 *
 * Returns: the agent's identifier in its kernel, or `G_MAXUINT64` for the
 *   address of a kernel
 */
guint64
janus_address_get_id (const JanusAddress *address)
{
  g_return_val_if_fail (address != NULL, 0);

  return address->id;
}

/**
 * janus_address_dup_kernel_uuid:
 * @address: an address
 *
 * Gets the UUID of the kernel the address belongs to.
 *
 * Returns: (transfer full): the UUID of the kernel @address belongs to, in
 *   its 36-character textual form
 */
char *
janus_address_dup_kernel_uuid (const JanusAddress *address)
{
  char buf[37];

  g_return_val_if_fail (address != NULL, NULL);

  janus_uuid_format (address->kernel, buf);
  return g_strdup (buf);
}

/**
 * janus_address_is_kernel:
 * @address: an address
 *
 * Tells whether the address is a kernel's rather than an agent's.
 *
 * Returns: whether @address is the address of a kernel rather than of an agent
 */
gboolean
janus_address_is_kernel (const JanusAddress *address)
{
  g_return_val_if_fail (address != NULL, FALSE);

  return address->id == JANUS_ADDRESS_KERNEL_ID;
}

/**
 * janus_address_to_string:
 * @address: an address
 *
 * Prints an address.
 *
 * Returns: (transfer full): the text of @address, such as
 *   `janus://8b3e5f0c-…/42`, or `tcp://127.0.0.1:5555/42` once its kernel
 *   listens (or for an agent of another process);
 *   [func@Janus.Address.parse] reads it back
 */
char *
janus_address_to_string (const JanusAddress *address)
{
  g_autofree char *endpoint = NULL;
  char uuid[37];

  g_return_val_if_fail (address != NULL, NULL);

  endpoint = network_prefix (address);
  if (endpoint != NULL)
    {
      if (address->id == JANUS_ADDRESS_KERNEL_ID)
        return g_strconcat (endpoint, "/", NULL);
      return g_strdup_printf ("%s/%" G_GUINT64_FORMAT, endpoint, address->id);
    }

  janus_uuid_format (address->kernel, uuid);
  if (address->id == JANUS_ADDRESS_KERNEL_ID)
    return g_strconcat (SCHEME, uuid, "/", NULL);
  return g_strdup_printf (SCHEME "%s/%" G_GUINT64_FORMAT, uuid, address->id);
}

/**
 * janus_address_hash:
 * @address: (type JanusAddress): an address
 *
 * A hash function for addresses, for [struct@GLib.HashTable] with
 * [method@Janus.Address.equal].
 *
 * Returns: the hash of @address
 */
guint
janus_address_hash (gconstpointer address)
{
  const JanusAddress *a = address;
  guint64 h;

  g_return_val_if_fail (address != NULL, 0);

  memcpy (&h, a->kernel, sizeof h);
  h ^= a->id * G_GUINT64_CONSTANT (0x9e3779b97f4a7c15);
  return (guint) (h ^ (h >> 32));
}

/**
 * janus_address_equal:
 * @a: (type JanusAddress): an address
 * @b: (type JanusAddress): another address
 *
 * Compares two addresses for equality, for [struct@GLib.HashTable] with [method@Janus.Address.hash].
 *
 * Returns: whether @a and @b name the same agent (or kernel)
 */
gboolean
janus_address_equal (gconstpointer a,
                     gconstpointer b)
{
  const JanusAddress *x = a, *y = b;

  g_return_val_if_fail (a != NULL, FALSE);
  g_return_val_if_fail (b != NULL, FALSE);

  return x->id == y->id && memcmp (x->kernel, y->kernel, 16) == 0;
}

/**
 * janus_address_compare:
 * @a: an address
 * @b: another address
 *
 * Orders addresses by kernel, then by identifier (the kernel's own address
 * last).
 *
 * Returns: a negative value, 0 or a positive value when @a sorts before, with
 *   or after @b
 */
int
janus_address_compare (const JanusAddress *a,
                       const JanusAddress *b)
{
  int c;

  g_return_val_if_fail (a != NULL, 0);
  g_return_val_if_fail (b != NULL, 0);

  c = memcmp (a->kernel, b->kernel, 16);
  if (c != 0)
    return c < 0 ? -1 : 1;
  return a->id < b->id ? -1 : a->id > b->id ? 1 : 0;
}
