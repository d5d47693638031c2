"""What a personal token keeps when its person signs in again with other groups (auth/store.py):
never more than the person has now."""
from __future__ import annotations

import pytest

from auth.store import fitted_to

A, B = "5f0c7a7e-0000-4000-8000-0000000000a1", "5f0c7a7e-0000-4000-8000-0000000000b2"


@pytest.mark.parametrize(("token", "role", "departments", "kept"), [
    ({"role": "admin"}, "editor", None, ("editor", None)),  # demoted: the token too
    ({"role": "viewer"}, "admin", None, ("viewer", None)),  # promoted: the token keeps its own lower role
    ({"role": "editor"}, "editor", [A], ("editor", [A])),  # limited to a department now
    ({"role": "editor", "departments": [A, B]}, "editor", [B], ("editor", [B])),
    ({"role": "editor", "departments": [A]}, "editor", None, ("editor", [A])),  # its own limit stays
    ({"role": "viewer", "departments": [A]}, "editor", [B], None),  # no department left: revoked
])
def test_a_token_keeps_the_lower_role_and_the_departments_both_reach(token, role, departments, kept):
    assert fitted_to(token["role"], token.get("departments"), role, departments) == kept
