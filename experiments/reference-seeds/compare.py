# Msr against the reference on the seeds both sides finished (run_seeds.sh's folders): test AUC and logloss as
# mean ± sample std, Welch and paired t-tests, epochs run, per-scenario AUC and per-seed values, as Markdown tables.
# Usage: /usr/bin/python3 compare.py <out folder> <epoch budget>   (needs SciPy: Debian's python3-scipy)
import csv, glob, json, os, re, statistics as st, sys
from scipy import stats

out, budget = sys.argv[1], sys.argv[2]
NAMES = {'SharedBottom': 'sharedbottom', 'MMoE': 'mmoe', 'PLE': 'ple', 'STAR': 'star', 'EPNet': 'epnet', 'AdaSparse': 'adasparse',
         'SAR-Net': 'sarnet', 'ADL': 'adaptdhm', 'PPNet': 'ppnet', 'M3oE': 'm3oe', 'HAMUR': 'hamur', 'M2M': 'm2m'}


def best_epoch(values):
    return max(range(len(values)), key=values.__getitem__) + 1 if values else None


msr = {}
for f in sorted(glob.glob(os.path.join(out, f'msr{budget}', '*.json'))):
    r = json.load(open(f))
    if r['status'] != 'completed':
        continue
    t = r['test']
    msr[(r['config']['model'], r['config']['seed'])] = dict(
        auc=t['overall']['auc'], log=t['overall']['log_loss'], scenarios=[x['auc'] for x in t['scenarios']],
        epochs=r['training']['epochs_run'], best=r['training']['best_epoch'])
reference = {}
for f in glob.glob(os.path.join(out, f'reference{budget}', '*_Movielens_*.csv')):
    row = next(csv.DictReader(open(f)))
    name, seed = row['model'], int(row['seed'])
    log = open(os.path.join(out, f'reference{budget}', f'{name}_{seed}_{budget}.log')).read()
    val = [float(v) for v in re.findall(r'val auc: ([0-9.]+)', log)]
    scenarios = sorted(int(k[3:]) for k in row if re.fullmatch(r'auc\d+', k))
    reference[(name, seed)] = dict(auc=float(row['auc']), log=float(row['log']), scenarios=[float(row[f'auc{i}']) for i in scenarios],
                                   epochs=len(val), best=best_epoch(val))


def pairs(model):
    return sorted(s for (m, s) in msr if m == model and (NAMES[model], s) in reference)


def summary(xs):
    return f'{st.mean(xs):.4f} ± {st.stdev(xs):.4f}' if len(xs) > 1 else f'{xs[0]:.4f}'


def p(test, a, b):
    return f'{test(b, a).pvalue:.2f}' if len(a) > 1 else '—'


welch = lambda b, a: stats.ttest_ind(b, a, equal_var=False)
print('| model | seeds | metric | reference | Msr | Msr − ref | Welch p | paired p |')
print('|---|---|---|---:|---:|---:|---:|---:|')
for model, name in NAMES.items():
    seeds = pairs(model)
    for metric, label in (('auc', 'AUC'), ('log', 'logloss')):
        if not seeds:
            continue
        a = [reference[(name, s)][metric] for s in seeds]
        b = [msr[(model, s)][metric] for s in seeds]
        first = metric == 'auc'
        print(f"| {model if first else ''} | {len(seeds) if first else ''} | {label} | {summary(a)} | {summary(b)} | "
              f"{st.mean(b) - st.mean(a):+.4f} | {p(welch, a, b)} | {p(stats.ttest_rel, a, b)} |")
print('\n| model | reference epochs run (best) | Msr epochs run (best) |\n|---|---|---|')
for model, name in NAMES.items():
    seeds = pairs(model)
    if seeds:
        r = [reference[(name, s)] for s in seeds]; m = [msr[(model, s)] for s in seeds]
        print(f"| {model} | {st.mean(x['epochs'] for x in r):.1f} ({st.mean(x['best'] for x in r):.1f}) | "
              f"{st.mean(x['epochs'] for x in m):.1f} ({st.mean(x['best'] for x in m):.1f}) |")
print('\nPer-scenario test AUC (reference / Msr; Welch p):')
for model, name in NAMES.items():
    seeds = pairs(model)
    if len(seeds) < 2:
        continue
    cells = []
    for i in range(len(reference[(name, seeds[0])]['scenarios'])):
        a = [reference[(name, s)]['scenarios'][i] for s in seeds]; b = [msr[(model, s)]['scenarios'][i] for s in seeds]
        cells.append(f's{i} {st.mean(a):.4f} / {st.mean(b):.4f} ({p(welch, a, b)})')
    print(f"| {model} | " + ' | '.join(cells) + ' |')
print('\nPer seed: test AUC and logloss, reference → Msr\n| model | seed | reference AUC | Msr AUC | reference logloss | Msr logloss | epochs run (ref / Msr) |')
print('|---|---:|---:|---:|---:|---:|---|')
for model, name in NAMES.items():
    for s in pairs(model):
        a, b = reference[(name, s)], msr[(model, s)]
        print(f"| {model} | {s} | {a['auc']:.4f} | {b['auc']:.4f} | {a['log']:.4f} | {b['log']:.4f} | {a['epochs']} / {b['epochs']} |")
