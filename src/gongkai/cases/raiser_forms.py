"""Forms of the raiser's pages. They check the shape of the input; the actions check the rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from gongkai.org.forms import UnitChoiceField
from gongkai.org.models import Unit

from . import receipts
from .actions import TEXT_MAX, TITLE_MAX
from .choices import Satisfaction


class RaiseForm(forms.Form):
    """A case raised by an employee, under their name or anonymously."""

    unit = UnitChoiceField(
        label=_("Concerning"),
        queryset=Unit.objects.none(),
        help_text=_("Your own unit or a unit above it."),
    )
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX)
    text = forms.CharField(
        label=_("What is the matter?"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 8})
    )
    anonymous = forms.BooleanField(
        label=_("Raise anonymously"),
        required=False,
        help_text=_(
            "Nothing that names you is stored. You get a 16-digit receipt, shown once: with it you read the "
            "replies and rate them."
        ),
    )

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["unit"]
        if isinstance(field, forms.ModelChoiceField):
            field.queryset = units if units is not None else Unit.objects.none()


class QuestionForm(forms.Form):
    """A question to a consultation desk."""

    title = forms.CharField(label=_("Your question in one line"), max_length=TITLE_MAX)
    text = forms.CharField(label=_("Details"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 6}))
    anonymous = forms.BooleanField(
        label=_("Ask anonymously"),
        required=False,
        help_text=_("Nothing that names you is stored; you get a 16-digit receipt to read the answer."),
    )


class ReceiptForm(forms.Form):
    """A receipt as typed: 16 digits, spaces or dashes between groups allowed."""

    receipt = forms.CharField(
        label=_("Receipt"),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric", "spellcheck": "false"}),
    )

    def clean_receipt(self) -> str:
        value = self.cleaned_data["receipt"]
        if not receipts.is_well_formed(value):
            raise forms.ValidationError(_("A receipt has 16 digits."), code="format")
        return receipts.normalise(value)


class RateForm(forms.Form):
    """The raiser's rating of a reply (满意 / 基本满意 / 不满意)."""

    satisfaction = forms.ChoiceField(
        label=_("How satisfied are you with the reply?"),
        choices=Satisfaction.choices,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment (optional)"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AnonymousRateForm(ReceiptForm, RateForm):
    """A rating by whoever holds the receipt of an anonymous case."""


class RaiserNoteForm(forms.Form):
    """Information the raiser adds to their case, or their answer to a question asked of them."""

    text = forms.CharField(
        label=_("Your information or answer"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 5})
    )


class AnonymousNoteForm(ReceiptForm, RaiserNoteForm):
    """Information added by whoever holds the receipt of an anonymous case."""
