using System.Globalization;
using Msr.Core.Stats;

namespace Msr.Core.Reports;

/// <summary>How one output format writes the pieces of a cell.</summary>
internal sealed record CellStyle(
    Func<string, string> Bold, Func<string, string> Underline, string Better, string Worse,
    Func<string, string> Superscript, string PlusMinus, string Missing, Func<string, string> Escape);

/// <summary>Cell and header text shared by the Markdown, LaTeX and HTML renderers. Never prints NaN.</summary>
internal static class CellFormatting
{
    public static string Num(double? value, int digits) =>
        value is double v && double.IsFinite(v) ? v.ToString("F" + digits, CultureInfo.InvariantCulture) : "–";

    public static string MetricTitle(Metric metric) => metric.Name switch
    {
        "auc" => "AUC",
        "gauc" => "GAUC",
        "logloss" => "Logloss",
        _ => metric.Name,
    };

    public static string Arrow(Metric metric) => metric.Direction == MetricDirection.HigherIsBetter ? "↑" : "↓";

    public static string Cell(ReportCell cell, int typicalN, int digits, CellStyle style)
    {
        if (cell.IsMissing) return style.Missing;
        string mean = Num(cell.Mean, digits);
        string text = cell.IsBest ? style.Bold(mean) : cell.IsSecond ? style.Underline(mean) : mean;
        text += cell.Mark switch
        {
            MarkKind.Better => style.Better,
            MarkKind.Worse => style.Worse,
            MarkKind.Letters when !string.IsNullOrEmpty(cell.Letters) => style.Superscript(cell.Letters),
            _ => "",
        };
        if (cell.Spread is double s && double.IsFinite(s)) text += style.PlusMinus + Num(s, digits);
        if (cell.N != typicalN) text += " " + style.Escape($"(n = {cell.N})");
        return text;
    }

    /// <summary>
    /// Consecutive columns of one scenario, for two-level headers (scenario above, metrics below): a column title
    /// repeating the scenario per metric made tables twice as wide as their numbers.
    /// </summary>
    public static IReadOnlyList<(string Scenario, int Count)> ScenarioGroups(IReadOnlyList<ReportColumn> columns)
    {
        var groups = new List<(string Scenario, int Count)>();
        foreach (var c in columns)
        {
            if (groups.Count > 0 && groups[^1].Scenario == c.Scenario) groups[^1] = (c.Scenario, groups[^1].Count + 1);
            else groups.Add((c.Scenario, 1));
        }
        return groups;
    }

    public static string ModelName(ReportRow row, Func<string, string> escape) =>
        row.Letter is null ? escape(row.Model) : escape($"{row.Model} ({row.Letter})");

    public static string Params(double? value) =>
        value is double v && double.IsFinite(v) ? Math.Round(v).ToString("N0", CultureInfo.InvariantCulture) : "–";
}
