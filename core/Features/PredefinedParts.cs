namespace Msr.Core.Features;

/// <summary>
/// A split fixed by the data itself: raw row indices of the train, validation and test parts, each in the order the
/// part is to be read (Ali-CCP's files, or its test file halved by a seeded shuffle). Every raw row is in one part.
/// </summary>
public sealed record PredefinedParts(int[] Train, int[] Validation, int[] Test)
{
    /// <summary>Three consecutive blocks of rows: the first <paramref name="train"/>, then validation, then test.</summary>
    public static PredefinedParts Consecutive(int train, int validation, int test) =>
        new([.. Enumerable.Range(0, train)], [.. Enumerable.Range(train, validation)], [.. Enumerable.Range(train + validation, test)]);

    /// <summary>Throws unless the parts hold each of the table's <paramref name="rows"/> raw rows exactly once.</summary>
    public void CheckCovers(int rows)
    {
        var seen = new bool[rows];
        foreach (var r in Train.Concat(Validation).Concat(Test))
        {
            if ((uint)r >= (uint)rows) throw new ArgumentException($"predefined split names row {r}, but the table has {rows} rows");
            if (seen[r]) throw new ArgumentException($"predefined split names row {r} twice");
            seen[r] = true;
        }
        if (Train.Length + Validation.Length + Test.Length != rows)
            throw new ArgumentException($"predefined split covers {Train.Length + Validation.Length + Test.Length} of {rows} rows");
    }
}
