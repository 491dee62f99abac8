using Xunit;

namespace Msr.Core.Tests.Experiments;

public sealed class MarkdownTableTests
{
    [Fact]
    public void Compact_tables_use_the_shortest_rules_and_the_given_alignment()
    {
        var md = MarkdownTable.Render(["", "S0"], [["S0", "1,515"]], [false, true]);
        Assert.Equal("| | S0 |\n|---|---:|\n| S0 | 1,515 |\n", md);
    }

    [Fact]
    public void Padded_tables_align_columns_and_right_align_numeric_ones()
    {
        var md = MarkdownTable.Render(["model", "AUC"], [["STAR", "0.7"], ["SharedBottom", "–"]], padded: true);
        Assert.Equal(
            "| model        | AUC |\n" +
            "| ------------ | --: |\n" +
            "| STAR         | 0.7 |\n" +
            "| SharedBottom |   – |\n", md);
    }

    [Fact]
    public void A_row_with_the_wrong_number_of_cells_is_an_error()
    {
        var e = Assert.Throws<ArgumentException>(() => MarkdownTable.Render(["a", "b"], [["1"]]));
        Assert.Contains("1 cells for 2 columns", e.Message);
    }
}
