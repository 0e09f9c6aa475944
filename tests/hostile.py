"""Helpers of the hostile-input suite (tests/test_hostile_*.py).

Every hostile case ends in one of two ways, and the tests say which:

(a) ``made``: exit 0, the brief is written, and the text is shown literally (read back with
    pypdf);
(b) ``refused``: exit 1, exactly one line on stderr, ``error: <file>...``, naming the file (and
    the field, where there is one), no traceback, and no output file, not even a temporary one.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner, Result
from conftest import offer_data as offer
from pypdf import PdfReader

from make_brief.cli import main

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "data" / "guides" / "segment-engineering-manager.yaml"


def build(args: list[str], env: dict[str, str] | None = None) -> Result:
    """`make-brief ARGS` through click's CliRunner (stdout and stderr apart)."""
    return CliRunner().invoke(main, args, env=env)


def dump(data: Any) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def outputs(folder: Path) -> list[Path]:
    """Every PDF and every temporary file under `folder`."""
    return sorted(p for p in folder.rglob("*") if p.suffix in (".pdf", ".part") and p.is_file())


def refused(result: Result, where: str, *needles: str, folder: Path | None = None) -> str:
    """Assert ending (b) and return the error line. `where` is the start of what the line must
    name after ``error: `` (the file, and often ``:line: field``)."""
    assert result.exit_code == 1, (result.exit_code, result.output, result.stderr)
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    line = lines[0]
    assert line.startswith(f"error: {where}"), line
    for needle in needles:
        assert needle in line, (needle, line)
    assert "Traceback" not in result.output + result.stderr
    assert result.stdout == ""
    if folder is not None:
        assert outputs(folder) == [], outputs(folder)
    return line


def _body_text(page: object) -> str:
    """The text of `page` between its running header and footer (the margins of the default
    template: 18 mm at the top, 20 mm at the bottom)."""
    height = float(page.mediabox.height)  # type: ignore[attr-defined]
    parts: list[str] = []

    def keep(text: str, cm: list[float], tm: list[float], font: object, size: object) -> None:
        y = cm[3] * tm[5] + cm[5]  # the text matrix's origin, on the page
        if 20 * 72 / 25.4 < y < height - 18 * 72 / 25.4:
            parts.append(text)

    page.extract_text(visitor_text=keep)  # type: ignore[attr-defined]
    return "".join(parts)


def made(result: Result, path: Path) -> Pdf:
    """Assert ending (a) for the brief at `path` and return it read back."""
    assert result.exit_code == 0, (result.exit_code, result.stderr)
    assert "Traceback" not in result.stderr
    assert path.is_file(), path
    assert not list(path.parent.glob(".*.part"))
    return Pdf(path.read_bytes())


class Pdf:
    """A brief read back: text per page, text with whitespace collapsed or removed."""

    def __init__(self, data: bytes) -> None:
        assert data.startswith(b"%PDF-")
        self.reader = PdfReader(io.BytesIO(data))
        self.pages = [page.extract_text() for page in self.reader.pages]
        self.text = "\n".join(self.pages)
        self.flat = " ".join(self.text.split())
        self.squeezed = "".join(self.text.split())
        body = " ".join(_body_text(page) for page in self.reader.pages)
        self.body_flat, self.body_squeezed = " ".join(body.split()), "".join(body.split())

    def shows(self, text: str) -> bool:
        """Whether `text` is in the brief as written: with its spaces where a line is not
        broken, or at least in order without them (a narrow table cell breaks long words);
        a paragraph split over two pages is read without the running header and footer."""
        flat, squeezed = " ".join(text.split()), "".join(text.split())
        return any(
            (flat in a or squeezed in b)
            for a, b in ((self.flat, self.squeezed), (self.body_flat, self.body_squeezed))
        )

    def images(self) -> int:
        count = 0
        for page in self.reader.pages:
            xobjects = (page.get("/Resources") or {}).get("/XObject") or {}
            count += sum(1 for x in xobjects.values() if x.get_object().get("/Subtype") == "/Image")
        return count

    def link_targets(self) -> list[str]:
        targets = []
        for page in self.reader.pages:
            for annot in page.get("/Annots") or []:
                action = annot.get_object().get("/A")
                if action is not None:
                    action = action.get_object()
                    targets.append(f"{action.get('/S')} {action.get('/URI', action.get('/F', ''))}")
        return targets


def terms(**changes: Any) -> dict:
    """A valid offer whose `offer:` block has `changes`."""
    data = offer()
    data["offer"] = {**data["offer"], **changes}
    return data


def raw_pdf(objects: list[bytes], *, prev_self: bool = False, shift: int = 0) -> bytes:
    """A PDF written by hand from `objects` (object 1 is the catalog): `prev_self` makes the
    xref chain loop onto itself, `shift` makes every xref offset point `shift` bytes off."""
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % (offset + shift) for offset in offsets)
    prev = b"/Prev %d " % xref if prev_self else b""
    out += b"trailer\n<< /Size %d /Root 1 0 R %s>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, prev, xref)
    return bytes(out)


def one_page_pdf(
    content: bytes = b"", resources: bytes = b"<< >>", extra: list[bytes] | None = None
) -> bytes:
    """A one-page PDF; `content` is the body of object 4 (the page's content stream)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources "
        + resources
        + b" >>",
        content or b"<< /Length 0 >>\nstream\n\nendstream",
    ]
    return raw_pdf(objects + (extra or []))


def flate_bomb(megabytes: int) -> bytes:
    """A valid zlib stream of zeros that inflates to `megabytes` MiB, about 1 KiB per MiB. Made
    without compressing it all: after a full flush, each MiB of zeros compresses to the same
    bytes, and the Adler-32 of n zeros is ((n mod 65521) << 16) | 1."""
    import zlib

    block = b"\0" * (1 << 20)
    packer = zlib.compressobj(9)
    head = packer.compress(block) + packer.flush(zlib.Z_FULL_FLUSH)
    middle = packer.compress(block) + packer.flush(zlib.Z_FULL_FLUSH)
    adler = (((megabytes << 20) % 65521) << 16) | 1
    return head + middle * (megabytes - 1) + b"\x03\x00" + adler.to_bytes(4, "big")
