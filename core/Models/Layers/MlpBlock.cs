using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Msr.Core.Models.Layers;

/// <summary>Activation after each hidden layer of an <see cref="MlpBlock"/> (spec §1.3).</summary>
public enum Activation { ReLU, LeakyReLU, Sigmoid, PReLU, None }

/// <summary>Normalisation after each hidden Linear of an <see cref="MlpBlock"/>.</summary>
public enum Normalization { BatchNorm, LayerNorm, None }

/// <summary>How an <see cref="MlpBlock"/> builds each hidden layer.</summary>
/// <param name="Activation">ReLU in the reference block; LeakyReLU (slope <paramref name="LeakySlope"/>) for M2M.</param>
/// <param name="Norm">BatchNorm1d in the reference block; LayerNorm for M3oE; none for plain MLPs.</param>
/// <param name="Dropout">Dropout probability after each hidden layer (0: no dropout module).</param>
/// <param name="DropoutBeforeActivation">Linear → Norm → Dropout → Activation (HierRec's order) instead of the reference's Linear → Norm → Activation → Dropout.</param>
/// <param name="LeakySlope">Negative slope of LeakyReLU (the reference uses 0.1).</param>
public sealed record MlpStyle(
    Activation Activation = Activation.ReLU,
    Normalization Norm = Normalization.BatchNorm,
    double Dropout = 0.0,
    bool DropoutBeforeActivation = false,
    double LeakySlope = 0.1)
{
    /// <summary>The reference block: Linear → BatchNorm1d → ReLU, no dropout.</summary>
    public static readonly MlpStyle Reference = new();

    public MlpStyle WithDropout(double p) => this with { Dropout = p };
}

/// <summary>
/// The reference MLP block (spec §1.3): for each width h, Linear → BatchNorm1d → ReLU → Dropout;
/// with <c>outputLayer</c>, a final Linear(→1) producing a logit. <see cref="MlpStyle"/> changes the
/// activation, the normalisation and their order for the models that need it.
/// </summary>
public sealed class MlpBlock : Module<Tensor, Tensor>
{
    readonly Sequential layers;

    public int OutputDim { get; }

    public MlpBlock(int inputDim, IReadOnlyList<int> dims, bool outputLayer, double dropout = 0.0, string name = "mlp")
        : this(inputDim, dims, outputLayer, MlpStyle.Reference.WithDropout(dropout), name) { }

    public MlpBlock(int inputDim, IReadOnlyList<int> dims, bool outputLayer, MlpStyle style, string name = "mlp") : base(name)
    {
        if (inputDim < 1) throw new ArgumentOutOfRangeException(nameof(inputDim), inputDim, "MLP input width must be >= 1");
        layers = Sequential();
        int width = inputDim;
        for (int i = 0; i < dims.Count; i++)
        {
            // Submodule names are the saved weight names: linear{i}, bn{i} / ln{i}.
            layers.append($"linear{i}", Linear(width, dims[i]));
            switch (style.Norm)
            {
                case Normalization.BatchNorm: layers.append($"bn{i}", BatchNorm1d(dims[i])); break;
                case Normalization.LayerNorm: layers.append($"ln{i}", LayerNorm(dims[i])); break;
            }
            bool dropoutHere = style.Dropout > 0;
            if (dropoutHere && style.DropoutBeforeActivation) layers.append($"dropout{i}", Dropout(style.Dropout));
            if (ActivationModule(style, dims[i]) is { } act) layers.append(style.Activation == Activation.ReLU ? $"relu{i}" : $"act{i}", act);
            if (dropoutHere && !style.DropoutBeforeActivation) layers.append($"dropout{i}", Dropout(style.Dropout));
            width = dims[i];
        }
        if (outputLayer)
        {
            layers.append("output", Linear(width, 1));
            width = 1;
        }
        OutputDim = width;
        RegisterComponents();
    }

    static Module<Tensor, Tensor>? ActivationModule(MlpStyle style, int width) => style.Activation switch
    {
        Activation.ReLU => ReLU(),
        Activation.LeakyReLU => LeakyReLU(style.LeakySlope),
        Activation.Sigmoid => Sigmoid(),
        Activation.PReLU => PReLU(1, 0.25),
        _ => null,
    };

    public override Tensor forward(Tensor input) => layers.forward(input);
}
