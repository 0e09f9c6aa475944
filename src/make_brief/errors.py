"""The one exception family of make-brief.

Every error names the file first, then the field (or line), then what to do, so that the
command line can print ``str(error)`` as a single clear line.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

# Characters that would act on a terminal rather than show: C0/C1 controls and DEL, and the
# bidirectional overrides that reorder what follows them ("Trojan source").
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


EXIT_INPUT = 1  # the user's input (or a setting) cannot be used: one line says what to do
EXIT_INTERNAL = 70  # a bug of ours (EX_SOFTWARE): one line, and the traceback with MAKE_BRIEF_DEBUG=1


class BriefError(Exception):
    """Base of every error the library raises on purpose."""

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        field: str | None = None,
        line: int | None = None,
        hint: str | None = None,
    ) -> None:
        self.message = message
        self.file = str(file) if file is not None else None
        self.field = field
        self.line = line
        self.hint = hint
        super().__init__(self.format())

    def format(self) -> str:
        where = []
        if self.file:
            where.append(self.file + (f":{self.line}" if self.line else ""))
        if self.field:
            where.append(self.field)
        text = ": ".join([*where, self.message])
        if self.hint:
            text += f" ({self.hint})"
        text = " ".join(text.split())  # one line, whatever the inputs held
        return _UNPRINTABLE.sub(lambda m: ascii(m.group())[1:-1], text)

    def __reduce__(self) -> tuple:
        """Pickled with its fields and class, so that an error met in a worker process reaches
        the batch whole (file, field, line and hint), not as its formatted line."""
        return (_rebuild, (type(self), self.message, self.file, self.field, self.line, self.hint))

    def at(self, file: str | Path) -> BriefError:
        """The same error, naming `file` when it named none yet."""
        if self.file is None:
            self.file = str(file)
            self.args = (self.format(),)
        return self


def _rebuild(
    kind: type[BriefError],
    message: str,
    file: str | None,
    field: str | None,
    line: int | None,
    hint: str | None,
) -> BriefError:
    return kind(message, file=file, field=field, line=line, hint=hint)


class InputError(BriefError):
    """An offer file, a guide or an appendix that cannot be used as given."""


class GuideError(InputError):
    """A guide that is missing, unreadable or inconsistent."""


class TemplateError(BriefError):
    """A template folder, style sheet or wording template that cannot be used."""


class OutputError(BriefError):
    """The brief could not be written where asked."""


class SettingError(BriefError):
    """An environment variable or setting of the run that cannot be used."""


class HeldError(BriefError):
    """A brief that was made with a warning and held back by --strict: not written, not sent."""


class WorkerError(BriefError):
    """The worker process making a brief stopped (killed, out of memory): the brief is not made."""


class InternalError(Exception):
    """A bug of ours met while making one brief of a batch: the batch goes on, prints its one
    line (not as the user's error) and exits 70 (EXIT_INTERNAL). Made in the worker from the
    exception, it carries the input's label, the exception's type and its first line."""

    def __init__(self, label: str, kind: str, text: str) -> None:
        self.label, self.kind, self.text = label, kind, text
        super().__init__(label, kind, text)

    @classmethod
    def of(cls, label: str, exc: BaseException) -> InternalError:
        first = str(exc).splitlines()[0][:200] if str(exc) else ""
        return cls(label, type(exc).__name__, first)

    def __str__(self) -> str:
        return (
            f"internal error: {self.label}: {self.kind}: {self.text}"
            " (set MAKE_BRIEF_DEBUG=1 for the traceback)"
        )


class RefusedNode(Exception):  # noqa: N818 (a signal inside the loader, never a user's error)
    """Inside the safe YAML loader (files/loading.py): a node it refuses (an alias, a key that is
    not text, a duplicate key, a number too long); the loader turns it into one InputError line
    naming the file and line, so it never reaches a user as it is."""

    def __init__(self, node: Any, message: str, checked: bool = False) -> None:  # node: yaml.Node
        super().__init__(message)
        self.node = node
        self.line: int = node.start_mark.line + 1
        self.checked = checked  # raised after the tree was checked: it has no aliases
        self.owner: Any = None  # for a duplicate key: its mapping (a yaml.Node), and the key
        self.key = ""


class JournalError(BriefError):
    """The send journal cannot be read or written."""


class MailError(BriefError):
    """A mail setting, address or template that cannot be used, or a message that cannot go."""


# --- signals between the library's own parts, never shown as they are ------------------------


class AmountError(ValueError):
    """A value that is not an amount; the message says what to write instead (made into an
    InputError naming the field by whoever read the value)."""


class RefusedError(Exception):
    """The SMTP server refused this one message (others may go)."""


class UnconfirmedError(Exception):
    """The connection was lost during or after DATA: the message may have arrived."""


class ServerError(Exception):
    """The SMTP server cannot be reached, refused the login, or failed: no message can go now."""


class UnkeyableError(Exception):
    """A value that cannot be part of a line-cache key by value."""


# --- the one place an error becomes the line the user reads ----------------------------------


Failure = BriefError | InternalError  # what an outcome of a batch carries when it failed


def name_input(label: str, message: str) -> str:
    """`message`, starting with the input it is about (an appendix's error names the appendix)."""
    return message if message.startswith(label) else f"{label}: {message}"


def describe(error: Failure, label: str, many: bool = False, who: str = "") -> str:
    """The one line of `error`, met while making the brief of input `label`. A bug's line is
    its own. An error in the input that names no file gets the input's name; one that names its
    own file (the offer, its guide, a template) or is about the run (output folder, a setting)
    stands as it is. In a batch (`many`) every line starts with its input, and with `who` (the
    candidate a table's row names) after it: "candidates.csv:row 7 (Ana Ruiz): region: ..."."""
    if isinstance(error, InternalError):
        return str(error)
    text = str(error)
    if isinstance(error, InputError) and error.file is None:
        text = name_input(label, text)
    line = name_input(label, text) if many else text
    if who and line.startswith(f"{label}:"):
        line = f"{label} ({who}){line[len(label) :]}"
    return line


def shown(text: str, limit: int = 60, quote: bool = True) -> str:
    """`text` as an error message shows it: cut to `limit` characters, quoted like repr()."""
    cut = text if len(text) <= limit else text[:limit] + "…"
    return repr(cut) if quote else cut
