"""Repairing mojibake: UTF-8 text that was read as Windows-1252 and saved again.

Guides arrive damaged that way ("â€“" for "–", "Â£" for "£"). ftfy, a library made for
exactly this, undoes it; it is configured to fix the encoding only, so that the text is
otherwise kept exactly as written (no quote uncurling, no normalisation, no HTML unescaping).

One kind of damage ftfy cannot undo: Windows-1252 has no characters for the bytes 81, 8D, 8F,
90 and 9D, so those bytes were lost on the way ("ðŸ—ï¸" is 🏗️ without its two 8F bytes). Such a
run is repaired here only when putting lost bytes back gives emoji (fully qualified, by the
`emoji` library's data): an emoji is a whole unit that cannot be mistaken for words. Where more
than one emoji fits, the one whose lost bytes sit earliest is taken and a note names the others.
Any other run of damage that cannot be undone is an error naming its line.

ftfy's repair is then checked, change by change: a repaired run must be exactly what its own
bytes say (its UTF-8 read as Windows-1252 gives back the damaged run). ftfy also repairs by
heuristics ("â€ " becomes "†", as if the space were a lost no-break space, where the guide
had a closing quote that lost its 9D byte); such a guess is refused like any other damage,
so the repair never puts a character into a guide that the damaged bytes do not say.

Lines are repaired one by one, so that line numbers stay those of the file, and every damaged
spot of the file is named in one error (file:line for each), not only the first.
"""

from __future__ import annotations

import itertools
import re
from difflib import SequenceMatcher
from typing import TYPE_CHECKING

import msgspec

from ...errors import GuideError, shown

if TYPE_CHECKING:
    from ftfy import TextFixerConfig

LOST_BYTES = (0x81, 0x8D, 0x8F, 0x90, 0x9D)  # undefined in Windows-1252
MAX_LOST = 4  # lost bytes put back in one run, at most
MAX_RUN = 32  # bytes in a run worth restoring (an emoji sequence is shorter)
LONG_LINE = 2000  # characters: above this, ftfy's changes are found by difflib's faster heuristic

_CONT = "".join(bytes([b]).decode("cp1252") for b in range(0x80, 0xC0) if b not in LOST_BYTES)
_LEAD = "".join(bytes([b]).decode("cp1252") for b in range(0xC2, 0xF5))
_RUN = re.compile(f"(?:[{re.escape(_LEAD)}][{re.escape(_CONT)}]+)+")


class Repaired(msgspec.Struct):
    text: str
    notes: list[tuple[int, str]] = msgspec.field(default_factory=list)  # (line, what was guessed)


def _config() -> TextFixerConfig:
    from ftfy import TextFixerConfig

    return TextFixerConfig(
        unescape_html=False,
        remove_terminal_escapes=False,
        fix_encoding=True,
        restore_byte_a0=False,  # a space after damage is a space, not a lost no-break space
        replace_lossy_sequences=False,
        decode_inconsistent_utf8=True,
        fix_c1_controls=True,
        fix_latin_ligatures=False,
        fix_character_width=False,
        uncurl_quotes=False,
        fix_line_breaks=False,
        fix_surrogates=True,
        remove_control_chars=False,
        normalization=None,
        explain=False,
    )


def repair(text: str, file: str = "<text>") -> Repaired:
    """`text` with its mojibake undone, line by line; one GuideError naming every damaged spot
    (file:line for each) where some cannot be undone."""
    from ftfy import fix_text

    config = _config()
    out = Repaired("")
    lines, damaged = [], []
    for number, line in enumerate(text.split("\n"), start=1):
        fixed = fix_text(line, config) if not line.isascii() else line
        guessed = _guesses(line, fixed)
        damaged += [(number, run) for run in guessed]
        if guessed:
            fixed = line  # keep nothing of a line that ftfy guessed at; its spots are reported
        lines.append(_repair_runs(fixed, number, out.notes, [] if guessed else damaged))
    if damaged:
        raise _damage_error(damaged, file)
    out.text = "\n".join(lines)
    return out


def _damage_error(damaged: list[tuple[int, str]], file: str) -> GuideError:
    what = "are damaged (UTF-8 read as Windows-1252) and cannot be repaired"
    hint = "write them as they should be"
    if len(damaged) == 1:
        line, run = damaged[0]
        return GuideError(f"the characters {shown(run)} {what}", file=file, line=line, hint=hint)
    spots = "; ".join(f"{file}:{line}: {shown(run)}" for line, run in damaged)
    return GuideError(f"{len(damaged)} runs of characters {what}: {spots}", hint=hint)


def _guesses(original: str, fixed: str) -> list[str]:
    """The runs of `original` that ftfy changed into something their bytes do not say."""
    import ftfy.bad_codecs  # noqa: F401  (registers sloppy-windows-1252)

    if fixed == original:
        return []
    found = []
    for i1, i2, j1, j2 in _changes(original, fixed):
        try:
            redamaged = fixed[j1:j2].encode("utf-8").decode("sloppy-windows-1252")
        except UnicodeError:
            redamaged = None
        if redamaged != original[i1:i2]:
            found.append(original[i1:i2])
    return found


def _non_ascii(text: str) -> int:
    """How many characters `text` starts with that are not ASCII."""
    return next((k for k, c in enumerate(text) if c.isascii()), len(text))


def _changes(original: str, fixed: str) -> list[tuple[int, int, int, int]]:
    """The changed spans (i1, i2 in `original`, j1, j2 in `fixed`), each widened over the
    non-ASCII characters around it that both sides share (in "Â£", the "£" is shared)."""
    spans: list[list[int]] = []
    open_span: list[int] | None = None
    carry = 0  # shared non-ASCII characters just before the next change
    # a long line is compared with difflib's heuristic for speed: it may mark more as changed,
    # which can only refuse a repair, never let a guess through
    matcher = SequenceMatcher(None, original, fixed, autojunk=len(original) > LONG_LINE)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            if open_span is None:
                open_span = [i1 - carry, i2, j1 - carry, j2]
                spans.append(open_span)
            open_span[1], open_span[3] = i2, j2
            continue
        shared = original[i1:i2]
        head = _non_ascii(shared)
        if open_span is not None:
            open_span[1] += head
            open_span[3] += head
            if head == len(shared):
                continue  # the change goes on through these characters
        open_span = None
        carry = min(_non_ascii(shared[::-1]), len(shared) - head) if head < len(shared) else 0
    return [(a, b, c, d) for a, b, c, d in spans]


def _repair_runs(text: str, line: int, notes: list[tuple[int, str]], damaged: list[tuple[int, str]]) -> str:
    return _RUN.sub(lambda m: _repair_run(m.group(0), line, notes, damaged), text)


def _repair_run(run: str, line: int, notes: list[tuple[int, str]], damaged: list[tuple[int, str]]) -> str:
    raw = run.encode("cp1252")
    try:
        return raw.decode("utf-8")  # damage that ftfy judged too uncertain to touch
    except UnicodeDecodeError:
        pass
    found = _restorations(raw) if len(raw) <= MAX_RUN else []
    if not found:
        damaged.append((line, run))
        return run
    best = found[0]
    if len(found) > 1:
        others = ", ".join(f"{e} ({_name(e)})" for e in found[1:])
        notes.append(
            (
                line,
                f"{run!r} lost bytes in the damage; repaired as {best} ({_name(best)}),"
                f" but it could also be {others}: check it",
            )
        )
    return best


def _restorations(raw: bytes) -> list[str]:
    """Every emoji text that `raw` becomes with lost bytes put back, earliest positions first."""
    results: dict[str, tuple[int, ...]] = {}
    stack: list[tuple[bytes, tuple[int, ...]]] = [(raw, ())]
    while stack:
        data, positions = stack.pop()
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            if len(positions) >= MAX_LOST:
                continue
            end = min(exc.end, len(data)) if exc.reason != "unexpected end of data" else len(data)
            for pos, byte in itertools.product(range(exc.start + 1, end + 1), LOST_BYTES):
                stack.append((data[:pos] + bytes([byte]) + data[pos:], (*positions, pos)))
            continue
        if _all_emoji(text) and (text not in results or positions < results[text]):
            results[text] = positions
    return sorted(results, key=lambda t: (results[t], t))


def _all_emoji(text: str) -> bool:
    import emoji

    found = emoji.emoji_list(text)
    if "".join(m["emoji"] for m in found) != text:
        return False
    return all(
        emoji.EMOJI_DATA.get(m["emoji"], {}).get("status") == emoji.STATUS["fully_qualified"] for m in found
    )


def _name(text: str) -> str:
    import emoji

    return emoji.demojize(text, delimiters=("", "")).replace("_", " ")
