using System.Text.Json;
using System.Text.Json.Serialization;

namespace Msr.Core.Results;

/// <summary>
/// A folder of run records, one JSON file per run named by its run id. Writes are atomic
/// (a temporary file renamed over the target), so an interrupted grid never leaves a half record
/// and finished results are never lost.
/// </summary>
public sealed class ResultStore
{
    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    /// <summary>File that marks a folder as a results folder (a data fingerprint leaves such folders out).</summary>
    public const string Marker = ".msr-results";

    public string Folder { get; }

    public ResultStore(string folder)
    {
        Folder = Path.GetFullPath(folder);
        // .NET says only "the file already exists" here, which does not tell that a folder was expected.
        if (File.Exists(Folder)) throw new IOException($"results folder '{folder}' is a file; give a folder for the run records");
        Directory.CreateDirectory(Folder);
    }

    /// <summary>Marks the folder as holding results (on first write, so reading a folder never writes to it).</summary>
    void EnsureMarker()
    {
        var marker = Path.Combine(Folder, Marker);
        if (File.Exists(marker)) return;
        try { File.WriteAllText(marker, "Msr run records (docs/results.md)\n"); }
        catch (IOException) { } // another worker wrote it at the same moment
    }

    public string PathOf(string runId) => Path.Combine(Folder, runId + ".json");

    /// <summary>Where a run's trained weights go: beside its record.</summary>
    public string WeightsPathOf(string runId) => Path.Combine(Folder, runId + WeightsExtension);

    public const string WeightsExtension = ".weights.bin";

    /// <summary>Where a run in progress keeps its epoch checkpoint: beside its record, until <see cref="Write"/> stores the record.</summary>
    public string CheckpointPathOf(string runId) => Path.Combine(Folder, runId + CheckpointExtension);

    public const string CheckpointExtension = ".checkpoint.bin";

    public bool Contains(string runId) => File.Exists(PathOf(runId));

    /// <summary>Writes the record atomically, then deletes the run's epoch checkpoint (<see cref="CheckpointPathOf"/>).</summary>
    public void Write(RunRecord record)
    {
        EnsureMarker();
        var target = PathOf(record.RunId);
        var temp = Path.Combine(Folder, $".{record.RunId}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                JsonSerializer.Serialize(stream, record, Json);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, target, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
        // The record is durable now, so the run's epoch checkpoint has nothing left to save, nor do the temporary files
        // of an earlier attempt at this run that was killed while writing its checkpoint or its record.
        File.Delete(CheckpointPathOf(record.RunId));
        foreach (var pattern in new[] { record.RunId + CheckpointExtension + ".*.tmp", $".{record.RunId}.*.tmp" })
            foreach (var leftover in Directory.EnumerateFiles(Folder, pattern))
                TryDelete(leftover);
    }

    /// <summary>Deletes a file another process may be deleting too; gone either way is fine.</summary>
    static void TryDelete(string path)
    {
        try { File.Delete(path); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    /// <summary>The run's record; null when there is none, and also when it cannot be read (see <see cref="TryReadReporting"/>).</summary>
    public RunRecord? TryRead(string runId) => TryReadReporting(runId, out _);

    /// <summary>The run's record, or null with <paramref name="problem"/> set when the file exists but cannot be read.</summary>
    public RunRecord? TryReadReporting(string runId, out UnreadableRecord? problem)
    {
        problem = null;
        if (!Contains(runId)) return null;
        try { return Read(PathOf(runId)); }
        catch (InvalidDataException e)
        {
            problem = UnreadableRecord.From(PathOf(runId), e);
            return null;
        }
    }

    /// <summary>Every readable record in the folder, in file-name order; unreadable files are skipped (<see cref="Scan"/> names them).</summary>
    public IReadOnlyList<RunRecord> ReadAll() => Scan().Records;

    /// <summary>
    /// Every record in the folder, in file-name order, and every file that could not be read with the reason
    /// (corrupt or truncated JSON, another schema version): one bad file never hides the others.
    /// </summary>
    public FolderContents Scan()
    {
        var records = new List<RunRecord>();
        var unreadable = new List<UnreadableRecord>();
        foreach (var path in Directory.EnumerateFiles(Folder, "*.json").Order(StringComparer.Ordinal))
        {
            try { records.Add(Read(path)); }
            catch (InvalidDataException e) { unreadable.Add(UnreadableRecord.From(path, e)); }
        }
        return new FolderContents(records, unreadable);
    }

    public static RunRecord Read(string path)
    {
        RunRecord? record;
        // On Linux .NET reports a folder as "access denied", which sends the user looking at permissions.
        if (Directory.Exists(path)) throw new InvalidDataException($"{path}: is a folder, not a run record (*.json)");
        try
        {
            using var stream = File.OpenRead(path);
            record = JsonSerializer.Deserialize<RunRecord>(stream, Json);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not a valid run record (line {e.LineNumber + 1}, {e.Path}): {e.Message}", e);
        }
        catch (IOException e)
        {
            throw new InvalidDataException($"{path}: cannot be read: {e.Message}", e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new InvalidDataException($"{path}: cannot be read: {e.Message}", e);
        }
        if (record is null) throw new InvalidDataException($"{path}: empty run record");
        // Deserialisation leaves absent fields null; a record without its identity is as unusable as a truncated one.
        if (record.RunId is null || record.Status is null || record.Config is null || record.Environment is null)
            throw new InvalidDataException($"{path}: not a valid run record (run_id, status, config or environment missing)");
        if (record.SchemaVersion != RunRecord.CurrentSchemaVersion)
            throw new InvalidDataException($"{path}: schema version {record.SchemaVersion}, this Msr reads version {RunRecord.CurrentSchemaVersion}");
        return record;
    }
}

/// <summary>A file in a results folder that is not a readable run record, and why.</summary>
public sealed record UnreadableRecord(string File, string Reason)
{
    /// <summary>From a read failure: the file's name, and the reason without the path the message starts with.</summary>
    public static UnreadableRecord From(string path, InvalidDataException e) =>
        new(System.IO.Path.GetFileName(path), e.Message.StartsWith(path + ": ", StringComparison.Ordinal) ? e.Message[(path.Length + 2)..] : e.Message);

    public override string ToString() => $"{File}: {Reason}";
}

/// <summary>The readable records of a results folder and the files that could not be read.</summary>
public sealed record FolderContents(IReadOnlyList<RunRecord> Records, IReadOnlyList<UnreadableRecord> Unreadable);
