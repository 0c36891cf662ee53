#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""aiomas interoperability: Python calls a janus-c kernel's C agents.

    python3 examples/python/aiomas_interop.py [PATH-TO-distributed]

Starts the C example `distributed --serve` (built in build/examples/
distributed/), a janus-c kernel whose C Registry agent exposes
`add (a, b)` and `register (agent)`, and then:

1. talks to it with a client written from aiomas' wire format alone, with
   asyncio streams and the json module (no aiomas, no janus-c binding):
   frames of a 4-byte big-endian length and a JSON payload
   [type, id, content], requests [path, args, kwargs]; it answers the
   kernel's own requests on the same connection (the Registry calls the
   client's agent back), and sends the Registry a JanusMessage;
2. if the `aiomas` package can be imported, does the same from a real
   aiomas 2.0 container; otherwise says that this part is skipped (aiomas
   is not packaged in Debian).
"""

import asyncio
import json
import os
import struct
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
CALL_TIMEOUT = 30        # seconds
DEFAULT_SERVER = os.path.join(HERE, '..', '..', 'build', 'examples', 'distributed', 'distributed')


class WireClient:
    """A minimal aiomas channel: numbered requests, answers matched by id
    in any order, and requests from the other side answered by `serve`."""

    REQUEST, RESULT, ERROR = 0, 1, 2

    def __init__(self, reader, writer, serve):
        self.reader, self.writer, self.serve = reader, writer, serve
        self.next_id = 0
        self.waiting = {}
        self.task = asyncio.ensure_future(self._read())

    def _send(self, message):
        payload = json.dumps(message).encode()
        self.writer.write(struct.pack('!L', len(payload)) + payload)

    async def call(self, path, *args, **kwargs):
        msg_id = self.next_id
        self.next_id += 1
        future = asyncio.get_running_loop().create_future()
        self.waiting[msg_id] = future
        self._send([self.REQUEST, msg_id, [path, list(args), kwargs]])
        await self.writer.drain()
        # bounded: a kernel that died or hangs fails the call
        return await asyncio.wait_for(future, CALL_TIMEOUT)

    async def _read(self):
        try:
            while True:
                size, = struct.unpack('!L', await self.reader.readexactly(4))
                msg_type, msg_id, content = json.loads(await self.reader.readexactly(size))
                if msg_type == self.REQUEST:
                    path, args, kwargs = content
                    try:
                        self._send([self.RESULT, msg_id, self.serve(path, *args, **kwargs)])
                    except Exception as e:      # aiomas sends the traceback
                        self._send([self.ERROR, msg_id, '%s: %s' % (type(e).__name__, e)])
                    await self.writer.drain()
                elif msg_type == self.RESULT:
                    self.waiting.pop(msg_id).set_result(content)
                else:
                    self.waiting.pop(msg_id).set_exception(RuntimeError(content))
        except (asyncio.IncompleteReadError, ConnectionError) as e:
            for future in self.waiting.values():
                if not future.done():
                    future.set_exception(ConnectionResetError(str(e)))

    async def close(self):
        self.writer.close()
        await self.writer.wait_closed()
        self.task.cancel()


async def wire_demo(address):
    host_port, aid = address[len('tcp://'):].rsplit('/', 1)
    host, port = host_port.rsplit(':', 1)
    reader, writer = await asyncio.wait_for(asyncio.open_connection(host, int(port)), CALL_TIMEOUT)
    welcome = asyncio.get_running_loop().create_future()

    def serve(path, *args, **kwargs):
        # our agent 0: the Registry calls agents/0/hello back
        if path == 'agents/0/hello':
            print('wire client: the C Registry calls our hello(%r)' % (args[0],))
            return 'hello from Python'
        if path == 'agents/0/janus.message':
            # a JanusMessage for our agent: [subject, body, GVariant type]
            print('wire client: message %r from %s: %r' % (args[0], kwargs.get('sender'), args[1]))
            if not welcome.done():
                welcome.set_result(args[0])
            return None
        raise LookupError('no path %s' % path)

    client = WireClient(reader, writer, serve)
    print('wire client: validate_aid(%s) ->' % aid, await client.call('validate_aid', aid))
    print('wire client: add(19, 23) ->', await client.call('agents/%s/add' % aid, 19, 23))
    try:
        await client.call('agents/%s/add' % aid, 'nineteen', 23)
    except RuntimeError as e:
        print('wire client: add("nineteen", 23) -> error:', str(e).splitlines()[0])
    # an agent travels as {"__type__": [1, "agents/<id>"]}: the Registry gets
    # a proxy on this connection and calls our hello before it answers
    print('wire client: register(our agent 0) ->',
          await client.call('agents/%s/register' % aid, {'__type__': [1, 'agents/0']}))
    # then the Registry sends our agent a message (served by serve ())
    await asyncio.wait_for(welcome, 10)
    # a JanusMessage to a C agent is a request on the same wire
    await client.call('agents/%s/janus.message' % aid, 'thanks', 'bye', 's')
    print('wire client: sent a message "thanks" to the Registry')
    await client.close()


async def aiomas_demo(address):
    try:
        import aiomas
    except ImportError:
        print('aiomas is not installed: the aiomas part is skipped '
              '(pip install aiomas to see a real aiomas container call the C kernel)')
        return

    class Greeter(aiomas.Agent):
        @aiomas.expose
        def hello(self, who):
            print('aiomas agent: the C Registry calls our hello(%r)' % (who,))
            return 'hello from aiomas'

    container = await aiomas.Container.create(('127.0.0.1', 0), as_coro=True)
    try:
        greeter = Greeter(container)
        registry = await container.connect(address)
        print('aiomas: add(19, 23) ->', await asyncio.wait_for(registry.add(19, 23), CALL_TIMEOUT))
        print('aiomas: register(greeter) ->',
              await asyncio.wait_for(registry.register(greeter), CALL_TIMEOUT))
    finally:
        await container.shutdown(as_coro=True)


def main():
    server_path = sys.argv[1] if len(sys.argv) > 1 else DEFAULT_SERVER
    if not os.path.exists(server_path):
        sys.exit('%s not found: build first (meson setup build && ninja -C build)' % server_path)
    server = subprocess.Popen([server_path, '--serve'], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        address = server.stdout.readline().strip()
        print('the C kernel serves its Registry at', address)
        asyncio.run(wire_demo(address))
        asyncio.run(aiomas_demo(address))
    finally:
        server.stdin.close()
        server.wait(timeout=30)
        # what the C side printed
        sys.stdout.write(server.stdout.read())


if __name__ == '__main__':
    main()
