using Msr.Core.Data;
using Xunit;

namespace Msr.Core.Tests.Data;

public sealed class DatasetSplitTests
{
    static long[] Ids(TorchSharp.torch.Tensor t) => t.data<long>().ToArray();

    [Theory]
    [InlineData(10)]
    [InlineData(1001)]
    [InlineData(9999)]
    [InlineData(3)]
    public void Sizes_are_80_10_rest_and_parts_partition_the_rows(long n)
    {
        using var split = DatasetSplit.Random(n, seed: 2022);
        long train = (long)Math.Floor(0.8 * n), val = (long)Math.Floor(0.1 * n);
        Assert.Equal(train, split.Train.shape[0]);
        Assert.Equal(val, split.Validation.shape[0]);
        Assert.Equal(n - train - val, split.Test.shape[0]);
        var all = Ids(split.Train).Concat(Ids(split.Validation)).Concat(Ids(split.Test)).ToArray();
        Assert.Equal(n, all.Length);
        Assert.Equal(Enumerable.Range(0, (int)n).Select(i => (long)i), all.Order());
    }

    [Fact]
    public void Same_seed_same_split_other_seed_other_split()
    {
        using var a = DatasetSplit.Random(5000, 7);
        using var b = DatasetSplit.Random(5000, 7);
        using var c = DatasetSplit.Random(5000, 8);
        Assert.Equal(Ids(a.Train), Ids(b.Train));
        Assert.Equal(Ids(a.Validation), Ids(b.Validation));
        Assert.Equal(Ids(a.Test), Ids(b.Test));
        Assert.NotEqual(Ids(a.Test), Ids(c.Test));
        Assert.NotEqual(Ids(a.Train).Order(), Ids(c.Train).Order());
    }

    [Fact]
    public void Split_is_shuffled_not_contiguous()
    {
        using var s = DatasetSplit.Random(1000, 1);
        Assert.NotEqual(Enumerable.Range(0, 800).Select(i => (long)i), Ids(s.Train).Order());
    }

    [Fact]
    public void Too_few_rows_or_bad_fractions_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => DatasetSplit.Random(2, 1));
        Assert.Throws<ArgumentException>(() => DatasetSplit.Random(100, 1, 0.9, 0.1));
        Assert.Throws<ArgumentException>(() => DatasetSplit.Random(100, 1, 0.8, 0));
    }
}
