"""Who is asking: a token's (or a signed-in person's) name, role and the departments it is limited to."""
from __future__ import annotations

from dataclasses import dataclass

from rules.actors import Actor, person

# Each role can do what the ones before it can: viewer reads and joins rooms, editor also writes
# events, admin also manages departments and tokens.
ROLES = ("viewer", "editor", "admin")


@dataclass(frozen=True)
class Principal:
    """The caller of a request or the owner of a socket."""

    name: str
    role: str
    departments: frozenset[str] | None = None  # None: every department
    auth: str = "token"  # how it authenticated: "token", "session" (a signed-in person), "off" (AUTH_MODE=off)
    email: str | None = None  # a signed-in person's e-mail (tokens have none)
    identity: tuple[str, str] | None = None  # a signed-in person's (issuer, subject): stable, unlike the name
    owner: Actor | None = None  # a personal token's: the person it is theirs (their name and identity)

    @property
    def actor(self) -> Actor:
        """Who the record names for what this principal writes (rules/actors.py): a signed-in person,
        or the person whose personal token it is; else the token's name, without an identity."""
        if self.owner is not None:
            return self.owner
        if self.identity is not None:
            return person(self.name, *self.identity)
        return Actor(self.name)

    def allows(self, role: str) -> bool:
        """True when this principal's role includes `role`."""
        return ROLES.index(self.role) >= ROLES.index(role)

    def administers_everything(self) -> bool:
        """An admin of every department: manages people and anyone's tokens."""
        return self.role == "admin" and self.departments is None

    def can_see(self, department_id: str) -> bool:
        return self.departments is None or department_id in self.departments


# With AUTH_MODE=off every caller is this one (and audit fields say "anonymous").
ANONYMOUS = Principal("anonymous", "admin", auth="off")
