using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Msr.Core.Models.Layers;

/// <summary>
/// The initial weights of the papers written in TensorFlow (SFPNet, SACN) where they give none: TensorFlow's defaults,
/// Xavier-uniform weights and zero biases, embedding tables included. A 3-D parameter is a stack of matrices (one per
/// field), each initialised as a matrix of its own; normalisation layers keep γ = 1 and β = 0.
/// </summary>
public static class TensorFlowInitialisation
{
    /// <summary>Re-initialises every parameter of <paramref name="module"/> whose name does not contain <paramref name="normMarker"/>.</summary>
    public static void XavierUniformAndZeroBiases(Module module, string normMarker = ".norm.")
    {
        using var _ = no_grad();
        foreach (var (name, p) in module.named_parameters())
        {
            if (name.Contains(normMarker, StringComparison.Ordinal)) continue;
            if (name.EndsWith("bias", StringComparison.Ordinal)) p.zero_();
            else if (p.dim() == 3) { for (long i = 0; i < p.shape[0]; i++) init.xavier_uniform_(p[i]); }
            else init.xavier_uniform_(p);
        }
    }
}
