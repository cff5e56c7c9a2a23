"""Run a documented `curl` command (README, the dashboard's example) with httpx against a test server.

The command is split the way a POSIX shell would (`shlex`), so a quoting mistake in the documentation fails here
too; the documented origin is replaced by the test server's. Only the curl options the docs use are understood;
any other option fails the test, so the docs cannot quietly drift out of what is checked.
"""

from __future__ import annotations

import shlex

import httpx

__all__ = ["CurlCommand", "parse_curl"]

_FLAGS = {"-s", "--silent", "-S", "--show-error", "-i", "--include", "-v", "-f", "--fail", "-N", "--no-buffer"}


class CurlCommand:
    """A parsed `curl` command line: method, URL, headers, body."""

    def __init__(self, method: str, url: str, headers: list[tuple[str, str]], body: bytes | None) -> None:
        self.method, self.url, self.headers, self.body = method, url, headers, body

    def send(self, origin: str | None = None, root: str | None = None, timeout: float = 10.0) -> httpx.Response:
        """Send it; `origin` in the URL (e.g. `http://127.0.0.1:4010`) is replaced by `root`."""
        url = self.url.replace(origin, root, 1) if origin and root else self.url
        return httpx.request(self.method, url, headers=self.headers, content=self.body, timeout=timeout)


def parse_curl(command: str) -> CurlCommand:
    """Parse one `curl ...` command (line continuations allowed); raises ValueError on anything unknown."""
    words = shlex.split(command.replace("\\\n", " "), comments=True)
    if not words or words[0] != "curl":
        raise ValueError(f"not a curl command: {command!r}")
    method, url, headers, body = None, None, [], None
    rest = iter(words[1:])
    for word in rest:
        if word in ("-X", "--request"):
            method = next(rest)
        elif word in ("-H", "--header"):
            name, _, value = next(rest).partition(":")
            headers.append((name.strip(), value.strip()))
        elif word in ("-d", "--data", "--data-raw", "--data-binary"):
            body = next(rest).encode()
        elif word in _FLAGS:
            continue
        elif word.startswith("-"):
            raise ValueError(f"curl option {word} is not understood by this check: {command!r}")
        elif url is None:
            url = word
        else:
            raise ValueError(f"two URLs in one curl command: {command!r}")
    if url is None:
        raise ValueError(f"no URL in {command!r}")
    if body is not None and not any(name.lower() == "content-type" for name, _ in headers):
        headers.append(("Content-Type", "application/x-www-form-urlencoded"))  # what curl sends with -d
    return CurlCommand(method or ("POST" if body is not None else "GET"), url, headers, body)
