using Msr.Core.Data;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Msr.Core.Tests.Data;

public sealed class BatchPlanTests
{
    [Theory]
    [InlineData(2, 2)]
    [InlineData(3, 2)]
    [InlineData(9, 4)]
    [InlineData(10, 3)]
    [InlineData(100, 33)]
    [InlineData(101, 10)]
    [InlineData(7, 7)]
    [InlineData(8, 7)]
    [InlineData(5, 100)]
    public void Merged_tail_never_leaves_a_single_row_and_covers_every_index_once(int rows, int batchSize)
    {
        using var scope = NewDisposeScope();
        var indices = arange(100L, 100L + rows, dtype: ScalarType.Int64);
        foreach (var shuffle in new[] { false, true })
        {
            using var g = shuffle ? new Generator(5) : null;
            var sizes = new List<long>();
            var seen = new List<long>();
            foreach (var slice in BatchPlan.Slices(indices, batchSize, g, mergeSingleRowTail: true))
            {
                sizes.Add(slice.shape[0]);
                seen.AddRange(slice.data<long>().ToArray());
            }
            Assert.DoesNotContain(1L, sizes);
            Assert.All(sizes, s => Assert.True(s <= batchSize + 1));
            Assert.Equal(Enumerable.Range(100, rows).Select(i => (long)i), seen.Order());
            Assert.Equal(BatchPlan.Count(rows, batchSize, mergeSingleRowTail: true), sizes.Count);
            if (!shuffle) Assert.Equal(Enumerable.Range(100, rows).Select(i => (long)i), seen);
        }
    }

    [Fact]
    public void Without_merging_the_tail_row_stays_alone()
    {
        using var scope = NewDisposeScope();
        var sizes = BatchPlan.Slices(arange(9L, dtype: ScalarType.Int64), 4).Select(s => s.shape[0]).ToList();
        Assert.Equal([4L, 4L, 1L], sizes);
        Assert.Equal(3, BatchPlan.Count(9, 4));
    }

    [Fact]
    public void Shuffle_changes_order_deterministically_per_generator_seed()
    {
        using var scope = NewDisposeScope();
        var indices = arange(50L, dtype: ScalarType.Int64);
        long[] Order(ulong seed)
        {
            using var g = new Generator(seed);
            return [.. BatchPlan.Slices(indices, 8, g).SelectMany(s => s.data<long>().ToArray())];
        }
        Assert.Equal(Order(1), Order(1));
        Assert.NotEqual(Order(1), Order(2));
        Assert.NotEqual(Enumerable.Range(0, 50).Select(i => (long)i), Order(1));
    }

    [Fact]
    public void Batch_size_below_one_is_rejected()
    {
        using var scope = NewDisposeScope();
        Assert.Throws<ArgumentOutOfRangeException>(() => BatchPlan.Slices(arange(5L), 0).ToList());
    }

    [Fact]
    public void Count_agrees_with_the_slices_for_every_small_shape()
    {
        using var scope = NewDisposeScope();
        for (int rows = 0; rows <= 30; rows++)
        {
            var indices = arange((long)rows, dtype: ScalarType.Int64);
            for (int batchSize = 1; batchSize <= 12; batchSize++)
                foreach (var merge in new[] { false, true })
                {
                    var sizes = BatchPlan.Slices(indices, batchSize, mergeSingleRowTail: merge).Select(t => t.shape[0]).ToList();
                    Assert.True(BatchPlan.Count(rows, batchSize, merge) == sizes.Count,
                        $"rows {rows}, batch {batchSize}, merge {merge}: Count {BatchPlan.Count(rows, batchSize, merge)}, slices [{string.Join(",", sizes)}]");
                    Assert.Equal(rows, sizes.Sum());
                }
        }
    }
}
