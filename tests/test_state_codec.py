"""The file's text: everything written parses with tomllib and reads back the same."""

from __future__ import annotations

import re
import tomllib

import pytest
from hypothesis import given
from hypothesis import strategies as st

import broadsheet.state as state_pkg
from broadsheet.state.codec import format_changes, format_state, parse_log_tail, parse_state
from broadsheet.state.errors import StateCorruptError, StateVersionError
from broadsheet.state.records import AliasChange, Entry, StateData, check_key

T1, T2 = "2024-05-01T10:00:00.000000Z", "2024-05-02T10:00:00.000000Z"
Q3 = "'" * 3
NOW = "2024-06-01T00:00:00.000000Z"


def _valid_key(text: str) -> bool:
    try:
        check_key(text)
        text.encode("utf-8")
        return True
    except ValueError:
        return False


keys = st.text(min_size=1, max_size=20).filter(_valid_key)
titles = st.text(max_size=40).map(lambda t: t.strip()).filter(lambda t: _valid_key(t or "x"))
any_titles = st.text(max_size=40).filter(lambda t: t == t.strip() and _valid_key("k") and "\ud800" not in t)
stamps = st.sampled_from(["", T1, T2])


@st.composite
def states(draw: st.DrawFn) -> StateData:
    data = StateData()
    for key in draw(st.lists(keys, max_size=8, unique=True)):
        sa, ra = draw(stamps), draw(stamps)
        data.merge_entry(
            Entry(key, draw(any_titles), draw(st.booleans()) and bool(sa), sa, draw(st.booleans()) and bool(ra), ra)
        )
    for old, new in draw(st.lists(st.tuples(keys, keys), max_size=3)):
        data.add_alias(AliasChange(old, new, T1))
    return data


def _surrogate_free(text: str) -> bool:
    try:
        text.encode("utf-8")
        return True
    except UnicodeEncodeError:
        return False


@given(states())
def test_format_round_trips_through_tomllib(data: StateData) -> None:
    text = format_state(data, "snap")
    tomllib.loads(text)  # valid TOML
    parsed = parse_state(text, NOW)
    assert parsed.data.view() == data.view()
    assert not parsed.rewrite and parsed.appendable and parsed.snapshot == "snap"


@given(st.text(max_size=60).filter(_surrogate_free))
def test_any_title_survives(title: str) -> None:
    data = StateData()
    data.merge_entry(Entry("arxiv:1", title.strip(), True, T1))
    parsed = parse_state(format_state(data, "s"), NOW)
    assert parsed.data.entries["arxiv:1"].title == title.strip()


@given(states(), st.lists(st.tuples(keys, any_titles, st.booleans(), st.sampled_from([T1, T2])), max_size=5))
def test_appended_log_is_valid_toml_and_overrides_rows(data: StateData, changes: list) -> None:
    log = [Entry(k, t, v, at) for k, t, v, at in changes]
    text = format_state(data, "s") + format_changes(log)
    tomllib.loads(text)
    expected = data.copy()
    for entry in log:
        expected.merge_entry(entry)
    assert parse_state(text, NOW).data.view() == expected.view()
    tail = parse_log_tail(format_changes(log), NOW)
    assert tail is not None and tail[0] == log


def test_rows_are_sorted_lines_and_quoted_only_when_they_must_be() -> None:
    data = StateData()
    data.merge_entry(Entry("arxiv:2", "B's title | with a bar", True, T1))
    data.merge_entry(Entry("arxiv:1", "A\ntitle", False, "", True, T1))
    data.merge_entry(Entry("arxiv:3", "Plain", True, T1))
    data.merge_entry(Entry("arxiv:4", "Three QQQ apostrophes".replace("QQQ", Q3), True, T1))
    text = format_state(data, "s")
    block = text[text.index("papers = [\n") :].split("\n")[2:4]
    assert block == [
        f"arxiv:2 | starred {T1} | - | B's title | with a bar",  # apostrophes need no quoting
        f"arxiv:3 | starred {T1} | - | Plain",
    ]
    assert tomllib.loads(text)["papers_quoted"] == [
        f"arxiv:1 | - | read {T1} | A\ntitle",
        f"arxiv:4 | starred {T1} | - | Three {Q3} apostrophes",
    ]
    assert parse_state(text, NOW).data.view() == data.view()


def test_docstring_layout_example_is_valid() -> None:
    doc = state_pkg.__doc__
    example = doc[doc.index("::\n") + 3 : doc.index("- `schema`")]
    text = "\n".join(line[4:] for line in example.splitlines())
    tomllib.loads(text)
    data = parse_state(text, NOW).data
    assert data.get("title:attention is all you need").key == "arxiv:1706.03762"
    assert data.get("arxiv:2401.00001").starred  # the log entry overrides the row
    assert not data.entries["title:dont stop pretraining"].starred
    assert "title:a paper" in data.aliases


def test_hand_written_rows_are_read_leniently_and_flagged_for_rewrite() -> None:
    text = (
        "schema = 1\npapers = QQQ\n"
        "# a comment, and a blank line\n\n"
        "arxiv:1 |Starred 2024-05-01T12:00:00+02:00|  -  | One\n"
        "  arxiv:2 | starred | unread | Two\n"
        "arxiv:3 | - | read 2024-05-01 | \n"
        "QQQ\n"
    ).replace("QQQ", Q3)
    parsed = parse_state(text, NOW)
    assert parsed.rewrite
    entries = parsed.data.entries
    assert entries["arxiv:1"][1:4] == ("One", True, T1)
    assert entries["arxiv:2"][1:] == ("Two", True, NOW, False, NOW)
    assert entries["arxiv:3"].read_at == "2024-05-01T00:00:00.000000Z"


def test_rows_as_one_string_per_row_or_one_block_are_read_too() -> None:
    parsed = parse_state(f"schema = 1\npapers = ['arxiv:1 | starred {T1} | - | One']\n", NOW)
    assert parsed.data.entries["arxiv:1"].starred
    parsed = parse_state(f"schema = 1\npapers = {Q3}\narxiv:1 | starred {T1} | - | One\n{Q3}\n", NOW)
    assert parsed.data.entries["arxiv:1"].starred


def test_rows_come_in_blocks_of_a_thousand() -> None:
    data = StateData()
    for n in range(2500):
        data.merge_entry(Entry(f"arxiv:{n:05d}", f"Title {n}", False, "", True, T1))
    doc = tomllib.loads(format_state(data, "s"))
    assert [block.count("\n") for block in doc["papers"]] == [1000, 1000, 500]
    assert parse_state(format_state(data, "s"), NOW).data.view() == data.view()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("papers = []\n", "schema"),
        ("schema = '1'\n", "schema"),
        ("schema = 0\n", "unknown schema"),
        ("schema = 1\nstars = []\n", "unknown keys"),
        ("schema = 1\npapers = ['arxiv:1 | maybe | - | x']\n", "papers block 1 line 1"),
        ('schema = 1\npapers = ["""\n\narxiv:1 | - | - | x\n#\narxiv:2\n"""]\n', "papers block 1 line 4"),
        ("schema = 1\npapers = [3]\n", "'papers' must be"),
        ("schema = 1\naliases = ['a']\n", "aliases block 1 line 1"),
        ("schema = 1\n[[log]]\nkey = 'a'\nstarred = 1\n[[log]]\nkey = 'b'\nstarred = true\n", "log entry 1"),
        (
            "schema = 1\n[[log]]\nkey = 'a'\ncolour = 'red'\nstarred = true\n[[log]]\nkey = 'b'\nstarred = true\n",
            "log entry 1",
        ),
        ("schema = 1\n[[log]]\nkey = 'a'\n[[log]]\nkey = 'b'\nstarred = true\n", "log entry 1"),
        ("schema = 1\npapers = [\n", "not valid TOML"),
        ("schema = 1\nlog = 3\n", "array of tables"),
    ],
)
def test_invalid_files_are_refused(text: str, message: str) -> None:
    with pytest.raises(StateCorruptError, match=re.escape(message)):
        parse_state(text, NOW)


def test_newer_schema_is_a_version_error() -> None:
    with pytest.raises(StateVersionError, match="schema 2"):
        parse_state("schema = 2\nwhatever = 'new'\n", NOW)


def test_a_cut_off_append_is_dropped_and_flagged() -> None:
    data = StateData()
    data.merge_entry(Entry("arxiv:1", "One", True, T1))
    whole = format_state(data, "s") + format_changes([Entry("arxiv:2", "Two", True, T2)])
    chunk = format_changes([Entry("arxiv:3", "Three", True, T2)])
    for cut in (5, 20, len(chunk) - 8):
        parsed = parse_state(whole + chunk[:cut], NOW)
        assert parsed.torn and not parsed.appendable
        assert sorted(parsed.data.entries) == ["arxiv:1", "arxiv:2"]
    assert parse_state(whole + "\0" * 100, NOW).torn  # power loss: zeros at the end


def test_a_static_log_array_cannot_be_appended_to() -> None:
    parsed = parse_state('schema = 1\nlog = [{key = "a", starred = true, starred_at = "2024-05-01T10:00:00Z"}]\n', NOW)
    assert not parsed.appendable and parsed.data.entries["a"].starred


def test_log_tail_must_be_log_tables_only() -> None:
    assert parse_log_tail("   \n", NOW) == ([], False)
    assert parse_log_tail("\nschema = 2\n", NOW) is None
    assert parse_log_tail("\n[[log]]\nkey = 'a'\nstarred = tr", NOW) is None
    assert parse_log_tail("\n[[log]]\nkey = 'a'\nstarred = true\n", NOW) == ([Entry("a", "", True, NOW)], True)


def test_an_incomplete_last_log_table_counts_as_cut_off() -> None:
    data = StateData()
    data.merge_entry(Entry("arxiv:1", "One", True, T1))
    text = format_state(data, "s") + format_changes([Entry("arxiv:2", "Two", True, T2)])
    parsed = parse_state(text + '\n[[log]]\nkey = "arxiv:3"\ntitle = "x"\n', NOW)  # valid TOML, no value
    assert parsed.torn and sorted(parsed.data.entries) == ["arxiv:1", "arxiv:2"]
    with pytest.raises(StateCorruptError):  # damage before the log is not a cut-off append
        parse_state(text.replace("schema = 1", "schema = 1\nbogus = 1"), NOW)


def test_rows_found_slice_by_slice_are_the_same_rows() -> None:
    from broadsheet.state.codec import _ROWS, _find_rows

    block = "".join(f"arxiv:{n} | - | read {T1} | Title {n}\n" for n in range(500))
    for size in (1, 100, 4096, 1 << 20):
        assert _find_rows(block, size) == _ROWS.findall(block)
        assert _find_rows(block[:-1], size) == _ROWS.findall(block[:-1])
