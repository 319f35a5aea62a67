"""When a widget that draws its own lines must still go through Textual's line pass.

The paper list and the status line make their finished lines themselves (Textual's pass
copies and restyles every line, a large share of a keystroke's frame). That pass also
draws what a widget's box may have: a border, an outline, padding, tint, reduced opacity
or a hatch. None of these is set by the reader's own CSS, but a user's CSS could set one,
and then the widget hands its lines to Textual as usual.
"""

from __future__ import annotations

from textual.widget import Widget


def needs_textuals_pass(widget: Widget, *, own_padding: bool = False) -> bool:
    """Whether `widget`'s box has something only Textual's line pass draws; padding counts
    unless the widget draws its own (`own_padding`)."""
    styles = widget.styles
    return bool(
        styles.border.spacing
        or (styles.padding and not own_padding)
        or styles.outline.spacing
        or styles.tint.a
        or styles.text_opacity != 1.0
        or widget.opacity != 1.0
        or (styles.has_rule("hatch") and styles.hatch != "none")
    )
