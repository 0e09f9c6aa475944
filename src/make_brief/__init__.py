"""make-brief: a personalised salary-negotiation briefing, as a PDF, from a guide and an offer.

The public API, importable from here (``from make_brief import make_briefs, BatchOptions``):
the functions of api.py, the batch's options and record, the typed progress events a front end
prints or streams, the mail settings, exchange rates and the error family. Each name is
imported when first used, so ``import make_brief`` stays cheap (no reportlab, pypdf or click).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ._version import __version__

# each public name, and the module it lives in
_HOMES = {
    "make_brief": "api",
    "make_briefs": "api",
    "mail_briefs": "api",
    "count_items": "api",
    "list_guides": "api",
    "list_templates": "api",
    "offer_fields": "api",
    "offer_values": "api",
    "offer_yaml": "api",
    "sample_values": "api",
    "OfferField": "offers.form",
    "GuideInfo": "offers.form",
    "MailRun": "api",
    "BatchOptions": "run.orchestrate",
    "BatchRun": "run.orchestrate",
    "Progress": "run.orchestrate",
    "Outcome": "run.pipeline",
    "Status": "run.pipeline",
    "MailStatus": "run.pipeline",
    "Event": "run.events",
    "BriefMade": "run.events",
    "BriefFailed": "run.events",
    "CounterWritten": "run.events",
    "MessageSent": "run.events",
    "MessageHeld": "run.events",
    "MessageInFlight": "run.events",
    "MessageNotSent": "run.events",
    "Problem": "run.events",
    "Courier": "run.events",
    "MailSettings": "deliver.mail",
    "mail_settings": "deliver.mail",
    "load_mail_config": "deliver.mail",
    "Rate": "money.fx",
    "read_rates": "money.fx",
    "BriefError": "errors",
    "InternalError": "errors",
    "describe": "errors",
}
_RENAMED = {"mail_settings": "settings", "load_mail_config": "load_config"}

__all__ = [  # the same names as _HOMES, and backends (tests/test_public_api.py checks it)
    "__version__",
    "backends",
    "make_brief",
    "make_briefs",
    "mail_briefs",
    "count_items",
    "list_guides",
    "list_templates",
    "offer_fields",
    "offer_values",
    "offer_yaml",
    "sample_values",
    "OfferField",
    "GuideInfo",
    "MailRun",
    "BatchOptions",
    "BatchRun",
    "Progress",
    "Outcome",
    "Status",
    "MailStatus",
    "Event",
    "BriefMade",
    "BriefFailed",
    "CounterWritten",
    "MessageSent",
    "MessageHeld",
    "MessageInFlight",
    "MessageNotSent",
    "Problem",
    "Courier",
    "MailSettings",
    "mail_settings",
    "load_mail_config",
    "Rate",
    "read_rates",
    "BriefError",
    "InternalError",
    "describe",
]


def backends() -> list[str]:
    """The names of the installed PDF back ends (``--backend``), the default first."""
    from .render.registry import names

    return names()


def __getattr__(name: str) -> Any:
    """The public name `name`, imported from its module on first use (PEP 562)."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'make_brief' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{home}", __name__), _RENAMED.get(name, name))
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_HOMES))


if TYPE_CHECKING:  # what type checkers and editors see: the same names, imported
    from .api import (
        MailRun,
        count_items,
        list_guides,
        list_templates,
        mail_briefs,
        make_brief,
        make_briefs,
        offer_fields,
        offer_values,
        offer_yaml,
        sample_values,
    )
    from .deliver.mail import MailSettings
    from .deliver.mail import load_config as load_mail_config
    from .deliver.mail import settings as mail_settings
    from .errors import BriefError, InternalError, describe
    from .money.fx import Rate, read_rates
    from .offers.form import GuideInfo, OfferField
    from .run.events import (
        BriefFailed,
        BriefMade,
        CounterWritten,
        Courier,
        Event,
        MessageHeld,
        MessageInFlight,
        MessageNotSent,
        MessageSent,
        Problem,
    )
    from .run.orchestrate import BatchOptions, BatchRun, Progress
    from .run.pipeline import MailStatus, Outcome, Status
