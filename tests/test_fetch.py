"""`broadsheet.fetch` against recorded answers served from 127.0.0.1: never the network.

Time is faked (clock and sleep injected) except where a real socket timeout is the point.
"""

from __future__ import annotations

import datetime as dt
import json
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

from broadsheet import fetch

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "fetch"
DAY = dt.date(2024, 10, 25)
RAW_DAY = (FIXTURES / "daily-2024-10-25.json").read_bytes()
ITEMS: list[Any] = json.loads(RAW_DAY)


@dataclass
class Reply:
    status: int = 200
    body: bytes = b"[]"
    headers: dict[str, str] = field(default_factory=dict)
    stall: bool = False  # accept and read the request, never answer
    drop: bool = False  # close the connection without a word
    length: bool = True  # send Content-Length (else the body ends when the connection closes)


def items(values: list[Any]) -> Reply:
    return Reply(body=json.dumps(values).encode())


class FakeApi:
    """Routes `(date, page)` to a queue of replies; the last reply repeats. Unrouted: 404."""

    def __init__(self) -> None:
        self.routes: dict[tuple[str, int | None], list[Reply]] = {}
        self.requests: list[dict[str, str]] = []
        self.release = threading.Event()
        self.url = ""

    def on(self, day: dt.date | str, *replies: Reply, page: int | None = 0) -> None:
        self.routes[(str(day), page)] = list(replies)

    def reply_for(self, query: dict[str, str]) -> Reply:
        day = query.get("date", "")
        for key in ((day, int(query.get("p", "0"))), (day, None)):
            queue = self.routes.get(key)
            if queue:
                return queue.pop(0) if len(queue) > 1 else queue[0]
        return Reply(404, b'{"error":"Not Found"}')

    @property
    def pages(self) -> list[str]:
        return [r.get("p", "") for r in self.requests]


class _Server(ThreadingHTTPServer):
    api: FakeApi


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:  # noqa: N802  # the name http.server calls
        api = self.server.api
        parts = urlsplit(self.path)
        query = dict(parse_qsl(parts.query))
        api.requests.append({"path": parts.path, "agent": self.headers.get("User-Agent", ""), **query})
        reply = api.reply_for(query) if parts.path == "/api/daily_papers" else Reply(404)
        if reply.stall:
            api.release.wait(10)
            return
        if reply.drop:
            self.close_connection = True
            return
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        if reply.length:
            self.send_header("Content-Length", str(len(reply.body)))
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(reply.body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@pytest.fixture
def api() -> Iterator[FakeApi]:
    """A papers API on 127.0.0.1, port 0, in a thread; stalled handlers are released at the end."""
    fake = FakeApi()
    server = _Server(("127.0.0.1", 0), _Handler)
    server.api = fake
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield fake
    fake.release.set()
    server.shutdown()
    server.server_close()


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


class FakeTime:
    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 3))
        self.now += seconds

    def policy(self, **changes: Any) -> fetch.Policy:
        settings: dict[str, Any] = {"clock": self.clock, "sleep": self.sleep, "jitter": lambda: 0.0, "timeout": 5.0}
        return fetch.Policy(**(settings | changes))


@pytest.fixture
def clock() -> FakeTime:
    return FakeTime()


def run(api: FakeApi, clock: FakeTime, *days: dt.date, **changes: Any) -> fetch.FetchReport:
    return fetch.fetch_days(days or (DAY,), base_url=api.url, policy=clock.policy(**changes))


def test_a_day_is_fetched_whole(api: FakeApi, clock: FakeTime) -> None:
    api.on(DAY, Reply(body=RAW_DAY))
    shown: list[fetch.Progress] = []
    report = fetch.fetch_days([DAY], base_url=api.url + "/", policy=clock.policy(), on_progress=shown.append)
    (day,) = report.days
    assert (day.status, day.items, day.pages, day.error) == ("ok", ITEMS, 1, None)
    assert day.url == f"{api.url}/api/daily_papers?date=2024-10-25&p=0&limit=50"
    assert api.requests[0]["agent"].startswith("broadsheet/")
    assert [str(p) for p in shown] == ["fetching 2024-10-25 … page 1", "fetching 2024-10-25 … 4 papers"]
    assert json.loads(day.body()) == ITEMS and clock.sleeps == []


def test_pages_are_followed_until_an_empty_one(api: FakeApi, clock: FakeTime) -> None:
    api.on(DAY, items(ITEMS[:2]), page=0)
    api.on(DAY, items(ITEMS[2:]), page=1)
    api.on(DAY, items([]), page=2)
    (day,) = run(api, clock, page_size=2).days
    assert day.items == ITEMS and day.pages == 3
    assert api.pages == ["0", "1", "2"] and {r["limit"] for r in api.requests} == {"2"}
    assert clock.sleeps == [0.5, 0.5]  # requests at least 0.5 s apart


def test_a_short_page_is_the_last(api: FakeApi, clock: FakeTime) -> None:
    api.on(DAY, items(ITEMS[:3]), page=0)
    api.on(DAY, items(ITEMS[3:]), page=1)
    assert run(api, clock, page_size=3).days[0].items == ITEMS
    assert api.pages == ["0", "1"]


def test_a_server_ignoring_pages_is_not_read_forever(api: FakeApi, clock: FakeTime) -> None:
    api.on(DAY, items(ITEMS[:2]), page=None)
    (day,) = run(api, clock, page_size=2).days
    assert day.items == ITEMS[:2] and api.pages == ["0", "1"]


def test_404_and_empty_mean_no_papers_and_the_week_goes_on(api: FakeApi, clock: FakeTime) -> None:
    sunday, monday = DAY + dt.timedelta(days=2), DAY + dt.timedelta(days=3)
    api.on(sunday, items([]))
    api.on(monday, Reply(body=RAW_DAY))
    report = run(api, clock, DAY, sunday, monday)
    assert [d.status for d in report.days] == ["none", "none", "ok"]
    assert report.days[0].summary() == "no papers (HTTP 404)" and report.days[1].summary() == "no papers"
    assert report.failed == [] and len(report.answered) == 3


def test_a_server_error_is_retried_with_backoff(api: FakeApi, clock: FakeTime) -> None:
    api.on(DAY, Reply(500), Reply(503), Reply(body=RAW_DAY))
    shown: list[fetch.Progress] = []
    report = fetch.fetch_days([DAY], base_url=api.url, policy=clock.policy(), on_progress=shown.append)
    assert report.days[0].items == ITEMS and len(api.requests) == 3
    assert clock.sleeps == [1.0, 2.0]
    assert "HTTP 500; retry 2 of 4 in 1.0 s" in [p.text for p in shown if p.kind == "retry"]


def test_a_server_error_after_every_attempt_fails_the_day(api: FakeApi, clock: FakeTime) -> None:
    api.on(DAY, Reply(502))
    (day,) = run(api, clock, jitter=lambda: 1.0).days
    assert day.status == "failed" and day.error == f"HTTP 502 from {day.url} (4 attempts)"
    assert clock.sleeps == [1.5, 3.0, 6.0]  # doubling, plus the (maximal) 50 % jitter
    assert len(api.requests) == 4


def test_429_waits_as_long_as_retry_after_says_within_a_cap(api: FakeApi, clock: FakeTime) -> None:
    api.on(DAY, Reply(429, headers={"Retry-After": "3"}), Reply(body=RAW_DAY))
    assert run(api, clock).days[0].status == "ok" and clock.sleeps == [3.0]
    clock.sleeps.clear()
    api.on(DAY, Reply(429, headers={"Retry-After": "3600"}), Reply(body=RAW_DAY))
    assert run(api, clock).days[0].status == "ok" and clock.sleeps == [60.0]


def test_retry_after_as_an_http_date() -> None:
    when = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=30)
    seconds = fetch._retry_after(when.strftime("%a, %d %b %Y %H:%M:%S GMT"))
    assert seconds is not None and 25 < seconds <= 30
    assert fetch._retry_after("soon") is None and fetch._retry_after(None) is None


def test_a_stalled_connection_times_out(api: FakeApi, clock: FakeTime) -> None:
    api.on(DAY, Reply(stall=True))
    started = time.monotonic()
    (day,) = run(api, clock, timeout=0.5, attempts=2).days
    assert time.monotonic() - started < 5
    assert day.status == "failed" and day.error == f"no answer within 0.5 s from {day.url} (2 attempts)"


def test_a_dropped_connection_is_retried(api: FakeApi, clock: FakeTime) -> None:
    api.on(DAY, Reply(drop=True), Reply(body=RAW_DAY))
    assert run(api, clock).days[0].items == ITEMS and clock.sleeps == [1.0]


def test_malformed_json_names_the_url_and_is_not_retried(api: FakeApi, clock: FakeTime) -> None:
    api.on(DAY, Reply(body=(FIXTURES / "malformed-truncated.json").read_bytes()))
    shown: list[fetch.Progress] = []
    report = fetch.fetch_days([DAY], base_url=api.url, policy=clock.policy(), on_progress=shown.append)
    (day,) = report.days
    assert day.status == "failed" and day.error is not None
    assert day.error.startswith(f"not valid JSON from {day.url}: ") and " at line 1 column " in day.error
    assert str(shown[-1]) == "fetching 2024-10-25 … failed" and len(api.requests) == 1


def test_a_client_error_shows_the_api_message(api: FakeApi, clock: FakeTime) -> None:
    api.on(DAY, Reply(400, (FIXTURES / "error-400.json").read_bytes()))
    (day,) = run(api, clock).days
    assert day.error == f"HTTP 400 from {day.url}: Invalid date: must not be in the future"
    assert len(api.requests) == 1


def test_an_object_instead_of_a_list_is_refused(api: FakeApi, clock: FakeTime) -> None:
    api.on(DAY, Reply(body=b'{"error": "maintenance"}'))
    (day,) = run(api, clock).days
    assert day.error == f"a JSON dict, not a list of papers, from {day.url}: maintenance"


@pytest.mark.parametrize("length", [True, False], ids=["declared", "streamed"])
def test_an_oversized_answer_is_refused(api: FakeApi, clock: FakeTime, length: bool) -> None:
    api.on(DAY, Reply(body=RAW_DAY, length=length))
    (day,) = run(api, clock, max_bytes=1000).days
    assert day.error == f"answer from {day.url} is larger than 1,000 bytes; not read"
    assert fetch._size(20 * 1024 * 1024) == "20 MB"


def test_connection_refused_stops_the_run_at_once(clock: FakeTime) -> None:
    url = closed_port_url()
    report = fetch.fetch_days([DAY, DAY + dt.timedelta(days=1)], base_url=url, policy=clock.policy())
    assert report.unreachable == f"cannot reach {url}: connection refused"
    assert len(report.days) == 1 and report.answered == [] and clock.sleeps == []


def test_an_unknown_host_is_unreachable(clock: FakeTime, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_dns(*args: object, **kwargs: object) -> None:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_dns)
    report = fetch.fetch_days([DAY], base_url="https://papers.invalid", policy=clock.policy())
    assert report.unreachable == "cannot reach https://papers.invalid: host not found (name or service not known)"


def test_days_are_handed_over_as_they_finish_and_cancelling_stops(api: FakeApi, clock: FakeTime) -> None:
    api.on(DAY, Reply(body=RAW_DAY))
    done: list[dt.date] = []
    report = fetch.fetch_days(
        [DAY, DAY, DAY], base_url=api.url, policy=clock.policy(), on_day=lambda d: done.append(d.day),
        should_cancel=lambda: len(done) >= 2,
    )  # fmt: skip
    assert report.cancelled and done == [DAY, DAY] and len(report.days) == 2


def test_cancelling_interrupts_a_long_wait(api: FakeApi, clock: FakeTime) -> None:
    api.on(DAY, Reply(429, headers={"Retry-After": "60"}))
    report = fetch.fetch_days(
        [DAY], base_url=api.url, policy=clock.policy(), should_cancel=lambda: sum(clock.sleeps) >= 1
    )
    assert report.cancelled and report.days == [] and sum(clock.sleeps) == 1.0


def test_the_base_url_comes_from_the_flag_the_environment_or_the_default() -> None:
    env = {fetch.ENV_BASE_URL: "http://mirror.example/hf/"}
    assert fetch.resolve_base_url("http://127.0.0.1:8000/", env) == "http://127.0.0.1:8000"
    assert fetch.resolve_base_url(None, env) == "http://mirror.example/hf"
    assert fetch.resolve_base_url(None, {}) == "https://huggingface.co"
    for bad in ("ftp://example.org", "huggingface.co", "http://", "http://h/?x=1"):
        with pytest.raises(ValueError, match="not an http"):
            fetch.resolve_base_url(bad, {})
    assert fetch.day_url("http://m/hf", DAY, 2, 10) == "http://m/hf/api/daily_papers?date=2024-10-25&p=2&limit=10"


def test_fetch_is_headless() -> None:
    code = (
        "import sys, broadsheet.fetch, broadsheet.commands.fetch_command\n"
        "print(','.join(sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich'))))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == ""
