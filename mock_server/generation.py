"""Schema -> realistic fake value, with Faker, aware of field names and formats; reproducible with a seed.

Every value is checked against its schema; a value that fails (a pattern with lengths, say) is generated again,
and after a few tries the schema's example or a minimal value is used.
"""

from __future__ import annotations

import base64
import random
import re
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import rstr
from faker import Faker

from mock_server.schemas import is_valid

__all__ = ["Clock", "FakeGenerator"]

MAX_DEPTH = 6
_TIME_HINTS = ("created", "updated", "modified", "deleted", "added", "time", "date", "_at", "At", "last_", "expires")


class Clock:
    """Timestamps for server-owned fields: the real time, or (with a seed) a deterministic time that advances."""

    def __init__(self, seed: int | None) -> None:
        self._fixed = seed is not None
        self._tick = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)

    def now(self) -> datetime:
        if not self._fixed:
            return datetime.now(UTC).replace(microsecond=0)
        self._tick += timedelta(seconds=7)
        return self._tick


class FakeGenerator:
    """Makes schema-valid, realistic values. Same seed and same calls -> same values."""

    def __init__(self, seed: int | None = None, clock: Clock | None = None) -> None:
        self.random = random.Random(seed)
        self.faker = Faker()
        self.faker.seed_instance(seed if seed is not None else random.randrange(2**32))
        self._rstr = rstr.Rstr(self.random)
        self.clock = clock or Clock(seed)
        self._by_name: list[tuple[Callable[[str], bool], Callable[[], Any]]] = self._name_rules()

    # -- public -----------------------------------------------------------------------------------------------
    def value(self, schema: Mapping[str, Any] | None, name: str = "", depth: int = 0) -> Any:
        """A value valid for `schema`; `name` is the field name, used to pick realistic content."""
        if not schema:
            return self._text(name)
        check = _shallow(schema)  # nested objects and arrays were checked when they were generated
        for _ in range(4):
            candidate = self._generate(schema, name, depth)
            verdict = _plain_verdict(candidate, schema)
            if verdict if verdict is not None else is_valid(candidate, check):
                return candidate
        return self._fallback(schema)

    def uuid(self) -> str:
        return str(uuid.UUID(int=self.random.getrandbits(128), version=4))

    def timestamp(self) -> str:
        return self.clock.now().isoformat().replace("+00:00", "Z")

    def sentence(self) -> str:
        return str(self.faker.sentence(nb_words=self.random.randint(6, 14)))

    def paragraph(self) -> str:
        return " ".join(self.faker.sentences(nb=self.random.randint(2, 4)))

    # -- generation -------------------------------------------------------------------------------------------
    def _generate(self, schema: Mapping[str, Any], name: str, depth: int) -> Any:
        if "enum" in schema:
            options = [v for v in schema["enum"] if v is not None] or schema["enum"]
            return self.random.choice(options)
        for key in ("oneOf", "anyOf"):
            if key in schema:
                branches = [b for b in schema[key] if isinstance(b, Mapping)]
                for branch in self.random.sample(branches, len(branches)):
                    merged = {**{k: v for k, v in schema.items() if k != key}, **branch}
                    candidate = self._generate(merged, name, depth)
                    if key == "anyOf" or sum(is_valid(candidate, b) for b in branches) == 1:
                        return candidate
                return self._generate(branches[0], name, depth) if branches else None
        kind = schema.get("type") or ("object" if "properties" in schema else None)
        if kind == "object":
            return self._object(schema, depth)
        if kind == "array":
            return self._array(schema, name, depth)
        if kind == "integer":
            return int(self._number(schema, name, integer=True))
        if kind == "number":
            return self._number(schema, name, integer=False)
        if kind == "boolean":
            return self.random.random() < 0.5
        if kind == "string":
            return self._string(schema, name)
        if "example" in schema:
            return schema["example"]
        return self._text(name)

    def _object(self, schema: Mapping[str, Any], depth: int) -> dict[str, Any]:
        props: Mapping[str, Any] = schema.get("properties") or {}
        required = set(schema.get("required") or ())
        out: dict[str, Any] = {}
        for key, sub in props.items():
            if key in required or depth < MAX_DEPTH - 2:
                if sub.get("readOnly") is False and key not in required:
                    continue
                out[key] = self.value(sub, key, depth + 1)
        _order_timestamps(out)
        minimum = schema.get("minProperties", 0)
        extra = schema.get("additionalProperties")
        while len(out) < minimum and extra is not False:
            extra_schema = extra if isinstance(extra, Mapping) else {"type": "string"}
            out[self.faker.word()] = self.value(extra_schema, "", depth + 1)
        return out

    def _array(self, schema: Mapping[str, Any], name: str, depth: int) -> list[Any]:
        low = int(schema.get("minItems", 0))
        high = int(schema.get("maxItems", max(low, 3)))
        count = low if depth >= MAX_DEPTH else self.random.randint(max(low, min(1, high)), max(low, min(high, 3)))
        item_schema = schema.get("items") or {}
        items: list[Any] = []
        for _ in range(count * 3):
            if len(items) == count:
                break
            item = self.value(item_schema, _singular(name), depth + 1)
            if schema.get("uniqueItems") and item in items:
                continue
            items.append(item)
        return items

    def _number(self, schema: Mapping[str, Any], name: str, integer: bool) -> float:
        low = schema.get("minimum")
        high = schema.get("maximum")
        lowered = name.lower()
        if low is None and high is None and any(h in lowered for h in ("count", "total", "tokens", "size")):
            low, high = 0, 500
        low = 0 if low is None else low
        high = (low + (1000 if integer else 1)) if high is None else high
        if schema.get("exclusiveMinimum"):
            low = low + (1 if integer else 1e-6)
        if schema.get("exclusiveMaximum"):
            high = high - (1 if integer else 1e-6)
        if integer:
            import math

            lo, hi = math.ceil(low), math.floor(high)
            value: float = self.random.randint(lo, max(lo, hi))
        else:
            value = round(self.random.uniform(low, high), 4)
        step = schema.get("multipleOf")
        if step:
            value = (value // step) * step
            if value < low:
                value += step
            if integer:
                value = int(value)
        return value

    def _string(self, schema: Mapping[str, Any], name: str) -> str:
        fmt = schema.get("format")
        if "pattern" in schema:
            text = self._pattern(schema["pattern"], schema)
        elif fmt in _FORMATS:
            return _FORMATS[fmt](self)
        else:
            text = self._by_field_name(name) if name else None
            if text is None:
                text = self._text(name)
        low, high = schema.get("minLength", 0), schema.get("maxLength")
        if high is not None and len(text) > high:
            text = text[:high].rstrip() or text[:high]
        if len(text) < low:
            text = text + "x" * (low - len(text))
        return text

    def _pattern(self, pattern: str, schema: Mapping[str, Any]) -> str:
        low, high = schema.get("minLength", 0), schema.get("maxLength", 64)
        for _ in range(20):
            text = self._rstr.xeger(pattern)
            if low <= len(text) <= high:
                return text
        return text

    def _by_field_name(self, name: str) -> str | None:
        if _is_prose_name(name):
            return None
        for matches, make in self._by_name:
            if matches(name):
                return str(make())
        return None

    def _text(self, name: str) -> str:
        if _is_prose_name(name):
            return self.sentence()
        return str(self.faker.word()) if name else self.sentence()

    def _fallback(self, schema: Mapping[str, Any]) -> Any:
        if "example" in schema and is_valid(schema["example"], schema):
            return schema["example"]
        if "default" in schema:
            return schema["default"]
        if schema.get("nullable"):
            return None
        return self._generate(schema, "", MAX_DEPTH)

    def _name_rules(self) -> list[tuple[Callable[[str], bool], Callable[[], Any]]]:
        f = self.faker

        def has(*words: str) -> Callable[[str], bool]:
            return lambda n: any(w in n.lower() for w in words)

        def ends(*words: str) -> Callable[[str], bool]:
            return lambda n: any(n.lower().endswith(w) for w in words)

        return [
            (has("email"), f.email),
            (_is_id_name, self.uuid),
            (has("url", "href", "src", "avatar", "link", "website", "homepage"), f.url),
            (lambda n: any(h in n for h in _TIME_HINTS), self.timestamp),
            (ends("username", "user_name", "login", "userlogin"), f.user_name),
            (has("first_name", "firstname"), f.first_name),
            (has("last_name", "lastname"), f.last_name),
            (has("org", "company", "organization"), f.company),
            (ends("name"), lambda: f.name() if self.random.random() < 0.5 else f.catch_phrase()),
            (has("title", "headline"), lambda: f.sentence(nb_words=4).rstrip(".")),
            (has("phone"), f.phone_number),
            (has("city"), f.city),
            (has("country"), f.country),
            (has("address"), f.address),
            (has("model"), lambda: self.random.choice(_MODELS)),
            (has("language", "locale"), lambda: self.random.choice(["typescript", "python", "go", "en-US"])),
            (has("color", "colour"), f.color_name),
            (has("version"), lambda: ".".join(str(self.random.randint(0, 20)) for _ in range(3))),
            (has("mime", "content_type", "contenttype", "media_type"), f.mime_type),
            (has("filename", "file_name"), f.file_name),
            (has("path"), f.file_path),
            (lambda n: n.lower() in ("ip", "ip_address", "ipaddress") or n.lower().endswith("_ip"), f.ipv4),
            (has("token", "secret", "key"), lambda: f.sha1()[:32]),
        ]


_SHALLOW: dict[int, tuple[Mapping[str, Any], Mapping[str, Any]]] = {}
_COMPOSED = ("oneOf", "anyOf", "allOf", "not")


_PLAIN_KEYS = frozenset({"type", "description", "title", "example", "default", "nullable", "readOnly", "writeOnly",
                         "deprecated", "format", "enum", "minLength", "maxLength", "pattern", "minimum", "maximum"})
# Formats whose values only this module's own format generators produce (see _FORMATS), so they need no re-check.
_GENERATED_FORMATS = frozenset({"date-time", "date", "uuid", "email", "uri", "url", "hostname", "ipv4", "ipv6",
                                "byte", "binary", "password", "int32", "int64", "float", "double"})
_PATTERNS: dict[str, re.Pattern[str]] = {}


_PLAIN_OBJECT_KEYS = frozenset({"type", "description", "title", "example", "default", "nullable", "readOnly",
                                "writeOnly", "deprecated", "properties", "required", "additionalProperties"})


def _plain_verdict(value: Any, schema: Mapping[str, Any]) -> bool | None:
    """Validity of a freshly generated value decided without jsonschema, or None when that takes the full check.

    Objects: required keys present, no unknown key where none is allowed, every scalar property plainly valid;
    nested objects and arrays were validated when they were generated.
    """
    if schema.get("type") != "object" or not isinstance(value, dict):
        return _plain_scalar_verdict(value, schema)
    if any(key not in _PLAIN_OBJECT_KEYS and not key.startswith("x-") for key in schema):
        return None
    props: Mapping[str, Any] = schema.get("properties") or {}
    if any(key not in value for key in schema.get("required") or ()):
        return False
    if schema.get("additionalProperties") is False and any(key not in props for key in value):
        return False
    if isinstance(schema.get("additionalProperties"), Mapping) and any(key not in props for key in value):
        return None
    for key, item in value.items():
        sub = props.get(key)
        if sub is not None and _is_leaf(sub):
            verdict = _plain_scalar_verdict(item, sub)
            if verdict is not True:
                return verdict
    return True


def _plain_scalar_verdict(value: Any, schema: Mapping[str, Any]) -> bool | None:
    """Decide validity of a generated scalar without jsonschema when its schema uses only plain keywords.

    None means "not a plain scalar schema": the caller validates fully. This is the hot path of data generation
    (most fields are plain strings and numbers), where building a jsonschema error iterator per field dominates.
    """
    if any(key not in _PLAIN_KEYS and not key.startswith("x-") for key in schema):
        return None
    if value is None:
        return bool(schema.get("nullable"))
    if "enum" in schema:
        return value in schema["enum"]
    kind = schema.get("type")
    if kind == "string":
        if not isinstance(value, str):
            return False
        if not schema.get("minLength", 0) <= len(value) <= schema.get("maxLength", len(value)):
            return False
        fmt, pattern = schema.get("format"), schema.get("pattern")
        if fmt is not None and (fmt not in _GENERATED_FORMATS or pattern is not None):
            return None
        if pattern is not None:
            compiled = _PATTERNS.get(pattern) or _PATTERNS.setdefault(pattern, re.compile(pattern))
            return compiled.search(value) is not None
        return True
    if kind in ("integer", "number"):
        if isinstance(value, bool) or not isinstance(value, int if kind == "integer" else (int, float)):
            return False
        low, high = schema.get("minimum"), schema.get("maximum")
        bits = {"int32": 31, "int64": 63}.get(schema.get("format", ""))
        return ((low is None or value >= low) and (high is None or value <= high)
                and (bits is None or -(2**bits) <= value < 2**bits))
    if kind == "boolean":
        return isinstance(value, bool)
    return None


def _shallow(schema: Mapping[str, Any]) -> Mapping[str, Any]:
    """`schema` without the object/array subschemas of its properties and items: `value()` validated those parts
    when it generated them, so checking them again at every level only repeats work. Strings stay checked here
    (`_order_timestamps` may swap them between fields)."""
    cached = _SHALLOW.get(id(schema))
    if cached is None or cached[0] is not schema:
        if len(_SHALLOW) > 10_000:  # transient schemas (rare) must not grow it forever
            _SHALLOW.clear()
        cached = (schema, _make_shallow(schema))
        _SHALLOW[id(schema)] = cached
    return cached[1]


def _make_shallow(schema: Mapping[str, Any]) -> Mapping[str, Any]:
    if any(key in schema for key in _COMPOSED):
        return schema
    kind = schema.get("type") or ("object" if "properties" in schema else None)
    props = schema.get("properties")
    if kind == "object" and isinstance(props, Mapping):
        return {**schema, "properties": {key: sub if _is_leaf(sub) else {} for key, sub in props.items()}}
    items = schema.get("items")
    if kind == "array" and isinstance(items, Mapping) and not _is_leaf(items):
        return {**schema, "items": {}}
    return schema


def _is_leaf(schema: Any) -> bool:
    if not isinstance(schema, Mapping):
        return True
    kind = schema.get("type") or ("object" if "properties" in schema else None)
    return kind not in ("object", "array") and not any(key in schema for key in _COMPOSED)


def _order_timestamps(obj: dict[str, Any]) -> None:
    """Make creation come first: every other timestamp field is no earlier than the created one."""
    created = next((k for k in obj if "creat" in k.lower() or "added" in k.lower()), None)
    if created is None or not isinstance(obj[created], str):
        return
    for key, value in obj.items():
        if key != created and isinstance(value, str) and value[:2] == "20" and "T" in value and value < obj[created]:
            obj[created], obj[key] = value, obj[created]


_MODELS = ("gpt-4o", "claude-3-5-sonnet", "gemini-1.5-pro", "llama-3-70b")
_PROSE = ("description", "summary", "content", "message", "text", "instructions", "comment", "prompt",
          "introduction", "detail", "body", "reason", "feedback", "answer", "question", "response")


def _is_prose_name(name: str) -> bool:
    lowered = name.lower()
    return any(w in lowered for w in _PROSE) and not lowered.endswith(("id", "ids", "type", "count"))


def _is_id_name(name: str) -> bool:
    lowered = name.lower()
    if lowered in ("id", "uuid", "guid"):
        return True
    return lowered.endswith(("_id", "id")) and not lowered.endswith(("paid", "valid"))


def _singular(name: str) -> str:
    return name[:-1] if name.endswith("s") else name


def _date_time(g: FakeGenerator) -> str:
    return g.timestamp()


_FORMATS: dict[str, Callable[[FakeGenerator], str]] = {
    "date-time": _date_time,
    "date": lambda g: g.clock.now().date().isoformat(),
    "uuid": lambda g: g.uuid(),
    "email": lambda g: str(g.faker.email()),
    "uri": lambda g: str(g.faker.url()),
    "url": lambda g: str(g.faker.url()),
    "hostname": lambda g: str(g.faker.hostname()),
    "ipv4": lambda g: str(g.faker.ipv4()),
    "ipv6": lambda g: str(g.faker.ipv6()),
    "byte": lambda g: base64.b64encode(g.faker.binary(length=12)).decode(),
    "binary": lambda g: g.sentence(),
    "password": lambda g: str(g.faker.password()),
}
