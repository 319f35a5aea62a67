"""Markdown export: titles show literally, groups and links are right, output renders cleanly.

Rendering is checked with markdown-it-py (CommonMark, as GitHub uses) plus the GFM-like
plugins for strikethrough, tables, task lists and `$` math; Textual already depends on them.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from urllib.parse import unquote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.tasklists import tasklists_plugin

from broadsheet.export.markdown import escape, escape_line, write_markdown
from broadsheet.links import best_link
from broadsheet.model import Organization, Paper, Published
from broadsheet.text_safety import one_line

SEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "seeds"

HOSTILE_TITLES = [
    "[Re] *bold* _x_ <script>alert(1)</script>",
    "**strong** __also__ `code` ``double``",
    "~~struck~~ and ~single~",
    "Math $x^2$ and $$E=mc^2$$",
    "Pipes | in | a table? |",
    "# Not a heading",
    "- not a list",
    "1. not numbered",
    "+ plus",
    "> not a quote",
    "&copy; &amp; &#169; entities",
    "Back\\slash \\* escapes\\",
    "![not an image](http://x.org/y.png)",
    "[link](javascript:alert(1)) and <http://auto.link>",
    "Line\nbreak\tand  spaces   ",
    "Control \x1b[31m chars",
    "Emoji 🚀 and accents é ü ø",
]


def renderer() -> MarkdownIt:
    md = MarkdownIt("commonmark").enable(["strikethrough", "table"])
    return md.use(tasklists_plugin).use(dollarmath_plugin)


def links(markdown: str) -> list[tuple[str, list[Token]]]:
    """Each link's href and the inline tokens of its text."""
    found: list[tuple[str, list[Token]]] = []
    for block in renderer().parse(markdown):
        children = block.children or []
        for i, token in enumerate(children):
            if token.type == "link_open":
                end = next(j for j in range(i, len(children)) if children[j].type == "link_close")
                found.append((str(token.attrGet("href")), children[i + 1 : end]))
    return found


def literal_text(tokens: list[Token]) -> str:
    """The text of plain-text tokens; any markup token (emphasis, code, html, math) fails."""
    assert all(t.type == "text" for t in tokens), [t.type for t in tokens]
    return "".join(t.content for t in tokens)


def render(papers: list[Paper], **options: object) -> str:
    return "".join(write_markdown(papers, **options))  # type: ignore[arg-type]


@pytest.mark.parametrize("title", HOSTILE_TITLES)
def test_hostile_title_shows_literally(title: str) -> None:
    paper = Paper(title=title, authors=(title,), abstract=title, published=Published(dt.date(2024, 5, 19)))
    markdown = render([paper], with_abstracts=True, group_by="none")
    [(href, text)] = links(markdown)
    assert literal_text(text) == one_line(title)
    assert unquote(href) == unquote(best_link(paper))
    tokens = renderer().parse(markdown)
    types = [t.type for t in tokens] + [c.type for t in tokens for c in t.children or []]
    markup = {"html_inline", "html_block", "em_open", "strong_open", "s_open", "code_inline", "image"}
    assert not markup & set(types)
    assert not {"math_inline", "math_block", "table_open", "code_block", "fence", "hr"} & set(types)
    assert types.count("heading_open") == 1  # only "# Reading list"
    assert types.count("bullet_list_open") == 1 and types.count("list_item_open") == 1
    # The blockquoted abstract is one paragraph of plain text, whatever it starts with.
    start = types.index("blockquote_open")
    assert types[start : start + 5] == [
        "blockquote_open", "paragraph_open", "inline", "paragraph_close", "blockquote_close"
    ]  # fmt: skip
    assert literal_text(tokens[start + 2].children or []) == one_line(title)


def test_escaping_is_visible_in_the_output_text() -> None:
    assert escape("[Re] *bold* _x_ <script>") == r"\[Re\] \*bold\* \_x\_ \<script\>"
    assert escape("a|b `c` #1 ~d~ $e$ &f \\") == r"a\|b \`c\` \#1 \~d\~ \$e\$ \&f \\"
    assert escape("plain: words, (parens) - dashes.") == "plain: words, (parens) - dashes."
    assert escape_line("- item") == r"\- item"
    assert escape_line("12. twelve") == r"12\. twelve"
    assert escape_line("3) three") == r"3\) three"
    assert escape_line("# h") == r"\# h"
    assert escape_line("ordinary") == "ordinary"


def sample() -> list[Paper]:
    return [
        Paper(title="Old", published=Published(dt.date(2023, 1, 5)), arxiv_id="2301.00001", upvotes=1),
        Paper(title="Undated one", authors_count=7, organization=Organization("g", "Google")),
        Paper(
            title="New",
            published=Published(dt.date(2024, 5, 19), year_inferred=True),
            authors=("A. One", "B. Two", "C. Three", "D. Four"),
            upvotes=12,
        ),
        Paper(
            title="Also old", published=Published(dt.date(2023, 1, 5)), urls=("https://en.wikipedia.org/wiki/A_(b)",)
        ),
    ]


def test_grouped_by_date_newest_first_undated_last() -> None:
    assert render(sample()) == (
        "# Reading list\n"
        "\n## 2024-05-19\n\n"
        "- [New](https://arxiv.org/search/?searchtype=title&query=%22New%22)"
        " — A. One, B. Two, C. Three et al. · 12 upvotes\n"
        "\n## 2023-01-05\n\n"
        "- [Old](https://huggingface.co/papers/2301.00001) — 1 upvote\n"
        "- [Also old](https://en.wikipedia.org/wiki/A_%28b%29)\n"
        "\n## Undated\n\n"
        "- [Undated one](https://arxiv.org/search/?searchtype=title&query=%22Undated+one%22) — 7 authors · Google\n"
    )
    hrefs = [unquote(href) for href, _ in links(render(sample()))]
    assert hrefs[2] == "https://en.wikipedia.org/wiki/A_(b)"


def test_grouped_by_status_with_task_boxes() -> None:
    marks = {"title:old": (True, True), "title:undated one": (False, True)}
    papers = [*sample()[1:], Paper(title="Old")]
    markdown = render(papers, group_by="status", status=lambda key: marks.get(key, (False, False)))
    assert markdown.index("## Starred") < markdown.index("## Unread") < markdown.index("## Read")
    starred, unread, read = (part.strip() for part in markdown.split("\n## ")[1:])
    assert starred == "Starred\n\n- [x] ★ [Old](https://arxiv.org/search/?searchtype=title&query=%22Old%22)"
    assert unread.splitlines()[2:] == [
        "- [ ] [New](https://arxiv.org/search/?searchtype=title&query=%22New%22)"
        " — A. One, B. Two, C. Three et al. · 2024-05-19 (year inferred) · 12 upvotes",
        "- [ ] [Also old](https://en.wikipedia.org/wiki/A_%28b%29) — 2023-01-05",
    ]
    assert read.splitlines()[2].startswith("- [x] [Undated one](")
    tokens = renderer().parse(markdown)
    assert sum(t.attrGet("class") == "task-list-item" for t in tokens if t.type == "list_item_open") == 4


def test_status_grouping_needs_a_callback_and_says_so_at_once() -> None:
    with pytest.raises(ValueError, match="status callback"):
        write_markdown(sample(), group_by="status")


def test_no_grouping_keeps_input_order_and_shows_dates() -> None:
    markdown = render(sample(), group_by="none")
    assert "##" not in markdown
    assert [literal_text(text) for _, text in links(markdown)] == ["Old", "Undated one", "New", "Also old"]
    assert "— 2023-01-05 · 1 upvote" in markdown


def test_abstracts_as_blockquotes_and_ai_summary_fallback() -> None:
    papers = [Paper(title="A", abstract="First line.\n\n- second"), Paper(title="B", ai_summary="Short *summary*")]
    markdown = render(papers, group_by="none", with_abstracts=True)
    assert "\n  > First line. - second\n" in markdown
    assert "\n  > *AI summary:* Short \\*summary\\*\n" in markdown
    assert "> " not in render(papers, group_by="none")


def test_empty_export_is_just_the_heading() -> None:
    assert render([]) == "# Reading list\n"


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1))
def test_any_title_shows_literally(title: str) -> None:
    [(_, text)] = links(render([Paper(title=title)], group_by="none"))
    expected = one_line(title) or "(untitled)"
    # CommonMark turns NUL into U+FFFD; one_line already shows it as ␀, so nothing is lost.
    assert literal_text(text) == expected


@pytest.mark.skipif(not SEEDS.is_dir(), reason=f"real listings not found at {SEEDS} (../shared is absent)")
def test_every_real_paper_is_listed_once_with_its_title() -> None:
    from broadsheet.sources.loader import load_listings

    papers = load_listings([str(SEEDS)]).papers
    markdown = render(papers, with_abstracts=True)
    found = links(markdown)
    assert len(found) == len(papers)
    dated = sorted((p for p in papers if p.published), key=lambda p: p.published.date, reverse=True)  # type: ignore[union-attr]
    undated = [p for p in papers if not p.published]
    assert [literal_text(text) for _, text in found] == [one_line(p.title) for p in [*dated, *undated]]
    assert markdown.count("\n## ") == len({p.published.date for p in dated}) + bool(undated)  # type: ignore[union-attr]
