"""/rpc fuzzed from the gateway's own /openapi.json with schemathesis (PyPI): every function,
anonymous and with each role's token, with generated and edge-case arguments. No answer may be
a 5xx; an error is PostgREST's shape (code, message, details, hint) and never carries SQL
internals (a statement, a PL/pgSQL context, a query plan); a function a role may not call is
refused (42501, or PGRST202: the gateway sees only the functions a role may execute), never
run. scripts/test starts the gateway
(KEA_GATEWAY_URL) on kea_test; tokens are signed with KEA_JWT_SECRET."""

import base64
import hashlib
import hmac
import json
import os
import re
import time

import requests
import schemathesis
from hypothesis import HealthCheck, settings

BASE = os.environ.get("KEA_GATEWAY_URL", "http://127.0.0.1:18081")
SECRET = os.environ.get("KEA_JWT_SECRET", "kea-test-jwt-secret").split(",")[0].strip()
EXAMPLES = int(os.environ.get("KEA_SCHEMATHESIS_EXAMPLES", "3"))

# What may be in an error's text: a sentence about the request, not the database's insides.
LEAKS = re.compile(
    r"PL/pgSQL|CONTEXT:|STATEMENT:|\bat SQL statement\b|line \d+ at |select .* from |"
    r"insert into|update app\.|delete from|pg_catalog|SQL function \"",
    re.IGNORECASE,
)


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def token(claims):
    claims = {"aud": "kea", "exp": int(time.time()) + 600, **claims}
    head = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    body = b64(json.dumps(claims).encode())
    sig = hmac.new(SECRET.encode(), f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{b64(sig)}"


# Roles and the claims docs/api.md gives them (ids that exist nowhere: refusals and empty
# answers, never a server error).
ROLES = {
    "anon": None,
    "agent": {"role": "kea_agent", "agent_id": 987654321, "sub": "agent:987654321"},
    "merchant": {"role": "kea_merchant", "merchant_id": 987654321, "sub": "merchant:987654321"},
    "pos": {"role": "kea_pos", "merchant_id": 987654321, "sub": "pos:987654321"},
    "analyst": {"role": "kea_analyst", "sub": "analyst:fuzz"},
}


def auth(role):
    claims = ROLES[role]
    return {"Authorization": f"Bearer {token(claims)}"} if claims else {}


# /openapi.json lists the functions the caller's role may execute: one schema per role, and
# which paths each role may call.
SCHEMAS = {role: schemathesis.openapi.from_url(f"{BASE}/openapi.json", headers=auth(role)) for role in ROLES}
ALLOWED = {
    role: set(requests.get(f"{BASE}/openapi.json", headers=auth(role), timeout=10).json().get("paths", {}))
    for role in ROLES
}


def check(case, response, role):
    status = response.status_code
    assert status < 500, f"{role}: {case.method} {case.path} {case.body!r} -> {status} {response.text[:300]}"
    if response.request.method != case.operation.method.upper():
        # schemathesis also tries methods the schema does not list: refused, not judged.
        assert status in (404, 405), f"{role}: {response.request.method} {case.path} -> {status}"
        return
    if case.path not in ALLOWED[role]:
        # A function this role may not execute is never run: refused (42501, or PGRST202 since
        # the gateway sees only what a role may execute), or its arguments refused first (400).
        assert 400 <= status < 500, f"{role} ran {case.path}: {status} {response.text[:200]}"
        if status in (401, 403, 404):
            code = response.json().get("code")
            assert code in ("42501", "PGRST202", "KA401"), f"{role}: {case.path}: {response.text[:200]}"
    if status >= 400 and response.text:
        try:
            body = response.json()
        except ValueError:
            raise AssertionError(f"{role}: {case.path} -> {status} not JSON: {response.text[:200]!r}")
        assert isinstance(body, dict), f"{role}: not PostgREST's error shape: {body!r}"
        assert set(body) <= {"code", "message", "details", "hint"}, f"{role}: {body!r}"
        text = " ".join(str(v) for v in body.values() if v)
        assert not LEAKS.search(text), f"{role}: SQL internals in an error: {body!r}"
        if status in (401, 403):
            assert body.get("code") in ("42501", "PGRST301", "PGRST302", "KA401", "PGRST300"), (
                f"{role}: a refusal that is not documented: {body!r}"
            )


def run(case):
    for role in ROLES:
        check(case, case.call(base_url=BASE, headers=auth(role)), role)


def test_every_role_lists_functions():
    assert len(ALLOWED["anon"]) >= 1 and len(ALLOWED["agent"]) > len(ALLOWED["anon"]), ALLOWED


FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))


@SCHEMAS["anon"].parametrize()
@FUZZ
def test_anon_functions(case):
    run(case)


@SCHEMAS["agent"].parametrize()
@FUZZ
def test_agent_functions(case):
    run(case)


@SCHEMAS["merchant"].parametrize()
@FUZZ
def test_merchant_functions(case):
    run(case)


@SCHEMAS["pos"].parametrize()
@FUZZ
def test_pos_functions(case):
    run(case)


@SCHEMAS["analyst"].parametrize()
@FUZZ
def test_analyst_functions(case):
    run(case)
