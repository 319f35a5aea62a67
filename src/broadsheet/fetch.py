"""Download Hugging Face daily papers: the network half of `broadsheet fetch`, stdlib only.

No Textual and no Rich, so the reader can run `fetch_days` in a worker thread (with
`should_cancel`) and the command in a terminal. Storing is the command's job.

What is assumed about the undocumented API (third-party clients agree; not checked live):

* `GET {base}/api/daily_papers?date=YYYY-MM-DD&p=N&limit=L` answers the day's JSON array,
  page `p` counted from 0. A full page may have a successor; an empty or short page is the
  last. A page that adds no new item also ends the day (a server that ignores `p` would
  otherwise be read forever), and items are deduplicated by `paper.id` across pages.
* A week or month is fetched day by day with `date=` only, so each day stays one listing;
  the API's own `week=` and `month=` filters are not used.
* HTTP 404 or an empty array means the day has no papers (weekends): not a failure.
"""

from __future__ import annotations

import datetime as dt
import errno
import http.client
import json
import os
import random
import socket
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Literal

from broadsheet import __version__

DEFAULT_BASE_URL = "https://huggingface.co"
ENV_BASE_URL = "BROADSHEET_HF_API"
USER_AGENT = f"broadsheet/{__version__}"
_CHUNK = 64 * 1024
_SLICE = 0.25  # a cancellable wait polls `should_cancel` this often
# refused, no route, no network: trying again seconds later will not help
_OFFLINE = {errno.ECONNREFUSED, errno.ENETUNREACH, errno.EHOSTUNREACH, errno.ENETDOWN}

Kind = Literal["page", "retry", "done"]


@dataclass(frozen=True, slots=True)
class Policy:
    """How patient and how polite to be; clock, sleep and jitter are injectable for tests."""

    timeout: float = 20.0  # seconds of silence before a request fails (a stalled server too)
    attempts: int = 4  # per request; retried on 5xx, 429, resets and timeouts
    backoff: float = 1.0  # first retry delay, doubled each time, plus up to 50 % jitter
    max_delay: float = 60.0  # cap on any single wait, Retry-After included
    interval: float = 0.5  # minimum spacing between request starts
    max_bytes: int = 20 * 1024 * 1024  # a bigger answer is refused, never held in memory
    page_size: int = 50
    max_pages: int = 100
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    jitter: Callable[[], float] = random.random


class FetchError(Exception):
    """A request that failed for good; the message is one line naming the URL and the reason."""


class Unreachable(FetchError):
    """The server cannot be reached at all (offline, unknown host, refused): the run stops."""


class _Retry(Exception):
    def __init__(self, reason: str, after: float | None = None) -> None:
        super().__init__(reason)
        self.reason, self.after = reason, after


class _NoPapers(Exception):
    """HTTP 404 for the day."""


class _Cancelled(Exception):
    pass


@dataclass(slots=True)
class DayResult:
    """One day's answer: its items merged across pages, or why there are none."""

    day: dt.date
    url: str  # the first page's URL
    status: Literal["ok", "none", "failed"] = "ok"
    items: list[object] = field(default_factory=list)
    pages: int = 0
    error: str | None = None
    note: str | None = None

    def body(self) -> bytes:
        """The listing file's content: the merged items as one compact JSON array."""
        return (json.dumps(self.items, ensure_ascii=False, separators=(",", ":")) + "\n").encode()

    def summary(self) -> str:
        text = {"ok": f"{len(self.items)} papers", "none": "no papers", "failed": f"failed: {self.error}"}
        return text[self.status] + (f" ({self.note})" if self.note else "")


@dataclass(slots=True)
class FetchReport:
    days: list[DayResult] = field(default_factory=list)
    unreachable: str | None = None  # "cannot reach URL: reason" when the run stopped on it
    cancelled: bool = False

    @property
    def failed(self) -> list[DayResult]:
        return [d for d in self.days if d.status == "failed"]

    @property
    def answered(self) -> list[DayResult]:
        """Days the server answered, with papers or with none."""
        return [d for d in self.days if d.status != "failed"]


@dataclass(frozen=True, slots=True)
class Progress:
    """A step to show: `page` is transient, `retry` explains a wait, `done` ends the day."""

    day: dt.date
    text: str
    kind: Kind

    def __str__(self) -> str:
        return f"fetching {self.day} … {self.text}"


def resolve_base_url(explicit: str | None = None, environ: Mapping[str, str] = os.environ) -> str:
    """`--api-url`, else `$BROADSHEET_HF_API`, else huggingface.co; only http(s) with a host."""
    raw = (explicit or environ.get(ENV_BASE_URL) or DEFAULT_BASE_URL).strip()
    parts = urllib.parse.urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise ValueError(f"not an http(s) base URL: {raw!r} (e.g. https://huggingface.co)")
    return raw.rstrip("/")


def day_url(base_url: str, day: dt.date, page: int, limit: int) -> str:
    query = urllib.parse.urlencode({"date": day.isoformat(), "p": page, "limit": limit})
    return f"{base_url.rstrip('/')}/api/daily_papers?{query}"


def fetch_days(
    days: Iterable[dt.date],
    *,
    base_url: str = DEFAULT_BASE_URL,
    policy: Policy = Policy(),  # noqa: B008  # frozen, so one shared default is safe
    on_progress: Callable[[Progress], None] | None = None,
    should_cancel: Callable[[], bool] | None = None,
    on_day: Callable[[DayResult], None] | None = None,
) -> FetchReport:
    """Fetch each day in turn; network trouble lands in the report, it is never raised.

    `on_day` sees each finished day at once, so a caller can store it before the next one
    (an interrupted month keeps what it got). `should_cancel` is polled between requests,
    between chunks and during waits.
    """
    client = _Client(base_url.rstrip("/"), policy, on_progress, should_cancel)
    report = FetchReport()
    for day in days:
        try:
            result = client.fetch_day(day)
        except _Cancelled:
            report.cancelled = True
            break
        except Unreachable as error:
            report.unreachable = str(error)
            report.days.append(DayResult(day, client.url(day, 0), "failed", error=str(error)))
            break
        report.days.append(result)
        # the reason is in the report: a caller shows it once, not in every progress line
        client.progress(day, "failed" if result.status == "failed" else result.summary(), "done")
        if on_day is not None:
            on_day(result)
    return report


@dataclass(slots=True)
class _Client:
    base: str
    policy: Policy
    on_progress: Callable[[Progress], None] | None
    should_cancel: Callable[[], bool] | None
    last_start: float | None = None
    opener: urllib.request.OpenerDirector = field(default_factory=urllib.request.build_opener)

    def url(self, day: dt.date, page: int) -> str:
        return day_url(self.base, day, page, self.policy.page_size)

    def progress(self, day: dt.date, text: str, kind: Kind) -> None:
        if self.on_progress is not None:
            self.on_progress(Progress(day, text, kind))

    def check_cancel(self) -> None:
        if self.should_cancel is not None and self.should_cancel():
            raise _Cancelled

    def pause(self, seconds: float) -> None:
        """Sleep; in slices when cancellable, so a 60 s Retry-After does not pin a worker."""
        if self.should_cancel is None:
            self.policy.sleep(seconds)
            return
        while seconds > 0:
            self.check_cancel()
            self.policy.sleep(min(seconds, _SLICE))
            seconds -= _SLICE

    def fetch_day(self, day: dt.date) -> DayResult:
        result = DayResult(day, self.url(day, 0))
        seen: set[str] = set()
        for page in range(self.policy.max_pages):
            url = self.url(day, page)
            self.progress(day, f"page {page + 1}" + (f", {len(result.items)} papers" if result.items else ""), "page")
            try:
                items = _json_array(self.get(url, day), url)
            except _NoPapers:
                if page == 0:
                    return DayResult(day, url, "none", note="HTTP 404")
                break  # a page past the end may be a 404 too
            except Unreachable:
                raise
            except FetchError as error:
                return DayResult(day, result.url, "failed", error=str(error))
            result.pages = page + 1
            before = len(result.items)
            for item in items:
                if (key := _item_key(item)) not in seen:
                    seen.add(key)
                    result.items.append(item)
            if len(items) < self.policy.page_size or len(result.items) == before:
                break
        else:
            result.note = f"stopped after {self.policy.max_pages} pages"
        if not result.items:
            result.status = "none"
        return result

    def get(self, url: str, day: dt.date) -> bytes:
        """One GET, throttled and retried; raises FetchError, Unreachable or _NoPapers."""
        attempts = max(1, self.policy.attempts)
        for attempt in range(1, attempts + 1):
            self.check_cancel()
            self.throttle()
            try:
                return self.once(url)
            except _Retry as retry:
                if attempt == attempts:
                    raise FetchError(f"{retry.reason} from {url} ({attempts} attempts)") from None
                delay = retry.after
                if delay is None:
                    delay = self.policy.backoff * 2 ** (attempt - 1) * (1 + self.policy.jitter() / 2)
                delay = max(0.0, min(delay, self.policy.max_delay))
                self.progress(day, f"{retry.reason}; retry {attempt + 1} of {attempts} in {delay:.1f} s", "retry")
                self.pause(delay)
        raise AssertionError("not reached")

    def throttle(self) -> None:
        if self.last_start is not None:
            wait = self.last_start + self.policy.interval - self.policy.clock()
            if wait > 0:
                self.pause(wait)
        self.last_start = self.policy.clock()

    def once(self, url: str) -> bytes:
        request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept": "application/json"})
        try:
            response = self.opener.open(request, timeout=self.policy.timeout)
        except urllib.error.HTTPError as error:
            with error:
                code = error.code
                if code == 404:
                    raise _NoPapers() from None
                if code == 429 or 500 <= code <= 599:
                    raise _Retry(f"HTTP {code}", _retry_after(error.headers.get("Retry-After"))) from None
                detail = _api_message(_loads(error.read(4096)))
                raise FetchError(f"HTTP {code} from {url}{detail}") from None
        except urllib.error.URLError as error:
            raise self.network_error(error.reason, url) from None
        except (OSError, http.client.HTTPException) as error:
            raise self.network_error(error, url) from None
        with response:
            try:
                return self.read(response, url)
            except (OSError, http.client.HTTPException) as error:
                raise self.network_error(error, url) from None

    def read(self, response: http.client.HTTPResponse, url: str) -> bytes:
        """The body in chunks: refused past `max_bytes`, given up when it trickles too long."""
        cap = self.policy.max_bytes
        too_big = FetchError(f"answer from {url} is larger than {_size(cap)}; not read")
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > cap:
            raise too_big
        deadline = self.policy.clock() + 3 * self.policy.timeout
        chunks: list[bytes] = []
        total = 0
        while chunk := response.read1(_CHUNK):
            total += len(chunk)
            if total > cap:
                raise too_big
            chunks.append(chunk)
            self.check_cancel()
            if self.policy.clock() > deadline:
                raise _Retry(f"answer still arriving after {3 * self.policy.timeout:g} s")
        return b"".join(chunks)

    def network_error(self, reason: object, url: str) -> Exception:
        """Offline and refused stop the run; timeouts and resets are retried; the rest fail."""
        if isinstance(reason, TimeoutError):
            return _Retry(f"no answer within {self.policy.timeout:g} s")
        if isinstance(reason, socket.gaierror):
            return Unreachable(f"cannot reach {self.base}: host not found ({_describe(reason)})")
        if isinstance(reason, ssl.SSLCertVerificationError):
            return Unreachable(f"cannot reach {self.base}: {reason.verify_message or 'untrusted certificate'}")
        if isinstance(reason, OSError) and reason.errno in _OFFLINE:
            return Unreachable(f"cannot reach {self.base}: {_describe(reason)}")
        if isinstance(reason, http.client.RemoteDisconnected):
            return _Retry("connection closed without an answer")
        if isinstance(reason, http.client.IncompleteRead):
            return _Retry("answer cut short")
        if isinstance(reason, OSError | http.client.HTTPException):
            return _Retry(_describe(reason))
        return FetchError(f"cannot fetch {url}: {_describe(reason)}")


def _retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header, a number or an HTTP date; None when unreadable."""
    value = (value or "").strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    when = when if when.tzinfo else when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - dt.datetime.now(dt.UTC)).total_seconds())


def _loads(data: bytes) -> object:
    try:
        return json.loads(data.decode("utf-8-sig"))
    except (ValueError, RecursionError):  # JSONDecodeError and UnicodeDecodeError included
        return None


def _api_message(value: object) -> str:
    """`: message` from the API's own `{"error": ...}` object, or nothing."""
    message = (value.get("error") or value.get("message")) if isinstance(value, dict) else None
    return f": {' '.join(message.split())[:200]}" if isinstance(message, str) else ""


def _json_array(data: bytes, url: str) -> list[object]:
    try:
        value = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as error:
        raise FetchError(f"answer from {url} is not UTF-8 (offset {error.start})") from None
    except json.JSONDecodeError as error:
        where = f"line {error.lineno} column {error.colno}"
        raise FetchError(f"not valid JSON from {url}: {error.msg} at {where}") from None
    except (RecursionError, ValueError):
        raise FetchError(f"not readable JSON from {url}") from None
    if not isinstance(value, list):
        raise FetchError(f"a JSON {type(value).__name__}, not a list of papers, from {url}{_api_message(value)}")
    return value


def _item_key(item: object) -> str:
    """The paper id when there is one; otherwise the item itself, canonically."""
    paper = item.get("paper") if isinstance(item, dict) else None
    if isinstance(paper, dict) and isinstance(paper.get("id"), str):
        return f"id:{paper['id']}"
    return "json:" + json.dumps(item, sort_keys=True)


def _describe(error: object) -> str:
    text = " ".join(str(getattr(error, "strerror", None) or error or type(error).__name__).split())[:200]
    return text[:1].lower() + text[1:]


def _size(count: int) -> str:
    return f"{count / (1 << 20):g} MB" if count >= 1 << 20 else f"{count:,} bytes"
