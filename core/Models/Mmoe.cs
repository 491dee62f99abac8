using Msr.Core.Data;
using Msr.Core.Models.Layers;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Msr.Core.Models;

/// <summary>
/// MMoE (spec §4.2) with scenarios as tasks: K = S shared experts, one gate and one tower per
/// scenario; gate s mixes the experts for scenario s's tower (compute-all then mask-merge in training, each tower on its own rows in evaluation: ScenarioMerge.Route).
/// </summary>
public sealed class Mmoe : ScenarioModel
{
    static readonly IntOption Experts = ModelOption.Int("experts", "number of shared experts", c => c.ScenarioCount, "S (one per scenario)", min: 1);
    static readonly WidthsOption ExpertDims = ModelOption.Widths("expert_dims", "hidden widths of each expert MLP",
        new(movielens: [16], kuairand: [32], aliccp: [256, 128, 64, 32, 16, 8], amazon: [16], douban: [16], mind: [32]));
    static readonly WidthsOption TowerDims = ModelOption.Widths("tower_dims", "hidden widths of each scenario tower (a logit layer follows)",
        new(movielens: [8], kuairand: [16], aliccp: [16], amazon: [8], douban: [8], mind: [16]));
    internal static readonly BoolOption GateBatchNorm = ModelOption.Bool("gate_batch_norm",
        "BatchNorm before the gate softmax (reference); false gives the paper's softmax(Wx)", true);

    public static IReadOnlyList<ModelOption> Options { get; } = [Experts, ExpertDims, TowerDims, GateBatchNorm];

    readonly FeatureEmbedding embedding;
    readonly ModuleList<MlpBlock> experts = new();
    readonly ModuleList<GateBlock> gates = new();
    readonly ModuleList<MlpBlock> towers = new();

    public Mmoe(ModelContext context, Settings options) : base("MMoE")
    {
        int expertCount = Experts.Read(context, options);
        var expertDims = ExpertDims.Read(context, options);
        var towerDims = TowerDims.Read(context, options);
        bool gateBatchNorm = GateBatchNorm.Read(context, options);
        embedding = new FeatureEmbedding(context.Schema, EmbeddingInputs.Default);
        for (int k = 0; k < expertCount; k++)
            experts.Add(new MlpBlock(embedding.OutputDim, expertDims, outputLayer: false));
        for (int s = 0; s < context.ScenarioCount; s++)
        {
            gates.Add(new GateBlock(embedding.OutputDim, expertCount, gateBatchNorm));
            towers.Add(new MlpBlock(experts[0].OutputDim, towerDims, outputLayer: true));
        }
        RegisterComponents();
    }

    public override Tensor forward(ScenarioBatch batch)
    {
        var x = embedding.forward(batch);
        var expertOutputs = stack(experts.Select(e => e.forward(x)), 1);        // (B, K, h)
        return ScenarioMerge.Route(towers.Count, batch.Scenario, EveryRow, (s, rows) =>
        {
            var weights = gates[s].forward(rows(x)).unsqueeze(2);               // (B, K, 1)
            var mixed = (weights * rows(expertOutputs)).sum(1);                  // (B, h)
            return sigmoid(towers[s].forward(mixed));
        }).squeeze(1);
    }
}
