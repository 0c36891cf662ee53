/* SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * TLS with mutual authentication between two kernels: accepted with
 * certificates from the shared CA; refused without a client certificate,
 * with one from another CA, when the client does not trust the server, and
 * between a TLS and a plain side. A refused peer closes only its own
 * connection: a good client is served right after.
 */
#include <stdatomic.h>
#include <string.h>

#include <janus.h>

#define WAIT_USEC (20 * G_USEC_PER_SEC)

#define RUN_UNTIL(cond)                                                        \
  G_STMT_START {                                                               \
    gint64 _deadline = g_get_monotonic_time () + WAIT_USEC;                    \
    while (!(cond))                                                            \
      {                                                                        \
        g_assert_cmpint (g_get_monotonic_time (), <, _deadline);               \
        g_main_context_iteration (NULL, FALSE);                                \
        g_thread_yield ();                                                     \
      }                                                                        \
  } G_STMT_END

typedef struct { JanusAgent parent_instance; } PingAgent;
typedef struct { JanusAgentClass parent_class; } PingAgentClass;
static GType ping_agent_get_type (void);
G_DEFINE_TYPE (PingAgent, ping_agent, JANUS_TYPE_AGENT)

static void
ping (JanusAgent *agent, JanusInvocation *invocation, gpointer data)
{
  janus_invocation_return_value (invocation, g_variant_new_string ("pong"));
}

static void ping_agent_class_init (PingAgentClass *klass)
{
  janus_agent_class_add_method (JANUS_AGENT_CLASS (klass), "ping", NULL, ping);
}
static void ping_agent_init (PingAgent *self) {}

static char *
data_file (const char *name)
{
  return g_test_build_filename (G_TEST_DIST, "data", "tls", name, NULL);
}

static void
set_tls (JanusKernel *kernel,
         const char  *cert,
         const char  *key,
         const char  *ca)
{
  g_autofree char *c = cert ? data_file (cert) : NULL;
  g_autofree char *k = key ? data_file (key) : NULL;
  g_autofree char *a = data_file (ca);
  g_autoptr(GError) error = NULL;

  g_assert_true (janus_network_set_tls (janus_kernel_get_network (kernel), c, k, a, &error));
  g_assert_no_error (error);
}

typedef struct
{
  JanusKernel *server;
  JanusAgent  *agent;
  char        *address;
  atomic_uint  logged;
  guint        handler;
} Fixture;

static void
count_message (const char *domain, GLogLevelFlags level, const char *message, gpointer data)
{
  atomic_fetch_add ((atomic_uint *) data, 1);
}

static void
setup (Fixture       *f,
       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  const char *uri;

  f->handler = g_log_set_handler ("Janus", G_LOG_LEVEL_MESSAGE, count_message, &f->logged);
  f->server = janus_kernel_new (1);
  janus_kernel_set_keep_alive (f->server, TRUE);
  if (GPOINTER_TO_INT (data))
    set_tls (f->server, "server.pem", "server-key.pem", "ca.pem");
  g_assert_true (janus_kernel_listen (f->server, "tcp://127.0.0.1:0", &error));
  g_assert_no_error (error);
  f->agent = g_object_new (ping_agent_get_type (), NULL);
  janus_kernel_launch_light_agent (f->server, f->agent, "ping", NULL, NULL);
  uri = janus_network_get_listen_uri (janus_kernel_get_network (f->server));
  f->address = g_strdup_printf ("%s/%" G_GUINT64_FORMAT, uri,
                                janus_address_get_id (janus_agent_get_address (f->agent)));
}

static void
teardown (Fixture       *f,
          gconstpointer  data)
{
  janus_kernel_shutdown (f->server);
  g_clear_object (&f->agent);
  g_assert_finalize_object (f->server);
  g_free (f->address);
  g_log_remove_handler ("Janus", f->handler);
}

/* A client kernel configured by @configure connects and pings; returns
 * the error, or NULL if it got "pong". */
static GError *
try_client (Fixture    *f,
            const char *cert,
            const char *key,
            const char *ca)
{
  g_autoptr(JanusKernel) client = janus_kernel_new (1);
  g_autoptr(JanusProxy) proxy = NULL;
  g_autoptr(GVariant) v = NULL;
  GError *error = NULL;

  if (ca != NULL)
    set_tls (client, cert, key, ca);
  proxy = janus_kernel_connect_sync (client, f->address, NULL, &error);
  if (proxy != NULL)
    v = janus_proxy_call_sync (proxy, "ping", NULL, NULL, NULL, &error);
  if (v != NULL)
    g_assert_cmpstr (g_variant_get_string (v, NULL), ==, "pong");
  janus_kernel_shutdown (client);
  return error;
}

static void
assert_refused (GError *error)
{
  g_assert_nonnull (error);
  g_assert_true (error->domain == JANUS_NET_ERROR);
  g_assert_true (error->code == JANUS_NET_ERROR_TLS || error->code == JANUS_NET_ERROR_CLOSED);
  g_error_free (error);
}

static void
test_mutual (Fixture       *f,
             gconstpointer  data)
{
  GError *error = try_client (f, "client.pem", "client-key.pem", "ca.pem");

  g_assert_no_error (error);
}

static void
test_no_client_certificate (Fixture       *f,
                            gconstpointer  data)
{
  assert_refused (try_client (f, NULL, NULL, "ca.pem"));
  /* the server logged why and goes on */
  RUN_UNTIL (atomic_load (&f->logged) >= 1);
  g_assert_no_error (try_client (f, "client.pem", "client-key.pem", "ca.pem"));
}

static void
test_rogue_client (Fixture       *f,
                   gconstpointer  data)
{
  assert_refused (try_client (f, "rogue-client.pem", "rogue-client-key.pem", "ca.pem"));
  RUN_UNTIL (atomic_load (&f->logged) >= 1);
  g_assert_no_error (try_client (f, "client.pem", "client-key.pem", "ca.pem"));
}

static void
test_untrusted_server (Fixture       *f,
                       gconstpointer  data)
{
  /* the client trusts another CA: it refuses the server */
  assert_refused (try_client (f, "client.pem", "client-key.pem", "rogue-ca.pem"));
  g_assert_no_error (try_client (f, "client.pem", "client-key.pem", "ca.pem"));
}

static void
test_plain_client (Fixture       *f,
                   gconstpointer  data)
{
  assert_refused (try_client (f, NULL, NULL, NULL));
  RUN_UNTIL (atomic_load (&f->logged) >= 1);
  g_assert_no_error (try_client (f, "client.pem", "client-key.pem", "ca.pem"));
}

static void
test_tls_client_plain_server (Fixture       *f,
                              gconstpointer  data)
{
  assert_refused (try_client (f, "client.pem", "client-key.pem", "ca.pem"));
  g_assert_no_error (try_client (f, NULL, NULL, NULL));
}

static void
test_misuse (void)
{
  g_autoptr(JanusKernel) kernel = janus_kernel_new (0);
  g_autoptr(GError) error = NULL;
  g_autofree char *ca = data_file ("ca.pem");

  /* unreadable files */
  g_assert_false (janus_network_set_tls (janus_kernel_get_network (kernel), "/nonexistent.pem",
                                         NULL, ca, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  /* TLS without a certificate cannot listen */
  g_assert_true (janus_network_set_tls (janus_kernel_get_network (kernel), NULL, NULL, ca, &error));
  g_assert_false (janus_kernel_listen (kernel, "tcp://127.0.0.1:0", &error));
  g_assert_error (error, JANUS_NET_ERROR, JANUS_NET_ERROR_TLS);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  if (!g_tls_backend_supports_tls (g_tls_backend_get_default ()))
    {
      g_test_skip ("GLib has no TLS backend (glib-networking is not installed)");
      return g_test_run ();
    }
  g_test_add ("/net/tls/mutual", Fixture, GINT_TO_POINTER (TRUE), setup, test_mutual, teardown);
  g_test_add ("/net/tls/refused/no-client-certificate", Fixture, GINT_TO_POINTER (TRUE),
              setup, test_no_client_certificate, teardown);
  g_test_add ("/net/tls/refused/other-ca", Fixture, GINT_TO_POINTER (TRUE),
              setup, test_rogue_client, teardown);
  g_test_add ("/net/tls/refused/untrusted-server", Fixture, GINT_TO_POINTER (TRUE),
              setup, test_untrusted_server, teardown);
  g_test_add ("/net/tls/refused/plain-client", Fixture, GINT_TO_POINTER (TRUE),
              setup, test_plain_client, teardown);
  g_test_add ("/net/tls/refused/plain-server", Fixture, GINT_TO_POINTER (FALSE),
              setup, test_tls_client_plain_server, teardown);
  g_test_add_func ("/net/tls/misuse", test_misuse);

  return g_test_run ();
}
