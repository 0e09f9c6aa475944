"""``make-brief serve``: the local web app (web/), started from the command line. Thin: the
app and its server are in web/. The command is added to ``main`` in cli/__init__.py."""

from __future__ import annotations

from pathlib import Path

import click

from .edge import guarded, guides_option

SERVE_EXAMPLES = """
\b
Examples:
  make-brief serve                          the app on 127.0.0.1, a free port, in your browser
  make-brief serve --no-browser --port 8765
  make-brief serve --templates my-template  your template folder among the choices
  make-brief serve --mail-config mail.yaml  e-mail the briefs from the page
"""


@click.command(epilog=SERVE_EXAMPLES, short_help="Make briefs from a web page on this machine.")
@click.option("--host", default="127.0.0.1", show_default=True, help="The address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=0, help="The port (default: a free one).")
@click.option("--no-browser", is_flag=True, help="Print the address; do not open a browser.")
@click.option(
    "--templates",
    "templates",
    multiple=True,
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="A template folder of yours to choose from (repeatable).",
)
@guides_option
@click.option(
    "--mail-config",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="mail.yaml: the settings (and the send journal) the page sends e-mail with.",
)
@click.option(
    "--max-upload",
    type=click.IntRange(min=1),
    default=50,
    show_default=True,
    metavar="MB",
    help="The most one upload may send.",
)
@click.option(
    "-j", "--jobs", type=click.IntRange(min=1), help="Worker processes of a batch (default: the cores)."
)
@guarded
def serve(
    host: str,
    port: int,
    no_browser: bool,
    templates: tuple[Path, ...],
    guide_dirs: tuple[Path, ...],
    mail_config: Path | None,
    max_upload: int,
    jobs: int | None,
) -> None:
    """Start the web app: one brief from a form, many from a CSV table, their e-mail.

    It listens on 127.0.0.1 (this machine only) and prints its address with a secret token,
    which every request must carry (the page keeps it in a cookie). With --host it listens
    there too: put it behind a reverse proxy with TLS (see docs/serve.md). Uploads are kept in
    a private folder, removed when the server stops (Ctrl-C).
    """
    from ..web.server import serve as run
    from ..web.state import ServeSettings

    settings = ServeSettings(
        host=host,
        port=port,
        templates=templates,
        guide_dirs=guide_dirs,
        mail_config=mail_config,
        max_upload=max_upload * 1_000_000,
        jobs=jobs,
    )
    run(settings, click.echo, browser=not no_browser)
