"""Lookups whose SQL the ORM writes once per process, then runs with new values.

Django turns a queryset into SQL on every evaluation. For the few lookups every API
request makes (the token with its user, membership and organisation; the one record a
detail asks for), that compiling was most of the request's CPU (issue 13: about 1 ms a
lookup with joins, on a request whose whole budget is a few ms). ``Prepared`` keeps the
SQL and the row-to-object plan Django made for a queryset built with stand-in values and
runs it again with the real ones, building the same model instances (``select_related``
included) through Django's own machinery; the query still goes through the connection's
cursor wrapper, so it is logged, counted and wrapped like any other.

Only for querysets whose every parameter is one of the values passed in, unchanged
(integers and text compared for equality), or one of the ``constants`` the caller names (a
status such as ``"open"`` written into the query itself): ``Prepared`` checks that when it
compiles and refuses anything else, so a lookup that would need Django to convert a value
(a date on SQLite, a list) or that depends on the day (``today``) is not silently run with
the wrong one.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import connections
from django.db.models import QuerySet
from django.db.models.query import get_related_populators

#: The range of a 64-bit integer column: a value outside it matches no row (SQLite cannot
#: even bind it), so it is answered as "none" without asking.
SMALLEST, BIGGEST = -(2**63), 2**63 - 1


class _Plan:
    __slots__ = ("compiler", "converters", "init_list", "model", "params", "populators", "slots",
                 "sql", "span")

    def __init__(self, queryset: QuerySet, using: str, stand_ins: tuple,
                 constants: tuple = ()) -> None:
        compiler = queryset.query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        slots = []
        for stand_in in stand_ins:
            found = [i for i, p in enumerate(params) if type(p) is type(stand_in) and p == stand_in]
            if len(found) != 1:
                raise ValueError(f"Prepared: the stand-in {stand_in!r} must be one parameter of "
                                 f"the query as given, found {len(found)} times in {params!r}")
            slots.append(found[0])
        fixed = [p for i, p in enumerate(params) if i not in slots]
        if any(not any(type(p) is type(c) and p == c for c in constants) for p in fixed):
            raise ValueError(f"Prepared: every parameter must be a stand-in or one of the "
                             f"constants {constants!r} ({params!r})")
        self.params = list(params)
        klass_info, select = compiler.klass_info, compiler.select
        fields = klass_info["select_fields"]
        self.compiler, self.sql, self.slots = compiler, sql, slots
        self.model = klass_info["model"]
        self.span = (fields[0], fields[-1] + 1)
        self.init_list = [f[0].target.attname for f in select[self.span[0]:self.span[1]]]
        self.populators = get_related_populators(klass_info, select, using)
        # The value converters of every column (what ``results_iter`` works out again on
        # each call from ~30 expressions: a tenth of a detail read's CPU), kept as the list
        # of (position, converters, expression) that ``apply_converters`` walks.
        columns = [s[0] for s in select[0:compiler.col_count]]
        if compiler.has_composite_fields(columns):
            raise ValueError("Prepared: composite fields are not supported")
        self.converters = list(compiler.get_converters(columns).items())


class Prepared:
    """``Prepared(build, *stand_ins)``: ``build(*values)`` returns the queryset; it is called
    once per database with the stand-ins (values no real call passes, each appearing once
    among the query's parameters) and the SQL kept. ``prepared(*values)`` is the list of
    model instances the queryset would give for those values. ``constants``: the other
    parameters the query may hold (fixed values ``build`` writes in, e.g. a status), kept
    as compiled; any parameter neither a stand-in nor one of them is refused."""

    def __init__(self, build: Callable[..., QuerySet], *stand_ins, constants: tuple = ()) -> None:
        self._build = build
        self._stand_ins = stand_ins
        self._constants = tuple(constants)
        self._plans: dict[tuple[str, str], _Plan] = {}

    def _plan(self, using: str) -> _Plan:
        key = (using, connections[using].vendor)
        plan = self._plans.get(key)
        if plan is None:
            plan = self._plans[key] = _Plan(self._build(*self._stand_ins), using,
                                            self._stand_ins, self._constants)
        return plan

    def __call__(self, *values, using: str = "default") -> list:
        for value in values:
            if isinstance(value, int) and not SMALLEST <= value <= BIGGEST:
                return []
        plan = self._plan(using)
        params = list(plan.params)
        for slot, value in zip(plan.slots, values, strict=True):
            params[slot] = value
        with connections[using].cursor() as cursor:
            cursor.execute(plan.sql, params)
            rows = cursor.fetchall()
        if not rows:
            return []
        found = []
        start, end = plan.span
        converters = plan.converters
        if converters:
            connection = plan.compiler.connection
            rows = [list(row) for row in rows]
            for row in rows:
                for pos, (convs, expression) in converters:
                    value = row[pos]
                    for converter in convs:
                        value = converter(value, expression, connection)
                    row[pos] = value
        for row in rows:
            obj = plan.model.from_db(using, plan.init_list, row[start:end])
            for populator in plan.populators:
                populator.populate(row, obj)
            found.append(obj)
        return found

    def first(self, *values, using: str = "default"):
        found = self(*values, using=using)
        return found[0] if found else None
