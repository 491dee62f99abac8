using Msr.Core.Features;

namespace Msr.Core.Data.AliCcp;

/// <summary>
/// Ali-CCP from the benchmark's processed train/val/test CSVs (spec §3.3): 23 categorical fields already encoded as
/// ids (vocabulary = max id + 1, including field <c>301</c>), 8 dense D-columns already MinMax-scaled (rounded through
/// float16 as the reference does when <c>half_precision</c> is true, the default), label <c>click</c>, scenario =
/// field <c>301</c> {1→0, 2→1, 3→2} (any other value is an error), split predefined by the three files.
/// </summary>
public sealed class AliCcpLoader : IDatasetLoader
{
    public static readonly string[] SparseColumns =
    [
        "101", "121", "122", "124", "125", "126", "127", "128", "129", "205", "206", "207", "210", "216",
        "508", "509", "702", "853", "301", "109_14", "110_14", "127_14", "150_14",
    ];

    public static readonly string[] DenseColumns = ["D109_14", "D110_14", "D127_14", "D150_14", "D508", "D509", "D702", "D853"];

    public string Name => "aliccp";
    public string Description => "Ali-CCP, the benchmark's processed ali_ccp_{train,val,test}.csv; scenario = field 301, predefined split";
    public IReadOnlyList<string> ExpectedFiles => ["ali_ccp_train.csv", "ali_ccp_val.csv", "ali_ccp_test.csv"];
    public ProtocolDefaults Defaults => new(BatchSize: 102400, Patience: 5, StepLrStepSize: 4, StepLrGamma: 0.95, ModelPreset: "aliccp");

    public static readonly BoolDatasetOption HalfPrecision = DatasetOption.Bool("half_precision",
        "round dense values through float16, as the reference does", true);
    static readonly string[][] Parts = [.. new[] { "train", "val", "test" }.Select(p => new[] { $"ali_ccp_{p}.csv", $"ali_ccp_{p}_sample.csv" })];

    public IReadOnlyList<DatasetOption> Options { get; } = [.. EncodingOptions.Declared, HalfPrecision];
    public IReadOnlyList<string> MissingFiles(DatasetRequest request) => LoaderSupport.MissingFiles(request, Name, fileAccepted: false, Parts);

    public ScenarioDataset Load(DatasetRequest request)
    {
        var options = EncodingOptions.From(request.Options);
        bool half = HalfPrecision.Read(request.Options);
        request.Options.EnsureAllUsed("dataset 'aliccp'");
        var folder = LoaderSupport.Folder(request, Name);

        var table = new RawTable();
        var rowsPerPart = new int[3];
        ColumnRead[] columns =
        [
            .. SparseColumns.Select(c => new ColumnRead(c, ReadAs.Id)),
            .. DenseColumns.Select(c => new ColumnRead(c, ReadAs.Number)),
            new("click", ReadAs.Binary),
            new("301", ReadAs.Categorical, "scenario_301"),
        ];
        var files = Parts.Select(part => LoaderSupport.File(folder, part)).ToArray();
        for (byte part = 0; part < 3; part++)
        {
            // The columns are sized once for all three files (85 M rows in all for the full data).
            long later = files.Skip(part + 1).Sum(f => new FileInfo(f).Length);
            rowsPerPart[part] = RawTableReader.Append(table, files[part], DelimitedFormat.Csv, columns, later);
        }
        var layout = new TableLayout(
            [.. SparseColumns.Select(c => new SparseInput(c, SparseEncoding.Identity))],
            [.. DenseColumns.Select(c => new DenseInput(c, Scale: false, RoundToHalf: half))],
            "click",
            ScenarioRule.Fixed("scenario_301", ["1", "2", "3"], OutsideRows.Error, ["301=1", "301=2", "301=3"]),
            User: "101"); // field 101 is Ali-CCP's user id
        return DatasetEncoder.Encode(Name, table, layout, options, PredefinedParts.Consecutive(rowsPerPart[0], rowsPerPart[1], rowsPerPart[2]));
    }
}
