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

    public string Folder { get; }

    public ResultStore(string folder)
    {
        Folder = Path.GetFullPath(folder);
        Directory.CreateDirectory(Folder);
    }

    public string PathOf(string runId) => Path.Combine(Folder, runId + ".json");

    public bool Contains(string runId) => File.Exists(PathOf(runId));

    public void Write(RunRecord record)
    {
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
    }

    public RunRecord? TryRead(string runId) => Contains(runId) ? Read(PathOf(runId)) : null;

    /// <summary>All records in the folder, in file-name order.</summary>
    public IReadOnlyList<RunRecord> ReadAll() =>
        [.. Directory.EnumerateFiles(Folder, "*.json").Order(StringComparer.Ordinal).Select(Read)];

    public static RunRecord Read(string path)
    {
        RunRecord? record;
        try
        {
            using var stream = File.OpenRead(path);
            record = JsonSerializer.Deserialize<RunRecord>(stream, Json);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not a valid run record (line {e.LineNumber + 1}, {e.Path}): {e.Message}", e);
        }
        if (record is null) throw new InvalidDataException($"{path}: empty run record");
        if (record.SchemaVersion != RunRecord.CurrentSchemaVersion)
            throw new InvalidDataException($"{path}: schema version {record.SchemaVersion}, this Msr reads version {RunRecord.CurrentSchemaVersion}");
        return record;
    }
}
