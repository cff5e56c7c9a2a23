"""Start-up of a large real-world document, ours against Prism, side by side: launch until the first good answer.

    .venv/bin/python benchmarks/bench_startup.py [--spec ../shared/conformance/realworld/specs/spotify.yaml]
                                                 [--probe /markets] [--runs 5]

`PRISM=path/to/prism` picks the Prism binary (default: benchmarks/.node's, installed by bench_vs_prism.py).
Each run starts a fresh process (ours: `mock-server serve --specs SPEC`, mounted at /<stem><servers' base path>;
Prism: `prism mock SPEC`) and times it until `GET <probe>` with a Bearer token answers 200. Prints every run, the
medians and their ratio. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_vs_prism import PRISM, ROOT, free_port, launch  # noqa: E402

from mock_server.loader import load_spec  # noqa: E402

CORPUS_SPOTIFY = ROOT.parent / "shared" / "conformance" / "realworld" / "specs" / "spotify.yaml"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--spec", type=Path, default=CORPUS_SPOTIFY)
    parser.add_argument("--probe", default="/markets")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    prism_bin = Path(os.environ.get("PRISM", str(PRISM)))
    mount = load_spec(args.spec).mount
    times: dict[str, list[float]] = {"ours": [], "prism": []}
    for run in range(args.runs):
        for name in ("ours", "prism"):
            port = free_port()
            if name == "ours":
                command = [sys.executable, "-m", "mock_server", "serve", "--port", str(port), "--specs",
                           str(args.spec)]
                base = f"http://127.0.0.1:{port}{mount}"
            else:
                command = [str(prism_bin), "mock", "-h", "127.0.0.1", "-p", str(port), str(args.spec)]
                base = f"http://127.0.0.1:{port}"
            server = launch(name, command, base, args.probe, timeout=120.0)
            server.stop()
            times[name].append(server.startup_s)
            print(f"run {run + 1}: {name:5} {server.startup_s:.2f} s", flush=True)
    ours, prism = statistics.median(times["ours"]), statistics.median(times["prism"])
    print(f"median start-up of {args.spec.name}: ours {ours:.2f} s, prism {prism:.2f} s, ours/prism {ours / prism:.2f}")


if __name__ == "__main__":
    main()
