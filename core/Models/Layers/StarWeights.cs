using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Msr.Core.Models.Layers;

/// <summary>
/// Raw weight matrices (stored in × out, used as x·W) and biases of a star FCN, shared or one scenario's (or
/// one cluster's): STAR-like models combine a shared set and a specific set element-wise (W_shared ⊙ W_s).
/// </summary>
public sealed class StarWeights : nn.Module
{
    readonly ParameterList weights = new();
    readonly ParameterList biases = new();

    public StarWeights(IReadOnlyList<int> widths, string name) : base(name)
    {
        for (int l = 1; l < widths.Count; l++)
        {
            // Kaiming-uniform on the (in × out) matrix as stored: the bound uses the output width.
            double bound = Math.Sqrt(6.0 / widths[l]);
            weights.Add(Parameter(empty(widths[l - 1], widths[l]).uniform_(-bound, bound)));
            biases.Add(Parameter(empty(widths[l]).uniform_(0, 1)));
        }
        RegisterComponents();
    }

    public int Layers => weights.Count;
    public Parameter Weight(int layer) => weights[layer];
    public Parameter Bias(int layer) => biases[layer];
}
