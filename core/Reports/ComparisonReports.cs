using System.Globalization;
using Msr.Core.Results;
using Msr.Core.Stats;

namespace Msr.Core.Reports;

/// <summary>
/// Builds significance-marked comparison tables from run records (see docs/reports.md for the rules).
/// Per dataset: rows = model labels, columns = scenario × metric, cells = mean ± spread over seeds with best (bold),
/// second best (underline) and the marks of <see cref="ReportOptions.Mode"/>. All comparisons are two-sided; a pair
/// is significant when its p-value, adjusted over all comparisons of the table, is below α; the model with the better
/// mean (by the metric's direction) is the one that "significantly beats" the other.
/// </summary>
public static class ComparisonReports
{
    /// <summary>Builds the report of a folder's records; <paramref name="efficiency"/> adds the Table 4 form.</summary>
    /// <exception cref="ArgumentException">Invalid options, an unknown metric, scenario or baseline model.</exception>
    /// <exception cref="InvalidDataException">Contradictory records (two runs for one model and seed).</exception>
    public static ComparisonReport Build(IReadOnlyList<RunRecord> records, ReportOptions? options = null, bool efficiency = false)
    {
        ArgumentNullException.ThrowIfNull(records);
        options ??= new ReportOptions();
        options.Validate();
        var metrics = options.Metrics.Select(Metric.Get).ToList();
        records = RecordConversion.InRunOrder(records);
        var data = RecordConversion.ToObservations(records, metrics.Select(m => m.Name).ToList(), options.ModelOrder);
        var allModels = data.ModelOrder.Values.SelectMany(m => m).Distinct().ToList();
        RecordConversion.CheckOrder(allModels, options.ModelOrder);

        string? baseline = null;
        if (options.Mode == SignificanceMode.VsBaseline)
        {
            baseline = allModels.FirstOrDefault(m => m == options.Baseline)
                       ?? allModels.FirstOrDefault(m => string.Equals(m, options.Baseline!.Trim(), StringComparison.OrdinalIgnoreCase))
                       ?? throw new ArgumentException(
                           $"Unknown baseline model '{options.Baseline}'. Models in the results: {(allModels.Count == 0 ? "(none)" : string.Join(", ", allModels))}.",
                           nameof(options));
        }
        if (options.Scenarios is { } wanted)
        {
            var known = data.ScenarioOrder.Values.SelectMany(s => s).Distinct().ToList();
            foreach (var s in wanted)
                if (!known.Contains(s))
                    throw new ArgumentException($"Unknown scenario '{s}'. Scenarios in the results: {string.Join(", ", known)}.", nameof(options));
        }

        var aggregates = Aggregation.Aggregate(data.Observations)
            .ToDictionary(a => (a.Dataset, a.Scenario, a.Model, a.Metric));
        var samples = data.Observations
            .GroupBy(o => (o.Dataset, o.Scenario, o.Model, o.Metric))
            .ToDictionary(g => g.Key, g => (IReadOnlyList<(int Seed, double Value)>)g.OrderBy(o => o.Seed).Select(o => (o.Seed, o.Value)).ToList());

        var tables = new List<ComparisonTable>();
        foreach (var dataset in data.ModelOrder.Keys.Order(StringComparer.Ordinal))
        {
            var scenarios = options.Scenarios is { } chosen
                ? chosen.Where(s => data.ScenarioOrder[dataset].Contains(s)).ToList()
                : data.ScenarioOrder[dataset].ToList();
            var columns = scenarios.SelectMany(s => metrics.Select(m => new ReportColumn(s, m))).ToList();
            var builder = new TableBuilder(dataset, data.ModelOrder[dataset], columns, options, baseline,
                data.Failed.Where(f => f.Dataset == dataset).ToList(), aggregates, samples);
            tables.Add(builder.Build());
        }
        return new ComparisonReport(options, tables, efficiency ? EfficiencyTables.Build(records, options.ModelOrder) : [], data.Failed, data.Notes)
        {
            Records = records,
        };
    }

    internal static string Num(double value, int digits) =>
        double.IsFinite(value) ? value.ToString("F" + digits, CultureInfo.InvariantCulture) : "–";

    internal static string SpreadName(SpreadKind spread) => spread == SpreadKind.StandardError ? "s.e." : "std";

    private sealed class TableBuilder(
        string dataset, IReadOnlyList<string> models, IReadOnlyList<ReportColumn> columns, ReportOptions options, string? baseline,
        IReadOnlyList<FailedRun> failed,
        IReadOnlyDictionary<(string, string, string, string), AggregateRow> aggregates,
        IReadOnlyDictionary<(string, string, string, string), IReadOnlyList<(int Seed, double Value)>> samples)
    {
        private readonly List<string> notes = [];
        private readonly string testName = ReportOptions.TestName(options.Test);

        public ComparisonTable Build()
        {
            int k = models.Count;
            var cells = new CellDraft[k, columns.Count];
            var comparisons = new List<(int Column, int A, int B, PairComparison Result)>();
            var failedBy = models.ToDictionary(m => m, m => failed.Count(f => f.Model == m));

            if (baseline is not null && !models.Contains(baseline))
                notes.Add($"Baseline {baseline} has no runs on {dataset}: no significance marks.");

            for (int c = 0; c < columns.Count; c++)
            {
                var col = columns[c];
                for (int i = 0; i < k; i++) cells[i, c] = Draft(models[i], col, failedBy[models[i]]);
                var present = Enumerable.Range(0, k).Where(i => cells[i, c].N > 0).ToList();
                var ranked = present.Select(i => cells[i, c].Mean!.Value).Distinct()
                    .OrderBy(v => v, Comparer<double>.Create((x, y) => col.Metric.IsBetter(x, y) ? -1 : col.Metric.IsBetter(y, x) ? 1 : 0))
                    .ToList();
                var best = ranked.Count > 0 ? present.Where(i => cells[i, c].Mean == ranked[0]).ToList() : [];
                var second = ranked.Count > 1 ? present.Where(i => cells[i, c].Mean == ranked[1]).ToList() : [];
                foreach (int i in best) cells[i, c].IsBest = true;
                foreach (int i in second) cells[i, c].IsSecond = true;

                foreach (var (a, b) in Pairs(c, present, best, second))
                    comparisons.Add((c, a, b, Compare(col, models[a], models[b])));
            }

            // Correction over the family of all tested comparisons of this table.
            var tested = comparisons.Select((x, idx) => (x, idx)).Where(t => t.x.Result.PValue is not null).ToList();
            var raw = tested.Select(t => t.x.Result.PValue!.Value).ToArray();
            var adjusted = options.Correction switch
            {
                Correction.None => raw,
                Correction.Bonferroni => PValueAdjustment.Bonferroni(raw),
                Correction.Holm => PValueAdjustment.Holm(raw),
                _ => PValueAdjustment.BenjaminiHochberg(raw),
            };
            for (int t = 0; t < tested.Count; t++)
            {
                var (x, idx) = tested[t];
                var r = x.Result;
                bool significant = adjusted[t] < options.Alpha;
                var metric = columns[x.Column].Metric;
                string? better = !significant ? null
                    : metric.IsBetter(r.MeanA, r.MeanB) ? r.ModelA
                    : metric.IsBetter(r.MeanB, r.MeanA) ? r.ModelB : null;
                comparisons[idx] = x with { Result = r with { AdjustedPValue = adjusted[t], Significant = significant, Better = better } };
            }

            ApplyMarks(cells, comparisons);

            var rows = new List<ReportRow>();
            for (int i = 0; i < k; i++)
            {
                string? letter = options.Mode == SignificanceMode.AllPairs ? CompactLetterDisplay.Letter(i) : null;
                rows.Add(new ReportRow(models[i], letter, failedBy[models[i]],
                    Enumerable.Range(0, columns.Count).Select(c => cells[i, c].ToCell()).ToList()));
            }
            var ns = rows.SelectMany(r => r.Cells).Where(c => c.N > 0).Select(c => c.N).ToList();
            int typical = ns.Count == 0 ? 0 : ns.GroupBy(n => n).OrderByDescending(g => g.Count()).ThenByDescending(g => g.Key).First().Key;
            var results = comparisons.Select(x => x.Result).ToList();
            string caption = Caption(typical, tested.Count, failedBy);
            return new ComparisonTable(dataset, columns, rows, results, typical, tested.Count, caption, notes.Distinct().ToList());
        }

        private CellDraft Draft(string model, ReportColumn col, int failedRuns)
        {
            var draft = new CellDraft(model, col);
            if (!aggregates.TryGetValue((dataset, col.Scenario, model, col.Metric.Name), out var agg))
            {
                string why = failedRuns > 0 && !HasAnyRun(model) ? "all runs failed" : "no value";
                draft.Notes.Add($"{col}: {model} has {why}.");
                notes.Add($"{col}: {model} has {why}; the cell is empty.");
                return draft;
            }
            draft.N = agg.N;
            draft.Mean = agg.Mean;
            draft.Spread = options.Spread == SpreadKind.StandardError ? agg.StandardError : agg.StandardDeviation;
            if (agg.N == 1)
            {
                draft.Notes.Add($"{col}: {model} has n = 1, no spread.");
                notes.Add($"{col}: {model} has a single run (n = 1): no spread, and tests needing two values per model are skipped.");
            }
            else if (agg.StandardDeviation == 0)
            {
                draft.Notes.Add($"{col}: {model} has zero variance.");
                notes.Add($"{col}: {model} has zero variance over {agg.N} runs.");
            }
            return draft;
        }

        private bool HasAnyRun(string model) =>
            columns.Any(c => aggregates.ContainsKey((dataset, c.Scenario, model, c.Metric.Name)));

        /// <summary>The (A, B) pairs a column needs in the current mode.</summary>
        private IEnumerable<(int A, int B)> Pairs(int c, List<int> present, List<int> best, List<int> second)
        {
            var col = columns[c];
            switch (options.Mode)
            {
                case SignificanceMode.VsRunnerUp:
                    if (best.Count > 1)
                    {
                        notes.Add($"{col}: tie for best ({string.Join(", ", best.Select(i => models[i]))}): no significance mark.");
                        yield break;
                    }
                    if (best.Count == 1)
                        foreach (int s in second) yield return (best[0], s);
                    break;
                case SignificanceMode.VsBaseline:
                    int bi = baseline is null ? -1 : models.ToList().IndexOf(baseline);
                    if (bi < 0) yield break;
                    if (!present.Contains(bi))
                    {
                        notes.Add($"{col}: baseline {baseline} has no value: no significance marks.");
                        yield break;
                    }
                    foreach (int i in present) if (i != bi) yield return (i, bi);
                    break;
                default:
                    for (int x = 0; x < present.Count; x++)
                        for (int y = x + 1; y < present.Count; y++) yield return (present[x], present[y]);
                    break;
            }
        }

        private PairComparison Compare(ReportColumn col, string a, string b)
        {
            var sa = samples[(dataset, col.Scenario, a, col.Metric.Name)];
            var sb = samples[(dataset, col.Scenario, b, col.Metric.Name)];
            double meanA = aggregates[(dataset, col.Scenario, a, col.Metric.Name)].Mean;
            double meanB = aggregates[(dataset, col.Scenario, b, col.Metric.Name)].Mean;
            double[] x, y;
            string? pairing = null;
            if (options.IsPaired)
            {
                var bySeed = sb.ToDictionary(p => p.Seed, p => p.Value);
                var common = sa.Where(p => bySeed.ContainsKey(p.Seed)).ToList();
                x = common.Select(p => p.Value).ToArray();
                y = common.Select(p => bySeed[p.Seed]).ToArray();
                if (common.Count != sa.Count || common.Count != sb.Count)
                    pairing = $"paired on the {common.Count} seeds both models have";
            }
            else
            {
                x = sa.Select(p => p.Value).ToArray();
                y = sb.Select(p => p.Value).ToArray();
            }

            PairComparison Untested(string why)
            {
                notes.Add($"{col}: {a} vs {b} not tested ({why}).");
                return new PairComparison(dataset, col.Scenario, col.Metric.Name, a, b, sa.Count, sb.Count, meanA, meanB,
                    testName, null, null, null, false, null, null, null, why);
            }

            string? tooSmall = options.Test switch
            {
                ComparisonTest.Welch when x.Length < 2 || y.Length < 2 => "Welch t-test needs at least 2 runs per model",
                ComparisonTest.Student when x.Length + y.Length < 3 => "Student t-test needs at least 3 runs in total",
                ComparisonTest.PairedT when x.Length < 2 => "paired t-test needs at least 2 seeds in common",
                _ when x.Length < 1 || y.Length < 1 => "no seeds in common",
                _ => null,
            };
            if (tooSmall is not null) return Untested(tooSmall);

            TestResult result;
            try
            {
                result = options.Test switch
                {
                    ComparisonTest.Welch => TTests.Welch(x, y),
                    ComparisonTest.Student => TTests.Student(x, y),
                    ComparisonTest.MannWhitney => MannWhitney.Test(x, y),
                    ComparisonTest.PairedT => TTests.Paired(x, y),
                    ComparisonTest.Wilcoxon => WilcoxonSignedRank.Paired(x, y),
                    _ => PairedPermutationTest.Test(x, y, seed: options.PermutationSeed),
                };
            }
            catch (ArgumentException e)
            {
                return Untested(e.Message);
            }

            double sign = col.Metric.Direction == MetricDirection.HigherIsBetter ? 1 : -1;
            var noteParts = new List<string>();
            if (pairing is not null) noteParts.Add(pairing);
            if (result.Note is not null) noteParts.Add(result.Note);
            double? d = null;
            if (x.Length + y.Length >= 3)
            {
                var cd = EffectSize.CohensD(x, y);
                if (double.IsFinite(cd.Value)) d = sign * cd.Value;
                else noteParts.Add("Cohen's d is infinite (zero pooled SD)");
            }
            else noteParts.Add("Cohen's d needs 3 runs in total");
            double cliff = sign * EffectSize.CliffsDelta(x, y).Value;
            string? note = noteParts.Count == 0 ? null : string.Join("; ", noteParts);
            if (result.Note is not null) notes.Add($"{col}: {a} vs {b}: {result.Note}.");
            return new PairComparison(dataset, col.Scenario, col.Metric.Name, a, b, sa.Count, sb.Count, meanA, meanB,
                testName, double.IsFinite(result.Statistic) ? result.Statistic : null, result.PValue, null, false, null,
                d, cliff, note);
        }

        private void ApplyMarks(CellDraft[,] cells, List<(int Column, int A, int B, PairComparison Result)> comparisons)
        {
            int k = models.Count;
            var index = models.Select((m, i) => (m, i)).ToDictionary(p => p.m, p => p.i);
            for (int c = 0; c < columns.Count; c++)
            {
                var here = comparisons.Where(x => x.Column == c).Select(x => x.Result).ToList();
                switch (options.Mode)
                {
                    case SignificanceMode.VsRunnerUp:
                        if (here.Count > 0 && here.All(r => r.Significant && r.Better == r.ModelA))
                            cells[index[here[0].ModelA], c].Mark = MarkKind.Better;
                        break;
                    case SignificanceMode.VsBaseline:
                        foreach (var r in here.Where(r => r.Significant && r.Better is not null))
                            cells[index[r.ModelA], c].Mark = r.Better == r.ModelA ? MarkKind.Better : MarkKind.Worse;
                        break;
                    case SignificanceMode.AllPairs:
                        for (int i = 0; i < k; i++)
                        {
                            var beaten = here.Where(r => r.Better == models[i])
                                .Select(r => index[r.ModelA == models[i] ? r.ModelB : r.ModelA]).Order()
                                .Select(CompactLetterDisplay.Letter).ToList();
                            if (beaten.Count > 0)
                            {
                                cells[i, c].Mark = MarkKind.Letters;
                                cells[i, c].Letters = string.Concat(beaten);
                            }
                        }
                        break;
                    case SignificanceMode.CompactLetters:
                        var present = Enumerable.Range(0, k).Where(i => cells[i, c].N > 0).ToList();
                        if (present.Count == 0) break;
                        var metric = columns[c].Metric;
                        var bestFirst = Enumerable.Range(0, present.Count)
                            .OrderBy(p => cells[present[p], c].Mean!.Value * (metric.Direction == MetricDirection.HigherIsBetter ? -1 : 1))
                            .ThenBy(p => p).ToList();
                        var pos = present.Select((m, p) => (m, p)).ToDictionary(t => t.m, t => t.p);
                        var different = here.Where(r => r.Significant).Select(r => (pos[index[r.ModelA]], pos[index[r.ModelB]]));
                        var letters = CompactLetterDisplay.Compute(present.Count, different, bestFirst);
                        for (int p = 0; p < present.Count; p++)
                        {
                            cells[present[p], c].Mark = MarkKind.Letters;
                            cells[present[p], c].Letters = letters[p];
                        }
                        break;
                }
            }
        }

        private string Caption(int typicalN, int family, Dictionary<string, int> failedBy)
        {
            var s = new List<string>
            {
                $"{dataset}: mean ± {(options.Spread == SpreadKind.StandardError ? "standard error" : "standard deviation")} over n = {typicalN} seeds" +
                " (cells with another n show it). Bold: best; underlined: second best (↑ higher is better, ↓ lower is better).",
            };
            s.Add(options.Mode switch
            {
                SignificanceMode.VsRunnerUp => "* marks the best model where it is significantly better than the second best.",
                SignificanceMode.VsBaseline => $"* marks a model significantly better than the baseline {baseline}, † one significantly worse.",
                SignificanceMode.AllPairs => "Superscript letters name the models (letters after the model names) that a model is significantly better than.",
                _ => "Compact letter display: models that share a superscript letter are not significantly different.",
            });
            string correction = options.Correction == Correction.None
                ? "no multiple-comparison correction"
                : $"{ReportOptions.CorrectionName(options.Correction)} over the {family} comparisons of this table";
            s.Add($"Test: two-sided {testName}, α = {options.Alpha.ToString(CultureInfo.InvariantCulture)}, {correction}.");
            var failedModels = models.Where(m => failedBy[m] > 0).ToList();
            s.Add(failedModels.Count == 0
                ? "No failed runs."
                : "Failed runs (excluded): " + string.Join(", ", failedModels.Select(m => $"{m} {failedBy[m]}")) + ".");
            return string.Join(" ", s);
        }
    }

    private sealed class CellDraft(string model, ReportColumn column)
    {
        public int N;
        public double? Mean;
        public double? Spread;
        public bool IsBest, IsSecond;
        public MarkKind Mark;
        public string? Letters;
        public List<string> Notes { get; } = [];

        public ReportCell ToCell() => new(model, column, N, Mean, Spread, IsBest, IsSecond, Mark, Letters, Notes);
    }
}
