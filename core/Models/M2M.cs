using Msr.Core.Data;
using Msr.Core.Models.Layers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Msr.Core.Models;

/// <summary>
/// M2M, single task (spec §4.6): a transformer backbone over X = sp ⊕ sce (Ali-CCP: sp ⊕ sce ⊕ de), four
/// experts on its output, and a meta unit driven by the scenario embedding e_s (the same table as in X):
/// meta attention generates a per-row attention over the experts, and a one-layer residual meta tower with
/// generated weights transforms the mix before the output MLP. No per-scenario towers: the scenario acts
/// only through e_s and through its embedding inside X.
/// </summary>
/// <remarks>
/// <para><c>attention_mode</c> decides what the transformer's tokens are:</para>
/// <list type="bullet">
/// <item><c>batch_as_sequence</c> (reference): X is one sequence of B tokens, one per sample, so every sample
/// attends to every other sample of its mini-batch and a prediction depends on which rows share the batch.
/// <b>Memory is O(B²) by design</b>: each attention module holds a (heads × B × B) map, six modules with
/// 2/2 layers, plus what the backward pass keeps (spec: B = 102,400 would need ≈ 168 GB per map).</item>
/// <item><c>single_token</c>: every sample is its own sequence of length 1 — no leakage between rows, the
/// same parameter shapes (a length-1 softmax is 1, so attention reduces to the value/out projections).</item>
/// <item><c>fields_as_tokens</c>: the (B, F, 16) field embeddings (scenario embedding last) are the tokens of
/// each sample's own sequence (closest to the paper's per-sample attention); d_model = 16, the output is
/// flattened, and Ali-CCP's dense values are appended after it (they are not fields).</item>
/// </list>
/// Every MLP is the reference block (Linear → BatchNorm → activation) with LeakyReLU(0.1), except the output
/// network, which uses ReLU as in the reference.
/// </remarks>
public sealed class M2M : ScenarioModel
{
    const string BatchAsSequence = "batch_as_sequence", SingleToken = "single_token", FieldsAsTokens = "fields_as_tokens";
    const double MetaSlope = 0.1;

    static readonly ChoiceOption AttentionMode = ModelOption.Choice("attention_mode",
        "what the transformer attends over: batch_as_sequence (reference: the samples of a batch, O(B²) memory), single_token (each sample alone), fields_as_tokens (each sample's fields, d_model 16)",
        BatchAsSequence, BatchAsSequence, SingleToken, FieldsAsTokens);
    static readonly IntOption EncLayers = ModelOption.Int("enc_layers",
        "transformer encoder layers (2 in the reference scripts; the paper's Table 4 sizes match 1)", PerPreset<int>.Same(2), min: 1);
    static readonly IntOption DecLayers = ModelOption.Int("dec_layers",
        "transformer decoder layers (2 in the reference scripts; the paper's Table 4 sizes match 1)", PerPreset<int>.Same(2), min: 1);
    static readonly IntOption Heads = ModelOption.Int("heads", "attention heads (must divide d_model)", PerPreset<int>.Same(4), min: 1);
    static readonly IntOption FeedForward = ModelOption.Int("ff_dim", "transformer feed-forward width", PerPreset<int>.Same(16), min: 1);
    static readonly NumberOption TransformerDropout = ModelOption.Number("transformer_dropout", "dropout inside the transformer",
        PerPreset<double>.Same(0.1), min: 0, max: 0.99);
    static readonly IntOption Experts = ModelOption.Int("experts", "number of experts", PerPreset<int>.Same(4), min: 1);
    static readonly IntOption ExpertDim = ModelOption.Int("expert_dim", "output width of each expert (and of the meta tower)", PerPreset<int>.Same(16), min: 1);
    static readonly IntOption MetaHidden = ModelOption.Int("meta_hidden",
        "width of the scenario and task representations that drive the meta unit", PerPreset<int>.Same(16), min: 1);
    static readonly WidthsOption OutputDims = ModelOption.Widths("output_dims", "hidden widths of the output MLP (a logit layer follows)",
        PerPreset<int[]>.Same([64, 32]));
    static readonly BoolOption DenseInput = ModelOption.Bool("dense_input",
        "append the dense values to X (the reference does so only on Ali-CCP)",
        new PerPreset<bool>(movielens: false, kuairand: false, aliccp: true, amazon: false, douban: false, mind: false));

    public static IReadOnlyList<ModelOption> Options { get; } =
        [AttentionMode, EncLayers, DecLayers, Heads, FeedForward, TransformerDropout, Experts, ExpertDim, MetaHidden, OutputDims, DenseInput, ScenarioInputFeatures.Exclude];

    readonly string _mode;
    readonly bool _dense;
    readonly int _metaDim;                 // expert width + meta hidden: width of the meta-attention input [E_k ⊕ t]

    readonly FeatureEmbedding embedding;
    readonly TokenTransformer backbone;
    readonly ModuleList<MlpBlock> experts = new();
    readonly MlpBlock task_mlp;
    readonly MlpBlock scenario_mlp;
    readonly MlpBlock attention_weight_mlp;
    readonly MlpBlock attention_bias_mlp;
    readonly Parameter attention_vector;
    readonly MlpBlock tower_weight_mlp;
    readonly MlpBlock tower_bias_mlp;
    readonly MlpBlock output;

    public M2M(ModelContext context, Settings options) : base("M2M")
    {
        _mode = AttentionMode.Read(context, options);
        int encLayers = EncLayers.Read(context, options), decLayers = DecLayers.Read(context, options);
        int heads = Heads.Read(context, options), ffDim = FeedForward.Read(context, options);
        double dropout = TransformerDropout.Read(context, options);
        int expertCount = Experts.Read(context, options), expertDim = ExpertDim.Read(context, options);
        int metaHidden = MetaHidden.Read(context, options);
        var outputDims = OutputDims.Read(context, options);
        _dense = DenseInput.Read(context, options);
        var exclude = ScenarioInputFeatures.Read(context, options);

        embedding = new FeatureEmbedding(context.Schema, new EmbeddingInputs(Scenario: true, Dense: _dense) { Exclude = exclude });
        int tokenWidth = _mode == FieldsAsTokens ? FieldWidth(context.Schema, embedding) : embedding.OutputDim;
        if (tokenWidth % heads != 0)
            throw new ArgumentException($"M2M: the transformer's d_model = {tokenWidth} ({Describe(_mode)}) is not divisible by heads = {heads}; " +
                "choose option 'heads' among its divisors");
        backbone = new TokenTransformer(tokenWidth, heads, encLayers, decLayers, ffDim, dropout, "backbone");

        var leaky = new MlpStyle(Activation.LeakyReLU, LeakySlope: MetaSlope);
        // Every mode hands the experts one row of width OutputDim: (F+1)·16 (+ dense) flattened tokens, or X itself.
        for (int k = 0; k < expertCount; k++) experts.Add(new MlpBlock(embedding.OutputDim, [expertDim], outputLayer: false, leaky));
        const int scenarioWidth = FeatureEmbedding.ScenarioWidth;
        task_mlp = new MlpBlock(scenarioWidth, [metaHidden], outputLayer: false, leaky);
        scenario_mlp = new MlpBlock(scenarioWidth, [metaHidden], outputLayer: false, leaky);
        _metaDim = expertDim + metaHidden;
        attention_weight_mlp = new MlpBlock(metaHidden, [_metaDim * _metaDim], outputLayer: false, leaky);
        attention_bias_mlp = new MlpBlock(metaHidden, [_metaDim], outputLayer: false, leaky);
        attention_vector = Parameter(ones(_metaDim, 1));
        tower_weight_mlp = new MlpBlock(metaHidden, [expertDim * expertDim], outputLayer: false, leaky);
        tower_bias_mlp = new MlpBlock(metaHidden, [expertDim], outputLayer: false, leaky);
        output = new MlpBlock(expertDim, outputDims, outputLayer: true);
        RegisterComponents();
    }

    public override Tensor forward(ScenarioBatch batch)
    {
        var encoded = Backbone(batch);                                              // (B, D)
        var scenarioEmbedding = embedding.ScenarioEmbedding(batch);                 // (B, 16), the table inside X
        var s = scenario_mlp.forward(scenarioEmbedding);                            // (B, H)
        var t = task_mlp.forward(scenarioEmbedding);                                // (B, H)
        var expertOutputs = stack(experts.Select(expert => expert.forward(encoded)), 1);      // (B, K, E)

        // Meta attention: a_k = v · LeakyReLU([E_k ⊕ t] · W_a(s) + c_a(s)), softmax over the experts.
        int k = (int)expertOutputs.shape[1];
        var metaInput = cat([expertOutputs, t.unsqueeze(1).expand(-1, k, -1)], 2);   // (B, K, E+H)
        var weights = attention_weight_mlp.forward(s).view(-1, _metaDim, _metaDim);  // (B, E+H, E+H)
        var bias = attention_bias_mlp.forward(s).unsqueeze(1);                     // (B, 1, E+H)
        var scores = functional.leaky_relu(metaInput.bmm(weights) + bias, MetaSlope).matmul(attention_vector).squeeze(2);
        var alpha = softmax(scores, 1).unsqueeze(2);                                // (B, K, 1)
        var mixed = (alpha * expertOutputs).sum(1);                                 // (B, E)

        // Meta tower: one residual layer with generated weights, o = LeakyReLU(r · W_t(s) + b_t(s) + r).
        int width = (int)mixed.shape[1];
        var towerWeights = tower_weight_mlp.forward(s).view(-1, width, width);              // (B, E, E)
        var tower = mixed.unsqueeze(1).bmm(towerWeights).squeeze(1) + tower_bias_mlp.forward(s) + mixed;
        return sigmoid(output.forward(functional.leaky_relu(tower, MetaSlope))).squeeze(1);
    }

    /// <summary>(B, D): the transformer output in the layout of <c>attention_mode</c>, flattened back to one row per sample.</summary>
    Tensor Backbone(ScenarioBatch batch)
    {
        switch (_mode)
        {
            case BatchAsSequence:
                // (B, 1, D) sequence-first: one sequence whose B tokens are the samples (the reference's 2-D call).
                return backbone.forward(embedding.forward(batch).unsqueeze(1)).squeeze(1);
            case SingleToken:
                // (1, B, D): B sequences of one token each.
                return backbone.forward(embedding.forward(batch).unsqueeze(0)).squeeze(0);
            default:
                // (F+1, B, 16): each sample's fields (scenario last) are its own sequence.
                var tokens = embedding.Stacked(batch).transpose(0, 1);
                var flat = backbone.forward(tokens).transpose(0, 1).flatten(1);     // (B, (F+1)·16)
                return _dense ? FeatureEmbedding.AppendDense(flat, batch) : flat;
        }
    }

    /// <summary>Width of every field token for <c>fields_as_tokens</c> (all fields must share the scenario embedding's 16).</summary>
    static int FieldWidth(DatasetSchema schema, FeatureEmbedding embedding)
    {
        var widths = schema.SparseFeatures.Where(f => embedding.FieldNames.Contains(f.Name)).Select(f => f.EmbeddingDim).Distinct().ToList();
        if (widths.Any(w => w != 16))
            throw new ArgumentException($"M2M: attention_mode '{FieldsAsTokens}' needs every embedded field 16 wide (the scenario embedding's width); " +
                $"this dataset has widths {string.Join(", ", widths)}; use '{BatchAsSequence}' or '{SingleToken}'");
        return 16;
    }

    static string Describe(string mode) => mode == FieldsAsTokens ? "the field-embedding width" : "the width of X";
}
