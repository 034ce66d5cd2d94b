"""Contact details: how a benefit office, or a member, reaches an organisation or a timebank.

A benefit-safe statement names the organisation that ran each activity and paid each payment, and
the timebank that issues it, each with a way to check what it says (DESIGN B7). Coordinators record
those ways as a ``Contact``: a postal address, an email address and a phone number, each optional,
since a small organisation may have only one of them. They are an organisation's details, not a
person's, and any member of the timebank may see them.

Each part has a limit (STYLE 11) and the two with a shape are checked for it, so that a typing slip
is refused where it is made, not found on a letter. The checks are deliberately loose: an email
address is something, an ``@``, and a domain with a dot, with no spaces; a phone number is digits,
spaces, brackets, dashes and dots, perhaps after a ``+``, with 6 to 15 digits (ITU-T E.164 allows 15).
Whether the address or number works is not something a shape can tell.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from timebank.ledger.errors import EmailInvalid, PhoneInvalid
from timebank.ledger.rules import check_text

__all__ = [
    "ADDRESS_LENGTH_MAX",
    "EMAIL_LENGTH_MAX",
    "PHONE_LENGTH_MAX",
    "Contact",
    "check_contact",
]

ADDRESS_LENGTH_MAX = 300
# The longest address SMTP carries (RFC 5321, 4.5.3.1.3).
EMAIL_LENGTH_MAX = 254
PHONE_LENGTH_MAX = 30
_PHONE_DIGITS_MIN = 6
_PHONE_DIGITS_MAX = 15

_EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(?:\.[^@\s.]+)+")
_PHONE = re.compile(r"\+?[0-9 ().\-]+")


@dataclass(frozen=True, slots=True)
class Contact:
    """An organisation's or a timebank's contact details; ``None`` where a part was not given."""

    address: str | None = None
    email: str | None = None
    phone: str | None = None

    @property
    def is_empty(self) -> bool:
        return self.address is None and self.email is None and self.phone is None


def _given(value: str | None) -> str | None:
    # Blank is the same as not given: a field cleared in a form arrives as "".
    if value is None or not value.strip():
        return None
    return value.strip()


def check_contact(address: str | None, email: str | None, phone: str | None) -> Contact:
    """The contact details, trimmed (blank parts left out), or the first rule they break."""
    check_text("contact_address", address, ADDRESS_LENGTH_MAX)
    check_text("contact_email", email, EMAIL_LENGTH_MAX)
    check_text("contact_phone", phone, PHONE_LENGTH_MAX)
    contact = Contact(_given(address), _given(email), _given(phone))
    if contact.email is not None and not _EMAIL.fullmatch(contact.email):
        raise EmailInvalid("That email address is not a name, an @ and a domain with a dot, without spaces")
    if contact.phone is not None:
        digits = sum(character.isdigit() for character in contact.phone)
        if not _PHONE.fullmatch(contact.phone) or not _PHONE_DIGITS_MIN <= digits <= _PHONE_DIGITS_MAX:
            raise PhoneInvalid(
                f"A phone number is {_PHONE_DIGITS_MIN} to {_PHONE_DIGITS_MAX} digits, with spaces, "
                "brackets or dashes between them and perhaps a + before"
            )
    return contact
