"""HierRec against its official code (docs/fidelity.md, "HierRec against its official code"): loads the weights that
export.fsx wrote for Msr's HierRec (trained one epoch on MovieLens-100K without the dense age, which the official
code has no input for) into the official `HierRec` class, runs both on the same 512-row batch in eval mode and compares
predictions, the loss and every gradient. Training mode is not compared: HierRec's dropout draws different masks on
each side.

    export.fsx -- --model HierRec --no-dense --out /tmp/parity/hierrec ...
    MSR_HIERREC=/path/to/HierRec-checkout /usr/bin/python3 parity_hierrec.py /tmp/parity/hierrec

The official code is not part of Msr: clone it yourself. Exit code 1 when predictions differ by more than 1e-5.
"""
import glob, os, sys, warnings
import numpy as np
import torch

with warnings.catch_warnings():   # the official code asks numpy for np.long, which numpy 1.24 removed
    warnings.simplefilter('ignore')
    if not hasattr(np, 'long'):
        np.long = np.int64
sys.path.insert(0, os.environ.get('MSR_HIERREC', '../HierRec'))
from model.HierRec import HierRec  # noqa: E402

torch.set_num_threads(1)


def msr_to_official(name):
    """Msr state name -> the official one (None: no counterpart)."""
    fixed = {'embedding.tables.0.weight': 'embedding.embedding.weight',
             'scenario_table.weight': 'explicit.d_embedding.embedding.weight'}
    if name in fixed:
        return fixed[name]
    parts = name.split('.')
    if parts[0] == 'field_attention':
        return 'implicit.embed_atten.' + '.'.join(parts[1:])
    if parts[0] == 'field_selectors':
        return f'explicit.dnn2.{parts[1]}.{parts[2]}'
    if parts[0] in ('explicit_layers', 'implicit_layers'):   # weights.l / biases.l -> dnn1(l+1) / bg1(l+1)
        owner = 'explicit' if parts[0] == 'explicit_layers' else 'implicit'
        kind = 'dnn1' if parts[1] == 'weights' else 'bg1'
        return f'{owner}.{kind}{int(parts[2]) + 1}.{parts[3]}'
    if parts[0] == 'global_mlp':                              # layers.linear0 / bn0 -> dnn1.mlp.0 / 1
        index = {'linear0': 0, 'bn0': 1}[parts[2]]
        return f'dnn1.mlp.{index}.{parts[3]}'
    if parts[0] == 'output':                                  # Msr's one output MLP is the official out_trans + dnn3
        return {'linear0': 'out_trans.mlp.0', 'bn0': 'out_trans.mlp.1', 'linear1': 'dnn3.mlp.0', 'bn1': 'dnn3.mlp.1',
                'output': 'dnn3.mlp.output_l'}[parts[2]] + '.' + parts[3]
    return None


def relative(a, b):
    return float(np.abs(a - b).max() / (np.abs(b).max() + 1e-12))


def main(dump):
    feats = [line.split() for line in open(f'{dump}/features.txt').read().strip().splitlines()]
    weights = {os.path.basename(f)[2:-4]: np.load(f) for f in glob.glob(f'{dump}/w.*.npy')}
    grads = {os.path.basename(f)[2:-4]: np.load(f) for f in glob.glob(f'{dump}/g.*.npy')}
    scenarios = weights['scenario_table.weight'].shape[0]
    field_dims = [scenarios] + [int(v) for _, v, _ in feats]
    ref = HierRec(field_dims, 16, [[64], [16, 64], [16, 64], [64]], 4, 0.2, 'cpu')
    state = ref.state_dict()
    unmatched = [k for k in weights if msr_to_official(k) is None or msr_to_official(k) not in state]
    if unmatched:
        raise SystemExit(f'Msr tensors with no official counterpart: {unmatched}')
    for k, v in weights.items():
        state[msr_to_official(k)] = torch.from_numpy(np.array(v))
    filled = {msr_to_official(k) for k in weights}
    # The official explicit part declares a two-head attention it never calls; it keeps its own initial weights.
    left = sorted(k for k in state if k not in filled and not k.startswith('explicit.atten.'))
    if left:
        raise SystemExit(f'official tensors Msr did not fill: {left}')
    ref.load_state_dict(state)
    ref.eval()
    ids = np.load(f'{dump}/batch.sparse.npy').astype(np.int64)
    x = torch.from_numpy(np.concatenate([np.load(f'{dump}/batch.scenario.npy').astype(np.int64)[:, None], ids], 1))
    label = torch.from_numpy(np.load(f'{dump}/batch.label.npy'))
    p = ref(x)
    p_msr = np.load(f'{dump}/pred.npy')
    gap = float(np.abs(p.detach().numpy() - p_msr).max())
    loss = torch.nn.functional.binary_cross_entropy(p, label)
    loss.backward()
    named = dict(ref.named_parameters())
    rows = sorted(((relative(named[msr_to_official(k)].grad.numpy(), g), msr_to_official(k), float(np.abs(g).max()))
                   for k, g in grads.items()), reverse=True)
    with_grad = {n for n, q in named.items() if q.grad is not None and q.grad.abs().sum() > 0}
    missing = sorted(with_grad - {r[1] for r in rows})
    print(f'HierRec: {len(p_msr)} rows, max |p_official - p_msr| = {gap:.2e}; loss {float(loss):.6f} (official)')
    print(f'  gradients compared: {len(rows)}; official gradients Msr lacks: {missing or "none"}')
    print(f'  median relative gradient difference {float(np.median([r[0] for r in rows])):.2e}; largest:')
    for r in rows[:3]:
        print('    %.2e  %s  (max |grad| %.2e)' % r)
    return 0 if gap <= 1e-5 and not missing else 1


if __name__ == '__main__':
    sys.exit(main(sys.argv[1]))
