using Msr.Core.Stats;

namespace Msr.Core.Reports;

/// <summary>One column of a comparison table: a scenario ("overall" or a scenario name) and a metric.</summary>
public sealed record ReportColumn(string Scenario, Metric Metric)
{
    public override string ToString() => $"{Scenario} {Metric.Name}";
}

/// <summary>Kind of the significance mark of a cell; renderers choose the symbol.</summary>
public enum MarkKind
{
    None,
    /// <summary>"*": significantly better (than the runner-up, or than the baseline).</summary>
    Better,
    /// <summary>"†": significantly worse than the baseline.</summary>
    Worse,
    /// <summary>Superscript letters: <see cref="ReportCell.Letters"/>.</summary>
    Letters,
}

/// <summary>
/// One model in one column: mean and spread over seeds, with marks. A model without any value in the column has
/// <see cref="N"/> = 0 and a null <see cref="Mean"/>; with one value <see cref="Spread"/> is null. Never NaN.
/// </summary>
public sealed record ReportCell(
    string Model, ReportColumn Column, int N, double? Mean, double? Spread,
    bool IsBest, bool IsSecond, MarkKind Mark, string? Letters, IReadOnlyList<string> Notes)
{
    public bool IsMissing => Mean is null;
}

/// <summary>A model's row: its cells in column order, its letter in <see cref="SignificanceMode.AllPairs"/>, its failed runs.</summary>
public sealed record ReportRow(string Model, string? Letter, int FailedRuns, IReadOnlyList<ReportCell> Cells);

/// <summary>
/// One statistical comparison of model A with model B in one column. Effect sizes are oriented so that a positive
/// value means A is better by the metric's direction (for logloss: A lower). <see cref="PValue"/> is the two-sided
/// p-value, <see cref="AdjustedPValue"/> the one after the table's correction; both are null when the pair could not
/// be tested (<see cref="Note"/> says why). <see cref="Statistic"/> is null when infinite (zero variance).
/// </summary>
public sealed record PairComparison(
    string Dataset, string Scenario, string Metric, string ModelA, string ModelB,
    int NA, int NB, double MeanA, double MeanB,
    string Test, double? Statistic, double? PValue, double? AdjustedPValue, bool Significant, string? Better,
    double? CohensD, double? CliffsDelta, string? Note);

/// <summary>A comparison table of one dataset: rows = models, columns = scenario × metric.</summary>
/// <param name="TypicalN">The most common n over the table's cells (cells with another n show it).</param>
/// <param name="FamilySize">Number of tested comparisons the correction was applied over.</param>
public sealed record ComparisonTable(
    string Dataset, IReadOnlyList<ReportColumn> Columns, IReadOnlyList<ReportRow> Rows,
    IReadOnlyList<PairComparison> Comparisons, int TypicalN, int FamilySize, string Caption, IReadOnlyList<string> Notes);

/// <summary>Everything a renderer prints: comparison tables, optional efficiency tables, the failed runs.</summary>
public sealed record ComparisonReport(
    ReportOptions Options, IReadOnlyList<ComparisonTable> Tables, IReadOnlyList<EfficiencyTable> Efficiency,
    IReadOnlyList<FailedRun> Failed, IReadOnlyList<string> Notes)
{
    /// <summary>The run records the report was built from (for figures that need more than the tables: learning
    /// curves, the scenario-number figure); empty when the report was assembled by hand.</summary>
    public IReadOnlyList<Results.RunRecord> Records { get; init; } = [];
}
