"""Learning curves on the synthetic suite: per-task validation accuracy after every epoch, for one small model of each
family, trained with `nas_nb.train.train` exactly as the evaluator trains. They size the suite's fidelities
(`SYNTHETIC_PHASES`): a phase is long enough when the curves have flattened.

    python benchmarks/synthetic_curves.py                       # every family, d=64, 2 layers, the default suite
    python benchmarks/synthetic_curves.py --families gqa,mamba --epochs 8 --samples 8000

Writes benchmarks/results/synthetic/curves.csv (one row per family and epoch, appended) and curves.html (an Altair
chart of every row in the CSV: accuracy against optimizer steps, per task and their mean)."""
import argparse, csv, pathlib, time
import torch
from nas_nb.config import ArchitectureConfig
from nas_nb.experiments import load_experiment
from nas_nb.models import build_model
from nas_nb.train import train, split_metrics, Phase

GENES = dict(normalization='rmsnorm', activation='swiglu', ffn_multiplier=2.0, dropout=0.0)
FAMILY = {'gqa': dict(arch_type='gqa', position_encoding='rope'),
          'transformer': dict(arch_type='transformer', position_encoding='absolute'),
          'linear_attention': dict(arch_type='linear_attention', position_encoding='rope'),
          'mamba': dict(arch_type='mamba', position_encoding='none', state_dim=16),
          'rwkv': dict(arch_type='rwkv', position_encoding='none')}

def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--families', default=','.join(FAMILY))
    ap.add_argument('--width', type=int, default=64); ap.add_argument('--layers', type=int, default=2)
    ap.add_argument('--heads', type=int, default=2)
    ap.add_argument('--samples', type=int, default=14_000, help='training sequences drawn per epoch')
    ap.add_argument('--epochs', type=int, default=8)
    ap.add_argument('--lr', type=float, default=3e-3)
    ap.add_argument('--seq-len', type=int, default=64); ap.add_argument('--vocab', type=int, default=64)
    ap.add_argument('--tasks', default=None, help='comma-separated task names (default: the whole suite)')
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--out', default='benchmarks/results/synthetic/curves.csv')
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    exp = load_experiment('synthetic', tasks=a.tasks, seq_len=a.seq_len, vocab_size=a.vocab)
    print(exp.source)
    phase = Phase('curve', a.samples, a.epochs, 64, a.lr)
    rows = []
    for fam in a.families.split(','):
        cfg = ArchitectureConfig(hidden_dim=a.width, num_layers=a.layers, num_heads=a.heads, **GENES, **FAMILY[fam])
        model = build_model(cfg, exp.task)
        def per_task(m, rec):
            for name, part in exp.parts['valid'].items(): rec[name] = split_metrics(m, part)['token_accuracy']
        t0 = time.perf_counter()
        r = train(model, exp.train, exp.valid, phase, patience=None, on_epoch=per_task)
        for h in r.history:
            row = dict(family=fam, width=a.width, layers=a.layers, epoch=h['epoch'] + 1,
                       steps=(h['epoch'] + 1) * -(-min(a.samples, len(exp.train[0])) // 64), seconds=round(h['seconds'], 1),
                       mean=round(sum(h[n] for n in exp.parts['valid']) / len(exp.parts['valid']), 4),
                       **{n: round(h[n], 4) for n in exp.parts['valid']})
            rows.append(row)
            print(' '.join(f"{k}={v}" for k, v in row.items()), flush=True)
        print(f"{fam}: {time.perf_counter() - t0:.0f} s", flush=True)
    out = pathlib.Path(a.out); out.parent.mkdir(parents=True, exist_ok=True)
    with out.open('a' if out.exists() else 'w', newline='') as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        if f.tell() == 0: w.writeheader()
        w.writerows(rows)
    print(f"wrote {out}; chart: {chart(out)}")

def chart(csv_path:pathlib.Path) -> pathlib.Path:
    "An Altair chart of every curve in `csv_path` beside it (HTML, no network needed to open it)."
    import altair as alt, pandas as pd
    df = pd.read_csv(csv_path)
    tasks = [c for c in df.columns if c not in ('family', 'width', 'layers', 'epoch', 'steps', 'seconds')]
    long = df.melt(id_vars=['family', 'width', 'layers', 'steps'], value_vars=tasks, var_name='task', value_name='accuracy')
    c = alt.Chart(long).mark_line(point=True).encode(
        x=alt.X('steps:Q', title='AdamW steps (batch 64)'), y=alt.Y('accuracy:Q', title='valid answer accuracy', scale=alt.Scale(domain=[0, 1])),
        color='family:N', tooltip=['family', 'task', 'steps', 'accuracy']).properties(width=220, height=160)
    out = csv_path.with_suffix('.html')
    c.facet(facet=alt.Facet('task:N', sort=['mean'] + [t for t in tasks if t != 'mean']), columns=4).save(str(out), inline=True)
    return out

if __name__ == '__main__': main()
