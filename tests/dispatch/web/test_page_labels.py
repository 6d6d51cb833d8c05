"""The pages' Chinese labels come from the server (dispatch.web.labels), and /m/'s offline copy has every script."""
from __future__ import annotations

import html
import json
import re

import pytest

from dispatch.tickets.models import Status
from dispatch.web import labels
from dispatch.web.labels import page_labels
from tests.dispatch.web.helpers import sign_in

LABELS_BLOCK = re.compile(r'<script type="application/json" id="yc-labels">(.*?)</script>', re.S)


def labels_of(page: str) -> dict:
    [block] = LABELS_BLOCK.findall(page)
    return json.loads(block)


@pytest.fixture
def signed_in(client, user_with_password):
    """signed_in(role) -> the client, signed in as a fresh user of that role."""
    extra = {"inspector": {"zone": "xiangyi"}, "department": {"department": "sanitation"}}

    def sign(role: str):
        user_with_password(f"u-{role}", role, **extra.get(role, {}))
        assert sign_in(client, f"u-{role}").status_code == 302
        return client

    return sign


@pytest.mark.parametrize("role, path", [
    (None, "/login"),            # nobody signed in: the page still has them (error texts name statuses)
    ("inspector", "/m/"),
    ("department", "/desk/"),
    ("command", "/cockpit/"),
])
def test_every_page_carries_the_servers_labels(client, signed_in, role, path):
    if role:
        signed_in(role)
    response = client.get(path)
    assert response.status_code == 200
    assert labels_of(response.get_data(as_text=True)) == page_labels()


def test_the_labels_name_every_status_and_every_action_of_the_transition_table():
    from dispatch.tickets.transitions import TRANSITIONS

    found = page_labels()
    assert set(found["statuses"]) == {s.value for s in Status}
    assert set(TRANSITIONS) <= set(found["actions"])
    assert all(found["actions"][a] == move.label for a, move in TRANSITIONS.items())


def test_a_label_is_data_in_the_page_never_markup(client, monkeypatch):
    monkeypatch.setitem(labels.STATUS_LABELS, Status.closed, "</script><script>alert(1)</script>")
    page = client.get("/login").get_data(as_text=True)
    assert "<script>alert(1)" not in page
    assert labels_of(page)["statuses"]["closed"] == "</script><script>alert(1)</script>"


def test_the_cockpit_legend_uses_the_map_state_labels(signed_in):
    page = signed_in("command").get("/cockpit/").get_data(as_text=True)
    legend = re.search(r'<span class="legend">(.*?)</span>', page, re.S).group(1)
    assert re.sub(r"<[^>]+>|\s", "", legend) == "".join(page_labels()["ticket_states"].values())


def test_the_offline_copy_of_m_keeps_every_script_and_style_the_page_loads(signed_in):
    client = signed_in("inspector")
    page = client.get("/m/").get_data(as_text=True)
    loaded = {html.unescape(u) for u in re.findall(r'<(?:script|link)[^>]+(?:src|href)="(/static/[^"]+)"', page)}
    paths = {u.split("?")[0] for u in loaded}  # each URL carries its file's version, ?v=…
    assert "/static/js/zonemap.js" in paths and "/static/js/labels.js" in paths
    shell = json.loads(re.search(r"const SHELL = (\[.*\]);", client.get("/m/sw.js").get_data(as_text=True)).group(1))
    assert loaded <= set(shell), loaded - set(shell)
    # and nothing else: the worker copies its shell from what the page has just downloaded (m_sw.js)
    assert set(shell) - {"/m/"} <= loaded, set(shell) - {"/m/"} - loaded
