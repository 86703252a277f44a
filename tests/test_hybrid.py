"""Hybrids from a shell, as a user types it: `nas_nb space --mode hybrid` prints the exact counts and the per-layer
choices; `nas_nb search --mode hybrid` runs, `--resume` extends it, and its report, summary and `nas_nb show` name each
candidate's layer pattern."""
import json, re, shutil, subprocess, sys, pathlib
from conftest import BIN
from nas_nb.config import ArchitectureConfig
from nas_nb.families import layer_families, lookup
from nas_nb.search_space import SearchSpace

def nas_nb(*args, timeout=600):
    r = subprocess.run([str(BIN / 'nas_nb'), *map(str, args)], capture_output=True, text=True, timeout=timeout)
    assert r.returncode == 0, f"nas_nb {' '.join(map(str, args))} failed ({r.returncode}):\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}"
    return r

def test_space_hybrid():
    "The counts printed are the space's exact counts; each layer choice is listed with its pattern letter."
    out = nas_nb('space', '--mode', 'hybrid').stdout
    sp = SearchSpace('hybrid')
    for what, n in (('size (grid points)', sp.size()), ('valid architectures', sp.count_valid()),
                    ('distinct implementations', sp.count_implementations()), ('distinct networks', sp.count_distinct())):
        assert re.search(rf"  {re.escape(what)} +{n:,}\b", out), (what, n, out)
    choices = out[out.index('per-layer choices'):out.index('\ngenes')].splitlines()[1:]
    assert [l.split() for l in choices] == [[lookup(m).letter, m] for m in layer_families()], choices
    assert 'each of the 2, 3, 4, 5, 6 layers' in out and 'genes (shared by every layer)' in out
    assert re.search(r'  state_dim +2 x  8, 16   \(only mamba layers\)', out), out
    assert re.search(r'  arch_type +1 x  hybrid\n', out), out
    s = json.loads(nas_nb('space', '--mode', 'hybrid', '--json').stdout)
    assert (s['size'], s['distinct']) == (sp.size(), sp.count_distinct())
    assert s['mixers'] == [dict(family=m, letter=lookup(m).letter) for m in layer_families()]
    assert 'mixers' not in json.loads(nas_nb('space', '--mode', 'minimal', '--json').stdout)   # a family mode: as before

def test_search_hybrid_resume_report(tmp_path):
    "A tiny hybrid search (3 layer families, width 32, 2-3 layers), extended by --resume; the report shows the patterns."
    run = tmp_path / 'run'
    tiny = ['--space', 'hidden_dim=32', '--space', 'num_layers=2,3', '--space', 'quantization=fp16']
    r = nas_nb('search', '--mode', 'hybrid', '--families', 'gqa,mamba,rwkv', *tiny, '--population', '3', '--generations', '1',
               '--phase', 'smoke', '--seed', '1', '--out', run)
    info = json.loads((run / 'search.json').read_text())
    assert info['mode'] == 'hybrid[custom]' and info['options']['mixers'] == ['gqa', 'mamba', 'rwkv'], info['options']
    assert info['options']['hidden_dim'] == [32] and info['options']['arch_type'] == ['hybrid']
    best = json.loads((run / 'best_architecture.json').read_text())
    pattern = ArchitectureConfig.from_dict(best['config']).pattern
    assert set(pattern) <= set('AMR') and f"best {best['arch_id']}" in r.stdout
    if best['config']['arch_type'] == 'hybrid': assert f"  pattern={pattern} arch_type=hybrid " in r.stdout, r.stdout

    r = nas_nb('search', '--resume', '--out', run, '--generations', '2', '--report')
    assert 'resuming' in r.stdout and 'extending the search from 1 to 2 generations' in r.stdout, r.stdout
    with open(run / 'history.csv') as fh: assert len(fh.read().strip().splitlines()) == 1 + 2
    pops = json.loads((run / 'populations.json').read_text())
    from nas_nb.store import ResultStore
    with ResultStore(run / 'results.sqlite') as store: results = store.results()
    patterns = {r.arch_id: ArchitectureConfig.from_dict(r.config).pattern for r in results}
    assert all(set(p) <= set('AMR') and 2 <= len(p) <= 3 for p in patterns.values()), patterns
    assert any(r.config['arch_type'] == 'hybrid' for r in results), patterns      # hybrids were searched, not only families
    assert {a for p in pops for a in p['arch_ids']} <= set(patterns)

    page = (run / 'report.html').read_text()
    assert 'id="chart-patterns"' in page and 'data-charts="6"' in page
    assert '<th>pattern</th>' in page
    front = [l.split(',')[0] for l in (run / 'pareto.csv').read_text().splitlines()[1:]]
    for aid in front: assert re.search(rf"<td>{aid}</td><td>[0-9a-f]{{12}}</td><td>[a-z_]+</td><td>{patterns[aid]}</td>", page), aid
    spec = json.loads(re.search(r'const specs = (\{.*?\});\n', page, re.S).group(1).replace('<\\/', '</'))
    cells = [v for v in spec['patterns']['datasets'].values()][0]
    assert {c['arch_id'] for c in cells} == set(front)                            # one row per network on the front
    assert all(c['letter'] == patterns[c['arch_id']][c['layer']] for c in cells)  # a cell per layer, its family's letter
    assert (run / 'charts' / 'patterns.png').is_file()
    exe = next((shutil.which(n) for n in ('chromium', 'chromium-browser', 'google-chrome') if shutil.which(n)), None)
    if exe:   # the page renders offline: every chart, and in the pattern chart a letter per layer of the front
        from test_report import OFFLINE
        dom = subprocess.run([exe, *OFFLINE, '--dump-dom', (run / 'report.html').as_uri()], capture_output=True, text=True, timeout=180).stdout
        attrs = dict(re.findall(r'data-([a-z]+)="([^"]*)"', re.search(r'<body\s([^>]*data-charts[^>]*)>', dom).group(1)))
        assert attrs['errors'] == '' and attrs['rendered'] == attrs['charts'] == '6', attrs
        div = dom[dom.index('id="chart-patterns"'):dom.index('id="chart-genes"')]
        letters = re.findall(r'<text[^>]*>([A-Z])</text>', div)
        assert sorted(letters) == sorted(''.join(patterns[a] for a in front)), (letters, [patterns[a] for a in front])

    out = nas_nb('show', run).stdout.splitlines()
    assert out[1].split()[:4] == ['arch_id', 'family', 'pattern', 'fitness']
    assert sorted((l.split()[0], l.split()[2]) for l in out[2:]) == sorted((a, patterns[a]) for a in front), out

    # re-scored under other objectives (the smallest wins), from the run's own hybrid space: no retraining
    (tmp_path / 'size.json').write_text(json.dumps([dict(name='size_mb', direction='min', weight=1.0, target=[0.01, 1.0])]))
    r = nas_nb('remeasure', run, '--objectives', tmp_path / 'size.json', '--no-report')
    best = json.loads((run / 'best_architecture.json').read_text())
    ok = [x for x in results if x.ok]
    assert best['config'] == min(ok, key=lambda x: (x.metrics['size_mb'], x.arch_id)).config
    cfg = ArchitectureConfig.from_dict(best['config'])
    assert f"best {best['arch_id']}" in r.stdout and (cfg.arch_type != 'hybrid' or f"  pattern={cfg.pattern} " in r.stdout), r.stdout
    with ResultStore(run / 'results.sqlite') as store: assert len(store) == len({x.network_id for x in results})   # nothing trained

def test_synthetic_experiment_hybrid(tmp_path):
    "The synthetic experiment notebook in the hybrid mode (`nas_nb run synthetic -p mode hybrid ...`), at its smallest."
    out = tmp_path / 'syn'
    nas_nb('run', 'synthetic', '-p', 'mode', 'hybrid', '-p', 'families', '["gqa", "rwkv"]', '-p', 'tasks', '["mqar"]',
           '-p', 'seq_len', '16', '-p', 'vocab_size', '32', '-p', 'n_train', '64', '-p', 'widths', '[32]', '-p', 'depths', '[2, 3]',
           '-p', 'population', '2', '-p', 'generations', '1', '-p', 'phases', 'smoke', '--out', out, '--quiet')
    nb = json.loads((out / 'synthetic.ipynb').read_text())
    assert not [o for c in nb['cells'] for o in c.get('outputs', []) if o['output_type'] == 'error']
    info = json.loads((out / 'search.json').read_text())
    assert info['options']['mixers'] == ['gqa', 'rwkv'] and info['options']['num_layers'] == [2, 3]
    from nas_nb.store import ResultStore
    with ResultStore(out / 'results.sqlite') as store:
        patterns = {ArchitectureConfig.from_dict(r.config).pattern for r in store.results()}
    assert patterns and all(set(p) <= set('AR') and len(p) in (2, 3) for p in patterns), patterns
    tables = ''.join(''.join(o.get('data', {}).get('text/html', '')) for c in nb['cells'] for o in c.get('outputs', []))
    assert '>pattern</th>' in tables, 'the top table shows the pattern'
    page = (out / 'report.html').read_text()
    assert 'id="chart-patterns"' in page and '<th>pattern</th>' in page
