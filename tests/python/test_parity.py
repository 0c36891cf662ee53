# SPDX-License-Identifier: LGPL-2.1-or-later
"""What janus-c took from Janus 1.x, from Python: message selectors (by
subject, by sender, from a callable) and the mailbox operations around
them, per-sender mailboxes and buffer control; agent signals with the
three policies; probes read from another thread; groups found by name and
the kernel's group signals; memory events with the old value and typed
getters; capacity calls with a context, polled, and the GIO pair.

Kernels with 0 workers are stepped on the test's thread; the 2-worker
tests wait for real events with bounded timeouts."""

import threading
import time
import unittest

import gi
gi.require_version('Janus', '1.0')
from gi.repository import GLib, GObject, Janus  # noqa: E402

from janus_test import (  # noqa: E402
    MAX_STEPS, MEM, OE, TIMEOUT, is_janus_error, step_until, step_until_idle)

K = Janus.MailboxKind
P = Janus.SignalPolicy


class Doer(Janus.Agent):
    """Runs the callables queued with do() in its next steps."""

    def __init__(self):
        super().__init__()
        self.todo = []
        self.lives = 0

    def do(self, kernel, func):
        self.todo.append(func)
        self.wake()
        step_until(kernel, lambda: not self.todo)

    def do_live(self):
        self.lives += 1
        while self.todo:
            self.todo[0](self)
            self.todo.pop(0)
        return Janus.Live.WAIT


def launch(kernel, agent, name=None):
    kernel.launch_light_agent(agent, name, None)
    step_until(kernel, lambda: agent.get_state() == Janus.AgentState.ALIVE)
    return agent


def subjects(messages):
    return [m.get_subject() for m in messages]


class SelectorTests(unittest.TestCase):
    def setUp(self):
        self.kernel = Janus.Kernel.new(0)
        self.agent = launch(self.kernel, Doer())

    def tearDown(self):
        self.kernel.shutdown()

    def post(self, *items):
        for subject, value in items:
            self.kernel.send(self.agent.get_address(), Janus.Message(subject, value))

    def test_subject_and_callable(self):
        self.post(('a', 1), ('b', 2), ('a', 3), ('c', 4))
        seen = {}

        def read(agent):
            a = Janus.MessageSelector.new_subject('a')
            odd = Janus.MessageSelector.new_func(lambda m: m.get_body().get_int64() % 2 == 1)
            seen['has'] = agent.has_message_matching(a)
            seen['peek'] = agent.peek_message_matching(a).get_subject()
            seen['first'] = agent.get_message_matching(a).get_body().get_int64()
            seen['odd'] = [m.get_body().get_int64() for m in agent.get_messages_matching(odd)]
            seen['left'] = subjects(agent.peek_messages())
            seen['none'] = agent.get_message_matching(Janus.MessageSelector.new_subject('z'))
        self.agent.do(self.kernel, read)
        self.assertTrue(seen['has'])
        self.assertEqual(seen['peek'], 'a')
        self.assertEqual(seen['first'], 1)
        self.assertEqual(seen['odd'], [3])
        self.assertEqual(seen['left'], ['b', 'c'])
        self.assertIsNone(seen['none'])

    def test_sender(self):
        other = launch(self.kernel, Doer())
        other.send(self.agent.get_address(), Janus.Message('x', 1))
        self.post(('x', 2))
        got = []
        self.agent.do(self.kernel, lambda a: got.extend(
            m.get_body().get_int64() for m in a.get_messages_matching(
                Janus.MessageSelector.new_sender(other.get_address()))))
        self.assertEqual(got, [1])

    def test_mailbox_contains_remove(self):
        self.post(('a', 1), ('b', 2), ('b', 3))
        seen = {}

        def read(agent):
            box = agent.get_mailbox()
            first = box.peek_messages()[0]
            seen['contains'] = box.contains(first)
            seen['removed'] = box.remove(first)
            seen['again'] = box.remove(first)
            seen['removed_b'] = box.remove_matching(Janus.MessageSelector.new_subject('b'))
            seen['size'] = box.get_size()
        self.agent.do(self.kernel, read)
        self.assertEqual(seen, {'contains': True, 'removed': True, 'again': False,
                                'removed_b': 2, 'size': 0})

    def test_per_sender_and_buffer(self):
        self.agent.set_mailbox_kind(K.BUFFERED_PER_SENDER)
        seen = {}

        def during(agent):
            box = agent.get_mailbox()
            me = agent.get_address()
            agent.send(me, Janus.Message('p', 1))
            agent.send(me, Janus.Message('p', 2))
            seen['before'] = (box.get_size(), box.get_buffer_size())
            box.synchronize()
            seen['after'] = (box.get_size(), box.get_buffer_size())
            seen['kept'] = [m.get_body().get_int64() for m in box.peek_messages()]
        self.agent.do(self.kernel, during)
        self.assertEqual(seen['before'], (0, 2))
        self.assertEqual(seen['after'], (1, 0))
        self.assertEqual(seen['kept'], [2])
        self.assertEqual(self.kernel.get_dead_letter_count(), 1)


class HeavyWaitTests(unittest.TestCase):
    def test_wait_matching_on_workers(self):
        kernel = Janus.Kernel.new(2)
        result = {}
        ready = threading.Event()
        done = threading.Event()

        class Waiter(Janus.Agent):
            def do_live(self):
                ready.set()
                m = self.wait_message_matching(Janus.MessageSelector.new_subject('go'),
                                               TIMEOUT * 1000000)
                result['got'] = m.get_subject() if m else None
                result['left'] = subjects(self.get_messages())
                late = self.wait_message_matching(Janus.MessageSelector.new_subject('x'), 10000)
                result['late'] = late
                done.set()
                return Janus.Live.DONE

        w = Waiter()
        kernel.launch_heavy_agent(w, 'waiter', None)
        self.assertTrue(ready.wait(TIMEOUT))
        kernel.send(w.get_address(), Janus.Message('other', 1))
        kernel.send(w.get_address(), Janus.Message('go', 2))
        self.assertTrue(done.wait(TIMEOUT))
        kernel.shutdown()
        self.assertEqual(result, {'got': 'go', 'left': ['other'], 'late': None})


class SignalTests(unittest.TestCase):
    def test_policies(self):
        kernel = Janus.Kernel.new(0)
        agent = launch(kernel, Doer())
        log = []
        ids = {}

        def setup(a):
            a.add_signal_listener('x', P.INSTANT, lambda s: log.append(('instant', s.get_name())))
            a.add_signal_listener(None, P.BUFFERED,
                                  lambda s: log.append(('buffered', s.get_values().unpack())))
            ids['queue'] = a.add_signal_listener('x', P.QUEUE, None)

        def fire(a):
            a.fire_signal(Janus.AgentSignal.new('x', GLib.Variant('i', 1)))
            a.fire_signal(Janus.AgentSignal.new('y', GLib.Variant('i', 2)))
            log.append('fired')

        taken = []
        agent.do(kernel, setup)
        agent.do(kernel, fire)
        step_until_idle(kernel)
        agent.do(kernel, lambda a: taken.append(a.take_signal(ids['queue'])))
        self.assertEqual(log, [('instant', 'x'), 'fired', ('buffered', 1), ('buffered', 2)])
        self.assertEqual(taken[0].get_name(), 'x')
        self.assertEqual(taken[0].dup_source(), agent)
        kernel.shutdown()

    def test_role_listener_goes_with_the_role(self):
        class R(Janus.Role):
            pass

        class Org(Janus.Organization):
            pass

        Janus.Organization.type_add_role(Org, R, 0)
        kernel = Janus.Kernel.new(0)
        group = kernel.create_group(Org)
        group.set_persistent(True)
        agent = launch(kernel, Doer())
        heard = []
        roles = []

        def take_role(a):
            role = a.request_role(R, group, None)
            role.add_signal_listener(None, P.INSTANT, lambda s: heard.append(s.get_name()))
            roles.append(role)

        agent.do(kernel, take_role)
        agent.do(kernel, lambda a: roles[0].fire_signal(Janus.AgentSignal.new('one', None)))
        agent.do(kernel, lambda a: a.leave_role(R, group))
        agent.do(kernel, lambda a: a.fire_signal(Janus.AgentSignal.new('two', None)))
        self.assertEqual(heard, ['one'])
        kernel.shutdown()


class Miner(Doer):
    gold = GObject.Property(type=int, default=0)
    twin = GObject.Property(type=int, default=0)
    secret = GObject.Property(type=int, default=0)


Janus.Agent.type_add_probe(Miner, 'gold')
Janus.Agent.type_add_probe(Miner, 'twin')


class ProbeTests(unittest.TestCase):
    def test_declared_values(self):
        self.assertEqual(Janus.type_list_probes(Miner), ['gold', 'twin'])
        kernel = Janus.Kernel.new(0)
        miner = launch(kernel, Miner())
        probe = Janus.Probe.new(miner)
        step_until_idle(kernel)
        self.assertEqual(probe.get_value('gold').unpack(), 0)

        def dig(a):
            a.props.gold = 7
            a.props.twin = 7
            a.props.secret = 1
        miner.do(kernel, dig)
        self.assertEqual(probe.get_value('gold').unpack(), 7)
        self.assertIsNone(probe.get_value('secret'))
        self.assertEqual(sorted(probe.list_names()), ['gold', 'twin'])
        with self.assertRaises(GLib.Error) as ctx:
            probe.get_typed('gold', GLib.VariantType('s'))
        self.assertTrue(ctx.exception.matches(Janus.probe_error_quark(),
                                              Janus.ProbeError.WRONG_TYPE))
        kernel.shutdown()
        # the last snapshot stays readable
        self.assertFalse(probe.is_alive())
        self.assertEqual(probe.get_value('gold').unpack(), 7)

    def test_read_from_another_thread(self):
        kernel = Janus.Kernel.new(2)
        target = 50

        class Busy(Miner):
            def do_live(self):
                self.props.gold += 1
                self.props.twin = self.props.gold
                return Janus.Live.AGAIN if self.props.gold < target else Janus.Live.WAIT

        busy = Busy()
        kernel.launch_light_agent(busy, 'busy', None)
        probe = Janus.Probe.new(busy)
        torn = []
        last = [0]

        def reader():
            deadline = time.monotonic() + TIMEOUT
            while last[0] < target and time.monotonic() < deadline:
                snap = probe.dup_snapshot()
                if snap is None:
                    continue
                serial, when, values, roles = snap.unpack()
                if values['gold'] != values['twin']:
                    torn.append(values)
                last[0] = values['gold']

        t = threading.Thread(target=reader)
        t.start()
        t.join(TIMEOUT + 1)
        kernel.shutdown()
        self.assertEqual(last[0], target)
        self.assertEqual(torn, [])


class GroupTests(unittest.TestCase):
    def test_named_groups_and_signals(self):
        class Org(Janus.Organization):
            pass

        kernel = Janus.Kernel.new(0)
        created, removed = [], []
        kernel.connect('group-created', lambda k, g: created.append(g.get_name()))
        kernel.connect('group-removed', lambda k, g: removed.append(g.get_name()))
        g = kernel.create_group_full(Org, 'market', '3f2a9c1e-2b1d-4c8e-9a57-1d2e3f4a5b6c',
                                     None, None, None)
        self.assertEqual(kernel.lookup_group_by_name(Janus.Organization, 'market'), g)
        self.assertEqual(kernel.lookup_group('3F2A9C1E-2B1D-4C8E-9A57-1D2E3F4A5B6C'), g)
        self.assertIsNone(kernel.lookup_group_by_name(Org, 'other'))
        with self.assertRaises(GLib.Error) as ctx:
            kernel.create_group_full(Org, None, '3f2a9c1e-2b1d-4c8e-9a57-1d2e3f4a5b6c',
                                     None, None, None)
        self.assertTrue(is_janus_error(ctx.exception, OE.GROUP_EXISTS))
        self.assertTrue(kernel.remove_group(g))
        self.assertEqual(created, ['market'])
        self.assertEqual(removed, ['market'])
        self.assertIsNone(kernel.lookup_group_by_name(Org, 'market'))
        kernel.shutdown()

    def test_idle_timeout_virtual_clock(self):
        class Org(Janus.Organization):
            pass

        kernel = Janus.Kernel.new(0)
        kernel.set_clock(Janus.Clock.new_virtual(0, 0))
        removed = []
        kernel.connect('group-removed', lambda k, g: removed.append(k.get_time()))
        g = kernel.create_group(Org)
        g.props.persistent = True
        g.props.idle_timeout = 250
        step_until_idle(kernel)
        self.assertEqual(removed, [250])
        self.assertFalse(g.is_alive())
        kernel.shutdown()


class MemoryTests(unittest.TestCase):
    def test_old_values_and_typed_getters(self):
        memory = Janus.BlackboardMemory.new()
        events = []
        memory.connect('value-changed',
                       lambda m, key, old, new: events.append(
                           (key, old.unpack() if old else None, new.unpack() if new else None)))
        memory.put('n', GLib.Variant('i', 1))
        memory.put('n', GLib.Variant('i', 2))
        memory.remove('n')
        self.assertEqual(events, [('n', None, 1), ('n', 1, 2), ('n', 2, None)])
        memory.put('s', GLib.Variant('s', 'text'))
        self.assertEqual(memory.dup_string('s'), 'text')
        with self.assertRaises(GLib.Error) as ctx:
            memory.get_int64('s')
        self.assertTrue(is_janus_error(ctx.exception, MEM.WRONG_TYPE))
        with self.assertRaises(GLib.Error) as ctx:
            memory.get_boolean('absent')
        self.assertTrue(is_janus_error(ctx.exception, MEM.NO_SUCH_KEY))


class Doubler(GObject.Object, Janus.Capacity):
    def do_invoke(self, value):
        context = Janus.CapacityContext.get_current()
        return GLib.Variant('(xs)', (value.unpack() * 2, context.get_role().get_group().get_name()))


class CapacityTests(unittest.TestCase):
    def setUp(self):
        class R(Janus.Role):
            pass

        class Org(Janus.Organization):
            pass

        Janus.Organization.type_add_role(Org, R, 0)
        self.kernel = Janus.Kernel.new(0)
        self.group = self.kernel.create_group_full(Org, 'shop', None, None, None, None)
        self.agent = Doer()
        self.agent.add_capacity(Janus.Capacity, Doubler())
        launch(self.kernel, self.agent)
        self.roles = []
        self.agent.do(self.kernel, lambda a: self.roles.append(a.request_role(R, self.group, None)))

    def tearDown(self):
        self.kernel.shutdown()

    def test_call_and_poll(self):
        calls = []
        self.agent.do(self.kernel, lambda a: calls.append(
            self.roles[0].call_capacity(Janus.Capacity, GLib.Variant('x', 21), None)))
        call = calls[0]
        self.assertFalse(call.is_completed())
        step_until_idle(self.kernel)
        self.assertTrue(call.is_completed())
        self.assertEqual(call.wait(0).unpack(), (42, 'shop'))

    def test_gio_pair_in_the_agents_step(self):
        results = []

        def done(role, result):
            results.append((role.invoke_capacity_finish(result).unpack(), self.agent.lives))

        self.agent.do(self.kernel, lambda a: self.roles[0].invoke_capacity_async(
            Janus.Capacity, GLib.Variant('x', 4), None, done))
        lives = self.agent.lives
        step_until_idle(self.kernel)
        self.assertEqual(len(results), 1)
        value, lives_then = results[0]
        self.assertEqual(value, (8, 'shop'))
        # in a later step of the agent, before its live
        self.assertEqual(lives_then, lives)


class AgentControlTests(unittest.TestCase):
    """Lookup by name, pause and resume, forwarding, the kernel-wide
    broadcast and the kernel's launch and death signals."""

    def setUp(self):
        self.kernel = Janus.Kernel.new(0)

    def tearDown(self):
        self.kernel.shutdown()

    def test_lookup_by_name(self):
        alice = launch(self.kernel, Doer(), 'alice')
        launch(self.kernel, Doer(), 'bob')
        self.assertIs(self.kernel.lookup_agent_by_name('alice'), alice)
        self.assertIsNone(self.kernel.lookup_agent_by_name('nobody'))
        self.kernel.kill(alice)
        step_until_idle(self.kernel)
        self.assertIsNone(self.kernel.lookup_agent_by_name('alice'))

    def test_pause_resume_and_creator(self):
        agent = launch(self.kernel, Doer())
        lives = agent.lives
        agent.pause()
        self.assertTrue(agent.is_paused())
        self.kernel.send(agent.get_address(), Janus.Message('while-paused', 1))
        step_until_idle(self.kernel)
        self.assertEqual(agent.lives, lives)
        agent.resume()
        self.assertFalse(agent.is_paused())
        got = []
        agent.do(self.kernel, lambda a: got.extend(subjects(a.get_messages())))
        self.assertEqual(got, ['while-paused'])
        self.assertEqual(agent.dup_creator(), self.kernel.get_address())

    def test_forward_keeps_the_sender(self):
        origin = launch(self.kernel, Doer())
        relay = launch(self.kernel, Doer())
        target = launch(self.kernel, Doer())
        origin.send(relay.get_address(), Janus.Message('hello', 7))
        relay.do(self.kernel, lambda a: a.forward(a.get_message(), target.get_address()))
        got = []
        target.do(self.kernel, lambda a: got.append(a.get_message()))
        self.assertEqual(got[0].get_subject(), 'hello')
        self.assertEqual(got[0].get_sender(), origin.get_address())

    def test_broadcast_local(self):
        agents = [launch(self.kernel, Doer()) for _ in range(3)]
        result = []
        agents[0].do(self.kernel, lambda a: result.append(
            a.broadcast_local(Janus.Message('all', 1))))
        self.assertIn(result[0], (2, (True, 2)))
        for other in agents[1:]:
            got = []
            other.do(self.kernel, lambda a: got.extend(subjects(a.get_messages())))
            self.assertEqual(got, ['all'])

    def test_launch_and_death_signals(self):
        events = []
        self.kernel.connect('agent-launched', lambda k, a: events.append(('+', a.get_name())))
        self.kernel.connect('agent-died', lambda k, a: events.append(('-', a.get_name())))
        agent = launch(self.kernel, Doer(), 'carol')
        self.kernel.kill(agent)
        step_until_idle(self.kernel)
        self.assertEqual(events, [('+', 'carol'), ('-', 'carol')])


if __name__ == '__main__':
    unittest.main()
