"""A reusable HTTP load harness: serve Gongkai with gunicorn, log people in, fire requests from N connections.

As a library (the benchmarks of later capabilities reuse it: cases, ratings, suggestions …)::

    from http_load import Target, gunicorn, run, session_cookie   # bench/ is on sys.path for bench scripts

    with gunicorn(database_url, workers=4) as base_url:
        cookie = session_cookie(person)            # in-process: needs django.setup() on the same database
        result = run(base_url, Target("board", "/disclosures/?category=3", [cookie], "marker"),
                     concurrency=32, duration=20)
        print(result.line())

As a command, against a server that is already running (log in with the login form) or one it starts::

    .venv/bin/python bench/http_load.py --url http://127.0.0.1:8000/disclosures/ \\
        --login 100001:gongkai-demo --expect 公开 --concurrency 32 --duration 20
    .venv/bin/python bench/http_load.py --serve --database-url postgres://… --path /disclosures/ \\
        --login 100001:gongkai-demo --workers 4 [--worker-class gthread --threads 4]

How it measures: asyncio with raw HTTP/1.1 over keep-alive connections (no dependency beyond the standard
library). Each of the `concurrency` connections sends a request, reads the whole response (Content-Length or
chunked), checks the status is 200 and the body holds the expected marker, and sends the next one at once: a
closed loop, so requests/s is the server's throughput at that concurrency and the latency is the time from the
first byte sent to the last byte read. A warm-up period (not counted) fills the workers' connections and
caches first. Connections the server closes (`Connection: close`) are reopened transparently.

Gunicorn: `sync` workers serve one request at a time each and close the connection after every response (the
harness reconnects: a local TCP handshake, negligible); `gthread` workers keep connections alive and serve
`threads` requests at a time each. On a small machine (2 cores) the default is 4 sync workers — two processes
per core keep both CPUs busy while one waits for the database. Measured on the disclosures benchmark (2 cores,
32 connections), 4 gthread workers × 4 threads served the board page as fast (70 against 73 requests/s) with a
lower median (330 against 420 ms) but a p99 2.4 times longer (1.4 s against 0.58 s): a keep-alive connection
stays with the worker that accepted it, so an unlucky worker queues more connections than the others and its
threads share one GIL, whereas sync workers take the next request from one shared accept queue, first come
first served. Pass --worker-class gthread --threads N to compare.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import html
import http.client
import math
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

PROJECT = Path(__file__).resolve().parent.parent
GUNICORN = PROJECT / ".venv" / "bin" / "gunicorn"


# ------------------------------------------------------------------------------------------------- results


@dataclass
class Target:
    """One page to load: its path (with the query string), the session cookies to use (spread over the
    connections, so several people can load the same page) and a marker every good response contains."""

    name: str
    path: str
    cookies: Sequence[str] = ()
    expect: str = ""
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Result:
    name: str
    concurrency: int
    elapsed: float = 0.0
    latencies: list[float] = field(default_factory=list)  # seconds, of the good responses
    errors: int = 0
    statuses: Counter = field(default_factory=Counter)
    first_error: str = ""

    @property
    def requests(self) -> int:
        return len(self.latencies) + self.errors

    @property
    def rps(self) -> float:
        return self.requests / self.elapsed if self.elapsed else 0.0

    def percentile(self, p: float) -> float:
        """Nearest-rank percentile of the good responses' latencies, in milliseconds."""
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        rank = max(1, min(len(ordered), math.ceil(p / 100 * len(ordered))))
        return ordered[rank - 1] * 1000

    def line(self) -> str:
        return (
            f"{self.name:<34} {self.requests:>8} {self.elapsed:>6.1f} {self.rps:>8.1f} "
            f"{self.percentile(50):>8.1f} {self.percentile(99):>8.1f} {max(self.latencies, default=0) * 1000:>8.1f} "
            f"{self.errors:>6}"
        )

    HEADER = (
        f"{'page':<34} {'requests':>8} {'secs':>6} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} "
        f"{'errors':>6}"
    )


# ------------------------------------------------------------------------------------------------- client


class _Connection:
    """One keep-alive HTTP/1.1 connection."""

    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def _open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port, limit=2**22)

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(Exception):
                await self.writer.wait_closed()
        self.reader = self.writer = None

    async def get(self, request: bytes) -> tuple[int, bytes]:
        for attempt in (1, 2):
            if self.writer is None:
                await self._open()
            try:
                return await self._exchange(request)
            except (ConnectionError, asyncio.IncompleteReadError):
                await self.close()  # the server closed an idle keep-alive connection: reopen once
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    async def _exchange(self, request: bytes) -> tuple[int, bytes]:
        assert self.reader is not None and self.writer is not None
        self.writer.write(request)
        await self.writer.drain()
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = {}
        for line in lines[1:]:
            if ":" in line:
                name, value = line.split(":", 1)
                headers[name.strip().lower()] = value.strip()
        if headers.get("transfer-encoding", "").lower() == "chunked":
            body = bytearray()
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                if size == 0:
                    await self.reader.readuntil(b"\r\n")
                    break
                body += await self.reader.readexactly(size)
                await self.reader.readexactly(2)
            data = bytes(body)
        elif "content-length" in headers:
            data = await self.reader.readexactly(int(headers["content-length"]))
        else:
            data = await self.reader.read()
            headers["connection"] = "close"
        if headers.get("connection", "").lower() == "close":
            await self.close()
        return status, data


def _request_bytes(host: str, port: int, target: Target, cookie: str) -> bytes:
    headers = {
        "Host": f"{host}:{port}",
        "User-Agent": "gongkai-http-load",
        "Accept": "text/html",
        "Accept-Language": "zh-hans",
        "Connection": "keep-alive",
        **target.headers,
    }
    if cookie:
        headers["Cookie"] = cookie
    text = f"GET {target.path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
    return text.encode("latin-1")


async def _load(
    base_url: str, target: Target, concurrency: int, duration: float | None, count: int | None, warmup: float
) -> Result:
    url = urlsplit(base_url)
    host, port = url.hostname or "127.0.0.1", url.port or 80
    cookies = list(target.cookies) or [""]
    marker = target.expect.encode()
    result = Result(target.name, concurrency)
    measuring = False
    stop = False
    issued = 0

    async def one(i: int) -> None:
        nonlocal issued
        conn = _Connection(host, port)
        request = _request_bytes(host, port, target, cookies[i % len(cookies)])
        try:
            while not stop:
                if measuring and count is not None:
                    if issued >= count:
                        return
                    issued += 1
                counted = measuring
                started = time.perf_counter()
                try:
                    status, body = await conn.get(request)
                except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
                    status, body = 0, repr(exc).encode()
                    await conn.close()
                latency = time.perf_counter() - started
                if not counted or stop:
                    continue
                result.statuses[status] += 1
                if status == 200 and marker in body:
                    result.latencies.append(latency)
                else:
                    result.errors += 1
                    if not result.first_error:
                        result.first_error = f"status {status}: {body[:300]!r}"
        finally:
            await conn.close()

    tasks = [asyncio.create_task(one(i)) for i in range(concurrency)]
    await asyncio.sleep(warmup)
    measuring = True
    started = time.perf_counter()
    if count is None:
        await asyncio.sleep(duration or 10.0)
        stop = True
        result.elapsed = time.perf_counter() - started
        await asyncio.gather(*tasks)
    else:
        done = asyncio.gather(*tasks)
        await done
        result.elapsed = time.perf_counter() - started
    return result


def run(
    base_url: str,
    target: Target,
    *,
    concurrency: int = 32,
    duration: float | None = 20.0,
    count: int | None = None,
    warmup: float = 3.0,
) -> Result:
    """Load one page from `concurrency` connections for `duration` seconds (or until `count` requests were
    sent), after `warmup` seconds not counted. Only responses with status 200 and the marker count as good;
    requests still in flight when the time is up are not counted."""
    return asyncio.run(_load(base_url, target, concurrency, duration, count, warmup))


# ------------------------------------------------------------------------------------------------- sessions


def session_cookie(person) -> str:
    """A logged-in session for `person`, created in this process (Django set up on the served database)."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(person.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = person.get_session_auth_hash()
    store.save()
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"


def login_with_form(base_url: str, username: str, password: str, login_path: str = "/accounts/login/") -> str:
    """Log in through the login form, as a browser does; returns the session cookie ("sessionid=…")."""
    url = urlsplit(base_url)
    conn = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port or 80, timeout=30)
    conn.request("GET", login_path)
    response = conn.getresponse()
    page = response.read().decode()
    csrf_cookie = _cookie(response, "csrftoken")
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if response.status != 200 or not csrf_cookie or not match:
        raise RuntimeError(f"no login form at {login_path} (status {response.status})")
    body = urlencode(
        {"csrfmiddlewaretoken": html.unescape(match.group(1)), "username": username, "password": password}
    )
    conn.request(
        "POST",
        login_path,
        body=body,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={csrf_cookie}",
            "Referer": f"{base_url.rstrip('/')}{login_path}",
        },
    )
    response = conn.getresponse()
    response.read()
    session = _cookie(response, "sessionid")
    conn.close()
    if response.status != 302 or not session:
        raise RuntimeError(f"login as {username} failed (status {response.status})")
    return f"sessionid={session}"


def _cookie(response: http.client.HTTPResponse, name: str) -> str:
    for header in response.headers.get_all("Set-Cookie") or []:
        first = header.split(";", 1)[0]
        if first.startswith(f"{name}="):
            return first.split("=", 1)[1]
    return ""


# ------------------------------------------------------------------------------------------------- server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def gunicorn(
    database_url: str,
    *,
    workers: int = 4,
    threads: int = 4,
    worker_class: str = "sync",
    port: int | None = None,
    env: dict[str, str] | None = None,
    log_file: Path | None = None,
    ready_path: str = "/accounts/login/",
    timeout: float = 60.0,
) -> Iterator[str]:
    """Serve `gongkai.wsgi` with gunicorn on 127.0.0.1 against `database_url`; yields the base URL."""
    port = port or free_port()
    environment = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "CONN_MAX_AGE": "600",
        "LOG_LEVEL": "ERROR",
        **(env or {}),
    }
    command = [
        str(GUNICORN),
        "gongkai.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        worker_class,
        "--backlog",
        "2048",
        "--keep-alive",
        "30",
        "--timeout",
        "120",
    ]
    if worker_class == "gthread":
        command += ["--threads", str(threads)]
    log = open(log_file, "ab") if log_file else subprocess.DEVNULL
    process = subprocess.Popen(command, env=environment, stdout=log, stderr=log, cwd=PROJECT)
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(base_url, ready_path, process, timeout)
        yield base_url
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if log_file:
            log.close()  # type: ignore[union-attr]


def _wait_ready(base_url: str, path: str, process: subprocess.Popen, timeout: float) -> None:
    url = urlsplit(base_url)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with code {process.returncode}")
        try:
            conn = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port or 80, timeout=5)
            conn.request("GET", path)
            status = conn.getresponse().status
            conn.close()
            if status < 500:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer {path} within {timeout:.0f} s")


# ------------------------------------------------------------------------------------------------- command


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", help="a full URL on a running server")
    parser.add_argument("--serve", action="store_true", help="start gunicorn on --database-url first")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--path", default="/", help="with --serve: the path (and query) to load")
    parser.add_argument("--login", action="append", default=[], help="EMPLOYEE_NO:PASSWORD (repeatable)")
    parser.add_argument("--cookie", action="append", default=[], help="a ready session cookie (repeatable)")
    parser.add_argument("--expect", default="", help="text every good response contains")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--duration", type=float, default=20.0)
    parser.add_argument("--requests", type=int, default=None, help="stop after this many instead")
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4, help="with --worker-class gthread")
    parser.add_argument("--worker-class", default="sync", choices=["sync", "gthread"])
    args = parser.parse_args(argv)

    def measure(base_url: str, path: str) -> Result:
        cookies = list(args.cookie)
        for login in args.login:
            username, _, password = login.partition(":")
            cookies.append(login_with_form(base_url, username, password))
        target = Target(path, path, cookies, args.expect)
        return run(
            base_url,
            target,
            concurrency=args.concurrency,
            duration=args.duration,
            count=args.requests,
            warmup=args.warmup,
        )

    if args.serve:
        if not args.database_url:
            parser.error("--serve needs --database-url (or DATABASE_URL)")
        with gunicorn(
            args.database_url, workers=args.workers, threads=args.threads, worker_class=args.worker_class
        ) as base_url:
            result = measure(base_url, args.path)
    elif args.url:
        url = urlsplit(args.url)
        path = url.path + (f"?{url.query}" if url.query else "")
        result = measure(f"{url.scheme}://{url.netloc}", path or "/")
    else:
        parser.error("give --url, or --serve with --database-url")
    print(Result.HEADER)
    print(result.line())
    if result.errors:
        print(f"first error: {result.first_error}")
    return 1 if result.errors else 0


if __name__ == "__main__":
    sys.exit(main())
