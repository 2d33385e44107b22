"""Home-page panels of the organisation app: what each role has to do here."""

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from gongkai.core.choices import Role
from gongkai.core.home import Panel

from . import queries
from .models import Constituency, Person, Unit


def my_unit(request, scope):
    user = request.user
    reps = []
    if user.constituency_id:
        reps = list(Person.objects.filter(represents=user.constituency_id).only("name", "employee_no"))
    unit = Unit.objects.filter(pk=user.unit_id).first() if user.unit_id else None
    return Panel(
        title=_("My unit"),
        template="org/panels/my_unit.html",
        context={
            "unit": unit,
            "ancestors": list(Unit.objects.get_ancestors(unit)) if unit else [],
            "constituency": user.constituency,
            "representatives": reps,
        },
        order=10,
    )


def my_constituency(request, scope):
    if Role.REPRESENTATIVE not in scope.roles():
        return None
    mine = Constituency.objects.filter(representatives=request.user).annotate(member_count=Count("members"))
    return Panel(
        title=_("The constituency I represent"),
        template="org/panels/represent.html",
        context={"constituencies": list(mine)},
        order=20,
    )


def admin_tasks(request, scope):
    if not scope.paths(Role.ADMIN):
        return None
    units = queries.managed_units(request.user)
    people = Person.objects.filter(scope.within("unit", Role.ADMIN))
    stats = people.aggregate(
        active=Count("pk", filter=Q(is_active=True)),
        inactive=Count("pk", filter=Q(is_active=False)),
        no_phone=Count("pk", filter=Q(is_active=True, phone="")),
    )
    return Panel(
        title=_("Organisation administration"),
        template="org/panels/admin.html",
        context={
            "unit_count": units.count(),
            "stats": stats,
            "no_unit": Person.objects.filter(unit__isnull=True, is_active=True).count()
            if "" in scope.paths(Role.ADMIN)
            else None,
        },
        order=90,
    )


def union_tasks(request, scope):
    if not scope.paths(Role.UNION, Role.LEADING_GROUP):
        return None
    constituencies = Constituency.objects.filter(scope.within("unit", Role.UNION, Role.LEADING_GROUP))
    without_reps = constituencies.annotate(n=Count("representatives")).filter(n=0).count()
    return Panel(
        title=_("Representatives and constituencies"),
        template="org/panels/union.html",
        context={
            "constituency_count": constituencies.count(),
            "without_reps": without_reps,
            "rep_count": Person.objects.filter(represents__in=constituencies).distinct().count(),
        },
        order=30,
    )


def my_roles(request, scope):
    roles = list(queries.roles_of(request.user))
    if not roles:
        return None
    return Panel(title=_("My roles"), template="org/panels/roles.html", context={"roles": roles}, order=15)


FACTORIES = [my_unit, my_roles, my_constituency, union_tasks, admin_tasks]
