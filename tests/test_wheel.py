"""The package as a wheel installs it: built from a copy of the sources, installed into a folder of its own and imported
from an empty directory (PYTHONPATH puts it ahead of any editable install), it finds its experiment notebooks inside
itself and `nas_nb run` checks a notebook's parameters, as from a checkout."""
import os, pathlib, shutil, subprocess, sys, zipfile
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted(p.name for p in (ROOT / 'nas_nb' / 'notebooks').glob('*.ipynb'))

def _ok(cmd):
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, f"{' '.join(cmd)} failed ({r.returncode}):\n{r.stdout[-2000:]}\n{r.stderr[-2000:]}"

@pytest.fixture(scope='module')
def wheel(tmp_path_factory):
    "(the built wheel, the folder it is installed in)."
    tmp = tmp_path_factory.mktemp('wheel')
    src = tmp / 'src'   # a copy: building in the checkout would leave build/ there, and reuse a stale one
    src.mkdir()
    for f in ('setup.py', 'settings.ini', 'pyproject.toml', 'MANIFEST.in', 'README.md'): shutil.copy(ROOT / f, src)
    shutil.copytree(ROOT / 'nas_nb', src / 'nas_nb', ignore=shutil.ignore_patterns('__pycache__', '*.pyc', '.ipynb_checkpoints'))
    pip = [sys.executable, '-m', 'pip', '--disable-pip-version-check', '-q']
    # no build isolation: offline, with this environment's setuptools (a dev requirement)
    _ok([*pip, 'wheel', str(src), '--no-deps', '--no-build-isolation', '-w', str(tmp / 'dist')])
    whl, = (tmp / 'dist').glob('nas_nb-*.whl')
    _ok([*pip, 'install', '--no-deps', '--target', str(tmp / 'site'), str(whl)])
    return whl, tmp / 'site'

def run_installed(site, cwd, *args):
    "python `args` (a script or python's options) in `cwd` with the installed wheel first on the path."
    env = dict(os.environ, PYTHONPATH=str(site))
    return subprocess.run([sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)

def test_wheel_holds_the_notebooks(wheel):
    names = zipfile.ZipFile(wheel[0]).namelist()
    assert NOTEBOOKS and len(NOTEBOOKS) >= 4, NOTEBOOKS
    for nb in NOTEBOOKS: assert f'nas_nb/notebooks/{nb}' in names, (nb, names)

def test_installed_package_finds_its_notebooks(wheel, tmp_path):
    r = run_installed(wheel[1], tmp_path, '-c', "import nas_nb, nas_nb.runner as r; print(nas_nb.__file__); "
                      "print(*sorted(p.name for p in r.experiment_notebooks().values())); print(r.experiment_notebook('mnist'))")
    assert r.returncode == 0, r.stderr[-3000:]
    where, found, mnist = r.stdout.splitlines()
    assert pathlib.Path(where).is_relative_to(wheel[1]), f"imported {where}, not the installed wheel"
    assert found.split() == NOTEBOOKS
    assert pathlib.Path(mnist) == wheel[1] / 'nas_nb' / 'notebooks' / 'mnist.ipynb'

def test_installed_run_checks_parameters(wheel, tmp_path):
    "A bad -p value is refused with the parameter's error: the notebook was found and read (not 'unknown experiment')."
    script = wheel[1] / 'bin' / 'nas_nb'   # the wheel's console script, as pip installed it
    assert script.is_file(), sorted(p.name for p in wheel[1].iterdir())
    r = run_installed(wheel[1], tmp_path, str(script), 'run', 'mnist', '-p', 'population', '0')
    assert (r.returncode, r.stdout) == (2, ''), (r.returncode, r.stdout, r.stderr)
    assert 'population=0 is invalid: must be an integer >= 2' in r.stderr, r.stderr
    assert os.listdir(tmp_path) == []
