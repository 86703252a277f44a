"""Report the tabular MNIST benchmark itself: size and build time, the true Pareto front, the best of each family, and
how well cheap signals rank architectures (Spearman correlation with fast-phase validation accuracy): parameter
count, two zero-cost proxies at initialisation (synflow, grad-norm) and accuracy after the smoke phase.

    python benchmarks/tabular_report.py        # writes front.csv, proxies.csv, benchmark.json (charts: tabular_html.py)
"""
import json, pathlib, sys, time
import pandas as pd, torch
from scipy.stats import spearmanr
from nas_nb.bench import TabularBenchmark, zero_cost
from nas_nb.experiments import load_experiment

OUT = pathlib.Path(__file__).parent / 'results' / 'tabular'

def main(store=OUT / 'mnist.sqlite'):
    torch.set_num_threads(1)
    fast, smoke = TabularBenchmark(store, 'fast'), TabularBenchmark(store, 'smoke')
    exp = load_experiment('mnist')
    batch = (exp.train[0][:64], exp.train[1][:64])          # one fixed batch of 64 training images for grad-norm
    rows, t0 = [], time.perf_counter()
    for aid, r in fast.results.items():
        c = fast.config(aid)
        s = smoke.results.get(aid)
        row = dict(arch_id=aid, family=c.arch_type, status=r.status, accuracy=r.metrics.get('accuracy'),
                   size_mb=r.metrics.get('size_mb'), latency_ms=r.metrics.get('latency_ms'), flops=r.metrics.get('flops'),
                   fitness=r.fitness, train_time_s=r.metrics.get('train_time_s'), eval_s=r.timings.get('total'),
                   smoke_accuracy=s.metrics.get('accuracy') if s is not None and s.ok else None,
                   smoke_eval_s=s.timings.get('total') if s is not None else None, on_front=aid in fast.front_ids)
        row.update(zero_cost(c, exp.task, batch, seed=0))
        rows.append(dict(row, config=json.dumps(c.to_dict(), sort_keys=True)))
    proxy_s = time.perf_counter() - t0
    df = pd.DataFrame(rows)
    ok = df[df.status == 'ok']
    sp = {}
    for col, label in (('params', '(a) parameter count (LTS proxy)'), ('synflow', '(b) synflow at init'),
                       ('grad_norm', '(b) grad-norm at init'), ('smoke_accuracy', '(c) smoke-phase accuracy'),
                       ('flops', 'FLOPs (for reference)')):
        rho, p = spearmanr(ok[col], ok.accuracy, nan_policy='omit')
        fam = {f: spearmanr(g[col], g.accuracy, nan_policy='omit')[0] for f, g in ok.groupby('family')}
        sp[col] = dict(label=label, rho=float(rho), p=float(p), per_family={f: float(v) for f, v in fam.items()})
    df.drop(columns=['config']).to_csv(OUT / 'proxies.csv', index=False, float_format='%.6g')
    front = ok[ok.on_front].sort_values('accuracy', ascending=False)
    front[['arch_id', 'family', 'accuracy', 'size_mb', 'latency_ms', 'flops', 'params', 'fitness', 'config']].to_csv(OUT / 'front.csv', index=False, float_format='%.6g')
    fams = {}
    for f, g in ok.groupby('family'):
        b, bf = g.loc[g.accuracy.idxmax()], g.loc[g.fitness.idxmax()]
        fams[f] = dict(configs=len(g), best_accuracy=float(b.accuracy), best_accuracy_size_mb=float(b.size_mb),
                       best_accuracy_latency_ms=float(b.latency_ms), best_fitness=float(bf.fitness),
                       median_accuracy=float(g.accuracy.median()), on_front=int(g.on_front.sum()),
                       mean_eval_s=float(g.eval_s.mean()))
    build = json.loads((OUT / 'build.json').read_text()) if (OUT / 'build.json').exists() else {}
    info = dict(table=repr(fast), configs=len(fast), ok=int(len(ok)), failed=int((df.status != 'ok').sum()),
                smoke_configs=len(smoke), front_size=len(fast.front_ids), true_hv=fast.true_hv, best_fitness=fast.best_fitness,
                bounds=dict(zip([m for m, _ in fast.objectives], fast.bounds)), code_versions=fast.code_versions,
                data_source=exp.source, families=fams, spearman=sp, proxy_seconds=proxy_s,
                build_wall_s={ph['phase']: sum(p['wall_s'] for r in build.get('runs', []) for p in r['phases'] if p['phase'] == ph['phase'])
                              for r in build.get('runs', []) for ph in r['phases']},
                eval_seconds_sum={'fast': float(ok.eval_s.sum()), 'smoke': float(df.smoke_eval_s.sum())},
                sqlite_bytes=pathlib.Path(store).stat().st_size)
    (OUT / 'benchmark.json').write_text(json.dumps(info, indent=1))
    print(f"{fast}: {len(ok)} ok, {info['failed']} failed; true front {len(fast.front_ids)} architectures; data: {exp.source}")
    print(f"build wall time (s): {info['build_wall_s']}; sum of per-evaluation seconds: {info['eval_seconds_sum']}")
    print("\n| family | configs | best accuracy | its size MB | its latency ms | median accuracy | best fitness | on true front | mean s per fast eval |")
    print("|---|---|---|---|---|---|---|---|---|")
    for f, v in fams.items():
        print(f"| {f} | {v['configs']} | {v['best_accuracy']:.3f} | {v['best_accuracy_size_mb']:.3f} | {v['best_accuracy_latency_ms']:.2f} | "
              f"{v['median_accuracy']:.3f} | {v['best_fitness']:.3f} | {v['on_front']} | {v['mean_eval_s']:.1f} |")
    print("\n| signal | Spearman ρ with fast-phase accuracy | p | per family (min .. max) |")
    print("|---|---|---|---|")
    for col, v in sp.items():
        pf = [x for x in v['per_family'].values() if x == x]
        print(f"| {v['label']} | {v['rho']:.3f} | {v['p']:.2g} | {min(pf):.2f} .. {max(pf):.2f} |")
    print(f"\nzero-cost proxies for {len(df)} architectures: {proxy_s:.1f} s")

if __name__ == '__main__':
    main(*sys.argv[1:])
