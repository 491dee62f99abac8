using Msr.Core.Data;
using Msr.Core.Data.AliCcp;
using Msr.Core.Models;
using Msr.Core.Tests.Models;
using Msr.Core.Training;
using Xunit;
using static TorchSharp.torch;

namespace Msr.Core.Tests.Data;

/// <summary>Cache entries read through a file mapping, the streaming entry writer, and the Ali-CCP twin written with it.</summary>
public class MappedCacheTests
{
    /// <summary>The Ali-CCP fixture (300/60/60 rows, predefined split) written as a cache entry; returns the entry's path.</summary>
    static string AliEntry(TempDir dir)
    {
        var (path, _) = Fixtures.Write("aliccp", dir);
        using var data = DatasetRegistry.Load("aliccp", path);
        var entry = Path.Combine(dir.Path, "entry.msrcache");
        DatasetCache.Write(data, entry);
        return entry;
    }

    static void AssertIdentical(Tensor a, Tensor b)
    {
        Assert.Equal(a.dtype, b.dtype);
        Assert.Equal(a.shape, b.shape);
        Assert.True(a.eq(b).all().item<bool>());
    }

    static IEnumerable<Tensor> Tensors(ScenarioDataset d) =>
        [d.Sparse, d.Dense, d.Scenario, d.Label, .. d.Sequences.Values, d.PredefinedSplit!.Train, d.PredefinedSplit.Validation, d.PredefinedSplit.Test];

    [Fact]
    public void A_mapped_entry_has_the_copied_entrys_tensors_and_they_are_views_of_the_file()
    {
        using var dir = new TempDir();
        var entry = AliEntry(dir);
        using var copied = DatasetCache.TryRead(entry, CacheReadMode.Copy)!;
        using var mapped = DatasetCache.TryRead(entry, CacheReadMode.Map)!;
        Assert.Equal(copied.Schema.Features, mapped.Schema.Features);
        Assert.Equal(copied.Schema.ScenarioNames, mapped.Schema.ScenarioNames);
        Assert.Equal(copied.Schema.UserFeature, mapped.Schema.UserFeature);
        foreach (var (a, b) in Tensors(copied).Zip(Tensors(mapped))) AssertIdentical(a, b);
        // A mapped array is a view that skips the file's header and earlier arrays; a copy (by ScenarioDataset's
        // to_type/contiguous or by DatasetSplit's) would start at offset 0 of its own storage.
        Assert.All(Tensors(mapped), t => Assert.True(t.storage_offset() > 0));
        Assert.All(Tensors(copied), t => Assert.Equal(0, t.storage_offset()));
        // Small entries are copied by default.
        using var auto = DatasetCache.TryRead(entry)!;
        Assert.Equal(0, auto.Sparse.storage_offset());
    }

    [Fact]
    public void Training_on_a_mapped_entry_gives_the_numbers_of_an_in_memory_one()
    {
        using var dir = new TempDir();
        var entry = AliEntry(dir);
        (double[] Losses, double Auc, double LogLoss) Run(CacheReadMode mode)
        {
            using var data = DatasetCache.TryRead(entry, mode)!;
            using var model = ModelTestKit.Build("SharedBottom", data.Schema, preset: Presets.AliCcp, seed: 5);
            var history = Trainer.Fit(model, data, data.PredefinedSplit!, new TrainerOptions(Epochs: 2, BatchSize: 64, Patience: 5), seed: 4);
            var test = Trainer.Evaluate(model, data, data.PredefinedSplit!.Test, 64).Overall;
            return ([.. history.Epochs.Select(e => e.TrainLoss)], test.Auc!.Value, test.LogLoss!.Value);
        }
        var copied = Run(CacheReadMode.Copy);
        var mapped = Run(CacheReadMode.Map);
        Assert.Equal(copied.Losses, mapped.Losses);
        Assert.Equal(copied.Auc, mapped.Auc);
        Assert.Equal(copied.LogLoss, mapped.LogLoss);
    }

    [Theory]
    [InlineData("truncated")]
    [InlineData("extended")]
    [InlineData("data byte")]
    [InlineData("header byte")]
    [InlineData("trailer byte")]
    [InlineData("old version")]
    public void A_damaged_entry_is_a_miss_in_either_mode(string damage)
    {
        using var dir = new TempDir();
        var entry = AliEntry(dir);
        var bytes = File.ReadAllBytes(entry);
        CacheEntryLayout layout;
        using (var file = File.OpenRead(entry)) layout = CacheEntryLayout.Read(file);
        Assert.Equal(bytes.Length, layout.FileLength);
        switch (damage)
        {
            case "truncated": bytes = bytes[..(bytes.Length - 100)]; break;
            case "extended": bytes = [.. bytes, 0]; break;
            // A dense value changed in place: still a finite float, so only the checksum can tell.
            case "data byte": bytes[layout[CacheEntryLayout.DenseArray].Offset + 10] ^= 0x01; break;
            case "header byte": bytes[12] ^= 0x20; break;
            case "trailer byte": bytes[^1] ^= 0x01; break;
            case "old version": bytes[9] = 3; break; // the int32 after the length-prefixed magic
        }
        File.WriteAllBytes(entry, bytes);
        Assert.Null(DatasetCache.TryRead(entry, CacheReadMode.Map));
        Assert.Null(DatasetCache.TryRead(entry, CacheReadMode.Copy));
    }

    [Fact]
    public void A_damaged_entry_is_rewritten_by_the_next_load()
    {
        using var dir = new TempDir();
        var (path, _) = Fixtures.Write("aliccp", dir);
        var cache = Path.Combine(dir.Path, "cache");
        var loader = DatasetRegistry.Get("aliccp");
        var request = new DatasetRequest(path, Settings.Empty);
        using (DatasetCache.Load(loader, request, cache)) { }
        var entry = DatasetCache.EntryPath(loader, request, cache);
        var bytes = File.ReadAllBytes(entry);
        var damaged = (byte[])bytes.Clone();
        damaged[bytes.Length / 2] ^= 0x40;
        File.WriteAllBytes(entry, damaged);
        using var reloaded = DatasetCache.Load(loader, request, cache, out bool fromCache);
        Assert.False(fromCache);
        Assert.Equal(bytes, File.ReadAllBytes(entry));
        using var mapped = DatasetCache.TryRead(entry, CacheReadMode.Map);
        Assert.NotNull(mapped);
    }

    [Fact]
    public void The_writer_refuses_to_commit_an_incomplete_entry_and_leaves_no_file()
    {
        using var dir = new TempDir();
        var entry = Path.Combine(dir.Path, "e.msrcache");
        using (var w = CacheEntryWriter.Create(entry, "aliccp", AliCcpTwin.Schema, 2, null))
        {
            w.Write<int>(CacheEntryLayout.SparseArray, 0, new int[2 * 23]);
            Assert.Throws<ArgumentException>(() => w.Write<int>(CacheEntryLayout.DenseArray, 0, new int[16])); // float array
            Assert.Throws<ArgumentOutOfRangeException>(() => w.Write<float>(CacheEntryLayout.DenseArray, 10, new float[8]));
            var e = Assert.Throws<InvalidOperationException>(w.Commit);
            Assert.Contains("'dense'", e.Message);
        }
        Assert.Empty(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void The_twin_has_ali_ccps_schema_split_and_scenarios_and_is_deterministic()
    {
        using var dir = new TempDir();
        const long rows = 20_000;
        var a = Path.Combine(dir.Path, "a.msrcache");
        var b = Path.Combine(dir.Path, "b.msrcache");
        AliCcpTwin.Write(a, rows, seed: 3, threads: 2, chunkRows: 3_000);
        AliCcpTwin.Write(b, rows, seed: 3, threads: 1, chunkRows: 3_000);
        Assert.Equal(File.ReadAllBytes(a), File.ReadAllBytes(b)); // the same file whatever the thread count

        using var twin = DatasetCache.TryRead(a, CacheReadMode.Map)!;
        Assert.NotNull(twin); // constructing it validated ids against the vocabularies and labels as 0/1
        using var fixtureDir = new TempDir();
        var (path, _) = Fixtures.Write("aliccp", fixtureDir);
        using var real = DatasetRegistry.Load("aliccp", path);
        Assert.Equal(real.Schema.Features.Select(f => (f.Name, f.Kind, f.EmbeddingDim)), twin.Schema.Features.Select(f => (f.Name, f.Kind, f.EmbeddingDim)));
        Assert.Equal(real.Schema.ScenarioNames, twin.Schema.ScenarioNames);
        Assert.Equal(real.Schema.Label, twin.Schema.Label);
        Assert.Equal(real.Schema.ScenarioColumn, twin.Schema.ScenarioColumn);
        Assert.Equal(real.Schema.UserFeature, twin.Schema.UserFeature);
        Assert.Equal(AliCcpTwin.Vocabularies, twin.Schema.SparseFeatures.Select(f => f.Vocabulary));

        var split = AliCcpTwin.Split(rows);
        Assert.Equal(rows, split.Train + split.Validation + split.Test);
        Assert.InRange(split.Train / (double)rows, 0.49, 0.50);
        Assert.InRange(split.Test - split.Validation, 0, 1);
        var s = twin.PredefinedSplit!;
        Assert.Equal([split.Train, split.Validation, split.Test], new[] { s.Train, s.Validation, s.Test }.Select(t => t.shape[0]));
        Assert.Equal(arange(rows).data<long>().ToArray(), cat([s.Train, s.Validation, s.Test]).data<long>().ToArray());

        var counts = twin.ScenarioCounts();
        Assert.All(counts, c => Assert.True(c > 0)); // all three scenarios, even the 0.75 % one
        Assert.InRange(counts[2] / (double)rows, 0.58, 0.65);
        var field301 = twin.Sparse.select(1, twin.Schema.SparseIndex("301")).to_type(ScalarType.Int64);
        Assert.True(field301.eq(twin.Scenario + 1).all().item<bool>()); // 301 ∈ {1, 2, 3} is the scenario
        Assert.InRange(twin.Label.mean().item<float>(), 0.03, 0.055);
        Assert.True(twin.Dense.ge(0).logical_and(twin.Dense.le(1)).all().item<bool>());
    }

    [Fact]
    public void The_twin_refuses_too_few_rows()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => AliCcpTwin.Split(2));
    }
}
