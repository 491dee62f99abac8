namespace Msr.Core.Reports;

/// <summary>Output format of <c>msr report</c>.</summary>
public enum ReportFormat
{
    Markdown,
    Latex,
    Csv,
    Json,
    Html,
}

/// <summary>Renders a report in any <see cref="ReportFormat"/>.</summary>
public static class ReportRenderer
{
    public static string Render(ComparisonReport report, ReportFormat format, IReadOnlyList<ReportFigure>? figures = null) => format switch
    {
        ReportFormat.Markdown => MarkdownRenderer.Render(report),
        ReportFormat.Latex => LatexRenderer.Render(report),
        ReportFormat.Csv => CsvRenderer.Render(report),
        ReportFormat.Json => JsonRenderer.Render(report),
        ReportFormat.Html => HtmlRenderer.Render(report, figures),
        _ => throw new ArgumentException($"Unknown report format {format}.", nameof(format)),
    };

    /// <summary>Parses md|markdown|latex|tex|csv|json|html (case-insensitive).</summary>
    public static ReportFormat ParseFormat(string name) => name.Trim().ToLowerInvariant() switch
    {
        "md" or "markdown" => ReportFormat.Markdown,
        "latex" or "tex" => ReportFormat.Latex,
        "csv" => ReportFormat.Csv,
        "json" => ReportFormat.Json,
        "html" => ReportFormat.Html,
        _ => throw new ArgumentException($"Unknown report format '{name}'. Formats: md, latex, csv, json, html.", nameof(name)),
    };
}
