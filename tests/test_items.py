"""Items to and from DynamoDB's wire format: what the service stores comes back as plain JSON values."""
from __future__ import annotations

import pytest

from models import from_item, to_item


@pytest.mark.parametrize("value", [
    "", "오후 2:00", "부서 회의 🎉", 0, 1, -7, 10**30, True, False, None,
    {"nested": {"n": 3, "s": "x"}}, [1, "two", [3]],
])
def test_stored_values_come_back_as_they_were(value):
    assert from_item(to_item({"v": value})) == {"v": value}


@pytest.mark.parametrize(("wire", "plain"), [
    ({"N": "1.5"}, 1.5), ({"N": "1e3"}, 1000), ({"N": "-0"}, 0), ({"N": "2.0"}, 2),
    ({"NS": ["1", "2.5"]}, [1, 2.5]), ({"SS": ["a"]}, ["a"]), ({"L": [{"N": "4"}]}, [4]),
])
def test_numbers_are_int_or_float_never_decimal(wire, plain):
    value = from_item({"v": wire})["v"]
    assert value == plain
    assert type(value) is type(plain) or isinstance(value, list)
