"""Password hashing with argon2id (argon2-cffi), and the shape of usernames and passwords.

Hashing is slow on purpose, so it is done outside any database transaction: a writer on SQLite
holds the one write lock for as long as its transaction lasts. Each hash or check takes argon2id's
memory (64 MiB by default) and most of a core, so only a few run at once in a process: each holds a
password-hashing slot (``timebank.busy``), and one that finds none free in time is refused
with ``server_busy``.
"""

from __future__ import annotations

import re
from functools import lru_cache

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from timebank.busy import password_hashing
from timebank.people.errors import PasswordInvalid, UsernameInvalid
from timebank.settings import get_settings

__all__ = [
    "PASSWORD_LENGTH_MAX",
    "PASSWORD_LENGTH_MIN",
    "check_password_shape",
    "check_username",
    "hash_password",
    "needs_rehash",
    "verify_password",
]

PASSWORD_LENGTH_MIN = 8
PASSWORD_LENGTH_MAX = 200
_USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{2,99}")


@lru_cache(maxsize=1)
def _hasher() -> PasswordHasher:
    settings = get_settings()
    return PasswordHasher(
        time_cost=settings.password_hash_time_cost,
        memory_cost=settings.password_hash_memory_kib,
        parallelism=settings.password_hash_parallelism,
        type=Type.ID,
    )


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return _hasher().hash("timebank: no such login")


def check_username(username: str) -> str:
    if not _USERNAME.fullmatch(username):
        raise UsernameInvalid(
            "Choose a username of 3 to 100 lower-case letters, digits, dots, dashes or underscores"
        )
    return username


def check_password_shape(password: str) -> None:
    if not PASSWORD_LENGTH_MIN <= len(password) <= PASSWORD_LENGTH_MAX:
        raise PasswordInvalid(
            f"Choose a password of {PASSWORD_LENGTH_MIN} to {PASSWORD_LENGTH_MAX} characters"
        )


def hash_password(password: str) -> str:
    check_password_shape(password)
    with password_hashing().hold():
        return _hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True if ``password`` matches. With no hash (unknown user) it still spends the same time."""
    with password_hashing().hold():
        try:
            return _hasher().verify(password_hash or _dummy_hash(), password) and password_hash is not None
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher().check_needs_rehash(password_hash)
