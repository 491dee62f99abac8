using Msr.Core.Data;
using Xunit;

namespace Msr.Core.Tests.Data;

public class PaperTable2Tests
{
    /// <summary>Statistics as a loader of the paper's data would compute them (only the compared fields matter).</summary>
    static DatasetStatistics Statistics(IReadOnlyList<PaperScenarioCounts> counts)
    {
        var scenarios = counts.Select((c, s) => new ScenarioStatistics(s, $"S{s}", c.Interactions, c.Users, c.Items, 0.5)).ToList();
        var sizes = counts.Select(c => c.Interactions).ToList();
        return new DatasetStatistics("movielens", "user_id", "movie_id", scenarios,
            new ScenarioStatistics(-1, "all", sizes.Sum(), 0, 0, 0.5),
            DatasetStatistics.CoefficientOfVariationOf(sizes), DatasetStatistics.CoefficientOfVariationOf(sizes, sample: false),
            new long[counts.Count, counts.Count], new long[counts.Count, counts.Count]);
    }

    [Theory]
    [InlineData("movielens", 3)]
    [InlineData("kuairand-raw", 5)]
    [InlineData("aliccp", 3)]
    [InlineData("amazon", 3)]
    [InlineData("douban", 3)]
    [InlineData("mind-raw", 4)]
    public void The_papers_own_counts_match_and_reproduce_table_7(string loader, int scenarios)
    {
        var paper = PaperTable2.For(loader)!;
        Assert.Equal(scenarios, paper.Scenarios.Count);
        var comparison = PaperTable2.Compare(Statistics(paper.Scenarios), paper);
        Assert.True(comparison.AllMatch, comparison.ToMarkdown());
        Assert.Contains("All counts match", comparison.ToMarkdown());
    }

    [Fact]
    public void One_item_more_or_a_missing_scenario_is_a_difference_that_the_table_shows()
    {
        var paper = PaperTable2.For("movielens")!;
        var counts = paper.Scenarios.ToList();
        counts[2] = counts[2] with { Items = counts[2].Items + 1 };
        var oneItem = PaperTable2.Compare(Statistics(counts), paper);
        Assert.False(oneItem.AllMatch);
        Assert.True(oneItem.CoefficientOfVariationMatches); // sizes unchanged
        Assert.Contains("+1 |", oneItem.ToMarkdown());
        Assert.Contains("differs from the paper", oneItem.ToMarkdown());

        var twoScenarios = PaperTable2.Compare(Statistics(paper.Scenarios.Take(2).ToList()), paper);
        Assert.False(twoScenarios.SameScenarioCount);
        Assert.False(twoScenarios.AllMatch);
        Assert.Contains("2 scenarios, the paper has 3", twoScenarios.ToMarkdown());
        Assert.Contains("missing", twoScenarios.ToMarkdown());
    }

    [Fact]
    public void Data_without_a_paper_row_has_none()
    {
        Assert.Null(PaperTable2.For("movielens-100k"));
        Assert.Null(PaperTable2.For("csv"));
        Assert.Same(PaperTable2.For("aliccp"), PaperTable2.For("ALICCP-RAW"));
    }
}
