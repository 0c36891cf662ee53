#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""ping_pong: two Python agents send a counter back and forth N times
(default 10000) and the program prints the message rate
(examples/ping-pong/ping-pong.c in C).

    ping_pong.py [N] [WORKERS]

Ping starts when the kernel sends it "start"; each agent answers every
"ball" with the counter plus one; ping stops at N and kills pong, which it
launched itself (only an agent's launcher, the agent and the kernel may
kill it). With WORKERS > 0 the agents run on worker threads, taking turns
on Python's GIL."""

import sys
import time

import gi
gi.require_version('Janus', '1.0')
from gi.repository import GLib, Janus  # noqa: E402


class Player(Janus.Agent):
    def __init__(self):
        super().__init__()
        self.partner = None         # pong, for ping; None for pong
        self.rounds = 0             # ping: how many balls to play
        self.last = 0               # ping: the last counter it received

    def do_activate(self, parameters):
        if parameters is None:
            return True             # pong
        # ping: launch the partner, which makes ping its launcher
        self.rounds, = parameters.unpack()
        self.partner = Player()
        return self.get_kernel().launch_light_agent(self.partner, 'pong', None)

    def do_live(self):
        while (m := self.get_message()) is not None:
            n = m.get_int64(None)      # None: not an integer body
            if m.has_subject('start'):
                self.send(self.partner.get_address(), Janus.Message.new_int64('ball', 1))
            elif n is not None and self.rounds > 0 and n >= self.rounds:
                self.last = n
                self.kill(self.partner)
                return Janus.Live.DONE
            else:
                self.reply(m, Janus.Message.new_int64('ball', n + 1))
        return Janus.Live.WAIT


def main(argv):
    try:
        rounds = int(argv[1]) if len(argv) > 1 else 10000
        workers = int(argv[2]) if len(argv) > 2 else 1
    except ValueError:
        rounds = 0
    if rounds < 1 or len(argv) > 3:
        print(f'usage: {argv[0]} [ROUNDS>0] [WORKERS]', file=sys.stderr)
        return 2
    kernel = Janus.Kernel.new(workers)
    ping = Player()
    try:
        kernel.launch_light_agent(ping, 'ping', GLib.Variant('(x)', (rounds,)))
    except GLib.Error as error:
        print(error.message, file=sys.stderr)
        return 1
    start = time.monotonic()
    kernel.send(ping.get_address(), Janus.Message.new('start', None))
    kernel.run()                    # returns when ping and pong are gone
    secs = time.monotonic() - start
    print(f'ping and pong exchanged {ping.last} messages in {secs:.3f} s '
          f'on {workers} worker(s): {ping.last / secs / 1e3:.1f} thousand messages/s')
    kernel.shutdown()
    return 0 if ping.last == rounds else 1


if __name__ == '__main__':
    sys.exit(main(sys.argv))
