"""Wall clock of the scheduler comparison with 2 real process workers (issue 19): the searches of
`scheduler_compare.py`, but every candidate trained for real (the synthetic table's suite and budget, one torch thread
per worker, `ProcessExecutor(2)`) instead of replayed from the table's curves.

Each run starts from an empty run directory (its own store: nothing is served from the table) and stops once its
measured training seconds reach `--cap` units (a unit is the table's mean full training, as in `scheduler_compare.py`).
The fully trained architectures are scored against the table's true front, as in the replay, so the figures are
comparable: HV ratio by wall seconds and by training seconds, and the wall seconds to HV 0.90 / 0.95. Beside them the
simulated clock of the replay of the same seed (2 simulated workers on the table's measured epoch seconds), and a check
that the real trainings reproduce the table: each fully trained network's accuracy against its table row.

Algorithms: `asha` (AsyncSearch, rungs 1 / 3 / 5 epochs, eta 3, promotions continue from their checkpoints) and `no-mf`
(EvolutionaryNAS, NSGA-II, every candidate trained all 5 epochs). The wall clock includes everything a user waits for:
worker start, data, the timing of latency and decoding at every result, checkpoints.

    nice -n 5 python benchmarks/scheduler_wall.py --seeds 3 --cap 60 --tag wall      # about 40 minutes of two cores here
"""
import argparse, json, pathlib, sys, tempfile, time
sys.path.insert(0, str(pathlib.Path(__file__).parent))
import numpy as np, pandas as pd
from nas_nb.bench import TabularBenchmark
from nas_nb.evolution import EvolutionaryNAS, SearchConfig
from nas_nb.executors import EvaluatorSpec, ProcessExecutor
from nas_nb.experiments import Objective
from nas_nb.scheduler import AsyncSearch, Rung, curve_seconds
import scheduler_compare as sc
from synthetic_table import space as synthetic_space, SUITE, PHASE

OUT = sc.OUT
TMP = sc.TMP
RUNGS = sc.RUNGS       # 1, 3, 5 epochs of `fast`: the table's budget (synthetic_table.experiment)
# the table's experiment (its suite; its budget as phase `fast`) in every worker; latency timed in 0.25 s windows as in the build
SPEC = EvaluatorSpec('synthetic_table:experiment', objectives=tuple(o.to_dict() for o in sc.OBJECTIVES),
                     experiment_options=SUITE, threads=1, options=dict(latency_time=0.25))

class TimedExecutor(ProcessExecutor):
    "`ProcessExecutor` that records each finished `map` evaluation: wall seconds since `t0`, network, training seconds."
    def __init__(self, *a, **kw):
        super().__init__(*a, **kw); self.t0, self.done = time.perf_counter(), []
    def map(self, spec, phase, configs, callback=None, on_start=None):
        def cb(r):
            self.done.append(dict(clock=time.perf_counter() - self.t0, arch_id=r.arch_id, ok=r.ok,
                                  train_s=float(r.metrics.get('train_time_s') or 0.0), accuracy=r.metrics.get('accuracy')))
            if callback: callback(r)
        return super().map(spec, phase, configs, cb, on_start)

def run_asha(seed, cap_s, d):
    with ProcessExecutor(sc.WORKERS, ['cpu'] * sc.WORKERS) as ex:
        s = AsyncSearch(synthetic_space(), SPEC, SearchConfig(population=10, generations=1000, selection='nsga2', seed=seed,
                                                                phases=('fast',)), d, ex, rungs=RUNGS, eta=sc.ETA, log=None)
        s.callbacks.append(lambda ev, s: s.stop() if s.spent >= cap_s else None)
        s.run()
    acc = {aid: r.metrics.get('accuracy') for aid, r in s.archive.results[RUNGS[-1].name].items() if r.ok}
    return [dict(clock=t['clock'], train_seconds=t['train_seconds'], arch_id=t['arch_id'], final=t['rung'] == RUNGS[-1].name,
                 accuracy=acc.get(t['arch_id']) if t['rung'] == RUNGS[-1].name else None) for t in s.trace]

def run_nomf(seed, cap_s, d):
    with TimedExecutor(sc.WORKERS, ['cpu'] * sc.WORKERS) as ex:
        s = EvolutionaryNAS(synthetic_space(), SPEC, SearchConfig(population=10, generations=1000, selection='nsga2', seed=seed,
                                                                  phases=('fast',)), d, ex, log=None)
        s.callbacks.append(lambda ev, s: s.stop() if ev == 'generation' and sum(t['train_s'] for t in ex.done) >= cap_s else None)
        s.run()
    out, spent = [], 0.0
    for t in ex.done:
        spent += t['train_s']
        out.append(dict(clock=t['clock'], train_seconds=spent, arch_id=t['arch_id'], final=t['ok'], accuracy=t['accuracy']))
    return out

def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--store', default=str(pathlib.Path(__file__).parent / 'results' / 'synthetic' / 'table.sqlite'),
                   help='the synthetic table: only read, to score the fronts (give each concurrent run its own copy)')
    p.add_argument('--seeds', type=int, default=3)
    p.add_argument('--first-seed', type=int, default=0)
    p.add_argument('--cap', type=float, default=60, help="measured training per run, in full trainings of the table's mean network")
    p.add_argument('--algos', default='asha,no-mf')
    p.add_argument('--tag', default='wall')
    a = p.parse_args()
    axes = [Objective(o.name, o.direction, scale=o.scale) for o in sc.OBJECTIVES]
    tb = TabularBenchmark(a.store, PHASE.name, 'synthetic', objectives=axes, fitness=sc.OBJECTIVES)
    full = [curve_seconds(r, sc.EPOCHS) for r in tb.results.values() if r.ok]
    unit = sum(full) / len(full)
    units = [u for u in (5, 10, 25, 50, 75, 100, 150) if u <= a.cap]
    sc.SPEC = EvaluatorSpec('synthetic', objectives=tuple(o.to_dict() for o in sc.OBJECTIVES), experiment_options=SUITE)
    print(f"{tb}; a mean full training in the table {unit:.2f} s; cap {a.cap:g} units ({unit * a.cap:.0f} s of training)", flush=True)
    rows, ends = [], []
    for seed in range(a.first_seed, a.first_seed + a.seeds):
        for name in a.algos.split(','):
            with tempfile.TemporaryDirectory(dir=TMP) as d:
                t0 = time.perf_counter()
                tr = (run_asha if name == 'asha' else run_nomf)(seed, unit * a.cap, d)
                wall = time.perf_counter() - t0
            tr = [t for t in tr if t['train_seconds'] <= unit * a.cap]   # as in the replay: what the cap allows
            sim = sc.run_asha(tb, synthetic_space(), seed, unit * a.cap) if name == 'asha' else sc.run_evolution(tb, synthetic_space(), seed, unit * a.cap, False)
            sim = [t for t in sim if t['train_seconds'] <= unit * a.cap]
            diffs = [abs(t['accuracy'] - tb.lookup(t['arch_id']).metrics['accuracy']) for t in tr if t['final'] and t['accuracy'] is not None and t['arch_id'] in tb]
            same = len(set(t['arch_id'] for t in tr if t['final']) & set(t['arch_id'] for t in sim if t['final']))
            e = dict(algorithm=name, seed=seed, wall_s=wall, train_seconds=tr[-1]['train_seconds'], clock=tr[-1]['clock'],
                     fully_trained=len({t['arch_id'] for t in tr if t['final']}), results=len(tr),
                     hv_ratio=sc.hv_by_compute(tb, tr, [tr[-1]['train_seconds']])[0],
                     to_090_wall=sc.to_reach(tb, tr, 0.9, 'clock'), to_095_wall=sc.to_reach(tb, tr, 0.95, 'clock'),
                     to_090_train=sc.to_reach(tb, tr, 0.9), to_095_train=sc.to_reach(tb, tr, 0.95),
                     sim_to_090_wall=sc.to_reach(tb, sim, 0.9, 'clock'), sim_to_095_wall=sc.to_reach(tb, sim, 0.95, 'clock'),
                     sim_clock_end=sim[-1]['clock'], sim_hv_ratio=sc.hv_by_compute(tb, sim, [sim[-1]['train_seconds']])[0],
                     same_fully_trained=same, acc_max_abs_diff=max(diffs) if diffs else float('nan'),
                     acc_mean_abs_diff=float(np.mean(diffs)) if diffs else float('nan'))
            ends.append(e)
            grid = [unit * k for k in units]
            for k, f, v in zip(units, grid, sc.hv_by_compute(tb, tr, grid)):
                w = min([t['clock'] for t in tr if t['train_seconds'] >= f] or [np.nan])
                rows.append(dict(algorithm=name, seed=seed, units=k, hv_ratio=v, wall_s=w))
            print(f"seed {seed} {name}: {e['wall_s']:.0f} s wall, {e['train_seconds']:.0f} s training, {e['results']} results, "
                  f"{e['fully_trained']} fully trained, HV {e['hv_ratio']:.3f} (replay {e['sim_hv_ratio']:.3f}); wall to 0.90 / 0.95 "
                  f"{e['to_090_wall']:.0f} / {e['to_095_wall']:.0f} s (simulated {e['sim_to_090_wall']:.0f} / {e['sim_to_095_wall']:.0f}); "
                  f"accuracy vs table max |diff| {e['acc_max_abs_diff']:.4f}", flush=True)
            OUT.mkdir(parents=True, exist_ok=True)
            pd.DataFrame(ends).to_csv(OUT / f'{a.tag}_endpoints.csv', index=False, float_format='%.5g')
            pd.DataFrame(rows).to_csv(OUT / f'{a.tag}_seeds.csv', index=False, float_format='%.5g')
    ends, rows = pd.DataFrame(ends), pd.DataFrame(rows)
    if len(rows): print("\nHV ratio (mean over seeds) and real wall seconds (median) at each measured-training budget (units):")
    print(rows.groupby(['algorithm', 'units']).agg(hv_ratio=('hv_ratio', 'mean'), wall_s=('wall_s', 'median')).unstack(0).round(3).to_string())
    print("\nPer run (means over seeds):")
    print(ends.groupby('algorithm').mean(numeric_only=True).drop(columns='seed').round(3).T.to_string())
    (OUT / f'{a.tag}.json').write_text(json.dumps(dict(table=repr(tb), unit=unit, cap=a.cap, seeds=a.seeds, first_seed=a.first_seed,
                                                       workers=sc.WORKERS, algos=a.algos), indent=1))

if __name__ == '__main__':
    main()
