"""The 居委's evaluations in the statistics: 居委评价分 and 排名分 against figures computed by hand
(config/evaluation.toml as shipped: 满意 100, 基本满意 60, 不满意 0; 响应度 and 处置 50/50; weight 20)."""
from __future__ import annotations

from tests.dispatch.evaluation.cases import XIANGYI_HUACHENG, YICHUAN_SICUN, closed, evaluate, reported
from tests.dispatch.lifecycle import act, get, upload

PERIOD = "from=2026-11-01&to=2026-11-30"


def closed_by_chengguan(s, committee: str) -> dict:
    """A ticket of `committee` the command center dispatched to 城管, handled and closed."""
    tid = reported(s, committee, category="other")["id"]  # no routing rule: dispatched by hand
    act(s, s.command, tid, "dispatch", department="chengguan")
    act(s, s.chengguan, tid, "accept")
    upload(s, s.chengguan, tid, stage="after")
    act(s, s.chengguan, tid, "resolve")
    act(s, s.command, tid, "verify", passed=True)
    return get(s, tid)


def groups(s, group_by: str) -> dict:
    body = s.client.get(f"/api/v1/stats?{PERIOD}&group_by={group_by}", headers=s.command).get_json()
    return body


def test_evaluations_rank_the_departments(street, committees):
    # 绿化市容所: three tickets closed on time (综合指标 100); evaluated (满意, 满意) → 100 and
    # (基本满意, 不满意) → (60×50 + 0×50)/100 = 30, the third not evaluated: 居委评价分 (100 + 30)/2 = 65,
    # 排名分 100 × 0.8 + 65 × 0.2 = 93. 城管: one ticket closed on time (综合指标 100) evaluated (不满意, 不满意)
    # → 居委评价分 0, 排名分 80. Config order puts 城管 first; the evaluations put 绿化市容所 ahead of it.
    sanitation = [closed(street, XIANGYI_HUACHENG) for _ in range(2)] + [closed(street, YICHUAN_SICUN)]
    chengguan = closed_by_chengguan(street, XIANGYI_HUACHENG)
    evaluate(street, committees["huacheng"], sanitation[0]["id"])
    evaluate(street, committees["huacheng"], sanitation[1]["id"], responsiveness="basically_satisfied",
             handling="dissatisfied")
    evaluate(street, committees["huacheng"], chengguan["id"], responsiveness="dissatisfied", handling="dissatisfied")
    report = groups(street, "department")
    ranked = [(g["key"], g["composite"], g["evaluation_score"], g["ranking_score"]) for g in report["groups"][:2]]
    assert ranked == [("sanitation", 100.0, 65.0, 93.0), ("chengguan", 100.0, 0.0, 80.0)]
    first = report["groups"][0]
    assert (first["evaluated"], first["responsiveness_satisfied_rate"], first["handling_satisfied_rate"]) == (2, 1.0, 0.5)
    totals = report["totals"]  # (100 + 30 + 0) / 3 = 43.33; 100 × 0.8 + 43.33 × 0.2 = 88.67
    assert (totals["evaluated"], totals["evaluation_score"], totals["ranking_score"]) == (3, 43.33, 88.67)


def test_group_by_committee(street, committees):
    # 香溢花城: three tickets (two of 绿化市容所, one of 城管), two evaluated, one 复核 open;
    # 宜川四村: one ticket, not evaluated (its window still open: not 未评价); one ticket without a 居民区.
    tickets = [closed(street, XIANGYI_HUACHENG) for _ in range(2)] + [closed_by_chengguan(street, XIANGYI_HUACHENG)]
    closed(street, YICHUAN_SICUN)
    reported(street, None)
    evaluate(street, committees["huacheng"], tickets[0]["id"])
    evaluate(street, committees["huacheng"], tickets[1]["id"], handling="dissatisfied", note="又脏了")
    report = groups(street, "committee")
    by_key = {g["key"]: g for g in report["groups"]}
    assert len(report["groups"]) == 26  # the 25 居民区 in config order, then 无居民区
    assert report["groups"][-1]["name"] == "无居民区" and by_key[None]["reported"] == 1
    huacheng = by_key[XIANGYI_HUACHENG]
    assert (huacheng["name"], huacheng["reported"], huacheng["closed"], huacheng["evaluated"],
            huacheng["unevaluated"], huacheng["responsiveness_satisfied_rate"], huacheng["handling_satisfied_rate"],
            huacheng["reviews_open"]) == ("香溢花城社区居委会", 3, 3, 2, 0, 1.0, 0.5, 1)
    sicun = by_key[YICHUAN_SICUN]
    assert (sicun["closed"], sicun["evaluated"], sicun["unevaluated"], sicun["handling_satisfied_rate"]) == (1, 0, 0, None)
    csv = street.client.get(f"/api/v1/stats?{PERIOD}&group_by=committee&format=csv", headers=street.command)
    lines = csv.data.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("居民区,上报数") and "响应度满意率" in lines[0]
    assert any(line.startswith("香溢花城社区居委会,3,") for line in lines)
