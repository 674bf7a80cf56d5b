"""Login throttling with the `limits` library: per account and per client address.

Every attempt from an address counts against `login_limit_address`; each attempt at an account
counts against `login_limit_account` and a successful login clears that account's count, so a
person who mistypes a few times is not locked out after logging in, while a guesser is stopped
before any password hash is computed.  With `throttle_url` (redis://…) every API replica shares
the counts; without it they are kept in this process's memory (embedded mode).
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from limits import RateLimitItem, parse
from limits.storage import MemoryStorage, Storage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

from dossier.settings import Settings

log = logging.getLogger("dossier.security")


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int = 0


class LoginThrottle:
    def __init__(self, storage: Storage, per_account: RateLimitItem, per_address: RateLimitItem) -> None:
        self.limiter = MovingWindowRateLimiter(storage)
        self.per_account, self.per_address = per_account, per_address

    @classmethod
    def from_settings(cls, settings: Settings) -> "LoginThrottle":
        storage = storage_from_string(settings.throttle_url) if settings.throttle_url else MemoryStorage()
        return cls(storage, parse(settings.login_limit_account), parse(settings.login_limit_address))

    def attempt(self, username: str, address: str) -> Verdict:
        """Count one login attempt; refused when either limit is spent (nothing is verified then)."""
        account = username.strip().lower()
        ok_address = self.limiter.hit(self.per_address, "login-address", address)
        ok_account = self.limiter.hit(self.per_account, "login-account", account)
        if ok_address and ok_account:
            return Verdict(True)
        kind, item, key = ("address", self.per_address, address) if not ok_address \
            else ("account", self.per_account, account)
        stats = self.limiter.get_window_stats(item, f"login-{kind}", key)
        wait = max(1, int(stats.reset_time - time.time()))
        log.warning("login throttled: %s %s (retry in %ss)", kind, key, wait)
        return Verdict(False, wait)

    def succeeded(self, username: str) -> None:
        self.limiter.clear(self.per_account, "login-account", username.strip().lower())
