using Msr.Core.Data;
using Msr.Core.Models.Layers;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Msr.Core.Models;

/// <summary>
/// EPNet, PEPNet's embedding personalisation as the reference benchmark runs it (spec §4.10): the scenario
/// embedding e_s is the personalised prior; a GateNU fed e_s ⊕ sg(a) re-weights the agnostic input
/// a = sp ⊕ de, and a head turns the gated input into a logit.
/// </summary>
/// <remarks>
/// The stop-gradient on a inside the gate means a's tables learn only through a ⊙ g, as in the paper.
/// The reference head is a single Linear(D_a→1): its constructor passes the tower widths where the
/// "add an output layer" flag belongs, so the intended MLP collapses (spec §4.10; Table 3/4 are this
/// gated linear model). <c>linear_head=false</c> gives the deep tower the paper intends.
/// </remarks>
public sealed class EpNet : ScenarioModel
{
    /// <summary>The towers' hidden widths the reference scripts pass to EPNet and PPNet (spec §4.10, §4.11).</summary>
    internal static readonly PerPreset<int[]> PepNetFcnDims =
        new(movielens: [128, 64, 32], kuairand: [128, 64, 32], aliccp: [256, 128, 64, 32, 16, 8], amazon: [128, 64, 32], douban: [128, 64, 32], mind: [128, 64, 32]);

    static readonly WidthsOption FcnDims = ModelOption.Widths("fcn_dims",
        "hidden widths of the deep tower used when linear_head is false (the reference passes them but its head ignores them)", PepNetFcnDims);
    static readonly BoolOption LinearHead = ModelOption.Bool("linear_head",
        "a single Linear(D_a→1) head, the reference's constructor defect behind Table 3/4 (default); false gives the paper's MLP tower over fcn_dims", true);

    public static IReadOnlyList<ModelOption> Options { get; } = [FcnDims, LinearHead, ScenarioInputFeatures.Exclude];

    readonly FeatureEmbedding scenario_embedding;
    readonly FeatureEmbedding embedding;
    readonly GateNu gate;
    readonly Module<Tensor, Tensor> head;

    public EpNet(ModelContext context, Settings options) : base("EPNet")
    {
        var fcnDims = FcnDims.Read(context, options);
        bool linearHead = LinearHead.Read(context, options);
        var excluded = ScenarioInputFeatures.Read(context, options);
        // The prior has its own S×16 table and no other input; the agnostic part is sp ⊕ de.
        scenario_embedding = new FeatureEmbedding(context.Schema, new EmbeddingInputs(Scenario: true, Dense: false) { Only = [] }, "scenario_embedding");
        embedding = new FeatureEmbedding(context.Schema, EmbeddingInputs.Default with { Exclude = excluded });
        int agnostic = embedding.OutputDim;
        gate = new GateNu(scenario_embedding.OutputDim + agnostic, agnostic, hiddenDim: agnostic, name: "gate");
        head = linearHead ? Linear(agnostic, 1) : new MlpBlock(agnostic, fcnDims, outputLayer: true, name: "head");
        RegisterComponents();
    }

    public override Tensor forward(ScenarioBatch batch)
    {
        var prior = scenario_embedding.forward(batch);                        // (B, 16) e_s
        var agnostic = embedding.forward(batch);                              // (B, D_a) a = sp ⊕ de
        var weights = gate.forward(cat([prior, agnostic.detach()], 1));       // (B, D_a) in (0, 2); sg(a) inside the gate
        var personalised = agnostic * weights;
        return sigmoid(head.forward(personalised)).squeeze(1);
    }
}
