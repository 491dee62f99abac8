using Msr.Core.Reports;
using Xunit;

namespace Msr.Core.Tests.Reports;

public sealed class PaperTable4Tests
{
    [Theory]
    [InlineData("SharedBottom", "movielens", 8.68, 5.49)]
    [InlineData("ADL", "aliccp", 3194.35, 28.69)]
    [InlineData("M2M", "amazon", 13.59, 11.71)]
    [InlineData("PPNet", "mind", 525.83, 4.42)]
    [InlineData("sar-net", "KuaiRand", 330.12, 6.76)]
    public void Gives_the_papers_V100_figures(string model, string dataset, double train, double infer)
    {
        var figures = PaperTable4.Get(model, dataset);
        Assert.NotNull(figures);
        Assert.Equal(train, figures.TrainSecondsPerEpoch);
        Assert.Equal(infer, figures.InferMillisecondsPerBatch);
    }

    [Theory]
    [InlineData("HAMUR", "douban")]      // missing from every copy of the table
    [InlineData("M3oE", "kuairand")]
    [InlineData("BaseDNN", "movielens")] // not a model of the paper
    [InlineData("SharedBottom", "synthetic")]
    [InlineData("SharedBottom", "movielens-100k")]
    public void Has_no_figure_where_the_paper_has_none(string model, string dataset) =>
        Assert.Null(PaperTable4.Get(model, dataset));
}
