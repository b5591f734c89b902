"""A load generator for one GraphQL query: `python -m bench.load URL TOKEN SECONDS CLIENTS`.

Runs in its own process so the server's CPU is not shared with the client's event loop
in the same interpreter. Speaks HTTP/1.1 keep-alive over raw asyncio streams with uvloop:
on a 2-core machine the generator shares the cores with the server, and an httpx client
spent more CPU per request than the server did (the first runs measured the client).
Every response is read whole and checked. Prints one JSON object.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import time
from urllib.parse import urlsplit

import uvloop

QUERY = json.dumps({"query": "{ viewer { userId } }"}).encode()


def request_bytes(host: str, path: str, token: str) -> bytes:
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
        f"Authorization: Bearer {token}\r\nContent-Length: {len(QUERY)}\r\n\r\n"
    )
    return head.encode() + QUERY


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    length = next(
        int(line.split(":", 1)[1]) for line in lines if line.lower().startswith("content-length:")
    )
    return status, await reader.readexactly(length)


async def main(url: str, token: str, seconds: float, clients: int) -> dict:
    parts = urlsplit(url)
    request = request_bytes(parts.netloc, parts.path, token)
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds

    async def worker() -> None:
        nonlocal errors
        reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
        try:
            while time.perf_counter() < deadline:
                start = time.perf_counter()
                writer.write(request)
                status, body = await read_response(reader)
                latencies.append(time.perf_counter() - start)
                if status != 200 or b'"errors"' in body or b'"userId"' not in body:
                    errors += 1
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(clients)))
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "requests": len(latencies),
        "errors": errors,
        "rps": len(latencies) / elapsed,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[int(len(latencies) * 0.99) - 1] * 1000,
        "p90_ms": latencies[int(len(latencies) * 0.9) - 1] * 1000,
        "max_ms": latencies[-1] * 1000,
    }


if __name__ == "__main__":
    url, token, seconds, clients = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4])
    print(json.dumps(uvloop.run(main(url, token, seconds, clients))))
