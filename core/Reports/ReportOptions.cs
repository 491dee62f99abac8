using Msr.Core.Stats;

namespace Msr.Core.Reports;

/// <summary>Which comparisons a table's significance marks express.</summary>
public enum SignificanceMode
{
    /// <summary>The paper's rule: "*" on the best cell when it is significantly better than the second best.</summary>
    VsRunnerUp,
    /// <summary>Every model against <see cref="ReportOptions.Baseline"/>: "*" significantly better, "†" significantly worse.</summary>
    VsBaseline,
    /// <summary>All pairs: each model gets a letter; a cell's superscript lists the letters of the models it significantly beats.</summary>
    AllPairs,
    /// <summary>All pairs summarised as a compact letter display: models sharing a letter are not significantly different.</summary>
    CompactLetters,
}

/// <summary>The test behind every comparison of a table (always two-sided).</summary>
public enum ComparisonTest
{
    /// <summary>Welch's unequal-variance t-test (default; the paper's "two-sided t-test").</summary>
    Welch,
    /// <summary>Student's pooled-variance t-test.</summary>
    Student,
    /// <summary>Mann–Whitney U (independent samples).</summary>
    MannWhitney,
    /// <summary>Paired t-test on runs paired by seed.</summary>
    PairedT,
    /// <summary>Wilcoxon signed-rank on runs paired by seed.</summary>
    Wilcoxon,
    /// <summary>Sign-flip permutation test of the mean difference on runs paired by seed.</summary>
    Permutation,
}

/// <summary>Multiple-comparison correction applied over the family of all comparisons in one table (one dataset).</summary>
public enum Correction
{
    None,
    Bonferroni,
    Holm,
    BenjaminiHochberg,
}

/// <summary>What the ± of a cell is.</summary>
public enum SpreadKind
{
    /// <summary>Sample standard deviation over seeds (n − 1).</summary>
    StandardDeviation,
    /// <summary>Standard error of the mean, s/√n.</summary>
    StandardError,
}

/// <summary>Settings of a comparison report. Every option has the paper's value as default.</summary>
public sealed record ReportOptions
{
    public ComparisonTest Test { get; init; } = ComparisonTest.Welch;
    public Correction Correction { get; init; } = Correction.None;
    /// <summary>Significance level; a comparison is significant when its (adjusted) p-value is strictly below it.</summary>
    public double Alpha { get; init; } = 0.05;
    public SignificanceMode Mode { get; init; } = SignificanceMode.VsRunnerUp;
    /// <summary>Model label compared against in <see cref="SignificanceMode.VsBaseline"/>.</summary>
    public string? Baseline { get; init; }
    public SpreadKind Spread { get; init; } = SpreadKind.StandardDeviation;
    /// <summary>Metric names from the <see cref="Metric"/> catalogue, in column order.</summary>
    public IReadOnlyList<string> Metrics { get; init; } = ["auc", "logloss"];
    /// <summary>Scenario columns to show (null: "overall" first, then every scenario in record order).</summary>
    public IReadOnlyList<string>? Scenarios { get; init; }
    /// <summary>
    /// Row order of tables and legend order of figures: these model names or labels first, in this order, the others
    /// after them in run order (null: run order, i.e. first appearance among the records sorted by start time, which is
    /// the order an experiment lists its models; see <see cref="RecordConversion.OrderModels"/>).
    /// </summary>
    public IReadOnlyList<string>? ModelOrder { get; init; }
    /// <summary>Decimals of means and spreads.</summary>
    public int Digits { get; init; } = 4;
    /// <summary>Seed of the permutation test's Monte Carlo draws (only used beyond 20 pairs).</summary>
    public int PermutationSeed { get; init; }

    public bool IsPaired => Test is ComparisonTest.PairedT or ComparisonTest.Wilcoxon or ComparisonTest.Permutation;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        if (!(Alpha > 0 && Alpha < 1)) throw new ArgumentException($"alpha must be strictly between 0 and 1 but is {Alpha}.", nameof(Alpha));
        if (!Enum.IsDefined(Test)) throw new ArgumentException($"Unknown test {Test}.", nameof(Test));
        if (!Enum.IsDefined(Correction)) throw new ArgumentException($"Unknown correction {Correction}.", nameof(Correction));
        if (!Enum.IsDefined(Mode)) throw new ArgumentException($"Unknown significance mode {Mode}.", nameof(Mode));
        if (!Enum.IsDefined(Spread)) throw new ArgumentException($"Unknown spread {Spread}.", nameof(Spread));
        if (Mode == SignificanceMode.VsBaseline && string.IsNullOrWhiteSpace(Baseline))
            throw new ArgumentException("Baseline mode needs a baseline model.", nameof(Baseline));
        if (Metrics is null || Metrics.Count == 0) throw new ArgumentException("At least one metric is needed.", nameof(Metrics));
        foreach (var m in Metrics) Metric.Get(m);
        if (Digits is < 0 or > 10) throw new ArgumentException($"digits must be in 0..10 but is {Digits}.", nameof(Digits));
    }

    /// <summary>Human-readable test name used in captions and in every comparison.</summary>
    public static string TestName(ComparisonTest test) => test switch
    {
        ComparisonTest.Welch => "Welch t-test",
        ComparisonTest.Student => "Student t-test",
        ComparisonTest.MannWhitney => "Mann-Whitney U test",
        ComparisonTest.PairedT => "paired t-test (pairs by seed)",
        ComparisonTest.Wilcoxon => "Wilcoxon signed-rank test (pairs by seed)",
        ComparisonTest.Permutation => "paired permutation test (pairs by seed)",
        _ => test.ToString(),
    };

    public static string CorrectionName(Correction correction) => correction switch
    {
        Correction.None => "no correction",
        Correction.Bonferroni => "Bonferroni correction",
        Correction.Holm => "Holm correction",
        Correction.BenjaminiHochberg => "Benjamini-Hochberg (FDR) correction",
        _ => correction.ToString(),
    };
}
