"""The seed's baselines and the LLaMA-like one, evaluated for real on an experiment at a phase: accuracy, size,
latency, FLOPs, parameters and fitness, then each requested again to time the cache hit.

    python benchmarks/baselines.py                              # MNIST, fast phase, store in /tmp
    python benchmarks/baselines.py --phase medium --device cuda --store runs/baselines.sqlite
"""
import argparse, time, json
from nas_nb.search_space import BASELINES
from nas_nb.evaluate import Evaluator

def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--experiment', default='mnist')
    p.add_argument('--phase', default='fast')
    p.add_argument('--device', default=None)
    p.add_argument('--store', default='/tmp/nas_nb_baselines.sqlite')
    p.add_argument('--data-dir', default=None)
    p.add_argument('--seed', type=int, default=0)
    a = p.parse_args()
    ev = Evaluator(a.experiment, phase=a.phase, device=a.device, seed=a.seed, store=a.store, data_dir=a.data_dir)
    print(f"{ev}; data: {ev.exp.source}")
    print("objectives:", json.dumps([o.to_dict() for o in ev.objectives]))
    print("| baseline | family | status | accuracy (valid) | test accuracy | size MB | latency ms (fastest / median) | FLOPs | params | fitness | train s | eval s | cache hit ms |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for name, cfg in BASELINES.items():
        t = time.perf_counter(); r = ev.evaluate(cfg); first = time.perf_counter() - t
        t = time.perf_counter(); r2 = ev.evaluate(cfg); hit = time.perf_counter() - t
        assert r2.cached and r2.metrics == r.metrics
        m = r.metrics
        if not r.ok:
            print(f"| {name} | {cfg.arch_type} | {r.status}: {r.message} | | | | | | | 0 | | | {hit * 1e3:.2f} |"); continue
        print(f"| {name} | {cfg.arch_type} | {r.status}{' (cached)' if r.cached else ''} | {m['accuracy']:.3f} | {m['test_accuracy']:.3f} | "
              f"{m['size_mb']:.2f} | {m['latency_ms']:.2f} / {m['latency_median_ms']:.2f} | {m['flops'] / 1e6:.1f} M | {m['params']:,} | "
              f"{r.fitness:.3f} | {r.timings.get('train', 0):.0f} | {first:.1f} | {hit * 1e3:.2f} ({hit / first:.4%}) |", flush=True)

if __name__ == '__main__':
    main()
