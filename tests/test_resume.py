"""A search killed with SIGKILL in the middle of an evaluation and resumed with `nas_nb search --resume` ends exactly
like an uninterrupted search with the same seed, and re-trains nothing that had finished: a search of the minimal
mode, and one of the hybrid mode (a mixer per layer, at width 32 and 2-3 layers)."""
import csv, json, os, signal, sqlite3, subprocess, sys, time, pathlib
import pytest

BIN = pathlib.Path(sys.executable).parent
DETERMINISTIC = ('generation', 'phase', 'best_fitness', 'mean_fitness', 'std_fitness', 'hypervolume', 'front_size',
                 'evaluations', 'failed')

# mode -> the search's own flags, and how many trainings finish before the kill (the next one is killed mid-way)
SEARCHES = {'minimal': (['--mode', 'minimal', '--population', '4', '--generations', '3'], 5),
            'hybrid': (['--mode', 'hybrid', '--space', 'hidden_dim=32', '--space', 'num_layers=2,3', '--space', 'quantization=fp16',
                        '--population', '3', '--generations', '2'], 4)}

def search_args(out, obj, mode='minimal'):  # latency is measured, hence noisy: the objectives leave it out so runs compare exactly
    return [str(BIN / 'nas_nb'), 'search', *SEARCHES[mode][0], '--phase', 'smoke', '--seed', '3', '--objectives', str(obj),
            '--out', str(out)]

def rows(run):
    db = run / 'results.sqlite'
    if not db.exists(): return []
    try:
        with sqlite3.connect(db, timeout=5) as c: return c.execute('SELECT arch_id, created_at FROM trainings ORDER BY rowid').fetchall()
    except sqlite3.OperationalError: return []  # the schema is not there yet

def history(run):
    with open(run / 'history.csv') as fh: return [{k: r[k] for k in DETERMINISTIC} for r in csv.DictReader(fh)]

@pytest.mark.parametrize('mode', list(SEARCHES))
def test_kill9_mid_evaluation_then_resume_equals_uninterrupted(tmp_path, mode):
    obj = tmp_path / 'objectives.json'
    obj.write_text(json.dumps([dict(name='accuracy', weight=0.7), dict(name='params', direction='min', weight=0.3, target=[1e5, 1e7])]))
    a, b = tmp_path / 'uninterrupted', tmp_path / 'killed'
    subprocess.run(search_args(a, obj, mode), check=True, capture_output=True, timeout=900)

    p = subprocess.Popen(search_args(b, obj, mode), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 600
    kill_after = SEARCHES[mode][1]
    while len(rows(b)) < kill_after and p.poll() is None and time.time() < deadline: time.sleep(0.05)
    assert p.poll() is None, "the search ended before it could be killed"
    time.sleep(0.3)                                   # now inside the next candidate's evaluation (gen 1)
    os.kill(p.pid, signal.SIGKILL)
    p.wait()
    done_before = rows(b)
    assert kill_after <= len(done_before) < len(rows(a)), (len(done_before), len(rows(a)))
    assert not (b / 'history.csv').exists()           # it really died mid-search

    r = subprocess.run([str(BIN / 'nas_nb'), 'search', '--resume', '--out', str(b)], capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stderr[-2000:]
    assert 'resuming' in r.stdout and 'search done' in r.stdout, r.stdout

    assert history(b) == history(a)
    best_a, best_b = (json.loads((d / 'best_architecture.json').read_text()) for d in (a, b))
    assert (best_b['arch_id'], best_b['config']) == (best_a['arch_id'], best_a['config'])
    after = rows(b)
    assert after[:len(done_before)] == done_before    # what finished before the kill was not re-trained
    assert sorted(x for x, _ in after) == sorted(x for x, _ in rows(a))  # and nothing was evaluated twice
    with sqlite3.connect(b / 'results.sqlite') as c: assert c.execute('PRAGMA integrity_check').fetchone()[0] == 'ok'
    if mode == 'hybrid':                              # the search and its resume were of hybrids
        info = json.loads((b / 'search.json').read_text())
        assert info['options']['arch_type'] == ['hybrid'] and info['options']['mixers'] == ['gqa', 'linear_attention', 'mamba', 'rwkv']
        with sqlite3.connect(b / 'results.sqlite') as c: configs = [json.loads(x) for x, in c.execute('SELECT config FROM trainings')]
        assert any(cfg['arch_type'] == 'hybrid' for cfg in configs), configs
