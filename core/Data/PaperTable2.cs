namespace Msr.Core.Data;

/// <summary>One scenario's counts as the benchmark paper's Table 2 gives them.</summary>
public sealed record PaperScenarioCounts(long Interactions, long Users, long Items);

/// <summary>A dataset's row of the paper's Tables 2 (per-scenario counts) and 7 (coefficient of variation of sizes).</summary>
public sealed record PaperDatasetCounts(string Dataset, IReadOnlyList<PaperScenarioCounts> Scenarios, double CoefficientOfVariation);

/// <summary>
/// The benchmark paper's Table 2 and Table 7 for its six public datasets (spec §3), so a user can check that the files
/// they downloaded and the loader's rules give the paper's data exactly: <c>msr datasets stats &lt;dataset&gt; &lt;path&gt; --paper</c>.
/// </summary>
public static class PaperTable2
{
    static readonly PaperDatasetCounts MovieLens = new("MovieLens-1M",
        [new(210_747, 1_325, 3_429), new(395_556, 2_096, 3_508), new(393_906, 2_619, 3_595)], 0.3186);
    static readonly PaperDatasetCounts KuaiRand = new("KuaiRand-1K",
        [new(2_407_352, 961, 1_596_491), new(7_760_237, 991, 2_741_383), new(895_385, 171, 332_210), new(402_366, 832, 547_908), new(183_403, 832, 43_106)],
        1.3552);
    static readonly PaperDatasetCounts AliCcp = new("Ali-CCP",
        [new(32_236_951, 89_283, 465_870), new(639_897, 2_561, 188_610), new(52_439_671, 150_471, 467_122)], 0.9180);
    static readonly PaperDatasetCounts Amazon = new("Amazon 5-core",
        [new(198_502, 22_363, 12_101), new(278_677, 39_387, 23_033), new(346_355, 38_609, 18_534)], 0.2696);
    static readonly PaperDatasetCounts Douban = new("Douban",
        [new(227_251, 2_212, 95_872), new(179_847, 1_820, 79_878), new(1_278_401, 2_712, 34_893)], 1.1053);
    static readonly PaperDatasetCounts Mind = new("MIND",
        [new(26_057_579, 737_687, 8_086), new(11_206_494, 678_268, 1_797), new(10_237_589, 696_918, 8_284), new(9_226_382, 656_970, 1_804)], 0.5611);

    static readonly Dictionary<string, PaperDatasetCounts> ByLoader = new(StringComparer.OrdinalIgnoreCase)
    {
        ["movielens"] = MovieLens,
        ["kuairand"] = KuaiRand, ["kuairand-raw"] = KuaiRand,
        ["aliccp"] = AliCcp, ["aliccp-raw"] = AliCcp,
        ["amazon"] = Amazon,
        ["douban"] = Douban, ["douban-raw"] = Douban,
        ["mind"] = Mind, ["mind-raw"] = Mind,
    };

    /// <summary>The loaders that have a row in the paper's tables.</summary>
    public static IReadOnlyCollection<string> Loaders => ByLoader.Keys;

    /// <summary>The paper's counts for the data a loader reads, or null when the paper has none (ML-100K, custom data).</summary>
    public static PaperDatasetCounts? For(string loader) => ByLoader.GetValueOrDefault(loader);

    /// <summary>Compares computed statistics with the paper's row, scenario by scenario.</summary>
    public static PaperComparison Compare(DatasetStatistics ours, PaperDatasetCounts paper) => new(ours, paper);
}

/// <summary>Computed statistics next to the paper's: each count, its difference, and whether everything matches.</summary>
public sealed class PaperComparison(DatasetStatistics ours, PaperDatasetCounts paper)
{
    /// <summary>Table 7 prints four decimals.</summary>
    const double CvTolerance = 0.00005;

    public DatasetStatistics Ours { get; } = ours;
    public PaperDatasetCounts Paper { get; } = paper;

    public bool SameScenarioCount => Ours.Scenarios.Count == Paper.Scenarios.Count;

    public bool CoefficientOfVariationMatches => Math.Abs(Math.Round(Ours.CoefficientOfVariation, 4) - Paper.CoefficientOfVariation) < CvTolerance;

    /// <summary>True when the scenario count, every interaction, user and item count, and the rounded CV agree.</summary>
    public bool AllMatch => SameScenarioCount && CoefficientOfVariationMatches && Ours.Scenarios.Zip(Paper.Scenarios)
        .All(p => p.First.Interactions == p.Second.Interactions && p.First.Users == p.Second.Users && p.First.Items == p.Second.Items);

    /// <summary>One Markdown table: per scenario and count, paper, ours and the difference; then the CV and a verdict.</summary>
    public string ToMarkdown()
    {
        string N(long v) => v.ToString("N0", System.Globalization.CultureInfo.InvariantCulture);
        string Diff(long ours, long paper) => ours == paper ? "=" : (ours - paper).ToString("+#,0;-#,0", System.Globalization.CultureInfo.InvariantCulture);
        var rows = new List<string[]>();
        int n = Math.Max(Ours.Scenarios.Count, Paper.Scenarios.Count);
        for (int s = 0; s < n; s++)
        {
            var o = s < Ours.Scenarios.Count ? Ours.Scenarios[s] : null;
            var p = s < Paper.Scenarios.Count ? Paper.Scenarios[s] : null;
            foreach (var (what, ov, pv) in new[] { ("interactions", o?.Interactions, p?.Interactions), ("users", o?.Users, p?.Users), ("items", o?.Items, p?.Items) })
                rows.Add([$"S{s}{(o is null ? "" : $" {o.Name}")}", what, pv is null ? "–" : N(pv.Value), ov is null ? "–" : N(ov.Value),
                    ov is null || pv is null ? "missing" : Diff(ov.Value, pv.Value)]);
        }
        var table = MarkdownTable.Render(["scenario", "count", "paper", "ours", "difference"], rows, [false, false, true, true, true], padded: true);
        var cv = $"Coefficient of variation: paper {Paper.CoefficientOfVariation:F4}, ours {Ours.CoefficientOfVariation:F4} ({(CoefficientOfVariationMatches ? "=" : "differs")}).";
        var verdict = AllMatch
            ? $"All counts match the paper's Table 2 for {Paper.Dataset}."
            : $"The data differs from the paper's Table 2 for {Paper.Dataset}{(SameScenarioCount ? "" : $" ({Ours.Scenarios.Count} scenarios, the paper has {Paper.Scenarios.Count})")}.";
        return $"## {Ours.Dataset} against the paper ({Paper.Dataset})\n\n{table}\n{cv}\n\n{verdict}\n";
    }
}
