"""What of the docs can be checked without Quarto (the site itself is built by .github/workflows/deploy.yaml): every
exported symbol has a docstring, none is cut mid-sentence, the README's Layout section names the real folders, and
nbdev's processing of the notebooks for the docs site (which executes their export, import and show_doc cells) runs
clean."""
import ast, importlib, inspect, json, os, pathlib, pkgutil, re, subprocess, sys
import pytest
import nas_nb

ROOT = pathlib.Path(__file__).resolve().parents[1]
PKG = pathlib.Path(nas_nb.__file__).resolve().parent

def modules():
    "Every module of the package, imported."
    names = ['nas_nb'] + [m.name for m in pkgutil.walk_packages([str(PKG)], 'nas_nb.') if not m.name.endswith('_modidx')]
    return [importlib.import_module(n) for n in names]

def _own_doc(obj):
    "`obj`'s own docstring: not inherited, and not the signature a dataclass writes when it has none."
    d = obj.__dict__.get('__doc__') if inspect.isclass(obj) else getattr(obj, '__doc__', None)
    if inspect.isclass(obj) and d and re.fullmatch(re.escape(obj.__name__) + r'\(.*\)', d.strip(), re.S): return None
    return (d or '').strip() or None

def _method_doc(cls, name, attr):
    "A method's docstring, its own or the one of the method it overrides in this package (fastcore's show_doc shows that)."
    f = attr.fget if isinstance(attr, property) else getattr(attr, '__func__', attr)
    if (f.__doc__ or '').strip(): return f.__doc__
    for base in cls.__mro__[1:]:
        if base.__module__.startswith('nas_nb') and name in vars(base): return _method_doc(base, name, vars(base)[name])

def undocumented():
    "module.name of every exported function or class, and public method of an exported class, without a docstring."
    bad = []
    for m in modules():
        for name in getattr(m, '__all__', []):
            obj = getattr(m, name)
            if not (inspect.isfunction(obj) or inspect.isclass(obj)) or getattr(obj, '__module__', None) != m.__name__:
                continue   # constants (documented by the notebook's prose) and names re-exported from another module
            if not _own_doc(obj): bad.append(f"{m.__name__}.{name}")
            if not inspect.isclass(obj): continue
            for k, v in vars(obj).items():
                if k.startswith('_') or not isinstance(v, (property, classmethod, staticmethod)) and not inspect.isfunction(v): continue
                if not _method_doc(obj, k, v): bad.append(f"{m.__name__}.{name}.{k}")
    return bad

def test_exported_symbols_have_docstrings():
    bad = undocumented()
    assert not bad, f"{len(bad)} exported functions/classes/methods have no docstring (add one in the notebook):\n" + '\n'.join(bad)

def cut_docstrings(paths):
    "file:line of each function or class whose body starts with two bare string statements (a docstring cut in two)."
    bad = []
    for p in paths:
        for node in ast.walk(ast.parse(p.read_text(), str(p))):
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) or len(node.body) < 2: continue
            a, b = node.body[:2]
            if all(isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant) and isinstance(s.value.value, str) for s in (a, b)):
                bad.append(f"{p.relative_to(ROOT) if p.is_relative_to(ROOT) else p}:{b.lineno} {node.name}")
    return bad

def test_cut_docstrings_are_found(tmp_path):
    (tmp_path / 'm.py').write_text('def f():\n    "One sentence, cut"\n    "in two."\n    return 1\n'
                                   'class C:\n    "Whole."\n    x = "a string, not a docstring"\n')
    bad = cut_docstrings([tmp_path / 'm.py'])
    assert [b.split(' ', 1)[1] for b in bad] == ['f'] and bad[0].endswith('m.py:3 f'), bad

def test_no_docstring_cut_mid_sentence():
    bad = cut_docstrings(sorted(PKG.rglob('*.py')))
    assert not bad, ("docstrings cut in two (the second string is a no-op statement: join them into one docstring in the "
                     "notebook):\n" + '\n'.join(bad))

def _layout():
    readme = (ROOT / 'README.md').read_text()
    m = re.search(r'^## Layout\n(.*?)(?=^## |\Z)', readme, re.S | re.M)
    assert m, "README.md has no '## Layout' section"
    return m[1]

def test_readme_layout_lists_the_real_folders():
    files = subprocess.run(['git', 'ls-files'], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    folders = {f.split('/')[0] for f in files if '/' in f}
    text = _layout()
    named = set(re.findall(r'`([\w.-]+(?:/[\w.-]+)*)/`', text))   # `nbs/`, `nas_nb/notebooks/`
    dirs = {'/'.join(f.split('/')[:i]) for f in files for i in range(1, f.count('/') + 1)}
    assert not (missing := sorted(folders - named)), f"README.md's Layout section does not name {missing}"
    assert not (gone := sorted(named - dirs)), f"README.md's Layout section names folders that are not in the repository: {gone}"

PROC = r'''
import json, os, sys, warnings, pathlib
from nbdev.serve import FilterDefaults
from execnb.nbio import read_nb
os.environ['IN_TEST'] = '1'
out = {}
for p in map(pathlib.Path, sys.argv[1:]):
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        try: FilterDefaults()(read_nb(p)); err = None
        except Exception as e: err = str(e).splitlines()[0] + (f" {type(e.__cause__).__name__}: {e.__cause__}" if e.__cause__ else '')
    out[p.name] = err
print(json.dumps(out))
'''

def mixed_cells(nb_path):
    "Code cells that nbdev's docs processing executes because they import, although they hold other code too."
    from nbdev.process import NBProcessor
    from nbdev.processors import _do_eval
    import warnings
    bad, cells = [], NBProcessor(nb_path, procs=[], rm_directives=False).nb.cells
    if not any(c.cell_type == 'code' and (c.directives_.keys() & {'export', 'exports', 'exporti'} or 'show_doc' in c.source)
               for c in cells): return []   # nbdev executes nothing in a notebook without API docs (index.ipynb)
    for c in cells:
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter('always')
            _do_eval(c)
        if any('imports and other code' in str(x.message) for x in w): bad.append(f"{nb_path.name} cell {c.idx_}: {c.source.splitlines()[0]}")
    return bad

NOTEBOOKS = sorted((ROOT / 'nbs').glob('*.ipynb'))
# index.ipynb is the README: each of its blocks is what a user types, imports with the code that uses them; the docs
# build runs its cells in order there (the tour takes about a minute), so it is exempt from the rule below
TOUR = ROOT / 'nbs' / 'index.ipynb'

def test_no_cells_mixing_imports_and_code():
    """The docs build runs every cell with an import (nbdev warns 'Found cells containing imports and other code'): out of
    the notebook's order, a test cell with an import fails there or trains models. Imports go in cells of their own."""
    bad = [b for p in NOTEBOOKS if p != TOUR for b in mixed_cells(p)]
    assert not bad, f"{len(bad)} cells mix imports with other code:\n" + '\n'.join(bad)

def test_docs_processing_runs_clean():
    "nbdev's processing for the docs site (what nbdev_docs runs before Quarto) raises in no notebook."
    clean = [p for p in NOTEBOOKS if p == TOUR or not mixed_cells(p)]   # the others fail the test above (and could run for minutes)
    r = subprocess.run([sys.executable, '-c', PROC, *map(str, clean)], cwd=ROOT / 'nbs', capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-3000:]
    errors = {k: v for k, v in json.loads(r.stdout.splitlines()[-1]).items() if v}
    assert not errors, "nbdev's docs processing fails:\n" + '\n'.join(f"{k}: {v}" for k, v in errors.items())
