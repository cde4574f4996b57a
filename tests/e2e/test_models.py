"""The model registry's pages in a real browser: axe-core at 1280 and 320 pixels, the fit
chart with its tables, and the potential beside the atlas simulator."""

from __future__ import annotations

import pytest
from django.urls import reverse

from apps.mlregistry.services import promote, train_model
from apps.mlregistry.serving import unload_all

pytestmark = pytest.mark.e2e


@pytest.fixture
def model_site(site):
    unload_all()
    version = train_model("modal-share", actor="e2e", reason="e2e")
    promote("modal-share", version.number, actor="e2e", reason="e2e")
    yield site
    unload_all()


@pytest.mark.parametrize("width", [1280, 320])
def test_model_pages_pass_axe_and_reflow(model_site, browser_page, audit, width):
    base, _network = model_site
    browser_page.set_viewport_size({"width": width, "height": 900})
    states = [
        (reverse("mlregistry:model-list"), "Modèles prédictifs"),
        (reverse("mlregistry:model-detail", args=["modal-share"]), "Part du train"),
        (reverse("atlas:policy") + "?threshold_min=150", "Simulateur"),
    ]
    for path, heading in states:
        response = browser_page.goto(base + path)
        assert response.status == 200
        assert heading in browser_page.locator("h1").inner_text()
        widths = browser_page.evaluate(
            "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert widths[0] <= widths[1], f"{path} scrolls sideways at {width}px"
        audit(browser_page, f"models {path} at {width}px")


def test_the_fit_chart_has_one_mark_per_observation_and_its_table(model_site, browser_page):
    base, _network = model_site
    browser_page.goto(base + reverse("mlregistry:model-detail", args=["modal-share"]))
    chart = browser_page.get_by_role("img", name="Ajustement : observations publiées et courbe")
    assert chart.count() == 1
    marks = browser_page.locator("svg.fit-chart .fit-point").count()
    table = browser_page.get_by_role("table", name="Observations d'entraînement et leurs sources")
    assert table.locator("tbody tr").count() == marks
    assert marks >= 10
