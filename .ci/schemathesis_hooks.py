"""Schemathesis hooks for .ci/schemathesis: the credentials of one actor, renewed when they end.

The actor is named by ANJU_ST_ACTOR (admin, developer or kiosk); ANJU_ST_BASE is the demo
server's origin, ANJU_ST_ADMIN_TOKEN its admin token and ANJU_ST_SLIPS its voucher slips
(`demo-voucher-slips.csv`), with ANJU_ST_VOUCHER / ANJU_ST_PIN the household the demo suggests.

A run may end its own credentials: a developer can revoke or rotate its key, a household can log
out. Schemathesis then sees 401, calls `get` again (its `retry_on`) and replays the request with
what `get` returns: a new key issued by the admin, or a new kiosk session.
"""

import csv
import os

import requests
import schemathesis
from requests.adapters import HTTPAdapter

ACTOR = os.environ.get("ANJU_ST_ACTOR", "")
BASE = os.environ.get("ANJU_ST_BASE", "").rstrip("/")
ADMIN_TOKEN = os.environ.get("ANJU_ST_ADMIN_TOKEN", "")
TIMEOUT = 30


class _FromAddress(HTTPAdapter):
    """Connects from another loopback address. The fuzzer's wrong log-ins all come from
    127.0.0.1 and soon meet the per-address throttle (429); a real kiosk has its own address,
    and so does this one."""

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = ("127.0.0.2", 0)
        super().init_poolmanager(*args, **kwargs)


def _admin(method, path, **kwargs):
    response = requests.request(
        method,
        BASE + path,
        headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
        timeout=TIMEOUT,
        **kwargs,
    )
    response.raise_for_status()
    return response.json()


def _developer_key():
    """A new key of the first approved developer (the admin issues it)."""
    developers = _admin("GET", "/api/v1/developers", params={"status": "approved", "per_page": 1})
    developer_id = developers["items"][0]["id"]
    return _admin("POST", f"/api/v1/developers/{developer_id}/keys")["key"]


def _vouchers():
    """The suggested household first (called, nothing selected yet), then every hall household."""
    first = os.environ.get("ANJU_ST_VOUCHER"), os.environ.get("ANJU_ST_PIN")
    if all(first):
        yield first
    with open(os.environ["ANJU_ST_SLIPS"], encoding="utf-8") as slips:
        for row in csv.DictReader(slips):
            if row["method"] == "hall":
                yield row["voucher_no"], row["pin"]


def _kiosk_session():
    """A kiosk session of the first household that can log in: one the fuzzer locked with wrong
    PINs (423) is passed over."""
    session = requests.Session()
    session.mount("http://", _FromAddress())
    for voucher_no, pin in _vouchers():
        response = session.post(
            BASE + "/api/v1/kiosk/login",
            json={"voucher_no": voucher_no, "pin": pin},
            timeout=TIMEOUT,
        )
        if response.status_code == 200:
            return response.json()["token"]
    raise RuntimeError("no demo household could log in")


@schemathesis.auth(refresh_interval=3600)
class ActorAuth:
    def get(self, case, context):
        if ACTOR == "admin":
            return ADMIN_TOKEN
        if ACTOR == "developer":
            return _developer_key()
        if ACTOR == "kiosk":
            return _kiosk_session()
        raise RuntimeError(f"ANJU_ST_ACTOR must be admin, developer or kiosk, not {ACTOR!r}")

    def set(self, case, data, context):
        case.headers = case.headers or {}
        case.headers["Authorization"] = f"Bearer {data}"
