"""What every command shares: errors turned into one line and an exit status, and the
options that several commands take. Imports no command, so no command module imports back."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from ..errors import EXIT_INPUT, EXIT_INTERNAL, BriefError

EXIT_PIPE = 141  # as a shell reports a writer stopped by SIGPIPE


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

    from ..files.fs import escape_undecodable

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


def guarded(func: Callable[..., Any]) -> Callable[..., Any]:
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


def max_age_option(name: str, help: str) -> Any:
    """An option giving the age in months (1 to 240, default 12) above which a guide is old."""
    return click.option(
        name, type=click.IntRange(1, 240), default=12, show_default=True, metavar="MONTHS", help=help
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
    click.option("--cc", multiple=True, metavar="ADDRESS", help="A copy of each message (repeatable)."),
    click.option(
        "--bcc", multiple=True, metavar="ADDRESS", help="A blind copy of each message (repeatable)."
    ),
    click.option(
        "--test-to",
        metavar="ADDRESS",
        help="Send each message to ADDRESS instead, marked [TEST]; recorded apart, so the real "
        "run still sends everyone.",
    ),
    click.option(
        "--test-count", type=click.IntRange(min=1), metavar="N", help="With --test-to: the first N only."
    ),
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
