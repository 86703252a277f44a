"""Build the tabular benchmark on the synthetic suite (issue 20): every distinct architecture of a six-family
sub-space of 1,008 networks (1,584 implementations) evaluated at the suite's `fast` phase, each with accuracy per task,
artifact size, full-sequence latency, decoding state bytes and per-token decode time, and its learning curve
(validation accuracy after every epoch, stored with the training: what the scheduler issue replays).

Resumable: the store is the cache, so a killed build continues where it stopped (any executor). Networks are
evaluated in a seeded random order, so a partial table is a uniform sample of the sub-space.

    nice -n 10 python benchmarks/synthetic_table.py --workers 2           # the whole table (many CPU-hours)
    python benchmarks/synthetic_table.py --limit 40 --workers 1           # the first 40 of the order
"""
import argparse, datetime, json, pathlib, random, time
from nas_nb.config import ARCH_TYPES
from nas_nb.search_space import SearchSpace
from nas_nb.store import ResultStore
from nas_nb.executors import EvaluatorSpec, ProcessExecutor, LocalExecutor
from nas_nb.bench import distinct_configs

OUT = pathlib.Path(__file__).parent / 'results' / 'synthetic'
# small, fast models: widths 32-128, 1-4 blocks; every family; the genes on which the mixers differ
OPTIONS = dict(arch_type=ARCH_TYPES, num_layers=(1, 2, 3, 4), hidden_dim=(32, 64, 128), num_heads=(2, 4), kv_ratio=(1, 2),
               ffn_multiplier=(1.0, 2.0), normalization=('rmsnorm',), activation=('swiglu',),
               position_encoding=('rope', 'alibi', 'absolute'), quantization=('fp16', 'int8'), pruning=(0.0,),
               dropout=(0.0,), state_dim=(8, 16))
SUITE = dict(tasks=['mqar', 'in_context_recall', 'noisy_recall', 'selective_copying', 'compression'], seq_len=64,
             vocab_size=64, n_train=1600)   # the recall and copy tasks; memorization (a bigram table here) is left out

def space() -> SearchSpace: return SearchSpace.from_options(OPTIONS, base=None, name='tabular-synthetic')

def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--store', default=str(OUT / 'table.sqlite'))
    p.add_argument('--phase', default='fast')
    p.add_argument('--workers', type=int, default=2)
    p.add_argument('--limit', type=int, default=None, help='only the first N configs of the seeded order')
    a = p.parse_args()
    log = lambda *m: print(datetime.datetime.now().strftime('%H:%M:%S'), *m, flush=True)
    sp = space()
    configs = distinct_configs(sp)
    random.Random(0).shuffle(configs)
    configs = configs[:a.limit]
    spec = EvaluatorSpec('synthetic', threads=1, experiment_options=SUITE)
    store = ResultStore(a.store)
    ev = spec.make(a.phase)
    todo = [c for c in configs if ev.lookup(c.arch_id, store, retime=False) is None]
    log(f"{sp}: {sp.count_distinct()} networks, {sp.count_implementations()} implementations; {spec.load().source}")
    log(f"[{a.phase}] {len(configs)} configs, {len(configs) - len(todo)} stored, {len(todo)} to evaluate; store {a.store}")
    t0, done = time.perf_counter(), [0]
    def cb(r):
        store.put(r); done[0] += 1
        el = time.perf_counter() - t0
        log(f"[{a.phase}] {done[0]}/{len(todo)}  {el:.0f} s  {r.config['arch_type']} L{r.config['num_layers']} D{r.config['hidden_dim']} "
            f"{r.status} acc={r.metrics.get('accuracy')}")
    ex = ProcessExecutor(a.workers, ['cpu'] * a.workers) if a.workers > 1 else LocalExecutor('cpu')
    with ex:
        if todo: ex.map(spec, a.phase, todo, callback=cb)
    info_file = OUT / 'table_build.json'
    info = json.loads(info_file.read_text()) if info_file.exists() else dict(runs=[])
    info['runs'].append(dict(finished=datetime.datetime.now(datetime.timezone.utc).isoformat(timespec='seconds'),
                             workers=a.workers, evaluated=len(todo), wall_s=time.perf_counter() - t0))
    info_file.write_text(json.dumps(info, indent=1))
    log('done')

if __name__ == '__main__': main()
