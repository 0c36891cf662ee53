#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Checks that the core reads as a stack of layers (doc/execution.md).

A module is a file pair: janus-<name>.c with janus-<name>.h and
janus-<name>-private.h. Every module of janus-c/ (and the organizations and
roles built into the library) has a layer below; a file may include the
headers of its own layer and of the layers below, never those of a higher
layer. Within the core, the modules' includes must also form no circle
(a module and its own private header are one module).

A new file of the core must be added to LAYERS: an unknown module fails
the check, so that nobody places a file without deciding its layer.

Usage: check-layers.py SOURCE_ROOT        exit status 0 when the stack holds
"""

import os
import re
import sys

BASE, RUNTIME, AGENT, KERNEL, CRIO, LIBRARY, NETWORK = 1, 2, 3, 4, 5, 6, 7

LAYER_NAMES = {
    BASE: 'base', RUNTIME: 'runtime', AGENT: 'agent',
    KERNEL: 'kernel', CRIO: 'CRIO and holons', LIBRARY: 'organizations and roles',
    NETWORK: 'network',
}

# module -> layer. The order of the runtime and CRIO modules is the order
# in which they may use each other (checked as "no circle").
LAYERS = {
    # 1 base: types, errors, addresses, messages, the inbox, epochs, debug
    'janus': BASE,                      # janus.h, the umbrella (includes all)
    'janus-types': BASE,
    'janus-version': BASE,
    'janus-version-macros': BASE,
    'janus-enums': BASE,
    'janus-error': BASE,
    'janus-address': BASE,
    'janus-message': BASE,
    'janus-message-selector': BASE,
    'janus-inbox': BASE,
    'janus-epoch': BASE,
    'janus-debug': BASE,
    'janus-net-endpoint': BASE,         # endpoints of network addresses
    # 2 runtime: address table, timers, clock, mailbox, scheduler, delivery
    'janus-registry': RUNTIME,
    'janus-runqueue': RUNTIME,
    'janus-timer': RUNTIME,
    'janus-clock': RUNTIME,
    'janus-mailbox': RUNTIME,
    'janus-scheduler': RUNTIME,
    'janus-runtime': RUNTIME,
    # 3 agent: life-cycle, messaging, timers, memory
    'janus-memory': AGENT,
    'janus-blackboard-memory': AGENT,
    'janus-property-memory': AGENT,
    'janus-agent': AGENT,
    'janus-agent-messaging': AGENT,
    'janus-agent-timers': AGENT,
    'janus-agent-tasks': AGENT,
    'janus-agent-selectors': AGENT,
    'janus-agent-control': AGENT,
    'janus-agent-relay': AGENT,
    # 4 kernel: the public container
    'janus-kernel': KERNEL,
    'janus-kernel-agents': KERNEL,
    # 5 CRIO: conditions, capacities, groups, organizations, roles, playing
    'janus-condition': CRIO,
    'janus-capacity-context': CRIO,
    'janus-capacity': CRIO,
    'janus-group': CRIO,
    'janus-organization': CRIO,
    'janus-role': CRIO,
    'janus-agent-roles': CRIO,
    # holons: their roles and organization first, then the holon, which
    # installs what the roles ask of it (janus-holonic-roles-private.h)
    'janus-holonic-roles': CRIO,
    'janus-holonic-super': CRIO,
    'janus-holonic-head': CRIO,
    'janus-holonic-part': CRIO,
    'janus-holonic-multi-part': CRIO,
    'janus-holonic-organization': CRIO,
    'janus-holon': CRIO,
    'janus-holon-capacity': CRIO,
    'janus-holon-messages': CRIO,
    'janus-holon-lifecycle': CRIO,
    'janus-holarchy-dump': CRIO,
    'janus-role-selectors': CRIO,
    'janus-role-capacity': CRIO,
    'janus-agent-signal': CRIO,
    'janus-probe': CRIO,
    # 6 the organizations and roles the library ships
    'janus-contract-net-organization': LIBRARY,
    'janus-contract-net-initiator': LIBRARY,
    'janus-contract-net-participant': LIBRARY,
    'janus-contract-net': LIBRARY,
    # 7 the network: JSON, codecs, connections, kernels over TCP. It uses the
    # kernel and agent layers; the core reaches it only through the tables
    # it installs.
    'janus-net-error': NETWORK,
    'janus-json': NETWORK,
    'janus-codec': NETWORK,
    'janus-codec-msgpack': NETWORK,
    'janus-net': NETWORK,
    'janus-connection': NETWORK,
    'janus-invocation': NETWORK,
    'janus-proxy': NETWORK,
    'janus-net-kernel': NETWORK,
}

# janus.h includes every public header: users include it, the core does not
UMBRELLA = 'janus'

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def module_of(filename):
    name = os.path.basename(filename)
    for suffix in ('-private.h', '.h.in', '.h', '.c'):
        if name.endswith(suffix):
            return name[:-len(suffix)]
    return None


def sources(root):
    dirs = ['janus-c', 'organizations/contract-net', 'organizations/holonic', 'roles']
    for d in dirs:
        path = os.path.join(root, d)
        for name in sorted(os.listdir(path)):
            if name.startswith('janus') and name.endswith(('.c', '.h', '.h.in')):
                yield os.path.join(path, name)


def find_cycle(graph):
    """A circle in graph (module -> set of modules), or None."""
    state = {}
    stack = []

    def visit(node):
        state[node] = 'open'
        stack.append(node)
        for succ in sorted(graph.get(node, ())):
            if state.get(succ) == 'open':
                return stack[stack.index(succ):] + [succ]
            if succ not in state:
                cycle = visit(succ)
                if cycle:
                    return cycle
        stack.pop()
        state[node] = 'done'
        return None

    for node in sorted(graph):
        if node not in state:
            cycle = visit(node)
            if cycle:
                return cycle
    return None


def main(argv):
    root = argv[1] if len(argv) > 1 else os.path.join(os.path.dirname(__file__), '..')
    errors = []
    graph = {}
    for path in sources(root):
        src = module_of(path)
        if src not in LAYERS:
            errors.append('%s: module %s has no layer in tests/check-layers.py'
                          % (os.path.relpath(path, root), src))
            continue
        with open(path, encoding='utf-8') as f:
            text = f.read()
        for included in INCLUDE.findall(text):
            dst = module_of(included)
            if dst is None or dst == 'config' or not included.startswith('janus'):
                continue
            if dst not in LAYERS:
                errors.append('%s includes %s: module %s has no layer'
                              % (os.path.relpath(path, root), included, dst))
                continue
            if src == UMBRELLA or dst == src:
                continue
            if LAYERS[dst] > LAYERS[src]:
                errors.append('%s (%s) includes %s (%s): a lower layer must not '
                              'reach a higher one by name'
                              % (os.path.relpath(path, root), LAYER_NAMES[LAYERS[src]],
                                 included, LAYER_NAMES[LAYERS[dst]]))
            graph.setdefault(src, set()).add(dst)

    cycle = find_cycle(graph)
    if cycle:
        errors.append('the modules include each other in a circle: ' + ' -> '.join(cycle))

    for e in errors:
        print('check-layers: ' + e, file=sys.stderr)
    if not errors:
        print('check-layers: %d modules on %d layers, no upward include, no circle'
              % (len(graph), len(set(LAYERS[m] for m in graph))))
    return 1 if errors else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
