"""OIDC_ROLE_GROUPS and the groups claim, as auth/groups.py reads an ID token's claims."""
from auth.groups import department_names, groups_of, role_of

ROLE_GROUPS = (("admin", "calendar-admins"), ("editor", "calendar-editors"), ("viewer", "staff"))


def test_the_highest_role_whose_group_the_person_is_in():
    assert role_of(groups_of({"groups": ["staff", "calendar-editors"]}, "groups"), ROLE_GROUPS) == "editor"
    assert role_of(groups_of({"groups": ["staff"]}, "groups"), ROLE_GROUPS) == "viewer"
    assert role_of(groups_of({"groups": ["sales"]}, "groups"), ROLE_GROUPS) is None  # refused
    assert role_of(groups_of({}, "groups"), ROLE_GROUPS) is None
    assert role_of(groups_of({"groups": 7}, "groups"), ROLE_GROUPS) is None  # not a list of strings: no group


def test_google_workspaces_domain_claim_gives_everyone_of_the_domain_one_role():
    # README's Google Workspace row: OIDC_GROUPS_CLAIM=hd, OIDC_ROLE_GROUPS=editor=example.com.
    by_domain = (("editor", "example.com"),)
    assert role_of(groups_of({"hd": "example.com", "email": "kim@example.com"}, "hd"), by_domain) == "editor"
    assert role_of(groups_of({"email": "someone@gmail.com"}, "hd"), by_domain) is None  # no Workspace account
    assert role_of(groups_of({"hd": "other.example"}, "hd"), by_domain) is None
    assert department_names(groups_of({"hd": "example.com"}, "hd"), "dept:") is None  # every department


def test_department_groups_limit_the_person_to_those_departments():
    groups = groups_of({"groups": ["staff", "dept:영업부", "dept:인사부", "dept:"]}, "groups")
    assert department_names(groups, "dept:") == ["영업부", "인사부"]


def test_the_domain_settings_of_the_google_workspace_row_are_read_as_written(monkeypatch):
    from config import Settings

    monkeypatch.setenv("OIDC_GROUPS_CLAIM", "hd")
    monkeypatch.setenv("OIDC_ROLE_GROUPS", "editor=example.com")
    settings = Settings.from_env()
    assert (settings.oidc_groups_claim, settings.oidc_role_groups) == ("hd", (("editor", "example.com"),))
