"""The other side of the parity check (docs/fidelity.md, "Parity with shared weights"): loads the weights that
export.fsx wrote for an Msr model into the reference benchmark's own model (Scenario-Wise Rec, MovieLens script
settings), runs both on the same batch in eval mode and compares predictions, the loss and every gradient.

    MSR_REFERENCE=/path/to/Scenario-Wise-Rec /usr/bin/python3 parity.py M2M /tmp/msr-parity/m2m

Needs PyTorch and NumPy (Debian: python3-torch python3-numpy). The reference is not part of Msr: clone it yourself.
Exit code 1 when predictions differ by more than 1e-5.
"""
import copy, glob, os, sys, types
import numpy as np
import torch

if 'tqdm' not in sys.modules:   # the reference uses tqdm for progress bars only (its trainer calls set_postfix on them)
    try:
        import tqdm  # noqa: F401
    except ImportError:
        class _PassThrough:
            def __init__(self, iterable=None, *a, **k): self.iterable = iterable
            def __iter__(self): return iter(self.iterable)
            def set_postfix(self, **k): pass
        stub = types.ModuleType('tqdm'); stub.tqdm = _PassThrough; sys.modules['tqdm'] = stub
sys.path.insert(0, os.environ.get('MSR_REFERENCE', '../Scenario-Wise-Rec'))
from scenario_wise_rec.basic.features import SparseFeature, DenseFeature  # noqa: E402
from scenario_wise_rec.models import multi_domain as R  # noqa: E402

torch.set_num_threads(1)
SCENARIO = [SparseFeature('domain_indicator', vocab_size=3, embed_dim=16)]
AGE = DenseFeature('age')


def sparse(feats):
    return [SparseFeature(n, vocab_size=int(v), embed_dim=int(d)) for n, v, d in feats]


def split_table(feats, prefix):
    """Msr merges same-width tables into one with per-feature row offsets; the reference keeps one per feature."""
    def split(table):
        out, offset = {}, 0
        for n, v, _ in feats:
            out[f'{prefix}.{n}.weight'] = table[offset:offset + int(v)]; offset += int(v)
        assert offset == table.shape[0], f'table rows {table.shape[0]} != vocabularies {offset}'
        return out
    return split


def scenario_table(name):
    return lambda t: {f'{name}.domain_indicator.weight': t}


def mlp_index(layer):
    """Msr MlpBlock layer -> index in the reference MLP's Sequential (Linear, BatchNorm, activation, Dropout)*."""
    return {'linear0': 0, 'bn0': 1, 'linear1': 4, 'bn1': 5, 'linear2': 8, 'bn2': 9}[layer]


# Per model: (reference model, Msr state name -> reference name or None, Msr table -> {reference table: rows}).
def m2m(feats, w):
    ref = R.M2M(features=sparse(feats) + SCENARIO, domain_feature=SCENARIO, domain_num=3, num_experts=4, expert_output_size=16,
                transformer_dims={"num_encoder_layers": 2, "num_decoder_layers": 2, "dim_feedforward": 16})
    mlps = {'task_mlp': 'task_mlp', 'scenario_mlp': 'scenario_mlp', 'attention_weight_mlp': 'vw_mlp', 'attention_bias_mlp': 'vb_mlp',
            'tower_weight_mlp': 'meta_tower_w_mlp', 'tower_bias_mlp': 'meta_tower_b_mlp'}
    def name(k):
        p = k.split('.')
        if p[0] == 'backbone': return '.'.join(['transformer'] + p[2:])
        if p[0] == 'attention_vector': return 'v'
        if p[0] == 'experts': return f"experts.{p[1]}.mlp.{mlp_index(p[3])}.{'.'.join(p[4:])}"
        if p[0] == 'output':
            return f"output_mlp.mlp.{8 if p[2] == 'output' else mlp_index(p[2])}.{'.'.join(p[3:])}"
        return f"{mlps[p[0]]}.mlp.{mlp_index(p[2])}.{'.'.join(p[3:])}"
    return ref, name, {'embedding.tables.0.weight': split_table(feats, 'embedding.embed_dict'),
                       'embedding.scenario_table.weight': scenario_table('embedding.embed_dict')}


def hamur(feats, w):
    ref = R.HamurSmall([AGE] + sparse(feats), domain_num=3, fcn_dims=[256, 128], hyper_dims=[64], k=35)
    adapter = {'u1': 'u.0', 'u2': 'u.1', 'v1': 'v.0', 'v2': 'v.1', 'b1': 'b_list.0', 'b2': 'b_list.1', 'gamma': 'gamma1', 'beta': 'bias1'}
    def name(k):
        p = k.split('.')
        if p[0] == 'adapters': return adapter[p[3]]
        if p[0] == 'hyper_net': return f"hyper_net.{mlp_index(p[2])}.{'.'.join(p[3:])}"
        if p[2] == 'output': return f'layer_list.{p[1]}.6.{p[3]}'
        index = {(0, 'linear0'): 0, (0, 'bn0'): 1, (1, 'linear0'): 3, (1, 'bn0'): 4}[(int(p[3]), p[5])]
        return f"layer_list.{p[1]}.{index}.{'.'.join(p[6:])}"
    return ref, name, {'embedding.tables.0.weight': split_table(feats, 'embedding.embed_dict')}


def epnet(feats, w):
    ref = R.EPNet(sce_features=SCENARIO, agn_features=sparse(feats) + [AGE], fcn_dims=[128, 64, 32])
    def name(k):
        p = k.split('.')
        if p[0] == 'gate': return f"gatenu.network.{ {'hidden': 0, 'output': 2}[p[1]] }.{p[2]}"
        return f'mlp.mlp.0.{p[1]}'   # the reference's linear head (fcn_dims lands in output_layer)
    return ref, name, {'embedding.tables.0.weight': split_table(feats, 'agn_embedding.embed_dict'),
                       'scenario_embedding.scenario_table.weight': scenario_table('sce_embedding.embed_dict')}


def ppnet(feats, w):
    ids, agn = feats[:2], feats[2:]
    ref = R.PPNet(id_features=sparse(ids), agn_features=sparse(agn) + [AGE] + SCENARIO, domain_num=3, fcn_dims=[128, 64, 32])
    def name(k):
        p = k.split('.')
        if p[2] == 'output': return f'domain_tower.{p[1]}.final_layer.{p[3]}'
        if p[2] == 'gates': return f"domain_tower.{p[1]}.gate_layers.{p[3]}.network.{ {'hidden': 0, 'output': 2}[p[4]] }.{p[5]}"
        return f"domain_tower.{p[1]}.mlp_layers.{p[3]}.mlp.{mlp_index(p[5])}.{'.'.join(p[6:])}"
    return ref, name, {'id_embedding.tables.0.weight': split_table(ids, 'id_embedding.embed_dict'),
                       'agnostic_embedding.tables.0.weight': split_table(agn, 'agn_embedding.embed_dict'),
                       'agnostic_embedding.scenario_table.weight': scenario_table('agn_embedding.embed_dict')}


def adasparse(feats, w):
    ref = R.AdaSparse(sce_features=SCENARIO, agn_features=sparse(feats), form='Fusion', epsilon=1e-2, alpha=1.0, delta_alpha=1e-4,
                      mlp_params={"dims": [32, 32], "dropout": 0.2, "activation": "relu"})
    # Msr's alpha after its last forward is the value that forward used; the reference adds delta_alpha before use.
    ref.alpha = torch.tensor(float(w['alpha']) - 1e-4, dtype=torch.float32)
    def name(k):
        p = k.split('.')
        if p[0] == 'alpha': return None
        if p[0] == 'pruners': return f'pruner_layers.{p[1]}.linear.weight'
        if p[0] == 'output': return f'mlp_layers.2.{p[1]}'
        return f"mlp_layers.{p[1]}.{mlp_index(p[3])}.{'.'.join(p[4:])}"
    return ref, name, {'embedding.tables.0.weight': split_table(feats, 'agn_embedding.embed_dict'),
                       'embedding.scenario_table.weight': scenario_table('sce_embedding.embed_dict')}


def sarnet(feats, w):
    ref = R.Sarnet(features=sparse(feats), domain_num=3, domain_shared_expert_num=8, domain_specific_expert_num=2)
    def name(k):
        p = k.split('.')
        if p[0] == 'scenario_scale': return f'domain_weight.{p[1]}'
        if p[0] == 'scenario_shift': return f'domain_bias.{p[1]}'
        if p[0] == 'shared_experts': return 'shared_expert.' + '.'.join(p[1:])
        if p[0] == 'specific_experts': return 'domain_specific_expert.' + '.'.join(p[1:])
        if p[0] == 'gate': return f'gate_net.{p[2]}'
        return f"final_mlp.mlp.{8 if p[2] == 'output' else mlp_index(p[2])}.{'.'.join(p[3:])}"
    return ref, name, {'embedding.tables.0.weight': split_table(feats, 'embedding.embed_dict')}


def adl(feats, w):
    ref = R.AdaptDHM(features=sparse(feats) + SCENARIO, fcn_dims=[64, 64], cluster_num=3, beta=0.9, device='cpu')
    ref.center = torch.from_numpy(np.array(w['centres']))   # not a parameter in the reference: set directly
    def name(k):
        p = k.split('.')
        if p[0] == 'centres': return None
        kind = 'w' if 'weights' in p else 'b'
        tower = 0 if p[0] == 'shared_tower' else int(p[1]) + 1
        return f'domain_{kind}.{tower}.{p[-1]}'
    return ref, name, {'embedding.tables.0.weight': split_table(feats, 'embedding.embed_dict'),
                       'embedding.scenario_table.weight': scenario_table('embedding.embed_dict')}


def m3oe(feats, w):
    ref = R.M3oE(features=[AGE] + sparse(feats), domain_num=3, fcn_dims=[128, 64, 64, 32], expert_num=4,
                 exp_d=1, exp_t=1, bal_d=1, bal_t=1, device='cpu')
    norm = {'linear0': 0, 'ln0': 1}
    def name(k):
        p = k.split('.')
        if p[0].startswith('theta_'): return f'_weight_{p[0][6:]}.deep_weights'
        if p[0] == 'bottom': return f'star_mlp.domain_specific.{norm[p[2]]}.{p[3]}'
        if p[0] == 'skip': return f'skip_conn.domain_specific.{norm[p[2]]}.{p[3]}'
        if p[0] == 'shared_bottom': return 'shared_weight' if p[1] == 'weights' else 'shared_bias'
        if p[0] == 'scenario_bottoms': return f"slot_{'weight' if p[2] == 'weights' else 'bias'}.{p[1]}"
        if p[0] == 'shared_experts': return f'expert.{p[1]}.domain_specific.{norm[p[3]]}.{p[4]}'
        if p[0] == 'domain_experts': return f'domain_expert.{p[1]}.domain_specific.{norm[p[3]]}.{p[4]}'
        if p[0] == 'gates': return f'gate.{p[1]}.0.{p[2]}'
        return f"tower.{p[1]}.{ {'linear0': 0, 'ln0': 1, 'output': 3}[p[3]] }.{p[4]}"
    return ref, name, {'embedding.tables.0.weight': split_table(feats, 'embedding.embed_dict')}


def tower_index(layer, hidden):
    """Msr MlpBlock layer -> index in a reference MLP with a logit layer after `hidden` blocks of four modules."""
    return 4 * hidden if layer == 'output' else mlp_index(layer)


def gate_index(layer):
    """Msr gate (Linear, BatchNorm, softmax) -> the reference's MLP(dims=[n], activation='softmax')."""
    return {'linear': 0, 'bn': 1}[layer]


def sharedbottom(feats, w):
    ref = R.SharedBottom([AGE] + sparse(feats), 3, bottom_params={"dims": [128]}, tower_params={"dims": [8]})
    def name(k):
        p = k.split('.')
        if p[0] == 'bottom': return f"bottom_mlp.mlp.{mlp_index(p[2])}.{'.'.join(p[3:])}"
        return f"towers.{p[1]}.mlp.{tower_index(p[3], 1)}.{'.'.join(p[4:])}"
    return ref, name, {'embedding.tables.0.weight': split_table(feats, 'embedding.embed_dict')}


def mmoe(feats, w):
    ref = R.MMOE([AGE] + sparse(feats), 3, n_expert=3, expert_params={"dims": [16]}, tower_params={"dims": [8]})
    def name(k):
        p = k.split('.')
        if p[0] == 'experts': return f"experts.{p[1]}.mlp.{mlp_index(p[3])}.{'.'.join(p[4:])}"
        if p[0] == 'gates': return f"gates.{p[1]}.mlp.{gate_index(p[2])}.{'.'.join(p[3:])}"
        return f"towers.{p[1]}.mlp.{tower_index(p[3], 1)}.{'.'.join(p[4:])}"
    return ref, name, {'embedding.tables.0.weight': split_table(feats, 'embedding.embed_dict')}


def ple(feats, w):
    ref = R.PLE([AGE] + sparse(feats), 3, n_level=1, n_expert_specific=2, n_expert_shared=1, expert_params={"dims": [16]},
                tower_params={"dims": [8]})
    def name(k):
        p = k.split('.')
        if p[0] == 'specific_experts':   # Msr: per scenario, then per expert; the reference: one flat list
            return f"cgc_layers.0.experts_specific.{int(p[1]) * 2 + int(p[2])}.mlp.{mlp_index(p[4])}.{'.'.join(p[5:])}"
        if p[0] == 'shared_experts': return f"cgc_layers.0.experts_shared.{p[1]}.mlp.{mlp_index(p[3])}.{'.'.join(p[4:])}"
        if p[0] == 'gates': return f"cgc_layers.0.gates_specific.{p[1]}.mlp.{gate_index(p[2])}.{'.'.join(p[3:])}"
        return f"towers.{p[1]}.mlp.{tower_index(p[3], 1)}.{'.'.join(p[4:])}"
    return ref, name, {'embedding.tables.0.weight': split_table(feats, 'embedding.embed_dict')}


def star(feats, w):
    ref = R.Star([AGE] + sparse(feats), 3, fcn_dims=[128, 64, 32], aux_dims=[32])
    def name(k):
        p = k.split('.')
        if p[0] == 'aux': return f"auxnet.mlp.{tower_index(p[2], 1)}.{'.'.join(p[3:])}"
        if p[0] == 'shared_gamma': return 'dn_share_gamma'
        if p[0] == 'shared_beta': return 'dn_share_bias'
        if p[0] == 'shared': return f"share_parm_{'w' if p[1] == 'weights' else 'b'}.{p[2]}"
        d = p[1]
        if p[2] == 'gamma': return f'domain_specific_dn_gamma.{d}'
        if p[2] == 'beta': return f'domain_specific_dn_bias.{d}'
        if p[2] == 'norms': return f"domain_specific_bn.{d}.{p[3]}.{'.'.join(p[4:])}"
        return f"domain_specific_{'w' if p[3] == 'weights' else 'b'}.{d}.{p[4]}"
    return ref, name, {'embedding.tables.0.weight': split_table(feats, 'embedding.embed_dict')}


MODELS = {'sharedbottom': sharedbottom, 'mmoe': mmoe, 'ple': ple, 'star': star, 'm2m': m2m, 'hamur': hamur, 'epnet': epnet, 'ppnet': ppnet, 'adasparse': adasparse, 'sar-net': sarnet, 'adl': adl, 'm3oe': m3oe}


def relative(a, b):
    return float(np.abs(a - b).max() / (np.abs(b).max() + 1e-12))


def load_msr_weights(model, dump):
    """The reference's model class for `model`, holding the weights Msr wrote to `dump` (w.*.npy, features.txt).
    Returns (reference model, features, Msr weights, Msr name -> reference name, Msr table -> reference tables)."""
    feats = [line.split() for line in open(f'{dump}/features.txt').read().strip().splitlines()]
    weights = {os.path.basename(f)[2:-4]: np.load(f) for f in glob.glob(f'{dump}/w.*.npy')}
    ref, name, tables = MODELS[model.lower()](feats, weights)
    state = {}
    for k, v in weights.items():
        if k in tables:
            state.update({rn: torch.from_numpy(np.ascontiguousarray(rows)) for rn, rows in tables[k](v).items()})
        elif name(k) is not None:
            state[name(k)] = torch.from_numpy(np.array(v))
    ref.load_state_dict(state, strict=True)   # every reference tensor must come from Msr, and nothing may be left over
    return ref, feats, weights, name, tables


def main(model, dump):
    ref, feats, weights, name, tables = load_msr_weights(model, dump)
    grads = {os.path.basename(f)[2:-4]: np.load(f) for f in glob.glob(f'{dump}/g.*.npy')}
    ref.eval()
    ids = np.load(f'{dump}/batch.sparse.npy'); label = np.load(f'{dump}/batch.label.npy')
    x = {n: torch.from_numpy(ids[:, i].astype(np.int64)) for i, (n, _, _) in enumerate(feats)}
    x['domain_indicator'] = torch.from_numpy(np.load(f'{dump}/batch.scenario.npy'))
    x['age'] = torch.from_numpy(np.load(f'{dump}/batch.dense.npy')[:, 0].copy())
    p = ref(x)
    p_msr = np.load(f'{dump}/pred.npy')
    gap = float(np.abs(p.detach().numpy() - p_msr).max())
    loss = torch.nn.functional.binary_cross_entropy(p, torch.from_numpy(label))
    loss.backward()
    named = dict(ref.named_parameters())
    rows = gradient_rows(grads, named, name, tables)
    no_grad = sorted(n for n, q in named.items() if q.grad is None)
    compared = {r[1] for r in rows}
    missing = sorted(n for n, q in named.items() if q.grad is not None and n not in compared)
    if missing: print(f'  reference gradients with no Msr gradient: {missing}')
    rows.sort(reverse=True)
    print(f'{model}: {len(p_msr)} rows, max |p_ref - p_msr| = {gap:.2e}; loss {float(loss):.6f} (reference)')
    print(f'  gradients compared: {len(rows)}; reference parameters without a gradient (none in Msr either): {len(no_grad)}')
    print(f'  median relative gradient difference {float(np.median([r[0] for r in rows])):.2e}; largest:')
    for r in rows[:int(os.environ.get('PARITY_SHOW', '3'))]: print('    %.2e  %s  (max |grad| %.2e)' % r)
    ok = (gap <= 1e-5 or float64_arbiter(ref, x, p, p_msr)) and not missing
    if os.path.exists(f'{dump}/train.pred.npy'):
        ok = training_step(model, ref, dump, x, label, weights, name, tables) and ok
    return 0 if ok else 1


def float64_arbiter(ref, x, p_ref, p_msr):
    """Where the two float32 results differ by more than 1e-5: the reference's model in float64 on the same weights and
    batch says whose rounding it is. An untrained model (export.fsx --epochs 0) can amplify float32 rounding past 1e-5 on
    both sides (HAMUR's eval mode: the reference 1.7e-5 from its own float64 result, Msr 7e-6). Passes when Msr is
    within 1e-5 of the float64 result or no further from it than the reference's float32 is."""
    try:
        ref64 = copy.deepcopy(ref).double()
        x64 = {k: (v.double() if v.is_floating_point() else v) for k, v in x.items()}
        with torch.no_grad():
            p64 = ref64(x64).numpy()
    except Exception as e:   # a model with float32 constants inside its forward cannot run in float64
        print(f'  float64 arbiter not available: {e}')
        return False
    ref_err = float(np.abs(p_ref.detach().numpy() - p64).max()); msr_err = float(np.abs(p_msr - p64).max())
    print(f'  float64 arbiter: max |p - p64| reference float32 {ref_err:.2e}, Msr {msr_err:.2e}')
    return msr_err <= max(ref_err, 1e-5)


# Models whose training forward draws dropout masks: the two sides' random streams differ, so no step parity.
DROPOUT = {'m2m', 'adasparse'}


def gradient_rows(grads, named, name, tables):
    """(relative difference, reference name, max |grad|) per gradient; an Msr gradient the reference lacks stops the check."""
    rows = []
    for k, g in grads.items():
        pairs = tables[k](g).items() if k in tables else ([(name(k), g)] if name(k) is not None else [])
        for rn, rg in pairs:
            if named[rn].grad is None: raise SystemExit(f'{rn}: Msr has a gradient ({k}), the reference none')
            rows.append((relative(named[rn].grad.numpy(), rg), rn, float(np.abs(rg).max())))
    return rows


def training_step(model, ref, dump, x, label, weights, name, tables):
    """The same batch in training mode from the shared weights: predictions, every gradient, and the state after the
    forward (BatchNorm running statistics, AdaptDHM's centres, AdaSparse's alpha), as changes from the shared state."""
    if model.lower() in DROPOUT:
        print('  training mode: not compared (dropout in the training forward draws different masks on each side)')
        return True
    after = {os.path.basename(f)[2:-4]: np.load(f) for f in glob.glob(f'{dump}/s.*.npy')}
    grads = {os.path.basename(f)[3:-4]: np.load(f) for f in glob.glob(f'{dump}/tg.*.npy')}
    ref.zero_grad(set_to_none=True)
    ref.train()
    p = ref(x)
    torch.nn.functional.binary_cross_entropy(p, torch.from_numpy(label)).backward()
    gap = float(np.abs(p.detach().numpy() - np.load(f'{dump}/train.pred.npy')).max())
    rows = gradient_rows(grads, dict(ref.named_parameters()), name, tables)
    rows.sort(reverse=True)
    ref_state = ref.state_dict()
    moved = []
    for k, v in after.items():
        if k in tables or not np.issubdtype(v.dtype, np.floating): continue
        rn = name(k)
        before = np.array(weights[k])
        if rn is None:   # Msr state outside the reference's state dict: an attribute there
            attr = {'centres': 'center', 'alpha': 'alpha'}.get(k)
            if attr is None: continue
            theirs = getattr(ref, attr).detach().numpy()
        else:
            theirs = ref_state[rn].numpy()
        if not np.any(v != before) and not np.any(theirs != before): continue   # parameters: not moved without a step
        moved.append((relative(theirs - before, v - before), rn or k))
    moved.sort(reverse=True)
    show = int(os.environ.get('PARITY_SHOW', '3'))
    print(f'  training mode: max |p_ref - p_msr| = {gap:.2e}; gradients compared {len(rows)}, median relative difference '
          f'{float(np.median([r[0] for r in rows])):.2e}; largest:')
    for r in rows[:show]: print('    %.2e  %s  (max |grad| %.2e)' % r)
    print(f'  state changed by the training forward: {len(moved)} entries; relative difference of the change, largest:')
    for m in moved[:show]: print('    %.2e  %s' % m)
    return gap <= 1e-5


if __name__ == '__main__':
    sys.exit(main(sys.argv[1], sys.argv[2]))
