"""Forms of the paper-ballot pages: printing sheets, marking who received one, opening a batch, entering it.

The forms only read and shape what was typed; the rules (what was printed, who may vote, whether the counts add
up) are checked by `paper_actions`, which says clearly what is wrong.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from gongkai.org.models import Constituency

from .choices import BLANK, Level, levels_of
from .models import RatedPerson, Round
from .paper_actions import PRINT_MAX
from .paper_numbers import BATCH_MAX


def _constituency_choices(constituencies: Sequence[Constituency | None]) -> list[tuple[str, str]]:
    return [
        ("" if c is None else str(c.pk), str(_("All raters")) if c is None else c.name)
        for c in constituencies
    ]


class _ConstituencyMixin:
    def _pick(self, constituencies: Sequence[Constituency | None]) -> None:
        self._constituencies = {("" if c is None else str(c.pk)): c for c in constituencies}
        field = self.fields["constituency"]  # type: ignore[attr-defined]
        field.choices = _constituency_choices(constituencies)
        if len(constituencies) == 1:
            self.initial.setdefault("constituency", field.choices[0][0])  # type: ignore[attr-defined]

    def clean_constituency(self):
        value = self.cleaned_data.get("constituency", "")  # type: ignore[attr-defined]
        if value not in self._constituencies:
            raise forms.ValidationError(_("Choose a constituency of this round."), code="constituency")
        return self._constituencies[value]


class PrintForm(_ConstituencyMixin, forms.Form):
    constituency = forms.ChoiceField(label=_("Constituency"), required=False)
    count = forms.IntegerField(label=_("Number of sheets"), min_value=1, max_value=PRINT_MAX)

    def __init__(self, *args, constituencies: Sequence[Constituency | None], **kwargs):
        super().__init__(*args, **kwargs)
        self._pick(constituencies)


class BatchForm(_ConstituencyMixin, forms.Form):
    constituency = forms.ChoiceField(label=_("Constituency"), required=False)
    number = forms.IntegerField(
        label=_("Batch number"),
        min_value=1,
        max_value=1_000_000,
        required=False,
        help_text=_("Leave empty for the next number."),
    )
    sheet_numbers = forms.CharField(
        label=_("Sheet numbers"),
        max_length=2000,
        help_text=_("e.g. 1-40, 43, 45-50"),
    )

    def __init__(self, *args, constituencies: Sequence[Constituency | None], **kwargs):
        super().__init__(*args, **kwargs)
        self._pick(constituencies)


class HandOutForm(forms.Form):
    """The people ticked on the roster (ids of electors without a participation; the action checks again)."""

    people = forms.TypedMultipleChoiceField(coerce=int, required=True, label=_("Received a sheet"))

    def __init__(self, *args, person_ids: Sequence[int], **kwargs):
        super().__init__(*args, **kwargs)
        field = cast(forms.TypedMultipleChoiceField, self.fields["people"])
        field.choices = [(pk, str(pk)) for pk in person_ids]
        self.fields["people"].error_messages["required"] = _("Tick at least one person who received a sheet.")


def cell_name(rated_id: int, level: str) -> str:
    return f"c_{rated_id}_{level}"


class EntryForm(forms.Form):
    """One entry of a batch: for every person on the list, the count of each level and of blank."""

    invalid_sheets = forms.IntegerField(
        label=_("Invalid sheets"),
        min_value=0,
        initial=0,
        help_text=_("Sheets that cannot be counted at all (torn, written on)."),
    )

    def __init__(self, *args, round_: Round, people: Sequence[RatedPerson], **kwargs):
        super().__init__(*args, **kwargs)
        self.people = list(people)
        self.columns = [*levels_of(round_.scale), BLANK]
        for rated in self.people:
            for level in self.columns:
                label = _("Blank") if level == BLANK else Level(level).label
                self.fields[cell_name(rated.pk, level)] = forms.IntegerField(
                    label=f"{rated.person.name} — {label}",
                    min_value=0,
                    max_value=BATCH_MAX,
                    widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 0, "class": "cell"}),
                )

    def rows(self):
        """For the template: (person, [bound field per column])."""
        return [(r, [self[cell_name(r.pk, level)] for level in self.columns]) for r in self.people]

    def counts(self) -> dict[str, dict[str, int]]:
        data = self.cleaned_data
        return {
            str(r.pk): {level: data[cell_name(r.pk, level)] for level in self.columns} for r in self.people
        }
