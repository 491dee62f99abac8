using System.Globalization;
using System.IO.Compression;
using System.Text;
using CsvHelper;
using CsvHelper.Configuration;

namespace Msr.Core.Features;

/// <summary>How a delimited text file is written.</summary>
/// <param name="Delimiter">Field separator: <c>,</c>, <c>\t</c>, <c>|</c>, <c>::</c>, ...</param>
/// <param name="HasHeader">Whether the first record names the columns.</param>
/// <param name="Quoted">RFC 4180 quoting (true for real CSV); false reads quotes as ordinary characters
/// (TSV files such as MIND's, whose titles contain unbalanced quotes, and the MovieLens files).</param>
/// <param name="Encoding">Text encoding; null = UTF-8 (MovieLens' movie titles are ISO-8859-1).</param>
public sealed record DelimitedFormat(string Delimiter = ",", bool HasHeader = true, bool Quoted = true, Encoding? Encoding = null)
{
    public static DelimitedFormat Csv { get; } = new();
    public static DelimitedFormat HeaderlessTsv { get; } = new("\t", HasHeader: false, Quoted: false);
}

/// <summary>
/// Streams the records of one delimited file (CsvHelper's parser underneath; .gz files are
/// decompressed on the fly). Field access reports errors as <see cref="DataFormatException"/>
/// naming the file, the line and the field.
/// </summary>
public sealed class DelimitedReader : IDisposable
{
    readonly CsvParser _parser;
    readonly string[] _header;
    readonly Dictionary<string, int> _columns = new(StringComparer.Ordinal);
    readonly int _expectedFields;
    readonly bool _quoted;
    readonly bool _compressed;
    readonly long _fileBytes;
    bool _unclosedQuote;

    DelimitedReader(string path, DelimitedFormat format, int minFields)
    {
        File = path;
        if (!System.IO.File.Exists(path)) throw new DataFormatException(path, 0, null, "file not found");
        Stream stream = System.IO.File.OpenRead(path);
        _fileBytes = stream.Length;
        _compressed = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase);
        if (_compressed) stream = new GZipStream(stream, CompressionMode.Decompress);
        var text = new StreamReader(stream, format.Encoding ?? new UTF8Encoding(false), detectEncodingFromByteOrderMarks: true);
        var config = new CsvConfiguration(CultureInfo.InvariantCulture)
        {
            Delimiter = format.Delimiter,
            HasHeaderRecord = format.HasHeader,
            Mode = format.Quoted ? CsvMode.RFC4180 : CsvMode.NoEscape,
            IgnoreBlankLines = true,
            BadDataFound = args => throw new DataFormatException(File, Math.Max(1, args.Context.Parser?.RawRow ?? 0), null,
                $"malformed quoting in '{Truncate(args.RawRecord)}'"),
        };
        _parser = new CsvParser(text, config);
        Delimiter = format.Delimiter;
        _quoted = format.Quoted;
        if (format.HasHeader)
        {
            if (!ReadRaw())
            {
                _parser.Dispose();
                throw new DataFormatException(path, 1, null, "the file is empty (expected a header line)");
            }
            _header = new string[_parser.Count];
            for (int i = 0; i < _header.Length; i++)
            {
                _header[i] = _parser[i].Trim();
                _columns.TryAdd(_header[i], i);
            }
            _expectedFields = _header.Length;
        }
        else
        {
            _header = [];
            _expectedFields = minFields;
        }
    }

    /// <summary>Opens a file. Without a header, every record must have at least <paramref name="minFields"/> fields.</summary>
    public static DelimitedReader Open(string path, DelimitedFormat format, int minFields = 1) => new(path, format, minFields);

    public string File { get; }
    public string Delimiter { get; }
    /// <summary>Column names from the header (empty without one).</summary>
    public IReadOnlyList<string> Header => _header;
    /// <summary>1-based line of the current record.</summary>
    public long Line { get; private set; }
    public SourcePosition Position => new(File, Line);
    /// <summary>Number of fields in the current record.</summary>
    public int FieldCount => _parser.Count;

    public bool HasColumn(string name) => _columns.ContainsKey(name);

    /// <summary>
    /// An estimate of the records in the whole file from the characters read so far and the file size (null for a
    /// compressed file), for sizing columns once instead of growing them; ASCII-dominated files give it within a few %.
    /// </summary>
    /// <param name="recordsSoFar">Records read so far.</param>
    /// <param name="moreBytes">Bytes of further files of the same layout to be read after this one.</param>
    public long? EstimatedRecords(long recordsSoFar, long moreBytes = 0)
    {
        if (_compressed || recordsSoFar == 0 || _parser.CharCount == 0) return null;
        return (long)Math.Ceiling(recordsSoFar * (double)(_fileBytes + moreBytes) / _parser.CharCount);
    }

    /// <summary>Index of a header column; a missing column is a <see cref="DataFormatException"/>.</summary>
    public int Column(string name) => _columns.TryGetValue(name, out var i)
        ? i
        : throw new DataFormatException(File, 1, name, $"column '{name}' is missing; the header has: {string.Join(", ", _header)}");

    /// <summary>Advances to the next record; checks its field count (equal to the header's, or at least the minimum).</summary>
    public bool Read()
    {
        if (!ReadRaw()) return false;
        int n = _parser.Count;
        bool ok = _header.Length > 0 ? n == _expectedFields : n >= _expectedFields;
        if (!ok)
        {
            var hint = _unclosedQuote ? "; a quote in it is never closed, so the record ran on to the end of the file" : "";
            throw new DataFormatException(File, Line, null,
                $"malformed line: {n} field{(n == 1 ? "" : "s")} where {(_header.Length > 0 ? "" : "at least ")}{_expectedFields} expected " +
                $"(separator '{Delimiter.Replace("\t", "\\t")}'){hint}");
        }
        return true;
    }

    bool ReadRaw()
    {
        try
        {
            long before = _parser.RawRow;
            if (!_parser.Read()) return false;
            // RawRow counts the physical lines consumed so far, so a one-line record sits on RawRow. When more than one
            // line was consumed (blank lines skipped before the record, or a quoted field spanning lines) the record
            // starts where its raw text starts: count back the line breaks inside it. The rare path pays for the text.
            // A quote never closed makes the parser run to the end of the file and count one line more.
            long after = _parser.RawRow;
            _unclosedQuote = false;
            if (after - before <= 1) Line = after;
            else
            {
                var raw = _parser.RawRecord;
                _unclosedQuote = _quoted && raw.Count(c => c == '"') % 2 == 1;
                Line = after - LineBreaks(raw.TrimEnd('\r', '\n')) - (_unclosedQuote ? 1 : 0);
            }
            return true;
        }
        catch (CsvHelperException e)
        {
            throw new DataFormatException(File, _parser.RawRow, null, $"unreadable record: {e.Message.Split('\n')[0]}", e);
        }
    }

    /// <summary>The raw text of field <paramref name="index"/>.</summary>
    public string Get(int index) => _parser[index];

    /// <summary>Field text, or null when it is empty (a missing value).</summary>
    public string? GetOptional(int index)
    {
        var s = _parser[index];
        return s.Length == 0 ? null : s;
    }

    string Name(int index) => index < _header.Length ? _header[index] : $"#{index + 1}";

    /// <summary>
    /// A finite number, or NaN for a missing value: an empty field or one of the missing-value words pandas reads as
    /// NaN (<see cref="IsMissingWord"/>). An infinity or anything else unparsable is an error naming line and field.
    /// </summary>
    public double GetDouble(int index, string? field = null)
    {
        var s = _parser[index];
        if (s.Length == 0) return double.NaN;
        if (double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v))
        {
            if (double.IsFinite(v)) return v;
            if (double.IsInfinity(v)) throw new DataFormatException(File, Line, field ?? Name(index), $"'{Truncate(s)}' is not a finite number");
        }
        if (IsMissingWord(s)) return double.NaN;
        throw new DataFormatException(File, Line, field ?? Name(index), $"'{Truncate(s)}' is not a number");
    }

    /// <summary>The words that mean "no value" in a numeric field, as in pandas' default <c>na_values</c> (any case): NaN, NA, N/A, null, None, &lt;NA&gt;.</summary>
    public static bool IsMissingWord(string s) =>
        s.Trim().ToLowerInvariant() is "nan" or "-nan" or "na" or "n/a" or "null" or "none" or "<na>" or "#n/a";

    /// <summary>An integer (required).</summary>
    public long GetLong(int index, string? field = null)
    {
        var s = _parser[index];
        if (long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v)) return v;
        // Some processed files write integral values as "1.0".
        if (double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && d == Math.Floor(d) && Math.Abs(d) < 9e15)
            return (long)d;
        throw new DataFormatException(File, Line, field ?? Name(index), s.Length == 0 ? "value is missing" : $"'{Truncate(s)}' is not an integer");
    }

    /// <summary>A 0/1 label (also accepts 0.0/1.0).</summary>
    public float GetBinary(int index, string? field = null)
    {
        var v = GetLong(index, field);
        if (v is 0 or 1) return v;
        throw new DataFormatException(File, Line, field ?? Name(index), $"label must be 0 or 1, got '{_parser[index]}'");
    }

    public DataFormatException Error(string? field, string problem) => new(File, Line, field, problem);

    static long LineBreaks(string s)
    {
        long n = 0;
        for (int i = 0; i < s.Length; i++)
            if (s[i] == '\n' || (s[i] == '\r' && (i + 1 == s.Length || s[i + 1] != '\n'))) n++;
        return n;
    }

    static string Truncate(string s)
    {
        s = s.Replace("\r", "").Replace("\n", "\\n");
        return s.Length <= 60 ? s : s[..57] + "...";
    }

    public void Dispose() => _parser.Dispose();
}
