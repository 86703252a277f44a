"""Merge the per-seed checkpoints of several `compare.py` runs (tags) into one table with Mann-Whitney tests, for
comparisons run as parallel processes (one per group of algorithms).

    python benchmarks/compare_merge.py hybrid_ours hybrid_peers hybrid_tpe --ref ours-nsga2
"""
import argparse, pathlib
import pandas as pd
from scipy.stats import mannwhitneyu

OUT = pathlib.Path(__file__).parent / 'results' / 'tabular'

def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('tags', nargs='+')
    p.add_argument('--ref', default='ours-nsga2')
    p.add_argument('--at', default='50,200')
    a = p.parse_args()
    df = pd.concat([pd.read_csv(OUT / f'{t}_seeds.csv') for t in a.tags])
    at = [int(v) for v in a.at.split(',')]
    print('| algorithm | seeds | ' + ' | '.join(f'HV ratio @{n}' for n in at) + ' | ' + ' | '.join(f'regret @{n}' for n in at)
          + ' | ' + ' | '.join(f'p({a.ref} > it) @{n}' for n in at) + ' |')
    print('|---|---|' + '---|' * (3 * len(at)))
    for name, g in df.groupby('algorithm', sort=False):
        hv = [g[g.evaluations == n].hv_ratio for n in at]
        rg = [g[g.evaluations == n].regret for n in at]
        ps = ['' if name == a.ref else f"{mannwhitneyu(df[(df.algorithm == a.ref) & (df.evaluations == n)].hv_ratio, h, alternative='greater').pvalue:.3g}"
              for n, h in zip(at, hv)]
        print(f"| {name} | {g.seed.nunique()} | " + ' | '.join(f'{v.mean():.3f} ± {v.std():.3f}' for v in hv) + ' | '
              + ' | '.join(f'{v.mean():.3f} ± {v.std():.3f}' for v in rg) + ' | ' + ' | '.join(ps) + ' |')

if __name__ == '__main__': main()
