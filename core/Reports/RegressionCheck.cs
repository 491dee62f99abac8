using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Msr.Core.Results;
using Msr.Core.Stats;

namespace Msr.Core.Reports;

/// <summary>What <see cref="RegressionCheck.Run"/> tests and how.</summary>
public sealed record RegressionCheckOptions
{
    /// <summary>Metrics to check (default auc and logloss); directions come from <see cref="Metric"/>.</summary>
    public IReadOnlyList<string> Metrics { get; init; } = ["auc", "logloss"];

    /// <summary>Level of each cell's one-sided test; a cell passes when p &lt; α.</summary>
    public double Alpha { get; init; } = 0.05;

    /// <summary>Margin of every metric not in <see cref="Margins"/>, in metric units.</summary>
    public double Margin { get; init; } = 0.001;

    /// <summary>Per-metric margins (metric name → margin), overriding <see cref="Margin"/>.</summary>
    public IReadOnlyDictionary<string, double> Margins { get; init; } = new Dictionary<string, double>();

    public NonInferiorityTest Test { get; init; } = NonInferiorityTest.Welch;

    /// <summary>Check without failed runs instead of refusing the input.</summary>
    public bool AllowFailed { get; init; }

    /// <summary>Scenarios to check (null: overall and every scenario).</summary>
    public IReadOnlyList<string>? Scenarios { get; init; }

    /// <summary>Configuration fields left out of matching (as <see cref="RegressionCheck.ConfigurationFields"/> names
    /// them, e.g. <c>dataset_path</c>); a name also drops every field below it (<c>trainer</c> drops all trainer fields).</summary>
    public IReadOnlyList<string> Ignore { get; init; } = [];

    /// <summary>The margin of a metric.</summary>
    public double MarginOf(Metric metric) =>
        Margins.FirstOrDefault(p => Stats.Metric.Get(p.Key) == metric) is { Key: not null } hit ? hit.Value : Margin;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad option.</summary>
    public void Validate()
    {
        if (!(Alpha > 0 && Alpha < 1)) throw new ArgumentException($"--alpha must lie in (0, 1), got {Alpha}.", nameof(Alpha));
        if (Metrics.Count == 0) throw new ArgumentException("--metric: name at least one metric (auc, logloss).", nameof(Metrics));
        foreach (var name in Metrics.Concat(Margins.Keys))
        {
            var metric = Stats.Metric.Get(name);
            if (metric != Stats.Metric.Auc && metric != Stats.Metric.LogLoss)
                throw new ArgumentException($"Run records hold auc and logloss, not '{name}'.", nameof(Metrics));
        }
        foreach (var (name, margin) in Margins.Select(p => (p.Key, p.Value)).Append(("all metrics", Margin)))
            if (!double.IsFinite(margin) || margin < 0)
                throw new ArgumentException($"--margin of {name} must be a finite number ≥ 0, got {margin}.", nameof(Margins));
        if (!Enum.IsDefined(Test)) throw new ArgumentException($"Unknown test {Test}.", nameof(Test));
    }
}

/// <summary>How a checked cell came out.</summary>
public enum CheckVerdict
{
    /// <summary>Not worse beyond the margin, shown at α: passes.</summary>
    NonInferior,
    /// <summary>Not shown non-inferior, and the mean itself is worse by the margin or more: fails.</summary>
    Worse,
    /// <summary>Not shown non-inferior although the mean is within the margin: too few or too noisy seeds for this
    /// margin. Fails too (the burden of proof is on the current build).</summary>
    Unproven,
}

/// <summary>One checked (dataset, scenario, model, metric) cell.</summary>
public sealed record RegressionCell(string Dataset, string Scenario, string Model, NonInferiorityResult Result,
    IReadOnlyList<long> BaselineSeeds, IReadOnlyList<long> CurrentSeeds)
{
    public CheckVerdict Verdict =>
        Result.NonInferior ? CheckVerdict.NonInferior
        : Result.Improvement <= -Result.Margin ? CheckVerdict.Worse
        : CheckVerdict.Unproven;

    public bool Passed => Verdict == CheckVerdict.NonInferior;
}

/// <summary>A failed run record and the side (baseline or current) it belongs to.</summary>
public sealed record CheckedFailedRun(string Side, FailedRun Run);

/// <summary>Outcome of a regression check.</summary>
/// <param name="Cells">Every tested cell, worst first.</param>
/// <param name="Problems">Why the input is unusable (empty when it is usable); any problem makes the exit code 2.</param>
/// <param name="Failed">Failed run records of either side.</param>
/// <param name="Notes">What was left out and why (e.g. undefined AUC of a single-class scenario).</param>
public sealed record RegressionCheckResult(RegressionCheckOptions Options, IReadOnlyList<RegressionCell> Cells,
    IReadOnlyList<string> Problems, IReadOnlyList<CheckedFailedRun> Failed, IReadOnlyList<string> Notes)
{
    /// <summary>0: every cell is non-inferior; 1: some cell is not; 2: the input is unusable (<see cref="Problems"/>).</summary>
    public int ExitCode => Problems.Count > 0 ? 2 : Cells.All(c => c.Passed) ? 0 : 1;
}

/// <summary>
/// The CI regression gate behind <c>msr check</c>: compares a current results folder with a baseline one, run
/// configuration by run configuration (matched on the resolved configuration minus the seed; run ids, timing and
/// environment are never compared), and tests every (dataset, scenario, model, metric) cell for non-inferiority over
/// seeds (<see cref="NonInferiority"/>). Seeds may differ between the two sides: the tests are unpaired.
/// </summary>
public static class RegressionCheck
{
    public const string BaselineSide = "baseline";
    public const string CurrentSide = "current";

    public static RegressionCheckResult Run(IReadOnlyList<RunRecord> baseline, IReadOnlyList<RunRecord> current,
        RegressionCheckOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(baseline);
        ArgumentNullException.ThrowIfNull(current);
        options ??= new RegressionCheckOptions();
        options.Validate();
        var problems = new List<string>();
        var notes = new List<string>();
        var failed = new List<CheckedFailedRun>();
        if (baseline.Count == 0) problems.Add("the baseline holds no run records");
        if (current.Count == 0) problems.Add("the current results hold no run records");
        if (problems.Count > 0) return new RegressionCheckResult(options, [], problems, failed, notes);

        var groups = Match(baseline, current, options.Ignore, problems);
        var metrics = options.Metrics.Select(Metric.Get).Distinct().ToList();
        CheckScenarioNames(groups, options.Scenarios, problems);
        var cells = new List<RegressionCell>();
        var unreachable = new SortedSet<(int, int)>();
        foreach (var group in groups)
        {
            var sides = new Dictionary<string, RunObservations>();
            foreach (var (side, records) in new[] { (BaselineSide, group.Baseline), (CurrentSide, group.Current) })
            {
                try { sides[side] = RecordConversion.ToObservations(records, [.. metrics.Select(m => m.Name)]); }
                catch (InvalidDataException e) { problems.Add($"{side}: {e.Message}"); }
            }
            if (sides.Count < 2) continue;
            foreach (var (side, obs) in sides)
            {
                failed.AddRange(obs.Failed.Select(f => new CheckedFailedRun(side, f with { Dataset = group.Dataset, Model = group.Model })));
                notes.AddRange(obs.Notes.Select(n => $"{side}: {n}"));
            }
            foreach (var scenario in ScenariosOf(sides.Values, options.Scenarios))
                foreach (var metric in metrics)
                {
                    var b = Values(sides[BaselineSide], scenario, metric);
                    var c = Values(sides[CurrentSide], scenario, metric);
                    string where = $"{group.Model} on {group.Dataset}, {scenario} {metric.Name}";
                    if (b.Count == 0 && c.Count == 0)
                    {
                        notes.Add($"{where}: no defined value on either side; not checked.");
                        continue;
                    }
                    if (b.Count < NonInferiority.MinimumSeeds || c.Count < NonInferiority.MinimumSeeds)
                    {
                        problems.Add($"too few seeds for {where}: baseline {Seeds(b)}, current {Seeds(c)}; " +
                                     $"at least {NonInferiority.MinimumSeeds} per side are needed");
                        continue;
                    }
                    if (NonInferiority.SmallestPValue(options.Test, c.Count, b.Count) >= options.Alpha)
                    {
                        unreachable.Add((b.Count, c.Count));
                        continue;
                    }
                    var result = NonInferiority.Test(metric, [.. c.Select(v => v.Value)], [.. b.Select(v => v.Value)],
                        options.MarginOf(metric), options.Alpha, options.Test);
                    cells.Add(new RegressionCell(group.Dataset, scenario, group.Model, result,
                        [.. b.Select(v => v.Seed)], [.. c.Select(v => v.Seed)]));
                }
        }
        foreach (var (nb, nc) in unreachable)
            problems.Add($"Mann-Whitney with {nb} baseline and {nc} current seeds cannot reach a p-value below α = {options.Alpha:G4} " +
                         $"(its smallest is {NonInferiority.SmallestPValue(NonInferiorityTest.MannWhitney, nc, nb):G4}): use more seeds or --test welch");
        if (failed.Count > 0 && !options.AllowFailed)
            problems.Add($"{failed.Count} failed run(s) (listed below): fix them, or pass --allow-failed to check without them");
        var sorted = cells.OrderBy(c => c.Verdict switch { CheckVerdict.Worse => 0, CheckVerdict.Unproven => 1, _ => 2 })
            .ThenBy(c => c.Result.Margin > 0 ? c.Result.Improvement / c.Result.Margin : c.Result.Improvement)
            .ThenByDescending(c => c.Result.Test.PValue).ToList();
        return new RegressionCheckResult(options, sorted, problems, failed, notes);
    }

    /// <summary>
    /// The fields a run's configuration is matched on: its <see cref="RunConfig"/> as stored in the record (JSON names,
    /// nested names joined with '.', e.g. <c>model_options.tower_dims</c>, <c>trainer.epochs</c>), without the seed and
    /// without the <paramref name="ignore"/>d fields. Anything outside the configuration (run id, status, timing,
    /// environment, versions) is never part of it.
    /// </summary>
    public static IReadOnlyList<KeyValuePair<string, string>> ConfigurationFields(RunRecord record, IReadOnlyList<string>? ignore = null)
    {
        ArgumentNullException.ThrowIfNull(record);
        var fields = new List<KeyValuePair<string, string>>();
        Flatten(JsonSerializer.SerializeToNode(record.Config, ResultStore.Json), "", fields);
        bool Dropped(string key) => key == SeedField
            || (ignore ?? []).Any(i => key == i || key.StartsWith(i + ".", StringComparison.Ordinal));
        return [.. fields.Where(f => !Dropped(f.Key)).OrderBy(f => f.Key, StringComparer.Ordinal)];
    }

    const string SeedField = "seed";

    static void Flatten(JsonNode? node, string prefix, List<KeyValuePair<string, string>> into)
    {
        if (node is JsonObject obj)
            foreach (var (key, child) in obj) Flatten(child, prefix.Length == 0 ? key : $"{prefix}.{key}", into);
        else
            into.Add(new(prefix, node is null ? "null" : node is JsonValue v && v.TryGetValue<string>(out var s) ? s : node.ToJsonString()));
    }

    /// <summary>Runs of one configuration on both sides, with its display labels.</summary>
    sealed record ConfigGroup(string Key, IReadOnlyList<KeyValuePair<string, string>> Fields, string Dataset, string Model,
        List<RunRecord> Baseline, List<RunRecord> Current);

    /// <summary>Groups both sides by configuration; a configuration on one side only is a problem naming the nearest
    /// configuration of the other side and the fields that differ.</summary>
    static List<ConfigGroup> Match(IReadOnlyList<RunRecord> baseline, IReadOnlyList<RunRecord> current, IReadOnlyList<string> ignore,
        List<string> problems)
    {
        var all = baseline.Concat(current).ToList();
        var datasetOf = RecordConversion.DatasetLabeler(all);
        var modelOf = RecordConversion.Labeler(all);
        var groups = new Dictionary<string, ConfigGroup>(StringComparer.Ordinal);
        foreach (var (side, records) in new[] { (BaselineSide, baseline), (CurrentSide, current) })
            foreach (var r in records)
            {
                var fields = ConfigurationFields(r, ignore);
                var key = string.Join("\n", fields.Select(f => $"{f.Key}={f.Value}"));
                if (!groups.TryGetValue(key, out var g))
                    groups[key] = g = new ConfigGroup(key, fields, datasetOf(r), modelOf(r), [], []);
                (side == BaselineSide ? g.Baseline : g.Current).Add(r);
            }
        var matched = new List<ConfigGroup>();
        foreach (var g in groups.Values)
        {
            if (g.Baseline.Count > 0 && g.Current.Count > 0) { matched.Add(g); continue; }
            var (side, other) = g.Baseline.Count > 0 ? (BaselineSide, CurrentSide) : (CurrentSide, BaselineSide);
            var seeds = string.Join(", ", g.Baseline.Concat(g.Current).Select(r => r.Config.Seed));
            var candidates = groups.Values.Where(o => other == BaselineSide ? o.Baseline.Count > 0 : o.Current.Count > 0).ToList();
            var message = $"{g.Model} on {g.Dataset} (seeds {seeds}) is in the {side} only";
            if (candidates.Count > 0)
            {
                var nearest = candidates.MinBy(o => Differences(g.Fields, o.Fields).Count)!;
                var diffs = Differences(g.Fields, nearest.Fields);
                message += $"; the nearest {other} configuration ({nearest.Model} on {nearest.Dataset}) differs in " +
                           string.Join("; ", diffs.Take(8).Select(d => $"{d.Field}: {side} {d.Mine}, {other} {d.Theirs}")) +
                           (diffs.Count > 8 ? $"; and {diffs.Count - 8} more" : "");
            }
            problems.Add(message);
        }
        Disambiguate(matched);
        return matched;
    }

    static List<(string Field, string Mine, string Theirs)> Differences(IReadOnlyList<KeyValuePair<string, string>> mine,
        IReadOnlyList<KeyValuePair<string, string>> theirs)
    {
        var a = mine.ToDictionary(p => p.Key, p => p.Value);
        var b = theirs.ToDictionary(p => p.Key, p => p.Value);
        return [.. a.Keys.Union(b.Keys).Order(StringComparer.Ordinal)
            .Select(k => (k, a.TryGetValue(k, out var x) ? x : "(absent)", b.TryGetValue(k, out var y) ? y : "(absent)"))
            .Where(d => d.Item2 != d.Item3)];
    }

    /// <summary>Configurations that differ only where the report labels do not look (e.g. a trainer option) get the
    /// differing fields appended to their model label, so no two rows of the table read alike.</summary>
    static void Disambiguate(List<ConfigGroup> groups)
    {
        foreach (var clash in groups.GroupBy(g => (g.Dataset, g.Model)).Where(c => c.Count() > 1).ToList())
        {
            var members = clash.ToList();
            var varying = members.SelectMany(m => m.Fields.Select(f => f.Key)).Distinct()
                .Where(k => members.Select(m => m.Fields.FirstOrDefault(f => f.Key == k).Value ?? "").Distinct().Count() > 1)
                .Order(StringComparer.Ordinal).ToList();
            foreach (var m in members)
            {
                var shown = varying.Select(k => $"{k}={m.Fields.FirstOrDefault(f => f.Key == k).Value ?? "(absent)"}");
                groups[groups.IndexOf(m)] = m with { Model = $"{m.Model} [{string.Join(", ", shown)}]" };
            }
        }
    }

    static void CheckScenarioNames(List<ConfigGroup> groups, IReadOnlyList<string>? wanted, List<string> problems)
    {
        if (wanted is null) return;
        var known = groups.SelectMany(g => g.Baseline.Concat(g.Current)).Where(r => r.Test is not null)
            .SelectMany(r => r.Test!.Scenarios.Select(s => s.Name)).Prepend(ResultObservation.Overall).Distinct().ToList();
        foreach (var name in wanted.Where(w => !known.Contains(w)))
            problems.Add($"scenario '{name}' is in no record; scenarios: {string.Join(", ", known)}");
    }

    /// <summary>"overall" then every scenario in record order, or the requested ones.</summary>
    static IEnumerable<string> ScenariosOf(IEnumerable<RunObservations> sides, IReadOnlyList<string>? wanted)
    {
        var order = sides.SelectMany(s => s.ScenarioOrder.Values.SelectMany(v => v)).Distinct().ToList();
        return wanted is null ? order : order.Where(wanted.Contains);
    }

    static List<(long Seed, double Value)> Values(RunObservations side, string scenario, Metric metric) =>
        [.. side.Observations.Where(o => o.Scenario == scenario && o.Metric == metric.Name).Select(o => ((long)o.Seed, o.Value))];

    static string Seeds(List<(long Seed, double Value)> values) =>
        values.Count == 0 ? "none" : $"{values.Count} (seed{(values.Count == 1 ? "" : "s")} {string.Join(", ", values.Select(v => v.Seed))})";

    /// <summary>The check as plain text: what was tested, a Markdown table of every cell (worst first), the verdict,
    /// then the problems, failed runs and notes.</summary>
    public static string Render(RegressionCheckResult result, int digits = 4)
    {
        ArgumentNullException.ThrowIfNull(result);
        var o = result.Options;
        var inv = CultureInfo.InvariantCulture;
        string F(double v) => v.ToString("F" + digits, inv);
        string Signed(double v) => (v >= 0 ? "+" : "") + F(v);
        var sb = new StringBuilder();
        var metrics = o.Metrics.Select(Metric.Get).Distinct().ToList();
        sb.AppendLine($"Non-inferiority of current against baseline per (dataset, scenario, model, metric), over seeds: " +
                      $"one-sided {(o.Test == NonInferiorityTest.Welch ? "Welch t-test" : "Mann-Whitney U test")}, α = {o.Alpha.ToString("G4", inv)}.");
        sb.AppendLine("H0: current is worse than baseline by the margin or more (" +
                      string.Join("; ", metrics.Select(m => $"{m.Name} {(m.Direction == MetricDirection.HigherIsBetter ? "lower" : "higher")} by ≥ {o.MarginOf(m).ToString("G6", inv)}")) +
                      "). A cell passes when p < α.");
        if (result.Cells.Count > 0)
        {
            sb.AppendLine();
            bool bound = result.Cells.Any(c => c.Result.LowerBound is not null);
            sb.AppendLine("| dataset | scenario | model | metric | n base/cur | baseline | current | delta | margin |" + (bound ? " loss ≤ |" : "") + " p | verdict |");
            sb.AppendLine("|---|---|---|---|---:|---:|---:|---:|---:|" + (bound ? "---:|" : "") + "---:|---|");
            foreach (var c in result.Cells)
            {
                var r = c.Result;
                string arrow = r.Metric.Direction == MetricDirection.HigherIsBetter ? "↑" : "↓";
                string loss = r.LowerBound is double lb ? F(Math.Max(0, -lb)) : "–";
                sb.AppendLine($"| {c.Dataset} | {c.Scenario} | {c.Model} | {r.Metric.Name} {arrow} | {c.BaselineSeeds.Count}/{c.CurrentSeeds.Count} | " +
                              $"{F(r.BaselineMean)} | {F(r.CurrentMean)} | {Signed(r.Delta)} | {F(r.Margin)} |" + (bound ? $" {loss} |" : "") +
                              $" {PValue(r.Test.PValue)} | {VerdictText(c.Verdict)} |");
            }
            sb.AppendLine();
            if (bound)
                sb.AppendLine($"loss ≤: the largest loss the seeds cannot rule out (one-sided {(1 - o.Alpha).ToString("P0", inv)} " +
                              "confidence bound); a cell passes exactly when it is below the margin.");
        }
        int worse = result.Cells.Count(c => c.Verdict == CheckVerdict.Worse), unproven = result.Cells.Count(c => c.Verdict == CheckVerdict.Unproven);
        sb.AppendLine(result.ExitCode switch
        {
            2 => $"Result: UNUSABLE INPUT ({result.Problems.Count} problem(s) below); exit 2.",
            1 => $"Result: FAIL — {worse + unproven} of {result.Cells.Count} cells not shown non-inferior " +
                 $"({worse} worse beyond the margin, {unproven} unproven: too few or too noisy seeds for the margin); exit 1.",
            _ => $"Result: PASS — all {result.Cells.Count} cells non-inferior; exit 0.",
        });
        if (result.Problems.Count > 0)
        {
            sb.AppendLine().AppendLine("Problems:");
            foreach (var p in result.Problems) sb.AppendLine($"- {p}");
        }
        if (result.Failed.Count > 0)
        {
            sb.AppendLine().AppendLine(o.AllowFailed ? "Failed runs (left out, --allow-failed):" : "Failed runs:");
            foreach (var f in result.Failed)
                sb.AppendLine($"- {f.Side}: {f.Run.Model} on {f.Run.Dataset}, seed {f.Run.Seed} (run {f.Run.RunId}): {f.Run.Error}");
        }
        if (result.Notes.Count > 0)
        {
            sb.AppendLine().AppendLine("Notes:");
            foreach (var n in result.Notes) sb.AppendLine($"- {n}");
        }
        return sb.ToString();
    }

    static string PValue(double p) => p < 1e-4 ? "<0.0001" : p.ToString("F4", CultureInfo.InvariantCulture);

    static string VerdictText(CheckVerdict v) => v switch
    {
        CheckVerdict.NonInferior => "ok",
        CheckVerdict.Worse => "FAIL: worse",
        _ => "FAIL: unproven",
    };
}
