"""Add test suites to a JUnit XML document (the stream checks, assumptions, warnings of a run; a proxy session).

A case is a failure, an error, or skipped (what JUnit readers show as a warning: seen, not failing); a case with
no outcome passed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal
from xml.etree import ElementTree

__all__ = ["JunitCase", "JunitOutcome", "add_suite", "render_suites"]

Outcome = Literal["failure", "error", "skipped"]


@dataclass(frozen=True, slots=True)
class JunitOutcome:
    kind: Outcome
    type: str
    message: str
    text: str = ""


@dataclass(frozen=True, slots=True)
class JunitCase:
    """One test case of a suite with its outcomes (none: it passed)."""

    name: str
    outcomes: tuple[JunitOutcome, ...] = ()
    elapsed: float = 0.0


def add_suite(document: str, name: str, cases: Iterable[JunitCase]) -> str:
    """`document` with one more `<testsuite>`; a document that does not parse is returned unchanged."""
    try:
        root = ElementTree.fromstring(document) if document.strip() else ElementTree.Element("testsuites")
    except ElementTree.ParseError:
        return document
    _suite(root, name, list(cases))
    return ElementTree.tostring(root, encoding="unicode")


def render_suites(suites: Iterable[tuple[str, Iterable[JunitCase]]]) -> str:
    """A JUnit document made of the given suites."""
    root = ElementTree.Element("testsuites")
    for name, cases in suites:
        _suite(root, name, list(cases))
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ElementTree.tostring(root, encoding="unicode")


def _suite(root: ElementTree.Element, name: str, cases: list[JunitCase]) -> None:
    def count(kind: str) -> int:
        return sum(1 for case in cases if any(outcome.kind == kind for outcome in case.outcomes))

    suite = ElementTree.SubElement(
        root,
        "testsuite",
        name=name,
        tests=str(len(cases)),
        failures=str(count("failure")),
        errors=str(count("error")),
        skipped=str(count("skipped")),
        time=f"{sum(case.elapsed for case in cases):.3f}",
    )
    for case in cases:
        element = ElementTree.SubElement(
            suite, "testcase", name=case.name, classname=name, time=f"{case.elapsed:.3f}"
        )
        for outcome in case.outcomes:
            child = ElementTree.SubElement(element, outcome.kind, type=outcome.type, message=_clean(outcome.message))
            if outcome.text:
                child.text = _clean(outcome.text)


def _clean(text: str) -> str:
    # XML 1.0 forbids most control characters even escaped.
    return "".join(ch for ch in text if ch in "\t\n\r" or ord(ch) >= 0x20)
