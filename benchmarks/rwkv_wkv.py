"""Time the WKV implementations of `nas_nb.models.rwkv`: forward + backward, median of a few runs.

    python benchmarks/rwkv_wkv.py                       # T = 256 and 512, B = 8, D = 256, 1 thread
    python benchmarks/rwkv_wkv.py --seq-lens 16 64 --threads 2

Prints one row per implementation and length with the speed relative to the first implementation (the loop),
all measured in the same run.
"""
import argparse, platform
import torch
from nas_nb.models.rwkv import time_wkv, format_wkv_timings

def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--impls', nargs='+', default=['loop', 'chunked', 'logspace'])
    p.add_argument('--seq-lens', nargs='+', type=int, default=[256, 512])
    p.add_argument('--batch', type=int, default=8)
    p.add_argument('--dim', type=int, default=256)
    p.add_argument('--reps', type=int, default=5)
    p.add_argument('--threads', type=int, default=1)
    p.add_argument('--device', default='cpu')
    a = p.parse_args(argv)
    print(f"torch {torch.__version__}, {platform.processor() or platform.machine()}, device {a.device}, "
          f"{a.threads} thread(s), median of {a.reps} runs after a warm-up")
    print(format_wkv_timings(time_wkv(a.impls, a.seq_lens, a.batch, a.dim, a.reps, a.threads, a.device)))

if __name__ == '__main__': main()
