using Msr.Core.Data;
using TorchSharp;

namespace Msr.Core.Features;

/// <summary>How a sparse input column becomes ids.</summary>
public enum SparseEncoding
{
    /// <summary><see cref="LabelEncoder"/> (vocabulary = distinct values, plus missing/OOV ids when needed).</summary>
    Label,
    /// <summary>The value is already an id (an <see cref="IdColumn"/>); vocabulary = max id + 1 (Ali-CCP's processed files).</summary>
    Identity,
    /// <summary>A numeric column cut into equal-frequency buckets (<see cref="SparseInput.Buckets"/>).</summary>
    Bucket,
}

/// <summary>A sparse model input taken from a raw column.</summary>
public sealed record SparseInput(string Column, SparseEncoding Encoding = SparseEncoding.Label, int Buckets = 10);

/// <summary>
/// A dense model input from a numeric raw column, MinMax-scaled unless <paramref name="Scale"/> is false; with
/// <paramref name="RoundToHalf"/> the final value is rounded through float16 (Ali-CCP's reference down-cast).
/// </summary>
public sealed record DenseInput(string Column, bool Scale = true, bool RoundToHalf = false);

/// <summary>
/// A behaviour-history feature (<see cref="BehaviorSequences"/>): for each row, the items of the same user's last
/// <paramref name="Length"/> events strictly earlier in <paramref name="TimeColumn"/> (only clicked ones when
/// <paramref name="ClicksOnly"/>). <paramref name="UserColumn"/> and <paramref name="ItemColumn"/> must be sparse inputs;
/// history ids are the encoded item ids + 1 (0 pads), so the feature has its own table of item vocabulary + 1.
/// <paramref name="ItemColumn"/> may be any sparse input: the window of events depends only on the user, time and filter,
/// so sequences of the same user, time, length and filter are aligned position by position (an attribute history
/// such as <c>hist_cate_id</c> beside <c>hist_movie_id</c>, <see cref="HistoryOptions.Attributes"/>).
/// </summary>
public sealed record SequenceInput(string Name, string UserColumn, string ItemColumn, string TimeColumn, int Length, bool ClicksOnly = false);

/// <summary>
/// Column roles of a raw table: the inputs in model order, the 0/1 label column, the scenario rule and optional
/// histories, built from timestamps (<see cref="SequenceInput"/>) or read from the log (<see cref="ListedSequenceInput"/>).
/// <paramref name="User"/> names the sparse input that identifies the user (<see cref="DatasetSchema.UserFeature"/>: the
/// grouping of GAUC); null when the data has none.
/// </summary>
public sealed record TableLayout(IReadOnlyList<SparseInput> Sparse, IReadOnlyList<DenseInput> Dense, string Label, ScenarioRule Scenario,
    IReadOnlyList<SequenceInput>? Sequences = null, IReadOnlyList<ListedSequenceInput>? ListedSequences = null, string? User = null);

/// <summary>Encoder fitting options shared by all loaders (Settings: <c>encoder</c>, <c>min_freq</c>, <c>split_seed</c>).</summary>
/// <param name="Mode">Transductive (reference) or train-only (leak-free).</param>
/// <param name="MinFrequency">Values seen fewer times in the fitted rows share the out-of-vocabulary id.</param>
/// <param name="SplitSeed">In train-only mode without a predefined split, the seeded 80/10/10 split whose training rows
/// the encoders are fitted on; it is attached as the dataset's predefined split so training uses the same rows.</param>
/// <param name="EmbeddingDim">Embedding width declared for every sparse feature.</param>
public sealed record EncodingOptions(EncoderMode Mode = EncoderMode.Transductive, int MinFrequency = 1, long SplitSeed = 2022, int EmbeddingDim = 16)
{
    public static readonly ChoiceDatasetOption EncoderOption = DatasetOption.Choice("encoder",
        "fit encoders on all rows (transductive, the reference) or on the training rows only (train-only, leak-free)",
        "transductive", "transductive", "train-only", "reference", "leak-free");
    public static readonly IntDatasetOption MinFrequencyOption = DatasetOption.Int("min_freq",
        "values seen fewer times in the fitted rows share the out-of-vocabulary id", 1, min: 1);
    public static readonly LongDatasetOption SplitSeedOption = DatasetOption.Long("split_seed",
        "seed of the 80/10/10 split whose training rows train-only encoders are fitted on", 2022);
    public static readonly IntDatasetOption EmbeddingDimOption = DatasetOption.Int("embedding_dim", "embedding width of every sparse feature", 16, min: 1);

    /// <summary>The encoder options every file-based loader takes.</summary>
    public static IReadOnlyList<DatasetOption> Declared { get; } = [EncoderOption, MinFrequencyOption, SplitSeedOption, EmbeddingDimOption];

    public static EncodingOptions From(Settings s)
    {
        var mode = EncoderOption.Read(s) is "train-only" or "leak-free" ? EncoderMode.TrainOnly : EncoderMode.Transductive;
        return new EncodingOptions(mode, MinFrequencyOption.Read(s), SplitSeedOption.Read(s), EmbeddingDimOption.Read(s));
    }
}

/// <summary>Turns a raw table and its column roles into an encoded <see cref="ScenarioDataset"/>.</summary>
public static class DatasetEncoder
{
    /// <summary>
    /// Applies the scenario rule (dropping rows outside it), fits the encoders (on all kept rows, or on the training
    /// rows in train-only mode) and builds the dataset. <paramref name="parts"/> gives a predefined split such as
    /// Ali-CCP's; rows the scenario rule drops are dropped from it too. The table is consumed: each raw column's
    /// storage is freed after its last read, so a large table is never held twice, raw and encoded.
    /// </summary>
    public static ScenarioDataset Encode(string name, RawTable table, TableLayout layout, EncodingOptions options, PredefinedParts? parts = null)
    {
        table.CheckAligned();
        var rows = KeptRows.Select(table, layout, options, parts);
        try
        {
            using var scope = torch.NewDisposeScope();
            var pass = new EncodingPass(table, layout, options, rows);
            var sparse = pass.Sparse();
            var dense = pass.Dense();
            var (scenario, label) = pass.ScenarioAndLabel();
            var sequences = pass.Sequences(label);
            var schema = new DatasetSchema(pass.Features, rows.Assignment.Names, layout.Label, layout.Scenario.Column, layout.User);
            return new ScenarioDataset(name, schema, sparse, dense, scenario, torch.tensor(label), sequences) { PredefinedSplit = rows.Split };
        }
        catch
        {
            rows.Split?.Dispose(); // detached from every scope: nothing else would free it
            throw;
        }
    }

    /// <summary>
    /// The rows that survive the scenario rule (raw indices, in order), the split attached to the dataset (predefined,
    /// or the train-only mode's seeded one) and the raw rows the encoders are fitted on (null = every raw row).
    /// </summary>
    sealed record KeptRows(ScenarioAssignment Assignment, List<int> Kept, DatasetSplit? Split, int[]? FitRows)
    {
        public int Count => Kept.Count;

        public static KeptRows Select(RawTable table, TableLayout layout, EncodingOptions options, PredefinedParts? parts)
        {
            var assignment = layout.Scenario.Apply(table);
            var kept = new List<int>(assignment.PerRow.Length);
            for (int i = 0; i < assignment.PerRow.Length; i++) if (assignment.PerRow[i] >= 0) kept.Add(i);
            int n = kept.Count;
            if (n == 0) throw new DataFormatException(table.SourceText, 0, layout.Scenario.Column, "no rows left after the scenario rule");
            parts?.CheckCovers(table.RowCount);

            long[]? train = null, validation = null, test = null;
            if (parts is not null)
            {
                var keptIndex = new int[table.RowCount];
                Array.Fill(keptIndex, -1);
                for (int j = 0; j < n; j++) keptIndex[kept[j]] = j;
                long[] Kept(int[] rawRows) => [.. rawRows.Select(r => (long)keptIndex[r]).Where(j => j >= 0)];
                (train, validation, test) = (Kept(parts.Train), Kept(parts.Validation), Kept(parts.Test));
            }
            else if (options.Mode == EncoderMode.TrainOnly)
            {
                using var random = DatasetSplit.Random(n, options.SplitSeed);
                (train, validation, test) = (random.Train.data<long>().ToArray(), random.Validation.data<long>().ToArray(), random.Test.data<long>().ToArray());
            }
            var split = train is null ? null : new DatasetSplit(torch.tensor(train), torch.tensor(validation!), torch.tensor(test!));
            int[]? fitRows = options.Mode == EncoderMode.TrainOnly ? [.. train!.Select(j => kept[(int)j])]
                : n != table.RowCount ? [.. kept]
                : null;
            return new KeptRows(assignment, kept, split, fitRows);
        }
    }

    /// <summary>
    /// One encoding of one table: fills the output tensors a column at a time and frees each raw column after its
    /// last read (<see cref="RawColumn.Release"/>), so the peak is the raw table or the encoded one plus one column.
    /// </summary>
    sealed class EncodingPass(RawTable table, TableLayout layout, EncodingOptions options, KeptRows rows)
    {
        readonly List<int> _kept = rows.Kept;
        readonly int _n = rows.Count;
        readonly bool _leakFree = options.Mode == EncoderMode.TrainOnly;
        readonly Dictionary<string, int> _readsLeft = RawColumnReads(layout);
        readonly Dictionary<string, LabelEncoder> _labelEncoders = new(StringComparer.Ordinal);
        // Encoded item and attribute ids that time-ordered histories read again.
        readonly HashSet<string> _historyColumns = (layout.Sequences ?? []).Select(q => q.ItemColumn).ToHashSet(StringComparer.Ordinal);
        // Histories group events by who the user is, not by the encoded id: in train-only mode or with min_freq > 1
        // users share the out-of-vocabulary id, and grouping by it would pool different users' events into one history.
        readonly HashSet<string> _historyUsers = (layout.Sequences ?? []).Select(q => q.UserColumn).ToHashSet(StringComparer.Ordinal);
        readonly Dictionary<string, long[]> _encoded = new(StringComparer.Ordinal);
        readonly Dictionary<string, long[]> _users = new(StringComparer.Ordinal);

        public List<FeatureSpec> Features { get; } = [];

        public torch.Tensor Sparse()
        {
            var output = torch.empty([_n, layout.Sparse.Count], torch.int32);
            for (int j = 0; j < layout.Sparse.Count; j++)
            {
                var input = layout.Sparse[j];
                var (ids, vocabulary) = input.Encoding switch
                {
                    SparseEncoding.Label => LabelIds(input.Column),
                    SparseEncoding.Identity => GivenIds(input.Column),
                    _ => BucketIds(input),
                };
                Store(output, j, torch.tensor(ids));
                if (_historyColumns.Contains(input.Column)) _encoded[input.Column] = ids;
                if (_historyUsers.Contains(input.Column)) _users[input.Column] = input.Encoding == SparseEncoding.Label ? RawCodes(input.Column) : ids;
                Read(input.Column);
                Features.Add(FeatureSpec.Sparse(input.Column, vocabulary, options.EmbeddingDim));
            }
            return output;
        }

        /// <summary>Each kept row's raw value of a categorical column as its distinct-value code: who the row is, before any encoding.</summary>
        long[] RawCodes(string columnName)
        {
            var codes = table.Categorical(columnName).Codes;
            var raw = new long[_n];
            for (int r = 0; r < _n; r++) raw[r] = codes[_kept[r]];
            return raw;
        }

        (long[] Ids, int Vocabulary) LabelIds(string columnName)
        {
            var column = table.Categorical(columnName);
            var encoder = LabelEncoder.Fit(column, rows.FitRows, options.MinFrequency, reserveOutOfVocabulary: _leakFree);
            var codes = column.Codes;
            var ids = new long[_n];
            for (int r = 0; r < _n; r++) ids[r] = encoder.Transform(codes[_kept[r]]);
            _labelEncoders[columnName] = encoder;
            return (ids, encoder.Vocabulary);
        }

        /// <summary>Ids already encoded in the file (Ali-CCP's processed CSVs): vocabulary = max id + 1.</summary>
        (long[] Ids, int Vocabulary) GivenIds(string columnName)
        {
            var values = table.Ids(columnName).Values;
            var ids = new long[_n];
            int max = 0;
            for (int r = 0; r < _n; r++)
            {
                int v = values[_kept[r]];
                ids[r] = v;
                max = Math.Max(max, v);
            }
            return (ids, max + 1);
        }

        (long[] Ids, int Vocabulary) BucketIds(SparseInput input)
        {
            var values = table.Numeric(input.Column).Values;
            var bucketizer = Bucketizer.Quantiles(values, input.Buckets, rows.FitRows);
            var ids = new long[_n];
            for (int r = 0; r < _n; r++) ids[r] = bucketizer.Transform(values[_kept[r]]);
            return (ids, bucketizer.Vocabulary);
        }

        public torch.Tensor Dense()
        {
            var output = torch.empty([_n, layout.Dense.Count], torch.float32);
            for (int j = 0; j < layout.Dense.Count; j++)
            {
                var input = layout.Dense[j];
                var values = table.Numeric(input.Column).Values;
                var column = new float[_n];
                if (input.Scale)
                {
                    var scaler = MinMaxScaler.Fit(values, rows.FitRows, clamp: _leakFree);
                    for (int r = 0; r < _n; r++) column[r] = scaler.Transform(values[_kept[r]]);
                }
                else
                    for (int r = 0; r < _n; r++)
                    {
                        var v = values[_kept[r]];
                        column[r] = double.IsNaN(v) ? 0f : (float)v;
                    }
                if (input.RoundToHalf)
                    for (int r = 0; r < _n; r++) column[r] = (float)(Half)column[r];
                Store(output, j, torch.tensor(column));
                Read(input.Column);
                Features.Add(FeatureSpec.Dense(input.Column));
            }
            return output;
        }

        public (torch.Tensor Scenario, float[] Label) ScenarioAndLabel()
        {
            var labels = table.Numeric(layout.Label).Values;
            var label = new float[_n];
            var scenario = new long[_n];
            for (int r = 0; r < _n; r++)
            {
                var y = labels[_kept[r]];
                if (y is not (0 or 1)) throw new DataFormatException(table.SourceText, 0, layout.Label, $"label must be 0 or 1, got {y}");
                label[r] = (float)y;
                scenario[r] = rows.Assignment.PerRow[_kept[r]];
            }
            Read(layout.Label);
            return (torch.tensor(scenario), label);
        }

        public Dictionary<string, torch.Tensor> Sequences(float[] label)
        {
            var sequences = new Dictionary<string, torch.Tensor>();
            // An item history and its attribute histories read the same user and time columns: one sort serves them all.
            var orders = new Dictionary<(string User, string Time), EventOrder>();
            foreach (var q in layout.Sequences ?? [])
            {
                int item = SparseIndex(q.Name, q.ItemColumn);
                SparseIndex(q.Name, q.UserColumn);
                if (!orders.TryGetValue((q.UserColumn, q.TimeColumn), out var events))
                {
                    var rawTimes = table.Numeric(q.TimeColumn).Values;
                    var times = new double[_n];
                    for (int r = 0; r < _n; r++) times[r] = rawTimes[_kept[r]];
                    Read(q.TimeColumn);
                    orders[(q.UserColumn, q.TimeColumn)] = events = EventOrder.Of(_users[q.UserColumn], times);
                }
                var history = BehaviorSequences.Build(events, _encoded[q.ItemColumn], q.Length, q.ClicksOnly ? r => label[r] == 1 : null);
                sequences[q.Name] = torch.tensor(history, [_n, q.Length]);
                Features.Add(FeatureSpec.Sequence(q.Name, Features[item].Vocabulary + 1, q.Length, embeddingDim: options.EmbeddingDim));
            }
            foreach (var q in layout.ListedSequences ?? [])
            {
                int item = SparseIndex(q.Name, q.ItemColumn);
                if (!_labelEncoders.TryGetValue(q.ItemColumn, out var encoder))
                    throw new ArgumentException($"sequence '{q.Name}': '{q.ItemColumn}' must be a label-encoded sparse input");
                if (q.Histories.Count != table.RowCount)
                    throw new ArgumentException($"sequence '{q.Name}': {q.Histories.Count} history rows for {table.RowCount} table rows");
                sequences[q.Name] = torch.tensor(ListedSequence(q, table.Categorical(q.ItemColumn), encoder, _kept), [_n, q.Length]);
                Features.Add(FeatureSpec.Sequence(q.Name, Features[item].Vocabulary + 1, q.Length, embeddingDim: options.EmbeddingDim));
            }
            return sequences;
        }

        int SparseIndex(string sequence, string column)
        {
            for (int j = 0; j < layout.Sparse.Count; j++) if (layout.Sparse[j].Column == column) return j;
            throw new ArgumentException($"sequence '{sequence}': '{column}' is not a sparse input");
        }

        void Read(string column)
        {
            if (--_readsLeft[column] == 0) table[column].Release();
        }

        static void Store(torch.Tensor target, int j, torch.Tensor column)
        {
            using (column) target.select(1, j).copy_(column);
        }
    }

    /// <summary>
    /// How many times the encoder reads each raw column after the scenario rule (inputs, history times, the label), so
    /// a column's storage is freed at its last read. A listed history's item column keeps its storage (its distinct
    /// values are looked up at the end).
    /// </summary>
    static Dictionary<string, int> RawColumnReads(TableLayout layout)
    {
        var reads = new Dictionary<string, int>(StringComparer.Ordinal);
        void Add(string column) => reads[column] = reads.GetValueOrDefault(column) + 1;
        foreach (var s in layout.Sparse) Add(s.Column);
        foreach (var d in layout.Dense) Add(d.Column);
        Add(layout.Label);
        // Sequences share one event order per (user, time) columns, which reads the time column once (Sequences()).
        foreach (var (_, time) in (layout.Sequences ?? []).Select(q => (q.UserColumn, q.TimeColumn)).Distinct()) Add(time);
        foreach (var q in layout.ListedSequences ?? []) Add(q.ItemColumn); // never reaches 0: kept for the look-ups
        return reads;
    }

    /// <summary>The (kept rows × L) matrix of a listed history: ids + 1, right-aligned, oldest first.</summary>
    static long[] ListedSequence(ListedSequenceInput q, CategoricalColumn items, LabelEncoder encoder, List<int> kept)
    {
        int length = q.Length;
        var result = new long[(long)kept.Count * length];
        var recent = new long[length];
        for (int r = 0; r < kept.Count; r++)
        {
            var list = q.Histories.Of(kept[r]);
            int found = 0; // most recent first
            for (int k = list.Count - 1; k >= 0 && found < length; k--)
            {
                long id = items.TryGetCode(list[k], out var code) && encoder.TryTransform(code, out var known) ? known : encoder.OutOfVocabularyId;
                if (id >= 0) recent[found++] = id + 1;
            }
            long row = (long)r * length;
            for (int j = 0; j < found; j++) result[row + length - 1 - j] = recent[j];
        }
        return result;
    }
}
