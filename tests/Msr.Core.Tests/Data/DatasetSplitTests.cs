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

    // Expected: scikit-learn 1.2.1 (Debian python3-sklearn), train_test_split(np.arange(n), test_size=0.5, random_state=2022).
    [Theory]
    [InlineData(2, new[] { 1 }, new[] { 0 })]
    [InlineData(3, new[] { 1 }, new[] { 2, 0 })]
    [InlineData(10, new[] { 6, 9, 8, 1, 0 }, new[] { 4, 7, 3, 5, 2 })]
    public void Scikit_learn_train_test_split_is_reproduced_row_for_row(int n, int[] train, int[] test)
    {
        var split = DatasetSplit.ScikitLearnTrainTest(n, 0.5, 2022);
        Assert.Equal(train, split.Train);
        Assert.Equal(test, split.Test);
    }

    [Fact]
    public void Scikit_learn_split_of_a_large_table_matches_in_size_head_and_weighted_sums()
    {
        var (train, test) = DatasetSplit.ScikitLearnTrainTest(100_003, 0.5, 2022);
        Assert.Equal((50_001, 50_002), (train.Length, test.Length)); // test gets the ceiling
        Assert.Equal([72329, 48760, 72118, 40835, 13097], train[..5]);
        Assert.Equal([13274, 58842, 53422, 66637, 52666], test[..5]);
        // Σ (position + 1) · index: any displaced row changes it.
        Assert.Equal(62_471_572_930_017L, train.Select((v, i) => (long)v * (i + 1)).Sum());
        Assert.Equal(62_463_586_465_395L, test.Select((v, i) => (long)v * (i + 1)).Sum());
    }

    [Fact]
    public void Scikit_learn_split_rejects_what_scikit_learn_rejects()
    {
        Assert.Throws<ArgumentException>(() => DatasetSplit.ScikitLearnTrainTest(1, 0.5, 2022));
        Assert.Throws<ArgumentOutOfRangeException>(() => DatasetSplit.ScikitLearnTrainTest(10, 1.0, 2022));
        Assert.Throws<ArgumentException>(() => DatasetSplit.ScikitLearnTrainTest(2, 0.99, 2022)); // no training row left
    }

    // Expected: PyTorch 1.13 (Debian python3-torch), torch.manual_seed(seed); p = torch.randperm(n): the first six
    // entries and Σ (position + 1) · p. The reference benchmark splits exactly so (spec §2.1); 1,000,209 is ML-1M.
    [Theory]
    [InlineData(10L, new long[] { 1, 8, 7, 9, 5, 2 }, 219L)]
    [InlineData(100_003L, new long[] { 93738, 65537, 15541, 9779, 84122, 70272 }, 250_025_971_290_491L)]
    [InlineData(1_000_209L, new long[] { 186581, 553229, 993581, 755961, 879623, 324758 }, 250_030_767_429_036_504L)]
    public void Random_split_is_the_reference_permutation_of_pytorch(long n, long[] head, long weightedSum)
    {
        using var split = DatasetSplit.Random(n, 2022);
        long[] order = [.. Ids(split.Train), .. Ids(split.Validation), .. Ids(split.Test)];
        Assert.Equal(head, order[..6]);
        Assert.Equal(weightedSum, order.Select((v, i) => v * (i + 1)).Sum());
    }
}
