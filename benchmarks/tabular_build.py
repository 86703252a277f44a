"""Build the tabular MNIST benchmark: every distinct architecture of a small sub-space (all six families) evaluated at
the fast phase (and the smoke phase, a cheap signal), plus the medium phase for a top slice; into one ResultStore.

Resumable: the store is the cache, so a killed build continues where it stopped. Wall time goes to build.json.

    nice -n 10 python benchmarks/tabular_build.py                       # fast + smoke for all 368 configs, 2 workers
    python benchmarks/tabular_build.py --phases medium --medium-top 24  # medium for the 24 best by Pareto rank (fast)
    python benchmarks/tabular_build.py --phases medium --medium-ids ids.txt
    python benchmarks/tabular_build.py --space hybrid --phases fast --store benchmarks/results/tabular/mnist_hybrid.sqlite
    # the table with learning curves (the scheduler comparison, issue 19): today's code, the fast phase, a curve per training
    python benchmarks/tabular_build.py --phases fast --store benchmarks/results/tabular/mnist_curves.sqlite --info build_curves.json
"""
import argparse, json, pathlib, platform, socket, time, datetime
import torch
from nas_nb.config import ArchitectureConfig
from nas_nb.search_space import SearchSpace
from nas_nb.store import ResultStore
from nas_nb.executors import EvaluatorSpec, ProcessExecutor, LocalExecutor
from nas_nb.bench import distinct_configs, TABULAR_OPTIONS

OUT = pathlib.Path(__file__).parent / 'results' / 'tabular'

# the hybrid table: every layer pattern of 2-4 layers over the four layer families (336 networks), the shared genes fixed
# as in benchmarks/hybrid_search.py (d=64, 2 heads, MHA, FFN x2 SwiGLU, RMSNorm, RoPE, fp16, Mamba N=16)
HYBRID_TABLE_OPTIONS = dict(num_layers=(2, 3, 4), hidden_dim=(64,), num_heads=(2,), kv_ratio=(1,), ffn_multiplier=(2.0,),
                            normalization=('rmsnorm',), activation=('swiglu',), position_encoding=('rope',),
                            quantization=('fp16',), pruning=(0.0,), dropout=(0.0,), state_dim=(16,))

def space(kind:str='tabular') -> SearchSpace:
    "The benchmark's sub-space: 'tabular', 368 distinct architectures over all six families (see " \
    "`nas_nb.bench.TABULAR_OPTIONS`), or 'hybrid', the 336 layer patterns of `HYBRID_TABLE_OPTIONS`."
    if kind == 'hybrid': return SearchSpace.from_options(HYBRID_TABLE_OPTIONS, base='hybrid', name='tabular-hybrid')
    if kind != 'tabular': raise SystemExit(f"--space={kind!r} is invalid: allowed are tabular, hybrid")
    return SearchSpace.from_options(TABULAR_OPTIONS, base=None, name='tabular-mnist')

def medium_slice(store, spec, k:int) -> list:
    "The `k` best fast-phase results by Pareto rank, then crowding (what NSGA-II promotion would pick from the whole table)."
    from nas_nb.bench import TabularBenchmark
    tb = TabularBenchmark(store, 'fast', spec.experiment)
    return [tb.config(a) for a in tb.ranked()[:k]]

def run_phase(ex, spec, store, phase, configs, log):
    ev = spec.make(phase)
    todo = [c for c in configs if ev.lookup(c.arch_id, store) is None]
    log(f"[{phase}] {len(configs)} configs, {len(configs) - len(todo)} already stored, {len(todo)} to evaluate")
    t0, done = time.perf_counter(), [0]
    def cb(r):
        store.put(r); done[0] += 1
        if done[0] % 8 == 0 or done[0] == len(todo):
            el = time.perf_counter() - t0
            log(f"[{phase}] {done[0]}/{len(todo)}  {el:.0f} s  (~{el / done[0] * (len(todo) - done[0]):.0f} s left)  last {ArchitectureConfig.from_dict(r.config).pattern} {r.status} acc={r.metrics.get('accuracy')}")
    if todo: ex.map(spec, phase, todo, callback=cb)
    return dict(phase=phase, configs=len(configs), evaluated=len(todo), wall_s=time.perf_counter() - t0)

def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--store', default=str(OUT / 'mnist.sqlite'))
    p.add_argument('--phases', default='fast,smoke')
    p.add_argument('--workers', type=int, default=2)
    p.add_argument('--medium-top', type=int, default=0)
    p.add_argument('--medium-ids', default=None)
    p.add_argument('--limit', type=int, default=None, help='only the first N configs (timing trials)')
    p.add_argument('--space', default='tabular', help="the sub-space: tabular (368 architectures, six families) or hybrid (336 layer patterns)")
    p.add_argument('--info', default=None, help="the build record's file name in results/tabular (default: build.json, build_hybrid.json)")
    a = p.parse_args()
    log = lambda *m: print(datetime.datetime.now().strftime('%H:%M:%S'), *m, flush=True)
    store, spec, sp = ResultStore(a.store), EvaluatorSpec('mnist', threads=1), space(a.space)
    configs = distinct_configs(sp)[:a.limit]
    log(f"{sp}: {sp.count_distinct()} distinct architectures; store {a.store}")
    runs = []
    ex = ProcessExecutor(a.workers, ['cpu'] * a.workers) if a.workers > 1 else LocalExecutor('cpu')
    with ex:
        for phase in a.phases.split(','):
            cs = configs
            if phase == 'medium':
                by_id = {c.arch_id: c for c in configs}
                cs = medium_slice(store, spec, a.medium_top) if a.medium_top else []
                if a.medium_ids: cs += [by_id[i.strip()] for i in pathlib.Path(a.medium_ids).read_text().split() if i.strip() in by_id]
                cs = list({c.arch_id: c for c in cs}.values())
            runs.append(run_phase(ex, spec, store, phase, cs, log))
    info_file = OUT / (a.info or ('build.json' if a.space == 'tabular' else f'build_{a.space}.json'))
    info = json.loads(info_file.read_text()) if info_file.exists() else dict(runs=[])
    info['runs'].append(dict(finished=datetime.datetime.now(datetime.timezone.utc).isoformat(timespec='seconds'), host=socket.gethostname(),
                             cpus=torch.get_num_threads(), workers=a.workers, torch=torch.__version__, python=platform.python_version(),
                             phases=runs))
    info_file.write_text(json.dumps(info, indent=1))
    log('done', json.dumps(runs))

if __name__ == '__main__':
    main()
