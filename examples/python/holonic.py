#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""holonic: a production line made of holons — the Python twin of
examples/holonic/holonic.c, printing the same lines.

    holonic.py [--orders N] [--workers N] [--seed S] [--dump DIR]

The factory is a super-holon whose head, the planner, gets the orders sent
to the factory and works them one operation at a time: for each it asks
the factory for a capacity, which the factory offers only through its
members — the workshop holons and, in them, the machine holons. The call
goes Super → Head → Part → Super: from the factory to its head (the
planner's own step chooses the member, in the factory's provider policy),
to the workshop, whose head passes it to one of its machines in turn.

Python cannot make new GInterface types, so every machine provides the
one Janus.Capacity; the operation travels in the call's input, and the
factory's provider policy — a Python callable — picks a member that does
that operation. The rest is as in C: painting merges into finishing after
the third order, cutting decomposes after the sixth, and robot-1 jams on
its second job (its do_live raises), is restarted by its workshop's
supervision, and the planner retries.

The orders come from a generator that reproduces GLib's GRand, and every
choice is made in turn, so the output is the C program's on any number of
workers. The holarchy is written as DOT and JSON into --dump. Exits with
0 when every order was shipped.

Run it from a build tree with GI_TYPELIB_PATH=BUILD/janus-c
LD_LIBRARY_PATH=BUILD/janus-c PYTHONPATH=SOURCE/python."""

import argparse
import os
import random
import shutil
import subprocess
import sys
import threading
import weakref

import gi
gi.require_version('Janus', '1.0')
from gi.repository import GLib, GObject, Janus  # noqa: E402

PRODUCTS = [
    ('table', ['cut', 'assemble', 'paint']),
    ('chair', ['cut', 'assemble', 'polish']),
    ('shelf', ['cut', 'paint']),
    ('cabinet', ['cut', 'assemble', 'paint', 'polish']),
]
PRODUCT_OPERATIONS = dict(PRODUCTS)

FAULT = {'name': 'robot-1', 'job': 2, 'jams_left': 1}   # robot-1 jams on its 2nd job


class GRand:
    """GLib's GRand (MT19937 seeded as g_rand_new_with_seed() does, and
    g_rand_int_range()), so that the orders are the C program's."""

    def __init__(self, seed):
        mt = [seed & 0xffffffff]
        for i in range(1, 624):
            mt.append((1812433253 * (mt[-1] ^ (mt[-1] >> 30)) + i) & 0xffffffff)
        self._mt = random.Random()
        self._mt.setstate((3, tuple(mt) + (624,), None))

    def int_range(self, begin, end):
        dist = end - begin
        leftover = (0x80000000 % dist) * 2
        if leftover >= dist:
            leftover -= dist
        maxvalue = 0xffffffff - leftover
        while True:
            value = self._mt.getrandbits(32)
            if value <= maxvalue:
                return begin + value % dist


class InTurn:
    """A provider policy: among the members offering the capacity, those that
    do the operation the planner is at, in turn — one counter per holon, as
    the C program's."""

    def __init__(self, planner):
        self.turn = 0
        self.planner = planner
        self.lock = threading.Lock()

    def __call__(self, holon, capacity_type, candidates):
        operation = self.planner.current_operation()
        able = [c for c in candidates if operation in operations_of(c)]
        with self.lock:
            turn, self.turn = self.turn, self.turn + 1
        return candidates.index(able[turn % len(able)])


def operations_of(agent):
    """What a member can do: a machine its operation, a workshop what its
    machines can."""
    if isinstance(agent, Machine):
        return {agent.operation}
    if isinstance(agent, Janus.Holon):
        return {op for member in agent.list_members() for op in operations_of(member)}
    return set()


# ----------------------------------------------------------------- machines

class Tool(GObject.Object, Janus.Capacity):
    """A machine's tool: performs its operation on "(su)" (product, order)."""

    def __init__(self, machine):
        super().__init__()
        self.machine = weakref.ref(machine)     # the machine holds its tool
        self.jobs = 0
        self.jammed = False

    def do_invoke(self, value):
        product, order = value.unpack()
        name = self.machine().get_name()
        self.jobs += 1
        if name == FAULT['name'] and self.jobs == FAULT['job'] and FAULT['jams_left'] > 0:
            FAULT['jams_left'] -= 1
            self.jammed = True
            raise GLib.Error.new_literal(GLib.quark_from_string('g-io-error-quark'),
                                         f'{name} jammed on {product} #{order}', 0)
        return GLib.Variant('(s)', (name,))


class Machine(Janus.Holon):
    """A machine holon (atomic), with its tool from construction: a machine
    its workshop restarts (a new instance of its class, made through
    janus-c) offers its capacity as soon as it is a member."""
    operation = None

    def __init__(self):
        super().__init__()
        self.tool = Tool(self)
        self.add_capacity(Janus.Capacity, self.tool)

    def do_live(self):
        if self.tool.jammed:
            raise RuntimeError(f'{self.get_name()} is jammed')     # the machine fails
        return Janus.Holon.do_live(self)


class Saw(Machine):
    operation = 'cut'


class Sprayer(Machine):
    operation = 'paint'


class Robot(Machine):
    operation = 'assemble'


class Polisher(Machine):
    operation = 'polish'


def new_workshop(factory, name, machines, planner):
    workshop = Janus.Holon.new()
    workshop.set_provider_func(InTurn(planner))
    workshop.set_supervision(Janus.SupervisionAction.RESTART)
    workshop.set_restart_backoff(20 * 1000)
    workshop.set_max_restarts(3)
    factory.spawn_member(workshop, name, None)
    for cls, machine in machines:
        workshop.spawn_member(cls(), machine, None)
    return workshop


def print_tree(holon, prefix=''):
    members = holon.list_members()
    for i, member in enumerate(members):
        last = i + 1 == len(members)
        head = ' (head)' if holon.is_head(member) else ''
        print(f"{prefix}{'`-' if last else '|-'} {member.get_name()}{head}")
        if isinstance(member, Janus.Holon):
            print_tree(member, prefix + ('   ' if last else '|  '))


def print_holarchy(factory):
    print(factory.get_name())
    print_tree(factory)


# ------------------------------------------------------------------ planner

class Planner(Janus.Agent):
    """The factory's head: it does everything, one thing at a time, in its
    own steps."""

    def __init__(self):
        super().__init__()
        self.factory = None
        self.workshops = {}
        self.n_orders = 0
        self.dump_dir = '.'
        self.orders = []
        self.order = None
        self.operation = 0
        self.done = self.operations = self.failures = self.restarts = 0
        self.waiting_result = False
        self.waiting_restart = False
        self.restarted_name = None

    def current_operation(self):
        return PRODUCT_OPERATIONS[self.order[0]][self.operation]

    def do_live(self):
        for message in self.get_mailbox():
            if message.get_subject() == 'order':
                self.orders.append(message.get_body().unpack())
            elif message.get_subject() == 'restarted':
                self.restarted_name = message.get_body().get_string()
        if self.waiting_restart and self.restarted_name is not None:
            self.restarted()
        elif self.order is None and not self.waiting_result and self.done < self.n_orders:
            self.next_order()
        return Janus.Live.WAIT

    def next_order(self):
        self.order = None
        if self.done == self.n_orders:
            self.finish()
            return
        if not self.orders:
            return                              # it has not arrived yet
        self.order = self.orders.pop(0)
        self.operation = 0
        print(f'order {self.order[1]:2d}: {self.order[0]}')
        self.next_operation()

    def next_operation(self):
        operations = PRODUCT_OPERATIONS[self.order[0]]
        if self.operation == len(operations):
            print('  shipped')
            self.done += 1
            self.reorganise()
            self.next_order()
            return
        self.waiting_result = True
        # Super → Head (this planner) → the member doing it → a machine
        self.factory.invoke_capacity_async(Janus.Capacity, GLib.Variant('(su)', self.order),
                                           None, self.operation_done)

    def operation_done(self, factory, result):
        operation = self.current_operation()
        self.waiting_result = False
        try:
            machine, = factory.invoke_capacity_finish(result).unpack()
        except GLib.Error as error:
            print(f'  {operation:<9s} FAILED: {error.message}')
            self.failures += 1
            self.waiting_restart = True
            if self.restarted_name is not None:
                self.wake()                     # the notice came first
            return
        print(f'  {operation:<9s} {machine}')
        self.operations += 1
        self.operation += 1
        self.next_operation()

    def restarted(self):
        print(f'[supervision] {self.restarted_name} restarted by its workshop')
        self.restarted_name = None
        self.restarts += 1
        self.waiting_restart = False
        self.next_operation()

    def reorganise(self):
        kernel = self.get_kernel()
        if self.done == 3:
            painting, finishing = self.workshops['painting'], self.workshops['finishing']
            print('[reorganisation] painting merges into finishing')
            finishing.merge_into(painting)
            self.factory.remove_member(painting)
            kernel.kill(painting)
            print_holarchy(self.factory)
            print()
        elif self.done == 6:
            cutting = self.workshops['cutting']
            print('[reorganisation] cutting decomposes: its saws join the factory')
            for saw in cutting.list_members():
                cutting.move_member(saw, self.factory)
            self.factory.remove_member(cutting)
            kernel.kill(cutting)
            print_holarchy(self.factory)
            print()

    def finish(self):
        kernel = self.get_kernel()
        details = Janus.HolarchyDetails
        dot = Janus.holarchy_to_dot_data(kernel, self.factory,
                                         details.ROLES | details.GROUPS | details.TYPES)
        data = Janus.holarchy_to_json_data(kernel, self.factory,
                                           details.ROLES | details.GROUPS | details.STATES
                                           | details.ADDRESSES | details.TYPES)
        print('\nfinal holarchy')
        print_holarchy(self.factory)
        with open(os.path.join(self.dump_dir, 'holonic.dot'), 'w') as f:
            f.write(dot)
        with open(os.path.join(self.dump_dir, 'holonic.json'), 'w') as f:
            f.write(data)
        print(f'\n{self.done} orders shipped, {self.operations} operations, '
              f"{self.failures} failure{'' if self.failures == 1 else 's'}, "
              f"{self.restarts} restart{'' if self.restarts == 1 else 's'}")
        # ending the factory ends its members first, deepest first
        kernel.kill(self.factory)


def render_svg(directory):
    dot = shutil.which('dot')
    source = os.path.join(directory, 'holonic.dot')
    if dot is None:
        print('holarchy written to holonic.dot and holonic.json (install graphviz for an SVG)')
        return
    if subprocess.run([dot, '-Tsvg', source, '-o', os.path.join(directory, 'holonic.svg')]).returncode == 0:
        print('holarchy written to holonic.dot, holonic.json and holonic.svg')
    else:
        print(f'dot could not render {source}', file=sys.stderr)


def main(argv):
    parser = argparse.ArgumentParser(description='a production line made of holons')
    parser.add_argument('--orders', '-n', type=int, default=10)
    parser.add_argument('--workers', '-w', type=int, default=0)
    parser.add_argument('--seed', '-s', type=int, default=42)
    parser.add_argument('--dump', '-d', default='.')
    args = parser.parse_args(argv[1:])
    if args.orders < 0 or args.workers < 0:
        parser.error('--orders and --workers take N >= 0')
    print(f"a production line made of holons (seed {args.seed}, {args.orders} "
          f"order{'' if args.orders == 1 else 's'})\n")

    kernel = Janus.Kernel.new(args.workers)
    kernel.set_seed(args.seed)
    factory = Janus.Holon.new()
    ended = []
    factory.connect('members-ended', lambda holon: ended.append(True))
    kernel.launch_light_agent(factory, 'factory', None)

    # the planner joins first: it is the factory's head
    planner = Planner()
    planner.factory = factory
    planner.n_orders = args.orders
    planner.dump_dir = args.dump
    factory.set_provider_func(InTurn(planner))
    factory.spawn_member(planner, 'planner', None)
    planner.workshops = {
        'cutting': new_workshop(factory, 'cutting', [(Saw, 'saw-1'), (Saw, 'saw-2')], planner),
        'painting': new_workshop(factory, 'painting', [(Sprayer, 'sprayer-1')], planner),
        'assembly': new_workshop(factory, 'assembly', [(Robot, 'robot-1'), (Robot, 'robot-2')], planner),
        'finishing': new_workshop(factory, 'finishing', [(Polisher, 'polisher-1')], planner),
    }

    # a restart (in the workshop's step) is told to the planner, which does
    # everything in its own steps
    def on_member_added(workshop, member):
        if member.get_name() == FAULT['name']:
            kernel.send(planner.get_address(), Janus.Message('restarted', GLib.Variant('s', member.get_name())))
    planner.workshops['assembly'].connect('member-added', on_member_added)
    print_holarchy(factory)
    print()

    # the orders go to the factory; the factory routes them to its head
    rand = GRand(args.seed)
    for i in range(1, args.orders + 1):
        product, _ = PRODUCTS[rand.int_range(0, len(PRODUCTS))]
        kernel.send(factory.get_address(), Janus.Message('order', GLib.Variant('(su)', (product, i))))
    if args.orders == 0:
        kernel.kill(factory)
    kernel.run()                # returns when the factory and its members are gone

    print('factory: every member ended, then the factory')
    render_svg(args.dump)
    return 0 if planner.done == args.orders and ended else 1


if __name__ == '__main__':
    sys.exit(main(sys.argv))
