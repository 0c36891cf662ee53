#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Runs the ```python blocks of a Markdown page in order, in one namespace
(as a reader who types them in one interpreter), and fails on the first
block that raises, naming its line.

    check-doc-snippets.py PAGE.md [--self-test]

--self-test first proves that a failing block is caught and named."""

import re
import sys
import traceback

BLOCK = re.compile(r'^```python\n(.*?)^```$', re.M | re.S)


def blocks(text):
    """(first line number, source) of each ```python block of `text`."""
    for m in BLOCK.finditer(text):
        yield text.count('\n', 0, m.start(1)) + 1, m.group(1)


def run(path, text):
    """Runs the blocks; returns the failures (none or one: it stops)."""
    namespace = {'__name__': '__main__'}
    count = 0
    for line, source in blocks(text):
        count += 1
        try:
            exec(compile(source, '%s:%d' % (path, line), 'exec'), namespace)
        except Exception:
            return count, ['%s:%d: this block raised\n%s' % (path, line, traceback.format_exc())]
    return count, []


def self_test():
    page = 'text\n```python\nx = 1\n```\nmore\n```python\nassert x == 2, "x"\n```\n'
    count, failures = run('self-test.md', page)
    if count != 2 or len(failures) != 1 or 'self-test.md:7' not in failures[0]:
        print('not ok - a failing block was not caught: %r' % failures)
        return False
    if run('none.md', 'no code\n')[0] != 0:
        print('not ok - a page without blocks ran something')
        return False
    print('ok - a failing block is caught and named by its line')
    return True


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    if '--self-test' in argv[2:] and not self_test():
        return 1
    path = argv[1]
    with open(path, encoding='utf-8') as f:
        text = f.read()
    count, failures = run(path, text)
    if count == 0:
        print('not ok - %s has no ```python block' % path)
        return 1
    for failure in failures:
        print('not ok - ' + failure)
    if failures:
        return 1
    print('ok - the %d Python blocks of %s ran' % (count, path))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
