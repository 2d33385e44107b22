"""Date inputs keep their value in every language: browsers accept only ISO dates in <input type="date">."""

import datetime as dt

import pytest
from django.utils import translation

from gongkai.suggestions.drive_views import DriveForm
from gongkai.suggestions.review_forms import ImplementedForm, PlanForm


@pytest.mark.parametrize("language", ["zh-hans", "zh-hant", "en"])
def test_dates_are_rendered_as_iso_in_every_language(language):
    day = dt.date(2026, 11, 30)
    with translation.override(language):
        html = str(PlanForm(initial={"planned_start": day, "planned_finish": day, "revision": 1}))
        html += str(ImplementedForm(initial={"implemented_on": day, "revision": 1}))
        html += str(DriveForm(initial={"starts_on": day, "ends_on": day}))
    assert html.count('value="2026-11-30"') == 5
    assert "2026/11/30" not in html
