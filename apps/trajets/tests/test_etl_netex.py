"""NeTEx extractor: the CEN Eurostar example against a walk of its own XML, and bad files.

The expected trains, stops, times and days are computed here from the raw XML with a plain
ElementTree walk, not with the extractor's code.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from apps.trajets.etl.errors import ExtractError
from apps.trajets.etl.formats import extract
from apps.trajets.etl.loader import load_source
from apps.trajets.etl.records import RejectRecord, ServiceRecord, StationRecord
from apps.trajets.etl.sources import load_sources
from apps.trajets.models import DataSource, ImportRun, Station, Trajet

SAMPLE = Path(settings.BASE_DIR) / "data/samples/netex/Netex_21_Rail_NetworkTimetable_eurostar.xml"
NS = {"n": "http://www.netex.org.uk/netex"}


def _spec(name: str = "eurostar-netex"):
    return next(s for s in load_sources(dataset="samples") if s.name == name)


def _records(path: Path = SAMPLE) -> list:
    return list(extract("netex", path, _spec().options))


def _seconds(clock: str, offset: int) -> int:
    h, m, s = (int(x) for x in clock.split(":"))
    return h * 3600 + m * 60 + s + offset * 86400


def _raw_journeys() -> dict[str, dict]:
    """Each ServiceJourney of the raw file: number, stop places and times in call order."""
    root = ET.parse(SAMPLE).getroot()
    place_of = {}
    for psa in root.iter(f"{{{NS['n']}}}PassengerStopAssignment"):
        if psa.get("order") == "1":
            place_of[psa.find("n:ScheduledStopPointRef", NS).get("ref")] = psa.find(
                "n:StopPlaceRef", NS
            ).get("ref")
    journeys = {}
    for sj in root.iter(f"{{{NS['n']}}}ServiceJourney"):
        calls = sorted(sj.findall("n:calls/n:Call", NS), key=lambda c: int(c.get("order")))
        stops, offset = [], 0
        for call in calls:
            times = []
            for part in ("n:Arrival", "n:Departure"):
                node = call.find(part, NS)
                day = node.find("n:DayOffset", NS) if node is not None else None
                offset = int(day.text) if day is not None else offset
                clock = node.find("n:Time", NS) if node is not None else None
                times.append(_seconds(clock.text, offset) if clock is not None else None)
            point = call.find("n:ScheduledStopPointRef", NS).get("ref")
            stops.append((place_of.get(point, point), *times))
        journeys[sj.get("id")] = {"number": sj.findtext("n:PublicCode", "", NS), "stops": stops}
    return journeys


def test_every_journey_of_the_eurostar_example_is_a_service_or_a_reject_with_its_times() -> None:
    raw = _raw_journeys()
    assert len(raw) == 55
    records = _records()
    services = {r.source_id: r for r in records if isinstance(r, ServiceRecord)}
    rejected = {
        r.location.field.removeprefix("ServiceJourney id="): r.reason
        for r in records
        if isinstance(r, RejectRecord) and r.location.field.startswith("ServiceJourney")
    }
    assert set(services) | set(rejected) == set(raw)
    assert not set(services) & set(rejected)
    assert len(services) == 50
    for journey_id, service in services.items():
        expected = raw[journey_id]
        assert service.train_number == expected["number"]
        got = [(s.station_id, s.arrival_s, s.departure_s) for s in service.stops]
        assert got == expected["stops"], journey_id
        assert service.operator_id == "uic920-1:0019"
    # The example's 4 SNCF journeys call at stop points with no stop place; one calendar is
    # empty.
    assert sorted(rejected) == [
        "eos:VJ_FR_9096",
        "sncf:VJ_RT101_in_0610",
        "sncf:VJ_RT101_in_0925",
        "sncf:VJ_RT101_out_12:05",
        "sncf:VJ_RT101_out_12:10",
    ]
    assert "no PassengerStopAssignment" in rejected["sncf:VJ_RT101_in_0610"]
    # Boarding rules: London St Pancras ForAlighting=false, Paris Nord ForBoarding=false.
    first, *_, last = services["eos:VJ_MF_9078"].stops
    assert (first.pickup_type, first.drop_off_type, last.pickup_type, last.drop_off_type) == (
        0, 1, 1, 0,
    )  # fmt: skip


def test_days_of_operation_follow_day_types_periods_and_validity_conditions() -> None:
    services = {r.source_id: r for r in _records() if isinstance(r, ServiceRecord)}
    first, last = dt.date(2010, 12, 12), dt.date(2011, 7, 2)  # the timetable frame's validity
    every = [first + dt.timedelta(n) for n in range((last - first).days + 1)]
    christmas = dt.date(2010, 12, 25)  # frame condition IsAvailable=false (NoService day type)
    # 9014: DayType "Everyday", no validity condition of its own: the frame's days.
    assert services["eos:VJ_EV_9014"].calendar.running_dates() == [
        d for d in every if d != christmas
    ]
    # 9078: Tu-Th only in the Christmas and summer operating periods, Monday and Friday all
    # along, and its conditions say Mondays to Fridays: no weekend, Tu-Th not 4 Jan-5 Feb.
    low = (dt.date(2011, 1, 4), dt.date(2011, 2, 5))
    expected = [
        d
        for d in every
        if d.weekday() in (0, 4) or (d.weekday() in (1, 2, 3) and not low[0] <= d <= low[1])
    ]
    assert services["eos:VJ_MF_9078"].calendar.running_dates() == [
        d for d in expected if d != first
    ]  # 12 Dec 2010 is a Sunday: nothing to remove but the start
    # 9002a: Tu-Th of the low season only.
    assert services["eos:VJ_MF_9002a"].calendar.running_dates() == [
        d for d in every if low[0] <= d <= low[1] and d.weekday() in (1, 2, 3)
    ]


def test_an_unknown_calendar_construct_is_a_reject_with_its_reason(tmp_path: Path) -> None:
    text = SAMPLE.read_text(encoding="utf-8")
    sunday = "<DaysOfWeek>Sunday</DaysOfWeek>"
    assert text.count(sunday) == 1
    changed = tmp_path / "weeks.xml"
    changed.write_text(text.replace(sunday, "<WeeksOfMonth>1</WeeksOfMonth>"), encoding="utf-8")
    records = list(extract("netex", changed, {}))
    reasons = [r.reason for r in records if isinstance(r, RejectRecord)]
    unsupported = [r for r in reasons if "PropertyOfDay/WeeksOfMonth is not read" in r]
    assert unsupported
    assert all("unsupported calendar construct" in r for r in unsupported)
    assert "VJ_SS_9026" in " ".join(unsupported)  # a Sunday train


PASSING_TIMES = """<?xml version="1.0"?>
<PublicationDelivery xmlns="http://www.netex.org.uk/netex"><dataObjects><CompositeFrame id="c">
<frames>
 <ServiceCalendarFrame id="sc"><operatingPeriods>
  <UicOperatingPeriod id="p1"><FromDate>2026-03-02T00:00:00</FromDate>
   <ToDate>2026-03-08T00:00:00</ToDate><ValidDayBits>1010001</ValidDayBits></UicOperatingPeriod>
 </operatingPeriods></ServiceCalendarFrame>
 <ServiceFrame id="sf">
  <scheduledStopPoints>
   <ScheduledStopPoint id="x:008727100"><Name>PARIS NORD</Name></ScheduledStopPoint>
   <ScheduledStopPoint id="x:008014000"><Name>KOELN HBF</Name></ScheduledStopPoint>
  </scheduledStopPoints>
  <journeyPatterns><ServiceJourneyPattern id="jp">
   <pointsInSequence>
    <StopPointInJourneyPattern id="jp1" order="1"><ScheduledStopPointRef ref="x:008727100"/>
     <ForAlighting>false</ForAlighting></StopPointInJourneyPattern>
    <StopPointInJourneyPattern id="jp2" order="2"><ScheduledStopPointRef ref="x:008014000"/>
     <ForBoarding>false</ForBoarding></StopPointInJourneyPattern>
   </pointsInSequence></ServiceJourneyPattern></journeyPatterns>
 </ServiceFrame>
 <TimetableFrame id="tf"><vehicleJourneys>
  <ServiceJourney id="sj"><PublicCode>453</PublicCode><TransportMode>rail</TransportMode>
   <dayTypes><DayTypeRef ref="p1"/></dayTypes><ServiceJourneyPatternRef ref="jp"/>
   <passingTimes>
    <TimetabledPassingTime><StopPointInJourneyPatternRef ref="jp1"/>
     <DepartureTime>22:10:00</DepartureTime></TimetabledPassingTime>
    <TimetabledPassingTime><StopPointInJourneyPatternRef ref="jp2"/>
     <ArrivalTime>01:20:00</ArrivalTime><ArrivalDayOffset>1</ArrivalDayOffset>
    </TimetabledPassingTime>
   </passingTimes></ServiceJourney>
  <ServiceJourney id="bus"><PublicCode>1</PublicCode><TransportMode>bus</TransportMode>
   <dayTypes><DayTypeRef ref="p1"/></dayTypes><ServiceJourneyPatternRef ref="jp"/>
  </ServiceJourney>
 </vehicleJourneys></TimetableFrame>
</frames></CompositeFrame></dataObjects></PublicationDelivery>
"""


def test_passing_times_day_offsets_and_uic_day_bits(tmp_path: Path) -> None:
    """The other profile shape: TimetabledPassingTime through the journey pattern, a
    UicOperatingPeriod as day type (ERA/UIC), stop points keyed by UIC codes."""
    path = tmp_path / "night.xml"
    path.write_text(PASSING_TIMES, encoding="utf-8")
    records = list(extract("netex", path, {}))
    (service,) = [r for r in records if isinstance(r, ServiceRecord)]
    assert service.train_number == "453"
    assert [(s.station_id, s.arrival_s, s.departure_s) for s in service.stops] == [
        ("x:008727100", None, 22 * 3600 + 600),
        ("x:008014000", 86400 + 3600 + 1200, None),
    ]
    assert (service.stops[0].drop_off_type, service.stops[1].pickup_type) == (1, 1)
    # ValidDayBits 1010001 from Monday 2 March: Monday, Wednesday, Sunday.
    assert service.calendar.running_dates() == [
        dt.date(2026, 3, 2), dt.date(2026, 3, 4), dt.date(2026, 3, 8),
    ]  # fmt: skip
    stations = {r.source_id: r.uic for r in records if isinstance(r, StationRecord)}
    assert stations == {"x:008727100": "8727100", "x:008014000": "8014000"}
    (reject,) = [r for r in records if isinstance(r, RejectRecord)]
    assert "is not a train: TransportMode bus" in reject.reason


UNAVAILABLE = """<?xml version="1.0"?>
<PublicationDelivery xmlns="http://www.netex.org.uk/netex"><dataObjects><CompositeFrame id="c">
<frames>
 <ServiceCalendarFrame id="sc"><dayTypes><DayType id="every"><properties><PropertyOfDay>
  <DaysOfWeek>Everyday</DaysOfWeek></PropertyOfDay></properties></DayType></dayTypes>
 </ServiceCalendarFrame>
 <ServiceFrame id="sf">
  <scheduledStopPoints>
   <ScheduledStopPoint id="x:008727100"><Name>PARIS NORD</Name></ScheduledStopPoint>
   <ScheduledStopPoint id="x:008014000"><Name>KOELN HBF</Name></ScheduledStopPoint>
  </scheduledStopPoints>
 </ServiceFrame>
 <TimetableFrame id="tf">
  <validityConditions>
   <AvailabilityCondition id="season"><FromDate>2026-03-02T00:00:00</FromDate>
    <ToDate>2026-03-08T00:00:00</ToDate></AvailabilityCondition>
   <AvailabilityCondition id="closed"><FromDate>2026-03-07T00:00:00</FromDate>
    <ToDate>2026-03-08T00:00:00</ToDate><IsAvailable>false</IsAvailable></AvailabilityCondition>
  </validityConditions>
  <vehicleJourneys>%s</vehicleJourneys></TimetableFrame>
</frames></CompositeFrame></dataObjects></PublicationDelivery>
"""
JOURNEY = """<ServiceJourney id="%s"><PublicCode>1</PublicCode><TransportMode>rail</TransportMode>
 <validityConditions>%s</validityConditions><dayTypes><DayTypeRef ref="every"/></dayTypes>
 <calls><Call order="1"><ScheduledStopPointRef ref="x:008727100"/>
  <Departure><Time>08:00:00</Time></Departure></Call>
 <Call order="2"><ScheduledStopPointRef ref="x:008014000"/>
  <Arrival><Time>11:00:00</Time></Arrival></Call></calls></ServiceJourney>"""


def _condition_xml(ident: str, day: str, available: bool) -> str:
    flag = "" if available else "<IsAvailable>false</IsAvailable>"
    return (
        f'<AvailabilityCondition id="{ident}"><FromDate>{day}T00:00:00</FromDate>'
        f"<ToDate>{day}T00:00:00</ToDate>{flag}</AvailabilityCondition>"
    )


def test_unavailable_conditions_take_their_days_away(tmp_path: Path) -> None:
    """IsAvailable=false on a journey's own condition removes its days (the journey's
    window stays its available conditions', else its frame's), and a frame's unavailable
    condition without day types removes its whole window."""
    window = (
        '<AvailabilityCondition id="w"><FromDate>2026-03-02T00:00:00</FromDate>'
        "<ToDate>2026-03-06T00:00:00</ToDate></AvailabilityCondition>"
    )
    journeys = (
        JOURNEY % ("plain", ""),
        JOURNEY % ("own-off", window + _condition_xml("off", "2026-03-04", available=False)),
        JOURNEY % ("only-off", _condition_xml("off2", "2026-03-03", available=False)),
    )
    path = tmp_path / "unavailable.xml"
    path.write_text(UNAVAILABLE % "".join(journeys), encoding="utf-8")
    services = {
        r.source_id: r.calendar.running_dates()
        for r in extract("netex", path, {})
        if isinstance(r, ServiceRecord)
    }
    march = {n: dt.date(2026, 3, n) for n in range(1, 32)}
    assert services == {
        "plain": [march[n] for n in (2, 3, 4, 5, 6)],  # 7-8 March: the frame's closure
        "own-off": [march[n] for n in (2, 3, 5, 6)],
        "only-off": [march[n] for n in (2, 4, 5, 6)],
    }


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "not well-formed XML"),
        ('<?xml version="1.0"?><gpx xmlns="http://www.topografix.com/GPX/1/1"/>', "not a NeTEx"),
        (
            '<PublicationDelivery xmlns="http://www.netex.org.uk/netex"><dataObjects>'
            "<SiteFrame id='s'/></dataObjects></PublicationDelivery>",
            "no ServiceJourney",
        ),
        (
            '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]>'
            '<PublicationDelivery xmlns="http://www.netex.org.uk/netex"/>',
            "DOCTYPE",
        ),
    ],
)
def test_a_malformed_or_unsupported_file_is_refused_with_a_clear_error(
    tmp_path: Path, content: str | None, message: str
) -> None:
    bad = tmp_path / "bad.xml"
    if content is None:  # truncated in the middle of a journey
        data = SAMPLE.read_bytes()
        content = data[: data.index(b"VJ_EV_9030")].decode()
    bad.write_text(content, encoding="utf-8")
    with pytest.raises(ExtractError, match=message):
        _records(bad)


@pytest.fixture
def isolated_artefacts(settings, tmp_path: Path) -> None:
    settings.ROUTING_ARTIFACT_DIR = tmp_path / "routing"
    settings.ETL_CACHE_DIR = tmp_path / "etl-cache"


def _load(name: str):
    spec = _spec(name)
    return load_source(spec, path=Path(settings.BASE_DIR) / spec.path)


@pytest.mark.django_db
def test_the_eurostar_example_loads_on_the_known_stations(isolated_artefacts, client) -> None:
    for name in ("trainline-stations", "sncf-gares"):
        assert _load(name).status == "succeeded"
    known = set(Station.objects.values_list("pk", flat=True))
    report = _load("eurostar-netex")
    assert report.status == "succeeded", report.message
    trajets = Trajet.objects.filter(source__name="eurostar-netex").select_related(
        "origin", "destination", "operator"
    )
    ends = {(t.origin.name, t.destination.name) for t in trajets}
    assert ("London St-Pancras", "Paris Gare du Nord") in ends
    assert ("London St-Pancras", "Bruxelles-Midi") in ends
    # The three terminals are the warehouse's stations, not new ones made from the file.
    terminals = {
        station
        for t in trajets
        for station in (t.origin, t.destination)
        if station.name in ("London St-Pancras", "Paris Gare du Nord", "Bruxelles-Midi")
    }
    assert len(terminals) == 3
    assert {s.pk for s in terminals} <= known
    t9078 = trajets.get(train_number="9078")
    assert (t9078.departure_time, t9078.arrival_time) == (dt.time(5, 25), dt.time(8, 50))
    assert t9078.operator.name == "Eurostar"
    assert (t9078.runs_saturday, t9078.runs_monday) == (False, True)
    # The trajets list shows the NeTEx-sourced trains (each source's own typical week).
    page = client.get(reverse("trajets:trajet-list"), {"origin": "London St-Pancras"})
    assert page.status_code == 200
    text = page.content.decode()
    assert "9078" in text
    assert "Paris Gare du Nord" in text


@pytest.mark.django_db
def test_a_truncated_netex_file_stores_nothing(isolated_artefacts, tmp_path: Path) -> None:
    bad = tmp_path / "truncated.xml"
    bad.write_bytes(SAMPLE.read_bytes()[:300_000])
    report = load_source(_spec(), path=bad)
    assert report.status == "failed"
    assert "not well-formed XML" in report.message
    assert not Trajet.objects.filter(source__name="eurostar-netex").exists()
    source = DataSource.objects.filter(name="eurostar-netex").first()
    assert source is None or ImportRun.objects.filter(source=source, status="failed").exists()
