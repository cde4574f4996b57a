"""Run axe-core in a page and report WCAG 2.1 A/AA violations by RGAA criterion."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from playwright.sync_api import Page

AXE_SCRIPT = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
RUN_AXE = """async (tags) => {
  const results = await axe.run(document, {
    runOnly: {type: "tag", values: tags},
    resultTypes: ["violations"],
  });
  return {
    version: axe.version,
    violations: results.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help, tags: v.tags,
      targets: v.nodes.map((n) => n.target.join(" ")),
    })),
    passes: results.passes.length,
  };
}"""


@cache
def axe_source() -> str:
    """The axe-core script installed by ``npm ci``."""
    return AXE_SCRIPT.read_text(encoding="utf-8")


@dataclass
class AxeLedger:
    """What the suite checked, for the end-of-session summary."""

    states: list[str] = field(default_factory=list)
    by_criterion: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))


LEDGER = AxeLedger()


def rgaa_criteria(tags: list[str]) -> list[str]:
    """The RGAA 4 criteria (``RGAA-x.y.z`` tags of axe 4.14) a rule maps to."""
    return sorted(tag.removeprefix("RGAA-") for tag in tags if tag.startswith("RGAA-"))


def format_violations(state: str, violations: list[dict]) -> str:
    """A readable report, grouped by RGAA criterion (or the WCAG rule when axe maps none)."""
    grouped: dict[str, list[dict]] = defaultdict(list)
    for violation in violations:
        for criterion in rgaa_criteria(violation["tags"]) or ["(sans critère RGAA)"]:
            grouped[criterion].append(violation)
    lines = [f"axe-core: {len(violations)} WCAG 2.1 A/AA violation(s) on {state}"]
    for criterion in sorted(grouped):
        lines.append(f"RGAA {criterion}:")
        for violation in grouped[criterion]:
            lines.append(
                f"  - {violation['id']} ({violation['impact']}): {violation['help']}"
                f" -> {', '.join(violation['targets'][:5])}"
            )
    return "\n".join(lines)


def check_accessibility(page: Page, state: str) -> None:
    """Inject axe-core and fail with an RGAA-grouped report on any WCAG 2.1 A/AA violation."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source())
    result = page.evaluate(RUN_AXE, WCAG_TAGS)
    LEDGER.states.append(state)
    for violation in result["violations"]:
        for criterion in rgaa_criteria(violation["tags"]):
            LEDGER.by_criterion[criterion].add(f"{state}: {violation['id']}")
    assert not result["violations"], format_violations(state, result["violations"]) + (
        "\n" + json.dumps(result["violations"], ensure_ascii=False)[:2000]
    )
