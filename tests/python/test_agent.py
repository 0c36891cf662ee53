# SPDX-License-Identifier: LGPL-2.1-or-later
"""Python agents: subclasses of Janus.Agent overriding do_activate, do_live
and do_end, their life-cycle, failures, the activation prototype class
attribute, worker threads and heavy agents.

Kernels with 0 workers are driven with step()/run() on the test's thread;
worker and heavy tests wait for real events with bounded timeouts."""

import threading
import time
import unittest

import gi
gi.require_version('Janus', '1.0')
from gi.repository import GLib, Janus  # noqa: E402

from janus_test import (  # noqa: E402
    KE, S, TIMEOUT, captured_stderr, is_janus_error, record_failures)


class Recorder(Janus.Agent):
    """Logs its vfunc calls into a shared list; lives `lives` steps."""

    def __init__(self, log=None, lives=3):
        super().__init__()
        self.log = log if log is not None else []
        self.lives = lives
        self.parameters = 'not activated'

    def do_activate(self, parameters):
        self.parameters = parameters
        self.log.append((self.get_name(), 'activate'))
        return True

    def do_live(self):
        self.log.append((self.get_name(), 'live'))
        self.lives -= 1
        return Janus.Live.AGAIN if self.lives > 0 else Janus.Live.DONE

    def do_end(self):
        self.log.append((self.get_name(), 'end'))


def record_states(agent):
    states = []
    agent.connect('notify::state', lambda a, pspec: states.append(a.get_state()))
    return states


class LifecycleTests(unittest.TestCase):
    def setUp(self):
        self.kernel = Janus.Kernel.new(0)
        self.addCleanup(self.kernel.shutdown)

    def test_vfuncs_called_in_order(self):
        a = Recorder(lives=3)
        self.assertTrue(self.kernel.launch_light_agent(a, 'a', None))
        self.kernel.run()
        self.assertEqual(a.log, [('a', 'activate'), ('a', 'live'), ('a', 'live'),
                                 ('a', 'live'), ('a', 'end')])
        self.assertEqual(a.get_state(), S.DIED)
        self.assertEqual(self.kernel.get_agent_count(), 0)

    def test_state_sequence(self):
        a = Recorder(lives=2)
        states = record_states(a)
        self.assertEqual(a.get_state(), S.UNBORN)
        self.kernel.launch_light_agent(a, 'a', None)
        # BORN is announced by launch itself, on the launching thread
        self.assertEqual(states, [S.BORN])
        self.assertEqual(a.get_state(), S.BORN)
        self.assertEqual(a.parameters, 'not activated')
        self.kernel.run()
        self.assertEqual(states, [S.BORN, S.ALIVE, S.DYING, S.BREAKING_DOWN, S.DIED])

    def test_state_seen_from_vfuncs(self):
        seen = []

        class Probe(Janus.Agent):
            def do_activate(self, parameters):
                seen.append(('activate', self.get_state(), self.is_alive()))
                return True

            def do_live(self):
                seen.append(('live', self.get_state(), self.is_alive()))
                return Janus.Live.DONE

            def do_end(self):
                seen.append(('end', self.get_state(), self.is_alive()))

        self.kernel.launch_light_agent(Probe(), None, None)
        self.kernel.run()
        self.assertEqual([(n, s) for n, s, _ in seen],
                         [('activate', S.BORN), ('live', S.ALIVE), ('end', S.BREAKING_DOWN)])
        self.assertTrue(seen[1][2])

    def test_live_runs_in_the_step_of_activate(self):
        a = Recorder(lives=2)
        self.kernel.launch_light_agent(a, 'a', None)
        self.assertTrue(self.kernel.step())
        self.assertEqual(a.log, [('a', 'activate'), ('a', 'live')])
        self.assertEqual(a.get_state(), S.ALIVE)

    def test_step_gives_one_turn_each_in_launch_order(self):
        log = []
        agents = [Recorder(log, lives=2) for _ in range(3)]
        for name, agent in zip('abc', agents):
            self.kernel.launch_light_agent(agent, name, None)
        self.assertTrue(self.kernel.step())
        self.assertEqual(log, [('a', 'activate'), ('a', 'live'),
                               ('b', 'activate'), ('b', 'live'),
                               ('c', 'activate'), ('c', 'live')])
        del log[:]
        self.assertFalse(self.kernel.step())
        self.assertEqual(log, [('a', 'live'), ('a', 'end'),
                               ('b', 'live'), ('b', 'end'),
                               ('c', 'live'), ('c', 'end')])
        self.assertEqual([a.get_state() for a in agents], [S.DIED] * 3)

    def test_wait_sleeps_until_a_message(self):
        lives = []

        class Waiter(Janus.Agent):
            def do_live(self):
                lives.append([m.get_subject() for m in self.get_mailbox()])
                return Janus.Live.WAIT

        w = Waiter()
        self.kernel.launch_light_agent(w, 'w', None)
        self.assertFalse(self.kernel.step())
        self.assertEqual(lives, [[]])
        self.assertFalse(self.kernel.step())     # nothing runnable: no turn
        self.assertEqual(lives, [[]])
        self.kernel.send(w.get_address(), Janus.Message('wake up'))
        self.kernel.step()
        self.assertEqual(lives, [[], ['wake up']])
        self.assertTrue(self.kernel.kill(w))
        self.kernel.run()
        self.assertEqual(w.get_state(), S.DIED)

    def test_wake(self):
        count = []

        class Sleeper(Janus.Agent):
            def do_live(self):
                count.append(1)
                return Janus.Live.WAIT

        s = Sleeper()
        self.kernel.launch_light_agent(s, None, None)
        self.kernel.step()
        s.wake()
        self.kernel.step()
        self.assertEqual(len(count), 2)
        self.kernel.kill_all()
        self.kernel.run()

    def test_kill_me_takes_effect_at_end_of_step(self):
        log = []

        class Quitter(Janus.Agent):
            def do_live(self):
                self.kill_me()
                log.append(('after kill_me', self.get_state()))
                return Janus.Live.AGAIN

            def do_end(self):
                log.append(('end', self.get_state()))

        self.kernel.launch_light_agent(Quitter(), None, None)
        self.kernel.run()
        self.assertEqual(log, [('after kill_me', S.ALIVE), ('end', S.BREAKING_DOWN)])

    def test_parameters_none_without_prototype(self):
        a = Recorder(lives=1)
        self.kernel.launch_light_agent(a, None, None)
        self.kernel.run()
        self.assertIsNone(a.parameters)

    def test_any_parameters_without_prototype(self):
        a = Recorder(lives=1)
        v = GLib.Variant('(sai)', ('x', [1, 2]))
        self.kernel.launch_light_agent(a, None, v)
        self.kernel.run()
        self.assertIsInstance(a.parameters, GLib.Variant)
        self.assertEqual(a.parameters, v)
        self.assertIsNone(a.get_activation_prototype())

    def test_name(self):
        a, b = Recorder(lives=1), Recorder(lives=1)
        self.kernel.launch_light_agent(a, 'alice', None)
        self.kernel.launch_light_agent(b, None, None)
        self.assertEqual(a.get_name(), 'alice')
        self.assertEqual(a.props.name, 'alice')
        self.assertIsNone(b.get_name())
        self.kernel.run()

    def test_launch_twice(self):
        a = Recorder(lives=1)
        self.kernel.launch_light_agent(a, None, None)
        with self.assertRaises(GLib.Error) as cm:
            self.kernel.launch_light_agent(a, None, None)
        self.assertTrue(is_janus_error(cm.exception, KE.ALREADY_LAUNCHED))
        self.kernel.run()

    def test_launch_on_shut_down_kernel(self):
        self.kernel.shutdown()
        a = Recorder()
        with self.assertRaises(GLib.Error) as cm:
            self.kernel.launch_light_agent(a, None, None)
        self.assertTrue(is_janus_error(cm.exception, KE.STOPPED))
        self.assertEqual(a.get_state(), S.UNBORN)

    def test_python_state_survives_in_kernel(self):
        # the kernel's reference keeps the Python wrapper (and its __dict__)
        log = []
        self.kernel.launch_light_agent(Recorder(log, lives=2), 'x', None)
        self.kernel.run()
        self.assertEqual(len(log), 4)


class FailureTests(unittest.TestCase):
    def setUp(self):
        self.kernel = Janus.Kernel.new(0)
        self.addCleanup(self.kernel.shutdown)
        self.failures = record_failures(self.kernel)

    def launch_failing(self, cls):
        agent = cls()
        agent.ended = False
        agent.lived = False
        states = record_states(agent)
        self.kernel.launch_light_agent(agent, 'f', None)
        return agent, states

    def assert_failed_activate(self, agent, states):
        self.assertEqual(states, [S.BORN, S.DYING, S.BREAKING_DOWN, S.DIED])
        self.assertTrue(agent.ended)
        self.assertFalse(agent.lived)
        self.assertEqual(len(self.failures), 1)
        self.assertIs(self.failures[0][0], agent)

    def test_activate_returns_false(self):
        class Refuser(Janus.Agent):
            def do_activate(self, parameters):
                return False

            def do_live(self):
                self.lived = True
                return Janus.Live.DONE

            def do_end(self):
                self.ended = True

        agent, states = self.launch_failing(Refuser)
        self.kernel.run()
        self.assert_failed_activate(agent, states)
        error = self.failures[0][1]
        self.assertIsInstance(error, GLib.Error)
        self.assertTrue(is_janus_error(error, KE.FAILED))

    def test_activate_raises_glib_error(self):
        class Refuser(Janus.Agent):
            def do_activate(self, parameters):
                raise GLib.Error.new_literal(GLib.file_error_quark(), 'no such job',
                                             GLib.FileError.NOENT)

            def do_end(self):
                self.ended = True

        agent, states = self.launch_failing(Refuser)
        self.kernel.run()
        self.assert_failed_activate(agent, states)
        error = self.failures[0][1]
        self.assertTrue(error.matches(GLib.file_error_quark(), GLib.FileError.NOENT))
        self.assertEqual(error.message, 'no such job')

    def test_activate_raises_exception(self):
        class Crasher(Janus.Agent):
            def do_activate(self, parameters):
                raise RuntimeError('activate exploded')

            def do_live(self):
                self.lived = True
                return Janus.Live.DONE

            def do_end(self):
                self.ended = True

        with captured_stderr() as err:
            agent, states = self.launch_failing(Crasher)
            self.kernel.run()
        self.assertIn('activate exploded', err.getvalue())
        self.assert_failed_activate(agent, states)
        error = self.failures[0][1]
        self.assertEqual(error.domain, GLib.quark_to_string(Janus.kernel_error_quark()))
        # the exception's text, and the agent, are in the error
        self.assertTrue(is_janus_error(error, KE.FAILED))
        self.assertIn('RuntimeError: activate exploded', error.message)
        self.assertIn(str(agent.get_address()), error.message)

    def test_live_raises_exception(self):
        log = []

        class Crasher(Janus.Agent):
            def do_live(self):
                raise ValueError('live exploded')

            def do_end(self):
                log.append('crasher end')

        crasher = Crasher()
        other = Recorder(log, lives=5)
        with captured_stderr() as err:
            self.kernel.launch_light_agent(crasher, 'crasher', None)
            self.kernel.launch_light_agent(other, 'other', None)
            self.kernel.run()
        self.assertIn('live exploded', err.getvalue())
        self.assertEqual(len(self.failures), 1)
        agent, error = self.failures[0]
        self.assertIs(agent, crasher)
        # the override reports the exception itself, with its text
        self.assertTrue(is_janus_error(error, KE.FAILED))
        self.assertIn('ValueError: live exploded', error.message)
        self.assertIn('crasher', error.message)
        self.assertEqual(crasher.get_state(), S.DIED)
        self.assertEqual(log.count('crasher end'), 1)
        # the other agent and the kernel keep going
        self.assertEqual(log.count(('other', 'live')), 5)
        self.assertEqual(log[-1], ('other', 'end'))

    def test_live_returns_invalid_value(self):
        for value in (0, 42, None, 'again'):
            with self.subTest(value=value):
                del self.failures[:]

                class Liar(Janus.Agent):
                    def do_live(self):
                        return value

                liar = Liar()
                with captured_stderr():
                    self.kernel.launch_light_agent(liar, None, None)
                    self.kernel.run()
                self.assertEqual(liar.get_state(), S.DIED)
                self.assertEqual(len(self.failures), 1)
                self.assertTrue(is_janus_error(self.failures[0][1], KE.INVALID_LIVE_RESULT))

    def test_end_raises_exception(self):
        class BadEnd(Janus.Agent):
            def do_live(self):
                return Janus.Live.DONE

            def do_end(self):
                raise KeyError('end exploded')

        bad, other = BadEnd(), Recorder(lives=2)
        with captured_stderr() as err:
            self.kernel.launch_light_agent(bad, None, None)
            self.kernel.launch_light_agent(other, None, None)
            self.kernel.run()
        self.assertIn('end exploded', err.getvalue())
        self.assertEqual(bad.get_state(), S.DIED)
        self.assertEqual(other.log[-1], (None, 'end'))
        # reported, once; the agent was dying anyway
        (agent, error), = self.failures
        self.assertIs(agent, bad)
        self.assertTrue(is_janus_error(error, KE.FAILED))
        self.assertIn("KeyError: 'end exploded'", error.message)


class Job(Janus.Agent):
    activation_prototype = '(si)'

    def do_activate(self, parameters):
        self.parameters = parameters
        return True

    def do_live(self):
        return Janus.Live.DONE


class SubJob(Job):
    pass


class AnyJob(Job):
    activation_prototype = None


class OtherJob(Janus.Agent):
    activation_prototype = 'x'


class PrototypeTests(unittest.TestCase):
    def setUp(self):
        self.kernel = Janus.Kernel.new(0)
        self.addCleanup(self.kernel.shutdown)

    def test_right_parameters_reach_activate(self):
        job = Job()
        self.assertTrue(self.kernel.launch_light_agent(job, 'job', GLib.Variant('(si)', ('build', 3))))
        self.kernel.run()
        self.assertIsInstance(job.parameters, GLib.Variant)
        self.assertEqual(job.parameters.get_type_string(), '(si)')
        self.assertEqual(job.parameters.unpack(), ('build', 3))

    def test_wrong_parameters_refused(self):
        cases = [('wrong type', GLib.Variant('(i)', (3,))),
                 ('missing', None),
                 ('too many', GLib.Variant('(sis)', ('a', 1, 'b'))),
                 ('not a tuple', GLib.Variant('s', 'build'))]
        for what, parameters in cases:
            with self.subTest(what):
                job = Job()
                with self.assertRaises(GLib.Error) as cm:
                    self.kernel.launch_light_agent(job, 'job', parameters)
                self.assertEqual(cm.exception.domain, GLib.quark_to_string(Janus.kernel_error_quark()))
                self.assertEqual(cm.exception.code, KE.INVALID_PARAMETERS)
                self.assertIn('(si)', cm.exception.message)
                self.assertEqual(job.get_state(), S.UNBORN)
                self.assertIsNone(job.get_address())
                # still launchable, correctly
                self.assertTrue(self.kernel.launch_light_agent(job, 'job', GLib.Variant('(si)', ('x', 1))))
                self.kernel.run()
                self.assertEqual(job.parameters.unpack(), ('x', 1))

    def test_heavy_launch_checks_prototype(self):
        with self.assertRaises(GLib.Error) as cm:
            self.kernel.launch_heavy_agent(Job(), None, GLib.Variant('i', 1))
        self.assertTrue(is_janus_error(cm.exception, KE.INVALID_PARAMETERS))

    def test_prototype_visible_on_instances(self):
        self.assertEqual(Job().get_activation_prototype().dup_string(), '(si)')
        self.assertEqual(OtherJob().get_activation_prototype().dup_string(), 'x')

    def test_python_subclass_inherits_prototype(self):
        with self.assertRaises(GLib.Error) as cm:
            self.kernel.launch_light_agent(SubJob(), None, GLib.Variant('i', 1))
        self.assertEqual(cm.exception.code, KE.INVALID_PARAMETERS)
        sub = SubJob()
        self.kernel.launch_light_agent(sub, None, GLib.Variant('(si)', ('sub', 2)))
        self.kernel.run()
        self.assertEqual(sub.parameters.unpack(), ('sub', 2))

    def test_none_accepts_any_parameters(self):
        Job()                                           # parent applied first
        for parameters in (None, GLib.Variant('i', 1)):
            job = AnyJob()
            self.assertTrue(self.kernel.launch_light_agent(job, None, parameters))
            self.kernel.run()
            self.assertEqual(job.parameters, parameters)

    def test_invalid_type_string(self):
        class Broken(Janus.Agent):
            activation_prototype = '(si'

        with self.assertRaises(ValueError):
            Broken()


class WorkerTests(unittest.TestCase):
    """A kernel with 2 workers: Python vfuncs run on worker threads."""

    def setUp(self):
        self.kernel = Janus.Kernel.new(2)
        self.addCleanup(self.kernel.shutdown)

    def test_vfuncs_run_on_worker_threads(self):
        main = threading.get_ident()

        class Counter(Janus.Agent):
            def __init__(self):
                super().__init__()
                self.count = 0
                self.threads = set()
                self.ended = 0

            def do_activate(self, parameters):
                self.threads.add(threading.get_ident())
                return True

            def do_live(self):
                self.threads.add(threading.get_ident())
                self.count += 1
                return Janus.Live.AGAIN if self.count < 300 else Janus.Live.DONE

            def do_end(self):
                self.ended += 1

        counters = [Counter() for _ in range(4)]
        died = threading.Event()
        remaining = [len(counters)]
        lock = threading.Lock()

        def on_state(agent, pspec):
            if agent.get_state() == S.DIED:
                with lock:
                    remaining[0] -= 1
                    if remaining[0] == 0:
                        died.set()

        for c in counters:
            c.connect('notify::state', on_state)
            self.kernel.launch_light_agent(c, None, None)
        self.kernel.run()
        self.assertTrue(died.wait(TIMEOUT))
        for c in counters:
            self.assertEqual(c.count, 300)
            self.assertEqual(c.ended, 1)
            self.assertNotIn(main, c.threads)
            self.assertEqual(c.get_state(), S.DIED)

    def test_ping_pong(self):
        n = 2000
        done = threading.Event()
        result = []

        class Player(Janus.Agent):
            peer = None

            def do_live(self):
                for m in self.get_mailbox():
                    v = m.get_int64(None)
                    if m.has_subject('start'):
                        self.send(self.peer, Janus.Message.new_int64('ball', 1))
                    elif v >= n:
                        result.append(v)
                        done.set()
                    else:
                        self.reply(m, Janus.Message.new_int64('ball', v + 1))
                return Janus.Live.WAIT

        ping, pong = Player(), Player()
        self.kernel.launch_light_agent(ping, 'ping', None)
        self.kernel.launch_light_agent(pong, 'pong', None)
        ping.peer = pong.get_address()
        self.kernel.send(ping.get_address(), Janus.Message('start'))
        self.assertTrue(done.wait(TIMEOUT))
        self.assertEqual(result, [n])
        self.kernel.kill_all()
        self.kernel.run()

    def test_exception_in_live_on_worker(self):
        failures = []
        failed = threading.Event()

        def on_failed(kernel, agent, error):
            failures.append((agent, error))
            failed.set()

        self.kernel.connect('agent-failed', on_failed)

        class Crasher(Janus.Agent):
            def do_live(self):
                raise RuntimeError('worker live exploded')

        crasher = Crasher()
        others = [Recorder(lives=50) for _ in range(3)]
        with captured_stderr() as err:
            self.kernel.launch_light_agent(crasher, None, None)
            for o in others:
                self.kernel.launch_light_agent(o, None, None)
            self.kernel.run()
            self.assertTrue(failed.wait(TIMEOUT))
        self.assertIn('worker live exploded', err.getvalue())
        self.assertEqual(len(failures), 1)
        self.assertIs(failures[0][0], crasher)
        self.assertEqual(failures[0][1].code, KE.FAILED)
        self.assertIn('worker live exploded', failures[0][1].message)
        for o in others:
            self.assertEqual(o.log.count((None, 'live')), 50)
            self.assertEqual(o.get_state(), S.DIED)

    def test_agent_launches_agent_from_worker(self):
        done = threading.Event()
        children = []

        class Child(Janus.Agent):
            def do_live(self):
                done.set()
                return Janus.Live.DONE

        class Parent(Janus.Agent):
            def do_activate(self, parameters):
                child = Child()
                children.append(child)
                return self.get_kernel().launch_light_agent(child, 'child', None)

            def do_live(self):
                return Janus.Live.DONE

        self.kernel.launch_light_agent(Parent(), 'parent', None)
        self.assertTrue(done.wait(TIMEOUT))
        self.kernel.run()
        self.assertEqual(children[0].get_state(), S.DIED)


class HeavyTests(unittest.TestCase):
    def setUp(self):
        self.kernel = Janus.Kernel.new(0)
        self.addCleanup(self.kernel.shutdown)

    class Heavy(Janus.Agent):
        def __init__(self, timeout_usec):
            super().__init__()
            self.timeout_usec = timeout_usec
            self.waiting = threading.Event()
            self.ended = threading.Event()
            self.got = []

        def do_live(self):
            self.thread = threading.get_ident()
            self.waiting.set()
            start = time.monotonic()
            m = self.wait_message(self.timeout_usec)
            self.got.append((m, time.monotonic() - start))
            if m is not None and m.has_subject('ping'):
                self.reply(m, Janus.Message.new_int64('pong', m.get_int64() + 1))
            return Janus.Live.DONE

        def do_end(self):
            self.ended.set()

    def test_wait_message_times_out(self):
        heavy = self.Heavy(50000)       # 50 ms
        self.kernel.launch_heavy_agent(heavy, 'heavy', None)
        self.assertTrue(heavy.is_heavy())
        self.kernel.run()
        self.assertTrue(heavy.ended.is_set())
        (m, waited), = heavy.got
        self.assertIsNone(m)
        self.assertGreaterEqual(waited, 0.045)
        self.assertNotEqual(heavy.thread, threading.get_ident())

    def test_blocks_until_light_agent_sends(self):
        result = []

        class Asker(Janus.Agent):
            def do_activate(self, parameters):
                return self.send(self.heavy, Janus.Message.new_int64('ping', 41))

            def do_live(self):
                m = self.get_message()
                if m is None:
                    return Janus.Live.WAIT
                result.append((m.get_subject(), m.get_int64()))
                return Janus.Live.DONE

        heavy = self.Heavy(TIMEOUT * 1000000)
        self.kernel.launch_heavy_agent(heavy, 'heavy', None)
        self.assertTrue(heavy.waiting.wait(TIMEOUT))
        asker = Asker()
        asker.heavy = heavy.get_address()
        self.kernel.launch_light_agent(asker, 'asker', None)
        self.kernel.run()
        self.assertEqual(result, [('pong', 42)])
        self.assertEqual(heavy.got[0][0].get_subject(), 'ping')
        self.assertEqual(heavy.get_state(), S.DIED)

    def test_kill_wakes_waiting_heavy(self):
        heavy = self.Heavy(-1)          # waits for ever
        self.kernel.launch_heavy_agent(heavy, 'heavy', None)
        self.assertTrue(heavy.waiting.wait(TIMEOUT))
        self.assertTrue(self.kernel.kill(heavy))
        self.assertTrue(heavy.ended.wait(TIMEOUT))
        self.kernel.run()
        self.assertEqual(heavy.got[0][0], None)
        self.assertEqual(heavy.get_state(), S.DIED)

    def test_wake_ends_wait(self):
        heavy = self.Heavy(-1)
        self.kernel.launch_heavy_agent(heavy, 'heavy', None)
        self.assertTrue(heavy.waiting.wait(TIMEOUT))
        heavy.wake()
        self.assertTrue(heavy.ended.wait(TIMEOUT))
        self.kernel.run()
        self.assertIsNone(heavy.got[0][0])


if __name__ == '__main__':
    unittest.main()
