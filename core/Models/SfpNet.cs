using Msr.Core.Data;
using Msr.Core.Models.Layers;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Msr.Core.Models;

/// <summary>
/// SFPNet (spec §4.15; Zhang et al., SIGIR 2024). There is no public code: this follows the paper as the spec reads it,
/// with the spec's choices where the paper is silent. Two forms, chosen by <c>sequences</c>: the spec's sequence-free
/// form for the benchmark datasets, which hold no behaviour sequences (its option (a)), and, when the dataset carries
/// behaviour histories (<c>hist_&lt;column&gt;</c>), the paper's full form (option (b), steps 1-11).
/// <list type="bullet">
/// <item>Scenario-tailoring blocks (<c>blocks</c>, 2 as the paper's best on Ali-CCP), each keeping every field 16 wide:
/// <list type="bullet">
/// <item>the scenario-adaptive module gates the fields: A = σ(W₁·LayerNorm(ReLU(W₀(x₁ ⊕ … ⊕ x_n ⊕ s) + b₀)) + b₁),
/// x̂ = (x₁ ⊕ … ⊕ x_n) ⊙ A;</item>
/// <item>the residual-tailoring module tailors each field with a context: C = W₃·ReLU(W₂x̂ + b₂) + b₃, then
/// x_i = ReLU(W_{i,1}x̂_i + b_{i,1}) + σ(W_{i,2}x̂_i + b_{i,2}) ⊙ c_i, with two 16 × 16 matrices per field.</item>
/// </list></item>
/// <item>A scenario-aware DNN (<c>dnn_dims</c>, [256, 128, 64] as the paper) gates each layer's input with the same
/// kind of gate over (H ⊕ s), then H′ = ReLU(W(H ⊙ gate) + b); a logit layer and σ follow.</item>
/// </list>
/// Choices where the paper is silent (spec §4.15): the gates' hidden width is the gated width (n·16, or the layer's
/// input); the context's hidden width is 2·n·16. The benchmark's dense values, which the paper has no place for, join
/// the DNN's input after the tailored fields. Weights are Xavier-uniform and biases zero, the paper's TensorFlow
/// defaults, and the tables too. No BatchNorm, no dropout.
/// <para>
/// With histories (<c>sequences=auto</c> finds them, <c>on</c> requires them; <c>histories</c> picks them, the item
/// history first): each behaviour b_j is the mean of the clicked item's embedding and its attribute embeddings at that
/// position (the spec's "pooled embedding"), from <see cref="HistoryEmbedding"/>'s tables. Those tables are shared with
/// the target columns, so the target item's and its attributes' fields x_i come from them too (one space for
/// behaviours and target), and those columns are left out of the <see cref="FeatureEmbedding"/>; the fields are the
/// other sparse features in schema order, then the target item, then its attributes in the histories' order.
/// Each block then also (1) pools the behaviours: B = μ ⊕ σ with σ = √(max(mean b² − μ², 0) + 1e-8), both means over
/// the valid positions only (an empty history gives μ = 0, σ = 1e-4); (2) gates x₁ ⊕ … ⊕ x_n ⊕ B over
/// (x₁ ⊕ … ⊕ x_n ⊕ B ⊕ s), the gate's hidden width (n+2)·16; (3) computes the context from the whole gated
/// vector, hidden width 2·(n+2)·16, output (n+1)·16 (the spec's [REC]: the last 16-slice is the behaviours' context
/// c_b); (4) tailors every behaviour, un-gated, with two 16 × 16 matrices shared by all positions:
/// v_j = ReLU(W₄b_j + b₄) + σ(W₅b_j + b₅) ⊙ c_b. After the blocks, DIN-style target attention with t = the target
/// item's tailored field: w_j = MLP([v_j, t, v_j − t, v_j ⊙ t]) (hidden [64, 32] ReLU, then 1; no softmax; w_j = 0
/// at padded positions), V = Σ_j w_j v_j, and the DNN reads x₁ ⊕ … ⊕ x_n ⊕ V (then the dense values). Padded
/// positions reach nothing: the pooling and the attention mask them. The history tables are initialised like every
/// table, then their padding rows are set back to zero.
/// </para>
/// Without histories (every benchmark dataset as loaded by default, or <c>sequences=off</c>) the model is the
/// sequence-free form exactly: the same parameters, built and initialised in the same order.
/// </summary>
public sealed class SfpNet : ScenarioModel
{
    const int Width = FeatureEmbedding.ScenarioWidth;   // d: fields, scenario and behaviours, in every block
    const double SigmaEpsilon = 1e-8;                   // DAP's σ = √(max(var, 0) + ε), spec §4.15 step 1
    static readonly int[] AttentionDims = [64, 32];     // DIN's MLP_att hidden widths (spec §4.15 step 8)

    static readonly IntOption Blocks = ModelOption.Int("blocks", "scenario-tailoring blocks L (the paper: 2 on Ali-CCP, 3 on its industrial data)",
        PerPreset<int>.Same(2), min: 1, max: 8);
    static readonly WidthsOption DnnDims = ModelOption.Widths("dnn_dims", "hidden widths of the scenario-aware DNN (a logit layer follows)",
        PerPreset<int[]>.Same([256, 128, 64]));
    static readonly ChoiceOption Sequences = ModelOption.Choice("sequences",
        "behaviour histories, the paper's full form: auto (when the dataset has hist_<column> features or histories is given), on (required), off (the sequence-free form; histories ignored)",
        "auto", "auto", "on", "off");
    static readonly NamesOption Histories = HistoryEmbedding.Option("SFPNet");

    public static IReadOnlyList<ModelOption> Options { get; } = [Blocks, DnnDims, Sequences, Histories];

    readonly FeatureEmbedding embedding;                      // x_i: (B, n, 16); with histories, all but the target's fields
    readonly Embedding scenario_table;                        // s
    readonly HistoryEmbedding? history_embedding;             // with histories: b_j and the target's fields
    readonly ModuleList<TailoringBlock> blocks = new();
    readonly MlpBlock? target_attention;                      // with histories: DIN's MLP_att
    readonly ModuleList<LayerNormGate> dnn_gates = new();
    readonly ModuleList<Linear> dnn_layers = new();
    readonly Linear logit;
    readonly int _targetItemField;                            // index of the target item among the fields

    public SfpNet(ModelContext context, Settings options) : base("SFPNet")
    {
        int blockCount = Blocks.Read(context, options);
        var dnnDims = DnnDims.Read(context, options);
        var sequences = Sequences.Read(context, options);
        var histories = Histories.Read(context, options);
        var schema = context.Schema;
        FeatureEmbedding.RequireOneFieldWidth(schema, "SFPNet", "its tailoring blocks", scenarioToo: true);
        bool withHistories = sequences switch
        {
            "on" => true,
            "off" => false,
            _ => histories.Length > 0 || HistoryEmbedding.HasHistories(schema),
        };
        var historyFields = withHistories ? HistoryEmbedding.Resolve(schema, histories, "SFPNet") : null;
        embedding = historyFields is null
            ? new FeatureEmbedding(schema, new EmbeddingInputs(Dense: false))
            : new FeatureEmbedding(schema, new EmbeddingInputs(Dense: false) { Exclude = [.. historyFields.Select(f => f.Target)] });
        _targetItemField = embedding.SparseFieldCount;
        int fields = embedding.SparseFieldCount + (historyFields?.Count ?? 0);
        scenario_table = Embedding(context.ScenarioCount, Width);
        if (historyFields is not null) history_embedding = new HistoryEmbedding(schema, historyFields, Width);
        for (int l = 0; l < blockCount; l++) blocks.Add(new TailoringBlock(fields, behaviours: historyFields is not null));
        int width = fields * Width + schema.DenseFeatures.Count;
        if (historyFields is not null)
        {
            target_attention = new MlpBlock(4 * Width, AttentionDims, outputLayer: true, new MlpStyle(Norm: Normalization.None));
            width += Width;                                                     // V
        }
        foreach (int next in dnnDims)
        {
            dnn_gates.Add(new LayerNormGate(width + Width, width, width));
            dnn_layers.Add(Linear(width, next));
            width = next;
        }
        logit = Linear(width, 1);
        RegisterComponents();
        TensorFlowInitialisation.XavierUniformAndZeroBiases(this);
        history_embedding?.ZeroPadding();
    }

    /// <summary>Whether this model reads behaviour histories (the paper's full form).</summary>
    public bool ReadsHistories => history_embedding is not null;

    public override Tensor forward(ScenarioBatch batch)
    {
        if (history_embedding is not null) return ForwardWithHistories(batch, out _);
        var fields = embedding.Stacked(batch);                                   // (B, n, 16)
        var scenario = scenario_table.forward(batch.Scenario);                   // (B, 16)
        foreach (var block in blocks) fields = block.Tailor(fields, scenario);
        var h = FeatureEmbedding.AppendDense(fields.flatten(1), batch);
        return Predict(h, scenario);
    }

    /// <summary>(B, L): the target attention's weights w_j over <paramref name="batch"/>'s histories (zero at padded positions), for tests.</summary>
    internal Tensor AttentionWeights(ScenarioBatch batch)
    {
        ForwardWithHistories(batch, out var weights);
        return weights;
    }

    Tensor ForwardWithHistories(ScenarioBatch batch, out Tensor attention)
    {
        var history = history_embedding!;
        int count = history.Fields.Count;
        var targets = stack(Enumerable.Range(0, count).Select(k => history.Target(batch, k)), 1);      // (B, K, 16)
        var fields = embedding.SparseFieldCount > 0 ? cat([embedding.Stacked(batch), targets], 1) : targets;  // (B, n, 16)
        var behaviours = count == 1 ? history.History(batch, 0)                                       // b_j: (B, L, 16)
            : stack(Enumerable.Range(0, count).Select(k => history.History(batch, k)), 0).mean([0]);
        var valid = history.Valid(batch).unsqueeze(2).to_type(behaviours.dtype);                       // (B, L, 1)
        var scenario = scenario_table.forward(batch.Scenario);                                         // (B, 16)
        foreach (var block in blocks) (fields, behaviours) = block.Tailor(fields, behaviours, valid, scenario);
        var target = fields.select(1, _targetItemField).unsqueeze(1).expand_as(behaviours);            // t: (B, L, 16)
        attention = target_attention!.forward(cat([behaviours, target, behaviours - target, behaviours * target], 2))
            .squeeze(2) * valid.squeeze(2);                                                            // w_j: (B, L)
        var pooled = (attention.unsqueeze(2) * behaviours).sum(1);                                     // V: (B, 16)
        var h = FeatureEmbedding.AppendDense(cat([fields.flatten(1), pooled], 1), batch);
        return Predict(h, scenario);
    }

    Tensor Predict(Tensor h, Tensor scenario)
    {
        for (int j = 0; j < dnn_layers.Count; j++)
            h = functional.relu(dnn_layers[j].forward(h * dnn_gates[j].forward(cat([h, scenario], 1))));
        return sigmoid(logit.forward(h)).squeeze(1);
    }

    /// <summary>
    /// Distribution-aware pooling (spec §4.15 step 1): μ ⊕ σ of the behaviours over the valid positions,
    /// σ = √(max(mean b² − μ², 0) + 1e-8). A row without behaviours gives μ = 0 and σ = √1e-8.
    /// </summary>
    /// <param name="behaviours">(B, L, d).</param>
    /// <param name="valid">(B, L, 1): 1 at a behaviour, 0 at padding.</param>
    /// <returns>(B, 2d).</returns>
    internal static Tensor DistributionAwarePooling(Tensor behaviours, Tensor valid)
    {
        var count = valid.sum(1).clamp_min(1);                                    // (B, 1)
        var masked = behaviours * valid;
        var mean = masked.sum(1) / count;
        var meanSquare = (masked * masked).sum(1) / count;
        var deviation = sqrt((meanSquare - mean * mean).clamp_min(0) + SigmaEpsilon);
        return cat([mean, deviation], 1);
    }

    /// <summary>σ(W₁·LayerNorm(ReLU(W₀z + b₀)) + b₁): SFPNet's gate, in (0, 1).</summary>
    sealed class LayerNormGate : Module<Tensor, Tensor>
    {
        readonly Linear hidden;
        readonly LayerNorm norm;
        readonly Linear output;

        public LayerNormGate(int input, int hiddenWidth, int outputWidth) : base("gate")
        {
            hidden = Linear(input, hiddenWidth);
            norm = LayerNorm(hiddenWidth);
            output = Linear(hiddenWidth, outputWidth);
            RegisterComponents();
        }

        public override Tensor forward(Tensor z) => sigmoid(output.forward(norm.forward(functional.relu(hidden.forward(z)))));
    }

    /// <summary>
    /// One scenario-tailoring block: the scenario-adaptive gate, then the residual tailoring of every field (and, with
    /// histories, the pooled behaviours in the gate and the context, and the tailoring of every behaviour).
    /// </summary>
    sealed class TailoringBlock : Module
    {
        readonly LayerNormGate adaptive_gate;
        readonly Linear context_hidden;
        readonly Linear context_output;
        readonly Parameter field_weight;          // (n, 16, 16): W_{i,1}
        readonly Parameter field_bias;            // (n, 16)
        readonly Parameter field_gate_weight;     // (n, 16, 16): W_{i,2}
        readonly Parameter field_gate_bias;       // (n, 16)
        readonly Linear? behaviour_own;           // with histories: W₄, b₄
        readonly Linear? behaviour_gate;          // with histories: W₅, b₅
        readonly int _fields;

        public TailoringBlock(int fields, bool behaviours) : base("block")
        {
            _fields = fields;
            int flat = fields * Width;
            int gated = behaviours ? flat + 2 * Width : flat;           // x₁ ⊕ … ⊕ x_n (⊕ B)
            int context = behaviours ? flat + Width : flat;             // c₁ ⊕ … ⊕ c_n (⊕ c_b)
            adaptive_gate = new LayerNormGate(gated + Width, gated, gated);
            context_hidden = Linear(gated, 2 * gated);
            context_output = Linear(2 * gated, context);
            field_weight = Parameter(empty(fields, Width, Width));
            field_bias = Parameter(zeros(fields, Width));
            field_gate_weight = Parameter(empty(fields, Width, Width));
            field_gate_bias = Parameter(zeros(fields, Width));
            if (behaviours)
            {
                behaviour_own = Linear(Width, Width);
                behaviour_gate = Linear(Width, Width);
            }
            RegisterComponents();
        }

        /// <param name="fields">(B, n, 16).</param>
        /// <param name="scenario">(B, 16).</param>
        /// <returns>(B, n, 16) the tailored fields.</returns>
        public Tensor Tailor(Tensor fields, Tensor scenario)
        {
            var flat = fields.flatten(1);
            var gated = (flat * adaptive_gate.forward(cat([flat, scenario], 1))).view(-1, _fields, Width);  // x̂
            var context = context_output.forward(functional.relu(context_hidden.forward(gated.flatten(1)))).view(-1, _fields, Width);
            return TailorFields(gated, context);
        }

        /// <param name="fields">(B, n, 16).</param>
        /// <param name="behaviours">(B, L, 16): b_j of the previous block.</param>
        /// <param name="valid">(B, L, 1): 1 at a behaviour, 0 at padding.</param>
        /// <param name="scenario">(B, 16).</param>
        /// <returns>The tailored fields (B, n, 16) and behaviours v_j (B, L, 16).</returns>
        public (Tensor Fields, Tensor Behaviours) Tailor(Tensor fields, Tensor behaviours, Tensor valid, Tensor scenario)
        {
            int flat = _fields * Width;
            var input = cat([fields.flatten(1), DistributionAwarePooling(behaviours, valid)], 1);      // x₁ ⊕ … ⊕ x_n ⊕ B
            var gated = input * adaptive_gate.forward(cat([input, scenario], 1));                      // X̂
            var context = context_output.forward(functional.relu(context_hidden.forward(gated)));      // C: (B, (n+1)·16)
            var tailored = TailorFields(gated.narrow(1, 0, flat).view(-1, _fields, Width), context.narrow(1, 0, flat).view(-1, _fields, Width));
            var behaviourContext = context.narrow(1, flat, Width).unsqueeze(1);                         // c_b: (B, 1, 16)
            var tailoredBehaviours = functional.relu(behaviour_own!.forward(behaviours))
                + sigmoid(behaviour_gate!.forward(behaviours)) * behaviourContext;                     // v_j
            return (tailored, tailoredBehaviours);
        }

        /// <summary>x_i = ReLU(W_{i,1}x̂_i + b_{i,1}) + σ(W_{i,2}x̂_i + b_{i,2}) ⊙ c_i, for (B, n, 16) x̂ and c.</summary>
        Tensor TailorFields(Tensor gated, Tensor context)
        {
            var own = functional.relu(einsum("bnd,nde->bne", gated, field_weight) + field_bias);
            var gate = sigmoid(einsum("bnd,nde->bne", gated, field_gate_weight) + field_gate_bias);
            return own + gate * context;
        }
    }
}
