"""One e-mail address, parsed and checked: the candidate's, the recruiter's, a sender's. Used by
the counter draft (compose/counter.py) and the mail stage (deliver/mail.py)."""

from __future__ import annotations

from email.headerregistry import Address

from ..errors import MailError


def address(value: str, what: str, name: str = "") -> Address:
    """One valid address, parsed by email.headerregistry: ``jane@example.com`` or
    ``Jane Doe <jane@example.com>``; `name` (any text: line breaks are folded) is its display
    name when `value` has none. Anything else is a MailError naming `what`."""
    from email.headerregistry import AddressHeader, HeaderRegistry

    text = str(value).strip()
    if any(ch in text for ch in "\r\n\0"):
        raise MailError(f"{what}: an address must be on one line")
    try:
        header = HeaderRegistry()("to", text)
        assert isinstance(header, AddressHeader)  # the registry's class for a "to" header
        found = header.addresses
        if header.defects or len(found) != 1 or not _plausible(found[0]):
            raise ValueError
        display = found[0].display_name or " ".join(name.split())
        return Address(display_name=display, addr_spec=found[0].addr_spec)
    except (ValueError, TypeError, IndexError):
        raise MailError(f"{what}: {text!r} is not one valid e-mail address") from None


def _plausible(found: Address) -> bool:
    domain = found.domain
    return bool(found.username) and "." in domain.strip(".") and not any(c.isspace() for c in found.addr_spec)
