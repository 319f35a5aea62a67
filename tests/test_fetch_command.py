"""`broadsheet fetch` end to end: a local API on 127.0.0.1, the library in a temporary home."""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import pytest
from tests.test_fetch import DAY, FIXTURES, ITEMS, RAW_DAY, FakeApi, FakeTime, Reply, api, closed_port_url, items

from broadsheet import cli, fetch, paths
from broadsheet.commands import fetch_command
from broadsheet.commands.common import CommandError

__all__ = ["api"]  # the fixture, shared with test_fetch
STORED = "hf-daily-2024-10-25.json"


@pytest.fixture(autouse=True)
def command(monkeypatch: pytest.MonkeyPatch) -> FakeTime:
    """`fetch` registered whether or not cli.py has it yet, with fake time for retries and spacing."""
    monkeypatch.setitem(cli.SUBCOMMANDS, "fetch", (fetch_command.build_parser, fetch_command.run))
    clock = FakeTime()
    monkeypatch.setattr(fetch_command, "POLICY", clock.policy(timeout=20.0))
    return clock


def main(*args: str) -> int:
    return cli.main(["fetch", *args])


def lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line]


def test_a_day_lands_in_the_library_and_is_listed(api: FakeApi, capsys: pytest.CaptureFixture[str]) -> None:
    api.on(DAY, Reply(body=RAW_DAY))
    assert main("--date", "2024-10-25", "--api-url", api.url) == 0
    out, err = capsys.readouterr()
    assert out == f"{STORED}: added 4 papers (4 new, 0 merged), skipped 0\n"
    assert err == "fetching 2024-10-25 … 4 papers\n"
    stored = paths.library_dir() / STORED
    assert json.loads(stored.read_bytes()) == ITEMS
    assert cli.main(["library"]) == 0
    listing = capsys.readouterr().out
    assert listing.startswith(f"{STORED}\t") and "1 listings, 4 papers" in listing


def test_refetching_keeps_one_file_per_day(api: FakeApi, capsys: pytest.CaptureFixture[str]) -> None:
    api.on(DAY, Reply(body=RAW_DAY))
    main("--date", "2024-10-25", "--api-url", api.url)
    capsys.readouterr()
    assert main("--date", "2024-10-25", "--api-url", api.url) == 0
    assert capsys.readouterr().out == f"{STORED}: already in the library (4 papers)\n"
    voted = [dict(item, paper=dict(item["paper"], upvotes=item["paper"]["upvotes"] + 1)) for item in ITEMS]
    api.on(DAY, items([*voted, {"title": ""}]))
    assert main("--date", "2024-10-25", "--api-url", api.url) == 0
    out = lines(capsys.readouterr().out)
    assert out[0] == f"{STORED}: added 4 papers (0 new, 4 merged), skipped 1 (replaced the earlier copy)"
    assert out[1] == f"  skipped {STORED}:5: entry without a title, skipped"
    assert [p.name for p in paths.library_dir().iterdir()] == [STORED]
    assert json.loads((paths.library_dir() / STORED).read_bytes())[0]["paper"]["upvotes"] == 65


def test_the_api_url_can_come_from_the_environment(api: FakeApi, monkeypatch: pytest.MonkeyPatch) -> None:
    api.on(DAY, Reply(body=RAW_DAY))
    monkeypatch.setenv(fetch.ENV_BASE_URL, api.url)
    assert main("--date", "2024-10-25", "--limit", "10") == 0
    assert api.requests[0]["limit"] == "10"


def test_a_week_keeps_going_past_empty_and_broken_days(api: FakeApi, capsys: pytest.CaptureFixture[str]) -> None:
    api.on("2024-10-24", Reply(body=(FIXTURES / "malformed-truncated.json").read_bytes()))
    api.on(DAY, Reply(body=RAW_DAY))
    assert main("--week", "2024-W43", "--api-url", api.url) == 0
    out, err = capsys.readouterr()
    assert [r["date"] for r in api.requests] == [f"2024-10-{day}" for day in range(21, 28)]
    assert lines(out) == [
        "no papers for 2024-10-21",
        "no papers for 2024-10-22",
        "no papers for 2024-10-23",
        f"{STORED}: added 4 papers (4 new, 0 merged), skipped 0",
        "no papers for 2024-10-26",
        "no papers for 2024-10-27",
    ]
    assert "fetching 2024-10-24 … failed" in lines(err)
    (failure,) = [line for line in lines(err) if line.startswith("broadsheet:")]
    url = f"{api.url}/api/daily_papers?date=2024-10-24&p=0&limit=50"
    assert failure.startswith(f"broadsheet: not fetched: 2024-10-24: not valid JSON from {url}: ")


def test_nothing_fetched_is_one_line_and_status_2(api: FakeApi, capsys: pytest.CaptureFixture[str]) -> None:
    api.on(DAY, Reply(500))
    assert main("--date", "2024-10-25", "--api-url", api.url) == 2
    err = lines(capsys.readouterr().err)
    url = f"{api.url}/api/daily_papers?date=2024-10-25&p=0&limit=50"
    assert [line for line in err if line.startswith("broadsheet:")] == [
        f"broadsheet: 2024-10-25: HTTP 500 from {url} (4 attempts)"
    ]
    assert not paths.library_dir().exists()


def test_offline_is_one_line_and_status_2(capsys: pytest.CaptureFixture[str]) -> None:
    url = closed_port_url()
    assert main("--week", "2024-W43", "--api-url", url) == 2
    out, err = capsys.readouterr()
    assert out == "" and err == f"broadsheet: cannot reach {url}: connection refused\n"


def test_a_month_with_only_empty_days_hints_at_the_url(api: FakeApi, capsys: pytest.CaptureFixture[str]) -> None:
    assert main("--month", "2024-02", "--api-url", api.url) == 0
    out, err = capsys.readouterr()
    assert len(lines(out)) == 29 and len(api.requests) == 29
    assert err.endswith(f"broadsheet: every day answered 404: is {api.url} the papers API?\n")


def test_a_listing_the_loader_refuses_is_not_stored(api: FakeApi, capsys: pytest.CaptureFixture[str]) -> None:
    api.on(DAY, items([{"paper": {"id": "2410.00001"}, "title": ""}]))  # the loader could not read it back
    assert main("--date", "2024-10-25", "--api-url", api.url) == 2
    out, err = capsys.readouterr()
    assert out.startswith(f"{STORED}: not stored: no papers found")
    assert err.endswith("broadsheet: 2024-10-25: no papers found (entry without a title, skipped at entry 1)\n")


def test_a_junk_file_in_the_library_does_not_block_fetching(api: FakeApi, capsys: pytest.CaptureFixture[str]) -> None:
    paths.library_dir().mkdir(parents=True)
    (paths.library_dir() / "junk.txt").write_text("hello\n")
    api.on(DAY, Reply(body=RAW_DAY))
    assert main("--date", "2024-10-25", "--api-url", api.url) == 0
    assert "added 4 papers (4 new, 0 merged)" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--date", "2024-13-01"], "not a date"),
        (["--week", "2024-W53"], "not an ISO week"),
        (["--month", "2024-00"], "not a month"),
        (["--date", "2024-10-25", "--week", "2024-W43"], "not allowed with"),
        (["--limit", "0"], "out of range"),
        (["--timeout", "soon"], "not a number"),
    ],
)
def test_bad_arguments_are_usage_errors(argv: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(*argv)
    assert stopped.value.code == 2 and message in capsys.readouterr().err


def test_a_bad_api_url_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main("--api-url", "ftp://example.org") == 2
    assert "not an http(s) base URL" in capsys.readouterr().err


def test_days_are_chosen_up_to_today() -> None:
    today = dt.date(2024, 10, 23)

    def days(**given: Any) -> list[dt.date]:
        return fetch_command.chosen_days(
            argparse.Namespace(**({"date": None, "week": None, "month": None} | given)), today
        )

    assert days() == [today]
    assert days(week=fetch_command.days_in_week("2024-W43")) == [dt.date(2024, 10, d) for d in (21, 22, 23)]
    assert len(fetch_command.days_in_month("2024-02")) == 29 and len(fetch_command.days_in_week("2020-W53")) == 7
    assert fetch_command.days_in_month("2024-12")[-1] == dt.date(2024, 12, 31)
    with pytest.raises(CommandError, match="2024-10-24 is in the future"):
        days(date=dt.date(2024, 10, 24))
    with pytest.raises(CommandError, match="2024-11-01 to 2024-11-30 is in the future"):
        days(month=fetch_command.days_in_month("2024-11"))


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_gets_a_live_page_counter() -> None:
    screen = Terminal()
    shown = fetch_command.ProgressLine(screen)
    for text, kind in [("page 1", "page"), ("HTTP 503; retry 2 of 4 in 1.0 s", "retry"), ("page 2, 50 papers", "page")]:
        shown(fetch.Progress(DAY, text, kind))  # type: ignore[arg-type]
    shown(fetch.Progress(DAY, "80 papers", "done"))
    assert screen.getvalue() == (
        "\r\x1b[Kfetching 2024-10-25 … page 1"
        "\r\x1b[Kfetching 2024-10-25 … HTTP 503; retry 2 of 4 in 1.0 s"
        "\r\x1b[Kfetching 2024-10-25 … page 2, 50 papers"
        "\r\x1b[Kfetching 2024-10-25 … 80 papers\n"
    )
    piped = io.StringIO()
    shown = fetch_command.ProgressLine(piped)
    for text, kind in [("page 1", "page"), ("HTTP 503; retry 2 of 4 in 1.0 s", "retry"), ("80 papers", "done")]:
        shown(fetch.Progress(DAY, text, kind))  # type: ignore[arg-type]
    assert (
        piped.getvalue() == "fetching 2024-10-25 … HTTP 503; retry 2 of 4 in 1.0 s\nfetching 2024-10-25 … 80 papers\n"
    )


def test_the_reader_api_fetches_then_stores(api: FakeApi, command: FakeTime) -> None:
    api.on(DAY, Reply(body=RAW_DAY))
    api.on("2024-10-26", Reply(body=b"[oops"))
    report = fetch.fetch_days([DAY, DAY + dt.timedelta(days=1)], base_url=api.url, policy=fetch_command.POLICY)
    assert fetch_command.store_days(report) == [f"{STORED}: added 4 papers (4 new, 0 merged), skipped 0"]
    (failure,) = fetch_command.failure_lines(report)
    assert failure.startswith("2024-10-26: not valid JSON from ")
    assert fetch_command.store_days(report) == [f"{STORED}: already in the library (4 papers)"]
    assert Path(paths.library_dir() / STORED).exists()
