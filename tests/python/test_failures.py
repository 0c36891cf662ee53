# SPDX-License-Identifier: LGPL-2.1-or-later
"""A Python exception in a virtual function or a callable, the same way for
each place: the documented failure (agent-failed, role-failed, a refusal, a
GLib.Error for the caller), its traceback printed to sys.stderr, and the
kernel goes on (an agent launched beside keeps answering).

Places: an agent's activate, live, end and timer callback; a role's live
and timer callback; a condition; a capacity's invoke (called directly, and
through a holon); a memory's put. test_agent, test_roles and test_teardown
check the details of each (workers, release orders); this file checks that
none is silent."""

import unittest

import gi
gi.require_version('Janus', '1.0')
from gi.repository import GLib, GObject, Janus  # noqa: E402

from janus_test import (KE, OE, S, captured_stderr, is_janus_error,  # noqa: E402
                        step_until, step_until_idle)

MAX_STEPS = 500


class Echo(Janus.Agent):
    """Answers every message with the same subject: the kernel goes on."""

    def do_live(self):
        for m in self.get_mailbox():
            self.reply(m, Janus.Message(m.get_subject()))
        return Janus.Live.WAIT


class Asker(Janus.Agent):
    def __init__(self):
        super().__init__()
        self.answers = []

    def do_live(self):
        for m in self.get_mailbox():
            self.answers.append(m.get_subject())
        return Janus.Live.WAIT


class Exploding(GObject.Object, Janus.Capacity):
    def do_invoke(self, value):
        raise ZeroDivisionError('capacity exploded')


class ExplodingMemory(GObject.Object, Janus.Memory):
    def do_get(self, key):
        return None

    def do_put(self, key, value):
        raise KeyError('memory exploded')

    def do_remove(self, key):
        return True

    def do_has(self, key):
        return False

    def do_list_keys(self):
        return []


class FailureTests(unittest.TestCase):
    def setUp(self):
        self.kernel = Janus.Kernel.new(0)
        self.failures = []
        self.role_failures = []
        self.kernel.connect('agent-failed', lambda k, a, e: self.failures.append((a, e)))
        self.kernel.connect('role-failed', lambda k, r, e: self.role_failures.append((r, e)))
        self.echo, self.asker = Echo(), Asker()
        self.kernel.launch_light_agent(self.echo, 'echo', None)
        self.kernel.launch_light_agent(self.asker, 'asker', None)
        step_until_idle(self.kernel, MAX_STEPS)

    def tearDown(self):
        self.kernel.kill_all()
        step_until_idle(self.kernel, MAX_STEPS)
        self.kernel.shutdown()

    def run_and_capture(self, func, *args):
        with captured_stderr() as err:
            result = func(*args)
            step_until_idle(self.kernel, MAX_STEPS)
        return result, err.getvalue()

    def assert_logged(self, stderr, function, text):
        """The traceback, down to the Python function that raised."""
        self.assertIn('Traceback (most recent call last)', stderr)
        self.assertIn('in %s' % function, stderr)
        self.assertIn(text, stderr)

    def assert_kernel_goes_on(self):
        n = len(self.asker.answers)
        self.kernel.send(self.echo.get_address(), Janus.Message('still there?'))
        # the echo answers the kernel; the asker asks the echo itself
        self.kernel.send(self.asker.get_address(), Janus.Message('ask'))
        self.asker.send(self.echo.get_address(), Janus.Message('ping'))
        step_until(self.kernel, lambda: 'ping' in self.asker.answers[n:], MAX_STEPS)

    def assert_agent_failed(self, agent, where, text):
        (failed, error), = self.failures
        self.assertIs(failed, agent)
        self.assertTrue(is_janus_error(error, KE.FAILED), error)
        self.assertIn(where, error.message)
        self.assertIn(text, error.message)
        self.assertEqual(agent.get_state(), S.DIED)

    def launch(self, agent, name='bad'):
        self.kernel.launch_light_agent(agent, name, None)
        return agent

    # ----------------------------------------------------------- agents

    def test_activate(self):
        class Bad(Janus.Agent):
            def do_activate(self, parameters):
                raise ValueError('activate exploded')

        bad, err = self.run_and_capture(self.launch, Bad())
        self.assert_agent_failed(bad, 'do_activate of agent', 'ValueError: activate exploded')
        self.assert_logged(err, 'do_activate', 'activate exploded')
        self.assert_kernel_goes_on()

    def test_live(self):
        class Bad(Janus.Agent):
            def do_live(self):
                raise ValueError('live exploded')

        bad, err = self.run_and_capture(self.launch, Bad())
        self.assert_agent_failed(bad, 'do_live of agent', 'ValueError: live exploded')
        self.assert_logged(err, 'do_live', 'live exploded')
        self.assert_kernel_goes_on()

    def test_end(self):
        class Bad(Janus.Agent):
            def do_end(self):
                raise ValueError('end exploded')

        bad = self.launch(Bad())
        step_until_idle(self.kernel, MAX_STEPS)
        _, err = self.run_and_capture(self.kernel.kill, bad)
        self.assert_agent_failed(bad, 'do_end of agent', 'ValueError: end exploded')
        self.assert_logged(err, 'do_end', 'end exploded')
        self.assert_kernel_goes_on()

    def test_agent_timer(self):
        def explode(agent, data):
            raise ValueError('timer exploded')

        class Bad(Janus.Agent):
            def do_activate(self, parameters):
                self.call_in(0, explode, None)
                return True

        bad, err = self.run_and_capture(self.launch, Bad())
        self.assert_agent_failed(bad, 'a timer callback', 'ValueError: timer exploded')
        self.assert_logged(err, 'explode', 'timer exploded')
        self.assert_kernel_goes_on()

    # ------------------------------------------------------------ roles

    def role_setup(self, role_class):
        class Org(Janus.Organization):
            roles = (role_class,)

        self.group = self.kernel.create_group(Org)
        player = self.launch(Janus.Agent(), 'player')
        step_until_idle(self.kernel, MAX_STEPS)
        return player

    def assert_role_failed(self, player, role_class, text):
        self.assertEqual(self.failures, [])
        (role, error), = self.role_failures
        self.assertIsInstance(role, role_class)
        self.assertIn(str(player.get_address()), error.message)
        self.assertTrue(is_janus_error(error, OE.FAILED), error)
        self.assertIn(text, error.message)
        self.assertFalse(role.is_played())
        self.assertEqual(player.get_state(), S.ALIVE)

    def test_role_live(self):
        class Bad(Janus.Role):
            def do_live(self):
                raise ValueError('role live exploded')

        player = self.role_setup(Bad)
        _, err = self.run_and_capture(player.request_role, Bad, self.group, None)
        self.assert_role_failed(player, Bad, 'ValueError: role live exploded')
        self.assert_logged(err, 'do_live', 'role live exploded')
        self.assert_kernel_goes_on()

    def test_role_timer(self):
        def explode(role, data):
            raise ValueError('role timer exploded')

        class Bad(Janus.Role):
            def do_activate(self, parameters):
                self.call_in(0, explode, None)
                return True

        player = self.role_setup(Bad)
        _, err = self.run_and_capture(player.request_role, Bad, self.group, None)
        self.assert_role_failed(player, Bad, 'ValueError: role timer exploded')
        self.assert_logged(err, 'explode', 'role timer exploded')
        self.assert_kernel_goes_on()

    def test_condition(self):
        class R(Janus.Role):
            pass

        player = self.role_setup(R)

        def broken(agent, group, role_type):
            raise ValueError('condition exploded')

        self.group.add_obtain_condition(Janus.Condition.new('broken', broken))
        with captured_stderr() as err:
            with self.assertRaises(GLib.Error) as caught:
                player.request_role(R, self.group, None)
        self.assertTrue(is_janus_error(caught.exception, OE.CONDITION_FAILED))
        self.assertIn('\u201cbroken\u201d', caught.exception.message)
        self.assertIn('condition \u201cbroken\u201d raised ValueError: condition exploded',
                      err.getvalue())
        self.assert_logged(err.getvalue(), 'broken', 'condition exploded')
        self.assertEqual((self.failures, self.role_failures), ([], []))
        self.assertEqual(player.get_state(), S.ALIVE)
        self.assert_kernel_goes_on()

    # --------------------------------------------- capacities, memories

    def test_capacity(self):
        agent = self.launch(Janus.Agent(), 'provider')
        step_until_idle(self.kernel, MAX_STEPS)
        agent.add_capacity(Janus.Capacity, Exploding())
        with captured_stderr() as err:
            with self.assertRaises(GLib.Error) as caught:
                agent.get_capacity(Janus.Capacity).invoke(GLib.Variant('x', 1))
        self.assertTrue(is_janus_error(caught.exception, KE.FAILED))
        self.assertIn('do_invoke of Exploding raised ZeroDivisionError: capacity exploded',
                      caught.exception.message)
        self.assert_logged(err.getvalue(), 'do_invoke', 'capacity exploded')
        self.assertEqual(self.failures, [])
        self.assert_kernel_goes_on()

    def test_capacity_through_a_holon(self):
        holon = self.launch(Janus.Holon.new(), 'holon')
        member = Janus.Agent()
        holon.spawn_member(member, 'member', None)
        member.add_capacity(Janus.Capacity, Exploding())
        pending = holon.invoke_capacity_async(Janus.Capacity, GLib.Variant('x', 1))
        context = GLib.MainContext.default()
        with captured_stderr() as err:
            step_until(self.kernel, lambda: (context.iteration(False), pending.done())[1],
                       MAX_STEPS)
        with self.assertRaises(GLib.Error) as caught:
            pending.result()
        self.assertTrue(is_janus_error(caught.exception, KE.FAILED))
        self.assertIn('ZeroDivisionError: capacity exploded', caught.exception.message)
        self.assert_logged(err.getvalue(), 'do_invoke', 'capacity exploded')
        self.assertEqual(member.get_state(), S.ALIVE)
        self.assert_kernel_goes_on()

    def test_memory_put(self):
        memory = ExplodingMemory()
        with captured_stderr() as err:
            with self.assertRaises(GLib.Error) as caught:
                memory.put('k', GLib.Variant('i', 1))
        self.assertTrue(is_janus_error(caught.exception, KE.FAILED))
        self.assertIn('do_put of ExplodingMemory raised KeyError', caught.exception.message)
        self.assert_logged(err.getvalue(), 'do_put', 'memory exploded')


if __name__ == '__main__':
    unittest.main()
