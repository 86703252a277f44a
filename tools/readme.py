"""Write README.md from nbs/index.ipynb (markdown cells as they are, code cells as ```python blocks).

nbdev_readme needs Quarto, which cannot be installed on every machine we work on; the docs site (built by
.github/workflows/deploy.yaml) still renders index.ipynb with Quarto. tests/test_repo.py fails when README.md
is not what this script writes, so the two never drift. Usage: python tools/readme.py [--check]
"""
import json, pathlib, sys

ROOT = pathlib.Path(__file__).resolve().parents[1]

def render(nb_path=ROOT / 'nbs' / 'index.ipynb') -> str:
    cells = json.loads(pathlib.Path(nb_path).read_text())['cells']
    parts = []
    for c in cells:
        src = ''.join(c['source']).strip()
        if not src or src.startswith('#| hide'): continue
        if c['cell_type'] == 'markdown':
            parts.append(src)
        else: parts.append(f"```python\n{src}\n```")
    return '\n\n'.join(parts) + '\n'

if __name__ == '__main__':
    text, out = render(), ROOT / 'README.md'
    if '--check' in sys.argv:
        sys.exit(0 if out.exists() and out.read_text() == text else 'README.md is out of date: run python tools/readme.py')
    out.write_text(text)
