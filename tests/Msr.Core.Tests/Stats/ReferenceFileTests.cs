using Xunit;

namespace Msr.Core.Tests.Stats;

public class ReferenceFileTests
{
    [Fact]
    public void Reference_values_are_copied_and_record_their_scipy_version()
    {
        Assert.True(ScipyReference.Count >= 60, $"only {ScipyReference.Count} reference cases");
        Assert.Matches(@"^\d+\.\d+", ScipyReference.ScipyVersion);
        foreach (var kind in new[] { "t_student", "t_welch", "t_paired", "mannwhitney", "wilcoxon", "delong", "permutation",
                     "friedman", "studentized_range_quantile", "studentized_range_cdf", "padjust", "effect", "t_interval",
                     "bootstrap_mean", "bootstrap_diff", "noninferiority_welch", "noninferiority_mannwhitney" })
            Assert.NotEmpty(ScipyReference.Ids(kind));
    }
}
