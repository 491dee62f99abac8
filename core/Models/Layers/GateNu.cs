using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Msr.Core.Models.Layers;

/// <summary>
/// PEPNet's gate neural unit (spec §1.3, GateNU): Linear(in→hidden) → ReLU → Linear(hidden→out) → Sigmoid → ×γ.
/// With γ = 2 its output lies in (0, 2) and 1 is the neutral value, so a gate can amplify as well as damp
/// what it multiplies; EPNet gates the embeddings with it and PPNet each hidden layer of its towers.
/// </summary>
public sealed class GateNu : Module<Tensor, Tensor>
{
    /// <summary>The scale the reference (and the PEPNet paper) use.</summary>
    public const double DefaultGamma = 2.0;

    readonly Linear hidden;
    readonly Linear output;
    readonly double _gamma;

    /// <param name="hiddenDim">Width of the hidden layer; null gives <paramref name="outputDim"/>, as the reference.</param>
    public GateNu(int inputDim, int outputDim, int? hiddenDim = null, double gamma = DefaultGamma, string name = "gate_nu") : base(name)
    {
        if (inputDim < 1 || outputDim < 1) throw new ArgumentOutOfRangeException(nameof(inputDim), $"GateNU widths must be >= 1 (in {inputDim}, out {outputDim})");
        int width = hiddenDim ?? outputDim;
        hidden = Linear(inputDim, width);
        output = Linear(width, outputDim);
        _gamma = gamma;
        RegisterComponents();
    }

    /// <returns>(B, out) gate values in (0, γ).</returns>
    public override Tensor forward(Tensor input) =>
        sigmoid(output.forward(functional.relu(hidden.forward(input)))) * _gamma;
}
