"""Packing: the PDF reportlab wrote → the same objects, the small ones in one compressed object
stream indexed by a compressed cross-reference stream (PDF 1.5); and appendix pages spliced in
the same way. Bytes only: no library.

reportlab compresses each page's content and each font, but writes every other object (pages,
fonts' dictionaries and widths, the outline, the metadata) and its cross-reference table as
plain text: a tenth of a brief. Packed, they take a quarter of that. The objects keep their
numbers and their bytes; only where they sit changes. What is not laid out as reportlab lays
out its files is returned as it came (`pack`) or left to pypdf (`parse` gives None).

Splicing: merge.py serialises an appendix's pages once per process, numbered to follow the
brief's objects; `splice` adds them to the brief's page tree and outline and writes the whole.
pypdf never reads back the brief it would only copy.
"""

from __future__ import annotations

import re
import struct
import zlib
from typing import NamedTuple

_TAIL = re.compile(rb"startxref\s+(\d+)\s+%%EOF\s*\Z")
_TABLE = re.compile(rb"xref\s+0\s+(\d+)\s+")
_ENTRY = re.compile(rb"(\d{10}) (\d{5}) ([nf])")
_REF = {
    key: re.compile(rb"/" + key + rb"\s+(\d+)\s+0\s+R") for key in (b"Root", b"Info", b"Pages", b"Outlines")
}
_ID = re.compile(rb"/ID\s*\[\s*(<[0-9a-fA-F]*>)\s*(<[0-9a-fA-F]*>)\s*\]")
_OBJ = re.compile(rb"(\d+)\s+0\s+obj\b")
_PAGES = re.compile(rb"\A<<\s*/Count (\d+) /Kids \[([\d R]*)\] /Type /Pages\s*>>\Z")
_OUTLINES = re.compile(rb"\A<<\s*/Count (\d+) /First (\d+) 0 R /Last (\d+) 0 R /Type /Outlines\s*>>\Z")
_XREF = re.compile(  # the xref stream `_write` writes: its number, size, trailer entries, length
    rb"(\d+) 0 obj\n<< /Type /XRef /Size (\d+) /W \[1 4 2\] (.*?) /Filter /FlateDecode"
    rb" /Length (\d+) >>\nstream\n",
    re.S,
)
_OBJSTM = re.compile(
    rb"<< /Type /ObjStm /N (\d+) /First (\d+) /Filter /FlateDecode /Length (\d+) >>\nstream\n"
)
LEVEL = 9  # the packed objects are small: the best compression costs nothing measurable


class Parsed(NamedTuple):
    """A PDF as reportlab writes it: its first two lines, each object's body by number (from
    1), the trailer's entries to keep, and the numbers of its page tree and outline."""

    header: bytes
    bodies: list[bytes]
    trailer: bytes
    pages: int
    outlines: int | None


class Part(NamedTuple):
    """An appendix's objects, serialised, by the numbers they take after a brief's; the
    numbers of its pages, in order."""

    bodies: dict[int, bytes]
    pages: tuple[int, ...]


def pack(pdf: bytes) -> bytes:
    """`pdf` with its plain objects in an object stream and its cross-reference table as a
    stream; `pdf` itself when it is not laid out as reportlab writes (one revision, a plain
    cross-reference table, every object of generation 0)."""
    found = parse(pdf)
    if found is None:
        return pdf
    packed = _write(found.header, dict(enumerate(found.bodies, start=1)), found.trailer)
    global _LAST
    _LAST = (packed, found)  # one tuple, replaced whole: a thread reads a pair that belongs together
    return packed


# The last PDF packed, and its objects: the brief that merge.py then receives, by identity.
_LAST: tuple[bytes, Parsed] | None = None


def objects_of(pdf: bytes) -> Parsed | None:
    """The objects of `pdf`: the packed brief's own, kept when it was packed, or those read
    back from it (as `pack` or reportlab writes them); None for any other PDF."""
    last = _LAST
    if last is not None and last[0] is pdf:
        return last[1]
    return parse(pdf)


def parse(pdf: bytes) -> Parsed | None:
    """The objects of a PDF laid out as reportlab writes it, or as `pack` writes it; None for
    any other."""
    tail = _TAIL.search(pdf, max(0, len(pdf) - 64))
    if tail is None or not pdf.startswith(b"%PDF-1.") or pdf.count(b"startxref") != 1:
        return None
    start = int(tail.group(1))
    table = _TABLE.match(pdf, start)
    trailer_at = pdf.find(b"trailer", start)
    if table is not None and trailer_at >= 0:
        entries = _ENTRY.findall(pdf, table.end(), trailer_at)
        bodies = _bodies(pdf, start, entries, int(table.group(1)))
        text = pdf[trailer_at : tail.start()]
    else:
        bodies, text = _packed_bodies(pdf, start)
    root = _number(b"Root", text)
    if bodies is None or root is None or not 0 < root <= len(bodies):
        return None
    pages, outlines = _number(b"Pages", bodies[root - 1]), _number(b"Outlines", bodies[root - 1])
    if pages is None or not 0 < pages <= len(bodies) or (outlines or 0) > len(bodies):
        return None
    second = pdf.find(b"\n", pdf.find(b"\n") + 1)  # the version, then reportlab's binary comment
    header = pdf[: second + 1] if second > 0 else b"%PDF-1.5\n"
    header = b"%PDF-1.5" + header[len(b"%PDF-1.4") :] if header[:8] < b"%PDF-1.5" else header
    return Parsed(header, bodies, _trailer(root, text), pages, outlines)


def _bodies(
    pdf: bytes, start: int, entries: list[tuple[bytes, bytes, bytes]], count: int
) -> list[bytes] | None:
    """Each object's body (between `N 0 obj` and `endobj`), in number order from 1."""
    if len(entries) != count or any(e[2] != b"n" or e[1] != b"00000" for e in entries[1:]):
        return None
    offsets = [int(e[0]) for e in entries[1:]]
    ends = sorted([*offsets, start])
    following = dict(zip(ends, ends[1:], strict=False))
    bodies = []
    for number, offset in enumerate(offsets, start=1):
        opened = _OBJ.match(pdf, offset)
        chunk = pdf[offset : following.get(offset, offset)].rstrip()
        if opened is None or int(opened.group(1)) != number or not chunk.endswith(b"endobj"):
            return None
        bodies.append(chunk[opened.end() - offset : -len(b"endobj")].strip())
    return bodies


def _packed_bodies(pdf: bytes, start: int) -> tuple[list[bytes] | None, bytes]:
    """Each object's body of a PDF as `_write` lays it out (its streams, then one object
    stream, then its xref stream at `start`), in number order from 1, and its trailer's
    entries; None for another layout."""
    xref = _XREF.match(pdf, start)
    if xref is None:
        return None, b""
    own = int(xref.group(1))  # the xref stream's number; the object stream's is the one before
    rows = zlib.decompress(pdf[xref.end() : xref.end() + int(xref.group(4))])
    where = [struct.unpack_from(">BIH", rows, 7 * n) for n in range(len(rows) // 7)]
    if len(where) != own + 1 or where[own - 1][0] != 1 or any(w[0] == 0 for w in where[1:]):
        return None, b""
    offsets = [field if kind == 1 else 0 for kind, field, _ in where[1 : own - 1]]
    tops = sorted({*offsets, where[own - 1][1], start} - {0})
    following = dict(zip(tops, tops[1:], strict=False))
    inside = _members(pdf, where[own - 1][1])
    bodies = []
    for number, offset in enumerate(offsets, start=1):
        if not offset:
            if number not in inside:
                return None, b""
            bodies.append(inside[number])
            continue
        opened = _OBJ.match(pdf, offset)
        chunk = pdf[offset : following.get(offset, offset)].rstrip()
        if opened is None or int(opened.group(1)) != number or not chunk.endswith(b"endobj"):
            return None, b""
        bodies.append(chunk[opened.end() - offset : -len(b"endobj")].strip())
    return bodies, xref.group(3)


def _members(pdf: bytes, offset: int) -> dict[int, bytes]:
    """The objects of the object stream at `offset`, by number."""
    head = _OBJSTM.search(pdf, offset, offset + 200)
    if head is None:
        return {}
    data = zlib.decompress(pdf[head.end() : head.end() + int(head.group(3))])
    first = int(head.group(2))
    pairs = data[:first].split()
    numbers, offsets = [int(n) for n in pairs[::2]], [int(o) for o in pairs[1::2]]
    ends = [*offsets[1:], len(data) - first]
    return {n: data[first + a : first + b].strip() for n, a, b in zip(numbers, offsets, ends, strict=True)}


def _number(key: bytes, text: bytes) -> int | None:
    found = _REF[key].search(text)
    return int(found.group(1)) if found else None


def _trailer(root: int, text: bytes) -> bytes:
    """The trailer's /Root, /Info and /ID as dictionary entries of the xref stream."""
    info, ids = _number(b"Info", text), _ID.search(text)
    kept = b"/Root %d 0 R" % root
    if info is not None:
        kept += b" /Info %d 0 R" % info
    if ids is not None:
        kept += b" /ID [%s%s]" % (ids.group(1), ids.group(2))
    return kept


def spliceable(doc: Parsed) -> bool:
    """Whether `doc`'s page tree and outline are as reportlab writes them, so that `splice`
    can hang pages and outline entries on them; another back end's PDF is merged by pypdf."""
    bodies = doc.bodies
    return (
        doc.outlines is not None
        and _PAGES.match(bodies[doc.pages - 1]) is not None
        and _OUTLINES.match(bodies[doc.outlines - 1]) is not None
    )


def splice(doc: Parsed, parts: list[tuple[str, Part]]) -> bytes | None:
    """The brief `doc` followed by the pages of each part, each part with an outline entry
    titled as given, packed; None when the brief's page tree or outline is not as reportlab
    writes them (pypdf merges then)."""
    bodies = dict(enumerate(doc.bodies, start=1))
    pages = _PAGES.match(bodies[doc.pages])
    outline = _OUTLINES.match(bodies[doc.outlines]) if doc.outlines else None
    if pages is None or outline is None or doc.outlines is None or not parts:
        return None
    kids = [number for _, part in parts for number in part.pages]
    for _, part in parts:
        bodies.update(part.bodies)
    bodies[doc.pages] = b"<< /Count %d /Kids [%s%s] /Type /Pages >>" % (
        int(pages.group(1)) + len(kids),
        pages.group(2),
        b"".join(b"%d 0 R " % kid for kid in kids),
    )
    first, last = int(outline.group(2)), int(outline.group(3))
    items = list(range(max(bodies) + 1, max(bodies) + 1 + len(parts)))
    ending = bodies[last].rindex(b">>")  # the brief's last entry leads to the first appendix's
    bodies[last] = bodies[last][:ending] + b" /Next %d 0 R >>" % items[0]
    for i, (title, part) in enumerate(parts):
        bodies[items[i]] = b"<< /Dest [ %d 0 R /Fit ] /Parent %d 0 R /Prev %d 0 R%s /Title %s >>" % (
            part.pages[0],
            doc.outlines,
            items[i - 1] if i else last,
            b" /Next %d 0 R" % items[i + 1] if i + 1 < len(items) else b"",
            pdf_string(title),
        )
    bodies[doc.outlines] = b"<< /Count %d /First %d 0 R /Last %d 0 R /Type /Outlines >>" % (
        int(outline.group(1)) + len(parts),
        first,
        items[-1],
    )
    return _write(doc.header, bodies, doc.trailer)


def pdf_string(text: str) -> bytes:
    """`text` as a PDF text string: literal when printable ASCII, else UTF-16 with its mark."""
    if text.isascii() and text.isprintable():
        escaped = text.encode().replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
        return b"(" + escaped + b")"
    return b"<" + ("\ufeff" + text).encode("utf-16-be").hex().encode() + b">"


def _write(header: bytes, bodies: dict[int, bytes], trailer: bytes) -> bytes:
    """A PDF of `bodies` by number: streams as they are, every other object in one object
    stream, then the cross-reference stream. Numbers with no body are free."""
    size = max(bodies) + 1  # the object stream's number; the xref stream's is the next
    out = bytearray(header)
    where: dict[int, tuple[int, int, int]] = {}
    packed: list[tuple[int, bytes]] = []
    for number in sorted(bodies):
        body = bodies[number]
        if body.startswith(b"<<") and body.endswith(b"endstream"):  # streams stay outside
            where[number] = (1, len(out), 0)
            out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
        else:
            where[number] = (2, size, len(packed))
            packed.append((number, body))
    where[size] = (1, len(out), 0)
    out += _object_stream(size, packed)
    where[size + 1] = (1, len(out), 0)
    out += _xref_stream(size + 1, where, trailer)
    out += b"startxref\n%d\n%%%%EOF\n" % where[size + 1][1]
    return bytes(out)


def _object_stream(number: int, packed: list[tuple[int, bytes]]) -> bytes:
    """Object `number`: an object stream holding `packed` (number, body) in that order."""
    index, data = [], bytearray()
    for member, body in packed:
        index.append(b"%d %d" % (member, len(data)))
        data += body + b"\n"
    first = b" ".join(index) + b"\n"
    content = zlib.compress(first + bytes(data), LEVEL)
    head = b"<< /Type /ObjStm /N %d /First %d /Filter /FlateDecode /Length %d >>" % (
        len(packed),
        len(first),
        len(content),
    )
    return b"%d 0 obj\n%s\nstream\n%s\nendstream\nendobj\n" % (number, head, content)


def _xref_stream(number: int, where: dict[int, tuple[int, int, int]], trailer: bytes) -> bytes:
    """Object `number`: the cross-reference stream of every object (itself included), with the
    trailer's entries; a number with no object is free."""
    free = (0, 0, 65535)
    rows = b"".join(struct.pack(">BIH", *where.get(n, free)) for n in range(number + 1))
    content = zlib.compress(rows, LEVEL)
    head = b"<< /Type /XRef /Size %d /W [1 4 2] %s /Filter /FlateDecode /Length %d >>" % (
        number + 1,
        trailer,
        len(content),
    )
    return b"%d 0 obj\n%s\nstream\n%s\nendstream\nendobj\n" % (number, head, content)
