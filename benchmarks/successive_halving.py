"""Successive halving on the tabular benchmark: final Pareto quality vs total training compute, fast only vs
fast -> medium promotion. Our EvolutionaryNAS (NSGA-II selection, population 10) runs on the replay executor for
G generations at the fast phase; the promotion re-trains the best `promote_frac` x population (by Pareto rank and
crowding over everything evaluated) at the medium phase.

Compute = the training seconds measured when the table was built, summed over every distinct architecture trained
at each phase. Quality = the hypervolume of the delivered front (fast only: the fast-phase front of everything
evaluated; with promotion: the medium-phase front of the promoted), each point scored by its own phase's metrics in
the fast table's normalised cube (medium accuracy above the fast table's best lands above 1), divided by the fast
table's true-front hypervolume; also the best accuracy and best weighted fitness delivered.

    python benchmarks/successive_halving.py --collect   # which architectures promotion needs at medium -> medium_ids.txt
    python benchmarks/tabular_build.py --phases medium --medium-ids benchmarks/results/tabular/medium_ids.txt
    python benchmarks/successive_halving.py             # the study: sh.csv and a markdown table (charts: tabular_html.py)
"""
import argparse, pathlib, tempfile
import pandas as pd
from nas_nb.bench import TabularBenchmark, ReplayExecutor, TABULAR_OPTIONS
from nas_nb.search_space import SearchSpace
from nas_nb.evolution import EvolutionaryNAS, SearchConfig, hypervolume
from nas_nb.executors import EvaluatorSpec

OUT = pathlib.Path(__file__).parent / 'results' / 'tabular'
TMP = '/dev/shm' if pathlib.Path('/dev/shm').is_dir() else None  # run directories of replayed searches: RAM is enough

def run(tables, space, generations, seed, promote_frac):
    ex = ReplayExecutor(tables)
    with tempfile.TemporaryDirectory(dir=TMP) as d:
        s = EvolutionaryNAS(space, EvaluatorSpec('mnist'), SearchConfig(population=10, generations=generations, selection='nsga2',
                            phases=('fast', 'medium'), promote_frac=promote_frac, seed=seed), d, ex, log=None)
        s.run()
    return s, ex

def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--store', default=str(OUT / 'mnist.sqlite'))
    p.add_argument('--seeds', type=int, default=20)
    p.add_argument('--generations', default='5,10,20')
    p.add_argument('--promote', default='0.3,0.5')
    p.add_argument('--collect', action='store_true')
    a = p.parse_args()
    fast = TabularBenchmark(a.store, 'fast')
    try: medium = TabularBenchmark(a.store, 'medium')
    except ValueError: medium = None
    space = SearchSpace.from_options(TABULAR_OPTIONS, base=None, name='tabular-mnist')
    gens, fracs = [int(g) for g in a.generations.split(',')], [float(f) for f in a.promote.split(',')]
    ref = [0.0] * len(fast.objectives)
    hv = lambda rs: hypervolume([fast.point(r) for r in rs if r.ok], ref) / fast.true_hv
    rows, missing = [], set()
    for g in gens:
        for frac in fracs:
            for seed in range(a.seeds):
                s, ex = run(dict(fast=fast, medium=medium), space, g, seed, frac)
                missing |= {aid for ph, aid in ex.missing if ph == 'medium'}
                if a.collect: continue
                ff, fm = s.front('fast'), s.front('medium')
                promoted = [r for r in s.results['medium'].values()]
                tf, tm = ex.train_seconds_at('fast'), ex.train_seconds_at('medium')
                rows.append(dict(generations=g, promote_frac=frac, seed=seed, fast_evals=ex.count('fast'), medium_evals=ex.count('medium'),
                                 missing=sum(1 for ph, _ in ex.missing if ph == 'medium'),
                                 fast_train_s=tf, medium_train_s=tm,
                                 hv_fast_only=hv(ff), hv_promoted=hv(fm),
                                 best_acc_fast_only=max(r.metrics['accuracy'] for r in ff),
                                 best_acc_promoted=max([r.metrics['accuracy'] for r in promoted if r.ok], default=float('nan')),
                                 best_fit_fast_only=max(r.fitness for r in ff),
                                 best_fit_promoted=max([r.fitness for r in promoted if r.ok], default=float('nan'))))
            print(f"G={g} promote={frac}: {len(missing)} distinct medium architectures needed so far", flush=True)
    if a.collect:
        (OUT / 'medium_ids.txt').write_text('\n'.join(sorted(missing)) + '\n')
        print(f"{len(missing)} architectures not yet in the medium table -> {OUT / 'medium_ids.txt'}")
        return
    if missing:
        (OUT / 'medium_ids.txt').write_text('\n'.join(sorted(missing)) + '\n')
        print(f"{len(missing)} promoted architectures are not in the medium table -> {OUT / 'medium_ids.txt'} (build them with tabular_build.py)")
    df = pd.DataFrame(rows)
    df.to_csv(OUT / 'sh.csv', index=False, float_format='%.5g')
    agg = df.groupby(['generations', 'promote_frac']).agg(['mean', 'std']).reset_index()
    print(f"\nmissing medium results: {int(df.missing.sum())} (0 means every promoted architecture was measured)")
    print("\n| fast evals | promote | fast train s | + medium train s | HV fast only | HV promoted (medium) | best acc fast only | best acc promoted | best fitness fast only | best fitness promoted |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    m = lambda c: f"{agg[(c, 'mean')].iloc[i]:.3f} ± {agg[(c, 'std')].iloc[i]:.3f}"
    for i in range(len(agg)):
        print(f"| {agg[('fast_evals', 'mean')].iloc[i]:.0f} | {agg['promote_frac'].iloc[i]:g} ({agg[('medium_evals', 'mean')].iloc[i]:.1f} archs) | "
              f"{agg[('fast_train_s', 'mean')].iloc[i]:.0f} | {agg[('medium_train_s', 'mean')].iloc[i]:.0f} | {m('hv_fast_only')} | {m('hv_promoted')} | "
              f"{m('best_acc_fast_only')} | {m('best_acc_promoted')} | {m('best_fit_fast_only')} | {m('best_fit_promoted')} |")

if __name__ == '__main__':
    main()
