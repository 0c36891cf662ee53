# SPDX-License-Identifier: LGPL-2.1-or-later
"""The threads of a kernel seen from Python: a kernel made from Python keeps
one Python thread state per thread it starts (workers, heavy agents' threads)
from the thread's start to its end (Kernel.add_thread_hook in the override),
so that threading.local() values last from one call to the next; no thread
state is left behind after shutdown, with 0 or 2 workers, or when the kernel
is dropped without shutdown; the hooks themselves from Python."""

import ctypes
import gc
import threading
import unittest

from janus_test import TIMEOUT, Janus, run_child


def count_thread_states():
    """The number of Python thread states of the main interpreter."""
    api = ctypes.pythonapi
    api.PyInterpreterState_Main.restype = ctypes.c_void_p
    api.PyInterpreterState_ThreadHead.argtypes = [ctypes.c_void_p]
    api.PyInterpreterState_ThreadHead.restype = ctypes.c_void_p
    api.PyThreadState_Next.argtypes = [ctypes.c_void_p]
    api.PyThreadState_Next.restype = ctypes.c_void_p
    n = 0
    state = api.PyInterpreterState_ThreadHead(api.PyInterpreterState_Main())
    while state:
        n += 1
        state = api.PyThreadState_Next(state)
    return n


class Recorder:
    """What agents saw: per thread, how many messages a threading.local()
    counter reached on it."""

    def __init__(self, expected):
        self.local = threading.local()
        self.lock = threading.Lock()
        self.per_thread = {}        # thread ident -> the local counter's last value
        self.total = 0
        self.expected = expected
        self.done = threading.Event()

    def took(self):
        self.local.n = getattr(self.local, 'n', 0) + 1
        with self.lock:
            self.per_thread[threading.get_ident()] = self.local.n
            self.total += 1
            if self.total == self.expected:
                self.done.set()


class StartCounter:
    """A thread hook (added after the kernel's own) that tells when `n`
    threads of the kernel have started."""

    def __init__(self, kernel, n):
        self.n, self.started, self.lock = n, 0, threading.Lock()
        self.all_started = threading.Event()
        if n == 0:
            self.all_started.set()
        self.assert_added = kernel.add_thread_hook(self.hook)

    def hook(self, event, kind, *unused):
        if event == Janus.ThreadEvent.STARTED:
            with self.lock:
                self.started += 1
                if self.started == self.n:
                    self.all_started.set()


class CountingAgent(Janus.Agent):
    def __init__(self, recorder):
        super().__init__()
        self.recorder = recorder

    def do_live(self):
        while self.get_message() is not None:
            self.recorder.took()
        return Janus.Live.WAIT


class HeavyCountingAgent(Janus.Agent):
    """Takes messages, blocking for each, until it is killed."""

    def __init__(self, recorder):
        super().__init__()
        self.recorder = recorder

    def do_live(self):
        while self.wait_message(TIMEOUT * 1000000) is not None:
            self.recorder.took()
        return Janus.Live.DONE


def feed(kernel, agents, rounds):
    for i in range(rounds):
        for agent in agents:
            kernel.send(agent.get_address(), Janus.Message.new_int64('n', i))


class ThreadStateTests(unittest.TestCase):
    def check_threads(self, kernel, workers, n_light, n_heavy, rounds=50):
        before = count_thread_states()
        starts = StartCounter(kernel, workers + n_heavy)
        self.assertTrue(starts.assert_added)
        recorder = Recorder(rounds * (n_light + n_heavy))
        light = [CountingAgent(recorder) for _ in range(n_light)]
        heavy = [HeavyCountingAgent(recorder) for _ in range(n_heavy)]
        for agent in light:
            kernel.launch_light_agent(agent, None, None)
        for agent in heavy:
            kernel.launch_heavy_agent(agent, None, None)
        feed(kernel, light + heavy, rounds)
        if workers == 0:
            for _ in range(10 * rounds * (n_light + 1)):
                if recorder.done.is_set() or not kernel.step():
                    break
        self.assertTrue(recorder.done.wait(TIMEOUT))
        self.assertTrue(starts.all_started.wait(TIMEOUT))
        # one thread state for each thread of the kernel, kept while it runs
        self.assertEqual(count_thread_states(), before + workers + n_heavy)
        # threading.local() values lasted on each thread: the counters of
        # the threads add up to every message taken
        self.assertEqual(sum(recorder.per_thread.values()), recorder.total)
        kernel.shutdown()
        gc.collect()
        self.assertEqual(count_thread_states(), before)
        return recorder

    def test_two_workers(self):
        recorder = self.check_threads(Janus.Kernel.new(2), 2, 6, 0)
        self.assertLessEqual(len(recorder.per_thread), 2)

    def test_two_workers_constructor(self):
        self.check_threads(Janus.Kernel(workers=2), 2, 4, 0)

    def test_heavy_on_two_workers(self):
        self.check_threads(Janus.Kernel.new(2), 2, 3, 2)

    def test_heavy_on_zero_workers(self):
        recorder = self.check_threads(Janus.Kernel.new(0), 0, 2, 2)
        # the light agents ran on this thread, the heavy ones on their own
        self.assertIn(threading.get_ident(), recorder.per_thread)
        self.assertEqual(len(recorder.per_thread), 3)

    def test_zero_workers(self):
        recorder = self.check_threads(Janus.Kernel.new(0), 0, 3, 0)
        self.assertEqual(list(recorder.per_thread), [threading.get_ident()])

    def test_kernels_one_after_another(self):
        for _ in range(3):
            self.check_threads(Janus.Kernel.new(2), 2, 2, 1, rounds=10)


class ThreadHookTests(unittest.TestCase):
    def test_hook_from_python(self):
        kernel = Janus.Kernel.new(2)
        calls = []
        lock = threading.Lock()

        def hook(event, kind, tag):
            with lock:
                calls.append((threading.get_ident(), event, kind, tag))

        self.assertTrue(kernel.add_thread_hook(hook, 'mine'))
        recorder = Recorder(10)
        agent = CountingAgent(recorder)
        kernel.launch_light_agent(agent, None, None)
        feed(kernel, [agent], 10)
        self.assertTrue(recorder.done.wait(TIMEOUT))
        kernel.shutdown()
        threads = {ident for ident, _, _, _ in calls}
        self.assertEqual(len(threads), 2)
        for ident in threads:
            mine = [(event, kind, tag) for t, event, kind, tag in calls if t == ident]
            self.assertEqual(mine, [(Janus.ThreadEvent.STARTED, Janus.ThreadKind.WORKER, 'mine'),
                                    (Janus.ThreadEvent.STOPPING, Janus.ThreadKind.WORKER, 'mine')])
        for ident in recorder.per_thread:
            self.assertIn(ident, threads)


class DropTests(unittest.TestCase):
    """Kernels that are not shut down: dropped, or left to the interpreter's
    exit. Each in a child interpreter, which must end in time."""

    PRELUDE = '''
import threading
done = threading.Event()

class A(Janus.Agent):
    def do_live(self):
        while self.get_message() is not None:
            done.set()
        return Janus.Live.WAIT

class H(Janus.Agent):
    def do_live(self):
        self.wait_message(-1)
        return Janus.Live.WAIT

def started(workers):
    kernel = Janus.Kernel.new(workers)
    agent, heavy = A(), H()
    kernel.launch_light_agent(agent, None, None)
    kernel.launch_heavy_agent(heavy, None, None)
    kernel.send(agent.get_address(), Janus.Message.new_int64('x', 1))
    if workers == 0:
        kernel.step()
    assert done.wait(10)
    return kernel
'''

    def run_ok(self, code):
        child = run_child(code, self.PRELUDE)
        self.assertIsNotNone(child, 'the child interpreter hung')
        self.assertEqual(child.returncode, 0, child.stderr)
        self.assertIn('ok', child.stdout)

    def test_dropped(self):
        self.run_ok('''
import ctypes
kernel = started(2)
del kernel
gc.collect()
print('ok')
''')

    def test_left_to_exit(self):
        self.run_ok('''
kernel = started(2)
print('ok')
''')

    def test_left_to_exit_zero_workers(self):
        self.run_ok('''
kernel = started(0)
print('ok')
''')


if __name__ == '__main__':
    unittest.main()
