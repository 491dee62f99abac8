using Msr.Core.Data;
using Xunit;

namespace Msr.Core.Tests.Data;

/// <summary>
/// The benchmark paper's Table 2 for MovieLens-1M, checked on the real files when they are available:
/// ../shared/data/movielens-1m (or ml-1m), or the folder named by $MSR_ML1M, holding the three .dat files or the
/// benchmark's merged ml-1m.csv. Returns early otherwise
/// (a fresh clone has no data).
/// </summary>
public sealed class MovieLens1MTable2Tests
{
    static string? Folder() =>
        new[] { Environment.GetEnvironmentVariable("MSR_ML1M"), TestData.SharedData("movielens-1m"), TestData.SharedData("ml-1m") }
            .FirstOrDefault(p => p is not null && (File.Exists(Path.Combine(p, "ratings.dat")) || File.Exists(Path.Combine(p, "ml-1m.csv"))));

    [Fact]
    public void Real_movielens_1m_reproduces_the_papers_table_2_and_the_reference_vocabularies()
    {
        var folder = Folder();
        if (folder is null) return;
        using var data = DatasetRegistry.Load("movielens", folder);
        var stats = DatasetStatistics.Compute(data);

        // P-BENCH Table 2 (spec §3.1): interactions, users, items per age scenario, and Table 7's CV; the same check as
        // `msr datasets stats movielens <path> --paper`.
        var comparison = PaperTable2.Compare(stats, PaperTable2.For("movielens")!);
        Assert.True(comparison.AllMatch, comparison.ToMarkdown());
        Assert.Equal(1_000_209, data.Count);
        // Spec §3.1: vocabularies 6,040 / 3,706 / 2 / 21 / 3,439 / 18 (211,616 embedding parameters at d = 16).
        Assert.Equal([6_040, 3_706, 2, 21, 3_439, 18], data.Schema.SparseFeatures.Select(f => f.Vocabulary));
    }
}
