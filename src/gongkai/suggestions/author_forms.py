"""Forms of the author's pages. They check the shape of the input; `author_actions` checks the rules (plain text,
drives running in the author's units, co-authors, files from their content)."""

from __future__ import annotations

import json

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gongkai.disclosures import uploads

from .author_input import EDITABLE_FIELDS, MAX_FILES, TEXT_MAX, TITLE_MAX
from .choices import Category
from .models import Drive


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (each checked by the action, from its content)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": uploads.ACCEPT}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class RevisionForm(forms.Form):
    """A form that changes a suggestion carries the revision it was opened on (a stale form is refused)."""

    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


TEXT_FIELDS = ("title", "problem", "proposal", "expected_benefit")


class SuggestionForm(forms.Form):
    """The proposal: what the employee fills in for a new suggestion or a draft."""

    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX)
    problem = forms.CharField(
        label=_("The problem"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What is wrong or could be better today, where, and how often."),
    )
    proposal = forms.CharField(
        label=_("The proposal"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("What should be done, and how."),
    )
    expected_benefit = forms.CharField(
        label=_("Expected benefit"),
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    expected_saving = forms.DecimalField(
        label=_("Expected annual saving (yuan, optional)"),
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=2,
    )
    is_major = forms.BooleanField(
        label=_("Major suggestion"),
        required=False,
        help_text=_("A major suggestion gets a longer deadline for its first answer."),
    )
    drive = forms.ModelChoiceField(
        label=_("Campaign drive"),
        queryset=Drive.objects.none(),
        required=False,
        empty_label=_("(none)"),
        help_text=_("A drive running now in your unit that this suggestion answers."),
    )

    def __init__(self, *args, drives=None, similar_url: str = "", exclude: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["drive"]
        if isinstance(field, forms.ModelChoiceField):
            field.queryset = drives if drives is not None else Drive.objects.none()
            if not field.queryset.exists():
                del self.fields["drive"]
        if similar_url:  # while typing, the "similar earlier suggestions" panel is refreshed by htmx
            for name in ("title", "problem", "proposal"):
                self.fields[name].widget.attrs.update(
                    {
                        "hx-post": similar_url,
                        "hx-trigger": "keyup changed delay:800ms",
                        "hx-target": "#similar-panel",
                        "hx-swap": "innerHTML",
                        "hx-include": "#id_title, #id_problem, #id_proposal",
                    }
                )
                if exclude is not None:  # a draft is not similar to itself
                    self.fields[name].widget.attrs["hx-vals"] = json.dumps({"exclude": exclude})

    def proposal_fields(self) -> dict:
        data = self.cleaned_data
        return {
            name: data[name]
            for name in EDITABLE_FIELDS
            if name in self.fields  # no drive field when no drive runs in the author's units
        }


class NewSuggestionForm(SuggestionForm):
    attachments = MultipleFileField(label=_("Attachments"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attachments"].help_text = gettext(
            "Up to %(n)s files: PDF, Excel (.xlsx), Word (.docx), JPEG or PNG."
        ) % {"n": MAX_FILES}


class EditSuggestionForm(SuggestionForm, RevisionForm):
    pass


class InviteForm(forms.Form):
    employee_no = forms.CharField(
        label=_("Employee number of the co-author"),
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


class RespondForm(forms.Form):
    answer = forms.ChoiceField(
        label=_("Your answer"), choices=[("confirm", _("Confirm")), ("decline", _("Decline"))]
    )
    # the revision of the text the co-author read (a confirmation of an older text is refused)
    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=0, required=False)


class AttachForm(forms.Form):
    file = forms.FileField(label=_("File"), widget=forms.ClearableFileInput(attrs={"accept": uploads.ACCEPT}))


class SubmitForm(RevisionForm):
    pass
