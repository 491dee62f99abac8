using Msr.Core.Data;
using Msr.Core.Models.Layers;
using Msr.Core.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Msr.Core.Models;

/// <summary>
/// M3oE, the benchmark's single-task form (spec §4.13): a STAR-like scenario bottom plus a skip path, K shared
/// experts and S domain experts (LayerNorm MLPs), per-scenario gates on the stop-gradient representation, a domain
/// balance σ(θ_balD) and an expert fusion σ(θ_expD), and per-scenario towers.
/// </summary>
/// <remarks>
/// <para>The reference runs every scenario's bottom slot, gate and tower on the whole batch and keeps each row's own
/// scenario's (compute-all + mask-merge). None of them has batch statistics (M3oE normalises with LayerNorm, row by
/// row), so the other scenarios' rows change neither their outputs nor their gradients: Msr runs each on its own
/// rows in training too (ScenarioMerge.Route), the same numbers up to float rounding at 1/S of the cost. Every domain
/// expert runs on every row, as all are mixed by the balance.</para>
/// <para>The four structure scalars θ_expD, θ_expT, θ_balD, θ_balT (init 1.0) are parameters and counted; in the
/// single-task form only θ_expD and θ_balD act, θ_expT and θ_balT never get a gradient. By default (reference) the
/// θ are trained jointly by the main Adam with everything else. <c>darts_step_per_epoch</c> adds the official code's
/// once-per-epoch step: after the training pass, one update of the θ with the model's own Adam (<c>lr_darts</c>) on
/// one training batch; as in that code, the θ stay in the main optimiser as well.</para>
/// <para>With a single scenario the balance has no other domains to borrow from: q̃ = σ(θ_balD)·q (the spec's
/// (1 − w)/(S − 1)·Σ over no domain would be 0/0).</para>
/// </remarks>
public sealed class M3oE : ScenarioModel
{
    static readonly WidthsOption Fcn = ModelOption.Widths("fcn_dims",
        "widths [a, b, b, …, c]: star bottom a, bottom and skip b, experts fcn[2:] (fcn[2] must equal fcn[1]), towers c",
        new(movielens: [128, 64, 64, 32], kuairand: [128, 64, 64, 32], aliccp: [512, 256, 256, 64], amazon: [128, 64, 64, 32],
            douban: [128, 64, 64, 32], mind: [128, 64, 64, 32]));
    static readonly IntOption SharedExperts = ModelOption.Int("shared_experts", "number K of shared experts", PerPreset<int>.Same(4), min: 1);
    static readonly BoolOption DartsStep = ModelOption.Bool("darts_step_per_epoch",
        "once per epoch, one extra step of the structure scalars θ with the model's own Adam (official code); false: joint training only (reference)", false);
    static readonly NumberOption DartsLr = ModelOption.Number("lr_darts", "learning rate of the once-per-epoch θ step", PerPreset<double>.Same(1e-3), min: 0);

    public static IReadOnlyList<ModelOption> Options { get; } = [Fcn, SharedExperts, DartsStep, DartsLr];

    static readonly MlpStyle LayerNormMlp = new(Norm: Normalization.LayerNorm);

    readonly FeatureEmbedding embedding;
    readonly MlpBlock skip;
    readonly StarWeights shared_bottom;
    readonly ModuleList<StarWeights> scenario_bottoms = new();
    readonly MlpBlock bottom;
    readonly ModuleList<MlpBlock> shared_experts = new();
    readonly ModuleList<MlpBlock> domain_experts = new();
    readonly ModuleList<Linear> gates = new();
    readonly ModuleList<MlpBlock> towers = new();
    readonly Parameter theta_exp_d;
    readonly Parameter theta_exp_t;
    readonly Parameter theta_bal_d;
    readonly Parameter theta_bal_t;
    readonly bool _dartsStep;
    readonly double _dartsLr;
    optim.Optimizer? _darts;

    public M3oE(ModelContext context, Settings options) : base("M3oE")
    {
        var fcn = Fcn.Read(context, options);
        int expertCount = SharedExperts.Read(context, options);
        _dartsStep = DartsStep.Read(context, options);
        _dartsLr = DartsLr.Read(context, options);
        if (fcn.Length < 3 || fcn[2] != fcn[1])
            throw new ArgumentException($"option 'fcn_dims': M3oE needs at least three widths [a, b, b, …] with fcn[2] == fcn[1] " +
                $"(the experts start from the bottom's width b); got [{string.Join(",", fcn)}]");
        int a = fcn[0], b = fcn[1];
        int[] expertDims = fcn[3..];
        int scenarios = context.ScenarioCount;

        embedding = new FeatureEmbedding(context.Schema, EmbeddingInputs.Default);
        int d = embedding.OutputDim;
        skip = new MlpBlock(d, [b], outputLayer: false, LayerNormMlp);
        shared_bottom = new StarWeights([d, a], "shared_bottom", StarInit.XavierZeroBias());
        for (int s = 0; s < scenarios; s++) scenario_bottoms.Add(new StarWeights([d, a], $"scenario{s}", StarInit.XavierZeroBias()));
        bottom = new MlpBlock(a, [b], outputLayer: false, LayerNormMlp);
        for (int k = 0; k < expertCount; k++) shared_experts.Add(new MlpBlock(b, expertDims, outputLayer: false, LayerNormMlp));
        for (int s = 0; s < scenarios; s++) domain_experts.Add(new MlpBlock(b, expertDims, outputLayer: false, LayerNormMlp));
        int c = shared_experts[0].OutputDim;
        for (int s = 0; s < scenarios; s++)
        {
            gates.Add(Linear(b, expertCount));
            towers.Add(new MlpBlock(c, [c], outputLayer: true, LayerNormMlp));
        }
        theta_exp_d = Parameter(ones(1));
        theta_exp_t = Parameter(ones(1));
        theta_bal_d = Parameter(ones(1));
        theta_bal_t = Parameter(ones(1));
        RegisterComponents();
    }

    public override Tensor forward(ScenarioBatch batch)
    {
        var scenario = batch.Scenario;
        var x = embedding.forward(batch);                                                    // (B, D)
        var z = ScenarioMerge.Route(scenario_bottoms.Count, scenario, EveryRowForRowWiseBranches, (s, rows) => StarBottom(rows(x), scenario_bottoms[s])); // (B, a)
        var emb = bottom.forward(z) + skip.forward(x);                                       // (B, b)
        var shared = stack(shared_experts.Select(e => e.forward(emb)), 1);                   // (B, K, c)
        var balanced = Balance(stack(domain_experts.Select(e => e.forward(emb)), 1));        // (B, S, c)
        var gateInput = emb.detach();                                                        // gates do not train the bottom
        var fusion = sigmoid(theta_exp_d);
        return ScenarioMerge.Route(towers.Count, scenario, EveryRowForRowWiseBranches, (s, rows) =>
        {
            var weights = softmax(gates[s].forward(rows(gateInput)), 1).unsqueeze(2);       // (B, K, 1)
            var fused = (weights * rows(shared)).sum(1) + fusion * rows(balanced.select(1, s)); // (B, c)
            return sigmoid(towers[s].forward(fused));
        }).squeeze(1);
    }

    Tensor StarBottom(Tensor x, StarWeights own) =>
        x.matmul(own.Weight(0) * shared_bottom.Weight(0)) + own.Bias(0) + shared_bottom.Bias(0);

    /// <summary>q̃_s = w·q_s + (1 − w)/(S − 1)·Σ_{j≠s} q_j with w = σ(θ_balD); <paramref name="domain"/> is (B, S, c).</summary>
    Tensor Balance(Tensor domain)
    {
        var keep = sigmoid(theta_bal_d);
        long others = domain.shape[1] - 1;
        if (others == 0) return keep * domain;
        var rest = domain.sum(1, keepdim: true) - domain;
        return keep * domain + (1 - keep) / others * rest;
    }

    /// <summary>With <c>darts_step_per_epoch</c>: one step of the θ with the model's own Adam on one training batch.</summary>
    public override void OnEpochEnd(EpochContext context)
    {
        if (!_dartsStep) return;
        var darts = StructureOptimizer();
        var batch = context.DrawTrainingBatch();
        var loss = EpochContext.TaskLoss(forward(batch), batch.Label);
        darts.zero_grad();
        loss.backward();
        darts.step();
        // The backward filled every parameter's gradient; the main optimiser clears them before its next step, but
        // nothing of this step should linger.
        zero_grad();
    }

    /// <summary>The structure weights' own Adam, built on first use, so it holds the parameters wherever the model was
    /// moved after construction.</summary>
    optim.Optimizer StructureOptimizer() =>
        _darts ??= optim.Adam([theta_exp_d, theta_exp_t, theta_bal_d, theta_bal_t], _dartsLr, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 0);

    /// <summary>The structure optimiser's moments and step count, once it has stepped.</summary>
    public override void SaveTrainingState(BinaryWriter writer)
    {
        writer.Write(_darts is not null);
        if (_darts is OptimizerHelper darts) darts.save_state_dict(writer);
    }

    public override void LoadTrainingState(BinaryReader reader)
    {
        if (reader.ReadBoolean()) ((OptimizerHelper)StructureOptimizer()).load_state_dict(reader);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _darts?.Dispose();
        base.Dispose(disposing);
    }
}
