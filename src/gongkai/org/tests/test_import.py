"""The HR import: files, validation with row numbers, all-or-nothing, re-import, preview, fingerprint, pages."""

import csv
import io
import re

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import translation

from gongkai.core.models import AuditEntry
from gongkai.org import actions, importing
from gongkai.org.models import Person, Unit

CN_HEADERS = ["工号", "姓名", "单位路径", "岗位", "电话", "邮箱"]
EN_HEADERS = ["employee_no", "name", "unit_code", "posts", "phone", "email"]


@pytest.fixture(autouse=True)
def _english_and_private_media(settings, tmp_path, client):
    settings.MEDIA_ROOT = tmp_path / "media"
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with translation.override("en"):
        yield


def xlsx(rows, headers=CN_HEADERS) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def csv_bytes(rows, headers=EN_HEADERS, encoding="utf-8-sig") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def en_rows(*rows):
    """(employee_no, name, unit_code) → full English rows with a valid phone and email."""
    return [
        (no, name, unit, "采煤工", f"1380013{i:04d}", f"p{i}@example.cn")
        for i, (no, name, unit) in enumerate(rows)
    ]


def plan_people(data, actor, full=False, filename="hr-export"):
    return importing.build_people_plan(data, actor=actor, full=full, filename=filename)


def messages_of(plan):
    return [(e.row, e.column, e.message) for e in plan.errors]


# ------------------------------------------------------------------------------------------------ files


def test_xlsx_with_chinese_headers_and_unit_paths_imports_people(charlie):
    data = xlsx(
        [
            ("A101", "张伟", "集团公司/一矿/综采一区", "采煤机司机", "13800138000", "zw@example.cn"),
            ("A102", "王芳", "集团公司 / 一矿", "", "010-62345678", ""),
        ]
    )
    plan = plan_people(data, charlie)
    assert plan.ok, messages_of(plan)
    assert [e.key for e in plan.added] == ["A101", "A102"]
    actions.apply_people_import(actor=charlie, plan=plan, full=False)
    zhang = Person.objects.get(employee_no="A101")
    assert (zhang.name, zhang.unit.code, zhang.posts, zhang.phone) == (
        "张伟",
        "MA1",
        "采煤机司机",
        "13800138000",
    )
    assert Person.objects.get(employee_no="A102").phone == "010-62345678"


def test_imported_people_get_search_text_and_an_unusable_password(charlie):
    plan = plan_people(xlsx([("A101", "張偉", "集团公司/一矿", "", "", "")]), charlie)
    actions.apply_people_import(actor=charlie, plan=plan, full=False)
    zhang = Person.objects.get(employee_no="A101")
    assert zhang.search_text == "张伟 a101"  # Traditional found by Simplified
    assert not zhang.has_usable_password()


def test_csv_with_english_headers_imports_people(charlie):
    plan = plan_people(csv_bytes(en_rows(("A101", "张伟", "MA1"))), charlie, filename="people.csv")
    assert plan.ok, messages_of(plan)
    actions.apply_people_import(actor=charlie, plan=plan, full=False)
    assert Person.objects.get(employee_no="A101").email == "p0@example.cn"


def test_gb18030_csv_is_read(charlie):
    data = csv_bytes(
        [("A101", "张伟", "集团公司/一矿")], headers=["工号", "姓名", "单位路径"], encoding="gb18030"
    )
    plan = plan_people(data, charlie, filename="people.csv")
    assert plan.ok and plan.added[0].name == "张伟"


def test_traditional_and_decorated_headers_are_understood(charlie):
    data = csv_bytes([("A101", "张伟", "MA1")], headers=["工號*", "姓名（必填）", "單位編碼"])
    assert plan_people(data, charlie).ok


def test_missing_required_column_refuses_the_file(charlie):
    data = csv_bytes([("A101", "MA1")], headers=["工号", "单位编码"])
    with pytest.raises(importing.ImportFileError, match="姓名 / name"):
        plan_people(data, charlie)


def test_a_disguised_file_named_xlsx_is_refused(charlie):
    data = csv_bytes(en_rows(("A101", "张伟", "MA1")))
    with pytest.raises(importing.ImportFileError, match="named evil.xlsx but its content is not an Excel"):
        plan_people(data, charlie, filename="evil.xlsx")


def test_a_zip_that_is_not_a_workbook_is_refused(charlie):
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("hello.txt", "not a workbook")
    with pytest.raises(importing.ImportFileError, match="not a readable Excel workbook"):
        plan_people(out.getvalue(), charlie, filename="people.csv")


def test_the_format_is_decided_by_content_not_name(charlie):
    data = xlsx([("A101", "张伟", "集团公司/一矿", "", "", "")])
    assert plan_people(data, charlie, filename="people.csv").ok


# ------------------------------------------------------------------------------------------------ validation


def test_one_bad_row_among_many_writes_nothing_and_names_its_row(charlie):
    rows = [
        (f"A{i:03d}", f"职工{i}", "集团公司/一矿/综采一区", "", f"1390000{i:04d}", "")
        for i in range(100, 160)
    ]
    rows[35] = ("A135", "职工135", "集团公司/一矿/综采一区", "", "12345", "")  # spreadsheet row 37
    before = Person.objects.count()
    plan = plan_people(xlsx(rows), charlie)
    assert messages_of(plan) == [(37, "电话", "12345 is not a valid mobile or landline number.")]
    with pytest.raises(ValidationError):
        actions.apply_people_import(actor=charlie, plan=plan, full=False)
    assert Person.objects.count() == before


def test_unknown_unit_is_reported(charlie):
    plan = plan_people(csv_bytes(en_rows(("A101", "张伟", "MA1"), ("A102", "王芳", "NOPE"))), charlie)
    assert messages_of(plan) == [(3, "unit_code", "Unknown unit code NOPE.")]


def test_unknown_unit_path_is_reported(charlie):
    plan = plan_people(xlsx([("A101", "张伟", "集团公司/一矿/不存在", "", "", "")]), charlie)
    assert messages_of(plan) == [(2, "单位路径", "Unknown unit path 集团公司/一矿/不存在.")]


def test_duplicate_employee_number_in_the_file_is_reported(charlie):
    plan = plan_people(
        csv_bytes(en_rows(("A101", "张伟", "MA1"), ("A102", "王芳", "MA1"), ("A101", "李娜", "MA1"))), charlie
    )
    assert messages_of(plan) == [(4, "employee_no", "Employee number A101 already appears on row 2.")]


def test_missing_name_is_reported(charlie):
    plan = plan_people(csv_bytes(en_rows(("A101", "", "MA1"))), charlie)
    assert messages_of(plan) == [(2, "name", "The name is missing.")]


def test_bad_phone_is_reported(charlie):
    rows = en_rows(("A101", "张伟", "MA1"))
    rows[0] = (*rows[0][:4], "1380013800", rows[0][5])  # one digit short
    plan = plan_people(csv_bytes(rows), charlie)
    assert messages_of(plan) == [(2, "phone", "1380013800 is not a valid mobile or landline number.")]


def test_bad_email_is_reported(charlie):
    rows = en_rows(("A101", "张伟", "MA1"))
    rows[0] = (*rows[0][:5], "not-an-email")
    assert messages_of(plan_people(csv_bytes(rows), charlie)) == [
        (2, "email", "not-an-email is not a valid email address.")
    ]


def test_phone_numbers_are_normalized():
    from gongkai.org.validators import canonical_phone

    assert canonical_phone("+86 138 0013 8000") == "13800138000"
    assert canonical_phone("0371-6666 8888") == "0371-66668888"
    assert canonical_phone("010 6234 5678 转 801") == "010-62345678-801"
    with pytest.raises(ValueError):
        canonical_phone("12345")


def test_a_unit_outside_the_actors_scope_is_refused(charlie, bob):
    plan = plan_people(csv_bytes(en_rows(("A101", "张伟", "MB1"))), charlie)
    assert messages_of(plan) == [
        (2, "unit_code", "Unit 掘进一区（MB1） is outside the units you administer.")
    ]
    with pytest.raises(ValidationError):
        actions.apply_people_import(actor=charlie, plan=plan, full=False)
    assert not Person.objects.filter(employee_no="A101").exists()


def test_a_person_of_another_scope_cannot_be_pulled_in(charlie, bob):
    plan = plan_people(csv_bytes(en_rows(("B001", "鲍勃", "MA1"))), charlie)
    assert messages_of(plan) == [
        (
            2,
            "employee_no",
            "Employee number B001 belongs to 掘进一区（MB1）, outside the units you administer.",
        )
    ]


def test_someone_without_the_admin_role_cannot_plan_an_import(alice):
    with pytest.raises(importing.ImportFileError, match="administrators"):
        plan_people(csv_bytes(en_rows(("A101", "张伟", "MA1"))), alice)


# ------------------------------------------------------------------------------------------------ re-import


def test_reimport_updates_by_employee_number(charlie, alice):
    plan = plan_people(csv_bytes(en_rows(("A001", "艾丽丝·王", "MA"))), charlie)
    assert [e.key for e in plan.changed] == ["A001"]
    assert ("name", "艾丽丝", "艾丽丝·王") in plan.changed[0].changes
    assert ("unit", "综采一区（MA1）", "一矿（MA）") in plan.changed[0].changes
    actions.apply_people_import(actor=charlie, plan=plan, full=False)
    alice_now = Person.objects.get(pk=alice.pk)
    assert (alice_now.name, alice_now.unit.code, alice_now.search_text) == (
        "艾丽丝·王",
        "MA",
        "艾丽丝·王 a001",
    )
    assert alice_now.check_password("correct-horse-battery")  # the password is kept


def test_reimport_of_the_same_data_changes_nothing(charlie, alice):
    data = csv_bytes([("A001", "艾丽丝", "MA1")], headers=["工号", "姓名", "单位编码"])
    plan = plan_people(data, charlie)
    assert (plan.added, plan.changed, plan.unchanged) == ([], [], ["A001"])


def test_full_import_deactivates_missing_people_only_in_the_actors_units(charlie, alice, bob, root):
    other = Person.objects.create_user("A002", "马丁", unit=Unit.objects.get(code="MA1"))
    plan = plan_people(csv_bytes(en_rows(("A001", "艾丽丝", "MA1"))), charlie, full=True)
    assert [e.key for e in plan.deactivated] == ["A002"]  # not bob (MB1), root (G), nor charlie himself
    actions.apply_people_import(actor=charlie, plan=plan, full=True)
    other.refresh_from_db()
    assert other.is_active is False  # deactivated, never deleted
    assert Person.objects.get(pk=bob.pk).is_active and Person.objects.get(pk=charlie.pk).is_active


def test_a_plain_import_deactivates_nobody(charlie, alice):
    Person.objects.create_user("A002", "马丁", unit=Unit.objects.get(code="MA1"))
    plan = plan_people(csv_bytes(en_rows(("A001", "艾丽丝", "MA1"))), charlie, full=False)
    assert plan.deactivated == []


def test_reimport_reactivates_a_deactivated_person(charlie, alice):
    Person.objects.filter(pk=alice.pk).update(is_active=False)
    plan = plan_people(csv_bytes([("A001", "艾丽丝", "MA1")], headers=["工号", "姓名", "单位编码"]), charlie)
    assert plan.changed[0].changes == [("is_active", "no", "yes")]


def test_a_stale_plan_is_refused_by_the_action(charlie, alice):
    plan = plan_people(csv_bytes(en_rows(("A001", "艾丽丝·王", "MA1"))), charlie)
    actions.update_person(actor=charlie, person=alice, name="艾丽丝·李")
    with pytest.raises(ValidationError, match="changed since the preview"):
        actions.apply_people_import(actor=charlie, plan=plan, full=False)
    assert Person.objects.get(pk=alice.pk).name == "艾丽丝·李"


def test_the_import_writes_one_ledger_entry(charlie, alice):
    Person.objects.create_user("A002", "马丁", unit=Unit.objects.get(code="MA1"))
    plan = plan_people(
        csv_bytes(en_rows(("A001", "艾丽丝·王", "MA1"), ("A101", "张伟", "MA1"))), charlie, full=True
    )
    before = AuditEntry.objects.count()
    actions.apply_people_import(actor=charlie, plan=plan, full=True)
    assert AuditEntry.objects.count() == before + 1
    entry = AuditEntry.objects.order_by("-seq").first()
    assert entry.action == "org.import_people" and entry.actor_id == charlie.pk
    assert entry.change["counts"] == {"added": 1, "changed": 1, "unchanged": 0, "deactivated": 1}
    assert (entry.change["added"], entry.change["changed"], entry.change["deactivated"]) == (
        ["A101"],
        ["A001"],
        ["A002"],
    )


# ------------------------------------------------------------------------------------------------ units


UNIT_HEADERS = ["编码", "名称", "类型", "上级编码"]


def parent_of(unit: Unit) -> Unit:
    return Unit.objects.get(path=unit.path[: -Unit.steplen])


def test_units_import_by_parent_code(charlie):
    data = xlsx([("MA2", "综采二区", "区队", "MA"), ("MA21", "一班", "班组", "MA2")], headers=UNIT_HEADERS)
    plan = importing.build_units_plan(data, actor=charlie)
    assert plan.ok, messages_of(plan)
    actions.apply_units_import(actor=charlie, plan=plan)
    team = Unit.objects.get(code="MA21")
    assert (team.kind, parent_of(team).code, parent_of(parent_of(team)).code) == ("team", "MA2", "MA")


def test_units_import_by_path_children_first_in_the_file(charlie):
    data = csv_bytes(
        [
            ("MA21", "", "班组", "集团公司/一矿/综采二区/一班"),
            ("MA2", "", "section", "集团公司/一矿/综采二区"),
        ],
        headers=["code", "name", "kind", "path"],
    )
    plan = importing.build_units_plan(data, actor=charlie)
    assert plan.ok, messages_of(plan)
    assert [e.key for e in plan.added] == ["MA2", "MA21"]  # parents first
    actions.apply_units_import(actor=charlie, plan=plan)
    assert parent_of(Unit.objects.get(code="MA21")).name == "综采二区"


def test_units_import_updates_name_and_kind_by_code(charlie):
    plan = importing.build_units_plan(
        csv_bytes([("MA1", "综采一队", "车间")], headers=["code", "name", "kind"]), actor=charlie
    )
    assert plan.changed[0].changes == [("name", "综采一区", "综采一队"), ("kind", "Section", "Workshop")]
    actions.apply_units_import(actor=charlie, plan=plan)
    assert Unit.objects.get(code="MA1").kind == "workshop"


def test_units_import_refuses_a_parent_outside_the_scope(charlie):
    plan = importing.build_units_plan(
        xlsx([("MB2", "掘进二区", "区队", "MB")], headers=UNIT_HEADERS), actor=charlie
    )
    assert messages_of(plan) == [(2, "上级编码", "Unit 二矿（MB） is outside the units you administer.")]


def test_units_import_reports_unknown_kind_and_parent(charlie):
    plan = importing.build_units_plan(
        xlsx([("MA2", "综采二区", "火星基地", "MA"), ("MA3", "三区", "区队", "NOPE")], headers=UNIT_HEADERS),
        actor=charlie,
    )
    assert messages_of(plan) == [
        (2, "类型", "Unknown unit kind 火星基地."),
        (3, "上级编码", "Unknown parent unit code NOPE."),
    ]


def test_units_import_writes_one_ledger_entry(charlie):
    plan = importing.build_units_plan(
        xlsx([("MA2", "综采二区", "区队", "MA")], headers=UNIT_HEADERS), actor=charlie
    )
    actions.apply_units_import(actor=charlie, plan=plan)
    entry = AuditEntry.objects.order_by("-seq").first()
    assert (entry.action, entry.change["added"]) == ("org.import_units", ["MA2"])


# ------------------------------------------------------------------------------------------------ pages


def upload(client, data, *, name="people.xlsx", kind="people", full=False):
    payload = {"kind": kind, "file": SimpleUploadedFile(name, data)}
    if full:
        payload["full"] = "on"
    return client.post(reverse("org:import"), payload)


def fingerprint_of(response) -> str:
    return re.search(r'name="fingerprint" value="([0-9a-f]{64})"', response.content.decode()).group(1)


def test_import_pages_need_the_admin_role(client, alice):
    client.force_login(alice)
    assert client.get(reverse("org:import")).status_code == 403


def test_preview_shows_added_changed_and_deactivated(client, charlie, alice):
    Person.objects.create_user("A002", "马丁", unit=Unit.objects.get(code="MA1"))
    client.force_login(charlie)
    response = upload(
        client,
        csv_bytes(en_rows(("A001", "艾丽丝·王", "MA1"), ("A101", "张伟", "MA1"))),
        name="people.csv",
        full=True,
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert 'class="badge added">added' in page and "张伟" in page
    assert 'class="badge changed">changed' in page and "艾丽丝 → 艾丽丝·王" in page
    assert 'class="badge deactivated">deactivated' in page and "马丁" in page
    assert Person.objects.get(employee_no="A002").is_active  # a preview writes nothing
    assert not Person.objects.filter(employee_no="A101").exists()


def test_preview_lists_errors_with_row_numbers(client, charlie):
    client.force_login(charlie)
    response = upload(client, csv_bytes(en_rows(("A101", "", "MA1"))), name="people.csv")
    page = client.get(response["Location"]).content.decode()
    assert 'role="alert"' in page
    assert '<th scope="row">2</th><td>name</td><td>The name is missing.</td>' in page
    assert 'name="fingerprint"' not in page


def test_apply_from_the_page_imports_and_redirects(client, charlie):
    client.force_login(charlie)
    preview = client.get(
        upload(client, csv_bytes(en_rows(("A101", "张伟", "MA1"))), name="p.csv")["Location"]
    )
    token = preview.wsgi_request.resolver_match.kwargs["token"]
    response = client.post(
        reverse("org:import_apply", args=[token]), {"fingerprint": fingerprint_of(preview)}, follow=True
    )
    assert "Import done: 1 added" in response.content.decode()
    assert Person.objects.filter(employee_no="A101").exists()


def test_a_stale_preview_is_refused(client, charlie, alice):
    client.force_login(charlie)
    preview = client.get(
        upload(client, csv_bytes(en_rows(("A001", "艾丽丝·王", "MA1"))), name="p.csv")["Location"]
    )
    token = preview.wsgi_request.resolver_match.kwargs["token"]
    actions.update_person(actor=charlie, person=alice, name="艾丽丝·李")  # someone edits meanwhile
    response = client.post(
        reverse("org:import_apply", args=[token]), {"fingerprint": fingerprint_of(preview)}, follow=True
    )
    assert "The data changed since the preview; please check the new preview." in response.content.decode()
    assert "艾丽丝·李 → 艾丽丝·王" in response.content.decode()  # the new preview
    assert Person.objects.get(pk=alice.pk).name == "艾丽丝·李"


def test_a_second_apply_of_the_same_preview_is_refused(client, charlie):
    client.force_login(charlie)
    preview = client.get(
        upload(client, csv_bytes(en_rows(("A101", "张伟", "MA1"))), name="p.csv")["Location"]
    )
    token = preview.wsgi_request.resolver_match.kwargs["token"]
    url, form = reverse("org:import_apply", args=[token]), {"fingerprint": fingerprint_of(preview)}
    client.post(url, form)
    count = Person.objects.count()
    response = client.post(url, form, follow=True)
    assert "This import is no longer available" in response.content.decode()
    assert Person.objects.count() == count
    assert AuditEntry.objects.filter(action="org.import_people").count() == 1


def test_an_oversized_upload_is_refused(client, charlie, settings):
    settings.GONGKAI_MAX_UPLOAD_MB = 1
    client.force_login(charlie)
    rows = en_rows(*[(f"A{i:05d}", "张伟" * 20, "MA1") for i in range(12000)])
    data = csv_bytes(rows)
    assert len(data) > 1024 * 1024
    count = Person.objects.count()
    response = upload(client, data, name="big.csv")
    assert response.status_code == 413
    assert "The file is larger than 1 MB; nothing was imported." in response.content.decode()
    assert Person.objects.count() == count
    assert not list((settings.MEDIA_ROOT / "imports").glob("*"))


def test_a_disguised_upload_is_refused_clearly(client, charlie, settings):
    client.force_login(charlie)
    response = upload(client, b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" * 50, name="people.xlsx")
    assert response.status_code == 200
    assert (
        "The file is named people.xlsx but its content is not an Excel workbook." in response.content.decode()
    )
    assert 'role="alert"' in response.content.decode()
    assert not list((settings.MEDIA_ROOT / "imports").glob("*.bin"))


def test_a_script_in_a_name_is_text(client, charlie):
    client.force_login(charlie)
    script = "<script>alert(1)</script>"
    preview = client.get(
        upload(client, csv_bytes(en_rows(("A101", script, "MA1"))), name="p.csv")["Location"]
    )
    page = preview.content.decode()
    assert script not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    token = preview.wsgi_request.resolver_match.kwargs["token"]
    client.post(reverse("org:import_apply", args=[token]), {"fingerprint": fingerprint_of(preview)})
    assert Person.objects.get(employee_no="A101").name == script


def test_units_import_from_the_page(client, charlie):
    client.force_login(charlie)
    data = xlsx([("MA2", "综采二区", "区队", "MA")], headers=UNIT_HEADERS)
    preview = client.get(upload(client, data, name="units.xlsx", kind="units")["Location"])
    token = preview.wsgi_request.resolver_match.kwargs["token"]
    client.post(reverse("org:import_apply", args=[token]), {"fingerprint": fingerprint_of(preview)})
    assert parent_of(Unit.objects.get(code="MA2")).code == "MA"


# ------------------------------------------------------------------------------------------------ commands


def test_the_command_prints_row_numbered_errors_and_writes_nothing(tmp_path, charlie, capsys):
    path = tmp_path / "people.xlsx"
    path.write_bytes(
        xlsx(
            [
                ("A101", "张伟", "集团公司/一矿", "", "", ""),
                ("A102", "", "集团公司/一矿", "", "", ""),
                ("A103", "李娜", "集团公司/火星", "", "", ""),
            ]
        )
    )
    count = Person.objects.count()
    with pytest.raises(CommandError, match="2 error"):
        call_command("import_people", str(path), "--as", "A900")
    err = capsys.readouterr().err
    assert "Row 3, column 姓名: The name is missing." in err
    assert "Row 4, column 单位路径: Unknown unit path 集团公司/火星." in err
    assert Person.objects.count() == count


def test_the_command_imports_and_prints_counts(tmp_path, charlie, capsys):
    path = tmp_path / "people.csv"
    path.write_bytes(csv_bytes(en_rows(("A101", "张伟", "MA1"), ("A102", "王芳", "MA1"))))
    call_command("import_people", str(path), "--as", "A900")
    assert "added 2, changed 0, unchanged 0, deactivated 0" in capsys.readouterr().out
    assert Person.objects.filter(employee_no__in=["A101", "A102"]).count() == 2


def test_the_command_dry_run_writes_nothing(tmp_path, charlie, capsys):
    path = tmp_path / "people.csv"
    path.write_bytes(csv_bytes(en_rows(("A101", "张伟", "MA1"))))
    call_command("import_people", str(path), "--as", "A900", "--dry-run")
    assert "would have added 1" in capsys.readouterr().out
    assert not Person.objects.filter(employee_no="A101").exists()


def test_the_command_acts_as_the_first_superuser_by_default(tmp_path, root, capsys):
    path = tmp_path / "units.csv"
    path.write_bytes(
        csv_bytes([("MB2", "掘进二区", "区队", "MB")], headers=["code", "name", "kind", "parent_code"])
    )
    call_command("import_units", str(path))
    assert "as root" in capsys.readouterr().out
    assert AuditEntry.objects.filter(action="org.import_units", actor_id=root.pk).count() == 1
