using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Msr.Core.Reports;

/// <summary>
/// The whole report as JSON: options, per table the caption, columns, rows of cells and every comparison with its
/// test, statistic, p-value, adjusted p-value, Cohen's d and Cliff's delta; efficiency tables; failed runs.
/// Undefined or infinite numbers are null (never NaN).
/// </summary>
public static class JsonRenderer
{
    public static string Render(ComparisonReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            var o = report.Options;
            w.WriteStartObject();
            w.WriteStartObject("options");
            w.WriteString("test", ReportOptions.TestName(o.Test));
            w.WriteString("test_key", o.Test.ToString());
            w.WriteString("alternative", "two-sided");
            w.WriteNumber("alpha", o.Alpha);
            w.WriteString("correction", o.Correction.ToString());
            w.WriteString("mode", o.Mode.ToString());
            Text(w, "baseline", o.Baseline);
            w.WriteString("spread", ComparisonReports.SpreadName(o.Spread));
            Strings(w, "metrics", o.Metrics);
            Strings(w, "scenarios", o.Scenarios);
            w.WriteNumber("digits", o.Digits);
            w.WriteEndObject();

            w.WriteStartArray("tables");
            foreach (var t in report.Tables)
            {
                w.WriteStartObject();
                w.WriteString("dataset", t.Dataset);
                w.WriteString("caption", t.Caption);
                w.WriteNumber("typical_n", t.TypicalN);
                w.WriteNumber("family_size", t.FamilySize);
                w.WriteStartArray("columns");
                foreach (var c in t.Columns)
                {
                    w.WriteStartObject();
                    w.WriteString("scenario", c.Scenario);
                    w.WriteString("metric", c.Metric.Name);
                    w.WriteString("direction", c.Metric.Direction == Stats.MetricDirection.HigherIsBetter ? "higher" : "lower");
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteStartArray("rows");
                foreach (var r in t.Rows)
                {
                    w.WriteStartObject();
                    w.WriteString("model", r.Model);
                    Text(w, "letter", r.Letter);
                    w.WriteNumber("failed_runs", r.FailedRuns);
                    w.WriteStartArray("cells");
                    foreach (var c in r.Cells)
                    {
                        w.WriteStartObject();
                        w.WriteString("scenario", c.Column.Scenario);
                        w.WriteString("metric", c.Column.Metric.Name);
                        w.WriteNumber("n", c.N);
                        Number(w, "mean", c.Mean);
                        Number(w, "spread", c.Spread);
                        w.WriteBoolean("best", c.IsBest);
                        w.WriteBoolean("second", c.IsSecond);
                        w.WriteString("mark", CsvRenderer.Mark(c));
                        Strings(w, "notes", c.Notes);
                        w.WriteEndObject();
                    }
                    w.WriteEndArray();
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteStartArray("comparisons");
                foreach (var p in t.Comparisons)
                {
                    w.WriteStartObject();
                    w.WriteString("scenario", p.Scenario);
                    w.WriteString("metric", p.Metric);
                    w.WriteString("model_a", p.ModelA);
                    w.WriteString("model_b", p.ModelB);
                    w.WriteNumber("n_a", p.NA);
                    w.WriteNumber("n_b", p.NB);
                    Number(w, "mean_a", p.MeanA);
                    Number(w, "mean_b", p.MeanB);
                    w.WriteString("test", p.Test);
                    Number(w, "statistic", p.Statistic);
                    Number(w, "p_value", p.PValue);
                    Number(w, "adjusted_p_value", p.AdjustedPValue);
                    w.WriteBoolean("significant", p.Significant);
                    Text(w, "better", p.Better);
                    Number(w, "cohens_d", p.CohensD);
                    Number(w, "cliffs_delta", p.CliffsDelta);
                    Text(w, "note", p.Note);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                Strings(w, "notes", t.Notes);
                w.WriteEndObject();
            }
            w.WriteEndArray();

            w.WriteStartArray("efficiency");
            foreach (var e in report.Efficiency)
            {
                w.WriteStartObject();
                w.WriteString("dataset", e.Dataset);
                w.WriteString("caption", e.Caption);
                w.WriteStartArray("rows");
                foreach (var r in e.Rows)
                {
                    w.WriteStartObject();
                    w.WriteString("model", r.Model);
                    w.WriteNumber("runs", r.Runs);
                    w.WriteNumber("failed_runs", r.FailedRuns);
                    Number(w, "train_seconds_per_epoch", r.TrainSecondsPerEpoch);
                    Number(w, "infer_milliseconds_per_batch", r.InferMillisecondsPerBatch);
                    if (r.InferBatchSize is int b) w.WriteNumber("infer_batch_size", b); else w.WriteNull("infer_batch_size");
                    Number(w, "parameters", r.Parameters);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndArray();

            w.WriteStartArray("failed_runs");
            foreach (var f in report.Failed)
            {
                w.WriteStartObject();
                w.WriteString("dataset", f.Dataset);
                w.WriteString("model", f.Model);
                w.WriteNumber("seed", f.Seed);
                w.WriteString("run_id", f.RunId);
                Text(w, "error", f.Error);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            Strings(w, "notes", report.Notes);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    private static void Text(Utf8JsonWriter w, string name, string? value)
    {
        if (value is null) w.WriteNull(name);
        else w.WriteString(name, value);
    }

    /// <summary>An array of strings, or null when there is no list.</summary>
    private static void Strings(Utf8JsonWriter w, string name, IEnumerable<string>? values)
    {
        if (values is null)
        {
            w.WriteNull(name);
            return;
        }
        w.WriteStartArray(name);
        foreach (var v in values) w.WriteStringValue(v);
        w.WriteEndArray();
    }

    private static void Number(Utf8JsonWriter w, string name, double? value)
    {
        if (value is double v && double.IsFinite(v)) w.WriteNumber(name, v);
        else w.WriteNull(name);
    }
}
