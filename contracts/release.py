"""Release check: lint every spec in `specs/` and diff each against a git ref (by default the last tag).

A spec that did not exist at the ref is "new" (nothing to break); one that existed there but is gone now is
"removed", and every path it had is a breaking change.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from contracts.diff import diff_specs
from contracts.errors import UsageError
from contracts.findings import Finding, Severity
from contracts.lint import lint_file
from contracts.specfile import GIT_PREFIX, SPECS_DIR, discover_specs, load_spec_document, parse_spec_text

__all__ = ["ReleaseReport", "SpecReport", "find_base_ref", "release_check"]

_EMPTY_SPEC = "openapi: 3.0.3\ninfo: {title: removed, version: '0'}\npaths: {}\n"


@dataclass(frozen=True, slots=True)
class SpecReport:
    """One spec's result: `status` is changed, unchanged, new, removed or linted (no base to compare with)."""

    path: str
    status: str
    lint: tuple[Finding, ...] = ()
    changes: tuple[Finding, ...] = ()

    @property
    def lint_errors(self) -> int:
        """Lint findings of severity error."""
        return sum(finding.severity is Severity.ERROR for finding in self.lint)

    @property
    def breaking(self) -> int:
        """Breaking changes."""
        return sum(finding.breaking for finding in self.changes)


@dataclass(frozen=True, slots=True)
class ReleaseReport:
    """All specs' results against `base` (None when there was nothing to compare with; `note` says why)."""

    base: str | None
    specs: tuple[SpecReport, ...]
    note: str | None = None

    @property
    def failed(self) -> bool:
        """Whether any spec has a lint error or a breaking change."""
        return any(spec.lint_errors or spec.breaking for spec in self.specs)


def release_check(root: Path, since: str | None = None) -> ReleaseReport:
    """Lint `root/specs/*.yaml` and diff each against `since` (default: the last tag reachable from HEAD)."""
    paths = [path.relative_to(root).as_posix() for path in discover_specs(root)]
    note = None
    base = since
    if base is None:
        base, note = find_base_ref(root)
    if base is not None:
        _check_ref(root, base)
    if not paths and base is None:
        raise UsageError(f"no {SPECS_DIR}/*.yaml in {root}")
    old_paths = _specs_at(root, base) if base is not None else []
    reports = [_current(root, path, base, path in old_paths) for path in paths]
    reports += [_removed(root, path, base) for path in old_paths if path not in paths and base is not None]
    return ReleaseReport(base=base, specs=tuple(reports), note=note)


def find_base_ref(root: Path) -> tuple[str | None, str | None]:
    """The last tag (`git describe --tags --abbrev=0`), or None and the reason there is none."""
    result = _git(root, "describe", "--tags", "--abbrev=0")
    if result.returncode == 0 and result.stdout.strip():
        return result.stdout.strip(), None
    reason = "no git repository" if "not a git repository" in result.stderr else "no release tag found"
    return None, f"{reason} (git describe --tags): only linting; pass --since REF to compare with a commit"


def _current(root: Path, path: str, base: str | None, existed: bool) -> SpecReport:
    lint = tuple(lint_file(path, cwd=root))
    if base is None:
        return SpecReport(path, "linted", lint)
    if not existed:
        return SpecReport(path, "new", lint)
    if any(finding.rule == "yaml-syntax" for finding in lint):
        return SpecReport(path, "changed", lint)
    old = load_spec_document(f"{GIT_PREFIX}{base}:./{path}", cwd=root)
    changes = tuple(diff_specs(old, load_spec_document(path, cwd=root)))
    return SpecReport(path, "changed" if changes else "unchanged", lint, changes)


def _removed(root: Path, path: str, base: str) -> SpecReport:
    old = load_spec_document(f"{GIT_PREFIX}{base}:./{path}", cwd=root)
    empty = parse_spec_text(_EMPTY_SPEC, name=path)
    return SpecReport(path, "removed", (), tuple(diff_specs(old, empty)))


def _check_ref(root: Path, ref: str) -> None:
    result = _git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    if result.returncode != 0:
        raise UsageError(f"unknown git ref {ref!r} in {root}")


def _specs_at(root: Path, ref: str) -> list[str]:
    """`specs/*.yaml` paths (relative to `root`) in the tree of `ref`."""
    result = _git(root, "ls-tree", "--name-only", ref, "--", f"./{SPECS_DIR}/")
    if result.returncode != 0:
        raise UsageError(f"cannot list {SPECS_DIR}/ at {ref}: {result.stderr.strip()}")
    names = [line.strip() for line in result.stdout.splitlines()]
    return sorted(name for name in names if name.endswith(".yaml") and name.count("/") == 1)


def _git(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=False)
    except OSError as exc:
        raise UsageError(f"cannot run git: {exc}") from exc
