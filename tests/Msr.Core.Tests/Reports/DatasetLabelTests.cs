using Msr.Core.Reports;
using Msr.Core.Results;
using Xunit;

namespace Msr.Core.Tests.Reports;

public sealed class DatasetLabelTests
{
    static RunRecord On(string dataset, string model, long seed, double auc, IReadOnlyDictionary<string, string> dataOptions, string? path = null)
    {
        var r = SyntheticRecords.Completed(dataset, model, seed, auc, 0.5);
        return r with { Config = r.Config with { DatasetOptions = dataOptions, DatasetPath = path } };
    }

    [Fact]
    public void Runs_on_differently_prepared_data_get_separate_tables()
    {
        var records = new List<RunRecord>();
        foreach (var scenarios in new[] { "2", "4" })
            for (int seed = 1; seed <= 2; seed++)
                records.Add(On("synthetic", "STAR", seed, 0.7 + seed * 0.01, new Dictionary<string, string> { ["rows"] = "100", ["scenarios"] = scenarios }));

        var report = ComparisonReports.Build(records);

        Assert.Equal(["synthetic (scenarios=2)", "synthetic (scenarios=4)"], report.Tables.Select(t => t.Dataset).Order());
        Assert.All(report.Tables, t => Assert.Equal(2, t.Rows.Single().Cells.First().N));
    }

    [Fact]
    public void A_single_preparation_keeps_the_plain_name_and_differing_folders_are_named()
    {
        var same = new Dictionary<string, string> { ["top_k"] = "5" };
        var one = new[] { On("kuairand", "MMoE", 1, 0.7, same), On("kuairand", "MMoE", 2, 0.71, same) };
        Assert.Equal("kuairand", RecordConversion.DatasetLabeler(one)(one[0]));

        var two = new[] { On("amazon", "MMoE", 1, 0.7, same, "/data/amazon-2014"), On("amazon", "MMoE", 1, 0.7, same, "/data/amazon-2018/") };
        var label = RecordConversion.DatasetLabeler(two);
        Assert.Equal("amazon (amazon-2014)", label(two[0]));
        Assert.Equal("amazon (amazon-2018)", label(two[1]));
    }
}
