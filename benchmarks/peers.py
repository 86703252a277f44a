"""Peer optimizers replayed on a `TabularBenchmark`, with the same encoding and the same evaluation budget as ours.

Encoding: every gene of the sub-space with more than one option is one categorical variable over that gene's
options (`Encoding.genes`); a point is decoded by `SearchSpace.repair` into the canonical architecture, exactly the
genome `EvolutionaryNAS` searches. Genes that do not apply to a family (heads for Mamba, ...) are still variables
(the canonical form ignores them), as they are for our search.

Budget: every optimizer is charged one evaluation per *distinct* architecture; asking again for an architecture
already evaluated in the same run costs nothing and returns the same result (our search keeps its own cache and
never re-trains; the peers get the same cache from `Oracle`). A peer that keeps re-proposing known architectures is
stopped after `5 x budget` proposals and keeps what it found.

Library versions of everything a library provides: random search is Optuna's `RandomSampler`, NSGA-II is Optuna's
`NSGAIISampler` and pymoo's `NSGA2`, TPE is Optuna's `TPESampler` (multi-objective). Regularized evolution (Real et
al. 2019) is written here: neither Optuna nor pymoo (nor nevergrad) ships it, and it is a dozen lines.
"""
from __future__ import annotations
import collections, random
import numpy as np
from nas_nb.config import ArchitectureConfig, GENES
from nas_nb.store import EvalResult

class Budget(Exception): "The evaluation budget (or the proposal cap) is spent."

class Oracle:
    "The table as a black box for a peer: counts distinct architectures, answers repeats for free."
    def __init__(self, tb, budget:int, max_proposals:int|None=None):
        self.tb, self.budget, self.max_proposals = tb, budget, max_proposals or 5 * budget
        self.ids, self._seen, self.proposals = [], set(), 0

    def __call__(self, config:ArchitectureConfig) -> EvalResult:
        self.proposals += 1
        if self.proposals > self.max_proposals: raise Budget('proposal cap')
        aid = config.arch_id
        if aid not in self._seen:
            if len(self.ids) >= self.budget: raise Budget('budget')
            self._seen.add(aid); self.ids.append(aid)
        if aid not in self.tb: return EvalResult(aid, config.to_dict(), self.tb.experiment, self.tb.phase, 0, 'failed', 'not in the table')
        return self.tb.lookup(aid)

    def vector(self, r:EvalResult) -> list:
        "The objectives as the peers minimise them (maximised ones negated); a failure is worse than the table's worst."
        if not r.ok: return [1e9] * len(self.tb.objectives)
        return [(-1 if d == 'max' else 1) * r.metrics[m] for m, d in self.tb.objectives]

class Encoding:
    "The sub-space's genes with more than one option, each a categorical variable over its options; a hybrid space's " \
    "layer pattern as one more variable per layer position (`layer_0`, ...) over its layer choices, of which the first " \
    "`num_layers` are used (the usual fixed-length encoding of a variable-depth genome)."
    def __init__(self, space):
        self.space = space
        self.layers = [f'layer_{i}' for i in range(max(space.options['num_layers']))] if space.is_hybrid else []
        self.options = {g: space.options[g] for g in GENES if len(space.options[g]) > 1}
        self.options.update({l: space.options['mixers'] for l in self.layers})
        self.genes = list(self.options)
        self.sizes = [len(v) for v in self.options.values()]

    def decode(self, values:dict, rng:random.Random) -> ArchitectureConfig:
        "A dict variable -> value as the canonical architecture of the space (repaired into it)."
        genes = {g: self.space.options[g][0] for g in GENES}
        genes.update((g, v) for g, v in values.items() if g not in self.layers)
        if self.layers: genes['mixers'] = tuple(values[l] for l in self.layers[:genes['num_layers']])
        return self.space.repair(genes, rng)

    def from_indices(self, x, rng) -> ArchitectureConfig:
        return self.decode({g: self.options[g][int(i)] for g, i in zip(self.genes, x)}, rng)

# -- Optuna: random search, NSGA-II, TPE (ask-and-tell, so the oracle's budget can stop them mid-generation)
def optuna_search(tb, space, budget:int, seed:int, sampler:str, **kw) -> list[str]:
    import optuna
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    samplers = dict(random=optuna.samplers.RandomSampler, nsga2=optuna.samplers.NSGAIISampler, tpe=optuna.samplers.TPESampler,
                    gp=optuna.samplers.GPSampler)
    directions = ['minimize'] * len(tb.objectives)
    if sampler == 'default':  # what a user gets who names no sampler (Optuna 5: TPESampler), seeded through the study
        study = optuna.create_study(directions=directions, sampler=optuna.samplers.TPESampler(seed=seed, **kw))
        assert type(optuna.create_study(directions=directions).sampler) is optuna.samplers.TPESampler, 'Optuna changed its default'
    else: study = optuna.create_study(directions=directions, sampler=samplers[sampler](seed=seed, **kw))
    enc, oracle, rng = Encoding(space), Oracle(tb, budget), random.Random(seed)
    try:
        while True:
            t = study.ask()
            c = enc.decode({g: t.suggest_categorical(g, enc.options[g]) for g in enc.genes}, rng)
            r = oracle(c)  # a repeat is told its (free) values again; told as failed, TPE re-proposed one architecture to the cap
            if r.ok: study.tell(t, oracle.vector(r))
            else: study.tell(t, state=optuna.trial.TrialState.FAIL)
    except Budget: pass
    return oracle.ids

# -- pymoo: NSGA-II on the option indices (its documented integer setup: SBX + polynomial mutation with rounding)
def pymoo_nsga2(tb, space, budget:int, seed:int, pop_size:int=20) -> list[str]:
    from pymoo.algorithms.moo.nsga2 import NSGA2
    from pymoo.core.problem import Problem
    from pymoo.operators.crossover.sbx import SBX
    from pymoo.operators.mutation.pm import PM
    from pymoo.operators.repair.rounding import RoundingRepair
    from pymoo.operators.sampling.rnd import IntegerRandomSampling
    enc, oracle, rng = Encoding(space), Oracle(tb, budget), random.Random(seed)
    problem = Problem(n_var=len(enc.genes), n_obj=len(tb.objectives), xl=np.zeros(len(enc.genes)), xu=np.array(enc.sizes) - 1, vtype=int)
    algo = NSGA2(pop_size=pop_size, sampling=IntegerRandomSampling(),
                 crossover=SBX(prob=1.0, eta=3.0, vtype=float, repair=RoundingRepair()),
                 mutation=PM(prob=1.0, eta=3.0, vtype=float, repair=RoundingRepair()), eliminate_duplicates=True)
    algo.setup(problem, termination=('n_gen', 10 ** 6), seed=seed, verbose=False)
    try:
        while True:
            pop = algo.ask()
            F = [oracle.vector(oracle(enc.from_indices(x, rng))) for x in pop.get('X')]
            pop.set('F', np.array(F, dtype=float))
            algo.tell(infills=pop)
    except Budget: pass
    return oracle.ids

# -- Regularized evolution (Real et al. 2019, Algorithm 1): aging evolution on the weighted fitness
def mutate_one(space, c:ArchitectureConfig, rng:random.Random) -> ArchitectureConfig:
    "Redraw one gene that applies to `c`'s family (chosen uniformly) to another of its options; repaired. In a hybrid " \
    "space a layer's mixer is a gene too (and a new `num_layers` drops or repeats layers, as repair does)."
    from nas_nb.config import applies
    genes, layers = c.to_dict(), list(c.layer_types)
    movable = [g for g in GENES if applies(g, c.arch_type, c.mixers) and len(space.options[g]) > 1]
    if space.is_hybrid and len(space.options['mixers']) > 1: movable += [i for i in range(len(layers))]
    g = rng.choice(movable)
    if isinstance(g, int): layers[g] = rng.choice([m for m in space.options['mixers'] if m != layers[g]])
    else: genes[g] = rng.choice([o for o in space.options[g] if o != genes[g]])
    if space.is_hybrid: genes.update(arch_type='hybrid', mixers=tuple(layers))
    return space.repair(genes, rng)

def regularized_evolution(tb, space, budget:int, seed:int, population:int=20, sample:int=5) -> list[str]:
    rng, oracle, pop = random.Random(seed), Oracle(tb, budget), collections.deque()
    try:
        while len(pop) < population:
            c = space.sample(rng); pop.append((c, oracle(c).fitness))
        while True:
            parent = max(rng.sample(list(pop), sample), key=lambda p: p[1])[0]
            child = mutate_one(space, parent, rng)
            pop.append((child, oracle(child).fitness)); pop.popleft()    # the oldest dies, not the worst
    except Budget: pass
    return oracle.ids
