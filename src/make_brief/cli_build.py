"""The `build` command's run: briefs from the batch, mail from the postman, lines for the user.

stdout gets a line per brief written (its path) and per message (sent, would send, ...);
stderr gets, at the end, the warnings, the notes, one line per failure and the count. A
progress bar is drawn only when stderr is a terminal; in a pipe or a log there is none.
"""

from __future__ import annotations

import os
import sys
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import click
import msgspec

from .errors import EXIT_INTERNAL, InternalErrorLine

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
)


def run_build(offers: tuple[Path, ...], options: dict[str, Any]) -> int:
    """Make the briefs of `offers` (and their mail); the exit status."""
    from .batch import Batch, Manifest, Settings, default_jobs
    from .fx import read_rates
    from .inputs import expand, is_batch, name_input
    from .manifest import shard_name
    from .passwords import PasswordBook
    from .pipeline import today
    from .shard import parse as parse_shard

    shard = parse_shard(options["shard"]) if options.get("shard") else None
    many = is_batch(offers) or shard is not None
    folder, file = _targets(options["output"], options["out_dir"], many)
    mail = mail_settings(options)
    if mail is not None:
        from .postman import check_sign_in

        check_sign_in(mail)  # a refused token: one line before any brief is made
    rates = read_rates(options["fx"]) if options.get("fx") else ()
    lock = bool(options.get("lock"))
    settings = Settings(
        options["template"], options["page_size"], options["guide_dirs"], today(), rates, lock=lock
    )
    counter_dir = options.get("counter")
    if counter_dir:
        settings = msgspec.structs.replace(settings, counter=True)
    passwords = PasswordBook(folder) if lock else None
    batch = Batch(
        folder,
        settings,
        jobs=options["jobs"] or default_jobs(),
        output=file,
        passwords=passwords,
        strict=bool(options.get("strict")),
    )
    quiet = options["quiet"]
    bar = many and not quiet and _is_terminal(sys.stderr)
    echo = (lambda line: None) if quiet or (bar and _is_terminal(sys.stdout)) else click.echo
    failures: list[str] = []
    warnings: list[str] = []
    made = 0
    with ExitStack() as finally_:  # closed in reverse order, also on errors and Ctrl-C
        postman = None
        if mail is not None:
            from .postman import Postman

            postman = finally_.enter_context(Postman(mail, folder))
        manifest = Manifest(folder, shard_name(shard)) if many else None
        if manifest is not None:
            finally_.callback(manifest.close)
        outcomes = batch.run(_share(expand(offers), shard))
        finally_.callback(outcomes.close)
        shown = None
        if bar:
            total = sum(1 for _ in _share(expand(offers), shard))
            shown = finally_.enter_context(
                click.progressbar(length=total, label="briefs", file=sys.stderr, show_pos=True)
            )
        for outcome in outcomes:
            if outcome.ok and outcome.built is not None:
                made += 1
                warnings += [f"{outcome.item.label}: {w}" for w in outcome.built.warnings]
                echo(str(outcome.path))
                if counter_dir is not None and outcome.built.counter is not None:
                    _write_counter(counter_dir, outcome, file is not None, echo, failures)
            else:
                # in a batch every line names its input; one offer's error names its own file
                error = outcome.error or ""
                if isinstance(error, InternalErrorLine):  # a bug: its line names its input already
                    failures.append(error)
                else:
                    failures.append(name_input(outcome.item.label, error) if many else error)
            if postman is not None and (line := postman.handle(outcome)):
                echo(line)
            if manifest is not None:
                manifest.add(outcome)
            if shown is not None:
                shown.update(1)
        unlisted: list[str] = []
        listed = _close(manifest, folder, unlisted) if manifest is not None else None
        _close_passwords(passwords, unlisted, quiet)
    unwritten = folder if manifest is not None and listed is None else None
    return _report(many, made, failures, warnings, postman, listed, quiet, unlisted, unwritten)


def _share(items: Any, shard: tuple[int, int] | None) -> Any:
    """The items of this shard (all of them without one)."""
    from .shard import shard_of

    if shard is None:
        return items
    return (item for item in items if shard_of(item.identity, shard[1]) == shard[0])


def _close(manifest: Any, folder: Path, failures: list[str]) -> Path | None:
    """Finish the manifest; when it cannot be written (a full disk), say so as one more failure
    that names where the briefs are, and keep every other line of the report."""
    from .errors import OutputError

    try:
        return manifest.close()
    except OutputError as exc:
        failures.append(f"{exc}; the briefs that were made are in {folder}")
        return None


def _close_passwords(passwords: Any, failures: list[str], quiet: bool) -> None:
    """Leave one row per locked brief in passwords.csv, and say where it is."""
    from .errors import OutputError

    if passwords is None:
        return
    try:
        path = passwords.close()
    except OutputError as exc:
        failures.append(str(exc))
        return
    if path is not None and not quiet:
        click.echo(f"note: the passwords of the locked briefs are in {path} (readable by you only)", err=True)


def _report(
    many: bool,
    made: int,
    failures: list[str],
    warnings: list[str],
    postman: Any,
    manifest: Path | None,
    quiet: bool,
    unlisted: list[str] | None = None,
    unwritten: Path | None = None,  # the manifest could not be written: the briefs are here
) -> int:
    for line in [] if quiet else warnings:  # -q: errors only
        click.echo(f"warning: {line}", err=True)
    problems = failures + (postman.problems if postman else []) + (unlisted or [])
    if postman is not None and not quiet:
        for note in postman.notes:
            click.echo(f"note: {note}", err=True)
    for problem in problems:
        click.echo(problem if isinstance(problem, InternalErrorLine) else f"error: {problem}", err=True)
    if postman is not None:
        for line in postman.held:
            click.echo(f"held: {line}", err=True)
        for line in [] if quiet else postman.summary():
            click.echo(line, err=True)
    total = made + len(failures)
    where = f" (listed in {manifest})" if manifest else ""
    if unwritten is not None:
        where = f" (in {unwritten}; the manifest could not be written)"
    if many and failures and not quiet:
        click.echo(f"{len(failures)} of {total} briefs failed; {made} made{where}", err=True)
    elif many and not quiet and total:
        click.echo(f"{made} of {total} briefs made{where}", err=True)
    if any(isinstance(problem, InternalErrorLine) for problem in problems):
        return EXIT_INTERNAL  # a bug of ours, in any item
    return 1 if problems or (postman is not None and postman.held) else 0


def _targets(output: str | None, out_dir: Path | None, many: bool) -> tuple[Path, Path | None]:
    """(the output folder, the one file to write or None) from -o and --out-dir. -o names a
    folder with several offers, or when it is one already or ends with a slash."""
    from .fs import is_dir
    from .pipeline import DEFAULT_OUTPUT

    if output is not None and out_dir is not None:
        raise click.UsageError("give either -o/--output or --out-dir, not both")
    if output is None:
        return out_dir or DEFAULT_OUTPUT, None
    if many or is_dir(Path(output)) or output.endswith(("/", os.sep)):
        return Path(output), None
    return Path(output).parent, Path(output)


def mail_settings(options: dict[str, Any], required: bool = False) -> Any:
    """The mail settings, when any mail option (or a config file) was given or `required`;
    else None."""
    given = {key: options[key] for key in MAIL_OPTIONS}
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
    from .mail import load_config, settings

    config = load_config(options["config"]) if options["config"] else None
    given.update(send=options["send"], eml=options["eml"], resend_changed=options["resend_changed"])
    return settings(given, config)


def report_mail(postman: Any, briefs: int, quiet: bool) -> int:
    """The end of the mail stage on its own: notes, failures, held messages, the summary."""
    if not quiet:
        for note in postman.notes:
            click.echo(f"note: {note}", err=True)
    for problem in postman.problems:
        click.echo(f"error: {problem}", err=True)
    for line in postman.held:
        click.echo(f"held: {line}", err=True)
    for line in postman.summary():
        if not quiet or postman.problems or postman.held:
            click.echo(line, err=True)
    if not quiet:
        noun = "brief" if briefs == 1 else "briefs"
        click.echo(f"{briefs} {noun} in the manifests", err=True)
    return 1 if postman.problems or postman.held else 0


def _write_counter(folder: Path, outcome: Any, named: bool, echo: Any, failures: list[str]) -> None:
    """Write the counter-offer e-mail of `outcome` as <name>-<guide>-counter.eml (the brief's
    default name, or its distinct name in a batch) and show where; a failure is one line."""
    from .counter import counter_name
    from .errors import BriefError
    from .inputs import name_input
    from .output import write_atomic

    pdf_name = outcome.built.name if named else outcome.path.name
    try:
        echo(str(write_atomic(folder / counter_name(pdf_name), outcome.built.counter)))
    except BriefError as exc:
        failures.append(name_input(outcome.item.label, str(exc)))


def _is_terminal(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False
