#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Fails on a public symbol of libjanus-1.0 without reference documentation.

    check-doc-coverage.py GIR LIBRARY [--self-test]

`gi-docgen check` (the doc-check test, with -Ddocs=true) reads the GIR and
reports the classes, records, interfaces, functions, methods, constructors,
enumerations and their members, properties, signals and callbacks that
have no documentation, with their parameters and return values. It does
not look at:

- virtual functions (`virtual-method`: the `do_live` a Python subclass
  overrides), nor their parameters and return values;
- symbols the library exports that are not in the GIR at all — a header
  left out of the GIR's sources, a function the scanner could not parse.

This script checks both, and the rest again, with the GIR and the library
only (it runs whenever introspection is built, docs or not):

- every function the library exports (`janus_*`, from `nm -D`) is in the
  GIR, as a function, method or constructor, or as a type's get-type
  function;
- every such entry, and every virtual method, has a doc comment, each of
  its parameters one, and its return value one unless it is void
  (`Returns:` always, as STYLE.md asks);
- every class, interface, record, enumeration, enumeration member,
  property, signal and callback of the namespace has a doc comment
  (private records, the `Class`/`Interface` structs whose fields are the
  virtual functions, and `_get_type`/`_quark` functions excepted).

--self-test first checks that the script catches what it claims to: it
runs on altered copies of the GIR (a virtual method's doc removed, a
method's parameter doc removed, a return value's doc removed, a property's
doc removed) and with an exported symbol missing from the GIR, and fails
unless each is reported."""

import copy
import subprocess
import sys
import xml.etree.ElementTree as ET

NS = {'c': 'http://www.gtk.org/introspection/core/1.0',
      'cc': 'http://www.gtk.org/introspection/c/1.0',
      'glib': 'http://www.gtk.org/introspection/glib/1.0'}
CORE = '{%s}' % NS['c']
C_ID = '{%s}identifier' % NS['cc']
GET_TYPE = '{%s}get-type' % NS['glib']

CALLABLES = ('function', 'method', 'constructor', 'virtual-method')
TYPES = ('class', 'interface', 'record', 'enumeration', 'bitfield', 'callback')


def has_doc(element):
    doc = element.find('c:doc', NS)
    return doc is not None and (doc.text or '').strip() != ''


def exported_symbols(library):
    out = subprocess.run(['nm', '-D', '--defined-only', library], capture_output=True,
                         text=True, check=True).stdout
    return sorted({line.split()[-1] for line in out.splitlines()
                   if line.split() and line.split()[-1].startswith('janus_')})


def is_ignored(name):
    return name.endswith('_get_type') or name.endswith('_quark')


def check_callable(where, element, problems):
    name = '%s.%s' % (where, element.get('name'))
    if element.get(C_ID) and is_ignored(element.get(C_ID)):
        return
    if not has_doc(element):
        problems.append('%s %s is not documented' % (element.tag[len(CORE):], name))
    params = element.find('c:parameters', NS)
    if params is not None:
        for p in list(params):
            if p.tag in (CORE + 'parameter', CORE + 'instance-parameter') and not has_doc(p):
                problems.append('parameter %s of %s is not documented' % (p.get('name'), name))
    ret = element.find('c:return-value', NS)
    if ret is not None:
        rtype = ret.find('c:type', NS)
        void = rtype is not None and rtype.get('name') == 'none'
        if not void and not has_doc(ret):
            problems.append('the return value of %s is not documented (Returns:)' % name)


def check_gir(root, exported):
    problems = []
    namespace = root.find('c:namespace', NS)
    ns_name = namespace.get('name')
    identifiers = set()
    for element in namespace.iter():
        if element.get(C_ID):
            identifiers.add(element.get(C_ID))
        if element.get(GET_TYPE):
            identifiers.add(element.get(GET_TYPE))

    for symbol in exported:
        if symbol not in identifiers:
            problems.append('%s is exported by the library but is not in the GIR '
                            '(so it has no reference documentation)' % symbol)

    for top in namespace:
        kind = top.tag[len(CORE):]
        name = '%s.%s' % (ns_name, top.get('name'))
        if kind in ('function',):
            check_callable(ns_name, top, problems)
            continue
        if kind not in TYPES:
            continue
        struct_for = top.get('{%s}is-gtype-struct-for' % NS['glib'])
        private = top.get('disguised') == '1' or top.get('opaque') == 'true'
        if kind == 'record' and (struct_for or private or top.get('name').endswith('Private')):
            # the class structs: their callables are checked, their
            # virtual-function fields are the virtual methods of the class
            for element in top:
                if element.tag[len(CORE):] in CALLABLES:
                    check_callable(name, element, problems)
            continue
        if kind == 'callback':
            check_callable(ns_name, top, problems)
            continue
        if not has_doc(top):
            problems.append('%s %s is not documented' % (kind, name))
        for element in top:
            tag = element.tag[len(CORE):]
            if tag in CALLABLES:
                check_callable(name, element, problems)
            elif tag == 'member' and not has_doc(element):
                problems.append('member %s.%s is not documented' % (name, element.get('name')))
            elif tag == 'property' and not has_doc(element):
                problems.append('property %s:%s is not documented' % (name, element.get('name')))
            elif element.tag == '{%s}signal' % NS['glib']:
                check_callable(name + '::', element, problems)
    return problems


def self_test(root, exported):
    """Each alteration must be reported; returns the failures of the test."""
    namespace = root.find('c:namespace', NS)
    failures = []
    # what the unaltered GIR reports already does not count as caught
    baseline = set(check_gir(copy.deepcopy(root), exported))

    def altered(description, alter):
        tree = copy.deepcopy(root)
        alter(tree.find('c:namespace', NS))
        found = [f for f in check_gir(tree, exported) if f not in baseline]
        if not found:
            failures.append('not caught: ' + description)
        else:
            print('ok - caught: %s (%s)' % (description, found[0]))

    def first(ns, path):
        element = ns.find(path, NS)
        assert element is not None, path
        return element

    def drop_doc(element):
        element.remove(element.find('c:doc', NS))

    altered('a virtual method without doc',
            lambda ns: drop_doc(first(ns, "c:class[@name='Agent']/c:virtual-method[@name='live']")))
    altered('a parameter of a method without doc',
            lambda ns: drop_doc(first(ns, "c:class[@name='Agent']/c:method[@name='send']"
                                          "/c:parameters/c:parameter[@name='message']")))
    altered('a return value without doc',
            lambda ns: drop_doc(first(ns, "c:class[@name='Kernel']/c:method[@name='step']"
                                          "/c:return-value")))
    altered('a property without doc',
            lambda ns: drop_doc(first(ns, "c:class[@name='Kernel']/c:property")))
    altered('an enumeration member without doc',
            lambda ns: drop_doc(first(ns, "c:enumeration[@name='Live']/c:member")))

    missing = exported + ['janus_not_in_the_gir']
    if not any('janus_not_in_the_gir' in p for p in check_gir(root, missing)):
        failures.append('not caught: an exported symbol missing from the GIR')
    else:
        print('ok - caught: an exported symbol missing from the GIR')
    return failures


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    root = ET.parse(argv[1]).getroot()
    exported = exported_symbols(argv[2])
    if not exported:
        print('not ok - %s exports no janus_ symbol' % argv[2], file=sys.stderr)
        return 1
    if '--self-test' in argv[3:]:
        failures = self_test(root, exported)
        if failures:
            print('\n'.join('not ok - ' + f for f in failures), file=sys.stderr)
            return 1
    problems = check_gir(root, exported)
    for p in problems:
        print('not ok -', p, file=sys.stderr)
    if problems:
        print('%d undocumented public symbols' % len(problems), file=sys.stderr)
        return 1
    print('ok - %d exported functions, each in the GIR and documented, with the '
          'virtual methods, types, members, properties and signals' % len(exported))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
