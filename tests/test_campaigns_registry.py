"""The campaign file is one validated thing: loaded once into a registry, a broken file named
with its path and line, stored versions seen without a restart."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from dossier.campaign_registry import CampaignRegistry
from dossier.campaigns import CampaignError, default_dir, parse_campaign_text
from services.cli import main

SEEDS = ("jinhua-2015.yaml", "yueyang-2017.yaml")


def seed_text(name: str = "yueyang-2017.yaml") -> str:
    return (default_dir() / name).read_text(encoding="utf-8")


def copy_seeds(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name in SEEDS:
        (folder / name).write_text(seed_text(name), encoding="utf-8")
    return folder


def line_holding(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), start=1) if needle in line)


class TestBrokenFile:
    def test_unknown_stage_kind_names_path_and_line(self, tmp_path: Path) -> None:
        """GIVEN a stage whose kind is misspelt THEN the error names the file, the line, in Chinese and English."""
        text = seed_text().replace("kind: decision", "kind: desicion", 1)
        bad = tmp_path / "yueyang-2017.yaml"
        bad.write_text(text, encoding="utf-8")
        with pytest.raises(CampaignError) as err:
            CampaignRegistry(tmp_path)
        msg = str(err.value)
        assert f"{bad}:{line_holding(text, 'kind: desicion')}" in msg
        assert "评选活动文件有误" in msg and "campaign file error" in msg and "stages" in msg

    def test_yaml_syntax_error_names_the_line(self, tmp_path: Path) -> None:
        """A tab-broken YAML line is reported at its line."""
        text = seed_text().replace("deadline: 2017-04-25", "deadline: [2017-04-25", 1)
        (tmp_path / "y.yaml").write_text(text, encoding="utf-8")
        with pytest.raises(CampaignError, match=r"y\.yaml:\d+: .*YAML 语法错误.*YAML syntax error"):
            CampaignRegistry(tmp_path)

    def test_rubric_group_must_add_up(self, tmp_path: Path) -> None:
        """A group's items that no longer add up to the group's points are refused at that group."""
        text = seed_text().replace("- {max: 5, text: 党组织书记", "- {max: 6, text: 党组织书记", 1)
        with pytest.raises(CampaignError, match="合计 24，不等于 23.*add up to 24, not 23"):
            parse_campaign_text(text, "y.yaml")

    def test_misspelt_field_key_is_refused(self) -> None:
        """An unknown key inside a field (requried) is an error, not silently ignored."""
        text = seed_text().replace("{key: unit_name, label: 单位名称, required: true}",
                                   "{key: unit_name, label: 单位名称, requried: true}", 1)
        with pytest.raises(CampaignError, match="requried") as err:
            parse_campaign_text(text, "y.yaml")
        assert f"y.yaml:{line_holding(text, 'requried')}" in str(err.value)

    def test_cli_start_fails_with_the_error(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
        """`dossier campaigns` with a broken file in DOSSIER_CAMPAIGNS_DIR exits 2 and says where."""
        from dossier.settings import Settings
        (tmp_path / "x.yaml").write_text("id: x\ndocuments: []\n", encoding="utf-8")
        assert main(["campaigns"], Settings(campaigns_dir=tmp_path, data_dir=tmp_path)) == 2
        err = capsys.readouterr().err
        assert f"{tmp_path / 'x.yaml'}:2" in err and "documents" in err
        from dossier.campaign_registry import reset
        reset()


class TestRegistry:
    def test_missing_folder_is_an_error(self, tmp_path: Path) -> None:
        """A DOSSIER_CAMPAIGNS_DIR that does not exist stops the start instead of serving no campaigns."""
        with pytest.raises(CampaignError, match="评选活动目录不存在.*campaigns folder does not exist"):
            CampaignRegistry(tmp_path / "nowhere")

    def test_configured_folder_is_read(self, tmp_path: Path) -> None:
        """A third file in the configured folder is a campaign; the seeds are not there unless copied."""
        data = yaml.safe_load(seed_text())
        data["id"] = "changsha-2019"
        (tmp_path / "c.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        reg = CampaignRegistry(tmp_path)
        assert set(reg.all()) == {"changsha-2019"}
        with pytest.raises(CampaignError, match="未知的评选活动.*unknown campaign"):
            reg.get("jinhua-2015")

    def test_stored_version_wins_after_refresh(self, tmp_path: Path) -> None:
        """GIVEN a stored version THEN the registry serves it once its refresh time has passed."""
        now = [0.0]
        stored: dict[str, tuple[int, str]] = {}
        reg = CampaignRegistry(copy_seeds(tmp_path), versions=lambda: stored,
                               refresh_seconds=5, clock=lambda: now[0])
        assert str(reg.get("yueyang-2017").deadline) == "2017-04-25"
        stored["yueyang-2017"] = (2, seed_text().replace("deadline: 2017-04-25", "deadline: 2017-05-05"))
        now[0] = 1.0
        assert str(reg.get("yueyang-2017").deadline) == "2017-04-25"   # not yet asked again
        now[0] = 6.0
        got = reg.get("yueyang-2017")
        assert str(got.deadline) == "2017-05-05" and got.version == 2

    def test_source_failure_keeps_campaigns(self, tmp_path: Path) -> None:
        """A database that cannot be read leaves the files' campaigns in place."""
        def broken() -> dict[str, tuple[int, str]]:
            raise OSError("database down")
        reg = CampaignRegistry(copy_seeds(tmp_path), versions=broken, refresh_seconds=0)
        assert {"jinhua-2015", "yueyang-2017"} == set(reg.all())

    def test_seeds_are_package_data(self) -> None:
        """setup.py ships campaigns/ as the package dossier.seed_campaigns (checked in a built wheel
        by the slow test below); in the checkout the folder itself is read."""
        text = (Path(__file__).resolve().parent.parent / "setup.py").read_text(encoding="utf-8")
        assert '"dossier.seed_campaigns": "campaigns"' in text
        assert {p.name for p in default_dir().glob("*.yaml")} >= set(SEEDS)


class TestAssumptions:
    def test_seeds_declare_what_the_notices_leave_open(self) -> None:
        """Yueyang's 按一定比例 and Jinhua's county-level 推荐单位 are marked assumed, with a reason."""
        from dossier.campaigns import load_campaigns
        c = load_campaigns()
        y = {a.path: a for a in c["yueyang-2017"].assumptions}
        assert y["stages[acceptance_year_end].proportion"].value == 0.5
        assert "按一定比例" in y["stages[acceptance_year_end].proportion"].reason
        j = [a for a in c["jinhua-2015"].assumptions if a.path.startswith("site_levels")]
        assert j and all(a.reason for a in j)

    def test_an_assumed_list_item_is_named_by_its_name(self) -> None:
        """The admin's page names each assumed county recommender, not its level (…list[county])."""
        from dossier.campaigns import load_campaigns
        paths = {a.path for a in load_campaigns()["jinhua-2015"].assumptions}
        assert "recommenders.list[婺城区直机关工委]" in paths
        assert "recommenders.list[county]" not in paths

    def test_wrapper_is_unwrapped_for_callers(self) -> None:
        """The engine reads the plain value: a stage's proportion is a number, not the wrapper."""
        from dossier.campaigns import get_campaign
        stage = next(s for s in get_campaign("yueyang-2017").stages if s["id"] == "acceptance_year_end")
        assert stage["proportion"] == 0.5


class TestDiff:
    def test_moved_stage_is_no_change_and_a_value_is_one(self) -> None:
        """Stages are compared by id: moving one changes nothing; a changed due_days is one change."""
        from dossier.campaign_diff import diff
        old = yaml.safe_load(seed_text())
        new = yaml.safe_load(seed_text())
        new["stages"] = list(reversed(new["stages"]))
        assert diff(old, new) == []
        target = new["stages"][0]
        before = next(st for st in old["stages"] if st["id"] == target["id"]).get("due_days")
        target["due_days"] = 99
        [change] = diff(old, new)
        assert (change.path, change.old, change.new) == (f"stages[id={target['id']}].due_days", before, 99)

    def test_new_campaign_is_all_added(self) -> None:
        from dossier.campaign_diff import diff
        changes = diff(None, {"id": "x-2020", "deadline": "2020-01-01"})
        assert [(c.path, c.kind) for c in changes] == [("deadline", "added"), ("id", "added")]
