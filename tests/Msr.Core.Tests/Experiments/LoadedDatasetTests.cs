using Msr.Core.Data.MovieLens;
using Msr.Core.Experiments;
using Msr.Core.Tests.Data;
using Xunit;

namespace Msr.Core.Tests.Experiments;

public sealed class LoadedDatasetTests
{
    [Fact]
    public void A_warm_load_comes_from_the_cache_with_the_same_data_and_resolved_options()
    {
        using var dir = new TempDir();
        var files = Path.Combine(dir.Path, "ml");
        MovieLensFileWriter.Write(files, 800, 5, 60, 40);
        var cache = Path.Combine(dir.Path, "cache");
        var given = new Dictionary<string, string> { ["min_freq"] = "1" };

        using var cold = LoadedDataset.Load("movielens", files, given, cache);
        using var warm = LoadedDataset.Load("movielens", files, given, cache);
        using var uncached = LoadedDataset.Load("movielens", files, given, cacheDirectory: null);

        Assert.False(cold.FromCache);
        Assert.True(warm.FromCache);
        Assert.False(uncached.FromCache);
        Assert.Equal(cold.ResolvedOptions.OrderBy(kv => kv.Key), warm.ResolvedOptions.OrderBy(kv => kv.Key));
        Assert.Contains("encoder", cold.ResolvedOptions.Keys); // defaults are resolved, not only what was given
        Assert.Equal(cold.Data.Label.data<float>().ToArray(), warm.Data.Label.data<float>().ToArray());
        Assert.Equal(cold.Data.SparseIds().data<long>().ToArray(), warm.Data.SparseIds().data<long>().ToArray());
    }
}
