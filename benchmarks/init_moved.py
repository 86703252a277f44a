"""What the reference initialisations moved on the tabular MNIST benchmark: the same 240 networks (368 implementations)
trained at the fast phase before (benchmarks/results/tabular/mnist.sqlite, PyTorch's default init) and after
(mnist_init2.sqlite, each family as its reference), compared network by network.

    python benchmarks/init_moved.py [--phase fast]"""
import argparse, pathlib, statistics
from scipy.stats import spearmanr
from nas_nb.store import ResultStore

R = pathlib.Path(__file__).parent / 'results' / 'tabular'

def accuracies(path, phase) -> dict:
    "network_id -> (family, validation accuracy) of the ok trainings at `phase` (one per network)."
    out = {}
    for r in ResultStore(path).results(experiment='mnist', phase=phase, status='ok'):
        out.setdefault(r.network_id, (r.config['arch_type'] if r.config['arch_type'] not in ('transformer', 'flash_attention')
                                      else 'gqa', r.metrics['accuracy']))
    return out

def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--phase', default='fast')
    p.add_argument('--before', default=str(R / 'mnist.sqlite')); p.add_argument('--after', default=str(R / 'mnist_init2.sqlite'))
    a = p.parse_args()
    old, new = accuracies(a.before, a.phase), accuracies(a.after, a.phase)
    common = sorted(set(old) & set(new))
    print(f"{len(common)} networks trained at {a.phase} in both ({len(old)} before, {len(new)} after)")
    print("| family (attention kernels as gqa) | networks | mean accuracy before | after | mean change | networks better after |")
    print("|---|---|---|---|---|---|")
    fams = sorted({old[n][0] for n in common})
    for f in fams + ['all']:
        ns = [n for n in common if f == 'all' or old[n][0] == f]
        b, c = [old[n][1] for n in ns], [new[n][1] for n in ns]
        print(f"| {f} | {len(ns)} | {statistics.mean(b):.3f} | {statistics.mean(c):.3f} | {statistics.mean(c) - statistics.mean(b):+.3f} | "
              f"{sum(y > x for x, y in zip(b, c))} |")
    b, c = [old[n][1] for n in common], [new[n][1] for n in common]
    rho = spearmanr(b, c).statistic
    top = lambda d: set(sorted(common, key=lambda n: -d[n][1])[:20])
    print(f"Spearman rank correlation of accuracy before/after: {rho:.3f}; top-20 networks in common: {len(top(old) & top(new))}")
    best = lambda d: max(common, key=lambda n: d[n][1])
    print(f"best before: {old[best(old)][0]} {old[best(old)][1]:.3f} (after: {new[best(old)][1]:.3f}); "
          f"best after: {new[best(new)][0]} {new[best(new)][1]:.3f} (before: {old[best(new)][1]:.3f})")

if __name__ == '__main__': main()
