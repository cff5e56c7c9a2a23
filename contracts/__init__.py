"""Contract testing and spec validation for OpenAPI specs: lint, diff, release-check and Schemathesis runs."""
