using Msr.Core.Data;
using Msr.Core.Models.Layers;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Msr.Core.Models;

/// <summary>
/// DeepFM (spec §4.18), the general-recommender baseline of the SFPNet paper: the scenario is one more field, and
/// nothing is per scenario. p = σ(first order + FM + deep), where
/// <list type="bullet">
/// <item>first order: w₀ + Σ_f w_{f, id_f} + Σ_j u_j g_j, with one 1-wide table per field (the scenario's too;
/// initialised N(0, 1e-4) like every table) and a bias-free Linear over the dense values. This is DeepFM's own form;
/// torch-rechub's variant, a Linear over the flattened field embeddings, is not used;</item>
/// <item>FM: ½ Σ_k [(Σ_f v_{f,k})² − Σ_f v_{f,k}²] over the F′ field embeddings (sparse fields and scenario, 16 wide),
/// which equals Σ_{f&lt;f′} ⟨v_f, v_f′⟩;</item>
/// <item>deep: the MLP block (spec §1.3) over the same embeddings, flattened, then the dense values.</item>
/// </list>
/// The FM needs every field to have one width; a schema with mixed widths is refused when the model is built.
/// </summary>
public sealed class DeepFm : ScenarioModel
{
    static readonly WidthsOption HiddenDims = ModelOption.Widths("hidden_dims", "hidden widths of the deep part's MLP (a logit layer follows)",
        PerPreset<int[]>.Same([256, 128, 64]));
    static readonly NumberOption Dropout = ModelOption.Number("dropout", "dropout after every hidden layer of the deep part", PerPreset<double>.Same(0.0), 0, 0.99);

    public static IReadOnlyList<ModelOption> Options { get; } = [HiddenDims, Dropout];

    readonly FeatureEmbedding embedding;      // v_f: 16 wide, sparse fields then the scenario
    readonly FeatureEmbedding first_order;    // w_f: 1 wide, the same fields
    readonly Linear? dense_weights;           // u: dense values → 1, no bias (absent without dense features)
    readonly Parameter bias;                  // w₀
    readonly MlpBlock deep;

    public DeepFm(ModelContext context, Settings options) : base("DeepFM")
    {
        var hidden = HiddenDims.Read(context, options);
        double dropout = Dropout.Read(context, options);
        FeatureEmbedding.RequireOneFieldWidth(context.Schema, "DeepFM", "its FM", scenarioToo: true);
        embedding = new FeatureEmbedding(context.Schema, new EmbeddingInputs(Scenario: true));
        first_order = new FeatureEmbedding(context.Schema, new EmbeddingInputs(Scenario: true, Dense: false) { Width = 1 }, "first_order");
        if (context.Schema.DenseFeatures.Count > 0) dense_weights = Linear(context.Schema.DenseFeatures.Count, 1, hasBias: false);
        bias = Parameter(zeros(1));
        deep = new MlpBlock(embedding.OutputDim, hidden, outputLayer: true, dropout);
        RegisterComponents();
    }

    public override Tensor forward(ScenarioBatch batch)
    {
        var fields = embedding.Stacked(batch);                                       // (B, F′, 16)
        var logit = bias + first_order.forward(batch).sum(1) + PairwiseInteractions(fields);
        if (dense_weights is not null) logit = logit + dense_weights.forward(batch.Dense).squeeze(1);
        return sigmoid(logit + deep.forward(FeatureEmbedding.AppendDense(fields.flatten(1), batch)).squeeze(1));
    }

    /// <summary>(B) the FM's second-order term, Σ_{f&lt;f′} ⟨v_f, v_f′⟩, in O(F·d): ½ Σ_k [(Σ_f v_{f,k})² − Σ_f v_{f,k}²].</summary>
    /// <param name="fields">(B, F, d) field embeddings.</param>
    public static Tensor PairwiseInteractions(Tensor fields)
    {
        var squareOfSum = fields.sum(1).square();
        var sumOfSquares = fields.square().sum(1);
        return (squareOfSum - sumOfSquares).sum(1) * 0.5;
    }
}
