"""The cyclic garbage collector, paused while the `broadsheet` command starts.

Start-up allocates what lives as long as the process: modules, classes, widgets, the papers.
The collector's runs in that time walk those objects only to keep them all (about 10 ms of
the reader's ~0.18 s warm start at 10k papers). So the entry point pauses the collector
before its imports, and whoever has finished starting (the reader at its first paint, a
subcommand once chosen) resumes it.

Resuming freezes what exists first: the collector's next runs then see only what is made
afterwards, instead of walking every start-up object at the first young collection. The
price: the cyclic garbage made before the first paint is frozen with the rest and never
freed. It is small and made once (~500 objects after the imports; ~2,700 at the first
paint of a 160x50 screen, mostly Textual's strip caches), where collecting it first would
walk every start-up object, ~1M at 100k papers, on the UI thread.
"""

from __future__ import annotations

import gc

_paused = False  # this module turned the collector off, and nobody has resumed it yet


def pause() -> None:
    """Turn the collector off until `resume()`; nothing when something else turned it off."""
    global _paused
    if gc.isenabled():
        gc.disable()
        _paused = True


def resume() -> None:
    """If `pause()` turned the collector off: freeze what start-up made, and turn it back on."""
    global _paused
    if _paused:
        _paused = False
        gc.freeze()
        gc.enable()
