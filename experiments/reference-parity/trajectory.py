"""The reference's half of the trajectory check (docs/fidelity.md, "Same start, same batches"): trains the reference
benchmark's own model class with its own CTRTrainer (Adam, BCELoss, train_one_epoch, evaluate) from the initial
weights Msr wrote with trajectory.fsx, on the reference script's own encoding of the data, in Msr's batch order, and
prints both trajectories side by side. With the start and the batches shared, what is left to differ is the training
loop and the arithmetic: two equal loops drift apart only by float rounding.

    MSR_REFERENCE=/path/to/Scenario-Wise-Rec /usr/bin/python3 trajectory.py /tmp/trajectory/hamur-2022 <folder with ml-1m.csv>

The data folder holds the reference script's input, written from MovieLens-100K by
experiments/reference-seeds/ml100k_merged.py. Writes <dump>/reference.json (--name to change). Exit code 1 when the split the
reference's own DataGenerator draws for the seed differs from Msr's.
"""
import argparse, json, os, sys, tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import numpy as np  # noqa: E402
import torch  # noqa: E402
import parity  # noqa: E402  (puts the reference on the import path, with a tqdm stand-in where tqdm is missing)

reference = os.environ.get('MSR_REFERENCE', '../Scenario-Wise-Rec')
sys.path.insert(0, os.path.join(reference, 'scripts'))
import run_movielens_rank_multi_domain as script  # noqa: E402
from scenario_wise_rec.trainers import CTRTrainer  # noqa: E402
from torch.utils.data import random_split  # noqa: E402

DOMAINS = 3


def batches(x, y, rows, sizes):
    """(features, labels) per batch, as the reference's DataLoader collates them: the script's own column dtypes."""
    start = 0
    for size in sizes:
        r = rows[start:start + size]; start += size
        yield {k: torch.from_numpy(v[r]) for k, v in x.items()}, torch.from_numpy(y[r])


def in_batches_of(rows, size):
    return [len(rows[i:i + size]) for i in range(0, len(rows), size)]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('dump'); parser.add_argument('data')
    parser.add_argument('--threads', type=int, default=1)
    parser.add_argument('--name', default='reference', help='result file <dump>/<name>.json (a control run keeps its own)')
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    run = json.load(open(os.path.join(args.dump, 'run.json')))   # the model, seed and protocol trajectory.fsx ran with
    model_name, seed, batch_size = run['model'], run['seed'], run['batch_size']
    msr = json.load(open(os.path.join(args.dump, 'trajectory.json')))
    epochs = len(msr)

    if model_name.lower() == 'ppnet':
        sys.exit('PPNet reads its own data function (separate id features); not wired here')
    _, _, _, frame, labels, _ = script.get_movielens_data_rank_multidomain(os.path.abspath(args.data))
    x = {k: frame[k].to_numpy() for k in frame.columns}
    y = labels.to_numpy()

    # The split: the reference's DataGenerator seeds torch and calls random_split with these lengths.
    split = {k: np.load(os.path.join(args.dump, f'split.{k}.npy')) for k in ('train', 'validation', 'test')}
    n = len(y); train = int(n * 0.8); val = int(n * 0.1)
    torch.manual_seed(seed)
    theirs = [np.asarray(p.indices) for p in random_split(range(n), (train, val, n - train - val))]
    same_split = all(np.array_equal(a, b) for a, b in zip(theirs, split.values()))
    print(f'split: {"the same rows in the same order" if same_split else "DIFFERENT"} on both sides')
    if not same_split:
        return 1

    model, *_ = parity.load_msr_weights(model_name, args.dump)
    # fit() is not called (it would stop early and save weights): its epoch loop is below, without the stopping.
    trainer = CTRTrainer(model, 'Movielens', optimizer_params={'lr': run['lr'], 'weight_decay': run['weight_decay']}, n_epoch=epochs,
                         earlystop_patience=4, device='cpu', model_path=tempfile.gettempdir())
    losses = []
    bce = trainer.criterion

    def recording(prediction, target):
        loss = bce(prediction, target); losses.append((float(loss), len(target))); return loss
    trainer.criterion = recording

    rows = []
    val_sizes, test_sizes = in_batches_of(split['validation'], batch_size), in_batches_of(split['test'], batch_size)
    for epoch in range(1, epochs + 1):
        order = np.load(os.path.join(args.dump, f'order.{epoch}.npy'))
        sizes = np.load(os.path.join(args.dump, f'batches.{epoch}.npy'))
        losses.clear()
        trainer.train_one_epoch(list(batches(x, y, order, sizes)))
        val_auc, val_logloss = trainer.evaluate(trainer.model, list(batches(x, y, split['validation'], val_sizes)))
        _, _, test_logloss, test_auc = trainer.evaluate_multi_domain_loss(
            trainer.model, list(batches(x, y, split['test'], test_sizes)), DOMAINS)
        train_loss = sum(l * m for l, m in losses) / sum(m for _, m in losses)
        rows.append({'epoch': epoch, 'train_loss': train_loss, 'val_auc': val_auc, 'val_logloss': val_logloss,
                     'test_auc': test_auc, 'test_logloss': test_logloss})
        m = msr[epoch - 1]
        print(f'epoch {epoch:2d}  ' + '  '.join(
            f'{k} {rows[-1][k]:.5f}/{m[k]:.5f} ({m[k] - rows[-1][k]:+.5f})'
            for k in ('train_loss', 'val_auc', 'val_logloss', 'test_auc', 'test_logloss')), flush=True)
    json.dump(rows, open(os.path.join(args.dump, args.name + '.json'), 'w'), indent=1)
    print('columns: reference/Msr (Msr - reference)')
    return 0


if __name__ == '__main__':
    sys.exit(main())
