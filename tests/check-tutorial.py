#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Checks that doc/tutorial.md shows the tutorial's real program.

    check-tutorial.py TUTORIAL.md TUTORIAL.c TUTORIAL.py PROGRAM [--self-test]

Every ```c block must be an excerpt of TUTORIAL.c, every ```python block
one of TUTORIAL.py (whole lines, in order; re-indented as a whole is
allowed), and every unlabelled ``` block a run of consecutive lines of
what PROGRAM (the built C program) prints. With --self-test, first proves
that a changed code line and a changed output line are caught."""

import re
import subprocess
import sys

FENCE = re.compile(r'^```(\w*)\n(.*?)^```$', re.S | re.M)


def blocks(markdown):
    return [(m.group(1), m.group(2).rstrip('\n')) for m in FENCE.finditer(markdown)]


def is_excerpt(block, text):
    """Whether the lines of `block` are consecutive lines of `text`, all
    shifted by the same indentation."""
    lines = block.split('\n')
    source = text.split('\n')
    for start in range(len(source) - len(lines) + 1):
        first = source[start]
        if not first.endswith(lines[0]):
            continue
        indent = first[:len(first) - len(lines[0])]
        if indent.strip():
            continue
        if all(source[start + i] == (indent + line if line else '')
               for i, line in enumerate(lines)):
            return True
    return False


def problems(markdown, c_source, py_source, output):
    found = []
    for lang, block in blocks(markdown):
        against = {'c': c_source, 'python': py_source, '': output}.get(lang)
        if against is None:
            continue
        if not is_excerpt(block, against):
            found.append((lang or 'output', block.split('\n')[0]))
    return found


def main():
    args = [a for a in sys.argv[1:] if a != '--self-test']
    if len(args) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    markdown, c_source, py_source = (open(p, encoding='utf-8').read() for p in args[:3])
    output = subprocess.run([args[3]], check=True, capture_output=True, text=True).stdout
    n = {lang: sum(1 for l, _ in blocks(markdown) if l == lang) for lang in ('c', 'python', '')}
    if min(n.values()) == 0:
        print(f'the tutorial lacks C, Python or output blocks: {n}', file=sys.stderr)
        return 1

    if '--self-test' in sys.argv:
        lang, block = next(b for b in blocks(markdown) if b[0] == 'c')
        broken = markdown.replace(block, block.replace('\n', '\n  /* changed */\n', 1), 1)
        assert problems(broken, c_source, py_source, output), 'a changed C line was not caught'
        lang, block = next(b for b in blocks(markdown) if b[0] == 'python')
        broken = markdown.replace(block, block + '\nprint("changed")', 1)
        assert problems(broken, c_source, py_source, output), 'a changed Python line was not caught'
        lang, block = next(b for b in blocks(markdown) if b[0] == '')
        broken = markdown.replace(block, block.replace('\n', '\n  changed\n', 1), 1)
        assert problems(broken, c_source, py_source, output), 'a changed output line was not caught'
        print('self-test: a changed C, Python and output line are caught')

    found = problems(markdown, c_source, py_source, output)
    for lang, first in found:
        print(f'not an excerpt of the {lang}: the block starting with {first!r}', file=sys.stderr)
    if found:
        return 1
    print(f"{n['c']} C, {n['python']} Python and {n['']} output blocks are excerpts of the tutorial's program")
    return 0


if __name__ == '__main__':
    sys.exit(main())
