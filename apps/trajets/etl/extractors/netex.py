"""NeTEx extractor for rail timetables (one XML PublicationDelivery), read as a stream.

Elements read (namespace ignored; docs/data.md lists them with the profile notes):

* ``StopPlace`` (name, ``Centroid/Location``, ``TopographicPlaceView/CountryRef``,
  ``Locale/TimeZone``, UIC code from ``PrivateCode``/``KeyValue`` typed ``uic`` or from a
  UIC-like id ``008727100``), ``ScheduledStopPoint`` and ``PassengerStopAssignment``
  (scheduled stop point → stop place);
* ``Operator``, ``Line`` (name, ``PublicCode``, ``TransportMode``);
* ``DayType`` (``PropertyOfDay/DaysOfWeek``), ``OperatingDay``, ``OperatingPeriod``,
  ``UicOperatingPeriod`` (``ValidDayBits``), ``DayTypeAssignment`` (``Date``,
  ``OperatingDayRef`` or ``OperatingPeriodRef``, ``IsAvailable``), ``AvailabilityCondition``
  (the journey's ``validityConditions``; a frame's refusals ``IsAvailable=false``);
* ``ServiceJourney`` with ``calls/Call`` (``Arrival``/``Departure`` with ``Time``,
  ``DayOffset``, ``ForAlighting``/``ForBoarding``) or ``passingTimes/TimetabledPassingTime``
  resolved through ``StopPointInJourneyPattern`` of its (service) journey pattern.

A file that is not well-formed XML, not NeTEx, or without any ``ServiceJourney`` raises
:class:`ExtractError` (nothing is stored). A journey using a construct this extractor does not
understand (a day type described by anything but weekdays, a mode that is not rail, an unknown
reference) becomes a reject with its reason.
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ExtractError, reject_code_of
from ..harmonise.codes import normalise_uic
from ..harmonise.timezones import repair_time_zone, zone_for_country
from ..records import (
    CalendarRecord,
    Location,
    OperatorRecord,
    Record,
    RejectCode,
    RejectRecord,
    ServiceRecord,
    StationRecord,
    StopTimeRecord,
)

__all__ = ["extract_netex"]

NETEX_NAMESPACE = "http://www.netex.org.uk/netex"
_DAY_S = 86_400
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_WEEKDAY_GROUPS = {
    "weekdays": (0, 1, 2, 3, 4), "weekend": (5, 6), "everyday": tuple(range(7)),
}  # fmt: skip
# PropertyOfDay children read; any other one changes which days a day type means.
_KNOWN_DAY_PROPERTIES = {"DaysOfWeek", "HolidayTypes", "Name", "Description"}
_RAIL_MODES = {"rail", ""}
_UIC_ID = re.compile(r"(?:^|:)00(\d{7})$")
# UIC country codes (the first two digits of a station code) of the countries the examples
# and the warehouse's sources serve: a station without a CountryRef gets its country here.
_UIC_COUNTRIES = {
    "70": "GB", "71": "ES", "74": "SE", "76": "NO", "79": "SI", "80": "DE", "81": "AT",
    "82": "LU", "83": "IT", "84": "NL", "85": "CH", "86": "DK", "87": "FR", "88": "BE",
    "94": "PT", "51": "PL", "53": "RO", "54": "CZ", "55": "HU", "56": "SK", "78": "HR",
}  # fmt: skip


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child(element: ET.Element, *path: str) -> ET.Element | None:
    """The first descendant along ``path`` of direct children (local names)."""
    current: ET.Element | None = element
    for name in path:
        if current is None:
            return None
        current = next((c for c in current if _local(c.tag) == name), None)
    return current


def _text(element: ET.Element, *path: str) -> str:
    found = _child(element, *path)
    return (found.text or "").strip() if found is not None else ""


def _ref(element: ET.Element, *path: str) -> str:
    found = _child(element, *path)
    return found.get("ref", "").strip() if found is not None else ""


def _children(element: ET.Element, *path: str) -> list[ET.Element]:
    """The direct children named ``path[-1]`` of the element at ``path[:-1]``."""
    parent = _child(element, *path[:-1]) if len(path) > 1 else element
    if parent is None:
        return []
    return [c for c in parent if _local(c.tag) == path[-1]]


def _broken_reference(message: str) -> ExtractError:
    """A journey's calendar refers to an element absent from the file."""
    return ExtractError(message, code=RejectCode.BROKEN_REFERENCE)


def _unsupported_calendar(message: str) -> ExtractError:
    """A journey's calendar uses a construct this reader does not date."""
    return ExtractError(message, code=RejectCode.INVALID_CALENDAR)


def _date(value: str) -> dt.date:
    """A NeTEx date or date-time (``2010-12-12`` or ``2010-12-12T00:00:00Z``) as a date."""
    try:
        return dt.date.fromisoformat(value.strip()[:10])
    except ValueError:
        raise ExtractError(
            f"date {value!r} is not YYYY-MM-DD", code=RejectCode.INVALID_DATE
        ) from None


def _seconds(value: str) -> int:
    """``HH:MM[:SS]`` as seconds after midnight."""
    parts = value.strip().split(":")
    try:
        if len(parts) not in (2, 3):
            raise ValueError
        hours, minutes = int(parts[0]), int(parts[1])
        seconds = int(parts[2][:2]) if len(parts) == 3 else 0
    except ValueError:
        raise ExtractError(f"time {value!r} is not h:mm:ss", code=RejectCode.INVALID_TIME) from None
    if not (0 <= hours < 24 and 0 <= minutes < 60 and 0 <= seconds < 60):
        raise ExtractError(f"impossible time {value!r}", code=RejectCode.INVALID_TIME)
    return hours * 3600 + minutes * 60 + seconds


@dataclass
class _DayType:
    weekdays: tuple[int, ...] | None  # None: any weekday
    problem: str = ""


@dataclass
class _Condition:
    first: dt.date | None
    last: dt.date | None
    available: bool
    day_types: tuple[str, ...]


@dataclass
class _Journey:
    id: str
    line: int
    frame: str
    number: str
    name: str
    operator: str
    line_ref: str
    pattern_ref: str
    mode: str
    day_types: tuple[str, ...]
    conditions: tuple[str, ...]
    calls: list[tuple[int, str, str, int, str, int, bool, bool]] = field(default_factory=list)
    passing: list[tuple[str, str, int, str, int]] = field(default_factory=list)
    problem: str = ""
    problem_code: RejectCode = RejectCode.INVALID_RECORD


@dataclass
class _Model:
    """Everything but the journeys, keyed by NeTEx id."""

    stop_places: dict[str, StationRecord] = field(default_factory=dict)
    stop_points: dict[str, str] = field(default_factory=dict)  # id → name
    assignments: dict[str, tuple[int, str]] = field(default_factory=dict)  # SSP → (order, SP)
    operators: dict[str, OperatorRecord] = field(default_factory=dict)
    lines: dict[str, tuple[str, str, str, str]] = field(default_factory=dict)
    day_types: dict[str, _DayType] = field(default_factory=dict)
    operating_days: dict[str, dt.date] = field(default_factory=dict)
    periods: dict[str, tuple[dt.date, dt.date]] = field(default_factory=dict)
    period_days: dict[str, frozenset[int]] = field(default_factory=dict)  # UicOperatingPeriod
    day_assignments: list[tuple[str, str, str, str, bool, int]] = field(default_factory=list)
    conditions: dict[str, _Condition] = field(default_factory=dict)
    frame_refusals: dict[str, list[str]] = field(default_factory=dict)  # frame → conditions
    frame_windows: dict[str, list[str]] = field(default_factory=dict)  # frame → conditions
    frame_operator: dict[str, str] = field(default_factory=dict)
    pattern_points: dict[str, tuple[str, bool, bool]] = field(default_factory=dict)
    pattern_lines: dict[str, str] = field(default_factory=dict)
    route_lines: dict[str, str] = field(default_factory=dict)
    rejects: list[RejectRecord] = field(default_factory=list)


def extract_netex(path: Path, options: Mapping[str, Any]) -> Iterator[Record]:
    """Stream the operators, stations, services and rejects of a NeTEx timetable file.

    Options: ``uic_codes`` (a table of StopPlace id → UIC code, for profiles whose stop
    places carry no code), ``operator`` (operator name when the file names none).
    """
    file = Path(path)
    if file.is_dir():
        raise ExtractError(f"{file}: a NeTEx source is one XML file, not a folder")
    model, journeys = _read(file)
    uic_codes = options.get("uic_codes") or {}
    if not isinstance(uic_codes, Mapping):
        raise ExtractError("option uic_codes must be a table of StopPlace id = UIC code")
    yield from model.rejects
    used_operators = {j.operator or model.frame_operator.get(j.frame, "") for j in journeys}
    for operator_id in sorted(used_operators):
        if operator_id in model.operators:
            yield model.operators[operator_id]
        else:
            name = str(options.get("operator", "")) or operator_id or file.stem
            yield OperatorRecord(operator_id, name, Location(file.name))
    stations_used: dict[str, StationRecord] = {}
    services = [_service(j, model, file.name, uic_codes, stations_used) for j in journeys]
    yield from stations_used.values()  # the stations a service calls at, before the services
    yield from services


def _read(file: Path) -> tuple[_Model, list[_Journey]]:
    """One streaming pass: the model's elements kept small, each journey as plain values."""
    model = _Model()
    journeys: list[_Journey] = []
    frames: list[str] = []
    root_seen = False
    _refuse_doctype(file)
    try:
        # No DTD (refused above); expat >= 2.4 also bounds entity amplification.
        for event, element in ET.iterparse(file, events=("start", "end")):  # noqa: S314
            name = _local(element.tag)
            if event == "start":
                if not root_seen:
                    root_seen = True
                    if name != "PublicationDelivery" or not element.tag.startswith(
                        "{" + NETEX_NAMESPACE
                    ):
                        raise ExtractError(
                            f"{file.name}: not a NeTEx file (root element {element.tag!r}, "
                            f"expected PublicationDelivery in {NETEX_NAMESPACE})"
                        )
                if name == "TimetableFrame":
                    frames.append(element.get("id", ""))
                continue
            handler = _HANDLERS.get(name)
            if handler is not None:
                handler(element, model, file.name, frames[-1] if frames else "", journeys)
            if name == "TimetableFrame" and frames:
                frames.pop()
            if (handler is not None and name != "AvailabilityCondition") or name in _DROPPED:
                # Read into plain values: the element is no longer needed (a frame's or a
                # journey's conditions are read again by it, so they stay until then).
                element.clear()
    except ET.ParseError as exc:
        line, column = exc.position
        raise ExtractError(f"{file.name}:{line}:{column}: not well-formed XML ({exc})") from None
    if not root_seen:
        raise ExtractError(f"{file.name}: empty file")
    if not journeys:
        raise ExtractError(
            f"{file.name}: no ServiceJourney (this extractor reads NeTEx timetables; "
            "a file of stops or a network description alone has no train to load)"
        )
    return model, journeys


def _refuse_doctype(file: Path) -> None:
    """Refuse a document type declaration: NeTEx needs none, and entities declared there are
    the way XML bombs and external references come in."""
    with file.open("rb") as stream:
        head = stream.read(64 * 1024)
    if b"<!DOCTYPE" in head.split(b"PublicationDelivery", 1)[0]:
        raise ExtractError(f"{file.name}: a DOCTYPE declaration is refused in a NeTEx file")


def _stop_place(element, model, file_name, frame, journeys) -> None:
    sp_id = element.get("id", "")
    country = _ref(element, "TopographicPlaceView", "CountryRef").upper() or None
    uic = None
    for code in _children(element, "PrivateCode"):
        if "uic" in code.get("type", "").lower():
            uic = normalise_uic(code.text)
    for pair in _children(element, "keyList", "KeyValue"):
        if "uic" in _text(pair, "Key").lower():
            uic = normalise_uic(_text(pair, "Value"))
    found = _UIC_ID.search(sp_id)
    if uic is None and found:
        uic = found.group(1)
    latitude = longitude = None
    location = _child(element, "Centroid", "Location")
    if location is not None:
        try:
            latitude = float(_text(location, "Latitude"))
            longitude = float(_text(location, "Longitude"))
        except ValueError:
            latitude = longitude = None
    zone = zone_for_country(country) or repair_time_zone(_text(element, "Locale", "TimeZone"))
    names = [_text(n, "Name") for n in _children(element, "alternativeNames", "AlternativeName")]
    name = _text(element, "Name")
    model.stop_places[sp_id] = StationRecord(
        source_id=sp_id,
        name=name,
        location=Location(file_name, None, f"StopPlace id={sp_id}"),
        uic=uic,
        latitude=latitude,
        longitude=longitude,
        country=country,
        time_zone=zone,
        alt_names=tuple(dict.fromkeys(n for n in names if n and n != name)),
    )


def _scheduled_stop_point(element, model, file_name, frame, journeys) -> None:
    model.stop_points[element.get("id", "")] = _text(element, "Name")


def _assignment(element, model, file_name, frame, journeys) -> None:
    point, place = _ref(element, "ScheduledStopPointRef"), _ref(element, "StopPlaceRef")
    if not point or not place:
        return
    order = int(element.get("order", "1") or 1)
    if point not in model.assignments or order < model.assignments[point][0]:
        model.assignments[point] = (order, place)


def _operator(element, model, file_name, frame, journeys) -> None:
    op_id = element.get("id", "")
    model.operators[op_id] = OperatorRecord(
        source_id=op_id,
        name=_text(element, "ShortName") or _text(element, "Name") or op_id,
        location=Location(file_name, None, f"Operator id={op_id}"),
        url=_text(element, "ContactDetails", "Url"),
    )


def _line(element, model, file_name, frame, journeys) -> None:
    model.lines[element.get("id", "")] = (
        _text(element, "Name"),
        _text(element, "PublicCode"),
        _text(element, "TransportMode"),
        _ref(element, "OperatorRef"),
    )


def _day_type(element, model, file_name, frame, journeys) -> None:
    weekdays: set[int] = set()
    problem = ""
    described = False
    for prop in _children(element, "properties", "PropertyOfDay"):
        for child in prop:
            tag = _local(child.tag)
            if tag not in _KNOWN_DAY_PROPERTIES:
                problem = f"PropertyOfDay/{tag} is not read"
            elif tag == "DaysOfWeek":
                described = True
                for word in (child.text or "").split():
                    key = word.lower()
                    if key in _WEEKDAYS:
                        weekdays.add(_WEEKDAYS.index(key))
                    elif key in _WEEKDAY_GROUPS:
                        weekdays.update(_WEEKDAY_GROUPS[key])
                    elif key != "none":
                        problem = f"DaysOfWeek value {word!r} is not a weekday"
    model.day_types[element.get("id", "")] = _DayType(
        tuple(sorted(weekdays)) if described else None, problem
    )


def _operating_day(element, model, file_name, frame, journeys) -> None:
    try:
        model.operating_days[element.get("id", "")] = _date(_text(element, "CalendarDate"))
    except ValueError as exc:
        _reject_date(model, file_name, "OperatingDay", element, exc)


def _reject_date(model, file_name: str, kind: str, element, exc: ValueError) -> None:
    """Reject the ``kind`` element whose date does not parse (``exc`` says why)."""
    model.rejects.append(
        RejectRecord(
            Location(file_name, None, f"{kind} id={element.get('id')}"),
            RejectCode.INVALID_DATE,
            f"{kind}: invalid date: {exc}",
        )
    )


def _operating_period(element, model, file_name, frame, journeys) -> None:
    period_id = element.get("id", "")
    where = Location(file_name, None, f"{_local(element.tag)} id={period_id}")
    try:
        first_ref = _ref(element, "FromOperatingDayRef")
        last_ref = _ref(element, "ToOperatingDayRef")
        if first_ref or last_ref:
            first, last = model.operating_days[first_ref], model.operating_days[last_ref]
        else:
            first, last = _date(_text(element, "FromDate")), _date(_text(element, "ToDate"))
    except KeyError as exc:
        model.rejects.append(
            RejectRecord(
                where,
                RejectCode.BROKEN_REFERENCE,
                f"operating period: OperatingDay {exc} absent from the file",
            )
        )
        return
    except ValueError as exc:
        model.rejects.append(
            RejectRecord(where, RejectCode.INVALID_DATE, f"operating period: invalid date: {exc}")
        )
        return
    if last < first:
        problem = f"operating period calendar ends {last} before {first}"
        model.rejects.append(RejectRecord(where, RejectCode.INVALID_CALENDAR, problem))
        return
    bits = _text(element, "ValidDayBits")
    if _local(element.tag) == "UicOperatingPeriod" or bits:
        if set(bits) - {"0", "1"}:
            problem = "ValidDayBits calendar is not made of 0 and 1"
            model.rejects.append(RejectRecord(where, RejectCode.INVALID_CALENDAR, problem))
            return
        start = first.toordinal()
        model.period_days[period_id] = frozenset(
            start + i for i, bit in enumerate(bits) if bit == "1" and start + i <= last.toordinal()
        )
    model.periods[period_id] = (first, last)


def _day_type_assignment(element, model, file_name, frame, journeys) -> None:
    model.day_assignments.append(
        (
            _ref(element, "DayTypeRef"),
            _text(element, "Date"),
            _ref(element, "OperatingDayRef"),
            _ref(element, "OperatingPeriodRef") or _ref(element, "UicOperatingPeriodRef"),
            _text(element, "IsAvailable").lower() != "false",
            len(model.day_assignments),
        )
    )


def _condition(element, model, file_name, frame, journeys) -> None:
    first, last = _text(element, "FromDate"), _text(element, "ToDate")
    try:
        model.conditions[element.get("id", "")] = _Condition(
            _date(first) if first else None,
            _date(last) if last else None,
            _text(element, "IsAvailable").lower() != "false",
            tuple(_ref(r) for r in _children(element, "dayTypes", "DayTypeRef")),
        )
    except ValueError as exc:
        _reject_date(model, file_name, "AvailabilityCondition", element, exc)


def _timetable_frame(element, model, file_name, frame, journeys) -> None:
    frame_id = element.get("id", "")
    model.frame_refusals[frame_id] = [
        c.get("id", "")
        for c in _children(element, "validityConditions", "AvailabilityCondition")
        if _text(c, "IsAvailable").lower() == "false"
    ]
    model.frame_windows[frame_id] = [
        c.get("id", "")
        for c in _children(element, "validityConditions", "AvailabilityCondition")
        if _text(c, "IsAvailable").lower() != "false"
    ]
    operator = _ref(element, "OperatorView", "OperatorRef")
    if operator:
        model.frame_operator[frame_id] = operator


def _stop_point_in_pattern(element, model, file_name, frame, journeys) -> None:
    model.pattern_points[element.get("id", "")] = (
        _ref(element, "ScheduledStopPointRef"),
        _text(element, "ForBoarding").lower() != "false",
        _text(element, "ForAlighting").lower() != "false",
    )


def _journey_pattern(element, model, file_name, frame, journeys) -> None:
    line = _ref(element, "RouteView", "LineRef") or _ref(element, "LineRef")
    if line:
        model.pattern_lines[element.get("id", "")] = line


def _route(element, model, file_name, frame, journeys) -> None:
    line = _ref(element, "LineRef")
    if line:
        model.route_lines[element.get("id", "")] = line


def _service_journey(element, model, file_name, frame, journeys) -> None:
    sj_id = element.get("id", "")
    view = _child(element, "JourneyPatternView")
    pattern = _ref(element, "ServiceJourneyPatternRef") or _ref(element, "JourneyPatternRef")
    line_ref = _ref(element, "LineRef")
    if view is not None:
        pattern = (
            pattern or _ref(view, "ServiceJourneyPatternRef") or _ref(view, "JourneyPatternRef")
        )
        line_ref = line_ref or model.route_lines.get(_ref(view, "RouteRef"), "")
    number = _text(element, "PublicCode") or _text(element, "LineView", "PublicCode")
    journey = _Journey(
        id=sj_id,
        line=getattr(element, "sourceline", 0) or 0,
        frame=frame,
        number=number,
        name=_text(element, "Name") or _text(element, "Description") or _text(element, "ShortName"),
        operator=_ref(element, "OperatorRef"),
        line_ref=line_ref,
        pattern_ref=pattern,
        mode=_text(element, "TransportMode") or _text(element, "LineView", "TransportMode"),
        day_types=tuple(_ref(r) for r in _children(element, "dayTypes", "DayTypeRef")),
        conditions=tuple(
            _ref(r) for r in _children(element, "validityConditions", "AvailabilityConditionRef")
        ),
    )
    for inline in _children(element, "validityConditions", "AvailabilityCondition"):
        _condition(inline, model, file_name, frame, journeys)
        journey.conditions += (inline.get("id", ""),)
    try:
        for call in _children(element, "calls", "Call"):
            point = _ref(call, "ScheduledStopPointRef") or _ref(
                call, "ScheduledStopPointView", "ScheduledStopPointRef"
            )
            arrival, departure = _child(call, "Arrival"), _child(call, "Departure")
            times = []
            for part in (arrival, departure):
                clock = _text(part, "Time") if part is not None else ""
                offset = _text(part, "DayOffset") if part is not None else ""
                times.append((clock, int(offset) if offset else -1))
            journey.calls.append(
                (
                    int(call.get("order", "0") or 0), point,
                    times[0][0], times[0][1], times[1][0], times[1][1],
                    arrival is None or _text(arrival, "ForAlighting").lower() != "false",
                    departure is None or _text(departure, "ForBoarding").lower() != "false",
                )
            )  # fmt: skip
        for passing in _children(element, "passingTimes", "TimetabledPassingTime"):
            journey.passing.append(
                (
                    _ref(passing, "StopPointInJourneyPatternRef"),
                    _text(passing, "ArrivalTime"),
                    int(_text(passing, "ArrivalDayOffset") or -1),
                    _text(passing, "DepartureTime"),
                    int(_text(passing, "DepartureDayOffset") or -1),
                )
            )
    except ValueError as exc:
        journey.problem = f"DayOffset is not a whole number ({exc})"
        journey.problem_code = RejectCode.INVALID_TIME
    journeys.append(journey)


# Bulky elements that nothing reads: dropped as soon as parsed.
_DROPPED = {"Notice", "TrainComponent", "Quay", "TimingLink", "ServiceJourneyInterchange"}

_HANDLERS = {
    "StopPlace": _stop_place,
    "ScheduledStopPoint": _scheduled_stop_point,
    "PassengerStopAssignment": _assignment,
    "Operator": _operator,
    "Line": _line,
    "DayType": _day_type,
    "OperatingDay": _operating_day,
    "OperatingPeriod": _operating_period,
    "UicOperatingPeriod": _operating_period,
    "DayTypeAssignment": _day_type_assignment,
    "AvailabilityCondition": _condition,
    "TimetableFrame": _timetable_frame,
    "StopPointInJourneyPattern": _stop_point_in_pattern,
    "ServiceJourneyPattern": _journey_pattern,
    "JourneyPattern": _journey_pattern,
    "Route": _route,
    "ServiceJourney": _service_journey,
}


def _day_type_days(day_type_id: str, model: _Model) -> frozenset[int]:
    """The dates (ordinals) a day type stands for; ExtractError naming what is not understood."""
    if day_type_id in model.period_days:  # ERA/UIC: a DayTypeRef to a UicOperatingPeriod
        return model.period_days[day_type_id]
    day_type = model.day_types.get(day_type_id)
    if day_type is None:
        raise _broken_reference(f"DayType {day_type_id!r} absent from the file")
    if day_type.problem:
        raise _unsupported_calendar(
            f"unsupported calendar construct in DayType {day_type_id!r}: {day_type.problem}"
        )
    added: set[int] = set()
    removed: set[int] = set()
    assigned = False
    for ref, date, day_ref, period_ref, available, _order in model.day_assignments:
        if ref != day_type_id:
            continue
        assigned = True
        if date:
            days = {_date(date).toordinal()}
        elif day_ref:
            if day_ref not in model.operating_days:
                raise _broken_reference(
                    f"DayTypeAssignment: OperatingDay {day_ref!r} absent from the file"
                )
            days = {model.operating_days[day_ref].toordinal()}
        elif period_ref:
            if period_ref not in model.periods:
                raise _broken_reference(
                    f"DayTypeAssignment: OperatingPeriod {period_ref!r} absent from the file"
                )
            if period_ref in model.period_days:
                days = set(model.period_days[period_ref])
            else:
                first, last = model.periods[period_ref]
                days = set(range(first.toordinal(), last.toordinal() + 1))
        else:
            raise _unsupported_calendar(
                f"unsupported calendar construct: a DayTypeAssignment of {day_type_id!r} "
                "without Date, OperatingDayRef or OperatingPeriodRef"
            )
        if day_type.weekdays is not None:
            days = {d for d in days if (d - 1) % 7 in day_type.weekdays}
        (added if available else removed).update(days)
    if not assigned:
        return frozenset()  # weekdays alone: bounded by the journey's conditions
    return frozenset(added - removed)


def _condition_days(condition: _Condition, model: _Model) -> frozenset[int]:
    if condition.first is None or condition.last is None:
        raise _unsupported_calendar(
            "unsupported calendar construct: an AvailabilityCondition without FromDate and ToDate"
        )
    days = set(range(condition.first.toordinal(), condition.last.toordinal() + 1))
    if condition.day_types:
        weekdays: set[int] = set()
        for ref in condition.day_types:
            day_type = model.day_types.get(ref)
            if day_type is None:
                raise _broken_reference(f"DayType {ref!r} absent from the file")
            weekdays.update(day_type.weekdays if day_type.weekdays is not None else range(7))
        days = {d for d in days if (d - 1) % 7 in weekdays}
    return frozenset(days)


def _refused_days(condition: _Condition, model: _Model) -> frozenset[int]:
    """The dates an ``IsAvailable=false`` condition takes away: those of its day types (a
    dated day type's dates, else its weekdays) inside its window; its whole window when it
    names no day type."""
    if not condition.day_types:
        return _condition_days(condition, model)
    window = None
    if condition.first is not None and condition.last is not None:
        window = range(condition.first.toordinal(), condition.last.toordinal() + 1)
    days: set[int] = set()
    for ref in condition.day_types:
        dated = _day_type_days(ref, model)
        if dated:
            days |= dated if window is None else {d for d in dated if d in window}
        elif window is not None and ref in model.day_types:
            weekdays = model.day_types[ref].weekdays
            days |= {d for d in window if weekdays is None or (d - 1) % 7 in weekdays}
    return frozenset(days)


def _conditions(refs: Iterable[str], model: _Model) -> list[_Condition]:
    """The availability conditions ``refs`` names; a reference to none is refused."""
    found = []
    for ref in refs:
        if ref not in model.conditions:
            raise _broken_reference(f"AvailabilityCondition {ref!r} absent from the file")
        found.append(model.conditions[ref])
    return found


def _running_days(journey: _Journey, model: _Model) -> frozenset[int]:
    """The journey's dates: its day types' dates (a day type given by weekdays only counts
    inside the journey's validity conditions), within its validity conditions, minus the dates
    its own unavailable conditions and its frame's take away."""
    own = _conditions(journey.conditions, model)
    # A journey without a validity window of its own is valid when its frame is.
    windows = [c for c in own if c.available] or [
        c for c in _conditions(model.frame_windows.get(journey.frame, ()), model) if c.available
    ]
    window: set[int] | None = None
    if windows:
        window = set()
        for condition in windows:
            window |= _condition_days(condition, model)
    days: set[int] = set()
    for ref in journey.day_types:
        dated = _day_type_days(ref, model)
        if dated:
            days |= dated
        elif ref not in model.period_days:
            day_type = model.day_types[ref]
            if window is None:
                raise _unsupported_calendar(
                    f"unsupported calendar construct: DayType {ref!r} gives weekdays with no "
                    "dated assignment and neither the journey nor its frame has a validity "
                    "condition to date them"
                )
            weekdays = day_type.weekdays if day_type.weekdays is not None else range(7)
            days |= {d for d in window if (d - 1) % 7 in weekdays}
    if window is not None:
        days &= window
    for condition in own:
        if not condition.available:
            days -= _refused_days(condition, model)
    for condition_id in model.frame_refusals.get(journey.frame, ()):
        condition = model.conditions.get(condition_id)
        if condition is not None:
            days -= _refused_days(condition, model)
    return frozenset(days)


def _service(
    journey: _Journey,
    model: _Model,
    file_name: str,
    uic_codes: Mapping[str, Any],
    stations_used: dict[str, StationRecord],
) -> ServiceRecord | RejectRecord:
    where = Location(file_name, journey.line or None, f"ServiceJourney id={journey.id}")
    line = model.lines.get(journey.line_ref) if journey.line_ref else None
    mode = (journey.mode or (line[2] if line else "")).lower()
    if mode not in _RAIL_MODES:
        return RejectRecord(
            where,
            RejectCode.NOT_RAIL,
            f"ServiceJourney {journey.id!r} is not a train: TransportMode {mode}",
        )
    if journey.problem:
        return RejectRecord(
            where, journey.problem_code, f"ServiceJourney {journey.id!r}: {journey.problem}"
        )
    try:
        stops = _stops(journey, model)
        days = _running_days(journey, model)
    except ValueError as exc:
        return RejectRecord(where, reject_code_of(exc), f"ServiceJourney {journey.id!r}: {exc}")
    if len(stops) < 2:
        return RejectRecord(
            where,
            RejectCode.TOO_FEW_STOPS,
            f"ServiceJourney {journey.id!r} has {len(stops)} call; at least 2 needed",
        )
    if not days:
        return RejectRecord(
            where,
            RejectCode.INVALID_CALENDAR,
            f"ServiceJourney {journey.id!r}: its calendar has no running date",
        )
    stop_records = []
    for sequence, (point, arrival, departure, pickup, drop_off) in enumerate(stops, start=1):
        place = model.assignments.get(point, (0, ""))[1]
        station = model.stop_places.get(place)
        found = _UIC_ID.search(point)
        if station is None and not place and found and point in model.stop_points:
            # ERA/UIC profile: the scheduled stop point is keyed by its UIC code.
            place = point
            station = StationRecord(
                source_id=point,
                name=model.stop_points[point] or point,
                location=Location(file_name, None, f"ScheduledStopPoint id={point}"),
                uic=found.group(1),
            )
        if station is None:
            return RejectRecord(
                where,
                RejectCode.UNKNOWN_STATION,
                f"ServiceJourney {journey.id!r}: ScheduledStopPoint {point!r} has no "
                "PassengerStopAssignment to a StopPlace of the file (unknown station)",
            )
        code = uic_codes.get(place)
        if code and not station.uic:
            station = StationRecord(**{**_fields(station), "uic": normalise_uic(str(code))})
        if station.uic and not station.country and station.uic[:2] in _UIC_COUNTRIES:
            country = _UIC_COUNTRIES[station.uic[:2]]
            station = StationRecord(
                **{**_fields(station), "country": country, "time_zone": zone_for_country(country)}
            )
        stations_used.setdefault(place, station)
        stop_records.append(StopTimeRecord(place, sequence, arrival, departure, pickup, drop_off))
    operator = journey.operator or model.frame_operator.get(journey.frame, "")
    return ServiceRecord(
        source_id=journey.id,
        operator_id=operator,
        stops=tuple(stop_records),
        location=where,
        train_number=journey.number,
        route_name=(line[0] if line else "") or journey.name,
        calendar=CalendarRecord.of_days(days),
        time_zone=None,
        has_day_offsets=True,
        labels=tuple(t for t in (journey.name, line[1] if line else "") if t),
        mode="rail",
    )


def _fields(station: StationRecord) -> dict[str, Any]:
    return {name: getattr(station, name) for name in StationRecord.__slots__}


def _stops(journey: _Journey, model: _Model) -> list[tuple[str, int | None, int | None, int, int]]:
    """(scheduled stop point, arrival s, departure s, pickup, drop-off) in order. A DayOffset
    holds for the later times of the journey until another is given (the Eurostar example
    gives it on the first time after midnight only)."""
    raw: list[tuple[str, str, int, str, int, bool, bool]] = []
    if journey.calls:
        for _order, point, arr, arr_off, dep, dep_off, alight, board in sorted(journey.calls):
            raw.append((point, arr, arr_off, dep, dep_off, board, alight))
    else:
        for ref, arr, arr_off, dep, dep_off in journey.passing:
            if ref not in model.pattern_points:
                raise _broken_reference(f"StopPointInJourneyPattern {ref!r} absent from the file")
            point, board, alight = model.pattern_points[ref]
            raw.append((point, arr, arr_off, dep, dep_off, board, alight))
    stops = []
    offset = 0
    for point, arr, arr_off, dep, dep_off, board, alight in raw:
        times: list[int | None] = []
        for clock, given in ((arr, arr_off), (dep, dep_off)):
            if given >= 0:
                offset = given
            times.append(_seconds(clock) + offset * _DAY_S if clock else None)
        if times[0] is None and times[1] is None:
            raise ExtractError(
                f"call at {point!r} has neither arrival nor departure time",
                code=RejectCode.INVALID_TIME,
            )
        stops.append((point, times[0], times[1], 0 if board else 1, 0 if alight else 1))
    return stops
