"""Minimal HTML for self-contained reports: one page, figures beside it, no server needed."""

from __future__ import annotations

from html import escape

__all__ = ["RawHtml", "escape", "figure", "page", "table", "write_page"]
from pathlib import Path

CSS = """
body { font-family: system-ui, sans-serif; max-width: 1100px; margin: 2em auto; padding: 0 1em;
       color: #222; line-height: 1.45; }
h1 { font-size: 1.6em; } h2 { font-size: 1.25em; margin-top: 2em; border-bottom: 1px solid #ddd; }
figure { margin: 1.2em 0; } figure img { max-width: 100%; border: 1px solid #eee; }
figcaption { font-size: 0.92em; color: #444; margin-top: 0.3em; }
table { border-collapse: collapse; margin: 0.8em 0; font-size: 0.92em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: right; }
th:first-child, td:first-child { text-align: left; }
td.text { text-align: left; } .note { color: #a33; }
"""


def table(header: list[str], rows: list[list], text_columns: int = 1) -> str:
    """An HTML table; the first ``text_columns`` columns are left-aligned text."""
    head = "".join(f"<th>{escape(str(h))}</th>" for h in header)
    body = []
    for row in rows:
        cells = []
        for index, cell in enumerate(row):
            value = cell if isinstance(cell, RawHtml) else escape(_format(cell))
            cls = ' class="text"' if index < text_columns else ""
            cells.append(f"<td{cls}>{value}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


class RawHtml(str):
    """Markup that :func:`table` inserts without escaping."""


def figure(src: str, caption: str) -> str:
    return (
        f'<figure><img src="{escape(src)}" alt="{escape(caption)}">'
        f"<figcaption>{escape(caption)}</figcaption></figure>"
    )


def page(title: str, sections: list[str]) -> str:
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{escape(title)}'
        f"</title><style>{CSS}</style></head><body><h1>{escape(title)}</h1>\n"
        + "\n".join(sections)
        + "\n</body></html>\n"
    )


def write_page(path: Path, title: str, sections: list[str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page(title, sections), encoding="utf-8")
    return path


def _format(value) -> str:
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)
