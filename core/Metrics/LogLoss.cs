namespace Msr.Core.Metrics;

/// <summary>Mean binary cross-entropy with probabilities clipped to [1e-15, 1 − 1e-15] (scikit-learn's log_loss).</summary>
public static class LogLoss
{
    public const double Epsilon = 1e-15;

    /// <returns>The mean logloss, or null for no rows.</returns>
    public static double? Compute(ReadOnlySpan<double> probabilities, ReadOnlySpan<float> labels)
    {
        if (probabilities.Length != labels.Length)
            throw new ArgumentException($"{probabilities.Length} probabilities but {labels.Length} labels");
        if (probabilities.Length == 0) return null;
        double sum = 0;
        for (int i = 0; i < probabilities.Length; i++)
        {
            double p = probabilities[i];
            if (double.IsNaN(p)) throw new ArgumentException($"probability at row {i} is NaN");
            p = Math.Clamp(p, Epsilon, 1 - Epsilon);
            sum -= labels[i] == 1f ? Math.Log(p) : Math.Log(1 - p);
        }
        return sum / probabilities.Length;
    }
}
