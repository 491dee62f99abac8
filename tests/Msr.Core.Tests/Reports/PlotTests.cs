using Msr.Core.Reports;
using Xunit;
using static Msr.Core.Tests.Reports.SyntheticRecords;

namespace Msr.Core.Tests.Reports;

public class PlotTests
{
    private static readonly double[] Auc = [0.8100, 0.8102, 0.8098];

    [Fact]
    public void Bars_and_cd_diagrams_render_as_png_and_svg_and_embed_in_html()
    {
        var records = Grid("d1", ("A", Auc, Auc), ("B", Shift(Auc, -0.01), Shift(Auc, 0.01)), ("C", Shift(Auc, -0.02), Shift(Auc, 0.02)));
        var report = ComparisonReports.Build(records);
        var notes = new List<string>();
        var images = ReportPlots.All(report, notes);
        Assert.Equal(["d1-auc-intervals", "d1-logloss-intervals", "cd-auc", "cd-logloss"], images.Select(i => i.Name));
        // These records have neither training histories nor several scenario counts: two notes say so.
        Assert.Equal(2, notes.Count);
        Assert.Contains(notes, n => n.StartsWith("No learning curves"));
        Assert.Contains(notes, n => n.StartsWith("No scenario-number figure"));
        foreach (var i in images)
        {
            Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], i.Png.Take(4));
            Assert.Contains("<svg", i.Svg);
            Assert.DoesNotContain("NaN", i.Svg);
        }
        var html = HtmlRenderer.Render(report, ReportPlots.ToFigures(images));
        Assert.Equal(4, html.Split("src=\"data:image/svg+xml;base64,").Length - 1);
        Assert.Contains("Critical-difference diagram, AUC", html);
    }

    [Fact]
    public void Cd_diagram_is_skipped_with_a_note_when_there_is_one_model()
    {
        var report = ComparisonReports.Build(Grid("d1", ("A", Auc, Auc)));
        var notes = new List<string>();
        var images = ReportPlots.All(report, notes);
        Assert.DoesNotContain(images, i => i.Name.StartsWith("cd-"));
        Assert.Contains(notes, n => n.Contains("critical-difference") && n.Contains("auc"));
    }
}
