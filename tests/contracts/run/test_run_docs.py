"""docs/contract-testing.md and docs/ci-github-actions.yml stay true to the command and the fault catalogue."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from contracts.cli import build_parser
from contracts.commands.run import resolve_spec
from tests.reference_servers import pulumi_ai
from tests.reference_servers.catalogue import SCENARIOS
from tests.reference_servers.serving import serve

DOCS = Path(__file__).resolve().parents[3] / "docs"
SPECS = DOCS.parent / "specs"


def _parse(command: str, sub: str = "run") -> Any:
    parser, _ = build_parser()
    words = shlex.split(command.replace("\\\n", " "))
    assert words[:2] == ["contracts", sub], command
    return parser.parse_args(words[1:])


def test_the_workflow_runs_the_documented_command_and_publishes_junit() -> None:
    workflow = yaml.safe_load((DOCS / "ci-github-actions.yml").read_text())
    job = workflow["jobs"]["contracts"]
    steps = job["steps"]
    [command] = [step["run"] for step in steps if "contracts run" in step.get("run", "")]
    args = _parse(command.replace('"$GITHUB_RUN_NUMBER"', "17"))
    assert (args.api, args.base_url, args.token_env, args.read_only) == ("$API", "$URL", "TOKEN", True)
    assert str(args.junit_xml) == "out.xml" and str(args.report) == "out.json"
    publish = [step for step in steps if "junit" in step.get("uses", "")]
    assert publish and publish[0]["with"]["report_paths"] == "out.xml"
    for entry in job["strategy"]["matrix"]["include"]:
        assert resolve_spec(entry["api"], None).is_file()


def test_the_workflow_runs_the_e2e_suite_through_the_proxy_and_fails_on_its_exit_code() -> None:
    job = yaml.safe_load((DOCS / "ci-github-actions.yml").read_text())["jobs"]["e2e-through-proxy"]
    [script] = [step["run"] for step in job["steps"] if "contracts proxy" in step.get("run", "")]
    [line] = [line for line in script.splitlines() if line.startswith("contracts proxy")]
    args = _parse(line.removesuffix("&").strip(), "proxy")
    assert (args.api, args.upstream, args.port) == ("devs-ai", "$URL", 4011)
    assert resolve_spec(args.api, None).is_file()
    assert 'kill -TERM "$PROXY"' in script and 'wait "$PROXY" || PROXY_STATUS=$?' in script
    assert "127.0.0.1:4011" in script
    publish = [step for step in job["steps"] if "junit" in step.get("uses", "")]
    assert publish and publish[0]["with"]["report_paths"] == str(args.junit_xml)


def test_every_documented_option_exists() -> None:
    text = (DOCS / "contract-testing.md").read_text()
    parser, _ = build_parser()
    run_parser = parser._subparsers._group_actions[0].choices["run"]  # type: ignore[union-attr]
    known = {option for action in run_parser._actions for option in action.option_strings}
    table = text.split("## Options", 1)[1].split("###", 1)[0]
    documented = set(re.findall(r"`(--[a-z-]+)", table))
    assert documented and documented <= known, documented - known


def test_the_detection_table_lists_every_scenario() -> None:
    text = (DOCS / "contract-testing.md").read_text().split("## Proof", 1)[1]
    rows = [line.split("|") for line in text.splitlines() if line.startswith("| ") and ": " in line.split("|")[2]]
    listed = [(cells[1].strip().removesuffix(" (spec fixed)"), cells[2].split(":")[0].strip()) for cells in rows]
    assert listed == [(scenario.server, scenario.fault) for scenario in SCENARIOS]


def _recipe_files() -> dict[str, str]:
    text = (DOCS / "contract-testing.md").read_text().split("### A `conftest.py` recipe", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(# (\S+)\n.*?)```", text, re.S)
    return {Path(name).name: code for code, name in blocks}


@pytest.mark.slow
@pytest.mark.parametrize(("fault", "outcome"), [(None, "passed"), ("wrong_type", "failed")])
def test_the_conftest_recipe_runs_as_documented(tmp_path: Path, fault: str | None, outcome: str) -> None:
    files = _recipe_files()
    assert set(files) == {"conftest.py", "test_api.py"}
    for name, code in files.items():
        (tmp_path / name).write_text(code)
    (tmp_path / "specs").mkdir()
    shutil.copy(SPECS / "pulumi-ai.yaml", tmp_path / "specs")
    # Fewer examples than Schemathesis' default 100, through its own config file: the recipe itself is unchanged.
    (tmp_path / "schemathesis.toml").write_text("[generation]\nmax-examples = 15\n")
    with serve(pulumi_ai.create_app(fault)) as root:
        env = {**os.environ, "CONTRACT_BASE_URL": root, "PULUMI_TOKEN": pulumi_ai.TOKEN}
        command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-x", str(tmp_path)]
        run = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert outcome in run.stdout.splitlines()[-1], run.stdout[-3000:] + run.stderr[-2000:]
