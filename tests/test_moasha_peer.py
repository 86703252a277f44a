"""syne-tune's MOASHA replayed on a table with learning curves (benchmarks/moasha_peer.py): a run is a function of its
seed, every epoch is paid once (a stopped trial only its first epochs, a paused-then-resumed one only the further
epochs), the training budget is never passed, and the HV by compute never decreases. On a tiny table built here: 28 of
the 32 implementations of a 3-family space, each with a 5-epoch curve."""
import math, pathlib, random, sys
import numpy as np
import pytest
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / 'benchmarks'))
pytest.importorskip('syne_tune')
import moasha_peer as mp
from nas_nb.bench import TabularBenchmark, distinct_configs
from nas_nb.experiments import DEFAULT_OBJECTIVES
from nas_nb.search_space import SearchSpace
from nas_nb.store import EvalResult, ResultStore

OBJS = DEFAULT_OBJECTIVES['synthetic']   # accuracy max, size_mb / decode_state_bytes / decode_ms min on log axes
EPOCHS = 5

def tiny_space() -> SearchSpace:
    return SearchSpace.from_options(dict(arch_type=('gqa', 'mamba', 'rwkv'), num_layers=(1, 2), hidden_dim=(16, 32), num_heads=(2,),
                                         kv_ratio=(1,), ffn_multiplier=(2.0,), normalization=('rmsnorm',), activation=('gelu',),
                                         position_encoding=('rope',), quantization=('fp16', 'int8'), pruning=(0.0,), dropout=(0.0,),
                                         state_dim=(8, 16)), base=None, name='tiny')

@pytest.fixture(scope='module')
def table(tmp_path_factory):
    "The tiny table (28 of the space's 32 implementations: 4 proposals fail) and its space."
    sp, rng = tiny_space(), random.Random(0)
    configs = distinct_configs(sp)
    assert len(configs) == 32
    store = ResultStore(tmp_path_factory.mktemp('moasha') / 'table.sqlite')
    for c in configs[:28]:
        final, k, per_epoch = rng.uniform(0.2, 0.95), rng.uniform(0.3, 1.5), rng.uniform(0.5, 2.0) * c.hidden_dim / 16
        secs = list(np.cumsum([per_epoch * rng.uniform(0.8, 1.2) for _ in range(EPOCHS)]))
        curve = [dict(epoch=e, accuracy=final * (1 - math.exp(-k * e)) / (1 - math.exp(-k * EPOCHS)), seconds=float(secs[e - 1]),
                      samples=100 * e, train_loss=1 / e, valid_loss=1 / e) for e in range(1, EPOCHS + 1)]
        metrics = dict(accuracy=curve[-1]['accuracy'], size_mb=1e-3 * c.hidden_dim * c.num_layers * (0.5 if c.quantization == 'int8' else 1),
                       decode_state_bytes=rng.uniform(1e3, 1e5), decode_ms=rng.uniform(0.1, 2.0), train_time_s=float(secs[-1]))
        store.put(EvalResult(c.arch_id, c.to_dict(), 'synthetic', 'table', 0, metrics=metrics, curve=curve, code_version='test',
                             hardware='test-cpu', latency_input='1x24;decode=24'))
    tb = TabularBenchmark(store, 'table', 'synthetic', objectives=OBJS, fitness=OBJS)
    assert len(tb) == 28 and all(len(r.curve) == EPOCHS for r in tb.results.values())
    return tb, sp

def paid(tb, trace):
    "Training seconds recomputed from the trace: each delivered epoch's cost from its curve."
    return [mp.epoch_cost(tb.lookup(d['arch_id']), d['epochs']) for d in trace]

def test_deterministic_per_seed(table):
    "The same seed gives the same trace, another seed another; numpy's global generator is left as it was."
    tb, sp = table
    before = np.random.get_state()[1].copy()
    a, b = (mp.moasha_run(tb, sp, 3, workers=2, max_train_seconds=150) for _ in range(2))
    assert a == b and len(a) > 20
    assert mp.moasha_run(tb, sp, 4, workers=2, max_train_seconds=150) != a
    assert (np.random.get_state()[1] == before).all()
    r = mp.moasha_run(tb, sp, 3, workers=2, max_train_seconds=150, priority='ranked')
    assert r == mp.moasha_run(tb, sp, 3, workers=2, max_train_seconds=150, priority='ranked')

def test_every_epoch_paid_once(table):
    """MOASHA's trace: each trial's epochs are 1, 2, ... in order, each paid once (a trial stopped at epoch 1 costs only its
    first epoch); training seconds are the sum of the epochs delivered; one worker's clock is its training seconds,
    two workers' clock is between half of them and all of them."""
    tb, sp = table
    stats = {}
    trace = mp.moasha_run(tb, sp, 0, workers=2, max_train_seconds=200, stats=stats)
    costs = paid(tb, trace)
    for d, s in zip(trace, np.cumsum(costs)): assert d['train_seconds'] == pytest.approx(s)
    by_trial = {}
    for d in trace: by_trial.setdefault(d['trial'], []).append(d)
    for ds in by_trial.values(): assert [d['epochs'] for d in ds] == list(range(1, len(ds) + 1))
    stopped1 = [ds for ds in by_trial.values() if len(ds) == 1 and ds[0]['decision'] == 'STOP']
    assert stopped1, 'MOASHA stopped no trial at its first rung'
    for ds in stopped1: assert costs[trace.index(ds[0])] == pytest.approx(tb.lookup(ds[0]['arch_id']).curve[0]['seconds'])
    assert any(d['final'] for d in trace) and all(d['final'] == (d['epochs'] == EPOCHS) for d in trace)
    assert stats['failed'] > 0                                              # 4 of the 32 are not in the table
    assert 0 <= stats['started'] - stats['failed'] - len(by_trial) <= 2     # at most one first epoch per worker cut by the cap
    assert [d['clock'] for d in trace] == sorted(d['clock'] for d in trace)
    assert all(d['train_seconds'] / 2 - 1e-9 <= d['clock'] <= d['train_seconds'] + 1e-9 for d in trace)
    one = mp.moasha_run(tb, sp, 0, workers=1, max_train_seconds=100)
    assert all(d['clock'] == pytest.approx(d['train_seconds']) for d in one)

class Scripted:
    """A promotion-style scheduler, scripted: trial 0 is paused after epoch 2 and resumed once trial 1 has started; trial
    1 is stopped after epoch 1; the others run to the end."""
    def __new__(cls, configs):
        from syne_tune.optimizer.scheduler import TrialScheduler, TrialSuggestion, SchedulerDecision as D
        class _Scripted(TrialScheduler):
            def __init__(self):
                super().__init__(random_seed=0); self.configs, self.started, self.paused = list(configs), 0, []
            def suggest(self):
                if self.paused and self.started >= 2: return TrialSuggestion.resume_suggestion(self.paused.pop())
                self.started += 1
                return TrialSuggestion.start_suggestion(self.configs.pop(0)) if self.configs else None
            def on_trial_result(self, trial, result):
                if trial.trial_id == 0 and result['epoch'] == 2: self.paused.append(0); return D.PAUSE
                if trial.trial_id == 1 and result['epoch'] == 1: return D.STOP
                return D.CONTINUE
        return _Scripted()

def test_pause_resume_pays_only_further_epochs(table):
    "A paused trial resumes later from the epoch it reached; it pays each epoch once; a stopped one its first epoch."
    tb, sp = table
    enc, ids = mp.Encoding(sp), sorted(tb.results)[:3]
    genes = [tb.config(a).to_dict() for a in ids]   # as the config space's values (a gene that does not apply: any option)
    configs = [{g: c[g] if c[g] in enc.options[g] else enc.options[g][0] for g in enc.genes} for c in genes]
    trace, stats = mp.simulate(tb, sp, Scripted(configs), seed=0, workers=1, max_trials=3)
    assert [(d['trial'], d['epochs'], d['decision']) for d in trace] == (
        [(0, 1, 'CONTINUE'), (0, 2, 'PAUSE'), (1, 1, 'STOP')] + [(0, e, 'CONTINUE') for e in (3, 4, 5)]
        + [(2, e, 'CONTINUE') for e in range(1, 6)])
    assert [d['arch_id'] for d in trace] == [ids[0]] * 2 + [ids[1]] + [ids[0]] * 3 + [ids[2]] * 5
    full0, full2 = (tb.lookup(ids[i]).curve[-1]['seconds'] for i in (0, 2))
    first1 = tb.lookup(ids[1]).curve[0]['seconds']
    assert sum(c for c, d in zip(paid(tb, trace), trace) if d['trial'] == 0) == pytest.approx(full0)   # not 2 + 5 epochs
    assert trace[-1]['train_seconds'] == pytest.approx(full0 + first1 + full2)
    assert stats['paused'] == stats['resumed'] == 1 and stats['stopped'] == 1 and stats['completed'] == 2

def test_budget_never_passed(table):
    "train_seconds never passes the cap; max_trials bounds the trials started."
    tb, sp = table
    for cap in (3.0, 17.5, 60.0):
        trace = mp.moasha_run(tb, sp, 1, workers=3, max_train_seconds=cap)
        assert trace and all(d['train_seconds'] <= cap for d in trace)
    stats = {}
    trace = mp.moasha_run(tb, sp, 1, workers=2, max_trials=6, stats=stats)
    assert stats['started'] == 6 and len({d['trial'] for d in trace}) <= 6
    with pytest.raises(ValueError, match='max_train_seconds or max_trials'): mp.moasha_run(tb, sp, 1)

def test_hv_by_compute_non_decreasing(table):
    "HV ratio never decreases with compute, regret never increases; at the end, the HV of every architecture finished."
    tb, sp = table
    trace = mp.moasha_run(tb, sp, 2, workers=2, max_train_seconds=250)
    grid = [0.0, 5, 10, 25, 50, 100, 250]
    hv = mp.hv_by_compute(tb, trace, grid)
    assert [h['train_seconds'] for h in hv] == grid and hv[0]['hv_ratio'] == 0.0 and hv[0]['finals'] == 0
    assert all(a['hv_ratio'] <= b['hv_ratio'] and a['regret'] >= b['regret'] for a, b in zip(hv, hv[1:]))
    finals = {d['arch_id'] for d in trace if d['final']}
    assert hv[-1]['finals'] == len(finals) > 0 and hv[-1]['hv_ratio'] == pytest.approx(tb.hv_ratio(finals))
    assert 0 < hv[-1]['hv_ratio'] <= 1 + 1e-9
    by_clock = mp.hv_by_compute(tb, trace, [trace[-1]['clock']], key='clock')
    assert by_clock[0]['hv_ratio'] == pytest.approx(hv[-1]['hv_ratio'])

def test_priority_and_refusals(table, tmp_path):
    """syne-tune 0.16's `NonDominatedPriority` returns the non-dominated order, not a rank per row (what MOASHA's bracket
    reads), so on one objective it stops a new best trial; `ranked_priority` gives the ranks. A table without curves
    is refused by name."""
    from syne_tune.optimizer.schedulers.asha import Bracket
    from syne_tune.optimizer.schedulers.multiobjective.multiobjective_priority import NonDominatedPriority
    X = np.array([[1.], [2.], [3.], [0.]])
    assert list(NonDominatedPriority()(X)) == [3, 0, 1, 2] and list(mp.ranked_priority()(X)) == [1, 2, 3, 0]
    for prio, want in ((NonDominatedPriority(), 'STOP'), (mp.ranked_priority(), 'CONTINUE')):
        b = Bracket(1, 5, 3, 0, prio)   # MOASHA's bracket: rungs at epochs 1 and 3 for max_t 5
        for tid, v in enumerate([1., 2., 3.]): b.on_result(tid, 1, {'m': v})
        assert b.on_result(3, 1, {'m': 0.}) == want    # 0.0: the best so far
    tb, sp = table
    store = ResultStore(tmp_path / 'bare.sqlite')
    for r in list(tb.results.values())[:3]: store.put(EvalResult.from_dict({**r.to_dict(), 'curve': []}))
    bare = TabularBenchmark(store, 'table', 'synthetic', objectives=OBJS, fitness=OBJS)
    with pytest.raises(ValueError, match='no learning curves'): mp.moasha_run(bare, sp, 0, max_trials=3)
    with pytest.raises(ValueError, match='priority'): mp.moasha(sp, ['accuracy'], 0, priority='nope')
