using Msr.Core.Data;
using Msr.Core.Models.Layers;
using Msr.Core.Training;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Msr.Core.Models;

/// <summary>
/// HierRec (spec §4.14; Gao et al., SIGIR 2023), as its official code computes it, with the spec's adaptation to the
/// benchmark datasets. The scenario embedding generates the weights of small linear layers that every row passes through:
/// <list type="number">
/// <item>a global representation: one MLP layer over the flattened field embeddings (then the dense values);</item>
/// <item>explicit scenario-oriented layers: weights and biases generated from the scenario embedding alone;</item>
/// <item>implicit scenario-oriented layers, one set per head: the scenario embedding's g-th chunk softly selects the
/// fields (softmax over them), self-attention runs over the re-weighted field tokens, and the result generates
/// the weights of layers applied to the explicit layers' output;</item>
/// <item>an output MLP over the heads' outputs.</item>
/// </list>
/// The MLP layers run Linear → BatchNorm → Dropout → ReLU (the official order). The field and scenario tables are
/// initialised Xavier-uniform, as there. Generated layers are plain Linear maps with no activation, shared by the heads.
/// The official code also declares a two-head attention module that it never uses; it is left out, so printed
/// parameter counts of the official code are larger. HierRec stops on validation logloss, as its code does
/// (<see cref="PreferredStopMetric"/>; the trainer option <c>monitor</c> overrides it).
/// </summary>
public sealed class HierRec : ScenarioModel
{
    const int Width = FeatureEmbedding.ScenarioWidth;   // d: every field token and the scenario embedding are 16 wide

    static readonly IntOption Heads = ModelOption.Int("heads", "implicit heads G; each reads a 16/G-wide chunk of the scenario embedding",
        PerPreset<int>.Same(4), min: 1, max: Width);
    static readonly WidthsOption GlobalDims = ModelOption.Widths("global_dims", "hidden widths of the global representation's MLP",
        PerPreset<int[]>.Same([64]));
    static readonly WidthsOption ExplicitDims = ModelOption.Widths("explicit_dims", "widths of the explicit scenario-oriented layers (generated, linear)",
        PerPreset<int[]>.Same([16, 64]));
    static readonly WidthsOption ImplicitDims = ModelOption.Widths("implicit_dims", "widths of each head's implicit scenario-oriented layers (generated, linear)",
        PerPreset<int[]>.Same([16, 64]));
    static readonly WidthsOption OutputDims = ModelOption.Widths("output_dims", "hidden widths of the output MLP (a logit layer follows)",
        PerPreset<int[]>.Same([64, 64]));
    static readonly NumberOption Dropout = ModelOption.Number("dropout", "dropout in every MLP layer and in the field attention",
        PerPreset<double>.Same(0.2), 0, 0.99);

    public static IReadOnlyList<ModelOption> Options { get; } = [Heads, GlobalDims, ExplicitDims, ImplicitDims, OutputDims, Dropout];

    readonly FeatureEmbedding embedding;                  // E_c: the common fields, (B, F, 16)
    readonly Embedding scenario_table;                    // e_s
    readonly MlpBlock global_mlp;
    readonly GeneratedLayers explicit_layers;             // generated from e_s
    readonly ModuleList<Linear> field_selectors = new();  // per head: its chunk of e_s → a weight per field
    readonly MultiheadAttention field_attention;
    readonly GeneratedLayers implicit_layers;             // generated from each head's attended fields
    readonly MlpBlock output;
    readonly int _heads;
    readonly int _fields;

    public HierRec(ModelContext context, Settings options) : base("HierRec")
    {
        _heads = Heads.Read(context, options);
        var globalDims = GlobalDims.Read(context, options);
        var explicitDims = ExplicitDims.Read(context, options);
        var implicitDims = ImplicitDims.Read(context, options);
        var outputDims = OutputDims.Read(context, options);
        double dropout = Dropout.Read(context, options);
        if (Width % _heads != 0)
            throw new ArgumentException($"HierRec: heads = {_heads} must divide the scenario embedding's width {Width} (valid: 1, 2, 4, 8, 16)");
        if (implicitDims.Length == 0)
            throw new ArgumentException("HierRec: implicit_dims needs at least one width (the layers each head generates), e.g. [16,64]");
        FeatureEmbedding.RequireOneFieldWidth(context.Schema, "HierRec", "its field attention", scenarioToo: true);
        var style = new MlpStyle(Dropout: dropout, DropoutBeforeActivation: true);

        embedding = new FeatureEmbedding(context.Schema, new EmbeddingInputs(Dense: false));
        _fields = embedding.SparseFieldCount;
        scenario_table = Embedding(context.ScenarioCount, Width);
        global_mlp = new MlpBlock(_fields * Width + context.Schema.DenseFeatures.Count, globalDims, outputLayer: false, style, "global_mlp");
        explicit_layers = new GeneratedLayers(Width, global_mlp.OutputDim, explicitDims, "explicit_layers");
        for (int g = 0; g < _heads; g++) field_selectors.Add(Linear(Width / _heads, _fields));
        field_attention = MultiheadAttention(Width, 1, dropout);
        implicit_layers = new GeneratedLayers(_fields * Width, explicit_layers.OutputWidth, implicitDims, "implicit_layers");
        output = new MlpBlock(_heads * implicit_layers.OutputWidth, outputDims, outputLayer: true, style, "output");
        RegisterComponents();
        using (no_grad())
        {
            foreach (var table in embedding.parameters()) init.xavier_uniform_(table);
            init.xavier_uniform_(scenario_table.weight!);
        }
    }

    public override StopMetric? PreferredStopMetric => StopMetric.LogLoss;

    public override Tensor forward(ScenarioBatch batch)
    {
        long b = batch.Size;
        var fields = embedding.Stacked(batch);                                              // (B, F, 16)
        var scenario = scenario_table.forward(batch.Scenario);                              // (B, 16)
        var global = global_mlp.forward(FeatureEmbedding.AppendDense(fields.flatten(1), batch));   // (B, 64)
        var h = explicit_layers.Apply(global.unsqueeze(1), scenario);                       // (B, 1, 64)

        var chunks = scenario.chunk(_heads, 1);
        var selection = stack([.. Enumerable.Range(0, _heads).Select(g => softmax(field_selectors[g].forward(chunks[g]), 1))], 1); // (B, G, F)
        var tokens = (fields.unsqueeze(1) * selection.unsqueeze(3)).reshape(b * _heads, _fields, Width);            // (B·G, F, 16)
        var sequenceFirst = tokens.transpose(0, 1);                                                                 // (F, B·G, 16)
        var attended = field_attention.call(sequenceFirst, sequenceFirst, sequenceFirst, null, false, null).Item1;
        var heads = attended.transpose(0, 1).reshape(b, _heads, _fields * Width);                                   // (B, G, 16F)

        var implicitOut = implicit_layers.ApplyShared(h.squeeze(1), heads);                 // (B, G, 1, 64)
        return sigmoid(output.forward(implicitOut.reshape(b, -1))).squeeze(1);
    }

    /// <summary>
    /// Linear layers whose weights and biases other layers generate per row (HierRec's scenario-oriented layers):
    /// layer l maps width w_{l−1} to w_l with W_l = reshape(Linear(c → w_{l−1}·w_l)(condition)) and
    /// b_l = Linear(c → w_l)(condition), no activation between layers.
    /// </summary>
    internal sealed class GeneratedLayers : Module
    {
        readonly ModuleList<Linear> weights = new();
        readonly ModuleList<Linear> biases = new();
        readonly int[] _widths;

        /// <summary>Width of what the layers return: the last layer's, or the input's when there are none.</summary>
        public int OutputWidth => _widths[^1];

        public GeneratedLayers(int conditionWidth, int inputWidth, IReadOnlyList<int> widths, string name) : base(name)
        {
            _widths = [inputWidth, .. widths];
            for (int l = 1; l < _widths.Length; l++)
            {
                weights.Add(Linear(conditionWidth, _widths[l - 1] * _widths[l]));
                biases.Add(Linear(conditionWidth, _widths[l]));
            }
            RegisterComponents();
        }

        /// <param name="x">(…, 1, w₀): one row vector per condition.</param>
        /// <param name="condition">(…, c), broadcastable against <paramref name="x"/>'s leading dimensions.</param>
        /// <returns>(…, 1, w_L).</returns>
        public Tensor Apply(Tensor x, Tensor condition) => ApplyFrom(1, x, condition);

        /// <summary>
        /// <see cref="Apply"/> for an input that every condition of a row shares (each head reads the same explicit
        /// output): the first layer contracts the input with the generating weights once per row,
        /// Σ_i x_i (Σ_k A_{(i,j),k} c_k + a_{(i,j)}) = Σ_k (Σ_i x_i A_{(i,j),k}) c_k + Σ_i x_i a_{(i,j)}, instead of
        /// generating a w₀ × w₁ matrix per condition. The same function, with about a third fewer multiply-adds for
        /// HierRec's heads; float rounding differs from <see cref="Apply"/>.
        /// </summary>
        /// <param name="x">(B, w₀).</param>
        /// <param name="condition">(B, G, c).</param>
        /// <returns>(B, G, 1, w_L).</returns>
        public Tensor ApplyShared(Tensor x, Tensor condition)
        {
            var generator = weights[0];
            var perInput = einsum("bi,ijk->bjk", x, generator.weight!.view(_widths[0], _widths[1], -1));   // (B, w₁, c)
            var first = einsum("bjk,bgk->bgj", perInput, condition)
                        + x.matmul(generator.bias!.view(_widths[0], _widths[1])).unsqueeze(1)
                        + biases[0].forward(condition);                                                   // (B, G, w₁)
            return ApplyFrom(2, first.unsqueeze(2), condition);
        }

        Tensor ApplyFrom(int firstLayer, Tensor x, Tensor condition)
        {
            long[] lead = condition.shape[..^1];
            for (int l = firstLayer; l < _widths.Length; l++)
            {
                var w = weights[l - 1].forward(condition).view([.. lead, _widths[l - 1], _widths[l]]);
                var bias = biases[l - 1].forward(condition).view([.. lead, 1, _widths[l]]);
                x = x.matmul(w) + bias;
            }
            return x;
        }
    }
}
