using Msr.Core.Data;
using Msr.Core.Models.Layers;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Msr.Core.Models;

/// <summary>
/// SharedBottom (spec §4.1): a shared bottom MLP feeding one tower per scenario;
/// each row takes the probability of its own scenario's tower (compute-all then mask-merge in training, each tower on its own rows in evaluation: ScenarioMerge.Route).
/// </summary>
public sealed class SharedBottom : ScenarioModel
{
    static readonly WidthsOption BottomDims = ModelOption.Widths("bottom_dims", "hidden widths of the shared bottom MLP",
        new(movielens: [128], kuairand: [128], aliccp: [512], amazon: [128], douban: [128], mind: [128]));
    static readonly WidthsOption TowerDims = ModelOption.Widths("tower_dims", "hidden widths of each scenario tower (a logit layer follows)",
        new(movielens: [8], kuairand: [64, 32], aliccp: [256, 128, 64, 32, 16, 8], amazon: [8], douban: [8], mind: [64, 32]));

    public static IReadOnlyList<ModelOption> Options { get; } = [BottomDims, TowerDims];

    readonly FeatureEmbedding embedding;
    readonly MlpBlock bottom;
    readonly ModuleList<MlpBlock> towers = new();

    public SharedBottom(ModelContext context, Settings options) : base("SharedBottom")
    {
        var bottomDims = BottomDims.Read(context, options);
        var towerDims = TowerDims.Read(context, options);
        embedding = new FeatureEmbedding(context.Schema, EmbeddingInputs.Default);
        bottom = new MlpBlock(embedding.OutputDim, bottomDims, outputLayer: false);
        for (int s = 0; s < context.ScenarioCount; s++)
            towers.Add(new MlpBlock(bottom.OutputDim, towerDims, outputLayer: true));
        RegisterComponents();
    }

    public override Tensor forward(ScenarioBatch batch)
    {
        var shared = bottom.forward(embedding.forward(batch));
        return ScenarioMerge.Route(towers.Count, batch.Scenario, EveryRow, (s, rows) => sigmoid(towers[s].forward(rows(shared)))).squeeze(1);
    }
}
