using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Msr.Core.Metrics;
using Msr.Core.Reports;
using Msr.Core.Results;
using Msr.Core.Stats;
using Xunit;
using static Msr.Core.Tests.Reports.SyntheticRecords;

namespace Msr.Core.Tests.Reports;

/// <summary>GAUC in reports, model order, and the structure that makes tables and figures readable (no golden images).</summary>
public sealed class ReportQualityTests
{
    static readonly DateTimeOffset T0 = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>A run whose every metric set carries GAUC = auc − 0.1 (or none), started at minute <paramref name="minute"/>.</summary>
    static RunRecord Run(string model, long seed, double auc, int minute, bool gauc = true)
    {
        var r = Completed("d", model, seed, auc, 0.5 - (auc - 0.8));
        MetricSet WithGauc(MetricSet s) => s with { Gauc = gauc ? s.Auc - 0.1 : null };
        var test = new Evaluation(WithGauc(r.Test!.Overall), [.. r.Test.Scenarios.Select(WithGauc)]);
        return r with { Test = test, Validation = test, StartedUtc = T0.AddMinutes(minute), FinishedUtc = T0.AddMinutes(minute + 1) };
    }

    /// <summary>An experiment that listed STAR, MMoE, BaseDNN (run in that order), three seeds each, returned in
    /// file-name (alphabetical) order as <see cref="ResultStore.ReadAll"/> does.</summary>
    static List<RunRecord> Experiment(bool gauc = true)
    {
        var runs = new List<RunRecord>();
        int minute = 0;
        foreach (var (model, auc) in new[] { ("STAR", 0.812), ("MMoE", 0.809), ("BaseDNN", 0.805) })
            for (int seed = 1; seed <= 3; seed++)
                runs.Add(Run(model, seed, auc + 0.0004 * seed, minute++, gauc));
        return [.. runs.OrderBy(r => r.RunId, StringComparer.Ordinal)];
    }

    static readonly ReportOptions Gauc = new() { Metrics = ["auc", "gauc", "logloss"] };

    [Fact]
    public void Gauc_is_a_higher_is_better_column_in_every_format()
    {
        var report = ComparisonReports.Build(Experiment(), Gauc with { Scenarios = ["overall"] });
        var table = report.Tables.Single();
        Assert.Equal(["auc", "gauc", "logloss"], table.Columns.Select(c => c.Metric.Name));
        var star = table.Rows.Single(r => r.Model == "STAR").Cells[1];
        Assert.Equal(0.712 + 0.0008, star.Mean!.Value, 12);
        Assert.True(star.IsBest);

        Assert.Contains("| Model | overall AUC ↑ | overall GAUC ↑ | overall Logloss ↓ |", MarkdownRenderer.Render(report));
        Assert.Contains("GAUC $\\uparrow$", LatexRenderer.Render(report));
        Assert.Contains("<th>GAUC ↑</th>", HtmlRenderer.Render(report));
        Assert.Contains(",overall,gauc,", CsvRenderer.Render(report));
        using var json = JsonDocument.Parse(JsonRenderer.Render(report));
        var column = json.RootElement.GetProperty("tables")[0].GetProperty("columns")[1];
        Assert.Equal("gauc", column.GetProperty("metric").GetString());
        Assert.Equal("higher", column.GetProperty("direction").GetString());
    }

    [Fact]
    public void Gauc_asked_for_where_no_run_recorded_it_is_an_error_saying_why()
    {
        var e = Assert.Throws<ArgumentException>(() => ComparisonReports.Build(Experiment(gauc: false), Gauc));
        Assert.Contains("user column", e.Message);
    }

    [Fact]
    public void Runs_without_gauc_beside_runs_with_it_leave_their_cells_empty_with_a_note()
    {
        var runs = Experiment(gauc: true);
        var star = runs.FindIndex(r => r.Config.Model == "STAR" && r.Config.Seed == 1);
        runs[star] = Run("STAR", 1, runs[star].Test!.Overall.Auc!.Value, 99, gauc: false);
        var report = ComparisonReports.Build(runs, Gauc with { Scenarios = ["overall"] });
        Assert.Contains(report.Notes, n => n.Contains("gauc of STAR seed 1 is undefined"));
        Assert.DoesNotContain("NaN", MarkdownRenderer.Render(report));
    }

    [Fact]
    public void Models_follow_the_experiments_run_order_not_file_names_unless_an_order_is_given()
    {
        var records = Experiment();
        Assert.Equal("BaseDNN", RecordConversion.ModelLabel(records, records[0])); // files sort alphabetically
        var report = ComparisonReports.Build(records, new ReportOptions(), efficiency: true);
        Assert.Equal(["STAR", "MMoE", "BaseDNN"], report.Tables.Single().Rows.Select(r => r.Model));
        Assert.Equal(["STAR", "MMoE", "BaseDNN"], report.Efficiency.Single().Rows.Select(r => r.Model));
        Assert.Equal(["STAR", "MMoE", "BaseDNN"], ReportPlots.ModelsInOrder(report));

        var chosen = ComparisonReports.Build(records, new ReportOptions { ModelOrder = ["basednn", "MMoE"] }, efficiency: true);
        Assert.Equal(["BaseDNN", "MMoE", "STAR"], chosen.Tables.Single().Rows.Select(r => r.Model));
        Assert.Equal(["BaseDNN", "MMoE", "STAR"], chosen.Efficiency.Single().Rows.Select(r => r.Model));

        var e = Assert.Throws<ArgumentException>(() => ComparisonReports.Build(records, new ReportOptions { ModelOrder = ["PLE"] }));
        Assert.Contains("Unknown model 'PLE'", e.Message);
        Assert.Contains("STAR, MMoE, BaseDNN", e.Message);
    }

    [Fact]
    public void An_order_entry_naming_a_model_places_all_of_its_sweep_labels()
    {
        var ordered = RecordConversion.OrderModels(["STAR", "MMoE (experts=4)", "MMoE (experts=8)", "PLE"], ["PLE", "mmoe"]);
        Assert.Equal(["PLE", "MMoE (experts=4)", "MMoE (experts=8)", "STAR"], ordered);
    }

    [Fact]
    public void Html_tables_sit_in_scrolling_boxes_and_share_the_figures_font()
    {
        var report = ComparisonReports.Build(Experiment(), Gauc, efficiency: true);
        var images = ReportPlots.All(report);
        var html = HtmlRenderer.Render(report, ReportPlots.ToFigures(images));
        int tables = Regex.Matches(html, "<table>").Count;
        Assert.Equal(3, tables); // results, comparisons, efficiency
        Assert.Equal(tables, Regex.Matches(html, $"<div class=\"{HtmlRenderer.TableBox}\">\\s*<table>").Count);
        Assert.Contains($".{HtmlRenderer.TableBox}{{max-width:100%;overflow-x:auto", html);
        Assert.Contains("figure img{max-width:100%;height:auto}", html);
        Assert.Contains($"body{{font-family:{ReportStyle.FontStack};", html);
        // Two header rows: each scenario spans its three metric columns.
        Assert.Contains("<th class=\"group\" colspan=\"3\">overall</th>", html);
        foreach (var image in images)
        {
            var families = Regex.Matches(image.Svg, "font-family=\"([^\"]*)\"").Select(m => m.Groups[1].Value).Distinct().ToList();
            Assert.Equal([ReportStyle.FontStack], families);
            Assert.Matches($"<svg[^>]* viewBox=\"0 0 {ReportPlots.Width} {ReportPlots.Height}\"", image.Svg);
        }
    }

    [Fact]
    public void Latex_tables_are_capped_at_the_line_width_with_grouped_headers_and_escaped_text()
    {
        var records = Experiment().Select(r => r with
        {
            Test = new Evaluation(r.Test!.Overall, [.. r.Test.Scenarios.Select((s, i) => s with { Name = i == 0 ? "age<25" : "age>=35|x" })]),
        }).ToList();
        var tex = LatexRenderer.Render(ComparisonReports.Build(records, Gauc, efficiency: true));
        Assert.Equal(2, Regex.Matches(tex, @"\\begin\{tabular\}").Count);
        // Every tabular is inside the capped \resizebox, closed right after it.
        Assert.Equal(2, Regex.Matches(tex, Regex.Escape(LatexRenderer.FitToWidthOpen) + @"\n\\begin\{tabular\}").Count);
        Assert.Equal(2, Regex.Matches(tex, @"\\end\{tabular\}%\n\}\n").Count);
        Assert.Contains(@"\resizebox{\ifdim\width>\linewidth\linewidth\else\width\fi}{!}", tex);
        Assert.Contains(@"\usepackage{graphicx}", tex);
        Assert.Contains(@" & \multicolumn{3}{c}{overall} & \multicolumn{3}{c}{age\textless{}25} & \multicolumn{3}{c}{age\textgreater{}=35\textbar{}x} \\", tex);
        Assert.Contains(@"\cmidrule(lr){2-4}\cmidrule(lr){5-7}\cmidrule(lr){8-10}", tex);
        Assert.Contains(@"Model & AUC $\uparrow$ & GAUC $\uparrow$ & Logloss $\downarrow$ & AUC", tex);
        Assert.All(tex.Split('\n').Where(l => !l.StartsWith('%')), l => Assert.DoesNotContain("<", l));
    }

    [Fact]
    public void Pngs_are_rendered_and_declared_at_print_resolution()
    {
        var images = ReportPlots.All(ComparisonReports.Build(Experiment(), Gauc));
        Assert.NotEmpty(images);
        foreach (var image in images)
        {
            Assert.Equal(ReportStyle.PrintDpi, ReportStyle.DpiOf(image.Png));
            var (w, h) = ReportStyle.PixelSizeOf(image.Png);
            Assert.Equal((3000, 1500), (w, h));
            Assert.True(w / (double)ReportStyle.PrintDpi >= 6.5, "at least a text width wide at 300 dpi");
        }
    }

    [Fact]
    public void Png_dpi_chunk_is_valid_and_replaces_an_existing_one()
    {
        var png = ReportPlots.All(ComparisonReports.Build(Experiment(), new ReportOptions { Scenarios = ["overall"] }))[0].Png;
        var again = ReportStyle.WithDpi(png, 600);
        Assert.Equal(600, ReportStyle.DpiOf(again));
        Assert.Equal(png.Length, again.Length); // replaced, not added
        // The chunk's CRC is the PNG one (ISO 3309): a decoder rejects the file otherwise. "IEND" has the well-known CRC.
        Assert.Equal(0xAE426082u, ReportStyle.Crc32("IEND"u8));
        using var bitmap = SkiaSharp.SKBitmap.Decode(again);
        Assert.Equal(3000, bitmap.Width);
    }

    [Fact]
    public void Interval_plots_show_each_model_with_a_t_interval_and_state_where_the_axis_starts()
    {
        var report = ComparisonReports.Build(Experiment(), Gauc);
        var images = ReportPlots.MetricIntervals(report);
        Assert.Equal(["d-auc-intervals", "d-gauc-intervals", "d-logloss-intervals"], images.Select(i => i.Name));
        var table = report.Tables.Single();
        foreach (var (image, metric) in images.Zip(new[] { "auc", "gauc", "logloss" }))
        {
            var (min, max) = image.ValueAxis!.Value;
            var intervals = table.Rows.SelectMany(r => r.Cells).Where(c => c.Column.Metric.Name == metric)
                .Select(c => ReportPlots.Interval(c, report.Options.Spread)!.Value).ToList();
            Assert.All(intervals, i => Assert.InRange(i.Low, min, max));
            Assert.All(intervals, i => Assert.InRange(i.High, min, max));
            Assert.True(min > 0.3, "the axis is cut: it does not start at 0");
            Assert.Contains($"The value axis runs from {min.ToString("0.0000", CultureInfo.InvariantCulture)} to " +
                            $"{max.ToString("0.0000", CultureInfo.InvariantCulture)}, not from 0", image.Title);
            Assert.Contains("axis not from 0", image.Svg); // said in the figure itself too
        }
        // By hand: STAR's AUC over seeds 0.8124, 0.8128, 0.8132 has mean 0.8128, sd 0.0004; t(0.975, 2) = 4.302653.
        var star = table.Rows[0].Cells[0];
        var (mean, low, high) = ReportPlots.Interval(star, SpreadKind.StandardDeviation)!.Value;
        Assert.Equal(0.8128, mean, 10);
        Assert.Equal(4.302653 * 0.0004 / Math.Sqrt(3), high - mean, 6);
        Assert.Equal(high - mean, mean - low, 12);
        // The same interval from a standard-error cell.
        var se = star with { Spread = 0.0004 / Math.Sqrt(3) };
        Assert.Equal(high, ReportPlots.Interval(se, SpreadKind.StandardError)!.Value.High, 12);
        // One seed: a dot without a whisker.
        Assert.Equal((0.8, 0.8, 0.8), ReportPlots.Interval(star with { N = 1, Mean = 0.8, Spread = null }, SpreadKind.StandardDeviation));
    }

    [Fact]
    public void Value_axis_labels_share_one_number_of_decimals()
    {
        var (positions, labels) = ReportPlots.NiceTicks(0.7841, 0.8122);
        Assert.Equal("0.785", labels[0]);
        Assert.Equal("0.810", labels[^1]);
        Assert.All(labels, l => Assert.Equal(5, l.Length));
        Assert.Equal(positions.Length, labels.Distinct().Count());
        Assert.All(positions, p => Assert.InRange(p, 0.7841, 0.8122));
    }
}
