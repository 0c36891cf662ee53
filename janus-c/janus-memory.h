/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined (JANUS_INSIDE) && !defined (JANUS_COMPILATION)
#error "Only <janus.h> can be included directly."
#endif

#include "janus-types.h"

G_BEGIN_DECLS

JANUS_AVAILABLE_IN_ALL
G_DECLARE_INTERFACE (JanusMemory, janus_memory, JANUS, MEMORY, GObject)

/**
 * JanusMemoryInterface:
 * @g_iface: the parent interface
 * @get: returns a new reference to the value stored under a key, or `NULL`
 * @put: stores a value under a key (replacing any), or fails with an error
 * @remove: removes a key; removing an absent key succeeds and changes nothing
 * @has: whether a key is stored
 * @list_keys: the stored keys, sorted
 *
 * The virtual functions of a memory. Implementations emit
 * [signal@Janus.Memory::changed] (through
 * [method@Janus.Memory.emit_changed]) after each change, with no lock held.
 */
struct _JanusMemoryInterface
{
  GTypeInterface g_iface;

  GVariant *(*get)       (JanusMemory  *self,
                          const char   *key);
  gboolean  (*put)       (JanusMemory  *self,
                          const char   *key,
                          GVariant     *value,
                          GError      **error);
  gboolean  (*remove)    (JanusMemory  *self,
                          const char   *key,
                          GError      **error);
  gboolean  (*has)       (JanusMemory  *self,
                          const char   *key);
  char    **(*list_keys) (JanusMemory  *self);

  /*< private >*/
  gpointer padding[8];
};

JANUS_AVAILABLE_IN_ALL
GVariant  *janus_memory_get          (JanusMemory  *self,
                                      const char   *key) G_GNUC_WARN_UNUSED_RESULT;
JANUS_AVAILABLE_IN_ALL
gboolean   janus_memory_put          (JanusMemory  *self,
                                      const char   *key,
                                      GVariant     *value,
                                      GError      **error);
JANUS_AVAILABLE_IN_ALL
gboolean   janus_memory_remove       (JanusMemory  *self,
                                      const char   *key,
                                      GError      **error);
JANUS_AVAILABLE_IN_ALL
gboolean   janus_memory_has          (JanusMemory  *self,
                                      const char   *key);
JANUS_AVAILABLE_IN_ALL
char     **janus_memory_list_keys    (JanusMemory  *self) G_GNUC_WARN_UNUSED_RESULT;
JANUS_AVAILABLE_IN_ALL
void       janus_memory_emit_changed (JanusMemory  *self,
                                      const char   *key,
                                      GVariant     *value);
JANUS_AVAILABLE_IN_ALL
void       janus_memory_emit_change  (JanusMemory  *self,
                                      const char   *key,
                                      GVariant     *old_value,
                                      GVariant     *value);

JANUS_AVAILABLE_IN_ALL
GVariant  *janus_memory_get_typed    (JanusMemory         *self,
                                      const char          *key,
                                      const GVariantType  *type,
                                      GError             **error) G_GNUC_WARN_UNUSED_RESULT;
JANUS_AVAILABLE_IN_ALL
gint64     janus_memory_get_int64    (JanusMemory  *self,
                                      const char   *key,
                                      GError      **error);
JANUS_AVAILABLE_IN_ALL
double     janus_memory_get_double   (JanusMemory  *self,
                                      const char   *key,
                                      GError      **error);
JANUS_AVAILABLE_IN_ALL
gboolean   janus_memory_get_boolean  (JanusMemory  *self,
                                      const char   *key,
                                      GError      **error);
JANUS_AVAILABLE_IN_ALL
char      *janus_memory_dup_string   (JanusMemory  *self,
                                      const char   *key,
                                      GError      **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
