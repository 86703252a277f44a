"""The CUDA checks for a lent GPU machine: the model tests on CUDA in fp32 and bf16, which SDPA kernel
`flash_attention` dispatches to, training tokens/s per family at a realistic size, and the evaluator and the
process executor on CUDA.  Run by scripts/gpu_check.sh; prints a table per section and writes JSON to --out.

    python scripts/gpu_check.py --out /tmp/gpu_check.json          # ~5 min on one H100/H200
"""
import argparse, json, statistics, sys, time, traceback
import torch, torch.nn.functional as F
from nas_nb.config import ArchitectureConfig, ARCH_TYPES, ATTENTION_FAMILIES
from nas_nb.models import build_model, Task, count_params

def sync(dev):
    if dev.type == 'cuda': torch.cuda.synchronize(dev)

def rel(a, b): return ((a.float() - b.float()).norm() / b.float().norm().clamp_min(1e-12)).item()

def variants():
    "Every family with each position encoding (attention families) or each norm (the others), activations cycled."
    acts, norms = ('gelu', 'swiglu', 'geglu', 'silu'), ('layernorm', 'rmsnorm', 'groupnorm')
    i = 0
    for arch in ARCH_TYPES:
        for j, pe in enumerate(('absolute', 'rope', 'alibi') if arch in ATTENTION_FAMILIES else ('none',) * 3):
            yield ArchitectureConfig(arch, num_layers=2, hidden_dim=64, num_heads=4, kv_ratio=2 if arch == 'gqa' else 1,
                                     position_encoding=pe if pe != 'none' else 'absolute', normalization=norms[j],
                                     activation=acts[i % 4], ffn_multiplier=2.0, dropout=0.0,
                                     state_dim=8 if arch == 'mamba' else 0).canonical()
            i += 1

def step_logits(model, ids):
    state, outs = model.init_state(ids.shape[0], device=ids.device), []
    for t in range(ids.shape[1]):
        lo, state = model.step(ids[:, t], state)
        outs.append(lo)
    return torch.stack(outs, 1)

def model_checks(dev):
    "Per variant: CUDA fp32 vs CPU, causality, step == forward, bf16 vs fp32, a loss that falls under bf16 autocast."
    torch.backends.cuda.matmul.allow_tf32 = torch.backends.cudnn.allow_tf32 = False
    task, rows, ok = Task.lm(97, 64), [], True
    g = torch.Generator().manual_seed(0)
    for cfg in variants():
        r = dict(arch=cfg.arch_type, pe=cfg.position_encoding, norm=cfg.normalization, act=cfg.activation)
        try:
            cpu = build_model(cfg, task, seed=0).eval()
            m = build_model(cfg, task, seed=0).to(dev).eval()
            ids = torch.randint(0, 97, (2, 48), generator=g)
            x = ids.to(dev)
            with torch.no_grad():
                ref, out = cpu(ids), m(x)
                r['cuda_vs_cpu'] = rel(out.cpu(), ref)
                x2 = x.clone(); x2[:, 24:] = (x2[:, 24:] + 1) % 97
                r['causal_diff'] = (m(x2)[:, :24] - out[:, :24]).abs().max().item()
                r['step_vs_fwd'] = rel(step_logits(m, x), out)
                with torch.autocast(dev.type, dtype=torch.bfloat16):
                    ob = m(x)
                    r['bf16_vs_fp32'] = rel(ob, out)
                    r['bf16_step_vs_fwd'] = rel(step_logits(m, x), ob)
            clf = build_model(cfg, Task.classify(49, 16, 10), seed=0).to(dev)
            r['classify_shape'] = list(clf(torch.randn(3, 16, 49, device=dev)).shape)
            m.train()
            opt = torch.optim.AdamW(m.parameters(), lr=3e-3)
            losses = []
            for _ in range(40):
                with torch.autocast(dev.type, dtype=torch.bfloat16):
                    loss = F.cross_entropy(m(x[:, :-1]).flatten(0, 1).float(), x[:, 1:].flatten())
                loss.backward()
                r.setdefault('grads_finite', all(p.grad is None or torch.isfinite(p.grad).all().item() for p in m.parameters()))
                opt.step(); opt.zero_grad(set_to_none=True); losses.append(loss.item())
            r['loss_first'], r['loss_last'] = losses[0], losses[-1]
            r['pass'] = (r['cuda_vs_cpu'] < 1e-4 and r['causal_diff'] < 1e-5 and r['step_vs_fwd'] < 1e-4
                         and r['bf16_vs_fp32'] < 3e-2 and r['bf16_step_vs_fwd'] < 5e-2 and r['grads_finite']
                         and r['classify_shape'] == [3, 10] and losses[-1] < 0.5 * losses[0])
        except Exception as e:
            r['pass'], r['error'] = False, f"{type(e).__name__}: {e}"; traceback.print_exc()
        ok &= r['pass']; rows.append(r)
        print(f"{r['arch']:17} {r['pe']:8} {r['norm']:9} {r['act']:6} cuda/cpu {r.get('cuda_vs_cpu', -1):.1e} "
              f"causal {r.get('causal_diff', -1):.1e} step {r.get('step_vs_fwd', -1):.1e} bf16 {r.get('bf16_vs_fp32', -1):.1e} "
              f"bf16-step {r.get('bf16_step_vs_fwd', -1):.1e} loss {r.get('loss_first', 0):.2f}->{r.get('loss_last', 0):.2f} "
              f"{'PASS' if r['pass'] else 'FAIL ' + r.get('error', '')}", flush=True)
    torch.backends.cuda.matmul.allow_tf32 = torch.backends.cudnn.allow_tf32 = True
    return ok, rows

def sdpa_kernels(dev, seq=1024):
    "Kernel names the profiler sees for one bf16 forward+backward of each attention family and position encoding."
    from torch.profiler import profile, ProfilerActivity
    rows = []
    for arch in ('flash_attention', 'gqa', 'transformer'):
        for pe in ('rope', 'alibi'):
            cfg = ArchitectureConfig(arch, num_layers=1, hidden_dim=512, num_heads=8, kv_ratio=4 if arch == 'gqa' else 1,
                                     position_encoding=pe, dropout=0.0).canonical()
            m = build_model(cfg, Task.lm(1000, seq)).to(dev)
            x = torch.randint(0, 1000, (4, seq), device=dev)
            for _ in range(2):
                with torch.autocast(dev.type, dtype=torch.bfloat16): m(x).float().mean().backward()
            sync(dev)
            with profile(activities=[ProfilerActivity.CUDA if dev.type == 'cuda' else ProfilerActivity.CPU]) as p:
                with torch.autocast(dev.type, dtype=torch.bfloat16): m(x).float().mean().backward()
                sync(dev)
            names = sorted({e.key for e in p.key_averages() if any(s in e.key.lower() for s in ('flash', 'fmha', 'efficient', 'cudnn', 'attention', 'softmax'))})
            fused = [n for n in names if any(s in n.lower() for s in ('flash', 'fmha', 'efficient', 'cudnn'))]
            rows.append(dict(arch=arch, pe=pe, fused=bool(fused), kernels=names[:8]))
            print(f"{arch:16} {pe:6} fused={bool(fused)!s:5} {'; '.join(n[:70] for n in names[:4])}", flush=True)
    return rows

def throughput(dev, seq=1024, batch=16, dim=512, layers=8, vocab=8192, steps=8):
    "Training tokens/s (bf16 autocast, AdamW) per family, and for the recurrent ones the chosen form vs the loop."
    rows = []
    for arch in ARCH_TYPES:
        cfg = ArchitectureConfig(arch, num_layers=layers, hidden_dim=dim, num_heads=8, kv_ratio=4 if arch == 'gqa' else 1,
                                 position_encoding='rope' if arch in ATTENTION_FAMILIES else 'absolute', activation='swiglu',
                                 normalization='rmsnorm', ffn_multiplier=4.0, dropout=0.0,
                                 state_dim=16 if arch == 'mamba' else 0).canonical()
        r = dict(arch=arch)
        try:
            m = build_model(cfg, Task.lm(vocab, seq)).to(dev)
            r['params'] = count_params(m)
            opt = torch.optim.AdamW(m.parameters(), lr=1e-4, fused=dev.type == 'cuda')
            ids = torch.randint(0, vocab, (batch, seq + 1), device=dev)
            def one():
                with torch.autocast(dev.type, dtype=torch.bfloat16):
                    loss = F.cross_entropy(m(ids[:, :-1]).flatten(0, 1).float(), ids[:, 1:].flatten())
                loss.backward(); opt.step(); opt.zero_grad(set_to_none=True)
            if dev.type == 'cuda': torch.cuda.reset_peak_memory_stats(dev)
            for _ in range(2): one()
            times = []
            for _ in range(steps):
                sync(dev); t0 = time.perf_counter(); one(); sync(dev)
                times.append(time.perf_counter() - t0)
            r['tokens_per_s'] = batch * seq / statistics.median(times)
            r['peak_gb'] = torch.cuda.max_memory_allocated(dev) / 1e9 if dev.type == 'cuda' else 0.0
            r['impl'] = getattr(m.blocks[0].mixer, 'impl', '')
            print(f"{arch:17} {r['params']:>12,} params  {r['tokens_per_s']:>12,.0f} tok/s  peak {r['peak_gb']:.1f} GB  impl {r['impl']}", flush=True)
        except Exception as e:
            r['error'] = f"{type(e).__name__}: {e}"; print(arch, r['error'], flush=True)
        rows.append(r)
        del m, opt
        if dev.type == 'cuda': torch.cuda.empty_cache()
    return rows

def scan_ratio(dev, seq=512, batch=8, dim=256, layers=2):
    "Recurrent families on CUDA: forward+backward of the chosen form vs the sequential loop, same run."
    rows = []
    for arch in ('linear_attention', 'mamba', 'rwkv'):
        cfg = ArchitectureConfig(arch, num_layers=layers, hidden_dim=dim, num_heads=4, dropout=0.0,
                                 state_dim=16 if arch == 'mamba' else 0).canonical()
        m = build_model(cfg, Task.lm(257, seq)).to(dev)
        ids = torch.randint(0, 257, (batch, seq + 1), device=dev)
        chosen_impl = m.blocks[0].mixer.impl  # the family's default form (chunked / auto)
        def t(impl, n=3):
            for blk in m.blocks: blk.mixer.impl = impl
            ts = []
            for i in range(n + 1):
                sync(dev); t0 = time.perf_counter()
                F.cross_entropy(m(ids[:, :-1]).flatten(0, 1), ids[:, 1:].flatten()).backward()
                sync(dev)
                if i: ts.append(time.perf_counter() - t0)
            m.zero_grad(set_to_none=True)
            return statistics.median(ts)
        chosen, loop = t(chosen_impl), t('loop', 1)
        rows.append(dict(arch=arch, chosen_ms=chosen * 1e3, loop_ms=loop * 1e3, ratio=loop / chosen))
        print(f"{arch:17} T={seq} chosen {chosen*1e3:8.1f} ms  loop {loop*1e3:9.1f} ms  loop/chosen {loop/chosen:6.1f}x", flush=True)
    return rows

def evaluator_check(dev):
    "One smoke evaluation on CUDA through the real evaluator: latency timed with CUDA events."
    from nas_nb.evaluate import Evaluator
    from nas_nb.search_space import BASELINES
    r = Evaluator('mnist', phase='fast', device=str(dev), seed=0).evaluate(BASELINES['ultra_light'])
    keep = dict(status=r.status, message=r.message, fitness=r.fitness, metrics=r.metrics, timings=r.timings)
    print(json.dumps(keep, default=str), flush=True)
    return keep

SIZES = {}

def main():
    p = argparse.ArgumentParser(); p.add_argument('--out', default='gpu_check.json'); p.add_argument('--only', default=None)
    p.add_argument('--device', default='cuda'); p.add_argument('--small', action='store_true', help='tiny sizes (a CPU dry run)')
    a = p.parse_args()
    dev = torch.device(a.device)
    info = dict(torch=torch.__version__, cuda=torch.version.cuda,
                gpu=torch.cuda.get_device_name(dev) if dev.type == 'cuda' else 'none')
    if a.small: SIZES.update(throughput=dict(seq=64, batch=2, dim=64, layers=1, steps=2), scan_ratio=dict(seq=32, batch=2, dim=32, layers=1),
                              sdpa=dict(seq=64))
    print(info, flush=True)
    res, t0 = dict(info=info), time.time()
    for name, fn in (('models', model_checks), ('sdpa', sdpa_kernels), ('scan_ratio', scan_ratio),
                     ('throughput', throughput), ('evaluator', evaluator_check)):
        if a.only and name not in a.only.split(','): continue
        print(f"\n== {name} ==", flush=True)
        try: res[name] = fn(dev, **SIZES.get(name, {}))
        except Exception as e: res[name] = f"error: {type(e).__name__}: {e}"; traceback.print_exc()
        print(f"({time.time() - t0:.0f} s)", flush=True)
        with open(a.out, 'w') as f: json.dump(res, f, indent=1, default=str)
    ok = isinstance(res.get('models'), tuple) and res['models'][0]
    print("\nmodel checks:", "PASS" if ok else "FAIL")

if __name__ == '__main__':
    main()
