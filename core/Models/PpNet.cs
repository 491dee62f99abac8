using Msr.Core.Data;
using Msr.Core.Models.Layers;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Msr.Core.Models;

/// <summary>
/// PPNet, PEPNet's parameter personalisation as the reference benchmark runs it (spec §4.11): the id
/// embeddings u = e_user ⊕ e_item are the personalised prior; the gate input is G = u ⊕ sg(a) with the
/// agnostic part a = remaining sp ⊕ sce ⊕ de; one gated tower per scenario (compute-all then mask-merge
/// in training, spec §1.6; each tower on its own rows in evaluation: ScenarioMerge.Route) in which every hidden block's output is multiplied by a GateNU of G.
/// </summary>
/// <remarks>
/// Reference defect kept by default (<c>ref_input=true</c>): the towers are fed G itself, so the agnostic
/// tables, the scenario table included, are only ever read under stop-gradient and never receive a gradient.
/// They live in their own embedding layer, apart from the id tables, so they have no gradient at all and
/// Adam (which skips a parameter without one) leaves them at their initial values, weight decay included;
/// scenario information enters only through the per-scenario towers. <c>ref_input=false</c> feeds the
/// towers a with its gradient, as the paper does. On KuaiRand the reference's remaining-sparse list keeps
/// the scenario column, so the same scenario vectors appear twice in a (D_a = 516): <c>duplicate_scenario</c>.
/// </remarks>
public sealed class PpNet : ScenarioModel
{
    /// <remarks>
    /// The defaults are the reference's ids per dataset. Synthetic and custom CSV data take the movielens preset but
    /// have no movie_id: where the preset's ids are absent and the option is not given, the dataset's user and item
    /// columns are used if their names say so unambiguously (<see cref="UserItemColumns.Unambiguous"/>), else it is
    /// an error naming the option and the dataset's features. The run records the ids actually used.
    /// </remarks>
    static readonly NamesOption IdFeatures = ModelOption.Names("id_features",
        "sparse features embedded as the personalised prior (user and item ids; on data without the preset's: its user and item columns, if unambiguous); the rest form the agnostic input",
        new(movielens: ["user_id", "movie_id"], kuairand: ["user_id", "video_id"], aliccp: ["101", "205"],
            amazon: ["user", "item"], douban: ["user_id", "item_id"], mind: ["User_ID", "News_ID"]),
        new NamesFallback("the dataset's one user and one item column by name", UserItemColumns.Unambiguous));
    static readonly WidthsOption FcnDims = ModelOption.Widths("fcn_dims", "hidden widths of each scenario's gated tower (a logit layer follows)",
        EpNet.PepNetFcnDims);
    static readonly BoolOption RefInput = ModelOption.Bool("ref_input",
        "towers fed the gate input u ⊕ sg(a), the reference defect that leaves the agnostic and scenario tables untrained (default); false feeds a with its gradient, as the paper", true);
    static readonly BoolOption DuplicateScenario = ModelOption.Bool("duplicate_scenario",
        "the scenario embedding appears twice in the agnostic input, as the reference's KuaiRand feature list has it (D_a = 516)",
        new PerPreset<bool>(movielens: false, kuairand: true, aliccp: false, amazon: false, douban: false, mind: false));

    public static IReadOnlyList<ModelOption> Options { get; } = [IdFeatures, FcnDims, RefInput, DuplicateScenario, ScenarioInputFeatures.Exclude];

    readonly FeatureEmbedding id_embedding;
    readonly FeatureEmbedding agnostic_embedding;
    readonly ModuleList<PpTower> towers = new();
    readonly bool _refInput;
    readonly bool _duplicateScenario;

    public PpNet(ModelContext context, Settings options) : base("PPNet")
    {
        var ids = IdFeatures.ReadSparseFeatures(context, options);
        var fcnDims = FcnDims.Read(context, options);
        _refInput = RefInput.Read(context, options);
        _duplicateScenario = DuplicateScenario.Read(context, options);
        var excluded = ScenarioInputFeatures.Read(context, options);
        CheckIds(context, ids);

        id_embedding = new FeatureEmbedding(context.Schema, new EmbeddingInputs(Dense: false) { Only = ids }, "id_embedding");
        // A separate layer: its tables never share a physical parameter with an id table (see remarks).
        agnostic_embedding = new FeatureEmbedding(context.Schema,
            new EmbeddingInputs(Scenario: true, Dense: false) { Exclude = [.. ids, .. excluded] }, "agnostic_embedding");
        int agnostic = agnostic_embedding.OutputDim + (_duplicateScenario ? FeatureEmbedding.ScenarioWidth : 0) + context.Schema.DenseFeatures.Count;
        int gateInput = id_embedding.OutputDim + agnostic;
        for (int s = 0; s < context.ScenarioCount; s++)
            towers.Add(new PpTower(_refInput ? gateInput : agnostic, gateInput, fcnDims, $"tower{s}"));
        RegisterComponents();
    }

    /// <summary>The id features must name at least one feature, each once (their existence is checked by the option).</summary>
    static void CheckIds(ModelContext context, string[] ids)
    {
        if (ids.Length == 0)
            throw new ArgumentException($"option 'id_features' of PPNet names no feature; the dataset's sparse features: " +
                string.Join(", ", context.Schema.SparseFeatures.Select(f => f.Name)));
        if (ids.Distinct().Count() != ids.Length)
            throw new ArgumentException($"option 'id_features' of PPNet names a feature twice: [{string.Join(",", ids)}]");
    }

    public override Tensor forward(ScenarioBatch batch)
    {
        var prior = id_embedding.forward(batch);                              // (B, 32) u = e_user ⊕ e_item
        var agnostic = Agnostic(batch);                                       // (B, D_a)
        var gateInput = cat([prior, agnostic.detach()], 1);                   // G = u ⊕ sg(a)
        var towerInput = _refInput ? gateInput : agnostic;
        // In training every tower runs on the whole batch, so its BatchNorm sees every row, as in the reference.
        return ScenarioMerge.Route(towers.Count, batch.Scenario, EveryRow,
            (s, rows) => sigmoid(towers[s].forward(rows(towerInput), rows(gateInput)))).squeeze(1);
    }

    /// <summary>a = remaining sp ⊕ sce (⊕ sce again on KuaiRand) ⊕ de: embeddings first, then dense values.</summary>
    Tensor Agnostic(ScenarioBatch batch)
    {
        var parts = new List<Tensor>(3) { agnostic_embedding.forward(batch) };
        if (_duplicateScenario) parts.Add(agnostic_embedding.ScenarioEmbedding(batch));
        if (batch.Dense.shape[1] > 0) parts.Add(batch.Dense);
        return parts.Count == 1 ? parts[0] : cat(parts, 1);
    }
}

/// <summary>
/// One scenario's PPTower (spec §4.11): for each width n_l, h ← MLPblock(h) ⊙ GateNU_l(G) with GateNU(|G| → n_l,
/// hidden n_l, γ = 2), then a Linear(n_L → 1) logit.
/// </summary>
internal sealed class PpTower : Module<Tensor, Tensor, Tensor>
{
    readonly ModuleList<MlpBlock> blocks = new();
    readonly ModuleList<GateNu> gates = new();
    readonly Linear output;

    public PpTower(int inputDim, int gateInputDim, IReadOnlyList<int> dims, string name) : base(name)
    {
        int width = inputDim;
        foreach (var n in dims)
        {
            blocks.Add(new MlpBlock(width, [n], outputLayer: false));
            gates.Add(new GateNu(gateInputDim, n, hiddenDim: n));
            width = n;
        }
        output = Linear(width, 1);
        RegisterComponents();
    }

    /// <returns>(B, 1) logits.</returns>
    public override Tensor forward(Tensor input, Tensor gateInput)
    {
        var h = input;
        for (int l = 0; l < blocks.Count; l++)
            h = blocks[l].forward(h) * gates[l].forward(gateInput);
        return output.forward(h);
    }
}
