using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Msr.Core.Features;
using static TorchSharp.torch;

namespace Msr.Core.Data;

/// <summary>
/// A binary columnar cache of encoded datasets. An entry is keyed by a SHA-256 of the loader name, the loader
/// options (each in its canonical spelling: <see cref="DatasetOption.Canonical"/>), the cache format version, the build of the loader's code and the input files (full path, size and last-write time of each file under
/// the request path; or their contents with <c>contentHash</c>), so changing a file or an option misses the cache.
/// Entries are written to a temporary file and renamed into place: a failed or interrupted write leaves no entry.
/// An unreadable entry (truncated, failing its checksum, of another format version) is treated as a miss and rewritten.
/// The file layout is <see cref="CacheEntryLayout"/>'s; a large entry is mapped rather than copied on reading (<see cref="TryRead"/>).
/// </summary>
public static class DatasetCache
{
    const string Magic = CacheEntryLayout.Magic;
    const int FormatVersion = CacheEntryLayout.FormatVersion; // the entry layout, format history: CacheEntryLayout

    /// <summary>Returns the cached dataset for this request, or loads it with <paramref name="loader"/> and caches it.</summary>
    public static ScenarioDataset Load(IDatasetLoader loader, DatasetRequest request, string cacheDirectory, bool contentHash = false) =>
        Load(loader, request, cacheDirectory, out _, contentHash);

    /// <summary>As <see cref="Load(IDatasetLoader, DatasetRequest, string, bool)"/>; <paramref name="fromCache"/> says whether the entry answered.</summary>
    public static ScenarioDataset Load(IDatasetLoader loader, DatasetRequest request, string cacheDirectory, out bool fromCache, bool contentHash = false)
    {
        // Checked before the (possibly long) load, whose entry could not be written: .NET would say only "the file already exists".
        if (File.Exists(cacheDirectory))
            throw new IOException($"cache folder '{cacheDirectory}' is a file; give a folder for the processed-dataset cache, or disable the cache");
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
        foreach (var (k, v) in DatasetOptionCheck.Canonical(loader, request.Options.Given)) Add($"option {k}={v}");
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
        var split = dataset.PredefinedSplit is { } p ? new SplitSizes(p.Train.shape[0], p.Validation.shape[0], p.Test.shape[0]) : null;
        using var w = CacheEntryWriter.Create(path, dataset.Name, dataset.Schema, dataset.Count, split);
        w.WriteTensor<int>(CacheEntryLayout.SparseArray, dataset.Sparse);
        w.WriteTensor<float>(CacheEntryLayout.DenseArray, dataset.Dense);
        w.WriteTensor<long>(CacheEntryLayout.ScenarioArray, dataset.Scenario);
        w.WriteTensor<float>(CacheEntryLayout.LabelArray, dataset.Label);
        foreach (var f in dataset.Schema.SequenceFeatures) w.WriteTensor<long>(CacheEntryLayout.SequenceArray(f.Name), dataset.Sequences[f.Name]);
        if (dataset.PredefinedSplit is { } s)
        {
            w.WriteTensor<long>(CacheEntryLayout.TrainArray, s.Train);
            w.WriteTensor<long>(CacheEntryLayout.ValidationArray, s.Validation);
            w.WriteTensor<long>(CacheEntryLayout.TestArray, s.Test);
        }
        w.Commit();
    }

    /// <summary>
    /// Entries at least this large are mapped rather than copied when read with <see cref="CacheReadMode.Auto"/>
    /// (see <see cref="TryRead"/>). Below it, copying costs well under a second and leaves the dataset independent of
    /// the file; above it, a copy would hold every column in anonymous memory (Ali-CCP's 85 M rows: 11.6 GB).
    /// </summary>
    public const long MapThresholdBytes = 256L << 20;

    /// <summary>
    /// Reads an entry; null when it is missing, truncated, of another format version, fails its checksum or is otherwise
    /// unreadable or invalid. <see cref="CacheReadMode.Map"/> (and <see cref="CacheReadMode.Auto"/> for an entry of at
    /// least <see cref="MapThresholdBytes"/>) backs the tensors by the file itself: the OS pages rows in as batches
    /// gather them and drops them under memory pressure, so a dataset larger than the free memory trains with the same
    /// numbers as an in-memory one. The mapping is private (copy-on-write, file opened read-only), so nothing written
    /// to those tensors could reach the file; nothing in Msr writes to a dataset's tensors. Entries are only ever
    /// replaced by rename, so a mapped entry's file never shrinks under a running process (truncating one in place,
    /// outside Msr, would fault the process that maps it, as with any mapped file).
    /// </summary>
    public static ScenarioDataset? TryRead(string path, CacheReadMode mode = CacheReadMode.Auto)
    {
        try
        {
            CacheEntryLayout layout;
            using (var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16))
            {
                layout = CacheEntryLayout.Read(file);
                layout.Verify(file);
            }
            bool map = mode == CacheReadMode.Map || (mode == CacheReadMode.Auto && layout.FileLength >= MapThresholdBytes);
            using var scope = NewDisposeScope();
            Tensor Read(string name) => map ? Mapped(path, layout[name]) : Copied(path, layout[name]);
            var schema = layout.Schema;
            return new ScenarioDataset(layout.Name, schema, Read(CacheEntryLayout.SparseArray), Read(CacheEntryLayout.DenseArray),
                Read(CacheEntryLayout.ScenarioArray), Read(CacheEntryLayout.LabelArray),
                schema.SequenceFeatures.ToDictionary(f => f.Name, f => Read(CacheEntryLayout.SequenceArray(f.Name))))
            {
                PredefinedSplit = layout.Split is null ? null
                    : new DatasetSplit(Read(CacheEntryLayout.TrainArray), Read(CacheEntryLayout.ValidationArray), Read(CacheEntryLayout.TestArray)),
            };
        }
        catch (Exception e) when (e is IOException or EndOfStreamException or InvalidDataException or ArgumentException or FormatException
                                      or OverflowException or OutOfMemoryException or UnauthorizedAccessException or ExternalException)
        {
            return null;
        }
    }

    /// <summary>
    /// An array backed by the file: <c>from_file</c> maps the file from its start as the array's dtype (privately:
    /// copy-on-write, opened read-only), up to the array's end; the array is the view that skips what lies before it.
    /// Pages before the array are mapped but never touched, so they cost address space, not memory.
    /// </summary>
    static Tensor Mapped(string path, CacheArray a)
    {
        if (a.Count == 0) return empty(a.Shape, a.Type);
        long skip = a.Offset / a.ElementSize; // exact: offsets are multiples of the alignment
        var whole = from_file(path, shared: false, size: skip + a.Count, dtype: a.Type);
        return whole.narrow(0, skip, a.Count).view(a.Shape);
    }

    /// <summary>An array copied into memory: read straight from the file into a new tensor's storage.</summary>
    static Tensor Copied(string path, CacheArray a)
    {
        var t = empty(a.Shape, a.Type);
        if (a.Count == 0) return t;
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        file.Position = a.Offset;
        using var flat = t.view(-1);
        const long chunk = 1 << 20;
        for (long i = 0; i < a.Count; i += chunk)
        {
            using var part = flat.narrow(0, i, Math.Min(chunk, a.Count - i));
            file.ReadExactly(part.bytes);
        }
        return t;
    }
}

/// <summary>How <see cref="DatasetCache.TryRead"/> holds an entry's arrays.</summary>
public enum CacheReadMode
{
    /// <summary>Mapped from the file when the entry is at least <see cref="DatasetCache.MapThresholdBytes"/>, copied otherwise.</summary>
    Auto,
    /// <summary>Copied into memory the dataset owns.</summary>
    Copy,
    /// <summary>Backed by the file (a private, read-only mapping): rows are paged in as they are read.</summary>
    Map,
}
