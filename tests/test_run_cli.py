"""`nas_nb run` as the README types it: the run where the README says, the last line `report: <path>`, live
progress while the notebook runs, `--out` relative and absolute, and bad parameters refused before a kernel starts."""
import json, os, pathlib, re, subprocess
import pytest
from conftest import BIN

# the smallest real run: 2 architectures of one family, 1 generation, the smoke budget, no baselines
TINY = ['-p', 'mode', 'minimal', '-p', 'population', '2', '-p', 'generations', '1', '-p', 'phases', 'smoke',
        '-p', 'families', '["transformer"]', '-p', 'baselines', '[]']

def nas_nb_run(cwd, *args, timeout=900):
    "The installed `nas_nb run ...`, started in `cwd` (nothing else is told where to write); output as written (\\r kept)."
    r = subprocess.run([str(BIN / 'nas_nb'), 'run', *map(str, args)], cwd=cwd, capture_output=True, timeout=timeout)
    r.stdout, r.stderr = r.stdout.decode(), r.stderr.decode()
    return r

def test_readme_command_default_location(tmp_path):
    "`nas_nb run mnist` (tiny values): reports/mnist/<time>/ under the current directory, and the README's last line."
    r = nas_nb_run(tmp_path, 'mnist', *TINY)
    assert r.returncode == 0, r.stderr[-3000:]
    last = r.stdout.strip().splitlines()[-1]
    m = re.fullmatch(r'report: (reports/mnist/\d{8}-\d{6}/report\.html)', last)
    assert m, r.stdout
    report = pathlib.Path(m[1])
    assert (tmp_path / report).is_file() and (tmp_path / report).stat().st_size > 10_000
    run_dir = tmp_path / report.parent
    for f in ('mnist.ipynb', 'search.json', 'results.sqlite', 'history.csv', 'pareto.csv', 'best_architecture.json'):
        assert (run_dir / f).is_file(), f
    assert f"notebook: {report.parent / 'mnist.ipynb'}" in r.stdout.splitlines()
    assert os.listdir(tmp_path) == ['reports'] and not list(run_dir.rglob('reports'))   # no nested reports/ folder
    assert json.loads((run_dir / 'search.json').read_text())['settings']['population'] == 2
    # while it ran, the terminal showed the notebook's progress: the bar of the generation's evaluations, then its line
    assert 'generation 0 (smoke): 100%|' in r.stderr, r.stderr
    assert re.search(r'\rgen +0 \[smoke\] best \d\.\d{4} .*HV \d\.\d{4} .*new 2 .* \d+\.\d s\n', r.stderr), r.stderr
    assert f"search done: {report.parent}" in r.stderr and 'Traceback' not in r.stderr
    assert 'without encryption' not in r.stderr and '{\n' not in r.stderr   # no kernel warning, no JSON dump
    assert r.stderr.count('report: ') == 0 and r.stdout.count('report: ') == 1  # the report's path once, last

@pytest.mark.parametrize('where', ['relative', 'absolute'])
def test_out(tmp_path, where):
    "`--out` as typed: a relative one under the current directory, an absolute one anywhere; `--quiet` shows nothing else."
    (tmp_path / 'cwd').mkdir()
    out = pathlib.Path('runs/mine') if where == 'relative' else tmp_path / 'elsewhere' / 'mine'
    r = nas_nb_run(tmp_path / 'cwd', 'mnist', *TINY, '--out', out, '--quiet')
    assert r.returncode == 0, r.stderr[-3000:]
    assert r.stdout.splitlines() == [f"notebook: {out / 'mnist.ipynb'}", f"report: {out / 'report.html'}"], r.stdout
    run_dir = tmp_path / 'cwd' / out if where == 'relative' else out
    assert (run_dir / 'report.html').is_file() and (run_dir / 'mnist.ipynb').is_file() and not list(run_dir.rglob('reports'))
    assert os.listdir(tmp_path / 'cwd') == (['runs'] if where == 'relative' else [])
    assert 'gen ' not in r.stderr and 'generation 0' not in r.stderr   # --quiet: no progress

@pytest.mark.parametrize('params, says', [
    (['population', '0'], 'population=0 is invalid: must be an integer >= 2'),
    (['population', 'abc'], "population='abc' is invalid: must be an integer (the notebook's default is 8)"),
    (['phases', 'bogus'], "phases=['bogus'] is invalid: allowed phases are smoke, fast, medium, full"),
    (['data_dir', '/nonexistent'], "data_dir='/nonexistent': no such file or directory"),
    (['mode', 'huge'], "mode='huge' is invalid: allowed modes are minimal, medium, full"),
    (['baselines', '["tiny_gpt"]'], 'unknown tiny_gpt; allowed are'),
    (['popualtion', '3'], 'unknown parameter(s) popualtion for mnist: allowed are data_dir')])
def test_bad_parameter(tmp_path, params, says):
    "Refused before the kernel starts: one line naming the parameter and what is allowed, status 2, nothing created."
    r = nas_nb_run(tmp_path, 'mnist', '-p', *params, timeout=120)
    assert (r.returncode, r.stdout) == (2, ''), (r.returncode, r.stdout, r.stderr)
    assert r.stderr.startswith('nas_nb: error: ') and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert says in r.stderr, r.stderr
    assert os.listdir(tmp_path) == []   # no output folder (papermill writes the notebook there first thing)

def test_failing_notebook(tmp_path):
    "A value that passes the checks but fails in the notebook (a data folder without MNIST files): one line, status 1."
    (tmp_path / 'empty').mkdir()
    r = nas_nb_run(tmp_path, 'mnist', *TINY, '-p', 'data_dir', 'empty', '--out', 'run', '--quiet')
    assert (r.returncode, r.stdout) == (1, ''), (r.returncode, r.stdout, r.stderr)
    assert re.fullmatch(r"nas_nb: error: mnist\.ipynb failed in cell \d+: FileNotFoundError: empty: no MNIST idx files .*"
                        r"\(the executed notebook: run/mnist\.ipynb\)\n", r.stderr), r.stderr
    assert (tmp_path / 'run' / 'mnist.ipynb').is_file()   # kept: it shows the error in place

def test_asha_notebook(tmp_path):
    """The experiment notebook with the asynchronous scheduler, as typed (`-p scheduler asha -p rungs ...`): the run holds
    the scheduler's journal and funnel, the baselines are measured at its final rung's phase, the report shows the funnel;
    a ladder the experiment's phases cannot hold, or asha's settings with the sync scheduler, are refused before a kernel."""
    r = nas_nb_run(tmp_path, 'mnist', '-p', 'mode', 'minimal', '-p', 'population', '2', '-p', 'generations', '2',
                   '-p', 'phases', 'smoke,fast', '-p', 'scheduler', 'asha', '-p', 'rungs', 'smoke,fast', '-p', 'eta', '2',
                   '-p', 'baselines', '["ultra_light"]', '--out', 'run', '--quiet')
    assert r.returncode == 0, r.stderr[-3000:]
    run = tmp_path / 'run'
    sch = json.loads((run / 'scheduler.json').read_text())
    assert [f['rung'] for f in sch['funnel']] == ['smoke', 'fast'] and sch['funnel'][0]['finished'] == 4, sch['funnel']
    assert sch['funnel'][1]['started'] == sch['funnel'][0]['promoted'] >= 2       # floor(4 / 2), or more (asynchronous)
    assert (run / 'checkpoints' / 'asha.jsonl').read_text().count('\n') == len(sch['trace'])
    base = json.loads((run / 'baselines.json').read_text())
    assert [b['name'] for b in base] == ['ultra_light'] and base[0]['result']['phase'] == 'fast'
    assert 'Scheduler: asynchronous successive halving' in (run / 'report.html').read_text()
    (tmp_path / 'bad').mkdir()
    for params, says in ((['-p', 'scheduler', 'asha', '-p', 'phases', 'fast', '-p', 'rungs', 'fast@9,fast'], 'epochs must be 1..5'),
                         (['-p', 'rungs', 'fast@1,fast'], "settings of scheduler='asha'"),
                         (['-p', 'scheduler', 'hyperband'], "scheduler='hyperband' is invalid: allowed values are sync, asha")):
        bad = nas_nb_run(tmp_path / 'bad', 'mnist', *params, timeout=120)
        assert (bad.returncode, bad.stdout) == (2, '') and says in bad.stderr, (params, bad.stderr)
        assert os.listdir(tmp_path / 'bad') == []
