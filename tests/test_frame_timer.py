"""The reader's screen draws a frame as soon as one is asked for, at most one per period."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from tests.reader_fixtures import PLAIN_TITLES, write_listing
from tests.test_reader import args_for
from textual._context import active_app

from broadsheet.commands.reader import make_app
from broadsheet.tui import frame_timer
from broadsheet.tui.frame_timer import FrameTimer, ReaderScreen

PERIOD = 1 / 60


class _App:
    """What a timer's tick asks of the app."""

    _exit = False
    features: frozenset[str] = frozenset()

    def _handle_exception(self, error: Exception) -> None:
        raise error


class _Target:
    pass


async def test_a_frame_comes_at_once_unless_the_last_was_less_than_a_period_ago(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = [100.0]
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(round(seconds, 6))
        clock[0] += seconds
        await asyncio.sleep(0)

    monkeypatch.setattr(frame_timer, "monotonic", lambda: clock[0])
    monkeypatch.setattr(frame_timer, "sleep", sleep)
    ticks: list[float] = []
    target = _Target()

    def tick() -> None:
        ticks.append(round(clock[0], 6))
        timer.pause()  # as the screen does in its update

    token = active_app.set(_App())  # type: ignore[arg-type]
    try:
        timer = FrameTimer(target, PERIOD, callback=tick, pause=True)
        timer._start()

        async def ask() -> None:
            timer.resume()
            for _ in range(5):
                await asyncio.sleep(0)

        await ask()
        assert ticks == [100.0] and slept == []  # the first frame: at once
        clock[0] += 3 * PERIOD  # a key long after the last frame: at once, no sleep
        await ask()
        assert ticks == [100.0, round(100 + 3 * PERIOD, 6)] and slept == []
        clock[0] += 0.005  # soon after a frame: one period after it, not later
        await ask()
        assert slept == [round(PERIOD - 0.005, 6)]
        assert ticks[-1] == round(100 + 4 * PERIOD, 6)
        await ask()  # asked while none is due, after a frame: waits a period from it
        assert ticks[-1] == round(100 + 5 * PERIOD, 6)
        timer.stop()
    finally:
        active_app.reset(token)


async def test_the_readers_screen_draws_through_a_frame_timer(tmp_path: Path) -> None:
    app = make_app(args_for([write_listing(tmp_path, PLAIN_TITLES)], tmp_path / "state.toml"))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ReaderScreen)
        assert isinstance(app.screen._update_timer, FrameTimer)
        assert app.screen._update_timer is app.screen._update_timer  # made once
