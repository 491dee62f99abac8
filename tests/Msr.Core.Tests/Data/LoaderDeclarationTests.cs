using Msr.Core.Data;
using Msr.Core.Features;
using Xunit;

namespace Msr.Core.Tests.Data;

/// <summary>
/// Loaders declare their options and files so a plan can be checked before anything loads; these tests keep the
/// declarations and what the loaders actually read in step.
/// </summary>
public class LoaderDeclarationTests
{
    public static TheoryData<string> Loaders => [.. DatasetRegistry.All.Select(l => l.Name)];

    /// <summary>A valid value of each declared option (its default where that is a value).</summary>
    static string Sample(DatasetOption o) => o.Kind switch
    {
        DatasetOptionKind.Integer => o.Name == "rows" ? "60" : o.DefaultText,
        DatasetOptionKind.Number => "0.1",
        DatasetOptionKind.Boolean => "true",
        DatasetOptionKind.Choice => o.Choices![0],
        DatasetOptionKind.Names => "a,b",
        _ => "a",
    };

    [Theory]
    [MemberData(nameof(Loaders))]
    public void Every_loader_reads_exactly_the_options_it_declares(string name)
    {
        var loader = DatasetRegistry.Get(name);
        Assert.All(loader.Options, o => Assert.False(string.IsNullOrWhiteSpace(o.Description), $"{name}: {o.Name} is described"));
        Assert.Equal(loader.Options.Count, loader.Options.Select(o => o.Name).Distinct().Count());
        foreach (var o in loader.Options) Assert.Null(o.Problem(Sample(o)));

        // With every option given, a load reads all of them before it opens a file (the path does not exist).
        var given = new Settings(loader.Options.Select(o => KeyValuePair.Create(o.Name, Sample(o))));
        try { loader.Load(new DatasetRequest("/nonexistent/msr-data/x.csv", given)); }
        catch (Exception e) when (e is ArgumentException or DataFormatException) { }
        Assert.Equal(loader.Options.Select(o => o.Name).Order(StringComparer.Ordinal), given.Resolved.Keys.Order(StringComparer.Ordinal));

        // With none given, whatever it reads for its defaults is declared too (generated data would generate: skipped).
        if (loader.ExpectedFiles.Count == 0) return;
        var none = Settings.Empty;
        try { loader.Load(new DatasetRequest("/nonexistent/msr-data", none)); }
        catch (Exception e) when (e is ArgumentException or DataFormatException) { }
        Assert.All(none.Resolved.Keys, k => Assert.Contains(k, loader.Options.Select(o => o.Name)));
    }

    [Theory]
    [MemberData(nameof(Loaders))]
    public void The_file_check_passes_on_a_loadable_folder_and_names_the_missing_files_of_an_empty_one(string name)
    {
        var loader = DatasetRegistry.Get(name);
        using (var dir = new TempDir())
        {
            var (path, options) = Fixtures.Write(name, dir);
            var request = new DatasetRequest(path, new Settings(options));
            Assert.Empty(loader.MissingFiles(request));
            Assert.True(loader.Load(request).Count > 0);
        }
        if (loader.ExpectedFiles.Count == 0) return; // generated data
        using var empty = new TempDir();
        var csvPath = Path.Combine(empty.Path, "missing.csv");
        var missing = loader.MissingFiles(new DatasetRequest(name == "csv" ? csvPath : empty.Path, Settings.Empty));
        Assert.NotEmpty(missing);
        Assert.All(missing, m => Assert.Contains($"dataset '{name}'", m));
        Assert.Contains(name == "csv" ? "missing.csv" : loader.ExpectedFiles[0], missing[0]);
    }

    [Fact]
    public void A_missing_file_message_names_the_file_the_folder_and_what_the_loader_expects()
    {
        using var dir = new TempDir();
        dir.Write("u.data", "1\t1\t5\t881250949\n");
        var missing = DatasetRegistry.Get("movielens-100k").MissingFiles(new DatasetRequest(dir.Path, Settings.Empty));
        Assert.Equal(
        [
            $"dataset 'movielens-100k': file 'u.user' not found in '{dir.Path}'; the loader expects u.data, u.user, u.item",
            $"dataset 'movielens-100k': file 'u.item' not found in '{dir.Path}'; the loader expects u.data, u.user, u.item",
        ], missing);
        Assert.Equal(["dataset 'kuairand': folder '/nonexistent/k' not found; it should hold kuairand.csv"],
            DatasetRegistry.Get("kuairand").MissingFiles(new DatasetRequest("/nonexistent/k", Settings.Empty)));
    }

    [Fact]
    public void Option_problems_are_listed_together_with_the_valid_names()
    {
        var problems = DatasetOptionCheck.Problems(DatasetRegistry.Get("kuairand"),
            [KeyValuePair.Create("top_k", "0"), KeyValuePair.Create("topk", "3"), KeyValuePair.Create("encoder", "leaky")]);
        Assert.Equal(
        [
            "option 'top_k': 0 must be between 1 and 2147483647",
            "unknown option 'topk' for dataset 'kuairand'; its options: encoder, min_freq, split_seed, embedding_dim, top_k, tabs",
            "option 'encoder': 'leaky' is not one of transductive, train-only, reference, leak-free",
        ], problems);
        Assert.Equal(["dataset 'csv' needs option 'label' (the 0/1 click column, or a numeric one with label_threshold)",
                      "dataset 'csv' needs option 'scenario' (the scenario column or rule: col, col:top=5, col:values=a,b, col:only=a,b, col:groups=a/b,c)"],
            DatasetOptionCheck.Problems(DatasetRegistry.Get("csv"), [KeyValuePair.Create("sparse", "a")]));
    }
}
