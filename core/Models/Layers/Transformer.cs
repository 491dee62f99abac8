using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Msr.Core.Models.Layers;

/// <summary>
/// An encoder–decoder transformer with PyTorch <c>nn.Transformer</c> semantics, applied with the same
/// tokens as source and target (M2M, spec §4.6): post-norm layers (LayerNorm after each residual), ReLU
/// feed-forward, dropout, a final LayerNorm after the encoder stack and after the decoder stack, no masks.
/// </summary>
/// <remarks>
/// This is libtorch's own <c>torch::nn::Transformer</c> (through TorchSharp), not a re-composition, so the
/// arithmetic is the library's: its constructor already initialises every parameter with two or more
/// dimensions Xavier-uniform, zeroes the attention in-projection and out-projection biases and leaves the
/// feed-forward biases at the Linear default — exactly the reference initialisation. The test
/// <c>M2MTests.Transformer_matches_a_hand_computation</c> checks the forward pass against the formulas on a
/// tiny case, and <c>M2MTests.Transformer_initialisation_is_the_reference_one</c> the initialisation.
/// Weight names below this layer follow PyTorch's (<c>transformer.encoder.layers.0.self_attn.in_proj_weight</c>, …).
/// </remarks>
public sealed class TokenTransformer : Module<Tensor, Tensor>
{
    readonly TorchSharp.Modules.Transformer transformer;

    /// <summary>Token width (d_model).</summary>
    public int ModelDim { get; }

    /// <exception cref="ArgumentException">d_model is not divisible by the number of heads (the message says which).</exception>
    public TokenTransformer(int modelDim, int heads, int encoderLayers, int decoderLayers, int feedForward, double dropout,
        string name = "transformer") : base(name)
    {
        if (heads < 1 || modelDim % heads != 0)
            throw new ArgumentException($"transformer: d_model = {modelDim} must be divisible by the number of heads ({heads})");
        ModelDim = modelDim;
        transformer = Transformer(modelDim, heads, encoderLayers, decoderLayers, feedForward, dropout, Activations.ReLU);
        RegisterComponents();
    }

    /// <param name="tokens">(L, N, E) sequence-first: N independent sequences of L tokens of width E = d_model.</param>
    /// <returns>(L, N, E): the decoder output for target = source = <paramref name="tokens"/>.</returns>
    public override Tensor forward(Tensor tokens) => transformer.call(tokens, tokens);
}
