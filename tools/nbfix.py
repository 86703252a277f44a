"""Mechanical fixes for what tests/test_docs.py finds in notebooks.

    python tools/nbfix.py nbs/50_evolution.ipynb [...]

1. A docstring cut in two (`"first half"` then `"second half"` on the next line: the second is a no-op statement)
   becomes one triple-quoted docstring.
2. A non-exported code cell holding top-level imports and other code (nbdev's docs build executes every cell with an
   import, out of order: "Found cells containing imports and other code") has its imports moved into a cell of their
   own just before it (its `#| slow`, `#| cuda` or `#| hide` directives too). An import nested in a block is left
   alone and reported: rewrite it by hand (e.g. `mod = importlib.import_module('mod')`, importlib imported above).
Then run nbdev_export, and nbdev_test on the notebook.
"""
import ast, json, pathlib, re, sys

def _code(src): return dict(cell_type='code', execution_count=None, metadata={}, outputs=[], source=src.splitlines(True))
def _strs(*stmts): return all(isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant) and isinstance(s.value.value, str) for s in stmts)

def join_docstrings(src:str) -> tuple[str, int]:
    "`src` with every docstring cut in two joined into one (triple-quoted); and how many were."
    try: tree = ast.parse(src)
    except SyntaxError: return src, 0
    lines, edits = src.split('\n'), []
    for node in ast.walk(tree):
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) or len(node.body) < 2: continue
        a, b = node.body[:2]
        if not _strs(a, b): continue
        s1, s2 = lines[a.lineno - 1].strip(), lines[b.lineno - 1].strip()
        if not (a.lineno == a.end_lineno and b.lineno == b.end_lineno == a.lineno + 1 and s1[0] == s1[-1] == s2[0] == s2[-1] == '"'
                and '"""' not in s1 + s2):
            print(f"  by hand: the docstring of {node.name} (line {a.lineno} of the cell)"); continue
        ind = lines[a.lineno - 1][:len(lines[a.lineno - 1]) - len(lines[a.lineno - 1].lstrip())]
        edits.append((a.lineno - 1, [ind + '"""' + s1[1:-1], ind + s2[1:-1] + '"""']))
    for i, new in sorted(edits, reverse=True): lines[i:i + 2] = new
    return '\n'.join(lines), len(edits)

def split_imports(src:str):
    "(imports cell source, rest) for a cell mixing top-level imports with other code; None if nothing to do or by hand."
    try: tree = ast.parse(src)
    except SyntaxError: return None
    imp = lambda s: isinstance(s, (ast.Import, ast.ImportFrom))
    if not (any(imp(x) for x in ast.walk(tree)) and any(isinstance(x, (ast.Expr, ast.Assign)) for x in ast.walk(tree))): return None
    top = [s for s in tree.body if imp(s)]
    if not top or any(imp(x) for s in tree.body if not imp(s) for x in ast.walk(s)): return 'by hand'
    lines = src.split('\n')
    drop = {i for s in top for i in range(s.lineno - 1, s.end_lineno)}
    dirs = [l for l in lines if re.match(r'#\|\s*(slow|cuda|hide)\b', l)]
    return '\n'.join(dirs + [lines[i] for i in sorted(drop)]), '\n'.join(l for i, l in enumerate(lines) if i not in drop).strip('\n')

def fix(path):
    p = pathlib.Path(path); nb = json.loads(p.read_text()); cells, joined, split = [], 0, 0
    for i, c in enumerate(nb['cells']):
        if c['cell_type'] != 'code': cells.append(c); continue
        src, n = join_docstrings(''.join(c['source'])); joined += n
        c['source'] = src.splitlines(True)
        s = None if re.search(r'^#\|\s*export', src, re.M) else split_imports(src)
        if s == 'by hand': print(f"  by hand: {p.name} cell {i} imports inside a block: {src.splitlines()[0]}")
        elif s:
            cells.append(_code(s[0])); c['source'] = s[1].splitlines(True); split += 1
        cells.append(c)
    nb['cells'] = cells
    p.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + '\n')
    print(f"{p}: {joined} docstrings joined, {split} import cells split off")

if __name__ == '__main__':
    if len(sys.argv) < 2: sys.exit(__doc__)
    for a in sys.argv[1:]: fix(a)
