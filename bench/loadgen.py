"""A light HTTP/1.1 load generator for the intake benchmarks (ours and the django-helpdesk peer's).

The client shares the machine's two cores with the server and the database, so every request costs
it as little as possible: each request is encoded completely (request line, headers — its own
Idempotency-Key included — and body) before the clock starts; a client thread writes those bytes
on a kept-alive socket and reads the answer with a minimal parser (status line, Content-Length or
chunked body). When the server closes the connection (gunicorn's sync workers do after every
response) the thread reconnects, and that connect counts in the request's latency. Loopback only.
"""

from __future__ import annotations

import os
import socket
import statistics
import threading
import time
from dataclasses import dataclass, field

HOST = "127.0.0.1"  # loopback only


def encode_request(*, method: str, path: str, port: int, headers: dict[str, str], body: bytes = b"") -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: {HOST}:{port}", f"Content-Length: {len(body)}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


class ProtocolError(Exception):
    pass


class Connection:
    """One kept-alive connection; `exchange` sends one encoded request and returns (status, body)."""

    def __init__(self, port: int, timeout: float = 120.0):
        self.port, self.timeout = port, timeout
        self.sock: socket.socket | None = None
        self.buffer = b""

    def _connect(self) -> None:
        self.sock = socket.create_connection((HOST, self.port), timeout=self.timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buffer = b""

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
            self.sock = None

    def _fill(self) -> None:
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ProtocolError("connection closed by the server")
        self.buffer += chunk

    def _take(self, size: int) -> bytes:
        while len(self.buffer) < size:
            self._fill()
        data, self.buffer = self.buffer[:size], self.buffer[size:]
        return data

    def _line(self) -> bytes:
        while (end := self.buffer.find(b"\r\n")) < 0:
            self._fill()
        line, self.buffer = self.buffer[:end], self.buffer[end + 2 :]
        return line

    def exchange(self, request: bytes) -> tuple[int, bytes, dict[str, str]]:
        fresh = self.sock is None
        if fresh:
            self._connect()
        try:
            self.sock.sendall(request)
            status_line = self._line()
        except (ProtocolError, ConnectionError):
            if fresh:
                raise
            self.close()  # the server dropped an idle kept-alive connection: once more on a new one
            return self.exchange(request)
        status = int(status_line.split(b" ", 2)[1])
        headers: dict[str, str] = {}
        while line := self._line():
            name, _, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        if headers.get("transfer-encoding", "").lower() == "chunked":
            parts = []
            while size := int(self._line().split(b";")[0], 16):
                parts.append(self._take(size))
                self._take(2)
            while self._line():  # trailers
                pass
            body = b"".join(parts)
        else:
            body = self._take(int(headers.get("content-length", "0")))
        if headers.get("connection", "").lower() == "close":
            self.close()
        return status, body, headers


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    low = int(k)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


@dataclass
class LoadResult:
    wall_s: float
    statuses: dict[int, int]
    latencies: list[float] = field(repr=False)
    first_errors: list[str] = field(default_factory=list)
    client_cpu_s: float = 0.0

    def figures(self, *, ok_status: int) -> dict:
        ok = self.statuses.get(ok_status, 0)
        lat = self.latencies
        return {
            "sent": sum(self.statuses.values()),
            "ok": ok,
            "statuses": self.statuses,
            "wall_s": round(self.wall_s, 2),
            "per_s": round(ok / self.wall_s, 1) if self.wall_s else 0.0,
            "p50_ms": round(percentile(lat, 0.50) * 1000, 1) if lat else None,
            "p95_ms": round(percentile(lat, 0.95) * 1000, 1) if lat else None,
            "p99_ms": round(percentile(lat, 0.99) * 1000, 1) if lat else None,
            "mean_ms": round(statistics.fmean(lat) * 1000, 1) if lat else None,
            "client_cpu_ms_per_request": round(
                self.client_cpu_s * 1000 / max(sum(self.statuses.values()), 1), 3
            ),
            "first_errors": self.first_errors,
        }


def run_load(
    *, port: int, requests: list[bytes], clients: int, ok_status: int, time_cap: float
) -> LoadResult:
    """Send every request once from `clients` threads (bounded by count and by `time_cap` seconds)."""
    lock = threading.Lock()
    position = iter(range(len(requests)))
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    errors: list[str] = []
    stop_at = time.monotonic() + time_cap

    def client() -> None:
        connection = Connection(port)
        try:
            while time.monotonic() < stop_at:
                with lock:
                    index = next(position, None)
                if index is None:
                    return
                started = time.perf_counter()
                try:
                    status, body, _headers = connection.exchange(requests[index])
                except (OSError, ProtocolError, ValueError) as error:
                    connection.close()
                    status, body = 0, repr(error).encode()
                seconds = time.perf_counter() - started
                with lock:
                    statuses[status] = statuses.get(status, 0) + 1
                    if status == ok_status:
                        latencies.append(seconds)
                    elif len(errors) < 3:
                        errors.append(f"{status} {body[:300]!r}")
        finally:
            connection.close()

    threads = [threading.Thread(target=client) for _ in range(clients)]
    cpu_started, started = os.times(), time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    cpu = os.times()
    client_cpu = (cpu.user - cpu_started.user) + (cpu.system - cpu_started.system)
    return LoadResult(
        wall_s=wall, statuses=statuses, latencies=latencies, first_errors=errors, client_cpu_s=client_cpu
    )


def process_tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) used so far by a process and its live children (gunicorn's workers)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    pids = [pid]
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if int(open(f"/proc/{entry}/stat").read().rsplit(")", 1)[1].split()[1]) == pid:
                    pids.append(int(entry))
            except (OSError, IndexError, ValueError):
                continue
    for one in pids:
        try:
            fields = open(f"/proc/{one}/stat").read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
    return total


def postgres_cpu(pids: list[int] | None = None) -> float:
    """CPU seconds used so far by every postgres process on the machine (the server is shared by both
    benchmarks, so only differences over one run mean anything, and other users' queries count too),
    or only by the backends `pids` (`SELECT pg_backend_pid()` of one's own connections)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for entry in map(str, pids) if pids is not None else os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = open(f"/proc/{entry}/stat").read()
        except OSError:
            continue
        name = stat[stat.find("(") + 1 : stat.rfind(")")]
        if name.startswith("postgres"):
            fields = stat.rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total
