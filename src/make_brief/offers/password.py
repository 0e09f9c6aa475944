"""What a lock password (``candidate.pdf_password``) may be: the offer's rule, checked when the
offer is read; pdf/passwords.py makes up the ones an offer does not give."""

from __future__ import annotations

MIN_LENGTH = 8


def problem(password: str) -> str | None:
    """Why `password` cannot lock a brief, or None (the password itself is never quoted)."""
    if len(password) < MIN_LENGTH:
        return f"a password needs at least {MIN_LENGTH} characters"
    if any(ch in password for ch in "\r\n\0"):
        return "a password must be on one line"
    if len(password.encode("utf-8")) > 127:  # PDF 2.0 reads at most 127 bytes of it
        return "a password may be at most 127 bytes long"
    return None
