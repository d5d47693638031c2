"""Company days (창립기념일, 전사 휴무) in the departments table: one item per year, keyed
`company-days#<YYYY>`, whose attributes named by date (`2026-04-01`) hold each day's name and
who added it. Such an item has no `name`, so listing departments (DEPARTMENT_IS_LIVE) never sees it.

One item per year: a range of at most a listing's span is one or two GetItems, and a condition on
the date's attribute keeps one company day per date without a read first (DYNAMODB_SETUP.md)."""
from __future__ import annotations

from datetime import date
from typing import TypedDict

from botocore.exceptions import ClientError

from errors import Conflict, NotFound
from schema import utc_now_iso
from storage.client import error_code

COMPANY_DAYS_PREFIX = "company-days#"
COMPANY = "company"  # the `kind` of a company day in GET /api/holidays


class CompanyDay(TypedDict):
    """A company day as the API answers it."""

    date: str
    name: str
    kind: str
    created_by: str
    created_at: str


def _year_key(day: str) -> dict[str, dict[str, str]]:
    return {"id": {"S": COMPANY_DAYS_PREFIX + day[:4]}}


def _company_day(day: str, stored: dict) -> CompanyDay:
    fields = stored["M"]
    return {"date": day, "name": fields["name"]["S"], "kind": COMPANY,
            "created_by": fields["created_by"]["S"], "created_at": fields["created_at"]["S"]}


class CompanyDays:
    """The company days of the departments table."""

    def __init__(self, client, table: str):
        self.client = client
        self.table = table

    def list_days(self, first: date, last: date) -> list[CompanyDay]:
        """The company days from `first` to `last` (inclusive), by date; one GetItem per year."""
        days: list[CompanyDay] = []
        for year in range(first.year, last.year + 1):
            item = self.client.get_item(TableName=self.table, Key=_year_key(f"{year:04d}"),
                                        ConsistentRead=True).get("Item", {})
            days += [_company_day(day, stored) for day, stored in item.items()
                     if day != "id" and first.isoformat() <= day <= last.isoformat()]
        return sorted(days, key=lambda day: day["date"])

    def add_day(self, day: str, name: str, actor: str) -> CompanyDay:
        """Store the company day; raises Conflict when the date has one already."""
        stored = {"M": {"name": {"S": name}, "created_by": {"S": actor}, "created_at": {"S": utc_now_iso()}}}
        try:
            self.client.update_item(
                TableName=self.table, Key=_year_key(day), UpdateExpression="SET #day = :day",
                ConditionExpression="attribute_not_exists(#day)",
                ExpressionAttributeNames={"#day": day}, ExpressionAttributeValues={":day": stored})
        except ClientError as exc:
            if error_code(exc) != "ConditionalCheckFailedException":
                raise
            raise Conflict(f"{day} is a company day already; remove it first to rename it") from exc
        return _company_day(day, stored)

    def remove_day(self, day: str) -> None:
        """Remove the company day; raises NotFound when the date has none."""
        try:
            self.client.update_item(
                TableName=self.table, Key=_year_key(day), UpdateExpression="REMOVE #day",
                ConditionExpression="attribute_exists(#day)", ExpressionAttributeNames={"#day": day})
        except ClientError as exc:
            if error_code(exc) != "ConditionalCheckFailedException":
                raise
            raise NotFound(f"{day} is no company day") from exc
