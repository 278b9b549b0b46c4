"""ctgraph's checks for schemathesis, loaded with SCHEMATHESIS_HOOKS=fuzz/hooks.py (run.sh does it).

Every response to a generated query must:
  * come back at all (a connection error is a schemathesis error, which fails the run),
  * not be a 5xx, and be a JSON object with `data` and/or `errors`,
  * carry `extensions.code` on every error, and no code in FUZZ_FAIL_CODES (a bug, not a refusal),
  * have, on every object in `data`, every response key the query selects on it (null is fine),
  * arrive within FUZZ_BUDGET seconds (default 1).
Refusals (400, or 200 with coded errors and `data: null`) are expected: the inputs are random.
"""

from __future__ import annotations

import atexit
import base64
import json
import os
import re
import sys
import threading

import graphql
import schemathesis
from graphql import SchemaMetaFieldDef, TypeMetaFieldDef, TypeNameMetaFieldDef

BUDGET = float(os.environ.get("FUZZ_BUDGET", "1"))
# Codes that say the server failed rather than refused the request.
FAIL_CODES = frozenset(os.environ.get("FUZZ_FAIL_CODES", "INTERNAL,TIMEOUT,DATABASE_UNAVAILABLE").split(",")) - {""}
STATS_PATH = os.environ.get("FUZZ_STATS")


# ---------------------------------------------------------------- helpers


def _payload(response):
    """The response body as a JSON object, or raise AssertionError saying why it is not one."""
    try:
        payload = json.loads(response.content)
    except (ValueError, UnicodeDecodeError):
        snippet = response.content[:300].decode("utf-8", "replace")
        raise AssertionError(f"response is not JSON (status {response.status_code}): {snippet!r}") from None
    if not isinstance(payload, dict):
        raise AssertionError(f"response is JSON but not an object: {type(payload).__name__}")
    return payload


def _request(case):
    """(document, variables, operationName) of the request the case sends."""
    body = case.body
    if isinstance(body, dict):
        return body.get("query") or "", body.get("variables") or {}, body.get("operationName")
    return body or "", {}, None


def _root_call(case):
    """`field(args...)` of the root field the case queries, for messages."""
    field = case.operation.definition.field_name
    document, _, _ = _request(case)
    try:
        doc = graphql.parse(document)
    except graphql.GraphQLError:
        return field
    for definition in doc.definitions:
        if isinstance(definition, graphql.OperationDefinitionNode):
            for selection in definition.selection_set.selections:
                if isinstance(selection, graphql.FieldNode) and selection.name.value == field:
                    args = ", ".join(graphql.print_ast(a) for a in selection.arguments or ())
                    return re.sub(r"\s+", " ", f"{field}({args})") if args else field
    return field


# ---------------------------------------------------------------- statistics

_lock = threading.Lock()
_stats: dict[str, dict] = {}
_slow: list[dict] = []


def _outcome(response):
    """(`answered` (data, no errors) | `partial` (data and errors) | `refused` (no data) | `broken`,
    the first error's code and message, whether any error lacks a code or has a failure code)."""
    try:
        payload = json.loads(response.content)
    except (ValueError, UnicodeDecodeError):
        return "broken", None, True
    if not isinstance(payload, dict):
        return "broken", None, True
    errors = [e if isinstance(e, dict) else {} for e in payload.get("errors") or []]
    codes = [e["extensions"].get("code") if isinstance(e.get("extensions"), dict) else None for e in errors]
    failed = response.status_code >= 500 or any(c is None or c in FAIL_CODES for c in codes)
    reason = f"{codes[0]}: {str(errors[0].get('message', ''))[:120]}" if errors else None
    if payload.get("data") is None:
        return "refused", reason, failed
    return ("partial" if errors else "answered"), reason, failed


def _record(case, response):
    field = case.operation.definition.field_name
    outcome, reason, failed = _outcome(response)
    with _lock:
        entry = _stats.setdefault(
            field,
            {"requests": 0, "answered": 0, "partial": 0, "refused": 0, "broken": 0, "slow": 0, "failed": 0,
             "max_s": 0.0, "total_s": 0.0, "reasons": {}, "slowest": []},
        )
        entry["requests"] += 1
        entry[outcome] += 1
        if failed:
            entry["failed"] += 1
        if reason:
            mode = getattr(getattr(getattr(case, "meta", None), "generation", None), "mode", None)
            reason = f"[{getattr(mode, 'value', mode)}] {reason}"
            entry["reasons"][reason] = entry["reasons"].get(reason, 0) + 1
        entry["total_s"] += response.elapsed
        entry["max_s"] = max(entry["max_s"], response.elapsed)
        slowest = entry["slowest"]
        if len(slowest) < 3 or response.elapsed > slowest[-1]["seconds"]:
            slowest.append({"seconds": round(response.elapsed, 3), "call": _root_call(case), "query": _request(case)[0]})
            slowest.sort(key=lambda s: -s["seconds"])
            del slowest[3:]


@atexit.register
def _report():
    if not _stats:
        return
    total = sum(e["requests"] for e in _stats.values())
    lines = [f"ctgraph fuzz: {total} requests checked (shrinking replays included), budget {BUDGET:g} s"]
    lines.append(
        f"  {'root field':<18} {'requests':>8} {'answered':>8} {'partial':>7} {'refused':>7} {'failed':>6} {'slow':>5}"
        f" {'max s':>7} {'mean s':>7}"
    )
    for field in sorted(_stats):
        e = _stats[field]
        lines.append(
            f"  {field:<18} {e['requests']:>8} {e['answered']:>8} {e['partial']:>7} {e['refused']:>7} {e['failed']:>6}"
            f" {e['slow']:>5}"
            f" {e['max_s']:>7.3f} {e['total_s'] / e['requests']:>7.3f}"
        )
    failed = [s for s in _slow if s["failed"]]
    if failed:
        lines.append(f"  {len(failed)} requests over the budget, slowest first (seconds; sent again):")
        for slow in sorted(failed, key=lambda s: -s["seconds"])[:40]:
            again = f"{slow['again']:7.3f}" if slow["again"] is not None else "      -"
            lines.append(f"    {slow['seconds']:7.3f} {again}  {slow['call']}")
    passed = [s for s in _slow if not s["failed"]]
    if passed:
        lines.append(f"  {len(passed)} requests over the budget were within it when sent again (not failures):")
        for slow in sorted(passed, key=lambda s: -s["seconds"])[:10]:
            lines.append(f"    {slow['seconds']:7.3f} {slow['again']:7.3f}  {slow['call']}")
    print("\n".join(lines), file=sys.stderr)
    if STATS_PATH:
        with open(STATS_PATH, "w") as f:
            json.dump({"budget_s": BUDGET, "fields": _stats, "slow": _slow}, f, indent=1, sort_keys=True)


# ---------------------------------------------------------------- checks


@schemathesis.check
def ctgraph_not_server_error(ctx, response, case):
    """No 5xx; the body is a JSON object holding `data` or `errors`."""
    _record(case, response)
    if response.status_code >= 500:
        snippet = response.content[:300].decode("utf-8", "replace")
        raise AssertionError(f"server error {response.status_code} on {_root_call(case)}: {snippet}")
    payload = _payload(response)
    if "data" not in payload and "errors" not in payload:
        raise AssertionError(f"response has neither `data` nor `errors`: keys {sorted(payload)}")
    if response.status_code != 200 and not payload.get("errors"):
        raise AssertionError(f"status {response.status_code} without errors")


def _json_object(response):
    """The body as a JSON object, or None (which `ctgraph_not_server_error` reports)."""
    try:
        return _payload(response)
    except AssertionError:
        return None


@schemathesis.check
def ctgraph_error_codes(ctx, response, case):
    """Every error carries `extensions.code`, and none is a server-side failure code."""
    payload = _json_object(response) or {}
    errors = payload.get("errors")
    if errors is None:
        return
    if not isinstance(errors, list) or not errors:
        raise AssertionError(f"`errors` must be a non-empty list, got {errors!r}")
    for error in errors:
        extensions = error.get("extensions") if isinstance(error, dict) else None
        code = extensions.get("code") if isinstance(extensions, dict) else None
        if not isinstance(code, str) or not code:
            raise AssertionError(f"error without extensions.code: {json.dumps(error)}")
        if code in FAIL_CODES:
            raise AssertionError(f"server-side failure {code} on {_root_call(case)}: {json.dumps(error)}")


@schemathesis.check
def ctgraph_requested_keys(ctx, response, case):
    """Every object in `data` has every response key the query selects on it."""
    payload = _json_object(response) or {}
    data = payload.get("data")
    if data is None:
        return  # refused, or null propagated to the root: both allowed
    if not isinstance(data, dict):
        raise AssertionError(f"`data` is not an object: {type(data).__name__}")
    document, variables, operation_name = _request(case)
    try:
        doc = graphql.parse(document)
    except graphql.GraphQLError:
        raise AssertionError("server answered `data` for a document that does not parse") from None
    schema = case.operation.schema.client_schema
    problems = missing_keys(schema, doc, data, variables, operation_name)
    if problems:
        shown = "\n  ".join(problems[:20])
        more = f"\n  ... and {len(problems) - 20} more" if len(problems) > 20 else ""
        raise AssertionError(f"response lacks requested keys:\n  {shown}{more}")


# With FUZZ_RETRY_SLOW=1, a request over the budget but under RETRY_BELOW times it is sent once
# more and fails only if slow again, for a machine busy with other work. Off by default: the
# second answer comes from warm caches, and hid a militants filter that took 2.0 s (then 0.7 s)
# on 20,000 operations and 50 s on 100,000.
RETRY_SLOW = os.environ.get("FUZZ_RETRY_SLOW", "0") == "1"
RETRY_BELOW = 10
MAX_RETRIES = 100


@schemathesis.check
def ctgraph_response_time(ctx, response, case):
    """The response arrives within the budget (twice, if the first was slow)."""
    if response.elapsed <= BUDGET:
        return
    field = case.operation.definition.field_name
    again = None
    if RETRY_SLOW and response.elapsed < RETRY_BELOW * BUDGET and len(_slow) < MAX_RETRIES:
        import requests

        try:
            with requests.Session() as session:
                again = session.send(response.request.copy(), timeout=RETRY_BELOW * BUDGET).elapsed.total_seconds()
        except requests.RequestException:
            again = float(RETRY_BELOW * BUDGET)
    failed = again is None or again > BUDGET
    with _lock:
        _slow.append({"seconds": round(response.elapsed, 3), "again": again and round(again, 3), "failed": failed,
                      "field": field, "call": _root_call(case), "query": _request(case)[0]})
        if failed:
            _stats[field]["slow"] += 1
    if failed:
        times = f"{response.elapsed:.3f} s" + (f", then {again:.3f} s" if again is not None else "")
        raise AssertionError(f"{field} took {times}, over the {BUDGET:g} s budget: {_root_call(case)}")


# ---------------------------------------------------------------- the key walk


def missing_keys(schema, doc, data, variables=None, operation_name=None):
    """Paths in `data` of response keys the query selects but the response lacks.

    Follows GraphQL's CollectFields: aliases name the keys, `@skip`/`@include` drop selections,
    fragments and inline fragments apply when their type condition matches the object's runtime
    type. For abstract types the runtime type is `__typename` when the query asked for it;
    otherwise the object passes if it fits any of the possible types.
    """
    walker = _Walker(schema, doc, variables or {})
    operation = walker.operation(operation_name)
    if operation is None:
        return []
    root = {
        graphql.OperationType.QUERY: schema.query_type,
        graphql.OperationType.MUTATION: schema.mutation_type,
        graphql.OperationType.SUBSCRIPTION: schema.subscription_type,
    }[operation.operation]
    if root is None:
        return []
    return walker.object(root, [operation.selection_set], data, "data")


class _Walker:
    def __init__(self, schema, doc, variables):
        self.schema = schema
        self.doc = doc
        self.variables = variables
        self.fragments = {
            d.name.value: d for d in doc.definitions if isinstance(d, graphql.FragmentDefinitionNode)
        }

    def operation(self, name):
        operations = [d for d in self.doc.definitions if isinstance(d, graphql.OperationDefinitionNode)]
        if name:
            operations = [o for o in operations if o.name and o.name.value == name]
        return operations[0] if len(operations) == 1 else None

    def included(self, node):
        for directive in node.directives or ():
            name = directive.name.value
            if name not in ("skip", "include"):
                continue
            condition = self.condition(directive)
            if (name == "skip" and condition is True) or (name == "include" and condition is False):
                return False
        return True

    def condition(self, directive):
        """The value of the directive's `if`: a literal, or a variable's value."""
        for argument in directive.arguments or ():
            if argument.name.value != "if":
                continue
            value = argument.value
            if isinstance(value, graphql.BooleanValueNode):
                return value.value
            if isinstance(value, graphql.VariableNode):
                return self.variables.get(value.name.value)
        return None

    def applies(self, condition, object_type):
        if condition is None:
            return True
        condition_type = self.schema.get_type(condition.name.value)
        if condition_type is None:
            return False
        if condition_type is object_type:
            return True
        if graphql.is_abstract_type(condition_type):
            return self.schema.is_sub_type(condition_type, object_type)
        return False

    def collect(self, object_type, selection_sets):
        """Response key -> field nodes, as CollectFields gives them for `object_type`."""
        fields: dict[str, list[graphql.FieldNode]] = {}
        visited: set[str] = set()

        def walk(selection_set):
            for selection in selection_set.selections:
                if not self.included(selection):
                    continue
                if isinstance(selection, graphql.FieldNode):
                    key = selection.alias.value if selection.alias else selection.name.value
                    fields.setdefault(key, []).append(selection)
                elif isinstance(selection, graphql.InlineFragmentNode):
                    if self.applies(selection.type_condition, object_type):
                        walk(selection.selection_set)
                elif isinstance(selection, graphql.FragmentSpreadNode):
                    name = selection.name.value
                    fragment = self.fragments.get(name)
                    if name in visited or fragment is None:
                        continue
                    visited.add(name)
                    if self.applies(fragment.type_condition, object_type):
                        walk(fragment.selection_set)

        for selection_set in selection_sets:
            walk(selection_set)
        return fields

    def field_def(self, object_type, name):
        if name == "__typename":
            return TypeNameMetaFieldDef
        if object_type is self.schema.query_type:
            if name == "__schema":
                return SchemaMetaFieldDef
            if name == "__type":
                return TypeMetaFieldDef
        return object_type.fields.get(name)

    def object(self, object_type, selection_sets, value, path):
        problems = []
        for key, nodes in self.collect(object_type, selection_sets).items():
            if key not in value:
                problems.append(f"{path}: no `{key}` (selected on {object_type.name})")
                continue
            definition = self.field_def(object_type, nodes[0].name.value)
            if definition is None:
                continue  # not a field of this type: the server should have refused the query
            sub = [n.selection_set for n in nodes if n.selection_set is not None]
            problems += self.value(definition.type, sub, value[key], f"{path}.{key}")
        return problems

    def selects_typename(self, abstract_type, selection_sets):
        """Whether the object's `__typename` key is the meta field, not an alias of another field."""
        for candidate in self.schema.get_possible_types(abstract_type):
            nodes = self.collect(candidate, selection_sets).get("__typename")
            if nodes:
                return nodes[0].name.value == "__typename"
        return False

    def value(self, type_, selection_sets, value, path):
        if value is None:
            return []
        if graphql.is_non_null_type(type_):
            type_ = type_.of_type
        if graphql.is_list_type(type_):
            if not isinstance(value, list):
                return [f"{path}: a list was expected, got {type(value).__name__}"]
            problems = []
            for index, item in enumerate(value):
                problems += self.value(type_.of_type, selection_sets, item, f"{path}[{index}]")
            return problems
        if not graphql.is_composite_type(type_) or not selection_sets:
            return []
        if not isinstance(value, dict):
            return [f"{path}: an object was expected, got {type(value).__name__}"]
        if graphql.is_object_type(type_):
            return self.object(type_, selection_sets, value, path)
        candidates = list(self.schema.get_possible_types(type_))
        typename = value.get("__typename")
        if isinstance(typename, str) and self.selects_typename(type_, selection_sets):
            named = self.schema.get_type(typename)
            if named not in candidates:
                return [f"{path}: __typename {typename!r} is not a possible type of {type_.name}"]
            candidates = [named]
        best = None
        for candidate in candidates:
            problems = self.object(candidate, selection_sets, value, path)
            if not problems:
                return []
            if best is None or len(problems) < len(best):
                best = problems
        if best is None:
            return [f"{path}: {type_.name} has no possible object type"]
        if len(candidates) > 1:
            best = [f"{p} (no possible type of {type_.name} fits; closest shown)" for p in best]
        return best


# ---------------------------------------------------------------- input repair
#
# Most generated queries are refused before they run (`first` and `last` together, a made-up
# cursor or id, `first: 75556`), so they say nothing about how fast the resolvers are. Three
# cases in four are adjusted into queries the server accepts: conflicting page arguments
# dropped, made-up cursors dropped, range-checked Int arguments folded into their range, and
# most ID values (arguments and filter fields alike) replaced by global ids the server
# returned at start-up. The fourth case is sent as generated, so refusals stay covered.
# FUZZ_REPAIR=0 sends every case as generated.

REPAIR = os.environ.get("FUZZ_REPAIR", "1") != "0"
# Int arguments the server takes only within a range: argument or field.argument -> (low, high).
RANGES = {"first": (0, 100), "last": (0, 100), "depth": (1, 3), "maxDepth": (1, 6), "neighborhood.first": (1, 500)}
ID_PROBABILITY = 0.8


class _Repair(graphql.Visitor):
    def __init__(self, type_info, ids, words, rng):
        super().__init__()
        self.type_info = type_info
        self.ids = ids
        self.words = words
        self.rng = rng
        self.names: list[str] = []  # enclosing argument and input field names
        self.inputs: list[str] = []  # enclosing input object type names

    def enter_argument(self, node, *_):
        self.names.append(node.name.value)

    def leave_argument(self, node, *_):
        self.names.pop()

    enter_object_field = enter_argument
    leave_object_field = leave_argument

    def enter_object_value(self, node, *_):
        input_type = graphql.get_named_type(self.type_info.get_input_type())
        self.inputs.append(input_type.name if input_type is not None else "")

    def leave_object_value(self, node, *_):
        self.inputs.pop()

    def enter_string_value(self, node, *_):
        input_type = graphql.get_named_type(self.type_info.get_input_type())
        if input_type is graphql.GraphQLID and self.ids and self.rng.random() < ID_PROBABILITY:
            return graphql.StringValueNode(value=self.rng.choice(self.typed_ids() or list(self.ids)))
        if (input_type is graphql.GraphQLString and self.names[-1:] == ["query"] and self.words
                and self.rng.random() < ID_PROBABILITY):
            return graphql.StringValueNode(value=" ".join(self.rng.sample(self.words, self.rng.randint(1, 2))))
        return None

    enter_int_value = enter_string_value  # an ID may be written as an Int literal

    def typed_ids(self):
        """Ids of the type this position most likely takes: `district: {eq: ..}` a District's,
        `id` in an OperationFilter an Operation's; none for `node(id:)`, `path(from:)` and the like."""
        if self.rng.random() < 0.1:
            return []  # now and then an id of any type, to see it refused
        name = next((n for n in reversed(self.names) if n not in ("eq", "in")), "")
        if name == "id":
            filters = [t for t in reversed(self.inputs) if t.endswith("Filter") and t != "IdFilter"]
            wanted = filters[0].removesuffix("Filter") if filters else None
            return [i for i, t in self.ids.items() if t == wanted]
        name = "country" if name == "nationality" else name.lower()
        return [i for i, t in self.ids.items() if t and name.endswith(t.lower())]

    def leave_field(self, node, *_):
        arguments = {a.name.value: a for a in node.arguments or ()}
        if "first" in arguments and "last" in arguments:
            arguments.pop("last")
            arguments.pop("before", None)
        for cursor in ("after", "before"):
            if isinstance(getattr(arguments.get(cursor), "value", None), graphql.StringValueNode):
                arguments.pop(cursor)  # a made-up cursor is always refused
        types = getattr(arguments.get("types"), "value", None)
        if isinstance(types, graphql.ListValueNode) and not types.values:
            arguments.pop("types")  # an empty list of types is refused
        for name, argument in list(arguments.items()):
            bounds = RANGES.get(f"{node.name.value}.{name}") or RANGES.get(name)
            if bounds and isinstance(argument.value, graphql.IntValueNode):
                low, high = bounds
                value = low + abs(int(argument.value.value)) % (high - low + 1)
                arguments[name] = _replace(argument, value=graphql.IntValueNode(value=str(value)))
        new = tuple(arguments.values())
        if len(new) == len(node.arguments or ()) and all(a is b for a, b in zip(new, node.arguments or ())):
            return None
        return _replace(node, arguments=new)


def _replace(node, **changes):
    return type(node)(**{**{key: getattr(node, key) for key in node.keys}, **changes})


def repair(schema, document, rng, ids=None, words=()):
    """The document with its arguments adjusted; `ids` maps global ids to their type names,
    `words` are words of the data for `search(query:)`."""
    type_info = graphql.TypeInfo(schema)
    visitor = _Repair(type_info, ids or {}, list(words), rng)
    return graphql.visit(document, graphql.TypeInfoVisitor(type_info, visitor))


def _id_type(global_id):
    """`Operation` for the global id of `Operation:12` (unpadded base64, as ctgraph makes them)."""
    try:
        return base64.b64decode(global_id + "=" * (-len(global_id) % 4)).decode().partition(":")[0]
    except (ValueError, UnicodeDecodeError):
        return ""


_ids: dict[str, str] = {}
_words: list[str] = []
_fetched = False


def known_data(schema):
    """Global ids (-> type name) and words of names and titles of the first few rows of every
    list the API has, fetched once from FUZZ_URL."""
    global _fetched
    url = os.environ.get("FUZZ_URL")
    if _fetched or not url:
        return _ids, _words
    _fetched = True
    selections = []
    for name, field in schema.query_type.fields.items():
        if any(graphql.is_required_argument(a) for a in field.args.values()) or "first" not in field.args:
            continue
        connection = graphql.get_named_type(field.type)
        nodes = getattr(connection, "fields", {}).get("nodes")
        node_fields = getattr(graphql.get_named_type(nodes.type), "fields", {}) if nodes else {}
        if "id" not in node_fields:
            continue
        texts = [f for f in ("name", "title") if f in node_fields and not node_fields[f].deprecation_reason]
        selections.append(f"{name}(first: 3) {{ nodes {{ id {' '.join(texts)} }} }}")
    import requests

    try:
        response = requests.post(url, json={"query": "{ %s }" % " ".join(selections)}, timeout=60)
        data = response.json().get("data") or {}
    except (requests.RequestException, ValueError):
        return _ids, _words
    for connection in data.values():
        for node in (connection or {}).get("nodes") or ():
            _ids[node["id"]] = _id_type(node["id"])
            for text in (node.get("name"), node.get("title")):
                _words.extend(w for w in re.findall(r"\w+", text or "") if len(w) > 2 and w not in _words)
    print(f"ctgraph fuzz: {len(_ids)} ids and {len(_words)} words fetched from {url}", file=sys.stderr)
    return _ids, _words


@schemathesis.hook
def flatmap_body(context, body):
    from hypothesis import strategies as st

    if not REPAIR or not isinstance(body, graphql.DocumentNode):
        return st.just(body)
    schema = context.operation.schema.client_schema
    ids, words = known_data(schema)
    # k in 0-2: adjusted (what shrinking moves towards); 3: as generated.
    return st.tuples(st.integers(0, 3), st.randoms()).map(
        lambda drawn: body if drawn[0] == 3 else repair(schema, body, drawn[1], ids, words)
    )
