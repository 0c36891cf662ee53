# SPDX-License-Identifier: LGPL-2.1-or-later
"""What the Python tests share (as tests/janus-test-utils.{c,h} for C):
fatal warnings, the bounds of every wait, stepping helpers, error checks
by domain, and a child interpreter for calls that may crash or hang.

Run with Debian's /usr/bin/python3 (PyGObject) and the built typelib
(meson test sets GI_TYPELIB_PATH)."""

import contextlib
import io
import os
import subprocess
import sys
import textwrap

import gi
gi.require_version('Janus', '1.0')
from gi.repository import GLib, Janus  # noqa: E402

# As g_test_init does for the C tests: a warning or critical is a failure.
GLib.log_set_always_fatal(GLib.LogLevelFlags.LEVEL_CRITICAL
                          | GLib.LogLevelFlags.LEVEL_WARNING
                          | GLib.LogLevelFlags.LEVEL_ERROR)

S = Janus.AgentState
L = Janus.Live
KE = Janus.KernelError
ME = Janus.MessageError
OE = Janus.OrganizationError
CE = Janus.ClockError
MEM = Janus.MemoryError
TIMEOUT = 10                    # seconds; only reached when a test fails
MAX_STEPS = 200                 # bound of every stepping loop

# each error enumeration and its domain
DOMAINS = {
    Janus.KernelError: Janus.kernel_error_quark(),
    Janus.MessageError: Janus.message_error_quark(),
    Janus.OrganizationError: Janus.organization_error_quark(),
    Janus.ClockError: Janus.clock_error_quark(),
    Janus.MemoryError: Janus.memory_error_quark(),
}


def domain_of(code):
    """The GQuark of the error domain whose enumeration `code` belongs to."""
    return DOMAINS[type(code)]


def is_janus_error(error, code):
    """Whether the GLib.Error `error` is `code` of its own domain, as in
    is_janus_error(e, Janus.KernelError.NOT_LAUNCHED)."""
    return error.matches(domain_of(code), code)


def janus_error(code, message):
    """A GLib.Error of `code`'s domain, for Python code that fails."""
    return GLib.Error.new_literal(domain_of(code), message, code)


def record_failures(kernel):
    """The (agent, error) pairs the kernel's agent-failed signal reports."""
    failures = []
    kernel.connect('agent-failed', lambda k, agent, error: failures.append((agent, error)))
    return failures


def step_until_idle(kernel, limit=MAX_STEPS):
    """Steps a 0-worker kernel until step() says nothing is left to do
    (nothing runnable, no timer pending); returns the number of steps."""
    for n in range(1, limit + 1):
        if not kernel.step():
            return n
    raise AssertionError('the kernel still had work after %d steps' % limit)


def step_until(kernel, predicate, limit=MAX_STEPS):
    """Steps a 0-worker kernel until `predicate()` holds (at most `limit`)."""
    for _ in range(limit):
        if predicate():
            return
        kernel.step()
    if not predicate():
        raise AssertionError('condition not reached in %d steps' % limit)


@contextlib.contextmanager
def captured_stderr():
    """PyGObject prints the traceback of an exception raised in a vfunc or
    callback to sys.stderr; capture it to check it."""
    buf = io.StringIO()
    with contextlib.redirect_stderr(buf):
        yield buf


CHILD_PRELUDE = '''\
import gc, sys, gi
gi.require_version('Janus', '1.0')
from gi.repository import GLib, GObject, Janus
'''


def run_child(code, prelude='', timeout=60):
    """Runs `code` (after CHILD_PRELUDE and `prelude`) in a child Python,
    for calls that may crash or hang the interpreter; returns the
    CompletedProcess, or None if it timed out."""
    source = CHILD_PRELUDE + textwrap.dedent(prelude) + textwrap.dedent(code)
    try:
        return subprocess.run([sys.executable, '-c', source], capture_output=True,
                              text=True, timeout=timeout, env=os.environ)
    except subprocess.TimeoutExpired:
        return None
