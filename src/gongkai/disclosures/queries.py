"""Scoped reads of disclosures: every function takes the viewer and returns only what the viewer may see.

Who sees what:
- a published disclosure (current or withdrawn): the people of its audience unit's subtree — the audience is in
  the viewer's own unit or its ancestors (`Scope.published_to_me("audience")`) — and those who manage
  disclosures of its unit (officer, leading group, union, discipline, internal auditor, admin on the unit or an
  ancestor). The board lists only what is public now; a withdrawn disclosure stays readable with its history.
- a draft (never published, or a correction being prepared): the unit's disclosure officers and leading group
  (and admins), the person responsible for its schedule entry and its creator.

Who does what (checked by the actions; the pages use the same predicates to show buttons):
- drafting: a disclosure officer of the unit (a grant on the unit or an ancestor) or the person responsible for
  the schedule entry;
- reviewing, withdrawing: the leading group of the unit or an ancestor.
These two use the person's own grants, not the admin role: approving a disclosure is the leading group's
responsibility, and a system admin is not a member of it by virtue of running the system.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from gongkai.core.access import Scope, get_scope
from gongkai.core.choices import Role
from gongkai.core.text import search_key

from .choices import Status
from .models import Attachment, Disclosure, DisclosureVersion, Question, ReadMark, ScheduleEntry

# Roles that let a person read every published disclosure of a unit's subtree.
MANAGE_ROLES = (
    Role.DISCLOSURE_OFFICER,
    Role.LEADING_GROUP,
    Role.UNION,
    Role.DISCIPLINE,
    Role.INTERNAL_AUDITOR,
)
# Roles that let a person see drafts of a unit's subtree.
DRAFT_ROLES = (Role.DISCLOSURE_OFFICER, Role.LEADING_GROUP)
OPEN_STATUSES = (Status.DRAFT, Status.RETURNED, Status.IN_REVIEW)
BOARD_PAGE_SIZE = 50


# ----------------------------------------------------------------------------------------------- predicates


def holds(scope: Scope, role: str, unit_path: str) -> bool:
    """True if the person holds `role` itself (not through the admin role) on the unit or an ancestor."""
    return any(g.role == role and unit_path.startswith(g.path) for g in scope.grants)


def may_draft(viewer, unit, entry: ScheduleEntry | None = None) -> bool:
    """Officers of the unit draft its disclosures; so does the person responsible for a schedule entry."""
    if entry is not None and entry.responsible_id is not None and entry.responsible_id == viewer.pk:
        return True
    return holds(get_scope(viewer), Role.DISCLOSURE_OFFICER, unit.path)


def may_edit(viewer, disclosure: Disclosure) -> bool:
    return may_draft(viewer, disclosure.unit, disclosure.schedule_entry)


def may_review(viewer, disclosure: Disclosure) -> bool:
    return holds(get_scope(viewer), Role.LEADING_GROUP, disclosure.unit.path)


def may_answer(viewer, disclosure: Disclosure) -> bool:
    """The responsible person answers questions: an officer of the unit (or the leading group)."""
    return may_edit(viewer, disclosure) or may_review(viewer, disclosure)


def is_own_work(viewer, disclosure: Disclosure) -> bool:
    """Whether the viewer created or last changed the draft (and so may not approve it)."""
    return viewer.pk in (disclosure.created_by_id, disclosure.last_edited_by_id)


def sees_drafts(viewer, disclosure: Disclosure) -> bool:
    scope = get_scope(viewer)
    entry = disclosure.schedule_entry
    return (
        scope.has_any_role(DRAFT_ROLES, disclosure.unit.path)
        or disclosure.created_by_id == viewer.pk
        or (entry is not None and entry.responsible_id == viewer.pk)
    )


def is_manager(viewer, disclosure: Disclosure) -> bool:
    return get_scope(viewer).has_any_role(MANAGE_ROLES, disclosure.unit.path)


def _visible(viewer) -> Q:
    scope = get_scope(viewer)
    published = Q(current_version__isnull=False) & (
        scope.published_to_me("audience") | scope.within("unit", *MANAGE_ROLES)
    )
    drafts = (
        scope.within("unit", *DRAFT_ROLES)
        | Q(created_by_id=viewer.pk)
        | Q(schedule_entry__responsible=viewer)
    )
    return published | drafts


# -------------------------------------------------------------------------------------------------- reads


def disclosure_for(viewer, pk: int) -> Disclosure | None:
    """One disclosure, if the viewer may see it (published to them, managed by them, or their draft)."""
    return (
        Disclosure.objects.filter(_visible(viewer), pk=pk)
        .select_related(
            "unit",
            "audience",
            "category",
            "item",
            "current_version__approved_by",
            "schedule_entry",
            "created_by",
            "last_edited_by",
        )
        .first()
    )


def board(viewer, category=None, period=None, q: str = "") -> QuerySet[Disclosure]:
    """The viewer's board: what is public now for their unit and its ancestors, newest first, with `unread`.

    Search: `search_text` holds `core.text.search_key(title + body text)` (Simplified, NFKC, lower case), and the
    query is normalised the same way, so 述職 finds 职工代表述职测评 and vice versa. Every word of the query must
    occur (a substring match: Chinese has no spaces, a two-character word is simply a substring). A `LIKE
    '%…%'` cannot use an index, but it runs after the audience predicate: the rows it scans are those published
    to the viewer's own few audience units (their unit and its ancestors, served by the partial index
    `disc_board_idx`), not the whole table.
    """
    scope = get_scope(viewer)
    qs = Disclosure.objects.filter(scope.published_to_me("audience"), is_public=True)
    if category is not None:
        qs = qs.filter(category=category)
    if period:
        qs = qs.filter(period=period)
    for word in search_key(q).split()[:5]:
        qs = qs.filter(search_text__contains=word)
    read = ReadMark.objects.filter(
        person_id=viewer.pk,
        disclosure_id=OuterRef("pk"),
        version_number__gte=OuterRef("current_version__number"),
    )
    return (
        qs.select_related("unit", "category", "current_version")
        .only(
            "pk",
            "title",
            "period",
            "published_at",
            "updated_version_at",
            "unit__name",
            "category__name",
            "current_version__number",
        )
        .annotate(unread=~Exists(read))
        .order_by("-published_at", "-pk")
    )


def unread_count(viewer) -> int:
    """How many disclosures on the viewer's board they have not read (in their current version)."""
    read = ReadMark.objects.filter(
        person_id=viewer.pk,
        disclosure_id=OuterRef("pk"),
        version_number__gte=OuterRef("current_version__number"),
    )
    scope = get_scope(viewer)
    return (
        Disclosure.objects.filter(scope.published_to_me("audience"), is_public=True)
        .filter(~Exists(read))
        .count()
    )


def work_list(viewer) -> dict[str, QuerySet[Disclosure]]:
    """What waits for the viewer: drafts, returned drafts and those in review of the units they draft for; and
    what waits for their review (not their own work: they may not approve it)."""
    scope = get_scope(viewer)
    base = Disclosure.objects.select_related("unit", "category", "last_edited_by").order_by(
        "-updated_at", "-pk"
    )
    officer_paths = [g.path for g in scope.grants if g.role == Role.DISCLOSURE_OFFICER]
    reviewer_paths = [g.path for g in scope.grants if g.role == Role.LEADING_GROUP]
    mine = Q(schedule_entry__responsible=viewer)
    for path in officer_paths:
        mine |= Q(unit__path__startswith=path)
    review = Q(pk__in=[])
    for path in reviewer_paths:
        review |= Q(unit__path__startswith=path)
    return {
        "drafts": base.filter(mine, status__in=OPEN_STATUSES),
        "to_review": base.filter(review, status=Status.IN_REVIEW)
        .exclude(created_by_id=viewer.pk)
        .exclude(last_edited_by_id=viewer.pk),
    }


def versions(disclosure: Disclosure) -> QuerySet[DisclosureVersion]:
    """Every published version, oldest first (call only for a disclosure the viewer may see)."""
    return (
        DisclosureVersion.objects.filter(disclosure=disclosure)
        .select_related("approved_by", "published_by")
        .order_by("number")
    )


def version(disclosure: Disclosure, number: int) -> DisclosureVersion | None:
    return versions(disclosure).filter(number=number).first()


def draft_attachments(disclosure: Disclosure) -> QuerySet[Attachment]:
    return Attachment.objects.filter(disclosure=disclosure, removed=False).order_by("pk")


def attachment_for(viewer, disclosure: Disclosure, pk: int) -> Attachment | None:
    """An attachment the viewer may download: one named by a published version, or any of a draft they see."""
    attachment = Attachment.objects.filter(disclosure=disclosure, pk=pk).first()
    if attachment is None:
        return None
    if sees_drafts(viewer, disclosure):
        return attachment
    if disclosure.current_version_id is None:
        return None
    published = DisclosureVersion.objects.filter(disclosure=disclosure).values_list("attachments", flat=True)
    if any(item.get("id") == attachment.pk for files in published for item in files):
        return attachment
    return None


def questions_for(viewer, disclosure: Disclosure) -> QuerySet[Question]:
    """Questions a viewer sees on a disclosure: managers see all; readers see their own and those answered
    publicly (an answer marked private is seen only by the asker)."""
    qs = Question.objects.filter(disclosure=disclosure).select_related("asker", "answered_by")
    if is_manager(viewer, disclosure):
        return qs
    return qs.filter(Q(asker_id=viewer.pk) | Q(answered_at__isnull=False, answer_public=True))


def is_read(viewer, disclosure: Disclosure) -> bool:
    version = disclosure.current_version
    if version is None:
        return True
    return ReadMark.objects.filter(
        person_id=viewer.pk, disclosure=disclosure, version_number__gte=version.number
    ).exists()
