using Msr.Core.Data;
using Xunit;

namespace Msr.Core.Tests.Data;

public class DatasetStatisticsTests
{
    [Theory]
    [InlineData(0.3186, new long[] { 210_747, 395_556, 393_906 })] // MovieLens
    [InlineData(1.3552, new long[] { 2_407_352, 7_760_237, 895_385, 402_366, 183_403 })] // KuaiRand
    [InlineData(0.9180, new long[] { 32_236_951, 639_897, 52_439_671 })] // Ali-CCP
    [InlineData(0.2696, new long[] { 198_502, 278_677, 346_355 })] // Amazon
    [InlineData(1.1053, new long[] { 227_251, 179_847, 1_278_401 })] // Douban
    [InlineData(0.5611, new long[] { 26_057_579, 11_206_494, 10_237_589, 9_226_382 })] // MIND
    public void Sample_coefficient_of_variation_reproduces_the_papers_table7_from_table2_counts(double table7, long[] table2)
    {
        Assert.Equal(table7, DatasetStatistics.CoefficientOfVariationOf(table2), 4);
        Assert.NotEqual(table7, DatasetStatistics.CoefficientOfVariationOf(table2, sample: false), 2);
    }

    static ScenarioDataset Small()
    {
        // users 0..2, items 0..3; scenario 0: (u0,i0,1) (u1,i1,0) ; scenario 1: (u1,i0,1) (u2,i2,1) (u2,i3,0)
        var schema = new DatasetSchema([FeatureSpec.Sparse("user_id", 3), FeatureSpec.Sparse("item_id", 4)], ["a", "b,c"]);
        return ScenarioDataset.FromArrays("small", schema, [0, 0, 1, 1, 1, 0, 2, 2, 2, 3], [], [0, 0, 1, 1, 1], [1, 0, 1, 1, 0]);
    }

    [Fact]
    public void A_user_or_item_feature_that_is_not_sparse_is_named_with_the_sparse_features()
    {
        using var ds = Small();
        var e = Assert.Throws<ArgumentException>(() => DatasetStatistics.Compute(ds, userFeature: "nosuch"));
        Assert.Equal("user feature 'nosuch' is not a sparse feature of dataset 'small'; sparse features: user_id, item_id", e.Message);
        e = Assert.Throws<ArgumentException>(() => DatasetStatistics.Compute(ds, itemFeature: "movie"));
        Assert.StartsWith("item feature 'movie' is not a sparse feature", e.Message);
    }

    [Fact]
    public void Per_scenario_counts_users_items_positive_rate_and_intersections()
    {
        using var ds = Small();
        var s = DatasetStatistics.Compute(ds);
        Assert.Equal(("user_id", "item_id"), (s.UserFeature, s.ItemFeature));
        Assert.Equal(new ScenarioStatistics(0, "a", 2, 2, 2, 0.5), s.Scenarios[0]);
        Assert.Equal(2, s.Scenarios[1].Users);
        Assert.Equal(3, s.Scenarios[1].Items);
        Assert.Equal(2.0 / 3, s.Scenarios[1].PositiveRate, 12);
        Assert.Equal(new ScenarioStatistics(-1, "all", 5, 3, 4, 0.6), s.Overall);
        Assert.Equal(1, s.SharedUsers[0, 1]); // u1
        Assert.Equal(1, s.SharedItems[1, 0]); // i0
        Assert.Equal(2, s.SharedUsers[1, 1]);

        var md = DatasetStatistics.Render(ds);
        Assert.Contains("| S0 | a | 2 | 0.400 | 2 | 2 | 0.5000 |", md);
        Assert.Contains("Coefficient of variation of scenario sizes: 0.2828", md);
        var csv = DatasetStatistics.Render(ds, StatisticsFormat.Csv).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, csv.Length);
        Assert.StartsWith("small,1,\"b,c\",3,2,3,", csv[2]);
        Assert.Equal("dataset,scenario,name,interactions,users,items,positive_rate,share,shared_users_S0,shared_users_S1,shared_items_S0,shared_items_S1,cv,cv_population",
            csv[0].TrimEnd('\r'));
    }

    [Fact]
    public void Ml100K_statistics_when_present_match_linq_over_the_files()
    {
        var folder = TestData.SharedData("movielens-100k");
        if (folder is null) return; // real data absent
        using var ds = DatasetRegistry.Load("movielens-100k", folder);
        var s = DatasetStatistics.Compute(ds);

        var ages = File.ReadLines(Path.Combine(folder, "u.user")).Select(l => l.Split('|')).ToDictionary(f => f[0], f => int.Parse(f[1]));
        var rows = File.ReadLines(Path.Combine(folder, "u.data")).Select(l => l.Split('\t'))
            .Select(f => (User: f[0], Item: f[1], Pos: int.Parse(f[2]) > 3, S: ages[f[0]] < 25 ? 0 : ages[f[0]] < 35 ? 1 : 2)).ToList();
        for (int k = 0; k < 3; k++)
        {
            var part = rows.Where(r => r.S == k).ToList();
            Assert.Equal(part.Count, s.Scenarios[k].Interactions);
            Assert.Equal(part.Select(r => r.User).Distinct().Count(), s.Scenarios[k].Users);
            Assert.Equal(part.Select(r => r.Item).Distinct().Count(), s.Scenarios[k].Items);
            Assert.Equal((double)part.Count(r => r.Pos) / part.Count, s.Scenarios[k].PositiveRate, 9);
            for (int j = 0; j < 3; j++)
                Assert.Equal(part.Select(r => r.Item).Intersect(rows.Where(r => r.S == j).Select(r => r.Item)).Count(), s.SharedItems[k, j]);
        }
        Assert.Equal(0, s.SharedUsers[0, 1]); // a user has one age, hence one scenario
        var sizes = rows.GroupBy(r => r.S).OrderBy(g => g.Key).Select(g => (long)g.Count()).ToArray();
        Assert.Equal(DatasetStatistics.CoefficientOfVariationOf(sizes), s.CoefficientOfVariation, 12);
    }
}
