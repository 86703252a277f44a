"""Proof that an objective is one declaration: `latency_p90_ms`, a metric the evaluator records but no objective of the
package uses, is declared here and nowhere else, then searched on (weighted fitness, Pareto front, history
hypervolume, surrogate), reported (`load_run`, `results_frame`, the HTML report, the Pareto chart's axis) and shown in
the search panel's table, with the values the evaluator measured."""
import html, json, math
import pytest
from nas_nb.experiments import Objective, default_objectives, weighted_fitness
from nas_nb.evaluate import Evaluator
from nas_nb.runner import make_search
from nas_nb.report import load_run, results_frame, write_report, pareto_chart, fmt_value
from nas_nb.widgets import SearchPanel
from nas_nb.config import ArchitectureConfig
from nas_nb.store import ResultStore

# the new objective: the 90th percentile of the latency windows, minimised, on a log scale between 0.1 ms and 100 ms
P90 = Objective('latency_p90_ms', 'min', 0.4, target=(0.1, 100.0))
OBJECTIVES = (Objective('accuracy', 'max', 0.6), P90)
TINY = dict(hidden_dim=[16, 32], num_layers=[1], num_heads=[2], ffn_multiplier=[2.0], dropout=[0.0])
FAST = dict(latency_time=0.05, decode_time=0.02)   # short timing windows: this is about plumbing, not about latency

def test_the_package_does_not_use_it():
    "No experiment's objectives name it: it is new to everything but the evaluator."
    assert all(o.name != P90.name for e in ('mnist', 'codesearchnet', 'synthetic') for o in default_objectives(e))
    assert P90.scale == 'log'                          # it has a target: log by default, like size and latency

def test_the_evaluator_records_it(tmp_path):
    "A smoke evaluation measures it, and scores it under the new objective."
    ev = Evaluator('mnist', objectives=OBJECTIVES, phase='smoke', device='cpu', store=tmp_path / 'r.sqlite', **FAST)
    r = ev.evaluate(ArchitectureConfig('transformer', num_layers=1, hidden_dim=16, num_heads=2, dropout=0.0))
    assert r.ok, r.message
    p90 = r.metrics['latency_p90_ms']
    assert 0 < r.metrics['latency_ms'] <= p90
    assert r.fitness == pytest.approx(0.6 * r.metrics['accuracy'] + 0.4 * math.log(100.0 / p90) / math.log(1000.0))
    assert ev.objective_vector(r) == [r.metrics['accuracy'], -math.log(p90)]

@pytest.fixture(scope='module')
def searched(tmp_path_factory):
    "A tiny search on it: population 2, 1 generation, smoke phase, one family, minimal mode."
    out = tmp_path_factory.mktemp('newobj') / 'run'
    s = make_search('mnist', mode='minimal', families=['transformer'], population=2, generations=1, phases=('smoke',),
                    selection='nsga2', objectives=OBJECTIVES, seed=0, device='cpu', out=out, log=None,
                    space_options=TINY, evaluator_options=FAST)
    summary = s.run()
    return s, summary, out

def test_search(searched):
    s, summary, out = searched
    rs = [r for r in s.results['smoke'].values() if r.ok]
    assert len(rs) >= 2 and summary['best'] is not None
    for r in rs: assert r.fitness == pytest.approx(weighted_fitness(r.metrics, OBJECTIVES))
    info = json.loads((out / 'search.json').read_text())
    assert Objective.from_dict(info['objectives'][1]) == P90 and info['objectives'][1]['scale'] == 'log'
    assert 'latency_p90_ms' in (out / 'pareto.csv').read_text().splitlines()[0]   # the front's columns: its objectives
    assert 0 < s.history[-1]['hypervolume'] <= 1                                  # scored through the objective

def test_report(searched):
    s, _, out = searched
    measured = {(r.arch_id, r.phase): r.metrics['latency_p90_ms'] for r in ResultStore(out / 'results.sqlite').results() if r.ok}
    run = load_run(out)
    assert [o.name for o in run.objectives] == ['accuracy', 'latency_p90_ms']
    df = run.results[run.results.status == 'ok']
    assert {(a, p): v for a, p, v in zip(df.arch_id, df.phase, df.latency_p90_ms)} == measured   # the measured values
    assert results_frame(ResultStore(out / 'results.sqlite').results(), run.objectives).latency_p90_ms.notna().sum() == len(measured)
    page = write_report(out, images=False).read_text()
    assert '<th>latency_p90_ms</th>' in page                                        # a column of the report's tables
    for v in measured.values(): assert f'<td>{html.escape(fmt_value("latency_p90_ms", v))}</td>' in page
    chart = pareto_chart(run.results, run.objectives).to_dict()
    x = next(l['encoding']['x'] for l in chart['layer'] if l['mark']['type'] == 'point')
    assert (x['field'], x['scale']['type'], x['title']) == ('latency_p90_ms', 'log', 'latency p90 (ms)')

def test_panel_table(searched):
    s, _, out = searched
    panel = SearchPanel(run_root=out.parent)
    panel._refresh(s)                                   # what the panel does after each generation of a live search
    assert 'latency_p90_ms' in panel.table.columns
    shown = panel.table_out.outputs[0]['data']['text/html']
    assert '>latency_p90_ms</th>' in shown
    for v in panel.table.latency_p90_ms.dropna(): assert f'{v:.4f}' in shown      # the panel's 4 digits
    assert sorted(panel.table.latency_p90_ms.dropna()) == sorted(r.metrics['latency_p90_ms'] for r in s.results['smoke'].values() if r.ok)
