"""Forms of the staff side of a case. They check the shape of the input; the actions check the rules (who may,
in which status, which department, which due date)."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from gongkai.disclosures.forms import MultipleFileField
from gongkai.org.forms import UnitChoiceField
from gongkai.org.models import Unit

from .actions import MEETING_MAX, NOTE_MAX, TEXT_MAX
from .choices import Priority

_SEPARATORS = re.compile(r"[\s,，;；、]+")


class RevisionForm(forms.Form):
    """Every form of the case page carries the revision of the case it was opened on (a stale form is refused)."""

    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class AcceptForm(RevisionForm):
    priority = forms.TypedChoiceField(
        label=_("Priority"), choices=Priority.choices, coerce=int, initial=Priority.NORMAL
    )


class ReturnForm(RevisionForm):
    reason = forms.CharField(
        label=_("Reason for returning (the raiser sees it)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=NOTE_MAX,
    )


class AssignForm(RevisionForm):
    handling_unit = UnitChoiceField(label=_("Handling department"), queryset=Unit.objects.none())
    handler = forms.CharField(
        label=_("Main handler (employee number)"), max_length=32, widget=forms.TextInput(attrs={"size": 12})
    )
    co_handlers = forms.CharField(
        label=_("Co-handlers (employee numbers, separated by spaces or commas)"),
        max_length=500,
        required=False,
    )
    due_date = forms.DateField(
        label=_("Reply due by (a working day; empty: the usual number of working days from today)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    priority = forms.TypedChoiceField(label=_("Priority"), choices=Priority.choices, coerce=int)

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["handling_unit"]
        if isinstance(field, forms.ModelChoiceField):
            field.queryset = units if units is not None else Unit.objects.none()

    def clean_handler(self) -> str:
        return self.cleaned_data["handler"].strip()

    def clean_co_handlers(self) -> list[str]:
        numbers = [n for n in _SEPARATORS.split(self.cleaned_data.get("co_handlers") or "") if n]
        if len(numbers) > 20:
            raise forms.ValidationError(_("Name at most 20 co-handlers."))
        return list(dict.fromkeys(numbers))


class NoteForm(RevisionForm):
    """A text that may be empty: a chase (督办) or a note on closing."""

    text = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}), max_length=NOTE_MAX, required=False
    )


class AskRaiserForm(RevisionForm):
    text = forms.CharField(
        label=_("Question (the raiser reads it and can answer)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=NOTE_MAX,
    )


class ReplyForm(RevisionForm):
    text = forms.CharField(
        label=_("Reply (the raiser reads it)"), widget=forms.Textarea(attrs={"rows": 6}), max_length=TEXT_MAX
    )
    attached = MultipleFileField(label=_("Attachments (PDF, Excel, Word, JPEG or PNG)"))


class FollowUpForm(RevisionForm):
    text = forms.CharField(
        label=_("What the follow-up visit found"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=NOTE_MAX,
    )


class EscalateForm(RevisionForm):
    meeting = forms.CharField(label=_("Meeting (e.g. the mine's office meeting)"), max_length=MEETING_MAX)


class DecisionForm(RevisionForm):
    decision = forms.CharField(
        label=_("The meeting's decision"), widget=forms.Textarea(attrs={"rows": 4}), max_length=TEXT_MAX
    )


class MergeForm(RevisionForm):
    into = forms.IntegerField(label=_("Merge into case number"), min_value=1)
    reason = forms.CharField(
        label=_("Why (optional)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=NOTE_MAX,
        required=False,
    )


class StartForm(RevisionForm):
    pass
