"""The ``make-brief`` command: parses arguments, calls the library, turns errors into one line.

No logic lives here. Heavy modules (reportlab, pypdf, Babel, Jinja) are imported only by the
commands that need them, so ``--help`` and ``validate`` start fast.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from . import __version__
from .errors import EXIT_INPUT, EXIT_INTERNAL, BriefError

EXAMPLES = """
\b
Examples:
  make-brief init                       write offer.yaml to start from
  make-brief offer.yaml                 write output/<name>-<guide>.pdf
  make-brief offer.yaml -o brief.pdf --page-size letter
  make-brief validate offer.yaml        check an offer without rendering
"""

BATCH_EXAMPLES = """
\b
  make-brief a.yaml offers/ candidates.csv -o out/ -j 4
  make-brief candidates.csv -o out/ --eml out/mail --from 'Coach <coach@example.com>'
  make-brief candidates.csv -o out/ --send --config mail.yaml
"""

EXIT_PIPE = 141  # as a shell reports a writer stopped by SIGPIPE


class _DefaultGroup(click.Group):
    """A group whose default command is ``build``: ``make-brief offer.yaml`` builds."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h", "--version"):
            args = ["build", *args]
        return super().parse_args(ctx, args)


@contextmanager
def _clean_errors() -> Iterator[None]:
    """One line on stderr and a non-zero exit instead of a traceback."""
    _escape_output()
    try:
        yield
    except BriefError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_INPUT)
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)
    except (click.exceptions.Exit, click.ClickException, SystemExit):
        raise
    except BrokenPipeError:  # `make-brief guides list | head`: the reader has all it wants
        _quiet_stdout()
        sys.exit(EXIT_PIPE)
    except OSError as exc:  # a path the system refuses that no step turned into an error of ours
        if os.environ.get("MAKE_BRIEF_DEBUG"):
            raise
        where = f"{exc.filename}: " if exc.filename else ""
        click.echo(f"error: {where}{exc.strerror or exc}", err=True)
        sys.exit(EXIT_INPUT)
    except Exception as exc:  # a bug of ours: say so in one line, unless debugging
        if os.environ.get("MAKE_BRIEF_DEBUG"):
            raise
        first = str(exc).splitlines()[0][:200] if str(exc) else ""
        click.echo(
            f"internal error: {type(exc).__name__}: {first} (set MAKE_BRIEF_DEBUG=1 for details)", err=True
        )
        sys.exit(EXIT_INTERNAL)


def _escape_output() -> None:
    """Lines that name a path which is not UTF-8 (``out-\\xff``) show it escaped, whatever the
    locale, rather than failing to print it."""
    import codecs

    from .fs import escape_undecodable

    codecs.register_error("make-brief-escape", escape_undecodable)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(errors="make-brief-escape")  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):  # not a text stream we may change
            pass


def _quiet_stdout() -> None:
    """Point stdout at /dev/null, so that flushing it at exit cannot raise again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # no real file behind stdout (a test runner's buffer)
        pass


def _guarded(func: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with _clean_errors():
            return func(*args, **kwargs)

    wrapper.__name__ = func.__name__
    wrapper.__doc__ = func.__doc__
    return wrapper


guides_option = click.option(
    "--guides",
    "guide_dirs",
    multiple=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="A folder of your own guides (repeatable); also $MAKE_BRIEF_GUIDES.",
)


fx_option = click.option(
    "--fx",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="RATES.CSV",
    help="Exchange rates for every offer (columns from, to, rate, date, source); an offer's own fx wins.",
)
MAIL_OPTIONS = [
    click.option(
        "--eml", type=click.Path(file_okay=False, path_type=Path), help="Write one .eml per brief here."
    ),
    click.option("--send", is_flag=True, help="Send the messages over SMTP (without it, nothing is sent)."),
    click.option("--smtp-host", metavar="HOST", help="The SMTP server."),
    click.option(
        "--smtp-port",
        type=click.IntRange(1, 65535),
        help="Its port (default: 587, 465 for tls, 25 for none).",
    ),
    click.option(
        "--smtp-security",
        type=click.Choice(["starttls", "tls", "none"], case_sensitive=False),
        help="starttls (default), tls, or none (a local relay only).",
    ),
    click.option(
        "--smtp-user",
        metavar="USER",
        help="Log in as USER; the password comes from $MAKE_BRIEF_SMTP_PASSWORD.",
    ),
    click.option(
        "--smtp-auth",
        type=click.Choice(["password", "xoauth2"], case_sensitive=False),
        help="password (default), or xoauth2: an OAuth2 access token (Gmail, Microsoft 365).",
    ),
    click.option(
        "--smtp-token-command",
        metavar="CMD",
        help="For xoauth2: a command whose output is the access token (else $MAKE_BRIEF_SMTP_TOKEN).",
    ),
    click.option(
        "--journal",
        type=click.Path(dir_okay=False, path_type=Path),
        help="The send journal (default: the sender's, in your data folder).",
    ),
    click.option("--from", "sender", metavar="ADDRESS", help="The sender, e.g. 'Coach <coach@example.com>'."),
    click.option("--reply-to", metavar="ADDRESS", help="Where replies go, if not to the sender."),
    click.option("--rate", metavar="N/UNIT", help="Send at most this many messages: 30/min, 1/s, 500/h."),
    click.option("--max-attachment", metavar="SIZE", help="The largest brief to attach (default 10MB)."),
    click.option(
        "--mail-templates",
        type=click.Path(file_okay=False, path_type=Path),
        help="A folder with subject.j2 and body.j2 (default: the bundled templates/email).",
    ),
    click.option(
        "--config",
        type=click.Path(dir_okay=False, path_type=Path),
        help="A YAML file with the mail settings (the same keys: smtp-host, from, rate, ...).",
    ),
    click.option(
        "--resend-changed", is_flag=True, help="Send a brief that changed since an earlier version was sent."
    ),
]


def mail_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """The options of the mail stage, shared by `build` and `mail`."""
    for option in reversed(MAIL_OPTIONS):
        func = option(func)
    return func


@click.group(cls=_DefaultGroup, epilog=EXAMPLES, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="make-brief")
def main() -> None:
    """Turn a job offer into a personalised salary-negotiation brief (PDF).

    The default command is `build`: `make-brief offer.yaml` is `make-brief build offer.yaml`.
    """


@main.command(
    epilog=EXAMPLES + BATCH_EXAMPLES, short_help="Make the brief for each offer file (the default command)."
)
@click.argument("offers", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(),
    help="The PDF to write for one offer file; the folder to write into for several. "
    "Default: output/<name>-<guide>.pdf",
)
@click.option(
    "--out-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for briefs named by default (output/ unless given).",
)
@click.option(
    "--page-size",
    type=click.Choice(["a4", "letter"], case_sensitive=False),
    help="Paper size (default: the template's, A4).",
)
@click.option(
    "--template", "template", metavar="NAME|DIR", help="A bundled template by name, or a template folder."
)
@guides_option
@fx_option
@click.option(
    "-j", "--jobs", type=click.IntRange(min=1), help="Worker processes for many offers (default: the cores)."
)
@click.option(
    "--lock",
    is_flag=True,
    help="Encrypt each brief (AES-256); passwords go to passwords.csv in the output folder.",
)
@click.option(
    "--shard",
    metavar="I/N|auto",
    help="Make only shard I (from 0) of N; auto: the index from the job engine (Kubernetes, Slurm, "
    "AWS Batch, Cloud Run). Its manifest is manifest-<I>-of-<N>.csv.",
)
@click.option(
    "--strict",
    is_flag=True,
    help="Hold back (neither write nor send) any brief with a warning, and exit 1.",
)
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
@mail_options
@click.option(
    "--counter",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write each candidate's counter-offer e-mail to the recruiter here, as a draft .eml.",
)
@_guarded
def build(offers: tuple[Path, ...], **options: Any) -> None:
    """Make the brief for each OFFER and print where it was written.

    An OFFER is an offer file, a folder of them, or a CSV table with one row per candidate
    (columns named by the offer fields: candidate.name, offer.base, competing_offers.0.company).
    With several, briefs are made in parallel, a bad offer is reported at the end and the rest
    are made, and a manifest.csv lists them all in the output folder.
    """
    from .cli_build import run_build

    sys.exit(run_build(offers, options))


@main.command(short_help="Check offer files without making a brief.")
@click.argument("offers", nargs=-1, required=True, type=click.Path(path_type=Path))
@guides_option
@fx_option
@_guarded
def validate(offers: tuple[Path, ...], guide_dirs: tuple[Path, ...], fx: Path | None) -> None:
    """Check each OFFER (an offer file, a folder of them, or a CSV table) without making a brief."""
    from .callprep import warnings
    from .fx import read_rates
    from .inputs import expand, load_item, name_input

    rates = read_rates(fx) if fx else ()
    failures = 0
    for item in expand(offers):
        try:
            offer = load_item(item, guide_dirs, rates)
        except BriefError as exc:
            failures += 1
            click.echo(f"error: {name_input(item.label, str(exc))}", err=True)
            continue
        guide = offer.guide
        click.echo(f"ok: {item.label}: {offer.name}, {guide.role} at {guide.company}, {offer.region.name}")
        for line in warnings(offer):
            click.echo(f"warning: {item.label}: {line}", err=True)
    if failures:
        sys.exit(EXIT_INPUT)


@main.command(short_help="Write a commented example offer file to start from.")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path), default=Path("offer.yaml"))
@click.option(
    "--guide",
    "guide_id",
    default="segment-engineering-manager",
    show_default=True,
    help="The guide the offer is for: its questions are written as commented entries.",
)
@click.option(
    "--guides",
    "guide_dirs",
    multiple=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="A folder of your own guides (also $MAKE_BRIEF_GUIDES).",
)
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
@_guarded
def init(path: Path, guide_id: str, guide_dirs: tuple[Path, ...], force: bool) -> None:
    """Write a commented example offer file to PATH (default: offer.yaml)."""
    from .errors import OutputError
    from .fs import exists
    from .guide import find_guide, load_guide
    from .output import write_atomic
    from .resources import data_dir
    from .sample import sample_offer

    if exists(path) and not force:
        raise OutputError("already exists", file=path, hint="use --force to overwrite, or name another file")
    guide = load_guide(find_guide(guide_id, guide_dirs))
    text = (data_dir() / "offer-sample.yaml").read_text(encoding="utf-8")
    write_atomic(path, sample_offer(text, guide).encode("utf-8"))
    click.echo(f"wrote {path}: edit it, then run `make-brief {path}`")


# Command groups that live in their own modules are registered here, one line each:
# main.add_command(<group>)
from . import cli_guides, cli_mail, cli_templates  # noqa: E402, F401  (each adds its group to main)

if __name__ == "__main__":  # pragma: no cover
    main()
