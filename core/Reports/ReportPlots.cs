using Msr.Core.Results;
using Msr.Core.Stats;
using ScottPlot;

namespace Msr.Core.Reports;

/// <summary>A rendered figure: PNG bytes and SVG markup of the same plot.</summary>
/// <param name="Name">File-name stem, e.g. "ml-1m-auc-bars".</param>
/// <param name="Dataset">Dataset it belongs to, or null for a figure over all datasets.</param>
public sealed record PlotImage(string Name, string Title, string? Dataset, byte[] Png, string Svg);

/// <summary>
/// Figures of a report (ScottPlot 5), one file per kind: per-scenario metric bars with error bars
/// (ReportPlots.MetricBars.cs), critical-difference diagrams (ReportPlots.CriticalDifference.cs), learning curves
/// (ReportPlots.LearningCurves.cs) and the scenario-number figure (ReportPlots.ScenarioNumber.cs). This file composes
/// them and renders and saves PNG + SVG; a figure that cannot be drawn becomes a note, never a failed report.
/// </summary>
public static partial class ReportPlots
{
    public const int Width = 900, Height = 420;

    /// <summary>
    /// Bars, CD diagrams, learning curves and the scenario-number figure (the last two from
    /// <see cref="ComparisonReport.Records"/>); <paramref name="notes"/> receives why a figure was skipped. A failure
    /// while drawing the learning curves or the scenario-number figure becomes a note and leaves the other figures.
    /// </summary>
    public static IReadOnlyList<PlotImage> All(ComparisonReport report, List<string>? notes = null)
    {
        ArgumentNullException.ThrowIfNull(report);
        var images = new List<PlotImage>(MetricBars(report));
        images.AddRange(CriticalDifference(report, notes));
        images.AddRange(Guarded("learning curves", () => LearningCurvePlots(report.Records, notes), notes));
        images.AddRange(Guarded("scenario-number figure", () => ScenarioNumber(report.Records, notes), notes));
        return images;
    }

    private static IReadOnlyList<PlotImage> Guarded(string what, Func<IReadOnlyList<PlotImage>> draw, List<string>? notes)
    {
        try
        {
            return draw();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            notes?.Add($"No {what}: drawing failed ({e.GetType().Name}: {e.Message}).");
            return [];
        }
    }

    private static PlotImage Render(Plot plot, string name, string title, string? dataset)
    {
        byte[] png = plot.GetImageBytes(Width, Height, ImageFormat.Png);
        string svg = plot.GetSvgXml(Width, Height);
        return new PlotImage(name, title, dataset, png, svg);
    }

    /// <summary>HTML figures (the SVG of each image) for <see cref="HtmlRenderer"/>.</summary>
    public static IReadOnlyList<ReportFigure> ToFigures(IEnumerable<PlotImage> images) =>
        images.Select(i => new ReportFigure(i.Dataset ?? "", i.Title, i.Svg)).ToList();

    /// <summary>Writes name.png and name.svg for every image; returns the paths written.</summary>
    public static IReadOnlyList<string> Save(IEnumerable<PlotImage> images, string folder)
    {
        Directory.CreateDirectory(folder);
        var paths = new List<string>();
        foreach (var i in images)
        {
            string png = Path.Combine(folder, i.Name + ".png"), svg = Path.Combine(folder, i.Name + ".svg");
            File.WriteAllBytes(png, i.Png);
            File.WriteAllText(svg, i.Svg);
            paths.Add(png);
            paths.Add(svg);
        }
        return paths;
    }

    /// <summary>"Validation AUC" → "validation AUC" (the rest keeps its case).</summary>
    private static string Lower(string title) => title.Length == 0 ? title : char.ToLowerInvariant(title[0]) + title[1..];

    /// <summary>File-name stem of a dataset label: lower-case ASCII letters and digits, other runs of characters
    /// become one '-', e.g. "kuairand (top_k=3)" → "kuairand-top-k-3".</summary>
    internal static string Slug(string name)
    {
        var sb = new System.Text.StringBuilder(name.Length);
        foreach (char ch in name.ToLowerInvariant())
        {
            if (char.IsAsciiLetterOrDigit(ch)) sb.Append(ch);
            else if (sb.Length > 0 && sb[^1] != '-') sb.Append('-');
        }
        while (sb.Length > 0 && sb[^1] == '-') sb.Length--;
        return sb.Length == 0 ? "dataset" : sb.ToString();
    }
}
