"""The ``make-brief`` command: parses arguments, calls the library, turns errors into one line.

The edge of the library: cli/edge.py turns errors into one line and holds the shared options;
cli/run.py runs the build command through api.py; guides.py, templates.py and mail.py are the
command groups, added to ``main`` here. No logic lives here. Heavy modules (reportlab, pypdf,
Babel, Jinja) are imported only by the commands that need them, so ``--help`` and ``validate``
start fast.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from .. import __version__
from ..errors import EXIT_INPUT, BriefError
from .edge import fx_option, guarded, guides_option, mail_options, max_age_option
from .guides import guides
from .mail import journal, mail
from .serve import serve
from .templates import templates

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


class _DefaultGroup(click.Group):
    """A group whose default command is ``build``: ``make-brief offer.yaml`` builds."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h", "--version"):
            args = ["build", *args]
        return super().parse_args(ctx, args)


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
    help="The PDF to write for one offer file (.pdf is added when missing; another person's "
    "brief there is not replaced without --force); the folder to write into for several. "
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
@click.option(
    "--backend",
    metavar="NAME",
    default="reportlab",
    show_default=True,
    help="The PDF back end that lays the brief out (make_brief.backends() lists the installed ones).",
)
@click.option(
    "--pdf-standard",
    "pdf_standards",
    multiple=True,
    type=click.Choice(["ua-1", "a-2b"], case_sensitive=False),
    help="Make each brief claim and meet a PDF standard: ua-1 (accessible, PDF/UA-1), a-2b "
    "(archival, PDF/A-2b); give it twice for both (default: the template's pdf_standard). "
    "Needs --backend typst; appendices are then listed in the brief, not merged.",
)
@guides_option
@max_age_option("--guide-max-age", "Say on the brief's first page when its guide is older than this.")
@fx_option
@click.option(
    "-j", "--jobs", type=click.IntRange(min=1), help="Worker processes for many offers (default: the cores)."
)
@click.option(
    "--time-limit",
    type=click.FloatRange(min=0),
    envvar="MAKE_BRIEF_TIME_LIMIT",
    metavar="SECONDS",
    help="Stop a brief that takes longer, and report it; the rest are made "
    "(default: 120, or $MAKE_BRIEF_TIME_LIMIT; 0: no limit).",
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
@click.option(
    "--force",
    is_flag=True,
    help="Replace the -o file even when it holds another person's brief, or is no brief.",
)
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
@mail_options
@click.option(
    "--counter",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write each candidate's counter-offer e-mail to the recruiter here, as a draft .eml.",
)
@guarded
def build(offers: tuple[Path, ...], **options: Any) -> None:
    """Make the brief for each OFFER and print where it was written.

    An OFFER is an offer file, a folder of them, or a CSV table with one row per candidate
    (columns named by the offer fields: candidate.name, offer.base, competing_offers.0.company).
    With several, briefs are made in parallel, a bad offer is reported at the end and the rest
    are made, and a manifest.csv lists them all in the output folder.
    """
    from .run import run_build

    sys.exit(run_build(offers, options))


@main.command(short_help="Check offer files without making a brief.")
@click.argument("offers", nargs=-1, required=True, type=click.Path(path_type=Path))
@guides_option
@fx_option
@guarded
def validate(offers: tuple[Path, ...], guide_dirs: tuple[Path, ...], fx: Path | None) -> None:
    """Check each OFFER (an offer file, a folder of them, or a CSV table) without making a brief."""
    from ..errors import describe
    from ..files.clock import today
    from ..money.fx import read_rates
    from ..offers.inputs import expand, load_item
    from ..offers.offer import doubts
    from ..run.pipeline import deadline_notice

    rates = read_rates(fx) if fx else ()
    failures = 0
    for item in expand(offers):
        try:
            offer = load_item(item, guide_dirs, rates)
        except BriefError as exc:
            failures += 1
            click.echo(f"error: {describe(exc, item.label, many=True, who=item.who)}", err=True)
            continue
        guide = offer.guide
        click.echo(f"ok: {item.label}: {offer.name}, {guide.role} at {guide.company}, {offer.region.name}")
        for line in doubts(offer):
            click.echo(f"warning: {item.label}: {line}", err=True)
        if (said := deadline_notice(offer.deadline, today())) is not None:
            click.echo(f"{said[0]}: {item.label}: {said[1]}", err=True)
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
@guarded
def init(path: Path, guide_id: str, guide_dirs: tuple[Path, ...], force: bool) -> None:
    """Write a commented example offer file to PATH (default: offer.yaml)."""
    from ..errors import OutputError
    from ..files.clock import today
    from ..files.fs import exists
    from ..files.output import write_atomic
    from ..files.resources import data_dir
    from ..guides.catalogue import find_guide, load_guide
    from ..offers.sample import sample_offer

    if exists(path) and not force:
        raise OutputError("already exists", file=path, hint="use --force to overwrite, or name another file")
    guide = load_guide(find_guide(guide_id, guide_dirs))
    text = (data_dir() / "offer-sample.yaml").read_text(encoding="utf-8")
    write_atomic(path, sample_offer(text, guide, today()).encode("utf-8"))
    click.echo(f"wrote {path}: edit it, then run `make-brief {path}`")


for command in (guides, templates, mail, journal, serve):
    main.add_command(command)

if __name__ == "__main__":  # pragma: no cover
    main()
