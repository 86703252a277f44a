"""The seed's MNIST experiment at the size it planned (issue 19): 50 architectures x 10 generations of the medium space,
fast -> medium -> full with the asynchronous scheduler and 2 workers, the seed's baselines at full beside it. This
script measures what that run costs on this machine before anyone starts it, and prints the commands.

The run itself is the CLI (resumable: kill it at any moment, `--resume` continues with the same decisions):

    nas_nb search --scheduler asha --rungs fast,medium,full --eta 3 --mode medium --population 50 --generations 10 \\
        --phases fast,medium,full --selection nsga2 --executor process --workers 2 --out runs/mnist-seed-scale --report
    nas_nb search --resume --out runs/mnist-seed-scale             # after an interruption
    for b in gpt2_like transformer_512 ultra_light mamba_512 llama_like; do nas_nb evaluate $b --experiment mnist --phase full; done
    # or in one notebook with the report and the baselines beside the front (not resumable):
    nas_nb run mnist -p mode medium -p population 50 -p generations 10 -p phases fast,medium,full -p selection nsga2 \
        -p scheduler asha -p rungs fast,medium,full -p executor process -p workers 2 \
        -p baselines '["gpt2_like","transformer_512","ultra_light","mamba_512","llama_like"]'
    # with the official MNIST files: add --data-dir /data/mnist (60,000 training images: 100,000 samples per full epoch)

The estimate: a seeded sample of the medium space (and the seed's baselines) trained for one epoch of 1,000 images
with one torch thread, the seconds per training image per epoch of each, times the images x epochs that each phase
trains (fast 1,000 x 5, medium min(10,000, train) x 10, full min(100,000, train) x 20; early stopping can only shorten
medium and full) and the number of candidates that reach each rung with eta 3 (500, 500/3, 500/9).

    python benchmarks/mnist_seed_scale.py --sample 12          # about 10 minutes of one core here
"""
import argparse, json, pathlib, random, time
import numpy as np, torch
from nas_nb.search_space import SearchSpace, BASELINES
from nas_nb.executors import EvaluatorSpec
from nas_nb.train import Phase, PHASES

OUT = pathlib.Path(__file__).parent / 'results' / 'mnist-seed-scale'

def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--sample', type=int, default=12, help='medium-space architectures to time')
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--candidates', type=int, default=500, help='new candidates (population x generations)')
    p.add_argument('--eta', type=float, default=3)
    p.add_argument('--workers', type=int, default=2)
    a = p.parse_args()
    torch.set_num_threads(1)
    space = SearchSpace('medium')
    rng = random.Random(a.seed)
    configs = [space.sample(rng) for _ in range(a.sample)]
    spec = EvaluatorSpec('mnist', threads=1)
    probe = Phase('probe', 1000, 1)
    ev = spec.make(probe)
    n_train = len(ev.exp.train[0])
    per = {}
    for name, c in [(f"medium #{i}", c) for i, c in enumerate(configs)] + list(BASELINES.items()):
        t0 = time.perf_counter(); r = ev.evaluate(c); wall = time.perf_counter() - t0
        tt = float(r.metrics.get('train_time_s') or wall)
        per[name] = dict(arch=f"{c.arch_type} L{c.num_layers} D{c.hidden_dim}", seconds_per_image_epoch=tt / probe.samples,
                         params=r.metrics.get('params'), status=r.status, wall_s=wall)
        print(f"{name:>16}: {per[name]['arch']:<28} {tt:6.1f} s for 1,000 images ({r.status}); {wall:.1f} s with its measurements", flush=True)
    images = {k: min(PHASES[k].samples, n_train) * PHASES[k].epochs for k in ('fast', 'medium', 'full')}
    reach = {'fast': a.candidates, 'medium': a.candidates / a.eta, 'full': a.candidates / a.eta ** 2}
    s_med = float(np.mean([v['seconds_per_image_epoch'] for k, v in per.items() if k.startswith('medium')]))
    s_base = {k: v['seconds_per_image_epoch'] for k, v in per.items() if not k.startswith('medium')}
    search = sum(reach[k] * images[k] * s_med for k in images)
    base = sum(images['full'] * s for s in s_base.values())
    est = dict(train_images=n_train, images_per_phase=images, candidates_per_rung=reach,
               mean_seconds_per_image_epoch_medium_space=s_med, search_cpu_s=search, baselines_cpu_s=base,
               total_cpu_h=(search + base) / 3600, wall_h_with_workers=(search + base) / 3600 / a.workers, measured=per)
    print(f"\ntraining images {n_train:,}; images x epochs per phase {images}; candidates reaching each phase {reach}")
    print(f"medium space: {s_med * 1e3:.2f} ms per image per epoch (mean of {a.sample}, one thread)")
    print(f"search: {search / 3600:.1f} CPU-hours; baselines at full: {base / 3600:.1f}; total {est['total_cpu_h']:.1f} "
          f"CPU-hours, {est['wall_h_with_workers']:.1f} h with {a.workers} workers (training only; no early stopping)")
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / 'estimate.json').write_text(json.dumps(est, indent=1))

if __name__ == '__main__': main()
