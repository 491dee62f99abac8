using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Msr.Core.Features;

namespace Msr.Core.Data.Amazon;

/// <summary>
/// Amazon 5-core reviews, one JSON-lines file per category (gzip or not): <c>reviews_&lt;Category&gt;_5.json[.gz]</c>
/// (2014 release) or <c>&lt;Category&gt;_5.json[.gz]</c> (2018). Scenario i = the i-th category of <c>categories</c>
/// (default Beauty, Clothing_Shoes_and_Jewelry, Health_and_Personal_Care, spec §3.4); sparse <c>user</c>
/// (reviewerID) and <c>item</c> (asin) encoded jointly over the categories; label overall &gt; 3; no dense features.
/// </summary>
public sealed class AmazonLoader : IDatasetLoader
{
    public static readonly string[] DefaultCategories = ["Beauty", "Clothing_Shoes_and_Jewelry", "Health_and_Personal_Care"];

    public string Name => "amazon";
    public string Description => "Amazon 5-core JSON lines, one file per category (scenario); label overall>3";
    public IReadOnlyList<string> ExpectedFiles => [.. DefaultCategories.Select(c => $"reviews_{c}_5.json")];
    public ProtocolDefaults Defaults => new(BatchSize: 4096, Patience: 5, StepLrStepSize: 4, StepLrGamma: 0.95, ModelPreset: "amazon");

    static readonly NamesDatasetOption Categories = DatasetOption.Names("categories",
        "the review categories read, one scenario each, in this order", string.Join(",", DefaultCategories));
    public IReadOnlyList<DatasetOption> Options { get; } = [.. EncodingOptions.Declared, Categories];

    public IReadOnlyList<string> MissingFiles(DatasetRequest request) =>
        LoaderSupport.MissingFiles(request, Name, fileAccepted: false,
            [.. (Categories.Read(Settings.Checking(request.Options.Given)) ?? DefaultCategories).Select(FileNames)]);

    /// <summary>The names a category's file may have: the 2014 or 2018 release, gzipped or not.</summary>
    static string[] FileNames(string category) =>
        [$"reviews_{category}_5.json", $"reviews_{category}_5.json.gz", $"{category}_5.json", $"{category}_5.json.gz"];

    public ScenarioDataset Load(DatasetRequest request)
    {
        var options = EncodingOptions.From(request.Options);
        var categories = Categories.Read(request.Options) ?? DefaultCategories;
        request.Options.EnsureAllUsed("dataset 'amazon'");
        var folder = LoaderSupport.Folder(request, Name);

        var table = new RawTable();
        var user = table.AddCategorical("user");
        var item = table.AddCategorical("item");
        var scenario = table.AddCategorical("category");
        var label = table.AddNumeric("label");
        foreach (var cat in categories)
        {
            var file = LoaderSupport.File(folder, FileNames(cat));
            table.Sources.Add(file);
            Stream stream = File.OpenRead(file);
            if (file.EndsWith(".gz", StringComparison.OrdinalIgnoreCase)) stream = new GZipStream(stream, CompressionMode.Decompress);
            using var reader = new StreamReader(stream, new UTF8Encoding(false));
            long line = 0;
            while (reader.ReadLine() is { } text)
            {
                line++;
                if (text.Length == 0 || text.All(char.IsWhiteSpace)) continue;
                var at = new SourcePosition(file, line);
                try
                {
                    using var doc = JsonDocument.Parse(text);
                    var root = doc.RootElement;
                    string Text(string field) => root.TryGetProperty(field, out var v) && v.ValueKind == JsonValueKind.String && v.GetString() is { Length: > 0 } s
                        ? s
                        : throw new DataFormatException(at, field, "missing or not a string");
                    var reviewer = Text("reviewerID");
                    var asin = Text("asin");
                    if (!root.TryGetProperty("overall", out var o) || o.ValueKind != JsonValueKind.Number || !o.TryGetDouble(out var overall))
                        throw new DataFormatException(at, "overall", "missing or not a number");
                    user.Add(reviewer, at);
                    item.Add(asin, at);
                    scenario.Add(cat, at);
                    label.Add(overall > 3 ? 1 : 0);
                }
                catch (JsonException e)
                {
                    throw new DataFormatException(file, line, null, $"malformed JSON line: {e.Message}");
                }
            }
        }
        var layout = new TableLayout([new("user"), new("item")], [], "label", ScenarioRule.Fixed("category", categories, OutsideRows.Error),
            User: "user");
        return DatasetEncoder.Encode(Name, table, layout, options);
    }
}
