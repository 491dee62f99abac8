using System.Text;

namespace Msr.Core.Reports;

/// <summary>
/// GitHub-flavoured Markdown: **bold** best, &lt;u&gt;underlined&lt;/u&gt; second, \* and † marks,
/// &lt;sup&gt;letters&lt;/sup&gt;; caption above each table, notes below.
/// </summary>
public static class MarkdownRenderer
{
    private static readonly CellStyle Style = new(
        s => $"**{s}**", s => $"<u>{s}</u>", "\\*", "†", s => $"<sup>{s}</sup>", " ± ", "–", Escape);

    public static string Render(ComparisonReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var sb = new StringBuilder();
        int number = 1;
        foreach (var t in report.Tables)
        {
            sb.Append("### ").Append(Escape(t.Dataset)).Append("\n\n");
            sb.Append("**Table ").Append(number++).Append(".** ").Append(Escape(t.Caption)).Append("\n\n");
            var header = new List<string> { "Model" };
            header.AddRange(t.Columns.Select(c => $"{Escape(c.Scenario)} {CellFormatting.MetricTitle(c.Metric)} {CellFormatting.Arrow(c.Metric)}"));
            var rows = t.Rows.Select(r =>
                (IReadOnlyList<string>)new[] { CellFormatting.ModelName(r, Escape) }
                    .Concat(r.Cells.Select(c => CellFormatting.Cell(c, t.TypicalN, report.Options.Digits, Style))).ToList()).ToList();
            AppendTable(sb, header, rows);
            if (t.Notes.Count > 0)
            {
                sb.Append("\nNotes:\n\n");
                foreach (var n in t.Notes) sb.Append("- ").Append(Escape(n)).Append('\n');
            }
            sb.Append('\n');
        }
        foreach (var e in report.Efficiency)
        {
            sb.Append("### Efficiency: ").Append(Escape(e.Dataset)).Append("\n\n");
            sb.Append("**Table ").Append(number++).Append(".** ").Append(Escape(e.Caption)).Append("\n\n");
            AppendTable(sb, ["Model", "Train (s/epoch)", "Infer (ms/batch)", "Params", "Runs"],
                e.Rows.Select(r => (IReadOnlyList<string>)[Escape(r.Model), CellFormatting.Num(r.TrainSecondsPerEpoch, 2),
                    CellFormatting.Num(r.InferMillisecondsPerBatch, 2), CellFormatting.Params(r.Parameters), r.Runs.ToString()]).ToList());
            sb.Append('\n');
        }
        if (report.Tables.Count == 0 && report.Efficiency.Count == 0) sb.Append("No runs.\n\n");
        if (report.Failed.Count > 0)
        {
            sb.Append("Failed runs (excluded from every table):\n\n");
            foreach (var f in report.Failed)
                sb.Append("- ").Append(Escape($"{f.Dataset} / {f.Model} / seed {f.Seed} ({f.RunId}): {f.Error ?? "failed"}")).Append('\n');
            sb.Append('\n');
        }
        if (report.Notes.Count > 0)
        {
            sb.Append("Left out:\n\n");
            foreach (var n in report.Notes) sb.Append("- ").Append(Escape(n)).Append('\n');
            sb.Append('\n');
        }
        return sb.ToString().TrimEnd() + "\n";
    }

    // Model names left, every value column right.
    private static void AppendTable(StringBuilder sb, IReadOnlyList<string> header, IReadOnlyList<IReadOnlyList<string>> rows) =>
        sb.Append(MarkdownTable.Render(header, rows, [false, .. Enumerable.Repeat(true, header.Count - 1)]));

    /// <summary>Escapes the characters that would break a pipe table or start emphasis.</summary>
    internal static string Escape(string text) =>
        text.Replace("\\", "\\\\").Replace("|", "\\|").Replace("*", "\\*").Replace("_", "\\_").Replace("<", "&lt;")
            .Replace("\r", " ").Replace("\n", " ");
}
