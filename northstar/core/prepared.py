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

import contextlib
import datetime as dt
import json
import re
from collections.abc import Callable
from decimal import Decimal
from functools import partial

from django.db import connections
from django.db.models import F, JSONField, Lookup, QuerySet, Value
from django.db.models.lookups import IContains
from django.db.models.query import get_related_populators

from northstar.core import ahead

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
        sql, params = self._written(values, using)
        rows = ahead.fetch(using, sql, params, values, partial(self._written, using=using))
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

    def _written(self, values, using: str) -> tuple[str, list]:
        plan = self._plan(using)
        params = list(plan.params)
        for slot, value in zip(plan.slots, values, strict=True):
            params[slot] = value
        return plan.sql, params

    def first(self, *values, using: str = "default"):
        found = self(*values, using=using)
        return found[0] if found else None


class _Statement:
    """One statement's SQL with, for each of its parameters, the stand-in it is (an index
    into the values) or the constant the builder put there."""

    __slots__ = ("converters", "dated", "names", "slots", "sql")

    def __init__(self, sql: str, params, stand_ins: list, adapt: list[Callable],
                 connection=None) -> None:
        seen = [adapt_(s) for s, adapt_ in zip(stand_ins, adapt, strict=True)]
        slots: list[tuple[int | None, object]] = []
        for param in params:
            found = [i for i, s in enumerate(seen) if type(param) is type(s) and param == s]
            if len(found) > 1:
                raise ValueError(f"Prepared: two stand-ins are equal ({param!r})")
            slots.append((found[0], None) if found else (None, param))
        missing = set(range(len(seen))) - {i for i, _ in slots if i is not None}
        if missing:
            raise ValueError(f"Prepared: the stand-ins {[stand_ins[i] for i in missing]!r} are "
                             f"not parameters of the query as given ({list(params)!r})")
        if connection is not None and connection.vendor == "postgresql":
            sql, slots = _constants_written_in(sql, slots, connection)
        self.sql, self.slots = sql, slots
        self.converters: list = []
        self.names: list[str] = []
        #: The SQL with the date values written in, by those dates (``with_dates_written_in``).
        self.dated: dict[tuple, tuple[str, list]] = {}

    def params(self, values: list, adapt: list[Callable]) -> list:
        given = [adapt_(v) for v, adapt_ in zip(values, adapt, strict=True)]
        return [given[i] if i is not None else constant for i, constant in self.slots]

    def with_dates_written_in(self, values: list, adapt: list[Callable], connection,
                              written_in: tuple[int, ...] = ()) -> tuple[str, list]:
        """PostgreSQL: (SQL, parameters) with the values that are dates (not date-times),
        and the integers at the positions ``written_in`` (an organisation's or a person's
        id), written into the SQL as literals, the others bound.

        "Today" and the windows worked out from it change once a day, and a generic plan
        made without them is blind to how narrow a date range is: the caseload's coming
        hearings and shelter stays (``window_on`` between today and a fortnight on) read
        every event of the organisation by a bitmap and sorted them (0.5 -> 100 ms at
        100,000 survivors once PostgreSQL kept the generic plan; bench/README.md,
        h-plans). With the dates in the SQL the statement is prepared again each day and
        its plan reads the window's few entries in order. Date-times ("now") change on
        every call and stay parameters.

        The ids (``Rows(..., written_in=…)``, integers or an ``AnyOf`` list; a list kept
        from one view to the next, as the most urgent alerts' survivors are, is then one
        statement planned once): with an organisation's id a parameter, the
        generic plan of a join over a few organisations is costed as if it read a large
        share of every table, so PostgreSQL kept planning the caseload's alert statements
        afresh on every execution (a custom plan each time, 0.3-1.9 ms of planning each,
        ~7 ms a view at 100,000 survivors; h-caseload5). Written in, a statement left with
        no parameter is planned once per connection with the real values and reused."""
        picked = tuple((i, tuple(v) if isinstance(v, list | tuple) else v)
                       for i, v in enumerate(values)
                       if (isinstance(v, dt.date) and not isinstance(v, dt.datetime))
                       or (i in written_in and (type(v) is int or isinstance(v, list | tuple))))
        if not picked or connection.vendor != "postgresql":
            return self.sql, self.params(values, adapt)
        written = self.dated.get(picked)
        if written is None:
            literal = {i: connection.ops.compose_sql(
                "%s", [list_parameter(connection, v) if isinstance(v, tuple) else v]
            ).replace("%", "%%") for i, v in picked}
            pieces, out, kept, at = re.split(r"(%%|%s)", self.sql), [], [], 0
            for piece in pieces:
                if piece != "%s":
                    out.append(piece)
                    continue
                index, constant = self.slots[at]
                at += 1
                if index in literal:
                    out.append(literal[index])
                else:
                    kept.append((index, constant))
                    out.append(piece)
            # A day or two of dates, and the organisations and people a process serves:
            # older ones are written again if asked.
            if len(self.dated) >= WRITTEN_IN_KEPT:
                self.dated.clear()
            written = self.dated[picked] = ("".join(out), kept)
        sql, kept = written
        given = [adapt_(v) for v, adapt_ in zip(values, adapt, strict=True)]
        return sql, [given[i] if i is not None else constant for i, constant in kept]


#: Statements with values written in kept per ``Rows`` cut (see ``with_dates_written_in``).
WRITTEN_IN_KEPT = 256


def _constants_written_in(sql: str, slots: list, connection) -> tuple[str, list]:
    """PostgreSQL: the statement with its constants (a status, the ``1`` of an ``exists()``)
    written into the SQL as literals; the stand-ins stay parameters.

    A statement run often on a connection is prepared there (server-side binding,
    ``settings.py``), and PostgreSQL then keeps one *generic* plan, made without the
    parameters' values. For a constant that plan knows nothing the statistics say: the
    referrals ``exists()`` of every list, ``recipient_id = $1 AND status IN ($2, $3)
    LIMIT 1``, went to a sequential scan of every referral (0.2 -> 0.9 ms at 100k, all
    referrals "sent" to one organisation), where ``status IN ('accepted', 'in_progress')``
    lets the planner see from the statistics that hardly any row matches."""
    pieces = re.split(r"(%%|%s)", sql)
    kept, out, at = [], [], 0
    for piece in pieces:
        if piece != "%s":
            out.append(piece)
            continue
        index, constant = slots[at]
        at += 1
        if index is None and isinstance(constant, str | int):  # bool and text choices too
            # psycopg quotes the value; a % in it must survive the second formatting.
            out.append(connection.ops.compose_sql("%s", [constant]).replace("%", "%%"))
        else:
            kept.append((index, constant))
            out.append(piece)
    return "".join(out), kept


def _offset_as_parameter(sql: str, params, offset: int) -> tuple[str, tuple]:
    """``sql`` with the ``OFFSET <offset>`` Django wrote into it (a slice's start is written
    as a number, not a parameter) made a parameter holding ``offset``: one statement, and
    one plan kept by PostgreSQL, for every page number."""
    written = re.compile(rf" OFFSET {offset}\b")
    pieces = re.split(r"(%%|%s)", sql)
    found = [i for i, piece in enumerate(pieces) if written.search(piece)]
    if len(found) != 1 or len(written.findall(pieces[found[0]])) != 1:
        raise ValueError(f"Prepared: the offset stand-in {offset} must be written once as "
                         f"OFFSET in the query ({sql!r})")
    at = sum(1 for piece in pieces[:found[0]] if piece == "%s")
    pieces[found[0]] = written.sub(" OFFSET %s", pieces[found[0]])
    params = list(params)
    params.insert(at, offset)
    return "".join(pieces), tuple(params)


def _values_statement(queryset: QuerySet, using: str, stand_ins: list,
                      adapt: list[Callable], offset: int | None = None) -> _Statement:
    """The statement of a ``values()`` queryset, with the converters and the column names
    Django's ``values()`` would use (``_as_dicts`` turns its rows into the same dicts);
    ``offset``, a stand-in Django wrote as a slice's start, made a parameter."""
    query = queryset.query
    compiler = query.get_compiler(using=using)
    sql, params = compiler.as_sql()
    if offset is not None:
        sql, params = _offset_as_parameter(sql, params, offset)
    plan = _Statement(sql, params, stand_ins, adapt, connections[using])
    columns = [s[0] for s in compiler.select[0:compiler.col_count]]
    if compiler.has_composite_fields(columns):
        raise ValueError("Prepared: composite fields are not supported")
    plan.converters = [(pos, ([_quick_json(c) for c in convs], expression))
                       for pos, (convs, expression) in compiler.get_converters(columns).items()]
    # The names ``ValuesIterable`` gives the columns.
    plan.names = list(query.selected) if query.selected else [
        *query.extra_select, *query.values_select, *query.annotation_select]
    return plan


_SCAN = json.JSONDecoder().scan_once


def _quick_json(converter: Callable) -> Callable:
    """``converter``, or for a JSON column read whole with the standard decoder (Django's
    ``JSONField.from_db_value``, which calls ``json.loads``) one that scans the text with
    that decoder's own scanner first: the same value for any text that is one JSON value
    from its first character to its last (a list of labels, as every JSON column of a list
    is), and Django's converter for anything else. ``json.loads`` adds two regular
    expressions and a Python frame around the scan: most of a case page's 153 decodes."""
    field = getattr(converter, "__self__", None)
    if not (isinstance(field, JSONField) and field.decoder is None
            and getattr(converter, "__func__", None) is JSONField.from_db_value):
        return converter

    def from_db_value(value, expression, connection):
        if type(value) is str:
            try:
                found, end = _SCAN(value, 0)
            except (StopIteration, ValueError):
                pass
            else:
                if end == len(value):
                    return found
        return converter(value, expression, connection)

    return from_db_value


def _as_dicts(plan: _Statement, rows: list[tuple], connection) -> list[dict]:
    """``rows`` as dicts by column name, each column converted as Django's ``values()``
    converts it (``plan.converters``)."""
    names, converters = plan.names, plan.converters
    found = []
    for row in rows:
        if converters:
            row = list(row)
            for pos, (convs, expression) in converters:
                value = row[pos]
                for converter in convs:
                    value = converter(value, expression, connection)
                row[pos] = value
        found.append(dict(zip(names, row, strict=False)))
    return found


#: Querysets a recipe keeps built (one per organisation and shape: a few per worker).
MADE = 1024


def _same(value):
    return value


class Recipe:
    """A queryset built from a few values (an organisation's id) by ``build``, whose
    statements (a list's page, its capped count, an ``exists()``) Django writes once per
    process and shape, then run again with the real values.

    ``recipe.queryset(*values)`` is ``build(*values)``, marked so that ``keyset`` knows how
    it was made; any change to it afterwards (a filter, another ordering) is a clone without
    the mark, which Django compiles as usual. ``build`` must depend on its values alone:
    every other parameter of its SQL is kept as a constant, so it may not read the clock
    or anything else that changes (checked: it is compiled twice and must give the same
    SQL and parameters). Each stand-in must be a value no real call passes, and appear
    among the parameters (checked at compile time, else ``ValueError``)."""

    def __init__(self, build: Callable[..., QuerySet], *stand_ins) -> None:
        self._build = build
        self._stand_ins = stand_ins
        self._plans: dict[tuple, _Statement] = {}
        self._made: dict[tuple, QuerySet] = {}

    def queryset(self, *values) -> QuerySet:
        found = self.derived(values, (), lambda: self._build(*values))
        found._recipe = (self, values)
        return found

    def derived(self, values: tuple, key: tuple, make: Callable[[], QuerySet]) -> QuerySet:
        """``make()`` (the recipe's queryset for ``values``, or one made from it the same way
        every time, named by ``key``), built once and handed out as a fresh clone each
        time: cloning a queryset costs a fraction of building its filters again. The
        kept querysets are never evaluated; at most ``MADE`` are kept."""
        template = self._made.get((values, key))
        if template is None:
            if len(self._made) >= MADE:
                self._made.clear()
            template = self._made[(values, key)] = make()
        return template._chain()

    @staticmethod
    def of(queryset) -> tuple[Recipe, tuple] | None:
        """The recipe and values ``queryset`` was made with, if it is unchanged since."""
        return getattr(queryset, "_recipe", None)

    def _plan(self, shape: tuple, using: str, make: Callable[[QuerySet], _Statement]):
        key = (using, connections[using].vendor, *shape)
        plan = self._plans.get(key)
        if plan is None:
            plan = make(self._build(*self._stand_ins))
            again = make(self._build(*self._stand_ins))
            if (plan.sql, plan.slots) != (again.sql, again.slots):
                raise ValueError("Prepared: the recipe's SQL changes between two builds with "
                                 "the same values (does it read the clock?)")
            self._plans[key] = plan
        return plan

    def rows(self, shape: tuple, values: tuple, transform: Callable[..., QuerySet],
             extra: tuple = (), extra_stand_ins: tuple = (),
             adapt: tuple[Callable, ...] = (), using: str = "default",
             offset: int | None = None) -> list[dict]:
        """The rows, as dicts by column name, of ``transform(queryset, *extra)`` (a sliced
        ``values()`` of the recipe's queryset), each column converted as Django's own
        ``values()`` converts it. ``shape`` names the transform (and anything that changes
        its SQL but is not a parameter, such as a page's size); ``adapt`` turns each extra
        value into its database parameter, as the lookup it is compared with does.
        ``offset``: the index in ``extra`` of a slice's start (a page number's rows
        skipped), which Django writes into the SQL as a number: it is made a parameter, so
        every page number runs the one statement."""
        stand_ins = [*self._stand_ins, *extra_stand_ins]
        adapters = [_same] * len(self._stand_ins) + list(adapt or [_same] * len(extra))
        offset_stand_in = None if offset is None else extra_stand_ins[offset]

        def make(queryset: QuerySet) -> _Statement:
            return _values_statement(transform(queryset, *extra_stand_ins), using,
                                     stand_ins, adapters, offset_stand_in)

        plan = self._plan(("rows", *shape), using, make)
        connection = connections[using]
        given = [*values, *extra]
        # Read ahead only without extra values: their adapters may hold this thread's
        # connection, and a noted statement is written again on any thread.
        rows = ahead.fetch(using, plan.sql, plan.params(given, adapters), given,
                           None if extra else
                           lambda given: (plan.sql, plan.params(given, adapters)))
        return _as_dicts(plan, rows, connection)

    def scalar(self, shape: tuple, values: tuple, statement: Callable[[QuerySet, str], tuple],
               using: str = "default"):
        """The first column of the first row (``None`` if none) of ``statement(queryset,
        using)``, the ``(sql, params)`` of one statement on the recipe's queryset
        (``exists_sql``, ``count_sql``): written for the stand-ins the first time only, and
        written, not run, so planning asks the database nothing."""
        row = self.row(shape, values, statement, using)
        return row[0] if row else None

    def row(self, shape: tuple, values: tuple, statement: Callable[[QuerySet, str], tuple],
            using: str = "default") -> tuple | None:
        """The first row (``None`` if none) of ``statement(queryset, using)``, as ``scalar``
        writes and runs it: several small answers (capped counts) in one round trip."""

        def make(queryset: QuerySet) -> _Statement:
            sql, params = statement(queryset, using)
            return _Statement(sql, params, list(self._stand_ins), [_same] * len(self._stand_ins),
                              connections[using])

        plan = self._plan(("scalar", statement.__name__, *shape), using, make)
        adapters = [_same] * len(values)
        rows = ahead.fetch(using, plan.sql, plan.params(list(values), adapters), values,
                           lambda given: (plan.sql, plan.params(list(given), adapters)))
        return tuple(rows[0]) if rows else None


def exists_sql(queryset: QuerySet, using: str) -> tuple[str, tuple]:
    """The statement of ``queryset.exists()``, as Django writes it (``Query.has_results``)."""
    return queryset.query.exists().get_compiler(using=using).as_sql()


def count_sql(queryset: QuerySet, using: str) -> tuple[str, tuple]:
    """A statement counting ``queryset``'s rows (a sliced one counts at most its slice)."""
    sql, params = queryset.query.get_compiler(using=using).as_sql()
    # Django wrote ``sql``; every value is still a parameter.
    return f"SELECT COUNT(*) FROM ({sql}) counted", params  # noqa: S608


#: What ``Constant`` writes into SQL: a choice's stored value (letters, digits, ``_``, ``-``).
_PLAIN_TEXT = re.compile(r"[A-Za-z0-9_-]{1,64}")


class Constant(Value):
    """A fixed text or integer written into the SQL as a literal, not bound as a parameter:
    ``Finding.objects.filter(status=Constant(FindingStatus.OPEN))``.

    For the plain ORM querysets a request runs often (the ``Recipe``/``Rows`` statements
    already write their constants in, ``_constants_written_in``). With server-side binding
    a statement run often on a connection is prepared, and PostgreSQL may keep a *generic*
    plan made without the parameters' values: ``status = $2`` then matches no partial
    index ``WHERE status = 'open'`` and gives the planner no statistics for the value. Only
    a plain choice value (letters, digits, ``_``, ``-``) or an integer is accepted, so
    nothing needs quoting; anything else is a ``ValueError`` when the queryset is built."""

    def __init__(self, value, output_field=None) -> None:
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise ValueError(f"Constant: a text or an integer, not {value!r}")
        if isinstance(value, str):
            value = str(value)  # a TextChoices member: its stored value
            if not _PLAIN_TEXT.fullmatch(value):
                raise ValueError(f"Constant: plain text only ({value!r})")
        super().__init__(value, output_field=output_field)

    def as_sql(self, compiler, connection):
        if isinstance(self.value, str):
            return f"'{self.value}'", []
        return str(int(self.value)), []


class ContainsWrittenIn(IContains):
    """``icontains`` whose pattern PostgreSQL reads in the SQL itself (quoted by psycopg, as
    a client-side bound value is), not as a parameter; elsewhere Django's own.

    For a search by part of a text on a kept connection: prepared after a few searches, the
    statement's *generic* plan cannot tell a pattern found in a few rows from one in most,
    and for the caseload's search by reference it chose a bitmap of the trigram index over
    the whole organisation (``?q=A`` at 100k: 0.2-19 ms planned for the term, 140-900 ms
    generic; bench/README.md, h-generic). With the term in the SQL each term is its own
    statement, planned for it. Register it on the field searched:
    ``Model._meta.get_field("reference").register_lookup(ContainsWrittenIn)``."""

    lookup_name = "icontains"

    def process_rhs(self, qn, connection):
        rhs, params = super().process_rhs(qn, connection)
        if (connection.vendor == "postgresql" and rhs == "%s" and len(params) == 1
                and isinstance(params[0], str)):
            # A % in the quoted pattern must survive the driver's own formatting.
            return connection.ops.compose_sql("%s", params).replace("%", "%%"), []
        return rhs, params


@contextlib.contextmanager
def planned_each_run(using: str = "default"):
    """Within it, the statements run on ``using`` are not prepared (PostgreSQL with
    server-side binding): each is planned for its own values, as with binding off.

    For the few statements whose good plan depends on the organisation asked about: a
    kept connection serves one organisation after another, and once a statement is
    prepared PostgreSQL may keep the *generic* plan it judged best for the first ones. The
    timeline's task lists walk the events by date and check each one's case: right for the
    organisation with 100,000 survivors, 45-60 ms for one with 20, whose own plan reads its
    few cases' events in 1.5 ms (bench/README.md, h-generic). No statement is added: psycopg
    sends these unnamed (its ``prepare_threshold`` is ``None`` for the block, restored
    after). Querysets are lazy: evaluate them inside the block."""
    connection = connections[using]
    if connection.vendor != "postgresql" or not connection.features.uses_server_side_binding:
        yield
        return
    connection.ensure_connection()
    raw = connection.connection
    kept = raw.prepare_threshold
    raw.prepare_threshold = None
    try:
        yield
    finally:
        raw.prepare_threshold = kept


class AnyOf(Lookup):
    """``AnyOf(F("pk"), ids)``, a filter: the column's value is one of ``ids``, the whole list
    passed as **one** parameter (a PostgreSQL array, ``= ANY(%s::bigint[])``; on SQLite a
    JSON text read by ``json_each``). Django writes ``pk__in=ids`` as one ``%s`` per item,
    so a statement naming a page's ids was written again on every request; with the list
    as one parameter ``Rows`` writes it once (issue 13, h-caseload5). Only for integers and
    text (compared for equality, as ``__in`` compares them)."""

    lookup_name = "any_of"
    prepare_rhs = False
    can_use_none_as_rhs = False

    def __init__(self, lhs, rhs):
        if isinstance(lhs, str):
            lhs = F(lhs)
        super().__init__(lhs, list(rhs))

    def as_sql(self, compiler, connection):
        lhs_sql, lhs_params = self.process_lhs(compiler, connection)
        value = list_parameter(connection, self.rhs)
        if connection.vendor == "postgresql":
            db_type = self.lhs.output_field.cast_db_type(connection)
            return f"{lhs_sql} = ANY(%s::{db_type}[])", (*lhs_params, value)
        return f"{lhs_sql} IN (SELECT value FROM json_each(%s))", (*lhs_params, value)  # noqa: S608 (the column Django wrote)


def list_parameter(connection, values) -> list | str:
    """A list of integers or texts as one parameter of ``AnyOf``: the list itself on
    PostgreSQL (an array), JSON text elsewhere (SQLite's ``json_each``)."""
    items = list(values)
    if any(isinstance(v, bool) or not isinstance(v, int | str) for v in items):
        raise ValueError(f"AnyOf: only integers and texts ({items!r})")
    return items if connection.vendor == "postgresql" else json.dumps(items)


def _adapt_for(connection, value):
    """``value`` as a lookup on a date or date-time column passes it to the database (a
    string on SQLite, itself on PostgreSQL), and a list as ``AnyOf`` passes it; anything
    else unchanged."""
    if isinstance(value, list | tuple):
        return list_parameter(connection, value)
    if isinstance(value, dt.datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, dt.date):
        return connection.ops.adapt_datefield_value(value)
    return value


def _another(stand_in):
    """A second stand-in in place of ``stand_in``, to write the query again with."""
    if isinstance(stand_in, dt.date):  # a date-time too
        return stand_in + dt.timedelta(days=1)
    if isinstance(stand_in, int) and not isinstance(stand_in, bool):
        return stand_in - 1
    if isinstance(stand_in, str):
        return stand_in + "~"
    if isinstance(stand_in, list | tuple):
        return [_another(item) for item in stand_in]
    raise ValueError(f"Prepared: a stand-in must be an integer, text, a date or a date-time "
                     f"({stand_in!r})")


#: Parameters a ``Rows`` query may keep as written (a status, a flag, a fixed interval): a
#: date or a time is a value of the call, never kept (it would be the first call's day).
_KEPT_TYPES = (str, int, bool, float, Decimal, dt.timedelta, type(None))


class Rows:
    """``Rows(build, *stand_ins)``: ``rows(*values, limit=…)`` is the list of rows (dicts by
    column, each column converted as ``values()`` converts it) of ``build(*values)``, a
    ``values()`` queryset, cut to ``[offset:offset + limit]``; Django writes its SQL once per
    process, database and cut, with the stand-ins, and it is run again with the real values.

    For the fixed-shape lists a page asks for on every view with "today" or "now" in them
    (the caseload's alert sources): values may be dates and date-times (adapted as a lookup
    on such a column adapts them; each stand-in must come out as exactly one distinct
    parameter value, checked when written). Every other parameter is kept as written, so
    it must not depend on the values or the clock: ``build`` is written a second time with
    other stand-ins (each integer less one, each date a day later) and must give the same
    SQL and kept parameters, and a kept date or time is refused (it would be the first
    call's). On PostgreSQL the values that are dates are written into the SQL as literals
    when it runs (``_Statement.with_dates_written_in``: a generic plan is blind to a date
    range's width), and so are the integer values at the positions ``written_in`` names
    (an organisation's or a person's id: a statement left without parameters is planned
    once with the real values, not afresh on every run). A list value (``AnyOf``) is one
    parameter. ``each_run=True``: never prepared, planned for its values on every run
    (``planned_each_run``), for a statement whose good plan depends on the organisation."""

    def __init__(self, build: Callable[..., QuerySet], *stand_ins,
                 written_in: tuple[int, ...] = (), each_run: bool = False) -> None:
        self._build = build
        self._stand_ins = stand_ins
        #: Planned for its values on every run, never prepared (``planned_each_run``).
        self.each_run = each_run
        self._plans: dict[tuple, _Statement] = {}
        #: Positions of values (integers: an organisation's, a person's id) written into
        #: the SQL on PostgreSQL, as dates are (``_Statement.with_dates_written_in``).
        self._written_in = tuple(written_in)
        for i in self._written_in:
            if not (0 <= i < len(stand_ins)) or not (
                    type(stand_ins[i]) is int or isinstance(stand_ins[i], list | tuple)):
                raise ValueError(f"Prepared: written_in {i} must name an integer value or "
                                 f"a list (``AnyOf``)")

    def _plan(self, using: str, offset: int, limit: int | None) -> _Statement:
        key = (using, connections[using].vendor, offset, limit)
        plan = self._plans.get(key)
        if plan is None:
            connection = connections[using]
            adapt = [partial(_adapt_for, connection)] * len(self._stand_ins)
            plan = self._write(using, offset, limit, adapt, self._stand_ins)
            # Written again with other stand-ins: every parameter that is not one of them
            # must come out the same (a date worked out from "today" would not).
            again = self._write(using, offset, limit, adapt,
                                tuple(_another(s) for s in self._stand_ins))
            if (plan.sql, plan.slots) != (again.sql, again.slots):
                raise ValueError("Prepared: the query's SQL or a kept parameter changes with "
                                 "the values (a date or time worked out from them, or the "
                                 "clock, kept in the query?)")
            kept = [c for i, c in plan.slots if i is None]
            if any(not isinstance(c, _KEPT_TYPES) for c in kept):
                raise ValueError(f"Prepared: a date or time kept in the query, not passed as "
                                 f"a value ({kept!r})")
            if len(self._plans) >= MADE:  # one per cut asked for: a batch's offset grows
                self._plans.clear()
            self._plans[key] = plan
        return plan

    def _write(self, using: str, offset: int, limit: int | None, adapt: list,
               stand_ins: tuple) -> _Statement:
        queryset = self._build(*stand_ins)
        if limit is not None or offset:
            queryset = queryset[offset:None if limit is None else offset + limit]
        return _values_statement(queryset, using, list(stand_ins), adapt)

    def rows(self, *values, offset: int = 0, limit: int | None = None,
             using: str = "default") -> list[dict]:
        for value in values:
            if isinstance(value, int) and not SMALLEST <= value <= BIGGEST:
                return []
        plan = self._plan(using, offset, limit)
        if self.each_run:
            connection = connections[using]
            adapt = [partial(_adapt_for, connection)] * len(values)
            with planned_each_run(using), connection.cursor() as cursor:
                cursor.execute(*plan.with_dates_written_in(list(values), adapt, connection,
                                                           self._written_in))
                return _as_dicts(plan, cursor.fetchall(), connection)

        def write(given) -> tuple[str, list]:
            # The connection of the thread that writes it (a noted statement is written
            # again by a later page, on whichever thread serves it).
            connection = connections[using]
            adapt = [partial(_adapt_for, connection)] * len(given)
            return plan.with_dates_written_in(list(given), adapt, connection, self._written_in)

        rows = ahead.fetch(using, *write(values), values, write)
        return _as_dicts(plan, rows, connections[using])


# --- One row written: the INSERT's SQL written once per process ---------------------------


class _Insert:
    __slots__ = ("fields", "pk", "sql")

    def __init__(self, model, connection) -> None:
        meta = model._meta
        self.pk = meta.pk
        self.fields = [f for f in meta.local_concrete_fields
                       if f is not self.pk and not f.generated]
        quote = connection.ops.quote_name
        columns = ", ".join(quote(f.column) for f in self.fields)
        marks = ", ".join(["%s"] * len(self.fields))
        self.sql = (f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({marks}) "  # noqa: S608 - quoted names of the model's own columns
                    f"RETURNING {quote(self.pk.column)}")


_INSERTS: dict = {}


def insert(obj, using: str = "default") -> None:
    """Write a new ``obj`` as ``obj.save(force_insert=True)`` does: the same values prepared
    by each field (``pre_save``, ``get_db_prep_save``: sealed fields are sealed, JSON adapted),
    the primary key read back, the instance marked saved. Only the SQL is not compiled
    again: Django's compiler wrote the survivor's 26-column INSERT afresh on every create,
    a tenth of its CPU (issue 13). A model with ``pre_save``/``post_save`` receivers, an
    inherited table, its own ``save()``, a value the database works out (an expression, a
    database default) or a primary key already set is saved by ``save()`` instead, so
    nothing is skipped."""
    from django.db.models import Model, signals
    from django.db.models.expressions import DatabaseDefault

    model = type(obj)
    meta = model._meta
    connection = connections[using]
    if (obj.pk is not None or meta.parents or model.save is not Model.save
            or signals.pre_save.has_listeners(model)
            or signals.post_save.has_listeners(model)
            or not connection.features.can_return_columns_from_insert):
        obj.save(force_insert=True, using=using)
        return
    obj._prepare_related_fields_for_save(operation_name="save")  # as save(): no unsaved parent
    plan = _INSERTS.get((model, connection.vendor))
    if plan is None:
        plan = _INSERTS[(model, connection.vendor)] = _Insert(model, connection)
    values = [field.pre_save(obj, True) for field in plan.fields]
    if any(isinstance(v, DatabaseDefault) or hasattr(v, "resolve_expression") for v in values):
        obj.save(force_insert=True, using=using)
        return
    params = [field.get_db_prep_save(value, connection=connection)
              for field, value in zip(plan.fields, values, strict=True)]
    with connection.cursor() as cursor:
        cursor.execute(plan.sql, params)
        (pk,) = cursor.fetchone()
    setattr(obj, plan.pk.attname, pk)
    obj._state.adding = False
    obj._state.db = using
