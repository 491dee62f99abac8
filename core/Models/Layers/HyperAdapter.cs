using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Msr.Core.Models.Layers;

/// <summary>
/// HAMUR's low-rank hyper-adapter (spec §4.12) at a layer of width m: per row i, with the hyper-network's
/// (k × k) instance matrix H_i,
/// z = σ(h·U1·H_i·V1 + b1) (width r), u = z·U2·H_i·V2 + b2 (width m), and the output h + DomainNorm(u).
/// </summary>
/// <remarks>
/// <para>All four factors start at ones, the biases at zero and the norm at γ = 1, β = 0, as in the reference.
/// The per-row weight matrices W1_i = U1·H_i·V1 (m × r) and W2_i are never formed: by associativity
/// h·(U1·H_i·V1) = ((h·U1)·H_i)·V1, which costs one batched (1 × k)·(k × k) product per row instead of a
/// (B, m, r) tensor — the same numbers up to float rounding, no per-row loop.</para>
/// <para><b>Domain norm</b> [REF]: the mean and the <i>unbiased</i> variance over the rows of the current batch,
/// in training and in evaluation alike (no running statistics), so an evaluation prediction depends on
/// the other rows of its batch. A one-row batch has no unbiased variance (division by B − 1 = 0; the
/// reference yields NaN). Here it is defined instead: the row is its own mean, so u − μ = 0, and its
/// variance is taken as 0, which makes the normalised value 0 and the adapter's output h + β. This keeps a
/// single-row prediction finite and equal to what the adapter gives a row that sits exactly at its batch's
/// mean; the trainer never trains on one row (it merges a trailing one-row batch).</para>
/// <para>b2 reaches the loss only through the domain norm, which removes any constant shift, so its
/// gradient is zero up to rounding — as in the reference; it is kept for the parameter count.</para>
/// </remarks>
public sealed class HyperAdapter : Module<Tensor, Tensor, Tensor>
{
    const double NormEpsilon = 1e-5;

    readonly Parameter u1;     // (m, k)
    readonly Parameter v1;     // (k, r)
    readonly Parameter u2;     // (r, k)
    readonly Parameter v2;     // (k, m)
    readonly Parameter b1;     // (r)
    readonly Parameter b2;     // (m)
    readonly Parameter gamma;  // (m)
    readonly Parameter beta;   // (m)

    /// <param name="width">m, the width of the layer the adapter sits on.</param>
    /// <param name="rank">k, the side of the hyper-network's instance matrix.</param>
    /// <param name="hidden">r, the adapter's bottleneck width (32 in the reference).</param>
    public HyperAdapter(int width, int rank, int hidden, string name = "adapter") : base(name)
    {
        u1 = Parameter(ones(width, rank));
        v1 = Parameter(ones(rank, hidden));
        u2 = Parameter(ones(hidden, rank));
        v2 = Parameter(ones(rank, width));
        b1 = Parameter(zeros(hidden));
        b2 = Parameter(zeros(width));
        gamma = Parameter(ones(width));
        beta = Parameter(zeros(width));
        RegisterComponents();
    }

    /// <param name="h">(B, m) the layer's output.</param>
    /// <param name="hyper">(B, k, k) the instance matrices H_i.</param>
    /// <returns>(B, m): h plus the normalised adapter output.</returns>
    public override Tensor forward(Tensor h, Tensor hyper)
    {
        var down = sigmoid(ThroughInstance(h.matmul(u1), hyper).matmul(v1) + b1);   // (B, r)
        var up = ThroughInstance(down.matmul(u2), hyper).matmul(v2) + b2;            // (B, m)
        return h + gamma * DomainNorm(up) + beta;
    }

    /// <summary>Row i times its own H_i: (B, k) × (B, k, k) → (B, k).</summary>
    static Tensor ThroughInstance(Tensor rows, Tensor hyper) => rows.unsqueeze(1).bmm(hyper).squeeze(1);

    /// <summary>(u − μ) / √(v + ε) over the batch with the unbiased variance; 0 for a one-row batch (see remarks).</summary>
    static Tensor DomainNorm(Tensor u)
    {
        var centred = u - u.mean([0]);
        // The row count is shape metadata, not tensor data: no host synchronisation.
        if (u.shape[0] < 2) return centred;                                          // exactly 0: the row is its own mean
        return centred / sqrt(u.var(0, unbiased: true) + NormEpsilon);
    }
}
