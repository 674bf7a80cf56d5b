"""The notices' standards and Jinhua's contact, from the campaign files, where people need them: the
unit's page (/unit) while it prepares, and the desk while a reviewer scores."""
from __future__ import annotations

from typing import Any

import pytest

from tests.test_auth_access import app_settings, login, make_client, people, upload_as  # noqa: F401 (fixtures)

# values written from the notices (../shared/seeds), so that the test holds on a clean clone
JINHUA_CONTACT = ("董元善", "82469328", "zxc2469328@163.com")
JINHUA_SIX = ("有一个好主题", "有一支好队伍", "有一套好制度", "有一块好阵地", "有一项好载体", "有一番好业绩")
JINHUA_DETAIL = "有标准化党建活动场所，活动室门牌、上墙制度、室内布置统一规范"
YUEYANG_SIX = ("有坚强有力的领导班子和本领过硬的党务工作骨干队伍", "有科学务实的党建工作发展规划",
               "有健全完善的制度机制", "有功能实用的服务平台", "有形式多样的活动载体", "有群众满意的工作业绩")
YUEYANG_DETAIL = "服务测评满意率达到95%以上"


@pytest.mark.usefixtures("people")
class TestGuides:
    def test_unit_page_shows_contact_and_both_notices_standards(self, make_client: Any) -> None:
        """/unit: Jinhua's 联系人 with phone and mail, the 六有 with their detail, Yueyang's 创建的标准 1–6."""
        c = make_client()
        login(c, "unit-a")
        page = c.get("/unit").text
        guides = page.split('class="card guides"')[1].split('class="card submission"')[0]
        assert all(v in guides for v in JINHUA_CONTACT) and "市直机关工委组宣处" in guides
        assert all(t in guides for t in JINHUA_SIX + YUEYANG_SIX)
        assert JINHUA_DETAIL in guides and YUEYANG_DETAIL in guides

    def test_desk_shows_the_standards_where_the_reviewer_scores(self, make_client: Any) -> None:
        """The desk of a Yueyang task lists 创建的标准 1–6 with their detail beside the 考评分."""
        unit, bureau = make_client(), make_client()
        sid = upload_as(unit, login(unit, "unit-a"), "yueyang-2017")
        csrf = login(bureau, "bureau")
        task = bureau.post("/api/review/claim-next", json={}, headers={"X-CSRF-Token": csrf}).json()["task"]
        assert task["submission_id"] == sid
        desk = bureau.get(f"/review/tasks/{task['id']}").text
        guide = desk.split("<h2>评选标准</h2>")[1].split("</div>")[0]
        assert all(t in guide for t in YUEYANG_SIX) and YUEYANG_DETAIL in guide
        assert "董元善" not in guide          # another campaign's contact is not this desk's business
