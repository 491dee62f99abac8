using System.Globalization;
using Msr.Core.Features;

namespace Msr.Core.Data.Custom;

/// <summary>
/// Any CSV/TSV file with a header, its column roles declared as options:
/// <c>sparse=user,item</c> (LabelEncoded), <c>dense=price</c> (MinMax), <c>buckets=age:5</c> (numeric → equal-frequency
/// bucket ids), <c>label=click</c> (0/1, or with <c>label_threshold=3</c>: value &gt; threshold), <c>scenario=page</c>
/// (a <see cref="ScenarioRule.Parse"/> rule: <c>page</c>, <c>page:top=5</c>, <c>page:values=a,b</c>,
/// <c>page:only=a,b</c>, <c>age:groups=1/18,25,35/45/50/56</c>), <c>delimiter</c> (comma, tab, pipe, semicolon or a
/// literal; default by extension: .tsv → tab, else comma), <c>quoted</c> (RFC 4180 quotes, default true for comma),
/// <c>name</c> (dataset name, default the file name), <c>user</c> (the sparse column holding the user id: GAUC groups by
/// it; without it the runs have no GAUC). Protocol defaults are the general ones (preset movielens).
/// </summary>
public sealed class CustomCsvLoader : IDatasetLoader
{
    public string Name => "csv";
    public string Description => "Any CSV/TSV with a header; roles given as options: sparse=a,b;dense=c;label=y;scenario=s";
    public IReadOnlyList<string> ExpectedFiles => ["<file>.csv or <file>.tsv"];
    public ProtocolDefaults Defaults => new();

    public ScenarioDataset Load(DatasetRequest request)
    {
        var o = request.Options;
        var options = EncodingOptions.From(o);
        string[] List(string key) => o.OptionalString(key)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];
        var sparse = List("sparse");
        var dense = List("dense");
        var buckets = List("buckets").Select(b =>
        {
            var p = b.Split(':');
            return p.Length == 2 && int.TryParse(p[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= 1
                ? (Column: p[0], Count: n)
                : throw new ArgumentException($"option 'buckets': '{b}' is not column:count");
        }).ToList();
        var labelColumn = o.OptionalString("label") ?? throw new ArgumentException("dataset 'csv' needs option 'label' (the 0/1 click column)");
        var threshold = o.OptionalString("label_threshold") is null ? (double?)null : o.Double("label_threshold", 0);
        var scenarioText = o.OptionalString("scenario") ?? throw new ArgumentException("dataset 'csv' needs option 'scenario' (a column or rule)");
        var path = request.Path ?? throw new ArgumentException("dataset 'csv' needs the path of the file");
        var delimiterText = o.String("delimiter", path.EndsWith(".tsv", StringComparison.OrdinalIgnoreCase) ? "tab" : "comma");
        var delimiter = delimiterText.ToLowerInvariant() switch
        {
            "comma" => ",",
            "tab" or "\\t" => "\t",
            "pipe" => "|",
            "semicolon" => ";",
            _ => delimiterText,
        };
        bool quoted = o.Bool("quoted", delimiter == ",");
        var name = o.String("name", Path.GetFileNameWithoutExtension(path));
        var user = o.OptionalString("user");
        o.EnsureAllUsed("dataset 'csv'");
        if (sparse.Length + dense.Length + buckets.Count == 0) throw new ArgumentException("dataset 'csv' needs at least one sparse, dense or bucketed column");

        var rule = ScenarioRule.Parse(scenarioText);
        var declared = sparse.Concat(dense).ToList();
        if (user is not null && !sparse.Contains(user))
            throw new ArgumentException($"dataset 'csv': option 'user' names '{user}', which is not a sparse column; sparse columns: {string.Join(", ", sparse)}");
        if (declared.Contains(labelColumn)) throw new ArgumentException($"dataset 'csv': label column '{labelColumn}' is also declared as an input");
        var reads = new List<ColumnRead>();
        reads.AddRange(sparse.Select(c => new ColumnRead(c, ReadAs.Categorical)));
        reads.AddRange(dense.Select(c => new ColumnRead(c, ReadAs.Number)));
        reads.AddRange(buckets.Select(b => new ColumnRead(b.Column, ReadAs.Number, b.Column + "_bucket")));
        reads.Add(new ColumnRead(labelColumn, threshold is null ? ReadAs.Binary : ReadAs.RequiredNumber));
        // The scenario column is read as text; a sparse column already is, any other gets its own (renamed if dense).
        if (!sparse.Contains(rule.Column))
        {
            var target = dense.Contains(rule.Column) ? rule.Column + "_scenario" : rule.Column;
            reads.Add(new ColumnRead(rule.Column, ReadAs.Categorical, target));
            rule = rule with { Column = target };
        }
        var table = new RawTable();
        RawTableReader.Append(table, path, new DelimitedFormat(delimiter, HasHeader: true, Quoted: quoted), reads);
        if (threshold is { } th) table.Numeric(labelColumn).Apply(v => v > th ? 1 : 0);

        var layout = new TableLayout(
            [.. sparse.Select(c => new SparseInput(c)), .. buckets.Select(b => new SparseInput(b.Column + "_bucket", SparseEncoding.Bucket, b.Count))],
            [.. dense.Select(c => new DenseInput(c))],
            labelColumn,
            rule,
            User: user);
        return DatasetEncoder.Encode(name, table, layout, options);
    }
}
