"""The `build` command's run: briefs from the batch, mail from the postman, lines for the user.

stdout gets a line per brief written (its path) and per message (sent, would send, ...);
stderr gets, at the end, the warnings, the notes, one line per failure and the count. A
progress bar is drawn only when stderr is a terminal; in a pipe or a log there is none.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ..errors import EXIT_INTERNAL, InternalError

if TYPE_CHECKING:
    from .. import BatchOptions, BatchRun, Courier, Event, MailSettings

MAIL_OPTIONS = (
    "smtp_host",
    "smtp_port",
    "smtp_security",
    "smtp_user",
    "smtp_auth",
    "smtp_token_command",
    "journal",
    "sender",
    "reply_to",
    "rate",
    "max_attachment",
    "mail_templates",
    "cc",
    "bcc",
    "test_to",
    "test_count",
)


def run_build(offers: tuple[Path, ...], options: dict[str, Any]) -> int:
    """Make the briefs of `offers` (and their mail) through the library's api.make_briefs,
    printing as they come; the exit status."""
    from .. import BriefFailed, BriefMade, count_items, make_briefs
    from ..offers.inputs import is_batch
    from ..run.shard import parse as parse_shard

    shard = parse_shard(options["shard"]) if options.get("shard") else None
    many = is_batch(offers) or shard is not None
    folder, file = _targets(options["output"], options["out_dir"], many)
    mail = mail_settings(options)
    if mail is not None:
        from ..deliver.smtp import check_sign_in

        check_sign_in(mail)  # a refused token: one line before any brief is made
    quiet = options["quiet"]
    bar = many and not quiet and _is_terminal(sys.stderr)
    echo = (lambda line: None) if quiet or (bar and _is_terminal(sys.stdout)) else click.echo
    with ExitStack() as finally_:
        shown = None
        if bar:
            total = count_items(offers, shard)
            shown = finally_.enter_context(
                click.progressbar(length=total, label="briefs", file=sys.stderr, show_pos=True)
            )

        def progress(event: Event) -> None:
            if (line := _line(event)) is not None:
                echo(line)
            if shown is not None and isinstance(event, (BriefMade, BriefFailed)):  # one per item
                shown.update(1)

        chosen = _batch_options(options, file, shard, many)
        run = make_briefs(offers, folder, chosen, mail=mail, progress=progress)
    for note in [] if quiet else run.notes:
        click.echo(f"note: {note}", err=True)
    unwritten = folder if many and run.manifest is None else None
    failures = _printed(run, many)
    status = _report(
        many, run.made, failures, run.warnings, run.postman, run.manifest, quiet, run.problems, unwritten
    )
    if not quiet:
        _deadlines(run, many)
    return EXIT_INTERNAL if run.internal else status


def _batch_options(
    options: dict[str, Any], file: Path | None, shard: tuple[int, int] | None, many: bool
) -> BatchOptions:
    """The build command's options as the batch's BatchOptions."""
    from .. import BatchOptions
    from ..money.fx import read_rates

    return BatchOptions(
        output=file,
        template=options["template"],
        page_size=options["page_size"],
        guide_dirs=tuple(options["guide_dirs"]),
        rates=read_rates(options["fx"]) if options.get("fx") else (),
        jobs=options["jobs"],
        time_limit=options.get("time_limit"),
        lock=bool(options.get("lock")),
        strict=bool(options.get("strict")),
        counter=Path(options["counter"]) if options.get("counter") else None,
        shard=shard,
        many=many,
        backend=options.get("backend") or "reportlab",
        force=bool(options.get("force")),
        guide_max_age=options.get("guide_max_age") or 12,
        pdf_standards=tuple(s.lower() for s in options.get("pdf_standards") or ()),
    )


def _deadlines(run: BatchRun, many: bool) -> None:
    """The offers whose deadline is near or passed: one brief's note (a passed deadline is one of
    its warnings already), or a batch's closing list, soonest first."""
    from ..advice.callprep import URGENT_DAYS
    from ..run.pipeline import days_text, deadline_words

    if not many:
        for label, _, deadline, days in run.urgent:
            if days >= 0:
                click.echo(f"note: {label}: {deadline_words(deadline, days)}", err=True)
        return
    if run.urgent:
        click.echo(f"deadlines passed or within {URGENT_DAYS} days ({len(run.urgent)}):", err=True)
    for label, candidate, deadline, days in run.urgent:
        verb = "expired" if days < 0 else "expires"
        click.echo(f"  {verb} {deadline.isoformat()} ({days_text(days)}): {candidate} ({label})", err=True)


def printer(quiet: bool) -> Callable[[Event], None]:
    """What prints each event's line as it happens (nothing when `quiet`)."""

    def progress(event: Event) -> None:
        if not quiet and (line := _line(event)) is not None:
            click.echo(line)

    return progress


def _line(event: Event) -> str | None:
    """The line printed as `event` happens (stdout): a brief's path, its counter draft's path,
    its message's line. Failures, held messages and problems are printed at the end."""
    from .. import BriefMade, CounterWritten, MessageSent

    if isinstance(event, (BriefMade, CounterWritten)):
        return event.path
    if isinstance(event, MessageSent):
        return event.text
    return None


def _printed(run: BatchRun, many: bool) -> list[str]:
    """Each failure's line as printed: "error: …", or a bug's own "internal error: …"."""
    return [
        line if isinstance(error, InternalError) else f"error: {line}"
        for line, (_, error) in zip(run.failure_lines(many), run.failures, strict=True)
    ]


def _report(
    many: bool,
    made: int,
    failures: list[str],  # their lines as printed: "error: ...", or a bug's "internal error: ..."
    warnings: list[str],
    postman: Courier | None,
    manifest: Path | None,
    quiet: bool,
    unlisted: list[str] | None = None,
    unwritten: Path | None = None,  # the manifest could not be written: the briefs are here
) -> int:
    for line in [] if quiet else warnings:  # -q: errors only
        click.echo(f"warning: {line}", err=True)
    problems = (postman.problems if postman else []) + (unlisted or [])
    if postman is not None and not quiet:
        for note in postman.notes:
            click.echo(f"note: {note}", err=True)
    for line in failures:
        click.echo(line, err=True)
    for problem in problems:
        click.echo(f"error: {problem}", err=True)
    if postman is not None:
        _postman_lines(postman, [] if quiet else postman.summary())
    total = made + len(failures)
    where = f" (listed in {manifest})" if manifest else ""
    if unwritten is not None:
        where = f" (in {unwritten}; the manifest could not be written)"
    if many and failures and not quiet:
        click.echo(f"{len(failures)} of {total} briefs failed; {made} made{where}", err=True)
    elif many and not quiet and total:
        click.echo(f"{made} of {total} briefs made{where}", err=True)
    if postman is not None and not quiet and (tally := postman.tally()) is not None:
        click.echo(f"messages: {tally}", err=True)
    return 1 if failures or problems or (postman is not None and postman.held) else 0


def _targets(output: str | None, out_dir: Path | None, many: bool) -> tuple[Path, Path | None]:
    """(the output folder, the one file to write or None) from -o and --out-dir. -o names a
    folder with several offers, or when it is one already or ends with a slash."""
    from ..files.fs import is_dir
    from ..run.pipeline import DEFAULT_OUTPUT

    if output is not None and out_dir is not None:
        raise click.UsageError("give either -o/--output or --out-dir, not both")
    if output is None:
        return out_dir or DEFAULT_OUTPUT, None
    if is_dir(Path(output)) or output.endswith(("/", os.sep)):
        return Path(output), None
    if many and output.lower().endswith(".pdf"):
        raise click.UsageError(
            f"-o {output}: several offers make several briefs, so -o must name a folder (such as -o out/)"
        )
    if many:
        return Path(output), None
    if not output.lower().endswith(".pdf"):  # -o brief: brief.pdf, as a PDF reader expects
        output += ".pdf"
    return Path(output).parent, Path(output)


def mail_settings(options: dict[str, Any], required: bool = False) -> MailSettings | None:
    """The mail settings, when any mail option (or a config file) was given or `required`;
    else None."""
    given = {key: options[key] or None for key in MAIL_OPTIONS}  # --cc given never is ()
    if not (
        required
        or options["send"]
        or options["eml"]
        or options["config"]
        or any(v is not None for v in given.values())
    ):
        if options["resend_changed"]:
            raise click.UsageError("--resend-changed goes with --send")
        return None
    from ..deliver.mail import load_config, settings

    config = load_config(options["config"]) if options["config"] else None
    given.update(send=options["send"], eml=options["eml"], resend_changed=options["resend_changed"])
    return settings(given, config)


def report_mail(postman: Courier, briefs: int, quiet: bool) -> int:
    """The end of the mail stage on its own: notes, failures, held messages, the summary."""
    if not quiet:
        for note in postman.notes:
            click.echo(f"note: {note}", err=True)
    for problem in postman.problems:
        click.echo(f"error: {problem}", err=True)
    loud = not quiet or postman.problems or postman.held
    _postman_lines(postman, postman.summary() if loud else [])
    if not quiet:
        noun = "brief" if briefs == 1 else "briefs"
        click.echo(f"{briefs} {noun} in the manifests", err=True)
        if (tally := postman.tally()) is not None:
            click.echo(f"messages: {tally}", err=True)
    return 1 if postman.problems or postman.held else 0


def _postman_lines(postman: Courier, summary: list[str]) -> None:
    """Each message another live run is sending, each held one (one line each), the summary."""
    for line in postman.flying:
        click.echo(f"in flight: {line}", err=True)
    for line in postman.held:
        click.echo(f"held: {line}", err=True)
    for line in summary:
        click.echo(line, err=True)


def _is_terminal(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False
