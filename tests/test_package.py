"""The exported package used as a user would, outside the notebooks' shared namespace: a name a notebook imported
in a non-exported cell (and the module forgot) fails here, not in a user's hands."""
import subprocess, sys, pathlib
import torch
from nas_nb.config import ArchitectureConfig
from nas_nb.models import build_model, Task, count_params, estimate_params
from nas_nb.compress import quantize, save_artifact, load_artifact
from nas_nb.train import train, Phase

ROOT = pathlib.Path(__file__).resolve().parents[1]

def test_no_undefined_names():
    r = subprocess.run([sys.executable, '-m', 'pyflakes', str(ROOT / 'nas_nb')], capture_output=True, text=True)
    bad = [l for l in r.stdout.splitlines() if 'undefined name' in l]
    assert not bad, '\n'.join(bad)

def test_build_train_quantize_save_load(tmp_path):
    cfg = ArchitectureConfig('rwkv', num_layers=1, hidden_dim=32, dropout=0.0)
    task = Task.lm(vocab_size=257, context_length=16)
    m = build_model(cfg, task, seed=0)
    assert count_params(m) == estimate_params(cfg, task)
    ids = torch.randint(0, 257, (64, 17), generator=torch.Generator().manual_seed(0))
    r = train(m, ids, ids[:16], Phase('t', 64, 1, batch_size=16))
    assert r.status == 'ok' and r.steps == 4
    q = quantize(m, 'int4')
    path = save_artifact(q, tmp_path / 'model.safetensors')
    back = load_artifact(path)
    x = ids[:2, :-1]
    assert torch.equal(q(x), back(x))
    assert back.cfg.quantization == 'int4'
