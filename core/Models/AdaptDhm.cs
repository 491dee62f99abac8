using Msr.Core.Data;
using Msr.Core.Models.Layers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Msr.Core.Models;

/// <summary>
/// AdaptDHM, the benchmark's "ADL" (spec §4.8): rows are routed to K learned distribution clusters, not by
/// scenario id. Each cluster has a tower of raw matrices combined STAR-style with a shared tower's
/// (W^(0) ⊙ W^(j)); the row keeps the probability of the tower of its cluster.
/// </summary>
/// <remarks>
/// Input x = sp ⊕ sce (no dense values; Ali-CCP's scenario field <c>301</c> left out by default, option
/// <c>exclude_features</c>). Routing runs on a detached x: in training, three times S = x·Cᵀ, R = softmax(S),
/// C ← row-normalise(β·C + (1−β)·Rᵀx) with Rᵀx a batch <em>sum</em>, then R from the final C; in evaluation
/// R from the current C and no update. The assignment is the hard argmax of R.
/// <para>The reference passes every row through every cluster tower and gathers the row's own cluster. The towers
/// have no BatchNorm (a row's output and gradient depend on that row alone), so Msr runs each tower on its own
/// cluster's rows: the same predictions and gradients up to float rounding, at 1/K of the towers' cost.</para>
/// <para>The centres C are state, not parameters: no gradient, not stepped, not counted. They are a
/// persistent buffer named in <see cref="StateKeptAtRestore"/>, so they are saved with the weights (a reloaded
/// model predicts identically) but early stopping's restore leaves them as the last training step left them,
/// as the reference, which never checkpoints them.</para>
/// <para>Every tower layer has a bias vector, drawn N(0, 1e-7) and counted, but never used (reference): it
/// gets no gradient, so Adam never steps it.</para>
/// </remarks>
public sealed class AdaptDhm : ScenarioModel
{
    internal const string CentresBuffer = "centres";

    static readonly WidthsOption FcnDims = ModelOption.Widths("fcn_dims", "hidden widths of each cluster tower and the shared tower (an output layer follows)",
        new(movielens: [64, 64], kuairand: [64, 64], aliccp: [256, 128, 64, 32, 16, 8], amazon: [64, 64], douban: [64, 64], mind: [64, 64]));

    public static IReadOnlyList<ModelOption> Options { get; } =
        [ScenarioInputFeatures.Exclude, FcnDims, .. AdlOptions.RoutingOptions];

    readonly FeatureEmbedding embedding;
    readonly StarWeights shared_tower;
    readonly ModuleList<StarWeights> cluster_towers = new();
    readonly double _momentum;
    readonly int _iterations;

    public AdaptDhm(ModelContext context, Settings options) : base("ADL")
    {
        var fcnDims = FcnDims.Read(context, options);
        (int clusters, _momentum, _iterations) = AdlOptions.ReadRouting(context, options);
        embedding = AdlOptions.Embedding(context, options);
        int[] widths = [embedding.OutputDim, .. fcnDims, 1];
        // Xavier-uniform with the ReLU gain √2; biases N(0, 1e-7), created for the parameter count only.
        var init = StarInit.XavierNormalBias(gain: Math.Sqrt(2.0), biasStd: 1e-7);
        shared_tower = new StarWeights(widths, "shared_tower", init);
        for (int k = 0; k < clusters; k++) cluster_towers.Add(new StarWeights(widths, $"cluster{k}", init));
        register_buffer(CentresBuffer, AdlOptions.InitialCentres(clusters, embedding.OutputDim), persistent: true);
        RegisterComponents();
    }

    public override IReadOnlyCollection<string> StateKeptAtRestore => [CentresBuffer];

    public override Tensor forward(ScenarioBatch batch)
    {
        var x = embedding.forward(batch);                                        // (B, D)
        var cluster = Route(x.detach());                                         // (B) int64
        // Each cluster's tower on its own rows (the towers are row-wise, ScenarioMerge.Route), not compute-all + gather.
        return ScenarioMerge.Route(cluster_towers.Count, cluster, EveryRowForRowWiseBranches, (k, rows) => Tower(rows(x), cluster_towers[k]));
    }

    /// <summary>The hard cluster of every row; in training, first moves the centres <c>routing_iterations</c> times.</summary>
    Tensor Route(Tensor x)
    {
        using var _ = no_grad();
        var centres = get_buffer(CentresBuffer)!;
        if (training)
        {
            for (int i = 0; i < _iterations; i++)
            {
                var responsibility = softmax(x.matmul(centres.t()), 1);                       // (B, K)
                var pulled = _momentum * centres + (1 - _momentum) * responsibility.t().matmul(x); // batch sum, (K, D)
                centres.copy_(functional.normalize(pulled, p: 2, dim: 1));
            }
        }
        return softmax(x.matmul(centres.t()), 1).argmax(1);
    }

    /// <returns>(B) the probability of the tower W^(0) ⊙ W^(own): ReLU between layers, no biases, sigmoid output.</returns>
    Tensor Tower(Tensor x, StarWeights own)
    {
        var h = x;
        for (int l = 0; l < own.Layers; l++)
        {
            h = h.matmul(shared_tower.Weight(l) * own.Weight(l));
            if (l < own.Layers - 1) h = functional.relu(h);
        }
        return sigmoid(h).squeeze(1);
    }
}

/// <summary>What AdaptDHM (<see cref="AdaptDhm"/>) and its paper-style variant (<see cref="AdlPaper"/>) share: input, clusters, centres.</summary>
internal static class AdlOptions
{
    static readonly IntOption Clusters = ModelOption.Int("clusters", "number K of distribution clusters (one tower each)", PerPreset<int>.Same(3), min: 1);
    static readonly NumberOption Momentum = ModelOption.Number("centre_momentum",
        "β of the centre update C ← normalise(β·C + (1−β)·…)", PerPreset<double>.Same(0.9), min: 0, max: 1);
    static readonly IntOption RoutingIterations = ModelOption.Int("routing_iterations", "routing iterations per forward", PerPreset<int>.Same(3), min: 1);

    /// <summary>The routing's options: K, β, T.</summary>
    public static IReadOnlyList<ModelOption> RoutingOptions { get; } = [Clusters, Momentum, RoutingIterations];

    /// <summary>(K clusters, centre momentum β, routing iterations T).</summary>
    public static (int Clusters, double Momentum, int Iterations) ReadRouting(ModelContext context, Settings options) =>
        (Clusters.Read(context, options), Momentum.Read(context, options), RoutingIterations.Read(context, options));

    /// <summary>x = sp ⊕ sce: sparse embeddings (minus the excluded ones), then the scenario embedding; no dense values.</summary>
    public static FeatureEmbedding Embedding(ModelContext context, Settings options) =>
        new(context.Schema, new EmbeddingInputs(Scenario: true, Dense: false) { Exclude = ScenarioInputFeatures.Read(context, options) });

    /// <summary>(K, D) standard-normal centres with unit rows.</summary>
    public static Tensor InitialCentres(int clusters, int width) => functional.normalize(randn(clusters, width), p: 2, dim: 1);
}
