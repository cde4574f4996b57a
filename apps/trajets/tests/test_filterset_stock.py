"""``LightFilterSet`` (a FilterSet built without django-filter's constructor, for speed) gives
what the stock django-filter FilterSet gives, on every declared filter of every FilterSet of
the project: the filters, the form fields, the validation errors and the filtered querysets
(their SQL and their rows on the bundled samples). An upgrade of django-filter that changes
what its constructor sets up fails here instead of silently."""

from __future__ import annotations

import contextlib
import importlib
import itertools
from collections.abc import Iterator
from typing import Any

import django_filters
import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils.functional import Promise

from apps.trajets.etl.runner import run_etl
from apps.trajets.etl.sources import DEFAULT_SOURCES_FILE, load_sources
from apps.trajets.models import Operator, Station
from obrail.api.filters import LightFilterSet

pytestmark = pytest.mark.django_db

# What LightFilterSet overrides of django-filter's FilterSet; without them, a subclass is
# the stock FilterSet with the same declarations.
LIGHT_OVERRIDES = ("__init__", "is_valid", "qs", "get_form_class")
# Values tried on every filter, valid for some and not for others.
GENERIC_VALUES = (
    "", " ", "x", "1", "-1", "2.5", "true", "FR", "Paris", "2025-01-06", "2025-13-40",
    "08:00", "\x00",
)  # fmt: skip


def project_filtersets() -> list[type[django_filters.FilterSet]]:
    """Every FilterSet class defined in the project's apps (their ``filters`` modules)."""
    for config in django_apps.get_app_configs():
        if config.name.startswith("apps."):
            with contextlib.suppress(ModuleNotFoundError):
                importlib.import_module(f"{config.name}.filters")
    found: list[type] = []
    pending = [django_filters.FilterSet]
    while pending:
        for subclass in pending.pop().__subclasses__():
            pending.append(subclass)
            if subclass.__module__.startswith("apps.") and subclass is not LightFilterSet:
                found.append(subclass)
    return sorted(found, key=lambda c: f"{c.__module__}.{c.__qualname__}")


@contextlib.contextmanager
def stock_filtersets() -> Iterator[None]:
    """LightFilterSet without its overrides: its subclasses then run django-filter's code."""
    saved = {name: LightFilterSet.__dict__[name] for name in LIGHT_OVERRIDES}
    for name in LIGHT_OVERRIDES:
        delattr(LightFilterSet, name)
    try:
        yield
    finally:
        for name, value in saved.items():
            setattr(LightFilterSet, name, value)


def plain(value: Any, depth: int = 0) -> Any:
    """``value`` as comparable data: a copy and the object it was copied from compare equal
    (validators and widgets compare by identity)."""
    if isinstance(value, str | int | float | bool | type(None) | type):
        return value
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, QuerySet):
        return (value.model, str(value.query))
    if isinstance(value, list | tuple | set | frozenset):
        items = [plain(v, depth + 1) for v in value]
        return tuple(sorted(items, key=repr) if isinstance(value, set | frozenset) else items)
    if isinstance(value, dict):
        return tuple(sorted((str(k), plain(v, depth + 1)) for k, v in value.items()))
    if hasattr(value, "_constructor_args"):  # Django's deconstructible (validators)
        return (type(value), plain(value._constructor_args, depth + 1))
    if callable(value) and hasattr(value, "__qualname__"):
        return value.__qualname__
    if hasattr(value, "__dict__") and depth < 4:
        return (type(value), plain(vars(value), depth + 1))
    return repr(value)


def kind(cls: type) -> tuple:
    """A class by name and bases: django-filter makes a new CSV field and widget class for
    each filter it builds (same name, same bases)."""
    return (cls.__module__, cls.__qualname__, tuple(kind(base) for base in cls.__bases__))


def filter_facts(filterset: Any) -> dict[str, tuple]:
    return {
        name: (
            kind(type(f)),
            f.field_name,
            f.lookup_expr,
            str(f.label),
            f.exclude,
            f.distinct,
            getattr(f.method, "__name__", f.method),
            f.model,
            f.parent is filterset,
            # A method filter's FilterMethod, or the filter's own method, bound to this copy.
            getattr(f.filter, "f", getattr(f.filter, "__self__", None)) is f,
            plain(f.extra),
        )
        for name, f in filterset.filters.items()
    }


def form_facts(form: Any) -> dict[str, tuple]:
    return {
        name: (
            kind(type(field)),
            str(field.label),
            field.required,
            str(field.help_text),
            kind(type(field.widget)),
            plain(field.widget.attrs),
            [tuple(map(str, c)) for c in itertools.islice(getattr(field, "choices", []), 30)],
        )
        for name, field in form.fields.items()
    }


def outcome(
    filterset_class: type,
    data: QueryDict | None,
    *,
    renders_form: bool,
    html: bool,
    rows_seen: set[tuple] | None = None,
) -> dict:
    """Everything a caller reads of a FilterSet built on ``data``: with ``html`` the form as
    rendered, and the filtered rows (SQL and ids) unless ``rows_seen`` holds its validated
    values already (the rows depend on them alone; a period's SQL takes a while to build)."""
    filterset = filterset_class(data, queryset=filterset_class._meta.model._default_manager.all())
    filterset.renders_form = renders_form
    valid = filterset.is_valid()
    result: dict[str, Any] = {
        "filters": filter_facts(filterset),
        "valid": valid,
        "is_bound": filterset.is_bound,
        "form": form_facts(filterset.form),
        "errors": {
            name: [(e.code, " ".join(e.messages)) for e in errors]
            for name, errors in filterset.form.errors.as_data().items()
        },
        "cleaned": repr(sorted(filterset.cleaned_filters.items())) if valid else None,
    }
    if renders_form and html:
        result["html"] = str(filterset.form)
    key = (filterset_class, result["cleaned"])
    if valid and (rows_seen is None or key not in rows_seen):
        sql, params = filterset.qs.values_list("pk", flat=True)[:200].query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            result["rows"] = [row[0] for row in cursor.fetchall()]
        result["sql"] = (sql, params)
    return result


def candidate_values(filterset_class: type, name: str) -> list[str]:
    """The generic values, the choices of the filter's field, and values read from the
    sample data (a station's id, UIC code and name, an operator's code)."""
    field = filterset_class().filters[name].field
    values = list(GENERIC_VALUES)
    values += [str(value) for value, _label in getattr(field, "choices", []) if value != ""][:12]
    station = Station.objects.exclude(uic_code=None).order_by("id").first()
    if station is not None:
        values += [str(station.pk), station.uic_code or "", station.name[:6], station.country]
    values += list(Operator.objects.order_by("code").values_list("code", flat=True)[:3])
    return list(dict.fromkeys(values))


@pytest.fixture
def samples(settings, tmp_path) -> None:
    """A bundled timetable loaded by the ETL: its stations, operators and trajets."""
    settings.ROUTING_ARTIFACT_DIR = tmp_path / "routing"
    settings.ETL_CACHE_DIR = tmp_path / "etl-cache"
    specs = [s for s in load_sources(DEFAULT_SOURCES_FILE) if s.name == "sncf-intercites"]
    assert [r.status for r in run_etl(specs)] == ["succeeded"]


def test_every_filterset_of_the_project_is_checked() -> None:
    names = {c.__qualname__ for c in project_filtersets()}
    assert {"TrajetFilterSet", "StationFilterSet", "OperatorFilterSet", "CityPairFilterSet"} <= (
        names
    )
    assert all(issubclass(c, LightFilterSet) for c in project_filtersets())


def test_the_overrides_replace_methods_of_the_stock_filterset() -> None:
    """Each name the fast path overrides exists in django-filter's FilterSet (an upgrade that
    renames one leaves the override dead: this says so)."""
    for name in LIGHT_OVERRIDES:
        assert name in LightFilterSet.__dict__
        assert hasattr(django_filters.FilterSet, name)


def test_every_declared_filter_gives_what_the_stock_filterset_gives(samples: None) -> None:
    """On the pages (the form rendered: its HTML compared on every fifth case, the costly
    part) and in the API (the form only validated); the rows once per validated values."""
    compared = 0
    for filterset_class in project_filtersets():
        cases: list[QueryDict | None] = [None, QueryDict(), QueryDict("unrelated=1")]
        for name in filterset_class.base_filters:
            for value in candidate_values(filterset_class, name):
                data = QueryDict(mutable=True)
                data[name] = value
                cases.append(data)
        fast_seen: set[tuple] = set()
        stock_seen: set[tuple] = set()
        for number, data in enumerate(cases):
            for renders_form in (True, False):
                html = number % 5 == 0
                fast = outcome(
                    filterset_class, data, renders_form=renders_form, html=html, rows_seen=fast_seen
                )
                with stock_filtersets():
                    stock = outcome(
                        filterset_class, data, renders_form=renders_form, html=html,
                        rows_seen=stock_seen,
                    )  # fmt: skip
                assert fast == stock, (filterset_class.__name__, renders_form, data)
                fast_seen.add((filterset_class, fast["cleaned"]))
                stock_seen.add((filterset_class, stock["cleaned"]))
                compared += 1
    assert compared > 500


def test_the_comparison_fails_when_the_fast_path_differs(samples: None) -> None:
    """The check above can fail: a fast constructor that forgets a filter's parent."""
    from apps.trajets.filters import TrajetFilterSet

    data = QueryDict("kind=night")
    stock = outcome(TrajetFilterSet, data, renders_form=True, html=True)
    original = LightFilterSet.__init__

    def forgetful(self, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        self.filters["kind"].parent = None

    LightFilterSet.__init__ = forgetful  # type: ignore[method-assign]
    try:
        assert outcome(TrajetFilterSet, data, renders_form=True, html=True) != stock
    finally:
        LightFilterSet.__init__ = original  # type: ignore[method-assign]
