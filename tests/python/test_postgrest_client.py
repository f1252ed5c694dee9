"""A real PostgREST client (PyPI `postgrest`, supabase's postgrest-py) calling rpc() against the
running gateway: sign-in, an agent's tasks, analyst reads, PostgREST's errors; and the
gateway's GET /openapi.json validated by PyPI `openapi-spec-validator`, listing every function.
scripts/test starts the gateway (KEA_GATEWAY_URL) on kea_test; fixtures are written with psql
as the test admin (KEA_TEST_ADMIN_URL); analyst tokens are signed with KEA_JWT_SECRET."""

import base64
import hashlib
import hmac
import json
import os
import subprocess
import time
import uuid

import pytest
import requests
from openapi_spec_validator import validate
from postgrest import APIError, SyncPostgrestClient

BASE = os.environ.get("KEA_GATEWAY_URL", "http://127.0.0.1:18081")
ADMIN_URL = os.environ["KEA_TEST_ADMIN_URL"]
SECRET = os.environ.get("KEA_JWT_SECRET", "kea-test-jwt-secret").split(",")[0].strip()


def sql(query):
    """One value from psql as the test admin."""
    out = subprocess.run(
        ["psql", ADMIN_URL, "-v", "ON_ERROR_STOP=1", "-tAq", "-c", query],
        check=True, capture_output=True, text=True,
    )
    return out.stdout.strip()


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def token(claims):
    """An HS256 JWT, as any PostgREST deployment's auth server signs them: kea's audience and,
    unless the claims say otherwise, ten minutes of validity (both required: docs/api.md)."""
    claims = {"aud": "kea", "exp": int(time.time()) + 600, **claims}
    head = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    body = b64(json.dumps(claims).encode())
    sig = hmac.new(SECRET.encode(), f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{b64(sig)}"


def client(jwt=None):
    c = SyncPostgrestClient(BASE)
    return c.auth(jwt) if jwt else c


@pytest.fixture(scope="module")
def agent():
    """An agent serving one new merchant, with the verification task of an order offered."""
    tag = uuid.uuid4().hex[:10]
    email = f"py-{tag}@api.test"
    merchant = sql(
        f"insert into app.merchants (slug, name) values ('py-{tag}', 'Py {tag}') returning id")
    sql(f"""select api.import_menu({merchant}, '{{"name": "M", "items":
            [{{"code": "tea", "name": "Tea", "price_cents": 300}}]}}')""")
    agent_id = sql(f"""select app.upsert_agent('{email}', 'Py Agent', 'py-pw',
                       '{{"merchants": [{merchant}]}}', 1)""")
    order = sql(f"""select app.save_order({merchant}, null,
                    kea.price_lines((select id from app.menus where merchant_id = {merchant} and active),
                                    '[{{"item": "tea"}}]') || '{{"details": {{"phone": "+15550004444"}}}}',
                    'pending_verification')""")
    task = sql(f"select id from app.tasks where merchant_id = {merchant} and order_id = {order}")
    sql(f"""update app.reservations set status = 'rescinded' where task_id = {task} and status = 'pending';
            insert into app.reservations (merchant_id, task_id, agent_id, expires_at)
            values ({merchant}, {task}, {agent_id}, now() + interval '10 minutes');
            update app.tasks set status = 'reserved' where id = {task}""")
    return {"email": email, "password": "py-pw", "task": int(task), "merchant": int(merchant)}


def test_sign_in_and_tasks_through_rpc(agent):
    signed_in = client().rpc("login", {"email": agent["email"], "password": agent["password"]}).execute()
    assert signed_in.data["role"] == "kea_agent"
    me = client(signed_in.data["token"])
    tasks = me.rpc("my_tasks", {}).execute().data
    assert [t["task_id"] for t in tasks] == [agent["task"]]
    # GET: a stable function, read-only
    again = me.rpc("my_tasks", {}, get=True).execute().data
    assert [t["task_id"] for t in again] == [agent["task"]]
    accepted = me.rpc("accept_task", {"task_id": agent["task"]}).execute().data
    assert accepted["order"]["status"] == "in_verification"
    call = me.rpc("order_for_task", {"task_id": agent["task"]}).execute().data
    assert call["merchant_id"] == agent["merchant"]


def test_errors_are_postgrest_errors(agent):
    with pytest.raises(APIError) as e:
        client().rpc("login", {"email": agent["email"], "password": "wrong"}).execute()
    assert e.value.code == "KA401"
    with pytest.raises(APIError) as e:
        client().rpc("my_tasks", {}).execute()
    assert e.value.code == "42501"
    with pytest.raises(APIError) as e:
        client(token({"role": "kea_owner"})).rpc("my_tasks", {}).execute()
    assert e.value.code == "42501"
    with pytest.raises(APIError) as e:
        client(token({"role": "kea_agent", "exp": int(time.time()) - 10})).rpc("my_tasks", {}).execute()
    assert e.value.code == "PGRST303"


def test_analysts_read_the_analytics_views(agent):
    analyst = client(token({"role": "kea_analyst", "sub": "analyst:py", "exp": int(time.time()) + 600}))
    funnel = analyst.rpc("analytics", {"view_name": "analytics_funnel",
                                       "merchant_id": agent["merchant"]}).execute().data
    assert [r["merchant_id"] for r in funnel] == [agent["merchant"]], funnel
    assert funnel[0]["orders_started"] == 1, funnel
    agents = analyst.rpc("analytics", {"view_name": "analytics_agents", "max_rows": 100000}, get=True).execute().data
    assert any(a["email"] == agent["email"] for a in agents)
    with pytest.raises(APIError) as e:
        analyst.rpc("my_tasks", {}).execute()
    assert e.value.code == "42501"


def test_openapi_document_validates_and_lists_every_function_the_role_may_call():
    # The document describes what the caller's role may call (docs/security.md): an operator's.
    service = token({"role": "kea_service", "sub": "py"})
    doc = requests.get(BASE + "/openapi.json", timeout=10,
                       headers={"Authorization": "Bearer " + service}).json()
    validate(doc)
    names = set(sql("select string_agg(distinct proname, ' ') from pg_proc p join pg_namespace n"
                    " on n.oid = p.pronamespace where n.nspname = 'api' and p.prokind = 'f'"
                    " and has_function_privilege('kea_service', p.oid, 'execute')").split())
    paths = {p.removeprefix("/rpc/") for p in doc["paths"]}
    assert paths == names
    assert "get" in doc["paths"]["/rpc/call_summary"]
