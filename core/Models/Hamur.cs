using Msr.Core.Data;
using Msr.Core.Models.Layers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Msr.Core.Models;

/// <summary>
/// HAMUR (spec §4.12): one backbone tower per scenario (Linear → BatchNorm → ReLU blocks, then a logit layer)
/// with hyper-adapters (<see cref="HyperAdapter"/>) after its last block(s), whose per-row weights come from one
/// shared hyper-network HN(x) = MLPblock(D, hyper_dims + [k²]) reshaped to (B, k, k).
/// </summary>
/// <remarks>
/// <para>Reference behaviours kept: every tower runs on the whole batch and each row keeps its own scenario's
/// output (compute-all then mask-merge, spec §1.6), so the towers' BatchNorm and the adapters' domain norm see
/// all rows; the hyper-network's last block also has BatchNorm and ReLU (its entries are ≥ 0); the domain
/// norm uses batch statistics in evaluation too, so a prediction depends on the other rows of its batch.
/// The hyper-network depends only on x, so it runs once per forward. The reference recomputes it inside its
/// scenario loop: the same output, but in training its BatchNorm layers update their running statistics once per
/// scenario, S times per step. One update with momentum 1 − (1 − 0.1)^S gives the same running statistics (the
/// batch statistics are identical each time), so the evaluation-mode hyper-network matches the reference's
/// (checked against the reference's own model with shared weights, docs/fidelity.md). A one-row batch has no unbiased variance; <see cref="HyperAdapter"/> defines
/// its normalised deviation as 0 (the row is its own mean), so a one-row evaluation gives a finite probability.</para>
/// <para><c>variant</c>: <c>small</c> puts one adapter after the last backbone block (the reference's
/// HamurSmall, 2 blocks); <c>large</c> one after each of the last two blocks (HamurLarge, 7 blocks: after
/// blocks 6 and 7). The reference uses Large only for Ali-CCP.</para>
/// <para>The reference shares the adapters' parameters (U, V, b, γ, β) among all scenario towers;
/// <c>per_scenario_adapters</c> gives each scenario its own set, as the paper describes.</para>
/// </remarks>
public sealed class Hamur : ScenarioModel
{
    const string Small = "small", Large = "large";

    static readonly ChoiceOption Variant = new("variant",
        "small: one adapter after the last backbone block; large: adapters after the last two blocks (reference: large on Ali-CCP only)",
        new PerPreset<string>(movielens: Small, kuairand: Small, aliccp: Large, amazon: Small, douban: Small, mind: Small), [Small, Large]);
    static readonly WidthsOption BackboneDims = ModelOption.Widths("backbone_dims", "widths of each scenario tower's Linear-BatchNorm-ReLU blocks (a logit layer follows)",
        new(movielens: [256, 128], kuairand: [256, 128], aliccp: [256, 128, 64, 64, 32, 16, 8], amazon: [256, 128], douban: [256, 128], mind: [256, 128]));
    static readonly WidthsOption HyperDims = ModelOption.Widths("hyper_dims", "hidden widths of the hyper-network (a k² block with BatchNorm and ReLU follows)",
        PerPreset<int[]>.Same([64]));
    static readonly IntOption K = ModelOption.Int("k", "side of the hyper-network's per-row instance matrix",
        new PerPreset<int>(movielens: 35, kuairand: 35, aliccp: 65, amazon: 35, douban: 35, mind: 35), min: 1);
    static readonly IntOption AdapterHidden = ModelOption.Int("adapter_hidden", "bottleneck width of each adapter", PerPreset<int>.Same(32), min: 1);
    static readonly BoolOption PerScenarioAdapters = ModelOption.Bool("per_scenario_adapters",
        "one adapter parameter set per scenario (paper); false shares them among the scenario towers (reference)", false);

    public static IReadOnlyList<ModelOption> Options { get; } = [Variant, BackboneDims, HyperDims, K, AdapterHidden, PerScenarioAdapters];

    readonly int _k;

    readonly FeatureEmbedding embedding;
    readonly MlpBlock hyper_net;
    readonly ModuleList<HamurTower> towers = new();
    // One set of adapters (one per adapted block) shared by every tower, or one set per scenario.
    readonly ModuleList<ModuleList<HyperAdapter>> adapters = new();

    public Hamur(ModelContext context, Settings options) : base("HAMUR")
    {
        var variant = Variant.Read(context, options);
        var dims = BackboneDims.Read(context, options);
        var hyperDims = HyperDims.Read(context, options);
        _k = K.Read(context, options);
        int hidden = AdapterHidden.Read(context, options);
        bool perScenario = PerScenarioAdapters.Read(context, options);
        int adapted = variant == Large ? 2 : 1;
        if (dims.Length < adapted)
            throw new ArgumentException($"HAMUR: variant '{variant}' puts adapters after the last {adapted} backbone blocks, " +
                $"but option 'backbone_dims' has {dims.Length}: give at least {adapted} widths");

        embedding = new FeatureEmbedding(context.Schema, EmbeddingInputs.Default);
        hyper_net = new MlpBlock(embedding.OutputDim, [.. hyperDims, _k * _k], outputLayer: false);
        foreach (var norm in hyper_net.modules().OfType<BatchNorm1d>())
            norm.momentum = ReferenceRunningStatMomentum(context.ScenarioCount);
        var adaptedWidths = dims[^adapted..];
        for (int set = 0; set < (perScenario ? context.ScenarioCount : 1); set++)
        {
            var list = new ModuleList<HyperAdapter>();
            foreach (var width in adaptedWidths) list.Add(new HyperAdapter(width, _k, hidden));
            adapters.Add(list);
        }
        for (int s = 0; s < context.ScenarioCount; s++) towers.Add(new HamurTower(embedding.OutputDim, dims, adapted, $"tower{s}"));
        RegisterComponents();
    }

    /// <summary>Momentum of one running-statistics update equal to <paramref name="updates"/> updates of PyTorch's 0.1
    /// with the same batch statistics: r ← 0.9^S·r + (1 − 0.9^S)·batch.</summary>
    internal static double ReferenceRunningStatMomentum(int updates) => 1.0 - Math.Pow(1.0 - 0.1, updates);

    public override Tensor forward(ScenarioBatch batch)
    {
        var x = embedding.forward(batch);
        var hyper = hyper_net.forward(x).view(-1, _k, _k);                          // (B, k, k), once for all towers
        var perScenario = new List<Tensor>(towers.Count);
        for (int s = 0; s < towers.Count; s++)
            perScenario.Add(sigmoid(towers[s].Forward(x, hyper, adapters[adapters.Count == 1 ? 0 : s])));
        return ScenarioMerge.MaskMerge(perScenario, batch.Scenario).squeeze(1);
    }
}

/// <summary>One scenario's backbone: Linear → BatchNorm → ReLU blocks, an adapter after each of the last few, a logit layer.</summary>
internal sealed class HamurTower : nn.Module
{
    readonly ModuleList<MlpBlock> blocks = new();
    readonly Linear output;
    readonly int _firstAdapted;

    public HamurTower(int inputDim, IReadOnlyList<int> dims, int adaptedBlocks, string name) : base(name)
    {
        int width = inputDim;
        foreach (var dim in dims)
        {
            blocks.Add(new MlpBlock(width, [dim], outputLayer: false));
            width = dim;
        }
        output = Linear(width, 1);
        _firstAdapted = dims.Count - adaptedBlocks;
        RegisterComponents();
    }

    /// <returns>(B, 1) logit.</returns>
    public Tensor Forward(Tensor x, Tensor hyper, ModuleList<HyperAdapter> adapters)
    {
        var h = x;
        for (int l = 0; l < blocks.Count; l++)
        {
            h = blocks[l].forward(h);
            if (l >= _firstAdapted) h = adapters[l - _firstAdapted].forward(h, hyper);
        }
        return output.forward(h);
    }
}
