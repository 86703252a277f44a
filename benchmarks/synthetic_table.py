"""Build the tabular benchmark on the synthetic suite (issue 20): every distinct network of a six-family sub-space of
1,008 networks (1,584 implementations: transformer and flash_attention are gqa's network, timed apart), trained once at
the table's budget on the two recall tasks, each with accuracy per task, artifact size, full-sequence latency, decoding
state bytes and per-token decode time, and its learning curve (validation accuracy after every epoch, stored with the
training: what the scheduler issue replays).

The budget (`PHASE`, 600 AdamW steps of 32 sequences, T=24) was sized on this 2-core machine before the build so that a
whole table fits in about an hour of two cores: a 2-layer width-32 gqa reaches 0.98 MQAR/in-context recall accuracy at
it, rwkv / mamba / linear attention 0.31-0.35 (`python benchmarks/synthetic_table.py --probe`). It is the suite at a
short budget, not its `fast` phase (1,000 steps of 64 at T=64: 20-50 CPU-hours for 1,000 networks here).

Resumable: the store is the cache, so a killed build continues where it stopped (any executor). Networks are
trained in a seeded random order, so a partial table is a uniform sample of the sub-space.

    nice -n 5 python benchmarks/synthetic_table.py --workers 2     # the whole table (about an hour of two cores)
    python benchmarks/synthetic_table.py --limit 8 --workers 1     # the first 8 networks of the order
"""
import argparse, datetime, json, pathlib, random, time
import torch
from nas_nb.config import ARCH_TYPES
from nas_nb.search_space import SearchSpace
from nas_nb.store import ResultStore, TRAINING_KEY
from nas_nb.train import Phase
from nas_nb.executors import EvaluatorSpec, ProcessExecutor, LocalExecutor
from nas_nb.bench import distinct_configs

OUT = pathlib.Path(__file__).parent / 'results' / 'synthetic'
# small, fast models: widths 16/32, 1-2 blocks, every family; the genes on which the mixers differ
OPTIONS = dict(arch_type=ARCH_TYPES, num_layers=(1, 2), hidden_dim=(16, 32), num_heads=(2, 4), kv_ratio=(1, 2),
               ffn_multiplier=(0.0, 2.0), normalization=('rmsnorm', 'layernorm'), activation=('swiglu', 'gelu'),
               position_encoding=('rope', 'alibi', 'absolute'), quantization=('fp16', 'int8'), pruning=(0.0,),
               dropout=(0.0,), state_dim=(8, 16))
# the two recall tasks (MQAR with 3 key-value pairs; in-context recall, every repeated key scored), T=24, vocabulary 32;
# 1,920 training sequences of each, 100 validation and 100 test sequences of each
SUITE = dict(tasks={'mqar': {'num_kv_pairs': 3}, 'in_context_recall': {}}, seq_len=24, vocab_size=32,
             n_train=1920, n_valid=100, n_test=100)
PHASE = Phase('table', 3840, 5, batch_size=32, lr=3e-3)    # 5 epochs of 120 steps = 600 steps; a curve point per epoch
SPEC = EvaluatorSpec('synthetic', threads=1, experiment_options=SUITE, options=dict(latency_time=0.25))  # 0.25 s windows

def experiment(data_dir=None, seed:int=0, **kw):
    """The synthetic experiment (`kw`: its parameters, e.g. `SUITE`) with the table's budget as its `fast` phase: a real
    search at the table's budget (`EvaluatorSpec('synthetic_table:experiment', experiment_options=SUITE)`, phase `fast`)."""
    import dataclasses
    from nas_nb.experiments import load_experiment
    e = load_experiment('synthetic', data_dir, seed, **kw)
    return dataclasses.replace(e, phases={**e.phases, 'fast': dataclasses.replace(PHASE, name='fast')})

def stalled(curve:list, factor:float=10.0) -> bool:
    "A learning curve with an epoch `factor` times longer than its median epoch (and over 30 s): the machine stalled, not the model."
    d = [b['seconds'] - a['seconds'] for a, b in zip([dict(seconds=0.0)] + curve, curve)]
    if len(d) < 2: return False
    med = sorted(d)[len(d) // 2]
    return max(d) > max(30.0, factor * med)

def forget_stalled(path):
    "Delete the trainings with a `stalled` curve, and the latencies of their networks (timed in the same stall), from the store."
    import sqlite3
    with sqlite3.connect(path) as c:
        rows = c.execute("SELECT key, network_id, curve FROM trainings WHERE experiment = 'synthetic'").fetchall()
        bad = [(k, n) for k, n, cv in rows if cv and stalled(json.loads(cv))]
        for k, n in bad:
            c.execute('DELETE FROM trainings WHERE key = ?', (k,)); c.execute('DELETE FROM latencies WHERE network_id = ?', (n,))
    print(f"forgot {len(bad)} stalled trainings: {', '.join(n for _, n in bad)}", flush=True)

def space() -> SearchSpace: return SearchSpace.from_options(OPTIONS, base=None, name='tabular-synthetic')

def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--store', default=str(OUT / 'table.sqlite'))
    p.add_argument('--workers', type=int, default=2)
    p.add_argument('--limit', type=int, default=None, help='only the first N networks of the seeded order')
    p.add_argument('--retrain-stalled', action='store_true', help="first forget trainings with a stalled epoch (see `stalled`)")
    a = p.parse_args()
    if a.retrain_stalled: forget_stalled(a.store)
    log = lambda *m: print(datetime.datetime.now().strftime('%H:%M:%S'), *m, flush=True)
    torch.set_num_threads(1)
    sp = space()
    impls = distinct_configs(sp)
    random.Random(0).shuffle(impls)
    nets = list({c.network_id: c for c in reversed(impls)}.values())[::-1]   # the first implementation of each network
    nets = nets[:a.limit]
    store = ResultStore(a.store)
    ev = SPEC.make(PHASE)
    def trained(c):   # its network's training is stored (an implementation not yet timed is timed at the end)
        probe = vars(ev._result(c.canonical()))
        return store.training(**{k: probe[k] for k in TRAINING_KEY}) is not None
    todo = [c for c in nets if not trained(c)]
    log(f"{sp}: {sp.count_distinct()} networks, {sp.count_implementations()} implementations; {SPEC.load().source}")
    log(f"[{PHASE.name}] {len(nets)} networks, {len(nets) - len(todo)} trained, {len(todo)} to train; store {a.store}")
    t0, done = time.perf_counter(), [0]
    def cb(r):
        store.put(r); done[0] += 1
        el = time.perf_counter() - t0
        log(f"{done[0]}/{len(todo)}  {el:.0f} s (~{el / done[0] * (len(todo) - done[0]):.0f} s left)  {r.config['arch_type']} "
            f"L{r.config['num_layers']} D{r.config['hidden_dim']} {r.status} acc={r.metrics.get('accuracy')}")
    ex = ProcessExecutor(a.workers, ['cpu'] * a.workers) if a.workers > 1 else LocalExecutor('cpu')
    with ex:
        if todo: ex.map(SPEC, PHASE, todo, callback=cb)
    t1 = time.perf_counter()
    wanted = {c.network_id for c in nets}
    twins = [c for c in impls if c.network_id in wanted]
    served = sum(ev.lookup(c, store, retime=True) is not None for c in twins)   # times each implementation of a trained network
    log(f"{served} of {len(twins)} implementations in the table ({time.perf_counter() - t1:.0f} s timing the twins)")
    info_file = OUT / 'table_build.json'
    info = json.loads(info_file.read_text()) if info_file.exists() else dict(runs=[])
    info['runs'].append(dict(finished=datetime.datetime.now(datetime.timezone.utc).isoformat(timespec='seconds'),
                             workers=a.workers, trained=len(todo), train_wall_s=t1 - t0,
                             twins_timed_wall_s=time.perf_counter() - t1, implementations=served))
    info_file.write_text(json.dumps(info, indent=1))
    log('done')

if __name__ == '__main__': main()
