"""`contracts proxy`: a validating reverse proxy in front of a deployment.

    validation.py   the checks of one live request and its response against the spec (Validator, Finding)
    forwarding.py   the ASGI app: forward unchanged, stream what streams, bridge WebSockets, verdict headers
    report.py       what was seen: log lines, redaction, the JSON and JUnit reports written on exit

The command (contracts/commands/proxy.py) serves `ProxyApp` with uvicorn and writes the reports on SIGINT/SIGTERM.
"""
