using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Msr.Core.Models.Layers;

/// <summary>
/// Mixture weights over <c>n</c> experts (spec §1.3 gate block): Linear → BatchNorm1d → Softmax.
/// The BatchNorm before the softmax is a reference peculiarity kept for parity; the paper's plain
/// softmax(Wx) is available with <c>batchNorm: false</c>.
/// </summary>
public sealed class GateBlock : Module<Tensor, Tensor>
{
    readonly Linear linear;
    readonly BatchNorm1d? bn;

    public GateBlock(int inputDim, int experts, bool batchNorm = true, string name = "gate") : base(name)
    {
        linear = Linear(inputDim, experts);
        bn = batchNorm ? BatchNorm1d(experts) : null;
        RegisterComponents();
    }

    /// <returns>(B, n) weights summing to 1 per row.</returns>
    public override Tensor forward(Tensor input)
    {
        var z = linear.forward(input);
        if (bn is not null) z = bn.forward(z);
        return functional.softmax(z, 1);
    }
}
