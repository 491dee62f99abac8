using Msr.Core.Data;
using Msr.Core.Models.Layers;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Msr.Core.Models;

/// <summary>
/// SFPNet (spec §4.15; Zhang et al., SIGIR 2024) in the spec's sequence-free form for the benchmark datasets, which
/// hold no behaviour sequences. There is no public code: this follows the paper as the spec reads it, with the
/// spec's choices where the paper is silent.
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
/// </summary>
public sealed class SfpNet : ScenarioModel
{
    const int Width = FeatureEmbedding.ScenarioWidth;   // d: fields and scenario, in every block

    static readonly IntOption Blocks = ModelOption.Int("blocks", "scenario-tailoring blocks L (the paper: 2 on Ali-CCP, 3 on its industrial data)",
        PerPreset<int>.Same(2), min: 1, max: 8);
    static readonly WidthsOption DnnDims = ModelOption.Widths("dnn_dims", "hidden widths of the scenario-aware DNN (a logit layer follows)",
        PerPreset<int[]>.Same([256, 128, 64]));

    public static IReadOnlyList<ModelOption> Options { get; } = [Blocks, DnnDims];

    readonly FeatureEmbedding embedding;                      // x_i: (B, n, 16)
    readonly Embedding scenario_table;                        // s
    readonly ModuleList<TailoringBlock> blocks = new();
    readonly ModuleList<LayerNormGate> dnn_gates = new();
    readonly ModuleList<Linear> dnn_layers = new();
    readonly Linear logit;

    public SfpNet(ModelContext context, Settings options) : base("SFPNet")
    {
        int blockCount = Blocks.Read(context, options);
        var dnnDims = DnnDims.Read(context, options);
        FeatureEmbedding.RequireOneFieldWidth(context.Schema, "SFPNet", "its tailoring blocks", scenarioToo: true);
        embedding = new FeatureEmbedding(context.Schema, new EmbeddingInputs(Dense: false));
        int fields = embedding.SparseFieldCount;
        scenario_table = Embedding(context.ScenarioCount, Width);
        for (int l = 0; l < blockCount; l++) blocks.Add(new TailoringBlock(fields));
        int width = fields * Width + context.Schema.DenseFeatures.Count;
        foreach (int next in dnnDims)
        {
            dnn_gates.Add(new LayerNormGate(width + Width, width, width));
            dnn_layers.Add(Linear(width, next));
            width = next;
        }
        logit = Linear(width, 1);
        RegisterComponents();
        TensorFlowInitialisation.XavierUniformAndZeroBiases(this);
    }

    public override Tensor forward(ScenarioBatch batch)
    {
        var fields = embedding.Stacked(batch);                                   // (B, n, 16)
        var scenario = scenario_table.forward(batch.Scenario);                   // (B, 16)
        foreach (var block in blocks) fields = block.Tailor(fields, scenario);
        var h = FeatureEmbedding.AppendDense(fields.flatten(1), batch);
        for (int j = 0; j < dnn_layers.Count; j++)
            h = functional.relu(dnn_layers[j].forward(h * dnn_gates[j].forward(cat([h, scenario], 1))));
        return sigmoid(logit.forward(h)).squeeze(1);
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

    /// <summary>One scenario-tailoring block: the scenario-adaptive gate, then the residual tailoring of every field.</summary>
    sealed class TailoringBlock : Module
    {
        readonly LayerNormGate adaptive_gate;
        readonly Linear context_hidden;
        readonly Linear context_output;
        readonly Parameter field_weight;          // (n, 16, 16): W_{i,1}
        readonly Parameter field_bias;            // (n, 16)
        readonly Parameter field_gate_weight;     // (n, 16, 16): W_{i,2}
        readonly Parameter field_gate_bias;       // (n, 16)
        readonly int _fields;

        public TailoringBlock(int fields) : base("block")
        {
            _fields = fields;
            int flat = fields * Width;
            adaptive_gate = new LayerNormGate(flat + Width, flat, flat);
            context_hidden = Linear(flat, 2 * flat);
            context_output = Linear(2 * flat, flat);
            field_weight = Parameter(empty(fields, Width, Width));
            field_bias = Parameter(zeros(fields, Width));
            field_gate_weight = Parameter(empty(fields, Width, Width));
            field_gate_bias = Parameter(zeros(fields, Width));
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
            var own = functional.relu(einsum("bnd,nde->bne", gated, field_weight) + field_bias);
            var gate = sigmoid(einsum("bnd,nde->bne", gated, field_gate_weight) + field_gate_bias);
            return own + gate * context;
        }
    }
}
