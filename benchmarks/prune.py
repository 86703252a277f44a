"""Structured pruning: parameters, artifact bytes and CPU latency of every family at fractions 0.2/0.4/0.6, as ratios
to the unpruned model measured in the same run.

    python benchmarks/prune.py                     # D=256, L=4, 8 heads, FFN 4x, batch 1, T=128, 1 thread
    python benchmarks/prune.py --dim 128 --seq 64

Latency is the evaluator's: the fastest of the forward passes timed in two 0.5 s windows, batch 1 (see
nbs/40_evaluate.ipynb for why not the median on a shared CPU).
"""
import argparse
import torch
from nas_nb.config import ArchitectureConfig, ARCH_TYPES, ATTENTION_FAMILIES
from nas_nb.models import build_model, Task, count_params
from nas_nb.compress import artifact_size
from nas_nb.prune import prune
from nas_nb.evaluate import latency_passes

def latency_ms(model, ids, min_run_time):
    return min(latency_passes(model, ids, threads=None, min_time=min_run_time / 2) + latency_passes(model, ids, threads=None, min_time=min_run_time / 2))

def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--dim', type=int, default=256)
    p.add_argument('--layers', type=int, default=4)
    p.add_argument('--seq', type=int, default=128)
    p.add_argument('--threads', type=int, default=1)
    p.add_argument('--min-run-time', type=float, default=1.0)
    p.add_argument('--fractions', type=float, nargs='+', default=[0.2, 0.4, 0.6])
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    task = Task.lm(vocab_size=257, context_length=a.seq)
    ids = torch.randint(0, 257, (1, a.seq), generator=torch.Generator().manual_seed(0))
    print(f"D={a.dim} L={a.layers} heads=8 FFN 4x swiglu, byte LM, batch 1, T={a.seq}, {a.threads} thread(s); "
          "ratios are pruned / unpruned")
    print(f"{'family':17s} {'fraction':>8s} {'params':>10s} {'ratio':>6s} {'artifact':>10s} {'ratio':>6s} {'latency ms':>10s} {'ratio':>6s}")
    for arch in ARCH_TYPES:
        cfg = ArchitectureConfig(arch, num_layers=a.layers, hidden_dim=a.dim, num_heads=8, kv_ratio=2 if arch == 'gqa' else 1,
                                 ffn_multiplier=4.0, activation='swiglu', normalization='rmsnorm',
                                 position_encoding='rope' if arch in ATTENTION_FAMILIES or arch == 'linear_attention' else 'absolute',
                                 state_dim=16 if arch == 'mamba' else 0, dropout=0.0).canonical()
        base = build_model(cfg, task).eval()
        b = count_params(base), artifact_size(base), latency_ms(base, ids, a.min_run_time)
        print(f"{arch:17s} {0.0:8.1f} {b[0]:10,d} {1:6.2f} {b[1]:10,d} {1:6.2f} {b[2]:10.2f} {1:6.2f}", flush=True)
        for f in a.fractions:
            m = prune(base, f).eval()
            r = count_params(m), artifact_size(m), latency_ms(m, ids, a.min_run_time)
            print(f"{arch:17s} {f:8.1f} {r[0]:10,d} {r[0] / b[0]:6.2f} {r[1]:10,d} {r[1] / b[1]:6.2f} {r[2]:10.2f} {r[2] / b[2]:6.2f}", flush=True)

if __name__ == '__main__':
    main()
