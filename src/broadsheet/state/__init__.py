"""Reading state: which papers are starred and read, in one crash-safe, mergeable TOML file.

The file (`state.toml`, see broadsheet.paths.state_file) looks like this::

    # broadsheet reading state: stars and read marks. Safe to edit by hand, even while it runs.
    # (... the file repeats the description of this layout in its header ...)
    schema = 1
    snapshot = "2024-05-03T10:00:00.123456Z-4242-9f3a"
    papers = [
    '''
    arxiv:1706.03762 | starred 2024-05-01T10:00:00.000000Z | - | Attention Is All You Need
    arxiv:2401.00001 | unstarred 2024-05-02T08:00:00.000000Z | read 2024-05-01T09:58:12.000000Z | Some Paper
    title:dont stop pretraining | - | read 2024-05-02T08:00:00.000000Z | Don't Stop Pretraining
    ''',
    ]
    aliases = [
    '''
    title:attention is all you need | arxiv:1706.03762 | 2024-05-03T00:00:00.000000Z
    ''',
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
- `papers`: multi-line literal strings (one per 1000 papers), one line per paper, sorted by
  key: `KEY | STAR | READ | TITLE`. STAR is `starred TIME`, `unstarred TIME` or `-` (never set);
  READ is `read TIME`, `unread TIME` or `-`. TIME is UTC, RFC 3339, when that value last
  changed. An unstar is kept as `unstarred TIME`, so that it beats an older star when copies
  merge. Blank lines and lines starting with `#` are ignored.
- `papers_quoted` (only when needed): rows that cannot sit in a literal string (a control
  character, or three apostrophes in a row, in a title), as an array of escaped TOML strings.
- `aliases`: lines `OLD KEY | NEW KEY | TIME`: a paper first known by title got its arXiv id;
  state recorded under the old key, by any instance, belongs to the new one.
- `[[log]]`: changes appended since the last rewrite (one small append + fsync per save); they
  are folded into `papers` once more than 256 pile up. Each carries `key`, `title` and
  `starred` + `starred_at` and/or `read` + `read_at` -- or `alias` and `at`.

Rows are lines of a few strings, not a table each, because tomllib is pure Python: 11k
tables take it ~1 s, while a string is one str.find (11k papers load in ~50-70 ms of CPU
here; see bench/state_bench.py and codec.py).

Merging (between instances, with hand edits, `merge_from` or `merge_values`) keeps for each
paper and each of `starred` and `read` the value with the later TIME (on a tie, true wins),
and the title that came with the paper's latest change. `merge_values` takes values stamped
elsewhere (`broadsheet export --with-state`); one without a time is stamped UNKNOWN_TIME
(1970-01-01T00:00:00Z), older than any real change, so it only fills a register never set.
Editing by hand: change a value and either keep or delete its TIME -- the edit then counts as
made when the file was saved; delete a line to unstar and unread a paper. `[[log]]` entries
override the lines above them, so edit those (or wait for the next rewrite). Comments are not
preserved by rewrites.

Next to the file: `state.toml.bak` (the version before the last full rewrite),
`state.toml.lock` (an advisory lock held only while reading-merging-writing) and, after a
recovery, `state.toml.corrupt-<UTC time>` (an unreadable file, set aside untouched).

Use::

    state = ReadingState(on_warning=lambda m: print(m, file=sys.stderr))
    install_signal_handlers()          # CLI only; the TUI calls flush()/close() itself
    state.toggle_star(paper.key, paper.title)
    state.flush()                      # optional: returns once it is on disk
"""

from .clock import UNKNOWN_TIME
from .errors import StateClosedError, StateCorruptError, StateError, StateVersionError, StateWriteError
from .lifecycle import install_signal_handlers
from .records import check_key
from .store import ReadingState
from .values import Counts, Item, PaperState, TimedValue

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
    "TimedValue",
    "UNKNOWN_TIME",
    "check_key",
    "install_signal_handlers",
]
