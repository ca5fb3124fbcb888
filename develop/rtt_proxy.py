"""A TCP proxy that adds round-trip time between NetBox and PostgreSQL (standard library only).

The development VM's kernel has no ``netem`` queueing discipline, so the latency of a database on another host is
made here: every chunk read in either direction is written on ``rtt / 2`` after it arrived, in the order it
arrived. Each SQL statement is one request and one answer, so each costs one more ``rtt``.

The event loop runs on ``select()``, whose timeouts have microsecond resolution: epoll's and poll's are whole
milliseconds, which would turn a 0.25 ms half round trip into 1 ms.

    develop/rtt_proxy.py --rtt-ms 2 [--port 0] [--target HOST:PORT]

Prints ``listening on 127.0.0.1:PORT`` once it accepts connections. The target defaults to ARCHIFLOW_DB_HOST and
ARCHIFLOW_DB_PORT (127.0.0.1:5432).
"""

import argparse
import asyncio
import os
import selectors
import time


async def pipe(reader, writer, delay):
    """Copy ``reader`` to ``writer``, each chunk ``delay`` seconds after it was read, in order."""
    queue = asyncio.Queue()

    async def deliver():
        while (item := await queue.get()) is not None:
            due, data = item
            wait = due - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            writer.write(data)
            await writer.drain()

    sender = asyncio.ensure_future(deliver())
    try:
        while data := await reader.read(65536):
            queue.put_nowait((time.monotonic() + delay, data))
    except ConnectionError:
        pass
    queue.put_nowait(None)
    try:
        await sender
    except ConnectionError:
        pass
    finally:
        writer.close()


async def serve(port, target_host, target_port, rtt_ms, ready=None):
    delay = rtt_ms / 2000

    async def handle(client_reader, client_writer):
        try:
            server_reader, server_writer = await asyncio.open_connection(target_host, target_port)
        except OSError:
            client_writer.close()
            return
        await asyncio.gather(
            pipe(client_reader, server_writer, delay),
            pipe(server_reader, client_writer, delay),
        )

    server = await asyncio.start_server(handle, '127.0.0.1', port)
    listening = server.sockets[0].getsockname()[1]
    if ready:
        ready(listening)
    async with server:
        await server.serve_forever()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--rtt-ms', type=float, required=True, help='added round-trip time in milliseconds')
    parser.add_argument('--port', type=int, default=0, help='port to listen on, 127.0.0.1 (0: any free port)')
    default_target = f'{os.environ.get("ARCHIFLOW_DB_HOST", "127.0.0.1")}:{os.environ.get("ARCHIFLOW_DB_PORT", "5432")}'
    parser.add_argument('--target', default=default_target, help=f'HOST:PORT to forward to ({default_target})')
    args = parser.parse_args()
    host, _sep, port = args.target.rpartition(':')
    loop = asyncio.SelectorEventLoop(selectors.SelectSelector())
    try:
        loop.run_until_complete(
            serve(
                args.port,
                host,
                int(port),
                args.rtt_ms,
                ready=lambda listening: print(f'listening on 127.0.0.1:{listening}', flush=True),
            )
        )
    except KeyboardInterrupt:
        pass
    finally:
        loop.close()


if __name__ == '__main__':
    main()
