"""Verified tokens, trusted for AUTH_CACHE_SECONDS so a request costs no DynamoDB read.

That time is also how long a revoked token may keep working on an instance that verified it
just before the revoke. Unknown tokens are remembered as well (a client retrying a bad token
does not reach DynamoDB each time); the cache is bounded, so random tokens cannot grow it.
"""
from __future__ import annotations

import threading
import time
from typing import Protocol

from auth.principal import Principal
from auth.tokens import token_hash


class Store(Protocol):
    """What a verifier reads on a cache miss: auth.store.TokenStore, auth.sessions.SessionStore."""

    def find(self, hashed: str) -> Principal | None: ...


MAX_ENTRIES = 10_000


class TokenVerifier:
    """Token (or session secret) -> Principal (or None), through a time-bounded in-process cache of the store."""

    def __init__(self, store: Store, seconds: float):
        self.store = store
        self.seconds = seconds
        # token hash -> (principal or None, time.monotonic() until which it is trusted)
        self._cache: dict[str, tuple[Principal | None, float]] = {}
        self._lock = threading.Lock()

    def verify(self, token: str) -> Principal | None:
        """The token's principal, or None for an unknown or revoked one."""
        return self.verify_hash(token_hash(token))

    def cached(self, hashed: str) -> tuple[bool, Principal | None]:
        """(whether the cache still holds the hash, and its principal or None): no store read."""
        cached = self._cache.get(hashed)
        if cached is not None and cached[1] > time.monotonic():
            return True, cached[0]
        return False, None

    def verify_hash(self, hashed: str, fresh: bool = False) -> Principal | None:
        """Like verify, from the hash; `fresh` reads the store whatever the cache holds."""
        if not fresh:
            known, principal = self.cached(hashed)
            if known:
                return principal
        principal = self.store.find(hashed)
        self._remember(hashed, principal)
        return principal

    def forget(self, hashed: str) -> None:
        """Trust nothing cached for this hash any more (a session signed out on this instance)."""
        with self._lock:
            self._cache.pop(hashed, None)

    def _remember(self, hashed: str, principal: Principal | None) -> None:
        now = time.monotonic()
        with self._lock:
            if len(self._cache) >= MAX_ENTRIES:
                self._cache = {h: entry for h, entry in self._cache.items() if entry[1] > now}
                if len(self._cache) >= MAX_ENTRIES:
                    self._cache.clear()
            self._cache[hashed] = (principal, now + self.seconds)
