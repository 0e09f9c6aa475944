"""``make-brief guides``: import, list, show and check guides. Thin: the work is in
guides/importer/ and guide_text.py. The group is added to ``main`` in cli/__init__.py."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..errors import EXIT_INPUT
from ..files.fs import exists
from .edge import guarded, guides_option, max_age_option

GUIDES_EXAMPLES = """
\b
Examples:
  make-brief guides import guide.md -o my-guides/acme-staff-engineer.yaml
  make-brief guides list --guides my-guides
  make-brief guides show segment-engineering-manager
  make-brief guides check                 every guide; exit 1 on errors
  make-brief guides check guide.md        a markdown guide, before importing it
"""


@click.group(epilog=GUIDES_EXAMPLES)
def guides() -> None:
    """Import, list, show and check negotiation guides.

    Guides are found in --guides folders, then $MAKE_BRIEF_GUIDES folders, then the bundled
    ones; a guide of yours with a bundled guide's id overrides it.
    """


@guides.command("import", epilog=GUIDES_EXAMPLES)
@click.argument("source", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The guide YAML to write ('-' for standard output). Default: <company>-<role>.yaml here.",
)
@click.option(
    "--script-region",
    metavar="NAME",
    help="The region the script was written for, where its numbers fit several.",
)
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
@guarded
def import_(source: Path, output: Path | None, script_region: str | None, force: bool) -> None:
    """Turn SOURCE, a guide in the markdown format, into guide data (YAML).

    Its mojibake is repaired and its text is otherwise kept as written. A guide that cannot be
    read is reported with its line, and nothing is written.
    """
    from ..errors import OutputError
    from ..files.loading import read_text
    from ..files.output import slug, write_atomic
    from ..guides.importer import import_guide, to_yaml
    from ..guides.schema import MAX_GUIDE_BYTES

    imported = import_guide(
        read_text(source, what="guide", max_bytes=MAX_GUIDE_BYTES),
        file=str(source),
        script_region=script_region,
    )
    data, text = imported.data, to_yaml(imported.data, source.name)
    if output is None or str(output) != "-":
        path = output or Path(f"{slug(data['company'], 'guide')}-{slug(data['role'], 'role')}.yaml")
        if exists(path) and not force:
            raise OutputError(
                "already exists", file=path, hint="use --force to overwrite, or name another file"
            )
        write_atomic(path, text.encode("utf-8"))
    for line, message in imported.notes:
        click.echo(f"warning: {source}{f':{line}' if line else ''}: {message}", err=True)
    if output is not None and str(output) == "-":
        click.echo(text, nl=False)
        return
    regions = ", ".join(r["name"] for r in data["regions"])
    click.echo(
        f"wrote {path}: guide '{path.stem}', {data['role']} at {data['company']} ({regions});"
        f" script for {data['script']['region']}"
    )


@guides.command("list")
@guides_option
@guarded
def list_(guide_dirs: tuple[Path, ...]) -> None:
    """List every guide: id, title, regions, currencies, as-of date and where it comes from."""
    from ..guides.catalogue import list_guides

    failed = False
    for item in list_guides(guide_dirs):
        if item.guide is None:
            failed = True
            click.echo(f"{item.id}  (cannot be read: run `make-brief guides check {item.id}`)")
            click.echo(f"    from {item.where}")
            click.echo(f"error: {item.error}", err=True)
            continue
        g = item.guide
        currencies = ", ".join(dict.fromkeys(r.currency for r in g.regions))
        overrides = f" · overrides {', '.join(item.overrides)}" if item.overrides else ""
        click.echo(f"{item.id}  {g.title}")
        click.echo(
            f"    regions: {', '.join(r.name for r in g.regions)} · currencies: {currencies}"
            f" · as of {g.as_of or 'unknown'} · from {item.where}{overrides}"
        )
    if failed:
        sys.exit(EXIT_INPUT)


@guides.command("show")
@click.argument("guide")
@guides_option
@guarded
def show(guide: str, guide_dirs: tuple[Path, ...]) -> None:
    """Show GUIDE (an id or a guide file) in plain text."""
    from ..guides.catalogue import resolve
    from .guide_text import describe

    found, where = resolve(guide, guide_dirs)
    click.echo("\n".join(describe(found, where)))


@guides.command("check", epilog=GUIDES_EXAMPLES)
@click.argument("targets", nargs=-1)
@guides_option
@max_age_option("--max-age", "Warn when a guide's figures (its as_of month) are older than this today.")
@guarded
def check(targets: tuple[str, ...], guide_dirs: tuple[Path, ...], max_age: int) -> None:
    """Check guides (ids, guide files or markdown guides; all guides when none is named) for what
    would mislead a candidate. Exits 1 when there are errors, 0 with warnings only."""
    from .guide_text import check_targets

    results = check_targets(targets, guide_dirs, max_age)
    errors = warnings = 0
    for result in results:
        errors, warnings = errors + result.errors, warnings + result.warnings
        where = f" ({result.where})" if result.where and result.where != result.name else ""
        counts = [
            f"{n} {word}{'s' if n != 1 else ''}"
            for n, word in ((result.errors, "error"), (result.warnings, "warning"))
            if n
        ]
        click.echo(f"{result.name}{where}: {', '.join(counts) or 'ok'}")
        for finding, line in result.findings:
            place = ": ".join(p for p in (f"line {line}" if line else "", finding.field) if p)
            click.echo(f"  {finding.level}: {place + ': ' if place else ''}{finding.message}")
    plural = "s" if len(results) != 1 else ""
    click.echo(f"{len(results)} guide{plural} checked: {errors} errors, {warnings} warnings")
    if errors:
        sys.exit(EXIT_INPUT)
