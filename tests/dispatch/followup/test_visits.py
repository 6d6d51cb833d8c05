"""Recording a 回访: who may (the zone's inspectors, the command center), what it takes, once, on the timeline."""
from __future__ import annotations

import pytest

from tests.dispatch.followup.helpers import closed_ticket, followups_of, visit
from tests.dispatch.lifecycle import get


@pytest.fixture
def task(street, app):
    ticket = closed_ticket(street, app, source="open311")
    return followups_of(app, ticket["id"])[0]


def test_the_zones_inspector_records_a_visit_once_and_it_is_on_the_timeline(street, task):
    body = visit(street, street.inspector2, task.id, reached=True, rating="satisfied", note="居民表示已清理干净")
    followup = body["followup"]
    assert (followup["visit"]["rating"], followup["visit"]["reached"], followup["done_at"] is not None,
            followup["remaining_minutes"]) == ("satisfied", True, True, None)
    again = visit(street, street.inspector, task.id, expect=409, reached=False)
    assert again["error"]["code"] == "followup_done"
    ticket = get(street, task.ticket_id)
    assert ticket["status"] == "closed"
    step = ticket["timeline"][-1]
    assert (step["action"], step["note"], step["data"]["rating"]) == ("followup_visit", "回访：满意。居民表示已清理干净",
                                                                      "satisfied")


def test_another_zones_inspector_and_a_department_may_not_record_it(street, task):
    assert visit(street, street.inspector_jiaoxi, task.id, expect=403, reached=False)["error"]["code"] == "forbidden"
    assert visit(street, street.sanitation, task.id, expect=403, reached=False)["error"]["code"] == "forbidden"
    # and they do not see it in their lists
    seen = street.client.get("/api/v1/followups", headers=street.inspector_jiaoxi).get_json()
    assert seen == {"data": [], "count": 0}
    assert street.client.get("/api/v1/followups", headers=street.sanitation).status_code == 403
    assert [f["id"] for f in street.client.get("/api/v1/followups", headers=street.inspector).get_json()["data"]] == [
        task.id]


@pytest.mark.parametrize("body, words", [
    ({"reached": True}, "needs a `rating`"),                                       # reached: how satisfied?
    ({"reached": False, "rating": "satisfied"}, "has no `rating`"),                 # 未联系上: nobody rated
    ({"reached": True, "rating": "dissatisfied"}, "不满意 needs a `note`"),           # why not satisfied
    ({"reached": True, "rating": "dissatisfied", "note": " \u200b"}, "不满意 needs a `note`"),  # blank is no note
])
def test_a_visit_that_does_not_add_up_is_refused(street, task, body, words):
    answer = visit(street, street.command, task.id, expect=422, **body)
    assert words in answer["error"]["message"]
    assert followups_of_done(street, task) is None


def followups_of_done(street, task):
    return street.client.get(f"/api/v1/tickets/{task.ticket_id}/followups",
                             headers=street.command).get_json()["data"][0]["visit"]


@pytest.mark.parametrize("body", [{"reached": "yes"}, {"reached": True, "rating": "great"}, {"rating": "satisfied"},
                                  {"reached": False, "extra": 1}])
def test_a_malformed_visit_is_a_422(street, task, body):
    assert visit(street, street.command, task.id, expect=422, **body)["error"]["code"] == "validation_error"


def test_not_reached_completes_the_visit_without_a_rating(street, task):
    followup = visit(street, street.command, task.id, reached=False, note="电话无人接听")["followup"]
    assert (followup["visit"]["reached"], followup["visit"]["rating"], followup["reopen_request"]) == (False, None, None)
    assert get(street, task.ticket_id)["timeline"][-1]["note"] == "回访：未联系上。电话无人接听"


def test_the_lists_by_state(street, app, task):
    other = followups_of(app, closed_ticket(street, app, source="committee")["id"])[0]
    visit(street, street.command, other.id, reached=True, rating="basically_satisfied")
    due = street.client.get("/api/v1/followups", headers=street.command).get_json()
    done = street.client.get("/api/v1/followups?state=done", headers=street.command).get_json()
    assert ([f["id"] for f in due["data"]], [f["id"] for f in done["data"]]) == ([task.id], [other.id])
    assert due["data"][0]["remaining_minutes"] == 3 * 480.0  # just closed: 3 WD of working minutes
    assert street.client.get("/api/v1/followups?state=soon", headers=street.command).status_code == 400
    assert street.client.get("/api/v1/followups?zone=nowhere", headers=street.command).status_code == 400
    assert street.client.post("/api/v1/followups/99999/visit", json={"reached": False},
                              headers=street.command).status_code == 404
