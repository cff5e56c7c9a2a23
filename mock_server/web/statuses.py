"""Which status an error answers, decided once for the fast path, Connexion's errors and the engine's.

- 401/403 (credentials), 404, 405 and 413 keep their status: their meaning matters more than the spec's list.
- A malformed path value answers the operation's documented validation status (400, else 422), else 404 (also when
  nothing is documented): a value that cannot be an id names nothing, so "not found" is true.
- A resource the engine cannot find, on an operation that documents no 404 (nor `4XX`/`default`), is answered
  with the documented success and generated data, not stored (web/resolver.py): the contract has no "not found".
  An id the mock saw deleted (a delete answered 2xx, also of an id it never held) stays a 404.
- Any other client error (400, 406, 415, 422, 409...) the operation does not document becomes its documented
  validation status, 400 first, then 422; with neither documented it keeps its own.
"""

from __future__ import annotations

from mock_server.models import Operation

__all__ = ["documents", "error_status"]

_KEPT = frozenset({401, 403, 404, 405, 413})


def error_status(op: Operation | None, status: int, *, path_value: bool = False) -> int:
    """The status to answer for a client error of kind `status` on `op` (None: no operation matched)."""
    if op is None or not 400 <= status < 500:
        return status
    if path_value:
        return next((int(code) for code in ("400", "422") if code in op.responses), 404)
    if status in _KEPT or str(status) in op.responses:
        return status
    return next((int(code) for code in ("400", "422") if code in op.responses), status)


def documents(op: Operation, status: int) -> bool:
    """Whether `op` documents `status`: the code itself, its `4XX` range, or `default`."""
    return op.response_for(status) is not None
