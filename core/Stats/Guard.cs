namespace Msr.Core.Stats;

/// <summary>
/// Input checks shared by all statistics. Centralised so every public function rejects NaN/infinite values and
/// too-small samples with the same clear message that names the offending parameter, instead of producing NaN later.
/// </summary>
internal static class Guard
{
    public static double[] Sample(IReadOnlyList<double>? values, string paramName, int minCount)
    {
        if (values is null) throw new ArgumentNullException(paramName);
        if (values.Count < minCount)
            throw new ArgumentException(
                minCount == 1
                    ? $"'{paramName}' must not be empty."
                    : $"'{paramName}' needs at least {minCount} values but has {values.Count}.",
                paramName);
        var copy = new double[values.Count];
        for (int i = 0; i < copy.Length; i++)
        {
            double v = values[i];
            if (!double.IsFinite(v))
                throw new ArgumentException($"'{paramName}' contains a non-finite value ({v}) at index {i}.", paramName);
            copy[i] = v;
        }
        return copy;
    }

    public static void SameLength(double[] a, double[] b, string paramA, string paramB)
    {
        if (a.Length != b.Length)
            throw new ArgumentException(
                $"'{paramA}' and '{paramB}' must be paired (same length) but have {a.Length} and {b.Length} values.", paramB);
    }

    public static void Level(double level, string paramName)
    {
        if (!(level > 0 && level < 1))
            throw new ArgumentException($"'{paramName}' must be strictly between 0 and 1 but is {level}.", paramName);
    }

    public static void Defined(Alternative alternative, string paramName)
    {
        if (!Enum.IsDefined(alternative))
            throw new ArgumentException($"'{paramName}' is not a valid Alternative ({(int)alternative}).", paramName);
    }
}
