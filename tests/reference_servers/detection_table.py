"""Print the fault-detection table (markdown) for docs/contract-testing.md.

    .venv/bin/python -m tests.reference_servers.detection_table

Runs every scenario of `catalogue.SCENARIOS` (each fault on its reference server, bounded run, fixed seed) and
reports whether the expected check caught it, which checks fired, and how long into the run the first
expected violation was found.
"""

from __future__ import annotations

import os
import platform
import sys

from tests.reference_servers.catalogue import MAX_EXAMPLES, SCENARIOS, SEED, Outcome, run_scenario
from tests.reference_servers.faults import FAULTS

__all__ = ["main", "render"]


def render(outcomes: list[Outcome]) -> str:
    """The outcomes as a markdown table, with a one-line footer on how it was measured."""
    lines = [
        "| Server | Fault | Detected | Expected check | Checks that fired | Time to detection | Run time |",
        "|---|---|---|---|---|---|---|",
    ]
    for outcome in outcomes:
        scenario = outcome.scenario
        detected = "yes" if outcome.detected else "no"
        if scenario.assumption and outcome.detected:
            detected = "yes, as an assumption (a warning; a failure with `--strict`)"
        if not scenario.expected:
            detected = f"no: {scenario.note}"
        expected = ", ".join(f"`{name}`" for name in sorted(scenario.expected)) or "-"
        fired = ", ".join(f"`{name}`" for name in sorted(outcome.found)) or "none"
        found_after = outcome.time_to_detection
        ttd = f"{found_after:.2f} s" if found_after is not None else "-"
        lines.append(
            f"| {scenario.server} | {scenario.fault}: {FAULTS[scenario.fault].description} | {detected} "
            f"| {expected} | {fired} | {ttd} | {outcome.wall_time:.1f} s |"
        )
    cores = len(os.sched_getaffinity(0))
    lines.append("")
    lines.append(
        f"`--max-examples {MAX_EXAMPLES} --seed {SEED}`, all phases; Python {platform.python_version()}, "
        f"{cores} cores. Time to detection: seconds from the engine start to the end of the scenario that first "
        "showed the expected violation."
    )
    return "\n".join(lines)


def main() -> int:
    outcomes = []
    for scenario in SCENARIOS:
        outcome = run_scenario(scenario)
        print(f"{scenario.id}: {sorted(outcome.found)}", file=sys.stderr)
        outcomes.append(outcome)
    print(render(outcomes))
    missed = [o.scenario.id for o in outcomes if o.scenario.expected and not o.detected]
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
