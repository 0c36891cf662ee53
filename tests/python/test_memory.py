# SPDX-License-Identifier: LGPL-2.1-or-later
"""Agent memory from Python: the default blackboard (put/get/has/remove/
list_keys, the detailed `changed` signal), Janus.PropertyMemory over a
Python GObject with GObject.Property attributes, and a Janus.Memory
implemented in Python."""

import gc
import unittest

import gi
gi.require_version('Janus', '1.0')
from gi.repository import GLib, GObject, Janus  # noqa: E402

from janus_test import MEM, is_janus_error, janus_error  # noqa: E402


def record_changes(memory, detail=None):
    changes = []
    signal = 'changed' if detail is None else 'changed::' + detail
    memory.connect(signal, lambda mem, key, value: changes.append((key, value)))
    return changes


class BlackboardTests(unittest.TestCase):
    def setUp(self):
        self.kernel = Janus.Kernel.new(0)
        self.addCleanup(self.kernel.shutdown)

    def test_default_memory_is_a_blackboard(self):
        agent = Janus.Agent()
        memory = agent.get_memory()
        self.assertIsInstance(memory, Janus.BlackboardMemory)
        self.assertIsInstance(memory, Janus.Memory)
        self.assertIs(agent.get_memory(), memory)

    def test_put_get_has_remove(self):
        memory = Janus.BlackboardMemory.new()
        self.assertIsNone(memory.get('position'))
        self.assertFalse(memory.has('position'))
        self.assertTrue(memory.put('position', GLib.Variant('(ii)', (3, 4))))
        self.assertTrue(memory.has('position'))
        self.assertEqual(memory.get('position').unpack(), (3, 4))
        memory.put('position', GLib.Variant('(ii)', (5, 6)))    # replaces
        self.assertEqual(memory.get('position').unpack(), (5, 6))
        self.assertTrue(memory.remove('position'))
        self.assertIsNone(memory.get('position'))
        self.assertTrue(memory.remove('position'))              # absent: fine

    def test_list_keys_sorted(self):
        memory = Janus.BlackboardMemory.new()
        self.assertEqual(memory.list_keys(), [])
        for key in ('b', 'c', 'a'):
            memory.put(key, GLib.Variant('b', True))
        self.assertEqual(memory.list_keys(), ['a', 'b', 'c'])

    def test_changed_signal(self):
        memory = Janus.BlackboardMemory.new()
        every = record_changes(memory)
        only_x = record_changes(memory, 'x')
        memory.put('x', GLib.Variant('i', 1))
        memory.put('y', GLib.Variant('s', 'why'))
        memory.remove('x')
        memory.remove('x')                  # absent: no signal
        self.assertEqual(every, [('x', GLib.Variant('i', 1)), ('y', GLib.Variant('s', 'why')),
                                 ('x', None)])
        self.assertEqual(only_x, [('x', GLib.Variant('i', 1)), ('x', None)])

    def test_memory_used_from_live(self):
        class Learner(Janus.Agent):
            def do_activate(self, parameters):
                self.get_memory().put('steps', GLib.Variant('i', 0))
                return True

            def do_live(self):
                memory = self.get_memory()
                steps = memory.get('steps').get_int32() + 1
                memory.put('steps', GLib.Variant('i', steps))
                return Janus.Live.AGAIN if steps < 4 else Janus.Live.DONE

        learner = Learner()
        changes = record_changes(learner.get_memory(), 'steps')
        self.kernel.launch_light_agent(learner, None, None)
        self.kernel.run()
        self.assertEqual(learner.get_memory().get('steps').get_int32(), 4)
        self.assertEqual([v.get_int32() for _, v in changes], [0, 1, 2, 3, 4])

    def test_set_memory(self):
        agent = Janus.Agent()
        memory = Janus.BlackboardMemory.new()
        agent.set_memory(memory)
        self.assertIs(agent.get_memory(), memory)


class Robot(GObject.Object):
    count = GObject.Property(type=int, default=0, minimum=0, maximum=100)
    label = GObject.Property(type=str)
    on = GObject.Property(type=bool, default=False)
    speed = GObject.Property(type=float, default=1.5)
    kind = GObject.Property(type=Janus.MailboxKind, default=Janus.MailboxKind.FIFO)
    big = GObject.Property(type=GObject.TYPE_INT64, default=0)
    my_count = GObject.Property(type=int, default=7)
    fixed = GObject.Property(type=int, default=3, flags=GObject.ParamFlags.READABLE)


class PropertyMemoryTests(unittest.TestCase):
    def setUp(self):
        self.robot = Robot()
        self.memory = Janus.PropertyMemory.new(self.robot)

    def test_keys_are_property_names(self):
        self.assertEqual(self.memory.list_keys(),
                         ['big', 'count', 'fixed', 'kind', 'label', 'my-count', 'on', 'speed'])
        self.assertTrue(self.memory.has('count'))
        self.assertFalse(self.memory.has('nothing'))
        self.assertIsNone(self.memory.get('nothing'))

    def test_values_convert(self):
        cases = [('count', 'i', 0), ('on', 'b', False), ('speed', 'd', 1.5),
                 ('kind', 's', 'fifo'), ('big', 'x', 0), ('fixed', 'i', 3),
                 ('my-count', 'i', 7), ('my_count', 'i', 7)]
        for key, type_string, value in cases:
            with self.subTest(key=key):
                v = self.memory.get(key)
                self.assertEqual(v.get_type_string(), type_string)
                self.assertEqual(v.unpack(), value)

    def test_put_sets_the_property(self):
        self.assertTrue(self.memory.put('count', GLib.Variant('i', 5)))
        self.assertEqual(self.robot.count, 5)
        self.memory.put('count', GLib.Variant('x', 6))            # any integer that fits
        self.assertEqual(self.robot.props.count, 6)
        self.memory.put('label', GLib.Variant('s', 'R2'))
        self.assertEqual(self.robot.label, 'R2')
        self.memory.put('kind', GLib.Variant('s', 'black-hole'))  # enum by nick
        self.assertEqual(self.robot.kind, Janus.MailboxKind.BLACK_HOLE)
        self.memory.put('speed', GLib.Variant('i', 2))            # integer to double
        self.assertEqual(self.robot.speed, 2.0)

    def test_put_refused(self):
        cases = [('wrong type', 'count', GLib.Variant('s', 'five'), MEM.INVALID_VALUE),
                 ('out of range', 'count', GLib.Variant('i', 500), MEM.INVALID_VALUE),
                 ('read-only', 'fixed', GLib.Variant('i', 1), MEM.READ_ONLY),
                 ('no such property', 'nothing', GLib.Variant('i', 1), MEM.NO_SUCH_KEY),
                 ('unknown nick', 'kind', GLib.Variant('s', 'lifo'), MEM.INVALID_VALUE)]
        for what, key, value, code in cases:
            with self.subTest(what):
                with self.assertRaises(GLib.Error) as cm:
                    self.memory.put(key, value)
                self.assertTrue(is_janus_error(cm.exception, code))
        self.assertEqual(self.robot.count, 0)

    def test_changed_follows_notify(self):
        every = record_changes(self.memory)
        only_count = record_changes(self.memory, 'count')
        self.memory.put('count', GLib.Variant('i', 1))
        self.robot.count = 2                        # set directly
        self.robot.props.label = 'x'
        self.assertEqual(only_count, [('count', GLib.Variant('i', 1)), ('count', GLib.Variant('i', 2))])
        self.assertEqual(every[-1], ('label', GLib.Variant('s', 'x')))
        self.assertEqual(len(every), 3)

    def test_object(self):
        self.assertIs(self.memory.dup_object(), self.robot)
        self.assertIs(self.memory.props.object, self.robot)

    def test_properties_cannot_be_removed(self):
        self.assertTrue(self.memory.remove('nothing'))
        with self.assertRaises(GLib.Error):
            self.memory.remove('count')
        self.assertTrue(self.memory.has('count'))

    def test_object_gone(self):
        memory = Janus.PropertyMemory.new(Robot())
        gc.collect()
        self.assertIsNone(memory.dup_object())
        self.assertEqual(memory.list_keys(), [])
        self.assertIsNone(memory.get('count'))
        with self.assertRaises(GLib.Error) as cm:
            memory.put('count', GLib.Variant('i', 1))
        self.assertTrue(is_janus_error(cm.exception, MEM.GONE))

    def test_agent_properties_as_memory(self):
        class Explorer(Janus.Agent):
            visited = GObject.Property(type=int, default=0)

            def do_live(self):
                memory = self.get_memory()
                memory.put('visited', GLib.Variant('i', memory.get('visited').get_int32() + 1))
                return Janus.Live.AGAIN if self.visited < 3 else Janus.Live.DONE

        kernel = Janus.Kernel.new(0)
        self.addCleanup(kernel.shutdown)
        explorer = Explorer()
        memory = Janus.PropertyMemory.new(explorer)
        explorer.set_memory(memory)
        self.assertIs(explorer.get_memory(), memory)
        kernel.launch_light_agent(explorer, 'explorer', None)
        kernel.step()
        # the agent's own properties are there too
        self.assertEqual(memory.get('state').get_string(), 'alive')
        self.assertEqual(memory.get('name').get_string(), 'explorer')
        self.assertEqual(memory.get('address').get_string(), str(explorer.get_address()))
        kernel.run()
        self.assertEqual(explorer.visited, 3)


class DictMemory(GObject.Object, Janus.Memory):
    """A Janus.Memory implemented in Python."""

    def __init__(self):
        super().__init__()
        self.values = {}

    def do_get(self, key):
        return self.values.get(key)

    def do_put(self, key, value):
        if not key:
            raise janus_error(MEM.NO_SUCH_KEY, 'empty key')
        self.values[key] = value
        self.emit_changed(key, value)
        return True

    def do_remove(self, key):
        if self.values.pop(key, None) is not None:
            self.emit_changed(key, None)
        return True

    def do_has(self, key):
        return key in self.values

    def do_list_keys(self):
        return sorted(self.values)


class PythonMemoryTests(unittest.TestCase):
    def test_through_the_interface(self):
        memory = DictMemory()
        changes = record_changes(memory, 'x')
        self.assertTrue(memory.put('x', GLib.Variant('i', 1)))
        memory.put('y', GLib.Variant('i', 2))
        memory.remove('x')
        self.assertEqual(memory.get('y').get_int32(), 2)
        self.assertFalse(memory.has('x'))
        self.assertEqual(memory.list_keys(), ['y'])
        self.assertEqual(changes, [('x', GLib.Variant('i', 1)), ('x', None)])
        with self.assertRaises(GLib.Error) as cm:
            memory.put('', GLib.Variant('i', 0))
        self.assertTrue(is_janus_error(cm.exception, MEM.NO_SUCH_KEY))

    def test_as_agent_memory(self):
        class Writer(Janus.Agent):
            def do_live(self):
                self.get_memory().put('note', GLib.Variant('s', 'from live'))
                return Janus.Live.DONE

        kernel = Janus.Kernel.new(0)
        self.addCleanup(kernel.shutdown)
        memory = DictMemory()
        writer = Writer()
        writer.set_memory(memory)
        kernel.launch_light_agent(writer, None, None)
        kernel.run()
        self.assertEqual(memory.values['note'].get_string(), 'from live')


if __name__ == '__main__':
    unittest.main()
