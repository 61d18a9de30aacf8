"""Issue 9, API side: solution ownership, hidden members, keys that die with their subject
or expire. Each test reproduces a finding of the security review (all failed before)."""

from __future__ import annotations

import json
import subprocess
import time
from datetime import UTC, datetime, timedelta

from matchmaking.keys import create_key, get_key
from tests.api.conftest import MATCHMAKING, Api


def _offers(api: Api, provider: str) -> dict[str, dict[str, object]]:
    r = api.client.get(f"/providers/{provider}/solutions", headers=api.as_("staff"))
    assert r.status_code == 200, r.text
    return {link["target"]: link["properties"] for link in r.json()["data"]}


# --------------------------------------------------------------------------- ownership


def test_offering_another_providers_solution_gives_no_edit_rights(api: Api) -> None:
    p = api.as_("provider")  # prov:p; sol:t belongs to prov:q
    assert api.client.patch("/solutions/sol:t", json={"name": "Taken"}, headers=p
                            ).status_code == 403
    r = api.client.put("/providers/prov:p/solutions/sol:t", headers=p)
    assert r.status_code == 200, r.text
    assert r.json()["properties"] == {}  # offered, not owned
    r = api.client.patch("/solutions/sol:t", json={"name": "Taken", "category": "people"},
                         headers=p)
    assert r.status_code == 403, r.text
    got = api.client.get("/solutions/sol:t", headers=p).json()
    assert (got["name"], got["category"]) == ("Tree sensors", "environment")
    assert _offers(api, "prov:q")["sol:t"] == {"owner": True}


def test_a_provider_cannot_claim_ownership_itself(api: Api) -> None:
    p = api.as_("provider")
    r = api.client.put("/providers/prov:p/solutions/sol:t", json={"owner": True}, headers=p)
    assert r.status_code == 403, r.text
    assert "staff" in r.json()["detail"]
    assert "sol:t" not in _offers(api, "prov:p")


def test_the_owner_keeps_ownership_when_it_relinks_and_may_edit(api: Api) -> None:
    p = api.as_("provider")
    r = api.client.put("/providers/prov:p/solutions/sol:s", headers=p)
    assert r.status_code == 200
    assert r.json()["properties"] == {"owner": True}
    r = api.client.patch("/solutions/sol:s", json={"cost": "low"}, headers=p)
    assert r.status_code == 200, r.text
    assert r.json()["cost"] == "low"


def test_staff_reassign_ownership_in_one_step(api: Api) -> None:
    staff, p = api.as_("staff"), api.as_("provider")
    r = api.client.put("/providers/prov:p/solutions/sol:t", json={"owner": True}, headers=staff)
    assert r.status_code == 200, r.text
    assert _offers(api, "prov:p")["sol:t"] == {"owner": True}
    assert _offers(api, "prov:q")["sol:t"] == {}  # the previous owner's flag is cleared
    assert api.client.patch("/solutions/sol:t", json={"cost": "high"}, headers=p
                            ).status_code == 200


def test_first_offer_written_by_staff_makes_the_owner_but_not_by_a_provider(api: Api) -> None:
    staff, p = api.as_("staff"), api.as_("provider")
    for sid in ("sol:u", "sol:v"):
        assert api.client.post("/solutions", json={"id": sid, "name": sid, "category": "living"},
                               headers=staff).status_code == 201
    # staff link the new solution to prov:p: the creating provider owns it
    assert api.client.put("/providers/prov:p/solutions/sol:u", headers=staff
                          ).json()["properties"] == {"owner": True}
    assert api.client.patch("/solutions/sol:u", json={"cost": "low"}, headers=p
                            ).status_code == 200
    # a provider linking itself to an orphan solution does not become its owner
    assert api.client.put("/providers/prov:p/solutions/sol:v", headers=p
                          ).json()["properties"] == {}
    assert api.client.patch("/solutions/sol:v", json={"cost": "low"}, headers=p
                            ).status_code == 403


# --------------------------------------------------------------------------- hidden members


def test_feedback_on_a_hidden_member_is_a_404_like_an_unknown_id(api: Api) -> None:
    city = api.as_("city")

    def give(candidate: str, headers: dict[str, str]) -> tuple[int, str]:
        r = api.client.post("/feedback", headers=headers, json={
            "subject": "city:a", "candidate": candidate, "kind": "experts",
            "verdict": "not_relevant"})
        return r.status_code, r.json().get("detail", "")

    hidden = give("mem:hidden", city)
    unknown = give("mem:nobody", city)
    assert hidden == (404, "unknown candidate id 'mem:hidden'")
    assert unknown == (404, "unknown candidate id 'mem:nobody'")
    assert give("mem:hidden", api.as_("staff"))[0] == 201  # staff see hidden members


def test_linking_to_a_hidden_member_is_a_404_like_an_unknown_id(api: Api) -> None:
    city = api.as_("city")
    hidden = api.client.put("/cities/city:a/needs/mem:hidden", headers=city)
    unknown = api.client.put("/cities/city:a/needs/mem:nobody", headers=city)
    assert (hidden.status_code, unknown.status_code) == (404, 404)
    assert hidden.json()["detail"] == unknown.json()["detail"].replace("mem:nobody",
                                                                      "mem:hidden")
    assert "Member" not in hidden.json()["detail"]
    # an open member is still a plain wrong-label error (its existence is public)
    assert api.client.put("/cities/city:a/needs/mem:open", headers=city).status_code == 422


def test_hidden_member_reads_are_404_for_every_non_staff_key(api: Api) -> None:
    for role in ("city", "member", "provider"):
        for path in ("/members/mem:hidden", "/members/mem:hidden/expertise",
                     "/members/mem:hidden/affiliations"):
            hidden = api.client.get(path, headers=api.as_(role))
            unknown = api.client.get(path.replace("mem:hidden", "mem:nobody"),
                                     headers=api.as_(role))
            assert (hidden.status_code, unknown.status_code) == (404, 404), (role, path)
            assert hidden.json()["detail"] == unknown.json()["detail"].replace(
                "mem:nobody", "mem:hidden")


# --------------------------------------------------------------------------- keys


def test_deleting_a_subject_revokes_its_keys(api: Api) -> None:
    staff = api.as_("staff")
    body = {"id": "city:victim", "name": "Victim", "country": "DK"}
    assert api.client.post("/cities", json=body, headers=staff).status_code == 201
    record, key = create_key(api.store, "city", "city:victim", name="victim")
    old = {"Authorization": f"Bearer {key}"}
    assert api.client.patch("/cities/city:victim", json={"population": 1}, headers=old
                            ).status_code == 200  # cached as valid in this worker
    assert api.client.delete("/cities/city:victim", headers=staff).status_code == 204
    assert api.client.post("/cities", json=body, headers=staff).status_code == 201
    r = api.client.patch("/cities/city:victim", json={"population": 2}, headers=old)
    assert r.status_code == 401, r.text
    assert "revoked" in r.json()["detail"]
    stored = get_key(api.store, record.key_id)
    assert stored is not None and stored.revoked
    # other keys are untouched
    assert api.client.get("/cities/city:a", headers=api.as_("city")).status_code == 200


def test_an_expired_key_gets_401(api: Api) -> None:
    record, key = create_key(api.store, "staff", name="long", expires_in=timedelta(days=90))
    expires = datetime.fromisoformat(str(record.expires))
    assert abs(expires - (datetime.now(UTC) + timedelta(days=90))) < timedelta(minutes=1)
    assert api.client.get("/topics", headers={"Authorization": f"Bearer {key}"}
                          ).status_code == 200
    # long enough that a loaded machine (or a Neo4j round trip) serves the first request in time
    record, key = create_key(api.store, "staff", name="short", expires_in=timedelta(seconds=5))
    h = {"Authorization": f"Bearer {key}"}
    assert api.client.get("/topics", headers=h).status_code == 200  # now cached as valid
    left = datetime.fromisoformat(str(record.expires)) - datetime.now(UTC)
    time.sleep(max(left.total_seconds(), 0.0) + 0.2)
    r = api.client.get("/topics", headers=h)
    assert r.status_code == 401, r.text
    assert r.json()["detail"].startswith("this API key expired at ")
    assert r.headers["www-authenticate"] == "Bearer"


def test_cli_creates_expiring_keys_and_refuses_bad_durations(tmp_path: object) -> None:
    url = f"sqlite:///{tmp_path}/k.db"
    out = subprocess.run([MATCHMAKING, "--store", url, "keys", "create", "--role", "staff",
                          "--expires", "90d", "--json"], capture_output=True, text=True,
                         check=False, timeout=120)
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout)
    expires = datetime.fromisoformat(got["expires"])
    assert abs(expires - (datetime.now(UTC) + timedelta(days=90))) < timedelta(minutes=5)
    bad = subprocess.run([MATCHMAKING, "--store", url, "keys", "create", "--role", "staff",
                          "--expires", "soon"], capture_output=True, text=True, check=False,
                         timeout=120)
    assert bad.returncode != 0
    lines = bad.stderr.strip().splitlines()
    assert len(lines) == 1 and "bad duration 'soon'" in lines[0], bad.stderr
