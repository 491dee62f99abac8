using Msr.Core.Common;
using Xunit;

namespace Msr.Core.Tests.Common;

/// <summary>
/// Expected values were printed by NumPy 1.24.2 (Debian python3-numpy): <c>RandomState(seed)._bit_generator.random_raw()</c>
/// and <c>RandomState(seed).permutation(n)</c>.
/// </summary>
public class NumpyRandomStateTests
{
    [Fact]
    public void Raw_stream_matches_numpy_including_after_the_state_is_regenerated()
    {
        var rng = new NumpyRandomState(2022);
        var first = Enumerable.Range(0, 1300).Select(_ => rng.NextUInt32()).ToArray();
        Assert.Equal([40194941u, 3790341340u, 2143436973u], first[..3]);
        Assert.Equal([2621343061u, 3045883433u, 3521875626u], first[624..627]); // second block of 624
        Assert.Equal(3963168386u, first[1299]);
    }

    [Theory]
    [InlineData(2022L, new[] { 4, 7, 3, 5, 2, 6, 9, 8, 1, 0 })]
    [InlineData(0L, new[] { 2, 8, 4, 9, 1, 6, 7, 3, 0, 5 })]
    public void Permutation_matches_numpy(long seed, int[] expected) =>
        Assert.Equal(expected, new NumpyRandomState(seed).Permutation(expected.Length));

    [Fact]
    public void Largest_seed_is_accepted_and_out_of_range_seeds_are_refused()
    {
        Assert.Equal([1, 7, 6, 0, 5, 4, 2, 3], new NumpyRandomState(uint.MaxValue).Permutation(8));
        Assert.Throws<ArgumentOutOfRangeException>(() => new NumpyRandomState(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new NumpyRandomState(1L << 32));
    }

    [Fact]
    public void Permutation_of_zero_and_one_elements()
    {
        Assert.Empty(new NumpyRandomState(1).Permutation(0));
        Assert.Equal([0], new NumpyRandomState(1).Permutation(1));
    }
}
