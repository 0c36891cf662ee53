# SPDX-License-Identifier: LGPL-2.1-or-later
"""Every `X_async`/`X_finish` pair is awaitable: called without a callback,
the method returns a Janus.Pending.

- asyncio on GLib through python3-gbulb: `await`, several calls at once,
  errors raised in the coroutine, cancelling the awaiting task cancels the
  call;
- a plain GLib main loop: Pending.wait() and add_done_callback();
- from an agent's step (the completion comes in a later step of the agent);
- with a callback, the introspected method, unchanged.

The kernels that complete the calls while the main thread waits have
worker threads; the 0-worker ones are stepped by the test."""

import asyncio
import threading
import unittest

import gi
gi.require_version('Janus', '1.0')
from gi.repository import Gio, GLib, GObject, Janus  # noqa: E402

from janus_test import TIMEOUT, captured_stderr, step_until, step_until_idle  # noqa: E402

try:
    import gbulb
except ImportError:             # python3-gbulb is in ./quickstart's packages
    gbulb = None


class Tripler(GObject.Object, Janus.Capacity):
    """x → 3x; a negative input fails with G_FILE_ERROR_INVAL; an input of
    1000 blocks until `release` is set (to cancel a call in flight)."""

    def __init__(self):
        super().__init__()
        self.release = threading.Event()
        self.entered = threading.Event()

    def do_invoke(self, value):
        n = value.get_int64()
        if n < 0:
            raise GLib.Error.new_literal(GLib.file_error_quark(), 'negative', GLib.FileError.INVAL)
        if n == 1000:
            self.entered.set()
            self.release.wait(TIMEOUT)
        return GLib.Variant('x', n * 3)


def holarchy(workers):
    """A kernel and a holon whose one member offers Janus.Capacity."""
    kernel = Janus.Kernel.new(workers)
    holon = Janus.Holon.new()
    kernel.launch_light_agent(holon, 'h', None)
    member = Janus.Agent()
    holon.spawn_member(member, 'm', None)
    tripler = Tripler()
    member.add_capacity(Janus.Capacity, tripler)
    return kernel, holon, tripler


@unittest.skipIf(gbulb is None, 'python3-gbulb is not installed')
class GbulbTests(unittest.TestCase):
    def setUp(self):
        self.kernel, self.holon, self.tripler = holarchy(2)
        # the loop gbulb.install() makes for the main thread: on GLib's
        # default main context, where the calls made from this thread complete
        self.loop = gbulb.GLibEventLoop(context=GLib.MainContext.default())

    def tearDown(self):
        self.tripler.release.set()
        self.loop.close()
        self.kernel.kill_all()
        self.kernel.shutdown()

    def run_coroutine(self, coroutine):
        return self.loop.run_until_complete(asyncio.wait_for(coroutine, TIMEOUT))

    def test_await(self):
        async def main():
            value = await self.holon.invoke_capacity_async(Janus.Capacity, GLib.Variant('x', 14))
            return value.unpack()

        self.assertEqual(self.run_coroutine(main()), 42)

    def test_many_at_once_and_errors(self):
        async def main():
            calls = [self.holon.invoke_capacity_async(Janus.Capacity, GLib.Variant('x', i))
                     for i in (-1, 1, 2, 3)]
            return await asyncio.gather(*calls, return_exceptions=True)

        error, *values = self.run_coroutine(main())
        self.assertEqual([v.unpack() for v in values], [3, 6, 9])
        self.assertIsInstance(error, GLib.Error)
        self.assertTrue(error.matches(GLib.file_error_quark(), GLib.FileError.INVAL))

        async def raises():
            await self.holon.invoke_capacity_async(Janus.Capacity, GLib.Variant('x', -5))

        with self.assertRaises(GLib.Error) as caught:
            self.run_coroutine(raises())
        self.assertEqual(caught.exception.message, 'negative')

    def test_cancelling_the_task_cancels_the_call(self):
        pendings = []

        async def wait_for(pending):
            return await pending

        async def main():
            pending = self.holon.invoke_capacity_async(Janus.Capacity, GLib.Variant('x', 1000))
            pendings.append(pending)
            task = asyncio.ensure_future(wait_for(pending))
            await self.loop.run_in_executor(None, self.tripler.entered.wait, TIMEOUT)
            task.cancel()
            with self.assertRaises(asyncio.CancelledError):
                await task

        self.run_coroutine(main())
        pending = pendings[0]
        # the call completes with G_IO_ERROR_CANCELLED (the provider is
        # still inside; its result is dropped)
        with self.assertRaises(GLib.Error) as caught:
            pending.wait(TIMEOUT)
        self.assertTrue(caught.exception.matches(Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED))
        self.assertTrue(pending.cancellable.is_cancelled())

    def test_given_cancellable_is_used(self):
        cancellable = Gio.Cancellable()
        cancellable.cancel()

        async def main():
            await self.holon.invoke_capacity_async(Janus.Capacity, GLib.Variant('x', 1),
                                                   cancellable)

        with self.assertRaises(GLib.Error) as caught:
            self.run_coroutine(main())
        self.assertTrue(caught.exception.matches(Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED))


class Calculator(Janus.Agent):
    @Janus.expose
    def add(self, a, b):
        return a + b

    @Janus.expose
    def fail(self):
        raise ValueError('nope')


@unittest.skipIf(gbulb is None, 'python3-gbulb is not installed')
class NetworkTests(unittest.TestCase):
    """The network's pairs (Kernel.connect_async, Proxy.call_async) and
    Proxy.call without a callback, awaited; two kernels of this process
    talking through 127.0.0.1."""

    def setUp(self):
        self.server = Janus.Kernel.new(1)
        self.server.set_keep_alive(True)
        self.server.listen('tcp://127.0.0.1:0')
        port = int(self.server.get_network().get_listen_uri().rsplit(':', 1)[1])
        calc = Calculator()
        self.server.launch_light_agent(calc, 'calc', None)
        self.address = 'tcp://127.0.0.1:%d/%d' % (port, calc.get_address().get_id())
        self.client = Janus.Kernel.new(1)
        self.client.set_keep_alive(True)
        self.loop = gbulb.GLibEventLoop(context=GLib.MainContext.default())

    def tearDown(self):
        self.loop.close()
        self.client.shutdown()
        self.server.shutdown()

    def test_connect_and_call(self):
        async def main():
            proxy = await self.client.connect_async(self.address)
            raw = await proxy.call_async('add', GLib.Variant('(xx)', (2, 40)))
            total = await proxy.call('add', 1, 2)
            calls = await asyncio.gather(*(proxy.call('add', i, i) for i in range(5)))
            try:
                await proxy.call('fail')
            except GLib.Error as e:
                failed = e.message
            return raw.unpack(), total, calls, failed

        raw, total, calls, failed = self.loop.run_until_complete(asyncio.wait_for(main(), TIMEOUT))
        self.assertEqual((raw, total, calls), (42, 3, [0, 2, 4, 6, 8]))
        self.assertIn('ValueError: nope', failed)

    def test_without_asyncio(self):
        proxy = self.client.connect_async(self.address).wait(TIMEOUT)
        self.assertIsInstance(proxy, Janus.Proxy)
        pending = proxy.call('add', 20, 22)
        self.assertFalse(pending.cancel())          # no cancellable: not cancelled
        self.assertEqual(pending.wait(TIMEOUT), 42)
        got = []
        self.assertIsNone(proxy.call('add', 1, 1, callback=lambda v, e: got.append((v, e))))
        context = GLib.MainContext.default()
        deadline = GLib.get_monotonic_time() + TIMEOUT * 1000000
        while not got and GLib.get_monotonic_time() < deadline:
            context.iteration(True)
        self.assertEqual(got, [(2, None)])
        with self.assertRaises(GLib.Error):
            self.client.connect_async('tcp://127.0.0.1:1/0').wait(TIMEOUT)


class GLibMainLoopTests(unittest.TestCase):
    def setUp(self):
        self.kernel, self.holon, self.tripler = holarchy(2)

    def tearDown(self):
        self.tripler.release.set()
        self.kernel.kill_all()
        self.kernel.shutdown()

    def test_wait(self):
        pending = self.holon.invoke_capacity_async(Janus.Capacity, GLib.Variant('x', 5))
        self.assertIn('invoke_capacity_async', repr(pending))
        self.assertEqual(pending.wait(TIMEOUT).unpack(), 15)
        self.assertTrue(pending.done())
        self.assertEqual(pending.result().unpack(), 15)
        with self.assertRaises(GLib.Error):
            self.holon.invoke_capacity_async(Janus.Capacity, GLib.Variant('x', -1)).wait(TIMEOUT)

    def test_done_callback_and_main_loop(self):
        loop = GLib.MainLoop()
        got = []

        def done(pending):
            got.append(pending.result().unpack())
            if len(got) == 3:
                loop.quit()

        for i in (1, 2, 3):
            self.holon.invoke_capacity_async(Janus.Capacity, GLib.Variant('x', i)).add_done_callback(done)
        guard = GLib.timeout_add_seconds(TIMEOUT, loop.quit)
        loop.run()
        GLib.source_remove(guard)
        self.assertEqual(sorted(got), [3, 6, 9])

    def test_completion_after_the_awaiting_loop_closed(self):
        # a plain asyncio loop (not gbulb's) awaited the call and closed;
        # the answer, delivered later when GLib's context runs, is dropped
        # quietly for that loop and still reaches wait()
        loop = asyncio.new_event_loop()
        pending = self.holon.invoke_capacity_async(Janus.Capacity, GLib.Variant('x', 7))

        async def start():
            async def wait_for():
                return await pending
            task = asyncio.ensure_future(wait_for())
            await asyncio.sleep(0)          # the task now awaits the Pending
            return task

        task = loop.run_until_complete(start())
        loop.close()
        with captured_stderr() as err:
            self.assertEqual(pending.wait(TIMEOUT).unpack(), 21)
        self.assertEqual(err.getvalue(), '')
        self.assertFalse(task.done())
        task._log_destroy_pending = False   # abandoned on purpose

    def test_pending_before_completion(self):
        kernel, holon, _ = holarchy(0)         # nobody steps it
        pending = holon.invoke_capacity_async(Janus.Capacity, GLib.Variant('x', 1))
        self.assertFalse(pending.done())
        with self.assertRaises(RuntimeError):
            pending.result()
        with self.assertRaises(TimeoutError):
            pending.wait(0.05)
        context = GLib.MainContext.default()
        step_until(kernel, lambda: (context.iteration(False), pending.done())[1],
                   limit=500)
        self.assertEqual(pending.result().unpack(), 3)
        kernel.kill_all()
        step_until_idle(kernel, 500)
        kernel.shutdown()

    def test_with_a_callback_it_is_the_introspected_method(self):
        got = []
        result = self.holon.invoke_capacity_async(
            Janus.Capacity, GLib.Variant('x', 2), None,
            lambda holon, res: got.append(holon.invoke_capacity_finish(res).unpack()))
        self.assertIsNone(result)
        context = GLib.MainContext.default()
        deadline = GLib.get_monotonic_time() + TIMEOUT * 1000000
        while not got and GLib.get_monotonic_time() < deadline:
            context.iteration(True)
        self.assertEqual(got, [6])


class FromAStepTests(unittest.TestCase):
    def test_from_an_agents_step(self):
        kernel, holon, _ = holarchy(0)
        results = []

        class Asker(Janus.Agent):
            pending = None

            def do_live(self):
                if self.pending is None:
                    self.pending = holon.invoke_capacity_async(Janus.Capacity, GLib.Variant('x', 4))
                    self.pending.add_done_callback(
                        lambda p: results.append((p.result().unpack(), self.get_state())))
                return Janus.Live.WAIT

        asker = Asker()
        kernel.launch_light_agent(asker, 'asker', None)
        step_until(kernel, lambda: results, limit=500)
        # completed in a later step of the asker: it was alive and stepping
        self.assertEqual(results, [(12, Janus.AgentState.ALIVE)])
        kernel.kill_all()
        step_until_idle(kernel, 500)
        kernel.shutdown()


if __name__ == '__main__':
    unittest.main()
