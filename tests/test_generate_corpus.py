"""The benchmark corpus generator writes dumps shaped like the real Daily Papers seeds.

Checked with regexes only, so these tests do not depend on the dump parser.
"""

from __future__ import annotations

import importlib.util
import re
import sys
import unicodedata
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "bench" / "generate_corpus.py"
HEADER = re.compile(
    r"\Anew\n\nGet trending papers in your email inbox!\n\nSubscribe\n\n(?:Daily Papers\n\n)?"
    r"byAK and the research community\n\n(?:Oct|Nov|Dec) \d{1,2}\n\n"
)
MONTH = "(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
ENTRY = re.compile(
    r"(?P<title>[^\n]{3,399})\n\n(?P<abstract>[^\n]{300,1920})"
    r"(?:\n\n(?P<who>  • \d{1,3} authors|[A-Za-z0-9][\w.-]* [^\n]+)\n·\n"
    rf"(?P<month>{MONTH}) (?P<day>\d{{1,2}})(?:, (?P<year>\d{{4}}))?(?: (?P<upvotes>\d{{1,3}}))?)?"
)


@pytest.fixture(scope="module")
def gen() -> ModuleType:
    spec = importlib.util.spec_from_file_location("generate_corpus", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up here
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def builtin(gen: ModuleType) -> object:
    return gen.load_vocabulary(None)


def key(title: str) -> str:
    folded = unicodedata.normalize("NFKC", title).casefold()
    return " ".join(re.sub(r"[\W_]+", " ", folded).split())


def parse(text: str) -> list[re.Match[str]]:
    """Split a page into entries; every byte after the header must belong to one."""
    header = HEADER.match(text)
    assert header, text[:300]
    body = text[header.end() :]
    assert not body.endswith("\n")  # like the seeds
    entries = []
    for block in re.split(r"\n\n(?=[^\n]+\n\n[^\n]{300})", body):
        match = ENTRY.fullmatch(block)
        assert match, block[:500]
        entries.append(match)
    return entries


def test_small_dump_has_the_seed_shape(gen: ModuleType, builtin: object, tmp_path: Path) -> None:
    out = tmp_path / "dump.txt"
    gen.write_corpus(50, out, seed=7, vocabulary=builtin)
    entries = parse(out.read_text(encoding="utf-8"))

    assert len({key(m["title"]) for m in entries}) == 50  # exactly N distinct papers
    assert 50 <= len(entries) < 60
    for match in entries:
        assert 2 <= len(match["title"].split()) <= 25
        if match["year"]:
            assert 2000 < int(match["year"]) < gen.PAGE_YEAR  # a page never shows its own year
        elif match["month"]:
            assert match["month"] not in ("Oct", "Nov", "Dec")  # yearless dates precede the page date


def test_generate_yields_distinct_papers_and_repeats(gen: ModuleType, builtin: object) -> None:
    entries = list(gen.generate(2000, seed=3, vocabulary=builtin))
    titles = [entry.split("\n", 1)[0] for entry in entries]
    assert len({key(t) for t in titles}) == 2000
    assert 0.02 < (len(entries) - 2000) / len(entries) < 0.09  # ~5% repeats
    assert len(list(gen.generate(300, seed=3, vocabulary=builtin, repeat=0))) == 300

    matches = [ENTRY.fullmatch(entry) for entry in entries]
    assert all(matches)
    with_meta = [m for m in matches if m and m["who"]]
    assert 0.05 < 1 - len(with_meta) / len(entries) < 0.18  # ~10% without metadata
    share = lambda test: sum(1 for m in with_meta if test(m)) / len(with_meta)  # noqa: E731
    assert 0.03 < share(lambda m: not m["who"].startswith("  • ")) < 0.15  # organization lines
    assert 0.2 < share(lambda m: not m["year"]) < 0.4  # yearless dates
    assert 0.15 < share(lambda m: m["upvotes"]) < 0.32
    assert 0.45 < sum(":" in t for t in titles) / len(titles) < 0.8
    assert any(t.endswith("?") for t in titles) and any(re.search(r"\d", t) for t in titles)
    assert any(re.search(r"[\[(]", t) for t in titles)
    lengths = [len(m["abstract"]) for m in matches if m]
    assert 1400 < sum(lengths) / len(lengths) < 1800


def test_same_seed_same_corpus(gen: ModuleType, builtin: object) -> None:
    first = list(gen.generate(40, seed=5, vocabulary=builtin))
    assert first == list(gen.generate(40, seed=5, vocabulary=builtin))
    assert first != list(gen.generate(40, seed=6, vocabulary=builtin))


def test_words_follow_a_zipf_law(gen: ModuleType, builtin: object) -> None:
    counts: dict[str, int] = {}
    for entry in gen.generate(300, seed=2, vocabulary=builtin):
        for word in re.findall(r"[a-z]+", entry.split("\n\n")[1].lower()):
            counts[word] = counts.get(word, 0) + 1
    ranked = sorted(counts.values(), reverse=True)
    assert len(ranked) > 1000
    assert ranked[0] > 5 * ranked[20] > 5 * 5 * ranked[400]


def test_pages_split_over_files(gen: ModuleType, builtin: object, tmp_path: Path) -> None:
    gen.write_corpus(50, tmp_path / "pages", seed=1, files=3, vocabulary=builtin)
    pages = sorted((tmp_path / "pages").iterdir())
    assert [p.name for p in pages] == ["000_daily_papers.txt", "001_daily_papers.txt", "002_daily_papers.txt"]
    entries = [m for page in pages for m in parse(page.read_text(encoding="utf-8"))]
    assert len({key(m["title"]) for m in entries}) == 50


def test_seed_words_are_used_when_present(gen: ModuleType, tmp_path: Path) -> None:
    page = tmp_path / "seed.txt"
    abstract = "Quokkas outperform wombats on zebrafish benchmarks. " * 8
    page.write_text(f"new\n\nTitle: Quokka Wombat Models\n\n{abstract}\n\n  • 3 authors\n·\nMay 4", encoding="utf-8")
    vocab = gen.load_vocabulary(tmp_path)
    assert "wombats" in vocab.words.words and "Models" in vocab.heads.words
    assert next(gen.generate(1, vocabulary=vocab))  # even a tiny vocabulary makes papers
    builtin = gen.builtin_ranked_words()
    assert gen.load_vocabulary(tmp_path / "absent").words.words == builtin
    (tmp_path / "junk.txt").write_text("no entries here", encoding="utf-8")
    page.unlink()
    assert gen.load_vocabulary(tmp_path).words.words == builtin


def test_real_seed_words(gen: ModuleType, tmp_path: Path) -> None:
    if not gen.SEEDS_DIR.is_dir():
        pytest.skip(f"{gen.SEEDS_DIR} is absent (it sits beside the repository in CI)")
    out = tmp_path / "dump.txt"
    gen.write_corpus(50, out, seed=1)
    assert len({key(m["title"]) for m in parse(out.read_text(encoding="utf-8"))}) == 50


def test_cli(gen: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out" / "c.txt"
    assert gen.main(["--papers", "20", "--out", str(out), "--seed", "2", "--builtin-words"]) == 0
    assert len({key(m["title"]) for m in parse(out.read_text(encoding="utf-8"))}) == 20
    assert "20 papers" in capsys.readouterr().err
