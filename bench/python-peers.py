#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""python-peers: the pingpong workload in Python, side by side.

    python-peers.py N [--reps R] [--only SYSTEM]

Two actors pass an integer back and forth until it reaches N: 2N
messages, timed from the first to the last, each run checking the final
integer (a wrong count prints no figure and exits 1). Systems:

- janus-c-python-0w, janus-c-python-1w: two Janus.Agent subclasses on a
  kernel with 0 workers (the main thread runs them: kernel.run()) or 1
  worker thread (python-pingpong.py's code, its fast style);
  janus-c-python-user-0w: its user style (a class per role, reply(),
  tuple bodies) on 0 workers;
- asyncio-queues: two asyncio tasks, each reading its own asyncio.Queue
  (the plain-asyncio lower bound: no framework at all);
- aiomas: two aiomas agents in one container, ping calling pong's exposed
  method (an RPC is a request and a reply: 2 messages). Skipped with a
  message when aiomas is not importable (it is not packaged in Debian).

Each system prints its RESULT line (python-pingpong.py's format); the
median of R runs (default 3, interleaved) per system, then the ratios to
asyncio-queues, close the output. --only runs one system once (for
callgrind: see bench/README.md)."""

import asyncio
import importlib.util
import os
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def load_janus_pingpong():
    spec = importlib.util.spec_from_file_location('python_pingpong',
                                                  os.path.join(HERE, 'python-pingpong.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def result(system, n, secs):
    print(f'RESULT system={system} workload=pingpong n={n} secs={secs:.4f} '
          f'rate={2.0 * n / secs:.0f} unit=msg/s', flush=True)
    return 2.0 * n / secs


# ------------------------------------------------------------------ janus-c

def janus(workers, style='fast'):
    def run(n):
        pingpong = load_janus_pingpong()
        kernel = pingpong.Janus.Kernel.new(workers)
        go = pingpong.run_pingpong if style == 'fast' else pingpong.run_user_pingpong
        try:
            rate = go(kernel, workers, n)
        finally:
            kernel.shutdown()
        if rate is None:
            raise SystemExit(1)
        return rate
    return run


# ---------------------------------------------------------- asyncio queues

def asyncio_queues(n):
    async def main():
        ping_box, pong_box = asyncio.Queue(), asyncio.Queue()
        last = []

        async def ping():
            await pong_box.put(1)
            while True:
                v = await ping_box.get()
                if v >= n:
                    last.append(v)
                    await pong_box.put(None)        # stop
                    return
                await pong_box.put(v + 1)

        async def pong():
            while (v := await pong_box.get()) is not None:
                await ping_box.put(v)

        t0 = time.monotonic()
        await asyncio.gather(ping(), pong())
        return time.monotonic() - t0, last

    secs, last = asyncio.run(main())
    if last != [n]:
        print(f'asyncio-queues: expected {n} got {last}', file=sys.stderr)
        raise SystemExit(1)
    return result('asyncio-queues', n, secs)


# ------------------------------------------------------------------- aiomas

def aiomas_pingpong(n):
    import aiomas

    class Pong(aiomas.Agent):
        @aiomas.expose
        def ball(self, v):
            return v

    class Ping(aiomas.Agent):
        async def play(self, pong_addr):
            pong = await self.container.connect(pong_addr)
            v = 1
            while True:
                v = await pong.ball(v)
                if v >= n:
                    return v
                v += 1

    async def main():
        # as examples/python/aiomas_interop.py makes its container
        container = await aiomas.Container.create(('127.0.0.1', 0), as_coro=True)
        try:
            pong, ping = Pong(container), Ping(container)
            t0 = time.monotonic()
            last = await ping.play(pong.addr)
            return time.monotonic() - t0, last
        finally:
            await container.shutdown(as_coro=True)

    secs, last = asyncio.run(main())
    if last != n:
        print(f'aiomas: expected {n} got {last}', file=sys.stderr)
        raise SystemExit(1)
    return result('aiomas', n, secs)


def aiomas_available():
    try:
        import aiomas  # noqa: F401
    except ImportError as e:
        return str(e)
    return None


SYSTEMS = {
    'janus-c-python-0w': janus(0),
    'janus-c-python-1w': janus(1),
    'janus-c-python-user-0w': janus(0, 'user'),
    'asyncio-queues': asyncio_queues,
    'aiomas': aiomas_pingpong,
}


def main(argv):
    args = argv[1:]
    reps, only = 3, None
    try:
        if '--reps' in args:
            i = args.index('--reps')
            reps = int(args[i + 1])
            del args[i:i + 2]
        if '--only' in args:
            i = args.index('--only')
            only = args[i + 1]
            del args[i:i + 2]
        n = int(args[0])
    except (IndexError, ValueError):
        n = -1
    if len(args) != 1 or n < 1 or reps < 1 or (only is not None and only not in SYSTEMS):
        print(__doc__, file=sys.stderr)
        return 2

    import gi
    gi.require_version('Janus', '1.0')

    systems = [only] if only else list(SYSTEMS)
    missing = aiomas_available()
    if 'aiomas' in systems and missing is not None:
        print(f'aiomas: skipped ({missing}; it is not packaged in Debian: '
              f'pip install aiomas to add the column)', flush=True)
        systems.remove('aiomas')
        if only:
            return 0
    rates = {s: [] for s in systems}
    for _ in range(1 if only else reps):
        for s in systems:
            rates[s].append(SYSTEMS[s](n))
    if only:
        return 0
    medians = {s: statistics.median(r) for s, r in rates.items()}
    print(f'== pingpong n={n}, median of {reps} runs (msg/s), ratio to asyncio-queues')
    for s in systems:
        print(f'{s:20} {medians[s]:12.0f}  {medians[s] / medians["asyncio-queues"]:6.2f}')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
