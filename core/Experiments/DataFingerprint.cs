using System.Security.Cryptography;
using System.Text;
using Msr.Core.Data;
using Msr.Core.Results;

namespace Msr.Core.Experiments;

/// <summary>
/// What a run id knows of the data files: their contents (<see cref="Content"/>), so the same files give the same run
/// ids on every machine, in every folder and after any copy; and the older stamp of paths, sizes and times
/// (<see cref="Legacy"/>), by which records written before are still recognised. Both leave out what Msr itself writes
/// into a data folder: run records and their folders, dataset-cache entries and content-hash memos.
/// </summary>
public static class DataFingerprint
{
    /// <summary>Where content hashes are remembered between processes: <c>file-hashes</c> in the dataset cache's default folder.</summary>
    public static string MemoFolder => Path.Combine(LoadedDataset.DefaultCacheDirectory, "file-hashes");

    /// <summary>
    /// 16 hex digits of a SHA-256 over each data file's path relative to the dataset path and the SHA-256 of its bytes
    /// (<see cref="FileContentHash"/>, remembered per path, size and time in <see cref="MemoFolder"/>). A dataset path
    /// that is one file contributes its bytes alone: a loader given a file reads it whatever its name. A path that does
    /// not exist gives <c>missing &lt;full path&gt;</c>.
    /// </summary>
    public static string Content(string datasetPath) =>
        Of(datasetPath, (root, file) =>
        {
            var hash = HashOrProblem(file);
            return root == file ? hash : $"{Path.GetRelativePath(root, file).Replace(Path.DirectorySeparatorChar, '/')} {hash}";
        });

    // A file that cannot be read still gives the run an id: the run then fails at its load with the loader's message
    // naming the file, is recorded as failed, and the grid goes on (planning never stops on it).
    static string HashOrProblem(string file)
    {
        try { return FileContentHash.Of(file, MemoFolder); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return "unreadable: " + e.Message; }
    }

    /// <summary>
    /// How many bytes <see cref="Content"/> would read for <paramref name="datasetPath"/> now: the data files whose hashes
    /// are not remembered yet (0 when all are, or the path does not exist). Lets a grid say why it pauses before its first run.
    /// </summary>
    public static long BytesToHash(string datasetPath)
    {
        long bytes = 0;
        foreach (var file in DataFiles(datasetPath) ?? [])
            if (File.Exists(file) && !FileContentHash.IsRemembered(file, MemoFolder)) bytes += new FileInfo(file).Length;
        return bytes;
    }

    /// <summary>The fingerprint of run ids before content hashing: full path, size and last-write time of each data file.</summary>
    public static string Legacy(string datasetPath) => Of(datasetPath, (_, file) => DatasetCache.FileStamp(file));

    static string Of(string datasetPath, Func<string, string, string> line)
    {
        if (DataFiles(datasetPath) is not { } files) return "missing " + Path.GetFullPath(datasetPath);
        var root = Path.GetFullPath(datasetPath);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join("\n", files.Select(f => line(root, f))))))[..16];
    }

    /// <summary>The data files under a dataset path, in ordinal order; null when the path does not exist.</summary>
    static IEnumerable<string>? DataFiles(string datasetPath)
    {
        string[] files;
        try { files = DatasetCache.InputFiles(datasetPath); }
        catch (Features.DataFormatException) { return null; }
        var root = Path.GetFullPath(datasetPath);
        var marked = new Dictionary<string, bool>(StringComparer.Ordinal);
        // A results folder anywhere from the file's folder up to the dataset root (never above it).
        bool InResults(string? dir) => dir is not null && dir.Length >= root.Length && (marked.TryGetValue(dir, out var m) ? m
            : marked[dir] = File.Exists(Path.Combine(dir, ResultStore.Marker)) || InResults(Path.GetDirectoryName(dir)));
        return files
            .Where(f => !f.EndsWith(".msrcache", StringComparison.Ordinal) && !f.EndsWith(".msrcache.options.json", StringComparison.Ordinal))
            .Where(f => !IsContentHashMemo(f))
            .Where(f => !InResults(Path.GetDirectoryName(f)))
            .ToList();
    }

    // Memo entries and their temporary files, should the memo folder sit inside the data. The legacy stamp never
    // met one (memos came with content hashing), so leaving them out there too keeps old ids as they were.
    static bool IsContentHashMemo(string file) => Path.GetFileName(file).Contains(FileContentHash.MemoExtension, StringComparison.Ordinal);
}
