"""A model family the package has never heard of, defined here and registered with `register_family`, goes through
everything a built-in family does: it builds, counts its parameters and FLOPs exactly, prunes, quantizes and
round-trips through an artifact, decodes with the state its formula predicts, is evaluated at `smoke` on MNIST,
is searched and shows up in the run's report. Nothing outside this file knows it (goal of issue 17: a new family is
its declaration plus one registration). A declaration that lacks a part is refused when it is registered."""
import dataclasses, re
import pytest, torch, torch.nn as nn

from nas_nb.families import Family, Part, register_family, unregister_family, family_names
from nas_nb.config import ArchitectureConfig
from nas_nb.models import Task, build_model, estimate_params, estimate_flops, count_flops, count_params
from nas_nb.models.layers import FFN, UnitGroup, unit_own, kept_units
from nas_nb.models.decode import decode_state_bytes, state_bytes
from nas_nb.prune import prune, unit_groups
from nas_nb.compress import quantize, save_artifact, load_artifact
from nas_nb.store import measurement_version
from nas_nb.search_space import SearchSpace

# ---------------------------------------------------------------- the toy family: a causal cumulative mean
class CumulativeMean(nn.Module):
    "y_t = W_o(mean over s <= t of W_v x_s): a causal token mixer whose state is the running sum; (B,T,D) -> (B,T,D)."
    def __init__(self, cfg, layer_idx:int=0):
        super().__init__()
        d = cfg.hidden_dim
        self.v, self.o = nn.Linear(d, d, bias=False), nn.Linear(d, d, bias=False)  # E = D inner channels

    def forward(self, x):
        v = self.v(x)                                                          # (B, T, E)
        n = torch.arange(1, x.shape[1] + 1, device=x.device, dtype=v.dtype)[:, None]
        return self.o(v.cumsum(1) / n)

    def init_state(self, batch:int, device=None, dtype=None):
        return torch.zeros(batch, self.v.out_features, device=device, dtype=dtype), 0   # running sum (B, E), count

    def step(self, x, state):
        s, n = state
        s = s + self.v(x)
        return self.o(s / (n + 1)), (s, n + 1)

def cm_params(cfg): return 2 * cfg.hidden_dim * cfg.hidden_dim
def cm_flops(cfg, seq_len): return 2 * seq_len * cm_params(cfg)                 # the two projections
def cm_state(cfg, batch, t, itemsize): return batch * kept_units(cfg.hidden_dim, cfg.pruning) * itemsize
def cm_units(m): return UnitGroup(m.v.out_features, [(m.v, 'weight', 0, unit_own), (m.o, 'weight', 1, unit_own)], lambda m, k: None)

MIXER = Part(module=CumulativeMean, params=cm_params, flops=cm_flops, state_bytes=cm_state, unit_groups=cm_units)
TOY = Family(name='cummean', mixer=MIXER, ffn=FFN, version=1)

@pytest.fixture(scope='module')
def toy():
    before = measurement_version()
    register_family(TOY)
    yield TOY
    unregister_family(TOY.name)
    assert measurement_version() == before and TOY.name not in family_names()

LM = Task.lm(vocab_size=50, context_length=24)
def genome(**kw): return ArchitectureConfig('cummean', **dict(dict(num_layers=2, hidden_dim=16, dropout=0.0), **kw))

# ---------------------------------------------------------------- the model
def test_builds_and_counts_exactly(toy):
    cfg = genome(activation='swiglu', num_heads=8, position_encoding='rope', state_dim=4)
    test_cfg = cfg.canonical()
    assert (test_cfg.num_heads, test_cfg.position_encoding, test_cfg.state_dim) == (1, 'none', 0)  # genes it does not use
    m = build_model(cfg, LM)
    assert isinstance(m.blocks[0].mixer, CumulativeMean)
    assert count_params(m) == sum(p.numel() for p in m.parameters()) == estimate_params(cfg, LM)
    x = torch.randint(0, 50, (1, 24))
    assert m(x).shape == (1, 24, 50)
    assert count_flops(m, x) == estimate_flops(cfg, LM)
    assert measurement_version() != 'md0f41de232'        # its own version is part of the measurement version

def test_prunes_quantizes_and_round_trips(toy, tmp_path):
    cfg = genome()
    m = build_model(cfg, LM).eval()
    p = prune(m, 0.4)
    assert count_params(p) < count_params(m)
    assert unit_groups(p)['blocks.0.mixer'].n == kept_units(16, 0.4) == 10 and p.blocks[0].mixer.v.out_features == 10
    q = quantize(p, 'int8')
    x = torch.randint(0, 50, (2, 24))
    with torch.no_grad(): ref = q(x)
    path = save_artifact(q, tmp_path / 'toy.safetensors')
    back = load_artifact(path).eval()
    assert back.cfg.arch_type == 'cummean' and back.cfg.pruning == 0.4
    with torch.no_grad(): torch.testing.assert_close(back(x), ref, atol=1e-5, rtol=1e-5)
    with torch.no_grad(): torch.testing.assert_close(q(x), p(x), atol=0.1, rtol=0.1)      # int8 stays near fp32

def test_decode_state_is_the_formula(toy):
    for pruning in (0.0, 0.4):
        cfg = genome(pruning=pruning)
        m = prune(build_model(dataclasses.replace(cfg, pruning=0.0), LM), pruning).eval()
        x = torch.randint(0, 50, (3, 7))
        state = m.init_state(3)
        with torch.no_grad():
            for t in range(7): logits, state = m.step(x[:, t], state)
            torch.testing.assert_close(logits, m(x)[:, -1], atol=1e-5, rtol=1e-5)   # stepping = the parallel form
        assert state_bytes(state) == decode_state_bytes(cfg, LM, 7, batch=3) == 2 * 3 * kept_units(16, pruning) * 4

# ---------------------------------------------------------------- evaluated, searched, reported
def test_evaluated_searched_and_reported(toy, tmp_path):
    from nas_nb.executors import EvaluatorSpec, LocalExecutor
    from nas_nb.runner import make_search
    from nas_nb.report import load_run, write_report
    spec = EvaluatorSpec('mnist', options=dict(latency_time=0.05, decode_time=0.05))
    r, = LocalExecutor().map(spec, 'smoke', [genome(num_layers=1, hidden_dim=32)])
    assert r.status == 'ok', r.message
    assert r.metrics['params'] == estimate_params(genome(num_layers=1, hidden_dim=32), spec.load().task)
    assert 0.0 <= r.metrics['accuracy'] <= 1.0 and r.metrics['latency_ms'] > 0

    out = tmp_path / 'run'
    search = make_search(experiment='mnist', mode='minimal', population=2, generations=1, phases='smoke', seed=0,
                         out=out, log=lambda *a, **k: None,
                         space_options=dict(arch_type=['cummean', 'mamba'], num_layers=[1], hidden_dim=[32], state_dim=[4]),
                         evaluator_options=dict(latency_time=0.05, decode_time=0.05))
    assert 'cummean' in search.space.options['arch_type']
    search.run()
    run = load_run(out)
    ok = run.results[run.results.status == 'ok']
    assert 'cummean' in set(ok.family), run.results[['family', 'status']]
    html = write_report(out, images=False).read_text()
    assert 'cummean' in html

# ---------------------------------------------------------------- an incomplete declaration is refused
def test_an_incomplete_family_is_refused():
    for kw, msg in ((dict(mixer=dataclasses.replace(MIXER, unit_groups=None)),
                     "family 'broken': mixer.unit_groups is missing: must be a function module -> UnitGroup"),
                    (dict(mixer=dataclasses.replace(MIXER, state_bytes=None)),
                     "family 'broken': mixer.state_bytes is missing: must be a function (cfg, batch, context_len, itemsize)"),
                    (dict(ffn=None), "family 'broken': ffn is missing: must be a Part"),
                    (dict(version=None), "family 'broken': version=None is invalid: must be an integer >= 1"),
                    (dict(genes=('heads',)), "family 'broken': genes=('heads',) is invalid: must be a tuple of distinct genes of num_heads")):
        with pytest.raises(ValueError, match='^' + re.escape(msg)):
            register_family(dataclasses.replace(TOY, name='broken', **kw))
        assert 'broken' not in family_names()
    with pytest.raises(ValueError, match="arch_type='broken' is invalid: allowed values are transformer, flash_attention"):
        ArchitectureConfig('broken')
