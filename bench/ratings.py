"""Ratings benchmark: a burst of secret ballots through the ballot page, and the tally of a million ratings.

    .venv/bin/python bench/ratings.py [--database-url postgres://postgres@127.0.0.1:5432/postgres] [--reuse]
        [--count 20000] [--clients 64] [--duration 360] [--duplicates 0.05] [--workers 4]
        [--worker-class sync|gthread] [--threads 4] [--tally-ballots 200000] [--skip-burst] [--skip-tally]

Uses its own PostgreSQL database, gongkai_bench_ratings, created next to the one named in --database-url
(dropped and recreated unless --reuse finds it seeded; with --reuse the organisation is kept and the rounds are
made again, the tally round reused when it has the ballots asked for).

Seeding: one mine whose --count raters (20,000) are in constituencies of 50 members with 5 representatives
each, so that each ballot rates 5 people; an open duty rating of the mine (every representative rated, reports
published, the electorate frozen); a logged-in Django session for every rater, written in advance (rows of the
session table, as the login would leave them) with a CSRF cookie.

(a) Ballot burst: gunicorn (gongkai.wsgi, --workers sync workers) on the database; --clients connections each
    POST a distinct rater's ballot to the ballot page (`ratings:ballot`, the form with `rate-<id>` fields and
    the CSRF token, as the browser sends it) and read the receipt with its tracker; about --duplicates of the
    raters submit a second time, mixed in among the others (some while their first ballot is still in flight),
    and those must be refused (409). Until every rater has voted or --duration seconds have passed (the raters
    not reached by then vote in-process, their rows written as cast_ballot writes them, after the check of the
    burst, so that the box holds every rater's ballot when the vote ends). Printed:
    ballots accepted per second, p50/p99 latency, refusals, errors. Then the exact count check (PASS/FAIL, the
    script exits 1 on FAIL): accepted = participation rows = sealed + mixed ballots, their ratings = 5 ×
    accepted, the stored trackers are exactly the ones the voters were shown, every duplicate refused. Then
    the vote is ended (`ballot_actions.end_voting`: the ballot box mixed, the results certified), timed and
    checked again.
(b) Tally: a round with --tally-ballots (200,000) mixed ballots × 5 ratings = 1,000,000 rows written with
    INSERT … SELECT generate_series; `ballot_actions.tally()` timed (median of 3 after a warm-up) and
    `certify()` timed once.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import random
import re
import secrets
import string
import sys
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

from _common import PROJECT, http_bench_parser, prepare_http_database, step, timed

BENCH_DB = "gongkai_bench_ratings"
MEMBERS = 50  # per constituency
REPS = 5  # representatives per constituency: the ratings on each ballot
BURST_TITLE = "基准测试：选票并发"
TALLY_TITLE = "基准测试：百万评价计票"
TRACKER_RE = re.compile(rb'id="tracker"[^>]*><strong>([0-9A-Z-]+)</strong>')
sys.path.insert(0, str(PROJECT / "src"))


def parse_args() -> argparse.Namespace:
    parser = http_bench_parser(
        __doc__, count=20_000, count_help="raters of the open round (a multiple of 50)"
    )
    parser.add_argument("--clients", "--concurrency", dest="clients", type=int, default=64)
    parser.add_argument(
        "--duration",
        type=float,
        default=360.0,
        help="stop sending ballots after this long (the raters not reached then vote in-process)",
    )
    parser.add_argument("--duplicates", type=float, default=0.05, help="share of raters submitting twice")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4, help="with --worker-class gthread")
    parser.add_argument("--worker-class", default="sync", choices=["sync", "gthread"])
    parser.add_argument("--tally-ballots", type=int, default=200_000)
    parser.add_argument("--skip-burst", action="store_true")
    parser.add_argument("--skip-tally", action="store_true")
    args = parser.parse_args()
    if args.count % MEMBERS:
        parser.error(f"--count must be a multiple of {MEMBERS}")
    return args


# ------------------------------------------------------------------------------------------------- seeding


def seed_org(args: argparse.Namespace) -> None:
    """The mine: sections of 50 people, each a constituency with 5 representatives, and its union chair."""
    from gongkai.core.choices import Role
    from gongkai.org import demo as org_demo
    from gongkai.org.choices import UnitKind
    from gongkai.org.models import Unit

    rng = random.Random(args.seed)
    names = org_demo._Names(rng)
    plan = org_demo.Plan(scale="bench-ratings", seed=args.seed)
    sections = args.count // MEMBERS
    root_path = Unit._get_path("", 1, 1)
    mine_path = Unit._get_path(root_path, 2, 1)
    plan.units += [
        org_demo.UnitRow("G", "集团公司", UnitKind.GROUP, None, root_path, 1, 1),
        org_demo.UnitRow("G01", "青山煤矿", UnitKind.MINE, "G", mine_path, 2, sections),
    ]
    office = "XQ-G01-00"
    plan.constituencies.append(org_demo.ConstituencyRow(office, "青山煤矿机关选区", "G01", ()))
    number = org_demo.FIRST_EMPLOYEE_NO
    plan.people.append(
        org_demo.PersonRow(str(number), names.name(), "G01", "工会主席", names.phone(), office)
    )
    plan.roles.append(org_demo.RoleRow(str(number), "G01", Role.UNION, "工会主席"))
    for s in range(1, sections + 1):
        code = f"G01-{s:03d}"
        plan.units.append(
            org_demo.UnitRow(
                code, f"采掘{s}区", UnitKind.SECTION, "G01", Unit._get_path(mine_path, 3, s), 3, 0
            )
        )
        reps = []
        for m in range(MEMBERS):
            number += 1
            plan.people.append(
                org_demo.PersonRow(str(number), names.name(), code, "采煤工", names.phone(), f"XQ-{code}")
            )
            if m < REPS:
                reps.append(str(number))
                plan.roles.append(org_demo.RoleRow(str(number), code, Role.REPRESENTATIVE, "职工代表"))
        plan.constituencies.append(
            org_demo.ConstituencyRow(f"XQ-{code}", f"采掘{s}区选区", code, tuple(reps))
        )
    org_demo.load(plan)


def make_round(title: str, status: str):
    """A duty rating of the mine with every representative rated (reports published); no electorate yet."""
    from django.utils import timezone

    from gongkai.core.choices import Role
    from gongkai.org.models import Constituency, RoleAssignment, Unit
    from gongkai.ratings.choices import RoundKind, Scale
    from gongkai.ratings.models import RatedPerson, Round

    now = timezone.now()
    mine = Unit.objects.get(code="G01")
    chair = RoleAssignment.objects.get(role=Role.UNION, unit=mine).person
    round_ = Round.objects.create(
        unit=mine,
        title=title,
        kind=RoundKind.DUTY_RATING,
        scale=Scale.FITNESS,
        year=now.year,
        opens_at=now - dt.timedelta(hours=1),
        closes_at=now + dt.timedelta(days=1),
        status=status,
        created_by=chair,
        opened_at=now - dt.timedelta(hours=1),
    )
    through = Constituency.representatives.through
    rated = [
        RatedPerson(
            round=round_,
            person_id=person_id,
            constituency_id=constituency_id,
            position=n,
            report="本年度参加职代会，收集职工意见建议，参与民主管理和监督。",
            report_published_at=now - dt.timedelta(days=3),
        )
        for n, (constituency_id, person_id) in enumerate(
            through.objects.order_by("constituency_id", "person__employee_no").values_list(
                "constituency_id", "person_id"
            ),
            start=1,
        )
    ]
    RatedPerson.objects.bulk_create(rated, batch_size=5000)
    return round_


@dataclass
class Rater:
    person_id: int
    session_key: str
    csrf: str
    rated: list[int]


def seed_burst(args: argparse.Namespace) -> tuple[object, list[Rater]]:
    """The open round, its electorate, and a session (with a CSRF secret) for every rater."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    from gongkai.org.models import Person
    from gongkai.ratings.choices import RoundStatus
    from gongkai.ratings.models import Elector, RatedPerson

    started = time.perf_counter()
    round_ = make_round(BURST_TITLE, RoundStatus.OPEN)
    lists: dict[int, list[int]] = {}
    for pk, constituency_id in RatedPerson.objects.filter(round=round_).values_list("pk", "constituency_id"):
        lists.setdefault(constituency_id, []).append(pk)
    people = list(
        Person.objects.filter(constituency_id__in=lists, is_active=True).values_list(
            "pk", "constituency_id", "password"
        )
    )
    Elector.objects.bulk_create(
        [Elector(round=round_, person_id=pk, constituency_id=c) for pk, c, _pw in people], batch_size=5000
    )
    started = step(f"open round {round_.pk}: {len(lists) * REPS:,} rated, {len(people):,} electors", started)

    store = SessionStore()
    alphabet = string.ascii_lowercase + string.digits
    expires = timezone.now() + dt.timedelta(days=1)
    sample = Person.objects.get(pk=people[0][0])
    raters, sessions = [], []
    for pk, constituency_id, password in people:
        sample.pk, sample.password = pk, password
        key = "".join(secrets.choice(alphabet) for _ in range(32))
        data = {
            SESSION_KEY: str(pk),
            BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",  # as http_load.session_cookie
            HASH_SESSION_KEY: sample.get_session_auth_hash(),
        }
        sessions.append(Session(session_key=key, session_data=store.encode(data), expire_date=expires))
        raters.append(Rater(pk, key, secrets.token_hex(16), lists[constituency_id]))
    Session.objects.bulk_create(sessions, batch_size=5000)
    step(f"{len(sessions):,} sessions", started)
    return round_, raters


# ------------------------------------------------------------------------------------------------- the burst


@dataclass
class Burst:
    elapsed: float = 0.0
    accepted: list[float] = field(default_factory=list)  # latencies (s)
    refused: list[float] = field(default_factory=list)
    errors: int = 0
    statuses: Counter = field(default_factory=Counter)
    first_error: str = ""
    trackers: dict[int, list[str]] = field(default_factory=dict)  # rater index -> trackers shown
    outcomes: dict[int, list[int]] = field(default_factory=dict)  # rater index -> statuses
    duplicates_sent: int = 0
    duplicates_refused: int = 0
    unsent: int = 0


def percentile(samples: list[float], p: float) -> float:
    if not samples:
        return float("nan")
    ordered = sorted(samples)
    return ordered[max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))] * 1000


def ballot_request(host: str, port: int, path: str, rater: Rater, rng: random.Random) -> bytes:
    levels = ("fit",) * 15 + ("basically_fit",) * 4 + ("unfit",)
    form = [("csrfmiddlewaretoken", rater.csrf)] + [(f"rate-{pk}", rng.choice(levels)) for pk in rater.rated]
    body = urlencode(form).encode()
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUser-Agent: gongkai-bench-ratings\r\n"
        "Accept: text/html\r\nAccept-Language: zh-hans\r\nConnection: keep-alive\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {len(body)}\r\n"
        f"Cookie: sessionid={rater.session_key}; csrftoken={rater.csrf}\r\n\r\n"
    )
    return head.encode("latin-1") + body


async def _burst(
    base_url: str, path: str, raters: list[Rater], clients: int, duration: float, dup_share: float, seed: int
) -> Burst:
    from http_load import _Connection

    url = urlsplit(base_url)
    host, port = url.hostname or "127.0.0.1", url.port or 80
    rng = random.Random(seed)
    order = list(range(len(raters)))
    rng.shuffle(order)
    twice = rng.sample(order, round(len(order) * dup_share))
    # the second submission a little later than the first: some while the first is still in flight
    keyed = [(float(k), i, False) for k, i in enumerate(order)]
    position = {i: k for k, i in enumerate(order)}
    keyed += [(position[i] + 1.5 + rng.randint(0, 3 * clients), i, True) for i in twice]
    jobs = [(i, duplicate) for _k, i, duplicate in sorted(keyed)]
    requests = {i: ballot_request(host, port, path, raters[i], rng) for i in order}
    queue = deque(jobs)
    result = Burst(duplicates_sent=len(twice))
    deadline = time.perf_counter() + duration

    async def client() -> None:
        conn = _Connection(host, port)
        try:
            while queue and time.perf_counter() < deadline:
                i, duplicate = queue.popleft()
                started = time.perf_counter()
                try:
                    status, body = await conn.get(requests[i])
                except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
                    status, body = 0, repr(exc).encode()
                    await conn.close()
                latency = time.perf_counter() - started
                result.statuses[status] += 1
                result.outcomes.setdefault(i, []).append(status)
                match = TRACKER_RE.search(body) if status == 200 else None
                if match:
                    result.accepted.append(latency)
                    result.trackers.setdefault(i, []).append(match.group(1).decode())
                elif status == 409:
                    result.refused.append(latency)
                    if duplicate or len(result.outcomes[i]) > 1:
                        result.duplicates_refused += 1
                else:
                    result.errors += 1
                    if not result.first_error:
                        result.first_error = f"status {status}: {body[:300]!r}"
        finally:
            await conn.close()

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    result.elapsed = time.perf_counter() - started
    result.unsent = len(queue)
    return result


def warm_up(base_url: str, path: str, rater: Rater, requests: int) -> None:
    """GET the ballot page a few times (not counted, votes nothing) so that every worker has loaded the app."""
    import http.client

    url = urlsplit(base_url)
    for _ in range(requests):
        conn = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port or 80, timeout=60)
        conn.request(
            "GET", path, headers={"Cookie": f"sessionid={rater.session_key}; csrftoken={rater.csrf}"}
        )
        response = conn.getresponse()
        response.read()
        conn.close()
        if response.status != 200:
            raise SystemExit(f"the ballot page answers {response.status} to a rater")


def run_burst(args: argparse.Namespace, url: str) -> bool:
    from django.db import connection
    from django.urls import reverse
    from django.utils import timezone
    from http_load import gunicorn

    from gongkai.ratings import ballot_actions
    from gongkai.ratings.choices import RoundStatus
    from gongkai.ratings.models import Ballot, BallotChoice, Participation, ResultLine, Round, SealedBallot

    print("\n(a) ballot burst")
    round_, raters = seed_burst(args)
    path = reverse("ratings:ballot", args=[round_.pk])
    connection.close()
    log_file = PROJECT / "var" / "bench" / "gunicorn-ratings.log"
    print(
        f"  gunicorn: {args.workers} {args.worker_class} workers"
        + (f" × {args.threads} threads" if args.worker_class == "gthread" else "")
        + f"; {args.clients} clients POST {path}, {len(raters):,} raters, "
        f"{args.duplicates:.0%} of them twice, at most {args.duration:.0f} s"
    )
    with gunicorn(
        url, workers=args.workers, threads=args.threads, worker_class=args.worker_class, log_file=log_file
    ) as base_url:
        warm_up(base_url, path, raters[0], args.workers * 3)
        burst = asyncio.run(
            _burst(base_url, path, raters, args.clients, args.duration, args.duplicates, args.seed)
        )
    accepted = len(burst.accepted)
    print(
        f"\n  {'submissions':<22} {'count':>8} {'per s':>8} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}\n"
        f"  {'ballots accepted':<22} {accepted:>8,} {accepted / burst.elapsed:>8.1f} "
        f"{percentile(burst.accepted, 50):>8.0f} {percentile(burst.accepted, 99):>8.0f} "
        f"{max(burst.accepted, default=0) * 1000:>8.0f}\n"
        f"  {'duplicates refused':<22} {len(burst.refused):>8,} {len(burst.refused) / burst.elapsed:>8.1f} "
        f"{percentile(burst.refused, 50):>8.0f} {percentile(burst.refused, 99):>8.0f} "
        f"{max(burst.refused, default=0) * 1000:>8.0f}\n"
        f"  {'errors':<22} {burst.errors:>8,}\n"
        f"  in {burst.elapsed:.1f} s; statuses {dict(sorted(burst.statuses.items()))}; "
        f"{burst.unsent:,} submissions not sent (time up)"
    )
    if burst.errors:
        print(f"  first error: {burst.first_error}")

    # the exact count check
    checks: list[tuple[str, bool, str]] = []

    def check(label: str, ok: bool, detail: str) -> None:
        checks.append((label, ok, detail))

    participations = Participation.objects.filter(round=round_).count()
    sealed = SealedBallot.objects.filter(round_id=round_.pk).count()
    mixed = Ballot.objects.filter(round=round_).count()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COALESCE(SUM((SELECT count(*) FROM jsonb_object_keys(choices))), 0) "
            "FROM ratings_sealedballot WHERE round_id = %s",
            [round_.pk],
        )
        sealed_choices = cursor.fetchone()[0]
    choices = BallotChoice.objects.filter(ballot__round=round_).count()
    shown = sorted(t for ts in burst.trackers.values() for t in ts)
    stored = sorted(
        list(SealedBallot.objects.filter(round_id=round_.pk).values_list("tracker", flat=True))
        + list(Ballot.objects.filter(round=round_).values_list("tracker", flat=True))
    )
    twice_accepted = sum(1 for ts in burst.trackers.values() if len(ts) > 1)
    check("accepted = participations", accepted == participations, f"{accepted:,} / {participations:,}")
    check("= sealed + mixed ballots", participations == sealed + mixed, f"{sealed:,} + {mixed:,}")
    check(
        f"ratings = {REPS} × accepted",
        sealed_choices + choices == REPS * accepted,
        f"{sealed_choices:,} + {choices:,} = {sealed_choices + choices:,}",
    )
    check("trackers stored = shown", stored == shown, f"{len(stored):,} stored, {len(shown):,} shown")
    check("nobody accepted twice", twice_accepted == 0, f"{twice_accepted}")
    dups_answered = sum(
        1 for i, statuses in burst.outcomes.items() if len(statuses) > 1 and 0 not in statuses
    )
    check(
        "duplicates all refused",
        burst.duplicates_refused == dups_answered,
        f"{burst.duplicates_refused:,} refused of {dups_answered:,} answered ({burst.duplicates_sent:,} planned)",
    )

    # the raters the burst did not reach in time vote in-process, written as cast_ballot writes them, so that the
    # box holds every rater's ballot when the vote ends
    late = top_up(round_, raters, set(burst.outcomes))
    expected = accepted + late
    if late:
        print(f"\n  {late:,} raters not reached in time: their ballots put in the box in-process")

    # end the vote: mix the box, certify
    Round.objects.filter(pk=round_.pk).update(closes_at=timezone.now() - dt.timedelta(seconds=1))
    started = time.perf_counter()
    round_ = ballot_actions.end_voting(actor=None, round_=round_)
    ended = time.perf_counter() - started
    ballot_actions.vacuum_box()
    mixed_after = Ballot.objects.filter(round=round_).count()
    totals = sum(ResultLine.objects.filter(round=round_).values_list("total", flat=True))
    print(f"\n  end_voting (mix {sealed + late:,} sealed ballots, then certify): {ended:.2f} s")
    check("after end_voting: status closed", round_.status == RoundStatus.CLOSED, round_.status)
    check(
        "after: box empty, all mixed",
        not SealedBallot.objects.filter(round_id=round_.pk).exists() and mixed_after == expected,
        f"{mixed_after:,} ballots",
    )
    check("after: results count every rating", totals == REPS * expected, f"{totals:,}")
    ok = all(passed for _l, passed, _d in checks)
    print("\n  count check")
    for label, passed, detail in checks:
        print(f"    {'PASS' if passed else 'FAIL'}  {label:<36} {detail}")
    print(f"  {'PASS' if ok else 'FAIL'}")
    return ok


def top_up(round_, raters: list[Rater], reached: set[int]) -> int:
    """Participation + SealedBallot rows (what cast_ballot writes) for the raters the burst did not reach."""
    from django.db import transaction

    from gongkai.ratings import ballot_actions
    from gongkai.ratings.choices import Channel
    from gongkai.ratings.models import Elector, Participation, SealedBallot

    rng = random.Random(7)
    late = [r for i, r in enumerate(raters) if i not in reached]
    if not late:
        return 0
    constituency = dict(
        Elector.objects.filter(round=round_, person_id__in=[r.person_id for r in late]).values_list(
            "person_id", "constituency_id"
        )
    )
    levels = ("fit",) * 15 + ("basically_fit",) * 4 + ("unfit",)
    with transaction.atomic():
        Participation.objects.bulk_create(
            [
                Participation(
                    round=round_,
                    person_id=r.person_id,
                    constituency_id=constituency[r.person_id],
                    channel=Channel.ONLINE,
                )
                for r in late
            ],
            batch_size=5000,
        )
        box = [
            SealedBallot(
                round=round_,
                tracker=ballot_actions.new_tracker(),
                choices={str(pk): rng.choice(levels) for pk in r.rated},
            )
            for r in late
        ]
        rng.shuffle(box)
        SealedBallot.objects.bulk_create(box, batch_size=5000)
    return len(late)


# ------------------------------------------------------------------------------------------------- the tally


def run_tally(args: argparse.Namespace) -> bool:
    from django.db import connection, transaction

    from gongkai.ratings import ballot_actions
    from gongkai.ratings.choices import RoundStatus
    from gongkai.ratings.models import Ballot, ResultLine, Round

    n = args.tally_ballots
    print(f"\n(b) tally of {n:,} ballots × {REPS} = {n * REPS:,} ratings")
    started = time.perf_counter()
    round_ = Round.objects.filter(title=TALLY_TITLE).order_by("-pk").first()
    if round_ is not None and Ballot.objects.filter(round=round_).count() == n:
        Round.objects.filter(pk=round_.pk).update(status=RoundStatus.COUNTING)
        ResultLine.objects.filter(round=round_).delete()
        step(f"reusing round {round_.pk}", started)
    else:
        round_ = make_round(TALLY_TITLE, RoundStatus.COUNTING)
        sections = args.count // MEMBERS
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "CREATE TEMP TABLE bench_ballot ON COMMIT DROP AS "
                "SELECT g, gen_random_uuid() AS id FROM generate_series(0, %s - 1) AS g",
                [n],
            )
            cursor.execute(
                "CREATE TEMP TABLE bench_rated ON COMMIT DROP AS SELECT id, "
                "(row_number() OVER (ORDER BY constituency_id, position) - 1) / %s AS k "
                "FROM ratings_ratedperson WHERE round_id = %s",
                [REPS, round_.pk],
            )
            cursor.execute(
                "INSERT INTO ratings_ballot (id, round_id, tracker) SELECT id, %s, "
                "'B' || lpad(g::text, 7, '0') FROM bench_ballot ORDER BY random()",
                [round_.pk],
            )
            started = step(f"{n:,} ballots", started)
            cursor.execute(
                "INSERT INTO ratings_ballotchoice (id, ballot_id, rated_id, level) "
                "SELECT gen_random_uuid(), b.id, r.id, CASE WHEN x < 0.025 THEN 'unfit' "
                "WHEN x < 0.23 THEN 'basically_fit' ELSE 'fit' END "
                "FROM (SELECT id, g, random() AS x FROM bench_ballot) b "
                "JOIN bench_rated r ON r.k = b.g %% %s",
                [sections],
            )
            started = step(f"{cursor.rowcount:,} ratings (INSERT … SELECT)", started)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE ratings_ballot")
            cursor.execute("VACUUM ANALYZE ratings_ballotchoice")
        step("VACUUM ANALYZE", started)
    median, _p95 = timed(lambda: ballot_actions.tally(round_), 3)
    counted = ballot_actions.tally(round_)
    ratings = sum(sum(levels.values()) for levels in counted.counts.values())
    started = time.perf_counter()
    round_ = ballot_actions.certify(actor=None, round_=round_)
    certified = (time.perf_counter() - started) * 1000
    lines = ResultLine.objects.filter(round=round_).count()
    ok = ratings == n * REPS and counted.ballots_online == n and round_.status == RoundStatus.CLOSED
    print(
        f"\n  {'step':<32} {'ms':>10}\n"
        f"  {'tally() median of 3':<32} {median:>10.0f}\n"
        f"  {'certify() (tally + results)':<32} {certified:>10.0f}\n"
        f"  counted {ratings:,} ratings on {counted.ballots_online:,} ballots; {lines:,} result lines: "
        f"{'PASS' if ok else 'FAIL'}"
    )
    return ok


def main() -> int:
    args = parse_args()
    url = prepare_http_database(args, BENCH_DB)
    import django

    django.setup()
    from django.core.management import call_command

    from gongkai.org import demo as org_demo
    from gongkai.org.models import Person

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    print(f"migrate: {time.perf_counter() - started:.1f} s")
    if org_demo.has_data():
        if Person.objects.count() != args.count + 1:
            raise SystemExit(f"{BENCH_DB} holds another organisation: run again without --reuse")
        print("seed: reusing the organisation")
    else:
        started = time.perf_counter()
        seed_org(args)
        step(f"organisation: {args.count + 1:,} people in {args.count // MEMBERS} constituencies", started)
    ok = True
    if not args.skip_burst:
        ok = run_burst(args, url) and ok
    if not args.skip_tally:
        ok = run_tally(args) and ok
    print(f"\n{'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
