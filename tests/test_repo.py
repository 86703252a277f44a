"""Repository-level checks: the package is what the notebooks export, notebooks are clean, README is current,
and the installed `nas_nb` command behaves as documented."""
import json, pathlib, shutil, subprocess, sys
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
BIN = pathlib.Path(sys.executable).parent

def _copy(tmp_path):
    "A scratch copy of the parts nbdev reads and writes."
    dst = tmp_path / 'repo'
    dst.mkdir()
    for p in ('nbs', 'nas_nb'): shutil.copytree(ROOT / p, dst / p)
    shutil.copy(ROOT / 'settings.ini', dst)
    return dst

def _tree(d, pattern):
    return {p.relative_to(d).as_posix(): p.read_text() for p in sorted(d.rglob(pattern))
            if '.ipynb_checkpoints' not in p.parts and '__pycache__' not in p.parts}

def test_package_matches_notebooks(tmp_path):
    "CI fails when nbs/ and nas_nb/ disagree: nbdev_export must change nothing."
    d = _copy(tmp_path)
    subprocess.run([str(BIN / 'nbdev_export')], cwd=d, check=True)
    assert _tree(d / 'nas_nb', '*.py') == _tree(ROOT / 'nas_nb', '*.py'), "run nbdev_export and commit nas_nb/"

def test_notebooks_are_clean(tmp_path):
    "nbdev_clean must change nothing (no outputs, execution counts or stray metadata committed)."
    d = _copy(tmp_path)
    subprocess.run([str(BIN / 'nbdev_clean')], cwd=d, check=True)
    assert _tree(d / 'nbs', '*.ipynb') == _tree(ROOT / 'nbs', '*.ipynb'), "run nbdev_clean and commit nbs/"
    # the experiment notebooks are package data (nas_nb/notebooks/), outside nbs/: cleaned by name
    subprocess.run([str(BIN / 'nbdev_clean'), '--fname', 'nas_nb/notebooks'], cwd=d, check=True)
    assert _tree(d / 'nas_nb' / 'notebooks', '*.ipynb') == _tree(ROOT / 'nas_nb' / 'notebooks', '*.ipynb'), \
        "run nbdev_clean --fname nas_nb/notebooks and commit them"

def test_readme_is_current():
    r = subprocess.run([sys.executable, str(ROOT / 'tools' / 'readme.py'), '--check'], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr

def test_ci_runs_the_readme_test_command():
    readme = (ROOT / 'README.md').read_text()
    blocks = [b.split('```')[0].strip() for b in readme.split('```sh\n')[1:]]
    assert len(blocks) == 2, "README.md gives exactly two set-up commands"
    assert 'nbdev_test' in blocks[1] and 'pytest' in blocks[1]
    assert "README.md" in (ROOT / '.ci' / 'run').read_text()

def nas_nb(*args):
    return subprocess.run([str(BIN / 'nas_nb'), *args], capture_output=True, text=True, timeout=120)

def test_cli_space_full():
    r = nas_nb('space', '--mode', 'full')
    assert r.returncode == 0, r.stderr
    assert '35,831,808' in r.stdout

def test_cli_space_json():
    r = nas_nb('space', '--mode', 'minimal', '--json')
    assert r.returncode == 0, r.stderr
    s = json.loads(r.stdout)
    assert (s['size'], s['valid'], s['distinct']) == (8, 8, 8)

@pytest.mark.parametrize('args', [('space', '--mode', 'bogus'), ('bogus',), ('space', '--nope')])
def test_cli_bad_input_is_one_line_exit_2(args):
    r = nas_nb(*args)
    assert r.returncode == 2
    assert r.stdout == ''
    assert len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert 'Traceback' not in r.stderr
    if '--mode' in args: assert all(m in r.stderr for m in ('minimal', 'medium', 'full'))

def test_cli_help():
    r = nas_nb('--help')
    assert r.returncode == 0 and 'space' in r.stdout
