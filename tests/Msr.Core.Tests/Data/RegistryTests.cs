using Msr.Core.Data;
using Xunit;

namespace Msr.Core.Tests.Data;

public class RegistryTests
{
    [Fact]
    public void Every_dataset_is_registered_once_with_files_and_protocol_defaults()
    {
        var names = DatasetRegistry.All.Select(l => l.Name).ToList();
        Assert.Equal(names.Count, names.Distinct(StringComparer.OrdinalIgnoreCase).Count());
        foreach (var n in new[] { "movielens", "movielens-100k", "kuairand", "kuairand-raw", "aliccp", "aliccp-raw", "douban", "douban-raw", "mind", "mind-raw", "amazon", "csv" })
        {
            var loader = DatasetRegistry.Get(n);
            Assert.NotEmpty(loader.ExpectedFiles);
            Assert.False(string.IsNullOrWhiteSpace(loader.Description));
        }
        Assert.Equal((9048, 4, "kuairand"), (DatasetRegistry.Get("kuairand").Defaults.BatchSize, DatasetRegistry.Get("kuairand").Defaults.Patience,
            DatasetRegistry.Get("kuairand").Defaults.ModelPreset));
        Assert.Equal((102400, 5, 4, 0.95), (DatasetRegistry.Get("aliccp").Defaults.BatchSize, DatasetRegistry.Get("aliccp").Defaults.Patience,
            DatasetRegistry.Get("aliccp").Defaults.StepLrStepSize, DatasetRegistry.Get("aliccp").Defaults.StepLrGamma));
        Assert.Equal(("amazon", 5), (DatasetRegistry.Get("amazon").Defaults.ModelPreset, DatasetRegistry.Get("amazon").Defaults.Patience));
        Assert.Equal(("douban", 2, 0.85), (DatasetRegistry.Get("douban").Defaults.ModelPreset, DatasetRegistry.Get("douban").Defaults.StepLrStepSize,
            DatasetRegistry.Get("douban").Defaults.StepLrGamma));
    }

    [Theory]
    [InlineData("movielens")]
    [InlineData("movielens-100k")]
    [InlineData("kuairand")]
    [InlineData("kuairand-raw")]
    [InlineData("aliccp")]
    [InlineData("aliccp-raw")]
    [InlineData("douban")]
    [InlineData("douban-raw")]
    [InlineData("mind")]
    [InlineData("mind-raw")]
    [InlineData("amazon")]
    [InlineData("csv")]
    public void A_misspelt_option_is_reported_before_any_file_is_read(string name)
    {
        var e = Assert.Throws<ArgumentException>(() => DatasetRegistry.Load(name, "/nonexistent/msr-data", new Settings([new("min_frequency", "2")])));
        Assert.Contains("min_frequency", e.Message);
    }
}
