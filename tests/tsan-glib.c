/* SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Linked into the programs of a ThreadSanitizer build only.
 *
 * GLib 2.74's GMutex and GCond are futex based and GLib is not built with
 * TSan, so TSan cannot see that they order memory: every variable a GMutex
 * protects would be reported as a race. These definitions interpose GLib's
 * entry points (the executable's symbols win over libglib's for every
 * caller that goes through the PLT: the program, libjanus and GLib's
 * exported calls), forward to the real functions, and tell TSan what a lock
 * means: acquire after locking, release before unlocking.
 */
#include <dlfcn.h>
#include <glib.h>
#include <sanitizer/tsan_interface.h>

typedef void     (*LockFunc)      (GMutex *);
typedef gboolean (*TryLockFunc)   (GMutex *);
typedef void     (*WaitFunc)      (GCond *, GMutex *);
typedef gboolean (*WaitUntilFunc) (GCond *, GMutex *, gint64);

/* the real function, looked up once (a benign race: every thread stores the
 * same value) */
#define REAL(name, type) \
  static type real_##name; \
  if (G_UNLIKELY (real_##name == NULL)) \
    real_##name = (type) dlsym (RTLD_NEXT, #name)

void
g_mutex_lock (GMutex *mutex)
{
  REAL (g_mutex_lock, LockFunc);
  real_g_mutex_lock (mutex);
  __tsan_acquire (mutex);
}

gboolean
g_mutex_trylock (GMutex *mutex)
{
  gboolean locked;
  REAL (g_mutex_trylock, TryLockFunc);
  locked = real_g_mutex_trylock (mutex);
  if (locked)
    __tsan_acquire (mutex);
  return locked;
}

void
g_mutex_unlock (GMutex *mutex)
{
  REAL (g_mutex_unlock, LockFunc);
  __tsan_release (mutex);
  real_g_mutex_unlock (mutex);
}

void
g_cond_wait (GCond  *cond,
             GMutex *mutex)
{
  REAL (g_cond_wait, WaitFunc);
  __tsan_release (mutex);
  real_g_cond_wait (cond, mutex);
  __tsan_acquire (mutex);
}

gboolean
g_cond_wait_until (GCond  *cond,
                   GMutex *mutex,
                   gint64  end_time)
{
  gboolean signalled;
  REAL (g_cond_wait_until, WaitUntilFunc);
  __tsan_release (mutex);
  signalled = real_g_cond_wait_until (cond, mutex, end_time);
  __tsan_acquire (mutex);
  return signalled;
}
