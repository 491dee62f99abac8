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

    static readonly NamesDatasetOption Sparse = DatasetOption.Names("sparse", "categorical input columns (label-encoded)");
    static readonly NamesDatasetOption Dense = DatasetOption.Names("dense", "numeric input columns (MinMax-scaled)");
    static readonly NamesDatasetOption Buckets = DatasetOption.Names("buckets", "numeric columns cut into equal-frequency buckets, as column:count");
    static readonly TextDatasetOption Label = DatasetOption.Text("label", "the 0/1 click column, or a numeric one with label_threshold", required: true);
    static readonly NumberDatasetOption LabelThreshold = DatasetOption.Number("label_threshold", "values of the label column above it are clicks", null);
    static readonly TextDatasetOption Scenario = DatasetOption.Text("scenario",
        "the scenario column or rule: col, col:top=5, col:values=a,b, col:only=a,b, col:groups=a/b,c", required: true);
    static readonly TextDatasetOption Delimiter = DatasetOption.Text("delimiter", "comma, tab, pipe, semicolon or a literal", "tab for .tsv, else comma");
    static readonly BoolDatasetOption Quoted = DatasetOption.Bool("quoted", "fields may be RFC 4180 quoted", true, "true for comma-separated files");
    static readonly TextDatasetOption DataName = DatasetOption.Text("name", "the dataset's name in results and tables", "the file name");
    static readonly TextDatasetOption User = DatasetOption.Text("user", "the sparse column holding the user id (GAUC groups by it)", null);

    public IReadOnlyList<DatasetOption> Options { get; } =
        [.. EncodingOptions.Declared, Sparse, Dense, Buckets, Label, LabelThreshold, Scenario, Delimiter, Quoted, DataName, User];

    public IReadOnlyList<string> MissingFiles(DatasetRequest request) => request.Path switch
    {
        null => ["dataset 'csv' needs the path of its file"],
        var p when File.Exists(p) => [],
        var p => [$"dataset 'csv': file '{p}' not found; the loader expects one CSV/TSV file with a header"],
    };

    public ScenarioDataset Load(DatasetRequest request)
    {
        var o = request.Options;
        // Every option is read before anything is checked, so a misspelt key is reported with the others.
        var options = EncodingOptions.From(o);
        var sparse = Sparse.Read(o) ?? [];
        var dense = Dense.Read(o) ?? [];
        var bucketTexts = Buckets.Read(o) ?? [];
        var labelColumn = Label.Read(o);
        var threshold = LabelThreshold.ReadOptional(o);
        var scenarioText = Scenario.Read(o);
        var path = request.Path;
        var delimiterText = Delimiter.Read(o, path?.EndsWith(".tsv", StringComparison.OrdinalIgnoreCase) == true ? "tab" : "comma");
        var delimiter = delimiterText.ToLowerInvariant() switch
        {
            "comma" => ",",
            "tab" or "\\t" => "\t",
            "pipe" => "|",
            "semicolon" => ";",
            _ => delimiterText,
        };
        bool quoted = Quoted.Read(o, delimiter == ",");
        var name = DataName.Read(o, Path.GetFileNameWithoutExtension(path ?? "csv"));
        var user = User.Read(o);
        o.EnsureAllUsed("dataset 'csv'");
        if (labelColumn is null) throw new ArgumentException("dataset 'csv' needs option 'label' (the 0/1 click column)");
        if (scenarioText is null) throw new ArgumentException("dataset 'csv' needs option 'scenario' (a column or rule)");
        if (path is null) throw new ArgumentException("dataset 'csv' needs the path of the file");
        var buckets = bucketTexts.Select(b =>
        {
            var p = b.Split(':');
            return p.Length == 2 && int.TryParse(p[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= 1
                ? (Column: p[0], Count: n)
                : throw new ArgumentException($"option 'buckets': '{b}' is not column:count");
        }).ToList();
        if (sparse.Length + dense.Length + buckets.Count == 0) throw new ArgumentException("dataset 'csv' needs at least one sparse, dense or bucketed column");

        var rule = ScenarioRule.Parse(scenarioText);
        var declared = sparse.Concat(dense).ToList();
        // Each input column is one feature: a name declared twice would be read into the same raw column twice.
        var twice = declared.GroupBy(c => c).Where(g => g.Count() > 1).Select(g => $"'{g.Key}'").ToList();
        if (twice.Count > 0)
            throw new ArgumentException($"dataset 'csv': column {string.Join(", ", twice)} declared twice in sparse/dense; each column is one input");
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
