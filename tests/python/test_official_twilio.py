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


def post_as(host, path, body, signed_url):
    """A request whose Host header says `host` (as a proxy in front of the gateway would pass
    it on), signed by the library for `signed_url`. The gateway, with no KEA_PUBLIC_URL, checks
    the signature against http://HOST/PATH."""
    signature = RequestValidator(TOKEN).compute_signature(signed_url, body)
    return requests.post(BASE + path, data=body, timeout=10,
                         headers={"Host": host, "X-Twilio-Signature": signature})


def test_signature_with_default_port_added_is_accepted():
    # Twilio may sign a URL with its scheme's default port written out: the gateway sees
    # http://kea.example/twilio/voice, the library signed http://kea.example:80/twilio/voice.
    body = params(new_call())
    r = post_as("kea.example", "/twilio/voice", body, "http://kea.example:80/twilio/voice")
    assert r.status_code == 200, r.text
    assert ET.fromstring(r.text).find("Gather/Say") is not None, r.text


def test_signature_with_default_port_removed_is_accepted():
    # The other way round: the request names :80, the library signed the URL without it.
    body = params(new_call())
    r = post_as("kea.example:80", "/twilio/voice", body, "http://kea.example/twilio/voice")
    assert r.status_code == 200, r.text
    assert ET.fromstring(r.text).find("Gather/Say") is not None, r.text


def test_signature_with_another_port_is_refused():
    # Only the scheme's default port may differ between what was signed and what arrived.
    body = params(new_call())
    r = post_as("kea.example", "/twilio/voice", body, "http://kea.example:8080/twilio/voice")
    assert r.status_code == 403, r.text
    r = post_as("kea.example", "/twilio/voice", body, "https://kea.example:443/twilio/voice")
    assert r.status_code == 403, r.text
