"""Summary of trajectory checks over seeds (docs/fidelity.md, "Same start, same batches"): for each dump folder that
trajectory.fsx and trajectory.py filled, applies the protocol's early stopping (best validation AUC, patience 4, the
best epoch's weights restored) to every trajectory in it, and prints the selected epoch's test AUC and logloss per
seed and side, with paired differences against the reference's trajectory and their paired t-test and Wilcoxon p.

    python3 trajectory_summary.py /tmp/trajectory/hamur-2022 /tmp/trajectory/hamur-2023 ... [--controls reference-t2]

trajectory.json is Msr's trajectory and reference.json the reference's; --controls names further trajectories of the
same folders (a rerun of either side with another thread count, say), each compared with the reference the same way,
to show how far two runs that differ only by float rounding drift apart. A trajectory too short to show where the
protocol stops is reported and left out.
"""
import argparse, json, os, sys

from scipy import stats   # Debian: python3-scipy, for /usr/bin/python3

PATIENCE = 4


def protocol_epoch(rows):
    """The epoch whose weights the protocol evaluates on the test split, or None when the trajectory ends first."""
    best, best_epoch, waited = 0.0, None, 0
    for r in rows:
        if r['val_auc'] > best:
            best, best_epoch, waited = r['val_auc'], r['epoch'], 0
        elif waited + 1 < PATIENCE:
            waited += 1
        else:
            return best_epoch
    return None


def paired_p(diffs):
    """Two-sided paired t-test and Wilcoxon signed-rank p."""
    return stats.ttest_1samp(diffs, 0).pvalue, stats.wilcoxon(diffs).pvalue


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('dumps', nargs='+')
    parser.add_argument('--controls', nargs='*', default=[])
    args = parser.parse_args()
    sides = ['trajectory'] + args.controls
    diffs = {s: {'test_auc': [], 'test_logloss': []} for s in sides}
    print('seed  side            epoch  test AUC  test logloss   (minus the reference from the same start)')
    for dump in args.dumps:
        seed = json.load(open(os.path.join(dump, 'run.json')))['seed']
        reference = json.load(open(os.path.join(dump, 'reference.json')))
        ref_epoch = protocol_epoch(reference)
        if ref_epoch is None:
            print(f'{seed}  reference: no stop within {len(reference)} epochs; seed left out'); continue
        ref = reference[ref_epoch - 1]
        print(f"{seed}  {'reference':14s}  {ref_epoch:5d}  {ref['test_auc']:.4f}    {ref['test_logloss']:.4f}")
        for side in sides:
            path = os.path.join(dump, side + '.json')
            if not os.path.exists(path): continue
            rows = json.load(open(path)); epoch = protocol_epoch(rows)
            name = 'Msr' if side == 'trajectory' else side
            if epoch is None:
                print(f'{seed}  {name}: no stop within {len(rows)} epochs; left out'); continue
            r = rows[epoch - 1]
            d = {k: r[k] - ref[k] for k in ('test_auc', 'test_logloss')}
            for k, v in d.items(): diffs[side][k].append(v)
            print(f"{seed}  {name:14s}  {epoch:5d}  {r['test_auc']:.4f}    {r['test_logloss']:.4f}"
                  f"   ({d['test_auc']:+.4f}, {d['test_logloss']:+.4f})")
    for side in sides:
        for k, v in diffs[side].items():
            if len(v) < 2: continue
            t, w = paired_p(v)
            mean = sum(v) / len(v)
            print(f"{'Msr' if side == 'trajectory' else side} − reference, {k}: mean {mean:+.4f} over {len(v)} seeds, "
                  f"lower on {sum(x < 0 for x in v)}; paired t p {t:.3f}, Wilcoxon p {w:.3f}")
    return 0


if __name__ == '__main__':
    sys.exit(main())
