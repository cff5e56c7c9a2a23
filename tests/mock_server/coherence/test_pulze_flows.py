"""A Pulze UI reading conversations, through real HTTP: a conversation is the same on every read, under the id
asked for, and its logged requests come only when asked for."""

from __future__ import annotations

import uuid

from tests.spec_checked_client import SpecCheckedClient

API = "pulze"


def test_a_conversation_is_stable_and_has_the_id_asked_for(client: SpecCheckedClient) -> None:
    app, conv = uuid.uuid4(), uuid.uuid4()
    first = client.post(f"/v1/apps/{app}/conversations/{conv}", json={"include_requests": True})
    again = client.post(f"/v1/apps/{app}/conversations/{conv}", json={"include_requests": True})
    assert first.status_code == again.status_code == 200
    assert first.json()["id"] == str(conv) and first.json() == again.json()
    assert "requests" in first.json()
    other = client.post(f"/v1/apps/{app}/conversations/{uuid.uuid4()}", json={})
    assert other.json()["id"] != str(conv)


def test_requests_only_when_asked_for(client: SpecCheckedClient) -> None:
    app, conv = uuid.uuid4(), uuid.uuid4()
    without = client.post(f"/v1/apps/{app}/conversations/{conv}", json={"include_requests": False}).json()
    assert "requests" not in without
    assert "requests" not in client.post(f"/v1/apps/{app}/conversations/{conv}").json()  # the default is false
    with_requests = client.post(f"/v1/apps/{app}/conversations/{conv}", json={"include_requests": True}).json()
    assert {k: v for k, v in with_requests.items() if k != "requests"} == without
