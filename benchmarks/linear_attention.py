"""Forward + backward time of `LinearAttention`: sequential loop vs quadratic vs chunked forms, measured in one run.

    python benchmarks/linear_attention.py [--threads 1] [--batch 8] [--dim 256] [--heads 4] [--seq 256 512]

Prints, per position encoding and sequence length, the median time of forward + backward of the whole module
(projections included), tokens/s (batch x T / time) and the speed-up over the loop reference measured in the same
run. The default chunk size `LA_CHUNK` was picked from this table.
"""
import argparse, statistics, time
import torch
from nas_nb.config import ArchitectureConfig
from nas_nb.models.linear_attention import LinearAttention, LA_CHUNK


def time_fwd_bwd(m, x, reps):
    "Median seconds of forward + backward of m(x).sum(), after one warm-up run."
    ts = []
    for _ in range(reps + 1):
        m.zero_grad(set_to_none=True)
        t0 = time.perf_counter()
        m(x).sum().backward()
        ts.append(time.perf_counter() - t0)
    return statistics.median(ts[1:])


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--threads', type=int, default=1)
    p.add_argument('--batch', type=int, default=8)
    p.add_argument('--dim', type=int, default=256)
    p.add_argument('--heads', type=int, default=4)
    p.add_argument('--seq', type=int, nargs='+', default=[256, 512])
    p.add_argument('--chunks', type=int, nargs='+', default=[16, 32, 64, 128])
    p.add_argument('--pe', nargs='+', default=['absolute', 'rope', 'alibi'])
    p.add_argument('--reps', type=int, default=5, help='timed runs per cell (the loop gets max(2, reps // 2))')
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    print(f"torch {torch.__version__}, {a.threads} thread(s), B={a.batch} D={a.dim} H={a.heads} "
          f"Dh={a.dim // a.heads}, forward+backward, median of {a.reps}; default chunk {LA_CHUNK}")
    print(f"{'pe':9s} {'T':>5s} {'impl':>10s} {'ms':>9s} {'tokens/s':>10s} {'vs loop':>8s}")
    for pe in a.pe:
        torch.manual_seed(0)
        cfg = ArchitectureConfig(arch_type='linear_attention', hidden_dim=a.dim, num_heads=a.heads, position_encoding=pe)
        m = LinearAttention(cfg)
        for T in a.seq:
            x = torch.randn(a.batch, T, a.dim)
            cases = [('loop', 'loop', LA_CHUNK), ('quadratic', 'quadratic', LA_CHUNK)]
            cases += [(f'C={c}', 'chunked', c) for c in a.chunks]
            res = {}
            for name, impl, c in cases:
                m.impl, m.chunk_size = impl, c
                res[name] = time_fwd_bwd(m, x, max(2, a.reps // 2) if impl == 'loop' else a.reps)
            for name, s in res.items():
                mark = ' *' if name == f'C={LA_CHUNK}' else ''
                print(f"{pe:9s} {T:5d} {name:>10s} {s * 1e3:9.1f} {a.batch * T / s:10.0f} {res['loop'] / s:7.1f}x{mark}",
                      flush=True)


if __name__ == '__main__':
    main()
