# SPDX-License-Identifier: LGPL-2.1-or-later
"""Holons from Python, attacked as a hostile user would:

- head, supervision and provider policies written in Python that raise,
  answer the wrong type or an out-of-range value, or change the holarchy
  while they run;
- a Janus.Holon subclass whose do_supervise raises or answers garbage;
- references released in odd orders: the kernel's before the holons', the
  only Python reference to a running Python holon, a holon dropped from a
  member-removed handler.

A supervisor that raises or answers something that is not a
Janus.SupervisionAction escalates (the exception is printed); a head or
provider policy that raises or answers garbage makes the first member the
choice. Kernels with 0 workers are driven with step() on the test's
thread; the kernel's release is waited for on a signal, bounded."""

import contextlib
import gc
import io
import threading
import unittest

import gi
gi.require_version('Janus', '1.0')
from gi.repository import GLib, GObject, Janus  # noqa: E402

from janus_test import TIMEOUT, step_until_idle  # noqa: E402

MAX_STEPS = 500
A = Janus.SupervisionAction
S = Janus.AgentState


def names(agents):
    return [a.get_name() for a in agents]


class Worker(Janus.Agent):
    pass


class Broken(Janus.Agent):
    def do_live(self):
        raise RuntimeError('broken on purpose')


class Doubler(GObject.Object, Janus.Capacity):
    """A capacity: x → 2x, counting its calls."""

    def __init__(self):
        super().__init__()
        self.calls = 0

    def do_invoke(self, value):
        self.calls += 1
        return GLib.Variant('x', value.get_int64() * 2)


@contextlib.contextmanager
def quiet_stderr():
    """Swallows what Python prints on stderr (the expected tracebacks),
    and gives it to the test."""
    import sys
    saved, sys.stderr = sys.stderr, io.StringIO()
    try:
        yield sys.stderr
    finally:
        sys.stderr = saved


class Fixture(unittest.TestCase):
    def setUp(self):
        self.kernel = Janus.Kernel.new(0)

    def tearDown(self):
        self.kernel.shutdown()

    def holon(self, name, cls=Janus.Holon):
        holon = cls()
        self.kernel.launch_light_agent(holon, name, None)
        return holon

    def step(self):
        step_until_idle(self.kernel, MAX_STEPS)


class HeadPolicyTests(Fixture):
    def check_first_is_head(self, policy):
        holon = self.holon('h')
        holon.set_head_func(policy)
        with quiet_stderr() as err:
            holon.spawn_member(Worker(), 'a', None)
            holon.spawn_member(Worker(), 'b', None)
            self.step()
        self.assertEqual(names(holon.list_heads()), ['a'])
        return err.getvalue()

    def test_raises(self):
        def policy(holon, candidates):
            raise ValueError('no idea')
        printed = self.check_first_is_head(policy)
        self.assertIn('ValueError: no idea', printed)

    def test_wrong_types(self):
        for answer in ('b', None, -1, [1]):
            with self.subTest(answer=answer):
                self.check_first_is_head(lambda holon, candidates: answer)

    def test_decomposes_while_choosing(self):
        holon = self.holon('h')
        calls = []

        def policy(h, candidates):
            calls.append(names(candidates))
            h.decompose()
            return 0
        holon.set_head_func(policy)
        a, b = Worker(), Worker()
        holon.spawn_member(a, 'a', None)
        holon.spawn_member(b, 'b', None)
        self.step()
        self.assertEqual(calls, [['a', 'b']])
        self.assertTrue(holon.is_atomic())
        self.assertEqual(holon.list_heads(), [])
        self.assertEqual(a.get_state(), S.ALIVE)
        self.assertEqual(Janus.Holon.list_supers(b), [])


class SupervisionTests(Fixture):
    def setUp(self):
        super().setUp()
        self.kernel.set_clock(Janus.Clock.new_virtual(0, 0))
        self.top = self.holon('top')
        self.failed = []
        self.top.connect('member-failed',
                         lambda h, m, e, action: self.failed.append((m.get_name(), action)))

    def supervised(self, name, cls=Janus.Holon):
        holon = cls()
        self.top.spawn_member(holon, name, None)
        return holon

    def test_policy_raises_escalates(self):
        holon = self.supervised('mid')
        decided = []
        holon.connect('member-failed', lambda h, m, e, action: decided.append(action))

        def policy(h, member, error, restarts):
            raise KeyError('cannot decide')
        holon.set_supervision_func(policy)
        with quiet_stderr() as err:
            holon.spawn_member(Broken(), 'broken', None)
            self.step()
        self.assertIn("KeyError: 'cannot decide'", err.getvalue())
        self.assertIn('the supervision function failed: escalating', err.getvalue())
        self.assertEqual(decided, [A.ESCALATE])
        self.assertEqual(holon.get_state(), S.DIED)
        self.assertEqual(self.failed, [('mid', A.IGNORE)])

    def test_policy_garbage_escalates(self):
        for answer in ('restart', None, 42, True, 1.0):
            with self.subTest(answer=answer):
                self.failed.clear()
                holon = self.supervised('mid')
                holon.set_supervision_func(lambda h, m, e, r: answer)
                with quiet_stderr() as err:
                    holon.spawn_member(Broken(), 'broken', None)
                    self.step()
                self.assertIn('escalating', err.getvalue())
                self.assertEqual(holon.get_state(), S.DIED)
                self.assertEqual(self.failed, [('mid', A.IGNORE)])

    def test_policy_answers_numbers(self):
        holon = self.supervised('mid')
        holon.set_supervision_func(lambda h, m, e, r: 0)      # IGNORE, as a number
        with quiet_stderr():
            holon.spawn_member(Broken(), 'broken', None)
            self.step()
        self.assertEqual(holon.get_state(), S.ALIVE)
        self.assertEqual(self.failed, [])

    def test_vfunc_raises_escalates(self):
        class Clumsy(Janus.Holon):
            def do_supervise(self, member, error, restarts):
                raise RuntimeError('supervisor down')

        holon = self.supervised('clumsy', Clumsy)
        with quiet_stderr() as err:
            holon.spawn_member(Broken(), 'broken', None)
            self.step()
        self.assertIn('RuntimeError: supervisor down', err.getvalue())
        self.assertIn('Clumsy.do_supervise failed: escalating', err.getvalue())
        self.assertEqual(holon.get_state(), S.DIED)
        self.assertEqual(self.failed, [('clumsy', A.IGNORE)])

    def test_vfunc_garbage_escalates(self):
        class Vague(Janus.Holon):
            def do_supervise(self, member, error, restarts):
                return 'maybe'

        holon = self.supervised('vague', Vague)
        with quiet_stderr():
            holon.spawn_member(Broken(), 'broken', None)
            self.step()
        self.assertEqual(holon.get_state(), S.DIED)
        self.assertEqual(self.failed, [('vague', A.IGNORE)])

    def test_policy_kills_its_holon(self):
        holon = self.supervised('mid')
        sibling = Worker()
        holon.spawn_member(sibling, 'sibling', None)

        def policy(h, member, error, restarts):
            h.kill_me()
            return A.RESTART
        holon.set_supervision_func(policy)
        holon.set_restart_backoff(10)
        with quiet_stderr():
            holon.spawn_member(Broken(), 'broken', None)
            self.step()
        self.assertEqual(holon.get_state(), S.DIED)
        self.assertEqual(sibling.get_state(), S.DIED)
        self.assertTrue(self.top.is_atomic())
        # it died on request, not of a failure
        self.assertEqual(self.failed, [])


class ProviderTests(Fixture):
    def test_raises_first_candidate(self):
        holon = self.holon('h')
        workers = []
        for name in ('a', 'b'):
            w = Worker()
            holon.spawn_member(w, name, None)
            w.add_capacity(Janus.Capacity, Doubler())
            workers.append(w)

        def pick(h, capacity_type, candidates):
            raise LookupError('nobody')
        holon.set_provider_func(pick)
        done = []
        holon.invoke_capacity_async(Janus.Capacity, GLib.Variant('x', 4), None,
                                    lambda h, r: done.append(h.invoke_capacity_finish(r).unpack()))
        context = GLib.MainContext.default()
        with quiet_stderr() as err:
            for _ in range(MAX_STEPS):
                if done:
                    break
                self.kernel.step()
                while context.iteration(False):
                    pass
        self.assertEqual(done, [8])
        self.assertIn('LookupError: nobody', err.getvalue())
        self.assertEqual([w.get_capacity(Janus.Capacity).calls for w in workers], [1, 0])


class ThreadTests(unittest.TestCase):
    """Two Python threads compose holons of a 2-worker kernel whose Python
    head and supervision policies run on the workers (the GIL goes back
    and forth), then the kernel is shut down: no deadlock, no member in
    two holons, everything ended."""

    def test_python_threads_and_policies(self):
        import random
        kernel = Janus.Kernel.new(2)
        holons = []
        for i in range(3):
            holon = Janus.Holon()
            kernel.launch_light_agent(holon, 'h%d' % i, None)
            holon.set_head_func(lambda h, candidates: len(candidates) - 1)
            holon.set_supervision_func(lambda h, m, e, r: A.RESTART)
            holon.set_restart_backoff(10)
            holon.set_max_restarts(2)
            holons.append(holon)
        made = []
        errors = []

        def churn(seed):
            rand = random.Random(seed)
            for _ in range(200):
                holon = rand.choice(holons)
                op = rand.randrange(4)
                try:
                    if op == 0:
                        worker = Worker()
                        made.append(worker)
                        holon.spawn_member(worker, None, None)
                    elif op == 1:
                        holon.spawn_member(Broken(), None, None)
                    elif op == 2:
                        members = holon.list_members()
                        if members:
                            holon.move_member(members[0], rand.choice(holons))
                    else:
                        holon.decompose()
                except GLib.Error as e:
                    if e.domain != GLib.quark_to_string(Janus.holon_error_quark()) \
                       and not e.matches(Janus.kernel_error_quark(), Janus.KernelError.AGENT_DEAD) \
                       and not e.matches(Janus.kernel_error_quark(), Janus.KernelError.NOT_LAUNCHED):
                        errors.append(e.message)
        with quiet_stderr():
            threads = [threading.Thread(target=churn, args=(seed,)) for seed in (1, 2)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(TIMEOUT)
                self.assertFalse(thread.is_alive())
            for worker in made:
                self.assertLessEqual(len(Janus.Holon.list_supers(worker)), 1)
            kernel.shutdown()
        self.assertEqual(errors, [])
        for holon in holons:
            self.assertEqual(holon.get_state(), S.DIED)
            self.assertTrue(holon.is_atomic())
        for worker in made:
            self.assertIn(worker.get_state(), (S.DIED, S.UNBORN))


class ReleaseTests(unittest.TestCase):
    def test_kernel_released_first(self):
        kernel = Janus.Kernel.new(0)
        top = Janus.Holon()
        kernel.launch_light_agent(top, 'top', None)
        mid = Janus.Holon()
        top.spawn_member(mid, 'mid', None)
        leaf = Worker()
        mid.spawn_member(leaf, 'leaf', None)
        step_until_idle(kernel, MAX_STEPS)
        died = threading.Event()
        top.connect('notify::state',
                    lambda agent, pspec: agent.get_state() == S.DIED and died.set())
        del kernel
        gc.collect()
        self.assertTrue(died.wait(TIMEOUT))
        self.assertEqual(mid.get_state(), S.DIED)
        self.assertEqual(leaf.get_state(), S.DIED)
        self.assertTrue(top.is_atomic())
        self.assertEqual(Janus.Holon.list_supers(leaf), [])
        with self.assertRaises(GLib.Error) as caught:
            top.spawn_member(Worker(), 'late', None)
        self.assertTrue(caught.exception.matches(Janus.kernel_error_quark(),
                                                 Janus.KernelError.AGENT_DEAD))

    def test_python_holon_released_while_running(self):
        class Shop(Janus.Holon):
            def do_activate(self, parameters):
                self.note = 'mine'
                self.spawn_member(Worker(), 'w', None)
                return True

        kernel = Janus.Kernel.new(0)
        kernel.launch_light_agent(Shop(), 'shop', None)
        gc.collect()
        step_until_idle(kernel, MAX_STEPS)
        shop = kernel.lookup_agent_by_name('shop')
        # the same Python object, kept while the kernel runs it
        self.assertIsInstance(shop, Shop)
        self.assertEqual(shop.note, 'mine')
        self.assertEqual(names(shop.list_members()), ['w'])
        del shop
        gc.collect()
        kernel.kill(kernel.lookup_agent_by_name('shop'))
        step_until_idle(kernel, MAX_STEPS)
        self.assertIsNone(kernel.lookup_agent_by_name('shop'))
        self.assertIsNone(kernel.lookup_agent_by_name('w'))
        kernel.shutdown()

    def test_handler_drops_holon(self):
        kernel = Janus.Kernel.new(0)
        box = {'holon': Janus.Holon()}
        kernel.launch_light_agent(box['holon'], 'h', None)
        member = Worker()
        box['holon'].spawn_member(member, 'm', None)
        step_until_idle(kernel, MAX_STEPS)
        seen = []

        def on_removed(holon, who):
            seen.append(who.get_name())
            box.clear()             # the test's last Python reference
        box['holon'].connect('member-removed', on_removed)
        box['holon'].remove_member(member)
        gc.collect()
        step_until_idle(kernel, MAX_STEPS)
        self.assertEqual(seen, ['m'])
        self.assertEqual(Janus.Holon.list_supers(member), [])
        self.assertEqual(member.get_state(), S.ALIVE)
        kernel.shutdown()


if __name__ == '__main__':
    unittest.main()
