"""A guide's markdown as a flat list of blocks, read with markdown-it-py (CommonMark, with its
table support). Each block keeps its line in the file, so that the importer can name it.

Inline markup is reduced to plain text (bold, emphasis and link markers dropped, entities and
escapes decoded), except for what the guide format gives meaning to: the bold label a paragraph
starts with ("**Negotiation DNA:** ...") and the targets of links.
"""

from __future__ import annotations

from typing import Any

import msgspec

from ...errors import GuideError

CONTAINERS = ("bullet_list_open", "ordered_list_open", "blockquote_open")


class Inline(msgspec.Struct):
    """One paragraph, heading or cell: its plain text, and the bold label it starts with."""

    text: str
    label: str | None = None  # "Negotiation DNA" from "**Negotiation DNA:** ..."
    rest: str = ""  # the text after the label (all of it when there is no label)
    links: list[tuple[str, str]] = msgspec.field(default_factory=list)  # (text, href)


class Block(msgspec.Struct):
    kind: str  # heading, para, table, list, quote
    line: int
    inline: Inline = msgspec.field(default_factory=lambda: Inline(""))
    rows: list[tuple[int, list[str]]] = msgspec.field(default_factory=list)  # a table's, the header first
    items: list[tuple[int, Inline]] = msgspec.field(default_factory=list)  # list items, quote paragraphs


def inline(token: Any) -> Inline:
    """The Inline of a markdown-it ``inline`` token."""
    parts: list[str] = []
    links: list[tuple[str, str]] = []
    label_end: int | None = None
    bold, href = 0, None
    link_text: list[str] = []
    children = [c for c in token.children or [] if not (c.type == "text" and not c.content)]
    for child in children:
        kind = child.type
        if kind in ("strong_open", "strong_close"):
            bold += 1 if kind == "strong_open" else -1
            if bold == 0 and label_end is None and children[0].type == "strong_open":
                label_end = len(parts)
            continue
        if kind == "link_open":
            href, link_text = child.attrs.get("href"), []
            continue
        if kind == "link_close":
            links.append(("".join(link_text), str(href or "")))
            href = None
            continue
        if kind in ("em_open", "em_close", "s_open", "s_close"):
            continue
        text = " " if kind in ("softbreak", "hardbreak") else child.content
        parts.append(text)
        if href is not None:
            link_text.append(text)
    whole = "".join(parts).strip()
    if label_end is None:
        return Inline(whole, None, whole, links)
    label = "".join(parts[:label_end]).strip().rstrip(":").strip()
    return Inline(whole, label, "".join(parts[label_end:]).strip(), links)


def _closing(tokens: list[Any], start: int) -> int:
    """The index of the token that closes the container opened at `start`."""
    opening = tokens[start]
    closer = opening.type.replace("_open", "_close")
    for index in range(start + 1, len(tokens)):
        if tokens[index].type == closer and tokens[index].level == opening.level:
            return index
    return len(tokens) - 1  # pragma: no cover - markdown-it always closes what it opens


def _line(token: Any, default: int = 0) -> int:
    return token.map[0] + 1 if token.map else default


def parse_blocks(text: str, file: str) -> list[Block]:
    """The blocks of `text`, in order; a GuideError for anything the guide format has not."""
    from markdown_it import MarkdownIt

    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    blocks: list[Block] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        line = _line(tok)
        if tok.type in ("heading_open", "paragraph_open"):
            blocks.append(
                Block("heading" if tok.type == "heading_open" else "para", line, inline(tokens[i + 1]))
            )
            i += 3
        elif tok.type == "table_open":
            end = _closing(tokens, i)
            block = Block("table", line)
            for j in range(i, end):
                if tokens[j].type == "tr_open":
                    cells = [inline(t).text for t in tokens[j : _closing(tokens, j)] if t.type == "inline"]
                    block.rows.append((_line(tokens[j], line), cells))
            blocks.append(block)
            i = end + 1
        elif tok.type in CONTAINERS:
            end = _closing(tokens, i)
            block = Block("quote" if tok.type == "blockquote_open" else "list", line)
            for inner in tokens[i + 1 : end]:
                if inner.type in (*CONTAINERS, "table_open"):
                    raise GuideError(
                        "a list, quote or table inside another is not part of the guide format",
                        file=file,
                        line=_line(inner, line),
                    )
                if inner.type == "inline":
                    block.items.append((_line(inner, line), inline(inner)))
                elif inner.type in ("code_block", "fence", "html_block", "heading_open"):
                    raise _unknown(inner, file, line)
            blocks.append(block)
            i = end + 1
        elif tok.type == "hr":
            i += 1
        else:
            raise _unknown(tok, file, line)
    return blocks


def _unknown(tok: Any, file: str, line: int) -> GuideError:
    what = {
        "code_block": "an indented code block",
        "fence": "a code block",
        "html_block": "HTML",
        "heading_open": "a heading inside a list or quote",
    }
    return GuideError(
        f"{what.get(tok.type, tok.type)} is not part of the guide format",
        file=file,
        line=_line(tok, line),
        hint="see data/guides/sources/ for the format",
    )


def unquote(text: str) -> tuple[str, str]:
    """The quoted words `text` starts with, and what follows the closing quote."""
    text = text.strip()
    pairs = {'"': '"', "“": "”", "‘": "’"}
    if text[:1] in pairs:
        end = text.rfind(pairs[text[0]])
        if end > 0:
            return text[1:end].strip(), text[end + 1 :].strip()
    return text, ""
