using Msr.Core.Results;
using Msr.Core.Stats;
using ScottPlot;

namespace Msr.Core.Reports;

/// <summary>A rendered figure: PNG bytes (at <see cref="ReportStyle.PrintDpi"/>) and SVG markup of the same plot.</summary>
/// <param name="Name">File-name stem, e.g. "ml-1m-auc-intervals".</param>
/// <param name="Dataset">Dataset it belongs to, or null for a figure over all datasets.</param>
public sealed record PlotImage(string Name, string Title, string? Dataset, byte[] Png, string Svg)
{
    /// <summary>The value axis's range where the figure has one whose start the caption states (interval plots).</summary>
    public (double Min, double Max)? ValueAxis { get; init; }
}

/// <summary>
/// Figures of a report (ScottPlot 5), one file per kind: per-scenario dot-and-interval plots of each metric
/// (ReportPlots.MetricIntervals.cs), critical-difference diagrams (ReportPlots.CriticalDifference.cs), learning curves
/// (ReportPlots.LearningCurves.cs) and the scenario-number figure (ReportPlots.ScenarioNumber.cs). This file composes
/// them and renders and saves PNG + SVG; a figure that cannot be drawn becomes a note, never a failed report.
/// </summary>
public static partial class ReportPlots
{
    /// <summary>Layout size in CSS pixels (the SVG's size); PNGs are <see cref="ReportStyle.PngScale"/> times larger
    /// (3000 × 1500 pixels at 300 dpi: 10 × 5 inches).</summary>
    public const int Width = 960, Height = 480;

    /// <summary>
    /// Interval plots, CD diagrams, learning curves and the scenario-number figure (the last two from
    /// <see cref="ComparisonReport.Records"/>); <paramref name="notes"/> receives why a figure was skipped. A failure
    /// while drawing the learning curves or the scenario-number figure becomes a note and leaves the other figures.
    /// Every figure lists models in the tables' row order, and a model has the same colour in all of them.
    /// </summary>
    public static IReadOnlyList<PlotImage> All(ComparisonReport report, List<string>? notes = null)
    {
        ArgumentNullException.ThrowIfNull(report);
        var order = ModelsInOrder(report);
        var images = new List<PlotImage>(MetricIntervals(report));
        images.AddRange(CriticalDifference(report, notes));
        images.AddRange(Guarded("learning curves", () => LearningCurvePlots(report.Records, notes, order), notes));
        images.AddRange(Guarded("scenario-number figure", () => ScenarioNumber(report.Records, notes, order), notes));
        return images;
    }

    /// <summary>Model labels in the order of the report's tables (each table's rows, first appearance).</summary>
    public static IReadOnlyList<string> ModelsInOrder(ComparisonReport report) =>
        [.. report.Tables.SelectMany(t => t.Rows.Select(r => r.Model)).Distinct()];

    private static readonly ScottPlot.Palettes.Category10 Palette = new();

    /// <summary>The colour of a model: its position in <paramref name="order"/>, so it is the same in every figure.</summary>
    private static Color ColorOf(IReadOnlyList<string> order, string model)
    {
        int i = IndexIn(order, model);
        return Palette.GetColor(i < 0 ? order.Count : i);
    }

    /// <summary>Position of <paramref name="model"/> in <paramref name="order"/>; -1 when absent.</summary>
    private static int IndexIn(IReadOnlyList<string> order, string model)
    {
        for (int i = 0; i < order.Count; i++) if (order[i] == model) return i;
        return -1;
    }

    /// <summary><paramref name="items"/> sorted by their model's position in <paramref name="order"/> (absent ones last, stably).</summary>
    private static List<T> InModelOrder<T>(IEnumerable<T> items, Func<T, string> model, IReadOnlyList<string>? order) =>
        order is null ? [.. items] : [.. items.OrderBy(x => IndexIn(order, model(x)) is var i && i >= 0 ? i : int.MaxValue)];

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

    /// <summary>
    /// PNG at print resolution (laid out at <see cref="Width"/> × <see cref="Height"/>, drawn <see cref="ReportStyle.PngScale"/>
    /// times larger, with its dpi declared) and SVG, both in <see cref="ReportStyle.FontFamily"/>.
    /// </summary>
    private static PlotImage Render(Plot plot, string name, string title, string? dataset)
    {
        plot.Font.Set(ReportStyle.FontFamily);
        // Browsers place rotated SVG text a few pixels further out than Skia measures: keep the y label off the edge.
        if (plot.Axes.Left is ScottPlot.AxisPanels.AxisBase left) left.PaddingOutsideAxisLabels = new PixelPadding(8, 0, 0, 0);
        plot.ScaleFactor = ReportStyle.PngScale;
        byte[] png = plot.GetImageBytes((int)Math.Round(Width * ReportStyle.PngScale), (int)Math.Round(Height * ReportStyle.PngScale), ImageFormat.Png);
        plot.ScaleFactor = 1;
        string svg = ReportStyle.PolishSvg(plot.GetSvgXml(Width, Height), Width, Height);
        return new PlotImage(name, title, dataset, ReportStyle.WithDpi(png, ReportStyle.PrintDpi), svg);
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

    /// <summary>
    /// Ticks of a value axis spanning [<paramref name="lo"/>, <paramref name="hi"/>]: multiples of a 1-2-5 step giving
    /// about six ticks, all labelled with the same number of decimals (ScottPlot's automatic labels drop trailing zeros,
    /// so "0.81" stood next to "0.812"). Also sets the axis limits.
    /// </summary>
    internal static void ValueTicks(Plot plot, double lo, double hi)
    {
        var (positions, labels) = NiceTicks(lo, hi);
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(positions, labels);
        plot.Axes.SetLimitsY(lo, hi);
    }

    /// <summary><see cref="ValueTicks"/> over the range of <paramref name="values"/>, padded by 5% on each side.</summary>
    internal static void ValueTicks(Plot plot, IEnumerable<double> values)
    {
        var finite = values.Where(double.IsFinite).ToList();
        if (finite.Count == 0) return;
        double lo = finite.Min(), hi = finite.Max(), pad = Math.Max((hi - lo) * 0.05, 5e-4);
        ValueTicks(plot, lo - pad, hi + pad);
    }

    /// <summary>Tick positions and labels for <see cref="ValueTicks"/>.</summary>
    internal static (double[] Positions, string[] Labels) NiceTicks(double lo, double hi, int target = 6)
    {
        if (!(hi > lo)) (lo, hi) = (lo - 0.5, lo + 0.5);
        double raw = (hi - lo) / target, magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw))), norm = raw / magnitude;
        double step = (norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10) * magnitude;
        int decimals = Math.Clamp(-(int)Math.Floor(Math.Log10(step) + 1e-9), 0, 10);
        var positions = new List<double>();
        for (long i = (long)Math.Ceiling(lo / step - 1e-9); i * step <= hi + step * 1e-9; i++) positions.Add(i * step);
        var format = "F" + decimals.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return ([.. positions], [.. positions.Select(v => v.ToString(format, System.Globalization.CultureInfo.InvariantCulture))]);
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
