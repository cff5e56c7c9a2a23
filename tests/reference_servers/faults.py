"""The fault catalogue: drift a reference server can be told to show (`create_app(fault="wrong_type")`)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["FAULTS", "Fault", "FaultSwitch"]


@dataclass(frozen=True, slots=True)
class Fault:
    """One kind of drift between a server and its spec."""

    name: str
    description: str


FAULTS: dict[str, Fault] = {
    fault.name: fault
    for fault in (
        Fault("wrong_type", "a response field has the wrong JSON type"),
        Fault("missing_field", "a required response field is missing"),
        Fault("undocumented_status", "a success answered with a status code the spec does not document"),
        Fault("server_error_on_edge", "500 on an edge-case input (a boundary value)"),
        Fault("accepts_invalid", "invalid input accepted with a 2xx"),
        Fault(
            "accepts_decided",
            "a value only an `x-decision` constraint forbids is accepted (clamped); every documented rule is kept",
        ),
        Fault("rejects_valid", "valid input rejected with a 4xx"),
        Fault("auth_not_enforced", "requests without valid credentials are served"),
        Fault("create_not_persisted", "a create answers 2xx but stores nothing"),
        Fault("wrong_content_type", "error bodies sent as text/plain instead of the documented JSON"),
        Fault("missing_header", "the documented Retry-After header is absent from 429 responses"),
        Fault("field_changed", "a field sent on create reads back different"),
        Fault("chunk_missing_field", "a streamed chunk lacks a required field (`choices`)"),
        Fault("no_terminator", "an event stream ends without its `[DONE]` terminator"),
        Fault("malformed_frame", "a streamed event whose data is not JSON"),
        Fault("undocumented_kind", "a WebSocket frame of a `type` the spec does not document"),
        Fault("endless_stream", "an event stream that goes on past the reader's bound"),
    )
}


class FaultSwitch:
    """Which fault (if any) an app was created with; `switch("wrong_type")` is true when that one is on."""

    def __init__(self, fault: str | None) -> None:
        if fault is not None and fault not in FAULTS:
            raise ValueError(f"unknown fault {fault!r}; known: {', '.join(FAULTS)}")
        self.fault = fault

    def __call__(self, name: str) -> bool:
        if name not in FAULTS:
            raise ValueError(f"unknown fault {name!r}")
        return self.fault == name
