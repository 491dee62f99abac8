namespace Msr.Core.Results;

/// <summary>
/// A claim on one run of a shared results folder, so that several workers (processes, possibly on several
/// machines sharing the folder) never train the same run twice and a dead worker's run is taken over.
/// </summary>
/// <remarks>
/// The lease is the file <c>&lt;run id&gt;.lease</c>, created with an exclusive create (atomic on local file
/// systems and NFSv3+), holding the holder's token. The holder touches its modification time every quarter of
/// the timeout; a lease not touched for a whole timeout belongs to a dead (or frozen) worker. Taking such a
/// lease over is itself exclusive: the taker must first create <c>&lt;lease&gt;.&lt;holder&gt;.takeover</c>, so of
/// several workers that see the same expired lease only one replaces it. A holder that finds its lease gone or
/// replaced (it was frozen for longer than the timeout) cancels its run and writes nothing.
/// Times are compared with the observer's clock: keep the timeout well above the clock skew between machines.
/// </remarks>
public sealed class RunLease : IDisposable
{
    public const string Extension = ".lease";

    readonly string _path;
    readonly string _token;
    readonly Timer _heartbeat;
    readonly CancellationTokenSource _lost = new();
    int _disposed;

    RunLease(string path, string token, TimeSpan timeout)
    {
        _path = path;
        _token = token;
        var period = TimeSpan.FromTicks(Math.Max(TimeSpan.FromMilliseconds(50).Ticks, timeout.Ticks / 4));
        _heartbeat = new Timer(_ => Beat(), null, period, period);
    }

    /// <summary>Cancelled when the lease is found lost (replaced or deleted by another worker).</summary>
    public CancellationToken Lost => _lost.Token;

    /// <summary>Who holds it (host, process, a random part).</summary>
    public string Holder => _token;

    /// <summary>A token naming this process: host, process id and a random part (unique per acquisition).</summary>
    public static string NewToken() => $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid():N}";

    public static string PathOf(string folder, string runId) => Path.Combine(folder, runId + Extension);

    /// <summary>Claims the run, or returns null when a live worker holds it (or another worker won the race).</summary>
    public static RunLease? TryAcquire(string folder, string runId, TimeSpan timeout)
    {
        var path = PathOf(folder, runId);
        var token = NewToken();
        for (int attempt = 0; attempt < 3; attempt++)
        {
            if (TryCreate(path, token)) return new RunLease(path, token, timeout);
            var (holder, age) = Inspect(path);
            if (holder is null) continue; // released between our create and our look: try again
            if (age < timeout) return null;
            if (!TryTakeOver(path, holder, timeout)) return null;
        }
        return null;
    }

    /// <summary>The holder's token and the lease's age, or (null, 0) when there is no lease.</summary>
    public static (string? Holder, TimeSpan Age) Inspect(string path)
    {
        try
        {
            var written = File.GetLastWriteTimeUtc(path);
            var holder = File.ReadAllText(path).Trim();
            if (!File.Exists(path)) return (null, TimeSpan.Zero);
            return (holder, DateTime.UtcNow - written);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException) { return (null, TimeSpan.Zero); }
    }

    /// <summary>Whether this process still holds the lease (it was neither replaced nor deleted).</summary>
    public bool StillHeld()
    {
        try { return File.ReadAllText(_path).Trim() == _token; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return false; }
    }

    static bool TryCreate(string path, string token)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read);
            using var writer = new StreamWriter(stream);
            writer.Write(token + "\n");
            writer.Flush();
            stream.Flush(flushToDisk: true);
            return true;
        }
        // "Already exists" even when the file is gone by the time we look: a concurrent taker may have removed it
        // between our create and our check, and losing that race is an ordinary "someone else has it".
        catch (IOException e) when (AlreadyExists(e) || File.Exists(path)) { return false; }
    }

    /// <summary>EEXIST on Unix (errno 17), ERROR_FILE_EXISTS on Windows.</summary>
    static bool AlreadyExists(IOException e) => e.HResult == 17 || e.HResult == unchecked((int)0x80070050);

    /// <summary>Removes an expired lease of <paramref name="holder"/>; only one of several concurrent takers succeeds.</summary>
    static bool TryTakeOver(string path, string holder, TimeSpan timeout)
    {
        var marker = $"{path}.{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(holder)))[..16]}.takeover";
        if (!TryCreate(marker, NewToken()))
        {
            // A taker that died between its marker and the new lease would block the run forever: its marker expires too.
            if (Inspect(marker) is { Holder: not null, Age: var age } && age > timeout) TryDelete(marker);
            return false;
        }
        try
        {
            // Re-read under the marker: only a lease still held by the same dead holder is removed.
            if (Inspect(path).Holder == holder) TryDelete(path);
            return true;
        }
        finally
        {
            TryDelete(marker);
        }
    }

    static void TryDelete(string path)
    {
        try { File.Delete(path); }
        catch (IOException) { }
    }

    void Beat()
    {
        if (Volatile.Read(ref _disposed) != 0) return;
        try
        {
            if (!StillHeld())
            {
                _lost.Cancel();
                return;
            }
            File.SetLastWriteTimeUtc(_path, DateTime.UtcNow);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ObjectDisposedException) { }
    }

    /// <summary>Stops the heartbeat and deletes the lease if it is still ours.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        using (var stopped = new ManualResetEvent(false))
            if (_heartbeat.Dispose(stopped)) stopped.WaitOne();
        if (StillHeld()) TryDelete(_path);
        _lost.Dispose();
    }
}
