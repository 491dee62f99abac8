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
    }

    public override Tensor forward(ScenarioBatch batch)
    {
        var e = embedding.forward(batch);                                                      // (B, D)
        var transformed = new List<Tensor>(scenario_scale.Count);
        var specific = new List<Tensor>(scenario_scale.Count);
        for (int s = 0; s < scenario_scale.Count; s++)
        {
            var ts = e * scenario_scale[s] + scenario_shift[s];                                 // (B, D), all rows
            transformed.Add(ts);
            if (_specificPerScenario > 0)
                specific.Add(cat(specific_experts[s].Select(x => x.forward(ts)).ToList(), 1));  // (B, n_sp·k)
        }
        var t = ScenarioMerge.MaskMerge(transformed, batch.Scenario);                          // each row: its own w^s, c^s
        var parts = new List<Tensor>(2);
        if (shared_experts.Count > 0)
            parts.Add(stack(shared_experts.Select(x => x.forward(t)).ToList(), 1));              // (B, n_sh, k)
        if (_specificPerScenario > 0)
            // Merged flat (B, n_sp·k) so whole rows follow their scenario, then back to (B, n_sp, k).
            parts.Add(ScenarioMerge.MaskMerge(specific, batch.Scenario).view(-1, _specificPerScenario, _expertDim));
        var candidates = parts.Count == 1 ? parts[0] : cat(parts, 1);                          // (B, n_sh + n_sp, k): shared first
        var mixed = (gate.forward(t).unsqueeze(2) * candidates).sum(1);                        // (B, k)
        return sigmoid(final_mlp.forward(mixed)).squeeze(1);
    }
}

/// <summary>The reference's "debias expert": BatchNorm1d over the input, then a Linear to the expert width (no activation).</summary>
internal sealed class DebiasExpert : Module<Tensor, Tensor>
{
    readonly BatchNorm1d bn;
    readonly Linear linear;

    public DebiasExpert(int inputDim, int outputDim, string name = "expert") : base(name)
    {
        bn = BatchNorm1d(inputDim);
        linear = Linear(inputDim, outputDim);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input) => linear.forward(bn.forward(input));
}
