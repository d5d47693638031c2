"""Token secrets: generated from the OS's CSPRNG, stored and compared only as SHA-256 hashes.

A token carries 32 random bytes (256 bits), so its SHA-256 cannot be reversed or brute-forced:
unlike a password, there is no small space of likely values to try, and a slow salted hash
(bcrypt, scrypt) would only add CPU to every cache miss. An unsalted hash is also what lets a
request find its token with one GetItem on the hash.
"""
from __future__ import annotations

import hashlib
import secrets

TOKEN_BYTES = 32
# Printed tokens start with this, so a leaked one is easy to recognise (and to grep for).
TOKEN_PREFIX = "cal_"


def new_token() -> str:
    """A fresh secret: the prefix and 32 random bytes, URL-safe base64 (fits in `?token=`)."""
    return TOKEN_PREFIX + secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    """The hex SHA-256 under which a token is stored and cached."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()
