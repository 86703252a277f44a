"""Evidence that the pipeline trains real models: the seed's "ultra-light" baseline adapted to MNIST, and a Mamba and
an RWKV model of similar size, at the `full` phase on the offline MNIST subset (test accuracy, wall time); and a
byte-level LM on the offline code corpus at the `fast` phase (held-out bits per byte vs the unigram baseline of the
same data).

    python benchmarks/train_evidence.py [--mnist] [--lm] [--threads 2]
"""
import argparse, math, time
import numpy as np, torch
from nas_nb.config import ArchitectureConfig as AC
from nas_nb.search_space import BASELINES
from nas_nb.models import build_model, Task, count_params
from nas_nb.data import load_mnist, load_code_corpus, ByteTokenizer, lm_sequences
from nas_nb.train import train, split_metrics, get_phase

def mnist(seed, only=None, lr=1e-3):
    data = load_mnist(seed=seed)
    print(f"MNIST source: {data.source}")
    ul = BASELINES['ultra_light']
    cfgs = {'small patch transformer L2 D128': AC('transformer', num_layers=2, hidden_dim=128, num_heads=4, dropout=0.1),
            'ultra_light (transformer L4 D256)': ul,
            'mamba L4 D192 N16': AC('mamba', num_layers=4, hidden_dim=192, state_dim=16, dropout=0.1),
            'rwkv L4 D256': AC('rwkv', num_layers=4, hidden_dim=256, dropout=0.1)}
    print(f"{'model':34} {'params':>10} {'epochs':>6} {'status':>13} {'valid acc':>9} {'test acc':>8} {'wall s':>7}")
    for name, cfg in cfgs.items():
        if only and only not in name: continue
        m = build_model(cfg, data.task, seed=seed)
        t0 = time.perf_counter()
        r = train(m, data.train, data.valid, 'full', seed=seed, lr=lr)
        wall = time.perf_counter() - t0
        test = split_metrics(m, data.test)
        print(f"{name:34} {count_params(m):>10,} {r.epochs:>6} {r.status:>13} {r.metrics['accuracy']:>9.3f} "
              f"{test['accuracy']:>8.3f} {wall:>7.1f}", flush=True)

def lm(seed, context=256):
    corpus = load_code_corpus()
    print(f"code corpus: {corpus.source}; sizes {corpus.sizes()}")
    tok = ByteTokenizer()
    tr = lm_sequences(corpus.train['code'], tok, context, max_sequences=20_000)
    va = lm_sequences(corpus.valid['code'], tok, context, max_sequences=500)
    # unigram baseline: byte frequencies of the training windows, scored on the held-out targets
    counts = np.bincount(tr[:, 1:].flatten().numpy(), minlength=tok.vocab_size) + 1
    logp = np.log2(counts / counts.sum())
    unigram_bpb = -logp[va[:, 1:].flatten().numpy()].mean()
    cfg = AC('gqa', num_layers=4, hidden_dim=256, num_heads=8, kv_ratio=2, activation='swiglu', normalization='rmsnorm',
             position_encoding='rope', dropout=0.0)
    m = build_model(cfg, Task.lm(tok.vocab_size, context), seed=seed)
    t0 = time.perf_counter()
    r = train(m, tr, va, 'fast', seed=seed, lr=2e-3, batch_size=32)
    print(f"byte LM {count_params(m):,} params, phase fast ({r.samples_seen} windows of {context} bytes, {r.epochs} epochs) "
          f"in {time.perf_counter() - t0:.0f}s: held-out {r.metrics['bits_per_byte']:.3f} bits/byte, "
          f"token accuracy {r.metrics['token_accuracy']:.3f}; unigram baseline {unigram_bpb:.3f} bits/byte")

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--mnist', action='store_true'); p.add_argument('--lm', action='store_true')
    p.add_argument('--threads', type=int, default=2); p.add_argument('--seed', type=int, default=0)
    p.add_argument('--only', help='train only the MNIST models whose name contains this')
    p.add_argument('--lr', type=float, default=1e-3, help='peak learning rate of the MNIST runs')
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    if a.mnist or not a.lm: mnist(a.seed, a.only, a.lr)
    if a.lm or not a.mnist: lm(a.seed)
