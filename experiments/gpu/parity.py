# Every model on CUDA against the CPU, from on-device.sh's parity step: <folder>/<model>/ holds a run trained on the GPU
# (gpu/*.json), the same run trained on the CPU (cpu/*.json), and the GPU-trained weights' test predictions made on
# each device (pred-gpu.csv, pred-cpu.csv). Prints one Markdown table:
#   same weights: the largest |p_cuda - p_cpu| over the test rows (kernels differ, so float rounding, nothing more);
#   trained on each device: test AUC and logloss (CUDA's reductions differ in order, so close, not equal).
# Usage: python3 parity.py <folder>   (numpy only)
import csv, glob, json, os, sys

folder = sys.argv[1]


def record(path):
    files = glob.glob(os.path.join(path, '*.json'))
    if not files:
        return None
    r = json.load(open(files[0]))
    return r if r.get('status') == 'completed' else {'failed': (r.get('error') or 'no message')[:80]}


def probabilities(path):
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return [float(row['probability']) for row in csv.DictReader(f)]


def metrics(r):
    if r is None:
        return 'missing'
    if 'failed' in r:
        return 'failed: ' + r['failed'].replace('|', '/')
    t = r['test']['overall']
    return f"{t['auc']:.4f} / {t['log_loss']:.4f}"


print('| model | max abs Δp, same weights, cuda vs cpu | test AUC / logloss trained on cuda | trained on cpu |')
print('|---|---:|---:|---:|')
for model in sorted(os.listdir(folder)):
    base = os.path.join(folder, model)
    if not os.path.isdir(base):
        continue
    gpu, cpu = probabilities(os.path.join(base, 'pred-gpu.csv')), probabilities(os.path.join(base, 'pred-cpu.csv'))
    if gpu is None or cpu is None or len(gpu) != len(cpu):
        delta = 'missing'
    else:
        delta = f'{max(abs(a - b) for a, b in zip(gpu, cpu)):.2e} ({len(gpu)} rows)'
    print(f"| {model} | {delta} | {metrics(record(os.path.join(base, 'gpu')))} | {metrics(record(os.path.join(base, 'cpu')))} |")
