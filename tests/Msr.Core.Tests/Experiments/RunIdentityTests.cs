using Msr.Core.Experiments;
using Msr.Core.Results;
using Msr.Core.Tests.Data;
using Xunit;

namespace Msr.Core.Tests.Experiments;

public sealed class RunIdentityTests
{
    static RunSpec Spec(Dictionary<string, string>? model = null, Dictionary<string, string>? trainer = null, string? path = null, string dataset = "synthetic") =>
        new(dataset, path, new Dictionary<string, string> { ["rows"] = "600" }, "SharedBottom", model ?? [], trainer ?? new() { ["epochs"] = "2" }, 7);

    static string Id(RunSpec spec, string code = "code-v1") => RunIdentity.Of(spec, _ => code).RunId;

    [Fact]
    public void Golden_id_of_a_fixed_identity()
    {
        // Every input fixed by hand (the code version included), so this value changes only when the hashing
        // itself changes, which would make every finished run in every results folder stale: change it knowingly
        // (and keep the old ids recognised, as RunIdentity.LegacyRunId does for v2).
        var identity = new RunIdentity("synthetic", [KeyValuePair.Create("rows", "600")],
            "batch_size=1024 patience=2 step_lr_step_size=2 step_lr_gamma=0.85 preset=movielens", "SharedBottom",
            [KeyValuePair.Create("bottom_dims", "[128]"), KeyValuePair.Create("tower_dims", "[8]"), KeyValuePair.Create("preset", "movielens")],
            [KeyValuePair.Create("epochs", "2"), KeyValuePair.Create("batch_size", "1024")], 7, "generated", "0123456789ab");
        Assert.Equal("synthetic-sharedbottom-s7-cc60f4c75cbf", identity.RunId);
        Assert.Equal(identity.RunId, (identity with { ModelOptions = [.. identity.ModelOptions.Reverse()] }).RunId);
    }

    [Fact]
    public void Golden_id_of_a_spec_resolved_against_the_registries()
    {
        // The synthetic loader's protocol and the trainer's defaults resolved; an unknown model keeps its options as given and
        // has no code version, so only the hashing, the loader's protocol defaults or a new trainer option change this value
        // (last changed by content fingerprints, the v3 identity).
        var spec = new RunSpec("synthetic", null, new Dictionary<string, string> { ["rows"] = "600" }, "NoSuchModel", new Dictionary<string, string>(),
            new Dictionary<string, string> { ["epochs"] = "2" }, 7);
        Assert.Equal("synthetic-nosuchmodel-s7-fd7a47e41caa", RunIdentity.Of(spec, _ => "fixed").RunId);
        // The same spec's v2 id, pinned before v3 existed: records written under it are still found.
        Assert.Equal("synthetic-nosuchmodel-s7-bd261fef7382", RunIdentity.LegacyRunId(spec, _ => "fixed"));
    }

    [Fact]
    public void Loader_options_spelt_differently_give_one_id()
    {
        Assert.Equal(Id(Spec()), Id(Spec() with { DatasetOptions = new Dictionary<string, string> { ["Rows"] = " 0600" } }));
        Assert.NotEqual(Id(Spec()), Id(Spec() with { DatasetOptions = new Dictionary<string, string> { ["rows"] = "601" } }));
        var history = new Dictionary<string, string> { ["history"] = "5", ["history_attributes"] = "[item_attr1]" };
        Assert.Equal(Id(Spec() with { DatasetOptions = history }),
            Id(Spec() with { DatasetOptions = new Dictionary<string, string> { ["history"] = "5", ["history_attributes"] = "item_attr1" } }));
    }

    [Fact]
    public void A_default_written_out_is_the_default_left_out()
    {
        var defaultWidths = Msr.Core.Models.ModelRegistry.Get("SharedBottom").Options.First(o => o.Name == "bottom_dims").DefaultText("movielens");
        Assert.Equal(Id(Spec()), Id(Spec(model: new() { ["bottom_dims"] = defaultWidths })));
        Assert.Equal(Id(Spec()), Id(Spec(model: new() { ["preset"] = "MovieLens" })));
        // The synthetic loader's protocol batch size is 1024.
        Assert.Equal(Id(Spec()), Id(Spec(trainer: new() { ["epochs"] = "2", ["batch_size"] = "1024" })));
        Assert.NotEqual(Id(Spec()), Id(Spec(model: new() { ["bottom_dims"] = "[7]" })));
        Assert.NotEqual(Id(Spec()), Id(Spec(model: new() { ["preset"] = "amazon" })));
        Assert.NotEqual(Id(Spec()), Id(Spec(trainer: new() { ["epochs"] = "2", ["batch_size"] = "512" })));
    }

    [Fact]
    public void Resolved_options_list_every_declared_option()
    {
        var identity = RunIdentity.Of(Spec(), _ => "x");
        var names = identity.ModelOptions.Select(kv => kv.Key).ToHashSet();
        foreach (var option in Msr.Core.Models.ModelRegistry.Get("SharedBottom").Options) Assert.Contains(option.Name, names);
        Assert.Contains("preset", names);
        Assert.Contains(identity.TrainerOptions, kv => kv.Key == "patience" && kv.Value == "2");
    }

    [Fact]
    public void Other_model_code_gives_another_id()
    {
        Assert.NotEqual(Id(Spec(), "code-v1"), Id(Spec(), "code-v2"));
        Assert.Equal(Id(Spec(), "code-v1"), Id(Spec(), "code-v1"));
    }

    [Fact]
    public void Code_version_is_stable_and_per_model()
    {
        var star = CodeVersion.OfModel("STAR");
        Assert.Matches("^[0-9a-f]{12}$", star);
        Assert.Equal(star, CodeVersion.OfModel("star"));
        var all = Msr.Core.Models.ModelRegistry.All.Select(m => CodeVersion.OfModel(m.Name)).ToList();
        Assert.Equal(all.Count, all.Distinct().Count());
        Assert.Equal(RunIdentity.Of(Spec()).CodeVersion, CodeVersion.OfModel("SharedBottom"));
    }

    [Fact]
    public void Data_files_are_fingerprinted_by_content_wherever_and_whenever_they_were_written()
    {
        using var dir = new TempDir();
        string Write(string folder, string text, DateTime time)
        {
            var file = dir.Write(Path.Combine(folder, "data.csv"), text);
            File.SetLastWriteTimeUtc(file, time);
            return Path.GetDirectoryName(file)!;
        }
        var day1 = new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var here = Id(Spec(path: Write("a", "a,b\n1,2\n", day1), dataset: "csv"));
        // A copy elsewhere, written another day: the same data, the same run (another machine's worker agrees).
        Assert.Equal(here, Id(Spec(path: Write("copy", "a,b\n1,2\n", day1.AddDays(3)), dataset: "csv")));
        // Touched in place: still the same data.
        File.SetLastWriteTimeUtc(Path.Combine(dir.Path, "a", "data.csv"), day1.AddDays(1));
        Assert.Equal(here, Id(Spec(path: Path.Combine(dir.Path, "a"), dataset: "csv")));
        // One byte changed, same size and time: other data.
        Assert.NotEqual(here, Id(Spec(path: Write("b", "a,b\n1,3\n", day1), dataset: "csv")));
        // Another file name in the folder is another input layout.
        dir.Write(Path.Combine("c", "other.csv"), "a,b\n1,2\n");
        Assert.NotEqual(here, Id(Spec(path: Path.Combine(dir.Path, "c"), dataset: "csv")));
        // A dataset path that names one file is read whatever the file is called: a renamed copy is the same data.
        Assert.Equal(Id(Spec(path: Path.Combine(dir.Path, "a", "data.csv"), dataset: "csv")),
            Id(Spec(path: Path.Combine(dir.Path, "c", "other.csv"), dataset: "csv")));
    }

    [Fact]
    public void What_Msr_writes_into_a_data_folder_is_not_data()
    {
        using var dir = new TempDir();
        dir.Write("data.csv", "a,b\n1,2\n");
        var spec = Spec(path: dir.Path, dataset: "csv");
        var before = Id(spec);
        var legacyBefore = RunIdentity.LegacyRunId(spec, _ => "code-v1");
        // Records (and their weights, leases) written into a results folder below the data folder, cache entries, hash memos.
        new ResultStore(Path.Combine(dir.Path, "results")).Write(Results.ResultStoreTests.Sample());
        dir.Write("csv-0123.msrcache", "cache entry");
        dir.Write(Path.Combine("memo", "0123" + Msr.Core.Data.FileContentHash.MemoExtension), "memo");
        Assert.Equal(before, Id(spec));
        Assert.Equal(legacyBefore, RunIdentity.LegacyRunId(spec, _ => "code-v1"));
    }

    [Fact]
    public void A_file_that_cannot_be_read_still_gives_an_id_instead_of_stopping_the_plan()
    {
        using var dir = new TempDir();
        dir.Write("data.csv", "a,b\n1,2\n");
        var spec = Spec(path: dir.Path, dataset: "csv");
        var readable = Id(spec);
        // A link to nothing is listed in the folder but cannot be opened (as root, permissions cannot make a file unreadable).
        File.CreateSymbolicLink(Path.Combine(dir.Path, "gone.csv"), Path.Combine(dir.Path, "nowhere.csv"));
        var withUnreadable = Id(spec);
        Assert.Matches("^csv-sharedbottom-s7-[0-9a-f]{12}$", withUnreadable);
        Assert.NotEqual(readable, withUnreadable);   // the unreadable file is part of the data, not skipped
        Assert.Null(Record.Exception(() => DataFingerprint.BytesToHash(dir.Path)));
    }

    [Fact]
    public void Legacy_ids_are_the_v2_ids_of_path_size_and_time()
    {
        using var dir = new TempDir();
        var file = dir.Write("data.csv", "a,b\n1,2\n");
        File.SetLastWriteTimeUtc(file, new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        var spec = Spec(path: dir.Path, dataset: "csv");
        var legacy = RunIdentity.LegacyRunId(spec, _ => "code-v1");
        Assert.NotEqual(Id(spec), legacy);
        Assert.Matches("^csv-sharedbottom-s7-[0-9a-f]{12}$", legacy);
        // v2 options were hashed as given, so a respelt option was another id there.
        Assert.NotEqual(legacy, RunIdentity.LegacyRunId(spec with { DatasetOptions = new Dictionary<string, string> { ["rows"] = "0600" } }, _ => "code-v1"));
        File.SetLastWriteTimeUtc(file, new DateTime(2024, 1, 2, 0, 0, 0, DateTimeKind.Utc));
        Assert.NotEqual(legacy, RunIdentity.LegacyRunId(spec, _ => "code-v1"));
    }

    [Fact]
    public void Unresolvable_specs_still_get_distinct_ids()
    {
        // Unknown dataset or model, malformed trainer value: the run fails when prepared, under its own id.
        var unknown = Spec(dataset: "nope");
        Assert.Matches("^nope-sharedbottom-s7-[0-9a-f]{12}$", Id(unknown));
        Assert.NotEqual(Id(Spec(trainer: new() { ["epochs"] = "x" })), Id(Spec(trainer: new() { ["epochs"] = "y" })));
        Assert.NotEqual(Id(Spec(path: "/no/such/a")), Id(Spec(path: "/no/such/b")));
    }
}
