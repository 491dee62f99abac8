using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Msr.Core.Models.Layers;

/// <summary>
/// The reference MLP block (spec §1.3): for each width h, Linear → BatchNorm1d → ReLU → Dropout;
/// with <paramref name="outputLayer"/>, a final Linear(→1) producing a logit.
/// </summary>
public sealed class MlpBlock : Module<Tensor, Tensor>
{
    readonly Sequential layers;

    public int OutputDim { get; }

    public MlpBlock(int inputDim, IReadOnlyList<int> dims, bool outputLayer, double dropout = 0.0, string name = "mlp") : base(name)
    {
        if (inputDim < 1) throw new ArgumentOutOfRangeException(nameof(inputDim), inputDim, "MLP input width must be >= 1");
        layers = Sequential();
        int width = inputDim;
        for (int i = 0; i < dims.Count; i++)
        {
            layers.append($"linear{i}", Linear(width, dims[i]));
            layers.append($"bn{i}", BatchNorm1d(dims[i]));
            layers.append($"relu{i}", ReLU());
            if (dropout > 0) layers.append($"dropout{i}", Dropout(dropout));
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

    public override Tensor forward(Tensor input) => layers.forward(input);
}
