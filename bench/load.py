"""A load generator for one GraphQL query: `python -m bench.load URL TOKEN SECONDS CLIENTS`.

Runs in its own process so the server's CPU is not shared with the client's event loop
in the same interpreter. Prints one JSON object.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import time

import httpx

QUERY = {"query": "{ viewer { userId } }"}


async def main(url: str, token: str, seconds: float, clients: int) -> dict:
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(
        headers={"authorization": f"Bearer {token}"}, limits=limits, timeout=30
    ) as client:

        async def worker() -> None:
            nonlocal errors
            while time.perf_counter() < deadline:
                start = time.perf_counter()
                response = await client.post(url, json=QUERY)
                latencies.append(time.perf_counter() - start)
                if response.status_code != 200 or "errors" in response.json():
                    errors += 1

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
    }


if __name__ == "__main__":
    url, token, seconds, clients = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4])
    print(json.dumps(asyncio.run(main(url, token, seconds, clients))))
