"""The registry's commands: train, evaluate, promote and roll back, bench."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from apps.mlregistry.models import ModelVersion, RegistryEvent

pytestmark = pytest.mark.django_db


def _run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_train_then_evaluate_prints_the_leave_one_out_error_stated_in_the_card():
    trained = _run("train_model", "modal-share", "--promote")
    assert "v1" in trained
    assert "put in production" in trained
    version = ModelVersion.objects.get()
    evaluated = _run("evaluate_model", "modal-share")
    assert f"MAE {version.metrics['loo_mae_pp']:.2f} pp" in evaluated
    assert "paris-lyon-hsr" in evaluated
    assert version.status == "production"


def test_promote_and_rollback_commands_are_audited():
    _run("train_model", "modal-share", "--promote")
    _run("train_model", "modal-share", "--seed", "3")
    assert "v2 in production" in _run("promote_model", "modal-share", "2", "--reason", "seed 3")
    assert "v1 in production" in _run(
        "promote_model", "modal-share", "--rollback", "--reason", "back"
    )
    reasons = list(RegistryEvent.objects.order_by("at", "pk").values_list("action", "reason"))
    assert reasons[-2:] == [("promote", "seed 3"), ("rollback", "back")]


def test_commands_fail_clearly():
    with pytest.raises(CommandError, match="unknown model 'nope'"):
        _run("train_model", "nope")
    with pytest.raises(CommandError, match="unknown model"):
        _run("evaluate_model", "nope")
    with pytest.raises(CommandError, match="either VERSION or --rollback"):
        _run("promote_model", "modal-share", "--reason", "x")


def test_bench_prints_p95_of_the_predict_endpoint():
    _run("train_model", "modal-share", "--promote")
    output = _run("bench_models", "--requests", "5")
    assert "p95" in output
    assert "5 requests each" in output
    assert "baseline" in output


def test_bench_names_the_command_to_run_when_no_model_is_registered():
    with pytest.raises(CommandError, match=r"run `manage\.py train_model modal-share --promote`"):
        _run("bench_models", "--requests", "1")
