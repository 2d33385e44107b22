"""Forms of the management side of suggestions. They check the shape of the input; the actions check the rules
(who may, in which status, the panel's quorum, the 12 months of the benefit, the bands)."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import Category, Decision, Status
from .models import ReviewPanel
from .review_actions import TEXT_MAX

_SEPARATORS = re.compile(r"[\s,，;；、]+")
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class RevisionForm(forms.Form):
    """Every form that changes a suggestion carries the revision it was opened on (a stale form is refused)."""

    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class ScreenForm(RevisionForm):
    accept = forms.TypedChoiceField(
        label=_("Screening"),
        choices=[("1", _("Accept for expert review")), ("0", _("Do not accept"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    panel = forms.ModelChoiceField(
        label=_("Expert panel (when accepted)"), queryset=ReviewPanel.objects.none(), required=False
    )
    reason = forms.CharField(
        label=_("Reason for not accepting (the authors read it)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=TEXT_MAX,
        required=False,
    )

    def __init__(self, *args, panels=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["panel"]
        if isinstance(field, forms.ModelChoiceField) and panels is not None:
            field.queryset = panels


class ReviewForm(forms.Form):
    feasibility = forms.IntegerField(label=_("Feasibility (0–10)"), min_value=0, max_value=10)
    benefit = forms.IntegerField(label=_("Benefit (0–10)"), min_value=0, max_value=10)
    innovation = forms.IntegerField(label=_("Innovation (0–10)"), min_value=0, max_value=10)
    recommendation = forms.ChoiceField(label=_("Recommendation"), choices=Decision.choices)
    opinion = forms.CharField(
        label=_("Opinion"), widget=forms.Textarea(attrs={"rows": 4}), max_length=TEXT_MAX, required=False
    )


class ConcludeForm(RevisionForm):
    decision = forms.ChoiceField(label=_("Conclusion"), choices=Decision.choices, widget=forms.RadioSelect)
    reason = forms.CharField(
        label=_("Reason (required to shelve or reject; the authors read it)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=TEXT_MAX,
        required=False,
    )


class DuplicateForm(RevisionForm):
    original = forms.IntegerField(label=_("Number of the earlier suggestion with the same idea"), min_value=1)


class PlanForm(RevisionForm):
    owner = forms.CharField(label=_("Implementation owner (employee number)"), max_length=32)
    plan = forms.CharField(label=_("Plan"), widget=forms.Textarea(attrs={"rows": 4}), max_length=TEXT_MAX)
    planned_start = forms.DateField(label=_("Planned start"), widget=DATE)
    planned_finish = forms.DateField(label=_("Planned finish"), widget=DATE)

    def clean_owner(self) -> str:
        return self.cleaned_data["owner"].strip()


class ImplementedForm(RevisionForm):
    implemented_on = forms.DateField(label=_("Implemented on"), widget=DATE)


class BenefitForm(RevisionForm):
    gross_saving = forms.DecimalField(
        label=_("Gross saving over the 12 months (yuan)"), max_digits=14, decimal_places=2, min_value=0
    )
    cost = forms.DecimalField(label=_("Cost (yuan)"), max_digits=14, decimal_places=2, min_value=0)
    calculation = forms.CharField(
        label=_("How the benefit was calculated"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=TEXT_MAX,
    )
    measured_on = forms.DateField(label=_("Measured on"), widget=DATE)


class AwardForm(RevisionForm):
    pass


class PaidForm(RevisionForm):
    paid_on = forms.DateField(label=_("Paid on"), widget=DATE)


class QueueFilter(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("All"))] + [c for c in Status.choices if c[0] != Status.DRAFT],
        required=False,
    )
    category = forms.ChoiceField(
        label=_("Category"), choices=[("", _("All")), *Category.choices], required=False
    )
    unit = forms.TypedChoiceField(
        label=_("Unit"), choices=[("", _("All"))], coerce=int, required=False, empty_value=None
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["unit"]
        if isinstance(field, forms.ChoiceField):
            field.choices = [("", _("All")), *[(u.pk, u.name) for u in units]]


class PanelForm(forms.Form):
    panel = forms.IntegerField(widget=forms.HiddenInput, required=False)
    stamp = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)
    unit = forms.TypedChoiceField(label=_("Unit"), coerce=int, choices=())
    name = forms.CharField(label=_("Name"), max_length=120)
    members = forms.CharField(
        label=_("Members (employee numbers, separated by spaces or commas)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["unit"]
        if isinstance(field, forms.ChoiceField):
            field.choices = [(u.pk, u.name) for u in units]

    def clean_members(self) -> list[str]:
        numbers = [n for n in _SEPARATORS.split(self.cleaned_data.get("members") or "") if n]
        if not numbers:
            raise forms.ValidationError(_("Name at least one member."))
        return list(dict.fromkeys(numbers))


class BandForm(forms.Form):
    grade = forms.IntegerField(label=_("Grade"), min_value=1, max_value=99)
    name = forms.CharField(label=_("Name"), max_length=60)
    min_saving = forms.DecimalField(
        label=_("From net annual saving (yuan)"), max_digits=14, decimal_places=2, min_value=0
    )
    award = forms.DecimalField(label=_("Award (yuan)"), max_digits=12, decimal_places=2, min_value=0)


BandFormSet = forms.formset_factory(BandForm, extra=1, can_delete=True, max_num=20, validate_max=True)
