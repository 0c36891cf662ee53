#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""hello: the smallest janus-c program, in Python. One agent says
"Hello, World!" three times, one step each, then ends; the kernel returns
when it is gone (examples/hello/hello.c in C).

Run it once janus-c is installed, or from a build tree with
GI_TYPELIB_PATH=BUILD/janus-c LD_LIBRARY_PATH=BUILD/janus-c."""

import sys

import gi
gi.require_version('Janus', '1.0')
from gi.repository import GLib, Janus  # noqa: E402


class HelloAgent(Janus.Agent):
    def __init__(self):
        super().__init__()
        self.count = 0

    def do_activate(self, parameters):
        print(f'{self.get_name()} is born')
        return True

    def do_live(self):
        print('Hello, World!')
        self.count += 1
        # AGAIN: step me again; DONE: I am finished
        return Janus.Live.AGAIN if self.count < 3 else Janus.Live.DONE

    def do_end(self):
        print(f'{self.get_name()} ends')


def main():
    kernel = Janus.Kernel.new(0)        # 0 workers: run() runs the agents here
    hello = HelloAgent()
    try:
        kernel.launch_light_agent(hello, 'hello', None)
    except GLib.Error as error:
        print(error.message, file=sys.stderr)
        return 1
    kernel.run()
    return 0


if __name__ == '__main__':
    sys.exit(main())
