"""The report opens in a real browser with the network off and its charts render: headless Chromium loads
report.html of a tiny MNIST experiment, and we read back the DOM after vega-embed has run."""
import os, re, shutil, subprocess
import pytest

def chromium():
    exe = next((shutil.which(n) for n in ('chromium', 'chromium-browser', 'google-chrome') if shutil.which(n)), None)
    if exe is None:
        if os.environ.get('NAS_NB_REQUIRE_BROWSER'): pytest.fail("no chromium on PATH (Debian: apt-get install chromium)")
        pytest.skip("no chromium on PATH (Debian: apt-get install chromium); .ci/run installs it")
    return exe

OFFLINE = ['--headless=new', '--no-sandbox', '--disable-gpu', '--no-first-run', '--hide-scrollbars',
           '--host-resolver-rules=MAP * ~NOTFOUND', '--proxy-server=http://127.0.0.1:9', '--virtual-time-budget=30000']

def test_report_renders_offline_in_chromium(mnist_run, artifacts):
    exe, page = chromium(), (mnist_run / 'report.html').as_uri()
    r = subprocess.run([exe, *OFFLINE, '--enable-logging=stderr', '--v=0', '--dump-dom', page],
                       capture_output=True, text=True, timeout=180)
    dom = r.stdout
    body = re.search(r'<body\s([^>]*data-charts[^>]*)>', dom)                # (the inlined bundle also holds '<body>')
    assert body, dom[-2000:]
    attrs = dict(re.findall(r'data-([a-z]+)="([^"]*)"', body.group(1)))
    assert attrs.get('done') == '1', attrs                                     # every vegaEmbed promise settled
    assert attrs['errors'] == '' and int(attrs['rendered']) == int(attrs['charts']) == 6, attrs
    for name in ('fitness', 'pareto', 'families', 'funnel', 'patterns', 'genes'):  # each chart drew SVG marks
        div = dom[dom.index(f'id="chart-{name}"'):]
        div = div[:div.find('class="chart"', 1) if 'class="chart"' in div[1:] else len(div)]
        assert '<svg' in div and 'role-mark' in div, name
    assert len(re.findall(r'class="mark-symbol role-mark', dom)) >= 1          # Pareto points
    pareto = dom[dom.index('id="chart-pareto"'):dom.index('id="chart-families"')]
    assert len(re.findall(r'>ultra_light</text>', pareto)) == 2, 'the baseline: a legend entry and a label, whole'
    assert re.search(r"<b>Verdict:</b> The search(&#x27;|')s best beats [01] of 1 baselines on weighted fitness \(smoke phase\)", dom)
    console = [l for l in r.stderr.splitlines() if 'CONSOLE' in l]
    errors = [l for l in console if re.search(r'error|uncaught|failed', l, re.I)]
    assert not errors, errors
    shot = artifacts / 'report.png'
    subprocess.run([exe, *OFFLINE, '--window-size=1280,3600', f'--screenshot={shot}', page], capture_output=True, timeout=180)
    assert shot.is_file() and shot.stat().st_size > 20_000
