"""The physical boards register (公开栏): photos checked from their content, permissions, "updated today", the
"not updated" highlight, and a list page of fixed cost."""

import datetime as dt
import struct
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from gongkai.core.access import AccessDenied
from gongkai.core.models import AuditEntry
from gongkai.disclosures import board_actions, board_queries
from gongkai.disclosures.choices import BoardLevel
from gongkai.disclosures.models import Board

pytestmark = pytest.mark.usefixtures("english")  # these tests match English messages


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
        + chunk(b"IEND", b"")
    )


JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64 + b"\xff\xd9"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
GIF = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _add(actor, unit, number="MA-K-01", **extra):
    fields = {"location": "矿办公楼前", "level": BoardLevel.COMPANY}
    fields.update(extra)
    return board_actions.add_board(actor=actor, unit=unit, number=number, **fields)


def test_officer_registers_a_board_with_a_png_photo(client, tree, olga, leo, bob):
    board = _add(olga, tree["MA"], photo=SimpleUploadedFile("board.png", _png()))
    assert board.photo.name.startswith("boards/") and board.photo.name.endswith(".png")
    assert AuditEntry.objects.filter(action="disclosures.add_board", object_id=str(board.pk)).exists()
    client.force_login(leo)
    response = client.get(reverse("disclosures:board_photo", args=[board.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == _png()
    client.force_login(bob)
    assert client.get(reverse("disclosures:board_photo", args=[board.pk])).status_code == 404


def test_the_stored_type_comes_from_the_content_not_the_name(tree, olga):
    board = _add(olga, tree["MA"], photo=SimpleUploadedFile("board.png", JPEG))
    assert board.photo.name.endswith(".jpg")


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("board.jpg", PDF),  # a PDF named .jpg
        ("board.png", b"<html><script>alert(1)</script></html>"),  # a web page named .png
        ("board.png", GIF),  # a real image, but not JPEG or PNG
        ("board.jpg", b"\xff\xd8\xff\xe0" + b"MZ" * 100),  # a JPEG header glued onto something else
        ("board.png", b""),
    ],
)
def test_a_disguised_or_wrong_photo_is_refused_and_nothing_is_written(tree, olga, name, content, settings):
    with pytest.raises(ValidationError, match="not a JPEG or PNG"):
        _add(olga, tree["MA"], photo=SimpleUploadedFile(name, content))
    assert not Board.objects.exists()
    assert not (settings.MEDIA_ROOT / "boards").exists()


def test_an_oversized_photo_is_refused(tree, olga):
    big = _png() + b"\x00" * (board_actions.PHOTO_MAX_MB * 1024 * 1024)
    with pytest.raises(ValidationError, match="larger than"):
        _add(olga, tree["MA"], photo=SimpleUploadedFile("board.png", big))
    assert not Board.objects.exists()


def test_the_form_shows_the_photo_error(client, tree, olga):
    client.force_login(olga)
    response = client.post(
        reverse("disclosures:board_new") + f"?unit={tree['MA'].pk}",
        {
            "unit": tree["MA"].pk,
            "number": "MA-K-09",
            "location": "井口",
            "level": BoardLevel.COMPANY,
            "active": "on",
            "photo": SimpleUploadedFile("board.jpg", PDF),
        },
    )
    assert response.status_code == 400
    assert "not a JPEG or PNG" in response.content.decode()
    assert not Board.objects.exists()


def test_duplicate_number_and_future_date_are_refused(tree, olga):
    _add(olga, tree["MA"])
    with pytest.raises(ValidationError, match="already registered"):
        _add(olga, tree["MA1"], level=BoardLevel.SECTION)
    with pytest.raises(ValidationError, match="future"):
        _add(olga, tree["MA"], number="MA-K-02", last_updated=timezone.localdate() + dt.timedelta(days=1))
    assert Board.objects.count() == 1


def test_who_may_add_edit_and_see(client, tree, olga, leo, alice, bob, charlie, diana):
    with pytest.raises(AccessDenied):
        _add(alice, tree["MA"])
    with pytest.raises(AccessDenied):  # the leading group sees the register but does not keep it
        _add(leo, tree["MA"])
    with pytest.raises(AccessDenied):
        _add(olga, tree["MB"], number="MB-K-01")
    board = _add(charlie, tree["MA"])  # the unit's admin may
    with pytest.raises(AccessDenied):
        board_actions.update_board(
            actor=leo, board=board, number=board.number, location="改", level=board.level, active=True
        )
    assert list(board_queries.boards(leo)) == [board]
    assert list(board_queries.boards(diana)) == [board]  # the union of the group
    assert not board_queries.boards(bob).exists()
    client.force_login(alice)
    assert client.get(reverse("disclosures:boards")).status_code == 404
    client.force_login(bob)
    assert client.get(reverse("disclosures:board_edit", args=[board.pk])).status_code == 404
    assert client.get(reverse("disclosures:boards") + f"?unit={tree['MA'].pk}").status_code == 404
    client.force_login(leo)
    assert client.get(reverse("disclosures:board_edit", args=[board.pk])).status_code == 404
    assert client.post(reverse("disclosures:board_updated", args=[board.pk])).status_code == 404


def test_edit_page_changes_the_board(client, tree, olga):
    board = _add(olga, tree["MA"])
    client.force_login(olga)
    url = reverse("disclosures:board_edit", args=[board.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "number": board.number,
            "location": "新办公楼东侧",
            "level": BoardLevel.DEPARTMENT,
            "photo": SimpleUploadedFile("x.png", _png()),
        },
    )
    assert response.status_code == 302
    board.refresh_from_db()
    assert (board.location, board.level, board.active) == ("新办公楼东侧", BoardLevel.DEPARTMENT, False)
    assert board.photo.name.endswith(".png")


def test_mark_updated_today(client, tree, olga):
    board = _add(olga, tree["MA"], last_updated=timezone.localdate() - dt.timedelta(days=40))
    client.force_login(olga)
    assert client.post(reverse("disclosures:board_updated", args=[board.pk])).status_code == 302
    board.refresh_from_db()
    assert board.last_updated == timezone.localdate()
    assert AuditEntry.objects.filter(action="disclosures.mark_board_updated").count() == 1


def test_boards_not_updated_lately_are_counted_and_highlighted(client, tree, olga, leo):
    today = timezone.localdate()
    _add(olga, tree["MA"], number="MA-K-01", last_updated=today - dt.timedelta(days=40))
    _add(olga, tree["MA"], number="MA-K-02", last_updated=today - dt.timedelta(days=3))
    _add(olga, tree["MA1"], number="MA1-S-01", level=BoardLevel.SECTION)  # never updated
    _add(olga, tree["MA1"], number="MA1-S-02", level=BoardLevel.SECTION, active=False)
    counts = board_queries.level_counts(leo)
    assert counts["total"] == 3 and counts["stale"] == 2 and counts["inactive"] == 1
    assert (counts[BoardLevel.COMPANY], counts[BoardLevel.SECTION]) == (2, 1)
    children = board_queries.child_counts(tree["MA"])
    assert [(c["unit"].code, c["own"], c["company"], c["section"], c["stale"]) for c in children] == [
        ("MA", True, 2, 0, 1),
        ("MA1", False, 0, 1, 1),
    ]
    assert board_queries.level_counts(leo, days=60)["stale"] == 1
    client.force_login(leo)
    body = client.get(reverse("disclosures:boards") + f"?unit={tree['MA'].pk}&stale=1").content.decode()
    assert body.count('<tr class="stale">') == 2
    assert "MA-K-02" not in body


def _make_boards(unit, n, start):
    today = timezone.localdate()
    Board.objects.bulk_create(
        [
            Board(
                unit=unit,
                number=f"Q-{start + i:04d}",
                location=f"位置{i}",
                level=[BoardLevel.COMPANY, BoardLevel.SECTION][i % 2],
                last_updated=today - dt.timedelta(days=i),
            )
            for i in range(n)
        ]
    )


def test_list_page_costs_a_fixed_number_of_queries(client, tree, olga):
    client.force_login(olga)
    url = reverse("disclosures:boards") + f"?unit={tree['MA'].pk}"
    _make_boards(tree["MA1"], 3, 0)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    _make_boards(tree["MA"], 40, 100)
    _make_boards(tree["MA1"], 40, 200)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


def test_script_in_a_location_is_shown_as_text(client, tree, olga):
    _add(olga, tree["MA"], location="<script>alert(1)</script>")
    client.force_login(olga)
    body = client.get(reverse("disclosures:boards") + f"?unit={tree['MA'].pk}").content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;" in body
