"""The experiment notebooks executed end to end through papermill (`nas_nb run`) at tiny sizes."""
import json, pathlib
import pandas as pd
from conftest import nas_nb as run_cli, ROOT

def outputs(nb_path):
    "All text a notebook printed, and the names of cells that raised."
    nb = json.loads(pathlib.Path(nb_path).read_text())
    text, errors = [], []
    for c in nb['cells']:
        for o in c.get('outputs', []):
            if o['output_type'] == 'stream': text.append(''.join(o['text']))
            if o['output_type'] == 'error': errors.append(o['ename'])
    return '\n'.join(text), errors

def test_mnist_experiment(mnist_run):
    out = mnist_run
    for f in ('mnist.ipynb', 'search.json', 'results.sqlite', 'history.csv', 'pareto.csv', 'populations.json',
              'best_architecture.json', 'baselines.json', 'report.html', 'charts/pareto.png', 'charts/fitness.svg'):
        assert (out / f).is_file(), f
    text, errors = outputs(out / 'mnist.ipynb')
    assert not errors
    info = json.loads((out / 'search.json').read_text())
    assert info['settings']['population'] == 3 and info['settings']['phases'] == ['smoke']   # the parameters arrived
    assert info['options']['arch_type'] == ['transformer', 'rwkv']
    hist = pd.read_csv(out / 'history.csv')
    assert list(hist.phase) == ['smoke', 'smoke'] and list(hist.generation) == [0, 1]
    bl = json.loads((out / 'baselines.json').read_text())
    assert bl[0]['name'] == 'ultra_light' and bl[0]['result']['phase'] == 'smoke' and bl[0]['result']['status'] == 'ok'
    assert "The search's best beats" in text

def test_codesearchnet_experiment(tmp_path):
    from nas_nb.data import build_code_corpus
    import nas_nb as pkg
    corpus, _ = build_code_corpus([pathlib.Path(pkg.__file__).parent], cache_dir=tmp_path / 'cache', progress=False)
    out = tmp_path / 'csn'
    run_cli('run', 'codesearchnet', '-p', 'data_dir', corpus, '-p', 'population', '2', '-p', 'generations', '1',
           '-p', 'phases', 'smoke', '-p', 'families', '["mamba"]', '-p', 'baselines', '[]', '--out', out, '--quiet')
    text, errors = outputs(out / 'codesearchnet.ipynb')
    assert not errors and 'CodeSearchNet jsonl' in text and 'byte accuracy' in text
    assert (out / 'report.html').is_file()
    assert json.loads((out / 'search.json').read_text())['spec']['experiment'] == 'codesearchnet'

def test_humaneval_mbpp_experiment(tmp_path):
    from nas_nb.data import build_code_corpus
    import nas_nb as pkg
    corpus, _ = build_code_corpus([pathlib.Path(pkg.__file__).parent], cache_dir=tmp_path / 'cache', progress=False)
    mbpp = ROOT.parent / 'shared' / 'data' / 'mbpp' / 'mbpp.jsonl'
    out = tmp_path / 'he'
    run_cli('run', 'humaneval_mbpp', '-p', 'data_dir', corpus, '-p', 'population', '2', '-p', 'generations', '1',
           '-p', 'phases', 'smoke', '-p', 'families', '["transformer"]', '-p', 'teacher_phase', 'smoke',
           '-p', 'distill_top', '1', '-p', 'distill_phase', 'smoke', '-p', 'n_problems', '2', '-p', 'n_samples', '2',
           '-p', 'ks', '[1,2]', '-p', 'max_new_tokens', '16', '-p', 'mbpp_path', mbpp if mbpp.is_file() else 'null',
           '--out', out, '--quiet')
    text, errors = outputs(out / 'humaneval_mbpp.ipynb')
    assert not errors
    res = json.loads((out / 'code_benchmarks.json').read_text())
    rows = res['rows']
    assert [r['how'] for r in rows] == ['ultra_light', 'distilled', 'plain'] and res['n_problems'] == 2
    for r in rows:
        assert r['humaneval bits/byte'] > 0 and 0 <= r['humaneval pass@1'] <= r['humaneval pass@2'] <= 1
        if mbpp.is_file(): assert r['mbpp bits/byte'] > 0 and 0 <= r['mbpp pass@2'] <= 1
    assert rows[1]['arch_id'] == rows[2]['arch_id'] and rows[1]['size_mb'] > 0

def test_synthetic_experiment(tmp_path):
    out = tmp_path / 'syn'
    run_cli('run', 'synthetic', '-p', 'tasks', '["mqar", "selective_copying"]', '-p', 'task_options', '{"mqar": {"num_kv_pairs": 2}}',
            '-p', 'seq_len', '16', '-p', 'vocab_size', '32', '-p', 'n_train', '64', '-p', 'widths', '[32]', '-p', 'depths', '[1]',
            '-p', 'families', '["gqa", "mamba"]', '-p', 'population', '2', '-p', 'generations', '1', '-p', 'phases', 'smoke',
            '--out', out, '--quiet')
    text, errors = outputs(out / 'synthetic.ipynb')
    assert not errors and 'synthetic suite (mqar, selective_copying)' in text
    info = json.loads((out / 'search.json').read_text())
    assert json.loads(info['spec']['experiment_options'])['tasks'] == {'mqar': {'num_kv_pairs': 2}, 'selective_copying': {}}
    assert [o['name'] for o in info['objectives']] == ['accuracy', 'size_mb', 'decode_state_bytes', 'decode_ms']
    assert info['options']['hidden_dim'] == [32] and info['options']['num_layers'] == [1]
    assert (out / 'report.html').is_file()
    html = (out / 'report.html').read_text()
    assert 'accuracy_mqar' in html and 'decode' in html
