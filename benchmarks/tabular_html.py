"""One self-contained HTML report of the tabular benchmark: the table (accuracy vs size / latency, cheap signals), the
comparison curves (after, TPE, and before the issue-9 change to our operators), and the successive-halving study.
Reads the CSVs the other scripts wrote; charts are Altair, inlined (opens offline).

    python benchmarks/tabular_html.py        # -> results/tabular/report.html
"""
import pathlib
import altair as alt, pandas as pd

OUT = pathlib.Path(__file__).parent / 'results' / 'tabular'

def curves_chart(d:pd.DataFrame, title:str):
    charts = []
    for m, label in (('hv_ratio', 'hypervolume / true front'), ('regret', 'regret of best weighted fitness')):
        d = d.assign(**{f'{m}_lo': d[f'{m}_mean'] - d[f'{m}_std'], f'{m}_hi': d[f'{m}_mean'] + d[f'{m}_std']})
        base = alt.Chart(d).encode(x=alt.X('evaluations:Q', title='distinct architectures evaluated'), color='algorithm:N')
        band = base.mark_area(opacity=0.1).encode(y=f'{m}_lo:Q', y2=f'{m}_hi:Q')
        line = base.mark_line().encode(y=alt.Y(f'{m}_mean:Q', title=f'{label} (mean ± std)', scale=alt.Scale(zero=False)),
                                      tooltip=['algorithm', 'evaluations', f'{m}_mean', f'{m}_std'])
        charts.append((band + line).properties(width=480, height=300, title=label))
    return alt.hconcat(*charts).properties(title=title)

def main():
    parts = []
    if (OUT / 'proxies.csv').exists():
        d = pd.read_csv(OUT / 'proxies.csv')
        d = d[d.status == 'ok']
        pt = lambda x, t: alt.Chart(d).mark_point().encode(x=x, y=alt.Y('accuracy:Q', scale=alt.Scale(zero=False)), color='family:N',
                                                           shape='on_front:N', tooltip=['arch_id', 'family', 'accuracy', 'size_mb', 'latency_ms']).properties(width=300, height=240, title=t)
        parts.append(alt.vconcat(
            pt(alt.X('size_mb:Q', scale=alt.Scale(type='log'), title='size MB (stored)'), 'accuracy vs size (true front: on_front)') |
            pt(alt.X('latency_ms:Q', scale=alt.Scale(type='log'), title='latency ms (batch 1)'), 'accuracy vs latency'),
            pt(alt.X('params:Q', scale=alt.Scale(type='log')), 'parameter count') | pt(alt.X('synflow:Q', scale=alt.Scale(type='log')), 'synflow at init') |
            pt(alt.X('smoke_accuracy:Q', scale=alt.Scale(zero=False)), 'smoke-phase accuracy')).properties(title='the table: 368 architectures, fast phase'))
    frames = []
    for f, suffix in (('compare.csv', ''), ('tpe20.csv', ''), ('before.csv', ' (before)')):
        if (OUT / f).exists():
            d = pd.read_csv(OUT / f); d['algorithm'] = d.algorithm + suffix; frames.append(d)
    if frames:
        d = pd.concat(frames)
        d = d[(d.evaluations % 5 == 0) | (d.evaluations <= 10)]  # every 5th evaluation is enough for a curve
        parts.append(curves_chart(d[~d.algorithm.str.endswith('(before)')], 'comparison on the table (20 seeds each)'))
        ours = d[d.algorithm.str.startswith('ours')]
        parts.append(curves_chart(ours, 'ours: seed operators (before), + local search and size spread (-nosurrogate), + surrogate screening'))
    if (OUT / 'sh.csv').exists():
        s = pd.read_csv(OUT / 'sh.csv')
        a = s.drop_duplicates(['generations', 'seed']).assign(compute=lambda x: x.fast_train_s, hv=lambda x: x.hv_fast_only, acc=lambda x: x.best_acc_fast_only, strategy='fast only')
        b = s.assign(compute=s.fast_train_s + s.medium_train_s, hv=s.hv_promoted, acc=s.best_acc_promoted, strategy='fast -> medium, promote ' + s.promote_frac.astype(str))
        d = pd.concat([a, b])[['generations', 'seed', 'compute', 'hv', 'acc', 'strategy']]
        g = d.groupby(['strategy', 'generations']).mean(numeric_only=True).reset_index()
        ch = []
        for y, t in (('hv', 'front HV / fast true-front HV'), ('acc', 'best accuracy delivered')):
            ch.append((alt.Chart(d).mark_point(opacity=0.25).encode(x=alt.X('compute:Q', title='training compute (s, summed)'), y=alt.Y(f'{y}:Q', title=t, scale=alt.Scale(zero=False)), color='strategy:N') +
                       alt.Chart(g).mark_line(point=True).encode(x='compute:Q', y=f'{y}:Q', color='strategy:N')).properties(width=420, height=280, title=t))
        parts.append(alt.hconcat(*ch).properties(title='successive halving: quality vs training compute (dots: seeds; lines: means at 50/100/200 fast evaluations)'))
    alt.vconcat(*parts).save(str(OUT / 'report.html'), inline=True)
    print(OUT / 'report.html')

if __name__ == '__main__':
    main()
