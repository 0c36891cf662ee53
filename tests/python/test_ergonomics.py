# SPDX-License-Identifier: LGPL-2.1-or-later
"""What the override makes natural for a Python user: roles declared in the
organization's class body, roles stepped without chaining up from do_live,
values instead of GI tuples (the tuples still on Janus.raw), iteration over
a Janus.MailboxIter, repr() of agents, roles, messages and addresses."""

import unittest

from janus_test import GLib, Janus, L, OE, S, captured_stderr, is_janus_error, step_until_idle


def expect_error(code, func, *args):
    with unittest.TestCase().assertRaises(GLib.Error) as caught:
        func(*args)
    assert is_janus_error(caught.exception, code), caught.exception
    return caught.exception


def logging_role(log, name, live=L.WAIT):
    def do_live(self):
        log.append((name, 'live'))
        return live

    return type(name, (Janus.Role,), {'do_live': do_live})


class DeclaredRolesTests(unittest.TestCase):
    def test_roles_in_the_class_body(self):
        class Seller(Janus.Role):
            pass

        class Buyer(Janus.Role):
            pass

        class Shop(Janus.Organization):
            roles = (Seller, (Buyer, 2))

        kernel = Janus.Kernel.new(0)
        group = kernel.create_group(Shop)
        self.assertTrue(group.get_organization().lists_role(Seller))
        self.assertEqual(group.get_organization().list_role_types(),
                         [Seller.__gtype__, Buyer.__gtype__])
        # (Buyer, 2): the third buyer is refused
        agents = [Janus.Agent() for _ in range(3)]
        for a in agents:
            kernel.launch_light_agent(a, None, None)
        step_until_idle(kernel)
        agents[0].request_role(Buyer, group, None)
        agents[1].request_role(Buyer, group, None)
        expect_error(OE.CARDINALITY_FULL, agents[2].request_role, Buyer, group, None)
        agents[2].request_role(Seller, group, None)
        kernel.kill_all()
        step_until_idle(kernel)
        kernel.shutdown()

    def test_roles_as_a_dict_and_inherited(self):
        class A(Janus.Role):
            pass

        class B(Janus.Role):
            pass

        class Base(Janus.Organization):
            roles = {A: 0}

        class Derived(Base):
            roles = {B: 1}

        kernel = Janus.Kernel.new(0)
        self.assertEqual(kernel.create_group(Derived).get_organization().list_role_types(),
                         [A.__gtype__, B.__gtype__])
        self.assertEqual(kernel.create_group(Base).get_organization().list_role_types(),
                         [A.__gtype__])
        kernel.shutdown()

    def test_a_class_that_is_not_a_role_is_refused(self):
        for bad in (Janus.Agent, int, 'Seller', (Janus.Agent, 1)):
            with self.subTest(bad=bad), self.assertRaisesRegex(TypeError, 'not a subclass of Janus.Role'):
                type('Bad', (Janus.Organization,), {'roles': [bad]})

    def test_no_roles_attribute_is_as_before(self):
        class R(Janus.Role):
            pass

        class Plain(Janus.Organization):
            pass

        Janus.Organization.type_add_role(Plain, R, 0)
        kernel = Janus.Kernel.new(0)
        self.assertEqual(kernel.create_group(Plain).get_organization().list_role_types(),
                         [R.__gtype__])
        kernel.shutdown()


class SteppedRolesTests(unittest.TestCase):
    def setUp(self):
        self.log = []
        self.R = logging_role(self.log, 'R')

        class Org(Janus.Organization):
            roles = (self.R,)

        self.kernel = Janus.Kernel.new(0)
        self.group = self.kernel.create_group(Org)

    def tearDown(self):
        self.kernel.kill_all()
        step_until_idle(self.kernel)
        self.kernel.shutdown()

    def play(self, cls):
        """Launches a `cls` playing R beside a plain agent playing R too
        (self.other), which poke() uses to send to the first one's role."""
        agent = cls()
        self.other = Janus.Agent()
        for a in (agent, self.other):
            self.kernel.launch_light_agent(a, None, None)
        step_until_idle(self.kernel)
        agent.request_role(self.R, self.group, None)
        self.other_role = self.other.request_role(self.R, self.group, None)
        step_until_idle(self.kernel)
        return agent

    def poke(self):
        """A message for the role R of the agent play() launched: a role
        is stepped when it is new or has a message."""
        self.other_role.send(self.R, Janus.Message('poke'))
        step_until_idle(self.kernel)

    def roles_stepped(self):
        return self.log.count(('R', 'live'))

    def test_a_live_that_does_not_chain_up(self):
        class Own(Janus.Agent):
            def do_live(self):
                self.lives = getattr(self, 'lives', 0) + 1
                return L.WAIT

        a = self.play(Own)
        # the new role, stepped in the agent's turn (the other agent's
        # default live steps its own: two)
        self.assertEqual(self.roles_stepped(), 2)
        lives = a.lives
        self.poke()
        self.assertEqual(self.roles_stepped(), 3)
        self.assertEqual(a.lives, lives + 1)

    def test_chaining_up_steps_the_roles_once(self):
        log = self.log

        class Chains(Janus.Agent):
            def do_live(self):
                log.append(('agent', 'before'))
                live = Janus.Agent.do_live(self)
                log.append(('agent', 'after'))
                return live

        self.play(Chains)
        self.poke()
        turns = [e for e in self.log if e[0] == 'agent' or e == ('R', 'live')]
        # never twice per turn: the roles inside the chained call only
        self.assertEqual(turns[-3:], [('agent', 'before'), ('R', 'live'), ('agent', 'after')])
        # the turns that stepped no role: before the role was requested
        self.assertEqual(self.roles_stepped() - 1, self.log.count(('agent', 'before')) - 1)

    def test_python_subclass_chaining_to_a_python_parent(self):
        log = self.log

        class Parent(Janus.Agent):
            def do_live(self):
                log.append(('parent',))
                return L.WAIT

        class Child(Parent):
            def do_live(self):
                log.append(('child',))
                return Parent.do_live(self)

        self.play(Child)
        before = self.roles_stepped()
        self.poke()
        self.assertEqual(self.log[-3:], [('child',), ('parent',), ('R', 'live')])
        self.assertEqual(self.roles_stepped(), before + 1)

    def test_super_do_live_chains_up(self):
        log = self.log

        class Base(Janus.Holon):
            pass

        class Chains(Base):
            def do_live(self):
                log.append(('agent', 'before'))
                live = super().do_live()        # Janus.Holon's live
                log.append(('agent', 'after'))
                return live

        self.play(Chains)
        self.poke()
        self.assertEqual(self.log[-3:], [('agent', 'before'), ('R', 'live'), ('agent', 'after')])
        # the two new roles, then the poke: once each, never twice a turn
        self.assertEqual(self.log.count(('R', 'live')), 3)

    def test_done_steps_no_role_and_the_agent_dies(self):
        class Once(Janus.Agent):
            def do_live(self):
                return L.DONE if getattr(self, 'stop', False) else L.WAIT

        a = self.play(Once)
        before = self.roles_stepped()
        a.stop = True
        a.wake()
        step_until_idle(self.kernel)
        self.assertEqual(a.get_state(), S.DIED)
        self.assertEqual(self.roles_stepped(), before)

    def test_a_role_asking_again_makes_the_turn_again(self):
        again = logging_role(self.log, 'Again', live=L.AGAIN)

        class Org2(Janus.Organization):
            roles = (again,)

        group = self.kernel.create_group(Org2)

        class Own(Janus.Agent):
            def do_live(self):
                return L.WAIT

        a = Own()
        self.kernel.launch_light_agent(a, None, None)
        step_until_idle(self.kernel)
        a.request_role(again, group, None)
        for _ in range(5):
            self.kernel.step()
        # AGAIN from the role wins over the agent's WAIT: stepped every turn
        self.assertGreaterEqual(self.log.count(('Again', 'live')), 4)
        a.leave_role(again, group)
        step_until_idle(self.kernel)

    def test_step_roles_false_leaves_it_to_the_agent(self):
        class Manual(Janus.Agent):
            step_roles = False

            def do_live(self):
                if getattr(self, 'chain_up', False):
                    return Janus.Agent.do_live(self)
                return L.WAIT

        a = self.play(Manual)
        self.assertEqual(self.roles_stepped(), 1)   # the other agent's role
        self.poke()
        self.assertEqual(self.roles_stepped(), 1)
        self.assertEqual(a.get_role(self.R, self.group).get_mailbox_size(), 1)
        a.chain_up = True
        self.poke()
        self.assertEqual(self.roles_stepped(), 2)   # its first step, in the chained call

    def test_an_invalid_live_result_is_still_reported(self):
        failures = []
        self.kernel.connect('agent-failed', lambda k, agent, error: failures.append(error))

        class Bad(Janus.Agent):
            def do_live(self):
                return 42 if getattr(self, 'bad', False) else L.WAIT

        a = self.play(Bad)
        a.bad = True
        a.wake()
        step_until_idle(self.kernel)
        self.assertEqual(a.get_state(), S.DIED)
        self.assertEqual([e.code for e in failures], [Janus.KernelError.INVALID_LIVE_RESULT])

    def test_holon_subclass_without_chaining_up(self):
        class Member(Janus.Holon):
            def do_live(self):
                return L.WAIT

        a = self.play(Member)
        self.assertEqual(self.roles_stepped(), 2)
        self.poke()
        self.assertEqual(self.roles_stepped(), 3)
        self.assertEqual(a.get_state(), S.ALIVE)


class ValuesTests(unittest.TestCase):
    def test_get_int64(self):
        self.assertEqual(Janus.Message('n', -3).get_int64(), -3)
        self.assertEqual(Janus.Message.new('x', GLib.Variant('x', 9)).get_int64(), 9)
        for body in (None, GLib.Variant('s', '1'), GLib.Variant('i', 1)):
            m = Janus.Message.new('n', body)
            with self.subTest(body=body):
                with self.assertRaisesRegex(TypeError, 'not an integer'):
                    m.get_int64()
                self.assertEqual(m.get_int64(7), 7)
                self.assertIsNone(m.get_int64(None))
                self.assertEqual(Janus.raw.Message.get_int64(m), (False, 0))

    def test_sends_return_the_receiver_or_the_count(self):
        class R(Janus.Role):
            pass

        class Org(Janus.Organization):
            roles = (R,)

        kernel = Janus.Kernel.new(0)
        group = kernel.create_group(Org)
        a, b, c = Janus.Agent(), Janus.Agent(), Janus.Agent()
        for agent in (a, b, c):
            kernel.launch_light_agent(agent, None, None)
        step_until_idle(kernel)
        ra = a.request_role(R, group, None)
        b.request_role(R, group, None)
        self.assertIn(ra.send(R, Janus.Message('one')), (b.get_address(), c.get_address()))
        self.assertEqual(ra.send(R, Janus.Message('one')), b.get_address())
        self.assertEqual(ra.broadcast(R, Janus.Message('all')), 1)
        self.assertEqual(ra.forward(R, Janus.Message('fwd')), b.get_address())
        self.assertEqual(a.send_random([a.get_address(), c.get_address()], Janus.Message('r')),
                         c.get_address())
        self.assertEqual(a.send_to_role(group, R, R, b.get_address(), Janus.Message('to')),
                         b.get_address())
        # the tuples of the introspected functions
        self.assertEqual(Janus.raw.Role.broadcast(ra, R, Janus.Message('all')), (True, 1))
        ok, to = Janus.raw.Role.send(ra, R, Janus.Message('one'))
        self.assertEqual((ok, to), (True, b.get_address()))
        # failures are exceptions as before
        c.request_role(R, group, None)
        a.leave_role(R, group)
        expect_error(OE.ROLE_NOT_PLAYED, ra.send, R, Janus.Message('late'))
        expect_error(OE.ROLE_NOT_PLAYED, ra.broadcast, R, Janus.Message('late'))
        self.assertIn('Janus.raw.Role.broadcast', Janus.Role.broadcast.__doc__)
        kernel.kill_all()
        step_until_idle(kernel)
        kernel.shutdown()

    def test_mailbox_iter_is_a_python_iterator(self):
        kernel = Janus.Kernel.new(0)
        a = Janus.Agent()
        kernel.launch_light_agent(a, None, None)
        step_until_idle(kernel)
        for i in range(4):
            kernel.send(a.get_address(), Janus.Message('n', i))
        mailbox = a.get_mailbox()
        it = Janus.MailboxIter()
        it.init(mailbox)
        stolen = []
        for m in it:
            if m.get_int64() % 2:
                stolen.append(it.steal().get_int64())
        self.assertEqual(stolen, [1, 3])
        self.assertEqual(list(it), [])      # exhausted
        self.assertEqual([m.get_int64() for m in mailbox], [0, 2])
        kernel.kill_all()
        step_until_idle(kernel)
        kernel.shutdown()


class PlainValuesTests(unittest.TestCase):
    VALUES = [
        (True, 'b'), (-7, 'x'), (2.5, 'd'), ('text', 's'), (b'\x00\xff', 'ay'),
        ((1, 'a', 2.0), '(xsd)'), ((), '()'), ([1, 2], 'ax'), ([1, 'a'], 'av'), ([], 'av'),
        ({'a': 1}, 'a{sx}'), ({'a': 1, 'b': 'x'}, 'a{sv}'), ({}, 'a{sv}'), ({3: [1.5]}, 'a{xad}'),
        ([(1, b'z')], 'a(xay)'), ([[1], [2, 3]], 'aax'), ({'k': {'n': [True]}}, 'a{sa{sab}}'),
    ]

    def test_round_trip(self):
        for value, type_string in self.VALUES:
            with self.subTest(value=value):
                variant = Janus.to_variant(value)
                self.assertEqual(variant.get_type_string(), type_string)
                self.assertEqual(Janus.from_variant(variant), value)
                message = Janus.Message('v', value)
                self.assertEqual(message.get_body().get_type_string(), type_string)
                self.assertEqual(message.unpack(), value)

    def test_explicit_types_none_and_variants(self):
        self.assertEqual(Janus.to_variant(3, 'i').get_type_string(), 'i')
        self.assertIsNone(Janus.to_variant(None))
        v = GLib.Variant('u', 3)
        self.assertIs(Janus.to_variant(v), v)
        self.assertIsNone(Janus.Message('none').unpack())
        self.assertEqual(Janus.from_variant(GLib.Variant('mi', None)), None)
        self.assertEqual(Janus.from_variant(GLib.Variant('v', GLib.Variant('s', 'in'))), 'in')
        self.assertEqual(Janus.Message('u', GLib.Variant('u', 3)).unpack(), 3)

    def test_values_without_a_gvariant_form(self):
        for bad in (object(), {1: 'a', 'b': 2}, {(1,): 1}, [object()], 1 + 2j):
            with self.subTest(bad=bad), self.assertRaises(TypeError):
                Janus.to_variant(bad)
        with self.assertRaises(TypeError):
            Janus.Message('bad', object())
        with self.assertRaises(OverflowError):
            Janus.to_variant(2 ** 64)

    def test_launch_parameters(self):
        got = []

        class Typed(Janus.Agent):
            activation_prototype = '(si)'

            def do_activate(self, parameters):
                got.append(parameters.get_type_string())
                return True

        class Untyped(Janus.Agent):
            def do_activate(self, parameters):
                got.append(Janus.from_variant(parameters))
                return True

        kernel = Janus.Kernel.new(0)
        kernel.launch_light_agent(Typed(), 'typed', ('job', 3))      # (si), not (sx)
        kernel.launch_light_agent(Untyped(), 'untyped', {'n': [1, 2]})
        kernel.launch_light_agent(Untyped(), parameters=None)
        with self.assertRaises(TypeError):
            kernel.launch_light_agent(Typed(), 'bad', 'not a tuple')
        holon = Janus.Holon.new()
        kernel.launch_light_agent(holon, 'holon')
        holon.spawn_member(Untyped(), 'member', [b'x'])
        step_until_idle(kernel)
        self.assertEqual(got, ['(si)', {'n': [1, 2]}, None, [b'x']])
        kernel.kill_all()
        step_until_idle(kernel)
        kernel.shutdown()


class PeriodicTests(unittest.TestCase):
    def setUp(self):
        self.kernel = Janus.Kernel.new(0)
        self.kernel.set_clock(Janus.Clock.new_virtual(0, 0))     # timer to timer
        self.failures = []
        self.kernel.connect('agent-failed', lambda k, a, e: self.failures.append(e.message))

    def tearDown(self):
        self.kernel.kill_all()
        step_until_idle(self.kernel)
        self.kernel.shutdown()

    def test_every_until_false(self):
        class Ticker(Janus.Agent):
            def __init__(self):
                super().__init__()
                self.ticks = []

            @Janus.every(1000)
            def tick(self):
                self.ticks.append(self.get_kernel().get_time())
                return len(self.ticks) < 3

        class Chained(Ticker):
            def do_activate(self, parameters):
                self.activated = True
                return Ticker.do_activate(self, parameters)     # armed once

        plain, chained = Ticker(), Chained()
        self.kernel.launch_light_agent(plain, 'plain')
        self.kernel.launch_light_agent(chained, 'chained')
        step_until_idle(self.kernel)
        for agent in (plain, chained):
            self.assertEqual(agent.ticks, [1000, 2000, 3000])
            self.assertEqual(agent.get_timer_count(), 0)
            self.assertEqual(agent.get_state(), S.ALIVE)
        self.assertTrue(chained.activated)

    def test_refused_activation_sets_no_timer(self):
        ran = []

        class Refuses(Janus.Agent):
            def do_activate(self, parameters):
                return False

            @Janus.every(10)
            def tick(self):
                ran.append(True)

        agent = Refuses()
        self.kernel.launch_light_agent(agent, 'refuses')
        step_until_idle(self.kernel)
        self.assertEqual((ran, agent.get_state()), ([], S.DIED))

    def test_an_exception_fails_the_agent(self):
        class Breaks(Janus.Agent):
            @Janus.every(10)
            def tick(self):
                raise ValueError('tick exploded')

        agent = Breaks()
        with captured_stderr():
            self.kernel.launch_light_agent(agent, 'breaks')
            step_until_idle(self.kernel)
        self.assertEqual(agent.get_state(), S.DIED)
        self.assertEqual(len(self.failures), 1)
        self.assertIn('ValueError: tick exploded', self.failures[0])

    def test_roles(self):
        log = []

        class Watch(Janus.Role):
            @Janus.every(500)
            def look(self):
                log.append(self.get_player().get_kernel().get_time())

        class Org(Janus.Organization):
            roles = (Watch,)

        group = self.kernel.create_group(Org)
        agent = Janus.Agent()
        self.kernel.launch_light_agent(agent, 'watcher')
        step_until_idle(self.kernel)
        self.kernel.get_clock().set_time(10000)
        agent.request_role(Watch, group, None)
        for _ in range(6):
            self.kernel.step()
        self.assertEqual(log[:3], [10500, 11000, 11500])
        agent.leave_role(Watch, group)
        n = len(log)
        for _ in range(6):
            self.kernel.step()
        self.assertEqual(len(log), n)               # its timers went with it

    def test_bad_periods(self):
        for bad in (0, -5, 1.5, '10', True):
            with self.subTest(period=bad), self.assertRaises(ValueError):
                Janus.every(bad)


class KernelScopeTests(unittest.TestCase):
    def test_with_shuts_down(self):
        for workers in (0, 2):
            with self.subTest(workers=workers):
                ended = []

                class Waiter(Janus.Agent):
                    def do_end(self):
                        ended.append(self.get_name())

                with Janus.Kernel.new(workers) as kernel:
                    kernel.launch_light_agent(Waiter(), 'w1')
                    kernel.launch_heavy_agent(Waiter(), 'w2')
                self.assertEqual(sorted(ended), ['w1', 'w2'])
                self.assertEqual(kernel.get_agent_count(), 0)
                with self.assertRaises(GLib.Error):         # refuses new agents
                    kernel.launch_light_agent(Waiter(), 'late')

    def test_with_shuts_down_when_the_block_raises(self):
        ended = []

        class Waiter(Janus.Agent):
            def do_end(self):
                ended.append(True)

        with self.assertRaises(ZeroDivisionError):
            with Janus.Kernel.new(1) as kernel:
                kernel.launch_light_agent(Waiter(), 'w')
                1 / 0
        self.assertEqual(ended, [True])


class ReprTests(unittest.TestCase):
    def test_repr(self):
        class Seller(Janus.Role):
            pass

        class Shop(Janus.Organization):
            roles = (Seller,)

        class Clerk(Janus.Agent):
            pass

        clerk = Clerk()
        self.assertRegex(repr(clerk), r'^<test_ergonomics\.ReprTests\.test_repr\.<locals>\.Clerk '
                                      r'not launched UNBORN>$')
        kernel = Janus.Kernel.new(0)
        kernel.launch_light_agent(clerk, 'ann', None)
        address = clerk.get_address()
        step_until_idle(kernel)
        self.assertRegex(repr(clerk), r"\.Clerk 'ann' janus://[0-9a-f-]+/\d+ ALIVE>$")
        self.assertIn(str(address), repr(clerk))
        self.assertEqual(repr(address), '<Janus.Address %s>' % address)
        group = kernel.create_group(Shop)
        role = clerk.request_role(Seller, group, None)
        self.assertRegex(repr(role), r'\.Seller in group %s, played by <.*Clerk .* ALIVE>>$'
                         % group.get_uuid())
        self.assertEqual(repr(Janus.Message('price', 3)), "<Janus.Message 'price' body=int64 3>")
        self.assertEqual(repr(Janus.Message('s', GLib.Variant('s', 'x'))),
                         "<Janus.Message 's' body='x'>")
        kernel.kill(clerk)
        step_until_idle(kernel)
        self.assertTrue(repr(clerk).endswith(' DIED>'), repr(clerk))
        self.assertTrue(repr(role).endswith(', left>'), repr(role))
        kernel.shutdown()


if __name__ == '__main__':
    unittest.main()
