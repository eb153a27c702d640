"""The house: which tensorglass module imports which (read from the source,
every import statement, also those inside functions), with no circles and no
lower floor importing a higher one."""

import ast
from pathlib import Path

import tensorglass

ROOT = Path(tensorglass.__file__).parent

#: Floors, lowest first: a module may import its own floor or lower ones.  The physics core imports only
#: numpy and scipy; the edge (files, sweeps, pages, studies, the command line) imports the core.
FLOORS = [
    {"__init__", "_version", "errors", "conventions", "_validate", "_atomic"},     # tensorglass/__init__: the version
    {"tensors", "interaction", "avalanche", "renormalization", "susceptibility", "meanfield", "gamma_ratio",
     "materials", "reference"},
    {"montecarlo", "clusters", "predict"},                                        # numba kernels; clusters use the MC's
    {"storage", "sweeps", "reweighting"},                                       # reweighting reads stored runs
    {"report"},
    {"studies"},
    {"cli", "__main__"},
]


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _known():
    return {_module_name(p): p for p in ROOT.rglob("*.py")}


def import_graph() -> dict:
    """module -> set of tensorglass modules it imports (resolved to submodules where they exist)."""
    known = _known()
    graph = {}
    for name, path in known.items():
        pkg = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
        out = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = pkg.split(".")
                    base = base[:len(base) - node.level + 1]
                    mod = ".".join(base + ([node.module] if node.module else []))
                else:
                    mod = node.module or ""
                targets = [f"{mod}.{a.name}" if f"{mod}.{a.name}" in known else mod for a in node.names]
            else:
                continue
            for t in targets:
                while t and t not in known:
                    t = t.rsplit(".", 1)[0] if "." in t else ""
                if t.startswith("tensorglass") and t != name:
                    out.add(t)
        graph[name] = out
    return graph


def cycles(graph) -> list:
    """The strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def _floor(module):
    top = module.split(".")[1] if "." in module else "__init__"
    top = top.removesuffix(".py")
    return next(i for i, f in enumerate(FLOORS) if top in f)


def test_every_package_has_a_floor():
    for m in _known():
        _floor(m)


def test_no_import_circles_among_tensorglass_modules():
    """Package __init__ files that re-export their own submodules are the package itself, not a circle: a
    module's edge to its own package's __init__ is left out."""
    graph = import_graph()
    own = {m: {t for t in ts if not (m.startswith(t + ".") and _known()[t].name == "__init__.py")}
           for m, ts in graph.items()}
    assert cycles(own) == []


def test_no_lower_floor_imports_a_higher_one():
    bad = [(m, t) for m, ts in import_graph().items() for t in ts if _floor(t) > _floor(m)]
    assert bad == []


def test_the_checker_finds_a_circle_and_a_climb():
    g = {"tensorglass.sweeps._spec": {"tensorglass.studies._common"},
         "tensorglass.studies._common": {"tensorglass.sweeps._spec"}}
    assert cycles(g) == [["tensorglass.studies._common", "tensorglass.sweeps._spec"]]
    assert _floor("tensorglass.studies._common") > _floor("tensorglass.sweeps._spec")
