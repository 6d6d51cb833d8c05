"""The command center's monthly report pages: the list, making a month, the A4 report page."""
from __future__ import annotations

import re

from tests.dispatch.helpers import local
from tests.dispatch.reports.helpers import report_at
from tests.dispatch.stats.dataset import build_dataset, sh
from tests.dispatch.web.helpers import csrf_of, sign_in


def signed_in_command(client, user_with_password):
    user_with_password("cc1", "command")
    assert sign_in(client, "cc1").status_code == 302


def test_make_a_month_from_the_list_and_read_it(app, client, inspector, clock, user_with_password):
    build_dataset(app, client, inspector)
    for m, d in ((0, 3), (20, 8), (40, 15)):  # a hotspot in November
        report_at(app, client, inspector, east_m=m, created=sh(11, d, 9))
    clock.set(local(2026, 12, 1, 10))
    signed_in_command(client, user_with_password)
    page = client.get("/cockpit/reports/").get_data(as_text=True)
    assert "尚无报告" in page and 'data-testid="due-month">2026-11<' in page
    made = client.post("/cockpit/reports/", data={"month": "2026-11", "csrf_token": csrf_of(client)})
    assert made.status_code == 302 and made.headers["Location"].endswith("/cockpit/reports/2026-11?version=1")
    doc = client.get("/cockpit/reports/2026-11?version=1").get_data(as_text=True)
    assert "宜川路街道 2026 年 11 月" in doc and "巡查通报" in doc and "顽症" in doc
    totals = re.search(r'data-figure="reported"><td>上报数</td>\s*<td>(\d+)</td>\s*<td>(\d+)</td>\s*<td>([^<]+)</td>', doc)
    assert totals.groups() == ("12", "1", "+11")  # 9 of the dataset + 3 of the hotspot; October: J
    assert "暴露垃圾" in doc and "本月无顽症" not in doc
    again = client.post("/cockpit/reports/", data={"month": "2026-11", "csrf_token": csrf_of(client)},
                        follow_redirects=True).get_data(as_text=True)
    assert "2026-11 已有报告(第 1 版)" in again
    listing = client.get("/cockpit/reports/").get_data(as_text=True)
    assert 'data-month="2026-11" data-version="1"' in listing and "定时生成" not in listing
    assert "/api/v1/reports/monthly/2026-11?version=1&amp;format=xlsx" in listing


def test_other_roles_get_403_and_a_missing_month_404(app, client, clock, user_with_password):
    user_with_password("sanitation1", "department", department="sanitation")
    sign_in(client, "sanitation1")
    assert client.get("/cockpit/reports/").status_code == 403
    client.post("/logout", data={"csrf_token": csrf_of(client)})
    signed_in_command(client, user_with_password)
    assert client.get("/cockpit/reports/2026-11").status_code == 404
    page = client.post("/cockpit/reports/", data={"month": "2027-13", "csrf_token": csrf_of(client)},
                       follow_redirects=True).get_data(as_text=True)
    assert "无法生成" in page
