using Msr.Core.Data;
using Msr.Core.Models.Layers;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Msr.Core.Models;

/// <summary>
/// PLE as the reference benchmark runs it (spec §4.3): one Customized Gate Control level with
/// <c>specific_experts</c> experts per scenario and <c>shared_experts</c> shared ones; scenario s's
/// gate mixes its own experts and the shared ones for its tower (compute-all then mask-merge in training; in evaluation a scenario's experts, gate and tower run on its own rows: ScenarioMerge.Route).
/// </summary>
public sealed class Ple : ScenarioModel
{
    static readonly IntOption SpecificExperts = ModelOption.Int("specific_experts", "experts owned by each scenario", PerPreset<int>.Same(2), min: 1);
    static readonly IntOption SharedExperts = ModelOption.Int("shared_experts", "experts shared by all scenarios", PerPreset<int>.Same(1), min: 0);
    static readonly WidthsOption ExpertDims = ModelOption.Widths("expert_dims", "hidden widths of each expert MLP",
        new(movielens: [16], kuairand: [64, 32], aliccp: [256, 128, 64, 32, 16, 8], amazon: [16], douban: [16], mind: [64, 32]));
    static readonly WidthsOption TowerDims = ModelOption.Widths("tower_dims", "hidden widths of each scenario tower (a logit layer follows)",
        new(movielens: [8], kuairand: [16], aliccp: [16], amazon: [8], douban: [8], mind: [16]));

    public static IReadOnlyList<ModelOption> Options { get; } = [SpecificExperts, SharedExperts, ExpertDims, TowerDims, Mmoe.GateBatchNorm];

    readonly FeatureEmbedding embedding;
    readonly ModuleList<ModuleList<MlpBlock>> specific_experts = new();
    readonly ModuleList<MlpBlock> shared_experts = new();
    readonly ModuleList<GateBlock> gates = new();
    readonly ModuleList<MlpBlock> towers = new();

    public Ple(ModelContext context, Settings options) : base("PLE")
    {
        int perScenario = SpecificExperts.Read(context, options);
        int shared = SharedExperts.Read(context, options);
        var expertDims = ExpertDims.Read(context, options);
        var towerDims = TowerDims.Read(context, options);
        bool gateBatchNorm = Mmoe.GateBatchNorm.Read(context, options);
        embedding = new FeatureEmbedding(context.Schema, EmbeddingInputs.Default);
        int d = embedding.OutputDim;
        for (int k = 0; k < shared; k++) shared_experts.Add(new MlpBlock(d, expertDims, outputLayer: false));
        for (int s = 0; s < context.ScenarioCount; s++)
        {
            var own = new ModuleList<MlpBlock>();
            for (int k = 0; k < perScenario; k++) own.Add(new MlpBlock(d, expertDims, outputLayer: false));
            specific_experts.Add(own);
            gates.Add(new GateBlock(d, perScenario + shared, gateBatchNorm));
            towers.Add(new MlpBlock(own[0].OutputDim, towerDims, outputLayer: true));
        }
        RegisterComponents();
    }

    public override Tensor forward(ScenarioBatch batch)
    {
        var x = embedding.forward(batch);
        var sharedOutputs = shared_experts.Select(e => e.forward(x)).ToList();
        return ScenarioMerge.Route(towers.Count, batch.Scenario, EveryRow, (s, rows) =>
        {
            var own = rows(x);
            var candidates = stack(specific_experts[s].Select(e => e.forward(own)).Concat(sharedOutputs.Select(rows)), 1); // (B, n_sp + n_sh, h)
            var mixed = (gates[s].forward(own).unsqueeze(2) * candidates).sum(1);
            return sigmoid(towers[s].forward(mixed));
        }).squeeze(1);
    }
}
