# SPDX-License-Identifier: LGPL-2.1-or-later
"""Organizations, groups and roles (CRIO), capacities, the contract-net
roles and time from Python.

- Janus.Organization and Janus.Role subclasses written in Python (roles are
  listed with Janus.Organization.type_add_role() before the organization is
  first instantiated), groups, Janus.Agent.request_role() from a Python
  agent's step, every refusal as a GLib.Error with its Janus.OrganizationError code,
  leave_role, the group's role-taken / role-left signals;
- role messaging between Python roles, role mailboxes, post;
- a Janus.Capacity implemented in Python, invoked synchronously and through
  invoke_capacity_on_worker();
- Janus.ContractNetParticipant / Janus.ContractNetInitiator subclasses;
- virtual clocks, timers with Python callbacks, sleep, step and run under a
  virtual clock, seeded replay, a real-clock timer on worker threads;
- a Python exception in a role's do_live.

Kernels with 0 workers are driven with step()/run() on the test's thread;
worker tests wait for real events with bounded timeouts. Conditions built
from a Python callable run in a child interpreter: PyGObject 3.42 emits a
GLib warning ("Unhandled type tag GType") each time it calls one, which is
fatal here (see ConditionCallableTests)."""

import gc
import threading
import time
import unittest
import uuid
import weakref

import gi
gi.require_version('Janus', '1.0')
from gi.repository import GLib, GObject, Janus  # noqa: E402

from janus_test import (  # noqa: E402
    CE, KE, ME, OE, MAX_STEPS, TIMEOUT, S, L, captured_stderr, is_janus_error,
    janus_error, record_failures, step_until, step_until_idle)
from janus_test import run_child as _run_child  # noqa: E402

CN = Janus.ContractNetState


CHILD_PRELUDE = '''\
# criticals stay fatal; warnings are not: PyGObject 3.42 warns "Unhandled
# type tag GType" whenever it calls a Python JanusConditionFunc
GLib.log_set_always_fatal(GLib.LogLevelFlags.LEVEL_CRITICAL
                          | GLib.LogLevelFlags.LEVEL_ERROR)
KE, OE = Janus.KernelError, Janus.OrganizationError
DOMAINS = {KE: Janus.kernel_error_quark(), OE: Janus.organization_error_quark()}

def expect(code, func, *args):
    try:
        func(*args)
    except GLib.Error as e:
        assert e.matches(DOMAINS[type(code)], code), (code, e.domain, e.code, e.message)
        return e
    raise AssertionError('%s did not fail with %s' % (func.__name__, code))

class R(Janus.Role):
    pass

class Sub(R):
    pass

class Org(Janus.Organization):
    pass

Janus.Organization.type_add_role(Org, R, 0)
k = Janus.Kernel.new(0)
g = k.create_group(Org)

def launch(name):
    a = Janus.Agent()
    k.launch_light_agent(a, name, None)
    k.step()
    return a
'''


def run_child(code, timeout=60):
    """Runs `code` after CHILD_PRELUDE in a child Python; returns the
    CompletedProcess, or None if it timed out."""
    return _run_child(code, prelude=CHILD_PRELUDE, timeout=timeout)


def organization(*roles, parent=Janus.Organization, name='Org'):
    """A new Python organization class listing `roles`, (role class,
    max_players) pairs, with Janus.Organization.type_add_role() — before its
    first instance, as the function asks."""
    cls = type(name, (parent,), {})
    for role, max_players in roles:
        Janus.Organization.type_add_role(cls, role, max_players)
    return cls


def recording_role(log, name='R', live=L.WAIT, base=Janus.Role):
    """A role class logging (name, vfunc, …) to `log`; its live returns
    `live` (a value or a callable taking the role)."""
    def do_activate(self, init):
        log.append((name, 'activate', init))
        return True

    def do_live(self):
        log.append((name, 'live'))
        return live(self) if callable(live) else live

    def do_end(self):
        log.append((name, 'end'))

    return type(name, (base,), {'do_activate': do_activate, 'do_live': do_live,
                                'do_end': do_end})


class Inert(Janus.Agent):
    """An agent with the default live: the activator, which steps its roles."""


class Doubler(GObject.Object, Janus.Capacity):
    """A capacity implemented in Python: x → 2x; a string input fails with
    a G_FILE_ERROR_NOENT error; None → None."""

    def __init__(self):
        super().__init__()
        self.threads = []
        self.lock = threading.Lock()

    def do_invoke(self, value):
        with self.lock:
            self.threads.append(threading.get_ident())
        if value is None:
            return None
        if value.get_type_string() == 's':
            raise GLib.Error.new_literal(GLib.file_error_quark(), 'no such thing: ' + value.get_string(),
                                         GLib.FileError.NOENT)
        return GLib.Variant('x', value.get_int64() * 2)


class Fixture(unittest.TestCase):
    workers = 0
    failures_expected = False       # else an agent-failed fails the test

    def setUp(self):
        self.kernel = Janus.Kernel.new(self.workers)
        self.addCleanup(self.kernel.shutdown)
        self.failures = record_failures(self.kernel)
        if not self.failures_expected:
            # runs before the shutdown (cleanups run last in, first out)
            self.addCleanup(lambda: self.assertEqual(
                [(a.get_name(), e.message) for a, e in self.failures], [], 'unexpected agent-failed'))

    def launch(self, n=1, cls=Inert, names=None):
        """Launches n agents and steps once: they are ALIVE and waiting."""
        agents = [cls() for _ in range(n)]
        for i, agent in enumerate(agents):
            name = names[i] if names else None
            self.assertTrue(self.kernel.launch_light_agent(agent, name, None))
        if self.workers == 0:
            self.kernel.step()
        return agents

    def assertJanusError(self, cm, code):
        self.assertTrue(is_janus_error(cm.exception, code),
                        '%s: %s %d: %s' % (code, cm.exception.domain, cm.exception.code,
                                           cm.exception.message))


# ------------------------------------------------------------ organizations

class OrganizationTests(Fixture):
    def test_type_add_role_lists_roles(self):
        class Buyer(Janus.Role):
            pass

        class Seller(Janus.Role):
            pass

        class Grocer(Seller):
            pass

        class Stranger(Janus.Role):
            pass

        Market = organization((Buyer, 0), (Seller, 3))
        org = self.kernel.get_organization(Market)
        self.assertIsInstance(org, Market)
        self.assertIsInstance(org, Janus.Organization)
        self.assertIs(org.get_kernel(), self.kernel)
        self.assertEqual(org.list_role_types(), [Buyer.__gtype__, Seller.__gtype__])
        self.assertTrue(org.lists_role(Buyer))
        self.assertTrue(org.lists_role(Grocer))         # a subclass of a listed type
        self.assertFalse(org.lists_role(Stranger))
        self.assertFalse(org.lists_role(Janus.Role))    # the parent of a listed type
        self.assertEqual(org.get_max_players(Buyer), 0)
        self.assertEqual(org.get_max_players(Seller), 3)
        self.assertEqual(org.get_max_players(Grocer), 3)
        self.assertEqual(org.get_max_players(Stranger), 0)

    def test_type_add_role_again_replaces_cardinality(self):
        class R(Janus.Role):
            pass

        Org = organization((R, 1), (R, 4))
        org = self.kernel.get_organization(Org)
        self.assertEqual(org.list_role_types(), [R.__gtype__])
        self.assertEqual(org.get_max_players(R), 4)

    def test_one_instance_per_kernel(self):
        Org = organization()
        org = self.kernel.get_organization(Org)
        org.note = 'python attribute'
        again = self.kernel.get_organization(Org)
        self.assertIs(again, org)
        self.assertEqual(again.note, 'python attribute')
        other = Janus.Kernel.new(0)
        self.addCleanup(other.shutdown)
        self.assertIsNot(other.get_organization(Org), org)
        self.assertIs(other.get_organization(Org).get_kernel(), other)

    def test_python_subclass_inherits_and_extends(self):
        class A(Janus.Role):
            pass

        class B(Janus.Role):
            pass

        Base = organization((A, 1))
        Derived = organization((B, 0), parent=Base, name='Derived')
        base = self.kernel.get_organization(Base)
        derived = self.kernel.get_organization(Derived)
        self.assertEqual(derived.list_role_types(), [A.__gtype__, B.__gtype__])
        self.assertEqual(derived.get_max_players(A), 1)
        # the parent's list is unchanged (copy on write)
        self.assertEqual(base.list_role_types(), [A.__gtype__])
        self.assertFalse(base.lists_role(B))

    def test_python_subclass_of_contract_net_organization(self):
        class Bidder(Janus.ContractNetParticipant):
            pass

        Auction = organization(parent=Janus.ContractNetOrganization, name='Auction')
        org = self.kernel.get_organization(Auction)
        self.assertEqual(org.list_role_types(), [Janus.ContractNetInitiator.__gtype__,
                                                 Janus.ContractNetParticipant.__gtype__])
        self.assertEqual(org.get_max_players(Janus.ContractNetInitiator), 1)
        self.assertTrue(org.lists_role(Bidder))

    def test_create_group(self):
        Org = organization()
        group = self.kernel.create_group(Org)
        self.assertIsInstance(group, Janus.Group)
        uuid.UUID(group.get_uuid())
        self.assertEqual(group.props.uuid, group.get_uuid())
        self.assertIs(group.get_organization(), self.kernel.get_organization(Org))
        self.assertIs(group.props.organization, group.get_organization())
        self.assertIs(group.get_kernel(), self.kernel)
        self.assertTrue(group.is_alive())
        self.assertFalse(group.get_persistent())
        self.assertEqual(group.get_selection_policy(), Janus.SelectionPolicy.RANDOM)
        self.assertIs(self.kernel.lookup_group(group.get_uuid()), group)
        self.assertIsNone(self.kernel.lookup_group(str(uuid.uuid4())))
        self.assertEqual(group.count_players(Janus.Role), 0)
        self.assertEqual(group.list_roles(), [])

    def test_list_groups_oldest_first(self):
        Org, Other = organization(), organization(name='Other')
        g1 = self.kernel.create_group(Org)
        g2 = self.kernel.create_group(Other)
        g3 = self.kernel.create_group(Org)
        self.assertNotEqual(g1.get_uuid(), g3.get_uuid())
        self.assertEqual(self.kernel.list_groups(), [g1, g2, g3])
        self.assertEqual(self.kernel.get_organization(Org).list_groups(), [g1, g3])
        self.assertEqual(self.kernel.get_organization(Other).list_groups(), [g2])

    def test_get_or_create_group(self):
        Org, Empty = organization(), organization(name='Empty')
        first = self.kernel.create_group(Org)
        self.kernel.create_group(Org)
        self.assertIs(self.kernel.get_or_create_group(Org), first)
        made = self.kernel.get_or_create_group(Empty)
        self.assertIsInstance(made, Janus.Group)
        self.assertIs(made.get_organization(), self.kernel.get_organization(Empty))
        self.assertIs(self.kernel.get_or_create_group(Empty), made)

    def test_groups_on_shut_down_kernel(self):
        Org = organization()
        self.kernel.shutdown()
        for create in (self.kernel.create_group, self.kernel.get_or_create_group):
            with self.subTest(create=create.__name__):
                with self.assertRaises(GLib.Error) as cm:
                    create(Org)
                self.assertJanusError(cm, KE.STOPPED)

    def test_group_vanishes_with_its_last_member(self):
        class R(Janus.Role):
            pass

        Org = organization((R, 0))
        group = self.kernel.create_group(Org)
        a, b = self.launch(2)
        a.request_role(R, group, None)
        b.request_role(R, group, None)
        a.leave_role(R, group)
        self.assertTrue(group.is_alive())
        b.leave_role(R, group)
        self.assertFalse(group.is_alive())
        self.assertIsNone(self.kernel.lookup_group(group.get_uuid()))
        self.assertEqual(self.kernel.list_groups(), [])
        self.assertEqual(self.kernel.get_organization(Org).list_groups(), [])
        with self.assertRaises(GLib.Error) as cm:
            a.request_role(R, group, None)
        self.assertJanusError(cm, OE.NOT_A_MEMBER)
        self.assertIn(group.get_uuid(), cm.exception.message)
        fresh = self.kernel.get_or_create_group(Org)
        self.assertIsNot(fresh, group)
        self.assertTrue(fresh.is_alive())

    def test_persistent_group_stays(self):
        class R(Janus.Role):
            pass

        group = self.kernel.create_group(organization((R, 0)))
        group.set_persistent(True)
        self.assertTrue(group.props.persistent)
        a, = self.launch()
        a.request_role(R, group, None)
        a.leave_role(R, group)
        self.assertTrue(group.is_alive())
        self.assertEqual(self.kernel.list_groups(), [group])
        self.assertIsNotNone(a.request_role(R, group, None))

    def test_fresh_group_without_member_stays(self):
        group = self.kernel.create_group(organization())
        self.launch(2)
        step_until_idle(self.kernel)
        self.assertTrue(group.is_alive())
        self.assertIs(self.kernel.lookup_group(group.get_uuid()), group)

    def test_players_and_roles(self):
        class A(Janus.Role):
            pass

        class SubA(A):
            pass

        class B(Janus.Role):
            pass

        group = self.kernel.create_group(organization((A, 0), (B, 0)))
        x, y, z, outsider = self.launch(4)
        ra = x.request_role(A, group, None)
        rb = y.request_role(B, group, None)
        ya = y.request_role(A, group, None)
        zs = z.request_role(SubA, group, None)
        self.assertEqual(group.count_players(A), 3)         # subclasses count
        self.assertEqual(group.count_players(SubA), 1)
        self.assertEqual(group.count_players(B), 1)
        self.assertEqual(group.list_players(A), [x, y, z])  # take order
        self.assertEqual(group.list_players(B), [y])
        self.assertEqual(group.list_roles(), [ra, rb, ya, zs])
        self.assertTrue(group.has_member(y))
        self.assertFalse(group.has_member(outsider))
        # every member, each once: Janus.Role stands for G_TYPE_INVALID
        self.assertEqual(group.list_players(Janus.Role), [x, y, z])
        self.assertEqual(group.count_players(Janus.Role), 4)
        # many calls: the (transfer container) arrays are freed correctly
        for _ in range(50):
            self.assertEqual(group.list_players(A), [x, y, z])
            self.assertEqual(group.list_roles(), [ra, rb, ya, zs])
        gc.collect()
        self.assertEqual(y.list_roles(), [rb, ya])

    def test_all_members_sentinel_is_not_passable(self):
        """count_players / list_players take G_TYPE_INVALID for "every
        role"; PyGObject refuses GType 0 as an argument (ValueError), so
        Python passes Janus.Role, which is equivalent."""
        group = self.kernel.create_group(organization())
        with self.assertRaises(ValueError):
            group.count_players(GObject.TYPE_INVALID)
        with self.assertRaises(ValueError):
            group.list_players(GObject.TYPE_INVALID)
        self.assertEqual(group.count_players(Janus.Role), 0)


# -------------------------------------------------------- role life-cycle

class RoleLifecycleTests(Fixture):
    def setUp(self):
        super().setUp()
        self.log = []
        self.R = recording_role(self.log, 'R')
        self.Q = recording_role(self.log, 'Q')
        self.Org = organization((self.R, 0), (self.Q, 0))
        self.group = self.kernel.create_group(self.Org)

    def test_init_data_reaches_do_activate(self):
        a, b = self.launch(2)
        init = GLib.Variant('(sai)', ('apples', [1, 2, 3]))
        a.request_role(self.R, self.group, init)
        b.request_role(self.R, self.group, None)
        (_, _, got), (_, _, none) = [e for e in self.log if e[1] == 'activate']
        self.assertIsInstance(got, GLib.Variant)
        self.assertEqual(got.get_type_string(), '(sai)')
        self.assertEqual(got.unpack(), ('apples', [1, 2, 3]))
        self.assertIsNone(none)

    def test_request_role_from_do_activate(self):
        group, R, log = self.group, self.R, self.log

        class Taker(Janus.Agent):
            def do_activate(self, parameters):
                self.role = self.request_role(R, group, GLib.Variant('i', 7))
                log.append(('agent', 'took', self.role.is_played()))
                return True

        taker = Taker()
        self.kernel.launch_light_agent(taker, 'taker', None)
        self.kernel.step()
        role = taker.role
        self.assertIsInstance(role, R)
        self.assertIs(role.get_player(), taker)
        self.assertIs(role.props.player, taker)
        self.assertIs(role.get_group(), self.group)
        self.assertIs(role.props.group, self.group)
        self.assertTrue(role.is_played())
        self.assertIs(taker.get_role(R, self.group), role)
        self.assertEqual(taker.list_roles(), [role])
        # activate ran inside request_role; the activator stepped the new
        # role in the agent's first live
        self.assertEqual(self.log, [('R', 'activate', GLib.Variant('i', 7)),
                                    ('agent', 'took', True), ('R', 'live')])

    def test_request_role_from_do_live(self):
        group, Q, log = self.group, self.Q, self.log

        class Taker(Janus.Agent):
            lives = 0

            def do_live(self):
                self.lives += 1
                if self.lives == 2:
                    self.request_role(Q, group, None)
                    log.append(('agent', 'took'))
                # chaining up steps the roles (the activator)
                return Janus.Agent.do_live(self)

        taker = Taker()
        self.kernel.launch_light_agent(taker, None, None)
        self.kernel.step()
        self.assertEqual(self.log, [])
        taker.wake()
        self.kernel.step()
        self.assertEqual(self.log, [('Q', 'activate', None), ('agent', 'took'), ('Q', 'live')])
        self.assertIs(taker.get_role(Q, group).get_player(), taker)

    def test_activator_steps_new_roles_and_messages_only(self):
        a, b = self.launch(2)
        r = a.request_role(self.R, self.group, None)
        q = a.request_role(self.Q, self.group, None)
        # requesting roles from outside the agent's step wakes the agent
        step_until_idle(self.kernel)
        self.assertEqual([e for e in self.log if e[1] == 'live'], [('R', 'live'), ('Q', 'live')])
        del self.log[:]
        # waking the agent does not step roles that wait
        a.wake()
        step_until_idle(self.kernel)
        self.assertEqual(self.log, [])
        # a message for Q steps Q only
        sender = b.request_role(self.R, self.group, None)
        step_until_idle(self.kernel)            # b's new role lives once
        self.assertEqual([e for e in self.log if e[1] == 'live'], [('R', 'live')])
        del self.log[:]
        sender.send(self.Q, Janus.Message('for Q'))
        step_until_idle(self.kernel)
        self.assertEqual(self.log, [('Q', 'live')])
        self.assertTrue(r.is_played() and q.is_played())

    def test_live_again_then_done_leaves_the_role(self):
        counts = []

        def live(role):
            role.n = getattr(role, 'n', 0) + 1
            counts.append(role.n)
            return L.AGAIN if role.n < 4 else L.DONE

        Counter = recording_role(self.log, 'Counter', live=live)
        group = self.kernel.create_group(organization((Counter, 0)))
        group.set_persistent(True)
        left = []
        group.connect('role-left', lambda g, role: left.append((role.get_player(), role.is_played())))
        a, = self.launch()
        a.request_role(Counter, group, None)     # no Python reference kept
        gc.collect()
        a.wake()
        step_until_idle(self.kernel)
        # the Python attribute `n` survived between steps: the player's
        # reference keeps the role's wrapper alive
        self.assertEqual(counts, [1, 2, 3, 4])
        self.assertEqual(self.log.count(('Counter', 'end')), 1)
        self.assertEqual(left, [(a, False)])
        self.assertIsNone(a.get_role(Counter, group))
        self.assertEqual(group.count_players(Janus.Role), 0)
        self.assertEqual(a.get_state(), S.ALIVE)        # the agent goes on

    def test_leave_role(self):
        a, = self.launch()
        role = a.request_role(self.R, self.group, None)
        a.request_role(self.Q, self.group, None)
        seen = []
        self.group.connect('role-left', lambda g, r: seen.append(
            (r, r.get_player(), r.is_played(), list(self.log))))
        del self.log[:]
        self.assertTrue(a.leave_role(self.R, self.group))
        # role-left comes after end, while get_player still answers
        (r, player, played, log_then), = seen
        self.assertIs(r, role)
        self.assertIs(player, a)
        self.assertFalse(played)
        self.assertEqual(log_then, [('R', 'end')])
        self.assertEqual(self.log, [('R', 'end')])
        self.assertIsNone(role.get_player())
        self.assertIsNone(role.get_memory())
        self.assertIs(role.get_group(), self.group)
        self.assertEqual([type(x) for x in a.list_roles()], [self.Q])
        with self.assertRaises(GLib.Error) as cm:
            a.leave_role(self.R, self.group)
        self.assertJanusError(cm, OE.ROLE_NOT_PLAYED)
        step_until_idle(self.kernel)
        self.assertEqual(self.log.count(('R', 'end')), 1)

    def test_leave_by_parent_type(self):
        class Sub(self.R):
            pass

        a, = self.launch()
        role = a.request_role(Sub, self.group, None)
        self.assertIs(a.get_role(self.R, self.group), role)    # a subtype
        a.leave_role(self.R, self.group)
        self.assertFalse(role.is_played())

    def test_get_role_prefers_exact_type(self):
        class Sub(self.R):
            pass

        a, = self.launch()
        sub = a.request_role(Sub, self.group, None)
        exact = a.request_role(self.R, self.group, None)
        self.assertIs(a.get_role(self.R, self.group), exact)
        self.assertIs(a.get_role(Sub, self.group), sub)
        self.assertIsNone(a.get_role(self.Q, self.group))

    def test_role_taken_and_left_signals(self):
        events = []
        self.group.connect('role-taken', lambda g, r: events.append(
            ('taken', type(r).__name__, r.get_player().get_name(), self.log[-1])))
        self.group.connect('role-left', lambda g, r: events.append(
            ('left', type(r).__name__, r.get_player().get_name(), self.log[-1])))
        a, b = self.launch(2, names=['a', 'b'])
        a.request_role(self.R, self.group, None)
        b.request_role(self.R, self.group, None)
        b.request_role(self.Q, self.group, None)
        a.leave_role(self.R, self.group)
        self.assertEqual(events, [
            ('taken', 'R', 'a', ('R', 'activate', None)),
            ('taken', 'R', 'b', ('R', 'activate', None)),
            ('taken', 'Q', 'b', ('Q', 'activate', None)),
            ('left', 'R', 'a', ('R', 'end')),
        ])
        del events[:]
        # a dying agent leaves every role, after its own end
        b.kill(b)
        step_until_idle(self.kernel)
        self.assertEqual(sorted((e[0], e[1], e[2]) for e in events),
                         [('left', 'Q', 'b'), ('left', 'R', 'b')])
        self.assertFalse(self.group.is_alive())

    def test_dying_agent_leaves_roles_after_its_end(self):
        log, group, R = self.log, self.group, self.R
        # a leave condition that refuses does not keep a dying agent
        refuse = Janus.Condition.new_time_window(GLib.MAXINT64 - 1, GLib.MAXINT64)
        Janus.Role.type_add_leave_condition(R, refuse)

        class Player(Janus.Agent):
            def do_activate(self, parameters):
                self.request_role(R, group, None)
                return True

            def do_live(self):
                return Janus.Live.DONE

            def do_end(self):
                log.append(('agent', 'end', self.get_role(R, group) is not None))

        left = []
        group.connect('role-left', lambda g, r: left.append(r.get_player()))
        p = Player()
        self.kernel.launch_light_agent(p, None, None)
        self.kernel.run()
        self.assertEqual(self.log, [('R', 'activate', None), ('agent', 'end', True), ('R', 'end')])
        self.assertEqual(left, [p])
        self.assertEqual(p.get_state(), S.DIED)

    def test_activate_raises_glib_error(self):
        taken = []

        class Refuser(Janus.Role):
            def do_activate(self, init):
                raise GLib.Error.new_literal(GLib.file_error_quark(), 'no stock',
                                             GLib.FileError.NOENT)

            def do_end(self):
                taken.append('end')

        group = self.kernel.create_group(organization((Refuser, 0)))
        group.connect('role-taken', lambda g, r: taken.append('taken'))
        a, = self.launch()
        with self.assertRaises(GLib.Error) as cm:
            a.request_role(Refuser, group, None)
        self.assertTrue(cm.exception.matches(GLib.file_error_quark(), GLib.FileError.NOENT))
        self.assertEqual(cm.exception.message, 'no stock')
        self.assertEqual(taken, [])
        self.assertEqual(a.list_roles(), [])
        self.assertFalse(group.has_member(a))
        self.assertEqual(group.count_players(Janus.Role), 0)

    def test_activate_returns_false(self):
        class Refuser(Janus.Role):
            def do_activate(self, init):
                return False

        group = self.kernel.create_group(organization((Refuser, 0)))
        a, = self.launch()
        with self.assertRaises(GLib.Error) as cm:
            a.request_role(Refuser, group, None)
        self.assertJanusError(cm, OE.FAILED)
        self.assertIn(Refuser.__gtype__.name, cm.exception.message)
        self.assertIn(group.get_uuid(), cm.exception.message)
        self.assertIsNone(a.get_role(Refuser, group))

    def test_activate_raises_python_exception(self):
        class Crasher(Janus.Role):
            def do_activate(self, init):
                raise RuntimeError('role activate exploded')

        group = self.kernel.create_group(organization((Crasher, 0)))
        a, = self.launch()
        with captured_stderr() as err:
            with self.assertRaises(GLib.Error) as cm:
                a.request_role(Crasher, group, None)
        self.assertIn('role activate exploded', err.getvalue())
        self.assertJanusError(cm, OE.FAILED)
        self.assertEqual(a.list_roles(), [])

    def test_roles_share_the_player_memory(self):
        a, = self.launch()
        r = a.request_role(self.R, self.group, None)
        q = a.request_role(self.Q, self.group, None)
        self.assertIs(r.get_memory(), a.get_memory())
        self.assertIs(q.get_memory(), a.get_memory())
        r.get_memory().put('price', GLib.Variant('i', 12))
        self.assertEqual(q.get_memory().get('price').unpack(), 12)

    def test_end_when_no_role(self):
        a, = self.launch()
        self.assertFalse(a.get_end_when_no_role())
        a.set_end_when_no_role(True)
        self.assertTrue(a.get_end_when_no_role())
        a.request_role(self.R, self.group, None)
        a.request_role(self.Q, self.group, None)
        a.leave_role(self.R, self.group)
        self.assertEqual(a.get_state(), S.ALIVE)
        a.leave_role(self.Q, self.group)
        step_until_idle(self.kernel)
        self.assertEqual(a.get_state(), S.DIED)

    def test_overriding_live_without_chaining_up_still_steps_the_roles(self):
        class Busy(Janus.Agent):
            def do_live(self):
                return Janus.Live.WAIT

        a, = self.launch(cls=Busy)
        b, = self.launch()
        a.request_role(self.R, self.group, None)
        b.request_role(self.Q, self.group, None)
        b.get_role(self.Q, self.group).send(self.R, Janus.Message('hello'))
        step_until_idle(self.kernel)
        self.assertIn(('R', 'live'), self.log)

    def test_step_roles_false_steps_no_role_without_chaining_up(self):
        class Busy(Janus.Agent):
            step_roles = False

            def do_live(self):
                return Janus.Live.WAIT

        a, = self.launch(cls=Busy)
        b, = self.launch()
        a.request_role(self.R, self.group, None)
        b.request_role(self.Q, self.group, None)
        b.get_role(self.Q, self.group).send(self.R, Janus.Message('hello'))
        step_until_idle(self.kernel)
        self.assertNotIn(('R', 'live'), self.log)
        self.assertEqual(a.get_role(self.R, self.group).get_mailbox_size(), 1)


# ------------------------------------------------------------- refusals

class RefusalTests(Fixture):
    def test_not_listed(self):
        class Listed(Janus.Role):
            pass

        class Unlisted(Janus.Role):
            pass

        group = self.kernel.create_group(organization((Listed, 0)))
        a, = self.launch()
        for role in (Unlisted, Janus.Role):
            with self.subTest(role=role.__gtype__.name):
                with self.assertRaises(GLib.Error) as cm:
                    a.request_role(role, group, None)
                self.assertJanusError(cm, OE.ROLE_NOT_LISTED)
                self.assertIn(role.__gtype__.name, cm.exception.message)
                self.assertIn(group.get_uuid(), cm.exception.message)
        self.assertEqual(a.list_roles(), [])

    def test_already_played(self):
        class R(Janus.Role):
            pass

        class Sub(R):
            pass

        Org = organization((R, 0))
        group, other = self.kernel.create_group(Org), self.kernel.create_group(Org)
        a, = self.launch()
        a.request_role(R, group, None)
        with self.assertRaises(GLib.Error) as cm:
            a.request_role(R, group, None)
        self.assertJanusError(cm, OE.ROLE_ALREADY_PLAYED)
        self.assertIn(R.__gtype__.name, cm.exception.message)
        self.assertIn(group.get_uuid(), cm.exception.message)
        # another exact type, or another group, is fine
        self.assertIsNotNone(a.request_role(Sub, group, None))
        self.assertIsNotNone(a.request_role(R, other, None))

    def test_cardinality_counts_subclasses(self):
        class R(Janus.Role):
            pass

        class Sub(R):
            pass

        group = self.kernel.create_group(organization((R, 2)))
        a, b, c = self.launch(3)
        a.request_role(R, group, None)
        b.request_role(Sub, group, None)
        for role in (R, Sub):
            with self.subTest(role=role.__name__):
                with self.assertRaises(GLib.Error) as cm:
                    c.request_role(role, group, None)
                self.assertJanusError(cm, OE.CARDINALITY_FULL)
                self.assertIn(R.__gtype__.name, cm.exception.message)
                self.assertIn(group.get_uuid(), cm.exception.message)
        a.leave_role(R, group)
        self.assertIsNotNone(c.request_role(R, group, None))

    def test_missing_capacity(self):
        class Needy(Janus.Role):
            pass

        Janus.Role.type_add_required_capacity(Needy, Janus.Capacity)
        group = self.kernel.create_group(organization((Needy, 0)))
        a, = self.launch()
        with self.assertRaises(GLib.Error) as cm:
            a.request_role(Needy, group, None)
        self.assertJanusError(cm, OE.MISSING_CAPACITY)
        self.assertIn('JanusCapacity', cm.exception.message)
        self.assertIn(Needy.__gtype__.name, cm.exception.message)
        a.add_capacity(Janus.Capacity, Doubler())
        self.assertIsNotNone(a.request_role(Needy, group, None))

    def test_time_window_condition(self):
        class Opening(Janus.Role):
            pass

        clock = Janus.Clock.new_virtual(0, 0)
        self.kernel.set_clock(clock)
        window = Janus.Condition.new_time_window(1000, 2000)
        description = window.get_description()
        self.assertTrue(description)
        Janus.Role.type_add_obtain_condition(Opening, window)
        group = self.kernel.create_group(organization((Opening, 0)))
        a, b, c = self.launch(3)
        self.assertFalse(window.evaluate(a, group, Opening))
        with self.assertRaises(GLib.Error) as cm:
            a.request_role(Opening, group, None)
        self.assertJanusError(cm, OE.CONDITION_FAILED)
        self.assertIn(description, cm.exception.message)
        clock.set_time(1500)
        self.assertTrue(window.evaluate(b, group, Opening))
        self.assertIsNotNone(b.request_role(Opening, group, None))
        clock.set_time(2500)
        with self.assertRaises(GLib.Error) as cm:
            c.request_role(Opening, group, None)
        self.assertJanusError(cm, OE.CONDITION_FAILED)

    def test_check_order(self):
        class Full(Janus.Role):
            pass

        class NeedsCapacity(Janus.Role):
            pass

        never = Janus.Condition.new_time_window(GLib.MAXINT64 - 1, GLib.MAXINT64)
        for role in (Full, NeedsCapacity):
            Janus.Role.type_add_required_capacity(role, Janus.Capacity)
            Janus.Role.type_add_obtain_condition(role, never)
        group = self.kernel.create_group(organization((Full, 1), (NeedsCapacity, 0)))
        a, b = self.launch(2)
        a.add_capacity(Janus.Capacity, Doubler())
        # a passes the capacity check and fails the class condition
        with self.assertRaises(GLib.Error) as cm:
            a.request_role(NeedsCapacity, group, None)
        self.assertJanusError(cm, OE.CONDITION_FAILED)
        # capacity before the class condition
        with self.assertRaises(GLib.Error) as cm:
            b.request_role(NeedsCapacity, group, None)
        self.assertJanusError(cm, OE.MISSING_CAPACITY)

    def test_already_played_before_cardinality(self):
        class Solo(Janus.Role):
            pass

        class Capable(Janus.Role):
            pass

        Janus.Role.type_add_required_capacity(Capable, Janus.Capacity)
        group = self.kernel.create_group(organization((Solo, 1), (Capable, 1)))
        a, b = self.launch(2)
        a.request_role(Solo, group, None)
        with self.assertRaises(GLib.Error) as cm:
            a.request_role(Solo, group, None)
        self.assertJanusError(cm, OE.ROLE_ALREADY_PLAYED)
        # cardinality before the missing capacity
        b.add_capacity(Janus.Capacity, Doubler())
        b.request_role(Capable, group, None)
        with self.assertRaises(GLib.Error) as cm:
            a.request_role(Capable, group, None)
        self.assertJanusError(cm, OE.CARDINALITY_FULL)

    def test_not_launched(self):
        class R(Janus.Role):
            pass

        group = self.kernel.create_group(organization((R, 0)))
        with self.assertRaises(GLib.Error) as cm:
            Janus.Agent().request_role(R, group, None)
        self.assertJanusError(cm, KE.NOT_LAUNCHED)

    def test_dying_agent(self):
        class R(Janus.Role):
            pass

        group = self.kernel.create_group(organization((R, 0)))
        errors = []

        class Late(Janus.Agent):
            def do_live(self):
                return Janus.Live.DONE

            def do_end(self):
                try:
                    self.request_role(R, group, None)
                except GLib.Error as error:
                    errors.append(error)

        self.kernel.launch_light_agent(Late(), None, None)
        self.kernel.run()
        self.assertEqual(len(errors), 1)
        self.assertTrue(is_janus_error(errors[0], KE.AGENT_DEAD))
        self.assertEqual(group.count_players(Janus.Role), 0)

    def test_group_of_another_kernel(self):
        class R(Janus.Role):
            pass

        other = Janus.Kernel.new(0)
        self.addCleanup(other.shutdown)
        group = other.create_group(organization((R, 0)))
        a, = self.launch()
        with self.assertRaises(GLib.Error) as cm:
            a.request_role(R, group, None)
        self.assertJanusError(cm, OE.WRONG_KERNEL)
        self.assertIn(group.get_uuid(), cm.exception.message)

    def test_leave_refusals(self):
        class Sticky(Janus.Role):
            pass

        clock = Janus.Clock.new_virtual(0, 0)
        self.kernel.set_clock(clock)
        # leaving is allowed from t = 1000 on
        Janus.Role.type_add_leave_condition(Sticky, Janus.Condition.new_time_window(1000, GLib.MAXINT64))
        group = self.kernel.create_group(organization((Sticky, 0)))
        a, b = self.launch(2)
        with self.assertRaises(GLib.Error) as cm:
            a.leave_role(Sticky, group)
        self.assertJanusError(cm, OE.ROLE_NOT_PLAYED)
        role = a.request_role(Sticky, group, None)
        with self.assertRaises(GLib.Error) as cm:
            a.leave_role(Sticky, group)
        self.assertJanusError(cm, OE.CONDITION_FAILED)
        self.assertTrue(role.is_played())
        clock.set_time(1000)
        self.assertTrue(a.leave_role(Sticky, group))
        self.assertFalse(role.is_played())


class ConditionCallableTests(unittest.TestCase):
    """Janus.Condition.new() with a Python callable, in child interpreters
    (a broken callable logs a warning, fatal in this process). The C
    callback passes role_type as an integer; the override hands the callable
    a GObject.GType."""

    def run_ok(self, code):
        child = run_child(code, timeout=TIMEOUT * 3)
        self.assertIsNotNone(child, 'the child interpreter timed out')
        self.assertEqual(child.returncode, 0, child.stderr)
        self.assertNotIn('CRITICAL', child.stderr)
        return child

    def test_evaluate_calls_the_callable(self):
        self.run_ok('''
            a = launch('a')
            calls = []

            def decide(agent, group, role_type, data):
                calls.append((agent, group, data))
                return data == 'yes'

            yes = Janus.Condition.new('says yes', decide, 'yes')
            no = Janus.Condition.new('says no', decide, 'no')
            assert yes.get_description() == 'says yes'
            assert yes.evaluate(a, g, R) is True
            assert no.evaluate(a, g, R) is False
            assert calls == [(a, g, 'yes'), (a, g, 'no')], calls
            del yes, no
            gc.collect()
            k.shutdown()
            ''')

    def test_membership_policy(self):
        child = self.run_ok('''
            insider, outsider = launch('insider'), launch('outsider')
            policy = Janus.Condition.new('named insider',
                                         lambda agent, group, rt, d: agent.get_name() == 'insider', None)
            g.set_membership_policy(policy)
            e = expect(OE.NOT_A_MEMBER, outsider.request_role, R, g, None)
            assert 'named insider' in e.message, e.message
            assert g.get_uuid() in e.message and 'R' in e.message, e.message
            assert insider.request_role(R, g, None) is not None
            assert not g.has_member(outsider)
            g.set_membership_policy(None)             # everyone again
            assert outsider.request_role(R, g, None) is not None
            k.shutdown()
            ''')

    def test_group_obtain_condition(self):
        self.run_ok('''
            a, b = launch('a'), launch('b')
            g.add_obtain_condition(Janus.Condition.new('only b',
                                   lambda agent, group, rt, d: agent is d, b))
            e = expect(OE.CONDITION_FAILED, a.request_role, R, g, None)
            assert 'only b' in e.message, e.message
            assert b.request_role(R, g, None) is not None
            k.shutdown()
            ''')

    def test_group_leave_condition(self):
        self.run_ok('''
            g.set_persistent(True)
            a = launch('a')
            allowed = [False]
            g.add_leave_condition(Janus.Condition.new('when allowed',
                                  lambda agent, group, rt, d: d[0], allowed))
            role = a.request_role(R, g, None)
            e = expect(OE.CONDITION_FAILED, a.leave_role, R, g)
            assert 'when allowed' in e.message, e.message
            assert role.is_played()
            allowed[0] = True
            assert a.leave_role(R, g)
            assert not role.is_played()
            # a dying agent leaves whatever the conditions
            allowed[0] = False
            b = launch('b')
            role = b.request_role(R, g, None)
            k.kill(b)
            for _ in range(10):
                if not k.step():
                    break
            assert b.get_state() == Janus.AgentState.DIED
            assert not role.is_played()
            k.shutdown()
            ''')

    def test_role_class_obtain_condition(self):
        self.run_ok('''
            class Picky(Janus.Role):
                pass

            class Org2(Janus.Organization):
                pass

            Janus.Organization.type_add_role(Org2, Picky, 0)
            Janus.Role.type_add_obtain_condition(Picky, Janus.Condition.new(
                'not on Mondays', lambda agent, group, rt, d: agent.get_name() != 'monday', None))
            g2 = k.create_group(Org2)
            monday, tuesday = launch('monday'), launch('tuesday')
            e = expect(OE.CONDITION_FAILED, monday.request_role, Picky, g2, None)
            assert 'not on Mondays' in e.message, e.message
            assert tuesday.request_role(Picky, g2, None) is not None
            k.shutdown()
            ''')

    def test_order_of_group_checks(self):
        self.run_ok('''
            class Solo(Janus.Role):
                pass

            class Org2(Janus.Organization):
                pass

            Janus.Organization.type_add_role(Org2, Solo, 1)
            g2 = k.create_group(Org2)
            a, b = launch('a'), launch('b')
            b.request_role(Solo, g2, None)              # now full
            evaluated = []

            def refuse(name):
                def func(agent, group, rt, d):
                    evaluated.append(name)
                    return False
                return Janus.Condition.new(name, func, None)

            # not listed comes first: no condition is even asked
            g2.set_membership_policy(refuse('membership'))
            g2.add_obtain_condition(refuse('obtain'))
            expect(OE.ROLE_NOT_LISTED, a.request_role, R, g2, None)
            assert evaluated == [], evaluated
            # already played before the membership policy
            expect(OE.ROLE_ALREADY_PLAYED, b.request_role, Solo, g2, None)
            assert evaluated == [], evaluated
            # membership policy, then obtain conditions, then cardinality
            expect(OE.NOT_A_MEMBER, a.request_role, Solo, g2, None)
            assert evaluated == ['membership'], evaluated
            g2.set_membership_policy(None)
            expect(OE.CONDITION_FAILED, a.request_role, Solo, g2, None)
            assert evaluated == ['membership', 'obtain'], evaluated
            k.shutdown()
            ''')

    def test_exception_in_condition_refuses(self):
        child = self.run_ok('''
            a = launch('a')

            def broken(agent, group, rt, d):
                raise RuntimeError('condition exploded')

            g.add_obtain_condition(Janus.Condition.new('broken', broken, None))
            expect(OE.CONDITION_FAILED, a.request_role, R, g, None)
            k.shutdown()
            ''')
        self.assertIn('condition exploded', child.stderr)

    def test_condition_callable_receives_role_type(self):
        """The callable gets the requested role type as a GObject.GType
        (PyGObject 3.42 has no closure marshaller for GType arguments, so the
        C callback declares a gsize and the override converts it)."""
        child = run_child('''
            a = launch('a')
            seen = []

            def record(agent, group, role_type, data):
                seen.append(role_type)
                return True

            cond = Janus.Condition.new('records', record, None)
            cond.evaluate(a, g, Sub)
            assert seen == [Sub.__gtype__], 'role_type arrived as %r' % (seen,)
            k.shutdown()
            ''')
        self.assertIsNotNone(child)
        self.assertNotIn('Unhandled type tag GType', child.stderr)
        self.assertEqual(child.returncode, 0, child.stderr)


# ----------------------------------------------------------- role messages

class RoleMessagingTests(Fixture):
    def setUp(self):
        super().setUp()
        self.got = []                   # (receiving role class, player name, subject)
        got = self.got

        class Logging(Janus.Role):
            def do_live(self):
                for m in iter(self.get_message, None):
                    got.append((type(self).__name__, self.get_player().get_name(), m.get_subject()))
                return Janus.Live.WAIT

        class Asker(Logging):
            pass

        class Answerer(Logging):
            pass

        class SubAnswerer(Answerer):
            pass

        self.Asker, self.Answerer, self.SubAnswerer = Asker, Answerer, SubAnswerer
        self.Org = organization((Asker, 0), (Answerer, 0))
        self.group = self.kernel.create_group(self.Org)

    def cast(self, spec):
        """spec: {name: [role classes]} → {name: agent}, roles taken in
        order of the spec."""
        agents = dict(zip(spec, self.launch(len(spec), names=list(spec))))
        for name, roles in spec.items():
            for role in roles:
                agents[name].request_role(role, self.group, None)
        return agents

    def role(self, agent, cls):
        return agent.get_role(cls, self.group)

    def test_send_returns_the_receiver(self):
        x = self.cast({'a': [self.Asker], 'b': [self.Answerer]})
        ask = self.role(x['a'], self.Asker)
        to = ask.send(self.Answerer, Janus.Message('q', GLib.Variant('i', 1)))
        self.assertIsInstance(to, Janus.Address)
        self.assertEqual(to, x['b'].get_address())
        answerer = self.role(x['b'], self.Answerer)
        m = answerer.peek_message()
        self.assertEqual(m.get_subject(), 'q')
        self.assertEqual(m.get_body().unpack(), 1)
        self.assertTrue(m.is_sent())
        self.assertEqual(m.get_sender(), x['a'].get_address())
        self.assertEqual(m.get_receiver(), x['b'].get_address())
        self.assertEqual(m.get_sender_role(), self.Asker.__gtype__)
        self.assertEqual(m.get_receiver_role(), self.Answerer.__gtype__)
        self.assertIs(m.dup_group(), self.group)
        step_until_idle(self.kernel)
        self.assertEqual(self.got, [('Answerer', 'b', 'q')])

    def test_send_never_targets_the_sender(self):
        x = self.cast({'a': [self.Asker, self.Answerer], 'b': [self.Answerer],
                       'c': [self.SubAnswerer]})
        ask = self.role(x['a'], self.Asker)
        receivers = {x['b'].get_address(): 0, x['c'].get_address(): 0}
        for i in range(60):
            to = ask.send(self.Answerer, Janus.Message('q%d' % i))
            self.assertIn(to, receivers)
            receivers[to] += 1
        # random by default: missing one of 2 in 60 draws has probability 2^-59
        self.assertTrue(all(receivers.values()), receivers)
        step_until_idle(self.kernel)
        self.assertNotIn('a', [name for _, name, _ in self.got])

    def test_send_with_no_other_player(self):
        x = self.cast({'a': [self.Asker, self.Answerer]})
        dead_letters = self.kernel.get_dead_letter_count()
        with self.assertRaises(GLib.Error) as cm:
            self.role(x['a'], self.Asker).send(self.Answerer, Janus.Message('q'))
        self.assertJanusError(cm, OE.NOT_A_MEMBER)
        self.assertIn(self.Answerer.__gtype__.name, cm.exception.message)
        self.assertEqual(self.kernel.get_dead_letter_count(), dead_letters)
        self.assertEqual(x['a'].get_mailbox_size(), 0)

    def test_broadcast(self):
        x = self.cast({'a': [self.Asker, self.Answerer], 'b': [self.Answerer],
                       'c': [self.SubAnswerer], 'd': [self.Asker]})
        ask = self.role(x['a'], self.Asker)
        n = ask.broadcast(self.Answerer, Janus.Message('all', GLib.Variant('s', 'x')))
        self.assertEqual(n, 2)
        self.assertEqual(Janus.raw.Role.broadcast(ask, self.SubAnswerer, Janus.Message('subs')),
                         (True, 1))
        step_until_idle(self.kernel)
        self.assertEqual(sorted(self.got), [('Answerer', 'b', 'all'), ('SubAnswerer', 'c', 'all'),
                                            ('SubAnswerer', 'c', 'subs')])

    def test_broadcast_to_nobody(self):
        x = self.cast({'a': [self.Asker, self.Answerer]})
        self.assertEqual(self.role(x['a'], self.Asker).broadcast(self.Answerer, Janus.Message('none')), 0)
        self.assertEqual(self.kernel.get_dead_letter_count(), 0)

    def test_reply_lands_in_the_sending_role(self):
        class Echo(self.Answerer):
            def do_live(self):
                for m in iter(self.get_message, None):
                    self.reply(m, Janus.Message('re: ' + m.get_subject(), m.get_body()))
                return Janus.Live.WAIT

        x = self.cast({'a': [self.Asker, self.Answerer], 'b': [Echo]})
        ask = self.role(x['a'], self.Asker)
        ask.send(self.Answerer, Janus.Message('ping', GLib.Variant('i', 5)))
        self.kernel.step()                      # b replies
        self.assertEqual(ask.get_mailbox_size(), 1)
        self.assertEqual(self.role(x['a'], self.Answerer).get_mailbox_size(), 0)
        reply = ask.peek_message()
        self.assertEqual(reply.get_subject(), 're: ping')
        self.assertEqual(reply.get_body().unpack(), 5)
        self.assertEqual(reply.get_sender(), x['b'].get_address())
        self.assertEqual(reply.get_sender_role(), Echo.__gtype__)
        self.assertEqual(reply.get_receiver_role(), self.Asker.__gtype__)
        step_until_idle(self.kernel)
        self.assertEqual(self.got, [('Asker', 'a', 're: ping')])

    def test_reply_to_a_direct_message(self):
        x = self.cast({'a': [self.Answerer]})
        self.kernel.send(x['a'].get_address(), Janus.Message('direct'))
        request = x['a'].get_message()
        with self.assertRaises(GLib.Error) as cm:
            self.role(x['a'], self.Answerer).reply(request, Janus.Message('no'))
        self.assertJanusError(cm, ME.NOT_A_ROLE_MESSAGE)

    def test_role_mailbox_views(self):
        x = self.cast({'a': [self.Asker, self.Answerer], 'b': [self.Asker, self.Answerer]})
        a, b = x['a'], x['b']
        ask, ans = self.role(a, self.Asker), self.role(a, self.Answerer)
        b_ask, b_ans = self.role(b, self.Asker), self.role(b, self.Answerer)
        step_until_idle(self.kernel)
        b_ask.send(self.Answerer, Janus.Message('q1'))
        b_ans.send(self.Asker, Janus.Message('q2'))
        b_ask.send(self.Answerer, Janus.Message('q3'))
        self.kernel.send(a.get_address(), Janus.Message('direct'))
        # on a 0-worker kernel the driving thread may read between steps
        self.assertEqual(ans.get_mailbox_size(), 2)
        self.assertTrue(ans.has_message())
        self.assertEqual(ans.peek_message().get_subject(), 'q1')
        self.assertEqual([m.get_subject() for m in ans.peek_messages()], ['q1', 'q3'])
        self.assertEqual(ask.get_mailbox_size(), 1)
        self.assertEqual(a.get_mailbox_size(), 4)           # the agent sees all
        self.assertEqual(len(a.get_mailbox()), 4)
        self.assertEqual([m.get_subject() for m in ans.get_messages()], ['q1', 'q3'])
        self.assertFalse(ans.has_message())
        self.assertIsNone(ans.get_message())
        self.assertEqual(a.get_mailbox_size(), 2)
        # the agent's mailbox (iteration takes) includes the role's message
        self.assertEqual([m.get_subject() for m in a.get_mailbox()], ['q2', 'direct'])
        self.assertFalse(ask.has_message())
        self.assertEqual(ask.get_mailbox_size(), 0)

    def test_role_mailbox_iteration_in_live(self):
        seen = []

        class Reader(self.Answerer):
            def do_live(self):
                seen.append([m.get_subject() for m in iter(self.get_message, None)])
                return Janus.Live.WAIT

        x = self.cast({'a': [self.Asker], 'b': [Reader]})
        ask = self.role(x['a'], self.Asker)
        step_until_idle(self.kernel)
        del seen[:]
        for i in range(5):
            ask.send(self.Answerer, Janus.Message('m%d' % i))
        step_until_idle(self.kernel)
        self.assertEqual(seen, [['m0', 'm1', 'm2', 'm3', 'm4']])

    def test_agent_mailbox_iteration_takes_role_messages(self):
        class Reader(Janus.Agent):
            subjects = []

            def do_live(self):
                self.subjects.extend(m.get_subject() for m in self.get_mailbox())
                return Janus.Live.WAIT

        reader, = self.launch(cls=Reader, names=['reader'])
        sender, = self.launch(names=['sender'])
        ans = reader.request_role(self.Answerer, self.group, None)
        ask = sender.request_role(self.Asker, self.group, None)
        ask.send(self.Answerer, Janus.Message('for the role'))
        self.kernel.send(reader.get_address(), Janus.Message('for the agent'))
        step_until_idle(self.kernel)
        self.assertEqual(reader.subjects, ['for the role', 'for the agent'])
        self.assertEqual(ans.get_mailbox_size(), 0)

    def test_post_from_another_thread(self):
        x = self.cast({'a': [self.Answerer]})
        ans = self.role(x['a'], self.Answerer)
        step_until_idle(self.kernel)
        results = []
        thread = threading.Thread(target=lambda: results.append(
            ans.post(Janus.Message('posted', GLib.Variant('i', 3)))))
        thread.start()
        thread.join(TIMEOUT)
        self.assertFalse(thread.is_alive())
        self.assertEqual(results, [True])
        m = ans.peek_message()
        self.assertEqual(m.get_sender(), x['a'].get_address())
        self.assertEqual(m.get_receiver(), x['a'].get_address())
        self.assertEqual(m.get_sender_role(), self.Answerer.__gtype__)
        self.assertEqual(m.get_receiver_role(), self.Answerer.__gtype__)
        step_until_idle(self.kernel)                # the role is stepped
        self.assertEqual(self.got, [('Answerer', 'a', 'posted')])

    def test_post_already_sent(self):
        x = self.cast({'a': [self.Answerer]})
        ans = self.role(x['a'], self.Answerer)
        m = Janus.Message('once')
        self.assertTrue(ans.post(m))
        with self.assertRaises(GLib.Error) as cm:
            ans.post(m)
        self.assertJanusError(cm, ME.ALREADY_SENT)
        self.assertEqual(ans.get_mailbox_size(), 1)

    def test_post_to_a_left_role_is_a_dead_letter(self):
        """A post to a role that was left is a dead letter, and a role of
        the same type taken later in the group does not read it."""
        x = self.cast({'a': [self.Asker, self.Answerer]})
        a = x['a']
        old = self.role(a, self.Answerer)
        a.leave_role(self.Answerer, self.group)
        letters = []
        self.kernel.connect('dead-letter', lambda k, m: letters.append(m.get_subject()))
        self.assertTrue(old.post(Janus.Message('too late')))
        step_until_idle(self.kernel)
        self.assertEqual(letters, ['too late'])
        self.assertEqual(self.kernel.get_dead_letter_count(), 1)
        self.assertEqual(a.get_mailbox_size(), 0)
        new = a.request_role(self.Answerer, self.group, None)
        self.assertEqual(new.get_mailbox_size(), 0)

    def test_sending_from_a_left_role(self):
        x = self.cast({'a': [self.Asker], 'b': [self.Answerer]})
        ask = self.role(x['a'], self.Asker)
        x['a'].leave_role(self.Asker, self.group)
        with self.assertRaises(GLib.Error) as cm:
            ask.send(self.Answerer, Janus.Message('q'))
        self.assertJanusError(cm, OE.ROLE_NOT_PLAYED)
        with self.assertRaises(GLib.Error) as cm:
            ask.broadcast(self.Answerer, Janus.Message('q'))
        self.assertJanusError(cm, OE.ROLE_NOT_PLAYED)
        self.assertEqual(x['b'].get_mailbox_size(), 0)

    def test_left_role_reads_nothing(self):
        x = self.cast({'a': [self.Answerer], 'b': [self.Asker]})
        self.role(x['b'], self.Asker).send(self.Answerer, Janus.Message('q'))
        ans = self.role(x['a'], self.Answerer)
        x['a'].leave_role(self.Answerer, self.group)
        self.assertIsNone(ans.get_message())
        self.assertIsNone(ans.peek_message())
        self.assertEqual(ans.get_messages(), [])
        self.assertEqual(ans.peek_messages(), [])
        self.assertEqual(ans.get_mailbox_size(), 0)
        self.assertEqual(x['a'].get_mailbox_size(), 1)       # still the agent's

    def test_agent_send_to_role(self):
        x = self.cast({'a': [self.Asker], 'b': [self.Answerer], 'c': [self.Answerer],
                       'd': [self.Asker]})
        a = x['a']
        to = a.send_to_role(self.group, self.Asker, self.Answerer, x['c'].get_address(),
                                   Janus.Message('to c'))
        self.assertEqual(to, x['c'].get_address())
        to = a.send_to_role(self.group, self.Asker, self.Answerer, None, Janus.Message('any'))
        self.assertIn(to, (x['b'].get_address(), x['c'].get_address()))
        with self.assertRaises(GLib.Error) as cm:
            a.send_to_role(self.group, self.Asker, self.Answerer, x['d'].get_address(),
                           Janus.Message('d plays no Answerer'))
        self.assertJanusError(cm, OE.NOT_A_MEMBER)
        with self.assertRaises(GLib.Error) as cm:
            a.send_to_role(self.group, self.Answerer, self.Asker, None, Janus.Message('q'))
        self.assertJanusError(cm, OE.ROLE_NOT_PLAYED)
        m = self.role(x['c'], self.Answerer).get_message()
        self.assertEqual(m.get_subject(), 'to c')
        self.assertEqual(m.get_sender_role(), self.Asker.__gtype__)

    def test_forward(self):
        x = self.cast({'a': [self.Answerer], 'b': [self.Asker], 'c': [self.Answerer]})
        original = Janus.Message('fwd', GLib.Variant('i', 9))
        to = self.role(x['b'], self.Asker).forward(self.Answerer, original)
        self.assertIn(to, (x['a'].get_address(), x['c'].get_address()))
        self.assertFalse(original.is_sent())            # a copy went
        receiver = self.kernel.lookup_agent(to)
        m = self.role(receiver, self.Answerer).get_message()
        self.assertEqual((m.get_subject(), m.get_body().unpack()), ('fwd', 9))

    def test_round_robin(self):
        x = self.cast({'a': [self.Asker], 'b': [self.Answerer], 'c': [self.SubAnswerer],
                       'd': [self.Answerer]})
        self.group.set_selection_policy(Janus.SelectionPolicy.ROUND_ROBIN)
        self.assertEqual(self.group.props.selection_policy, Janus.SelectionPolicy.ROUND_ROBIN)
        ask = self.role(x['a'], self.Asker)
        order = [self.kernel.lookup_agent(ask.send(self.Answerer, Janus.Message('r'))).get_name()
                 for _ in range(7)]
        self.assertEqual(order, ['b', 'c', 'd', 'b', 'c', 'd', 'b'])

    def test_custom_selection_function(self):
        x = self.cast({'a': [self.Asker, self.Answerer], 'b': [self.Answerer],
                       'c': [self.Answerer]})
        calls = []

        # PyGObject 3.42 also passes n_candidates (the array's length)
        # before the user data
        def pick_last(group, candidates, *rest):
            calls.append((group, [str(c) for c in candidates], rest[-1]))
            return len(candidates) - 1

        self.group.set_selection_func(pick_last, 'data')
        self.assertEqual(self.group.get_selection_policy(), Janus.SelectionPolicy.CUSTOM)
        ask = self.role(x['a'], self.Asker)
        for _ in range(3):
            self.assertEqual(ask.send(self.Answerer, Janus.Message('c')), x['c'].get_address())
        # the candidates: the players in take order, the sender aside
        self.assertEqual(calls, [(self.group, [str(x['b'].get_address()), str(x['c'].get_address())],
                                  'data')] * 3)
        step_until_idle(self.kernel)
        self.assertEqual(self.got, [('Answerer', 'c', 'c')] * 3)


# ------------------------------------------------------------ capacities

class CapacityTests(Fixture):
    def setUp(self):
        super().setUp()
        self.results = []
        results = self.results

        class User(Janus.Role):
            def do_live(self):
                for m in iter(self.get_message, None):
                    try:
                        results.append((m.get_subject(), m.get_capacity_result()))
                    except GLib.Error as error:
                        results.append((m.get_subject(), error))
                return Janus.Live.WAIT

        Janus.Role.type_add_required_capacity(User, Janus.Capacity)
        self.User = User

        class Plain(Janus.Role):
            pass

        self.Plain = Plain
        self.group = self.kernel.create_group(organization((User, 0), (Plain, 0)))

    def capable(self):
        agent, = self.launch()
        self.impl = Doubler()
        agent.add_capacity(Janus.Capacity, self.impl)
        return agent, agent.request_role(self.User, self.group, None)

    def test_registration(self):
        agent, role = self.capable()
        self.assertIs(agent.get_capacity(Janus.Capacity), self.impl)
        self.assertIs(role.get_capacity(Janus.Capacity), self.impl)
        self.assertIsNone(Janus.Agent().get_capacity(Janus.Capacity))
        # the Python object is the GInterface implementation
        self.assertEqual(self.impl.invoke(GLib.Variant('x', 4)).unpack(), 8)

    def test_invoke_sync(self):
        agent, role = self.capable()
        result = role.invoke_capacity(Janus.Capacity, GLib.Variant('x', 21))
        self.assertEqual((result.get_type_string(), result.unpack()), ('x', 42))
        self.assertIsNone(role.invoke_capacity(Janus.Capacity, None))
        with self.assertRaises(GLib.Error) as cm:
            role.invoke_capacity(Janus.Capacity, GLib.Variant('s', 'pear'))
        self.assertTrue(cm.exception.matches(GLib.file_error_quark(), GLib.FileError.NOENT))
        self.assertEqual(cm.exception.message, 'no such thing: pear')
        self.assertEqual(set(self.impl.threads), {threading.get_ident()})

    def test_invoke_without_capacity(self):
        agent, = self.launch()
        role = agent.request_role(self.Plain, self.group, None)
        self.assertIsNone(role.get_capacity(Janus.Capacity))
        with self.assertRaises(GLib.Error) as cm:
            role.invoke_capacity(Janus.Capacity, GLib.Variant('x', 1))
        self.assertJanusError(cm, OE.MISSING_CAPACITY)
        with self.assertRaises(GLib.Error) as cm:
            role.invoke_capacity_on_worker(Janus.Capacity, GLib.Variant('x', 1), 'never')
        self.assertJanusError(cm, OE.MISSING_CAPACITY)

    def test_invoke_on_worker(self):
        agent, role = self.capable()
        self.assertTrue(role.invoke_capacity_on_worker(Janus.Capacity, GLib.Variant('x', 5), 'five'))
        self.assertTrue(role.invoke_capacity_on_worker(Janus.Capacity, GLib.Variant('s', 'fig'), 'fails'))
        self.assertTrue(role.invoke_capacity_on_worker(Janus.Capacity, None, 'unit'))
        step_until_idle(self.kernel)
        outcome = dict(self.results)
        self.assertEqual(sorted(outcome), ['fails', 'five', 'unit'])
        self.assertEqual(outcome['five'].get_type_string(), 'x')
        self.assertEqual(outcome['five'].unpack(), 10)
        self.assertEqual(outcome['unit'].get_type_string(), '()')
        error = outcome['fails']
        self.assertIsInstance(error, GLib.Error)
        # the capacity's own domain and code are preserved
        self.assertTrue(error.matches(GLib.file_error_quark(), GLib.FileError.NOENT), error)
        self.assertEqual(error.message, 'no such thing: fig')
        self.assertEqual(self.kernel.get_agent_count(), 1)  # the task agents are gone

    def test_on_worker_result_goes_to_the_calling_role(self):
        agent, role = self.capable()
        plain = agent.request_role(self.Plain, self.group, None)
        role.invoke_capacity_on_worker(Janus.Capacity, GLib.Variant('x', 1), 'mine')
        for _ in range(MAX_STEPS):
            if role.has_message() or not self.kernel.step():
                break
        m = role.peek_message()
        self.assertIsNotNone(m)
        self.assertEqual(m.get_subject(), 'mine')
        self.assertEqual(m.get_receiver_role(), self.User.__gtype__)
        self.assertEqual(m.get_receiver(), agent.get_address())
        self.assertIs(m.dup_group(), self.group)
        self.assertEqual(plain.get_mailbox_size(), 0)

    def test_capacity_result_of_another_message(self):
        with self.assertRaises(GLib.Error) as cm:
            Janus.Message('not a result', GLib.Variant('i', 1)).get_capacity_result()
        self.assertJanusError(cm, ME.NOT_A_CAPACITY_RESULT)
        with self.assertRaises(GLib.Error) as cm:
            Janus.Message('no body').get_capacity_result()
        self.assertJanusError(cm, ME.NOT_A_CAPACITY_RESULT)


class WorkerCapacityTests(Fixture):
    workers = 2

    def test_invoke_on_worker_from_a_worker_kernel(self):
        done = threading.Event()
        results = []
        main = threading.get_ident()

        class User(Janus.Role):
            def do_activate(self, init):
                return self.invoke_capacity_on_worker(Janus.Capacity, GLib.Variant('x', 50), 'r')

            def do_live(self):
                m = self.get_message()
                if m is not None:
                    results.append(m.get_capacity_result().unpack())
                    done.set()
                return Janus.Live.WAIT

        Janus.Role.type_add_required_capacity(User, Janus.Capacity)
        group = self.kernel.create_group(organization((User, 0)))
        impl = Doubler()

        class Player(Janus.Agent):
            def do_activate(self, parameters):
                self.add_capacity(Janus.Capacity, impl)
                self.request_role(User, group, None)
                return True

        player = Player()
        self.kernel.launch_light_agent(player, None, None)
        self.assertTrue(done.wait(TIMEOUT))
        self.assertEqual(results, [100])
        self.assertNotIn(main, impl.threads)
        self.kernel.kill(player)
        self.kernel.run()


# ----------------------------------------------------------- contract net

class Seller(Janus.ContractNetParticipant):
    """Bids its player's price; refuses when the price is None; its perform
    fails when the player says so. Its state is the player's (the role
    object is made by janus-c)."""

    def do_propose(self, task):
        player = self.get_player()
        player.trace.append(('propose', player.get_name(), task.unpack()))
        return None if player.price is None else GLib.Variant('x', player.price)

    def do_perform(self, task):
        player = self.get_player()
        player.trace.append(('perform', player.get_name()))
        if player.fail == 'python':
            raise RuntimeError('perform exploded')
        if player.fail:
            raise janus_error(OE.FAILED, 'out of ' + task.unpack()[0])
        return GLib.Variant('(sx)', (player.get_name(), player.price))


class SellerAgent(Janus.Agent):
    activation_prototype = '(s)'        # the group's uuid

    def __init__(self, trace, price, fail=False, role=Seller):
        super().__init__()
        self.trace, self.price, self.fail, self.role_class = trace, price, fail, role

    def do_activate(self, parameters):
        group = self.get_kernel().lookup_group(parameters.unpack()[0])
        self.request_role(self.role_class, group, None)
        return True


class BuyerAgent(Janus.Agent):
    activation_prototype = '(s)'

    def __init__(self, trace, role=Janus.ContractNetInitiator):
        super().__init__()
        self.trace, self.role_class, self.outcomes = trace, role, []

    def do_activate(self, parameters):
        group = self.get_kernel().lookup_group(parameters.unpack()[0])
        self.role = self.request_role(self.role_class, group, None)
        self.role.connect('finished', self.on_finished)
        self.states = []
        self.role.connect('notify::state', lambda r, p: self.states.append(r.get_state()))
        return True

    def on_finished(self, role, success, result, winner):
        who = self.get_kernel().lookup_agent(winner).get_name() if winner else None
        outcome = (success, result.unpack() if result is not None else None, who,
                   role.get_n_asked(), role.get_n_proposals(), role.get_n_refusals(),
                   role.get_state())
        self.outcomes.append(outcome)
        self.trace.append(('finished',) + outcome[:3])


class ContractNetTests(Fixture):
    def market(self, prices, fails=(), buyer_role=Janus.ContractNetInitiator, kernel=None):
        """Launches sellers (s0, s1, … with those prices) and a buyer in a
        contract-net group; returns (buyer, sellers, trace)."""
        kernel = kernel or self.kernel
        trace = []
        group = kernel.create_group(Janus.ContractNetOrganization)
        uuid_param = GLib.Variant('(s)', (group.get_uuid(),))
        sellers = [SellerAgent(trace, p, i in fails) for i, p in enumerate(prices)]
        for i, s in enumerate(sellers):
            kernel.launch_light_agent(s, 's%d' % i, uuid_param)
        buyer = BuyerAgent(trace, buyer_role)
        kernel.launch_light_agent(buyer, 'buyer', uuid_param)
        kernel.step()
        self.assertEqual(group.count_players(Janus.ContractNetParticipant), len(prices))
        return buyer, sellers, trace

    def call(self, buyer, task, kernel=None):
        kernel = kernel or self.kernel
        n = len(buyer.outcomes)
        self.assertTrue(buyer.role.call_for_proposals(task))
        step_until(kernel, lambda: len(buyer.outcomes) > n)
        return buyer.outcomes[-1]

    def test_cheapest_bid_wins(self):
        buyer, sellers, trace = self.market([30, 20, None, 25])
        self.assertEqual(buyer.role.get_state(), CN.IDLE)
        task = GLib.Variant('(si)', ('apple', 3))
        self.assertTrue(buyer.role.call_for_proposals(task))
        self.assertEqual(buyer.role.get_state(), CN.COLLECTING)
        self.assertEqual(buyer.role.props.n_asked, 4)
        step_until(self.kernel, lambda: buyer.outcomes)
        success, result, winner, asked, proposals, refusals, state = buyer.outcomes[0]
        self.assertTrue(success)
        self.assertEqual(result, ('s1', 20))
        self.assertEqual(winner, 's1')
        self.assertEqual((asked, proposals, refusals), (4, 3, 1))
        self.assertEqual(state, CN.IDLE)            # idle when finished is emitted
        self.assertEqual(buyer.states, [CN.COLLECTING, CN.AWARDED, CN.IDLE])
        self.assertEqual(sorted(t for t in trace if t[0] == 'propose'),
                         [('propose', 's%d' % i, ('apple', 3)) for i in range(4)])
        self.assertEqual([t for t in trace if t[0] == 'perform'], [('perform', 's1')])
        step_until_idle(self.kernel)
        self.assertEqual(len(buyer.outcomes), 1)    # exactly once

    def test_perform_failure(self):
        buyer, sellers, trace = self.market([10, 20], fails={0})
        success, result, winner, *_ = self.call(buyer, GLib.Variant('(si)', ('fig', 1)))
        self.assertFalse(success)
        self.assertEqual(result, 'out of fig')      # the error's message
        self.assertEqual(winner, 's0')

    def test_perform_raises_a_python_exception(self):
        # the exception is the error of perform: the call fails with its text
        buyer, sellers, trace = self.market([10, 20])
        sellers[0].fail = 'python'
        with captured_stderr() as err:
            success, result, winner, *_ = self.call(buyer, GLib.Variant('(si)', ('fig', 1)))
        self.assertFalse(success)
        self.assertEqual(winner, 's0')
        self.assertIn('do_perform of role', result)
        self.assertIn('RuntimeError: perform exploded', result)
        self.assertIn('Traceback (most recent call last)', err.getvalue())

    def test_nobody_proposes(self):
        buyer, sellers, trace = self.market([None, None])
        outcome = self.call(buyer, GLib.Variant('(si)', ('pear', 2)))
        self.assertEqual(outcome[:6], (False, None, None, 2, 0, 2))
        self.assertEqual([t[0] for t in trace].count('perform'), 0)

    def test_no_participant(self):
        buyer, sellers, trace = self.market([])
        outcome = self.call(buyer, GLib.Variant('(si)', ('kiwi', 1)))
        self.assertEqual(outcome[:6], (False, None, None, 0, 0, 0))

    def test_call_while_open_and_after_leaving(self):
        buyer, sellers, trace = self.market([5])
        buyer.role.call_for_proposals(GLib.Variant('(si)', ('a', 1)))
        with self.assertRaises(GLib.Error) as cm:
            buyer.role.call_for_proposals(GLib.Variant('(si)', ('b', 1)))
        self.assertJanusError(cm, OE.BUSY)
        step_until(self.kernel, lambda: buyer.outcomes)
        role = buyer.role
        group = role.get_group()
        buyer.leave_role(Janus.ContractNetInitiator, group)
        with self.assertRaises(GLib.Error) as cm:
            role.call_for_proposals(None)
        self.assertJanusError(cm, OE.ROLE_NOT_PLAYED)

    def test_one_initiator_per_group(self):
        buyer, sellers, trace = self.market([5])
        with self.assertRaises(GLib.Error) as cm:
            sellers[0].request_role(Janus.ContractNetInitiator, buyer.role.get_group(), None)
        self.assertJanusError(cm, OE.CARDINALITY_FULL)

    def test_python_select_proposal(self):
        class Generous(Janus.ContractNetInitiator):
            """Accepts the highest bid; none above 100."""

            def do_select_proposal(self, proposals):
                bids = [p.get_body().unpack() for p in proposals]
                self.get_player().trace.append(('select', sorted(bids)))
                best = max(range(len(bids)), key=lambda i: bids[i])
                return best if bids[best] <= 100 else GLib.MAXUINT

        buyer, sellers, trace = self.market([30, 70, 50], buyer_role=Generous)
        success, result, winner, *_ = self.call(buyer, GLib.Variant('(si)', ('plum', 1)))
        self.assertEqual((success, result, winner), (True, ('s1', 70), 's1'))
        self.assertIn(('select', [30, 50, 70]), trace)
        sellers[2].price = 500
        outcome = self.call(buyer, GLib.Variant('(si)', ('plum', 1)))
        self.assertEqual(outcome[:3], (False, None, None))

    def test_chained_calls_are_deterministic_in_step_mode(self):
        def run(seed):
            kernel = Janus.Kernel.new(0)
            try:
                kernel.set_clock(Janus.Clock.new_virtual(0, 1000))
                kernel.set_seed(seed)
                buyer, sellers, trace = self.market([40, 35, None, 35, 60], fails={3},
                                                    kernel=kernel)
                items = iter([('apple', 1), ('pear', 2), ('fig', 3)])

                def chain(role, success, result, winner):
                    item = next(items, None)
                    if item is not None:
                        role.call_for_proposals(GLib.Variant('(si)', item))

                buyer.role.connect('finished', chain)
                buyer.role.call_for_proposals(GLib.Variant('(si)', next(items)))
                step = 0
                while len(buyer.outcomes) < 3 and step < MAX_STEPS:
                    kernel.step()
                    step += 1
                    trace.append(('step', step, kernel.get_time()))
                self.assertEqual(len(buyer.outcomes), 3)
                return trace
            finally:
                kernel.shutdown()

        first = run(7)
        self.assertEqual(run(7), first)
        self.assertEqual(len([t for t in first if t[0] == 'finished']), 3)


# ------------------------------------------------------------------ time

class ClockTests(unittest.TestCase):
    def test_virtual_clock(self):
        clock = Janus.Clock.new_virtual(100, 10)
        self.assertTrue(clock.is_virtual())
        self.assertTrue(clock.props.virtual)
        self.assertEqual(clock.get_time(), 100)
        self.assertEqual(clock.props.time, 100)
        self.assertEqual(clock.get_step(), 10)
        moves = []
        clock.connect('notify::time', lambda c, pspec: moves.append(c.get_time()))
        self.assertTrue(clock.set_time(200))
        self.assertTrue(clock.advance(5))
        self.assertEqual(clock.get_time(), 205)
        for bad in (205, 150):
            with self.subTest(set_time=bad):
                with self.assertRaises(GLib.Error) as cm:
                    clock.set_time(bad)
                self.assertTrue(is_janus_error(cm.exception, CE.TIME_BACKWARDS))
        for bad in (0, -1):
            with self.subTest(advance=bad):
                with self.assertRaises(GLib.Error) as cm:
                    clock.advance(bad)
                self.assertTrue(is_janus_error(cm.exception, CE.TIME_BACKWARDS))
        self.assertEqual(moves, [200, 205])
        clock.set_step(0)
        self.assertEqual(clock.get_step(), 0)

    def test_real_clock(self):
        clock = Janus.Clock.new_real()
        self.assertFalse(clock.is_virtual())
        self.assertEqual(clock.get_step(), 0)
        before = GLib.get_real_time()
        now = clock.get_time()
        self.assertLessEqual(before, now)
        self.assertLess(now - before, TIMEOUT * 1000000)
        mono = GLib.get_monotonic_time()
        self.assertLessEqual(mono, clock.get_monotonic_time())
        with self.assertRaises(GLib.Error) as cm:
            clock.set_time(now + 1000000)
        self.assertTrue(is_janus_error(cm.exception, CE.NOT_VIRTUAL))

    def test_kernel_clock(self):
        kernel = Janus.Kernel.new(0)
        self.addCleanup(kernel.shutdown)
        self.assertFalse(kernel.get_clock().is_virtual())     # real by default
        before = GLib.get_real_time()
        self.assertLessEqual(before, kernel.get_time())
        clock = Janus.Clock.new_virtual(5000, 0)
        kernel.set_clock(clock)
        self.assertIs(kernel.get_clock(), clock)
        self.assertIs(kernel.props.clock, clock)
        self.assertEqual(kernel.get_time(), 5000)
        clock.advance(10)
        self.assertEqual(kernel.get_time(), 5010)


class TimerTests(Fixture):
    """A 0-worker kernel on a virtual clock starting at 0 with step 0:
    step() jumps to the next due timer when nothing is runnable."""

    def setUp(self):
        super().setUp()
        self.clock = Janus.Clock.new_virtual(0, 0)
        self.kernel.set_clock(self.clock)
        self.log = []

    def agent(self, setup, live=L.WAIT):
        """Launches an agent whose activate calls setup(agent) and whose live
        logs ('live', time)."""
        log, kernel = self.log, self.kernel

        class Timed(Janus.Agent):
            def do_activate(self, parameters):
                setup(self)
                return True

            def do_live(self):
                log.append(('live', kernel.get_time()))
                return live

        agent = Timed()
        self.kernel.launch_light_agent(agent, None, None)
        return agent

    def note(self, what):
        return lambda agent, data: self.log.append((what, self.kernel.get_time(), data))

    def test_call_in_order(self):
        def setup(agent):
            agent.call_in(30, self.note('t30'), 'c')
            agent.call_in(10, self.note('t10 first'), 'a')
            agent.call_in(20, self.note('t20'), None)
            agent.call_in(10, self.note('t10 second'), 'b')
            self.log.append(('count', agent.get_timer_count()))

        self.agent(setup)
        step_until_idle(self.kernel)
        self.assertEqual(self.log, [
            ('count', 4), ('live', 0),
            # due timers run at the start of the step, before live
            ('t10 first', 10, 'a'), ('t10 second', 10, 'b'), ('live', 10),
            ('t20', 20, None), ('live', 20),
            ('t30', 30, 'c'), ('live', 30),
        ])

    def test_cancel_timer(self):
        class Data:
            pass

        refs = []

        def setup(agent):
            data = Data()
            refs.append(weakref.ref(data))
            keep = agent.call_in(10, self.note('kept'), None)
            drop = agent.call_in(5, self.note('cancelled'), data)
            self.assertNotEqual(keep, drop)
            self.log.append(('cancel', agent.cancel_timer(drop), agent.cancel_timer(drop),
                             agent.get_timer_count()))

        self.agent(setup)
        step_until_idle(self.kernel)
        self.assertEqual(self.log, [('cancel', True, False, 1), ('live', 0),
                                    ('kept', 10, None), ('live', 10)])
        # its destroy notify ran (at the latest when the kernel went): the
        # callback's user data is released
        self.kernel.shutdown()
        gc.collect()
        self.assertIsNone(refs[0](), 'the cancelled timer still holds its data')

    def test_data_released_after_run(self):
        class Data:
            pass

        refs = []

        def setup(agent):
            data = Data()
            refs.append(weakref.ref(data))
            agent.call_in(10, self.note('ran'), data)

        self.agent(setup)
        step_until_idle(self.kernel)
        self.assertEqual([e[0] for e in self.log], ['live', 'ran', 'live'])
        del self.log[:]                 # it held the data
        gc.collect()
        self.assertIsNone(refs[0]())

    def test_timers_of_a_dead_agent_never_run(self):
        class Data:
            pass

        refs = []

        def setup(agent):
            data = Data()
            refs.append(weakref.ref(data))
            agent.call_in(100, self.note('never'), data)

        agent = self.agent(setup)
        self.kernel.step()
        self.kernel.kill(agent)
        step_until_idle(self.kernel)
        self.assertEqual(agent.get_state(), S.DIED)
        self.assertNotIn('never', [e[0] for e in self.log])
        self.assertFalse(self.kernel.step())
        self.assertEqual(self.kernel.get_time(), 0)     # nothing to jump to
        self.kernel.shutdown()
        gc.collect()
        self.assertIsNone(refs[0]())                    # destroyed

    def test_call_at(self):
        self.clock.set_time(1000)

        def setup(agent):
            agent.call_at(1500, self.note('at 1500'), None)
            agent.call_at(10, self.note('in the past'), None)

        self.agent(setup)
        step_until_idle(self.kernel)
        self.assertEqual(self.log, [('live', 1000), ('in the past', 1000, None), ('live', 1000),
                                    ('at 1500', 1500, None), ('live', 1500)])

    def test_timer_callback_exception(self):
        # reported as an exception in live is: agent-failed with its text,
        # and the agent dies (its later timers do not run)
        def broken(agent, data):
            raise RuntimeError('timer exploded')

        def setup(agent):
            agent.call_in(10, broken, None)
            agent.call_in(20, self.note('next'), None)

        failures = self.failures
        with captured_stderr() as err:
            agent = self.agent(setup)
            step_until_idle(self.kernel)
        self.assertIn('timer exploded', err.getvalue())
        self.assertNotIn(('next', 20, None), self.log)
        self.assertEqual(agent.get_state(), S.DIED)
        (failed, error), = failures
        self.assertIs(failed, agent)
        self.assertTrue(is_janus_error(error, KE.FAILED))
        self.assertIn('RuntimeError: timer exploded', error.message)
        self.assertIn('broken', error.message)
        del failures[:]

    def test_role_call_in(self):
        log, kernel = self.log, self.kernel
        ids = {}

        class Ticking(Janus.Role):
            def do_activate(self, init):
                ids['tick'] = self.call_in(10, self.tick, 'data')
                ids['late'] = self.call_in(50, lambda role, data: log.append(('late', data)), None)
                ids['cancelled'] = self.call_in(5, lambda role, data: log.append('cancelled'), None)
                log.append(('cancel', self.cancel_timer(ids['cancelled'])))
                return True

            def tick(self, role, data):
                log.append(('tick', role is self, kernel.get_time(), data))

        group = self.kernel.create_group(organization((Ticking, 0)))
        a, = self.launch()
        role = a.request_role(Ticking, group, None)
        self.assertEqual(a.get_timer_count(), 2)
        for _ in range(MAX_STEPS):
            if self.kernel.get_time() >= 10 or not self.kernel.step():
                break
        self.assertEqual(self.log, [('cancel', True), ('tick', True, 10, 'data')])
        # a role's timer does not run once the role was left
        a.leave_role(Ticking, group)
        step_until_idle(self.kernel)
        self.assertNotIn('late', [e[0] for e in self.log])
        self.assertFalse(role.cancel_timer(ids['late']))

    def test_sleep(self):
        log, kernel = self.log, self.kernel

        class Sleeper(Janus.Agent):
            lives = 0

            def do_live(self):
                self.lives += 1
                live = Janus.Agent.do_live(self)        # the roles first
                log.append(('live', kernel.get_time(), [m.get_subject() for m in self.get_mailbox()]))
                if self.lives == 1:
                    self.sleep(1000)
                    self.call_in(300, lambda a, d: log.append(
                        ('timer', kernel.get_time(), a.is_sleeping())), None)
                    log.append(('sleeping', self.is_sleeping()))
                return live

        class Napping(Janus.Role):
            def do_live(self):
                log.append(('role', kernel.get_time(), [m.get_subject() for m in iter(self.get_message, None)]))
                return Janus.Live.WAIT

        class Poker(Janus.Role):
            pass

        group = self.kernel.create_group(organization((Napping, 0), (Poker, 0)))
        sleeper, = self.launch(cls=Sleeper)
        self.assertEqual(self.log, [('live', 0, []), ('sleeping', True)])
        poker, = self.launch()
        poke = poker.request_role(Poker, group, None)
        del self.log[:]
        # taken while it sleeps: the role is not stepped, messages to the
        # agent and to its role wait
        sleeper_role = sleeper.request_role(Napping, group, None)
        self.kernel.send(sleeper.get_address(), Janus.Message('direct'))
        poke.send(Napping, Janus.Message('for the role'))
        self.kernel.step()
        self.assertEqual(self.log, [])
        self.assertEqual(sleeper.get_mailbox_size(), 2)
        step_until_idle(self.kernel)
        self.assertEqual(self.log, [
            ('timer', 300, True),               # timers still run
            ('role', 1000, ['for the role']),   # woken at the end of the sleep
            ('live', 1000, ['direct']),
        ])
        self.assertEqual(sleeper.lives, 2)
        self.assertTrue(sleeper_role.is_played())

    def test_step_advances_a_stepped_clock(self):
        self.clock.set_step(1000)
        moves = []
        self.clock.connect('notify::time', lambda c, p: moves.append(c.get_time()))

        def setup(agent):
            agent.call_in(2500, self.note('due 2500'), None)

        self.agent(setup, live=L.WAIT)
        times = []
        for _ in range(5):
            self.kernel.step()
            times.append(self.kernel.get_time())
        self.assertEqual(times, [1000, 2000, 3000, 4000, 5000])
        self.assertEqual(moves, times)
        # the first step starting at or after the due time fires it
        self.assertEqual(self.log, [('live', 0), ('due 2500', 3000, None), ('live', 3000)])

    def test_step_jumps_to_the_next_timer(self):
        def setup(agent):
            agent.call_in(7000, self.note('t'), None)

        self.agent(setup)
        self.assertTrue(self.kernel.step())             # activate + live at 0
        self.assertEqual(self.kernel.get_time(), 0)
        self.assertFalse(self.kernel.step())            # jumps, fires, nothing left
        self.assertEqual(self.kernel.get_time(), 7000)
        self.assertEqual(self.log, [('live', 0), ('t', 7000, None), ('live', 7000)])

    def test_run_jumps_virtual_time(self):
        hour = 3600 * 1000000
        ticks = []

        def tick(agent, n):
            ticks.append(self.kernel.get_time())
            if n < 24:
                agent.call_in(hour, tick, n + 1)
            else:
                agent.kill_me()

        def setup(agent):
            agent.call_in(hour, tick, 1)

        self.agent(setup)
        start = time.monotonic()
        self.kernel.run()
        elapsed = time.monotonic() - start
        self.assertEqual(ticks, [h * hour for h in range(1, 25)])
        self.assertEqual(self.kernel.get_time(), 24 * hour)
        self.assertLess(elapsed, TIMEOUT)               # a day in no real time
        self.assertEqual(self.kernel.get_agent_count(), 0)

    def test_message_timestamps_follow_the_virtual_clock(self):
        a, b = self.launch(2)
        self.clock.set_time(4242)
        a.send(b.get_address(), Janus.Message('stamped'))
        self.assertEqual(b.get_message().get_timestamp(), 4242)


class ReplayTests(unittest.TestCase):
    """Same seed, same program → same trace, random choices included."""

    class Talk(Janus.Role):
        pass

    class Listen(Janus.Role):
        def do_live(self):
            player = self.get_player()
            for m in iter(self.get_message, None):
                player.trace.append((player.get_kernel().get_time(), player.get_name(), m.get_subject()))
            return Janus.Live.WAIT

    class Listener(Janus.Agent):
        def __init__(self, trace, group):
            super().__init__()
            self.trace, self.group = trace, group

        def do_activate(self, parameters):
            self.request_role(ReplayTests.Listen, self.group, None)
            return True

        def do_live(self):
            live = Janus.Agent.do_live(self)    # Listen takes the role messages
            for m in self.get_mailbox():        # the direct ones are left
                self.trace.append((self.get_kernel().get_time(), self.get_name(), m.get_subject()))
            return live

    class Talker(Janus.Agent):
        def __init__(self, trace, group, listeners):
            super().__init__()
            self.trace, self.group, self.listeners, self.n = trace, group, listeners, 0

        def do_activate(self, parameters):
            self.role = self.request_role(ReplayTests.Talk, self.group, None)
            return True

        def do_live(self):
            kernel = self.get_kernel()
            self.n += 1
            to = self.role.send(ReplayTests.Listen, Janus.Message('role %d' % self.n))
            self.trace.append((kernel.get_time(), 'talker', 'role to',
                               kernel.lookup_agent(to).get_name()))
            chosen = self.send_random([l.get_address() for l in self.listeners],
                                         Janus.Message('direct %d' % self.n))
            self.trace.append((kernel.get_time(), 'talker', 'direct to',
                               kernel.lookup_agent(chosen).get_name()))
            return Janus.Live.AGAIN if self.n < 12 else Janus.Live.DONE

    @classmethod
    def setUpClass(cls):
        cls.Org = organization((cls.Talk, 0), (cls.Listen, 0), name='ReplayOrg')

    def run_trace(self, seed):
        kernel = Janus.Kernel.new(0)
        try:
            kernel.set_clock(Janus.Clock.new_virtual(0, 100))
            kernel.set_seed(seed)
            self.assertEqual(kernel.get_seed(), seed)
            trace = []
            group = kernel.create_group(self.Org)
            listeners = [self.Listener(trace, group) for _ in range(4)]
            for i, listener in enumerate(listeners):
                kernel.launch_light_agent(listener, 'l%d' % i, None)
            talker = self.Talker(trace, group, listeners)
            kernel.launch_light_agent(talker, 'talker', None)
            step_until(kernel, lambda: talker.get_state() == S.DIED)
            step_until_idle(kernel)
            return trace
        finally:
            kernel.shutdown()

    def test_same_seed_same_trace(self):
        first = self.run_trace(1234)
        self.assertEqual(len([t for t in first if t[1] == 'talker']), 24)
        self.assertEqual(len([t for t in first if t[1] != 'talker']), 24)
        self.assertEqual(self.run_trace(1234), first)
        # the random choices do depend on the seed
        choices = [t[3] for t in first if t[1] == 'talker']
        other = [t[3] for t in self.run_trace(99) if t[1] == 'talker']
        self.assertNotEqual(other, choices)


class RealClockTests(Fixture):
    workers = 2

    def test_timer_on_workers(self):
        delay = 20000                   # µs
        fired = threading.Event()
        info = {}

        class Timed(Janus.Agent):
            def do_activate(self, parameters):
                self.start = time.monotonic()
                # due earlier than the kept one: it would have run first
                cancelled = self.call_in(delay // 2, lambda a, d: info.setdefault('cancelled ran', d), 1)
                self.call_in(delay, self.on_timer, 'kept')
                info['cancel'] = self.cancel_timer(cancelled)
                return True

            def on_timer(self, agent, data):
                info['elapsed'] = time.monotonic() - self.start
                info['thread'] = threading.get_ident()
                info['data'] = data
                fired.set()
                self.kill_me()

        agent = Timed()
        self.kernel.launch_light_agent(agent, None, None)
        self.assertTrue(fired.wait(TIMEOUT), 'the timer did not fire within %d s' % TIMEOUT)
        self.kernel.run()                # returns once the agent died
        self.assertEqual(agent.get_state(), S.DIED)
        self.assertTrue(info['cancel'])
        self.assertNotIn('cancelled ran', info)
        self.assertEqual(info['data'], 'kept')
        self.assertGreaterEqual(info['elapsed'], delay / 1e6 - 0.001)
        self.assertNotEqual(info['thread'], threading.get_ident())


# ------------------------------------------------------- failures in roles

class RoleFailureTests(Fixture):
    failures_expected = True

    def setUp(self):
        super().setUp()
        self.log = []
        log = self.log

        class Bad(Janus.Role):
            def do_live(self):
                raise ValueError('role live exploded')

            def do_end(self):
                log.append('bad end')

        class Good(Janus.Role):
            def do_live(self):
                self.n = getattr(self, 'n', 0) + 1
                log.append(('good', self.n))
                return Janus.Live.AGAIN if self.n < 3 else Janus.Live.WAIT

        self.Bad, self.Good = Bad, Good
        self.group = self.kernel.create_group(organization((Bad, 0), (Good, 0)))
        self.group.set_persistent(True)
        self.left = []
        self.group.connect('role-left', lambda g, r: self.left.append((type(r), r.get_player())))
        # a role's failure is role-failed; its player does not fail
        self.role_failures = []
        self.kernel.connect('role-failed', lambda k, role, error: self.role_failures.append(
            (role, role.get_player(), error)))

    def test_exception_in_role_live(self):
        a, other = self.launch(2)
        bad = a.request_role(self.Bad, self.group, None)
        a.request_role(self.Good, self.group, None)
        other.request_role(self.Good, self.group, None)
        a.wake()
        other.wake()
        with captured_stderr() as err:
            step_until_idle(self.kernel)
        self.assertIn('role live exploded', err.getvalue())
        self.assertEqual(self.failures, [])
        (role, player, error), = self.role_failures
        self.assertIs(role, bad)
        self.assertIs(player, a)
        self.assertTrue(is_janus_error(error, OE.FAILED), error)
        self.assertIn('Bad', error.message)
        self.assertIn('ValueError: role live exploded', error.message)
        # the role is left, its end ran once; the agent and the kernel go on
        self.assertEqual(self.log.count('bad end'), 1)
        self.assertEqual(self.left, [(self.Bad, a)])
        self.assertFalse(bad.is_played())
        self.assertEqual(a.get_state(), S.ALIVE)
        self.assertEqual([type(r) for r in a.list_roles()], [self.Good])
        self.assertEqual(self.log.count(('good', 3)), 2)
        self.assertEqual(self.group.count_players(Janus.Role), 2)

    def test_invalid_role_live_results(self):
        for value in (0, 42, None):
            with self.subTest(value=value):
                del self.failures[:]

                class Liar(Janus.Role):
                    def do_live(self):
                        return value

                group = self.kernel.create_group(organization((Liar, 0)))
                a, = self.launch()
                role = a.request_role(Liar, group, None)
                a.wake()
                del self.role_failures[:]
                with captured_stderr():
                    step_until_idle(self.kernel)
                self.assertEqual(self.failures, [])
                self.assertEqual(len(self.role_failures), 1)
                self.assertIs(self.role_failures[0][0], role)
                self.assertTrue(is_janus_error(self.role_failures[0][2], KE.INVALID_LIVE_RESULT))
                self.assertFalse(role.is_played())
                self.assertEqual(a.get_state(), S.ALIVE)

    def test_exception_in_role_live_on_workers(self):
        kernel = Janus.Kernel.new(2)
        self.addCleanup(kernel.shutdown)
        failed, left = threading.Event(), threading.Event()
        failures = []

        def on_failed(k, role, error):
            failures.append((role.get_player(), error))
            failed.set()

        kernel.connect('role-failed', on_failed)
        kernel.connect('agent-failed', lambda k, agent, error: failures.append((agent, error)))
        group = kernel.create_group(organization((self.Bad, 0)))
        group.connect('role-left', lambda g, r: left.set())
        Bad = self.Bad

        class Player(Janus.Agent):
            def do_activate(self, parameters):
                self.request_role(Bad, group, None)
                return True

        player = Player()
        with captured_stderr() as err:
            kernel.launch_light_agent(player, None, None)
            self.assertTrue(failed.wait(TIMEOUT))
            self.assertTrue(left.wait(TIMEOUT))
        self.assertIn('role live exploded', err.getvalue())
        self.assertEqual(len(failures), 1)
        self.assertIs(failures[0][0], player)
        self.assertTrue(is_janus_error(failures[0][1], OE.FAILED))
        self.assertIn('role live exploded', failures[0][1].message)
        self.assertEqual(player.get_state(), S.ALIVE)
        kernel.kill(player)
        kernel.run()
        self.assertEqual(player.get_state(), S.DIED)


if __name__ == '__main__':
    unittest.main()
