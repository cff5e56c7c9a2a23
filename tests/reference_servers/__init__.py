"""Independent in-memory implementations of some of our APIs, with switchable faults, to prove that
`contracts run` catches real drift (see docs/contract-testing.md)."""
