using System.Globalization;
using System.Text;

namespace Msr.Core.Reports;

/// <summary>An image to embed in the HTML page: SVG markup, embedded as a data URI.</summary>
public sealed record ReportFigure(string Dataset, string Title, string Svg);

/// <summary>
/// A self-contained HTML page (inline CSS, no scripts, no external files): each dataset's table with its caption and
/// notes, its comparisons (p-values, adjusted p, effect sizes) in a collapsible block, efficiency tables, failed runs
/// and any figures given, embedded as SVG data URIs. The page fits any window: every table sits in its own box that
/// scrolls sideways when the table is wider than the page (<see cref="TableBox"/>), and figures shrink to the page
/// width. Text and figures share one font family (<see cref="ReportStyle.FontStack"/>).
/// </summary>
public static class HtmlRenderer
{
    private static readonly CellStyle Style = new(
        s => $"<b>{s}</b>", s => $"<u>{s}</u>", "<sup>*</sup>", "<sup>†</sup>", s => $"<sup>{Escape(s)}</sup>", " ± ", "–", Escape);

    /// <summary>CSS class of the box around every table: it scrolls horizontally instead of widening the page.</summary>
    public const string TableBox = "table-box";

    public static string Render(ComparisonReport report, IReadOnlyList<ReportFigure>? figures = null)
    {
        ArgumentNullException.ThrowIfNull(report);
        figures ??= [];
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Msr report</title>\n<style>\n")
          .Append("body{font-family:").Append(ReportStyle.FontStack).Append(";margin:2em auto;padding:0 1em;max-width:80em}\n")
          .Append('.').Append(TableBox).Append("{max-width:100%;overflow-x:auto;margin:1em 0}\n")
          .Append("table{border-collapse:collapse}\n")
          .Append("caption{caption-side:top;text-align:left;max-width:60em;padding-bottom:.5em}\n")
          .Append("th,td{padding:.25em .7em;text-align:right;white-space:nowrap}\n")
          .Append("thead th{white-space:normal;vertical-align:bottom;min-width:6em}\n")
          .Append("td.note{white-space:normal;text-align:left;min-width:20em}\n")
          .Append("thead tr:first-child th:first-child,td:first-child{text-align:left}\n")
          .Append("thead tr:first-child{border-top:2px solid #000}\nthead tr:last-child{border-bottom:1px solid #000}\n")
          .Append("th.group{text-align:center;border-bottom:1px solid #888}\n")
          .Append("tbody tr:last-child{border-bottom:2px solid #000}\n")
          .Append(".notes{font-size:.9em;color:#444}\nfigure{margin:1em 0}\nfigure img{max-width:100%;height:auto}\n")
          .Append("figcaption{font-size:.9em;max-width:60em}\n")
          .Append("</style>\n</head>\n<body>\n<h1>Msr report</h1>\n");
        int number = 1;
        foreach (var t in report.Tables)
        {
            sb.Append("<section>\n<h2>").Append(Escape(t.Dataset)).Append("</h2>\n").Append(OpenBox).Append("<table>\n<caption><b>Table ")
              .Append(number++).Append(".</b> ").Append(Escape(t.Caption)).Append("</caption>\n<thead><tr><th rowspan=\"2\">Model</th>");
            // Two header rows: each scenario over its metric columns.
            foreach (var (scenario, count) in CellFormatting.ScenarioGroups(t.Columns))
                sb.Append("<th class=\"group\" colspan=\"").Append(count).Append("\">").Append(Escape(scenario)).Append("</th>");
            sb.Append("</tr>\n<tr>");
            foreach (var c in t.Columns)
                sb.Append("<th>").Append(Escape($"{CellFormatting.MetricTitle(c.Metric)} {CellFormatting.Arrow(c.Metric)}")).Append("</th>");
            sb.Append("</tr></thead>\n<tbody>\n");
            foreach (var r in t.Rows)
            {
                sb.Append("<tr><td>").Append(CellFormatting.ModelName(r, Escape)).Append("</td>");
                foreach (var c in r.Cells) sb.Append("<td>").Append(CellFormatting.Cell(c, t.TypicalN, report.Options.Digits, Style)).Append("</td>");
                sb.Append("</tr>\n");
            }
            sb.Append("</tbody>\n</table>\n").Append(CloseBox);
            AppendList(sb, "Notes", t.Notes);
            if (t.Comparisons.Count > 0)
            {
                sb.Append("<details><summary>Comparisons (").Append(t.Comparisons.Count).Append(")</summary>\n").Append(OpenBox).Append("<table>\n<thead><tr>")
                  .Append("<th>Column</th><th>A</th><th>B</th><th>mean A</th><th>mean B</th><th>test</th><th>p</th><th>adjusted p</th>")
                  .Append("<th>significant</th><th>better</th><th>Cohen's d</th><th>Cliff's δ</th><th>note</th></tr></thead>\n<tbody>\n");
                int digits = report.Options.Digits;
                foreach (var p in t.Comparisons)
                {
                    sb.Append("<tr><td>").Append(Escape($"{p.Scenario} {p.Metric}")).Append("</td><td>").Append(Escape(p.ModelA))
                      .Append("</td><td>").Append(Escape(p.ModelB)).Append("</td><td>").Append(CellFormatting.Num(p.MeanA, digits))
                      .Append("</td><td>").Append(CellFormatting.Num(p.MeanB, digits)).Append("</td><td>").Append(Escape(p.Test))
                      .Append("</td><td>").Append(P(p.PValue)).Append("</td><td>").Append(P(p.AdjustedPValue))
                      .Append("</td><td>").Append(p.Significant ? "yes" : "no").Append("</td><td>").Append(Escape(p.Better ?? "–"))
                      .Append("</td><td>").Append(CellFormatting.Num(p.CohensD, 2)).Append("</td><td>").Append(CellFormatting.Num(p.CliffsDelta, 2))
                      .Append("</td><td class=\"note\">").Append(Escape(p.Note ?? "")).Append("</td></tr>\n");
                }
                sb.Append("</tbody>\n</table>\n").Append(CloseBox).Append("</details>\n");
            }
            foreach (var f in figures.Where(f => f.Dataset == t.Dataset)) AppendFigure(sb, f);
            sb.Append("</section>\n");
        }
        foreach (var e in report.Efficiency)
        {
            sb.Append("<section>\n<h2>Efficiency: ").Append(Escape(e.Dataset)).Append("</h2>\n").Append(OpenBox).Append("<table>\n<caption><b>Table ").Append(number++)
              .Append(".</b> ").Append(Escape(e.Caption)).Append("</caption>\n<thead><tr><th>Model</th><th>Train (s/epoch)</th>")
              .Append("<th>Infer (ms/batch)</th><th>Params</th><th>Runs</th></tr></thead>\n<tbody>\n");
            foreach (var r in e.Rows)
                sb.Append("<tr><td>").Append(Escape(r.Model)).Append("</td><td>").Append(CellFormatting.Num(r.TrainSecondsPerEpoch, 2))
                  .Append("</td><td>").Append(CellFormatting.Num(r.InferMillisecondsPerBatch, 2)).Append("</td><td>")
                  .Append(CellFormatting.Params(r.Parameters)).Append("</td><td>").Append(r.Runs).Append("</td></tr>\n");
            sb.Append("</tbody>\n</table>\n").Append(CloseBox).Append("</section>\n");
        }
        var known = report.Tables.Select(t => t.Dataset).ToHashSet();
        foreach (var f in figures.Where(f => !known.Contains(f.Dataset))) AppendFigure(sb, f);
        AppendList(sb, "Failed runs (excluded from every table)",
            report.Failed.Select(f => $"{f.Dataset} / {f.Model} / seed {f.Seed} ({f.RunId}): {f.Error ?? "failed"}").ToList());
        AppendList(sb, "Left out", report.Notes);
        if (report.Tables.Count == 0) sb.Append("<p>No runs.</p>\n");
        sb.Append("</body>\n</html>\n");
        return sb.ToString();
    }

    private const string OpenBox = "<div class=\"" + TableBox + "\">\n", CloseBox = "</div>\n";

    /// <summary>The SVG as a base64 data URI in an img: self-contained, and the figures' element ids cannot collide.</summary>
    private static void AppendFigure(StringBuilder sb, ReportFigure f)
    {
        string data = Convert.ToBase64String(Encoding.UTF8.GetBytes(f.Svg));
        sb.Append("<figure>\n<img alt=\"").Append(Escape(f.Title)).Append("\" src=\"data:image/svg+xml;base64,").Append(data)
          .Append("\">\n<figcaption>").Append(Escape(f.Title)).Append("</figcaption>\n</figure>\n");
    }

    private static void AppendList(StringBuilder sb, string title, IReadOnlyList<string> items)
    {
        if (items.Count == 0) return;
        sb.Append("<div class=\"notes\"><p>").Append(Escape(title)).Append(":</p>\n<ul>\n");
        foreach (var n in items) sb.Append("<li>").Append(Escape(n)).Append("</li>\n");
        sb.Append("</ul></div>\n");
    }

    private static string P(double? p) =>
        p is double v && double.IsFinite(v) ? (v < 1e-4 ? v.ToString("0.0E+0", CultureInfo.InvariantCulture) : v.ToString("0.0000", CultureInfo.InvariantCulture)) : "–";

    private static string Escape(string text) =>
        text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;").Replace("\"", "&quot;");
}
