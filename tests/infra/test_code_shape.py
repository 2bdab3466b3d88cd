"""The code's shape (issue 15, docs/architecture.md "Layers"): no import cycle in khadamat/, each
layer imports only the layers below it, and a route names its path parameter as template.yaml does.

The import graph is grimp's (the library behind import-linter): every import counts, those inside
functions too (a lazy import is still a dependency, only a later one).
"""

from __future__ import annotations

import ast
import re

import grimp
import pytest

from tests.conftest import TEMPLATE

PACKAGE = "khadamat"
# Highest first: a layer may import the layers after it, never one before it.
LAYERS = ("api", "jobs", "usecases", "adapters", "dal", "domain")


@pytest.fixture(scope="module")
def graph():
    return grimp.build_graph(PACKAGE)


def import_cycles(graph) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    lowlink: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []
    for root in sorted(graph.modules):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root))))]
        index[root] = lowlink[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            module, targets = work[-1]
            target = next(targets, None)
            if target is not None:
                if target not in index:
                    index[target] = lowlink[target] = len(index)
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(sorted(graph.find_modules_directly_imported_by(target)))))
                elif target in on_stack:
                    lowlink[module] = min(lowlink[module], index[target])
                continue
            work.pop()
            if work:
                lowlink[work[-1][0]] = min(lowlink[work[-1][0]], lowlink[module])
            if lowlink[module] == index[module]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == module:
                        break
                if len(component) > 1:
                    cycles.append(sorted(component))
    return cycles


def test_the_cycle_finder_finds_a_cycle():
    # Given a graph with a → b → c → a and d → a, when cycles are looked for, then one is found
    toy = grimp.ImportGraph()
    for importer, imported in (("p.a", "p.b"), ("p.b", "p.c"), ("p.c", "p.a"), ("p.d", "p.a")):
        toy.add_import(importer=importer, imported=imported)
    assert import_cycles(toy) == [["p.a", "p.b", "p.c"]]


def test_no_import_cycle_in_the_package(graph):
    assert import_cycles(graph) == []


def test_each_layer_imports_only_the_layers_below_it(graph):
    illegal = graph.find_illegal_dependencies_for_layers(layers=[f"{PACKAGE}.{name}" for name in LAYERS])
    assert {f"{d.importer} -> {d.imported}" for d in illegal} == set()


def test_observability_holds_no_entry_point_and_imports_nothing_of_the_package(graph):
    # logger, tracer and metrics only: the entry points are khadamat.api.entry and khadamat.jobs.entry
    assert graph.find_modules_directly_imported_by(f"{PACKAGE}.observability") == set()
    import khadamat.observability as observability

    assert not {"http_entry", "job_entry", "stream_entry"} & set(vars(observability))


def test_request_models_and_prefetch_declarations_reach_no_dal_module(graph):
    # The API layer names what a route reads with its caller (khadamat.api.prefetch: "the item
    # the path names", through a DAL ref); the DAL owns every key and item class. A models
    # module reaching the DAL would also make every function that only wants a request body
    # (POST /auth/mfa: MfaLoginRequest) import those DAL modules at cold start.
    api_modules = {module for module in graph.modules
                   if module.startswith(f"{PACKAGE}.api.models") or module == f"{PACKAGE}.api.prefetch"}
    assert len(api_modules) >= 9
    reached = {f"{module} -> {upstream}" for module in api_modules
               for upstream in graph.find_upstream_modules(module) if upstream.startswith(f"{PACKAGE}.dal")}
    assert reached == set()


# ---------------------------------------------------------------- path parameters
_DECORATOR = re.compile(r"@app\.(get|post|put|patch|delete)\(\s*\"([^\"]+)\"")


def _handlers_reading_the_booking_in_their_path():
    for function in TEMPLATE.functions:
        source = function.handler_file.read_text(encoding="utf-8")
        if "prefetch=in_path(BookingRef)" in source:
            yield function, source


def test_booking_routes_copy_the_template_path_and_take_no_path_argument():
    # The /bookings/{id}/… handlers read their booking through one object (target_ref): the
    # path parameter is named by template.yaml only, the route copies the template's path.
    checked = 0
    for function, source in _handlers_reading_the_booking_in_their_path():
        template_paths = {route.path for route in TEMPLATE.routes if route.function_id == function.logical_id}
        method, route = _DECORATOR.search(source).groups()
        assert re.sub(r"<(\w+)>", r"{\1}", route) in template_paths, function.logical_id
        handler = next(node for node in ast.parse(source).body
                       if isinstance(node, ast.FunctionDef) and node.decorator_list)
        parameters = {argument.arg for argument in handler.args.args + handler.args.kwonlyargs}
        assert not parameters & set(re.findall(r"<(\w+)>", route)), function.logical_id
        checked += 1
    assert checked >= 10  # get, events, confirm, decline, cancel, complete, review, 3 reschedule


def test_every_route_copies_the_template_path_and_takes_no_path_argument():
    # template.yaml is the one source of path parameter names: each handler's route is the
    # template's path, and the handler reads the value with path_value(app), never by name.
    checked = 0
    for function in TEMPLATE.functions:
        source = function.handler_file.read_text(encoding="utf-8")
        found = _DECORATOR.search(source)
        template_paths = {route.path for route in TEMPLATE.routes if route.function_id == function.logical_id}
        if found is None or not template_paths:
            continue
        route = found.group(2)
        assert re.sub(r"<(\w+)>", r"{\1}", route) in template_paths, function.logical_id
        handler = next(node for node in ast.parse(source).body
                       if isinstance(node, ast.FunctionDef) and node.decorator_list)
        parameters = {argument.arg for argument in handler.args.args + handler.args.kwonlyargs}
        assert not parameters & set(re.findall(r"<(\w+)>", route)), function.logical_id
        checked += "<" in route
    assert checked >= 30
