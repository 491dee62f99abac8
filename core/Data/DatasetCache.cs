using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Msr.Core.Features;
using static TorchSharp.torch;

namespace Msr.Core.Data;

/// <summary>
/// A binary columnar cache of encoded datasets. An entry is keyed by a SHA-256 of the loader name, the loader
/// options, the cache format version, the build of the loader's code and the input files (full path, size and last-write time of each file under
/// the request path; or their contents with <c>contentHash</c>), so changing a file or an option misses the cache.
/// Entries are written to a temporary file and renamed into place: a failed or interrupted write leaves no entry.
/// An unreadable entry is treated as a miss and rewritten.
/// </summary>
public static class DatasetCache
{
    const string Magic = "MSRCACHE";
    const int FormatVersion = 3; // 2: sparse ids stored as int32; 3: the schema's user feature

    /// <summary>Returns the cached dataset for this request, or loads it with <paramref name="loader"/> and caches it.</summary>
    public static ScenarioDataset Load(IDatasetLoader loader, DatasetRequest request, string cacheDirectory, bool contentHash = false) =>
        Load(loader, request, cacheDirectory, out _, contentHash);

    /// <summary>As <see cref="Load(IDatasetLoader, DatasetRequest, string, bool)"/>; <paramref name="fromCache"/> says whether the entry answered.</summary>
    public static ScenarioDataset Load(IDatasetLoader loader, DatasetRequest request, string cacheDirectory, out bool fromCache, bool contentHash = false)
    {
        var path = EntryPath(loader, request, cacheDirectory, contentHash);
        var cached = File.Exists(path) ? TryRead(path) : null;
        fromCache = cached is not null;
        if (cached is not null) return cached;
        var dataset = loader.Load(request);
        Directory.CreateDirectory(cacheDirectory);
        Write(dataset, path);
        return dataset;
    }

    /// <summary>The file that holds (or would hold) the entry for this request.</summary>
    public static string EntryPath(IDatasetLoader loader, DatasetRequest request, string cacheDirectory, bool contentHash = false) =>
        Path.Combine(cacheDirectory, $"{loader.Name}-{Key(loader, request, contentHash, cacheDirectory)[..24]}.msrcache");

    /// <summary>
    /// The hex SHA-256 key of a request (see the class remarks for what it covers). Files under
    /// <paramref name="cacheDirectory"/> are left out, so a cache kept inside the data folder does not change its own key.
    /// </summary>
    public static string Key(IDatasetLoader loader, DatasetRequest request, bool contentHash = false, string? cacheDirectory = null)
    {
        var cachePrefix = cacheDirectory is null ? null : Path.TrimEndingDirectorySeparator(Path.GetFullPath(cacheDirectory)) + Path.DirectorySeparatorChar;
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        void Add(string s) => sha.AppendData(Encoding.UTF8.GetBytes(s + "\n"));
        Add($"{Magic} v{FormatVersion} {loader.Name}");
        // The build of the loader and of the encoders: a fix to either must not be hidden behind an old entry.
        // Builds are deterministic, so the module version id changes only when their code does.
        foreach (var assembly in new[] { typeof(DatasetCache).Assembly, loader.GetType().Assembly }.Distinct())
            Add($"code {assembly.ManifestModule.ModuleVersionId}");
        foreach (var (k, v) in request.Options.Given.OrderBy(kv => kv.Key, StringComparer.Ordinal)) Add($"option {k}={v}");
        if (request.Path is { } p)
        {
            foreach (var f in InputFiles(p))
            {
                if (cachePrefix is not null && f.StartsWith(cachePrefix, StringComparison.Ordinal)) continue;
                Add(FileStamp(f));
                if (contentHash)
                {
                    using var stream = File.OpenRead(f);
                    Add(Convert.ToHexString(SHA256.HashData(stream)));
                }
            }
        }
        return Convert.ToHexString(sha.GetHashAndReset()).ToLowerInvariant();
    }

    /// <summary>The files under a dataset path (the file itself, or every file below the folder), full paths in ordinal order.</summary>
    public static string[] InputFiles(string path)
    {
        var full = Path.GetFullPath(path);
        return File.Exists(full) ? [full]
            : Directory.Exists(full) ? Directory.GetFiles(full, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToArray()
            : throw new DataFormatException(full, 0, null, "file or folder not found");
    }

    /// <summary>A file's identity as the cache keys it: full path, size and last-write time (ticks, UTC).</summary>
    public static string FileStamp(string file)
    {
        var info = new FileInfo(file);
        return $"file {file} {info.Length} {info.LastWriteTimeUtc.Ticks.ToString(CultureInfo.InvariantCulture)}";
    }

    /// <summary>Writes <paramref name="dataset"/> atomically (temporary file in the same folder, then rename).</summary>
    public static void Write(ScenarioDataset dataset, string path)
    {
        var temp = path + ".tmp-" + Guid.NewGuid().ToString("N");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            using (var w = new BinaryWriter(stream, Encoding.UTF8))
            {
                var schema = dataset.Schema;
                w.Write(Magic);
                w.Write(FormatVersion);
                w.Write(dataset.Name);
                w.Write(schema.Features.Count);
                foreach (var f in schema.Features)
                {
                    w.Write(f.Name);
                    w.Write((int)f.Kind);
                    w.Write(f.Vocabulary);
                    w.Write(f.EmbeddingDim);
                    w.Write(f.SequenceLength);
                    w.Write(f.PaddingId);
                    w.Write(f.SharesTableWith ?? "");
                }
                w.Write(schema.ScenarioNames.Count);
                foreach (var s in schema.ScenarioNames) w.Write(s);
                w.Write(schema.Label);
                w.Write(schema.ScenarioColumn);
                w.Write(schema.UserFeature ?? "");
                w.Write(dataset.Count);
                WriteArray(w, Values<int>(dataset.Sparse));
                WriteArray(w, Values<float>(dataset.Dense));
                WriteArray(w, Values<long>(dataset.Scenario));
                WriteArray(w, Values<float>(dataset.Label));
                foreach (var f in schema.SequenceFeatures) WriteArray(w, Values<long>(dataset.Sequences[f.Name]));
                w.Write(dataset.PredefinedSplit is not null);
                if (dataset.PredefinedSplit is { } split)
                    foreach (var part in new[] { split.Train, split.Validation, split.Test }) WriteArray(w, Values<long>(part));
                w.Write(Magic); // trailer: a truncated file never validates
            }
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    /// <summary>Reads an entry; null when it is missing, truncated, of another format version or otherwise unreadable.</summary>
    public static ScenarioDataset? TryRead(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            using var r = new BinaryReader(stream, Encoding.UTF8);
            if (r.ReadString() != Magic || r.ReadInt32() != FormatVersion) return null;
            var name = r.ReadString();
            var features = new List<FeatureSpec>();
            int nf = r.ReadInt32();
            for (int i = 0; i < nf; i++)
            {
                var fname = r.ReadString();
                var kind = (FeatureKind)r.ReadInt32();
                int vocab = r.ReadInt32(), dim = r.ReadInt32(), len = r.ReadInt32();
                long pad = r.ReadInt64();
                var shares = r.ReadString();
                features.Add(new FeatureSpec(fname, kind, vocab, dim, len, pad, shares.Length == 0 ? null : shares));
            }
            var scenarios = Enumerable.Range(0, r.ReadInt32()).Select(_ => r.ReadString()).ToList();
            string labelName = r.ReadString(), scenarioColumn = r.ReadString(), user = r.ReadString();
            var schema = new DatasetSchema(features, scenarios, labelName, scenarioColumn, user.Length == 0 ? null : user);
            long n = r.ReadInt64();
            var sparse = ReadArray<int>(r);
            var dense = ReadArray<float>(r);
            var scenario = ReadArray<long>(r);
            var label = ReadArray<float>(r);
            var sequences = schema.SequenceFeatures.ToDictionary(f => f.Name, _ => ReadArray<long>(r));
            long[][]? split = r.ReadBoolean() ? [ReadArray<long>(r), ReadArray<long>(r), ReadArray<long>(r)] : null;
            if (r.ReadString() != Magic || scenario.LongLength != n) return null;

            using var scope = NewDisposeScope();
            return new ScenarioDataset(name, schema, tensor(sparse, [n, schema.SparseFeatures.Count]), tensor(dense, [n, schema.DenseFeatures.Count]),
                tensor(scenario), tensor(label),
                sequences.ToDictionary(kv => kv.Key, kv => tensor(kv.Value, [n, (long)schema.Features.First(f => f.Name == kv.Key).SequenceLength])))
            {
                PredefinedSplit = split is null ? null : new DatasetSplit(tensor(split[0]), tensor(split[1]), tensor(split[2])),
            };
        }
        catch (Exception e) when (e is IOException or EndOfStreamException or InvalidDataException or ArgumentException or FormatException
                                      or OverflowException or OutOfMemoryException)
        {
            return null;
        }
    }

    const int Chunk = 1 << 20;

    /// <summary>A tensor's values (empty for a tensor without elements, which TorchSharp's accessor rejects).</summary>
    static T[] Values<T>(Tensor t) where T : unmanaged => t.numel() == 0 ? [] : t.data<T>().ToArray();

    static void WriteArray<T>(BinaryWriter w, T[] values) where T : unmanaged
    {
        w.Write(values.LongLength);
        for (long i = 0; i < values.LongLength; i += Chunk)
            w.Write(MemoryMarshal.AsBytes(values.AsSpan((int)i, (int)Math.Min(Chunk, values.LongLength - i))));
    }

    static T[] ReadArray<T>(BinaryReader r) where T : unmanaged
    {
        long n = r.ReadInt64();
        if (n < 0 || n > Array.MaxLength || n * Marshal.SizeOf<T>() > r.BaseStream.Length - r.BaseStream.Position)
            throw new InvalidDataException("bad array length");
        var values = new T[n];
        for (long i = 0; i < n; i += Chunk)
            r.BaseStream.ReadExactly(MemoryMarshal.AsBytes(values.AsSpan((int)i, (int)Math.Min(Chunk, n - i))));
        return values;
    }
}
