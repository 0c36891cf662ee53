# SPDX-License-Identifier: LGPL-2.1-or-later
"""Holons from Python.

- Janus.Holon subclasses written in Python: do_activate spawning members,
  do_live chaining up (messages sent to the holon reach its head), the
  activation_prototype class attribute, do_supervise;
- composition errors as GLib.Error in the janus-holon-error-quark domain,
  the holarchy unchanged;
- supervision and head policies as Python callables; a Python member whose
  do_live raises is restarted as a new instance of its Python class with
  its launch parameters, on the virtual clock;
- emergent capacities implemented in Python, invoked with
  invoke_capacity_async() from this thread (the callback runs in the main
  context) and from a Python agent's step; the provider policy and the Head
  role's do_select_provider get the capacity as a GObject.GType;
- the DOT and JSON dumps.

Kernels with 0 workers are driven with step() on the test's thread."""

import json
import unittest

import gi
gi.require_version('Janus', '1.0')
from gi.repository import GLib, GObject, Janus  # noqa: E402

from janus_test import KE, is_janus_error, step_until_idle  # noqa: E402

MAX_STEPS = 500                 # a holarchy takes more steps to settle
HOLON_DOMAIN = GLib.quark_to_string(Janus.holon_error_quark())
A = Janus.SupervisionAction


def step_idle(kernel):
    step_until_idle(kernel, MAX_STEPS)


def names(agents):
    return [a.get_name() for a in agents]


class Tripler(GObject.Object, Janus.Capacity):
    """A capacity in Python: x → 3x; a negative input fails."""

    def __init__(self):
        super().__init__()
        self.calls = 0

    def do_invoke(self, value):
        self.calls += 1
        if value.get_int64() < 0:
            raise GLib.Error.new_literal(GLib.file_error_quark(), 'negative', GLib.FileError.INVAL)
        return GLib.Variant('x', value.get_int64() * 3)


class Worker(Janus.Agent):
    """A member that steps its roles (the default live) and keeps what is
    sent to it."""

    def __init__(self):
        super().__init__()
        self.got = []

    def do_live(self):
        for message in self.get_mailbox():
            self.got.append(message.get_subject())
        return Janus.Agent.do_live(self)


class Workshop(Janus.Holon):
    """A holon that makes its members itself, from its launch parameters."""
    activation_prototype = '(i)'

    def do_activate(self, parameters):
        (count,) = parameters.unpack()
        self.made = []
        for i in range(count):
            worker = Worker()
            self.spawn_member(worker, '%s-%d' % (self.get_name(), i), None)
            self.made.append(worker)
        return True

    def do_live(self):
        return Janus.Holon.do_live(self)


class Fixture(unittest.TestCase):
    def setUp(self):
        self.kernel = Janus.Kernel.new(0)

    def tearDown(self):
        self.kernel.shutdown()

    def launch(self, agent, name, parameters=None):
        self.kernel.launch_light_agent(agent, name, parameters)
        return agent

    def holon(self, name):
        return self.launch(Janus.Holon.new(), name)


class SubclassTests(Fixture):
    def test_workshop(self):
        workshop = self.launch(Workshop(), 'w', GLib.Variant('(i)', (3,)))
        step_idle(self.kernel)
        self.assertEqual(names(workshop.list_members()), ['w-0', 'w-1', 'w-2'])
        self.assertEqual(names(workshop.list_heads()), ['w-0'])
        self.assertFalse(workshop.is_atomic())
        self.assertEqual(Janus.Holon.get_depth(workshop.made[2]), 1)
        self.assertEqual(Janus.Holon.list_supers(workshop.made[1]), [workshop])
        group = workshop.get_group()
        self.assertIsInstance(group.get_organization(), Janus.HolonicOrganization)
        self.assertEqual(sorted(names(group.list_players(Janus.HolonicPart))), ['w-0', 'w-1', 'w-2'])
        self.assertIs(Janus.Holon.from_group(group), workshop)

        # sent to the workshop: forwarded to its head, kept by it
        self.kernel.send(workshop.get_address(), Janus.Message('order'))
        step_idle(self.kernel)
        self.assertEqual(workshop.made[0].got, ['order'])
        self.assertEqual(workshop.made[1].got, [])

    def test_prototype(self):
        with self.assertRaises(GLib.Error) as cm:
            self.kernel.launch_light_agent(Workshop(), 'w', None)
        self.assertTrue(is_janus_error(cm.exception, KE.INVALID_PARAMETERS))

    def test_errors(self):
        top = self.holon('top')
        mid = self.holon('mid')
        top.add_member(mid, Janus.Membership.PART)
        cases = [
            (lambda: mid.add_member(mid, Janus.Membership.PART), Janus.HolonError.CYCLE),
            (lambda: mid.add_member(top, Janus.Membership.PART), Janus.HolonError.CYCLE),
            (lambda: top.add_member(mid, Janus.Membership.PART), Janus.HolonError.ALREADY_MEMBER),
            (lambda: mid.remove_member(top), Janus.HolonError.NOT_MEMBER),
            (lambda: top.merge_into(top), Janus.HolonError.SAME_HOLON),
            (lambda: self.holon('x').add_member(mid, Janus.Membership.MULTI_PART),
             Janus.HolonError.SHARING_REFUSED),
        ]
        for call, code in cases:
            with self.assertRaises(GLib.Error) as cm:
                call()
            self.assertEqual(cm.exception.domain, HOLON_DOMAIN)
            self.assertEqual(cm.exception.code, int(code))
        self.assertEqual(names(top.list_members()), ['mid'])
        self.assertTrue(mid.is_atomic())

    def test_signals(self):
        holon = self.holon('h')
        log = []
        holon.connect('member-added', lambda h, m: log.append('+' + m.get_name()))
        holon.connect('member-removed', lambda h, m: log.append('-' + m.get_name()))
        holon.connect('head-changed', lambda h, m: log.append('h:' + (m.get_name() if m else '-')))
        a, b = Worker(), Worker()
        holon.spawn_member(a, 'a', None)
        holon.spawn_member(b, 'b', None)
        holon.remove_member(a)
        self.assertEqual(log, ['+a', 'h:a', '+b', '-a', 'h:b'])


class PolicyTests(Fixture):
    def setUp(self):
        super().setUp()
        self.kernel.set_clock(Janus.Clock.new_virtual(0, 0))

    def test_head_policy(self):
        holon = self.holon('h')
        seen = []

        def last(h, candidates, tag):
            seen.append((names(candidates), tag))
            return len(candidates) - 1
        holon.set_head_func(last, 'tag')
        holon.spawn_member(Worker(), 'a', None)
        step_idle(self.kernel)
        holon.spawn_member(Worker(), 'b', None)
        self.assertEqual(names(holon.list_heads()), ['a'])
        first = holon.list_heads()[0]
        holon.remove_member(first)
        step_idle(self.kernel)
        self.assertEqual(seen, [(['a'], 'tag'), (['b'], 'tag')])
        self.assertEqual(names(holon.list_heads()), ['b'])

    def test_restart_python_member(self):
        made = []

        class Flaky(Janus.Agent):
            activation_prototype = '(s)'

            def __init__(self):
                super().__init__()
                made.append(self)

            def do_activate(self, parameters):
                self.job = parameters.unpack()[0]
                self.at = self.get_kernel().get_time()
                return True

            def do_live(self):
                if len(made) < 3:
                    raise RuntimeError('broken belt')
                return Janus.Agent.do_live(self)

        holon = self.holon('h')
        decisions = []

        def policy(h, member, error, restarts):
            decisions.append((member.get_name(), restarts, 'broken belt' in error.message))
            return A.RESTART
        holon.set_supervision_func(policy)
        holon.set_restart_backoff(1000)
        holon.spawn_member(Flaky(), 'flaky', GLib.Variant('(s)', ('belt',)))
        step_idle(self.kernel)
        self.assertEqual(decisions, [('flaky', 0, True), ('flaky', 1, True)])
        self.assertEqual(len(made), 3)
        self.assertEqual([f.job for f in made], ['belt'] * 3)
        self.assertEqual([f.at for f in made], [0, 1000, 3000])
        self.assertEqual(holon.get_n_members(), 1)
        self.assertIs(holon.list_members()[0], made[2])

    def test_supervise_vfunc_escalates(self):
        class Strict(Janus.Holon):
            def do_supervise(self, member, error, restarts):
                self.told = error.message
                return A.ESCALATE

        class Broken(Janus.Agent):
            def do_live(self):
                raise RuntimeError('no power')

        top = self.holon('top')
        strict = Strict()
        top.spawn_member(strict, 'strict', None)
        failed = []
        top.connect('member-failed', lambda h, m, e, action: failed.append((m.get_name(), action)))
        strict.spawn_member(Broken(), 'broken', None)
        step_idle(self.kernel)
        self.assertIn('raised RuntimeError: no power', strict.told)
        self.assertEqual(strict.get_state(), Janus.AgentState.DIED)
        self.assertEqual(failed, [('strict', A.IGNORE)])
        self.assertTrue(top.is_atomic())


class PickyHead(Janus.HolonicHead):
    """A head that chooses the member with the longest name."""

    def do_select_provider(self, capacity_type, candidates):
        self.capacity = Janus.capacity_gtype(capacity_type)
        return max(range(len(candidates)), key=lambda i: len(candidates[i].get_name()))


class CapacityTests(Fixture):
    def setUp(self):
        super().setUp()
        self.done = []

    def on_done(self, holon, result):
        try:
            self.done.append(holon.invoke_capacity_finish(result).unpack())
        except GLib.Error as e:
            self.done.append(e)

    def wait(self):
        context = GLib.MainContext.default()
        for _ in range(MAX_STEPS):
            if self.done:
                return self.done.pop()
            self.kernel.step()
            while context.iteration(False):
                pass
        raise AssertionError('no answer')

    def test_invoke(self):
        holon = self.holon('h')
        holon.spawn_member(Worker(), 'head', None)
        worker = Worker()
        holon.spawn_member(worker, 'worker', None)
        tripler = Tripler()
        worker.add_capacity(Janus.Capacity, tripler)
        self.assertTrue(holon.has_capacity(Janus.Capacity))
        holon.invoke_capacity_async(Janus.Capacity, GLib.Variant('x', 14), None, self.on_done)
        self.assertEqual(self.wait(), 42)
        holon.invoke_capacity_async(Janus.Capacity, GLib.Variant('x', -1), None, self.on_done)
        error = self.wait()
        self.assertTrue(error.matches(GLib.file_error_quark(), GLib.FileError.INVAL))
        self.assertEqual(tripler.calls, 2)

    def test_no_provider(self):
        holon = self.holon('h')
        holon.spawn_member(Worker(), 'a', None)
        holon.invoke_capacity_async(Janus.Capacity, GLib.Variant('x', 1), None, self.on_done)
        error = self.wait()
        self.assertTrue(error.matches(Janus.holon_error_quark(), Janus.HolonError.NO_PROVIDER))

    def test_provider_policy(self):
        holon = self.holon('h')
        for name in ('a', 'b', 'c'):
            worker = Worker()
            holon.spawn_member(worker, name, None)
            worker.add_capacity(Janus.Capacity, Tripler())
        chosen = []

        def pick(h, capacity_type, candidates):
            chosen.append((capacity_type, names(candidates)))
            return 1
        holon.set_provider_func(pick)
        holon.invoke_capacity_async(Janus.Capacity, GLib.Variant('x', 1), None, self.on_done)
        self.assertEqual(self.wait(), 3)
        self.assertEqual(chosen, [(Janus.Capacity.__gtype__, ['a', 'b', 'c'])])
        self.assertEqual(holon.list_members()[1].get_capacity(Janus.Capacity).calls, 1)

    def test_head_subclass(self):
        holon = Janus.Holon.new()
        holon.props.head_role_type = PickyHead
        self.launch(holon, 'h')
        for name in ('a', 'bbb', 'cc'):
            worker = Worker()
            holon.spawn_member(worker, name, None)
            worker.add_capacity(Janus.Capacity, Tripler())
        holon.invoke_capacity_async(Janus.Capacity, GLib.Variant('x', 2), None, self.on_done)
        self.assertEqual(self.wait(), 6)
        group = holon.get_group()
        head = holon.list_heads()[0].get_role(PickyHead, group)
        self.assertEqual(head.capacity, Janus.Capacity.__gtype__)
        self.assertEqual(holon.list_members()[1].get_capacity(Janus.Capacity).calls, 1)

    def test_from_agent_step(self):
        holon = self.holon('h')
        worker = Worker()
        holon.spawn_member(worker, 'w', None)
        worker.add_capacity(Janus.Capacity, Tripler())
        answers = []

        class Asker(Janus.Agent):
            def do_live(self):
                if not hasattr(self, 'asked'):
                    self.asked = True
                    holon.invoke_capacity_async(Janus.Capacity, GLib.Variant('x', 5), None, self.answered)
                return Janus.Live.WAIT

            def answered(self, source, result):
                # in this agent's own step: its mailbox is readable
                self.get_mailbox().get_size()
                answers.append(source.invoke_capacity_finish(result).unpack())

        self.launch(Asker(), 'asker')
        step_idle(self.kernel)
        self.assertEqual(answers, [15])


class DumpTests(Fixture):
    def test_dumps(self):
        top = self.holon('top')
        w = Workshop()
        top.spawn_member(w, 'w', GLib.Variant('(i)', (2,)))
        step_idle(self.kernel)
        dot = Janus.holarchy_to_dot_data(self.kernel, None, Janus.HolarchyDetails.ALL)
        self.assertTrue(dot.startswith('digraph holarchy {'))
        self.assertEqual(dot.count('subgraph cluster_'), 2)
        self.assertEqual(dot.count(' -> '), 3)
        data = json.loads(Janus.holarchy_to_json_data(self.kernel, None, Janus.HolarchyDetails.ROLES))
        self.assertEqual(data['kernel'], self.kernel.get_uuid())
        self.assertEqual([a['name'] for a in data['agents']], ['top', 'w', 'w-0', 'w-1'])
        self.assertEqual(data['agents'][1]['members'],
                         [{'id': 2, 'membership': 'part', 'head': True},
                          {'id': 3, 'membership': 'part', 'head': False}])
        sub = json.loads(Janus.holarchy_to_json_data(self.kernel, w, 0))
        self.assertEqual(len(sub['agents']), 3)


if __name__ == '__main__':
    unittest.main()
