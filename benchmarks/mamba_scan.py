"""CPU speed of the selective scans in `nas_nb.models.mamba`: the sequential reference (`loop`) against the chunked
PyTorch scan (`chunked`) and the fused C++ scan (`fused`, what `impl='auto'` runs on CPU in float32 when it can be
built), forward+backward and forward only, in one process.

    python benchmarks/mamba_scan.py                 # B=8, E=256, N=16, T=256 and 512, 1 thread
    python benchmarks/mamba_scan.py --small         # also a grid of small shapes (is chunked ever slower?)

Runs are interleaved (loop, chunked, loop, ...) so both see the same machine load. Wall time is the median of
--runs; CPU time (process_time, the same median) is printed too because it is steadier on a shared machine.
"""
import argparse, statistics, time
import torch
from nas_nb.models.mamba import selective_scan, scan_chunk_size, fused_scan_kernel

IMPLS = ('loop', 'chunked', 'fused')

def make_inputs(b, t, e, n, seed=0):
    g = torch.Generator().manual_seed(seed)
    ins = [torch.randn(b, t, e, generator=g), torch.rand(b, t, e, generator=g) * 0.1,  # u, delta
           -torch.rand(e, n, generator=g) * 5, torch.randn(b, t, n, generator=g), torch.randn(b, t, n, generator=g)]
    return [x.requires_grad_() for x in ins]

def run_once(impl, ins, backward=True):
    "(wall s, cpu s) of one forward(+backward) of the scan."
    w0, c0 = time.perf_counter(), time.process_time()
    if backward:
        y, _ = selective_scan(*ins, impl=impl)
        torch.autograd.grad(y.sum(), ins)
    else:
        with torch.no_grad(): selective_scan(*ins, impl=impl)
    return time.perf_counter() - w0, time.process_time() - c0

def measure(b, t, e, n, runs, backward=True, impls=IMPLS):
    "{impl: (median wall s, median cpu s)} with the implementations' runs interleaved."
    ins = make_inputs(b, t, e, n)
    for impl in impls: run_once(impl, ins, backward)  # warm-up
    res = {impl: [] for impl in impls}
    for _ in range(runs):
        for impl in impls: res[impl].append(run_once(impl, ins, backward))
    return {k: (statistics.median(w for w, _ in v), statistics.median(c for _, c in v)) for k, v in res.items()}

def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--batch', type=int, default=8)
    p.add_argument('--inner', type=int, default=256, help='E = 2 * hidden_dim')
    p.add_argument('--state', type=int, default=16, help='N = state_dim')
    p.add_argument('--lengths', type=int, nargs='+', default=[256, 512])
    p.add_argument('--runs', type=int, default=5)
    p.add_argument('--threads', type=int, default=1)
    p.add_argument('--small', action='store_true', help='also check a grid of small shapes')
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    b, e, n = a.batch, a.inner, a.state
    impls = IMPLS if fused_scan_kernel() is not None else IMPLS[:2]
    print(f"torch {torch.__version__}, {a.threads} thread(s), B={b} E={e} N={n}, chunked scan chunk={scan_chunk_size(b, e, n)}, "
          f"fused scan {'built' if len(impls) == 3 else 'NOT available'}, median of {a.runs} interleaved runs")
    print(f"{'T':>5} {'pass':>8} " + ' '.join(f"{i + ' ms':>10}" for i in impls) + ' ' +
          ' '.join(f"{i + '/loop':>13}" for i in impls[1:]) + f" {'fused tok/s':>12}  (CPU-time ratios)")
    for t in a.lengths:
        for backward in (True, False):
            r = measure(b, t, e, n, a.runs, backward, impls)
            kind = 'fwd+bwd' if backward else 'fwd'
            ratios = ' '.join(f"{r['loop'][0] / r[i][0]:>12.2f}x" for i in impls[1:])
            cpu = ', '.join(f"{r['loop'][1] / r[i][1]:.2f}x" for i in impls[1:])
            tok = f"{b * t / r['fused'][0]:>12,.0f}" if 'fused' in r else f"{'-':>12}"
            print(f"{t:>5} {kind:>8} " + ' '.join(f"{r[i][0] * 1e3:>10.1f}" for i in impls) + f" {ratios} {tok}  ({cpu})")
    if a.small:
        print("\nsmall shapes, fwd+bwd, CPU time; 'auto' is what selective_scan picks")
        print(f"{'B':>3} {'T':>5} {'E':>5} {'N':>3} {'loop ms':>9} {'chunked ms':>11} {'auto ms':>9} "
              f"{'chunked/loop':>13} {'auto/loop':>10}")
        for sb, st, se, sn in [(1, 1, 64, 4), (8, 2, 256, 16), (1, 8, 64, 4), (1, 64, 64, 16), (2, 256, 64, 16),
                               (4, 32, 128, 16), (16, 128, 128, 16), (1, 1024, 32, 4), (32, 64, 512, 16)]:
            r = measure(sb, st, se, sn, a.runs, impls=('loop', 'chunked', 'auto'))
            lc, cc, ac = r['loop'][1], r['chunked'][1], r['auto'][1]
            print(f"{sb:>3} {st:>5} {se:>5} {sn:>3} {lc * 1e3:>9.2f} {cc * 1e3:>11.2f} {ac * 1e3:>9.2f} "
                  f"{lc / cc:>12.2f}x {lc / ac:>9.2f}x")

if __name__ == '__main__':
    main()
