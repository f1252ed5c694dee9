"""Requests signed by Twilio's own library (PyPI `twilio`, RequestValidator) against the running
gateway: accepted as signed, refused with 403 when one parameter changes after signing.
scripts/test starts the gateway (KEA_GATEWAY_URL) on the kea_test database, which has the
demo merchant on +15555550100."""

import os
import uuid
import xml.etree.ElementTree as ET

import requests
from twilio.request_validator import RequestValidator

BASE = os.environ.get("KEA_GATEWAY_URL", "http://127.0.0.1:18081")
TOKEN = os.environ["TWILIO_AUTH_TOKEN"]
STORE = "+15555550100"


def params(call_sid, **extra):
    p = {
        "AccountSid": "AC" + "0" * 32,
        "ApiVersion": "2010-04-01",
        "CallSid": call_sid,
        "CallStatus": "in-progress",
        "Direction": "inbound",
        "From": "+15551239876",
        "To": STORE,
        "Called": STORE,
        "Caller": "+15551239876",
    }
    p.update(extra)
    return p


def post(path, body, signature):
    headers = {} if signature is None else {"X-Twilio-Signature": signature}
    return requests.post(BASE + path, data=body, headers=headers, timeout=10)


def signed(path, body):
    return RequestValidator(TOKEN).compute_signature(BASE + path, body)


def new_call():
    return "CA" + uuid.uuid4().hex


def test_signed_by_twilio_library_is_accepted():
    sid = new_call()
    body = params(sid)
    r = post("/twilio/voice", body, signed("/twilio/voice", body))
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/xml")
    root = ET.fromstring(r.text)
    assert root.tag == "Response"
    gather = root.find("Gather")
    assert gather is not None and "Tony" in gather.find("Say").text


def test_a_whole_turn_with_query_string_in_the_signed_url():
    sid = new_call()
    body = params(sid)
    assert post("/twilio/voice", body, signed("/twilio/voice", body)).status_code == 200
    path = "/twilio/voice/gather?turn=1"
    body = params(sid, SpeechResult="a large cheese pizza", Confidence="0.91")
    r = post(path, body, signed(path, body))
    assert r.status_code == 200, r.text
    say = ET.fromstring(r.text).find("Gather/Say").text
    assert "Cheese Pizza" in say, say


def test_one_changed_parameter_is_refused():
    sid = new_call()
    body = params(sid)
    signature = signed("/twilio/voice", body)
    body["From"] = "+15550000000"
    r = post("/twilio/voice", body, signature)
    assert r.status_code == 403


def test_changed_query_string_is_refused():
    sid = new_call()
    body = params(sid, SpeechResult="yes")
    signature = signed("/twilio/voice/gather?turn=1", body)
    r = post("/twilio/voice/gather?turn=2", body, signature)
    assert r.status_code == 403


def test_missing_signature_is_refused():
    r = post("/twilio/voice", params(new_call()), None)
    assert r.status_code == 403


def test_signature_with_default_port_is_accepted():
    # Twilio may sign https URLs with or without :443; here the http default port :80 is
    # added to what the gateway sees, and the library's signature still validates.
    sid = new_call()
    body = params(sid)
    host = BASE.split("://", 1)[1]
    if ":" in host:
        return  # the test gateway listens on a non-default port: nothing to add
    r = post("/twilio/voice", body, RequestValidator(TOKEN).compute_signature(
        BASE.replace(host, host + ":80") + "/twilio/voice", body))
    assert r.status_code == 200
