"""A rung training killed with SIGKILL in the middle of an epoch (after its earlier rung's checkpoint was written)
and then continued in a fresh process ends exactly like an uninterrupted evaluation: the kill loses only the epoch
in progress, the checkpoints on disk stay usable (written atomically), and the full rung is the ordinary result."""
import json, os, pathlib, signal, subprocess, sys, textwrap

ROOT = pathlib.Path(__file__).resolve().parent.parent

SETUP = '''
import json, os, signal, sys
from nas_nb.config import ArchitectureConfig as AC
from nas_nb.evaluate import Evaluator
from nas_nb.experiments import load_experiment
from nas_nb.train import Phase, loss_fn
from nas_nb.store import is_latency_metric
cfg = AC('rwkv', num_layers=1, hidden_dim=16, dropout=0.1, quantization='int8')
phase = Phase('rungtest', 192, 3, batch_size=64)
calls = [0]
def loss(model, batch):                                  # SIGKILL itself at the KILL_AT-th loss (mid-epoch 3: 3 steps an epoch)
    calls[0] += 1
    if calls[0] == int(os.environ.get('KILL_AT', 0)): os.kill(os.getpid(), signal.SIGKILL)
    return loss_fn(model, batch)
ev = lambda **kw: Evaluator(load_experiment('mnist'), phase=phase, device='cpu', latency_time=0.05, loss=loss, **kw)
untimed = lambda r: dict(status=r.status, phase=r.phase, metrics={k: v for k, v in r.metrics.items() if not is_latency_metric(k) and k != 'train_time_s'},
                         curve=[{k: v for k, v in c.items() if k != 'seconds'} for c in r.curve])
'''

def py(code, env=None, check=True):
    r = subprocess.run([sys.executable, '-c', textwrap.dedent(SETUP) + textwrap.dedent(code)], capture_output=True, text=True,
                       timeout=600, cwd=ROOT, env={**os.environ, 'PYTHONPATH': str(ROOT), **(env or {})})
    if check: assert r.returncode == 0, r.stderr[-3000:]
    return r

def test_kill9_mid_rung_then_continue_equals_one_go(tmp_path):
    ck = tmp_path / 'ckpt'
    one_go = json.loads(py("print(json.dumps(untimed(ev().evaluate(cfg))))").stdout.splitlines()[-1])
    # rung 2 is reached and saved, then the same process goes on to rung 3 and is killed in its first step of epoch 3
    r = py(f"ev().evaluate_rung(cfg, 2, {str(ck)!r}); ev().evaluate_rung(cfg, 3, {str(ck)!r})", env=dict(KILL_AT='7'), check=False)
    assert r.returncode == -signal.SIGKILL, (r.returncode, r.stderr[-2000:])
    assert sorted(p.name.rsplit('-', 1)[1] for p in ck.iterdir()) == ['e002.pt']     # no temporary file, no partial epoch
    cont = json.loads(py(f"print(json.dumps(untimed(ev().evaluate_rung(cfg, 3, {str(ck)!r}))))").stdout.splitlines()[-1])
    assert cont == one_go and cont['status'] == 'ok' and len(cont['curve']) == 3
    assert sorted(p.name.rsplit('-', 1)[1] for p in ck.iterdir()) == ['e002.pt', 'e003.pt']
