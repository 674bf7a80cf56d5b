"""Campaigns are data: the seeds' rules come from YAML, and a new campaign
(another city, another year, another limit) needs no code change."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from dossier.campaigns import CampaignError, default_dir, get_campaign, load_campaigns
from tests import docx_factory as make
from workers.extraction import extract_file


class TestSeedCampaigns:
    def test_both_seeds_load(self) -> None:
        """Both notices are there with the deadline, quota and limits they set."""
        c = load_campaigns()
        assert {"jinhua-2015", "yueyang-2017"} <= set(c)
        j, y = c["jinhua-2015"], c["yueyang-2017"]
        assert str(j.deadline) == "2015-11-15" and (j.quota_min, j.quota_max) == (1, 2)
        assert str(y.deadline) == "2017-04-25"
        assert j.raw["award_count"] == 100
        jd = j.document("recommendation_form")
        assert next(f for f in jd.fields if f.key == "deeds").length.max == 1200

    def test_rubric_is_the_seeds(self) -> None:
        """28 items in 6 groups worth 23/11/23/13/15/15, 100 in all."""
        r = get_campaign("yueyang-2017").document("score_sheet").rubric
        assert len(r.items) == 28
        assert [g[1] for g in r.groups] == [23, 11, 23, 13, 15, 15]
        by_key = {i.key: i.max for i in r.items}
        assert by_key["rubric.1.1"] == 4 and by_key["rubric.6.4"] == 4 and sum(by_key.values()) == 100

    def test_joint_review_departments_are_data(self) -> None:
        """联审 by 政法委, 纪委, 卫生计生局 and 信访局 comes from the file."""
        stages = get_campaign("jinhua-2015").stages
        joint = next(s for s in stages if s["id"] == "joint_review_county")
        assert joint["departments"] == ["政法委", "纪委", "卫生计生局", "信访局"]

    def test_unknown_campaign(self) -> None:
        """An unknown id is a clear error in Chinese and English."""
        with pytest.raises(CampaignError, match="未知的评选活动.*unknown campaign"):
            get_campaign("nowhere-1999")


def test_third_campaign_without_code_change(tmp_path: Path) -> None:
    """GIVEN a third campaign file (another city and year, a 800-字 hard limit)
    WHEN a form is extracted under it
    THEN its own limit and deadline apply."""
    data = yaml.safe_load((default_dir() / "yueyang-2017.yaml").read_text(encoding="utf-8"))
    data["id"] = "changsha-2019"
    data["title"] = "长沙市基层党建示范单位创建"
    data["deadline"] = "2019-05-10"
    form = data["documents"][0]
    for f in form["fields"]:
        if f["key"] == "material":
            f["length"] = {"max": 800, "kind": "at_most"}
    (tmp_path / "changsha-2019.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    campaign = get_campaign("changsha-2019", tmp_path)
    assert str(campaign.deadline) == "2019-05-10"
    path = make.yueyang_form(tmp_path / "y.docx", {"material": make.narrative(900)})
    result = extract_file(path, campaign)
    assert result.campaign == "changsha-2019"
    over = [f for f in result.findings if f.code == "length.over_limit"]
    assert len(over) == 1 and "800" in over[0].message and over[0].field == "material"


def test_malformed_campaign_file(tmp_path: Path) -> None:
    """A broken campaign file names itself in the error."""
    (tmp_path / "bad.yaml").write_text("id: bad\n", encoding="utf-8")
    with pytest.raises(CampaignError, match="bad.yaml"):
        load_campaigns(tmp_path)


def _jinhua_with(tmp_path: Path, change) -> Path:
    data = yaml.safe_load((default_dir() / "jinhua-2015.yaml").read_text(encoding="utf-8"))
    change(data)
    (tmp_path / "jinhua-2015.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize("change, words", [
    # a misspelt key in a recommender is refused, not silently ignored
    (lambda d: d["recommenders"]["list"][0].update(countyy="婺城区"), "countyy"),
    # a county recommender must say its county: its local departments do the joint review
    (lambda d: d["recommenders"]["list"][0].pop("county"), "须写 county"),
    # a public list must name a stage that exists
    (lambda d: d["public_lists"][0].update(reached="no_such_stage"), "no_such_stage"),
    # an open kind's pattern must be a regular expression
    (lambda d: d["recommenders"]["open_kinds"][0].update(pattern="(金华"), "正则"),
])
def test_rule_sections_are_validated(tmp_path: Path, change, words: str) -> None:
    """GIVEN the Jinhua file with one mistake in its recommenders or public lists
    WHEN the campaigns load
    THEN the load fails naming the file and the mistake."""
    folder = _jinhua_with(tmp_path, change)
    with pytest.raises(CampaignError, match="jinhua-2015.yaml") as e:
        load_campaigns(folder)
    assert words in str(e.value)


def test_rule_sections_of_the_seeds_validate(tmp_path: Path) -> None:
    """The seeds' own recommenders, applicants and lists pass the stricter checks unchanged."""
    campaign = get_campaign("jinhua-2015", _jinhua_with(tmp_path, lambda d: None))
    assert campaign.id == "jinhua-2015"
