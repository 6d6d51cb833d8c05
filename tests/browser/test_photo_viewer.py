"""Photos open full size to zoom (照片查看) on the desk and on /m/, stamped with the ticket's 水印 — in Chromium,
on a 375 px phone and on 1366 / 1920 px screens, with a finger (pinch), the buttons and the keyboard."""
from __future__ import annotations

import io

import pytest
from PIL import Image

from tests.browser.helpers import PHONE, SCREENSHOTS, copy_to_docs, login, wait_ready

WIDTHS = {375: {"width": 375, "height": 812}, 1366: {"width": 1366, "height": 900}, 1920: {"width": 1920, "height": 1080}}


def scene_jpeg() -> bytes:
    """A 1600 × 1200 picture of a street corner (stripes, so a zoom shows)."""
    image = Image.new("RGB", (1600, 1200), (200, 210, 220))
    for x in range(0, 1600, 80):
        image.paste((70, 120, 170), (x, 0, x + 40, 900))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()


@pytest.fixture
def photographed(live_server, inspector):
    """A 暴露垃圾 ticket of 王巡查's with a big 处置前 photo, signed for by 绿化市容所's 李师傅."""
    department = live_server.create_user("lh_li", "department", department="sanitation", display_name="李师傅")
    ticket = live_server.api("POST", "/api/v1/events", inspector, expect=201, json={
        "category": "exposed_garbage", "location": {"lng": 121.4288, "lat": 31.2551},
        "address": "宜川路 300 号", "description": "小区门口暴露垃圾"})["ticket"]
    path = f"/api/v1/tickets/{ticket['id']}"
    live_server.api("POST", path + "/photos", inspector, expect=201,
                    data={"stage": "before", "photo": (io.BytesIO(scene_jpeg()), "scene.jpg")})
    live_server.api("POST", path + "/actions", department, expect=200, json={"action": "accept"})
    return ticket


def shot(page, name: str):
    """The viewport as the user sees it (the viewer covers the window, not the whole page)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path


def rendered_width(page) -> float:
    return page.locator(".pv-img").evaluate("img => img.getBoundingClientRect().width")


@pytest.mark.parametrize("width", WIDTHS)
def test_a_desk_photo_opens_full_size_and_zooms_with_buttons_and_keys(new_page, photographed, width):
    page = new_page(viewport=WIDTHS[width])
    login(page, "lh_li", next_path=f"/desk/tickets/{photographed['id']}")
    wait_ready(page)
    thumb = page.locator("#ticket-photos a[data-photo]").first
    thumb.click()
    viewer = page.get_by_role("dialog", name="照片")
    viewer.wait_for()
    page.locator(".pv-img").evaluate("img => img.decode()")
    assert page.locator(".pv-img").evaluate("img => img.naturalWidth") == 1600  # the full picture, not the thumbnail
    fitted = rendered_width(page)
    assert fitted <= WIDTHS[width]["width"]
    assert page.locator(".pv-title").inner_text() == f"处置前照片 · {photographed['number']}"
    path = shot(page, f"photo-viewer-desk-{width}")
    if width == 1366:
        copy_to_docs(path, "photo-viewer.png")
    page.get_by_role("button", name="放大").click()
    assert page.locator(".pv-level").inner_text() == "150%"
    assert rendered_width(page) == pytest.approx(fitted * 1.5, abs=2)
    page.keyboard.press("+")
    assert page.locator(".pv-level").inner_text() == "225%"
    shot(page, f"photo-viewer-desk-zoomed-{width}")
    page.keyboard.press("0")
    assert rendered_width(page) == pytest.approx(fitted, abs=2)
    page.keyboard.press("Escape")
    assert not viewer.is_visible()
    assert thumb.evaluate("a => document.activeElement === a")  # the focus goes back to the thumbnail


def test_on_the_phone_a_photo_opens_from_my_report_and_pinches_to_zoom(new_page, photographed):
    page = new_page(**PHONE, has_touch=True)
    login(page, "xy_wang")
    wait_ready(page)
    page.click(".tabs [data-tab=mine]")
    page.locator(f"#mine-list .ticket[data-id='{photographed['id']}'] .ticket-open").click()
    page.locator("#detail .photos a[data-photo]").first.click()
    page.get_by_role("dialog", name="照片").wait_for()
    page.locator(".pv-img").evaluate("img => img.decode()")
    fitted = rendered_width(page)
    assert fitted <= 375
    shot(page, "photo-viewer-m-375")
    # two fingers spread apart over the photo (pointer events, as a touch screen sends them)
    page.locator(".pv-stage").evaluate("""stage => {
        const r = stage.getBoundingClientRect(), cx = r.left + r.width / 2, cy = r.top + r.height / 2;
        const send = (type, id, x) => stage.dispatchEvent(new PointerEvent(type, {
            pointerId: id, clientX: x, clientY: cy, pointerType: 'touch', bubbles: true, isPrimary: id === 1}));
        send('pointerdown', 1, cx - 20); send('pointerdown', 2, cx + 20);
        send('pointermove', 1, cx - 60); send('pointermove', 2, cx + 60);
        send('pointerup', 1, cx - 60); send('pointerup', 2, cx + 60);
    }""")
    assert page.locator(".pv-level").inner_text() == "300%"
    assert rendered_width(page) == pytest.approx(fitted * 3, abs=2)
    shot(page, "photo-viewer-m-pinched-375")
    page.get_by_role("button", name="关闭").click()
    assert not page.get_by_role("dialog", name="照片").is_visible()
