# SPDX-License-Identifier: LGPL-2.1-or-later
"""Kernels on the network from Python: janus-c's JSON against Python's json
module (exact text, random documents), exposed methods (@Janus.expose) called
through Janus.Proxy (sync and async, errors with their traceback, agents as
arguments), remote messages between Python agents of two kernels, and a
client written with asyncio streams that speaks the aiomas wire format
(what an aiomas container sends) to a kernel."""

import asyncio
import json
import math
import random
import struct
import threading
import time
import unittest

import gi
gi.require_version('Janus', '1.0')
from gi.repository import GLib, Janus  # noqa: E402

GLib.log_set_always_fatal(GLib.LogLevelFlags.LEVEL_CRITICAL
                          | GLib.LogLevelFlags.LEVEL_WARNING
                          | GLib.LogLevelFlags.LEVEL_ERROR)

TIMEOUT = 20


def roundtrip(text):
    node = Janus.json_from_data(text.encode('utf-8'))
    return Janus.json_to_data(node)[0]


def random_string(rng):
    chars = []
    for _ in range(rng.randrange(0, 12)):
        kind = rng.randrange(6)
        if kind == 0:
            chars.append('\x00')
        elif kind == 1:
            chars.append(chr(rng.randrange(0x20)))
        elif kind == 2:
            chars.append(chr(rng.randrange(0x10000, 0x110000)))
        elif kind == 3:
            c = rng.randrange(0x80, 0x10000)
            chars.append(chr(c) if not 0xD800 <= c <= 0xDFFF else 'x')
        else:
            chars.append(chr(rng.randrange(0x20, 0x7f)))
    return ''.join(chars)


def random_float(rng):
    kind = rng.randrange(5)
    if kind == 0:
        return rng.choice([0.0, -0.0, math.inf, -math.inf, math.nan, 5e-324, 1e16, 1e-5, 0.1])
    if kind == 1:
        bits = rng.getrandbits(64)
        value = struct.unpack('<d', struct.pack('<Q', bits))[0]
        return value
    return rng.random() * 10 ** rng.randrange(-30, 30)


def random_value(rng, depth):
    kind = rng.randrange(8 if depth > 0 else 6)
    if kind == 0:
        return None
    if kind == 1:
        return rng.random() < 0.5
    if kind == 2:
        return rng.randrange(-2 ** 63, 2 ** 63)
    if kind == 3:
        return random_float(rng)
    if kind in (4, 5):
        return random_string(rng)
    if kind == 6:
        return [random_value(rng, depth - 1) for _ in range(rng.randrange(4))]
    return {random_string(rng): random_value(rng, depth - 1) for _ in range(rng.randrange(4))}


class JsonTest(unittest.TestCase):
    def test_exactly_json_dumps(self):
        """What Python's json.dumps prints, janus-c reads and prints back
        byte for byte (floats' repr, NaN, -0.0, \\u0000, surrogate pairs,
        int64 bounds, key order)."""
        rng = random.Random(20240611)
        for _ in range(3000):
            value = random_value(rng, 4)
            text = json.dumps(value)
            self.assertEqual(roundtrip(text), text)

    def test_bounds_and_errors(self):
        for text in ['9223372036854775807', '-9223372036854775808', '1e400', '-0.0', '"\\u0000"']:
            self.assertEqual(roundtrip(text), json.dumps(json.loads(text)))
        for text in ['9223372036854775808', '[1, 2', 'nan', '"\\ud800"', '{"a" 1}']:
            with self.assertRaises(GLib.Error):
                Janus.json_from_data(text.encode())

    def test_format_double(self):
        rng = random.Random(7)
        for _ in range(5000):
            x = random_float(rng)
            if math.isnan(x):
                continue
            self.assertEqual(Janus.json_format_double(x), json.dumps(x))


class Calculator(Janus.Agent):
    def __init__(self):
        super().__init__()
        self.lock = threading.Lock()
        self.received = []
        self.threads = set()

    @Janus.expose
    def add(self, a, b):
        self.threads.add(threading.get_ident())
        return a + b

    @Janus.expose(name='echo')
    def echo_all(self, *args, **kwargs):
        return [list(args), kwargs]

    @Janus.expose(signature='(ii)')
    def mul(self, a, b):
        return a * b

    @Janus.expose
    def fail(self):
        raise ValueError('nope')

    @Janus.expose
    def whois(self, other):
        # an agent arrives as a proxy of the caller's agent
        if not isinstance(other, Janus.Proxy):
            return 'not a proxy: %r' % (other,)
        return other.get_address().get_id()

    @Janus.expose
    def me(self):
        # an agent in a result travels as a proxy
        return self

    def do_live(self):
        for message in self.get_mailbox():
            with self.lock:
                self.received.append((message.get_subject(), message.get_body()))
            if message.get_subject() == 'ping':
                self.reply(message, Janus.Message('pong', message.get_body()))
        return Janus.Live.WAIT


class Caller(Janus.Agent):
    """Sends messages to a remote address and keeps the answers."""

    def __init__(self, target, n):
        super().__init__()
        self.target = target
        self.n = n
        self.lock = threading.Lock()
        self.answers = []

    @Janus.expose
    def name(self):
        return self.get_name()

    def do_activate(self, parameters):
        to = Janus.Address.parse(self.target)
        for i in range(self.n):
            self.send(to, Janus.Message('seq', i))
        self.send(to, Janus.Message('ping', GLib.Variant('(sd)', ('x', 1.5))))
        return True

    def do_live(self):
        for message in self.get_mailbox():
            with self.lock:
                self.answers.append(message.get_subject())
        return Janus.Live.WAIT


def wait_until(predicate):
    deadline = time.monotonic() + TIMEOUT
    ctx = GLib.MainContext.default()
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError('timed out')
        ctx.iteration(False)
        time.sleep(0.001)


class NetTest(unittest.TestCase):
    def setUp(self):
        self.server = Janus.Kernel.new(1)
        self.server.set_keep_alive(True)
        self.server.listen('tcp://127.0.0.1:0')
        self.uri = self.server.get_network().get_listen_uri()
        self.port = int(self.uri.rsplit(':', 1)[1])
        self.calc = Calculator()
        self.server.launch_light_agent(self.calc, 'calc', None)
        self.calc_id = self.calc.get_address().get_id()
        # through "localhost": an endpoint of its own, so that messages
        # take the network though both kernels are in this process
        self.address = 'tcp://localhost:%d/%d' % (self.port, self.calc_id)
        self.client = Janus.Kernel.new(1)
        self.client.set_keep_alive(True)

    def tearDown(self):
        self.client.shutdown()
        self.server.shutdown()

    def test_address_prints_as_network(self):
        self.assertEqual(str(self.calc.get_address()), '%s/%d' % (self.uri, self.calc_id))

    def test_sync_calls(self):
        proxy = self.client.connect_sync(self.address, None)
        self.assertTrue(proxy.get_type_name().endswith('Calculator'))
        self.assertEqual(proxy.call_sync('add', 2, 40), 42)
        values = [1, -0.0, math.inf, 2 ** 63 - 1, 'a\x00b\U0001F600', None, {'k': [True]}]
        args, kwargs = proxy.call_sync('echo', *values, x=1)
        self.assertEqual(kwargs, {'x': 1})
        self.assertEqual(len(args), len(values))
        self.assertEqual(math.copysign(1, args[1]), -1.0)
        self.assertEqual(args[4], 'a\x00b\U0001F600')
        self.assertEqual(proxy.call_sync('mul', 6, 7), 42)
        # exposed methods ran in the agent's turn, on a worker
        self.assertNotIn(threading.get_ident(), self.calc.threads)

    def test_errors(self):
        proxy = self.client.connect_sync(self.address, None)
        with self.assertRaises(GLib.Error) as e:
            proxy.call_sync('fail')
        self.assertIn('ValueError: nope', e.exception.message)
        self.assertIn('Traceback', e.exception.message)
        with self.assertRaises(GLib.Error) as e:
            proxy.call_sync('nothing')
        self.assertTrue(e.exception.matches(Janus.net_error_quark(), Janus.NetError.REMOTE))
        with self.assertRaises(GLib.Error):
            proxy.call_sync('mul', 'six', 7)       # the signature refuses it
        with self.assertRaises(GLib.Error) as e:
            self.client.connect_sync('tcp://localhost:%d/99' % self.port, None)
        self.assertTrue(e.exception.matches(Janus.net_error_quark(), Janus.NetError.UNKNOWN_AGENT))

    def test_async_call(self):
        proxy = self.client.connect_sync(self.address, None)
        results = []
        proxy.call('add', 20, 22, callback=lambda value, error: results.append((value, error)))
        proxy.call('fail', callback=lambda value, error: results.append((value, error)))
        wait_until(lambda: len(results) == 2)
        self.assertIn((42, None), results)
        self.assertTrue(any(error is not None for value, error in results))

    def test_agents_as_values(self):
        caller = Caller(self.address, 0)
        caller.do_activate = lambda parameters: True
        self.client.launch_light_agent(caller, 'caller', None)
        proxy = self.client.connect_sync(self.address, None)
        self.assertEqual(proxy.call_sync('whois', caller), caller.get_address().get_id())
        me = proxy.call_sync('me')
        self.assertIsInstance(me, Janus.Proxy)
        self.assertEqual(me.call_sync('add', 1, 2), 3)

    def test_messages(self):
        caller = Caller(self.address, 50)
        self.client.launch_light_agent(caller, 'caller', None)
        wait_until(lambda: 'pong' in caller.answers)
        with self.calc.lock:
            got = list(self.calc.received)
        self.assertEqual([body.get_int64() for subject, body in got if subject == 'seq'],
                         list(range(50)))
        self.assertEqual(self.server.get_dead_letter_count(), 0)

    def test_aiomas_wire_client(self):
        """A client written from the aiomas wire format, with asyncio
        streams: what an aiomas container does when it connects."""
        result = asyncio.run(wire_client('127.0.0.1', self.port, self.calc_id))
        self.assertTrue(result['validate'].endswith('Calculator'))
        self.assertIsNone(result['unknown'])
        self.assertEqual(result['add'], 5)
        self.assertEqual(result['echo'], [[1.5, 'x'], {'k': None}])
        self.assertTrue(result['error'][0])
        self.assertIn('ValueError', result['error'][1])
        self.assertEqual(sorted(result['out_of_order']), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9])


async def wire_client(host, port, aid):
    reader, writer = await asyncio.open_connection(host, port)
    next_id = 0

    async def request(path, args, kwargs=None):
        nonlocal next_id
        msg_id = next_id
        next_id += 1
        payload = json.dumps([0, msg_id, [path, args, kwargs or {}]]).encode()
        writer.write(struct.pack('!L', len(payload)) + payload)
        await writer.drain()
        return msg_id

    async def answer():
        header = await reader.readexactly(4)
        msg_type, msg_id, content = json.loads(await reader.readexactly(struct.unpack('!L', header)[0]))
        return msg_type, msg_id, content

    async def call(path, args, kwargs=None):
        msg_id = await request(path, args, kwargs)
        msg_type, got_id, content = await answer()
        assert got_id == msg_id
        return msg_type, content

    out = {}
    out['validate'] = (await call('validate_aid', [str(aid)]))[1]
    out['unknown'] = (await call('validate_aid', ['12345']))[1]
    out['add'] = (await call('agents/%d/add' % aid, [2, 3]))[1]
    out['echo'] = (await call('agents/%d/echo' % aid, [1.5, 'x'], {'k': None}))[1]
    msg_type, content = await call('agents/%d/fail' % aid, [])
    out['error'] = (msg_type == 2, content)
    # ten requests in flight, answers matched by id
    ids = {}
    for i in range(10):
        ids[await request('agents/%d/add' % aid, [i, 0])] = i
    got = []
    for _ in range(10):
        msg_type, msg_id, content = await answer()
        assert msg_type == 1 and content == ids[msg_id]
        got.append(content)
    out['out_of_order'] = got
    writer.close()
    await writer.wait_closed()
    return out


if __name__ == '__main__':
    unittest.main()
