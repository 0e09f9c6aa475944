"""``make-brief mail DIR``: the mail stage on its own, and ``make-brief journal``: where the
send journal is, what it holds, and releasing a message that may not have arrived. Thin: the
work is in deliver/: stage.py, postman.py and journal.py."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from .edge import guarded, mail_options

MAIL_EXAMPLES = """
\b
Examples:
  make-brief candidates.csv -o out/ --shard 0/4      (one shard of four; then:)
  make-brief mail out/ --from 'Coach <coach@example.com>' --smtp-host smtp.example.com
  make-brief mail out/ --send --config mail.yaml
"""


@click.command(epilog=MAIL_EXAMPLES, short_help="Mail the briefs recorded in a folder's manifests.")
@click.argument("folder", type=click.Path(file_okay=False, exists=True, path_type=Path))
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
@mail_options
@guarded
def mail(folder: Path, **options: Any) -> None:
    """Mail each brief that the manifests in FOLDER record (manifest.csv, and each shard's
    manifest-<I>-of-<N>.csv), exactly once. Nothing is sent without --send."""
    from ..api import mail_briefs
    from .run import mail_settings, printer, report_mail

    settings = mail_settings(options, required=True)
    assert settings is not None  # required: always some
    run = mail_briefs(folder, settings, printer(options["quiet"]))
    sys.exit(report_mail(run.postman, run.briefs, options["quiet"]))


@click.group()
def journal() -> None:
    """The send journal: where it is, what it holds, and releasing a held message.

    Each sender has one journal in your data folder (or the file given with --journal). To
    start afresh, delete that file: each output folder's delivery record (deliveries.jsonl,
    which no re-run rewrites) still keeps every brief sent from that folder from going twice;
    a brief changed since is held unless --resend-changed, and one that a run stopped while
    sending stays held until released.
    """


_sender = click.option("--from", "sender", metavar="ADDRESS", help="The sender whose journal it is.")
_path = click.option("--journal", "path", type=click.Path(dir_okay=False, path_type=Path), help="The file.")


def _journal_path(sender: str | None, path: Path | None) -> Path:
    from ..deliver.journal import default_path
    from ..offers.address import address

    if path is not None:
        return path
    if not sender:
        raise click.UsageError("give --from (the sender whose journal it is) or --journal")
    return default_path(address(sender, "--from").addr_spec)


@journal.command("path")
@_sender
@_path
@guarded
def journal_path(sender: str | None, path: Path | None) -> None:
    """Print where the sender's journal is."""
    click.echo(str(_journal_path(sender, path)))


@journal.command("show")
@click.argument("recipient", required=False)
@_sender
@_path
@guarded
def journal_show(recipient: str | None, sender: str | None, path: Path | None) -> None:
    """List the messages in the journal (to RECIPIENT only, when given)."""
    from ..deliver.journal import Journal

    with Journal(_journal_path(sender, path), read_only=True) as found:
        for entry in found.entries(recipient.strip().lower() if recipient else None):
            state = "sent" if entry.state == "sent" else "unconfirmed"
            click.echo(f"{entry.at}  {state:<11}  {entry.recipient}  {entry.guide}  {entry.file}")


@journal.command("release")
@click.argument("recipient")
@_sender
@_path
@click.option(
    "--folder",
    "folders",
    multiple=True,
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="An output folder whose delivery record holds the message too (repeatable).",
)
@guarded
def journal_release(recipient: str, sender: str | None, path: Path | None, folders: tuple[Path, ...]) -> None:
    """Release the messages to RECIPIENT that may or may not have arrived (a run cut off while
    sending): the next run sends them. Check with the recipient first."""
    from ..deliver.delivered import release
    from ..deliver.journal import Journal, now
    from ..deliver.mail import recipient_key
    from ..offers.address import address

    key = recipient_key(address(recipient, "RECIPIENT"))
    with Journal(_journal_path(sender, path)) as found:
        count = found.release_unconfirmed(key)
        kept = [(folder, release(folder, key, found.run, now())) for folder in folders]
    noun = "message" if count == 1 else "messages"
    click.echo(f"released {count} {noun} to {key}: the next run sends {'it' if count == 1 else 'them'}")
    for folder, released in kept:
        noun = "message" if released == 1 else "messages"
        click.echo(f"released {released} {noun} to {key} in {folder / 'deliveries.jsonl'}")
