using System.Globalization;

namespace Msr.Core.Features;

/// <summary>Which rows categorical vocabularies and scaling ranges are fitted on.</summary>
public enum EncoderMode
{
    /// <summary>The reference benchmark's way: fitted on the whole table (train, validation and test rows) before splitting.</summary>
    Transductive,
    /// <summary>Leak-free: fitted on the training rows only; values unseen in training map to an out-of-vocabulary id,
    /// and scaled values outside the training range are clamped to [0, 1].</summary>
    TrainOnly,
}

/// <summary>
/// Categorical value → id. Reference semantics: the distinct values, sorted (numerically when every
/// value is a number, ordinally otherwise), get ids 0…n−1; a missing value is one extra category
/// placed last. With <c>minFrequency</c> &gt; 1, values seen fewer times share the out-of-vocabulary
/// id, which also receives every value unseen when fitting (leak-free mode). The OOV id is the last id.
/// </summary>
public sealed class LabelEncoder
{
    readonly int[] _codeToId;
    readonly int _missingId;

    LabelEncoder(int[] codeToId, int missingId, int oovId, int vocabulary, IReadOnlyList<string> vocabularyValues)
    {
        _codeToId = codeToId;
        _missingId = missingId;
        OutOfVocabularyId = oovId;
        Vocabulary = vocabulary;
        KnownValues = vocabularyValues;
    }

    /// <summary>Number of ids (known values, the missing category if seen, and the OOV id if reserved).</summary>
    public int Vocabulary { get; }
    /// <summary>Id of rare and unseen values, or −1 when none is reserved (transductive fit, min frequency 1).</summary>
    public int OutOfVocabularyId { get; }
    /// <summary>The known values in id order (the missing category and OOV excluded).</summary>
    public IReadOnlyList<string> KnownValues { get; }

    /// <summary>Fits on the rows <paramref name="fitRows"/> of <paramref name="column"/> (all rows when null).</summary>
    /// <param name="reserveOutOfVocabulary">Reserve an id for values not seen in the fitted rows (leak-free mode).</param>
    public static LabelEncoder Fit(CategoricalColumn column, int[]? fitRows = null, int minFrequency = 1,
        bool reserveOutOfVocabulary = false)
    {
        if (minFrequency < 1) throw new ArgumentOutOfRangeException(nameof(minFrequency), "min frequency must be >= 1");
        var codes = column.Codes;
        var counts = new long[column.Cardinality];
        long missing = 0;
        if (fitRows is null)
            foreach (var c in codes) { if (c < 0) missing++; else counts[c]++; }
        else
            foreach (var r in fitRows) { var c = codes[r]; if (c < 0) missing++; else counts[c]++; }

        var kept = new List<int>();
        bool rare = false;
        for (int c = 0; c < counts.Length; c++)
        {
            if (counts[c] >= minFrequency) kept.Add(c);
            else if (counts[c] > 0) rare = true;
        }
        var values = column.Values;
        if (column.IsNumericLike())
        {
            var numbers = values.Select(v => double.Parse(v, NumberStyles.Float, CultureInfo.InvariantCulture)).ToArray();
            kept.Sort((a, b) => numbers[a] != numbers[b] ? numbers[a].CompareTo(numbers[b]) : string.CompareOrdinal(values[a], values[b]));
        }
        else kept.Sort((a, b) => string.CompareOrdinal(values[a], values[b]));

        var map = new int[counts.Length];
        Array.Fill(map, -1);
        for (int i = 0; i < kept.Count; i++) map[kept[i]] = i;
        int next = kept.Count;
        int missingId = -1;
        if (missing >= minFrequency) missingId = next++;
        else if (missing > 0) rare = true;
        int oov = rare || reserveOutOfVocabulary ? next++ : -1;
        for (int c = 0; c < map.Length; c++) if (map[c] < 0) map[c] = oov;
        return new LabelEncoder(map, missingId < 0 ? oov : missingId, oov, Math.Max(next, 1), kept.Select(c => values[c]).ToList());
    }

    /// <summary>Id of a column code (−1 = missing); false when the value was not fitted and there is no OOV id.</summary>
    public bool TryTransform(int code, out long id)
    {
        id = code < 0 ? _missingId : code < _codeToId.Length ? _codeToId[code] : OutOfVocabularyId;
        return id >= 0;
    }

    /// <summary>Id of a column code (−1 = missing). Throws only if a value was unseen and no OOV id exists.</summary>
    public long Transform(int code)
    {
        int id = code < 0 ? _missingId : code < _codeToId.Length ? _codeToId[code] : OutOfVocabularyId;
        if (id < 0) throw new InvalidOperationException("value not seen when fitting and no out-of-vocabulary id reserved");
        return id;
    }
}

/// <summary>(x − min)/(max − min) with min and max over the fitted rows; missing values become <see cref="MissingValue"/>.</summary>
public sealed class MinMaxScaler
{
    public double Min { get; }
    public double Max { get; }
    public bool Clamp { get; }
    public float MissingValue { get; }

    MinMaxScaler(double min, double max, bool clamp, float missingValue)
    {
        Min = min;
        Max = max;
        Clamp = clamp;
        MissingValue = missingValue;
    }

    public static MinMaxScaler Fit(ReadOnlySpan<double> values, int[]? fitRows = null, bool clamp = false,
        float missingValue = 0f)
    {
        double min = double.PositiveInfinity, max = double.NegativeInfinity;
        if (fitRows is null)
            foreach (var v in values) { if (!double.IsNaN(v)) { if (v < min) min = v; if (v > max) max = v; } }
        else
            foreach (var r in fitRows) { var v = values[r]; if (!double.IsNaN(v)) { if (v < min) min = v; if (v > max) max = v; } }
        if (double.IsInfinity(min)) { min = 0; max = 0; }
        return new MinMaxScaler(min, max, clamp, missingValue);
    }

    /// <summary>Scaled value; a constant column scales to 0.</summary>
    public float Transform(double v)
    {
        if (double.IsNaN(v)) return MissingValue;
        double range = Max - Min;
        double x = range > 0 ? (v - Min) / range : 0;
        if (Clamp) x = Math.Clamp(x, 0, 1);
        return (float)x;
    }
}

/// <summary>
/// Numeric value → bucket id: <c>boundaries</c> b_0 &lt; … &lt; b_{k−1} give k+1 buckets
/// (bucket i holds b_{i−1} ≤ x &lt; b_i); a missing value gets its own last id.
/// </summary>
public sealed class Bucketizer
{
    public Bucketizer(IReadOnlyList<double> boundaries)
    {
        for (int i = 1; i < boundaries.Count; i++)
            if (!(boundaries[i] > boundaries[i - 1])) throw new ArgumentException("bucket boundaries must be strictly increasing");
        Boundaries = [.. boundaries];
    }

    public double[] Boundaries { get; }
    /// <summary>Buckets plus the missing-value id.</summary>
    public int Vocabulary => Boundaries.Length + 2;
    public int MissingId => Boundaries.Length + 1;

    /// <summary>Equal-frequency boundaries: the distinct quantiles at 1/b, 2/b, … of the fitted rows' values.</summary>
    public static Bucketizer Quantiles(ReadOnlySpan<double> values, int buckets, int[]? fitRows = null)
    {
        if (buckets < 1) throw new ArgumentOutOfRangeException(nameof(buckets), "need at least one bucket");
        var sample = new List<double>();
        if (fitRows is null) foreach (var v in values) { if (!double.IsNaN(v)) sample.Add(v); }
        else foreach (var r in fitRows) { if (!double.IsNaN(values[r])) sample.Add(values[r]); }
        sample.Sort();
        var bounds = new SortedSet<double>();
        if (sample.Count > 0)
            for (int i = 1; i < buckets; i++)
            {
                var q = sample[(int)Math.Min(sample.Count - 1, (long)i * sample.Count / buckets)];
                if (q > sample[0]) bounds.Add(q);
            }
        return new Bucketizer([.. bounds]);
    }

    public long Transform(double v)
    {
        if (double.IsNaN(v)) return MissingId;
        int i = Array.BinarySearch(Boundaries, v);
        return i >= 0 ? i + 1 : ~i;
    }
}
