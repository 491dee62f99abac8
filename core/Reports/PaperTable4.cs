namespace Msr.Core.Reports;

/// <summary>A model's efficiency on one dataset as the benchmark paper's Table 4 gives it (one V100 GPU).</summary>
/// <param name="TrainSecondsPerEpoch">Training seconds per epoch.</param>
/// <param name="InferMillisecondsPerBatch">Inference milliseconds per batch of the dataset's protocol batch size.</param>
public sealed record PaperEfficiency(double TrainSecondsPerEpoch, double InferMillisecondsPerBatch);

/// <summary>
/// The benchmark paper's Table 4 (spec §5.2), so that <c>msr bench train</c> can put Msr's figures next to the
/// paper's V100 ones. Keyed by Msr model name and dataset loader (movielens, aliccp, amazon, douban, kuairand, mind:
/// the full datasets of the paper; other loaders, such as synthetic or movielens-100k, have no figures).
/// HAMUR and M3oE are missing from every copy of the table for Douban, KuaiRand and MIND, so they have no entry there.
/// </summary>
public static class PaperTable4
{
    static readonly string[] Datasets = ["movielens", "aliccp", "amazon", "douban", "kuairand", "mind"];

    // Per model: (train s/epoch, infer ms/batch) for the datasets above, in that order; NaN where the paper has none.
    static readonly Dictionary<string, double[]> Figures = new(StringComparer.OrdinalIgnoreCase)
    {
        ["SharedBottom"] = [8.68, 5.49, 2918.22, 29.20, 3.09, 3.61, 9.83, 3.18, 372.54, 6.80, 440.18, 6.38],
        ["MMoE"] = [9.89, 5.16, 3100.01, 26.50, 4.49, 4.15, 11.06, 2.99, 398.51, 8.63, 449.05, 6.67],
        ["PLE"] = [8.17, 6.16, 2559.67, 29.37, 5.57, 4.25, 11.42, 3.77, 370.02, 9.46, 537.14, 8.62],
        ["STAR"] = [8.72, 4.88, 2992.08, 30.99, 5.87, 4.60, 11.23, 4.63, 355.32, 9.21, 448.23, 8.14],
        ["SAR-Net"] = [7.05, 7.64, 2880.83, 29.77, 4.06, 3.95, 10.08, 4.08, 330.12, 6.76, 410.71, 6.52],
        ["M2M"] = [11.71, 11.83, 3042.11, 28.09, 13.59, 11.71, 18.02, 9.01, 357.25, 13.83, 553.64, 11.71],
        ["AdaSparse"] = [8.11, 4.02, 2885.73, 27.70, 3.70, 3.80, 10.23, 2.53, 331.01, 5.79, 471.53, 4.38],
        ["ADL"] = [8.54, 4.18, 3194.35, 28.69, 5.86, 4.49, 10.36, 2.64, 358.30, 4.83, 439.51, 4.08],
        ["EPNet"] = [8.65, 4.29, 3014.37, 29.45, 4.76, 3.98, 10.03, 3.02, 360.04, 4.64, 450.68, 4.33],
        ["PPNet"] = [9.83, 4.32, 2910.49, 27.11, 4.38, 4.12, 12.04, 4.21, 380.04, 5.31, 525.83, 4.42],
        ["HAMUR"] = [9.88, 6.96, 3015.65, 29.23, 5.21, 4.28, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN],
        ["M3oE"] = [8.92, 5.85, 2996.32, 30.02, 4.95, 4.05, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN],
    };

    /// <summary>The paper's V100 figures of <paramref name="model"/> on the dataset of loader <paramref name="dataset"/>, or
    /// null where the paper has none (a model it did not run, such as BaseDNN, another dataset, or a missing cell).</summary>
    public static PaperEfficiency? Get(string model, string dataset)
    {
        int column = Array.IndexOf(Datasets, dataset.ToLowerInvariant());
        if (column < 0 || !Figures.TryGetValue(model, out var row) || double.IsNaN(row[2 * column])) return null;
        return new PaperEfficiency(row[2 * column], row[2 * column + 1]);
    }
}
