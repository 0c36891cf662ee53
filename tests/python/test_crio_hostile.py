"""The CRIO layer from Python, attacked as a hostile user would: selection
functions and conditions that raise, answer nonsense or re-enter the
group; roles kept after their player, their group and their kernel went.

Each case runs in a child interpreter: PyGObject 3.42 warns ("Unhandled
type tag GType") whenever it calls a Python JanusConditionFunc, and a
raising callback is reported with a warning too; criticals stay fatal
there, so a misuse the library reports with a critical fails the case."""

import unittest

import gi
gi.require_version('Janus', '1.0')
from gi.repository import Janus  # noqa: E402,F401

from janus_test import TIMEOUT, run_child  # noqa: E402


PRELUDE = '''\
import gc
from gi.repository import GLib, Janus
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

got = []

class R(Janus.Role):
    def do_live(self):
        for m in iter(self.get_message, None):
            got.append((self.get_player().get_name(), m.get_subject()))
        return Janus.Live.WAIT

class R2(Janus.Role):
    pass

class Org(Janus.Organization):
    pass

Janus.Organization.type_add_role(Org, R, 0)
Janus.Organization.type_add_role(Org, R2, 0)
k = Janus.Kernel.new(0)
g = k.create_group(Org)

def launch(name):
    a = Janus.Agent()
    k.launch_light_agent(a, name, None)
    k.step()
    return a

def idle():
    for _ in range(100):
        if not k.step():
            return
    raise AssertionError('the kernel kept working')
'''


class HostileTests(unittest.TestCase):
    def run_ok(self, code):
        child = run_child(code, prelude=PRELUDE, timeout=TIMEOUT * 3)
        self.assertIsNotNone(child, 'the child interpreter timed out')
        self.assertEqual(child.returncode, 0, child.stderr)
        self.assertNotIn('CRITICAL', child.stderr)
        return child

    def test_selection_function_raises(self):
        child = self.run_ok('''
            a, b, c = launch('a'), launch('b'), launch('c')
            for x in (a, b, c):
                x.request_role(R, g, None)
            sender = a.get_role(R, g)

            def explode(group, candidates, *rest):
                raise RuntimeError('selection exploded')

            g.set_selection_func(explode, None)
            # the message still goes, to a player other than the sender
            to = sender.send(R, Janus.Message('boom'))
            assert str(to) in (str(b.get_address()), str(c.get_address())), to
            idle()
            assert len(got) == 1 and got[0][1] == 'boom', got
            k.shutdown()
            ''')
        self.assertIn('selection exploded', child.stderr)

    def test_selection_function_answers_nonsense(self):
        child = self.run_ok('''
            a, b, c = launch('a'), launch('b'), launch('c')
            for x in (a, b, c):
                x.request_role(R, g, None)
            sender = a.get_role(R, g)
            for answer in (2, 1000, -1):
                g.set_selection_func(lambda group, cands, *rest, answer=answer: answer, None)
                to = sender.send(R, Janus.Message('m%d' % answer))
                # out of range: the first candidate
                assert str(to) == str(b.get_address()), (answer, to)
            idle()
            assert sorted(got) == [('b', 'm-1'), ('b', 'm1000'), ('b', 'm2')], got
            k.shutdown()
            ''')
        self.assertIn('selection function', child.stderr)

    def test_condition_requests_a_role_itself(self):
        self.run_ok('''
            a = launch('a')
            inner = []

            def take_r_first(agent, group, role_type, data):
                if role_type == R2.__gtype__ and not inner:
                    inner.append(agent.request_role(R, group, None))
                return True

            g.add_obtain_condition(Janus.Condition.new('re-enters', take_r_first, None))
            r2 = a.request_role(R2, g, None)
            assert r2 is not None and inner[0] is not None
            assert g.count_players(Janus.Role.__gtype__) == 2
            assert sorted(type(r).__name__ for r in a.list_roles()) == ['R', 'R2']
            k.shutdown()
            ''')

    def test_condition_removes_the_group(self):
        self.run_ok('''
            a = launch('a')
            removed = []
            k.connect('group-removed', lambda kernel, group: removed.append(group))

            def remove(agent, group, role_type, data):
                k.remove_group(group)
                return True

            g.add_obtain_condition(Janus.Condition.new('removes', remove, None))
            expect(OE.NOT_A_MEMBER, a.request_role, R, g, None)
            assert not g.is_alive() and removed == [g]
            assert a.get_role(R, g) is None and g.count_players(Janus.Role.__gtype__) == 0
            assert k.lookup_group(g.get_uuid()) is None
            k.shutdown()
            ''')

    def test_condition_raises_then_succeeds(self):
        child = self.run_ok('''
            a = launch('a')
            calls = []

            def flaky(agent, group, role_type, data):
                calls.append(1)
                if len(calls) == 1:
                    raise ValueError('condition exploded')
                return True

            g.add_obtain_condition(Janus.Condition.new('flaky', flaky, None))
            expect(OE.CONDITION_FAILED, a.request_role, R, g, None)
            assert a.request_role(R, g, None) is not None
            assert g.count_players(R.__gtype__) == 1
            k.shutdown()
            ''')
        self.assertIn('condition exploded', child.stderr)

    def test_role_outlives_player_group_and_kernel(self):
        self.run_ok('''
            a = launch('a')
            role = a.request_role(R, g, None)
            k.kill(a)
            idle()
            assert role.get_player() is None and not role.is_played()
            assert role.get_group() is g and not g.is_alive()
            assert g.get_kernel() is None
            # a dead letter while the kernel exists
            assert role.post(Janus.Message('late'))
            expect(OE.ROLE_NOT_PLAYED, role.send, R, Janus.Message('x'))
            k.shutdown()
            del k, a
            gc.collect()
            expect(KE.STOPPED, role.post, Janus.Message('later'))
            expect(OE.ROLE_NOT_PLAYED, role.broadcast, R, Janus.Message('x'))
            assert role.get_message() is None and role.get_mailbox_size() == 0
            assert role.get_group() is g
            assert g.get_organization().get_kernel() is None
            ''')


if __name__ == '__main__':
    unittest.main()
