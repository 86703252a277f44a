"""Training throughput (forward + backward tokens/s) of every family on CPU, and for the recurrent families the
speed of the chosen parallel form against the sequential loop reference, measured in the same run.

    python benchmarks/models.py                       # D=256, L=2, B=8, T=256 and 512, 2 threads
    python benchmarks/models.py --seq 256 --threads 1

The ratio column is (loop time) / (chosen time) for the whole model, so it includes the projections and FFN that
both forms share; the per-scan ratios are printed by mamba_scan.py, rwkv_wkv.py and linear_attention.py.
"""
import argparse, statistics, time
import torch, torch.nn.functional as F
from nas_nb.config import ArchitectureConfig, ARCH_TYPES, ATTENTION_FAMILIES
from nas_nb.models import build_model, Task, count_params

RECURRENT = ('linear_attention', 'mamba', 'rwkv')

def step_time(model, ids, runs):
    "Median seconds of one forward + backward of the LM loss on `ids`."
    times = []
    for i in range(runs + 1):  # the first run warms up
        t0 = time.perf_counter()
        loss = F.cross_entropy(model(ids[:, :-1]).flatten(0, 1), ids[:, 1:].flatten())
        loss.backward()
        model.zero_grad(set_to_none=True)
        if i: times.append(time.perf_counter() - t0)
    return statistics.median(times)

def set_impl(model, impl):
    for blk in model.blocks: blk.mixer.impl = impl

def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--seq', type=int, nargs='+', default=[256, 512])
    p.add_argument('--batch', type=int, default=8)
    p.add_argument('--dim', type=int, default=256)
    p.add_argument('--layers', type=int, default=2)
    p.add_argument('--runs', type=int, default=3)
    p.add_argument('--threads', type=int, default=2)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    print(f"torch {torch.__version__}, {a.threads} threads, B={a.batch}, D={a.dim}, L={a.layers}, heads 4, "
          f"ffn x4, gelu, layernorm, rope (attention families), N=16 (mamba), vocab 257")
    print(f"{'family':17} {'params':>9} {'T':>5} {'tokens/s':>10} {'loop tok/s':>11} {'chosen/loop':>12}")
    for arch in ARCH_TYPES:
        cfg = ArchitectureConfig(arch, num_layers=a.layers, hidden_dim=a.dim, num_heads=4, ffn_multiplier=4.0,
                                 position_encoding='rope' if arch in ATTENTION_FAMILIES else 'absolute',
                                 dropout=0.0, state_dim=16 if arch == 'mamba' else 0).canonical()
        model = build_model(cfg, Task.lm(257, max(a.seq)))
        for t in a.seq:
            ids = torch.randint(0, 257, (a.batch, t + 1), generator=torch.Generator().manual_seed(t))
            chosen = step_time(model, ids, a.runs)
            row = f"{arch:17} {count_params(model):>9,} {t:>5} {a.batch * t / chosen:>10,.0f}"
            if arch in RECURRENT:
                impl = model.blocks[0].mixer.impl
                set_impl(model, 'loop')
                loop = step_time(model, ids, a.runs)
                set_impl(model, impl)
                row += f" {a.batch * t / loop:>11,.0f} {loop / chosen:>11.2f}x"
            print(row, flush=True)

if __name__ == '__main__':
    main()
