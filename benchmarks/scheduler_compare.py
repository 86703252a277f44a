"""Compare multi-fidelity schedulers on a tabular benchmark with learning curves (issue 19): hypervolume ratio of the
fully trained architectures as a function of the training seconds spent, many seeds, every algorithm replayed on the
same table (its measured curves and training seconds), with 2 simulated workers.

Algorithms (our defaults as committed; nothing tuned on the table):
- `asha`: `nas_nb.scheduler.AsyncSearch` (NSGA-II selection, the breeder's children), rungs at 1, 3 and 5 epochs, eta 3,
  promotions continue from the rung checkpoint.
- `asha-random`: the same scheduler, new candidates drawn at random.
- `sync-sh`: today's `EvolutionaryNAS` with successive halving over three fidelities (the table at 1, 3 and 5 epochs,
  each trained from scratch), `promote_frac` 0.5 (its default), at several numbers of generations (the full-phase
  results exist only at the end of a run, so each run is one point).
- `no-mf`: `EvolutionaryNAS` (NSGA-II) with every candidate trained all 5 epochs.
- `moasha`: syne-tune 0.16's MOASHA (`benchmarks/moasha_peer.py`): random configurations, rungs 1, 3, 5, eta 3, as the
  library ranks them; `moasha-ranked`: the same with its non-dominated priority fixed (0.16 returns an order where
  its brackets expect ranks: see moasha_peer.py).

Budgets are in units of the table's mean full training (all 5 epochs of a network); every run stops once it has spent
`--cap` of them. "Compute to HV 0.95": the training seconds after which the fully trained architectures first reach a
hypervolume ratio of 0.95 (per seed; runs that never do count as not reaching it).

    python benchmarks/scheduler_compare.py --store benchmarks/results/synthetic/table.sqlite --seeds 20
    python benchmarks/scheduler_compare.py --seeds 10 --algos no-mf --first-seed 10 --tag more     # part of a run
    python benchmarks/scheduler_compare.py --combine syn_a,syn_sync,more --tag all                 # tables + chart of several
    python benchmarks/scheduler_compare.py --table mnist --tag mnist      # the MNIST table with curves (tabular_build.py --info build_curves.json)

`--table mnist` replays the tabular MNIST sub-space (368 architectures, 240 networks) rebuilt with learning curves at its
fast phase (`results/tabular/mnist_curves.sqlite`), searched on the MNIST experiment's objectives (accuracy, size,
latency), as `compare.py` searches that table.

Give each concurrent run its own copy of the table (`--store`): two readers opening one store at once can find it locked.
"""
import argparse, json, pathlib, sys, tempfile, time
sys.path.insert(0, str(pathlib.Path(__file__).parent))
import numpy as np, pandas as pd
from nas_nb.bench import TabularBenchmark, ReplayExecutor
from nas_nb.evolution import EvolutionaryNAS, SearchConfig
from nas_nb.executors import EvaluatorSpec
from nas_nb.experiments import Objective, DEFAULT_OBJECTIVES
from nas_nb.scheduler import AsyncSearch, CurveReplay, Rung, rung_result, curve_seconds

OUT = pathlib.Path(__file__).parent / 'results' / 'scheduler'
TMP = '/dev/shm' if pathlib.Path('/dev/shm').is_dir() else None
OBJECTIVES = DEFAULT_OBJECTIVES['synthetic']
EPOCHS, ETA, WORKERS = 5, 3, 2
RUNGS = [Rung('fast', 1, EPOCHS), Rung('fast', 3, EPOCHS), Rung('fast', EPOCHS, EPOCHS)]

class CurveTable:
    "The table as it was after `epochs` epochs (from the curves): what a from-scratch training of that budget gives."
    def __init__(self, tb, epochs): self.tb, self.epochs, self.phase, self.experiment = tb, epochs, f"{tb.phase}@{epochs}", tb.experiment
    def __contains__(self, a): return a in self.tb
    def lookup(self, a): return rung_result(self.tb.lookup(a), self.epochs, 'fast')

class BatchReplay(ReplayExecutor):
    "ReplayExecutor that remembers each `map` call (a batch the search waits for), to schedule it on the workers."
    def __init__(self, tables):
        super().__init__(tables); self.batches = []
    def map(self, spec, phase, configs, callback=None):
        n = len(self.trace); out = super().map(spec, phase, configs, callback); self.batches.append((n, len(self.trace)))
        return out

def batch_trace(ex:BatchReplay, tb, epochs:dict) -> list[dict]:
    "A synchronous search's trace: each first request of (phase, arch) charged from scratch, batches run on WORKERS workers."
    seen, out, clock, spent = set(), [], 0.0, 0.0
    for lo, hi in ex.batches:
        free = [clock] * WORKERS
        for phase, a in ex.trace[lo:hi]:
            if (phase, a) in seen or a not in tb: continue
            seen.add((phase, a))
            cost = curve_seconds(tb.lookup(a), epochs[phase])
            w = int(np.argmin(free)); free[w] += cost; spent += cost
            out.append(dict(clock=free[w], train_seconds=spent, arch_id=a, epochs=epochs[phase], final=epochs[phase] == EPOCHS))
        clock = max(free)
    return out

def run_asha(tb, space, seed, cap, new='evolution'):
    ex = CurveReplay({'fast': tb}, workers=WORKERS)
    with tempfile.TemporaryDirectory(dir=TMP) as d:
        s = AsyncSearch(space, SPEC, SearchConfig(population=10, generations=1000, selection='nsga2', seed=seed), d, ex,
                        rungs=RUNGS, eta=ETA, new=new, log=None)
        s.callbacks.append(lambda ev, s: s.stop() if s.spent >= cap else None)
        s.run()
    ep = {r.name: r.epochs for r in RUNGS}
    return [dict(clock=t['clock'], train_seconds=t['train_seconds'], arch_id=t['arch_id'], epochs=ep[t['rung']],
                 final=t['rung'] == RUNGS[-1].name) for t in s.trace]

def run_evolution(tb, space, seed, budget, sync:bool, generations=None, population=10):
    "`EvolutionaryNAS` on the table: with `sync`, successive halving over 1, 3 and 5 epochs after `generations`; else every arch at 5 epochs until `budget` training seconds."
    if sync:
        tables = {'fast': CurveTable(tb, 1), 'medium': CurveTable(tb, 3), 'full': tb}
        cfg = SearchConfig(population=population, generations=generations, selection='nsga2', seed=seed, phases=('fast', 'medium', 'full'))
        epochs = dict(fast=1, medium=3, full=EPOCHS)
    else:
        tables, epochs = {'fast': tb}, dict(fast=EPOCHS)
        cfg = SearchConfig(population=10, generations=1000, selection='nsga2', seed=seed)
    ex = BatchReplay(tables)
    with tempfile.TemporaryDirectory(dir=TMP) as d:
        s = EvolutionaryNAS(space, SPEC, cfg, d, ex, log=None)
        if not sync:  # stop once the distinct full trainings requested so far cost `budget` training seconds (the cap)
            spent = lambda: sum(curve_seconds(tb.lookup(a), EPOCHS) for a in dict.fromkeys(a for _, a in ex.trace) if a in tb)
            s.callbacks.append(lambda ev, s: s.stop() if ev == 'generation' and spent() >= budget else None)
        s.run()
    return batch_trace(ex, tb, epochs)

def to_reach(tb, trace, level=0.95, key='train_seconds') -> float:
    "The `key` (training seconds, or simulated wall seconds) at which the fully trained architectures first reach HV ratio `level`."
    done = []
    for t in trace:
        if t['final'] and t['arch_id'] not in done:
            done.append(t['arch_id'])
            if tb.hv_ratio(done) >= level: return t[key]
    return float('inf')

def hv_by_compute(tb, trace, grid) -> list[float]:
    "HV ratio of the architectures fully trained within each training-seconds budget of `grid`."
    out, done, i = [], [], 0
    for g in grid:
        while i < len(trace) and trace[i]['train_seconds'] <= g:
            if trace[i]['final']: done.append(trace[i]['arch_id'])
            i += 1
        out.append(tb.hv_ratio(dict.fromkeys(done)) if done else 0.0)
    return out

def summarise(df, ends, unit, units, tag):
    "Print the tables of the comparison (HV ratio by training spent, run ends, training to HV 0.95 / 0.90); write `tag`.csv."
    curves = df.groupby(['algorithm', 'compute'], sort=False).hv_ratio.agg(['mean', 'std']).reset_index()
    curves.to_csv(OUT / f'{tag}.csv', index=False, float_format='%.5g')
    print("\nHV ratio (mean ± std over seeds) by training spent, in mean full trainings:")
    print("| algorithm | " + " | ".join(f"{k}" for k in units) + " |")
    print("|---|" + "---|" * len(units))
    for name in dict.fromkeys(df.algorithm):
        cells = [f"{m:.3f} ± {s:.3f}" for m, s in curves[curves.algorithm == name][['mean', 'std']].values]
        print(f"| {name} | " + " | ".join(cells) + " |")
    if 'asha' in set(df.algorithm):  # one-sided: asha's HV ratio greater than the other's, per budget
        from scipy.stats import mannwhitneyu
        print("\nMann-Whitney U, one-sided (asha greater), p at " + " / ".join(map(str, units)) + " units:")
        for name in dict.fromkeys(df.algorithm):
            if name == 'asha': continue
            ps = [mannwhitneyu(df[(df.algorithm == 'asha') & (df.compute == f)].hv_ratio, df[(df.algorithm == name) & (df.compute == f)].hv_ratio,
                               alternative='greater').pvalue for f in sorted(set(df.compute))]
            print(f"  vs {name}: " + " / ".join(f"{q:.2g}" for q in ps))
    print("\nEnd of each run (mean over seeds): training seconds, simulated wall seconds with 2 workers, HV ratio")
    print(ends.groupby([c for c in ('algorithm', 'population', 'generations') if c in ends], dropna=False)[['train_seconds', 'clock', 'hv_ratio']].mean().to_string())
    print("\nTraining (in mean full trainings) to reach HV ratio 0.95 / 0.90: median over seeds, and how many seeds reached it")
    for name, g in ends[ends.algorithm != 'sync-sh'].groupby('algorithm'):
        print(f"  {name}: 0.95 at {np.median(g.to_095) / unit:.1f} ({np.isfinite(g.to_095).sum()}/{len(g)} seeds; wall "
              f"{np.median(g.to_095_clock):.0f} s), 0.90 at {np.median(g.to_090) / unit:.1f} ({np.isfinite(g.to_090).sum()}/{len(g)})")
    if (ends.algorithm == 'sync-sh').any():  # the cheapest run length that got there, per seed
        sy = ends[ends.algorithm == 'sync-sh']
        pops = sy.population.fillna(10) if 'population' in sy else pd.Series(10, index=sy.index)  # runs before --sync-population: 10
        for pop, g in sy.groupby(pops):
            gens = ','.join(str(int(x)) for x in sorted(g.generations.unique()))
            for lvl in ('to_095', 'to_090'):
                per = g.groupby('seed')[lvl].min()
                print(f"  sync-sh (population {pop:g}) {lvl}: median {np.median(per) / unit:.1f} ({np.isfinite(per).sum()}/{len(per)} seeds reached it with {gens} generations)")

def combine(tags:list[str], tag:str):
    "Merge the results of several runs of this script (same table and grid) into `tag`: tables and an Altair chart."
    import altair as alt
    meta = [json.loads((OUT / f'{t}.json').read_text()) for t in tags]
    if len({(m['table'], m['unit'], tuple(m['units'])) for m in meta}) != 1: raise SystemExit(f"{tags}: not runs on the same table and grid")
    df = pd.concat([pd.read_csv(OUT / f'{t}_seeds.csv') for t in tags], ignore_index=True)
    ends = pd.concat([pd.read_csv(OUT / f'{t}_endpoints.csv') for t in tags], ignore_index=True)
    if 'population' in ends:  # sync-sh runs from before --sync-population had population 10
        ends.loc[(ends.algorithm == 'sync-sh') & ends.population.isna(), 'population'] = 10
    unit, units = meta[0]['unit'], meta[0]['units']
    cap_units = meta[0]['cap'] / unit
    print(f"{meta[0]['table']}; seeds per algorithm: " + ", ".join(f"{k} {v}" for k, v in df.groupby('algorithm', sort=False).seed.nunique().items()))
    summarise(df, ends, unit, units, tag)
    cur = pd.read_csv(OUT / f'{tag}.csv').assign(units=lambda d: d.compute / unit)
    band = cur.assign(lo=lambda d: d['mean'] - d['std'].fillna(0), hi=lambda d: d['mean'] + d['std'].fillna(0))
    base = alt.Chart(band).encode(x=alt.X('units:Q', scale=alt.Scale(type='log', domain=[min(units), max(units)], nice=False), title='training spent (mean full trainings)'),
                                  color=alt.Color('algorithm:N', title=None))
    chart = (base.mark_area(opacity=0.12).encode(y='lo:Q', y2='hi:Q')
             + base.mark_line(point=True).encode(y=alt.Y('mean:Q', title='HV ratio of the fully trained (mean ± std)', scale=alt.Scale(domain=[0, 1])),
                                                 tooltip=['algorithm', 'units', 'mean', 'std'])
            ).properties(width=520, height=320, title=f"Schedulers on the {meta[0].get('name', 'synthetic')} table ({meta[0]['table'].split(', ')[2]}), {cap_units:g} full trainings per run")
    chart.save(str(OUT / f'{tag}.html'))
    try: chart.save(str(OUT / f'{tag}.png'))
    except Exception as e: print(f"(no PNG: {e})")
    (OUT / f'{tag}.json').write_text(json.dumps(dict(meta[0], combined=tags, seeds={m.get('tag', t): m['seeds'] for t, m in zip(tags, meta)},
                                                     seconds_per_seed={k: v for m in meta for k, v in m['seconds_per_seed'].items()}), indent=1))

def main():
    global SPEC
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--table', default='synthetic', choices=('synthetic', 'mnist'), help='which table with learning curves to replay')
    p.add_argument('--store', default=None, help='default: results/synthetic/table.sqlite, or results/tabular/mnist_curves.sqlite')
    p.add_argument('--seeds', type=int, default=20)
    p.add_argument('--first-seed', type=int, default=0, help='seeds first-seed .. first-seed + seeds - 1')
    p.add_argument('--cap', type=float, default=150, help="training per run, in full trainings of the table's mean network")
    p.add_argument('--sync-generations', default='3,6,12,24')
    p.add_argument('--sync-population', type=int, default=10, help='sync-sh: the population (the full phase gets ceil(population / 4))')
    p.add_argument('--algos', default='asha,asha-random,sync-sh,no-mf,moasha,moasha-ranked')
    p.add_argument('--tag', default='synthetic')
    p.add_argument('--combine', default=None, help='comma-separated tags of earlier runs: merge them into --tag (tables and chart), run nothing')
    a = p.parse_args()
    if a.combine: return combine(a.combine.split(','), a.tag)
    res = pathlib.Path(__file__).parent / 'results'
    if a.table == 'synthetic':
        from synthetic_table import space as synthetic_space, SUITE, PHASE
        SPEC = EvaluatorSpec('synthetic', objectives=tuple(o.to_dict() for o in OBJECTIVES), experiment_options=SUITE)
        axes = [Objective(o.name, o.direction, scale=o.scale) for o in OBJECTIVES]
        tb = TabularBenchmark(a.store or str(res / 'synthetic' / 'table.sqlite'), PHASE.name, 'synthetic', objectives=axes, fitness=OBJECTIVES)
        space = synthetic_space()
    else:  # the MNIST table: its default objectives and axes (as compare.py), the experiment's default objectives in the search
        from tabular_build import space as tabular_space
        SPEC = EvaluatorSpec('mnist')
        tb = TabularBenchmark(a.store or str(res / 'tabular' / 'mnist_curves.sqlite'), 'fast')
        space = tabular_space('tabular')
    full = [curve_seconds(r, EPOCHS) for r in tb.results.values() if r.ok]
    total, unit = sum(full), sum(full) / len(full)
    units = (5, 10, 25, 50, 75, 100, 150)
    grid, cap = [unit * k for k in units], unit * a.cap
    print(f"{tb}; true HV {tb.true_hv:.4f}; a mean full training {unit:.2f} s, the whole table {total:.0f} s", flush=True)
    rows, endpoints, timing = [], [], {}
    for name in a.algos.split(','):
        t0 = time.perf_counter()
        for seed in range(a.first_seed, a.first_seed + a.seeds):
            if name == 'sync-sh':
                for g in map(int, a.sync_generations.split(',')):
                    tr = run_evolution(tb, space, seed, None, True, g, a.sync_population)
                    endpoints.append(dict(algorithm=name, seed=seed, generations=g, population=a.sync_population, train_seconds=tr[-1]['train_seconds'],
                                          clock=max(t['clock'] for t in tr), hv_ratio=hv_by_compute(tb, tr, [tr[-1]['train_seconds']])[0]))
                    endpoints[-1].update(to_095=tr[-1]['train_seconds'] if endpoints[-1]['hv_ratio'] >= 0.95 else float('inf'),
                                         to_090=tr[-1]['train_seconds'] if endpoints[-1]['hv_ratio'] >= 0.9 else float('inf'))
                    pn = '' if a.sync_population == 10 else f'-p{a.sync_population}'
                    for f, v in zip(grid, hv_by_compute(tb, tr, grid)): rows.append(dict(algorithm=f'{name}{pn}-g{g}', seed=seed, compute=f, hv_ratio=v))
                continue
            if name.startswith('moasha'):
                import moasha_peer
                tr = moasha_peer.moasha_run(tb, space, seed, workers=WORKERS, max_train_seconds=cap,
                                            priority='ranked' if name == 'moasha-ranked' else 'library')
            elif name.startswith('asha'): tr = run_asha(tb, space, seed, cap, 'random' if name == 'asha-random' else 'evolution')
            else: tr = run_evolution(tb, space, seed, cap, False)
            tr = [t for t in tr if t['train_seconds'] <= cap]
            hv = hv_by_compute(tb, tr, grid)
            wall = [min([t['clock'] for t in tr if t['train_seconds'] >= f] or [np.nan]) for f in grid]
            for f, v, w in zip(grid, hv, wall): rows.append(dict(algorithm=name, seed=seed, compute=f, hv_ratio=v, clock=w))
            endpoints.append(dict(algorithm=name, seed=seed, train_seconds=tr[-1]['train_seconds'], clock=tr[-1]['clock'],
                                  hv_ratio=hv_by_compute(tb, tr, [tr[-1]['train_seconds']])[0],
                                  to_095=to_reach(tb, tr), to_095_clock=to_reach(tb, tr, key='clock'),
                                  to_090=to_reach(tb, tr, 0.9)))
        timing[name] = (time.perf_counter() - t0) / a.seeds
        print(f"{name}: {timing[name]:.1f} s per seed", flush=True)
    OUT.mkdir(parents=True, exist_ok=True)
    df, ends = pd.DataFrame(rows), pd.DataFrame(endpoints)
    df.to_csv(OUT / f'{a.tag}_seeds.csv', index=False, float_format='%.5g')
    ends.to_csv(OUT / f'{a.tag}_endpoints.csv', index=False, float_format='%.5g')
    summarise(df, ends, unit, units, a.tag)
    (OUT / f'{a.tag}.json').write_text(json.dumps(dict(name=a.table, table=repr(tb), true_hv=tb.true_hv, table_train_seconds=total, grid=grid,
                                                       unit=unit, units=units, cap=cap, seeds=a.seeds, seconds_per_seed=timing), indent=1))

if __name__ == '__main__':
    main()
