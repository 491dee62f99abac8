# One seed of one model through the reference benchmark's own MovieLens script (Scenario-Wise Rec; nothing of it is
# committed here): its data functions, DataGenerator split, model classes and CTRTrainer, called as its main does.
# Changes for speed only: tqdm off, the dataset holds NumPy arrays and each batch is one fancy index (a BatchSampler
# over the same RandomSampler, so a seed draws the same permutations as per-row loading), num_workers 0.
# Usage: MSR_REFERENCE=<checkout> python3 run_reference.py <model> <seed> <epochs> <data folder with ml-1m.csv> <out>
#        [--device cpu|cuda] [--threads N]
# Writes <out>/<model>_Movielens_<seed>.csv (the script's own result file) and <out>/<model>_<seed>_<epochs>.log.
import argparse, contextlib, io, os, re, sys, tempfile, types

parser = argparse.ArgumentParser()
parser.add_argument('model'); parser.add_argument('seed', type=int); parser.add_argument('epochs', type=int)
parser.add_argument('data'); parser.add_argument('out')
parser.add_argument('--device', default='cpu'); parser.add_argument('--threads', type=int, default=1)
args = parser.parse_args()
reference = os.environ.get('MSR_REFERENCE')
if not reference or not os.path.isdir(os.path.join(reference, 'scripts')):
    sys.exit('set MSR_REFERENCE to a checkout of the reference benchmark (its scripts/ folder is needed)')

if 'tqdm' not in sys.modules:
    try:
        import tqdm  # noqa: F401
    except ImportError:  # the script imports tqdm; a pass-through stands in where it is not installed
        class _PassThrough:
            def __init__(self, iterable=None, *a, **k): self.iterable = iterable
            def __iter__(self): return iter(self.iterable)
            def set_postfix(self, **k): pass
        stub = types.ModuleType('tqdm'); stub.tqdm = _PassThrough; sys.modules['tqdm'] = stub
sys.path.insert(0, reference); sys.path.insert(0, os.path.join(reference, 'scripts'))
import numpy as np
import torch
torch.set_num_threads(args.threads)


def warn_on_slow_blas():
    """Debian's PyTorch calls whatever libblas.so.3 the system's alternatives select, by default the netlib reference
    BLAS: measured 0.6 GFLOP/s on a 4,096 x 4,096 by 4,096 x 112 product, against 53 GFLOP/s on one thread with
    OpenBLAS (apt install libopenblas0-pthread). Same results up to float rounding; HAMUR's runs took 2 hours instead
    of 8-12 minutes. Only the CPU path uses that BLAS, so only it is probed."""
    if args.device != 'cpu':
        return
    import time
    a, b = torch.rand(512, 512), torch.rand(512, 512)
    a @ b  # warm-up
    start = time.perf_counter(); a @ b; seconds = time.perf_counter() - start
    rate = 2 * 512 ** 3 / seconds / 1e9
    if rate < 5:
        print(f'warning: matrix products run at {rate:.1f} GFLOP/s here (a reference BLAS?); on Debian, '
              'apt install libopenblas0-pthread makes the reference about 100x faster (OPENBLAS_NUM_THREADS=1 keeps it '
              'to one thread)', file=sys.stderr)


warn_on_slow_blas()
import run_movielens_rank_multi_domain as script
from scenario_wise_rec.utils import data as reference_data
from torch.utils.data import BatchSampler, DataLoader, Dataset, RandomSampler, SequentialSampler, random_split

script.tqdm = lambda iterable, *a, **k: iterable


class WholeBatches(Dataset):
    """Rows by NumPy fancy indexing: the same rows in the same order as per-row indexing and default collation."""
    def __init__(self, x, y, rows):
        self.x, self.y, self.rows = x, y, np.asarray(rows)
    def __len__(self): return len(self.rows)
    def __getitem__(self, batch):
        r = self.rows[np.asarray(batch)]
        return {k: torch.from_numpy(v[r]) for k, v in self.x.items()}, torch.from_numpy(self.y[r])


class ArrayDataGenerator(reference_data.DataGenerator):
    """The reference DataGenerator's split (random_split of the same lengths) over NumPy arrays."""
    def __init__(self, x, y):
        self.x = {k: v.to_numpy() for k, v in x.items()}
        self.y = y.to_numpy()
        self.length = len(self.y)
        self.dataset = reference_data.TorchDataset(self.x, self.y)

    def generate_dataloader(self, x_val=None, y_val=None, x_test=None, y_test=None, split_ratio=None, batch_size=16, num_workers=8):
        train = int(self.length * split_ratio[0]); val = int(self.length * split_ratio[1])
        parts = random_split(self.dataset, (train, val, self.length - train - val))
        def loader(subset, shuffle):
            ds = WholeBatches(self.x, self.y, subset.indices)
            order = RandomSampler(ds) if shuffle else SequentialSampler(ds)
            return DataLoader(ds, batch_size=None, sampler=BatchSampler(order, batch_size, drop_last=False), num_workers=0)
        return loader(parts[0], True), loader(parts[1], False), loader(parts[2], False)


script.DataGenerator = ArrayDataGenerator
data = os.path.abspath(args.data)
os.makedirs(args.out, exist_ok=True)
os.chdir(args.out)


class Tee(io.StringIO):
    """Keeps what the script prints and also writes it, flushed, to a progress file: a long run (M2M's take hours on
    a CPU) shows its epochs while it runs, and a killed run leaves them behind."""
    def __init__(self, path):
        super().__init__(); self.live = open(path, 'w')
    def write(self, text):
        self.live.write(text); self.live.flush(); return super().write(text)


printed = Tee(f'{args.model}_{args.seed}_{args.epochs}.partial.log')
# Its trainer saves the final weights under a fixed name: a folder of its own keeps parallel runs apart.
with tempfile.TemporaryDirectory(prefix='msr-reference-') as scratch, contextlib.redirect_stdout(printed):
    # The script's protocol: Adam 1e-3, weight decay 1e-5, batch 4,096, patience 4 (inside main).
    script.main(data, args.model, args.epochs, 1e-3, 4096, 1e-5, args.device, scratch, args.seed)
log = printed.getvalue()
open(f'{args.model}_{args.seed}_{args.epochs}.log', 'w').write(log)
printed.live.close(); os.remove(f'{args.model}_{args.seed}_{args.epochs}.partial.log')
val = [float(v) for v in re.findall(r'val auc: ([0-9.]+)', log)]
print(args.model, args.seed, 'epochs', len(val), 'best', (max(range(len(val)), key=val.__getitem__) + 1) if val else None)
