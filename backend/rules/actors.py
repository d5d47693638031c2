"""Who makes a change, as the record keeps it: pure, no boto3, no Flask.

`created_by`/`updated_by` hold a display name: a token's name, or the name of a person signed in
with the company's account (also when they write through one of their personal tokens). Beside
them, `created_by_id`/`updated_by_id` hold a person's stable identity, `<issuer>#<subject>`: a
name can change and two people can share one, the identity does not (and it is never the e-mail).
An OpenID Connect issuer has no fragment, so the first `#` splits the two. Tokens, `anonymous`
(AUTH_MODE=off), `system` and `migration` have no identity: the `_id` attributes are absent.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Final, TypedDict, TypeVar

from rules.shapes import PublicDepartment, PublicEvent, StoredEvent

IDENTITY_SEPARATOR = "#"
UPDATED_BY_ID: Final = "updated_by_id"


class CreatedBy(TypedDict, total=False):
    """The audit fields of a new item (the `_id` ones only for a person)."""

    created_by: str
    updated_by: str
    created_by_id: str
    updated_by_id: str


class UpdatedBy(TypedDict):
    """The audit fields a change writes: `updated_by_id` None removes it (a token changed it)."""

    updated_by: str
    updated_by_id: str | None


@dataclass(frozen=True)
class Actor:
    """The name a record shows for a writer, and a person's stable identity (None for a token)."""

    name: str
    identity: str | None = None

    def created(self) -> CreatedBy:
        """created_by = updated_by = the name, and the identity beside each when there is one."""
        return audit_fields(self, self)

    def updated(self) -> UpdatedBy:
        """updated_by = the name; updated_by_id = the identity (None: the attribute goes)."""
        return {"updated_by": self.name, "updated_by_id": self.identity}


Item = TypeVar("Item", StoredEvent, PublicEvent, PublicDepartment)


def stamped(item: Item, actor: Actor, *, created: bool = False) -> Item:
    """A copy of the event or department (plain values) as last changed by `actor` (with `created`,
    also as made by it): updated_by set, and updated_by_id set, or gone for a writer without an
    identity."""
    copy = item.copy()
    copy.pop("updated_by_id", None)
    copy["updated_by"] = actor.name
    if actor.identity is not None:
        copy["updated_by_id"] = actor.identity
    if created:
        copy.pop("created_by_id", None)
        copy["created_by"] = actor.name
        if actor.identity is not None:
            copy["created_by_id"] = actor.identity
    return copy


def audit_fields(created_by: Actor, updated_by: Actor) -> CreatedBy:
    """The audit fields of a new item made by one actor and last changed by another (a restore)."""
    fields: CreatedBy = {"created_by": created_by.name, "updated_by": updated_by.name}
    if created_by.identity is not None:
        fields["created_by_id"] = created_by.identity
    if updated_by.identity is not None:
        fields["updated_by_id"] = updated_by.identity
    return fields


def person(name: str, issuer: str, subject: str) -> Actor:
    """A person signed in with the company's account (or writing through their personal token)."""
    return Actor(name, identity_of(issuer, subject))


def identity_of(issuer: str, subject: str) -> str:
    """`<issuer>#<subject>`, the identity kept in `created_by_id`/`updated_by_id`."""
    return f"{issuer}{IDENTITY_SEPARATOR}{subject}"


# Who wrote an item when the caller names nobody (scripts, fixtures): see schema.AUDIT_FIELDS.
SYSTEM = Actor("system")
