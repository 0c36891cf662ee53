#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""python-pingpong: the pingpong workload of janus-bench (bench/janus-bench.c)
with two Python agents, through GObject introspection.

    python-pingpong.py [--style=fast|user] WORKERS N

Prints   RESULT system=janus-c-python-<W>w workload=pingpong n=N secs=S rate=R unit=msg/s
(system=janus-c-python-user-<W>w for the user style) and exits 1 when the
final count is wrong. Ping sends 1 to pong when the kernel sends it "start";
pong returns every counter, ping sends it back plus one until it reaches N:
2N messages, timed from "start" to the last one. WORKERS may be 0: then the
main thread runs the agents (no GIL hand-over).

--style=fast (the default): one agent class with a handler per instance,
integer bodies (Message.new_int64, get_int64). --style=user: as the Python
guide teaches, a class per role, named agents, reply(), and `(x)` tuple
bodies (Janus.Message('ball', (n,)), message.unpack())."""

import sys
import threading
import time

import gi
gi.require_version('Janus', '1.0')
from gi.repository import Janus  # noqa: E402


class BenchAgent(Janus.Agent):
    def __init__(self, handle):
        super().__init__()
        self.handle = handle
        self.next = None            # the peer's address

    def do_live(self):
        get_message, handle = self.get_message, self.handle
        while (m := get_message()) is not None:
            handle(self, m)
        return Janus.Live.WAIT


class Ping(Janus.Agent):
    """Serves the first ball on "start", returns each ball with its counter
    plus one, stops at `rounds`."""

    def __init__(self, rounds, done):
        super().__init__()
        self.rounds, self.done = rounds, done
        self.pong = None            # the partner's address
        self.last = 0

    def do_live(self):
        while (m := self.get_message()) is not None:
            if m.has_subject('start'):
                self.send(self.pong, Janus.Message('ball', (1,)))
                continue
            n, = m.unpack()
            if n >= self.rounds:
                self.last = n
                self.done()
            else:
                self.reply(m, Janus.Message('ball', (n + 1,)))
        return Janus.Live.WAIT


class Pong(Janus.Agent):
    """Returns every ball as it came."""

    def __init__(self):
        super().__init__()
        self.balls = 0

    def do_live(self):
        while (m := self.get_message()) is not None:
            n, = m.unpack()
            self.balls += 1
            self.reply(m, Janus.Message('ball', (n,)))
        return Janus.Live.WAIT


def run_user_pingpong(kernel, workers, n):
    """As run_pingpong, in the user style."""
    done = threading.Event()

    def finished():
        done.set()
        if workers == 0:
            kernel.quit()

    ping, pong = Ping(n, finished), Pong()
    kernel.launch_light_agent(ping, 'ping', None)
    kernel.launch_light_agent(pong, 'pong', None)
    ping.pong = pong.get_address()

    t0 = time.monotonic()
    kernel.send(ping.get_address(), Janus.Message('start'))
    if workers == 0:
        kernel.run()
    else:
        done.wait()
    secs = time.monotonic() - t0

    kernel.kill_all()
    kernel.run()
    if not done.is_set() or ping.last != n or pong.balls != n:
        print(f'pingpong: expected {n} got {ping.last} (pong returned {pong.balls})',
              file=sys.stderr)
        return None
    print(f'RESULT system=janus-c-python-user-{workers}w workload=pingpong n={n} '
          f'secs={secs:.4f} rate={2.0 * n / secs:.0f} unit=msg/s', flush=True)
    return 2.0 * n / secs


def run_pingpong(kernel, workers, n):
    """Runs the workload on `kernel`; prints its RESULT line and returns the
    rate (msg/s), or None when the final count is wrong."""
    done = threading.Event()
    result = [0]

    def ping_handle(self, m):
        if m.has_subject('start'):
            self.send(self.next, Janus.Message.new_int64('int', 1))
            return
        v = m.get_int64()
        if v >= n:
            result[0] = v
            done.set()
            if workers == 0:
                kernel.quit()       # makes run() return on the main thread
        else:
            self.send(self.next, Janus.Message.new_int64('int', v + 1))

    def pong_handle(self, m):
        self.send(self.next, Janus.Message.new_int64('int', m.get_int64()))

    ping, pong = BenchAgent(ping_handle), BenchAgent(pong_handle)
    kernel.launch_light_agent(ping, None, None)
    kernel.launch_light_agent(pong, None, None)
    ping.next, pong.next = pong.get_address(), ping.get_address()

    t0 = time.monotonic()
    kernel.send(ping.get_address(), Janus.Message.new('start', None))
    if workers == 0:
        kernel.run()
    else:
        done.wait()
    secs = time.monotonic() - t0

    kernel.kill_all()
    kernel.run()
    if not done.is_set() or result[0] != n:
        print(f'pingpong: expected {n} got {result[0]}', file=sys.stderr)
        return None
    print(f'RESULT system=janus-c-python-{workers}w workload=pingpong n={n} '
          f'secs={secs:.4f} rate={2.0 * n / secs:.0f} unit=msg/s', flush=True)
    return 2.0 * n / secs


def main(argv):
    run = run_pingpong
    if len(argv) > 1 and argv[1].startswith('--style='):
        run = {'--style=fast': run_pingpong, '--style=user': run_user_pingpong}.get(argv[1])
        argv = argv[1:]
    try:
        workers, n = int(argv[1]), int(argv[2])
    except (IndexError, ValueError):
        workers = n = -1
    if run is None or len(argv) != 3 or workers < 0 or n < 1:
        print('usage: python-pingpong.py [--style=fast|user] WORKERS N', file=sys.stderr)
        return 2
    kernel = Janus.Kernel.new(workers)
    try:
        return 0 if run(kernel, workers, n) is not None else 1
    finally:
        kernel.shutdown()


if __name__ == '__main__':
    sys.exit(main(sys.argv))
