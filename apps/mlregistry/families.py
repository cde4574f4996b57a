"""Model families: how a model of each kind is trained from its data and served.

A family turns its training data and a seed into an artefact (a plain dict written as
canonical JSON by :mod:`apps.mlregistry.artefacts`) and an artefact back into a predictor.
A future model plugs in here: a class with ``train`` and ``load``, added to :data:`FAMILIES`.
"""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from django.utils import translation
from django.utils.formats import number_format
from django.utils.translation import gettext, gettext_noop

from apps.mlregistry import modal_share

__all__ = [
    "FAMILIES",
    "MODAL_SHARE_DATA",
    "ModalShareFamily",
    "ModalSharePredictor",
    "Observation",
    "TrainingDataError",
    "read_observations",
]

MODAL_SHARE_DATA = Path(__file__).resolve().parent / "data" / "modal_share_observations.csv"
REQUIRED_COLUMNS = (
    "id",
    "city_a",
    "city_b",
    "period",
    "rail_time_min",
    "rail_share_pct",
    "share_as_published",
    "share_source_title",
    "share_publisher",
    "share_url",
)
BOOTSTRAP_RESAMPLES = 1000


class TrainingDataError(ValueError):
    """A training file that cannot be used (the message names the row and the column)."""


@dataclass(frozen=True, slots=True)
class Observation:
    """A published city-pair observation: rail time, rail's share of rail+air, sources."""

    id: str
    city_a: str
    city_b: str
    period: str
    rail_time_min: float
    rail_share_pct: float
    share_as_published: str
    share_source_title: str
    share_publisher: str
    share_url: str
    share_source_year: int | None
    share_source_lang: str
    time_as_published: str
    time_source_title: str
    time_url: str
    time_source_lang: str
    note: str

    def as_dict(self) -> dict[str, Any]:
        """The observation as stored in the artefact."""
        return {name: getattr(self, name) for name in self.__slots__}


def _number(row: dict[str, str], column: str, line: int, low: float, high: float) -> float:
    try:
        value = float(row[column])
    except (TypeError, ValueError) as error:
        raise TrainingDataError(f"line {line}: {column}={row[column]!r} is not a number") from error
    if not low <= value <= high:
        raise TrainingDataError(f"line {line}: {column}={value} is outside [{low}, {high}]")
    return value


def read_observations(path: Path = MODAL_SHARE_DATA) -> tuple[list[Observation], str]:
    """The observations of the training file and the file's SHA-256; every row must name
    its source (title, publisher, URL) and the words it quotes."""
    raw = path.read_bytes()
    rows = list(csv.DictReader(raw.decode("utf-8").splitlines()))
    if not rows:
        raise TrainingDataError(f"{path.name}: no observation")
    missing = [c for c in REQUIRED_COLUMNS if c not in rows[0]]
    if missing:
        raise TrainingDataError(f"{path.name}: missing columns {', '.join(missing)}")
    observations = []
    seen: set[str] = set()
    for line, row in enumerate(rows, start=2):
        for column in REQUIRED_COLUMNS:
            if not (row.get(column) or "").strip():
                raise TrainingDataError(f"line {line}: {column} is empty (every row cites)")
        if row["id"] in seen:
            raise TrainingDataError(f"line {line}: id {row['id']!r} appears twice")
        seen.add(row["id"])
        year = (row.get("share_source_year") or "").strip()
        observations.append(
            Observation(
                id=row["id"],
                city_a=row["city_a"],
                city_b=row["city_b"],
                period=row["period"],
                rail_time_min=_number(row, "rail_time_min", line, 1, 1440),
                rail_share_pct=_number(row, "rail_share_pct", line, 0, 100),
                share_as_published=row["share_as_published"],
                share_source_title=row["share_source_title"],
                share_publisher=row["share_publisher"],
                share_url=row["share_url"],
                share_source_year=int(year) if year else None,
                share_source_lang=row.get("share_source_lang") or "en",
                time_as_published=row.get("time_as_published") or "",
                time_source_title=row.get("time_source_title") or "",
                time_url=row.get("time_url") or "",
                time_source_lang=row.get("time_source_lang") or "",
                note=row.get("note") or "",
            )
        )
    return observations, hashlib.sha256(raw).hexdigest()


@dataclass(frozen=True)
class TrainingResult:
    """What a family's training gives the registry."""

    artefact: dict[str, Any]
    parameters: dict[str, Any]
    metrics: dict[str, Any]
    card: dict[str, Any]
    training_data: dict[str, Any]


class Predictor(Protocol):
    """A loaded artefact that answers predictions."""

    def predict(self, **inputs: Any) -> dict[str, Any]: ...


@dataclass(frozen=True)
class ModalSharePredictor:
    """The modal-share curve and its bootstrap curves, ready to answer."""

    curve: modal_share.Curve
    resampled: np.ndarray
    observed_range_min: tuple[float, float]

    def share(self, rail_time_min: float) -> modal_share.SharePrediction:
        """Rail's share at a rail time with its band."""
        return modal_share.predict_share(
            self.curve,
            self.resampled,
            rail_time_min,
            observed_range_min=self.observed_range_min,
        )

    def shares_by_curve(self, rail_time_min: np.ndarray) -> np.ndarray:
        """Shares of every bootstrap curve (rows) at every time (columns)."""
        hours = np.asarray(rail_time_min, dtype=np.float64)[None, :] / 60.0
        a = self.resampled[:, :1]
        b = self.resampled[:, 1:]
        return 1.0 / (1.0 + np.exp(-(a + b * hours)))

    def predict(self, *, rail_time_min: float, air_passengers: int | None = None) -> dict[str, Any]:
        """The API's answer: share and band in %, and the passengers that could shift."""
        found = self.share(rail_time_min)
        answer: dict[str, Any] = {
            "rail_time_min": found.rail_time_min,
            "rail_share_pct": round(found.share * 100, 1),
            "band_pct": [round(found.low * 100, 1), round(found.high * 100, 1)],
            "is_extrapolated": found.is_extrapolated,
        }
        if air_passengers is not None:
            answer["air_passengers"] = air_passengers
            answer["shift_potential"] = round(air_passengers * found.share)
            answer["shift_potential_band"] = [
                round(air_passengers * found.low),
                round(air_passengers * found.high),
            ]
        return answer


class ModalShareFamily:
    """Rail's share of rail+air against the rail time: a logistic curve fitted on published
    city-pair observations, with a bootstrap band and leave-one-out error."""

    name = "modal_share_logistic"
    default_title = gettext_noop("Part du train face à l'avion selon le temps de train")

    def train(self, *, seed: int, data_path: Path = MODAL_SHARE_DATA) -> TrainingResult:
        """Fit the curve, its leave-one-out error and its bootstrap curves (``seed``)."""
        observations, checksum = read_observations(data_path)
        times = np.array([o.rail_time_min for o in observations])
        shares = np.array([o.rail_share_pct / 100.0 for o in observations])
        curve = modal_share.fit_curve(times, shares)
        loo = modal_share.leave_one_out(times, shares)
        resampled = modal_share.bootstrap_curves(
            times, shares, resamples=BOOTSTRAP_RESAMPLES, rng=np.random.default_rng(seed)
        )
        observed_range = [float(times.min()), float(times.max())]
        half = curve.half_share_min
        parameters = {
            "intercept": curve.intercept,
            "slope_per_h": curve.slope_per_h,
            "half_share_min": half,
            "bootstrap_resamples": BOOTSTRAP_RESAMPLES,
            "band_level": modal_share.BAND_LEVEL,
            "share_floor": modal_share.SHARE_FLOOR,
            "seed": seed,
        }
        metrics = {
            "observations": len(observations),
            "loo_mae_pp": round(loo.mae_pp, 2),
            "loo_rmse_pp": round(loo.rmse_pp, 2),
            "loo_max_abs_pp": round(loo.max_abs_pp, 2),
            "loo_predicted_pct": [round(p * 100, 2) for p in loo.predicted],
            "observed_range_min": observed_range,
        }
        training_data = {
            "path": f"apps/mlregistry/data/{data_path.name}",
            "sha256": checksum,
            "observations": len(observations),
        }
        with translation.override("fr"):
            card = self.card(metrics, observed_range)
        artefact = {
            "family": self.name,
            "seed": seed,
            "curve": {"intercept": curve.intercept, "slope_per_h": curve.slope_per_h},
            "bootstrap": resampled.tolist(),
            "observed_range_min": observed_range,
            "observations": [o.as_dict() for o in observations],
            "training_data": training_data,
            "metrics": metrics,
            "card": card,
        }
        return TrainingResult(artefact, parameters, metrics, card, training_data)

    def load(self, artefact: dict[str, Any]) -> ModalSharePredictor:
        """The predictor of an artefact of this family (KeyError/ValueError if malformed)."""
        resampled = np.array(artefact["bootstrap"], dtype=np.float64)
        if resampled.ndim != 2 or resampled.shape[1] != 2 or not np.all(np.isfinite(resampled)):
            raise ValueError("bootstrap must be a list of finite [intercept, slope] pairs")
        low, high = artefact["observed_range_min"]
        return ModalSharePredictor(
            curve=modal_share.Curve(
                float(artefact["curve"]["intercept"]), float(artefact["curve"]["slope_per_h"])
            ),
            resampled=resampled,
            observed_range_min=(float(low), float(high)),
        )

    @staticmethod
    def card(metrics: dict[str, Any], observed_range: list[float]) -> dict[str, str]:
        """The model card in the active language (stored in French at training; the pages
        render it again in the reader's language)."""
        low, high = (int(v) for v in observed_range)
        return {
            "purpose": gettext(
                "Estimer la part du train dans le marché train + avion entre deux villes à "
                "partir du temps du train le plus rapide, pour chiffrer un potentiel de report "
                "modal de l'avion vers le train sur les liaisons de l'atlas. Un potentiel, "
                "jamais une prévision."
            ),
            "data": gettext(
                "%(count)d observations publiées de liaisons européennes (Paris–Lyon, "
                "Madrid–Séville, Londres–Paris, Madrid–Barcelone, Paris–Marseille, Rome–Milan), "
                "chacune avec sa source (titre, éditeur, lien, année) et la phrase citée ; "
                "fichier apps/mlregistry/data/modal_share_observations.csv."
            )
            % {"count": metrics["observations"]},
            "method": gettext(
                "Courbe logistique de la part du train selon le temps de train, ajustée par "
                "moindres carrés sur le logit des parts observées ; bande à 90 %% par bootstrap "
                "(1 000 rééchantillonnages des observations, graine fixée) ; erreur estimée "
                "par validation croisée en laissant une observation de côté."
            )
            % {},
            "loo_error": gettext(
                "Erreur en laissant une observation de côté : %(mae)s points de part en "
                "moyenne absolue, %(rmse)s points en moyenne quadratique, %(worst)s points "
                "au pire."
            )
            % {
                "mae": number_format(round(metrics["loo_mae_pp"], 1), 1),
                "rmse": number_format(round(metrics["loo_rmse_pp"], 1), 1),
                "worst": number_format(round(metrics["loo_max_abs_pp"], 1), 1),
            },
            "limits": gettext(
                "Observé entre %(low)d et %(high)d minutes de train seulement : au-delà, la "
                "courbe extrapole (signalé dans chaque réponse). Le temps de train seul ne dit "
                "ni le prix, ni la fréquence, ni l'accès aux gares et aéroports, ni les "
                "passagers en correspondance aérienne (qui ne prennent pas le train) ; les parts "
                "publiées mélangent des années, des périmètres (villes ou régions) et des "
                "sources d'exploitants. Ne pas s'y fier pour une liaison avec une forte part de "
                "correspondances (aéroports pivots), des trains peu fréquents, un temps de train "
                "qui n'est qu'une borne haute, ou hors de l'Europe de l'Ouest. Appliqué aux "
                "passagers aériens actuels d'une liaison où un train rapide circule déjà, il "
                "surestime le report : ces passagers sont ceux qui ne l'ont pas pris."
            )
            % {"low": low, "high": high},
            "authors": "ObRail Europe",
            "licence": gettext(
                "Chiffres cités de publications (droit de courte citation), chacun avec son "
                "lien ; le fichier d'observations et le code sont ceux du dépôt ObRail."
            ),
        }


FAMILIES: dict[str, ModalShareFamily] = {ModalShareFamily.name: ModalShareFamily()}
#: Models the registry knows how to train: name -> family.
KNOWN_MODELS: dict[str, str] = {"modal-share": ModalShareFamily.name}
