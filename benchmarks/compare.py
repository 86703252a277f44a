"""Replay our EvolutionaryNAS and peer optimizers on the tabular MNIST benchmark: same sub-space, same encoding, same
budget of distinct architectures, many seeds. Writes the curves (HV ratio and regret after every evaluation, mean and
std over seeds), the per-seed values at checkpoints, an HTML report with Altair charts, and prints a markdown table.

    python benchmarks/compare.py                          # all algorithms, 20 seeds, 200 evaluations
    python benchmarks/compare.py --algos ours-nsga2,random --seeds 5 --tag quick
    python benchmarks/compare.py --space hybrid --store benchmarks/results/tabular/mnist_hybrid.sqlite --tag hybrid
    python benchmarks/compare.py --space synthetic --store benchmarks/results/synthetic/table.sqlite --tag synthetic
    python benchmarks/compare.py --combine ../synthetic/compare,../synthetic/gp50,../synthetic/gp50_s14 --tag ../synthetic/compare_gp   # merge runs
"""
import argparse, json, pathlib, sys, tempfile, time
sys.path.insert(0, str(pathlib.Path(__file__).parent))
import pandas as pd
from nas_nb.bench import TabularBenchmark, ReplayExecutor, replay_curve, TABULAR_OPTIONS
from nas_nb.search_space import SearchSpace
from nas_nb.evolution import EvolutionaryNAS, SearchConfig
from nas_nb.executors import EvaluatorSpec
from nas_nb.experiments import Objective
import peers

OUT = pathlib.Path(__file__).parent / 'results' / 'tabular'
TMP = '/dev/shm' if pathlib.Path('/dev/shm').is_dir() else None  # run directories of replayed searches: RAM is enough
CHECKPOINTS = (10, 25, 50, 100, 150, 200)

# --space hybrid: the hybrid table (benchmarks/tabular_build.py --space hybrid), searched on the objectives:
# accuracy, size, decode state bytes, per-token decode time (the axes of its front and the weights of its fitness)
HYBRID_OBJECTIVES = (Objective('accuracy', 'max', 0.5), Objective('size_mb', 'min', 0.1, target=(0.05, 5.0)),
                     Objective('decode_state_bytes', 'min', 0.25, target=(1e3, 1e6)),
                     Objective('decode_ms', 'min', 0.15, target=(0.1, 10.0)))
OBJECTIVES = None  # the search's objectives (None: the experiment's defaults); set by --space

def ours(tb, space, budget, seed, selection='weighted', **kw):
    "EvolutionaryNAS, unmodified, on the replay executor; stopped after the generation that reaches the budget."
    ex = ReplayExecutor({'fast': tb})   # the search's phase; the table may have been built at another phase name
    with tempfile.TemporaryDirectory(dir=TMP) as d:
        s = EvolutionaryNAS(space, EvaluatorSpec('mnist', objectives=OBJECTIVES), SearchConfig(generations=1000, selection=selection, seed=seed, **kw), d, ex, log=None)
        s.callbacks.append(lambda ev, s: s.stop() if ev == 'generation' and ex.count('fast') >= budget else None)
        s.run()
    return list(dict.fromkeys(ex.ids('fast')))[:budget]

# ours: the defaults, except `random_frac=1.0` in the -random variants: the seed's baselines (GPT-2 / LLaMA-sized) all
# project onto the largest corner of this tiny space, so the 'near a baseline' half of the first population is five
# near-copies there; -seedops: `local_frac=0`, the seed's operators (with the family-stratified start); -nosurrogate:
# `surrogate_pool=1`, no screening of children (the algorithm before `nas_nb.surrogate`)
ALGOS = {
    'ours-weighted': lambda tb, sp, b, s: ours(tb, sp, b, s, 'weighted'),
    'ours-nsga2': lambda tb, sp, b, s: ours(tb, sp, b, s, 'nsga2'),
    'ours-weighted-random': lambda tb, sp, b, s: ours(tb, sp, b, s, 'weighted', random_frac=1.0),
    'ours-nsga2-random': lambda tb, sp, b, s: ours(tb, sp, b, s, 'nsga2', random_frac=1.0),
    'ours-weighted-seedops': lambda tb, sp, b, s: ours(tb, sp, b, s, 'weighted', local_frac=0.0),
    'ours-nsga2-seedops': lambda tb, sp, b, s: ours(tb, sp, b, s, 'nsga2', local_frac=0.0),
    'ours-weighted-nosurrogate': lambda tb, sp, b, s: ours(tb, sp, b, s, 'weighted', surrogate_pool=1),
    'ours-nsga2-nosurrogate': lambda tb, sp, b, s: ours(tb, sp, b, s, 'nsga2', surrogate_pool=1),
    'regularized-evolution': peers.regularized_evolution,
    'random': lambda tb, sp, b, s: peers.optuna_search(tb, sp, b, s, 'random'),
    'optuna-nsga2': lambda tb, sp, b, s: peers.optuna_search(tb, sp, b, s, 'nsga2', population_size=20),
    'optuna-tpe': lambda tb, sp, b, s: peers.optuna_search(tb, sp, b, s, 'tpe'),
    'optuna-default': lambda tb, sp, b, s: peers.optuna_search(tb, sp, b, s, 'default'),
    'optuna-gp': lambda tb, sp, b, s: peers.optuna_search(tb, sp, b, s, 'gp'),
    'pymoo-nsga2': peers.pymoo_nsga2,
}

def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--store', default=str(OUT / 'mnist.sqlite'))
    p.add_argument('--phase', default='fast')
    p.add_argument('--algos', default='ours-weighted,ours-nsga2,ours-nsga2-random,regularized-evolution,random,optuna-nsga2,optuna-tpe,pymoo-nsga2')
    p.add_argument('--seeds', type=int, default=20)
    p.add_argument('--first-seed', type=int, default=0, help='seeds first-seed .. first-seed + seeds - 1')
    p.add_argument('--budget', type=int, default=200)
    p.add_argument('--tag', default='compare')
    p.add_argument('--ref', default=None, help='the algorithm the Mann-Whitney tests compare against the others')
    p.add_argument('--combine', default=None, help='comma-separated tags of earlier runs: merge their per-seed results into --tag, run nothing')
    p.add_argument('--space', default='tabular', help='tabular (the 368-architecture table), hybrid (the 336 layer patterns, '
                                                      'with --store results/tabular/mnist_hybrid.sqlite) or synthetic (the '
                                                      '1,584-implementation synthetic-suite table, with --store results/synthetic/table.sqlite)')
    a = p.parse_args()
    if a.combine: return combine(a.combine.split(','), a.tag, a.ref)
    global OBJECTIVES
    if a.space == 'hybrid':
        OBJECTIVES = HYBRID_OBJECTIVES
        axes = [Objective(o.name, o.direction, scale=o.scale) for o in HYBRID_OBJECTIVES]
        tb = TabularBenchmark(a.store, a.phase, objectives=axes, fitness=HYBRID_OBJECTIVES)
        tb_lin = TabularBenchmark(a.store, a.phase, objectives=[(m, d, 'linear') for m, d in tb.objectives], fitness=HYBRID_OBJECTIVES)
        from tabular_build import space as table_space
        space = table_space('hybrid')
    elif a.space == 'synthetic':  # the objectives are the synthetic experiment's defaults (the same four)
        from synthetic_table import space as synthetic_space, PHASE
        OBJECTIVES = HYBRID_OBJECTIVES
        axes = [Objective(o.name, o.direction, scale=o.scale) for o in OBJECTIVES]
        tb = TabularBenchmark(a.store, PHASE.name, 'synthetic', objectives=axes, fitness=OBJECTIVES)
        tb_lin = TabularBenchmark(a.store, PHASE.name, 'synthetic', objectives=[(m, d, 'linear') for m, d in tb.objectives], fitness=OBJECTIVES)
        space = synthetic_space()
    else:
        tb = TabularBenchmark(a.store, a.phase)
        tb_lin = TabularBenchmark(a.store, a.phase, objectives=[(m, d, 'linear') for m, d in tb.objectives])  # a second view: linear axes
        space = SearchSpace.from_options(TABULAR_OPTIONS, base=None, name='tabular-mnist')
    print(f"{tb}; true HV {tb.true_hv:.4f}; best fitness {tb.best_fitness:.4f}; code versions {tb.code_versions}", flush=True)
    rows, timing = [], {}
    for name in a.algos.split(','):
        t0 = time.perf_counter()
        for seed in range(a.first_seed, a.first_seed + a.seeds):
            t1 = time.perf_counter()
            ids = ALGOS[name](tb, space, a.budget, seed)
            curve = [dict(c, hv_ratio_linear=l['hv_ratio']) for c, l in zip(replay_curve(tb, ids), replay_curve(tb_lin, ids))]
            if len(curve) < a.budget: print(f"  {name} seed {seed}: stopped after {len(curve)} distinct architectures", flush=True)
            while len(curve) < a.budget: curve.append(dict(curve[-1], evaluations=len(curve) + 1))  # nothing new found
            for c in curve: rows.append(dict(algorithm=name, seed=seed, **c))
            at = {n: curve[n - 1]['hv_ratio'] for n in CHECKPOINTS if n <= len(curve)}
            print(f"  {name} seed {seed}: {time.perf_counter() - t1:.1f} s; HV ratio " + ', '.join(f"@{n} {v:.3f}" for n, v in at.items()), flush=True)
            write_seeds(pd.DataFrame(rows), a.tag)   # after every seed: a long run that is stopped keeps the seeds it finished
        timing[name] = (time.perf_counter() - t0) / a.seeds
        print(f"{name}: {timing[name]:.2f} s per run", flush=True)
    df = pd.DataFrame(rows)
    g = df.groupby(['algorithm', 'evaluations'])
    curves = g.agg(hv_ratio_mean=('hv_ratio', 'mean'), hv_ratio_std=('hv_ratio', 'std'),
                   regret_mean=('regret', 'mean'), regret_std=('regret', 'std'),
                   hv_ratio_linear_mean=('hv_ratio_linear', 'mean'), hv_ratio_linear_std=('hv_ratio_linear', 'std')).reset_index()
    curves.to_csv(OUT / f'{a.tag}.csv', index=False, float_format='%.5g')
    summary = summarise(df[df.evaluations.isin(CHECKPOINTS)], a.algos.split(','), a.ref, timing)
    (OUT / f'{a.tag}.json').write_text(json.dumps(dict(table=repr(tb), true_hv=tb.true_hv, seeds=a.seeds, first_seed=a.first_seed, budget=a.budget,
                                                       seconds_per_run=timing, summary=summary), indent=1))

def write_seeds(df, tag:str):
    "The per-seed values at the checkpoints: what `--combine` reads."
    df[df.evaluations.isin(CHECKPOINTS)].to_csv(OUT / f'{tag}_seeds.csv', index=False, float_format='%.5g')

def summarise(df, algos:list, ref:str|None, timing:dict) -> dict:
    "The markdown table at 50 and 200 architectures (mean ± std over the seeds each algorithm has there) and the " \
    "one-sided Mann-Whitney p-values of `ref` (default ours NSGA-II, else ours weighted) against each other algorithm."
    from scipy.stats import mannwhitneyu
    ref = next((n for n in (ref, 'ours-nsga2', 'ours-weighted') if n and n in set(df.algorithm)), None)
    at = lambda name, n, m='hv_ratio': df[(df.algorithm == name) & (df.evaluations == n)][m]
    print("\n| algorithm | seeds @50 / @200 | HV ratio @50 | HV ratio @200 | regret @50 | regret @200 | HV ratio, linear axes @50 | @200 | s per run |")
    print("|---|---|---|---|---|---|---|---|---|")
    summary = {}
    for name in algos:
        cells = []
        for m in ('hv_ratio', 'regret', 'hv_ratio_linear'):
            for n in (50, 200):
                v = at(name, n, m)
                cells.append(f"{v.mean():.3f} ± {v.std():.3f}" if len(v) else '-')
                summary.setdefault(name, {})[f'{m}@{n}'] = [v.mean(), v.std()] if len(v) else None
        summary[name]['seeds@50,200'] = [len(at(name, 50)), len(at(name, 200))]
        t = timing.get(name)
        print(f"| {name} | {len(at(name, 50))} / {len(at(name, 200))} | {' | '.join(cells)} | {'-' if t is None else f'{t:.2f}'} |")
    if ref:
        print(f"\nMann-Whitney U, one-sided, {ref} HV ratio > peer's (p-values; - where the peer has no seeds there):")
        for name in algos:
            if name == ref: continue
            test = lambda n, side: mannwhitneyu(at(ref, n), at(name, n), alternative=side).pvalue if len(at(name, n)) and len(at(ref, n)) else None
            ps, rev = [test(n, 'greater') for n in (50, 200)], [test(n, 'less') for n in (50, 200)]
            summary[name]['p_ours_greater@50,200'], summary[name]['p_peer_greater@50,200'] = ps, rev
            fmt = lambda p: '-' if p is None else f'{p:.3g}'
            print(f"  vs {name}: " + '  '.join(f"@{n} p={fmt(p)} (peer greater: p={fmt(q)})" for n, p, q in zip((50, 200), ps, rev)))
    return summary

def combine(tags:list[str], tag:str, ref:str|None):
    "Merge the per-seed results of several runs of this script (same table) into `tag`: the table and the p-values. " \
    "An algorithm may be spread over runs (other seeds, another budget): each checkpoint counts the seeds that reached it."
    meta = [json.loads((OUT / f'{t}.json').read_text()) if (OUT / f'{t}.json').exists() else None for t in tags]
    tables = {m['table'] for m in meta if m}
    if len(tables) > 1: raise SystemExit(f"{tags}: not runs on the same table ({', '.join(sorted(tables))})")
    df = pd.concat([pd.read_csv(OUT / f'{t}_seeds.csv') for t in tags], ignore_index=True)
    dup = df.duplicated(['algorithm', 'seed', 'evaluations'], keep=False)
    if dup.any():   # the same seed run twice must have given the same values (the replay is deterministic)
        d = df[dup].groupby(['algorithm', 'seed', 'evaluations']).hv_ratio.nunique()
        if (d > 1).any(): raise SystemExit(f"runs disagree on {d[d > 1].index.tolist()[:5]}: not the same table or code")
        df = df.drop_duplicates(['algorithm', 'seed', 'evaluations'])
    algos = list(dict.fromkeys(df.algorithm))
    timing = {}
    for m in meta:
        for k, v in ((m or {}).get('seconds_per_run') or {}).items(): timing.setdefault(k, []).append(v)
    timing = {k: sum(v) / len(v) for k, v in timing.items()}
    summary = summarise(df, algos, ref, timing)
    write_seeds(df, tag)
    (OUT / f'{tag}.json').write_text(json.dumps(dict(table=next(iter(tables), None), combined=tags, summary=summary,
                                                     seconds_per_run=timing), indent=1))

if __name__ == '__main__':
    main()
