"""argon2id password hashes (argon2-cffi's defaults, RFC 9106 low-memory profile).

Each hash or verification takes 64 MiB and about 50 ms of a core; a semaphore bounds how many
run at once in this process, so a burst of logins queues instead of exhausting memory.
"""
from __future__ import annotations

import threading

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
_slots = threading.BoundedSemaphore(2)


def bound_concurrency(n: int) -> None:
    """At most `n` argon2 computations at once (settings.password_hash_concurrency)."""
    global _slots
    _slots = threading.BoundedSemaphore(max(1, n))


def hash_password(password: str) -> str:
    with _slots:
        return _hasher.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    with _slots:
        try:
            return _hasher.verify(stored_hash, password)
        except (VerificationError, InvalidHashError):
            return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher.check_needs_rehash(stored_hash)


# verified against when the user does not exist, so a login takes as long either way
DUMMY_HASH = _hasher.hash("not a password")
