"""Replies of reply-producing operations: where the prompt lives in the request, where the reply lives in the answer.

An operation's `x-mock.reply` declares it (docs/spec-conventions.md, "Replies"); without one it is inferred from
the schemas (a request field such as `messages` or `prompt`, and an object with `role` and a text field in the
answer or in the item an effect creates):

```yaml
x-mock:
  reply:
    prompt: /messages                      # request: a string, text parts, or a messages array (last user message)
    store: messages                        # the reply is the item created in this resource (default: the answer)
    where: {role: assistant}               # (store) which created item is the reply
    text: /choices/0/message/content       # JSON Pointers into the reply document
    role: /choices/0/message/role
    finish_reason: /choices/0/finish_reason
    tool_calls: /choices/0/message/tool_calls
    usage: {prompt: /usage/prompt_tokens, completion: /usage/completion_tokens, total: /usage/total_tokens}
    copies: [/response_text]               # other fields holding the same text
```

Tool calls go into an array of their own, or, when `tool_calls` names the parts array that holds the text
(`text: /content/0/text`, `tool_calls: /content`), into parts after the text part. A scripted reply (a stub's
`respond.reply`, mock_server/stubs/) is written by the same `write_reply` as a generated one.

`write_reply` turns a `Reply` (text, tool calls, finish reason) into that shape: one item in every array on the way
to the text, a text part typed `text`, the role, a finish reason that agrees with the tool calls, and token usage
counted from the texts (one token per streamed piece, see `split_text`) that adds up.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from mock_server.extensions import x_mock
from mock_server.generation import FINISH_FIELDS, STOP_WORDS, TOOL_WORDS, FakeGenerator
from mock_server.inference import success_schema
from mock_server.jsontext import dump_json_text
from mock_server.models import ApiModel, Operation
from mock_server.pointers import get_pointer, set_pointer

__all__ = ["Reply", "ReplyRule", "ToolCall", "count_tokens", "cut_reply", "fill_tool_call", "prompt_text",
           "prompt_tokens", "reply_rule", "schema_at", "split_text", "stored_reply_rule", "write_reply"]

Schema = Mapping[str, Any]
_WORDS = re.compile(r"\s*\S+\s*|\s+")
_PROMPTS = ("messages", "prompt", "content", "message", "input", "query", "question", "text")
_TEXTS = ("content", "text", "message", "body")
_TEXT_FIELDS = ("text", *_TEXTS)  # where a message or a part keeps its text, in the order looked at
_TOOLS = ("tool_calls", "toolCalls")
_USAGE = {"prompt": ("prompt_tokens", "input_tokens", "promptTokens", "inputTokens"),
          "completion": ("completion_tokens", "output_tokens", "completionTokens", "outputTokens"),
          "total": ("total_tokens", "totalTokens")}
REPLY_ROLE = "assistant"
_ASKING_ROLES = frozenset({"user", "human", "system", "developer", "tool"})  # roles whose messages are not replies


def split_text(text: str, chunk_chars: int | None = None) -> list[str]:
    """Word-sized pieces (or pieces of `chunk_chars` characters) that join back to exactly `text` (what a stream
    sends, one piece per event)."""
    if chunk_chars:
        return [text[i:i + chunk_chars] for i in range(0, len(text), chunk_chars)] or [text]
    return _WORDS.findall(text) or [text]


def count_tokens(text: str) -> int:
    """The tokens of a text as the mock counts them: one per streamed piece (`split_text`: a word with the space
    around it), none for an empty or blank text."""
    return len(text.split())


@dataclass(frozen=True, slots=True)
class ToolCall:
    """A tool the reply asks the client to call."""

    name: str
    arguments: Mapping[str, Any] = field(default_factory=dict)
    id: str | None = None


@dataclass(frozen=True, slots=True)
class Reply:
    """What a reply says; `write_reply` puts it into the API's own reply shape."""

    text: str
    tool_calls: tuple[ToolCall, ...] = ()
    finish_reason: str | None = None  # the API's own word; None: `stop` or `tool_calls`, as the reply has them


@dataclass(frozen=True, slots=True)
class ReplyRule:
    """Where an operation's prompt and reply live (pointers), compiled against the schemas."""

    text: str
    prompt: str | None = None
    store: str | None = None
    where: Mapping[str, Any] = field(default_factory=dict)
    role: str | None = None
    finish_reason: str | None = None
    tool_calls: str | None = None
    usage: Mapping[str, str] = field(default_factory=dict)
    copies: tuple[str, ...] = ()  # other pointers holding the same text
    # compiled from the reply document's schema
    role_value: Any = None
    stop_value: Any = None
    tools_value: Any = None
    tools_required: bool = False
    tool_item: Schema | None = None
    tools_in_parts: bool = False  # the tool calls are parts of the array holding the text, after the text part
    trims: tuple[tuple[str, Schema], ...] = ()  # arrays on the way to the text, and their item schema
    part: str | None = None  # the object holding the text, when it is a typed part
    part_type: tuple[str, Any] | None = None
    part_keep: frozenset[str] = frozenset()
    zeroed: tuple[str, ...] = ()  # other token counters of the usage object (cache, reasoning): 0
    usage_object: str | None = None  # the object holding every usage count, when they share one

    def top_fields(self) -> frozenset[str]:
        """The top-level fields of the reply document this rule writes (never echoed from the request)."""
        pointers = [self.text, self.role, self.finish_reason, self.tool_calls, *self.usage.values(), *self.copies]
        return frozenset(p.split("/")[1] for p in pointers if p and p.count("/") >= 1)


# -- reading a rule ---------------------------------------------------------------------------------------------
_RULES: dict[int, tuple[Operation, ReplyRule | None]] = {}


def reply_rule(api: ApiModel, op: Operation) -> ReplyRule | None:
    """The reply rule of an operation (declared or inferred), or None when it produces no reply."""
    cached = _RULES.get(id(op))
    if cached is None or cached[0] is not op:
        cached = _RULES[id(op)] = (op, _read_rule(api, op))
    return cached[1]


def stored_reply_rule(api: ApiModel, resource: str) -> ReplyRule | None:
    """A rule of any operation that stores its replies in `resource` (e.g. for cutting a stored reply)."""
    for op in api.operations:
        rule = reply_rule(api, op)
        if rule is not None and rule.store == resource:
            return rule
    return None


def _read_rule(api: ApiModel, op: Operation) -> ReplyRule | None:
    declared = x_mock(api, op).get("reply")
    if declared is False:
        return None
    declared = declared if isinstance(declared, Mapping) else {}
    prompt = declared.get("prompt", _infer_prompt(op.request_schema))
    store = declared.get("store")
    where: Mapping[str, Any] = declared.get("where") or {}
    if "store" not in declared and "text" not in declared:
        store, where = _infer_store(api, op)
    if store is not None:
        doc = api.resource_schemas.get(store)
    else:
        doc = success_schema(op)
        if not declared and prompt is None:
            return None  # an answer is a reply only when the request carries a prompt
    if not isinstance(doc, Mapping):
        return None
    found = _find_message(doc)
    if not declared and found is None:
        return None
    message, text = found if found is not None else ("", "")
    text = declared.get("text", text)
    if not text:
        return None
    return _compile(doc, ReplyRule(
        text=text, prompt=prompt, store=store, where=dict(where),
        role=declared.get("role", _child(doc, message, ("role",))),
        finish_reason=declared.get("finish_reason", _finish_pointer(doc, message)),
        tool_calls=declared.get("tool_calls", _child(doc, message, _TOOLS)),
        usage=declared.get("usage") or _usage_pointers(doc, message),
        copies=tuple(declared.get("copies") or ()),
    ))


def _infer_prompt(request: Schema | None) -> str | None:
    props = (request or {}).get("properties") or {}
    return next((f"/{name}" for name in _PROMPTS if name in props), None)


def _infer_store(api: ApiModel, op: Operation) -> tuple[str | None, Mapping[str, Any]]:
    """The resource of an effect that creates an item with a replying role set (`{create: messages, set: {role:
    assistant}}`): a stored reply. Read from the spec as written (the effects' values are compiled)."""
    for effect in x_mock(api, op).get("effects") or ():
        if not isinstance(effect, Mapping):
            continue
        target, set_ = effect.get("create"), effect.get("set") or {}
        role = set_.get("role") if isinstance(set_, Mapping) else None
        if target and effect.get("from") != "body" and isinstance(role, str) and role.lower() not in _ASKING_ROLES:
            schema = api.resource_schemas.get(target)
            if isinstance(schema, Mapping) and _find_message(schema) is not None:
                return target, {"role": role}
    return None, {}


def _find_message(schema: Schema, pointer: str = "", depth: int = 0) -> tuple[str, str] | None:
    """(the pointer of an object with a role and a text, the pointer of its text), searched breadth-first."""
    props: Mapping[str, Any] = schema.get("properties") or {}
    if "role" in props:
        for name in _TEXTS:
            sub = props.get(name) or {}
            if sub.get("type") == "string":
                return pointer, f"{pointer}/{name}"
            part = sub.get("items") or {} if sub.get("type") == "array" else {}
            if ((part.get("properties") or {}).get("text") or {}).get("type") == "string":
                return pointer, f"{pointer}/{name}/0/text"
    if depth >= 3:
        return None
    for name, sub in props.items():
        if not isinstance(sub, Mapping):
            continue
        if sub.get("type") == "array" and isinstance(sub.get("items"), Mapping):
            found = _find_message(sub["items"], f"{pointer}/{name}/0", depth + 1)
        elif sub.get("type") == "object" or "properties" in sub:
            found = _find_message(sub, f"{pointer}/{name}", depth + 1)
        else:
            continue
        if found is not None:
            return found
    return None


def _child(doc: Schema, pointer: str, names: Sequence[str]) -> str | None:
    props = (schema_at(doc, pointer) or {}).get("properties") or {}
    return next((f"{pointer}/{name}" for name in names if name in props), None)


def _finish_pointer(doc: Schema, message: str) -> str | None:
    """A finish reason beside the text: in the message object, else in the nearest object holding it."""
    pointer = message
    while True:
        found = _child(doc, pointer, FINISH_FIELDS)
        if found is not None or not pointer:
            return found
        pointer = pointer.rsplit("/", 1)[0]


def _usage_pointers(doc: Schema, message: str) -> dict[str, str]:
    for base in ("", message):
        usage = (schema_at(doc, f"{base}/usage") or {}).get("properties") or {}
        found = {kind: f"{base}/usage/{name}" for kind, names in _USAGE.items()
                 for name in names if name in usage}
        if found:
            return found
    return {}


def schema_at(schema: Schema | None, pointer: str) -> Schema | None:
    """The schema of the value at `pointer` (object properties and array items), or None."""
    node = schema
    for token in pointer.split("/")[1:] if pointer else []:
        if not isinstance(node, Mapping):
            return None
        if token.isdigit() and node.get("type") == "array":
            node = node.get("items")
        else:
            node = (node.get("properties") or {}).get(token)
    return node if isinstance(node, Mapping) else None


def _compile(doc: Schema, rule: ReplyRule) -> ReplyRule:
    from dataclasses import replace

    role = schema_at(doc, rule.role or "") if rule.role else None
    finish = schema_at(doc, rule.finish_reason or "") if rule.finish_reason else None
    tools_pointer = rule.tool_calls or ""
    tools_parent = schema_at(doc, tools_pointer.rsplit("/", 1)[0]) if rule.tool_calls else None
    tools = schema_at(doc, tools_pointer) if rule.tool_calls else None
    in_parts = bool(rule.tool_calls) and rule.text.startswith(f"{tools_pointer}/0/")
    tokens = rule.text.split("/")
    trims = []
    for index, token in enumerate(tokens):
        if token == "0" and index:
            array = "/".join(tokens[:index])
            array_schema = schema_at(doc, array) or {}
            if int(array_schema.get("minItems", 0)) <= 1:
                trims.append((array, array_schema.get("items") or {}))
    part_pointer = "/".join(tokens[:-1])
    part = schema_at(doc, part_pointer) or {}
    type_schema = (part.get("properties") or {}).get("type") or {}
    part_type = None
    if part_pointer.rsplit("/", 1)[-1].isdigit():  # the text is in an item of a parts array
        if type_schema.get("type") == "string" and "text" in (type_schema.get("enum") or ["text"]):
            part_type = ("type", "text")
    usage_object = rule.usage.get("total") or rule.usage.get("completion") or ""
    usage_props = (schema_at(doc, usage_object.rsplit("/", 1)[0]) or {}).get("properties") or {} \
        if usage_object else {}
    counted = {p.rsplit("/", 1)[-1] for p in rule.usage.values()}
    holders = {p.rsplit("/", 1)[0] for p in rule.usage.values()}
    zeroed = tuple(f"{usage_object.rsplit('/', 1)[0]}/{name}" for name, sub in usage_props.items()
                   if name not in counted and name.endswith(("tokens", "Tokens")) and sub.get("type") == "integer")
    return replace(
        rule,
        role_value=_pick(role, (REPLY_ROLE,), ("assist", "bot", "model", "ai")) if role is not None else None,
        stop_value=_pick(finish, STOP_WORDS, ()) if finish is not None else None,
        tools_value=_pick(finish, TOOL_WORDS, ("tool", "function")) if finish is not None else None,
        tools_required=bool(tools_parent) and tools_pointer.rsplit("/", 1)[-1] in (tools_parent or {}).get(
            "required", ()),
        tool_item=(tools or {}).get("items") if isinstance((tools or {}).get("items"), Mapping) else None,
        tools_in_parts=in_parts,
        trims=tuple(trims),
        part=part_pointer if part_type else None,
        part_type=part_type,
        part_keep=frozenset(part.get("required") or ()) | {"type", tokens[-1]},
        zeroed=zeroed,
        usage_object=next(iter(holders)) if len(holders) == 1 else None,
    )


def _pick(schema: Schema, exact: Sequence[str], partial: Sequence[str]) -> Any:
    """The enum value that is one of `exact` (in order), else contains one of `partial`; any of `exact[0]` without
    an enum."""
    options = [v for v in schema.get("enum") or () if v is not None]
    if not options:
        return exact[0] if schema.get("type") in (None, "string") else None
    lowered = {str(v).lower(): v for v in options}
    found = next((lowered[word] for word in exact if word in lowered), None)
    if found is None:
        found = next((v for v in options for word in partial if word in str(v).lower()), None)
    return found


# -- prompts ----------------------------------------------------------------------------------------------------
def prompt_text(rule: ReplyRule, body: Any) -> str:
    """The text of the user's last message: what a scripted reply matches on."""
    value = get_pointer(body, rule.prompt) if rule.prompt else None
    if isinstance(value, list) and value and all(isinstance(v, Mapping) and "role" in v for v in value):
        users = [v for v in value if v.get("role") == "user"] or value
        return _text_of(users[-1])
    return _text_of(value)


def prompt_tokens(rule: ReplyRule, body: Any) -> int:
    """The tokens of everything the prompt holds (every message of a conversation)."""
    return _tokens_of(get_pointer(body, rule.prompt)) if rule.prompt else 0


def _text_of(value: Any) -> str:
    """The text of a prompt value: a string, the texts of a list's items joined, an object's text field."""
    kind = type(value)
    if kind is str:
        return value  # type: ignore[no-any-return]
    if kind is list:
        return " ".join(t for t in (_text_of(v) for v in value) if t)
    if kind is dict:
        for name in _TEXT_FIELDS:
            if name in value:
                return _text_of(value[name])
    return ""


def _tokens_of(value: Any) -> int:
    """`count_tokens(_text_of(value))`, without joining the texts (it runs for every reply)."""
    kind = type(value)
    if kind is str:
        return len(value.split())
    if kind is list:
        return sum(_tokens_of(v) for v in value)
    if kind is dict:
        for name in _TEXT_FIELDS:
            if name in value:
                return _tokens_of(value[name])
    return 0


# -- writing a reply ----------------------------------------------------------------------------------------------
def write_reply(rule: ReplyRule, doc: Any, reply: Reply, request_body: Any, gen: FakeGenerator) -> None:
    """Put `reply` into `doc` (the JSON answer or the stored item) in the shape the rule describes."""
    if not isinstance(doc, dict):
        return
    for pointer, item_schema in rule.trims:
        array = get_pointer(doc, pointer)
        if isinstance(array, list):
            del array[1:]
            if not array:
                array.append(gen.value(item_schema))
    set_pointer(doc, rule.text, reply.text)
    for pointer in rule.copies:
        set_pointer(doc, pointer, reply.text)
    if rule.part_type is not None and rule.part is not None:
        part = get_pointer(doc, rule.part)
        if isinstance(part, dict):
            for key in [k for k in part if k not in rule.part_keep]:
                del part[key]
            part[rule.part_type[0]] = rule.part_type[1]
    if rule.role and rule.role_value is not None:
        set_pointer(doc, rule.role, rule.role_value)
    if rule.tools_in_parts:
        parts = get_pointer(doc, rule.tool_calls or "")
        if isinstance(parts, list):  # one text part (trimmed above), then one part per tool call
            parts[1:] = [_tool_call(rule, call, gen) for call in reply.tool_calls]
    elif rule.tool_calls:
        if reply.tool_calls:
            set_pointer(doc, rule.tool_calls, [_tool_call(rule, call, gen) for call in reply.tool_calls])
        elif rule.tools_required:
            set_pointer(doc, rule.tool_calls, [])
        else:
            _remove(doc, rule.tool_calls)
    finish = reply.finish_reason or (rule.tools_value if reply.tool_calls else rule.stop_value)
    if rule.finish_reason and finish is not None:
        set_pointer(doc, rule.finish_reason, finish)
    _count(rule, doc, reply, prompt_tokens(rule, request_body) if rule.prompt else None)


def cut_reply(rule: ReplyRule, doc: Any, text: str) -> None:
    """The stored reply after its stream stopped early: the text the client received, usage counted again."""
    if not isinstance(doc, dict):
        return
    set_pointer(doc, rule.text, text)
    for pointer in rule.copies:
        set_pointer(doc, pointer, text)
    _count(rule, doc, Reply(text), None)


def _count(rule: ReplyRule, doc: dict[str, Any], reply: Reply, prompt: int | None) -> None:
    if not rule.usage:
        return
    completion = count_tokens(reply.text) + sum(count_tokens(dump_json_text(dict(c.arguments)))
                                                for c in reply.tool_calls)
    if prompt is None:
        prompt = get_pointer(doc, rule.usage.get("prompt", ""), 0) if "prompt" in rule.usage else 0
        prompt = prompt if isinstance(prompt, int) else 0
    counts = {"prompt": prompt, "completion": completion, "total": prompt + completion}
    holder = get_pointer(doc, rule.usage_object) if rule.usage_object is not None else None
    if type(holder) is dict:  # the usual case: one usage object holds every count
        for kind, pointer in rule.usage.items():
            if kind in counts:
                holder[pointer.rsplit("/", 1)[1]] = counts[kind]
        for pointer in rule.zeroed:
            key = pointer.rsplit("/", 1)[1]
            if holder.get(key) is not None:
                holder[key] = 0
        return
    for kind, pointer in rule.usage.items():
        if kind in counts:
            set_pointer(doc, pointer, counts[kind])  # (the usage object is created when the answer has none)


def _tool_call(rule: ReplyRule, call: ToolCall, gen: FakeGenerator) -> dict[str, Any]:
    """A tool call in the API's own item shape: its id, name and arguments where the item schema has them."""
    return fill_tool_call(rule.tool_item or {}, call, gen)


_TOOL_IDS = ("id", "tool_call_id", "toolCallId", "call_id", "callId")
_TOOL_NAMES = ("name", "tool_name", "toolName", "function_name")
_TOOL_ARGUMENTS = ("arguments", "args", "input", "parameters")


def fill_tool_call(schema: Schema, call: ToolCall, gen: FakeGenerator, item: dict[str, Any] | None = None
                   ) -> dict[str, Any]:
    """`item` (a new one by default) holding `call` in the shape `schema` describes: the id, a type naming a tool
    call (from its enum), and the name and arguments, in a `function` object when the schema has one; arguments
    as JSON text where the schema wants a string."""
    props: Mapping[str, Any] = schema.get("properties") or {}
    item = {} if item is None else item
    id_key = next((k for k in _TOOL_IDS if k in props), None)
    if id_key is not None:
        item[id_key] = call.id or f"call_{gen.uuid().replace('-', '')[:24]}"
    kind = props.get("type") or {}
    if "type" in props:
        item["type"] = _pick(kind, ("function", "tool_use", "tool_call"), ("tool", "function")) or "function"
    holder = item
    fn = props.get("function") or {}
    if isinstance(fn, Mapping) and "properties" in fn:
        holder = item.setdefault("function", {})
        props = fn.get("properties") or {}
    holder[next((k for k in _TOOL_NAMES if k in props), "name")] = call.name
    key = next((k for k in _TOOL_ARGUMENTS if k in props), "arguments")
    wants_text = (props.get(key) or {}).get("type") == "string"
    holder[key] = dump_json_text(dict(call.arguments)) if wants_text else dict(call.arguments)
    return item


def _remove(doc: Any, pointer: str) -> None:
    parent, _, key = pointer.rpartition("/")
    container = get_pointer(doc, parent) if parent else doc
    if isinstance(container, dict):
        container.pop(key, None)
