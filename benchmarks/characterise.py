"""Which mixer, for recall, at what memory and speed: MQAR answer accuracy of each family at fixed sizes as the sequence
length T and the number of key-value pairs P grow, with the decoding state (bytes, from the genome) and the per-token
decoding time at each point. Every family gets the same training budget and seed; the script reports what it measures.

    python benchmarks/characterise.py                                   # the default grid at widths 64 and 128 (~2 h on one core)
    python benchmarks/characterise.py --widths 64 && python benchmarks/characterise.py --widths 128 --grid 64:4,64:8
                                                                        # the recorded run (CHARACTERISATION.md), ~40 min
    python benchmarks/characterise.py --families gqa,mamba --widths 64 --grid 64:4,128:8 --steps 200 --out /tmp/c.csv

One CSV row per finished (family, width, T, P), appended as soon as it is done; rows already in the CSV are skipped, so a
killed run resumes where it stopped. Afterwards the Altair chart is written next to the CSV (.html, and .png when
vl-convert can render it). `--chart-only` redraws the chart from the CSV."""
import argparse, csv, json, math, os, pathlib, time
import torch
from nas_nb.config import ArchitectureConfig
from nas_nb.experiments import load_experiment
from nas_nb.models import build_model
from nas_nb.models.core import Task
from nas_nb.models.layers import count_params
from nas_nb.models.decode import decode_state_bytes
from nas_nb.latency import latency_stats, time_decode, time_model
from nas_nb.synthetic import chance_accuracy
from nas_nb.train import Phase, split_metrics, train

# the genes every family shares; transformer overrides normalization and activation (its GPT-2 form)
COMMON = dict(num_layers=2, ffn_multiplier=2.0, dropout=0.0, quantization='fp32', pruning=0.0,
              normalization='rmsnorm', activation='swiglu')
FAMILY = {'gqa': dict(arch_type='gqa', position_encoding='rope', kv_ratio=1),   # one key/value head per query head (MHA)
          'transformer': dict(arch_type='transformer', position_encoding='absolute', normalization='layernorm', activation='gelu'),
          'linear_attention': dict(arch_type='linear_attention', position_encoding='rope'),
          'mamba': dict(arch_type='mamba', position_encoding='none', state_dim=16),
          'rwkv': dict(arch_type='rwkv', position_encoding='none')}
HEAD_SIZE = 32          # heads = width / 32: 2 at width 64, 4 at width 128 (attention families only)
FAR_CONTEXTS = (1024, 4096)  # decoding state also reported at these contexts, from the formula
KEY = ('family', 'width', 'seq_len', 'kv_pairs')
FIELDS = [*KEY, 'vocab', 'valid_accuracy', 'test_accuracy', 'chance', 'params', 'train_s', 'train_cpu_s', 'steps',
          'epochs', 'samples', 'state_bytes', 'state_bytes_measured', 'state_bytes_1024', 'state_bytes_4096',
          'decode_ms', 'decode_min_ms', 'decode_median_ms', 'decode_spread', 'latency_ms', 'latency_median_ms', 'latency_spread',
          'status', 'curve', 'trained_on', 'arch_id', 'genome']

def config(family:str, width:int) -> ArchitectureConfig:
    "The fixed genome of `family` at `width`."
    genes = {**COMMON, **FAMILY[family], 'hidden_dim': width}
    if family in ('gqa', 'transformer', 'linear_attention'): genes['num_heads'] = width // HEAD_SIZE
    return ArchitectureConfig(**genes)

def parse_grid(s:str) -> list:
    "'64:4,128:8' -> [(64, 4), (128, 8)]."
    try: pts = [tuple(int(v) for v in p.split(':')) for p in s.split(',') if p.strip()]
    except ValueError: pts = None
    if not pts or any(len(p) != 2 for p in pts): raise SystemExit(f"--grid={s!r} is invalid: give T:P pairs, e.g. 64:4,128:16")
    return pts

def read_rows(path:pathlib.Path) -> list:
    if not path.exists(): return []
    with path.open(newline='') as f: return list(csv.DictReader(f))

def append_row(path:pathlib.Path, row:dict):
    new = not path.exists() or path.stat().st_size == 0
    with path.open('a', newline='') as f:
        w = csv.DictWriter(f, fieldnames=FIELDS)
        if new: w.writeheader()
        w.writerow(row); f.flush(); os.fsync(f.fileno())

def far_state(cfg, vocab:int, T:int, ctx:int) -> int:
    "Decoding state after `ctx` tokens. An absolute position table of T rows cannot reach past T; the cache it would"
    "hold does not depend on the table, so the formula is read on a task whose table is `ctx` long."
    return decode_state_bytes(cfg, Task.lm(vocab, max(T, ctx)), ctx)

def run_point(family, width, T, P, vocab, phase, seed, timing, aux=()) -> dict:
    tasks = {'mqar': {'num_kv_pairs': P}, **{t: {} for t in aux}}   # aux: dense recall tasks trained alongside (MQAR scored)
    exp = load_experiment('synthetic', seed=seed, tasks=tasks, seq_len=T, vocab_size=vocab,
                          n_train=phase.samples // len(tasks), n_valid=200, n_test=200)
    valid, test_data = exp.parts['valid']['mqar'], exp.parts['test']['mqar']
    cfg = config(family, width)
    model = build_model(cfg, exp.task, seed=seed)
    c0 = time.process_time()
    r = train(model, exp.train, exp.valid, phase, patience=None, seed=seed,
              on_epoch=lambda m, rec: rec.update(valid_mqar=split_metrics(m, valid)['token_accuracy']))
    train_cpu = time.process_time() - c0
    test = split_metrics(model, test_data)['token_accuracy'] if r.status != 'diverged' else float('nan')
    valid_acc = split_metrics(model, valid)['token_accuracy'] if r.status != 'diverged' else float('nan')
    w = time_decode(model, T, threads=1, nice=None, **timing)
    dec, per_pass = w.stats(), latency_stats(*w.windows)   # the fastest and the median step, whatever stats() calls decode_ms
    lat = time_model(model, exp.sample_input, threads=1, nice=None, **timing)
    state = decode_state_bytes(cfg, exp.task, T)
    return dict(family=family, width=width, seq_len=T, kv_pairs=P, vocab=vocab,
                valid_accuracy=round(valid_acc, 4), trained_on='+'.join(tasks), test_accuracy=round(test, 4),
                chance=round(chance_accuracy('mqar', vocab, num_kv_pairs=P), 4), params=count_params(model),
                train_s=round(r.train_time, 1), train_cpu_s=round(train_cpu, 1), steps=r.steps, epochs=r.epochs,
                samples=phase.samples, state_bytes=state, state_bytes_measured=dec['decode_state_bytes'],
                **{f'state_bytes_{c}': far_state(cfg, vocab, T, c) for c in FAR_CONTEXTS},
                decode_ms=round(dec['decode_ms'], 4), decode_min_ms=round(per_pass['latency_ms'], 4),
                decode_median_ms=round(per_pass['latency_median_ms'], 4),
                decode_spread=round(dec['decode_spread'], 3), latency_ms=round(lat['latency_ms'], 3),
                latency_median_ms=round(lat['latency_median_ms'], 3), latency_spread=round(lat['latency_spread'], 3),
                status=r.status, curve=json.dumps([round(h['valid_mqar'], 4) for h in r.history]),
                arch_id=cfg.arch_id, genome=cfg.to_json(sort_keys=True))

def chart(rows:list, out:pathlib.Path):
    "accuracy vs grid point (T, P) and accuracy vs decoding state bytes at T (log), one column per width."
    import altair as alt, pandas as pd
    d = pd.DataFrame(rows)
    for c in ('width', 'seq_len', 'kv_pairs', 'params', 'state_bytes', 'state_bytes_4096'): d[c] = d[c].astype(int)
    for c in ('valid_accuracy', 'test_accuracy', 'decode_ms', 'latency_ms', 'chance'): d[c] = d[c].astype(float)
    d['point'] = 'T=' + d.seq_len.astype(str) + ' P=' + d.kv_pairs.astype(str)
    order = [f"T={t} P={p}" for t, p in sorted({(int(t), int(p)) for t, p in zip(d.seq_len, d.kv_pairs)})]
    tips = ['family:N', 'width:Q', 'seq_len:Q', 'kv_pairs:Q', alt.Tooltip('test_accuracy:Q', format='.3f'),
            alt.Tooltip('valid_accuracy:Q', format='.3f'), alt.Tooltip('state_bytes:Q', format=','),
            alt.Tooltip('state_bytes_4096:Q', format=','), alt.Tooltip('decode_ms:Q', format='.3f', title='decode ms/token'),
            alt.Tooltip('latency_ms:Q', format='.2f'), alt.Tooltip('params:Q', format=','), 'train_s:Q']
    y = alt.Y('test_accuracy:Q', title='MQAR test accuracy', scale=alt.Scale(domain=[0, 1]))
    col = alt.Column('width:O', title='width')
    chance = alt.Chart().mark_rule(strokeDash=[4, 3], color='gray').encode(y='mean(chance):Q')  # guessing a value token
    lines = alt.Chart().mark_line(point=True).encode(
        x=alt.X('point:O', sort=order, title='sequence length T, key-value pairs P'), y=y, color='family:N', tooltip=tips)
    by_t = alt.layer(lines, chance, data=d).properties(width=300, height=240).facet(column=col).properties(
        title='accuracy as T and P grow (dashed: chance)')
    dots = alt.Chart().mark_point(filled=True, size=70).encode(
        x=alt.X('state_bytes:Q', scale=alt.Scale(type='log'), title='decoding state at context T (bytes, batch 1, fp32)'),
        y=y, color='family:N', shape=alt.Shape('point:N', sort=order, title='point'), tooltip=tips)
    by_state = alt.layer(dots, chance, data=d).properties(width=300, height=240).facet(column=col).properties(
        title='accuracy vs decoding state (dashed: chance)')
    ch = alt.vconcat(by_t, by_state).resolve_scale(color='shared')
    html = out.with_suffix('.html')
    ch.save(str(html), inline=True)
    print(f"wrote {html}")
    try:
        ch.save(str(html.with_suffix('.png')), scale_factor=1.5); print(f"wrote {html.with_suffix('.png')}")
    except Exception as e: print(f"no png: {type(e).__name__}: {e}")

def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--families', default=','.join(FAMILY), help=f"comma-separated, among {', '.join(FAMILY)}")
    ap.add_argument('--widths', default='64,128', help='comma-separated hidden widths (heads = width / 32)')
    ap.add_argument('--grid', default='64:4,64:8,128:8,256:16', help='T:P points')
    ap.add_argument('--vocab', type=int, default=64, help='one vocabulary for every point (keys and values are its halves)')
    ap.add_argument('--phase', default=None, help="a SYNTHETIC_PHASES name (smoke, fast, ...) instead of --steps/--epochs")
    ap.add_argument('--steps', type=int, default=320, help='AdamW steps of batch 64 per point (the same for every family)')
    ap.add_argument('--epochs', type=int, default=4, help='epochs the steps are split into (one valid accuracy each)')
    ap.add_argument('--lr', type=float, default=3e-3)
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--timing', default='5,0.1,0.1', help='latency windows, window seconds, warm-up seconds')
    ap.add_argument('--out', default='benchmarks/results/synthetic/characterisation.csv')
    ap.add_argument('--aux', default='in_context_recall', help="tasks trained alongside MQAR (scored on MQAR only); '' for MQAR "
                    "alone (4 answers per sequence: at 1,200 steps attention reached 0.35 alone, 0.99 by 438 steps in the suite)")
    ap.add_argument('--chart-only', action='store_true')
    a = ap.parse_args()
    out = pathlib.Path(a.out); out.parent.mkdir(parents=True, exist_ok=True)
    if not a.chart_only:
        torch.set_num_threads(1)
        fams, widths, grid = a.families.split(','), [int(w) for w in a.widths.split(',')], parse_grid(a.grid)
        bad = [f for f in fams if f not in FAMILY]
        if bad: raise SystemExit(f"--families: {', '.join(bad)} unknown: allowed are {', '.join(FAMILY)}")
        if a.phase:
            from nas_nb.experiments import SYNTHETIC_PHASES
            phase = SYNTHETIC_PHASES[a.phase]
        else:
            if a.steps % a.epochs: raise SystemExit(f"--steps={a.steps} must be a multiple of --epochs={a.epochs}")
            phase = Phase(f'char{a.steps}', 64 * a.steps // a.epochs, a.epochs, 64, a.lr)
        w, wt, wu = a.timing.split(',')
        timing = dict(windows=int(w), window_time=float(wt), warmup_time=float(wu))
        done = {tuple(r[k] for k in KEY) for r in read_rows(out)}
        print(f"phase {phase}; {len(done)} rows already in {out}", flush=True)
        t_all = time.perf_counter()
        for T, P in grid:                  # points outermost: a partial run has every family at the first points
            for width in widths:
                for fam in fams:
                    if (fam, str(width), str(T), str(P)) in done: continue
                    t0 = time.perf_counter()
                    row = run_point(fam, width, T, P, a.vocab, phase, a.seed, timing, tuple(t for t in a.aux.split(',') if t))
                    append_row(out, row)
                    print(f"{fam:16s} d={width:<4d} T={T:<4d} P={P:<3d} acc={row['test_accuracy']:.3f} (valid "
                          f"{row['valid_accuracy']:.3f}) state={row['state_bytes']:,}B decode={row['decode_ms']:.3f}ms "
                          f"lat={row['latency_ms']:.2f}ms train={row['train_s']}s ({time.perf_counter() - t0:.0f}s in all) "
                          f"curve={row['curve']}", flush=True)
        print(f"total {time.perf_counter() - t_all:.0f} s", flush=True)
    rows = read_rows(out)
    if rows: chart(rows, out)

if __name__ == '__main__': main()
