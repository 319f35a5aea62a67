"""Reading state: which papers are starred and read, in one crash-safe, mergeable TOML file.

The file (`state.toml`, see broadsheet.paths.state_file) looks like this::

    # broadsheet reading state: stars and read marks. Safe to edit by hand, even while it runs.
    # (... the file repeats this layout description in its header ...)
    schema = 1
    snapshot = "2024-05-03T10:00:00.123456Z-4242-9f3a"
    papers = [
      'arxiv:1706.03762 | starred 2024-05-01T10:00:00.000000Z | read 2024-05-01T09:58:12.000000Z | Attention Is All You Need',
      'arxiv:2401.00001 | unstarred 2024-05-02T08:00:00.000000Z | - | Some Paper',
      "title:dont stop pretraining | - | read 2024-05-02T08:00:00.000000Z | Don't Stop Pretraining",
    ]
    aliases = [
      'title:attention is all you need | arxiv:1706.03762 | 2024-05-03T00:00:00.000000Z',
    ]

    [[log]]
    key = "arxiv:2401.00001"
    title = "Some Paper"
    starred = true
    starred_at = "2024-05-03T10:00:01.000000Z"

    [[log]]
    key = "title:a paper"
    alias = "arxiv:2402.00002"
    at = "2024-05-03T10:00:02.000000Z"

- `schema`: the layout version. A newer one is refused (StateVersionError), never rewritten.
- `snapshot`: identifies the last full rewrite; it tells a hand edit from another instance's.
- `papers`: one row per paper, sorted by key: `KEY | STAR | READ | TITLE`. STAR is
  `starred TIME`, `unstarred TIME` or `-` (never set); READ is `read TIME`, `unread TIME` or
  `-`. TIME is UTC, RFC 3339, when that value last changed. An unstar is kept as
  `unstarred TIME` so that it beats an older star when copies merge.
- `aliases`: `OLD KEY | NEW KEY | TIME`: a paper first known by title got its arXiv id; state
  recorded under the old key, by any instance, belongs to the new one.
- `[[log]]`: changes appended since the last rewrite (one small append + fsync per save); they
  are folded into `papers` when more than 256 pile up. Each carries `key`, `title` and
  `starred`/`starred_at` and/or `read`/`read_at` -- or `alias` and `at`.

Rows are TOML strings rather than tables because tomllib parses one string per paper about
ten times faster than a table per paper (10k papers load in well under 150 ms).

Merging (between instances, with hand edits, or `merge_from`) keeps for each paper and each
of `starred` and `read` the value with the later TIME. Editing by hand: change a value and
either keep or delete its TIME -- the edit then counts as made when the file was saved;
delete a row to unstar and unread it. Comments are not preserved by rewrites.

Next to the file: `state.toml.bak` (the version before the last full rewrite),
`state.toml.lock` (an advisory lock held only while reading-merging-writing) and, after a
recovery, `state.toml.corrupt-<UTC time>` (an unreadable file, set aside untouched).

Use::

    state = ReadingState(on_warning=lambda m: print(m, file=sys.stderr))
    install_signal_handlers()          # CLI only; the TUI calls flush()/close() itself
    state.toggle_star(paper.key, paper.title)
    state.flush()                      # optional: returns once it is on disk
"""

from .errors import StateClosedError, StateCorruptError, StateError, StateVersionError, StateWriteError
from .lifecycle import install_signal_handlers
from .store import Counts, Item, PaperState, ReadingState

__all__ = [
    "Counts",
    "Item",
    "PaperState",
    "ReadingState",
    "StateClosedError",
    "StateCorruptError",
    "StateError",
    "StateVersionError",
    "StateWriteError",
    "install_signal_handlers",
]
