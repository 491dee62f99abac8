using Msr.Core.Data;

namespace Msr.Core.Training;

/// <summary>The reference training protocol (spec §2) with its documented switches.</summary>
/// <param name="Epochs">Epoch budget (the spec recommends 100 with early stopping).</param>
/// <param name="BatchSize">Training and evaluation batch size.</param>
/// <param name="LearningRate">Adam learning rate (1e-3).</param>
/// <param name="WeightDecay">Adam's coupled L2 weight decay (1e-5), on all parameters.</param>
/// <param name="Patience">Stop after this many consecutive epochs without a better validation AUC.</param>
/// <param name="RestoreBestAtEnd">Reference quirk: when the budget ends before the stop rule fires, the reference keeps the last epoch's weights (false). True restores the best.</param>
/// <param name="UseStepLr">The reference never creates its scheduler (false); true applies StepLR per epoch.</param>
/// <param name="StepLrStepSize">StepLR step size in epochs.</param>
/// <param name="StepLrGamma">StepLR decay factor.</param>
/// <param name="Device">Where the run computes: cpu (default), cuda, or auto (CUDA when usable); see <see cref="ComputeDevice"/>.</param>
/// <param name="Monitor">Validation metric of early stopping; null lets the model choose (validation AUC unless it prefers another).</param>
/// <param name="EmbeddingUpdates">Dense Adam on the embedding tables too (the reference), or lazy row-wise updates (docs/performance.md).</param>
public sealed record TrainerOptions(
    int Epochs = 100,
    int BatchSize = 4096,
    double LearningRate = 1e-3,
    double WeightDecay = 1e-5,
    int Patience = 4,
    bool RestoreBestAtEnd = false,
    bool UseStepLr = false,
    int StepLrStepSize = 2,
    double StepLrGamma = 0.85,
    StopMetric? Monitor = null,
    string Device = "cpu",
    EmbeddingUpdates EmbeddingUpdates = EmbeddingUpdates.Dense)
{
    /// <summary>Dataset protocol defaults, then the user's overrides; unknown keys stay unread for the caller to report.</summary>
    public static TrainerOptions From(Settings s, ProtocolDefaults defaults)
    {
        var d = new TrainerOptions();
        return new TrainerOptions(
            s.Int("epochs", d.Epochs, min: 1),
            s.Int("batch_size", defaults.BatchSize, min: 2),
            s.Double("lr", d.LearningRate, min: 0),
            s.Double("weight_decay", d.WeightDecay, min: 0),
            s.Int("patience", defaults.Patience, min: 1),
            s.Bool("restore_best_at_end", d.RestoreBestAtEnd),
            s.Bool("step_lr", d.UseStepLr),
            s.Int("step_lr_step_size", defaults.StepLrStepSize, min: 1),
            s.Double("step_lr_gamma", defaults.StepLrGamma, min: 0, max: 1),
            s.Choice("monitor", "auto", ["auto", "auc", "logloss"]) switch
            {
                "auc" => StopMetric.Auc,
                "logloss" => StopMetric.LogLoss,
                _ => null,
            },
            s.Choice("device", d.Device, ComputeDevice.Choices),
            s.Choice("embedding_updates", "dense", ["dense", "lazy"]) == "lazy" ? EmbeddingUpdates.Lazy : EmbeddingUpdates.Dense);
    }

    /// <summary>The trainer option names (what <see cref="From"/> reads), in alphabetical order.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. Read(Settings.Checking(null)).Resolved.Keys];

    /// <summary>Every problem of the given trainer options (bad values and unknown names with the valid ones), without training.</summary>
    public static IReadOnlyList<string> Problems(IEnumerable<KeyValuePair<string, string>> given)
    {
        var s = Read(Settings.Checking(given));
        return
        [
            .. s.Problems,
            .. s.UnusedKeys.Select(k => $"unknown trainer option '{k}'; trainer options: {string.Join(", ", Names)}"),
        ];
    }

    static Settings Read(Settings s)
    {
        From(s, new ProtocolDefaults());
        return s;
    }
}

/// <summary>How the embedding tables of <see cref="Msr.Core.Models.Layers.FeatureEmbedding"/> layers are stepped.</summary>
public enum EmbeddingUpdates
{
    /// <summary>The reference: one Adam with coupled L2 over every parameter, so every row of every table moves at every step.</summary>
    Dense,
    /// <summary>
    /// Only the rows a batch looks up move: their Adam moments and weights change, with the L2 term on those rows only;
    /// untouched rows and their moments stay as they are (<see cref="LazyEmbeddingAdam"/>).
    /// </summary>
    Lazy,
}
