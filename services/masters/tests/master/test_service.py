"""MasterService on a rolled-back unit of work: creating, correcting and ending records, effective dating, search,
the checks an import previews with, and applying many rows all or nothing."""

from datetime import timedelta
from typing import Any

import pytest
from masters.master.errors import MasterAlreadyEnded, MasterCodeTaken, MasterKindNotFound, MasterNotFound
from masters.master.schemas import MasterChange, MasterCreate, MasterEnd, MasterFilter, MasterRow
from masters.master.service import MasterService
from tbms_core.clock import today
from tbms_core.errors import AccessDenied, InvalidInput, VersionConflict


def hospital(code: str, name: str = "試験病院", kana: str = "シケンビョウイン", **data: Any) -> MasterCreate:
    """A new 医療機関 (a hospital unless told)."""
    return MasterCreate(code=code, name=name, kana=kana, data={"type": "hospital", **data}, reason="新規登録")


async def names(service: MasterService, kind: str, **query: Any) -> list[str]:
    """The names a list shows."""
    return [row.name for row in (await service.listing(kind, MasterFilter(limit=500, **query))).items]


class TestCreate:
    """MasterService.create."""

    @pytest.mark.req("R25", partial=True)
    async def test_a_record_is_stored_from_today_with_its_first_history_entry(self, masters, codes) -> None:
        service = masters()
        code = codes.institution()
        record = await service.create("institution", hospital(code, postal_code="1540017"))
        assert (record.code, record.version, record.valid_from, record.active) == (code, 1, today(), True)
        assert record.data["postal_code"] == "154-0017"
        [entry] = (await service.history("institution", code)).items
        assert entry.version == 1 and entry.reason == "新規登録" and entry.changed_by_name == "試験 管理者"
        assert {change.label: change.new for change in entry.changes}["種別"] == "病院"

    async def test_a_code_is_never_given_twice_even_after_its_record_ended(self, masters, codes) -> None:
        service = masters()
        code = codes.institution()
        record = await service.create("institution", hospital(code))
        await service.end("institution", code, MasterEnd(version=record.version, valid_to=today()))
        with pytest.raises(MasterCodeTaken):
            await service.create("institution", hospital(code, name="架空クリニック"))

    @pytest.mark.req("R25", partial=True)
    async def test_a_doctor_must_belong_to_an_institution_that_exists(self, masters, codes) -> None:
        service = masters()
        doctor = MasterCreate(code=codes.free("D"), name="試験 医師", data={"institution_code": "1319876541"})
        with pytest.raises(InvalidInput) as refused:
            await service.create("doctor", doctor)
        assert refused.value.errors == {
            "institution_code": "医療機関「1319876541」は登録されていません。コードを確認してください。"
        }

    async def test_a_reference_to_an_ended_record_is_refused(self, masters, codes) -> None:
        service = masters()
        code = codes.institution()
        ended = hospital(code, name="架空旧病院")
        ended.valid_from, ended.valid_to = today() - timedelta(days=30), today() - timedelta(days=1)
        await service.create("institution", ended)
        errors = await service.check("doctor", codes.free("D"), "試験 医師", "", {"institution_code": code})
        assert "使えません" in errors["institution_code"]

    async def test_a_user_without_master_update_is_refused(self, masters, codes) -> None:
        with pytest.raises(AccessDenied) as refused:
            await masters("masters:read").create("institution", hospital(codes.institution()))
        assert refused.value.message == "「マスタ管理」の更新権限がありません。管理者に確認してください。"

    async def test_an_unknown_kind_is_not_found(self, masters) -> None:
        with pytest.raises(MasterKindNotFound):
            await masters().create("hospital", hospital("1310123455"))


class TestChange:
    """MasterService.change."""

    @pytest.mark.req("R26")
    async def test_a_correction_keeps_who_when_what_and_why(self, masters, codes) -> None:
        service = masters()
        code = codes.institution()
        record = await service.create("institution", hospital(code))
        changed = await service.change(
            "institution",
            code,
            MasterChange(version=1, changes={"name": "試験総合病院", "tb_beds": "はい"}, reason="名称変更"),
        )
        assert (changed.name, changed.data["tb_beds"], changed.version) == ("試験総合病院", True, 2)
        latest, first = (await service.history("institution", code)).items
        assert (latest.version, latest.reason, first.version) == (2, "名称変更", 1)
        assert [(c.label, c.old, c.new) for c in latest.changes] == [
            ("名称", record.name, "試験総合病院"),
            ("結核病床", "いいえ", "はい"),
        ]

    async def test_a_stale_version_is_refused_and_nothing_changes(self, masters, codes) -> None:
        service = masters()
        code = codes.institution()
        await service.create("institution", hospital(code))
        await service.change("institution", code, MasterChange(version=1, changes={"address": "試験町1"}))
        with pytest.raises(VersionConflict):
            await service.change("institution", code, MasterChange(version=1, changes={"address": "試験町2"}))
        assert (await service.get("institution", code)).data["address"] == "試験町1"

    async def test_saving_the_same_values_makes_no_new_version(self, masters, codes) -> None:
        service = masters()
        code = codes.institution()
        await service.create("institution", hospital(code))
        same = await service.change("institution", code, MasterChange(version=1, changes={"type": "病院"}))
        assert same.version == 1
        assert len((await service.history("institution", code)).items) == 1

    async def test_the_code_and_unknown_items_cannot_be_changed(self, masters, codes) -> None:
        service = masters()
        code = codes.institution()
        await service.create("institution", hospital(code))
        with pytest.raises(InvalidInput) as refused:
            await service.change("institution", code, MasterChange(version=1, changes={"code": "1", "color": "x"}))
        assert refused.value.errors == {"code": "この項目は変えられません。", "color": "この項目は変えられません。"}

    async def test_a_wrong_value_is_refused_with_its_message(self, masters, codes) -> None:
        service = masters()
        code = codes.institution()
        await service.create("institution", hospital(code))
        with pytest.raises(InvalidInput) as refused:
            await service.change("institution", code, MasterChange(version=1, changes={"kana": "abc"}))
        assert refused.value.errors == {"kana": "カナはカタカナまたはひらがなで入力してください。"}


class TestEnd:
    """MasterService.end and effective dating."""

    @pytest.mark.req("R26")
    async def test_an_ended_record_stays_and_lists_show_it_only_for_its_days(self, masters, codes) -> None:
        service = masters()
        code = codes.institution()
        name = f"架空終了病院{code}"
        start = today() - timedelta(days=10)
        created = await service.create(
            "institution", hospital(code, name=name).model_copy(update={"valid_from": start})
        )
        ended = await service.end(
            "institution", code, MasterEnd(version=created.version, valid_to=today() - timedelta(days=1), reason="廃止")
        )
        assert (ended.active, ended.valid_to, ended.version) == (False, today() - timedelta(days=1), 2)
        assert name not in await names(service, "institution", q=name)
        assert name in await names(service, "institution", q=name, on=today() - timedelta(days=5))
        assert name in await names(service, "institution", q=name, include_ended=True)
        assert (await service.get("institution", code)).name == name
        assert (await service.history("institution", code)).items[0].reason == "廃止"

    @pytest.mark.req("R25", partial=True)
    async def test_a_record_that_starts_later_is_listed_from_its_first_day(self, masters, codes) -> None:
        service = masters()
        code = codes.institution()
        name = f"架空開院予定病院{code}"
        later = hospital(code, name=name).model_copy(update={"valid_from": today() + timedelta(days=7)})
        assert not (await service.create("institution", later)).active
        assert name not in await names(service, "institution", q=name)
        assert name in await names(service, "institution", q=name, on=today() + timedelta(days=7))

    async def test_a_record_is_ended_once_and_not_before_it_starts(self, masters, codes) -> None:
        service = masters()
        code = codes.institution()
        await service.create("institution", hospital(code))
        with pytest.raises(InvalidInput) as refused:
            await service.end("institution", code, MasterEnd(version=1, valid_to=today() - timedelta(days=1)))
        assert refused.value.errors == {"valid_to": "終了日が有効期間の開始日より前になっています。"}
        await service.end("institution", code, MasterEnd(version=1, valid_to=today()))
        with pytest.raises(MasterAlreadyEnded):
            await service.end("institution", code, MasterEnd(version=2, valid_to=today()))

    async def test_an_unknown_code_is_not_found(self, masters) -> None:
        with pytest.raises(MasterNotFound):
            await masters().end("institution", "1310000000", MasterEnd(version=1, valid_to=today()))


class TestSearch:
    """MasterService.listing and suggest: code, name or カナ, folded."""

    @pytest.mark.req("R26")
    @pytest.mark.parametrize(
        "typed",
        ["高嶺", "髙嶺", "ﾀｶﾐﾈ", "たかみね", "タカミネ", "ｸﾘﾆｯｸ", "<its code>", "<its code in full width>"],
        ids=[
            "common-form",
            "variant-kanji",
            "half-width-kana",
            "hiragana",
            "katakana",
            "part-of-kana",
            "code",
            "wide-code",
        ],
    )
    async def test_code_name_and_kana_match_whatever_the_width_kana_or_variant(
        self, masters, codes, typed: str
    ) -> None:
        service = masters()
        code = codes.institution()
        await service.create(
            "institution", hospital(code, name="髙嶺試験クリニック", kana="タカミネシケンクリニック", type="clinic")
        )
        wide = code.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
        typed = {"<its code>": code[:8], "<its code in full width>": wide}.get(typed, typed)
        page = await service.listing("institution", MasterFilter(q=typed, limit=500))
        assert code in [row.code for row in page.items]

    async def test_a_code_matches_from_its_start_only(self, masters, codes) -> None:
        service = masters()
        code = codes.institution()
        await service.create("institution", hospital(code))
        assert code in [row.code for row in (await service.listing("institution", MasterFilter(q=code[:6]))).items]
        found = await service.listing("institution", MasterFilter(q=code[3:9]))
        assert code not in [row.code for row in found.items]

    @pytest.mark.req("R25", partial=True)
    async def test_doctors_are_suggested_for_one_institution(self, masters, codes) -> None:
        service = masters()
        first, second = codes.institution(), codes.institution()
        for code in (first, second):
            await service.create("institution", hospital(code))
        mine, other = codes.free("D"), codes.free("D")
        await service.create(
            "doctor",
            MasterCreate(code=mine, name="試験 一郎", kana="シケン イチロウ", data={"institution_code": first}),
        )
        await service.create(
            "doctor",
            MasterCreate(code=other, name="試験 次郎", kana="シケン ジロウ", data={"institution_code": second}),
        )
        found = await service.suggest("doctor", "しけん", ref=first, limit=50)
        assert [s.code for s in found] == [mine]
        assert found[0].label == f"試験 一郎（{mine}）"

    async def test_districts_are_listed_in_their_order(self, masters) -> None:
        assert await names(masters(), "district") == ["世田谷", "北沢", "玉川", "砧", "烏山"]


class TestAccess:
    """Reference data: any area's 参照 reads it."""

    async def test_a_user_with_reading_in_any_area_reads_masters(self, masters) -> None:
        assert (await masters("forms:read").listing("district", MasterFilter())).total == 5

    async def test_a_logged_in_user_without_any_area_may_read(self, masters) -> None:
        assert (await masters("nothing").listing("district", MasterFilter())).total == 5


class TestRows:
    """check_rows and apply_rows: what an import previews and applies."""

    def rows(self, *codes: str, name: str = "架空一括病院") -> list[MasterRow]:
        return [
            MasterRow(line=line, code=code, name=f"{name}{line}", data={"type": "病院"})
            for line, code in enumerate(codes, start=2)
        ]

    @pytest.mark.req("R25", partial=True)
    async def test_rows_are_previewed_as_new_changed_unchanged_or_error(self, masters, codes) -> None:
        service = masters()
        same, renamed, new = codes.institution(), codes.institution(), codes.institution()
        await service.create("institution", hospital(same, name="架空一括病院2", kana=""))
        await service.create("institution", hospital(renamed, name="旧名", kana=""))
        rows = self.rows(same, renamed, new, "1310123454", new)
        checked = await service.check_rows("institution", rows)
        assert [c.status for c in checked] == ["unchanged", "changed", "new", "error", "error"]
        assert [(c.label, c.old, c.new) for c in checked[1].changes] == [("名称", "旧名", "架空一括病院3")]
        assert "検証番号" in checked[3].errors["code"]
        assert checked[4].errors == {"code": "同じ医療機関コードの行が4行目にもあります。"}

    @pytest.mark.req("R25", partial=True)
    async def test_rows_apply_all_or_nothing_and_again_change_nothing(self, masters, codes) -> None:
        service = masters()
        kept, new = codes.institution(), codes.institution()
        await service.create("institution", hospital(kept, name="旧名", kana=""))
        with pytest.raises(InvalidInput) as refused:
            await service.apply_rows("institution", self.rows(kept, new, "1310123454"), "一括取込（試験.csv）")
        assert list(refused.value.errors) == ["4.code"]
        assert (await service.get("institution", kept)).name == "旧名"
        applied = await service.apply_rows("institution", self.rows(kept, new), "一括取込（試験.csv）")
        assert (applied.new, applied.changed, applied.unchanged) == (1, 1, 0)
        again = await service.apply_rows("institution", self.rows(kept, new), "一括取込（試験.csv）")
        assert (again.new, again.changed, again.unchanged) == (0, 0, 2)
        changed = await service.get("institution", kept)
        assert (changed.name, changed.version) == ("架空一括病院2", 2)
        assert (await service.history("institution", kept)).items[0].reason == "一括取込（試験.csv）"

    async def test_a_blank_start_keeps_the_start_a_record_has(self, masters, codes) -> None:
        service = masters()
        code = codes.institution()
        start = today() - timedelta(days=100)
        await service.create(
            "institution", hospital(code, name="架空一括病院2").model_copy(update={"valid_from": start})
        )
        [check] = await service.check_rows("institution", self.rows(code))
        assert check.status == "changed"  # the カナ, not the start
        assert [c.field for c in check.changes] == ["kana"]
