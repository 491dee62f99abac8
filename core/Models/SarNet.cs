using Msr.Core.Data;
using Msr.Core.Models.Layers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Msr.Core.Models;

/// <summary>
/// SAR-Net as the reference benchmark runs it (spec §4.5): a per-scenario transformation of the sparse embeddings
/// (t = e ⊙ w^s + c^s), <c>shared_experts</c> shared and <c>specific_experts</c> scenario-specific "debias experts"
/// (BatchNorm1d → Linear, no activation), one softmax gate shared by all scenarios over every expert a row sees,
/// and a final MLP with a logit layer.
/// </summary>
/// <remarks>
/// Routing follows the reference's compute-all then mask-merge (spec §1.6): every scenario's transformation and
/// every scenario's specific experts run on the whole batch (the experts on the batch transformed with that
/// scenario's w^s, c^s), and each row keeps its own scenario's result. This matters: the BatchNorm inside a
/// specific expert normalises over, and accumulates running statistics from, all rows of the batch.
/// The experts run grouped (<see cref="DebiasExpertGroups"/>): the shared experts, which all read t, as one
/// normalisation and one matrix product, and the specific experts, scenario s's reading t_s, likewise with one
/// normalisation over all t_s and one batched product. Parameters, buffers, their names and initialisation are each
/// expert's own BatchNorm1d and Linear as before; the outputs, gradients and running statistics equal running each
/// expert's BatchNorm1d → Linear on its own up to floating-point summation order (tests compare the two paths).
/// The paper's behaviour-sequence attention, bias networks and fairness coefficient are absent from the reference
/// (and the benchmark data has no sequences), so they are absent here too. Inputs: sparse embeddings only (§3.8).
/// </remarks>
public sealed class SarNet : ScenarioModel
{
    static readonly IntOption SharedExpertCount = ModelOption.Int("shared_experts", "debias experts shared by all scenarios", PerPreset<int>.Same(8), min: 0);
    static readonly IntOption SpecificExpertCount = ModelOption.Int("specific_experts", "debias experts owned by each scenario", PerPreset<int>.Same(2), min: 0);
    static readonly IntOption ExpertDim = ModelOption.Int("expert_dim", "output width of every expert (BatchNorm → Linear to this width)", PerPreset<int>.Same(16), min: 1);
    static readonly WidthsOption FinalDims = ModelOption.Widths("final_dims", "hidden widths of the final MLP over the mixed experts (a logit layer follows)",
        PerPreset<int[]>.Same([32, 32]));

    public static IReadOnlyList<ModelOption> Options { get; } = [SharedExpertCount, SpecificExpertCount, ExpertDim, FinalDims];

    readonly FeatureEmbedding embedding;
    readonly ParameterList scenario_scale = new();        // w^s, (1, D) each
    readonly ParameterList scenario_shift = new();        // c^s, (D) each
    readonly ModuleList<DebiasExpert> shared_experts = new();
    readonly ModuleList<ModuleList<DebiasExpert>> specific_experts = new();
    readonly GateBlock gate;
    readonly MlpBlock final_mlp;
    readonly int _expertDim;
    readonly int _specificPerScenario;
    readonly DebiasExpert[] _specificExperts;                                                  // scenario by scenario, for the grouped forward

    public SarNet(ModelContext context, Settings options) : base("SAR-Net")
    {
        int shared = SharedExpertCount.Read(context, options);
        _specificPerScenario = SpecificExpertCount.Read(context, options);
        _expertDim = ExpertDim.Read(context, options);
        var finalDims = FinalDims.Read(context, options);
        if (shared + _specificPerScenario == 0)
            throw new ArgumentException("SAR-Net: options 'shared_experts' and 'specific_experts' are both 0; the gate needs at least one expert");

        embedding = new FeatureEmbedding(context.Schema, new EmbeddingInputs(Dense: false));
        if (embedding.SparseFieldCount == 0)
            throw new ArgumentException("SAR-Net reads sparse features only (spec §3.8) and the dataset has none");
        int d = embedding.OutputDim;
        // Xavier-uniform on a 1×D matrix: fan_in D, fan_out 1.
        double bound = Math.Sqrt(6.0 / (d + 1));
        for (int s = 0; s < context.ScenarioCount; s++)
        {
            scenario_scale.Add(Parameter(empty(1, d).uniform_(-bound, bound)));
            scenario_shift.Add(Parameter(empty(d).uniform_(0, 1)));
            var own = new ModuleList<DebiasExpert>();
            for (int k = 0; k < _specificPerScenario; k++) own.Add(new DebiasExpert(d, _expertDim));
            specific_experts.Add(own);
        }
        for (int k = 0; k < shared; k++) shared_experts.Add(new DebiasExpert(d, _expertDim));
        gate = new GateBlock(d, shared + _specificPerScenario, batchNorm: false);
        final_mlp = new MlpBlock(_expertDim, finalDims, outputLayer: true);
        RegisterComponents();
        _specificExperts = [.. specific_experts.SelectMany(own => own)];
    }

    public override Tensor forward(ScenarioBatch batch)
    {
        var e = embedding.forward(batch);                                                      // (B, D)
        // Every scenario's t_s = e ⊙ w^s + c^s on all rows, (B, S, D): the layout the grouped experts normalise in.
        var transformed = e.unsqueeze(1) * stack(scenario_scale, 1) + stack(scenario_shift);
        var t = ScenarioMerge.MaskMerge(transformed.unbind(1), batch.Scenario);                // each row: its own w^s, c^s
        var parts = new List<Tensor>(2);
        if (shared_experts.Count > 0)
            // One group (t) of n_sh experts: (1, B, n_sh·k) → (B, n_sh, k).
            parts.Add(DebiasExpertGroups.Forward(t.unsqueeze(1), shared_experts, training).squeeze(0).view(-1, shared_experts.Count, _expertDim));
        if (_specificPerScenario > 0)
        {
            // S groups (t_s) of n_sp experts: (S, B, n_sp·k); merged flat so whole rows follow their scenario, then (B, n_sp, k).
            var specific = DebiasExpertGroups.Forward(transformed, _specificExperts, training);
            parts.Add(ScenarioMerge.MaskMerge(specific.unbind(0), batch.Scenario).view(-1, _specificPerScenario, _expertDim));
        }
        var candidates = parts.Count == 1 ? parts[0] : cat(parts, 1);                          // (B, n_sh + n_sp, k): shared first
        var mixed = (gate.forward(t).unsqueeze(2) * candidates).sum(1);                        // (B, k)
        return sigmoid(final_mlp.forward(mixed)).squeeze(1);
    }
}

/// <summary>
/// The reference's "debias expert": BatchNorm1d over the input, then a Linear to the expert width (no activation).
/// SAR-Net runs its experts through <see cref="DebiasExpertGroups"/>; <see cref="forward"/> is the one-expert
/// definition that grouping reproduces (the tests compare the two).
/// </summary>
internal sealed class DebiasExpert : Module<Tensor, Tensor>
{
    /// <summary>PyTorch's BatchNorm1d defaults, named because the grouped path applies them itself.</summary>
    internal const double Momentum = 0.1, Eps = 1e-5;

    readonly BatchNorm1d bn;
    readonly Linear linear;

    public DebiasExpert(int inputDim, int outputDim, string name = "expert") : base(name)
    {
        bn = BatchNorm1d(inputDim, eps: Eps, momentum: Momentum);
        linear = Linear(inputDim, outputDim);
        RegisterComponents();
    }

    internal BatchNorm1d Norm => bn;
    internal Linear Projection => linear;

    public override Tensor forward(Tensor input) => linear.forward(bn.forward(input));
}

/// <summary>
/// Many <see cref="DebiasExpert"/>s that read the same input, run as one normalisation and one matrix product
/// instead of one BatchNorm and one Linear each.
/// </summary>
/// <remarks>
/// In training, every expert of a group normalises with the same batch statistics, so BN_j(x) = x̂ ⊙ γ_j + β_j with
/// one shared x̂ = (x − mean) / √(biased var + eps), and Linear_j(BN_j(x)) = x̂ (W_j ⊙ γ_j)ᵀ + (W_j β_j + b_j): a group is
/// one x̂ and one product against the stacked folded weights. In evaluation each expert's own running statistics are
/// folded into its weights relative to the group's first expert (identical in practice, but not assumed), so no
/// expert's statistics are shared with another's. Each expert's running_mean, running_var (unbiased batch variance)
/// and num_batches_tracked move exactly as its own BatchNorm1d would move them; the parameters and buffers stay the
/// experts' own, so names, initialisation and saved weights are unchanged. The results equal the one-expert-at-a-time
/// path up to floating-point summation order (the folded weights add and multiply in a different order).
/// </remarks>
internal static class DebiasExpertGroups
{
    /// <param name="inputs">(B, G, D): inputs[:, g] is the input of group g.</param>
    /// <param name="experts">G·K experts, group by group: expert g·K + j reads inputs[g].</param>
    /// <param name="training">Batch statistics (and running-statistics updates) when true, running statistics otherwise.</param>
    /// <returns>(G, B, K·k): group g's experts side by side, expert by expert.</returns>
    public static Tensor Forward(Tensor inputs, IList<DebiasExpert> experts, bool training)
    {
        long groups = inputs.shape[1], perGroup = experts.Count / groups;
        if (perGroup * groups != experts.Count)
            throw new ArgumentException($"{experts.Count} debias experts do not split into {groups} equal groups");
        var gamma = stack(experts.Select(x => x.Norm.weight!));                                 // (N, D)
        var beta = stack(experts.Select(x => x.Norm.bias!));                                    // (N, D)
        var (normalised, scale, shift) = training
            ? BatchNormalised(inputs, experts, gamma, beta)
            : RunningNormalised(inputs, experts, gamma, beta);
        // Linear_j(x̂ ⊙ scale_j + shift_j) = x̂ (W_j ⊙ scale_j)ᵀ + (W_j shift_j + b_j), every expert at once.
        var weight = stack(experts.Select(x => x.Projection.weight!));                          // (N, k, D)
        var bias = stack(experts.Select(x => x.Projection.bias!));                              // (N, k)
        long width = weight.shape[1], d = weight.shape[2];
        var foldedWeight = (weight * scale.unsqueeze(1)).view(groups, perGroup * width, d);
        var foldedBias = (weight.matmul(shift.unsqueeze(2)).squeeze(2) + bias).view(groups, 1, perGroup * width);
        return normalised.bmm(foldedWeight.transpose(1, 2)) + foldedBias;
    }

    /// <summary>
    /// Training: x̂ (G, B, D) from each group's batch statistics, by one fused batch_norm over the G·D columns; every
    /// expert's own γ, β; running statistics updated.
    /// </summary>
    static (Tensor Normalised, Tensor Scale, Tensor Shift) BatchNormalised(Tensor inputs, IList<DebiasExpert> experts, Tensor gamma, Tensor beta)
    {
        long rows = inputs.shape[0], groups = inputs.shape[1], d = inputs.shape[2];
        if (rows < 2)
            throw new ArgumentException($"SAR-Net: a training batch of {rows} row; the debias experts' BatchNorm needs at least 2 rows (as BatchNorm1d)");
        // With momentum 1 from zeros, the "running" statistics batch_norm writes are exactly this batch's mean and
        // unbiased variance: the values each expert's own BatchNorm1d would blend into its running statistics.
        var batchMean = zeros(groups * d, inputs.dtype, inputs.device);
        var batchVar = zeros(groups * d, inputs.dtype, inputs.device);
        var normalised = functional.batch_norm(inputs.reshape(rows, groups * d), batchMean, batchVar,
            training: true, momentum: 1.0, eps: DebiasExpert.Eps);
        TrackBatchStatistics(experts, batchMean.view(groups, d), batchVar.view(groups, d));
        return (normalised.view(rows, groups, d).transpose(0, 1), gamma, beta);
    }

    /// <summary>
    /// Evaluation: x̂ from the running statistics of each group's first expert; expert j's own (μ_j, σ_j²) folded in,
    /// as (x − μ_j)/σ_j = x̂ · σ_first/σ_j + (μ_first − μ_j)/σ_j, with σ² = running var + eps.
    /// </summary>
    static (Tensor Normalised, Tensor Scale, Tensor Shift) RunningNormalised(Tensor inputs, IList<DebiasExpert> experts, Tensor gamma, Tensor beta)
    {
        long rows = inputs.shape[0], groups = inputs.shape[1], d = inputs.shape[2];
        var runningMean = stack(experts.Select(x => RunningMean(x.Norm))).view(groups, -1, d);      // (G, K, D)
        var runningVar = stack(experts.Select(x => RunningVar(x.Norm))).view(groups, -1, d);
        var firstMean = runningMean.narrow(1, 0, 1);                                               // (G, 1, D)
        var firstVar = runningVar.narrow(1, 0, 1);
        // One fused evaluation-mode batch_norm over the G·D columns with the first experts' statistics (it updates nothing).
        var normalised = functional.batch_norm(inputs.reshape(rows, groups * d), firstMean.reshape(-1), firstVar.reshape(-1),
            training: false, eps: DebiasExpert.Eps).view(rows, groups, d).transpose(0, 1);          // (G, B, D)
        var sigma2 = runningVar + DebiasExpert.Eps;
        var scale = gamma * sqrt((firstVar + DebiasExpert.Eps) / sigma2).view(-1, d);
        var shift = beta + gamma * ((firstMean - runningMean) * rsqrt(sigma2)).view(-1, d);
        return (normalised, scale, shift);
    }

    /// <summary>
    /// What each expert's BatchNorm1d does to its buffers on a training batch: running ← (1 − m)·running + m·batch
    /// (the variance unbiased), and one more batch tracked.
    /// </summary>
    static void TrackBatchStatistics(IList<DebiasExpert> experts, Tensor batchMean, Tensor unbiasedVariance)
    {
        using var _ = no_grad();
        var means = batchMean.unbind(0);
        var variances = unbiasedVariance.unbind(0);
        var momentum = tensor(DebiasExpert.Momentum, batchMean.dtype, batchMean.device);
        int perGroup = experts.Count / means.Length;
        for (int j = 0; j < experts.Count; j++)
        {
            var bn = experts[j].Norm;
            RunningMean(bn).lerp_(means[j / perGroup], momentum);
            RunningVar(bn).lerp_(variances[j / perGroup], momentum);
            (bn.num_batches_tracked ?? throw new InvalidOperationException("debias expert BatchNorm tracks no batch count")).add_(1);
        }
    }

    static Tensor RunningMean(BatchNorm1d bn) => bn.running_mean ?? throw new InvalidOperationException("debias expert BatchNorm has no running mean");
    static Tensor RunningVar(BatchNorm1d bn) => bn.running_var ?? throw new InvalidOperationException("debias expert BatchNorm has no running variance");
}
