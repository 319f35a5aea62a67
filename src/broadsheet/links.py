"""The links a paper has, and the best one to open or share."""

from __future__ import annotations

from urllib.parse import quote_plus

from broadsheet.model import Paper
from broadsheet.text_safety import is_openable_url


def paper_links(paper: Paper) -> list[str]:
    """Every http(s) link we know for the paper, best first, without duplicates."""
    links: list[str] = []
    if paper.arxiv_id:
        links.append(f"https://huggingface.co/papers/{paper.arxiv_id}")
        links.append(f"https://arxiv.org/abs/{paper.arxiv_id}")
    links.extend(url for url in paper.urls if is_openable_url(url))
    return list(dict.fromkeys(links))


def best_link(paper: Paper) -> str:
    """The Hugging Face page or arXiv abstract when the id is known, else a search for the exact title."""
    links = paper_links(paper)
    if links:
        return links[0]
    return f"https://arxiv.org/search/?searchtype=title&query={quote_plus(chr(34) + paper.title + chr(34))}"
