"""Working days: Chinese public holidays and adjusted working days from the calendar library, Mon–Fri beyond."""

import datetime as dt

from gongkai.core.workdays import add_working_days, is_working_day, known_years, working_days_between

D = dt.date


def test_national_day_week_is_a_holiday():
    for day in range(1, 9):  # 2025: 1–8 October (National Day and Mid-Autumn)
        assert not is_working_day(D(2025, 10, day))
    for day in range(1, 8):  # 2026: 1–7 October
        assert not is_working_day(D(2026, 10, day))


def test_adjusted_weekend_days_are_working_days():
    assert D(2025, 9, 28).weekday() == 6 and is_working_day(D(2025, 9, 28))  # a Sunday made a working day
    assert D(2025, 10, 11).weekday() == 5 and is_working_day(D(2025, 10, 11))  # a Saturday made a working day
    assert D(2026, 2, 14).weekday() == 5 and is_working_day(D(2026, 2, 14))  # before the Spring Festival
    assert D(2026, 2, 28).weekday() == 5 and is_working_day(D(2026, 2, 28))  # after it


def test_ordinary_weekends_and_weekdays():
    assert not is_working_day(D(2026, 3, 7))  # Saturday
    assert not is_working_day(D(2026, 3, 8))  # Sunday
    assert is_working_day(D(2026, 3, 9))  # Monday


def test_spring_festival_2026():
    assert not is_working_day(D(2026, 2, 16))  # a Monday inside the holiday
    assert not is_working_day(D(2026, 2, 23))


def test_adding_working_days_skips_the_national_day_week():
    # Tue 30 Sep 2025 + 1 working day: 1–8 Oct are holidays, Thu 9 Oct is the next working day
    assert add_working_days(D(2025, 9, 30), 1) == D(2025, 10, 9)
    # … and the adjusted Saturday 11 Oct counts
    assert add_working_days(D(2025, 9, 30), 3) == D(2025, 10, 11)
    assert add_working_days(D(2025, 10, 9), 0) == D(2025, 10, 9)
    assert add_working_days(D(2025, 10, 9), -1) == D(2025, 9, 30)


def test_thirty_working_days_across_the_spring_festival():
    due = add_working_days(D(2026, 2, 2), 30)
    assert is_working_day(due)
    assert working_days_between(D(2026, 2, 2), due) == 30
    assert (due - D(2026, 2, 2)).days > 42  # six calendar weeks and more: the holiday added days


def test_unknown_years_fall_back_to_monday_to_friday():
    year = known_years().stop + 1
    monday = D(year, 1, 4) - dt.timedelta(days=D(year, 1, 4).weekday())
    assert is_working_day(monday)
    assert not is_working_day(monday + dt.timedelta(days=5))
    assert add_working_days(monday, 5) == monday + dt.timedelta(days=7)
