"""Forms of the rater's pages. They read the shape of the input; `ballot_actions.cast_ballot` checks the rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .ballot_actions import normalise_tracker

FIELD_PREFIX = "rate-"


def choices_from_post(data) -> dict[str, str]:
    """The ratings of a submitted ballot: {"<RatedPerson id>": "<level>"} from the fields `rate-<id>`.

    Nothing is checked here (a forged id or level is kept as it is): the action refuses anything that is not a
    complete ballot of the rater's own list, and the page shows the choices back when it does.
    """
    return {
        key[len(FIELD_PREFIX) :]: str(value).strip()
        for key, value in data.items()
        if key.startswith(FIELD_PREFIX) and str(value).strip()
    }


class TrackerForm(forms.Form):
    """A ballot tracker as typed by its voter (case, spaces and dashes do not matter)."""

    tracker = forms.CharField(
        label=_("Ballot tracker"),
        max_length=40,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}
        ),
        help_text=_("The code you were shown when you cast your ballot, e.g. 7KQ2-M9XD-4HTB."),
    )

    def clean_tracker(self) -> str:
        return normalise_tracker(self.cleaned_data["tracker"])
