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
from .errors import BriefError

EXAMPLES = """
\b
Examples:
  make-brief init                       write offer.yaml to start from
  make-brief offer.yaml                 write output/<name>-<guide>.pdf
  make-brief offer.yaml -o brief.pdf --page-size letter
  make-brief validate offer.yaml        check an offer without rendering
"""

EXIT_INPUT = 1
EXIT_INTERNAL = 70


class _DefaultGroup(click.Group):
    """A group whose default command is ``build``: ``make-brief offer.yaml`` builds."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h", "--version"):
            args = ["build", *args]
        return super().parse_args(ctx, args)


@contextmanager
def _clean_errors() -> Iterator[None]:
    """One line on stderr and a non-zero exit instead of a traceback."""
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
    except Exception as exc:  # a bug of ours: say so in one line, unless debugging
        if os.environ.get("MAKE_BRIEF_DEBUG"):
            raise
        first = str(exc).splitlines()[0][:200] if str(exc) else ""
        click.echo(
            f"internal error: {type(exc).__name__}: {first} (set MAKE_BRIEF_DEBUG=1 for details)", err=True
        )
        sys.exit(EXIT_INTERNAL)


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


@click.group(cls=_DefaultGroup, epilog=EXAMPLES, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="make-brief")
def main() -> None:
    """Turn a job offer into a personalised salary-negotiation brief (PDF).

    The default command is `build`: `make-brief offer.yaml` is `make-brief build offer.yaml`.
    """


@main.command(epilog=EXAMPLES, short_help="Make the brief for each offer file (the default command).")
@click.argument("offers", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The PDF to write (one offer only). Default: output/<name>-<guide>.pdf",
)
@click.option(
    "--out-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("output"),
    show_default=True,
    help="Folder for briefs named by default.",
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
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
@_guarded
def build(
    offers: tuple[Path, ...],
    output: Path | None,
    out_dir: Path,
    page_size: str | None,
    template: str | None,
    guide_dirs: tuple[Path, ...],
    quiet: bool,
) -> None:
    """Make the brief for each OFFER file and print where it was written."""
    from .pipeline import build_brief

    if output is not None and len(offers) > 1:
        raise click.UsageError("-o/--output names one file; with several offers use --out-dir")
    failures = 0
    for offer in offers:
        try:
            result = build_brief(
                offer, output, out_dir=out_dir, template=template, page_size=page_size, guide_dirs=guide_dirs
            )
        except BriefError as exc:
            if len(offers) == 1:
                raise
            failures += 1
            click.echo(f"error: {exc}", err=True)
            continue
        for warning in result.warnings:
            click.echo(f"warning: {offer}: {warning}", err=True)
        if not quiet:
            click.echo(str(result.path))
    if failures:
        click.echo(f"{failures} of {len(offers)} briefs failed", err=True)
        sys.exit(EXIT_INPUT)


@main.command(short_help="Check offer files without making a brief.")
@click.argument("offers", nargs=-1, required=True, type=click.Path(path_type=Path))
@guides_option
@_guarded
def validate(offers: tuple[Path, ...], guide_dirs: tuple[Path, ...]) -> None:
    """Check OFFER files without making a brief."""
    from .offer import load_offer

    failures = 0
    for path in offers:
        try:
            offer = load_offer(path, guide_dirs)
        except BriefError as exc:
            failures += 1
            click.echo(f"error: {exc}", err=True)
            continue
        click.echo(
            f"ok: {path}: {offer.name}, {offer.guide.role} at {offer.guide.company}, {offer.region.name}"
        )
    if failures:
        sys.exit(EXIT_INPUT)


@main.command(short_help="Write a commented example offer file to start from.")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path), default=Path("offer.yaml"))
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
@_guarded
def init(path: Path, force: bool) -> None:
    """Write a commented example offer file to PATH (default: offer.yaml)."""
    from .errors import OutputError
    from .output import write_atomic
    from .resources import data_dir

    if path.exists() and not force:
        raise OutputError("already exists", file=path, hint="use --force to overwrite, or name another file")
    write_atomic(path, (data_dir() / "offer-sample.yaml").read_bytes())
    click.echo(f"wrote {path}: edit it, then run `make-brief {path}`")


# Command groups that live in their own modules are registered here, one line each:
# main.add_command(<group>)
from . import cli_guides, cli_templates  # noqa: E402, F401  (each adds its group to main)

if __name__ == "__main__":  # pragma: no cover
    main()
