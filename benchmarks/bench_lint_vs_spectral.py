"""`contracts lint` against Spectral (`spectral:oas` ruleset) on one document, side by side, same machine.

    .venv/bin/python benchmarks/bench_lint_vs_spectral.py [--spec PATH] [--runs 5] [--spectral-dir DIR]

Each run is a whole command, start-up included, as a user types it: `contracts lint SPEC --format json` and
`spectral lint -r <extends: spectral:oas> SPEC -f json`, alternated so both see the same machine load. Prints the
median and best wall time of each and the ratio ours/Spectral (below 1: we are faster). Not part of the test suite.
The default document is the largest real-world one of the conformance kit (Spotify, 286 kB).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT.parent / "shared" / "conformance" / "realworld" / "specs" / "spotify.yaml"
CONTRACTS = ROOT / ".venv" / "bin" / "contracts"
SPECTRAL_DIR = Path(os.environ.get("SPECTRAL_DIR", "/work/tools/spectral"))


def timed(command: list[str]) -> float:
    """Wall seconds of one run; exit 1 (findings) is a normal outcome of a linter."""
    start = time.perf_counter()
    result = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=False)
    elapsed = time.perf_counter() - start
    if result.returncode not in (0, 1):
        sys.exit(f"{command[0]} failed ({result.returncode}): {result.stderr.strip()[-500:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--spec", type=Path, default=SPEC, help=f"document to lint (default: {SPEC})")
    parser.add_argument("--runs", type=int, default=5, help="runs of each tool (default: 5)")
    parser.add_argument("--spectral-dir", type=Path, default=SPECTRAL_DIR, help="where spectral-cli is installed")
    args = parser.parse_args()
    spectral = args.spectral_dir / "node_modules" / ".bin" / "spectral"
    if not spectral.exists():
        sys.exit(f"no Spectral at {spectral}: npm install @stoplight/spectral-cli@6 there, or pass --spectral-dir")
    if not args.spec.is_file():
        sys.exit(f"no document at {args.spec}")
    with tempfile.TemporaryDirectory() as folder:
        ruleset = Path(folder) / "ruleset.yaml"
        ruleset.write_text('extends: ["spectral:oas"]\n')
        commands = {
            "contracts lint": [str(CONTRACTS), "lint", str(args.spec), "--format", "json"],
            "spectral lint": [str(spectral), "lint", "-q", "-r", str(ruleset), "-f", "json", str(args.spec)],
        }
        times: dict[str, list[float]] = {name: [] for name in commands}
        for command in commands.values():  # a warm-up each: page cache, node's compile cache
            timed(command)
        for _ in range(args.runs):
            for name, command in commands.items():
                times[name].append(timed(command))
    size = args.spec.stat().st_size // 1024
    print(f"document: {args.spec} ({size} kB), {args.runs} runs each, CPUs: {os.cpu_count()}")
    print(f"{'tool':<16} {'median s':>9} {'best s':>8}")
    for name, values in times.items():
        print(f"{name:<16} {statistics.median(values):>9.2f} {min(values):>8.2f}")
    ours, theirs = (statistics.median(times[name]) for name in commands)
    print(f"ratio contracts/spectral (median): {ours / theirs:.2f}")


if __name__ == "__main__":
    main()
