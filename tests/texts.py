"""What a figure or an explorer says, as text: the language tests read it (is there Chinese?
is there none? does every character have a glyph?)."""

from __future__ import annotations

import io

from matplotlib.figure import Figure


def cjk(text: str) -> bool:
    """True when ``text`` holds a Chinese character (CJK Unified Ideographs)."""
    return any("\u4e00" <= c <= "\u9fff" for c in text)


def figure_texts(fig: Figure) -> list[str]:
    """Every non-empty string the figure draws: its texts (suptitle included) and legends, and
    per axes the three titles, the axis labels, texts, legend entries and tick labels. The
    figure is drawn first, since tick labels are set when it is drawn."""
    fig.savefig(io.BytesIO(), format="png", dpi=40)
    texts = [t.get_text() for t in fig.texts]
    texts += [t.get_text() for legend in fig.legends for t in legend.get_texts()]
    for ax in fig.axes:
        texts += [ax.get_title(loc) for loc in ("left", "center", "right")]
        texts += [ax.get_xlabel(), ax.get_ylabel()]
        texts += [t.get_text() for t in ax.texts]
        if ax.get_legend() is not None:
            texts += [t.get_text() for t in ax.get_legend().get_texts()]
        texts += [t.get_text() for t in ax.get_xticklabels() + ax.get_yticklabels()]
    return [t for t in texts if t]


def figure_text(fig: Figure) -> str:
    """:func:`figure_texts`, one per line."""
    return "\n".join(figure_texts(fig))


def widget_text(e) -> str:
    """What an explorer's widgets say: title and note, the state line, each control's label and
    its options' labels (drop-downs), and the default-box explorer's table."""
    parts = [e.widget.children[0].value, e.state_line]
    table = getattr(e, "table_html", None)
    if table is not None:
        parts.append(table if isinstance(table, str) else table.value)
    for w in e.controls.values():
        parts.append(w.description)
        parts += [str(label) for label in getattr(w, "_options_labels", ())]
    return "\n".join(parts)
