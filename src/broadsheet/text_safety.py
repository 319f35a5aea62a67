"""Make paper text safe to put on a terminal: data, never control.

Listings come from the web; a title may carry ANSI escapes, C0/C1 control characters or
bidirectional overrides that would move the cursor, recolour the screen or reorder what
follows. They are replaced by visible stand-ins, so the text is shown, not obeyed.
Markup is a separate concern: the reader never parses paper text as markup at all.
"""

from __future__ import annotations

import re

# C0 controls (minus nothing: tabs and newlines are flattened by the callers that want them),
# DEL, C1 controls, bidi embeddings/overrides/isolates, and line/paragraph separators.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029\u200e\u200f\u061c]")


def _stand_in(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    if code < 0x20:
        return chr(0x2400 + code)  # the Unicode control picture: ␛ for ESC
    if code == 0x7F:
        return "\u2421"  # ␡
    return "\ufffd"


def printable(text: str) -> str:
    """`text` with every control or reordering character replaced by a visible stand-in."""
    if text.isprintable() and text.isascii():
        return text
    return _UNSAFE.sub(_stand_in, text)


def one_line(text: str) -> str:
    """Printable and on one line: whitespace runs (newlines and tabs included) become a space."""
    return printable(" ".join(text.split()))


def is_openable_url(url: str) -> bool:
    """Only http and https links are ever handed to a browser."""
    lowered = url.strip().lower()
    return (lowered.startswith("https://") or lowered.startswith("http://")) and not any(
        ch.isspace() or ord(ch) < 0x20 for ch in url.strip()
    )
