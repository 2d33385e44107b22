"""The disclosure catalog: the standard catalog as data, editing by the group's administrators only, and the
.xlsx export and import (row-numbered errors, all or nothing, preview)."""

import io
import json

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gongkai.core.access import AccessDenied
from gongkai.core.choices import Role
from gongkai.core.models import AuditEntry
from gongkai.disclosures import catalog, catalog_actions
from gongkai.disclosures.choices import Form, Frequency
from gongkai.disclosures.models import CatalogItem, Category
from gongkai.org.choices import UnitKind
from gongkai.org.importing import ImportFileError
from gongkai.org.models import RoleAssignment

pytestmark = pytest.mark.usefixtures("english")  # these tests match English messages


@pytest.fixture
def standard(db):
    catalog.load_standard_catalog()


@pytest.fixture
def group_admin(tree):
    from gongkai.conftest import _person

    p = _person("G900", "葛管理", tree["G"])
    RoleAssignment.objects.create(person=p, unit=tree["G"], role=Role.ADMIN)
    return p


def _workbook(rows):
    wb = openpyxl.Workbook()
    for row in rows:
        wb.active.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


HEADER = ["类别编码", "编码", "公开事项", "单位类型", "频次", "公开形式", "责任角色", "期后天数"]


# ----------------------------------------------------------------------------------- the standard catalog


def test_standard_catalog_loads_the_domain_categories(standard):
    names = list(Category.objects.order_by("order").values_list("name", flat=True))
    assert len(names) == 8
    for expected in ("重大决策", "生产经营管理", "职工切身利益", "党风廉政建设", "职代会决议和提案落实"):
        assert expected in names
    titles = set(CatalogItem.objects.values_list("title", flat=True))
    for expected in (
        "工资奖金分配",
        "企业年金缴存和分配",
        "住房公积金缴存",
        "业务招待费使用",
        "公务用车使用和管理",
    ):
        assert expected in titles
    assert 35 <= len(titles) <= 50
    for item in CatalogItem.objects.all():
        assert item.unit_kinds and set(item.unit_kinds) <= set(UnitKind.values)
        assert item.frequency in Frequency.values
        assert item.forms and set(item.forms) <= set(Form.values)
        assert item.responsible_role in Role.values


def test_loading_twice_changes_nothing(standard):
    before = (CatalogItem.objects.count(), AuditEntry.objects.count())
    counts = catalog.load_standard_catalog()
    assert counts["items_added"] == counts["items_changed"] == counts["categories_added"] == 0
    assert counts["items_unchanged"] == before[0]
    assert (CatalogItem.objects.count(), AuditEntry.objects.count()) == before


def test_loading_restores_standard_values_by_code(standard):
    CatalogItem.objects.filter(code="C03-01").update(title="改过的名称", due_days=3)
    counts = catalog.load_standard_catalog()
    assert counts["items_changed"] == 1 and counts["items_added"] == 0
    item = CatalogItem.objects.get(code="C03-01")
    assert (item.title, item.due_days) == ("工资奖金分配", 10)


def test_load_catalog_command(db, capsys):
    call_command("load_catalog")
    call_command("load_catalog")
    assert "0 items added, 0 changed" in capsys.readouterr().out


def test_a_bad_catalog_file_loads_nothing(db, tmp_path):
    data = {
        "categories": [
            {
                "code": "X1",
                "name": "测试",
                "items": [
                    {
                        "code": "X1-01",
                        "title": "好的",
                        "unit_kinds": ["mine"],
                        "frequency": "monthly",
                        "forms": ["web"],
                        "due_days": 5,
                    },
                    {
                        "code": "X1-02",
                        "title": "坏的",
                        "unit_kinds": ["mine"],
                        "frequency": "weekly",
                        "forms": ["web"],
                        "due_days": 5,
                    },
                ],
            }
        ]
    }
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ValidationError) as exc:
        catalog.load_standard_catalog(path=path)
    assert "weekly" in " ".join(exc.value.messages)
    assert not Category.objects.exists() and not CatalogItem.objects.exists()


# ----------------------------------------------------------------------------------- .xlsx export and import


def test_export_then_import_is_a_round_trip(standard):
    data = catalog.export_xlsx()
    plan = catalog.build_import_plan(data, "catalog.xlsx")
    assert not plan.errors
    assert plan.counts == {"added": 0, "changed": 0, "unchanged": CatalogItem.objects.count()}


def test_import_adds_and_changes_items_from_an_edited_export(standard, root):
    wb = openpyxl.load_workbook(io.BytesIO(catalog.export_xlsx()))
    sheet = wb.active
    header = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        if row[header.index("编码")].value == "C03-01":
            row[header.index("公开事项")].value = "工资奖金分配公示"
            row[header.index("期后天数")].value = 7
            row[header.index("单位类型")].value = "矿、厂、区队、班组"
    sheet.append(
        ["C03", "", "C03-99", "夜班补贴", "说明", "矿, 区队", "每季度", "公开栏", "工会", 15, 9, "是"]
    )
    out = io.BytesIO()
    wb.save(out)
    plan = catalog.build_import_plan(out.getvalue(), "edited.xlsx")
    assert not plan.errors
    assert [e.code for e in plan.added] == ["C03-99"]
    assert [e.code for e in plan.changed] == ["C03-01"]
    counts = catalog_actions.apply_catalog_import(actor=root, plan=plan)
    assert counts["added"] == 1 and counts["changed"] == 1
    item = CatalogItem.objects.get(code="C03-01")
    assert (item.title, item.due_days, item.unit_kinds) == (
        "工资奖金分配公示",
        7,
        ["mine", "plant", "section", "team"],
    )
    new = CatalogItem.objects.get(code="C03-99")
    assert (new.frequency, new.forms, new.responsible_role, new.order) == (
        Frequency.QUARTERLY,
        [Form.BOARD],
        Role.UNION,
        9,
    )
    assert AuditEntry.objects.filter(action="disclosures.import_catalog").count() == 1
    # and the export of the result imports as unchanged again
    assert not catalog.build_import_plan(catalog.export_xlsx(), "again.xlsx").has_changes


def test_import_lists_every_bad_row_and_writes_nothing(standard, root):
    rows = [
        HEADER,
        ["C99", "N-01", "未知类别", "矿", "每月", "公开网", "公开责任人", 10],  # row 2
        ["C03", "N-02", "频次错误", "矿", "每周", "公开网", "公开责任人", 10],  # row 3
        ["C03", "N-03", "单位类型错误", "工段", "每月", "公开网", "公开责任人", 10],  # row 4
        ["C03", "N-04", "形式错误", "矿", "每月", "广播", "公开责任人", 10],  # row 5
        ["C03", "N-05", "角色错误", "矿", "每月", "公开网", "厂长", 10],  # row 6
        ["C03", "N-06", "负数天数", "矿", "每月", "公开网", "公开责任人", -3],  # row 7
        ["C03", "N-07", "正确的一行", "矿", "每月", "公开网", "公开责任人", 10],  # row 8
        ["C03", "N-07", "重复编码", "矿", "每月", "公开网", "公开责任人", 10],  # row 9
    ]
    before = CatalogItem.objects.count()
    plan = catalog.build_import_plan(_workbook(rows), "bad.xlsx")
    found = [(e.row, e.column) for e in plan.errors]
    assert found == [
        (2, "类别编码"),
        (3, "频次"),
        (4, "单位类型"),
        (5, "公开形式"),
        (6, "责任角色"),
        (7, "期后天数"),
        (9, "编码"),
    ]
    assert "C99" in plan.errors[0].message and "每周" in plan.errors[1].message
    assert "row 8" in str(plan.errors[-1]).lower() or "8" in plan.errors[-1].message
    assert not plan.added and not plan.changed
    with pytest.raises(ValidationError):
        catalog_actions.apply_catalog_import(actor=root, plan=plan)
    assert CatalogItem.objects.count() == before


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest-of-an-old-xls",
        _workbook([["编码", "公开事项"], ["X", "Y"]]),
    ],
    ids=["empty", "old-xls", "missing-columns"],
)
def test_unusable_files_are_refused_as_a_whole(standard, data):
    with pytest.raises(ImportFileError):
        catalog.build_import_plan(data, "file.xlsx")


def test_import_refuses_a_preview_made_stale_by_an_edit(standard, root):
    rows = [HEADER, ["C03", "C03-01", "工资奖金分配（新）", "矿", "每月", "公开网", "公开责任人", 10]]
    plan = catalog.build_import_plan(_workbook(rows), "one.xlsx")
    item = CatalogItem.objects.get(code="C03-01")
    catalog_actions.update_item(
        actor=root, item=item, expected_version=item.updated_at.isoformat(), **_raw(item, title="别人改的")
    )
    with pytest.raises(ValidationError, match="changed since the preview"):
        catalog_actions.apply_catalog_import(actor=root, plan=plan)
    assert CatalogItem.objects.get(code="C03-01").title == "别人改的"


def test_export_and_import_commands(standard, root, tmp_path, capsys):
    path = tmp_path / "catalog.xlsx"
    call_command("export_catalog", str(path))
    wb = openpyxl.load_workbook(path)
    wb.active.append(["C05", "", "C05-99", "井下避险演练", "", "矿", "每半年", "会议", "公开责任人", 20])
    wb.save(path)
    call_command("import_catalog", str(path), "--dry-run")
    assert not CatalogItem.objects.filter(code="C05-99").exists()
    call_command("import_catalog", str(path))
    assert CatalogItem.objects.get(code="C05-99").frequency == Frequency.HALF_YEARLY
    assert "added 1" in capsys.readouterr().out


# ----------------------------------------------------------------------------------- editing


def _raw(item, **changes):
    raw = {
        "category": item.category.code,
        "title": item.title,
        "description": item.description,
        "unit_kinds": item.unit_kinds,
        "frequency": item.frequency,
        "forms": item.forms,
        "responsible_role": item.responsible_role,
        "due_days": item.due_days,
        "order": item.order,
        "active": item.active,
    }
    return raw | changes


def test_only_an_admin_of_the_root_edits_the_catalog(standard, charlie, group_admin, alice):
    item = CatalogItem.objects.get(code="C03-01")
    for outsider in (charlie, alice):  # charlie administers 一矿 only
        with pytest.raises(AccessDenied):
            catalog_actions.update_item(actor=outsider, item=item, **_raw(item, due_days=5))
    catalog_actions.update_item(actor=group_admin, item=item, **_raw(item, due_days=5))
    assert CatalogItem.objects.get(pk=item.pk).due_days == 5


def test_edit_pages_are_refused_to_others(client, standard, charlie):
    item = CatalogItem.objects.get(code="C03-01")
    client.force_login(charlie)
    assert client.get(reverse("disclosures:catalog_edit", args=[item.pk])).status_code == 403
    assert client.post(reverse("disclosures:catalog_active", args=[item.pk])).status_code == 403
    assert client.get(reverse("disclosures:catalog_import")).status_code == 403
    assert CatalogItem.objects.get(pk=item.pk).active


def test_a_stale_edit_form_is_refused(client, standard, group_admin):
    item = CatalogItem.objects.get(code="C03-01")
    client.force_login(group_admin)
    page = client.get(reverse("disclosures:catalog_edit", args=[item.pk]))
    version = page.context["form"].initial["version"]
    catalog_actions.update_item(actor=group_admin, item=item, **_raw(item, title="别人先改了"))
    data = _raw(item, title="我的修改") | {"version": version}
    response = client.post(reverse("disclosures:catalog_edit", args=[item.pk]), data)
    assert response.status_code == 400
    assert "reload" in response.content.decode().lower() or "重新" in response.content.decode()
    assert CatalogItem.objects.get(pk=item.pk).title == "别人先改了"


def test_edit_item_through_the_page(client, standard, group_admin):
    item = CatalogItem.objects.get(code="C03-01")
    client.force_login(group_admin)
    version = (
        client.get(reverse("disclosures:catalog_edit", args=[item.pk])).context["form"].initial["version"]
    )
    data = _raw(item, title="工资奖金分配情况", unit_kinds=["mine", "team"]) | {"version": version}
    response = client.post(reverse("disclosures:catalog_edit", args=[item.pk]), data)
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.title, item.unit_kinds) == ("工资奖金分配情况", ["mine", "team"])


def test_adding_an_item_with_bad_values_shows_errors_and_adds_nothing(client, standard, group_admin):
    client.force_login(group_admin)
    before = CatalogItem.objects.count()
    data = {
        "category": "C03",
        "code": "C03-01",  # taken
        "title": "重复",
        "unit_kinds": ["mine"],
        "frequency": "monthly",
        "forms": ["web"],
        "responsible_role": Role.DISCLOSURE_OFFICER,
        "due_days": 10,
        "order": 0,
    }
    response = client.post(reverse("disclosures:catalog_add"), data)
    assert response.status_code == 400
    assert "C03-01" in response.content.decode()
    response = client.post(reverse("disclosures:catalog_add"), data | {"code": "C03-50", "due_days": -1})
    assert response.status_code == 400
    assert CatalogItem.objects.count() == before
    response = client.post(reverse("disclosures:catalog_add"), data | {"code": "C03-50"})
    assert response.status_code == 302
    assert CatalogItem.objects.get(code="C03-50").title == "重复"


def test_deactivate_and_reactivate_an_item(client, standard, group_admin):
    item = CatalogItem.objects.get(code="C03-01")
    client.force_login(group_admin)
    client.post(reverse("disclosures:catalog_active", args=[item.pk]))
    assert not CatalogItem.objects.get(pk=item.pk).active
    client.post(reverse("disclosures:catalog_active", args=[item.pk]), {"active": "1"})
    assert CatalogItem.objects.get(pk=item.pk).active


def test_categories_are_added_and_edited(client, standard, group_admin):
    client.force_login(group_admin)
    client.post(reverse("disclosures:catalog_category_add"), {"code": "C09", "name": "其他事项", "order": 9})
    category = Category.objects.get(code="C09")
    response = client.post(
        reverse("disclosures:catalog_category_add"), {"code": "C09", "name": "再来", "order": 9}
    )
    assert response.status_code == 302 and Category.objects.filter(code="C09").count() == 1
    version = category.updated_at.isoformat()
    client.post(
        reverse("disclosures:catalog_category_edit", args=[category.pk]),
        {"name": "其他公开事项", "order": 10, "active": "on", "version": version},
    )
    category.refresh_from_db()
    assert (category.name, category.order) == ("其他公开事项", 10)


def test_the_catalog_page_costs_a_fixed_number_of_queries(client, alice, wages):
    client.force_login(alice)
    url = reverse("disclosures:catalog")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    catalog.load_standard_catalog()
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert "工资奖金分配" in response.content.decode()
    assert len(few) == len(many)


def test_import_through_the_pages_with_preview(client, standard, group_admin):
    client.force_login(group_admin)
    rows = [HEADER, ["C03", "C03-88", "福利房分配", "矿", "每年", "公开网、职代会", "工会", 30]]
    upload = io.BytesIO(_workbook(rows))
    upload.name = "new.xlsx"
    response = client.post(reverse("disclosures:catalog_import"), {"file": upload})
    assert response.status_code == 302
    preview = client.get(response["Location"])
    plan = preview.context["plan"]
    assert [e.code for e in plan.added] == ["C03-88"]
    assert not CatalogItem.objects.filter(code="C03-88").exists()  # the preview writes nothing
    apply_url = reverse("disclosures:catalog_import_apply", args=[preview.context["token"]])
    assert client.post(apply_url, {"fingerprint": "stale"}).status_code == 302
    assert not CatalogItem.objects.filter(code="C03-88").exists()
    client.post(apply_url, {"fingerprint": plan.fingerprint})
    assert CatalogItem.objects.get(code="C03-88").forms == [Form.WEB, Form.CONGRESS]
    response = client.post(apply_url, {"fingerprint": plan.fingerprint})  # applied already: gone
    assert response.status_code == 302 and CatalogItem.objects.filter(code="C03-88").count() == 1


def test_import_page_shows_row_errors(client, standard, group_admin):
    client.force_login(group_admin)
    upload = io.BytesIO(
        _workbook([HEADER, ["C03", "Z-1", "坏天数", "矿", "每月", "公开网", "公开责任人", "十"]])
    )
    upload.name = "bad.xlsx"
    preview = client.get(client.post(reverse("disclosures:catalog_import"), {"file": upload})["Location"])
    body = preview.content.decode()
    assert preview.context["plan"].errors[0].row == 2
    assert "期后天数" in body and "fingerprint" not in body
