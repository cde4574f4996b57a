"""Training, reproducibility, loading, promotion, rollback, audit and freshness."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.utils import timezone

from apps.mlregistry.artefacts import ArtefactError, dump_artefact
from apps.mlregistry.families import (
    MODAL_SHARE_DATA,
    ModalShareFamily,
    TrainingDataError,
    read_observations,
)
from apps.mlregistry.models import ModelVersion, RegistryEvent
from apps.mlregistry.services import (
    evaluate_version,
    model_freshness,
    promote,
    retire,
    rollback,
    train_model,
)
from apps.mlregistry.serving import ModelUnavailable, serving_model
from apps.mlregistry.tests.factories import corrupt, in_production, trained
from apps.trajets.models import DataSource, ImportRun
from obrail.errors import InvalidInput, UnprocessableInput

pytestmark = pytest.mark.django_db


def test_training_twice_from_the_same_data_and_seed_gives_byte_identical_artefacts():
    family = ModalShareFamily()
    first = dump_artefact(family.train(seed=16).artefact).encode()
    second = dump_artefact(family.train(seed=16).artefact).encode()
    assert first == second
    assert dump_artefact(family.train(seed=17).artefact).encode() != first


def test_retraining_unchanged_data_returns_the_stored_version_instead_of_a_duplicate():
    version = trained()
    again = trained()
    assert again.pk == version.pk
    assert ModelVersion.objects.count() == 1
    other = trained(seed=99)
    assert other.number == 2
    assert other.sha256 != version.sha256


def test_every_training_observation_carries_its_source():
    observations, checksum = read_observations()
    assert len(observations) >= 10
    assert len(checksum) == 64
    for obs in observations:
        assert obs.share_source_title
        assert obs.share_publisher
        assert obs.share_as_published
        assert obs.share_url.startswith("https://")
        assert obs.time_as_published, obs.id
        assert obs.time_url == "" or obs.time_url.startswith("https://")


def test_an_observation_without_a_source_is_refused_naming_its_line(tmp_path):
    rows = list(csv.DictReader(io.StringIO(MODAL_SHARE_DATA.read_text(encoding="utf-8"))))
    rows[2]["share_url"] = ""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    path = tmp_path / "observations.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    with pytest.raises(TrainingDataError, match="line 4: share_url is empty"):
        read_observations(path)


def _run(source: DataSource, **fields) -> ImportRun:
    now = timezone.now()
    return ImportRun.objects.create(
        source=source, status="succeeded", started_at=now, finished_at=now, **fields
    )


def test_the_version_records_its_data_metrics_and_a_card_stating_the_loo_error():
    source = DataSource.objects.create(name="sncf", title="SNCF")
    run = _run(source, input_checksum="ab" * 32)
    version = trained()
    assert version.data_version["training_data"]["sha256"] == read_observations()[1]
    assert version.data_version["imports"] == [
        {
            "source": "sncf",
            "import_run": run.pk,
            "input_checksum": "ab" * 32,
            "finished_at": run.finished_at.isoformat(),
        }
    ]
    mae = version.metrics["loo_mae_pp"]
    assert 0 < mae < 30
    assert f"{mae:.1f}".replace(".", ",") + " points" in version.card["loo_error"]
    assert "Ne pas s'y fier" in version.card["limits"]


def test_evaluate_recomputes_the_stored_leave_one_out_error():
    version = trained()
    found = evaluate_version("modal-share")
    assert round(found.loo.mae_pp, 2) == version.metrics["loo_mae_pp"]
    assert [round(p * 100, 2) for p in found.loo.predicted] == version.metrics["loo_predicted_pct"]


def test_a_corrupted_artefact_is_refused_at_load_with_a_clear_error():
    version = in_production()
    corrupt(version)
    with pytest.raises(ModelUnavailable, match=r"checksum mismatch.*altered or corrupted"):
        serving_model("modal-share")
    with pytest.raises(ArtefactError, match="modal-share v1: checksum mismatch"):
        evaluate_version("modal-share")


def test_the_previous_production_version_keeps_serving_when_the_new_one_is_corrupted():
    first = in_production()
    assert serving_model("modal-share").number == first.number
    second = trained(seed=99)
    promote("modal-share", second.number, actor="tests", reason="new bootstrap")
    assert serving_model("modal-share").number == second.number
    third = trained(seed=7)
    promote("modal-share", third.number, actor="tests", reason="another")
    # The stored artefact of the new production version is altered after its promotion.
    rollback("modal-share", actor="tests", reason="back")
    assert serving_model("modal-share").number == second.number
    promote("modal-share", third.number, actor="tests", reason="again")
    corrupt(ModelVersion.objects.get(pk=third.pk))
    loaded = serving_model("modal-share")
    assert (loaded.number, loaded.is_fallback) == (second.number, True)
    assert loaded.predictor.predict(rail_time_min=150.0)["rail_share_pct"] > 50


def test_promotion_refuses_a_corrupted_artefact_and_changes_nothing():
    first = in_production()
    second = trained(seed=5)
    corrupt(second)
    with pytest.raises(UnprocessableInput, match="checksum mismatch"):
        promote("modal-share", second.number, actor="tests", reason="try")
    assert ModelVersion.objects.get(status="production").pk == first.pk
    assert not RegistryEvent.objects.filter(version=second, action="promote").exists()


def test_promote_and_rollback_swap_the_served_version_and_are_audited():
    first = in_production()
    second = trained(seed=3)
    assert serving_model("modal-share").number == 1
    promote("modal-share", second.number, actor="alice", reason="better band")
    assert serving_model("modal-share").number == 2
    assert ModelVersion.objects.get(pk=first.pk).status == "retired"
    rollback("modal-share", actor="bob", reason="regression")
    assert serving_model("modal-share").number == 1
    events = list(
        RegistryEvent.objects.order_by("at", "pk").values_list("action", "actor", "reason")
    )
    assert events[-2:] == [("promote", "alice", "better band"), ("rollback", "bob", "regression")]
    last = RegistryEvent.objects.order_by("-at", "-pk").first()
    assert (last.version.number, last.previous.number) == (1, 2)


def test_a_change_without_a_reason_is_refused():
    version = trained()
    with pytest.raises(InvalidInput, match="motif"):
        promote("modal-share", version.number, actor="tests", reason="  ")


def test_rollback_without_an_earlier_version_is_refused():
    in_production()
    with pytest.raises(UnprocessableInput):
        rollback("modal-share", actor="tests", reason="nothing before")


def test_a_production_version_is_not_retired_directly():
    version = in_production()
    with pytest.raises(UnprocessableInput):
        retire("modal-share", version.number, actor="tests", reason="no")
    candidate = trained(seed=2)
    assert (
        retire("modal-share", candidate.number, actor="tests", reason="unused").status == "retired"
    )


def test_a_model_trained_before_the_latest_import_is_flagged_stale():
    source = DataSource.objects.create(name="sncf", title="SNCF")
    _run(source)
    in_production()
    assert [f.is_stale for f in model_freshness()] == [False]
    _run(source)
    assert model_freshness()[0].reasons == ("sncf",)


def test_an_artefact_of_another_format_is_refused():
    version = in_production()
    text = json.dumps({**json.loads(version.artefact), "format": "pickle"})
    from apps.mlregistry.artefacts import sha256_of

    ModelVersion.objects.filter(pk=version.pk).update(artefact=text, sha256=sha256_of(text))
    with pytest.raises(ModelUnavailable, match="unknown artefact format 'pickle'"):
        serving_model("modal-share")


def test_an_unknown_model_cannot_be_trained():
    with pytest.raises(LookupError, match="unknown model 'nope'"):
        train_model("nope", actor="tests", reason="x")


def test_a_promotion_made_by_another_process_is_served_within_the_pointer_delay(monkeypatch):
    from apps.mlregistry import serving

    first = in_production()
    second = trained(seed=12)
    assert serving_model("modal-share").number == first.number
    # Another process promotes: the rows change, this process is not told.
    ModelVersion.objects.filter(pk=first.pk).update(status="retired")
    ModelVersion.objects.filter(pk=second.pk).update(status="production")
    assert serving_model("modal-share").number == first.number
    later = serving.time.monotonic() + serving.POINTER_TTL_S + 0.1
    monkeypatch.setattr(serving.time, "monotonic", lambda: later)
    assert serving_model("modal-share").number == second.number
