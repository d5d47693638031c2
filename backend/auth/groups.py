"""What a person may do, from the groups their identity provider lists: pure, no I/O.

OIDC_ROLE_GROUPS pairs roles with groups: the person's role is the highest whose group they are
in (none: no role, sign-in refused). Groups named OIDC_DEPARTMENT_GROUP_PREFIX + a department's
name limit them to those departments; without any such group they reach every department.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from auth.principal import ROLES


def groups_of(claims: dict[str, Any], claim: str) -> frozenset[str]:
    """The groups in the claim: a list of strings (or one string); anything else is no group."""
    value = claims.get(claim)
    if isinstance(value, str):
        return frozenset({value})
    if isinstance(value, list):
        return frozenset(group for group in value if isinstance(group, str))
    return frozenset()


def role_of(groups: frozenset[str], role_groups: Iterable[tuple[str, str]]) -> str | None:
    """The highest role one of whose groups is among `groups`, or None."""
    held = [ROLES.index(role) for role, group in role_groups if group in groups]
    return ROLES[max(held)] if held else None


def department_names(groups: frozenset[str], prefix: str) -> list[str] | None:
    """The department names the groups limit the person to, sorted; None when none does."""
    names = sorted({group[len(prefix):] for group in groups if group.startswith(prefix) and len(group) > len(prefix)})
    return names or None


def display_name(claims: dict[str, Any]) -> str:
    """What records and pages show: the name, else the preferred username, the e-mail, the subject."""
    for claim in ("name", "preferred_username", "email", "sub"):
        value = claims.get(claim)
        if isinstance(value, str) and value.strip():
            return value.strip()[:200]
    return "?"
