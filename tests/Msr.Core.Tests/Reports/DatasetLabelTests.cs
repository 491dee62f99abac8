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

    [Fact]
    public void A_custom_file_is_labelled_by_its_name_and_a_name_shared_with_a_loader_is_never_pooled()
    {
        var clicks = new Dictionary<string, string> { ["name"] = "clicks", ["label"] = "y" };
        var views = new Dictionary<string, string> { ["name"] = "views", ["label"] = "y" };
        var records = new[] { On("csv", "STAR", 1, 0.7, clicks, "/d/clicks.csv"), On("csv", "STAR", 1, 0.6, views, "/d/views.csv") };
        var label = RecordConversion.DatasetLabeler(records);
        Assert.Equal("clicks", label(records[0])); // not "csv (clicks.csv, name=clicks)"
        Assert.Equal("views", label(records[1]));

        var impostor = new Dictionary<string, string> { ["name"] = "movielens" };
        var mixed = new[] { On("movielens", "STAR", 1, 0.8, new Dictionary<string, string>()), On("csv", "STAR", 1, 0.5, impostor, "/d/ml.csv") };
        var mixedLabel = RecordConversion.DatasetLabeler(mixed);
        Assert.Equal("movielens", mixedLabel(mixed[0]));
        Assert.Equal("movielens [csv]", mixedLabel(mixed[1]));
        Assert.Equal(2, ComparisonReports.Build(mixed).Tables.Count);
    }
}
