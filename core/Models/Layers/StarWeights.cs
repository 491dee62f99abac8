using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Msr.Core.Models.Layers;

/// <summary>How the raw weight matrices of a <see cref="StarWeights"/> are drawn.</summary>
public enum StarWeightInit
{
    /// <summary>STAR's reference: Kaiming-uniform on the (in × out) matrix as stored, so the bound uses the output width: U(±gain·√(3/out)) with gain √2.</summary>
    KaimingUniformOutputFan,
    /// <summary>Xavier (Glorot) uniform: U(±gain·√(6/(in + out))), symmetric in the two widths.</summary>
    XavierUniform,
}

/// <summary>How the biases of a <see cref="StarWeights"/> are drawn.</summary>
public enum StarBiasInit
{
    /// <summary>U(0, 1) (STAR's reference).</summary>
    UniformZeroOne,
    /// <summary>All zero (M3oE's bottom).</summary>
    Zeros,
    /// <summary>N(0, std) (AdaptDHM's unused biases).</summary>
    Normal,
}

/// <summary>The initialisation of a <see cref="StarWeights"/>; <see cref="Star"/> is STAR's reference and the default.</summary>
/// <param name="Weight">Distribution of the weight matrices.</param>
/// <param name="Gain">Gain of <see cref="StarWeightInit.XavierUniform"/> (ignored by the Kaiming form, whose gain is fixed at √2).</param>
/// <param name="Bias">Distribution of the biases.</param>
/// <param name="BiasStd">Standard deviation of <see cref="StarBiasInit.Normal"/>.</param>
public sealed record StarInit(
    StarWeightInit Weight = StarWeightInit.KaimingUniformOutputFan,
    double Gain = 1.0,
    StarBiasInit Bias = StarBiasInit.UniformZeroOne,
    double BiasStd = 0.0)
{
    /// <summary>STAR (spec §4.4): W ~ U(±√(6/out)), b ~ U(0, 1).</summary>
    public static readonly StarInit Star = new();

    /// <summary>Xavier-uniform weights with the given gain, zero biases (M3oE's bottom, spec §4.13).</summary>
    public static StarInit XavierZeroBias(double gain = 1.0) => new(StarWeightInit.XavierUniform, gain, StarBiasInit.Zeros);

    /// <summary>Xavier-uniform weights with the given gain, N(0, <paramref name="biasStd"/>) biases (AdaptDHM, spec §4.8).</summary>
    public static StarInit XavierNormalBias(double gain, double biasStd) => new(StarWeightInit.XavierUniform, gain, StarBiasInit.Normal, biasStd);

    internal double WeightBound(int fanIn, int fanOut) => Weight switch
    {
        StarWeightInit.KaimingUniformOutputFan => Math.Sqrt(6.0 / fanOut),
        StarWeightInit.XavierUniform => Gain * Math.Sqrt(6.0 / (fanIn + fanOut)),
        _ => throw new ArgumentOutOfRangeException(nameof(Weight), Weight, "unknown star weight initialisation"),
    };

    internal Tensor NewBias(int width) => Bias switch
    {
        StarBiasInit.UniformZeroOne => empty(width).uniform_(0, 1),
        StarBiasInit.Zeros => zeros(width),
        StarBiasInit.Normal => empty(width).normal_(0, BiasStd),
        _ => throw new ArgumentOutOfRangeException(nameof(Bias), Bias, "unknown star bias initialisation"),
    };
}

/// <summary>
/// Raw weight matrices (stored in × out, used as x·W) and biases of a star FCN, shared or one scenario's (or
/// one cluster's): STAR-like models combine a shared set and a specific set element-wise (W_shared ⊙ W_s).
/// </summary>
public sealed class StarWeights : nn.Module
{
    readonly ParameterList weights = new();
    readonly ParameterList biases = new();

    /// <param name="widths">Layer widths, input first: layer l maps widths[l−1] → widths[l].</param>
    /// <param name="name">Module name.</param>
    /// <param name="init">How weights and biases are drawn (default: STAR's reference, <see cref="StarInit.Star"/>).</param>
    public StarWeights(IReadOnlyList<int> widths, string name, StarInit? init = null) : base(name)
    {
        init ??= StarInit.Star;
        // Per layer, weight then bias: the order of random draws is part of the seeded initialisation.
        for (int l = 1; l < widths.Count; l++)
        {
            double bound = init.WeightBound(widths[l - 1], widths[l]);
            weights.Add(Parameter(empty(widths[l - 1], widths[l]).uniform_(-bound, bound)));
            biases.Add(Parameter(init.NewBias(widths[l])));
        }
        RegisterComponents();
    }

    public int Layers => weights.Count;
    public Parameter Weight(int layer) => weights[layer];
    public Parameter Bias(int layer) => biases[layer];
}
