"""Forms of the source pages: reception days, representatives' inspections and congress motions.

People and units are entered by employee number and unit code (a large group has too many to list); the form
resolves them and says which numbers or codes it does not know.
"""

from __future__ import annotations

import re
from typing import cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongkai.org.forms import UnitChoiceField
from gongkai.org.models import Person, Unit

from .actions import NOTE_MAX, TEXT_MAX, TITLE_MAX
from .choices import CHECKLIST_KEYS
from .source_actions import PLACE_MAX, REPORT_MAX

LIST_MAX = 200  # people or units named in one field

CHECKLIST_LABELS = {
    "check_records": gettext_lazy("Check the records"),
    "check_documents": gettext_lazy("Check the documents"),
    "questionnaire": gettext_lazy("Check by questionnaire"),
    "listen": gettext_lazy("Listen to employees"),
    "look_at_boards": gettext_lazy("Look at the notice boards"),
}


def _tokens(value: str) -> list[str]:
    found = [t for t in re.split(r"[\s,，、;；]+", value or "") if t]
    if len(found) > LIST_MAX:
        raise ValidationError(_("Name at most %(n)s entries.") % {"n": LIST_MAX}, code="too_many")
    return list(dict.fromkeys(found))


class PeopleField(forms.CharField):
    """Employee numbers separated by spaces or commas → the people (in the order given)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 5000)
        kwargs.setdefault("help_text", gettext_lazy("Employee numbers, separated by spaces or commas."))
        super().__init__(**kwargs)

    def clean(self, value):
        numbers = _tokens(super().clean(value))
        people = {p.employee_no: p for p in Person.objects.filter(employee_no__in=numbers)}
        unknown = [n for n in numbers if n not in people]
        if unknown:
            raise ValidationError(
                _("Unknown employee numbers: %(numbers)s.") % {"numbers": ", ".join(unknown)}, code="unknown"
            )
        return [people[n] for n in numbers]


class UnitsField(forms.CharField):
    """Unit codes separated by spaces or commas → the units."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 5000)
        kwargs.setdefault("help_text", gettext_lazy("Unit codes, separated by spaces or commas."))
        super().__init__(**kwargs)

    def clean(self, value):
        codes = _tokens(super().clean(value))
        units = {u.code: u for u in Unit.objects.filter(code__in=codes)}
        unknown = [c for c in codes if c not in units]
        if unknown:
            raise ValidationError(
                _("Unknown unit codes: %(codes)s.") % {"codes": ", ".join(unknown)}, code="unknown"
            )
        return [units[c] for c in codes]


class _UnitForm(forms.Form):
    unit = UnitChoiceField(label=gettext_lazy("Unit"), queryset=Unit.objects.none())

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["unit"]).queryset = (
            units if units is not None else Unit.objects.none()
        )


class ReceptionForm(_UnitForm):
    date = forms.DateField(label=gettext_lazy("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    place = forms.CharField(label=gettext_lazy("Place"), max_length=PLACE_MAX, required=False)
    leaders = PeopleField(label=gettext_lazy("Leaders on duty"))


class PeopleReceivedForm(forms.Form):
    people_received = forms.IntegerField(label=gettext_lazy("People received"), min_value=0, max_value=100000)


class WalkInForm(forms.Form):
    """A walk-in at a reception, registered by the staff on a tablet: who (or anonymous), where, what."""

    unit = UnitChoiceField(label=gettext_lazy("Concerns unit"), queryset=Unit.objects.none())
    employee_no = forms.CharField(
        label=gettext_lazy("Employee number of the person"), max_length=32, required=False
    )
    anonymous = forms.BooleanField(label=gettext_lazy("The person wishes to stay anonymous"), required=False)
    title = forms.CharField(label=gettext_lazy("Matter"), max_length=TITLE_MAX)
    text = forms.CharField(
        label=gettext_lazy("What the person said"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["unit"]).queryset = (
            units if units is not None else Unit.objects.none()
        )

    def clean(self) -> dict:
        data = super().clean() or {}
        number = (data.get("employee_no") or "").strip()
        anonymous = data.get("anonymous")
        if anonymous and number:
            raise ValidationError(
                _("An anonymous case names nobody: leave the employee number empty."), code="anonymous"
            )
        if not anonymous and not number:
            raise ValidationError(_("Give the person's employee number, or tick anonymous."), code="raiser")
        data["raiser"] = None
        if number:
            person = Person.objects.filter(employee_no=number).first()
            if person is None:
                self.add_error("employee_no", _("Unknown employee number."))
            else:
                data["raiser"] = person
        return data


class InspectionForm(_UnitForm):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=TITLE_MAX)
    start_date = forms.DateField(
        label=gettext_lazy("Start date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    end_date = forms.DateField(label=gettext_lazy("End date"), widget=forms.DateInput(attrs={"type": "date"}))
    representatives = PeopleField(label=gettext_lazy("Representatives"))
    target_units = UnitsField(label=gettext_lazy("Units visited"))


class ChecklistForm(forms.Form):
    """三查一听一看: each item done or not, with notes; and the report."""

    report = forms.CharField(
        label=gettext_lazy("Report"),
        max_length=REPORT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for key in CHECKLIST_KEYS:
            self.fields[f"{key}_done"] = forms.BooleanField(label=CHECKLIST_LABELS[key], required=False)
            self.fields[f"{key}_notes"] = forms.CharField(
                label=gettext_lazy("Notes"),
                max_length=NOTE_MAX,
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def items(self):
        return [(CHECKLIST_LABELS[k], self[f"{k}_done"], self[f"{k}_notes"]) for k in CHECKLIST_KEYS]

    def checklist(self) -> dict:
        return {
            key: {"done": self.cleaned_data[f"{key}_done"], "notes": self.cleaned_data[f"{key}_notes"]}
            for key in CHECKLIST_KEYS
        }


def checklist_initial(inspection) -> dict:
    initial: dict = {"report": inspection.report}
    for key in CHECKLIST_KEYS:
        item = inspection.checklist.get(key) or {}
        initial[f"{key}_done"] = bool(item.get("done"))
        initial[f"{key}_notes"] = item.get("notes", "")
    return initial


class FindingForm(forms.Form):
    """A finding recorded on the spot during an inspection; it becomes a case."""

    unit = UnitChoiceField(label=gettext_lazy("Concerns unit"), queryset=Unit.objects.none())
    title = forms.CharField(label=gettext_lazy("Finding"), max_length=TITLE_MAX)
    text = forms.CharField(
        label=gettext_lazy("Details"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["unit"]).queryset = (
            units if units is not None else Unit.objects.none()
        )


class MotionForm(_UnitForm):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=TITLE_MAX)
    text = forms.CharField(
        label=gettext_lazy("Motion"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 10})
    )
    signing_deadline = forms.DateField(
        label=gettext_lazy("Co-signing until"), widget=forms.DateInput(attrs={"type": "date"})
    )


class DecideForm(forms.Form):
    decision = forms.ChoiceField(
        label=gettext_lazy("Decision"),
        choices=[("accept", gettext_lazy("Accept as a motion")), ("return", gettext_lazy("Return"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=NOTE_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
