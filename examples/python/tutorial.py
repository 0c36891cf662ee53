#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""tutorial: the program doc/tutorial.md builds step by step, the twin of
examples/tutorial/tutorial.c (both print the same lines).

 1. a team: a holon with two worker members;
 2. its head: what is sent to the team reaches its first member;
 3. an emergent capacity: the team doubles numbers, through a member;
 4. a merge: two teams become the members of a new super-holon, which
    offers what they offer; ending it ends its members first.

The kernel has no worker thread: the script drives it with step(), so
every run prints the same lines in the same order.

Run it from a build tree with GI_TYPELIB_PATH=BUILD/janus-c
LD_LIBRARY_PATH=BUILD/janus-c PYTHONPATH=SOURCE/python."""

import gi
gi.require_version('Janus', '1.0')
from gi.repository import GLib, GObject, Janus  # noqa: E402


# [worker]
class Worker(Janus.Agent):
    """A worker: prints what it receives, then steps its roles (chaining up)."""

    def do_live(self):
        for message in self.get_mailbox():
            print(f'  {self.get_name()} got "{message.get_body().get_string()}"')
        return Janus.Agent.do_live(self)

    def do_end(self):
        print(f'  {self.get_name()} ends')
# [worker]


# [doubler]
class Doubler(GObject.Object, Janus.Capacity):
    """A capacity implementation: x → (who, 2x)."""

    def __init__(self, who):
        super().__init__()
        self.who = who

    def do_invoke(self, value):
        return GLib.Variant('(sx)', (self.who, 2 * value.get_int64()))
# [doubler]


# [idle]
def run_until_idle(kernel):
    """Steps the kernel until nothing is left to do."""
    while kernel.step():
        pass
# [idle]


def print_tree(holon, indent):
    for member in holon.list_members():
        head = ' (head)' if holon.is_head(member) else ''
        print(f'{indent}{member.get_name()}{head}')
        if isinstance(member, Janus.Holon):
            print_tree(member, indent + '  ')


def print_holarchy(holon):
    print(f'  {holon.get_name()}')
    print_tree(holon, '    ')


# [spawn]
def add_worker(team, name):
    worker = Worker()
    team.spawn_member(worker, name, None)
    worker.add_capacity(Janus.Capacity, Doubler(name))
# [spawn]


# [invoke]
def double_with(kernel, holon, x):
    """Asks `holon` to double `x` and waits for the answer: the callback runs
    in this thread's main context, so iterate it between the kernel's steps."""
    answers = []

    def on_doubled(source, result):
        who, doubled = source.invoke_capacity_finish(result).unpack()
        print(f'  {source.get_name()} doubled: {doubled} (by {who})')
        answers.append(doubled)

    holon.invoke_capacity_async(Janus.Capacity, GLib.Variant('x', x), None, on_doubled)
    context = GLib.MainContext.default()
    while not answers:
        kernel.step()
        while context.iteration(False):
            pass
# [invoke]


def main():
    kernel = Janus.Kernel.new(0)

    # [team]
    print('1. a team')
    team = Janus.Holon.new()
    kernel.launch_light_agent(team, 'team', None)
    add_worker(team, 'alice')
    add_worker(team, 'bob')
    run_until_idle(kernel)
    print_holarchy(team)
    # [team]

    # [head]
    print('2. its head')
    for request in ('paint the door', 'fix the roof'):
        kernel.send(team.get_address(), Janus.Message.new('request', GLib.Variant('s', request)))
    run_until_idle(kernel)
    # [head]

    # [capacity]
    print('3. an emergent capacity')
    print(f"  team offers it: {'yes' if team.has_capacity(Janus.Capacity) else 'no'}")
    double_with(kernel, team, 21)
    double_with(kernel, team, 50)
    # [capacity]

    # [merge]
    print('4. a merge')
    other = Janus.Holon.new()
    company = Janus.Holon.new()
    kernel.launch_light_agent(other, 'other', None)
    kernel.launch_light_agent(company, 'company', None)
    add_worker(other, 'carol')
    team.merge(other, company)
    run_until_idle(kernel)
    print_holarchy(company)
    double_with(kernel, company, 7)
    print('  company ends: its members first')
    kernel.kill(company)
    run_until_idle(kernel)
    # [merge]
    kernel.shutdown()


if __name__ == '__main__':
    main()
