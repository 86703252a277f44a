"""The asynchronous scheduler killed with SIGKILL at random moments and resumed, again and again, ends with exactly the
decisions of an uninterrupted run: the same jobs in the same order, the same simulated clock and training seconds, the
same front. On the learning-curve replay executor (`CurveReplay`), where timings are deterministic."""
import json, os, random, signal, subprocess, sys, time, pathlib

SCRIPT = r'''
import json, pathlib, random, sys
from nas_nb.search_space import SearchSpace
from nas_nb.store import EvalResult, ResultStore
from nas_nb.bench import TabularBenchmark, distinct_configs
from nas_nb.experiments import Objective
from nas_nb.executors import EvaluatorSpec
from nas_nb.evolution import SearchConfig
from nas_nb.scheduler import AsyncSearch, CurveReplay, Rung

run_dir, table, resume = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2]), sys.argv[3] == 'resume'
space = SearchSpace.from_options(dict(arch_type=('gqa', 'mamba', 'rwkv', 'linear_attention'), num_layers=(1, 2, 3),
    hidden_dim=(16, 32, 64, 128), num_heads=(2,), kv_ratio=(1,), ffn_multiplier=(0.0, 2.0), normalization=('rmsnorm',),
    activation=('swiglu', 'gelu'), position_encoding=('rope',), quantization=('fp16', 'int8'), pruning=(0.0,), dropout=(0.0,),
    state_dim=(16,)), base=None, name='tiny')
axes = (Objective('accuracy', 'max', 0.6), Objective('size_mb', 'min', 0.4, target=(1e-3, 1.0)))
if not table.exists():  # a made-up table with curves: accuracy rises by epoch, an epoch costs a second or so per layer
    rng, s = random.Random(0), ResultStore(table)
    for c in distinct_configs(space):
        top, sec = rng.random(), c.num_layers * (1 + rng.random())
        curve = [dict(epoch=e, accuracy=top * (1 - 0.5 ** e) + 0.02 * rng.random(), seconds=sec * e) for e in range(1, 6)]
        m = dict(accuracy=curve[-1]['accuracy'], size_mb=c.hidden_dim * c.num_layers * (0.5 if c.quantization == 'int8' else 1) / 1e3,
                 train_time_s=sec * 5, epochs=5)
        s.put(EvalResult(c.arch_id, c.to_dict(), 'synthetic', 'fast', 0, 'ok', metrics=m, curve=curve, code_version='t'))
tb = TabularBenchmark(table, 'fast', 'synthetic', objectives=axes, fitness=axes)
spec = EvaluatorSpec('synthetic', objectives=tuple(o.to_dict() for o in axes),
                     experiment_options=dict(tasks='mqar', seq_len=16, vocab_size=16, n_train=8, n_valid=8, n_test=8))
s = AsyncSearch(space, spec, SearchConfig(population=6, generations=12, seed=5, selection='nsga2'), run_dir,
                CurveReplay(tb, workers=3), rungs=[Rung('fast', 1, 5), Rung('fast', 3, 5), Rung('fast', 5, 5)], log=print)
print(json.dumps(s.run(resume=resume)['funnel']), flush=True)
'''

def scheduler(run): return json.loads((run / 'scheduler.json').read_text())

def test_kill9_at_random_moments_then_resume_equals_uninterrupted(tmp_path):
    script, table = tmp_path / 'asha.py', tmp_path / 'table.sqlite'
    script.write_text(SCRIPT)
    a, b = tmp_path / 'uninterrupted', tmp_path / 'killed'
    subprocess.run([sys.executable, str(script), str(a), str(table), 'new'], check=True, capture_output=True, timeout=600)
    n = len(scheduler(a)['trace'])
    journal = b / 'checkpoints' / 'asha.jsonl'
    lines = lambda: len(journal.read_text().splitlines()) if journal.exists() else 0
    rng, mode = random.Random(1), 'new'
    for target in sorted(rng.sample(range(1, n - 5), 5)):   # kill after a random number of results, at a random instant
        p = subprocess.Popen([sys.executable, str(script), str(b), str(table), mode], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.time() + 300
        while lines() < target and p.poll() is None and time.time() < deadline: time.sleep(0.01)
        time.sleep(rng.uniform(0, 0.05))
        assert p.poll() is None, f"the search ended before the kill after {target} of {n} results: " + p.stderr.read().decode()[-2000:]
        os.kill(p.pid, signal.SIGKILL); p.wait()
        mode = 'resume' if (b / 'checkpoints' / 'asha.json').exists() else 'new'
    r = subprocess.run([sys.executable, str(script), str(b), str(table), mode], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    assert 'resuming' in r.stdout
    sa, sb = scheduler(a), scheduler(b)
    assert sb['trace'] == sa['trace']                 # every decision, its clock and the seconds spent
    assert sb['funnel'] == sa['funnel'] and sb['train_seconds'] == sa['train_seconds']
    assert (b / 'pareto.csv').read_text() == (a / 'pareto.csv').read_text()
    assert n > 80 and not (b / 'checkpoints' / 'asha.json.tmp').exists()
