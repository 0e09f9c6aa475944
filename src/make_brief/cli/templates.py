"""``make-brief templates``: list the bundled templates, or copy one to edit. Thin: the work is
in templates.py. The group is added to ``main`` in cli/__init__.py."""

from __future__ import annotations

from pathlib import Path

import click

from .edge import guarded

TEMPLATES_EXAMPLES = """
\b
Examples:
  make-brief templates list
  make-brief templates export my-template              a copy of the default to edit
  make-brief templates export my-call --from compact
  make-brief offer.yaml --template my-template         a brief in your template
"""


@click.group(epilog=TEMPLATES_EXAMPLES)
def templates() -> None:
    """List the bundled templates, or copy one to make your own.

    A template folder holds style.yaml (page, fonts, colours, logo, header and footer, the
    sections and their order, labels) and sections/*.j2 (the wording). Use one with
    `make-brief offer.yaml --template DIR`; what a folder leaves out comes from the default.
    """


@templates.command("list")
@guarded
def list_templates() -> None:
    """List the bundled templates and what each is for."""
    from ..compose.templates import bundled

    found = bundled()
    width = max(len(name) for name, _ in found)
    for name, description in found:
        click.echo(f"{name:<{width}}  {description}".rstrip())


@templates.command("export", epilog=TEMPLATES_EXAMPLES)
@click.argument("dest", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--from",
    "source",
    default="default",
    show_default=True,
    metavar="NAME|DIR",
    help="The bundled template (or a template folder) to copy.",
)
@guarded
def export(dest: Path, source: str) -> None:
    """Copy a bundled template into the new folder DEST, to edit."""
    from ..compose.templates import export_template

    files = export_template(source, dest)
    click.echo(f"wrote {dest} ({len(files)} files): edit it, then run `make-brief OFFER --template {dest}`")
