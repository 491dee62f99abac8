using Msr.Core.Data;
using Msr.Core.Models.Layers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Msr.Core.Models;

/// <summary>
/// STAR, the reference benchmark's form (spec §4.4, "StarRef"): a star topology FCN whose layer l
/// uses W = W_shared ⊙ W_s and b = b_shared + b_s for scenario s, after a whole-batch input
/// normalisation with shared×scenario affine parameters, plus an auxiliary network on the full
/// input whose logit is added before the sigmoid.
/// </summary>
/// <remarks>
/// Reference behaviours kept for parity: the normalisation uses the current batch's statistics in
/// training and evaluation alike (no running averages), every FCN layer including the output is
/// followed by a per-scenario BatchNorm and a ReLU, and all branches run on the whole batch.
/// </remarks>
public sealed class Star : ScenarioModel
{
    const double NormEpsilon = 1e-6;

    readonly FeatureEmbedding embedding;
    readonly StarWeights shared;
    readonly ModuleList<StarScenarioBranch> scenarios = new();
    readonly Parameter shared_gamma;
    readonly Parameter shared_beta;
    readonly MlpBlock aux;

    public Star(ModelContext context, Settings options) : base("STAR")
    {
        var fcnDims = StarPresets.FcnDims.Read(context, options);
        var auxDims = StarPresets.AuxDims.Read(context, options);
        embedding = new FeatureEmbedding(context.Schema, EmbeddingInputs.Default);
        int[] widths = [embedding.OutputDim, .. fcnDims, 1];
        shared = new StarWeights(widths, "shared");
        for (int s = 0; s < context.ScenarioCount; s++)
            scenarios.Add(new StarScenarioBranch(widths, $"scenario{s}"));
        shared_gamma = Parameter(ones(embedding.OutputDim));
        shared_beta = Parameter(zeros(embedding.OutputDim));
        aux = new MlpBlock(embedding.OutputDim, auxDims, outputLayer: true);
        RegisterComponents();
    }

    public override Tensor forward(ScenarioBatch batch)
    {
        var x = embedding.forward(batch);
        var auxLogit = aux.forward(x);                                            // (B, 1)
        var normalized = (x - x.mean([0])) / sqrt(x.var(0, unbiased: false) + NormEpsilon);
        var logit = ScenarioMerge.Route(scenarios.Count, batch.Scenario, EveryRow,
            (s, rows) => scenarios[s].Forward(rows(normalized), shared, shared_gamma, shared_beta)) + auxLogit;
        return sigmoid(logit).squeeze(1);
    }
}

/// <summary>STAR's per-dataset layer widths (spec §4.4 table), shared by <see cref="Star"/> and <see cref="StarPaper"/>.</summary>
internal static class StarPresets
{
    public static readonly WidthsOption FcnDims = ModelOption.Widths("fcn_dims", "hidden widths of the star FCN (an output layer follows)",
        new(movielens: [128, 64, 32], kuairand: [128, 64, 32], aliccp: [256, 128, 64, 32, 16, 8], amazon: [128, 64, 32], douban: [128, 64, 32], mind: [128, 64, 32]));
    public static readonly WidthsOption AuxDims = ModelOption.Widths("aux_dims", "hidden widths of the auxiliary network",
        new(movielens: [32], kuairand: [32], aliccp: [16], amazon: [32], douban: [32], mind: [32]));

    public static IReadOnlyList<ModelOption> Options { get; } = [FcnDims, AuxDims];
}

/// <summary>One scenario's star weights, its per-layer BatchNorms and its normalisation affine parameters.</summary>
internal sealed class StarScenarioBranch : nn.Module
{
    readonly StarWeights own;
    readonly ModuleList<BatchNorm1d> norms = new();
    readonly Parameter gamma;
    readonly Parameter beta;

    public StarScenarioBranch(IReadOnlyList<int> widths, string name) : base(name)
    {
        own = new StarWeights(widths, "own");
        for (int l = 1; l < widths.Count; l++) norms.Add(BatchNorm1d(widths[l]));
        gamma = Parameter(ones(widths[0]));
        beta = Parameter(zeros(widths[0]));
        RegisterComponents();
    }

    /// <returns>(B, 1) non-negative scenario logit (ReLU after the output layer, as in the reference).</returns>
    public Tensor Forward(Tensor normalized, StarWeights shared, Tensor sharedGamma, Tensor sharedBeta)
    {
        var u = sharedGamma * gamma * normalized + sharedBeta + beta;
        for (int l = 0; l < own.Layers; l++)
        {
            var w = shared.Weight(l) * own.Weight(l);
            var b = shared.Bias(l) + own.Bias(l);
            u = functional.relu(norms[l].forward(u.matmul(w) + b));
        }
        return u;
    }
}
