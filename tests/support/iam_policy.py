"""The IAM policies of AWS_DEPLOYMENT_CONFIG.md, and what one DynamoDB API call needs of them.

The doc holds one JSON policy per role, each right after a marker line `<!-- iam-policy: ROLE -->`:
`app` (the app instances: HTTP requests and Socket.IO handlers) and `operator` (create_tables, the
migration and export, and the other tools run outside a request). Table ARNs name the tables with
the doc's example prefix `prod_`; any prefix the tests use stands for it.
"""
from __future__ import annotations

import fnmatch
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from config import PROJECT_DIR

DOC = PROJECT_DIR / "AWS_DEPLOYMENT_CONFIG.md"
DOC_PREFIX = "prod_"
ROLES = ("app", "operator")
# TransactWriteItems has no IAM action of its own: each of its items needs the item's action.
TRANSACT_ACTIONS = {"Put": "PutItem", "Update": "UpdateItem", "Delete": "DeleteItem",
                    "ConditionCheck": "ConditionCheckItem", "Get": "GetItem"}


@dataclass(frozen=True)
class Need:
    """One IAM permission one call needs: the action on a table (or one of its indexes)."""

    action: str  # "GetItem"
    table: str  # as the call named it, prefix included ("*" for account-wide calls such as ListTables)
    index: str | None = None

    def sort_key(self) -> tuple[str, str, str]:
        return self.action, self.table, self.index or ""

    def describe(self) -> str:
        where = f"{self.table}/index/{self.index}" if self.index else self.table
        return f"dynamodb:{self.action} on {where}"


def needs_of(operation: str, params: dict[str, Any]) -> Iterator[Need]:
    """The permissions one API call with these parameters needs."""
    if operation in ("TransactWriteItems", "TransactGetItems"):
        for item in params.get("TransactItems", []):
            for kind, body in item.items():
                yield Need(TRANSACT_ACTIONS[kind], body["TableName"])
    elif operation in ("BatchWriteItem", "BatchGetItem"):
        for table in params.get("RequestItems", {}):
            yield Need(operation, table)
    elif "TableName" in params:
        yield Need(operation, params["TableName"], params.get("IndexName"))
    else:
        yield Need(operation, "*")


def load_policies(text: str | None = None) -> dict[str, dict[str, Any]]:
    """{role: policy document} from the doc's marked ```json blocks."""
    text = DOC.read_text(encoding="utf-8") if text is None else text
    found = re.findall(r"<!-- iam-policy: (\w+) -->\s*```json\n(.*?)```", text, flags=re.S)
    return {role: json.loads(body) for role, body in found}


@dataclass(frozen=True)
class Grant:
    """One (action pattern, resource pattern) pair of a statement."""

    sid: str
    action: str  # "dynamodb:GetItem" (may hold * and ?)
    resource: str  # an ARN (may hold * and ?)

    def table_part(self) -> tuple[str, str | None] | None:
        """(table pattern, index pattern or None) of the resource ARN; None for "*"."""
        if self.resource == "*":
            return None
        path = self.resource.split(":", 5)[5]  # "table/prod_events/index/department-date-index"
        parts = path.split("/")
        return parts[1], (parts[3] if len(parts) > 3 else None)


def grants(policy: dict[str, Any]) -> list[Grant]:
    out = []
    for number, statement in enumerate(policy["Statement"]):
        assert statement["Effect"] == "Allow", "only Allow statements are expected"
        actions = _as_list(statement["Action"])
        resources = _as_list(statement["Resource"])
        out += [Grant(statement.get("Sid", str(number)), a, r) for a in actions for r in resources]
    return out


def _as_list(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def _documented_table(table: str, known_bases: Iterable[str]) -> str:
    """The recorded table named as the doc names it: its prefix replaced by DOC_PREFIX."""
    if table == "*":
        return table
    matching = [base for base in known_bases if table == base or table.endswith("_" + base)]
    return DOC_PREFIX + max(matching, key=len) if matching else table


def _bases(all_grants: Iterable[Grant]) -> set[str]:
    bases = set()
    for grant in all_grants:
        part = grant.table_part()
        if part and part[0].startswith(DOC_PREFIX) and not re.search(r"[*?]", part[0]):
            bases.add(part[0][len(DOC_PREFIX):])
    return bases


def allows(grant: Grant, need: Need, bases: set[str]) -> bool:
    if not fnmatch.fnmatchcase(f"dynamodb:{need.action}", grant.action):
        return False
    part = grant.table_part()
    if part is None:
        return True
    table, index = part
    if not fnmatch.fnmatchcase(_documented_table(need.table, bases), table):
        return False
    return (need.index is None and index is None) or (
        need.index is not None and index is not None and fnmatch.fnmatchcase(need.index, index))


@dataclass
class Verdict:
    not_allowed: list[tuple[str, Need]]  # (role, need) no grant of the role's policy allows
    unused: list[tuple[str, Grant]]  # (role, grant) no recorded need of the role used


def check(recorded: dict[str, set[Need]], policies: dict[str, dict[str, Any]]) -> Verdict:
    """Compare the recorded needs of each role with the role's policy, both ways."""
    every_grant = [g for policy in policies.values() for g in grants(policy)]
    bases = _bases(every_grant)
    not_allowed, unused = [], []
    for role in ROLES:
        role_grants = grants(policies[role]) if role in policies else []
        needs = recorded.get(role, set())
        missing: dict[Need, Need] = {}  # one entry per table as the doc names it, whatever the prefix
        for need in sorted(needs, key=Need.sort_key):
            if not any(allows(g, need, bases) for g in role_grants):
                missing.setdefault(Need(need.action, _documented_table(need.table, bases), need.index), need)
        not_allowed += [(role, need) for need in missing.values()]
        unused += [(role, g) for g in role_grants if not any(allows(g, n, bases) for n in needs)]
    return Verdict(not_allowed, unused)
