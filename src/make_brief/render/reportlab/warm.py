"""Workers that start warm: what the first brief of a process does once, done before the first
item of a batch instead of during it.

Two steps, because a batch's worker processes are forked by a fork server (see batch.py):

- In the fork server, once for all the workers it forks: the modules a brief needs, imported
  (batch.py has the fork server import this module, which imports them; the batch's own
  process does not import it). Imports only: nothing that depends on the
  batch's settings, as the fork server outlives one batch when make-brief is used as a library.
- In each worker, before its first item (`warm_up`, from the pool's initializer): the batch's
  template loaded and checked, its fonts registered, its wording templates compiled, and
  babel's data for its language loaded. This is what the first item would do first anyway,
  in the same order (so fonts get the same names and the briefs the same bytes); an error
  here is left for the first item to report, as it would have.

Nothing is written anywhere.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from ...advice import compute  # noqa: F401

# What a worker imports on its first item: the pipeline's lazy imports (render and reportlab,
# compose, merge and pypdf, the wording sandbox and Jinja, the charts of reportlab).
from ...compose import brief as compose  # noqa: F401
from ...compose import (
    sandbox,  # noqa: F401
    templates,  # noqa: F401
)
from ...files import output  # noqa: F401
from ...offers import offer  # noqa: F401
from ...pdf import merge  # noqa: F401
from . import render  # noqa: F401

try:  # the year-by-year chart's modules, imported by render on a brief's first bar chart
    from reportlab.graphics.charts import barcharts, legends  # noqa: F401
except ImportError:  # pragma: no cover - reportlab without its charts
    pass


def warm_up(template_name: str | Path | None = None, day: date | None = None) -> None:
    """The batch's template, fonts, wording and language data loaded in this process."""
    from ...files.clock import today
    from .styles import Styles

    try:
        template = templates.load_template(template_name)
        Styles(template)  # registers the template's fonts, as the first brief would
        for name in template.style.sections:
            template.env.get_template(f"sections/{name}.j2")
        templates.format_day(day or today(), template.style)
    except Exception:  # the first item says what is wrong, with its own file and field
        return
