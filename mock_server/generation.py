"""Schema -> realistic fake value, with Faker, aware of field names and formats; reproducible with a seed.

Every value is checked against its schema; a value that fails (a pattern with lengths, say) is generated again,
and after a few tries the schema's example or a minimal value is used.
"""

from __future__ import annotations

import base64
import functools
import random
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import rstr
from faker import Faker

from mock_server.schemas import is_valid

__all__ = ["FINISH_FIELDS", "STOP_WORDS", "TOOL_WORDS", "Clock", "FakeGenerator"]

MAX_DEPTH = 6
_STAMP = "%Y-%m-%dT%H:%M:%SZ"
_UUID_CLEAR = ~((0xF000 << 64) | (0xC000 << 48))  # version and variant bits
_UUID_SET = (0x4000 << 64) | (0x8000 << 48)  # version 4, RFC 4122 variant
POOL_SIZE = 256
POOL_FRESH = 8
_TIME_HINTS = ("created", "updated", "modified", "deleted", "added", "time", "date", "_at", "At", "last_", "expires")


class Clock:
    """Timestamps for server-owned fields: the real time, or (with a seed) a deterministic time that advances."""

    def __init__(self, seed: int | None, age: timedelta = timedelta(0)) -> None:
        self._fixed = seed is not None
        self._tick = datetime(2026, 1, 5, 9, 30, tzinfo=UTC) - age  # `age`: a clock of older data
        self._stamped: tuple[int, str] = (0, "")  # the last real second, and its text

    def now(self) -> datetime:
        if not self._fixed:
            return datetime.now(UTC).replace(microsecond=0)
        self._tick += timedelta(seconds=7)
        return self._tick

    def epoch(self) -> int:
        """`now()` as Unix seconds (for integer timestamps such as a completion's `created`)."""
        if not self._fixed:
            return int(time.time())
        return int(self.now().timestamp())

    def stamp(self) -> str:
        """`now()` as RFC 3339 text in UTC (`2026-01-05T09:30:07Z`); real time is formatted once per second."""
        if self._fixed:
            return self.now().isoformat()[:19] + "Z"
        second = int(time.time())
        if second != self._stamped[0]:
            self._stamped = (second, time.strftime(_STAMP, time.gmtime(second)))
        return self._stamped[1]


class FakeGenerator:
    """Makes schema-valid, realistic values. Same seed and same calls -> same values."""

    def __init__(self, seed: int | None = None, clock: Clock | None = None) -> None:
        self.random = random.Random(seed)
        self.faker = Faker(use_weighting=False)  # weighted picks recompute cumulative weights per call: ~8x slower
        self.faker.seed_instance(seed if seed is not None else random.randrange(2**32))
        self._rstr = rstr.Rstr(self.random)
        self.clock = clock or Clock(seed)
        self._by_name: list[tuple[Callable[[str], bool], Callable[[], Any]]] = self._name_rules()
        self._plans: dict[tuple[int, str, int], tuple[Mapping[str, Any], Callable[[], Any]]] = {}
        self._words: tuple[str, ...] | None = None
        self._trusting = False  # inside a first, unvalidated attempt (see `value`)
        self._pools: dict[str, list[str]] = {}  # Faker provider -> values made so far (see `fake`)

    # -- public -----------------------------------------------------------------------------------------------
    def value(self, schema: Mapping[str, Any] | None, name: str = "", depth: int = 0,
              omit: frozenset[str] = frozenset()) -> Any:
        """A value valid for `schema`; `name` is the field name, used to pick realistic content.

        `omit` names object properties the caller supplies itself: they are neither generated nor required.
        """
        if not schema:
            return self._text(name)
        if omit:
            schema = _without(schema, omit)
        if self._trusting:  # part of a first attempt: the outermost call validates the whole value once
            return self._generate(schema, name, depth)
        self._trusting = True
        try:
            candidate = self._generate(schema, name, depth)
        finally:
            self._trusting = False
        if is_valid(candidate, schema):
            return candidate
        for _ in range(4):  # rarely needed: now each nested value is validated, and generated again, on its own
            candidate = self._generate(schema, name, depth)
            if is_valid(candidate, schema):
                return candidate
        return self._fallback(schema)

    def fake(self, provider: str) -> str:
        """A Faker value of `provider` ("email", "url", ...), pooled (see `_pooled`): Faker's formatted providers
        cost 10-20 us a call, more than the rest of a record."""
        return self._pooled(provider, lambda: str(getattr(self.faker, provider)()))

    def _pooled(self, kind: str, make: Callable[[], str]) -> str:
        """A value of `kind`: fresh for the first POOL_SIZE draws, then fresh one time in POOL_FRESH and otherwise
        one made before. Values stay as real as `make` makes them, at a fraction of its cost."""
        pool = self._pools.setdefault(kind, [])
        if len(pool) < POOL_SIZE:
            pool.append(make())
            return pool[-1]
        if self.random.random() < 1 / POOL_FRESH:
            value = pool[self.random.randrange(POOL_SIZE)] = make()
            return value
        return self.random.choice(pool)

    def uuid(self) -> str:
        """A random (version 4) UUID: what `uuid.UUID(int=..., version=4)` gives, in half the time."""
        bits = self.random.getrandbits(128) & _UUID_CLEAR | _UUID_SET
        text = f"{bits:032x}"
        return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"

    def timestamp(self) -> str:
        return self.clock.stamp()

    def sentence(self, words: int | None = None) -> str:
        """Lorem-style text from Faker's word list (what `faker.sentence` does, without its per-call overhead);
        sentences of 6-14 words are pooled."""
        if words is None:
            return self._pooled("sentence", lambda: self._sentence(self.random.randint(6, 14)))
        return self._sentence(words)

    def _sentence(self, words: int) -> str:
        text = " ".join(self.random.choices(self._word_list(), k=words))
        return text[0].upper() + text[1:] + "."

    def word(self) -> str:
        return self.random.choice(self._word_list())

    def _word_list(self) -> tuple[str, ...]:
        if self._words is None:
            self._words = tuple(self.faker.get_words_list())
        return self._words

    def paragraph(self) -> str:
        return " ".join(self.sentence() for _ in range(self.random.randint(2, 4)))

    # -- generation -------------------------------------------------------------------------------------------
    # Each (schema, field name, depth) is compiled once into a plan: a function that makes one unvalidated
    # candidate. The schema walk, the field-name rules and the constraints are decided at compile time, so making
    # a record is a few dozen plain calls. Inside a first attempt (`_trusting`) plans call their children's plans
    # directly; otherwise through `value`, which validates and retries each nested value on its own.
    def _generate(self, schema: Mapping[str, Any], name: str, depth: int) -> Any:
        key = (id(schema), name, depth)
        cached = self._plans.get(key)
        if cached is None or cached[0] is not schema:
            if len(self._plans) > 10_000:  # transient schemas (rare) must not grow it forever
                self._plans.clear()
            cached = self._plans[key] = (schema, self._compile(schema, name, depth))
        return cached[1]()

    def _child(self, schema: Mapping[str, Any] | None, name: str, depth: int) -> Callable[[], Any]:
        """How a parent makes one nested value: its plan in a first attempt, else `value` (validated)."""
        if not schema:
            return lambda: self._text(name)
        plan = self._compile(schema, name, depth)
        return lambda: plan() if self._trusting else self.value(schema, name, depth)

    def _compile(self, schema: Mapping[str, Any], name: str, depth: int) -> Callable[[], Any]:
        if "enum" in schema:
            options = [v for v in schema["enum"] if v is not None] or schema["enum"]
            normal = _finish_value(options, STOP_WORDS) if name in FINISH_FIELDS else None
            if normal is not None:  # a generated reply calls no tool and is not cut short
                return lambda: normal
            return lambda: self.random.choice(options)
        for key in ("oneOf", "anyOf"):
            if key in schema:
                return self._compile_choice(schema, key, name, depth)
        kind = schema.get("type") or ("object" if "properties" in schema else None)
        if kind == "object":
            return self._compile_object(schema, depth)
        if kind == "array":
            return self._compile_array(schema, name, depth)
        if kind == "integer":
            if _is_epoch(schema, name):
                return self.clock.epoch
            return lambda: int(self._number(schema, name, integer=True))
        if kind == "number":
            return lambda: self._number(schema, name, integer=False)
        if kind == "boolean":
            return lambda: self.random.random() < 0.5
        if kind == "string":
            return self._compile_string(schema, name)
        if "example" in schema:
            return lambda: schema["example"]
        return lambda: self._text(name)

    def _compile_choice(self, schema: Mapping[str, Any], key: str, name: str, depth: int) -> Callable[[], Any]:
        """oneOf/anyOf: a random branch (merged with the schema's other keys); oneOf needs exactly one match."""
        branches = [b for b in schema[key] if isinstance(b, Mapping)]
        rest = {k: v for k, v in schema.items() if k != key}
        plans = [self._compile({**rest, **branch}, name, depth) for branch in branches]
        first = self._compile(branches[0], name, depth) if branches else (lambda: None)

        def choose() -> Any:
            for index in self.random.sample(range(len(plans)), len(plans)):
                candidate = plans[index]()
                if key == "anyOf" or sum(is_valid(candidate, b) for b in branches) == 1:
                    return candidate
            return first()

        return choose

    def _compile_object(self, schema: Mapping[str, Any], depth: int) -> Callable[[], dict[str, Any]]:
        props: Mapping[str, Any] = schema.get("properties") or {}
        required = set(schema.get("required") or ())
        fields = [(key, self._child(sub, key, depth + 1)) for key, sub in props.items()
                  if (key in required or depth < MAX_DEPTH - 2) and not (sub.get("readOnly") is False
                                                                          and key not in required)]
        minimum = schema.get("minProperties", 0)
        extra = schema.get("additionalProperties")
        extra_schema = extra if isinstance(extra, Mapping) else {"type": "string"}

        created = next((key for key, _ in fields if "creat" in key.lower() or "added" in key.lower()), None)
        sums = _sums(props)
        finish = next((key for key in props if key in FINISH_FIELDS), None)
        tool_value = _finish_value((props.get(finish) or {}).get("enum") or (), TOOL_WORDS) if finish else None

        def make() -> dict[str, Any]:
            out = {key: plan() for key, plan in fields}
            if created is not None:
                _order_timestamps(out, created)
            while len(out) < minimum and extra is not False:
                out[self.word()] = self.value(extra_schema, "", depth + 1)
            return out

        if not sums and tool_value is None:
            return make

        def make_agreeing() -> dict[str, Any]:  # totals that add up, a finish reason that agrees with the tools
            out = make()
            for total, parts in sums:
                _add_up(out, total, parts)
            if tool_value is not None and finish in out and _calls_tools(out):
                out[finish] = tool_value
            return out

        return make_agreeing

    def _compile_array(self, schema: Mapping[str, Any], name: str, depth: int) -> Callable[[], list[Any]]:
        low = int(schema.get("minItems", 0))
        high = int(schema.get("maxItems", max(low, 3)))
        unique = bool(schema.get("uniqueItems"))
        item = self._child(schema.get("items") or {}, _singular(name), depth + 1)
        index_schema = ((schema.get("items") or {}).get("properties") or {}).get("index") or {}
        numbered = index_schema.get("type") == "integer" and not index_schema.get("minimum")  # 0..n-1, in order

        def make() -> list[Any]:
            count = low if depth >= MAX_DEPTH else self.random.randint(max(low, min(1, high)),
                                                                       max(low, min(high, 3)))
            items: list[Any] = []
            for _ in range(count * 3):
                if len(items) == count:
                    break
                value = item()
                if unique and value in items:
                    continue
                items.append(value)
            if numbered:
                for index, value in enumerate(items):
                    if isinstance(value, dict) and "index" in value:
                        value["index"] = index
            return items

        return make

    def _compile_string(self, schema: Mapping[str, Any], name: str) -> Callable[[], str]:
        fmt = schema.get("format")
        if "pattern" not in schema and fmt in _FORMATS:
            made = _FORMATS[fmt]
            return lambda: made(self)
        if "pattern" in schema:
            def text() -> str:
                return self._pattern(schema["pattern"], schema)
        else:
            maker = self._maker_for(name) if name else None
            if maker is not None:
                def text() -> str:
                    return str(maker())
            else:
                def text() -> str:
                    return self._text(name)
        low, high = schema.get("minLength", 0), schema.get("maxLength")
        if not low and high is None:
            return text

        def fitted() -> str:
            value = text()
            if high is not None and len(value) > high:
                value = value[:high].rstrip() or value[:high]
            if len(value) < low:
                value = value + "x" * (low - len(value))
            return value

        return fitted

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

    def _pattern(self, pattern: str, schema: Mapping[str, Any]) -> str:
        low, high = schema.get("minLength", 0), schema.get("maxLength", 64)
        for _ in range(20):
            text = self._rstr.xeger(pattern)
            if low <= len(text) <= high:
                return text
        return text

    def _maker_for(self, name: str) -> Callable[[], Any] | None:
        """The realistic maker a field name calls for (`email` -> an email), or None for prose and unknown names."""
        if _is_prose_name(name):
            return None
        return next((make for matches, make in self._by_name if matches(name)), None)

    def _text(self, name: str) -> str:
        if _is_prose_name(name):
            return self.sentence()
        return self.word() if name else self.sentence()

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
            (has("email"), lambda: self.fake("email")),
            (_is_id_name, self.uuid),
            (has("url", "href", "src", "avatar", "link", "website", "homepage"), lambda: self.fake("url")),
            (lambda n: any(h in n for h in _TIME_HINTS), self.timestamp),
            (ends("username", "user_name", "login", "userlogin"), lambda: self.fake("user_name")),
            (has("first_name", "firstname"), f.first_name),
            (has("last_name", "lastname"), f.last_name),
            (has("org", "company", "organization"), lambda: self.fake("company")),
            (ends("name"), lambda: self.fake("name") if self.random.random() < 0.5 else f.catch_phrase()),
            (has("title", "headline"), lambda: self.sentence(self.random.randint(2, 5))[:-1]),
            (has("phone"), lambda: self.fake("phone_number")),
            (has("city"), lambda: self.fake("city")),
            (has("country"), f.country),
            (has("address"), lambda: self.fake("address")),
            (has("model"), lambda: self.random.choice(_MODELS)),
            (lambda n: n.lower() == "role", lambda: self.random.choice(_ROLES)),
            (has("language", "locale"), lambda: self.random.choice(["typescript", "python", "go", "en-US"])),
            (has("color", "colour"), f.color_name),
            (has("version"), lambda: ".".join(str(self.random.randint(0, 20)) for _ in range(3))),
            (has("mime", "content_type", "contenttype", "media_type"), lambda: self.fake("mime_type")),
            (has("filename", "file_name"), lambda: self.fake("file_name")),
            (has("path"), lambda: self.fake("file_path")),
            (lambda n: n.lower() in ("ip", "ip_address", "ipaddress") or n.lower().endswith("_ip"), f.ipv4),
            (has("token", "secret", "key"), lambda: f.sha1()[:32]),
        ]


_WITHOUT: dict[tuple[int, frozenset[str]], tuple[Mapping[str, Any], Mapping[str, Any]]] = {}


def _without(schema: Mapping[str, Any], omit: frozenset[str]) -> Mapping[str, Any]:
    """`schema` without the properties in `omit` (remembered: callers omit the same few keys again and again)."""
    key = (id(schema), omit)
    cached = _WITHOUT.get(key)
    if cached is None or cached[0] is not schema:
        if len(_WITHOUT) > 10_000:
            _WITHOUT.clear()
        props = {k: v for k, v in (schema.get("properties") or {}).items() if k not in omit}
        required = [k for k in schema.get("required") or () if k not in omit]
        narrowed = {k: v for k, v in schema.items() if k != "required"}
        narrowed["properties"] = props
        if required:
            narrowed["required"] = required
        cached = _WITHOUT[key] = (schema, narrowed)
    return cached[1]


def _order_timestamps(obj: dict[str, Any], created: str) -> None:
    """Make creation come first: every other timestamp field is no earlier than the `created` one."""
    if not isinstance(obj.get(created), str):
        return
    for key, value in obj.items():
        if key != created and isinstance(value, str) and value[:2] == "20" and "T" in value and value < obj[created]:
            obj[created], obj[key] = value, obj[created]


_MODELS = ("gpt-4o", "claude-3-5-sonnet", "gemini-1.5-pro", "llama-3-70b")
_ROLES = ("user", "assistant")  # a free-text `role` is a chat message's author
FINISH_FIELDS = ("finish_reason", "finishReason", "stop_reason", "stopReason")  # a reply's finish reason
STOP_WORDS = (  # its value for a reply that ended normally, most usual first
    "stop", "end_turn", "completed", "complete", "done", "finished", "end")
TOOL_WORDS = (  # its value for a reply that calls tools
    "tool_calls", "tool_use", "function_call", "tool_call")
_EPOCH_NAMES = frozenset({"created", "updated", "modified", "timestamp", "created_at", "updated_at", "createdAt",
                          "updatedAt", "ts"})
_PROSE = ("description", "summary", "content", "message", "text", "instructions", "comment", "prompt",
          "introduction", "detail", "body", "reason", "feedback", "answer", "question", "response")


@functools.lru_cache(maxsize=4096)
def _is_prose_name(name: str) -> bool:
    lowered = name.lower()
    return any(w in lowered for w in _PROSE) and not lowered.endswith(("id", "ids", "type", "count"))


def _is_epoch(schema: Mapping[str, Any], name: str) -> bool:
    """An integer that holds a Unix time (`created` of a completion): generated as now, not as a random count."""
    text = str(schema.get("description") or "").lower()
    named = name in _EPOCH_NAMES or "unix" in text or "epoch" in text
    return named and "millisecond" not in text and schema.get("maximum", 2**31) >= 2**31 - 1


def _finish_value(options: Any, words: tuple[str, ...]) -> Any:
    lowered = {str(v).lower(): v for v in options if v is not None}
    return next((lowered[w] for w in words if w in lowered), None)


def _calls_tools(obj: Mapping[str, Any]) -> bool:
    """Whether an object (or an object in it) holds a non-empty `tool_calls`."""
    for key, value in obj.items():
        if key in ("tool_calls", "toolCalls") and value:
            return True
        if type(value) is dict and value.get("tool_calls"):
            return True
    return False


def _sums(props: Mapping[str, Any]) -> list[tuple[str, tuple[str, str]]]:
    """Totals and the two fields they add up (`total_tokens` = `prompt_tokens` + `completion_tokens`)."""
    found = []
    for key, sub in props.items():
        if not isinstance(sub, Mapping) or sub.get("type") not in ("integer", "number"):
            continue
        for first, second in (("prompt", "completion"), ("input", "output")):
            for total, a, b in (("total", first, second), ("Total", first.title(), second.title())):
                if total in key:
                    parts = (key.replace(total, a, 1), key.replace(total, b, 1))
                    if all(p in props for p in parts):
                        found.append((key, parts))
    return found


def _add_up(obj: dict[str, Any], total: str, parts: tuple[str, str]) -> None:
    values = [obj.get(p) for p in parts]
    if total in obj and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        added = values[0] + values[1]  # type: ignore[operator]
        obj[total] = added if isinstance(obj[total], int) and isinstance(added, int) else round(float(added), 6)


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
    "email": lambda g: g.fake("email"),
    "uri": lambda g: g.fake("url"),
    "url": lambda g: g.fake("url"),
    "hostname": lambda g: g.fake("hostname"),
    "ipv4": lambda g: str(g.faker.ipv4()),
    "ipv6": lambda g: g.fake("ipv6"),
    "byte": lambda g: base64.b64encode(g.faker.binary(length=12)).decode(),
    "binary": lambda g: g.sentence(),
    "password": lambda g: g.fake("password"),
}
