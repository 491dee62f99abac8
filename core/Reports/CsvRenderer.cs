using System.Globalization;
using System.Text;

namespace Msr.Core.Reports;

/// <summary>
/// One tidy CSV with a <c>kind</c> column: "cell" rows (mean, spread, best/second, marks), "comparison" rows (test,
/// statistic, p-value, adjusted p, significance, effect sizes) and "efficiency" rows. Empty field = not defined;
/// never NaN. An infinite statistic (zero variance) is written as "inf"/"-inf" only in the note.
/// </summary>
public static class CsvRenderer
{
    public static readonly IReadOnlyList<string> Header =
    [
        "kind", "dataset", "scenario", "metric", "model", "other_model", "n", "other_n", "mean", "other_mean", "spread_kind", "spread",
        "best", "second", "mark", "test", "statistic", "p_value", "adjusted_p", "alpha", "correction", "significant", "better",
        "cohens_d", "cliffs_delta", "train_s_per_epoch", "infer_ms_per_batch", "infer_batch_size", "params", "failed_runs", "note",
    ];

    public static string Render(ComparisonReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var o = report.Options;
        var sb = new StringBuilder();
        Line(sb, Header);
        string spreadKind = ComparisonReports.SpreadName(o.Spread);
        string alpha = F(o.Alpha), correction = o.Correction.ToString().ToLowerInvariant();
        foreach (var t in report.Tables)
        {
            foreach (var r in t.Rows)
                foreach (var c in r.Cells)
                    Line(sb, Row(("kind", "cell"), ("dataset", t.Dataset), ("scenario", c.Column.Scenario), ("metric", c.Column.Metric.Name),
                        ("model", c.Model), ("n", c.N.ToString(CultureInfo.InvariantCulture)), ("mean", F(c.Mean)), ("spread_kind", spreadKind),
                        ("spread", F(c.Spread)), ("best", B(c.IsBest)), ("second", B(c.IsSecond)), ("mark", Mark(c)),
                        ("failed_runs", r.FailedRuns.ToString(CultureInfo.InvariantCulture)), ("note", string.Join("; ", c.Notes))));
            foreach (var p in t.Comparisons)
                Line(sb, Row(("kind", "comparison"), ("dataset", p.Dataset), ("scenario", p.Scenario), ("metric", p.Metric),
                    ("model", p.ModelA), ("other_model", p.ModelB), ("n", p.NA.ToString(CultureInfo.InvariantCulture)),
                    ("other_n", p.NB.ToString(CultureInfo.InvariantCulture)), ("mean", F(p.MeanA)), ("other_mean", F(p.MeanB)),
                    ("test", p.Test), ("statistic", F(p.Statistic)), ("p_value", F(p.PValue)), ("adjusted_p", F(p.AdjustedPValue)),
                    ("alpha", alpha), ("correction", correction), ("significant", B(p.Significant)), ("better", p.Better ?? ""),
                    ("cohens_d", F(p.CohensD)), ("cliffs_delta", F(p.CliffsDelta)), ("note", p.Note ?? "")));
        }
        foreach (var e in report.Efficiency)
            foreach (var r in e.Rows)
                Line(sb, Row(("kind", "efficiency"), ("dataset", e.Dataset), ("model", r.Model), ("n", r.Runs.ToString(CultureInfo.InvariantCulture)),
                    ("train_s_per_epoch", F(r.TrainSecondsPerEpoch)), ("infer_ms_per_batch", F(r.InferMillisecondsPerBatch)),
                    ("infer_batch_size", r.InferBatchSize?.ToString(CultureInfo.InvariantCulture) ?? ""), ("params", F(r.Parameters)),
                    ("failed_runs", r.FailedRuns.ToString(CultureInfo.InvariantCulture))));
        return sb.ToString();
    }

    internal static string Mark(ReportCell c) => c.Mark switch
    {
        MarkKind.Better => "*",
        MarkKind.Worse => "†",
        MarkKind.Letters => c.Letters ?? "",
        _ => "",
    };

    private static string[] Row(params (string Column, string Value)[] values)
    {
        var row = new string[Header.Count];
        for (int i = 0; i < row.Length; i++) row[i] = "";
        foreach (var (column, value) in values)
        {
            int i = Header.ToList().IndexOf(column);
            if (i < 0) throw new InvalidOperationException($"CSV column {column} is not in the header.");
            row[i] = value;
        }
        return row;
    }

    private static string F(double? v) => v is double x && double.IsFinite(x) ? x.ToString("R", CultureInfo.InvariantCulture) : "";

    private static string B(bool b) => b ? "true" : "false";

    private static void Line(StringBuilder sb, IReadOnlyList<string> fields)
    {
        for (int i = 0; i < fields.Count; i++)
        {
            if (i > 0) sb.Append(',');
            var f = fields[i];
            if (f.IndexOfAny([',', '"', '\n', '\r']) >= 0) sb.Append('"').Append(f.Replace("\"", "\"\"")).Append('"');
            else sb.Append(f);
        }
        sb.Append('\n');
    }
}
