"""Builders of closed rounds for the results tests, written directly in the tables (test set-up only: the product
counts through `ballot_actions.certify`, which one test of test_results_queries.py also goes through).

`seed_mine` builds the seed's mine line: 207 representatives, 9 who reported at the congress, 18 away on
business, 180 rated, with 不称职 2.1%, 基本称职 20.9%, 称职 77.0% of the ratings given.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from gongkai.org.models import Constituency, Person
from gongkai.ratings.ballot_actions import flag_for, share
from gongkai.ratings.choices import BLANK, Channel, Exemption, RoundKind, RoundStatus, Scale, negative_level
from gongkai.ratings.models import Elector, Participation, RatedPerson, ResultLine, Round


def people(unit, prefix: str, n: int, constituency=None) -> list[Person]:
    Person.objects.bulk_create(
        Person(employee_no=f"{prefix}{i:05d}", name=f"{prefix}员工{i}", unit=unit, constituency=constituency)
        for i in range(n)
    )
    return list(Person.objects.filter(employee_no__startswith=prefix).order_by("employee_no"))


def closed_round(
    unit,
    creator,
    *,
    title="2026年职工代表述职测评",
    year=2026,
    scale=Scale.FITNESS,
    kind=RoundKind.DUTY_RATING,
    status=RoundStatus.CLOSED,
) -> Round:
    now = timezone.now()
    return Round.objects.create(
        unit=unit,
        title=title,
        kind=kind,
        scale=scale,
        year=year,
        opens_at=now - dt.timedelta(days=3),
        closes_at=now - dt.timedelta(days=1) if status != RoundStatus.OPEN else now + dt.timedelta(days=1),
        status=status,
        created_by=creator,
        opened_at=now - dt.timedelta(days=3),
        closed_at=now if status == RoundStatus.CLOSED else None,
        tally_digest="ab" * 32 if status == RoundStatus.CLOSED else "",
    )


def rate(round_: Round, rated: RatedPerson, counts: dict[str, int]) -> ResultLine:
    """The result line certify() would write for these counts."""
    total = sum(n for lv, n in counts.items() if lv != BLANK)
    pct = share(counts.get(negative_level(round_.scale), 0), total)
    return ResultLine.objects.create(
        round=round_, rated=rated, counts=counts, total=total, negative_share=pct, flag=flag_for(round_, pct)
    )


def add_raters(round_: Round, raters: list[Person], online: int, constituency=None) -> None:
    Elector.objects.bulk_create(Elector(round=round_, person=p, constituency=constituency) for p in raters)
    Participation.objects.bulk_create(
        Participation(
            round=round_,
            person=p,
            constituency=constituency,
            channel=Channel.ONLINE if i < online else Channel.PAPER,
        )
        for i, p in enumerate(raters)
    )
    Round.objects.filter(pk=round_.pk).update(
        electorate=len(raters) + 10, ballots_online=online, ballots_paper=len(raters) - online
    )
    round_.refresh_from_db()


def seed_mine(unit, creator, prefix="S", *, year=2026, raters=60, online=45) -> Round:
    """The seed's mine: 207 representatives, 9 reported at the congress, 18 away, 180 rated by `raters` people.

    Each of the 180 is rated 50 times: 9,000 ratings, of which 189 不称职 (2.1%), 1,881 基本称职 (20.9%) and
    6,930 称职 (77.0%).
    """
    constituency = Constituency.objects.create(code=f"{prefix}C", name=f"{unit.name}{prefix}选区", unit=unit)
    reps = people(unit, f"{prefix}R", 207, constituency)
    round_ = closed_round(unit, creator, year=year)
    rated = RatedPerson.objects.bulk_create(
        RatedPerson(
            round=round_,
            person=p,
            constituency=constituency,
            position=i + 1,
            exemption=(Exemption.REPORTED_AT_CONGRESS if i < 9 else Exemption.AWAY if i < 27 else ""),
        )
        for i, p in enumerate(reps)
    )
    rated = list(RatedPerson.objects.filter(round=round_, exemption="").order_by("position"))
    assert len(rated) == 180
    lines = []
    for i, r in enumerate(rated):
        unfit = 2 if i < 9 else 1  # 9×2 + 171×1 = 189
        basic = 11 if i < 81 else 10  # 81×11 + 99×10 = 1,881
        counts = {"fit": 50 - unfit - basic, "basically_fit": basic, "unfit": unfit}
        total = 50
        pct = share(unfit, total)
        lines.append(
            ResultLine(
                round=round_,
                rated=r,
                counts=counts,
                total=total,
                negative_share=pct,
                flag=flag_for(round_, pct),
            )
        )
    ResultLine.objects.bulk_create(lines)
    add_raters(round_, people(unit, f"{prefix}V", raters, constituency), online, constituency)
    return round_
