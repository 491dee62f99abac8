using Msr.Core.Metrics;
using Msr.Core.Results;
using Msr.Core.Stats;

namespace Msr.Core.Reports;

/// <summary>A run that did not complete: excluded from every table, but counted in captions.</summary>
public sealed record FailedRun(string Dataset, string Model, long Seed, string RunId, string? Error);

/// <summary>Run records in tidy form, ready for tables.</summary>
/// <param name="Observations">One row per completed run × scenario (incl. "overall") × metric with a defined value.</param>
/// <param name="Failed">Runs that did not complete (not in <paramref name="Observations"/>).</param>
/// <param name="ScenarioOrder">Per dataset: "overall", then the scenarios in the order of the records' evaluations.</param>
/// <param name="ModelOrder">Per dataset: model labels in run order (<see cref="RecordConversion.InRunOrder"/>: first
/// appearance among the records sorted by start time), or in an explicit order (<see cref="RecordConversion.OrderModels"/>).</param>
/// <param name="Notes">What was left out and why (e.g. an AUC undefined because a scenario's test rows hold one class).</param>
public sealed record RunObservations(
    IReadOnlyList<ResultObservation> Observations,
    IReadOnlyList<FailedRun> Failed,
    IReadOnlyDictionary<string, IReadOnlyList<string>> ScenarioOrder,
    IReadOnlyDictionary<string, IReadOnlyList<string>> ModelOrder,
    IReadOnlyList<string> Notes);

/// <summary>Turns <see cref="RunRecord"/>s into <see cref="ResultObservation"/>s (tidy long form).</summary>
public static class RecordConversion
{
    /// <summary>
    /// The model label of a run: the model name, plus the hyper-parameters whose values differ among runs of the same
    /// model on the same dataset (a sweep), e.g. "MMoE (experts=4)", then the trainer options that differ among them
    /// under their record names, e.g. "SharedBottom (embedding_updates=lazy)": runs trained differently are never
    /// pooled as seeds of one model. Options that differ only between datasets (presets) do not split a model.
    /// </summary>
    public static string ModelLabel(IReadOnlyList<RunRecord> all, RunRecord record) => Labeler(all)(record);

    /// <summary>
    /// The dataset label of a run: the dataset's name (its <c>name</c> option, else the loader name), plus the loader
    /// options (and the folder) that differ among runs of that data, e.g. "synthetic (scenarios=4)" or
    /// "kuairand (top_k=3)". Runs on differently prepared data are never pooled into one table; a single preparation
    /// keeps the plain name.
    /// </summary>
    public static Func<RunRecord, string> DatasetLabeler(IReadOnlyList<RunRecord> all)
    {
        ArgumentNullException.ThrowIfNull(all);
        var varying = new Dictionary<(string Loader, string Name), (string[] Keys, bool Path)>();
        var records = all.Where(r => r is not null).ToList();
        // A name two loaders share (a custom file called "movielens") keeps the loader in its label: never pooled.
        var sharedNames = records.GroupBy(DatasetName, StringComparer.Ordinal)
            .Where(g => g.Select(r => r.Config.Dataset).Distinct(StringComparer.Ordinal).Count() > 1).Select(g => g.Key).ToHashSet(StringComparer.Ordinal);
        foreach (var group in records.GroupBy(r => (r.Config.Dataset, DatasetName(r))))
        {
            var runs = group.ToList();
            var keys = runs.SelectMany(r => r.Config.DatasetOptions.Keys).Distinct().Where(k => k != NameOption)
                .Where(k => runs.Select(r => r.Config.DatasetOptions.TryGetValue(k, out var v) ? v : "").Distinct().Count() > 1)
                .Order(StringComparer.Ordinal).ToArray();
            varying[group.Key] = (keys, runs.Select(r => r.Config.DatasetPath ?? "").Distinct().Count() > 1);
        }
        return record =>
        {
            ArgumentNullException.ThrowIfNull(record);
            var name = DatasetName(record);
            var (keys, path) = varying.TryGetValue((record.Config.Dataset, name), out var v) ? v : ([], false);
            if (sharedNames.Contains(name) && name != record.Config.Dataset) name = $"{name} [{record.Config.Dataset}]";
            var shown = new List<string>();
            if (path) shown.Add(Path.GetFileName(Path.TrimEndingDirectorySeparator(record.Config.DatasetPath ?? "")));
            shown.AddRange(keys.Where(record.Config.DatasetOptions.ContainsKey).Select(k => $"{k}={record.Config.DatasetOptions[k]}"));
            return shown.Count == 0 ? name : $"{name} ({string.Join(", ", shown)})";
        };
    }

    /// <summary>A loader option that names the data itself (the <c>csv</c> loader's, defaulting to the file name).</summary>
    const string NameOption = "name";

    /// <summary>
    /// The dataset's name in tables: its <c>name</c> option when the loader has one (a custom file is "clicks", not
    /// "csv"), else the registry name.
    /// </summary>
    static string DatasetName(RunRecord record) =>
        record.Config.DatasetOptions.TryGetValue(NameOption, out var name) && !string.IsNullOrWhiteSpace(name) ? name : record.Config.Dataset;

    /// <summary>
    /// <see cref="ModelLabel"/> for many records at once: the varying options of each (dataset, model) are computed once,
    /// so labelling n records costs O(n) instead of O(n²).
    /// </summary>
    public static Func<RunRecord, string> Labeler(IReadOnlyList<RunRecord> all)
    {
        ArgumentNullException.ThrowIfNull(all);
        var datasetOf = DatasetLabeler(all);
        var varying = new Dictionary<(string, string), (string[] Model, string[] Trainer)>();
        var trainerOf = new Dictionary<RunRecord, IReadOnlyDictionary<string, string>>(ReferenceEqualityComparer.Instance);
        foreach (var group in all.Where(r => r is not null).GroupBy(r => (datasetOf(r), r.Config.Model)))
        {
            var runs = group.ToList();
            foreach (var r in runs) trainerOf[r] = TrainerFields(r);
            varying[group.Key] = (VaryingKeys(runs.Select(r => r.Config.ModelOptions)), VaryingKeys(runs.Select(r => trainerOf[r])));
        }
        return record =>
        {
            ArgumentNullException.ThrowIfNull(record);
            var (modelKeys, trainerKeys) = varying.TryGetValue((datasetOf(record), record.Config.Model), out var k) ? k : ([], []);
            var trainer = trainerKeys.Length == 0 ? new Dictionary<string, string>() : trainerOf.GetValueOrDefault(record) ?? TrainerFields(record);
            var shown = modelKeys.Where(record.Config.ModelOptions.ContainsKey).Select(key => $"{key}={record.Config.ModelOptions[key]}")
                .Concat(trainerKeys.Where(trainer.ContainsKey).Select(key => $"{key}={trainer[key]}")).ToList();
            return shown.Count == 0 ? record.Config.Model : $"{record.Config.Model} ({string.Join(", ", shown)})";
        };
    }

    /// <summary>The keys whose values differ among the given option sets (a missing key counts as its own value).</summary>
    static string[] VaryingKeys(IEnumerable<IReadOnlyDictionary<string, string>> optionSets)
    {
        var sets = optionSets.ToList();
        return [.. sets.SelectMany(o => o.Keys).Distinct()
            .Where(k => sets.Select(o => o.TryGetValue(k, out var v) ? v : "").Distinct().Count() > 1)
            .Order(StringComparer.Ordinal)];
    }

    const string TrainerPrefix = "trainer.";

    /// <summary>A run's trainer options as its record writes them (<c>embedding_updates</c>, <c>learning_rate</c>, …).</summary>
    static IReadOnlyDictionary<string, string> TrainerFields(RunRecord record) =>
        RegressionCheck.ConfigurationFields(record)
            .Where(f => f.Key.StartsWith(TrainerPrefix, StringComparison.Ordinal))
            .ToDictionary(f => f.Key[TrainerPrefix.Length..], f => f.Value, StringComparer.Ordinal);

    /// <summary>
    /// The records in the order their runs started (<see cref="RunRecord.StartedUtc"/>; ties keep the given order, e.g.
    /// file names). An experiment runs its grid model by model in the order it lists them (datasets × models × sweeps ×
    /// seeds), so first appearance in this order is the experiment's model order — unlike file names, which sort
    /// alphabetically. Runs added later by resuming an extended grid come last.
    /// </summary>
    public static IReadOnlyList<RunRecord> InRunOrder(IReadOnlyList<RunRecord> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        if (records.Any(r => r is null)) throw new ArgumentException("A run record is null.", nameof(records));
        return [.. records.OrderBy(r => r.StartedUtc)]; // OrderBy is stable
    }

    /// <summary>
    /// Puts <paramref name="models"/> (labels in run order) into <paramref name="explicitOrder"/> where one is given:
    /// labels named in it come first, in its order, the others follow in their run order. An entry names a label exactly,
    /// case-insensitively, or by its model name (<c>MMoE</c> places every <c>MMoE (experts=…)</c> label, in run order).
    /// </summary>
    public static IReadOnlyList<string> OrderModels(IReadOnlyList<string> models, IReadOnlyList<string>? explicitOrder)
    {
        if (explicitOrder is null || explicitOrder.Count == 0) return models;
        var placed = new List<string>();
        foreach (var entry in explicitOrder)
            foreach (var m in models.Where(m => !placed.Contains(m) && NamesLabel(entry, m)))
                placed.Add(m);
        return [.. placed, .. models.Where(m => !placed.Contains(m))];
    }

    /// <summary>Throws when an entry of <paramref name="explicitOrder"/> names none of <paramref name="models"/> (a typo
    /// would otherwise silently leave the order alone).</summary>
    public static void CheckOrder(IReadOnlyList<string> models, IReadOnlyList<string>? explicitOrder)
    {
        foreach (var entry in explicitOrder ?? [])
            if (!models.Any(m => NamesLabel(entry, m)))
                throw new ArgumentException(
                    $"Unknown model '{entry}' in the model order. Models in the results: {(models.Count == 0 ? "(none)" : string.Join(", ", models))}.",
                    nameof(explicitOrder));
    }

    private static bool NamesLabel(string entry, string label)
    {
        var e = entry.Trim();
        int paren = label.IndexOf(" (", StringComparison.Ordinal);
        return string.Equals(label, e, StringComparison.OrdinalIgnoreCase)
               || (paren > 0 && string.Equals(label[..paren], e, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>
    /// A resumed grid after a model or trainer change leaves the old code's record beside the new one (their run ids
    /// differ by the code version): the newer record of a (dataset, model, seed) supersedes records of other code
    /// versions, with a note. Records of the same code version stay, and <see cref="ToObservations"/> rejects them.
    /// </summary>
    static IReadOnlyList<RunRecord> WithoutSuperseded(IReadOnlyList<RunRecord> records, Func<RunRecord, string> datasetOf,
        Func<RunRecord, string> labelOf, List<string> notes)
    {
        var superseded = new HashSet<RunRecord>(ReferenceEqualityComparer.Instance);
        foreach (var group in records.Where(r => r.IsCompleted).GroupBy(r => (datasetOf(r), labelOf(r), r.Config.Seed)))
        {
            var newest = group.MaxBy(r => r.FinishedUtc)!;
            foreach (var old in group.Where(r => !ReferenceEquals(r, newest) && r.CodeVersion != newest.CodeVersion))
            {
                superseded.Add(old);
                notes.Add($"Run '{old.RunId}' (code {old.CodeVersion ?? "unknown"}) is superseded by '{newest.RunId}' (code {newest.CodeVersion ?? "unknown"}) and left out.");
            }
        }
        return superseded.Count == 0 ? records : [.. records.Where(r => !superseded.Contains(r))];
    }

    /// <summary>
    /// Observations of the completed runs for the given metrics (default auc and logloss). Failed runs are listed in
    /// <see cref="RunObservations.Failed"/>. Two completed runs of the same dataset, model label and seed are an error
    /// (<see cref="InvalidDataException"/> naming both run ids): they would silently double a seed. Models are in run
    /// order (<see cref="InRunOrder"/>), or <paramref name="modelOrder"/> (<see cref="OrderModels"/>) first.
    /// </summary>
    public static RunObservations ToObservations(IReadOnlyList<RunRecord> records, IReadOnlyList<string>? metrics = null,
        IReadOnlyList<string>? modelOrder = null)
    {
        ArgumentNullException.ThrowIfNull(records);
        records = InRunOrder(records);
        var wanted = (metrics ?? ["auc", "logloss"]).Select(Metric.Get).ToList();
        var observations = new List<ResultObservation>();
        var failed = new List<FailedRun>();
        var notes = new List<string>();
        var scenarioOrder = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var modelsOf = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var seen = new Dictionary<(string, string, long), string>();
        var labelOf = Labeler(records);
        var datasetOf = DatasetLabeler(records);
        records = WithoutSuperseded(records, datasetOf, labelOf, notes);
        foreach (var r in records)
        {
            string dataset = datasetOf(r), label = labelOf(r);
            if (!modelsOf.TryGetValue(dataset, out var models)) modelsOf[dataset] = models = [];
            if (!models.Contains(label)) models.Add(label);
            if (!scenarioOrder.TryGetValue(dataset, out var scenarios)) scenarioOrder[dataset] = scenarios = [ResultObservation.Overall];
            if (!r.IsCompleted || r.Test is null)
            {
                failed.Add(new FailedRun(dataset, label, r.Config.Seed, r.RunId, r.Error ?? (r.IsCompleted ? "no test evaluation" : r.Status)));
                continue;
            }
            if (seen.TryGetValue((dataset, label, r.Config.Seed), out var other))
                throw new InvalidDataException(
                    $"Runs '{other}' and '{r.RunId}' are both {label} on {dataset} with seed {r.Config.Seed}; remove one of them.");
            seen[(dataset, label, r.Config.Seed)] = r.RunId;
            if (r.Config.Seed is < int.MinValue or > int.MaxValue)
                throw new InvalidDataException($"Run '{r.RunId}': seed {r.Config.Seed} does not fit a 32-bit integer.");
            int seed = (int)r.Config.Seed;
            foreach (var set in r.Test.Scenarios.Prepend(r.Test.Overall))
            {
                string scenario = set == r.Test.Overall ? ResultObservation.Overall : set.Name;
                if (!scenarios.Contains(scenario)) scenarios.Add(scenario);
                foreach (var metric in wanted)
                {
                    double? value = ValueOf(set, metric);
                    if (value is double v && double.IsFinite(v))
                        observations.Add(new ResultObservation(dataset, scenario, label, seed, metric.Name, v));
                    else
                        notes.Add($"{dataset}/{scenario}: {metric.Name} of {label} seed {seed} is undefined (run {r.RunId}) and left out.");
                }
            }
        }
        ThrowWhereNoRunHasGauc(wanted, observations, records);
        return new RunObservations(observations, failed,
            scenarioOrder.ToDictionary(p => p.Key, p => (IReadOnlyList<string>)p.Value, StringComparer.Ordinal),
            modelsOf.ToDictionary(p => p.Key, p => OrderModels(p.Value, modelOrder), StringComparer.Ordinal),
            notes);
    }

    /// <summary>
    /// GAUC asked for where no completed run recorded it (data without a user column) would fill every GAUC column with
    /// empty cells and notes: an error saying why instead. (An AUC undefined everywhere stays a note per cell: it is a
    /// property of the test rows, not a missing column.)
    /// </summary>
    static void ThrowWhereNoRunHasGauc(IReadOnlyList<Metric> wanted, List<ResultObservation> observations, IReadOnlyList<RunRecord> records)
    {
        if (!wanted.Any(m => m.Name == "gauc") || !records.Any(r => r.IsCompleted && r.Test is not null)) return;
        if (observations.Any(o => o.Metric == "gauc")) return;
        throw new ArgumentException(
            "No completed run recorded GAUC: it is computed only on data with a user column (the loader's user feature), and " +
            "none of these runs had one. Ask for auc and logloss instead.");
    }

    /// <summary>The value of <paramref name="metric"/> in a record's metric set (null where undefined or, for GAUC, not
    /// recorded: a dataset without a user column, or a record written before GAUC existed).</summary>
    public static double? ValueOf(MetricSet set, Metric metric) => metric.Name switch
    {
        "auc" => set.Auc,
        "gauc" => set.Gauc,
        "logloss" => set.LogLoss,
        _ => throw new ArgumentException($"Run records do not hold metric '{metric.Name}'; they hold auc, gauc and logloss.", nameof(metric)),
    };
}
