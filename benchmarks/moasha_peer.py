"""syne-tune's MOASHA (multi-objective asynchronous successive halving) replayed as a peer on a `TabularBenchmark`
whose results carry learning curves, driven by a simulated clock with W workers instead of syne-tune's `Tuner`.

The scheduler is syne-tune 0.16's own `syne_tune.optimizer.schedulers.multiobjective.moasha.MOASHA`, unmodified. Its
config space is the peers' `Encoding` (every gene with more than one option a `choice` over its options), decoded to the
canonical architecture by `SearchSpace.repair`, exactly as `peers.py` does. What the `Tuner` and its simulator backend
would do is replayed here, call for call:

- a free worker asks `suggest()`; a new trial gets `on_trial_add`, then its epochs one by one: epoch `e` ends
  `curve[e]['seconds'] - curve[e-1]['seconds']` simulated seconds after the previous one on that worker, and is told by
  `on_trial_result(trial, {'epoch': e, <objectives>})`: accuracy from the curve's epoch `e` (any objective the curve
  records), the cost metrics (size, decode state, decode time, ...) from the final metrics (they do not depend on
  training). MOASHA minimises every metric (one `do_minimize` flag), so each is told as the benchmark axis it is scored
  on, oriented to be minimised: -accuracy, log(size_mb), ... (`Objective.transform`, negated). Not the table's min-max
  normalisation, which a tuner would not know.
- STOP: the trial ends at the epoch it reported, its worker is free at once (`on_trial_remove`, as the Tuner calls it);
  it has paid for exactly the epochs it ran. PAUSE: the same, but the trial is kept with the epoch it reached; when
  `suggest()` returns `TrialSuggestion.resume_suggestion(trial_id)` it continues on the asking worker from its next epoch
  and pays only the further epochs (the simulator backend resumes a checkpointing script from its checkpoint). CONTINUE
  at the last epoch: the trial completed (`on_trial_complete`). MOASHA 0.16 is a stopping-type scheduler: it returns only
  CONTINUE and STOP (STOP at every `max_t` result), never PAUSE; the PAUSE path is there for promotion-type schedulers and
  is tested with one.
- a proposal not in the table (or a stored failure): a failed trial, `on_trial_error` as the Tuner calls it, no cost,
  and the worker asks again at once.

Seeding: MOASHA 0.16 draws its configurations with `Domain.sample()` without a `random_state` (numpy's global generator)
and its bracket with `np.random.choice`: `random_seed` alone does not seed it. A run seeds numpy's global generator
with `seed` for its duration and restores the previous state after it, so a run is a function of its seed.

    python benchmarks/moasha_peer.py --seeds 5                       # the synthetic table (results/synthetic/table.sqlite)
    python benchmarks/moasha_peer.py --store /tmp/table_copy.sqlite   # a copy of a table still being built
    python benchmarks/moasha_peer.py --space hybrid                   # the MNIST hybrid table (336 layer patterns)
"""
from __future__ import annotations
import argparse, contextlib, datetime, heapq, json, pathlib, random, statistics, sys
import numpy as np
sys.path.insert(0, str(pathlib.Path(__file__).parent))
from peers import Encoding

TIME_ATTR = 'epoch'
_CURVE_KEYS = ('epoch', 'seconds', 'samples')   # the curve's bookkeeping, not metrics
_T0 = datetime.datetime(2000, 1, 1)              # the simulated clock's origin (trial creation times)

@contextlib.contextmanager
def numpy_seeded(seed:int):
    "numpy's global generator seeded with `seed` inside the block; its previous state restored after it."
    state = np.random.get_state()
    np.random.seed(seed)
    try: yield
    finally: np.random.set_state(state)

def config_space(enc:Encoding) -> dict:
    "The `Encoding`'s categorical variables as a syne-tune config space: one `choice` over each variable's options."
    from syne_tune.config_space import choice
    return {g: choice(list(o)) for g, o in enc.options.items()}

def table_epochs(tb) -> int:
    "The number of epochs of every ok result's learning curve (a table without curves, or with unequal ones, is refused)."
    lengths = {len(r.curve) for r in tb.results.values() if r.ok}
    if lengths == {0}: raise ValueError(f"{tb}: its results have no learning curves (a table built before curves were stored)")
    if len(lengths) != 1: raise ValueError(f"{tb}: learning curves of unequal lengths {sorted(lengths)}: max_t must be given")
    return lengths.pop()

def epoch_cost(r, e:int) -> float:
    "Training seconds of epoch `e` (1-based) of result `r`: the increase of its curve's cumulative `seconds`."
    return r.curve[e - 1]['seconds'] - (r.curve[e - 2]['seconds'] if e > 1 else 0.0)

def reported(tb, r, e:int) -> dict:
    "What a trial of `r` reports after epoch `e`: the epoch and every benchmark objective, oriented to be minimised."
    point = r.curve[e - 1]
    return {TIME_ATTR: e, **{o.name: -o.transform(point[o.name] if o.name in point and o.name not in _CURVE_KEYS else r.metrics[o.name])
                             for o in tb.axes}}

def simulate(tb, space, scheduler, seed:int, workers:int=2, max_train_seconds:float|None=None, max_trials:int|None=None,
             max_t:int|None=None, max_failures:int=10_000) -> tuple[list[dict], dict]:
    """Drive `scheduler` (a syne-tune `TrialScheduler` over `config_space(Encoding(space))`) on the table as the Tuner and
    its simulator backend would, with `workers` simulated workers. Returns the trace (one dict per epoch result
    delivered, in event order: clock, train_seconds, arch_id, epochs, final, trial, decision) and counts."""
    from syne_tune.backend.trial_status import Trial
    from syne_tune.optimizer.scheduler import SchedulerDecision as D
    if max_train_seconds is None and max_trials is None: raise ValueError('simulate: give max_train_seconds or max_trials (else it never ends)')
    if workers < 1: raise ValueError(f'simulate: workers={workers}, at least 1')
    max_t = max_t or table_epochs(tb)
    enc, rng = Encoding(space), random.Random(seed)
    events, trials, paused, idle, trace = [], {}, {}, [], []
    n = dict(started=0, failed=0, resumed=0, stopped=0, paused=0, completed=0)
    train, seq, fails = 0.0, 0, 0

    def push(t:float, w:int, tid:int, e:int):
        nonlocal seq
        r = trials[tid][1]
        if len(r.curve) < e: raise ValueError(f"{r.arch_id}: its curve has {len(r.curve)} epochs, max_t={max_t}")
        heapq.heappush(events, (t + epoch_cost(r, e), seq, w, tid, e)); seq += 1

    def start(w:int, now:float) -> bool:   # the worker asks for work; False: none given (it stays idle)
        nonlocal fails
        while max_trials is None or n['started'] < max_trials:
            s = scheduler.suggest()
            if s is None: return False
            if not s.spawn_new_trial_id:   # resume a paused trial from the epoch it reached
                tid = s.checkpoint_trial_id
                if tid not in paused: raise ValueError(f"the scheduler resumed trial {tid}, which is not paused (paused: {sorted(paused)})")
                n['resumed'] += 1; push(now, w, tid, paused.pop(tid) + 1); return True
            if s.checkpoint_trial_id is not None: raise NotImplementedError('a new trial warm-started from another trial\'s checkpoint')
            tid = n['started']; n['started'] += 1
            values = {g: enc.options[g][list(enc.options[g]).index(v)] for g, v in s.config.items() if g in enc.options}
            c = enc.decode(values, rng)
            trial = Trial(trial_id=tid, config=dict(s.config), creation_time=_T0 + datetime.timedelta(seconds=now))
            scheduler.on_trial_add(trial)
            r = tb.results.get(c.arch_id)
            if r is None or not r.ok:      # not in the table (or a stored failure): a failed trial, no cost
                n['failed'] += 1; fails += 1; scheduler.on_trial_error(trial)
                if fails >= max_failures: raise ValueError(f"{fails} proposals in a row are not in {tb}: is {space} its space?")
                continue
            fails = 0; trials[tid] = (trial, r); push(now, w, tid, 1); return True
        return False

    for w in range(workers):
        if not start(w, 0.0): idle.append(w)
    while events:
        t, _, w, tid, e = heapq.heappop(events)
        trial, r = trials[tid]
        cost = epoch_cost(r, e)
        if max_train_seconds is not None and train + cost > max_train_seconds: break   # the budget is spent
        train += cost
        res = reported(tb, r, e)
        decision = scheduler.on_trial_result(trial, res)
        trace.append(dict(clock=t, train_seconds=train, arch_id=r.arch_id, epochs=e, final=e == max_t, trial=tid, decision=decision))
        if decision == D.STOP: scheduler.on_trial_remove(trial); n['stopped'] += 1; idle.append(w)
        elif decision == D.PAUSE:
            if e >= max_t: raise ValueError(f'the scheduler paused trial {tid} at its last epoch {e}')
            scheduler.on_trial_remove(trial); paused[tid] = e; n['paused'] += 1; idle.append(w)
        elif e >= max_t: scheduler.on_trial_complete(trial, res); n['completed'] += 1; idle.append(w)
        else: push(t, w, tid, e + 1)
        idle = [v for v in sorted(idle) if not start(v, t)]    # free workers ask for work (again) now
    return trace, dict(n, train_seconds=train, clock=trace[-1]['clock'] if trace else 0.0, paused_left=len(paused))

def ranked_priority(dim:int|None=0):
    """syne-tune's non-dominated sort (Pareto fronts, each ordered by its epsilon-net from the best of objective `dim`) as
    the `MOPriority` interface defines it: one priority per row, its rank in that order (0 first)."""
    from syne_tune.optimizer.schedulers.multiobjective.multiobjective_priority import NonDominatedPriority
    from syne_tune.optimizer.schedulers.multiobjective.non_dominated_priority import pareto_efficient, compute_epsilon_net
    class RankedNonDominatedPriority(NonDominatedPriority):
        "Each row's rank in the non-dominated order (0.16's `NonDominatedPriority` returns the order itself)."
        def priority_unsafe(self, objectives:np.ndarray) -> np.ndarray:
            remaining, order = np.arange(len(objectives)), []
            while remaining.size:
                mask = pareto_efficient(objectives[remaining]); front = remaining[mask]
                order += front[np.argsort(compute_epsilon_net(objectives[front], dim=self.dim))].tolist()  # it returns ranks
                remaining = remaining[~mask]
            ranks = np.empty(len(objectives), dtype=int); ranks[order] = np.arange(len(objectives))
            return ranks
    return RankedNonDominatedPriority(dim=dim)

PRIORITIES = ('library', 'ranked')

def moasha(space, metrics, seed:int, max_t:int=5, grace_period:int=1, reduction_factor:float=3, brackets:int=1,
           priority:str='library'):
    """syne-tune's MOASHA over the `Encoding` of `space`, minimising `metrics`, with `epoch` as its time attribute;
    `priority`: 'library' (its default `NonDominatedPriority`) or 'ranked' (`ranked_priority()`)."""
    from syne_tune.optimizer.schedulers.multiobjective.moasha import MOASHA
    if priority not in PRIORITIES: raise ValueError(f"priority={priority!r}: expected one of {PRIORITIES}")
    return MOASHA(config_space(Encoding(space)), metrics=list(metrics), do_minimize=True, time_attr=TIME_ATTR, max_t=max_t,
                  multiobjective_priority=ranked_priority() if priority == 'ranked' else None,
                  grace_period=grace_period, reduction_factor=reduction_factor, brackets=brackets, random_seed=seed)

def moasha_run(tb, space, seed:int, workers:int=2, max_train_seconds:float|None=None, max_trials:int|None=None,
               max_t:int|None=None, grace_period:int=1, reduction_factor:float=3, priority:str='library',
               stats:dict|None=None) -> list[dict]:
    """One seeded MOASHA run on the table: the trace of epoch results (clock, train_seconds, arch_id, epochs, final, ...).
    `grace_period=max_t` is random search at full fidelity with MOASHA's sampler (it never stops a trial early)."""
    max_t = max_t or table_epochs(tb)
    with numpy_seeded(seed):
        sched = moasha(space, [o.name for o in tb.axes], seed, max_t, grace_period, reduction_factor, priority=priority)
        trace, counts = simulate(tb, space, sched, seed, workers, max_train_seconds, max_trials, max_t)
    if stats is not None: stats.update(counts)
    return trace

def hv_by_compute(tb, trace:list[dict], grid, key:str='train_seconds') -> list[dict]:
    """For each compute value of `grid` (training seconds, or simulated wall seconds with `key='clock'`): the HV ratio and
    regret of the architectures that reached their final epoch by then (their table values), and how many they are."""
    out, i, done = [], 0, []
    ev = sorted(trace, key=lambda d: d[key])
    for g in sorted(grid):
        while i < len(ev) and ev[i][key] <= g:
            if ev[i]['final'] and ev[i]['arch_id'] not in done: done.append(ev[i]['arch_id'])
            i += 1
        out.append({key: g, 'hv_ratio': tb.hv_ratio(done) if done else 0.0, 'regret': tb.regret(done), 'finals': len(done)})
    return out

def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--space', default='synthetic', choices=('synthetic', 'hybrid'),
                   help="synthetic: synthetic_table.py's table (its experiment's default objectives); hybrid: the MNIST hybrid "
                        "table (tabular_build.py --space hybrid, with compare.py's HYBRID_OBJECTIVES)")
    p.add_argument('--store', default=None, help='default: results/synthetic/table.sqlite, or results/tabular/mnist_hybrid.sqlite')
    p.add_argument('--phase', default=None, help='default: table (synthetic), fast (hybrid)')
    p.add_argument('--seeds', type=int, default=5)
    p.add_argument('--workers', type=int, default=2)
    p.add_argument('--budgets', default='5,10,25,50,100', help="training budgets, in full trainings of the table's mean network")
    p.add_argument('--grace-period', type=int, default=1)
    p.add_argument('--reduction-factor', type=float, default=3)
    p.add_argument('--algos', default='moasha,moasha-ranked,random-full-fidelity',
                   help="moasha (the library's priority), moasha-ranked (`ranked_priority`), random-full-fidelity "
                        "(MOASHA with grace_period=max_t: its sampler, no early stopping)")
    p.add_argument('--out', default=None, help='the JSON of per-seed HV-by-compute (default: next to the store)')
    a = p.parse_args()
    from nas_nb.bench import TabularBenchmark
    from nas_nb.experiments import DEFAULT_OBJECTIVES, Objective
    res = pathlib.Path(__file__).parent / 'results'
    if a.space == 'hybrid':
        from compare import HYBRID_OBJECTIVES
        from tabular_build import space as table_space
        a.store, a.phase, experiment, sp = a.store or str(res / 'tabular' / 'mnist_hybrid.sqlite'), a.phase or 'fast', 'mnist', table_space('hybrid')
        axes, fitness = [Objective(o.name, o.direction, scale=o.scale) for o in HYBRID_OBJECTIVES], HYBRID_OBJECTIVES
    else:
        from synthetic_table import space as synthetic_space
        a.store, a.phase, experiment, sp = a.store or str(res / 'synthetic' / 'table.sqlite'), a.phase or 'table', 'synthetic', synthetic_space()
        axes = fitness = DEFAULT_OBJECTIVES['synthetic']
    tb = TabularBenchmark(a.store, a.phase, experiment, objectives=axes, fitness=fitness)
    max_t = table_epochs(tb)
    full = statistics.mean(r.curve[-1]['seconds'] for r in tb.results.values() if r.ok)
    budgets = [float(b) for b in a.budgets.split(',')]
    grid = [b * full for b in budgets]
    print(f"{tb}; {max_t} epochs; a full training {full:.2f} s on average; {sp}", flush=True)
    algos = {'moasha': (a.grace_period, 'library'), 'moasha-ranked': (a.grace_period, 'ranked'), 'random-full-fidelity': (max_t, 'library')}
    if unknown := set(a.algos.split(',')) - set(algos): raise SystemExit(f"unknown --algos {sorted(unknown)}: expected some of {list(algos)}")
    runs = {}
    for name in a.algos.split(','):
        gp, priority = algos[name]
        for seed in range(a.seeds):
            stats = {}
            trace = moasha_run(tb, sp, seed, a.workers, max_train_seconds=grid[-1], grace_period=gp,
                               reduction_factor=a.reduction_factor, priority=priority, stats=stats)
            runs.setdefault(name, []).append(dict(seed=seed, stats=stats, hv=hv_by_compute(tb, trace, grid)))
    print(f"\nHV ratio (mean ± std over {a.seeds} seeds, {a.workers} workers) at a training budget of N full trainings:")
    print('| algorithm | ' + ' | '.join(f'{b:g} ({g:.0f} s)' for b, g in zip(budgets, grid)) + ' | finals @max | trials started |')
    print('|---|' + '---|' * (len(grid) + 2))
    for name, rs in runs.items():
        cells = []
        for j in range(len(grid)):
            v = [r['hv'][j]['hv_ratio'] for r in rs]
            cells.append(f"{statistics.mean(v):.3f} ± {statistics.stdev(v) if len(v) > 1 else 0.0:.3f}")
        fin = statistics.mean(r['hv'][-1]['finals'] for r in rs)
        print(f"| {name} | {' | '.join(cells)} | {fin:.1f} | {statistics.mean(r['stats']['started'] for r in rs):.0f} |")
    out = pathlib.Path(a.out) if a.out else pathlib.Path(a.store).with_name(f'moasha_peer_{a.space}.json')
    out.write_text(json.dumps(dict(table=repr(tb), store=a.store, space=a.space, max_t=max_t, mean_full_train_s=full, workers=a.workers,
                                   grace_period=a.grace_period, reduction_factor=a.reduction_factor, budgets=budgets,
                                   grid_train_seconds=grid, runs=runs), indent=1))
    print(f"\nwrote {out}")

if __name__ == '__main__': main()
