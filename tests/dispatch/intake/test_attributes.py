"""A category's questions (补充信息): listed with the categories, answered in POST /api/v1/events, shown on
the ticket — checked the same way as Open311's attribute[code] (config/categories.toml)."""
from __future__ import annotations

import pytest

from tests.dispatch.helpers import event, report, ticket_count, ticket_of


def categories(client) -> dict:
    return {c["slug"]: c for c in client.get("/api/v1/categories").get_json()["data"]}


def test_the_category_list_carries_its_questions(client):
    # The phone's report form asks what the category asks; categories without questions ask nothing.
    by_slug = categories(client)
    (households,) = by_slug["group_rental"]["attributes"]
    assert (households["code"], households["description"], households["datatype"], households["required"]) == \
        ("households", "居住户数", "number", True)
    assert (households["minimum"], households["maximum"], households["integer"]) == (1, 99, True)
    assert by_slug["exposed_garbage"]["attributes"] == []


def test_answers_are_stored_and_shown_on_the_ticket(client, inspector):
    ticket = ticket_of(report(client, inspector, category="group_rental", attributes={"households": 6}))
    assert ticket["attributes"] == {"households": 6}
    detail = client.get(f"/api/v1/tickets/{ticket['id']}", headers=inspector).get_json()["ticket"]
    assert detail["attributes"] == {"households": 6}
    assert detail["answers"] == [{"code": "households", "question": "居住户数", "text": "6"}]  # for the pages
    listed = client.get("/api/v1/tickets", headers=inspector).get_json()["data"][0]
    assert listed["attributes"] == {"households": 6}


def test_optional_questions_may_be_left_out_or_null(client, inspector):
    # 私搭乱建's 面积 is optional: no answer, a null answer and a decimal answer are all fine.
    assert ticket_of(report(client, inspector, category="illegal_construction"))["attributes"] == {}
    nulled = report(client, inspector, category="illegal_construction", attributes={"area_m2": None},
                    at=(121.4295, 31.2555))
    assert ticket_of(nulled)["attributes"] == {}
    answered = report(client, inspector, category="illegal_construction", attributes={"area_m2": 12.5},
                      at=(121.4300, 31.2560))
    assert ticket_of(answered)["attributes"] == {"area_m2": 12.5}
    assert ticket_of(answered)["answers"] == [{"code": "area_m2", "question": "面积(平方米)", "text": "12.5"}]


@pytest.mark.parametrize(("category", "answers", "field", "problem"), [
    # the required question unanswered, or answered with nothing
    ("group_rental", {}, "attributes.households", "required (居住户数)"),
    ("group_rental", {"households": None}, "attributes.households", "required (居住户数)"),
    # outside the bounds config/categories.toml gives
    ("group_rental", {"households": 0}, "attributes.households", "must be at least 1"),
    ("group_rental", {"households": -5}, "attributes.households", "must be at least 1"),
    ("group_rental", {"households": 100}, "attributes.households", "must be at most 99"),
    ("illegal_construction", {"area_m2": -3}, "attributes.area_m2", "must be at least 0"),
    ("illegal_construction", {"area_m2": 1e308}, "attributes.area_m2", "must be at most 100000"),
    ("group_rental", {"households": 6.5}, "attributes.households", "must be a whole number"),  # a count
    # the wrong JSON type: a number question takes a JSON number, not text nor a boolean
    ("group_rental", {"households": "5"}, "attributes.households", "must be a JSON number"),
    ("group_rental", {"households": True}, "attributes.households", "must be a JSON number"),
    ("stairwell_clutter", {"floor": 3}, "attributes.floor", "must be a string"),
    ("stairwell_clutter", {"floor": "3楼\n4楼"}, "attributes.floor", "one line of at most 500 characters"),
    # a question the category does not ask
    ("exposed_garbage", {"households": 2}, "attributes.households", "has no such attribute; it asks none"),
    ("group_rental", {"households": 2, "rooms": 3}, "attributes.rooms", "has no such attribute"),
])
def test_a_bad_answer_is_422_naming_the_question_and_no_ticket_is_made(client, inspector, category, answers,
                                                                         field, problem):
    before = ticket_count(client, inspector)
    body = event(category=category, attributes=answers)
    response = report(client, inspector, body, expect=422)
    error = response.get_json()["error"]
    assert error["code"] == "validation_error"
    assert any(d["field"] == field and problem in d["problem"] for d in error["details"]), error
    assert ticket_count(client, inspector) == before


def test_an_answer_of_invisible_characters_is_no_answer(client, inspector):
    # 楼道堆物's 楼层 is an optional one-line string: zero-width spaces and a BOM are not stored as an answer
    blank = ticket_of(report(client, inspector, category="stairwell_clutter", attributes={"floor": "\u200b\ufeff "}))
    assert blank["attributes"] == {}
    shown = ticket_of(report(client, inspector, category="stairwell_clutter", attributes={"floor": "3楼\u200b"},
                            at=(121.4295, 31.2555)))
    assert shown["attributes"] == {"floor": "3楼\u200b"}  # kept as sent when something shows


def test_answers_must_be_an_object_of_plain_values(client, inspector):
    # the schema refuses shapes no question could take: a list instead of an object, a nested object
    for attributes in (["households", 3], {"households": {"n": 3}}):
        response = report(client, inspector, event(category="group_rental", attributes=attributes), expect=422)
        assert response.get_json()["error"]["code"] == "validation_error"


def test_a_required_question_answered_with_the_wrong_type_is_one_problem(client, inspector):
    response = report(client, inspector, event(category="group_rental", attributes={"households": True}),
                      expect=422)
    assert response.get_json()["error"]["details"] == [{"field": "attributes.households",
                                                        "problem": "must be a JSON number"}]


def test_every_bad_answer_is_listed_at_once(client, inspector):
    response = report(client, inspector, event(category="group_rental", attributes={"households": 0, "x": 1}),
                      expect=422)
    assert {d["field"] for d in response.get_json()["error"]["details"]} == {"attributes.households",
                                                                             "attributes.x"}
