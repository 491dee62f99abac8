using TorchSharp;
using static TorchSharp.torch;

namespace Msr.Core.Data;

/// <summary>Cuts a vector of row indices into mini-batches of row indices.</summary>
public static class BatchPlan
{
    /// <summary>
    /// Yields index slices of at most <paramref name="batchSize"/> rows (views of <paramref name="indices"/>
    /// or of its shuffled copy). With <paramref name="mergeSingleRowTail"/>, a trailing batch of one row
    /// joins the previous batch: BatchNorm cannot train on a single row, and the reference would crash there.
    /// Each yielded slice is a new tensor handle owned by the caller, who disposes it (it is created when the
    /// enumerator advances, so a dispose scope opened inside the caller's loop body does not see it).
    /// </summary>
    public static IEnumerable<Tensor> Slices(Tensor indices, int batchSize, Generator? shuffle = null, bool mergeSingleRowTail = false)
    {
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "batch size must be >= 1");
        long n = indices.shape[0];
        // The shuffled order outlives the caller's per-step dispose scopes, so it is detached and freed here.
        Tensor order = indices;
        if (shuffle is not null)
        {
            using var scope = NewDisposeScope();
            // The generator lives on the CPU; the permutation follows the indices to their device.
            order = indices.index_select(0, randperm(n, generator: shuffle).to(indices.device)).DetachFromDisposeScope();
        }
        try
        {
            long start = 0;
            while (start < n)
            {
                long len = Math.Min(batchSize, n - start);
                if (mergeSingleRowTail && n - start - len == 1 && start + len < n) len += 1;
                yield return order.narrow(0, start, len);
                start += len;
            }
        }
        finally
        {
            if (!ReferenceEquals(order, indices)) order.Dispose();
        }
    }

    public static int Count(long rows, int batchSize, bool mergeSingleRowTail = false)
    {
        long batches = (rows + batchSize - 1) / batchSize;
        // Slices merges a trailing single row; with batches of one row that is every row count above one.
        if (mergeSingleRowTail && batches > 1 && (rows % batchSize == 1 || batchSize == 1)) batches--;
        return (int)batches;
    }
}
