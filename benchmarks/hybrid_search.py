"""Do hybrids buy anything? A hybrid search (`--mode hybrid`: a mixer per layer) at a fixed budget, beside the
homogeneous families' genomes of the same shared genes as baselines, evaluated by the same evaluator on the same
objectives. It reports the joint Pareto front, which layer patterns land on it, the hypervolume of the hybrid search's
results against the baselines', and what each front point trades.

    python benchmarks/hybrid_search.py                       # synthetic recall (MQAR + in-context recall), the recorded run
    python benchmarks/hybrid_search.py --experiment mnist    # the same on MNIST (accuracy, size, decode state, decode time)
    python benchmarks/hybrid_search.py --population 4 --generations 1 --phase smoke --out /tmp/h   # a quick check

The search and the baselines share one store (the run directory's): a baseline the search already trained is served
from it, and a killed run resumes with `--resume` (the search's checkpoint) and re-serves every stored training.
Results: <out>/hybrid_front.csv (every evaluated genome, marked by where it came from and whether it is on the joint
front) and <out>/HYBRID.md (the tables); the report.html of the search is in <out> as for any search."""
import argparse, csv, json, math, pathlib, sys, time
from nas_nb.config import ArchitectureConfig
from nas_nb.experiments import objective_vector
from nas_nb.pareto import hypervolume, non_dominated_sort
from nas_nb.runner import make_search
from nas_nb.evolution import load_search

# the shared genes: one width and one setting of every gene but the pattern (and its length), so the front is about
# the layer pattern; the synthetic experiment's recall tasks at T=64 are where the families differ most
# (benchmarks/results/synthetic/CHARACTERISATION.md: gqa 1.000, Mamba 0.439, RWKV 0.476, linear attention 0.330)
SPACE = dict(num_layers=(2, 3, 4), hidden_dim=(64,), num_heads=(2,), kv_ratio=(1,), ffn_multiplier=(2.0,),
             normalization=('rmsnorm',), activation=('swiglu',), position_encoding=('rope',), quantization=('fp16',),
             pruning=(0.0,), dropout=(0.0,), state_dim=(16,))
EXPERIMENT_OPTIONS = dict(synthetic=dict(tasks='mqar,in_context_recall', seq_len=64, n_train=4000), mnist={})
OBJECTIVES = dict(  # the objectives: recall (or MNIST) accuracy, decode state bytes, decode time, size
    synthetic=None,  # the synthetic experiment's defaults: accuracy, size_mb, decode_state_bytes, decode_ms
    mnist=[dict(name='accuracy', direction='max', weight=0.5), dict(name='size_mb', direction='min', weight=0.1, target=(0.05, 5.0)),
           dict(name='decode_state_bytes', direction='min', weight=0.25, target=(1e3, 1e6)),
           dict(name='decode_ms', direction='min', weight=0.15, target=(0.1, 10.0))])
SHOW = ('accuracy', 'accuracy_mqar', 'accuracy_in_context_recall', 'size_mb', 'decode_state_bytes', 'decode_ms', 'params')

def baselines(layer_families, lengths) -> list:
    "The homogeneous genomes of the space: every layer family at every length, the shared genes as the space's."
    shared = {g: v[0] for g, v in SPACE.items() if g != 'num_layers'}
    return [ArchitectureConfig(**dict(shared, arch_type=f, num_layers=L)).canonical() for f in layer_families for L in lengths]

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--experiment', default='synthetic', choices=list(EXPERIMENT_OPTIONS))
    ap.add_argument('--population', type=int, default=8)
    ap.add_argument('--generations', type=int, default=3)
    ap.add_argument('--phase', default='fast')
    ap.add_argument('--selection', default='nsga2')
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--workers', type=int, default=1, help='process workers (1: in this process)')
    ap.add_argument('--out', default=None, help='run directory (default: benchmarks/results/hybrid/<experiment>)')
    ap.add_argument('--resume', action='store_true', help='continue the search checkpointed in --out')
    ap.add_argument('--layers', default='2,3,4', help='the allowed numbers of layers (default: 2,3,4)')
    ap.add_argument('--seq-len', type=int, default=64, help='synthetic: the sequence length T (default: 64)')
    a = ap.parse_args(argv)
    SPACE['num_layers'] = tuple(int(v) for v in a.layers.split(','))
    if a.experiment == 'synthetic': EXPERIMENT_OPTIONS['synthetic']['seq_len'] = a.seq_len
    out = pathlib.Path(a.out or f'benchmarks/results/hybrid/{a.experiment}')
    executor = None
    if a.workers > 1:
        from nas_nb.executors import ProcessExecutor
        executor = ProcessExecutor(workers=a.workers)
    t0 = time.time()
    if a.resume: search = load_search(out, executor, log=print)
    else:
        search = make_search(a.experiment, mode='hybrid', population=a.population, generations=a.generations,
                             phases=a.phase, selection=a.selection, seed=a.seed, out=out, log=print, executor=executor,
                             objectives=OBJECTIVES[a.experiment], space_options=SPACE,
                             experiment_options=EXPERIMENT_OPTIONS[a.experiment])
    search.run(resume=a.resume)
    searched = dict(search.archive.results[search.final_phase])   # arch_id -> scored result, every genome it evaluated
    t_search = time.time() - t0
    ev = search.spec.make(search.final_phase, store=search.store)
    base = {c.arch_id: ev.evaluate(c) for c in baselines(search.space.options['mixers'], search.space.options['num_layers'])}
    t_all = time.time() - t0
    write(out, search, searched, base, t_search, t_all)
    from nas_nb.report import write_report
    print('report:', write_report(out))

def _fmt(v):
    if isinstance(v, float): return f"{v:,.0f}" if abs(v) >= 1000 else f"{v:.4g}"
    return f"{v:,}" if isinstance(v, int) else str(v)

def _secs(results:dict) -> float: return sum((r.timings or {}).get('total', 0.0) for r in results.values())

def write(out, search, searched:dict, base:dict, t_search:float, t_all:float):
    objs = search.objectives
    show = [k for k in SHOW if any(k in r.metrics for r in (*searched.values(), *base.values()) if r.ok)]
    rows = {}
    for src, res in (('search', searched), ('baseline', base)):
        for aid, r in res.items():
            if not r.ok: continue
            row = rows.setdefault(aid, dict(arch_id=aid, pattern=ArchitectureConfig.from_dict(r.config).pattern,
                                            source=set(), metrics=r.metrics))
            row['source'].add(src)
    ids = list(rows)
    pts = [objective_vector(rows[i]['metrics'], objs) for i in ids]
    joint = set(ids[j] for j in non_dominated_sort(pts)[0]) if pts else set()
    ref = [min(p[k] for p in pts) - 1e-9 for k in range(len(objs))] if pts else []
    hv = {s: hypervolume([p for i, p in zip(ids, pts) if s in rows[i]['source']], ref) for s in ('search', 'baseline')}
    hv['joint'] = hypervolume(pts, ref)
    with (out / 'hybrid_front.csv').open('w', newline='') as f:
        w = csv.writer(f)
        w.writerow(['arch_id', 'pattern', 'source', 'on_joint_front', *show])
        for i in ids:
            m = rows[i]['metrics']
            w.writerow([i, rows[i]['pattern'], '+'.join(sorted(rows[i]['source'])), i in joint, *(m.get(k) for k in show)])
    lines = [f"# Hybrid search: {search.spec.experiment} ({json.loads(search.spec.experiment_options) or 'defaults'})", '',
             f"Search: `hybrid` mode restricted to {json.dumps({g: list(v) for g, v in search.space.options.items() if len(v) > 1})}"
             f" (every other gene fixed), {search.cfg.selection}, population {search.cfg.population}, {search.cfg.generations} "
             f"generations at phase {search.final_phase}; {len(searched)} distinct genomes evaluated by the search, "
             f"{len(base)} homogeneous baselines (every layer family at every length). Evaluation time (the stored "
             f"evaluations' own totals, training included): search {_secs(searched):,.0f} s, baselines not also searched "
             f"{_secs({k: r for k, r in base.items() if k not in searched}):,.0f} s"
             + (f"; this run's wall time {t_all:,.0f} s." if t_all > 1 else '.'), '',
             f"Objectives: {', '.join(f'{o.name} ({o.direction}, {o.scale})' for o in objs)}.", '',
             f"Hypervolume (objectives' transforms, reference = the worst of every point): search {hv['search']:.4g}, "
             f"baselines {hv['baseline']:.4g}, joint {hv['joint']:.4g}; search / baselines = "
             f"{hv['search'] / hv['baseline'] if hv['baseline'] else float('nan'):.3f}.", '',
             f"Joint Pareto front ({len(joint)} of {len(ids)}), best accuracy first:", '',
             '| pattern | source | ' + ' | '.join(show) + ' |', '|' + '---|' * (2 + len(show))]
    for i in sorted(joint, key=lambda i: -rows[i]['metrics'].get('accuracy', 0)):
        m = rows[i]['metrics']
        lines.append(f"| {rows[i]['pattern']} | {'+'.join(sorted(rows[i]['source']))} | " + ' | '.join(_fmt(m.get(k)) for k in show) + ' |')
    lines += ['', 'Every evaluated genome, best accuracy first:', '', '| pattern | source | front | ' + ' | '.join(show) + ' |',
              '|' + '---|' * (3 + len(show))]
    for i in sorted(ids, key=lambda i: -rows[i]['metrics'].get('accuracy', 0)):
        m = rows[i]['metrics']
        lines.append(f"| {rows[i]['pattern']} | {'+'.join(sorted(rows[i]['source']))} | {'yes' if i in joint else ''} | "
                     + ' | '.join(_fmt(m.get(k)) for k in show) + ' |')
    (out / 'HYBRID.md').write_text('\n'.join(lines) + '\n')
    print('\n'.join(lines[:12 + len(joint)]))

if __name__ == '__main__': main()
