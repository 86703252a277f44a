"""No import cycles among `nas_nb` modules: every import of every module, read from the source (AST, without importing),
including the imports inside functions (a lazy import hides a cycle, it does not remove it)."""
import ast, pathlib

ROOT = pathlib.Path(__file__).resolve().parents[1] / 'nas_nb'

def modules(root:pathlib.Path=ROOT, pkg:str='nas_nb') -> dict:
    "Dotted module name -> source file, for every .py under `root` (a package's `__init__.py` is the package)."
    out = {}
    for p in sorted(root.rglob('*.py')):
        if '__pycache__' in p.parts: continue
        parts = [pkg, *p.relative_to(root).with_suffix('').parts]
        if parts[-1] == '__init__': parts = parts[:-1]
        out['.'.join(parts)] = p
    return out

def imports(name:str, path:pathlib.Path, mods:dict, pkg:str='nas_nb') -> dict:
    "The modules of `mods` that module `name` imports anywhere in its source -> the first line that does."
    package = name.split('.') if path.name == '__init__.py' else name.split('.')[:-1]  # where a relative import starts
    found = {}
    def add(target, node):
        if target in mods and target != name: found.setdefault(target, node.lineno)
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):  # import nas_nb.x.y [as z]
            for a in node.names: add(a.name, node)
        elif isinstance(node, ast.ImportFrom):
            if node.level:                # from .x import y, from .. import y
                base = package[:len(package) - (node.level - 1)]
                src = '.'.join(base + ([node.module] if node.module else []))
            else: src = node.module or ''
            if src != pkg and not src.startswith(pkg + '.'): continue
            add(src, node)
            for a in node.names: add(f"{src}.{a.name}", node)  # from nas_nb.models import core: a module too
        elif (isinstance(node, ast.Call) and getattr(node.func, 'attr', getattr(node.func, 'id', None)) == 'import_module'
              and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
            add(node.args[0].value, node)  # importlib.import_module('nas_nb.x') with a literal name
    return found

def graph(root:pathlib.Path=ROOT, pkg:str='nas_nb') -> tuple[dict, dict]:
    "Module -> {imported module: line}, and module -> file."
    mods = modules(root, pkg)
    return {m: imports(m, p, mods, pkg) for m, p in mods.items()}, mods

def cycles(g:dict) -> list[list[str]]:
    "One cycle (a list of modules, the first repeated at the end) per strongly connected component of `g` with a cycle."
    index, low, stack, on, comps = {}, {}, [], set(), []
    def strong(v):  # Tarjan; the package is small enough for recursion
        index[v] = low[v] = len(index); stack.append(v); on.add(v)
        for w in sorted(g[v]):
            if w not in index: strong(w); low[v] = min(low[v], low[w])
            elif w in on: low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = set()
            while True:
                w = stack.pop(); on.discard(w); comp.add(w)
                if w == v: break
            if len(comp) > 1: comps.append(comp)
    for v in sorted(g):
        if v not in index: strong(v)
    out = []
    for comp in comps:  # breadth first from the component's first module: the shortest way back to it
        start, last = min(comp), None
        prev, frontier = {start: None}, [start]
        while last is None:
            nxt = []
            for v in frontier:
                for w in sorted(g[v]):
                    if w == start and last is None: last = v
                    elif w in comp and w not in prev: prev[w] = v; nxt.append(w)
            frontier = nxt
        path = [last]
        while prev[path[-1]] is not None: path.append(prev[path[-1]])
        out.append(path[::-1] + [start])
    return out

def describe(cycle:list, g:dict, mods:dict, root:pathlib.Path=ROOT) -> str:
    "The cycle, and where each of its imports is (file:line)."
    where = [f"{mods[a].relative_to(root.parent).as_posix()}:{g[a][b]} imports {b}" for a, b in zip(cycle, cycle[1:])]
    return ' -> '.join(cycle) + '  (' + ', '.join(where) + ')'

def test_no_import_cycles():
    g, mods = graph()
    found = cycles(g)
    assert not found, 'import cycles among nas_nb modules:\n' + '\n'.join(describe(c, g, mods) for c in found)

def test_the_walk_sees_every_kind_of_import():
    "The graph has what the source has: top-level, relative and absolute, and imports inside functions."
    g, mods = graph()
    assert len(mods) > 20 and 'nas_nb.models.core' in mods and 'nas_nb' in mods
    assert 'nas_nb.pareto' in g['nas_nb.evolution'] and 'nas_nb.pareto' in g['nas_nb.surrogate']
    assert 'nas_nb.evolution' in g['nas_nb.cli']               # `from nas_nb.evolution import resume` inside a function
    assert 'nas_nb.models.core' in g['nas_nb.models']          # `from .core import ...` in a package's __init__
    assert g['nas_nb.pareto'] == {}                            # the Pareto math imports nothing of nas_nb
    assert 'nas_nb.evolution' not in g['nas_nb.surrogate']

def test_a_cycle_is_found_and_named(tmp_path):
    "On a made-up package: a cycle closed by an import inside a function, through a subpackage, is reported in full."
    pkg = tmp_path / 'nas_nb'
    (pkg / 'sub').mkdir(parents=True)
    (pkg / '__init__.py').write_text('')
    (pkg / 'a.py').write_text('import math\nfrom .sub import c\n')
    (pkg / 'b.py').write_text('def f():\n    from nas_nb.a import x\n')
    (pkg / 'sub' / '__init__.py').write_text('')
    (pkg / 'sub' / 'c.py').write_text('from ..b import f\nfrom . import d\n')
    (pkg / 'sub' / 'd.py').write_text('import nas_nb\n')
    g, mods = graph(pkg)
    assert g['nas_nb.a'] == {'nas_nb.sub': 2, 'nas_nb.sub.c': 2} and g['nas_nb.sub.d'] == {'nas_nb': 1}
    found = cycles(g)
    assert found == [['nas_nb.a', 'nas_nb.sub.c', 'nas_nb.b', 'nas_nb.a']], found
    assert describe(found[0], g, mods, pkg) == ('nas_nb.a -> nas_nb.sub.c -> nas_nb.b -> nas_nb.a  (nas_nb/a.py:2 imports nas_nb.sub.c, '
                                           'nas_nb/sub/c.py:1 imports nas_nb.b, nas_nb/b.py:2 imports nas_nb.a)')
    (pkg / 'b.py').write_text('def f(): pass\n')
    assert cycles(graph(pkg)[0]) == []
