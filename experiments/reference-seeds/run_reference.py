# One seed of one model through the reference benchmark's own MovieLens script (Scenario-Wise Rec; nothing of it is
# committed here): its data functions, DataGenerator split, model classes and CTRTrainer, called as its main does.
# Changes for speed only: tqdm off, the dataset holds NumPy arrays and each batch is one fancy index (a BatchSampler
# over the same RandomSampler, so a seed draws the same permutations as per-row loading), num_workers 0. Added: an
# epoch checkpoint (resumable_fit below), so a run of hours that is killed continues where it stopped.
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
checkpoint_file = os.path.abspath(os.path.join(args.out, f'{args.model}_{args.seed}_{args.epochs}.checkpoint.pt'))
stop_after = int(os.environ.get('MSR_STOP_AFTER_EPOCH', '0'))  # tests only: exit right after that epoch's checkpoint


def loose_state(model):
    """Tensors and numbers the modules keep as plain attributes, outside state_dict(): AdaSparse's annealing alpha,
    AdaptDHM's cluster centres and M3oE's temperature change during training and a checkpoint must carry them."""
    state = {}
    for name, module in model.named_modules():
        for key, value in vars(module).items():
            if key.startswith('_') or key == 'training':
                continue
            if isinstance(value, torch.Tensor):
                state[(name, key)] = value.detach().clone()
            elif isinstance(value, (int, float)) and not isinstance(value, bool):
                state[(name, key)] = value
    return state


def restore_loose_state(model, state):
    modules = dict(model.named_modules())
    for (name, key), value in state.items():
        setattr(modules[name], key, value)


def resumable_fit(trainer, train_dataloader, val_dataloader=None):
    """CTRTrainer.fit's epochs, validation, StepLR and early stopping in the same order, calling its own methods, plus an
    epoch checkpoint: model (with its loose_state), optimiser, scheduler, early stopper and the global generator (which draws each epoch's
    batch order and the dropout masks), so a run killed after an epoch continues with the numbers of one that was not.
    Its prints are the same, and a resumed run prints the earlier epochs' lines first, so the log is whole."""
    start, stopped = 0, False
    if os.path.exists(checkpoint_file):
        saved = torch.load(checkpoint_file, weights_only=False)  # PyTorch >= 2.6 would refuse the optimiser state and numbers otherwise
        trainer.model.load_state_dict(saved['model'])
        restore_loose_state(trainer.model, saved['loose'])
        trainer.optimizer.load_state_dict(saved['optimizer'])
        if trainer.scheduler is not None:
            trainer.scheduler.load_state_dict(saved['scheduler'])
        stopper = trainer.early_stopper
        stopper.trial_counter, stopper.best_auc, stopper.best_weights = saved['trial_counter'], saved['best_auc'], saved['best_weights']
        torch.set_rng_state(saved['rng'])
        print(saved['printed'], end='')
        start, stopped = saved['epoch'] + 1, saved['stopped']
    for epoch_i in range(start, 0 if stopped else trainer.n_epoch):
        print('epoch:', epoch_i)
        trainer.train_one_epoch(train_dataloader)
        if trainer.scheduler is not None:
            if epoch_i % trainer.scheduler.step_size == 0:
                print('Current lr : {}'.format(trainer.optimizer.state_dict()['param_groups'][0]['lr']))
            trainer.scheduler.step()
        if val_dataloader:
            auc, logloss = trainer.evaluate(trainer.model, val_dataloader)
            print(f'epoch:{epoch_i} | val auc: {auc} | val logloss: {logloss}')
            stopped = trainer.early_stopper.stop_training(auc, trainer.model.state_dict())
            if stopped:
                print(f'validation: best auc: {trainer.early_stopper.best_auc}')
        stopper = trainer.early_stopper
        state = {'epoch': epoch_i, 'stopped': stopped, 'model': trainer.model.state_dict(), 'loose': loose_state(trainer.model),
                 'optimizer': trainer.optimizer.state_dict(),
                 'scheduler': trainer.scheduler.state_dict() if trainer.scheduler is not None else None,
                 'trial_counter': stopper.trial_counter, 'best_auc': stopper.best_auc, 'best_weights': stopper.best_weights,
                 'rng': torch.get_rng_state(), 'printed': printed.getvalue()}
        torch.save(state, checkpoint_file + '.tmp')
        os.replace(checkpoint_file + '.tmp', checkpoint_file)
        if stop_after and epoch_i + 1 == stop_after:
            printed.live.flush(); os._exit(3)
        if stopped:
            break
    if stopped:
        trainer.model.load_state_dict(trainer.early_stopper.best_weights)
    # fit ends by saving the final weights in the trainer's model folder (a scratch folder here), as the original does.
    torch.save(trainer.model.state_dict(), os.path.join(trainer.model_path, 'final.pth'))


script.CTRTrainer.fit = resumable_fit
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
if os.path.exists(checkpoint_file):
    os.remove(checkpoint_file)  # the result file is written: nothing left to resume
val = [float(v) for v in re.findall(r'val auc: ([0-9.]+)', log)]
print(args.model, args.seed, 'epochs', len(val), 'best', (max(range(len(val)), key=val.__getitem__) + 1) if val else None)
