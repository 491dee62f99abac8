using Msr.Core.Data;
using Xunit;

namespace Msr.Core.Tests.Data;

public class DatasetCacheTests
{
    sealed class CountingLoader(IDatasetLoader inner, bool fail = false) : IDatasetLoader
    {
        public int Loads { get; private set; }
        public string Name => inner.Name;
        public string Description => inner.Description;
        public IReadOnlyList<string> ExpectedFiles => inner.ExpectedFiles;
        public ProtocolDefaults Defaults => inner.Defaults;
        public IReadOnlyList<DatasetOption> Options => inner.Options;
        public IReadOnlyList<string> MissingFiles(DatasetRequest request) => inner.MissingFiles(request);

        public ScenarioDataset Load(DatasetRequest request)
        {
            Loads++;
            if (fail) throw new InvalidOperationException("loader failed");
            return inner.Load(request);
        }
    }

    static void WriteMl(TempDir dir, string extraRating = "")
    {
        dir.Write("data/users.dat", "1::F::1::10::48067\n2::M::25::16::70072\n3::M::35::15::55117\n");
        dir.Write("data/movies.dat", "1::A (1995)::Comedy\n2::B (1995)::Drama\n3::C (1990)::Comedy\n");
        dir.Write("data/ratings.dat", "1::1::5::300\n1::2::3::100\n1::3::4::200\n2::1::4::50\n3::2::2::10\n" + extraRating);
    }

    static void AssertSame(ScenarioDataset a, ScenarioDataset b)
    {
        Assert.Equal(a.Name, b.Name);
        Assert.Equal(a.Schema.Features, b.Schema.Features);
        Assert.Equal(a.Schema.ScenarioNames, b.Schema.ScenarioNames);
        Assert.Equal(a.Schema.UserFeature, b.Schema.UserFeature);
        Assert.Equal(a.SparseIds().data<long>().ToArray(), b.SparseIds().data<long>().ToArray());
        Assert.Equal(a.Dense.shape, b.Dense.shape);
        if (a.Dense.numel() > 0) Assert.Equal(a.Dense.data<float>().ToArray(), b.Dense.data<float>().ToArray());
        Assert.Equal(a.Scenario.data<long>().ToArray(), b.Scenario.data<long>().ToArray());
        Assert.Equal(a.Label.data<float>().ToArray(), b.Label.data<float>().ToArray());
        Assert.Equal(a.Sequences.Keys, b.Sequences.Keys);
        foreach (var k in a.Sequences.Keys) Assert.Equal(a.Sequences[k].data<long>().ToArray(), b.Sequences[k].data<long>().ToArray());
        Assert.Equal(a.PredefinedSplit is null, b.PredefinedSplit is null);
        if (a.PredefinedSplit is { } s)
            Assert.Equal(s.Test.data<long>().ToArray(), b.PredefinedSplit!.Test.data<long>().ToArray());
    }

    [Fact]
    public void Second_load_is_a_hit_with_identical_content_and_changes_miss()
    {
        using var dir = new TempDir();
        WriteMl(dir);
        var cache = Path.Combine(dir.Path, "cache");
        var loader = new CountingLoader(DatasetRegistry.Get("movielens"));
        Settings Opts() => new([new("history", "2"), new("encoder", "train-only")]);
        var data = Path.Combine(dir.Path, "data");

        using var first = DatasetCache.Load(loader, new DatasetRequest(data, Opts()), cache);
        using var second = DatasetCache.Load(loader, new DatasetRequest(data, Opts()), cache);
        Assert.Equal(1, loader.Loads);
        AssertSame(first, second);
        Assert.Equal("user_id", second.Schema.UserFeature); // the cached entry keeps the declared user column (GAUC)
        Assert.Single(Directory.GetFiles(cache));

        using (DatasetCache.Load(loader, new DatasetRequest(data, new Settings([new("history", "3")])), cache)) { }
        Assert.Equal(2, loader.Loads); // other options → other entry

        WriteMl(dir, "2::3::5::400\n");
        using var changed = DatasetCache.Load(loader, new DatasetRequest(data, Opts()), cache);
        Assert.Equal(3, loader.Loads); // the input changed → miss
        Assert.Equal(6, changed.Count);
    }

    [Fact]
    public void A_file_given_as_cache_folder_is_named_before_anything_is_loaded()
    {
        using var dir = new TempDir();
        WriteMl(dir);
        var notAFolder = dir.Write("cache.txt", "x");
        var loader = new CountingLoader(DatasetRegistry.Get("movielens"));
        var e = Assert.Throws<IOException>(() => DatasetCache.Load(loader, new DatasetRequest(Path.Combine(dir.Path, "data"), Settings.Empty), notAFolder));
        Assert.Equal($"cache folder '{notAFolder}' is a file; give a folder for the processed-dataset cache, or disable the cache", e.Message);
        Assert.Equal(0, loader.Loads);
    }

    [Fact]
    public void A_loader_from_another_build_gets_another_key()
    {
        using var dir = new TempDir();
        WriteMl(dir);
        var request = new DatasetRequest(Path.Combine(dir.Path, "data"), new Settings([]));
        var core = DatasetRegistry.Get("movielens");
        // Same name, options and files; the wrapper's code lives in this test assembly, a different build.
        Assert.Equal(DatasetCache.Key(core, request), DatasetCache.Key(core, request));
        Assert.NotEqual(DatasetCache.Key(core, request), DatasetCache.Key(new CountingLoader(core), request));
    }

    [Fact]
    public void Options_spelt_differently_share_one_entry_and_other_values_do_not()
    {
        using var dir = new TempDir();
        WriteMl(dir);
        var data = Path.Combine(dir.Path, "data");
        var loader = DatasetRegistry.Get("movielens");
        string Key(params (string Key, string Value)[] options) =>
            DatasetCache.Key(loader, new DatasetRequest(data, new Settings(options.Select(o => KeyValuePair.Create(o.Key, o.Value)))));
        var plain = Key(("history", "3"), ("history_attributes", "cate_id"));
        Assert.Equal(plain, Key(("History", " 03"), ("history-attributes", "[cate_id]")));
        Assert.NotEqual(plain, Key(("history", "4"), ("history_attributes", "cate_id")));
        Assert.Equal(Key(("history_clicks_only", "yes")), Key(("history_clicks_only", "true")));
        // A value the option refuses keeps its own spelling (its load fails with the option's message).
        Assert.NotEqual(Key(("history", "x")), Key(("history", "X")));
    }

    [Fact]
    public void Failed_load_leaves_no_entry_and_a_truncated_entry_is_reloaded()
    {
        using var dir = new TempDir();
        WriteMl(dir);
        var cache = Path.Combine(dir.Path, "cache");
        var data = Path.Combine(dir.Path, "data");
        var failing = new CountingLoader(DatasetRegistry.Get("movielens"), fail: true);
        Assert.Throws<InvalidOperationException>(() => DatasetCache.Load(failing, new DatasetRequest(data, Settings.Empty), cache));
        Assert.False(Directory.Exists(cache) && Directory.EnumerateFileSystemEntries(cache).Any());

        var loader = new CountingLoader(DatasetRegistry.Get("movielens"));
        using (DatasetCache.Load(loader, new DatasetRequest(data, Settings.Empty), cache)) { }
        var entry = DatasetCache.EntryPath(loader, new DatasetRequest(data, Settings.Empty), cache);
        var bytes = File.ReadAllBytes(entry);
        File.WriteAllBytes(entry, bytes[..(bytes.Length / 2)]);
        Assert.Null(DatasetCache.TryRead(entry));
        using var reloaded = DatasetCache.Load(loader, new DatasetRequest(data, Settings.Empty), cache);
        Assert.Equal(2, loader.Loads);
        Assert.Equal(5, reloaded.Count);
        Assert.Equal(bytes.Length, new FileInfo(entry).Length);
        Assert.Single(Directory.GetFiles(cache)); // no temporary files left behind
    }

    [Fact]
    public void A_cache_folder_inside_the_data_folder_does_not_change_the_key()
    {
        using var dir = new TempDir();
        WriteMl(dir);
        var data = Path.Combine(dir.Path, "data");
        var cache = Path.Combine(data, ".msr-cache");
        var loader = new CountingLoader(DatasetRegistry.Get("movielens"));
        using (DatasetCache.Load(loader, new DatasetRequest(data, Settings.Empty), cache)) { }
        using (DatasetCache.Load(loader, new DatasetRequest(data, Settings.Empty), cache)) { }
        Assert.Equal(1, loader.Loads);
    }

    [Fact]
    public void Predefined_split_survives_the_cache()
    {
        using var dir = new TempDir();
        var file = dir.Write("log.csv", "user,click,page\n" + string.Join("\n", Enumerable.Range(0, 20).Select(i => $"u{i % 5},{i % 2},{(i < 10 ? "a" : "b")}")) + "\n");
        var loader = DatasetRegistry.Get("csv");
        Settings Opts() => new([new("sparse", "user"), new("label", "click"), new("scenario", "page"), new("encoder", "train-only")]);
        using var a = DatasetCache.Load(loader, new DatasetRequest(file, Opts()), Path.Combine(dir.Path, "c"), contentHash: true);
        using var b = DatasetCache.Load(loader, new DatasetRequest(file, Opts()), Path.Combine(dir.Path, "c"), contentHash: true);
        AssertSame(a, b);
    }
}
