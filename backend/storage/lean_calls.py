"""Three steps botocore repeats on every DynamoDB call, done once or more cheaply (bench/README.md,
"What botocore no longer repeats": a POST's transaction cost 1.26 ms of CPU inside botocore instead
of 1.47 with the first two; the signature costs 23 us instead of 65).

- **Serialization.** botocore walks every parameter through the service model to build the JSON
  body; for the data-plane operations the service calls, the parameters are already the DynamoDB
  JSON the service built (`storage.items.to_item`: strings, numbers as strings, maps, lists, no
  binary, no timestamps), so the walk returns them unchanged and `json.dumps` of them is the body.
- **Endpoint resolution.** botocore evaluates the endpoint ruleset on every call, after reading
  the operation's table names out of the parameters (a JMESPath search over every item of a
  transaction). Tables are named, never ARNs, so the ruleset's answer depends only on the client
  (region, endpoint URL, credentials): it is asked once per operation.
- **The SigV4 signature.** botocore's signer copies the headers into an email-style message twice
  per call, splits the URL three times and derives the signing key (four HMACs) every time; the
  same signature is the canonical request of one pass over the headers, signed with the day's key.

All replace attributes of botocore's client (`_serializer`, `_ruleset_resolver`, its signer's
`get_auth_instance`), so botocore is pinned (requirements.txt) and tests/test_lean_calls.py checks,
on every kind of call the service makes, that the bytes, endpoints and signatures are the ones
botocore itself would produce.
"""
from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any, TypedDict
from urllib.parse import urlsplit

import botocore.auth
from botocore.auth import SIGNED_HEADERS_BLACKLIST, SIGV4_TIMESTAMP, SigV4Auth, _host_from_url
from botocore.endpoint_provider import RuleSetEndpoint
from botocore.exceptions import NoCredentialsError

# The operations whose parameters the service builds as DynamoDB JSON; control-plane calls
# (CreateTable, UpdateTimeToLive, ...) keep botocore's own serializer.
DATA_PLANE = frozenset({
    "GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "Scan",
    "BatchGetItem", "BatchWriteItem", "TransactGetItems", "TransactWriteItems",
})


# The parameters of any operation, as botocore takes them: open on purpose (every operation's shape).
CallParameters = dict[str, Any]


class SerializedRequest(TypedDict):
    """A request as botocore's serializers hand it on."""

    url_path: str
    query_string: str
    method: str
    headers: dict[str, str]
    body: bytes


class SentAsBuilt:
    """A botocore serializer: the JSON protocol's request of a data-plane call, its body the
    parameters as the caller built them; any other call as botocore serializes it."""

    def __init__(self, botocore_serializer: Any, target_prefix: str, json_version: str):
        self._botocore = botocore_serializer
        self._target_prefix = target_prefix
        self._content_type = f"application/x-amz-json-{json_version}"

    def serialize_to_request(self, parameters: CallParameters, operation_model: Any) -> SerializedRequest:
        if operation_model.name not in DATA_PLANE:
            return self._botocore.serialize_to_request(parameters, operation_model)
        return {"url_path": "/", "query_string": "", "method": "POST",
                "headers": {"X-Amz-Target": f"{self._target_prefix}.{operation_model.name}",
                            "Content-Type": self._content_type},
                "body": json.dumps(parameters).encode("utf-8")}


class EndpointPerOperation:
    """botocore's endpoint ruleset resolver, asked once per operation."""

    def __init__(self, resolver: Any):
        self._resolver = resolver
        self._found: dict[str, RuleSetEndpoint] = {}

    def construct_endpoint(self, operation_model: Any, call_args: Any, request_context: Any) -> RuleSetEndpoint:
        found = self._found.get(operation_model.name)
        if found is None:
            found = self._resolver.construct_endpoint(operation_model, call_args, request_context)
            self._found[operation_model.name] = found
        return found

    def __getattr__(self, name: str) -> Any:
        return getattr(self._resolver, name)


class SigningCache:
    """What stays the same from one signature to the next: the signing key of the latest (secret,
    day, region, service), one a day instead of one a call, and the latest URL's canonical parts."""

    def __init__(self) -> None:
        # Each a single tuple, read and replaced in one step: threads share the cache without a lock.
        self._key: tuple[tuple[str, str, str, str], bytes] | None = None
        self._url: tuple[str, tuple[str, str, str]] | None = None

    def key(self, secret: str, day: str, region: str, service: str) -> bytes:
        latest, scope = self._key, (secret, day, region, service)
        if latest is not None and latest[0] == scope:
            return latest[1]
        key = f"AWS4{secret}".encode()
        for part in (day, region, service, "aws4_request"):
            key = hmac.new(key, part.encode(), hashlib.sha256).digest()
        self._key = (scope, key)
        return key

    def url_parts(self, url: str, auth: SigV4Auth) -> tuple[str, str, str]:
        """(host header, canonical path, canonical query string) of the URL, as botocore finds them."""
        latest = self._url
        if latest is not None and latest[0] == url:
            return latest[1]
        split = urlsplit(url)
        parts = (_host_from_url(url), auth._normalize_url_path(split.path), auth._canonical_query_string_url(split))
        self._url = (url, parts)
        return parts


class OnePassSigV4(SigV4Auth):
    """botocore's SigV4 header signature, computed in one pass over the request's headers.

    Any request this does not cover (query parameters, a body that is not bytes, a streamed or
    unsigned payload, a header value that is not ASCII text, a given payload hash) is signed by
    botocore's own code."""

    IGNORED = frozenset(SIGNED_HEADERS_BLACKLIST)

    def __init__(self, credentials: Any, service_name: str, region_name: str, cache: SigningCache):
        super().__init__(credentials, service_name, region_name)
        self._cache = cache

    def add_auth(self, request: Any) -> None:
        if self.credentials is None:
            raise NoCredentialsError()
        body = request.data  # what request.body would give, without preparing a copy of the request
        if (request.params or not isinstance(body, bytes) or not body or not self._should_sha256_sign_payload(request)
                or self._is_streaming_checksum_payload(request)):
            return super().add_auth(request)
        stamp = botocore.auth.get_current_datetime().strftime(SIGV4_TIMESTAMP)
        request.context["timestamp"] = stamp
        self._modify_request_before_signing(request)
        headers = {}
        for name, value in request.headers.items():
            if not isinstance(value, str) or not value.isascii():
                return super().add_auth(request)  # which sets the same headers again
            lowered = name.lower()
            if lowered not in self.IGNORED:
                headers[lowered] = " ".join(value.split())
        if "x-amz-content-sha256" in headers:
            return super().add_auth(request)
        host, path, query = self._cache.url_parts(request.url, self)
        headers.setdefault("host", host)
        names = sorted(headers)
        signed = ";".join(names)
        canonical = "\n".join((request.method.upper(), path, query, "".join(f"{name}:{headers[name]}\n" for name in names),
                               signed, hashlib.sha256(body).hexdigest()))
        key = self._cache.key(self.credentials.secret_key, stamp[:8], self._region_name, self._service_name)
        signature = hmac.new(key, self.string_to_sign(request, canonical).encode(), hashlib.sha256).hexdigest()
        request.headers["Authorization"] = (f"AWS4-HMAC-SHA256 Credential={self.scope(request)}, "
                                            f"SignedHeaders={signed}, Signature={signature}")


class OnePassAuth:
    """A botocore RequestSigner's get_auth_instance: OnePassSigV4 where botocore would use SigV4Auth."""

    def __init__(self, botocore_get_auth: Any):
        self._botocore = botocore_get_auth
        self._cache = SigningCache()

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        auth = self._botocore(*args, **kwargs)
        if type(auth) is not SigV4Auth:
            return auth
        return OnePassSigV4(auth.credentials, auth._service_name, auth._region_name, self._cache)


def lean_calls(client: Any) -> None:
    """Make `client` (a botocore DynamoDB client) serialize, resolve endpoints and sign as above."""
    metadata = client.meta.service_model.metadata
    client._serializer = SentAsBuilt(client._serializer, metadata["targetPrefix"], metadata["jsonVersion"])
    if client._ruleset_resolver is not None:
        client._ruleset_resolver = EndpointPerOperation(client._ruleset_resolver)
    signer = client._request_signer
    signer.get_auth_instance = OnePassAuth(signer.get_auth_instance)
