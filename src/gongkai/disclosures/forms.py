"""Forms of the disclosure workflow. They check the shape of the input; the actions check the rules."""

from __future__ import annotations

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongkai.org.forms import UnitChoiceField
from gongkai.org.models import Unit

from . import uploads
from .choices import Form
from .models import CatalogItem, Category


def _choices(form: forms.Form, name: str, queryset: QuerySet) -> None:
    field = form.fields[name]
    if isinstance(field, forms.ModelChoiceField):
        field.queryset = queryset


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each is checked by `uploads.inspect` in the action."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": uploads.ACCEPT}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class ItemChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: CatalogItem) -> str:
        return f"{obj.category.name} · {obj.title}"


class DraftForm(forms.Form):
    """A new draft or a change to a draft; with `correction=True`, a correction with its reason."""

    unit = UnitChoiceField(label=_("Unit"), queryset=Unit.objects.none())
    category = forms.ModelChoiceField(label=_("Category"), queryset=Category.objects.none())
    item = ItemChoiceField(label=_("Catalog item"), queryset=CatalogItem.objects.none(), required=False)
    period = forms.CharField(
        label=_("Period"),
        max_length=10,
        required=False,
        help_text=_("2026-03, 2026-Q1, 2026-H1 or 2026"),
    )
    title = forms.CharField(label=pgettext_lazy("disclosure", "Title"), max_length=200)
    body = forms.CharField(
        label=_("Text"), required=False, widget=forms.Textarea(attrs={"rows": 14, "class": "rich"})
    )
    reason = forms.CharField(label=_("Reason for the correction"), max_length=300, required=False)
    audience = UnitChoiceField(
        label=_("Audience"),
        queryset=Unit.objects.none(),
        required=False,
        help_text=_("Who may read it: the unit's whole subtree by default, or one of its sub-units."),
    )
    channels = forms.MultipleChoiceField(
        label=_("Channels"),
        choices=Form.choices,
        initial=[Form.WEB],
        widget=forms.CheckboxSelectMultiple,
    )
    board_numbers = forms.CharField(
        label=_("Physical board numbers"),
        max_length=200,
        required=False,
        help_text=_("Numbers of the notice boards where it is posted, separated by commas."),
    )
    new_files = MultipleFileField(label=_("Attach files (PDF, Excel, Word, JPEG, PNG)"))
    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, units=None, audiences=None, fixed_unit=False, correction=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.correction = correction
        _choices(self, "unit", units if units is not None else Unit.objects.none())
        _choices(self, "audience", audiences if audiences is not None else Unit.objects.none())
        _choices(self, "category", Category.objects.filter(active=True))
        _choices(self, "item", CatalogItem.objects.filter(active=True).select_related("category"))
        if fixed_unit:
            del self.fields["unit"]
        if correction:
            self.fields["reason"].required = True
            # a correction changes the text and the attachments; these stay as published (see update_draft)
            for name in ("category", "item", "period", "audience"):
                self.fields[name].disabled = True
        else:
            del self.fields["reason"]

    def clean_title(self) -> str:
        return " ".join(self.cleaned_data["title"].split())


class ReviewForm(forms.Form):
    DECISIONS = [("approve", _("Approve and publish")), ("return", _("Return with comments"))]
    decision = forms.ChoiceField(choices=DECISIONS)
    comment = forms.CharField(label=_("Comments"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    revision = forms.IntegerField(widget=forms.HiddenInput)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)
    revision = forms.IntegerField(widget=forms.HiddenInput)


class QuestionForm(forms.Form):
    text = forms.CharField(
        label=_("Your question or opinion"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    is_opinion = forms.BooleanField(label=_("This is an opinion, not a question"), required=False)


class AnswerForm(forms.Form):
    text = forms.CharField(label=_("Answer"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    public = forms.BooleanField(label=_("Show the answer to all readers"), required=False, initial=True)


class BoardFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=50, required=False)
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.none(), required=False, empty_label=_("All")
    )
    period = forms.RegexField(
        label=_("Period"), regex=r"^\d{4}(-(0[1-9]|1[0-2])|-Q[1-4]|-H[12])?$", max_length=10, required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _choices(self, "category", Category.objects.filter(active=True))
