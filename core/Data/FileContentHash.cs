using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Msr.Core.Data;

/// <summary>
/// The SHA-256 of a file's contents, remembered per (full path, size, last-write time): in this process, and across
/// processes as one small file per remembered hash in a memo folder. Hashing the largest public datasets (tens of GB)
/// takes tens of seconds; a memo entry makes every later ask a <c>stat</c>. A file changed in place gets a new size or
/// time and is hashed again; the memo never answers for content it did not read.
/// </summary>
public static class FileContentHash
{
    /// <summary>Extension of memo entries (their temporary files add <c>.tmp</c>); a data fingerprint leaves such files out if a memo folder sits inside the data.</summary>
    public const string MemoExtension = ".msrhash";

    static readonly ConcurrentDictionary<string, string> InProcess = new(StringComparer.Ordinal);

    /// <summary>
    /// Lower-case hex SHA-256 of <paramref name="file"/>'s bytes. <paramref name="memoFolder"/> (created when needed;
    /// null: remember in this process only) keeps it for other processes. A memo that cannot be written (read-only
    /// folder, full disk) costs only the hashing next time, never the answer.
    /// </summary>
    public static string Of(string file, string? memoFolder)
    {
        var full = Path.GetFullPath(file);
        var stamp = Stamp(full);
        if (InProcess.TryGetValue(stamp, out var known)) return known;
        var memo = memoFolder is null ? null : MemoPath(memoFolder, stamp);
        var remembered = memo is null ? null : ReadMemo(memo, stamp);
        var hash = remembered ?? Hash(full);
        if (memo is not null && remembered is null) WriteMemo(memo, stamp, hash);
        return InProcess[stamp] = hash;
    }

    /// <summary>Whether <see cref="Of"/> would answer without reading <paramref name="file"/> (remembered here or in <paramref name="memoFolder"/>).</summary>
    public static bool IsRemembered(string file, string? memoFolder)
    {
        var stamp = Stamp(Path.GetFullPath(file));
        return InProcess.ContainsKey(stamp) || memoFolder is not null && ReadMemo(MemoPath(memoFolder, stamp), stamp) is not null;
    }

    /// <summary>Forgets what this process remembered, so the next ask reads the memo folder (tests).</summary>
    internal static void ForgetInProcess() => InProcess.Clear();

    static string Hash(string file)
    {
        using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    static string Stamp(string full)
    {
        var info = new FileInfo(full);
        return $"{full}\n{info.Length.ToString(CultureInfo.InvariantCulture)}\n{info.LastWriteTimeUtc.Ticks.ToString(CultureInfo.InvariantCulture)}";
    }

    static string MemoPath(string memoFolder, string stamp) =>
        Path.Combine(memoFolder, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(stamp)))[..32] + MemoExtension);

    // An entry holds the stamp it answers for, then the hash: a truncated or foreign file is a miss.
    static string? ReadMemo(string memo, string stamp)
    {
        try
        {
            var text = File.ReadAllText(memo);
            return text.StartsWith(stamp + "\n", StringComparison.Ordinal) && text[(stamp.Length + 1)..].TrimEnd('\n') is { Length: 64 } hash
                && hash.All(char.IsAsciiHexDigitLower) ? hash : null;
        }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }

    // Temporary file and rename: workers sharing a memo folder never read half an entry.
    static void WriteMemo(string memo, string stamp, string hash)
    {
        var temp = $"{memo}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(memo)!);
            File.WriteAllText(temp, $"{stamp}\n{hash}\n");
            File.Move(temp, memo, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            try { File.Delete(temp); } catch (Exception d) when (d is IOException or UnauthorizedAccessException) { }
        }
    }
}
