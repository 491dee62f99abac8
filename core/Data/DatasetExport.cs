using System.Globalization;
using CsvHelper;
using CsvHelper.Configuration;
using static TorchSharp.torch;

namespace Msr.Core.Data;

/// <summary>
/// Writes an encoded dataset as a plain CSV (one column per feature, the scenario name, the label),
/// so the very same rows can be inspected, committed as a small sample or fed to another
/// implementation for a like-for-like comparison. The <c>csv</c> loader reads the file back with
/// <see cref="ReadBackOptions"/>.
/// </summary>
public static class DatasetExport
{
    /// <summary>Writes every row (or the first <paramref name="maxRows"/>) atomically to <paramref name="path"/>.</summary>
    public static long WriteCsv(ScenarioDataset data, string path, long? maxRows = null)
    {
        var schema = data.Schema;
        if (schema.SequenceFeatures.Count > 0)
            throw new NotSupportedException($"dataset '{data.Name}': sequence features ({string.Join(", ", schema.SequenceFeatures.Select(f => f.Name))}) " +
                "have no CSV form; export without the history option");
        if (maxRows < 0) throw new ArgumentException($"the number of rows to export must be 0 or more, got {maxRows}");
        long rows = Math.Min(data.Count, maxRows ?? long.MaxValue);
        using var scope = NewDisposeScope();
        var sparse = Values<long>(data.Sparse.narrow(0, 0, rows).to_type(ScalarType.Int64));
        var dense = Values<float>(data.Dense.narrow(0, 0, rows));
        var scenario = Values<long>(data.Scenario.narrow(0, 0, rows));
        var label = Values<float>(data.Label.narrow(0, 0, rows));
        int fs = schema.SparseFeatures.Count, fd = schema.DenseFeatures.Count;

        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var temp = full + $".{Environment.ProcessId}.tmp";
        try
        {
            using (var writer = new StreamWriter(temp))
            using (var csv = new CsvWriter(writer, new CsvConfiguration(CultureInfo.InvariantCulture) { NewLine = "\n" }))
            {
                foreach (var f in schema.SparseFeatures) csv.WriteField(f.Name);
                foreach (var f in schema.DenseFeatures) csv.WriteField(f.Name);
                csv.WriteField(schema.ScenarioColumn);
                csv.WriteField(schema.Label);
                csv.NextRecord();
                for (long i = 0; i < rows; i++)
                {
                    for (int j = 0; j < fs; j++) csv.WriteField(sparse[i * fs + j].ToString(CultureInfo.InvariantCulture));
                    for (int j = 0; j < fd; j++) csv.WriteField(dense[i * fd + j].ToString("R", CultureInfo.InvariantCulture));
                    csv.WriteField(schema.ScenarioNames[(int)scenario[i]]);
                    csv.WriteField(label[i] == 1f ? "1" : "0");
                    csv.NextRecord();
                }
            }
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
        return rows;
    }

    // data<T>() throws on an empty tensor, and a dataset without dense (or sparse) features has an (N, 0) one.
    static T[] Values<T>(Tensor t) where T : unmanaged => t.numel() == 0 ? [] : t.data<T>().ToArray();

    /// <summary>The <c>csv</c> loader options that read an exported file back with the same roles.</summary>
    public static IReadOnlyDictionary<string, string> ReadBackOptions(DatasetSchema schema)
    {
        var options = new Dictionary<string, string>();
        if (schema.SparseFeatures.Count > 0) options["sparse"] = string.Join(",", schema.SparseFeatures.Select(f => f.Name));
        if (schema.DenseFeatures.Count > 0) options["dense"] = string.Join(",", schema.DenseFeatures.Select(f => f.Name));
        options["label"] = schema.Label;
        options["scenario"] = schema.ScenarioColumn;
        return options;
    }
}
