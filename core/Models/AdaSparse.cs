using Msr.Core.Data;
using Msr.Core.Models.Layers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Msr.Core.Models;

/// <summary>
/// AdaSparse as the reference benchmark runs it (spec §4.7): a scenario-blind MLP over the sparse embeddings whose
/// input and every hidden layer are re-weighted neuron by neuron by a pruner (Linear, no bias) that reads the scenario
/// embedding and the layer's values: x = e_s ⊕ (π_0 ⊙ a), then x = π_l ⊙ block_l(x), p = σ(Linear(x)).
/// </summary>
/// <remarks>
/// The weighting factor π of a pruner output v (form <c>fusion</c>, the reference's): f = β·σ(α·v), π = f·sign(f − ε).
/// Reference behaviours kept by default, each with the paper's behaviour behind an option:
/// <list type="bullet">
/// <item>sub-threshold factors become −f rather than 0 (<c>zero_below_epsilon</c> gives π = f·𝟙[f ≥ ε]);</item>
/// <item>α grows by Δα at the start of every forward call, evaluation included (<c>anneal_only_in_training</c>);</item>
/// <item>no sparsity regulariser (<c>sparsity_lambda</c> &gt; 0 adds the paper's λ·Σ_l |r_l − r_target|).</item>
/// </list>
/// α is not a parameter. It lives in a persistent float64 scalar buffer so that saved weights reproduce the predictions
/// and it follows the module to a device; the trainer's best-snapshot restore leaves it at its latest value
/// (<see cref="StateKeptAtRestore"/>, spec §2.6), and it is updated in place, so a forward never syncs with the host.
/// </remarks>
public sealed class AdaSparse : ScenarioModel
{
    /// <summary>How a pruner output becomes a weighting factor (spec §4.7).</summary>
    enum Form { Fusion, Binarization, Scaling }

    const string AlphaBuffer = "alpha";

    static readonly WidthsOption HiddenDims = ModelOption.Widths("hidden_dims", "hidden widths of the pruned MLP (a logit layer follows)",
        new(movielens: [32, 32], kuairand: [128, 64, 32], aliccp: [256, 128, 64, 32, 16, 8], amazon: [32, 32], douban: [32, 32], mind: [128, 64, 32]));
    static readonly NumberOption DropoutRate = ModelOption.Number("dropout", "dropout after each hidden layer's ReLU", PerPreset<double>.Same(0.2), min: 0, max: 0.99);
    static readonly ChoiceOption WeightingForm = ModelOption.Choice("form",
        "weighting factor: fusion β·σ(αv)·sign(β·σ(αv)−ε) (reference), binarization sign(σ(αv)−ε), scaling β·σ(v)·sign(β·σ(v)−ε)",
        "fusion", "fusion", "binarization", "scaling");
    static readonly NumberOption Epsilon = ModelOption.Number("epsilon", "pruning threshold ε on the factor", PerPreset<double>.Same(0.01), min: 0);
    static readonly NumberOption Beta = ModelOption.Number("beta", "scale β of the factor (fusion and scaling)", PerPreset<double>.Same(2.0), min: 0);
    static readonly NumberOption AlphaInit = ModelOption.Number("alpha_init", "initial annealing factor α_0 (fusion and binarization)", PerPreset<double>.Same(1.0));
    static readonly NumberOption AlphaStep = ModelOption.Number("alpha_step", "increment Δα of α at the start of every forward call", PerPreset<double>.Same(1e-4));
    static readonly BoolOption ZeroBelowEpsilon = ModelOption.Bool("zero_below_epsilon",
        "sub-threshold factors become 0 (paper); false keeps the reference's negative factors", false);
    static readonly BoolOption AnnealOnlyInTraining = ModelOption.Bool("anneal_only_in_training",
        "α grows only in training forwards (paper); false also anneals during evaluation (reference)", false);
    static readonly NumberOption SparsityLambda = ModelOption.Number("sparsity_lambda",
        "weight λ of the paper's sparsity regulariser λ·Σ_l |r_l − sparsity_target| (0: off, as the reference)", PerPreset<double>.Same(0.0), min: 0);
    static readonly NumberOption SparsityTarget = ModelOption.Number("sparsity_target",
        "target fraction r_target of sub-threshold factors per pruned layer (no reference value; used only when sparsity_lambda > 0)",
        PerPreset<double>.Same(0.5), min: 0, max: 1);

    public static IReadOnlyList<ModelOption> Options { get; } =
    [
        HiddenDims, DropoutRate, WeightingForm, Epsilon, Beta, AlphaInit, AlphaStep, ZeroBelowEpsilon, AnnealOnlyInTraining,
        SparsityLambda, SparsityTarget, ScenarioInputFeatures.Exclude,
    ];

    readonly FeatureEmbedding embedding;
    readonly ModuleList<Linear> pruners = new();          // pruners[0] on the input, pruners[l] after block l
    readonly ModuleList<MlpBlock> blocks = new();
    readonly Linear output;
    readonly FactorFunction _factors;
    readonly double _alphaStep;
    readonly bool _annealOnlyInTraining;
    readonly double _sparsityLambda;
    readonly double _sparsityTarget;

    public AdaSparse(ModelContext context, Settings options) : base("AdaSparse")
    {
        var hidden = HiddenDims.Read(context, options);
        double dropout = DropoutRate.Read(context, options);
        _factors = ReadFactorFunction(context, options);
        double alphaInit = AlphaInit.Read(context, options);
        _alphaStep = AlphaStep.Read(context, options);
        _annealOnlyInTraining = AnnealOnlyInTraining.Read(context, options);
        _sparsityLambda = SparsityLambda.Read(context, options);
        _sparsityTarget = SparsityTarget.Read(context, options);
        var exclude = ScenarioInputFeatures.Read(context, options);

        embedding = new FeatureEmbedding(context.Schema, new EmbeddingInputs(Scenario: true, Dense: false) { Exclude = exclude });
        if (embedding.SparseFieldCount == 0)
            throw new ArgumentException("AdaSparse: the agnostic input is the sparse features (spec §3.8) and none is left" +
                (exclude.Length > 0 ? $" after option 'exclude_features' [{string.Join(",", exclude)}]" : ""));
        int width = embedding.SparseDim;
        const int scenarioWidth = FeatureEmbedding.ScenarioWidth;                      // e_s (16)
        pruners.Add(Linear(scenarioWidth + width, width, hasBias: false));
        width += scenarioWidth;
        var style = MlpStyle.Reference.WithDropout(dropout);
        foreach (var n in hidden)
        {
            blocks.Add(new MlpBlock(width, [n], outputLayer: false, style));
            pruners.Add(Linear(scenarioWidth + n, n, hasBias: false));
            width = n;
        }
        output = Linear(width, 1);
        register_buffer(AlphaBuffer, tensor(alphaInit, ScalarType.Float64));
        RegisterComponents();
    }

    static FactorFunction ReadFactorFunction(ModelContext context, Settings options)
    {
        var form = Enum.Parse<Form>(WeightingForm.Read(context, options), ignoreCase: true);
        double epsilon = Epsilon.Read(context, options);
        double beta = Beta.Read(context, options);
        bool zeroBelow = ZeroBelowEpsilon.Read(context, options);
        double scale = form == Form.Binarization ? 1.0 : beta;
        if (epsilon >= scale)
            throw new ArgumentException(form == Form.Binarization
                ? $"AdaSparse: option 'epsilon' ({epsilon}) must be below 1 with form binarization: every factor σ(αv) would be below it"
                : $"AdaSparse: option 'epsilon' ({epsilon}) must be below option 'beta' ({beta}): every factor β·σ(·) would be below it");
        return new FactorFunction(form, epsilon, scale, zeroBelow);
    }

    /// <summary>α is annealing state, not a learned weight: early stopping keeps its latest value (spec §2.6).</summary>
    public override IReadOnlyCollection<string> StateKeptAtRestore => [AlphaBuffer];

    /// <summary>The current annealing factor α (a float64 scalar tensor, updated in place by every forward).</summary>
    public Tensor Alpha => get_buffer(AlphaBuffer)!;

    public override Tensor forward(ScenarioBatch batch)
    {
        var alpha = Alpha;
        if (training || !_annealOnlyInTraining)
            using (no_grad()) alpha.add_(_alphaStep);
        var ratios = training && _sparsityLambda > 0 ? new List<Tensor>(pruners.Count) : null;

        var es = embedding.ScenarioEmbedding(batch);                                    // (B, 16)
        var a = embedding.SparseEmbeddings(batch);                                      // (B, D_a)
        var x = cat([es, Weighting(pruners[0].forward(cat([es, a], 1)), alpha, ratios) * a], 1);
        for (int l = 0; l < blocks.Count; l++)
        {
            var h = blocks[l].forward(x);
            x = Weighting(pruners[l + 1].forward(cat([es, h], 1)), alpha, ratios) * h;
        }
        if (ratios is not null)
            AddLoss("sparsity", stack(ratios).sub(_sparsityTarget).abs().sum() * _sparsityLambda);
        return sigmoid(output.forward(x)).squeeze(1);
    }

    /// <summary>The weighting factors π of pruner outputs <paramref name="v"/> at the current α (no annealing step).</summary>
    internal Tensor Factors(Tensor v) => Weighting(v, Alpha, null);

    /// <summary>The weighting factors π of pruner outputs <paramref name="v"/>; records the layer's sparsity r_l when asked.</summary>
    Tensor Weighting(Tensor v, Tensor alpha, List<Tensor>? ratios)
    {
        var z = _factors.Form == Form.Scaling ? v : v * alpha;                         // float32 (α is a 0-dim scalar)
        ratios?.Add(_factors.SubThresholdFraction(z));
        return _factors.Apply(z);
    }

    /// <summary>
    /// π as a function of the (annealed) pruner output z (spec §4.7): f = scale·σ(z), scale = β (fusion, scaling) or
    /// 1 (binarization); π = f·sign(f − ε) (reference) or f·𝟙[f ≥ ε] (<c>zero_below_epsilon</c>); binarization keeps
    /// the sign (or indicator) alone.
    /// </summary>
    sealed record FactorFunction(Form Form, double Epsilon, double Scale, bool ZeroBelow)
    {
        /// <summary>f &lt; ε exactly when z &lt; logit(ε / scale).</summary>
        readonly double _thresholdLogit = Math.Log(Epsilon / (Scale - Epsilon));

        public Tensor Apply(Tensor z)
        {
            var f = Form == Form.Binarization ? sigmoid(z) : sigmoid(z) * Scale;
            // sign(f − ε) has zero gradient: the factor's gradient flows through f only (none at all for binarization).
            var keep = ZeroBelow ? f.ge(Epsilon).to_type(f.dtype) : sign(f - Epsilon);
            return Form == Form.Binarization ? keep : f * keep;
        }

        /// <summary>
        /// r_l, the fraction of the layer's factors below ε (pruned: zero, or negative under the reference), made
        /// differentiable with a straight-through estimator: the value is the exact fraction, the gradient is that of
        /// mean σ(t − z), the soft indicator of z below the threshold t = logit(ε / scale), which sharpens as α grows.
        /// </summary>
        public Tensor SubThresholdFraction(Tensor z)
        {
            var hard = z.lt(_thresholdLogit).to_type(z.dtype).mean();
            var soft = sigmoid(z.neg().add(_thresholdLogit)).mean();
            return soft + (hard - soft).detach();
        }
    }
}
