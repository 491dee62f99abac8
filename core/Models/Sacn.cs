using Msr.Core.Data;
using Msr.Core.Models.Layers;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Msr.Core.Models;

/// <summary>
/// SACN, the Scenario and Attribute-aware Contrastive Network (spec §4.16; Pan et al.), from the paper: there is no
/// public code. It reads behaviour histories, so it runs on data loaded with <c>history=L</c> and
/// <c>history_attributes=…</c> (MovieLens: the user's last films before the rating and their genres); none of the
/// benchmark's tables has them, so its numbers stand apart from Table 3.
/// <list type="bullet">
/// <item>Item-level preference (IPE): scenario-aware multi-head self-attention over the history items X (B, N, d),
/// whose projections are re-weighted per row by R, made from the scenario and the target item: Q_i = X·(W_i^Q ⊙ R),
/// K_i, V_i alike, head_i = softmax(Q_i K_iᵀ/√d_k)·V_i with padded keys masked, X̂ = (head_1 ⊕ … ⊕ head_h)·W^O,
/// P^I = flatten(X̂).</item>
/// <item>Attribute-level preference (APE): the same module, with its own weights, over each attribute history A_j and
/// the target's attribute e_{a_j}; α = softmax((P^A_1 ⊕ … ⊕ P^A_m)·W_P + b_P), P^A = Σ_j α_j P^A_j.</item>
/// <item>Scenario contrast (SCM), in training: both are computed again with every scenario k in place of the row's
/// own t, and with φ the cosine similarity,
/// L_ssl1 = −log[exp(φ(P^I_t, P^A_t)/τ) / Σ_k exp(φ(P^I_t, P^I_k)/τ)],
/// L_ssl2 = −log[exp(φ(P^I_t, P^A_t)/τ) / Σ_k exp(φ(P^I_t, P^A_k)/τ)], the sums over all K scenarios (k = t
/// included, as written); the model adds γ·mean(L_ssl1 + L_ssl2) to the BCE.</item>
/// <item>Prediction: p = σ(MLP(P^I_t ⊕ P^A_t ⊕ e_x ⊕ e_{a_1} ⊕ … ⊕ e_{a_m} ⊕ e_s)), the MLP plain Linear → ReLU.</item>
/// </list>
/// Choices where the paper is silent (spec §4.16 and its [REC]s): <c>attention=literal</c> reads "Reshape(e_s, e_x)"
/// literally, R = reshape(e_s ⊕ e_x, (d, 2)), so d_k = 2 and h = d/2 heads share it; <c>attention=generalised</c>
/// makes R_i = reshape(Linear(2d → d·d_k)(e_s ⊕ e_x)) per head with d_k = d/h. The attribute modules have weights of
/// their own (the paper's "the same module" is read as the same architecture). A history and its target share one
/// embedding table (<see cref="HistoryEmbedding"/>). Padded positions are zero in X̂ (a padded query carries no
/// behaviour), so a row without history has P = 0 and cosine similarities 0 (its contrastive terms are constant).
/// γ = 0.1, τ = 0.2, MLP [256, 128, 64] (spec REC); Xavier-uniform weights and zero biases, the tables too (the
/// paper's TensorFlow); the benchmark's Adam and protocol, not the paper's Adagrad. With <c>context_features</c> the
/// dataset's other sparse fields and dense values join the MLP's input, which the paper's formula does not have.
/// In evaluation only the row's own scenario is computed: nothing else reaches the prediction.
/// </summary>
public sealed class Sacn : ScenarioModel
{
    const string Literal = "literal", Generalised = "generalised";

    static readonly NamesOption Histories = HistoryEmbedding.Option("SACN");
    static readonly ChoiceOption Attention = ModelOption.Choice("attention",
        "R from the scenario and target: literal reshape(e_s ⊕ e_x, (d, 2)) shared by d/2 heads, or generalised (a Linear per head)",
        Literal, Literal, Generalised);
    static readonly IntOption Heads = ModelOption.Int("heads", "attention heads of the generalised mode (d_k = d / heads; literal has d/2)",
        PerPreset<int>.Same(4), min: 1, max: 64);
    static readonly NumberOption Gamma = ModelOption.Number("gamma", "weight γ of the two scenario-contrastive losses",
        PerPreset<double>.Same(0.1), min: 0);
    static readonly NumberOption Tau = ModelOption.Number("tau", "temperature τ of the contrastive losses", PerPreset<double>.Same(0.2), min: 1e-6);
    static readonly WidthsOption MlpDims = ModelOption.Widths("mlp_dims", "hidden widths of the prediction MLP (ReLU; a logit layer follows)",
        PerPreset<int[]>.Same([256, 128, 64]));
    static readonly BoolOption ContextFeatures = ModelOption.Bool("context_features",
        "also feed the dataset's other sparse fields and dense values to the MLP (not in the paper's formula)", false);

    public static IReadOnlyList<ModelOption> Options { get; } = [Histories, Attention, Heads, Gamma, Tau, MlpDims, ContextFeatures];

    readonly HistoryEmbedding history_embedding;                       // items and attributes, histories and targets
    readonly Embedding scenario_embedding;                    // e_s
    readonly PreferenceExtractor item_extractor;               // IPE
    readonly ModuleList<PreferenceExtractor> attribute_extractors = new();   // APE, one per attribute
    readonly Linear attribute_fusion;                          // W_P, b_P
    readonly FeatureEmbedding? context_embedding;              // the other fields, with context_features
    readonly MlpBlock mlp;
    readonly double _gamma, _tau;

    public Sacn(ModelContext context, Settings options) : base("SACN")
    {
        var fields = HistoryEmbedding.Resolve(context.Schema, Histories.Read(context, options), "SACN");
        bool literal = Attention.Read(context, options) == Literal;
        int heads = Heads.Read(context, options);
        _gamma = Gamma.Read(context, options);
        _tau = Tau.Read(context, options);
        var mlpDims = MlpDims.Read(context, options);
        bool withContext = ContextFeatures.Read(context, options);
        if (fields.Count < 2)
            throw new ArgumentException($"SACN contrasts item and attribute preferences, so it needs at least one attribute history aligned with " +
                $"'{fields[0].Sequence}' (load the data with history_attributes=<an item attribute column>: on MovieLens --data history_attributes=cate_id)");

        const int d = FeatureEmbedding.ScenarioWidth;
        history_embedding = new HistoryEmbedding(context.Schema, fields, d);
        scenario_embedding = Embedding(context.ScenarioCount, d);
        item_extractor = new PreferenceExtractor(d, literal, heads);
        for (int j = 1; j < fields.Count; j++) attribute_extractors.Add(new PreferenceExtractor(d, literal, heads));
        int attributes = fields.Count - 1, flat = history_embedding.Length * d;
        attribute_fusion = Linear(attributes * flat, attributes);
        int input = 2 * flat + fields.Count * d + d;
        if (withContext)
        {
            context_embedding = new FeatureEmbedding(context.Schema, new EmbeddingInputs { Exclude = [.. fields.Select(f => f.Target)] }, "context_embedding");
            input += context_embedding.OutputDim;
        }
        mlp = new MlpBlock(input, mlpDims, outputLayer: true, new MlpStyle(Norm: Normalization.None));
        RegisterComponents();
        TensorFlowInitialisation.XavierUniformAndZeroBiases(this);
        history_embedding.ZeroPadding();
    }

    public override Tensor forward(ScenarioBatch batch)
    {
        var valid = history_embedding.Valid(batch);                                           // (B, N)
        // Scenarios to compute: every one in training (the contrast needs them), the row's own in evaluation.
        var scenarios = training
            ? scenario_embedding.weight!.unsqueeze(0).expand(batch.Size, -1, -1)              // (B, K, d)
            : scenario_embedding.forward(batch.Scenario).unsqueeze(1);                        // (B, 1, d)
        var own = training ? batch.Scenario : null;                                           // the row's scenario along that axis
        var keyBias = PreferenceExtractor.KeyBias(valid, scenarios.shape[1]);                 // one mask for every extractor
        var targets = Enumerable.Range(0, history_embedding.Fields.Count)
            .Select(j => history_embedding.Target(batch, j)).ToArray();                       // e_x, e_{a_1}, …: (B, d) each

        var itemPreference = item_extractor.Extract(history_embedding.History(batch, 0), targets[0], scenarios, valid, keyBias);   // (B, K, N·d)
        var attributePreference = FusedAttributes(batch, targets, scenarios, valid, keyBias);                                     // (B, K, N·d)
        if (training && _gamma > 0) AddLoss("scenario_contrast", _gamma * ContrastiveLoss(itemPreference, attributePreference, own!, _tau));

        var parts = new List<Tensor> { Own(itemPreference, own), Own(attributePreference, own) };
        parts.AddRange(targets);
        parts.Add(scenario_embedding.forward(batch.Scenario));
        if (context_embedding is not null) parts.Add(context_embedding.forward(batch));
        return sigmoid(mlp.forward(cat(parts, 1))).squeeze(1);
    }

    /// <summary>(B, K, N·d): P^A = Σ_j α_j P^A_j per computed scenario, α from all attribute preferences of that scenario.</summary>
    Tensor FusedAttributes(ScenarioBatch batch, Tensor[] targets, Tensor scenarios, Tensor valid, Tensor keyBias)
    {
        var perAttribute = attribute_extractors
            .Select((extractor, j) => extractor.Extract(history_embedding.History(batch, j + 1), targets[j + 1], scenarios, valid, keyBias))
            .ToArray();
        var stacked = stack(perAttribute, 2);                                                 // (B, K, m, N·d)
        var alpha = functional.softmax(attribute_fusion.forward(stacked.flatten(2)), -1);     // (B, K, m)
        return (alpha.unsqueeze(-1) * stacked).sum(2);
    }

    /// <summary>
    /// γ-free mean of L_ssl1 + L_ssl2 over the batch (spec §4.16): each term is −φ(P^I_t, P^A_t)/τ plus the log-sum-exp
    /// over all K scenarios of φ(P^I_t, P^I_k)/τ, resp. φ(P^I_t, P^A_k)/τ.
    /// </summary>
    /// <param name="itemPreference">(B, K, F) P^I for every scenario.</param>
    /// <param name="attributePreference">(B, K, F) P^A for every scenario.</param>
    /// <param name="own">(B) each row's scenario t.</param>
    /// <param name="tau">Temperature τ.</param>
    internal static Tensor ContrastiveLoss(Tensor itemPreference, Tensor attributePreference, Tensor own, double tau)
    {
        var pi = Own(itemPreference, own);
        var anchor = pi.unsqueeze(1);                                                              // (B, 1, F)
        var positive = functional.cosine_similarity(pi, Own(attributePreference, own), 1) / tau;   // (B)
        var toItems = functional.cosine_similarity(anchor, itemPreference, 2) / tau;               // (B, K)
        var toAttributes = functional.cosine_similarity(anchor, attributePreference, 2) / tau;     // (B, K)
        return (toItems.logsumexp(1) + toAttributes.logsumexp(1) - 2 * positive).mean();
    }

    /// <summary>(B, F): row b's slice at scenario <paramref name="own"/>[b] of a (B, K, F) tensor; null: the only one computed.</summary>
    static Tensor Own(Tensor perScenario, Tensor? own) => own is null
        ? perScenario.select(1, 0)
        : perScenario.gather(1, own.view(-1, 1, 1).expand(-1, 1, perScenario.shape[2])).squeeze(1);

    /// <summary>
    /// The scenario-aware multi-head self-attention of IPE and APE over one history. Its projections W^Q, W^K, W^V
    /// (d × h·d_k) are re-weighted per row and scenario by R (d × h·d_k) before they project the history, so every
    /// scenario sees the same behaviours through different weights.
    /// </summary>
    internal sealed class PreferenceExtractor : Module
    {
        readonly Parameter query_weight;      // W^Q: (d, h·d_k), the heads side by side
        readonly Parameter key_weight;        // W^K
        readonly Parameter value_weight;      // W^V
        readonly Linear output;               // W^O: h·d_k = d → d, no bias
        readonly Linear? reshape;             // generalised R: 2d → h·d·d_k
        readonly int _width, _heads, _headWidth;

        public PreferenceExtractor(int width, bool literal, int heads) : base("extractor")
        {
            if (literal && width % 2 != 0) throw new ArgumentException($"SACN's literal attention needs an even embedding width, not {width}");
            if (!literal && width % heads != 0) throw new ArgumentException($"SACN: option 'heads' ({heads}) must divide the embedding width {width}");
            _width = width;
            _heads = literal ? width / 2 : heads;
            _headWidth = width / _heads;
            query_weight = Parameter(empty(width, width));
            key_weight = Parameter(empty(width, width));
            value_weight = Parameter(empty(width, width));
            output = Linear(width, width, hasBias: false);
            if (!literal) reshape = Linear(2 * width, _heads * width * _headWidth);
            RegisterComponents();
        }

        /// <param name="sequence">(B, N, d) embedded history, zero where padded.</param>
        /// <param name="target">(B, d) the target's embedding of the same column.</param>
        /// <param name="scenarios">(B, K, d) the scenario embeddings to compute.</param>
        /// <param name="valid">(B, N) true where a behaviour is.</param>
        /// <param name="keyBias">(B·K, 1, 1, N): <see cref="KeyBias"/> of <paramref name="valid"/> for the K scenarios.</param>
        /// <returns>(B, K, N·d) flatten(X̂) per scenario, zero at padded positions.</returns>
        public Tensor Extract(Tensor sequence, Tensor target, Tensor scenarios, Tensor valid, Tensor keyBias)
        {
            long b = sequence.shape[0], n = sequence.shape[1], k = scenarios.shape[1];
            var r = Reweighting(target, scenarios);                                                // (B, K, d, h·d_k)
            Tensor Project(Tensor weight) =>
                einsum("bnd,bkde->bkne", sequence, weight * r).reshape(b, k, n, _heads, _headWidth).transpose(2, 3);   // (B, K, h, N, d_k)
            Tensor Heads(Tensor t) => t.reshape(b * k, _heads, n, _headWidth);
            // libtorch's fused attention never holds the (B·K·h, N, N) maps, which as separate tensors cost ten times the
            // time on the CPU (SACN's heads are only d_k = 2 wide).
            var heads = functional.scaled_dot_product_attention(Heads(Project(query_weight)), Heads(Project(key_weight)),
                Heads(Project(value_weight)), keyBias);                                                // (B·K, h, N, d_k), scale 1/√d_k
            var mixed = output.forward(heads.view(b, k, _heads, n, _headWidth).transpose(2, 3).reshape(b, k, n, _width));   // (B, K, N, d)
            return (mixed * valid.view(b, 1, n, 1)).flatten(2);
        }

        /// <summary>
        /// (B·K, 1, 1, N): the attention's additive mask for K scenarios, 0 at a behaviour and a large negative at padding,
        /// not −∞: a row without behaviours then attends evenly to its zero values and gives 0, not NaN.
        /// </summary>
        public static Tensor KeyBias(Tensor valid, long scenarios)
        {
            long b = valid.shape[0], n = valid.shape[1];
            return zeros(b, n, device: valid.device).masked_fill(valid.logical_not(), -1e9)
                .view(b, 1, 1, 1, n).expand(-1, scenarios, -1, -1, -1).reshape(b * scenarios, 1, 1, n);
        }

        /// <summary>(B, K, d, h·d_k): R per row and scenario, tiled over the heads where they share it.</summary>
        Tensor Reweighting(Tensor target, Tensor scenarios)
        {
            long b = scenarios.shape[0], k = scenarios.shape[1];
            var joint = cat([scenarios, target.unsqueeze(1).expand(-1, k, -1)], 2);                 // (B, K, 2d): e_s ⊕ e_x
            if (reshape is null) return joint.view(b, k, _width, 2).repeat(1, 1, 1, _heads);       // literal: reshape to (d, 2)
            return reshape.forward(joint).view(b, k, _heads, _width, _headWidth).permute(0, 1, 3, 2, 4).reshape(b, k, _width, _width);
        }
    }
}
