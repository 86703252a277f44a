"""Latency repeatability: the same architectures timed in two fresh processes, per architecture the ratio
process 2 / process 1 and the spread (median and 90th percentile of |ratio - 1|), for each latency protocol.

    python benchmarks/latency_repeat.py                      # 24 architectures of SearchSpace('medium'), MNIST, seed 0
    python benchmarks/latency_repeat.py --ablations          # + time_model on the wall clock, and without priority
    python benchmarks/latency_repeat.py --n 30 --seed 1 --processes 3

Protocols (each process runs all of them on every architecture, in a rotating order, so they see the same load):

    before   the evaluator's first protocol: the fastest wall-clock pass of two `latency_passes` windows of 0.5 s
    after    `nas_nb.latency.time_model` with its defaults (8 windows of 0.25 s at once)
    rounds   `time_windows(windows=4)` twice, merged: once in a first round over all the architectures, once in a second
             (as the evaluator can time a twin before and after training, or `remeasure` a run in two passes)
    wall     (--ablations) `time_model(clock='wall')`: everything but the thread's CPU clock
    nonice   (--ablations) `time_model(nice=None)`: everything but the priority

Each process builds the architectures' twins as the evaluator does (`build_model` at pruning 0 / fp32, then
`quantize(prune(model, pruning), quantization)`) and times them on the experiment's batch-1 sample input. Process 1
is the reference for process 2 (and 3 ...): both are measured in the same run. The machine is shared: the load
average during each process is printed and stored with the figures. Results: benchmarks/results/latency/.
"""
import argparse, collections, csv, dataclasses, datetime, json, os, pathlib, platform, random, statistics, subprocess, sys, time

RESULTS = pathlib.Path(__file__).parent / 'results' / 'latency'
PROTOCOLS = ('before', 'after', 'rounds')
ABLATIONS = ('wall', 'nonice')

def sample_architectures(n:int, seed:int, mode:str='medium') -> list:
    "`n` architectures of `SearchSpace(mode)` from one seeded RNG, taken round-robin over the families (sorted)."
    from nas_nb.search_space import SearchSpace
    space, rng, by = SearchSpace(mode), random.Random(seed), collections.defaultdict(list)
    while sum(len(v) for v in by.values()) < 20 * n: c = space.sample(rng); by[c.arch_type].append(c)
    fams, out = sorted(by), []
    for i in range(n): out.append(by[fams[i % len(fams)]][i // len(fams)])
    return out

def describe(c) -> str:
    return f"{c.arch_type} L{c.num_layers} D{c.hidden_dim} {c.quantization}" + (f" p{c.pruning:g}" if c.pruning else '')

def protocol(name:str):
    from nas_nb.latency import latency_passes, latency_stats, time_model, time_windows
    return {'before': lambda m, x: latency_stats(latency_passes(m, x, 30, threads=1, min_time=0.5) + latency_passes(m, x, 30, threads=1, min_time=0.5)),
            'after': lambda m, x: time_model(m, x),
            'wall': lambda m, x: time_model(m, x, clock='wall'),
            'nonice': lambda m, x: time_model(m, x, nice=None),
            'rounds': lambda m, x: time_windows(m, x, windows=4)}[name]  # round 1; round 2 in `child`

def child(cfg_path:str, out_path:str, names:list, experiment:str):
    "One fresh process: build each twin and time it with every protocol (order rotated per architecture)."
    import torch
    from nas_nb.config import ArchitectureConfig
    from nas_nb.experiments import load_experiment
    from nas_nb.models import build_model
    from nas_nb.compress import quantize
    from nas_nb.prune import prune
    from nas_nb.latency import hardware_id
    exp = load_experiment(experiment)
    x, fns, rows, twins, first_end = exp.sample_input, {n: protocol(n) for n in names}, [], [], []
    load0, t_start = os.getloadavg(), time.perf_counter()
    for i, d in enumerate(json.load(open(cfg_path))):
        c = ArchitectureConfig.from_dict(d)
        t0 = time.perf_counter()
        twin = quantize(prune(build_model(dataclasses.replace(c, pruning=0.0, quantization='fp32'), exp.task, seed=0), c.pruning),
                        c.quantization, inplace=True)
        row = dict(arch_id=c.arch_id, build_s=time.perf_counter() - t0, load=os.getloadavg()[0])
        for n in names[i % len(names):] + names[:i % len(names)]:
            t0 = time.perf_counter(); row[n] = fns[n](twin, x)
            if n != 'rounds': row[n]['cost_s'] = time.perf_counter() - t0
            else: first_end.append(time.perf_counter())
        rows.append(row)
        twins.append(twin if 'rounds' in names else None)
    for row, twin, t_first in zip(rows, twins, first_end):  # round 2 (only `rounds`), a whole round after the first
        if twin is None: continue
        gap = time.perf_counter() - t_first
        row['rounds'] = dict((row['rounds'] + fns['rounds'](twin, x)).stats(), round_gap_s=gap)
        row['rounds']['cost_s'] = row['rounds']['latency_time_s']
    json.dump(dict(rows=rows, hardware=hardware_id('cpu', 1), torch=torch.__version__, pid=os.getpid(),
                   load_start=load0, load_end=os.getloadavg(), wall_s=time.perf_counter() - t_start), open(out_path, 'w'))

def spread(ratios:list) -> dict:
    d = sorted(abs(r - 1) for r in ratios)
    return dict(median=statistics.median(d), p90=d[min(len(d) - 1, max(0, -(-9 * len(d) // 10) - 1))], max=d[-1])

def ranks(xs):
    order = sorted(range(len(xs)), key=xs.__getitem__); r = [0.0] * len(xs)
    i = 0
    while i < len(xs):
        j = i
        while j + 1 < len(xs) and xs[order[j + 1]] == xs[order[i]]: j += 1
        for k in range(i, j + 1): r[order[k]] = (i + j) / 2
        i = j + 1
    return r

def spearman(a, b) -> float:
    ra, rb = ranks(a), ranks(b)
    ma, mb = statistics.mean(ra), statistics.mean(rb)
    cov = sum((x - ma) * (y - mb) for x, y in zip(ra, rb))
    den = (sum((x - ma) ** 2 for x in ra) * sum((y - mb) ** 2 for y in rb)) ** 0.5
    return cov / den if den else float('nan')

def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--n', type=int, default=24, help='architectures (round-robin over the six families)')
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--mode', default='medium')
    p.add_argument('--experiment', default='mnist')
    p.add_argument('--processes', type=int, default=2, help='fresh processes, run one after the other')
    p.add_argument('--ablations', action='store_true', help='also time_model on the wall clock, and without priority')
    p.add_argument('--out', default=str(RESULTS))
    p.add_argument('--child', nargs=2, metavar=('CONFIGS', 'OUT'), help=argparse.SUPPRESS)
    p.add_argument('--protocols', default=None, help=argparse.SUPPRESS)
    a = p.parse_args()
    if a.child: return child(*a.child, a.protocols.split(','), a.experiment)
    if a.processes < 2: p.error(f"--processes={a.processes} is invalid: need at least 2 (process 1 is the reference)")
    names = list(PROTOCOLS) + (list(ABLATIONS) if a.ablations else [])
    cfgs = sample_architectures(a.n, a.seed, a.mode)
    out = pathlib.Path(a.out); out.mkdir(parents=True, exist_ok=True)
    tag = datetime.datetime.now().strftime('%Y%m%d-%H%M%S')
    cfg_path = out / f'repeat-{tag}-configs.json'
    cfg_path.write_text(json.dumps([c.to_dict() for c in cfgs], indent=1))
    count = lambda f: dict(sorted(collections.Counter(map(f, cfgs)).items()))
    print(f"{a.n} architectures of SearchSpace({a.mode!r}), seed {a.seed}: families {count(lambda c: c.arch_type)}, "
          f"quantization {count(lambda c: c.quantization)}, hidden_dim {count(lambda c: c.hidden_dim)}, "
          f"layers {count(lambda c: c.num_layers)}, pruning {count(lambda c: c.pruning)}")
    print(f"protocols: {', '.join(names)}; {a.processes} fresh processes, one after the other; {platform.node()}, "
          f"{os.cpu_count()} CPUs", flush=True)
    runs = []
    for k in range(a.processes):
        path = out / f'repeat-{tag}-process{k + 1}.json'
        t0 = time.perf_counter()
        subprocess.run([sys.executable, __file__, '--child', str(cfg_path), str(path), '--protocols', ','.join(names),
                        '--experiment', a.experiment], check=True, timeout=120 + 30 * a.n * len(names))
        runs.append(json.loads(path.read_text()))
        r = runs[-1]
        print(f"process {k + 1}: {time.perf_counter() - t0:.0f} s, load average {r['load_start'][0]:.2f} -> {r['load_end'][0]:.2f} "
              f"(mean at each architecture {statistics.mean(x['load'] for x in r['rows']):.2f})", flush=True)
    ref = runs[0]['rows']
    spread_of = [n for n in names if n in ('after', 'rounds')]  # the protocols that store latency_spread
    head = f"{'architecture':34s}" + ''.join(f" | {n + ' ms (1, 2)':>17s} {'ratio':>6s}" for n in names) + ''.join(f" | {n + ' spread (1, 2)':>20s}" for n in spread_of)
    print(f"\nlatency_ms per architecture, process 2 / process 1\n{head}")
    table = []
    for i, c in enumerate(cfgs):
        r1, r2 = ref[i], runs[1]['rows'][i]
        line, row = f"{describe(c):34s}", dict(arch_id=c.arch_id, architecture=describe(c))
        for n in names:
            v1, v2 = r1[n]['latency_ms'], r2[n]['latency_ms']
            line += f" | {v1:8.3f} {v2:8.3f} {v2 / v1:6.3f}"
            row.update({f'{n}_ms_1': v1, f'{n}_ms_2': v2, f'{n}_ratio': v2 / v1})
        for n in spread_of:
            s1, s2 = r1[n]['latency_spread'], r2[n]['latency_spread']
            line += f" | {'':6s} {s1:6.1%} {s2:6.1%}"
            row.update({f'{n}_spread_1': s1, f'{n}_spread_2': s2})
        for k in range(2, len(runs)):
            for n in names: row[f'{n}_ratio_{k + 1}'] = runs[k]['rows'][i][n]['latency_ms'] / r1[n]['latency_ms']
        print(line); table.append(row)
    summary = {}
    print(f"\nspread of the ratio over {a.n} architectures: median / 90th percentile / max of |ratio - 1|; cost per architecture")
    for n in names:
        s = {f'process{k + 1}': spread([runs[k]['rows'][i][n]['latency_ms'] / ref[i][n]['latency_ms'] for i in range(a.n)])
             for k in range(1, len(runs))}
        cost = statistics.mean(r[n]['cost_s'] for run in runs for r in run['rows'])
        summary[n] = dict(spread=s, cost_s=cost)
        print(f"{n:8s} " + '  '.join(f"process {k[7:]}/1: {v['median']:6.2%} / {v['p90']:6.2%} / {v['max']:6.1%}" for k, v in s.items())
              + f"   {cost:.2f} s")
    print()
    for n in spread_of:
        err = [abs(r[f'{n}_ratio'] - 1) for r in table]
        sp = [max(r[f'{n}_spread_1'], r[f'{n}_spread_2']) for r in table]
        cover = statistics.mean(e <= r[f'{n}_spread_1'] + r[f'{n}_spread_2'] for e, r in zip(err, table))
        summary[n].update(spread_spearman=spearman(sp, err), spread_cover=cover, spread_median=statistics.median(sp))
        print(f"{n}: stored latency_spread vs the disagreement of the two processes: Spearman {spearman(sp, err):.2f}; "
              f"|ratio - 1| <= spread 1 + spread 2 for {cover:.0%} of architectures; median spread {statistics.median(sp):.1%}")
    if 'rounds' in names:
        print(f"rounds: the second round began {statistics.mean(r['rounds']['round_gap_s'] for run in runs for r in run['rows']):.0f} s "
              "after the first (mean)")
    res = dict(tag=tag, n=a.n, seed=a.seed, mode=a.mode, experiment=a.experiment, processes=a.processes, protocols=names,
               hardware=runs[0]['hardware'], torch=runs[0]['torch'], cpus=os.cpu_count(),
               load=[dict(start=r['load_start'], end=r['load_end'], mean=statistics.mean(x['load'] for x in r['rows'])) for r in runs],
               summary=summary, architectures=table,
               configs=[c.to_dict() for c in cfgs])
    (out / f'repeat-{tag}.json').write_text(json.dumps(res, indent=1))
    with open(out / f'repeat-{tag}.csv', 'w', newline='') as f:
        w = csv.DictWriter(f, fieldnames=list(table[0])); w.writeheader(); w.writerows(table)
    print(f"\nwrote {out / f'repeat-{tag}.json'}, {out / f'repeat-{tag}.csv'} (raw: repeat-{tag}-process*.json)")

if __name__ == '__main__':
    main()
