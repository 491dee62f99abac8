namespace Msr.Core.Features;

/// <summary>Where a raw value came from: a file and a 1-based line (0 when unknown).</summary>
public readonly record struct SourcePosition(string File, long Line)
{
    public override string ToString() => Line > 0 ? $"{File}:{Line}" : File;
}

/// <summary>
/// A dataset file is missing, unreadable or does not have the declared format. The message always
/// names the file and, when they are known, the line and the field.
/// </summary>
public sealed class DataFormatException : Exception
{
    public DataFormatException(string file, long line, string? field, string problem, Exception? inner = null)
        : base(Compose(file, line, field, problem), inner)
    {
        File = file;
        Line = line;
        Field = field;
        Problem = problem;
    }

    public DataFormatException(SourcePosition at, string? field, string problem) : this(at.File, at.Line, field, problem) { }

    /// <summary>The file at fault.</summary>
    public string File { get; }
    /// <summary>1-based line number, or 0 when the problem is not tied to one line (e.g. an empty scenario).</summary>
    public long Line { get; }
    /// <summary>Column or field name, when the problem is tied to one.</summary>
    public string? Field { get; }
    /// <summary>The problem without the location prefix.</summary>
    public string Problem { get; }

    static string Compose(string file, long line, string? field, string problem)
    {
        var where = line > 0 ? $"{file}, line {line}" : file;
        return field is null ? $"{where}: {problem}" : $"{where}, field '{field}': {problem}";
    }
}
