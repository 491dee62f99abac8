using System.Globalization;
using Msr.Core.Features;

namespace Msr.Core.Data.AliCcp;

/// <summary>
/// Ali-CCP from the original Tianchi files (spec §3.3 offline step): <c>sample_skeleton_{train,test}.csv</c>
/// (sample id, click, purchase, common-feature index, feature count, feature list) and
/// <c>common_features_{train,test}.csv</c> (index, feature count, feature list). A feature list is entries separated
/// by 0x01, each <c>field</c> 0x02 <c>id</c> 0x03 <c>value</c>; when a field repeats, the last entry wins; a sample's
/// own entries are merged with its common-feature record (its own win on a clash). Samples with click 0 and
/// purchase 1 are dropped. Each of the 23 categorical fields keeps the ids seen at least <c>min_count</c> (default 10)
/// times in the <b>training</b> file, numbered 1…n in order of first appearance; others and absent fields are 0
/// (vocabulary = max id + 1). The 8 dense fields are the value parts of 109_14, 110_14, 127_14, 150_14, 508, 509,
/// 702, 853 (absent = 0), MinMax-scaled over all rows and rounded through float16 (<c>half_precision</c>).
/// Scenario = the encoded id of field 301 {1→0, 2→1, 3→2}. Split: the training file, then the test file cut into
/// validation and test exactly as scikit-learn's <c>train_test_split(test_size=0.5, random_state=split_seed)</c> does
/// (default 2022, the reference's): the same rows in the same order (<see cref="DatasetSplit.ScikitLearnTrainTest"/>).
/// </summary>
public sealed class AliCcpRawLoader : IDatasetLoader
{
    public static readonly string[] DenseFields = ["109_14", "110_14", "127_14", "150_14", "508", "509", "702", "853"];
    const char EntrySeparator = '\u0001', FieldSeparator = '\u0002', ValueSeparator = '\u0003';

    public string Name => "aliccp-raw";
    public string Description => "Ali-CCP original sample_skeleton/common_features files, processed as the benchmark's offline step";
    public IReadOnlyList<string> ExpectedFiles => ["sample_skeleton_train.csv", "common_features_train.csv", "sample_skeleton_test.csv", "common_features_test.csv"];
    public ProtocolDefaults Defaults => new AliCcpLoader().Defaults;

    static readonly IntDatasetOption MinCount = DatasetOption.Int("min_count",
        "ids seen fewer times in the training file are encoded as 0", 10, min: 1);
    public IReadOnlyList<DatasetOption> Options { get; } = [.. EncodingOptions.Declared, MinCount, AliCcpLoader.HalfPrecision];
    public IReadOnlyList<string> MissingFiles(DatasetRequest request) =>
        LoaderSupport.MissingFiles(request, Name, fileAccepted: false, [.. ExpectedFiles.Select(f => new[] { f })]);

    public ScenarioDataset Load(DatasetRequest request)
    {
        var options = EncodingOptions.From(request.Options);
        int minCount = MinCount.Read(request.Options);
        bool half = AliCcpLoader.HalfPrecision.Read(request.Options);
        request.Options.EnsureAllUsed("dataset 'aliccp-raw'");
        var folder = LoaderSupport.Folder(request, Name);

        var fields = AliCcpLoader.SparseColumns;
        var fieldIndex = fields.Select((f, i) => (f, i)).ToDictionary(x => x.f, x => x.i, StringComparer.Ordinal);
        var denseIndex = DenseFields.Select((f, i) => (f, i)).ToDictionary(x => x.f, x => x.i, StringComparer.Ordinal);

        var table = new RawTable();
        var raw = fields.Select(f => new CategoricalColumn(f)).ToArray(); // raw feature ids, codes in first-appearance order
        var dense = AliCcpLoader.DenseColumns.Select(table.AddNumeric).ToArray();
        var click = table.AddNumeric("click");
        int trainRows = 0;
        foreach (var part in new[] { "train", "test" })
        {
            var common = ReadCommon(LoaderSupport.File(folder, $"common_features_{part}.csv"), fieldIndex, denseIndex);
            var skeleton = LoaderSupport.File(folder, $"sample_skeleton_{part}.csv");
            table.Sources.Add(skeleton);
            using var r = DelimitedReader.Open(skeleton, new DelimitedFormat(",", HasHeader: false, Quoted: false), minFields: 6);
            var ids = new string?[fields.Length];
            var values = new double[DenseFields.Length];
            while (r.Read())
            {
                var c = r.GetLong(1, "click");
                var p = r.GetLong(2, "purchase");
                if (c is not (0 or 1) || p is not (0 or 1)) throw r.Error(c is not (0 or 1) ? "click" : "purchase", "must be 0 or 1");
                if (c == 0 && p == 1) continue;
                Array.Fill(ids, null);
                Array.Fill(values, double.NaN);
                var index = r.Get(3);
                if (index.Length > 0 && common.TryGetValue(index, out var shared))
                {
                    Array.Copy(shared.Ids, ids, ids.Length);
                    Array.Copy(shared.Values, values, values.Length);
                }
                Parse(r.Get(5), fieldIndex, denseIndex, ids, values, r);
                var at = r.Position;
                for (int j = 0; j < fields.Length; j++) raw[j].Add(ids[j], at);
                for (int j = 0; j < DenseFields.Length; j++) dense[j].Add(double.IsNaN(values[j]) ? 0 : values[j]);
                click.Add(c);
                if (part == "train") trainRows++;
            }
        }
        if (trainRows == 0) throw new DataFormatException(table.Sources[0], 0, null, "no training sample left (all dropped or the file is empty)");
        int n = table.RowCount;

        // Train-only vocabularies: ids with ≥ min_count training occurrences, numbered 1… in first-appearance order.
        for (int j = 0; j < fields.Length; j++)
        {
            var codes = raw[j].Codes;
            var counts = new int[raw[j].Cardinality];
            for (int i = 0; i < trainRows; i++) if (codes[i] >= 0) counts[codes[i]]++;
            var id = new int[counts.Length];
            int next = 1;
            for (int code = 0; code < counts.Length; code++) id[code] = counts[code] >= minCount ? next++ : 0;
            var column = table.AddIds(fields[j]);
            foreach (var code in codes) column.Add(code >= 0 ? id[code] : 0);
        }

        // Official test file → validation / test halves, as the reference's train_test_split(test, test_size=0.5,
        // random_state=2022) made them: same rows, same order.
        int testRows = n - trainRows;
        if (testRows < 2) throw new DataFormatException(table.Sources[1], 0, null, $"{testRows} test sample(s) left; at least 2 are needed to cut validation and test");
        var (validation, test) = DatasetSplit.ScikitLearnTrainTest(testRows, 0.5, options.SplitSeed);
        var parts = new PredefinedParts([.. Enumerable.Range(0, trainRows)],
            [.. validation.Select(i => trainRows + i)], [.. test.Select(i => trainRows + i)]);

        var layout = new TableLayout(
            [.. fields.Select(f => new SparseInput(f, SparseEncoding.Identity))],
            [.. AliCcpLoader.DenseColumns.Select(d => new DenseInput(d, Scale: true, RoundToHalf: half))],
            "click",
            ScenarioRule.Fixed("301", ["1", "2", "3"], OutsideRows.Error, ["301=1", "301=2", "301=3"]),
            User: "101"); // field 101 is Ali-CCP's user id
        return DatasetEncoder.Encode(Name, table, layout, options, parts);
    }

    sealed record Shared(string?[] Ids, double[] Values);

    static Dictionary<string, Shared> ReadCommon(string path, Dictionary<string, int> fieldIndex, Dictionary<string, int> denseIndex)
    {
        var result = new Dictionary<string, Shared>(StringComparer.Ordinal);
        var intern = new Dictionary<string, string>(StringComparer.Ordinal);
        using var r = DelimitedReader.Open(path, new DelimitedFormat(",", HasHeader: false, Quoted: false), minFields: 3);
        while (r.Read())
        {
            var ids = new string?[fieldIndex.Count];
            var values = new double[denseIndex.Count];
            Array.Fill(values, double.NaN);
            Parse(r.Get(2), fieldIndex, denseIndex, ids, values, r);
            for (int j = 0; j < ids.Length; j++)
                if (ids[j] is { } s)
                {
                    if (!intern.TryGetValue(s, out var shared)) intern[s] = shared = s;
                    ids[j] = shared;
                }
            result[r.Get(0)] = new Shared(ids, values);
        }
        return result;
    }

    /// <summary>Parses a feature list into the wanted fields' ids and dense values; a repeated field's last entry wins.</summary>
    static void Parse(string list, Dictionary<string, int> fieldIndex, Dictionary<string, int> denseIndex, string?[] ids, double[] values, DelimitedReader r)
    {
        var lookup = fieldIndex.GetAlternateLookup<ReadOnlySpan<char>>();
        var denseLookup = denseIndex.GetAlternateLookup<ReadOnlySpan<char>>();
        foreach (var range in list.AsSpan().Split(EntrySeparator))
        {
            var entry = list.AsSpan(range);
            if (entry.IsEmpty) continue;
            int f = entry.IndexOf(FieldSeparator), v = entry.IndexOf(ValueSeparator);
            if (f <= 0 || v <= f) throw r.Error("feature_list", $"entry '{entry.ToString().Replace(FieldSeparator, '^').Replace(ValueSeparator, '~')}' is not field\\x02id\\x03value");
            var field = entry[..f];
            bool wanted = lookup.TryGetValue(field, out var j);
            bool isDense = denseLookup.TryGetValue(field, out var d);
            if (!wanted && !isDense) continue;
            if (wanted) ids[j] = entry[(f + 1)..v].ToString();
            if (isDense)
            {
                if (!double.TryParse(entry[(v + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out var x))
                    throw r.Error("feature_list", $"field {field} has value '{entry[(v + 1)..]}', not a number");
                values[d] = x;
            }
        }
    }
}
