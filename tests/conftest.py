"""Shared fixtures: one tiny MNIST experiment run through `nas_nb run` (papermill), used by the experiment and the
browser tests."""
import os, pathlib, subprocess, sys
import pytest

BIN = pathlib.Path(sys.executable).parent
ROOT = pathlib.Path(__file__).resolve().parent.parent

def nas_nb(*args, timeout=900):
    "Run the installed `nas_nb` command; fail with its output when it fails."
    r = subprocess.run([str(BIN / 'nas_nb'), *map(str, args)], capture_output=True, text=True, timeout=timeout)
    assert r.returncode == 0, f"nas_nb {' '.join(map(str, args))} failed ({r.returncode}):\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}"
    return r

@pytest.fixture(scope='session')
def mnist_run(tmp_path_factory):
    "reports/mnist/<run> of a tiny MNIST experiment: 3 architectures x 2 generations at the smoke phase."
    out = tmp_path_factory.mktemp('reports') / 'mnist' / 'tiny'
    nas_nb('run', 'mnist', '-p', 'population', '3', '-p', 'generations', '2', '-p', 'phases', 'smoke',
           '-p', 'families', '["transformer","rwkv"]', '-p', 'baselines', '["ultra_light"]', '--out', out, '--quiet')
    return out

@pytest.fixture(scope='session')
def artifacts():
    "Where CI artifacts (screenshots) go: $NAS_NB_ARTIFACTS, else tests/artifacts."
    d = pathlib.Path(os.environ.get('NAS_NB_ARTIFACTS', ROOT / 'tests' / 'artifacts'))
    d.mkdir(parents=True, exist_ok=True)
    return d
