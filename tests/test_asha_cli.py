"""`nas_nb search --scheduler asha` as a user types it (relative paths, real training on MNIST): the asynchronous search
runs, writes its funnel and report, and a run killed with SIGKILL after its first result and resumed with `--resume`
makes exactly the decisions of the uninterrupted one (the same jobs in the same order, the same results)."""
import json, os, signal, subprocess, sys, time, pathlib

BIN = pathlib.Path(sys.executable).parent
ARGS = ['search', '--experiment', 'mnist', '--mode', 'minimal', '--scheduler', 'asha', '--population', '2',
        '--generations', '2', '--phase', 'fast', '--rungs', 'fast@1,fast', '--seed', '1', '--time-limit', '600']

def nas_nb(*args, cwd, timeout=900):
    return subprocess.run([str(BIN / 'nas_nb'), *args], cwd=cwd, capture_output=True, text=True, timeout=timeout)

def decisions(run):
    tr = json.loads((run / 'scheduler.json').read_text())['trace']
    return [(t['seq'], t['arch_id'], t['rung'], t['status']) for t in tr]

def test_asha_search_report_and_kill9_resume(tmp_path):
    r = nas_nb(*ARGS, '--out', 'runs/asha', '--report', cwd=tmp_path)
    assert r.returncode == 0, r.stderr[-3000:]
    run = tmp_path / 'runs' / 'asha'
    assert 'asynchronous successive halving' in r.stdout and 'funnel: fast@1 4' in r.stdout, r.stdout
    sch = json.loads((run / 'scheduler.json').read_text())
    assert [f['rung'] for f in sch['funnel']] == ['fast@1', 'fast'] and sch['funnel'][0]['finished'] == 4
    assert sch['funnel'][1]['started'] == sch['funnel'][0]['promoted'] >= 1      # floor(4 / 3), or more (asynchronous)
    page = (run / 'report.html').read_text()
    assert 'Scheduler: asynchronous successive halving' in page and 'fast@1' in page
    assert (run / 'pareto.csv').read_text().count('\n') >= 2
    again = nas_nb('search', '--resume', '--out', 'runs/asha', cwd=tmp_path)      # a finished search: nothing to do
    assert again.returncode == 0 and 'resuming' in again.stdout, again.stderr[-2000:]
    assert decisions(run) == decisions(tmp_path / 'runs' / 'asha')

    p = subprocess.Popen([str(BIN / 'nas_nb'), *ARGS, '--out', 'runs/killed'], cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    journal = tmp_path / 'runs' / 'killed' / 'checkpoints' / 'asha.jsonl'
    deadline = time.time() + 600
    while (not journal.exists() or not journal.read_text().strip()) and p.poll() is None and time.time() < deadline: time.sleep(0.05)
    assert p.poll() is None, "the search ended before it could be killed"
    time.sleep(0.5)                                                                # inside the next training
    os.kill(p.pid, signal.SIGKILL); p.wait()
    assert not (tmp_path / 'runs' / 'killed' / 'scheduler.json').exists()
    r = nas_nb('search', '--resume', '--out', 'runs/killed', cwd=tmp_path)
    assert r.returncode == 0, r.stderr[-3000:]
    assert decisions(tmp_path / 'runs' / 'killed') == decisions(run)
    a, b = (json.loads((d / 'best_architecture.json').read_text()) for d in (run, tmp_path / 'runs' / 'killed'))
    assert (a['arch_id'], a['metrics']['accuracy']) == (b['arch_id'], b['metrics']['accuracy'])
    two = nas_nb(*ARGS[:10], '1', *ARGS[11:], '--eta', '2', '--executor', 'process', '--workers', '2', '--out', 'runs/process', cwd=tmp_path)
    assert two.returncode == 0, two.stderr[-3000:]                                 # two worker processes, jobs as they free up
    f = json.loads((tmp_path / 'runs' / 'process' / 'scheduler.json').read_text())['funnel']
    assert f[0]['finished'] == 2 and f[1]['started'] == f[0]['promoted'] >= 1, f
    bad = nas_nb(*ARGS[:-6], '--rungs', 'fast@9,fast', '--out', 'runs/bad', cwd=tmp_path)
    assert bad.returncode != 0 and 'epochs must be 1..5' in bad.stderr, bad.stderr[-1000:]

def test_asha_search_on_ray(tmp_path):
    "The asynchronous search on the Ray executor (a local Ray with 2 CPUs): rung jobs as Ray tasks, the same funnel rules."
    import importlib.util, pytest
    if importlib.util.find_spec('ray') is None: pytest.skip('ray is not installed')
    r = nas_nb(*ARGS[:10], '1', *ARGS[11:], '--eta', '2', '--executor', 'ray', '--workers', '2', '--out', 'runs/ray', cwd=tmp_path)
    assert r.returncode == 0, r.stderr[-3000:]
    run = tmp_path / 'runs' / 'ray'
    sch = json.loads((run / 'scheduler.json').read_text())
    f = sch['funnel']
    assert [x['rung'] for x in f] == ['fast@1', 'fast'] and f[0]['finished'] == 2 and f[1]['started'] == f[0]['promoted'] >= 1, f
    assert all(t['status'] in ('ok', 'promoted', 'stopped') for t in sch['trace']), sch['trace']
    best = json.loads((run / 'best_architecture.json').read_text())
    assert 0 < best['metrics']['accuracy'] <= 1
