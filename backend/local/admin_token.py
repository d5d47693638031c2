"""`make run`'s admin token: created on the first start, kept in LOCAL_DATA_DIR/admin-token (mode
0600), shown again at every start while it still works, replaced when it does not (revoked, or
moto's in-memory fallback forgot it)."""
from __future__ import annotations

import os
from pathlib import Path

from auth import TokenStore
from auth.tokens import token_hash
from errors import NotFound

LOCAL_ADMIN = "local-admin"
TOKEN_FILE = "admin-token"


def ensure_admin_token(store: TokenStore, data_dir: Path) -> tuple[str, bool]:
    """(the local admin token, whether it was created now)."""
    path = data_dir / TOKEN_FILE
    if path.exists():
        token = path.read_text().strip()
        if token and store.find(token_hash(token)) is not None:
            return token, False
    try:
        store.revoke(LOCAL_ADMIN)  # its secret is lost or stale: replace it
    except NotFound:
        pass
    token = store.create(LOCAL_ADMIN, "admin", created_by="make run")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as file:
        file.write(token + "\n")
    os.chmod(path, 0o600)  # also when the file existed with wider permissions
    return token, True


def announce(token: str, created: bool, path: Path, base_url: str) -> str:
    """What `make run` prints for the operator (to the terminal, never to a log)."""
    state = "created" if created else "kept from an earlier start"
    return (f"\nAdmin token ({state}; saved in {path}, mode 0600):\n{token}\n"
            f"Try:  curl -H \"Authorization: Bearer {token}\" {base_url}/api/departments\n")
