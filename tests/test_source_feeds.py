"""RSS/Atom (through feedparser) and JSON Feed: real Hugging Face scrapes, arXiv shapes, hostile XML."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from broadsheet.model import Published
from broadsheet.sources.ai_summary import split_ai_summary
from broadsheet.sources.errors import ListingError
from broadsheet.sources.feeds import (
    html_to_text,
    looks_like_feed,
    looks_like_json_feed,
    parse_feed,
    parse_json_feed,
)
from broadsheet.sources.hf_api import looks_like_hf_json

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "sources"
SHARED = Path(__file__).resolve().parents[1].parent / "shared"
PEERS = SHARED / "fixtures" / "peers-found"
RSS_2026 = PEERS / "hf-papers-rss-scrape-2026-05-30.xml"
RSS_2025 = PEERS / "hf-papers-rss-scrape-2025-03-05.xml"
needs_shared = pytest.mark.skipif(not PEERS.exists(), reason=f"shared real-world samples not present at {PEERS}")


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


# --- real Hugging Face scrapes -------------------------------------------------------------


@needs_shared
def test_real_2026_scrape_splits_ai_summaries() -> None:
    data = RSS_2026.read_bytes()
    assert looks_like_feed(data[:4096])
    result = parse_feed(data, "hf.xml")
    assert result.warnings == [] and result.entries == 59
    first = result.papers[0]
    assert first.title.startswith("AgentDoG 1.5: A Lightweight and Scalable Alignment Framework")
    assert first.arxiv_id == "2605.29801" and first.urls == ()
    assert first.published == Published(dt.date(2026, 5, 29), year_inferred=False)
    assert first.ai_summary is not None and first.ai_summary.startswith("A lightweight and scalable agent safety")
    assert first.ai_summary.endswith("efficient deployment in real-world scenarios.")
    assert first.abstract.startswith("Modern open-world agents such as OpenClaw")
    assert sum(p.ai_summary is not None for p in result.papers) == 58
    for paper in result.papers:
        assert not paper.abstract.startswith("Abstract") and "AI-generated summary" not in paper.abstract
        assert paper.arxiv_id and paper.published and "\t" not in paper.abstract
    no_summary = result.papers[52]  # "Abstract" followed by an empty summary and no marker
    assert no_summary.ai_summary is None and no_summary.abstract.startswith("Discrete diffusion models")
    assert "clears >=30% on GPT-medium and >=70% on Gemini, vs <=3.1% for" in result.papers[31].abstract
    assert "Flaw Identification & Major Issues" in result.papers[25].abstract
    assert any(p.title.startswith("CoHyDE: Iterative Co-Training of LLM Rewriter & Dense") for p in result.papers)


@needs_shared
def test_real_2025_scrape_has_plain_abstracts() -> None:
    result = parse_feed(RSS_2025.read_bytes(), "hf-2025.xml")
    assert result.warnings == [] and len(result.papers) == 13
    assert all(p.ai_summary is None for p in result.papers)
    first = result.papers[0]
    assert (first.title, first.arxiv_id) == ("MPO: Boosting LLM Agents with Meta Plan Optimization", "2503.02682")
    assert first.abstract.startswith("Recent advancements in large language models (LLMs) have enabled")
    assert first.published == Published(dt.date(2025, 3, 5))
    assert [s.line for p in result.papers[:3] for s in p.sources] == [1, 2, 3]


# --- arXiv shapes ----------------------------------------------------------------------------


def test_arxiv_api_atom() -> None:
    result = parse_feed(fixture("arxiv-api.atom"), "api.atom")
    new, old = result.papers
    assert new.title == "Sparse Mixtures of Tiny Experts for Long-Context Language Modelling"
    assert new.arxiv_id == "2401.01234"
    assert new.abstract == (
        "We study sparse mixtures of small experts for long contexts. When $n<m$ the router collapses; "
        "we show a simple fix & evaluate it on three benchmarks."
    )
    assert new.authors == ("Ada Lovelace", "Alan Turing") and new.authors_count == 2
    assert new.published == Published(dt.date(2024, 1, 2))  # <published>, not <updated>
    assert new.urls == ("http://dx.doi.org/10.1234/example.5678",)  # the abs and pdf pages follow from the id
    assert old.arxiv_id == "hep-th/9901001"
    assert old.abstract.startswith("Abstract reasoning about strings")  # the word, not a label
    assert [(w.line, w.reason) for w in result.warnings] == [(3, "entry without a title, skipped")]


def test_arxiv_api_error_feed_is_a_listing_error() -> None:
    with pytest.raises(ListingError) as caught:
        parse_feed(fixture("arxiv-api-error.atom"), "err.atom")
    assert caught.value.reason == "arXiv API error: incorrect id format for 1234.1234"


def test_arxiv_rss() -> None:
    result = parse_feed(fixture("arxiv-rss.xml"), "cs.CL.rss")
    first, cross = result.papers
    assert first.title == "Counting Tokens Is Hard: A Study of $x<y$ Comparisons"
    assert first.abstract == "Models fail when $x<y$ and f(x)<g(x) hold & we show why."
    assert first.arxiv_id == "2401.02415"
    assert first.authors == ("Ada Lovelace", "Alan Turing", "Grace Hopper")
    assert first.published == Published(dt.date(2024, 1, 8))
    assert cross.arxiv_id == "2312.11111" and cross.authors == ("Edsger Dijkstra",)
    assert cross.abstract == "A replaced, cross-listed paper keeps its id without the version."


def test_arxiv_rss_before_2024() -> None:
    data = fixture("arxiv-rss-old.rdf")
    assert looks_like_feed(data)
    [paper] = parse_feed(data, "old.rdf").papers
    assert (paper.title, paper.arxiv_id) == ("Old-Format Titles Carry Their Id", "2312.01234")
    assert paper.abstract == "We read the old format, where $a<b$."
    assert paper.authors == ("Ada Lovelace", "Alan Turing")


def test_arxiv_ids_only_from_arxiv_and_hf_hosts() -> None:
    doc = (
        b'<rss version="2.0"><channel><item><title>T</title><link>https://notarxiv.org/abs/2401.00001</link>'
        b"<guid>https://export.arxiv.org/abs/2401.00002v1</guid></item></channel></rss>"
    )
    [paper] = parse_feed(doc, "hosts.xml").papers
    assert paper.arxiv_id == "2401.00002" and paper.urls == ("https://notarxiv.org/abs/2401.00001",)


# --- HTML and JSON Feed -------------------------------------------------------------------------


def test_atom_with_html_and_xhtml_content() -> None:
    result = parse_feed(fixture("atom-html-content.xml"), "blog.atom")
    html_post, xhtml_post = result.papers
    assert html_post.title == "Scaling Tiny Models & Friends"
    assert html_post.abstract == "We scale tiny models up & down; a < b. Second paragraph \u2014 done."
    assert html_post.arxiv_id == "2402.00001"
    assert html_post.urls == ("https://example.org/posts/tiny-models",)
    assert html_post.published == Published(dt.date(2024, 2, 29))  # the feed's own offset, not UTC
    assert xhtml_post.abstract == "Plain xhtml with a < b and a link."
    assert xhtml_post.arxiv_id is None and xhtml_post.published == Published(dt.date(2024, 3, 2))


def test_json_feed() -> None:
    text = fixture("json-feed.json").decode()
    assert looks_like_json_feed(text) and not looks_like_hf_json(text)
    result = parse_json_feed(text, "feed.json")
    hf, html_item, summary_only = result.papers
    assert hf.ai_summary == "A lightweight agent safety framework is proposed."
    assert hf.abstract == "Modern open-world agents introduce new safety risks."
    assert hf.arxiv_id == "2605.29801" and hf.urls == ("https://github.com/example/agentdog",)
    assert hf.authors == ("Ada Lovelace", "Alan Turing")
    assert hf.published == Published(dt.date(2026, 5, 29))
    assert html_item.abstract == "Uses HTML & entities; see arXiv."
    assert html_item.authors == ("Grace Hopper",)  # JSON Feed 1.0 `author`
    assert html_item.published == Published(dt.date(2024, 1, 5))  # date_modified when unpublished
    assert summary_only.abstract == "Only a summary field, no content." and summary_only.arxiv_id == "2312.11111"
    assert [(w.line, w.reason) for w in result.warnings] == [(3, "item without a title, skipped")]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ('{"version": "https://jsonfeed.org/version/1.1", "items": []}', "JSON Feed has no items"),
        ('{"version": "https://jsonfeed.org/version/1"}', "JSON Feed without an items list"),
        ('{"version": "2", "items": []}', "not a JSON Feed (no jsonfeed.org version)"),
        (
            '{"version": "https://jsonfeed.org/version/1", "items": [',
            "not valid JSON: Expecting value at line 1 column 57",
        ),
    ],
)
def test_unusable_json_feeds(text: str, reason: str) -> None:
    with pytest.raises(ListingError) as caught:
        parse_json_feed(text, "f.json")
    assert caught.value.reason == reason


def test_html_to_text_keeps_math_and_is_linear_on_hostile_markup() -> None:
    assert html_to_text("a < b, $x<y$ and f(x)<g(x) &amp; more") == "a < b, $x<y$ and f(x)<g(x) & more"
    assert " ".join(html_to_text("<p>One<br>two</p><script>x()</script><!-- c -->three").split()) == "One two three"
    started = time.perf_counter()
    for hostile in ("<a " * 50_000 + "</p>", "<!--" * 50_000 + "</p>", "</" * 50_000 + "<p>", "<![" * 50_000 + "</p>"):
        html_to_text(hostile)
    assert time.perf_counter() - started < 2  # the stdlib HTMLParser takes minutes on these


# --- the AI-summary split shared with the dump ----------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Abstract S.  AI-generated summary  A.", ("S.", "A.")),
        ("Abstract S.\t\t\tGenerated by owner/Model-1.5\t\tA.", ("S.", "A.")),
        ("Abstract   A with no summary.", (None, "A with no summary.")),
        ("Abstract reasoning is hard.", (None, "Abstract reasoning is hard.")),
        ("Plain text. Generated by owner/model here.", (None, "Plain text. Generated by owner/model here.")),
    ],
)
def test_split_ai_summary_in_feeds(text: str, expected: tuple[str | None, str]) -> None:
    assert split_ai_summary(text, require_label=True) == expected


def test_split_ai_summary_without_label_matches_the_dump() -> None:
    assert split_ai_summary("S.  AI-generated summary  A.") == ("S.", "A.")
    assert split_ai_summary("Abstract   A.") == (None, "Abstract   A.")


# --- hostile and broken XML ----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["billion-laughs.xml", "external-entity.xml", "utf7-hidden-entity.xml"])
def test_entity_declarations_are_refused_before_parsing(name: str) -> None:
    started = time.perf_counter()
    with pytest.raises(ListingError) as caught:
        parse_feed(fixture(name), name)
    assert time.perf_counter() - started < 1
    assert "entity declarations refused" in caught.value.reason and "\n" not in str(caught.value)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32"])
def test_entity_declarations_are_refused_in_wide_encodings(encoding: str) -> None:
    text = (
        fixture("billion-laughs.xml")
        .decode()
        .replace('<?xml version="1.0"?>', f'<?xml version="1.0" encoding="{encoding}"?>')
    )
    data = text.encode(encoding)
    with pytest.raises(ListingError, match="entity declarations refused"):
        parse_feed(data, "wide.xml")


def test_one_line_bomb_and_lowercase_doctype_are_refused() -> None:
    doc = b'<?xml version="1.0"?><!-- x --><!doctype rss [<!ENTITY a "b">]><rss version="2.0"><channel/></rss>'
    with pytest.raises(ListingError, match="entity declarations refused"):
        parse_feed(doc, "one-line.xml")


def test_external_dtd_reference_is_not_fetched_and_the_feed_reads() -> None:
    result = parse_feed(fixture("external-dtd.xml"), "rss091.xml")
    [paper] = result.papers
    assert paper.title == "Still Readable" and paper.arxiv_id == "2403.00002"


def test_external_entity_body_never_leaks_file_contents(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    doc = f'<?xml version="1.0"?>\n<!DOCTYPE rss SYSTEM "file://{secret}">\n<rss version="2.0"><channel>'
    doc += "<item><title>Leak &x;</title><description>d</description></item></channel></rss>"
    try:
        result = parse_feed(doc.encode(), "x.xml")
    except ListingError:
        return
    assert all("TOP-SECRET" not in p.title + p.abstract for p in result.papers)


def test_malformed_xml_keeps_what_was_recovered() -> None:
    result = parse_feed(fixture("malformed.xml"), "broken.xml")
    assert [p.title for p in result.papers] == ["First Paper", "Second Paper & Co", "Third Paper"]
    assert [p.arxiv_id for p in result.papers] == ["2404.00001", "2404.00002", "2404.00003"]
    [warning] = result.warnings
    assert "malformed XML" in warning.reason and "line 4" in warning.reason


def test_malformed_xml_without_declaration_names_the_files_own_line() -> None:
    doc = b'<rss version="2.0"><channel>\n<item><title>A & B</title></item></channel></rss>'
    [warning] = parse_feed(doc, "x.xml").warnings
    assert "at line 2 column 16" in warning.reason


@pytest.mark.parametrize(
    ("name", "warning"),
    [
        ("declared-utf8-is-latin1.xml", "encoding: document declared as utf-8, but parsed as windows-1252"),
        ("declared-latin1-is-utf8.xml", "declared as iso8859-1 but is UTF-8; read as UTF-8"),
    ],
)
def test_wrong_encoding_declared(name: str, warning: str) -> None:
    result = parse_feed(fixture(name), name)
    [paper] = result.papers
    assert paper.title == "Caf\u00e9 Models for R\u00e9sum\u00e9s"
    assert paper.abstract.startswith("Na\u00efve")
    assert [w.reason for w in result.warnings] == [warning]


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty file"),
        (b"<html><body><p>Hello</p></body></html>", "not an RSS or Atom feed"),
        (b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>', "feed has no entries"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not an RSS or Atom feed"),
        (b"<rss><channel><item><description>no title</description></item></channel></rss>", "no papers found"),
    ],
)
def test_unusable_feeds(data: bytes, reason: str) -> None:
    with pytest.raises(ListingError) as caught:
        parse_feed(data, "f.xml")
    assert caught.value.reason.startswith(reason)


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=300) | st.text(alphabet="<>&;!/?[]\"' abcrsfeditmlENTY", max_size=300).map(str.encode))
def test_any_bytes_give_papers_or_a_listing_error(data: bytes) -> None:
    try:
        result = parse_feed(b'<rss version="2.0"><channel><item><title>t</title>' + data, "fuzz.xml")
    except ListingError as error:
        assert "\n" not in str(error)
    else:
        assert all(p.title for p in result.papers)


# --- sniffers -------------------------------------------------------------------------------------


def test_feed_sniffer() -> None:
    assert looks_like_feed(fixture("arxiv-api.atom")) and looks_like_feed(fixture("arxiv-rss.xml").decode())
    assert looks_like_feed(fixture("arxiv-rss.xml").decode().encode("utf-16"))
    assert looks_like_feed(fixture("billion-laughs.xml"))  # routed to parse_feed, which refuses it by name
    rdf = b'<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/">'
    assert looks_like_feed(rdf)
    assert not looks_like_feed(b"<!DOCTYPE html><html><head><title>x</title></head></html>")
    assert not looks_like_feed(b'<svg xmlns="http://www.w3.org/2000/svg"></svg>')
    assert not looks_like_feed(b'<feed xmlns="urn:not-atom"></feed>')
    assert not looks_like_feed("Daily Papers\n\nbyAK and the research community\n")
    assert not looks_like_feed(b'[{"paper": {}}]')


def test_json_feed_sniffer() -> None:
    assert looks_like_json_feed('\ufeff{"version":"https://jsonfeed.org/version/1","items":[]}')
    assert not looks_like_json_feed('[{"paper": {"id": "2401.00001"}}]')
    assert not looks_like_json_feed('{"version": "1.1", "items": []}')


def test_feed_modules_do_not_import_textual_or_rich() -> None:
    code = (
        "import sys, broadsheet.sources.feeds, broadsheet.sources.hf_api, broadsheet.sources.ai_summary\n"
        "print(','.join(sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich'))))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == ""
