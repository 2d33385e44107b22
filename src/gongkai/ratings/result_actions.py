"""Publishing a closed round's results as a disclosure, in one action.

`publish_results` drafts the disclosure through `disclosures.actions.create_draft` (the body is an HTML table of
the results; the `.xlsx` workbook is attached as a file, checked by `disclosures.uploads` like any upload),
sends it to the leading group for review with `disclosures.actions.submit`, and links it to the round. The
disclosure goes through the normal review: nothing is published without the leading group's approval.

Where it is filed: a democratic appraisal of leaders under catalog item C08-04 (领导人员民主评议结果); a
representatives' duty rating, for which the standard catalog has no item of its own, under the category C08
(职代会决议和提案落实), beside the congress's other results.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils.html import escape
from django.utils.translation import gettext as _

from gongkai.core import ledger
from gongkai.disclosures import actions as disclosure_actions
from gongkai.disclosures import queries as disclosure_queries
from gongkai.disclosures.models import CatalogItem, Category, Disclosure

from . import result_queries, result_xlsx
from .choices import RoundKind, RoundStatus
from .models import Round

CATEGORY_CODE = "C08"  # 职代会决议和提案落实
APPRAISAL_ITEM_CODE = "C08-04"  # 领导人员民主评议结果


def _filing(round_: Round) -> tuple[Category, CatalogItem | None]:
    if round_.kind == RoundKind.APPRAISAL:
        item = (
            CatalogItem.objects.select_related("category")
            .filter(code=APPRAISAL_ITEM_CODE, active=True)
            .first()
        )
        if item is not None:
            return item.category, item
    category = Category.objects.filter(code=CATEGORY_CODE).first()
    if category is None:
        raise ValidationError(
            _(
                "The disclosure catalog has no category %(code)s for the congress's results; "
                "load the standard catalog first."
            )
            % {"code": CATEGORY_CODE},
            code="no_category",
        )
    return category, None


def _pct(value) -> str:
    return f"{value}%"


def results_html(results: result_queries.RoundResults) -> str:
    """The disclosure body: the round's figures and a table with a line per person rated (escaped text)."""
    round_ = results.round
    parts = [
        "<p>"
        + escape(
            _(
                "Electorate %(electorate)s; ballots online %(online)s; paper sheets counted %(paper)s; "
                "participation %(pct)s%%."
            )
            % {
                "electorate": round_.electorate,
                "online": round_.ballots_online,
                "paper": round_.ballots_paper,
                "pct": results.participation_pct,
            }
        )
        + "</p>"
    ]
    heads = [_("Name"), _("Constituency")]
    for _lv, label in results.levels:
        heads.append(label)
    heads += [_("Ratings given"), _("Consequence")]
    rows = []
    for line in results.lines:
        cells = [line.person.name, line.rated.constituency.name if line.rated.constituency else ""]
        cells += [f"{c.count} ({_pct(c.pct)})" for c in line.cells]
        cells += [str(line.total), line.flag_label if line.flag else ""]
        rows.append("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in cells) + "</tr>")
    total = [_("All ratings"), ""] + [f"{c.count} ({_pct(c.pct)})" for c in results.distribution]
    total += [str(results.total), _("%(count)s flagged") % {"count": results.flags}]
    rows.append("<tr>" + "".join(f"<td><strong>{escape(c)}</strong></td>" for c in total) + "</tr>")
    parts.append(
        "<table><thead><tr>"
        + "".join(f"<th>{escape(h)}</th>" for h in heads)
        + "</tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table>"
    )
    if results.exempted:
        parts.append("<h3>" + escape(_("Exempted")) + "</h3><ul>")
        for rated in results.exempted:
            text = f"{rated.person.name}: {rated.get_exemption_display()}"
            if rated.exemption_note:
                text += f" ({rated.exemption_note})"
            parts.append(f"<li>{escape(text)}</li>")
        parts.append("</ul>")
    parts.append(
        "<p>"
        + escape(
            _(
                "Over %(talk)s%% of the negative level: a talk with the union; over %(recall)s%%: resignation "
                "advised or the recall procedure. Tally digest: %(digest)s."
            )
            % {
                "talk": round_.talk_threshold,
                "recall": round_.recall_threshold,
                "digest": round_.tally_digest,
            }
        )
        + "</p>"
    )
    return "".join(parts)


def publish_results(*, actor, round_: Round) -> Disclosure:
    """Draft the results disclosure of a closed round, send it for review and link it to the round."""
    with transaction.atomic():
        round_ = Round.objects.select_for_update(of=("self",)).select_related("unit").get(pk=round_.pk)
        if round_.status != RoundStatus.CLOSED:
            raise ValidationError(
                _("The results can be published only once the round is closed."), code="not_closed"
            )
        if round_.disclosure_id is not None:
            raise ValidationError(
                _("The results of this round have already been sent for publication."),
                code="already_published",
            )
        if actor is None or not disclosure_queries.may_draft(actor, round_.unit):
            raise ValidationError(
                _(
                    "Only a disclosure officer of %(unit)s can publish the results as a disclosure; "
                    "ask them to do it."
                )
                % {"unit": round_.unit.name},
                code="may_not_draft",
            )
        category, item = _filing(round_)
        results = result_queries.round_results(round_)
        data = result_xlsx.workbook(results)
        upload = SimpleUploadedFile(
            result_xlsx.file_name(results), data, content_type=result_xlsx.CONTENT_TYPE
        )
        disclosure = disclosure_actions.create_draft(
            actor=actor,
            unit=round_.unit,
            category=category,
            item=item,
            title=_("Results: %(title)s") % {"title": round_.title},
            body=results_html(results),
            period=str(round_.year),
            files=[upload],
        )
        disclosure = disclosure_actions.submit(
            actor=actor, disclosure=disclosure, expected_revision=disclosure.revision
        )
        round_.disclosure = disclosure
        round_.save(update_fields=["disclosure", "updated_at"])
        ledger.record(
            "ratings.publish_results",
            round_,
            actor=actor,
            change={"disclosure": disclosure.pk, "tally_digest": round_.tally_digest},
        )
    return disclosure
