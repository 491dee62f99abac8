using System.Globalization;

namespace Msr.Core.Features;

/// <summary>How a raw column is stored.</summary>
public enum RawColumnType
{
    /// <summary>Strings, interned per column: each row holds an int code into the column's distinct values.</summary>
    Categorical,
    /// <summary>Doubles; NaN is a missing value.</summary>
    Numeric,
    /// <summary>Non-negative int32 ids a file has already encoded (half the memory of doubles; Ali-CCP's 23 id fields).</summary>
    Id,
}

/// <summary>One column of a <see cref="RawTable"/>, filled row by row while a file is streamed.</summary>
public abstract class RawColumn(string name)
{
    public string Name { get; } = name;
    public abstract RawColumnType Type { get; }
    public abstract int Count { get; }

    /// <summary>
    /// The column as keys: a code per row (-1 = missing) and the distinct keys as text. Categorical
    /// columns return their interned codes; numeric values are written invariantly (18 → "18").
    /// </summary>
    public abstract (int[] Codes, IReadOnlyList<string> Keys, IReadOnlyList<SourcePosition> FirstSeen) AsKeys();

    /// <summary>Makes room for <paramref name="rows"/> rows in all, so a column whose final size is known grows once.</summary>
    public abstract void EnsureCapacity(int rows);

    /// <summary>
    /// Frees the per-row storage once the encoder has read the column for the last time (the row count stays; a later
    /// read throws), so a large table is not held twice, raw and encoded.
    /// </summary>
    public abstract void Release();
}

/// <summary>
/// The per-row storage every column kind shares: one growable array of <typeparamref name="T"/>, sized once when the
/// final row count is known, freed by <see cref="Release"/>.
/// </summary>
public abstract class RawColumn<T>(string name) : RawColumn(name) where T : unmanaged
{
    T[] _items = new T[1024];
    int _count;
    bool _released;

    public sealed override int Count => _count;

    /// <summary>The rows so far; throws once released.</summary>
    protected Span<T> Items
    {
        get
        {
            CheckNotReleased();
            return _items.AsSpan(0, _count);
        }
    }

    protected void Append(T item)
    {
        CheckNotReleased();
        if (_count == _items.Length) Array.Resize(ref _items, (int)Math.Min(Array.MaxLength, Math.Max(_count + 1L, 2L * _items.Length)));
        _items[_count++] = item;
    }

    public sealed override void EnsureCapacity(int rows)
    {
        CheckNotReleased();
        if (rows > _items.Length) Array.Resize(ref _items, rows);
    }

    public sealed override void Release()
    {
        _items = [];
        _released = true;
    }

    /// <summary>Codes in first-appearance order of the distinct non-missing values, written as text.</summary>
    protected (int[] Codes, IReadOnlyList<string> Keys, IReadOnlyList<SourcePosition> FirstSeen) DistinctKeys(Func<T, bool> missing, Func<T, string> text)
    {
        var index = new Dictionary<T, int>();
        var keys = new List<string>();
        var items = Items;
        var codes = new int[items.Length];
        for (int i = 0; i < items.Length; i++)
        {
            var v = items[i];
            if (missing(v)) { codes[i] = CategoricalColumn.Missing; continue; }
            if (!index.TryGetValue(v, out var c))
            {
                c = keys.Count;
                index.Add(v, c);
                keys.Add(text(v));
            }
            codes[i] = c;
        }
        // Value columns keep no per-value positions: messages name the column only.
        return (codes, keys, keys.Select(_ => new SourcePosition($"column '{Name}'", 0)).ToList());
    }

    void CheckNotReleased()
    {
        if (_released) throw new InvalidOperationException($"raw column '{Name}' was released after encoding");
    }
}

/// <summary>
/// A string column stored as int codes (first-appearance order) into the distinct values, so a
/// file with millions of rows keeps one copy of each distinct string. Releasing it frees the codes; the distinct
/// values stay (they are small, and <see cref="TryGetCode"/> reads them).
/// </summary>
public sealed class CategoricalColumn(string name) : RawColumn<int>(name)
{
    /// <summary>Code of a missing (empty) value.</summary>
    public const int Missing = -1;

    readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);
    readonly List<string> _values = [];
    readonly List<SourcePosition> _firstSeen = [];

    public override RawColumnType Type => RawColumnType.Categorical;
    /// <summary>Number of distinct non-missing values.</summary>
    public int Cardinality => _values.Count;
    /// <summary>Distinct values; index = code.</summary>
    public IReadOnlyList<string> Values => _values;
    /// <summary>Where each distinct value was first seen (for error messages).</summary>
    public IReadOnlyList<SourcePosition> FirstSeen => _firstSeen;
    /// <summary>Where the first missing value was seen, if any.</summary>
    public SourcePosition? FirstMissing { get; private set; }
    public ReadOnlySpan<int> Codes => Items;

    /// <summary>Appends a value (null or empty = missing) and returns its code.</summary>
    public int Add(string? value, SourcePosition at = default)
    {
        int code;
        if (string.IsNullOrEmpty(value))
        {
            code = Missing;
            FirstMissing ??= at;
        }
        else if (!_index.TryGetValue(value, out code))
        {
            code = _values.Count;
            _index.Add(value, code);
            _values.Add(value);
            _firstSeen.Add(at);
        }
        Append(code);
        return code;
    }

    public string? ValueAt(int row) => Codes[row] is var c && c == Missing ? null : _values[c];

    /// <summary>The code of a value already in the column; false for a value never added.</summary>
    public bool TryGetCode(string value, out int code) => _index.TryGetValue(value, out code);

    public override (int[] Codes, IReadOnlyList<string> Keys, IReadOnlyList<SourcePosition> FirstSeen) AsKeys() =>
        (Codes.ToArray(), _values, _firstSeen);

    /// <summary>True when every distinct value reads as a number: such columns sort numerically (LabelEncoder semantics).</summary>
    public bool IsNumericLike() => _values.All(v => double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out _));
}

/// <summary>A numeric column; NaN marks a missing value.</summary>
public sealed class NumericColumn(string name) : RawColumn<double>(name)
{
    public override RawColumnType Type => RawColumnType.Numeric;
    public ReadOnlySpan<double> Values => Items;

    /// <summary>Replaces every non-missing value v by f(v) (e.g. a precision reduction).</summary>
    public void Apply(Func<double, double> f)
    {
        var items = Items;
        for (int i = 0; i < items.Length; i++) if (!double.IsNaN(items[i])) items[i] = f(items[i]);
    }

    /// <summary>Appends a value (NaN = missing).</summary>
    public void Add(double value) => Append(value);

    public override (int[] Codes, IReadOnlyList<string> Keys, IReadOnlyList<SourcePosition> FirstSeen) AsKeys() =>
        DistinctKeys(double.IsNaN, v => v.ToString("R", CultureInfo.InvariantCulture));
}

/// <summary>A column of ids a file has already encoded: non-negative int32 values, no missing value.</summary>
public sealed class IdColumn(string name) : RawColumn<int>(name)
{
    public override RawColumnType Type => RawColumnType.Id;
    public ReadOnlySpan<int> Values => Items;

    /// <summary>Appends an id; a negative one is refused (the reader reports it with its line first).</summary>
    public void Add(int id)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(id);
        Append(id);
    }

    public override (int[] Codes, IReadOnlyList<string> Keys, IReadOnlyList<SourcePosition> FirstSeen) AsKeys() =>
        DistinctKeys(_ => false, v => v.ToString(CultureInfo.InvariantCulture));
}

/// <summary>
/// Typed raw columns of one dataset, row-aligned, built while streaming its files. Loaders derive
/// columns (joins, first genre, binary label) as they read, so no raw line is kept.
/// </summary>
public sealed class RawTable
{
    readonly List<RawColumn> _columns = [];

    /// <summary>Files the rows came from (for messages that are not tied to one line).</summary>
    public List<string> Sources { get; } = [];

    public IReadOnlyList<RawColumn> Columns => _columns;

    public int RowCount => _columns.Count == 0 ? 0 : _columns[0].Count;

    public CategoricalColumn AddCategorical(string name) => Add(new CategoricalColumn(name));
    public NumericColumn AddNumeric(string name) => Add(new NumericColumn(name));
    public IdColumn AddIds(string name) => Add(new IdColumn(name));

    T Add<T>(T column) where T : RawColumn
    {
        if (_columns.Any(c => c.Name == column.Name)) throw new ArgumentException($"raw column '{column.Name}' added twice");
        _columns.Add(column);
        return column;
    }

    public bool Has(string name) => _columns.Any(c => c.Name == name);

    /// <summary>Makes room for <paramref name="rows"/> rows in every column (see <see cref="RawColumn.EnsureCapacity"/>).</summary>
    public void EnsureCapacity(int rows)
    {
        foreach (var c in _columns) c.EnsureCapacity(rows);
    }

    public RawColumn this[string name] => _columns.FirstOrDefault(c => c.Name == name)
        ?? throw new DataFormatException(SourceText, 0, name, $"no column '{name}'; columns: {string.Join(", ", _columns.Select(c => c.Name))}");

    public CategoricalColumn Categorical(string name) => this[name] as CategoricalColumn
        ?? throw new DataFormatException(SourceText, 0, name, "expected a categorical column");

    public NumericColumn Numeric(string name) => this[name] as NumericColumn
        ?? throw new DataFormatException(SourceText, 0, name, "expected a numeric column");

    public IdColumn Ids(string name) => this[name] as IdColumn
        ?? throw new DataFormatException(SourceText, 0, name, "expected a column of encoded ids");

    public string SourceText => Sources.Count == 0 ? "(no file)" : string.Join(" + ", Sources);

    /// <summary>Checks that every column has the same number of rows (a loader bug otherwise).</summary>
    public void CheckAligned()
    {
        foreach (var c in _columns)
            if (c.Count != RowCount)
                throw new InvalidOperationException($"raw column '{c.Name}' has {c.Count} rows, '{_columns[0].Name}' has {RowCount}");
    }
}
