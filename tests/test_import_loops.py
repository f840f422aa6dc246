"""No module of the service imports, directly or through others, a module that imports it back.

The layer contract (.importlinter, checked by lint-imports) keeps imports running down the layers;
this keeps them free of loops inside a layer too. Imports made only for type checking do not run,
so they do not count.
"""

from __future__ import annotations

import grimp

PACKAGES = ("mash", "security", "agencies", "referrals", "triage", "notifications", "reports", "web")


def import_loops(graph: grimp.ImportGraph) -> list[list[str]]:
    """The groups of modules that reach each other through imports (Tarjan's strongly connected
    components, iteratively: the graph has a few hundred modules)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    loops: list[list[str]] = []
    counter = 0
    for root in sorted(graph.modules):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            module, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.find_modules_directly_imported_by(child)))))
                elif child in on_stack:
                    low[module] = min(low[module], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[module])
            if low[module] == index[module]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == module:
                        break
                if len(group) > 1:
                    loops.append(sorted(group))
    return loops


def test_no_module_imports_itself_back():
    graph = grimp.build_graph(*PACKAGES, exclude_type_checking_imports=True)
    assert import_loops(graph) == []


def test_the_loop_finder_finds_a_loop():
    graph = grimp.ImportGraph()
    for module in ("a", "a.one", "a.two", "a.three"):
        graph.add_module(module)
    graph.add_import(importer="a.one", imported="a.two")
    graph.add_import(importer="a.two", imported="a.one")
    graph.add_import(importer="a.two", imported="a.three")
    assert import_loops(graph) == [["a.one", "a.two"]]
