"""Real-world reference data for the synthetic dataset: cities, operators, time zones.

Coordinates are those of the main station of each city (rounded to 4 decimals); operators and
their train categories are the real ones. Nothing here is read from outside the project.
"""

from __future__ import annotations

from dataclasses import dataclass

TIME_ZONES = {
    "AT": "Europe/Vienna",
    "BE": "Europe/Brussels",
    "BG": "Europe/Sofia",
    "CH": "Europe/Zurich",
    "CZ": "Europe/Prague",
    "DE": "Europe/Berlin",
    "DK": "Europe/Copenhagen",
    "EE": "Europe/Tallinn",
    "ES": "Europe/Madrid",
    "FI": "Europe/Helsinki",
    "FR": "Europe/Paris",
    "GB": "Europe/London",
    "GR": "Europe/Athens",
    "HR": "Europe/Zagreb",
    "HU": "Europe/Budapest",
    "IE": "Europe/Dublin",
    "IT": "Europe/Rome",
    "LT": "Europe/Vilnius",
    "LU": "Europe/Luxembourg",
    "LV": "Europe/Riga",
    "NL": "Europe/Amsterdam",
    "NO": "Europe/Oslo",
    "PL": "Europe/Warsaw",
    "PT": "Europe/Lisbon",
    "RO": "Europe/Bucharest",
    "RS": "Europe/Belgrade",
    "SE": "Europe/Stockholm",
    "SI": "Europe/Ljubljana",
    "SK": "Europe/Bratislava",
}

# Rail CO2e per passenger-km by country (kg), order of magnitude of the published national
# averages (electricity mix and traction); the European default covers the rest.
RAIL_KG_CO2E_PER_PKM = {
    "FR": 0.0024,
    "CH": 0.007,
    "SE": 0.005,
    "NO": 0.007,
    "AT": 0.012,
    "ES": 0.028,
    "IT": 0.033,
    "BE": 0.018,
    "DE": 0.032,
    "NL": 0.021,
    "GB": 0.035,
    "PL": 0.065,
    "CZ": 0.052,
}
RAIL_DEFAULT_KG_CO2E_PER_PKM = 0.035


@dataclass(frozen=True)
class City:
    name: str
    country: str
    latitude: float
    longitude: float
    weight: int  # relative traffic, 1 (small) to 5 (capital hub)


CITIES = (
    City("Paris Gare de Lyon", "FR", 48.8443, 2.3744, 5),
    City("Paris Nord", "FR", 48.8809, 2.3553, 5),
    City("Paris Montparnasse", "FR", 48.8412, 2.3199, 5),
    City("Paris Est", "FR", 48.8768, 2.3592, 4),
    City("Lyon Part-Dieu", "FR", 45.7606, 4.8592, 4),
    City("Marseille Saint-Charles", "FR", 43.3027, 5.3806, 4),
    City("Lille Flandres", "FR", 50.6366, 3.0707, 3),
    City("Bordeaux Saint-Jean", "FR", 44.8259, -0.5563, 3),
    City("Toulouse Matabiau", "FR", 43.6114, 1.4536, 3),
    City("Nantes", "FR", 47.2173, -1.5418, 3),
    City("Strasbourg", "FR", 48.5851, 7.7349, 3),
    City("Rennes", "FR", 48.1035, -1.6724, 2),
    City("Nice Ville", "FR", 43.7046, 7.2619, 2),
    City("Montpellier Saint-Roch", "FR", 43.6047, 3.8805, 2),
    City("Dijon Ville", "FR", 47.3233, 5.0273, 2),
    City("Brest", "FR", 48.3881, -4.4781, 1),
    City("Clermont-Ferrand", "FR", 45.7784, 3.1003, 1),
    City("Limoges Bénédictins", "FR", 45.8367, 1.2678, 1),
    City("Perpignan", "FR", 42.6961, 2.8794, 1),
    City("Briançon", "FR", 44.8906, 6.6344, 1),
    City("Berlin Hbf", "DE", 52.5251, 13.3694, 5),
    City("Hamburg Hbf", "DE", 53.5530, 10.0069, 4),
    City("München Hbf", "DE", 48.1402, 11.5600, 4),
    City("Frankfurt (Main) Hbf", "DE", 50.1071, 8.6638, 5),
    City("Köln Hbf", "DE", 50.9430, 6.9589, 4),
    City("Stuttgart Hbf", "DE", 48.7840, 9.1816, 3),
    City("Düsseldorf Hbf", "DE", 51.2199, 6.7942, 3),
    City("Hannover Hbf", "DE", 52.3767, 9.7410, 3),
    City("Leipzig Hbf", "DE", 51.3455, 12.3820, 3),
    City("Dresden Hbf", "DE", 51.0404, 13.7320, 2),
    City("Nürnberg Hbf", "DE", 49.4457, 11.0826, 3),
    City("Bremen Hbf", "DE", 53.0830, 8.8134, 2),
    City("Mannheim Hbf", "DE", 49.4796, 8.4699, 3),
    City("Karlsruhe Hbf", "DE", 48.9935, 8.4020, 2),
    City("Freiburg (Breisgau) Hbf", "DE", 47.9977, 7.8412, 2),
    City("Erfurt Hbf", "DE", 50.9725, 11.0379, 2),
    City("Kiel Hbf", "DE", 54.3150, 10.1318, 1),
    City("Rostock Hbf", "DE", 54.0780, 12.1312, 1),
    City("Wien Hbf", "AT", 48.1851, 16.3757, 4),
    City("Salzburg Hbf", "AT", 47.8131, 13.0456, 2),
    City("Innsbruck Hbf", "AT", 47.2633, 11.4010, 2),
    City("Graz Hbf", "AT", 47.0725, 15.4166, 2),
    City("Linz Hbf", "AT", 48.2904, 14.2917, 2),
    City("Villach Hbf", "AT", 46.6187, 13.8484, 1),
    City("Zürich HB", "CH", 47.3779, 8.5403, 4),
    City("Bern", "CH", 46.9490, 7.4391, 3),
    City("Basel SBB", "CH", 47.5474, 7.5896, 3),
    City("Genève Cornavin", "CH", 46.2103, 6.1425, 3),
    City("Lausanne", "CH", 46.5167, 6.6291, 2),
    City("Lugano", "CH", 46.0054, 8.9469, 1),
    City("Chur", "CH", 46.8531, 9.5290, 1),
    City("Roma Termini", "IT", 41.9010, 12.5015, 5),
    City("Milano Centrale", "IT", 45.4861, 9.2045, 5),
    City("Napoli Centrale", "IT", 40.8527, 14.2729, 3),
    City("Torino Porta Nuova", "IT", 45.0621, 7.6786, 3),
    City("Firenze Santa Maria Novella", "IT", 43.7764, 11.2480, 3),
    City("Bologna Centrale", "IT", 44.5059, 11.3433, 3),
    City("Venezia Santa Lucia", "IT", 45.4410, 12.3208, 2),
    City("Verona Porta Nuova", "IT", 45.4289, 10.9829, 2),
    City("Genova Piazza Principe", "IT", 44.4173, 8.9214, 2),
    City("Bari Centrale", "IT", 41.1177, 16.8697, 2),
    City("Reggio Calabria Centrale", "IT", 38.1034, 15.6398, 1),
    City("Palermo Centrale", "IT", 38.1097, 13.3676, 1),
    City("Trieste Centrale", "IT", 45.6581, 13.7720, 1),
    City("Madrid Puerta de Atocha", "ES", 40.4066, -3.6892, 5),
    City("Madrid Chamartín", "ES", 40.4722, -3.6825, 4),
    City("Barcelona Sants", "ES", 41.3791, 2.1403, 4),
    City("València Joaquín Sorolla", "ES", 39.4594, -0.3830, 3),
    City("Sevilla Santa Justa", "ES", 37.3917, -5.9753, 3),
    City("Zaragoza Delicias", "ES", 41.6583, -0.9118, 2),
    City("Málaga María Zambrano", "ES", 36.7117, -4.4322, 2),
    City("Bilbao Abando", "ES", 43.2608, -2.9270, 2),
    City("Valladolid Campo Grande", "ES", 41.6410, -4.7290, 2),
    City("A Coruña", "ES", 43.3541, -8.4098, 1),
    City("Alicante", "ES", 38.3445, -0.4947, 1),
    City("Lisboa Santa Apolónia", "PT", 38.7139, -9.1229, 3),
    City("Porto Campanhã", "PT", 41.1487, -8.5855, 2),
    City("Faro", "PT", 37.0193, -7.9403, 1),
    City("Coimbra-B", "PT", 40.2229, -8.4410, 1),
    City("Bruxelles-Midi", "BE", 50.8357, 4.3365, 4),
    City("Antwerpen-Centraal", "BE", 51.2172, 4.4211, 3),
    City("Gent-Sint-Pieters", "BE", 51.0357, 3.7108, 2),
    City("Liège-Guillemins", "BE", 50.6245, 5.5668, 2),
    City("Luxembourg", "LU", 49.5999, 6.1339, 2),
    City("Amsterdam Centraal", "NL", 52.3789, 4.9003, 4),
    City("Rotterdam Centraal", "NL", 51.9249, 4.4690, 3),
    City("Utrecht Centraal", "NL", 52.0894, 5.1100, 3),
    City("Den Haag Centraal", "NL", 52.0808, 4.3243, 2),
    City("Eindhoven Centraal", "NL", 51.4433, 5.4814, 2),
    City("Groningen", "NL", 53.2105, 6.5647, 1),
    City("London St Pancras", "GB", 51.5320, -0.1262, 5),
    City("London King's Cross", "GB", 51.5309, -0.1233, 4),
    City("London Euston", "GB", 51.5282, -0.1337, 4),
    City("London Paddington", "GB", 51.5154, -0.1755, 3),
    City("Manchester Piccadilly", "GB", 53.4774, -2.2309, 3),
    City("Birmingham New Street", "GB", 52.4778, -1.8990, 3),
    City("Edinburgh Waverley", "GB", 55.9521, -3.1893, 3),
    City("Glasgow Central", "GB", 55.8590, -4.2577, 2),
    City("Leeds", "GB", 53.7950, -1.5474, 2),
    City("York", "GB", 53.9580, -1.0930, 2),
    City("Newcastle", "GB", 54.9683, -1.6174, 2),
    City("Bristol Temple Meads", "GB", 51.4491, -2.5813, 2),
    City("Inverness", "GB", 57.4801, -4.2233, 1),
    City("Penzance", "GB", 50.1217, -5.5327, 1),
    City("Dublin Heuston", "IE", 53.3464, -6.2941, 2),
    City("Cork Kent", "IE", 51.9019, -8.4580, 1),
    City("København H", "DK", 55.6727, 12.5647, 3),
    City("Aarhus H", "DK", 56.1502, 10.2046, 2),
    City("Odense", "DK", 55.4015, 10.3869, 1),
    City("Stockholm Central", "SE", 59.3302, 18.0584, 4),
    City("Göteborg Central", "SE", 57.7090, 11.9730, 3),
    City("Malmö Central", "SE", 55.6090, 13.0000, 2),
    City("Uppsala C", "SE", 59.8580, 17.6464, 1),
    City("Luleå", "SE", 65.5850, 22.1587, 1),
    City("Oslo S", "NO", 59.9110, 10.7528, 3),
    City("Bergen", "NO", 60.3902, 5.3327, 1),
    City("Trondheim S", "NO", 63.4364, 10.3990, 1),
    City("Helsinki", "FI", 60.1718, 24.9414, 3),
    City("Tampere", "FI", 61.4986, 23.7735, 1),
    City("Oulu", "FI", 65.0110, 25.4832, 1),
    City("Rovaniemi", "FI", 66.4988, 25.7122, 1),
    City("Warszawa Centralna", "PL", 52.2289, 21.0032, 4),
    City("Kraków Główny", "PL", 50.0680, 19.9475, 3),
    City("Gdańsk Główny", "PL", 54.3557, 18.6440, 2),
    City("Wrocław Główny", "PL", 51.0983, 17.0365, 2),
    City("Poznań Główny", "PL", 52.4016, 16.9123, 2),
    City("Katowice", "PL", 50.2577, 19.0170, 2),
    City("Szczecin Główny", "PL", 53.4180, 14.5503, 1),
    City("Praha hl.n.", "CZ", 50.0831, 14.4353, 4),
    City("Brno hl.n.", "CZ", 49.1906, 16.6127, 2),
    City("Ostrava hl.n.", "CZ", 49.8627, 18.2724, 1),
    City("Bratislava hl.st.", "SK", 48.1583, 17.1065, 2),
    City("Košice", "SK", 48.7226, 21.2682, 1),
    City("Budapest-Keleti", "HU", 47.5000, 19.0838, 3),
    City("Debrecen", "HU", 47.5205, 21.6290, 1),
    City("Ljubljana", "SI", 46.0583, 14.5106, 2),
    City("Zagreb Glavni kolodvor", "HR", 45.8046, 15.9784, 2),
    City("Split", "HR", 43.5045, 16.4404, 1),
    City("Beograd Centar", "RS", 44.8078, 20.4558, 1),
    City("București Nord", "RO", 44.4467, 26.0746, 3),
    City("Cluj-Napoca", "RO", 46.7843, 23.5865, 1),
    City("Brașov", "RO", 45.6611, 25.6155, 1),
    City("Constanța", "RO", 44.1651, 28.6150, 1),
    City("Sofia Central", "BG", 42.7118, 23.3214, 2),
    City("Varna", "BG", 43.1993, 27.9103, 1),
    City("Athina", "GR", 38.0044, 23.7209, 2),
    City("Thessaloniki", "GR", 40.6440, 22.9290, 1),
    City("Vilnius", "LT", 54.6711, 25.2844, 1),
    City("Riga Central", "LV", 56.9462, 24.1205, 1),
    City("Tallinn Balti jaam", "EE", 59.4403, 24.7371, 1),
)


@dataclass(frozen=True)
class OperatorProfile:
    code: str
    name: str
    country: str
    website: str
    day_categories: tuple[str, ...]
    night_category: str  # empty when the operator runs no night train
    weight: int  # relative number of services


OPERATORS = (
    OperatorProfile(
        "sncf",
        "SNCF Voyageurs",
        "FR",
        "https://www.sncf.com",
        ("TGV INOUI", "OUIGO", "Intercités", "TER"),
        "Intercités de Nuit",
        24,
    ),
    OperatorProfile(
        "db", "DB Fernverkehr", "DE", "https://www.bahn.de", ("ICE", "IC", "EC"), "", 22
    ),
    OperatorProfile(
        "oebb",
        "ÖBB Personenverkehr",
        "AT",
        "https://www.oebb.at",
        ("Railjet", "IC", "REX"),
        "Nightjet",
        7,
    ),
    OperatorProfile("sbb", "SBB CFF FFS", "CH", "https://www.sbb.ch", ("IC", "IR", "EC"), "", 8),
    OperatorProfile(
        "trenitalia",
        "Trenitalia",
        "IT",
        "https://www.trenitalia.com",
        ("Frecciarossa", "Frecciargento", "Intercity", "Regionale Veloce"),
        "Intercity Notte",
        16,
    ),
    OperatorProfile("italo", "Italo NTV", "IT", "https://www.italotreno.com", ("Italo",), "", 4),
    OperatorProfile(
        "renfe",
        "Renfe Viajeros",
        "ES",
        "https://www.renfe.com",
        ("AVE", "Alvia", "Avlo", "Media Distancia"),
        "",
        12,
    ),
    OperatorProfile("iryo", "iryo", "ES", "https://iryo.eu", ("iryo",), "", 2),
    OperatorProfile(
        "cp",
        "CP Comboios de Portugal",
        "PT",
        "https://www.cp.pt",
        ("Alfa Pendular", "Intercidades"),
        "",
        3,
    ),
    OperatorProfile("sncb", "SNCB/NMBS", "BE", "https://www.belgiantrain.be", ("IC",), "", 5),
    OperatorProfile("cfl", "CFL", "LU", "https://www.cfl.lu", ("RE", "IC"), "", 1),
    OperatorProfile("ns", "NS Reizigers", "NL", "https://www.ns.nl", ("IC", "ICD"), "", 7),
    OperatorProfile(
        "european-sleeper",
        "European Sleeper",
        "NL",
        "https://www.europeansleeper.eu",
        (),
        "European Sleeper",
        1,
    ),
    OperatorProfile("eurostar", "Eurostar", "FR", "https://www.eurostar.com", ("Eurostar",), "", 2),
    OperatorProfile("lner", "LNER", "GB", "https://www.lner.co.uk", ("Azuma",), "", 3),
    OperatorProfile(
        "avanti",
        "Avanti West Coast",
        "GB",
        "https://www.avantiwestcoast.co.uk",
        ("Pendolino",),
        "",
        3,
    ),
    OperatorProfile(
        "gwr", "Great Western Railway", "GB", "https://www.gwr.com", ("IET",), "Night Riviera", 3
    ),
    OperatorProfile(
        "caledonian-sleeper",
        "Caledonian Sleeper",
        "GB",
        "https://www.sleeper.scot",
        (),
        "Caledonian Sleeper",
        1,
    ),
    OperatorProfile(
        "irish-rail", "Iarnród Éireann", "IE", "https://www.irishrail.ie", ("InterCity",), "", 1
    ),
    OperatorProfile("dsb", "DSB", "DK", "https://www.dsb.dk", ("IC", "ICL", "Lyn"), "", 3),
    OperatorProfile(
        "sj", "SJ", "SE", "https://www.sj.se", ("SJ Snabbtåg", "SJ Regional"), "SJ Nattåg", 4
    ),
    OperatorProfile(
        "snalltaget",
        "Snälltåget",
        "SE",
        "https://www.snalltaget.se",
        ("Snälltåget",),
        "Snälltåget Nattåg",
        1,
    ),
    OperatorProfile("vy", "Vy", "NO", "https://www.vy.no", ("Regiontog",), "Nattog", 2),
    OperatorProfile(
        "vr", "VR", "FI", "https://www.vr.fi", ("Pendolino", "IC"), "Santa Claus Express", 2
    ),
    OperatorProfile(
        "pkp-intercity",
        "PKP Intercity",
        "PL",
        "https://www.intercity.pl",
        ("EIP", "EIC", "IC", "TLK"),
        "TLK nocny",
        7,
    ),
    OperatorProfile(
        "cd",
        "České dráhy",
        "CZ",
        "https://www.cd.cz",
        ("SuperCity", "EC", "Rychlík"),
        "EuroNight",
        5,
    ),
    OperatorProfile(
        "regiojet", "RegioJet", "CZ", "https://www.regiojet.com", ("RJ",), "RJ Night", 2
    ),
    OperatorProfile("zssk", "ZSSK", "SK", "https://www.zssk.sk", ("IC", "R"), "", 2),
    OperatorProfile(
        "mav", "MÁV-START", "HU", "https://www.mavcsoport.hu", ("IC", "EC"), "EuroNight", 3
    ),
    OperatorProfile(
        "sz", "Slovenske železnice", "SI", "https://potniski.sz.si", ("ICS", "IC"), "", 1
    ),
    OperatorProfile("hzpp", "HŽ Putnički prijevoz", "HR", "https://www.hzpp.hr", ("IC",), "", 1),
    OperatorProfile("srbija-voz", "Srbija Voz", "RS", "https://srbvoz.rs", ("Soko",), "", 1),
    OperatorProfile(
        "cfr", "CFR Călători", "RO", "https://www.cfrcalatori.ro", ("IR",), "IR Nocturn", 3
    ),
    OperatorProfile("bdz", "BDZ", "BG", "https://www.bdz.bg", ("Bărz",), "", 1),
    OperatorProfile(
        "hellenic-train", "Hellenic Train", "GR", "https://www.hellenictrain.gr", ("IC",), "", 1
    ),
    OperatorProfile("ltg-link", "LTG Link", "LT", "https://ltglink.lt", ("Regional",), "", 1),
    OperatorProfile("pv", "Pasažieru vilciens", "LV", "https://www.vivi.lv", ("Regional",), "", 1),
    OperatorProfile("elron", "Elron", "EE", "https://elron.ee", ("Kiirrong",), "", 1),
    OperatorProfile("westbahn", "WESTbahn", "AT", "https://westbahn.at", ("WB",), "", 1),
    OperatorProfile("flixtrain", "FlixTrain", "DE", "https://www.flixtrain.com", ("FLX",), "", 2),
)
