"""The management side of a suggestion up to its first answer: screening (accepted for expert review with a panel,
or not accepted with a reason), the panel members' reviews, the conclusion (adopt / shelve / reject), marking a
suggestion as the same idea as an earlier one, and taking a shelved suggestion up again.

Every function is one transaction with a keyword-only `actor`; it locks the suggestion row and checks its status
(a double submission cannot apply twice), refuses a form opened on an older revision (`expected_revision`), bumps
the revision, writes one audit-ledger entry and a `SuggestionEvent` (public when the authors must see it).

Who: the union and the leading group of the suggestion's unit or an ancestor (`access.MANAGE_ROLES`) screen,
conclude, mark duplicates and reopen, unless they are among its authors (`access.refuse_own`); the members of the chosen panel review, once each, never a suggestion they
wrote or co-wrote. The first answer — not accepted, or the panel's conclusion — sets `answered_at`.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongkai.core import ledger, notify
from gongkai.core.text import has_markup
from gongkai.org.models import Person

from .access import author_ids, is_author, is_manager, is_panel_member, refuse_own, require_manager
from .choices import AWAITING_ANSWER, Consent, Decision, EventKind, Status
from .common import add_event, detail_url, lock, save
from .models import Coauthor, Review, ReviewPanel, Suggestion, SuggestionEvent

TEXT_MAX = 5000
SCORE_MIN, SCORE_MAX = 0, 10

DECISION_STATUS = {
    Decision.ADOPT: Status.ADOPTED,
    Decision.SHELVE: Status.SHELVED,
    Decision.REJECT: Status.REJECTED,
}
DECISION_EVENT = {
    Decision.ADOPT: EventKind.ADOPTED,
    Decision.SHELVE: EventKind.SHELVED,
    Decision.REJECT: EventKind.REJECTED,
}


# ------------------------------------------------------------------------------------------------ helpers


def wrong_status(suggestion: Suggestion) -> ValidationError:
    return ValidationError(
        _("This is not possible while the suggestion is “%(status)s”.")
        % {"status": suggestion.get_status_display()},
        code="status",
    )


def plain_text(text: str | None, *, message: str, required: bool = True, maximum: int = TEXT_MAX) -> str:
    """A plain-text field: stripped, required when asked, no longer than `maximum`, and without markup."""
    text = (text or "").strip()
    if required and not text:
        raise ValidationError(message, code="required")
    if len(text) > maximum:
        raise ValidationError(
            _("The text is longer than %(n)s characters.") % {"n": maximum}, code="too_long"
        )
    if has_markup(text):
        raise ValidationError(
            _("Write plain text: HTML tags and scripts are not accepted here."),
            code="markup",
        )
    return text


def authors(suggestion: Suggestion) -> list[Person]:
    """The lead author and the confirmed co-authors (who are told of every public step)."""
    ids = set(
        Coauthor.objects.filter(suggestion=suggestion, consent=Consent.CONFIRMED).values_list(
            "person_id", flat=True
        )
    )
    ids.add(suggestion.author_id)
    return list(Person.objects.filter(pk__in=ids, is_active=True).order_by("pk"))


def notify_people(
    people: Iterable[Person], kind: str, title: str, url: str, key: str, body: str = ""
) -> None:
    for person in people:
        notify.notify(person, kind, title, url=url, body=body, key=key)


def notify_authors(suggestion: Suggestion, kind: str, title: str, key: str, body: str = "") -> None:
    url = detail_url(suggestion)
    notify_people(authors(suggestion), kind, title, url, key, body)


def reviews_needed(suggestion: Suggestion) -> tuple[int, int, int]:
    """(reviews given, panel members who may review — the authors excluded —, reviews needed before the
    conclusion: at least half of them, at least one)."""
    size = 0
    if suggestion.panel_id is not None:
        size = suggestion.panel.members.exclude(pk__in=author_ids(suggestion)).count()  # type: ignore[union-attr]
    given = suggestion.reviews.count()
    return given, size, max(1, (size + 1) // 2)


# ----------------------------------------------------------------------------------------------- screening


@transaction.atomic
def screen(
    *,
    actor: Person,
    suggestion: Suggestion,
    accept: bool,
    reason: str = "",
    panel: ReviewPanel | None = None,
    expected_revision: int,
) -> Suggestion:
    """Screening (初审): accept for expert review by a panel of the unit or an ancestor, or refuse with a reason
    the authors read."""
    s = lock(suggestion, expected_revision)
    require_manager(actor, s)
    if s.status != Status.SUBMITTED:
        raise wrong_status(s)
    refuse_own(actor, s)
    now = timezone.now()
    if accept:
        if panel is None:
            raise ValidationError(_("Choose the expert panel that will review the suggestion."), code="panel")
        panel = ReviewPanel.objects.select_related("unit").get(pk=panel.pk)
        if not s.unit.path.startswith(panel.unit.path):
            raise ValidationError(
                _("The panel must belong to the suggestion's unit or a unit above it."), code="panel"
            )
        if not panel.members.filter(is_active=True).exclude(pk__in=author_ids(s)).exists():
            raise ValidationError(
                _("The panel “%(panel)s” has no member who may review this suggestion; add members first.")
                % {"panel": panel.name},
                code="panel",
            )
        s.status = Status.IN_REVIEW
        s.panel = panel
        save(s, "status", "panel")
        add_event(s, EventKind.ACCEPTED, actor, _("Expert panel: %(panel)s") % {"panel": panel.name})
        ledger.record(
            "suggestions.accept",
            s,
            actor=actor,
            change={"status": s.status, "panel": panel.pk, "revision": s.revision},
        )
        notify_authors(
            s,
            "suggestions.accepted",
            _("Your suggestion is accepted for expert review: %(title)s") % {"title": s.title},
            key=f"suggestions.accepted.{s.pk}",
        )
        url = reverse("suggestions:review", args=[s.pk])
        notify_people(
            panel.members.filter(is_active=True).exclude(pk__in=author_ids(s)),
            "suggestions.to_review",
            _("A suggestion to review: %(title)s") % {"title": s.title},
            url,
            key=f"suggestions.to_review.{s.pk}.{panel.pk}",
        )
        return s
    reason = plain_text(reason, message=_("Give the reason for not accepting; the authors will read it."))
    s.status = Status.NOT_ACCEPTED
    s.decision_reason = reason
    s.decided_by = actor
    s.answered_at = s.answered_at or now
    save(s, "status", "decision_reason", "decided_by", "answered_at")
    add_event(s, EventKind.NOT_ACCEPTED, actor, reason)
    ledger.record(
        "suggestions.not_accept",
        s,
        actor=actor,
        change={"status": s.status, "reason": reason, "revision": s.revision},
    )
    notify_authors(
        s,
        "suggestions.not_accepted",
        _("Your suggestion was not accepted: %(title)s") % {"title": s.title},
        key=f"suggestions.not_accepted.{s.pk}",
        body=reason,
    )
    return s


# -------------------------------------------------------------------------------------------------- review


def _score(value, label: str) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = -1
    if str(value).strip() != str(number) or not SCORE_MIN <= number <= SCORE_MAX:
        raise ValidationError(
            _("%(criterion)s: give a whole number from 0 to 10.") % {"criterion": label}, code="score"
        )
    return number


@transaction.atomic
def review(
    *,
    actor: Person,
    suggestion: Suggestion,
    feasibility: int,
    benefit: int,
    innovation: int,
    recommendation: str,
    opinion: str = "",
) -> Review:
    """A panel member's scores (0–10 for feasibility, benefit, innovation), recommendation and opinion; once."""
    s = lock(suggestion)
    if s.status != Status.IN_REVIEW:
        raise wrong_status(s)
    if not is_panel_member(actor, s):
        raise ValidationError(
            _("Only the members of the expert panel chosen for this suggestion review it."),
            code="not_on_panel",
        )
    if is_author(actor, s):
        raise ValidationError(
            _("You are an author of this suggestion: you cannot review it."), code="own_suggestion"
        )
    if Review.objects.filter(suggestion=s, reviewer=actor).exists():
        raise ValidationError(_("You have already reviewed this suggestion."), code="already_reviewed")
    scores = {
        "feasibility": _score(feasibility, _("Feasibility")),
        "benefit": _score(benefit, _("Benefit")),
        "innovation": _score(innovation, _("Innovation")),
    }
    if recommendation not in Decision.values:
        raise ValidationError(_("Choose a recommendation: adopt, shelve or reject."), code="recommendation")
    opinion = plain_text(opinion, message="", required=False)
    try:
        with transaction.atomic():
            given = Review.objects.create(
                suggestion=s, reviewer=actor, recommendation=recommendation, opinion=opinion, **scores
            )
    except IntegrityError:  # a concurrent second submission by the same reviewer
        raise ValidationError(
            _("You have already reviewed this suggestion."), code="already_reviewed"
        ) from None
    save(s)
    add_event(s, EventKind.REVIEWED, actor, public=False)
    ledger.record(
        "suggestions.review",
        s,
        actor=actor,
        change={**scores, "recommendation": recommendation, "opinion": opinion, "review": given.pk},
    )
    _tell_screener_when_ready(s)
    return given


def _tell_screener_when_ready(s: Suggestion) -> None:
    """When the review that completes the quorum arrives, the manager who accepted the suggestion is told that the
    conclusion can be recorded (once)."""
    count, _size, needed = reviews_needed(s)
    if count != needed:
        return
    accepted = (
        SuggestionEvent.objects.filter(suggestion=s, kind=EventKind.ACCEPTED, actor__is_active=True)
        .select_related("actor")
        .order_by("-at", "-pk")
        .first()
    )
    if accepted is None or accepted.actor is None:
        return
    notify.notify(
        accepted.actor,
        "suggestions.ready",
        _("Enough reviews to conclude: %(title)s") % {"title": s.title},
        url=reverse("suggestions:manage", args=[s.pk]),
        key=f"suggestions.ready.{s.pk}.{s.panel_id}",
    )


# ---------------------------------------------------------------------------------------------- conclusion


def _reason_for(decision: str, reason: str) -> str:
    return plain_text(
        reason,
        message=_("Give the reason for shelving or rejecting; the authors will read it."),
        required=decision in (Decision.SHELVE, Decision.REJECT),
    )


@transaction.atomic
def conclude(
    *, actor: Person, suggestion: Suggestion, decision: str, reason: str, expected_revision: int
) -> Suggestion:
    """The panel's conclusion, recorded by a manager once at least half of the panel has reviewed."""
    s = lock(suggestion, expected_revision)
    require_manager(actor, s)
    if s.status != Status.IN_REVIEW:
        raise wrong_status(s)
    refuse_own(actor, s)
    if decision not in Decision.values:
        raise ValidationError(_("Choose the conclusion: adopt, shelve or reject."), code="decision")
    given, size, needed = reviews_needed(s)
    if given < needed:
        raise ValidationError(
            _(
                "Too early to conclude: %(given)s of the %(size)s panel members have reviewed; at least %(needed)s "
                "reviews are needed."
            )
            % {"given": given, "size": size, "needed": needed},
            code="not_enough_reviews",
        )
    reason = _reason_for(decision, reason)
    s.status = DECISION_STATUS[Decision(decision)]
    s.decision = decision
    s.decision_reason = reason
    s.decided_by = actor
    s.answered_at = s.answered_at or timezone.now()
    save(s, "status", "decision", "decision_reason", "decided_by", "answered_at")
    add_event(s, DECISION_EVENT[Decision(decision)], actor, reason)
    ledger.record(
        "suggestions.conclude",
        s,
        actor=actor,
        change={"decision": decision, "reason": reason, "reviews": given, "revision": s.revision},
    )
    notify_authors(
        s,
        f"suggestions.{decision}",
        _("The panel's conclusion on your suggestion “%(title)s”: %(decision)s")
        % {"title": s.title, "decision": Decision(decision).label},
        key=f"suggestions.concluded.{s.pk}.{s.revision}",
        body=reason,
    )
    return s


@transaction.atomic
def mark_duplicate(
    *, actor: Person, suggestion: Suggestion, original: Suggestion, expected_revision: int
) -> Suggestion:
    """The same idea as an earlier suggestion: the later one is rejected with a reason naming the original (the
    credit goes to the earlier authors), and the original's authors are told."""
    s = lock(suggestion, expected_revision)
    require_manager(actor, s)
    if s.status not in AWAITING_ANSWER:
        raise wrong_status(s)
    refuse_own(actor, s)
    original = Suggestion.objects.select_related("unit").get(pk=original.pk)
    if (
        original.pk == s.pk
        or original.submitted_at is None
        or s.submitted_at is None
        or original.submitted_at >= s.submitted_at
    ):
        raise ValidationError(
            _("The original must be a suggestion submitted before this one."), code="original"
        )
    if not is_manager(actor, original):
        raise ValidationError(
            _("Suggestion %(id)s is not among the suggestions of your units.") % {"id": original.pk},
            code="original",
        )
    if original.duplicate_of_id is not None:
        raise ValidationError(
            _("Suggestion %(id)s is itself the same idea as suggestion %(first)s: choose that one.")
            % {"id": original.pk, "first": original.duplicate_of_id},
            code="original",
        )
    submitted = timezone.localtime(original.submitted_at).date().isoformat()
    reason = _(
        "The same idea as suggestion %(id)s “%(title)s”, submitted on %(date)s: the credit goes to its authors."
    ) % {
        "id": original.pk,
        "title": original.title,
        "date": submitted,
    }
    s.status = Status.REJECTED
    s.decision = Decision.REJECT
    s.decision_reason = reason
    s.decided_by = actor
    s.duplicate_of = original
    s.answered_at = s.answered_at or timezone.now()
    save(s, "status", "decision", "decision_reason", "decided_by", "duplicate_of", "answered_at")
    add_event(s, EventKind.DUPLICATE, actor, reason)
    add_event(
        original,
        EventKind.COMMENT,
        actor,
        _("A later suggestion (%(id)s) proposed the same idea; the credit is yours.") % {"id": s.pk},
    )
    ledger.record(
        "suggestions.duplicate",
        s,
        actor=actor,
        change={"original": original.pk, "reason": reason, "revision": s.revision},
    )
    notify_authors(
        s,
        "suggestions.duplicate",
        _("Your suggestion “%(title)s” is the same idea as an earlier one") % {"title": s.title},
        key=f"suggestions.duplicate.{s.pk}",
        body=reason,
    )
    notify_authors(
        original,
        "suggestions.credited",
        _("A later suggestion proposed the same idea as yours (“%(title)s”): the credit is yours")
        % {"title": original.title},
        key=f"suggestions.credited.{original.pk}.{s.pk}",
    )
    return s


@transaction.atomic
def reopen(*, actor: Person, suggestion: Suggestion, expected_revision: int) -> Suggestion:
    """Take a shelved suggestion up again: back to the panel for a new conclusion."""
    s = lock(suggestion, expected_revision)
    require_manager(actor, s)
    if s.status != Status.SHELVED:
        raise wrong_status(s)
    refuse_own(actor, s)
    s.status = Status.IN_REVIEW
    s.decision = ""
    save(s, "status", "decision")
    add_event(s, EventKind.REOPENED, actor)
    ledger.record("suggestions.reopen", s, actor=actor, change={"status": s.status, "revision": s.revision})
    notify_authors(
        s,
        "suggestions.reopened",
        _("Your shelved suggestion is taken up again: %(title)s") % {"title": s.title},
        key=f"suggestions.reopened.{s.pk}.{s.revision}",
    )
    return s
