"""The cockpit's own lists have search and filters (issue 12): 筛选 narrows 待派遣, 超期升级, 督办 and 吹哨报到 in the
page — words of the number, address or description, 类别, 状态 — says when nothing matches, keeps 全选 to the rows
shown, and 搜全部 asks the API (every ticket, closed ones too) and lists the answer in place. The left column's
lists are readable at 1366 × 768 (each shows whole rows, not one clipped line)."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import XIANGYI, copy_to_docs, login, shot, wait_ready

WIDTHS = {375: {"width": 375, "height": 812}, 1366: {"width": 1366, "height": 768}, 1920: {"width": 1920, "height": 1080}}
OTHERS = [("井盖松动，有人绊倒", "宜川路 300 号门口"), ("树枝折断挡路", "中山北路 2000 弄"), ("路灯不亮", "宜川路 128 弄")]


@pytest.fixture
def lists(desk):
    """The desk's morning (a returned 暴露垃圾 in 待派遣; the late one 签收超期, the warning one 预警) and three 其他
    reports with addresses nobody routes (待派遣); the warning one is 督办."""
    others = [desk.server.api("POST", "/api/v1/events", desk.command, expect=201, json={
        "category": "other", "location": {"lng": XIANGYI[i][0] + 0.0006, "lat": XIANGYI[i][1] + 0.0006},
        "description": text, "address": address})["ticket"] for i, (text, address) in enumerate(OTHERS)]
    desk.server.api("POST", f"/api/v1/tickets/{desk.warning['id']}/actions", desk.command, expect=200,
                    json={"action": "supervise", "note": "尽快处理"})
    with desk.server.app.app_context():
        from dispatch import db
        from dispatch.escalation import sweep
        sweep.sweep(session=db.session(), config=desk.server.app.extensions["street_config"], now=desk.clock())
    return others


def shown(page, list_id: str) -> list[str]:
    """The ticket numbers of the rows a list shows."""
    return page.locator(f"#{list_id} .row:not([hidden]) a.num").all_inner_texts()


@pytest.mark.parametrize("width", WIDTHS)
def test_the_cockpit_lists_are_filtered_in_the_page(new_page, desk, lists, width):
    page = new_page(viewport=WIDTHS[width])
    login(page, desk.command["username"])
    wait_ready(page)
    pending_all = shown(page, "pending-list")
    assert len(pending_all) == 4
    query = page.get_by_label("筛选：编号、地址或描述的字词")

    # words of the address: the two 宜川路 reports stay, every other list says nothing matches
    query.fill("宜川路")
    assert sorted(shown(page, "pending-list")) == sorted([lists[0]["number"], lists[2]["number"]])
    expect(page.locator("#pending-list").locator("xpath=..").locator(".find-count")).to_have_text("显示 2 / 4")
    expect(page.locator("#escalation-list .no-match")).to_contain_text("无匹配工单")
    expect(page.locator("#supervised-list .no-match")).to_contain_text("无匹配工单")
    # two words must both match: an address word and a description word
    query.fill("宜川路 路灯")
    assert shown(page, "pending-list") == [lists[2]["number"]]
    # the tail of a number finds its ticket in every list it is on
    query.fill(desk.late["number"][-4:])
    assert set(shown(page, "escalation-list")) == {desk.late["number"]}  # its 预警 and 超期 rows
    expect(page.locator("#pending-list .no-match")).to_be_visible()

    # the filter stays while the feed refreshes with a new ticket, which it hides
    query.fill("宜川路")
    desk.server.api("POST", "/api/v1/events", desk.command, expect=201, json={
        "category": "other", "location": {"lng": XIANGYI[3][0] + 0.0006, "lat": XIANGYI[3][1] + 0.0006},
        "description": "消防通道堵塞"})
    page.evaluate("() => window.cockpit.refresh()")
    expect(page.locator("#pending-count")).to_have_text("5")
    assert len(shown(page, "pending-list")) == 2

    # 全选 ticks the rows shown only; a bulk action acts on what is seen
    page.locator("[data-all=pending]").check()
    expect(page.locator(".bulk-count[data-count=pending]")).to_have_text("已选 2 件")
    # Esc in the box clears the filter; what the filter hid is not ticked
    query.press("Escape")
    expect(query).to_have_value("")
    assert len(shown(page, "pending-list")) == 5
    expect(page.locator("[data-testid=find-summary]")).to_be_hidden()
    expect(page.locator(".bulk-count[data-count=pending]")).to_have_text("已选 2 件")

    # 类别: the returned 暴露垃圾 only; 状态 (时限 · 超期): the late ticket's escalation rows
    page.get_by_label("类别").select_option("暴露垃圾")
    assert shown(page, "pending-list") == [desk.returned["number"]]
    expect(page.locator(".bulk-count[data-count=pending]")).to_have_text("已选 0 件")  # the 其他 ones were hidden
    page.get_by_label("类别").select_option("")
    page.get_by_label("状态").select_option(label="时限 · 超期")
    assert set(shown(page, "escalation-list")) == {desk.late["number"]}
    page.get_by_label("状态").select_option(label="时限 · 预警")  # both got a 预警 row before the late one's 超期
    assert set(shown(page, "escalation-list")) == {desk.warning["number"], desk.late["number"]}
    assert all(level.startswith("签收预警")
               for level in page.locator("#escalation-list .esc-row:not([hidden]) .level").all_inner_texts())
    page.get_by_label("状态").select_option(label="待派遣")  # 办理状态
    assert shown(page, "supervised-list") == [] and len(shown(page, "pending-list")) == 5
    page.get_by_label("状态").select_option(label="已派遣")
    assert shown(page, "supervised-list") == [desk.warning["number"]] and shown(page, "pending-list") == []
    page.get_by_label("状态").select_option("")

    # words nobody's row holds: every list says so, and the summary points to 搜全部
    query.fill("不存在的字词")
    expect(page.locator("[data-testid=find-summary]")).to_contain_text("无匹配工单")
    for list_id in ("pending-list", "escalation-list", "supervised-list"):
        expect(page.locator(f"#{list_id} .no-match")).to_be_visible()
    shot(page, f"cockpit-find-none-{width}")
    page.locator("[data-testid=find-clear]").click()
    expect(query).to_be_focused()
    assert len(shown(page, "pending-list")) == 5


@pytest.mark.parametrize("width", WIDTHS)
def test_search_all_answers_from_the_api_in_place(new_page, desk, lists, width):
    page = new_page(viewport=WIDTHS[width])
    login(page, desk.command["username"])
    wait_ready(page)
    query = page.get_by_label("筛选：编号、地址或描述的字词")
    # 绿化带内垃圾 is 处置中 and not 督办: on none of the cockpit's lists
    query.fill("绿化带")
    expect(page.locator("[data-testid=find-summary]")).to_contain_text("无匹配工单")
    query.press("Enter")
    results = page.locator("[data-testid=find-results]")
    expect(results).to_be_visible()
    expect(results.locator("li")).to_have_count(1)
    row = results.locator("li").first
    expect(row.locator("a.num")).to_have_text(desk.working["number"])
    expect(row.locator("a.num")).to_have_attribute("href", f"/desk/tickets/{desk.working['id']}")
    expect(row).to_contain_text("处置中")
    expect(row).to_contain_text("香溢片区")
    expect(row.locator("a.num")).to_be_focused()  # the keyboard lands on the first result
    shot(page, f"cockpit-find-results-{width}")
    if width in (1366, 1920):
        copy_to_docs(shot(page, f"cockpit-find-results-{width}"), f"cockpit-find-{width}.png")
    page.keyboard.press("Escape")
    expect(results).to_be_hidden()
    expect(query).to_be_focused()
    # nothing found says so
    query.fill("没有这样的工单")
    page.locator("[data-testid=find-all]").click()
    expect(results.locator(".find-status")).to_contain_text("无匹配工单")


@pytest.mark.parametrize("width", [1366, 1920])
def test_the_left_column_lists_are_readable(new_page, desk, lists, width):
    """At 1366 × 768 (and 1920 × 1080) each list shows whole rows: 待派遣 two, 超期升级 and 督办 theirs — not a
    clipped line — and the page itself fits the screen's height."""
    page = new_page(viewport=WIDTHS[width])
    login(page, desk.command["username"])
    wait_ready(page)

    def fully_visible(row) -> bool:
        return page.evaluate("""(row) => { const list = row.closest('.list').getBoundingClientRect();
            const r = row.getBoundingClientRect(); return r.top >= list.top - 1 && r.bottom <= list.bottom + 1; }""",
                             row.element_handle())

    shot(page, f"cockpit-lists-{width}")
    pending = page.locator("#pending-list .pending-row")
    assert fully_visible(pending.nth(0)) and fully_visible(pending.nth(1))
    for row in page.locator("#escalation-list .esc-row").all()[:2] + page.locator("#supervised-list .sup-row").all()[:1]:
        assert fully_visible(row)
    height, viewport = page.evaluate("() => [document.documentElement.scrollHeight, window.innerHeight]")
    assert height <= viewport, f"the page is {height} px high in a {viewport} px screen"


@pytest.mark.parametrize("width", [1366, 1920])
def test_zone_names_and_the_zone_buttons_leave_room_at_desk_widths(new_page, desk, lists, width):
    """No point under a zone's name on the map (the morning's points crowd 香溢片区's top edge, so its name goes to
    the bottom edge); the zone buttons on one line at 1366 px; every category of 按类别 labelled."""
    page = new_page(viewport=WIDTHS[width])
    login(page, desk.command["username"])
    wait_ready(page)
    labels = page.evaluate("() => window.cockpit.zoneLabels()")
    assert {label["name"] for label in labels} == {"香溢片区", "交西片区", "中远两湾城片区"}
    points = [page.evaluate("([lng, lat]) => window.cockpit.pixelOf(lng, lat)", [p["lng"], p["lat"]])
              for p in desk.server.api("GET", "/cockpit/feed.json", desk.command, expect=200)["points"]]
    for label in labels:  # the name's box: 15 px type, 10 px from its anchor, below or above it
        half = 15 * len(label["name"]) / 2 + 4
        top, bottom = ((label["y"] + 6, label["y"] + 32) if label["position"] == "bottom"
                       else (label["y"] - 32, label["y"] - 6))
        covered = [p for p in points if abs(p["x"] - label["x"]) < half and top < p["y"] < bottom]
        assert not covered, (label, covered)
    tops = page.locator(".zone-btn").evaluate_all("(buttons) => buttons.map((b) => b.getBoundingClientRect().top)")
    assert len(set(tops)) == 1, tops  # one line
    labelled = page.evaluate("""() => { const o = window.echarts.getInstanceByDom(document.getElementById('chart-category'))
        .getOption().yAxis[0]; return [o.data.length, o.axisLabel.interval]; }""")
    assert labelled == [2, 0]  # 暴露垃圾 and 其他, each its label (interval 0: none skipped)
