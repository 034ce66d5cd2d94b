"""A member's unsubscribe key and the signed tokens made with it.

Kept apart from ``preferences`` (the use cases) because the outbox needs them while queueing a
message inside another concept's transaction, and ``preferences`` depends on ``people`` for its
callers: importing these from there made ``people -> notices -> outbox -> preferences -> people``
a cycle, and ``timebank deliver`` failed to start.

The same key signs the **answer links** of members' messages (``timebank.offers.contact``): a link
names the post and the member who wrote, and only the member it was sent to, logged in, can use it,
so a member answers only those who wrote to them, and cannot write to anyone else that way.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import datetime

from timebank.db.repositories import PreferencesRecord
from timebank.db.unit_of_work import UnitOfWork

__all__ = ["TOKEN", "preferences_of", "reply_token", "signature", "unsubscribe_token"]

TOKEN = re.compile(r"^(\d{1,19})\.([a-z_]{1,50})\.([0-9a-f]{32})$")


def signature(key: str, member_id: int, kind: str) -> str:
    message = f"unsubscribe v1:{member_id}:{kind}".encode()
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()[:32]


def unsubscribe_token(key: str, member_id: int, kind: str) -> str:
    return f"{member_id}.{kind}.{signature(key, member_id, kind)}"


def reply_token(key: str, post_id: int, from_member_id: int, to_member_id: int) -> str:
    """The signature in the answer link of a message ``from_member_id`` sent ``to_member_id`` (whose key
    this is) about ``post_id``. Its own prefix: an unsubscribe token is never an answer link."""
    message = f"reply v1:{post_id}:{from_member_id}:{to_member_id}".encode()
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()[:32]


def preferences_of(uow: UnitOfWork, timebank_id: int, member_id: int, now: datetime) -> PreferencesRecord:
    """The member's preferences, made (every kind on, a new key) the first time they are needed."""
    found = uow.notifications.preferences(member_id)
    if found is not None:
        stored_timebank_id, record = found
        assert stored_timebank_id == timebank_id, "a member's preferences stay in their timebank"
        return record
    record = PreferencesRecord(member_id, frozenset(), secrets.token_hex(32), now)
    uow.notifications.put_preferences(timebank_id, record)
    return record
