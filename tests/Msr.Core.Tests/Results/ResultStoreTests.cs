using System.Text.Json;
using Msr.Core.Metrics;
using Msr.Core.Results;
using Msr.Core.Training;
using Xunit;

namespace Msr.Core.Tests.Results;

public sealed class ResultStoreTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("msr-results-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    internal static RunRecord Sample(string runId = "synthetic-sharedbottom-s7-0123456789ab", int schemaVersion = RunRecord.CurrentSchemaVersion)
    {
        var eval = new Evaluation(new MetricSet("overall", 300, 0.41, 0.7123456789012345, 0.612345),
            [new MetricSet("s0", 200, 0.5, 0.71, 0.6), new MetricSet("s1", 100, 0.0, null, 0.1), new MetricSet("s2", 0, null, null, null)]);
        var validation = new Evaluation(new MetricSet("overall", 30, 0.4, 0.69, 0.62), [new MetricSet("s0", 30, 0.4, 0.69, 0.62)]);
        var history = new List<EpochRecord>
        {
            new(1, 0.69, 0.65, 0.66, 1.25, 0.125, 1e-3, 2400),
            new(2, double.NaN, null, null, 1.5, 0.25, 8.5e-4, 2400),
        };
        return new RunRecord(
            schemaVersion, runId, RunRecord.Completed, "no error really",
            new RunConfig("synthetic", "/data/x", new Dictionary<string, string> { ["rows"] = "3000", ["scenario_skew"] = "0.6" },
                "SharedBottom", new Dictionary<string, string> { ["bottom_dims"] = "[128]", ["preset"] = "movielens" }, "movielens", 7,
                new TrainerOptions(Epochs: 3, BatchSize: 512, LearningRate: 0.002, WeightDecay: 0, Patience: 2, RestoreBestAtEnd: true,
                    UseStepLr: true, StepLrStepSize: 3, StepLrGamma: 0.5)),
            eval, validation,
            new TrainingSummary(2, 1, "early_stopping", true, history),
            new EfficiencyFigures(1.375, 1745.4545, 3.25, 512, 9.5),
            227_587,
            new RunEnvironment("0.1.0", "0.107.0", ".NET 10", "Linux", "X64, 2 cores", 2, "cpu") { OpenMpWaiting = "OpenMP waiting: passive (test)", Malloc = "malloc: kept (test)" },
            new DateTimeOffset(2026, 11, 22, 21, 0, 0, 123, TimeSpan.Zero),
            new DateTimeOffset(2026, 11, 22, 21, 0, 9, 456, TimeSpan.Zero));
    }

    static string Json(RunRecord r) => JsonSerializer.Serialize(r, ResultStore.Json);

    [Fact]
    public void A_file_given_as_results_folder_or_a_folder_given_as_record_is_named_as_such()
    {
        var file = Path.Combine(_dir, "notes.txt");
        File.WriteAllText(file, "x");
        var e = Assert.Throws<IOException>(() => new ResultStore(file));
        Assert.Equal($"results folder '{file}' is a file; give a folder for the run records", e.Message);
        var d = Assert.Throws<InvalidDataException>(() => ResultStore.Read(_dir));
        Assert.Equal($"{_dir}: is a folder, not a run record (*.json)", d.Message);
    }

    [Fact]
    public void Round_trips_every_field()
    {
        var store = new ResultStore(_dir);
        var record = Sample();
        store.Write(record);
        Assert.True(store.Contains(record.RunId));
        var back = store.TryRead(record.RunId)!;

        // Field by field where records compare by value, and the whole document for the collections.
        Assert.Equal(Json(record), Json(back));
        Assert.Equal(record.SchemaVersion, back.SchemaVersion);
        Assert.Equal(record.RunId, back.RunId);
        Assert.Equal(record.Status, back.Status);
        Assert.Equal(record.Error, back.Error);
        Assert.Equal(record.Config.Trainer, back.Config.Trainer);
        Assert.Equal(record.Config.DatasetOptions, back.Config.DatasetOptions);
        Assert.Equal(record.Config.ModelOptions, back.Config.ModelOptions);
        Assert.Equal(record.Config.DatasetPath, back.Config.DatasetPath);
        Assert.Equal(record.Config.Seed, back.Config.Seed);
        Assert.Equal(record.Test!.Overall, back.Test!.Overall);
        Assert.Equal(record.Test.Scenarios, back.Test.Scenarios);
        Assert.Equal(record.Validation!.Scenarios, back.Validation!.Scenarios);
        Assert.Equal(record.Training!.History[0], back.Training!.History[0]);
        Assert.True(double.IsNaN(back.Training.History[1].TrainLoss));
        Assert.Null(back.Training.History[1].ValidationAuc);
        Assert.Equal(record.Efficiency, back.Efficiency);
        Assert.Equal(record.Parameters, back.Parameters);
        Assert.Equal(record.Environment, back.Environment);
        Assert.Equal(record.StartedUtc, back.StartedUtc);
        Assert.Equal(record.FinishedUtc, back.FinishedUtc);
        Assert.True(back.IsCompleted);
    }

    [Fact]
    public void Failed_record_with_null_sections_round_trips()
    {
        var store = new ResultStore(_dir);
        var failed = Sample() with { Status = RunRecord.Failed, Error = "training diverged", Test = null, Validation = null, Training = null, Efficiency = null };
        store.Write(failed);
        var back = store.TryRead(failed.RunId)!;
        Assert.Equal(Json(failed), Json(back));
        Assert.False(back.IsCompleted);
        Assert.Null(back.Test);
    }

    [Fact]
    public void Uses_snake_case_names_on_disk()
    {
        var store = new ResultStore(_dir);
        store.Write(Sample());
        var text = File.ReadAllText(store.PathOf(Sample().RunId));
        Assert.Contains("\"schema_version\": 1", text);
        Assert.Contains("\"run_id\"", text);
        Assert.Contains("\"train_seconds_per_epoch\"", text);
    }

    [Fact]
    public void Writes_leave_no_temporary_files_and_overwrite_in_place()
    {
        var store = new ResultStore(_dir);
        for (int i = 0; i < 5; i++) store.Write(Sample() with { Parameters = i });
        store.Write(Sample("other-run"));
        Assert.Equal([ResultStore.Marker, "other-run.json", Sample().RunId + ".json"],
            Directory.EnumerateFileSystemEntries(_dir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal(4, store.TryRead(Sample().RunId)!.Parameters);
        Assert.Equal(2, store.ReadAll().Count);
    }

    [Fact]
    public void Storing_a_record_removes_what_killed_attempts_at_the_run_left_behind()
    {
        var store = new ResultStore(_dir);
        var id = Sample().RunId;
        // A worker killed while writing its epoch checkpoint, another while writing the record, and another run's leftovers.
        var checkpointTemp = store.CheckpointPathOf(id) + ".4242.tmp";
        var recordTemp = Path.Combine(_dir, $".{id}.4243.0123456789abcdef0123456789abcdef.tmp");
        var otherRunTemp = store.CheckpointPathOf("synthetic-star-s1-fedcba987654") + ".4244.tmp";
        foreach (var f in new[] { store.CheckpointPathOf(id), checkpointTemp, recordTemp, otherRunTemp }) File.WriteAllText(f, "partial");
        store.Write(Sample());
        Assert.False(File.Exists(store.CheckpointPathOf(id)), "the checkpoint");
        Assert.False(File.Exists(checkpointTemp), "a killed checkpoint write");
        Assert.False(File.Exists(recordTemp), "a killed record write");
        Assert.True(File.Exists(otherRunTemp), "another run's files are not this run's to delete");
    }

    [Fact]
    public void A_concurrent_reader_never_sees_a_partial_file()
    {
        var store = new ResultStore(_dir);
        var record = Sample() with { Error = new string('x', 200_000) };  // large enough that a non-atomic write would be seen half done
        store.Write(record);
        var path = store.PathOf(record.RunId);
        int reads = 0;
        Exception? readerFailure = null;
        using var done = new ManualResetEventSlim();
        var reader = new Thread(() =>
        {
            try
            {
                while (!done.IsSet)
                {
                    var r = ResultStore.Read(path);
                    Assert.Equal(record.Error, r.Error);
                    reads++;
                }
            }
            catch (Exception e) { readerFailure = e; }
        });
        reader.Start();
        for (int i = 0; i < 40; i++) store.Write(record with { Parameters = i });
        done.Set();
        reader.Join();
        Assert.Null(readerFailure);
        Assert.True(reads > 0);
        Assert.Single(Directory.EnumerateFiles(_dir, "*.json"));
        Assert.Empty(Directory.EnumerateFiles(_dir, "*.tmp"));
    }

    [Fact]
    public void Malformed_file_is_rejected_naming_the_file()
    {
        var store = new ResultStore(_dir);
        var path = Path.Combine(_dir, "broken-run.json");
        File.WriteAllText(path, "{ \"schema_version\": 1, \"run_id\": ");
        var e = Assert.Throws<InvalidDataException>(() => ResultStore.Read(path));
        Assert.Contains("broken-run.json", e.Message);
        Assert.Empty(store.ReadAll());
        Assert.Equal("broken-run.json", Assert.Single(store.Scan().Unreadable).File);
        File.WriteAllText(path, "null");
        var e3 = Assert.Throws<InvalidDataException>(() => ResultStore.Read(path));
        Assert.Contains("broken-run.json", e3.Message);
    }

    [Fact]
    public void Wrong_schema_version_is_rejected()
    {
        var path = Path.Combine(_dir, "future.json");
        File.WriteAllText(path, Json(Sample(schemaVersion: 2)));
        var e = Assert.Throws<InvalidDataException>(() => ResultStore.Read(path));
        Assert.Contains("future.json", e.Message);
        Assert.Contains("schema version 2", e.Message);
    }

    [Fact]
    public void Missing_record_reads_as_null()
    {
        Assert.Null(new ResultStore(_dir).TryRead("nothing-here"));
    }

    [Fact]
    public void Corrupt_truncated_or_incomplete_records_are_reported_and_skipped_never_fatal()
    {
        var store = new ResultStore(_dir);
        store.Write(Sample());
        store.Write(Sample("second-run"));
        var full = File.ReadAllText(store.PathOf("second-run"));
        File.WriteAllText(Path.Combine(_dir, "truncated.json"), full[..(full.Length / 2)]);
        File.WriteAllText(Path.Combine(_dir, "garbage.json"), "\u0000\u0001 not json");
        File.WriteAllText(Path.Combine(_dir, "empty-object.json"), "{}");
        File.WriteAllText(Path.Combine(_dir, "future.json"), Json(Sample("future") with { SchemaVersion = 99 }));

        var contents = store.Scan();
        Assert.Equal(["second-run", Sample().RunId], contents.Records.Select(r => r.RunId));
        Assert.Equal(["empty-object.json", "future.json", "garbage.json", "truncated.json"], contents.Unreadable.Select(u => u.File));
        Assert.All(contents.Unreadable, u => Assert.DoesNotContain(_dir, u.Reason));
        Assert.Contains("schema version 99", contents.Unreadable[1].Reason);
        Assert.Contains("run_id", contents.Unreadable[0].Reason);
        Assert.Equal(2, store.ReadAll().Count);

        File.WriteAllText(store.PathOf("second-run"), full[..10]);
        Assert.Null(store.TryReadReporting("second-run", out var problem));
        Assert.Equal("second-run.json", problem!.File);
    }

    [Fact]
    public void Records_name_their_weights_and_code_and_older_records_without_them_still_read()
    {
        var store = new ResultStore(_dir);
        store.Write(Sample() with { Weights = "x.weights.bin", CodeVersion = "0123456789ab" });
        var text = File.ReadAllText(store.PathOf(Sample().RunId));
        Assert.Contains("\"weights\": \"x.weights.bin\"", text);
        Assert.Contains("\"open_mp_waiting\": \"OpenMP waiting: passive (test)\"", text);
        Assert.Contains("\"malloc\": \"malloc: kept (test)\"", text);
        Assert.Equal("0123456789ab", store.TryRead(Sample().RunId)!.CodeVersion);
        // A record written before these fields existed.
        var old = System.Text.Json.Nodes.JsonNode.Parse(text)!.AsObject();
        old.Remove("weights");
        old.Remove("code_version");
        old["environment"]!.AsObject().Remove("open_mp_waiting");
        old["environment"]!.AsObject().Remove("malloc");
        File.WriteAllText(store.PathOf("old-run"), old.ToJsonString());
        var back = store.TryRead("old-run")!;
        Assert.Null(back.Weights);
        Assert.Null(back.CodeVersion);
        Assert.Null(back.Environment!.OpenMpWaiting);
        Assert.Null(back.Environment!.Malloc);
    }
}
