"""Forms of the round pages. People are named by employee number and constituencies by code (a group has too many
to list); the form resolves them and says, line by line, which ones it does not know."""

from __future__ import annotations

import re
from typing import cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongkai.disclosures import uploads
from gongkai.org.forms import UnitChoiceField
from gongkai.org.models import Constituency, Person, Unit

from .choices import Exemption, RoundKind, RoundStatus, Scale
from .round_actions import NOTE_MAX, REPORT_MAX, TITLE_MAX

RATERS_MAX = 5000  # lines in one rater-group paste
_DATETIME = "%Y-%m-%dT%H:%M"
THRESHOLD_HELP = {
    "talk_threshold": gettext_lazy(
        "When more than this share of the ratings given to a person are the lowest level (e.g. unfit), the union "
        "talks with them. Default 30%."
    ),
    "recall_threshold": gettext_lazy(
        "When more than this share are the lowest level, resignation is advised or the recall procedure starts. "
        "Default 50%; it must be higher than the talk threshold."
    ),
}


EXEMPTION_CHOICES = [("", gettext_lazy("Not exempted")), *Exemption.choices]


class RevisionForm(forms.Form):
    """Every form that changes a round carries the revision of the round it was opened on."""

    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


def _window_field(label):
    return forms.DateTimeField(
        label=label,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=_DATETIME),
        input_formats=[_DATETIME, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
    )


class _SettingsForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=TITLE_MAX)
    scale = forms.ChoiceField(
        label=gettext_lazy("Rating scale"), choices=Scale.choices, initial=Scale.FITNESS
    )
    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=2000, max_value=2100)
    opens_at = _window_field(gettext_lazy("Voting opens"))
    closes_at = _window_field(gettext_lazy("Voting closes"))
    talk_threshold = forms.IntegerField(
        label=gettext_lazy("Talk with the union above (%)"),
        min_value=0,
        max_value=100,
        initial=30,
        help_text=THRESHOLD_HELP["talk_threshold"],
    )
    recall_threshold = forms.IntegerField(
        label=gettext_lazy("Resignation advised / recall above (%)"),
        min_value=0,
        max_value=100,
        initial=50,
        help_text=THRESHOLD_HELP["recall_threshold"],
    )

    def clean(self):
        data = super().clean() or {}
        opens, closes = data.get("opens_at"), data.get("closes_at")
        if opens and closes and closes <= opens:
            self.add_error(
                "closes_at", ValidationError(_("Voting must close after it opens."), code="window")
            )
        talk, recall = data.get("talk_threshold"), data.get("recall_threshold")
        if talk is not None and recall is not None and talk >= recall:
            self.add_error(
                "recall_threshold",
                ValidationError(
                    _("The recall threshold must be higher than the talk threshold."), code="thresholds"
                ),
            )
        return data


class RoundForm(_SettingsForm):
    unit = UnitChoiceField(
        label=gettext_lazy("Unit"),
        queryset=Unit.objects.none(),
        help_text=gettext_lazy("Choose the group itself for a group-wide round."),
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"),
        choices=RoundKind.choices,
        initial=RoundKind.DUTY_RATING,
        help_text=gettext_lazy(
            "A duty rating: each constituency rates its representatives. An appraisal: a named rater group rates "
            "the leaders."
        ),
    )
    field_order = ["unit", "title", "kind", "scale", "year", "opens_at", "closes_at"]

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["unit"]).queryset = (
            units if units is not None else Unit.objects.none()
        )


class RoundEditForm(RevisionForm, _SettingsForm):
    pass


def _person(number: str) -> Person:
    found = Person.objects.filter(employee_no=number.strip()).first()
    if found is None:
        raise ValidationError(_("Unknown employee number: %(n)s.") % {"n": number.strip()}, code="unknown")
    return found


def _constituency(code: str) -> Constituency | None:
    code = (code or "").strip()
    if not code:
        return None
    found = Constituency.objects.filter(code=code).first()
    if found is None:
        raise ValidationError(_("Unknown constituency code: %(c)s.") % {"c": code}, code="unknown")
    return found


class PersonForm(RevisionForm):
    """A person by employee number, with an optional constituency code."""

    employee_no = forms.CharField(label=gettext_lazy("Employee number"), max_length=32)
    constituency = forms.CharField(
        label=gettext_lazy("Constituency code"),
        max_length=40,
        required=False,
        help_text=gettext_lazy("Optional."),
    )

    def clean_employee_no(self) -> Person:
        return _person(self.cleaned_data["employee_no"])

    def clean_constituency(self) -> Constituency | None:
        return _constituency(self.cleaned_data.get("constituency", ""))


class AddRatedForm(PersonForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["constituency"].help_text = gettext_lazy(
            "Duty rating: the constituency the person reports to (found from the constituencies they represent when "
            "left empty). Appraisal: leave empty."
        )


class LiaisonForm(PersonForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["constituency"].help_text = gettext_lazy(
            "Leave empty for a liaison of every constituency."
        )


class ExemptionForm(RevisionForm):
    exemption = forms.ChoiceField(
        label=gettext_lazy("Exemption"),
        choices=EXEMPTION_CHOICES,
        required=False,
    )
    note = forms.CharField(label=gettext_lazy("Note"), max_length=NOTE_MAX, required=False)


class ReportForm(RevisionForm):
    text = forms.CharField(
        label=gettext_lazy("Duty report"),
        widget=forms.Textarea(attrs={"rows": 14}),
        max_length=REPORT_MAX,
        required=False,
        strip=True,
    )
    file = forms.FileField(
        label=gettext_lazy("Attach the report as a file (PDF or Word .docx, optional)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.docx"}),
    )

    def clean(self):
        data = super().clean() or {}
        upload = data.get("file")
        if upload:
            try:
                info = uploads.inspect(upload)
            except ValidationError as exc:
                self.add_error("file", exc)
            else:
                if info.kind not in ("pdf", "docx"):
                    self.add_error(
                        "file",
                        ValidationError(
                            _("A duty report is attached as a PDF or Word (.docx) file; %(name)s is neither.")
                            % {"name": info.name},
                            code="report_type",
                        ),
                    )
        return data


class RatersForm(RevisionForm):
    """Employee numbers, one per line; every line that does not name an active person is reported."""

    numbers = forms.CharField(
        label=gettext_lazy("Add raters (employee numbers, one per line)"),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=RATERS_MAX * 40,
    )

    def clean_numbers(self) -> list[Person]:
        lines = [(i, line.strip()) for i, line in enumerate(self.cleaned_data["numbers"].splitlines(), 1)]
        lines = [(i, n) for i, n in lines if n]
        if not lines:
            raise ValidationError(_("Give at least one employee number."), code="required")
        if len(lines) > RATERS_MAX:
            raise ValidationError(_("Give at most %(n)s lines at once.") % {"n": RATERS_MAX}, code="too_many")
        bad = [(i, n) for i, n in lines if not re.fullmatch(r"[\w.-]{1,32}", n)]
        people = {p.employee_no: p for p in Person.objects.filter(employee_no__in=[n for _i, n in lines])}
        errors = []
        for i, n in lines:
            if (i, n) in bad:
                errors.append(
                    ValidationError(
                        _("Line %(line)s: %(text)s is not an employee number.") % {"line": i, "text": n[:40]},
                        code="unknown",
                    )
                )
            elif n not in people:
                errors.append(
                    ValidationError(
                        _("Line %(line)s: unknown employee number %(n)s.") % {"line": i, "n": n},
                        code="unknown",
                    )
                )
            elif not people[n].is_active:
                errors.append(
                    ValidationError(
                        _("Line %(line)s: %(name)s (%(n)s) is no longer active.")
                        % {"line": i, "name": people[n].name, "n": n},
                        code="inactive",
                    )
                )
        if errors:
            raise ValidationError(errors)
        return list({people[n].pk: people[n] for _i, n in lines}.values())


class ListFilterForm(forms.Form):
    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=2000, max_value=2100, required=False)
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        choices=[("", gettext_lazy("Any"))] + list(RoundStatus.choices),
        required=False,
    )
