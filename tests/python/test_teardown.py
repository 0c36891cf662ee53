# SPDX-License-Identifier: LGPL-2.1-or-later
"""Hostile teardown orders from Python: an agent that keeps its kernel as
an attribute and lets it go in do_end, or never; agents that outlive their
kernel; exceptions whose text must reach the GError of agent-failed. On 0
and 2 workers. Nothing may crash, leak a kernel or leave a thread."""

import os
import threading
import time
import unittest

from janus_test import (  # noqa: F401 (sets up gi)
    KE, OE, S, L, TIMEOUT, captured_stderr, is_janus_error, record_failures,
    step_until, step_until_idle)
from gi.repository import GLib, Janus


def count_threads():
    return len(os.listdir('/proc/self/task'))


def wait_threads(n):
    """Waits (bounded) until the process has at most n threads: a thread
    that finished (a kernel's reaper) leaves the list a little later, with
    no event to wait for."""
    deadline = time.monotonic() + TIMEOUT
    while count_threads() > n:
        if time.monotonic() > deadline:
            return False
        time.sleep(0.001)
    return True


class Gone(threading.Event):
    """An Event set when the GObject behind obj is disposed for good (on
    whichever thread drops its last reference). It keeps the weak
    reference, whose own release would disconnect it."""

    def __init__(self, obj):
        super().__init__()
        self.ref = obj.weak_ref(self.set)


def watch_gone(obj):
    return Gone(obj)


class Holder(Janus.Agent):
    """Keeps its kernel as an attribute. Its first live waits; when woken
    it ends. drop_in_end: `self.kernel = None` in do_end. on_timer: it ends
    by itself, on a timer set in activate."""

    def __init__(self, drop_in_end=False, on_timer=False):
        super().__init__()
        self.drop_in_end = drop_in_end
        self.on_timer = on_timer
        self.lives = 0
        self.lived = threading.Event()
        self.kernel_in_end = False

    def do_activate(self, parameters):
        self.kernel = self.get_kernel()
        if self.on_timer:
            self.call_in(1000, lambda agent, data: agent.kill_me(), None)
        return True

    def do_live(self):
        self.lives += 1
        self.lived.set()
        return L.WAIT if self.lives == 1 or self.on_timer else L.DONE

    def do_end(self):
        self.kernel_in_end = self.get_kernel() is self.kernel
        if self.drop_in_end:
            self.kernel = None


class KernelHeldByAgentTests(unittest.TestCase):
    def check_kernel_none_in_do_end(self, workers):
        threads = count_threads()
        kernel = Janus.Kernel.new(workers)
        agent = Holder(drop_in_end=True)
        kernel.launch_light_agent(agent, 'holder', None)
        gone = watch_gone(kernel)
        if workers == 0:
            step_until_idle(kernel)
        self.assertTrue(agent.lived.wait(TIMEOUT))
        del kernel                      # the agent's reference is the last
        agent.wake()
        if workers == 0:
            agent.kernel.step()         # held by the agent until its end
        self.assertTrue(gone.wait(TIMEOUT))
        self.assertTrue(wait_threads(threads))
        self.assertEqual(agent.get_state(), S.DIED)
        self.assertTrue(agent.kernel_in_end)
        self.assertIsNone(agent.kernel)
        self.assertIsNone(agent.get_kernel())
        self.assertIsNone(agent.props.kernel)

    def test_kernel_none_in_do_end(self):
        self.check_kernel_none_in_do_end(0)

    def test_kernel_none_in_do_end_on_workers(self):
        self.check_kernel_none_in_do_end(2)

    def test_kernels_kept_as_agent_attributes(self):
        # the application drops everything; each agent holds its kernel
        # and ends by itself: every kernel goes, with its threads
        threads = count_threads()
        gone = []
        for _ in range(20):
            kernel = Janus.Kernel.new(2)
            agent = Holder(on_timer=True)
            kernel.launch_light_agent(agent, None, None)
            gone.append(watch_gone(kernel))
            self.assertTrue(agent.lived.wait(TIMEOUT))    # it holds the kernel
            del kernel, agent
        for event in gone:
            self.assertTrue(event.wait(TIMEOUT))
        self.assertTrue(wait_threads(threads))

    def test_kernel_kept_by_a_dead_agent(self):
        # an agent that keeps its kernel after it died: the application's
        # reference goes, the agent's keeps it; the agent's last goes with it
        threads = count_threads()
        kernel = Janus.Kernel.new(0)
        agent = Holder(on_timer=True)
        kernel.launch_light_agent(agent, None, None)
        gone = watch_gone(kernel)
        kernel.run()                    # until the timer ends it
        self.assertEqual(agent.get_state(), S.DIED)
        del kernel
        self.assertFalse(gone.is_set())
        self.assertIsNone(agent.get_kernel())
        agent.kernel.get_uuid()         # still there: the agent holds it
        del agent
        self.assertTrue(gone.wait(TIMEOUT))
        self.assertTrue(wait_threads(threads))


class OutlivingTests(unittest.TestCase):
    def check_agent_outlives_kernel(self, workers):
        threads = count_threads()
        kernel = Janus.Kernel.new(workers)
        agent = Janus.Agent()
        kernel.launch_light_agent(agent, 'survivor', None)
        if workers == 0:
            step_until_idle(kernel)
        gone = watch_gone(kernel)
        kernel.shutdown()
        del kernel
        self.assertTrue(gone.wait(TIMEOUT))
        self.assertTrue(wait_threads(threads))
        self.assertEqual(agent.get_state(), S.DIED)
        self.assertIsNone(agent.get_kernel())
        self.assertIsNone(agent.props.kernel)
        self.assertEqual(agent.get_name(), 'survivor')
        self.assertIsNotNone(agent.get_address())
        agent.wake()                    # harmless
        with self.assertRaises(GLib.Error) as cm:
            agent.send(agent.get_address(), Janus.Message('late'))
        self.assertTrue(is_janus_error(cm.exception, KE.AGENT_DEAD))
        self.assertIn('survivor', cm.exception.message)

    def test_agent_outlives_kernel(self):
        self.check_agent_outlives_kernel(0)

    def test_agent_outlives_kernel_on_workers(self):
        self.check_agent_outlives_kernel(2)

    def test_role_outlives_kernel(self):
        class Org(Janus.Organization):
            pass

        class R(Janus.Role):
            pass

        Janus.Organization.type_add_role(Org, R, 0)
        kernel = Janus.Kernel.new(0)
        group = kernel.create_group(Org)
        agent = Janus.Agent()
        kernel.launch_light_agent(agent, None, None)
        kernel.step()
        role = agent.request_role(R, group, None)
        gone = watch_gone(kernel)
        del kernel
        self.assertTrue(gone.wait(TIMEOUT))
        self.assertFalse(role.is_played())
        self.assertIsNone(role.get_player())
        self.assertIsNone(group.get_kernel())
        self.assertIsNone(agent.get_kernel())
        with self.assertRaises(GLib.Error) as cm:
            role.post(Janus.Message('late'))
        self.assertTrue(is_janus_error(cm.exception, KE.STOPPED))


class ExceptionTextTests(unittest.TestCase):
    """The text of an exception reaches the GError the kernel reports."""

    def run_failing(self, workers, cls):
        kernel = Janus.Kernel.new(workers)
        self.addCleanup(kernel.shutdown)
        failed = threading.Event()
        failures = []

        def on_failed(k, agent, error):
            failures.append((agent, error))
            failed.set()

        kernel.connect('agent-failed', on_failed)
        agent = cls()
        with captured_stderr() as err:
            kernel.launch_light_agent(agent, 'failing', None)
            if workers == 0:
                step_until(kernel, failed.is_set)
            self.assertTrue(failed.wait(TIMEOUT))
            kernel.shutdown()
        self.assertEqual(len(failures), 1)
        self.assertIs(failures[0][0], agent)
        self.assertEqual(agent.get_state(), S.DIED)
        return failures[0][1], err.getvalue()

    def check_activate(self, workers):
        class Crasher(Janus.Agent):
            def do_activate(self, parameters):
                return {}['missing']

        error, printed = self.run_failing(workers, Crasher)
        self.assertTrue(is_janus_error(error, KE.FAILED))
        self.assertIn("KeyError: 'missing'", error.message)
        self.assertIn('do_activate', error.message)
        self.assertIn('failing', error.message)
        self.assertIn('Traceback', printed)

    def test_exception_in_activate(self):
        self.check_activate(0)

    def test_exception_in_activate_on_workers(self):
        self.check_activate(2)

    def check_timer(self, workers):
        class Ticking(Janus.Agent):
            def do_activate(self, parameters):
                self.call_in(0, self.tick, None)
                return True

            def tick(self, agent, data):
                raise ZeroDivisionError('tick went wrong')

        error, printed = self.run_failing(workers, Ticking)
        self.assertTrue(is_janus_error(error, KE.FAILED))
        self.assertIn('ZeroDivisionError: tick went wrong', error.message)
        self.assertIn('tick', error.message)

    def test_exception_in_timer_callback(self):
        self.check_timer(0)

    def test_exception_in_timer_callback_on_workers(self):
        self.check_timer(2)

    def test_exception_in_role_live(self):
        class Org(Janus.Organization):
            pass

        class Bad(Janus.Role):
            def do_live(self):
                raise RuntimeError('role went wrong')

        Janus.Organization.type_add_role(Org, Bad, 0)
        kernel = Janus.Kernel.new(0)
        self.addCleanup(kernel.shutdown)
        failures = record_failures(kernel)
        role_failures = []
        kernel.connect('role-failed', lambda k, role, error: role_failures.append(
            (role, role.get_player(), error)))
        group = kernel.create_group(Org)
        agent = Janus.Agent()
        kernel.launch_light_agent(agent, 'player', None)
        kernel.step()
        bad = agent.request_role(Bad, group, None)
        agent.wake()
        with captured_stderr():
            step_until_idle(kernel)
        self.assertEqual(failures, [])
        (role, player, error), = role_failures
        self.assertIs(role, bad)
        self.assertIs(player, agent)
        self.assertTrue(is_janus_error(error, OE.FAILED))
        self.assertIn('RuntimeError: role went wrong', error.message)
        self.assertFalse(bad.is_played())
        self.assertEqual(agent.get_state(), S.ALIVE)


if __name__ == '__main__':
    unittest.main()
