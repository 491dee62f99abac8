namespace Msr.Core.Features;

/// <summary>How one source column is read into a <see cref="RawTable"/>.</summary>
public enum ReadAs
{
    /// <summary>Interned string (empty = missing).</summary>
    Categorical,
    /// <summary>Finite double (empty or a missing-value word such as NaN = NaN); anything else, infinities included, is an error.</summary>
    Number,
    /// <summary>Double truncated to an integer (the reference casts these columns to int).</summary>
    Integer,
    /// <summary>A required 0/1 label.</summary>
    Binary,
    /// <summary>As <see cref="Number"/>, but a missing value is an error (a rating that a threshold turns into a label).</summary>
    RequiredNumber,
    /// <summary>A required non-negative integer id (already encoded by the file, e.g. "17" or "17.0"), stored as int32.</summary>
    Id,
}

/// <summary>A source column and how to read it; <paramref name="As"/> names the raw column (default: the source name).</summary>
public sealed record ColumnRead(string Source, ReadAs Type, string? As = null)
{
    public string Target => As ?? Source;
}

/// <summary>Streams header-named columns of a delimited file into a raw table.</summary>
public static class RawTableReader
{
    /// <summary>
    /// Appends the rows of <paramref name="path"/> to <paramref name="table"/> (creating the columns on first use, so
    /// several files with the same columns concatenate). Missing columns, malformed lines and bad numbers are
    /// <see cref="DataFormatException"/>s naming file, line and field. Returns the number of rows read.
    /// </summary>
    /// <param name="moreBytes">Total size of further files with the same layout that will be appended after this one
    /// (e.g. Ali-CCP's validation and test files after its training file), so the columns are sized for all of them once.</param>
    public static int Append(RawTable table, string path, DelimitedFormat format, IReadOnlyList<ColumnRead> columns, long moreBytes = 0)
    {
        using var reader = DelimitedReader.Open(path, format);
        table.Sources.Add(path);
        var indices = columns.Select(c => reader.Column(c.Source)).ToArray();
        var targets = columns.Select(c => c.Type switch
        {
            ReadAs.Categorical => (RawColumn)(table.Has(c.Target) ? table.Categorical(c.Target) : table.AddCategorical(c.Target)),
            ReadAs.Id => table.Has(c.Target) ? table.Ids(c.Target) : table.AddIds(c.Target),
            _ => table.Has(c.Target) ? table.Numeric(c.Target) : table.AddNumeric(c.Target),
        }).ToArray();
        int rows = 0;
        int before = table.RowCount;
        while (reader.Read())
        {
            // Once the first rows show the line length, size every column for the whole file (plus a little): one
            // allocation per column instead of a doubling series that leaves as much garbage as data.
            if (rows == 4096 && reader.EstimatedRecords(rows, moreBytes) is { } estimate)
                table.EnsureCapacity((int)Math.Min(Array.MaxLength, before + (long)(estimate * 1.02) + 16));
            var at = reader.Position;
            for (int j = 0; j < columns.Count; j++)
            {
                int i = indices[j];
                var name = columns[j].Source;
                switch (columns[j].Type)
                {
                    case ReadAs.Categorical: ((CategoricalColumn)targets[j]).Add(reader.GetOptional(i), at); break;
                    case ReadAs.Number: ((NumericColumn)targets[j]).Add(reader.GetDouble(i, name)); break;
                    case ReadAs.Integer: ((NumericColumn)targets[j]).Add(Math.Truncate(reader.GetDouble(i, name))); break;
                    case ReadAs.Id:
                        var id = reader.GetLong(i, name);
                        if (id is < 0 or > int.MaxValue) throw reader.Error(name, $"'{reader.Get(i)}' is not a non-negative integer id");
                        ((IdColumn)targets[j]).Add((int)id);
                        break;
                    case ReadAs.RequiredNumber:
                        var value = reader.GetDouble(i, name);
                        if (double.IsNaN(value)) throw reader.Error(name, "value is missing");
                        ((NumericColumn)targets[j]).Add(value);
                        break;
                    default: ((NumericColumn)targets[j]).Add(reader.GetBinary(i, name)); break;
                }
            }
            rows++;
        }
        if (rows == 0) throw new DataFormatException(path, reader.Line + 1, null, "no data rows after the header");
        table.CheckAligned();
        return rows;
    }
}
