"""Evaluations per hour of the same candidates with the `local` executor (sequential), the `process` executor (N
workers, 1 thread each) and the `ray` executor (a local Ray with N CPUs), all measured in one run on this machine.

    python benchmarks/executors.py                     # 8 candidates, MNIST, fast phase, 2 workers
    python benchmarks/executors.py --candidates 12 --phase smoke --workers 2

Every evaluation runs with 1 torch thread (the executors' determinism rule), so `local` uses one core; a last row
runs `local` with 2 threads per evaluation for comparison (not deterministic against the others).
"""
import argparse, random, time
from nas_nb.config import ARCH_TYPES
from nas_nb.search_space import SearchSpace
from nas_nb.executors import EvaluatorSpec, LocalExecutor, ProcessExecutor, RayExecutor

def candidates(n, seed=0):
    sp = SearchSpace.from_options(dict(arch_type=list(ARCH_TYPES), hidden_dim=[32, 64], num_layers=[1, 2], num_heads=[2, 4],
                                       quantization=['fp32', 'int8'], state_dim=[8]), base='minimal')
    rng, out = random.Random(seed), []
    while len(out) < n:
        c = sp.sample(rng)
        if c not in out: out.append(c)
    return out

def run(name, ex, spec, phase, cfgs):
    ex.map(spec, 'smoke', cfgs[:1])                    # start-up (processes, data loading) is not counted
    t = time.perf_counter(); rs = ex.map(spec, phase, cfgs); dt = time.perf_counter() - t
    assert all(r.ok for r in rs), [r.message for r in rs if not r.ok]
    return dt, rs

def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--candidates', type=int, default=8)
    p.add_argument('--phase', default='fast')
    p.add_argument('--workers', type=int, default=2)
    a = p.parse_args()
    cfgs = candidates(a.candidates)
    spec = EvaluatorSpec('mnist')
    rows = []
    with LocalExecutor() as ex: rows.append(('local (1 thread)',) + run('local', ex, spec, a.phase, cfgs))
    with ProcessExecutor(workers=a.workers) as ex: rows.append((f'process ({a.workers} workers x 1 thread)',) + run('process', ex, spec, a.phase, cfgs))
    try:
        import ray
        ex = RayExecutor(local_cpus=a.workers)
        rows.append((f'ray ({a.workers} CPUs)',) + run('ray', ex, spec, a.phase, cfgs))
        ray.shutdown()
    except ImportError: print("ray is not installed: skipping the ray executor")
    with LocalExecutor() as ex: rows.append(('local (2 threads)',) + run('local2', ex, EvaluatorSpec('mnist', threads=2), a.phase, cfgs))
    base = rows[0][1]
    same = [all(x.metrics['accuracy'] == y.metrics['accuracy'] for x, y in zip(rows[0][2], r[2])) for r in rows]
    print(f"{a.candidates} candidates, MNIST, phase {a.phase}")
    print(f"| executor | seconds | evaluations / hour | speed-up vs local | same accuracies as local |")
    print(f"|---|---|---|---|---|")
    for (name, dt, _), s in zip(rows, same):
        print(f"| {name} | {dt:.1f} | {a.candidates / dt * 3600:,.0f} | {base / dt:.2f}x | {s} |")

if __name__ == '__main__':
    main()
