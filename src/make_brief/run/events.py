"""What a batch reports as it goes: typed, frozen events, one per thing that happened.

`make_briefs(..., progress=callback)` calls the callback with each event, in input order: a
brief made or failed, its counter draft written, its message sent, held or in flight. They hold
plain data only (no error objects, no PDF bytes), so a web page can stream them as JSON
(``msgspec.json.encode(event)`` carries its ``"event"`` tag; ``decode(data, type=Event)`` reads
one back). The command line turns them into the lines it prints (cli/run.py).
"""

from __future__ import annotations

from typing import Literal, Protocol, Union

import msgspec

from .pipeline import Outcome


class BriefMade(msgspec.Struct, frozen=True, tag="brief made", tag_field="event"):
    """A brief was written: at `path`, `pages` long, `size` bytes."""

    label: str  # the input: "offers/a.yaml", "candidates.csv:row 7"
    path: str
    pages: int
    size: int
    sha256: str
    warnings: tuple[str, ...] = ()


class BriefFailed(msgspec.Struct, frozen=True, tag="brief failed", tag_field="event"):
    """No brief for this input: `error` is its one line (errors.describe); `held` when --strict
    held it back for a warning; `internal` when it met a bug of ours."""

    label: str
    error: str
    held: bool = False
    internal: bool = False


class CounterWritten(msgspec.Struct, frozen=True, tag="counter written", tag_field="event"):
    """The candidate's counter-offer e-mail draft (.eml) was written at `path`."""

    label: str
    path: str


class MessageSent(msgspec.Struct, frozen=True, tag="message sent", tag_field="event"):
    """The brief's message went (`sent`), would go (a dry run), or had gone before; or went
    to the --test-to address instead (`tested`, `would test`); `text` is the line the command
    line prints."""

    label: str
    status: Literal["sent", "would send", "already sent", "tested", "would test"]
    recipient: str
    text: str


class MessageHeld(msgspec.Struct, frozen=True, tag="message held", tag_field="event"):
    """The message waits for the user to decide (`reason`, one line): another version was sent,
    or it may have arrived (`unconfirmed`)."""

    label: str
    status: Literal["held", "unconfirmed"]
    recipient: str
    reason: str


class MessageInFlight(msgspec.Struct, frozen=True, tag="message in flight", tag_field="event"):
    """Another live run is sending this message; that run reports it."""

    label: str
    recipient: str
    reason: str


class MessageNotSent(msgspec.Struct, frozen=True, tag="message not sent", tag_field="event"):
    """No message: the candidate has no address, it failed, or the server had failed before."""

    label: str
    status: Literal["not sent", "failed", "no e-mail"]
    recipient: str
    reason: str


class Problem(msgspec.Struct, frozen=True, tag="problem", tag_field="event"):
    """A problem of the run itself (its manifest, its passwords file): one line."""

    text: str


# Union, not |: runtime aliases on Python 3.10 too (msgspec.json.decode(data, type=Event))
MessageEvent = Union[MessageSent, MessageHeld, MessageInFlight, MessageNotSent]  # noqa: UP007
Event = Union[  # noqa: UP007
    BriefMade, BriefFailed, CounterWritten, MessageSent, MessageHeld, MessageInFlight, MessageNotSent, Problem
]


class Courier(Protocol):
    """The mail stage as a batch sees it (deliver.postman.Postman): each outcome posted as it is
    made, and what is left to say at the end."""

    notes: list[str]
    problems: list[str]
    held: list[str]
    flying: list[str]

    def post(self, outcome: Outcome) -> tuple[Outcome, MessageEvent | None]: ...

    def summary(self) -> list[str]: ...

    def tally(self) -> str | None: ...
