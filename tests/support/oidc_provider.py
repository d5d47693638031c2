"""A real OpenID Connect provider on loopback for the sign-in tests (oidc-provider-mock, in a
thread of the test process), with faults injected at its token endpoint, and a browser's walk
through a sign-in made with `requests`.

Loaded as a pytest plugin (tests/conftest.py), it gives every test module two module-scoped
fixtures: `provider`, and `signing_in`, the module's app server(s) signing people in with it (a
module sets what they are with SIGN_IN_ENV, SIGN_IN_INSTANCES and SIGN_IN_REDIS; see there).

The provider accepts any client id and secret and signs ID tokens with its own RSA key, published
at its JWKS. Tests choose each person's claims (`provider.add_person`), and may make the next
token answers carry an ID token for another audience or with a broken signature (`provider.fault`).
"""
from __future__ import annotations

import re
import threading
import uuid
import warnings
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from html import unescape

import flask
import pytest
import requests
import werkzeug.serving
from joserfc import jwt
from joserfc.jwk import RSAKey

from config import Settings
from support.live_helpers import RedisServer, require_redis_server
from support.servers import app_instances, moto_tables, start_live_server

with warnings.catch_warnings():  # the provider still imports authlib.jose, which Authlib deprecates
    warnings.simplefilter("ignore", DeprecationWarning)
    import oidc_provider_mock

CLIENT_ID = "calendar-tests"
CLIENT_SECRET = "calendar-tests-secret"
# What a fault changes in the ID token (re-signed with the provider's own key, so only that is wrong);
# "signature" breaks the signature instead.
CLAIM_FAULTS = {
    "audience": lambda claims: {"aud": "another-client"},
    "issuer": lambda claims: {"iss": "https://another-issuer.example"},
    "nonce": lambda claims: {"nonce": "not-the-nonce-this-browser-left-with"},
    "expired": lambda claims: {"iat": claims["iat"] - 7200, "exp": claims["iat"] - 3600},
}
FAULTS = (*CLAIM_FAULTS, "signature")


class Provider:
    """The running provider: its issuer URL, the people it knows, and the fault of its next answers."""

    def __init__(self, issuer: str):
        self.issuer = issuer
        self.fault: str | None = None  # one of FAULTS: every token answer carries it until reset

    def add_person(self, groups: list[str], name: str | None = None, email: str | None = None,
                   sub: str | None = None) -> str:
        """Register a person with these claims; returns their subject (a new one unless given)."""
        sub = sub or f"person-{uuid.uuid4().hex[:10]}"
        claims = {"name": name or sub, "email": email or f"{sub}@example.com", "groups": groups}
        answer = requests.put(f"{self.issuer}/users/{sub}", json=claims, timeout=10)
        assert answer.status_code == 204, answer.text
        return sub

    def settings_env(self) -> dict[str, str]:
        """The environment of an app server that signs people in with this provider."""
        return {"OIDC_ISSUER": self.issuer, "OIDC_CLIENT_ID": CLIENT_ID, "OIDC_CLIENT_SECRET": CLIENT_SECRET}


def _inject_fault(provider: Provider, response: flask.Response) -> flask.Response:
    """After the provider's own token answer: an ID token with one claim wrong (CLAIM_FAULTS, re-signed
    with the provider's key), or one whose signature is broken."""
    if provider.fault is None or flask.request.path != "/oauth2/token" or response.status_code != 200:
        return response
    body = response.get_json()
    if "id_token" not in body:
        return response
    header, payload, signature = body["id_token"].split(".")
    if provider.fault == "signature":
        body["id_token"] = f"{header}.{payload}.{signature[::-1]}"
    else:
        key = RSAKey.import_key(flask.g.oidc_provider_mock_storage.jwk.as_dict(is_private=True))
        token = jwt.decode(body["id_token"], key)
        claims = {**token.claims, **CLAIM_FAULTS[provider.fault](token.claims)}
        body["id_token"] = jwt.encode(token.header, claims, key)
    response.set_data(flask.json.dumps(body))
    return response


@contextmanager
def running_provider() -> Iterator[Provider]:
    """The provider served on 127.0.0.1 in a thread until the block ends."""
    app = oidc_provider_mock.app()
    server = werkzeug.serving.make_server("127.0.0.1", 0, app, threaded=True)
    provider = Provider(f"http://127.0.0.1:{server.server_port}")
    app.after_request(lambda response: _inject_fault(provider, response))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    try:
        yield provider
    finally:
        server.shutdown()
        thread.join(5)
        server.server_close()


def authorize_form(browser: requests.Session, service_url: str) -> requests.Response:
    """Start signing in: /auth/login, followed to the provider's authorization form."""
    form = browser.get(f"{service_url}/auth/login", timeout=10)
    assert form.status_code == 200 and "Authorize" in form.text, (form.status_code, form.text[:300])
    return form


def approve(browser: requests.Session, form: requests.Response, sub: str, follow: bool = True) -> requests.Response:
    """The person approves on the provider's form; followed back through /auth/callback (or not)."""
    return browser.post(form.url, data={"sub": sub}, allow_redirects=follow, timeout=10)


def sign_in(service_url: str, sub: str) -> requests.Session:
    """A browser (cookies kept) in which the person `sub` signed in; asserts that it worked."""
    browser = requests.Session()
    page = approve(browser, authorize_form(browser, service_url), sub)
    assert page.status_code == 200 and page.url == f"{service_url}/", (page.status_code, page.url, page.text[:300])
    return browser


def callback_url(browser: requests.Session, form: requests.Response, sub: str) -> str:
    """The URL the provider sends the browser back to (code and state), not yet visited."""
    answer = approve(browser, form, sub, follow=False)
    assert answer.status_code == 302, answer.text[:300]
    return answer.headers["Location"]


def page_text(answer: requests.Response) -> str:
    """An HTML answer's visible text, tags dropped."""
    return unescape(re.sub(r"<[^>]+>", " ", answer.text))


@dataclass(frozen=True)
class SigningIn:
    """A module's app server(s) that sign people in with its provider, and their tables."""

    urls: list[str]
    settings: Settings
    redis: RedisServer | None = None  # the Socket.IO message queue of SIGN_IN_REDIS

    @property
    def url(self) -> str:
        return self.urls[0]


@pytest.fixture(scope="module")
def provider() -> Iterator[Provider]:
    """The module's OpenID provider on loopback."""
    with running_provider() as running:
        yield running


@pytest.fixture(scope="module")
def signing_in(provider: Provider, request: pytest.FixtureRequest, tmp_path_factory) -> Iterator[SigningIn]:
    """The module's server signing people in with `provider`, on tables of a moto server of its own:
    gunicorn as `make run` serves the app, or with the module's SIGN_IN_INSTANCES = 2 two app
    processes (gevent) on the same tables, which SIGN_IN_REDIS = True puts behind one Redis (the
    Socket.IO message queue). The module's SIGN_IN_ENV (a dict) adds to their environment."""
    module = request.module
    env = {**getattr(module, "SIGN_IN_ENV", {}), **provider.settings_env()}
    log_dir = tmp_path_factory.mktemp(module.__name__.rpartition(".")[2])
    with ExitStack() as stack:
        settings = stack.enter_context(moto_tables(log_dir))
        redis = None
        if getattr(module, "SIGN_IN_REDIS", False):
            require_redis_server()
            redis = RedisServer(log_dir).start()
            stack.callback(redis.stop)
            env["SOCKETIO_MESSAGE_QUEUE"] = redis.url
        if getattr(module, "SIGN_IN_INSTANCES", 1) == 2:
            started = stack.enter_context(app_instances("gevent", settings, log_dir, **env))
            yield SigningIn([server.url for server in started], settings, redis)
            return
        served = start_live_server(settings, log_dir / "app.log", **env)
        stack.callback(served.stop)
        yield SigningIn([served.url], settings, redis)
