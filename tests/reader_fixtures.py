"""Listings written for the reader's tests, hostile titles included."""

from __future__ import annotations

from pathlib import Path

ABSTRACT = "We study a problem carefully and report results on several benchmarks. " * 6

HOSTILE_TITLES = [
    "[bold]Not Bold[/bold] and a stray [/] closing tag",
    "[Re] Reproducing [MASK] Tokens with [link=https://evil.example]links[/link]",
    "Escape \x1b[31mRED\x1b[0m and a bell \x07 in a title",
    "Right-to-left \u202eevil override\u202c and עברית text",
    "Emoji 🧪🔬 and a verylongwordthatneverendsverylongwordthatneverendsverylongwordthatneverends",
]


def write_listing(folder: Path, titles: list[str], name: str = "page.txt") -> Path:
    """A daily-papers dump: dated entries with upvotes, newest first, page year 2025."""
    parts = ["Daily Papers\n\nDec 16\n"]
    for number, title in enumerate(titles):
        month = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][11 - number % 12]
        parts.append(
            f"{title}\n\n{ABSTRACT}{title.split()[0]}\n\n"
            f"  • {number + 1} authors\n·\n{month} {1 + number % 27}, 2024 {number}\n"
        )
    path = folder / name
    path.write_text("\n".join(parts), encoding="utf-8")
    return path


PLAIN_TITLES = [
    "Diffusion Models for Video Generation",
    "Sparse Attention at Scale",
    "Reinforcement Learning from Human Feedback Revisited",
    "Tokenizer-Free Speech Models",
    "Graph Neural Networks for Chips",
    "Efficient Inference with Speculative Decoding",
]


async def settle(app, pilot) -> None:  # type: ignore[no-untyped-def]
    """Wait for the full search index and for every search it triggered to land on screen."""
    import asyncio
    import time

    from textual.worker import WorkerState

    deadline = time.monotonic() + 30
    while not app.library.engine.wait(0):  # the reader starts indexing after its first frame
        assert time.monotonic() < deadline, "the search index never completed"
        await asyncio.sleep(0.01)
    for _ in range(400):
        await pilot.pause()
        busy = any(w.state in (WorkerState.PENDING, WorkerState.RUNNING) for w in app.workers)
        if not busy and app.library.index_progress() is None and not app._message_queue.qsize():  # noqa: SLF001
            break
    await pilot.pause()
